package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/momentum-app/momentum/backend/store/storetest"
)

// gitInit makes an empty repository at dir, with a local user.email when given.
func gitInit(t *testing.T, dir, email string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	args := [][]string{{"init", "-q", dir}}
	if email != "" {
		args = append(args, []string{"-C", dir, "config", "user.email", email})
	}
	for _, a := range args {
		if out, err := exec.Command("git", a...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v: %s", a, err, out)
		}
	}
}

func postDiscover(t *testing.T, srv *httptest.Server, body string) (int, gitDiscoverResponse, string) {
	t.Helper()
	resp, err := http.Post(srv.URL+"/api/v1/sources/git/discover", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var raw json.RawMessage
	if err := json.NewDecoder(resp.Body).Decode(&raw); err != nil {
		t.Fatal(err)
	}
	var out gitDiscoverResponse
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode, out, string(raw)
}

func TestGitDiscoverScansTheHomeFolder(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	t.Setenv("GIT_CONFIG_GLOBAL", filepath.Join(home, ".gitconfig"))
	if err := os.WriteFile(filepath.Join(home, ".gitconfig"), []byte("[user]\n\temail = me@example.com\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	gitInit(t, filepath.Join(home, "src", "api"), "Me@Work.example")
	gitInit(t, filepath.Join(home, "src", "site"), "me@example.com") // the same as the global one
	gitInit(t, filepath.Join(home, "src", "deep", "org", "team", "tool"), "")
	gitInit(t, filepath.Join(home, "src", "web", "node_modules", "dep"), "")
	gitInit(t, filepath.Join(home, ".cache", "thing"), "")
	gitInit(t, filepath.Join(home, "Pictures", "album"), "")
	if err := exec.Command("git", "clone", "-q", "--bare", filepath.Join(home, "src", "api"), filepath.Join(home, "mirrors", "api.git")).Run(); err != nil {
		t.Fatal(err)
	}

	srv := httptest.NewServer(New(storetest.SQLite(t), "/data", quiet).Handler(nil))
	defer srv.Close()

	status, got, raw := postDiscover(t, srv, `{"paths": ["~"], "depth": 3}`)
	if status != http.StatusOK {
		t.Fatalf("status %d: %s", status, raw)
	}
	want := []discoveredRepo{
		{Path: filepath.Join(home, "mirrors", "api.git"), Name: "api"},
		{Path: filepath.Join(home, "src", "api"), Name: "api"},
		{Path: filepath.Join(home, "src", "site"), Name: "site"},
	}
	if !slices.Equal(got.Repositories, want) {
		t.Errorf("repositories:\n got %+v\nwant %+v", got.Repositories, want)
	}
	if !slices.Equal(got.Emails, []string{"me@example.com", "Me@Work.example"}) {
		t.Errorf("emails: %v", got.Emails)
	}
	if got.Truncated || len(got.Errors) > 0 || !strings.Contains(raw, `"repositories":[{"path":`) {
		t.Errorf("response: %s", raw)
	}

	// Deeper finds the deep one; no body means the home folder, depth 3.
	if _, got, _ := postDiscover(t, srv, `{"paths": ["~/src"], "depth": 4}`); len(got.Repositories) != 3 {
		t.Errorf("depth 4 under ~/src: %+v", got.Repositories)
	}
	if status, got, raw := postDiscover(t, srv, ``); status != http.StatusOK || len(got.Repositories) != 3 {
		t.Errorf("empty body: %d %s", status, raw)
	}

	// A missing folder is reported beside what the others gave.
	status, got, raw = postDiscover(t, srv, `{"paths": ["~/src", "~/nowhere"], "depth": 1}`)
	if status != http.StatusOK || len(got.Repositories) != 2 || len(got.Errors) != 1 || !strings.Contains(got.Errors[0], filepath.Join(home, "nowhere")) {
		t.Errorf("missing folder: %d %s", status, raw)
	}

	// Out of time: what was found so far, marked truncated.
	old := discoverTimeout
	discoverTimeout = time.Nanosecond
	status, got, raw = postDiscover(t, srv, `{"paths": ["~"], "depth": 3}`)
	discoverTimeout = old
	if status != http.StatusOK || !got.Truncated || len(got.Errors) != 0 || got.Repositories == nil {
		t.Errorf("timed out scan: %d %s", status, raw)
	}

	for _, tc := range []struct{ body, want string }{
		{`{"paths": ["~"], "depth": 9}`, "depth must be between 0 and 6, not 9"},
		{`{"paths": ["~"], "depth": -1}`, "depth must be between 0 and 6"},
		{`{"paths": [" "]}`, "a path is empty"},
		{`{"path": "~"}`, "not valid JSON for this endpoint"},
		{`{"paths": "~"}`, "not valid JSON for this endpoint"},
	} {
		if status, _, raw := postDiscover(t, srv, tc.body); status != http.StatusBadRequest || !strings.Contains(raw, tc.want) {
			t.Errorf("%s: %d %s, want 400 saying %q", tc.body, status, raw, tc.want)
		}
	}
	resp, err := http.Get(srv.URL + "/api/v1/sources/git/discover")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d", resp.StatusCode)
	}
}
