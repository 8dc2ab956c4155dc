package github_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/momentum-app/momentum/app"
	"github.com/momentum-app/momentum/backend/source/github"
)

const cliToken = "ghp_CLI0token0of0the0end0to0end0test00000"

// cli runs momentum with args and stdin, as the command line would.
func cli(t *testing.T, stdin string, args ...string) (int, string) {
	t.Helper()
	dir := t.TempDir()
	open := func(name string) *os.File {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	out, in := open("out"), open("in")
	in.WriteString(stdin)
	in.Seek(0, 0)
	oldOut, oldErr, oldIn := os.Stdout, os.Stderr, os.Stdin
	os.Stdout, os.Stderr, os.Stdin = out, out, in
	code := app.Main(nil, args)
	os.Stdout, os.Stderr, os.Stdin = oldOut, oldErr, oldIn
	out.Close()
	in.Close()
	b, _ := os.ReadFile(out.Name())
	return code, string(b)
}

// `momentum config set github ...` with the fake GitHub as the API base URL,
// then `momentum collect`, twice: every script completes, the run records
// hold the request counts, and the metrics compute on what was collected.
func TestCommandLineEndToEnd(t *testing.T) {
	fake := github.NewFakeGitHub(t, cliToken)
	dataDir := t.TempDir()
	t.Setenv("MOMENTUM_SECRET_KEY", "an-operator-provided-key-of-enough-length")
	t.Setenv("MOMENTUM_DATA_DIR", dataDir)
	t.Setenv("MOMENTUM_DB", "sqlite")
	var all strings.Builder
	run := func(stdin string, args ...string) (int, string) {
		t.Helper()
		code, out := cli(t, stdin, args...)
		all.WriteString(out)
		return code, out
	}

	code, out := run(cliToken+"\n", "config", "set", "github", "GITHUB_TOKEN=-", "GITHUB_ORGANIZATIONS=octo-org",
		"GITHUB_API_URL="+fake.URL(), "GITHUB_EXCLUDE_REPOSITORIES=octo-org/legacy-*")
	if code != 0 {
		t.Fatalf("config set: %d %s", code, out)
	}
	if code, out = run("", "config", "set", "github", "GITHUB_VISIBILITY=secret"); code == 0 || !strings.Contains(out, "must be one of all, public, private") {
		t.Errorf("a bad visibility: %d %s", code, out)
	}
	// The fixtures are from May 2026: reach back to them.
	if code, out = run("", "collect", "--source", "github", "--since", "2026-01-01"); code != 0 || !strings.Contains(out, "github/deployment") {
		t.Fatalf("collect: %d\n%s", code, out)
	}
	// A collection skips scripts another one completed since it began, to
	// the second: let the clock move on.
	time.Sleep(1100 * time.Millisecond)
	if code, out = run("", "collect", "--source", "github"); code != 0 {
		t.Fatalf("second collect: %d\n%s", code, out)
	}
	code, out = run("", "runs", "--format", "json")
	var runs struct {
		Runs []struct {
			Script, Status, Error string
			Items, Requests       int64
		}
	}
	if code != 0 || json.Unmarshal([]byte(out), &runs) != nil {
		t.Fatalf("runs: %d %s", code, out)
	}
	if len(runs.Runs) != 22 {
		t.Fatalf("%d runs, want 2 × 11 scripts: %s", len(runs.Runs), out)
	}
	var requests int64
	for _, r := range runs.Runs {
		if r.Status != "COMPLETED" {
			t.Errorf("%s: %s %s", r.Script, r.Status, r.Error)
		}
		requests += r.Requests
	}
	// 36 for the first sync (the request-count test's 39 without its 429,
	// 502 and 403), 21 for the re-sync.
	if requests != 36+21 {
		t.Errorf("the run records hold %d requests, want 57", requests)
	}
	served := 0
	for _, n := range fake.Requests() {
		served += n
	}
	if int64(served) != requests {
		t.Errorf("the fake served %d requests, the run records count %d", served, requests)
	}

	code, out = run("", "metrics", "commit-pr-activity", "--from", "2026-05-01", "--to", "2026-05-31", "--format", "json")
	var res struct{ Summary map[string]float64 }
	if code != 0 || json.Unmarshal([]byte(out), &res) != nil {
		t.Fatalf("metrics: %d %s", code, out)
	}
	if res.Summary["commits"] != 3 || res.Summary["prs_opened"] != 2 || res.Summary["prs_merged"] != 1 {
		t.Errorf("commit-pr-activity: %v", res.Summary)
	}
	code, out = run("", "metrics", "person-mrs", "--person", "octocat", "--from", "2026-05-01", "--to", "2026-05-31", "--format", "json")
	if code != 0 || json.Unmarshal([]byte(out), &res) != nil || res.Summary["prs_merged"] != 1 || res.Summary["size_mean_lines"] != 103 {
		t.Errorf("person-mrs: %d %s", code, out)
	}

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
