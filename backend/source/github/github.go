// Package github is the GitHub data source, GitHub Actions included:
// repositories, contributors, commits with their line counts, pull requests,
// reviews, review and discussion comments, the commits of each pull request,
// workflows, workflow runs with their jobs and steps, and deployments.
//
// It talks to the REST API through google/go-github on the collection
// engine's HTTP client, so retries, rate-limit waits and the per-run request
// count apply to every call. Each script asks only for what changed since its
// window start (see README.md for the request budget).
package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	gh "github.com/google/go-github/v92/github"

	"github.com/momentum-app/momentum/backend/source"
)

// ID is the source's ID.
const ID = "github"

// Configuration keys.
const (
	KeyToken         = "GITHUB_TOKEN"
	KeyOrganizations = "GITHUB_ORGANIZATIONS"
	KeyUsers         = "GITHUB_USERS"
	KeyVisibility    = "GITHUB_VISIBILITY"
	KeyAPIURL        = "GITHUB_API_URL"
	KeyInclude       = "GITHUB_INCLUDE_REPOSITORIES"
	KeyExclude       = "GITHUB_EXCLUDE_REPOSITORIES"
	KeyDeployNames   = "GITHUB_DEPLOY_WORKFLOWS"
	KeyDeployBranch  = "GITHUB_DEPLOY_BRANCHES"
	KeyProductionEnv = "GITHUB_PRODUCTION_ENVIRONMENTS"
)

// DefaultAPIURL is github.com's REST API.
const DefaultAPIURL = "https://api.github.com/"

// Resources the scripts provide.
const (
	ResRepositories = "github.repositories"
	ResContributors = "github.contributors"
	ResCommits      = "github.commits"
	ResPulls        = "github.pull_requests"
	ResReviews      = "github.reviews"
	ResComments     = "github.comments"
	ResPullCommits  = "github.pull_request_commits"
	ResWorkflows    = "github.workflows"
	ResRuns         = "github.workflow_runs"
	ResJobs         = "github.workflow_jobs"
	ResDeployments  = "github.deployments"
)

func init() { source.Register(Source()) }

// Source is the GitHub source's registration; tests register it in a
// registry of their own.
func Source() *source.Source {
	return &source.Source{
		ID:       ID,
		Name:     "GitHub",
		Category: source.CategoryVCS,
		Description: "Repositories, commits, pull requests, reviews and comments, contributors, and GitHub Actions " +
			"workflows, runs, jobs and deployments, from github.com or GitHub Enterprise Server.",
		Keys: []source.Key{
			{Name: KeyToken, Label: "Token", Kind: source.KindText, Required: true, Secret: true,
				Help: "A personal access token (classic: scopes repo and read:org; fine-grained: read access to metadata, contents, pull requests, actions and deployments)."},
			{Name: KeyOrganizations, Label: "Organizations", Kind: source.KindList,
				Help: "Organizations whose repositories are collected, comma-separated (set this, Users, or both).", Validate: validNames},
			{Name: KeyUsers, Label: "Users", Kind: source.KindList,
				Help: "Users whose own repositories are collected, comma-separated.", Validate: validNames},
			{Name: KeyVisibility, Label: "Repository visibility", Kind: source.KindEnum, Default: "all",
				Options: []string{"all", "public", "private"}, Help: "Collect all repositories, or only public or only private ones."},
			{Name: KeyAPIURL, Label: "API base URL", Kind: source.KindURL, Default: DefaultAPIURL,
				Help: "https://api.github.com/ for github.com; https://HOST/api/v3/ for GitHub Enterprise Server."},
			{Name: KeyInclude, Label: "Include repositories", Kind: source.KindList, Validate: validPatterns,
				Help: "Only repositories whose owner/name matches one of these patterns (* and ? wildcards, e.g. acme/*); empty: all."},
			{Name: KeyExclude, Label: "Exclude repositories", Kind: source.KindList, Validate: validPatterns,
				Help: "Repositories whose owner/name matches one of these patterns are not collected (e.g. acme/legacy-*, acme/sandbox)."},
			{Name: KeyDeployNames, Label: "Deployment workflows and jobs", Kind: source.KindList, Default: DefaultDeployNames, Validate: validPatterns,
				Help: "In repositories without GitHub deployments, successful-or-failed runs of workflows or jobs whose name matches one of these patterns (case-insensitive) count as deployments."},
			{Name: KeyDeployBranch, Label: "Deployment branches", Kind: source.KindList, Default: DefaultDeployBranches, Validate: validPatterns,
				Help: "Such runs count as deployments only on these branches (patterns)."},
			{Name: KeyProductionEnv, Label: "Production environments", Kind: source.KindList, Default: DefaultProductionEnvs, Validate: validPatterns,
				Help: "Environment names (patterns, case-insensitive) that are production; other environments are not."},
		},
		// The repository script rewrites repositories.excluded from the patterns and the visibility on every sync.
		Repos: &source.RepoFilter{IncludeKey: KeyInclude, ExcludeKey: KeyExclude, Match: matchAny, Derived: true},
		Test: func(ctx context.Context, conn *source.Conn) error {
			c, err := newClient(conn.Config, conn.HTTP.StandardClient())
			if err != nil {
				return err
			}
			if _, _, err := c.Users.Get(ctx, ""); err != nil {
				return fmt.Errorf("github: the token was not accepted by %s: %w", apiURL(conn.Config), err)
			}
			for _, o := range owners(conn.Config) {
				get := func() error { _, _, err := c.Users.Get(ctx, o.name); return err }
				kind := "user"
				if o.org {
					get = func() error { _, _, err := c.Organizations.Get(ctx, o.name); return err }
					kind = "organization"
				}
				if err := get(); err != nil {
					if isGone(err) {
						return fmt.Errorf("github: %s %q was not found, or the token cannot see it (it needs read:org for an organization)", kind, o.name)
					}
					return fmt.Errorf("github: unable to read %s %q: %w", kind, o.name, err)
				}
			}
			return nil
		},
		Scripts: []source.Script{
			{Name: "repository", Provides: []string{ResRepositories}, Run: runRepositories},
			{Name: "contributor", Provides: []string{ResContributors}, DependsOn: []string{ResRepositories}, Run: runContributors},
			{Name: "commit", Provides: []string{ResCommits}, DependsOn: []string{ResRepositories, ResContributors}, Run: runCommits},
			{Name: "pull-request", Provides: []string{ResPulls}, DependsOn: []string{ResRepositories, ResContributors}, Run: runPulls},
			{Name: "review", Provides: []string{ResReviews}, DependsOn: []string{ResPulls}, Run: runReviews},
			{Name: "comment", Provides: []string{ResComments}, DependsOn: []string{ResPulls, ResReviews}, Run: runComments},
			{Name: "pull-request-commit", Provides: []string{ResPullCommits}, DependsOn: []string{ResPulls}, Run: runPullCommits},
			{Name: "workflow", Provides: []string{ResWorkflows}, DependsOn: []string{ResRepositories}, Run: runWorkflows},
			{Name: "workflow-run", Provides: []string{ResRuns}, DependsOn: []string{ResWorkflows, ResContributors}, Run: runWorkflowRuns},
			{Name: "workflow-job", Provides: []string{ResJobs}, DependsOn: []string{ResRuns}, Run: runWorkflowJobs},
			{Name: "deployment", Provides: []string{ResDeployments}, DependsOn: []string{ResJobs, ResPulls, ResPullCommits}, Run: runDeployments},
		},
	}
}

func validNames(v string) error {
	for _, n := range (source.Config{"k": v}).List("k") {
		if strings.ContainsAny(n, "/ ") {
			return fmt.Errorf("%q is not an account name: give names such as acme, without a slash", n)
		}
	}
	return nil
}

func validPatterns(v string) error {
	for _, p := range (source.Config{"k": v}).List("k") {
		if strings.Trim(p, "*?") == "" && p != "*" {
			return fmt.Errorf("%q matches everything: write * for all, or a name with wildcards such as acme/*", p)
		}
	}
	return nil
}

func apiURL(cfg source.Config) string {
	u := cfg.Get(KeyAPIURL)
	if u == "" {
		u = DefaultAPIURL
	}
	if !strings.HasSuffix(u, "/") {
		u += "/"
	}
	return u
}

// newClient builds a go-github client on hc (the engine's client, with its
// retries, rate-limit waits and request count). go-github's own pre-emptive
// rate-limit check is off: waiting is the engine client's job, in one place.
func newClient(cfg source.Config, hc *http.Client) (*gh.Client, error) {
	token := cfg.Get(KeyToken)
	if token == "" {
		return nil, errors.New("github: no token: set " + KeyToken)
	}
	base := apiURL(cfg)
	c := *hc // WithAuthToken wraps the transport of the client it is given
	client, err := gh.NewClient(gh.WithHTTPClient(&c), gh.WithAuthToken(token), gh.WithURLs(&base, nil), gh.WithDisableRateLimitCheck())
	if err != nil {
		return nil, fmt.Errorf("github: %s %q: %w", KeyAPIURL, base, err)
	}
	return client, nil
}

// unix is a timestamp as stored (Unix seconds), or 0.
func unix(t *gh.Timestamp) int64 {
	if t == nil || t.IsZero() {
		return 0
	}
	return t.Unix()
}

// nullUnix is a timestamp for a nullable column.
func nullUnix(t *gh.Timestamp) any {
	if t == nil || t.IsZero() {
		return nil
	}
	return t.Unix()
}

func nullInt(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

// notModified tells a 304 answer to a conditional request.
func notModified(resp *gh.Response) bool {
	return resp != nil && resp.StatusCode == http.StatusNotModified
}

// perPage is the largest page GitHub serves.
const perPage = 100

func before(t *gh.Timestamp, w time.Time) bool { return t != nil && t.Time.Before(w) }
