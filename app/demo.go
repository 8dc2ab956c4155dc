package app

import (
	"fmt"
	"os"
	"sort"
	"time"

	"github.com/momentum-app/momentum/backend/demo"
)

type demoCmd struct {
	Scale   string `default:"small" enum:"small,large" help:"small: a few thousand rows, instant; large: over a million commits and pipeline runs, for benchmarks."`
	Seed    int64  `default:"1" help:"Random seed; the same seed and day give the same data."`
	Replace bool   `help:"Replace earlier demo data (collected data is never touched)."`
}

func (c *demoCmd) Run(g *Globals) error {
	scale, err := demo.ParseScale(c.Scale)
	if err != nil {
		return err
	}
	ctx, stop := signalContext()
	defer stop()
	st, err := g.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	start := time.Now()
	stats, err := demo.Generate(ctx, st, demo.Options{
		Scale: scale, Seed: c.Seed, Now: time.Now(), Progress: os.Stderr, Replace: c.Replace,
	})
	if err != nil {
		return err
	}
	tables := make([]string, 0, len(stats))
	for t := range stats {
		tables = append(tables, t)
	}
	sort.Strings(tables)
	for _, t := range tables {
		fmt.Printf("%-26s %10d\n", t, stats[t])
	}
	fmt.Printf("demo data (%s) loaded into %s in %s\n", c.Scale, st.Engine(), time.Since(start).Round(time.Millisecond))
	return nil
}
