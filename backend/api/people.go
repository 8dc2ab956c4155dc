package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/momentum-app/momentum/backend/identity"
	"github.com/momentum-app/momentum/backend/store"
)

// gitEmailsKey is the git source's configuration key for the user's own
// author emails (backend/source/git.KeyEmails; the API does not import
// sources, the registry knows them).
const gitEmailsKey = "GIT_AUTHOR_EMAILS"

func (s *Server) peopleRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/people", s.listPeople)
	mux.HandleFunc("GET /api/v1/accounts", s.listAccounts)
	mux.HandleFunc("POST /api/v1/people/{id}/merge", s.mergePeople)
	mux.HandleFunc("POST /api/v1/accounts/{id}/split", s.splitAccount)
	mux.HandleFunc("GET /api/v1/people/me", s.getMe)
	mux.HandleFunc("PUT /api/v1/people/me", s.putMe)
}

func (s *Server) listPeople(w http.ResponseWriter, r *http.Request) {
	people, err := s.store.People(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"people": people})
}

func (s *Server) listAccounts(w http.ResponseWriter, r *http.Request) {
	accounts, err := s.store.Accounts(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"accounts": accounts})
}

// idFromPath reads the {id} of the path: a positive integer.
func idFromPath(r *http.Request, what string) (int64, error) {
	raw := r.PathValue("id")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("%s id %q is not a positive whole number", what, raw)
	}
	return id, nil
}

// auditVia says which interface changed something, for the audit log.
func (s *Server) auditVia() string {
	if s.collection != nil && s.collection.via != "" {
		return s.collection.via
	}
	return "api"
}

// audit records a change by hand to people. The change is made already:
// a failure to record it is logged, not reported to the client.
func (s *Server) audit(r *http.Request, action, detail string) {
	err := s.store.Audit(r.Context(), store.AuditEntry{At: s.now().Unix(), Via: s.auditVia(), Action: action, Detail: detail})
	if err != nil {
		s.log.Error("api: audit", "action", action, "err", err)
	}
}

// identityError maps identity errors: a missing person or account is 404.
func (s *Server) identityError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, identity.ErrNotFound) {
		writeError(w, http.StatusNotFound, err.Error())
		return
	}
	s.serverError(w, r, err)
}

type mergeBody struct {
	From int64 `json:"from"`
}

// mergePeople moves person "from" into the person of the path.
func (s *Server) mergePeople(w http.ResponseWriter, r *http.Request) {
	into, err := idFromPath(r, "person")
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	var body mergeBody
	if err := readJSON(r, &body); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	switch {
	case body.From <= 0:
		writeError(w, http.StatusBadRequest, `say which person to merge in: {"from": <person id>}`)
		return
	case body.From == into:
		writeError(w, http.StatusBadRequest, fmt.Sprintf("person %d cannot be merged into itself: choose two different people", into))
		return
	}
	if err := identity.Merge(r.Context(), s.store, into, body.From); err != nil {
		s.identityError(w, r, err)
		return
	}
	s.audit(r, "people.merge", fmt.Sprintf("person %d merged into person %d", body.From, into))
	s.writePerson(w, r, http.StatusOK, into)
}

// splitAccount moves an account off its person into a new person.
func (s *Server) splitAccount(w http.ResponseWriter, r *http.Request) {
	id, err := idFromPath(r, "account")
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	acc, ok, err := s.store.Account(r.Context(), id)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if !ok {
		writeError(w, http.StatusNotFound, fmt.Sprintf("account %d: not found", id))
		return
	}
	all, err := s.store.Accounts(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	siblings := 0
	for _, a := range all {
		if a.PersonID == acc.PersonID {
			siblings++
		}
	}
	if siblings < 2 {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("account %d is the only account of person %d: there is nothing to split off", id, acc.PersonID))
		return
	}
	newID, err := identity.Split(r.Context(), s.store, id)
	if err != nil {
		s.identityError(w, r, err)
		return
	}
	s.audit(r, "people.split", fmt.Sprintf("account %d (%s %s) split from person %d into person %d", id, acc.Source, accountLabel(acc), acc.PersonID, newID))
	s.writePerson(w, r, http.StatusCreated, newID)
}

func accountLabel(a store.Account) string {
	for _, v := range []string{a.Email, a.Login, a.Name, a.ExternalID} {
		if v != "" {
			return v
		}
	}
	return ""
}

// writePerson answers with one person as GET /people lists it.
func (s *Server) writePerson(w http.ResponseWriter, r *http.Request, status int, id int64) {
	p, ok, err := s.person(r.Context(), id)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if !ok {
		writeError(w, http.StatusNotFound, fmt.Sprintf("person %d: not found", id))
		return
	}
	writeJSON(w, status, map[string]any{"person": p})
}

func (s *Server) person(ctx context.Context, id int64) (store.Person, bool, error) {
	people, err := s.store.People(ctx)
	if err != nil {
		return store.Person{}, false, err
	}
	for _, p := range people {
		if p.ID == id {
			return p, true, nil
		}
	}
	return store.Person{}, false, nil
}

// meSuggestion is a person who may be "me", and the emails that say so.
type meSuggestion struct {
	Person store.Person `json:"person"`
	Emails []string     `json:"emails"`
}

// knownEmail is an email of the user's, and where it was found: "config"
// (the git source's author emails) or "git" (`git config user.email`).
type knownEmail struct {
	Email string `json:"email"`
	From  string `json:"from"`
}

// meState is what the first-run dialog needs: who is "me" (null when no
// one), who could be, and whether anything is configured yet.
type meState struct {
	Person      *store.Person  `json:"person"`
	Suggestions []meSuggestion `json:"suggestions"`
	Emails      []knownEmail   `json:"emails"`
	// Configured: some data source has configuration.
	Configured bool `json:"configured"`
	// GitSource: this build has the local git source, so the home folder
	// can be scanned for repositories.
	GitSource bool `json:"git_source"`
	// Desktop: the API serves the desktop app (one user on their laptop),
	// not a team's `momentum serve`.
	Desktop bool `json:"desktop"`
}

func (s *Server) getMe(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	st := meState{Suggestions: []meSuggestion{}, Emails: []knownEmail{}}
	people, err := s.store.People(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	byID := map[int64]store.Person{}
	for _, p := range people {
		byID[p.ID] = p
		if p.IsMe && st.Person == nil {
			st.Person = &p
		}
	}
	if c := s.collection; c != nil {
		st.Desktop = c.via == "desktop"
		views, err := c.eng.Configs().ShowAll(ctx)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		for _, v := range views {
			st.Configured = st.Configured || v.Configured
		}
		if _, err := c.eng.Configs().Registry().Lookup("git"); err == nil {
			st.GitSource = true
			cfg, err := c.eng.Configs().Resolve(ctx, "git")
			if err != nil {
				s.serverError(w, r, err)
				return
			}
			for _, e := range cfg.List(gitEmailsKey) {
				st.Emails = appendEmail(st.Emails, e, "config")
			}
		}
	}
	gitCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if e := identity.GitUserEmail(gitCtx); e != "" {
		st.Emails = appendEmail(st.Emails, e, "git")
	}
	index := map[int64]int{}
	for _, e := range st.Emails {
		ids, err := identity.PeopleByEmail(ctx, s.store, []string{e.Email})
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		for _, id := range ids {
			p, ok := byID[id]
			if !ok || p.IsBot {
				continue
			}
			if i, seen := index[id]; seen {
				st.Suggestions[i].Emails = append(st.Suggestions[i].Emails, e.Email)
				continue
			}
			index[id] = len(st.Suggestions)
			st.Suggestions = append(st.Suggestions, meSuggestion{Person: p, Emails: []string{e.Email}})
		}
	}
	writeJSON(w, http.StatusOK, st)
}

func appendEmail(list []knownEmail, email, from string) []knownEmail {
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" {
		return list
	}
	for _, e := range list {
		if e.Email == email {
			return list
		}
	}
	return append(list, knownEmail{Email: email, From: from})
}

type meBody struct {
	PersonID int64 `json:"person_id"`
}

func (s *Server) putMe(w http.ResponseWriter, r *http.Request) {
	var body meBody
	if err := readJSON(r, &body); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if body.PersonID <= 0 {
		writeError(w, http.StatusBadRequest, `say which person is you: {"person_id": <person id>}`)
		return
	}
	if err := identity.SetMe(r.Context(), s.store, body.PersonID); err != nil {
		s.identityError(w, r, err)
		return
	}
	s.audit(r, "people.me", fmt.Sprintf("person %d marked as me", body.PersonID))
	s.writePerson(w, r, http.StatusOK, body.PersonID)
}
