package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/momentum-app/momentum/backend/source"
)

// The repositories a hosted source discovered, and the user's choice of
// those it collects. A repository is excluded by its exact name in the
// source's exclude key (RepoFilter), set through the configuration service
// so that the change is validated and audited like any other; the stored
// repositories.excluded flag is updated at once so that lists and metrics
// follow before the next collection, which honours the key (GitHub
// rewrites the flag from it, GitLab and Bitbucket skip both).

func (s *Server) sourceRepoRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/sources/{id}/repositories", s.needCollection(s.listSourceRepos))
	mux.HandleFunc("PUT /api/v1/sources/{id}/repositories/{repo}", s.needCollection(s.putSourceRepo))
}

// Why a repository is not collected.
const (
	reasonManual  = "manual"  // its exact name in the exclude key, or set on the page before
	reasonPattern = "pattern" // an exclude pattern matches it, or no include pattern does
	reasonSource  = "source"  // another setting of the source (GitHub: visibility, owners)
)

type sourceRepo struct {
	ID           int64  `json:"id"`
	FullName     string `json:"full_name"`
	Name         string `json:"name"`
	URL          string `json:"url"`
	Language     string `json:"language"`
	Private      bool   `json:"private"`
	Archived     bool   `json:"archived"`
	LastActivity *int64 `json:"last_activity"` // latest commit or update, Unix seconds
	Excluded     bool   `json:"excluded"`
	Reason       string `json:"reason,omitempty"`
	stored       bool   // repositories.excluded
}

type sourceReposView struct {
	Source       string       `json:"source"`
	IncludeKey   string       `json:"include_key"`
	ExcludeKey   string       `json:"exclude_key"`
	Include      []string     `json:"include"`
	Exclude      []string     `json:"exclude"`
	DerivedBy    string       `json:"derived_by"` // what else excludes a repository (reason "source")
	Repositories []sourceRepo `json:"repositories"`
}

// derivedBy is what else than the patterns excludes a repository.
func derivedBy(f *source.RepoFilter) string {
	if f.DerivedBy != "" {
		return f.DerivedBy
	}
	return "such as its visibility filter or owners"
}

// repoSelection is a source's filter and its current pattern lists.
type repoSelection struct {
	src *source.Source
	f   *source.RepoFilter
	cfg source.Config
}

func (s *Server) repoSelection(ctx context.Context, id string) (*repoSelection, int, error) {
	src, err := s.collection.eng.Configs().Registry().Lookup(id)
	if err != nil {
		return nil, http.StatusNotFound, err
	}
	if src.Repos == nil {
		return nil, http.StatusNotFound, fmt.Errorf("%s does not discover repositories to choose from", src.Name)
	}
	view, err := s.collection.eng.Configs().Show(ctx, id)
	if err != nil {
		return nil, http.StatusInternalServerError, err
	}
	cfg := source.Config{}
	for _, v := range view.Values {
		if v.Key == src.Repos.IncludeKey || v.Key == src.Repos.ExcludeKey {
			cfg[v.Key] = v.Value
		}
	}
	return &repoSelection{src: src, f: src.Repos, cfg: cfg}, 0, nil
}

// exact says whether the exclude key names the repository itself.
func exactIn(list []string, name string) bool {
	for _, p := range list {
		if strings.EqualFold(p, name) {
			return true
		}
	}
	return false
}

// judge fills in whether the repository is collected and why not.
func (sel *repoSelection) judge(r *sourceRepo) {
	name := sel.f.NameOf(r.FullName, r.Name)
	r.Excluded, r.Reason = true, ""
	switch {
	case exactIn(sel.cfg.List(sel.f.ExcludeKey), name):
		r.Reason = reasonManual
	case !sel.f.Selects(sel.cfg, r.FullName, r.Name):
		r.Reason = reasonPattern
	case r.stored && sel.f.Derived:
		r.Reason = reasonSource
	case r.stored:
		r.Reason = reasonManual
	default:
		r.Excluded = false
	}
}

const sourceRepoColumns = `SELECT r.id, r.full_name, r.name, r.url, r.language, r.is_private, r.is_archived, r.excluded,
		r.updated_at, (SELECT MAX(c.committed_at) FROM commits c WHERE c.repo_id = r.id)
	FROM repositories r WHERE r.source = $1`

func scanSourceRepo(sc interface{ Scan(...any) error }) (sourceRepo, error) {
	var r sourceRepo
	var updated, committed *int64
	if err := sc.Scan(&r.ID, &r.FullName, &r.Name, &r.URL, &r.Language, &r.Private, &r.Archived, &r.stored, &updated, &committed); err != nil {
		return r, err
	}
	r.LastActivity = updated
	if committed != nil && (updated == nil || *committed > *updated) {
		r.LastActivity = committed
	}
	return r, nil
}

func (s *Server) listSourceRepos(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	sel, code, err := s.repoSelection(r.Context(), id)
	if err != nil {
		writeError(w, code, err.Error())
		return
	}
	rows, err := s.store.DB().QueryContext(r.Context(), sourceRepoColumns+` ORDER BY r.full_name, r.id`, id)
	if err != nil {
		s.serverError(w, r, fmt.Errorf("api: unable to list the repositories of %s: %w", id, err))
		return
	}
	defer rows.Close()
	out := sourceReposView{Source: id, IncludeKey: sel.f.IncludeKey, ExcludeKey: sel.f.ExcludeKey, DerivedBy: derivedBy(sel.f),
		Include: sel.cfg.List(sel.f.IncludeKey), Exclude: sel.cfg.List(sel.f.ExcludeKey), Repositories: []sourceRepo{}}
	for rows.Next() {
		repo, err := scanSourceRepo(rows)
		if err != nil {
			s.serverError(w, r, fmt.Errorf("api: unable to list the repositories of %s: %w", id, err))
			return
		}
		sel.judge(&repo)
		out.Repositories = append(out.Repositories, repo)
	}
	if err := rows.Err(); err != nil {
		s.serverError(w, r, fmt.Errorf("api: unable to list the repositories of %s: %w", id, err))
		return
	}
	if out.Include == nil {
		out.Include = []string{}
	}
	if out.Exclude == nil {
		out.Exclude = []string{}
	}
	writeJSON(w, http.StatusOK, out)
}

// repoToggles serialises the read-modify-write of the pattern keys, so
// that two toggles at once do not lose one another's name.
var repoToggles sync.Mutex

type sourceRepoBody struct {
	Excluded *bool `json:"excluded"`
}

// putSourceRepo includes or excludes one repository: excluding adds its
// exact name to the exclude key; including removes it from there and, when
// include patterns leave it out, adds its name to the include key. A
// repository that an exclude pattern or another setting keeps out is a 409
// that names what to edit instead.
func (s *Server) putSourceRepo(w http.ResponseWriter, r *http.Request) {
	var body sourceRepoBody
	if err := readJSON(r, &body); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if body.Excluded == nil {
		writeError(w, http.StatusBadRequest, `send {"excluded": true} or {"excluded": false}`)
		return
	}
	id := r.PathValue("id")
	repoID, err := strconv.ParseInt(r.PathValue("repo"), 10, 64)
	if err != nil {
		writeError(w, http.StatusBadRequest, "the repository id must be a number")
		return
	}
	repoToggles.Lock()
	defer repoToggles.Unlock()
	sel, code, err := s.repoSelection(r.Context(), id)
	if err != nil {
		writeError(w, code, err.Error())
		return
	}
	repo, err := scanSourceRepo(s.store.DB().QueryRowContext(r.Context(), sourceRepoColumns+` AND r.id = $2`, id, repoID))
	if err != nil {
		writeError(w, http.StatusNotFound, fmt.Sprintf("%s has discovered no repository %d", sel.src.Name, repoID))
		return
	}
	f, name := sel.f, sel.f.NameOf(repo.FullName, repo.Name)
	include, exclude := sel.cfg.List(f.IncludeKey), sel.cfg.List(f.ExcludeKey)
	set := map[string][]string{}
	if *body.Excluded {
		if !exactIn(exclude, name) {
			set[f.ExcludeKey] = append(exclude, name)
		}
	} else {
		var kept []string
		for _, p := range exclude {
			if !strings.EqualFold(p, name) {
				kept = append(kept, p)
			}
		}
		if f.Match(kept, name) {
			writeError(w, http.StatusConflict, fmt.Sprintf("%s is excluded by a pattern of %s (%s): edit the pattern to include it",
				repo.FullName, f.ExcludeKey, strings.Join(kept, ", ")))
			return
		}
		if f.Derived && repo.stored && f.Selects(sel.cfg, repo.FullName, repo.Name) {
			writeError(w, http.StatusConflict, fmt.Sprintf("%s is excluded by another setting of %s (%s): change it in the configuration",
				repo.FullName, sel.src.Name, derivedBy(f)))
			return
		}
		if len(kept) != len(exclude) {
			set[f.ExcludeKey] = kept
		}
		if len(include) > 0 && !f.Match(include, name) {
			set[f.IncludeKey] = append(include, name)
		}
	}
	if err := s.saveLists(r.Context(), id, set); err != nil {
		s.configError(w, r, err)
		return
	}
	if _, err := s.store.DB().ExecContext(r.Context(), `UPDATE repositories SET excluded = $1 WHERE id = $2`, *body.Excluded, repo.ID); err != nil {
		s.serverError(w, r, fmt.Errorf("api: unable to update repository %s: %w", repo.FullName, err))
		return
	}
	repo.stored = *body.Excluded
	if sel, _, err = s.repoSelection(r.Context(), id); err != nil {
		s.serverError(w, r, err)
		return
	}
	sel.judge(&repo)
	writeJSON(w, http.StatusOK, repo)
}

// saveLists writes pattern lists through the configuration service
// (validated, audited); an emptied list is unset.
func (s *Server) saveLists(ctx context.Context, id string, lists map[string][]string) error {
	cfg := s.collection.eng.Configs()
	values := map[string]string{}
	var errs []error
	for key, list := range lists {
		if len(list) == 0 {
			errs = append(errs, cfg.Unset(ctx, id, key, s.collection.via))
			continue
		}
		values[key] = strings.Join(list, ",")
	}
	if len(values) > 0 {
		errs = append(errs, cfg.Set(ctx, id, values, s.collection.via))
	}
	return errors.Join(errs...)
}
