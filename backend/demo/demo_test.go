package demo_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/momentum-app/momentum/backend/demo"
	"github.com/momentum-app/momentum/backend/store"
	"github.com/momentum-app/momentum/backend/store/pgembed/pgembedtest"
)

func TestMain(m *testing.M) { os.Exit(pgembedtest.Main(m)) }

// now is a fixed end of history: the same on every run, and in summer time
// in Europe, so both Berlin offsets appear in the year before it.
var now = time.Date(2026, 11, 20, 15, 4, 5, 0, time.UTC)

func openSQLite(t *testing.T) *store.Store {
	t.Helper()
	dir := t.TempDir()
	return open(t, "sqlite:"+filepath.Join(dir, "momentum.db"), dir)
}

func openPostgres(t *testing.T) *store.Store {
	t.Helper()
	return open(t, pgembedtest.DSN(t), t.TempDir())
}

func open(t *testing.T, db, dir string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), store.Options{DB: db, DataDir: dir})
	if err != nil {
		t.Fatalf("open %s: %v", db, err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// engines runs fn on a new SQLite database and a new database on the bundled
// PostgreSQL (skipped where it cannot run, e.g. as root).
func engines(t *testing.T, fn func(t *testing.T, open func(*testing.T) *store.Store)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, openSQLite) })
	t.Run("postgres", func(t *testing.T) { fn(t, openPostgres) })
}

func generate(t *testing.T, st *store.Store, opts demo.Options) demo.Stats {
	t.Helper()
	if opts.Now.IsZero() {
		opts.Now = now
	}
	start := time.Now()
	stats, err := demo.Generate(context.Background(), st, opts)
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	t.Logf("%s: %d rows in %s on %s", opts.Scale, stats.Total(), time.Since(start).Round(time.Millisecond), st.Engine())
	return stats
}

func TestParseScale(t *testing.T) {
	for in, want := range map[string]demo.Scale{"small": demo.Small, "large": demo.Large, " Large ": demo.Large, "": demo.Small} {
		if got, err := demo.ParseScale(in); err != nil || got != want {
			t.Errorf("ParseScale(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	_, err := demo.ParseScale("huge")
	if err == nil || !strings.Contains(err.Error(), `"huge"`) || !strings.Contains(err.Error(), "small") || !strings.Contains(err.Error(), "large") {
		t.Errorf("ParseScale(huge) error %v should name the value and the choices", err)
	}
}

// smallRanges are plausible row counts of the small data set.
var smallRanges = map[string][2]int64{
	"people": {15, 30}, "accounts": {40, 100}, "teams": {3, 3}, "team_members": {8, 30},
	"repositories": {12, 12}, "team_repositories": {12, 12},
	"commits": {800, 2500}, "commit_files": {900, 4000},
	"pull_requests": {200, 600}, "pull_request_commits": {400, 1500}, "pull_request_reviews": {250, 900},
	"pull_request_comments": {600, 2500},
	"pipelines":             {14, 30}, "pipeline_runs": {900, 3000}, "pipeline_jobs": {3000, 15000},
	"deployments": {200, 900}, "deployment_pull_requests": {150, 900},
	"boards": {3, 3}, "sprints": {70, 90}, "tickets": {150, 500}, "ticket_transitions": {400, 1500},
	"quality_snapshots": {400, 700}, "quality_issues": {150, 1000},
	"cost_records": {2000, 4000}, "budgets": {3, 6}, "saved_views": {2, 2},
}

func TestGenerateSmall(t *testing.T) {
	engines(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		st := open(t)
		stats := generate(t, st, demo.Options{Scale: demo.Small, Seed: 42})
		for table, rng := range smallRanges {
			n := count(t, st, "SELECT COUNT(*) FROM "+table)
			if n != stats[table] {
				t.Errorf("%s: Stats says %d rows, the table has %d", table, stats[table], n)
			}
			if n < rng[0] || n > rng[1] {
				t.Errorf("%s: %d rows, want %d..%d", table, n, rng[0], rng[1])
			}
		}
		for table := range stats {
			if _, ok := smallRanges[table]; !ok && stats[table] != 0 {
				t.Errorf("%s: %d unexpected rows", table, stats[table])
			}
		}
		checkInvariants(t, st)
	})
}

// zero lists queries that must count no rows: each is a broken invariant.
var zero = map[string]string{
	"PR opened before its first commit":     `SELECT COUNT(*) FROM pull_requests WHERE created_at < first_commit_at OR first_commit_at IS NULL`,
	"PR merged before it was opened":        `SELECT COUNT(*) FROM pull_requests WHERE merged_at < created_at`,
	"first review before the PR was opened": `SELECT COUNT(*) FROM pull_requests WHERE first_review_at < created_at`,
	"first review after the merge":          `SELECT COUNT(*) FROM pull_requests WHERE first_review_at > merged_at`,
	"approval before the first review":      `SELECT COUNT(*) FROM pull_requests WHERE approved_at < first_review_at OR (approved_at IS NOT NULL AND first_review_at IS NULL)`,
	"ready before opened":                   `SELECT COUNT(*) FROM pull_requests WHERE ready_at < created_at`,
	"draft that is ready":                   `SELECT COUNT(*) FROM pull_requests WHERE is_draft AND ready_at IS NOT NULL`,
	"state disagrees with the timestamps": `SELECT COUNT(*) FROM pull_requests WHERE
		(state = 'merged') <> (merged_at IS NOT NULL) OR (state = 'closed' AND closed_at IS NULL) OR (state = 'open' AND closed_at IS NOT NULL)
		OR state NOT IN ('open', 'merged', 'closed')`,
	"merge commit missing": `SELECT COUNT(*) FROM pull_requests p WHERE state = 'merged' AND NOT EXISTS
		(SELECT 1 FROM commits c WHERE c.repo_id = p.repo_id AND c.sha = p.merge_commit_sha AND c.is_merge AND c.authored_at = p.merged_at)`,
	"merge sha on an unmerged PR":         `SELECT COUNT(*) FROM pull_requests WHERE state <> 'merged' AND merge_commit_sha <> ''`,
	"PR commit missing":                   `SELECT COUNT(*) FROM pull_request_commits pc WHERE NOT EXISTS (SELECT 1 FROM commits c WHERE c.sha = pc.commit_sha)`,
	"PR counts disagree":                  `SELECT COUNT(*) FROM pull_requests p WHERE commits_count <> (SELECT COUNT(*) FROM pull_request_commits pc WHERE pc.pr_id = p.id)`,
	"event after now":                     `SELECT COUNT(*) FROM pull_requests WHERE created_at > $1 OR merged_at > $1 OR closed_at > $1 OR updated_at > $1`,
	"commit after now":                    `SELECT COUNT(*) FROM commits WHERE authored_at > $1`,
	"run after now":                       `SELECT COUNT(*) FROM pipeline_runs WHERE started_at > $1 OR finished_at > $1`,
	"review by the author":                `SELECT COUNT(*) FROM pull_request_reviews r JOIN pull_requests p ON p.id = r.pr_id WHERE r.person_id = p.person_id`,
	"review after merge or close":         `SELECT COUNT(*) FROM pull_request_reviews r JOIN pull_requests p ON p.id = r.pr_id WHERE r.submitted_at > COALESCE(p.closed_at, $1)`,
	"account without its person":          `SELECT COUNT(*) FROM accounts a LEFT JOIN people p ON p.id = a.person_id WHERE p.id IS NULL`,
	"commit person is not the author's":   `SELECT COUNT(*) FROM commits c JOIN accounts a ON a.id = c.author_account_id WHERE c.person_id <> a.person_id`,
	"PR person is not the author's":       `SELECT COUNT(*) FROM pull_requests c JOIN accounts a ON a.id = c.author_account_id WHERE c.person_id <> a.person_id`,
	"review person is not the reviewer's": `SELECT COUNT(*) FROM pull_request_reviews c JOIN accounts a ON a.id = c.reviewer_account_id WHERE c.person_id <> a.person_id`,
	"comment person is not the author's":  `SELECT COUNT(*) FROM pull_request_comments c JOIN accounts a ON a.id = c.author_account_id WHERE c.person_id <> a.person_id`,
	"ticket person is not the assignee's": `SELECT COUNT(*) FROM tickets c JOIN accounts a ON a.id = c.assignee_account_id WHERE c.assignee_person_id <> a.person_id`,
	"commit without author":               `SELECT COUNT(*) FROM commits WHERE author_account_id IS NULL OR person_id IS NULL`,
	"bot not flagged": `SELECT COUNT(*) FROM accounts a JOIN people p ON p.id = a.person_id
		WHERE (a.login LIKE '%[bot]' OR p.display_name LIKE '%[bot]') AND NOT (a.is_bot AND p.is_bot)`,
	"human flagged as bot":         `SELECT COUNT(*) FROM people WHERE is_bot AND display_name NOT LIKE '%[bot]'`,
	"offset beyond 14 hours":       `SELECT COUNT(*) FROM commits WHERE author_tz_offset < -840 OR author_tz_offset > 840`,
	"offset not whole quarters":    `SELECT COUNT(*) FROM commits WHERE author_tz_offset % 15 <> 0`,
	"uppercase email":              `SELECT COUNT(*) FROM accounts WHERE email <> lower(email)`,
	"file stats do not add up":     `SELECT COUNT(*) FROM commits c WHERE NOT c.is_merge AND (c.additions <> (SELECT SUM(f.additions) FROM commit_files f WHERE f.commit_id = c.id) OR c.files_changed <> (SELECT COUNT(*) FROM commit_files f WHERE f.commit_id = c.id))`,
	"binary file with line counts": `SELECT COUNT(*) FROM commit_files WHERE is_binary AND (additions > 0 OR deletions > 0)`,
	"file without a language":      `SELECT COUNT(*) FROM commit_files WHERE NOT is_binary AND language = ''`,
	"step in another run":          `SELECT COUNT(*) FROM pipeline_jobs s JOIN pipeline_jobs j ON j.id = s.parent_id WHERE s.run_id <> j.run_id OR j.parent_id IS NOT NULL`,
	"run ends before it starts":    `SELECT COUNT(*) FROM pipeline_runs WHERE finished_at < started_at OR duration_s <> finished_at - started_at`,
	"bad run status":               `SELECT COUNT(*) FROM pipeline_runs WHERE status NOT IN ('success', 'failure', 'cancelled', 'running') OR (status = 'failure') <> (failure_reason <> '')`,
	"deployment of an unknown commit": `SELECT COUNT(*) FROM deployments d WHERE NOT EXISTS
		(SELECT 1 FROM commits c WHERE c.repo_id = d.repo_id AND c.sha = d.commit_sha)`,
	"deployment before its pipeline": `SELECT COUNT(*) FROM deployments d JOIN pipeline_runs r ON r.id = d.pipeline_run_id WHERE r.commit_sha <> d.commit_sha OR r.repo_id <> d.repo_id`,
	"deployed before merged": `SELECT COUNT(*) FROM deployment_pull_requests dp JOIN deployments d ON d.id = dp.deployment_id
		JOIN pull_requests p ON p.id = dp.pr_id WHERE p.merged_at IS NULL OR p.merged_at > d.created_at OR p.repo_id <> d.repo_id`,
	"production flag":         `SELECT COUNT(*) FROM deployments WHERE is_production <> (environment = 'production')`,
	"sprint not two weeks":    `SELECT COUNT(*) FROM sprints WHERE ends_at - COALESCE(started_at, ends_at - 14*86400 + 9*3600) <> 14*86400 - 9*3600`,
	"ticket done unresolved":  `SELECT COUNT(*) FROM tickets WHERE (status = 'Done') <> (resolved_at IS NOT NULL) OR (status = 'Done') <> (status_category = 'done')`,
	"transition out of order": `SELECT COUNT(*) FROM ticket_transitions tr JOIN tickets t ON t.id = tr.ticket_id WHERE tr.transitioned_at < t.created_at`,
	"coverage out of range":   `SELECT COUNT(*) FROM quality_snapshots WHERE coverage < 0 OR coverage > 1 OR duplication < 0 OR duplication > 1`,
	"issue resolved early":    `SELECT COUNT(*) FROM quality_issues WHERE resolved_at < created_at OR (status = 'resolved') <> (resolved_at IS NOT NULL)`,
	"negative cost":           `SELECT COUNT(*) FROM cost_records WHERE amount < 0 OR day % 86400 <> 0`,
	"demo row not marked": `SELECT (SELECT COUNT(*) FROM repositories WHERE source <> 'demo') + (SELECT COUNT(*) FROM accounts WHERE source <> 'demo')
		+ (SELECT COUNT(*) FROM pull_requests WHERE source <> 'demo') + (SELECT COUNT(*) FROM pipelines WHERE source <> 'demo')
		+ (SELECT COUNT(*) FROM deployments WHERE source <> 'demo') + (SELECT COUNT(*) FROM tickets WHERE source <> 'demo')
		+ (SELECT COUNT(*) FROM cost_records WHERE account NOT LIKE 'demo-%') + (SELECT COUNT(*) FROM saved_views WHERE slug NOT LIKE 'demo-%')
		+ (SELECT COUNT(*) FROM teams WHERE description NOT LIKE 'Demo: %') + (SELECT COUNT(*) FROM budgets WHERE name NOT LIKE 'Demo: %')`,
}

// some lists queries that must count at least the given number of rows: the
// data set shows what each metric is about.
var some = []struct {
	what  string
	least int64
	q     string
}{
	{"open PRs", 3, `SELECT COUNT(*) FROM pull_requests WHERE state = 'open'`},
	{"open PRs older than 30 days", 1, `SELECT COUNT(*) FROM pull_requests WHERE state = 'open' AND created_at < $1 - 30*86400`},
	{"draft PRs", 1, `SELECT COUNT(*) FROM pull_requests WHERE is_draft OR ready_at > created_at`},
	{"closed unmerged PRs", 5, `SELECT COUNT(*) FROM pull_requests WHERE state = 'closed'`},
	{"PRs merged with no review", 5, `SELECT COUNT(*) FROM pull_requests WHERE state = 'merged' AND first_review_at IS NULL`},
	{"PRs waiting for review", 1, `SELECT COUNT(*) FROM pull_requests WHERE state = 'open' AND NOT is_draft AND first_review_at IS NULL`},
	{"bot PRs", 10, `SELECT COUNT(*) FROM pull_requests p JOIN people x ON x.id = p.person_id WHERE x.is_bot`},
	{"XS PRs", 10, `SELECT COUNT(*) FROM pull_requests WHERE additions + deletions < 10`},
	{"XL PRs", 1, `SELECT COUNT(*) FROM pull_requests WHERE additions + deletions >= 1000`},
	{"PRs with several review rounds", 10, `SELECT COUNT(*) FROM pull_requests WHERE review_rounds >= 2`},
	{"changes requested", 20, `SELECT COUNT(*) FROM pull_request_reviews WHERE state = 'changes_requested'`},
	{"commented reviews", 5, `SELECT COUNT(*) FROM pull_request_reviews WHERE state = 'commented'`},
	{"resolved review comments", 20, `SELECT COUNT(*) FROM pull_request_comments WHERE kind = 'review' AND resolved_at IS NOT NULL`},
	{"replies", 20, `SELECT COUNT(*) FROM pull_request_comments WHERE in_reply_to <> ''`},
	{"system comments", 20, `SELECT COUNT(*) FROM pull_request_comments WHERE kind = 'system'`},
	{"discussion comments", 20, `SELECT COUNT(*) FROM pull_request_comments WHERE kind = 'discussion'`},
	{"direct pushes", 20, `SELECT COUNT(*) FROM commits c WHERE NOT is_merge AND NOT EXISTS (SELECT 1 FROM pull_request_commits pc WHERE pc.commit_sha = c.sha)`},
	{"binary files", 5, `SELECT COUNT(*) FROM commit_files WHERE is_binary`},
	{"people with 3+ accounts", 3, `SELECT COUNT(*) FROM (SELECT person_id FROM accounts GROUP BY person_id HAVING COUNT(*) >= 3) x`},
	{"people with one git email only", 1, `SELECT COUNT(*) FROM (SELECT person_id FROM accounts WHERE external_id LIKE 'git:%' GROUP BY person_id HAVING COUNT(*) = 1) x`},
	{"no-reply addresses", 2, `SELECT COUNT(*) FROM accounts WHERE email LIKE '%+%@users.noreply.github.com' AND NOT is_bot`},
	{"bots", 3, `SELECT COUNT(*) FROM people WHERE is_bot`},
	{"me", 1, `SELECT COUNT(*) FROM people WHERE is_me`},
	{"Berlin winter offsets", 10, `SELECT COUNT(*) FROM commits WHERE author_tz_offset = 60`},
	{"Berlin summer offsets", 10, `SELECT COUNT(*) FROM commits WHERE author_tz_offset = 120`},
	{"New York", 10, `SELECT COUNT(*) FROM commits WHERE author_tz_offset IN (-300, -240)`},
	{"Bangalore", 10, `SELECT COUNT(*) FROM commits WHERE author_tz_offset = 330`},
	{"São Paulo", 10, `SELECT COUNT(*) FROM commits WHERE author_tz_offset = -180`},
	{"San Francisco", 10, `SELECT COUNT(*) FROM commits WHERE author_tz_offset IN (-480, -420)`},
	{"weekend commits", 5, `SELECT COUNT(*) FROM commits c JOIN people p ON p.id = c.person_id WHERE NOT p.is_bot AND ((authored_at + author_tz_offset*60) / 86400 + 4) % 7 IN (0, 6)`},
	{"evening commits", 5, `SELECT COUNT(*) FROM commits c JOIN people p ON p.id = c.person_id WHERE NOT p.is_bot AND (authored_at + author_tz_offset*60) % 86400 >= 19*3600`},
	{"flaky re-runs", 10, `SELECT COUNT(*) FROM pipeline_runs WHERE attempt = 2`},
	{"failed runs", 30, `SELECT COUNT(*) FROM pipeline_runs WHERE status = 'failure'`},
	{"runs across midnight", 20, `SELECT COUNT(*) FROM pipeline_runs WHERE started_at / 86400 <> finished_at / 86400`},
	{"scheduled runs", 100, `SELECT COUNT(*) FROM pipeline_runs WHERE event = 'schedule'`},
	{"steps", 100, `SELECT COUNT(*) FROM pipeline_jobs WHERE parent_id IS NOT NULL`},
	{"failed steps", 10, `SELECT COUNT(*) FROM pipeline_jobs WHERE parent_id IS NOT NULL AND status = 'failure'`},
	{"production deployments", 50, `SELECT COUNT(*) FROM deployments WHERE environment = 'production' AND status = 'success'`},
	{"failed production deployments", 3, `SELECT COUNT(*) FROM deployments WHERE environment = 'production' AND status = 'failure'`},
	{"staging deployments", 50, `SELECT COUNT(*) FROM deployments WHERE environment = 'staging'`},
	{"deployments of merge commits", 50, `SELECT COUNT(*) FROM deployments d JOIN pull_requests p ON p.merge_commit_sha = d.commit_sha AND p.repo_id = d.repo_id`},
	{"active sprint", 3, `SELECT COUNT(*) FROM sprints WHERE state = 'active'`},
	{"tickets in progress", 3, `SELECT COUNT(*) FROM tickets WHERE status_category = 'in_progress'`},
	{"reopened tickets", 3, `SELECT COUNT(*) FROM ticket_transitions WHERE from_status = 'In Review' AND to_status = 'In Progress'`},
	{"open vulnerabilities", 3, `SELECT COUNT(*) FROM quality_issues WHERE kind = 'vulnerability' AND status = 'open'`},
	{"resolved vulnerabilities", 3, `SELECT COUNT(*) FROM quality_issues WHERE kind = 'vulnerability' AND status = 'resolved'`},
	{"hotspots", 1, `SELECT COUNT(*) FROM quality_issues WHERE kind = 'hotspot'`},
	{"critical issues", 1, `SELECT COUNT(*) FROM quality_issues WHERE severity IN ('critical', 'blocker')`},
	{"AWS services", 5, `SELECT COUNT(DISTINCT service) FROM cost_records WHERE source = 'aws'`},
	{"GCP services", 1, `SELECT COUNT(DISTINCT service) FROM cost_records WHERE source = 'gcp'`},
	{"months with costs", 12, `SELECT COUNT(DISTINCT day / (30*86400)) FROM cost_records`},
	{"languages", 8, `SELECT COUNT(DISTINCT language) FROM commit_files`},
	{"repositories with commits", 12, `SELECT COUNT(DISTINCT repo_id) FROM commits`},
}

func checkInvariants(t *testing.T, st *store.Store) {
	t.Helper()
	for what, q := range zero {
		if n := count(t, st, q, now.Unix()); n != 0 {
			t.Errorf("%s: %d rows", what, n)
		}
	}
	for _, c := range some {
		if n := count(t, st, c.q, now.Unix()); n < c.least {
			t.Errorf("%s: %d rows, want at least %d", c.what, n, c.least)
		}
	}

	// Most human commits fall in local working hours (weekdays 7:00-20:00).
	human := count(t, st, `SELECT COUNT(*) FROM commits c JOIN people p ON p.id = c.person_id WHERE NOT p.is_bot`)
	inHours := count(t, st, `SELECT COUNT(*) FROM commits c JOIN people p ON p.id = c.person_id WHERE NOT p.is_bot
		AND ((authored_at + author_tz_offset*60) / 86400 + 4) % 7 BETWEEN 1 AND 5
		AND (authored_at + author_tz_offset*60) % 86400 BETWEEN 7*3600 AND 20*3600`)
	if share := float64(inHours) / float64(human); share < 0.8 || share > 0.99 {
		t.Errorf("%.0f%% of human commits in local working hours, want most but not all", 100*share)
	}

	// History fills the last year, growing a little.
	year := now.Unix() - 365*86400
	if first := count(t, st, `SELECT MIN(authored_at) FROM commits`); first < year-86400 || first > year+7*86400 {
		t.Errorf("first commit %s, want about a year before %s", time.Unix(first, 0).UTC(), now)
	}
	for m := range 12 {
		from := now.Unix() - int64(m+1)*30*86400
		if n := count(t, st, `SELECT COUNT(*) FROM commits WHERE authored_at >= $1 AND authored_at < $2`, from, from+30*86400); n < 30 {
			t.Errorf("only %d commits in the month from %s", n, time.Unix(from, 0).UTC().Format(time.DateOnly))
		}
	}
	older := count(t, st, `SELECT COUNT(*) FROM commits WHERE authored_at < $1`, now.Unix()-182*86400)
	newer := count(t, st, `SELECT COUNT(*) FROM commits WHERE authored_at >= $1`, now.Unix()-182*86400)
	if newer <= older {
		t.Errorf("no upward trend: %d commits in the older half year, %d in the newer", older, newer)
	}

	// A few very active people and a long tail.
	var top, median int64
	rows, err := st.DB().Query(`SELECT COUNT(*) FROM commits c JOIN people p ON p.id = c.person_id WHERE NOT p.is_bot GROUP BY c.person_id ORDER BY 1 DESC`)
	if err != nil {
		t.Fatal(err)
	}
	var counts []int64
	for rows.Next() {
		var n int64
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		counts = append(counts, n)
	}
	rows.Close()
	top, median = counts[0], counts[len(counts)/2]
	if top < 4*median {
		t.Errorf("busiest person has %d commits, the median %d: want a long tail", top, median)
	}
	// The user of the demo commits on most weekdays, so calendars and streaks show.
	days := count(t, st, `SELECT COUNT(DISTINCT (authored_at + author_tz_offset*60) / 86400) FROM commits c JOIN people p ON p.id = c.person_id WHERE p.is_me`)
	if days < 120 {
		t.Errorf("me committed on %d days of the year, want at least 120", days)
	}

	// Review delays: hours to days.
	var q25, q75 int64
	var delays []int64
	rows, err = st.DB().Query(`SELECT first_review_at - COALESCE(ready_at, created_at) FROM pull_requests WHERE first_review_at IS NOT NULL ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var d int64
		if err := rows.Scan(&d); err != nil {
			t.Fatal(err)
		}
		delays = append(delays, d)
	}
	rows.Close()
	q25, q75 = delays[len(delays)/4], delays[len(delays)*3/4]
	if q25 < 600 || q75 < 3*3600 || q75 > 5*86400 {
		t.Errorf("pickup delays: p25 %s, p75 %s: want minutes-to-hours and hours-to-days", time.Duration(q25)*time.Second, time.Duration(q75)*time.Second)
	}
}

func count(t *testing.T, st *store.Store, q string, args ...any) int64 {
	t.Helper()
	// Queries without $1 must not get an argument.
	if !strings.Contains(q, "$1") {
		args = nil
	}
	var n sql.NullInt64
	if err := st.DB().QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n.Int64
}

// digest hashes a query's rows, so that two databases can be compared.
func digest(t *testing.T, st *store.Store, q string) string {
	t.Helper()
	rows, err := st.DB().Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	h := sha256.New()
	n := 0
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			if v.Valid {
				h.Write([]byte(v.String))
			} else {
				h.Write([]byte{0xff})
			}
			h.Write([]byte{0})
		}
		n++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatalf("%s: no rows to digest", q)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// digests covers the generated code history; booleans are compared as numbers
// so that SQLite and PostgreSQL agree.
var digests = map[string]string{
	"commits": `SELECT id, repo_id, sha, author_account_id, person_id, committer_account_id, authored_at, author_tz_offset, committed_at,
		subject, CASE WHEN is_merge THEN 1 ELSE 0 END, additions, deletions, files_changed FROM commits ORDER BY id`,
	"commit_files": `SELECT commit_id, path, language, additions, deletions FROM commit_files ORDER BY commit_id, path`,
	"pull_requests": `SELECT id, repo_id, external_id, number, title, state, CASE WHEN is_draft THEN 1 ELSE 0 END, author_account_id, person_id,
		head_branch, created_at, ready_at, first_commit_at, first_review_at, approved_at, merged_at, closed_at, updated_at,
		merge_commit_sha, additions, deletions, changed_files, commits_count, review_rounds, comments_count FROM pull_requests ORDER BY id`,
	"reviews":  `SELECT id, pr_id, reviewer_account_id, state, submitted_at FROM pull_request_reviews ORDER BY id`,
	"runs":     `SELECT id, pipeline_id, number, branch, commit_sha, status, attempt, started_at, finished_at FROM pipeline_runs ORDER BY id`,
	"accounts": `SELECT id, person_id, external_id, login, email FROM accounts ORDER BY id`,
}

func TestDeterministic(t *testing.T) {
	ref := openSQLite(t)
	generate(t, ref, demo.Options{Scale: demo.Small, Seed: 7})
	want := map[string]string{}
	for name, q := range digests {
		want[name] = digest(t, ref, q)
	}
	engines(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		st := open(t)
		generate(t, st, demo.Options{Scale: demo.Small, Seed: 7})
		for name, q := range digests {
			if got := digest(t, st, q); got != want[name] {
				t.Errorf("%s differ between two runs with the same seed and time", name)
			}
		}
	})

	// Another seed, or another day, makes other data.
	other := openSQLite(t)
	generate(t, other, demo.Options{Scale: demo.Small, Seed: 8})
	if digest(t, other, digests["commits"]) == want["commits"] {
		t.Error("seeds 7 and 8 made the same commits")
	}
	// Later the same day: the same history, plus what happened in between.
	later := openSQLite(t)
	generate(t, later, demo.Options{Scale: demo.Small, Seed: 7, Now: now.Add(3 * time.Hour)})
	q := `SELECT sha, authored_at, author_tz_offset, additions FROM commits WHERE authored_at <= ` + strconv.FormatInt(now.Unix(), 10) + ` ORDER BY sha`
	if digest(t, later, q) != digest(t, ref, q) {
		t.Error("a run three hours later made another history before the earlier run's Now")
	}
}

func TestRefusesADatabaseWithData(t *testing.T) {
	engines(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		ctx := context.Background()
		// Collected data: a commit.
		st := open(t)
		addCollected(t, st)
		if _, err := demo.Generate(ctx, st, demo.Options{Scale: demo.Small, Now: now}); !errors.Is(err, demo.ErrNotEmpty) {
			t.Fatalf("Generate on a database with commits: %v, want ErrNotEmpty", err)
		}
		// Earlier demo data.
		st = open(t)
		generate(t, st, demo.Options{Scale: demo.Small, Seed: 1})
		if _, err := demo.Generate(ctx, st, demo.Options{Scale: demo.Small, Now: now}); !errors.Is(err, demo.ErrNotEmpty) {
			t.Fatalf("Generate on a database with demo data: %v, want ErrNotEmpty", err)
		}
	})
}

// addCollected writes a little data as collectors would, one row in nearly
// every table, and returns nothing: collected() reads it back.
func addCollected(t *testing.T, st *store.Store) {
	t.Helper()
	for _, q := range []string{
		`INSERT INTO people (display_name, email, is_me, created_at) VALUES ('Real Person', 'real@example.com', TRUE, 1)`,
		`INSERT INTO accounts (person_id, source, external_id, login, email) VALUES ((SELECT id FROM people WHERE email = 'real@example.com'), 'github', '1', 'real', 'real@example.com')`,
		`INSERT INTO teams (name, created_at) VALUES ('Real team', 1)`,
		`INSERT INTO team_members (team_id, person_id) VALUES ((SELECT id FROM teams WHERE name = 'Real team'), (SELECT id FROM people WHERE email = 'real@example.com'))`,
		`INSERT INTO repositories (source, external_id, full_name, name) VALUES ('github', '1', 'real/repo', 'repo')`,
		`INSERT INTO team_repositories (team_id, repo_id) VALUES ((SELECT id FROM teams WHERE name = 'Real team'), (SELECT id FROM repositories WHERE full_name = 'real/repo'))`,
		`INSERT INTO commits (repo_id, sha, author_account_id, person_id, authored_at, committed_at, subject) VALUES
			((SELECT id FROM repositories WHERE full_name = 'real/repo'), 'abc', (SELECT id FROM accounts WHERE login = 'real'), (SELECT id FROM people WHERE email = 'real@example.com'), 100, 100, 'real work')`,
		`INSERT INTO commit_files (commit_id, path, language, additions) VALUES ((SELECT id FROM commits WHERE sha = 'abc'), 'main.go', 'Go', 3)`,
		`INSERT INTO pull_requests (repo_id, source, external_id, number, state, created_at, updated_at, author_account_id) VALUES
			((SELECT id FROM repositories WHERE full_name = 'real/repo'), 'github', '1', 1, 'open', 100, 100, (SELECT id FROM accounts WHERE login = 'real'))`,
		`INSERT INTO pull_request_commits (pr_id, commit_sha) VALUES ((SELECT id FROM pull_requests WHERE external_id = '1'), 'abc')`,
		`INSERT INTO pipelines (repo_id, source, external_id, name) VALUES ((SELECT id FROM repositories WHERE full_name = 'real/repo'), 'github', 'ci', 'ci')`,
		`INSERT INTO pipeline_runs (pipeline_id, repo_id, external_id, status, started_at) VALUES ((SELECT id FROM pipelines WHERE external_id = 'ci'), (SELECT id FROM repositories WHERE full_name = 'real/repo'), '1', 'success', 100)`,
		`INSERT INTO pipeline_jobs (run_id, external_id, name, status) VALUES ((SELECT id FROM pipeline_runs WHERE external_id = '1'), '1', 'build', 'success')`,
		`INSERT INTO deployments (repo_id, source, external_id, environment, status, created_at) VALUES ((SELECT id FROM repositories WHERE full_name = 'real/repo'), 'github', '1', 'production', 'success', 100)`,
		`INSERT INTO boards (source, external_id, name) VALUES ('jira', '1', 'Real board')`,
		`INSERT INTO tickets (source, external_id, key, board_id, created_at, updated_at) VALUES ('jira', '1', 'REAL-1', (SELECT id FROM boards WHERE name = 'Real board'), 100, 100)`,
		`INSERT INTO cost_records (source, account, service, day, amount) VALUES ('aws', '123456789012', 'Amazon EC2', 86400, 12.5)`,
		`INSERT INTO budgets (name, monthly_amount, created_at) VALUES ('Real budget', 1000, 1)`,
		`INSERT INTO saved_views (name, slug, page, query, created_at, updated_at) VALUES ('Mine', 'mine', 'organization', 'range=30d', 1, 1)`,
		`INSERT INTO settings (key, value, updated_at) VALUES ('theme', 'dark', 1)`,
	} {
		if _, err := st.DB().Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// collected digests every table, demo rows left out, so a test can see that
// replacing the demo leaves collected data alone.
func collected(t *testing.T, st *store.Store) map[string]string {
	t.Helper()
	qs := map[string]string{
		"people":       `SELECT id, display_name, email, CASE WHEN is_me THEN 1 ELSE 0 END FROM people WHERE email = 'real@example.com'`,
		"accounts":     `SELECT id, person_id, external_id FROM accounts WHERE source <> 'demo'`,
		"teams":        `SELECT t.id, t.name, m.person_id FROM teams t JOIN team_members m ON m.team_id = t.id WHERE t.name = 'Real team'`,
		"repositories": `SELECT r.id, r.full_name, tr.team_id FROM repositories r JOIN team_repositories tr ON tr.repo_id = r.id WHERE r.source <> 'demo'`,
		"commits":      `SELECT c.id, c.sha, c.person_id, f.path FROM commits c JOIN commit_files f ON f.commit_id = c.id WHERE c.sha = 'abc'`,
		"prs":          `SELECT p.id, p.state, pc.commit_sha FROM pull_requests p JOIN pull_request_commits pc ON pc.pr_id = p.id WHERE p.source <> 'demo'`,
		"runs":         `SELECT r.id, j.name FROM pipeline_runs r JOIN pipeline_jobs j ON j.run_id = r.id WHERE r.external_id = '1'`,
		"deployments":  `SELECT id, environment FROM deployments WHERE source <> 'demo'`,
		"tickets":      `SELECT t.id, t.key, b.name FROM tickets t JOIN boards b ON b.id = t.board_id WHERE t.source <> 'demo'`,
		"costs":        `SELECT id, amount FROM cost_records WHERE account = '123456789012'`,
		"budgets":      `SELECT id, name FROM budgets WHERE name = 'Real budget'`,
		"views":        `SELECT id, slug FROM saved_views WHERE slug = 'mine'`,
		"settings":     `SELECT key, value FROM settings`,
	}
	out := map[string]string{}
	for name, q := range qs {
		out[name] = digest(t, st, q)
	}
	return out
}

func TestReplaceKeepsCollectedData(t *testing.T) {
	engines(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		st := open(t)
		addCollected(t, st)
		before := collected(t, st)
		first := generate(t, st, demo.Options{Scale: demo.Small, Seed: 3, Replace: true})
		demoDigest := digest(t, st, digests["pull_requests"])
		if n := count(t, st, `SELECT COUNT(*) FROM people WHERE is_me`); n != 1 {
			t.Errorf("%d people are me; the demo must not take over the user's choice", n)
		}
		second := generate(t, st, demo.Options{Scale: demo.Small, Seed: 3, Replace: true})
		for name, d := range collected(t, st) {
			if d != before[name] {
				t.Errorf("replacing the demo changed collected %s", name)
			}
		}
		for table, n := range first {
			if second[table] != n {
				t.Errorf("%s: %d rows the first time, %d the second", table, n, second[table])
			}
		}
		// Nothing of the first demo is left over: counts are one demo plus
		// the collected rows.
		for table, n := range second {
			total := count(t, st, "SELECT COUNT(*) FROM "+table)
			if extra := total - n; extra < 0 || extra > 2 {
				t.Errorf("%s: %d rows after replacing, %d of them demo", table, total, n)
			}
		}
		if got := digest(t, st, digests["pull_requests"]); got != demoDigest {
			t.Error("the replaced demo differs from the first one")
		}
		// New rows still get fresh ids (PostgreSQL sequences were moved on).
		if _, err := st.DB().Exec(`INSERT INTO people (display_name, created_at) VALUES ('after', 1)`); err != nil {
			t.Fatalf("insert after the demo: %v", err)
		}
		if _, err := st.DB().Exec(`INSERT INTO pipeline_jobs (run_id, external_id, name, status) VALUES ((SELECT MIN(id) FROM pipeline_runs), 'after', 'x', 'success')`); err != nil {
			t.Fatalf("insert after the demo: %v", err)
		}
	})
}

func BenchmarkGenerateSmall(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		dir := b.TempDir()
		st, err := store.Open(context.Background(), store.Options{DB: "sqlite:" + filepath.Join(dir, "m.db"), DataDir: dir})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := demo.Generate(context.Background(), st, demo.Options{Scale: demo.Small, Now: now}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		st.Close()
		b.StartTimer()
	}
}

// BenchmarkGenerateLarge loads the large data set once into SQLite and
// reports its rate and size: go test -run - -bench GenerateLarge -benchtime 1x
func BenchmarkGenerateLarge(b *testing.B) {
	dir := b.TempDir()
	path := filepath.Join(dir, "momentum.db")
	st, err := store.Open(context.Background(), store.Options{DB: "sqlite:" + path, DataDir: dir})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	benchmarkLarge(b, st, func() int64 {
		var size int64
		for _, suffix := range []string{"", "-wal"} {
			if fi, err := os.Stat(path + suffix); err == nil {
				size += fi.Size()
			}
		}
		return size
	})
}

// BenchmarkGenerateLargePostgres is the same on the bundled PostgreSQL.
func BenchmarkGenerateLargePostgres(b *testing.B) {
	st, err := store.Open(context.Background(), store.Options{DB: pgembedtest.DSN(b), DataDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	benchmarkLarge(b, st, func() int64 {
		var size int64
		if err := st.DB().QueryRow(`SELECT pg_database_size(current_database())`).Scan(&size); err != nil {
			b.Fatal(err)
		}
		return size
	})
}

func benchmarkLarge(b *testing.B, st *store.Store, size func() int64) {
	var rows int64
	for i := 0; b.Loop(); i++ {
		stats, err := demo.Generate(context.Background(), st, demo.Options{Scale: demo.Large, Now: now, Replace: i > 0, Progress: os.Stderr})
		if err != nil {
			b.Fatal(err)
		}
		rows += stats.Total()
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(size())/(1<<20), "MiB")
}
