package git

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// DefaultScanDepth is how many folder levels below a configured folder the
// scan looks for repositories: ~/src/github.com/owner/repo is three.
const DefaultScanDepth = 4

// skipDirs are folders that hold dependencies, build output or media,
// never a repository worth measuring, and can be huge (hidden folders, such
// as .cache, are skipped too).
var skipDirs = map[string]bool{
	"node_modules": true, "vendor": true, "Library": true, "__pycache__": true, "venv": true, "Pods": true,
	"site-packages": true, "bower_components": true, "AppData": true, "snap": true,
	"Pictures": true, "Music": true, "Movies": true, "Videos": true,
}

// Discover finds the repositories the configured paths name: a path that
// is a repository is taken as it is; a folder is scanned for repositories
// up to depth levels below it. A repository is not searched for nested
// ones (submodules belong to their own repository), hidden and dependency
// folders are not entered, and symbolic links are not followed while
// scanning. Worktrees of one repository count once. The paths come back
// sorted; a configured path that does not exist is an error.
func Discover(ctx context.Context, paths []string, depth int) ([]string, error) {
	if depth < 0 {
		depth = DefaultScanDepth
	}
	seen := map[string]bool{}
	var found []string
	add := func(dir string) error {
		root, err := repoRoot(ctx, dir)
		if err != nil {
			return err
		}
		if !seen[root] {
			seen[root] = true
			found = append(found, root)
		}
		return nil
	}
	var errs []error
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			errs = append(errs, err) // out of time: what was found so far
			break
		}
		p, err := expandPath(p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		info, err := os.Stat(p)
		if err != nil {
			errs = append(errs, fmt.Errorf("GIT_REPOS: %s: %w (check the path)", p, unwrap(err)))
			continue
		}
		if !info.IsDir() {
			errs = append(errs, fmt.Errorf("GIT_REPOS: %s is a file, not a folder or repository", p))
			continue
		}
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		if isRepo(p) {
			if err := add(p); err != nil {
				errs = append(errs, err)
			}
			continue
		}
		err = scan(ctx, p, depth, func(dir string) {
			if ctx.Err() != nil {
				return // scan reports it
			}
			if err := add(dir); err != nil {
				errs = append(errs, err)
			}
		})
		if err != nil {
			errs = append(errs, err)
		}
	}
	sort.Strings(found)
	return found, errors.Join(errs...)
}

func unwrap(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// expandPath makes a configured path absolute, with ~ for the home folder.
func expandPath(p string) (string, error) {
	p = strings.TrimSpace(p)
	if p == "~" || strings.HasPrefix(p, "~/") || strings.HasPrefix(p, `~\`) {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("GIT_REPOS: %s: no home folder to expand ~ (%v)", p, err)
		}
		p = filepath.Join(home, p[1:])
	}
	return filepath.Abs(p)
}

// isRepo tells a work tree (with .git, a folder or a worktree's file) or a
// bare repository.
func isRepo(dir string) bool {
	if _, err := os.Lstat(filepath.Join(dir, ".git")); err == nil {
		return true
	}
	return isBare(dir)
}

func isBare(dir string) bool {
	for _, name := range []string{"HEAD", "objects", "refs"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			return false
		}
	}
	head, err := os.ReadFile(filepath.Join(dir, "HEAD"))
	return err == nil && (strings.HasPrefix(string(head), "ref: ") || len(strings.TrimSpace(string(head))) >= 40)
}

// scan walks dir breadth-first to depth levels and reports repositories.
// The configured folder itself must be readable; folders below it that
// are not (another user's, system ones) are passed over.
func scan(ctx context.Context, dir string, depth int, found func(string)) error {
	level := []string{dir}
	for d := 0; d < depth && len(level) > 0; d++ {
		var next []string
		for _, parent := range level {
			if err := ctx.Err(); err != nil {
				return err
			}
			entries, err := os.ReadDir(parent)
			if err != nil {
				if d == 0 {
					return fmt.Errorf("GIT_REPOS: %s cannot be read: %w (check the folder's permissions)", dir, unwrap(err))
				}
				continue
			}
			for _, e := range entries {
				if !e.IsDir() { // symbolic links report as not a directory here
					continue
				}
				child := filepath.Join(parent, e.Name())
				if isRepo(child) {
					found(child)
					continue
				}
				if strings.HasPrefix(e.Name(), ".") || skipDirs[e.Name()] {
					continue
				}
				next = append(next, child)
			}
		}
		level = next
	}
	return nil
}

// repoRoot is the folder that stands for a repository: the main work tree
// (so that its worktrees count once), or the folder of a bare repository.
func repoRoot(ctx context.Context, dir string) (string, error) {
	// A work tree with a .git folder is its own main work tree (a linked
	// worktree has a .git file): no git process needed, which matters to a
	// re-sync with nothing new.
	if abs, err := filepath.Abs(dir); err == nil {
		if real, err := filepath.EvalSymlinks(abs); err == nil {
			if info, err := os.Stat(filepath.Join(real, ".git")); err == nil && info.IsDir() {
				if _, err := os.Stat(filepath.Join(real, ".git", "HEAD")); err == nil {
					return real, nil
				}
			}
		}
	}
	out, err := run(ctx, dir, "rev-parse", "--path-format=absolute", "--git-common-dir")
	if err != nil {
		return "", fmt.Errorf("%s: %w", dir, err)
	}
	common := strings.TrimSpace(string(out))
	if real, err := filepath.EvalSymlinks(common); err == nil {
		common = real
	}
	if filepath.Base(common) == ".git" {
		return filepath.Dir(common), nil
	}
	return common, nil
}

// UserEmails are the emails the user commits with, as far as git's
// configuration tells: `git config user.email` (global), then the ones set
// in the repositories themselves (at most limit of them are asked), each
// once, case-insensitively. They suggest GIT_AUTHOR_EMAILS and "me".
func UserEmails(ctx context.Context, repos []string, limit int) []string {
	var out []string
	seen := map[string]bool{}
	add := func(b []byte) {
		e := strings.TrimSpace(string(b))
		if e != "" && !seen[strings.ToLower(e)] {
			seen[strings.ToLower(e)] = true
			out = append(out, e)
		}
	}
	if b, err := run(ctx, os.TempDir(), "config", "--global", "--get", "user.email"); err == nil {
		add(b)
	}
	for i, dir := range repos {
		if i == limit || ctx.Err() != nil {
			break
		}
		if b, err := run(ctx, dir, "config", "--get", "user.email"); err == nil {
			add(b)
		}
	}
	return out
}
