package identity

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/momentum-app/momentum/backend/store"
	"github.com/momentum-app/momentum/backend/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

func TestNoreplyAndBots(t *testing.T) {
	for _, tc := range []struct {
		email, id, login string
		ok               bool
	}{
		{"123+Octocat@users.noreply.github.com", "123", "octocat", true},
		{"octocat@users.noreply.github.com", "", "octocat", true},
		{"x+octocat@users.noreply.github.com", "", "", false},
		{"@users.noreply.github.com", "", "", false},
		{"octocat@github.com", "", "", false},
	} {
		id, login, ok := NoreplyLogin(tc.email)
		if id != tc.id || login != tc.login || ok != tc.ok {
			t.Errorf("NoreplyLogin(%q) = %q %q %v", tc.email, id, login, ok)
		}
	}
	for _, tc := range []struct {
		name, login, email string
		bot                bool
	}{
		{"dependabot[bot]", "", "49699333+dependabot[bot]@users.noreply.github.com", true},
		{"GitHub", "", "noreply@github.com", true},
		{"Renovate Bot", "renovate[bot]", "", true},
		{"Ada", "ada", "ada@example.com", false},
		{"Robot Robertson", "", "robot@example.com", false},
	} {
		if got := IsBot(tc.name, tc.login, tc.email); got != tc.bot {
			t.Errorf("IsBot(%q, %q, %q) = %v", tc.name, tc.login, tc.email, got)
		}
	}
}

func personOf(t *testing.T, st *store.Store, r *Resolver, name, email string) Ref {
	t.Helper()
	ref, err := r.Git(context.Background(), name, email)
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

func count(t *testing.T, st *store.Store, q string, args ...any) int {
	t.Helper()
	var n int
	if err := st.DB().QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func TestAutomaticMerging(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		r := NewResolver(st)
		ada := personOf(t, st, r, "Ada", "ada@example.com")
		// Case-insensitive: one account, whatever the spelling.
		if again := personOf(t, st, NewResolver(st), "Ada L.", "ADA@Example.com"); again != ada {
			t.Errorf("ADA@Example.com: %+v, want %+v", again, ada)
		}
		// Two noreply forms of one GitHub login are one person; a GitHub
		// account with that login joins them.
		n1 := personOf(t, st, r, "Octo", "123+octocat@users.noreply.github.com")
		n2 := personOf(t, st, r, "Octo", "octocat@users.noreply.github.com")
		if n1.PersonID != n2.PersonID || n1.AccountID == n2.AccountID {
			t.Errorf("noreply forms: %+v %+v", n1, n2)
		}
		gh, err := Ensure(ctx, st, Account{Source: "github", ExternalID: "123", Login: "OctoCat", Name: "The Octocat"})
		if err != nil {
			t.Fatal(err)
		}
		if gh.PersonID != n1.PersonID {
			t.Errorf("github account 123/OctoCat: person %d, want %d", gh.PersonID, n1.PersonID)
		}
		// A github account that arrives first, then a git email with its
		// noreply id only.
		gh2, err := Ensure(ctx, st, Account{Source: "github", ExternalID: "777", Login: "grace", Email: "grace@navy.example"})
		if err != nil {
			t.Fatal(err)
		}
		if g := personOf(t, st, r, "Grace", "777+grace-renamed@users.noreply.github.com"); g.PersonID != gh2.PersonID {
			t.Errorf("noreply by id after a login change: person %d, want %d", g.PersonID, gh2.PersonID)
		}
		if g := personOf(t, st, r, "Grace H.", "Grace@Navy.example"); g.PersonID != gh2.PersonID {
			t.Errorf("git email of a github account: person %d, want %d", g.PersonID, gh2.PersonID)
		}
		// Bots: a person of their own, marked, never merged with people.
		bot := personOf(t, st, r, "dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com")
		if !bot.IsBot || bot.PersonID == ada.PersonID {
			t.Errorf("bot: %+v", bot)
		}
		if n := count(t, st, `SELECT COUNT(*) FROM people WHERE id = $1 AND is_bot`, bot.PersonID); n != 1 {
			t.Errorf("the bot's person is not marked as a bot")
		}
		// An empty email: known by name.
		anon := personOf(t, st, r, "Nobody", "")
		if anon == ada || anon.PersonID == 0 {
			t.Errorf("no email: %+v", anon)
		}
		if n := count(t, st, `SELECT COUNT(*) FROM people`); n != 5 {
			t.Errorf("%d people, want 5 (Ada, Octocat, Grace, the bot, Nobody)", n)
		}
	})
}

func TestMergeSplitSetMeClaimMe(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		r := NewResolver(st)
		home := personOf(t, st, r, "Ada", "ada@home.example")
		work := personOf(t, st, r, "Ada Lovelace", "ada@work.example")
		bob := personOf(t, st, r, "Bob", "bob@example.com")
		if home.PersonID == work.PersonID {
			t.Fatal("two unrelated emails merged")
		}
		repo := int64(0)
		if err := st.DB().QueryRowContext(ctx, `INSERT INTO repositories (source, external_id, full_name, name) VALUES ('git', '/r', 'r', 'r') RETURNING id`).Scan(&repo); err != nil {
			t.Fatal(err)
		}
		for i, ref := range []Ref{home, home, work, bob} {
			if _, err := st.InsertCommits(ctx, []store.NewCommit{{RepoID: repo, SHA: strings.Repeat(string(rune('a'+i)), 40),
				AuthorAccountID: ref.AccountID, PersonID: ref.PersonID, CommitterAccountID: ref.AccountID, AuthoredAt: 1, CommittedAt: 1}}); err != nil {
				t.Fatal(err)
			}
		}
		commitsOf := func(p int64) int { return count(t, st, `SELECT COUNT(*) FROM commits WHERE person_id = $1`, p) }

		// Merge by hand: everything moves, the other person is gone.
		if err := Merge(ctx, st, home.PersonID, work.PersonID); err != nil {
			t.Fatal(err)
		}
		if commitsOf(home.PersonID) != 3 || count(t, st, `SELECT COUNT(*) FROM people WHERE id = $1`, work.PersonID) != 0 ||
			count(t, st, `SELECT COUNT(*) FROM accounts WHERE person_id = $1`, home.PersonID) != 2 {
			t.Errorf("after merge: %d commits", commitsOf(home.PersonID))
		}
		if err := Merge(ctx, st, home.PersonID, home.PersonID); err == nil {
			t.Error("merged a person into itself")
		}
		if err := Merge(ctx, st, home.PersonID, 999999); !errors.Is(err, ErrNotFound) {
			t.Errorf("merge of a missing person: %v", err)
		}

		// Split: the account and its commits go to a new person, and
		// automatic merging never joins them again.
		split, err := Split(ctx, st, work.AccountID)
		if err != nil {
			t.Fatal(err)
		}
		if commitsOf(split) != 1 || commitsOf(home.PersonID) != 2 {
			t.Errorf("after split: %d and %d commits", commitsOf(split), commitsOf(home.PersonID))
		}
		if _, err := Split(ctx, st, work.AccountID); err == nil || !strings.Contains(err.Error(), "only account") {
			t.Errorf("splitting a lone account: %v", err)
		}
		if again := personOf(t, st, NewResolver(st), "Ada", "ada@work.example"); again.PersonID != split {
			t.Errorf("the split account moved back to %d", again.PersonID)
		}

		// Me: one person at a time.
		if err := SetMe(ctx, st, bob.PersonID); err != nil {
			t.Fatal(err)
		}
		if err := SetMe(ctx, st, home.PersonID); err != nil {
			t.Fatal(err)
		}
		if me, _ := Me(ctx, st); me != home.PersonID || count(t, st, `SELECT COUNT(*) FROM people WHERE is_me`) != 1 {
			t.Errorf("me = %d, want %d, once", me, home.PersonID)
		}
		if err := SetMe(ctx, st, 999999); !errors.Is(err, ErrNotFound) {
			t.Errorf("SetMe of a missing person: %v", err)
		}

		// ClaimMe: the configured emails are all mine, so their people
		// join me, and a new account with one of them is me at once.
		me, err := ClaimMe(ctx, st, []string{"ADA@work.example", "ada@home.example", "unseen@example.com"})
		if err != nil || me != home.PersonID {
			t.Fatalf("ClaimMe = %d, %v", me, err)
		}
		if commitsOf(me) != 3 || count(t, st, `SELECT COUNT(*) FROM people WHERE id = $1`, split) != 0 {
			t.Errorf("after ClaimMe: me has %d commits", commitsOf(me))
		}
		ids, err := PeopleByEmail(ctx, st, []string{"Ada@Home.Example", "bob@example.com", " "})
		if err != nil || len(ids) != 2 {
			t.Errorf("PeopleByEmail: %v %v", ids, err)
		}
		if got, err := ClaimMe(ctx, st, []string{"nobody@example.com"}); err != nil || got != 0 {
			t.Errorf("ClaimMe with unknown emails: %d %v", got, err)
		}
	})
}
