package schedule

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/momentum-app/momentum/backend/collect"
	"github.com/momentum-app/momentum/backend/secret"
	"github.com/momentum-app/momentum/backend/source"
	"github.com/momentum-app/momentum/backend/sourceconfig"
	"github.com/momentum-app/momentum/backend/store"
	"github.com/momentum-app/momentum/backend/store/pgembed/pgembedtest"
	"github.com/momentum-app/momentum/backend/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestDefaultIsHourlyAndSetValidates(t *testing.T) {
	st := storetest.SQLite(t)
	reg := source.NewRegistry()
	eng := collect.New(collect.Config{Store: st, Configs: sourceconfig.New(st, reg, secret.NewVault(secret.NewMemory())), Log: quiet})
	sc, err := Start(context.Background(), eng, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Stop()
	next := sc.NextRun()
	if sc.Cron() != DefaultCron || next.Minute() != 0 || next.Second() != 0 || time.Until(next) > time.Hour {
		t.Errorf("cron %q, next run %s", sc.Cron(), next)
	}
	if err := sc.Set(context.Background(), "every hour", "api"); err == nil || !strings.Contains(err.Error(), "not a valid schedule") {
		t.Errorf("invalid cron: %v", err)
	}
	if err := sc.Set(context.Background(), "*/15 * * * *", "api"); err != nil {
		t.Fatal(err)
	}
	if next := sc.NextRun(); next.Minute()%15 != 0 || time.Until(next) > 15*time.Minute {
		t.Errorf("next run after */15: %s", next)
	}
	if v, _, _ := st.Setting(context.Background(), SettingCron); v != "*/15 * * * *" {
		t.Errorf("saved %q", v)
	}
	log, _ := st.AuditLog(context.Background(), 5)
	if len(log) != 1 || log[0].Action != "settings.set" || log[0].Detail != "*/15 * * * *" {
		t.Errorf("audit %+v", log)
	}
}

// TestTwoSchedulersShareTheWork runs two schedulers (two database handles,
// as two `serve` processes) every second for a few seconds: the script
// never runs twice at once, and no tick collects it twice.
func TestTwoSchedulersShareTheWork(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			dir := t.TempDir()
			db := "sqlite:" + filepath.Join(dir, "m.db")
			if engine == "postgres" {
				db = pgembedtest.DSN(t)
			}
			var inside, maxInside, bodies atomic.Int32
			reg := source.NewRegistry()
			reg.Register(&source.Source{ID: "hub", Name: "Hub",
				Keys: []source.Key{{Name: "HUB_ORG", Label: "Org", Kind: source.KindText, Required: true}},
				Scripts: []source.Script{{Name: "commit", Provides: []string{"hub.commits"}, Run: func(ctx context.Context, job *source.Job) error {
					if n := inside.Add(1); n > maxInside.Load() {
						maxInside.Store(n)
					}
					bodies.Add(1)
					time.Sleep(300 * time.Millisecond)
					inside.Add(-1)
					return nil
				}}}})
			var scheds []*Scheduler
			var stores []*store.Store
			for i := range 2 {
				st, err := store.Open(context.Background(), store.Options{DB: db, DataDir: dir})
				if err != nil {
					t.Fatal(err)
				}
				defer st.Close()
				stores = append(stores, st)
				svc := sourceconfig.New(st, reg, secret.NewVault(secret.NewMemory()))
				if i == 0 {
					svc.Set(context.Background(), "hub", map[string]string{"HUB_ORG": "acme"}, "cli")
					st.SetSetting(context.Background(), SettingCron, "* * * * * *", 0) // every second
				}
				sc, err := Start(context.Background(), collect.New(collect.Config{Store: st, Configs: svc, Log: quiet}), quiet)
				if err != nil {
					t.Fatal(err)
				}
				scheds = append(scheds, sc)
			}
			time.Sleep(4500 * time.Millisecond)
			for _, sc := range scheds {
				sc.Stop()
			}
			runs, err := stores[0].Runs(context.Background(), store.RunFilter{})
			if err != nil {
				t.Fatal(err)
			}
			perSecond := map[int64]int{}
			for _, r := range runs {
				if r.Status != "COMPLETED" {
					t.Errorf("run %+v", r)
				}
				perSecond[r.StartedAt]++
			}
			if maxInside.Load() != 1 || len(runs) < 2 || len(runs) > 5 || int(bodies.Load()) != len(runs) {
				t.Errorf("max at once %d, %d runs (%d bodies) in 4.5 s of a per-second schedule", maxInside.Load(), len(runs), bodies.Load())
			}
			for sec, n := range perSecond {
				if n > 1 {
					t.Errorf("tick %d collected %d times", sec, n)
				}
			}
			if log, _ := stores[0].AuditLog(context.Background(), 50); len(log) != 1 {
				t.Errorf("scheduled runs were audited as manual: %+v", log)
			}
			t.Logf("%s: %d runs in 4.5 s from two schedulers", engine, len(runs))
		})
	}
}

func TestNextRuns(t *testing.T) {
	from := time.Date(2026, 6, 6, 10, 0, 0, 0, time.UTC) // a Saturday
	runs, err := NextRuns("30 9 * * 1-5", from, 3)
	if err != nil {
		t.Fatal(err)
	}
	want := []time.Time{
		time.Date(2026, 6, 8, 9, 30, 0, 0, time.UTC),
		time.Date(2026, 6, 9, 9, 30, 0, 0, time.UTC),
		time.Date(2026, 6, 10, 9, 30, 0, 0, time.UTC),
	}
	if len(runs) != 3 || !runs[0].Equal(want[0]) || !runs[1].Equal(want[1]) || !runs[2].Equal(want[2]) {
		t.Errorf("weekdays at 9:30 from a Saturday: %v", runs)
	}
	if runs, err := NextRuns("*/20 * * * * *", from, 2); err != nil || !runs[1].Equal(from.Add(40*time.Second)) {
		t.Errorf("six fields (seconds): %v %v", runs, err)
	}
	if _, err := NextRuns("61 * * * *", from, 1); err == nil || !strings.Contains(err.Error(), "not a valid schedule") {
		t.Errorf("minute 61: %v", err)
	}
	// The scheduler agrees.
	st := storetest.SQLite(t)
	eng := collect.New(collect.Config{Store: st, Configs: sourceconfig.New(st, source.NewRegistry(), secret.NewVault(secret.NewMemory())), Log: quiet})
	sc, err := Start(context.Background(), eng, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Stop()
	if err := sc.Set(context.Background(), "7,37 * * * *", "api"); err != nil {
		t.Fatal(err)
	}
	if runs, _ := NextRuns("7,37 * * * *", time.Now(), 1); !runs[0].Equal(sc.NextRun()) {
		t.Errorf("preview %s, scheduler %s", runs[0], sc.NextRun())
	}
}
