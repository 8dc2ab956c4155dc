package github

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	gh "github.com/google/go-github/v92/github"

	"github.com/momentum-app/momentum/backend/source"
)

// Defaults of the rule that marks workflow runs as deployments in
// repositories without GitHub deployments.
const (
	DefaultDeployNames    = "*deploy*,*release*,*publish*"
	DefaultDeployBranches = "main,master,release/*,production"
	DefaultProductionEnvs = "production,prod,live,prd"
)

// otherEnvironments are the environment words the rule recognises in a
// workflow or job name besides the production ones ("Deploy to staging").
var otherEnvironments = []string{"staging", "stage", "preview", "development", "dev", "test", "qa", "uat", "sandbox"}

// deploymentStates maps a deployment's latest status to the stored status.
var deploymentStates = map[string]string{
	"success": "success", "inactive": "success", // inactive: succeeded, since replaced
	"failure": "failure", "error": "failure",
	"in_progress": "in_progress", "queued": "in_progress", "pending": "in_progress",
}

// runDeployments collects each repository's GitHub deployments: those
// created in the window (the list is newest first, so it stops at the first
// older one), with their latest status, and again those stored as still in
// progress. A repository with no deployments at all gets its workflow runs
// marked as deployments by the configured rule instead. Each successful
// deployment is linked to the pull requests it shipped: those whose merge
// commit lies between the previous successful deployment to the same
// environment and this one (GitHub's compare API).
func runDeployments(ctx context.Context, job *source.Job) error {
	s, err := newSession(ctx, job)
	if err != nil {
		return err
	}
	repos, err := s.repositories(ctx)
	if err != nil {
		return err
	}
	for _, r := range repos {
		envs, err := s.environments(ctx, r)
		if err != nil {
			return err
		}
		seen, err := s.collectDeployments(ctx, r, envs)
		if err != nil {
			return err
		}
		if !seen {
			if err := s.deploymentsByRule(ctx, r); err != nil {
				return err
			}
		}
		if err := s.linkPulls(ctx, r); err != nil {
			return err
		}
	}
	return nil
}

// deployment is a GitHub deployment with its production_environment flag
// ("Specifies if the given environment is one that end-users directly
// interact with"), which go-github's Deployment does not decode.
type deployment struct {
	gh.Deployment
	ProductionEnvironment bool `json:"production_environment"`
}

// collectDeployments stores the repository's deployments and tells whether
// it has any (in this window or stored before).
func (s *session) collectDeployments(ctx context.Context, r repo, envs map[string]string) (bool, error) {
	has := false
	page := 1
pages:
	for {
		var list []*deployment
		req, err := s.api.NewRequest(ctx, "GET", fmt.Sprintf("repos/%s/deployments?per_page=%d&page=%d", r.FullName, perPage, page), nil)
		if err != nil {
			return false, err
		}
		resp, err := s.api.Do(req, &list)
		if err != nil {
			if isGone(err) {
				return false, nil
			}
			return false, fmt.Errorf("github: unable to list the deployments of %s: %w", r.FullName, err)
		}
		for _, d := range list {
			has = true
			if before(d.CreatedAt, s.job.Window.Start) {
				break pages
			}
			if err := s.storeDeployment(ctx, r, d, envs); err != nil {
				return false, err
			}
		}
		if resp.NextPage == 0 {
			break
		}
		page = resp.NextPage
	}
	// Deployments still in progress at the last sync: their outcome.
	rows, err := s.db.QueryContext(ctx, `SELECT external_id FROM deployments WHERE source = $1 AND repo_id = $2
		AND status = 'in_progress' AND external_id LIKE 'deployment:%' AND created_at < $3`, ID, r.ID, s.job.Window.Start.Unix())
	if err != nil {
		return false, fmt.Errorf("github: unable to fetch deployments: %w", err)
	}
	var pending []int64
	for rows.Next() {
		var ext string
		if err := rows.Scan(&ext); err != nil {
			rows.Close()
			return false, err
		}
		id, _ := strconv.ParseInt(strings.TrimPrefix(ext, "deployment:"), 10, 64)
		pending = append(pending, id)
	}
	rows.Close()
	for _, id := range pending {
		req, err := s.api.NewRequest(ctx, "GET", fmt.Sprintf("repos/%s/deployments/%d", r.FullName, id), nil)
		if err != nil {
			return false, err
		}
		d := new(deployment)
		if _, err := s.api.Do(req, d); err != nil {
			if isGone(err) {
				continue
			}
			return false, fmt.Errorf("github: unable to read deployment %d of %s: %w", id, r.FullName, err)
		}
		if err := s.storeDeployment(ctx, r, d, envs); err != nil {
			return false, err
		}
	}
	if !has {
		var n int
		if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM deployments WHERE repo_id = $1 AND external_id LIKE 'deployment:%'`, r.ID).Scan(&n); err != nil {
			return false, fmt.Errorf("github: unable to count deployments: %w", err)
		}
		has = n > 0
	}
	if has {
		// Deployments by the rule stood in for GitHub's: not any more.
		if _, err := s.db.ExecContext(ctx, `DELETE FROM deployments WHERE source = $1 AND repo_id = $2 AND external_id LIKE 'run:%'`, ID, r.ID); err != nil {
			return false, fmt.Errorf("github: unable to delete deployments: %w", err)
		}
	}
	return has, nil
}

var runURL = regexp.MustCompile(`/actions/runs/(\d+)`)

func (s *session) storeDeployment(ctx context.Context, r repo, d *deployment, envs map[string]string) error {
	statuses, _, err := s.api.Repositories.ListDeploymentStatuses(ctx, r.Owner, r.Name, d.GetID(), &gh.ListOptions{PerPage: perPage})
	if err != nil {
		return fmt.Errorf("github: unable to list the statuses of deployment %d of %s: %w", d.GetID(), r.FullName, err)
	}
	status, finished := "in_progress", any(nil)
	var runID any
	if len(statuses) > 0 { // newest first
		latest := statuses[0]
		if st, ok := deploymentStates[latest.GetState()]; ok {
			status = st
		}
		if status != "in_progress" {
			finished = unix(latest.CreatedAt)
			if latest.GetState() == "inactive" {
				// The time it succeeded, not the time it was replaced.
				for _, st := range statuses {
					if st.GetState() == "success" {
						finished = unix(st.CreatedAt)
						break
					}
				}
			}
		}
		for _, st := range statuses {
			for _, u := range []string{st.GetLogURL(), st.GetTargetURL()} {
				if m := runURL.FindStringSubmatch(u); m != nil {
					var id int64
					err := s.db.QueryRowContext(ctx, `SELECT r.id FROM pipeline_runs r JOIN pipelines p ON p.id = r.pipeline_id
						WHERE p.source = $1 AND r.external_id = $2 ORDER BY r.attempt DESC LIMIT 1`, ID, m[1]).Scan(&id)
					if err == nil && runID == nil {
						runID = id
					} else if err != nil && !errors.Is(err, sql.ErrNoRows) {
						return err
					}
				}
			}
		}
	}
	_, person, err := s.accountIDs(ctx, d.Creator)
	if err != nil {
		return err
	}
	// GitHub's environment names are case-insensitive: a deployment to
	// "Staging" is one to the environment listed as "staging".
	env := d.GetEnvironment()
	if name, ok := envs[strings.ToLower(env)]; ok {
		env = name
	}
	// Production: GitHub's flag, or a production environment name.
	prod := d.ProductionEnvironment || s.production(env)
	return s.upsertDeployment(ctx, r, "deployment:"+strconv.FormatInt(d.GetID(), 10), env, prod, status,
		d.GetSHA(), d.GetRef(), runID, person, unix(d.CreatedAt), finished, "")
}

// environments lists the repository's deployment environments
// (GET /repos/{r}/environments, conditionally: an unchanged list is a 304
// whose memo holds the names) and returns their names by lower-case name.
// A repository without access to environments (a 404 on some plans) has
// none.
func (s *session) environments(ctx context.Context, r repo) (map[string]string, error) {
	envs := map[string]string{}
	for u := fmt.Sprintf("repos/%s/environments?per_page=%d", r.FullName, perPage); u != ""; {
		var list gh.EnvResponse
		p, err := s.getPage(ctx, u, &list)
		if err != nil {
			if isGone(err) {
				return envs, nil
			}
			return nil, fmt.Errorf("github: unable to list the environments of %s: %w", r.FullName, err)
		}
		var names []string
		if p.changed {
			for _, e := range list.Environments {
				names = append(names, e.GetName())
			}
			memo, err := json.Marshal(names)
			if err != nil {
				return nil, err
			}
			if err := s.keep(ctx, u, p, string(memo)); err != nil {
				return nil, err
			}
		} else if err := json.Unmarshal([]byte(p.memo), &names); err != nil {
			return nil, fmt.Errorf("github: stored environments of %s: %w", r.FullName, err)
		}
		for _, n := range names {
			envs[strings.ToLower(n)] = n
		}
		u = p.next
	}
	return envs, nil
}

func (s *session) production(env string) bool {
	return matchAny(s.job.Config.List(KeyProductionEnv), env)
}

func (s *session) upsertDeployment(ctx context.Context, r repo, ext, env string, prod bool, status, sha, ref string, runID, person any, created int64, finished any, url string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO deployments (repo_id, source, external_id, environment, is_production, status, commit_sha, ref,
			pipeline_run_id, person_id, created_at, finished_at, url)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
		ON CONFLICT (source, external_id) DO UPDATE SET repo_id = excluded.repo_id, environment = excluded.environment,
			is_production = excluded.is_production, status = excluded.status, commit_sha = excluded.commit_sha, ref = excluded.ref,
			pipeline_run_id = excluded.pipeline_run_id, person_id = excluded.person_id, created_at = excluded.created_at,
			finished_at = excluded.finished_at, url = excluded.url`,
		r.ID, ID, ext, env, prod, status, sha, ref, runID, person, created, finished, url)
	if err != nil {
		return fmt.Errorf("github: unable to store deployment %s of %s: %w", ext, r.FullName, err)
	}
	s.job.AddItems(1)
	return nil
}

// deploymentsByRule marks as deployments the finished runs of the window
// whose workflow or one of whose jobs has a deployment name, on a
// deployment branch. The environment is the one the names mention
// ("Deploy to staging"), else production.
func (s *session) deploymentsByRule(ctx context.Context, r repo) error {
	names := s.job.Config.List(KeyDeployNames)
	branches := s.job.Config.List(KeyDeployBranch)
	rows, err := s.db.QueryContext(ctx, `SELECT r.id, r.external_id, r.attempt, p.name, r.branch, r.commit_sha, r.status, r.person_id,
			r.started_at, r.finished_at, r.url
		FROM pipeline_runs r JOIN pipelines p ON p.id = r.pipeline_id
		WHERE p.source = $1 AND r.repo_id = $2 AND r.finished_at >= $3 AND r.status IN ('success', 'failure')
		ORDER BY r.started_at, r.id`, ID, r.ID, s.job.Window.Start.Add(-lateRunMargin).Unix())
	if err != nil {
		return fmt.Errorf("github: unable to fetch workflow runs: %w", err)
	}
	type candidate struct {
		id, started, finished int64
		ext                   string
		attempt               int
		workflow, branch, sha string
		status, url           string
		person                sql.NullInt64
	}
	var cands []candidate
	for rows.Next() {
		var c candidate
		if err := rows.Scan(&c.id, &c.ext, &c.attempt, &c.workflow, &c.branch, &c.sha, &c.status, &c.person, &c.started, &c.finished, &c.url); err != nil {
			rows.Close()
			return err
		}
		cands = append(cands, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, c := range cands {
		if !matchAny(branches, c.branch) {
			continue
		}
		matched := []string{}
		if matchAny(names, c.workflow) {
			matched = append(matched, c.workflow)
		}
		jobs, err := s.jobNames(ctx, c.id)
		if err != nil {
			return err
		}
		for _, j := range jobs {
			if matchAny(names, j) {
				matched = append(matched, j)
			}
		}
		if len(matched) == 0 {
			continue
		}
		env := s.environmentIn(matched)
		if err := s.upsertDeployment(ctx, r, fmt.Sprintf("run:%s/%d", c.ext, c.attempt), env, s.production(env), c.status,
			c.sha, c.branch, c.id, nullable(c.person), c.started, c.finished, c.url); err != nil {
			return err
		}
	}
	return nil
}

func (s *session) jobNames(ctx context.Context, runID int64) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT name FROM pipeline_jobs WHERE run_id = $1 AND parent_id IS NULL ORDER BY id`, runID)
	if err != nil {
		return nil, fmt.Errorf("github: unable to fetch jobs: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

var words = regexp.MustCompile(`[A-Za-z0-9]+`)

// environmentIn finds the environment a deployment's names mention: a
// production name first, then another environment word; production when
// none does.
func (s *session) environmentIn(names []string) string {
	prod := s.job.Config.List(KeyProductionEnv)
	var other string
	for _, n := range names {
		for _, w := range words.FindAllString(strings.ToLower(n), -1) {
			if matchAny(prod, w) {
				return w
			}
			for _, e := range otherEnvironments {
				if w == e && other == "" {
					other = e
				}
			}
		}
	}
	if other != "" {
		return other
	}
	if len(prod) > 0 && !strings.ContainsAny(prod[0], "*?") {
		return prod[0]
	}
	return "production"
}

// linkPulls links each successful deployment of the window not linked yet
// to the pull requests it shipped: those merged into the commits
// between the previous successful deployment to the same environment and
// this one. A first deployment ships its own commit's pull request only.
func (s *session) linkPulls(ctx context.Context, r repo) error {
	rows, err := s.db.QueryContext(ctx, `SELECT d.id, d.environment, d.commit_sha, d.created_at FROM deployments d
		WHERE d.source = $1 AND d.repo_id = $2 AND d.status = 'success' AND d.commit_sha <> ''
		AND COALESCE(d.finished_at, d.created_at) >= $3
		AND NOT EXISTS (SELECT 1 FROM deployment_pull_requests dp WHERE dp.deployment_id = d.id)
		ORDER BY d.created_at, d.id`, ID, r.ID, s.job.Window.Start.Unix())
	if err != nil {
		return fmt.Errorf("github: unable to fetch deployments: %w", err)
	}
	type dep struct {
		id        int64
		env, sha  string
		createdAt int64
	}
	var deps []dep
	for rows.Next() {
		var d dep
		if err := rows.Scan(&d.id, &d.env, &d.sha, &d.createdAt); err != nil {
			rows.Close()
			return err
		}
		deps = append(deps, d)
	}
	rows.Close()
	for _, d := range deps {
		var prev string
		err := s.db.QueryRowContext(ctx, `SELECT commit_sha FROM deployments WHERE repo_id = $1 AND environment = $2 AND status = 'success'
			AND commit_sha <> '' AND (created_at < $3 OR (created_at = $3 AND id < $4)) ORDER BY created_at DESC, id DESC LIMIT 1`,
			r.ID, d.env, d.createdAt, d.id).Scan(&prev)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("github: unable to fetch deployments: %w", err)
		}
		shas := []string{d.sha}
		if prev != "" && prev != d.sha {
			cmp, _, err := s.api.Repositories.CompareCommits(ctx, r.Owner, r.Name, prev, d.sha, &gh.ListOptions{PerPage: perPage})
			if err != nil && !isGone(err) {
				return fmt.Errorf("github: unable to compare %s...%s in %s: %w", prev, d.sha, r.FullName, err)
			}
			if cmp != nil {
				for _, c := range cmp.Commits {
					shas = append(shas, c.GetSHA())
				}
			}
		}
		for _, sha := range shas {
			if _, err := s.db.ExecContext(ctx, `INSERT INTO deployment_pull_requests (deployment_id, pr_id)
				SELECT $1, id FROM pull_requests WHERE repo_id = $2 AND merge_commit_sha = $3
				ON CONFLICT DO NOTHING`, d.id, r.ID, sha); err != nil {
				return fmt.Errorf("github: unable to link deployment %d: %w", d.id, err)
			}
		}
	}
	return nil
}
