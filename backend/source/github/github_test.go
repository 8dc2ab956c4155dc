package github

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/momentum-app/momentum/backend/collect"
	"github.com/momentum-app/momentum/backend/secret"
	"github.com/momentum-app/momentum/backend/source"
	"github.com/momentum-app/momentum/backend/source/httpclient"
	"github.com/momentum-app/momentum/backend/sourceconfig"
	"github.com/momentum-app/momentum/backend/store"
	"github.com/momentum-app/momentum/backend/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

const testToken = "ghp_FAKE0token0for0the0fake0GitHub00000"

// day0 is the test clock's first sync: the fixtures are from May 2026.
var day0 = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// env is a store, the fake GitHub, and an engine configured for it.
type env struct {
	cfg   *sourceconfig.Service
	st    *store.Store
	gh    *fakeGitHub
	eng   *collect.Engine
	clock *clock
}

func newEnv(t *testing.T, st *store.Store, extra map[string]string) *env {
	t.Helper()
	fake := newFakeGitHub(t, testToken)
	reg := source.NewRegistry()
	reg.Register(Source())
	cfg := sourceconfig.New(st, reg, secret.NewVault(secret.NewMemory()))
	values := map[string]string{
		KeyToken: testToken, KeyOrganizations: "octo-org", KeyAPIURL: fake.URL(),
		KeyExclude: "octo-org/legacy-*",
	}
	for k, v := range extra {
		values[k] = v
	}
	if err := cfg.Set(context.Background(), ID, values, "cli"); err != nil {
		t.Fatal(err)
	}
	c := &clock{t: day0}
	eng := collect.New(collect.Config{Store: st, Configs: cfg, Now: c.Now, Concurrency: 4,
		Log:  slog.New(slog.NewTextHandler(io.Discard, nil)),
		HTTP: httpclient.Options{RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond}})
	return &env{cfg: cfg, st: st, gh: fake, eng: eng, clock: c}
}

// sync collects and returns the requests each script made; every script
// must complete.
func (e *env) sync(t *testing.T) map[string]int64 {
	t.Helper()
	sum, err := e.eng.Collect(context.Background(), collect.Options{Via: "cli"})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, o := range sum.Outcomes {
		if o.Status != store.RunCompleted {
			t.Fatalf("%s/%s: %s %s", o.Source, o.Script, o.Status, o.Error)
		}
		out[o.Script] = o.Requests
	}
	return out
}

func total(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}

// rows reads a query's rows as strings, for comparisons.
func rows(t *testing.T, st *store.Store, q string, args ...any) [][]string {
	t.Helper()
	rs, err := st.DB().QueryContext(context.Background(), q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rs.Close()
	cols, _ := rs.Columns()
	var out [][]string
	for rs.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			switch x := v.(type) {
			case nil:
				row[i] = "NULL"
			case []byte:
				row[i] = string(x)
			case bool: // SQLite answers 1 and 0
				row[i] = map[bool]string{true: "1", false: "0"}[x]
			case int64:
				row[i] = fmt.Sprint(x)
			default:
				row[i] = fmt.Sprint(x)
			}
		}
		out = append(out, row)
	}
	return out
}

func check(t *testing.T, what string, got, want [][]string) {
	t.Helper()
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("%s (-want +got):\n%s", what, d)
	}
}

func ts(s string) string {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return fmt.Sprint(t.Unix())
}

const (
	sha1 = "6dcb09b5b57875f334f61aebed695e2e4193db5e"
	sha2 = "7638417db6d59f3c431d3e1f261cc637155684cd"
	sha3 = "aa218f56b14c9653891f9e74264a383fa43fefbd"
	shaB = "b1a3c5e7d9f1a3c5e7d9f1a3c5e7d9f1a3c5e7d9"
)

func TestFirstSyncStoresEveryResource(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, nil)
		// A secondary rate limit (429, Retry-After), a server error and an
		// exhausted primary rate limit along the way are waited out.
		e.gh.failOnce("/repos/octo-org/hello-world/pulls", http.StatusTooManyRequests)
		e.gh.failOnce("/repos/octo-org/hello-world/commits", http.StatusBadGateway)
		e.gh.failOnce("/repos/octo-org/api/actions/runs", http.StatusForbidden)
		e.sync(t)

		check(t, "repositories", rows(t, st, `SELECT source, external_id, full_name, name, url, description, default_branch, language,
			stars, forks, is_private, is_archived, excluded, created_at FROM repositories ORDER BY external_id`), [][]string{
			{"github", "1296269", "octo-org/hello-world", "hello-world", "https://github.com/octo-org/hello-world", "My first repository on GitHub!", "main", "Go", "80", "9", "0", "0", "0", ts("2011-01-26T19:01:12Z")},
			{"github", "1296270", "octo-org/api", "api", "https://github.com/octo-org/api", "Public API", "main", "TypeScript", "12", "2", "1", "0", "0", ts("2019-03-01T10:00:00Z")},
			{"github", "1296271", "octo-org/legacy-tool", "legacy-tool", "https://github.com/octo-org/legacy-tool", "Old things", "main", "Perl", "1", "0", "0", "0", "1", ts("2012-01-01T10:00:00Z")},
		})
		check(t, "accounts", rows(t, st, `SELECT a.source, a.external_id, a.login, a.email, a.name, a.profile_url, a.is_bot, p.display_name, p.is_bot
			FROM accounts a JOIN people p ON p.id = a.person_id ORDER BY a.source, a.external_id`), [][]string{
			{"git", "mona@example.com", "", "mona@example.com", "Mona Lisa", "", "0", "Mona Lisa", "0"},
			{"github", "1001", "hubot", "", "Hubot", "https://github.com/hubot", "0", "Hubot", "0"},
			{"github", "49699333", "dependabot[bot]", "", "", "https://github.com/dependabot[bot]", "1", "dependabot[bot]", "1"},
			{"github", "583231", "octocat", "octocat@github.com", "The Octocat", "https://github.com/octocat", "0", "The Octocat", "0"},
		})
		check(t, "commits", rows(t, st, `SELECT r.name, c.sha, a.login, a.email, c.authored_at, c.committed_at, c.subject, c.is_merge, c.additions, c.deletions, c.files_changed,
				c.person_id = a.person_id
			FROM commits c JOIN repositories r ON r.id = c.repo_id JOIN accounts a ON a.id = c.author_account_id ORDER BY c.authored_at`), [][]string{
			{"hello-world", sha1, "octocat", "octocat@github.com", ts("2026-05-10T09:00:00Z"), ts("2026-05-10T09:00:00Z"), "Fix all the bugs", "0", "10", "2", "2", "1"},
			{"hello-world", sha2, "hubot", "", ts("2026-05-12T14:30:00Z"), ts("2026-05-12T14:30:00Z"), "Merge pull request #1347 from octo-org/new-topic", "1", "7", "1", "2", "1"},
			{"api", sha3, "", "mona@example.com", ts("2026-05-20T08:00:00Z"), ts("2026-05-20T08:00:00Z"), "Add the orders endpoint", "0", "5", "1", "1", "1"},
		})
		check(t, "commit files", rows(t, st, `SELECT c.sha, f.path, f.language, f.additions, f.deletions, f.is_binary
			FROM commit_files f JOIN commits c ON c.id = f.commit_id ORDER BY c.authored_at, f.path`), [][]string{
			{sha1, "README.md", "Markdown", "2", "0", "0"},
			{sha1, "main.go", "Go", "8", "2", "0"},
			{sha2, "logo.png", "", "0", "0", "1"},
			{sha2, "main.go", "Go", "7", "1", "0"},
			{sha3, "src/index.ts", "TypeScript", "5", "1", "0"},
		})
		check(t, "pull requests", rows(t, st, `SELECT p.number, p.external_id, p.title, p.url, p.state, p.is_draft, a.login, p.head_branch, p.base_branch,
				p.created_at, p.ready_at, p.first_commit_at, p.first_review_at, p.approved_at, p.merged_at, p.closed_at, p.updated_at,
				p.merge_commit_sha, p.additions, p.deletions, p.changed_files, p.commits_count, p.review_rounds, p.comments_count
			FROM pull_requests p JOIN accounts a ON a.id = p.author_account_id ORDER BY p.number`), [][]string{
			{"1347", "1", "Amazing new feature", "https://github.com/octo-org/hello-world/pull/1347", "merged", "0", "octocat", "new-topic", "main",
				ts("2026-05-10T10:00:00Z"), ts("2026-05-10T10:00:00Z"), ts("2026-05-09T16:00:00Z"),
				ts("2026-05-10T18:00:00Z"), // hubot's discussion comment: the bot's and the author's own reviews do not count
				ts("2026-05-12T12:00:00Z"), ts("2026-05-12T14:30:00Z"), ts("2026-05-12T14:30:00Z"), ts("2026-05-12T14:35:00Z"),
				sha2, "100", "3", "5", "2", "2", "3"},
			{"1348", "2", "Refactor the connection", "https://github.com/octo-org/hello-world/pull/1348", "open", "1", "hubot", "refactor", "main",
				ts("2026-05-25T09:00:00Z"), "NULL", ts("2026-05-25T08:00:00Z"), "NULL", "NULL", "NULL", "NULL", ts("2026-05-26T10:00:00Z"),
				"", "20", "10", "2", "1", "0", "0"},
		})
		check(t, "reviews", rows(t, st, `SELECT p.number, r.external_id, a.login, r.state, r.submitted_at, r.person_id = a.person_id
			FROM pull_request_reviews r JOIN pull_requests p ON p.id = r.pr_id JOIN accounts a ON a.id = r.reviewer_account_id ORDER BY r.submitted_at`), [][]string{
			{"1347", "81", "dependabot[bot]", "commented", ts("2026-05-10T10:05:00Z"), "1"},
			{"1347", "80", "hubot", "commented", ts("2026-05-11T09:00:00Z"), "1"},
			{"1347", "83", "octocat", "commented", ts("2026-05-11T10:00:00Z"), "1"},
			{"1347", "82", "hubot", "approved", ts("2026-05-12T12:00:00Z"), "1"},
		})
		check(t, "comments", rows(t, st, `SELECT p.number, c.external_id, a.login, c.kind, c.in_reply_to, c.body_length, c.created_at
			FROM pull_request_comments c JOIN pull_requests p ON p.id = c.pr_id JOIN accounts a ON a.id = c.author_account_id ORDER BY c.created_at`), [][]string{
			{"1347", "discussion:1036376", "hubot", "discussion", "", "6", ts("2026-05-10T18:00:00Z")},
			{"1347", "review:10", "hubot", "review", "", "12", ts("2026-05-11T09:00:00Z")},
			{"1347", "review:11", "octocat", "review", "10", "14", ts("2026-05-11T10:00:00Z")},
		})
		check(t, "pull request commits", rows(t, st, `SELECT p.number, c.commit_sha FROM pull_request_commits c JOIN pull_requests p ON p.id = c.pr_id
			ORDER BY p.number, c.commit_sha`), [][]string{
			{"1347", sha1}, {"1347", "f3a2c1d4e5b6a7980123456789abcdef01234567"}, {"1348", shaB},
		})
		check(t, "pipelines", rows(t, st, `SELECT r.name, p.external_id, p.name, p.path, p.url FROM pipelines p JOIN repositories r ON r.id = p.repo_id
			ORDER BY p.external_id`), [][]string{
			{"hello-world", "161335", "CI", ".github/workflows/ci.yml", "https://github.com/octo-org/hello-world/blob/main/.github/workflows/ci.yml"},
			{"hello-world", "161336", "Deploy", ".github/workflows/deploy.yml", "https://github.com/octo-org/hello-world/blob/main/.github/workflows/deploy.yml"},
			{"api", "161400", "CI", ".github/workflows/ci.yml", "https://github.com/octo-org/api/blob/main/.github/workflows/ci.yml"},
			{"api", "161401", "Release to production", ".github/workflows/release.yml", "https://github.com/octo-org/api/blob/main/.github/workflows/release.yml"},
		})
		check(t, "pipeline runs", rows(t, st, `SELECT p.name, r.external_id, r.number, r.branch, r.commit_sha, r.event, r.status, r.attempt,
				(SELECT display_name FROM people WHERE id = r.person_id), r.started_at, r.finished_at, r.duration_s, r.failure_reason, r.url
			FROM pipeline_runs r JOIN pipelines p ON p.id = r.pipeline_id ORDER BY r.external_id`), [][]string{
			{"CI", "30433642", "562", "main", sha2, "push", "success", "1", "Hubot", ts("2026-05-12T14:31:00Z"), ts("2026-05-12T14:36:00Z"), "300", "",
				"https://github.com/octo-org/hello-world/actions/runs/30433642"},
			{"CI", "30433643", "561", "new-topic", sha1, "pull_request", "failure", "1", "The Octocat", ts("2026-05-10T10:01:00Z"), ts("2026-05-10T10:04:00Z"), "180",
				"build failed at step Run tests", "https://github.com/octo-org/hello-world/actions/runs/30433643"},
			{"Release to production", "30433700", "87", "main", sha3, "push", "success", "1", "The Octocat", ts("2026-05-20T08:05:00Z"), ts("2026-05-20T08:15:00Z"), "600", "",
				"https://github.com/octo-org/api/actions/runs/30433700"},
			{"CI", "30433701", "88", "main", sha3, "push", "running", "1", "The Octocat", ts("2026-05-31T11:00:00Z"), "NULL", "NULL", "",
				"https://github.com/octo-org/api/actions/runs/30433701"},
		})
		check(t, "jobs and steps", rows(t, st, `SELECT r.external_id, j.external_id, COALESCE(pj.name, ''), j.name, j.stage, j.status, j.started_at, j.finished_at, j.duration_s, j.failure_reason
			FROM pipeline_jobs j JOIN pipeline_runs r ON r.id = j.run_id LEFT JOIN pipeline_jobs pj ON pj.id = j.parent_id ORDER BY r.external_id, j.id`), [][]string{
			{"30433642", "399444496", "", "build", "", "success", ts("2026-05-12T14:31:10Z"), ts("2026-05-12T14:35:50Z"), "280", ""},
			{"30433642", "399444496/1", "build", "Set up job", "build", "success", ts("2026-05-12T14:31:10Z"), ts("2026-05-12T14:31:20Z"), "10", ""},
			{"30433642", "399444496/2", "build", "Run tests", "build", "success", ts("2026-05-12T14:31:20Z"), ts("2026-05-12T14:35:50Z"), "270", ""},
			{"30433643", "399444497", "", "build", "", "failure", ts("2026-05-10T10:01:10Z"), ts("2026-05-10T10:03:55Z"), "165", "build failed at step Run tests"},
			{"30433643", "399444497/1", "build", "Set up job", "build", "success", ts("2026-05-10T10:01:10Z"), ts("2026-05-10T10:01:20Z"), "10", ""},
			{"30433643", "399444497/2", "build", "Run tests", "build", "failure", ts("2026-05-10T10:01:20Z"), ts("2026-05-10T10:03:55Z"), "155", ""},
			{"30433700", "399444600", "", "deploy", "", "success", ts("2026-05-20T08:05:10Z"), ts("2026-05-20T08:14:50Z"), "580", ""},
			{"30433700", "399444600/1", "deploy", "Set up job", "deploy", "success", ts("2026-05-20T08:05:10Z"), ts("2026-05-20T08:05:20Z"), "10", ""},
			{"30433700", "399444600/2", "deploy", "Publish", "deploy", "success", ts("2026-05-20T08:05:20Z"), ts("2026-05-20T08:14:50Z"), "570", ""},
		})
		// hello-world has GitHub deployments; api has none, so its
		// "Release to production" run on main counts by the default rule.
		// Deployment 41 went to "Staging", the environment GitHub lists as
		// "staging" (environment names are case-insensitive).
		check(t, "deployments", rows(t, st, `SELECT r.name, d.external_id, d.environment, d.is_production, d.status, d.commit_sha, d.ref,
				COALESCE((SELECT external_id FROM pipeline_runs WHERE id = d.pipeline_run_id), ''), (SELECT display_name FROM people WHERE id = d.person_id),
				d.created_at, d.finished_at
			FROM deployments d JOIN repositories r ON r.id = d.repo_id ORDER BY d.created_at`), [][]string{
			{"hello-world", "deployment:41", "staging", "0", "failure", sha1, "new-topic", "", "The Octocat", ts("2026-05-10T10:30:00Z"), ts("2026-05-10T10:40:00Z")},
			{"hello-world", "deployment:42", "production", "1", "success", sha2, "main", "30433642", "The Octocat", ts("2026-05-12T14:40:00Z"), ts("2026-05-12T14:45:00Z")},
			{"api", "run:30433700/1", "production", "1", "success", sha3, "main", "30433700", "The Octocat", ts("2026-05-20T08:05:00Z"), ts("2026-05-20T08:15:00Z")},
		})
		check(t, "deployed pull requests", rows(t, st, `SELECT d.external_id, p.number FROM deployment_pull_requests dp
			JOIN deployments d ON d.id = dp.deployment_id JOIN pull_requests p ON p.id = dp.pr_id`), [][]string{{"deployment:42", "1347"}})
	})
}

// The first sync's requests, script by script, and a re-sync of the
// unchanged organization: about one request per repository and resource,
// and the lists that allow it answer 304.
func TestRequestCounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, nil)
		e.gh.failOnce("/repos/octo-org/hello-world/pulls", http.StatusTooManyRequests)
		e.gh.failOnce("/repos/octo-org/hello-world/commits", http.StatusBadGateway)
		e.gh.failOnce("/repos/octo-org/api/actions/runs", http.StatusForbidden) // the primary limit, until its reset
		first := e.sync(t)
		want := map[string]int64{
			"repository":          2, // two pages of the organization's repositories
			"contributor":         4, // two lists, two profiles (not the bot's)
			"commit":              6, // two lists, three commits, one 502 retried
			"pull-request":        5, // two lists, two pull requests, one 429 retried
			"review":              2,
			"comment":             4, // review and discussion comments, per repository
			"pull-request-commit": 2,
			"workflow":            2,
			"workflow-run":        3, // two lists, one exhausted rate limit waited out
			"workflow-job":        3,
			"deployment":          6, // two environment lists, two deployment lists, two deployments' statuses
		}
		if d := cmp.Diff(want, first); d != "" {
			t.Errorf("first sync requests (-want +got):\n%s", d)
		}
		if got := runRequests(t, st); got != total(first) {
			t.Errorf("run records hold %d requests, the engine counted %d", got, total(first))
		}
		t.Logf("first sync: %d requests", total(first))

		e.clock.Add(time.Hour)
		e.gh.resetHits()
		again := e.sync(t)
		want = map[string]int64{
			"repository": 2, "contributor": 2, "commit": 2, "pull-request": 2, "review": 0, "comment": 4,
			"pull-request-commit": 0, "workflow": 2,
			"workflow-run": 3,                  // two lists, and the run still in progress read again
			"workflow-job": 0, "deployment": 4, // per repository: environments (304) and deployments
		}
		if d := cmp.Diff(want, again); d != "" {
			t.Errorf("re-sync requests (-want +got):\n%s", d)
		}
		t.Logf("re-sync: %d requests", total(again))
		if n := e.gh.notModified(); n != 10 {
			t.Errorf("%d answers were 304, want 10 (2 repository pages, 2 contributor lists, 2 commit lists, 2 workflow lists, 2 environment lists)", n)
		}
		// Nothing changed, nothing was written twice.
		check(t, "row counts after the re-sync", rows(t, st, `SELECT (SELECT COUNT(*) FROM commits), (SELECT COUNT(*) FROM pull_requests),
			(SELECT COUNT(*) FROM pull_request_reviews), (SELECT COUNT(*) FROM pull_request_comments), (SELECT COUNT(*) FROM pipeline_runs),
			(SELECT COUNT(*) FROM pipeline_jobs), (SELECT COUNT(*) FROM deployments), (SELECT COUNT(*) FROM people)`),
			[][]string{{"3", "2", "4", "3", "4", "9", "3", "4"}})
	})
}

func runRequests(t *testing.T, st *store.Store) int64 {
	t.Helper()
	var n sql.NullInt64
	if err := st.DB().QueryRow(`SELECT SUM(requests) FROM data_source_runs WHERE source = 'github'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n.Int64
}

// A renamed repository, a deleted one and a force-pushed pull request
// branch leave no ghosts.
func TestRenameDeleteForcePushLeaveNoGhosts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, nil)
		e.sync(t)
		e.clock.Add(24 * time.Hour)
		newHead := "0d1f2a3b4c5d6e7f80910a1b2c3d4e5f6a7b8c9d"
		e.gh.edit(func(f *fakeGitHub) {
			hw := f.repo("octo-org/hello-world")
			hw.Repository["name"] = "hello-universe"
			hw.Repository["full_name"] = "octo-org/hello-universe"
			hw.Repository["html_url"] = "https://github.com/octo-org/hello-universe"
			hw.Repository["updated_at"] = "2026-06-02T09:00:00Z"
			// #1348's branch was rewritten: one new commit replaces the old.
			for _, p := range hw.Pulls {
				if p["number"].(float64) == 1348 {
					p["updated_at"] = "2026-06-02T10:00:00Z"
					p["commits"] = 1
				}
			}
			c := map[string]any{}
			for k, v := range hw.PullCommits["1348"][0].(map[string]any) {
				c[k] = v
			}
			c["sha"] = newHead
			hw.PullCommits["1348"] = []any{c}
			var kept []*fakeRepo
			for _, r := range f.repos {
				if r.Repository["name"] != "api" {
					kept = append(kept, r)
				}
			}
			f.repos = kept // octo-org/api was deleted
		})
		e.sync(t)
		check(t, "repositories", rows(t, st, `SELECT external_id, full_name, url FROM repositories ORDER BY external_id`), [][]string{
			{"1296269", "octo-org/hello-universe", "https://github.com/octo-org/hello-universe"},
			{"1296271", "octo-org/legacy-tool", "https://github.com/octo-org/legacy-tool"},
		})
		check(t, "what remains of api", rows(t, st, `SELECT (SELECT COUNT(*) FROM commits WHERE sha = $1), (SELECT COUNT(*) FROM pipelines WHERE external_id IN ('161400', '161401')),
			(SELECT COUNT(*) FROM pipeline_runs WHERE external_id IN ('30433700', '30433701')), (SELECT COUNT(*) FROM deployments WHERE external_id LIKE 'run:%'),
			(SELECT COUNT(*) FROM http_validators WHERE url LIKE 'repos/octo-org/api/%')`, sha3),
			[][]string{{"0", "0", "0", "0", "0"}})
		check(t, "commits of #1348", rows(t, st, `SELECT c.commit_sha FROM pull_request_commits c JOIN pull_requests p ON p.id = c.pr_id WHERE p.number = 1348`),
			[][]string{{newHead}})
		check(t, "the renamed repository's rows", rows(t, st, `SELECT (SELECT COUNT(*) FROM commits), (SELECT COUNT(*) FROM pull_requests), (SELECT COUNT(*) FROM pipeline_runs)`),
			[][]string{{"2", "2", "2"}})
	})
}

// Include patterns and the visibility filter decide what is collected.
func TestSelectionByPatternAndVisibility(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, map[string]string{KeyVisibility: "public", KeyInclude: "octo-org/hello-*,octo-org/api"})
		e.sync(t)
		check(t, "repositories", rows(t, st, `SELECT full_name, excluded FROM repositories ORDER BY full_name`), [][]string{
			{"octo-org/api", "1"}, {"octo-org/hello-world", "0"}, {"octo-org/legacy-tool", "1"},
		})
		check(t, "repositories with data", rows(t, st, `SELECT DISTINCT r.full_name FROM commits c JOIN repositories r ON r.id = c.repo_id`),
			[][]string{{"octo-org/hello-world"}})
		if h := e.gh.requests(); h["GET /repos/octo-org/api/commits"] != 0 || h["GET /repos/octo-org/legacy-tool/commits"] != 0 {
			t.Errorf("excluded repositories were collected: %v", h)
		}
	})
}

// A user's repositories are collected beside an organization's; an owner
// removed from the configuration leaves its repositories excluded, not
// deleted.
func TestUsersAndRemovedOwners(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, map[string]string{KeyUsers: "octocat"})
		e.gh.edit(func(f *fakeGitHub) {
			spoon := &fakeRepo{Reviews: map[string][]any{}, PullCommits: map[string][]any{}, Jobs: map[string][]any{}, Statuses: map[string][]any{}}
			b, _ := json.Marshal(f.repo("octo-org/hello-world").Repository)
			json.Unmarshal(b, &spoon.Repository)
			spoon.Repository["id"], spoon.Repository["name"], spoon.Repository["full_name"] = 1300192, "Spoon-Knife", "octocat/Spoon-Knife"
			spoon.Repository["owner"] = f.users["octocat"]
			f.repos = append(f.repos, spoon)
		})
		e.sync(t)
		check(t, "repositories", rows(t, st, `SELECT full_name, excluded FROM repositories ORDER BY external_id`), [][]string{
			{"octo-org/hello-world", "0"}, {"octo-org/api", "0"}, {"octo-org/legacy-tool", "1"}, {"octocat/Spoon-Knife", "0"},
		})
		if err := e.cfg.Unset(context.Background(), ID, KeyUsers, "cli"); err != nil {
			t.Fatal(err)
		}
		e.clock.Add(time.Hour)
		e.sync(t)
		check(t, "repositories without the user", rows(t, st, `SELECT full_name, excluded FROM repositories ORDER BY external_id`), [][]string{
			{"octo-org/hello-world", "0"}, {"octo-org/api", "0"}, {"octo-org/legacy-tool", "1"}, {"octocat/Spoon-Knife", "1"},
		})
	})
}

func TestConnectionTest(t *testing.T) {
	fake := newFakeGitHub(t, testToken)
	conn := func(token, org string) *source.Conn {
		return &source.Conn{Config: source.Config{KeyToken: token, KeyAPIURL: fake.URL(), KeyOrganizations: org, KeyUsers: "hubot"},
			HTTP: httpclient.New(httpclient.Options{RetryMax: 1})}
	}
	if err := Source().Test(context.Background(), conn(testToken, "octo-org")); err != nil {
		t.Errorf("a good token: %v", err)
	}
	err := Source().Test(context.Background(), conn("ghp_wrong", "octo-org"))
	if err == nil || !strings.Contains(err.Error(), "401") || !strings.Contains(err.Error(), "not accepted") {
		t.Errorf("a wrong token: %v", err)
	}
	err = Source().Test(context.Background(), conn(testToken, "octo-orgg"))
	if err == nil || !strings.Contains(err.Error(), `organization "octo-orgg" was not found`) {
		t.Errorf("a misspelt organization: %v", err)
	}
}

func TestMatchAny(t *testing.T) {
	for _, c := range []struct {
		patterns string
		name     string
		want     bool
	}{
		{"*deploy*", "Deploy / production", true},
		{"*deploy*", "CI", false},
		{"release/*", "release/2026.05", true},
		{"main,master", "MAIN", true},
		{"acme/legacy-?", "acme/legacy-1", true},
		{"acme/legacy-?", "acme/legacy-10", false},
		{"a.b", "axb", false},
	} {
		if got := matchAny(source.Config{"k": c.patterns}.List("k"), c.name); got != c.want {
			t.Errorf("matchAny(%q, %q) = %v, want %v", c.patterns, c.name, got, c.want)
		}
	}
	if err := validPatterns("**"); err == nil || !strings.Contains(err.Error(), "matches everything") {
		t.Errorf("validPatterns(**) = %v", err)
	}
	got := []string{}
	for _, k := range Source().Keys {
		got = append(got, k.Name)
	}
	sort.Strings(got)
	if len(got) != 10 {
		t.Errorf("keys: %v", got)
	}
}

// GitHub's production_environment flag makes a deployment production even
// when its environment's name is none of the configured production names.
func TestProductionEnvironmentFlag(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, map[string]string{KeyProductionEnv: "live"})
		e.sync(t)
		check(t, "deployments of hello-world", rows(t, st, `SELECT d.external_id, d.environment, d.is_production FROM deployments d
			JOIN repositories r ON r.id = d.repo_id WHERE r.name = 'hello-world' ORDER BY d.external_id`), [][]string{
			{"deployment:41", "staging", "0"},    // production_environment: false
			{"deployment:42", "production", "1"}, // production_environment: true
		})
	})
}
