package metric

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"golang.org/x/sync/errgroup"
)

// Durations are those of successful runs (a failed run stops early), from
// the run's own duration or, when the platform gave none, finished −
// started; both are instants in UTC seconds, so a run across midnight or a
// daylight-saving change takes the time it really took. In minutes.

// runDuration is the duration of run r in seconds, as SQL.
const runDuration = `COALESCE(r.duration_s, r.finished_at - r.started_at)`

// BoxPlot is a duration distribution as a box plot: whiskers at the most
// extreme values within 1.5 × IQR of the box, outliers beyond.
type BoxPlot struct {
	Name     string  `json:"name"`
	Runs     int     `json:"runs"`
	Min      float64 `json:"min"` // lower whisker
	Q1       float64 `json:"q1"`
	Median   float64 `json:"median"`
	Q3       float64 `json:"q3"`
	Max      float64 `json:"max"` // upper whisker
	Outliers int     `json:"outliers"`
}

func boxPlotOf(name string, sorted []float64) BoxPlot {
	b := BoxPlot{Name: name, Runs: len(sorted)}
	if len(sorted) == 0 {
		return b
	}
	b.Q1, b.Median, b.Q3 = percentile(sorted, 0.25), percentile(sorted, 0.5), percentile(sorted, 0.75)
	lo, hi := b.Q1-1.5*(b.Q3-b.Q1), b.Q3+1.5*(b.Q3-b.Q1)
	b.Min, b.Max = b.Median, b.Median
	first := true
	for _, v := range sorted {
		if v < lo || v > hi {
			b.Outliers++
			continue
		}
		if first {
			b.Min, first = v, false
		}
		b.Max = v
	}
	return b
}

// PipelineDuration is a row of the slowest pipelines.
type PipelineDuration struct {
	Repo     string  `json:"repo"`
	Pipeline string  `json:"pipeline"`
	URL      string  `json:"url"`
	Runs     int     `json:"runs"`
	Mean     float64 `json:"mean_minutes"`
	P50      float64 `json:"p50_minutes"`
	P95      float64 `json:"p95_minutes"`
	Max      float64 `json:"max_minutes"`
}

// StepDuration is the mean duration of a stage or step.
type StepDuration struct {
	Stage string  `json:"stage"`
	Step  string  `json:"step,omitempty"`
	Runs  float64 `json:"runs"`
	Mean  float64 `json:"mean_minutes"`
	// PerRun is the minutes the stage adds to the average successful run.
	PerRun float64 `json:"per_run_minutes"`
}

func pipelineDuration(ctx context.Context, q *querier, p Period) (*Values, error) {
	where, args := p.runScope(p.Start(), p.End())
	type pipe struct {
		name, repo, url string
		minutes         []float64
	}
	pipes := map[int64]*pipe{}
	b := newBuckets(p)
	perBucket := make([][]float64, len(b.starts))
	// The runs are read in any order, each as a packed integer (its seconds
	// in the high half, its source, a day and pipeline, in the low one),
	// sorted once, then dealt to their bucket and pipeline in order: every
	// list comes out sorted.
	type source struct {
		bucket int // -1: outside the period's days
		pp     *pipe
	}
	var sources []source
	sourceOf := map[[2]int64]uint64{}
	sourceFor := func(d int, id int64) uint64 {
		k := [2]int64{int64(d), id}
		i, ok := sourceOf[k]
		if !ok {
			i = uint64(len(sources))
			sourceOf[k] = i
			src := source{bucket: -1, pp: pipes[id]}
			if d >= 0 && d < len(b.ofDay) {
				src.bucket = b.ofDay[d]
			}
			if src.pp == nil {
				src.pp = &pipe{}
				pipes[id] = src.pp
			}
			sources = append(sources, src)
		}
		return i
	}
	var keys []uint64
	var tooLong int64
	add := func(src uint64, secs int64) {
		secs = max(secs, 0)
		if secs >= 1<<32 {
			tooLong = secs
		}
		keys = append(keys, uint64(secs)<<32|src)
	}
	set, rolled, err := q.pipelineRollup(ctx, p)
	if err != nil {
		return nil, err
	}
	// The stages are summed meanwhile, on a connection of their own.
	var sums *stageSums
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		var err error
		sums, err = q.stageDurations(gctx, p, set, rolled)
		return err
	})
	if rolled {
		dwhere, dargs := p.setScope(set, p.Start(), p.End())
		err = q.each(ctx, `SELECT day - $1, pipeline_id, secs FROM rollup_pipeline_durations WHERE `+dwhere, dargs,
			func(rows *sql.Rows) error {
				var d int
				var id int64
				var packed string
				if err := rows.Scan(&d, &id, &packed); err != nil {
					return err
				}
				src := sourceFor(d, id)
				keys = slices.Grow(keys, strings.Count(packed, ",")+1)
				return parseSecs(packed, func(secs int64) { add(src, secs) })
			})
	} else {
		err = q.each(ctx, `SELECT (r.started_at - $1) / 86400, r.pipeline_id, `+runDuration+` FROM pipeline_runs r
			WHERE `+where+` AND r.status = 'success' AND `+runDuration+` IS NOT NULL`, args,
			func(rows *sql.Rows) error {
				var d int
				var id, secs int64
				if err := rows.Scan(&d, &id, &secs); err != nil {
					return err
				}
				add(sourceFor(d, id), secs)
				return nil
			})
	}
	if err != nil {
		g.Wait()
		return nil, fmt.Errorf("unable to read pipeline durations: %w", err)
	}
	if tooLong > 0 || len(sources) > 1<<32 {
		g.Wait()
		return nil, fmt.Errorf("unable to sort pipeline durations: a run took %d seconds", tooLong)
	}
	keys = sortBySeconds(keys)
	all := make([]float64, len(keys))
	for i, k := range keys {
		m := float64(k>>32) / 60
		all[i] = m
		src := sources[k&(1<<32-1)]
		if src.bucket >= 0 {
			perBucket[src.bucket] = append(perBucket[src.bucket], m)
		}
		src.pp.minutes = append(src.pp.minutes, m)
	}
	if err := q.namePipelines(ctx, func(id int64, name, repo, url string) {
		if pp := pipes[id]; pp != nil {
			pp.name, pp.repo, pp.url = name, repo, url
		}
	}); err != nil {
		return nil, err
	}

	if err := g.Wait(); err != nil {
		return nil, err
	}
	stages, steps := sums.lists(float64(len(all)))
	stageByDay := sums.byDay

	s := map[string]float64{"runs": float64(len(all))}
	d := distributionOf(all)
	p99 := percentile(all, 0.99)
	if len(all) == 0 {
		d, p99 = distribution{math.NaN(), math.NaN(), math.NaN(), math.NaN()}, math.NaN()
	}
	s["duration_mean_minutes"], s["duration_median_minutes"], s["duration_p75_minutes"], s["duration_p95_minutes"] = d.mean, d.p50, d.p75, d.p95
	s["duration_p99_minutes"] = p99

	series := make([]Point, len(b.starts))
	stageNames := make([]string, 0, len(stages))
	for _, st := range stages {
		stageNames = append(stageNames, st.Stage)
	}
	for i, start := range b.starts {
		v := perBucket[i]
		pt := Point{"bucket": start.Format(dateLayout), "runs": float64(len(v))}
		if len(v) == 0 {
			pt["mean_minutes"], pt["p50_minutes"], pt["p95_minutes"], pt["p99_minutes"] = nil, nil, nil, nil
		} else {
			bd := distributionOf(v)
			pt["mean_minutes"], pt["p50_minutes"], pt["p95_minutes"], pt["p99_minutes"] = bd.mean, bd.p50, bd.p95, percentile(v, 0.99)
		}
		series[i] = pt
	}
	// Minutes per successful run in each stage, per bucket (the stacked
	// bars), from whole seconds: the sums are exact in any order.
	stageSum := make([]map[string]float64, len(b.starts))
	for i := range stageSum {
		stageSum[i] = map[string]float64{}
	}
	for _, x := range stageByDay {
		if x.day >= 0 && x.day < len(b.ofDay) {
			stageSum[b.ofDay[x.day]][x.stage] += x.secs
		}
	}
	stageSeries := make([]Point, len(b.starts))
	for i, start := range b.starts {
		pt := Point{"bucket": start.Format(dateLayout)}
		runs := float64(len(perBucket[i]))
		for _, name := range stageNames {
			pt[name] = orNil(ratio(stageSum[i][name]/60, runs), runs > 0)
		}
		stageSeries[i] = pt
	}

	var slowest []PipelineDuration
	var boxes []BoxPlot
	type ranked struct {
		id int64
		pp *pipe
	}
	var list []ranked
	for id, pp := range pipes {
		list = append(list, ranked{id, pp})
	}
	sort.Slice(list, func(i, j int) bool {
		a, b := percentile(list[i].pp.minutes, 0.5), percentile(list[j].pp.minutes, 0.5)
		if a != b {
			return a > b
		}
		return list[i].id < list[j].id
	})
	for _, r := range list[:min(10, len(list))] {
		pd := distributionOf(r.pp.minutes)
		slowest = append(slowest, PipelineDuration{Repo: r.pp.repo, Pipeline: r.pp.name, URL: r.pp.url, Runs: len(r.pp.minutes),
			Mean: pd.mean, P50: pd.p50, P95: pd.p95, Max: r.pp.minutes[len(r.pp.minutes)-1]})
	}
	// Box plots: all runs, then the busiest pipelines.
	boxes = append(boxes, boxPlotOf("All pipelines", all))
	sort.Slice(list, func(i, j int) bool {
		if len(list[i].pp.minutes) != len(list[j].pp.minutes) {
			return len(list[i].pp.minutes) > len(list[j].pp.minutes)
		}
		return list[i].id < list[j].id
	})
	for _, r := range list[:min(8, len(list))] {
		boxes = append(boxes, boxPlotOf(r.pp.repo+" · "+r.pp.name, r.pp.minutes))
	}
	if slowest == nil {
		slowest = []PipelineDuration{}
	}
	return &Values{
		Summary: s,
		Series:  series,
		Columns: []string{"bucket", "runs", "mean_minutes", "p50_minutes", "p95_minutes", "p99_minutes"},
		Tables: map[string]any{
			"by_stage":     stages,
			"by_step":      steps,
			"stage_series": stageSeries,
			"box_plot":     boxes,
			"slowest":      slowest,
			"stage_names":  stageNames,
		},
	}, nil
}

// sortBySeconds sorts packed durations (seconds << 32 | source) by their
// seconds. Runs take seconds to hours, so a counting sort over the seconds
// (one pass to count, one to place) does it in linear time: a 90-day range
// of the large demo data is 100k runs of at most a few hours. Keys of equal
// seconds may come out in any order, which no figure depends on.
func sortBySeconds(keys []uint64) []uint64 {
	var longest uint64
	for _, k := range keys {
		longest = max(longest, k>>32)
	}
	if longest >= 1<<24 || longest > 16*uint64(len(keys)) {
		slices.Sort(keys) // a run of months, or few runs: comparisons are cheaper
		return keys
	}
	start := make([]int32, longest+2) // start[s+1]: keys with fewer than s+1 seconds, once summed
	for _, k := range keys {
		start[k>>32+1]++
	}
	for i := 1; i < len(start); i++ {
		start[i] += start[i-1]
	}
	out := make([]uint64, len(keys))
	for _, k := range keys {
		out[start[k>>32]] = k
		start[k>>32]++
	}
	return out
}

// namePipelines calls fn with every pipeline's name, repository and URL.
func (q *querier) namePipelines(ctx context.Context, fn func(id int64, name, repo, url string)) error {
	err := q.each(ctx, `SELECT pl.id, pl.name, COALESCE(r.full_name, ''), pl.url FROM pipelines pl LEFT JOIN repositories r ON r.id = pl.repo_id`, nil,
		func(rows *sql.Rows) error {
			var id int64
			var name, repo, url string
			if err := rows.Scan(&id, &name, &repo, &url); err != nil {
				return err
			}
			fn(id, name, repo, url)
			return nil
		})
	if err != nil {
		return fmt.Errorf("unable to name pipelines: %w", err)
	}
	return nil
}

type stageDay struct {
	day   int
	stage string
	secs  float64
}

// stageDurations sums the jobs (stages) and steps of the successful runs in
// the period (runs of them): per stage and per step overall (the slowest
// steps first), and per stage and day. rolled reads the set's rollup rows, which
// are summed here by key (cheaper than SQLite's sorter); seconds are whole,
// so the sums do not depend on the order of the rows.
func (q *querier) stageDurations(ctx context.Context, p Period, set int64, rolled bool) (*stageSums, error) {
	where, args := p.runScope(p.Start(), p.End())
	query := `SELECT (r.started_at - $1) / 86400, CASE WHEN j.parent_id IS NULL THEN 1 ELSE 0 END, CASE WHEN j.stage = '' THEN j.name ELSE j.stage END, j.name,
			COUNT(*), SUM(` + jobDuration + `)
		FROM pipeline_runs r JOIN pipeline_jobs j ON j.run_id = r.id
		WHERE ` + where + ` AND r.status = 'success' AND ` + runDuration + ` IS NOT NULL AND ` + jobDuration + ` IS NOT NULL
		GROUP BY 1, 2, 3, 4`
	if rolled {
		where, args = p.setScope(set, p.Start(), p.End())
		query = `SELECT day - $1, top, stage, name, timed, secs FROM rollup_pipeline_jobs
			WHERE ` + where + ` AND run_status = 'success' AND run_timed = 1 AND timed > 0`
		if p.Filter.repoIDs == nil {
			// The same sums, of all repositories and pipelines.
			query = `SELECT day - $1, top, stage, name, timed, secs FROM rollup_pipeline_stages WHERE ` + where
		}
	}
	stageAcc := map[string]*acc{}
	stepAcc := map[[2]string]*acc{}
	var byDay []stageDay
	type dayKey struct {
		day, top    int
		stage, name string
	}
	perDay := map[dayKey]*acc{}
	err := q.each(ctx, query, args, func(rows *sql.Rows) error {
		var k dayKey
		var n, secs float64
		if err := rows.Scan(&k.day, &k.top, &k.stage, &k.name, &n, &secs); err != nil {
			return err
		}
		a := perDay[k]
		if a == nil {
			a = &acc{}
			perDay[k] = a
		}
		a.n += n
		a.secs += secs
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("unable to sum stage durations: %w", err)
	}
	for k, x := range perDay {
		d, top, stage, name, n, secs := k.day, k.top, k.stage, k.name, x.n, x.secs
		if top == 1 {
			a := stageAcc[stage]
			if a == nil {
				a = &acc{}
				stageAcc[stage] = a
			}
			a.n += n
			a.secs += secs
			byDay = append(byDay, stageDay{d, stage, secs})
			continue
		}
		sk := [2]string{stage, name}
		a := stepAcc[sk]
		if a == nil {
			a = &acc{}
			stepAcc[sk] = a
		}
		a.n += n
		a.secs += secs
	}
	return &stageSums{stageAcc, stepAcc, byDay}, nil
}

// acc sums jobs and their seconds.
type acc struct {
	n, secs float64
}

// stageSums are the jobs and seconds of each stage and step, and of each
// stage by day, of successful runs.
type stageSums struct {
	stages map[string]*acc
	steps  map[[2]string]*acc
	byDay  []stageDay
}

// lists are the stages (by the minutes they add to a run of the runs, most
// first) and the ten slowest steps.
func (x *stageSums) lists(runs float64) (stages, steps []StepDuration) {
	stageAcc, stepAcc := x.stages, x.steps
	stages = []StepDuration{}
	for name, a := range stageAcc {
		stages = append(stages, StepDuration{Stage: name, Runs: a.n, Mean: a.secs / a.n / 60, PerRun: ratio(a.secs/60, runs)})
	}
	sort.Slice(stages, func(i, j int) bool {
		if stages[i].PerRun != stages[j].PerRun {
			return stages[i].PerRun > stages[j].PerRun
		}
		return stages[i].Stage < stages[j].Stage
	})
	steps = []StepDuration{}
	for k, a := range stepAcc {
		steps = append(steps, StepDuration{Stage: k[0], Step: k[1], Runs: a.n, Mean: a.secs / a.n / 60, PerRun: ratio(a.secs/60, runs)})
	}
	sort.Slice(steps, func(i, j int) bool {
		if steps[i].Mean != steps[j].Mean {
			return steps[i].Mean > steps[j].Mean
		}
		return steps[i].Stage+steps[i].Step < steps[j].Stage+steps[j].Step
	})
	if len(steps) > 10 {
		steps = steps[:10]
	}
	return stages, steps
}
