package store_test

import (
	"context"
	"testing"

	"github.com/momentum-app/momentum/backend/store"
	"github.com/momentum-app/momentum/backend/store/storetest"
)

// The sources write with upserts. On SQLite the upsert's conflict handling
// overrode the INSERT OR IGNORE of the rollup triggers it fired, and a
// second write of a row on an already-marked day failed. Every write here
// is done twice, taking the upsert's UPDATE path the second time.
func TestUpsertsMarkRollupDaysOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx, db := context.Background(), st.DB()
		exec := func(q string, args ...any) {
			t.Helper()
			for range 2 {
				if _, err := db.ExecContext(ctx, q, args...); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
		}
		const day = int64(20_000) // 2024-10-04, UTC
		at := day*86400 + 3600
		exec(`INSERT INTO repositories (source, external_id, full_name, name) VALUES ('github', '1', 'o/r', 'r')
			ON CONFLICT (source, external_id) DO UPDATE SET name = excluded.name`)
		exec(`INSERT INTO pipelines (source, external_id, name, repo_id) VALUES ('github', '7', 'ci', 1)
			ON CONFLICT (source, external_id) DO UPDATE SET name = excluded.name`)
		exec(`INSERT INTO pipeline_runs (pipeline_id, repo_id, external_id, status, started_at, finished_at, branch)
			VALUES (1, 1, '9', 'failure', $1, $2, 'main')
			ON CONFLICT (pipeline_id, external_id, attempt) DO UPDATE SET status = excluded.status, finished_at = excluded.finished_at`, at, at+600)
		exec(`INSERT INTO pipeline_runs (pipeline_id, repo_id, external_id, status, started_at, finished_at, branch)
			VALUES (1, 1, '10', 'success', $1, $2, 'main')
			ON CONFLICT (pipeline_id, external_id, attempt) DO UPDATE SET status = excluded.status, finished_at = excluded.finished_at`, at+900, at+1500)
		exec(`INSERT INTO commits (repo_id, sha, authored_at, committed_at) VALUES (1, 'abc', $1, $1)
			ON CONFLICT (repo_id, sha) DO UPDATE SET committed_at = excluded.committed_at`, at)
		exec(`INSERT INTO pull_requests (repo_id, source, external_id, number, state, created_at, updated_at, merged_at)
			VALUES (1, 'github', '5', 5, 'merged', $1, $2, $2)
			ON CONFLICT (repo_id, number) DO UPDATE SET updated_at = excluded.updated_at, merged_at = excluded.merged_at`, at-86400, at)
		var marks int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM rollup_dirty WHERE day = $1`, day).Scan(&marks); err != nil {
			t.Fatal(err)
		}
		if marks == 0 {
			t.Fatalf("no rollup family marked day %d dirty", day)
		}
	})
}
