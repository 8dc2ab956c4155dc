package bitbucket

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"time"

	"github.com/momentum-app/momentum/backend/source"
)

// state is a pipeline's, step's or deployment's state: COMPLETED with a
// result (pipelines, steps) or a status (deployments); IN_PROGRESS with a
// stage (RUNNING, PAUSED at a manual step, HALTED); PENDING.
type state struct {
	Name   string `json:"name"`
	Result *struct {
		Name string `json:"name"`
	} `json:"result"`
	Stage *struct {
		Name string `json:"name"`
	} `json:"stage"`
	Status *struct {
		Name string `json:"name"`
	} `json:"status"`
}

type pipeline struct {
	UUID        string `json:"uuid"`
	BuildNumber int64  `json:"build_number"`
	Creator     *user  `json:"creator"`
	Target      struct {
		Type    string `json:"type"`
		RefName string `json:"ref_name"`
		Source  string `json:"source"` // pull request targets: the source branch
		Commit  *struct {
			Hash string `json:"hash"`
		} `json:"commit"`
	} `json:"target"`
	Trigger struct {
		Name string `json:"name"`
	} `json:"trigger"`
	State       state      `json:"state"`
	CreatedOn   *time.Time `json:"created_on"`
	CompletedOn *time.Time `json:"completed_on"`
	Duration    int64      `json:"duration_in_seconds"`
}

type step struct {
	UUID        string     `json:"uuid"`
	Name        string     `json:"name"`
	StartedOn   *time.Time `json:"started_on"`
	CompletedOn *time.Time `json:"completed_on"`
	State       state      `json:"state"`
}

// runStatus maps a pipeline's or step's state to the schema's statuses.
func runStatus(s state) string {
	if s.Name != "COMPLETED" {
		if s.Stage != nil && (s.Stage.Name == "PAUSED" || s.Stage.Name == "HALTED") {
			return "manual" // waiting at a manual step
		}
		return "running" // PENDING, IN_PROGRESS
	}
	if s.Result == nil {
		return "running"
	}
	switch s.Result.Name {
	case "SUCCESSFUL":
		return "success"
	case "FAILED", "ERROR":
		return "failure"
	case "NOT_RUN":
		return "skipped"
	default: // STOPPED, EXPIRED
		return "cancelled"
	}
}

func eventName(p pipeline) string {
	if p.Target.Type == "pipeline_pullrequest_target" {
		return "pull_request"
	}
	switch p.Trigger.Name {
	case "PUSH":
		return "push"
	case "SCHEDULE":
		return "schedule"
	case "MANUAL":
		return "manual"
	}
	return p.Trigger.Name
}

// runPipelines stores each repository's pipelines created since the window
// start (sort=-created_on, stopping at the first older one) with their
// steps. Steps are read once a pipeline is stored as finished no more:
// one request per new or still-running pipeline. An unchanged repository
// costs one request.
func runPipelines(ctx context.Context, job *source.Job) error {
	a := newAPI(job)
	rs, err := repos(ctx, job)
	if err != nil {
		return err
	}
	who := newPeople(job)
	ws := job.Config.Get(KeyWorkspace)
	db := job.Store.DB()
	for _, r := range rs {
		var defID int64
		if err := db.QueryRowContext(ctx, `INSERT INTO pipelines (repo_id, source, external_id, name, path, url) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (source, external_id) DO UPDATE SET repo_id = excluded.repo_id, name = excluded.name, url = excluded.url
			RETURNING id`, r.id, ID, r.uuid, r.fullName, "bitbucket-pipelines.yml",
			"https://bitbucket.org/"+r.fullName+"/pipelines").Scan(&defID); err != nil {
			return fmt.Errorf("bitbucket: unable to store the pipeline of %s: %w", r.fullName, err)
		}
		q := url.Values{"sort": {"-created_on"}, "pagelen": {"100"}}
		err := each(ctx, a, a.url(q, "repositories", ws, r.slug, "pipelines"), func(p pipeline) (bool, error) {
			if p.CreatedOn == nil || p.CreatedOn.Before(job.Window.Start) {
				return false, nil
			}
			status := runStatus(p.State)
			var stored string
			err := db.QueryRowContext(ctx, `SELECT status FROM pipeline_runs WHERE pipeline_id = $1 AND external_id = $2 AND attempt = 1`, defID, p.UUID).Scan(&stored)
			if err != nil && err != sql.ErrNoRows {
				return false, err
			}
			if stored == status && status != "running" && status != "manual" {
				return true, nil // finished and stored: nothing changes
			}
			if err := storePipeline(ctx, job, a, who, ws, r, defID, p, status); err != nil {
				return false, err
			}
			job.AddItems(1)
			return true, nil
		})
		if err != nil {
			return fmt.Errorf("bitbucket: unable to collect the pipelines of %s: %w", r.fullName, err)
		}
	}
	return nil
}

func storePipeline(ctx context.Context, job *source.Job, a *api, who *people, ws string, r repo, defID int64, p pipeline, status string) error {
	var steps []step
	if err := each(ctx, a, a.url(url.Values{"pagelen": {"100"}}, "repositories", ws, r.slug, "pipelines", p.UUID, "steps"), func(s step) (bool, error) {
		steps = append(steps, s)
		return true, nil
	}); err != nil {
		return fmt.Errorf("steps of pipeline %d: %w", p.BuildNumber, err)
	}
	creator, err := who.account(ctx, p.Creator, "")
	if err != nil {
		return err
	}
	reason := ""
	for _, s := range steps {
		if runStatus(s.State) == "failure" {
			reason = "step " + s.Name + " failed"
			break
		}
	}
	branch := p.Target.RefName
	if branch == "" {
		branch = p.Target.Source
	}
	sha := ""
	if p.Target.Commit != nil {
		sha = p.Target.Commit.Hash
	}
	if p.CreatedOn == nil {
		return fmt.Errorf("bitbucket: pipeline %d of %s has no creation time", p.BuildNumber, r.fullName)
	}
	var fin, dur any
	if p.CompletedOn != nil && status != "running" {
		fin = p.CompletedOn.Unix()
		dur = p.Duration
		if p.Duration == 0 {
			dur = int64(p.CompletedOn.Sub(*p.CreatedOn).Seconds())
		}
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
		defID, r.id, p.UUID, p.BuildNumber, branch, sha, eventName(p), status, nullID(creator.PersonID), p.CreatedOn.Unix(), fin, dur, reason,
		fmt.Sprintf("https://bitbucket.org/%s/pipelines/results/%d", r.fullName, p.BuildNumber)).Scan(&runID)
	if err != nil {
		return fmt.Errorf("bitbucket: unable to store pipeline %d of %s: %w", p.BuildNumber, r.fullName, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM pipeline_jobs WHERE run_id = $1`, runID); err != nil {
		return err
	}
	for _, s := range steps {
		var d any
		if s.StartedOn != nil && s.CompletedOn != nil {
			d = int64(s.CompletedOn.Sub(*s.StartedOn).Seconds())
		}
		st := runStatus(s.State)
		fr := ""
		if st == "failure" {
			fr = s.State.Result.Name
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO pipeline_jobs (run_id, external_id, name, status, started_at, finished_at, duration_s, failure_reason)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, runID, s.UUID, s.Name, st, unix(s.StartedOn), unix(s.CompletedOn), d, fr); err != nil {
			return err
		}
	}
	return tx.Commit()
}
