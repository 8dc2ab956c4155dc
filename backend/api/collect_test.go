package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/momentum-app/momentum/backend/collect"
	"github.com/momentum-app/momentum/backend/schedule"
	"github.com/momentum-app/momentum/backend/secret"
	"github.com/momentum-app/momentum/backend/source"
	"github.com/momentum-app/momentum/backend/sourceconfig"
	"github.com/momentum-app/momentum/backend/store"
	"github.com/momentum-app/momentum/backend/store/storetest"
)

const apiToken = "gh_API_SECRET_31337"

// hubSource is a test-only source whose connection test and script call a
// local HTTP server that wants the token.
func hubSource(upstream string) *source.Source {
	auth := func(ctx context.Context, c source.Config, h interface {
		GetJSON(context.Context, string, http.Header, any) (*http.Response, error)
	}, into any) error {
		_, err := h.GetJSON(ctx, c.Get("HUB_URL")+"/user", http.Header{"Authorization": {"token " + c.Get("HUB_TOKEN")}}, into)
		return err
	}
	return &source.Source{ID: "hub", Name: "Hub", Category: source.CategoryVCS,
		Keys: []source.Key{
			{Name: "HUB_TOKEN", Label: "Token", Kind: source.KindText, Required: true, Secret: true, Help: "a token"},
			{Name: "HUB_URL", Label: "API URL", Kind: source.KindURL, Default: upstream},
			{Name: "HUB_ORG", Label: "Organization", Kind: source.KindText, Required: true, Help: "the organization"},
		},
		Test: func(ctx context.Context, conn *source.Conn) error {
			var u map[string]any
			if err := auth(ctx, conn.Config, conn.HTTP, &u); err != nil {
				return err
			}
			conn.Found = "organization " + conn.Config.Get("HUB_ORG")
			return nil
		},
		Scripts: []source.Script{{Name: "repository", Provides: []string{"hub.repositories"}, Run: func(ctx context.Context, job *source.Job) error {
			var u map[string]any
			if err := auth(ctx, job.Config, job.HTTP, &u); err != nil {
				return err
			}
			for i := range 5 {
				job.AddItems(1)
				_ = i
				time.Sleep(50 * time.Millisecond)
			}
			return nil
		}}}}
}

func collectServer(t *testing.T, st *store.Store) (*httptest.Server, *collect.Engine) {
	t.Helper()
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "token "+apiToken {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"message":"Bad credentials"}`)
			return
		}
		fmt.Fprint(w, `{"login":"me"}`)
	}))
	t.Cleanup(upstream.Close)
	reg := source.NewRegistry()
	reg.Register(hubSource(upstream.URL))
	cfg := sourceconfig.New(st, reg, secret.NewVault(secret.NewMemory()))
	eng := collect.New(collect.Config{Store: st, Configs: cfg, Log: quiet})
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	sched, err := schedule.Start(ctx, eng, quiet)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sched.Stop() })
	srv := httptest.NewServer(New(st, "/data", quiet).WithCollection(ctx, eng, sched, "api").Handler(nil))
	t.Cleanup(srv.Close)
	return srv, eng
}

func send(t *testing.T, method, url string, body any, into any) int {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, r)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if strings.Contains(string(b), apiToken) {
		t.Errorf("%s %s answered with the token: %s", method, url, b)
	}
	if into != nil {
		if err := json.Unmarshal(b, into); err != nil {
			t.Fatalf("%s %s: %d %q", method, url, resp.StatusCode, b)
		}
	}
	return resp.StatusCode
}

func TestSourcesConfigTestAndSync(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		srv, _ := collectServer(t, st)
		api := srv.URL + "/api/v1"

		var list struct {
			Sources []struct {
				ID     string
				Keys   []map[string]any
				Config sourceconfig.View
			}
			SecretStore string `json:"secret_store"`
		}
		if code := send(t, "GET", api+"/sources", nil, &list); code != 200 || len(list.Sources) != 1 || list.Sources[0].Config.Configured || list.SecretStore != "memory" {
			t.Fatalf("sources: %d %+v", code, list)
		}
		var e struct{ Error string }
		// A bad value: 400 naming the key, nothing saved.
		if code := send(t, "PUT", api+"/sources/hub/config", map[string]any{"values": map[string]string{"HUB_URL": "nope"}}, &e); code != 400 || !strings.Contains(e.Error, "HUB_URL") {
			t.Errorf("bad value: %d %s", code, e.Error)
		}
		if code := send(t, "PUT", api+"/sources/nope/config", map[string]any{"values": map[string]string{}}, &e); code != 404 {
			t.Errorf("unknown source: %d", code)
		}
		// Test an unsaved form: a wrong token fails, the right one works.
		var res struct {
			OK    bool
			Found string
			Error string
		}
		send(t, "POST", api+"/sources/hub/test", map[string]any{"values": map[string]string{"HUB_TOKEN": "wrong", "HUB_ORG": "acme"}}, &res)
		if res.OK || !strings.Contains(res.Error, "401") {
			t.Errorf("wrong token test: %+v", res)
		}
		send(t, "POST", api+"/sources/hub/test", map[string]any{"values": map[string]string{"HUB_TOKEN": apiToken, "HUB_ORG": "acme"}}, &res)
		if !res.OK || res.Found != "organization acme" {
			t.Errorf("right token test: %+v", res)
		}
		if code := send(t, "POST", api+"/collect", nil, &e); code != 400 || !strings.Contains(e.Error, "no data source is configured") {
			t.Errorf("sync with nothing configured: %d %s", code, e.Error)
		}
		// Save, then the view is masked.
		var view sourceconfig.View
		if code := send(t, "PUT", api+"/sources/hub/config", map[string]any{"values": map[string]string{"HUB_TOKEN": apiToken, "HUB_ORG": "acme"}}, &view); code != 200 || !view.Complete {
			t.Fatalf("save: %d %+v", code, view)
		}
		// Test the saved configuration, the token sent back masked.
		send(t, "POST", api+"/sources/hub/test", map[string]any{"values": map[string]string{"HUB_TOKEN": source.Mask}}, &res)
		if !res.OK {
			t.Errorf("saved config test: %+v", res)
		}

		// Sync now, following the live events.
		req, _ := http.NewRequest("GET", api+"/collect/events", nil)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		resp, err := http.DefaultClient.Do(req.WithContext(ctx))
		if err != nil || resp.Header.Get("Content-Type") != "text/event-stream" {
			t.Fatalf("events: %v %v", err, resp.Header)
		}
		defer resp.Body.Close()
		lines := bufio.NewScanner(resp.Body)
		lines.Scan() // retry
		var started struct{ Collection string }
		if code := send(t, "POST", api+"/collect", map[string]any{"sources": []string{"hub"}}, &started); code != 202 || started.Collection == "" {
			t.Fatalf("sync now: %d %+v", code, started)
		}
		var kinds []string
		var maxItems int64
		for lines.Scan() {
			line := lines.Text()
			if !strings.HasPrefix(line, "data: ") || line == "data: {}" {
				continue
			}
			var ev collect.Event
			json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &ev)
			if ev.Collection != started.Collection {
				t.Errorf("event of another collection: %+v", ev)
			}
			kinds = append(kinds, ev.Type)
			maxItems = max(maxItems, ev.Items)
			if ev.Type == collect.EventDone {
				break
			}
		}
		if got := strings.Join(kinds, ","); !strings.HasPrefix(got, "planned,started,progress") || !strings.HasSuffix(got, "finished,done") || maxItems != 5 {
			t.Errorf("events: %s (items %d)", got, maxItems)
		}

		var runs struct{ Runs []store.Run }
		if code := send(t, "GET", api+"/runs?source=hub", nil, &runs); code != 200 || len(runs.Runs) != 1 || runs.Runs[0].Status != "COMPLETED" || runs.Runs[0].Items != 5 || runs.Runs[0].Requests != 1 {
			t.Errorf("runs: %d %+v", code, runs)
		}
		if code := send(t, "POST", api+"/sources/hub/reset", nil, nil); code != 200 {
			t.Errorf("reset: %d", code)
		}
		if code := send(t, "DELETE", api+"/sources/hub/config/HUB_TOKEN", nil, &view); code != 200 || view.Complete {
			t.Errorf("delete: %d %+v", code, view)
		}
		if code := send(t, "DELETE", api+"/sources/hub/config/HUB_TOKEN", nil, &e); code != 400 {
			t.Errorf("delete twice: %d", code)
		}
		var audit struct{ Audit []store.AuditEntry }
		send(t, "GET", api+"/audit", nil, &audit)
		var actions []string
		for _, a := range audit.Audit {
			actions = append(actions, a.Action+":"+a.Key)
			if a.Via != "api" {
				t.Errorf("audit via %q", a.Via)
			}
		}
		if got := strings.Join(actions, " "); got != "config.unset:HUB_TOKEN reset: collect: config.set:HUB_TOKEN config.set:HUB_ORG" {
			t.Errorf("audit: %s", got)
		}
	})
}

func TestCollectSettings(t *testing.T) {
	st := storetest.SQLite(t)
	srv, _ := collectServer(t, st)
	api := srv.URL + "/api/v1/settings/collect"
	var s struct {
		Cron          string
		NextRun       *time.Time `json:"next_run"`
		HistoryDays   int        `json:"history_days"`
		RetentionDays int        `json:"retention_days"`
	}
	if code := send(t, "GET", api, nil, &s); code != 200 || s.Cron != "0 * * * *" || s.HistoryDays != 90 || s.NextRun == nil {
		t.Fatalf("defaults: %d %+v", code, s)
	}
	var e struct{ Error string }
	if code := send(t, "PUT", api, map[string]any{"cron": "hourly"}, &e); code != 400 || !strings.Contains(e.Error, "not a valid schedule") {
		t.Errorf("bad cron: %d %s", code, e.Error)
	}
	if code := send(t, "PUT", api, map[string]any{"cron": "30 6 * * *", "history_days": 365, "retention_days": 730}, &s); code != 200 ||
		s.Cron != "30 6 * * *" || s.HistoryDays != 365 || s.RetentionDays != 730 || s.NextRun.Hour() != 6 && s.NextRun.UTC().Hour() != 6 {
		t.Errorf("saved: %d %+v", code, s)
	}
	if code := send(t, "PUT", api, map[string]any{"history_days": 0}, &e); code != 400 {
		t.Errorf("zero history: %d", code)
	}
	// A schedule previewed before it is saved.
	var p struct {
		NextRuns []time.Time `json:"next_runs"`
		Error    string
	}
	if code := send(t, "GET", api+"/cron?expr="+url.QueryEscape("*/10 * * * *"), nil, &p); code != 200 || len(p.NextRuns) != 3 ||
		p.NextRuns[0].Minute()%10 != 0 || p.NextRuns[1].Sub(p.NextRuns[0]) != 10*time.Minute {
		t.Errorf("preview: %d %+v", code, p)
	}
	p.NextRuns = nil
	if code := send(t, "GET", api+"/cron?expr=often", nil, &p); code != 200 || !strings.Contains(p.Error, "not a valid schedule") || len(p.NextRuns) != 0 {
		t.Errorf("bad preview: %d %+v", code, p)
	}
}

func TestCollectionEndpointsWithoutEngine(t *testing.T) {
	srv := httptest.NewServer(New(storetest.SQLite(t), "/data", quiet).Handler(nil))
	defer srv.Close()
	var e struct{ Error string }
	if code := send(t, "GET", srv.URL+"/api/v1/sources", nil, &e); code != 503 {
		t.Errorf("status %d", code)
	}
	_ = errors.New
}

// An idle events stream carries ping events (not comments, which a page
// cannot see), so that a page can tell a silent dead connection.
func TestCollectEventsPing(t *testing.T) {
	defer func(d time.Duration) { eventsPingEvery = d }(eventsPingEvery)
	eventsPingEvery = 50 * time.Millisecond
	srv, _ := collectServer(t, storetest.SQLite(t))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/api/v1/collect/events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got []string
	lines := bufio.NewScanner(resp.Body)
	for len(got) < 9 && lines.Scan() {
		got = append(got, lines.Text())
	}
	want := []string{"retry: 3000", "event: ready", "data: {}", "", "event: ping", "data: {}", "", "event: ping", "data: {}"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("stream:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
