package metric

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/momentum-app/momentum/backend/rollup"
)

// The pr_reviews rollup (store v10): per merged pull request and person
// other than its author, what they did on it until the merge (comments,
// review comments, reviews, approvals, review threads and how long the
// resolved ones took), by the day of the merge. review-quality read those
// from a join of the merged pull requests to all their comments and reviews
// three times over; bots are left out when the rows are read, by person, so
// one set of rows serves every filter.
const prReviewsFamily = "pr_reviews"

func init() {
	rollup.Register(rollup.Family{Name: prReviewsFamily, Rebuild: rebuildPRReviews})
}

func rebuildPRReviews(ctx context.Context, tx *sql.Tx, postgres bool, days []int64) error {
	concat := `group_concat(a.resolved, ',')`
	if postgres {
		concat = `string_agg(a.resolved::text, ',')`
	}
	fill := `INSERT INTO rollup_pr_reviews (merged_at, pr_id, repo_id, author_id, actor_id,
			comments, review_comments, reviews, approvals, threads, resolved_s)
		SELECT pr.merged_at, pr.id, pr.repo_id, pr.person_id, a.actor,
			SUM(a.comments), SUM(a.review_comments), SUM(a.reviews), SUM(a.approvals), SUM(a.threads), COALESCE(` + concat + `, '')
		FROM (
			SELECT c.pr_id AS pr_id, c.person_id AS actor, 1 AS comments,
				CASE WHEN c.kind = 'review' THEN 1 ELSE 0 END AS review_comments, 0 AS reviews, 0 AS approvals,
				CASE WHEN c.kind = 'review' AND c.in_reply_to = '' THEN 1 ELSE 0 END AS threads,
				CASE WHEN c.kind = 'review' AND c.in_reply_to = '' AND c.resolved_at IS NOT NULL THEN c.resolved_at - c.created_at END AS resolved
			FROM pull_requests pr JOIN pull_request_comments c ON c.pr_id = pr.id
			WHERE pr.merged_at >= $1 AND pr.merged_at < $2 AND c.kind <> 'system' AND c.created_at <= pr.merged_at
			UNION ALL
			SELECT rv.pr_id, rv.person_id, 0, 0, 1, CASE WHEN rv.state = 'approved' THEN 1 ELSE 0 END, 0, NULL
			FROM pull_requests pr JOIN pull_request_reviews rv ON rv.pr_id = pr.id
			WHERE pr.merged_at >= $1 AND pr.merged_at < $2 AND rv.submitted_at <= pr.merged_at
		) a JOIN pull_requests pr ON pr.id = a.pr_id
		WHERE a.actor IS NULL OR pr.person_id IS NULL OR a.actor <> pr.person_id
		GROUP BY pr.merged_at, pr.id, pr.repo_id, pr.person_id, a.actor`
	spans := rollup.Spans(days)
	// All spans are cleared before any is filled: a pull request whose
	// merge moved between two of them still has its rows under the old day.
	for _, s := range spans {
		if _, err := tx.ExecContext(ctx, `DELETE FROM rollup_pr_reviews WHERE merged_at >= $1 AND merged_at < $2`, s.Start(), s.End()); err != nil {
			return fmt.Errorf("unable to clear review figures: %w", err)
		}
	}
	for _, s := range spans {
		if _, err := tx.ExecContext(ctx, fill, s.Start(), s.End()); err != nil {
			return fmt.Errorf("unable to fill review figures: %w", err)
		}
	}
	return nil
}

// reviewActivityRollup fills prs, reviewers and the review threads as the
// raw queries of reviewQuality do, from rollup_pr_reviews. It reports false
// (and reads nothing) when q reads the source tables.
func (q *querier) reviewActivityRollup(ctx context.Context, p Period, prs map[int64]*reviewedPR, reviewers map[int64]*Reviewer,
	resolution *[]float64, threads *float64) (bool, error) {
	if q.raw {
		return false, nil
	}
	if err := q.fresh(ctx, prReviewsFamily); err != nil {
		return false, err
	}
	where, args := p.scope("pr.merged_at", "pr.repo_id", "pr.author_id")
	where += p.humans("pr.author_id") + p.humans("pr.actor_id")
	err := q.each(ctx, `SELECT pr.pr_id, COALESCE(pr.actor_id, 0), pr.comments, pr.review_comments, pr.reviews, pr.approvals, pr.threads, pr.resolved_s
		FROM rollup_pr_reviews pr WHERE `+where, args,
		func(rows *sql.Rows) error {
			var id, actor int64
			// Counts are scanned as integers: pgx turned each into a
			// float64 through its text (a fifth of the time on PostgreSQL).
			var nComments, nReviewComments, nReviews, nApprovals, nThreads int64
			var resolved string
			if err := rows.Scan(&id, &actor, &nComments, &nReviewComments, &nReviews, &nApprovals, &nThreads, &resolved); err != nil {
				return err
			}
			comments, reviewComments := float64(nComments), float64(nReviewComments)
			reviews, approvals := float64(nReviews), float64(nApprovals)
			if x := prs[id]; x != nil {
				x.comments += comments
				x.reviewComments += reviewComments
				x.reviews += reviews
				x.ok += approvals
			}
			if actor != 0 && reviews > 0 {
				r := reviewers[actor]
				if r == nil {
					r = &Reviewer{}
					reviewers[actor] = r
				}
				r.Reviews += reviews
				r.Approvals += approvals
				r.PRs++
			}
			*threads += float64(nThreads)
			if resolved != "" {
				for _, s := range strings.Split(resolved, ",") {
					secs, err := strconv.ParseInt(s, 10, 64)
					if err != nil {
						return fmt.Errorf("resolution seconds %q: %w", s, err)
					}
					*resolution = append(*resolution, hoursBetween(0, secs))
				}
			}
			return nil
		})
	if err != nil {
		return false, fmt.Errorf("unable to read review figures: %w", err)
	}
	return true, nil
}
