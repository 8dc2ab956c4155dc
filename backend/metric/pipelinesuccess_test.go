package metric

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/momentum-app/momentum/backend/store"
	"github.com/momentum-app/momentum/backend/store/storetest"
)

// seedRuns: runs of two pipelines around 2026-03-01 (Sunday)..07 (Saturday).
func seedRuns(t *testing.T, st *store.Store) {
	s := newSeeder(t, st)
	seedPeople(s)
	s.pipeline(1, 1, "ci")
	s.pipeline(2, 2, "deploy")
	for i, r := range []runRow{
		{id: 1, pipeline: 1, repo: 1, person: 1, branch: "main", status: "success", started: "2026-03-01 10:00:00", finished: "2026-03-01 10:10:00"},
		// Across midnight: counts on the day it started.
		{id: 2, pipeline: 1, repo: 1, person: 1, branch: "main", status: "failure", started: "2026-03-01 23:50:00", finished: "2026-03-02 00:20:00", reason: "test failed"},
		{id: 3, pipeline: 1, repo: 1, person: 1, branch: "main", status: "success", started: "2026-03-02 09:00:00", finished: "2026-03-02 09:20:00"},
		{id: 4, pipeline: 1, repo: 1, person: 1, branch: "main", status: "failure", started: "2026-03-03 14:00:00", finished: "2026-03-03 14:05:00", reason: "lint"},
		{id: 5, pipeline: 1, repo: 1, person: 1, branch: "main", status: "failure", started: "2026-03-03 15:00:00", finished: "2026-03-03 15:05:00", reason: "lint"},
		{id: 6, pipeline: 1, repo: 1, person: 1, branch: "main", status: "success", started: "2026-03-04 09:00:00", finished: "2026-03-04 09:40:00"},
		{id: 7, pipeline: 1, repo: 1, person: 1, branch: "feat", status: "success", started: "2026-03-04 10:00:00", finished: "2026-03-04 10:30:00"},
		{id: 8, pipeline: 2, repo: 2, person: 1, branch: "main", status: "cancelled", started: "2026-03-05 10:00:00", finished: "2026-03-05 10:01:00"},
		{id: 9, pipeline: 2, repo: 2, person: 1, branch: "main", status: "success", started: "2026-03-06 10:00:00", finished: "2026-03-06 11:00:00"},
		{id: 10, pipeline: 1, repo: 1, person: 1, branch: "main", status: "success", started: "2026-02-20 10:00:00", finished: "2026-02-20 10:10:00"},
		{id: 11, pipeline: 1, repo: 1, person: 1, branch: "main", status: "failure", started: "2026-02-10 10:00:00", finished: "2026-02-10 10:10:00", reason: "test failed"},
		{id: 12, pipeline: 1, repo: 1, person: 1, branch: "main", status: "success", started: "2025-12-15 10:00:00", finished: "2025-12-15 10:10:00"},
		{id: 13, pipeline: 1, repo: 1, person: 1, branch: "main", status: "running", started: "2026-03-07 12:00:00"},
		{id: 14, pipeline: 2, repo: 2, person: 2, branch: "main", status: "failure", started: "2026-03-07 22:00:00", finished: "2026-03-07 22:30:00", reason: "health check failed"},
	} {
		switch {
		case i < 7:
			r.event = "push"
		case r.id == 14:
			r.event = "workflow_dispatch"
		}
		s.run(r)
	}
}

func TestPipelineSuccess(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		seedRuns(t, st)
		res := run(t, st, "pipeline-success", Query{})
		// In the range: successes 1, 3, 6, 7, 9; failures 2, 4, 5, 14; 8 cancelled.
		// Flips: ci/main s f s f f s → 4 of 5 pairs; deploy/main s f → 1 of 1.
		checkSummary(t, "all", res.Summary, map[string]float64{
			"runs": 9, "successes": 5, "failures": 4, "cancelled": 1, "success_rate": 5.0 / 9,
			"success_rate_7d": 5.0 / 9, "success_rate_30d": 6.0 / 11, "success_rate_90d": 7.0 / 12,
			"flip_rate": 5.0 / 6, "stability_score": 100 * 5.0 / 9 * (1 - 5.0/6),
		})
		if d := cmp.Diff([]any{2.0, 1.0, 2.0, 2.0, 0.0, 1.0, 1.0}, column(res.Series, "runs")); d != "" {
			t.Errorf("runs (-want +got):\n%s", d)
		}
		if d := cmp.Diff([]any{0.5, 1.0, 0.0, 1.0, nil, 1.0, 0.0}, column(res.Series, "success_rate")); d != "" {
			t.Errorf("success rate (-want +got):\n%s", d)
		}
		// The 30 days up to each day also hold 02-10 (failure) and 02-20 (success).
		if d := cmp.Diff([]any{0.5, 3.0 / 5, 3.0 / 7, 5.0 / 9, 5.0 / 9, 6.0 / 10, 6.0 / 11}, column(res.Series, "rolling_30d_success_rate"), approx); d != "" {
			t.Errorf("rolling (-want +got):\n%s", d)
		}
		var failures []FailureCell
		for _, c := range res.Tables["failures_heatmap"].([]FailureCell) {
			if c.Failures > 0 {
				failures = append(failures, c)
			}
		}
		want := []FailureCell{{Weekday: 1, Hour: 14, Failures: 1, Runs: 1}, {Weekday: 1, Hour: 15, Failures: 1, Runs: 1}, {Weekday: 5, Hour: 22, Failures: 1, Runs: 1}, {Weekday: 6, Hour: 23, Failures: 1, Runs: 1}}
		if d := cmp.Diff(want, failures); d != "" {
			t.Errorf("heatmap (-want +got):\n%s", d)
		}
		if n := len(res.Tables["failures_heatmap"].([]FailureCell)); n != 168 {
			t.Errorf("heatmap cells: %d", n)
		}
		var wd []any
		for _, w := range res.Tables["by_weekday"].([]WeekdayRate) {
			wd = append(wd, w.Weekday, w.Runs, w.SuccessRate)
		}
		if d := cmp.Diff([]any{"Mon", 1.0, 1.0, "Tue", 2.0, 0.0, "Wed", 2.0, 1.0, "Thu", 0.0, nil, "Fri", 1.0, 1.0, "Sat", 1.0, 0.0, "Sun", 2.0, 0.5}, wd); d != "" {
			t.Errorf("by weekday (-want +got):\n%s", d)
		}
	})
}

func TestPipelineSuccessFiltersAndEmpty(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		seedRuns(t, st)
		checkSummary(t, "repo", run(t, st, "pipeline-success", Query{Filter: Filter{Repos: []string{"acme/web"}}}).Summary, map[string]float64{
			"runs": 2, "success_rate": 0.5, "cancelled": 1, "flip_rate": 1, "stability_score": 0,
		})
		checkSummary(t, "person", run(t, st, "pipeline-success", Query{Filter: Filter{People: []string{"bob@acme.dev"}}}).Summary, map[string]float64{
			"runs": 1, "failures": 1, "success_rate": 0, "success_rate_30d": 0,
		})
		week := run(t, st, "pipeline-success", Query{Group: Week})
		// Week of 02-23 holds 03-01 only; its rolling rate is at 03-01, the next one at 03-07.
		if d := cmp.Diff([]any{0.5, 6.0 / 11}, column(week.Series, "rolling_30d_success_rate"), approx); d != "" {
			t.Errorf("weekly rolling (-want +got):\n%s", d)
		}
		empty := run(t, st, "pipeline-success", Query{From: day("2024-01-01"), To: day("2024-01-02")})
		checkSummary(t, "empty", empty.Summary, map[string]float64{"runs": 0, "success_rate": undefined, "stability_score": undefined, "success_rate_90d": undefined, "flip_rate": undefined})
		if d := cmp.Diff([]any{nil, nil}, column(empty.Series, "success_rate")); d != "" {
			t.Errorf("empty series (-want +got):\n%s", d)
		}
	})
}

// seedJobs adds jobs and steps to seedRuns' successful runs, and a failed
// run's jobs, which no duration counts.
func seedJobs(t *testing.T, st *store.Store) {
	s := newSeeder(t, st)
	// R9 took 50 minutes by the platform's count (its instants say 60).
	s.exec(`UPDATE pipeline_runs SET duration_s = 3000 WHERE id = 9`)
	type job struct {
		id, run, parent     int64
		name, stage, status string
		minutes             int64
	}
	for _, j := range []job{
		{1, 1, 0, "build", "build", "success", 4}, {2, 1, 0, "test", "test", "success", 6},
		{3, 1, 2, "Run tests", "test", "success", 5}, {4, 1, 2, "Upload", "test", "success", 1},
		{5, 3, 0, "build", "build", "success", 5}, {6, 3, 0, "test", "test", "success", 15},
		{7, 6, 0, "build", "build", "success", 10}, {8, 6, 0, "test", "test", "success", 30},
		{9, 7, 0, "build", "build", "success", 10}, {10, 7, 0, "test", "test", "success", 20},
		{11, 9, 0, "deploy-production", "deploy", "success", 50},
		{12, 2, 0, "build", "build", "success", 3}, {13, 2, 0, "test", "test", "failure", 25},
		{14, 2, 13, "Run tests", "test", "failure", 25},
		{15, 4, 0, "lint", "lint", "failure", 5}, {16, 5, 0, "lint", "", "failure", 5},
		{17, 14, 0, "deploy-production", "deploy", "failure", 30}, {18, 14, 17, "Roll out", "deploy", "failure", 30},
		{19, 11, 0, "test", "test", "failure", 10},
	} {
		var parent any
		if j.parent != 0 {
			parent = j.parent
		}
		s.exec(`INSERT INTO pipeline_jobs (id, run_id, parent_id, external_id, name, stage, status, duration_s) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			j.id, j.run, parent, fmt.Sprint(j.id), j.name, j.stage, j.status, j.minutes*60)
	}
}

func TestPipelineDuration(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		seedRuns(t, st)
		seedJobs(t, st)
		res := run(t, st, "pipeline-duration", Query{})
		// Successful runs: 1 (10 min), 3 (20), 6 (40), 7 (30), 9 (50, its own duration).
		checkSummary(t, "all", res.Summary, map[string]float64{
			"runs": 5, "duration_mean_minutes": 30, "duration_median_minutes": 30, "duration_p75_minutes": 40,
			"duration_p95_minutes": 48, "duration_p99_minutes": 49.6,
		})
		if d := cmp.Diff([]any{10.0, 20.0, nil, 35.0, nil, 50.0, nil}, column(res.Series, "mean_minutes")); d != "" {
			t.Errorf("mean (-want +got):\n%s", d)
		}
		if d := cmp.Diff([]any{10.0, 20.0, nil, 39.5, nil, 50.0, nil}, column(res.Series, "p95_minutes"), approx); d != "" {
			t.Errorf("p95 (-want +got):\n%s", d)
		}
		if d := cmp.Diff([]any{10.0, 20.0, nil, 39.9, nil, 50.0, nil}, column(res.Series, "p99_minutes"), approx); d != "" {
			t.Errorf("p99 (-want +got):\n%s", d)
		}
		// build 4+5+10+10, test 6+15+30+20, deploy 50 minutes over 5 runs.
		wantStages := []StepDuration{
			{Stage: "test", Runs: 4, Mean: 71.0 / 4, PerRun: 71.0 / 5},
			{Stage: "deploy", Runs: 1, Mean: 50, PerRun: 10},
			{Stage: "build", Runs: 4, Mean: 29.0 / 4, PerRun: 29.0 / 5},
		}
		if d := cmp.Diff(wantStages, res.Tables["by_stage"], approx); d != "" {
			t.Errorf("by stage (-want +got):\n%s", d)
		}
		wantSteps := []StepDuration{{Stage: "test", Step: "Run tests", Runs: 1, Mean: 5, PerRun: 1}, {Stage: "test", Step: "Upload", Runs: 1, Mean: 1, PerRun: 0.2}}
		if d := cmp.Diff(wantSteps, res.Tables["by_step"], approx); d != "" {
			t.Errorf("by step (-want +got):\n%s", d)
		}
		ss := res.Tables["stage_series"].([]Point)
		if d := cmp.Diff(Point{"bucket": "2026-03-04", "build": 10.0, "test": 25.0, "deploy": 0.0}, ss[3]); d != "" {
			t.Errorf("stage series 03-04 (-want +got):\n%s", d)
		}
		if d := cmp.Diff(Point{"bucket": "2026-03-03", "build": nil, "test": nil, "deploy": nil}, ss[2]); d != "" {
			t.Errorf("stage series 03-03 (-want +got):\n%s", d)
		}
		wantSlow := []PipelineDuration{
			{Repo: "acme/web", Pipeline: "deploy", URL: "https://example.test/pipelines/2", Runs: 1, Mean: 50, P50: 50, P95: 50, Max: 50},
			{Repo: "acme/api", Pipeline: "ci", URL: "https://example.test/pipelines/1", Runs: 4, Mean: 25, P50: 25, P95: 38.5, Max: 40},
		}
		if d := cmp.Diff(wantSlow, res.Tables["slowest"], approx); d != "" {
			t.Errorf("slowest (-want +got):\n%s", d)
		}
		wantBoxes := []BoxPlot{
			{Name: "All pipelines", Runs: 5, Min: 10, Q1: 20, Median: 30, Q3: 40, Max: 50},
			{Name: "acme/api · ci", Runs: 4, Min: 10, Q1: 17.5, Median: 25, Q3: 32.5, Max: 40},
			{Name: "acme/web · deploy", Runs: 1, Min: 50, Q1: 50, Median: 50, Q3: 50, Max: 50},
		}
		if d := cmp.Diff(wantBoxes, res.Tables["box_plot"], approx); d != "" {
			t.Errorf("box plots (-want +got):\n%s", d)
		}
		checkSummary(t, "repo", run(t, st, "pipeline-duration", Query{Filter: Filter{Repos: []string{"acme/web"}}}).Summary, map[string]float64{"runs": 1, "duration_mean_minutes": 50})
	})
}

// Durations come from UTC instants: a run across midnight counts on the
// day it started, and one across the night clocks go forward in Europe
// (2026-03-29 01:00 UTC) takes its real two hours, not the wall clock's three.
func TestPipelineDurationMidnightAndDST(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newSeeder(t, st)
		seedPeople(s)
		s.pipeline(1, 1, "ci")
		s.run(runRow{id: 1, pipeline: 1, repo: 1, branch: "main", status: "success", started: "2026-03-29 00:30:00", finished: "2026-03-29 02:30:00"})
		s.run(runRow{id: 2, pipeline: 1, repo: 1, branch: "main", status: "success", started: "2026-03-29 23:30:00", finished: "2026-03-30 00:15:00"})
		res := run(t, st, "pipeline-duration", Query{From: day("2026-03-29"), To: day("2026-03-30")})
		checkSummary(t, "dst", res.Summary, map[string]float64{"runs": 2, "duration_mean_minutes": 82.5, "duration_p99_minutes": 120 - 0.01*75})
		if d := cmp.Diff([]any{2.0, 0.0}, column(res.Series, "runs")); d != "" {
			t.Errorf("runs (-want +got):\n%s", d)
		}
		empty := run(t, st, "pipeline-duration", Query{From: day("2026-01-01"), To: day("2026-01-01")})
		checkSummary(t, "empty", empty.Summary, map[string]float64{"runs": 0, "duration_p99_minutes": undefined, "duration_mean_minutes": undefined})
		if len(empty.Tables["slowest"].([]PipelineDuration)) != 0 || empty.Tables["box_plot"].([]BoxPlot)[0].Runs != 0 {
			t.Errorf("empty tables: %v", empty.Tables)
		}
	})
}

func TestBoxPlotOutliers(t *testing.T) {
	got := boxPlotOf("x", []float64{1, 2, 3, 4, 100})
	want := BoxPlot{Name: "x", Runs: 5, Min: 1, Q1: 2, Median: 3, Q3: 4, Max: 4, Outliers: 1}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}
