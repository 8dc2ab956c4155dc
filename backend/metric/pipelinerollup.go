package metric

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/momentum-app/momentum/backend/rollup"
)

// The "pipeline" rollup family (tables and triggers: store schema v9) holds
// the pipeline metrics' figures per UTC day of a run's start, by repository
// but not by person: a 90-day range of the large demo data is 128k runs and
// 262k jobs, 2k hours, 7k pipeline-days and 27k job-days. A person or team
// filter keeps the raw queries (its rows would barely compress: most people
// start a run or two a day), as do the hourly counts and flips under a
// repository filter (a repository's runs are few; flips pair the filtered
// runs). The failure episodes (store v12) are few and kept with their
// person: every filter reads them.
const pipelineFamily = "pipeline"

func init() {
	rollup.Register(rollup.Family{Name: pipelineFamily, Rebuild: rebuildPipeline})
}

// pipelineRollup reports whether p is read from the rollup tables, after
// bringing them up to date.
func (q *querier) pipelineRollup(ctx context.Context, p Period) (bool, error) {
	if q.raw || p.Filter.personIDs != nil {
		return false, nil
	}
	if err := q.fresh(ctx, pipelineFamily); err != nil {
		return false, err
	}
	return true, nil
}

// dayScope is the WHERE clause of rollup rows of days [from, to) (unix
// seconds, day-aligned) in the repository filter.
func (p Period) dayScope(from, to int64) (string, []any) {
	return "day >= $1 AND day < $2" + p.repoIn("repo_id"), []any{from / 86400, to / 86400}
}

// rebuildPipeline replaces the family's rows of the days, span by span.
func rebuildPipeline(ctx context.Context, tx *sql.Tx, postgres bool, days []int64) error {
	concat := `group_concat(secs, ',')`
	if postgres {
		concat = `string_agg(secs::text, ',')`
	}
	// The previous completed run of a pipeline on a branch, packed into one
	// scalar (started_at × 2 + 1 when it failed) for a single index seek.
	const prev = `(SELECT b.started_at * 2 + CASE WHEN b.status = 'failure' THEN 1 ELSE 0 END FROM pipeline_runs b
			WHERE b.pipeline_id = r.pipeline_id AND b.branch = r.branch AND b.status IN ('success', 'failure')
			AND b.started_at <= r.started_at AND (b.started_at < r.started_at OR b.id < r.id)
			ORDER BY b.started_at DESC, b.id DESC LIMIT 1)`
	tables := []string{"rollup_pipeline_hours", "rollup_pipeline_events", "rollup_pipeline_flips", "rollup_pipeline_durations", "rollup_pipeline_jobs", "rollup_pipeline_reasons", "rollup_pipeline_episodes"}
	// Each fills one table from the rows started in [$1, $2).
	fills := []string{
		`INSERT INTO rollup_pipeline_hours (day, hour, success, failure, cancelled)
		SELECT r.started_at / 86400, (r.started_at % 86400) / 3600,
			SUM(CASE WHEN r.status = 'success' THEN 1 ELSE 0 END), SUM(CASE WHEN r.status = 'failure' THEN 1 ELSE 0 END),
			SUM(CASE WHEN r.status = 'cancelled' THEN 1 ELSE 0 END)
		FROM pipeline_runs r WHERE r.started_at >= $1 AND r.started_at < $2 AND r.status IN ('success', 'failure', 'cancelled')
		GROUP BY 1, 2`,
		`INSERT INTO rollup_pipeline_events (day, repo_id, event, success, failure)
		SELECT r.started_at / 86400, r.repo_id, r.event,
			SUM(CASE WHEN r.status = 'success' THEN 1 ELSE 0 END), SUM(CASE WHEN r.status = 'failure' THEN 1 ELSE 0 END)
		FROM pipeline_runs r WHERE r.started_at >= $1 AND r.started_at < $2 AND r.status IN ('success', 'failure')
		GROUP BY 1, 2, 3`,
		`INSERT INTO rollup_pipeline_flips (day, prev_day, pairs, flips)
		SELECT day, prev / 2 / 86400, COUNT(*), SUM(CASE WHEN prev % 2 <> failed THEN 1 ELSE 0 END) FROM (
			SELECT r.started_at / 86400 AS day, CASE WHEN r.status = 'failure' THEN 1 ELSE 0 END AS failed, ` + prev + ` AS prev
			FROM pipeline_runs r WHERE r.started_at >= $1 AND r.started_at < $2 AND r.status IN ('success', 'failure')) t
		WHERE prev IS NOT NULL GROUP BY 1, 2`,
		`INSERT INTO rollup_pipeline_durations (day, pipeline_id, repo_id, secs)
		SELECT day, pipeline_id, repo_id, ` + concat + ` FROM (
			SELECT r.started_at / 86400 AS day, r.pipeline_id, r.repo_id, ` + runDuration + ` AS secs
			FROM pipeline_runs r WHERE r.started_at >= $1 AND r.started_at < $2 AND r.status = 'success' AND ` + runDuration + ` IS NOT NULL) t
		GROUP BY 1, 2, 3`,
		`INSERT INTO rollup_pipeline_jobs (day, pipeline_id, repo_id, run_status, run_timed, top, stage, name, done, failed, last_failed_at, timed, secs)
		SELECT r.started_at / 86400, r.pipeline_id, r.repo_id,
			CASE WHEN r.status IN ('success', 'failure') THEN r.status ELSE 'other' END,
			CASE WHEN r.status = 'success' AND ` + runDuration + ` IS NOT NULL THEN 1 ELSE 0 END,
			CASE WHEN j.parent_id IS NULL THEN 1 ELSE 0 END, CASE WHEN j.stage = '' THEN j.name ELSE j.stage END, j.name,
			SUM(CASE WHEN j.status IN ('success', 'failure') THEN 1 ELSE 0 END), SUM(CASE WHEN j.status = 'failure' THEN 1 ELSE 0 END),
			MAX(CASE WHEN j.status = 'failure' THEN r.started_at END),
			SUM(CASE WHEN ` + jobDuration + ` IS NOT NULL THEN 1 ELSE 0 END), COALESCE(SUM(` + jobDuration + `), 0)
		FROM pipeline_runs r CROSS JOIN pipeline_jobs j
		WHERE j.run_id = r.id AND r.started_at >= $1 AND r.started_at < $2
		GROUP BY 1, 2, 3, 4, 5, 6, 7, 8`,
		`INSERT INTO rollup_pipeline_episodes (day, repo_id, person_id, failed_at, fixed_at)
		SELECT r.started_at / 86400, r.repo_id, r.person_id, ` + episodeStarts + ` AND r.started_at >= $1 AND r.started_at < $2`,
		`INSERT INTO rollup_pipeline_reasons (day, repo_id, reason, failures)
		SELECT r.started_at / 86400, r.repo_id, r.failure_reason, COUNT(*) FROM pipeline_runs r
		WHERE r.started_at >= $1 AND r.started_at < $2 AND r.status = 'failure' GROUP BY 1, 2, 3`,
	}
	for _, s := range rollup.Spans(days) {
		for _, t := range tables {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+t+` WHERE day >= $1 AND day <= $2`, s.First, s.Last); err != nil {
				return fmt.Errorf("pipeline rollup of days %d-%d: %w", s.First, s.Last, err)
			}
		}
		for _, f := range fills {
			if _, err := tx.ExecContext(ctx, f, s.Start(), s.End()); err != nil {
				return fmt.Errorf("pipeline rollup of days %d-%d: %w", s.First, s.Last, err)
			}
		}
	}
	return nil
}

// jobDuration is the duration of job j in seconds, as SQL.
const jobDuration = `COALESCE(j.duration_s, j.finished_at - j.started_at)`

// parseSecs calls fn with each value of a packed list of seconds
// ("12,-3,4500"). It is on the path of every unfiltered duration request
// (100k values for 90 days), hence no strings.Split and strconv.
func parseSecs(packed string, fn func(int64)) error {
	var v int64
	neg, digits := false, 0
	for i := 0; i <= len(packed); i++ {
		if i == len(packed) || packed[i] == ',' {
			if digits == 0 {
				return fmt.Errorf("a packed duration list %q has an empty value", packed)
			}
			if neg {
				v = -v
			}
			fn(v)
			v, neg, digits = 0, false, 0
			continue
		}
		c := packed[i]
		switch {
		case c >= '0' && c <= '9':
			v = v*10 + int64(c-'0')
			digits++
		case c == '-' && digits == 0 && !neg:
			neg = true
		default:
			return fmt.Errorf("a packed duration list %q has %q", packed, c)
		}
	}
	return nil
}
