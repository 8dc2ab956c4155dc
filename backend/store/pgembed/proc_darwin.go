package pgembed

import (
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// isPostgresOn reports whether pid is a postgres whose working directory is
// data (the postmaster chdirs into its data directory), asking lsof, which
// macOS always has. When lsof cannot tell, the answer is no: see recoverStale.
func isPostgresOn(pid int, data string) bool {
	out, err := exec.Command("lsof", "-a", "-p", strconv.Itoa(pid), "-d", "cwd,txt", "-Fn").Output()
	if err != nil {
		return false
	}
	want, err := filepath.EvalSymlinks(data)
	if err != nil {
		return false
	}
	var cwdMatches, isPostgres bool
	for _, line := range strings.Split(string(out), "\n") {
		if name, ok := strings.CutPrefix(line, "n"); ok {
			if name == want {
				cwdMatches = true
			}
			if filepath.Base(name) == "postgres" {
				isPostgres = true
			}
		}
	}
	return cwdMatches && isPostgres
}

// stdoutPath is the file pid's stdout is open on, or "".
func stdoutPath(pid int) string {
	if pid <= 0 {
		return ""
	}
	out, err := exec.Command("lsof", "-a", "-p", strconv.Itoa(pid), "-d", "1", "-Fn").Output()
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(out), "\n") {
		if name, ok := strings.CutPrefix(line, "n"); ok && filepath.IsAbs(name) {
			return name
		}
	}
	return ""
}
