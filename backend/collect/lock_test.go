package collect

import (
	"context"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/momentum-app/momentum/backend/source"
	"github.com/momentum-app/momentum/backend/store"
	"github.com/momentum-app/momentum/backend/store/pgembed/pgembedtest"
)

// twoHandles opens the same database twice: two connection pools, as two
// processes would have.
func twoHandles(t *testing.T, engine string) (*store.Store, *store.Store) {
	t.Helper()
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "m.db")
	if engine == "postgres" {
		db = pgembedtest.DSN(t)
	}
	open := func() *store.Store {
		st, err := store.Open(context.Background(), store.Options{DB: db, DataDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	return open(), open()
}

// TestLockIsExclusiveAcrossHandles: 8 goroutines on two database handles
// take one lock 30 times each; never two holders at once, and every
// attempt either holds or is told the lock is taken.
func TestLockIsExclusiveAcrossHandles(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			a, b := twoHandles(t, engine)
			lockers := []Locker{NewLocker(a, quiet), NewLocker(b, quiet)}
			var holders, maxHolders, acquired, refused atomic.Int32
			var wg sync.WaitGroup
			for g := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range 30 {
						lk, ok, err := lockers[g%2].TryLock(context.Background(), "hub/commit")
						if err != nil {
							t.Error(err)
							return
						}
						if !ok {
							refused.Add(1)
							time.Sleep(time.Millisecond)
							continue
						}
						acquired.Add(1)
						n := holders.Add(1)
						if n > maxHolders.Load() {
							maxHolders.Store(n)
						}
						time.Sleep(2 * time.Millisecond)
						holders.Add(-1)
						if err := lk.Release(); err != nil {
							t.Error(err)
						}
					}
				}()
			}
			wg.Wait()
			if maxHolders.Load() != 1 || acquired.Load() == 0 || refused.Load() == 0 {
				t.Errorf("max holders %d, acquired %d, refused %d", maxHolders.Load(), acquired.Load(), refused.Load())
			}
			t.Logf("%s: %d acquired, %d refused", engine, acquired.Load(), refused.Load())
			// Other names are independent.
			l1, ok1, _ := lockers[0].TryLock(context.Background(), "hub/commit")
			l2, ok2, _ := lockers[1].TryLock(context.Background(), "hub/pull-request")
			if !ok1 || !ok2 {
				t.Errorf("distinct scripts blocked each other: %v %v", ok1, ok2)
			}
			l1.Release()
			l2.Release()
		})
	}
}

// TestScriptNeverRunsTwiceAtOnce runs collections from two engines on two
// handles at the same time, many times over: the script's body is never
// entered twice at once, and the other collection reports it as running
// elsewhere rather than failed.
func TestScriptNeverRunsTwiceAtOnce(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			a, b := twoHandles(t, engine)
			var inside, maxInside, runs atomic.Int32
			src := &source.Source{ID: "hub", Name: "Hub", Keys: []source.Key{key("HUB", "ORG")}, Scripts: []source.Script{{
				Name: "commit", Provides: []string{"hub.commits"},
				Run: func(ctx context.Context, job *source.Job) error {
					n := inside.Add(1)
					if n > maxInside.Load() {
						maxInside.Store(n)
					}
					runs.Add(1)
					time.Sleep(20 * time.Millisecond)
					inside.Add(-1)
					return nil
				}}}}
			ea, eb := newEnv(t, a, src), newEnv(t, b, src)
			ea.configure(t, "hub", map[string]string{"HUB_ORG": "acme"})
			engines := []*Engine{ea.engine(2), eb.engine(2)}
			var elsewhere, completed atomic.Int32
			var wg sync.WaitGroup
			for g := range 6 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range 8 {
						// Distinct, later NotBefore each round, so that only the
						// lock (not "collected already") keeps runs apart.
						sum, err := engines[g%2].Collect(context.Background(), Options{NotBefore: time.Now().Add(time.Hour + time.Duration(i))})
						if err != nil {
							t.Error(err)
							return
						}
						switch sum.Outcomes[0].Status {
						case RunningElsewhere:
							elsewhere.Add(1)
						case "COMPLETED":
							completed.Add(1)
						default:
							t.Errorf("outcome %+v", sum.Outcomes[0])
						}
					}
				}()
			}
			wg.Wait()
			if maxInside.Load() != 1 {
				t.Errorf("the script ran %d times at once", maxInside.Load())
			}
			if completed.Load() != runs.Load() || elsewhere.Load() == 0 {
				t.Errorf("completed %d, bodies %d, elsewhere %d", completed.Load(), runs.Load(), elsewhere.Load())
			}
			t.Logf("%s: %d completed, %d running elsewhere", engine, completed.Load(), elsewhere.Load())
		})
	}
}

// TestLeaseOfADeadHolderLapses: on SQLite a holder that stopped renewing
// loses the lock when its lease ends.
func TestLeaseOfADeadHolderLapses(t *testing.T) {
	a, _ := twoHandles(t, "sqlite")
	c := &clock{t: day0}
	l := &leaseLocker{db: a.DB(), lease: time.Minute, log: quiet, now: c.Now}
	ctx := context.Background()
	// A holder on another host (so not recognised as a dead local pid).
	ensureLockRow(ctx, a.DB(), "x/y")
	a.DB().Exec(`UPDATE collect_locks SET owner = 'other-host:1:ab', lease_until = $1 WHERE name = 'x/y'`, day0.Unix()+60)
	if _, ok, _ := l.TryLock(ctx, "x/y"); ok {
		t.Fatal("took a live lease")
	}
	c.Set(day0.Add(61 * time.Second))
	lk, ok, err := l.TryLock(ctx, "x/y")
	if !ok || err != nil {
		t.Fatalf("a lapsed lease was not taken: %v", err)
	}
	lk.Release()
	// A dead process on this host frees its lock at once.
	a.DB().Exec(`UPDATE collect_locks SET owner = $1, lease_until = $2 WHERE name = 'x/y'`, hostname+":999999999:ab", day0.Unix()+3600)
	if lk, ok, _ := l.TryLock(ctx, "x/y"); !ok {
		t.Error("the lock of a dead local process was kept")
	} else {
		lk.Release()
	}
}
