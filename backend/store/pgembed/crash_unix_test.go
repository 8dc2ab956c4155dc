//go:build unix

package pgembed_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/momentum-app/momentum/backend/store/pgembed"
	"github.com/momentum-app/momentum/backend/store/pgembed/pgembedtest"
)

// crashedApp runs a child Momentum that dies leaving its postgres running, and
// returns that postmaster's pid.
func crashedApp(t *testing.T, dir string) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashHelperEnv+"="+dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("crash helper: %v\n%s", err, stderr.String())
	}
	pid := postmasterPID(t, dir)
	if !alive(pid) {
		t.Fatalf("the crashed app's postgres (pid %d) is not running", pid)
	}
	t.Cleanup(func() { // should the test fail before Start stops it
		if alive(pid) {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	return pid
}

func postmasterPID(t *testing.T, dir string) int {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "data", "postmaster.pid"))
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.SplitN(string(raw), "\n", 2)[0])
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

// alive reports whether pid runs (a zombie awaiting its reaper does not).
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return !errors.Is(err, os.ErrNotExist) || !procMounted()
	}
	fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	return len(fields) == 0 || fields[0] != "Z"
}

func procMounted() bool {
	_, err := os.Stat("/proc/self/stat")
	return err == nil
}

func waitGone(t *testing.T, pid int) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); alive(pid); {
		if time.Now().After(deadline) {
			t.Fatalf("pid %d still alive", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func wantNote(t *testing.T, srv *pgembed.Server) {
	t.Helper()
	if got := notes(t, open(t, srv)); len(got) != 1 || got[0] != "before the crash" {
		t.Fatalf("after recovery notes = %q", got)
	}
}

// The app was killed; its postgres runs on, orphaned, holding the port and
// postmaster.pid. The next Start stops it and starts afresh.
func TestStartStopsServerOrphanedByKilledApp(t *testing.T) {
	pgembedtest.Require(t)
	dir := t.TempDir()
	orphan := crashedApp(t, dir)

	srv := start(t, dir)
	if alive(orphan) {
		t.Errorf("the orphaned postgres (pid %d) still runs", orphan)
	}
	if pid := postmasterPID(t, dir); pid == orphan {
		t.Errorf("postmaster.pid still names the orphan %d", pid)
	}
	wantNote(t, srv)
}

// The postmaster itself was killed -9, leaving a stale postmaster.pid; the next
// Start removes it, postgres recovers from its WAL and the data is intact.
func TestStartAfterPostmasterKilled(t *testing.T) {
	pgembedtest.Require(t)
	dir := t.TempDir()
	pid := crashedApp(t, dir)
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitGone(t, pid)

	wantNote(t, start(t, dir))
}

// After a crash and a reboot the pid in postmaster.pid may belong to an
// unrelated live process. Start must neither signal it nor refuse to start.
func TestStartIgnoresRecycledPID(t *testing.T) {
	pgembedtest.Require(t)
	dir := t.TempDir()
	start(t, dir).Stop()

	stranger := exec.Command("sleep", "300")
	if err := stranger.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { stranger.Wait(); close(exited) }()
	t.Cleanup(func() { stranger.Process.Kill(); <-exited })

	pidFile := filepath.Join(dir, "data", "postmaster.pid")
	stale := fmt.Sprintf("%d\n%s\n%d\n5432\n\n127.0.0.1\n  1234  5678\nready   \n",
		stranger.Process.Pid, filepath.Join(dir, "data"), time.Now().Unix())
	if err := os.WriteFile(pidFile, []byte(stale), 0o600); err != nil {
		t.Fatal(err)
	}

	srv := start(t, dir)
	if err := open(t, srv).Ping(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-exited:
		t.Fatal("Start killed the unrelated process that had the recycled pid")
	case <-time.After(200 * time.Millisecond):
	}
}

// A Start that times out returns at once; the abandoned attempt finishes in the
// background, stops what it started and only then frees the Dir.
func TestStartTimeoutLeavesNothingRunning(t *testing.T) {
	pgembedtest.Require(t)
	dir := t.TempDir()
	start(t, dir).Stop() // extracted and initialised, so the timeout hits the server start

	began := time.Now()
	_, err := pgembed.Start(context.Background(), pgembed.Config{Dir: dir, StartTimeout: time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "pgembed: unable to start PostgreSQL: not accepting connections after 1ms") {
		t.Fatalf("Start with a 1ms timeout: %v", err)
	}
	if d := time.Since(began); d > time.Second {
		t.Errorf("Start took %s to give up after a 1ms timeout", d)
	}

	waitUnlocked(t, filepath.Join(dir, "lock"))
	if _, err := os.Stat(filepath.Join(dir, "data", "postmaster.pid")); err == nil {
		t.Fatal("the abandoned start left a server running")
	}
	start(t, dir)
}

func waitUnlocked(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil {
			syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the Dir is still locked a minute after the abandoned start")
		}
	}
}
