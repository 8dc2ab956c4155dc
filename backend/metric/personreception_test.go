package metric

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/momentum-app/momentum/backend/demo"
	"github.com/momentum-app/momentum/backend/store"
	"github.com/momentum-app/momentum/backend/store/storetest"
)

// TestPRReceptionRollupMatchesRaw: person-reception read from the
// pr_reception rollup returns exactly what it returns from the source
// tables — every figure, series point and table row — on the demo data, for
// several ranges, groupings, people, a repository filter, bots included or
// not and compare; and again after more writes that only the triggers tell
// the rollup about: the author's replies and commits on threads (new, moved
// in time, relinked, deleted), a thread started and one resolved, reviews
// added, moved and deleted, a pull request given to someone else, a commit's
// author changed, and deletes of a thread, a link, a commit and a pull
// request.
func TestPRReceptionRollupMatchesRaw(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)
		if _, err := demo.Generate(ctx, st, demo.Options{Scale: demo.Small, Seed: 2, Now: now}); err != nil {
			t.Fatal(err)
		}
		db := st.DB()
		pg := st.Engine().Postgres()
		rolled := NewEngine(db, pg)
		raw := &Engine{db: db, postgres: pg, raw: true}

		var me, other int64
		if err := db.QueryRow(`SELECT id FROM people WHERE is_me`).Scan(&me); err != nil {
			t.Fatal(err)
		}
		// The author who received the most review threads after me.
		if err := db.QueryRow(`SELECT pr.person_id FROM pull_request_comments cm JOIN pull_requests pr ON pr.id = cm.pr_id
			WHERE cm.kind = 'review' AND cm.in_reply_to = '' AND pr.person_id <> $1
			GROUP BY pr.person_id ORDER BY COUNT(*) DESC, pr.person_id LIMIT 1`, me).Scan(&other); err != nil {
			t.Fatal(err)
		}
		var repo string
		if err := db.QueryRow(`SELECT r.full_name FROM pull_requests pr JOIN repositories r ON r.id = pr.repo_id WHERE pr.person_id = $1
			GROUP BY r.full_name ORDER BY COUNT(*) DESC, r.full_name LIMIT 1`, me).Scan(&repo); err != nil {
			t.Fatal(err)
		}
		day := func(s string) time.Time { d, _ := time.Parse(dateLayout, s); return d }
		meS, otherS := strconv.FormatInt(me, 10), strconv.FormatInt(other, 10)
		queries := []Query{
			{From: day("2025-12-16"), To: day("2026-03-15"), Group: Day, Compare: true},
			{From: day("2026-02-14"), To: day("2026-03-15"), Group: Week},
			{From: day("2025-06-01"), To: day("2026-03-15"), Group: Month, Compare: true},
			{From: day("2026-01-01"), To: day("2026-01-07"), Group: Day, Compare: true},
			{From: day("2025-12-16"), To: day("2026-03-15"), Group: Week, Filter: Filter{WithBots: true}},
			{From: day("2025-12-16"), To: day("2026-03-15"), Group: Week, Filter: Filter{Repos: []string{repo}}, Compare: true},
			{From: day("2026-02-14"), To: day("2026-03-15"), Group: Day, Filter: Filter{People: []string{otherS}}, Compare: true},
			{From: day("2025-12-16"), To: day("2026-03-15"), Group: Week, Filter: Filter{People: []string{otherS}, Repos: []string{repo}}},
			{From: day("2026-02-14"), To: day("2026-03-15"), Group: Week, Filter: Filter{People: []string{meS, otherS}}},
			{From: day("2020-01-01"), To: day("2020-01-31"), Group: Day}, // before any data
		}
		check := func(stage string) {
			t.Helper()
			var compared, addressed int
			for _, q := range queries {
				want, err := raw.Compute(ctx, "person-reception", q)
				if err != nil {
					t.Fatalf("%s: raw %+v: %v", stage, q, err)
				}
				got, err := rolled.Compute(ctx, "person-reception", q)
				if err != nil {
					t.Fatalf("%s: rollup %+v: %v", stage, q, err)
				}
				if d := cmp.Diff(want, got, figures...); d != "" {
					t.Errorf("%s: %s…%s %v %+v: rollup differs from raw (-raw +rollup):\n%s",
						stage, q.From.Format(dateLayout), q.To.Format(dateLayout), q.Group, q.Filter, d)
				}
				if want.Summary["comments_received"] > 0 && want.Summary["reviews_received"] > 0 && want.Summary["reviews_given"] > 0 {
					compared++
				}
				if want.Summary["comments_addressed"] > 0 && want.Summary["comments_addressed"] < want.Summary["comments_received"] {
					addressed++
				}
			}
			if compared < 6 || addressed < 3 {
				t.Fatalf("%s: %d comparisons had review comments, %d some addressed and some not: the test compares too little",
					stage, compared, addressed)
			}
		}
		check("after the demo")

		// More writes, as a collection would make them.
		exec := func(q string, args ...any) {
			t.Helper()
			res, err := db.ExecContext(ctx, q, args...)
			if err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			if n, err := res.RowsAffected(); err != nil || n == 0 {
				t.Fatalf("%s: no row changed (%v)", q, err)
			}
		}
		since := now.AddDate(0, 0, -30).Unix()
		// Threads on my pull requests of the last 30 days, oldest first, that
		// I have not answered in the thread.
		threads := func(n int) (prs []int64, exts []string, ats []int64) {
			t.Helper()
			rows, err := db.QueryContext(ctx, `SELECT cm.pr_id, cm.external_id, cm.created_at FROM pull_request_comments cm JOIN pull_requests pr ON pr.id = cm.pr_id
				WHERE cm.kind = 'review' AND cm.in_reply_to = '' AND cm.created_at >= $1 AND pr.person_id = $2 AND cm.resolved_at IS NULL
					AND NOT EXISTS (SELECT 1 FROM pull_request_comments r WHERE r.pr_id = cm.pr_id AND r.in_reply_to = cm.external_id AND r.person_id = $2)
				ORDER BY cm.created_at, cm.id LIMIT `+strconv.Itoa(n), since, me)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			for rows.Next() {
				var pr, at int64
				var ext string
				if err := rows.Scan(&pr, &ext, &at); err != nil {
					t.Fatal(err)
				}
				prs, exts, ats = append(prs, pr), append(exts, ext), append(ats, at)
			}
			if len(prs) < n {
				t.Fatalf("only %d unanswered threads on my pull requests: the writes test too little", len(prs))
			}
			return prs, exts, ats
		}
		prs, exts, ats := threads(4)
		// My reply 10 minutes into a thread, and a reply an hour in to
		// another that I then move before the comment (it no longer counts).
		exec(`INSERT INTO pull_request_comments (pr_id, external_id, person_id, kind, in_reply_to, created_at) VALUES ($1, 'rt-reply-1', $2, 'review', $3, $4)`,
			prs[0], me, exts[0], ats[0]+600)
		exec(`INSERT INTO pull_request_comments (pr_id, external_id, person_id, kind, in_reply_to, created_at) VALUES ($1, 'rt-reply-2', $2, 'discussion', $3, $4)`,
			prs[1], me, exts[1], ats[1]+3600)
		exec(`UPDATE pull_request_comments SET created_at = $1 WHERE external_id = 'rt-reply-2'`, ats[1]-60)
		// A thread resolved, and a new one (by the other person) on my pull request.
		exec(`UPDATE pull_request_comments SET resolved_at = $1 WHERE pr_id = $2 AND external_id = $3`, ats[2]+7200, prs[2], exts[2])
		exec(`INSERT INTO pull_request_comments (pr_id, external_id, person_id, kind, in_reply_to, created_at) VALUES ($1, 'rt-root', $2, 'review', '', $3)`,
			prs[3], other, ats[3]+60)
		// My commit linked to a pull request with threads, made 5 minutes after one.
		var prRepo int64
		if err := db.QueryRow(`SELECT repo_id FROM pull_requests WHERE id = $1`, prs[3]).Scan(&prRepo); err != nil {
			t.Fatal(err)
		}
		exec(`INSERT INTO commits (repo_id, sha, person_id, authored_at, author_tz_offset, committed_at, additions, deletions, files_changed)
			VALUES ($1, 'rt-commit', $2, $3, 0, $3, 1, 0, 1)`, prRepo, me, ats[3]+300)
		exec(`INSERT INTO pull_request_commits (pr_id, commit_sha) VALUES ($1, 'rt-commit')`, prs[3])
		// Reviews: one by the other person on my pull request, one by me on
		// theirs, one of mine received moved a week back, one deleted.
		exec(`INSERT INTO pull_request_reviews (pr_id, external_id, person_id, state, submitted_at) VALUES ($1, 'rt-review', $2, 'approved', $3)`,
			prs[3], other, ats[3]+900)
		exec(`INSERT INTO pull_request_reviews (pr_id, external_id, person_id, state, submitted_at)
			SELECT id, 'rt-given', $1, 'commented', created_at + 60 FROM pull_requests WHERE person_id = $2 AND created_at >= $3 ORDER BY id LIMIT 1`,
			me, other, since)
		exec(`UPDATE pull_request_reviews SET submitted_at = submitted_at - 7 * 86400 WHERE id = (
			SELECT MIN(r.id) FROM pull_request_reviews r JOIN pull_requests pr ON pr.id = r.pr_id WHERE pr.person_id = $1 AND r.submitted_at >= $2)`, me, since)
		exec(`DELETE FROM pull_request_reviews WHERE id = (
			SELECT MAX(r.id) FROM pull_request_reviews r JOIN pull_requests pr ON pr.id = r.pr_id
			WHERE pr.person_id = $1 AND r.submitted_at >= $2 AND r.external_id <> 'rt-review')`, me, since)
		check("after replies, a resolution, a thread, a commit and reviews")
		// A thread and a review on my pull requests moved 40 days back (to
		// days rebuilt before theirs), and 40 days forward again.
		for _, shift := range []int{-40 * 86400, 40 * 86400} {
			exec(`UPDATE pull_request_comments SET created_at = created_at + $1 WHERE pr_id = $2 AND external_id = 'rt-root'`, shift, prs[3])
			exec(`UPDATE pull_request_reviews SET submitted_at = submitted_at + $1 WHERE pr_id = $2 AND external_id = 'rt-review'`, shift, prs[3])
			check(fmt.Sprintf("after a thread and a review moved by %d days", shift/86400))
		}

		// The commit given to the other person, then back a day later.
		exec(`UPDATE commits SET person_id = $1 WHERE sha = 'rt-commit'`, other)
		check("after a commit given to someone else")
		exec(`UPDATE commits SET person_id = $1, committed_at = committed_at + 86400 WHERE sha = 'rt-commit'`, me)
		check("after the commit given back, a day later")
		// Links of my commits and my replies deleted; a thread deleted; one
		// pull request given to the other person, one deleted.
		exec(`DELETE FROM pull_request_commits WHERE (pr_id, commit_sha) IN (
			SELECT pc.pr_id, pc.commit_sha FROM pull_request_commits pc JOIN pull_requests pr ON pr.id = pc.pr_id JOIN commits c ON c.sha = pc.commit_sha AND c.repo_id = pr.repo_id
			WHERE pr.person_id = $1 AND c.person_id = $1 AND c.committed_at >= $2 ORDER BY pc.pr_id LIMIT 2)`, me, since)
		exec(`DELETE FROM pull_request_comments WHERE id IN (
			SELECT r.id FROM pull_request_comments r JOIN pull_requests pr ON pr.id = r.pr_id
			WHERE r.in_reply_to <> '' AND r.person_id = $1 AND pr.person_id = $1 AND r.created_at >= $2 AND r.external_id NOT LIKE 'rt-%' ORDER BY r.id LIMIT 2)`, me, since)
		exec(`DELETE FROM pull_request_comments WHERE pr_id = $1 AND external_id = $2`, prs[2], exts[2])
		exec(`DELETE FROM commits WHERE id IN (
			SELECT c.id FROM commits c JOIN pull_request_commits pc ON pc.commit_sha = c.sha JOIN pull_requests pr ON pr.id = pc.pr_id AND pr.repo_id = c.repo_id
			WHERE pr.person_id = $1 AND c.person_id = $1 AND c.committed_at >= $2 ORDER BY c.id LIMIT 1)`, me, since)
		exec(`UPDATE pull_requests SET person_id = $1 WHERE id = $2`, other, prs[1])
		exec(`DELETE FROM pull_requests WHERE id = $1`, prs[0])
		check("after changes and deletes")

		// The rollup held those figures: it was read, not bypassed.
		var rows int
		if err := db.QueryRow(`SELECT COUNT(*) FROM rollup_pr_reception WHERE author_id = $1 AND addressed_at IS NOT NULL`, me).Scan(&rows); err != nil {
			t.Fatal(err)
		}
		if rows == 0 {
			t.Fatal("rollup_pr_reception holds no addressed thread of mine: the rollup path was not taken")
		}
		if err := db.QueryRow(`SELECT COUNT(*) FROM rollup_pr_reception_reviews WHERE author_id = $1`, me).Scan(&rows); err != nil {
			t.Fatal(err)
		}
		if rows == 0 {
			t.Fatal("rollup_pr_reception_reviews holds no review of my pull requests: the rollup path was not taken")
		}
	})
}
