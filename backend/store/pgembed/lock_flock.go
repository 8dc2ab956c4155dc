//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package pgembed

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"syscall"
)

// dirLock is an flock on Dir/lock. The kernel drops it when the process dies,
// so a crash never leaves Dir locked. flock locks belong to the open file, so a
// second Start in the same process conflicts too.
type dirLock struct{ f *os.File }

func lockDir(path string) (*dirLock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("pgembed: unable to open %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("pgembed: unable to start PostgreSQL: %w (%s held by pid %s)", ErrInUse, path, lockHolder(path))
		}
		return nil, fmt.Errorf("pgembed: unable to lock %s: %w", path, err)
	}
	// The holder's pid, for the message above; informative only.
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &dirLock{f: f}, nil
}

func (l *dirLock) release() {
	if l == nil || l.f == nil {
		return
	}
	_ = syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	_ = l.f.Close()
	l.f = nil
}
