package gitlab

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"time"

	gl "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/momentum-app/momentum/backend/source"
)

// runPipelines stores, per project, one pipeline definition (its
// .gitlab-ci.yml) and the pipelines updated since the window start
// (updated_after, newest first, stopping at the first older one), each
// with all its jobs, retried ones included. A pipeline's start and end are
// its jobs' first start and last finish, so one request per changed
// pipeline gives the run and its jobs. An unchanged project costs one
// request.
func runPipelines(ctx context.Context, job *source.Job) error {
	c, err := newClient(job.Config, job.HTTP)
	if err != nil {
		return err
	}
	ps, err := projects(ctx, job)
	if err != nil {
		return err
	}
	who := newPeople(job)
	db := job.Store.DB()
	for _, p := range ps {
		var pipelineID int64
		err := db.QueryRowContext(ctx, `INSERT INTO pipelines (repo_id, source, external_id, name, path, url) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (source, external_id) DO UPDATE SET repo_id = excluded.repo_id, name = excluded.name, url = excluded.url
			RETURNING id`, p.repoID, ID, fmt.Sprintf("project:%d", p.id), p.fullPath, ".gitlab-ci.yml", p.webURL+"/-/pipelines").Scan(&pipelineID)
		if err != nil {
			return fmt.Errorf("gitlab: unable to store the pipeline of %s: %w", p.fullPath, err)
		}
		opt := &gl.ListProjectPipelinesOptions{
			ListOptions:  listOptions(),
			UpdatedAfter: gl.Ptr(job.Window.Start),
			OrderBy:      gl.Ptr("updated_at"),
			Sort:         gl.Ptr("desc"),
		}
		for pl, err := range gl.Scan2(func(po gl.PaginationOptionFunc) ([]*gl.PipelineInfo, *gl.Response, error) {
			return c.Pipelines.ListProjectPipelines(p.id, opt, po, gl.WithContext(ctx))
		}) {
			if err != nil {
				if notFound(err) { // CI/CD is disabled for the project
					break
				}
				return apiError("list the pipelines of "+p.fullPath, err)
			}
			if before(pl.UpdatedAt, job.Window.Start) {
				break
			}
			if err := storePipeline(ctx, job, c, who, p, pipelineID, pl); err != nil {
				return err
			}
			job.AddItems(1)
		}
	}
	return nil
}

// runStatus maps GitLab's pipeline and job statuses to the schema's.
func runStatus(s string) string {
	switch s {
	case "success":
		return "success"
	case "failed":
		return "failure"
	case "canceled", "cancelled", "canceling":
		return "cancelled"
	case "skipped":
		return "skipped"
	case "manual":
		return "manual" // waiting for someone to start it: not a result
	default: // created, waiting_for_resource, preparing, pending, running, scheduled
		return "running"
	}
}

// eventName maps a pipeline's source to the schema's event names.
func eventName(src string) string {
	switch src {
	case "push":
		return "push"
	case "merge_request_event", "external_pull_request_event":
		return "pull_request"
	case "schedule":
		return "schedule"
	case "web", "api", "trigger", "chat", "webide":
		return "manual"
	default: // pipeline, parent_pipeline, security_orchestration_policy ...
		return src
	}
}

func storePipeline(ctx context.Context, job *source.Job, c *gl.Client, who *people, p project, pipelineID int64, pl *gl.PipelineInfo) error {
	var jobs []*gl.Job
	opt := &gl.ListJobsOptions{ListOptions: listOptions(), IncludeRetried: gl.Ptr(true)}
	for j, err := range gl.Scan2(func(po gl.PaginationOptionFunc) ([]*gl.Job, *gl.Response, error) {
		return c.Jobs.ListPipelineJobs(p.id, pl.ID, opt, po, gl.WithContext(ctx))
	}) {
		if err != nil {
			return apiError(fmt.Sprintf("list the jobs of pipeline %d of %s", pl.ID, p.fullPath), err)
		}
		jobs = append(jobs, j)
	}
	var started, finished *time.Time
	var reason string
	var person int64
	for _, j := range jobs {
		if j.StartedAt != nil && (started == nil || j.StartedAt.Before(*started)) {
			started = j.StartedAt
		}
		if j.FinishedAt != nil && (finished == nil || j.FinishedAt.After(*finished)) {
			finished = j.FinishedAt
		}
		if reason == "" && j.Status == "failed" && !j.AllowFailure {
			reason = j.FailureReason
		}
		if person == 0 && j.User != nil {
			ref, err := who.full(ctx, j.User)
			if err != nil {
				return err
			}
			person = ref.PersonID
		}
	}
	status := runStatus(pl.Status)
	if started == nil {
		started = pl.CreatedAt
	}
	if started == nil {
		return fmt.Errorf("gitlab: pipeline %d of %s has no start time", pl.ID, p.fullPath)
	}
	var fin, dur any
	if finished != nil && status != "running" && status != "manual" {
		fin, dur = finished.Unix(), int64(finished.Sub(*started).Seconds())
	}
	tx, err := job.Store.DB().BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var runID int64
	err = tx.QueryRowContext(ctx, `INSERT INTO pipeline_runs (pipeline_id, repo_id, external_id, number, branch, commit_sha, event, status,
			attempt, person_id, started_at, finished_at, duration_s, failure_reason, url)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $10, $11, $12, $13, $14)
		ON CONFLICT (pipeline_id, external_id, attempt) DO UPDATE SET repo_id = excluded.repo_id, number = excluded.number,
			branch = excluded.branch, commit_sha = excluded.commit_sha, event = excluded.event, status = excluded.status,
			person_id = excluded.person_id, started_at = excluded.started_at, finished_at = excluded.finished_at,
			duration_s = excluded.duration_s, failure_reason = excluded.failure_reason, url = excluded.url
		RETURNING id`,
		pipelineID, p.repoID, fmt.Sprint(pl.ID), pl.IID, pl.Ref, pl.SHA, eventName(pl.Source), status,
		nullID(person), started.Unix(), fin, dur, reason, pl.WebURL).Scan(&runID)
	if err != nil {
		return fmt.Errorf("gitlab: unable to store pipeline %d of %s: %w", pl.ID, p.fullPath, err)
	}
	keep := make([]any, 0, len(jobs))
	for _, j := range jobs {
		keep = append(keep, fmt.Sprint(j.ID))
		var jdur any
		if j.FinishedAt != nil && j.Duration > 0 {
			jdur = int64(math.Round(j.Duration))
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO pipeline_jobs (run_id, external_id, name, stage, status, started_at, finished_at, duration_s, failure_reason)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
			ON CONFLICT (run_id, external_id) DO UPDATE SET name = excluded.name, stage = excluded.stage, status = excluded.status,
				started_at = excluded.started_at, finished_at = excluded.finished_at, duration_s = excluded.duration_s,
				failure_reason = excluded.failure_reason`,
			runID, fmt.Sprint(j.ID), j.Name, j.Stage, runStatus(j.Status), unix(j.StartedAt), unix(j.FinishedAt), jdur, j.FailureReason); err != nil {
			return fmt.Errorf("gitlab: unable to store job %d of %s: %w", j.ID, p.fullPath, err)
		}
	}
	if err := deleteJobsBut(ctx, tx, runID, keep); err != nil {
		return err
	}
	return tx.Commit()
}

func deleteJobsBut(ctx context.Context, tx *sql.Tx, runID int64, keep []any) error {
	q := `DELETE FROM pipeline_jobs WHERE run_id = $1`
	args := append([]any{runID}, keep...)
	if len(keep) > 0 {
		q += ` AND external_id NOT IN (` + placeholders(2, len(keep)) + `)`
	}
	_, err := tx.ExecContext(ctx, q, args...)
	return err
}

// placeholders returns "$from, $from+1, ..." n times.
func placeholders(from, n int) string {
	b := make([]byte, 0, n*5)
	for i := 0; i < n; i++ {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, fmt.Sprintf("$%d", from+i)...)
	}
	return string(b)
}
