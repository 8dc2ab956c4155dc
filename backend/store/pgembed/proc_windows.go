package pgembed

import (
	"path/filepath"
	"strings"

	"golang.org/x/sys/windows"
)

// isPostgresOn reports whether pid runs postgres.exe. (Windows offers no cheap
// way to read another process's working directory; pg_ctl stop signals through
// a pipe only postgres opens, so a wrong guess cannot hurt a stranger.)
func isPostgresOn(pid int, _ string) bool {
	h, err := windows.OpenProcess(windows.PROCESS_QUERY_LIMITED_INFORMATION, false, uint32(pid))
	if err != nil {
		return false
	}
	defer windows.CloseHandle(h)
	buf := make([]uint16, windows.MAX_LONG_PATH)
	size := uint32(len(buf))
	if err := windows.QueryFullProcessImageName(h, 0, &buf[0], &size); err != nil {
		return false
	}
	return strings.EqualFold(filepath.Base(windows.UTF16ToString(buf[:size])), "postgres.exe")
}

// stdoutPath is unknown here.
func stdoutPath(int) string { return "" }
