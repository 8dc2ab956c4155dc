package app

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/momentum-app/momentum/backend/schedule"
	"github.com/momentum-app/momentum/backend/secret"
	"github.com/momentum-app/momentum/backend/source"
	gitsource "github.com/momentum-app/momentum/backend/source/git"
	"github.com/momentum-app/momentum/backend/sourceconfig"
	"github.com/momentum-app/momentum/backend/store"
	"github.com/momentum-app/momentum/backend/store/pgembed/pgembedtest"
)

// buildMomentum builds the momentum binary (the module's main package, which
// embeds frontend/dist) into a temporary folder.
func buildMomentum(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "frontend", "dist", "index.html")); err != nil {
		t.Fatalf("the binary embeds the built frontend: run `npm --prefix frontend run build` first (%v)", err)
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	bin := filepath.Join(t.TempDir(), "momentum")
	args := []string{"build", "-buildvcs=false", "-o", bin}
	if raceEnabled {
		args = append(args, "-race")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goTool, append(args, ".")...)
	cmd.Dir = root
	started := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	t.Logf("built momentum in %s", time.Since(started).Round(time.Millisecond))
	return bin
}

// gitRepo creates a repository with git itself; commit adds one commit.
type gitRepo struct {
	t   *testing.T
	dir string
	n   int
}

func newGitRepo(t *testing.T, dir string) *gitRepo {
	r := &gitRepo{t: t, dir: dir}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	r.git("init", "-q", "-b", "main")
	return r
}

func (r *gitRepo) git(args ...string) {
	r.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = r.dir
	when := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC).Add(time.Duration(r.n) * time.Hour).Format(time.RFC3339)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=Ada", "GIT_AUTHOR_EMAIL=ada@example.com", "GIT_AUTHOR_DATE="+when,
		"GIT_COMMITTER_NAME=Ada", "GIT_COMMITTER_EMAIL=ada@example.com", "GIT_COMMITTER_DATE="+when)
	if out, err := cmd.CombinedOutput(); err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func (r *gitRepo) commit() {
	r.t.Helper()
	r.n++
	name := fmt.Sprintf("f%d.go", r.n)
	if err := os.WriteFile(filepath.Join(r.dir, name), []byte(fmt.Sprintf("package f\n\nconst N = %d\n", r.n)), 0o644); err != nil {
		r.t.Fatal(err)
	}
	r.git("add", name)
	r.git("commit", "-q", "-m", "commit "+name)
}

// serveProcess is one `momentum serve` with its log.
type serveProcess struct {
	cmd  *exec.Cmd
	mu   sync.Mutex
	log  bytes.Buffer
	done chan error
}

func (p *serveProcess) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.log.Write(b)
}

func (p *serveProcess) logged() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.log.String()
}

// TestTwoServeProcessesCollectEachScriptOncePerTick starts two real
// `momentum serve` processes on one PostgreSQL with a schedule every five
// seconds and the git source on a generated repository that gains a commit
// every few seconds. Across both processes each script runs exactly once
// per tick, none fails (a script locked by the other process is not a
// failure), and every commit is written by exactly one run.
func TestTwoServeProcessesCollectEachScriptOncePerTick(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs two servers for half a minute")
	}
	dsn := pgembedtest.DSN(t) // skips as root unless MOMENTUM_TEST_REQUIRE_PG=1
	bin := buildMomentum(t)
	ctx := context.Background()

	repo := newGitRepo(t, filepath.Join(t.TempDir(), "widgets"))
	repo.commit()
	repo.commit()

	st, err := store.Open(ctx, store.Options{DB: dsn, DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cfg := sourceconfig.New(st, source.Default, secret.NewVault(secret.NewMemory()))
	if err := cfg.Set(ctx, "git", map[string]string{gitsource.KeyRepos: repo.dir}, "cli"); err != nil {
		t.Fatal(err)
	}
	const every = 5 // seconds
	if err := st.SetSetting(ctx, schedule.SettingCron, fmt.Sprintf("*/%d * * * * *", every), time.Now().Unix()); err != nil {
		t.Fatal(err)
	}

	var procs []*serveProcess
	for i := range 2 {
		p := &serveProcess{done: make(chan error, 1)}
		p.cmd = exec.Command(bin, "--db", dsn, "--data-dir", t.TempDir(), "serve", "--addr", "127.0.0.1:0")
		p.cmd.Env = append(os.Environ(), "MOMENTUM_SECRET_KEY=two-serve-processes-test-key-0123456789",
			"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
		p.cmd.Stdout, p.cmd.Stderr = p, p
		if err := p.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { p.done <- p.cmd.Wait() }()
		procs = append(procs, p)
		t.Cleanup(func() {
			if p.cmd.ProcessState == nil {
				p.cmd.Process.Kill()
				<-p.done
			}
			if t.Failed() {
				t.Logf("serve %d logged:\n%s", i, p.logged())
			}
		})
	}
	// Both serve and have scheduled the collection.
	deadline := time.Now().Add(2 * time.Minute)
	for _, p := range procs {
		for !strings.Contains(p.logged(), "collection scheduled") {
			select {
			case err := <-p.done:
				t.Fatalf("serve exited before scheduling: %v", err)
			default:
			}
			if time.Now().After(deadline) {
				t.Fatal("serve did not start within 2 minutes")
			}
			time.Sleep(100 * time.Millisecond)
		}
	}

	// New commits while the processes collect, then one more tick.
	for range 3 {
		time.Sleep(every * time.Second)
		repo.commit()
	}
	time.Sleep(2*every*time.Second + time.Second)

	for i, p := range procs {
		if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatalf("serve %d: %v", i, err)
		}
		select {
		case err := <-p.done:
			if err != nil {
				t.Errorf("serve %d ended with %v", i, err)
			}
		case <-time.After(time.Minute):
			t.Fatalf("serve %d did not stop within a minute of SIGTERM", i)
		}
	}

	runs, err := st.Runs(ctx, store.RunFilter{Source: "git", Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	type tickScript struct {
		tick   int64
		script string
	}
	perTick := map[tickScript]int{}
	ticks := map[int64]bool{}
	owners := map[string]int{}
	var committed int64
	for _, r := range runs {
		if r.Status != store.RunCompleted {
			t.Errorf("%s run %d: %s %q", r.Script, r.ID, r.Status, r.Error)
		}
		tick := r.StartedAt - r.StartedAt%every
		perTick[tickScript{tick, r.Script}]++
		ticks[tick] = true
		owners[r.Owner]++
		if r.Script == "commit" {
			committed += r.Items
		}
	}
	for tick := range ticks {
		for _, script := range []string{"repository", "commit"} {
			if n := perTick[tickScript{tick, script}]; n != 1 {
				t.Errorf("tick %s: %s ran %d times", time.Unix(tick, 0).UTC().Format(time.TimeOnly), script, n)
			}
		}
	}
	if len(ticks) < 4 {
		t.Errorf("%d ticks collected in %d s of a schedule every %d s", len(ticks), 6*every, every)
	}
	var stored int
	if err := st.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM commits`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored != repo.n || committed != int64(repo.n) {
		t.Errorf("%d commits in the repository, %d stored, %d written by the commit runs", repo.n, stored, committed)
	}
	// Each process says how its scheduled collections went: none failed.
	collections := make([]int, len(procs))
	for i, p := range procs {
		for _, line := range strings.Split(p.logged(), "\n") {
			if !strings.Contains(line, "schedule: collection done") {
				continue
			}
			collections[i]++
			if !strings.Contains(line, " failed=0 ") {
				t.Errorf("serve %d: %s", i, line)
			}
		}
		if strings.Contains(p.logged(), "already running") {
			t.Errorf("serve %d reported a script already running", i)
		}
	}
	t.Logf("%d ticks, %d runs; runs by process %v; scheduled collections by process %v", len(ticks), len(runs), owners, collections)
}
