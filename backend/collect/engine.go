package collect

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/momentum-app/momentum/backend/rollup"
	"github.com/momentum-app/momentum/backend/source"
	"github.com/momentum-app/momentum/backend/source/httpclient"
	"github.com/momentum-app/momentum/backend/sourceconfig"
	"github.com/momentum-app/momentum/backend/store"
)

// Outcomes beyond the run statuses: another process has the script.
const (
	// RunningElsewhere: another process holds the script's lock now; it
	// also runs the script's dependents, so this collection leaves them.
	RunningElsewhere = "RUNNING_ELSEWHERE"
	// CollectedElsewhere: another process completed the script during this
	// collection; its dependents may go on.
	CollectedElsewhere = "COLLECTED_ELSEWHERE"
)

// Settings that change collection.
const (
	SettingHistoryDays   = "collect.history_days"   // default history depth, days (90)
	SettingRetentionDays = "collect.retention_days" // prune collected data older than this; 0 or unset: keep all
)

// Config builds an Engine.
type Config struct {
	Store   *store.Store
	Configs *sourceconfig.Service
	Log     *slog.Logger
	// Concurrency bounds the scripts running at once (default 4).
	Concurrency int
	// HTTP is the base of every job's HTTP client.
	HTTP httpclient.Options
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Locker defaults to the engine's database locks.
	Locker Locker
}

// Engine runs collections.
type Engine struct {
	st          *store.Store
	configs     *sourceconfig.Service
	reg         *source.Registry
	log         *slog.Logger
	concurrency int
	http        httpclient.Options
	now         func() time.Time
	locker      Locker
	owner       string
	hub         *Hub
}

// New returns an engine.
func New(c Config) *Engine {
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.Concurrency <= 0 {
		c.Concurrency = 4
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Locker == nil {
		c.Locker = NewLocker(c.Store, c.Log)
	}
	return &Engine{
		st: c.Store, configs: c.Configs, reg: c.Configs.Registry(), log: c.Log, concurrency: c.Concurrency,
		http: c.HTTP, now: c.Now, locker: c.Locker, owner: hostname + ":" + strconv.Itoa(os.Getpid()), hub: newHub(),
	}
}

// Events is the hub of live progress of every collection of this engine.
func (e *Engine) Events() *Hub { return e.hub }

// Store is the engine's database.
func (e *Engine) Store() *store.Store { return e.st }

// Configs is the engine's configuration service.
func (e *Engine) Configs() *sourceconfig.Service { return e.configs }

// Options of one collection.
type Options struct {
	Sources []string  // only these sources (and what they depend on); all when empty
	Full    bool      // reset the resume points first: a full re-import
	Since   time.Time // reach back at least to this instant in this run
	Via     string    // cli, api, desktop, scheduler: for the audit log and events
	// NotBefore: a script another collection completed at or after this
	// instant is not run again (default: the start of this collection), so
	// overlapping collections run each script once.
	// The scheduler passes its tick, so several `serve` processes firing
	// at one tick collect each script once.
	NotBefore time.Time
	// Progress receives this collection's events (beside the hub).
	Progress func(Event)
	// ID names the collection in events (default: a random ID).
	ID string
}

// NewID returns a random collection ID.
func NewID() string { return newID() }

// Check tells whether a collection with opts could start: the sources are
// configured and the plan builds. The API calls it before starting one in
// the background, to answer with the error.
func (e *Engine) Check(ctx context.Context, opts Options) error {
	configs, _, err := e.configured(ctx, opts.Sources)
	if err != nil {
		return err
	}
	_, err = BuildPlan(e.reg, configs, opts.Sources)
	return err
}

// Outcome is how one script of a collection ended.
type Outcome struct {
	Source   string        `json:"source"`
	Script   string        `json:"script"`
	Status   string        `json:"status"`
	RunID    int64         `json:"run_id,omitempty"`
	Items    int64         `json:"items"`
	Requests int64         `json:"requests"`
	Error    string        `json:"error,omitempty"`
	Window   source.Window `json:"window"`
	Duration time.Duration `json:"duration_ns"`
}

// Summary is a finished collection.
type Summary struct {
	ID       string    `json:"id"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	Outcomes []Outcome `json:"outcomes"`
	// Pruned counts the rows the retention setting removed afterwards.
	Pruned store.Pruned `json:"pruned,omitempty"`
}

// Failed counts the scripts that failed.
func (s *Summary) Failed() int {
	n := 0
	for _, o := range s.Outcomes {
		if o.Status == store.RunFailed {
			n++
		}
	}
	return n
}

// ErrNothingConfigured means no source is configured completely.
var ErrNothingConfigured = errors.New("no data source is configured: see `momentum sources` and `momentum config set`")

// Collect runs one collection and returns how each script ended. A failed
// script is not an error of Collect; a plan that cannot be built is.
func (e *Engine) Collect(ctx context.Context, opts Options) (*Summary, error) {
	if opts.ID == "" {
		opts.ID = newID()
	}
	sum := &Summary{ID: opts.ID, Started: e.now()}
	configs, secrets, err := e.configured(ctx, opts.Sources)
	if err != nil {
		return nil, err
	}
	plan, err := BuildPlan(e.reg, configs, opts.Sources)
	if err != nil {
		return nil, err
	}
	if opts.NotBefore.IsZero() {
		opts.NotBefore = sum.Started
	}
	if opts.Via == "" {
		opts.Via = "cli"
	}
	settings, err := e.st.Settings(ctx)
	if err != nil {
		return nil, err
	}
	history := DefaultHistory
	if d, err := strconv.Atoi(settings[SettingHistoryDays]); err == nil && d > 0 {
		history = time.Duration(d) * 24 * time.Hour
	}
	floor := retentionFloor(settings, sum.Started)
	if opts.Via != "scheduler" {
		detail := describe(opts)
		if err := e.st.Audit(ctx, store.AuditEntry{At: sum.Started.Unix(), Via: opts.Via, Action: "collect", Source: strings.Join(opts.Sources, ","), Detail: detail}); err != nil {
			return nil, err
		}
	}
	if opts.Full {
		if err := e.Reset(ctx, opts.Sources, opts.Via); err != nil {
			return nil, err
		}
	}

	r := &runner{e: e, plan: plan, opts: opts, sum: sum, history: history, floor: floor, secrets: secrets,
		outcomes: map[string]*Outcome{}}
	r.emit(Event{Type: EventPlanned, Total: len(plan.Order)})
	r.run(ctx)
	for _, id := range plan.Order {
		sum.Outcomes = append(sum.Outcomes, *r.outcomes[id])
	}
	if !floor.IsZero() && ctx.Err() == nil {
		// The same floor as the windows: what goes was never in one.
		if sum.Pruned, err = e.pruneBefore(ctx, floor, opts.Via); err != nil {
			e.log.Error("collect: retention could not prune old data", "err", err)
		}
	}
	if ctx.Err() == nil {
		// Bring the rollup tables up to date with what the run wrote, so
		// the next metric read finds no dirty day to rebuild.
		if err := rollup.Refresh(ctx, e.st.DB(), e.st.Engine().Postgres()); err != nil {
			e.log.Error("collect: the rollup tables could not be refreshed", "err", err)
		}
		// New rows change what the query planners should choose.
		if err := e.st.Analyze(ctx); err != nil {
			e.log.Error("collect: the database statistics could not be refreshed", "err", err)
		}
	}
	sum.Finished = e.now()
	r.emit(Event{Type: EventDone, Total: len(plan.Order)})
	return sum, nil
}

func describe(o Options) string {
	var parts []string
	if o.Full {
		parts = append(parts, "full re-import")
	}
	if !o.Since.IsZero() {
		parts = append(parts, "since "+o.Since.UTC().Format("2006-01-02"))
	}
	return strings.Join(parts, ", ")
}

// Reset clears the resume points of the sources (all when empty): the next
// run re-imports the full history. It is audited.
func (e *Engine) Reset(ctx context.Context, sources []string, via string) error {
	if len(sources) == 0 {
		sources = []string{""}
	}
	for _, s := range sources {
		if err := e.st.ResetLastFetched(ctx, s); err != nil {
			return err
		}
		if err := e.st.Audit(ctx, store.AuditEntry{At: e.now().Unix(), Via: via, Action: "reset", Source: s, Detail: "resume point cleared: full re-import"}); err != nil {
			return err
		}
	}
	return nil
}

// configured resolves the sources to collect: every completely configured
// source, or those named (which must then be complete).
func (e *Engine) configured(ctx context.Context, only []string) (map[string]source.Config, []string, error) {
	views, err := e.configs.ShowAll(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, id := range only {
		if _, err := e.reg.Lookup(id); err != nil {
			return nil, nil, err
		}
	}
	configs := map[string]source.Config{}
	var secrets []string
	for _, v := range views {
		if !v.Complete {
			if slices.Contains(only, v.Source) {
				if !v.Configured {
					return nil, nil, fmt.Errorf("%s is not configured: see `momentum sources` for its keys, then `momentum config set %s KEY=VALUE`", v.Source, v.Source)
				}
				return nil, nil, fmt.Errorf("%s is not configured completely: %s", v.Source, strings.Join(v.Problems, "; "))
			}
			if v.Configured {
				e.log.Warn("collect: skipping a source that is not configured completely", "source", v.Source, "problems", strings.Join(v.Problems, "; "))
			}
			continue
		}
		cfg, err := e.configs.Resolve(ctx, v.Source)
		if err != nil {
			return nil, nil, err
		}
		src, _ := e.reg.Lookup(v.Source)
		configs[v.Source] = cfg
		secrets = append(secrets, sourceconfig.Secrets(src, cfg)...)
	}
	if len(configs) == 0 {
		return nil, nil, ErrNothingConfigured
	}
	return configs, secrets, nil
}

// Recover closes the RUNNING runs that no process is running any more (a
// killed process left them), taking each script's lock to be sure. It runs
// at start-up; a collection also recovers each script it locks.
func (e *Engine) Recover(ctx context.Context) (int64, error) {
	pairs, err := e.st.RunningScripts(ctx)
	if err != nil {
		return 0, err
	}
	var total int64
	for _, p := range pairs {
		lk, ok, err := e.locker.TryLock(ctx, source.ScriptID(p[0], p[1]))
		if err != nil {
			return total, err
		}
		if !ok {
			continue // really running elsewhere
		}
		n, err := e.st.FailInterruptedRuns(ctx, p[0], p[1], e.now().Unix(), interrupted(e.owner))
		lk.Release()
		if err != nil {
			return total, err
		}
		total += n
	}
	if total > 0 {
		e.log.Info("collect: recovered runs a stopped process left RUNNING", "runs", total)
	}
	return total, nil
}

func interrupted(by string) string {
	return "interrupted: the process running it stopped before it finished (recovered by " + by + "); the next run resumes from the last successful one"
}

func newID() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// runner is one collection in progress.
type runner struct {
	e        *Engine
	plan     *Plan
	opts     Options
	sum      *Summary
	history  time.Duration
	floor    time.Time
	secrets  []string
	mu       sync.Mutex
	outcomes map[string]*Outcome
}

func (r *runner) emit(ev Event) {
	ev.Collection = r.sum.ID
	ev.Via = r.opts.Via
	ev.At = r.e.now()
	if r.opts.Progress != nil {
		r.opts.Progress(ev)
	}
	r.e.hub.publish(ev)
}

// run executes the plan: each step as soon as the steps it needs are
// done, at most Concurrency at once. A step whose need did not complete is
// SKIPPED with the reason; other branches go on.
func (r *runner) run(ctx context.Context) {
	total := len(r.plan.Order)
	if total == 0 {
		return
	}
	waiting := map[string]int{}
	for id, st := range r.plan.Steps {
		waiting[id] = len(st.Needs)
	}
	done := make(chan *Outcome, total) // buffered: workers never block on the loop
	var g errgroup.Group
	g.SetLimit(r.e.concurrency)
	start := func(st *Step) {
		g.Go(func() error {
			done <- r.execute(ctx, st)
			return nil
		})
	}
	// blocked[id] is why a step may not run, once a need did not complete.
	blocked := map[string]block{}
	for _, id := range r.plan.Order {
		if waiting[id] == 0 {
			start(r.plan.Steps[id])
		}
	}
	for finished := 0; finished < total; finished++ {
		o := <-done
		id := source.ScriptID(o.Source, o.Script)
		r.mu.Lock()
		r.outcomes[id] = o
		r.mu.Unlock()
		for _, next := range r.plan.Steps[id].Feeds {
			if _, already := blocked[next]; !already {
				switch o.Status {
				case store.RunCompleted, CollectedElsewhere:
				case RunningElsewhere:
					blocked[next] = block{elsewhere: true, why: id + " is running in another process, which collects what depends on it"}
				case store.RunSkipped:
					blocked[next] = block{why: "skipped: " + id + " was skipped"}
				default:
					blocked[next] = block{why: "skipped: " + id + " failed: " + firstLine(o.Error, 200)}
				}
			}
			waiting[next]--
			if waiting[next] > 0 {
				continue
			}
			nst := r.plan.Steps[next]
			if b, ok := blocked[next]; ok {
				done <- r.skip(ctx, nst, b)
				continue
			}
			start(nst)
		}
	}
	g.Wait()
}

type block struct {
	why       string
	elsewhere bool // a need runs in another process: leave this to it, record nothing
}

func firstLine(s string, n int) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > n {
		s = s[:n] + "…"
	}
	return s
}

// skip records a step that cannot run because a need did not complete.
func (r *runner) skip(ctx context.Context, st *Step, b block) *Outcome {
	why := b.why
	o := &Outcome{Source: st.Source.ID, Script: st.Script.Name, Status: store.RunSkipped, Error: why}
	if b.elsewhere {
		o.Status = RunningElsewhere
		r.emit(Event{Type: EventFinished, Source: o.Source, Script: o.Script, Status: o.Status, Error: why})
		return o
	}
	now := r.e.now().Unix()
	id, err := r.e.st.InsertRun(context.WithoutCancel(ctx), store.Run{Source: o.Source, Script: o.Script, Status: store.RunSkipped,
		StartedAt: now, FinishedAt: &now, Error: why, Owner: r.e.owner})
	if err != nil {
		r.e.log.Error("collect: unable to record a skipped script", "script", st.ID, "err", err)
	}
	o.RunID = id
	r.emit(Event{Type: EventFinished, Source: o.Source, Script: o.Script, Status: o.Status, Error: why})
	return o
}

// execute runs one script under its lock and records the run.
func (r *runner) execute(ctx context.Context, st *Step) *Outcome {
	e := r.e
	o := &Outcome{Source: st.Source.ID, Script: st.Script.Name}
	bg := context.WithoutCancel(ctx) // bookkeeping survives cancellation
	fail := func(err error) *Outcome {
		o.Status, o.Error = store.RunFailed, r.redact(err.Error())
		r.emit(Event{Type: EventFinished, Source: o.Source, Script: o.Script, Status: o.Status, Error: o.Error})
		return o
	}
	if ctx.Err() != nil {
		return fail(fmt.Errorf("not started: the collection was cancelled"))
	}
	lk, ok, err := e.locker.TryLock(ctx, st.ID)
	if err != nil {
		return fail(err)
	}
	if !ok {
		o.Status = RunningElsewhere
		o.Error = "already running elsewhere"
		r.emit(Event{Type: EventFinished, Source: o.Source, Script: o.Script, Status: o.Status, Error: o.Error})
		return o
	}
	defer lk.Release()

	if done, err := e.st.CompletedSince(ctx, o.Source, o.Script, r.opts.NotBefore.Unix()); err != nil {
		return fail(err)
	} else if done {
		o.Status = CollectedElsewhere
		o.Error = "already collected by another collection that finished after this one began"
		r.emit(Event{Type: EventFinished, Source: o.Source, Script: o.Script, Status: o.Status, Error: o.Error})
		return o
	}
	// We hold the lock: a RUNNING row of this script is a dead process's.
	if n, err := e.st.FailInterruptedRuns(ctx, o.Source, o.Script, e.now().Unix(), interrupted(e.owner)); err != nil {
		return fail(err)
	} else if n > 0 {
		e.log.Info("collect: recovered an interrupted run", "script", st.ID, "runs", n)
	}

	last, err := e.st.LastFetched(ctx, o.Source, o.Script)
	if err != nil {
		return fail(err)
	}
	started := e.now()
	o.Window = dateRange(started, last, st.Script.ImportWindow, r.history, r.opts.Since, r.floor)
	ws, we := o.Window.Start.Unix(), o.Window.End.Unix()
	runID, err := e.st.InsertRun(ctx, store.Run{Source: o.Source, Script: o.Script, Status: store.RunRunning,
		StartedAt: started.Unix(), WindowStart: &ws, WindowEnd: &we, Owner: e.owner})
	if err != nil {
		return fail(err)
	}
	o.RunID = runID
	r.emit(Event{Type: EventStarted, Source: o.Source, Script: o.Script, Status: store.RunRunning})

	httpOpts := e.http
	httpOpts.Secrets = append(slices.Clone(httpOpts.Secrets), r.secrets...)
	httpOpts.Log = e.log.With("script", st.ID)
	client := httpclient.New(httpOpts)
	var lastSave, lastEmit time.Time
	var pmu sync.Mutex
	job := source.NewJob(o.Source, o.Script, func(items int64) {
		pmu.Lock()
		defer pmu.Unlock()
		now := time.Now()
		if now.Sub(lastEmit) >= 200*time.Millisecond {
			lastEmit = now
			r.emit(Event{Type: EventProgress, Source: o.Source, Script: o.Script, Items: items, Requests: client.Requests()})
		}
		if now.Sub(lastSave) >= 2*time.Second {
			lastSave = now
			if err := e.st.UpdateRunProgress(bg, runID, items, client.Requests()); err != nil {
				e.log.Warn("collect: unable to save progress", "script", st.ID, "err", err)
			}
		}
	})
	job.Config = st.Config
	job.Window = o.Window
	job.Store = e.st
	job.HTTP = client
	job.Log = e.log.With("script", st.ID)

	runErr := runScript(ctx, st.Script, job)
	o.Items, o.Requests = job.Items(), client.Requests()
	o.Duration = e.now().Sub(started)
	fin := e.now().Unix()
	rec := store.Run{ID: runID, FinishedAt: &fin, Items: o.Items, Requests: o.Requests}
	if runErr != nil {
		if ctx.Err() != nil {
			runErr = fmt.Errorf("cancelled: %w", runErr)
		}
		o.Status, o.Error = store.RunFailed, r.redact(runErr.Error())
		rec.Status, rec.Error, rec.LastFetchedAt = o.Status, o.Error, last // the resume point stays
	} else {
		o.Status = store.RunCompleted
		rec.Status, rec.LastFetchedAt = o.Status, &we
	}
	if err := e.st.FinishRun(bg, rec); err != nil {
		e.log.Error("collect: unable to record the end of a run", "script", st.ID, "err", err)
	}
	if o.Status == store.RunCompleted {
		// Only success moves the resume point: a failed run loses nothing.
		if err := e.st.SetLastFetched(bg, o.Source, o.Script, &we); err != nil {
			o.Status, o.Error = store.RunFailed, err.Error()
		}
	}
	r.emit(Event{Type: EventFinished, Source: o.Source, Script: o.Script, Status: o.Status, Items: o.Items, Requests: o.Requests, Error: o.Error})
	return o
}

// runScript runs a script, turning a panic into an error.
func runScript(ctx context.Context, sc source.Script, job *source.Job) (err error) {
	defer func() {
		if v := recover(); v != nil {
			job.Log.Error("collect: a script panicked", "panic", v, "stack", string(debug.Stack()))
			err = fmt.Errorf("panic: %v", v)
		}
	}()
	return sc.Run(ctx, job)
}

// redact masks every configured secret in text bound for a run record,
// a log or the UI.
func (r *runner) redact(s string) string {
	for _, sec := range r.secrets {
		if len(sec) >= 4 {
			s = strings.ReplaceAll(s, sec, source.Mask)
		}
	}
	return s
}

// HTTPOptions are the base options of the engine's HTTP clients.
func (e *Engine) HTTPOptions() httpclient.Options {
	o := e.http
	o.Log = e.log
	return o
}
