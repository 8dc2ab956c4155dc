// Command bench-git measures the local git source against git itself: on a
// generated repository (80,000 commits by default), in one run, it times
// `git log --all --numstat --no-renames` (the baseline: reading history is
// bound by git's diffing), a full import into an empty database, a second
// sync with nothing new, and the peak memory of the importing process.
//
//	bench-git gen -repo DIR [-commits 80000]       (git fast-import; reused when it is there)
//	bench-git run -repo DIR -db sqlite|embedded -data-dir DIR [-out result.json]
//	bench-git resync -repo DIR -db sqlite|embedded -data-dir DIR [-n 10]   (after run: re-syncs alone)
//
// The baseline runs twice, before and after the import, and the ratio is
// against their mean, so that a busy machine weighs on both sides. The
// import is checked against the baseline's own output: the same number of
// commits and file changes, and the same line totals.
//
// build/bench-git.sh runs both engines.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/momentum-app/momentum/backend/identity"
	"github.com/momentum-app/momentum/backend/source/git"
	"github.com/momentum-app/momentum/backend/store"
)

// Targets of issue 4 ("Fast").
const (
	targetRatio  = 1.2
	targetResync = 500 * time.Millisecond
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: bench-git gen|run [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "gen":
		err = genCmd(os.Args[2:])
	case "run":
		err = runCmd(os.Args[2:])
	case "resync":
		err = resyncCmd(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q (gen or run)", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench-git:", err)
		os.Exit(1)
	}
}

func genCmd(args []string) error {
	fs := flag.NewFlagSet("gen", flag.ExitOnError)
	repo := fs.String("repo", "", "repository folder")
	commits := fs.Int("commits", 80_000, "commits to generate")
	fs.Parse(args)
	if *repo == "" {
		return errors.New("-repo is required")
	}
	if b, err := os.ReadFile(filepath.Join(*repo, "BENCH_COMMITS")); err == nil && strings.TrimSpace(string(b)) == strconv.Itoa(*commits) {
		fmt.Printf("repository %s: %d commits, reused\n", *repo, *commits)
		return nil
	}
	start := time.Now()
	if err := generateRepo(*repo, *commits); err != nil {
		return err
	}
	fmt.Printf("repository %s: %d commits generated in %.1f s\n", *repo, *commits, time.Since(start).Seconds())
	return nil
}

// Result is one engine's run.
type Result struct {
	Engine      string    `json:"engine"`
	Date        string    `json:"date"`
	CPUs        int       `json:"cpus"`
	Commits     int       `json:"commits"`
	FileChanges int64     `json:"file_changes"`
	Baselines   []float64 `json:"baseline_s"`
	Baseline    float64   `json:"baseline_mean_s"`
	Import      float64   `json:"import_s"`
	Ratio       float64   `json:"ratio"`
	Resync      float64   `json:"resync_s"`
	// CPU time (user + system) beside wall time: on a busy machine wall
	// time waits for cores, CPU time does not. The import's counts this
	// process and its git children, not the PostgreSQL server's processes.
	BaselineCPU float64 `json:"baseline_cpu_s"`
	ImportCPU   float64 `json:"import_cpu_s"`
	PeakRSSMB   float64 `json:"peak_rss_mb"`         // this process: parsing, identities, batches, the SQLite engine
	GitPeakMB   float64 `json:"git_peak_rss_mb"`     // the largest git process of the import (sampled)
	BaseGitMB   float64 `json:"baseline_git_rss_mb"` // git log --all of the baseline
	RatioMet    bool    `json:"ratio_target_met"`    // ≤ 1.2
	ResyncMet   bool    `json:"resync_target_met"`
}

func runCmd(args []string) error {
	fs := flag.NewFlagSet("run", flag.ExitOnError)
	repo := fs.String("repo", "", "repository folder (see gen)")
	db := fs.String("db", "sqlite", "sqlite or embedded")
	dataDir := fs.String("data-dir", "", "database folder (emptied first)")
	out := fs.String("out", "", "write the result as JSON here")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the import here")
	fs.Parse(args)
	if *repo == "" || *dataDir == "" {
		return errors.New("-repo and -data-dir are required")
	}
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

	// Warm the page cache, then the baseline.
	if _, err := baseline(ctx, *repo); err != nil {
		return err
	}
	b1, err := baseline(ctx, *repo)
	if err != nil {
		return err
	}
	fmt.Printf("baseline 1: %.2f s (%d commits, %d file changes)\n", b1.dur.Seconds(), b1.commits, b1.files)

	if err := os.RemoveAll(*dataDir); err != nil {
		return err
	}
	if err := os.MkdirAll(*dataDir, 0o700); err != nil {
		return err
	}
	st, err := store.Open(ctx, store.Options{DB: *db, DataDir: *dataDir, Logger: log})
	if err != nil {
		return err
	}
	defer st.Close()
	if want := map[string]store.Engine{"sqlite": store.EngineSQLite, "embedded": store.EngineEmbedded}[*db]; st.Engine() != want {
		return fmt.Errorf("asked for %s, got %s: %s", *db, st.Engine(), st.Notice())
	}

	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		pprof.StartCPUProfile(f)
	}
	cpu0 := cpuTime()
	stopSampling := sampleChildren()
	start := time.Now()
	res, err := git.Sync(ctx, st, identity.NewResolver(st), *repo, git.Options{Log: log})
	if err != nil {
		return err
	}
	imp := time.Since(start)
	impCPU := cpuTime() - cpu0
	gitPeak := stopSampling()
	if *cpuProfile != "" {
		pprof.StopCPUProfile()
	}
	fmt.Printf("import:     %.2f s (%d commits stored)\n", imp.Seconds(), res.Added)
	if err := verify(ctx, st, b1); err != nil {
		return err
	}

	start = time.Now()
	again, err := git.Sync(ctx, st, identity.NewResolver(st), *repo, git.Options{Log: log})
	if err != nil {
		return err
	}
	resync := time.Since(start)
	if !again.Unchanged || again.Read != 0 {
		return fmt.Errorf("the second sync read history: %+v", again)
	}
	fmt.Printf("re-sync:    %.3f s (nothing new)\n", resync.Seconds())

	b2, err := baseline(ctx, *repo)
	if err != nil {
		return err
	}
	fmt.Printf("baseline 2: %.2f s\n", b2.dur.Seconds())

	var self syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	mean := (b1.dur.Seconds() + b2.dur.Seconds()) / 2
	r := Result{
		Engine: *db, Date: time.Now().UTC().Format(time.RFC3339), CPUs: runtime.NumCPU(),
		Commits: b1.commits, FileChanges: b1.files,
		Baselines: []float64{round(b1.dur.Seconds(), 2), round(b2.dur.Seconds(), 2)}, Baseline: round(mean, 2),
		Import: round(imp.Seconds(), 2), Ratio: round(imp.Seconds()/mean, 2), Resync: round(resync.Seconds(), 3),
		BaselineCPU: round((b1.cpu+b2.cpu).Seconds()/2, 2), ImportCPU: round(impCPU.Seconds(), 2),
		PeakRSSMB: round(float64(self.Maxrss)/1024, 1), GitPeakMB: round(float64(gitPeak)/1024, 1),
		BaseGitMB: round(float64(max(b1.maxRSS, b2.maxRSS))/1024, 1),
	}
	r.RatioMet, r.ResyncMet = r.Ratio <= targetRatio, resync < targetResync
	fmt.Printf("%s: baseline %.2f s, import %.2f s, ratio %.2f× (target ≤ %.1f×), re-sync %.3f s (target < %.1f s), peak RSS %.0f MB (its git processes %.0f MB; the baseline's git %.0f MB); CPU: baseline %.2f s, import %.2f s\n",
		r.Engine, r.Baseline, r.Import, r.Ratio, targetRatio, r.Resync, targetResync.Seconds(), r.PeakRSSMB, r.GitPeakMB, r.BaseGitMB, r.BaselineCPU, r.ImportCPU)
	if *out != "" {
		b, _ := json.MarshalIndent(r, "", "  ")
		if err := os.WriteFile(*out, append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// resyncCmd times re-syncs with nothing new on the database a run left.
func resyncCmd(args []string) error {
	fs := flag.NewFlagSet("resync", flag.ExitOnError)
	repo := fs.String("repo", "", "repository folder")
	db := fs.String("db", "sqlite", "sqlite or embedded")
	dataDir := fs.String("data-dir", "", "the database folder of a run")
	n := fs.Int("n", 10, "re-syncs")
	fs.Parse(args)
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{DB: *db, DataDir: *dataDir, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	defer st.Close()
	var times []float64
	for range *n {
		start := time.Now()
		res, err := git.Sync(ctx, st, identity.NewResolver(st), *repo, git.Options{})
		if err != nil {
			return err
		}
		if !res.Unchanged {
			return fmt.Errorf("the database does not hold the repository's history: %+v", res)
		}
		times = append(times, time.Since(start).Seconds())
	}
	slices.Sort(times)
	fmt.Printf("re-sync with nothing new, %d times: min %.3f s, median %.3f s, max %.3f s\n", len(times), times[0], times[len(times)/2], times[len(times)-1])
	return nil
}

func round(v float64, digits int) float64 {
	p := 1.0
	for range digits {
		p *= 10
	}
	return float64(int64(v*p+0.5)) / p
}

// baselineRun is one `git log --all --numstat --no-renames` and what it printed.
type baselineRun struct {
	dur, cpu             time.Duration
	maxRSS               int64 // KB
	commits              int
	files                int64
	additions, deletions int64
}

// baseline runs git log as the issue words it, reading its output as it
// comes (counting commits, file lines and line totals costs far less than
// git's diffing, and gives the import something to be checked against).
func baseline(ctx context.Context, repo string) (baselineRun, error) {
	cmd := exec.CommandContext(ctx, "git", "log", "--all", "--numstat", "--no-renames")
	cmd.Dir = repo
	cmd.Env = append(os.Environ(), "LC_ALL=C", "GIT_PAGER=cat")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return baselineRun{}, err
	}
	var r baselineRun
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return r, err
	}
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if bytes.HasPrefix(line, []byte("commit ")) {
			r.commits++
			continue
		}
		a, rest, ok := bytes.Cut(line, []byte{'\t'})
		if !ok || len(a) == 0 || (a[0] != '-' && (a[0] < '0' || a[0] > '9')) {
			continue
		}
		d, _, ok := bytes.Cut(rest, []byte{'\t'})
		if !ok {
			continue
		}
		r.files++
		na, _ := strconv.ParseInt(string(a), 10, 64)
		nd, _ := strconv.ParseInt(string(d), 10, 64)
		r.additions += na
		r.deletions += nd
	}
	if err := cmd.Wait(); err != nil {
		return r, fmt.Errorf("git log: %v: %s", err, stderr.String())
	}
	r.dur = time.Since(start)
	r.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.maxRSS = ru.Maxrss
	}
	return r, sc.Err()
}

// sampleChildren watches this process's children (listed in
// /proc/self/task/*/children) until the returned function is called, which
// gives the largest peak RSS (VmHWM, KB) of a git child seen. Children are
// read every 50 ms and VmHWM only grows, so a process that lives longer
// than that is measured to its last sample.
func sampleChildren() func() int64 {
	done := make(chan struct{})
	result := make(chan int64)
	go func() {
		var peak int64
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			tasks, _ := os.ReadDir("/proc/self/task")
			for _, task := range tasks {
				kids, _ := os.ReadFile("/proc/self/task/" + task.Name() + "/children")
				for _, pid := range strings.Fields(string(kids)) {
					status, _ := os.ReadFile("/proc/" + pid + "/status")
					if !bytes.HasPrefix(status, []byte("Name:\tgit")) {
						continue
					}
					for _, line := range strings.Split(string(status), "\n") {
						if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
							kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
							peak = max(peak, kb)
						}
					}
				}
			}
			select {
			case <-done:
				result <- peak
				return
			case <-tick.C:
			}
		}
	}()
	return func() int64 { close(done); return <-result }
}

// cpuTime is the CPU time of this process and its finished children.
func cpuTime() time.Duration {
	var self, children syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children)
	tv := func(t syscall.Timeval) time.Duration { return time.Duration(t.Nano()) }
	return tv(self.Utime) + tv(self.Stime) + tv(children.Utime) + tv(children.Stime)
}

// verify compares the database with what the baseline printed.
func verify(ctx context.Context, st *store.Store, b baselineRun) error {
	var commits int
	var files, adds, dels int64
	if err := st.DB().QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(additions), 0), COALESCE(SUM(deletions), 0) FROM commits`).Scan(&commits, &adds, &dels); err != nil {
		return err
	}
	if err := st.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM commit_files`).Scan(&files); err != nil {
		return err
	}
	if commits != b.commits || files != b.files || adds != b.additions || dels != b.deletions {
		return fmt.Errorf("the import differs from git log: stored %d commits, %d file changes, +%d -%d; git log printed %d, %d, +%d -%d",
			commits, files, adds, dels, b.commits, b.files, b.additions, b.deletions)
	}
	fmt.Printf("verified:   %d commits, %d file changes, +%d -%d lines, as git log printed\n", commits, files, adds, dels)
	return nil
}
