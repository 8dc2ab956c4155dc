package api

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/momentum-app/momentum/backend/store"
)

func (s *Server) teamRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/teams", s.listTeams)
	mux.HandleFunc("POST /api/v1/teams", s.createTeam)
	mux.HandleFunc("GET /api/v1/teams/{id}", s.getTeam)
	mux.HandleFunc("PUT /api/v1/teams/{id}", s.updateTeam)
	mux.HandleFunc("DELETE /api/v1/teams/{id}", s.deleteTeam)
}

// teamBody is a team as clients send it; PUT leaves out what it keeps.
type teamBody struct {
	Name        *string  `json:"name"`
	Description *string  `json:"description"`
	PersonIDs   *[]int64 `json:"person_ids"`
	RepoIDs     *[]int64 `json:"repo_ids"`
}

const maxDescriptionLen = 500

func applyTeamBody(in *store.TeamInput, b teamBody) error {
	if b.Name != nil {
		name, err := cleanName(*b.Name, "the team's")
		if err != nil {
			return err
		}
		in.Name = name
	}
	if b.Description != nil {
		in.Description = strings.TrimSpace(*b.Description)
		if len([]rune(in.Description)) > maxDescriptionLen {
			return fmt.Errorf("description: longer than %d characters", maxDescriptionLen)
		}
	}
	if b.PersonIDs != nil {
		in.PersonIDs = *b.PersonIDs
	}
	if b.RepoIDs != nil {
		in.RepoIDs = *b.RepoIDs
	}
	return nil
}

func (s *Server) auditTeam(ctx context.Context, action string, t store.TeamDetail, detail string) {
	via := "api"
	if s.collection != nil && s.collection.via != "" {
		via = s.collection.via // "desktop" in the app
	}
	err := s.store.Audit(ctx, store.AuditEntry{At: s.now().Unix(), Via: via, Action: action, Key: t.Name, Detail: detail})
	if err != nil {
		s.log.Error("api: unable to audit a team change", "team", t.ID, "err", err)
	}
}

func teamSize(t store.TeamDetail) string {
	return fmt.Sprintf("%d %s, %d %s", t.Members, plural(t.Members, "person", "people"), t.Repos, plural(t.Repos, "repository", "repositories"))
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func (s *Server) getTeam(w http.ResponseWriter, r *http.Request) {
	id, ok := rowIDParam(w, r, "a team's")
	if !ok {
		return
	}
	t, err := s.store.Team(r.Context(), id)
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

func (s *Server) createTeam(w http.ResponseWriter, r *http.Request) {
	var b teamBody
	if err := readJSON(r, &b); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if b.Name == nil {
		writeError(w, http.StatusBadRequest, "a team needs a name")
		return
	}
	var in store.TeamInput
	if err := applyTeamBody(&in, b); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	t, err := s.store.CreateTeam(r.Context(), in, s.now().Unix())
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	s.auditTeam(r.Context(), "team.create", t, teamSize(t))
	w.Header().Set("Location", "/api/v1/teams/"+strconv.FormatInt(t.ID, 10))
	writeJSON(w, http.StatusCreated, t)
}

func (s *Server) updateTeam(w http.ResponseWriter, r *http.Request) {
	id, ok := rowIDParam(w, r, "a team's")
	if !ok {
		return
	}
	var b teamBody
	if err := readJSON(r, &b); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	old, err := s.store.Team(r.Context(), id)
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	in := store.TeamInput{Name: old.Name, Description: old.Description, PersonIDs: old.PersonIDs, RepoIDs: old.RepoIDs}
	if err := applyTeamBody(&in, b); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	t, err := s.store.UpdateTeam(r.Context(), id, in)
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	detail := teamSize(t)
	if old.Name != t.Name {
		detail = "renamed from " + strconv.Quote(old.Name) + "; " + detail
	}
	s.auditTeam(r.Context(), "team.update", t, detail)
	writeJSON(w, http.StatusOK, t)
}

func (s *Server) deleteTeam(w http.ResponseWriter, r *http.Request) {
	id, ok := rowIDParam(w, r, "a team's")
	if !ok {
		return
	}
	t, err := s.store.Team(r.Context(), id)
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	if err := s.store.DeleteTeam(r.Context(), id); err != nil {
		s.storeError(w, r, err)
		return
	}
	s.auditTeam(r.Context(), "team.delete", t, teamSize(t))
	w.WriteHeader(http.StatusNoContent)
}
