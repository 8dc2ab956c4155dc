package api

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/momentum-app/momentum/backend/collect"
	"github.com/momentum-app/momentum/backend/secret"
	"github.com/momentum-app/momentum/backend/source"
	"github.com/momentum-app/momentum/backend/source/bitbucket"
	"github.com/momentum-app/momentum/backend/source/bitbucket/bitbuckettest"
	"github.com/momentum-app/momentum/backend/source/gitlab"
	"github.com/momentum-app/momentum/backend/source/gitlab/gitlabtest"
	"github.com/momentum-app/momentum/backend/source/httpclient"
	"github.com/momentum-app/momentum/backend/sourceconfig"
	"github.com/momentum-app/momentum/backend/store"
	"github.com/momentum-app/momentum/backend/store/storetest"
)

// hostedCase is one hosted source against its fake: which repository the
// test toggles, which one an exclude pattern keeps out, and the fake's
// request paths of the toggled repository.
type hostedCase struct {
	id           string
	config       func(fakeURL string) map[string]string
	fake         func(t *testing.T) (url string, requests func() []string)
	toggled      string // full name
	exclude      string // the configured exclude pattern
	excludeAfter string // the exclude key once the toggled repository is excluded
	paths        string // substring of the fake's requests for the toggled repository
}

var hostedCases = []hostedCase{
	{
		id: gitlab.ID,
		config: func(u string) map[string]string {
			return map[string]string{gitlab.KeyToken: gitlabtest.Token, gitlab.KeyURL: u, gitlab.KeyGroups: "acme", gitlab.KeyExclude: "acme/legacy-*"}
		},
		fake: func(t *testing.T) (string, func() []string) {
			f := gitlabtest.New()
			t.Cleanup(f.Close)
			return f.URL, f.Requests
		},
		toggled: "acme/web", exclude: "acme/legacy-*", excludeAfter: "acme/legacy-*,acme/web",
		paths: "/projects/102/",
	},
	{
		id: bitbucket.ID,
		config: func(u string) map[string]string {
			return map[string]string{bitbucket.KeyUsername: bitbuckettest.Username, bitbucket.KeyPassword: bitbuckettest.AppPassword,
				bitbucket.KeyWorkspace: "acme", bitbucket.KeyExclude: "legacy*", bitbucket.KeyURL: u}
		},
		fake: func(t *testing.T) (string, func() []string) {
			f := bitbuckettest.New()
			t.Cleanup(f.Close)
			return f.APIURL(), f.Requests
		},
		toggled: "acme/web", exclude: "legacy*", excludeAfter: "legacy*,web",
		paths: "/repositories/acme/web/",
	},
}

type sourceReposResp struct {
	IncludeKey   string `json:"include_key"`
	ExcludeKey   string `json:"exclude_key"`
	Include      []string
	Exclude      []string
	Repositories []struct {
		ID           int64
		FullName     string `json:"full_name"`
		LastActivity *int64 `json:"last_activity"`
		Excluded     bool
		Reason       string
	}
}

// TestExcludeOneRepository excludes a discovered repository on each hosted
// source through the API: the exclude key gains its name (audited), and
// a full re-import neither asks the fake for it nor stores anything of it;
// including it again brings it back.
func TestExcludeOneRepository(t *testing.T) {
	for _, c := range hostedCases {
		t.Run(c.id, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, st *store.Store) {
				src, err := source.Default.Lookup(c.id)
				if err != nil {
					t.Fatal(err)
				}
				reg := source.NewRegistry()
				reg.Register(src)
				configs := sourceconfig.New(st, reg, secret.NewVault(secret.NewMemory()))
				var clock atomic.Int64 // the fakes' activity is May 2026; a day passes between collections
				clock.Store(time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC).Unix())
				eng := collect.New(collect.Config{Store: st, Configs: configs, Concurrency: 2,
					Now:  func() time.Time { return time.Unix(clock.Load(), 0) },
					Log:  slog.New(slog.NewTextHandler(io.Discard, nil)),
					HTTP: httpclient.Options{RetryWaitMin: 10 * time.Millisecond, RetryWaitMax: 50 * time.Millisecond}})
				srv := httptest.NewServer(New(st, "/data", quiet).WithCollection(context.Background(), eng, nil, "api").Handler(nil))
				t.Cleanup(srv.Close)
				api := srv.URL + "/api/v1/sources/" + c.id
				fakeURL, requests := c.fake(t)

				var e struct{ Error string }
				if code := send(t, "PUT", api+"/config", map[string]any{"values": c.config(fakeURL)}, &e); code != 200 {
					t.Fatalf("config: %d %s", code, e.Error)
				}
				collectAll := func(reset bool) []string {
					t.Helper()
					clock.Add(24 * 3600)
					before := len(requests())
					sum, err := eng.Collect(context.Background(), collect.Options{Via: "cli", Full: reset})
					if err != nil {
						t.Fatal(err)
					}
					for _, o := range sum.Outcomes {
						if o.Status != store.RunCompleted {
							t.Fatalf("%s/%s: %s %s", o.Source, o.Script, o.Status, o.Error)
						}
					}
					return requests()[before:]
				}
				commitsOf := func(name string) int {
					t.Helper()
					var n int
					if err := st.DB().QueryRow(`SELECT COUNT(*) FROM commits WHERE repo_id = (SELECT id FROM repositories WHERE source = $1 AND full_name = $2)`, c.id, name).Scan(&n); err != nil {
						t.Fatal(err)
					}
					return n
				}
				list := func() (sourceReposResp, map[string]int) {
					t.Helper()
					var l sourceReposResp
					if code := send(t, "GET", api+"/repositories", nil, &l); code != 200 {
						t.Fatalf("repositories: %d", code)
					}
					at := map[string]int{}
					for i, r := range l.Repositories {
						at[r.FullName] = i
					}
					return l, at
				}

				collectAll(false)
				if commitsOf(c.toggled) == 0 {
					t.Fatalf("%s has no commits after the first collection", c.toggled)
				}
				l, at := list()
				if l.ExcludeKey == "" || strings.Join(l.Exclude, ",") != c.exclude {
					t.Errorf("keys: %+v", l)
				}
				web := l.Repositories[at[c.toggled]]
				if web.Excluded || web.Reason != "" || web.LastActivity == nil {
					t.Errorf("%s before: %+v", c.toggled, web)
				}
				for _, r := range l.Repositories {
					if strings.Contains(r.FullName, "legacy") && (!r.Excluded || r.Reason != "pattern") {
						t.Errorf("a repository the pattern excludes: %+v", r)
					}
				}

				// Exclude it.
				var got struct {
					FullName string `json:"full_name"`
					Excluded bool
					Reason   string
				}
				if code := send(t, "PUT", api+"/repositories/"+itoa(web.ID), map[string]any{"excluded": true}, &got); code != 200 || !got.Excluded || got.Reason != "manual" {
					t.Fatalf("exclude: %d %+v", code, got)
				}
				l, at = list()
				if strings.Join(l.Exclude, ",") != c.excludeAfter || l.Repositories[at[c.toggled]].Reason != "manual" {
					t.Errorf("after excluding: %+v", l)
				}
				var audited int
				st.DB().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'config.set' AND source = $1 AND key = $2`, c.id, l.ExcludeKey).Scan(&audited)
				if audited != 2 {
					t.Errorf("config.set of %s audited %d times, want 2 (the setup, the exclusion)", l.ExcludeKey, audited)
				}
				// Excluding twice changes nothing.
				if code := send(t, "PUT", api+"/repositories/"+itoa(web.ID), map[string]any{"excluded": true}, &got); code != 200 {
					t.Errorf("exclude again: %d", code)
				}
				if l, _ = list(); strings.Join(l.Exclude, ",") != c.excludeAfter {
					t.Errorf("excluded twice: %v", l.Exclude)
				}

				// A full re-import asks nothing of it and stores nothing of it.
				if _, err := st.DB().Exec(`DELETE FROM commits WHERE repo_id = $1`, web.ID); err != nil {
					t.Fatal(err)
				}
				for _, r := range collectAll(true) {
					if strings.Contains(r, c.paths) {
						t.Errorf("the excluded repository was collected: %s", r)
					}
				}
				if n := commitsOf(c.toggled); n != 0 {
					t.Errorf("%d commits stored for the excluded %s", n, c.toggled)
				}
				if l, at = list(); !l.Repositories[at[c.toggled]].Excluded {
					t.Errorf("a collection included it again: %+v", l.Repositories[at[c.toggled]])
				}

				// A repository a pattern excludes cannot be included by itself.
				for _, r := range l.Repositories {
					if r.Reason == "pattern" {
						if code := send(t, "PUT", api+"/repositories/"+itoa(r.ID), map[string]any{"excluded": false}, &e); code != 409 || !strings.Contains(e.Error, c.exclude) {
							t.Errorf("include %s: %d %s", r.FullName, code, e.Error)
						}
					}
				}
				if code := send(t, "PUT", api+"/repositories/999999", map[string]any{"excluded": false}, &e); code != 404 {
					t.Errorf("unknown repository: %d", code)
				}
				if code := send(t, "PUT", api+"/repositories/"+itoa(web.ID), map[string]any{}, &e); code != 400 {
					t.Errorf("no excluded field: %d", code)
				}

				// Include it again: the key is back to the pattern, the next collection reads it.
				if code := send(t, "PUT", api+"/repositories/"+itoa(web.ID), map[string]any{"excluded": false}, &got); code != 200 || got.Excluded {
					t.Fatalf("include: %d %+v", code, got)
				}
				if l, _ = list(); strings.Join(l.Exclude, ",") != c.exclude {
					t.Errorf("after including: %v", l.Exclude)
				}
				served := strings.Join(collectAll(true), "\n")
				if !strings.Contains(served, c.paths) || commitsOf(c.toggled) == 0 {
					t.Errorf("the included repository was not collected again:\n%s", served)
				}
			})
		})
	}
}

func TestSourceRepositoriesOfASourceWithoutThem(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		srv, _ := collectServer(t, st)
		var e struct{ Error string }
		if code := send(t, "GET", srv.URL+"/api/v1/sources/hub/repositories", nil, &e); code != 404 || !strings.Contains(e.Error, "does not discover repositories") {
			t.Errorf("hub: %d %s", code, e.Error)
		}
		if code := send(t, "GET", srv.URL+"/api/v1/sources/nope/repositories", nil, &e); code != 404 {
			t.Errorf("unknown source: %d %s", code, e.Error)
		}
	})
}
