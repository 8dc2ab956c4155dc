//go:build !(linux || darwin || windows)

package pgembed

// isPostgresOn cannot tell here, so it says no: see recoverStale.
func isPostgresOn(int, string) bool { return false }

// stdoutPath is unknown here.
func stdoutPath(int) string { return "" }
