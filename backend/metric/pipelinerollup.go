package metric

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/momentum-app/momentum/backend/rollup"
	"github.com/momentum-app/momentum/backend/store"
)

// The "pipeline" rollup family (tables and triggers: store schema v9, v12,
// v15, v17) holds the pipeline metrics' figures per UTC day of a run's
// start, by repository and by set of people: set 0 is everyone, a set > 0
// the members of a team when the set was built (rollup_pipeline_sets and
// _set_members; its team_id) or one person who starts many runs (team_id =
// −person). A 90-day range of the large demo data is 128k runs and 262k
// jobs, 2k hours, 7k pipeline-days and 29k job-days for everyone, and about
// half as many for the largest team; for every person apart they would
// barely compress (124k job rows: most people start a run or two a day), so
// only the busiest get a set, on their first request (it costs each refresh
// a little). A filter that matches no complete set reads the runs: several
// teams, a team and a person, a team whose members changed (until its new
// set is built in the background). The hourly counts and flips have no
// repository: a repository filter reads the runs for them (a repository's
// runs are few; flips pair the filtered runs). The failure episodes (store
// v12) are few and kept with their person: every filter reads them.
const pipelineFamily = "pipeline"

func init() {
	rollup.Register(rollup.Family{Name: pipelineFamily, Rebuild: rebuildPipeline})
}

// pipelineRollup reports whether p is read from the rollup tables (after
// bringing them up to date), and from which set of people's rows.
func (q *querier) pipelineRollup(ctx context.Context, p Period) (set int64, rolled bool, err error) {
	if q.raw {
		return 0, false, nil
	}
	if p.Filter.personIDs != nil {
		if set, err = q.pipelineSet(ctx, p); err != nil || set == 0 {
			return 0, false, err
		}
	}
	if err := q.fresh(ctx, pipelineFamily); err != nil {
		return 0, false, err
	}
	return set, true, nil
}

// pipelineSet is the complete set whose members are exactly the people of
// p's filter, or 0. When the filter is one team, or one person who starts
// many runs, and no set has its people, one is built in the background.
func (q *querier) pipelineSet(ctx context.Context, p Period) (int64, error) {
	people := slices.Clone(p.Filter.personIDs)
	slices.Sort(people)
	people = slices.Compact(people)
	if len(people) == 0 {
		return 0, nil
	}
	var b strings.Builder
	inList(&b, "m.person_id", people)
	var set int64
	err := q.db.QueryRowContext(ctx, `SELECT m.set_id FROM rollup_pipeline_set_members m JOIN rollup_pipeline_sets s ON s.id = m.set_id
		WHERE s.complete = 1`+b.String()+` GROUP BY m.set_id
		HAVING COUNT(*) = $1 AND (SELECT COUNT(*) FROM rollup_pipeline_set_members x WHERE x.set_id = m.set_id) = $1
		ORDER BY m.set_id DESC LIMIT 1`, len(people)).Scan(&set)
	if err == sql.ErrNoRows {
		switch {
		case len(p.Filter.teamIDs) == 1:
			buildPipelineSet(q.db, q.postgres, p.Filter.teamIDs[0])
		case len(p.Filter.teamIDs) == 0 && len(people) == 1:
			// One person's runs are read from their index; only someone
			// who starts many gets a set (it costs every refresh a little).
			var runs int
			if err := q.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM pipeline_runs WHERE person_id = $1 AND started_at >= $2 AND started_at < $3`,
				people[0], p.Start(), p.End()).Scan(&runs); err != nil {
				return 0, fmt.Errorf("unable to count a person's pipeline runs: %w", err)
			}
			if runs >= personSetRuns {
				buildPipelineSet(q.db, q.postgres, -people[0])
			}
		}
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("unable to find the pipeline figures of a team: %w", err)
	}
	return set, nil
}

// setScope is the WHERE clause of rollup rows of the set and days [from,
// to) (unix seconds, day-aligned) in the repository filter.
func (p Period) setScope(set, from, to int64) (string, []any) {
	where, args := p.dayScope(from, to)
	return "set_id = " + strconv.FormatInt(set, 10) + " AND " + where, args
}

// dayScope is the WHERE clause of rollup rows of days [from, to) (unix
// seconds, day-aligned) in the repository filter.
func (p Period) dayScope(from, to int64) (string, []any) {
	return "day >= $1 AND day < $2" + p.repoIn("repo_id"), []any{from / 86400, to / 86400}
}

// pipelineTables are the family's tables kept per set, and the fills that
// put the rows of one set ($3; 0 for everyone) started in [$1, $2) in them.
var pipelineTables = []string{"rollup_pipeline_hours", "rollup_pipeline_events", "rollup_pipeline_flips", "rollup_pipeline_durations", "rollup_pipeline_jobs", "rollup_pipeline_reasons",
	"rollup_pipeline_repo_hours", "rollup_pipeline_repo_flips"}

func pipelineFills(postgres bool, members []int64) []string {
	concat, fence := `group_concat(secs, ',')`, ""
	if postgres {
		concat, fence = `string_agg(secs::text, ',')`, "OFFSET 0"
	}
	// in keeps the runs of the set's members (nil: everyone's), inlined: a
	// subquery would let PostgreSQL join the previous runs below to it
	// (every earlier run of the branch, sorted) instead of walking back the
	// branch's index to the first that matches.
	in := func(alias string) string {
		var b strings.Builder
		inList(&b, alias+".person_id", members)
		return b.String()
	}
	// The previous completed run of the set on a branch, packed into one
	// scalar (started_at × 2 + 1 when it failed) for a single index seek.
	// (fence keeps PostgreSQL from inlining it into each of its three uses,
	// and running it three times per run.)
	prev := `(SELECT b.started_at * 2 + CASE WHEN b.status = 'failure' THEN 1 ELSE 0 END FROM pipeline_runs b
			WHERE b.pipeline_id = r.pipeline_id AND b.branch = r.branch AND b.status IN ('success', 'failure')
			AND b.started_at <= r.started_at AND (b.started_at < r.started_at OR b.id < r.id)` + in("b") + `
			ORDER BY b.started_at DESC, b.id DESC LIMIT 1)`
	runs := `r.started_at >= $1 AND r.started_at < $2` + in("r")
	// The same, before the run in its repository (store v18).
	prevInRepo := strings.Replace(prev, `WHERE b.pipeline_id = r.pipeline_id`, `WHERE b.repo_id = r.repo_id AND b.pipeline_id = r.pipeline_id`, 1)
	set := `CAST($3 AS BIGINT)`
	return []string{
		`INSERT INTO rollup_pipeline_hours (set_id, day, hour, success, failure, cancelled)
		SELECT ` + set + `, r.started_at / 86400, (r.started_at % 86400) / 3600,
			SUM(CASE WHEN r.status = 'success' THEN 1 ELSE 0 END), SUM(CASE WHEN r.status = 'failure' THEN 1 ELSE 0 END),
			SUM(CASE WHEN r.status = 'cancelled' THEN 1 ELSE 0 END)
		FROM pipeline_runs r WHERE ` + runs + ` AND r.status IN ('success', 'failure', 'cancelled')
		GROUP BY 2, 3`,
		`INSERT INTO rollup_pipeline_events (set_id, day, repo_id, event, success, failure)
		SELECT ` + set + `, r.started_at / 86400, r.repo_id, r.event,
			SUM(CASE WHEN r.status = 'success' THEN 1 ELSE 0 END), SUM(CASE WHEN r.status = 'failure' THEN 1 ELSE 0 END)
		FROM pipeline_runs r WHERE ` + runs + ` AND r.status IN ('success', 'failure')
		GROUP BY 2, 3, 4`,
		`INSERT INTO rollup_pipeline_flips (set_id, day, prev_day, pairs, flips)
		SELECT ` + set + `, day, prev / 2 / 86400, COUNT(*), SUM(CASE WHEN prev % 2 <> failed THEN 1 ELSE 0 END) FROM (
			SELECT r.started_at / 86400 AS day, CASE WHEN r.status = 'failure' THEN 1 ELSE 0 END AS failed, ` + prev + ` AS prev
			FROM pipeline_runs r WHERE ` + runs + ` AND r.status IN ('success', 'failure') ` + fence + `) t
		WHERE prev IS NOT NULL GROUP BY 2, 3`,
		`INSERT INTO rollup_pipeline_durations (set_id, day, pipeline_id, repo_id, secs)
		SELECT ` + set + `, day, pipeline_id, repo_id, ` + concat + ` FROM (
			SELECT r.started_at / 86400 AS day, r.pipeline_id, r.repo_id, ` + runDuration + ` AS secs
			FROM pipeline_runs r WHERE ` + runs + ` AND r.status = 'success' AND ` + runDuration + ` IS NOT NULL) t
		GROUP BY 2, 3, 4`,
		`INSERT INTO rollup_pipeline_jobs (set_id, day, pipeline_id, repo_id, run_status, run_timed, top, stage, name, done, failed, last_failed_at, timed, secs)
		SELECT ` + set + `, r.started_at / 86400, r.pipeline_id, r.repo_id,
			CASE WHEN r.status IN ('success', 'failure') THEN r.status ELSE 'other' END,
			CASE WHEN r.status = 'success' AND ` + runDuration + ` IS NOT NULL THEN 1 ELSE 0 END,
			CASE WHEN j.parent_id IS NULL THEN 1 ELSE 0 END, CASE WHEN j.stage = '' THEN j.name ELSE j.stage END, j.name,
			SUM(CASE WHEN j.status IN ('success', 'failure') THEN 1 ELSE 0 END), SUM(CASE WHEN j.status = 'failure' THEN 1 ELSE 0 END),
			MAX(CASE WHEN j.status = 'failure' THEN r.started_at END),
			SUM(CASE WHEN ` + jobDuration + ` IS NOT NULL THEN 1 ELSE 0 END), COALESCE(SUM(` + jobDuration + `), 0)
		FROM pipeline_runs r CROSS JOIN pipeline_jobs j
		WHERE j.run_id = r.id AND ` + runs + `
		GROUP BY 2, 3, 4, 5, 6, 7, 8, 9`,
		`INSERT INTO rollup_pipeline_repo_hours (set_id, day, repo_id, hour, success, failure, cancelled)
		SELECT ` + set + `, r.started_at / 86400, r.repo_id, (r.started_at % 86400) / 3600,
			SUM(CASE WHEN r.status = 'success' THEN 1 ELSE 0 END), SUM(CASE WHEN r.status = 'failure' THEN 1 ELSE 0 END),
			SUM(CASE WHEN r.status = 'cancelled' THEN 1 ELSE 0 END)
		FROM pipeline_runs r WHERE ` + runs + ` AND r.repo_id IS NOT NULL AND r.status IN ('success', 'failure', 'cancelled')
		GROUP BY 2, 3, 4`,
		`INSERT INTO rollup_pipeline_repo_flips (set_id, day, repo_id, prev_day, pairs, flips)
		SELECT ` + set + `, day, repo_id, prev / 2 / 86400, COUNT(*), SUM(CASE WHEN prev % 2 <> failed THEN 1 ELSE 0 END) FROM (
			SELECT r.started_at / 86400 AS day, r.repo_id, CASE WHEN r.status = 'failure' THEN 1 ELSE 0 END AS failed, ` + prevInRepo + ` AS prev
			FROM pipeline_runs r WHERE ` + runs + ` AND r.repo_id IS NOT NULL AND r.status IN ('success', 'failure') ` + fence + `) t
		WHERE prev IS NOT NULL GROUP BY 2, 3, 4`,
		`INSERT INTO rollup_pipeline_reasons (set_id, day, repo_id, reason, failures)
		SELECT ` + set + `, r.started_at / 86400, r.repo_id, r.failure_reason, COUNT(*) FROM pipeline_runs r
		WHERE ` + runs + ` AND r.status = 'failure' GROUP BY 2, 3, 4`,
	}
}

// rebuildPipeline replaces the family's rows of the days, span by span, for
// everyone and every set (one being built too: its builder may have passed
// these days already).
func rebuildPipeline(ctx context.Context, tx *sql.Tx, postgres bool, days []int64) error {
	// On PostgreSQL the sets' rows lock them against a builder's
	// transaction on the same days (SQLite runs one writer at a time).
	lock := `SELECT id FROM rollup_pipeline_sets ORDER BY id`
	if postgres {
		lock += ` FOR UPDATE`
	}
	sets := []int64{0}
	if err := eachRow(ctx, tx, lock, nil, func(rows *sql.Rows) error {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		sets = append(sets, id)
		return nil
	}); err != nil {
		return fmt.Errorf("pipeline rollup: unable to list the sets: %w", err)
	}
	for _, s := range rollup.Spans(days) {
		if _, err := tx.ExecContext(ctx, `DELETE FROM rollup_pipeline_episodes WHERE day >= $1 AND day <= $2`, s.First, s.Last); err != nil {
			return fmt.Errorf("pipeline rollup of days %d-%d: %w", s.First, s.Last, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO rollup_pipeline_episodes (day, repo_id, person_id, failed_at, fixed_at)
			SELECT r.started_at / 86400, r.repo_id, r.person_id, `+episodeStarts+` AND r.started_at >= $1 AND r.started_at < $2`, s.Start(), s.End()); err != nil {
			return fmt.Errorf("pipeline rollup of days %d-%d: %w", s.First, s.Last, err)
		}
		for _, set := range sets {
			if err := fillPipelineSet(ctx, tx, postgres, set, s.First, s.Last); err != nil {
				return err
			}
		}
	}
	return nil
}

// fillPipelineSet replaces the rows of one set of days first..last.
func fillPipelineSet(ctx context.Context, tx *sql.Tx, postgres bool, set, first, last int64) error {
	for _, t := range pipelineTables {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+t+` WHERE set_id = $1 AND day >= $2 AND day <= $3`, set, first, last); err != nil {
			return fmt.Errorf("pipeline rollup of set %d, days %d-%d: %w", set, first, last, err)
		}
	}
	var members []int64
	if set > 0 {
		members = []int64{}
		if err := eachRow(ctx, tx, `SELECT person_id FROM rollup_pipeline_set_members WHERE set_id = $1 ORDER BY person_id`, []any{set}, func(rows *sql.Rows) error {
			var id int64
			err := rows.Scan(&id)
			members = append(members, id)
			return err
		}); err != nil {
			return fmt.Errorf("pipeline rollup of set %d: %w", set, err)
		}
	}
	for _, f := range pipelineFills(postgres, members) {
		if _, err := tx.ExecContext(ctx, f, first*86400, (last+1)*86400, set); err != nil {
			return fmt.Errorf("pipeline rollup of set %d, days %d-%d: %w", set, first, last, err)
		}
	}
	// The narrower views of the job rows (store v17), from the day rows:
	// the stages of the days, and every block of seven days they touch.
	weekFirst, weekLast := first/7, last/7
	for _, x := range []struct {
		query    string
		from, to int64
	}{
		{`DELETE FROM rollup_pipeline_stages WHERE set_id = $1 AND day >= $2 AND day <= $3`, first, last},
		{`INSERT INTO rollup_pipeline_stages (set_id, day, top, stage, name, timed, secs)
		SELECT set_id, day, top, stage, name, SUM(timed), SUM(secs) FROM rollup_pipeline_jobs
		WHERE set_id = $1 AND day >= $2 AND day <= $3 AND run_status = 'success' AND run_timed = 1 AND timed > 0
		GROUP BY set_id, day, top, stage, name`, first, last},
		{`DELETE FROM rollup_pipeline_job_weeks WHERE set_id = $1 AND week >= $2 AND week <= $3`, weekFirst, weekLast},
		{`INSERT INTO rollup_pipeline_job_weeks (set_id, week, repo_id, completed, top, pipeline_id, stage, name, done, failed, last_failed_at)
		SELECT set_id, day / 7, repo_id, CASE WHEN run_status = 'other' THEN 0 ELSE 1 END, top, pipeline_id, stage, name,
			SUM(done), SUM(failed), MAX(last_failed_at)
		FROM rollup_pipeline_jobs WHERE set_id = $1 AND day >= $2 AND day <= $3 AND done > 0
		GROUP BY set_id, day / 7, repo_id, CASE WHEN run_status = 'other' THEN 0 ELSE 1 END, top, pipeline_id, stage, name`, weekFirst * 7, weekLast*7 + 6},
	} {
		if _, err := tx.ExecContext(ctx, x.query, set, x.from, x.to); err != nil {
			return fmt.Errorf("pipeline rollup of set %d, days %d-%d: %w", set, first, last, err)
		}
	}
	return nil
}

// pipelineSetBuilds tracks the sets being built in this process, one per
// database and team at a time (key setBuild; value: the zero time while it
// builds, when it failed after), and pipelineSetWait all of them for tests.
var (
	pipelineSetBuilds sync.Map
	pipelineSetWait   sync.WaitGroup
)

type setBuild struct {
	db   *sql.DB
	team int64
}

// setBuildDays is how many days a builder's transaction fills: short
// enough that collection's writes and refreshes wait little for it on SQLite.
const setBuildDays = 63 // whole blocks of seven days (rollup_pipeline_job_weeks)

// personSetRuns is how many runs a person starts in a period for their
// filter to build them a set of their own (a team's is always built).
var personSetRuns = 1000

// buildPipelineSet starts building, in the background, the set of a team's
// current members (team > 0) or of one person (team = −person), unless this
// process is building one already. Until it is complete the team's or
// person's figures are read from the runs.
func buildPipelineSet(db *sql.DB, postgres bool, team int64) {
	key := setBuild{db, team}
	if v, busy := pipelineSetBuilds.LoadOrStore(key, time.Time{}); busy {
		// Building, or failed a moment ago: not once per request.
		if failed := v.(time.Time); failed.IsZero() || time.Since(failed) < time.Minute ||
			!pipelineSetBuilds.CompareAndSwap(key, failed, time.Time{}) {
			return
		}
	}
	pipelineSetWait.Add(1)
	go func() {
		defer pipelineSetWait.Done()
		if err := buildSet(context.Background(), db, postgres, team); err != nil {
			slog.Warn("metric: unable to build the pipeline figures of a team; its pipeline metrics read the runs", "team", team, "err", err)
			pipelineSetBuilds.Store(key, time.Now())
			return
		}
		pipelineSetBuilds.Delete(key)
	}()
}

// buildSet builds the set of the team's current members (or of the person,
// team = −person): it records them (the set is incomplete), fills the rows
// of every day with runs a few weeks per transaction, then marks the set
// complete and drops the team's other sets, and those of teams and people
// that no longer exist. A refresh meanwhile rebuilds the set's dirty days too.
func buildSet(ctx context.Context, db *sql.DB, postgres bool, team int64) error {
	members := `SELECT t.person_id FROM team_members t WHERE t.team_id = $1`
	if team < 0 {
		members = `SELECT t.id AS person_id FROM people t WHERE -t.id = $1`
	}
	var set int64
	err := store.InTx(ctx, db, func(tx *sql.Tx) error {
		var done int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM rollup_pipeline_sets s WHERE s.team_id = $1 AND s.complete = 1
			AND (SELECT COUNT(*) FROM rollup_pipeline_set_members m WHERE m.set_id = s.id) = (SELECT COUNT(*) FROM (`+members+`) t)
			AND NOT EXISTS (SELECT 1 FROM (`+members+`) t
				WHERE NOT EXISTS (SELECT 1 FROM rollup_pipeline_set_members m WHERE m.set_id = s.id AND m.person_id = t.person_id))`,
			team).Scan(&done); err != nil || done > 0 {
			return err // built meanwhile (by another process)
		}
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM rollup_pipeline_sets`).Scan(&set); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO rollup_pipeline_sets (id, team_id, complete) VALUES ($1, $2, 0)`, set, team); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO rollup_pipeline_set_members (set_id, person_id)
			SELECT DISTINCT CAST($2 AS BIGINT), t.person_id FROM (`+members+`) t`, team, set)
		return err
	})
	if err != nil || set == 0 {
		return err
	}
	var first, last sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT MIN(started_at) / 86400, MAX(started_at) / 86400 FROM pipeline_runs`).Scan(&first, &last); err != nil {
		return err
	}
	lock := `SELECT COUNT(*) FROM rollup_pipeline_sets WHERE id = $1`
	if postgres {
		lock = `SELECT COUNT(*) FROM (SELECT id FROM rollup_pipeline_sets WHERE id = $1 FOR UPDATE) s`
	}
	for from := first.Int64 / 7 * 7; first.Valid && from <= last.Int64; from += setBuildDays {
		err := store.InTx(ctx, db, func(tx *sql.Tx) error {
			var n int
			if err := tx.QueryRowContext(ctx, lock, set).Scan(&n); err != nil || n == 0 {
				return errors.Join(err, errSetGone)
			}
			return fillPipelineSet(ctx, tx, postgres, set, from, min(from+setBuildDays-1, last.Int64))
		})
		if err != nil {
			return err
		}
	}
	return store.InTx(ctx, db, func(tx *sql.Tx) error {
		// The team's sets and those of deleted teams, locked in the order
		// a refresh locks them.
		sets := `SELECT id FROM rollup_pipeline_sets WHERE team_id = $1
			OR (team_id > 0 AND team_id NOT IN (SELECT id FROM teams)) OR (team_id < 0 AND -team_id NOT IN (SELECT id FROM people)) ORDER BY id`
		if postgres {
			sets += ` FOR UPDATE`
		}
		var old []int64
		if err := eachRow(ctx, tx, sets, []any{team}, func(rows *sql.Rows) error {
			var id int64
			err := rows.Scan(&id)
			if id != set {
				old = append(old, id)
			}
			return err
		}); err != nil {
			return err
		}
		for _, id := range old {
			for _, t := range append(slices.Clone(pipelineTables), "rollup_pipeline_stages", "rollup_pipeline_job_weeks", "rollup_pipeline_set_members") {
				if _, err := tx.ExecContext(ctx, `DELETE FROM `+t+` WHERE set_id = $1`, id); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM rollup_pipeline_sets WHERE id = $1`, id); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE rollup_pipeline_sets SET complete = 1 WHERE id = $1`, set)
		return err
	})
}

var errSetGone = errors.New("the set was dropped while it was built (a newer one replaced it)")

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
