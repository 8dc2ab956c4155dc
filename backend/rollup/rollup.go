// Package rollup keeps pre-aggregated tables ("families") in step with the
// rows they summarise. Triggers on the source tables mark the UTC days
// (unix seconds / 86400) a change touches in rollup_dirty; Refresh rebuilds
// the marked days of each family and clears exactly the marks it processed,
// so a mark made while it runs stays for the next Refresh.
//
// A family registers from the package that knows its figures (in init);
// Refresh runs after every collection, after the demo, and before a metric
// reads a family's tables, so readers never see stale figures.
package rollup

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
)

// Family is a set of rollup tables rebuilt day by day.
type Family struct {
	// Name is the family's key in rollup_dirty (the triggers' literal).
	Name string
	// Rebuild replaces the family's rows of the given UTC days (sorted,
	// distinct; unix seconds / 86400) with figures computed from the
	// source tables, inside tx. postgres selects the engine's spelling.
	Rebuild func(ctx context.Context, tx *sql.Tx, postgres bool, days []int64) error
}

var (
	mu       sync.RWMutex
	families = map[string]Family{}
)

// Register adds a family; it panics on a duplicate or incomplete one, as
// that is a programming error found at start-up.
func Register(f Family) {
	if f.Name == "" || f.Rebuild == nil {
		panic("rollup: a family needs a name and a Rebuild function")
	}
	mu.Lock()
	defer mu.Unlock()
	if _, dup := families[f.Name]; dup {
		panic("rollup: family " + f.Name + " registered twice")
	}
	families[f.Name] = f
}

// Names lists the registered families, sorted.
func Names() []string {
	mu.RLock()
	defer mu.RUnlock()
	names := make([]string, 0, len(families))
	for n := range families {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func lookup(name string) (Family, bool) {
	mu.RLock()
	defer mu.RUnlock()
	f, ok := families[name]
	return f, ok
}

// Refresh rebuilds the dirty days of the named families (every registered
// one when none is named). When nothing is dirty it costs one indexed read.
//
// Each family is refreshed in transactions of up to chunkDays marked days:
// the marks are claimed, the days rebuilt, the claimed marks deleted, all or
// nothing per chunk (a cancelled refresh keeps the chunks it committed). On SQLite the
// transaction holds the write lock from its start (the store opens IMMEDIATE
// transactions), so writers and other refreshes wait. On PostgreSQL the
// marks are claimed with FOR UPDATE SKIP LOCKED: a mark a writer's
// transaction has touched (the triggers upsert with DO UPDATE, which locks
// the row) is left for the next Refresh, as is one another Refresh claimed,
// so two refreshes split the days between them and never wait on a writer.
func Refresh(ctx context.Context, db *sql.DB, postgres bool, names ...string) error {
	if len(names) == 0 {
		names = Names()
	}
	var known []string
	for _, n := range names {
		if _, ok := lookup(n); !ok {
			return fmt.Errorf("rollup: unknown family %q", n)
		}
		if !slices.Contains(known, n) {
			known = append(known, n)
		}
	}
	if len(known) == 0 {
		return nil
	}
	dirty, err := dirtyFamilies(ctx, db, known)
	if err != nil {
		return err
	}
	for _, n := range dirty {
		f, _ := lookup(n)
		if err := refreshFamily(ctx, db, postgres, f); err != nil {
			return err
		}
	}
	return nil
}

// refreshing holds a *sync.Mutex per *sql.DB.
var refreshing sync.Map

// dirtyFamilies is which of names have at least one mark.
func dirtyFamilies(ctx context.Context, db *sql.DB, names []string) ([]string, error) {
	var q strings.Builder
	args := make([]any, len(names))
	q.WriteString(`SELECT family FROM rollup_dirty WHERE family IN (`)
	for i, n := range names {
		if i > 0 {
			q.WriteByte(',')
		}
		fmt.Fprintf(&q, "$%d", i+1)
		args[i] = n
	}
	q.WriteString(`) GROUP BY family`)
	rows, err := db.QueryContext(ctx, q.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("rollup: unable to read the dirty marks: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("rollup: unable to read the dirty marks: %w", err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("rollup: unable to read the dirty marks: %w", err)
	}
	sort.Strings(out)
	return out, nil
}

// chunkDays is how many marked days one transaction rebuilds: a first fill
// of years of history (after an upgrade adds a family) commits as it goes,
// so an interrupted refresh keeps what it did and readers of other families
// and writers are held for one chunk at a time, not for minutes.
var chunkDays = 62

// refreshFamily rebuilds the days of f marked when it starts, chunk by
// chunk, each chunk in its own transaction. Marks made meanwhile on days
// of a later chunk are taken with it; others stay for the next Refresh.
func refreshFamily(ctx context.Context, db *sql.DB, postgres bool, f Family) error {
	snapshot, err := readDays(ctx, db, `SELECT day FROM rollup_dirty WHERE family = $1 ORDER BY day`, f.Name)
	if err != nil {
		return fmt.Errorf("rollup: unable to read the dirty days of %s: %w", f.Name, err)
	}
	for len(snapshot) > 0 {
		n := min(chunkDays, len(snapshot))
		if err := refreshChunk(ctx, db, postgres, f, snapshot[0], snapshot[n-1]); err != nil {
			return err
		}
		snapshot = snapshot[n:]
	}
	return nil
}

// refreshChunk claims the marks of f on days [first, last], rebuilds those
// days and deletes the claimed marks, all or nothing.
func refreshChunk(ctx context.Context, db *sql.DB, postgres bool, f Family, first, last int64) (err error) {
	// One chunk at a time per database in this process: a second caller
	// (a metric request beside the start-up fill) waits for the chunk in
	// hand, not for the whole fill, and then finds its days done or takes
	// its turn, instead of failing on SQLite's busy timeout. Processes still
	// split the days (see Refresh).
	lock, _ := refreshing.LoadOrStore(db, &sync.Mutex{})
	lock.(*sync.Mutex).Lock()
	defer lock.(*sync.Mutex).Unlock()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("rollup: unable to start refreshing %s: %w", f.Name, err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	claim := `SELECT day FROM rollup_dirty WHERE family = $1 AND day >= $2 AND day <= $3 ORDER BY day`
	if postgres {
		claim += ` FOR UPDATE SKIP LOCKED`
	}
	days, err := readDays(ctx, tx, claim, f.Name, first, last)
	if err != nil {
		return fmt.Errorf("rollup: unable to claim the dirty days of %s: %w", f.Name, err)
	}
	if len(days) == 0 {
		return tx.Rollback()
	}
	if err := f.Rebuild(ctx, tx, postgres, days); err != nil {
		return fmt.Errorf("rollup: unable to rebuild %s: %w", f.Name, err)
	}
	if err := deleteMarks(ctx, tx, f.Name, days); err != nil {
		return fmt.Errorf("rollup: unable to clear the dirty days of %s: %w", f.Name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("rollup: unable to commit the refresh of %s: %w", f.Name, err)
	}
	return nil
}

// Pending is how many (family, day) marks wait for a refresh: after an
// upgrade that adds a family, the days of history still to fill.
func Pending(ctx context.Context, db *sql.DB) (int, error) {
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM rollup_dirty`).Scan(&n); err != nil {
		return 0, fmt.Errorf("rollup: unable to count the dirty marks: %w", err)
	}
	return n, nil
}

// readDays reads one column of days through db or tx.
func readDays(ctx context.Context, db interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, q string, args ...any) ([]int64, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var days []int64
	for rows.Next() {
		var d int64
		if err := rows.Scan(&d); err != nil {
			return nil, err
		}
		days = append(days, d)
	}
	return days, rows.Err()
}

// deleteMarks deletes the claimed marks, by contiguous spans of days so a
// refresh of years of history is a handful of statements.
func deleteMarks(ctx context.Context, tx *sql.Tx, family string, days []int64) error {
	for _, s := range Spans(days) {
		if _, err := tx.ExecContext(ctx, `DELETE FROM rollup_dirty WHERE family = $1 AND day >= $2 AND day <= $3`,
			family, s.First, s.Last); err != nil {
			return err
		}
	}
	return nil
}

// Span is a run of consecutive days, both ends included.
type Span struct{ First, Last int64 }

// Start and End are the span's bounds in unix seconds, End exclusive.
func (s Span) Start() int64 { return s.First * 86400 }
func (s Span) End() int64   { return (s.Last + 1) * 86400 }

// Spans groups sorted, distinct days into runs of consecutive days, so a
// Rebuild can work range by range (WHERE t >= Start AND t < End).
func Spans(days []int64) []Span {
	var out []Span
	for _, d := range days {
		if n := len(out); n > 0 && out[n-1].Last+1 == d {
			out[n-1].Last = d
			continue
		}
		out = append(out, Span{d, d})
	}
	return out
}
