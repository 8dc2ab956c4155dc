package store_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/momentum-app/momentum/backend/store"
	"github.com/momentum-app/momentum/backend/store/pgembed/pgembedtest"
	"github.com/momentum-app/momentum/backend/store/storetest"
)

func TestParseSpec(t *testing.T) {
	for _, ok := range []string{"", "embedded", "sqlite", "sqlite:/tmp/x.db", "postgres://u:p@h:5432/d", "postgresql://h/d"} {
		if _, err := store.ParseSpec(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for bad, want := range map[string]string{
		"mysql://x":             "unknown database",
		"sqlite:":               "needs a file path",
		"postgres://":           "not a valid PostgreSQL URL",
		"Embedded":              "unknown database",
		"postgres://u:secret@/": "xxxxx",
	} {
		_, err := store.ParseSpec(bad)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err = %v, want it to mention %q", bad, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("%q: the error shows the password: %v", bad, err)
		}
	}
}

func TestMigrationsOnBothEngines(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		var n int
		// Every table of schema v1 exists and is empty.
		for _, table := range []string{"commits", "commit_files", "pull_requests", "pull_request_reviews", "pull_request_comments",
			"pull_request_commits", "pipelines", "pipeline_runs", "pipeline_jobs", "deployments", "deployment_pull_requests",
			"tickets", "ticket_transitions", "sprints", "boards", "quality_snapshots", "quality_issues", "cost_records", "budgets",
			"teams", "team_members", "team_repositories", "saved_views", "people", "accounts", "repositories",
			"data_source_configs", "data_source_runs", "settings"} {
			if err := st.DB().QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil || n != 0 {
				t.Errorf("%s: count %d, %v", table, n, err)
			}
		}
		// Identity columns hand out IDs without being given one.
		var id int64
		if err := st.DB().QueryRow(`INSERT INTO teams (name, created_at) VALUES ('a', 0) RETURNING id`).Scan(&id); err != nil || id != 1 {
			t.Errorf("identity: id %d, %v", id, err)
		}
	})
}

func TestReopenKeepsDataAndSchema(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "m.db")
	st, err := store.Open(context.Background(), store.Options{DB: db, DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB().Exec(`INSERT INTO teams (name, created_at) VALUES ('kept', 0)`); err != nil {
		t.Fatal(err)
	}
	st.Close()
	st, err = store.Open(context.Background(), store.Options{DB: db, DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	teams, err := st.Teams(context.Background())
	if err != nil || len(teams) != 1 || teams[0].Name != "kept" {
		t.Errorf("after reopening: %v %v", teams, err)
	}
}

func TestBadLocations(t *testing.T) {
	ctx := context.Background()
	if os.Geteuid() != 0 { // root writes anywhere
		ro := t.TempDir()
		os.Chmod(ro, 0o500)
		defer os.Chmod(ro, 0o700)
		_, err := store.Open(ctx, store.Options{DB: "sqlite", DataDir: filepath.Join(ro, "sub")})
		if err == nil || !strings.Contains(err.Error(), "cannot be created") {
			t.Errorf("unwritable parent: %v", err)
		}
		_, err = store.Open(ctx, store.Options{DB: "sqlite", DataDir: ro})
		if err == nil || !strings.Contains(err.Error(), "not writable") {
			t.Errorf("unwritable data dir: %v", err)
		}
	}
	_, err := store.Open(ctx, store.Options{DB: "postgres://momentum:hunter2@127.0.0.1:1/x?connect_timeout=2", DataDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "cannot reach PostgreSQL") || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("unreachable PostgreSQL: %v", err)
	}
}

// The default engine: the bundled PostgreSQL, or SQLite with a notice saying
// why not (as root, PostgreSQL refuses to run).
func TestEmbeddedOrFallback(t *testing.T) {
	dir := t.TempDir()
	st, err := store.Open(context.Background(), store.Options{DB: "embedded", DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if os.Geteuid() == 0 {
		if st.Engine() != store.EngineSQLite || !strings.Contains(st.Notice(), "refuses to run as root") {
			t.Errorf("as root: engine %s, notice %q", st.Engine(), st.Notice())
		}
		return
	}
	pgembedtest.Require(t)
	if st.Engine() != store.EngineEmbedded || st.Notice() != "" {
		t.Fatalf("engine %s, notice %q", st.Engine(), st.Notice())
	}
	if _, err := st.DB().Exec(`INSERT INTO teams (name, created_at) VALUES ('shared', 0)`); err != nil {
		t.Fatal(err)
	}
	// A second process on the same data dir (the CLI while the desktop app
	// runs) uses the running server instead of a separate SQLite file.
	second, err := store.Open(context.Background(), store.Options{DB: "embedded", DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	teams, err := second.Teams(context.Background())
	second.Close()
	if err != nil || len(teams) != 1 || second.Engine() != store.EngineEmbedded {
		t.Errorf("second open: engine %s, teams %v, %v", second.Engine(), teams, err)
	}
	// Closing the second did not stop the first's server.
	if err := st.DB().Ping(); err != nil {
		t.Errorf("the owner's server stopped: %v", err)
	}
}
