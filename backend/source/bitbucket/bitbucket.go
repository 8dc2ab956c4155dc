// Package bitbucket is the Bitbucket Cloud data source (REST API 2.0):
// repositories, commits with their line counts, pull requests with their
// commits, comments and approvals, Pipelines with their steps, and
// deployments. It speaks plain HTTP on the engine's client (retries,
// rate-limit waits, request counts): see README.md for why.
package bitbucket

import (
	"context"
	"fmt"
	"net/http"
	"net/mail"
	"net/url"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/momentum-app/momentum/backend/identity"
	"github.com/momentum-app/momentum/backend/source"
)

// ID is the source ID.
const ID = "bitbucket"

// Config keys.
const (
	KeyUsername    = "BITBUCKET_USERNAME"
	KeyPassword    = "BITBUCKET_APP_PASSWORD"
	KeyWorkspace   = "BITBUCKET_WORKSPACE"
	KeyRepos       = "BITBUCKET_REPOS"
	KeyExclude     = "BITBUCKET_EXCLUDE"
	KeyURL         = "BITBUCKET_URL"
	KeyPipelines   = "BITBUCKET_PIPELINES"
	KeyProduction  = "BITBUCKET_PRODUCTION"
	KeyDeployments = "BITBUCKET_DEPLOYMENTS"
	KeyDeploySteps = "BITBUCKET_DEPLOY_STEPS"
	KeyDeployRefs  = "BITBUCKET_DEPLOY_BRANCHES"
	defaultBaseURL = "https://api.bitbucket.org/2.0"
)

// Resources.
const (
	ResRepositories = "bitbucket.repositories"
	ResCommits      = "bitbucket.commits"
	ResPullRequests = "bitbucket.pull-requests"
	ResPipelines    = "bitbucket.pipelines"
	ResDeployments  = "bitbucket.deployments"
)

func validPatterns(v string) error {
	for _, p := range (source.Config{"v": v}).List("v") {
		if _, err := path.Match(p, ""); err != nil {
			return fmt.Errorf("%q is not a valid pattern (use * and ? as in api-*)", p)
		}
	}
	return nil
}

func pipelinesOn(c source.Config) bool { return c.Get(KeyPipelines) != "off" }

func init() {
	source.Register(&source.Source{
		ID:       ID,
		Name:     "Bitbucket Cloud",
		Category: source.CategoryVCS,
		Description: "Repositories, commits, pull requests with their comments and approvals, and Bitbucket Pipelines " +
			"with their steps and deployments, from a Bitbucket Cloud workspace.",
		Keys: []source.Key{
			{Name: KeyUsername, Label: "Username", Kind: source.KindText,
				Help: "Your Bitbucket username, for an app password; leave empty to use an access token instead."},
			{Name: KeyPassword, Label: "App password or access token", Kind: source.KindText, Required: true, Secret: true,
				Help: "An app password (with the username) or a workspace/repository access token, with read access to repositories, pull requests and pipelines."},
			{Name: KeyWorkspace, Label: "Workspace", Kind: source.KindText, Required: true,
				Help: "The workspace slug: bitbucket.org/WORKSPACE."},
			{Name: KeyRepos, Label: "Repositories", Kind: source.KindList, Validate: validPatterns,
				Help: "Collect only repositories whose slug matches one of these patterns (api, web-*); empty: all."},
			{Name: KeyExclude, Label: "Exclude", Kind: source.KindList, Validate: validPatterns,
				Help: "Never collect repositories whose slug matches one of these patterns."},
			{Name: KeyURL, Label: "API URL", Kind: source.KindURL, Default: defaultBaseURL,
				Help: "The Bitbucket Cloud API: " + defaultBaseURL + "."},
			{Name: KeyPipelines, Label: "Pipelines", Kind: source.KindEnum, Options: []string{"on", "off"}, Default: "on",
				Help: "Collect Bitbucket Pipelines, their steps, and deployments."},
			{Name: KeyProduction, Label: "Production environments", Kind: source.KindList, Default: "production,prod,live",
				Validate: validPatterns,
				Help:     "Environment names counted as production when Bitbucket's environment type is not Production; the pipeline rule matches them against the words of a step's name."},
			{Name: KeyDeployments, Label: "Deployments from", Kind: source.KindEnum, Options: []string{"auto", "environments", "pipelines"}, Default: "auto",
				Help: "auto: Bitbucket's deployments for repositories with environments, the pipeline rule for the others; environments: Bitbucket's only; pipelines: the rule only."},
			{Name: KeyDeploySteps, Label: "Deployment steps", Kind: source.KindList, Default: "*deploy*,release*", Validate: validPatterns,
				Help: "Pipeline rule: steps whose name matches one of these patterns are deployments."},
			{Name: KeyDeployRefs, Label: "Deployment branches", Kind: source.KindList, Validate: validPatterns,
				Help: "Pipeline rule: only pipelines on these branches deploy; empty: each repository's main branch."},
		},
		// Patterns match the slug (repositories.name).
		Repos: &source.RepoFilter{IncludeKey: KeyRepos, ExcludeKey: KeyExclude, Match: matchAny,
			Name: func(_, slug string) string { return slug }},
		Test: testConnection,
		Scripts: []source.Script{
			{Name: "repository", Provides: []string{ResRepositories}, Run: runRepositories},
			{Name: "commit", Provides: []string{ResCommits}, DependsOn: []string{ResRepositories}, Run: runCommits},
			{Name: "pull-request", Provides: []string{ResPullRequests}, DependsOn: []string{ResRepositories, ResCommits}, Run: runPullRequests},
			{Name: "pipeline", Provides: []string{ResPipelines}, DependsOn: []string{ResRepositories, ResPullRequests}, When: pipelinesOn, Run: runPipelines},
			{Name: "deployment", Provides: []string{ResDeployments}, DependsOn: []string{ResRepositories, ResPipelines}, When: pipelinesOn, Run: runDeployments},
		},
	})
}

// api is a Bitbucket client for one job.
type api struct {
	job  *source.Job
	base string
	auth string
}

func newAPI(job *source.Job) *api {
	return newAPIFor(job.Config, job)
}

func newAPIFor(cfg source.Config, job *source.Job) *api {
	base := strings.TrimRight(cfg.Get(KeyURL), "/")
	if base == "" {
		base = defaultBaseURL
	}
	a := &api{job: job, base: base}
	if u := cfg.Get(KeyUsername); u != "" {
		req, _ := http.NewRequest(http.MethodGet, base, nil)
		req.SetBasicAuth(u, cfg.Get(KeyPassword))
		a.auth = req.Header.Get("Authorization")
	} else {
		a.auth = "Bearer " + cfg.Get(KeyPassword)
	}
	return a
}

func (a *api) header() http.Header {
	return http.Header{"Authorization": {a.auth}}
}

// url builds an API URL from path segments (escaped) and a query.
func (a *api) url(q url.Values, segments ...string) string {
	esc := make([]string, len(segments))
	for i, s := range segments {
		esc[i] = url.PathEscape(s)
	}
	u := a.base + "/" + strings.Join(esc, "/")
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// page is Bitbucket's paginated envelope.
type page[T any] struct {
	Size   int    `json:"size"`
	Page   int    `json:"page"`
	Len    int    `json:"pagelen"`
	Next   string `json:"next"`
	Values []T    `json:"values"`
}

// each GETs first and every "next" page after it; fn returns false to stop.
func each[T any](ctx context.Context, a *api, first string, fn func(T) (bool, error)) error {
	for u := first; u != ""; {
		var p page[T]
		if _, err := a.job.HTTP.GetJSON(ctx, u, a.header(), &p); err != nil {
			return err
		}
		for _, v := range p.Values {
			more, err := fn(v)
			if err != nil || !more {
				return err
			}
		}
		u = p.Next
	}
	return nil
}

func testConnection(ctx context.Context, conn *source.Conn) error {
	job := &source.Job{Config: conn.Config, HTTP: conn.HTTP, Log: conn.Log}
	a := newAPIFor(conn.Config, job)
	var ws struct {
		Slug string `json:"slug"`
	}
	if _, err := conn.HTTP.GetJSON(ctx, a.url(nil, "workspaces", conn.Config.Get(KeyWorkspace)), a.header(), &ws); err != nil {
		return fmt.Errorf("bitbucket: unable to read workspace %q: %w", conn.Config.Get(KeyWorkspace), err)
	}
	return nil
}

// filter decides which repositories are collected, by slug.
type filter struct{ include, exclude []string }

func newFilter(cfg source.Config) filter {
	return filter{include: cfg.List(KeyRepos), exclude: cfg.List(KeyExclude)}
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

func (f filter) collects(slug string) bool {
	if matchAny(f.exclude, slug) {
		return false
	}
	return len(f.include) == 0 || matchAny(f.include, slug)
}

// repo is a collected repository as stored.
type repo struct {
	id         int64
	uuid       string
	fullName   string
	slug       string
	mainBranch string
}

func repos(ctx context.Context, job *source.Job) ([]repo, error) {
	rows, err := job.Store.DB().QueryContext(ctx, `SELECT id, external_id, full_name, name, default_branch FROM repositories
		WHERE source = $1 AND NOT excluded ORDER BY full_name`, ID)
	if err != nil {
		return nil, fmt.Errorf("bitbucket: unable to read repositories: %w", err)
	}
	defer rows.Close()
	f := newFilter(job.Config)
	var out []repo
	for rows.Next() {
		var r repo
		if err := rows.Scan(&r.id, &r.uuid, &r.fullName, &r.slug, &r.mainBranch); err != nil {
			return nil, err
		}
		if f.collects(r.slug) {
			out = append(out, r)
		}
	}
	return out, rows.Err()
}

// user is Bitbucket's account object.
type user struct {
	UUID        string `json:"uuid"`
	AccountID   string `json:"account_id"`
	Nickname    string `json:"nickname"`
	DisplayName string `json:"display_name"`
	Type        string `json:"type"`
	Links       links  `json:"links"`
}

type links struct {
	HTML   href `json:"html"`
	Avatar href `json:"avatar"`
}

type href struct {
	Href string `json:"href"`
}

// people resolves Bitbucket users and git identities, once each.
type people struct {
	job      *source.Job
	git      *identity.Resolver
	accounts map[string]identity.Ref
}

func newPeople(job *source.Job) *people {
	return &people{job: job, git: identity.NewResolver(job.Store), accounts: map[string]identity.Ref{}}
}

var botName = regexp.MustCompile(`[-_.]bot$|\[bot\]$`)

// account returns the account of a Bitbucket user. email, when known (the
// address of a commit Bitbucket attributes to the user), joins the account
// to the person of that git identity; it counts when the account is
// created.
func (p *people) account(ctx context.Context, u *user, email string) (identity.Ref, error) {
	if u == nil || u.UUID == "" {
		return identity.Ref{}, nil
	}
	if ref, ok := p.accounts[u.UUID]; ok {
		return ref, nil
	}
	a := identity.Account{Source: ID, ExternalID: u.UUID, Login: u.Nickname, Name: u.DisplayName, Email: email,
		AvatarURL: u.Links.Avatar.Href, ProfileURL: u.Links.HTML.Href,
		IsBot: u.Type == "app_user" || botName.MatchString(strings.ToLower(u.Nickname))}
	ref, err := identity.Ensure(ctx, p.job.Store, a)
	if err != nil {
		// Scripts run in parallel: another may have just created it.
		if ref, err = identity.Ensure(ctx, p.job.Store, a); err != nil {
			return identity.Ref{}, err
		}
	}
	p.accounts[u.UUID] = ref
	return ref, nil
}

// splitRaw reads a git identity "Name <email>".
func splitRaw(raw string) (name, email string) {
	if a, err := mail.ParseAddress(raw); err == nil {
		return a.Name, a.Address
	}
	if i := strings.LastIndex(raw, "<"); i >= 0 && strings.HasSuffix(raw, ">") {
		return strings.TrimSpace(raw[:i]), raw[i+1 : len(raw)-1]
	}
	return strings.TrimSpace(raw), ""
}

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

func placeholders(from, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d", from+i)
	}
	return b.String()
}
