package metric

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/momentum-app/momentum/backend/store"
)

// compareRollupWithRaw computes each metric of ids through its rollups and
// through the source tables (raw) for several ranges and groupings ending
// at now, each filter, with and without compare, and fails at the first
// difference. seen receives each query with the raw result, so that a test
// can check the data gave the comparison something to compare.
//
// quick compares the 90-day range by day and by week only (every day of the
// data a test's writes touch is in it): for the checks after each batch of
// writes, when the full set of ranges has been compared before.
func compareRollupWithRaw(t *testing.T, st *store.Store, now time.Time, ids []string, filters []Filter, quick bool, seen func(id string, q Query, want *Result)) {
	t.Helper()
	ctx := context.Background()
	rolled := NewEngine(st.DB(), st.Engine().Postgres())
	raw := NewEngine(st.DB(), st.Engine().Postgres())
	raw.raw = true
	day := func(d int) time.Time { return now.Truncate(24*time.Hour).AddDate(0, 0, d) }
	ranges := []struct {
		from, to time.Time
		group    Group
	}{
		{day(-89), day(0), Day},
		{day(-89), day(0), Week},
		{day(-29), day(0), Month},
		{day(-6), day(0), Day},
		{day(-45), day(-20), Week},
	}
	if quick {
		ranges = ranges[:2]
	}
	for _, id := range ids {
		for _, r := range ranges {
			for _, f := range filters {
				for _, compare := range []bool{false, true} {
					q := Query{From: r.from, To: r.to, Group: r.group, Compare: compare, Filter: f, Now: now}
					want, err := raw.Compute(ctx, id, q)
					if err != nil {
						t.Fatalf("%s raw: %v", id, err)
					}
					got, err := rolled.Compute(ctx, id, q)
					if err != nil {
						t.Fatalf("%s rollup: %v", id, err)
					}
					wj, _ := json.Marshal(want)
					gj, _ := json.Marshal(got)
					if string(wj) != string(gj) {
						var w, g any
						json.Unmarshal(wj, &w)
						json.Unmarshal(gj, &g)
						t.Fatalf("%s %s…%s by %s, filter %+v, compare %v: rollup differs from raw (-raw +rollup):\n%s",
							id, r.from.Format(dateLayout), r.to.Format(dateLayout), r.group, f, compare, cmp.Diff(w, g))
					}
					seen(id, q, want)
				}
			}
		}
	}
}
