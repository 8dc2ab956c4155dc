package collect

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/momentum-app/momentum/backend/source"
	"github.com/momentum-app/momentum/backend/store"
	"github.com/momentum-app/momentum/backend/store/storetest"
)

// tracer records when scripts start and end, and how many run at once.
type tracer struct {
	mu         sync.Mutex
	events     []string
	running    atomic.Int32
	maxAtATime atomic.Int32
}

func (tr *tracer) script(name string, provides, deps []string, pause time.Duration, fail error) source.Script {
	return source.Script{Name: name, Provides: provides, DependsOn: deps, Run: func(ctx context.Context, job *source.Job) error {
		n := tr.running.Add(1)
		for {
			m := tr.maxAtATime.Load()
			if n <= m || tr.maxAtATime.CompareAndSwap(m, n) {
				break
			}
		}
		tr.log("start " + job.Source + "/" + name)
		time.Sleep(pause)
		tr.running.Add(-1)
		tr.log("end " + job.Source + "/" + name)
		job.AddItems(1)
		return fail
	}}
}

func (tr *tracer) log(s string) { tr.mu.Lock(); tr.events = append(tr.events, s); tr.mu.Unlock() }

func (tr *tracer) pos(s string) int {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	for i, e := range tr.events {
		if e == s {
			return i
		}
	}
	return -1
}

func TestCollectOrderParallelismFailureIsolation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		tr := &tracer{}
		boom := errors.New("boom: the server said no to token tok-SECRET-9")
		hub := &source.Source{ID: "hub", Name: "Hub", Keys: []source.Key{
			{Name: "HUB_TOKEN", Label: "Token", Kind: source.KindText, Required: true, Secret: true}},
			Scripts: []source.Script{
				tr.script("repository", []string{"hub.repositories"}, nil, 50*time.Millisecond, nil),
				tr.script("commit", []string{"hub.commits"}, []string{"hub.repositories"}, 300*time.Millisecond, nil),
				tr.script("pull-request", []string{"hub.pull_requests"}, []string{"hub.repositories"}, 300*time.Millisecond, nil),
				tr.script("review", []string{"hub.reviews"}, []string{"hub.pull_requests"}, 10*time.Millisecond, nil),
				tr.script("team", []string{"hub.teams"}, nil, 10*time.Millisecond, boom),
				tr.script("team-member", []string{"hub.team_members"}, []string{"hub.teams"}, 10*time.Millisecond, nil),
				tr.script("team-repo", []string{"hub.team_repos"}, []string{"hub.team_members", "hub.repositories"}, 10*time.Millisecond, nil),
			}}
		e := newEnv(t, st, hub)
		e.configure(t, "hub", map[string]string{"HUB_TOKEN": "tok-SECRET-9"})
		sum, err := e.engine(4).Collect(context.Background(), Options{})
		if err != nil {
			t.Fatal(err)
		}
		got := outcomes(sum)
		want := map[string]string{"hub/repository": "COMPLETED", "hub/commit": "COMPLETED", "hub/pull-request": "COMPLETED",
			"hub/review": "COMPLETED", "hub/team": "FAILED", "hub/team-member": "SKIPPED", "hub/team-repo": "SKIPPED"}
		for id, status := range want {
			if got[id].Status != status {
				t.Errorf("%s: %s (%s), want %s", id, got[id].Status, got[id].Error, status)
			}
		}
		if sum.Failed() != 1 {
			t.Errorf("failed = %d", sum.Failed())
		}
		// Dependencies first.
		for _, pair := range [][2]string{{"end hub/repository", "start hub/commit"}, {"end hub/repository", "start hub/pull-request"},
			{"end hub/pull-request", "start hub/review"}} {
			if tr.pos(pair[0]) > tr.pos(pair[1]) || tr.pos(pair[1]) < 0 {
				t.Errorf("%q after %q: %v", pair[0], pair[1], tr.events)
			}
		}
		// commit and pull-request (300 ms each) ran at the same time.
		if tr.maxAtATime.Load() < 2 {
			t.Errorf("at most %d scripts ran at once, want parallel branches", tr.maxAtATime.Load())
		}
		if tr.pos("start hub/team-member") >= 0 || tr.pos("start hub/team-repo") >= 0 {
			t.Error("a dependent of a failed script ran")
		}
		// The records: history, reasons, secrets masked.
		runs, err := st.Runs(context.Background(), store.RunFilter{})
		if err != nil || len(runs) != 7 {
			t.Fatalf("%d runs, %v", len(runs), err)
		}
		for _, r := range runs {
			if strings.Contains(r.Error, "tok-SECRET-9") {
				t.Errorf("run %s/%s shows the token: %s", r.Source, r.Script, r.Error)
			}
			switch r.Script {
			case "team":
				if r.Status != "FAILED" || !strings.Contains(r.Error, "boom") || !strings.Contains(r.Error, source.Mask) || r.FinishedAt == nil {
					t.Errorf("team run: %+v", r)
				}
			case "team-member":
				if r.Error != "skipped: hub/team failed: boom: the server said no to token ********" {
					t.Errorf("team-member reason: %q", r.Error)
				}
			case "team-repo":
				if !strings.HasPrefix(r.Error, "skipped: hub/team-member was skipped") {
					t.Errorf("team-repo reason: %q", r.Error)
				}
			case "repository":
				if r.Status != "COMPLETED" || r.Items != 1 || r.LastFetchedAt == nil || *r.LastFetchedAt != day0.Unix() {
					t.Errorf("repository run: %+v", r)
				}
			}
		}
	})
}

func TestConcurrencyBound(t *testing.T) {
	st := storetest.SQLite(t)
	tr := &tracer{}
	var scripts []source.Script
	for _, n := range []string{"a", "b", "c", "d", "e", "f"} {
		scripts = append(scripts, tr.script(n, []string{"wide." + n}, nil, 100*time.Millisecond, nil))
	}
	e := newEnv(t, st, &source.Source{ID: "wide", Name: "Wide", Scripts: scripts})
	e.configure(t, "wide", map[string]string{}) // no keys: configured by existing
	_, err := e.engine(2).Collect(context.Background(), Options{})
	if !errors.Is(err, ErrNothingConfigured) {
		t.Fatalf("a source with no rows collected: %v", err)
	}
	e2 := newEnv(t, st, &source.Source{ID: "wide", Name: "Wide", Keys: []source.Key{key("WIDE", "ORG")}, Scripts: scripts})
	e2.configure(t, "wide", map[string]string{"WIDE_ORG": "acme"})
	if _, err := e2.engine(2).Collect(context.Background(), Options{}); err != nil {
		t.Fatal(err)
	}
	if m := tr.maxAtATime.Load(); m != 2 {
		t.Errorf("%d scripts at once, want the bound of 2", m)
	}
}

// forge is the incremental test source: repositories by creation time.
func forge(repos []time.Time, window time.Duration, fail *atomic.Bool) *source.Source {
	return &source.Source{ID: "forge", Name: "Forge", Keys: []source.Key{key("FORGE", "ORG")}, Scripts: []source.Script{{
		Name: "repository", Provides: []string{"forge.repositories"}, ImportWindow: window,
		Run: func(ctx context.Context, job *source.Job) error {
			if err := upsertRepos(ctx, job, repos, 0); err != nil {
				return err
			}
			if fail != nil && fail.Load() {
				return errors.New("the forge broke half way")
			}
			return nil
		}}}}
}

func lastWindow(t *testing.T, st *store.Store) (time.Time, time.Time, string) {
	t.Helper()
	runs, err := st.Runs(context.Background(), store.RunFilter{Limit: 1})
	if err != nil || len(runs) == 0 {
		t.Fatal("no run", err)
	}
	r := runs[0]
	return time.Unix(*r.WindowStart, 0).UTC(), time.Unix(*r.WindowEnd, 0).UTC(), r.Status
}

func countRepos(t *testing.T, st *store.Store) int {
	var n int
	if err := st.DB().QueryRow(`SELECT COUNT(*) FROM repositories WHERE source = 'forge'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestIncrementalWindows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		var fail atomic.Bool
		e := newEnv(t, st, forge(fakeRepos(400), 365*24*time.Hour, &fail))
		e.configure(t, "forge", map[string]string{"FORGE_ORG": "acme"})
		eng := e.engine(2)
		collect := func(o Options) {
			t.Helper()
			if _, err := eng.Collect(ctx, o); err != nil {
				t.Fatal(err)
			}
		}
		// First run: 90 days back (the spec's default).
		collect(Options{})
		if s, end, _ := lastWindow(t, st); !s.Equal(day0.Add(-90*24*time.Hour)) || !end.Equal(day0) {
			t.Errorf("first window %s – %s", s, end)
		}
		if n := countRepos(t, st); n != 90 {
			t.Errorf("%d repositories after 90 days, want 90", n)
		}
		// Next run resumes at the last fetched date.
		e.clock.Set(day0.Add(6 * time.Hour))
		collect(Options{})
		if s, end, _ := lastWindow(t, st); !s.Equal(day0) || !end.Equal(day0.Add(6*time.Hour)) {
			t.Errorf("incremental window %s – %s", s, end)
		}
		// A failed run does not move the resume point; the next retries.
		fail.Store(true)
		e.clock.Set(day0.Add(12 * time.Hour))
		collect(Options{})
		if s, _, status := lastWindow(t, st); status != "FAILED" || !s.Equal(day0.Add(6*time.Hour)) {
			t.Errorf("failed run: %s from %s", status, s)
		}
		fail.Store(false)
		e.clock.Set(day0.Add(18 * time.Hour))
		collect(Options{})
		if s, _, status := lastWindow(t, st); status != "COMPLETED" || !s.Equal(day0.Add(6*time.Hour)) {
			t.Errorf("retry: %s from %s, want from the last success", status, s)
		}
		// --since reaches further back, for this run.
		e.clock.Set(day0.Add(24 * time.Hour))
		since := day0.Add(-200 * 24 * time.Hour)
		collect(Options{Since: since})
		if s, _, _ := lastWindow(t, st); !s.Equal(since) {
			t.Errorf("--since window starts %s", s)
		}
		if n := countRepos(t, st); n != 200 {
			t.Errorf("%d repositories after --since 200 days", n)
		}
		// ... but never past the import window (365 days).
		e.clock.Set(day0.Add(30 * time.Hour))
		collect(Options{Since: day0.Add(-1000 * 24 * time.Hour)})
		if s, end, _ := lastWindow(t, st); !s.Equal(end.Add(-365 * 24 * time.Hour)) {
			t.Errorf("import window not respected: %s – %s", s, end)
		}
		// The history setting changes the default depth; --full resets.
		if err := st.SetSetting(ctx, SettingHistoryDays, "30", 0); err != nil {
			t.Fatal(err)
		}
		e.clock.Set(day0.Add(36 * time.Hour))
		collect(Options{Full: true, Via: "api"})
		if s, end, _ := lastWindow(t, st); !s.Equal(end.Add(-30 * 24 * time.Hour)) {
			t.Errorf("--full with 30 days of history: %s – %s", s, end)
		}
		log, _ := st.AuditLog(ctx, 50)
		var actions []string
		for _, a := range log {
			if strings.HasPrefix(a.Action, "config.") {
				continue // stamped by the real clock
			}
			actions = append(actions, a.Via+":"+a.Action)
		}
		if !strings.HasPrefix(strings.Join(actions, " "), "api:reset api:collect cli:collect") {
			t.Errorf("audit: %v", actions)
		}
	})
}

func TestCollectingTwiceIsIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, forge(fakeRepos(50), 0, nil))
		e.configure(t, "forge", map[string]string{"FORGE_ORG": "acme"})
		for i := range 2 {
			e.clock.Set(day0.Add(time.Duration(i) * time.Minute))
			if _, err := e.engine(1).Collect(context.Background(), Options{Full: true}); err != nil {
				t.Fatal(err)
			}
		}
		if n := countRepos(t, st); n != 50 {
			t.Errorf("%d repositories after the same window twice, want 50", n)
		}
	})
}

func TestStaleRunningRowIsRecovered(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := newEnv(t, st, forge(fakeRepos(10), 0, nil))
		e.configure(t, "forge", map[string]string{"FORGE_ORG": "acme"})
		// A killed process left a RUNNING row (and, on SQLite, its lease).
		ws := day0.Add(-24 * time.Hour).Unix()
		for range 2 {
			if _, err := st.InsertRun(ctx, store.Run{Source: "forge", Script: "repository", Status: "RUNNING", StartedAt: ws, WindowStart: &ws, Owner: "gone:1"}); err != nil {
				t.Fatal(err)
			}
		}
		n, err := e.engine(1).Recover(ctx)
		if err != nil || n != 2 {
			t.Fatalf("recovered %d, %v", n, err)
		}
		st.InsertRun(ctx, store.Run{Source: "forge", Script: "repository", Status: "RUNNING", StartedAt: ws, Owner: "gone:1"})
		sum, err := e.engine(1).Collect(ctx, Options{})
		if err != nil || sum.Outcomes[0].Status != "COMPLETED" {
			t.Fatalf("collect after a crash: %+v, %v", sum, err)
		}
		runs, _ := st.Runs(ctx, store.RunFilter{})
		statuses := map[string]int{}
		for _, r := range runs {
			statuses[r.Status]++
			if r.Status == "FAILED" && !strings.HasPrefix(r.Error, "interrupted:") {
				t.Errorf("recovered run's error: %q", r.Error)
			}
		}
		if statuses["FAILED"] != 3 || statuses["COMPLETED"] != 1 || statuses["RUNNING"] != 0 {
			t.Errorf("statuses %v", statuses)
		}
	})
}

func TestUnconfiguredAndIncompleteSources(t *testing.T) {
	st := storetest.SQLite(t)
	e := newEnv(t, st, forge(fakeRepos(3), 0, nil), &source.Source{ID: "other", Name: "Other",
		Keys: []source.Key{key("OTHER", "A"), key("OTHER", "B")}, Scripts: []source.Script{script("x", []string{"other.x"}, nil)}})
	ctx := context.Background()
	if _, err := e.engine(1).Collect(ctx, Options{}); !errors.Is(err, ErrNothingConfigured) {
		t.Errorf("nothing configured: %v", err)
	}
	e.configure(t, "other", map[string]string{"OTHER_A": "1"})
	if _, err := e.engine(1).Collect(ctx, Options{Sources: []string{"other"}}); err == nil || !strings.Contains(err.Error(), "OTHER_B is required") {
		t.Errorf("incomplete source named: %v", err)
	}
	if _, err := e.engine(1).Collect(ctx, Options{Sources: []string{"forge"}}); err == nil || !strings.Contains(err.Error(), "forge is not configured") {
		t.Errorf("unconfigured source named: %v", err)
	}
	e.configure(t, "forge", map[string]string{"FORGE_ORG": "a"})
	sum, err := e.engine(1).Collect(ctx, Options{})
	if err != nil || len(sum.Outcomes) != 1 || sum.Outcomes[0].Source != "forge" {
		t.Errorf("the incomplete source was not left out: %+v, %v", sum, err)
	}
}

func TestCancelRecordsAFailureAndKeepsTheResumePoint(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		repos := fakeRepos(30)
		// Cancelled once the script has written a few items, whatever the
		// machine's speed (a fixed deadline could fire before it starts).
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		src := &source.Source{ID: "forge", Name: "Forge", Keys: []source.Key{key("FORGE", "ORG")}, Scripts: []source.Script{{
			Name: "repository", Provides: []string{"forge.repositories"},
			Run: func(ctx context.Context, job *source.Job) error {
				go func() {
					for job.Items() < 3 && ctx.Err() == nil {
						time.Sleep(5 * time.Millisecond)
					}
					cancel()
				}()
				return upsertRepos(ctx, job, repos, 20*time.Millisecond)
			}}}}
		e := newEnv(t, st, src)
		e.configure(t, "forge", map[string]string{"FORGE_ORG": "acme"})
		sum, err := e.engine(1).Collect(ctx, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if o := sum.Outcomes[0]; o.Status != "FAILED" || !strings.Contains(o.Error, "cancelled") || o.Items == 0 {
			t.Errorf("outcome %+v", o)
		}
		if last, _ := st.LastFetched(context.Background(), "forge", "repository"); last != nil {
			t.Errorf("a cancelled run moved the resume point to %d", *last)
		}
		// The lock was released: the next run goes.
		e.clock.Set(day0.Add(time.Minute))
		sum, err = e.engine(1).Collect(context.Background(), Options{})
		if err != nil || sum.Outcomes[0].Status != "COMPLETED" {
			t.Errorf("after cancel: %+v %v", sum, err)
		}
	})
}

func TestProgressEvents(t *testing.T) {
	st := storetest.SQLite(t)
	repos := fakeRepos(20)
	src := &source.Source{ID: "forge", Name: "Forge", Keys: []source.Key{key("FORGE", "ORG")}, Scripts: []source.Script{{
		Name: "repository", Provides: []string{"forge.repositories"},
		Run: func(ctx context.Context, job *source.Job) error {
			return upsertRepos(ctx, job, repos, 30*time.Millisecond)
		}}}}
	e := newEnv(t, st, src)
	e.configure(t, "forge", map[string]string{"FORGE_ORG": "acme"})
	eng := e.engine(1)
	sub, cancel := eng.Events().Subscribe()
	defer cancel()
	var mu sync.Mutex
	var direct []Event
	if _, err := eng.Collect(context.Background(), Options{Progress: func(ev Event) { mu.Lock(); direct = append(direct, ev); mu.Unlock() }}); err != nil {
		t.Fatal(err)
	}
	var types []string
	var maxItems int64
	for len(sub) > 0 {
		ev := <-sub
		types = append(types, ev.Type)
		if ev.Type == EventProgress && ev.Items > maxItems {
			maxItems = ev.Items
		}
	}
	got := strings.Join(types, ",")
	if !strings.HasPrefix(got, "planned,started,progress") || !strings.HasSuffix(got, "finished,done") || maxItems < 10 {
		t.Errorf("events %s (max items %d)", got, maxItems)
	}
	if len(direct) != len(types) {
		t.Errorf("Progress saw %d events, the hub %d", len(direct), len(types))
	}
	if last := direct[len(direct)-2]; last.Items != 20 || last.Status != "COMPLETED" {
		t.Errorf("finished event %+v", last)
	}
}
