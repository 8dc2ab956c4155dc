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

// Drill-down: the items behind a figure (pull requests, commits, pipeline
// runs, deployments), chosen by the same rules as the metric that counts
// them, so the rows listed for a bucket are the ones its bar counts.

// ItemsQuery asks for one page of the items of a metric in a range (usually
// one bucket of a chart) under the usual filters.
type ItemsQuery struct {
	Query
	// Kind picks what to list when a metric counts several things (commits,
	// opened or merged PRs ...); "" is the metric's first kind.
	Kind string
	// Weekday (0 Monday … 6 Sunday) and Hour (0–23), UTC, narrow pipeline
	// runs to one cell of the failures heatmap; -1 is any.
	Weekday, Hour int
	// Status narrows open pull requests to one WIP status (drafts,
	// waiting_for_review, in_review, approved); "" is any.
	Status string
	// Pipeline narrows pipeline runs to the pipelines of that name (a box
	// of the duration box plot, a row of the slowest pipelines); Job to the
	// runs in which a job of that name failed (a row of the problematic
	// jobs); Stage to the runs with a failed job in that stage (a slice of
	// the failures-by-stage pie, which names a job by its stage, or by its
	// name when it has none).
	Pipeline, Job, Stage string
	// Reason narrows pipeline runs to those that failed for that reason (a
	// bar of the top failure reasons; "(no reason recorded)" is none).
	Reason string
	// Size narrows commits and pull requests to one bar of a size chart
	// (XS, S, M, L, XL by lines added + removed; merges left out).
	Size string
	// Language narrows commits to those that changed a file of that language.
	Language string
	// Bar narrows to one bar of the kind's histogram (time to merge, cycle
	// time, age of open PRs: "<1h", "1-4h" …).
	Bar           string
	Limit, Offset int
}

// A page holds DefaultItemsLimit items unless the query asks for up to MaxItemsLimit.
const (
	DefaultItemsLimit = 50
	MaxItemsLimit     = 200
)

// ItemColumn describes one field of the listed items, in display order.
// Type tells the UI how to show it: text, datetime (RFC 3339), localtime (a
// time already written in its author's zone), hours, minutes, count,
// status; "url" is the link to the item at its source.
type ItemColumn struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Type  string `json:"type"`
}

// Item is one listed thing: column key → value (null when unknown).
type Item map[string]any

// Items is one page of a drill-down.
type Items struct {
	Metric  string       `json:"metric"`
	Kind    string       `json:"kind"`
	Label   string       `json:"label"`
	From    string       `json:"from"`
	To      string       `json:"to"`
	Columns []ItemColumn `json:"columns"`
	Items   []Item       `json:"items"`
	Total   int          `json:"total"`
	Limit   int          `json:"limit"`
	Offset  int          `json:"offset"`
}

type itemKind struct {
	name, label string
	columns     []ItemColumn
	// bars are the histogram a Bar narrowing picks from (nil: none).
	bars []bound
	// list returns the total and one page; cols are the SQL expressions of
	// the columns when the kind is a plain query (see sqlList).
	list func(ctx context.Context, q *querier, p Period, iq ItemsQuery, k *itemKind) (int, []Item, error)
}

var (
	colRepo   = ItemColumn{"repo", "Repository", "text"}
	colPerson = ItemColumn{"person", "Person", "text"}
	colURL    = ItemColumn{"url", "Link", "url"}
	prColumns = []ItemColumn{{"number", "#", "count"}, {"title", "Title", "text"}, colRepo, colPerson}
	runCols   = []ItemColumn{{"started_at", "Started", "datetime"}, colRepo, {"pipeline", "Pipeline", "text"}, {"number", "Run", "count"},
		{"branch", "Branch", "text"}, {"event", "Event", "text"}, {"status", "Status", "status"}, {"duration_minutes", "Duration", "minutes"},
		{"failure_reason", "Failure reason", "text"}, colPerson, colURL}
)

func cols(groups ...[]ItemColumn) []ItemColumn {
	var out []ItemColumn
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

// itemKinds lists, per metric, what a click on its charts can open.
var itemKinds = map[string][]*itemKind{
	"commit-pr-activity": {
		{name: "commits", label: "Commits", columns: cols([]ItemColumn{{"authored_at", "Authored", "datetime"}, {"sha", "Commit", "text"},
			{"subject", "Subject", "text"}, colRepo, colPerson, {"additions", "Added", "count"}, {"deletions", "Removed", "count"}, colURL}), list: listCommits},
		{name: "prs_opened", label: "Pull requests opened", columns: cols([]ItemColumn{{"created_at", "Opened", "datetime"}}, prColumns,
			[]ItemColumn{{"state", "State", "status"}, {"lines_changed", "Lines changed", "count"}, colURL}), list: listPRs("created_at")},
		{name: "prs_merged", label: "Pull requests merged", columns: cols([]ItemColumn{{"merged_at", "Merged", "datetime"}}, prColumns,
			[]ItemColumn{{"time_to_merge_hours", "Time to merge", "hours"}, {"lines_changed", "Lines changed", "count"}, colURL}), list: listPRs("merged_at"),
			bars: mergeTimeBounds()},
	},
	"deployments": {
		{name: "deployments", label: "Production deployments", columns: []ItemColumn{{"finished_at", "Finished", "datetime"}, colRepo,
			{"environment", "Environment", "text"}, {"status", "Status", "status"}, {"sha", "Commit", "text"}, {"prs", "PRs shipped", "count"},
			{"duration_minutes", "Duration", "minutes"}, colPerson, colURL}, list: listDeployments},
	},
	"cycle-time": {
		{name: "prs_merged", label: "Merged pull requests", columns: cols([]ItemColumn{{"merged_at", "Merged", "datetime"}}, prColumns,
			[]ItemColumn{{"coding_hours", "Coding", "hours"}, {"pickup_hours", "Pickup", "hours"}, {"review_hours", "Review", "hours"},
				{"deploy_hours", "Deploy", "hours"}, {"cycle_time_hours", "Cycle time", "hours"}, colURL}), list: listCycleTime, bars: cycleTimeBounds},
	},
	"wip": {
		{name: "open_prs", label: "Open pull requests", columns: cols([]ItemColumn{{"created_at", "Opened", "datetime"}}, prColumns,
			[]ItemColumn{{"status", "Status", "status"}, {"age_hours", "Age", "hours"}, colURL}), list: listOpenPRs, bars: ageBounds},
	},
	"pipeline-success": {
		{name: "runs", label: "Completed runs", columns: runCols, list: listRuns(`r.status IN ('success', 'failure')`)},
		{name: "failures", label: "Failed runs", columns: runCols, list: listRuns(`r.status = 'failure'`)},
		{name: "cancelled", label: "Cancelled runs", columns: runCols, list: listRuns(`r.status = 'cancelled'`)},
	},
	"pipeline-duration": {
		{name: "runs", label: "Successful runs", columns: runCols, list: listRuns(`r.status = 'success' AND ` + runDuration + ` IS NOT NULL`)},
	},
	"pipeline-failures": {
		{name: "failures", label: "Failed runs", columns: runCols, list: listRuns(`r.status = 'failure'`)},
		{name: "runs", label: "Completed runs", columns: runCols, list: listRuns(`r.status IN ('success', 'failure')`)},
	},
	// The individual metrics list the subject's own items: the people the
	// filters name, or "me" (as the metrics do).
	"person-commits": {
		{name: "commits", label: "Commits", columns: personCommitCols, list: listPersonCommits(false)},
	},
	"person-code": {
		{name: "commits", label: "Commits (merges left out)", columns: personCommitCols, list: listPersonCommits(true)},
	},
	"person-patterns": {
		{name: "commits", label: "Commits", columns: personCommitCols, list: listPersonCommits(false)},
	},
	"person-mrs": {
		{name: "prs_opened", label: "Pull requests opened", columns: cols([]ItemColumn{{"created_at", "Opened", "datetime"}}, prColumns,
			[]ItemColumn{{"state", "State", "status"}, {"lines_changed", "Lines changed", "count"}, colURL}), list: listPersonPRs("created_at", "")},
		{name: "prs_merged", label: "Pull requests merged", columns: cols([]ItemColumn{{"merged_at", "Merged", "datetime"}}, prColumns,
			[]ItemColumn{{"time_to_merge_hours", "Time to merge", "hours"}, {"lines_changed", "Lines changed", "count"}, colURL}), list: listPersonPRs("merged_at", "")},
		{name: "prs_closed", label: "Pull requests closed unmerged", columns: cols([]ItemColumn{{"closed_at", "Closed", "datetime"}}, prColumns,
			[]ItemColumn{{"state", "State", "status"}, {"lines_changed", "Lines changed", "count"}, colURL}), list: listPersonPRs("closed_at", "pr.state = 'closed'")},
	},
	"person-reviews": {
		{name: "reviews", label: "Reviews given", columns: []ItemColumn{{"submitted_at", "Submitted", "datetime"}, {"number", "#", "count"},
			{"title", "Title", "text"}, colRepo, {"author", "PR author", "text"}, {"state", "Review", "status"}, colURL}, list: listPersonReviews},
	},
	"person-reception": {
		{name: "comments", label: "Review comments received", columns: []ItemColumn{{"created_at", "Commented", "datetime"}, {"number", "#", "count"},
			{"title", "Title", "text"}, colRepo, {"reviewer", "Reviewer", "text"}, {"resolved_at", "Resolved", "datetime"}, colURL}, list: listPersonReception},
	},
	"review-quality": {
		{name: "prs_merged", label: "Merged pull requests", columns: cols([]ItemColumn{{"merged_at", "Merged", "datetime"}}, prColumns,
			[]ItemColumn{{"comments", "Comments", "count"}, {"review_comments", "Review comments", "count"}, {"reviews", "Reviews", "count"},
				{"approvals", "Approvals", "count"}, colURL}), list: listReviewed},
	},
}

// ItemKinds names what can be listed for a metric (nil: no drill-down).
func ItemKinds(id string) []string {
	var out []string
	for _, k := range itemKinds[id] {
		out = append(out, k.name)
	}
	return out
}

// Items lists one page of the items behind metric id.
func (e *Engine) Items(ctx context.Context, id string, iq ItemsQuery) (*Items, error) {
	if _, err := Lookup(id); err != nil {
		return nil, err
	}
	kinds := itemKinds[id]
	if len(kinds) == 0 {
		return nil, badQuery("%s has no items to list; drill-down covers %s", id, strings.Join(drillable(), ", "))
	}
	k := kinds[0]
	if iq.Kind != "" {
		k = nil
		for _, c := range kinds {
			if c.name == iq.Kind {
				k = c
			}
		}
		if k == nil {
			return nil, badQuery("kind=%q: %s lists %s", iq.Kind, id, strings.Join(ItemKinds(id), ", "))
		}
	}
	if iq.Limit == 0 {
		iq.Limit = DefaultItemsLimit
	}
	if iq.Limit < 0 || iq.Limit > MaxItemsLimit {
		return nil, badQuery("limit=%d: use 1 to %d", iq.Limit, MaxItemsLimit)
	}
	if iq.Offset < 0 {
		return nil, badQuery("offset=%d: use 0 or more", iq.Offset)
	}
	if iq.Weekday < -1 || iq.Weekday > 6 {
		return nil, badQuery("weekday=%d: use 0 (Monday) to 6 (Sunday)", iq.Weekday)
	}
	if iq.Hour < -1 || iq.Hour > 23 {
		return nil, badQuery("hour=%d: use 0 to 23 (UTC)", iq.Hour)
	}
	personCommits := strings.HasPrefix(id, "person-") && k.name == "commits"
	if (iq.Weekday >= 0 || iq.Hour >= 0) && !strings.HasPrefix(id, "pipeline-") && !personCommits {
		return nil, badQuery("weekday and hour narrow pipeline runs (UTC) or a person's commits (local time); %s lists neither", id)
	}
	if (iq.Pipeline != "" || iq.Job != "" || iq.Stage != "" || iq.Reason != "") && !strings.HasPrefix(id, "pipeline-") {
		return nil, badQuery("pipeline, job, stage and reason narrow pipeline runs; %s lists none", id)
	}
	if iq.Size != "" {
		if k.name != "commits" && !strings.HasPrefix(k.name, "prs_") {
			return nil, badQuery("size narrows commits and pull requests; %s %s are neither", id, k.name)
		}
		if sizeIndex(iq.Size) < 0 {
			return nil, badQuery("size=%q: use XS, S, M, L or XL", iq.Size)
		}
	}
	if iq.Bar != "" {
		if k.bars == nil {
			return nil, badQuery("bar narrows the items of a histogram (time to merge, cycle time, age of open PRs); %s %s have none", id, k.name)
		}
		if barIndex(k.bars, iq.Bar) < 0 {
			return nil, badQuery("bar=%q: %s %s has the bars %s", iq.Bar, id, k.name, strings.Join(barNames(k.bars), ", "))
		}
	}
	if iq.Language != "" && k.name != "commits" {
		return nil, badQuery("language narrows commits; %s %s are not commits", id, k.name)
	}
	if iq.Status != "" {
		if id != "wip" {
			return nil, badQuery("status narrows open pull requests (wip); %s lists none", id)
		}
		if wipStatusIndex(iq.Status) < 0 {
			return nil, badQuery("status=%q: use drafts, waiting_for_review, in_review or approved", iq.Status)
		}
	}
	f, err := e.resolve(ctx, iq.Filter)
	if err != nil {
		return nil, err
	}
	p := Period{From: iq.From, To: iq.To, Group: Day, Filter: f, now: iq.Now}
	total, items, err := k.list(ctx, &querier{db: e.db, postgres: e.postgres}, p, iq, k)
	if err != nil {
		return nil, fmt.Errorf("metric %s: unable to list %s: %w", id, k.name, err)
	}
	if items == nil {
		items = []Item{}
	}
	return &Items{
		Metric: id, Kind: k.name, Label: k.label, From: iq.From.Format(dateLayout), To: iq.To.Format(dateLayout),
		Columns: k.columns, Items: items, Total: total, Limit: iq.Limit, Offset: iq.Offset,
	}, nil
}

func drillable() []string {
	var ids []string
	for id := range itemKinds {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// ParseItemsQuery reads a drill-down request: the metric parameters
// (ParseQuery) plus kind, weekday, hour, status, pipeline, job, stage,
// reason, size, language, bar, limit and offset.
func ParseItemsQuery(get func(string) string, now time.Time) (ItemsQuery, error) {
	q, err := ParseQuery(get, now)
	iq := ItemsQuery{Query: q, Kind: get("kind"), Status: get("status"), Weekday: -1, Hour: -1,
		Pipeline: get("pipeline"), Job: get("job"), Stage: get("stage"), Reason: get("reason"), Size: get("size"), Language: get("language"), Bar: get("bar")}
	if err != nil {
		return iq, err
	}
	for _, f := range []struct {
		name string
		dst  *int
	}{{"weekday", &iq.Weekday}, {"hour", &iq.Hour}, {"limit", &iq.Limit}, {"offset", &iq.Offset}} {
		v := get(f.name)
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return iq, badQuery("%s=%q is not a whole number", f.name, v)
		}
		*f.dst = n
	}
	if get("limit") != "" && iq.Limit == 0 {
		return iq, badQuery("limit=0: use 1 to %d", MaxItemsLimit)
	}
	return iq, nil
}

// sqlPage runs a plain drill-down query: from is "FROM … WHERE …" (args
// bound), exprs the select list in the order of k.columns (an extra leading
// "id" expression may be given with withID), order the ORDER BY.
func (q *querier) sqlPage(ctx context.Context, k *itemKind, iq ItemsQuery, from string, args []any, exprs []string, order string) (int, []Item, error) {
	var total int
	if err := q.db.QueryRowContext(ctx, `SELECT COUNT(*) `+from, args...).Scan(&total); err != nil {
		return 0, nil, err
	}
	if total == 0 || iq.Offset >= total {
		return total, nil, nil
	}
	query := fmt.Sprintf(`SELECT %s %s ORDER BY %s LIMIT %d OFFSET %d`, strings.Join(exprs, ", "), from, order, iq.Limit, iq.Offset)
	var items []Item
	err := q.each(ctx, query, args, func(rows *sql.Rows) error {
		item, err := scanItem(rows, k.columns)
		if err != nil {
			return err
		}
		items = append(items, item)
		return nil
	})
	return total, items, err
}

// scanItem reads one row whose fields follow columns; extra trailing fields
// (internal ids) are scanned into item["_extraN"].
func scanItem(rows *sql.Rows, columns []ItemColumn) (Item, error) {
	names, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	dst := make([]any, len(names))
	for i := range dst {
		t := "count"
		if i < len(columns) {
			t = columns[i].Type
		}
		switch t {
		case "text", "url", "status", "localtime":
			dst[i] = new(sql.NullString)
		case "hours", "minutes":
			dst[i] = new(sql.NullFloat64)
		default:
			dst[i] = new(sql.NullInt64)
		}
	}
	if err := rows.Scan(dst...); err != nil {
		return nil, err
	}
	item := Item{}
	for i, d := range dst {
		key := "_extra" + strconv.Itoa(i-len(columns))
		t := ""
		if i < len(columns) {
			key, t = columns[i].Key, columns[i].Type
		}
		switch v := d.(type) {
		case *sql.NullString:
			item[key] = nullable1(v.String, v.Valid)
		case *sql.NullFloat64:
			item[key] = nullable1(v.Float64, v.Valid)
		case *sql.NullInt64:
			switch {
			case !v.Valid:
				item[key] = nil
			case t == "datetime":
				item[key] = time.Unix(v.Int64, 0).UTC().Format(time.RFC3339)
			default:
				item[key] = v.Int64
			}
		}
	}
	return item, nil
}

func nullable1[T any](v T, ok bool) any {
	if !ok {
		return nil
	}
	return v
}

const (
	personName = `COALESCE(pe.display_name, '')`
	commitURL  = `CASE WHEN r.url <> '' THEN r.url || '/commit/' || c.sha ELSE '' END`
	prLines    = `pr.additions + pr.deletions`
)

func listCommits(ctx context.Context, q *querier, p Period, iq ItemsQuery, k *itemKind) (int, []Item, error) {
	where, args := p.scope("c.authored_at", "c.repo_id", "c.person_id")
	where, args = commitNarrowing(where, args, iq)
	from := `FROM commits c JOIN repositories r ON r.id = c.repo_id LEFT JOIN people pe ON pe.id = c.person_id WHERE ` + where
	return q.sqlPage(ctx, k, iq, from, args, []string{"c.authored_at", "c.sha", "c.subject", "r.full_name", personName,
		"c.additions", "c.deletions", commitURL}, "c.authored_at DESC, c.id DESC")
}

// listPRs lists pull requests by the instant in col (created_at: opened,
// merged_at: merged), as commit-pr-activity counts them.
func listPRs(col string) func(context.Context, *querier, Period, ItemsQuery, *itemKind) (int, []Item, error) {
	return func(ctx context.Context, q *querier, p Period, iq ItemsQuery, k *itemKind) (int, []Item, error) {
		where, args := p.scope("pr."+col, "pr.repo_id", "pr.person_id")
		return q.prPage(ctx, k, iq, col, where, args)
	}
}

// prPage lists the pull requests matching where (bound to args) by the
// instant in col, latest first; the column after the PR's fields is its
// time to merge (merged) or its state (opened, closed).
func (q *querier) prPage(ctx context.Context, k *itemKind, iq ItemsQuery, col, where string, args []any) (int, []Item, error) {
	if iq.Size != "" {
		where += sizeIn(prLines, iq.Size)
	}
	if iq.Bar != "" && col == "merged_at" {
		// Time to merge in hours, negative (clock skew) counted as 0 like the chart.
		where += barIn(k.bars, `(pr.merged_at - pr.created_at) / 3600.0`, iq.Bar)
	}
	from := `FROM pull_requests pr JOIN repositories r ON r.id = pr.repo_id LEFT JOIN people pe ON pe.id = pr.person_id WHERE ` + where
	last := "pr.state"
	if col == "merged_at" {
		last = `CASE WHEN pr.merged_at > pr.created_at THEN (pr.merged_at - pr.created_at) / 3600.0 ELSE 0 END`
	}
	return q.sqlPage(ctx, k, iq, from, args, []string{"pr." + col, "pr.number", "pr.title", "r.full_name", personName,
		last, prLines, "pr.url"}, "pr."+col+" DESC, pr.id DESC")
}

// mergeTimeBounds are the bars of commit-pr-activity's time to merge.
func mergeTimeBounds() []bound {
	out := make([]bound, len(mergeTimeBuckets))
	for i, b := range mergeTimeBuckets {
		out[i] = bound{b.name, b.below}
	}
	return out
}

// barIndex is the position of the bar named name, -1 when there is none.
func barIndex(bars []bound, name string) int {
	for i, b := range bars {
		if b.name == name {
			return i
		}
	}
	return -1
}

func barNames(bars []bound) []string {
	out := make([]string, len(bars))
	for i, b := range bars {
		out[i] = b.name
	}
	return out
}

// sizeIndex is the position of a size bar (XS … XL), -1 when unknown.
func sizeIndex(name string) int { return barIndex(commitSizeBounds, name) }

// inBar reports whether v falls in the bar named name, as histogram counts
// it: the first bar has no lower bound, the last no upper one.
func inBar(bars []bound, name string, v float64) bool {
	i := barIndex(bars, name)
	return i >= 0 && (i == 0 || v >= bars[i-1].below) && (bars[i].below == 0 || v < bars[i].below)
}

// barIn is " AND expr in the bar named name" (a known bar), as inBar.
func barIn(bars []bound, expr, name string) string {
	i := barIndex(bars, name)
	var cond string
	if i > 0 {
		cond += fmt.Sprintf(" AND %s >= %v", expr, bars[i-1].below)
	}
	if up := bars[i].below; up > 0 {
		cond += fmt.Sprintf(" AND %s < %v", expr, up)
	}
	return cond
}

// sizeIn is " AND expr in the size bar's range of lines" (a known bar).
func sizeIn(expr, name string) string { return barIn(commitSizeBounds, expr, name) }

// commitNarrowing adds the size bar (merges left out, as the size chart
// counts them) and the language of a changed file to a commits query.
func commitNarrowing(where string, args []any, iq ItemsQuery) (string, []any) {
	if iq.Size != "" {
		where += " AND NOT c.is_merge" + sizeIn("c.additions + c.deletions", iq.Size)
	}
	if iq.Language != "" {
		args = append(args, iq.Language)
		where += fmt.Sprintf(" AND EXISTS (SELECT 1 FROM commit_files f WHERE f.commit_id = c.id AND f.language = $%d)", len(args))
	}
	return where, args
}

func listDeployments(ctx context.Context, q *querier, p Period, iq ItemsQuery, k *itemKind) (int, []Item, error) {
	where, args := p.scope("d.finished_at", "d.repo_id", "")
	from := `FROM deployments d LEFT JOIN repositories r ON r.id = d.repo_id LEFT JOIN people pe ON pe.id = d.person_id
		WHERE d.is_production AND d.status IN ('success', 'failure') AND ` + where + p.shippedBy()
	return q.sqlPage(ctx, k, iq, from, args, []string{"d.finished_at", "COALESCE(r.full_name, '')", "d.environment", "d.status", "d.commit_sha",
		`(SELECT COUNT(*) FROM deployment_pull_requests dp WHERE dp.deployment_id = d.id)`,
		`CASE WHEN d.finished_at >= d.created_at THEN (d.finished_at - d.created_at) / 60.0 END`, personName, "d.url"},
		"d.finished_at DESC, d.id DESC")
}

// listCycleTime lists merged pull requests with their stages, by the rules
// of cycleTime (stages a PR did not go through are null).
func listCycleTime(ctx context.Context, q *querier, p Period, iq ItemsQuery, k *itemKind) (int, []Item, error) {
	where, args := p.scope("pr.merged_at", "pr.repo_id", "pr.person_id")
	bots := p.humans("pr.person_id")
	start := `COALESCE(pr.first_commit_at, pr.created_at)`
	if iq.Bar != "" {
		where += barIn(k.bars, `CASE WHEN pr.merged_at > `+start+` THEN (pr.merged_at - `+start+`) / 3600.0 ELSE 0 END`, iq.Bar)
	}
	from := `FROM pull_requests pr JOIN repositories r ON r.id = pr.repo_id LEFT JOIN people pe ON pe.id = pr.person_id WHERE ` + where + bots
	const ready = `CASE WHEN COALESCE(pr.ready_at, pr.created_at) > pr.created_at THEN pr.ready_at ELSE pr.created_at END`
	const reviewed = `pr.first_review_at IS NOT NULL AND pr.first_review_at <= pr.merged_at`
	total, items, err := q.sqlPage(ctx, k, iq, from, args, []string{
		"pr.merged_at", "pr.number", "pr.title", "r.full_name", personName,
		`CASE WHEN pr.first_commit_at IS NULL THEN NULL WHEN pr.created_at > pr.first_commit_at THEN (pr.created_at - pr.first_commit_at) / 3600.0 ELSE 0 END`,
		`CASE WHEN NOT (` + reviewed + `) THEN NULL WHEN pr.first_review_at > ` + ready + ` THEN (pr.first_review_at - ` + ready + `) / 3600.0 ELSE 0 END`,
		`CASE WHEN NOT (` + reviewed + `) THEN NULL ELSE (pr.merged_at - pr.first_review_at) / 3600.0 END`,
		`NULL`,
		`CASE WHEN pr.merged_at > ` + start + ` THEN (pr.merged_at - ` + start + `) / 3600.0 ELSE 0 END`,
		"pr.url", "pr.id", "pr.merged_at",
	}, "pr.merged_at DESC, pr.id DESC")
	if err != nil || len(items) == 0 {
		return total, items, err
	}
	deployed, err := q.deployedAfterMerge(ctx, p, bots)
	if err != nil {
		return 0, nil, err
	}
	for _, it := range items {
		id, merged := it["_extra0"].(int64), it["_extra1"].(int64)
		if at, ok := deployed[id]; ok {
			it["deploy_hours"] = hoursBetween(merged, at)
		}
		delete(it, "_extra0")
		delete(it, "_extra1")
	}
	return total, items, nil
}

func wipStatusIndex(s string) int {
	for i, st := range wipStatuses {
		if st.id == s {
			return i
		}
	}
	return -1
}

// listOpenPRs lists the pull requests open at the end of the range (or
// now), oldest first, with their status by the rules of wip.
func listOpenPRs(ctx context.Context, q *querier, p Period, iq ItemsQuery, k *itemKind) (int, []Item, error) {
	asOf := p.AsOf()
	t := asOf - 1
	filter := p.repoIn("pr.repo_id") + p.personIn("pr.person_id") + p.humans("pr.person_id")
	type row struct {
		pr   openPR
		item Item
	}
	var all []row
	err := q.each(ctx, `SELECT pr.created_at, pr.number, pr.title, r.full_name, `+personName+`, pr.url,
			pr.is_draft, pr.ready_at, pr.first_review_at, pr.approved_at, pr.closed_at, pr.merged_at
		FROM pull_requests pr JOIN repositories r ON r.id = pr.repo_id LEFT JOIN people pe ON pe.id = pr.person_id
		WHERE pr.created_at <= $1 AND (pr.closed_at IS NULL OR pr.closed_at > $1) AND (pr.merged_at IS NULL OR pr.merged_at > $1)`+filter+`
		ORDER BY pr.created_at, pr.id`, []any{t}, func(rows *sql.Rows) error {
		var created, number int64
		var title, repo, person, url string
		var draft bool
		var ready, review, approved, closed, merged sql.NullInt64
		if err := rows.Scan(&created, &number, &title, &repo, &person, &url, &draft, &ready, &review, &approved, &closed, &merged); err != nil {
			return err
		}
		x := openPR{created: created}
		switch {
		case ready.Valid:
			x.ready = max(ready.Int64, created)
		case !draft:
			x.ready = created
		}
		x.review, x.approved = review.Int64, approved.Int64
		if review.Valid {
			x.review = max(x.review, x.ready)
		}
		if approved.Valid {
			x.approved = max(x.approved, x.review)
		}
		st := x.statusAt(t)
		if st < 0 || (iq.Status != "" && wipStatuses[st].id != iq.Status) {
			return nil
		}
		if iq.Bar != "" && !inBar(k.bars, iq.Bar, hoursBetween(created, asOf)) {
			return nil
		}
		all = append(all, row{x, Item{
			"created_at": time.Unix(created, 0).UTC().Format(time.RFC3339), "number": number, "title": title, "repo": repo,
			"person": person, "status": wipStatuses[st].label, "age_hours": hoursBetween(created, asOf), "url": url,
		}})
		return nil
	})
	if err != nil {
		return 0, nil, err
	}
	var items []Item
	for i := iq.Offset; i < len(all) && i < iq.Offset+iq.Limit; i++ {
		items = append(items, all[i].item)
	}
	return len(all), items, nil
}

// listRuns lists pipeline runs started in the range that match cond, as
// the pipeline metrics count them, optionally in one weekday × hour cell.
func listRuns(cond string) func(context.Context, *querier, Period, ItemsQuery, *itemKind) (int, []Item, error) {
	return func(ctx context.Context, q *querier, p Period, iq ItemsQuery, k *itemKind) (int, []Item, error) {
		where, args := p.runScope(p.Start(), p.End())
		// 1970-01-01 was a Thursday: day 0 is weekday 3 counting from Monday.
		if iq.Weekday >= 0 {
			where += fmt.Sprintf(" AND (r.started_at / 86400 + 3) %% 7 = %d", iq.Weekday)
		}
		if iq.Hour >= 0 {
			where += fmt.Sprintf(" AND (r.started_at %% 86400) / 3600 = %d", iq.Hour)
		}
		if iq.Pipeline != "" {
			args = append(args, iq.Pipeline)
			where += fmt.Sprintf(" AND pl.name = $%d", len(args))
		}
		if iq.Reason != "" {
			reason := iq.Reason
			if reason == noReason {
				reason = ""
			}
			args = append(args, reason)
			where += fmt.Sprintf(" AND r.failure_reason = $%d", len(args))
		}
		// A failed job named Job, or (as the failures-by-stage pie names a
		// job) in stage Stage, or named Stage when it has no stage.
		if iq.Job != "" {
			args = append(args, iq.Job)
			where += fmt.Sprintf(" AND EXISTS (SELECT 1 FROM pipeline_jobs j WHERE j.run_id = r.id AND j.parent_id IS NULL AND j.status = 'failure' AND j.name = $%d)", len(args))
		}
		if iq.Stage != "" {
			args = append(args, iq.Stage)
			where += fmt.Sprintf(" AND EXISTS (SELECT 1 FROM pipeline_jobs j WHERE j.run_id = r.id AND j.parent_id IS NULL AND j.status = 'failure' AND CASE WHEN j.stage <> '' THEN j.stage ELSE j.name END = $%d)", len(args))
		}
		from := `FROM pipeline_runs r JOIN pipelines pl ON pl.id = r.pipeline_id LEFT JOIN repositories rp ON rp.id = r.repo_id
			LEFT JOIN people pe ON pe.id = r.person_id WHERE ` + where + ` AND ` + cond
		return q.sqlPage(ctx, k, iq, from, args, []string{"r.started_at", "COALESCE(rp.full_name, '')", "pl.name", "r.number", "r.branch",
			"r.event", "r.status", runDuration + " / 60.0", "r.failure_reason", personName, "r.url"}, "r.started_at DESC, r.id DESC")
	}
}

// listReviewed lists merged pull requests with what others did on them up
// to the merge, by the rules of reviewQuality.
func listReviewed(ctx context.Context, q *querier, p Period, iq ItemsQuery, k *itemKind) (int, []Item, error) {
	where, args := p.scope("pr.merged_at", "pr.repo_id", "pr.person_id")
	where += p.humans("pr.person_id")
	byOther := func(col string) string {
		return " AND (" + col + " IS NULL OR pr.person_id IS NULL OR " + col + " <> pr.person_id)" + p.humans(col)
	}
	comments := func(extra string) string {
		return `(SELECT COUNT(*) FROM pull_request_comments c WHERE c.pr_id = pr.id AND c.kind <> 'system' AND c.created_at <= pr.merged_at` +
			extra + byOther("c.person_id") + `)`
	}
	reviews := func(extra string) string {
		return `(SELECT COUNT(*) FROM pull_request_reviews rv WHERE rv.pr_id = pr.id AND rv.submitted_at <= pr.merged_at` + extra + byOther("rv.person_id") + `)`
	}
	from := `FROM pull_requests pr JOIN repositories r ON r.id = pr.repo_id LEFT JOIN people pe ON pe.id = pr.person_id WHERE ` + where
	return q.sqlPage(ctx, k, iq, from, args, []string{"pr.merged_at", "pr.number", "pr.title", "r.full_name", personName,
		comments(""), comments(" AND c.kind = 'review'"), reviews(""), reviews(" AND rv.state = 'approved'"), "pr.url"},
		"pr.merged_at DESC, pr.id DESC")
}

// personCommitCols are the columns of a person's commits; "local" is the
// authored time in the author's own time zone, which decides the day,
// weekday and hour the individual charts put a commit in.
var personCommitCols = []ItemColumn{{"authored_at", "Authored (UTC)", "datetime"}, {"local", "Author's time", "localtime"}, {"sha", "Commit", "text"},
	{"subject", "Subject", "text"}, colRepo, {"additions", "Added", "count"}, {"deletions", "Removed", "count"}, {"files", "Files", "count"}, colURL}

// listPersonCommits lists the subject's commits whose local day is in the
// range (as commitsOf selects them), optionally in one local weekday × hour
// cell of the heatmap; noMerges leaves merge commits out (person-code).
func listPersonCommits(noMerges bool) func(context.Context, *querier, Period, ItemsQuery, *itemKind) (int, []Item, error) {
	return func(ctx context.Context, q *querier, p Period, iq ItemsQuery, k *itemKind) (int, []Item, error) {
		who, err := q.subject(ctx, p)
		if err != nil {
			return 0, nil, err
		}
		if len(who) == 0 {
			who = []int64{0} // the filters match nobody: no rows
		}
		where := `c.authored_at >= $1 AND c.authored_at < $2 AND ` + localTime + ` >= $3 AND ` + localTime + ` < $4` +
			idList("c.person_id", who) + p.repoIn("c.repo_id")
		args := []any{p.Start() - maxOffset, p.End() + maxOffset, p.Start(), p.End()}
		if noMerges {
			where += " AND NOT c.is_merge"
		}
		if iq.Weekday >= 0 {
			where += fmt.Sprintf(" AND (%s / 86400 + 3) %% 7 = %d", localTime, iq.Weekday)
		}
		if iq.Hour >= 0 {
			where += fmt.Sprintf(" AND (%s %% 86400) / 3600 = %d", localTime, iq.Hour)
		}
		where, args = commitNarrowing(where, args, iq)
		from := `FROM commits c JOIN repositories r ON r.id = c.repo_id WHERE ` + where
		total, items, err := q.sqlPage(ctx, k, iq, from, args, []string{"c.authored_at", "''", "c.sha", "c.subject", "r.full_name",
			"c.additions", "c.deletions", "c.files_changed", commitURL, "c.author_tz_offset"}, "c.authored_at DESC, c.id DESC")
		for _, it := range items {
			at, _ := time.Parse(time.RFC3339, it["authored_at"].(string))
			offset, _ := it["_extra0"].(int64)
			it["local"] = at.In(time.FixedZone("", int(offset)*60)).Format("Mon 2 Jan 15:04 -07:00")
			delete(it, "_extra0")
		}
		return total, items, err
	}
}

// listPersonPRs lists the subject's pull requests by the instant in col, as
// person-mrs counts them (cond: the closed unmerged ones).
func listPersonPRs(col, cond string) func(context.Context, *querier, Period, ItemsQuery, *itemKind) (int, []Item, error) {
	return func(ctx context.Context, q *querier, p Period, iq ItemsQuery, k *itemKind) (int, []Item, error) {
		who, err := q.subject(ctx, p)
		if err != nil {
			return 0, nil, err
		}
		if len(who) == 0 {
			who = []int64{0}
		}
		where, args := p.scope("pr."+col, "pr.repo_id", "")
		where += idList("pr.person_id", who)
		if cond != "" {
			where += " AND " + cond
		}
		return q.prPage(ctx, k, iq, col, where, args)
	}
}

// listPersonReviews lists the reviews the subject submitted in the range on
// others' pull requests, as person-reviews counts them.
func listPersonReviews(ctx context.Context, q *querier, p Period, iq ItemsQuery, k *itemKind) (int, []Item, error) {
	who, err := q.subject(ctx, p)
	if err != nil {
		return 0, nil, err
	}
	if len(who) == 0 {
		who = []int64{0}
	}
	where, args := p.scope("rv.submitted_at", "pr.repo_id", "")
	from := `FROM pull_request_reviews rv JOIN pull_requests pr ON pr.id = rv.pr_id JOIN repositories r ON r.id = pr.repo_id
		LEFT JOIN people pe ON pe.id = pr.person_id WHERE ` + where + idList("rv.person_id", who) + notBy("pr.person_id", who)
	return q.sqlPage(ctx, k, iq, from, args, []string{"rv.submitted_at", "pr.number", "pr.title", "r.full_name", personName,
		"rv.state", "pr.url"}, "rv.submitted_at DESC, rv.id DESC")
}

// listPersonReception lists the review threads others started in the range
// on the subject's pull requests (bots left out), as person-reception
// counts the comments received.
func listPersonReception(ctx context.Context, q *querier, p Period, iq ItemsQuery, k *itemKind) (int, []Item, error) {
	who, err := q.subject(ctx, p)
	if err != nil {
		return 0, nil, err
	}
	if len(who) == 0 {
		who = []int64{0}
	}
	where, args := p.scope("cm.created_at", "pr.repo_id", "")
	from := `FROM pull_request_comments cm JOIN pull_requests pr ON pr.id = cm.pr_id JOIN repositories r ON r.id = pr.repo_id
		LEFT JOIN people pe ON pe.id = cm.person_id
		WHERE cm.kind = 'review' AND cm.in_reply_to = '' AND ` + where + idList("pr.person_id", who) + notBy("cm.person_id", who) + p.humans("cm.person_id")
	return q.sqlPage(ctx, k, iq, from, args, []string{"cm.created_at", "pr.number", "pr.title", "r.full_name", personName,
		"cm.resolved_at", "pr.url"}, "cm.created_at DESC, cm.id DESC")
}
