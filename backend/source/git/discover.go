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

// skipDirs are folders that hold dependencies or build output, never a
// repository worth measuring, and can be huge.
var skipDirs = map[string]bool{
	"node_modules": true, "vendor": true, "Library": true, "__pycache__": true, "venv": true, "Pods": true,
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
				continue // unreadable folders are not the user's repositories
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
