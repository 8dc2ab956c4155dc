package secret

import (
	"fmt"
	"strings"
	"sync"
)

// Memory keeps secrets in memory: for tests, and never chosen by Open.
type Memory struct {
	mu sync.Mutex
	m  map[string]string
}

// NewMemory returns an empty in-memory backend.
func NewMemory() *Memory { return &Memory{m: map[string]string{}} }

func (m *Memory) Scheme() string { return "memory" }

func (m *Memory) Put(name, value string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.m[name] = value
	return "memory:" + name, nil
}

func (m *Memory) Get(ref string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.m[strings.TrimPrefix(ref, "memory:")]
	if !ok {
		return "", fmt.Errorf("secret: %s not found", ref)
	}
	return v, nil
}

func (m *Memory) Delete(ref string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.m, strings.TrimPrefix(ref, "memory:"))
	return nil
}

// Len is the number of secrets held, for tests.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.m)
}
