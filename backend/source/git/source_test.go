package git

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/momentum-app/momentum/backend/collect"
	"github.com/momentum-app/momentum/backend/identity"
	"github.com/momentum-app/momentum/backend/secret"
	"github.com/momentum-app/momentum/backend/source"
	"github.com/momentum-app/momentum/backend/sourceconfig"
	"github.com/momentum-app/momentum/backend/store"
	"github.com/momentum-app/momentum/backend/store/storetest"
)

func TestRegistered(t *testing.T) {
	s, err := source.Default.Lookup("git")
	if err != nil || s != Source {
		t.Fatalf("git is not in the default registry: %v", err)
	}
}

// The source through the collection engine, as `momentum collect` runs it:
// configured by its keys, both scripts in order, items counted in the run
// records, "me" claimed from the configured emails, excluded repositories
// left alone, and a second collection with nothing new writing nothing.
func TestCollectThroughTheEngine(t *testing.T) {
	isolateGit(t)
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		parent := filepath.Join(t.TempDir(), "code")
		h := buildHistory(t, filepath.Join(parent, "widgets"))
		other := newTestRepo(t, filepath.Join(parent, "team", "gadgets"))
		other.commit(alice, "Gadgets", map[string][]byte{"g.ts": lines("// g", 3)})
		total := len(gitLogOracle(t, h.r)) + 1

		reg := source.NewRegistry()
		reg.Register(Source)
		cfg := sourceconfig.New(st, reg, secret.NewVault(secret.NewMemory()))
		if err := cfg.Set(ctx, "git", map[string]string{KeyRepos: parent, KeyDepth: "2",
			KeyEmails: "ALICE@example.com, 12345+alice-gh@users.noreply.github.com"}, "cli"); err != nil {
			t.Fatal(err)
		}
		// Each collection an hour after the last: one started in the same
		// second as another's end would count it as collected elsewhere.
		now := time.Now()
		eng := collect.New(collect.Config{Store: st, Configs: cfg, Now: func() time.Time { return now }})
		collectOnce := func() map[string]collect.Outcome {
			t.Helper()
			now = now.Add(time.Hour)
			sum, err := eng.Collect(ctx, collect.Options{})
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]collect.Outcome{}
			for _, o := range sum.Outcomes {
				out[o.Script] = o
				if o.Status != store.RunCompleted {
					t.Errorf("%s/%s: %s %s", o.Source, o.Script, o.Status, o.Error)
				}
			}
			return out
		}
		got := collectOnce()
		if got["repository"].Items != 2 || got["commit"].Items != int64(total) {
			t.Errorf("items: repository %d (want 2), commit %d (want %d)", got["repository"].Items, got["commit"].Items, total)
		}
		checkAgainstGit(t, st, h.r)
		checkAgainstGit(t, st, other)

		// "me": Alice's address (in another case) and her GitHub noreply
		// address, one person.
		me, err := identity.Me(ctx, st)
		if err != nil || me == 0 {
			t.Fatalf("no me: %v", err)
		}
		if n := count(t, st, `SELECT COUNT(*) FROM accounts WHERE person_id = $1 AND email IN ('alice@example.com', '12345+alice-gh@users.noreply.github.com')`, me); n != 2 {
			t.Errorf("me has %d of Alice's two accounts", n)
		}
		if n := count(t, st, `SELECT COUNT(*) FROM commits c JOIN accounts a ON a.id = c.author_account_id WHERE a.email LIKE '%alice%' AND c.person_id <> $1`, me); n != 0 {
			t.Errorf("%d of Alice's commits are not me's", n)
		}

		// Nothing new.
		got = collectOnce()
		if got["commit"].Items != 0 {
			t.Errorf("second collection wrote %d commits", got["commit"].Items)
		}

		// A repository the user excludes (GIT_EXCLUDE, which the
		// Data sources page's switches set) is not read.
		if err := cfg.Set(ctx, "git", map[string]string{KeyExclude: "gadg*"}, "cli"); err != nil {
			t.Fatal(err)
		}
		other.commit(at(alice, "2026-04-01T10:00:00+02:00"), "More gadgets", map[string][]byte{"g.ts": lines("// g2", 4)})
		h.r.commit(at(bob, "2026-04-01T10:00:00-07:00"), "More widgets", map[string][]byte{"w.go": lines("// w", 4)})
		got = collectOnce()
		if got["commit"].Items != 1 {
			t.Errorf("with gadgets excluded: %d commits written, want 1", got["commit"].Items)
		}
		if n := count(t, st, `SELECT COUNT(*) FROM repositories WHERE excluded AND name = 'gadgets'`); n != 1 {
			t.Errorf("gadgets is not marked excluded")
		}
	})
}

// A path taken out of GIT_REPOS leaves its repository excluded with its
// history kept (until retention), not read; a configured path that cannot
// be read for a while (an unmounted disk) does not exclude what it held;
// a path put back is collected again from where it stopped.
func TestRemovedPathExcludesItsRepository(t *testing.T) {
	isolateGit(t)
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		parent := t.TempDir()
		widgets := newTestRepo(t, filepath.Join(parent, "widgets"))
		widgets.commit(alice, "Widgets", map[string][]byte{"w.go": lines("// w", 3)})
		gadgets := newTestRepo(t, filepath.Join(parent, "gadgets"))
		gadgets.commit(bob, "Gadgets", map[string][]byte{"g.ts": lines("// g", 3)})
		gadgets.commit(at(bob, "2026-03-03T10:00:00-07:00"), "More gadgets", map[string][]byte{"g.ts": lines("// g2", 5)})

		reg := source.NewRegistry()
		reg.Register(Source)
		cfg := sourceconfig.New(st, reg, secret.NewVault(secret.NewMemory()))
		configure := func(repos ...string) {
			t.Helper()
			if err := cfg.Set(ctx, "git", map[string]string{KeyRepos: strings.Join(repos, ",")}, "cli"); err != nil {
				t.Fatal(err)
			}
		}
		now := time.Now()
		eng := collect.New(collect.Config{Store: st, Configs: cfg, Now: func() time.Time { return now }})
		collectOnce := func() map[string]collect.Outcome {
			t.Helper()
			now = now.Add(time.Hour)
			sum, err := eng.Collect(ctx, collect.Options{})
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]collect.Outcome{}
			for _, o := range sum.Outcomes {
				out[o.Script] = o
			}
			return out
		}
		state := func() string {
			t.Helper()
			var b strings.Builder
			rows, err := st.DB().QueryContext(ctx, `SELECT r.name, r.excluded, (SELECT COUNT(*) FROM commits c WHERE c.repo_id = r.id)
				FROM repositories r WHERE r.source = 'git' ORDER BY r.name`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			for rows.Next() {
				var name string
				var excluded bool
				var commits int
				if err := rows.Scan(&name, &excluded, &commits); err != nil {
					t.Fatal(err)
				}
				fmt.Fprintf(&b, "%s excluded=%v commits=%d; ", name, excluded, commits)
			}
			return b.String()
		}
		expect := func(step, want string) {
			t.Helper()
			if got := state(); got != want {
				t.Errorf("%s:\n got %s\nwant %s", step, got, want)
			}
		}

		configure(widgets.dir, gadgets.dir)
		collectOnce()
		expect("both configured", "gadgets excluded=false commits=2; widgets excluded=false commits=1; ")

		configure(widgets.dir)
		gadgets.commit(at(bob, "2026-03-04T10:00:00-07:00"), "Gadgets 3", map[string][]byte{"g.ts": lines("// g3", 2)})
		got := collectOnce()
		if got["repository"].Status != store.RunCompleted || got["commit"].Status != store.RunCompleted || got["commit"].Items != 0 {
			t.Errorf("after removing gadgets: %+v", got)
		}
		expect("gadgets taken out of GIT_REPOS", "gadgets excluded=true commits=2; widgets excluded=false commits=1; ")

		// Back in the configuration: collected again, the commit made meanwhile too.
		configure(widgets.dir, gadgets.dir)
		if got := collectOnce(); got["commit"].Items != 1 {
			t.Errorf("gadgets put back: %d commits written, want 1", got["commit"].Items)
		}
		expect("gadgets put back", "gadgets excluded=false commits=3; widgets excluded=false commits=1; ")

		// Configured but unreadable for a while: the repository script
		// fails on the path, and gadgets is not taken for removed.
		moved := gadgets.dir + "-unmounted"
		if err := os.Rename(gadgets.dir, moved); err != nil {
			t.Fatal(err)
		}
		if got := collectOnce(); got["repository"].Status != store.RunFailed || !strings.Contains(got["repository"].Error, gadgets.dir) {
			t.Errorf("with gadgets' path missing: %+v", got["repository"])
		}
		expect("gadgets' path unreadable", "gadgets excluded=false commits=3; widgets excluded=false commits=1; ")
		if err := os.Rename(moved, gadgets.dir); err != nil {
			t.Fatal(err)
		}

		// A lower scan depth that no longer reaches a repository removes it too.
		configure(parent)
		if err := cfg.Set(ctx, "git", map[string]string{KeyDepth: "0"}, "cli"); err != nil {
			t.Fatal(err)
		}
		collectOnce()
		expect("scan depth 0 under the parent", "gadgets excluded=true commits=3; widgets excluded=true commits=1; ")
	})
}
