package app

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/momentum-app/momentum/backend/source/gitlab/gitlabtest"
)

// `momentum config set gitlab ...` and `momentum collect` against a fake
// GitLab (the instance URL is configuration), then metrics on what was
// collected, from the command line.
func TestGitLabFromTheCommandLine(t *testing.T) {
	fake := gitlabtest.New()
	defer fake.Close()
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
	type run struct {
		Source, Script, Status, Error string
		Items, Requests               int64
	}
	runs := func() []run {
		t.Helper()
		code, out := cli("", "runs", "--format", "json")
		var r struct{ Runs []run }
		if code != 0 || json.Unmarshal([]byte(out), &r) != nil {
			t.Fatalf("runs: %d %s", code, out)
		}
		return r.Runs
	}

	code, out := cli(gitlabtest.Token+"\n", "config", "set", "gitlab", "GITLAB_TOKEN=-", "GITLAB_URL="+fake.URL,
		"GITLAB_GROUPS=acme", "GITLAB_EXCLUDE=acme/legacy-*")
	if code != 0 {
		t.Fatalf("config set: %d %s", code, out)
	}
	fake.Fail("/projects/101/merge_requests", 503) // retried
	code, out = cli("", "collect", "--source", "gitlab", "--since", "2026-03-01")
	if code != 0 {
		t.Fatalf("collect: %d\n%s", code, out)
	}
	for _, s := range []string{"project", "commit", "merge-request", "note", "contributor", "pipeline", "deployment"} {
		if !strings.Contains(out, "gitlab/"+s+" ") {
			t.Errorf("collect did not report gitlab/%s:\n%s", s, out)
		}
	}
	first := runs()
	var counted int64
	for _, r := range first {
		if r.Status != "COMPLETED" {
			t.Errorf("run %+v", r)
		}
		counted += r.Requests
	}
	if served := len(fake.Requests()); counted != int64(served) {
		t.Errorf("the runs count %d requests, the fake served %d", counted, served)
	}

	// Collected data feeds the metrics.
	code, out = cli("", "metrics", "commit-pr-activity", "--from", "2026-05-01", "--to", "2026-05-31", "--format", "json")
	var res struct{ Summary map[string]float64 }
	if code != 0 || json.Unmarshal([]byte(out), &res) != nil || res.Summary["commits"] != 6 || res.Summary["prs_merged"] != 1 {
		t.Errorf("metrics commit-pr-activity: %d %s", code, out)
	}
	code, out = cli("", "metrics", "person-mrs", "--person", "alice", "--from", "2026-05-01", "--to", "2026-05-31", "--format", "json")
	if code != 0 || json.Unmarshal([]byte(out), &res) != nil || res.Summary["prs_opened"] != 1 || res.Summary["iterations_mean"] != 2 {
		t.Errorf("metrics person-mrs: %d %s", code, out)
	}

	// Nothing changed: one request per project and resource (1 group
	// listing; per project commits, merge requests, contributors,
	// pipelines, environments; deployments where there are environments).
	// (A second later: the engine skips a script another collection
	// completed since this one began, to the second.)
	time.Sleep(1100 * time.Millisecond)
	code, out = cli("", "collect", "--source", "gitlab")
	if code != 0 {
		t.Fatalf("second collect: %d\n%s", code, out)
	}
	firstTotal := counted
	counted = -firstTotal
	for _, r := range runs() {
		counted += r.Requests
	}
	if served := fake.Requests(); counted != 12 || len(served) != 12 {
		t.Errorf("re-sync: the runs count %d requests, the fake served %d, want 12:\n%s", counted, len(served), strings.Join(served, "\n"))
	}

	if strings.Contains(all.String(), gitlabtest.Token) {
		t.Errorf("the token was printed:\n%s", all.String())
	}
	filepath.Walk(dataDir, func(path string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			if b, _ := os.ReadFile(path); strings.Contains(string(b), gitlabtest.Token) {
				t.Errorf("%s holds the token", path)
			}
		}
		return nil
	})
}
