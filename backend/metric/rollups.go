package metric

import (
	"context"

	"github.com/momentum-app/momentum/backend/rollup"
)

// fresh brings the named rollup families up to date before a metric reads
// their tables: rows written since the last collection (or by a test,
// directly) are then counted. It costs one indexed read when nothing
// changed.
func (q *querier) fresh(ctx context.Context, families ...string) error {
	return rollup.Refresh(ctx, q.db, q.postgres, families...)
}
