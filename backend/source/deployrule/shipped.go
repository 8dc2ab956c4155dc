package deployrule

import (
	"context"
	"database/sql"
	"fmt"
)

// LinkShipped records which merged pull requests a successful deployment
// shipped (deployment_pull_requests), for sources whose platform does not
// say: the requests merged into the deployed branch whose merge commit is
// no newer than the deployed commit and that no earlier successful
// deployment to the same environment already carried. Newer and earlier
// compare commit times on the branch, which on a default branch that only
// moves forward is the same as reachability from the deployed commit; both
// commits must be stored (the commit scripts store the default branch).
func LinkShipped(ctx context.Context, db *sql.DB, deploymentID int64) error {
	_, err := db.ExecContext(ctx, `INSERT INTO deployment_pull_requests (deployment_id, pr_id)
		SELECT d.id, pr.id
		FROM deployments d
		JOIN commits dc ON dc.repo_id = d.repo_id AND dc.sha = d.commit_sha
		JOIN pull_requests pr ON pr.repo_id = d.repo_id AND pr.base_branch = d.ref AND pr.merged_at IS NOT NULL AND pr.merge_commit_sha <> ''
		JOIN commits mc ON mc.repo_id = pr.repo_id AND mc.sha = pr.merge_commit_sha
		WHERE d.id = $1 AND d.status = 'success' AND mc.committed_at <= dc.committed_at
			AND NOT EXISTS (SELECT 1 FROM deployments e JOIN commits ec ON ec.repo_id = e.repo_id AND ec.sha = e.commit_sha
				WHERE e.repo_id = d.repo_id AND e.environment = d.environment AND e.status = 'success' AND e.id <> d.id
					AND ec.committed_at >= mc.committed_at AND ec.committed_at < dc.committed_at)
		ON CONFLICT DO NOTHING`, deploymentID)
	if err != nil {
		return fmt.Errorf("deployrule: unable to link deployment %d to the pull requests it shipped: %w", deploymentID, err)
	}
	return nil
}
