package metric

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/momentum-app/momentum/backend/store"
	"github.com/momentum-app/momentum/backend/store/storetest"
)

type runRow struct {
	id, pipeline, repo, person int64
	branch, status             string
	started, finished          string
	duration                   int64 // seconds; 0 with finished set: NULL (derived from the instants)
	reason, sha, event         string
	attempt                    int
}

// pipeline writes a pipeline definition.
func (s seeder) pipeline(id, repo int64, name string) {
	s.t.Helper()
	s.exec(`INSERT INTO pipelines (id, repo_id, source, external_id, name, url) VALUES ($1, $2, 'test', $3, $4, $5)`,
		id, repo, fmt.Sprint(id), name, fmt.Sprintf("https://example.test/pipelines/%d", id))
}

func (s seeder) run(r runRow) {
	s.t.Helper()
	var person, duration any
	if r.person != 0 {
		person = r.person
	}
	if r.duration != 0 {
		duration = r.duration
	}
	if r.attempt == 0 {
		r.attempt = 1
	}
	s.exec(`INSERT INTO pipeline_runs (id, pipeline_id, repo_id, external_id, number, branch, commit_sha, status, attempt, person_id, started_at, finished_at, duration_s, failure_reason, url, event)
		VALUES ($1, $2, $3, $4, $1, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		r.id, r.pipeline, r.repo, fmt.Sprint(r.id), r.branch, r.sha, r.status, r.attempt, person, at(r.started), opt(r.finished), duration, r.reason,
		fmt.Sprintf("https://example.test/runs/%d", r.id), r.event)
}

// seedWIP: pull requests open at various times of 2026-03-01..07, seen
// at 2026-03-07 12:00.
func seedWIP(t *testing.T, st *store.Store) {
	s := newSeeder(t, st)
	seedPeople(s)
	for _, p := range []prRow{
		{id: 1, repo: 1, person: 1, state: "open", created: "2026-02-01 00:00:00"},                                                                 // waiting, 34.5 days old
		{id: 2, repo: 1, person: 2, state: "open", created: "2026-03-02 00:00:00", draft: true},                                                    // a draft
		{id: 3, repo: 2, person: 1, state: "open", created: "2026-03-03 00:00:00", review: "2026-03-04 00:00:00"},                                  // waiting, then in review
		{id: 4, repo: 2, person: 2, state: "open", created: "2026-03-06 00:00:00", review: "2026-03-06 06:00:00", approved: "2026-03-06 12:00:00"}, // approved
		{id: 5, repo: 1, person: 1, state: "merged", created: "2026-03-01 00:00:00", merged: "2026-03-05 00:00:00", sha: "w5"},                     // open days 1-4
		{id: 6, repo: 1, person: 2, state: "closed", created: "2026-02-20 00:00:00", review: "2026-02-21 00:00:00", closed: "2026-03-02 12:00:00"}, // in review, closed on day 2
		{id: 7, repo: 1, person: 3, state: "open", created: "2026-03-07 06:00:00"},                                                                 // a bot's (flagged)
		{id: 8, repo: 1, person: 1, state: "open", created: "2026-03-07 18:00:00"},                                                                 // after now
		{id: 9, repo: 1, person: 1, state: "closed", created: "2026-01-01 00:00:00", closed: "2026-02-01 00:00:00"},                                // long gone
		{id: 10, repo: 2, person: 4, state: "open", created: "2026-03-05 00:00:00"},                                                                // a bot's (by login)
	} {
		s.pr(p)
	}
	s.pipeline(1, 1, "ci")
	s.pipeline(2, 2, "ci")
	for _, r := range []runRow{
		{id: 1, pipeline: 1, repo: 1, person: 1, branch: "main", status: "success", started: "2026-03-06 10:00:00"},      // the default branch
		{id: 2, pipeline: 1, repo: 1, person: 2, branch: "feature/2", status: "success", started: "2026-03-06 10:00:00"}, // also a PR's branch
		{id: 3, pipeline: 2, repo: 2, person: 2, branch: "hotfix/x", status: "failure", started: "2026-03-05 10:00:00"},  // active
		{id: 4, pipeline: 1, repo: 1, person: 1, branch: "old", status: "success", started: "2026-02-10 10:00:00"},       // too long ago
		{id: 5, pipeline: 1, repo: 1, person: 3, branch: "feature/9", status: "success", started: "2026-03-06 10:00:00"}, // a bot's
		{id: 6, pipeline: 1, repo: 1, person: 1, branch: "late", status: "success", started: "2026-03-07 13:00:00"},      // after now
	} {
		s.run(r)
	}
}

var wipNow = time.Unix(at("2026-03-07 12:00:00"), 0)

func TestWIP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		seedWIP(t, st)
		res := run(t, st, "wip", Query{Now: wipNow, Compare: true})
		// Open at 03-07 12:00: 1 (waiting, 828 h), 2 (draft, 132 h), 3 (in review, 108 h), 4 (approved, 36 h).
		checkSummary(t, "now", res.Summary, map[string]float64{
			"open_prs": 4, "drafts": 1, "waiting_for_review": 1, "in_review": 1, "approved": 1,
			"age_mean_hours": 276, "age_median_hours": 120, "age_p75_hours": 306, "age_p95_hours": 723.6,
			// Ada and Bob opened PRs in the last 30 days; their open PRs: 1, 3 and 2, 4.
			"active_authors": 2, "open_prs_per_active_author": 2,
			// feature/2, 3, 4, 5 (PRs opened in the last 14 days) and hotfix/x.
			"active_branches": 5,
		})
		wantSeries := []Point{
			{"bucket": "2026-03-01", "open_prs": 3.0, "drafts": 0.0, "waiting_for_review": 2.0, "in_review": 1.0, "approved": 0.0},
			{"bucket": "2026-03-02", "open_prs": 3.0, "drafts": 1.0, "waiting_for_review": 2.0, "in_review": 0.0, "approved": 0.0},
			{"bucket": "2026-03-03", "open_prs": 4.0, "drafts": 1.0, "waiting_for_review": 3.0, "in_review": 0.0, "approved": 0.0},
			{"bucket": "2026-03-04", "open_prs": 4.0, "drafts": 1.0, "waiting_for_review": 2.0, "in_review": 1.0, "approved": 0.0},
			{"bucket": "2026-03-05", "open_prs": 3.0, "drafts": 1.0, "waiting_for_review": 1.0, "in_review": 1.0, "approved": 0.0},
			{"bucket": "2026-03-06", "open_prs": 4.0, "drafts": 1.0, "waiting_for_review": 1.0, "in_review": 1.0, "approved": 1.0},
			{"bucket": "2026-03-07", "open_prs": 4.0, "drafts": 1.0, "waiting_for_review": 1.0, "in_review": 1.0, "approved": 1.0},
		}
		if d := cmp.Diff(wantSeries, res.Series); d != "" {
			t.Errorf("series (-want +got):\n%s", d)
		}
		if d := cmp.Diff([]Bucket{{"<1d", 0}, {"1-3d", 1}, {"3-7d", 2}, {"7-14d", 0}, {"14-30d", 0}, {">30d", 1}}, res.Tables["age"]); d != "" {
			t.Errorf("age (-want +got):\n%s", d)
		}
		var oldest []any
		for _, o := range res.Tables["oldest"].([]OpenPR) {
			oldest = append(oldest, o.Number, o.Status, o.AgeHours)
		}
		if d := cmp.Diff([]any{int64(1), "Waiting for review", 828.0, int64(2), "Draft", 132.0, int64(3), "In review", 108.0, int64(4), "Approved", 36.0}, oldest); d != "" {
			t.Errorf("oldest (-want +got):\n%s", d)
		}
		if d := cmp.Diff([]AuthorWIP{{"Ada", 2}, {"Bob", 2}}, res.Tables["by_author"]); d != "" {
			t.Errorf("by author (-want +got):\n%s", d)
		}
		// The previous period ends 03-01 00:00: 1 waiting, 6 in review.
		checkSummary(t, "previous", res.Previous, map[string]float64{"open_prs": 2, "waiting_for_review": 1, "in_review": 1})
	})
}

func TestWIPGroupsBotsAndFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		seedWIP(t, st)
		week := run(t, st, "wip", Query{Now: wipNow, Group: Week})
		// Week buckets end on 03-01 (a Sunday) and at now.
		if d := cmp.Diff([]any{3.0, 4.0}, column(week.Series, "open_prs")); d != "" {
			t.Errorf("weekly (-want +got):\n%s", d)
		}
		// Bots in: 7 and 10 wait for review; both bots opened a PR lately; feature/7, feature/9, feature/10 join.
		checkSummary(t, "bots", run(t, st, "wip", Query{Now: wipNow, Filter: Filter{WithBots: true}}).Summary, map[string]float64{
			"open_prs": 6, "waiting_for_review": 3, "active_authors": 4, "open_prs_per_active_author": 1.5, "active_branches": 8,
		})
		checkSummary(t, "repo", run(t, st, "wip", Query{Now: wipNow, Filter: Filter{Repos: []string{"acme/web"}}}).Summary, map[string]float64{
			"open_prs": 2, "in_review": 1, "approved": 1, "active_branches": 3,
		})
		checkSummary(t, "team", run(t, st, "wip", Query{Now: wipNow, Filter: Filter{Teams: []string{"Core"}}}).Summary, map[string]float64{
			"open_prs": 2, "active_authors": 1, "open_prs_per_active_author": 2,
		})
		// Without a now, the state is taken at the end of the range: 8 is open too.
		checkSummary(t, "end of range", run(t, st, "wip", Query{}).Summary, map[string]float64{"open_prs": 5})
	})
}

func TestWIPEmptyRange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		seedWIP(t, st)
		res := run(t, st, "wip", Query{From: day("2025-01-01"), To: day("2025-01-03")})
		checkSummary(t, "empty", res.Summary, map[string]float64{"open_prs": 0, "active_branches": 0, "active_authors": 0, "open_prs_per_active_author": undefined, "age_median_hours": undefined})
		if d := cmp.Diff([]any{0.0, 0.0, 0.0}, column(res.Series, "open_prs")); d != "" {
			t.Errorf("series (-want +got):\n%s", d)
		}
		if len(res.Tables["oldest"].([]OpenPR)) != 0 {
			t.Errorf("oldest = %v", res.Tables["oldest"])
		}
	})
}

// The difference-array sweep counts what statusAt says at every instant,
// for pull requests whose instants come in any order (clock skew: closed
// before opened, reviewed before ready) and coincide with the instants.
func TestSweepStatusesMatchesStatusAt(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 1))
	instant := func() int64 {
		if rng.IntN(4) == 0 {
			return 0 // never
		}
		return 1000 + rng.Int64N(40)*50
	}
	var prs []openPR
	for range 500 {
		prs = append(prs, openPR{created: 1000 + rng.Int64N(40)*50, ready: instant(), review: instant(), approved: instant(), closed: instant()})
	}
	at := []int64{900, 1000, 1049, 1050, 1050, 1400, 2000, 2000, 2950, 3100}
	got := sweepStatuses(prs, at)
	for i, instant := range at {
		var want [4]float64
		for _, pr := range prs {
			if st := pr.statusAt(instant); st >= 0 {
				want[st]++
			}
		}
		if got[i] != want {
			t.Errorf("at %d: counts %v, want %v", instant, got[i], want)
		}
	}
}
