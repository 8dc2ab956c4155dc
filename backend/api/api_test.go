package api

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/momentum-app/momentum/backend/demo"
	"github.com/momentum-app/momentum/backend/store"
	"github.com/momentum-app/momentum/backend/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func newServer(t *testing.T, st *store.Store) *httptest.Server {
	t.Helper()
	assets := fstest.MapFS{
		"index.html":      {Data: []byte("<!doctype html><title>Momentum</title>")},
		"assets/app-1.js": {Data: []byte("console.log(1)")},
	}
	srv := httptest.NewServer(New(st, "/data", quiet).Handler(assets))
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, url string, into any) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if into != nil {
		if err := json.Unmarshal(body, into); err != nil {
			t.Fatalf("GET %s: %d, not JSON: %q", url, resp.StatusCode, body)
		}
	}
	return resp.StatusCode
}

func TestHealth(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		srv := newServer(t, st)
		var h map[string]any
		if code := get(t, srv.URL+"/api/v1/health", &h); code != 200 {
			t.Fatalf("status %d", code)
		}
		if h["status"] != "ok" || h["engine"] != string(st.Engine()) || h["data_dir"] != "/data" || h["version"] == "" {
			t.Errorf("health = %v", h)
		}
		if h["rollups_pending"] != 0.0 {
			t.Errorf("rollups_pending of an empty database = %v, want 0", h["rollups_pending"])
		}
		// Two days of a commit's rollup to fill: the status bar says so.
		if _, err := st.DB().Exec(`INSERT INTO rollup_dirty (family, day) VALUES ('person_commits', 20000), ('person_commits', 20001)`); err != nil {
			t.Fatal(err)
		}
		get(t, srv.URL+"/api/v1/health", &h)
		if h["rollups_pending"] != 2.0 {
			t.Errorf("rollups_pending with two marks = %v, want 2", h["rollups_pending"])
		}
	})
}

func TestMetricEndpoints(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		now := time.Now()
		if _, err := demo.Generate(context.Background(), st, demo.Options{Scale: demo.Small, Seed: 1, Now: now}); err != nil {
			t.Fatal(err)
		}
		srv := newServer(t, st)

		var list struct {
			Metrics []struct {
				ID        string `json:"id"`
				Available bool   `json:"available"`
			} `json:"metrics"`
		}
		get(t, srv.URL+"/api/v1/metrics", &list)
		if len(list.Metrics) != 18 {
			t.Errorf("metrics listed: %d", len(list.Metrics))
		}

		var res struct {
			Summary        map[string]float64 `json:"summary"`
			Previous       map[string]float64 `json:"previous"`
			Series         []map[string]any   `json:"series"`
			PreviousSeries []map[string]any   `json:"previous_series"`
		}
		code := get(t, srv.URL+"/api/v1/metrics/commit-pr-activity?range=30d&compare=true&group=week", &res)
		if code != 200 || res.Summary["commits"] <= 0 || res.Previous == nil || len(res.Series) != len(res.PreviousSeries) {
			t.Errorf("commit-pr-activity: %d %v prev=%v series=%d/%d", code, res.Summary, res.Previous, len(res.Series), len(res.PreviousSeries))
		}
		// The API and the series agree.
		var total float64
		for _, p := range res.Series {
			total += p["commits"].(float64)
		}
		if total != res.Summary["commits"] {
			t.Errorf("series total %v != summary %v", total, res.Summary["commits"])
		}
		var repos struct {
			Repos []store.Repository `json:"repos"`
		}
		get(t, srv.URL+"/api/v1/repos", &repos)
		if len(repos.Repos) == 0 {
			t.Fatal("no repositories")
		}
		var filtered struct {
			Summary map[string]float64 `json:"summary"`
		}
		get(t, srv.URL+"/api/v1/metrics/commit-pr-activity?range=30d&repo="+repos.Repos[0].FullName, &filtered)
		if filtered.Summary["commits"] > res.Summary["commits"] {
			t.Errorf("a repository has more commits (%v) than all (%v)", filtered.Summary["commits"], res.Summary["commits"])
		}
		var people struct {
			People []store.Person `json:"people"`
		}
		var teams struct {
			Teams []store.Team `json:"teams"`
		}
		get(t, srv.URL+"/api/v1/people", &people)
		get(t, srv.URL+"/api/v1/teams", &teams)
		if len(people.People) == 0 || len(teams.Teams) == 0 {
			t.Errorf("people %d, teams %d", len(people.People), len(teams.Teams))
		}
	})
}

func TestBadRequests(t *testing.T) {
	st := storetest.SQLite(t)
	srv := newServer(t, st)
	cases := []struct {
		path, want string
		code       int
	}{
		{"/api/v1/metrics/commit-pr-activity?range=abc", "range", 400},
		{"/api/v1/metrics/commit-pr-activity?from=2026-01-05&to=2026-01-01", "before", 400},
		{"/api/v1/metrics/commit-pr-activity?from=2026-01-05", "together", 400},
		{"/api/v1/metrics/commit-pr-activity?group=year", "group", 400},
		{"/api/v1/metrics/commit-pr-activity?compare=yes", "compare", 400},
		{"/api/v1/metrics/commit-pr-activity?repo=acme/nope", "unknown repository", 400},
		{"/api/v1/metrics/commit-pr-activity?person=nobody@nowhere", "unknown person", 400},
		{"/api/v1/metrics/commit-pr-activity?team=99", "unknown team", 400},
		{"/api/v1/metrics/no-such-metric", "unknown metric", 404},
		{"/api/v1/nope", "no such API endpoint", 404},
	}
	for _, c := range cases {
		var e map[string]string
		code := get(t, srv.URL+c.path, &e)
		if code != c.code || !strings.Contains(e["error"], c.want) {
			t.Errorf("%s: %d %q, want %d mentioning %q", c.path, code, e["error"], c.code, c.want)
		}
	}
	resp, err := http.Post(srv.URL+"/api/v1/health", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST health: %d", resp.StatusCode)
	}
}

func TestServesTheFrontend(t *testing.T) {
	srv := newServer(t, storetest.SQLite(t))
	for path, want := range map[string]string{"/": "<title>Momentum", "/organization": "<title>Momentum", "/assets/app-1.js": "console.log"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Errorf("%s: %d %q", path, resp.StatusCode, body)
		}
		if strings.HasPrefix(path, "/assets/") && !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
			t.Errorf("%s: Cache-Control %q", path, resp.Header.Get("Cache-Control"))
		}
	}
}
