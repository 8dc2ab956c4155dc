package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/runtime"

	"github.com/momentum-app/momentum/backend/api"
)

type desktopCmd struct{}

// Run opens the desktop window. The webview loads the embedded frontend, and
// its /api/v1 requests reach the same API handler `serve` uses, through
// Wails' AssetServer.
func (desktopCmd) Run(g *Globals) error {
	ctx, stop := signalContext()
	defer stop()
	if err := os.MkdirAll(g.DataDir, 0o700); err == nil {
		// A desktop app has no terminal: log to a file as well.
		if f, err := os.OpenFile(filepath.Join(g.DataDir, "momentum.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600); err == nil {
			defer f.Close()
			g.log = slog.New(slog.NewTextHandler(io.MultiWriter(os.Stderr, f), &slog.HandlerOptions{Level: g.level}))
		}
	}
	st, err := g.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	// Collections run in the background while the window is open.
	eng, sched, err := g.startCollection(ctx, st)
	if err != nil {
		return err
	}
	defer sched.Stop()
	defer g.fillRollups(ctx, st)()
	handler := api.New(st, g.DataDir, g.log).WithCollection(ctx, eng, sched, "desktop").Handler(nil)
	onStartup := func(wctx context.Context) {
		g.log.Info("desktop window open", "engine", st.Engine())
		// SIGTERM or Ctrl-C closes the window like the user would, so the
		// bundled PostgreSQL stops cleanly below.
		go func() {
			<-ctx.Done()
			runtime.Quit(wctx)
		}()
	}
	err = wails.Run(&options.App{
		Title:     "Momentum",
		Width:     1360,
		Height:    860,
		MinWidth:  960,
		MinHeight: 600,
		AssetServer: &assetserver.Options{
			Assets:  g.assets,
			Handler: handler,
		},
		OnStartup: onStartup,
	})
	if err != nil {
		return fmt.Errorf("cannot open the desktop window: %v (this binary may lack the desktop build tags; `momentum serve` works without them)", err)
	}
	return nil
}
