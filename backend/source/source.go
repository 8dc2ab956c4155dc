// Package source is the registry of data sources. A data source is one folder
// under backend/source/ that registers itself in init():
//
//	func init() {
//		source.Register(&source.Source{ID: "github", Name: "GitHub", ...})
//	}
//
// and one blank import in backend/source/all. The registry holds typed
// metadata only; backend/collect plans and runs the scripts.
package source

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/momentum-app/momentum/backend/source/httpclient"
	"github.com/momentum-app/momentum/backend/store"
)

// Category groups sources in lists and in the UI.
type Category string

const (
	CategoryVCS     Category = "vcs"
	CategoryCICD    Category = "cicd"
	CategoryPlan    Category = "project-management"
	CategoryQuality Category = "code-quality"
	CategoryCloud   Category = "cloud"
)

// KeyKind says how a config value is read and validated.
type KeyKind string

const (
	KindText   KeyKind = "text"
	KindURL    KeyKind = "url"    // absolute http(s) URL
	KindList   KeyKind = "list"   // comma-separated
	KindEnum   KeyKind = "enum"   // one of Options
	KindNumber KeyKind = "number" // an integer
)

// Key is one configuration key of a source.
type Key struct {
	Name     string   `json:"name"` // upper case, prefixed with the source ID: GITHUB_TOKEN
	Label    string   `json:"label"`
	Help     string   `json:"help"`
	Kind     KeyKind  `json:"kind"`
	Required bool     `json:"required"`
	Secret   bool     `json:"secret"` // kept in the keychain, masked everywhere
	Default  string   `json:"default,omitempty"`
	Options  []string `json:"options,omitempty"` // for KindEnum
	// Validate adds a check of the source's own; the error says what to do.
	Validate func(value string) error `json:"-"`
}

// Check validates one value of the key.
func (k Key) Check(value string) error {
	if value == "" {
		if k.Required {
			return fmt.Errorf("%s is required: %s", k.Name, k.Help)
		}
		return nil
	}
	switch k.Kind {
	case KindURL:
		u, err := url.Parse(value)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("%s must be an http(s) URL such as https://example.com, not %q", k.Name, value)
		}
	case KindEnum:
		if !slices.Contains(k.Options, value) {
			return fmt.Errorf("%s must be one of %s, not %q", k.Name, strings.Join(k.Options, ", "), value)
		}
	case KindNumber:
		if _, err := strconv.ParseInt(value, 10, 64); err != nil {
			return fmt.Errorf("%s must be a whole number, not %q", k.Name, value)
		}
	}
	if k.Validate != nil {
		if err := k.Validate(value); err != nil {
			return fmt.Errorf("%s: %w", k.Name, err)
		}
	}
	return nil
}

// Resource names what a script writes and what another needs, across
// sources: "github.repositories", "git.commits".
type Resource = string

// Script is one step of a collection. The planner orders scripts by what
// they provide and depend on; the author never orders them by hand.
type Script struct {
	Name      string     `json:"name"`
	Provides  []Resource `json:"provides"`
	DependsOn []Resource `json:"depends_on"`
	// ImportWindow is the furthest back the script ever reaches; zero means
	// no limit (the default history depth and --since decide).
	ImportWindow time.Duration `json:"-"`
	// When decides from the configuration whether the script runs; nil
	// means always.
	When func(Config) bool `json:"-"`
	// Run collects the job's window. It must write with upserts, so that
	// collecting a window twice leaves the same rows.
	Run func(ctx context.Context, job *Job) error `json:"-"`
}

// Source is one registered data source.
type Source struct {
	ID          string   `json:"id"` // lower case: github, gitlab, git
	Name        string   `json:"name"`
	Category    Category `json:"category"`
	Description string   `json:"description"`
	Keys        []Key    `json:"keys"`
	Scripts     []Script `json:"scripts"`
	// Test checks that the configuration reaches the tool (a cheap
	// authenticated request); nil when there is nothing to check.
	Test func(ctx context.Context, conn *Conn) error `json:"-"`
	// Repos says how a hosted source picks the repositories it collects
	// among those it discovers; nil for sources without such a choice.
	Repos *RepoFilter `json:"-"`
}

// RepoFilter is a hosted source's repository selection: include and
// exclude pattern keys. A repository is collected when it matches an
// include pattern (or there are none) and no exclude pattern; excluding a
// single repository is its exact name in the exclude key, which is how the
// Data sources page does it.
type RepoFilter struct {
	IncludeKey, ExcludeKey string
	// Name is what the patterns match, from a stored repository's
	// full_name and name (nil: the full name).
	Name func(fullName, name string) string
	// Match says whether name matches one of the patterns.
	Match func(patterns []string, name string) bool
	// Derived is set when the source recomputes repositories.excluded from
	// its whole configuration on every sync (other settings than the
	// patterns can exclude a repository); otherwise the flag is only ever
	// set by the user.
	Derived bool
	// DerivedBy says, for the person who asks, what else than the patterns
	// excludes a repository when Derived ("its visibility filter or owners").
	DerivedBy string
}

// Selects says whether the configuration collects the repository.
func (f *RepoFilter) Selects(cfg Config, fullName, name string) bool {
	n := f.NameOf(fullName, name)
	if inc := cfg.List(f.IncludeKey); len(inc) > 0 && !f.Match(inc, n) {
		return false
	}
	return !f.Match(cfg.List(f.ExcludeKey), n)
}

// NameOf is the name the patterns match.
func (f *RepoFilter) NameOf(fullName, name string) string {
	if f.Name == nil {
		return fullName
	}
	return f.Name(fullName, name)
}

// Key returns the source's key by name.
func (s *Source) Key(name string) (Key, bool) {
	for _, k := range s.Keys {
		if k.Name == name {
			return k, true
		}
	}
	return Key{}, false
}

// Validate checks a whole configuration: every required key set, every
// value valid, no unknown key. It joins all problems in one error.
func (s *Source) Validate(cfg Config) error {
	var errs []error
	for _, k := range s.Keys {
		if err := k.Check(cfg.Get(k.Name)); err != nil {
			errs = append(errs, err)
		}
	}
	for name := range cfg {
		if _, ok := s.Key(name); !ok {
			errs = append(errs, fmt.Errorf("%s is not a key of %s (keys: %s)", name, s.ID, strings.Join(s.keyNames(), ", ")))
		}
	}
	return errors.Join(errs...)
}

func (s *Source) keyNames() []string {
	names := make([]string, len(s.Keys))
	for i, k := range s.Keys {
		names[i] = k.Name
	}
	return names
}

// Config is a source's configuration, secrets in clear: it lives only in
// memory, for the length of a job or a connection test.
type Config map[string]string

// Get returns the value of key, or "".
func (c Config) Get(key string) string { return c[key] }

// List splits a comma-separated value, dropping blanks.
func (c Config) List(key string) []string {
	var out []string
	for _, p := range strings.Split(c[key], ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// WithDefaults returns the configuration with the source's defaults filled in.
func (s *Source) WithDefaults(cfg Config) Config {
	out := Config{}
	for k, v := range cfg {
		out[k] = v
	}
	for _, k := range s.Keys {
		if out[k.Name] == "" && k.Default != "" {
			out[k.Name] = k.Default
		}
	}
	return out
}

// Conn is what a connection test needs.
type Conn struct {
	Config Config
	HTTP   *httpclient.Client
	Log    *slog.Logger
	// Found is what a successful test saw, in a few words for the person
	// who asked ("3 repositories: api, web, cli"); the test sets it, and
	// the Data sources page shows it with the result.
	Found string
}

// Window is the span of source time a job collects: [Start, End).
type Window struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// Job is one run of one script.
type Job struct {
	Source string
	Script string
	Config Config
	Window Window
	Store  *store.Store
	HTTP   *httpclient.Client // counts its requests into the run record
	Log    *slog.Logger

	items    atomic.Int64
	progress func(items int64)
}

// NewJob is for the collector; sources receive a ready Job.
func NewJob(src, script string, progress func(items int64)) *Job {
	return &Job{Source: src, Script: script, progress: progress}
}

// AddItems counts items written (upserted) and reports progress.
func (j *Job) AddItems(n int) {
	v := j.items.Add(int64(n))
	if j.progress != nil {
		j.progress(v)
	}
}

// Items is the number of items written so far.
func (j *Job) Items() int64 { return j.items.Load() }

// Registry holds sources by ID. The production registry is Default; tests
// build their own.
type Registry struct {
	mu      sync.RWMutex
	sources map[string]*Source
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{sources: map[string]*Source{}} }

// Default is the registry sources add themselves to in init().
var Default = NewRegistry()

// Register adds s to the Default registry.
func Register(s *Source) { Default.Register(s) }

var (
	idPattern     = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)
	keyPattern    = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)
	scriptPattern = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)
)

// Register adds s. A duplicate ID or malformed metadata is a programming
// error and panics at start-up, like a duplicate route.
func (r *Registry) Register(s *Source) {
	if err := check(s); err != nil {
		panic("source: " + err.Error())
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.sources[s.ID]; dup {
		panic(fmt.Sprintf("source: duplicate source ID %q", s.ID))
	}
	r.sources[s.ID] = s
}

func check(s *Source) error {
	if !idPattern.MatchString(s.ID) {
		return fmt.Errorf("source ID %q must be lower case letters, digits and dashes", s.ID)
	}
	if s.Name == "" {
		return fmt.Errorf("source %s has no name", s.ID)
	}
	prefix := strings.ToUpper(strings.ReplaceAll(s.ID, "-", "_")) + "_"
	seen := map[string]bool{}
	for _, k := range s.Keys {
		if !keyPattern.MatchString(k.Name) || !strings.HasPrefix(k.Name, prefix) {
			return fmt.Errorf("source %s: key %q must be upper case and start with %s", s.ID, k.Name, prefix)
		}
		if seen[k.Name] {
			return fmt.Errorf("source %s: duplicate key %s", s.ID, k.Name)
		}
		seen[k.Name] = true
		if k.Kind == "" {
			return fmt.Errorf("source %s: key %s has no kind", s.ID, k.Name)
		}
		if k.Kind == KindEnum && len(k.Options) == 0 {
			return fmt.Errorf("source %s: enum key %s has no options", s.ID, k.Name)
		}
		if k.Default != "" {
			if err := k.Check(k.Default); err != nil {
				return fmt.Errorf("source %s: default of %s: %v", s.ID, k.Name, err)
			}
		}
	}
	scripts := map[string]bool{}
	for _, sc := range s.Scripts {
		if !scriptPattern.MatchString(sc.Name) {
			return fmt.Errorf("source %s: script name %q must be lower case letters, digits and dashes", s.ID, sc.Name)
		}
		if scripts[sc.Name] {
			return fmt.Errorf("source %s: duplicate script %s", s.ID, sc.Name)
		}
		scripts[sc.Name] = true
		if sc.Run == nil {
			return fmt.Errorf("source %s: script %s has no Run", s.ID, sc.Name)
		}
		if len(sc.Provides) == 0 {
			return fmt.Errorf("source %s: script %s provides nothing", s.ID, sc.Name)
		}
	}
	return nil
}

// Lookup returns the source with the ID, or an error listing the IDs.
func (r *Registry) Lookup(id string) (*Source, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if s, ok := r.sources[id]; ok {
		return s, nil
	}
	ids := make([]string, 0, len(r.sources))
	for k := range r.sources {
		ids = append(ids, k)
	}
	sort.Strings(ids)
	if len(ids) == 0 {
		return nil, fmt.Errorf("unknown data source %q: this build has no data sources registered", id)
	}
	return nil, fmt.Errorf("unknown data source %q (sources: %s)", id, strings.Join(ids, ", "))
}

// All lists the sources by ID.
func (r *Registry) All() []*Source {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]*Source, 0, len(r.sources))
	for _, s := range r.sources {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// ScriptID is how plans, locks and logs name a script: "github/commit".
func ScriptID(source, script string) string { return source + "/" + script }

// Mask replaces a secret wherever one would be shown.
const Mask = "********"

// MarshalJSON adds the import window in days (0: no limit).
func (s Script) MarshalJSON() ([]byte, error) {
	type plain Script
	if s.Provides == nil {
		s.Provides = []Resource{}
	}
	if s.DependsOn == nil {
		s.DependsOn = []Resource{}
	}
	return json.Marshal(struct {
		plain
		ImportWindowDays int `json:"import_window_days"`
	}{plain(s), int(s.ImportWindow / (24 * time.Hour))})
}
