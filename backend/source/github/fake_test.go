package github

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeGitHub serves the REST endpoints the source calls from
// testdata/octo-org.json: response bodies shaped as GitHub's (taken from
// recorded responses and the REST reference), with its Link pagination,
// X-RateLimit-* headers, ETags and 304s, and its filters (since, created,
// sort by update). It can answer a request with a 429 or a 5xx first, and
// tests change its data between syncs (a rename, a deletion, a force-push).
type fakeGitHub struct {
	t      *testing.T
	srv    *httptest.Server
	token  string
	mu     sync.Mutex
	users  map[string]map[string]any
	org    map[string]any
	repos  []*fakeRepo
	hits   map[string]int // "GET /path" → requests
	fail   map[string]int // path prefix → status to answer once
	failN  map[string]int // path prefix → how many more times to fail with 500
	paging int            // items per page of the repository list
	unmod  int            // 304 answers
}

type fakeRepo struct {
	Repository     map[string]any   `json:"repository"`
	Contributors   []any            `json:"contributors"`
	Commits        []map[string]any `json:"commits"`
	Pulls          []map[string]any `json:"pulls"`
	Reviews        map[string][]any `json:"reviews"`
	PullCommits    map[string][]any `json:"pull_commits"`
	ReviewComments []map[string]any `json:"review_comments"`
	IssueComments  []map[string]any `json:"issue_comments"`
	Workflows      []any            `json:"workflows"`
	Runs           []map[string]any `json:"runs"`
	Jobs           map[string][]any `json:"jobs"`
	Deployments    []map[string]any `json:"deployments"`
	Statuses       map[string][]any `json:"statuses"`
	Environments   []any            `json:"environments"`
}

func newFakeGitHub(t *testing.T, token string) *fakeGitHub {
	t.Helper()
	b, err := os.ReadFile("testdata/octo-org.json")
	if err != nil {
		t.Fatal(err)
	}
	var data struct {
		Users        map[string]map[string]any `json:"users"`
		Organization map[string]any            `json:"organization"`
		Repositories []*fakeRepo               `json:"repositories"`
	}
	if err := json.Unmarshal(b, &data); err != nil {
		t.Fatal(err)
	}
	f := &fakeGitHub{t: t, token: token, users: data.Users, org: data.Organization, repos: data.Repositories, hits: map[string]int{}, fail: map[string]int{}, failN: map[string]int{}, paging: 2}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// URL is the API base URL to configure.
func (f *fakeGitHub) URL() string { return f.srv.URL + "/" }

// failOnce makes the next request whose path starts with prefix answer status.
func (f *fakeGitHub) failOnce(prefix string, status int) {
	f.mu.Lock()
	f.fail[prefix] = status
	f.mu.Unlock()
}

// requests is the number of requests served, per "GET /path".
func (f *fakeGitHub) requests() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int{}
	for k, v := range f.hits {
		out[k] = v
	}
	return out
}

func (f *fakeGitHub) resetHits() {
	f.mu.Lock()
	f.hits, f.unmod = map[string]int{}, 0
	f.mu.Unlock()
}

// notModified is the number of 304 answers.
func (f *fakeGitHub) notModified() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.unmod
}

// repo finds a repository by owner/name.
func (f *fakeGitHub) repo(full string) *fakeRepo {
	for _, r := range f.repos {
		if strings.EqualFold(r.Repository["full_name"].(string), full) {
			return r
		}
	}
	return nil
}

// edit changes the fake's data under its lock.
func (f *fakeGitHub) edit(fn func(f *fakeGitHub)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

var rateReset = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC).Unix()

func (f *fakeGitHub) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hits[r.Method+" "+r.URL.Path]++
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-GitHub-Media-Type", "github.v3; format=json")
	h.Set("X-RateLimit-Limit", "5000")
	h.Set("X-RateLimit-Remaining", strconv.Itoa(4999-len(f.hits)))
	h.Set("X-RateLimit-Used", strconv.Itoa(1+len(f.hits)))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(rateReset, 10))
	h.Set("X-RateLimit-Resource", "core")
	if r.Header.Get("Authorization") != "Bearer "+f.token {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest","status":"401"}`)
		return
	}
	for prefix, n := range f.failN {
		if strings.HasPrefix(r.URL.Path, prefix) && n > 0 {
			f.failN[prefix] = n - 1
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprint(w, `{"message":"Server Error"}`)
			return
		}
	}
	for prefix, status := range f.fail {
		if strings.HasPrefix(r.URL.Path, prefix) {
			delete(f.fail, prefix)
			if status == http.StatusTooManyRequests {
				// GitHub's secondary rate limit.
				h.Set("Retry-After", "1")
				w.WriteHeader(status)
				fmt.Fprint(w, `{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits","status":"429"}`)
				return
			}
			if status == http.StatusForbidden {
				// The primary rate limit, exhausted until the next second.
				h.Set("X-RateLimit-Remaining", "0")
				h.Set("X-RateLimit-Reset", strconv.FormatInt(time.Now().Unix()+1, 10))
				w.WriteHeader(status)
				fmt.Fprint(w, `{"message":"API rate limit exceeded for user ID 583231.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"}`)
				return
			}
			w.WriteHeader(status)
			fmt.Fprint(w, `{"message":"Server Error"}`)
			return
		}
	}
	body, next, status := f.route(r)
	if status != http.StatusOK {
		w.WriteHeader(status)
		fmt.Fprint(w, `{"message":"Not Found","documentation_url":"https://docs.github.com/rest","status":"404"}`)
		return
	}
	b, err := json.Marshal(body)
	if err != nil {
		f.t.Errorf("fake: %v", err)
		w.WriteHeader(500)
		return
	}
	if next != "" {
		u := *r.URL
		q := u.Query()
		q.Set("page", next)
		u.RawQuery = q.Encode()
		h.Set("Link", fmt.Sprintf(`<%s%s>; rel="next"`, f.srv.URL, u.RequestURI()))
	}
	etag := fmt.Sprintf(`W/"%x"`, sha256.Sum256(append(b, []byte(h.Get("Link"))...)))
	h.Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		f.unmod++
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Write(b)
}

// route answers a GET: the body, the next page's number ("" on the last)
// and the status.
func (f *fakeGitHub) route(r *http.Request) (any, string, int) {
	p := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	q := r.URL.Query()
	switch {
	case len(p) == 1 && p[0] == "user":
		return f.users["octocat"], "", 200
	case len(p) == 3 && p[0] == "users" && p[2] == "repos":
		var list []any
		for _, rp := range f.repos {
			if rp.Repository["owner"].(map[string]any)["login"] == p[1] {
				list = append(list, rp.Repository)
			}
		}
		return paginate(list, q, 100)
	case len(p) == 2 && p[0] == "users":
		if u, ok := f.users[p[1]]; ok {
			return u, "", 200
		}
		return nil, "", 404
	case len(p) == 2 && p[0] == "orgs":
		if p[1] == f.org["login"] {
			return f.org, "", 200
		}
		return nil, "", 404
	case len(p) == 3 && p[0] == "orgs" && p[2] == "repos":
		var list []any
		for _, rp := range f.repos {
			owner := rp.Repository["owner"].(map[string]any)["login"].(string)
			if owner != p[1] {
				continue
			}
			priv := rp.Repository["private"].(bool)
			if (q.Get("type") == "public" && priv) || (q.Get("type") == "private" && !priv) {
				continue
			}
			list = append(list, rp.Repository)
		}
		return paginate(list, q, f.paging)
	case len(p) >= 3 && p[0] == "repos":
		rp := f.repo(p[1] + "/" + p[2])
		if rp == nil {
			return nil, "", 404
		}
		return f.repoRoute(rp, p[3:], q)
	}
	return nil, "", 404
}

func (f *fakeGitHub) repoRoute(rp *fakeRepo, p []string, q map[string][]string) (any, string, int) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	at := func(v any) time.Time {
		t, _ := time.Parse(time.RFC3339, v.(string))
		return t
	}
	since := func() time.Time {
		t, _ := time.Parse(time.RFC3339, get("since"))
		return t
	}
	path := strings.Join(p, "/")
	switch {
	case path == "contributors":
		return paginate(rp.Contributors, q, 100)
	case path == "commits":
		var list []any
		until, _ := time.Parse(time.RFC3339, get("until"))
		for _, c := range rp.Commits {
			d := at(c["commit"].(map[string]any)["committer"].(map[string]any)["date"])
			if d.Before(since()) || (!until.IsZero() && d.After(until)) {
				continue
			}
			item := map[string]any{}
			for k, v := range c {
				if k != "stats" && k != "files" { // the list has neither
					item[k] = v
				}
			}
			list = append(list, item)
		}
		return paginate(list, q, 100)
	case len(p) == 2 && p[0] == "commits":
		for _, c := range rp.Commits {
			if c["sha"] == p[1] {
				return c, "", 200
			}
		}
		return nil, "", 404
	case path == "pulls":
		list := append([]map[string]any{}, rp.Pulls...)
		sort.SliceStable(list, func(i, j int) bool { return at(list[i]["updated_at"]).After(at(list[j]["updated_at"])) })
		var items []any
		for _, pr := range list {
			item := map[string]any{}
			for k, v := range pr {
				switch k {
				case "merged", "mergeable", "rebaseable", "mergeable_state", "merged_by", "comments", "review_comments",
					"maintainer_can_modify", "commits", "additions", "deletions", "changed_files":
					// only the single pull request has these
				default:
					item[k] = v
				}
			}
			items = append(items, item)
		}
		return paginate(items, q, 100)
	case len(p) == 2 && p[0] == "pulls" && p[1] == "comments":
		var list []any
		for _, c := range rp.ReviewComments {
			if !at(c["updated_at"]).Before(since()) {
				list = append(list, c)
			}
		}
		return paginate(list, q, 100)
	case len(p) == 2 && p[0] == "pulls":
		for _, pr := range rp.Pulls {
			if idOf(pr["number"]) == p[1] {
				return pr, "", 200
			}
		}
		return nil, "", 404
	case len(p) == 3 && p[0] == "pulls" && p[2] == "reviews":
		return paginate(rp.Reviews[p[1]], q, 100)
	case len(p) == 3 && p[0] == "pulls" && p[2] == "commits":
		var list []any
		for _, c := range rp.PullCommits[p[1]] {
			item := map[string]any{}
			for k, v := range c.(map[string]any) {
				if k != "stats" && k != "files" {
					item[k] = v
				}
			}
			list = append(list, item)
		}
		return paginate(list, q, 100)
	case path == "issues/comments":
		var list []any
		for _, c := range rp.IssueComments {
			if !at(c["updated_at"]).Before(since()) {
				list = append(list, c)
			}
		}
		return paginate(list, q, 100)
	case path == "actions/workflows":
		return map[string]any{"total_count": len(rp.Workflows), "workflows": rp.Workflows}, "", 200
	case path == "actions/runs":
		from, _ := time.Parse(time.RFC3339, strings.TrimPrefix(get("created"), ">="))
		list := append([]map[string]any{}, rp.Runs...)
		sort.SliceStable(list, func(i, j int) bool { return at(list[i]["created_at"]).After(at(list[j]["created_at"])) })
		var runs []any
		for _, run := range list {
			if !at(run["created_at"]).Before(from) {
				runs = append(runs, run)
			}
		}
		page, next, _ := paginate(runs, q, 100)
		return map[string]any{"total_count": len(runs), "workflow_runs": page}, next, 200
	case len(p) == 3 && p[0] == "actions" && p[1] == "runs":
		for _, run := range rp.Runs {
			if idOf(run["id"]) == p[2] {
				return run, "", 200
			}
		}
		return nil, "", 404
	case len(p) == 6 && p[0] == "actions" && p[1] == "runs" && p[3] == "attempts" && p[5] == "jobs":
		jobs := rp.Jobs[p[2]]
		return map[string]any{"total_count": len(jobs), "jobs": jobs}, "", 200
	case path == "deployments":
		list := append([]map[string]any{}, rp.Deployments...)
		sort.SliceStable(list, func(i, j int) bool { return at(list[i]["created_at"]).After(at(list[j]["created_at"])) })
		var items []any
		for _, d := range list {
			items = append(items, d)
		}
		return paginate(items, q, 100)
	case len(p) == 2 && p[0] == "deployments":
		for _, d := range rp.Deployments {
			if idOf(d["id"]) == p[1] {
				return d, "", 200
			}
		}
		return nil, "", 404
	case path == "environments":
		// GitHub's envelope: {"total_count", "environments"}, paginated.
		items, next, status := paginate(rp.Environments, q, 100)
		list, _ := items.([]any)
		if list == nil {
			list = []any{}
		}
		return map[string]any{"total_count": len(rp.Environments), "environments": list}, next, status
	case len(p) == 3 && p[0] == "deployments" && p[2] == "statuses":
		return paginate(rp.Statuses[p[1]], q, 100)
	case len(p) == 2 && p[0] == "compare":
		base, head, _ := strings.Cut(p[1], "...")
		var commits []any
		in := false
		for i := len(rp.Commits) - 1; i >= 0; i-- { // oldest first
			c := rp.Commits[i]
			if in {
				commits = append(commits, c)
			}
			if c["sha"] == base {
				in = true
			}
			if c["sha"] == head {
				break
			}
		}
		return map[string]any{"status": "ahead", "ahead_by": len(commits), "behind_by": 0, "total_commits": len(commits), "commits": commits, "files": []any{}}, "", 200
	}
	return nil, "", 404
}

// paginate serves page ?page= of list, per_page items (at most max).
func paginate[T any](list []T, q map[string][]string, max int) (any, string, int) {
	per := max
	if v, ok := q["per_page"]; ok {
		if n, _ := strconv.Atoi(v[0]); n > 0 && n < per {
			per = n
		}
	}
	page := 1
	if v, ok := q["page"]; ok {
		page, _ = strconv.Atoi(v[0])
	}
	from := min((page-1)*per, len(list))
	to := min(from+per, len(list))
	out := make([]T, 0, to-from)
	out = append(out, list[from:to]...)
	next := ""
	if to < len(list) {
		next = strconv.Itoa(page + 1)
	}
	return out, next, 200
}

// idOf prints a JSON number as GitHub writes ids: 30433701, not 3.0433701e+07.
// Tests may set ids as Go integers.
func idOf(v any) string {
	if f, ok := v.(float64); ok {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}
