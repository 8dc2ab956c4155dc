package metric

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// The individual pull-request metrics: as author (person-mrs), as reviewer
// (person-reviews) and as the receiver of reviews (person-reception). They
// read the pull request tables that hosted sources fill, in UTC days.

// responseBounds are the bars of review and response-time histograms (hours).
var responseBounds = []bound{{"<1h", 1}, {"1-4h", 4}, {"4-24h", 24}, {"1-3d", 72}, {"3-7d", 168}, {">7d", 0}}

// iterationBounds bar merged pull requests by review rounds.
var iterationBounds = []bound{{"0", 1}, {"1", 2}, {"2", 3}, {"3", 4}, {"4+", 0}}

// notBy keeps rows whose person column is not the subject (an unknown
// author included): others' pull requests, reviews and comments. who is
// never empty here.
func notBy(col string, who []int64) string {
	return " AND (" + col + " IS NULL OR " + col + " NOT IN (" + joinIDs(who) + "))"
}

func joinIDs(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ",")
}

// bucketMedians puts, per bucket, the median of the values of its days as
// field (null when none).
func bucketMedians(b buckets, pts []Point, field string, perDay map[int][]float64) {
	per := make([][]float64, len(pts))
	for d, vs := range perDay {
		if d >= 0 && d < len(b.ofDay) {
			per[b.ofDay[d]] = append(per[b.ofDay[d]], vs...)
		}
	}
	for i, pt := range pts {
		pt[field] = medianOrNil(per[i])
	}
}

func personMRs(ctx context.Context, q *querier, p Period) (*Values, error) {
	who, err := q.subject(ctx, p)
	if err != nil {
		return nil, err
	}
	if len(who) == 0 {
		who = []int64{0} // the filters match nobody: no rows
	}
	mine := idList("pr.person_id", who)

	opened := map[int]float64{}
	var sizes, files []float64
	where, args := p.scope("pr.created_at", "pr.repo_id", "")
	err = q.each(ctx, `SELECT (pr.created_at - $1) / 86400, pr.additions + pr.deletions, pr.changed_files FROM pull_requests pr WHERE `+where+mine, args,
		func(rows *sql.Rows) error {
			var d int
			var lines, f float64
			if err := rows.Scan(&d, &lines, &f); err != nil {
				return err
			}
			opened[d]++
			sizes = append(sizes, lines)
			files = append(files, f)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("unable to read the person's pull requests: %w", err)
	}

	merged := map[int]float64{}
	var toMerge, rounds []float64
	where, args = p.scope("pr.merged_at", "pr.repo_id", "")
	err = q.each(ctx, `SELECT (pr.merged_at - $1) / 86400, pr.created_at, pr.merged_at, pr.review_rounds FROM pull_requests pr WHERE `+where+mine, args,
		func(rows *sql.Rows) error {
			var d int
			var created, mergedAt int64
			var r float64
			if err := rows.Scan(&d, &created, &mergedAt, &r); err != nil {
				return err
			}
			merged[d]++
			toMerge = append(toMerge, hoursBetween(created, mergedAt))
			rounds = append(rounds, r)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("unable to read the person's merged pull requests: %w", err)
	}

	// "|| ''" keeps SQLite from reading every closed pull request through
	// pull_requests_state_idx: with STAT4 it chose that index for some ranges
	// (400 ms instead of 12 for "me"'s previous period on the large demo).
	where, args = p.scope("pr.closed_at", "pr.repo_id", "")
	closed, err := q.countByDay(ctx, `SELECT (pr.closed_at - $1) / 86400, COUNT(*) FROM pull_requests pr WHERE pr.state || '' = 'closed' AND `+where+mine+` GROUP BY 1`, args...)
	if err != nil {
		return nil, fmt.Errorf("unable to count the person's closed pull requests: %w", err)
	}

	b := newBuckets(p)
	fields := []string{"prs_opened", "prs_merged", "prs_closed"}
	pts := b.series(fields, opened, merged, closed)
	for _, pt := range pts {
		m, c := pt["prs_merged"].(float64), pt["prs_closed"].(float64)
		pt["success_rate"] = orNil(ratio(m, m+c), m+c > 0)
	}
	nMerged, nClosed := sum(merged), sum(closed)
	size, nFiles, iter := distributionOf(sizes), distributionOf(files), distributionOf(rounds)
	s := map[string]float64{
		"prs_opened":          sum(opened),
		"prs_merged":          nMerged,
		"prs_closed_unmerged": nClosed,
		"success_rate":        nanUnless(ratio(nMerged, nMerged+nClosed), nMerged+nClosed > 0),
		"size_mean_lines":     nanUnless(size.mean, len(sizes) > 0),
		"size_median_lines":   nanUnless(size.p50, len(sizes) > 0),
		"size_mean_files":     nanUnless(nFiles.mean, len(files) > 0),
		"iterations_mean":     nanUnless(iter.mean, len(rounds) > 0),
		"iterations_median":   nanUnless(iter.p50, len(rounds) > 0),
	}
	putHours(s, "time_to_merge", toMerge)
	return &Values{
		Summary: s,
		Series:  pts,
		Columns: append([]string{"bucket"}, append(fields, "success_rate")...),
		Tables: map[string]any{
			"size":       histogram(sizes, commitSizeBounds),
			"iterations": histogram(rounds, iterationBounds),
		},
	}, nil
}

// personReview is one review by the subject.
type personReview struct {
	pr        int64
	at        int64
	state     string
	ready     int64 // the PR's ready for review (opened, or out of draft)
	prevOwnAt int64 // the subject's previous review of the PR, 0 for the first
}

func personReviews(ctx context.Context, q *querier, p Period) (*Values, error) {
	who, err := q.subject(ctx, p)
	if err != nil {
		return nil, err
	}
	if len(who) == 0 {
		who = []int64{0}
	}
	// The subject's reviews of others' pull requests up to the range's end,
	// on the pull requests they reviewed in the range: earlier ones tell
	// which review of a PR was their first.
	var reviews []personReview
	authors := map[int64]prAuthor{}
	err = q.each(ctx, `SELECT r.pr_id, r.submitted_at, r.state, pr.created_at, COALESCE(pr.ready_at, pr.created_at), pr.repo_id, pr.person_id
		FROM pull_request_reviews r JOIN pull_requests pr ON pr.id = r.pr_id
		WHERE r.submitted_at < $2 AND r.pr_id IN (SELECT r2.pr_id FROM pull_request_reviews r2 WHERE r2.submitted_at >= $1 AND r2.submitted_at < $2`+idList("r2.person_id", who)+`)`+
		idList("r.person_id", who)+notBy("pr.person_id", who)+p.repoIn("pr.repo_id")+`
		ORDER BY r.pr_id, r.submitted_at, r.id`, []any{p.Start(), p.End()},
		func(rows *sql.Rows) error {
			var r personReview
			var created, repo int64
			var author sql.NullInt64
			if err := rows.Scan(&r.pr, &r.at, &r.state, &created, &r.ready, &repo, &author); err != nil {
				return err
			}
			if author.Valid { // an unknown author makes no updates
				authors[r.pr] = prAuthor{repo: repo, person: author.Int64}
			}
			r.ready = max(created, r.ready)
			if n := len(reviews); n > 0 && reviews[n-1].pr == r.pr {
				r.prevOwnAt = reviews[n-1].at
			}
			reviews = append(reviews, r)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("unable to read the person's reviews: %w", err)
	}
	updates, err := q.authorUpdates(ctx, authors)
	if err != nil {
		return nil, err
	}

	day := func(t int64) int { return int((t - p.Start()) / 86400) }
	inRange := func(t int64) bool { return t >= p.Start() && t < p.End() }
	byDay := map[int]float64{}
	states := map[string]float64{}
	reviewed := map[int64]bool{}
	var firstHours, responseHours []float64
	firstByDay, responseByDay := map[int][]float64{}, map[int][]float64{}
	for _, r := range reviews {
		if !inRange(r.at) {
			continue
		}
		byDay[day(r.at)]++
		states[r.state]++
		reviewed[r.pr] = true
		if r.prevOwnAt == 0 {
			// Their first look: from ready for review.
			h := hoursBetween(r.ready, r.at)
			firstHours = append(firstHours, h)
			firstByDay[day(r.at)] = append(firstByDay[day(r.at)], h)
			responseHours = append(responseHours, h)
			responseByDay[day(r.at)] = append(responseByDay[day(r.at)], h)
			continue
		}
		// A later review answers the author's first update since their last one.
		for _, u := range updates[r.pr] {
			if u > r.prevOwnAt && u <= r.at {
				h := hoursBetween(u, r.at)
				responseHours = append(responseHours, h)
				responseByDay[day(r.at)] = append(responseByDay[day(r.at)], h)
				break
			}
		}
	}

	// Review comments (on diff lines) they wrote on others' pull requests.
	comments := map[int]float64{}
	commentsOn := map[int64]float64{}
	// The person's review comments of the range come from their index; the
	// pull requests they are on are then looked up once each, to keep
	// others' (and the repository filter). As one join, PostgreSQL hashed
	// every pull request of all time (163k on the large demo) for the few
	// thousand comments of a range.
	type comment struct {
		day int
		pr  int64
	}
	var mineCm []comment
	where, args := p.scope("cm.created_at", "", "")
	err = q.each(ctx, `SELECT (cm.created_at - $1) / 86400, cm.pr_id FROM pull_request_comments cm
		WHERE cm.kind = 'review' AND `+where+idList("cm.person_id", who), args,
		func(rows *sql.Rows) error {
			var c comment
			if err := rows.Scan(&c.day, &c.pr); err != nil {
				return err
			}
			mineCm = append(mineCm, c)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("unable to read the person's review comments: %w", err)
	}
	others := map[int64]bool{}
	if len(mineCm) > 0 {
		on := map[int64]bool{}
		for _, c := range mineCm {
			on[c.pr] = true
		}
		err = q.each(ctx, `SELECT pr.id FROM pull_requests pr WHERE pr.id IN (`+joinIDs(sortedKeys(on))+`)`+
			notBy("pr.person_id", who)+p.repoIn("pr.repo_id"), nil,
			func(rows *sql.Rows) error {
				var id int64
				if err := rows.Scan(&id); err != nil {
					return err
				}
				others[id] = true
				return nil
			})
		if err != nil {
			return nil, fmt.Errorf("unable to read the pull requests of the person's review comments: %w", err)
		}
	}
	for _, c := range mineCm {
		if others[c.pr] {
			comments[c.day]++
			commentsOn[c.pr]++
		}
	}

	// Thoroughness (0–100) = 100 × (engagement + depth) ÷ 2 over the pull
	// requests they reviewed in the range: engagement = share of them with at
	// least one review comment of theirs (not a bare approval); depth =
	// min(1, their review comments on them per PR ÷ 3).
	var withComments, onReviewed float64
	for pr := range reviewed {
		if commentsOn[pr] > 0 {
			withComments++
			onReviewed += commentsOn[pr]
		}
	}
	nReviewed := float64(len(reviewed))
	engagement := ratio(withComments, nReviewed)
	depth := min(1, ratio(onReviewed, nReviewed)/3)

	b := newBuckets(p)
	fields := []string{"reviews", "review_comments"}
	pts := b.series(fields, byDay, comments)
	bucketMedians(b, pts, "time_to_first_review_median_hours", firstByDay)
	bucketMedians(b, pts, "response_time_median_hours", responseByDay)
	s := map[string]float64{
		"reviews":                  sum(byDay),
		"prs_reviewed":             nReviewed,
		"approvals":                states["approved"],
		"changes_requested":        states["changes_requested"],
		"commented":                states["commented"],
		"review_comments":          sum(comments),
		"comments_per_reviewed_pr": nanUnless(ratio(onReviewed, nReviewed), nReviewed > 0),
		"thoroughness_engagement":  nanUnless(engagement, nReviewed > 0),
		"thoroughness_depth":       nanUnless(depth, nReviewed > 0),
		"thoroughness_score":       nanUnless(100*(engagement+depth)/2, nReviewed > 0),
	}
	putHours(s, "time_to_first_review", firstHours)
	putHours(s, "response_time", responseHours)
	stateTable := make([]Bucket, 0, 4)
	for _, st := range []string{"approved", "changes_requested", "commented", "dismissed"} {
		stateTable = append(stateTable, Bucket{Bucket: st, Count: states[st]})
	}
	return &Values{
		Summary: s,
		Series:  pts,
		Columns: append([]string{"bucket"}, append(fields, "time_to_first_review_median_hours", "response_time_median_hours")...),
		Tables: map[string]any{
			"time_to_first_review": histogram(firstHours, responseBounds),
			"response_time":        histogram(responseHours, responseBounds),
			"states":               stateTable,
		},
	}, nil
}

// prAuthor is the repository and author of a pull request.
type prAuthor struct{ repo, person int64 }

// authorUpdates are the instants, in order, at which the authors of the
// given pull requests updated them: a commit of theirs on it (committed) or
// a comment of theirs (not a system event). The pull requests come as a
// VALUES list with their repository and author, so that both engines start
// from them and look up their commits and comments by index (as a join with
// pull_requests, PostgreSQL hashed them all or went parallel).
func (q *querier) authorUpdates(ctx context.Context, prs map[int64]prAuthor) (map[int64][]int64, error) {
	out := map[int64][]int64{}
	if len(prs) == 0 {
		return out, nil
	}
	var b strings.Builder
	for i, id := range sortedKeys(prs) {
		if i > 0 {
			b.WriteByte(',')
		}
		a := prs[id]
		fmt.Fprintf(&b, "(%d,%d,%d)", id, a.repo, a.person)
	}
	err := q.each(ctx, `WITH v (pr_id, repo_id, person_id) AS (VALUES `+b.String()+`)
		SELECT v.pr_id, c.committed_at FROM v JOIN pull_request_commits pc ON pc.pr_id = v.pr_id
			JOIN commits c ON c.repo_id = v.repo_id AND c.sha = pc.commit_sha AND c.person_id = v.person_id
		UNION ALL
		SELECT v.pr_id, cm.created_at FROM v JOIN pull_request_comments cm ON cm.pr_id = v.pr_id AND cm.person_id = v.person_id
			WHERE cm.kind <> 'system'`, nil,
		func(rows *sql.Rows) error {
			var pr, t int64
			if err := rows.Scan(&pr, &t); err != nil {
				return err
			}
			out[pr] = append(out[pr], t)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("unable to read updates of pull requests: %w", err)
	}
	for _, ts := range out {
		sort.Slice(ts, func(i, j int) bool { return ts[i] < ts[j] })
	}
	return out, nil
}

// sortedKeys are a map's int64 keys in order (stable query text).
func sortedKeys[V any](m map[int64]V) []int64 {
	ids := make([]int64, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

// ReviewerCount is one reviewer of a person's pull requests.
type ReviewerCount struct {
	Reviewer string  `json:"reviewer"`
	Reviews  float64 `json:"reviews"`
	Comments float64 `json:"comments"`
}

func personReception(ctx context.Context, q *querier, p Period) (*Values, error) {
	who, err := q.subject(ctx, p)
	if err != nil {
		return nil, err
	}
	if len(who) == 0 {
		who = []int64{0}
	}
	mine := idList("pr.person_id", who)
	day := func(t int64) int { return int((t - p.Start()) / 86400) }

	reviewers := map[int64]*ReviewerCount{}
	reviewer := func(id sql.NullInt64, name sql.NullString) *ReviewerCount {
		key := int64(0)
		if id.Valid {
			key = id.Int64
		}
		r := reviewers[key]
		if r == nil {
			r = &ReviewerCount{Reviewer: "unknown"}
			if name.Valid {
				r.Reviewer = name.String
			}
			reviewers[key] = r
		}
		return r
	}
	commented := func(id sql.NullInt64, name sql.NullString, n float64) { reviewer(id, name).Comments += n }

	// Review comments others started on the subject's pull requests (thread
	// roots, bots left out), with when the subject addressed them.
	var got []received
	if q.raw || len(who) != 1 {
		got, err = q.receivedRaw(ctx, p, who, commented)
	} else {
		got, err = q.receivedFromRollup(ctx, p, who[0], commented)
	}
	if err != nil {
		return nil, err
	}

	// Time to address = comment → the first of: the subject's reply in its
	// thread, their next commit on the pull request, its resolution.
	receivedByDay, addressedByDay, resolvedByDay := map[int]float64{}, map[int]float64{}, map[int]float64{}
	addressHours := map[int][]float64{}
	var hours []float64
	for _, c := range got {
		d := day(c.at)
		receivedByDay[d]++
		if c.resolved.Valid {
			resolvedByDay[d]++
		}
		if c.addressed >= 0 {
			addressedByDay[d]++
			h := hoursBetween(c.at, c.addressed)
			hours = append(hours, h)
			addressHours[d] = append(addressHours[d], h)
		}
	}

	// Reviews others gave the subject's pull requests, and those the subject gave.
	reviewed := func(id sql.NullInt64, name sql.NullString, n float64) { reviewer(id, name).Reviews += n }
	var reviewsByDay map[int]float64
	if q.raw || len(who) != 1 {
		reviewsByDay, err = q.reviewsRaw(ctx, p, who, reviewed)
	} else {
		reviewsByDay, err = q.reviewsFromRollup(ctx, p, who[0], reviewed)
	}
	if err != nil {
		return nil, err
	}
	var given, opened float64
	if q.raw || len(who) != 1 {
		where, args := p.scope("r.submitted_at", "pr.repo_id", "")
		if err := q.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM pull_request_reviews r JOIN pull_requests pr ON pr.id = r.pr_id WHERE `+where+
			idList("r.person_id", who)+notBy("pr.person_id", who), args...).Scan(&given); err != nil {
			return nil, fmt.Errorf("unable to count the person's reviews: %w", err)
		}
	} else if given, err = q.givenFromRollup(ctx, p, who[0]); err != nil {
		return nil, err
	}
	where, args := p.scope("pr.created_at", "pr.repo_id", "")
	if err := q.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM pull_requests pr WHERE `+where+mine, args...).Scan(&opened); err != nil {
		return nil, fmt.Errorf("unable to count the person's pull requests: %w", err)
	}

	// Iteration efficiency = merged PRs ÷ their review rounds (at least one
	// each): 1 when every PR merged after a single round, ½ at two on average.
	var merged, rounds float64
	where, args = p.scope("pr.merged_at", "pr.repo_id", "")
	err = q.each(ctx, `SELECT pr.review_rounds FROM pull_requests pr WHERE `+where+mine, args, func(rows *sql.Rows) error {
		var r float64
		if err := rows.Scan(&r); err != nil {
			return err
		}
		merged++
		rounds += max(1, r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("unable to read the person's merged pull requests: %w", err)
	}

	nReceived, nAddressed, nResolved := sum(receivedByDay), sum(addressedByDay), sum(resolvedByDay)
	nReviews := sum(reviewsByDay)
	distinct := 0.0
	for id, r := range reviewers {
		if id != 0 && r.Reviews > 0 {
			distinct++
		}
	}
	// Collaboration score (0–100) = 100 × the mean of those of these parts
	// that are defined: addressed rate (review comments received that were
	// addressed), reviewer breadth = min(1, distinct reviewers ÷ 3) (when the
	// person opened or had PRs reviewed), reciprocity = min(1, reviews given ÷
	// reviews received) (when either is non-zero).
	var parts []float64
	addressedRate := ratio(nAddressed, nReceived)
	if nReceived > 0 {
		parts = append(parts, addressedRate)
	}
	breadth := min(1, distinct/3)
	if nReviews > 0 || opened > 0 {
		parts = append(parts, breadth)
	}
	reciprocity := 1.0
	if nReviews > 0 {
		reciprocity = min(1, given/nReviews)
	}
	if nReviews > 0 || given > 0 {
		parts = append(parts, reciprocity)
	}
	var collab float64
	for _, x := range parts {
		collab += x
	}
	collab = 100 * ratio(collab, float64(len(parts)))

	b := newBuckets(p)
	fields := []string{"comments_received", "comments_addressed", "reviews_received"}
	pts := b.series(fields, receivedByDay, addressedByDay, reviewsByDay)
	bucketMedians(b, pts, "time_to_address_median_hours", addressHours)
	s := map[string]float64{
		"comments_received":    nReceived,
		"comments_addressed":   nAddressed,
		"comments_resolved":    nResolved,
		"addressed_rate":       nanUnless(addressedRate, nReceived > 0),
		"resolution_rate":      nanUnless(ratio(nResolved, nReceived), nReceived > 0),
		"reviews_received":     nReviews,
		"reviews_given":        given,
		"reviewers":            distinct,
		"reviewer_breadth":     nanUnless(breadth, nReviews > 0 || opened > 0),
		"reciprocity":          nanUnless(reciprocity, nReviews > 0 || given > 0),
		"prs_merged":           merged,
		"review_rounds":        rounds,
		"iteration_efficiency": nanUnless(ratio(merged, rounds), merged > 0),
		"collaboration_score":  nanUnless(collab, len(parts) > 0),
	}
	putHours(s, "time_to_address", hours)
	table := make([]ReviewerCount, 0, len(reviewers))
	for _, r := range reviewers {
		table = append(table, *r)
	}
	sort.Slice(table, func(i, j int) bool {
		a, b := table[i], table[j]
		if a.Reviews != b.Reviews {
			return a.Reviews > b.Reviews
		}
		if a.Comments != b.Comments {
			return a.Comments > b.Comments
		}
		return a.Reviewer < b.Reviewer
	})
	return &Values{
		Summary: s,
		Series:  pts,
		Columns: append([]string{"bucket"}, append(fields, "time_to_address_median_hours")...),
		Tables: map[string]any{
			"time_to_address": histogram(hours, responseBounds),
			"reviewers":       table,
		},
	}, nil
}

// receivedRaw reads the review threads others started on the subject's pull
// requests in the period (bots left out unless asked for) from the source
// tables, calling by for the person who started each, and finds when the
// subject addressed each (firstResponse).
func (q *querier) receivedRaw(ctx context.Context, p Period, who []int64, by tally) ([]received, error) {
	var got []received
	where, args := p.scope("cm.created_at", "pr.repo_id", "")
	err := q.each(ctx, `SELECT cm.pr_id, cm.external_id, cm.created_at, cm.resolved_at, cm.person_id, pe.display_name
		FROM pull_request_comments cm JOIN pull_requests pr ON pr.id = cm.pr_id LEFT JOIN people pe ON pe.id = cm.person_id
		WHERE cm.kind = 'review' AND cm.in_reply_to = '' AND `+where+idList("pr.person_id", who)+notBy("cm.person_id", who)+p.humans("cm.person_id")+`
		ORDER BY cm.created_at, cm.id`, args,
		func(rows *sql.Rows) error {
			var c received
			var person sql.NullInt64
			var name sql.NullString
			if err := rows.Scan(&c.pr, &c.ext, &c.at, &c.resolved, &person, &name); err != nil {
				return err
			}
			got = append(got, c)
			by(person, name, 1)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("unable to read review comments on the person's pull requests: %w", err)
	}

	// What the subject did about them: replies in the thread, commits on the PR.
	prs := map[int64]bool{}
	for _, c := range got {
		prs[c.pr] = true
	}
	replies := map[string][]int64{} // pr:ext → reply instants
	commitsOn := map[int64][]int64{}
	if len(prs) > 0 {
		in := joinIDs(sortedKeys(prs))
		// The pull requests bound these reads; the person's comments and
		// commits of all time do not ("me" can have 100k and 340k of them),
		// so "+" keeps SQLite from starting with the person's index.
		err = q.each(ctx, `SELECT cm.pr_id, cm.in_reply_to, cm.created_at FROM pull_request_comments cm
			WHERE cm.pr_id IN (`+in+`) AND cm.in_reply_to <> ''`+idList("+cm.person_id", who), nil,
			func(rows *sql.Rows) error {
				var pr, t int64
				var to string
				if err := rows.Scan(&pr, &to, &t); err != nil {
					return err
				}
				replies[threadKey(pr, to)] = append(replies[threadKey(pr, to)], t)
				return nil
			})
		if err != nil {
			return nil, fmt.Errorf("unable to read the person's replies: %w", err)
		}
		err = q.each(ctx, `SELECT pc.pr_id, c.committed_at FROM pull_request_commits pc
			JOIN pull_requests pr ON pr.id = pc.pr_id JOIN commits c ON c.repo_id = pr.repo_id AND c.sha = pc.commit_sha
			WHERE pc.pr_id IN (`+in+`)`+idList("+c.person_id", who), nil,
			func(rows *sql.Rows) error {
				var pr, t int64
				if err := rows.Scan(&pr, &t); err != nil {
					return err
				}
				commitsOn[pr] = append(commitsOn[pr], t)
				return nil
			})
		if err != nil {
			return nil, fmt.Errorf("unable to read the person's commits on their pull requests: %w", err)
		}
	}
	for i := range got {
		c := &got[i]
		c.addressed = firstResponse(c.at, replies[threadKey(c.pr, c.ext)], commitsOn[c.pr], c.resolved)
	}
	return got, nil
}

// reviewsRaw counts, by day of the period, the reviews others gave the
// subject's pull requests (bots left out unless asked for), from the source
// tables, calling by for each reviewer.
func (q *querier) reviewsRaw(ctx context.Context, p Period, who []int64, by tally) (map[int]float64, error) {
	byDay := map[int]float64{}
	where, args := p.scope("r.submitted_at", "pr.repo_id", "")
	err := q.each(ctx, `SELECT (r.submitted_at - $1) / 86400, r.person_id, pe.display_name
		FROM pull_request_reviews r JOIN pull_requests pr ON pr.id = r.pr_id LEFT JOIN people pe ON pe.id = r.person_id
		WHERE `+where+idList("pr.person_id", who)+notBy("r.person_id", who)+p.humans("r.person_id"), args,
		func(rows *sql.Rows) error {
			var d int
			var person sql.NullInt64
			var name sql.NullString
			if err := rows.Scan(&d, &person, &name); err != nil {
				return err
			}
			byDay[d]++
			by(person, name, 1)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("unable to read reviews of the person's pull requests: %w", err)
	}
	return byDay, nil
}
