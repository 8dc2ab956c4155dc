package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Run statuses.
const (
	RunRunning   = "RUNNING"
	RunCompleted = "COMPLETED"
	RunFailed    = "FAILED"
	RunSkipped   = "SKIPPED"
)

// Run is one run of one collection script. Instants are Unix seconds.
type Run struct {
	ID            int64  `json:"id"`
	Source        string `json:"source"`
	Script        string `json:"script"`
	Status        string `json:"status"`
	StartedAt     int64  `json:"started_at"`
	FinishedAt    *int64 `json:"finished_at"`
	WindowStart   *int64 `json:"window_start"`
	WindowEnd     *int64 `json:"window_end"`
	LastFetchedAt *int64 `json:"last_fetched_at"`
	Items         int64  `json:"items"`
	Requests      int64  `json:"requests"`
	Error         string `json:"error"`
	Owner         string `json:"owner"`
}

const runColumns = `id, source, script, status, started_at, finished_at, window_start, window_end, last_fetched_at, items, requests, error, owner`

func scanRun(sc interface{ Scan(...any) error }) (Run, error) {
	var r Run
	var fin, ws, we, lf sql.NullInt64
	err := sc.Scan(&r.ID, &r.Source, &r.Script, &r.Status, &r.StartedAt, &fin, &ws, &we, &lf, &r.Items, &r.Requests, &r.Error, &r.Owner)
	r.FinishedAt, r.WindowStart, r.WindowEnd, r.LastFetchedAt = nullable(fin), nullable(ws), nullable(we), nullable(lf)
	return r, err
}

func nullable(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	return &n.Int64
}

// InsertRun records a run and returns its ID.
func (s *Store) InsertRun(ctx context.Context, r Run) (int64, error) {
	var id int64
	err := s.db.QueryRowContext(ctx, `INSERT INTO data_source_runs
		(source, script, status, started_at, finished_at, window_start, window_end, last_fetched_at, items, requests, error, owner)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
		r.Source, r.Script, r.Status, r.StartedAt, r.FinishedAt, r.WindowStart, r.WindowEnd, r.LastFetchedAt,
		r.Items, r.Requests, r.Error, r.Owner).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: unable to record the run of %s/%s: %w", r.Source, r.Script, err)
	}
	return id, nil
}

// UpdateRunProgress stores the counts of a running run.
func (s *Store) UpdateRunProgress(ctx context.Context, id, items, requests int64) error {
	_, err := s.db.ExecContext(ctx, `UPDATE data_source_runs SET items = $2, requests = $3 WHERE id = $1 AND status = 'RUNNING'`, id, items, requests)
	if err != nil {
		return fmt.Errorf("store: unable to update run %d: %w", id, err)
	}
	return nil
}

// FinishRun closes a run with its final status and counts.
func (s *Store) FinishRun(ctx context.Context, r Run) error {
	_, err := s.db.ExecContext(ctx, `UPDATE data_source_runs SET status = $2, finished_at = $3, last_fetched_at = $4,
		items = $5, requests = $6, error = $7 WHERE id = $1`,
		r.ID, r.Status, r.FinishedAt, r.LastFetchedAt, r.Items, r.Requests, r.Error)
	if err != nil {
		return fmt.Errorf("store: unable to finish run %d: %w", r.ID, err)
	}
	return nil
}

// RunFilter narrows Runs.
type RunFilter struct {
	Source, Script, Status string
	Limit                  int // default 200
}

// Runs lists runs, newest first.
func (s *Store) Runs(ctx context.Context, f RunFilter) ([]Run, error) {
	if f.Limit <= 0 {
		f.Limit = 200
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+runColumns+` FROM data_source_runs
		WHERE ($1 = '' OR source = $1) AND ($2 = '' OR script = $2) AND ($3 = '' OR status = $3)
		ORDER BY started_at DESC, id DESC LIMIT $4`, f.Source, f.Script, f.Status, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("store: unable to fetch runs: %w", err)
	}
	defer rows.Close()
	out := []Run{}
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, fmt.Errorf("store: unable to fetch runs: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// FailInterruptedRuns closes the RUNNING runs of a script as FAILED. Call
// it only while holding the script's lock: then no process is running it,
// and a RUNNING row is one a killed process left behind.
func (s *Store) FailInterruptedRuns(ctx context.Context, source, script string, now int64, reason string) (int64, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE data_source_runs SET status = 'FAILED', finished_at = $3, error = $4
		WHERE source = $1 AND script = $2 AND status = 'RUNNING'`, source, script, now, reason)
	if err != nil {
		return 0, fmt.Errorf("store: unable to recover interrupted runs of %s/%s: %w", source, script, err)
	}
	return res.RowsAffected()
}

// RunningScripts lists the (source, script) pairs that have a RUNNING run.
func (s *Store) RunningScripts(ctx context.Context) ([][2]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT source, script FROM data_source_runs WHERE status = 'RUNNING' ORDER BY source, script`)
	if err != nil {
		return nil, fmt.Errorf("store: unable to fetch running scripts: %w", err)
	}
	defer rows.Close()
	var out [][2]string
	for rows.Next() {
		var p [2]string
		if err := rows.Scan(&p[0], &p[1]); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// CompletedSince reports whether a run of the script completed at or after
// since: another collection finished it after this one began.
func (s *Store) CompletedSince(ctx context.Context, source, script string, since int64) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM data_source_runs
		WHERE source = $1 AND script = $2 AND status = 'COMPLETED' AND finished_at >= $3`, source, script, since).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: unable to check runs of %s/%s: %w", source, script, err)
	}
	return n > 0, nil
}

// LastFetched is where incremental collection of a script resumes, or nil.
func (s *Store) LastFetched(ctx context.Context, source, script string) (*int64, error) {
	var v sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT last_fetched_at FROM collect_state WHERE source = $1 AND script = $2`, source, script).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: unable to fetch the collection state of %s/%s: %w", source, script, err)
	}
	return nullable(v), nil
}

// SetLastFetched records where the next run of a script resumes; nil
// resets it (a full re-import).
func (s *Store) SetLastFetched(ctx context.Context, source, script string, at *int64) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO collect_state (source, script, last_fetched_at) VALUES ($1, $2, $3)
		ON CONFLICT (source, script) DO UPDATE SET last_fetched_at = excluded.last_fetched_at`, source, script, at)
	if err != nil {
		return fmt.Errorf("store: unable to save the collection state of %s/%s: %w", source, script, err)
	}
	return nil
}

// ResetLastFetched clears the resume point of every script of a source, or
// of all sources when source is "".
func (s *Store) ResetLastFetched(ctx context.Context, source string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE collect_state SET last_fetched_at = NULL WHERE $1 = '' OR source = $1`, source)
	if err != nil {
		return fmt.Errorf("store: unable to reset the collection state: %w", err)
	}
	return nil
}
