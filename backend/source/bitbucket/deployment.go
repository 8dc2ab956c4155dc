package bitbucket

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"time"

	"github.com/momentum-app/momentum/backend/source"
)

type environment struct {
	UUID string `json:"uuid"`
	Name string `json:"name"`
	Type struct {
		Name string `json:"name"`
	} `json:"environment_type"`
}

type deployment struct {
	UUID        string `json:"uuid"`
	Environment struct {
		UUID string `json:"uuid"`
	} `json:"environment"`
	Release struct {
		Name   string `json:"name"`
		URL    string `json:"url"`
		Commit *struct {
			Hash string `json:"hash"`
		} `json:"commit"`
		Pipeline *struct {
			UUID string `json:"uuid"`
		} `json:"pipeline"`
		CreatedOn *time.Time `json:"created_on"`
	} `json:"release"`
	State struct {
		Name   string `json:"name"`
		Status *struct {
			Name string `json:"name"`
		} `json:"status"`
		Deployer       *user      `json:"deployer"`
		StartDate      *time.Time `json:"start_date"`
		CompletionDate *time.Time `json:"completion_date"`
	} `json:"state"`
}

func deployStatus(d deployment) string {
	if d.State.Name != "COMPLETED" || d.State.Status == nil {
		return "in_progress"
	}
	switch d.State.Status.Name {
	case "SUCCESSFUL":
		return "success"
	case "FAILED":
		return "failure"
	default: // STOPPED
		return "cancelled"
	}
}

// runDeployments stores each repository's Bitbucket deployments started
// since the window start. Production is an environment of type Production
// or named like BITBUCKET_PRODUCTION. Bitbucket lists deployments newest
// first; the script stops at the first page with nothing newer than the
// window. Two requests per unchanged repository: environments and one page
// of deployments.
func runDeployments(ctx context.Context, job *source.Job) error {
	a := newAPI(job)
	rs, err := repos(ctx, job)
	if err != nil {
		return err
	}
	who := newPeople(job)
	ws := job.Config.Get(KeyWorkspace)
	prod := job.Config.List(KeyProduction)
	if len(prod) == 0 {
		prod = []string{"production", "prod", "live"}
	}
	db := job.Store.DB()
	for _, r := range rs {
		envs := map[string]environment{}
		if err := each(ctx, a, a.url(url.Values{"pagelen": {"100"}}, "repositories", ws, r.slug, "environments"), func(e environment) (bool, error) {
			envs[e.UUID] = e
			return true, nil
		}); err != nil {
			return fmt.Errorf("bitbucket: unable to list the environments of %s: %w", r.fullName, err)
		}
		if len(envs) == 0 {
			continue // no deployments without environments
		}
		u := a.url(url.Values{"pagelen": {"100"}}, "repositories", ws, r.slug, "deployments")
		for u != "" {
			var pg page[deployment]
			if _, err := job.HTTP.GetJSON(ctx, u, a.header(), &pg); err != nil {
				return fmt.Errorf("bitbucket: unable to list the deployments of %s: %w", r.fullName, err)
			}
			newer := false
			for _, d := range pg.Values {
				started := d.State.StartDate
				if started == nil {
					started = d.Release.CreatedOn
				}
				if started == nil || started.Before(job.Window.Start) {
					continue
				}
				newer = true
				env := envs[d.Environment.UUID]
				deployer, err := who.account(ctx, d.State.Deployer, "")
				if err != nil {
					return err
				}
				sha := ""
				if d.Release.Commit != nil {
					sha = d.Release.Commit.Hash
				}
				var run any
				ref := ""
				if d.Release.Pipeline != nil {
					var id int64
					err := db.QueryRowContext(ctx, `SELECT id, branch FROM pipeline_runs WHERE repo_id = $1 AND external_id = $2`, r.id, d.Release.Pipeline.UUID).Scan(&id, &ref)
					switch {
					case err == nil:
						run = id
					case err != sql.ErrNoRows:
						return err
					}
				}
				status := deployStatus(d)
				var fin any
				if status != "in_progress" {
					fin = unix(d.State.CompletionDate)
				}
				isProd := env.Type.Name == "Production" || matchAny(prod, env.Name)
				if _, err := db.ExecContext(ctx, `INSERT INTO deployments (repo_id, source, external_id, environment, is_production, status,
						commit_sha, ref, pipeline_run_id, person_id, created_at, finished_at, url)
					VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
					ON CONFLICT (source, external_id) DO UPDATE SET repo_id = excluded.repo_id, environment = excluded.environment,
						is_production = excluded.is_production, status = excluded.status, commit_sha = excluded.commit_sha,
						ref = excluded.ref, pipeline_run_id = excluded.pipeline_run_id, person_id = excluded.person_id,
						created_at = excluded.created_at, finished_at = excluded.finished_at, url = excluded.url`,
					r.id, ID, d.UUID, env.Name, isProd, status, sha, ref, run, nullID(deployer.PersonID), started.Unix(), fin, d.Release.URL); err != nil {
					return fmt.Errorf("bitbucket: unable to store a deployment of %s: %w", r.fullName, err)
				}
				job.AddItems(1)
			}
			if !newer {
				break
			}
			u = pg.Next
		}
	}
	return nil
}
