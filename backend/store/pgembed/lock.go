package pgembed

import (
	"os"
	"strings"
)

// lockHolder reads the pid a lock holder wrote into the lock file.
func lockHolder(path string) string {
	raw, err := os.ReadFile(path)
	if err != nil || strings.TrimSpace(string(raw)) == "" {
		return "unknown"
	}
	return strings.TrimSpace(string(raw))
}
