package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/momentum-app/momentum/backend/collect"
	"github.com/momentum-app/momentum/backend/schedule"
	"github.com/momentum-app/momentum/backend/source"
	"github.com/momentum-app/momentum/backend/sourceconfig"
	"github.com/momentum-app/momentum/backend/store"
)

// openEngine opens the store, the configuration and the collection engine,
// and recovers runs a killed process left RUNNING.
func (g *Globals) openEngine(ctx context.Context) (*store.Store, *collect.Engine, error) {
	st, svc, err := g.openConfig(ctx)
	if err != nil {
		return nil, nil, err
	}
	eng := collect.New(collect.Config{Store: st, Configs: svc, Log: g.log})
	if _, err := eng.Recover(ctx); err != nil {
		st.Close()
		return nil, nil, err
	}
	return st, eng, nil
}

type collectCmd struct {
	Source []string `short:"s" help:"Only this source (repeat or comma-separate), with the scripts it depends on."`
	Full   bool     `help:"Forget where the last collection stopped and re-import the full history."`
	Since  string   `placeholder:"DATE" help:"Reach back at least to DATE (YYYY-MM-DD) in this run, e.g. to import older history."`
}

func (c *collectCmd) Run(g *Globals) error {
	var since time.Time
	if c.Since != "" {
		var err error
		if since, err = parseDate(c.Since); err != nil {
			return err
		}
	}
	var sources []string
	for _, s := range c.Source {
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				sources = append(sources, p)
			}
		}
	}
	ctx, stop := signalContext()
	defer stop()
	st, eng, err := g.openEngine(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	progress := newProgress(os.Stderr)
	sum, err := eng.Collect(ctx, collect.Options{Sources: sources, Full: c.Full, Since: since, Via: "cli", Progress: progress.event})
	progress.finish()
	if err != nil {
		return err
	}
	writeSummary(os.Stdout, sum)
	if n := sum.Failed(); n > 0 {
		return fmt.Errorf("%d of %d scripts failed; see `momentum runs` (the next collection retries them)", n, len(sum.Outcomes))
	}
	return nil
}

func parseDate(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02", time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("--since %q: write a date as YYYY-MM-DD", s)
}

// progress draws a bar on a terminal (scripts done of planned, what runs
// now and its items) and prints one line per script otherwise.
type progress struct {
	mu      sync.Mutex
	w       io.Writer
	tty     bool
	bar     *progressbar.ProgressBar
	running map[string]int64
}

func newProgress(w *os.File) *progress {
	return &progress{w: w, tty: term.IsTerminal(int(w.Fd())), running: map[string]int64{}}
}

func (p *progress) event(ev collect.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	id := ev.Source + "/" + ev.Script
	switch ev.Type {
	case collect.EventPlanned:
		if p.tty {
			p.bar = progressbar.NewOptions(ev.Total, progressbar.OptionSetWriter(p.w), progressbar.OptionSetDescription("collecting"),
				progressbar.OptionShowCount(), progressbar.OptionSetElapsedTime(true), progressbar.OptionSetPredictTime(false),
				progressbar.OptionFullWidth(), progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionSetMaxDetailRow(0))
		} else {
			fmt.Fprintf(p.w, "collecting: %d scripts\n", ev.Total)
		}
	case collect.EventStarted:
		p.running[id] = 0
		p.describe()
	case collect.EventProgress:
		p.running[id] = ev.Items
		p.describe()
	case collect.EventFinished:
		delete(p.running, id)
		if p.bar != nil {
			p.bar.Add(1)
			p.describe()
			return
		}
		line := fmt.Sprintf("%-32s %-20s %6d items %5d requests", id, ev.Status, ev.Items, ev.Requests)
		if ev.Error != "" {
			line += "  " + ev.Error
		}
		fmt.Fprintln(p.w, line)
	}
}

func (p *progress) describe() {
	if p.bar == nil {
		return
	}
	ids := make([]string, 0, len(p.running))
	for id, n := range p.running {
		ids = append(ids, fmt.Sprintf("%s (%d)", id, n))
	}
	sort.Strings(ids)
	desc := "collecting"
	if len(ids) > 0 {
		desc = strings.Join(ids, ", ")
	}
	p.bar.Describe(desc)
}

func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		p.bar.Finish()
		fmt.Fprintln(p.w)
	}
}

func writeSummary(w io.Writer, sum *collect.Summary) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SCRIPT\tSTATUS\tITEMS\tREQUESTS\tTOOK\tWINDOW\tNOTE")
	for _, o := range sum.Outcomes {
		win := ""
		if !o.Window.End.IsZero() {
			win = o.Window.Start.Format("2006-01-02 15:04") + " → " + o.Window.End.Format("2006-01-02 15:04")
		}
		fmt.Fprintf(tw, "%s/%s\t%s\t%d\t%d\t%s\t%s\t%s\n", o.Source, o.Script, o.Status, o.Items, o.Requests,
			o.Duration.Round(time.Millisecond), win, firstLine(o.Error))
	}
	tw.Flush()
	fmt.Fprintf(w, "%d scripts in %s\n", len(sum.Outcomes), sum.Finished.Sub(sum.Started).Round(time.Millisecond))
	if n := sum.Pruned.Total(); n > 0 {
		fmt.Fprintf(w, "retention: %d rows older than the retention setting deleted\n", n)
	}
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

type runsCmd struct {
	Source string `help:"Only this source."`
	Limit  int    `default:"50" help:"How many runs, newest first."`
	Format string `enum:"table,json" default:"table" help:"Output: table or json."`
}

func (c *runsCmd) Run(g *Globals) error {
	ctx, stop := signalContext()
	defer stop()
	st, err := g.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	runs, err := st.Runs(ctx, store.RunFilter{Source: c.Source, Limit: c.Limit})
	if err != nil {
		return err
	}
	return writeRuns(os.Stdout, runs, c.Format)
}

func writeRuns(w io.Writer, runs []store.Run, format string) error {
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"runs": runs})
	}
	if len(runs) == 0 {
		fmt.Fprintln(w, "No collection has run yet: `momentum collect`.")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tSCRIPT\tSTATUS\tSTARTED\tFINISHED\tITEMS\tREQUESTS\tLAST FETCHED\tERROR")
	for _, r := range runs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\t%s\n", r.Source, r.Script, r.Status, stamp(&r.StartedAt), stamp(r.FinishedAt),
			r.Items, r.Requests, stamp(r.LastFetchedAt), firstLine(r.Error))
	}
	return tw.Flush()
}

func stamp(t *int64) string {
	if t == nil {
		return "—"
	}
	return time.Unix(*t, 0).Local().Format("2006-01-02 15:04:05")
}

// startCollection builds the collection engine on st, recovers runs a
// killed process left RUNNING and starts the schedule. ctx bounds the
// scheduled collections.
func (g *Globals) startCollection(ctx context.Context, st *store.Store) (*collect.Engine, *schedule.Scheduler, error) {
	vault, err := g.openVault()
	if err != nil {
		return nil, nil, err
	}
	eng := collect.New(collect.Config{Store: st, Configs: sourceconfig.New(st, source.Default, vault), Log: g.log})
	if _, err := eng.Recover(ctx); err != nil {
		return nil, nil, err
	}
	sched, err := schedule.Start(ctx, eng, g.log)
	if err != nil {
		return nil, nil, err
	}
	store := vault.Kind()
	if store == "" {
		store = "none: set MOMENTUM_SECRET_KEY_FILE to save tokens"
	}
	g.log.Info("collection scheduled", "cron", sched.Cron(), "next", sched.NextRun().Format(time.RFC3339), "secrets", store)
	return eng, sched, nil
}
