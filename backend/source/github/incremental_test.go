package github

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/momentum-app/momentum/backend/collect"
	"github.com/momentum-app/momentum/backend/identity"
	"github.com/momentum-app/momentum/backend/store"
	"github.com/momentum-app/momentum/backend/store/storetest"
)

// clone deep-copies a fixture object, to make a new one of the same shape.
func clone(t *testing.T, v any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// A day of work after the first sync: two commits, a pull request opened,
// reviewed and merged, and a production deployment. The next sync asks only
// for those, and links the deployment to the pull request it shipped
// through the compare API (its merge commit lies between the previous
// production deployment and this one).
func TestIncrementalSyncPicksUpChanges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, nil)
		e.sync(t)
		e.clock.Add(24 * time.Hour)
		const sha4, sha5, sha6, shaB3 = "c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4", "c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5",
			"c6c6c6c6c6c6c6c6c6c6c6c6c6c6c6c6c6c6c6c6", "b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3"
		e.gh.edit(func(f *fakeGitHub) {
			hw := f.repo("octo-org/hello-world")
			hw.Repository["pushed_at"] = "2026-06-01T16:00:00Z"
			hw.Repository["updated_at"] = "2026-06-01T16:00:00Z"
			commit := func(sha, date, msg string) map[string]any {
				c := clone(t, hw.Commits[1]) // octocat's
				c["sha"] = sha
				inner := c["commit"].(map[string]any)
				inner["message"] = msg
				inner["author"].(map[string]any)["date"] = date
				inner["committer"].(map[string]any)["date"] = date
				return c
			}
			// The branch merged today holds a commit dated before the
			// last sync: it is collected all the same.
			hw.Commits = append([]map[string]any{
				commit(sha5, "2026-06-01T16:00:00Z", "Tune the cache"),
				commit(sha4, "2026-06-01T15:00:00Z", "Merge pull request #1349 from octo-org/typo"),
				commit(sha6, "2026-05-28T10:00:00Z", "Fix a typo"),
			}, hw.Commits...)
			pr := clone(t, hw.Pulls[0])
			for k, v := range map[string]any{"id": 3, "number": 1349, "title": "Fix a typo", "created_at": "2026-06-01T13:00:00Z",
				"updated_at": "2026-06-01T15:05:00Z", "closed_at": "2026-06-01T15:00:00Z", "merged_at": "2026-06-01T15:00:00Z",
				"merge_commit_sha": sha4, "additions": 1, "deletions": 1, "changed_files": 1, "commits": 1} {
				pr[k] = v
			}
			hw.Pulls = append(hw.Pulls, pr)
			rv := clone(t, hw.Reviews["1347"][3]) // hubot's approval
			rv["id"], rv["submitted_at"] = 84, "2026-06-01T14:00:00Z"
			hw.Reviews["1349"] = []any{rv}
			pc := clone(t, hw.PullCommits["1347"][0])
			pc["sha"] = shaB3
			pc["commit"].(map[string]any)["author"].(map[string]any)["date"] = "2026-06-01T12:30:00Z"
			hw.PullCommits["1349"] = []any{pc}
			d := clone(t, hw.Deployments[0])
			d["id"], d["sha"], d["created_at"], d["updated_at"] = 44, sha5, "2026-06-01T16:30:00Z", "2026-06-01T16:30:00Z"
			s := clone(t, hw.Statuses["42"][0])
			s["id"], s["created_at"], s["log_url"], s["target_url"] = 5, "2026-06-01T16:40:00Z", "", ""
			hw.Deployments = append(hw.Deployments, d)
			hw.Statuses["44"] = []any{s}
		})
		got := e.sync(t)
		want := map[string]int64{
			"repository":  2,              // the first page changed, the second answered 304
			"contributor": 2, "commit": 5, // two lists (api's a 304), three new commits
			"pull-request": 3, // two lists, the new pull request
			"review":       1, "comment": 4, "pull-request-commit": 1,
			"workflow": 2, "workflow-run": 3, "workflow-job": 0,
			"deployment": 6, // two environment lists (304), two deployment lists, the new deployment's statuses, one compare
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("incremental sync requests (-want +got):\n%s", d)
		}
		check(t, "the new pull request", rows(t, st, `SELECT state, created_at, first_commit_at, first_review_at, approved_at, merged_at, merge_commit_sha, review_rounds
			FROM pull_requests WHERE number = 1349`), [][]string{{"merged", ts("2026-06-01T13:00:00Z"), ts("2026-06-01T12:30:00Z"),
			ts("2026-06-01T14:00:00Z"), ts("2026-06-01T14:00:00Z"), ts("2026-06-01T15:00:00Z"), sha4, "1"}})
		check(t, "deployed pull requests", rows(t, st, `SELECT d.external_id, p.number FROM deployment_pull_requests dp
			JOIN deployments d ON d.id = dp.deployment_id JOIN pull_requests p ON p.id = dp.pr_id ORDER BY d.external_id`),
			[][]string{{"deployment:42", "1347"}, {"deployment:44", "1349"}})
		check(t, "new commits", rows(t, st, `SELECT sha, subject FROM commits WHERE committed_at > $1 ORDER BY committed_at`, ts("2026-05-20T08:00:00Z")),
			[][]string{{sha6, "Fix a typo"}, {sha4, "Merge pull request #1349 from octo-org/typo"}, {sha5, "Tune the cache"}})
	})
}

// GitHub accounts join the people the local git source already knows, by
// email and by GitHub noreply address.
func TestAccountsJoinLocalGitPeople(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		octo, err := identity.Ensure(ctx, st, identity.GitAccount("Octo Cat", "OctoCat@GitHub.com"))
		if err != nil {
			t.Fatal(err)
		}
		hubot, err := identity.Ensure(ctx, st, identity.GitAccount("Hubot", "1001+hubot@users.noreply.github.com"))
		if err != nil {
			t.Fatal(err)
		}
		e := newEnv(t, st, nil)
		e.sync(t)
		check(t, "people of the GitHub accounts", rows(t, st, `SELECT login, person_id FROM accounts WHERE source = 'github' AND login IN ('octocat', 'hubot') ORDER BY login`),
			[][]string{{"hubot", itoa(hubot.PersonID)}, {"octocat", itoa(octo.PersonID)}})
		check(t, "octocat's pull requests and commits", rows(t, st, `SELECT (SELECT COUNT(*) FROM pull_requests WHERE person_id = $1),
			(SELECT COUNT(*) FROM commits WHERE person_id = $1)`, octo.PersonID), [][]string{{"1", "1"}})
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// A script that fails (a commit GitHub cannot serve, past every retry)
// loses nothing: the next sync collects what it missed.
func TestFailedSyncIsResumed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, nil)
		e.gh.edit(func(f *fakeGitHub) { f.failN["/repos/octo-org/hello-world/commits/"+sha1] = 6 })
		sum, err := e.eng.Collect(context.Background(), collect.Options{Via: "cli"})
		if err != nil {
			t.Fatal(err)
		}
		failed := ""
		for _, o := range sum.Outcomes {
			if o.Status != store.RunCompleted {
				failed += o.Script + ": " + o.Error + "\n"
			}
		}
		if !strings.HasPrefix(failed, "commit: ") || strings.Count(failed, "\n") != 1 || !strings.Contains(failed, "500") {
			t.Fatalf("want the commit script alone to fail, got:\n%s", failed)
		}
		e.clock.Add(time.Hour)
		e.sync(t)
		check(t, "commits", rows(t, st, `SELECT sha FROM commits ORDER BY authored_at`), [][]string{{sha1}, {sha2}, {sha3}})
	})
}

// A run seen running that finished just before the next window began
// still gets its jobs, and a finished status.
func TestRunFinishedBetweenSyncsGetsItsJobs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, nil)
		e.sync(t)
		e.clock.Add(time.Hour)
		e.gh.edit(func(f *fakeGitHub) {
			api := f.repo("octo-org/api")
			for _, r := range api.Runs {
				if r["id"].(float64) == 30433701 {
					r["status"], r["conclusion"], r["updated_at"] = "completed", "success", "2026-06-01T11:50:00Z"
				}
			}
			j := clone(t, api.Jobs["30433700"][0])
			j["id"], j["run_id"], j["name"] = 399444700, 30433701, "test"
			j["started_at"], j["completed_at"] = "2026-05-31T11:00:10Z", "2026-06-01T11:49:50Z"
			api.Jobs["30433701"] = []any{j}
		})
		got := e.sync(t)
		if got["workflow-job"] != 1 {
			t.Errorf("workflow-job made %d requests, want 1", got["workflow-job"])
		}
		check(t, "the run and its jobs", rows(t, st, `SELECT r.status, r.finished_at, (SELECT COUNT(*) FROM pipeline_jobs j WHERE j.run_id = r.id)
			FROM pipeline_runs r WHERE r.external_id = '30433701'`), [][]string{{"success", ts("2026-06-01T11:50:00Z"), "3"}})
	})
}
