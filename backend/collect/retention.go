package collect

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/momentum-app/momentum/backend/store"
)

// retentionFloor is the instant before which collected data is pruned (the
// retention setting counted back from now), or zero when everything is kept.
func retentionFloor(settings map[string]string, now time.Time) time.Time {
	d, err := strconv.Atoi(settings[SettingRetentionDays])
	if err != nil || d <= 0 {
		return time.Time{}
	}
	return now.Add(-time.Duration(d) * 24 * time.Hour)
}

// Prune deletes the collected data older than the retention setting (see
// store.PruneBefore for what counts as old) and audits what went. It does
// nothing when retention is off, or when another process is pruning.
// Incremental collection is unaffected: resume points and run records stay,
// and windows never reach below the same floor, so nothing pruned is
// collected again and nothing kept is skipped.
func (e *Engine) Prune(ctx context.Context, via string) (store.Pruned, error) {
	settings, err := e.st.Settings(ctx)
	if err != nil {
		return nil, err
	}
	floor := retentionFloor(settings, e.now())
	if floor.IsZero() {
		return nil, nil
	}
	return e.pruneBefore(ctx, floor, via)
}

func (e *Engine) pruneBefore(ctx context.Context, floor time.Time, via string) (store.Pruned, error) {
	lk, ok, err := e.locker.TryLock(ctx, "retention")
	if err != nil {
		return nil, err
	}
	if !ok {
		e.log.Debug("collect: another process is pruning")
		return nil, nil
	}
	defer lk.Release()
	pruned, err := e.st.PruneBefore(ctx, floor.Unix())
	if err != nil {
		return nil, err
	}
	if pruned.Total() == 0 {
		return pruned, nil
	}
	var parts []string
	for _, table := range slices.Sorted(func(yield func(string) bool) {
		for k := range pruned {
			if !yield(k) {
				return
			}
		}
	}) {
		parts = append(parts, fmt.Sprintf("%s %d", strings.ReplaceAll(table, "_", " "), pruned[table]))
	}
	detail := fmt.Sprintf("deleted data older than %s: %s", floor.UTC().Format("2006-01-02"), strings.Join(parts, ", "))
	e.log.Info("collect: retention pruned old data", "before", floor.UTC().Format(time.DateOnly), "rows", pruned.Total())
	if err := e.st.Audit(ctx, store.AuditEntry{At: e.now().Unix(), Via: via, Action: "retention", Detail: detail}); err != nil {
		return pruned, err
	}
	return pruned, nil
}
