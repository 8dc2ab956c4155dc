package metric

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/momentum-app/momentum/backend/store"
	"github.com/momentum-app/momentum/backend/store/storetest"
)

// seedReviews adds reviews and comments to seedDelivery's pull requests.
func seedReviews(t *testing.T, st *store.Store) {
	seedDelivery(t, st)
	s := newSeeder(t, st)
	n := 0
	review := func(pr, person int64, state, when string) {
		n++
		s.exec(`INSERT INTO pull_request_reviews (pr_id, external_id, person_id, state, submitted_at) VALUES ($1, $2, $3, $4, $5)`,
			pr, fmt.Sprint("r", n), person, state, at(when))
	}
	comment := func(pr, person int64, kind, ext, reply, when, resolved string) {
		s.exec(`INSERT INTO pull_request_comments (pr_id, external_id, person_id, kind, in_reply_to, created_at, resolved_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			pr, ext, person, kind, reply, at(when), opt(resolved))
	}
	// 1 (Ada's): Bob approves; two threads by Bob (one resolved after 2 h), Ada's reply,
	// Bob's discussion; a system event and a bot's comment do not count.
	review(1, 2, "approved", "2026-03-01 14:00:00")
	comment(1, 2, "review", "c1", "", "2026-03-01 14:00:00", "2026-03-01 16:00:00")
	comment(1, 2, "review", "c2", "", "2026-03-01 14:00:00", "")
	comment(1, 1, "review", "c1r", "c1", "2026-03-01 15:00:00", "")
	comment(1, 2, "discussion", "c3", "", "2026-03-01 18:00:00", "")
	comment(1, 1, "system", "c1s", "", "2026-03-01 10:00:00", "")
	comment(1, 4, "discussion", "c1b", "", "2026-03-01 10:05:00", "")
	// 2 (Bob's): Ada requests changes then approves; threads resolved after 5 h and 1 h, and her reply.
	review(2, 1, "changes_requested", "2026-03-02 13:00:00")
	review(2, 1, "approved", "2026-03-03 10:00:00")
	comment(2, 1, "review", "c4", "", "2026-03-02 13:00:00", "2026-03-02 18:00:00")
	comment(2, 1, "review", "c5", "c4", "2026-03-02 14:00:00", "")
	comment(2, 1, "review", "c6", "", "2026-03-02 13:00:00", "2026-03-02 14:00:00")
	// 3 (Bob's): nothing. 4 (Ada's): a discussion before the merge, a review only after it.
	comment(4, 2, "discussion", "c7", "", "2026-03-04 10:00:00", "")
	review(4, 2, "commented", "2026-03-05 00:00:00")
	comment(4, 2, "review", "c8", "", "2026-03-05 00:00:00", "")
	// 5 (a bot's): Ada approves.
	review(5, 1, "approved", "2026-03-02 00:30:00")
	// 8 (Bob's): Ada comments on eleven lines, then approves; a bot adds one.
	review(8, 1, "commented", "2026-03-06 02:00:00")
	review(8, 1, "approved", "2026-03-06 11:00:00")
	for i := range 11 {
		comment(8, 1, "review", fmt.Sprint("d", i), "", "2026-03-06 02:00:00", "")
	}
	comment(8, 3, "review", "dbot", "", "2026-03-06 03:00:00", "")
}

func TestReviewQuality(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		seedReviews(t, st)
		res := run(t, st, "review-quality", Query{})
		// Merged PRs 1, 2, 3, 4, 8: comments by others 3, 3, 0, 1, 11; review comments 2, 3, 0, 0, 11;
		// reviews 1, 2, 0, 0, 2; approvals 1, 1, 0, 0, 1. Threads: 2 + 2 + 11, resolved after 2, 5, 1 h.
		checkSummary(t, "all", res.Summary, map[string]float64{
			"prs": 5, "comments": 18,
			"comments_per_pr_mean": 3.6, "comments_per_pr_median": 3, "comments_per_pr_p75": 3, "comments_per_pr_p95": 9.4,
			"review_comments_per_pr": 3.2, "reviews_per_pr": 1, "review_depth": 3.2,
			"no_review_rate": 0.4, "no_comment_rate": 0.2, "approval_rate": 0.6, "approvals_per_pr": 0.6,
			"review_threads": 15, "resolution_rate": 0.2,
			"resolution_mean_hours": 8.0 / 3, "resolution_median_hours": 2, "resolution_p75_hours": 3.5, "resolution_p95_hours": 4.7,
		})
		wantSeries := []Point{
			{"bucket": "2026-03-01", "prs": 0.0, "comments_per_pr": nil, "no_review_rate": nil, "no_comment_rate": nil},
			{"bucket": "2026-03-02", "prs": 1.0, "comments_per_pr": 3.0, "no_review_rate": 0.0, "no_comment_rate": 0.0},
			{"bucket": "2026-03-03", "prs": 2.0, "comments_per_pr": 1.5, "no_review_rate": 0.5, "no_comment_rate": 0.5},
			{"bucket": "2026-03-04", "prs": 1.0, "comments_per_pr": 1.0, "no_review_rate": 1.0, "no_comment_rate": 0.0},
			{"bucket": "2026-03-05", "prs": 0.0, "comments_per_pr": nil, "no_review_rate": nil, "no_comment_rate": nil},
			{"bucket": "2026-03-06", "prs": 1.0, "comments_per_pr": 11.0, "no_review_rate": 0.0, "no_comment_rate": 0.0},
			{"bucket": "2026-03-07", "prs": 0.0, "comments_per_pr": nil, "no_review_rate": nil, "no_comment_rate": nil},
		}
		if d := cmp.Diff(wantSeries, res.Series); d != "" {
			t.Errorf("series (-want +got):\n%s", d)
		}
		wantDepth := []Bucket{{"No review", 2}, {"Reviewed, no comments", 0}, {"1-2 comments", 1}, {"3-5 comments", 1}, {"6-10 comments", 0}, {">10 comments", 1}}
		if d := cmp.Diff(wantDepth, res.Tables["depth"]); d != "" {
			t.Errorf("depth (-want +got):\n%s", d)
		}
		if d := cmp.Diff([]Bucket{{"0", 2}, {"1", 3}, {"2", 0}, {"3+", 0}}, res.Tables["approvals"]); d != "" {
			t.Errorf("approvals (-want +got):\n%s", d)
		}
		wantReviewers := []Reviewer{{Person: "Ada", Reviews: 4, Approvals: 2, PRs: 2}, {Person: "Bob", Reviews: 1, Approvals: 1, PRs: 1}}
		if d := cmp.Diff(wantReviewers, res.Tables["reviewers"]); d != "" {
			t.Errorf("reviewers (-want +got):\n%s", d)
		}
	})
}

func TestReviewQualityBotsFiltersEmpty(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		seedReviews(t, st)
		// With bots: 5 joins (one approval); the bots' comments on 1 and 8 count.
		checkSummary(t, "bots", run(t, st, "review-quality", Query{Filter: Filter{WithBots: true}}).Summary, map[string]float64{
			"prs": 6, "comments": 20, "approval_rate": 4.0 / 6, "review_threads": 16, "no_review_rate": 2.0 / 6,
		})
		checkSummary(t, "person", run(t, st, "review-quality", Query{Filter: Filter{People: []string{"bob@acme.dev"}}}).Summary, map[string]float64{
			"prs": 3, "comments": 14, "no_review_rate": 1.0 / 3, "approval_rate": 2.0 / 3,
		})
		empty := run(t, st, "review-quality", Query{From: day("2025-01-01"), To: day("2025-01-01")})
		checkSummary(t, "empty", empty.Summary, map[string]float64{"prs": 0, "comments": 0, "comments_per_pr_mean": undefined, "no_review_rate": undefined, "review_depth": undefined})
		if len(empty.Tables["reviewers"].([]Reviewer)) != 0 || empty.Series[0]["comments_per_pr"] != nil {
			t.Errorf("empty: %v %v", empty.Tables["reviewers"], empty.Series)
		}
	})
}
