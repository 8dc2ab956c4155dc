package pgembed

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// isPostgresOn reports whether pid is a postgres whose working directory is
// data (the postmaster chdirs into its data directory). A recycled pid, or
// another user's process we cannot inspect, is not.
func isPostgresOn(pid int, data string) bool {
	proc := filepath.Join("/proc", strconv.Itoa(pid))
	exe, err := os.Readlink(filepath.Join(proc, "exe"))
	if err != nil {
		return false
	}
	if filepath.Base(strings.TrimSuffix(exe, " (deleted)")) != "postgres" {
		return false
	}
	cwd, err := os.Readlink(filepath.Join(proc, "cwd"))
	if err != nil {
		return false
	}
	want, err := filepath.EvalSymlinks(data)
	if err != nil {
		return false
	}
	return strings.TrimSuffix(cwd, " (deleted)") == want
}

// stdoutPath is the file pid's stdout is open on, or "".
func stdoutPath(pid int) string {
	if pid <= 0 {
		return ""
	}
	name, err := os.Readlink(filepath.Join("/proc", strconv.Itoa(pid), "fd", "1"))
	if err != nil || !filepath.IsAbs(name) {
		return ""
	}
	return name
}
