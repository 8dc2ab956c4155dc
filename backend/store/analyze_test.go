package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/momentum-app/momentum/backend/store"
	"github.com/momentum-app/momentum/backend/store/storetest"
)

// Analyze leaves the planner statistics of a table's indexes behind.
func TestAnalyzeWritesStatistics(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		for i := range 50 {
			if _, err := st.DB().ExecContext(ctx, `INSERT INTO people (display_name, email, created_at) VALUES ($1, $2, 1)`,
				fmt.Sprintf("P%d", i), fmt.Sprintf("p%d@example.com", i)); err != nil {
				t.Fatal(err)
			}
		}
		stats := `SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'people' AND idx = 'people_email_idx'`
		if st.Engine().Postgres() {
			stats = `SELECT COUNT(*) FROM pg_stats WHERE tablename = 'people' AND attname = 'email'`
		}
		if err := st.Analyze(ctx); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := st.DB().QueryRowContext(ctx, stats).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Fatal("no statistics for people after Analyze")
		}
		if st.Engine().Postgres() {
			// Vacuumed too: the pages are all-visible, so index-only scans skip the table.
			var visible, pages int
			if err := st.DB().QueryRowContext(ctx, `SELECT relallvisible, relpages FROM pg_class WHERE relname = 'people'`).Scan(&visible, &pages); err != nil {
				t.Fatal(err)
			}
			if pages == 0 || visible != pages {
				t.Fatalf("people: %d of %d pages all-visible after Analyze, want all", visible, pages)
			}
		}
	})
}
