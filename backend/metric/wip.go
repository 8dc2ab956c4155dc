package metric

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"time"
)

// Work in progress is a state at an instant: the end of each bucket for the
// trend, and for the summary the end of the range (or now, if sooner).
// A pull request is open from created_at until it is merged or closed; in
// that time it is, in order, a draft (until ready_at), waiting for review
// (until first_review_at), in review (until approved_at) and approved.

const (
	activeBranchWindow = 14 * 86400 // a branch is active with a run or a new PR in this long
	activeAuthorWindow = 30 * 86400 // an author is active with a PR opened in this long
)

var wipStatuses = []struct{ id, label string }{
	{"drafts", "Draft"}, {"waiting_for_review", "Waiting for review"}, {"in_review", "In review"}, {"approved", "Approved"},
}

// StatusCount is one bar of WIP by status.
type StatusCount struct {
	Status string  `json:"status"`
	Label  string  `json:"label"`
	Count  float64 `json:"count"`
}

// OpenPR is a row of the oldest open pull requests.
type OpenPR struct {
	Repo     string  `json:"repo"`
	Number   int64   `json:"number"`
	Title    string  `json:"title"`
	URL      string  `json:"url"`
	Author   string  `json:"author"`
	AgeHours float64 `json:"age_hours"`
	Status   string  `json:"status"`
}

// AuthorWIP is the open pull requests of one active author.
type AuthorWIP struct {
	Person  string  `json:"person"`
	OpenPRs float64 `json:"open_prs"`
}

// openPR is a pull request's life, in Unix seconds; 0 is "never".
type openPR struct {
	created, ready, review, approved, closed int64
	person                                   int64
}

// statusAt is the index in wipStatuses of pr's status at t, or -1 when it
// is not open at t.
func (pr openPR) statusAt(t int64) int {
	switch {
	case pr.created > t || pr.closed != 0 && pr.closed <= t:
		return -1
	case pr.ready == 0 || pr.ready > t:
		return 0
	case pr.review == 0 || pr.review > t:
		return 1
	case pr.approved == 0 || pr.approved > t:
		return 2
	}
	return 3
}

// statusChanges are the instants at which pr's status may change, sorted;
// 0 ("never") is left out.
func (pr openPR) statusChanges() []int64 {
	ts := make([]int64, 0, 5)
	for _, t := range [...]int64{pr.created, pr.ready, pr.review, pr.approved, pr.closed} {
		if t != 0 {
			ts = append(ts, t)
		}
	}
	slices.Sort(ts)
	return ts
}

func wip(ctx context.Context, q *querier, p Period) (*Values, error) {
	asOf := p.AsOf()
	bots := p.humans("pr.person_id")
	// The person filter of a team (a hundred people) led SQLite to read the
	// first two parts through pull_requests_person_closed_idx, one table row
	// per pull request; the unary plus keeps it on the covering
	// pull_requests_open_idx (team, large demo: 16k rows, 3x less CPU).
	filter := p.repoIn("pr.repo_id") + p.personIn(q.notIndexed("pr.person_id")) + bots
	// Open at some instant of the period: opened before its end and not
	// closed or merged before its start. The three disjoint parts (still
	// open; closed since the start; merged since the start and not closed)
	// each seek pull_requests_open_idx, where the plain condition would read
	// every pull request ever opened.
	// Six integer columns, 0 for "never" (a timestamp is never 0): when it
	// was ready (the draft flag folded in) and when it closed (the sooner of
	// closed and merged). Each column of each of some 30k rows was a good
	// part of the time, more so as a nullable one.
	cols := func(closed string) string {
		return `SELECT pr.created_at, CASE WHEN pr.ready_at IS NOT NULL THEN pr.ready_at WHEN pr.is_draft THEN 0 ELSE pr.created_at END,
			COALESCE(pr.first_review_at, 0), COALESCE(pr.approved_at, 0), ` + closed + `, COALESCE(pr.person_id, 0)
			FROM pull_requests pr WHERE pr.created_at < $2 AND `
	}
	var prs []openPR
	err := q.each(ctx, cols("0")+`pr.closed_at IS NULL AND pr.merged_at IS NULL`+filter+`
		UNION ALL `+cols("CASE WHEN pr.merged_at < pr.closed_at THEN pr.merged_at ELSE pr.closed_at END")+
		`pr.closed_at >= $1 AND (pr.merged_at IS NULL OR pr.merged_at >= $1)`+filter+`
		UNION ALL `+cols("pr.merged_at")+`pr.closed_at IS NULL AND pr.merged_at >= $1`+filter,
		[]any{p.Start(), asOf}, func(rows *sql.Rows) error {
			var x openPR
			var ready int64
			if err := rows.Scan(&x.created, &ready, &x.review, &x.approved, &x.closed, &x.person); err != nil {
				return err
			}
			if ready != 0 {
				x.ready = max(ready, x.created)
			}
			if x.review != 0 {
				x.review = max(x.review, x.ready)
			}
			if x.approved != 0 {
				x.approved = max(x.approved, x.review)
			}
			prs = append(prs, x)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("unable to read open pull requests: %w", err)
	}

	// The trend: the status counts at the end of each bucket (just before
	// the next bucket starts), swept in time order.
	b := newBuckets(p)
	ends := make([]int64, len(b.starts))
	for d, bi := range b.ofDay {
		ends[bi] = min(p.Start()+int64(d+1)*86400, asOf) - 1
	}
	counts := sweepStatuses(prs, ends)
	series := make([]Point, len(b.starts))
	for i, s := range b.starts {
		pt := Point{"bucket": s.Format(dateLayout)}
		var open float64
		for si, st := range wipStatuses {
			pt[st.id] = counts[i][si]
			open += counts[i][si]
		}
		pt["open_prs"] = open
		series[i] = pt
	}

	// The state at the end.
	now := asOf - 1
	var ages []float64
	var byStatus [4]float64
	openBy := map[int64]float64{}
	for _, pr := range prs {
		st := pr.statusAt(now)
		if st < 0 {
			continue
		}
		byStatus[st]++
		ages = append(ages, hoursBetween(pr.created, asOf))
		openBy[pr.person]++
	}
	active, err := q.activeAuthors(ctx, p, asOf, bots)
	if err != nil {
		return nil, err
	}
	var activeOpen float64
	for id := range active {
		activeOpen += openBy[id]
	}
	branches, err := q.activeBranches(ctx, p, asOf, bots)
	if err != nil {
		return nil, err
	}
	oldest, err := q.oldestOpen(ctx, p, asOf, filter)
	if err != nil {
		return nil, err
	}
	authors, err := q.wipByAuthor(ctx, openBy, active)
	if err != nil {
		return nil, err
	}

	s := map[string]float64{
		"open_prs":                   float64(len(ages)),
		"active_branches":            branches,
		"active_authors":             float64(len(active)),
		"open_prs_per_active_author": rate(activeOpen, float64(len(active))),
	}
	statuses := make([]StatusCount, len(wipStatuses))
	for i, st := range wipStatuses {
		s[st.id] = byStatus[i]
		statuses[i] = StatusCount{Status: st.id, Label: st.label, Count: byStatus[i]}
	}
	putDistribution(s, "age", "hours", ages)
	return &Values{
		Summary: s,
		Series:  series,
		Columns: []string{"bucket", "open_prs", "drafts", "waiting_for_review", "in_review", "approved"},
		Tables: map[string]any{
			"status":    statuses,
			"age":       histogram(ages, ageBounds),
			"oldest":    oldest,
			"by_author": authors,
			"as_of":     time.Unix(asOf, 0).UTC().Format(time.RFC3339),
		},
	}, nil
}

// sweepStatuses counts the pull requests in each status at each instant of
// at (ascending). A status holds from one change to the next, so each of a
// pull request's intervals adds one to the instants it covers: a +1 where it
// starts and a -1 where it ends in a difference array, summed at the end, in
// time linear in the pull requests (no sort of all their changes).
func sweepStatuses(prs []openPR, at []int64) [][4]float64 {
	diff := make([][4]float64, len(at)+1)
	first := func(t int64) int { // the first instant of at at or after t
		i, _ := slices.BinarySearch(at, t)
		return i
	}
	for _, pr := range prs {
		ts := pr.statusChanges()
		for k, t := range ts {
			st := pr.statusAt(t)
			if st < 0 {
				continue
			}
			lo, hi := first(t), len(at)
			if k+1 < len(ts) {
				hi = first(ts[k+1])
			}
			if lo < hi {
				diff[lo][st]++
				diff[hi][st]--
			}
		}
	}
	out := make([][4]float64, len(at))
	var counts [4]float64
	for i := range at {
		for s := range counts {
			counts[s] += diff[i][s]
		}
		out[i] = counts
	}
	return out
}

// activeAuthors are the people who opened a pull request in the 30 days up
// to asOf.
func (q *querier) activeAuthors(ctx context.Context, p Period, asOf int64, bots string) (map[int64]bool, error) {
	out := map[int64]bool{}
	err := q.each(ctx, `SELECT DISTINCT pr.person_id FROM pull_requests pr
		WHERE pr.created_at >= $1 AND pr.created_at < $2 AND pr.person_id IS NOT NULL`+p.repoIn("pr.repo_id")+p.personIn("pr.person_id")+bots,
		[]any{asOf - activeAuthorWindow, asOf}, func(rows *sql.Rows) error {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			out[id] = true
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("unable to find active authors: %w", err)
	}
	return out, nil
}

// activeBranches counts the branches, other than a repository's default
// one, with a pipeline run or a pull request opened from them in the 14 days
// up to asOf.
func (q *querier) activeBranches(ctx context.Context, p Period, asOf int64, bots string) (float64, error) {
	// SQLite (stat4) skip-scanned pipeline_runs_repo_started_idx over every
	// repository, one table row per run for its branch; the runs' covering
	// indexes read the same runs without the table (large demo, 19k runs:
	// 69 -> 20 ms unfiltered; a team's 10k: 35 -> 25 ms). Runs on a default
	// branch (half of them) are left out before the union, not after a
	// DISTINCT of them all (PostgreSQL: 20 -> 9 ms); CROSS JOIN keeps SQLite
	// from reading the runs' range once per repository of a filter.
	runs := "pipeline_runs pr"
	switch {
	case p.Filter.repoIDs != nil:
	case p.Filter.personIDs != nil:
		runs += q.indexedBy("pipeline_runs_person_idx")
	default:
		runs += q.indexedBy("pipeline_runs_range_idx")
	}
	var n float64
	err := q.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM (
			SELECT pr.repo_id, pr.head_branch AS branch FROM pull_requests pr
			WHERE pr.created_at >= $1 AND pr.created_at < $2 AND pr.head_branch <> ''`+p.repoIn("pr.repo_id")+p.personIn("pr.person_id")+bots+`
			UNION
			SELECT pr.repo_id, pr.branch FROM `+runs+` CROSS JOIN repositories r
			WHERE r.id = pr.repo_id AND pr.started_at >= $1 AND pr.started_at < $2 AND pr.branch <> ''`+p.repoIn("pr.repo_id")+p.personIn("pr.person_id")+bots+`
				AND pr.branch <> r.default_branch AND NOT (r.default_branch = '' AND pr.branch IN ('main', 'master'))) b`,
		asOf-activeBranchWindow, asOf).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("unable to count active branches: %w", err)
	}
	return n, nil
}

// oldestOpen lists the ten oldest pull requests open at asOf.
func (q *querier) oldestOpen(ctx context.Context, p Period, asOf int64, filter string) ([]OpenPR, error) {
	out := []OpenPR{}
	// Open at asOf, in the three disjoint parts of wip's main query, each
	// the ten oldest of a seek of pull_requests_open_idx: the plain
	// condition walks pull_requests_created_idx from the first pull request
	// ever opened, past every one closed since, before it finds ten.
	// In the parts that are not in opening order in that index, the unary
	// plus keeps SQLite from walking pull_requests_created_idx for the order
	// instead (all of it, when none is closed or merged after asOf).
	part := func(cond, created string) string {
		return `SELECT id FROM (SELECT pr.id FROM pull_requests pr WHERE ` + created + ` < $1 AND ` + cond + filter +
			` ORDER BY ` + created + `, pr.id LIMIT 10) o`
	}
	err := q.each(ctx, `SELECT r.full_name, pr.number, pr.title, pr.url, COALESCE(pe.display_name, ''), pr.created_at,
			pr.is_draft, pr.ready_at, pr.first_review_at, pr.approved_at
		FROM pull_requests pr JOIN repositories r ON r.id = pr.repo_id LEFT JOIN people pe ON pe.id = pr.person_id
		WHERE pr.id IN (`+part(`pr.closed_at IS NULL AND pr.merged_at IS NULL`, "pr.created_at")+`
			UNION ALL `+part(`pr.closed_at >= $1 AND (pr.merged_at IS NULL OR pr.merged_at >= $1)`, "+pr.created_at")+`
			UNION ALL `+part(`pr.closed_at IS NULL AND pr.merged_at >= $1`, "+pr.created_at")+`)
		ORDER BY pr.created_at, pr.id LIMIT 10`, []any{asOf}, func(rows *sql.Rows) error {
		var o OpenPR
		var created int64
		var draft bool
		var ready, review, approved sql.NullInt64
		if err := rows.Scan(&o.Repo, &o.Number, &o.Title, &o.URL, &o.Author, &created, &draft, &ready, &review, &approved); err != nil {
			return err
		}
		x := openPR{created: created, review: review.Int64, approved: approved.Int64}
		switch {
		case ready.Valid:
			x.ready = max(ready.Int64, created)
		case !draft:
			x.ready = created
		}
		if st := x.statusAt(asOf - 1); st >= 0 {
			o.Status = wipStatuses[st].label
		}
		o.AgeHours = hoursBetween(created, asOf)
		out = append(out, o)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("unable to list the oldest open pull requests: %w", err)
	}
	return out, nil
}

// wipByAuthor names the ten active authors with the most open pull requests.
func (q *querier) wipByAuthor(ctx context.Context, openBy map[int64]float64, active map[int64]bool) ([]AuthorWIP, error) {
	type pair struct {
		id int64
		n  float64
	}
	var top []pair
	for id := range active {
		if openBy[id] > 0 {
			top = append(top, pair{id, openBy[id]})
		}
	}
	sort.Slice(top, func(i, j int) bool {
		if top[i].n != top[j].n {
			return top[i].n > top[j].n
		}
		return top[i].id < top[j].id
	})
	if len(top) > 10 {
		top = top[:10]
	}
	out := make([]AuthorWIP, 0, len(top))
	for _, x := range top {
		var name string
		if err := q.db.QueryRowContext(ctx, `SELECT display_name FROM people WHERE id = $1`, x.id).Scan(&name); err != nil {
			return nil, fmt.Errorf("unable to name an author: %w", err)
		}
		out = append(out, AuthorWIP{Person: name, OpenPRs: x.n})
	}
	return out, nil
}
