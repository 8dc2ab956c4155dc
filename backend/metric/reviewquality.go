package metric

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
)

// Review quality looks at the pull requests merged in the range and at what
// people other than their author did on them until the merge: reviews,
// comments (system events such as "review requested" are not comments) and
// the resolution of review threads. Bots are left out, as authors and as
// reviewers, unless bots=true.

// Review depth classes of a pull request, by the review comments it got.
var depthClasses = []string{"No review", "Reviewed, no comments", "1-2 comments", "3-5 comments", "6-10 comments", ">10 comments"}

func depthClass(reviews, reviewComments float64) int {
	switch {
	case reviews == 0 && reviewComments == 0:
		return 0
	case reviewComments == 0:
		return 1
	case reviewComments <= 2:
		return 2
	case reviewComments <= 5:
		return 3
	case reviewComments <= 10:
		return 4
	}
	return 5
}

// Reviewer is a row of the busiest reviewers.
type Reviewer struct {
	Person    string  `json:"person"`
	Reviews   float64 `json:"reviews"`
	Approvals float64 `json:"approvals"`
	PRs       float64 `json:"prs"`
}

type reviewedPR struct {
	day                                   int
	comments, reviewComments, reviews, ok float64
}

func reviewQuality(ctx context.Context, q *querier, p Period) (*Values, error) {
	where, args := p.scope("pr.merged_at", "pr.repo_id", "pr.person_id")
	where += p.humans("pr.person_id")
	prs := map[int64]*reviewedPR{}
	var order []int64
	// Sorted by id here, not by an ORDER BY: SQLite then walked the whole
	// table in id order for an older range (stat4 saw it as wide).
	err := q.each(ctx, `SELECT pr.id, (pr.merged_at - $1) / 86400 FROM pull_requests pr WHERE `+where, args,
		func(rows *sql.Rows) error {
			var id int64
			var x reviewedPR
			if err := rows.Scan(&id, &x.day); err != nil {
				return err
			}
			prs[id] = &x
			order = append(order, id)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("unable to read merged pull requests: %w", err)
	}
	slices.Sort(order)
	reviewers := map[int64]*Reviewer{}
	var resolution []float64
	var threads float64
	rolled, err := q.reviewActivityRollup(ctx, p, prs, reviewers, &resolution, &threads)
	if err != nil {
		return nil, err
	}
	if !rolled {
		if err := q.reviewActivityRaw(ctx, p, where, args, prs, reviewers, &resolution, &threads); err != nil {
			return nil, err
		}
	}

	b := newBuckets(p)
	type bucketAcc struct{ prs, comments, noReview, noComment float64 }
	accs := make([]bucketAcc, len(b.starts))
	var perPR []float64
	var comments, reviewComments, reviews, approvals, noReview, noComment, approved float64
	depth := make([]Bucket, len(depthClasses))
	for i, name := range depthClasses {
		depth[i].Bucket = name
	}
	approvalCounts := []Bucket{{"0", 0}, {"1", 0}, {"2", 0}, {"3+", 0}}
	for _, id := range order {
		x := prs[id]
		perPR = append(perPR, x.comments)
		comments += x.comments
		reviewComments += x.reviewComments
		reviews += x.reviews
		approvals += x.ok
		depth[depthClass(x.reviews, x.reviewComments)].Count++
		approvalCounts[min(int(x.ok), 3)].Count++
		if x.ok > 0 {
			approved++
		}
		var a *bucketAcc
		if x.day >= 0 && x.day < len(b.ofDay) {
			a = &accs[b.ofDay[x.day]]
			a.prs++
			a.comments += x.comments
		}
		if x.reviews == 0 && x.reviewComments == 0 {
			noReview++
			if a != nil {
				a.noReview++
			}
		}
		if x.comments == 0 {
			noComment++
			if a != nil {
				a.noComment++
			}
		}
	}
	n := float64(len(order))
	s := map[string]float64{
		"prs":                    n,
		"comments":               comments,
		"review_comments_per_pr": rate(reviewComments, n),
		"reviews_per_pr":         rate(reviews, n),
		"review_depth":           rate(reviewComments, reviews),
		"no_review_rate":         rate(noReview, n),
		"no_comment_rate":        rate(noComment, n),
		"approval_rate":          rate(approved, n),
		"approvals_per_pr":       rate(approvals, n),
		"review_threads":         threads,
		"resolution_rate":        rate(float64(len(resolution)), threads),
	}
	putDistribution(s, "comments_per_pr", "", perPR)
	putDistribution(s, "resolution", "hours", resolution)

	series := make([]Point, len(b.starts))
	for i, start := range b.starts {
		a := accs[i]
		series[i] = Point{
			"bucket":          start.Format(dateLayout),
			"prs":             a.prs,
			"comments_per_pr": orNil(ratio(a.comments, a.prs), a.prs > 0),
			"no_review_rate":  orNil(ratio(a.noReview, a.prs), a.prs > 0),
			"no_comment_rate": orNil(ratio(a.noComment, a.prs), a.prs > 0),
		}
	}
	top, err := q.topReviewers(ctx, reviewers)
	if err != nil {
		return nil, err
	}
	return &Values{
		Summary: s,
		Series:  series,
		Columns: []string{"bucket", "prs", "comments_per_pr", "no_review_rate", "no_comment_rate"},
		Tables: map[string]any{
			"depth":      depth,
			"approvals":  approvalCounts,
			"resolution": histogram(resolution, cycleTimeBounds),
			"reviewers":  top,
		},
	}, nil
}

// reviewActivityRaw reads what reviewActivityRollup reads from the
// comments and reviews of the pull requests merged in the period (where,
// args: their scope).
func (q *querier) reviewActivityRaw(ctx context.Context, p Period, where string, args []any, prs map[int64]*reviewedPR,
	reviewers map[int64]*Reviewer, resolution *[]float64, threads *float64) error {
	// What someone else did: not the author, not a bot.
	byOther := func(col string) string {
		return " AND (" + col + " IS NULL OR pr.person_id IS NULL OR " + col + " <> pr.person_id)" + p.humans(col)
	}
	err := q.each(ctx, `SELECT c.pr_id, COUNT(*), SUM(CASE WHEN c.kind = 'review' THEN 1 ELSE 0 END)
		FROM pull_request_comments c JOIN pull_requests pr ON pr.id = c.pr_id
		WHERE `+where+` AND c.kind <> 'system' AND c.created_at <= pr.merged_at`+byOther("c.person_id")+` GROUP BY c.pr_id`, args,
		func(rows *sql.Rows) error {
			var id int64
			var n, review float64
			if err := rows.Scan(&id, &n, &review); err != nil {
				return err
			}
			if x := prs[id]; x != nil {
				x.comments, x.reviewComments = n, review
			}
			return nil
		})
	if err != nil {
		return fmt.Errorf("unable to count review comments: %w", err)
	}
	err = q.each(ctx, `SELECT rv.pr_id, COALESCE(rv.person_id, 0), COUNT(*), SUM(CASE WHEN rv.state = 'approved' THEN 1 ELSE 0 END)
		FROM pull_request_reviews rv JOIN pull_requests pr ON pr.id = rv.pr_id
		WHERE `+where+` AND rv.submitted_at <= pr.merged_at`+byOther("rv.person_id")+` GROUP BY rv.pr_id, rv.person_id`, args,
		func(rows *sql.Rows) error {
			var id, person int64
			var n, approvals float64
			if err := rows.Scan(&id, &person, &n, &approvals); err != nil {
				return err
			}
			if x := prs[id]; x != nil {
				x.reviews += n
				x.ok += approvals
			}
			if person != 0 {
				r := reviewers[person]
				if r == nil {
					r = &Reviewer{}
					reviewers[person] = r
				}
				r.Reviews += n
				r.Approvals += approvals
				r.PRs++
			}
			return nil
		})
	if err != nil {
		return fmt.Errorf("unable to count reviews: %w", err)
	}
	// Review threads (a review comment that is not a reply) and their resolution.
	err = q.each(ctx, `SELECT c.created_at, c.resolved_at FROM pull_request_comments c JOIN pull_requests pr ON pr.id = c.pr_id
		WHERE `+where+` AND c.kind = 'review' AND c.in_reply_to = '' AND c.created_at <= pr.merged_at`+byOther("c.person_id"), args,
		func(rows *sql.Rows) error {
			var created int64
			var resolved sql.NullInt64
			if err := rows.Scan(&created, &resolved); err != nil {
				return err
			}
			*threads++
			if resolved.Valid {
				*resolution = append(*resolution, hoursBetween(created, resolved.Int64))
			}
			return nil
		})
	if err != nil {
		return fmt.Errorf("unable to read review threads: %w", err)
	}
	return nil
}

// topReviewers names the ten people who reviewed the most.
func (q *querier) topReviewers(ctx context.Context, reviewers map[int64]*Reviewer) ([]Reviewer, error) {
	ids := make([]int64, 0, len(reviewers))
	for id := range reviewers {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		a, b := reviewers[ids[i]], reviewers[ids[j]]
		if a.Reviews != b.Reviews {
			return a.Reviews > b.Reviews
		}
		return ids[i] < ids[j]
	})
	out := make([]Reviewer, 0, 10)
	for _, id := range ids[:min(10, len(ids))] {
		r := reviewers[id]
		if err := q.db.QueryRowContext(ctx, `SELECT display_name FROM people WHERE id = $1`, id).Scan(&r.Person); err != nil {
			return nil, fmt.Errorf("unable to name a reviewer: %w", err)
		}
		out = append(out, *r)
	}
	return out, nil
}
