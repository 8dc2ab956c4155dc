package bitbucket

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/momentum-app/momentum/backend/source"
	"github.com/momentum-app/momentum/backend/source/deployrule"
)

// environment is a deployment environment (GET …/environments). The
// REST reference's schema names only uuid and name; environment_type
// (Test, Staging, Production) is in every environment Bitbucket returns.
type environment struct {
	UUID string `json:"uuid"`
	Name string `json:"name"`
	Type struct {
		Name string `json:"name"`
	} `json:"environment_type"`
}

// deployment is a deployment as the REST reference's schema describes it
// (deployment, deployment_release, deployment_state_*): the release names
// the deployed commit but not the pipeline, which is found by that commit.
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

// runDeployments stores each repository's deployments.
//
// Where a repository has environments (and BITBUCKET_DEPLOYMENTS is auto
// or environments) they are Bitbucket's own, started since the window
// start; production is an environment of type Production or named like
// BITBUCKET_PRODUCTION. Bitbucket lists deployments newest first; the
// script stops at the first page with nothing newer than the window. Two
// requests per unchanged repository: environments and one page.
//
// Otherwise the pipeline rule (backend/source/deployrule) makes deployments
// out of the steps the pipeline script stored: a step named like
// BITBUCKET_DEPLOY_STEPS (default *deploy*, release*) in a pipeline on a
// deployment branch (BITBUCKET_DEPLOY_BRANCHES, default the main branch);
// the first word of its name that names an environment is the environment
// ("Deploy to staging" → staging), a production word or none means
// production. It costs no request.
func runDeployments(ctx context.Context, job *source.Job) error {
	a := newAPI(job)
	rs, err := repos(ctx, job)
	if err != nil {
		return err
	}
	who := newPeople(job)
	ws := job.Config.Get(KeyWorkspace)
	rule := deployrule.New(job.Config.List(KeyDeploySteps), job.Config.List(KeyDeployRefs), job.Config.List(KeyProduction))
	prod := rule.Production
	mode := job.Config.Get(KeyDeployments)
	db := job.Store.DB()
	for _, r := range rs {
		if mode == "pipelines" {
			n, err := ruleDeployments(ctx, job, rule, r)
			if err != nil {
				return err
			}
			job.AddItems(n)
			continue
		}
		envs := map[string]environment{}
		if err := each(ctx, a, a.url(url.Values{"pagelen": {"100"}}, "repositories", ws, r.slug, "environments"), func(e environment) (bool, error) {
			envs[e.UUID] = e
			return true, nil
		}); err != nil {
			return fmt.Errorf("bitbucket: unable to list the environments of %s: %w", r.fullName, err)
		}
		if len(envs) == 0 && mode != "environments" {
			n, err := ruleDeployments(ctx, job, rule, r)
			if err != nil {
				return err
			}
			job.AddItems(n)
			continue
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
				// The run that deployed: the latest pipeline on the
				// deployed commit started by the time the deployment did.
				var run any
				ref := ""
				if sha != "" {
					var id int64
					err := db.QueryRowContext(ctx, `SELECT id, branch FROM pipeline_runs WHERE repo_id = $1 AND commit_sha = $2 AND started_at <= $3
						ORDER BY started_at DESC, id DESC LIMIT 1`, r.id, sha, started.Unix()).Scan(&id, &ref)
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
				isProd := strings.EqualFold(env.Type.Name, "Production") || deployrule.MatchAny(prod, env.Name)
				id, err := deployrule.Save(ctx, db, deployrule.Deployment{
					RepoID: r.id, Source: ID, ExternalID: d.UUID, Environment: env.Name, Production: isProd,
					Status: status, SHA: sha, Ref: ref, RunID: run, PersonID: nullID(deployer.PersonID),
					Created: started.Unix(), Finished: fin, URL: d.Release.URL,
				})
				if err != nil {
					return fmt.Errorf("bitbucket: unable to store a deployment of %s: %w", r.fullName, err)
				}
				if err := deployrule.LinkShipped(ctx, db, id); err != nil {
					return err
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

// ruleDeployments applies the pipeline rule to the repository's stored
// steps of pipelines started in the window.
func ruleDeployments(ctx context.Context, job *source.Job, rule deployrule.Rule, r repo) (int, error) {
	db := job.Store.DB()
	rows, err := db.QueryContext(ctx, `SELECT j.external_id, j.name, j.status, j.started_at, j.finished_at,
			p.id, p.branch, p.commit_sha, COALESCE(p.person_id, 0), p.started_at, p.url
		FROM pipeline_jobs j JOIN pipeline_runs p ON p.id = j.run_id
		WHERE p.repo_id = $1 AND p.started_at >= $2 ORDER BY j.id`, r.id, job.Window.Start.Unix())
	if err != nil {
		return 0, fmt.Errorf("bitbucket: unable to read steps: %w", err)
	}
	type dep struct {
		ext, env, status, sha, ref, url string
		prod                            bool
		run, person, created            int64
		finished                        any
	}
	var deps []dep
	for rows.Next() {
		var ext, name, status, branch, sha, url string
		var started, finished sql.NullInt64
		var run, person, runStarted int64
		if err := rows.Scan(&ext, &name, &status, &started, &finished, &run, &branch, &sha, &person, &runStarted, &url); err != nil {
			rows.Close()
			return 0, err
		}
		if !rule.Deploys(name, branch, r.mainBranch) {
			continue
		}
		d := dep{ext: "step:" + ext, sha: sha, ref: branch, url: url, run: run, person: person, created: runStarted}
		switch status {
		case "success", "failure", "cancelled":
			d.status = status
		case "running":
			d.status = "in_progress"
		default: // skipped, manual: never ran
			continue
		}
		d.env, d.prod = rule.Environment(name)
		if started.Valid {
			d.created = started.Int64
		}
		if finished.Valid && d.status != "in_progress" {
			d.finished = finished.Int64
		}
		deps = append(deps, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, d := range deps {
		id, err := deployrule.Save(ctx, db, deployrule.Deployment{
			RepoID: r.id, Source: ID, ExternalID: d.ext, Environment: d.env, Production: d.prod,
			Status: d.status, SHA: d.sha, Ref: d.ref, RunID: d.run, PersonID: nullID(d.person),
			Created: d.created, Finished: d.finished, URL: d.url,
		})
		if err != nil {
			return 0, fmt.Errorf("bitbucket: unable to store a deployment of %s: %w", r.fullName, err)
		}
		if err := deployrule.LinkShipped(ctx, db, id); err != nil {
			return 0, err
		}
	}
	return len(deps), nil
}
