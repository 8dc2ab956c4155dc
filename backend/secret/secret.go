// Package secret keeps configuration secrets (tokens, passwords) out of the
// database. The database keeps only a reference; the secret lives in the OS
// keychain (go-keyring: macOS Keychain, Windows Credential Manager, the
// Secret Service on Linux) or, on a headless host without one, encrypted at
// rest (AES-256-GCM with an HKDF-derived key the operator provides).
package secret

import (
	"errors"
	"fmt"
	"strings"
)

// Backend is one place secrets can live. References start with the
// backend's scheme ("keychain:", "aesgcm:", "memory:").
type Backend interface {
	Scheme() string
	// Put stores value under name (e.g. "github/GITHUB_TOKEN") and returns
	// the reference to keep in the database.
	Put(name, value string) (ref string, err error)
	Get(ref string) (string, error)
	Delete(ref string) error
}

// ErrNoBackend means secrets cannot be stored here yet.
var ErrNoBackend = errors.New("secret: no place to store secrets")

// Vault stores secrets in one backend and reads them from any backend
// available here, so references written earlier by another backend still
// resolve.
type Vault struct {
	write   Backend
	read    map[string]Backend
	whyNone string // why no backend is writable, for the error
}

// NewVault writes to write (nil: none) and reads from write and others.
func NewVault(write Backend, others ...Backend) *Vault {
	v := &Vault{write: write, read: map[string]Backend{}}
	for _, b := range append(others, write) {
		if b != nil {
			v.read[b.Scheme()] = b
		}
	}
	return v
}

// Kind names the backend new secrets go to ("" when none).
func (v *Vault) Kind() string {
	if v.write == nil {
		return ""
	}
	return v.write.Scheme()
}

// Put stores a secret and returns its reference.
func (v *Vault) Put(name, value string) (string, error) {
	if v.write == nil {
		return "", fmt.Errorf("%w: %s", ErrNoBackend, v.whyNone)
	}
	return v.write.Put(name, value)
}

// Get resolves a reference.
func (v *Vault) Get(ref string) (string, error) {
	b, err := v.backend(ref)
	if err != nil {
		return "", err
	}
	return b.Get(ref)
}

// Delete removes the secret a reference points to; an unknown reference is
// not an error (the row is going away anyway).
func (v *Vault) Delete(ref string) error {
	b, err := v.backend(ref)
	if err != nil {
		return nil
	}
	return b.Delete(ref)
}

func (v *Vault) backend(ref string) (Backend, error) {
	scheme, _, ok := strings.Cut(ref, ":")
	if !ok {
		return nil, fmt.Errorf("secret: malformed reference (set the value again)")
	}
	b, ok := v.read[scheme]
	if !ok {
		switch scheme {
		case schemeKeychain:
			return nil, fmt.Errorf("secret: this value is in an OS keychain this process cannot reach (%s); set it again here", v.whyNone)
		case schemeAESGCM:
			return nil, fmt.Errorf("secret: this value is encrypted with a key this process was not given: set %s or %s", EnvKey, EnvKeyFile)
		}
		return nil, fmt.Errorf("secret: no backend for %q references here; set the value again", scheme)
	}
	return b, nil
}
