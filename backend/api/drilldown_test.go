package api

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/momentum-app/momentum/backend/demo"
	"github.com/momentum-app/momentum/backend/store"
	"github.com/momentum-app/momentum/backend/store/storetest"
)

// What a click on each Organization chart opens, and the series fields
// whose bucket it lists.
var drillKinds = map[string]struct {
	kind   string
	fields []string
}{
	"commit-pr-activity": {"commits", []string{"commits"}},
	"deployments":        {"deployments", []string{"deployments", "failed_deployments"}},
	"cycle-time":         {"prs_merged", []string{"prs"}},
	"wip":                {"open_prs", []string{"open_prs"}},
	"pipeline-success":   {"runs", []string{"runs"}},
	"pipeline-duration":  {"runs", []string{"runs"}},
	"pipeline-failures":  {"failures", []string{"failures"}},
	"review-quality":     {"prs_merged", []string{"prs"}},
}

type itemsAnswer struct {
	Metric  string              `json:"metric"`
	Kind    string              `json:"kind"`
	Columns []map[string]string `json:"columns"`
	Items   []map[string]any    `json:"items"`
	Total   int                 `json:"total"`
	Limit   int                 `json:"limit"`
	Offset  int                 `json:"offset"`
}

func TestDrillDownOnDemoData(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		if _, err := demo.Generate(context.Background(), st, demo.Options{Scale: demo.Small, Seed: 1, Now: time.Now()}); err != nil {
			t.Fatal(err)
		}
		srv := newServer(t, st)
		for id, d := range drillKinds {
			var m metricAnswer
			if code := get(t, srv.URL+"/api/v1/metrics/"+id+"?range=30d&group=day", &m); code != 200 {
				t.Fatalf("%s: %d", id, code)
			}
			// The busiest day: its items are as many as the chart counts.
			var busiest string
			var most float64
			for _, pt := range m.Series {
				var n float64
				for _, f := range d.fields {
					n += pt[f].(float64)
				}
				if n > most {
					busiest, most = pt["bucket"].(string), n
				}
			}
			if busiest == "" {
				t.Errorf("%s: nothing to drill into on demo data", id)
				continue
			}
			var page itemsAnswer
			q := url.Values{"from": {busiest}, "to": {busiest}, "kind": {d.kind}, "limit": {"2"}}
			if code := get(t, srv.URL+"/api/v1/metrics/"+id+"/items?"+q.Encode(), &page); code != 200 {
				t.Errorf("%s items: %d", id, code)
				continue
			}
			if float64(page.Total) != most || len(page.Items) != min(2, page.Total) || page.Kind != d.kind || page.Limit != 2 {
				t.Errorf("%s on %s: total %d (%d listed), the chart counts %v", id, busiest, page.Total, len(page.Items), most)
			}
			// Every column is in every item; each item links to its source.
			for _, it := range page.Items {
				for _, c := range page.Columns {
					if _, ok := it[c["key"]]; !ok {
						t.Errorf("%s: item has no %s: %v", id, c["key"], it)
					}
				}
				if u, _ := it["url"].(string); !strings.HasPrefix(u, "https://") {
					t.Errorf("%s: item links to %q", id, u)
				}
			}
		}

		// A repository filter keeps that repository's items only.
		var repos struct {
			Repos []store.Repository `json:"repos"`
		}
		get(t, srv.URL+"/api/v1/repos", &repos)
		repo := repos.Repos[0].FullName
		var runs itemsAnswer
		get(t, srv.URL+"/api/v1/metrics/pipeline-success/items?range=90d&limit=200&repo="+url.QueryEscape(repo), &runs)
		if runs.Total == 0 {
			t.Fatalf("no runs in %s", repo)
		}
		for _, it := range runs.Items {
			if it["repo"] != repo {
				t.Errorf("repo filter %s: item of %v", repo, it["repo"])
			}
		}
	})
}

func TestDrillDownBadRequests(t *testing.T) {
	st := storetest.SQLite(t)
	srv := newServer(t, st)
	for _, c := range []struct {
		path, want string
		code       int
	}{
		{"commit-pr-activity/items?kind=lines", "kind=\"lines\": commit-pr-activity lists commits, prs_opened, prs_merged", 400},
		{"wip/items?limit=1000", "limit=1000: use 1 to 200", 400},
		{"wip/items?limit=0", "limit=0", 400},
		{"wip/items?limit=ten", "limit=\"ten\" is not a whole number", 400},
		{"wip/items?offset=-5", "offset=-5", 400},
		{"pipeline-failures/items?weekday=9", "weekday=9: use 0 (Monday) to 6 (Sunday)", 400},
		{"pipeline-failures/items?hour=24", "hour=24: use 0 to 23", 400},
		{"review-quality/items?hour=3", "weekday and hour narrow pipeline runs", 400},
		{"wip/items?status=stale", "status=\"stale\"", 400},
		{"infra-costs/items", "infra-costs has no items to list", 400},
		{"person-commits/items", `nobody is marked as "me"`, 400},
		{"person-commits/items?size=XXL", `size="XXL"`, 400},
		{"cycle-time/items?pipeline=ci", "pipeline, job, stage and reason narrow pipeline runs", 400},
		{"deployments/items?range=abc", "range", 400},
		{"deployments/items?from=2026-02-01&to=2026-01-01", "before", 400},
		{"deployments/items?repo=acme/nope", "unknown repository", 400},
		{"deployments/items?team=Nope", "unknown team", 400},
		{"nope/items", "unknown metric \"nope\"", 404},
	} {
		var e map[string]string
		code := get(t, srv.URL+"/api/v1/metrics/"+c.path, &e)
		if code != c.code || !strings.Contains(e["error"], c.want) {
			t.Errorf("%s: %d %q, want %d mentioning %q", c.path, code, e["error"], c.code, c.want)
		}
	}
}
