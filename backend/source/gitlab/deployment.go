package gitlab

import (
	"context"
	"database/sql"
	"fmt"

	gl "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/momentum-app/momentum/backend/source"
	"github.com/momentum-app/momentum/backend/source/deployrule"
)

// runDeployments stores each project's deployments.
//
// Where a project has environments (and GITLAB_DEPLOYMENTS is auto or
// environments), they are GitLab's own: the deployments updated since the
// window start, production being the environments of tier "production"
// (or, when GitLab gives no tier, whose name matches GITLAB_PRODUCTION).
// Two requests per unchanged project: environments and deployments.
//
// Otherwise (auto without environments, or pipelines) the pipeline rule
// makes deployments out of the jobs the pipeline script stored: a job whose
// name matches GITLAB_DEPLOY_JOBS (default *deploy*,release*) in a pipeline
// on a deployment branch (GITLAB_DEPLOY_BRANCHES, default the project's
// default branch) is a deployment. Its environment is the first word of the
// job name that names one (deploy-staging → staging, deploy:prod → prod);
// a production word (GITLAB_PRODUCTION) or no such word at all means
// production: a deploy job on the default branch ships to production
// unless its name says otherwise. Manual jobs nobody started and skipped
// jobs are not deployments. The rule costs no request.
func runDeployments(ctx context.Context, job *source.Job) error {
	c, err := newClient(job.Config, job.HTTP)
	if err != nil {
		return err
	}
	ps, err := projects(ctx, job)
	if err != nil {
		return err
	}
	mode := job.Config.Get(KeyDeployments)
	if mode == "" {
		mode = DeployAuto
	}
	who := newPeople(job)
	for _, p := range ps {
		tiers := map[string]string{}
		if mode != DeployPipelines {
			for env, err := range gl.Scan2(func(po gl.PaginationOptionFunc) ([]*gl.Environment, *gl.Response, error) {
				return c.Environments.ListEnvironments(p.id, &gl.ListEnvironmentsOptions{ListOptions: listOptions()}, po, gl.WithContext(ctx))
			}) {
				if err != nil {
					if notFound(err) {
						break
					}
					return apiError("list the environments of "+p.fullPath, err)
				}
				tiers[env.Name] = env.Tier
			}
		}
		if mode == DeployEnvironments || (mode == DeployAuto && len(tiers) > 0) {
			if err := platformDeployments(ctx, job, c, who, p, tiers); err != nil {
				return err
			}
			continue
		}
		n, err := ruleDeployments(ctx, job, p)
		if err != nil {
			return err
		}
		job.AddItems(n)
	}
	return nil
}

// deployStatus maps GitLab's deployment statuses to the schema's.
func deployStatus(s string) string {
	switch s {
	case "success":
		return "success"
	case "failed":
		return "failure"
	case "canceled", "cancelled", "skipped":
		return "cancelled"
	default: // created, running, blocked
		return "in_progress"
	}
}

// production tells a production environment: GitLab's tier when it gives
// one, else its name.
func production(rule deployrule.Rule, env, tier string) bool {
	if tier != "" {
		return tier == "production"
	}
	return deployrule.MatchAny(rule.Production, env)
}

func newDeployRule(cfg source.Config) deployrule.Rule {
	return deployrule.New(cfg.List(KeyDeployJobs), cfg.List(KeyDeployRefs), cfg.List(KeyProduction))
}

func platformDeployments(ctx context.Context, job *source.Job, c *gl.Client, who *people, p project, tiers map[string]string) error {
	rule := newDeployRule(job.Config)
	opt := &gl.ListProjectDeploymentsOptions{
		ListOptions:  listOptions(),
		UpdatedAfter: gl.Ptr(job.Window.Start),
		OrderBy:      gl.Ptr("updated_at"),
		Sort:         gl.Ptr("desc"),
	}
	db := job.Store.DB()
	for d, err := range gl.Scan2(func(po gl.PaginationOptionFunc) ([]*gl.Deployment, *gl.Response, error) {
		return c.Deployments.ListProjectDeployments(p.id, opt, po, gl.WithContext(ctx))
	}) {
		if err != nil {
			return apiError("list the deployments of "+p.fullPath, err)
		}
		if before(d.UpdatedAt, job.Window.Start) {
			break
		}
		env, tier, url := "", "", ""
		if d.Environment != nil {
			env, tier, url = d.Environment.Name, d.Environment.Tier, d.Environment.ExternalURL
			if tier == "" {
				tier = tiers[env]
			}
		}
		var person int64
		if d.User != nil {
			ref, err := who.user(ctx, d.User.ID, d.User.Username, d.User.Name, d.User.AvatarURL, d.User.WebURL, false)
			if err != nil {
				return err
			}
			person = ref.PersonID
		}
		status := deployStatus(d.Status)
		created := unix(d.CreatedAt)
		if created == nil {
			return fmt.Errorf("gitlab: deployment %d of %s has no creation time", d.ID, p.fullPath)
		}
		var finished any
		if status != "in_progress" {
			finished = unix(d.Deployable.FinishedAt)
			if finished == nil {
				finished = unix(d.UpdatedAt)
			}
		}
		var run any
		if d.Deployable.Pipeline.ID != 0 {
			var id int64
			err := db.QueryRowContext(ctx, `SELECT id FROM pipeline_runs WHERE repo_id = $1 AND external_id = $2`, p.repoID, fmt.Sprint(d.Deployable.Pipeline.ID)).Scan(&id)
			switch {
			case err == nil:
				run = id
			case err != sql.ErrNoRows:
				return err
			}
		}
		depID, err := deployrule.Save(ctx, db, deployrule.Deployment{
			RepoID: p.repoID, Source: ID, ExternalID: fmt.Sprint(d.ID), Environment: env,
			Production: production(rule, env, tier), Status: status, SHA: d.SHA, Ref: d.Ref, RunID: run,
			PersonID: nullID(person), Created: created, Finished: finished, URL: url,
		})
		if err != nil {
			return fmt.Errorf("gitlab: unable to store deployment %d of %s: %w", d.ID, p.fullPath, err)
		}
		if status == "success" {
			if err := linkMergeRequests(ctx, job, c, p, d.ID, depID); err != nil {
				return err
			}
		}
		job.AddItems(1)
	}
	return nil
}

// ruleDeployments applies the pipeline rule to the project's stored jobs
// of runs started in the window.
func ruleDeployments(ctx context.Context, job *source.Job, p project) (int, error) {
	rule := newDeployRule(job.Config)
	db := job.Store.DB()
	rows, err := db.QueryContext(ctx, `SELECT j.external_id, j.name, j.status, j.started_at, j.finished_at,
			r.id, r.branch, r.commit_sha, COALESCE(r.person_id, 0), r.started_at, r.url
		FROM pipeline_jobs j JOIN pipeline_runs r ON r.id = j.run_id
		WHERE r.repo_id = $1 AND r.started_at >= $2 AND j.parent_id IS NULL ORDER BY j.id`, p.repoID, job.Window.Start.Unix())
	if err != nil {
		return 0, fmt.Errorf("gitlab: unable to read jobs: %w", err)
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
		if !rule.Deploys(name, branch, p.defaultBranch) {
			continue
		}
		var st string
		switch status {
		case "success", "failure", "cancelled":
			st = status
		case "running":
			st = "in_progress"
		default: // skipped, manual: never ran
			continue
		}
		d := dep{ext: "job:" + ext, status: st, sha: sha, ref: branch, url: url, run: run, person: person, created: runStarted}
		d.env, d.prod = rule.Environment(name)
		if started.Valid {
			d.created = started.Int64
		}
		if finished.Valid && st != "in_progress" {
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
			RepoID: p.repoID, Source: ID, ExternalID: d.ext, Environment: d.env, Production: d.prod,
			Status: d.status, SHA: d.sha, Ref: d.ref, RunID: d.run, PersonID: nullID(d.person),
			Created: d.created, Finished: d.finished, URL: d.url,
		})
		if err != nil {
			return 0, fmt.Errorf("gitlab: unable to store a deployment of %s: %w", p.fullPath, err)
		}
		// GitLab links only its own deployments to merge requests: for
		// the rule's, the requests merged into the branch up to the
		// deployed commit.
		if err := deployrule.LinkShipped(ctx, db, id); err != nil {
			return 0, err
		}
	}
	return len(deps), nil
}

// linkMergeRequests records the merge requests GitLab says a successful
// deployment shipped (GitLab's own link: every merge request merged into
// the deployed ref since the previous deployment to the environment), so
// lead time counts a request shipped by a later commit's deployment too.
// One request per successful deployment that changed.
func linkMergeRequests(ctx context.Context, job *source.Job, c *gl.Client, p project, deployment, depID int64) error {
	db := job.Store.DB()
	opt := &gl.ListMergeRequestsOptions{ListOptions: listOptions()}
	for mr, err := range gl.Scan2(func(po gl.PaginationOptionFunc) ([]*gl.MergeRequest, *gl.Response, error) {
		return c.DeploymentMergeRequests.ListDeploymentMergeRequests(p.id, deployment, opt, po, gl.WithContext(ctx))
	}) {
		if err != nil {
			if notFound(err) {
				return nil
			}
			return apiError(fmt.Sprintf("list the merge requests of deployment %d of %s", deployment, p.fullPath), err)
		}
		// Only requests the merge-request script stored (inside the window).
		if _, err := db.ExecContext(ctx, `INSERT INTO deployment_pull_requests (deployment_id, pr_id)
			SELECT $1, id FROM pull_requests WHERE repo_id = $2 AND number = $3
			ON CONFLICT DO NOTHING`, depID, p.repoID, mr.IID); err != nil {
			return fmt.Errorf("gitlab: unable to link deployment %d to merge request !%d of %s: %w", deployment, mr.IID, p.fullPath, err)
		}
	}
	return nil
}
