// Package store opens Momentum's database — the bundled PostgreSQL, SQLite, or
// an external PostgreSQL — migrates it, and holds the queries on it.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	_ "modernc.org/sqlite"             // registers "sqlite"

	"github.com/momentum-app/momentum/backend/store/pgembed"
)

// Engine names the database behind a Store.
type Engine string

const (
	EngineEmbedded Engine = "embedded-postgres"
	EngineSQLite   Engine = "sqlite"
	EnginePostgres Engine = "postgres"
)

// Postgres reports whether the engine speaks PostgreSQL.
func (e Engine) Postgres() bool { return e != EngineSQLite }

// Options says which database to open.
type Options struct {
	// DB is "embedded" (default), "sqlite", "sqlite:PATH" or a postgres:// URL.
	DB string
	// DataDir holds the SQLite file, the bundled PostgreSQL and its log.
	DataDir string
	Logger  *slog.Logger
}

// Store is Momentum's database handle. It is safe for concurrent use.
type Store struct {
	db       *sql.DB
	engine   Engine
	location string // where the data lives, safe to show (no password)
	notice   string // why the requested engine was not used, or ""
	pg       *pgembed.Server
	closers  []io.Closer
}

// Spec is a parsed --db value.
type Spec struct {
	Kind string // embedded, sqlite, postgres
	Path string // sqlite file, or "" for the data dir default
	URL  string // postgres URL
}

// ParseSpec validates a --db value.
func ParseSpec(v string) (Spec, error) {
	switch {
	case v == "" || v == "embedded":
		return Spec{Kind: "embedded"}, nil
	case v == "sqlite":
		return Spec{Kind: "sqlite"}, nil
	case strings.HasPrefix(v, "sqlite:"):
		p := strings.TrimPrefix(v, "sqlite:")
		if p == "" {
			return Spec{}, fmt.Errorf("--db sqlite: needs a file path after the colon, e.g. sqlite:/var/lib/momentum/momentum.db")
		}
		return Spec{Kind: "sqlite", Path: p}, nil
	case strings.HasPrefix(v, "postgres://") || strings.HasPrefix(v, "postgresql://"):
		u, err := url.Parse(v)
		if err != nil || u.Host == "" {
			return Spec{}, fmt.Errorf("--db %s: not a valid PostgreSQL URL (postgres://user:password@host:5432/dbname)", MaskURL(v))
		}
		return Spec{Kind: "postgres", URL: v}, nil
	default:
		return Spec{}, fmt.Errorf("unknown database %q: use embedded, sqlite, sqlite:PATH or a postgres:// URL", v)
	}
}

// Open opens (and migrates) the database the options ask for. With
// "embedded", a PostgreSQL that cannot start falls back to SQLite in the data
// directory; Notice says why.
func Open(ctx context.Context, opts Options) (*Store, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	spec, err := ParseSpec(opts.DB)
	if err != nil {
		return nil, err
	}
	if spec.Kind == "embedded" || (spec.Kind == "sqlite" && spec.Path == "") {
		if err := ensureDataDir(opts.DataDir); err != nil {
			return nil, err
		}
	}

	var s *Store
	switch spec.Kind {
	case "postgres":
		s, err = openPostgres(ctx, spec.URL, EnginePostgres)
	case "sqlite":
		path := spec.Path
		if path == "" {
			path = filepath.Join(opts.DataDir, "momentum.db")
		}
		s, err = openSQLite(ctx, path)
	default:
		s, err = openEmbedded(ctx, opts.DataDir, log)
	}
	if err != nil {
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func openEmbedded(ctx context.Context, dataDir string, log *slog.Logger) (*Store, error) {
	srv, logf, err := startEmbedded(ctx, dataDir)
	if err == nil {
		s, err := openPostgres(ctx, srv.DSN(), EngineEmbedded)
		if err == nil {
			s.pg = srv
			s.closers = append(s.closers, logf)
			s.location = filepath.Join(dataDir, "postgres")
			return s, nil
		}
		srv.Stop()
		logf.Close()
		return nil, err
	}
	if errors.Is(err, pgembed.ErrInUse) {
		// Another Momentum (say, the desktop app) runs the bundled
		// PostgreSQL on this data directory: use its server, don't split
		// the data into a SQLite file.
		dsn, aerr := pgembed.AttachDSN(filepath.Join(dataDir, "postgres"))
		if aerr != nil {
			return nil, fmt.Errorf("%v; and attaching to it failed: %v", err, aerr)
		}
		s, err := openPostgres(ctx, dsn, EngineEmbedded)
		if err != nil {
			return nil, err
		}
		s.location = filepath.Join(dataDir, "postgres")
		return s, nil
	}
	path := filepath.Join(dataDir, "momentum.db")
	notice := fmt.Sprintf("embedded PostgreSQL could not start (%v); using SQLite at %s", err, path)
	log.Warn(notice)
	s, serr := openSQLite(ctx, path)
	if serr != nil {
		return nil, serr
	}
	s.notice = notice
	return s, nil
}

func startEmbedded(ctx context.Context, dataDir string) (*pgembed.Server, io.Closer, error) {
	if err := pgembed.Available(); err != nil {
		return nil, nil, err
	}
	dir := filepath.Join(dataDir, "postgres")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("unable to create %s: %w", dir, err)
	}
	logf, err := os.OpenFile(filepath.Join(dataDir, "postgres.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("unable to open the PostgreSQL log: %w", err)
	}
	srv, err := pgembed.Start(ctx, pgembed.Config{Dir: dir, Logger: logf})
	if err != nil {
		logf.Close()
		return nil, nil, err
	}
	return srv, logf, nil
}

func openPostgres(ctx context.Context, dsn string, engine Engine) (*Store, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: unable to open PostgreSQL %s: %w", MaskURL(dsn), err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, fmt.Errorf("cannot reach PostgreSQL at %s: %s (check the URL, that the server runs and accepts this user)", MaskURL(dsn), oneLine(err))
	}
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(8)
	db.SetConnMaxIdleTime(5 * time.Minute)
	return &Store{db: db, engine: engine, location: MaskURL(dsn)}, nil
}

func openSQLite(ctx context.Context, path string) (*Store, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := ensureDataDir(dir); err != nil {
			return nil, err
		}
	}
	// WAL lets readers run beside the writer; the busy timeout makes a second
	// writer wait instead of failing; IMMEDIATE transactions take the write
	// lock up front so two writers never deadlock on a lock upgrade.
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(15000)" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: unable to open SQLite %s: %w", path, err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("cannot open SQLite database %s: %v", path, err)
	}
	db.SetMaxOpenConns(8)
	return &Store{db: db, engine: EngineSQLite, location: path}, nil
}

// ensureDataDir creates dir when missing and proves it writable.
func ensureDataDir(dir string) error {
	if dir == "" {
		return errors.New("no data directory: pass --data-dir or set MOMENTUM_DATA_DIR")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("data directory %s cannot be created: %v; choose another with --data-dir", dir, unwrapPathError(err))
	}
	f, err := os.CreateTemp(dir, ".write-test-*")
	if err != nil {
		return fmt.Errorf("data directory %s is not writable: %v; fix its permissions or choose another with --data-dir", dir, unwrapPathError(err))
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// oneLine flattens a driver's multi-line error (pgx lists every address it
// tried) into one line, keeping each distinct line once.
func oneLine(err error) string {
	var parts []string
	seen := map[string]bool{}
	for _, l := range strings.Split(err.Error(), "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !seen[l] {
			seen[l] = true
			parts = append(parts, l)
		}
	}
	return strings.Join(parts, " ")
}

// MaskURL hides the password of a database URL.
func MaskURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// DB is the underlying handle, for queries in other packages.
func (s *Store) DB() *sql.DB { return s.db }

// Engine tells which database is in use.
func (s *Store) Engine() Engine { return s.engine }

// Location tells where the data lives (a path or a masked URL).
func (s *Store) Location() string { return s.location }

// Notice explains a fallback from the requested engine, or is "".
func (s *Store) Notice() string { return s.notice }

// Close closes the database and stops the bundled PostgreSQL.
func (s *Store) Close() error {
	err := s.db.Close()
	if s.pg != nil {
		if perr := s.pg.Stop(); perr != nil && err == nil {
			err = perr
		}
	}
	for _, c := range s.closers {
		c.Close()
	}
	return err
}
