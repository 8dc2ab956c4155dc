package metric

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/momentum-app/momentum/backend/store"
	"github.com/momentum-app/momentum/backend/store/storetest"
)

// seeder writes rows for a test.
type seeder struct {
	t  *testing.T
	db *sql.DB
}

func newSeeder(t *testing.T, st *store.Store) seeder { return seeder{t, st.DB()} }

func (s seeder) exec(q string, args ...any) {
	s.t.Helper()
	if _, err := s.db.Exec(q, args...); err != nil {
		s.t.Fatalf("%s: %v", q, err)
	}
}

// opt is an optional instant: "" is NULL.
func opt(s string) any {
	if s == "" {
		return nil
	}
	return at(s)
}

// seedPeople: two repositories, Ada and Bob, a bot, and team Core = {Ada}.
func seedPeople(s seeder) {
	s.exec(`INSERT INTO repositories (id, source, external_id, full_name, name, url) VALUES
		(1, 'test', '1', 'acme/api', 'api', 'https://example.test/acme/api'), (2, 'test', '2', 'acme/web', 'web', 'https://example.test/acme/web')`)
	s.exec(`INSERT INTO people (id, display_name, email, is_bot, created_at) VALUES
		(1, 'Ada', 'ada@acme.dev', FALSE, 0), (2, 'Bob', 'bob@acme.dev', FALSE, 0), (3, 'dependabot[bot]', '', TRUE, 0), (4, 'ci-helper', '', FALSE, 0)`)
	s.exec(`INSERT INTO accounts (id, person_id, source, external_id, login, email) VALUES
		(1, 1, 'test', 'ada', 'ada', 'ada@acme.dev'), (2, 2, 'test', 'bob', 'bobby', 'bob@acme.dev'),
		(3, 3, 'test', 'dependabot', 'dependabot[bot]', ''), (4, 4, 'test', 'helper', 'helper[bot]', '')`)
	s.exec(`INSERT INTO teams (id, name, created_at) VALUES (1, 'Core', 0)`)
	s.exec(`INSERT INTO team_members (team_id, person_id) VALUES (1, 1)`)
}

type prRow struct {
	id, repo, person                            int64
	state                                       string
	firstCommit, created, ready, review, merged string
	sha                                         string
	approved                                    string
	additions, deletions                        int64
	draft                                       bool
	closed                                      string
}

func (s seeder) pr(p prRow) {
	s.t.Helper()
	closed := opt(p.merged)
	if p.closed != "" {
		closed = at(p.closed)
	}
	ready := opt(p.ready)
	if p.ready == "" && !p.draft {
		ready = at(p.created)
	}
	s.exec(`INSERT INTO pull_requests (id, repo_id, source, external_id, number, url, state, is_draft, person_id, author_account_id, head_branch,
		created_at, ready_at, first_commit_at, first_review_at, approved_at, merged_at, closed_at, updated_at, merge_commit_sha, additions, deletions)
		VALUES ($1, $2, 'test', $16, $1, $17, $3, $4, $5, $5, $18, $6, $7, $8, $9, $10, $11, $12, $6, $13, $14, $15)`,
		p.id, p.repo, p.state, p.draft, p.person, at(p.created), ready, opt(p.firstCommit), opt(p.review), opt(p.approved), opt(p.merged), closed,
		p.sha, p.additions, p.deletions, fmt.Sprint(p.id), fmt.Sprintf("https://example.test/pr/%d", p.id), fmt.Sprintf("feature/%d", p.id))
}

type deployRow struct {
	id, repo          int64
	env, status, sha  string
	created, finished string
	prs               []int64
}

func (s seeder) deploy(d deployRow) {
	s.t.Helper()
	s.exec(`INSERT INTO deployments (id, repo_id, source, external_id, environment, is_production, status, commit_sha, created_at, finished_at)
		VALUES ($1, $2, 'test', $9, $3, $4, $5, $6, $7, $8)`,
		d.id, d.repo, d.env, d.env == "production", d.status, d.sha, at(d.created), opt(d.finished), fmt.Sprint(d.id))
	for _, pr := range d.prs {
		s.exec(`INSERT INTO deployment_pull_requests (deployment_id, pr_id) VALUES ($1, $2)`, d.id, pr)
	}
}

// seedDelivery: merged pull requests and deployments whose figures the
// deployment and cycle-time tests compute by hand. Range 2026-03-01..07.
func seedDelivery(t *testing.T, st *store.Store) {
	s := newSeeder(t, st)
	seedPeople(s)
	for _, p := range []prRow{
		// coding 2 h, pickup 4 h, review 20 h; total 26 h.
		{id: 1, repo: 1, person: 1, state: "merged", firstCommit: "2026-03-01 08:00:00", created: "2026-03-01 10:00:00", review: "2026-03-01 14:00:00", merged: "2026-03-02 10:00:00", sha: "m1"},
		// First commit after opening: coding 0; a draft until 12:00: pickup 1 h; review 24 h; total 28 h.
		{id: 2, repo: 1, person: 2, state: "merged", firstCommit: "2026-03-02 09:00:00", created: "2026-03-02 08:00:00", ready: "2026-03-02 12:00:00", review: "2026-03-02 13:00:00", merged: "2026-03-03 13:00:00", sha: "m2"},
		// Merged without review: coding 1 h, total 2 h.
		{id: 3, repo: 2, person: 2, state: "merged", firstCommit: "2026-03-03 10:00:00", created: "2026-03-03 11:00:00", merged: "2026-03-03 12:00:00", sha: "m3"},
		// Only reviewed after the merge: merged without review; coding 6 h, total 18 h.
		{id: 4, repo: 2, person: 1, state: "merged", firstCommit: "2026-03-04 00:00:00", created: "2026-03-04 06:00:00", review: "2026-03-05 00:00:00", merged: "2026-03-04 18:00:00", sha: "m4"},
		// A bot's: left out of cycle time unless bots=true; coding 0, total 1 h.
		{id: 5, repo: 1, person: 3, state: "merged", firstCommit: "2026-03-02 00:00:00", created: "2026-03-02 00:00:00", merged: "2026-03-02 01:00:00", sha: "m5"},
		// The previous period: coding 2, pickup 2, review 20, total 24 h.
		{id: 6, repo: 1, person: 1, state: "merged", firstCommit: "2026-02-26 00:00:00", created: "2026-02-26 02:00:00", review: "2026-02-26 04:00:00", merged: "2026-02-27 00:00:00", sha: "m6"},
		{id: 7, repo: 1, person: 1, state: "open", firstCommit: "2026-03-05 00:00:00", created: "2026-03-05 01:00:00"},
		// Merge commit not known yet: no deployment can ship it. coding 1, pickup 1, review 10, total 12 h.
		{id: 8, repo: 2, person: 2, state: "merged", firstCommit: "2026-03-06 00:00:00", created: "2026-03-06 01:00:00", review: "2026-03-06 02:00:00", merged: "2026-03-06 12:00:00"},
	} {
		s.pr(p)
	}
	for _, d := range []deployRow{
		{id: 10, repo: 1, env: "production", status: "success", sha: "m6", created: "2026-02-27 11:50:00", finished: "2026-02-27 12:00:00", prs: []int64{6}},
		// Ships 1, 2 and the bot's 5; re-ships 6, first shipped before the range.
		{id: 11, repo: 1, env: "production", status: "success", sha: "m2", created: "2026-03-03 23:50:00", finished: "2026-03-04 00:00:00", prs: []int64{1, 2, 5, 6}},
		// A failed deployment ships nothing; the next one deploys the merge commit of 3 without a link.
		{id: 12, repo: 2, env: "production", status: "failure", sha: "m3", created: "2026-03-04 09:50:00", finished: "2026-03-04 10:00:00", prs: []int64{3}},
		{id: 13, repo: 2, env: "production", status: "success", sha: "m3", created: "2026-03-04 11:50:00", finished: "2026-03-04 12:00:00"},
		// Linked to 4 but finished before 4 was merged: it cannot contain it.
		{id: 15, repo: 2, env: "production", status: "success", sha: "x5", created: "2026-03-04 16:50:00", finished: "2026-03-04 17:00:00", prs: []int64{4}},
		{id: 14, repo: 2, env: "staging", status: "success", sha: "m4", created: "2026-03-05 00:00:00", finished: "2026-03-05 00:10:00", prs: []int64{4}},
		{id: 16, repo: 2, env: "production", status: "success", sha: "m4", created: "2026-03-05 23:50:00", finished: "2026-03-06 00:00:00", prs: []int64{4}},
		// A commit no pull request is known to contain yet.
		{id: 17, repo: 2, env: "production", status: "success", sha: "unknown", created: "2026-03-07 09:50:00", finished: "2026-03-07 10:00:00"},
		{id: 18, repo: 1, env: "production", status: "in_progress", sha: "m7", created: "2026-03-07 23:00:00"},
		// Started in the range, finished after it: counts in the next one.
		{id: 19, repo: 1, env: "production", status: "success", sha: "m7", created: "2026-03-07 23:55:00", finished: "2026-03-08 00:05:00"},
	} {
		s.deploy(d)
	}
}

// undefined is the value of a figure with nothing to measure (null in JSON).
var undefined = math.NaN()

// run computes metric id on the test range (2026-03-01..07, daily) unless q says otherwise.
func run(t *testing.T, st *store.Store, id string, q Query) *Result {
	t.Helper()
	if q.From.IsZero() {
		q.From, q.To = day("2026-03-01"), day("2026-03-07")
	}
	if q.Group == "" {
		q.Group = Day
	}
	res, err := NewEngine(st.DB(), st.Engine().Postgres()).Compute(context.Background(), id, q)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// checkSummary compares the named figures only; NaN (undefined) matches NaN.
func checkSummary(t *testing.T, what string, got map[string]float64, want map[string]float64) {
	t.Helper()
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			t.Errorf("%s: summary has no %s", what, k)
			continue
		}
		if math.IsNaN(w) != math.IsNaN(g) || math.Abs(g-w) > 1e-9 {
			t.Errorf("%s: %s = %v, want %v", what, k, g, w)
		}
	}
}

// column picks one field of every point.
func column(series []Point, field string) []any {
	out := make([]any, len(series))
	for i, p := range series {
		out[i] = p[field]
	}
	return out
}

func TestDeployments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		seedDelivery(t, st)
		res := run(t, st, "deployments", Query{Compare: true})
		// Successful production deployments finished in the range: 11, 13, 15, 16, 17.
		// Lead time (first commit → first deployment after the merge), PRs 1, 2, 3, 4, 5:
		// release 64, 39, 26, 48, 48; commit → merge 26, 28, 2, 18, 1; merge → production 38, 11, 24, 30, 47.
		checkSummary(t, "all", res.Summary, map[string]float64{
			"deployments": 5, "failed_deployments": 1, "deploy_days": 3,
			"deployments_per_day": 5.0 / 7, "deployments_per_week": 5, "deployments_per_month": 5.0 / 7 * 365.25 / 12,
			"deployment_frequency_tier": 3, "prs_deployed": 5,
			"release_cycle_time_mean_hours": 45, "release_cycle_time_median_hours": 48, "release_cycle_time_p75_hours": 48, "release_cycle_time_p95_hours": 60.8, // 48 + 0.8 × (64 − 48)
			"commit_to_merge_mean_hours": 15, "commit_to_merge_median_hours": 18, "commit_to_merge_p75_hours": 26, "commit_to_merge_p95_hours": 27.6,
			"merge_to_production_mean_hours": 30, "merge_to_production_median_hours": 30, "merge_to_production_p75_hours": 38, "merge_to_production_p95_hours": 45.2,
			"lead_time_tier": 3,
		})
		if d := cmp.Diff([]any{0.0, 0.0, 0.0, 3.0, 0.0, 1.0, 1.0}, column(res.Series, "deployments")); d != "" {
			t.Errorf("deployments series (-want +got):\n%s", d)
		}
		if d := cmp.Diff([]any{0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0}, column(res.Series, "failed_deployments")); d != "" {
			t.Errorf("failed series (-want +got):\n%s", d)
		}
		// 03-04 ships 1, 2, 3, 5 (26, 39, 48, 64 → 43.5); 03-06 ships 4 (48).
		if d := cmp.Diff([]any{nil, nil, nil, 43.5, nil, 48.0, nil}, column(res.Series, "lead_time_median_hours")); d != "" {
			t.Errorf("lead time series (-want +got):\n%s", d)
		}
		dora := res.Tables["dora"].(map[string]DoraRating)
		if dora["deployment_frequency"].Tier != "high" || dora["lead_time"].Tier != "high" || dora["lead_time"].Value != 48 {
			t.Errorf("dora = %+v", dora)
		}
		stages := res.Tables["lead_time_stages"].([]LeadTimeStage)
		if stages[0].Median != 18 || stages[1].Median != 30 || stages[1].Count != 5 {
			t.Errorf("stages = %+v", stages)
		}
		want := []Bucket{{"<1h", 0}, {"1-4h", 0}, {"4-24h", 0}, {"1-3d", 5}, {"3-7d", 0}, {"1-2w", 0}, {"2-4w", 0}, {">4w", 0}}
		if d := cmp.Diff(want, res.Tables["release_cycle_time"]); d != "" {
			t.Errorf("histogram (-want +got):\n%s", d)
		}
		// Previous period: deployment 10 ships 6 (02-26 00:00 → 02-27 12:00 = 36 h).
		checkSummary(t, "previous", res.Previous, map[string]float64{"deployments": 1, "prs_deployed": 1, "release_cycle_time_median_hours": 36, "deployment_frequency_tier": 3})
	})
}

func TestDeploymentsFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		seedDelivery(t, st)
		cases := []struct {
			name   string
			filter Filter
			want   map[string]float64
		}{
			// acme/web: 13, 15, 16, 17 succeeded, 12 failed; PRs 3 (26 h) and 4 (48 h).
			{"repo", Filter{Repos: []string{"acme/web"}}, map[string]float64{"deployments": 4, "failed_deployments": 1, "prs_deployed": 2, "release_cycle_time_mean_hours": 37}},
			// Ada's PRs 1 and 4 shipped with 11 and 16 (15's link predates the merge).
			{"person", Filter{People: []string{"ada"}}, map[string]float64{"deployments": 2, "failed_deployments": 0, "prs_deployed": 2, "release_cycle_time_mean_hours": 56}},
			{"team", Filter{Teams: []string{"Core"}}, map[string]float64{"deployments": 2, "prs_deployed": 2}},
			// Bob's 2 with 11, 3 with 13 (by its merge commit) and, failed, 12.
			{"person by merge commit", Filter{People: []string{"bob@acme.dev"}}, map[string]float64{"deployments": 2, "failed_deployments": 1, "prs_deployed": 2}},
		}
		for _, c := range cases {
			checkSummary(t, c.name, run(t, st, "deployments", Query{Filter: c.filter}).Summary, c.want)
		}
	})
}

func TestDeploymentsEmptyRange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		seedDelivery(t, st)
		res := run(t, st, "deployments", Query{From: day("2025-01-01"), To: day("2025-01-03"), Compare: true})
		checkSummary(t, "empty", res.Summary, map[string]float64{"deployments": 0, "deployment_frequency_tier": 0, "lead_time_tier": 0, "release_cycle_time_median_hours": undefined, "deployments_per_week": 0})
		if len(res.Series) != 3 || res.Series[0]["lead_time_median_hours"] != nil {
			t.Errorf("series = %v", res.Series)
		}
		if res.Tables["dora"].(map[string]DoraRating)["deployment_frequency"].Tier != "none" {
			t.Errorf("dora = %v", res.Tables["dora"])
		}
	})
}

func TestDORATiers(t *testing.T) {
	for _, c := range []struct {
		perDay float64
		want   int
	}{{0, 0}, {0.01, 1}, {12 / 365.25, 2}, {1.0 / 7, 3}, {0.99, 3}, {1, 4}, {12, 4}} {
		if got := deploymentFrequencyTier(c.perDay); got != c.want {
			t.Errorf("frequency %v/day: tier %d, want %d", c.perDay, got, c.want)
		}
	}
	for _, c := range []struct {
		hours float64
		n     int
		want  int
	}{{0, 0, 0}, {0.5, 1, 4}, {24, 1, 3}, {167.9, 3, 3}, {168, 3, 2}, {719, 1, 2}, {720, 1, 1}} {
		if got := leadTimeTier(c.hours, c.n); got != c.want {
			t.Errorf("lead time %v h: tier %d, want %d", c.hours, got, c.want)
		}
	}
}
