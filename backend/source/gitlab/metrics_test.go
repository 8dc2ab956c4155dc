package gitlab_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/momentum-app/momentum/backend/metric"
	"github.com/momentum-app/momentum/backend/store"
	"github.com/momentum-app/momentum/backend/store/storetest"
)

// Org and Individual metrics computed on the rows this source collected
// from the fake GitLab, for May 2026, against figures worked out by hand
// from testdata/api.json.
func TestMetricsOnCollectedRows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, nil)
		e.collect(t)
		eng := metric.NewEngine(st.DB(), st.Engine().Postgres())
		cases := []struct {
			id     string
			person string
			want   map[string]float64
		}{
			// May commits: a1, a2, a3, a4 on acme/api, b1 and the bot's b2
			// on acme/web. !1 and !2 opened, !1 merged after 53 h
			// (May 4 10:00 → May 6 15:00); !3 was closed in April.
			{"commit-pr-activity", "", map[string]float64{"commits": 6, "prs_opened": 2, "prs_merged": 1, "merge_rate": 1, "time_to_merge_median_hours": 53}},
			// Production: GitLab's deployment 41 (tier production) and the
			// rule's deploy-prod job 7103. !1's merge commit a3 reached
			// production 19 min after the merge (15:00 → 15:19).
			{"deployments", "", map[string]float64{"deployments": 2, "failed_deployments": 0, "prs_deployed": 1, "merge_to_production_median_hours": 19.0 / 60}},
			// 5001, 6001, 6002 succeeded, 5002 failed.
			{"pipeline-success", "", map[string]float64{"runs": 4, "successes": 3, "failures": 1, "success_rate": 0.75}},
			// !1: first commit 08:00 → opened 10:00 (2 h); opened → bob's
			// diff comment 14:00 (4 h: the coverage bot's 10:10 note does not
			// count); → merged May 6 15:00 (49 h).
			{"cycle-time", "", map[string]float64{"prs": 1, "coding_median_hours": 2, "pickup_median_hours": 4, "review_median_hours": 49}},
			// !1: bob's two comments and carol's; bob's diff thread resolved
			// after 19.5 h.
			{"review-quality", "", map[string]float64{"prs": 1, "comments": 3, "resolution_median_hours": 19.5, "approval_rate": 1}},
			// alice (by GitLab login): !1 in two review rounds, 150 + 15
			// lines (its merge commit's stats).
			{"person-mrs", "alice", map[string]float64{"prs_opened": 1, "prs_merged": 1, "iterations_mean": 2, "size_mean_lines": 165}},
			// Her commits: the GitLab account joined her commit address.
			{"person-commits", "alice", map[string]float64{"commits": 2, "active_days": 2, "longest_streak_days": 2, "commit_size_mean_lines": 82.5}},
			// She reviewed bob's !2 20 h after it was marked ready.
			{"person-reviews", "alice", map[string]float64{"prs_reviewed": 1, "time_to_first_review_mean_hours": 20}},
		}
		for _, c := range cases {
			q := metric.Query{From: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 5, 31, 0, 0, 0, 0, time.UTC), Group: metric.Group("week")}
			if c.person != "" {
				q.Filter.People = []string{c.person}
			}
			r, err := eng.Compute(context.Background(), c.id, q)
			if err != nil {
				t.Fatalf("%s: %v", c.id, err)
			}
			for k, v := range c.want {
				got, ok := r.Summary[k]
				if !ok || math.Abs(got-v) > 1e-9 {
					t.Errorf("%s %s: got %v (present %v), want %v", c.id, k, got, ok, v)
				}
			}
		}
	})
}
