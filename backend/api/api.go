// Package api is Momentum's REST API (/api/v1). The same handler serves the
// desktop webview (through Wails' AssetServer) and browsers (`momentum serve`).
package api

import (
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/momentum-app/momentum/backend/buildinfo"
	"github.com/momentum-app/momentum/backend/metric"
	"github.com/momentum-app/momentum/backend/rollup"
	"github.com/momentum-app/momentum/backend/store"
)

// Server holds what the handlers need.
type Server struct {
	store   *store.Store
	metrics *metric.Engine
	dataDir string
	log     *slog.Logger
	now     func() time.Time

	collection *collection // data sources, runs, collections (collect.go)
}

// New returns the API on st.
func New(st *store.Store, dataDir string, log *slog.Logger) *Server {
	return &Server{
		store:   st,
		metrics: metric.NewEngine(st.DB(), st.Engine().Postgres()),
		dataDir: dataDir,
		log:     log,
		now:     time.Now,
	}
}

// Handler routes /api/v1. Requests outside the API fall to assets (the built
// frontend) when given; the desktop passes nil because Wails serves assets.
func (s *Server) Handler(assets fs.FS) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/health", s.health)
	mux.HandleFunc("GET /api/v1/metrics", s.listMetrics)
	mux.HandleFunc("GET /api/v1/metrics/{id}", s.getMetric)
	mux.HandleFunc("GET /api/v1/metrics/{id}/items", s.getMetricItems)
	mux.HandleFunc("GET /api/v1/repos", s.listRepos)
	s.peopleRoutes(mux)
	s.teamRoutes(mux)
	s.viewRoutes(mux)
	mux.HandleFunc("POST /api/v1/sources/git/discover", s.discoverGit)
	s.collectRoutes(mux)
	s.sourceRepoRoutes(mux)
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		// ServeMux answers a wrong method with 405 only when no other
		// pattern matches; this catch-all matches everything, so check.
		var allow []string
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete} {
			probe := r.Clone(r.Context())
			probe.Method = m
			if _, pattern := mux.Handler(probe); pattern != "/api/" {
				allow = append(allow, m)
			}
		}
		if len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			writeError(w, http.StatusMethodNotAllowed, r.Method+" is not allowed on "+r.URL.Path+"; use "+strings.Join(allow, " or "))
			return
		}
		writeError(w, http.StatusNotFound, "no such API endpoint: "+r.Method+" "+r.URL.Path)
	})
	if assets != nil {
		mux.Handle("/", spa(assets))
	}
	return s.instrument(mux)
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	status := "ok"
	if err := s.store.DB().PingContext(r.Context()); err != nil {
		s.log.Error("health: database unreachable", "err", err)
		status = "database unreachable"
	}
	// Days of dashboard figures still to fill (after an upgrade); the
	// status bar says the dashboards are being prepared.
	pending, err := rollup.Pending(r.Context(), s.store.DB())
	if err != nil {
		s.log.Warn("health: cannot count the rollup marks", "err", err)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"rollups_pending": pending,
		"status":          status,
		"version":         buildinfo.Version,
		"engine":          s.store.Engine(),
		"data_dir":        s.dataDir,
		"database":        s.store.Location(),
		"notice":          s.store.Notice(),
		"schema":          store.SchemaVersion(),
	})
}

func (s *Server) listMetrics(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"metrics": metric.All()})
}

func (s *Server) getMetric(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, err := metric.Lookup(id); err != nil {
		writeError(w, http.StatusNotFound, err.Error())
		return
	}
	q, err := metric.ParseQuery(r.URL.Query().Get, s.now())
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	res, err := s.metrics.Compute(r.Context(), id, q)
	switch {
	case errors.Is(err, metric.ErrBadQuery):
		writeError(w, http.StatusBadRequest, err.Error())
	case errors.Is(err, metric.ErrNotBuilt):
		writeError(w, http.StatusNotImplemented, err.Error())
	case err != nil:
		s.serverError(w, r, err)
	default:
		writeJSON(w, http.StatusOK, res)
	}
}

func (s *Server) listRepos(w http.ResponseWriter, r *http.Request) {
	repos, err := s.store.Repositories(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"repos": repos})
}

func (s *Server) listTeams(w http.ResponseWriter, r *http.Request) {
	teams, err := s.store.Teams(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"teams": teams})
}
