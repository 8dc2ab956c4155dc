package pgembed

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// checkData guards the data directory before embedded-postgres sees it: that
// library wipes and re-initialises any directory whose PG_VERSION does not match.
func checkData(data string) error {
	raw, err := os.ReadFile(filepath.Join(data, "PG_VERSION"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil // empty or absent: initdb will run
	}
	if err != nil {
		return fmt.Errorf("pgembed: unable to read %s: %w", data, err)
	}
	if v := strings.TrimSpace(string(raw)); v != bundleMajor {
		return fmt.Errorf("pgembed: unable to start PostgreSQL: %s was made by PostgreSQL %s and this build bundles %s; "+
			"it needs pg_upgrade (or move it away to start empty)", data, v, bundleMajor)
	}
	if _, err := os.Stat(filepath.Join(data, readyFile)); errors.Is(err, fs.ErrNotExist) {
		// A first start was interrupted between initdb and creating the
		// database; nothing was ever stored here, so start over.
		if err := os.RemoveAll(data); err != nil {
			return fmt.Errorf("pgembed: unable to remove the half-initialised %s: %w", data, err)
		}
	}
	return nil
}

func markReady(data string) error {
	p := filepath.Join(data, readyFile)
	if _, err := os.Stat(p); err == nil {
		return nil
	}
	if err := os.WriteFile(p, []byte("written by Momentum after the first start\n"), 0o600); err != nil {
		return fmt.Errorf("pgembed: unable to mark %s ready: %w", data, err)
	}
	return nil
}

// ensurePassword reads the server password, generating it on the first start.
func ensurePassword(file, data string) (string, error) {
	raw, err := os.ReadFile(file)
	if err == nil && len(bytes.TrimSpace(raw)) > 0 {
		return string(bytes.TrimSpace(raw)), nil
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("pgembed: unable to read the password: %w", err)
	}
	if _, err := os.Stat(filepath.Join(data, "PG_VERSION")); err == nil {
		return "", fmt.Errorf("pgembed: unable to start PostgreSQL: %s is missing or empty but %s holds a database made with it; "+
			"restore the file or move the data directory away", file, data)
	}
	// Hex: safe unquoted in a URL and in embedded-postgres's key=value DSN.
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("pgembed: unable to generate a password: %w", err)
	}
	password := hex.EncodeToString(b)
	tmp := file + ".tmp"
	if err := os.WriteFile(tmp, []byte(password+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("pgembed: unable to write the password: %w", err)
	}
	if err := os.Rename(tmp, file); err != nil {
		return "", fmt.Errorf("pgembed: unable to write the password: %w", err)
	}
	return password, nil
}

// recoverStale clears what a crash leaves in data/postmaster.pid. The caller
// holds the Dir lock, so no live Momentum process owns a server on this data:
//   - a postgres still running from this data directory was orphaned by a
//     killed app: stop it (fast, then immediate);
//   - a dead PID, or one recycled by an unrelated process: remove the file.
//
// When unsure whether a live PID is our postgres we remove the file rather than
// signal a stranger; postgres itself then refuses to start beside a live server
// (its shared-memory interlock), so the data is never at risk.
func recoverStale(ctx context.Context, bin, data string) error {
	pidFile := filepath.Join(data, "postmaster.pid")
	raw, err := os.ReadFile(pidFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("pgembed: unable to read %s: %w", pidFile, err)
	}
	pid := parsePID(raw)

	statusCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	out, statusErr := pgCtl(statusCtx, bin, "status", "-D", data)
	cancel()
	var exitErr *exec.ExitError
	var running bool
	switch {
	case statusErr == nil:
		running = true // the pid in the file is alive, whoever it is
	case errors.As(statusErr, &exitErr) && exitErr.ExitCode() == 3:
		running = false
	default:
		return fmt.Errorf("pgembed: unable to check the server in %s: %w\n%s", data, statusErr, out)
	}

	if running && pid > 0 && isPostgresOn(pid, data) {
		stopCtx, cancel := context.WithTimeout(ctx, 90*time.Second)
		defer cancel()
		out, err := pgCtl(stopCtx, bin, "stop", "-D", data, "-m", "fast", "-w", "-t", "30")
		if err == nil {
			return nil
		}
		out2, err2 := pgCtl(stopCtx, bin, "stop", "-D", data, "-m", "immediate", "-w", "-t", "30")
		if err2 == nil {
			return nil
		}
		return fmt.Errorf("pgembed: unable to stop the PostgreSQL (pid %d) left running on %s: %w\n%s%s",
			pid, data, err2, out, out2)
	}
	if err := os.Remove(pidFile); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("pgembed: unable to remove the stale %s: %w", pidFile, err)
	}
	return nil
}

// pgCtl runs bin/pg_ctl and returns its combined output.
func pgCtl(ctx context.Context, bin string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(bin, "bin", "pg_ctl"), args...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// parsePID reads the postmaster's pid, the first line of postmaster.pid (0 if unreadable).
func parsePID(pidFile []byte) int {
	pid, _ := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(pidFile), "\n", 2)[0]))
	return pid
}

// libraryLogFile names the temporary file embedded-postgres sends the server's
// output to (it copies it to Config.Logger at start and stop, and never removes
// it), found through the running postmaster's stdout; "" if unknown. Stop
// removes it, so each start does not leave one behind in the temp folder.
func libraryLogFile(data string) string {
	raw, err := os.ReadFile(filepath.Join(data, "postmaster.pid"))
	if err != nil {
		return ""
	}
	name := stdoutPath(parsePID(raw))
	if name == "" || filepath.Dir(name) != filepath.Clean(os.TempDir()) ||
		!strings.HasPrefix(filepath.Base(name), "embedded_postgres_log") {
		return ""
	}
	return name
}
