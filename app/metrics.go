package app

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/momentum-app/momentum/backend/metric"
)

type metricsCmd struct {
	ID      string   `arg:"" optional:"" help:"Metric ID; without it, list the metrics."`
	Range   string   `help:"Last N days, e.g. 7d, 30d, 90d (default 30d)."`
	From    string   `help:"First day, YYYY-MM-DD (with --to)."`
	To      string   `help:"Last day, YYYY-MM-DD, inclusive (with --from)."`
	Compare bool     `help:"Also compute the previous period of equal length."`
	Repo    []string `help:"Repository full name (repeat or comma-separate)."`
	Team    []string `help:"Team ID or name (repeat or comma-separate)."`
	Person  []string `help:"Person ID, email or login (repeat or comma-separate)."`
	Group   string   `enum:"day,week,month" default:"day" help:"Bucket size: day, week or month."`
	Bots    bool     `help:"Include bots in people-based figures."`
	Format  string   `enum:"json,csv,table" default:"table" help:"Output: json, csv or table."`
}

func (c *metricsCmd) Run(g *Globals) error {
	if c.ID == "" {
		return c.list(os.Stdout)
	}
	d, err := metric.Lookup(c.ID)
	if err != nil {
		return err
	}
	if !d.Available {
		return fmt.Errorf("metric %s is not built yet in this version", c.ID)
	}
	params := map[string]string{
		"range": c.Range, "from": c.From, "to": c.To, "group": c.Group,
		"repo": strings.Join(c.Repo, ","), "team": strings.Join(c.Team, ","), "person": strings.Join(c.Person, ","),
		"compare": strconv.FormatBool(c.Compare), "bots": strconv.FormatBool(c.Bots),
	}
	q, err := metric.ParseQuery(func(k string) string { return params[k] }, time.Now())
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
	res, err := metric.NewEngine(st.DB(), st.Engine().Postgres()).Compute(ctx, c.ID, q)
	if err != nil {
		return err
	}
	switch c.Format {
	case "json":
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	case "csv":
		return writeSeriesCSV(os.Stdout, res)
	default:
		return writeTable(os.Stdout, res)
	}
}

func (c *metricsCmd) list(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tVIEW\tFAMILY\tSTATUS\tTITLE")
	for _, d := range metric.All() {
		status := "available"
		if !d.Available {
			status = "not built yet"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", d.ID, d.View, d.Family, status, d.Title)
	}
	return tw.Flush()
}

// writeSeriesCSV prints the series, one row per bucket; with --compare the
// previous period's fields follow as previous_<field>, aligned by position.
func writeSeriesCSV(w io.Writer, res *metric.Result) error {
	cw := csv.NewWriter(w)
	header := append([]string(nil), res.Columns...)
	if res.PreviousSeries != nil {
		for _, col := range res.Columns {
			header = append(header, "previous_"+col)
		}
	}
	cw.Write(header)
	for i, pt := range res.Series {
		row := make([]string, 0, len(header))
		for _, col := range res.Columns {
			row = append(row, formatValue(pt[col]))
		}
		if res.PreviousSeries != nil && i < len(res.PreviousSeries) {
			for _, col := range res.Columns {
				row = append(row, formatValue(res.PreviousSeries[i][col]))
			}
		}
		cw.Write(row)
	}
	cw.Flush()
	return cw.Error()
}

func writeTable(w io.Writer, res *metric.Result) error {
	fmt.Fprintf(w, "%s  %s → %s  (by %s)\n\n", res.Metric, res.From, res.To, res.Group)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	keys := make([]string, 0, len(res.Summary))
	for k := range res.Summary {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if res.Previous != nil {
		fmt.Fprintln(tw, "\tvalue\tprevious\tchange\t")
	}
	for _, k := range keys {
		if res.Previous != nil {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\n", k, orDash(formatValue(res.Summary[k])), orDash(formatValue(res.Previous[k])), change(res.Summary[k], res.Previous[k]))
		} else {
			fmt.Fprintf(tw, "%s\t%s\t\n", k, orDash(formatValue(res.Summary[k])))
		}
	}
	tw.Flush()
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, strings.Join(res.Columns, "\t")+"\t")
	for _, pt := range res.Series {
		for _, col := range res.Columns {
			fmt.Fprintf(tw, "%s\t", formatValue(pt[col]))
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}

// orDash shows an undefined figure as a dash in the table.
func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func change(cur, prev float64) string {
	if prev == 0 || math.IsNaN(prev) || math.IsNaN(cur) {
		return "—"
	}
	return fmt.Sprintf("%+.1f%%", (cur-prev)/prev*100)
}

func formatValue(v any) string {
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "" // undefined, e.g. a rate with nothing to divide
		}
		if x == float64(int64(x)) {
			return strconv.FormatInt(int64(x), 10)
		}
		return strconv.FormatFloat(x, 'f', 3, 64)
	case nil:
		return ""
	default:
		return fmt.Sprint(x)
	}
}
