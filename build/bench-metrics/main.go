// Command bench-metrics measures every metric endpoint of the Organization
// and Individual views on the large demo data set, through the real REST
// handler on a loopback HTTP server (routing, query parsing, the metric's
// SQL and JSON encoding all count), and the wall time of a whole page: all
// its panels requested at once, six connections at a time as a browser does.
//
// It generates the data set into -data-dir when it is not there yet (or is
// incomplete) and reuses it otherwise; opening the store migrates it, so a
// new index is in place before the first request. GET /api/v1/health (a
// database round trip and a small JSON answer), measured interleaved with
// the metrics, is the baseline that makes runs on a noisy machine
// comparable: each metric is also reported as a multiple of it.
//
//	bench-metrics -db sqlite   -data-dir DIR [-n 10] [-out result.json]
//	bench-metrics -db embedded -data-dir DIR ...   (as an unprivileged user)
//	bench-metrics report a.json b.json             (one table, engines side by side)
//
// build/bench-metrics.sh runs both engines and writes build/bench-results/.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/momentum-app/momentum/backend/api"
	"github.com/momentum-app/momentum/backend/demo"
	"github.com/momentum-app/momentum/backend/metric"
	"github.com/momentum-app/momentum/backend/store"
)

// Targets of issue 6 ("Fast").
const (
	targetMetricP95 = 100 * time.Millisecond
	targetPage      = time.Second
	// A browser opens at most six HTTP/1.1 connections to one host.
	browserConns = 6
)

// Minimum sizes of a large demo data set; a smaller one is regenerated.
var largeMinimum = map[string]int64{"commits": 1_000_000, "pull_requests": 200_000, "pipeline_runs": 1_000_000}

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	var err error
	if len(os.Args) > 1 && os.Args[1] == "report" {
		err = report(os.Stdout, os.Args[2:])
	} else {
		err = run(log)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench-metrics:", err)
		os.Exit(1)
	}
}

// Result is one engine's run, written as JSON for report.
type Result struct {
	Engine   string    `json:"engine"`
	Date     string    `json:"date"`
	From     string    `json:"from"`
	To       string    `json:"to"`
	N        int       `json:"n"`
	Rows     rowCounts `json:"rows"`
	Baseline Sample    `json:"baseline"`
	Cases    []Sample  `json:"cases"`
	Pages    []Sample  `json:"pages"`
	CPUs     int       `json:"cpus"`
}

type rowCounts map[string]int64

// Sample is the timings of one request (or one page) repeated N times.
type Sample struct {
	Metric  string  `json:"metric"`
	View    string  `json:"view,omitempty"`
	Filter  string  `json:"filter"`
	Compare bool    `json:"compare"`
	Query   string  `json:"query"`
	Bytes   int     `json:"bytes"`
	P50     float64 `json:"p50_ms"`
	P95     float64 `json:"p95_ms"`
	Max     float64 `json:"max_ms"`
	ms      []float64
}

func run(log *slog.Logger) error {
	db := flag.String("db", "sqlite", "engine: sqlite or embedded")
	dir := flag.String("data-dir", "", "data directory holding (or to receive) the large demo data set")
	n := flag.Int("n", 10, "measured iterations of every request")
	warm := flag.Int("warmup", 1, "unmeasured iterations first (caches, plans)")
	days := flag.Int("days", 90, "range length in days, ending on the last day with data")
	group := flag.String("group", "day", "grouping: day, week or month (the dashboard's default is day)")
	only := flag.String("metrics", "", "comma-separated metric IDs to run (default: every metric of both views)")
	out := flag.String("out", "", "write the result as JSON to this file")
	verbose := flag.Bool("v", false, "print every request's time as it is measured")
	flag.Parse()
	if *dir == "" {
		return errors.New("-data-dir is required")
	}
	if *n < 1 {
		return errors.New("-n must be at least 1")
	}
	ctx := context.Background()

	st, err := store.Open(ctx, store.Options{DB: *db, DataDir: *dir, Logger: log})
	if err != nil {
		return err
	}
	defer st.Close()
	if n := st.Notice(); n != "" {
		return fmt.Errorf("not benchmarking a fallback: %s", n)
	}
	rows, err := ensureLarge(ctx, st)
	if err != nil {
		return err
	}

	// The range: the last days of the data set, so that a data set
	// generated days ago still fills it.
	var last int64
	if err := st.DB().QueryRowContext(ctx, `SELECT MAX(authored_at) FROM commits`).Scan(&last); err != nil {
		return fmt.Errorf("unable to find the last commit: %w", err)
	}
	to := time.Unix(last, 0).UTC().Truncate(24 * time.Hour)
	from := to.AddDate(0, 0, -(*days - 1))
	fx, err := pickFilters(ctx, st)
	if err != nil {
		return err
	}

	srv := httptest.NewServer(api.New(st, *dir, log).Handler(nil))
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: browserConns, MaxIdleConnsPerHost: browserConns}}

	base := url.Values{"from": {from.Format("2006-01-02")}, "to": {to.Format("2006-01-02")}, "group": {*group}}
	cases := buildCases(base, fx, *only)
	if len(cases) == 0 {
		return fmt.Errorf("no metric matches -metrics=%s", *only)
	}
	pages := buildPages(base, cases)
	health := &Sample{Metric: "baseline: GET /api/v1/health", Query: "/api/v1/health"}

	res := Result{Engine: string(st.Engine()), Date: time.Now().UTC().Format(time.RFC3339), From: base.Get("from"), To: base.Get("to"),
		N: *n, Rows: rows, CPUs: runtime.NumCPU()}
	fmt.Fprintf(os.Stderr, "bench-metrics: %s, %s … %s, %d requests × %d (+%d warm-up), %d pages\n",
		res.Engine, res.From, res.To, len(cases), *n, *warm, len(pages))

	// Round-robin: every iteration goes through all the requests, with the
	// baseline between each metric, so the machine's load affects all alike.
	for it := -*warm; it < *n; it++ {
		measured := it >= 0
		for i := range cases {
			c := &cases[i]
			d, _, err := timeGet(ctx, client, srv.URL+health.Query, nil)
			if err != nil {
				return err
			}
			if measured {
				health.ms = append(health.ms, d)
			}
			d, size, err := timeGet(ctx, client, srv.URL+c.Query, checkMetric(c.Metric, c.Filter))
			if err != nil {
				return err
			}
			c.Bytes = size
			if *verbose {
				fmt.Fprintf(os.Stderr, "%8.1f ms %6d B %s\n", d, size, c.Query)
			}
			if measured {
				c.ms = append(c.ms, d)
			}
		}
		for i := range pages {
			d, err := timePage(ctx, client, srv.URL, pages[i].panels)
			if err != nil {
				return err
			}
			if *verbose {
				fmt.Fprintf(os.Stderr, "%8.1f ms %s, compare %v\n", d, pages[i].Metric, pages[i].Compare)
			}
			if measured {
				pages[i].ms = append(pages[i].ms, d)
			}
		}
		if measured {
			fmt.Fprintf(os.Stderr, "bench-metrics: %s iteration %d/%d done\n", res.Engine, it+1, *n)
		}
	}

	health.summarise()
	res.Baseline = *health
	for i := range cases {
		cases[i].summarise()
		res.Cases = append(res.Cases, cases[i])
	}
	for i := range pages {
		pages[i].summarise()
		res.Pages = append(res.Pages, pages[i].Sample)
	}
	if *out != "" {
		b, _ := json.MarshalIndent(res, "", " ")
		if err := os.WriteFile(*out, b, 0o644); err != nil {
			return err
		}
	}
	return printTable(os.Stdout, []Result{res})
}

// ensureLarge counts the rows of the data set and generates the large demo
// data when a table is short of its minimum.
func ensureLarge(ctx context.Context, st *store.Store) (rowCounts, error) {
	count := func() (rowCounts, bool, error) {
		rc := rowCounts{}
		ok := true
		for _, t := range []string{"commits", "pull_requests", "pipeline_runs", "pipeline_jobs", "deployments", "pull_request_reviews", "pull_request_comments"} {
			var c int64
			if err := st.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM `+t).Scan(&c); err != nil {
				return nil, false, fmt.Errorf("unable to count %s: %w", t, err)
			}
			rc[t] = c
			if c < largeMinimum[t] {
				ok = false
			}
		}
		return rc, ok, nil
	}
	rc, ok, err := count()
	if err != nil {
		return nil, err
	}
	if ok {
		// The state `momentum demo` leaves a data set in, whenever and by
		// whichever version it was generated.
		return rc, st.Analyze(ctx)
	}
	fmt.Fprintf(os.Stderr, "bench-metrics: the data set is not the large demo (%v); generating it (minutes)\n", rc)
	if _, err := demo.Generate(ctx, st, demo.Options{Scale: demo.Large, Seed: 1, Now: time.Now(), Progress: os.Stderr, Replace: true}); err != nil {
		return nil, err
	}
	rc, ok, err = count()
	if err == nil && !ok {
		err = fmt.Errorf("the large demo data set is smaller than expected: %v", rc)
	}
	return rc, err
}

// filters are the values of the filtered requests: the busiest repository,
// the largest team, the busiest human author, and another person for the
// Individual view (whose unfiltered requests show the person marked as me).
type filters struct {
	repo, team, person, other string
}

func pickFilters(ctx context.Context, st *store.Store) (filters, error) {
	var f filters
	var team int64
	var person, other int64
	err := st.DB().QueryRowContext(ctx, `SELECT r.full_name FROM repositories r
		ORDER BY (SELECT COUNT(*) FROM commits c WHERE c.repo_id = r.id) DESC, r.id LIMIT 1`).Scan(&f.repo)
	if err == nil {
		err = st.DB().QueryRowContext(ctx, `SELECT t.id FROM teams t
			ORDER BY (SELECT COUNT(*) FROM team_members m WHERE m.team_id = t.id) DESC, t.id LIMIT 1`).Scan(&team)
	}
	if err == nil {
		err = st.DB().QueryRowContext(ctx, `SELECT p.id FROM people p WHERE NOT p.is_bot AND NOT p.is_me
			ORDER BY (SELECT COUNT(*) FROM pull_requests pr WHERE pr.person_id = p.id) DESC, p.id LIMIT 1`).Scan(&person)
	}
	if err == nil {
		err = st.DB().QueryRowContext(ctx, `SELECT p.id FROM people p WHERE NOT p.is_bot AND NOT p.is_me AND p.id <> $1
			ORDER BY (SELECT COUNT(*) FROM pull_requests pr WHERE pr.person_id = p.id) DESC, p.id LIMIT 1`, person).Scan(&other)
	}
	if err != nil {
		return f, fmt.Errorf("unable to choose the filters: %w", err)
	}
	f.team, f.person, f.other = strconv.FormatInt(team, 10), strconv.FormatInt(person, 10), strconv.FormatInt(other, 10)
	return f, nil
}

// buildCases lists every request: each metric of both views, without and
// with each filter that applies, with and without the previous period.
func buildCases(base url.Values, fx filters, only string) []Sample {
	want := map[string]bool{}
	for _, id := range strings.Split(only, ",") {
		if id = strings.TrimSpace(id); id != "" {
			want[id] = true
		}
	}
	var out []Sample
	for _, d := range metric.All() {
		if !d.Available || (len(want) > 0 && !want[d.ID]) {
			continue
		}
		type filter struct{ name, key, value string }
		fs := []filter{{"none", "", ""}, {"repo", "repo", fx.repo}, {"team", "team", fx.team}, {"person", "person", fx.person}}
		if d.View == "individual" {
			// Without a person the Individual view shows the person marked
			// as me; a team is not a filter there.
			fs = []filter{{"none (me)", "", ""}, {"person", "person", fx.other}, {"person+repo", "person", fx.other}}
		}
		for _, f := range fs {
			for _, compare := range []bool{false, true} {
				q := url.Values{}
				for k, v := range base {
					q[k] = v
				}
				if f.key != "" {
					q.Set(f.key, f.value)
				}
				if f.name == "person+repo" {
					q.Set("repo", fx.repo)
				}
				if compare {
					q.Set("compare", "true")
				}
				out = append(out, Sample{Metric: d.ID, View: d.View, Filter: f.name, Compare: compare,
					Query: "/api/v1/metrics/" + d.ID + "?" + q.Encode()})
			}
		}
	}
	return out
}

type page struct {
	Sample
	panels []string
}

// buildPages is each view's page, unfiltered, with and without the
// previous period: all its metrics requested at once.
func buildPages(base url.Values, cases []Sample) []page {
	var out []page
	for _, view := range []string{"organization", "individual"} {
		for _, compare := range []bool{false, true} {
			p := page{Sample: Sample{Metric: "page: " + view, View: view, Filter: "none", Compare: compare}}
			for _, c := range cases {
				if c.View == view && c.Compare == compare && strings.HasPrefix(c.Filter, "none") {
					p.panels = append(p.panels, c.Query)
				}
			}
			if len(p.panels) > 0 {
				p.Query = fmt.Sprintf("%d panels at once", len(p.panels))
				out = append(out, p)
			}
		}
	}
	return out
}

// timeGet fetches u and reads the whole answer: ms until the last byte,
// and its size. check, when set, validates the decoded answer (outside the
// timing), so a benchmark of errors or empty answers fails loudly.
func timeGet(ctx context.Context, c *http.Client, u string, check func([]byte) error) (float64, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, 0, err
	}
	start := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		return 0, 0, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	elapsed := float64(time.Since(start).Microseconds()) / 1000
	if err != nil {
		return 0, 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, 0, fmt.Errorf("GET %s: %s: %s", u, resp.Status, strings.TrimSpace(string(body)))
	}
	if check != nil {
		if err := check(body); err != nil {
			return 0, 0, fmt.Errorf("GET %s: %w", u, err)
		}
	}
	return elapsed, len(body), nil
}

// checkMetric asserts an answer is the metric asked for with figures in it:
// a series for the range and, unfiltered, some non-zero figure (the demo
// data fill every metric).
func checkMetric(id, filter string) func([]byte) error {
	return func(body []byte) error {
		var r struct {
			Metric  string              `json:"metric"`
			Summary map[string]*float64 `json:"summary"`
			Series  []json.RawMessage   `json:"series"`
		}
		if err := json.Unmarshal(body, &r); err != nil {
			return fmt.Errorf("not a metric answer: %w", err)
		}
		if r.Metric != id || len(r.Series) == 0 || len(r.Summary) == 0 {
			return fmt.Errorf("answer for %q has %d series points and %d figures", r.Metric, len(r.Series), len(r.Summary))
		}
		if strings.HasPrefix(filter, "none") {
			for _, v := range r.Summary {
				if v != nil && *v != 0 {
					return nil
				}
			}
			return errors.New("every figure is zero or null on the large demo data")
		}
		return nil
	}
}

// timePage requests all panels at once and returns the ms until the last
// one has arrived.
func timePage(ctx context.Context, c *http.Client, base string, panels []string) (float64, error) {
	start := time.Now()
	errs := make(chan error, len(panels))
	var wg sync.WaitGroup
	for _, p := range panels {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := timeGet(ctx, c, base+p, nil)
			errs <- err
		}()
	}
	wg.Wait()
	elapsed := float64(time.Since(start).Microseconds()) / 1000
	close(errs)
	for err := range errs {
		if err != nil {
			return 0, err
		}
	}
	return elapsed, nil
}

func (s *Sample) summarise() {
	v := append([]float64(nil), s.ms...)
	sort.Float64s(v)
	s.P50, s.P95, s.Max = quantile(v, 0.5), quantile(v, 0.95), v[len(v)-1]
}

// quantile interpolates linearly between the closest ranks of sorted v.
func quantile(v []float64, q float64) float64 {
	pos := q * float64(len(v)-1)
	lo := int(pos)
	if lo+1 >= len(v) {
		return v[len(v)-1]
	}
	return v[lo] + (pos-float64(lo))*(v[lo+1]-v[lo])
}

// report prints the results of several runs (engines) side by side.
func report(w io.Writer, files []string) error {
	if len(files) == 0 {
		return errors.New("report: give the JSON files of the runs")
	}
	var rs []Result
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		var r Result
		if err := json.Unmarshal(b, &r); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		rs = append(rs, r)
	}
	return printTable(w, rs)
}

// printTable writes a Markdown table: one row per request, p50 and p95 per
// engine and p50 as a multiple of the engine's baseline; pages last.
func printTable(w io.Writer, rs []Result) error {
	fmt.Fprintf(w, "## Metric endpoints, %d-day range, large demo data\n\n", days(rs[0]))
	for _, r := range rs {
		fmt.Fprintf(w, "- %s: %s … %s, %d iterations (+ warm-up), %d CPUs, %s; rows: %s\n", r.Engine, r.From, r.To, r.N, r.CPUs, r.Date, r.Rows)
	}
	fmt.Fprintf(w, "\nms through the HTTP handler (JSON included); ×base = p50 ÷ the engine's baseline p50; ✗ = p95 over %d ms.\n\n", targetMetricP95.Milliseconds())
	head := "| metric | filter | compare | KB |"
	rule := "|---|---|---|---:|"
	for _, r := range rs {
		head += fmt.Sprintf(" %s p50 | p95 | ×base |", r.Engine)
		rule += "---:|---:|---:|"
	}
	fmt.Fprintln(w, head)
	fmt.Fprintln(w, rule)
	row := func(s Sample, get func(Result) (Sample, bool), target time.Duration, baseRatio bool) {
		line := fmt.Sprintf("| %s | %s | %s | %s |", s.Metric, s.Filter, yesNo(s.Compare), kb(s.Bytes))
		for _, r := range rs {
			x, ok := get(r)
			if !ok {
				line += " – | – | – |"
				continue
			}
			mark := ""
			if x.P95 > float64(target.Milliseconds()) {
				mark = " ✗"
			}
			ratio := "–"
			if baseRatio && r.Baseline.P50 > 0 {
				ratio = fmt.Sprintf("%.0f", x.P50/r.Baseline.P50)
			}
			line += fmt.Sprintf(" %.1f | %.1f%s | %s |", x.P50, x.P95, mark, ratio)
		}
		fmt.Fprintln(w, line)
	}
	find := func(list func(Result) []Sample, s Sample) func(Result) (Sample, bool) {
		return func(r Result) (Sample, bool) {
			for _, x := range list(r) {
				if x.Metric == s.Metric && x.Filter == s.Filter && x.Compare == s.Compare {
					return x, true
				}
			}
			return Sample{}, false
		}
	}
	cases := func(r Result) []Sample { return r.Cases }
	pages := func(r Result) []Sample { return r.Pages }
	row(rs[0].Baseline, func(r Result) (Sample, bool) { return r.Baseline, true }, targetMetricP95, true)
	for _, s := range rs[0].Cases {
		row(s, find(cases, s), targetMetricP95, true)
	}
	fmt.Fprintf(w, "\nWhole page: all panels at once, %d connections (a browser's limit per host); ✗ = p95 over %d ms.\n\n", browserConns, targetPage.Milliseconds())
	fmt.Fprintln(w, head)
	fmt.Fprintln(w, rule)
	for _, s := range rs[0].Pages {
		s.Filter = s.Query
		row(s, func(r Result) (Sample, bool) {
			x, ok := find(pages, Sample{Metric: s.Metric, Filter: "none", Compare: s.Compare})(r)
			x.Filter = x.Query
			return x, ok
		}, targetPage, true)
	}

	// The slowest request of each metric per engine, against the target.
	fmt.Fprintf(w, "\nWorst p95 per metric (ms):\n\n| metric |")
	for _, r := range rs {
		fmt.Fprintf(w, " %s |", r.Engine)
	}
	fmt.Fprint(w, "\n|---|")
	for range rs {
		fmt.Fprint(w, "---:|")
	}
	fmt.Fprintln(w)
	var ids []string
	seen := map[string]bool{}
	for _, s := range rs[0].Cases {
		if !seen[s.Metric] {
			seen[s.Metric] = true
			ids = append(ids, s.Metric)
		}
	}
	for _, id := range ids {
		fmt.Fprintf(w, "| %s |", id)
		for _, r := range rs {
			worst, where := math.Inf(-1), ""
			for _, s := range r.Cases {
				if s.Metric == id && s.P95 > worst {
					worst, where = s.P95, s.Filter
					if s.Compare {
						where += ", compare"
					}
				}
			}
			mark := ""
			if worst > float64(targetMetricP95.Milliseconds()) {
				mark = " ✗"
			}
			fmt.Fprintf(w, " %.1f%s (%s) |", worst, mark, where)
		}
		fmt.Fprintln(w)
	}
	return nil
}

func days(r Result) int {
	from, err1 := time.Parse("2006-01-02", r.From)
	to, err2 := time.Parse("2006-01-02", r.To)
	if err1 != nil || err2 != nil {
		return 0
	}
	return int(to.Sub(from).Hours()/24) + 1
}

func (rc rowCounts) String() string {
	keys := make([]string, 0, len(rc))
	for k := range rc {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, rc[k])
	}
	return strings.Join(parts, ", ")
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func kb(n int) string {
	if n == 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f", float64(n)/1024)
}
