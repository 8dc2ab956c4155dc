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

// The Organization metrics and the summary figures each must carry
// (PRODUCT.md names them; the UI reads the rest).
var organizationMetrics = map[string][]string{
	"deployments":       {"deployments", "deployments_per_week", "deployment_frequency_tier", "release_cycle_time_median_hours", "merge_to_production_median_hours", "lead_time_tier"},
	"cycle-time":        {"prs", "coding_median_hours", "pickup_median_hours", "review_median_hours", "deploy_median_hours", "cycle_time_median_hours", "bottleneck_share"},
	"wip":               {"open_prs", "waiting_for_review", "in_review", "active_branches", "open_prs_per_active_author", "age_median_hours"},
	"pipeline-success":  {"runs", "successes", "failures", "success_rate", "success_rate_7d", "success_rate_30d", "success_rate_90d", "stability_score"},
	"pipeline-duration": {"runs", "duration_mean_minutes", "duration_median_minutes", "duration_p95_minutes", "duration_p99_minutes"},
	"pipeline-failures": {"runs", "failures", "failure_rate", "mttr_median_hours", "recoveries"},
	"review-quality":    {"prs", "comments_per_pr_mean", "review_depth", "no_review_rate", "no_comment_rate", "approval_rate", "resolution_median_hours"},
}

// A figure of each that has nothing to measure in an empty range.
var undefinedWhenEmpty = map[string]string{
	"deployments": "release_cycle_time_median_hours", "cycle-time": "cycle_time_median_hours", "wip": "age_median_hours",
	"pipeline-success": "success_rate", "pipeline-duration": "duration_median_minutes", "pipeline-failures": "failure_rate", "review-quality": "no_review_rate",
}

type metricAnswer struct {
	Metric         string              `json:"metric"`
	Summary        map[string]*float64 `json:"summary"`
	Previous       map[string]*float64 `json:"previous"`
	Series         []map[string]any    `json:"series"`
	PreviousSeries []map[string]any    `json:"previous_series"`
	Tables         map[string]any      `json:"tables"`
}

func TestOrganizationMetricEndpoints(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		if _, err := demo.Generate(context.Background(), st, demo.Options{Scale: demo.Small, Seed: 1, Now: time.Now()}); err != nil {
			t.Fatal(err)
		}
		srv := newServer(t, st)
		var repos struct {
			Repos []store.Repository `json:"repos"`
		}
		var teams struct {
			Teams []store.Team `json:"teams"`
		}
		var people struct {
			People []store.Person `json:"people"`
		}
		get(t, srv.URL+"/api/v1/repos", &repos)
		get(t, srv.URL+"/api/v1/teams", &teams)
		get(t, srv.URL+"/api/v1/people", &people)
		if len(repos.Repos) < 2 || len(teams.Teams) == 0 || len(people.People) == 0 {
			t.Fatalf("demo: %d repos, %d teams, %d people", len(repos.Repos), len(teams.Teams), len(people.People))
		}
		for id, keys := range organizationMetrics {
			var all metricAnswer
			if code := get(t, srv.URL+"/api/v1/metrics/"+id+"?range=90d&compare=true&group=week", &all); code != 200 {
				t.Errorf("%s: status %d", id, code)
				continue
			}
			for _, k := range keys {
				if _, ok := all.Summary[k]; !ok {
					t.Errorf("%s: summary has no %s", id, k)
				}
				if _, ok := all.Previous[k]; !ok {
					t.Errorf("%s: previous has no %s", id, k)
				}
			}
			if all.Metric != id || len(all.Series) < 13 || len(all.Series) != len(all.PreviousSeries) || len(all.Tables) == 0 {
				t.Errorf("%s: metric %q, %d buckets, %d previous, %d tables", id, all.Metric, len(all.Series), len(all.PreviousSeries), len(all.Tables))
			}
			// Demo data has something to show in every metric.
			if first := all.Summary[keys[0]]; first == nil || *first <= 0 {
				t.Errorf("%s: %s = %v on demo data", id, keys[0], first)
			}

			// Several filters at once narrow the counts; bots=true widens people-based ones.
			q := url.Values{"range": {"90d"}, "repo": {repos.Repos[0].FullName + "," + repos.Repos[1].FullName}, "team": {teams.Teams[0].Name}}
			var filtered metricAnswer
			if code := get(t, srv.URL+"/api/v1/metrics/"+id+"?"+q.Encode(), &filtered); code != 200 {
				t.Errorf("%s filtered: status %d", id, code)
			} else if f, a := filtered.Summary[keys[0]], all.Summary[keys[0]]; f == nil || *f > *a {
				t.Errorf("%s: filtered %s = %v, more than all (%v)", id, keys[0], f, *a)
			}
			var bots metricAnswer
			if code := get(t, srv.URL+"/api/v1/metrics/"+id+"?range=90d&bots=true", &bots); code != 200 {
				t.Errorf("%s bots: status %d", id, code)
			} else if b, a := bots.Summary[keys[0]], all.Summary[keys[0]]; b == nil || *b < *a {
				t.Errorf("%s: with bots %s = %v, fewer than without (%v)", id, keys[0], b, *a)
			}

			// A range with no data: counts are 0, what has nothing to measure is null.
			var empty metricAnswer
			if code := get(t, srv.URL+"/api/v1/metrics/"+id+"?from=2001-01-01&to=2001-01-07", &empty); code != 200 {
				t.Errorf("%s empty: status %d", id, code)
				continue
			}
			if v := empty.Summary[keys[0]]; v == nil || *v != 0 {
				t.Errorf("%s empty: %s = %v, want 0", id, keys[0], v)
			}
			if v, ok := empty.Summary[undefinedWhenEmpty[id]]; !ok || v != nil {
				t.Errorf("%s empty: %s = %v, want null", id, undefinedWhenEmpty[id], v)
			}
		}
	})
}

func TestOrganizationBadRequests(t *testing.T) {
	st := storetest.SQLite(t)
	srv := newServer(t, st)
	for id := range organizationMetrics {
		for _, c := range []struct{ query, want string }{
			{"range=abc", "range"},
			{"range=0d", "range"},
			{"from=2026-02-01&to=2026-01-01", "before"},
			{"to=2026-01-01", "together"},
			{"from=2026-02-30&to=2026-03-01", "not a date"},
			{"group=quarter", "group"},
			{"compare=sometimes", "compare"},
			{"bots=maybe", "bots"},
			{"repo=acme/nope", "unknown repository"},
			{"person=nobody@nowhere", "unknown person"},
			{"team=Nope", "unknown team"},
		} {
			var e map[string]string
			code := get(t, srv.URL+"/api/v1/metrics/"+id+"?"+c.query, &e)
			if code != 400 || !strings.Contains(e["error"], c.want) {
				t.Errorf("%s?%s: %d %q, want 400 mentioning %q", id, c.query, code, e["error"], c.want)
			}
		}
	}
}
