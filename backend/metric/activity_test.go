package metric

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/momentum-app/momentum/backend/store"
	"github.com/momentum-app/momentum/backend/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

func at(s string) int64 {
	t, err := time.Parse("2006-01-02 15:04:05", s)
	if err != nil {
		panic(err)
	}
	return t.Unix()
}

func day(s string) time.Time {
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		panic(err)
	}
	return t
}

// seedActivity loads a small world whose figures are computed by hand in
// the tests below. Range under test: 2026-03-01 (a Sunday) to 2026-03-07.
func seedActivity(t *testing.T, st *store.Store) {
	t.Helper()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := st.DB().Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`INSERT INTO repositories (id, source, external_id, full_name, name) VALUES (1, 'test', '1', 'acme/api', 'api'), (2, 'test', '2', 'acme/web', 'web')`)
	exec(`INSERT INTO people (id, display_name, email, created_at) VALUES (1, 'Ada', 'ada@acme.dev', 0), (2, 'Bob', 'bob@acme.dev', 0)`)
	exec(`INSERT INTO accounts (id, person_id, source, external_id, login, email) VALUES (1, 1, 'test', 'ada', 'ada', 'ada@acme.dev'), (2, 2, 'test', 'bob', 'bobby', 'bob@acme.dev')`)
	exec(`INSERT INTO teams (id, name, created_at) VALUES (1, 'Core', 0), (2, 'Web', 0), (3, 'Empty', 0)`)
	exec(`INSERT INTO team_members (team_id, person_id) VALUES (1, 1)`)
	exec(`INSERT INTO team_repositories (team_id, repo_id) VALUES (2, 2)`)
	commits := []struct {
		repo, person int64
		when         string
	}{
		{1, 1, "2026-03-01 10:00:00"},
		{1, 1, "2026-03-01 23:59:59"},
		{2, 2, "2026-03-03 00:00:00"},
		{2, 2, "2026-03-07 23:59:59"}, // last second of the range
		{1, 1, "2026-03-08 00:00:00"}, // after the range
		{1, 2, "2026-02-28 23:59:59"}, // the previous period
	}
	for i, c := range commits {
		exec(`INSERT INTO commits (repo_id, sha, person_id, author_account_id, authored_at, committed_at) VALUES ($1, $2, $3, $3, $4, $4)`,
			c.repo, string(rune('a'+i)), c.person, at(c.when))
	}
	prs := []struct {
		repo, person     int64
		state            string
		created, done    string
		additions, delet int64
	}{
		{1, 1, "merged", "2026-03-01 09:00:00", "2026-03-01 11:00:00", 3, 2},     // 2 h, XS
		{1, 2, "merged", "2026-03-02 00:00:00", "2026-03-04 00:00:00", 50, 10},   // 48 h, M
		{2, 2, "closed", "2026-03-03 12:00:00", "2026-03-05 00:00:00", 900, 100}, // closed unmerged, XL
		{2, 1, "merged", "2026-02-27 00:00:00", "2026-03-02 00:00:00", 200, 49},  // opened before, merged in range: 72 h
		{1, 1, "open", "2026-03-06 08:00:00", "", 10, 0},                         // S
	}
	for i, p := range prs {
		var merged, closed any
		if p.state == "merged" {
			merged, closed = at(p.done), at(p.done)
		}
		if p.state == "closed" {
			closed = at(p.done)
		}
		exec(`INSERT INTO pull_requests (repo_id, source, external_id, number, state, person_id, author_account_id, created_at, updated_at, merged_at, closed_at, additions, deletions)
			VALUES ($1, 'test', $2, $3, $4, $5, $5, $6, $6, $7, $8, $9, $10)`,
			p.repo, fmt.Sprint(i), i+1, p.state, p.person, at(p.created), merged, closed, p.additions, p.delet)
	}
}

func compute(t *testing.T, st *store.Store, q Query) *Result {
	t.Helper()
	if q.From.IsZero() {
		q.From, q.To = day("2026-03-01"), day("2026-03-07")
	}
	if q.Group == "" {
		q.Group = Day
	}
	res, err := NewEngine(st.DB(), st.Engine().Postgres()).Compute(context.Background(), "commit-pr-activity", q)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

var approx = cmpopts.EquateApprox(0, 1e-9)

func TestCommitPRActivity(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		seedActivity(t, st)
		res := compute(t, st, Query{})
		wantSummary := map[string]float64{
			"commits": 4, "prs_opened": 4, "prs_merged": 3, "prs_closed_unmerged": 1,
			"merge_rate":                 0.75,
			"time_to_merge_mean_hours":   (2.0 + 48 + 72) / 3,
			"time_to_merge_median_hours": 48,
			"time_to_merge_p75_hours":    60,   // 48 + 0.5 × (72 − 48)
			"time_to_merge_p95_hours":    69.6, // 48 + 0.9 × (72 − 48)
		}
		if d := cmp.Diff(wantSummary, res.Summary, approx); d != "" {
			t.Errorf("summary (-want +got):\n%s", d)
		}
		wantSeries := []Point{
			{"bucket": "2026-03-01", "commits": 2.0, "prs_opened": 1.0, "prs_merged": 1.0},
			{"bucket": "2026-03-02", "commits": 0.0, "prs_opened": 1.0, "prs_merged": 1.0},
			{"bucket": "2026-03-03", "commits": 1.0, "prs_opened": 1.0, "prs_merged": 0.0},
			{"bucket": "2026-03-04", "commits": 0.0, "prs_opened": 0.0, "prs_merged": 1.0},
			{"bucket": "2026-03-05", "commits": 0.0, "prs_opened": 0.0, "prs_merged": 0.0},
			{"bucket": "2026-03-06", "commits": 0.0, "prs_opened": 1.0, "prs_merged": 0.0},
			{"bucket": "2026-03-07", "commits": 1.0, "prs_opened": 0.0, "prs_merged": 0.0},
		}
		if d := cmp.Diff(wantSeries, res.Series); d != "" {
			t.Errorf("series (-want +got):\n%s", d)
		}
		wantSizes := []Bucket{{"XS", 1}, {"S", 1}, {"M", 1}, {"L", 0}, {"XL", 1}}
		if d := cmp.Diff(wantSizes, res.Tables["pr_size"]); d != "" {
			t.Errorf("pr_size (-want +got):\n%s", d)
		}
		wantMerge := []Bucket{{"<1h", 0}, {"1-4h", 1}, {"4-24h", 0}, {"1-3d", 1}, {"3-7d", 1}, {">7d", 0}}
		if d := cmp.Diff(wantMerge, res.Tables["time_to_merge"]); d != "" {
			t.Errorf("time_to_merge (-want +got):\n%s", d)
		}
	})
}

func TestCommitPRActivityGroupsAndFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		seedActivity(t, st)
		week := compute(t, st, Query{Group: Week})
		wantWeek := []Point{ // 2026-03-01 is a Sunday: its ISO week starts 02-23
			{"bucket": "2026-02-23", "commits": 2.0, "prs_opened": 1.0, "prs_merged": 1.0},
			{"bucket": "2026-03-02", "commits": 2.0, "prs_opened": 3.0, "prs_merged": 2.0},
		}
		if d := cmp.Diff(wantWeek, week.Series); d != "" {
			t.Errorf("weekly series (-want +got):\n%s", d)
		}
		month := compute(t, st, Query{Group: Month, From: day("2026-02-20"), To: day("2026-03-07")})
		if got := []any{month.Series[0]["bucket"], month.Series[0]["commits"], month.Series[1]["commits"]}; !cmp.Equal(got, []any{"2026-02-01", 1.0, 4.0}) {
			t.Errorf("monthly: got %v", got)
		}

		cases := []struct {
			name   string
			filter Filter
			want   map[string]float64
		}{
			{"repo", Filter{Repos: []string{"acme/web"}}, map[string]float64{"commits": 2, "prs_opened": 1, "prs_merged": 1, "merge_rate": 0.5}},
			{"person by email", Filter{People: []string{"BOB@acme.dev"}}, map[string]float64{"commits": 2, "prs_opened": 2, "prs_merged": 1, "merge_rate": 0.5}},
			{"person by login", Filter{People: []string{"bobby"}}, map[string]float64{"commits": 2, "prs_opened": 2, "prs_merged": 1, "merge_rate": 0.5}},
			{"person by id", Filter{People: []string{"1"}}, map[string]float64{"commits": 2, "prs_opened": 2, "prs_merged": 2, "merge_rate": 1}},
			{"team of members", Filter{Teams: []string{"Core"}}, map[string]float64{"commits": 2, "prs_opened": 2, "prs_merged": 2, "merge_rate": 1}},
			{"team of repositories", Filter{Teams: []string{"2"}}, map[string]float64{"commits": 2, "prs_opened": 1, "prs_merged": 1, "merge_rate": 0.5}},
			{"empty team", Filter{Teams: []string{"Empty"}}, map[string]float64{"commits": 0, "prs_opened": 0, "prs_merged": 0, "merge_rate": 0}},
			{"repo and person", Filter{Repos: []string{"acme/api"}, People: []string{"bob@acme.dev"}}, map[string]float64{"commits": 0, "prs_opened": 1, "prs_merged": 1, "merge_rate": 1}},
		}
		for _, c := range cases {
			res := compute(t, st, Query{Filter: c.filter})
			for k, want := range c.want {
				if got := res.Summary[k]; math.Abs(got-want) > 1e-9 {
					t.Errorf("%s: %s = %v, want %v", c.name, k, got, want)
				}
			}
		}
	})
}

func TestCommitPRActivityCompare(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		seedActivity(t, st)
		res := compute(t, st, Query{Compare: true})
		if res.Previous["commits"] != 1 || res.Previous["prs_opened"] != 1 || res.Previous["prs_merged"] != 0 {
			t.Errorf("previous = %v, want 1 commit, 1 PR opened, 0 merged", res.Previous)
		}
		if len(res.PreviousSeries) != 7 || res.PreviousSeries[0]["bucket"] != "2026-02-22" || res.PreviousSeries[6]["commits"] != 1.0 {
			t.Errorf("previous series = %v", res.PreviousSeries)
		}
	})
}

func TestCommitPRActivityEmptyRange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		res := compute(t, st, Query{From: day("2025-01-01"), To: day("2025-01-03")})
		if res.Summary["commits"] != 0 || !math.IsNaN(res.Summary["merge_rate"]) || !math.IsNaN(res.Summary["time_to_merge_median_hours"]) || len(res.Series) != 3 {
			t.Errorf("empty range: %v %v", res.Summary, res.Series)
		}
		// Undefined figures travel as null; counts stay numbers.
		b, err := json.Marshal(res)
		if err != nil {
			t.Fatal(err)
		}
		if s := string(b); !strings.Contains(s, `"merge_rate":null`) || !strings.Contains(s, `"time_to_merge_median_hours":null`) || !strings.Contains(s, `"commits":0`) {
			t.Errorf("json: %s", s)
		}
	})
}

func TestUnknownFilterIsBadQuery(t *testing.T) {
	st := storetest.SQLite(t)
	seedActivity(t, st)
	e := NewEngine(st.DB(), false)
	for _, f := range []Filter{{Repos: []string{"acme/nope"}}, {People: []string{"nobody@x"}}, {Teams: []string{"Nope"}}, {People: []string{"99"}}} {
		_, err := e.Compute(context.Background(), "commit-pr-activity", Query{From: day("2026-03-01"), To: day("2026-03-07"), Group: Day, Filter: f})
		if !errors.Is(err, ErrBadQuery) {
			t.Errorf("%+v: err = %v, want ErrBadQuery", f, err)
		}
	}
	if _, err := e.Compute(context.Background(), "nope", Query{}); !errors.Is(err, ErrUnknown) {
		t.Errorf("unknown metric: %v", err)
	}
	if _, err := e.Compute(context.Background(), "infra-costs", Query{}); !errors.Is(err, ErrNotBuilt) {
		t.Errorf("unbuilt metric: %v", err)
	}
}

func TestParseQuery(t *testing.T) {
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	get := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	q, err := ParseQuery(get(map[string]string{"range": "7d", "group": "week", "compare": "true", "repo": "a/b, c/d", "person": "x@y"}), now)
	if err != nil {
		t.Fatal(err)
	}
	if q.From != day("2026-11-17") || q.To != day("2026-11-23") || q.Group != Week || !q.Compare ||
		!cmp.Equal(q.Filter.Repos, []string{"a/b", "c/d"}) || !cmp.Equal(q.Filter.People, []string{"x@y"}) {
		t.Errorf("got %+v", q)
	}
	q, err = ParseQuery(get(map[string]string{}), now)
	if err != nil || q.From != day("2026-10-25") || q.Group != Day {
		t.Errorf("default: %+v %v", q, err)
	}
	for _, bad := range []map[string]string{
		{"range": "30"}, {"range": "0d"}, {"range": "-5d"}, {"from": "2026-01-01"}, {"from": "2026-13-01", "to": "2026-12-01"},
		{"from": "2026-02-01", "to": "2026-01-01"}, {"group": "year"}, {"compare": "maybe"}, {"from": "1900-01-01", "to": "2026-01-01"},
	} {
		if _, err := ParseQuery(get(bad), now); !errors.Is(err, ErrBadQuery) {
			t.Errorf("%v: err = %v, want ErrBadQuery", bad, err)
		}
	}
}

// With weekly buckets the previous period can straddle a different number
// of calendar weeks; its series still lines up with the current one.
func TestCompareAlignsBuckets(t *testing.T) {
	st := storetest.SQLite(t)
	seedActivity(t, st)
	res := compute(t, st, Query{From: day("2026-03-01"), To: day("2026-03-10"), Group: Week, Compare: true})
	// Current: 03-01 (Sun) is in the week of 02-23, then 03-02..03-08, then 03-09..03-10.
	// Previous (02-19..02-28) is laid out the same way, shifted by 10 days.
	var cur, prev []any
	for _, p := range res.Series {
		cur = append(cur, p["bucket"])
	}
	for _, p := range res.PreviousSeries {
		prev = append(prev, p["bucket"])
	}
	if !cmp.Equal(cur, []any{"2026-02-23", "2026-03-02", "2026-03-09"}) || !cmp.Equal(prev, []any{"2026-02-13", "2026-02-20", "2026-02-27"}) {
		t.Errorf("current buckets %v, previous %v", cur, prev)
	}
	// Previous days 02-19 (day 0) → bucket 0; 02-20..02-26 → 1; 02-27..02-28 → 2.
	// The commit of 02-28 and the PR opened 02-27 fall into the last bucket.
	if p := res.PreviousSeries[2]; p["commits"] != 1.0 || p["prs_opened"] != 1.0 {
		t.Errorf("previous last bucket = %v", p)
	}
}
