// Package gitlabtest is a fake GitLab REST API v4 for tests: an httptest
// server replaying response bodies in GitLab's documented shapes
// (testdata/api.json, keyed by path; ../README.md says where each comes
// from), with GitLab's pagination headers (X-Page, X-Next-Page,
// X-Total-Pages, Link ...), the RateLimit-* headers and Retry-After of a
// throttled request on a 429, and the filters the collector relies on
// (since, updated_after, order_by, sort), so that an incremental sync asks
// for, and gets, only what changed.
package gitlabtest

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

//go:embed testdata/api.json
var apiJSON []byte

// Token is the access token the fake accepts.
const Token = "glpat-FAKE-0123456789abcdef"

// Server is the fake GitLab. Its URL is the instance URL (GITLAB_URL).
type Server struct {
	*httptest.Server

	mu       sync.Mutex
	bodies   map[string]json.RawMessage
	failures map[string][]int
	requests []string
	// PerPage is the page size when the request names none (GitLab: 20).
	PerPage int
	// MaxPerPage caps per_page (GitLab: 100); tests lower it to make
	// short lists span several pages.
	MaxPerPage int
}

// New starts a fake GitLab serving testdata/api.json.
func New() *Server {
	s := &Server{bodies: map[string]json.RawMessage{}, failures: map[string][]int{}, PerPage: 20, MaxPerPage: 100}
	if err := json.Unmarshal(apiJSON, &s.bodies); err != nil {
		panic("gitlabtest: testdata/api.json: " + err.Error())
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Set replaces the body served at an API path ("/projects/101/merge_requests");
// v is marshalled to JSON. A nil v removes the path (404).
func (s *Server) Set(path string, v any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v == nil {
		delete(s.bodies, path)
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	s.bodies[path] = b
}

// Get decodes the body served at path into v.
func (s *Server) Get(path string, v any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := json.Unmarshal(s.bodies[path], v); err != nil {
		panic(fmt.Sprintf("gitlabtest: %s: %v", path, err))
	}
}

// Fail makes the next requests to path answer with the statuses, in order
// (429 comes with Retry-After and an exhausted RateLimit-Remaining).
func (s *Server) Fail(path string, statuses ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[path] = append(s.failures[path], statuses...)
}

// Requests returns the requests served so far ("GET /api/v4/...?..."),
// failed attempts included, and forgets them.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.requests
	s.requests = nil
	return out
}

const rateLimit = 2000 // gitlab.com's authenticated API limit per minute

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r.Method+" "+r.URL.RequestURI())
	h := w.Header()

	if r.Header.Get("PRIVATE-TOKEN") != Token {
		writeJSON(w, http.StatusUnauthorized, `{"message":"401 Unauthorized"}`)
		return
	}
	path, ok := strings.CutPrefix(r.URL.Path, "/api/v4")
	if !ok || r.Method != http.MethodGet {
		writeJSON(w, http.StatusNotFound, `{"error":"404 Not Found"}`)
		return
	}
	if f := s.failures[path]; len(f) > 0 {
		s.failures[path] = f[1:]
		switch f[0] {
		case http.StatusTooManyRequests:
			// A throttled request, as GitLab's Rack::Attack answers it:
			// the RateLimit-* headers and Retry-After come with the
			// blocked response only, and the body is plain text.
			reset := time.Now().Add(time.Second)
			h.Set("RateLimit-Name", "throttle_authenticated_api")
			h.Set("RateLimit-Limit", strconv.Itoa(rateLimit))
			h.Set("RateLimit-Observed", strconv.Itoa(rateLimit+1))
			h.Set("RateLimit-Remaining", "0")
			h.Set("RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
			h.Set("RateLimit-ResetTime", reset.UTC().Format(http.TimeFormat))
			h.Set("Retry-After", "1")
			h.Set("Content-Type", "text/plain")
			w.WriteHeader(f[0])
			fmt.Fprint(w, "Retry later\n")
		default:
			h.Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(f[0])
			fmt.Fprintf(w, "<html><body><h1>%d %s</h1></body></html>", f[0], http.StatusText(f[0]))
		}
		return
	}
	body, ok := s.bodies[path]
	if !ok {
		writeJSON(w, http.StatusNotFound, `{"message":"404 Not found"}`)
		return
	}
	if len(body) == 0 || body[0] != '[' {
		writeJSON(w, http.StatusOK, string(body))
		return
	}
	var items []map[string]any
	if err := json.Unmarshal(body, &items); err != nil {
		writeJSON(w, http.StatusInternalServerError, `{"message":"500 Internal Server Error"}`)
		return
	}
	q := r.URL.Query()
	items = filter(items, q)
	s.page(w, r, items)
}

// filter applies the query parameters GitLab filters lists by.
func filter(items []map[string]any, q url.Values) []map[string]any {
	keep := func(field, after string) {
		t, err := time.Parse(time.RFC3339, after)
		if err != nil {
			return
		}
		var out []map[string]any
		for _, it := range items {
			v, _ := it[field].(string)
			if at, err := time.Parse(time.RFC3339, v); err == nil && !at.Before(t) {
				out = append(out, it)
			}
		}
		items = out
	}
	if v := q.Get("since"); v != "" {
		keep("committed_date", v)
	}
	if v := q.Get("updated_after"); v != "" {
		keep("updated_at", v)
	}
	if q.Get("order_by") == "updated_at" {
		desc := q.Get("sort") != "asc"
		sort.SliceStable(items, func(i, j int) bool {
			a, _ := items[i]["updated_at"].(string)
			b, _ := items[j]["updated_at"].(string)
			if desc {
				return a > b
			}
			return a < b
		})
	}
	return items
}

// page writes one page of items with GitLab's offset pagination headers.
func (s *Server) page(w http.ResponseWriter, r *http.Request, items []map[string]any) {
	q := r.URL.Query()
	per, _ := strconv.Atoi(q.Get("per_page"))
	if per <= 0 {
		per = s.PerPage
	}
	per = min(per, s.MaxPerPage)
	page, _ := strconv.Atoi(q.Get("page"))
	if page <= 0 {
		page = 1
	}
	total := len(items)
	pages := max((total+per-1)/per, 1)
	from, to := min((page-1)*per, total), min(page*per, total)
	h := w.Header()
	h.Set("X-Page", strconv.Itoa(page))
	h.Set("X-Per-Page", strconv.Itoa(per))
	h.Set("X-Total", strconv.Itoa(total))
	h.Set("X-Total-Pages", strconv.Itoa(pages))
	link := func(n int, rel string) string {
		u := *r.URL
		u.Scheme, u.Host = "http", r.Host
		v := u.Query()
		v.Set("page", strconv.Itoa(n))
		v.Set("per_page", strconv.Itoa(per))
		u.RawQuery = v.Encode()
		return fmt.Sprintf(`<%s>; rel="%s"`, u.String(), rel)
	}
	var links []string
	if page > 1 {
		h.Set("X-Prev-Page", strconv.Itoa(page-1))
		links = append(links, link(page-1, "prev"))
	} else {
		h.Set("X-Prev-Page", "")
	}
	if page < pages {
		h.Set("X-Next-Page", strconv.Itoa(page+1))
		links = append(links, link(page+1, "next"))
	} else {
		h.Set("X-Next-Page", "")
	}
	links = append(links, link(1, "first"), link(pages, "last"))
	h.Set("Link", strings.Join(links, ", "))
	b, _ := json.Marshal(items[from:to])
	if to == from {
		b = []byte("[]")
	}
	writeJSON(w, http.StatusOK, string(b))
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprint(w, body)
}
