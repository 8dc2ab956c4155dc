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
// (build/bench-metrics.sh). PostgreSQL samples on its own terms; there it
// vacuums as well, as its autovacuum would later: after a bulk load or a
// rollup rebuild the visibility map is what lets an index-only scan skip
// the table (on the large demo, without it, 16k of 103k commits of a
// 90-day count were read from the heap). Only pages changed since the last
// vacuum are visited.
func (s *Store) Analyze(ctx context.Context) error {
	stmt := "ANALYZE"
	if s.Engine().Postgres() {
		stmt = "VACUUM (ANALYZE)" // not in a transaction: one statement on the pool
	}
	if _, err := s.db.ExecContext(ctx, stmt); err != nil {
		return fmt.Errorf("store: unable to analyze the database: %w", err)
	}
	return nil
}
