// Package metric computes Momentum's metrics from the domain tables. Each
// metric is registered by its ID (see PRODUCT.md); the API and the CLI look
// them up here, so both print the same figures.
package metric

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"time"

	"golang.org/x/sync/errgroup"
)

// Definition describes a metric. Compute is nil for a metric that is listed
// in the product but not built yet.
type Definition struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	View        string `json:"view"`   // organization, individual
	Family      string `json:"family"` // delivery, operational, quality, contribution, collaboration, patterns
	Description string `json:"description"`
	Available   bool   `json:"available"`

	compute func(ctx context.Context, q *querier, p Period) (*Values, error)
}

// Values are the figures of one period.
type Values struct {
	Summary map[string]float64
	// Series holds one point per bucket; Columns names its fields in order.
	Series  []Point
	Columns []string
	Tables  map[string]any
}

// Point is one bucket of a series: "bucket" plus the metric's fields.
type Point map[string]any

// Result is what the API and `momentum metrics --format json` print.
type Result struct {
	Metric         string             `json:"metric"`
	From           string             `json:"from"`
	To             string             `json:"to"`
	Group          string             `json:"group"`
	Summary        map[string]float64 `json:"summary"`
	Previous       map[string]float64 `json:"previous,omitempty"`
	Series         []Point            `json:"series"`
	PreviousSeries []Point            `json:"previous_series,omitempty"`
	Tables         map[string]any     `json:"tables"`
	// Columns orders the series fields for CSV and tables.
	Columns []string `json:"-"`
}

// MarshalJSON writes an undefined figure (NaN: a rate with nothing to
// divide, a median of nothing) as null, which JSON can carry and the UI
// shows as "—", rather than a misleading 0.
func (r Result) MarshalJSON() ([]byte, error) {
	type plain Result
	return json.Marshal(struct {
		plain
		Summary  map[string]*float64 `json:"summary"`
		Previous map[string]*float64 `json:"previous,omitempty"`
	}{plain(r), nullable(r.Summary), nullable(r.Previous)})
}

func nullable(m map[string]float64) map[string]*float64 {
	if m == nil {
		return nil
	}
	out := make(map[string]*float64, len(m))
	for k, v := range m {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			v := v
			out[k] = &v
		} else {
			out[k] = nil
		}
	}
	return out
}

var registry = map[string]*Definition{}
var order []string

func register(d *Definition) {
	if _, dup := registry[d.ID]; dup {
		panic("metric: duplicate ID " + d.ID)
	}
	d.Available = d.compute != nil
	registry[d.ID] = d
	order = append(order, d.ID)
}

// All lists every metric in the product's order.
func All() []Definition {
	out := make([]Definition, 0, len(order))
	for _, id := range order {
		out = append(out, *registry[id])
	}
	return out
}

// ErrUnknown and ErrNotBuilt tell a bad ID from a metric still to come.
var (
	ErrUnknown  = errors.New("unknown metric")
	ErrNotBuilt = errors.New("metric not built yet")
)

// Lookup finds a metric by ID.
func Lookup(id string) (*Definition, error) {
	d, ok := registry[id]
	if !ok {
		ids := append([]string(nil), order...)
		sort.Strings(ids)
		return nil, fmt.Errorf("%w %q; known metrics: %v", ErrUnknown, id, ids)
	}
	return d, nil
}

// Engine computes metrics on one database.
type Engine struct {
	db       *sql.DB
	postgres bool
	raw      bool // see querier.raw
}

// NewEngine returns an Engine on db; postgres selects the PostgreSQL
// spelling of the few queries that differ.
func NewEngine(db *sql.DB, postgres bool) *Engine { return &Engine{db: db, postgres: postgres} }

// Compute runs a metric for the query, with the previous period when asked.
func (e *Engine) Compute(ctx context.Context, id string, q Query) (*Result, error) {
	d, err := Lookup(id)
	if err != nil {
		return nil, err
	}
	if d.compute == nil {
		return nil, fmt.Errorf("%w: %s", ErrNotBuilt, id)
	}
	f, err := e.resolve(ctx, q.Filter)
	if err != nil {
		return nil, err
	}
	qr := &querier{db: e.db, postgres: e.postgres, raw: e.raw}
	cur := Period{From: q.From, To: q.To, Group: q.Group, Filter: f, now: q.Now}
	// The previous period is computed beside the current one: a compare
	// request then takes about as long as a plain one where a core is free.
	var v, pv *Values
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		var err error
		if v, err = d.compute(gctx, qr, cur); err != nil {
			return fmt.Errorf("metric %s: %w", id, err)
		}
		return nil
	})
	if q.Compare {
		g.Go(func() error {
			var err error
			if pv, err = d.compute(gctx, qr, cur.previous()); err != nil {
				return fmt.Errorf("metric %s (previous period): %w", id, err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	res := &Result{
		Metric: id, From: q.From.Format(dateLayout), To: q.To.Format(dateLayout), Group: string(q.Group),
		Summary: v.Summary, Series: v.Series, Tables: v.Tables, Columns: v.Columns,
	}
	if pv != nil {
		res.Previous, res.PreviousSeries = pv.Summary, pv.Series
	}
	return res, nil
}

// previous is the equal-length period just before p.
func (p Period) previous() Period {
	days := daysBetween(p.From, p.To) + 1
	return Period{
		From: p.From.AddDate(0, 0, -days), To: p.From.AddDate(0, 0, -1),
		Group: p.Group, Filter: p.Filter, layoutFrom: p.From,
	}
}

func daysBetween(a, b time.Time) int { return int(b.Sub(a).Hours()/24 + 0.5) }
