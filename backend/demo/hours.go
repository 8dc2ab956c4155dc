package demo

import "time"

// workday is the length of a local working day, in hours.
const workday = 9

// when moves t to a moment p plausibly works at, not before t: t itself if it
// falls in their local working hours, now and then an evening or weekend
// moment, otherwise the start of their next working morning.
func (p *person) when(r rnd, t int64) int64 {
	if p.bot {
		return t
	}
	lt := time.Unix(t, 0).In(p.zone.loc)
	h := float64(lt.Hour()) + float64(lt.Minute())/60
	wd := lt.Weekday()
	weekend := wd == time.Saturday || wd == time.Sunday
	switch {
	case !weekend && h >= p.start && h < p.start+workday:
		return t
	case !weekend && h >= p.start+workday && h < 23.5 && r.chance(p.evening):
		return t
	case weekend && h >= 10 && h < 22 && r.chance(p.weekend):
		return t
	}
	y, m, d := lt.Date()
	if weekend || h >= p.start {
		d++
	}
	for {
		wd := time.Date(y, m, d, 12, 0, 0, 0, p.zone.loc).Weekday()
		if wd != time.Saturday && wd != time.Sunday {
			break
		}
		d++
	}
	minute := int(p.start*60) + r.IntN(100)
	return time.Date(y, m, d, 0, minute, r.IntN(60), 0, p.zone.loc).Unix()
}

// at is a moment on the given UTC calendar day (read as p's local date) in p's
// working hours, or for a weekend day, in the afternoon.
func (p *person) at(r rnd, day time.Time) int64 {
	y, m, d := day.Date()
	if p.bot {
		return time.Date(y, m, d, 2+r.IntN(5), r.IntN(60), r.IntN(60), 0, time.UTC).Unix()
	}
	startMin := int(p.start * 60)
	span := workday * 60
	if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
		startMin, span = 11*60, 9*60
	} else if r.chance(p.evening) {
		startMin, span = int(p.start+workday)*60+60, 4*60 // after dinner
	}
	// Mornings and afternoons, fewer at lunch.
	min := startMin + r.IntN(span)
	if mid := startMin + 4*60; min > mid-30 && min < mid+30 && r.chance(0.6) {
		min += 60
	}
	return time.Date(y, m, d, 0, min, r.IntN(60), 0, p.zone.loc).Unix()
}

// offset is p's offset from UTC at t, in minutes east.
func (p *person) offset(t int64) int {
	if p.bot {
		return 0
	}
	_, off := time.Unix(t, 0).In(p.zone.loc).Zone()
	return off / 60
}

// isAway reports whether p is on holiday in the week of t.
func (g *gen) isAway(p *person, t int64) bool {
	if p.bot || t < g.start {
		return false
	}
	wk := int((t - g.start) / (7 * 86400))
	return wk < len(p.away) && p.away[wk]
}
