package demo

import (
	"fmt"
	"slices"
	"time"
)

var (
	ticketTypes   = []string{"Story", "Story", "Story", "Bug", "Bug", "Task", "Task", "Spike"}
	priorities    = []string{"Highest", "High", "Medium", "Medium", "Medium", "Low", "Lowest"}
	storyPoints   = []float64{1, 2, 3, 3, 5, 5, 8, 13}
	ticketVerbs   = []string{"Support", "Fix", "Improve", "Add", "Remove", "Investigate", "Migrate", "Document"}
	ticketObjects = []string{"SSO for enterprise accounts", "refund emails", "search filters", "slow dashboard load", "invoice numbering",
		"mobile push opt-in", "CSV export of orders", "rate limit headers", "audit log retention", "coverage on payments",
		"flaky checkout e2e", "warehouse freshness alerts", "dark mode", "onboarding checklist", "API pagination", "GDPR export"}
	sprintGoals = []string{"Ship the new checkout", "Reduce p95 latency", "Close top customer bugs", "Prepare the SOC 2 audit",
		"Finish the Postgres upgrade", "Launch partner API v2", "Cut CI time in half", "Stabilise nightly e2e"}
)

const (
	toDo       = "To Do"
	inProgress = "In Progress"
	inReview   = "In Review"
	done       = "Done"
)

var statusCategory = map[string]string{toDo: "todo", inProgress: "in_progress", inReview: "in_progress", done: "done"}

// makePlanning writes a Jira-like scrum board per team: two-week sprints
// over the whole history (the current one active, the next one planned) and
// tickets that move To Do → In Progress → In Review → Done.
func (g *gen) makePlanning() {
	// Sprints start on Mondays.
	first := g.day0
	for first.Weekday() != time.Monday {
		first = first.AddDate(0, 0, 1)
	}
	for ti, tm := range g.teams {
		if len(tm.members) == 0 {
			continue
		}
		key := tm.def.key
		tm.boardID = g.t.boards.id()
		g.w.add(g.t.boards, tm.boardID, demoSource, fmt.Sprint(100+ti), tm.def.name+" board", key, "scrum",
			fmt.Sprintf("https://acme.atlassian.net/jira/software/projects/%s/boards/%d", key, 100+ti))
		number := 0
		for s := 0; ; s++ {
			st := first.AddDate(0, 0, 14*s).Unix() + 8*3600
			en := st + 14*86400 - 9*3600
			if st > g.now+14*86400 {
				break
			}
			state := "closed"
			switch {
			case st > g.now:
				state = "future"
			case en > g.now:
				state = "active"
			}
			r := g.itemRand(streamSprint, ti, s, 0)
			sid := g.t.sprints.id()
			var startedV, completedV any
			if state != "future" {
				startedV = st
			}
			if done := en + int64(r.IntN(4*3600)); state == "closed" {
				completedV = done
			}
			g.w.add(g.t.sprints, sid, tm.boardID, demoSource, fmt.Sprintf("%d%04d", 7+ti, s), fmt.Sprintf("%s Sprint %d", key, s+1),
				state, pick(r, sprintGoals), startedV, en, completedV)
			for range r.poisson(float64(len(tm.members)) * g.plan.ticketsPerDev) {
				number++
				g.ticket(g.itemRand(streamTicket, ti, number, 0), tm, sid, key, number, st, en, state)
			}
		}
		// A backlog outside any sprint.
		for range len(tm.members) * 2 {
			number++
			r := g.itemRand(streamTicket, ti, number, 0)
			g.ticket(r, tm, 0, key, number, g.start+int64(r.IntN(g.plan.days*86400)), 0, "future")
		}
		slices.SortStableFunc(tm.tickets, func(a, b ticketRef) int { return int(a.created - b.created) })
	}
}

func (g *gen) ticket(r rnd, tm *team, sprintID int64, key string, number int, st, en int64, state string) {
	assignee := tm.members[newWeighted(activities(tm.members)).pick(r)]
	reporter := tm.members[r.IntN(len(tm.members))]
	created := reporter.when(r, st-r.secs(5*86400, 1.0))
	if sprintID == 0 {
		created = reporter.when(r, st)
	}
	if created > g.now {
		return
	}
	id := g.t.tickets.id()
	k := fmt.Sprintf("%s-%d", key, number)
	tm.tickets = append(tm.tickets, ticketRef{created: created, key: k})
	typ := pick(r, ticketTypes)
	var points any
	if typ != "Bug" || r.chance(0.3) {
		points = pick(r, storyPoints)
	}
	type move struct {
		from, to string
		t        int64
	}
	var moves []move
	if sprintID != 0 && state != "future" {
		t := assignee.when(r, max(created+600, st+int64(r.IntN(int(max(1, (en-st)*2/3))))))
		moves = append(moves, move{toDo, inProgress, t})
		t = assignee.when(r, t+r.secs(1.5*86400, 0.9))
		moves = append(moves, move{inProgress, inReview, t})
		if r.chance(0.15) { // sent back
			t = assignee.when(r, t+r.secs(5*3600, 1.0))
			moves = append(moves, move{inReview, inProgress, t})
			t = assignee.when(r, t+r.secs(8*3600, 1.0))
			moves = append(moves, move{inProgress, inReview, t})
		}
		if !r.chance(0.08) { // some never get done
			t = assignee.when(r, t+r.secs(0.6*86400, 1.0))
			moves = append(moves, move{inReview, done, t})
		}
	}
	status, updated := toDo, created
	var resolved any
	var rows [][]any
	for _, m := range moves {
		if m.t > g.now {
			break
		}
		status, updated = m.to, m.t
		if m.to == done {
			resolved = m.t
		}
		rows = append(rows, []any{g.t.transitions.id(), id, fmt.Sprint(g.nextExternal()), m.from, m.to, statusCategory[m.to], assignee.jiraAcc, m.t})
	}
	var sprintV any
	if sprintID != 0 {
		sprintV = sprintID
	}
	g.w.add(g.t.tickets, id, demoSource, fmt.Sprint(10_000+id), k, key, tm.boardID, sprintV,
		fmt.Sprintf("%s %s", pick(r, ticketVerbs), pick(r, ticketObjects)), typ, status, statusCategory[status],
		pick(r, priorities), assignee.jiraAcc, assignee.id, reporter.jiraAcc, points,
		"https://acme.atlassian.net/browse/"+k, created, updated, resolved)
	for _, row := range rows {
		g.w.add(g.t.transitions, row...)
	}
}

func activities(ps []*person) []float64 {
	w := make([]float64, len(ps))
	for i, p := range ps {
		w[i] = p.activity
	}
	return w
}
