package app

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/momentum-app/momentum/backend/rollup"
	"github.com/momentum-app/momentum/backend/store"
)

// fillRollups brings the dashboards' pre-aggregated figures up to date in
// the background when the app starts with days left to fill (after an
// upgrade that adds a rollup, that is the whole history: minutes on
// millions of rows). Dashboard requests meanwhile wait for the days they
// read; the status bar shows what is left (GET /api/v1/health). The refresh
// commits chunk by chunk, so quitting keeps what is done. stop cancels it
// and waits for it to let go of the database.
func (g *Globals) fillRollups(ctx context.Context, st *store.Store) (stop func()) {
	pending, err := rollup.Pending(ctx, st.DB())
	if err != nil {
		g.log.Warn("cannot tell whether dashboard figures need filling", "err", err)
		return func() {}
	}
	if pending == 0 {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		start := time.Now()
		g.log.Info("preparing dashboard figures", "days_to_fill", pending)
		err := rollup.Refresh(ctx, st.DB(), st.Engine().Postgres())
		switch {
		case err == nil:
			g.log.Info("dashboard figures ready", "days_filled", pending, "took", time.Since(start).Round(time.Millisecond))
		case errors.Is(err, context.Canceled) || ctx.Err() != nil:
			left, _ := rollup.Pending(context.Background(), st.DB())
			g.log.Info("stopped preparing dashboard figures; the next start goes on", "days_left", left)
		default:
			g.log.Error("cannot prepare dashboard figures; dashboards compute them when opened", "err", err)
		}
	}()
	return func() {
		cancel()
		wg.Wait()
	}
}
