//go:build !(darwin || dragonfly || freebsd || linux || netbsd || openbsd || windows)

package pgembed

// dirLock is a no-op where there is no PostgreSQL bundle to run anyway.
type dirLock struct{}

func lockDir(string) (*dirLock, error) { return &dirLock{}, nil }

func (*dirLock) release() {}
