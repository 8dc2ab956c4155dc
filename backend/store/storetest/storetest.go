// Package storetest runs a test on every database engine Momentum supports:
// a fresh SQLite file and a fresh database on the bundled PostgreSQL.
package storetest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/momentum-app/momentum/backend/store"
	"github.com/momentum-app/momentum/backend/store/pgembed/pgembedtest"
)

// Each runs fn as a subtest per engine, each on a new, migrated database.
func Each(t *testing.T, fn func(t *testing.T, st *store.Store)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// SQLite opens a new SQLite store in a temporary directory.
func SQLite(tb testing.TB) *store.Store {
	tb.Helper()
	dir := tb.TempDir()
	return open(tb, "sqlite:"+filepath.Join(dir, "momentum.db"), dir)
}

// Postgres opens a store on a new database of the shared bundled PostgreSQL;
// it skips (or fails, under MOMENTUM_TEST_REQUIRE_PG=1) where none can run.
func Postgres(tb testing.TB) *store.Store {
	tb.Helper()
	return open(tb, pgembedtest.DSN(tb), tb.TempDir())
}

func open(tb testing.TB, db, dir string) *store.Store {
	st, err := store.Open(context.Background(), store.Options{DB: db, DataDir: dir})
	if err != nil {
		tb.Fatalf("open %s: %v", db, err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// Main wraps a package's TestMain so the shared PostgreSQL stops at exit.
func Main(m *testing.M) int { return pgembedtest.Main(m) }
