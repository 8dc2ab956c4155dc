// Package sourceconfig stores data-source configuration: plain values as
// (source, key, value) rows, secrets in the keychain or the encrypted store
// with only a reference in the row. Whatever it shows is masked; every
// change goes to the audit log, without its value.
package sourceconfig

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/momentum-app/momentum/backend/secret"
	"github.com/momentum-app/momentum/backend/source"
	"github.com/momentum-app/momentum/backend/source/httpclient"
	"github.com/momentum-app/momentum/backend/store"
)

// Service reads and changes source configuration.
type Service struct {
	st    *store.Store
	reg   *source.Registry
	vault *secret.Vault
	now   func() time.Time
}

// New returns the service.
func New(st *store.Store, reg *source.Registry, vault *secret.Vault) *Service {
	return &Service{st: st, reg: reg, vault: vault, now: time.Now}
}

// Registry is the registry the service validates against.
func (s *Service) Registry() *source.Registry { return s.reg }

// SecretBackend names where new secrets go ("keychain", "aesgcm", or ""
// when none is available).
func (s *Service) SecretBackend() string { return s.vault.Kind() }

// Value is one key as shown: a secret's value is source.Mask when set.
type Value struct {
	Key       string `json:"key"`
	Value     string `json:"value"`
	Secret    bool   `json:"secret"`
	Set       bool   `json:"set"`
	Default   string `json:"default,omitempty"`
	UpdatedAt int64  `json:"updated_at,omitempty"`
}

// View is a source's configuration as shown in the CLI and the API.
type View struct {
	Source string `json:"source"`
	Name   string `json:"name"`
	// Configured: some key is set. Complete: every required key is set
	// and every value valid; only complete sources are collected.
	Configured bool     `json:"configured"`
	Complete   bool     `json:"complete"`
	Problems   []string `json:"problems"`
	Values     []Value  `json:"values"`
}

// Show returns one source's configuration, masked.
func (s *Service) Show(ctx context.Context, id string) (View, error) {
	src, err := s.reg.Lookup(id)
	if err != nil {
		return View{}, err
	}
	rows, err := s.st.SourceConfigs(ctx, id)
	if err != nil {
		return View{}, err
	}
	return s.view(src, rows), nil
}

// ShowAll returns every registered source's configuration, masked.
func (s *Service) ShowAll(ctx context.Context) ([]View, error) {
	rows, err := s.st.SourceConfigs(ctx, "")
	if err != nil {
		return nil, err
	}
	bySource := map[string][]store.ConfigRow{}
	for _, r := range rows {
		bySource[r.Source] = append(bySource[r.Source], r)
	}
	var out []View
	for _, src := range s.reg.All() {
		out = append(out, s.view(src, bySource[src.ID]))
	}
	return out, nil
}

func (s *Service) view(src *source.Source, rows []store.ConfigRow) View {
	v := View{Source: src.ID, Name: src.Name, Configured: len(rows) > 0, Problems: []string{}}
	set := map[string]store.ConfigRow{}
	for _, r := range rows {
		set[r.Key] = r
	}
	// Validate with placeholders for secrets: their values are not read
	// here, only whether they are set.
	cfg := source.Config{}
	for _, k := range src.Keys {
		r, ok := set[k.Name]
		val := Value{Key: k.Name, Secret: k.Secret, Set: ok, Default: k.Default}
		if ok {
			val.UpdatedAt = r.UpdatedAt
			if k.Secret {
				val.Value = source.Mask
				cfg[k.Name] = "set"
			} else {
				val.Value = r.Value
				cfg[k.Name] = r.Value
			}
		}
		v.Values = append(v.Values, val)
	}
	for key := range set {
		if _, ok := src.Key(key); !ok {
			v.Problems = append(v.Problems, fmt.Sprintf("%s is stored but is not a key of %s any more; unset it", key, src.ID))
		}
	}
	for _, k := range src.Keys {
		if k.Secret {
			if _, ok := set[k.Name]; !ok && k.Required {
				v.Problems = append(v.Problems, fmt.Sprintf("%s is required: %s", k.Name, k.Help))
			}
			continue
		}
		if err := k.Check(src.WithDefaults(cfg).Get(k.Name)); err != nil {
			v.Problems = append(v.Problems, err.Error())
		}
	}
	sort.Strings(v.Problems)
	v.Complete = v.Configured && len(v.Problems) == 0
	return v
}

// Set validates and saves values (KEY → value) of one source. A secret
// whose value is source.Mask is left unchanged, so a form can send back
// what it showed. Nothing is saved unless every value is valid.
func (s *Service) Set(ctx context.Context, id string, values map[string]string, via string) error {
	src, err := s.reg.Lookup(id)
	if err != nil {
		return err
	}
	var errs []error
	keys := make([]string, 0, len(values))
	for name, val := range values {
		keys = append(keys, name)
		k, ok := src.Key(name)
		if !ok {
			errs = append(errs, fmt.Errorf("%s is not a key of %s (keys: %s)", name, id, keyList(src)))
			continue
		}
		if k.Secret && val == source.Mask {
			continue
		}
		if strings.TrimSpace(val) == "" {
			errs = append(errs, fmt.Errorf("%s: empty value; to remove it use `momentum config unset %s %s`", name, id, name))
			continue
		}
		if err := k.Check(val); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return &ValidationError{err}
	}
	sort.Strings(keys)
	for _, name := range keys {
		k, _ := src.Key(name)
		val := values[name]
		if k.Secret && val == source.Mask {
			continue
		}
		row := store.ConfigRow{Source: id, Key: name, UpdatedAt: s.now().Unix()}
		if k.Secret {
			account, err := s.account(ctx, id, name)
			if err != nil {
				return err
			}
			old, had, err := s.st.SourceConfig(ctx, id, name)
			if err != nil {
				return err
			}
			if row.SecretRef, err = s.vault.Put(account, val); err != nil {
				return err
			}
			if had && old.SecretRef != "" && old.SecretRef != row.SecretRef && !strings.HasPrefix(old.SecretRef, "keychain:") {
				s.vault.Delete(old.SecretRef)
			}
		} else {
			row.Value = strings.TrimSpace(val)
		}
		if err := s.st.PutSourceConfig(ctx, row); err != nil {
			return err
		}
		detail := ""
		if k.Secret {
			detail = "secret (" + s.vault.Kind() + ")"
		}
		if err := s.st.Audit(ctx, store.AuditEntry{At: row.UpdatedAt, Via: via, Action: "config.set", Source: id, Key: name, Detail: detail}); err != nil {
			return err
		}
	}
	return nil
}

// ValidationError is a user's mistake (HTTP 400), not a server fault.
type ValidationError struct{ Err error }

func (e *ValidationError) Error() string { return e.Err.Error() }
func (e *ValidationError) Unwrap() error { return e.Err }

// Unset removes a key (and its secret).
func (s *Service) Unset(ctx context.Context, id, key, via string) error {
	if _, err := s.reg.Lookup(id); err != nil {
		return err
	}
	row, ok, err := s.st.SourceConfig(ctx, id, key)
	if err != nil {
		return err
	}
	if !ok {
		return &ValidationError{fmt.Errorf("%s %s is not set", id, key)}
	}
	if row.SecretRef != "" {
		if err := s.vault.Delete(row.SecretRef); err != nil {
			return err
		}
	}
	if err := s.st.DeleteSourceConfig(ctx, id, key); err != nil {
		return err
	}
	return s.st.Audit(ctx, store.AuditEntry{At: s.now().Unix(), Via: via, Action: "config.unset", Source: id, Key: key})
}

// Resolve returns a source's configuration in clear, defaults filled in,
// for a job or a connection test. It never leaves memory.
func (s *Service) Resolve(ctx context.Context, id string) (source.Config, error) {
	src, err := s.reg.Lookup(id)
	if err != nil {
		return nil, err
	}
	rows, err := s.st.SourceConfigs(ctx, id)
	if err != nil {
		return nil, err
	}
	cfg := source.Config{}
	for _, r := range rows {
		if _, ok := src.Key(r.Key); !ok {
			continue
		}
		if r.SecretRef != "" {
			v, err := s.vault.Get(r.SecretRef)
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", id, r.Key, err)
			}
			cfg[r.Key] = v
		} else {
			cfg[r.Key] = r.Value
		}
	}
	return src.WithDefaults(cfg), nil
}

// Secrets returns the secret values of a resolved configuration, to mask
// them in errors and logs.
func Secrets(src *source.Source, cfg source.Config) []string {
	var out []string
	for _, k := range src.Keys {
		if k.Secret && cfg[k.Name] != "" {
			out = append(out, cfg[k.Name])
		}
	}
	return out
}

func keyList(src *source.Source) string {
	names := make([]string, len(src.Keys))
	for i, k := range src.Keys {
		names[i] = k.Name
	}
	return strings.Join(names, ", ")
}

// account names a secret in the keychain: unique per install, so two
// Momentum databases on one host never overwrite each other's tokens.
func (s *Service) account(ctx context.Context, id, key string) (string, error) {
	b := make([]byte, 8)
	rand.Read(b)
	inst, err := s.st.InitSetting(ctx, "install_id", hex.EncodeToString(b), s.now().Unix())
	if err != nil {
		return "", err
	}
	return inst + "/" + id + "/" + key, nil
}

// Test checks that a configuration reaches the tool: the saved values with
// values (a form not saved yet) on top; a secret sent back masked keeps the
// saved one. It returns what the test found (source.Conn.Found, may be
// empty); the error is the source's, with secrets masked.
func (s *Service) Test(ctx context.Context, id string, values map[string]string, opts httpclient.Options) (string, error) {
	src, err := s.reg.Lookup(id)
	if err != nil {
		return "", err
	}
	cfg, err := s.Resolve(ctx, id)
	if err != nil {
		return "", err
	}
	for k, v := range values {
		if kk, ok := src.Key(k); ok && kk.Secret && v == source.Mask {
			continue
		}
		if strings.TrimSpace(v) == "" {
			delete(cfg, k)
			continue
		}
		cfg[k] = strings.TrimSpace(v)
	}
	cfg = src.WithDefaults(cfg)
	if err := src.Validate(cfg); err != nil {
		return "", &ValidationError{err}
	}
	if src.Test == nil {
		return "", nil
	}
	secrets := Secrets(src, cfg)
	opts.Secrets = append(opts.Secrets, secrets...)
	opts.RetryMax = 1 // a test answers fast; the user retries
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	mask := func(msg string) string {
		for _, sec := range secrets {
			if len(sec) >= 4 {
				msg = strings.ReplaceAll(msg, sec, source.Mask)
			}
		}
		return msg
	}
	conn := &source.Conn{Config: cfg, HTTP: httpclient.New(opts), Log: opts.Log}
	if err := src.Test(ctx, conn); err != nil {
		return "", errors.New(mask(err.Error()))
	}
	return mask(conn.Found), nil
}
