package git

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// A test repository built with the git command line. Every test gets its
// own HOME without configuration, so nothing of the machine's git setup
// changes what git prints.

// isolateGit points git at an empty configuration for the test.
func isolateGit(t testing.TB) {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	t.Setenv("GIT_CONFIG_GLOBAL", filepath.Join(home, ".gitconfig"))
	for _, v := range []string{"GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_AUTHOR_DATE", "GIT_COMMITTER_NAME",
		"GIT_COMMITTER_EMAIL", "GIT_COMMITTER_DATE", "GIT_DIR", "GIT_WORK_TREE", "EMAIL"} {
		t.Setenv(v, "")
		os.Unsetenv(v)
	}
}

// who is an author or committer: name, email and the local time of the act,
// with its offset ("2026-03-01T09:30:00+05:30").
type who struct{ name, email, when string }

type testRepo struct {
	t   testing.TB
	dir string
}

func newTestRepo(t testing.TB, dir string) *testRepo {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	r := &testRepo{t: t, dir: dir}
	r.git(nil, "init", "-q", "-b", "main")
	return r
}

// git runs git in the repository and returns its output.
func (r *testRepo) git(env []string, args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = r.dir
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		r.t.Fatalf("git %s: %v: %s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

func actEnv(author, committer who) []string {
	return []string{
		"GIT_AUTHOR_NAME=" + author.name, "GIT_AUTHOR_EMAIL=" + author.email, "GIT_AUTHOR_DATE=" + author.when,
		"GIT_COMMITTER_NAME=" + committer.name, "GIT_COMMITTER_EMAIL=" + committer.email, "GIT_COMMITTER_DATE=" + committer.when,
	}
}

// write sets files (nil content deletes the file) in the work tree.
func (r *testRepo) write(files map[string][]byte) {
	r.t.Helper()
	for name, content := range files {
		p := filepath.Join(r.dir, name)
		if content == nil {
			if err := os.Remove(p); err != nil {
				r.t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			r.t.Fatal(err)
		}
		if err := os.WriteFile(p, content, 0o644); err != nil {
			r.t.Fatal(err)
		}
	}
}

// commit writes files, stages everything and commits; it returns the SHA.
// The committer is the author unless given.
func (r *testRepo) commit(author who, msg string, files map[string][]byte, committer ...who) string {
	r.t.Helper()
	r.write(files)
	r.git(nil, "add", "-A")
	c := author
	if len(committer) > 0 {
		c = committer[0]
	}
	r.git(actEnv(author, c), "commit", "-q", "--allow-empty", "-m", msg)
	return strings.TrimSpace(r.git(nil, "rev-parse", "HEAD"))
}

// merge merges branch into the current one with a merge commit.
func (r *testRepo) merge(author who, branch, msg string) string {
	r.t.Helper()
	r.git(actEnv(author, author), "merge", "-q", "--no-ff", "-m", msg, branch)
	return strings.TrimSpace(r.git(nil, "rev-parse", "HEAD"))
}

// lines returns n numbered lines of text.
func lines(prefix string, n int) []byte {
	var b strings.Builder
	for i := range n {
		b.WriteString(prefix)
		b.WriteString(" line ")
		b.WriteString(strings.Repeat("x", i%7))
		b.WriteString("\n")
	}
	return []byte(b.String())
}

// binary is content git takes for binary (it has NUL bytes).
func binary(seed byte, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7) ^ seed
		if i%5 == 0 {
			b[i] = 0
		}
	}
	return b
}
