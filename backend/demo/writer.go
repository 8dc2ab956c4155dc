package demo

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"time"

	"github.com/momentum-app/momentum/backend/store"
)

// table is one destination of the generator: its columns, the rows waiting to
// be written and the next id to hand out.
type table struct {
	name    string
	cols    []string
	hasID   bool
	rows    [][]any
	nextID  int64
	written int64
}

// tables in foreign-key order: a flush writes them in this order, so a row
// whose parent was added before it always finds the parent in the database.
var tableOrder = []struct {
	name string
	cols []string
}{
	{"people", []string{"id", "display_name", "email", "is_bot", "is_me", "created_at"}},
	{"accounts", []string{"id", "person_id", "source", "external_id", "login", "email", "name", "avatar_url", "profile_url", "is_bot"}},
	{"teams", []string{"id", "name", "description", "created_at"}},
	{"team_members", []string{"team_id", "person_id"}},
	{"repositories", []string{"id", "source", "external_id", "full_name", "name", "url", "description", "default_branch", "language", "stars", "forks", "is_private", "is_archived", "created_at", "updated_at"}},
	{"team_repositories", []string{"team_id", "repo_id"}},
	{"boards", []string{"id", "source", "external_id", "name", "project_key", "kind", "url"}},
	{"sprints", []string{"id", "board_id", "source", "external_id", "name", "state", "goal", "started_at", "ends_at", "completed_at"}},
	{"tickets", []string{"id", "source", "external_id", "key", "project_key", "board_id", "sprint_id", "title", "type", "status", "status_category", "priority", "assignee_account_id", "assignee_person_id", "reporter_account_id", "story_points", "url", "created_at", "updated_at", "resolved_at"}},
	{"ticket_transitions", []string{"id", "ticket_id", "external_id", "from_status", "to_status", "to_category", "author_account_id", "transitioned_at"}},
	{"commits", []string{"id", "repo_id", "sha", "author_account_id", "person_id", "committer_account_id", "authored_at", "author_tz_offset", "committed_at", "subject", "is_merge", "additions", "deletions", "files_changed"}},
	{"commit_files", []string{"commit_id", "path", "language", "additions", "deletions", "is_binary"}},
	{"pull_requests", []string{"id", "repo_id", "source", "external_id", "number", "title", "url", "state", "is_draft", "author_account_id", "person_id", "head_branch", "base_branch", "created_at", "ready_at", "first_commit_at", "first_review_at", "approved_at", "merged_at", "closed_at", "updated_at", "merge_commit_sha", "additions", "deletions", "changed_files", "commits_count", "review_rounds", "comments_count"}},
	{"pull_request_commits", []string{"pr_id", "commit_sha"}},
	{"pull_request_reviews", []string{"id", "pr_id", "external_id", "reviewer_account_id", "person_id", "state", "submitted_at", "comments_count"}},
	{"pull_request_comments", []string{"id", "pr_id", "external_id", "author_account_id", "person_id", "kind", "in_reply_to", "body_length", "created_at", "resolved_at"}},
	{"pipelines", []string{"id", "repo_id", "source", "external_id", "name", "path", "url"}},
	{"pipeline_runs", []string{"id", "pipeline_id", "repo_id", "external_id", "number", "branch", "commit_sha", "event", "status", "attempt", "person_id", "started_at", "finished_at", "duration_s", "failure_reason", "url"}},
	{"pipeline_jobs", []string{"id", "run_id", "parent_id", "external_id", "name", "stage", "status", "started_at", "finished_at", "duration_s", "failure_reason"}},
	{"deployments", []string{"id", "repo_id", "source", "external_id", "environment", "is_production", "status", "commit_sha", "ref", "pipeline_run_id", "person_id", "created_at", "finished_at", "url"}},
	{"deployment_pull_requests", []string{"deployment_id", "pr_id"}},
	{"quality_snapshots", []string{"id", "repo_id", "source", "project_key", "analyzed_at", "coverage", "lines_of_code", "bugs", "vulnerabilities", "code_smells", "debt_minutes", "debt_ratio", "complexity", "cognitive_complexity", "duplication", "maintainability_rating", "reliability_rating", "security_rating"}},
	{"quality_issues", []string{"id", "repo_id", "source", "external_id", "kind", "severity", "rule", "category", "message", "path", "status", "effort_minutes", "created_at", "resolved_at"}},
	{"cost_records", []string{"id", "source", "account", "service", "region", "day", "amount", "currency"}},
	{"budgets", []string{"id", "name", "source", "service", "monthly_amount", "currency", "created_at"}},
	{"saved_views", []string{"id", "name", "slug", "page", "query", "created_at", "updated_at"}},
}

// writer buffers generated rows and writes them in batches through
// store.BulkInsert, so memory stays bounded however many rows are made.
type writer struct {
	ctx      context.Context
	st       *store.Store
	tables   []*table
	byName   map[string]*table
	buffered int
	batch    int
	err      error

	progress   io.Writer
	started    time.Time
	total      int64
	nextReport int64
	phase      string
}

func newWriter(ctx context.Context, st *store.Store, batch int, progress io.Writer) (*writer, error) {
	w := &writer{ctx: ctx, st: st, byName: map[string]*table{}, batch: batch, progress: progress,
		started: time.Now(), nextReport: reportEvery}
	for _, d := range tableOrder {
		t := &table{name: d.name, cols: d.cols, hasID: d.cols[0] == "id"}
		if t.hasID {
			// Ids are assigned here, after any rows already in the table, so
			// that children can point at parents before either is written.
			var max sql.NullInt64
			if err := st.DB().QueryRowContext(ctx, "SELECT MAX(id) FROM "+d.name).Scan(&max); err != nil {
				return nil, fmt.Errorf("demo: unable to read the largest id of %s: %w", d.name, err)
			}
			t.nextID = max.Int64 + 1
		}
		w.tables = append(w.tables, t)
		w.byName[d.name] = t
	}
	return w, nil
}

const reportEvery = 100_000

func (w *writer) table(name string) *table {
	t, ok := w.byName[name]
	if !ok {
		panic("demo: unknown table " + name)
	}
	return t
}

// id hands out the next id of t.
func (t *table) id() int64 {
	id := t.nextID
	t.nextID++
	return id
}

// add queues one row of t; values follow t.cols.
func (w *writer) add(t *table, values ...any) {
	if len(values) != len(t.cols) {
		panic(fmt.Sprintf("demo: %d values for the %d columns of %s", len(values), len(t.cols), t.name))
	}
	t.rows = append(t.rows, values)
	w.buffered++
	if w.buffered >= w.batch {
		w.flush()
	}
}

// flush writes every buffered row, parents before children. After an error
// it does nothing; the error is reported by close.
func (w *writer) flush() {
	if w.err != nil {
		return
	}
	if err := w.ctx.Err(); err != nil {
		w.err = err
		return
	}
	for _, t := range w.tables {
		if len(t.rows) == 0 {
			continue
		}
		if err := w.st.BulkInsert(w.ctx, t.name, t.cols, t.rows); err != nil {
			w.err = fmt.Errorf("demo: %w", err)
			return
		}
		t.written += int64(len(t.rows))
		w.total += int64(len(t.rows))
		clear(t.rows) // let the values go before the next batch fills in
		t.rows = t.rows[:0]
	}
	w.buffered = 0
	if w.progress != nil && w.total >= w.nextReport {
		for w.nextReport <= w.total {
			w.nextReport += reportEvery
		}
		el := time.Since(w.started).Seconds()
		fmt.Fprintf(w.progress, "demo: %9d rows in %5.1fs (%6.0f rows/s) %s\n", w.total, el, float64(w.total)/el, w.phase)
	}
}

// close writes what is left and moves the PostgreSQL id sequences past the
// ids handed out here.
func (w *writer) close() error {
	w.flush()
	if w.err != nil {
		return w.err
	}
	var withID []string
	for _, t := range w.tables {
		if t.hasID && t.written > 0 {
			withID = append(withID, t.name)
		}
	}
	if err := w.st.ResetSequences(w.ctx, withID...); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	return nil
}

func (w *writer) stats() Stats {
	s := Stats{}
	for _, t := range w.tables {
		s[t.name] = t.written
	}
	return s
}
