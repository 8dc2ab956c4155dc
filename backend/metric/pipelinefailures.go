package metric

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"
	"time"

	"golang.org/x/sync/errgroup"
)

// StageFailures is the failure rate of the jobs of one stage, or of one step.
type StageFailures struct {
	Stage       string  `json:"stage"`
	Step        string  `json:"step,omitempty"`
	Jobs        float64 `json:"jobs"`
	Failures    float64 `json:"failures"`
	FailureRate float64 `json:"failure_rate"`
}

// FailureReason is one of the most frequent failure reasons.
type FailureReason struct {
	Reason string  `json:"reason"`
	Count  float64 `json:"count"`
	Share  float64 `json:"share"` // of the failed runs
}

// FailingJob is one of the jobs that fail most often.
type FailingJob struct {
	Repo        string  `json:"repo"`
	Pipeline    string  `json:"pipeline"`
	Job         string  `json:"job"`
	Runs        float64 `json:"runs"`
	Failures    float64 `json:"failures"`
	FailureRate float64 `json:"failure_rate"`
	LastFailure string  `json:"last_failure"` // RFC 3339
	LastRunURL  string  `json:"last_run_url"`
}

// EventFailures is the failure rate of the runs one kind of event started.
type EventFailures struct {
	Event       string  `json:"event"`
	Runs        float64 `json:"runs"`
	Failures    float64 `json:"failures"`
	FailureRate float64 `json:"failure_rate"`
}

const noReason = "(no reason recorded)"

func pipelineFailures(ctx context.Context, q *querier, p Period) (*Values, error) {
	where, args := p.runScope(p.Start(), p.End())
	runs, fails := map[int]float64{}, map[int]float64{}
	events := map[string]*EventFailures{}
	add := func(d int, event string, ok, failed float64) {
		if event == "" {
			event = "other"
		}
		e := events[event]
		if e == nil {
			e = &EventFailures{Event: event}
			events[event] = e
		}
		runs[d] += ok + failed
		e.Runs += ok + failed
		if failed > 0 {
			fails[d] += failed
			e.Failures += failed
		}
	}
	set, rolled, err := q.pipelineRollup(ctx, p)
	if err != nil {
		return nil, err
	}
	// The run counts, the jobs, the reasons and the recoveries are read at
	// once (each query on a connection of its own).
	var byStage, bySteps []StageFailures
	var jobs []FailingJob
	var reasons []FailureReason
	var recoveries []float64
	var unrecovered float64
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		var err error
		if rolled {
			dwhere, dargs := p.setScope(set, p.Start(), p.End())
			// Summed by add: SQLite's sorter for a GROUP BY took longer.
			query := `SELECT day - $1, event, SUM(success), SUM(failure) FROM rollup_pipeline_events WHERE ` + dwhere + ` GROUP BY 1, 2`
			if !q.postgres {
				query = `SELECT day - $1, event, success, failure FROM rollup_pipeline_events WHERE ` + dwhere
			}
			err = q.each(gctx, query, dargs,
				func(rows *sql.Rows) error {
					var d int
					var event string
					var ok, failed float64
					if err := rows.Scan(&d, &event, &ok, &failed); err != nil {
						return err
					}
					add(d, event, ok, failed)
					return nil
				})
		} else {
			err = q.each(gctx, `SELECT (r.started_at - $1) / 86400, r.event, r.status, COUNT(*) FROM pipeline_runs r
				WHERE `+where+` AND r.status IN ('success', 'failure') GROUP BY 1, 2, 3`, args,
				func(rows *sql.Rows) error {
					var d int
					var event, status string
					var n float64
					if err := rows.Scan(&d, &event, &status, &n); err != nil {
						return err
					}
					if status == "failure" {
						add(d, event, 0, n)
					} else {
						add(d, event, n, 0)
					}
					return nil
				})
		}
		if err != nil {
			return fmt.Errorf("unable to count failed runs: %w", err)
		}
		return nil
	})
	g.Go(func() error {
		var jobFails map[jobKey]*jobFailureCount
		var err error
		if byStage, bySteps, jobFails, err = q.jobFailures(gctx, p, set, rolled); err != nil {
			return err
		}
		jobs, err = q.failingJobs(gctx, jobFails)
		return err
	})
	g.Go(func() error {
		var err error
		reasons, err = q.failureReasons(gctx, p, set, rolled)
		return err
	})
	g.Go(func() error {
		var err error
		recoveries, unrecovered, err = q.recoveries(gctx, p)
		return err
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	nRuns, nFails := sum(runs), sum(fails)
	for i := range reasons {
		reasons[i].Share = ratio(reasons[i].Count, nFails)
	}

	s := map[string]float64{
		"runs":         nRuns,
		"failures":     nFails,
		"failure_rate": rate(nFails, nRuns),
		"recoveries":   float64(len(recoveries)),
		"unrecovered":  unrecovered,
	}
	putDistribution(s, "mttr", "hours", recoveries)
	b := newBuckets(p)
	series := b.series([]string{"runs", "failures"}, runs, fails)
	for _, pt := range series {
		n := pt["runs"].(float64)
		pt["failure_rate"] = orNil(ratio(pt["failures"].(float64), n), n > 0)
	}
	byEvent := make([]EventFailures, 0, len(events))
	for _, e := range events {
		e.FailureRate = ratio(e.Failures, e.Runs)
		byEvent = append(byEvent, *e)
	}
	sort.Slice(byEvent, func(i, j int) bool {
		if byEvent[i].Runs != byEvent[j].Runs {
			return byEvent[i].Runs > byEvent[j].Runs
		}
		return byEvent[i].Event < byEvent[j].Event
	})
	return &Values{
		Summary: s,
		Series:  series,
		Columns: []string{"bucket", "runs", "failures", "failure_rate"},
		Tables: map[string]any{
			"by_stage":     byStage,
			"by_step":      bySteps,
			"top_reasons":  reasons,
			"failing_jobs": jobs,
			"by_event":     byEvent,
			"mttr":         histogram(recoveries, cycleTimeBounds),
		},
	}, nil
}

// jobKey is a job by pipeline and name.
type jobKey struct {
	pipeline int64
	job      string
}

// jobFailureCount is a job's completed runs and failures, and when it last
// failed.
type jobFailureCount struct {
	FailingJob
	lastAt int64
}

// jobFailures reads the completed jobs of the runs in the period in one
// pass (the jobs of a 90-day range are hundreds of thousands of rows): the
// failure rate by stage and of the steps of the completed runs (steps that
// never failed are left out, the rest ordered by failures), and the failures
// of each top-level job of any run, for failingJobs. rolled reads the
// counts of the set's rollup rows instead.
func (q *querier) jobFailures(ctx context.Context, p Period, set int64, rolled bool) (stages, steps []StageFailures, jobs map[jobKey]*jobFailureCount, err error) {
	where, args := p.runScope(p.Start(), p.End())
	// CROSS JOIN keeps SQLite on the runs of the range first (PostgreSQL
	// plans it as the inner join it is): its statistics cannot tell that
	// "parent_id IS NULL" holds for most jobs, and it would otherwise walk
	// every top-level job ever run.
	query := `SELECT CASE WHEN r.status IN ('success', 'failure') THEN 1 ELSE 0 END, CASE WHEN j.parent_id IS NULL THEN 1 ELSE 0 END,
			r.pipeline_id, CASE WHEN j.stage = '' THEN j.name ELSE j.stage END, j.name,
			COUNT(*), SUM(CASE WHEN j.status = 'failure' THEN 1 ELSE 0 END), MAX(CASE WHEN j.status = 'failure' THEN r.started_at END)
		FROM pipeline_runs r CROSS JOIN pipeline_jobs j
		WHERE j.run_id = r.id AND ` + where + ` AND j.status IN ('success', 'failure')
		GROUP BY 1, 2, 3, 4, 5`
	if rolled {
		// The range's whole blocks of seven days, then its days outside
		// them; summed below, by key: cheaper than SQLite's sorter.
		first, end := p.Start()/86400, p.End()/86400
		weekFrom, weekTo := (first+6)/7, end/7 // blocks [weekFrom, weekTo)
		set := "set_id = " + strconv.FormatInt(set, 10)
		days := func(from, to int64) string {
			return ` UNION ALL SELECT CASE WHEN run_status = 'other' THEN 0 ELSE 1 END, top, pipeline_id, stage, name, done, failed, last_failed_at
			FROM rollup_pipeline_jobs WHERE ` + set + ` AND day >= ` + strconv.FormatInt(from, 10) + ` AND day < ` + strconv.FormatInt(to, 10) +
				p.repoIn("repo_id") + ` AND done > 0`
		}
		query = `SELECT completed, top, pipeline_id, stage, name, done, failed, last_failed_at
			FROM rollup_pipeline_job_weeks WHERE ` + set + ` AND week >= $1 AND week < $2` + p.repoIn("repo_id")
		if weekFrom < weekTo {
			query += days(first, weekFrom*7) + days(weekTo*7, end)
		} else {
			query += days(first, end)
		}
		args = []any{weekFrom, weekTo}
	}
	type stageKey struct {
		top         bool
		stage, step string
	}
	byStage := map[stageKey]*StageFailures{}
	var stageOrder []stageKey
	jobs = map[jobKey]*jobFailureCount{}
	err = q.each(ctx, query, args, func(rows *sql.Rows) error {
		var completed, top int
		var pipeline int64
		var stage, name string
		var n, failures float64
		var last sql.NullInt64
		if err := rows.Scan(&completed, &top, &pipeline, &stage, &name, &n, &failures, &last); err != nil {
			return err
		}
		if completed == 1 {
			k := stageKey{top: top == 1, stage: stage}
			if top == 0 {
				k.step = name
			}
			x := byStage[k]
			if x == nil {
				x = &StageFailures{Stage: k.stage, Step: k.step}
				byStage[k] = x
				stageOrder = append(stageOrder, k)
			}
			x.Jobs += n
			x.Failures += failures
		}
		if top == 1 {
			k := jobKey{pipeline, name}
			a := jobs[k]
			if a == nil {
				a = &jobFailureCount{}
				a.Job = name
				jobs[k] = a
			}
			a.Runs += n
			a.Failures += failures
			if last.Valid && last.Int64 > a.lastAt {
				a.lastAt = last.Int64
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("unable to count failures by stage and job: %w", err)
	}
	stages, steps = []StageFailures{}, []StageFailures{}
	for _, k := range stageOrder {
		x := *byStage[k]
		x.FailureRate = ratio(x.Failures, x.Jobs)
		if k.top {
			stages = append(stages, x)
		} else if x.Failures > 0 {
			steps = append(steps, x)
		}
	}
	order := func(xs []StageFailures) {
		sort.Slice(xs, func(i, j int) bool {
			if xs[i].Failures != xs[j].Failures {
				return xs[i].Failures > xs[j].Failures
			}
			return xs[i].Stage+"\x00"+xs[i].Step < xs[j].Stage+"\x00"+xs[j].Step
		})
	}
	order(stages)
	order(steps)
	if len(steps) > 10 {
		steps = steps[:10]
	}
	return stages, steps, jobs, nil
}

// failureReasons are the ten most frequent reasons of the failed runs
// (their share of the failed runs left to the caller).
func (q *querier) failureReasons(ctx context.Context, p Period, set int64, rolled bool) ([]FailureReason, error) {
	where, args := p.runScope(p.Start(), p.End())
	query := `SELECT r.failure_reason, COUNT(*) FROM pipeline_runs r
		WHERE ` + where + ` AND r.status = 'failure' GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10`
	if rolled {
		where, args = p.setScope(set, p.Start(), p.End())
		query = `SELECT reason, SUM(failures) FROM rollup_pipeline_reasons WHERE ` + where + ` GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10`
		if !q.postgres {
			return q.topReasons(ctx, `SELECT reason, failures FROM rollup_pipeline_reasons WHERE `+where, args)
		}
	}
	out := []FailureReason{}
	err := q.each(ctx, query, args,
		func(rows *sql.Rows) error {
			var x FailureReason
			if err := rows.Scan(&x.Reason, &x.Count); err != nil {
				return err
			}
			if x.Reason == "" {
				x.Reason = noReason
			}
			out = append(out, x)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("unable to count failure reasons: %w", err)
	}
	return out, nil
}

// topReasons sums the failures of the rows (reason, failures) of query by
// reason and keeps the ten most frequent, the reasons of equal counts in
// byte order, as SQLite's GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10 does; its
// sorter took longer than the sums (6.6k rows for 90 days of the large demo).
func (q *querier) topReasons(ctx context.Context, query string, args []any) ([]FailureReason, error) {
	counts := map[string]float64{}
	err := q.each(ctx, query, args, func(rows *sql.Rows) error {
		var reason string
		var n float64
		if err := rows.Scan(&reason, &n); err != nil {
			return err
		}
		counts[reason] += n
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("unable to count failure reasons: %w", err)
	}
	out := make([]FailureReason, 0, len(counts))
	for reason, n := range counts {
		out = append(out, FailureReason{Reason: reason, Count: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Reason < out[j].Reason
	})
	out = out[:min(10, len(out))]
	for i := range out {
		if out[i].Reason == "" {
			out[i].Reason = noReason
		}
	}
	return out, nil
}

// failingJobs are the ten jobs (by pipeline and name) with the most
// failures in the period, from jobFailures' counts.
func (q *querier) failingJobs(ctx context.Context, counts map[jobKey]*jobFailureCount) ([]FailingJob, error) {
	accs := map[jobKey]*jobFailureCount{}
	for k, a := range counts {
		if a.Failures > 0 {
			a.FailureRate = ratio(a.Failures, a.Runs)
			accs[k] = a
		}
	}
	list := make([]jobKey, 0, len(accs))
	for k := range accs {
		list = append(list, k)
	}
	sort.Slice(list, func(i, j int) bool {
		a, b := accs[list[i]], accs[list[j]]
		if a.Failures != b.Failures {
			return a.Failures > b.Failures
		}
		if a.lastAt != b.lastAt {
			return a.lastAt > b.lastAt
		}
		if list[i].pipeline != list[j].pipeline {
			return list[i].pipeline < list[j].pipeline
		}
		return list[i].job < list[j].job
	})
	list = list[:min(10, len(list))]
	if err := q.namePipelines(ctx, func(id int64, name, repo, url string) {
		for _, k := range list {
			if k.pipeline == id {
				accs[k].Pipeline, accs[k].Repo = name, repo
			}
		}
	}); err != nil {
		return nil, err
	}
	out := make([]FailingJob, 0, len(list))
	for _, k := range list {
		a := accs[k]
		a.LastFailure = time.Unix(a.lastAt, 0).UTC().Format(time.RFC3339)
		// The latest failed run of the job, to open at its source.
		err := q.db.QueryRowContext(ctx, `SELECT r.url FROM pipeline_runs r JOIN pipeline_jobs j ON j.run_id = r.id
			WHERE r.pipeline_id = $1 AND r.started_at = $2 AND j.name = $3 AND j.parent_id IS NULL AND j.status = 'failure'
			ORDER BY r.id DESC LIMIT 1`, k.pipeline, a.lastAt, k.job).Scan(&a.LastRunURL)
		if err != nil && err != sql.ErrNoRows {
			return nil, fmt.Errorf("unable to find a failed run: %w", err)
		}
		out = append(out, a.FailingJob)
	}
	return out, nil
}

// episodeStarts are the columns and conditions that pick, among pipeline
// runs r, the first failed run of each failure episode (the completed run
// before it on its branch, if any, succeeded) with when it finished and when
// the next successful run on the branch finished (NULL: not yet). Both
// neighbours are found by seeking pipeline_runs_branch_idx (pipeline,
// branch, started_at, id): the bound on started_at alone is what lets the
// engines seek instead of scanning the branch's history. The rollup's
// rebuild selects the same.
const episodeStarts = `COALESCE(r.finished_at, r.started_at),
		(SELECT COALESCE(n.finished_at, n.started_at) FROM pipeline_runs n
			WHERE n.pipeline_id = r.pipeline_id AND n.branch = r.branch AND n.status = 'success'
			AND n.started_at >= r.started_at AND (n.started_at > r.started_at OR n.id > r.id)
			ORDER BY n.started_at, n.id LIMIT 1)
	FROM pipeline_runs r
	WHERE r.status = 'failure' AND COALESCE((SELECT b.status FROM pipeline_runs b
			WHERE b.pipeline_id = r.pipeline_id AND b.branch = r.branch AND b.status IN ('success', 'failure')
			AND b.started_at <= r.started_at AND (b.started_at < r.started_at OR b.id < r.id)
			ORDER BY b.started_at DESC, b.id DESC LIMIT 1), 'success') = 'success'`

// recoveries measures the time to recover of each failure episode that
// began in the period: from the first failed run of a pipeline on a branch
// (the run before it, if any, succeeded) finishing to the next successful
// run of it on that branch finishing, in hours. Episodes still failing are
// counted as unrecovered. The episodes rollup holds them with the
// repository and person of their first run, which is what the filters
// apply to, so it serves every filter.
func (q *querier) recoveries(ctx context.Context, p Period) (hours []float64, unrecovered float64, err error) {
	where, args := p.runScope(p.Start(), p.End())
	query := `SELECT ` + episodeStarts + ` AND ` + where
	if !q.raw {
		if err := q.fresh(ctx, pipelineFamily); err != nil {
			return nil, 0, err
		}
		where, args = p.dayScope(p.Start(), p.End())
		query = `SELECT failed_at, fixed_at FROM rollup_pipeline_episodes WHERE ` + where + p.personIn("person_id")
	}
	err = q.each(ctx, query, args, func(rows *sql.Rows) error {
		var failed int64
		var fixed sql.NullInt64
		if err := rows.Scan(&failed, &fixed); err != nil {
			return err
		}
		if !fixed.Valid {
			unrecovered++
			return nil
		}
		hours = append(hours, hoursBetween(failed, fixed.Int64))
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("unable to measure recoveries: %w", err)
	}
	return hours, unrecovered, nil
}
