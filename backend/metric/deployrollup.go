package metric

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/momentum-app/momentum/backend/rollup"
)

// The pr_deploys rollup (store v10): each merged pull request that reached
// production, with the instant its first successful production deployment
// finished at or after the merge, by the day of the merge. Finding that
// instant joins a pull request to its deployment links and to the
// deployments of its merge commit; on the large demo data that join was
// most of cycle-time's and deployments' time, so it is done once, when the
// rows change, instead of on every request.
const prDeploysFamily = "pr_deploys"

func init() {
	rollup.Register(rollup.Family{Name: prDeploysFamily, Rebuild: rebuildPRDeploys})
}

// firstProductionDeploy selects, for the pull requests pr merged in
// [$1, $2) with cond, their id and the instant their first successful
// production deployment finished at or after the merge (one row or none per
// pull request). The raw path and the rollup's rebuild share it.
func firstProductionDeploy(cols, cond string) string {
	return `SELECT ` + cols + `, MIN(x.deployed) FROM (
			SELECT pr.id AS id, d.finished_at AS deployed FROM pull_requests pr
			JOIN deployment_pull_requests dp ON dp.pr_id = pr.id
			JOIN deployments d ON d.id = dp.deployment_id
			WHERE pr.merged_at >= $1 AND pr.merged_at < $2` + cond + ` AND ` + productionSuccess + ` AND d.finished_at >= pr.merged_at
			UNION ALL
			SELECT pr.id, d.finished_at FROM pull_requests pr
			JOIN deployments d ON d.commit_sha = pr.merge_commit_sha AND d.repo_id = pr.repo_id
			WHERE pr.merged_at >= $1 AND pr.merged_at < $2` + cond + ` AND pr.merge_commit_sha <> '' AND ` + productionSuccess + ` AND d.finished_at >= pr.merged_at
		) x JOIN pull_requests pr ON pr.id = x.id
		GROUP BY ` + cols
}

// rebuildPRDeploys replaces the rows of the pull requests merged on the
// days, span by span.
func rebuildPRDeploys(ctx context.Context, tx *sql.Tx, postgres bool, days []int64) error {
	fill := `INSERT INTO rollup_pr_deploys (pr_id, repo_id, person_id, start_at, merged_at, deployed_at) ` +
		firstProductionDeploy(`pr.id, pr.repo_id, pr.person_id, COALESCE(pr.first_commit_at, pr.created_at), pr.merged_at`, "")
	spans := rollup.Spans(days)
	// All spans are cleared before any is filled: a pull request whose
	// merge moved between two of them still has its row under the old day.
	for _, s := range spans {
		if _, err := tx.ExecContext(ctx, `DELETE FROM rollup_pr_deploys WHERE merged_at >= $1 AND merged_at < $2`, s.Start(), s.End()); err != nil {
			return fmt.Errorf("unable to clear deployed pull requests: %w", err)
		}
	}
	for _, s := range spans {
		if _, err := tx.ExecContext(ctx, fill, s.Start(), s.End()); err != nil {
			return fmt.Errorf("unable to fill deployed pull requests: %w", err)
		}
	}
	return nil
}

// prDeploysRollup reports whether the first deployments of pull requests
// are read from rollup_pr_deploys, after bringing it up to date.
func (q *querier) prDeploysRollup(ctx context.Context) (bool, error) {
	if q.raw {
		return false, nil
	}
	if err := q.fresh(ctx, prDeploysFamily); err != nil {
		return false, err
	}
	return true, nil
}
