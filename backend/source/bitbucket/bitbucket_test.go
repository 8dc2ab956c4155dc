package bitbucket_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/momentum-app/momentum/backend/collect"
	"github.com/momentum-app/momentum/backend/metric"
	"github.com/momentum-app/momentum/backend/secret"
	"github.com/momentum-app/momentum/backend/source"
	"github.com/momentum-app/momentum/backend/source/bitbucket"
	"github.com/momentum-app/momentum/backend/source/bitbucket/bitbuckettest"
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

var day0 = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

type env struct {
	fake  *bitbuckettest.Server
	eng   *collect.Engine
	clock *clock
}

func newEnv(t *testing.T, st *store.Store, extra ...string) *env {
	t.Helper()
	src, err := source.Default.Lookup(bitbucket.ID)
	if err != nil {
		t.Fatal(err)
	}
	reg := source.NewRegistry()
	reg.Register(src)
	configs := sourceconfig.New(st, reg, secret.NewVault(secret.NewMemory()))
	fake := bitbuckettest.New()
	t.Cleanup(fake.Close)
	fake.MaxPageLen = 2 // short lists span pages: "next" is followed
	values := map[string]string{
		// A workspace access token (no username): the credential Bitbucket
		// sends its X-RateLimit-* headers to. TestConnection uses an app password.
		bitbucket.KeyPassword:  bitbuckettest.AccessToken,
		bitbucket.KeyWorkspace: "acme", bitbucket.KeyExclude: "legacy*", bitbucket.KeyURL: fake.APIURL(),
	}
	for i := 0; i+1 < len(extra); i += 2 {
		values[extra[i]] = extra[i+1]
	}
	if err := configs.Set(context.Background(), bitbucket.ID, values, "cli"); err != nil {
		t.Fatal(err)
	}
	c := &clock{t: day0}
	eng := collect.New(collect.Config{Store: st, Configs: configs, Now: c.Now, Concurrency: 3,
		Log:  slog.New(slog.NewTextHandler(io.Discard, nil)),
		HTTP: httpclient.Options{RetryWaitMin: 10 * time.Millisecond, RetryWaitMax: 50 * time.Millisecond}})
	return &env{fake: fake, eng: eng, clock: c}
}

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
			default:
				parts[i] = fmt.Sprint(x)
			}
		}
		out = append(out, strings.Join(parts, "|"))
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
		e := newEnv(t, st)
		e.fake.Fail("/repositories/acme/api/commits/main", 429)
		e.fake.Fail("/repositories/acme/api/pullrequests", 502)
		per, served := e.collect(t)
		wantPer := map[string]int64{
			"repository":   2,  // 3 repositories on 2 pages
			"commit":       8,  // api: 2 pages (the second stops at January), the 429, 3 diffstats; web: 1 page, 1 diffstat
			"pull-request": 13, // api: the list and the 502; #1: commits, comments (3 pages), activity (3 pages); #2: 3; web: the list
			"pipeline":     8,  // api: 2 pages (stops at January), steps of 7 and 6; web: 1 page, steps of 4 and 3 (2 pages)
			"deployment":   4,  // api: environments, 2 pages of deployments (the second is older); web: environments
		}
		if !reflect.DeepEqual(per, wantPer) {
			t.Errorf("first sync requests: got %v, want %v\n%s", per, wantPer, strings.Join(served, "\n"))
		}
		var total int64
		for _, n := range per {
			total += n
		}
		if int(total) != len(served) {
			t.Errorf("the runs count %d requests, the fake served %d", total, len(served))
		}
		for _, r := range served {
			if strings.Contains(r, "legacy") {
				t.Errorf("an excluded repository was collected: %s", r)
			}
		}

		want(t, "repositories", query(t, st, `SELECT external_id, full_name, name, url, description, default_branch, language, is_private, created_at, updated_at
			FROM repositories ORDER BY full_name`), []string{
			"{11111111-aaaa-4aaa-8aaa-111111111111}|acme/api|api|https://bitbucket.org/acme/api|Public API|main|go|1|" + ts("2024-01-10T09:00:00Z") + "|" + ts("2026-05-21T08:12:00Z"),
			"{33333333-cccc-4ccc-8ccc-333333333333}|acme/legacy-scripts|legacy-scripts|https://bitbucket.org/acme/legacy-scripts|Old scripts|main||1|" + ts("2019-03-01T09:00:00Z") + "|" + ts("2025-01-01T10:00:00Z"),
			"{22222222-bbbb-4bbb-8bbb-222222222222}|acme/web|web|https://bitbucket.org/acme/web|Web front end|main|typescript|0|" + ts("2024-02-01T09:00:00Z") + "|" + ts("2026-05-15T10:00:00Z"),
		})
		want(t, "commits with diffstat line counts", query(t, st, `SELECT r.name, c.sha, a.email, c.authored_at, c.author_tz_offset, c.subject, c.is_merge,
				c.additions, c.deletions, c.files_changed
			FROM commits c JOIN repositories r ON r.id = c.repo_id JOIN accounts a ON a.id = c.author_account_id ORDER BY c.authored_at`), []string{
			"api|" + sha("d1") + "|ana@example.com|" + ts("2026-05-04T07:00:00Z") + "|120|Search endpoint|0|62|1|2",
			"api|" + sha("d2") + "|ana@example.com|" + ts("2026-05-05T08:30:00Z") + "|120|Add search index|0|30|5|1",
			"api|" + sha("d3") + "|ben@example.com|" + ts("2026-05-07T09:00:00Z") + "|0|Merged in feature/search (pull request #1)|1|130|4|2",
			"web|" + sha("e1") + "|ben@example.com|" + ts("2026-05-15T10:00:00Z") + "|0|Landing page|0|80|0|1",
		})
		want(t, "files of d1", query(t, st, `SELECT f.path, f.additions, f.deletions FROM commit_files f JOIN commits c ON c.id = f.commit_id
			WHERE c.sha = $1 ORDER BY f.path`, sha("d1")), []string{"main.go|2|1", "search/handler.go|60|0"})
		want(t, "pull requests", query(t, st, `SELECT p.number, p.title, p.url, p.state, a.login, p.head_branch, p.base_branch, p.created_at,
				p.ready_at, p.first_commit_at, p.first_review_at, p.approved_at, p.merged_at, p.closed_at, p.merge_commit_sha,
				p.additions, p.deletions, p.changed_files, p.commits_count, p.review_rounds, p.comments_count
			FROM pull_requests p JOIN accounts a ON a.id = p.author_account_id ORDER BY p.number`), []string{
			"1|Search|https://bitbucket.org/acme/api/pull-requests/1|merged|ana|feature/search|main|" + ts("2026-05-04T10:00:00Z") + "|" +
				ts("2026-05-04T10:00:00Z") + "|" + ts("2026-05-04T08:00:00Z") + "|" + ts("2026-05-04T15:00:00Z") + "|" + ts("2026-05-05T12:02:00Z") + "|" +
				ts("2026-05-07T09:00:00Z") + "|" + ts("2026-05-07T09:00:00Z") + "|" + sha("d3") + "|130|4|2|2|2|3",
			"2|Rate limits|https://bitbucket.org/acme/api/pull-requests/2|open|ben|feature/limits|main|" + ts("2026-05-20T09:00:00Z") + "|" +
				ts("2026-05-20T09:00:00Z") + "|" + ts("2026-05-19T16:00:00Z") + "|" + ts("2026-05-21T08:00:00Z") + "|NULL|NULL|NULL||0|0|0|2|1|1",
		})
		want(t, "comments of #1 (the deleted one dropped)", query(t, st, `SELECT c.external_id, c.kind, a.login, c.in_reply_to, c.body_length, c.created_at, c.resolved_at
			FROM pull_request_comments c JOIN pull_requests p ON p.id = c.pr_id JOIN accounts a ON a.id = c.author_account_id WHERE p.number = 1 ORDER BY c.created_at`), []string{
			"501|discussion|deploy-bot||16|" + ts("2026-05-04T10:05:00Z") + "|NULL",
			"502|review|ben||28|" + ts("2026-05-04T15:00:00Z") + "|" + ts("2026-05-05T09:30:00Z"),
			"503|discussion|ana|502|5|" + ts("2026-05-05T09:35:00Z") + "|NULL",
			"504|discussion|ben||15|" + ts("2026-05-05T12:00:00Z") + "|NULL",
		})
		want(t, "reviews", query(t, st, `SELECT p.number, r.external_id, a.login, r.state, r.submitted_at, r.comments_count
			FROM pull_request_reviews r JOIN pull_requests p ON p.id = r.pr_id JOIN accounts a ON a.id = r.reviewer_account_id ORDER BY p.number, r.submitted_at`), []string{
			"1|comment:502|ben|commented|" + ts("2026-05-04T15:00:00Z") + "|1",
			"1|comment:504|ben|commented|" + ts("2026-05-05T12:00:00Z") + "|1",
			"1|approval:{b1b2c3d4-0000-4000-8000-00000000b0b0}|ben|approved|" + ts("2026-05-05T12:02:00Z") + "|0",
			"2|comment:601|ana|commented|" + ts("2026-05-21T08:00:00Z") + "|1",
		})
		want(t, "accounts: users joined to their commit addresses, bots flagged", query(t, st, `SELECT a.login, a.email, a.is_bot,
				(SELECT COUNT(*) FROM accounts g WHERE g.person_id = a.person_id AND g.source = 'git')
			FROM accounts a WHERE a.source = 'bitbucket' ORDER BY a.login`), []string{"ana|ana@example.com|0|1", "ben|ben@example.com|0|1", "deploy-bot||1|0"})
		want(t, "pipeline runs", query(t, st, `SELECT r.number, r.branch, r.commit_sha, r.event, r.status, pe.display_name, r.started_at, r.finished_at, r.duration_s, r.failure_reason, r.url
			FROM pipeline_runs r LEFT JOIN people pe ON pe.id = r.person_id WHERE r.url LIKE '%/acme/api/%' ORDER BY r.number`), []string{
			"6|main|" + sha("d3") + "|push|success|Ben Okafor|" + ts("2026-05-07T09:01:00Z") + "|" + ts("2026-05-07T09:20:00Z") + "|1080||https://bitbucket.org/acme/api/pipelines/results/6",
			"7|feature/limits|" + sha("g2") + "|pull_request|failure|Ben Okafor|" + ts("2026-05-21T08:00:00Z") + "|" + ts("2026-05-21T08:10:00Z") + "|540|step Test failed|https://bitbucket.org/acme/api/pipelines/results/7",
		})
		want(t, "steps of 7", query(t, st, `SELECT j.name, j.status, j.duration_s, j.failure_reason FROM pipeline_jobs j JOIN pipeline_runs r ON r.id = j.run_id
			WHERE r.number = 7 ORDER BY j.started_at`), []string{"Build|success|150|", "Test|failure|380|FAILED"})
		want(t, "deployments: Bitbucket's for api (environments), the pipeline rule for web (none)", query(t, st, `SELECT r.name, d.external_id, d.environment, d.is_production, d.status,
				d.commit_sha, d.ref, pr.number, pe.display_name, d.created_at, d.finished_at
			FROM deployments d JOIN repositories r ON r.id = d.repo_id LEFT JOIN pipeline_runs pr ON pr.id = d.pipeline_run_id
				LEFT JOIN people pe ON pe.id = d.person_id ORDER BY d.created_at`), []string{
			"api|{dep-6-stg}|Staging|0|success|" + sha("d3") + "|main|6|Ben Okafor|" + ts("2026-05-07T09:10:00Z") + "|" + ts("2026-05-07T09:12:00Z"),
			"api|{dep-6-prod}|Production|1|success|" + sha("d3") + "|main|6|Ben Okafor|" + ts("2026-05-07T09:15:00Z") + "|" + ts("2026-05-07T09:19:30Z"),
			// "Deploy to staging" and "Deploy to production" on main; the one on
			// a feature branch is not a deployment.
			"web|step:{w32}|staging|0|success|" + sha("e1") + "|main|3|Ben Okafor|" + ts("2026-05-15T10:12:00Z") + "|" + ts("2026-05-15T10:18:00Z"),
			"web|step:{w33}|production|1|success|" + sha("e1") + "|main|3|Ben Okafor|" + ts("2026-05-15T10:20:00Z") + "|" + ts("2026-05-15T10:28:00Z"),
		})

		want(t, "pull requests the deployments shipped (merged into the branch up to the deployed commit)", query(t, st,
			`SELECT d.external_id, p.number FROM deployment_pull_requests x JOIN deployments d ON d.id = x.deployment_id
			JOIN pull_requests p ON p.id = x.pr_id ORDER BY d.external_id`), []string{"{dep-6-prod}|1", "{dep-6-stg}|1"})

		// Metrics on what was collected: two production deployments (api's
		// and web's by the rule); #1 merged 71 h after it was opened reached
		// production 19.5 min after the merge.
		eng := metric.NewEngine(st.DB(), st.Engine().Postgres())
		res, err := eng.Compute(context.Background(), "deployments", metric.Query{From: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 5, 31, 0, 0, 0, 0, time.UTC), Group: metric.Group("week")})
		if err != nil {
			t.Fatal(err)
		}
		if res.Summary["deployments"] != 2 || res.Summary["prs_deployed"] != 1 || res.Summary["merge_to_production_median_hours"] != 19.5/60 {
			t.Errorf("deployments metric: %v", res.Summary)
		}
		res, err = eng.Compute(context.Background(), "person-mrs", metric.Query{From: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 5, 31, 0, 0, 0, 0, time.UTC), Group: metric.Group("week"),
			Filter: metric.Filter{People: []string{"ana@example.com"}}})
		if err != nil {
			t.Fatal(err)
		}
		if res.Summary["prs_merged"] != 1 || res.Summary["time_to_merge_median_hours"] != 71 || res.Summary["iterations_mean"] != 2 || res.Summary["size_mean_lines"] != 134 {
			t.Errorf("person-mrs metric: %v", res.Summary)
		}

		// Unchanged a day later: about one request per repository and resource.
		e.clock.Set(day0.Add(24 * time.Hour))
		per, served = e.collect(t)
		wantPer = map[string]int64{"repository": 2, "commit": 2, "pull-request": 2, "pipeline": 2, "deployment": 3}
		if !reflect.DeepEqual(per, wantPer) {
			t.Errorf("re-sync requests: got %v, want %v\n%s", per, wantPer, strings.Join(served, "\n"))
		}

		// A deleted repository, a renamed one, a force-pushed pull request.
		var repos []map[string]any
		e.fake.Get("/repositories/acme", &repos)
		repos[2]["name"], repos[2]["slug"], repos[2]["full_name"] = "legacy-tools", "legacy-tools", "acme/legacy-tools"
		e.fake.Set("/repositories/acme", []map[string]any{repos[0], repos[2]})
		var prs []map[string]any
		e.fake.Get("/repositories/acme/api/pullrequests", &prs)
		prs[0]["updated_on"] = "2026-06-02T18:00:00.000000+00:00" // #2
		e.fake.Set("/repositories/acme/api/pullrequests", prs)
		var commits []map[string]any
		e.fake.Get("/repositories/acme/api/pullrequests/2/commits", &commits)
		commits = commits[:1]
		commits[0]["hash"] = sha("g3")
		e.fake.Set("/repositories/acme/api/pullrequests/2/commits", commits)
		e.clock.Set(day0.Add(48 * time.Hour))
		e.collect(t)
		want(t, "repositories after a deletion and a rename", query(t, st, `SELECT full_name FROM repositories ORDER BY full_name`), []string{"acme/api", "acme/legacy-tools"})
		want(t, "commits of the deleted repository", query(t, st, `SELECT COUNT(*) FROM commits WHERE sha = $1`, sha("e1")), []string{"0"})
		want(t, "the force-pushed pull request's commits", query(t, st, `SELECT c.commit_sha FROM pull_request_commits c JOIN pull_requests p ON p.id = c.pr_id WHERE p.number = 2`),
			[]string{sha("g3")})
	})
}

func TestConnection(t *testing.T) {
	fake := bitbuckettest.New()
	defer fake.Close()
	src, err := source.Default.Lookup(bitbucket.ID)
	if err != nil {
		t.Fatal(err)
	}
	conn := func(password string) *source.Conn {
		cfg := src.WithDefaults(source.Config{bitbucket.KeyUsername: bitbuckettest.Username, bitbucket.KeyPassword: password,
			bitbucket.KeyWorkspace: "acme", bitbucket.KeyURL: fake.APIURL()})
		return &source.Conn{Config: cfg, HTTP: httpclient.New(httpclient.Options{Secrets: []string{password}, RetryMax: 1, RetryWaitMin: time.Millisecond}),
			Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	}
	if err := src.Test(context.Background(), conn(bitbuckettest.AppPassword)); err != nil {
		t.Errorf("good credentials: %v", err)
	}
	err = src.Test(context.Background(), conn("ATBB-wrong"))
	if err == nil || !strings.Contains(err.Error(), "401") || !strings.Contains(err.Error(), "check the token") {
		t.Errorf("bad credentials: %v", err)
	}
}

// A repository excluded on the Data sources page costs no request.
func TestExcludedRepositoriesAreNotCollected(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		e.collect(t)
		if _, err := st.DB().Exec(`UPDATE repositories SET excluded = TRUE WHERE full_name = 'acme/web'`); err != nil {
			t.Fatal(err)
		}
		e.clock.Set(day0.Add(24 * time.Hour))
		if err := e.eng.Reset(context.Background(), []string{bitbucket.ID}, "cli"); err != nil {
			t.Fatal(err)
		}
		_, served := e.collect(t)
		all := strings.Join(served, "\n")
		if strings.Contains(all, "/acme/web/") || strings.Contains(all, "legacy") {
			t.Errorf("an excluded repository was collected:\n%s", all)
		}
		if !strings.Contains(all, "/acme/api/pullrequests") {
			t.Errorf("acme/api was not collected:\n%s", all)
		}
	})
}

// BITBUCKET_DEPLOYMENTS=pipelines: the rule for every repository, no
// deployment requests.
func TestPipelineRuleOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, bitbucket.KeyDeployments, "pipelines")
		_, served := e.collect(t)
		for _, r := range served {
			if strings.Contains(r, "/environments") || strings.Contains(r, "/deployments") {
				t.Errorf("the pipeline rule alone asked Bitbucket for %s", r)
			}
		}
		want(t, "deployments by the rule", query(t, st, `SELECT d.external_id, d.environment, d.is_production FROM deployments d ORDER BY d.external_id`),
			[]string{"step:{s62}|production|1", "step:{w32}|staging|0", "step:{w33}|production|1"})
	})
}
