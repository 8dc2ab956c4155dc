package app

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/momentum-app/momentum/backend/source/bitbucket/bitbuckettest"
)

// `momentum config set bitbucket ...` and `momentum collect` against a fake
// Bitbucket Cloud (the API URL is configuration), then a metric on what was
// collected.
func TestBitbucketFromTheCommandLine(t *testing.T) {
	fake := bitbuckettest.New()
	defer fake.Close()
	t.Setenv("MOMENTUM_SECRET_KEY", "an-operator-provided-key-of-enough-length")
	t.Setenv("MOMENTUM_DATA_DIR", t.TempDir())
	t.Setenv("MOMENTUM_DB", "sqlite")
	var all strings.Builder
	cli := func(stdin string, args ...string) (int, string) {
		t.Helper()
		code, out, errs := runCLI(t, stdin, args...)
		all.WriteString(out + errs)
		return code, out + errs
	}
	code, out := cli(bitbuckettest.AppPassword+"\n", "config", "set", "bitbucket", "BITBUCKET_APP_PASSWORD=-",
		"BITBUCKET_USERNAME="+bitbuckettest.Username, "BITBUCKET_WORKSPACE=acme", "BITBUCKET_EXCLUDE=legacy*", "BITBUCKET_URL="+fake.APIURL())
	if code != 0 {
		t.Fatalf("config set: %d %s", code, out)
	}
	fake.Fail("/repositories/acme", 503) // retried
	code, out = cli("", "collect", "--source", "bitbucket", "--since", "2026-03-01")
	if code != 0 {
		t.Fatalf("collect: %d\n%s", code, out)
	}
	for _, s := range []string{"repository", "commit", "pull-request", "pipeline", "deployment"} {
		if !strings.Contains(out, "bitbucket/"+s+" ") {
			t.Errorf("collect did not report bitbucket/%s:\n%s", s, out)
		}
	}
	code, out = cli("", "runs", "--format", "json")
	var runs struct {
		Runs []struct {
			Status   string
			Requests int64
		}
	}
	if code != 0 || json.Unmarshal([]byte(out), &runs) != nil || len(runs.Runs) != 5 {
		t.Fatalf("runs: %d %s", code, out)
	}
	var counted int64
	for _, r := range runs.Runs {
		if r.Status != "COMPLETED" {
			t.Errorf("run %+v", r)
		}
		counted += r.Requests
	}
	if served := len(fake.Requests()); counted != int64(served) {
		t.Errorf("the runs count %d requests, the fake served %d", counted, served)
	}
	code, out = cli("", "metrics", "deployments", "--from", "2026-05-01", "--to", "2026-05-31", "--format", "json")
	var res struct{ Summary map[string]float64 }
	if code != 0 || json.Unmarshal([]byte(out), &res) != nil || res.Summary["deployments"] != 2 {
		t.Errorf("metrics deployments: %d %s", code, out)
	}
	if strings.Contains(all.String(), bitbuckettest.AppPassword) {
		t.Errorf("the app password was printed:\n%s", all.String())
	}
}
