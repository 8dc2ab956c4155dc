// Package gitlab is the GitLab data source (gitlab.com or a self-managed
// instance) with GitLab CI: projects, commits, merge requests, their notes
// and approvals, contributors, pipelines and jobs, environments and
// deployments. It talks to the REST API v4 through GitLab's official Go
// client (client-go), whose HTTP client is the engine's: retries, rate-limit
// waits and the request count of the run record all happen there.
//
// Every script after "project" reads the projects to collect from the
// database, so the project list costs one request per group per collection.
package gitlab

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path"
	"regexp"
	"strings"
	"time"

	gl "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/momentum-app/momentum/backend/identity"
	"github.com/momentum-app/momentum/backend/source"
	"github.com/momentum-app/momentum/backend/source/httpclient"
)

// ID is the source ID; rows it writes carry it in their source column.
const ID = "gitlab"

// Config keys.
const (
	KeyToken       = "GITLAB_TOKEN"
	KeyURL         = "GITLAB_URL"
	KeyGroups      = "GITLAB_GROUPS"
	KeyProjects    = "GITLAB_PROJECTS"
	KeyInclude     = "GITLAB_INCLUDE"
	KeyExclude     = "GITLAB_EXCLUDE"
	KeyCI          = "GITLAB_CI"
	KeyDeployments = "GITLAB_DEPLOYMENTS"
	KeyDeployJobs  = "GITLAB_DEPLOY_JOBS"
	KeyDeployRefs  = "GITLAB_DEPLOY_BRANCHES"
	KeyProduction  = "GITLAB_PRODUCTION"
)

// Deployment modes (GITLAB_DEPLOYMENTS).
const (
	DeployAuto         = "auto"         // GitLab's deployments where a project has environments, else the pipeline rule
	DeployEnvironments = "environments" // only GitLab's deployments
	DeployPipelines    = "pipelines"    // only the pipeline rule
)

// Resources the scripts provide.
const (
	ResProjects      = "gitlab.projects"
	ResCommits       = "gitlab.commits"
	ResMergeRequests = "gitlab.merge-requests"
	ResNotes         = "gitlab.notes"
	ResContributors  = "gitlab.contributors"
	ResPipelines     = "gitlab.pipelines"
	ResDeployments   = "gitlab.deployments"
)

func validPatterns(v string) error {
	for _, p := range (source.Config{"v": v}).List("v") {
		if _, err := path.Match(p, ""); err != nil {
			return fmt.Errorf("%q is not a valid pattern (use * and ? as in acme/*-service)", p)
		}
	}
	return nil
}

func ciOn(c source.Config) bool { return c.Get(KeyCI) != "off" }

func init() {
	source.Register(&source.Source{
		ID:       ID,
		Name:     "GitLab",
		Category: source.CategoryVCS,
		Description: "Projects, commits, merge requests with their notes and approvals, contributors, and GitLab CI " +
			"pipelines, jobs, environments and deployments, from gitlab.com or a self-managed GitLab.",
		Keys: []source.Key{
			{Name: KeyToken, Label: "Access token", Kind: source.KindText, Required: true, Secret: true,
				Help: "A personal, group or project access token with the read_api scope."},
			{Name: KeyURL, Label: "GitLab URL", Kind: source.KindURL, Default: "https://gitlab.com",
				Help: "The address of your GitLab: https://gitlab.com or your self-managed instance."},
			{Name: KeyGroups, Label: "Groups", Kind: source.KindList,
				Help: "Group IDs or paths whose projects (subgroups included) are collected, comma-separated: acme, 1234."},
			{Name: KeyProjects, Label: "Projects", Kind: source.KindList,
				Help: "Project IDs or paths collected besides the groups' projects: acme/api, 5678."},
			{Name: KeyInclude, Label: "Include patterns", Kind: source.KindList, Validate: validPatterns,
				Help: "Collect only projects whose path matches one of these patterns (acme/*); empty: all."},
			{Name: KeyExclude, Label: "Exclude patterns", Kind: source.KindList, Validate: validPatterns,
				Help: "Never collect projects whose path matches one of these patterns (acme/legacy-*, */sandbox)."},
			{Name: KeyCI, Label: "GitLab CI", Kind: source.KindEnum, Options: []string{"on", "off"}, Default: "on",
				Help: "Collect pipelines, jobs, environments and deployments."},
			{Name: KeyDeployments, Label: "Deployments from", Kind: source.KindEnum,
				Options: []string{DeployAuto, DeployEnvironments, DeployPipelines}, Default: DeployAuto,
				Help: "auto: GitLab's deployments for projects with environments, the pipeline rule for the others; " +
					"environments: GitLab's deployments only; pipelines: the pipeline rule only."},
			{Name: KeyDeployJobs, Label: "Deployment jobs", Kind: source.KindList, Default: "*deploy*,release*",
				Validate: validPatterns,
				Help:     "Pipeline rule: jobs whose name matches one of these patterns are deployments."},
			{Name: KeyDeployRefs, Label: "Deployment branches", Kind: source.KindList, Validate: validPatterns,
				Help: "Pipeline rule: only pipelines on these branches deploy; empty: each project's default branch."},
			{Name: KeyProduction, Label: "Production environments", Kind: source.KindList,
				Default: "production,prod,live", Validate: validPatterns,
				Help: "Environment names counted as production when GitLab gives no tier; the pipeline rule matches them against the words of a job's name."},
		},
		Repos: &source.RepoFilter{IncludeKey: KeyInclude, ExcludeKey: KeyExclude, Match: matchAny},
		Test:  testConnection,
		Scripts: []source.Script{
			{Name: "project", Provides: []string{ResProjects}, Run: runProjects},
			{Name: "commit", Provides: []string{ResCommits}, DependsOn: []string{ResProjects}, Run: runCommits},
			{Name: "merge-request", Provides: []string{ResMergeRequests}, DependsOn: []string{ResProjects, ResCommits}, Run: runMergeRequests},
			{Name: "note", Provides: []string{ResNotes}, DependsOn: []string{ResMergeRequests}, Run: runNotes},
			{Name: "contributor", Provides: []string{ResContributors}, DependsOn: []string{ResProjects, ResCommits, ResNotes}, Run: runContributors},
			// After the merge requests only so that their authors' accounts
			// are created first, with their commit email (see people.user).
			{Name: "pipeline", Provides: []string{ResPipelines}, DependsOn: []string{ResProjects, ResMergeRequests}, When: ciOn, Run: runPipelines},
			{Name: "deployment", Provides: []string{ResDeployments}, DependsOn: []string{ResProjects, ResPipelines}, When: ciOn, Run: runDeployments},
		},
	})
}

// newClient returns a client-go client on the job's HTTP client. client-go's
// own retries are off: the engine's client retries, waits out 429s and
// counts every attempt. client-go's adaptive limiter stays: it paces
// requests from the RateLimit-Limit header before a limit is hit.
func newClient(cfg source.Config, http *httpclient.Client) (*gl.Client, error) {
	base := strings.TrimRight(cfg.Get(KeyURL), "/")
	if base == "" {
		base = "https://gitlab.com"
	}
	c, err := gl.NewClient(cfg.Get(KeyToken),
		gl.WithBaseURL(base+"/api/v4"),
		gl.WithHTTPClient(http.StandardClient()),
		gl.WithoutRetries(),
		gl.WithUserAgent("Momentum"),
	)
	if err != nil {
		return nil, fmt.Errorf("gitlab: %s: %w", KeyURL, err)
	}
	return c, nil
}

func testConnection(ctx context.Context, conn *source.Conn) error {
	c, err := newClient(conn.Config, conn.HTTP)
	if err != nil {
		return err
	}
	u, _, err := c.Users.CurrentUser(gl.WithContext(ctx))
	if err != nil {
		return apiError("check the token", err)
	}
	conn.Log.Info("gitlab: connected", "user", u.Username)
	return nil
}

// apiError words a client-go error for a run record.
func apiError(what string, err error) error {
	var er *gl.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		switch er.Response.StatusCode {
		case 401:
			return fmt.Errorf("gitlab: %s: 401 Unauthorized (check %s: it may be expired or revoked)", what, KeyToken)
		case 403:
			return fmt.Errorf("gitlab: %s: 403 Forbidden (the token needs the read_api scope and access to the project)", what)
		}
	}
	return fmt.Errorf("gitlab: %s: %w", what, err)
}

func notFound(err error) bool { return errors.Is(err, gl.ErrNotFound) }

// filter decides which project paths are collected.
type filter struct{ include, exclude []string }

func newFilter(cfg source.Config) filter {
	return filter{include: cfg.List(KeyInclude), exclude: cfg.List(KeyExclude)}
}

func (f filter) collects(fullPath string) bool {
	if matchAny(f.exclude, fullPath) {
		return false
	}
	return len(f.include) == 0 || matchAny(f.include, fullPath)
}

func matchAny(patterns []string, s string) bool {
	s = strings.ToLower(s)
	for _, p := range patterns {
		if ok, _ := path.Match(strings.ToLower(p), s); ok {
			return true
		}
	}
	return false
}

// project is a collected project as stored.
type project struct {
	repoID        int64
	id            int64 // GitLab's project ID
	fullPath      string
	defaultBranch string
	webURL        string
}

// projects lists the stored projects the configuration collects: neither
// excluded by the user on the Data sources page nor by a pattern.
func projects(ctx context.Context, job *source.Job) ([]project, error) {
	rows, err := job.Store.DB().QueryContext(ctx, `SELECT id, external_id, full_name, default_branch, url
		FROM repositories WHERE source = $1 AND NOT excluded ORDER BY full_name`, ID)
	if err != nil {
		return nil, fmt.Errorf("gitlab: unable to read projects: %w", err)
	}
	defer rows.Close()
	f := newFilter(job.Config)
	var out []project
	for rows.Next() {
		var p project
		var ext string
		if err := rows.Scan(&p.repoID, &ext, &p.fullPath, &p.defaultBranch, &p.webURL); err != nil {
			return nil, fmt.Errorf("gitlab: unable to read projects: %w", err)
		}
		if _, err := fmt.Sscan(ext, &p.id); err != nil {
			return nil, fmt.Errorf("gitlab: project %s has a malformed id %q", p.fullPath, ext)
		}
		if f.collects(p.fullPath) {
			out = append(out, p)
		}
	}
	return out, rows.Err()
}

// people resolves GitLab users and git identities to accounts, once each.
type people struct {
	job      *source.Job
	git      *identity.Resolver
	noreply  string // users.noreply.<host>
	accounts map[int64]identity.Ref
}

func newPeople(job *source.Job) *people {
	host := "gitlab.com"
	if u, err := url.Parse(job.Config.Get(KeyURL)); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	return &people{job: job, git: identity.NewResolver(job.Store), noreply: "users.noreply." + host, accounts: map[int64]identity.Ref{}}
}

// user returns the account of a GitLab user; a zero Ref for none. The
// account carries the user's GitLab noreply address
// (ID-username@users.noreply.<host>), which GitLab writes as the author of
// commits made in the web editor with a private email: such commits, and
// local clones of them, join the same person through identity's email
// matching.
//
// An email known for the user (their commits' address, see the
// merge-request script) replaces the noreply address: identity then joins
// the account to the person of that git identity. It counts only when the
// account is created; the merge-request script runs before every other
// script that meets users, so a request's author is created with it.
func (p *people) user(ctx context.Context, id int64, username, name, avatar, web string, bot bool) (identity.Ref, error) {
	return p.userWithEmail(ctx, id, username, name, avatar, web, bot, "")
}

func (p *people) userWithEmail(ctx context.Context, id int64, username, name, avatar, web string, bot bool, email string) (identity.Ref, error) {
	if id == 0 {
		return identity.Ref{}, nil
	}
	if ref, ok := p.accounts[id]; ok {
		return ref, nil
	}
	if email == "" {
		email = fmt.Sprintf("%d-%s@%s", id, strings.ToLower(username), p.noreply)
	}
	a := identity.Account{
		Source: ID, ExternalID: fmt.Sprint(id), Login: username, Name: name,
		Email:     email,
		AvatarURL: avatar, ProfileURL: web, IsBot: bot || IsBot(username, name),
	}
	ref, err := identity.Ensure(ctx, p.job.Store, a)
	if err != nil {
		// Scripts run in parallel: another may have created the account
		// between Ensure's lookup and its insert (a unique violation).
		// Looking up again finds it.
		if ref, err = identity.Ensure(ctx, p.job.Store, a); err != nil {
			return identity.Ref{}, err
		}
	}
	p.accounts[id] = ref
	return ref, nil
}

func (p *people) basic(ctx context.Context, u *gl.BasicUser) (identity.Ref, error) {
	if u == nil {
		return identity.Ref{}, nil
	}
	return p.user(ctx, u.ID, u.Username, u.Name, u.AvatarURL, u.WebURL, false)
}

func (p *people) basicWithEmail(ctx context.Context, u *gl.BasicUser, email string) (identity.Ref, error) {
	if u == nil {
		return identity.Ref{}, nil
	}
	return p.userWithEmail(ctx, u.ID, u.Username, u.Name, u.AvatarURL, u.WebURL, false, email)
}

func (p *people) full(ctx context.Context, u *gl.User) (identity.Ref, error) {
	if u == nil {
		return identity.Ref{}, nil
	}
	return p.user(ctx, u.ID, u.Username, u.Name, u.AvatarURL, u.WebURL, u.Bot)
}

func (p *people) noteAuthor(ctx context.Context, a gl.NoteAuthor) (identity.Ref, error) {
	return p.user(ctx, a.ID, a.Username, a.Name, a.AvatarURL, a.WebURL, false)
}

// botUser matches GitLab's bot users: project and group access tokens
// (project_42_bot_3f0c..., group_7_bot), the service accounts GitLab ships
// (alert-bot, support-bot, ghost ...) and the common *-bot / *_bot names.
var botUser = regexp.MustCompile(`^(project|group)_\d+_bot(_[0-9a-f]+)?$|[-_.]bot$|\[bot\]$`)

var knownBots = map[string]bool{
	"ghost": true, "alert-bot": true, "support-bot": true, "visual-review-bot": true,
	"gitlab-bot": true, "gitlab-llm-bot": true, "dependabot": true, "renovate": true,
}

// IsBot tells a GitLab bot user by username (or a git name ending in [bot]).
func IsBot(username, name string) bool {
	u := strings.ToLower(username)
	return knownBots[u] || botUser.MatchString(u) || strings.HasSuffix(strings.ToLower(strings.TrimSpace(name)), "[bot]")
}

// unix returns t in Unix seconds, or nil.
func unix(t *time.Time) any {
	if t == nil || t.IsZero() {
		return nil
	}
	return t.Unix()
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// perPage is the largest page GitLab serves.
const perPage = 100

func listOptions() gl.ListOptions { return gl.ListOptions{PerPage: perPage} }

// before reports whether t is before the window start: lists sorted by
// updated_at descending stop there.
func before(t *time.Time, start time.Time) bool { return t != nil && t.Before(start) }
