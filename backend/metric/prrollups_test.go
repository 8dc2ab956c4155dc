package metric

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/momentum-app/momentum/backend/demo"
	"github.com/momentum-app/momentum/backend/store"
	"github.com/momentum-app/momentum/backend/store/storetest"
)

// The delivery metrics that read the pr_deploys and pr_reviews rollups
// (cycle-time's deploy stage, deployments' lead time, review-quality) return
// exactly what they return from the source tables, on the small demo data,
// for several ranges, groupings, filters (bots included or not) and compare;
// and still after further writes that only the triggers tell the rollups
// about: a deployment that ships pull requests earlier than they were, one
// that stops counting, a link removed, a merge moved, comments and reviews
// added, changed and deleted, a pull request and a deployment deleted.
func TestPRRollupsEqualRaw(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 3, 20, 15, 0, 0, 0, time.UTC)
		if _, err := demo.Generate(ctx, st, demo.Options{Scale: demo.Small, Now: now, Seed: 3}); err != nil {
			t.Fatalf("demo: %v", err)
		}
		var repo, person string
		var team int64
		if err := st.DB().QueryRow(`SELECT r.full_name FROM repositories r ORDER BY
			(SELECT COUNT(*) FROM deployments d WHERE d.repo_id = r.id AND d.is_production) DESC, r.id LIMIT 1`).Scan(&repo); err != nil {
			t.Fatal(err)
		}
		if err := st.DB().QueryRow(`SELECT CAST(person_id AS TEXT) FROM pull_requests WHERE person_id IS NOT NULL AND merged_at IS NOT NULL
			GROUP BY person_id ORDER BY COUNT(*) DESC, person_id LIMIT 1`).Scan(&person); err != nil {
			t.Fatal(err)
		}
		if err := st.DB().QueryRow(`SELECT MIN(id) FROM teams`).Scan(&team); err != nil {
			t.Fatal(err)
		}
		comparePRRollups(t, st, now, repo, person, fmt.Sprint(team))

		// Every write must change something, or it tests nothing.
		exec := func(q string, args ...any) {
			t.Helper()
			res, err := st.DB().ExecContext(ctx, q, args...)
			if err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			if n, err := res.RowsAffected(); err != nil || n == 0 {
				t.Fatalf("%s: no row changed (%v)", q, err)
			}
		}
		since := now.AddDate(0, 0, -40).Unix()
		// A production deployment an hour after the merge of a few pull
		// requests merged in the last 40 days, linked to them: it becomes
		// their first.
		exec(`INSERT INTO deployments (repo_id, source, external_id, environment, is_production, status, commit_sha, created_at, finished_at)
			SELECT repo_id, 'test', 'rollup-early', 'production', TRUE, 'success', '', merged_at, merged_at + 3600
			FROM pull_requests WHERE merged_at >= $1 ORDER BY merged_at, id LIMIT 1`, since)
		exec(`INSERT INTO deployment_pull_requests (deployment_id, pr_id)
			SELECT d.id, pr.id FROM deployments d JOIN pull_requests pr ON pr.repo_id = d.repo_id
			WHERE d.external_id = 'rollup-early' AND pr.merged_at >= $1 AND pr.merged_at <= d.finished_at - 3600`, since)
		// A deployment of a merge commit a minute after the merge, of a
		// pull request merged on a day none of the other writes touch.
		exec(`INSERT INTO deployments (repo_id, source, external_id, environment, is_production, status, commit_sha, created_at, finished_at)
			SELECT repo_id, 'test', 'rollup-sha', 'production', TRUE, 'success', merge_commit_sha, merged_at, merged_at + 60
			FROM pull_requests WHERE merged_at >= $1 AND merge_commit_sha <> '' ORDER BY merged_at, id LIMIT 1`, now.AddDate(0, 0, -80).Unix())
		exec(`UPDATE deployments SET status = 'failure' WHERE id IN (
			SELECT id FROM deployments WHERE is_production AND status = 'success' AND finished_at >= $1 AND source <> 'test' ORDER BY id LIMIT 3)`, since)
		exec(`UPDATE deployments SET finished_at = finished_at + 5 * 86400 WHERE id IN (
			SELECT id FROM deployments WHERE is_production AND status = 'success' AND finished_at >= $1 AND source <> 'test' ORDER BY id DESC LIMIT 2)`, since)
		exec(`DELETE FROM deployment_pull_requests WHERE pr_id IN (
			SELECT pr_id FROM deployment_pull_requests dp JOIN pull_requests pr ON pr.id = dp.pr_id WHERE pr.merged_at >= $1 ORDER BY pr_id LIMIT 4)`, since)
		exec(`UPDATE pull_requests SET merged_at = merged_at - 2 * 86400 WHERE id IN (
			SELECT id FROM pull_requests WHERE merged_at >= $1 ORDER BY id LIMIT 5)`, since)
		exec(`DELETE FROM deployments WHERE id IN (
			SELECT id FROM deployments WHERE is_production AND status = 'success' AND finished_at >= $1 AND source <> 'test' ORDER BY finished_at LIMIT 2)`, since)
		exec(`DELETE FROM pull_requests WHERE id IN (
			SELECT id FROM pull_requests WHERE merged_at >= $1 ORDER BY merged_at DESC LIMIT 2)`, since)
		// Review activity on pull requests merged on days the writes above
		// leave alone: a resolved thread and a reply by someone else, a
		// review's approval given or taken back, a comment reassigned to the
		// author, comments and a review deleted.
		old := now.AddDate(0, 0, -75).Unix()
		var prID, author, merged int64
		if err := st.DB().QueryRow(`SELECT id, person_id, merged_at FROM pull_requests
			WHERE merged_at >= $1 AND person_id IS NOT NULL ORDER BY merged_at, id LIMIT 1`, old).Scan(&prID, &author, &merged); err != nil {
			t.Fatal(err)
		}
		exec(`INSERT INTO pull_request_comments (pr_id, external_id, person_id, kind, in_reply_to, created_at, resolved_at)
			SELECT $1, 'rollup-thread', MIN(id), 'review', '', $2, $3 FROM people WHERE id <> $4`, prID, merged-7200, merged-600, author)
		exec(`INSERT INTO pull_request_comments (pr_id, external_id, person_id, kind, in_reply_to, created_at)
			SELECT $1, 'rollup-reply', MAX(id), 'review', 'rollup-thread', $2 FROM people WHERE id <> $3`, prID, merged-3600, author)
		exec(`UPDATE pull_request_reviews SET state = CASE WHEN state = 'approved' THEN 'commented' ELSE 'approved' END WHERE id IN (
			SELECT rv.id FROM pull_request_reviews rv JOIN pull_requests pr ON pr.id = rv.pr_id
			WHERE pr.merged_at >= $1 AND pr.merged_at < $2 AND rv.submitted_at <= pr.merged_at
			AND rv.person_id <> pr.person_id AND rv.person_id IN (SELECT id FROM people WHERE NOT is_bot) ORDER BY rv.id LIMIT 2)`,
			old+15*86400, old+22*86400)
		exec(`UPDATE pull_request_comments SET person_id = (SELECT person_id FROM pull_requests pr WHERE pr.id = pr_id) WHERE id IN (
			SELECT c.id FROM pull_request_comments c JOIN pull_requests pr ON pr.id = c.pr_id
			WHERE pr.merged_at >= $1 AND pr.merged_at < $2 AND c.kind <> 'system' AND c.person_id <> pr.person_id ORDER BY c.id LIMIT 2)`,
			old+3*86400, old+15*86400)
		exec(`DELETE FROM pull_request_comments WHERE id IN (
			SELECT c.id FROM pull_request_comments c JOIN pull_requests pr ON pr.id = c.pr_id
			WHERE pr.merged_at >= $1 AND pr.merged_at < $2 ORDER BY c.id LIMIT 3)`, old+22*86400, old+30*86400)
		exec(`DELETE FROM pull_request_reviews WHERE id IN (
			SELECT rv.id FROM pull_request_reviews rv JOIN pull_requests pr ON pr.id = rv.pr_id
			WHERE pr.merged_at >= $1 AND pr.merged_at < $2 ORDER BY rv.id LIMIT 2)`, old+30*86400, old+35*86400)
		comparePRRollups(t, st, now, repo, person, fmt.Sprint(team))

		var dirty int
		if err := st.DB().QueryRow(`SELECT COUNT(*) FROM rollup_dirty WHERE family IN ('pr_deploys', 'pr_reviews')`).Scan(&dirty); err != nil {
			t.Fatal(err)
		}
		if dirty != 0 {
			t.Fatalf("%d days still dirty after the metrics read them", dirty)
		}
	})
}

func comparePRRollups(t *testing.T, st *store.Store, now time.Time, repo, person, team string) {
	t.Helper()
	filters := []Filter{{}, {Repos: []string{repo}}, {People: []string{person}}, {Teams: []string{team}}, {WithBots: true}}
	deployed, reviews := 0.0, 0.0
	compareRollupWithRaw(t, st, now, []string{"cycle-time", "deployments", "review-quality"}, filters, false,
		func(_ string, _ Query, want *Result) {
			deployed += want.Summary["prs_deployed"]
			reviews += want.Summary["review_threads"]
		})
	if deployed == 0 || reviews == 0 {
		t.Fatalf("%v deployed pull requests, %v review threads in the demo data: the comparison proves nothing", deployed, reviews)
	}
}
