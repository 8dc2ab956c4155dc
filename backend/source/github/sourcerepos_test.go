package github_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/momentum-app/momentum/backend/api"
	"github.com/momentum-app/momentum/backend/collect"
	"github.com/momentum-app/momentum/backend/secret"
	"github.com/momentum-app/momentum/backend/source"
	"github.com/momentum-app/momentum/backend/source/github"
	"github.com/momentum-app/momentum/backend/source/httpclient"
	"github.com/momentum-app/momentum/backend/sourceconfig"
	"github.com/momentum-app/momentum/backend/store"
	"github.com/momentum-app/momentum/backend/store/storetest"
)

// TestExcludeOneRepositoryOnTheDataSourcesPage excludes one repository
// through the API (the Data sources page's toggle): its full name joins
// GITHUB_EXCLUDE_REPOSITORIES, and a full re-import asks GitHub nothing
// about it and stores nothing of it. A repository the visibility filter
// keeps out cannot be included by the toggle. (backend/api tests GitLab and
// Bitbucket the same way.)
func TestExcludeOneRepositoryOnTheDataSourcesPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		const token = "ghp_PAGE0token0of0the0toggle0test0000000"
		fake := github.NewFakeGitHub(t, token)
		reg := source.NewRegistry()
		reg.Register(github.Source())
		configs := sourceconfig.New(st, reg, secret.NewVault(secret.NewMemory()))
		var clock atomic.Int64
		clock.Store(time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC).Unix()) // the fixtures are from May 2026
		eng := collect.New(collect.Config{Store: st, Configs: configs, Concurrency: 4,
			Now:  func() time.Time { return time.Unix(clock.Load(), 0) },
			Log:  slog.New(slog.NewTextHandler(io.Discard, nil)),
			HTTP: httpclient.Options{RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond}})
		quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
		srv := httptest.NewServer(api.New(st, t.TempDir(), quiet).WithCollection(context.Background(), eng, nil, "api").Handler(nil))
		t.Cleanup(srv.Close)
		base := srv.URL + "/api/v1/sources/github"

		send := func(method, url string, body, into any) int {
			t.Helper()
			b, _ := json.Marshal(body)
			req, _ := http.NewRequest(method, url, bytes.NewReader(b))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
				t.Fatalf("%s %s: %d %v", method, url, resp.StatusCode, err)
			}
			return resp.StatusCode
		}
		var e struct{ Error string }
		if code := send("PUT", base+"/config", map[string]any{"values": map[string]string{
			github.KeyToken: token, github.KeyOrganizations: "octo-org", github.KeyAPIURL: fake.URL(),
			github.KeyExclude: "octo-org/legacy-*"}}, &e); code != 200 {
			t.Fatalf("config: %d %s", code, e.Error)
		}
		sync := func() map[string]int {
			t.Helper()
			clock.Add(24 * 3600)
			before := fake.Requests()
			sum, err := eng.Collect(context.Background(), collect.Options{Via: "cli", Full: true})
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range sum.Outcomes {
				if o.Status != store.RunCompleted {
					t.Fatalf("%s/%s: %s %s", o.Source, o.Script, o.Status, o.Error)
				}
			}
			out := map[string]int{}
			for k, n := range fake.Requests() {
				if d := n - before[k]; d > 0 {
					out[k] = d
				}
			}
			return out
		}
		type repo struct {
			ID       int64
			FullName string `json:"full_name"`
			Excluded bool
			Reason   string
		}
		list := func() (map[string]repo, []string) {
			t.Helper()
			var l struct {
				Exclude      []string
				Repositories []repo
			}
			if code := send("GET", base+"/repositories", nil, &l); code != 200 {
				t.Fatalf("repositories: %d", code)
			}
			out := map[string]repo{}
			for _, r := range l.Repositories {
				out[r.FullName] = r
			}
			return out, l.Exclude
		}
		commits := func(name string) (n int) {
			t.Helper()
			if err := st.DB().QueryRow(`SELECT COUNT(*) FROM commits c JOIN repositories r ON r.id = c.repo_id WHERE r.full_name = $1`, name).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		asked := func(reqs map[string]int, name string) (paths []string) {
			for k := range reqs {
				if strings.Contains(k, "/repos/"+name+"/") {
					paths = append(paths, k)
				}
			}
			return paths
		}
		const hello = "octo-org/hello-world"

		sync()
		repos, _ := list()
		if commits(hello) == 0 || repos[hello].Excluded || !repos["octo-org/legacy-tool"].Excluded || repos["octo-org/legacy-tool"].Reason != "pattern" {
			t.Fatalf("after the first sync: %+v (%d commits)", repos, commits(hello))
		}
		id := strconv.FormatInt(repos[hello].ID, 10)
		var got repo
		if code := send("PUT", base+"/repositories/"+id, map[string]bool{"excluded": true}, &got); code != 200 || got.Reason != "manual" {
			t.Fatalf("exclude: %d %+v", code, got)
		}
		if _, exclude := list(); strings.Join(exclude, ",") != "octo-org/legacy-*,"+hello {
			t.Errorf("exclude key: %v", exclude)
		}
		if _, err := st.DB().Exec(`DELETE FROM commits WHERE repo_id = $1`, repos[hello].ID); err != nil {
			t.Fatal(err)
		}
		if p := asked(sync(), hello); len(p) != 0 {
			t.Errorf("the excluded repository was collected: %v", p)
		}
		if repos, _ = list(); commits(hello) != 0 || !repos[hello].Excluded || repos[hello].Reason != "manual" {
			t.Errorf("after a sync: %+v, %d commits", repos[hello], commits(hello))
		}

		if code := send("PUT", base+"/repositories/"+id, map[string]bool{"excluded": false}, &got); code != 200 || got.Excluded {
			t.Fatalf("include: %d %+v", code, got)
		}
		if p := asked(sync(), hello); len(p) == 0 || commits(hello) == 0 {
			t.Errorf("the included repository was not collected again: %v", p)
		}

		// The visibility filter keeps octo-org/api (private) out: the toggle says so.
		if code := send("PUT", base+"/config", map[string]any{"values": map[string]string{github.KeyVisibility: "public"}}, &e); code != 200 {
			t.Fatalf("visibility: %d %s", code, e.Error)
		}
		sync()
		repos, _ = list()
		if r := repos["octo-org/api"]; !r.Excluded || r.Reason != "source" {
			t.Fatalf("a private repository with visibility public: %+v", r)
		}
		if code := send("PUT", base+"/repositories/"+strconv.FormatInt(repos["octo-org/api"].ID, 10), map[string]bool{"excluded": false}, &e); code != 409 || !strings.Contains(e.Error, "visibility") {
			t.Errorf("include a repository the visibility excludes: %d %s", code, e.Error)
		}
	})
}
