package pgembed_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/momentum-app/momentum/backend/store/pgembed"
	"github.com/momentum-app/momentum/backend/store/pgembed/pgembedtest"
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(crashHelperEnv); dir != "" {
		os.Exit(crashHelper(dir)) // a child process of the crash tests
	}
	os.Exit(m.Run())
}

// crashHelperEnv makes the test binary, re-run as a child, start a server on
// the named Dir, store a row and exit without Stop: a Momentum that was killed.
const crashHelperEnv = "PGEMBED_TEST_CRASH_DIR"

func crashHelper(dir string) int {
	srv, err := pgembed.Start(context.Background(), pgembed.Config{Dir: dir})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	db, err := sql.Open("pgx", srv.DSN())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer db.Close()
	_, err = db.Exec(`CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL);
		INSERT INTO notes (body) VALUES ('before the crash')`)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0 // no Stop: postgres keeps running, orphaned
}

func start(t testing.TB, dir string) *pgembed.Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	srv, err := pgembed.Start(ctx, pgembed.Config{Dir: dir, Logger: testLog{t}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Stop() })
	return srv
}

// testLog sends the server's output to the test log.
type testLog struct{ t testing.TB }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Logf("postgres: %s", strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func open(t testing.TB, srv *pgembed.Server) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", srv.DSN())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func mustExec(t testing.TB, db *sql.DB, query string, args ...any) {
	t.Helper()
	if _, err := db.Exec(query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func notes(t testing.TB, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query("SELECT body FROM notes ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		got = append(got, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return got
}

func TestStartStopStartKeepsData(t *testing.T) {
	pgembedtest.Require(t)
	// A space, as in macOS's ~/Library/Application Support.
	dir := filepath.Join(t.TempDir(), "Application Support", "momentum")

	srv := start(t, dir)
	u, err := url.Parse(srv.DSN())
	if err != nil {
		t.Fatal(err)
	}
	if u.Scheme != "postgres" || u.User.Username() != "momentum" || u.Hostname() != "127.0.0.1" ||
		u.Port() != fmt.Sprint(srv.Port()) || u.Path != "/momentum" || u.Query().Get("sslmode") != "disable" {
		t.Errorf("DSN = %s", srv.DSN())
	}
	db := open(t, srv)
	mustExec(t, db, "CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL)")
	mustExec(t, db, "INSERT INTO notes (body) VALUES ($1)", "héllo ✓")
	var enc, collate string
	if err := db.QueryRow("SELECT pg_encoding_to_char(encoding), datcollate FROM pg_database WHERE datname = 'momentum'").Scan(&enc, &collate); err != nil {
		t.Fatal(err)
	}
	if enc != "UTF8" || collate != "C" {
		t.Errorf("encoding %s, collation %s; want UTF8, C", enc, collate)
	}
	db.Close()

	if fi, err := os.Stat(filepath.Join(dir, "password")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("password file: %v, mode %v; want 0600", err, fi.Mode().Perm())
	}
	marker := completeMarker(t, dir)
	extracted, err := os.Stat(marker)
	if err != nil {
		t.Fatal(err)
	}

	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := srv.Stop(); err != nil {
		t.Fatalf("second Stop: %v", err)
	}

	srv2 := start(t, dir)
	if got := notes(t, open(t, srv2)); len(got) != 1 || got[0] != "héllo ✓" {
		t.Fatalf("after restart notes = %q", got)
	}
	again, err := os.Stat(marker)
	if err != nil || !again.ModTime().Equal(extracted.ModTime()) {
		t.Errorf("the bundle was extracted again on the second start (%v)", err)
	}
}

// completeMarker finds the single extracted bundle's completion marker.
func completeMarker(t testing.TB, dir string) string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "binaries", "*", ".momentum-complete"))
	if err != nil || len(m) != 1 {
		t.Fatalf("want one extracted bundle under %s/binaries, got %v (%v)", dir, m, err)
	}
	return m[0]
}

// A second Start on a Dir whose server runs fails: adopting it would give the
// server two owners, and the first Stop would pull it from under the other.
func TestSecondStartOnSameDirFails(t *testing.T) {
	pgembedtest.Require(t)
	dir := t.TempDir()
	first := start(t, dir)

	_, err := pgembed.Start(context.Background(), pgembed.Config{Dir: dir})
	if !errors.Is(err, pgembed.ErrInUse) {
		t.Fatalf("second Start: %v; want ErrInUse", err)
	}
	if !strings.Contains(err.Error(), fmt.Sprint(os.Getpid())) {
		t.Errorf("error does not name the holder (pid %d): %v", os.Getpid(), err)
	}
	db := open(t, first)
	if err := db.Ping(); err != nil {
		t.Fatalf("the first server suffered from the second Start: %v", err)
	}
	db.Close()

	if err := first.Stop(); err != nil {
		t.Fatal(err)
	}
	start(t, dir) // free again
}

func TestStartHonoursCancelledContext(t *testing.T) {
	pgembedtest.Require(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := pgembed.Start(ctx, pgembed.Config{Dir: t.TempDir()}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Start with a cancelled context: %v", err)
	}
}

func TestInterruptedFirstStartIsRedone(t *testing.T) {
	pgembedtest.Require(t)
	dir := t.TempDir()
	// What a crash between initdb and creating the database leaves behind.
	data := filepath.Join(dir, "data")
	if err := os.MkdirAll(data, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(data, "PG_VERSION"), []byte("17\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	db := open(t, start(t, dir))
	if err := db.Ping(); err != nil {
		t.Fatal(err)
	}
}

func TestDataFromAnotherMajorIsNotWiped(t *testing.T) {
	pgembedtest.Require(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	if err := os.MkdirAll(data, 0o700); err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{"PG_VERSION": "16\n", "momentum.ready": "", "precious": "x"} {
		if err := os.WriteFile(filepath.Join(data, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	_, err := pgembed.Start(context.Background(), pgembed.Config{Dir: dir})
	if err == nil || !strings.Contains(err.Error(), "pg_upgrade") {
		t.Fatalf("Start on PostgreSQL 16 data: %v; want a pg_upgrade error", err)
	}
	if _, err := os.Stat(filepath.Join(data, "precious")); err != nil {
		t.Fatalf("the old data directory was touched: %v", err)
	}
}

func TestStartRefusesRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only meaningful as root")
	}
	_, err := pgembed.Start(context.Background(), pgembed.Config{Dir: t.TempDir()})
	if !errors.Is(err, pgembed.ErrRunningAsRoot) || !strings.Contains(err.Error(), "PostgreSQL refuses to run as root") {
		t.Fatalf("Start as root: %v; want ErrRunningAsRoot", err)
	}
	if err := pgembed.Available(); !errors.Is(err, pgembed.ErrRunningAsRoot) {
		t.Fatalf("Available as root: %v; want ErrRunningAsRoot", err)
	}
}

// Benchmarks for the timings in README.md; run them as an unprivileged user:
//
//	go test -c -o /tmp/pgembed.test ./backend/store/pgembed
//	runuser -u momentum-ci -- /tmp/pgembed.test -test.run '^$' -test.bench . -test.benchtime 5x

// BenchmarkStartCold: extract the bundle, initdb, start, create the database.
func BenchmarkStartCold(b *testing.B) {
	pgembedtest.Require(b)
	for b.Loop() {
		dir := b.TempDir()
		srv, err := pgembed.Start(context.Background(), pgembed.Config{Dir: dir})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		srv.Stop()
		os.RemoveAll(dir)
		b.StartTimer()
	}
}

// BenchmarkStartWarm: start an extracted, initialised Dir until it accepts connections.
func BenchmarkStartWarm(b *testing.B) {
	pgembedtest.Require(b)
	dir := b.TempDir()
	start(b, dir).Stop()
	for b.Loop() {
		srv, err := pgembed.Start(context.Background(), pgembed.Config{Dir: dir})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		srv.Stop()
		b.StartTimer()
	}
}

// BenchmarkStop: a fast shutdown of an idle server, waiting for it to exit.
func BenchmarkStop(b *testing.B) {
	pgembedtest.Require(b)
	dir := b.TempDir()
	start(b, dir).Stop()
	for b.Loop() {
		b.StopTimer()
		srv, err := pgembed.Start(context.Background(), pgembed.Config{Dir: dir})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := srv.Stop(); err != nil {
			b.Fatal(err)
		}
	}
}
