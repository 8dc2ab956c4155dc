package gitlab_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"os"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/momentum-app/momentum/backend/collect"
	"github.com/momentum-app/momentum/backend/secret"
	"github.com/momentum-app/momentum/backend/source"
	"github.com/momentum-app/momentum/backend/source/gitlab"
	"github.com/momentum-app/momentum/backend/source/gitlab/gitlabtest"
	"github.com/momentum-app/momentum/backend/source/httpclient"
	"github.com/momentum-app/momentum/backend/sourceconfig"
	"github.com/momentum-app/momentum/backend/store"
	"github.com/momentum-app/momentum/backend/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// day0 is when the first sync runs: the fake's May 2026 activity is inside
// the default 90-day window, older items are not.
var day0 = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

type env struct {
	st    *store.Store
	fake  *gitlabtest.Server
	eng   *collect.Engine
	clock *clock
}

func newEnv(t *testing.T, st *store.Store, cfg map[string]string) *env {
	t.Helper()
	src, err := source.Default.Lookup(gitlab.ID)
	if err != nil {
		t.Fatal(err)
	}
	reg := source.NewRegistry()
	reg.Register(src)
	configs := sourceconfig.New(st, reg, secret.NewVault(secret.NewMemory()))
	fake := gitlabtest.New()
	t.Cleanup(fake.Close)
	fake.MaxPerPage = 2 // short lists span pages: X-Next-Page and Link are followed
	values := map[string]string{
		gitlab.KeyToken: gitlabtest.Token, gitlab.KeyURL: fake.URL,
		gitlab.KeyGroups: "acme", gitlab.KeyProjects: "acme/api", gitlab.KeyExclude: "acme/legacy-*",
	}
	for k, v := range cfg {
		values[k] = v
		if v == "" {
			delete(values, k)
		}
	}
	if err := configs.Set(context.Background(), gitlab.ID, values, "cli"); err != nil {
		t.Fatal(err)
	}
	c := &clock{t: day0}
	eng := collect.New(collect.Config{Store: st, Configs: configs, Now: c.Now, Concurrency: 3,
		Log:  slog.New(slog.NewTextHandler(io.Discard, nil)),
		HTTP: httpclient.Options{RetryWaitMin: 10 * time.Millisecond, RetryWaitMax: 50 * time.Millisecond}})
	return &env{st: st, fake: fake, eng: eng, clock: c}
}

// collect runs a collection and returns the requests per script and the
// requests the fake served.
func (e *env) collect(t *testing.T) (map[string]int64, []string) {
	t.Helper()
	sum, err := e.eng.Collect(context.Background(), collect.Options{Via: "cli"})
	if err != nil {
		t.Fatal(err)
	}
	per := map[string]int64{}
	for _, o := range sum.Outcomes {
		if o.Status != store.RunCompleted {
			t.Fatalf("%s/%s: %s %s", o.Source, o.Script, o.Status, o.Error)
		}
		per[o.Script] = o.Requests
	}
	return per, e.fake.Requests()
}

func total(per map[string]int64) int64 {
	var n int64
	for _, v := range per {
		n += v
	}
	return n
}

// query returns the rows of q as strings, one per row, columns joined by |.
func query(t *testing.T, st *store.Store, q string, args ...any) []string {
	t.Helper()
	rows, err := st.DB().QueryContext(context.Background(), q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(cols))
		for i, v := range vals {
			switch x := v.(type) {
			case nil:
				parts[i] = "NULL"
			case []byte:
				parts[i] = string(x)
			case bool: // SQLite gives 0 and 1
				parts[i] = map[bool]string{false: "0", true: "1"}[x]
			case int64:
				parts[i] = fmt.Sprint(x)
			default:
				parts[i] = fmt.Sprint(x)
			}
		}
		out = append(out, strings.Join(parts, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func want(t *testing.T, what string, got, exp []string) {
	t.Helper()
	if !reflect.DeepEqual(got, exp) {
		t.Errorf("%s:\n got  %q\n want %q", what, got, exp)
	}
}

func ts(s string) string {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return fmt.Sprint(t.Unix())
}

func sha(s string) string { return strings.Repeat(s, 20) }

func TestSyncStoresRowsAndResyncIsFrugal(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, nil)
		// A 429 with Retry-After and a 502 along the way: waited out and
		// retried, counted in the run record.
		e.fake.Fail("/projects/101/repository/commits", 429)
		e.fake.Fail("/projects/101/merge_requests", 502)
		per, served := e.collect(t)

		wantPer := map[string]int64{
			"project":       3, // the group's 3 projects on 2 pages, the configured project
			"commit":        4, // 101: 2 pages and the 429; 102: 1
			"merge-request": 8, // 101: 2 pages and the 502, the commits of !2, !1 (2 pages), !3; 102: 1
			"note":          9, // notes of !1 (4 pages), !2, !3; approvals of the three
			"contributor":   3, // 101: 2 pages; 102: 1
			"pipeline":      9, // per project 1 list; jobs of 5001, 5002, 6001 (2 pages each), 6002
			"deployment":    4, // 101: environments, deployments, the merge requests deployment 41 shipped; 102: environments only (pipeline rule)
		}
		if !reflect.DeepEqual(per, wantPer) {
			t.Errorf("first sync requests per script: got %v, want %v", per, wantPer)
		}
		if int(total(per)) != len(served) {
			t.Errorf("the run records count %d requests, the server saw %d", total(per), len(served))
		}
		for _, r := range served {
			if strings.Contains(r, "/projects/103") || strings.Contains(r, "legacy-tool") {
				t.Errorf("an excluded project was collected: %s", r)
			}
		}
		checkRows(t, st, e.fake.URL)

		// An unchanged group a day later: one request per project and
		// resource, nothing written twice.
		before := snapshot(t, st)
		e.clock.Set(day0.Add(24 * time.Hour))
		per, served = e.collect(t)
		wantPer = map[string]int64{"project": 3, "commit": 2, "merge-request": 2, "note": 0, "contributor": 3, "pipeline": 2, "deployment": 3}
		if !reflect.DeepEqual(per, wantPer) {
			t.Errorf("re-sync requests per script: got %v, want %v\n%s", per, wantPer, strings.Join(served, "\n"))
		}
		if after := snapshot(t, st); !reflect.DeepEqual(before, after) {
			t.Errorf("an unchanged re-sync changed rows:\n before %v\n after  %v", before, after)
		}

		// Renamed project, deleted project, force-pushed merge request.
		var ps []map[string]any
		e.fake.Get("/groups/acme/projects", &ps)
		ps[0]["path"], ps[0]["path_with_namespace"], ps[0]["name"] = "api-v2", "acme/api-v2", "API v2"
		e.fake.Set("/projects/acme/api", ps[0]) // GitLab redirects a renamed project's old path
		e.fake.Set("/groups/acme/projects", []map[string]any{ps[0], ps[2]})
		var mrs []map[string]any
		e.fake.Get("/projects/101/merge_requests", &mrs)
		for _, m := range mrs {
			if m["iid"].(float64) == 2 {
				m["updated_at"] = "2026-06-02T18:00:00.000Z"
				m["sha"] = sha("g3")
			}
		}
		e.fake.Set("/projects/101/merge_requests", mrs)
		var commits []map[string]any
		e.fake.Get("/projects/101/merge_requests/2/commits", &commits)
		commits = commits[:1]
		commits[0]["id"], commits[0]["short_id"], commits[0]["title"] = sha("g3"), sha("g3")[:8], "Limit per token (rewritten)"
		e.fake.Set("/projects/101/merge_requests/2/commits", commits)
		e.clock.Set(day0.Add(48 * time.Hour))
		e.collect(t)

		want(t, "projects after a rename and a deletion",
			query(t, st, `SELECT external_id, full_name, name FROM repositories WHERE source = 'gitlab' ORDER BY external_id`),
			[]string{"101|acme/api-v2|API v2", "103|acme/legacy-tool|Legacy Tool"})
		for _, tbl := range []string{"commits", "pipeline_runs", "deployments", "pipelines"} {
			want(t, "rows of the deleted project in "+tbl,
				query(t, st, `SELECT COUNT(*) FROM `+tbl+` WHERE repo_id NOT IN (SELECT id FROM repositories)`), []string{"0"})
		}
		want(t, "deployments left", query(t, st, `SELECT external_id FROM deployments ORDER BY external_id`), []string{"41", "42"})
		want(t, "the force-pushed merge request's commits",
			query(t, st, `SELECT c.commit_sha FROM pull_request_commits c JOIN pull_requests p ON p.id = c.pr_id WHERE p.number = 2`),
			[]string{sha("g3")})
		want(t, "its commit count", query(t, st, `SELECT commits_count FROM pull_requests WHERE number = 2`), []string{"1"})
	})
}

// snapshot is every collected table's rows, for comparing two syncs.
func snapshot(t *testing.T, st *store.Store) map[string][]string {
	out := map[string][]string{}
	for _, q := range []string{
		`SELECT id, external_id, full_name, updated_at FROM repositories ORDER BY id`,
		`SELECT id, sha, person_id, additions FROM commits ORDER BY id`,
		`SELECT id, number, state, updated_at, first_review_at, approved_at, review_rounds, comments_count, ready_at, commits_count FROM pull_requests ORDER BY id`,
		`SELECT id, external_id, kind FROM pull_request_comments ORDER BY id`,
		`SELECT id, external_id, state, comments_count FROM pull_request_reviews ORDER BY id`,
		`SELECT pr_id, commit_sha FROM pull_request_commits ORDER BY pr_id, commit_sha`,
		`SELECT id, external_id, status, started_at, finished_at FROM pipeline_runs ORDER BY id`,
		`SELECT id, external_id, status FROM pipeline_jobs ORDER BY id`,
		`SELECT id, external_id, environment, is_production, status FROM deployments ORDER BY id`,
		`SELECT id, person_id, source, external_id, is_bot FROM accounts ORDER BY id`,
		`SELECT id, display_name, is_bot FROM people ORDER BY id`,
	} {
		out[q] = query(t, st, q)
	}
	return out
}

func checkRows(t *testing.T, st *store.Store, fakeURL string) {
	t.Helper()
	want(t, "repositories", query(t, st, `SELECT external_id, full_name, name, url, description, default_branch, stars, forks, is_private, is_archived, excluded, created_at, updated_at
		FROM repositories WHERE source = 'gitlab' ORDER BY external_id`), []string{
		"101|acme/api|API|https://gitlab.example.com/acme/api|The public API|main|12|3|0|0|0|" + ts("2024-01-10T09:00:00Z") + "|" + ts("2026-05-21T08:12:00Z"),
		"102|acme/web|Web|https://gitlab.example.com/acme/web|The web front end|main|4|0|1|0|0|" + ts("2024-02-01T09:00:00Z") + "|" + ts("2026-05-15T10:00:00Z"),
		// Listed for the Data sources page, but not collected (pattern).
		"103|acme/legacy-tool|Legacy Tool|https://gitlab.example.com/acme/legacy-tool|Old scripts|main|0|0|1|0|0|" + ts("2019-03-01T09:00:00Z") + "|" + ts("2025-01-01T10:00:00Z"),
	})
	want(t, "commits (the January one is outside the window)", query(t, st, `SELECT r.full_name, c.sha, a.email, c.authored_at, c.author_tz_offset, c.committed_at,
			c.subject, c.is_merge, c.additions, c.deletions, (c.person_id = a.person_id)
		FROM commits c JOIN repositories r ON r.id = c.repo_id JOIN accounts a ON a.id = c.author_account_id ORDER BY c.authored_at`), []string{
		"acme/api|" + sha("a1") + "|alice@example.com|" + ts("2026-05-04T07:00:00Z") + "|120|" + ts("2026-05-04T07:00:00Z") + "|Add login endpoint|0|120|10|1",
		"acme/api|" + sha("a2") + "|alice@example.com|" + ts("2026-05-05T08:30:00Z") + "|120|" + ts("2026-05-05T08:30:00Z") + "|Validate tokens|0|30|5|1",
		"acme/api|" + sha("a3") + "|bob@example.com|" + ts("2026-05-06T15:00:00Z") + "|0|" + ts("2026-05-06T15:00:00Z") + "|Merge branch 'feature-login' into 'main'|1|150|15|1",
		"acme/api|" + sha("a4") + "|bob@example.com|" + ts("2026-05-07T13:15:00Z") + "|-300|" + ts("2026-05-07T13:15:00Z") + "|Fix typo in README|0|1|1|1",
		"acme/web|" + sha("b1") + "|carol@example.com|" + ts("2026-05-15T09:00:00Z") + "|60|" + ts("2026-05-15T09:00:00Z") + "|Landing page|0|80|0|1",
		"acme/web|" + sha("b2") + "|29139614+renovate[bot]@users.noreply.github.com|" + ts("2026-05-16T03:00:00Z") + "|0|" + ts("2026-05-16T03:00:00Z") + "|Bump dependencies|0|12|12|1",
	})
	want(t, "merge requests (the November one is outside the window)", query(t, st, `SELECT p.number, p.external_id, p.title, p.url, p.state, p.is_draft, a.login,
			p.head_branch, p.base_branch, p.created_at, p.ready_at, p.first_commit_at, p.first_review_at, p.approved_at, p.merged_at,
			p.closed_at, p.updated_at, p.merge_commit_sha, p.additions, p.deletions, p.commits_count, p.review_rounds, p.comments_count
		FROM pull_requests p JOIN accounts a ON a.id = p.author_account_id WHERE p.source = 'gitlab' ORDER BY p.number`), []string{
		"1|9001|Login endpoint|https://gitlab.example.com/acme/api/-/merge_requests/1|merged|0|alice|feature-login|main|" +
			ts("2026-05-04T10:00:00Z") + "|" + ts("2026-05-04T10:00:00Z") + "|" + ts("2026-05-04T08:00:00Z") + "|" +
			ts("2026-05-04T14:00:00Z") + "|" + ts("2026-05-05T11:01:00Z") + "|" + ts("2026-05-06T15:00:00Z") + "|" +
			ts("2026-05-06T15:00:00Z") + "|" + ts("2026-05-06T15:00:00Z") + "|" + sha("a3") + "|150|15|3|2|4",
		"2|9002|Rate limiting|https://gitlab.example.com/acme/api/-/merge_requests/2|open|0|bob|rate-limit|main|" +
			ts("2026-05-20T09:00:00Z") + "|" + ts("2026-05-20T12:00:00Z") + "|" + ts("2026-05-19T16:00:00Z") + "|" +
			ts("2026-05-21T08:00:00Z") + "|NULL|NULL|NULL|" + ts("2026-05-21T08:00:00Z") + "||0|0|2|1|1",
		"3|9003|Experiment: GraphQL|https://gitlab.example.com/acme/api/-/merge_requests/3|closed|0|alice|graphql|main|" +
			ts("2026-04-10T09:00:00Z") + "|" + ts("2026-04-10T09:00:00Z") + "|" + ts("2026-04-09T16:00:00Z") + "|NULL|NULL|NULL|" +
			ts("2026-04-12T17:00:00Z") + "|" + ts("2026-04-12T17:00:00Z") + "||0|0|1|0|0",
	})
	want(t, "notes of !1: system notes told apart, diff comments as review", query(t, st, `SELECT c.external_id, c.kind, a.login, c.body_length, c.created_at, c.resolved_at
		FROM pull_request_comments c JOIN pull_requests p ON p.id = c.pr_id JOIN accounts a ON a.id = c.author_account_id
		WHERE p.number = 1 ORDER BY c.created_at`), []string{
		"301|system|alice|159|" + ts("2026-05-04T10:00:30Z") + "|NULL",
		"302|discussion|project_101_bot_5c1e2a9d|23|" + ts("2026-05-04T10:10:00Z") + "|NULL",
		"303|review|bob|50|" + ts("2026-05-04T14:00:00Z") + "|" + ts("2026-05-05T09:30:00Z"),
		"304|discussion|bob|35|" + ts("2026-05-04T14:05:00Z") + "|NULL",
		"305|system|alice|57|" + ts("2026-05-05T09:00:00Z") + "|NULL",
		"306|discussion|carol|4|" + ts("2026-05-05T11:00:00Z") + "|NULL",
		"307|system|carol|27|" + ts("2026-05-05T11:01:00Z") + "|NULL",
		"308|discussion|alice|12|" + ts("2026-05-05T11:30:00Z") + "|NULL",
	})
	want(t, "reviews", query(t, st, `SELECT p.number, r.external_id, a.login, r.state, r.submitted_at, r.comments_count
		FROM pull_request_reviews r JOIN pull_requests p ON p.id = r.pr_id JOIN accounts a ON a.id = r.reviewer_account_id ORDER BY p.number, r.submitted_at, r.external_id`), []string{
		"1|note:303|bob|commented|" + ts("2026-05-04T14:00:00Z") + "|2",
		"1|note:306|carol|commented|" + ts("2026-05-05T11:00:00Z") + "|1",
		"1|approval:4|carol|approved|" + ts("2026-05-05T11:01:00Z") + "|0",
		"2|note:402|alice|commented|" + ts("2026-05-21T08:00:00Z") + "|1",
	})
	want(t, "merge request commits", query(t, st, `SELECT p.number, c.commit_sha FROM pull_request_commits c JOIN pull_requests p ON p.id = c.pr_id ORDER BY p.number, c.commit_sha`),
		[]string{"1|" + sha("f1"), "1|" + sha("f2"), "1|" + sha("f3"), "2|" + sha("c1"), "2|" + sha("c2"), "3|" + sha("e1")})
	want(t, "pipelines", query(t, st, `SELECT p.external_id, p.name, p.path, p.url FROM pipelines p ORDER BY p.external_id`), []string{
		"project:101|acme/api|.gitlab-ci.yml|https://gitlab.example.com/acme/api/-/pipelines",
		"project:102|acme/web|.gitlab-ci.yml|https://gitlab.example.com/acme/web/-/pipelines",
	})
	want(t, "pipeline runs", query(t, st, `SELECT r.external_id, r.number, r.branch, r.commit_sha, r.event, r.status, r.attempt,
			pe.display_name, r.started_at, r.finished_at, r.duration_s, r.failure_reason, r.url
		FROM pipeline_runs r LEFT JOIN people pe ON pe.id = r.person_id ORDER BY r.external_id`), []string{
		"5001|41|main|" + sha("a3") + "|push|success|1|Bob Reviewer|" + ts("2026-05-06T15:02:00Z") + "|" + ts("2026-05-06T15:19:00Z") + "|1020||https://gitlab.example.com/acme/api/-/pipelines/5001",
		"5002|42|refs/merge-requests/2/head|" + sha("c2") + "|pull_request|failure|1|Bob Reviewer|" + ts("2026-05-21T08:00:30Z") + "|" + ts("2026-05-21T08:10:00Z") + "|570|script_failure|https://gitlab.example.com/acme/api/-/pipelines/5002",
		"6001|7|main|" + sha("b1") + "|push|success|1|Carol Approver|" + ts("2026-05-15T10:06:00Z") + "|" + ts("2026-05-15T10:28:00Z") + "|1320||https://gitlab.example.com/acme/web/-/pipelines/6001",
		"6002|8|preview-banner|" + sha("b9") + "|push|success|1|Carol Approver|" + ts("2026-05-16T10:06:00Z") + "|" + ts("2026-05-16T10:10:00Z") + "|240||https://gitlab.example.com/acme/web/-/pipelines/6002",
	})
	want(t, "jobs of 5002, the retried one included", query(t, st, `SELECT j.external_id, j.name, j.stage, j.status, j.started_at, j.finished_at, j.duration_s, j.failure_reason
		FROM pipeline_jobs j JOIN pipeline_runs r ON r.id = j.run_id WHERE r.external_id = '5002' ORDER BY j.external_id`), []string{
		"7005|build|build|success|" + ts("2026-05-21T08:00:30Z") + "|" + ts("2026-05-21T08:02:30Z") + "|120|",
		"7006|test|test|failure|" + ts("2026-05-21T08:03:00Z") + "|" + ts("2026-05-21T08:05:00Z") + "|120|script_failure",
		"7007|test|test|failure|" + ts("2026-05-21T08:06:00Z") + "|" + ts("2026-05-21T08:10:00Z") + "|240|script_failure",
	})
	want(t, "deployments: GitLab's for acme/api (tier), the pipeline rule for acme/web (no environments)",
		query(t, st, `SELECT r.full_name, d.external_id, d.environment, d.is_production, d.status, d.commit_sha, d.ref,
			pr.external_id, pe.display_name, d.created_at, d.finished_at, d.url
		FROM deployments d JOIN repositories r ON r.id = d.repo_id LEFT JOIN pipeline_runs pr ON pr.id = d.pipeline_run_id
			LEFT JOIN people pe ON pe.id = d.person_id ORDER BY d.external_id`), []string{
			"acme/api|41|production|1|success|" + sha("a3") + "|main|5001|Bob Reviewer|" + ts("2026-05-06T15:15:00Z") + "|" + ts("2026-05-06T15:19:00Z") + "|https://api.example.com",
			"acme/api|42|review/rate-limit|0|failure|" + sha("c2") + "|refs/merge-requests/2/head|5002|Bob Reviewer|" + ts("2026-05-21T08:03:00Z") + "|" + ts("2026-05-21T08:10:00Z") + "|https://review-rate-limit.api.example.com",
			// deploy-prod and deploy-staging on main; the manual deploy-prod
			// nobody started and the one on a feature branch are not deployments.
			"acme/web|job:7102|staging|0|success|" + sha("b1") + "|main|6001|Carol Approver|" + ts("2026-05-15T10:12:00Z") + "|" + ts("2026-05-15T10:18:00Z") + "|https://gitlab.example.com/acme/web/-/pipelines/6001",
			"acme/web|job:7103|prod|1|success|" + sha("b1") + "|main|6001|Carol Approver|" + ts("2026-05-15T10:20:00Z") + "|" + ts("2026-05-15T10:28:00Z") + "|https://gitlab.example.com/acme/web/-/pipelines/6001",
		})
	want(t, "GitLab's own link from a deployment to the merge requests it shipped", query(t, st, `SELECT d.external_id, p.number
		FROM deployment_pull_requests x JOIN deployments d ON d.id = x.deployment_id JOIN pull_requests p ON p.id = x.pr_id`), []string{"41|1"})
	want(t, "GitLab accounts, bots flagged", query(t, st, `SELECT external_id, login, name, email, profile_url, is_bot FROM accounts WHERE source = 'gitlab' ORDER BY external_id`), []string{
		"1|alice|Alice Example|alice@example.com|https://gitlab.example.com/alice|0",
		"2|bob|Bob Reviewer|bob@example.com|https://gitlab.example.com/bob|0",
		"3|project_101_bot_5c1e2a9d|coverage-bot|3-project_101_bot_5c1e2a9d@users.noreply.127.0.0.1|https://gitlab.example.com/project_101_bot_5c1e2a9d|1",
		"4|carol|Carol Approver|4-carol@users.noreply.127.0.0.1|https://gitlab.example.com/carol|0",
	})
	want(t, "git accounts from commits and contributors", query(t, st, `SELECT external_id, name, is_bot FROM accounts WHERE source = 'git' ORDER BY external_id`), []string{
		"29139614+renovate[bot]@users.noreply.github.com|renovate[bot]|1",
		"4-carol@users.noreply.127.0.0.1|Carol Approver|0",
		"alice@example.com|Alice Example|0",
		"bob@example.com|Bob Reviewer|0",
		"carol@example.com|Carol Approver|0",
	})
	want(t, "a GitLab noreply commit address joins its user's person", query(t, st, `SELECT COUNT(DISTINCT person_id) FROM accounts
		WHERE (source = 'gitlab' AND external_id = '4') OR external_id = '4-carol@users.noreply.127.0.0.1'`), []string{"1"})
	for _, pair := range [][2]string{{"1", "alice@example.com"}, {"2", "bob@example.com"}} {
		want(t, "a merge request author joins the git identity of their commits: "+pair[1], query(t, st,
			`SELECT COUNT(DISTINCT person_id) FROM accounts WHERE (source = 'gitlab' AND external_id = $1) OR (source = 'git' AND external_id = $2)`,
			pair[0], pair[1]), []string{"1"})
	}
	// alice, bob, carol's GitLab account (with her noreply commits), carol's
	// commit address (nothing links it to her account: she authored no
	// merge request), the coverage bot, renovate.
	want(t, "people", query(t, st, `SELECT COUNT(*) FROM people`), []string{"6"})
	want(t, "bot people", query(t, st, `SELECT display_name FROM people WHERE is_bot ORDER BY display_name`), []string{"coverage-bot", "renovate[bot]"})
	_ = fakeURL
	_ = sort.Strings
	_ = sql.ErrNoRows
}

// A project excluded on the Data sources page (repositories.excluded) or
// left out by GITLAB_INCLUDE costs no request and gets no rows.
func TestExcludedProjectsAreNotCollected(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, map[string]string{gitlab.KeyInclude: "acme/api,acme/web"})
		e.collect(t)
		if _, err := st.DB().Exec(`UPDATE repositories SET excluded = TRUE WHERE full_name = 'acme/web'`); err != nil {
			t.Fatal(err)
		}
		if _, err := st.DB().Exec(`DELETE FROM commits WHERE repo_id = (SELECT id FROM repositories WHERE full_name = 'acme/web')`); err != nil {
			t.Fatal(err)
		}
		e.clock.Set(day0.Add(24 * time.Hour))
		// A full re-import, so that acme/web would be read again if it were collected.
		if err := e.eng.Reset(context.Background(), []string{gitlab.ID}, "cli"); err != nil {
			t.Fatal(err)
		}
		_, served := e.collect(t)
		for _, r := range served {
			if strings.Contains(r, "/projects/102/") || strings.Contains(r, "/projects/103/") {
				t.Errorf("an excluded project was collected: %s", r)
			}
		}
		if !strings.Contains(strings.Join(served, "\n"), "/projects/101/repository/commits") {
			t.Errorf("acme/api was not collected:\n%s", strings.Join(served, "\n"))
		}
		want(t, "commits of the excluded project", query(t, st,
			`SELECT COUNT(*) FROM commits WHERE repo_id = (SELECT id FROM repositories WHERE full_name = 'acme/web')`), []string{"0"})
		want(t, "the user's choice stays", query(t, st, `SELECT full_name, excluded FROM repositories WHERE source = 'gitlab' ORDER BY full_name`),
			[]string{"acme/api|0", "acme/legacy-tool|0", "acme/web|1"})
	})
}

func TestConnectionAndConfigurationErrors(t *testing.T) {
	fake := gitlabtest.New()
	defer fake.Close()
	src, err := source.Default.Lookup(gitlab.ID)
	if err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	conn := func(token string) *source.Conn {
		cfg := src.WithDefaults(source.Config{gitlab.KeyToken: token, gitlab.KeyURL: fake.URL, gitlab.KeyGroups: "acme"})
		return &source.Conn{Config: cfg, HTTP: httpclient.New(httpclient.Options{Secrets: []string{token}, RetryMax: 1, RetryWaitMin: time.Millisecond}), Log: quiet}
	}
	if err := src.Test(context.Background(), conn(gitlabtest.Token)); err != nil {
		t.Errorf("a good token: %v", err)
	}
	err = src.Test(context.Background(), conn("glpat-wrong-token-value"))
	if err == nil || !strings.Contains(err.Error(), "check GITLAB_TOKEN") || strings.Contains(err.Error(), "glpat-wrong") {
		t.Errorf("a bad token: %v", err)
	}
	if err := src.Validate(source.Config{gitlab.KeyToken: "x", gitlab.KeyExclude: "acme/[oops"}); err == nil || !strings.Contains(err.Error(), "GITLAB_EXCLUDE") {
		t.Errorf("a malformed pattern: %v", err)
	}
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, map[string]string{gitlab.KeyGroups: "", gitlab.KeyProjects: ""})
		sum, err := e.eng.Collect(context.Background(), collect.Options{Via: "cli"})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range sum.Outcomes {
			if o.Script == "project" && (o.Status != store.RunFailed || !strings.Contains(o.Error, "set GITLAB_GROUPS")) {
				t.Errorf("no groups or projects: %+v", o)
			}
		}
	})
}

// GITLAB_DEPLOYMENTS=pipelines: the rule for every project, no request for
// environments or deployments.
func TestDeploymentsFromPipelinesOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, map[string]string{gitlab.KeyDeployments: gitlab.DeployPipelines, gitlab.KeyDeployJobs: "deploy*"})
		_, served := e.collect(t)
		for _, r := range served {
			if strings.Contains(r, "/environments") || strings.Contains(r, "/deployments") {
				t.Errorf("the pipeline rule alone asked GitLab for %s", r)
			}
		}
		// acme/api's "deploy" job on main (no environment word: production),
		// acme/web's deploy-prod and deploy-staging.
		want(t, "deployments by the rule only", query(t, st, `SELECT external_id, environment, is_production FROM deployments ORDER BY external_id`),
			[]string{"job:7003|production|1", "job:7102|staging|0", "job:7103|prod|1"})
		// !1's merge commit a3 was deployed by job 7003: linked by the rule.
		want(t, "shipped", query(t, st, `SELECT d.external_id, p.number FROM deployment_pull_requests x JOIN deployments d ON d.id = x.deployment_id
			JOIN pull_requests p ON p.id = x.pr_id`), []string{"job:7003|1"})
	})
}

func TestDeploymentsFromEnvironmentsOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, map[string]string{gitlab.KeyDeployments: gitlab.DeployEnvironments})
		e.collect(t)
		want(t, "deployments from GitLab only", query(t, st, `SELECT external_id FROM deployments ORDER BY external_id`), []string{"41", "42"})
	})
}
