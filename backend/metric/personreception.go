package metric

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/momentum-app/momentum/backend/rollup"
)

// The pr_reception rollup serves the review comments a person received
// (person-reception) without joining their pull requests to the replies in
// every thread and to every commit of every pull request: for the person
// marked "me" on the large demo data (60k pull requests, 2.9k with review
// threads in 90 days) that was 12.8k commit lookups by sha, 0.35-0.9 s per
// request on both engines (build/bench-metrics.sh).
//
// Table rollup_pr_reception (schema step v14): one row per review thread
// root on a pull request with a known author, kept by the UTC day of the
// comment, with addressed_at = firstResponse of the pull request's author.
// Table rollup_pr_reception_reviews (v16): one row per review, with its
// pull request's author and repository, kept by the UTC day of the review:
// the reviews a person received and gave (the raw read joined the person's
// pull requests of all time to their reviews: 60k index seeks for "me").
// It answers for one subject (the usual case: the person chosen, or the one
// person marked "me"), who is then the pull request's author; several
// people at once (a reply or commit by any of them addresses the thread)
// read the raw rows.
const prReceptionFamily = "pr_reception"

func init() {
	rollup.Register(rollup.Family{Name: prReceptionFamily, Rebuild: rebuildPRReception})
}

// received is a review thread someone started on the subject's pull request.
type received struct {
	pr        int64
	ext       string
	at        int64
	resolved  sql.NullInt64
	addressed int64 // firstResponse, -1 when none
}

// firstResponse is the first instant at or after a review comment (at) of:
// the subject's replies in its thread, their commits on the pull request,
// the thread's resolution; -1 when there is none. Time to address is
// measured to it.
func firstResponse(at int64, replies, commits []int64, resolved sql.NullInt64) int64 {
	first := int64(-1)
	consider := func(t int64) {
		if t >= at && (first < 0 || t < first) {
			first = t
		}
	}
	for _, t := range replies {
		consider(t)
	}
	for _, t := range commits {
		consider(t)
	}
	if resolved.Valid {
		consider(resolved.Int64)
	}
	return first
}

// threadKey names a review thread: its pull request and the external ID of
// its first comment (what replies point to).
func threadKey(pr int64, ext string) string { return strconv.FormatInt(pr, 10) + ":" + ext }

// tally counts n review comments or reviews by a person (invalid: an
// unknown account) for the table of reviewers.
type tally func(person sql.NullInt64, name sql.NullString, n float64)

// receivedFromRollup reads the review threads others started on the
// subject's pull requests in the period (bots left out unless asked for),
// and tallies who started them; the subject is one person.
func (q *querier) receivedFromRollup(ctx context.Context, p Period, subject int64, by tally) ([]received, error) {
	if err := q.fresh(ctx, prReceptionFamily); err != nil {
		return nil, err
	}
	where, args := p.scope("f.created_at", "f.repo_id", "")
	var got []received
	per := map[sql.NullInt64]float64{}
	err := q.each(ctx, `SELECT f.created_at, f.resolved_at, COALESCE(f.addressed_at, -1), f.person_id FROM rollup_pr_reception f
		WHERE f.author_id = `+strconv.FormatInt(subject, 10)+` AND `+where+notBy("f.person_id", []int64{subject})+p.humans("f.person_id")+`
		ORDER BY f.created_at, f.comment_id`, args,
		func(rows *sql.Rows) error {
			var c received
			var person sql.NullInt64
			if err := rows.Scan(&c.at, &c.resolved, &c.addressed, &person); err != nil {
				return err
			}
			got = append(got, c)
			per[person]++
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("unable to read review comments on the person's pull requests: %w", err)
	}
	if err := q.tallyPeople(ctx, per, by); err != nil {
		return nil, fmt.Errorf("unable to name the people who commented on the person's pull requests: %w", err)
	}
	return got, nil
}

// reviewsFromRollup counts, by day of the period, the reviews others gave
// the subject's pull requests (bots left out unless asked for), and tallies
// the reviewers; the subject is one person.
func (q *querier) reviewsFromRollup(ctx context.Context, p Period, subject int64, by tally) (map[int]float64, error) {
	if err := q.fresh(ctx, prReceptionFamily); err != nil {
		return nil, err
	}
	where, args := p.scope("f.submitted_at", "f.repo_id", "")
	byDay := map[int]float64{}
	per := map[sql.NullInt64]float64{}
	err := q.each(ctx, `SELECT (f.submitted_at - $1) / 86400, f.person_id, COUNT(*) FROM rollup_pr_reception_reviews f
		WHERE f.author_id = `+strconv.FormatInt(subject, 10)+` AND `+where+notBy("f.person_id", []int64{subject})+p.humans("f.person_id")+`
		GROUP BY 1, 2`, args,
		func(rows *sql.Rows) error {
			var d int
			var person sql.NullInt64
			var n float64
			if err := rows.Scan(&d, &person, &n); err != nil {
				return err
			}
			byDay[d] += n
			per[person] += n
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("unable to count reviews of the person's pull requests: %w", err)
	}
	if err := q.tallyPeople(ctx, per, by); err != nil {
		return nil, fmt.Errorf("unable to name the reviewers of the person's pull requests: %w", err)
	}
	return byDay, nil
}

// givenFromRollup counts the reviews the subject (one person) gave others'
// pull requests (an unknown author's included) in the period.
func (q *querier) givenFromRollup(ctx context.Context, p Period, subject int64) (float64, error) {
	if err := q.fresh(ctx, prReceptionFamily); err != nil {
		return 0, err
	}
	var n float64
	where, args := p.scope("f.submitted_at", "f.repo_id", "")
	if err := q.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM rollup_pr_reception_reviews f WHERE f.person_id = `+strconv.FormatInt(subject, 10)+
		` AND `+where+notBy("f.author_id", []int64{subject}), args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("unable to count the person's reviews: %w", err)
	}
	return n, nil
}

// tallyPeople tallies counts by person (invalid: an unknown account) with
// the people's names, read in one lookup of the few people rather than a
// join per counted row.
func (q *querier) tallyPeople(ctx context.Context, per map[sql.NullInt64]float64, by tally) error {
	names := map[int64]sql.NullString{}
	for p := range per {
		if p.Valid {
			names[p.Int64] = sql.NullString{}
		}
	}
	if len(names) > 0 {
		err := q.each(ctx, `SELECT id, display_name FROM people WHERE id IN (`+joinIDs(sortedKeys(names))+`)`, nil, func(rows *sql.Rows) error {
			var id int64
			var name sql.NullString
			if err := rows.Scan(&id, &name); err != nil {
				return err
			}
			names[id] = name
			return nil
		})
		if err != nil {
			return err
		}
	}
	for p, n := range per {
		by(p, names[p.Int64], n)
	}
	return nil
}

// rebuildPRReception recomputes the review threads started on the dirty
// days, rebuildChunk days per query.
func rebuildPRReception(ctx context.Context, tx *sql.Tx, _ bool, days []int64) error {
	for _, s := range rollup.Spans(days) {
		for first := s.First; first <= s.Last; first += rebuildChunk {
			span := rollup.Span{First: first, Last: min(s.Last, first+rebuildChunk-1)}
			if err := rebuildReceptionSpan(ctx, tx, span); err != nil {
				return err
			}
		}
	}
	return nil
}

type receptionRow struct {
	received
	id     int64
	author prAuthor
	person sql.NullInt64
}

func rebuildReceptionSpan(ctx context.Context, tx *sql.Tx, s rollup.Span) error {
	for _, t := range []string{"rollup_pr_reception", "rollup_pr_reception_reviews"} {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+t+` WHERE day >= $1 AND day <= $2`, s.First, s.Last); err != nil {
			return fmt.Errorf("unable to clear %s: %w", t, err)
		}
	}
	// A row that moved to a day of the span from a day not rebuilt yet (a
	// comment or review whose time changed) is replaced: the rebuild of its
	// old day, in this refresh or a later one, no longer finds it there.
	// The reviews of the span, with their pull request's author and repository.
	if _, err := tx.ExecContext(ctx, `INSERT INTO rollup_pr_reception_reviews (review_id, day, author_id, repo_id, person_id, submitted_at)
		SELECT r.id, r.submitted_at / 86400, pr.person_id, pr.repo_id, r.person_id, r.submitted_at
		FROM pull_request_reviews r JOIN pull_requests pr ON pr.id = r.pr_id
		WHERE r.submitted_at >= $1 AND r.submitted_at < $2
		ON CONFLICT (review_id) DO UPDATE SET day = excluded.day, author_id = excluded.author_id, repo_id = excluded.repo_id,
			person_id = excluded.person_id, submitted_at = excluded.submitted_at`, s.Start(), s.End()); err != nil {
		return fmt.Errorf("unable to write rollup_pr_reception_reviews: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT cm.id, cm.pr_id, cm.external_id, cm.created_at, cm.resolved_at, cm.person_id, pr.person_id, pr.repo_id
		FROM pull_request_comments cm JOIN pull_requests pr ON pr.id = cm.pr_id
		WHERE cm.kind = 'review' AND cm.in_reply_to = '' AND cm.created_at >= $1 AND cm.created_at < $2 AND pr.person_id IS NOT NULL`,
		s.Start(), s.End())
	if err != nil {
		return fmt.Errorf("unable to read review threads: %w", err)
	}
	var roots []receptionRow
	prs := map[int64]prAuthor{}
	for rows.Next() {
		var r receptionRow
		if err := rows.Scan(&r.id, &r.pr, &r.ext, &r.at, &r.resolved, &r.person, &r.author.person, &r.author.repo); err != nil {
			rows.Close()
			return fmt.Errorf("unable to read review threads: %w", err)
		}
		prs[r.pr] = r.author
		roots = append(roots, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("unable to read review threads: %w", err)
	}
	if len(roots) == 0 {
		return nil
	}

	// The authors' replies and commits on those pull requests, a batch of
	// pull requests (with repository and author) at a time.
	replies := map[string][]int64{}
	commits := map[int64][]int64{}
	ids := sortedKeys(prs)
	const prBatch = 500
	for len(ids) > 0 {
		n := min(prBatch, len(ids))
		var v strings.Builder
		for i, id := range ids[:n] {
			if i > 0 {
				v.WriteByte(',')
			}
			a := prs[id]
			fmt.Fprintf(&v, "(%d,%d,%d)", id, a.repo, a.person)
		}
		ids = ids[n:]
		rows, err := tx.QueryContext(ctx, `WITH v (pr_id, repo_id, person_id) AS (VALUES `+v.String()+`)
			SELECT v.pr_id, cm.in_reply_to, cm.created_at FROM v JOIN pull_request_comments cm ON cm.pr_id = v.pr_id AND cm.person_id = v.person_id
				WHERE cm.in_reply_to <> ''
			UNION ALL
			SELECT v.pr_id, '', c.committed_at FROM v JOIN pull_request_commits pc ON pc.pr_id = v.pr_id
				JOIN commits c ON c.repo_id = v.repo_id AND c.sha = pc.commit_sha AND c.person_id = v.person_id`)
		if err != nil {
			return fmt.Errorf("unable to read the authors' replies and commits: %w", err)
		}
		for rows.Next() {
			var pr, t int64
			var to string
			if err := rows.Scan(&pr, &to, &t); err != nil {
				rows.Close()
				return fmt.Errorf("unable to read the authors' replies and commits: %w", err)
			}
			if to == "" {
				commits[pr] = append(commits[pr], t)
			} else {
				replies[threadKey(pr, to)] = append(replies[threadKey(pr, to)], t)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("unable to read the authors' replies and commits: %w", err)
		}
	}

	const batch = 200
	for len(roots) > 0 {
		n := min(batch, len(roots))
		var b strings.Builder
		b.WriteString(`INSERT INTO rollup_pr_reception (comment_id, day, pr_id, author_id, repo_id, person_id, created_at, resolved_at, addressed_at) VALUES `)
		vals := make([]any, 0, 9*n)
		for i, r := range roots[:n] {
			if i > 0 {
				b.WriteByte(',')
			}
			k := len(vals)
			fmt.Fprintf(&b, "($%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d)", k+1, k+2, k+3, k+4, k+5, k+6, k+7, k+8, k+9)
			addressed := sql.NullInt64{}
			if t := firstResponse(r.at, replies[threadKey(r.pr, r.ext)], commits[r.pr], r.resolved); t >= 0 {
				addressed = sql.NullInt64{Int64: t, Valid: true}
			}
			vals = append(vals, r.id, r.at/86400, r.pr, r.author.person, r.author.repo, r.person, r.at, r.resolved, addressed)
		}
		roots = roots[n:]
		b.WriteString(` ON CONFLICT (comment_id) DO UPDATE SET day = excluded.day, pr_id = excluded.pr_id, author_id = excluded.author_id,
			repo_id = excluded.repo_id, person_id = excluded.person_id, created_at = excluded.created_at, resolved_at = excluded.resolved_at,
			addressed_at = excluded.addressed_at`)
		if _, err := tx.ExecContext(ctx, b.String(), vals...); err != nil {
			return fmt.Errorf("unable to write rollup_pr_reception: %w", err)
		}
	}
	return nil
}
