package store

import (
	"context"
	"fmt"
)

// Analyze refreshes the statistics the query planners choose indexes by.
// Call it after writing many rows (the demo data, a collection): without
// statistics SQLite guesses, and on a million-row history a wrong guess
// turns a 90-day metric from milliseconds into seconds. SQLite reads every
// index (seconds on a gigabyte file): sampled statistics (analysis_limit)
// were measured to mislead it into minute-long plans on the large demo data
// (build/bench-metrics.sh). PostgreSQL samples on its own terms, and its
// autovacuum analyzes too, later.
func (s *Store) Analyze(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, "ANALYZE"); err != nil {
		return fmt.Errorf("store: unable to analyze the database: %w", err)
	}
	return nil
}
