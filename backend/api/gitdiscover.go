package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/momentum-app/momentum/backend/source/git"
)

// The desktop's first run offers to scan the home folder for repositories:
//
//	POST /api/v1/sources/git/discover  {"paths": ["~"], "depth": 3}
//	→ {"repositories": [{"path": "...", "name": "..."}], "emails": ["..."], "truncated": false}
//
// emails are `git config user.email` and the emails set in the found
// repositories, to suggest GIT_AUTHOR_EMAILS and "me". The scan is bounded:
// depth (at most maxDiscoverDepth), a time limit (truncated: the list is
// what was found until then), and dependency, media and hidden folders are
// not entered. Problems with single paths (missing, unreadable) come back
// in errors beside what was found.

const (
	defaultDiscoverDepth = 3
	maxDiscoverDepth     = 6
	maxDiscoverPaths     = 32
	// discoverEmailRepos bounds the repositories asked for their user.email.
	discoverEmailRepos = 64
)

// discoverTimeout bounds one scan; a variable for tests.
var discoverTimeout = 15 * time.Second

type gitDiscoverRequest struct {
	Paths []string `json:"paths"`
	Depth *int     `json:"depth"`
}

type discoveredRepo struct {
	Path string `json:"path"`
	Name string `json:"name"`
}

type gitDiscoverResponse struct {
	Repositories []discoveredRepo `json:"repositories"`
	Emails       []string         `json:"emails"`
	Truncated    bool             `json:"truncated"`
	Errors       []string         `json:"errors,omitempty"`
}

func (s *Server) discoverGit(w http.ResponseWriter, r *http.Request) {
	var req gitDiscoverRequest
	if r.ContentLength != 0 {
		if err := readJSON(r, &req); err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
	}
	depth := defaultDiscoverDepth
	if req.Depth != nil {
		depth = *req.Depth
	}
	if depth < 0 || depth > maxDiscoverDepth {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("depth must be between 0 and %d, not %d", maxDiscoverDepth, depth))
		return
	}
	paths := req.Paths
	if len(paths) == 0 {
		paths = []string{"~"}
	}
	if len(paths) > maxDiscoverPaths {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("at most %d paths can be scanned at once, not %d", maxDiscoverPaths, len(paths)))
		return
	}
	for _, p := range paths {
		if strings.TrimSpace(p) == "" {
			writeError(w, http.StatusBadRequest, `a path is empty: give folders such as "~" or "~/src"`)
			return
		}
	}

	ctx, cancel := context.WithTimeout(r.Context(), discoverTimeout)
	defer cancel()
	found, err := git.Discover(ctx, paths, depth)
	resp := gitDiscoverResponse{Repositories: []discoveredRepo{}, Emails: []string{}}
	if err != nil {
		if r.Context().Err() != nil {
			return // the client went away
		}
		for _, e := range flatten(err) {
			if errors.Is(e, context.DeadlineExceeded) {
				resp.Truncated = true
				continue
			}
			resp.Errors = append(resp.Errors, e.Error())
		}
	}
	for _, p := range found {
		resp.Repositories = append(resp.Repositories, discoveredRepo{Path: p, Name: strings.TrimSuffix(filepath.Base(p), ".git")})
	}
	// The emails get a moment of their own even when the scan used up its time.
	ectx, ecancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer ecancel()
	if emails := git.UserEmails(ectx, found, discoverEmailRepos); emails != nil {
		resp.Emails = emails
	}
	writeJSON(w, http.StatusOK, resp)
}

// flatten lists the errors errors.Join put together.
func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}
