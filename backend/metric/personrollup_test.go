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

// TestPersonCommitsRollupMatchesRaw: person-commits, person-code and
// person-patterns read from the person_commits rollup return exactly what
// they return from the raw commits — every figure, series point and table
// row — on the demo data, for several ranges, groupings,
// people and compare, and again after more writes (commits across local
// midnight, files, a pull request, deletes, a person merge) that only the
// triggers tell the rollup about.
func TestPersonCommitsRollupMatchesRaw(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)
		if _, err := demo.Generate(ctx, st, demo.Options{Scale: demo.Small, Seed: 1, Now: now}); err != nil {
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
		if err := db.QueryRow(`SELECT person_id FROM commits WHERE person_id <> $1 GROUP BY person_id ORDER BY COUNT(*) DESC, person_id LIMIT 1`, me).Scan(&other); err != nil {
			t.Fatal(err)
		}
		day := func(s string) time.Time { d, _ := time.Parse(dateLayout, s); return d }
		queries := []Query{
			{From: day("2025-12-16"), To: day("2026-03-15"), Group: Day, Compare: true},
			{From: day("2026-02-14"), To: day("2026-03-15"), Group: Week},
			{From: day("2025-06-01"), To: day("2026-03-15"), Group: Month, Compare: true},
			{From: day("2026-01-01"), To: day("2026-01-07"), Group: Day, Compare: true},
			{From: day("2026-02-14"), To: day("2026-03-15"), Group: Day, Filter: Filter{People: []string{strconv.FormatInt(other, 10)}}, Compare: true},
			{From: day("2026-02-14"), To: day("2026-03-15"), Group: Week, Filter: Filter{People: []string{strconv.FormatInt(me, 10), strconv.FormatInt(other, 10)}}},
			{From: day("2020-01-01"), To: day("2020-01-31"), Group: Day}, // before any data
		}
		check := func(stage string) {
			t.Helper()
			var compared int
			for _, id := range []string{"person-commits", "person-code", "person-patterns"} {
				for _, q := range queries {
					want, err := raw.Compute(ctx, id, q)
					if err != nil {
						t.Fatalf("%s: raw %s %+v: %v", stage, id, q, err)
					}
					got, err := rolled.Compute(ctx, id, q)
					if err != nil {
						t.Fatalf("%s: rollup %s %+v: %v", stage, id, q, err)
					}
					// figures: series points add float hours in map order, so two
					// raw runs differ in the last bits; nothing else may.
					if d := cmp.Diff(want, got, figures...); d != "" {
						t.Errorf("%s: %s %s…%s %v %v: rollup differs from raw (-raw +rollup):\n%s",
							stage, id, q.From.Format(dateLayout), q.To.Format(dateLayout), q.Group, q.Filter.People, d)
					}
					if want.Summary["commits"] > 0 {
						compared++
					}
				}
			}
			if compared < 10 {
				t.Fatalf("%s: only %d comparisons had commits: the test compares nothing", stage, compared)
			}
		}
		check("after the demo")

		// More writes, as a collection would make them.
		s := newSeeder(t, st)
		var repo int64
		if err := db.QueryRow(`SELECT repo_id FROM commits WHERE person_id = $1 GROUP BY repo_id ORDER BY COUNT(*) DESC, repo_id LIMIT 1`, me).Scan(&repo); err != nil {
			t.Fatal(err)
		}
		for i, c := range []struct {
			utc    string
			offset int
			merge  bool
		}{
			{"2026-03-10 23:30:00", 120, false},  // local 03-11 01:30
			{"2026-03-11 02:00:00", -300, false}, // local 03-10 21:00
			{"2026-03-11 03:00:00", 0, true},
			{"2026-02-14 00:10:00", -60, false}, // local 02-13: outside the 30-day range
		} {
			sha := fmt.Sprintf("rollup-test-%d", i)
			s.exec(`INSERT INTO commits (repo_id, sha, person_id, authored_at, author_tz_offset, committed_at, is_merge, additions, deletions, files_changed)
				VALUES ($1, $2, $3, $4, $5, $4, $6, $7, $8, 1)`, repo, sha, me, at(c.utc), c.offset, c.merge, 10*(i+1), i)
			s.exec(`INSERT INTO commit_files (commit_id, path, language, additions, deletions) SELECT id, 'x.rs', 'Rust', $2, $3 FROM commits WHERE sha = $1`,
				sha, 10*(i+1), i)
		}
		// A pull request the first new commit was pushed to (a new context),
		// one that now names an old commit as its merge, and one deleted.
		s.exec(`INSERT INTO pull_requests (repo_id, source, external_id, number, state, person_id, created_at, updated_at)
			VALUES ($1, 'demo', 'rollup-test', 999999, 'open', $2, $3, $3)`, repo, me, at("2026-03-10 20:00:00"))
		s.exec(`INSERT INTO pull_request_commits (pr_id, commit_sha) SELECT id, 'rollup-test-0' FROM pull_requests WHERE number = 999999 AND repo_id = $1`, repo)
		s.exec(`UPDATE pull_requests SET merge_commit_sha = (SELECT sha FROM commits WHERE person_id = $1 AND repo_id = $2 AND authored_at < $3 ORDER BY authored_at DESC LIMIT 1)
			WHERE number = 999999 AND repo_id = $2`, me, repo, at("2026-03-05 00:00:00"))
		s.exec(`DELETE FROM pull_requests WHERE id = (SELECT MIN(pc.pr_id) FROM pull_request_commits pc JOIN commits c ON c.sha = pc.commit_sha
			WHERE c.person_id = $1 AND c.authored_at >= $2)`, me, at("2026-03-01 00:00:00"))
		// Deleted commits, a file's language corrected, and commits moved to
		// another person (an identity merge).
		s.exec(`DELETE FROM commits WHERE id IN (SELECT id FROM commits WHERE person_id = $1 AND authored_at >= $2 ORDER BY id LIMIT 3)`, me, at("2026-03-01 00:00:00"))
		s.exec(`UPDATE commit_files SET language = 'Zig' WHERE commit_id = (SELECT MIN(c.id) FROM commits c JOIN commit_files f ON f.commit_id = c.id
			WHERE c.person_id = $1 AND c.authored_at >= $2)`, me, at("2026-03-05 00:00:00"))
		s.exec(`UPDATE commits SET person_id = $1 WHERE id IN (SELECT id FROM commits WHERE person_id = $2 AND authored_at >= $3 ORDER BY id LIMIT 4)`,
			me, other, at("2026-02-20 00:00:00"))
		check("after more writes")

		// The rollup held those figures: it was read, not bypassed.
		var rows int
		if err := db.QueryRow(`SELECT COUNT(*) FROM person_commit_days WHERE person_id = $1`, me).Scan(&rows); err != nil {
			t.Fatal(err)
		}
		if rows == 0 {
			t.Fatal("person_commit_days holds nothing for me: the rollup path was not taken")
		}
	})
}

func TestFactsRoundTrip(t *testing.T) {
	in := []personCommit{
		{id: 7, at: 1_700_000_000, local: 1_700_000_000 - 5*3600, repo: 3, additions: 1 << 40, deletions: 0, files: 2, merge: true, prID: 9},
		{id: 1, at: 1_600_000_000, local: 1_600_000_000 + 14*3600, repo: 1, additions: 5, deletions: 6, files: 0},
	}
	out, err := decodeFacts(nil, encodeFacts(in))
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(in, out, cmp.AllowUnexported(personCommit{})); d != "" {
		t.Fatalf("round trip (-in +out):\n%s", d)
	}
	if _, err := decodeFacts(nil, []byte{factsVersion, 0x80}); err == nil {
		t.Fatal("a truncated varint decoded without an error")
	}
	if _, err := decodeFacts(nil, []byte{factsVersion + 1}); err == nil {
		t.Fatal("an unknown layout decoded without an error")
	}
}
