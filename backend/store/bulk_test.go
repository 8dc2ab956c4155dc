package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/momentum-app/momentum/backend/store"
	"github.com/momentum-app/momentum/backend/store/pgembed/pgembedtest"
)

// TestMain stops the shared bundled PostgreSQL of the tests at exit.
func TestMain(m *testing.M) { os.Exit(pgembedtest.Main(m)) }

func openSQLite(t *testing.T) *store.Store {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(context.Background(), store.Options{DB: "sqlite:" + filepath.Join(dir, "m.db"), DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func openPostgres(tb testing.TB) *store.Store {
	tb.Helper()
	st, err := store.Open(context.Background(), store.Options{DB: pgembedtest.DSN(tb), DataDir: tb.TempDir()})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// bulkEngines runs fn on SQLite and on the bundled PostgreSQL (skipped where
// it cannot run, e.g. as root).
func bulkEngines(t *testing.T, fn func(t *testing.T, st *store.Store)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, openSQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, openPostgres(t)) })
}

func TestBulkInsertRoundTrip(t *testing.T) {
	bulkEngines(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		people := [][]any{
			{int64(1), "Ada", "ada@acme.dev", false, int64(100)},
			{int64(2), "dependabot[bot]", "", true, int64(200)},
		}
		if err := st.BulkInsert(ctx, "people", []string{"id", "display_name", "email", "is_bot", "created_at"}, people); err != nil {
			t.Fatal(err)
		}
		if err := st.BulkInsert(ctx, "repositories", []string{"id", "source", "external_id", "full_name", "name"},
			[][]any{{int64(7), "test", "7", "acme/api", "api"}}); err != nil {
			t.Fatal(err)
		}
		// More rows than one statement holds, and a tail that is not a
		// multiple of it; NULLs; every column type commits use.
		const n = 2345
		cols := []string{"id", "repo_id", "sha", "person_id", "authored_at", "author_tz_offset", "committed_at", "subject", "is_merge", "additions"}
		rows := make([][]any, n)
		for i := range rows {
			var person any
			if i%3 == 0 {
				person = int64(1 + i%2)
			}
			rows[i] = []any{int64(i + 1), int64(7), fmt.Sprintf("%040x", i), person, int64(1_700_000_000 + i), -300, int64(1_700_000_000 + i), "fix: ünïcode 'quotes' \"and\" \\ backslash", i%10 == 0, int64(i)}
		}
		if err := st.BulkInsert(ctx, "commits", cols, rows); err != nil {
			t.Fatal(err)
		}
		var count, nulls, merges, sumAdd int64
		err := st.DB().QueryRowContext(ctx, `SELECT COUNT(*), SUM(CASE WHEN person_id IS NULL THEN 1 ELSE 0 END),
			SUM(CASE WHEN is_merge THEN 1 ELSE 0 END), SUM(additions) FROM commits`).Scan(&count, &nulls, &merges, &sumAdd)
		if err != nil {
			t.Fatal(err)
		}
		if count != n || nulls != n-(n+2)/3 || merges != (n+9)/10 || sumAdd != n*(n-1)/2 {
			t.Fatalf("count=%d nulls=%d merges=%d sum=%d", count, nulls, merges, sumAdd)
		}
		var subject string
		var tz int
		if err := st.DB().QueryRowContext(ctx, `SELECT subject, author_tz_offset FROM commits WHERE id = 2345`).Scan(&subject, &tz); err != nil {
			t.Fatal(err)
		}
		if subject != rows[0][7] || tz != -300 {
			t.Fatalf("got %q %d", subject, tz)
		}
		var bot bool
		if err := st.DB().QueryRowContext(ctx, `SELECT is_bot FROM people WHERE id = 2`).Scan(&bot); err != nil || !bot {
			t.Fatalf("is_bot=%v err=%v", bot, err)
		}
	})
}

func TestBulkInsertIsAllOrNothing(t *testing.T) {
	bulkEngines(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		cols := []string{"id", "display_name", "created_at"}
		rows := make([][]any, 1200)
		for i := range rows {
			rows[i] = []any{int64(i + 1), "p", int64(0)}
		}
		rows[1100][0] = int64(5) // a duplicate id in a late statement
		if err := st.BulkInsert(ctx, "people", cols, rows); err == nil {
			t.Fatal("duplicate id accepted")
		}
		var n int
		if err := st.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM people`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("%d rows left after a failed bulk insert (err %v)", n, err)
		}
	})
}

func TestBulkInsertRejectsBadInput(t *testing.T) {
	st := openSQLite(t)
	ctx := context.Background()
	for _, tc := range []struct {
		table string
		cols  []string
		rows  [][]any
		want  string
	}{
		{"people; DROP TABLE people", []string{"id"}, nil, "invalid table name"},
		{"People", []string{"id"}, nil, "invalid table name"},
		{"people", []string{`id"`}, nil, "invalid column name"},
		{"people", []string{"display_name", "id) VALUES (1); --"}, nil, "invalid column name"},
		{"people", nil, nil, "no columns"},
		{"people", []string{"id", "id"}, nil, "given twice"},
		{"people", []string{"id", "display_name"}, [][]any{{int64(1)}}, "row 0 has 1 values for 2 columns"},
	} {
		err := st.BulkInsert(ctx, tc.table, tc.cols, tc.rows)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("BulkInsert(%q, %q): err %v, want %q", tc.table, tc.cols, err, tc.want)
		}
	}
	if err := st.ResetSequences(ctx, "people", "x y"); err == nil {
		t.Error("ResetSequences accepted a bad table name")
	}
}

func TestResetSequences(t *testing.T) {
	bulkEngines(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		if err := st.BulkInsert(ctx, "people", []string{"id", "display_name", "created_at"},
			[][]any{{int64(41), "a", int64(0)}, {int64(42), "b", int64(0)}}); err != nil {
			t.Fatal(err)
		}
		if err := st.ResetSequences(ctx, "people", "teams"); err != nil {
			t.Fatal(err)
		}
		id := insertReturningID(t, st, `INSERT INTO people (display_name, created_at) VALUES ('c', 0) RETURNING id`)
		if id != 43 {
			t.Fatalf("next person id %d, want 43", id)
		}
		// An empty table starts at 1.
		if id := insertReturningID(t, st, `INSERT INTO teams (name, created_at) VALUES ('t', 0) RETURNING id`); id != 1 {
			t.Fatalf("first team id %d, want 1", id)
		}
	})
}

func insertReturningID(t *testing.T, st *store.Store, q string) int64 {
	t.Helper()
	var id sql.NullInt64
	if err := st.DB().QueryRowContext(context.Background(), q).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id.Int64
}

// BenchmarkBulkInsertCommits measures the loader on the widest hot table.
func BenchmarkBulkInsertCommits(b *testing.B) {
	dir := b.TempDir()
	st, err := store.Open(context.Background(), store.Options{DB: "sqlite:" + filepath.Join(dir, "m.db"), DataDir: dir})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	benchmarkCommits(b, st)
}

func BenchmarkBulkInsertCommitsPostgres(b *testing.B) {
	benchmarkCommits(b, openPostgres(b))
}

func benchmarkCommits(b *testing.B, st *store.Store) {
	ctx := context.Background()
	if err := st.BulkInsert(ctx, "repositories", []string{"id", "source", "external_id", "full_name", "name"},
		[][]any{{int64(1), "bench", "1", "acme/api", "api"}}); err != nil {
		b.Fatal(err)
	}
	cols := []string{"id", "repo_id", "sha", "authored_at", "author_tz_offset", "committed_at", "subject", "is_merge", "additions", "deletions", "files_changed"}
	const batch = 10_000
	rows := make([][]any, batch)
	next := int64(1)
	b.ResetTimer()
	for b.Loop() {
		for i := range rows {
			rows[i] = []any{next, int64(1), fmt.Sprintf("%040x", next*2654435761), next * 60, 60, next * 60, "feat: something", false, int64(10), int64(3), int64(2)}
			next++
		}
		if err := st.BulkInsert(ctx, "commits", cols, rows); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "rows/s")
}
