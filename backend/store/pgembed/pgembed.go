// Package pgembed runs the PostgreSQL 17 bundled into the Momentum binary, so a
// first start needs no network and no installed database.
//
// Start extracts the bundle once, initialises a data directory once, recovers
// from a server orphaned by a crash, and starts PostgreSQL on a free loopback
// port through github.com/fergusstrange/embedded-postgres (with BinariesPath,
// so that library never downloads anything).
//
// Files under Config.Dir:
//
//	lock                 held (flock) while a Server runs; a second Start fails with ErrInUse
//	password             generated once (0600), reused
//	binaries/<version>/  the extracted bundle; a new bundle gets a new folder
//	data/                the cluster; initdb runs only when it is empty
//	run/                 scratch; embedded-postgres wipes it at every start
package pgembed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	embeddedpostgres "github.com/fergusstrange/embedded-postgres"
)

// Config says where the server keeps its files and where its output goes.
type Config struct {
	Dir          string        // e.g. <data-dir>/postgres; holds binaries/, data/, run/ subfolders
	Logger       io.Writer     // postgres server output (nil = discard); the app passes a log file
	StartTimeout time.Duration // default 30s
}

var (
	// ErrRunningAsRoot: initdb and postgres refuse to run as root.
	ErrRunningAsRoot = errors.New("PostgreSQL refuses to run as root")
	// ErrBundleMissing: this binary was built without the bundle for its platform.
	ErrBundleMissing = errors.New("the PostgreSQL bundle was not built into this binary; run build/fetch-postgres.sh")
	// ErrInUse: another Server, in this process or another one, runs on the same Dir.
	// Start never adopts a live server: two owners would stop it under each other.
	ErrInUse = errors.New("another Momentum process is using this PostgreSQL directory")
)

const (
	dbName              = "momentum"
	dbUser              = "momentum"
	defaultStartTimeout = 30 * time.Second
	minLibraryTimeout   = 15 * time.Second
	// portAttempts bounds the retries when another process takes the free port
	// between our probe and postgres binding it.
	portAttempts = 3
	// readyFile marks a data directory whose first start finished (database created).
	// Without it, a data directory is the leftover of an interrupted first start.
	readyFile = "momentum.ready"
)

// Server is one running PostgreSQL. Stop it on shutdown: postgres runs as its own
// daemon and would otherwise outlive the app (the next Start cleans that up).
type Server struct {
	ep       *embeddedpostgres.EmbeddedPostgres
	lock     *dirLock
	log      *tailWriter
	logFile  string // embedded-postgres's temporary copy of the output, removed by Stop
	port     int
	password string

	mu      sync.Mutex
	stopped bool
}

// Available reports whether Start can work here: nil when the bundle for this
// GOOS/GOARCH is embedded and we are not root. It extracts nothing.
func Available() error {
	if os.Geteuid() == 0 { // -1 on Windows
		return fmt.Errorf("pgembed: unable to use the bundled PostgreSQL: %w; run Momentum as an unprivileged user", ErrRunningAsRoot)
	}
	if !bundleEmbedded() {
		return fmt.Errorf("pgembed: unable to use the bundled PostgreSQL: %w (no %s in this %s/%s binary)",
			ErrBundleMissing, bundleName(), runtime.GOOS, runtime.GOARCH)
	}
	return nil
}

// Start starts PostgreSQL in cfg.Dir and returns once it accepts connections.
// The port is new at each start: take DSN from the returned Server.
func Start(ctx context.Context, cfg Config) (*Server, error) {
	if err := Available(); err != nil {
		return nil, err
	}
	if cfg.Dir == "" {
		return nil, errors.New("pgembed: unable to start PostgreSQL: Config.Dir is empty")
	}
	dir, err := filepath.Abs(cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("pgembed: unable to resolve %s: %w", cfg.Dir, err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("pgembed: unable to create %s: %w", dir, err)
	}
	lock, err := lockDir(filepath.Join(dir, "lock"))
	if err != nil {
		return nil, err
	}
	return start(ctx, cfg, dir, lock)
}

// start runs with the Dir lock held, so nothing else touches Dir meanwhile. It
// releases the lock when it fails, unless an abandoned start still runs (runStart).
func start(ctx context.Context, cfg Config, dir string, lock *dirLock) (_ *Server, err error) {
	lockHandedOff := false
	defer func() {
		if err != nil && !lockHandedOff {
			lock.release()
		}
	}()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("pgembed: unable to start PostgreSQL: %w", err)
	}
	bin, err := ensureBinaries(ctx, filepath.Join(dir, "binaries"))
	if err != nil {
		return nil, err
	}
	data := filepath.Join(dir, "data")
	if err := recoverStale(ctx, bin, data); err != nil {
		return nil, err
	}
	if err := checkData(data); err != nil {
		return nil, err
	}
	password, err := ensurePassword(filepath.Join(dir, "password"), data)
	if err != nil {
		return nil, err
	}

	timeout := cfg.StartTimeout
	if timeout <= 0 {
		timeout = defaultStartTimeout
	}
	var logger io.Writer = io.Discard
	if cfg.Logger != nil {
		logger = cfg.Logger
	}
	tail := newTailWriter(logger, 4096)

	for attempt := 1; ; attempt++ {
		port, err := freePort()
		if err != nil {
			return nil, fmt.Errorf("pgembed: unable to find a free port: %w", err)
		}
		ep := embeddedpostgres.NewDatabase(embeddedpostgres.DefaultConfig().
			Version(embeddedpostgres.V17).
			Port(uint32(port)).
			Database(dbName).
			Username(dbUser).
			Password(password).
			Locale("C").
			Encoding("UTF8").
			BinariesPath(bin).
			DataPath(data). // outside RuntimePath, which is wiped at every start
			RuntimePath(filepath.Join(dir, "run")).
			// Never used, as bin/pg_ctl exists; if it ever were, fail at once
			// instead of fetching a jar from Maven.
			BinaryRepositoryURL("http://127.0.0.1:1/pgembed-never-downloads").
			StartParameters(map[string]string{
				"listen_addresses": "127.0.0.1",
				// No Unix socket: the compiled-in socket folder may not be
				// writable, and a long Dir would overflow sun_path.
				"unix_socket_directories": "",
			}).
			// Only bounds the library's health check, whose goroutine panics if
			// a check succeeds after this timeout; our own timer below enforces
			// cfg.StartTimeout.
			StartTimeout(max(timeout, minLibraryTimeout)).
			Logger(tail))

		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("pgembed: unable to start PostgreSQL: %w", err)
		}
		lockHandedOff, err = runStart(ctx, ep, timeout, bin, data, lock)
		if err == nil {
			if err := markReady(data); err != nil {
				_ = ep.Stop()
				return nil, err
			}
			return &Server{ep: ep, lock: lock, log: tail, logFile: libraryLogFile(data), port: port, password: password}, nil
		}
		if attempt < portAttempts && isPortClash(err) && ctx.Err() == nil {
			continue
		}
		return nil, fmt.Errorf("pgembed: unable to start PostgreSQL: %w%s", err, tail.section(err))
	}
}

// runStart runs ep.Start, which takes no context and waits on clocks of its own
// (pg_ctl start -w, the health check). On timeout or cancellation it returns at
// once: it kills the half-started server so those waits end soon, and hands
// the Dir lock to a goroutine that waits for ep.Start, stops the server if it
// came up after all, and only then releases the lock.
func runStart(ctx context.Context, ep *embeddedpostgres.EmbeddedPostgres, timeout time.Duration,
	bin, data string, lock *dirLock) (lockHandedOff bool, err error) {
	done := make(chan error, 1)
	go func() { done <- ep.Start() }()

	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case err := <-done:
		return false, err
	case <-timer.C:
		err = fmt.Errorf("not accepting connections after %s", timeout)
	case <-ctx.Done():
		err = ctx.Err()
	}
	go func() {
		defer lock.release()
		stopCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		_, _ = pgCtl(stopCtx, bin, "stop", "-D", data, "-m", "immediate", "-w", "-t", "20")
		cancel()
		if err := <-done; err == nil {
			_ = ep.Stop() // it came up after all, but the caller has given up on it
		}
	}()
	return true, err
}

func isPortClash(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "already listening on port") ||
		strings.Contains(msg, "could not bind") ||
		strings.Contains(msg, "Address already in use")
}

// freePort asks the kernel for a free loopback port. It is closed before
// postgres binds it; Start retries in the rare case someone takes it meanwhile.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	return port, l.Close()
}

// DSN is the URL to connect with, e.g.
// postgres://momentum:PASSWORD@127.0.0.1:PORT/momentum?sslmode=disable.
func (s *Server) DSN() string { return dsn(s.password, s.port) }

func dsn(password string, port int) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword(dbUser, password),
		Host:     net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		Path:     "/" + dbName,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

// Port is the loopback TCP port the server listens on.
func (s *Server) Port() int { return s.port }

// Stop shuts the server down (fast mode: open transactions roll back) and
// waits for it to exit. Calling it again does nothing.
func (s *Server) Stop() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return nil
	}
	s.stopped = true
	err := s.ep.Stop()
	s.lock.release()
	if err == nil && s.logFile != "" {
		_ = os.Remove(s.logFile)
	}
	if err != nil {
		return fmt.Errorf("pgembed: unable to stop PostgreSQL: %w%s", err, s.log.section(err))
	}
	return nil
}
