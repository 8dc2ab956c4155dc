package store

import (
	"context"
	"fmt"
)

// Pruned counts the rows PruneBefore deleted, by table (children that went
// with their parent through ON DELETE CASCADE are not counted).
type Pruned map[string]int64

// Total is the number of rows deleted.
func (p Pruned) Total() int64 {
	var n int64
	for _, v := range p {
		n += v
	}
	return n
}

// pruneSteps say what "older than the cutoff" means for each kind of
// collected fact, in the order they run. A fact that is still live (an open
// pull request or ticket, an unresolved quality issue, the latest quality
// snapshot of a project) is kept whatever its age. Nothing here touches the
// collection engine's own state (collect_state, data_source_runs,
// collect_locks, git_sync_state) or the people, accounts and repositories:
// incremental collection resumes where it stood, and collection windows
// never reach below the same cutoff (see collect's date range).
var pruneSteps = []struct{ table, where string }{
	// Both instants old: a commit rebased or cherry-picked recently falls
	// in a collection window by its committer time and stays.
	{"commits", `authored_at < $1 AND committed_at < $1`}, // commit_files cascade
	// Closed or merged and untouched since: reviews, comments, commits and
	// deployment links cascade.
	{"pull_requests", `state <> 'open' AND updated_at < $1`},
	{"pipeline_runs", `started_at < $1 AND COALESCE(finished_at, started_at) < $1`}, // jobs cascade; deployments keep, unlinked
	{"deployments", `COALESCE(finished_at, created_at) < $1`},
	{"tickets", `resolved_at IS NOT NULL AND resolved_at < $1 AND updated_at < $1`}, // transitions cascade
	{"sprints", `completed_at IS NOT NULL AND completed_at < $1 AND NOT EXISTS (SELECT 1 FROM tickets t WHERE t.sprint_id = sprints.id)`},
	{"quality_snapshots", `analyzed_at < $1 AND analyzed_at < (SELECT MAX(q.analyzed_at) FROM quality_snapshots q
		WHERE q.source = quality_snapshots.source AND q.project_key = quality_snapshots.project_key)`},
	{"quality_issues", `resolved_at IS NOT NULL AND resolved_at < $1`},
	{"cost_records", `day < $1`},
}

// PruneBefore deletes collected data older than before (Unix seconds), all
// or nothing, and says how many rows of each table went.
func (s *Store) PruneBefore(ctx context.Context, before int64) (Pruned, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: unable to prune old data: %w", err)
	}
	defer tx.Rollback()
	out := Pruned{}
	for _, step := range pruneSteps {
		res, err := tx.ExecContext(ctx, `DELETE FROM `+step.table+` WHERE `+step.where, before)
		if err != nil {
			return nil, fmt.Errorf("store: unable to prune old %s: %w", step.table, err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			out[step.table] = n
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("store: unable to prune old data: %w", err)
	}
	return out, nil
}
