package metric

import (
	"testing"

	"github.com/momentum-app/momentum/backend/store"
	"github.com/momentum-app/momentum/backend/store/storetest"
)

// An excluded repository leaves the figures (unless named in the filter)
// and comes back, history included, when it is included again.
func TestExcludedRepositoriesLeaveTheFigures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		seedActivity(t, st)
		setExcluded := func(v bool) {
			t.Helper()
			if _, err := st.DB().Exec(`UPDATE repositories SET excluded = $1 WHERE full_name = 'acme/web'`, v); err != nil {
				t.Fatal(err)
			}
		}
		figures := func(f Filter) [3]float64 {
			t.Helper()
			s := compute(t, st, Query{Filter: f}).Summary
			return [3]float64{s["commits"], s["prs_opened"], s["prs_merged"]}
		}
		all := figures(Filter{})
		if all != [3]float64{4, 4, 3} {
			t.Fatalf("before excluding: commits, opened, merged = %v, want [4 4 3]", all)
		}

		setExcluded(true)
		cases := []struct {
			name   string
			filter Filter
			want   [3]float64
		}{
			{"no filter", Filter{}, [3]float64{2, 3, 2}},
			{"person", Filter{People: []string{"bob@acme.dev"}}, [3]float64{0, 1, 1}},
			{"team of people", Filter{Teams: []string{"Core"}}, [3]float64{2, 2, 1}},
			{"team of the excluded repository", Filter{Teams: []string{"Web"}}, [3]float64{0, 0, 0}},
			{"the excluded repository by name", Filter{Repos: []string{"acme/web"}}, [3]float64{2, 1, 1}},
		}
		for _, c := range cases {
			if got := figures(c.filter); got != c.want {
				t.Errorf("excluded, %s: commits, opened, merged = %v, want %v", c.name, got, c.want)
			}
		}

		setExcluded(false)
		if got := figures(Filter{}); got != all {
			t.Errorf("included again: %v, want %v", got, all)
		}
	})
}
