package pgembed

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// AttachDSN returns the DSN of the server another Momentum process runs on
// dir (the one that made Start fail with ErrInUse), so that a command such
// as `momentum metrics` works while the desktop app is open. The caller does
// not own that server and must not stop it. The port is the fourth line of
// PostgreSQL's postmaster.pid; the password is the one Start generated.
func AttachDSN(dir string) (string, error) {
	pid, err := os.ReadFile(filepath.Join(dir, "data", "postmaster.pid"))
	if err != nil {
		return "", fmt.Errorf("pgembed: unable to find the running server: %w", err)
	}
	lines := strings.Split(string(pid), "\n")
	if len(lines) < 4 {
		return "", fmt.Errorf("pgembed: the running server has not finished starting")
	}
	port, err := strconv.Atoi(strings.TrimSpace(lines[3]))
	if err != nil || port <= 0 {
		return "", fmt.Errorf("pgembed: unable to read the running server's port from postmaster.pid")
	}
	pw, err := os.ReadFile(filepath.Join(dir, "password"))
	if err != nil {
		return "", fmt.Errorf("pgembed: unable to read the server password: %w", err)
	}
	return dsn(strings.TrimSpace(string(pw)), port), nil
}
