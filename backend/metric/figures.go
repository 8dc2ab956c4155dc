package metric

import (
	"context"
	"database/sql"
	"math"
	"strconv"
	"strings"
)

// Helpers the metric families share: reading rows, people-based filtering,
// and the summary and table shapes every metric uses.

// each runs query and calls scan for every row.
func (q *querier) each(ctx context.Context, query string, args []any, scan func(*sql.Rows) error) error {
	return eachRow(ctx, q.db, query, args, scan)
}

// eachRow runs query on db (a *sql.DB or *sql.Tx) and calls scan for every row.
func eachRow(ctx context.Context, db interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, query string, args []any, scan func(*sql.Rows) error) error {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// humans is the condition that leaves bots out of a people-based figure:
// " AND (col IS NULL OR col NOT IN (bots))", or "" when bots are included
// or there are none. A row by an unknown account counts as a person's.
func (p Period) humans(col string) string {
	if len(p.Filter.botIDs) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(" AND (" + col + " IS NULL OR " + col + " NOT IN (")
	for i, id := range p.Filter.botIDs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	b.WriteString("))")
	return b.String()
}

// personIn is " AND col IN (people)" for the person filter, or "".
func (p Period) personIn(col string) string {
	var b strings.Builder
	inList(&b, col, p.Filter.personIDs)
	return b.String()
}

// repoIn is " AND col IN (repositories)" for the repository filter, or "".
func (p Period) repoIn(col string) string {
	var b strings.Builder
	inList(&b, col, p.Filter.repoIDs)
	return b.String()
}

// putDistribution adds name_mean_unit, name_median_unit, name_p75_unit and
// name_p95_unit (name_mean ... without a unit) to a summary; all undefined (NaN, null in JSON) without values.
func putDistribution(s map[string]float64, name, unit string, values []float64) {
	d := distributionOf(values)
	if len(values) == 0 {
		d = distribution{math.NaN(), math.NaN(), math.NaN(), math.NaN()}
	}
	if unit != "" {
		unit = "_" + unit
	}
	s[name+"_mean"+unit] = d.mean
	s[name+"_median"+unit] = d.p50
	s[name+"_p75"+unit] = d.p75
	s[name+"_p95"+unit] = d.p95
}

// rate is a/b for a summary: undefined (NaN, null in JSON) when b is 0,
// so that "nothing to rate" never reads as a rate of 0.
func rate(a, b float64) float64 {
	if b == 0 {
		return math.NaN()
	}
	return a / b
}

// Stat is one row of a per-stage or per-group duration table.
type Stat struct {
	Count  int     `json:"count"`
	Mean   float64 `json:"mean"`
	Median float64 `json:"median"`
	P75    float64 `json:"p75"`
	P95    float64 `json:"p95"`
}

func statOf(values []float64) Stat {
	d := distributionOf(values)
	return Stat{Count: len(values), Mean: d.mean, Median: d.p50, P75: d.p75, P95: d.p95}
}

// bound is one bar of a histogram: values below it (0: no bound).
type bound struct {
	name  string
	below float64
}

// Hour histograms used by several metrics, in order.
var (
	cycleTimeBounds = []bound{{"<1h", 1}, {"1-4h", 4}, {"4-24h", 24}, {"1-3d", 72}, {"3-7d", 168}, {"1-2w", 336}, {"2-4w", 672}, {">4w", 0}}
	ageBounds       = []bound{{"<1d", 24}, {"1-3d", 72}, {"3-7d", 168}, {"7-14d", 336}, {"14-30d", 720}, {">30d", 0}}
)

func histogram(values []float64, bounds []bound) []Bucket {
	out := make([]Bucket, len(bounds))
	for i, b := range bounds {
		out[i].Bucket = b.name
	}
	for _, v := range values {
		for i, b := range bounds {
			if b.below == 0 || v < b.below {
				out[i].Count++
				break
			}
		}
	}
	return out
}

// hoursBetween is (b − a) in hours, floored at 0: platforms' clocks
// disagree by seconds, and a stage never takes negative time.
func hoursBetween(a, b int64) float64 {
	if b < a {
		return 0
	}
	return float64(b-a) / 3600
}

// orNil is v, or nil (JSON null: a gap in a chart) when there is no value.
func orNil(v float64, ok bool) any {
	if !ok {
		return nil
	}
	return v
}

// median of values, nil when there are none.
func medianOrNil(values []float64) any {
	if len(values) == 0 {
		return nil
	}
	return distributionOf(values).p50
}

// meanOrNil of values, nil when there are none.
func meanOrNil(values []float64) any {
	if len(values) == 0 {
		return nil
	}
	return distributionOf(values).mean
}

var weekdayNames = []string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}
