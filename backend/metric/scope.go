package metric

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// querier runs a metric's queries; postgres picks the spelling of the few
// that differ between the engines.
type querier struct {
	db       *sql.DB
	postgres bool
	// raw reads the source tables even where a rollup holds the figures
	// (tests compare both paths).
	raw bool
}

// indexedBy is " INDEXED BY name" on SQLite, "" on PostgreSQL: for the few
// reads where SQLite's planner (stat4) prefers a skip-scan of an index that
// needs a table row per result over the covering index name.
func (q *querier) indexedBy(name string) string {
	if q.postgres {
		return ""
	}
	return " INDEXED BY " + name
}

// notIndexed is col with a unary plus on SQLite, which keeps its planner
// from choosing an index on col (an IN list of a team's people) when a
// covering index of the other conditions reads fewer pages; col unchanged
// on PostgreSQL.
func (q *querier) notIndexed(col string) string {
	if q.postgres {
		return col
	}
	return "+" + col
}

// scope is the WHERE clause that puts rows of a table in the period and the
// filters: timeCol in [start, end), and the repository and person columns
// (either may be "" when the table has none). The IDs are integers we
// resolved ourselves, so they are inlined rather than bound.
func (p Period) scope(timeCol, repoCol, personCol string) (string, []any) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s >= $1 AND %s < $2", timeCol, timeCol)
	inList(&b, repoCol, p.Filter.repoIDs)
	inList(&b, personCol, p.Filter.personIDs)
	return b.String(), []any{p.Start(), p.End()}
}

func inList(b *strings.Builder, col string, ids []int64) {
	if col == "" || ids == nil {
		return
	}
	if len(ids) == 0 {
		b.WriteString(" AND 1 = 0")
		return
	}
	fmt.Fprintf(b, " AND %s IN (", col)
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	b.WriteByte(')')
}

// countByDay counts rows per day of the period: day index → count. query
// must select (day index, count) with the period start as $1.
func (q *querier) countByDay(ctx context.Context, query string, args ...any) (map[int]float64, error) {
	rows, err := q.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int]float64{}
	for rows.Next() {
		var day int
		var n float64
		if err := rows.Scan(&day, &n); err != nil {
			return nil, err
		}
		out[day] += n
	}
	return out, rows.Err()
}

// buckets maps the days of a period onto day, ISO week or month buckets.
type buckets struct {
	starts []time.Time // start of each bucket; a first partial bucket starts at its calendar start
	ofDay  []int       // day index → bucket index
}

func newBuckets(p Period) buckets {
	if !p.layoutFrom.IsZero() {
		shift := daysBetween(p.From, p.layoutFrom)
		cur := newBuckets(Period{From: p.layoutFrom, To: p.To.AddDate(0, 0, shift), Group: p.Group})
		for i, s := range cur.starts {
			cur.starts[i] = s.AddDate(0, 0, -shift)
		}
		return cur
	}
	n := daysBetween(p.From, p.To) + 1
	b := buckets{ofDay: make([]int, n)}
	for d := 0; d < n; d++ {
		day := p.From.AddDate(0, 0, d)
		start := bucketStart(day, p.Group)
		if len(b.starts) == 0 || !b.starts[len(b.starts)-1].Equal(start) {
			b.starts = append(b.starts, start)
		}
		b.ofDay[d] = len(b.starts) - 1
	}
	return b
}

func bucketStart(day time.Time, g Group) time.Time {
	switch g {
	case Week:
		wd := (int(day.Weekday()) + 6) % 7 // Monday = 0
		return day.AddDate(0, 0, -wd)
	case Month:
		return time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	return day
}

// series builds one point per bucket from per-day counts of each field.
func (b buckets) series(fields []string, perDay ...map[int]float64) []Point {
	pts := make([]Point, len(b.starts))
	for i, s := range b.starts {
		pt := Point{"bucket": s.Format(dateLayout)}
		for _, f := range fields {
			pt[f] = 0.0
		}
		pts[i] = pt
	}
	for fi, m := range perDay {
		for day, n := range m {
			if day < 0 || day >= len(b.ofDay) {
				continue
			}
			pt := pts[b.ofDay[day]]
			pt[fields[fi]] = pt[fields[fi]].(float64) + n
		}
	}
	return pts
}

func sum(m map[int]float64) float64 {
	var t float64
	for _, v := range m {
		t += v
	}
	return t
}

// distribution summarises durations (hours): mean, median, p75, p95.
type distribution struct{ mean, p50, p75, p95 float64 }

func distributionOf(hours []float64) distribution {
	if len(hours) == 0 {
		return distribution{}
	}
	s := append([]float64(nil), hours...)
	sort.Float64s(s)
	var total float64
	for _, h := range s {
		total += h
	}
	return distribution{
		mean: total / float64(len(s)),
		p50:  percentile(s, 0.50),
		p75:  percentile(s, 0.75),
		p95:  percentile(s, 0.95),
	}
}

// percentile interpolates linearly between closest ranks of sorted values.
func percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	pos := p * float64(len(sorted)-1)
	lo := int(pos)
	if lo+1 >= len(sorted) {
		return sorted[len(sorted)-1]
	}
	frac := pos - float64(lo)
	return sorted[lo] + frac*(sorted[lo+1]-sorted[lo])
}

// ratio is a/b, or 0 when b is 0.
func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// Bucket is one bar of a distribution table.
type Bucket struct {
	Bucket string  `json:"bucket"`
	Count  float64 `json:"count"`
}
