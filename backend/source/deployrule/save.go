package deployrule

import (
	"context"
	"database/sql"
)

// Deployment is a row of deployments as a source writes it; RunID, PersonID
// and Finished are nil when unknown, Created is Unix seconds (any integer).
type Deployment struct {
	RepoID                          int64
	Source, ExternalID, Environment string
	Production                      bool
	Status, SHA, Ref, URL           string
	RunID, PersonID, Finished       any
	Created                         any
}

// Save upserts d by (source, external id) and returns its id.
func Save(ctx context.Context, db *sql.DB, d Deployment) (int64, error) {
	var id int64
	err := db.QueryRowContext(ctx, `INSERT INTO deployments (repo_id, source, external_id, environment, is_production, status,
			commit_sha, ref, pipeline_run_id, person_id, created_at, finished_at, url)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
		ON CONFLICT (source, external_id) DO UPDATE SET repo_id = excluded.repo_id, environment = excluded.environment,
			is_production = excluded.is_production, status = excluded.status, commit_sha = excluded.commit_sha,
			ref = excluded.ref, pipeline_run_id = excluded.pipeline_run_id, person_id = excluded.person_id,
			created_at = excluded.created_at, finished_at = excluded.finished_at, url = excluded.url
		RETURNING id`,
		d.RepoID, d.Source, d.ExternalID, d.Environment, d.Production, d.Status, d.SHA, d.Ref, d.RunID, d.PersonID,
		d.Created, d.Finished, d.URL).Scan(&id)
	return id, err
}
