package metric

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/momentum-app/momentum/backend/demo"
	"github.com/momentum-app/momentum/backend/store"
	"github.com/momentum-app/momentum/backend/store/storetest"
)

// The pipeline metrics read from the rollup return exactly what they return
// from the source tables, on the small demo data, for several ranges,
// groupings, filters and compare; and still after further writes (runs and
// jobs inserted, updated, deleted) that only the triggers tell the rollup about.
func TestPipelineRollupEqualsRaw(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 3, 20, 15, 0, 0, 0, time.UTC)
		if _, err := demo.Generate(ctx, st, demo.Options{Scale: demo.Small, Now: now, Seed: 7}); err != nil {
			t.Fatalf("demo: %v", err)
		}
		var repo, person string
		var team int64
		if err := st.DB().QueryRow(`SELECT r.full_name FROM repositories r ORDER BY
			(SELECT COUNT(*) FROM pipeline_runs x WHERE x.repo_id = r.id) DESC, r.id LIMIT 1`).Scan(&repo); err != nil {
			t.Fatal(err)
		}
		if err := st.DB().QueryRow(`SELECT CAST(person_id AS TEXT) FROM pipeline_runs WHERE person_id IS NOT NULL
			GROUP BY person_id ORDER BY COUNT(*) DESC, person_id LIMIT 1`).Scan(&person); err != nil {
			t.Fatal(err)
		}
		if err := st.DB().QueryRow(`SELECT MIN(id) FROM teams`).Scan(&team); err != nil {
			t.Fatal(err)
		}
		// The small demo's people start a few hundred runs at most: every
		// one gets a set of their own here.
		defer func(n int) { personSetRuns = n }(personSetRuns)
		personSetRuns = 1
		comparePipelineRollup(t, st, now, repo, person, fmt.Sprint(team), true)

		// No set of the team's people (or the person) yet: their figures were
		// read from the runs, and the requests started building their sets.
		pipelineSetWait.Wait()
		set := pipelineSetOf(t, st, Filter{Teams: []string{fmt.Sprint(team)}})
		if set == 0 {
			t.Fatal("no complete set of the team's people after a team-filtered request and its build")
		}
		if pipelineSetOf(t, st, Filter{People: []string{person}}) == 0 {
			t.Fatal("no complete set of the person after a person-filtered request and its build")
		}
		comparePipelineRollup(t, st, now, repo, person, fmt.Sprint(team), true)

		// A second batch: a run inserted between two others on a branch
		// (it changes its successor's flip), jobs of it, runs moved to
		// another day and branch, statuses changed, runs and jobs deleted.
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := st.DB().ExecContext(ctx, q, args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		var runID, pipeline int64
		var branch string
		var started int64
		// A successful run whose previous completed run on its branch
		// succeeded days before: a failed run goes the day before it, so
		// the successor now flips, and only the trigger's look-up of the
		// next run marks the successor's day.
		if err := st.DB().QueryRow(`SELECT id, pipeline_id, branch, started_at FROM (
				SELECT r.id, r.pipeline_id, r.branch, r.started_at, (SELECT b.started_at * 2 + CASE WHEN b.status = 'failure' THEN 1 ELSE 0 END
					FROM pipeline_runs b WHERE b.pipeline_id = r.pipeline_id AND b.branch = r.branch AND b.status IN ('success', 'failure')
					AND b.started_at < r.started_at ORDER BY b.started_at DESC LIMIT 1) AS prev
				FROM pipeline_runs r WHERE r.status = 'success' AND r.started_at >= $1) t
			WHERE prev % 2 = 0 AND prev / 2 < started_at - 3 * 86400
			ORDER BY started_at, id LIMIT 1`, now.AddDate(0, 0, -40).Unix()).
			Scan(&runID, &pipeline, &branch, &started); err != nil {
			t.Fatalf("a run with a gap before it: %v", err)
		}
		exec(`INSERT INTO pipeline_runs (pipeline_id, repo_id, external_id, branch, event, status, started_at, finished_at, duration_s, failure_reason)
			SELECT pipeline_id, repo_id, 'rollup-test-1', branch, event, 'failure', started_at - 86400 - 7200, started_at - 86400 - 3600, 3600, 'inserted later'
			FROM pipeline_runs WHERE id = $1`, runID)
		comparePipelineRollup(t, st, now, repo, person, fmt.Sprint(team), false)

		// A success inserted a day into a failure episode that lasted days:
		// the episode's first run (on an earlier day) gets a new fix, and
		// only the trigger's look-up of the episode marks its day.
		var epRun int64
		if err := st.DB().QueryRow(`SELECT id FROM (
				SELECT r.id, r.started_at, (SELECT MIN(n.started_at) FROM pipeline_runs n WHERE n.pipeline_id = r.pipeline_id
					AND n.branch = r.branch AND n.status = 'success' AND n.started_at > r.started_at) AS fixed,
					(SELECT b.status FROM pipeline_runs b WHERE b.pipeline_id = r.pipeline_id AND b.branch = r.branch
					AND b.status IN ('success', 'failure') AND b.started_at < r.started_at ORDER BY b.started_at DESC LIMIT 1) AS prev
				FROM pipeline_runs r WHERE r.status = 'failure' AND r.started_at >= $1) t
			WHERE prev = 'success' AND fixed > started_at + 3 * 86400 ORDER BY started_at, id LIMIT 1`, now.AddDate(0, 0, -80).Unix()).
			Scan(&epRun); err != nil {
			t.Fatalf("a failure episode of days: %v", err)
		}
		exec(`INSERT INTO pipeline_runs (pipeline_id, repo_id, external_id, branch, event, status, started_at, finished_at, duration_s)
			SELECT pipeline_id, repo_id, 'rollup-test-fix', branch, event, 'success', started_at + 86400 + 3600, started_at + 86400 + 4000, 400
			FROM pipeline_runs WHERE id = $1`, epRun)
		comparePipelineRollup(t, st, now, repo, person, fmt.Sprint(team), false)

		exec(`INSERT INTO pipeline_jobs (run_id, external_id, name, stage, status, started_at, finished_at, duration_s)
			SELECT id, 'j1', 'build', 'build', 'failure', started_at, started_at + 600, 600 FROM pipeline_runs WHERE external_id = 'rollup-test-1'`)
		exec(`UPDATE pipeline_runs SET started_at = started_at + 3 * 86400, finished_at = finished_at + 3 * 86400, branch = 'rollup-moved-' || id
			WHERE id IN (SELECT id FROM pipeline_runs WHERE started_at >= $1 ORDER BY id LIMIT 5)`, now.AddDate(0, 0, -40).Unix())
		exec(`UPDATE pipeline_runs SET status = 'failure', failure_reason = 'flaky'
			WHERE id IN (SELECT id FROM pipeline_runs WHERE status = 'success' AND started_at >= $1 ORDER BY id DESC LIMIT 7)`, now.AddDate(0, 0, -60).Unix())
		exec(`UPDATE pipeline_jobs SET status = 'failure', duration_s = 1234
			WHERE id IN (SELECT j.id FROM pipeline_jobs j JOIN pipeline_runs r ON r.id = j.run_id WHERE r.started_at >= $1 ORDER BY j.id LIMIT 9)`, now.AddDate(0, 0, -10).Unix())
		// A run recorded with another repository on a branch of the
		// filter's repository: the runs before and after it in that
		// repository stay a pair for the filter.
		exec(`INSERT INTO pipeline_runs (pipeline_id, repo_id, external_id, branch, event, status, started_at, finished_at, duration_s, failure_reason)
			SELECT r.pipeline_id, (SELECT MIN(x.id) FROM repositories x WHERE x.id <> r.repo_id), 'rollup-test-other-repo', r.branch, r.event, 'failure',
				r.started_at - 60, r.started_at - 30, 30, 'elsewhere'
			FROM pipeline_runs r JOIN repositories p ON p.id = r.repo_id
			WHERE p.full_name = $1 AND r.started_at >= $2 AND r.status = 'success' ORDER BY r.started_at, r.id LIMIT 1`, repo, now.AddDate(0, 0, -20).Unix())
		exec(`DELETE FROM pipeline_runs WHERE id IN (SELECT id FROM pipeline_runs WHERE started_at >= $1 AND status = 'failure' ORDER BY id LIMIT 3)`,
			now.AddDate(0, 0, -30).Unix())
		exec(`DELETE FROM pipeline_jobs WHERE id IN (SELECT j.id FROM pipeline_jobs j JOIN pipeline_runs r ON r.id = j.run_id
			WHERE r.started_at >= $1 AND j.parent_id IS NULL ORDER BY j.id DESC LIMIT 4)`, now.AddDate(0, 0, -5).Unix())
		comparePipelineRollup(t, st, now, repo, person, fmt.Sprint(team), false)

		if got := pipelineSetOf(t, st, Filter{Teams: []string{fmt.Sprint(team)}}); got != set {
			t.Fatalf("the team's set is %d after writes to runs and jobs, want %d (the same, kept up to date)", got, set)
		}

		// The team's membership changes (one leaves, another joins): its set
		// no longer matches, the team reads the runs until the new set is built.
		exec(`DELETE FROM team_members WHERE team_id = $1 AND person_id = (SELECT MIN(person_id) FROM team_members WHERE team_id = $1)`, team)
		exec(`INSERT INTO team_members (team_id, person_id) SELECT $1, MAX(person_id) FROM pipeline_runs
			WHERE person_id NOT IN (SELECT person_id FROM team_members WHERE team_id = $1)`, team)
		if got := pipelineSetOf(t, st, Filter{Teams: []string{fmt.Sprint(team)}}); got != 0 {
			t.Fatalf("set %d still serves the team after its membership changed", got)
		}
		comparePipelineRollup(t, st, now, repo, person, fmt.Sprint(team), false)
		pipelineSetWait.Wait()
		newSet := pipelineSetOf(t, st, Filter{Teams: []string{fmt.Sprint(team)}})
		if newSet == 0 || newSet == set {
			t.Fatalf("the team's set is %d after its membership changed (was %d), want a new one", newSet, set)
		}
		var old int
		if err := st.DB().QueryRow(`SELECT COUNT(*) FROM rollup_pipeline_jobs WHERE set_id = $1`, set).Scan(&old); err != nil {
			t.Fatal(err)
		}
		if old != 0 {
			t.Fatalf("%d job rows of the replaced set %d left", old, set)
		}
		comparePipelineRollup(t, st, now, repo, person, fmt.Sprint(team), true)

		var dirty int
		if err := st.DB().QueryRow(`SELECT COUNT(*) FROM rollup_dirty WHERE family = 'pipeline'`).Scan(&dirty); err != nil {
			t.Fatal(err)
		}
		if dirty != 0 {
			t.Fatalf("%d pipeline days still dirty after the metrics read them", dirty)
		}
	})
}

// comparePipelineRollup compares every range when full, else the 90-day range
// by day and week (after a batch of writes, all of whose days it holds).
func comparePipelineRollup(t *testing.T, st *store.Store, now time.Time, repo, person, team string, full bool) {
	t.Helper()
	filters := []Filter{{}, {Repos: []string{repo}}, {People: []string{person}}, {Teams: []string{team}},
		{Teams: []string{team}, Repos: []string{repo}}}
	checked := 0
	compareRollupWithRaw(t, st, now, []string{"pipeline-success", "pipeline-duration", "pipeline-failures"}, filters, !full,
		func(id string, q Query, want *Result) {
			if q.Filter.People == nil && q.Filter.Teams == nil && !q.Compare && q.Group == Day && want.Summary["runs"] == 0 {
				t.Fatalf("%s %s…%s: no runs in the demo data, the comparison proves nothing", id, q.From.Format(dateLayout), q.To.Format(dateLayout))
			}
			checked++
		})
	if checked == 0 {
		t.Fatal("nothing compared")
	}
}

// pipelineSetOf is the rollup set a pipeline metric with the filter reads
// (0: none, it reads the runs).
func pipelineSetOf(t *testing.T, st *store.Store, filter Filter) int64 {
	t.Helper()
	e := NewEngine(st.DB(), st.Engine().Postgres())
	f, err := e.resolve(context.Background(), filter)
	if err != nil {
		t.Fatal(err)
	}
	q := &querier{db: st.DB(), postgres: st.Engine().Postgres()}
	set, err := q.pipelineSet(context.Background(), Period{Filter: f})
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func TestParseSecs(t *testing.T) {
	var got []int64
	if err := parseSecs("0,12,-3,4500", func(v int64) { got = append(got, v) }); err != nil {
		t.Fatal(err)
	}
	if want := []int64{0, 12, -3, 4500}; !cmp.Equal(got, want) {
		t.Fatalf("parseSecs = %v, want %v", got, want)
	}
	for _, bad := range []string{"", "1,,2", "1,", "1-2", "--1", "1.5", "a"} {
		if err := parseSecs(bad, func(int64) {}); err == nil {
			t.Errorf("parseSecs(%q) succeeded, want an error", bad)
		}
	}
}

// sortBySeconds orders packed durations by their seconds, by counting
// (runs of seconds to hours) or by comparing (a run of months, few runs).
func TestSortBySeconds(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, c := range []struct {
		n       int
		longest uint64
	}{{0, 1}, {1, 5}, {1000, 7200}, {100000, 14400}, {50, 1 << 20}, {1000, 1 << 30}} {
		keys := make([]uint64, c.n)
		for i := range keys {
			keys[i] = rng.Uint64N(c.longest+1)<<32 | uint64(rng.IntN(500))
		}
		want := make([]uint64, c.n)
		for i, k := range keys {
			want[i] = k >> 32
		}
		slices.Sort(want)
		got := sortBySeconds(slices.Clone(keys))
		if len(got) != c.n {
			t.Fatalf("n=%d: %d keys out", c.n, len(got))
		}
		seen := map[uint64]int{}
		for i, k := range got {
			if k>>32 != want[i] {
				t.Fatalf("n=%d, longest %d: key %d has %d seconds, want %d", c.n, c.longest, i, k>>32, want[i])
			}
			seen[k]++
		}
		for _, k := range keys {
			seen[k]--
		}
		for k, n := range seen {
			if n != 0 {
				t.Fatalf("n=%d: key %x out %d times more than in", c.n, k, n)
			}
		}
	}
}
