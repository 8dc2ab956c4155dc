package metric

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"sort"
	"strings"
)

// The individual metrics (person-*) are about one person, all their
// accounts merged: commits, pull requests, reviews and comments carry the
// person_id of their author, so no join on accounts is needed.
//
// Commit figures count days in the author's own time zone: a commit belongs
// to the local day of authored_at + author_tz_offset. The range therefore
// selects commits whose local day is in it, and buckets, streaks, the
// calendar and the heatmap all use that same day. Pull requests, reviews and
// comments carry no offset and use UTC days, as the organization metrics do.

// maxOffset bounds a UTC offset (±14 h): a commit's local day lies within
// this of its UTC instant, so the indexed authored_at column can narrow a
// local-time query before the exact test.
const maxOffset = 14 * 3600

// localTime is a commit's authored instant in its author's local time.
const localTime = "(c.authored_at + c.author_tz_offset * 60)"

// subject is the person an individual metric is about: the people the
// filters name, or else the person marked as "me".
func (q *querier) subject(ctx context.Context, p Period) ([]int64, error) {
	if p.Filter.personIDs != nil {
		return p.Filter.personIDs, nil
	}
	var ids []int64
	err := q.each(ctx, `SELECT id FROM people WHERE is_me ORDER BY id`, nil, func(rows *sql.Rows) error {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		ids = append(ids, id)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("unable to find the person marked as me: %w", err)
	}
	if len(ids) == 0 {
		return nil, badQuery("individual metrics are about one person and nobody is marked as \"me\": " +
			"choose one with person=ID, email or login (--person on the command line), or mark yourself as \"me\" in the app")
	}
	return ids, nil
}

// idList is " AND col IN (ids)".
func idList(col string, ids []int64) string {
	var b strings.Builder
	inList(&b, col, ids)
	return b.String()
}

// nanUnless is v, or NaN (undefined: null in JSON, a dash in tables) when
// there was nothing to measure.
func nanUnless(v float64, ok bool) float64 {
	if !ok {
		return math.NaN()
	}
	return v
}

// putHours adds name_mean_hours, _median_, _p75_ and _p95_ to a summary;
// all undefined when there are no values.
func putHours(s map[string]float64, name string, values []float64) {
	d := distributionOf(values)
	ok := len(values) > 0
	s[name+"_mean_hours"] = nanUnless(d.mean, ok)
	s[name+"_median_hours"] = nanUnless(d.p50, ok)
	s[name+"_p75_hours"] = nanUnless(d.p75, ok)
	s[name+"_p95_hours"] = nanUnless(d.p95, ok)
}

// personCommit is one commit of the subject.
type personCommit struct {
	id, repo   int64
	at         int64 // authored, UTC
	local      int64 // authored, author's local time (seconds as if UTC)
	additions  int64
	deletions  int64
	files      int64
	merge      bool
	prID       int64 // the pull request it belongs to (or merged), 0 when none
	repoName   string
	day        int   // local day index in the period
	dayNumber  int64 // local day since 1970-01-01
	weekday    int   // local, Monday = 0
	hourOfDay  int   // local
	changedLoc int64 // additions + deletions
}

// commitsOf loads the subject's commits whose local day is in [from, to)
// (Unix seconds of UTC midnights, compared with local time), in authored
// order, with the repository filter. withPR also finds each commit's pull
// request (for context switching).
func (q *querier) commitsOf(ctx context.Context, p Period, who []int64, from, to int64, withPR bool) ([]personCommit, error) {
	if q.useRollup(p) {
		return q.commitsFromRollup(ctx, p, who, from, to)
	}
	pr := "0"
	if withPR {
		pr = commitPR
	}
	query := `SELECT c.id, c.repo_id, r.full_name, c.authored_at, ` + localTime + `, c.additions, c.deletions, c.files_changed, c.is_merge, ` + pr + `
		FROM commits c JOIN repositories r ON r.id = c.repo_id
		WHERE c.authored_at >= $1 AND c.authored_at < $2 AND ` + localTime + ` >= $3 AND ` + localTime + ` < $4` +
		idList("c.person_id", who) + p.repoIn("c.repo_id") + `
		ORDER BY c.authored_at, c.id`
	var out []personCommit
	err := q.each(ctx, query, []any{from - maxOffset, to + maxOffset, from, to}, func(rows *sql.Rows) error {
		var c personCommit
		if err := rows.Scan(&c.id, &c.repo, &c.repoName, &c.at, &c.local, &c.additions, &c.deletions, &c.files, &c.merge, &c.prID); err != nil {
			return err
		}
		derive(&c, p)
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("unable to read the person's commits: %w", err)
	}
	return out, nil
}

// commitSizeBounds are the commit size bars (lines changed), as for PRs.
var commitSizeBounds = []bound{{"XS", 10}, {"S", 50}, {"M", 250}, {"L", 1000}, {"XL", 0}}

// CalendarDay is one square of the contribution calendar.
type CalendarDay struct {
	Day     string  `json:"day"`
	Commits float64 `json:"commits"`
}

func personCommitsMetric(ctx context.Context, q *querier, p Period) (*Values, error) {
	who, err := q.subject(ctx, p)
	if err != nil {
		return nil, err
	}
	commits, err := q.commitsOf(ctx, p, who, p.Start(), p.End(), false)
	if err != nil {
		return nil, err
	}

	// Local days with a commit up to the range's last day, however long ago:
	// a streak that began before the range still counts in full.
	lastDay := p.End()/86400 - 1
	perDay := map[int64]float64{}
	dayQuery := `SELECT ` + localTime + ` / 86400, COUNT(*) FROM commits c WHERE c.authored_at < $1` +
		idList("c.person_id", who) + p.repoIn("c.repo_id") + ` GROUP BY 1`
	daysArgs := []any{p.End() + maxOffset}
	if q.useRollup(p) {
		// commitsOf brought the rollup up to date.
		dayQuery = `SELECT day, SUM(commits) FROM person_commit_days WHERE day <= $1` + idList("person_id", who) + ` GROUP BY day`
		daysArgs = []any{lastDay}
	}
	err = q.each(ctx, dayQuery, daysArgs,
		func(rows *sql.Rows) error {
			var d int64
			var n float64
			if err := rows.Scan(&d, &n); err != nil {
				return err
			}
			if d <= lastDay {
				perDay[d] += n
			}
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("unable to read the person's commit days: %w", err)
	}
	current, longest := streaks(perDay, p.Start()/86400, lastDay)

	// The contribution calendar: a year of days ending on the range's last day.
	calFrom := p.To.AddDate(-1, 0, 1)
	var calendar []CalendarDay
	var calCommits, calActive float64
	for d := calFrom; !d.After(p.To); d = d.AddDate(0, 0, 1) {
		n := perDay[d.Unix()/86400]
		calendar = append(calendar, CalendarDay{Day: d.Format(dateLayout), Commits: n})
		calCommits += n
		if n > 0 {
			calActive++
		}
	}

	byDay, active := map[int]float64{}, map[int]float64{}
	var sizes []float64
	var merges float64
	for _, c := range commits {
		byDay[c.day]++
		active[c.day] = 1
		if c.merge {
			merges++
			continue // a merge's diff is its parents' work
		}
		sizes = append(sizes, float64(c.changedLoc))
	}
	n := float64(len(commits))
	days := float64(daysBetween(p.From, p.To) + 1)
	nActive := sum(active)
	size := distributionOf(sizes)
	fields := []string{"commits", "active_days"}
	return &Values{
		Summary: map[string]float64{
			"commits":                  n,
			"merge_commits":            merges,
			"active_days":              nActive,
			"commits_per_day":          n / days,
			"commits_per_week":         n / days * 7,
			"commits_per_active_day":   nanUnless(ratio(n, nActive), nActive > 0),
			"current_streak_days":      float64(current),
			"longest_streak_days":      float64(longest),
			"calendar_commits":         calCommits,
			"calendar_active_days":     calActive,
			"commit_size_mean_lines":   nanUnless(size.mean, len(sizes) > 0),
			"commit_size_median_lines": nanUnless(size.p50, len(sizes) > 0),
			"commit_size_p95_lines":    nanUnless(size.p95, len(sizes) > 0),
		},
		Series:  newBuckets(p).series(fields, byDay, active),
		Columns: append([]string{"bucket"}, fields...),
		Tables: map[string]any{
			"calendar":    calendar,
			"commit_size": histogram(sizes, commitSizeBounds),
		},
	}, nil
}

// streaks finds, among days with a commit (day numbers), the current streak
// — the run ending on lastDay, or on the day before when lastDay has no
// commit (yet) — and the longest run that reaches into [firstDay, lastDay],
// both counted in full, days before firstDay included. The current streak
// counts as a run, so the longest is never shorter.
func streaks(perDay map[int64]float64, firstDay, lastDay int64) (current, longest int) {
	days := make([]int64, 0, len(perDay))
	for d, n := range perDay {
		if n > 0 && d <= lastDay {
			days = append(days, d)
		}
	}
	sort.Slice(days, func(i, j int) bool { return days[i] < days[j] })
	for i := 0; i < len(days); {
		j := i
		for j+1 < len(days) && days[j+1] == days[j]+1 {
			j++
		}
		start, end := days[i], days[j]
		length := int(end - start + 1)
		if end >= firstDay && length > longest {
			longest = length
		}
		if end >= lastDay-1 {
			current = length
		}
		i = j + 1
	}
	return current, max(longest, current)
}

// LanguageShare is one language's part of the lines a person changed.
type LanguageShare struct {
	Language string  `json:"language"`
	Added    float64 `json:"added"`
	Removed  float64 `json:"removed"`
	Lines    float64 `json:"lines"`
	Share    float64 `json:"share"`
}

// RepoShare is one repository's part of a person's work.
type RepoShare struct {
	Repository   string  `json:"repository"`
	Commits      float64 `json:"commits"`
	LinesAdded   float64 `json:"lines_added"`
	LinesRemoved float64 `json:"lines_removed"`
	// Share is the repository's part of the person's commits (0–1).
	Share      float64 `json:"share"`
	LinesShare float64 `json:"lines_share"`
}

func personCode(ctx context.Context, q *querier, p Period) (*Values, error) {
	who, err := q.subject(ctx, p)
	if err != nil {
		return nil, err
	}
	commits, err := q.commitsOf(ctx, p, who, p.Start(), p.End(), false)
	if err != nil {
		return nil, err
	}
	added, removed, net := map[int]float64{}, map[int]float64{}, map[int]float64{}
	repos := map[string]*RepoShare{}
	var totAdded, totRemoved, files, n float64
	for _, c := range commits {
		r := repos[c.repoName]
		if r == nil {
			r = &RepoShare{Repository: c.repoName}
			repos[c.repoName] = r
		}
		r.Commits++
		n++
		if c.merge {
			continue // its lines are its parents'
		}
		a, d := float64(c.additions), float64(c.deletions)
		added[c.day] += a
		removed[c.day] += d
		net[c.day] += a - d
		r.LinesAdded += a
		r.LinesRemoved += d
		totAdded += a
		totRemoved += d
		files += float64(c.files)
	}
	repoTable := make([]RepoShare, 0, len(repos))
	for _, r := range repos {
		r.Share = ratio(r.Commits, n)
		r.LinesShare = ratio(r.LinesAdded+r.LinesRemoved, totAdded+totRemoved)
		repoTable = append(repoTable, *r)
	}
	sort.Slice(repoTable, func(i, j int) bool {
		a, b := repoTable[i], repoTable[j]
		if a.Commits != b.Commits {
			return a.Commits > b.Commits
		}
		return a.Repository < b.Repository
	})

	// Languages: changed lines of the files of those commits.
	langs := map[string]*LanguageShare{}
	langQuery := `SELECT f.language, SUM(f.additions), SUM(f.deletions) FROM commit_files f JOIN commits c ON c.id = f.commit_id
		WHERE c.authored_at >= $1 AND c.authored_at < $2 AND ` + localTime + ` >= $3 AND ` + localTime + ` < $4 AND NOT c.is_merge` +
		idList("c.person_id", who) + p.repoIn("c.repo_id") + ` GROUP BY f.language`
	langArgs := []any{p.Start() - maxOffset, p.End() + maxOffset, p.Start(), p.End()}
	if q.useRollup(p) {
		// commitsOf brought the rollup up to date.
		langQuery = `SELECT language, SUM(additions), SUM(deletions) FROM person_language_days
			WHERE day >= $1 AND day < $2` + idList("person_id", who) + ` GROUP BY language`
		langArgs = []any{p.Start() / 86400, p.End() / 86400}
	}
	err = q.each(ctx, langQuery, langArgs,
		func(rows *sql.Rows) error {
			var lang string
			var a, d float64
			if err := rows.Scan(&lang, &a, &d); err != nil {
				return err
			}
			if a+d == 0 {
				return nil // binary files
			}
			if lang == "" {
				lang = "Other"
			}
			l := langs[lang]
			if l == nil {
				l = &LanguageShare{Language: lang}
				langs[lang] = l
			}
			l.Added += a
			l.Removed += d
			l.Lines += a + d
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("unable to read the languages of the person's commits: %w", err)
	}
	var langLines float64
	for _, l := range langs {
		langLines += l.Lines
	}
	langTable := make([]LanguageShare, 0, len(langs))
	for _, l := range langs {
		l.Share = ratio(l.Lines, langLines)
		langTable = append(langTable, *l)
	}
	sort.Slice(langTable, func(i, j int) bool {
		a, b := langTable[i], langTable[j]
		if a.Lines != b.Lines {
			return a.Lines > b.Lines
		}
		return a.Language < b.Language
	})
	var top float64
	if len(repoTable) > 0 {
		top = repoTable[0].Share
	}

	fields := []string{"lines_added", "lines_removed", "lines_net"}
	return &Values{
		Summary: map[string]float64{
			"lines_added":          totAdded,
			"lines_removed":        totRemoved,
			"lines_net":            totAdded - totRemoved,
			"lines_changed":        totAdded + totRemoved,
			"files_changed":        files,
			"commits":              n,
			"languages":            float64(len(langTable)),
			"repositories":         float64(len(repoTable)),
			"top_repository_share": nanUnless(top, len(repoTable) > 0),
		},
		Series:  newBuckets(p).series(fields, added, removed, net),
		Columns: append([]string{"bucket"}, fields...),
		Tables: map[string]any{
			"languages":    langTable,
			"repositories": repoTable,
		},
	}, nil
}
