package secret

import (
	"fmt"
	"log/slog"
	"os"
	"time"
)

// Options choose the backends.
type Options struct {
	Service string              // keychain service name (default "momentum")
	Getenv  func(string) string // default os.Getenv
	Log     *slog.Logger
	// ProbeTimeout bounds the keychain check (default 5s).
	ProbeTimeout time.Duration
}

// Open picks where new secrets go. A key the operator provides
// (MOMENTUM_SECRET_KEY or MOMENTUM_SECRET_KEY_FILE) selects the encrypted
// store: it is an explicit choice, and the one several hosts can share.
// Otherwise the OS keychain, if it answers. Otherwise nothing can be saved,
// and saving says how to provide a key. Reading works from every backend
// available, whichever wrote the reference.
func Open(opts Options) (*Vault, error) {
	if opts.Service == "" {
		opts.Service = "momentum"
	}
	if opts.Getenv == nil {
		opts.Getenv = os.Getenv
	}
	if opts.ProbeTimeout == 0 {
		opts.ProbeTimeout = 5 * time.Second
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	material, err := KeyFromEnv(opts.Getenv)
	if err != nil {
		return nil, err
	}
	var enc *Encrypted
	if material != nil {
		if enc, err = NewEncrypted(material); err != nil {
			return nil, err
		}
	}
	kc := Keychain{Service: opts.Service}
	kerr := kc.Probe(opts.ProbeTimeout)
	switch {
	case enc != nil && kerr == nil:
		return NewVault(enc, kc), nil
	case enc != nil:
		log.Debug("secret: no OS keychain; using the encrypted store", "reason", kerr)
		v := NewVault(enc)
		v.whyNone = kerr.Error()
		return v, nil
	case kerr == nil:
		return NewVault(kc), nil
	}
	log.Warn("secret: no OS keychain here; secrets cannot be saved until a key is provided", "reason", kerr, "fix", "set "+EnvKey+" or "+EnvKeyFile)
	v := NewVault(nil)
	v.whyNone = fmt.Sprintf("the OS keychain is not available (%v); on a headless host set %s, or %s to a file with mode 600 holding a random key (openssl rand -base64 32)", kerr, EnvKey, EnvKeyFile)
	return v, nil
}
