package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"syscall"
	"time"

	"github.com/momentum-app/momentum/backend/api"
)

type serveCmd struct {
	Addr string `default:"127.0.0.1:7420" env:"MOMENTUM_ADDR" help:"Address to listen on. Use 0.0.0.0:7420 to serve your network."`
}

func (c *serveCmd) Run(g *Globals) error {
	ctx, stop := signalContext()
	defer stop()
	// Listen before touching the data directory, so a busy port fails fast
	// and leaves nothing behind.
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("address %s is already in use: stop the other program or choose another with --addr", c.Addr)
		}
		return fmt.Errorf("cannot listen on %s: %v (use --addr host:port)", c.Addr, err)
	}
	st, err := g.openStore(ctx)
	if err != nil {
		ln.Close()
		return err
	}
	defer st.Close()
	eng, sched, err := g.startCollection(ctx, st)
	if err != nil {
		ln.Close()
		return err
	}
	defer sched.Stop() // after the server: waits for a running collection to stop
	defer g.fillRollups(ctx, st)()

	srv := &http.Server{
		Handler:           api.New(st, g.DataDir, g.log).WithCollection(ctx, eng, sched, "api").Handler(g.assets),
		ReadHeaderTimeout: 10 * time.Second,
	}
	g.log.Info("momentum serving", "url", "http://"+ln.Addr().String(), "engine", st.Engine(), "database", st.Location())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	g.log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(shutdownCtx)
}
