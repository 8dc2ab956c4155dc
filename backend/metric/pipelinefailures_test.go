package metric

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/momentum-app/momentum/backend/store"
	"github.com/momentum-app/momentum/backend/store/storetest"
)

func TestPipelineFailures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		seedRuns(t, st)
		seedJobs(t, st)
		res := run(t, st, "pipeline-failures", Query{})
		// Failure episodes: 2 (after 1's success; fixed by 3: 00:20 → 09:20 = 9 h),
		// 4 (fixed by 6: 14:05 → 09:40 = 19 h 35 min; 5 continues it) and 14 (still failing).
		mttr := []float64{9, 19 + 35.0/60}
		checkSummary(t, "all", res.Summary, map[string]float64{
			"runs": 9, "failures": 4, "failure_rate": 4.0 / 9, "recoveries": 2, "unrecovered": 1,
			"mttr_mean_hours": (mttr[0] + mttr[1]) / 2, "mttr_median_hours": (mttr[0] + mttr[1]) / 2,
			"mttr_p75_hours": mttr[0] + 0.75*(mttr[1]-mttr[0]), "mttr_p95_hours": mttr[0] + 0.95*(mttr[1]-mttr[0]),
		})
		if d := cmp.Diff([]any{0.5, 0.0, 1.0, 0.0, nil, 0.0, 1.0}, column(res.Series, "failure_rate")); d != "" {
			t.Errorf("failure rate (-want +got):\n%s", d)
		}
		wantStages := []StageFailures{
			{Stage: "lint", Jobs: 2, Failures: 2, FailureRate: 1},
			{Stage: "deploy", Jobs: 2, Failures: 1, FailureRate: 0.5},
			{Stage: "test", Jobs: 5, Failures: 1, FailureRate: 0.2},
			{Stage: "build", Jobs: 5, Failures: 0, FailureRate: 0},
		}
		if d := cmp.Diff(wantStages, res.Tables["by_stage"]); d != "" {
			t.Errorf("by stage (-want +got):\n%s", d)
		}
		wantSteps := []StageFailures{
			{Stage: "deploy", Step: "Roll out", Jobs: 1, Failures: 1, FailureRate: 1},
			{Stage: "test", Step: "Run tests", Jobs: 2, Failures: 1, FailureRate: 0.5},
		}
		if d := cmp.Diff(wantSteps, res.Tables["by_step"]); d != "" {
			t.Errorf("by step (-want +got):\n%s", d)
		}
		wantReasons := []FailureReason{{"lint", 2, 0.5}, {"health check failed", 1, 0.25}, {"test failed", 1, 0.25}}
		if d := cmp.Diff(wantReasons, res.Tables["top_reasons"]); d != "" {
			t.Errorf("reasons (-want +got):\n%s", d)
		}
		wantJobs := []FailingJob{
			{Repo: "acme/api", Pipeline: "ci", Job: "lint", Runs: 2, Failures: 2, FailureRate: 1, LastFailure: "2026-03-03T15:00:00Z", LastRunURL: "https://example.test/runs/5"},
			{Repo: "acme/web", Pipeline: "deploy", Job: "deploy-production", Runs: 2, Failures: 1, FailureRate: 0.5, LastFailure: "2026-03-07T22:00:00Z", LastRunURL: "https://example.test/runs/14"},
			{Repo: "acme/api", Pipeline: "ci", Job: "test", Runs: 5, Failures: 1, FailureRate: 0.2, LastFailure: "2026-03-01T23:50:00Z", LastRunURL: "https://example.test/runs/2"},
		}
		if d := cmp.Diff(wantJobs, res.Tables["failing_jobs"]); d != "" {
			t.Errorf("failing jobs (-want +got):\n%s", d)
		}
		wantEvents := []EventFailures{{"push", 7, 3, 3.0 / 7}, {"other", 1, 0, 0}, {"workflow_dispatch", 1, 1, 1}}
		if d := cmp.Diff(wantEvents, res.Tables["by_event"], approx); d != "" {
			t.Errorf("by event (-want +got):\n%s", d)
		}
		if d := cmp.Diff([]Bucket{{"<1h", 0}, {"1-4h", 0}, {"4-24h", 2}, {"1-3d", 0}, {"3-7d", 0}, {"1-2w", 0}, {"2-4w", 0}, {">4w", 0}}, res.Tables["mttr"]); d != "" {
			t.Errorf("mttr histogram (-want +got):\n%s", d)
		}
	})
}

func TestPipelineFailuresEpisodes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		seedRuns(t, st)
		// 11 fails after 12's success; the next success, 10, comes ten days later, after the range.
		checkSummary(t, "recovered after the range", run(t, st, "pipeline-failures", Query{From: day("2026-02-10"), To: day("2026-02-10")}).Summary,
			map[string]float64{"failures": 1, "recoveries": 1, "mttr_mean_hours": 240, "unrecovered": 0})
		// 5 continues the episode 4 began the day before: no episode begins on 03-03 15:00 alone.
		res := run(t, st, "pipeline-failures", Query{From: day("2026-03-04"), To: day("2026-03-07")})
		checkSummary(t, "still failing", res.Summary, map[string]float64{"failures": 1, "recoveries": 0, "unrecovered": 1, "mttr_mean_hours": undefined})
		checkSummary(t, "person", run(t, st, "pipeline-failures", Query{Filter: Filter{People: []string{"bobby"}}}).Summary,
			map[string]float64{"runs": 1, "failures": 1, "unrecovered": 1})
		empty := run(t, st, "pipeline-failures", Query{From: day("2024-01-01"), To: day("2024-01-01")})
		checkSummary(t, "empty", empty.Summary, map[string]float64{"runs": 0, "failure_rate": undefined, "recoveries": 0, "mttr_median_hours": undefined})
		if len(empty.Tables["top_reasons"].([]FailureReason)) != 0 || len(empty.Tables["failing_jobs"].([]FailingJob)) != 0 || len(empty.Tables["by_stage"].([]StageFailures)) != 0 {
			t.Errorf("empty tables: %v", empty.Tables)
		}
	})
}
