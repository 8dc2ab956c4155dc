package metric

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/momentum-app/momentum/backend/rollup"
)

// The person_commits rollup serves the commit metrics of one person
// (person-commits, person-code, person-patterns) without reading the
// commits table row by row: the person marked as "me" in a large history
// can author a third of all commits (36k in 90 days, 340k in all on the
// large demo data), and per-commit reads, the files of each commit and the
// pull request of each commit cost from 0.4 to 1.6 s per request on both
// engines (build/bench-metrics.sh).
//
// Tables (schema step "person_commits"), both keyed by the author's LOCAL
// day, (authored_at + author_tz_offset × 60) / 86400, as the metrics count:
//   - person_commit_days (person_id, day, commits, facts): the day's commit
//     count, and every commit of the day packed (encodeFacts) with the
//     figures the metrics read, its pull request included. The metrics
//     rebuild their []personCommit from it and run the same code as on the
//     raw rows, so every figure — percentiles, sessions, switches — is exact.
//   - person_language_days (person_id, day, language, additions, deletions):
//     changed lines of non-merge commits' files by language.
//
// The triggers mark the UTC day of a changed commit (of its file, of a pull
// request that contains it or was merged by it); a UTC day's commits have
// local days from the day before to the day after, so Rebuild redoes those.
//
// The rollup holds no repository filter: a request with one reads the raw
// rows (commitsOf), which is fast once the repository narrows them.
const personCommitsFamily = "person_commits"

func init() {
	rollup.Register(rollup.Family{Name: personCommitsFamily, Rebuild: rebuildPersonCommits})
}

// commitPR finds the pull request a commit belongs to: one it was pushed to,
// or else the one it merged (0 when none). The raw path and the rollup
// compute it with this same expression.
const commitPR = `COALESCE((SELECT MIN(pc.pr_id) FROM pull_request_commits pc JOIN pull_requests x ON x.id = pc.pr_id
		WHERE pc.commit_sha = c.sha AND x.repo_id = c.repo_id),
	(SELECT MIN(x.id) FROM pull_requests x WHERE x.merge_commit_sha = c.sha AND x.repo_id = c.repo_id AND c.sha <> ''), 0)`

// rebuildChunk bounds the local days rebuilt per query, and so the memory a
// rebuild of years of history holds at once.
const rebuildChunk = 14

// rebuildPersonCommits recomputes the local days around the dirty UTC days.
func rebuildPersonCommits(ctx context.Context, tx *sql.Tx, postgres bool, days []int64) error {
	local := make([]int64, 0, len(days)+2)
	for _, d := range days {
		local = append(local, d-1, d, d+1)
	}
	slices.Sort(local)
	local = slices.Compact(local)
	for _, s := range rollup.Spans(local) {
		for first := s.First; first <= s.Last; first += rebuildChunk {
			span := rollup.Span{First: first, Last: min(s.Last, first+rebuildChunk-1)}
			if err := rebuildPersonSpan(ctx, tx, span); err != nil {
				return err
			}
		}
	}
	return nil
}

type personDay struct{ person, day int64 }

func rebuildPersonSpan(ctx context.Context, tx *sql.Tx, s rollup.Span) error {
	for _, t := range []string{"person_commit_days", "person_language_days"} {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+t+` WHERE day >= $1 AND day <= $2`, s.First, s.Last); err != nil {
			return fmt.Errorf("unable to clear %s: %w", t, err)
		}
	}
	inSpan := `c.authored_at >= $1 AND c.authored_at < $2 AND ` + localTime + ` >= $3 AND ` + localTime + ` < $4 AND c.person_id IS NOT NULL`
	args := []any{s.Start() - maxOffset, s.End() + maxOffset, s.Start(), s.End()}

	rows, err := tx.QueryContext(ctx, `SELECT c.person_id, c.id, c.authored_at, c.author_tz_offset, c.repo_id,
			c.additions, c.deletions, c.files_changed, c.is_merge, `+commitPR+`
		FROM commits c WHERE `+inSpan, args...)
	if err != nil {
		return fmt.Errorf("unable to read commits: %w", err)
	}
	byDay := map[personDay][]personCommit{}
	for rows.Next() {
		var person int64
		var c personCommit
		var offset int64
		if err := rows.Scan(&person, &c.id, &c.at, &offset, &c.repo, &c.additions, &c.deletions, &c.files, &c.merge, &c.prID); err != nil {
			rows.Close()
			return fmt.Errorf("unable to read commits: %w", err)
		}
		c.local = c.at + offset*60
		k := personDay{person, c.local / 86400}
		byDay[k] = append(byDay[k], c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("unable to read commits: %w", err)
	}

	// Multi-row inserts: one round trip per batch, not per person and day.
	const batch = 200
	keys := make([]personDay, 0, len(byDay))
	for k := range byDay {
		keys = append(keys, k)
	}
	for len(keys) > 0 {
		n := min(batch, len(keys))
		var q strings.Builder
		q.WriteString(`INSERT INTO person_commit_days (person_id, day, commits, facts) VALUES `)
		vals := make([]any, 0, 4*n)
		for i, k := range keys[:n] {
			if i > 0 {
				q.WriteByte(',')
			}
			fmt.Fprintf(&q, "($%d, $%d, $%d, $%d)", 4*i+1, 4*i+2, 4*i+3, 4*i+4)
			cs := byDay[k]
			vals = append(vals, k.person, k.day, len(cs), encodeFacts(cs))
		}
		if _, err := tx.ExecContext(ctx, q.String(), vals...); err != nil {
			return fmt.Errorf("unable to write person_commit_days: %w", err)
		}
		keys = keys[n:]
	}

	if _, err := tx.ExecContext(ctx, `INSERT INTO person_language_days (person_id, day, language, additions, deletions)
		SELECT c.person_id, `+localTime+` / 86400, f.language, SUM(f.additions), SUM(f.deletions)
		FROM commit_files f JOIN commits c ON c.id = f.commit_id
		WHERE `+inSpan+` AND NOT c.is_merge
		GROUP BY c.person_id, `+localTime+` / 86400, f.language`, args...); err != nil {
		return fmt.Errorf("unable to write person_language_days: %w", err)
	}
	return nil
}

// factsVersion opens every packed value; a new layout takes a new number.
const factsVersion = 1

// encodeFacts packs commits: per commit, varints of id, authored (UTC),
// offset (seconds), repository, additions, deletions, files, merge (0/1)
// and pull request.
func encodeFacts(cs []personCommit) []byte {
	b := make([]byte, 1, 1+len(cs)*16)
	b[0] = factsVersion
	for _, c := range cs {
		b = binary.AppendVarint(b, c.id)
		b = binary.AppendVarint(b, c.at)
		b = binary.AppendVarint(b, c.local-c.at)
		b = binary.AppendVarint(b, c.repo)
		b = binary.AppendVarint(b, c.additions)
		b = binary.AppendVarint(b, c.deletions)
		b = binary.AppendVarint(b, c.files)
		m := int64(0)
		if c.merge {
			m = 1
		}
		b = binary.AppendVarint(b, m)
		b = binary.AppendVarint(b, c.prID)
	}
	return b
}

var errBadFacts = errors.New("malformed person_commit_days.facts")

// decodeFacts appends the commits packed in b to out (see encodeFacts).
func decodeFacts(out []personCommit, b []byte) ([]personCommit, error) {
	if len(b) == 0 || b[0] != factsVersion {
		return out, errBadFacts
	}
	b = b[1:]
	var f [9]int64
	for len(b) > 0 {
		for i := range f {
			v, n := binary.Varint(b)
			if n <= 0 {
				return out, errBadFacts
			}
			f[i] = v
			b = b[n:]
		}
		out = append(out, personCommit{id: f[0], at: f[1], local: f[1] + f[2], repo: f[3],
			additions: f[4], deletions: f[5], files: f[6], merge: f[7] == 1, prID: f[8]})
	}
	return out, nil
}

// useRollup tells whether the period's commit figures can come from the
// person_commits rollup: not with a repository filter, which it does not
// hold, nor when the engine was told to read raw rows (tests comparing both).
func (q *querier) useRollup(p Period) bool {
	return !q.raw && p.Filter.repoIDs == nil
}

// commitsFromRollup is commitsOf read from person_commit_days: the same
// commits, in the same order, with the same derived fields.
func (q *querier) commitsFromRollup(ctx context.Context, p Period, who []int64, from, to int64) ([]personCommit, error) {
	if err := q.fresh(ctx, personCommitsFamily); err != nil {
		return nil, err
	}
	var packed [][]byte
	var total int
	err := q.each(ctx, `SELECT commits, facts FROM person_commit_days WHERE day >= $1 AND day < $2`+idList("person_id", who),
		[]any{from / 86400, to / 86400}, func(rows *sql.Rows) error {
			var n int
			var b []byte
			if err := rows.Scan(&n, &b); err != nil {
				return err
			}
			total += n
			packed = append(packed, b)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("unable to read the person's commits: %w", err)
	}
	// Tens of thousands of commits: one allocation, not a doubling series.
	out := make([]personCommit, 0, total)
	for _, b := range packed {
		if out, err = decodeFacts(out, b); err != nil {
			return nil, fmt.Errorf("unable to read the person's commits: %w", err)
		}
	}
	slices.SortFunc(out, func(a, b personCommit) int {
		if a.at != b.at {
			return cmpInt(a.at, b.at)
		}
		return cmpInt(a.id, b.id)
	})
	seen := map[int64]bool{}
	var repos []int64
	for _, c := range out {
		if !seen[c.repo] {
			seen[c.repo] = true
			repos = append(repos, c.repo)
		}
	}
	names := map[int64]string{}
	if len(repos) > 0 {
		if names, err = q.repoNames(ctx, repos); err != nil {
			return nil, err
		}
	}
	for i := range out {
		c := &out[i]
		c.repoName = names[c.repo]
		derive(c, p)
	}
	return out, nil
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// derive fills a commit's fields that follow from its instants.
func derive(c *personCommit, p Period) {
	c.dayNumber = c.local / 86400
	c.day = int((c.local - p.Start()) / 86400)
	c.weekday = int((c.dayNumber + 3) % 7) // 1970-01-01 was a Thursday
	c.hourOfDay = int(c.local % 86400 / 3600)
	c.changedLoc = c.additions + c.deletions
}
