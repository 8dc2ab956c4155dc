// Package deployrule is the rule that makes deployments out of CI jobs
// where a platform records none: a job (or step) whose name matches a
// pattern, in a pipeline on a deployment branch, deployed; its name tells
// the environment. Sources with CI (GitLab, Bitbucket) share it so that
// the same job names mean the same thing everywhere.
package deployrule

import (
	"path"
	"regexp"
	"strings"
)

// Defaults, documented in each source's README.
var (
	DefaultJobs       = []string{"*deploy*", "release*"}
	DefaultProduction = []string{"production", "prod", "live"}
)

// Rule is a configured rule. Empty lists take the defaults; empty Refs
// means the repository's default branch (the caller passes it).
type Rule struct {
	Jobs, Refs, Production []string
}

// New returns a rule, defaults filled in.
func New(jobs, refs, production []string) Rule {
	if len(jobs) == 0 {
		jobs = DefaultJobs
	}
	if len(production) == 0 {
		production = DefaultProduction
	}
	return Rule{Jobs: jobs, Refs: refs, Production: production}
}

// MatchAny reports whether s matches one of the path.Match patterns,
// case-insensitively.
func MatchAny(patterns []string, s string) bool {
	s = strings.ToLower(s)
	for _, p := range patterns {
		if ok, _ := path.Match(strings.ToLower(p), s); ok {
			return true
		}
	}
	return false
}

// Deploys reports whether a job of this name on this branch is a
// deployment; defaultBranch stands in for empty Refs.
func (r Rule) Deploys(job, branch, defaultBranch string) bool {
	refs := r.Refs
	if len(refs) == 0 {
		if defaultBranch == "" {
			return false
		}
		refs = []string{defaultBranch}
	}
	return MatchAny(r.Jobs, job) && MatchAny(refs, branch)
}

// environmentWords name environments in job names besides the production
// patterns.
var environmentWords = map[string]bool{
	"staging": true, "stage": true, "stg": true, "dev": true, "development": true, "test": true, "testing": true,
	"qa": true, "uat": true, "review": true, "preview": true, "sandbox": true, "demo": true, "canary": true,
}

var wordSplit = regexp.MustCompile(`[^a-z0-9]+`)

// Environment reads the environment from a deployment job's name: the
// first word that names one (deploy-staging → staging, "Deploy to prod" →
// prod). A production word, or no such word at all, means production: a
// deploy job on the deployment branch ships to production unless its name
// says otherwise.
func (r Rule) Environment(job string) (env string, production bool) {
	for _, w := range wordSplit.Split(strings.ToLower(job), -1) {
		if w == "" {
			continue
		}
		if MatchAny(r.Production, w) {
			return w, true
		}
		if environmentWords[w] {
			return w, false
		}
	}
	return "production", true
}
