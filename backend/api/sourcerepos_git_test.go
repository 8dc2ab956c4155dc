package api

import (
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/momentum-app/momentum/backend/collect"
	"github.com/momentum-app/momentum/backend/secret"
	"github.com/momentum-app/momentum/backend/source"
	gitsource "github.com/momentum-app/momentum/backend/source/git"
	"github.com/momentum-app/momentum/backend/sourceconfig"
	"github.com/momentum-app/momentum/backend/store"
	"github.com/momentum-app/momentum/backend/store/storetest"
)

// newLocalRepo creates a repository with one commit.
func newLocalRepo(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"add", "main.go"}, {"commit", "-q", "-m", "start"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
			"GIT_AUTHOR_NAME=Ada", "GIT_AUTHOR_EMAIL=ada@example.com", "GIT_COMMITTER_NAME=Ada", "GIT_COMMITTER_EMAIL=ada@example.com")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
}

// The local repositories list: one taken out of GIT_REPOS shows excluded
// "by settings" with what excludes it, cannot be switched back on (the
// configuration must reach it again), and a switch turned off on a found
// one writes GIT_EXCLUDE, which the next collection honours.
func TestSourceRepositoriesOfLocalGit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		parent := t.TempDir()
		api, web := filepath.Join(parent, "api"), filepath.Join(parent, "web")
		newLocalRepo(t, api)
		newLocalRepo(t, web)
		reg := source.NewRegistry()
		reg.Register(gitsource.Source)
		cfg := sourceconfig.New(st, reg, secret.NewVault(secret.NewMemory()))
		eng := collect.New(collect.Config{Store: st, Configs: cfg, Log: quiet})
		srv := httptest.NewServer(New(st, "/data", quiet).WithCollection(ctx, eng, nil, "api").Handler(nil))
		defer srv.Close()
		base := srv.URL + "/api/v1/sources/git/repositories"
		collectGit := func() {
			t.Helper()
			if _, err := eng.Collect(ctx, collect.Options{NotBefore: time.Now().Add(time.Hour)}); err != nil {
				t.Fatal(err)
			}
		}
		list := func() map[string]string {
			t.Helper()
			var got struct {
				sourceReposResp
				DerivedBy string `json:"derived_by"`
			}
			if code := send(t, "GET", base, nil, &got); code != 200 {
				t.Fatalf("list: %d", code)
			}
			if !strings.Contains(got.DerivedBy, "GIT_REPOS") {
				t.Errorf("derived_by: %q", got.DerivedBy)
			}
			out := map[string]string{}
			for _, r := range got.Repositories {
				out[r.FullName] = r.Reason
				if r.Excluded != (r.Reason != "") {
					t.Errorf("%s: excluded %v, reason %q", r.FullName, r.Excluded, r.Reason)
				}
			}
			return out
		}

		if err := cfg.Set(ctx, "git", map[string]string{gitsource.KeyRepos: api + "," + web}, "cli"); err != nil {
			t.Fatal(err)
		}
		collectGit()
		if got := list(); got["api"] != "" || got["web"] != "" || len(got) != 2 {
			t.Errorf("both configured: %v", got)
		}

		if err := cfg.Set(ctx, "git", map[string]string{gitsource.KeyRepos: api}, "cli"); err != nil {
			t.Fatal(err)
		}
		collectGit()
		if got := list(); got["api"] != "" || got["web"] != reasonSource {
			t.Errorf("web taken out of GIT_REPOS: %v", got)
		}
		var webID int64
		st.DB().QueryRowContext(ctx, `SELECT id FROM repositories WHERE full_name = 'web'`).Scan(&webID)
		var e struct{ Error string }
		if code := send(t, "PUT", base+"/"+strconv.FormatInt(webID, 10), map[string]any{"excluded": false}, &e); code != 409 ||
			!strings.Contains(e.Error, "no longer reach it") {
			t.Errorf("switching a removed repository back on: %d %q", code, e.Error)
		}

		var apiID int64
		st.DB().QueryRowContext(ctx, `SELECT id FROM repositories WHERE full_name = 'api'`).Scan(&apiID)
		if code := send(t, "PUT", base+"/"+strconv.FormatInt(apiID, 10), map[string]any{"excluded": true}, &e); code != 200 {
			t.Fatalf("excluding api: %d %q", code, e.Error)
		}
		if v, _ := cfg.Resolve(ctx, "git"); v[gitsource.KeyExclude] != "api" {
			t.Errorf("GIT_EXCLUDE = %q", v[gitsource.KeyExclude])
		}
		collectGit()
		if got := list(); got["api"] != reasonManual || got["web"] != reasonSource {
			t.Errorf("api switched off: %v", got)
		}
	})
}
