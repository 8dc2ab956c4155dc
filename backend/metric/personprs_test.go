package metric

import (
	"fmt"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/momentum-app/momentum/backend/store"
	"github.com/momentum-app/momentum/backend/store/storetest"
)

func (s seeder) review(id, pr, person int64, state, when string) {
	s.t.Helper()
	s.exec(`INSERT INTO pull_request_reviews (id, pr_id, external_id, reviewer_account_id, person_id, state, submitted_at) VALUES ($1, $2, $3, $4, $4, $5, $6)`,
		id, pr, fmt.Sprint("r", id), person, state, at(when))
}

func (s seeder) comment(id, pr, person int64, ext, kind, inReplyTo, when, resolved string) {
	s.t.Helper()
	s.exec(`INSERT INTO pull_request_comments (id, pr_id, external_id, author_account_id, person_id, kind, in_reply_to, created_at, resolved_at) VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8)`,
		id, pr, ext, person, kind, inReplyTo, at(when), opt(resolved))
}

// seedPersonReviews: Ada's (person 1, "me") pull requests and reviews, Bob's and
// a bot's pull requests she reviews, and Cy, a third reviewer. Range
// 2026-03-01..07; every figure below is worked out beside the rows.
func seedPersonReviews(t *testing.T, st *store.Store) {
	s := newSeeder(t, st)
	seedPeople(s)
	s.exec(`UPDATE people SET is_me = TRUE WHERE id = 1`)
	s.exec(`INSERT INTO people (id, display_name, email, created_at) VALUES (5, 'Cy', 'cy@acme.dev', 0)`)
	s.exec(`INSERT INTO accounts (id, person_id, source, external_id, login, email) VALUES (5, 5, 'test', 'cy', 'cy', 'cy@acme.dev')`)
	for _, p := range []struct {
		prRow
		files, rounds int64
	}{
		// Ada's.
		{prRow{id: 1, repo: 1, person: 1, state: "merged", created: "2026-03-01 10:00:00", merged: "2026-03-03 10:00:00", additions: 30, deletions: 10}, 3, 2},    // S, 48 h
		{prRow{id: 2, repo: 2, person: 1, state: "closed", created: "2026-03-02 00:00:00", closed: "2026-03-04 00:00:00", additions: 900, deletions: 200}, 10, 1}, // XL
		{prRow{id: 3, repo: 1, person: 1, state: "open", created: "2026-03-05 12:00:00", additions: 5}, 1, 0},                                                     // XS
		{prRow{id: 4, repo: 1, person: 1, state: "merged", created: "2026-02-20 00:00:00", merged: "2026-03-06 00:00:00", additions: 300}, 4, 0},                  // 336 h
		{prRow{id: 5, repo: 2, person: 1, state: "closed", created: "2026-02-25 00:00:00", closed: "2026-02-27 00:00:00", additions: 1}, 1, 0},                    // the previous period
		// Bob's: a draft until 09:00, one open, one from before the range; and a bot's.
		{prRow{id: 10, repo: 1, person: 2, state: "merged", created: "2026-03-01 08:00:00", ready: "2026-03-01 09:00:00", merged: "2026-03-04 00:00:00"}, 1, 2},
		{prRow{id: 11, repo: 2, person: 2, state: "open", created: "2026-03-03 00:00:00"}, 1, 1},
		{prRow{id: 12, repo: 1, person: 3, state: "open", created: "2026-03-02 00:00:00"}, 1, 1},
		{prRow{id: 13, repo: 1, person: 2, state: "open", created: "2026-02-27 00:00:00"}, 1, 2},
	} {
		s.pr(p.prRow)
		s.exec(`UPDATE pull_requests SET changed_files = $1, review_rounds = $2 WHERE id = $3`, p.files, p.rounds, p.id)
	}
	for _, c := range []commitRow{
		{id: 100, repo: 1, person: 2, utc: "2026-03-01 16:00:00"}, // Bob's fix on 10
		{id: 101, repo: 1, person: 2, utc: "2026-03-02 08:00:00"}, // Bob's fix on 13
		{id: 200, repo: 1, person: 1, utc: "2026-03-01 20:00:00"}, // Ada's fix on 1
		{id: 201, repo: 2, person: 1, utc: "2026-03-02 09:00:00"}, // Ada's commit on 2, before the comment on it
	} {
		s.commit(c)
	}
	s.exec(`INSERT INTO pull_request_commits (pr_id, commit_sha) VALUES (10, 'c100'), (13, 'c101'), (1, 'c200'), (2, 'c201')`)

	// Ada reviewing. First reviews: 10 at 4 h from ready, 11 at 6 h, 12 at 1 h.
	// Responses: those three, 2.5 h on 10 (Bob replied 15:30), 2 h on 13 (Bob pushed 08:00);
	// her second review of 11 follows no update of Bob's (his system event does not count).
	s.review(1, 10, 1, "changes_requested", "2026-03-01 13:00:00")
	s.review(2, 10, 1, "approved", "2026-03-01 18:00:00")
	s.review(3, 11, 1, "commented", "2026-03-03 06:00:00")
	s.review(4, 11, 1, "approved", "2026-03-04 06:00:00")
	s.review(5, 12, 1, "approved", "2026-03-02 01:00:00")
	s.review(7, 13, 1, "commented", "2026-02-27 02:00:00") // before the range: her first of 13
	s.review(8, 13, 1, "approved", "2026-03-02 10:00:00")
	s.review(9, 1, 1, "commented", "2026-03-01 12:00:00") // on her own PR: not a review given or received
	s.review(10, 10, 2, "approved", "2026-03-01 10:00:00")
	// Reviews of Ada's PRs: Bob ×3, Cy ×1; a bot's and her own do not count.
	s.review(21, 1, 2, "changes_requested", "2026-03-01 14:00:00")
	s.review(22, 1, 2, "approved", "2026-03-02 12:00:00")
	s.review(23, 2, 4, "commented", "2026-03-02 10:00:00")
	s.review(24, 2, 2, "commented", "2026-03-02 10:00:00")
	s.review(25, 3, 5, "approved", "2026-03-05 14:00:00")

	// Ada's review comments: 3 on 10, 1 on 11; not counted: one on her own PR, a discussion, one before the range.
	s.comment(1, 10, 1, "a1", "review", "", "2026-03-01 13:00:00", "")
	s.comment(2, 10, 1, "a2", "review", "", "2026-03-01 13:00:00", "")
	s.comment(3, 10, 1, "a3", "review", "", "2026-03-01 13:00:00", "")
	s.comment(4, 11, 1, "a4", "review", "", "2026-03-03 06:00:00", "")
	s.comment(5, 1, 1, "a5", "review", "", "2026-03-01 12:00:00", "")
	s.comment(6, 11, 1, "a6", "discussion", "", "2026-03-03 07:00:00", "")
	s.comment(7, 13, 1, "a7", "review", "", "2026-02-27 02:00:00", "")
	s.comment(8, 10, 2, "b8", "review", "a1", "2026-03-01 15:30:00", "") // Bob answers on 10
	s.comment(9, 11, 2, "b9", "system", "", "2026-03-03 12:00:00", "")   // review requested again: not an update

	// Comments on Ada's PRs. k1: she replies after 2 h; k2: her commit 6 h later;
	// k3: resolved after 1 h (her commit on 2 came before it); k5: nothing yet.
	s.comment(11, 1, 2, "k1", "review", "", "2026-03-01 14:00:00", "2026-03-02 09:00:00")
	s.comment(12, 1, 2, "k2", "review", "", "2026-03-01 14:00:00", "")
	s.comment(13, 2, 2, "k3", "review", "", "2026-03-02 10:00:00", "2026-03-02 11:00:00")
	s.comment(14, 1, 3, "k4", "review", "", "2026-03-01 15:00:00", "") // a bot's
	s.comment(15, 3, 2, "k5", "review", "", "2026-03-05 13:00:00", "")
	s.comment(16, 1, 2, "k6", "review", "k1", "2026-03-01 17:00:00", "") // a reply, not a new request
	s.comment(17, 4, 2, "k8", "review", "", "2026-02-28 10:00:00", "")   // before the range
	s.comment(18, 1, 1, "k1r", "review", "k1", "2026-03-01 16:00:00", "")
}

func TestPersonMRs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		seedPersonReviews(t, st)
		res := run(t, st, "person-mrs", Query{Compare: true})
		want := map[string]float64{
			"prs_opened": 3, "prs_merged": 2, "prs_closed_unmerged": 1, "success_rate": 2.0 / 3,
			"size_mean_lines": 1145.0 / 3, "size_median_lines": 40, "size_mean_files": 14.0 / 3, // 40, 1100, 5 lines; 3, 10, 1 files
			"iterations_mean": 1, "iterations_median": 1, // merged: 2 and 0 rounds
			"time_to_merge_mean_hours": 192, "time_to_merge_median_hours": 192, "time_to_merge_p75_hours": 264, "time_to_merge_p95_hours": 321.6,
		}
		if d := cmp.Diff(want, res.Summary, figures...); d != "" {
			t.Errorf("summary (-want +got):\n%s", d)
		}
		for field, want := range map[string][]any{
			"prs_opened":   {1.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0},
			"prs_merged":   {0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0},
			"prs_closed":   {0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0},
			"success_rate": {nil, nil, 1.0, 0.0, nil, 1.0, nil},
		} {
			if d := cmp.Diff(want, column(res.Series, field)); d != "" {
				t.Errorf("%s (-want +got):\n%s", field, d)
			}
		}
		if d := cmp.Diff([]Bucket{{"XS", 1}, {"S", 1}, {"M", 0}, {"L", 0}, {"XL", 1}}, res.Tables["size"]); d != "" {
			t.Errorf("size (-want +got):\n%s", d)
		}
		if d := cmp.Diff([]Bucket{{"0", 1}, {"1", 0}, {"2", 1}, {"3", 0}, {"4+", 0}}, res.Tables["iterations"]); d != "" {
			t.Errorf("iterations (-want +got):\n%s", d)
		}
		// Previous period (02-22..28): PR 5 opened and closed.
		if p := res.Previous; p["prs_opened"] != 1 || p["prs_closed_unmerged"] != 1 || p["success_rate"] != 0 {
			t.Errorf("previous = %v", p)
		}

		bob := run(t, st, "person-mrs", Query{Filter: Filter{People: []string{"bob@acme.dev"}}})
		if bob.Summary["prs_opened"] != 2 || bob.Summary["prs_merged"] != 1 || bob.Summary["iterations_mean"] != 2 {
			t.Errorf("bob: %v", bob.Summary)
		}
		empty := run(t, st, "person-mrs", Query{From: day("2025-01-01"), To: day("2025-01-03")})
		wantEmpty := map[string]float64{
			"prs_opened": 0, "prs_merged": 0, "prs_closed_unmerged": 0, "success_rate": nan,
			"size_mean_lines": nan, "size_median_lines": nan, "size_mean_files": nan, "iterations_mean": nan, "iterations_median": nan,
			"time_to_merge_mean_hours": nan, "time_to_merge_median_hours": nan, "time_to_merge_p75_hours": nan, "time_to_merge_p95_hours": nan,
		}
		if d := cmp.Diff(wantEmpty, empty.Summary, figures...); d != "" {
			t.Errorf("empty (-want +got):\n%s", d)
		}
	})
}

func TestPersonReviews(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		seedPersonReviews(t, st)
		res := run(t, st, "person-reviews", Query{})
		// Reviews 1, 2, 3, 4, 5, 8 of PRs 10, 11, 12, 13. Thoroughness: 2 of 4 PRs with
		// comments (engagement 0.5), 4 comments ÷ 4 PRs ÷ 3 (depth 1/3): 100 × (0.5 + 1/3) ÷ 2.
		want := map[string]float64{
			"reviews": 6, "prs_reviewed": 4, "approvals": 4, "changes_requested": 1, "commented": 1,
			"review_comments": 4, "comments_per_reviewed_pr": 1,
			"thoroughness_engagement": 0.5, "thoroughness_depth": 1.0 / 3, "thoroughness_score": 100 * (0.5 + 1.0/3) / 2,
			// First reviews 4, 6, 1 h.
			"time_to_first_review_mean_hours": 11.0 / 3, "time_to_first_review_median_hours": 4,
			"time_to_first_review_p75_hours": 5, "time_to_first_review_p95_hours": 5.8,
			// Responses 1, 2, 2.5, 4, 6 h.
			"response_time_mean_hours": 3.1, "response_time_median_hours": 2.5, "response_time_p75_hours": 4, "response_time_p95_hours": 5.6,
		}
		if d := cmp.Diff(want, res.Summary, figures...); d != "" {
			t.Errorf("summary (-want +got):\n%s", d)
		}
		for field, want := range map[string][]any{
			"reviews":                           {2.0, 2.0, 1.0, 1.0, 0.0, 0.0, 0.0},
			"review_comments":                   {3.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0},
			"time_to_first_review_median_hours": {4.0, 1.0, 6.0, nil, nil, nil, nil},
			"response_time_median_hours":        {3.25, 1.5, 6.0, nil, nil, nil, nil},
		} {
			if d := cmp.Diff(want, column(res.Series, field)); d != "" {
				t.Errorf("%s (-want +got):\n%s", field, d)
			}
		}
		if d := cmp.Diff([]Bucket{{"<1h", 0}, {"1-4h", 1}, {"4-24h", 2}, {"1-3d", 0}, {"3-7d", 0}, {">7d", 0}}, res.Tables["time_to_first_review"]); d != "" {
			t.Errorf("time_to_first_review (-want +got):\n%s", d)
		}
		if d := cmp.Diff([]Bucket{{"approved", 4}, {"changes_requested", 1}, {"commented", 1}, {"dismissed", 0}}, res.Tables["states"]); d != "" {
			t.Errorf("states (-want +got):\n%s", d)
		}
		// Weekly: 03-01 is in the week of 02-23.
		week := run(t, st, "person-reviews", Query{Group: Week})
		if d := cmp.Diff([]any{4.0, 3.5}, column(week.Series, "time_to_first_review_median_hours")); d != "" {
			t.Errorf("weekly first review (-want +got):\n%s", d)
		}
		web := run(t, st, "person-reviews", Query{Filter: Filter{Repos: []string{"acme/web"}}})
		if web.Summary["reviews"] != 2 || web.Summary["review_comments"] != 1 || web.Summary["prs_reviewed"] != 1 {
			t.Errorf("acme/web: %v", web.Summary)
		}
		empty := run(t, st, "person-reviews", Query{From: day("2025-01-01"), To: day("2025-01-03")})
		if empty.Summary["reviews"] != 0 || !math.IsNaN(empty.Summary["thoroughness_score"]) || !math.IsNaN(empty.Summary["response_time_median_hours"]) {
			t.Errorf("empty: %v", empty.Summary)
		}
	})
}

func TestPersonReception(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		seedPersonReviews(t, st)
		res := run(t, st, "person-reception", Query{})
		// Collaboration: addressed 3/4, breadth min(1, 2 reviewers ÷ 3), reciprocity min(1, 6 given ÷ 4 received).
		want := map[string]float64{
			"comments_received": 4, "comments_addressed": 3, "comments_resolved": 2,
			"addressed_rate": 0.75, "resolution_rate": 0.5,
			"time_to_address_mean_hours": 3, "time_to_address_median_hours": 2, "time_to_address_p75_hours": 4, "time_to_address_p95_hours": 5.6,
			"reviews_received": 4, "reviews_given": 6, "reviewers": 2, "reviewer_breadth": 2.0 / 3, "reciprocity": 1,
			"prs_merged": 2, "review_rounds": 3, "iteration_efficiency": 2.0 / 3, // 2 rounds + 0 counted as 1
			"collaboration_score": 100 * (0.75 + 2.0/3 + 1) / 3,
		}
		if d := cmp.Diff(want, res.Summary, figures...); d != "" {
			t.Errorf("summary (-want +got):\n%s", d)
		}
		for field, want := range map[string][]any{
			"comments_received":            {2.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0},
			"comments_addressed":           {2.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0},
			"reviews_received":             {1.0, 2.0, 0.0, 0.0, 1.0, 0.0, 0.0},
			"time_to_address_median_hours": {4.0, 1.0, nil, nil, nil, nil, nil},
		} {
			if d := cmp.Diff(want, column(res.Series, field)); d != "" {
				t.Errorf("%s (-want +got):\n%s", field, d)
			}
		}
		if d := cmp.Diff([]ReviewerCount{{"Bob", 3, 4}, {"Cy", 1, 0}}, res.Tables["reviewers"]); d != "" {
			t.Errorf("reviewers (-want +got):\n%s", d)
		}
		if d := cmp.Diff([]Bucket{{"<1h", 0}, {"1-4h", 2}, {"4-24h", 1}, {"1-3d", 0}, {"3-7d", 0}, {">7d", 0}}, res.Tables["time_to_address"]); d != "" {
			t.Errorf("time_to_address (-want +got):\n%s", d)
		}

		// Bob: Ada's comments a1-a3 on 10 (he replies to a1 after 2.5 h and pushes after 3 h)
		// and a4 on 11 (unanswered); reviews of his PRs by Ada: 1, 2, 3, 4, 8 (5 is of the
		// bot's PR); he gave 21, 22 and 24 (10 is of his own PR).
		bob := run(t, st, "person-reception", Query{Filter: Filter{People: []string{"bobby"}}})
		wantBob := map[string]float64{
			"comments_received": 4, "comments_addressed": 3, "comments_resolved": 0, "addressed_rate": 0.75, "resolution_rate": 0,
			"time_to_address_median_hours": 3, "reviews_received": 5, "reviews_given": 3, "reviewers": 1, "reciprocity": 0.6,
			"reviewer_breadth": 1.0 / 3, "prs_merged": 1, "iteration_efficiency": 0.5, // PR 10: merged 03-04 after 2 rounds
			"collaboration_score": 100 * (0.75 + 1.0/3 + 0.6) / 3,
		}
		for k, w := range wantBob {
			if g := bob.Summary[k]; !cmp.Equal(g, w, figures...) {
				t.Errorf("bob: %s = %v, want %v", k, g, w)
			}
		}

		empty := run(t, st, "person-reception", Query{From: day("2025-01-01"), To: day("2025-01-03")})
		if empty.Summary["comments_received"] != 0 || !math.IsNaN(empty.Summary["collaboration_score"]) || !math.IsNaN(empty.Summary["iteration_efficiency"]) {
			t.Errorf("empty: %v", empty.Summary)
		}
	})
}
