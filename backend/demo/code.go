package demo

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
)

// mainCommit is a commit on a repository's default branch: what CI on main,
// nightly builds and deployments pick up.
type mainCommit struct {
	t      int64
	sha    string
	prID   int64 // the pull request it merged, or 0 for a direct push
	person *person
}

// makeCode writes a repository's history: pull requests with their commits,
// reviews, comments and CI runs; direct pushes; bot updates; then the nightly
// builds and deployments that follow from the default branch.
func (g *gen) makeCode(rp *repo) {
	r := newRand(g.seed, 1000+uint64(rp.idx))
	var totalW float64
	for _, x := range g.repos {
		totalW += x.weight
	}
	end := g.now
	if rp.archivedAt != 0 {
		end = rp.archivedAt
	}
	var main []mainCommit
	for d := 0; d <= g.plan.days; d++ {
		day := g.day0.AddDate(0, 0, d)
		if day.Unix() > end {
			break
		}
		trend := 0.75 + 0.5*float64(d)/float64(g.plan.days)
		wd := day.Weekday()
		weekend := wd == time.Saturday || wd == time.Sunday
		f := 1.0
		if weekend {
			f = 0.06
		}
		lambda := g.plan.prsPerWorkday * rp.weight / totalW * trend * f
		// The repository's stream only draws how many things happen each
		// day; each thing draws from its own stream, so what happens after
		// Now (and is not written) cannot change what happened before it.
		for i := range r.poisson(lambda) {
			ir := g.itemRand(streamPR, rp.idx, d, i)
			a := g.pickAuthor(ir, rp, day)
			g.pullRequest(ir, rp, a, a.at(ir, day), end, &main)
		}
		for i := range r.poisson(lambda * g.plan.directShare) {
			ir := g.itemRand(streamDirect, rp.idx, d, i)
			a := g.pickAuthor(ir, rp, day)
			t := a.at(ir, day)
			if t > end {
				continue
			}
			lines := int(ir.logNormal(18, 1.2)) + 1
			sha := g.addCommit(ir, rp, a, a.gitAccount(ir, t), t, directSubject(ir), lines, nil, false)
			main = append(main, mainCommit{t: t, sha: sha, person: a})
			g.ciRun(ir, rp, run{pl: &rp.ci, branch: "main", sha: sha, event: "push", person: a, t: t, mayFail: 0.5})
		}
		if wd == time.Monday && rp.def.kind != docsRepo {
			bot := g.bots.dependabot
			if rp.def.kind == tsApp || rp.def.kind == tsLib || rp.def.kind == infraRepo {
				bot = g.bots.renovate
			}
			// Dependency updates: about one pull request in twelve.
			for i := range r.poisson(g.plan.prsPerWorkday * 5 / 12 * rp.weight / totalW * trend) {
				ir := g.itemRand(streamBot, rp.idx, d, i)
				g.pullRequest(ir, rp, bot, bot.at(ir, day), end, &main)
			}
		}
		if wd == time.Thursday && (rp.def.kind == goLib || rp.def.kind == tsLib) && r.chance(0.5) {
			ir := g.itemRand(streamRelease, rp.idx, d, 0)
			bot := g.bots.actions
			t := bot.at(ir, day) + 10*3600
			if t <= end {
				sha := g.addCommit(ir, rp, bot, bot.gitAcc, t, fmt.Sprintf("chore(release): v%d.%d.%d", 1+d/200, d/14%20, ir.IntN(5)), 4, g.filesNamed(rp, "CHANGELOG.md"), false)
				main = append(main, mainCommit{t: t, sha: sha, person: bot})
				g.ciRun(ir, rp, run{pl: &rp.ci, branch: "main", sha: sha, event: "push", person: bot, t: t})
			}
		}
	}
	slices.SortStableFunc(main, func(a, b mainCommit) int { return int(a.t - b.t) })
	g.makeNightly(rp, main, end)
	g.makeDeployments(rp, main)
}

// pickAuthor draws an author for a repository, skipping people on holiday.
func (g *gen) pickAuthor(r rnd, rp *repo, day time.Time) *person {
	var p *person
	for range 4 {
		p = g.humans[rp.authors.pick(r)]
		if !g.isAway(p, day.Unix()+43200) {
			return p
		}
	}
	return p
}

// gitAccount is the git identity p commits with at t: the work email mostly,
// a personal address after hours for some, the GitHub no-reply address for
// edits made on the web.
func (p *person) gitAccount(r rnd, t int64) int64 {
	if p.bot {
		return p.gitAcc
	}
	if p.noreplyAcc != 0 && r.chance(0.2) {
		return p.noreplyAcc
	}
	if p.personalAcc != 0 {
		lt := time.Unix(t, 0).In(p.zone.loc)
		h := float64(lt.Hour())
		if (lt.Weekday() == time.Saturday || lt.Weekday() == time.Sunday || h >= p.start+workday) && r.chance(0.7) {
			return p.personalAcc
		}
	}
	return p.gitAcc
}

func (g *gen) filesNamed(rp *repo, names ...string) []int {
	var out []int
	for i, f := range rp.files {
		if slices.Contains(names, f.path) {
			out = append(out, i)
		}
	}
	return out
}

// addCommit writes one commit and its files. With files nil it picks some,
// favouring the repository's hotspots. It returns the sha.
func (g *gen) addCommit(r rnd, rp *repo, p *person, acc, t int64, subject string, lines int, files []int, merge bool) string {
	sha, _, _, _ := g.addCommitStats(r, rp, p, acc, t, subject, lines, files, merge)
	return sha
}

func (g *gen) addCommitStats(r rnd, rp *repo, p *person, acc, t int64, subject string, lines int, files []int, merge bool) (sha string, adds, dels int64, touched []int) {
	id := g.t.commits.id()
	sha = r.sha()
	if !merge {
		if files == nil {
			n := min(1+r.geometric(g.plan.filesPerCommit*(0.6+0.2*math.Log10(float64(lines)+1))), len(rp.files))
			for len(files) < n {
				if f := rp.fileW.pick(r); !slices.Contains(files, f) {
					files = append(files, f)
				}
			}
		}
		touched = files
	}
	committed := t
	if r.chance(0.1) { // rebased or amended later
		committed += r.secs(3600, 1.2)
	}
	// Rows of the files first into locals, the commit row carries the sums.
	type fileRow struct {
		idx      int
		add, del int64
	}
	var rows []fileRow
	if len(files) > 0 {
		share := make([]float64, len(files))
		var sum float64
		for i := range share {
			share[i] = 0.2 + r.Float64()
			sum += share[i]
		}
		addShare := 0.5 + r.Float64()*0.45
		for i, f := range files {
			fr := fileRow{idx: f}
			if !rp.files[f].binary {
				n := max(1, int64(math.Round(float64(lines)*share[i]/sum)))
				fr.add = int64(math.Round(float64(n) * addShare))
				fr.del = n - fr.add
			}
			adds += fr.add
			dels += fr.del
			rows = append(rows, fr)
		}
	}
	g.w.add(g.t.commits, id, rp.id, sha, acc, p.id, acc, t, p.offset(t), committed, subject, merge, adds, dels, int64(len(files)))
	for _, fr := range rows {
		f := rp.files[fr.idx]
		g.w.add(g.t.commitFiles, id, f.path, f.lang, fr.add, fr.del, f.binary)
	}
	return sha, adds, dels, touched
}

var (
	prTypes   = []string{"feat", "feat", "fix", "fix", "refactor", "chore", "test", "perf", "docs"}
	prVerbs   = []string{"add", "fix", "remove", "refactor", "speed up", "handle", "validate", "cache", "log", "document", "retry", "paginate", "migrate", "simplify"}
	prObjects = []string{"webhook delivery", "token refresh", "checkout totals", "search ranking", "rate limiting", "CSV export",
		"session expiry", "invoice PDFs", "feature flag rollout", "dark mode", "order lookup", "flaky login test", "currency rounding",
		"retry budget", "pagination cursor", "audit events", "user avatars", "connection pooling", "error messages", "metrics labels",
		"SSO callback", "refund flow", "cache invalidation", "timeouts", "nightly export", "schema validation"}
	fixSubjects    = []string{"address review comments", "fix tests", "apply suggestions from code review", "rename per review", "handle edge case", "add missing test", "update docs", "fix lint"}
	directSubjects = []string{"fix typo in README", "bump version", "hotfix: restore default timeout", "update CODEOWNERS", "revert flaky change", "tune alert thresholds", "update changelog", "fix broken link"}
	deps           = map[repoKind][]string{
		goService: {"golang.org/x/net", "github.com/jackc/pgx/v5", "google.golang.org/grpc", "github.com/prometheus/client_golang"},
		goLib:     {"golang.org/x/sync", "github.com/google/go-cmp", "golang.org/x/text"},
		tsApp:     {"react", "vite", "@tanstack/react-query", "typescript", "eslint"},
		tsLib:     {"typescript", "vitest", "rollup"},
		pyService: {"pandas", "numpy", "fastapi", "pydantic", "scikit-learn"},
		sqlModels: {"dbt-core", "dbt-postgres"},
		infraRepo: {"hashicorp/aws", "hashicorp/kubernetes", "helm/helm"},
	}
	depFiles = map[repoKind][]string{
		goService: {"go.mod", "go.sum"}, goLib: {"go.mod", "go.sum"},
		tsApp: {"package.json", "package-lock.json"}, tsLib: {"package.json", "package-lock.json"},
		pyService: {"requirements.txt", "pyproject.toml"}, sqlModels: {"requirements.txt"}, infraRepo: {".terraform.lock.hcl"},
	}
)

func directSubject(r rnd) string { return pick(r, directSubjects) }

func slug(s string) string {
	return strings.Trim(strings.Map(func(c rune) rune {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			return c
		}
		if c >= 'A' && c <= 'Z' {
			return c + 32
		}
		return '-'
	}, s), "-")
}

// title makes a pull request's title and branch, naming a ticket of the
// owning team that existed by then.
func (g *gen) title(r rnd, rp *repo, a *person, t int64) (title, branch string) {
	if a.bot {
		dep := pick(r, deps[rp.def.kind])
		from := fmt.Sprintf("%d.%d.%d", r.IntN(3)+1, r.IntN(30), r.IntN(10))
		to := fmt.Sprintf("%s.%d", from[:strings.LastIndexByte(from, '.')], r.IntN(10)+10)
		eco := map[repoKind]string{goService: "go_modules", goLib: "go_modules", tsApp: "npm_and_yarn", tsLib: "npm_and_yarn", pyService: "pip", sqlModels: "pip", infraRepo: "terraform"}[rp.def.kind]
		if a == g.bots.renovate {
			return fmt.Sprintf("chore(deps): update %s to v%s", dep, to), "renovate/" + slug(dep) + "-" + to
		}
		return fmt.Sprintf("build(deps): bump %s from %s to %s", dep, from, to), fmt.Sprintf("dependabot/%s/%s-%s", eco, dep, to)
	}
	typ, verb, obj := pick(r, prTypes), pick(r, prVerbs), pick(r, prObjects)
	title = fmt.Sprintf("%s: %s %s", typ, verb, obj)
	prefix := "feature"
	if typ == "fix" {
		prefix = "fix"
	}
	branch = prefix + "/" + slug(verb+" "+obj)
	tm := g.teams[rp.def.team]
	idx := sort.Search(len(tm.tickets), func(i int) bool { return tm.tickets[i].created > t })
	if idx > 0 && r.chance(0.7) {
		key := tm.tickets[max(0, idx-40)+r.IntN(min(idx, 40))].key
		title = fmt.Sprintf("[%s] %s %s", key, strings.ToUpper(verb[:1])+verb[1:], obj)
		branch = fmt.Sprintf("%s/%s-%s", prefix, strings.ToLower(key), slug(verb+" "+obj))
	}
	if r.chance(0.3) {
		branch = a.login + "/" + branch[strings.IndexByte(branch, '/')+1:]
	}
	return title, branch
}

// pickReviewer draws a reviewer other than the author and other than not.
func (g *gen) pickReviewer(r rnd, rp *repo, author, not *person, t int64) *person {
	for range 8 {
		p := rp.reviewers[r.IntN(len(rp.reviewers))]
		// Busier people review more.
		if p != author && p != not && r.Float64() < 0.3+p.activity && !g.isAway(p, t) {
			return p
		}
	}
	for _, p := range rp.reviewers {
		if p != author && p != not {
			return p
		}
	}
	return g.humans[(author.idx+1)%len(g.humans)]
}

type prComment struct {
	ext      string
	p        *person
	kind     string
	reply    string
	length   int64
	t        int64
	resolved int64
}

type prReview struct {
	p     *person
	state string
	t     int64
	comms int64
}

type prCommit struct {
	sha        string
	t          int64
	adds, dels int64
	files      []int
}

// pullRequest simulates one pull request from its first commit to its merge
// (or close), and writes what had happened by Now.
func (g *gen) pullRequest(r rnd, rp *repo, a *person, start, end int64, main *[]mainCommit) {
	rp.prNumber++ // drawn, so numbers do not depend on Now
	if start > end {
		return
	}
	number := rp.prNumber
	bot := a.bot
	title, branch := g.title(r, rp, a, start)

	lines := int(r.logNormal(70, 1.35)) + 1
	nInit := 1 + r.geometric(g.plan.branchCommits-1)
	if a == g.me {
		nInit += r.geometric(1.2) // commits early and often
	}
	var files []int
	if bot {
		lines, nInit = 2+r.IntN(30), 1
		files = g.filesNamed(rp, depFiles[rp.def.kind]...)
	}
	cut := lines
	if !bot {
		cut = max(1, lines*8/10) // the rest comes with review fixes
	}

	// The commits before the pull request is opened.
	var commits []prCommit
	t := start
	for i := range nInit {
		if i > 0 {
			t = a.when(r, t+r.secs(75*60, 1.0))
		}
		commits = append(commits, prCommit{t: t})
	}
	created := a.when(r, t+int64(180+r.IntN(2400)))
	if created > g.now || created > end {
		// Not opened yet: the branch stays local.
		return
	}
	id := g.t.prs.id()
	// Write the opening commits now: their shas are needed below and their
	// times are all before created, so before Now.
	for i := range commits {
		c := &commits[i]
		subj := title
		if i > 0 {
			subj = pick(r, fixSubjects[4:])
		}
		c.sha, c.adds, c.dels, c.files = g.addCommitStats(r, rp, a, a.gitAccount(r, c.t), c.t, subj, max(1, cut/nInit), files, false)
	}
	draft := !bot && r.chance(0.14)
	ready := created
	if draft {
		ready = a.when(r, created+r.secs(5*3600, 1.1))
	}

	u := r.Float64()
	closed := u < 0.07 || bot && u < 0.12
	abandoned := !bot && !closed && u < 0.12
	noReview := r.chance(0.04)
	switch {
	case abandoned:
		noReview = r.chance(0.6) // forgotten: nobody ever looked
	case bot:
		noReview = r.chance(0.55)
	case lines < 25:
		noReview = r.chance(0.2)
	}

	var reviews []prReview
	var comments []prComment
	addComment := func(p *person, kind, reply string, t int64) *prComment {
		comments = append(comments, prComment{ext: fmt.Sprint(g.nextExternal()), p: p, kind: kind, reply: reply,
			length: int64(r.logNormal(90, 0.9)) + 3, t: t})
		return &comments[len(comments)-1]
	}
	// CI for the opening push(es).
	pushes := []int{len(commits) - 1}
	if g.plan.pushEach {
		pushes = pushes[:0]
		for i := range commits {
			pushes = append(pushes, i)
		}
	}
	type push struct {
		idx int
		t   int64
	}
	var pushList []push
	for _, i := range pushes {
		pt := commits[i].t + 30
		if i == len(commits)-1 {
			pt = max(pt, created-60)
		}
		pushList = append(pushList, push{i, pt})
	}

	addComment(a, "system", "", ready) // review requested
	if rp.def.kind != docsRepo && r.chance(0.5) {
		addComment(g.bots.actions, "discussion", "", created+int64(240+r.IntN(600))) // coverage report
	}

	t = ready
	var approved, closedAt, mergedAt int64
	var reviewer *person
	if closed {
		closedAt = a.when(r, created+r.secs(3*86400, 1.2))
	}
	if !noReview {
		reviewer = g.pickReviewer(r, rp, a, nil, t)
		rounds := 1 + r.geometric(0.15+0.3*math.Log10(float64(lines)+1)/2)
		if bot {
			rounds = 1
		}
		for round := 1; round <= rounds; round++ {
			pickup := 3.5 * 3600.0
			if round > 1 {
				pickup = 1.5 * 3600
			}
			if bot {
				pickup = 18 * 3600
			}
			t = reviewer.when(r, t+r.secs(pickup, 1.3))
			if closed && t > closedAt {
				break
			}
			last := round == rounds
			state := "approved"
			n := r.poisson(0.3)
			if !last {
				state = "changes_requested"
				if r.chance(0.25) {
					state = "commented"
				}
				n = 1 + r.poisson(1.6)
			}
			first := len(comments)
			for range n {
				addComment(reviewer, "review", "", t)
			}
			reviews = append(reviews, prReview{p: reviewer, state: state, t: t, comms: int64(n)})
			if last {
				approved = t
				break
			}
			// The author answers and pushes fixes.
			ft := a.when(r, t+r.secs(2.5*3600, 1.0))
			nfix := 1 + r.geometric(0.4)
			for k := range nfix {
				if k > 0 {
					ft = a.when(r, ft+r.secs(20*60, 0.8))
				}
				commits = append(commits, prCommit{t: ft})
				if g.plan.pushEach || k == nfix-1 {
					pushList = append(pushList, push{len(commits) - 1, ft + 30})
				}
			}
			for i := first; i < first+n; i++ {
				if r.chance(0.5) {
					addComment(a, "review", comments[i].ext, ft-int64(60+r.IntN(600)))
				}
				if r.chance(0.8) {
					comments[i].resolved = ft + int64(r.IntN(300))
				}
			}
			t = ft
		}
		// A second pair of eyes now and then.
		if !bot && len(reviews) > 0 && r.chance(0.3) {
			p2 := g.pickReviewer(r, rp, a, reviewer, t)
			t2 := p2.when(r, reviews[0].t+r.secs(3*3600, 1.0))
			state := "commented"
			if r.chance(0.6) {
				state = "approved"
			}
			n := r.poisson(0.8)
			for range n {
				addComment(p2, "review", "", t2)
			}
			reviews = append(reviews, prReview{p: p2, state: state, t: t2, comms: int64(n)})
		}
	}
	// Discussion, except on forgotten pull requests.
	talk := 0.7
	if abandoned && noReview {
		talk = 0
	}
	for range r.poisson(talk) {
		p := a
		if r.chance(0.6) {
			p = g.pickReviewer(r, rp, a, nil, created)
		}
		addComment(p, "discussion", "", p.when(r, created+r.secs(6*3600, 1.2)))
	}

	if !closed && !abandoned {
		switch {
		case bot && noReview:
			mergedAt = created + r.secs(1800, 0.8) // auto-merge once CI is green
		case noReview:
			mergedAt = a.when(r, ready+r.secs(1.5*3600, 1.4))
		default:
			mergedAt = a.when(r, max(approved, t)+r.secs(40*60, 1.3))
		}
		if mergedAt > end {
			mergedAt = 0
		}
	}

	// What happened after Now, or after the merge or close, is not written.
	stop := g.now
	if mergedAt != 0 {
		stop = min(stop, mergedAt)
	}
	if closed {
		stop = min(stop, closedAt)
	}
	for i := nInit; i < len(commits); i++ {
		c := &commits[i]
		if c.t > stop {
			commits = commits[:i]
			break
		}
		fixLines := max(1, (lines-cut)/max(1, len(commits)-nInit))
		c.sha, c.adds, c.dels, c.files = g.addCommitStats(r, rp, a, a.gitAccount(r, c.t), c.t, pick(r, fixSubjects), fixLines, nil, false)
	}

	state := "open"
	var mergeSHA string
	updated := created
	switch {
	case mergedAt != 0 && mergedAt <= g.now:
		state = "merged"
		updated = mergedAt
		merger := a
		acc := a.gitAcc
		if !bot && a.noreplyAcc != 0 {
			acc = a.noreplyAcc
		}
		if bot { // auto-merge: GitHub merges as the person who enabled it
			merger = reviewer
			if merger == nil {
				merger = g.pickReviewer(r, rp, a, nil, mergedAt)
			}
			acc = merger.gitAcc
		}
		mergeSHA = g.addCommit(r, rp, merger, acc, mergedAt, fmt.Sprintf("Merge pull request #%d from acme/%s", number, branch), 0, nil, true)
		*main = append(*main, mainCommit{t: mergedAt, sha: mergeSHA, prID: id, person: merger})
	case closedAt != 0 && closedAt <= g.now:
		state = "closed"
		updated = closedAt
	}

	// First review: the earliest review or comment by someone else, bots excluded.
	var firstReview, approvedAt int64
	for _, rv := range reviews {
		if rv.t <= stop {
			if firstReview == 0 || rv.t < firstReview {
				firstReview = rv.t
			}
			if rv.state == "approved" && (approvedAt == 0 || rv.t < approvedAt) {
				approvedAt = rv.t
			}
		}
	}
	var commentsCount int64
	for _, c := range comments {
		if c.t > stop || c.t < created {
			continue
		}
		if c.kind != "system" {
			commentsCount++
		}
		if c.p != a && !c.p.bot && c.kind != "system" && (firstReview == 0 || c.t < firstReview) {
			firstReview = c.t
		}
		updated = max(updated, c.t)
	}
	for _, rv := range reviews {
		if rv.t <= stop {
			updated = max(updated, rv.t)
		}
	}
	var adds, dels int64
	var touched []int
	for _, c := range commits {
		adds += c.adds
		dels += c.dels
		updated = max(updated, c.t)
		for _, f := range c.files {
			if !slices.Contains(touched, f) {
				touched = append(touched, f)
			}
		}
	}
	var rounds int64
	for _, rv := range reviews {
		if rv.t <= stop && rv.p == reviewer {
			rounds++
		}
	}
	isDraft := draft && ready > g.now
	readyAt := nullable(ready, ready <= g.now)
	var mergedV, closedV any
	if state == "merged" {
		mergedV, closedV = mergedAt, mergedAt
	} else if state == "closed" {
		closedV = closedAt
	}
	g.w.add(g.t.prs, id, rp.id, demoSource, fmt.Sprint(1_500_000_000+id), number, title,
		fmt.Sprintf("https://github.com/%s/pull/%d", rp.fullName, number), state, isDraft, a.ghAcc, a.id, branch, "main",
		created, readyAt, commits[0].t, nullable(firstReview, firstReview != 0), nullable(approvedAt, approvedAt != 0),
		mergedV, closedV, updated, mergeSHA, adds, dels, int64(len(touched)), int64(len(commits)), rounds, commentsCount)
	for _, c := range commits {
		g.w.add(g.t.prCommits, id, c.sha)
	}
	for _, rv := range reviews {
		if rv.t <= stop {
			g.w.add(g.t.reviews, g.t.reviews.id(), id, fmt.Sprint(g.nextExternal()), rv.p.ghAcc, rv.p.id, rv.state, rv.t, rv.comms)
		}
	}
	for _, c := range comments {
		if c.t > stop || c.t < created {
			continue
		}
		g.w.add(g.t.comments, g.t.comments.id(), id, c.ext, c.p.ghAcc, c.p.id, c.kind, c.reply, c.length, c.t,
			nullable(c.resolved, c.resolved != 0 && c.resolved <= g.now))
	}

	// CI on every push; only the last may not fail for real (the branch
	// was merged green), though any may flake.
	for k, ps := range pushList {
		if ps.idx >= len(commits) {
			break
		}
		event := "pull_request"
		if ps.t < created {
			event = "push"
		}
		fail := 1.0
		if k == len(pushList)-1 {
			fail = 0
		}
		g.ciRun(r, rp, run{pl: &rp.ci, branch: branch, sha: commits[ps.idx].sha, event: event, person: a, t: ps.t, mayFail: fail})
	}
	if mergeSHA != "" {
		g.ciRun(r, rp, run{pl: &rp.ci, branch: "main", sha: mergeSHA, event: "push", person: a, t: mergedAt, mayFail: 0.3})
	}
}

// nullable is v when ok, else SQL NULL.
func nullable(v int64, ok bool) any {
	if !ok {
		return nil
	}
	return v
}
