package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/momentum-app/momentum/backend/collect"
	"github.com/momentum-app/momentum/backend/identity"
	"github.com/momentum-app/momentum/backend/secret"
	"github.com/momentum-app/momentum/backend/source"
	"github.com/momentum-app/momentum/backend/sourceconfig"
	"github.com/momentum-app/momentum/backend/store"
	"github.com/momentum-app/momentum/backend/store/storetest"
)

type personJSON struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Email    string `json:"email"`
	IsMe     bool   `json:"is_me"`
	Accounts int64  `json:"accounts"`
}

// gitConfig points `git config` at a global file with the given
// user.email (none when empty) and no system file.
func gitConfig(t *testing.T, email string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "gitconfig")
	body := ""
	if email != "" {
		body = "[user]\n\temail = " + email + "\n"
	}
	if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GIT_CONFIG_GLOBAL", file)
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
}

// threePeople stores Ann (two emails, kept apart: two people) and Bob.
func threePeople(t *testing.T, st *store.Store) (ann, annWork, bob identity.Ref) {
	t.Helper()
	ctx := context.Background()
	var err error
	for _, x := range []struct {
		ref         *identity.Ref
		name, email string
	}{{&ann, "Ann", "Ann@Example.com"}, {&annWork, "Ann L.", "ann@work.example"}, {&bob, "Bob", "bob@example.com"}} {
		if *x.ref, err = identity.Ensure(ctx, st, identity.GitAccount(x.name, x.email)); err != nil {
			t.Fatal(err)
		}
	}
	if ann.PersonID == annWork.PersonID || ann.PersonID == bob.PersonID {
		t.Fatalf("people merged too early: %+v %+v %+v", ann, annWork, bob)
	}
	return
}

func peopleByID(t *testing.T, url string) map[int64]personJSON {
	t.Helper()
	var list struct{ People []personJSON }
	if code := get(t, url+"/api/v1/people", &list); code != 200 {
		t.Fatalf("GET /people: %d", code)
	}
	out := map[int64]personJSON{}
	for _, p := range list.People {
		out[p.ID] = p
	}
	return out
}

func TestPeopleMergeSplit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ann, annWork, bob := threePeople(t, st)
		srv := newServer(t, st)

		var accounts struct {
			Accounts []store.Account `json:"accounts"`
		}
		if code := get(t, srv.URL+"/api/v1/accounts", &accounts); code != 200 || len(accounts.Accounts) != 3 {
			t.Fatalf("GET /accounts: %d %+v", code, accounts)
		}
		for _, a := range accounts.Accounts {
			if a.ID == annWork.AccountID && (a.PersonID != annWork.PersonID || a.Email != "ann@work.example" || a.Source != "git") {
				t.Errorf("account %+v", a)
			}
		}

		// Merge Ann's work person into Ann.
		var merged struct {
			Person personJSON
			Error  string
		}
		if code := send(t, "POST", srv.URL+"/api/v1/people/"+itoa(ann.PersonID)+"/merge", map[string]any{"from": annWork.PersonID}, &merged); code != 200 {
			t.Fatalf("merge: %d %s", code, merged.Error)
		}
		if merged.Person.ID != ann.PersonID || merged.Person.Accounts != 2 {
			t.Errorf("merged person = %+v", merged.Person)
		}
		people := peopleByID(t, srv.URL)
		if _, still := people[annWork.PersonID]; still || len(people) != 2 {
			t.Errorf("after merge: %+v", people)
		}

		// Split the work account off again: a new person with one account.
		var split struct{ Person personJSON }
		if code := send(t, "POST", srv.URL+"/api/v1/accounts/"+itoa(annWork.AccountID)+"/split", nil, &split); code != 201 {
			t.Fatalf("split: %d", code)
		}
		if split.Person.ID == ann.PersonID || split.Person.Accounts != 1 || split.Person.Email != "ann@work.example" {
			t.Errorf("split person = %+v", split.Person)
		}
		if p := peopleByID(t, srv.URL)[ann.PersonID]; p.Accounts != 1 || p.Email != "ann@example.com" {
			t.Errorf("Ann after split = %+v", p)
		}

		// The log says what was done by hand.
		log, err := st.AuditLog(context.Background(), 10)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range log {
			actions = append(actions, e.Action+": "+e.Detail)
		}
		joined := strings.Join(actions, "\n")
		if !strings.Contains(joined, "people.merge: person "+itoa(annWork.PersonID)+" merged into person "+itoa(ann.PersonID)) ||
			!strings.Contains(joined, "people.split: account "+itoa(annWork.AccountID)+" (git ann@work.example)") {
			t.Errorf("audit log:\n%s", joined)
		}

		// Mistakes: clear statuses and messages.
		for _, c := range []struct {
			method, path string
			body         any
			code         int
			says         string
		}{
			{"POST", "/api/v1/people/x/merge", map[string]any{"from": 1}, 400, "not a positive whole number"},
			{"POST", "/api/v1/people/" + itoa(ann.PersonID) + "/merge", map[string]any{}, 400, "say which person to merge in"},
			{"POST", "/api/v1/people/" + itoa(ann.PersonID) + "/merge", map[string]any{"from": ann.PersonID}, 400, "into itself"},
			{"POST", "/api/v1/people/" + itoa(ann.PersonID) + "/merge", map[string]any{"from": "bob"}, 400, "not valid JSON"},
			{"POST", "/api/v1/people/" + itoa(ann.PersonID) + "/merge", map[string]any{"from": 99999}, 404, "person 99999: not found"},
			{"POST", "/api/v1/people/99999/merge", map[string]any{"from": bob.PersonID}, 404, "person 99999: not found"},
			{"POST", "/api/v1/accounts/" + itoa(bob.AccountID) + "/split", nil, 400, "only account"},
			{"POST", "/api/v1/accounts/99999/split", nil, 404, "account 99999: not found"},
			{"POST", "/api/v1/accounts/-1/split", nil, 400, "not a positive whole number"},
			{"PUT", "/api/v1/people/me", map[string]any{}, 400, "say which person is you"},
			{"PUT", "/api/v1/people/me", map[string]any{"person_id": 99999}, 404, "person 99999: not found"},
			{"DELETE", "/api/v1/people/me", nil, 405, "use GET or PUT"},
		} {
			var e struct{ Error string }
			if code := send(t, c.method, srv.URL+c.path, c.body, &e); code != c.code || !strings.Contains(e.Error, c.says) {
				t.Errorf("%s %s %v: %d %q, want %d %q", c.method, c.path, c.body, code, e.Error, c.code, c.says)
			}
		}
		// Bob was left alone by the failed requests.
		if p := peopleByID(t, srv.URL)[bob.PersonID]; p.Accounts != 1 {
			t.Errorf("Bob = %+v", p)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// gitSource is a stand-in with the git source's ID and email key, so that
// the API reads the configured emails without running git.
func gitSource() *source.Source {
	return &source.Source{ID: "git", Name: "Local git repositories", Category: source.CategoryVCS,
		Keys: []source.Key{
			{Name: "GIT_REPOS", Label: "Repositories", Kind: source.KindList, Required: true},
			{Name: gitEmailsKey, Label: "Your author emails", Kind: source.KindList},
		},
		Scripts: []source.Script{{Name: "commit", Provides: []string{"git.commits"}, Run: func(context.Context, *source.Job) error { return nil }}}}
}

func TestWhoIsMe(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ann, annWork, bob := threePeople(t, st)
		gitConfig(t, "ANN@example.com")

		reg := source.NewRegistry()
		reg.Register(gitSource())
		cfg := sourceconfig.New(st, reg, secret.NewVault(secret.NewMemory()))
		eng := collect.New(collect.Config{Store: st, Configs: cfg, Log: quiet})
		srv := httptest.NewServer(New(st, "/data", quiet).WithCollection(context.Background(), eng, nil, "desktop").Handler(nil))
		t.Cleanup(srv.Close)

		type state struct {
			Person      *personJSON
			Suggestions []struct {
				Person personJSON
				Emails []string
			}
			Emails []struct{ Email, From string }
		}
		read := func() (state, map[string]any) {
			var s state
			var raw map[string]any
			get(t, srv.URL+"/api/v1/people/me", &raw)
			if code := get(t, srv.URL+"/api/v1/people/me", &s); code != 200 {
				t.Fatalf("GET /people/me: %d", code)
			}
			return s, raw
		}

		// Nothing configured, nobody is me: git's user.email suggests Ann.
		s, raw := read()
		if s.Person != nil || raw["configured"] != false || raw["git_source"] != true || raw["desktop"] != true {
			t.Errorf("first run = %v", raw)
		}
		if len(s.Emails) != 1 || s.Emails[0].Email != "ann@example.com" || s.Emails[0].From != "git" {
			t.Errorf("emails = %+v", s.Emails)
		}
		if len(s.Suggestions) != 1 || s.Suggestions[0].Person.ID != ann.PersonID {
			t.Errorf("suggestions = %+v", s.Suggestions)
		}

		// The configured emails suggest Ann's other person too, and Bob's
		// address matches nobody's in a different case only.
		if code := send(t, "PUT", srv.URL+"/api/v1/sources/git/config", map[string]any{"values": map[string]string{
			"GIT_REPOS": "/nowhere", gitEmailsKey: "ann@work.example, Ann@Example.com",
		}}, nil); code != 200 {
			t.Fatalf("config: %d", code)
		}
		s, raw = read()
		if raw["configured"] != true || len(s.Emails) != 2 || s.Emails[0].From != "config" || s.Emails[1].Email != "ann@example.com" {
			t.Errorf("configured: %v", raw)
		}
		got := map[int64][]string{}
		for _, x := range s.Suggestions {
			got[x.Person.ID] = x.Emails
		}
		if len(got) != 2 || len(got[annWork.PersonID]) != 1 || len(got[ann.PersonID]) != 1 {
			t.Errorf("suggestions = %+v", s.Suggestions)
		}

		// Bob says he is me.
		var put struct{ Person personJSON }
		if code := send(t, "PUT", srv.URL+"/api/v1/people/me", map[string]any{"person_id": bob.PersonID}, &put); code != 200 || !put.Person.IsMe {
			t.Fatalf("PUT me: %d %+v", code, put)
		}
		if s, _ = read(); s.Person == nil || s.Person.ID != bob.PersonID {
			t.Errorf("me = %+v", s.Person)
		}
		// Only one person is me.
		mine := 0
		for _, p := range peopleByID(t, srv.URL) {
			if p.IsMe {
				mine++
			}
		}
		if mine != 1 {
			t.Errorf("%d people are me", mine)
		}
		var e struct{ Error string }
		if code := send(t, "POST", srv.URL+"/api/v1/people/me", nil, &e); code != http.StatusMethodNotAllowed {
			t.Errorf("POST /people/me: %d %q", code, e.Error)
		}
	})
}
