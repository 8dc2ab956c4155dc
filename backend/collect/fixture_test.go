package collect

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/momentum-app/momentum/backend/secret"
	"github.com/momentum-app/momentum/backend/source"
	"github.com/momentum-app/momentum/backend/sourceconfig"
	"github.com/momentum-app/momentum/backend/store"
	"github.com/momentum-app/momentum/backend/store/storetest"
)

func TestMain(m *testing.M) {
	if helperMain() {
		return
	}
	os.Exit(storetest.Main(m))
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

var day0 = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// fakeRepos is what the "forge" test source collects: repositories created
// at fixed instants; a run upserts those inside its window.
func fakeRepos(n int) []time.Time {
	out := make([]time.Time, n)
	for i := range out {
		out[i] = day0.Add(-time.Duration(n-i) * 24 * time.Hour)
	}
	return out
}

// upsertRepos writes the fake repositories created inside the job's window,
// idempotently, and counts them.
func upsertRepos(ctx context.Context, job *source.Job, all []time.Time, pause time.Duration) error {
	for i, created := range all {
		if created.Before(job.Window.Start) || !created.Before(job.Window.End) {
			continue
		}
		name := fmt.Sprintf("forge/repo-%03d", i)
		_, err := job.Store.DB().ExecContext(ctx, `INSERT INTO repositories (source, external_id, full_name, name, created_at, updated_at)
			VALUES ('forge', $1, $2, $3, $4, $4)
			ON CONFLICT (source, external_id) DO UPDATE SET full_name = excluded.full_name, name = excluded.name, updated_at = excluded.updated_at`,
			fmt.Sprint(i), name, name, created.Unix())
		if err != nil {
			return err
		}
		job.AddItems(1)
		if pause > 0 {
			select {
			case <-time.After(pause):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	return nil
}

func run(fn func(ctx context.Context, job *source.Job) error) func(context.Context, *source.Job) error {
	return fn
}

func ok(context.Context, *source.Job) error { return nil }

// env is a store with a registry and a configuration service.
type env struct {
	st    *store.Store
	reg   *source.Registry
	cfg   *sourceconfig.Service
	clock *clock
}

func newEnv(t testing.TB, st *store.Store, sources ...*source.Source) *env {
	t.Helper()
	reg := source.NewRegistry()
	for _, s := range sources {
		reg.Register(s)
	}
	return &env{st: st, reg: reg, cfg: sourceconfig.New(st, reg, secret.NewVault(secret.NewMemory())), clock: &clock{t: day0}}
}

func (e *env) engine(concurrency int) *Engine {
	return New(Config{Store: e.st, Configs: e.cfg, Log: quiet, Concurrency: concurrency, Now: e.clock.Now})
}

func (e *env) configure(t testing.TB, id string, values map[string]string) {
	t.Helper()
	if err := e.cfg.Set(context.Background(), id, values, "cli"); err != nil {
		t.Fatal(err)
	}
}

func key(src, name string) source.Key {
	return source.Key{Name: src + "_" + name, Label: name, Kind: source.KindText, Required: true}
}

func outcomes(sum *Summary) map[string]Outcome {
	m := map[string]Outcome{}
	for _, o := range sum.Outcomes {
		m[o.Source+"/"+o.Script] = o
	}
	return m
}
