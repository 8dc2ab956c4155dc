package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/momentum-app/momentum/backend/collect"
	"github.com/momentum-app/momentum/backend/schedule"
	"github.com/momentum-app/momentum/backend/secret"
	"github.com/momentum-app/momentum/backend/source"
	"github.com/momentum-app/momentum/backend/sourceconfig"
	"github.com/momentum-app/momentum/backend/store"
)

// collection is what the data-source endpoints need; nil when the server
// runs without the collection engine.
type collection struct {
	ctx   context.Context // bounds background collections: the server's life
	eng   *collect.Engine
	sched *schedule.Scheduler
	via   string // "api" from a browser, "desktop" in the app
}

// WithCollection enables the data-source, run and collection endpoints.
// ctx bounds collections started through the API; sched may be nil.
func (s *Server) WithCollection(ctx context.Context, eng *collect.Engine, sched *schedule.Scheduler, via string) *Server {
	s.collection = &collection{ctx: ctx, eng: eng, sched: sched, via: via}
	return s
}

func (s *Server) collectRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/sources", s.needCollection(s.listSources))
	mux.HandleFunc("GET /api/v1/sources/{id}/config", s.needCollection(s.getSourceConfig))
	mux.HandleFunc("PUT /api/v1/sources/{id}/config", s.needCollection(s.putSourceConfig))
	mux.HandleFunc("DELETE /api/v1/sources/{id}/config/{key}", s.needCollection(s.deleteSourceConfig))
	mux.HandleFunc("POST /api/v1/sources/{id}/test", s.needCollection(s.testSource))
	mux.HandleFunc("POST /api/v1/sources/{id}/reset", s.needCollection(s.resetSource))
	mux.HandleFunc("POST /api/v1/collect", s.needCollection(s.startCollection))
	mux.HandleFunc("GET /api/v1/collect/events", s.needCollection(s.collectEvents))
	mux.HandleFunc("GET /api/v1/runs", s.needCollection(s.listRuns))
	mux.HandleFunc("GET /api/v1/audit", s.needCollection(s.listAudit))
	mux.HandleFunc("GET /api/v1/settings/collect", s.needCollection(s.getCollectSettings))
	mux.HandleFunc("PUT /api/v1/settings/collect", s.needCollection(s.putCollectSettings))
	mux.HandleFunc("GET /api/v1/settings/collect/cron", s.needCollection(s.previewCron))
}

func (s *Server) needCollection(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.collection == nil {
			writeError(w, http.StatusServiceUnavailable, "data collection is not available in this server")
			return
		}
		h(w, r)
	}
}

// sourceInfo is a source as the Data sources page needs it: metadata,
// configuration (masked) and the latest run of each script.
type sourceInfo struct {
	*source.Source
	Config   sourceconfig.View    `json:"config"`
	LastRuns map[string]store.Run `json:"last_runs"`
}

func (s *Server) listSources(w http.ResponseWriter, r *http.Request) {
	c := s.collection
	views, err := c.eng.Configs().ShowAll(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	runs, err := s.store.Runs(r.Context(), store.RunFilter{Limit: 1000})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	out := []sourceInfo{}
	for _, v := range views {
		src, err := c.eng.Configs().Registry().Lookup(v.Source)
		if err != nil {
			continue
		}
		info := sourceInfo{Source: src, Config: v, LastRuns: map[string]store.Run{}}
		for _, run := range runs { // newest first
			if _, seen := info.LastRuns[run.Script]; run.Source == src.ID && !seen {
				info.LastRuns[run.Script] = run
			}
		}
		out = append(out, info)
	}
	writeJSON(w, http.StatusOK, map[string]any{"sources": out, "secret_store": c.eng.Configs().SecretBackend()})
}

func (s *Server) getSourceConfig(w http.ResponseWriter, r *http.Request) {
	v, err := s.collection.eng.Configs().Show(r.Context(), r.PathValue("id"))
	if err != nil {
		writeError(w, http.StatusNotFound, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, v)
}

type configBody struct {
	Values map[string]string `json:"values"`
}

func readJSON(r *http.Request, into any) error {
	r.Body = http.MaxBytesReader(nil, r.Body, 1<<20)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(into); err != nil {
		return fmt.Errorf("the request body is not valid JSON for this endpoint: %v", err)
	}
	return nil
}

// configError maps configuration errors to statuses: the user's mistakes
// are 400, an unknown source 404, a missing secret store 409.
func (s *Server) configError(w http.ResponseWriter, r *http.Request, err error) {
	var ve *sourceconfig.ValidationError
	switch {
	case errors.As(err, &ve):
		writeError(w, http.StatusBadRequest, err.Error())
	case errors.Is(err, secret.ErrNoBackend):
		writeError(w, http.StatusConflict, err.Error())
	case strings.HasPrefix(err.Error(), "unknown data source"):
		writeError(w, http.StatusNotFound, err.Error())
	default:
		s.serverError(w, r, err)
	}
}

func (s *Server) putSourceConfig(w http.ResponseWriter, r *http.Request) {
	var body configBody
	if err := readJSON(r, &body); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	id := r.PathValue("id")
	cfg := s.collection.eng.Configs()
	if err := cfg.Set(r.Context(), id, body.Values, s.collection.via); err != nil {
		s.configError(w, r, err)
		return
	}
	v, err := cfg.Show(r.Context(), id)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) deleteSourceConfig(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	cfg := s.collection.eng.Configs()
	if err := cfg.Unset(r.Context(), id, r.PathValue("key"), s.collection.via); err != nil {
		s.configError(w, r, err)
		return
	}
	v, err := cfg.Show(r.Context(), id)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) testSource(w http.ResponseWriter, r *http.Request) {
	var body configBody
	if r.ContentLength != 0 {
		if err := readJSON(r, &body); err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
	}
	found, err := s.collection.eng.Configs().Test(r.Context(), r.PathValue("id"), body.Values, s.collection.eng.HTTPOptions())
	var ve *sourceconfig.ValidationError
	switch {
	case err == nil:
		writeJSON(w, http.StatusOK, map[string]any{"ok": true, "found": found})
	case errors.As(err, &ve) || strings.HasPrefix(err.Error(), "unknown data source"):
		s.configError(w, r, err)
	default:
		// The tool answered badly: a result, not a server fault.
		writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": err.Error()})
	}
}

func (s *Server) resetSource(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, err := s.collection.eng.Configs().Registry().Lookup(id); err != nil {
		writeError(w, http.StatusNotFound, err.Error())
		return
	}
	if err := s.collection.eng.Reset(r.Context(), []string{id}, s.collection.via); err != nil {
		s.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"reset": id})
}

type collectBody struct {
	Sources []string `json:"sources"`
	Full    bool     `json:"full"`
	Since   string   `json:"since"` // YYYY-MM-DD
}

// startCollection checks and starts a collection in the background and
// answers 202 with its ID; progress follows on /collect/events.
func (s *Server) startCollection(w http.ResponseWriter, r *http.Request) {
	var body collectBody
	if r.ContentLength != 0 {
		if err := readJSON(r, &body); err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
	}
	opts := collect.Options{Sources: body.Sources, Full: body.Full, Via: s.collection.via, ID: collect.NewID()}
	if body.Since != "" {
		t, err := time.Parse("2006-01-02", body.Since)
		if err != nil {
			writeError(w, http.StatusBadRequest, "since: write a date as YYYY-MM-DD")
			return
		}
		opts.Since = t
	}
	if err := s.collection.eng.Check(r.Context(), opts); err != nil {
		var pe *collect.PlanError
		if errors.Is(err, collect.ErrNothingConfigured) || errors.As(err, &pe) || strings.Contains(err.Error(), "configured") || strings.HasPrefix(err.Error(), "unknown data source") {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		s.serverError(w, r, err)
		return
	}
	go func() {
		if _, err := s.collection.eng.Collect(s.collection.ctx, opts); err != nil {
			s.log.Error("api: collection failed to start", "err", err)
		}
	}()
	writeJSON(w, http.StatusAccepted, map[string]any{"collection": opts.ID})
}

// collectEvents streams collection progress as Server-Sent Events.
// eventsPingEvery is how often an idle events stream carries a ping.
var eventsPingEvery = 20 * time.Second

func (s *Server) collectEvents(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	flusher := rc
	events, cancel := s.collection.eng.Events().Subscribe()
	defer cancel()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 3000\nevent: ready\ndata: {}\n\n")
	if err := flusher.Flush(); err != nil {
		s.log.Error("api: this connection cannot stream events", "err", err)
		return
	}
	keepAlive := time.NewTicker(eventsPingEvery)
	defer keepAlive.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-s.collection.ctx.Done(): // shutting down: let Shutdown finish
			return
		case <-keepAlive.C:
			// An event, not a comment: the page sees it and takes a
			// stream silent for much longer for dead (api/eventStream.ts).
			fmt.Fprint(w, "event: ping\ndata: {}\n\n")
			flusher.Flush()
		case ev, ok := <-events:
			if !ok {
				return
			}
			b, _ := json.Marshal(ev)
			fmt.Fprintf(w, "event: %s\ndata: %s\n\n", ev.Type, b)
			flusher.Flush()
		}
	}
}

func limitParam(r *http.Request, def, max int) int {
	n, err := strconv.Atoi(r.URL.Query().Get("limit"))
	if err != nil || n <= 0 {
		return def
	}
	return min(n, max)
}

func (s *Server) listRuns(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	runs, err := s.store.Runs(r.Context(), store.RunFilter{Source: q.Get("source"), Script: q.Get("script"), Status: q.Get("status"), Limit: limitParam(r, 100, 1000)})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"runs": runs})
}

func (s *Server) listAudit(w http.ResponseWriter, r *http.Request) {
	log, err := s.store.AuditLog(r.Context(), limitParam(r, 100, 1000))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"audit": log})
}

// collectSettings are the collection settings the Settings page edits.
type collectSettings struct {
	Cron          string     `json:"cron"`
	NextRun       *time.Time `json:"next_run,omitempty"`
	HistoryDays   int        `json:"history_days"`
	RetentionDays int        `json:"retention_days"` // 0: keep everything
	SecretStore   string     `json:"secret_store"`
}

func (s *Server) getCollectSettings(w http.ResponseWriter, r *http.Request) {
	settings, err := s.store.Settings(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	out := collectSettings{Cron: settings[schedule.SettingCron], HistoryDays: int(collect.DefaultHistory / (24 * time.Hour)),
		SecretStore: s.collection.eng.Configs().SecretBackend()}
	if out.Cron == "" {
		out.Cron = schedule.DefaultCron
	}
	if sc := s.collection.sched; sc != nil {
		out.Cron = sc.Cron()
		if next := sc.NextRun(); !next.IsZero() {
			out.NextRun = &next
		}
	}
	if d, err := strconv.Atoi(settings[collect.SettingHistoryDays]); err == nil && d > 0 {
		out.HistoryDays = d
	}
	if d, err := strconv.Atoi(settings[collect.SettingRetentionDays]); err == nil && d > 0 {
		out.RetentionDays = d
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) putCollectSettings(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Cron          *string `json:"cron"`
		HistoryDays   *int    `json:"history_days"`
		RetentionDays *int    `json:"retention_days"`
	}
	if err := readJSON(r, &body); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	ctx, via, now := r.Context(), s.collection.via, s.now().Unix()
	if body.HistoryDays != nil && (*body.HistoryDays < 1 || *body.HistoryDays > 36500) {
		writeError(w, http.StatusBadRequest, "history_days: a number of days from 1 to 36500")
		return
	}
	if body.RetentionDays != nil && (*body.RetentionDays < 0 || *body.RetentionDays > 36500) {
		writeError(w, http.StatusBadRequest, "retention_days: a number of days, 0 to keep everything")
		return
	}
	if body.Cron != nil {
		var err error
		if sc := s.collection.sched; sc != nil {
			err = sc.Set(ctx, *body.Cron, via)
		} else if err = schedule.Validate(*body.Cron); err == nil {
			err = s.setAudited(ctx, schedule.SettingCron, strings.TrimSpace(*body.Cron), via, now)
		}
		if err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
	}
	for key, v := range map[string]*int{collect.SettingHistoryDays: body.HistoryDays, collect.SettingRetentionDays: body.RetentionDays} {
		if v == nil {
			continue
		}
		if err := s.setAudited(ctx, key, strconv.Itoa(*v), via, now); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	s.getCollectSettings(w, r)
}

// previewCron checks a schedule before it is saved and tells when it would
// run next: ?expr=CRON. An invalid expression is an answer of this check
// ({"error": ...}), not a failed request, like a connection test.
func (s *Server) previewCron(w http.ResponseWriter, r *http.Request) {
	runs, err := schedule.NextRuns(r.URL.Query().Get("expr"), s.now(), 3)
	if err != nil {
		writeJSON(w, http.StatusOK, map[string]any{"next_runs": []time.Time{}, "error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"next_runs": runs})
}

func (s *Server) setAudited(ctx context.Context, key, value, via string, now int64) error {
	if err := s.store.SetSetting(ctx, key, value, now); err != nil {
		return err
	}
	return s.store.Audit(ctx, store.AuditEntry{At: now, Via: via, Action: "settings.set", Key: key, Detail: value})
}

// Unwrap lets http.ResponseController reach the connection (to flush a
// stream) through the access log's recorder.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
