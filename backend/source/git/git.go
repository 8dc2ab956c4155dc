// Package git is the local git data source: repositories on this machine,
// read with the git command line (`git log -z --numstat`), offline.
//
// The core is plain functions: Discover finds repositories under the
// configured paths, ReadRepository reads one's metadata, Sync imports its
// history incrementally. source.go registers them as the scripts
// "repository" and "commit".
package git

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// gitEnv is the environment git runs with: the user's, without the
// variables that would point git at another repository or change what it
// prints.
func gitEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
			"GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_COMMON_DIR", "GIT_NAMESPACE",
			"GIT_PAGER", "PAGER", "GIT_EXTERNAL_DIFF", "GIT_DIFF_OPTS", "GIT_NOTES_REF":
			continue
		}
		env = append(env, kv)
	}
	return append(env, "GIT_TERMINAL_PROMPT=0", "LC_ALL=C")
}

// baseArgs keep user configuration from changing what history commands
// print: no signatures, colours or pagers.
var baseArgs = []string{"-c", "log.showSignature=false", "-c", "color.ui=false", "--no-pager"}

// command builds a git command in dir.
func command(ctx context.Context, dir string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "git", append(append([]string{}, baseArgs...), args...)...)
	cmd.Dir = dir
	cmd.Env = gitEnv()
	return cmd
}

// run runs git in dir and returns its standard output.
func run(ctx context.Context, dir string, args ...string) ([]byte, error) {
	return runInput(ctx, dir, nil, args...)
}

// runInput runs git with stdin.
func runInput(ctx context.Context, dir string, stdin []byte, args ...string) ([]byte, error) {
	cmd := command(ctx, dir, args...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, gitError(args, err, stderr.Bytes())
	}
	return out, nil
}

// gitError words a failed git command, with advice for the usual causes.
func gitError(args []string, err error, stderr []byte) error {
	if errors.Is(err, exec.ErrNotFound) {
		return errors.New("git is not installed or not on PATH: install git to read local repositories")
	}
	msg := strings.TrimSpace(string(stderr))
	if i := strings.IndexByte(msg, '\n'); i >= 0 && strings.Contains(msg, "dubious ownership") {
		msg = msg[:i]
	}
	if strings.Contains(msg, "dubious ownership") {
		return fmt.Errorf("git %s: %s (the repository belongs to another user: run `git config --global --add safe.directory PATH` if you trust it)", args[0], msg)
	}
	if msg == "" {
		return fmt.Errorf("git %s: %w", args[0], err)
	}
	return fmt.Errorf("git %s: %s", args[0], msg)
}
