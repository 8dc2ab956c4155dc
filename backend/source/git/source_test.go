package git

import (
	"context"
	"path/filepath"
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

		// An excluded repository is not read.
		if _, err := st.DB().ExecContext(ctx, `UPDATE repositories SET excluded = TRUE WHERE name = 'gadgets'`); err != nil {
			t.Fatal(err)
		}
		other.commit(at(alice, "2026-04-01T10:00:00+02:00"), "More gadgets", map[string][]byte{"g.ts": lines("// g2", 4)})
		h.r.commit(at(bob, "2026-04-01T10:00:00-07:00"), "More widgets", map[string][]byte{"w.go": lines("// w", 4)})
		got = collectOnce()
		if got["commit"].Items != 1 {
			t.Errorf("with gadgets excluded: %d commits written, want 1", got["commit"].Items)
		}
	})
}
