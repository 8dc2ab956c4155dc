package github

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	gh "github.com/google/go-github/v92/github"

	"github.com/momentum-app/momentum/backend/source"
)

// runWorkflows lists each repository's workflows, conditionally (an
// unchanged list is a 304), and keeps the pipelines table in step: a
// workflow deleted from the repository is deleted with its runs.
func runWorkflows(ctx context.Context, job *source.Job) error {
	s, err := newSession(ctx, job)
	if err != nil {
		return err
	}
	repos, err := s.repositories(ctx)
	if err != nil {
		return err
	}
	for _, r := range repos {
		listed := map[string]bool{}
		changed := false
		first := fmt.Sprintf("repos/%s/actions/workflows?per_page=%d", r.FullName, perPage)
		for u := first; u != ""; {
			var list gh.Workflows
			p, err := s.getPage(ctx, u, &list)
			if err != nil {
				if isGone(err) {
					break
				}
				return fmt.Errorf("github: unable to list the workflows of %s: %w", r.FullName, err)
			}
			if !p.changed {
				for _, id := range strings.Fields(p.memo) {
					listed[id] = true
				}
				u = p.next
				continue
			}
			changed = true
			var ids []string
			for _, w := range list.Workflows {
				id := strconv.FormatInt(w.GetID(), 10)
				if _, err := s.upsertPipeline(ctx, r.ID, id, w.GetName(), w.GetPath(), w.GetHTMLURL()); err != nil {
					return err
				}
				listed[id] = true
				ids = append(ids, id)
				job.AddItems(1)
			}
			if err := s.keep(ctx, u, p, strings.Join(ids, " ")); err != nil {
				return err
			}
			u = p.next
		}
		if changed {
			if err := s.deleteUnlistedPipelines(ctx, r.ID, listed); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *session) upsertPipeline(ctx context.Context, repoID int64, externalID, name, path, url string) (int64, error) {
	var id int64
	err := s.db.QueryRowContext(ctx, `INSERT INTO pipelines (repo_id, source, external_id, name, path, url) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (source, external_id) DO UPDATE SET repo_id = excluded.repo_id, name = excluded.name, path = excluded.path, url = excluded.url
		RETURNING id`, repoID, ID, externalID, name, path, url).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("github: unable to store workflow %s: %w", name, err)
	}
	return id, nil
}

func (s *session) deleteUnlistedPipelines(ctx context.Context, repoID int64, listed map[string]bool) error {
	rows, err := s.db.QueryContext(ctx, `SELECT id, external_id FROM pipelines WHERE source = $1 AND repo_id = $2`, ID, repoID)
	if err != nil {
		return fmt.Errorf("github: unable to fetch workflows: %w", err)
	}
	var gone []int64
	for rows.Next() {
		var id int64
		var ext string
		if err := rows.Scan(&id, &ext); err != nil {
			rows.Close()
			return err
		}
		if !listed[ext] {
			gone = append(gone, id)
		}
	}
	rows.Close()
	for _, id := range gone {
		if _, err := s.db.ExecContext(ctx, `DELETE FROM pipelines WHERE id = $1`, id); err != nil {
			return fmt.Errorf("github: unable to delete workflow %d: %w", id, err)
		}
	}
	return rows.Err()
}

// runStatus maps a run's or job's status and conclusion to the stored
// status: success, failure, cancelled, skipped or running.
func runStatus(status, conclusion string) string {
	if status != "completed" {
		return "running"
	}
	switch conclusion {
	case "success", "neutral":
		return "success"
	case "cancelled":
		return "cancelled"
	case "skipped", "stale":
		return "skipped"
	default: // failure, timed_out, startup_failure, action_required
		return "failure"
	}
}

// runWorkflowRuns lists the runs created since the window start (GitHub's
// `created` filter) and reads again each stored run that was still running,
// so that its end and outcome are recorded.
func runWorkflowRuns(ctx context.Context, job *source.Job) error {
	s, err := newSession(ctx, job)
	if err != nil {
		return err
	}
	repos, err := s.repositories(ctx)
	if err != nil {
		return err
	}
	created := ">=" + job.Window.Start.UTC().Format("2006-01-02T15:04:05Z")
	for _, r := range repos {
		opts := &gh.ListWorkflowRunsOptions{Created: created, ListOptions: gh.ListOptions{PerPage: perPage}}
		for {
			list, resp, err := s.api.Actions.ListRepositoryWorkflowRuns(ctx, r.Owner, r.Name, opts)
			if err != nil {
				if isGone(err) {
					break
				}
				return fmt.Errorf("github: unable to list the workflow runs of %s: %w", r.FullName, err)
			}
			for _, run := range list.WorkflowRuns {
				if err := s.upsertRun(ctx, r, run); err != nil {
					return err
				}
				job.AddItems(1)
			}
			if resp.NextPage == 0 {
				break
			}
			opts.Page = resp.NextPage
		}
		running, err := s.runningRuns(ctx, r.ID, job.Window.Start.Unix())
		if err != nil {
			return err
		}
		for _, id := range running {
			run, _, err := s.api.Actions.GetWorkflowRunByID(ctx, r.Owner, r.Name, id)
			if err != nil {
				if isGone(err) {
					continue
				}
				return fmt.Errorf("github: unable to read workflow run %d of %s: %w", id, r.FullName, err)
			}
			if err := s.upsertRun(ctx, r, run); err != nil {
				return err
			}
			job.AddItems(1)
		}
	}
	return nil
}

// runningRuns lists runs stored as running that began before start (the
// list since start covers the others).
func (s *session) runningRuns(ctx context.Context, repoID, start int64) ([]int64, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT r.external_id FROM pipeline_runs r JOIN pipelines p ON p.id = r.pipeline_id
		WHERE p.source = $1 AND r.repo_id = $2 AND r.status = 'running' AND r.started_at < $3`, ID, repoID, start)
	if err != nil {
		return nil, fmt.Errorf("github: unable to fetch running workflow runs: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var ext string
		if err := rows.Scan(&ext); err != nil {
			return nil, err
		}
		id, _ := strconv.ParseInt(ext, 10, 64)
		out = append(out, id)
	}
	return out, rows.Err()
}

func (s *session) upsertRun(ctx context.Context, r repo, run *gh.WorkflowRun) error {
	pipelineID, err := s.pipelineID(ctx, r, run)
	if err != nil {
		return err
	}
	_, person, err := s.accountIDs(ctx, run.Actor)
	if err != nil {
		return err
	}
	status := runStatus(run.GetStatus(), run.GetConclusion())
	started := unix(run.RunStartedAt)
	if started == 0 {
		started = unix(run.CreatedAt)
	}
	var finished, duration any
	if status != "running" {
		end := unix(run.UpdatedAt)
		finished, duration = end, max(end-started, 0)
	}
	attempt := run.GetRunAttempt()
	if attempt == 0 {
		attempt = 1
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO pipeline_runs (pipeline_id, repo_id, external_id, number, branch, commit_sha, event, status,
			attempt, person_id, started_at, finished_at, duration_s, url)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
		ON CONFLICT (pipeline_id, external_id, attempt) DO UPDATE SET repo_id = excluded.repo_id, number = excluded.number,
			branch = excluded.branch, commit_sha = excluded.commit_sha, event = excluded.event, status = excluded.status,
			person_id = excluded.person_id, started_at = excluded.started_at, finished_at = excluded.finished_at,
			duration_s = excluded.duration_s, url = excluded.url`,
		pipelineID, r.ID, strconv.FormatInt(run.GetID(), 10), run.GetRunNumber(), run.GetHeadBranch(), run.GetHeadSHA(), run.GetEvent(), status,
		attempt, person, started, finished, duration, run.GetHTMLURL())
	if err != nil {
		return fmt.Errorf("github: unable to store workflow run %d of %s: %w", run.GetID(), r.FullName, err)
	}
	return nil
}

// pipelineID returns the stored workflow of a run; a run of a workflow the
// list does not show (GitHub's own, such as Pages builds) gets one.
func (s *session) pipelineID(ctx context.Context, r repo, run *gh.WorkflowRun) (int64, error) {
	var id int64
	err := s.db.QueryRowContext(ctx, `SELECT id FROM pipelines WHERE source = $1 AND external_id = $2`,
		ID, strconv.FormatInt(run.GetWorkflowID(), 10)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return s.upsertPipeline(ctx, r.ID, strconv.FormatInt(run.GetWorkflowID(), 10), run.GetName(), run.GetPath(), "")
	}
	if err != nil {
		return 0, fmt.Errorf("github: unable to fetch workflow %d: %w", run.GetWorkflowID(), err)
	}
	return id, nil
}

// runWorkflowJobs reads the jobs and steps of each run that finished in
// the window, replacing what was stored for the run, and records why a
// failed run failed (its first failed job and step).
func runWorkflowJobs(ctx context.Context, job *source.Job) error {
	s, err := newSession(ctx, job)
	if err != nil {
		return err
	}
	repos, err := s.repositories(ctx)
	if err != nil {
		return err
	}
	for _, r := range repos {
		runs, err := s.finishedRuns(ctx, r.ID, job.Window.Start.Unix())
		if err != nil {
			return err
		}
		for _, run := range runs {
			var jobs []*gh.WorkflowJob
			opts := &gh.ListOptions{PerPage: perPage}
			for {
				list, resp, err := s.api.Actions.ListWorkflowJobsAttempt(ctx, r.Owner, r.Name, run.external, int64(run.attempt), opts)
				if err != nil {
					return fmt.Errorf("github: unable to list the jobs of run %d of %s: %w", run.external, r.FullName, err)
				}
				jobs = append(jobs, list.Jobs...)
				if resp.NextPage == 0 {
					break
				}
				opts.Page = resp.NextPage
			}
			n, err := s.storeJobs(ctx, run.id, jobs)
			if err != nil {
				return fmt.Errorf("github: unable to store the jobs of run %d of %s: %w", run.external, r.FullName, err)
			}
			job.AddItems(n)
		}
	}
	return nil
}

// lateRunMargin is how far before its window the job script looks for
// finished runs without jobs, and the deployment rule for runs.
const lateRunMargin = time.Hour

type storedRun struct {
	id       int64
	external int64
	attempt  int
}

func (s *session) finishedRuns(ctx context.Context, repoID, since int64) ([]storedRun, error) {
	// A run the run script saw running, which finished just before this
	// script's window began (between the two scripts of the last sync), has
	// no jobs yet: the margin takes it along.
	rows, err := s.db.QueryContext(ctx, `SELECT r.id, r.external_id, r.attempt FROM pipeline_runs r JOIN pipelines p ON p.id = r.pipeline_id
		WHERE p.source = $1 AND r.repo_id = $2 AND (r.finished_at >= $3
			OR (r.finished_at >= $4 AND NOT EXISTS (SELECT 1 FROM pipeline_jobs j WHERE j.run_id = r.id)))
		ORDER BY r.id`, ID, repoID, since, since-int64(lateRunMargin/time.Second))
	if err != nil {
		return nil, fmt.Errorf("github: unable to fetch workflow runs: %w", err)
	}
	defer rows.Close()
	var out []storedRun
	for rows.Next() {
		var sr storedRun
		var ext string
		if err := rows.Scan(&sr.id, &ext, &sr.attempt); err != nil {
			return nil, err
		}
		sr.external, _ = strconv.ParseInt(ext, 10, 64)
		out = append(out, sr)
	}
	return out, rows.Err()
}

func (s *session) storeJobs(ctx context.Context, runID int64, jobs []*gh.WorkflowJob) (int, error) {
	n := 0
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		n = 0
		if _, err := tx.ExecContext(ctx, `DELETE FROM pipeline_jobs WHERE run_id = $1`, runID); err != nil {
			return err
		}
		reason := ""
		for _, j := range jobs {
			status := runStatus(j.GetStatus(), j.GetConclusion())
			var jobID int64
			if err := tx.QueryRowContext(ctx, `INSERT INTO pipeline_jobs (run_id, external_id, name, status, started_at, finished_at, duration_s, failure_reason)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
				runID, strconv.FormatInt(j.GetID(), 10), j.GetName(), status, nullUnix(j.StartedAt), nullUnix(j.CompletedAt),
				span(j.StartedAt, j.CompletedAt), "").Scan(&jobID); err != nil {
				return err
			}
			n++
			failedStep := ""
			for _, st := range j.Steps {
				stStatus := runStatus(st.GetStatus(), st.GetConclusion())
				if stStatus == "failure" && failedStep == "" {
					failedStep = st.GetName()
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO pipeline_jobs (run_id, parent_id, external_id, name, stage, status, started_at, finished_at, duration_s)
					VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
					runID, jobID, fmt.Sprintf("%d/%d", j.GetID(), st.GetNumber()), st.GetName(), j.GetName(), stStatus,
					nullUnix(st.StartedAt), nullUnix(st.CompletedAt), span(st.StartedAt, st.CompletedAt)); err != nil {
					return err
				}
				n++
			}
			if status == "failure" {
				why := j.GetName() + " failed"
				if failedStep != "" {
					why = j.GetName() + " failed at step " + failedStep
				}
				if _, err := tx.ExecContext(ctx, `UPDATE pipeline_jobs SET failure_reason = $1 WHERE id = $2`, why, jobID); err != nil {
					return err
				}
				if reason == "" {
					reason = why
				}
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE pipeline_runs SET failure_reason = $1 WHERE id = $2`, reason, runID)
		return err
	})
	return n, err
}

// span is the seconds between two instants, or NULL when either is unknown.
func span(from, to *gh.Timestamp) any {
	if from == nil || to == nil || from.IsZero() || to.IsZero() {
		return nil
	}
	return max(to.Unix()-from.Unix(), 0)
}
