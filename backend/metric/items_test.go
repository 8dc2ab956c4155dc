package metric

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/momentum-app/momentum/backend/store"
	"github.com/momentum-app/momentum/backend/store/storetest"
)

func items(t *testing.T, st *store.Store, id string, iq ItemsQuery) *Items {
	t.Helper()
	if iq.From.IsZero() {
		iq.From, iq.To = day("2026-03-01"), day("2026-03-07")
	}
	// Weekday and hour both 0 (the Monday 00:00 cell, unused here) mean any.
	if iq.Weekday == 0 && iq.Hour == 0 {
		iq.Weekday, iq.Hour = -1, -1
	}
	res, err := NewEngine(st.DB(), st.Engine().Postgres()).Items(context.Background(), id, iq)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// checkBuckets drills into every day of the test range and checks that the
// items listed are as many as the chart's bucket counts (the sum of fields).
func checkBuckets(t *testing.T, st *store.Store, id, kind string, q Query, fields ...string) {
	t.Helper()
	res := run(t, st, id, q)
	var listed, counted float64
	for _, pt := range res.Series {
		var want float64
		for _, f := range fields {
			want += pt[f].(float64)
		}
		d := day(pt["bucket"].(string))
		got := items(t, st, id, ItemsQuery{Query: Query{From: d, To: d, Filter: q.Filter, Now: q.Now}, Kind: kind})
		if float64(got.Total) != want || len(got.Items) != min(got.Total, DefaultItemsLimit) {
			t.Errorf("%s %s on %s: %d items (%d on the page), the chart counts %v", id, kind, pt["bucket"], got.Total, len(got.Items), want)
		}
		listed += float64(got.Total)
		counted += want
	}
	if counted == 0 {
		t.Errorf("%s %s: the fixture has nothing to drill into", id, kind)
	}
}

func TestItemsMatchTheActivityBuckets(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		seedActivity(t, st)
		checkBuckets(t, st, "commit-pr-activity", "commits", Query{}, "commits")
		checkBuckets(t, st, "commit-pr-activity", "prs_opened", Query{}, "prs_opened")
		checkBuckets(t, st, "commit-pr-activity", "prs_merged", Query{}, "prs_merged")
		checkBuckets(t, st, "commit-pr-activity", "commits", Query{Filter: Filter{Teams: []string{"Web"}}}, "commits")
	})
}

func TestItemsMatchTheDeliveryBuckets(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		seedReviews(t, st)
		checkBuckets(t, st, "deployments", "deployments", Query{}, "deployments", "failed_deployments")
		checkBuckets(t, st, "deployments", "", Query{Filter: Filter{People: []string{"bob@acme.dev"}}}, "deployments", "failed_deployments")
		checkBuckets(t, st, "cycle-time", "prs_merged", Query{}, "prs")
		checkBuckets(t, st, "cycle-time", "", Query{Filter: Filter{WithBots: true}}, "prs")
		checkBuckets(t, st, "review-quality", "prs_merged", Query{}, "prs")
	})
}

func TestItemsMatchThePipelineBuckets(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		seedRuns(t, st)
		checkBuckets(t, st, "pipeline-success", "runs", Query{}, "runs")
		checkBuckets(t, st, "pipeline-success", "failures", Query{}, "failures")
		checkBuckets(t, st, "pipeline-failures", "failures", Query{}, "failures")
		checkBuckets(t, st, "pipeline-failures", "runs", Query{Filter: Filter{Repos: []string{"acme/web"}}}, "runs")
		checkBuckets(t, st, "pipeline-duration", "runs", Query{}, "runs")
	})
}

func TestItemsMatchTheWIPBuckets(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		seedWIP(t, st)
		checkBuckets(t, st, "wip", "open_prs", Query{Now: wipNow}, "open_prs")
		checkBuckets(t, st, "wip", "open_prs", Query{Now: wipNow, Filter: Filter{WithBots: true}}, "open_prs")
	})
}

func TestItemsFigures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		seedReviews(t, st)
		// Cycle time on 03-02..03: PRs 2, 3 and 1, latest merge first, with
		// the stages TestCycleTime computes by hand (3: merged without review).
		ct := items(t, st, "cycle-time", ItemsQuery{Query: Query{From: day("2026-03-02"), To: day("2026-03-03")}})
		want := []Item{
			{"merged_at": "2026-03-03T13:00:00Z", "number": int64(2), "title": nil, "repo": "acme/api", "person": "Bob",
				"coding_hours": 0.0, "pickup_hours": 1.0, "review_hours": 24.0, "deploy_hours": 11.0, "cycle_time_hours": 28.0, "url": "https://example.test/pr/2"},
			{"merged_at": "2026-03-03T12:00:00Z", "number": int64(3), "title": nil, "repo": "acme/web", "person": "Bob",
				"coding_hours": 1.0, "pickup_hours": nil, "review_hours": nil, "deploy_hours": 24.0, "cycle_time_hours": 2.0, "url": "https://example.test/pr/3"},
			{"merged_at": "2026-03-02T10:00:00Z", "number": int64(1), "title": nil, "repo": "acme/api", "person": "Ada",
				"coding_hours": 2.0, "pickup_hours": 4.0, "review_hours": 20.0, "deploy_hours": 38.0, "cycle_time_hours": 26.0, "url": "https://example.test/pr/1"},
		}
		for _, w := range want {
			w["title"] = ""
		}
		if d := cmp.Diff(want, ct.Items, approx); d != "" {
			t.Errorf("cycle-time items (-want +got):\n%s", d)
		}
		if ct.Total != 3 || ct.Kind != "prs_merged" || ct.From != "2026-03-02" || ct.To != "2026-03-03" {
			t.Errorf("page = %+v", ct)
		}
		// Merged without review (3, 4) has no pickup or review stage; 8 was never deployed.
		all := items(t, st, "cycle-time", ItemsQuery{})
		byNumber := map[int64]Item{}
		for _, it := range all.Items {
			byNumber[it["number"].(int64)] = it
		}
		if it := byNumber[3]; it["pickup_hours"] != nil || it["review_hours"] != nil || it["cycle_time_hours"] != 2.0 || it["deploy_hours"] != 24.0 {
			t.Errorf("PR 3 (merged without review) = %v", it)
		}
		if it := byNumber[4]; it["pickup_hours"] != nil || it["deploy_hours"] != 30.0 {
			t.Errorf("PR 4 (reviewed after merge; a deployment linked before its merge) = %v", it)
		}
		if it := byNumber[8]; it["deploy_hours"] != nil {
			t.Errorf("PR 8 (merge commit unknown, never deployed) = %v", it)
		}
		if _, ok := byNumber[5]; ok {
			t.Errorf("the bot's PR 5 is listed without bots=true")
		}

		// Deployments: the failed one counts (failed_deployments), the staging one does not.
		dep := items(t, st, "deployments", ItemsQuery{Query: Query{From: day("2026-03-04"), To: day("2026-03-04")}})
		var got []string
		for _, it := range dep.Items {
			got = append(got, it["finished_at"].(string)+" "+it["status"].(string))
		}
		if d := cmp.Diff([]string{"2026-03-04T17:00:00Z success", "2026-03-04T12:00:00Z success", "2026-03-04T10:00:00Z failure", "2026-03-04T00:00:00Z success"}, got); d != "" {
			t.Errorf("deployments on 03-04 (-want +got):\n%s", d)
		}
		if dep.Items[3]["prs"] != int64(4) || dep.Items[3]["duration_minutes"] != 10.0 {
			t.Errorf("deployment 11 = %v", dep.Items[3])
		}

		// Review quality of PR 1 (the figures TestReviewQuality counts).
		rq := items(t, st, "review-quality", ItemsQuery{Query: Query{From: day("2026-03-02"), To: day("2026-03-02")}})
		if rq.Total != 1 || rq.Items[0]["number"] != int64(1) || rq.Items[0]["reviews"] != int64(1) || rq.Items[0]["approvals"] != int64(1) {
			t.Errorf("review-quality items = %+v", rq.Items)
		}
	})
}

func TestItemsCommitsLinkToTheirSource(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		seedActivity(t, st)
		st.DB().Exec(`UPDATE repositories SET url = 'https://example.test/acme/api' WHERE id = 1`)
		res := items(t, st, "commit-pr-activity", ItemsQuery{Query: Query{From: day("2026-03-01"), To: day("2026-03-01")}, Kind: "commits"})
		want := []Item{
			{"authored_at": "2026-03-01T23:59:59Z", "sha": "b", "subject": "", "repo": "acme/api", "person": "Ada", "additions": int64(0), "deletions": int64(0), "url": "https://example.test/acme/api/commit/b"},
			{"authored_at": "2026-03-01T10:00:00Z", "sha": "a", "subject": "", "repo": "acme/api", "person": "Ada", "additions": int64(0), "deletions": int64(0), "url": "https://example.test/acme/api/commit/a"},
		}
		if d := cmp.Diff(want, res.Items); d != "" {
			t.Errorf("commits (-want +got):\n%s", d)
		}
		// A repository without a URL gives no link rather than a broken one.
		web := items(t, st, "commit-pr-activity", ItemsQuery{Query: Query{From: day("2026-03-03"), To: day("2026-03-03")}, Kind: "commits"})
		if web.Total != 1 || web.Items[0]["url"] != "" {
			t.Errorf("commit of acme/web = %+v", web.Items)
		}
	})
}

func TestItemsPipelineRuns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		seedRuns(t, st)
		// The heatmap cell Sunday 23:00 UTC: run 2 started 03-01 23:50 and
		// failed after midnight; it belongs to the hour it started in.
		cell := items(t, st, "pipeline-success", ItemsQuery{Kind: "failures", Weekday: 6, Hour: 23})
		if cell.Total != 1 || cell.Items[0]["started_at"] != "2026-03-01T23:50:00Z" || cell.Items[0]["duration_minutes"] != 30.0 || cell.Items[0]["failure_reason"] != "test failed" {
			t.Errorf("Sunday 23:00 failures = %+v", cell.Items)
		}
		// Tuesday 03-03 14:00 and 15:00: one failure each; the whole Tuesday: both.
		if n := items(t, st, "pipeline-failures", ItemsQuery{Weekday: 1, Hour: -1}).Total; n != 2 {
			t.Errorf("Tuesday failures = %d, want 2", n)
		}
		if n := items(t, st, "pipeline-failures", ItemsQuery{Weekday: 1, Hour: 15}).Total; n != 1 {
			t.Errorf("Tuesday 15:00 failures = %d, want 1", n)
		}
		// Paging: 9 completed runs (and one cancelled); newest first.
		all := items(t, st, "pipeline-success", ItemsQuery{Kind: "runs"})
		page := items(t, st, "pipeline-success", ItemsQuery{Kind: "runs", Limit: 3, Offset: 2})
		if all.Total != 9 || page.Total != 9 || len(page.Items) != 3 || page.Limit != 3 || page.Offset != 2 {
			t.Fatalf("paging: all %d, page %+v", all.Total, page)
		}
		if d := cmp.Diff(all.Items[2:5], page.Items); d != "" {
			t.Errorf("page 2..5 (-want +got):\n%s", d)
		}
		if n := items(t, st, "pipeline-success", ItemsQuery{Kind: "cancelled"}).Total; n != 1 {
			t.Errorf("cancelled = %d, want 1", n)
		}
		past := items(t, st, "pipeline-success", ItemsQuery{Kind: "runs", Offset: 100})
		if past.Total != 9 || len(past.Items) != 0 {
			t.Errorf("past the end: %+v", past)
		}
	})
}

func TestItemsOpenPRsByStatus(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		seedWIP(t, st)
		res := items(t, st, "wip", ItemsQuery{Query: Query{Now: wipNow}})
		var got []string
		for _, it := range res.Items {
			got = append(got, it["status"].(string))
		}
		// Oldest first: 1 (waiting), 2 (draft), 3 (in review), 4 (approved), as of 03-07 12:00.
		if d := cmp.Diff([]string{"Waiting for review", "Draft", "In review", "Approved"}, got); d != "" {
			t.Errorf("statuses (-want +got):\n%s", d)
		}
		if res.Items[0]["age_hours"] != 828.0 {
			t.Errorf("age of PR 1 = %v, want 828", res.Items[0]["age_hours"])
		}
		inReview := items(t, st, "wip", ItemsQuery{Query: Query{Now: wipNow}, Status: "in_review"})
		if inReview.Total != 1 || inReview.Items[0]["number"] != int64(3) {
			t.Errorf("in review = %+v", inReview.Items)
		}
		// At the end of 03-03, 1, 5 (merged on 03-05) and 3 (reviewed on 03-04) waited for a review.
		d3 := items(t, st, "wip", ItemsQuery{Query: Query{From: day("2026-03-03"), To: day("2026-03-03"), Now: wipNow}, Status: "waiting_for_review"})
		if d3.Total != 3 {
			t.Errorf("waiting on 03-03 = %+v", d3.Items)
		}
	})
}

func TestItemsEmptyRange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		seedReviews(t, st)
		newSeeder(t, st).exec(`UPDATE people SET is_me = TRUE WHERE id = 1`) // whom the individual metrics list
		for id := range itemKinds {
			for _, kind := range ItemKinds(id) {
				res := items(t, st, id, ItemsQuery{Query: Query{From: day("2020-01-01"), To: day("2020-01-31")}, Kind: kind})
				if res.Total != 0 || res.Items == nil || len(res.Items) != 0 {
					t.Errorf("%s %s in an empty range: %+v", id, kind, res)
				}
			}
		}
	})
}

func TestItemsBadQueries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		seedPeople(newSeeder(t, st))
		e := NewEngine(st.DB(), st.Engine().Postgres())
		base := Query{From: day("2026-03-01"), To: day("2026-03-07")}
		for _, c := range []struct {
			id   string
			iq   ItemsQuery
			want string
		}{
			{"commit-pr-activity", ItemsQuery{Query: base, Kind: "lines", Weekday: -1, Hour: -1}, `kind="lines": commit-pr-activity lists commits, prs_opened, prs_merged`},
			{"infra-costs", ItemsQuery{Query: base, Weekday: -1, Hour: -1}, "infra-costs has no items to list"},
			{"person-commits", ItemsQuery{Query: base, Weekday: -1, Hour: -1}, `nobody is marked as "me": choose one with person=ID`},
			{"wip", ItemsQuery{Query: base, Limit: 500, Weekday: -1, Hour: -1}, "limit=500: use 1 to 200"},
			{"wip", ItemsQuery{Query: base, Offset: -1, Weekday: -1, Hour: -1}, "offset=-1"},
			{"pipeline-success", ItemsQuery{Query: base, Weekday: 7, Hour: -1}, "weekday=7"},
			{"pipeline-success", ItemsQuery{Query: base, Weekday: -1, Hour: 24}, "hour=24"},
			{"cycle-time", ItemsQuery{Query: base, Weekday: 1, Hour: -1}, "weekday and hour narrow pipeline runs (UTC) or a person's commits"},
			{"wip", ItemsQuery{Query: base, Status: "stale", Weekday: -1, Hour: -1}, `status="stale"`},
			{"deployments", ItemsQuery{Query: base, Status: "approved", Weekday: -1, Hour: -1}, "status narrows open pull requests"},
			{"deployments", ItemsQuery{Query: Query{From: base.From, To: base.To, Filter: Filter{Repos: []string{"acme/nope"}}}, Weekday: -1, Hour: -1}, `unknown repository "acme/nope"`},
		} {
			_, err := e.Items(context.Background(), c.id, c.iq)
			if !errors.Is(err, ErrBadQuery) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s %+v: err = %v, want a bad query saying %q", c.id, c.iq, err, c.want)
			}
		}
		if _, err := e.Items(context.Background(), "nope", ItemsQuery{Query: base}); !errors.Is(err, ErrUnknown) {
			t.Errorf("unknown metric: err = %v", err)
		}
	})
}

func TestParseItemsQuery(t *testing.T) {
	now := time.Date(2026, 3, 7, 12, 0, 0, 0, time.UTC)
	get := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	iq, err := ParseItemsQuery(get(map[string]string{"from": "2026-03-02", "to": "2026-03-02", "kind": "failures", "weekday": "6", "hour": "23", "limit": "10", "offset": "20", "repo": "acme/api"}), now)
	if err != nil {
		t.Fatal(err)
	}
	if iq.Kind != "failures" || iq.Weekday != 6 || iq.Hour != 23 || iq.Limit != 10 || iq.Offset != 20 || !iq.From.Equal(day("2026-03-02")) || iq.Filter.Repos[0] != "acme/api" {
		t.Errorf("parsed %+v", iq)
	}
	if iq, _ := ParseItemsQuery(get(nil), now); iq.Weekday != -1 || iq.Hour != -1 || iq.Limit != 0 {
		t.Errorf("defaults: %+v", iq)
	}
	for _, bad := range []map[string]string{{"limit": "ten"}, {"hour": "1.5"}, {"offset": "x"}, {"limit": "0"}, {"range": "forever"}} {
		if _, err := ParseItemsQuery(get(bad), now); !errors.Is(err, ErrBadQuery) {
			t.Errorf("%v: err = %v, want a bad query", bad, err)
		}
	}
}
