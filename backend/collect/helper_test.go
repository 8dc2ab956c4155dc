package collect

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/momentum-app/momentum/backend/secret"
	"github.com/momentum-app/momentum/backend/source"
	"github.com/momentum-app/momentum/backend/sourceconfig"
	"github.com/momentum-app/momentum/backend/store"
	"github.com/momentum-app/momentum/backend/store/pgembed/pgembedtest"
)

// These tests start real processes: the test binary re-executed as a
// collector (helperMain), on a database the parent prepared.

const helperKey = "helper-test-key-0123456789abcdef0123"

// procSource writes repositories, then one commit per repository; pause
// slows each item so that processes overlap or can be killed half way.
func procSource(pause time.Duration, base time.Time) *source.Source {
	repos := make([]time.Time, 40)
	for i := range repos {
		repos[i] = base.Add(-time.Duration(40-i) * 24 * time.Hour)
	}
	return &source.Source{ID: "forge", Name: "Forge", Keys: []source.Key{
		{Name: "FORGE_TOKEN", Label: "Token", Kind: source.KindText, Required: true, Secret: true},
		key("FORGE", "ORG"),
	}, Scripts: []source.Script{{
		Name: "repository", Provides: []string{"forge.repositories"},
		Run: func(ctx context.Context, job *source.Job) error {
			if job.Config.Get("FORGE_TOKEN") != "tok-proc-77" {
				return fmt.Errorf("the token did not reach the job")
			}
			return upsertRepos(ctx, job, repos, pause)
		},
	}, {
		Name: "commit", Provides: []string{"forge.commits"}, DependsOn: []string{"forge.repositories"},
		Run: func(ctx context.Context, job *source.Job) error {
			rows, err := job.Store.DB().QueryContext(ctx, `SELECT id, external_id, created_at FROM repositories WHERE source = 'forge' ORDER BY id`)
			if err != nil {
				return err
			}
			type repo struct {
				id      int64
				ext     string
				created int64
			}
			var rs []repo
			for rows.Next() {
				var r repo
				rows.Scan(&r.id, &r.ext, &r.created)
				rs = append(rs, r)
			}
			rows.Close()
			for _, r := range rs {
				_, err := job.Store.DB().ExecContext(ctx, `INSERT INTO commits (repo_id, sha, authored_at, committed_at, subject)
					VALUES ($1, $2, $3, $3, $4) ON CONFLICT (repo_id, sha) DO UPDATE SET subject = excluded.subject`,
					r.id, "sha-"+r.ext, r.created, "initial commit of "+r.ext)
				if err != nil {
					return err
				}
				job.AddItems(1)
				time.Sleep(pause / 4)
			}
			return nil
		},
	}}}
}

func helperServices(st *store.Store, src *source.Source) *sourceconfig.Service {
	reg := source.NewRegistry()
	reg.Register(src)
	enc, err := secret.NewEncrypted([]byte(helperKey))
	if err != nil {
		panic(err)
	}
	return sourceconfig.New(st, reg, secret.NewVault(enc))
}

// helperMain runs a collection when the test binary was started as a
// helper, prints its summary as JSON, and reports true.
func helperMain() bool {
	if os.Getenv("COLLECT_HELPER") != "1" {
		return false
	}
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{DB: os.Getenv("HELPER_DB"), DataDir: os.Getenv("HELPER_DIR")})
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		os.Exit(2)
	}
	defer st.Close()
	pause, _ := time.ParseDuration(os.Getenv("HELPER_PAUSE"))
	base := day0
	if s := os.Getenv("HELPER_BASE"); s != "" {
		n, _ := strconv.ParseInt(s, 10, 64)
		base = time.Unix(n, 0)
	}
	cfg := Config{Store: st, Configs: helperServices(st, procSource(pause, base)), Log: quiet}
	if s := os.Getenv("HELPER_NOW"); s != "" {
		n, _ := strconv.ParseInt(s, 10, 64)
		cfg.Now = func() time.Time { return time.Unix(n, 0) }
	}
	var opts Options
	if s := os.Getenv("HELPER_NOT_BEFORE"); s != "" {
		n, _ := strconv.ParseInt(s, 10, 64)
		opts.NotBefore = time.Unix(n, 0)
	}
	fmt.Println("started")
	sum, err := New(cfg).Collect(ctx, opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		os.Exit(2)
	}
	json.NewEncoder(os.Stdout).Encode(sum)
	os.Exit(0)
	return true
}

func helperCmd(t *testing.T, db, dir string, extra ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "COLLECT_HELPER=1", "HELPER_DB="+db, "HELPER_DIR="+dir)
	cmd.Env = append(cmd.Env, extra...)
	cmd.Stderr = os.Stderr
	return cmd
}

func dbFor(t *testing.T, engine string) (db, dir string) {
	dir = t.TempDir()
	if engine == "postgres" {
		return pgembedtest.DSN(t), dir
	}
	return "sqlite:" + filepath.Join(dir, "m.db"), dir
}

func openDB(t *testing.T, db, dir string) *store.Store {
	st, err := store.Open(context.Background(), store.Options{DB: db, DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// TestTwoProcessesRunEachScriptOnce starts two collector processes on one
// PostgreSQL at once: every script runs exactly once between them.
func TestTwoProcessesRunEachScriptOnce(t *testing.T) {
	db, dir := dbFor(t, "postgres")
	st := openDB(t, db, dir)
	svc := helperServices(st, procSource(0, day0))
	if err := svc.Set(context.Background(), "forge", map[string]string{"FORGE_TOKEN": "tok-proc-77", "FORGE_ORG": "acme"}, "cli"); err != nil {
		t.Fatal(err)
	}
	// Both start from one instant, as two `serve` processes do at one
	// scheduler tick.
	start := strconv.FormatInt(time.Now().Unix(), 10)
	notBefore, base := "HELPER_NOT_BEFORE="+start, "HELPER_BASE="+start
	var cmds []*exec.Cmd
	var outs []*strings.Builder
	for range 2 {
		cmd := helperCmd(t, db, dir, "HELPER_PAUSE=40ms", notBefore, base)
		out := &strings.Builder{}
		cmd.Stdout = out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds, outs = append(cmds, cmd), append(outs, out)
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("process %d: %v\n%s", i, err, outs[i])
		}
	}
	runs, err := st.Runs(context.Background(), store.RunFilter{})
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, r := range runs {
		count[r.Script+" "+r.Status]++
	}
	if count["repository COMPLETED"] != 1 || count["commit COMPLETED"] != 1 || len(runs) != 2 {
		t.Errorf("runs across both processes: %v (want each script completed once, nothing else)", count)
	}
	var elsewhere int
	for i, out := range outs {
		var sum Summary
		if err := json.Unmarshal([]byte(strings.TrimPrefix(out.String(), "started\n")), &sum); err != nil {
			t.Fatalf("process %d printed %q", i, out)
		}
		for _, o := range sum.Outcomes {
			if o.Status == RunningElsewhere || o.Status == CollectedElsewhere {
				elsewhere++
			}
			if o.Status == "FAILED" {
				t.Errorf("process %d: %+v", i, o)
			}
		}
	}
	if elsewhere != 2 {
		t.Errorf("%d scripts reported as running or collected elsewhere, want 2", elsewhere)
	}
	var repos, commits int
	st.DB().QueryRow(`SELECT COUNT(*) FROM repositories`).Scan(&repos)
	st.DB().QueryRow(`SELECT COUNT(*) FROM commits`).Scan(&commits)
	if repos != 40 || commits != 40 {
		t.Errorf("%d repositories, %d commits; want 40, 40", repos, commits)
	}
}

// TestKilledCollectionRecovers kills a collector with SIGKILL half way; the
// next collection completes and the data equal a clean run's, row for row.
func TestKilledCollectionRecovers(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			db, dir := dbFor(t, engine)
			st := openDB(t, db, dir)
			ctx := context.Background()
			svc := helperServices(st, procSource(0, day0))
			if err := svc.Set(ctx, "forge", map[string]string{"FORGE_TOKEN": "tok-proc-77", "FORGE_ORG": "acme"}, "cli"); err != nil {
				t.Fatal(err)
			}
			now := "HELPER_NOW=" + strconv.FormatInt(day0.Unix(), 10)
			cmd := helperCmd(t, db, dir, "HELPER_PAUSE=100ms", now)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(60 * time.Second)
			for {
				if n := countRepos(t, st); n >= 5 {
					break
				}
				if time.Now().After(deadline) {
					cmd.Process.Kill()
					t.Fatal("the collector wrote nothing in 60 s")
				}
				time.Sleep(20 * time.Millisecond)
			}
			cmd.Process.Signal(syscall.SIGKILL)
			cmd.Wait()
			half := countRepos(t, st)
			if half >= 40 {
				t.Fatalf("killed too late: %d repositories", half)
			}
			if r, _ := st.Runs(ctx, store.RunFilter{Status: "RUNNING"}); len(r) != 1 {
				t.Fatalf("the killed process left %d RUNNING runs, want 1", len(r))
			}

			// The next collection, in this process, recovers and completes.
			eng := New(Config{Store: st, Configs: helperServices(st, procSource(0, day0)), Log: quiet, Now: func() time.Time { return day0 }})
			sum, err := eng.Collect(ctx, Options{})
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range sum.Outcomes {
				if o.Status != "COMPLETED" {
					t.Errorf("after the kill: %+v", o)
				}
			}
			runs, _ := st.Runs(ctx, store.RunFilter{Script: "repository"})
			if len(runs) != 2 || runs[1].Status != "FAILED" || !strings.HasPrefix(runs[1].Error, "interrupted:") {
				t.Errorf("the killed run was not recovered: %+v", runs)
			}

			// A clean run on a fresh database.
			cdb, cdir := dbFor(t, engine)
			clean := openDB(t, cdb, cdir)
			csvc := helperServices(clean, procSource(0, day0))
			csvc.Set(ctx, "forge", map[string]string{"FORGE_TOKEN": "tok-proc-77", "FORGE_ORG": "acme"}, "cli")
			if _, err := New(Config{Store: clean, Configs: csvc, Log: quiet, Now: func() time.Time { return day0 }}).Collect(ctx, Options{}); err != nil {
				t.Fatal(err)
			}
			got, want := dump(t, st), dump(t, clean)
			if len(want) != 80 || !reflect.DeepEqual(got, want) {
				t.Errorf("after kill + rerun: %d rows; clean run: %d rows; equal: %v", len(got), len(want), reflect.DeepEqual(got, want))
			}
			t.Logf("%s: killed after %d of 40 repositories; rerun equals a clean run (%d rows)", engine, half, len(got))
		})
	}
}

// dump lists the collected rows without their generated IDs.
func dump(t *testing.T, st *store.Store) []string {
	rows, err := st.DB().Query(`SELECT 'repo ' || r.source || ' ' || r.external_id || ' ' || r.full_name || ' ' || r.created_at || ' ' || r.updated_at FROM repositories r
		UNION ALL SELECT 'commit ' || r.full_name || ' ' || c.sha || ' ' || c.authored_at || ' ' || c.subject FROM commits c JOIN repositories r ON r.id = c.repo_id
		ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		rows.Scan(&s)
		out = append(out, s)
	}
	return out
}
