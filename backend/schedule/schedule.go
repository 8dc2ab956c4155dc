// Package schedule runs collections on a cron schedule (gocron v2) in the
// desktop app's background and in `serve`. The schedule is a setting
// (collect.cron, default hourly). With several `serve` processes on one
// database, a distributed locker on the engine's database locks lets one
// process run a tick; the per-script locks and the tick passed as
// NotBefore keep any script from being collected twice for one tick.
package schedule

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/robfig/cron/v3"

	"github.com/momentum-app/momentum/backend/collect"
	"github.com/momentum-app/momentum/backend/store"
)

// SettingCron holds the cron expression (5 fields, or 6 with seconds).
const SettingCron = "collect.cron"

// DefaultCron is hourly, on the hour.
const DefaultCron = "0 * * * *"

// Scheduler runs the collection job.
type Scheduler struct {
	eng  *collect.Engine
	st   *store.Store
	log  *slog.Logger
	s    gocron.Scheduler
	ctx  context.Context
	mu   sync.Mutex
	job  gocron.Job
	expr string
}

// Start reads the schedule from the settings and starts it. The context
// bounds every scheduled collection.
func Start(ctx context.Context, eng *collect.Engine, log *slog.Logger) (*Scheduler, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	st := eng.Store()
	s, err := gocron.NewScheduler(gocron.WithDistributedLocker(&dbLocker{l: collect.NewLocker(st, log)}), gocron.WithStopTimeout(30*time.Second))
	if err != nil {
		return nil, fmt.Errorf("schedule: %w", err)
	}
	sc := &Scheduler{eng: eng, st: st, log: log, s: s, ctx: ctx}
	expr, ok, err := st.Setting(ctx, SettingCron)
	if err != nil {
		return nil, err
	}
	if !ok || strings.TrimSpace(expr) == "" {
		expr = DefaultCron
	}
	if err := sc.schedule(expr); err != nil {
		log.Error("schedule: the saved schedule is invalid; using hourly", "cron", expr, "err", err)
		if err := sc.schedule(DefaultCron); err != nil {
			return nil, err
		}
	}
	s.Start()
	return sc, nil
}

// Validate checks a cron expression: 5 fields (minute hour day month
// weekday), or 6 with seconds first.
func Validate(expr string) error {
	s, err := gocron.NewScheduler()
	if err != nil {
		return err
	}
	defer s.Shutdown()
	_, err = s.NewJob(cronDef(expr), gocron.NewTask(func() {}))
	if err != nil {
		return fmt.Errorf("%q is not a valid schedule (cron: minute hour day month weekday, e.g. \"0 * * * *\" for hourly): %v", expr, err)
	}
	return nil
}

// NextRuns validates expr as Validate does and returns its next n run
// times after from, for the Settings page to show before saving.
func NextRuns(expr string, from time.Time, n int) ([]time.Time, error) {
	if err := Validate(expr); err != nil {
		return nil, err
	}
	expr = strings.TrimSpace(expr)
	// gocron parses with robfig/cron: the same parser gives the same times.
	fields := cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor
	if len(strings.Fields(expr)) == 6 {
		fields |= cron.Second
	}
	sched, err := cron.NewParser(fields).Parse(expr)
	if err != nil {
		return nil, fmt.Errorf("%q is not a valid schedule: %v", expr, err)
	}
	out := make([]time.Time, 0, n)
	for t := from; len(out) < n; {
		t = sched.Next(t)
		if t.IsZero() {
			break
		}
		out = append(out, t)
	}
	return out, nil
}

func cronDef(expr string) gocron.JobDefinition {
	expr = strings.TrimSpace(expr)
	return gocron.CronJob(expr, len(strings.Fields(expr)) == 6)
}

func (sc *Scheduler) schedule(expr string) error {
	if err := Validate(expr); err != nil {
		return err
	}
	sc.mu.Lock()
	defer sc.mu.Unlock()
	task := gocron.NewTask(sc.run)
	opts := []gocron.JobOption{gocron.WithName("collect"), gocron.WithSingletonMode(gocron.LimitModeReschedule)}
	var err error
	var job gocron.Job
	if sc.job == nil {
		job, err = sc.s.NewJob(cronDef(expr), task, opts...)
	} else {
		job, err = sc.s.Update(sc.job.ID(), cronDef(expr), task, opts...)
	}
	if err != nil {
		return fmt.Errorf("schedule: %w", err)
	}
	sc.job, sc.expr = job, strings.TrimSpace(expr)
	return nil
}

// Set changes the schedule, saves it and audits the change.
func (sc *Scheduler) Set(ctx context.Context, expr, via string) error {
	if err := sc.schedule(expr); err != nil {
		return err
	}
	now := time.Now().Unix()
	if err := sc.st.SetSetting(ctx, SettingCron, strings.TrimSpace(expr), now); err != nil {
		return err
	}
	return sc.st.Audit(ctx, store.AuditEntry{At: now, Via: via, Action: "settings.set", Key: SettingCron, Detail: strings.TrimSpace(expr)})
}

// Cron is the schedule in force.
func (sc *Scheduler) Cron() string {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return sc.expr
}

// NextRun is when the next scheduled collection starts.
func (sc *Scheduler) NextRun() time.Time {
	sc.mu.Lock()
	job := sc.job
	sc.mu.Unlock()
	if job == nil {
		return time.Time{}
	}
	t, _ := job.NextRun()
	return t
}

// Stop waits for a running collection to end (up to 30 s) and stops.
func (sc *Scheduler) Stop() error { return sc.s.Shutdown() }

func (sc *Scheduler) run() {
	// Processes firing at one tick agree on it: a script another one has
	// completed since the tick is not collected again.
	tick := time.Now().Truncate(time.Second)
	sum, err := sc.eng.Collect(sc.ctx, collect.Options{Via: "scheduler", NotBefore: tick})
	switch {
	case errors.Is(err, collect.ErrNothingConfigured):
		sc.log.Debug("schedule: nothing configured to collect")
	case err != nil:
		sc.log.Error("schedule: collection could not start", "err", err)
	default:
		sc.log.Info("schedule: collection done", "scripts", len(sum.Outcomes), "failed", sum.Failed(), "took", sum.Finished.Sub(sum.Started).Round(time.Millisecond))
	}
}

// dbLocker lets one process of several run a tick.
type dbLocker struct{ l collect.Locker }

type dbLock struct{ l collect.Lock }

func (d *dbLocker) Lock(ctx context.Context, key string) (gocron.Lock, error) {
	lk, ok, err := d.l.TryLock(ctx, "schedule:"+key)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errors.New("another process runs this tick")
	}
	return &dbLock{l: lk}, nil
}

func (d *dbLock) Unlock(context.Context) error { return d.l.Release() }
