// Package app is Momentum's composition root: it reads the command line,
// builds the backend and runs the desktop window, the server or a command.
// It is the only package that imports Wails.
package app

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/alecthomas/kong"

	"github.com/momentum-app/momentum/backend/buildinfo"
	"github.com/momentum-app/momentum/backend/store"
)

// Globals are the flags every command shares.
type Globals struct {
	DB      string `name:"db" env:"MOMENTUM_DB" default:"embedded" placeholder:"embedded|sqlite|sqlite:PATH|postgres://..." help:"Database: the bundled PostgreSQL (default), SQLite, or an external PostgreSQL URL."`
	DataDir string `name:"data-dir" env:"MOMENTUM_DATA_DIR" placeholder:"DIR" help:"Where Momentum keeps its data (default: the user config dir + /Momentum)."`
	Verbose bool   `short:"v" help:"Log debug detail."`

	assets fs.FS
	log    *slog.Logger
	level  slog.Level
}

type cli struct {
	Globals

	Desktop desktopCmd `cmd:"" default:"1" help:"Open the desktop app (the default)."`
	Serve   serveCmd   `cmd:"" help:"Serve the same UI and API over HTTP for a team."`
	Metrics metricsCmd `cmd:"" help:"List metric IDs, or print one metric."`
	Demo    demoCmd    `cmd:"" help:"Load a deterministic, realistic demo data set."`
	Sources sourcesCmd `cmd:"" help:"List the data sources, their config keys and their scripts."`
	Config  configCmd  `cmd:"" help:"Configure data sources (secrets go to the OS keychain)."`
	Collect collectCmd `cmd:"" help:"Collect from the configured sources now, with progress; exit status 1 if a script failed."`
	Runs    runsCmd    `cmd:"" help:"The run history: source, script, status, times, items, requests, last fetched date."`
	Version versionCmd `cmd:"" help:"Print the version."`
}

// Main runs Momentum with the command-line arguments and returns the exit
// status. assets is the built frontend (frontend/dist).
func Main(assets fs.FS, args []string) int {
	var c cli
	parser, err := kong.New(&c,
		kong.Name("momentum"),
		kong.Description("Momentum: developer-productivity metrics from your own tools, on your own machine."),
		kong.UsageOnError(),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
	)
	if err != nil {
		fmt.Fprintln(os.Stderr, "momentum:", err)
		return 2
	}
	kctx, err := parser.Parse(args)
	if err != nil {
		fmt.Fprintln(os.Stderr, "momentum:", err)
		return 2
	}
	c.assets = assets
	c.level = slog.LevelInfo
	if c.Verbose {
		c.level = slog.LevelDebug
	}
	c.log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: c.level}))
	if c.DataDir == "" {
		c.DataDir = defaultDataDir()
	}
	if err := kctx.Run(&c.Globals); err != nil {
		fmt.Fprintln(os.Stderr, "momentum:", err)
		return 1
	}
	return 0
}

func defaultDataDir() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		dir = "."
	}
	return filepath.Join(dir, "Momentum")
}

// openStore opens the database the flags ask for and says which one is used.
func (g *Globals) openStore(ctx context.Context) (*store.Store, error) {
	abs, err := filepath.Abs(g.DataDir)
	if err == nil {
		g.DataDir = abs
	}
	st, err := store.Open(ctx, store.Options{DB: g.DB, DataDir: g.DataDir, Logger: g.log})
	if err != nil {
		return nil, err
	}
	g.log.Debug("database open", "engine", st.Engine(), "location", st.Location())
	return st, nil
}

// signalContext is cancelled by Ctrl-C or SIGTERM.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

type versionCmd struct{}

func (versionCmd) Run() error {
	fmt.Println("momentum", buildinfo.Version)
	return nil
}
