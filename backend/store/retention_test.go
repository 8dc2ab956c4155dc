package store_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/momentum-app/momentum/backend/store"
	"github.com/momentum-app/momentum/backend/store/storetest"
)

// TestPruneBefore writes each kind of collected fact just before and just
// after the cutoff, plus live facts older than it (an open pull request and
// ticket, an unresolved quality issue, a project's only snapshot): only the
// old, finished facts go, with their children, and the engine's own state
// stays.
func TestPruneBefore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		db := st.DB()
		const cut = 1_700_000_000
		old, recent := int64(cut-86400), int64(cut+86400)
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := db.ExecContext(ctx, q, args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		exec(`INSERT INTO repositories (id, source, external_id, full_name, name) VALUES (1, 'hub', '1', 'acme/api', 'api')`)
		// Commits: old, recent, and old-authored but recently committed.
		exec(`INSERT INTO commits (id, repo_id, sha, authored_at, committed_at) VALUES
			(1, 1, 'a', $1, $1), (2, 1, 'b', $2, $2), (3, 1, 'c', $1, $2)`, old, recent)
		exec(`INSERT INTO commit_files (commit_id, path) VALUES (1, 'x.go'), (2, 'x.go')`)
		// Pull requests: merged long ago, open long ago, merged recently.
		exec(`INSERT INTO pull_requests (id, repo_id, source, external_id, number, state, created_at, updated_at) VALUES
			(1, 1, 'hub', '1', 1, 'merged', $1, $1), (2, 1, 'hub', '2', 2, 'open', $1, $1), (3, 1, 'hub', '3', 3, 'closed', $1, $2)`, old, recent)
		exec(`INSERT INTO pull_request_reviews (pr_id, external_id, state, submitted_at) VALUES (1, 'r1', 'approved', $1), (3, 'r3', 'approved', $1)`, old)
		exec(`INSERT INTO pull_request_comments (pr_id, external_id, kind, created_at) VALUES (1, 'c1', 'review', $1)`, old)
		exec(`INSERT INTO pull_request_commits (pr_id, commit_sha) VALUES (1, 'a'), (3, 'c')`)
		// CI/CD: an old run with a job and a deployment made recently from it.
		exec(`INSERT INTO pipelines (id, repo_id, source, external_id, name) VALUES (1, 1, 'hub', 'ci', 'CI')`)
		exec(`INSERT INTO pipeline_runs (id, pipeline_id, repo_id, external_id, status, started_at, finished_at) VALUES
			(1, 1, 1, '1', 'success', $1, $1), (2, 1, 1, '2', 'success', $2, $2)`, old, recent)
		exec(`INSERT INTO pipeline_jobs (run_id, external_id, name, status) VALUES (1, 'j1', 'build', 'success'), (2, 'j2', 'build', 'success')`)
		exec(`INSERT INTO deployments (id, repo_id, source, external_id, environment, status, pipeline_run_id, created_at, finished_at) VALUES
			(1, 1, 'hub', 'd1', 'prod', 'success', NULL, $1, $1), (2, 1, 'hub', 'd2', 'prod', 'success', 1, $1, $2)`, old, recent)
		exec(`INSERT INTO deployment_pull_requests (deployment_id, pr_id) VALUES (1, 3), (2, 3)`)
		// Tickets: resolved long ago, open long ago; a closed sprint with
		// only the old ticket, another still holding the open one.
		exec(`INSERT INTO sprints (id, source, external_id, name, completed_at) VALUES (1, 'jira', 's1', 'S1', $1), (2, 'jira', 's2', 'S2', $1)`, old)
		exec(`INSERT INTO tickets (id, source, external_id, sprint_id, created_at, updated_at, resolved_at) VALUES
			(1, 'jira', 't1', 1, $1, $1, $1), (2, 'jira', 't2', 2, $1, $1, NULL)`, old)
		exec(`INSERT INTO ticket_transitions (ticket_id, external_id, to_status, transitioned_at) VALUES (1, 'tr1', 'Done', $1), (2, 'tr2', 'Open', $1)`, old)
		// Quality: project p has an old and a recent snapshot, project q
		// only an old one (its latest: kept).
		exec(`INSERT INTO quality_snapshots (source, project_key, analyzed_at) VALUES ('sonar', 'p', $1), ('sonar', 'p', $2), ('sonar', 'q', $1)`, old, recent)
		exec(`INSERT INTO quality_issues (source, external_id, kind, severity, status, created_at, resolved_at) VALUES
			('sonar', 'i1', 'bug', 'major', 'resolved', $1, $1), ('sonar', 'i2', 'bug', 'major', 'open', $1, NULL)`, old)
		exec(`INSERT INTO cost_records (source, account, service, day, amount) VALUES ('aws', 'a', 'ec2', $1, 1), ('aws', 'a', 'ec2', $2, 2)`, old, recent)
		// The engine's own state.
		exec(`INSERT INTO data_source_runs (source, script, status, started_at, finished_at, last_fetched_at) VALUES ('hub', 'commit', 'COMPLETED', $1, $1, $1)`, old)
		if err := st.SetLastFetched(ctx, "hub", "commit", &old); err != nil {
			t.Fatal(err)
		}

		got, err := st.PruneBefore(ctx, cut)
		if err != nil {
			t.Fatal(err)
		}
		want := store.Pruned{"commits": 1, "pull_requests": 1, "pipeline_runs": 1, "deployments": 1, "tickets": 1,
			"sprints": 1, "quality_snapshots": 1, "quality_issues": 1, "cost_records": 1}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("pruned %v\nwant   %v", got, want)
		}
		if got.Total() != 9 {
			t.Errorf("total %d", got.Total())
		}
		for q, want := range map[string]string{
			`SELECT sha FROM commits ORDER BY sha`:                                       "b c",
			`SELECT commit_id FROM commit_files`:                                         "2",
			`SELECT number FROM pull_requests ORDER BY number`:                           "2 3",
			`SELECT external_id FROM pull_request_reviews`:                               "r3",
			`SELECT COUNT(*) FROM pull_request_comments`:                                 "0",
			`SELECT commit_sha FROM pull_request_commits`:                                "c",
			`SELECT external_id FROM pipeline_runs`:                                      "2",
			`SELECT external_id FROM pipeline_jobs`:                                      "j2",
			`SELECT external_id || ':' || COALESCE(pipeline_run_id, 0) FROM deployments`: "d2:0",
			`SELECT deployment_id FROM deployment_pull_requests`:                         "2",
			`SELECT external_id FROM tickets`:                                            "t2",
			`SELECT external_id FROM ticket_transitions`:                                 "tr2",
			`SELECT external_id FROM sprints`:                                            "s2",
			`SELECT project_key FROM quality_snapshots ORDER BY project_key`:             "p q",
			`SELECT external_id FROM quality_issues`:                                     "i2",
			`SELECT COUNT(*) FROM cost_records`:                                          "1",
			`SELECT COUNT(*) FROM repositories`:                                          "1",
			`SELECT COUNT(*) FROM data_source_runs`:                                      "1",
		} {
			if have := column(t, st, q); have != want {
				t.Errorf("%s: %q, want %q", q, have, want)
			}
		}
		if lf, err := st.LastFetched(ctx, "hub", "commit"); err != nil || lf == nil || *lf != old {
			t.Errorf("the resume point moved: %v %v", lf, err)
		}
		// Pruning again finds nothing.
		if again, err := st.PruneBefore(ctx, cut); err != nil || again.Total() != 0 {
			t.Errorf("second prune: %v %v", again, err)
		}
	})
}

// column joins the first column of a query's rows with spaces.
func column(t *testing.T, st *store.Store, q string) string {
	t.Helper()
	rows, err := st.DB().QueryContext(context.Background(), q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	out := ""
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		if out != "" {
			out += " "
		}
		out += v
	}
	return out
}
