package git

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/momentum-app/momentum/backend/identity"
	"github.com/momentum-app/momentum/backend/source"
	"github.com/momentum-app/momentum/backend/store"
)

// Configuration keys.
const (
	KeyRepos   = "GIT_REPOS"
	KeyDepth   = "GIT_SCAN_DEPTH"
	KeyEmails  = "GIT_AUTHOR_EMAILS"
	KeyHistory = "GIT_HISTORY"
	KeyExclude = "GIT_EXCLUDE"
)

// Values of GIT_HISTORY.
const (
	HistoryAll    = "all"    // every commit the branches reach
	HistoryWindow = "window" // from the collection window's start (default history depth, --since)
)

// Resources the scripts provide.
const (
	ResourceRepositories = "git.repositories"
	ResourceCommits      = "git.commits"
)

// Source is the local git data source.
var Source = &source.Source{
	ID:       "git",
	Name:     "Local git repositories",
	Category: source.CategoryVCS,
	Description: "Repositories on this computer, read with the git command line: commits of every branch, lines " +
		"added and removed per file and language, author time zones. Offline; no account or token.",
	Keys: []source.Key{
		{Name: KeyRepos, Label: "Repositories and folders", Kind: source.KindList, Required: true,
			Help: "Comma-separated paths of repositories, or of folders to scan for repositories (~ is your home folder), e.g. ~/src, ~/work/api"},
		{Name: KeyDepth, Label: "Scan depth", Kind: source.KindNumber, Default: strconv.Itoa(DefaultScanDepth),
			Help: "How many folder levels below a configured folder are searched for repositories (0: only the folders themselves)",
			Validate: func(v string) error {
				if n, _ := strconv.Atoi(v); n < 0 || n > 16 {
					return errors.New("the scan depth must be between 0 and 16")
				}
				return nil
			}},
		{Name: KeyEmails, Label: "Your author emails", Kind: source.KindList,
			Help: "Comma-separated emails you commit with (see `git config user.email`): the person with them is you (\"me\")",
			Validate: func(v string) error {
				for _, e := range strings.Split(v, ",") {
					if e = strings.TrimSpace(e); e != "" && !strings.Contains(e, "@") {
						return fmt.Errorf("%q is not an email address", e)
					}
				}
				return nil
			}},
		{Name: KeyExclude, Label: "Repositories not to collect", Kind: source.KindList,
			Help: "Comma-separated names of found repositories to leave out, as the repository filter lists them (* matches anything), e.g. scratch, *-fork; their data stays until retention removes it"},
		{Name: KeyHistory, Label: "History", Kind: source.KindEnum, Options: []string{HistoryAll, HistoryWindow}, Default: HistoryAll,
			Help: "all: read each repository's whole history (reading local history is fast); window: only from the collection's history depth (Settings) or --since"},
	},
	Scripts: []source.Script{
		{Name: "repository", Provides: []source.Resource{ResourceRepositories}, Run: runRepositories},
		{Name: "commit", Provides: []source.Resource{ResourceCommits}, DependsOn: []source.Resource{ResourceRepositories}, Run: runCommits},
	},
	Test: test,
	// The repository script rewrites repositories.excluded on every sync:
	// a repository is left out when GIT_EXCLUDE names it or when the
	// configured paths no longer reach it.
	Repos: repoFilter,
}

var repoFilter = &source.RepoFilter{ExcludeKey: KeyExclude, Match: matchAny, Derived: true,
	DerivedBy: "the configured paths (" + KeyRepos + ", " + KeyDepth + ") no longer reach it; its history is kept"}

func init() { source.Register(Source) }

// depth reads GIT_SCAN_DEPTH (validated by the registry).
func depth(cfg source.Config) int {
	if n, err := strconv.Atoi(cfg.Get(KeyDepth)); err == nil && n >= 0 {
		return n
	}
	return DefaultScanDepth
}

// test finds the configured repositories: every path must exist and at
// least one repository must be found.
func test(ctx context.Context, conn *source.Conn) error {
	paths := conn.Config.List(KeyRepos)
	found, err := Discover(ctx, paths, depth(conn.Config))
	if err != nil {
		if len(found) > 0 {
			return fmt.Errorf("found %d %s, but: %w", len(found), plural(len(found), "repository", "repositories"), err)
		}
		return err
	}
	if len(found) == 0 {
		return fmt.Errorf("no git repository found in %s (searched %d %s deep): check %s or raise %s",
			strings.Join(paths, ", "), depth(conn.Config), plural(depth(conn.Config), "level", "levels"), KeyRepos, KeyDepth)
	}
	conn.Found = foundSummary(found)
	return nil
}

// foundSummary names the repositories a test found: their count and the
// first few folder names.
func foundSummary(dirs []string) string {
	const shown = 5
	names := make([]string, 0, shown)
	for _, d := range dirs[:min(len(dirs), shown)] {
		names = append(names, filepath.Base(d))
	}
	s := fmt.Sprintf("%d %s: %s", len(dirs), plural(len(dirs), "repository", "repositories"), strings.Join(names, ", "))
	if more := len(dirs) - shown; more > 0 {
		s += fmt.Sprintf(" and %d more", more)
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// discover lists the configured repositories. Paths that fail are
// reported together after the others are done.
func discover(ctx context.Context, job *source.Job) ([]string, error) {
	return Discover(ctx, job.Config.List(KeyRepos), depth(job.Config))
}

// runRepositories stores each configured repository's metadata and primary
// language, then marks which stored repositories the commit script reads.
func runRepositories(ctx context.Context, job *source.Job) error {
	var dirs, unreadable []string
	var errs []error
	for _, p := range job.Config.List(KeyRepos) {
		found, err := Discover(ctx, []string{p}, depth(job.Config))
		dirs = append(dirs, found...)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			errs = append(errs, err)
			if abs, aerr := expandPath(p); aerr == nil {
				unreadable = append(unreadable, abs)
			}
		}
	}
	slices.Sort(dirs)
	dirs = slices.Compact(dirs) // one repository under two configured paths
	for _, dir := range dirs {
		if err := ctx.Err(); err != nil {
			return err
		}
		if _, err := StoreRepository(ctx, job.Store, dir); err != nil {
			errs = append(errs, err)
			continue
		}
		job.AddItems(1)
	}
	if err := markExcluded(ctx, job.Store, job.Config, dirs, unreadable); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// markExcluded rewrites repositories.excluded for the local repositories:
// one the configuration finds is collected unless GIT_EXCLUDE names it; one
// it no longer finds (its path was taken out of GIT_REPOS, the scan depth
// lowered, the folder deleted) is excluded, its history kept until
// retention prunes it, and collected again from where it stopped if it
// comes back. A repository under a configured path that could not be read
// this time (an unmounted disk) keeps its flag: the configuration still
// names it.
func markExcluded(ctx context.Context, st *store.Store, cfg source.Config, found, unreadable []string) error {
	rows, err := st.DB().QueryContext(ctx, `SELECT id, full_name, name, local_path, excluded FROM repositories WHERE source = 'git'`)
	if err != nil {
		return fmt.Errorf("store: unable to fetch repositories: %w", err)
	}
	type change struct {
		id       int64
		excluded bool
	}
	var changes []change
	for rows.Next() {
		var id int64
		var fullName, name, path string
		var excluded bool
		if err := rows.Scan(&id, &fullName, &name, &path, &excluded); err != nil {
			rows.Close()
			return fmt.Errorf("store: unable to fetch repositories: %w", err)
		}
		want := true
		switch {
		case slices.Contains(found, path):
			want = !repoFilter.Selects(cfg, fullName, name)
		case under(path, unreadable):
			want = excluded
		}
		if want != excluded {
			changes = append(changes, change{id, want})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: unable to fetch repositories: %w", err)
	}
	for _, c := range changes {
		if _, err := st.DB().ExecContext(ctx, `UPDATE repositories SET excluded = $1 WHERE id = $2`, c.excluded, c.id); err != nil {
			return fmt.Errorf("store: unable to update repository %d: %w", c.id, err)
		}
	}
	return nil
}

// under says whether path is one of roots or inside one.
func under(path string, roots []string) bool {
	for _, r := range roots {
		if path == r || strings.HasPrefix(path, strings.TrimSuffix(r, string(filepath.Separator))+string(filepath.Separator)) {
			return true
		}
	}
	return false
}

// matchAny says whether a GIT_EXCLUDE pattern names the repository: its
// full name or folder name, case-insensitively, * matching any run of
// characters.
func matchAny(patterns []string, name string) bool {
	for _, p := range patterns {
		expr := strings.NewReplacer(`\*`, `.*`, `\?`, `.`).Replace(regexp.QuoteMeta(p))
		if re, err := regexp.Compile(`(?i)^` + expr + `$`); err == nil && re.MatchString(name) {
			return true
		}
	}
	return false
}

// runCommits syncs the history of each configured repository (not excluded
// by the user), then marks the person with the configured emails as "me".
func runCommits(ctx context.Context, job *source.Job) error {
	dirs, derr := discover(ctx, job)
	var errs []error
	if derr != nil {
		errs = append(errs, derr)
	}
	excluded, err := excludedPaths(ctx, job.Store)
	if err != nil {
		return err
	}
	people := identity.NewResolver(job.Store)
	opt := Options{Log: job.Log}
	if job.Config.Get(KeyHistory) == HistoryWindow {
		opt.Since = job.Window.Start
	}
	for _, dir := range dirs {
		if excluded[dir] {
			continue
		}
		reported := 0
		o := opt
		o.Progress = func(stored int) {
			job.AddItems(stored - reported)
			reported = stored
		}
		if _, err := Sync(ctx, job.Store, people, dir, o); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			errs = append(errs, err)
		}
	}
	if emails := job.Config.List(KeyEmails); len(emails) > 0 {
		if _, err := identity.ClaimMe(ctx, job.Store, emails); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// excludedPaths are the local repositories the user chose not to collect.
func excludedPaths(ctx context.Context, st *store.Store) (map[string]bool, error) {
	rows, err := st.DB().QueryContext(ctx, `SELECT local_path FROM repositories WHERE source = 'git' AND excluded`)
	if err != nil {
		return nil, fmt.Errorf("store: unable to fetch excluded repositories: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, fmt.Errorf("store: unable to fetch excluded repositories: %w", err)
		}
		out[p] = true
	}
	return out, rows.Err()
}
