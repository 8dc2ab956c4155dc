package collect

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/momentum-app/momentum/backend/source"
	"github.com/momentum-app/momentum/backend/store"
	"github.com/momentum-app/momentum/backend/store/storetest"
)

// daily is a source with one commit a day for 200 days before day0 and one
// every hour after it; a run upserts those inside its window.
func daily() *source.Source {
	var at []time.Time
	for i := 200; i > 0; i-- {
		at = append(at, day0.Add(-time.Duration(i)*24*time.Hour))
	}
	for h := range 72 {
		at = append(at, day0.Add(time.Duration(h)*time.Hour))
	}
	return &source.Source{ID: "forge", Name: "Forge", Keys: []source.Key{key("FORGE", "ORG")}, Scripts: []source.Script{{
		Name: "commit", Provides: []string{"forge.commits"},
		Run: func(ctx context.Context, job *source.Job) error {
			if _, err := job.Store.DB().ExecContext(ctx, `INSERT INTO repositories (id, source, external_id, full_name, name)
				VALUES (1, 'forge', '1', 'acme/api', 'api') ON CONFLICT (source, external_id) DO NOTHING`); err != nil {
				return err
			}
			for _, t := range at {
				if t.Before(job.Window.Start) || !t.Before(job.Window.End) {
					continue
				}
				if _, err := job.Store.DB().ExecContext(ctx, `INSERT INTO commits (repo_id, sha, authored_at, committed_at)
					VALUES (1, $1, $2, $2) ON CONFLICT (repo_id, sha) DO NOTHING`, fmt.Sprint(t.Unix()), t.Unix()); err != nil {
					return err
				}
				job.AddItems(1)
			}
			return nil
		},
	}}}
}

func commitSpan(t *testing.T, st *store.Store) (n int, oldest time.Time) {
	t.Helper()
	var min int64
	if err := st.DB().QueryRow(`SELECT COUNT(*), COALESCE(MIN(authored_at), 0) FROM commits`).Scan(&n, &min); err != nil {
		t.Fatal(err)
	}
	return n, time.Unix(min, 0).UTC()
}

// TestRetentionPrunesWithoutBreakingIncrementalCollection collects 90 days,
// turns a 30-day retention on, and checks that the next collections prune
// what is older, resume exactly where they stood, and that a full
// re-import under retention lands on the same rows.
func TestRetentionPrunesWithoutBreakingIncrementalCollection(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := newEnv(t, st, daily())
		e.configure(t, "forge", map[string]string{"FORGE_ORG": "acme"})
		eng := e.engine(2)
		collect := func(o Options) *Summary {
			t.Helper()
			sum, err := eng.Collect(ctx, o)
			if err != nil {
				t.Fatal(err)
			}
			if sum.Failed() > 0 {
				t.Fatalf("%+v", sum.Outcomes)
			}
			return sum
		}
		collect(Options{})
		if n, _ := commitSpan(t, st); n != 90 {
			t.Fatalf("%d commits after the first 90 days", n)
		}
		// Retention off: Prune does nothing.
		if p, err := eng.Prune(ctx, "cli"); err != nil || p.Total() != 0 {
			t.Errorf("prune with retention off: %v %v", p, err)
		}

		if err := st.SetSetting(ctx, SettingRetentionDays, "30", 0); err != nil {
			t.Fatal(err)
		}
		e.clock.Set(day0.Add(6 * time.Hour))
		floor := day0.Add(6*time.Hour - 30*24*time.Hour)
		sum := collect(Options{})
		if s, end, _ := lastWindow(t, st); !s.Equal(day0) || !end.Equal(day0.Add(6*time.Hour)) {
			t.Errorf("the window after enabling retention is %s – %s, want the resume point onwards", s, end)
		}
		n, oldest := commitSpan(t, st)
		// 29 daily commits at or after the floor (day0-29d .. day0-1d, the
		// one at day0-30d is 6 h older than the floor) and 6 hourly ones.
		if n != 29+6 || oldest.Before(floor) {
			t.Errorf("%d commits from %s after pruning below %s", n, oldest, floor)
		}
		if sum.Pruned["commits"] != 90-29 {
			t.Errorf("summary says %v pruned", sum.Pruned)
		}
		if lf, _ := st.LastFetched(ctx, "forge", "commit"); lf == nil || *lf != day0.Add(6*time.Hour).Unix() {
			t.Errorf("resume point %v", lf)
		}
		if runs, _ := st.Runs(ctx, store.RunFilter{}); len(runs) != 2 {
			t.Errorf("%d run records, want both kept", len(runs))
		}
		log, _ := st.AuditLog(ctx, 10)
		audited := false
		for _, a := range log {
			audited = audited || a.Action == "retention" && strings.Contains(a.Detail, "commits 61")
		}
		if !audited {
			t.Errorf("the pruning is not in the audit log: %+v", log)
		}

		// Incremental collection goes on from the resume point.
		e.clock.Set(day0.Add(12 * time.Hour))
		collect(Options{})
		if s, _, _ := lastWindow(t, st); !s.Equal(day0.Add(6 * time.Hour)) {
			t.Errorf("next window starts %s", s)
		}
		before, oldestBefore := commitSpan(t, st)

		// --since and --full never reach below the floor: a full
		// re-import under retention lands on the same rows, and prunes
		// nothing it has just written.
		e.clock.Set(day0.Add(12*time.Hour + time.Minute))
		sum = collect(Options{Full: true, Since: day0.Add(-150 * 24 * time.Hour)})
		if s, _, _ := lastWindow(t, st); s.Before(day0.Add(12*time.Hour + time.Minute - 30*24*time.Hour)) {
			t.Errorf("a full re-import reached below the floor: %s", s)
		}
		after, oldestAfter := commitSpan(t, st)
		// One more: the commit at 12:00, inside this window only.
		if after != before+1 || !oldestAfter.Equal(oldestBefore) || sum.Pruned.Total() != 0 {
			t.Errorf("full re-import: %d commits from %s (pruned %v), before it %d from %s", after, oldestAfter, sum.Pruned, before, oldestBefore)
		}
	})
}
