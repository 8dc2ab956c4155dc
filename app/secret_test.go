package app

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/momentum-app/momentum/backend/store"
	"github.com/momentum-app/momentum/backend/store/pgembed/pgembedtest"
)

func TestMain(m *testing.M) { os.Exit(pgembedtest.Main(m)) }

// TestSecretIsInNoFileRowOrLog configures a secret, collects with debug
// logging (one script fails with an answer that echoes the token) and then,
// with the secret still configured, looks for it everywhere: every file
// under the data directory (the SQLite database, its WAL, the encrypted
// secret store), every column of every table, and every line the CLI
// printed or logged. It must be nowhere but where it is encrypted.
func TestSecretIsInNoFileRowOrLog(t *testing.T) {
	const token = "tf_SECRET_grep_me_4242"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/repos":
			if r.Header.Get("Authorization") != "Bearer "+token {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			fmt.Fprint(w, `[{"ID":"1","Name":"acme/api"}]`)
		case "/commits": // echoes the token it was given
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"message":"no such thing for `+r.URL.Query().Get("token")+`"}`)
		}
	}))
	defer srv.Close()
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			dataDir := t.TempDir()
			db := "sqlite"
			if engine == "postgres" {
				db = pgembedtest.DSN(t)
			}
			t.Setenv("MOMENTUM_SECRET_KEY", "an-operator-provided-key-of-enough-length")
			t.Setenv("MOMENTUM_DATA_DIR", dataDir)
			t.Setenv("MOMENTUM_DB", db)
			var printed strings.Builder
			cli := func(stdin string, args ...string) int {
				t.Helper()
				code, out, errs := runCLI(t, stdin, append([]string{"-v"}, args...)...)
				printed.WriteString(out + errs)
				return code
			}
			if code := cli(token+"\n", "config", "set", "testforge", "TESTFORGE_TOKEN=-", "TESTFORGE_URL="+srv.URL); code != 0 {
				t.Fatalf("config set: %s", printed.String())
			}
			if code := cli("", "collect"); code != 1 {
				t.Fatalf("collect exited %d, want 1 (commit fails):\n%s", code, printed.String())
			}
			cli("", "runs", "--format", "json")
			cli("", "config", "show", "testforge", "--format", "json")
			logs := printed.String()
			// The checks below can fail: the run did send the token and
			// its answer did echo it, and the logs are at debug level.
			if !strings.Contains(logs, "level=DEBUG") || !strings.Contains(logs, "testforge/commit") {
				t.Fatalf("no debug log or no collection in the output:\n%s", logs)
			}
			if strings.Contains(logs, token) {
				t.Errorf("the token was printed or logged:\n%s", logs)
			}
			files := 0
			var names []string
			filepath.Walk(dataDir, func(path string, info os.FileInfo, err error) error {
				if err == nil && !info.IsDir() {
					files++
					names = append(names, path)
					if b, _ := os.ReadFile(path); strings.Contains(string(b), token) {
						t.Errorf("%s holds the token", path)
					}
				}
				return nil
			})
			if engine == "sqlite" && !strings.Contains(strings.Join(names, " "), "momentum.db") {
				t.Errorf("no database file among %d files in the data directory (%v)", files, names)
			}
			st, err := store.Open(context.Background(), store.Options{DB: db, DataDir: dataDir})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			// The secret is there, sealed in its reference.
			var ref string
			if err := st.DB().QueryRow(`SELECT secret_ref FROM data_source_configs WHERE source = 'testforge' AND key = 'TESTFORGE_TOKEN'`).Scan(&ref); err != nil || !strings.HasPrefix(ref, "aesgcm:") {
				t.Errorf("the token's row holds %q (%v), want a sealed reference", ref, err)
			}
			cells := grepTables(t, st, token)
			if cells < 10 {
				t.Errorf("looked at only %d cells", cells)
			}
		})
	}
}

// grepTables reads every column of every table as text and reports a cell
// that contains needle; it returns how many non-empty cells it read.
func grepTables(t *testing.T, st *store.Store, needle string) int {
	t.Helper()
	q := `SELECT name FROM sqlite_master WHERE type = 'table'`
	if st.Engine().Postgres() {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
	}
	rows, err := st.DB().Query(q)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	cells := 0
	for _, table := range tables {
		rows, err := st.DB().Query(`SELECT * FROM "` + table + `"`)
		if err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]sql.NullString, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatalf("%s: %v", table, err)
			}
			for i, v := range vals {
				if v.String != "" {
					cells++
				}
				if strings.Contains(v.String, needle) {
					t.Errorf("%s.%s holds the secret", table, cols[i])
				}
			}
		}
		rows.Close()
	}
	return cells
}
