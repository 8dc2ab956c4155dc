package metric

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

const dateLayout = "2006-01-02"

// Group is the bucket size of a series.
type Group string

const (
	Day   Group = "day"
	Week  Group = "week"
	Month Group = "month"
)

// Filter is what a user asked for: repository full names, team IDs or
// names, people by ID, email or login. Resolve turns it into IDs.
type Filter struct {
	Repos    []string
	Teams    []string
	People   []string
	WithBots bool
}

// Query is a metric request: an inclusive range of UTC days, grouping,
// comparison and filters.
type Query struct {
	From, To time.Time
	Group    Group
	Compare  bool
	Filter   Filter
	// Now is the instant point-in-time figures (work in progress) are taken
	// at when the range reaches it; zero means the end of the range.
	Now time.Time
}

// Period is one range of a computation, with the filter resolved.
type Period struct {
	From, To time.Time // inclusive UTC days
	Group    Group
	Filter   resolved
	// layoutFrom, when set, is the start of the period this one is compared
	// with: buckets then follow that period's layout, day for day, so the
	// previous series lines up with the current one point by point.
	layoutFrom time.Time
	now        time.Time // see Query.Now
}

// Start and End are the period's bounds in Unix seconds, End exclusive.
func (p Period) Start() int64 { return p.From.Unix() }
func (p Period) End() int64   { return p.To.AddDate(0, 0, 1).Unix() }

// AsOf is the instant point-in-time figures describe: the end of the
// period, or now when the period has not ended yet.
func (p Period) AsOf() int64 {
	if !p.now.IsZero() && p.now.Unix() < p.End() {
		return max(p.now.Unix(), p.Start())
	}
	return p.End()
}

// resolved is a Filter as ID sets; a nil set means "no restriction", an
// empty one means "matches nothing".
type resolved struct {
	repoIDs   []int64
	personIDs []int64
	// teamIDs are the teams with members named in the filter (the pipeline
	// rollup keeps figures per team).
	teamIDs  []int64
	withBots bool
	// botIDs are the people left out of people-based figures: bots, unless
	// the query includes them or names them.
	botIDs []int64
}

// ErrBadQuery marks a request the user can correct (the API answers 400).
var ErrBadQuery = errors.New("bad query")

func badQuery(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrBadQuery, fmt.Sprintf(format, a...))
}

var rangeRE = regexp.MustCompile(`^([1-9][0-9]{0,3})d$`)

// ParseQuery reads the query from URL-style parameters: range=30d or
// from/to (YYYY-MM-DD, inclusive), compare, group, repo, team, person.
// now fixes "today" (UTC) for relative ranges.
func ParseQuery(get func(string) string, now time.Time) (Query, error) {
	q := Query{Group: Day, Now: now}
	today := now.UTC().Truncate(24 * time.Hour)
	from, to, rng := get("from"), get("to"), get("range")
	switch {
	case from != "" || to != "":
		if from == "" || to == "" {
			return q, badQuery("from and to go together (YYYY-MM-DD, inclusive)")
		}
		var err error
		if q.From, err = time.Parse(dateLayout, from); err != nil {
			return q, badQuery("from=%q is not a date (YYYY-MM-DD)", from)
		}
		if q.To, err = time.Parse(dateLayout, to); err != nil {
			return q, badQuery("to=%q is not a date (YYYY-MM-DD)", to)
		}
		if q.To.Before(q.From) {
			return q, badQuery("to (%s) is before from (%s)", to, from)
		}
		if q.To.Sub(q.From) > 3700*24*time.Hour {
			return q, badQuery("the range is longer than ten years")
		}
	default:
		if rng == "" {
			rng = "30d"
		}
		m := rangeRE.FindStringSubmatch(rng)
		if m == nil {
			return q, badQuery("range=%q: use a number of days such as 7d, 30d, 60d or 90d", rng)
		}
		n, _ := strconv.Atoi(m[1])
		q.To = today
		q.From = today.AddDate(0, 0, -(n - 1))
	}
	switch g := get("group"); g {
	case "", "day":
		q.Group = Day
	case "week", "month":
		q.Group = Group(g)
	default:
		return q, badQuery("group=%q: use day, week or month", g)
	}
	switch c := get("compare"); c {
	case "", "0", "false":
	case "1", "true":
		q.Compare = true
	default:
		return q, badQuery("compare=%q: use true or false", c)
	}
	switch b := get("bots"); b {
	case "", "0", "false":
	case "1", "true":
		q.Filter.WithBots = true
	default:
		return q, badQuery("bots=%q: use true or false", b)
	}
	q.Filter.Repos = splitList(get("repo"))
	q.Filter.Teams = splitList(get("team"))
	q.Filter.People = splitList(get("person"))
	return q, nil
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// resolve turns names into IDs, failing on anything unknown so a typo never
// silently shows an empty chart.
func (e *Engine) resolve(ctx context.Context, f Filter) (resolved, error) {
	r := resolved{withBots: f.WithBots}
	for _, name := range f.Repos {
		ids, err := e.ids(ctx, `SELECT id FROM repositories WHERE full_name = $1 OR lower(full_name) = lower($1)`, name)
		if err != nil {
			return r, err
		}
		if len(ids) == 0 {
			return r, badQuery("unknown repository %q (use its full name, e.g. owner/name)", name)
		}
		r.repoIDs = append(r.repoIDs, ids...)
	}
	var people []int64
	for _, p := range f.People {
		var ids []int64
		var err error
		if id, perr := strconv.ParseInt(p, 10, 64); perr == nil {
			ids, err = e.ids(ctx, `SELECT id FROM people WHERE id = $1`, id)
		} else {
			ids, err = e.ids(ctx, `SELECT DISTINCT person_id FROM accounts WHERE email = lower($1) OR lower(login) = lower($1)
				UNION SELECT id FROM people WHERE email = lower($1)`, p)
		}
		if err != nil {
			return r, err
		}
		if len(ids) == 0 {
			return r, badQuery("unknown person %q (use a person ID, an email or a login)", p)
		}
		people = append(people, ids...)
	}
	if len(f.Teams) > 0 {
		var members, repos []int64
		for _, t := range f.Teams {
			var team []int64
			var err error
			if id, perr := strconv.ParseInt(t, 10, 64); perr == nil {
				team, err = e.ids(ctx, `SELECT id FROM teams WHERE id = $1`, id)
			} else {
				team, err = e.ids(ctx, `SELECT id FROM teams WHERE lower(name) = lower($1)`, t)
			}
			if err != nil {
				return r, err
			}
			if len(team) == 0 {
				return r, badQuery("unknown team %q (use a team ID or name)", t)
			}
			m, err := e.ids(ctx, `SELECT person_id FROM team_members WHERE team_id = $1`, team[0])
			if err != nil {
				return r, err
			}
			if len(m) > 0 {
				members = append(members, m...)
				r.teamIDs = append(r.teamIDs, team[0])
				continue
			}
			// A team without members is defined by its repositories.
			rp, err := e.ids(ctx, `SELECT t.repo_id FROM team_repositories t JOIN repositories r ON r.id = t.repo_id
				WHERE t.team_id = $1 AND NOT r.excluded`, team[0])
			if err != nil {
				return r, err
			}
			repos = append(repos, rp...)
		}
		if members != nil {
			if people != nil {
				people = intersect(people, members)
			} else {
				people = members
			}
		}
		if repos != nil {
			if r.repoIDs != nil {
				r.repoIDs = intersect(r.repoIDs, repos)
			} else {
				r.repoIDs = repos
			}
		}
		if members == nil && repos == nil {
			r.repoIDs = []int64{} // teams with neither: nothing matches
		}
	}
	if people != nil {
		r.personIDs = people
	}
	if r.repoIDs == nil {
		// Repositories the user excluded (or that a source no longer
		// reaches) are out of the figures; their rows are kept, so including
		// one again brings its history back. Named in the filter, one counts.
		// One read of the (short) list of repositories on every request.
		included, excluded := []int64{}, false
		err := eachRow(ctx, e.db, `SELECT id, excluded FROM repositories`, nil, func(rows *sql.Rows) error {
			var id int64
			var out bool
			if err := rows.Scan(&id, &out); err != nil {
				return err
			}
			if out {
				excluded = true
			} else {
				included = append(included, id)
			}
			return nil
		})
		if err != nil {
			return r, fmt.Errorf("unable to resolve filter: %w", err)
		}
		if excluded {
			r.repoIDs = included
		}
	}
	if !f.WithBots {
		// A bot is a person flagged as one, or with a bot account (GitHub
		// logins of apps end in [bot]). One named in the filter stays in.
		bots, err := e.ids(ctx, `SELECT id FROM people WHERE is_bot
			UNION SELECT person_id FROM accounts WHERE is_bot OR login LIKE '%[bot]'`)
		if err != nil {
			return r, err
		}
		named := make(map[int64]bool, len(people))
		for _, id := range people {
			named[id] = true
		}
		for _, id := range bots {
			if !named[id] {
				r.botIDs = append(r.botIDs, id)
			}
		}
	}
	return r, nil
}

func (e *Engine) ids(ctx context.Context, query string, args ...any) ([]int64, error) {
	rows, err := e.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("unable to resolve filter: %w", err)
	}
	defer rows.Close()
	ids := []int64{}
	for rows.Next() {
		var id sql.NullInt64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		if id.Valid {
			ids = append(ids, id.Int64)
		}
	}
	return ids, rows.Err()
}

func intersect(a, b []int64) []int64 {
	in := make(map[int64]bool, len(b))
	for _, v := range b {
		in[v] = true
	}
	out := []int64{}
	for _, v := range a {
		if in[v] {
			out = append(out, v)
		}
	}
	return out
}
