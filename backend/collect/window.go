package collect

import (
	"time"

	"github.com/momentum-app/momentum/backend/source"
)

// DefaultHistory is how far back a script reaches when it has never
// completed (the spec's 90 days); the setting collect.history_days changes it.
const DefaultHistory = 90 * 24 * time.Hour

// dateRange is the spec's calculateDateRange: from the last successful
// run's lastFetchedDataDate (or history back from now when there is none),
// never older than the script's import window. since, when set, reaches
// further back for this run only; it never skips ahead of the resume point.
// floor (retention), when set, keeps the window out of data that would be
// pruned anyway.
func dateRange(now time.Time, lastFetched *int64, importWindow, history time.Duration, since, floor time.Time) source.Window {
	end := now
	start := end.Add(-history)
	if lastFetched != nil {
		start = time.Unix(*lastFetched, 0)
	}
	if !since.IsZero() && since.Before(start) {
		start = since
	}
	if importWindow > 0 {
		if maxStart := end.Add(-importWindow); start.Before(maxStart) {
			start = maxStart
		}
	}
	if !floor.IsZero() && start.Before(floor) {
		start = floor
	}
	if start.After(end) {
		start = end
	}
	return source.Window{Start: start.UTC(), End: end.UTC()}
}
