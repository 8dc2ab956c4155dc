package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/momentum-app/momentum/backend/source"
)

// A test-only source, registered in the production registry for these
// tests: it lists repositories from an HTTP API that wants a token.
func init() {
	source.Register(&source.Source{
		ID: "testforge", Name: "Test Forge", Category: source.CategoryVCS,
		Keys: []source.Key{
			{Name: "TESTFORGE_TOKEN", Label: "Token", Kind: source.KindText, Required: true, Secret: true, Help: "API token"},
			{Name: "TESTFORGE_URL", Label: "API URL", Kind: source.KindURL, Required: true, Help: "base URL"},
		},
		Scripts: []source.Script{{
			Name: "repository", Provides: []string{"testforge.repositories"},
			Run: func(ctx context.Context, job *source.Job) error {
				var repos []struct{ ID, Name string }
				hdr := http.Header{"Authorization": {"Bearer " + job.Config.Get("TESTFORGE_TOKEN")}}
				if _, err := job.HTTP.GetJSON(ctx, job.Config.Get("TESTFORGE_URL")+"/repos", hdr, &repos); err != nil {
					return err
				}
				for _, r := range repos {
					if _, err := job.Store.DB().ExecContext(ctx, `INSERT INTO repositories (source, external_id, full_name, name)
						VALUES ('testforge', $1, $2, $2) ON CONFLICT (source, external_id) DO UPDATE SET full_name = excluded.full_name`, r.ID, r.Name); err != nil {
						return err
					}
					job.AddItems(1)
				}
				return nil
			},
		}, {
			Name: "commit", Provides: []string{"testforge.commits"}, DependsOn: []string{"testforge.repositories"},
			Run: func(ctx context.Context, job *source.Job) error {
				_, err := job.HTTP.GetJSON(ctx, job.Config.Get("TESTFORGE_URL")+"/commits?token="+job.Config.Get("TESTFORGE_TOKEN"), nil, &[]int{})
				return err
			},
		}},
	})
}

const cliToken = "tf_SECRET_0x5eed"

// runCLI runs momentum with args and returns its exit status, stdout and
// stderr.
func runCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	dir := t.TempDir()
	files := map[string]*os.File{}
	for _, name := range []string{"out", "err", "in"} {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		files[name] = f
	}
	files["in"].WriteString(stdin)
	files["in"].Seek(0, 0)
	oldOut, oldErr, oldIn := os.Stdout, os.Stderr, os.Stdin
	os.Stdout, os.Stderr, os.Stdin = files["out"], files["err"], files["in"]
	code := Main(nil, args)
	os.Stdout, os.Stderr, os.Stdin = oldOut, oldErr, oldIn
	out, _ := os.ReadFile(files["out"].Name())
	errb, _ := os.ReadFile(files["err"].Name())
	for _, f := range files {
		f.Close()
	}
	return code, string(out), string(errb)
}

func TestSourcesConfigCollectRunsEndToEnd(t *testing.T) {
	var repoCalls int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/repos":
			if r.Header.Get("Authorization") != "Bearer "+cliToken {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			repoCalls++
			if repoCalls == 1 { // one 503 first: the client retries
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			fmt.Fprint(w, `[{"ID":"1","Name":"acme/api"},{"ID":"2","Name":"acme/web"}]`)
		case "/commits":
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"message":"no such thing for `+r.URL.Query().Get("token")+`"}`)
		}
	}))
	defer srv.Close()
	dataDir := t.TempDir()
	t.Setenv("MOMENTUM_SECRET_KEY", "an-operator-provided-key-of-enough-length")
	t.Setenv("MOMENTUM_DATA_DIR", dataDir)
	t.Setenv("MOMENTUM_DB", "sqlite")
	var all strings.Builder
	cli := func(stdin string, args ...string) (int, string) {
		t.Helper()
		code, out, errs := runCLI(t, stdin, args...)
		all.WriteString(out + errs)
		return code, out + errs
	}

	code, out := cli("", "sources", "--format", "json")
	var listed struct{ Sources []map[string]any }
	if code != 0 || json.Unmarshal([]byte(out), &listed) != nil || len(listed.Sources) == 0 {
		t.Fatalf("sources: %d %s", code, out)
	}
	if code, out = cli("", "sources"); code != 0 || !strings.Contains(out, "testforge.repositories") || !strings.Contains(out, "TESTFORGE_TOKEN") {
		t.Errorf("sources table: %s", out)
	}
	// The secret comes from standard input, never the command line.
	code, out = cli(cliToken+"\n", "config", "set", "testforge", "TESTFORGE_TOKEN=-", "TESTFORGE_URL="+srv.URL)
	if code != 0 || !strings.Contains(out, source.Mask) {
		t.Fatalf("config set: %d %s", code, out)
	}
	if code, out = cli("", "config", "set", "testforge", "TESTFORGE_URL=nope"); code == 0 || !strings.Contains(out, "must be an http(s) URL") {
		t.Errorf("invalid value: %d %s", code, out)
	}
	code, out = cli("", "config", "show", "testforge", "--format", "json")
	if code != 0 || !strings.Contains(out, `"complete": true`) || !strings.Contains(out, `"secret_store": "aesgcm"`) {
		t.Errorf("config show: %s", out)
	}

	// commit fails (404): exit status 1, repository completed with 3
	// requests (a 503, then the list).
	code, out = cli("", "collect")
	if code != 1 || !strings.Contains(out, "testforge/repository  COMPLETED  2") || !strings.Contains(out, "1 of 2 scripts failed") {
		t.Errorf("collect: %d\n%s", code, out)
	}
	code, out = cli("", "runs", "--format", "json")
	var runs struct {
		Runs []struct {
			Script, Status, Error string
			Items, Requests       int64
		}
	}
	if code != 0 || json.Unmarshal([]byte(out), &runs) != nil || len(runs.Runs) != 2 {
		t.Fatalf("runs: %d %s", code, out)
	}
	for _, r := range runs.Runs {
		if r.Script == "repository" && (r.Items != 2 || r.Requests != 2) {
			t.Errorf("repository run: %+v", r)
		}
		if r.Script == "commit" && (r.Status != "FAILED" || !strings.Contains(r.Error, "404")) {
			t.Errorf("commit run: %+v", r)
		}
	}
	if code, out = cli("", "runs"); code != 0 || !strings.Contains(out, "LAST FETCHED") {
		t.Errorf("runs table: %s", out)
	}
	if code, out = cli("", "collect", "--source", "nope"); code == 0 || !strings.Contains(out, `unknown data source "nope"`) {
		t.Errorf("unknown source: %s", out)
	}
	if code, out = cli("", "collect", "--since", "last year"); code == 0 || !strings.Contains(out, "YYYY-MM-DD") {
		t.Errorf("bad --since: %s", out)
	}
	if code, out = cli("", "config", "unset", "testforge", "TESTFORGE_TOKEN"); code != 0 {
		t.Errorf("unset: %s", out)
	}

	// The token is nowhere: not in any output or log, not in the database.
	if strings.Contains(all.String(), cliToken) {
		t.Errorf("the token was printed:\n%s", all.String())
	}
	filepath.Walk(dataDir, func(path string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			if b, _ := os.ReadFile(path); strings.Contains(string(b), cliToken) {
				t.Errorf("%s holds the token", path)
			}
		}
		return nil
	})
}
