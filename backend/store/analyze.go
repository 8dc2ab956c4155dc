package store

import (
	"context"
	"fmt"
)

// Analyze refreshes the statistics the query planners choose indexes by.
// Call it after writing many rows (the demo data, a collection): without
// statistics SQLite guesses, and on a million-row history a wrong guess
// turns a 90-day metric from milliseconds into seconds. SQLite samples at
// most analysisLimit rows per index, so this stays fast on large files;
// PostgreSQL samples on its own terms (its autovacuum analyzes too, later).
func (s *Store) Analyze(ctx context.Context) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: unable to analyze the database: %w", err)
	}
	defer conn.Close()
	if !s.engine.Postgres() {
		// The limit is a property of the connection: set it on the one
		// that analyzes.
		if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA analysis_limit = %d", analysisLimit)); err != nil {
			return fmt.Errorf("store: unable to analyze the database: %w", err)
		}
	}
	if _, err := conn.ExecContext(ctx, "ANALYZE"); err != nil {
		return fmt.Errorf("store: unable to analyze the database: %w", err)
	}
	return nil
}

const analysisLimit = 2000
