// Package bitbuckettest is a fake Bitbucket Cloud REST API 2.0 for tests:
// an httptest server replaying bodies in Bitbucket's documented and
// recorded shapes (testdata/api.json, keyed by path; ../README.md says
// where each shape comes from) inside Bitbucket's paginated envelope
// (pagelen, page, next, previous; size except on commit lists, which
// Bitbucket does not count), with the X-RateLimit-* headers Bitbucket
// sends to access tokens on /repositories/*, and the pull request filters
// the collector relies on (state, q=updated_on >= ..., sort=-updated_on).
package bitbuckettest

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

//go:embed testdata/api.json
var apiJSON []byte

// Username and AppPassword are the app-password credentials the fake
// accepts (HTTP basic authentication); AccessToken is the workspace access
// token it accepts (bearer).
const (
	Username    = "ana"
	AppPassword = "ATBB-fake-app-password-0123456789"
	AccessToken = "ATCTT3xFfGN0-fake-access-token-0123456789"
)

// Server is the fake Bitbucket; BITBUCKET_URL is URL + "/2.0".
type Server struct {
	*httptest.Server

	mu       sync.Mutex
	bodies   map[string]json.RawMessage
	failures map[string][]int
	requests []string
	// MaxPageLen caps pagelen (Bitbucket: 100 for most lists).
	MaxPageLen int
	// RateLimit is X-RateLimit-Limit, the hourly requests allowed (1000
	// for a workspace of up to 100 paid users).
	RateLimit int
	served    int
}

// New starts a fake Bitbucket serving testdata/api.json.
func New() *Server {
	s := &Server{bodies: map[string]json.RawMessage{}, failures: map[string][]int{}, MaxPageLen: 100, RateLimit: 1000}
	if err := json.Unmarshal(apiJSON, &s.bodies); err != nil {
		panic("bitbuckettest: testdata/api.json: " + err.Error())
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// APIURL is the API base to configure.
func (s *Server) APIURL() string { return s.URL + "/2.0" }

// Set replaces the body at an API path ("/repositories/acme/api/pullrequests"); nil removes it.
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

// Get decodes the body at path into v.
func (s *Server) Get(path string, v any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := json.Unmarshal(s.bodies[path], v); err != nil {
		panic(fmt.Sprintf("bitbuckettest: %s: %v", path, err))
	}
}

// Fail makes the next requests to path answer with these statuses.
func (s *Server) Fail(path string, statuses ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[path] = append(s.failures[path], statuses...)
}

// Requests returns the requests served since the last call.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.requests
	s.requests = nil
	return out
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r.Method+" "+r.URL.RequestURI())
	h := w.Header()
	u, p, basic := r.BasicAuth()
	bearer := r.Header.Get("Authorization") == "Bearer "+AccessToken
	if !bearer && (!basic || u != Username || p != AppPassword) {
		writeJSON(w, http.StatusUnauthorized, `{"type":"error","error":{"message":"Unauthorized"}}`)
		return
	}
	path, ok := strings.CutPrefix(r.URL.Path, "/2.0")
	if bearer && strings.HasPrefix(path, "/repositories/") {
		// Bitbucket's scaled rate limits: these headers come with
		// access-token requests to the "api" resource group only (not
		// with app passwords or OAuth), and carry no remaining count.
		// NearLimit turns true with less than 20% of the hour's budget
		// left, as Atlassian documents the header for its cloud APIs.
		s.served++
		h.Set("X-RateLimit-Limit", strconv.Itoa(s.RateLimit))
		h.Set("X-RateLimit-Resource", "api")
		h.Set("X-RateLimit-NearLimit", strconv.FormatBool(s.served*5 > s.RateLimit*4))
	}
	if !ok || r.Method != http.MethodGet {
		writeJSON(w, http.StatusNotFound, `{"type":"error","error":{"message":"Resource not found"}}`)
		return
	}
	if f := s.failures[path]; len(f) > 0 {
		s.failures[path] = f[1:]
		if f[0] == http.StatusTooManyRequests {
			// Bitbucket documents no Retry-After: the client backs off.
			writeJSON(w, f[0], `{"type":"error","error":{"message":"Rate limit for this resource has been exceeded"}}`)
			return
		}
		h.Set("Content-Type", "text/html")
		w.WriteHeader(f[0])
		fmt.Fprintf(w, "<html><body>%d %s</body></html>", f[0], http.StatusText(f[0]))
		return
	}
	body, ok := s.bodies[path]
	if !ok {
		writeJSON(w, http.StatusNotFound, `{"type":"error","error":{"message":"Resource not found"}}`)
		return
	}
	if len(body) == 0 || body[0] != '[' {
		writeJSON(w, http.StatusOK, string(body))
		return
	}
	var items []map[string]any
	if err := json.Unmarshal(body, &items); err != nil {
		writeJSON(w, http.StatusInternalServerError, `{"type":"error","error":{"message":"Something went wrong"}}`)
		return
	}
	items = filter(items, r)
	s.page(w, r, items)
}

var updatedSince = regexp.MustCompile(`^updated_on\s*>=\s*(\S+)$`)

// filter applies what Bitbucket filters pull requests by.
func filter(items []map[string]any, r *http.Request) []map[string]any {
	q := r.URL.Query()
	if states := q["state"]; len(states) > 0 {
		var out []map[string]any
		for _, it := range items {
			for _, st := range states {
				if it["state"] == st {
					out = append(out, it)
				}
			}
		}
		items = out
	}
	if m := updatedSince.FindStringSubmatch(q.Get("q")); m != nil {
		since, err := time.Parse(time.RFC3339, m[1])
		if err == nil {
			var out []map[string]any
			for _, it := range items {
				v, _ := it["updated_on"].(string)
				if t, err := time.Parse(time.RFC3339, v); err == nil && !t.Before(since) {
					out = append(out, it)
				}
			}
			items = out
		}
	}
	if f, ok := strings.CutPrefix(q.Get("sort"), "-"); ok && f == "updated_on" {
		sort.SliceStable(items, func(i, j int) bool {
			a, _ := items[i][f].(string)
			b, _ := items[j][f].(string)
			return a > b
		})
	}
	return items
}

func (s *Server) page(w http.ResponseWriter, r *http.Request, items []map[string]any) {
	q := r.URL.Query()
	n, _ := strconv.Atoi(q.Get("pagelen"))
	if n <= 0 {
		n = 10
	}
	n = min(n, s.MaxPageLen)
	p, _ := strconv.Atoi(q.Get("page"))
	if p <= 0 {
		p = 1
	}
	from, to := min((p-1)*n, len(items)), min(p*n, len(items))
	env := map[string]any{"pagelen": n, "page": p, "values": items[from:to]}
	if !strings.HasSuffix(r.URL.Path, "/commits") && !strings.Contains(r.URL.Path, "/commits/") {
		// Commit lists come without "size" (recorded responses of
		// /pullrequests/{id}/commits; the schema calls size optional,
		// "as it can be expensive to compute").
		env["size"] = len(items)
	}
	if to < len(items) {
		next := *r.URL
		next.Scheme, next.Host = "http", r.Host
		v := next.Query()
		v.Set("page", strconv.Itoa(p+1))
		next.RawQuery = v.Encode()
		env["next"] = next.String()
	}
	if p > 1 {
		prev := *r.URL
		prev.Scheme, prev.Host = "http", r.Host
		v := prev.Query()
		v.Set("page", strconv.Itoa(p-1))
		prev.RawQuery = v.Encode()
		env["previous"] = prev.String()
	}
	if to == from {
		env["values"] = []any{}
	}
	b, _ := json.Marshal(env)
	writeJSON(w, http.StatusOK, string(b))
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprint(w, body)
}
