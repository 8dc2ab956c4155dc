package metric

import (
	"context"
	"fmt"
)

// Focus sessions: a run of the person's commits at most focusGap apart;
// a session lasts from its first commit to its last plus focusLead, the
// work before the first commit that no commit shows.
const (
	focusGap  = 2 * 3600
	focusLead = 30 * 60
)

var focusBounds = []bound{{"<1h", 1}, {"1-2h", 2}, {"2-4h", 4}, {"4-6h", 6}, {"≥6h", 0}}

// HeatCell is one hour of one weekday in the 24×7 heatmap.
type HeatCell struct {
	Weekday string  `json:"weekday"` // Mon .. Sun
	Hour    int     `json:"hour"`    // 0 .. 23, local
	Commits float64 `json:"commits"`
}

// WeekdayCount is one day of the weekday distribution.
type WeekdayCount struct {
	Weekday string  `json:"weekday"`
	Commits float64 `json:"commits"`
	Share   float64 `json:"share"`
}

// HourCount is one hour of the daily rhythm.
type HourCount struct {
	Hour    int     `json:"hour"`
	Commits float64 `json:"commits"`
	Share   float64 `json:"share"`
	// PerActiveDay is the hour's commits ÷ the active days of the range.
	PerActiveDay float64 `json:"per_active_day"`
}

func personPatterns(ctx context.Context, q *querier, p Period) (*Values, error) {
	who, err := q.subject(ctx, p)
	if err != nil {
		return nil, err
	}
	commits, err := q.commitsOf(ctx, p, who, p.Start(), p.End(), true)
	if err != nil {
		return nil, err
	}
	n := float64(len(commits))

	var heat [7][24]float64
	var weekdays [7]float64
	var hours [24]float64
	byDay := map[int]float64{}
	for _, c := range commits {
		heat[c.weekday][c.hourOfDay]++
		weekdays[c.weekday]++
		hours[c.hourOfDay]++
		byDay[c.day]++
	}
	activeDays := float64(len(byDay))
	cells := make([]HeatCell, 0, 7*24)
	for wd := range 7 {
		for h := range 24 {
			cells = append(cells, HeatCell{Weekday: weekdayNames[wd], Hour: h, Commits: heat[wd][h]})
		}
	}
	wdTable := make([]WeekdayCount, 7)
	for wd := range 7 {
		wdTable[wd] = WeekdayCount{Weekday: weekdayNames[wd], Commits: weekdays[wd], Share: ratio(weekdays[wd], n)}
	}
	rhythm := make([]HourCount, 24)
	for h := range 24 {
		rhythm[h] = HourCount{Hour: h, Commits: hours[h], Share: ratio(hours[h], n), PerActiveDay: ratio(hours[h], activeDays)}
	}

	// Focus sessions, in real (UTC) time: a flight across time zones does not
	// stretch or shrink one. A session belongs to its first commit's local day.
	sessionHours := map[int]float64{}
	sessionCount := map[int]float64{}
	var lengths []float64
	for i := 0; i < len(commits); {
		j := i
		for j+1 < len(commits) && commits[j+1].at-commits[j].at <= focusGap {
			j++
		}
		h := float64(commits[j].at-commits[i].at+focusLead) / 3600
		lengths = append(lengths, h)
		sessionHours[commits[i].day] += h
		sessionCount[commits[i].day]++
		i = j + 1
	}
	var focusTotal, longest float64
	for _, h := range lengths {
		focusTotal += h
		longest = max(longest, h)
	}

	// Context switching: within a local day, in commit order, each commit whose
	// context — its pull request, or its repository when it belongs to none —
	// differs from the one before is a switch.
	// Commits are in real-time order, the order the work was done.
	switches := map[int]float64{}
	for i := 1; i < len(commits); i++ {
		c, prev := commits[i], commits[i-1]
		if c.day == prev.day && contextOf(c) != contextOf(prev) {
			switches[c.day]++
		}
	}
	nSwitches := sum(switches)

	days := float64(daysBetween(p.From, p.To) + 1)
	d := distributionOf(lengths)
	ok := len(lengths) > 0
	fields := []string{"commits", "focus_hours", "focus_sessions", "context_switches"}
	return &Values{
		Summary: map[string]float64{
			"commits":                         n,
			"active_days":                     activeDays,
			"focus_sessions":                  float64(len(lengths)),
			"focus_hours":                     focusTotal,
			"focus_hours_per_week":            focusTotal / days * 7,
			"focus_session_mean_hours":        nanUnless(d.mean, ok),
			"focus_session_median_hours":      nanUnless(d.p50, ok),
			"focus_session_p75_hours":         nanUnless(d.p75, ok),
			"focus_session_p95_hours":         nanUnless(d.p95, ok),
			"longest_focus_session_hours":     nanUnless(longest, ok),
			"context_switches":                nSwitches,
			"context_switches_per_active_day": nanUnless(ratio(nSwitches, activeDays), activeDays > 0),
		},
		Series:  newBuckets(p).series(fields, byDay, sessionHours, sessionCount, switches),
		Columns: append([]string{"bucket"}, fields...),
		Tables: map[string]any{
			"heatmap":        cells,
			"weekdays":       wdTable,
			"rhythm":         rhythm,
			"focus_sessions": histogram(lengths, focusBounds),
		},
	}, nil
}

// contextOf is what a commit was about: its pull request, else its repository.
func contextOf(c personCommit) string {
	if c.prID != 0 {
		return fmt.Sprintf("pr:%d", c.prID)
	}
	return fmt.Sprintf("repo:%d", c.repo)
}
