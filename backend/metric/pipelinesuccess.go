package metric

import (
	"context"
	"database/sql"
	"fmt"
)

// A pipeline run counts on the instant it started. Completed runs are the
// ones that succeeded or failed; cancelled, skipped and running ones are in
// no rate. Hours and weekdays are UTC.

// runScope is the WHERE clause of pipeline runs r started in [from, to) with
// the repository and person (who triggered the run) filters.
func (p Period) runScope(from, to int64) (string, []any) {
	return "r.started_at >= $1 AND r.started_at < $2" + p.repoIn("r.repo_id") + p.personIn("r.person_id"), []any{from, to}
}

// FailureCell is one cell of the hour × weekday failures heatmap.
type FailureCell struct {
	Weekday  int     `json:"weekday"` // 0 Monday … 6 Sunday
	Hour     int     `json:"hour"`    // 0–23 UTC
	Failures float64 `json:"failures"`
	Runs     float64 `json:"runs"`
}

// WeekdayRate is the success rate of one weekday.
type WeekdayRate struct {
	Weekday     string  `json:"weekday"`
	Runs        float64 `json:"runs"`
	Successes   float64 `json:"successes"`
	Failures    float64 `json:"failures"`
	SuccessRate any     `json:"success_rate"` // null without runs
}

// WindowRate is the success rate of the last days of the range.
type WindowRate struct {
	Window      string  `json:"window"`
	Runs        float64 `json:"runs"`
	SuccessRate any     `json:"success_rate"`
}

func pipelineSuccess(ctx context.Context, q *querier, p Period) (*Values, error) {
	const day = 86400
	// Hourly counts from 90 days before the end (the 90-day rate) or 29 days
	// before the start (the rolling rate of the first day), whichever is earlier.
	from := min(p.Start()-29*day, p.End()-90*day)
	nHours := int((p.End() - from) / 3600)
	succ, fail := make([]float64, nHours), make([]float64, nHours)
	var cancelled float64
	add := func(h int, ok, failed, other float64) {
		if h < 0 || h >= nHours {
			return
		}
		succ[h] += ok
		fail[h] += failed
		if int64(h)*3600+from >= p.Start() {
			cancelled += other
		}
	}
	// The rollup's hours are those of all repositories or of one (several
	// read the runs: see flips).
	set, rolled, err := int64(0), false, error(nil)
	if len(p.Filter.repoIDs) <= 1 {
		if set, rolled, err = q.pipelineRollup(ctx, p); err != nil {
			return nil, err
		}
	}
	if rolled {
		hours := `SELECT (day - $1) * 24 + hour, success, failure, cancelled FROM rollup_pipeline_hours
			WHERE set_id = $3 AND day >= $1 AND day < $2`
		if p.Filter.repoIDs != nil {
			hours = `SELECT (day - $1) * 24 + hour, success, failure, cancelled FROM rollup_pipeline_repo_hours
				WHERE set_id = $3` + p.repoIn("repo_id") + ` AND day >= $1 AND day < $2`
		}
		err = q.each(ctx, hours, []any{from / 86400, p.End() / 86400, set}, func(rows *sql.Rows) error {
			var h int
			var ok, failed, other float64
			if err := rows.Scan(&h, &ok, &failed, &other); err != nil {
				return err
			}
			add(h, ok, failed, other)
			return nil
		})
	} else {
		where, args := p.runScope(from, p.End())
		err = q.each(ctx, `SELECT (r.started_at - $1) / 3600, r.status, COUNT(*) FROM pipeline_runs r
			WHERE `+where+` AND r.status IN ('success', 'failure', 'cancelled') GROUP BY 1, 2`, args,
			func(rows *sql.Rows) error {
				var h int
				var status string
				var n float64
				if err := rows.Scan(&h, &status, &n); err != nil {
					return err
				}
				switch status {
				case "success":
					add(h, n, 0, 0)
				case "failure":
					add(h, 0, n, 0)
				default:
					add(h, 0, 0, n)
				}
				return nil
			})
	}
	if err != nil {
		return nil, fmt.Errorf("unable to count pipeline runs: %w", err)
	}

	// Per day of the loaded span; day index 0 is `from`.
	nDays := nHours / 24
	dSucc, dFail := make([]float64, nDays), make([]float64, nDays)
	var heat [7][24]FailureCell
	var wd [7]WeekdayRate
	first := int((p.Start() - from) / day) // the range's first day in the span
	for h := range nHours {
		d := h / 24
		dSucc[d] += succ[h]
		dFail[d] += fail[h]
		if d < first {
			continue
		}
		unixDay := (from + int64(h)*3600) / day
		w := int((unixDay + 3) % 7) // 1970-01-01 was a Thursday
		c := &heat[w][h%24]
		c.Failures += fail[h]
		c.Runs += succ[h] + fail[h]
		wd[w].Successes += succ[h]
		wd[w].Failures += fail[h]
	}
	window := func(days int) (runs, ok float64) {
		for d := max(0, nDays-days); d < nDays; d++ {
			runs += dSucc[d] + dFail[d]
			ok += dSucc[d]
		}
		return runs, ok
	}

	b := newBuckets(p)
	inRange := map[int]float64{}
	okRange := map[int]float64{}
	failRange := map[int]float64{}
	for d := first; d < nDays; d++ {
		okRange[d-first] = dSucc[d]
		failRange[d-first] = dFail[d]
		inRange[d-first] = dSucc[d] + dFail[d]
	}
	series := b.series([]string{"runs", "successes", "failures"}, inRange, okRange, failRange)
	// The rolling rate at each bucket's last day: the 30 days up to it.
	lastDay := make([]int, len(b.starts))
	for d, bi := range b.ofDay {
		lastDay[bi] = d
	}
	for i, pt := range series {
		runs := pt["runs"].(float64)
		pt["success_rate"] = orNil(ratio(pt["successes"].(float64), runs), runs > 0)
		var rr, ro float64
		end := first + lastDay[i]
		for d := end - 29; d <= end; d++ {
			rr += dSucc[d] + dFail[d]
			ro += dSucc[d]
		}
		pt["rolling_30d_success_rate"] = orNil(ratio(ro, rr), rr > 0)
	}

	flips, pairs, err := q.flips(ctx, p, set, rolled)
	if err != nil {
		return nil, err
	}
	runs, ok := sum(inRange), sum(okRange)
	// Without two runs in a row on a branch nothing flipped.
	successRate := rate(ok, runs)
	s := map[string]float64{
		"runs":            runs,
		"successes":       ok,
		"failures":        sum(failRange),
		"cancelled":       cancelled,
		"success_rate":    successRate,
		"flip_rate":       rate(flips, pairs),
		"stability_score": 100 * successRate * (1 - ratio(flips, pairs)),
	}
	var windows []WindowRate
	for _, w := range []int{7, 30, 90} {
		r, o := window(w)
		s[fmt.Sprintf("success_rate_%dd", w)] = rate(o, r)
		windows = append(windows, WindowRate{Window: fmt.Sprintf("%dd", w), Runs: r, SuccessRate: orNil(ratio(o, r), r > 0)})
	}
	cells := make([]FailureCell, 0, 7*24)
	for w := range 7 {
		wd[w].Weekday = weekdayNames[w]
		wd[w].Runs = wd[w].Successes + wd[w].Failures
		wd[w].SuccessRate = orNil(ratio(wd[w].Successes, wd[w].Runs), wd[w].Runs > 0)
		for h := range 24 {
			heat[w][h].Weekday, heat[w][h].Hour = w, h
			cells = append(cells, heat[w][h])
		}
	}
	return &Values{
		Summary: s,
		Series:  series,
		Columns: []string{"bucket", "runs", "successes", "failures", "success_rate", "rolling_30d_success_rate"},
		Tables: map[string]any{
			"failures_heatmap": cells,
			"by_weekday":       wd[:],
			"windows":          windows,
		},
	}, nil
}

// flips counts consecutive completed runs of the same pipeline on the same
// branch, in the period, whose outcome differs from the run before: flips,
// and the pairs looked at. rolled reads the pairs from the rollup rows of
// the set (everyone, or the people of the filter: a filter changes which
// run comes before which), of all repositories or of the one of the filter
// (the run before in that repository); runs of several repositories of a
// filter may be each other's run before, so that filter reads the runs.
func (q *querier) flips(ctx context.Context, p Period, set int64, rolled bool) (flips, pairs float64, err error) {
	if rolled {
		table := "rollup_pipeline_flips"
		if p.Filter.repoIDs != nil {
			table = "rollup_pipeline_repo_flips"
		}
		err = q.db.QueryRowContext(ctx, `SELECT COALESCE(SUM(flips), 0), COALESCE(SUM(pairs), 0) FROM `+table+`
			WHERE set_id = $3`+p.repoIn("repo_id")+` AND day >= $1 AND day < $2 AND prev_day >= $1`, p.Start()/86400, p.End()/86400, set).Scan(&flips, &pairs)
		if err != nil {
			return 0, 0, fmt.Errorf("unable to count flips between success and failure: %w", err)
		}
		return flips, pairs, nil
	}
	where, args := p.runScope(p.Start(), p.End())
	err = q.db.QueryRowContext(ctx, `SELECT COALESCE(SUM(CASE WHEN prev <> status THEN 1 ELSE 0 END), 0), COUNT(prev) FROM (
			SELECT r.status, LAG(r.status) OVER (PARTITION BY r.pipeline_id, r.branch ORDER BY r.started_at, r.id) AS prev
			FROM pipeline_runs r WHERE `+where+` AND r.status IN ('success', 'failure')) t`, args...).Scan(&flips, &pairs)
	if err != nil {
		return 0, 0, fmt.Errorf("unable to count flips between success and failure: %w", err)
	}
	return flips, pairs, nil
}
