package metric

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/momentum-app/momentum/backend/store"
	"github.com/momentum-app/momentum/backend/store/storetest"
)

func TestCycleTime(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		seedDelivery(t, st)
		res := run(t, st, "cycle-time", Query{Compare: true})
		// Merged in the range by people: 1, 2, 3, 4, 8 (5 is a bot's).
		// coding 2, 0, 1, 6, 1; pickup 4, 1 and 1 (3 and 4 merged without review);
		// review 20, 24, 10; deploy 38, 11, 24 (by merge commit), 30 (not the
		// deployment linked before the merge) and none for 8; total 26, 28, 2, 18, 12.
		checkSummary(t, "all", res.Summary, map[string]float64{
			"prs": 5, "merged_without_review": 2, "prs_deployed": 4,
			"coding_mean_hours": 2, "coding_median_hours": 1, "coding_p75_hours": 2, "coding_p95_hours": 5.2,
			"pickup_mean_hours": 2, "pickup_median_hours": 1, "pickup_p75_hours": 2.5, "pickup_p95_hours": 3.7,
			"review_mean_hours": 18, "review_median_hours": 20, "review_p75_hours": 22, "review_p95_hours": 23.6,
			"deploy_mean_hours": 25.75, "deploy_median_hours": 27, "deploy_p75_hours": 32, "deploy_p95_hours": 36.8,
			"cycle_time_mean_hours": 17.2, "cycle_time_median_hours": 18, "cycle_time_p75_hours": 26, "cycle_time_p95_hours": 27.6,
			"bottleneck_share": 25.75 / 47.75,
		})
		wantSeries := []Point{
			{"bucket": "2026-03-01", "prs": 0.0, "coding_hours": nil, "pickup_hours": nil, "review_hours": nil, "deploy_hours": nil, "cycle_time_median_hours": nil},
			{"bucket": "2026-03-02", "prs": 1.0, "coding_hours": 2.0, "pickup_hours": 4.0, "review_hours": 20.0, "deploy_hours": 38.0, "cycle_time_median_hours": 26.0},
			{"bucket": "2026-03-03", "prs": 2.0, "coding_hours": 0.5, "pickup_hours": 1.0, "review_hours": 24.0, "deploy_hours": 17.5, "cycle_time_median_hours": 15.0},
			{"bucket": "2026-03-04", "prs": 1.0, "coding_hours": 6.0, "pickup_hours": nil, "review_hours": nil, "deploy_hours": 30.0, "cycle_time_median_hours": 18.0},
			{"bucket": "2026-03-05", "prs": 0.0, "coding_hours": nil, "pickup_hours": nil, "review_hours": nil, "deploy_hours": nil, "cycle_time_median_hours": nil},
			{"bucket": "2026-03-06", "prs": 1.0, "coding_hours": 1.0, "pickup_hours": 1.0, "review_hours": 10.0, "deploy_hours": nil, "cycle_time_median_hours": 12.0},
			{"bucket": "2026-03-07", "prs": 0.0, "coding_hours": nil, "pickup_hours": nil, "review_hours": nil, "deploy_hours": nil, "cycle_time_median_hours": nil},
		}
		if d := cmp.Diff(wantSeries, res.Series, approx); d != "" {
			t.Errorf("series (-want +got):\n%s", d)
		}
		stages := res.Tables["stages"].([]StageStat)
		var got []any
		for _, s := range stages {
			got = append(got, s.Stage, s.Count, s.Bottleneck)
		}
		if d := cmp.Diff([]any{"coding", 5, false, "pickup", 3, false, "review", 3, false, "deploy", 4, true}, got); d != "" {
			t.Errorf("stages (-want +got):\n%s", d)
		}
		if b := res.Tables["bottleneck"].(map[string]any); b["stage"] != "deploy" {
			t.Errorf("bottleneck = %v", b)
		}
		wantHist := []Bucket{{"<1h", 0}, {"1-4h", 1}, {"4-24h", 2}, {"1-3d", 2}, {"3-7d", 0}, {"1-2w", 0}, {"2-4w", 0}, {">4w", 0}}
		if d := cmp.Diff(wantHist, res.Tables["cycle_time"]); d != "" {
			t.Errorf("histogram (-want +got):\n%s", d)
		}
		wantRepos := []RepoStages{
			{Repo: "acme/web", PRs: 3, Hours: map[string]any{"coding": 8.0 / 3, "pickup": 1.0, "review": 10.0, "deploy": 27.0}},
			{Repo: "acme/api", PRs: 2, Hours: map[string]any{"coding": 1.0, "pickup": 2.5, "review": 22.0, "deploy": 24.5}},
		}
		if d := cmp.Diff(wantRepos, res.Tables["by_repo"], approx); d != "" {
			t.Errorf("by repo (-want +got):\n%s", d)
		}
		// Previous period: 6 (coding 2, pickup 2, review 20, deploy 12, total 24).
		checkSummary(t, "previous", res.Previous, map[string]float64{"prs": 1, "coding_mean_hours": 2, "pickup_mean_hours": 2, "review_mean_hours": 20, "deploy_mean_hours": 12, "cycle_time_median_hours": 24})
	})
}

func TestCycleTimeBotsAndFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		seedDelivery(t, st)
		// With bots, 5 joins: coding 0, no review, deploy 47, total 1.
		checkSummary(t, "bots", run(t, st, "cycle-time", Query{Filter: Filter{WithBots: true}}).Summary, map[string]float64{
			"prs": 6, "merged_without_review": 3, "prs_deployed": 5, "coding_mean_hours": 10.0 / 6, "deploy_mean_hours": 150.0 / 5, "cycle_time_median_hours": 15,
		})
		// Naming the bot keeps it in.
		checkSummary(t, "named bot", run(t, st, "cycle-time", Query{Filter: Filter{People: []string{"dependabot[bot]"}}}).Summary, map[string]float64{"prs": 1, "deploy_mean_hours": 47})
		// Bob: 2, 3, 8.
		checkSummary(t, "person", run(t, st, "cycle-time", Query{Filter: Filter{People: []string{"bobby"}}}).Summary, map[string]float64{
			"prs": 3, "merged_without_review": 1, "coding_mean_hours": 2.0 / 3, "pickup_mean_hours": 1, "review_mean_hours": 17, "deploy_mean_hours": 17.5,
		})
		checkSummary(t, "repo", run(t, st, "cycle-time", Query{Filter: Filter{Repos: []string{"acme/api"}}}).Summary, map[string]float64{"prs": 2, "deploy_mean_hours": 24.5})
		checkSummary(t, "team", run(t, st, "cycle-time", Query{Filter: Filter{Teams: []string{"core"}}}).Summary, map[string]float64{"prs": 2, "merged_without_review": 1})
	})
}

func TestCycleTimeEmptyRange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		seedDelivery(t, st)
		res := run(t, st, "cycle-time", Query{From: day("2025-01-01"), To: day("2025-01-02")})
		checkSummary(t, "empty", res.Summary, map[string]float64{"prs": 0, "cycle_time_median_hours": undefined, "bottleneck_share": undefined})
		if res.Tables["bottleneck"] != nil || len(res.Series) != 2 || res.Series[0]["coding_hours"] != nil {
			t.Errorf("empty: bottleneck %v, series %v", res.Tables["bottleneck"], res.Series)
		}
	})
}
