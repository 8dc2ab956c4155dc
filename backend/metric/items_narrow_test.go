package metric

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/momentum-app/momentum/backend/store"
	"github.com/momentum-app/momentum/backend/store/storetest"
)

// Drill-down on the Individual charts and the narrower clicks (a size bar, a
// language, a pipeline, a job, a stage, a person's local weekday × hour).

func str(v any) string { return fmt.Sprint(v) }

// listed is the given field of every item on the page.
func listed(res *Items, field string) []any {
	var out []any
	for _, it := range res.Items {
		out = append(out, it[field])
	}
	return out
}

func TestItemsMatchThePersonBuckets(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		seedPerson(t, st)
		// By the author's local day: Berlin's Sunday 00:30 is in 03-01, San Francisco's Saturday evening in 03-07.
		checkBuckets(t, st, "person-commits", "commits", Query{}, "commits")
		checkBuckets(t, st, "person-patterns", "commits", Query{}, "commits")
		checkBuckets(t, st, "person-commits", "commits", Query{Filter: Filter{Repos: []string{"acme/web"}}}, "commits")
	})
}

func TestItemsMatchThePersonPRBuckets(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		seedPersonReviews(t, st)
		checkBuckets(t, st, "person-mrs", "prs_opened", Query{}, "prs_opened")
		checkBuckets(t, st, "person-mrs", "prs_merged", Query{}, "prs_merged")
		checkBuckets(t, st, "person-mrs", "prs_closed", Query{}, "prs_closed")
		checkBuckets(t, st, "person-mrs", "prs_opened", Query{Filter: Filter{People: []string{"bob@acme.dev"}}}, "prs_opened")
		checkBuckets(t, st, "person-reviews", "reviews", Query{}, "reviews")
		checkBuckets(t, st, "person-reception", "comments", Query{}, "comments_received")
	})
}

func TestItemsOfAPerson(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		seedPerson(t, st)
		week := func(iq ItemsQuery) ItemsQuery {
			iq.From, iq.To = day("2026-03-01"), day("2026-03-07")
			if iq.Weekday == 0 && iq.Hour == 0 {
				iq.Weekday, iq.Hour = -1, -1
			}
			return iq
		}
		// No person: "me" (Ada); her 10 commits of the week by local day, latest first.
		all := items(t, st, "person-commits", week(ItemsQuery{}))
		if d := cmp.Diff([]any{"c15", "c14", "c13", "c12", "c11", "c10", "c9", "c8", "c7", "c6"}, listed(all, "sha")); d != "" {
			t.Errorf("commits (-want +got):\n%s", d)
		}
		// person-code leaves the merge (10) out, as its lines do.
		code := items(t, st, "person-code", week(ItemsQuery{}))
		if code.Total != 9 || code.Label != "Commits (merges left out)" {
			t.Errorf("person-code: %d %q", code.Total, code.Label)
		}
		// The heatmap's Wednesday 07:00 cell (local): Bangalore's commit 11, shown in its own time.
		cell := items(t, st, "person-patterns", week(ItemsQuery{Weekday: 2, Hour: 7}))
		want := []Item{{"authored_at": "2026-03-04T02:00:00Z", "local": "Wed 4 Mar 07:30 +05:30", "sha": "c11", "subject": "", "repo": "acme/web",
			"additions": int64(1000), "deletions": int64(0), "files": int64(2), "url": cell.Items[0]["url"]}}
		if d := cmp.Diff(want, cell.Items); d != "" {
			t.Errorf("Wednesday 07:00 (-want +got):\n%s", d)
		}
		// Sunday 00:00 local is Berlin's 00:30 (UTC Saturday 23:30); the UTC hour would miss it.
		if sun := items(t, st, "person-commits", week(ItemsQuery{Weekday: 6, Hour: 0})); str(listed(sun, "sha")) != "[c6]" {
			t.Errorf("Sunday 00:00: %v", listed(sun, "sha"))
		}
		// Size bars as the commit size chart counts them (merges out): XS 4, 4, 7 lines (7, 13, 14); S 10, 12 (15, 12).
		if xs := items(t, st, "person-commits", week(ItemsQuery{Size: "XS"})); str(listed(xs, "sha")) != "[c14 c13 c7]" {
			t.Errorf("XS: %v", listed(xs, "sha"))
		}
		if s := items(t, st, "person-commits", week(ItemsQuery{Size: "S"})); str(listed(s, "sha")) != "[c15 c12]" {
			t.Errorf("S: %v", listed(s, "sha"))
		}
		if xl := items(t, st, "person-commits", week(ItemsQuery{Size: "XL"})); str(listed(xl, "sha")) != "[c11]" {
			t.Errorf("XL: %v", listed(xl, "sha"))
		}
		// A language slice: the commits that changed a Go file (the merge too, on person-commits).
		if goCommits := items(t, st, "person-code", week(ItemsQuery{Language: "Go"})); str(listed(goCommits, "sha")) != "[c15 c14 c9 c7 c6]" {
			t.Errorf("Go: %v", listed(goCommits, "sha"))
		}
		// Another person by login.
		bob := items(t, st, "person-commits", ItemsQuery{Query: Query{From: day("2026-03-01"), To: day("2026-03-07"), Filter: Filter{People: []string{"bobby"}}}})
		if str(listed(bob, "sha")) != "[c20]" {
			t.Errorf("bob: %v", listed(bob, "sha"))
		}
	})
}

func TestItemsOfAPersonAsAuthorAndReviewer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		seedPersonReviews(t, st)
		// Reviews Ada gave in the range on others' PRs (not 7: before; not 9: her own PR).
		rv := items(t, st, "person-reviews", ItemsQuery{})
		if str(listed(rv, "state")) != "[approved commented approved approved approved changes_requested]" || rv.Items[0]["number"] != int64(11) {
			t.Errorf("reviews: %v %v", listed(rv, "state"), listed(rv, "number"))
		}
		// Threads others started on her PRs: k5, k3, k2, k1 (not the bot's k4, not the reply k6, not k8 before the range).
		cm := items(t, st, "person-reception", ItemsQuery{})
		if str(listed(cm, "resolved_at")) != "[<nil> 2026-03-02T11:00:00Z <nil> 2026-03-02T09:00:00Z]" || str(listed(cm, "reviewer")) != "[Bob Bob Bob Bob]" {
			t.Errorf("comments received: %v by %v", listed(cm, "resolved_at"), listed(cm, "reviewer"))
		}
		// Closed unmerged: PR 2; sizes narrow PRs too.
		if closed := items(t, st, "person-mrs", ItemsQuery{Kind: "prs_closed"}); str(listed(closed, "lines_changed")) != "[1100]" {
			t.Errorf("closed: %v", listed(closed, "lines_changed"))
		}
		if xs := items(t, st, "person-mrs", ItemsQuery{Kind: "prs_opened", Size: "XS"}); str(listed(xs, "lines_changed")) != "[5]" {
			t.Errorf("opened XS: %v", listed(xs, "lines_changed"))
		}
	})
}

func TestItemsOfAPipelineJobOrStage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		seedRuns(t, st)
		seedJobs(t, st)
		// A box of the duration box plot: the deploy pipeline's one successful run.
		if dep := items(t, st, "pipeline-duration", ItemsQuery{Pipeline: "deploy"}); str(listed(dep, "number")) != "[9]" {
			t.Errorf("deploy: %v", listed(dep, "number"))
		}
		if ci := items(t, st, "pipeline-success", ItemsQuery{Pipeline: "ci"}); ci.Total != 7 {
			t.Errorf("ci: %d completed runs", ci.Total)
		}
		// A problematic job: the runs in which lint failed (4 and 5); a stage:
		// test failed in 2 (its step "Run tests" is not a job); lint has no stage in 5, so 5 is named by its job.
		if lint := items(t, st, "pipeline-failures", ItemsQuery{Job: "lint"}); str(listed(lint, "number")) != "[5 4]" {
			t.Errorf("job lint: %v", listed(lint, "number"))
		}
		if test := items(t, st, "pipeline-failures", ItemsQuery{Stage: "test"}); str(listed(test, "number")) != "[2]" {
			t.Errorf("stage test: %v", listed(test, "number"))
		}
		if tests := items(t, st, "pipeline-failures", ItemsQuery{Job: "Run tests"}); tests.Total != 0 {
			t.Errorf("a step is not a job: %v", listed(tests, "number"))
		}
		if lint := items(t, st, "pipeline-failures", ItemsQuery{Stage: "lint"}); str(listed(lint, "number")) != "[5 4]" {
			t.Errorf("stage lint: %v", listed(lint, "number"))
		}
		// A bar of the top failure reasons.
		if lint := items(t, st, "pipeline-failures", ItemsQuery{Reason: "lint"}); str(listed(lint, "number")) != "[5 4]" {
			t.Errorf("reason lint: %v", listed(lint, "number"))
		}
		if health := items(t, st, "pipeline-success", ItemsQuery{Kind: "failures", Reason: "health check failed"}); str(listed(health, "number")) != "[14]" {
			t.Errorf("reason health check: %v", listed(health, "number"))
		}
	})
}

func TestItemsNarrowingBadRequests(t *testing.T) {
	st := storetest.SQLite(t)
	e := NewEngine(st.DB(), st.Engine().Postgres())
	for _, c := range []struct {
		id   string
		iq   ItemsQuery
		want string
	}{
		{"review-quality", ItemsQuery{Hour: 3, Weekday: -1}, "weekday and hour narrow pipeline runs (UTC) or a person's commits (local time); review-quality lists neither"},
		{"commit-pr-activity", ItemsQuery{Hour: 3, Weekday: -1}, "lists neither"},
		{"person-mrs", ItemsQuery{Hour: 3, Weekday: -1}, "lists neither"},
		{"cycle-time", ItemsQuery{Pipeline: "ci", Hour: -1, Weekday: -1}, "pipeline, job, stage and reason narrow pipeline runs; cycle-time lists none"},
		{"person-commits", ItemsQuery{Size: "XXL", Hour: -1, Weekday: -1}, `size="XXL": use XS, S, M, L or XL`},
		{"pipeline-success", ItemsQuery{Size: "S", Hour: -1, Weekday: -1}, "size narrows commits and pull requests"},
		{"person-reviews", ItemsQuery{Language: "Go", Hour: -1, Weekday: -1}, "language narrows commits"},
		{"deployments", ItemsQuery{Bar: "<1h", Hour: -1, Weekday: -1}, "bar narrows the items of a histogram"},
		{"cycle-time", ItemsQuery{Bar: "1-2d", Hour: -1, Weekday: -1}, `bar="1-2d": cycle-time prs_merged has the bars <1h, 1-4h, 4-24h, 1-3d, 3-7d, 1-2w, 2-4w, >4w`},
	} {
		_, err := e.Items(context.Background(), c.id, c.iq)
		if !errors.Is(err, ErrBadQuery) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %+v: %v, want a bad query saying %q", c.id, c.iq, err, c.want)
		}
	}
}

// checkBars drills into every bar of the histogram table of metric id and
// checks that the items listed are as many as the bar counts.
func checkBars(t *testing.T, st *store.Store, id, kind, table string, q Query) {
	t.Helper()
	res := run(t, st, id, q)
	var counted float64
	for _, b := range res.Tables[table].([]Bucket) {
		got := items(t, st, id, ItemsQuery{Query: Query{From: q.From, To: q.To, Filter: q.Filter, Now: q.Now}, Kind: kind, Bar: b.Bucket})
		if float64(got.Total) != b.Count {
			t.Errorf("%s %s bar %s: %d items, the chart counts %v", id, table, b.Bucket, got.Total, b.Count)
		}
		counted += b.Count
	}
	if counted == 0 {
		t.Errorf("%s %s: the fixture has nothing in the bars", id, table)
	}
}

func TestItemsMatchTheHistogramBars(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		seedActivity(t, st)
		checkBars(t, st, "commit-pr-activity", "prs_merged", "time_to_merge", Query{})
	})
}

func TestItemsMatchTheCycleTimeBars(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		seedReviews(t, st)
		checkBars(t, st, "cycle-time", "prs_merged", "cycle_time", Query{})
	})
}

func TestItemsMatchTheAgeBars(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		seedWIP(t, st)
		checkBars(t, st, "wip", "open_prs", "age", Query{Now: wipNow})
	})
}
