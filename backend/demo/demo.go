// Package demo fills a Momentum database with a deterministic, realistic data
// set: an organisation "acme" with people in several time zones, repositories,
// commits, pull requests and reviews, CI runs and deployments, Jira-like
// sprints, code-quality scans and cloud costs, so that every metric has
// something to show before any source is configured.
//
// Demo rows are marked so that they can be replaced without touching collected
// data: source = 'demo' wherever a table has a source column (accounts,
// repositories, pull requests, pipelines, deployments, boards, sprints,
// tickets, quality snapshots and issues); rows of other tables hang off those
// by foreign key (commits, runs, reviews, ...), except for
// cost_records.account, saved_views.slug ("demo-..." prefix) and
// teams.description, budgets.name ("Demo: " prefix). Demo people are the
// people whose every account is a demo account.
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/momentum-app/momentum/backend/rollup"
	"github.com/momentum-app/momentum/backend/store"
)

// Scale chooses how much data Generate makes.
type Scale int

const (
	// Small is a year of a dozen repositories: some thousands of rows, made
	// in well under a second, for trying the app.
	Small Scale = iota
	// Large is three years of sixty repositories: over a million commits and
	// pipeline runs, for benchmarks.
	Large
)

func (s Scale) String() string {
	switch s {
	case Small:
		return "small"
	case Large:
		return "large"
	}
	return fmt.Sprintf("Scale(%d)", int(s))
}

// ParseScale reads a --scale value.
func ParseScale(v string) (Scale, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "small", "":
		return Small, nil
	case "large":
		return Large, nil
	}
	return 0, fmt.Errorf("unknown demo scale %q: use small (a few thousand rows) or large (over a million commits, for benchmarks)", v)
}

// Options control Generate.
type Options struct {
	Scale Scale
	// Now is the end of the generated history; the zero value means time.Now().
	// The same Seed and Now give the same rows; a later Now on the same UTC
	// day gives the same history up to the earlier Now, and more after it.
	Now  time.Time
	Seed int64
	// Progress, when set, receives a line every 100,000 rows.
	Progress io.Writer
	// Replace deletes earlier demo data first. Without it Generate refuses a
	// database that already holds commits or demo data.
	Replace bool
}

// Stats counts the rows Generate wrote, per table.
type Stats map[string]int64

// Total is the number of rows written.
func (s Stats) Total() int64 {
	var n int64
	for _, v := range s {
		n += v
	}
	return n
}

// ErrNotEmpty is returned when the database already has data and
// Options.Replace is false.
var ErrNotEmpty = errors.New("demo: the database already has commits or demo data; replace the demo data (--replace) or use an empty database")

const (
	demoSource     = "demo"
	demoSlugPrefix = "demo-"  // saved_views.slug, cost_records.account
	demoNamePrefix = "Demo: " // teams.description, budgets.name
)

// Generate writes the demo data set into st and reports the rows written.
// The busiest demo person becomes "me" unless someone already is.
//
// Ids are assigned up front, after the largest id of each table, so nothing
// else should write to the database meanwhile.
//
// Rows are written in batches, each its own transaction: if Generate fails
// half way, the rows written so far stay, and a later run with Replace
// removes them.
func Generate(ctx context.Context, st *store.Store, opts Options) (Stats, error) {
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if opts.Scale != Small && opts.Scale != Large {
		return nil, fmt.Errorf("demo: unknown scale %v", opts.Scale)
	}
	if opts.Replace {
		start := time.Now()
		if err := deleteDemo(ctx, st); err != nil {
			return nil, err
		}
		if opts.Progress != nil {
			fmt.Fprintf(opts.Progress, "demo: deleted the earlier demo data in %.1fs\n", time.Since(start).Seconds())
		}
	} else if busy, err := hasData(ctx, st); err != nil {
		return nil, err
	} else if busy {
		return nil, ErrNotEmpty
	}
	if err := checkNames(ctx, st); err != nil {
		return nil, err
	}
	var someoneIsMe bool
	if err := st.DB().QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM people WHERE is_me)`).Scan(&someoneIsMe); err != nil {
		return nil, fmt.Errorf("demo: unable to read people: %w", err)
	}

	batch := 20_000
	if opts.Scale == Large {
		batch = 50_000
	}
	w, err := newWriter(ctx, st, batch, opts.Progress)
	if err != nil {
		return nil, err
	}
	g, err := newGenerator(w, opts, !someoneIsMe)
	if err != nil {
		return nil, err
	}
	g.run()
	if err := w.close(); err != nil {
		return w.stats(), err
	}
	// The rollup tables summarise what was written (the triggers marked
	// every day of it).
	if err := rollup.Refresh(ctx, st.DB(), st.Engine().Postgres()); err != nil {
		return w.stats(), fmt.Errorf("demo: %w", err)
	}
	// Millions of new rows: give the planners statistics for them.
	if err := st.Analyze(ctx); err != nil {
		return w.stats(), err
	}
	if opts.Progress != nil {
		fmt.Fprintf(opts.Progress, "demo: %d rows in %.1fs\n", w.total, time.Since(w.started).Seconds())
	}
	return w.stats(), nil
}

// hasData reports whether the database holds commits or demo rows.
func hasData(ctx context.Context, st *store.Store) (bool, error) {
	var busy bool
	err := st.DB().QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM commits)
		OR EXISTS (SELECT 1 FROM accounts WHERE source = 'demo')
		OR EXISTS (SELECT 1 FROM repositories WHERE source = 'demo')`).Scan(&busy)
	if err != nil {
		return false, fmt.Errorf("demo: unable to check the database: %w", err)
	}
	return busy, nil
}

// checkNames refuses to run when collected data already uses a unique name
// the demo needs (teams are unique by name and carry no source).
func checkNames(ctx context.Context, st *store.Store) error {
	for _, t := range teamDefs {
		var taken bool
		if err := st.DB().QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM teams WHERE name = $1)`, t.name).Scan(&taken); err != nil {
			return fmt.Errorf("demo: unable to read teams: %w", err)
		}
		if taken {
			return fmt.Errorf("demo: a team named %q already exists; rename it before loading the demo", t.name)
		}
	}
	return nil
}

// deleteDemo removes every demo row in one transaction, children first, and
// leaves all other rows alone.
func deleteDemo(ctx context.Context, st *store.Store) (err error) {
	tx, err := st.DB().BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("demo: unable to delete the demo data: %w", err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
			err = fmt.Errorf("demo: unable to delete the demo data: %w", err)
		}
	}()
	// Demo people: every account of theirs is a demo account.
	var people []int64
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT person_id FROM accounts a WHERE source = 'demo'
		AND NOT EXISTS (SELECT 1 FROM accounts b WHERE b.person_id = a.person_id AND b.source <> 'demo')
		ORDER BY person_id`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		if err = rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		people = append(people, id)
	}
	rows.Close()
	if err = rows.Err(); err != nil {
		return err
	}

	const (
		repos = `SELECT id FROM repositories WHERE source = 'demo'`
		runs  = `SELECT id FROM pipeline_runs WHERE pipeline_id IN (SELECT id FROM pipelines WHERE source = 'demo')`
		prs   = `SELECT id FROM pull_requests WHERE source = 'demo'`
	)
	// Set-based deletes from the leaves up: cheaper than letting each
	// deleted parent cascade row by row.
	steps := []string{
		`DELETE FROM deployment_pull_requests WHERE deployment_id IN (SELECT id FROM deployments WHERE source = 'demo')`,
		`DELETE FROM deployments WHERE source = 'demo'`,
		`DELETE FROM ticket_transitions WHERE ticket_id IN (SELECT id FROM tickets WHERE source = 'demo')`,
		`DELETE FROM tickets WHERE source = 'demo'`,
		`DELETE FROM sprints WHERE source = 'demo'`,
		`DELETE FROM boards WHERE source = 'demo'`,
		`DELETE FROM quality_issues WHERE source = 'demo'`,
		`DELETE FROM quality_snapshots WHERE source = 'demo'`,
		`DELETE FROM pipeline_jobs WHERE parent_id IS NOT NULL AND run_id IN (` + runs + `)`,
		`DELETE FROM pipeline_jobs WHERE run_id IN (` + runs + `)`,
		`DELETE FROM pipeline_runs WHERE pipeline_id IN (SELECT id FROM pipelines WHERE source = 'demo')`,
		`DELETE FROM pipelines WHERE source = 'demo'`,
		`DELETE FROM deployment_pull_requests WHERE pr_id IN (` + prs + `)`,
		`DELETE FROM pull_request_comments WHERE pr_id IN (` + prs + `)`,
		`DELETE FROM pull_request_reviews WHERE pr_id IN (` + prs + `)`,
		`DELETE FROM pull_request_commits WHERE pr_id IN (` + prs + `)`,
		`DELETE FROM pull_requests WHERE source = 'demo'`,
		`DELETE FROM commit_files WHERE commit_id IN (SELECT id FROM commits WHERE repo_id IN (` + repos + `))`,
		`DELETE FROM commits WHERE repo_id IN (` + repos + `)`,
		`DELETE FROM team_repositories WHERE repo_id IN (` + repos + `)`,
		`DELETE FROM repositories WHERE source = 'demo'`,
		`DELETE FROM team_members WHERE team_id IN (SELECT id FROM teams WHERE description LIKE 'Demo: %')`,
		`DELETE FROM teams WHERE description LIKE 'Demo: %'`,
		`DELETE FROM accounts WHERE source = 'demo'`,
		`DELETE FROM cost_records WHERE account LIKE 'demo-%'`,
		`DELETE FROM budgets WHERE name LIKE 'Demo: %'`,
		`DELETE FROM saved_views WHERE slug LIKE 'demo-%'`,
	}
	for _, q := range steps {
		if _, err = tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	for len(people) > 0 {
		n := min(len(people), 500)
		ids := make([]string, n)
		for i, id := range people[:n] {
			ids[i] = fmt.Sprint(id)
		}
		if _, err = tx.ExecContext(ctx, `DELETE FROM team_members WHERE person_id IN (`+strings.Join(ids, ",")+`)`); err != nil {
			return err
		}
		if _, err = tx.ExecContext(ctx, `DELETE FROM people WHERE id IN (`+strings.Join(ids, ",")+`)`); err != nil {
			return err
		}
		people = people[n:]
	}
	return tx.Commit()
}
