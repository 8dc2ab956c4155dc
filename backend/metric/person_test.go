package metric

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/momentum-app/momentum/backend/store"
	"github.com/momentum-app/momentum/backend/store/storetest"
)

// figures compares whole summaries: every figure, undefined ones (NaN) too.
var figures = []cmp.Option{cmpopts.EquateApprox(0, 1e-9), cmpopts.EquateNaNs()}

var nan = math.NaN()

type commitRow struct {
	id, repo, person     int64
	utc                  string
	offset               int // minutes east of UTC
	additions, deletions int64
	merge                bool
	files                []fileRow
}

type fileRow struct {
	path, language       string
	additions, deletions int64
	binary               bool
}

func (s seeder) commit(c commitRow) {
	s.t.Helper()
	s.exec(`INSERT INTO commits (id, repo_id, sha, person_id, author_account_id, authored_at, author_tz_offset, committed_at, is_merge, additions, deletions, files_changed)
		VALUES ($1, $2, $3, $4, $4, $5, $6, $5, $7, $8, $9, $10)`,
		c.id, c.repo, fmt.Sprintf("c%d", c.id), c.person, at(c.utc), c.offset, c.merge, c.additions, c.deletions, len(c.files))
	for _, f := range c.files {
		s.exec(`INSERT INTO commit_files (commit_id, path, language, additions, deletions, is_binary) VALUES ($1, $2, $3, $4, $5, $6)`,
			c.id, f.path, f.language, f.additions, f.deletions, f.binary)
	}
}

// seedPerson: Ada (person 1, "me") commits from several time zones around
// the range 2026-03-01 (Sunday) .. 03-07 (Saturday), across February's end.
// Local times are noted beside each commit; the figures of person-commits,
// person-code and person-patterns are computed from them by hand.
func seedPerson(t *testing.T, st *store.Store) {
	s := newSeeder(t, st)
	seedPeople(s)
	s.exec(`UPDATE people SET is_me = TRUE WHERE id = 1`)
	for _, c := range []commitRow{
		{id: 1, repo: 1, person: 1, utc: "2025-03-07 12:00:00", additions: 1},                // local 2025-03-07: the day before the calendar
		{id: 2, repo: 1, person: 1, utc: "2025-03-08 12:00:00", additions: 1},                // local 2025-03-08: the calendar's first day
		{id: 3, repo: 1, person: 1, utc: "2026-02-26 12:00:00", additions: 5},                // Thu 02-26 12:00
		{id: 4, repo: 1, person: 1, utc: "2026-02-27 10:00:00", additions: 20, deletions: 5}, // Fri 02-27 10:00
		// UTC 03-01 but New York's Saturday evening: before the range.
		{id: 5, repo: 2, person: 1, utc: "2026-03-01 03:00:00", offset: -300, additions: 8, deletions: 2}, // Sat 02-28 22:00
		// UTC 02-28 but Berlin's Sunday: in the range.
		{id: 6, repo: 1, person: 1, utc: "2026-02-28 23:30:00", offset: 60, additions: 100, deletions: 50,
			files: []fileRow{{"main.go", "Go", 100, 50, false}}}, // Sun 03-01 00:30
		{id: 7, repo: 1, person: 1, utc: "2026-03-02 09:00:00", additions: 3, deletions: 1,
			files: []fileRow{{"api.go", "Go", 3, 1, false}}}, // Mon 09:00
		{id: 8, repo: 2, person: 1, utc: "2026-03-02 10:30:00", additions: 40, deletions: 10,
			files: []fileRow{{"app.ts", "TypeScript", 40, 10, false}}}, // Mon 10:30, 1.5 h later
		{id: 9, repo: 1, person: 1, utc: "2026-03-02 12:30:00", additions: 300, deletions: 200,
			files: []fileRow{{"main.go", "Go", 200, 150, false}, {"README.md", "Markdown", 100, 50, false}}}, // Mon 12:30, exactly 2 h later
		{id: 10, repo: 1, person: 1, utc: "2026-03-02 15:00:00", merge: true,
			files: []fileRow{{"main.go", "Go", 5, 5, false}}}, // Mon 15:00, 2.5 h later: a new session; a merge
		{id: 11, repo: 2, person: 1, utc: "2026-03-04 02:00:00", offset: 330, additions: 1000,
			files: []fileRow{{"logo.png", "", 0, 0, true}, {"data.sql", "SQL", 1000, 0, false}}}, // Wed 07:30 in Bangalore
		{id: 12, repo: 2, person: 1, utc: "2026-03-05 18:00:00", offset: -180, additions: 6, deletions: 6,
			files: []fileRow{{"app.ts", "TypeScript", 6, 6, false}}}, // Thu 15:00 in São Paulo
		{id: 13, repo: 2, person: 1, utc: "2026-03-05 19:45:00", offset: -180, additions: 2, deletions: 2,
			files: []fileRow{{"notes.xyz", "", 2, 2, false}}}, // Thu 16:45
		{id: 14, repo: 1, person: 1, utc: "2026-03-06 08:00:00", additions: 7,
			files: []fileRow{{"main.go", "Go", 7, 0, false}}}, // Fri 08:00
		// UTC 03-08 but San Francisco's Saturday evening: in the range.
		{id: 15, repo: 1, person: 1, utc: "2026-03-08 05:00:00", offset: -480, additions: 9, deletions: 1,
			files: []fileRow{{"api.go", "Go", 9, 1, false}}}, // Sat 03-07 21:00
		{id: 16, repo: 1, person: 1, utc: "2026-03-08 00:30:00", offset: 120, additions: 4, deletions: 4}, // Sun 03-08 02:30: after the range
		{id: 20, repo: 1, person: 2, utc: "2026-03-03 12:00:00", additions: 50, deletions: 50},            // Bob, on Ada's day off
	} {
		s.commit(c)
	}
	// Commits 7 and 9 were pushed to PR 1; commit 10 merged PR 2.
	s.pr(prRow{id: 1, repo: 1, person: 1, state: "open", created: "2026-03-02 09:30:00"})
	s.pr(prRow{id: 2, repo: 1, person: 1, state: "merged", created: "2026-03-01 10:00:00", merged: "2026-03-02 15:00:00", sha: "c10"})
	s.exec(`INSERT INTO pull_request_commits (pr_id, commit_sha) VALUES (1, 'c7'), (1, 'c9')`)
}

func TestPersonCommits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		seedPerson(t, st)
		res := run(t, st, "person-commits", Query{}) // no person: "me"
		// In the range by local day: commits 6-15 (not 5, not 16).
		want := map[string]float64{
			"commits": 10, "merge_commits": 1, "active_days": 6,
			"commits_per_day": 10.0 / 7, "commits_per_week": 10, "commits_per_active_day": 10.0 / 6,
			// Local days with a commit: 02-26 .. 03-02 (5, across the month's end), 03-04 .. 03-07 (4).
			// In UTC days 03-07 would have none (commit 15 is UTC 03-08) and the current streak would be 3.
			"current_streak_days": 4, "longest_streak_days": 5,
			// A year of days: 2025-03-08 .. 2026-03-07.
			"calendar_commits": 14, "calendar_active_days": 10,
			// Sizes of the 9 non-merge commits: 4, 4, 7, 10, 12, 50, 150, 500, 1000.
			"commit_size_mean_lines": 1737.0 / 9, "commit_size_median_lines": 12, "commit_size_p95_lines": 800, // 500 + 0.6 × 500
		}
		if d := cmp.Diff(want, res.Summary, figures...); d != "" {
			t.Errorf("summary (-want +got):\n%s", d)
		}
		if d := cmp.Diff([]any{1.0, 4.0, 0.0, 1.0, 2.0, 1.0, 1.0}, column(res.Series, "commits")); d != "" {
			t.Errorf("commits per day (-want +got):\n%s", d)
		}
		if d := cmp.Diff([]any{1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0}, column(res.Series, "active_days")); d != "" {
			t.Errorf("active days (-want +got):\n%s", d)
		}
		wantSizes := []Bucket{{"XS", 3}, {"S", 2}, {"M", 2}, {"L", 1}, {"XL", 1}}
		if d := cmp.Diff(wantSizes, res.Tables["commit_size"]); d != "" {
			t.Errorf("commit_size (-want +got):\n%s", d)
		}
		cal := res.Tables["calendar"].([]CalendarDay)
		if len(cal) != 365 || cal[0].Day != "2025-03-08" || cal[364].Day != "2026-03-07" {
			t.Fatalf("calendar: %d days, %v .. %v", len(cal), cal[0], cal[len(cal)-1])
		}
		got := map[string]float64{}
		for _, d := range cal {
			if d.Commits > 0 {
				got[d.Day] = d.Commits
			}
		}
		wantCal := map[string]float64{"2025-03-08": 1, "2026-02-26": 1, "2026-02-27": 1, "2026-02-28": 1, "2026-03-01": 1,
			"2026-03-02": 4, "2026-03-04": 1, "2026-03-05": 2, "2026-03-06": 1, "2026-03-07": 1}
		if d := cmp.Diff(wantCal, got); d != "" {
			t.Errorf("calendar (-want +got):\n%s", d)
		}

		// Named by login; weekly buckets (03-01 is a Sunday: its week starts 02-23).
		bob := run(t, st, "person-commits", Query{Group: Week, Filter: Filter{People: []string{"bobby"}}})
		if bob.Summary["commits"] != 1 || bob.Summary["current_streak_days"] != 0 || bob.Summary["longest_streak_days"] != 1 {
			t.Errorf("bob: %v", bob.Summary)
		}
		if d := cmp.Diff([]any{0.0, 1.0}, column(bob.Series, "commits")); d != "" {
			t.Errorf("bob weekly (-want +got):\n%s", d)
		}
		web := run(t, st, "person-commits", Query{Filter: Filter{Repos: []string{"acme/web"}}})
		// acme/web: commits 8, 11, 12, 13 in the range; days 02-28, 03-02, 03-04, 03-05: no current streak.
		if web.Summary["commits"] != 4 || web.Summary["current_streak_days"] != 0 || web.Summary["longest_streak_days"] != 2 {
			t.Errorf("acme/web: %v", web.Summary)
		}
	})
}

func TestPersonCommitsCompareAndEmpty(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		seedPerson(t, st)
		res := run(t, st, "person-commits", Query{Compare: true})
		// Previous: 02-22 .. 02-28, local days 02-26, 02-27, 02-28: a current streak of 3.
		if p := res.Previous; p["commits"] != 3 || p["current_streak_days"] != 3 || p["longest_streak_days"] != 3 {
			t.Errorf("previous = %v", p)
		}
		if d := cmp.Diff([]any{0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0}, column(res.PreviousSeries, "commits")); d != "" {
			t.Errorf("previous series (-want +got):\n%s", d)
		}

		empty := run(t, st, "person-commits", Query{From: day("2025-01-01"), To: day("2025-01-03")})
		want := map[string]float64{
			"commits": 0, "merge_commits": 0, "active_days": 0, "commits_per_day": 0, "commits_per_week": 0, "commits_per_active_day": nan,
			"current_streak_days": 0, "longest_streak_days": 0, "calendar_commits": 0, "calendar_active_days": 0,
			"commit_size_mean_lines": nan, "commit_size_median_lines": nan, "commit_size_p95_lines": nan,
		}
		if d := cmp.Diff(want, empty.Summary, figures...); d != "" {
			t.Errorf("empty range (-want +got):\n%s", d)
		}
		// 2024-01-04 .. 2025-01-03 spans February 29th: 366 days.
		if cal := empty.Tables["calendar"].([]CalendarDay); len(cal) != 366 || cal[0].Day != "2024-01-04" {
			t.Errorf("calendar of a leap year: %d days from %v", len(cal), cal[0])
		}
		if len(empty.Series) != 3 {
			t.Errorf("empty series: %v", empty.Series)
		}
	})
}

// A traveller: their local days are consecutive though the UTC days are not.
func TestPersonStreakAcrossTimeZones(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newSeeder(t, st)
		seedPeople(s)
		for _, c := range []commitRow{
			{id: 1, repo: 1, person: 2, utc: "2026-01-31 15:00:00", offset: 600},  // Sydney, Sun 02-01 01:00 (UTC Sat 01-31)
			{id: 2, repo: 1, person: 2, utc: "2026-02-04 09:00:00", offset: -600}, // Honolulu, Tue 02-03 23:00 (UTC Wed 02-04)
			{id: 3, repo: 1, person: 2, utc: "2026-02-02 12:00:00", offset: 0},    // London, Mon 02-02 12:00
		} {
			s.commit(c)
		}
		// Local days 02-01, 02-02, 02-03: one streak of 3, current on 02-03 and still on 02-04
		// (that day is not over). UTC days 01-31, 02-02, 02-04 would make three streaks of 1.
		for _, c := range []struct {
			to               string
			current, longest float64
		}{{"2026-02-03", 3, 3}, {"2026-02-04", 3, 3}, {"2026-02-05", 0, 3}, {"2026-02-01", 1, 1}} {
			res := run(t, st, "person-commits", Query{From: day("2026-02-01"), To: day(c.to), Filter: Filter{People: []string{"bob@acme.dev"}}})
			if res.Summary["current_streak_days"] != c.current || res.Summary["longest_streak_days"] != c.longest {
				t.Errorf("to %s: current %v, longest %v; want %v, %v", c.to, res.Summary["current_streak_days"], res.Summary["longest_streak_days"], c.current, c.longest)
			}
		}
	})
}

func TestStreaks(t *testing.T) {
	days := func(ds ...int64) map[int64]float64 {
		m := map[int64]float64{}
		for _, d := range ds {
			m[d] = 1
		}
		return m
	}
	for _, c := range []struct {
		name                     string
		days                     map[int64]float64
		first, last              int64
		wantCurrent, wantLongest int
	}{
		{"none", days(), 10, 20, 0, 0},
		{"ends on the last day", days(18, 19, 20), 10, 20, 3, 3},
		{"ends the day before", days(17, 18, 19), 10, 20, 3, 3},
		{"broken two days before", days(16, 17, 18), 10, 20, 0, 3},
		{"a long run before the range counts in full", days(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20), 10, 20, 1, 10},
		{"a run entirely before the range does not", days(1, 2, 3, 4, 5, 12), 10, 20, 0, 1},
		{"days after the range are ignored", days(20, 21, 22, 23), 10, 20, 1, 1},
		{"a current streak before a one-day range", days(5, 6, 7, 8, 9), 10, 10, 5, 5},
	} {
		cur, long := streaks(c.days, c.first, c.last)
		if cur != c.wantCurrent || long != c.wantLongest {
			t.Errorf("%s: current %d, longest %d; want %d, %d", c.name, cur, long, c.wantCurrent, c.wantLongest)
		}
	}
}

func TestPersonCode(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		seedPerson(t, st)
		res := run(t, st, "person-code", Query{})
		want := map[string]float64{
			"lines_added": 1467, "lines_removed": 270, "lines_net": 1197, "lines_changed": 1737,
			"files_changed": 11, "commits": 10, "languages": 5, "repositories": 2, "top_repository_share": 0.6,
		}
		if d := cmp.Diff(want, res.Summary, figures...); d != "" {
			t.Errorf("summary (-want +got):\n%s", d)
		}
		wantSeries := []Point{
			{"bucket": "2026-03-01", "lines_added": 100.0, "lines_removed": 50.0, "lines_net": 50.0},
			{"bucket": "2026-03-02", "lines_added": 343.0, "lines_removed": 211.0, "lines_net": 132.0},
			{"bucket": "2026-03-03", "lines_added": 0.0, "lines_removed": 0.0, "lines_net": 0.0},
			{"bucket": "2026-03-04", "lines_added": 1000.0, "lines_removed": 0.0, "lines_net": 1000.0},
			{"bucket": "2026-03-05", "lines_added": 8.0, "lines_removed": 8.0, "lines_net": 0.0},
			{"bucket": "2026-03-06", "lines_added": 7.0, "lines_removed": 0.0, "lines_net": 7.0},
			{"bucket": "2026-03-07", "lines_added": 9.0, "lines_removed": 1.0, "lines_net": 8.0},
		}
		if d := cmp.Diff(wantSeries, res.Series); d != "" {
			t.Errorf("series (-want +got):\n%s", d)
		}
		// The merge's main.go and the binary logo.png are not counted.
		const all = 1737.0
		wantLangs := []LanguageShare{
			{"SQL", 1000, 0, 1000, 1000 / all},
			{"Go", 319, 202, 521, 521 / all},
			{"Markdown", 100, 50, 150, 150 / all},
			{"TypeScript", 46, 16, 62, 62 / all},
			{"Other", 2, 2, 4, 4 / all},
		}
		if d := cmp.Diff(wantLangs, res.Tables["languages"], figures...); d != "" {
			t.Errorf("languages (-want +got):\n%s", d)
		}
		wantRepos := []RepoShare{
			{Repository: "acme/api", Commits: 6, LinesAdded: 419, LinesRemoved: 252, Share: 0.6, LinesShare: 671 / all},
			{Repository: "acme/web", Commits: 4, LinesAdded: 1048, LinesRemoved: 18, Share: 0.4, LinesShare: 1066 / all},
		}
		if d := cmp.Diff(wantRepos, res.Tables["repositories"], figures...); d != "" {
			t.Errorf("repositories (-want +got):\n%s", d)
		}

		web := run(t, st, "person-code", Query{Filter: Filter{Repos: []string{"acme/web"}}})
		if web.Summary["lines_added"] != 1048 || web.Summary["lines_removed"] != 18 || web.Summary["languages"] != 3 {
			t.Errorf("acme/web: %v", web.Summary)
		}
		empty := run(t, st, "person-code", Query{From: day("2025-01-01"), To: day("2025-01-03")})
		if empty.Summary["lines_added"] != 0 || !math.IsNaN(empty.Summary["top_repository_share"]) ||
			len(empty.Tables["languages"].([]LanguageShare)) != 0 || len(empty.Tables["repositories"].([]RepoShare)) != 0 {
			t.Errorf("empty range: %v %v", empty.Summary, empty.Tables)
		}
	})
}

func TestPersonNeedsSomeone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		seedPeople(newSeeder(t, st)) // nobody is "me"
		e := NewEngine(st.DB(), st.Engine().Postgres())
		for _, id := range []string{"person-commits", "person-code", "person-mrs", "person-reviews", "person-reception", "person-patterns"} {
			_, err := e.Compute(context.Background(), id, Query{From: day("2026-03-01"), To: day("2026-03-07"), Group: Day})
			if !errors.Is(err, ErrBadQuery) {
				t.Errorf("%s without a person: err = %v, want ErrBadQuery", id, err)
			} else if want := "person="; !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), `"me"`) {
				t.Errorf("%s: the message does not say how to choose: %v", id, err)
			}
		}
	})
}

func TestPersonPatterns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		seedPerson(t, st)
		res := run(t, st, "person-patterns", Query{})
		// Sessions (real time): [6] 0.5 h; [7, 8, 9] 09:00-12:30 + 0.5 = 4 h (gaps 1.5 h and exactly 2 h);
		// [10] 0.5 h (2.5 h later); [11] 0.5; [12, 13] 1.75 + 0.5 = 2.25 h; [14] 0.5; [15] 0.5.
		// Sorted: .5 .5 .5 .5 .5 2.25 4.
		want := map[string]float64{
			"commits": 10, "active_days": 6,
			"focus_sessions": 7, "focus_hours": 8.75, "focus_hours_per_week": 8.75,
			"focus_session_mean_hours": 1.25, "focus_session_median_hours": 0.5,
			"focus_session_p75_hours": 1.375, "focus_session_p95_hours": 3.475, // .5 + .5 × 1.75; 2.25 + .7 × 1.75
			"longest_focus_session_hours": 4,
			// 03-02: PR 1 (7) → acme/web (8) → PR 1 (9) → PR 2 (10, its merge): 3 switches.
			"context_switches": 3, "context_switches_per_active_day": 0.5,
		}
		if d := cmp.Diff(want, res.Summary, figures...); d != "" {
			t.Errorf("summary (-want +got):\n%s", d)
		}
		for field, want := range map[string][]any{
			"commits":          {1.0, 4.0, 0.0, 1.0, 2.0, 1.0, 1.0},
			"focus_hours":      {0.5, 4.5, 0.0, 0.5, 2.25, 0.5, 0.5},
			"focus_sessions":   {1.0, 2.0, 0.0, 1.0, 1.0, 1.0, 1.0},
			"context_switches": {0.0, 3.0, 0.0, 0.0, 0.0, 0.0, 0.0},
		} {
			if d := cmp.Diff(want, column(res.Series, field)); d != "" {
				t.Errorf("%s (-want +got):\n%s", field, d)
			}
		}
		wantHist := []Bucket{{"<1h", 5}, {"1-2h", 0}, {"2-4h", 1}, {"4-6h", 1}, {"≥6h", 0}}
		if d := cmp.Diff(wantHist, res.Tables["focus_sessions"]); d != "" {
			t.Errorf("focus histogram (-want +got):\n%s", d)
		}
		// Local weekday and hour: commit 6 is Sunday 00:30 in Berlin (Saturday 23:30 UTC),
		// 11 Wednesday 07:30 in Bangalore, 12 and 13 Thursday 15:00 and 16:45 in São Paulo,
		// 15 Saturday 21:00 in San Francisco (Sunday 05:00 UTC).
		wantHeat := map[string]float64{"Sun 0": 1, "Mon 9": 1, "Mon 10": 1, "Mon 12": 1, "Mon 15": 1, "Wed 7": 1, "Thu 15": 1, "Thu 16": 1, "Fri 8": 1, "Sat 21": 1}
		cells := res.Tables["heatmap"].([]HeatCell)
		if len(cells) != 168 || cells[0].Weekday != "Mon" || cells[0].Hour != 0 || cells[167].Weekday != "Sun" || cells[167].Hour != 23 {
			t.Fatalf("heatmap layout: %d cells, %v .. %v", len(cells), cells[0], cells[len(cells)-1])
		}
		if d := cmp.Diff(wantHeat, heatOf(cells)); d != "" {
			t.Errorf("heatmap (-want +got):\n%s", d)
		}
		wantWeekdays := []WeekdayCount{{"Mon", 4, 0.4}, {"Tue", 0, 0}, {"Wed", 1, 0.1}, {"Thu", 2, 0.2}, {"Fri", 1, 0.1}, {"Sat", 1, 0.1}, {"Sun", 1, 0.1}}
		if d := cmp.Diff(wantWeekdays, res.Tables["weekdays"], figures...); d != "" {
			t.Errorf("weekdays (-want +got):\n%s", d)
		}
		rhythm := res.Tables["rhythm"].([]HourCount)
		gotRhythm := map[int]float64{}
		for _, h := range rhythm {
			if h.Commits > 0 {
				gotRhythm[h.Hour] = h.Commits
			}
			if math.Abs(h.Share-h.Commits/10) > 1e-9 || math.Abs(h.PerActiveDay-h.Commits/6) > 1e-9 {
				t.Errorf("rhythm %d: %+v", h.Hour, h)
			}
		}
		if d := cmp.Diff(map[int]float64{0: 1, 7: 1, 8: 1, 9: 1, 10: 1, 12: 1, 15: 2, 16: 1, 21: 1}, gotRhythm); len(rhythm) != 24 || d != "" {
			t.Errorf("rhythm (%d hours) (-want +got):\n%s", len(rhythm), d)
		}
	})
}

// Sessions across midnight and across time zones, for Bob.
func TestPersonFocusEdges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		seedPerson(t, st) // Bob has commit 20: Tuesday 03-03 12:00 UTC, acme/api
		s := newSeeder(t, st)
		for _, c := range []commitRow{
			{id: 21, repo: 1, person: 2, utc: "2026-03-03 22:30:00"}, // Tue 22:30
			{id: 22, repo: 2, person: 2, utc: "2026-03-04 00:15:00"}, // Wed 00:15: same session, next day
			// Flying west: an hour later in real time, five hours earlier on the clock.
			{id: 23, repo: 1, person: 2, utc: "2026-03-05 10:00:00", offset: 60},   // Thu 11:00
			{id: 24, repo: 2, person: 2, utc: "2026-03-05 11:00:00", offset: -300}, // Thu 06:00
		} {
			s.commit(c)
		}
		res := run(t, st, "person-patterns", Query{Filter: Filter{People: []string{"2"}}})
		// [20] 0.5 h; [21, 22] 1.75 + 0.5 = 2.25 h, on Tuesday; [23, 24] 1 + 0.5 = 1.5 h.
		// Switches: none on 03-03 (both acme/api), none across midnight, one on 03-05.
		want := map[string]float64{
			"commits": 5, "active_days": 3, "focus_sessions": 3, "focus_hours": 4.25, "focus_hours_per_week": 4.25,
			"focus_session_mean_hours": 4.25 / 3, "focus_session_median_hours": 1.5, "focus_session_p75_hours": 1.875, "focus_session_p95_hours": 2.175,
			"longest_focus_session_hours": 2.25, "context_switches": 1, "context_switches_per_active_day": 1.0 / 3,
		}
		if d := cmp.Diff(want, res.Summary, figures...); d != "" {
			t.Errorf("summary (-want +got):\n%s", d)
		}
		if d := cmp.Diff([]any{0.0, 0.0, 2.75, 0.0, 1.5, 0.0, 0.0}, column(res.Series, "focus_hours")); d != "" {
			t.Errorf("focus hours by day (-want +got):\n%s", d)
		}
		wantHeat := map[string]float64{"Tue 12": 1, "Tue 22": 1, "Wed 0": 1, "Thu 11": 1, "Thu 6": 1}
		if d := cmp.Diff(wantHeat, heatOf(res.Tables["heatmap"].([]HeatCell))); d != "" {
			t.Errorf("heatmap (-want +got):\n%s", d)
		}

		empty := run(t, st, "person-patterns", Query{From: day("2025-01-01"), To: day("2025-01-14"), Group: Week})
		wantEmpty := map[string]float64{
			"commits": 0, "active_days": 0, "focus_sessions": 0, "focus_hours": 0, "focus_hours_per_week": 0,
			"focus_session_mean_hours": nan, "focus_session_median_hours": nan, "focus_session_p75_hours": nan, "focus_session_p95_hours": nan,
			"longest_focus_session_hours": nan, "context_switches": 0, "context_switches_per_active_day": nan,
		}
		if d := cmp.Diff(wantEmpty, empty.Summary, figures...); d != "" {
			t.Errorf("empty (-want +got):\n%s", d)
		}
		if len(heatOf(empty.Tables["heatmap"].([]HeatCell))) != 0 || len(empty.Tables["heatmap"].([]HeatCell)) != 168 || len(empty.Series) != 3 {
			t.Errorf("empty tables: %v, series %v", empty.Tables, empty.Series)
		}
	})
}

// heatOf lists the heatmap's non-empty cells as "Mon 9": commits.
func heatOf(cells []HeatCell) map[string]float64 {
	out := map[string]float64{}
	for _, c := range cells {
		if c.Commits > 0 {
			out[fmt.Sprintf("%s %d", c.Weekday, c.Hour)] = c.Commits
		}
	}
	return out
}
