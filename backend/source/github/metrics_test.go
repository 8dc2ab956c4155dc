package github

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/momentum-app/momentum/backend/metric"
	"github.com/momentum-app/momentum/backend/store"
	"github.com/momentum-app/momentum/backend/store/storetest"
)

// Organization and Individual metrics computed on what a sync of the fake
// organization stored, against figures worked out by hand from
// testdata/octo-org.json (May 2026).
func TestMetricsOnCollectedData(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, nil)
		e.sync(t)
		eng := metric.NewEngine(st.DB(), st.Engine().Postgres())
		compute := func(id, person string) *metric.Result {
			t.Helper()
			q := metric.Query{From: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 5, 31, 0, 0, 0, 0, time.UTC), Group: metric.Week}
			if person != "" {
				q.Filter.People = []string{person}
			}
			res, err := eng.Compute(context.Background(), id, q)
			if err != nil {
				t.Fatalf("%s: %v", id, err)
			}
			return res
		}
		expect := func(id, person string, want map[string]float64) {
			t.Helper()
			got := compute(id, person).Summary
			for k, w := range want {
				g, ok := got[k]
				if !ok || math.Abs(g-w) > 1e-9 {
					t.Errorf("%s %s: %s = %v, want %v", id, person, k, g, w)
				}
			}
		}
		// Three commits (two in hello-world, one in api); #1347 and #1348
		// opened; #1347 merged 52.5 h after it was opened (05-10 10:00 →
		// 05-12 14:30).
		expect("commit-pr-activity", "", map[string]float64{
			"commits": 3, "prs_opened": 2, "prs_merged": 1, "prs_closed_unmerged": 0, "merge_rate": 1, "time_to_merge_mean_hours": 52.5,
		})
		// #1347: others' comments are hubot's discussion and review comment
		// (octocat's reply is the author's own); hubot's two reviews count,
		// dependabot's and octocat's own do not; one approval; one thread.
		expect("review-quality", "", map[string]float64{
			"prs": 1, "comments": 2, "reviews_per_pr": 2, "review_comments_per_pr": 1, "approval_rate": 1, "no_review_rate": 0, "review_threads": 1,
		})
		// First commit 05-09 16:00 → opened 05-10 10:00 (coding 18 h) →
		// hubot's comment 18:00 (pickup 8 h) → merged 05-12 14:30 (review
		// 44.5 h) → production deployment 42 finished 14:45 (deploy 0.25 h).
		expect("cycle-time", "", map[string]float64{
			"prs": 1, "coding_mean_hours": 18, "pickup_mean_hours": 8, "review_mean_hours": 44.5, "deploy_mean_hours": 0.25, "cycle_time_mean_hours": 70.5,
		})
		// Two successful production deployments: hello-world's GitHub
		// deployment 42 and api's "Release to production" run (the rule);
		// the staging failure is not production.
		expect("deployments", "", map[string]float64{
			"deployments": 2, "failed_deployments": 0, "deploy_days": 2, "prs_deployed": 1, "merge_to_production_mean_hours": 0.25,
		})
		// Three finished runs (the running one does not count): two
		// successes, the failed CI run of new-topic.
		expect("pipeline-success", "", map[string]float64{"runs": 3, "successes": 2, "failures": 1, "success_rate": 2.0 / 3})
		expect("pipeline-failures", "", map[string]float64{"runs": 3, "failures": 1, "failure_rate": 1.0 / 3})
		// Individual: octocat opened and merged #1347 (100 + 3 lines, 5
		// files, two review rounds by hubot) and wrote one commit of 10 + 2
		// lines; hubot reviewed #1347 twice and approved it once.
		expect("person-mrs", "octocat", map[string]float64{
			"prs_opened": 1, "prs_merged": 1, "success_rate": 1, "size_mean_lines": 103, "size_mean_files": 5, "iterations_mean": 2, "time_to_merge_mean_hours": 52.5,
		})
		expect("person-commits", "octocat", map[string]float64{"commits": 1, "commit_size_mean_lines": 12, "active_days": 1})
		expect("person-reviews", "hubot", map[string]float64{"reviews": 2, "approvals": 1, "commented": 1, "prs_reviewed": 1})
	})
}
