// Package pgembedtest gives other packages' tests a real PostgreSQL: one bundled
// server per test binary, started on first use, and a fresh database per call.
//
//	func TestMain(m *testing.M) { os.Exit(pgembedtest.Main(m)) }
//
//	func TestSomething(t *testing.T) {
//		db, err := sql.Open("pgx", pgembedtest.DSN(t))
//		...
//	}
//
// When the bundled PostgreSQL cannot run here (no bundle built, or running as
// root) tests are skipped, or fail when MOMENTUM_TEST_REQUIRE_PG=1 (CI).
package pgembedtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"

	"github.com/momentum-app/momentum/backend/store/pgembed"
)

// RequireEnv, set to 1, turns skips for a missing PostgreSQL into failures.
const RequireEnv = "MOMENTUM_TEST_REQUIRE_PG"

// The shared server lives for the whole test binary, so it is package state:
// tests cannot hand it through constructors. Main stops it.
var (
	mainRunning atomic.Bool
	startOnce   sync.Once
	shared      struct {
		dir   string
		srv   *pgembed.Server
		admin *sql.DB
		err   error
	}
	dbCount atomic.Int64
)

// Require skips the test (or fails it under MOMENTUM_TEST_REQUIRE_PG=1) when the
// bundled PostgreSQL cannot run here.
func Require(tb testing.TB) {
	tb.Helper()
	err := pgembed.Available()
	if err == nil {
		return
	}
	hint := ""
	switch {
	case errors.Is(err, pgembed.ErrBundleMissing):
		hint = "run build/fetch-postgres.sh"
	case errors.Is(err, pgembed.ErrRunningAsRoot):
		hint = "run the tests as an unprivileged user"
	}
	if os.Getenv(RequireEnv) == "1" {
		tb.Fatalf("bundled PostgreSQL required (%s=1) but unavailable (%s): %v", RequireEnv, hint, err)
	}
	tb.Skipf("bundled PostgreSQL unavailable (%s): %v", hint, err)
}

// Main runs the tests and then stops the shared server, which would otherwise
// outlive the test binary (postgres runs as its own daemon). Call it from TestMain.
func Main(m *testing.M) int {
	mainRunning.Store(true)
	code := m.Run()
	if shared.admin != nil {
		shared.admin.Close()
	}
	if shared.srv != nil {
		if err := shared.srv.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "pgembedtest:", err)
			if code == 0 {
				code = 1
			}
		}
	}
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	return code
}

// DSN returns the URL of a new, empty database on the shared server. The
// database is dropped when the test ends.
func DSN(tb testing.TB) string {
	tb.Helper()
	Require(tb)
	if !mainRunning.Load() {
		tb.Fatal("pgembedtest: add func TestMain(m *testing.M) { os.Exit(pgembedtest.Main(m)) } so the shared server is stopped")
	}
	startOnce.Do(startShared)
	if shared.err != nil {
		tb.Fatalf("pgembedtest: %v", shared.err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	name := fmt.Sprintf("t_%d", dbCount.Add(1))
	if _, err := shared.admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		tb.Fatalf("pgembedtest: unable to create database %s: %v", name, err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		// FORCE ends connections the test left open.
		if _, err := shared.admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			tb.Logf("pgembedtest: unable to drop database %s: %v", name, err)
		}
	})

	u, err := url.Parse(shared.srv.DSN())
	if err != nil {
		tb.Fatalf("pgembedtest: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

func startShared() {
	dir, err := os.MkdirTemp("", "pgembedtest-")
	if err != nil {
		shared.err = fmt.Errorf("unable to create a temporary directory: %w", err)
		return
	}
	shared.dir = dir
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	srv, err := pgembed.Start(ctx, pgembed.Config{Dir: dir, StartTimeout: time.Minute})
	if err != nil {
		shared.err = err
		return
	}
	shared.srv = srv
	admin, err := sql.Open("pgx", srv.DSN())
	if err != nil {
		shared.err = err
		return
	}
	admin.SetMaxOpenConns(2)
	shared.admin = admin
}
