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

// receivedFromRollup reads the review threads others started on the
// subject's pull requests in the period (bots left out unless asked for),
// calling by for the person who started each; the subject is one person.
func (q *querier) receivedFromRollup(ctx context.Context, p Period, subject int64,
	by func(sql.NullInt64, sql.NullString)) ([]received, error) {
	if err := q.fresh(ctx, prReceptionFamily); err != nil {
		return nil, err
	}
	var got []received
	where, args := p.scope("f.created_at", "f.repo_id", "")
	err := q.each(ctx, `SELECT f.pr_id, f.created_at, f.resolved_at, f.addressed_at, f.person_id, pe.display_name
		FROM rollup_pr_reception f LEFT JOIN people pe ON pe.id = f.person_id
		WHERE f.author_id = `+strconv.FormatInt(subject, 10)+` AND `+where+notBy("f.person_id", []int64{subject})+p.humans("f.person_id")+`
		ORDER BY f.created_at, f.comment_id`, args,
		func(rows *sql.Rows) error {
			var c received
			var addressed, person sql.NullInt64
			var name sql.NullString
			if err := rows.Scan(&c.pr, &c.at, &c.resolved, &addressed, &person, &name); err != nil {
				return err
			}
			c.addressed = -1
			if addressed.Valid {
				c.addressed = addressed.Int64
			}
			got = append(got, c)
			by(person, name)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("unable to read review comments on the person's pull requests: %w", err)
	}
	return got, nil
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
	if _, err := tx.ExecContext(ctx, `DELETE FROM rollup_pr_reception WHERE day >= $1 AND day <= $2`, s.First, s.Last); err != nil {
		return fmt.Errorf("unable to clear rollup_pr_reception: %w", err)
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
		if _, err := tx.ExecContext(ctx, b.String(), vals...); err != nil {
			return fmt.Errorf("unable to write rollup_pr_reception: %w", err)
		}
	}
	return nil
}
