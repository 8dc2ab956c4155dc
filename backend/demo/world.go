package demo

import (
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // the same zone rules, and so the same data, on every machine
)

// plan holds the knobs that differ between scales.
type plan struct {
	days           int     // history length
	repos          int     // repositories (from repoDefs)
	humans         int     // people besides the bots
	prsPerWorkday  float64 // pull requests opened across the org per weekday, mid-history
	directShare    float64 // direct pushes to the default branch per pull request
	branchCommits  float64 // mean commits of a pull request before review
	filesPerCommit float64 // mean files a commit touches beyond the first
	pushEach       bool    // every commit is its own push (and CI run)
	fullJobs       bool    // lint jobs and steps under every test job
	filePool       int     // paths per repository
	ticketsPerDev  float64 // tickets per team member per sprint
	nightlyRepos   int
	issueRate      float64 // scales code-scanner findings
}

var plans = map[Scale]plan{
	Small: {days: 365, repos: 12, humans: 16, prsPerWorkday: 1.1, directShare: 0.45, branchCommits: 1.6,
		filesPerCommit: 0.8, fullJobs: true, filePool: 40, ticketsPerDev: 0.9, nightlyRepos: 1, issueRate: 0.3},
	Large: {days: 1095, repos: 60, humans: 400, prsPerWorkday: 262, directShare: 1.05, branchCommits: 2.0,
		filesPerCommit: 1.1, pushEach: true, filePool: 150, ticketsPerDev: 0.5, nightlyRepos: 10, issueRate: 0.5},
}

// zone is a place people work from; real zone rules give DST changes.
type zone struct {
	name   string
	weight float64
	loc    *time.Location
}

var zones = []*zone{
	{name: "Europe/Berlin", weight: 6},
	{name: "America/New_York", weight: 4},
	{name: "Asia/Kolkata", weight: 3},
	{name: "America/Los_Angeles", weight: 3},
	{name: "America/Sao_Paulo", weight: 2},
	{name: "Europe/London", weight: 2},
}

// person is a human or a bot and their accounts.
type person struct {
	idx      int
	id       int64
	name     string
	login    string
	ghID     int64
	email    string // work email
	zone     *zone
	activity float64
	start    float64 // local hour the working day starts
	evening  float64 // chance to keep working after hours
	weekend  float64 // chance to work on a weekend
	team     int     // index into teams, -1 for none
	bot      bool
	away     []bool // weeks of holiday, by week of history

	gitAcc, personalAcc, noreplyAcc, ghAcc, jiraAcc int64
}

type teamDef struct {
	name, key, desc string
}

var teamDefs = []teamDef{
	{"Platform", "PLAT", "Developer platform: gateway, identity, CI, infrastructure and shared libraries."},
	{"Product", "PROD", "Customer-facing product: checkout, payments, web and mobile apps."},
	{"Data", "DATA", "Data pipelines, the warehouse, machine learning and reporting."},
}

type team struct {
	def     teamDef
	id      int64
	members []*person
	boardID int64
	tickets []ticketRef // by creation time, for pull-request titles
}

type ticketRef struct {
	created int64
	key     string
}

// repoKind decides a repository's files, pipelines and bots.
type repoKind int

const (
	goService repoKind = iota
	goLib
	tsApp
	tsLib
	pyService
	sqlModels
	infraRepo
	docsRepo
)

type repoDef struct {
	name string
	kind repoKind
	team int
	desc string
}

// The first dozen make the small scale.
var repoDefs = []repoDef{
	{"api-gateway", goService, 0, "Edge gateway: routing, auth and rate limits for every public API"},
	{"payments-service", goService, 1, "Card and wallet payments, refunds and payouts"},
	{"web-app", tsApp, 1, "The customer web application"},
	{"data-pipeline", pyService, 2, "Ingestion and transformation jobs feeding the warehouse"},
	{"auth-service", goService, 0, "Sign-in, sessions, SSO and API tokens"},
	{"mobile-app", tsApp, 1, "iOS and Android app (React Native)"},
	{"infra", infraRepo, 0, "Terraform and Kubernetes for every environment"},
	{"design-system", tsLib, 1, "Shared React components and design tokens"},
	{"ml-models", pyService, 2, "Training and serving of recommendation and fraud models"},
	{"cli", goLib, 0, "The acme command-line tool"},
	{"warehouse-models", sqlModels, 2, "dbt models of the analytics warehouse"},
	{"handbook", docsRepo, 0, "Engineering handbook, runbooks and ADRs"},
	{"billing-service", goService, 1, "Invoices, subscriptions and dunning"},
	{"notifications-service", goService, 1, "E-mail, push and SMS delivery"},
	{"search-service", goService, 0, "Full-text and faceted product search"},
	{"orders-service", goService, 1, "Order lifecycle and fulfilment"},
	{"inventory-service", goService, 1, "Stock levels and reservations"},
	{"shipping-service", goService, 1, "Carrier integrations and tracking"},
	{"pricing-service", goService, 1, "Prices, discounts and promotions"},
	{"users-service", goService, 0, "User profiles and preferences"},
	{"audit-service", goService, 0, "Tamper-evident audit log"},
	{"ledger-service", goService, 1, "Double-entry ledger"},
	{"webhooks-service", goService, 0, "Outgoing webhooks with retries"},
	{"scheduler-service", goService, 0, "Distributed job scheduler"},
	{"feature-flags", goService, 0, "Feature flag evaluation service"},
	{"graphql-gateway", goService, 0, "GraphQL federation gateway"},
	{"session-service", goService, 0, "Session storage and revocation"},
	{"email-sender", goService, 1, "Transactional e-mail rendering and sending"},
	{"go-common", goLib, 0, "Shared Go packages: config, logging, errors"},
	{"go-telemetry", goLib, 0, "OpenTelemetry setup for Go services"},
	{"sdk-go", goLib, 0, "Public Go SDK"},
	{"proto-schemas", goLib, 0, "Protobuf definitions of internal APIs"},
	{"admin-console", tsApp, 1, "Back-office console for support and operations"},
	{"checkout-web", tsApp, 1, "Embeddable checkout"},
	{"marketing-site", tsApp, 1, "Public website"},
	{"partner-portal", tsApp, 1, "Portal for partners and resellers"},
	{"status-page", tsApp, 0, "Public status page"},
	{"docs-site", tsApp, 0, "Developer documentation site"},
	{"sdk-js", tsLib, 1, "Public JavaScript SDK"},
	{"eslint-config", tsLib, 1, "Shared lint rules"},
	{"ui-icons", tsLib, 1, "Icon set"},
	{"analytics-js", tsLib, 2, "Browser analytics client"},
	{"recommendations", pyService, 2, "Recommendation API"},
	{"fraud-detection", pyService, 2, "Real-time fraud scoring"},
	{"etl-jobs", pyService, 2, "Batch exports and imports"},
	{"reporting", pyService, 2, "Scheduled business reports"},
	{"forecasting", pyService, 2, "Demand forecasting"},
	{"data-quality", pyService, 2, "Data quality checks and alerts"},
	{"airflow-dags", pyService, 2, "Airflow DAG definitions"},
	{"db-migrations", sqlModels, 0, "Schema migrations of shared databases"},
	{"terraform-modules", infraRepo, 0, "Reusable Terraform modules"},
	{"k8s-manifests", infraRepo, 0, "Kubernetes manifests and Helm values"},
	{"ci-templates", infraRepo, 0, "Reusable GitHub Actions workflows"},
	{"observability", infraRepo, 0, "Dashboards, alerts and SLOs"},
	{"dev-environment", infraRepo, 0, "Local development environment"},
	{"architecture-decisions", docsRepo, 0, "Architecture decision records"},
	{"runbooks", docsRepo, 0, "On-call runbooks"},
	{"api-docs", docsRepo, 1, "Public API reference"},
	{"legacy-monolith", goService, 1, "The old monolith, archived after the migration"},
	{"mobile-legacy", tsApp, 1, "The first mobile app, archived"},
}

// repo is a repository being generated.
type repo struct {
	def                   repoDef
	idx                   int
	id                    int64
	fullName              string
	language              string
	weight                float64 // share of the org's activity
	service               bool    // deployed: has a deploy workflow
	nightly               bool
	archivedAt            int64 // 0 when active
	created               int64
	flaky                 float64 // chance a test job fails by itself
	failRate              float64 // chance a push breaks CI
	buildMed              float64 // median build seconds
	testMed               float64 // median test seconds
	cadence               float64 // median hours between production deploys
	files                 []file
	fileW                 weighted
	authors               weighted // over g.humans
	reviewers             []*person
	ci, deploy, nightlyPl pipelineDef
	prNumber              int64
	coverage              float64
}

type pipelineDef struct {
	id     int64
	name   string
	number int64
}

type file struct {
	path, lang string
	binary     bool
}

// gen holds the whole world while it is written out.
type gen struct {
	w       *writer
	opts    Options
	plan    plan
	seed    int64
	now     int64
	start   int64 // first instant of history (UTC midnight)
	day0    time.Time
	setMe   bool
	people  []*person // humans first, then bots
	humans  []*person
	me      *person
	bots    struct{ dependabot, renovate, actions *person }
	teams   []*team
	repos   []*repo
	counter int64 // external ids of reviews, comments, runs, jobs ...

	t struct {
		people, accounts, teams, teamMembers, repos, teamRepos          *table
		commits, commitFiles, prs, prCommits, reviews, comments         *table
		pipelines, runs, jobs, deployments, deploymentPRs               *table
		boards, sprints, tickets, transitions, snapshots, issues, costs *table
		budgets, views                                                  *table
	}
}

func newGenerator(w *writer, opts Options, setMe bool) (*gen, error) {
	for _, z := range zones {
		loc, err := time.LoadLocation(z.name)
		if err != nil {
			return nil, fmt.Errorf("demo: unable to load time zone %s: %w", z.name, err)
		}
		z.loc = loc
	}
	p := plans[opts.Scale]
	now := opts.Now.UTC()
	// History starts at a UTC midnight, so a run later the same day makes
	// the same history up to the earlier run's Now.
	day0 := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, -p.days)
	g := &gen{w: w, opts: opts, plan: p, seed: opts.Seed, now: now.Unix(), start: day0.Unix(), day0: day0, setMe: setMe,
		counter: 1_000_000_000}
	t := &g.t
	t.people, t.accounts, t.teams, t.teamMembers = w.table("people"), w.table("accounts"), w.table("teams"), w.table("team_members")
	t.repos, t.teamRepos, t.commits, t.commitFiles = w.table("repositories"), w.table("team_repositories"), w.table("commits"), w.table("commit_files")
	t.prs, t.prCommits, t.reviews, t.comments = w.table("pull_requests"), w.table("pull_request_commits"), w.table("pull_request_reviews"), w.table("pull_request_comments")
	t.pipelines, t.runs, t.jobs = w.table("pipelines"), w.table("pipeline_runs"), w.table("pipeline_jobs")
	t.deployments, t.deploymentPRs = w.table("deployments"), w.table("deployment_pull_requests")
	t.boards, t.sprints, t.tickets, t.transitions = w.table("boards"), w.table("sprints"), w.table("tickets"), w.table("ticket_transitions")
	t.snapshots, t.issues, t.costs = w.table("quality_snapshots"), w.table("quality_issues"), w.table("cost_records")
	t.budgets, t.views = w.table("budgets"), w.table("saved_views")
	return g, nil
}

func (g *gen) nextExternal() int64 {
	g.counter++
	return g.counter
}

// run makes the world and writes it out. Errors stop the writer; close
// reports them.
func (g *gen) run() {
	g.w.phase = "people"
	g.makePeople()
	g.makeTeams()
	g.makeRepos()
	g.w.phase = "planning"
	g.makePlanning()
	for _, r := range g.repos {
		if g.w.err != nil {
			return
		}
		g.w.phase = fmt.Sprintf("repository %d/%d %s", r.idx+1, len(g.repos), r.def.name)
		g.makeCode(r)
	}
	g.w.phase = "quality and costs"
	for _, r := range g.repos {
		g.makeQuality(r)
	}
	g.makeCosts()
	g.makeViews()
}

var firstNames = []string{"Ada", "Ben", "Chloé", "Dmitri", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kavya", "Lucas",
	"Maya", "Nikhil", "Olga", "Pedro", "Quinn", "Rahul", "Sofia", "Tomás", "Uma", "Viktor", "Wen", "Ximena", "Yusuf", "Zoe",
	"Aarav", "Beatriz", "Carlos", "Divya", "Emil", "Fatima", "Gabriel", "Hannah", "Ivan", "Julia", "Karan", "Lena", "Mateo",
	"Nora", "Oscar", "Priya", "Rafael", "Sara", "Theo", "Ananya", "Bruno", "Clara", "Daniel", "Emma", "Felix", "Giulia",
	"Henrik", "Isabel", "Jakob", "Lea", "Marco", "Noah", "Paula", "Ravi"}

var lastNames = []string{"Lovelace", "Schmidt", "Müller", "Ivanova", "Kowalski", "Haddad", "Hopper", "Tanaka", "Fernandes",
	"Becker", "Iyer", "Silva", "Patel", "Sharma", "Novak", "Santos", "Walsh", "Gupta", "Rossi", "García", "Nair", "Petrov",
	"Chen", "López", "Yilmaz", "Martin", "Kumar", "Oliveira", "Costa", "Reddy", "Larsen", "Okafor", "Dubois", "Weber",
	"Sokolov", "Wagner", "Mehta", "Fischer", "Moreno", "Berg", "Andersen", "Rao", "Almeida", "Ricci", "Klein", "Das",
	"Souza", "Hoffmann", "Jensen", "Nguyen", "Kim", "Park", "Ali", "Singh", "Meyer", "Pereira", "Bianchi", "Lindqvist",
	"Murphy", "Khan"}

// ascii folds the few accented letters of the name lists for logins and emails.
var ascii = strings.NewReplacer("é", "e", "á", "a", "ü", "u", "í", "i", "ó", "o", "ç", "c", "ã", "a")

func (g *gen) makePeople() {
	r := newRand(g.seed, 1)
	n := g.plan.humans
	weeks := g.plan.days/7 + 2
	acts := zipf(n, 0.9)
	zw := make([]float64, len(zones))
	for i, z := range zones {
		zw[i] = z.weight
	}
	zonePick := newWeighted(zw)
	used := map[string]bool{}
	for i := range n {
		var first, last string
		for {
			first, last = pick(r, firstNames), pick(r, lastNames)
			if !used[first+" "+last] {
				used[first+" "+last] = true
				break
			}
		}
		f, l := strings.ToLower(ascii.Replace(first)), strings.ToLower(ascii.Replace(last))
		login := f + "-" + l
		switch r.IntN(4) {
		case 0:
			login = f[:1] + l
		case 1:
			login = f + l[:1]
		case 2:
			login = fmt.Sprintf("%s%s%d", f, l[:min(3, len(l))], r.IntN(100))
		}
		p := &person{idx: i, name: first + " " + last, login: login, ghID: int64(r.IntN(150_000_000) + 200_000),
			email: f + "." + l + "@acme.dev", zone: zones[zonePick.pick(r)], activity: acts[i],
			start: 7.5 + r.Float64()*2.5, evening: 0.04 + r.Float64()*0.14, weekend: 0.02 + r.Float64()*0.08,
			team: -1, away: make([]bool, weeks)}
		if used["login:"+login] {
			p.login = fmt.Sprintf("%s%d", login, i)
		}
		used["login:"+p.login] = true
		if i > 0 && i < len(zones) {
			p.zone = zones[i] // the busiest people cover every zone
		}
		if i == 0 {
			// The user of the demo: the busiest committer, in Berlin (DST),
			// and more regular than most, so streaks and calendars show.
			p.zone, p.activity, p.weekend, p.evening = zones[0], acts[0]*3, 0.03, 0.08
			g.me = p
		}
		// Three holiday weeks a year.
		for range g.plan.days / 120 {
			wk := r.IntN(weeks)
			p.away[wk] = true
			if r.chance(0.4) && wk+1 < weeks {
				p.away[wk+1] = true
			}
		}
		g.humans = append(g.humans, p)
	}
	g.bots.dependabot = &person{name: "dependabot[bot]", login: "dependabot[bot]", ghID: 49699333, bot: true, team: -1}
	g.bots.renovate = &person{name: "renovate[bot]", login: "renovate[bot]", ghID: 29139614, bot: true, team: -1}
	g.bots.actions = &person{name: "github-actions[bot]", login: "github-actions[bot]", ghID: 41898282, bot: true, team: -1}
	g.people = append(append([]*person{}, g.humans...), g.bots.dependabot, g.bots.renovate, g.bots.actions)

	// Teams: about 85% of people are in one; the rest contribute across.
	tw := []float64{0.45, 0.35, 0.2}
	twp := newWeighted(tw)
	for _, p := range g.humans {
		switch {
		case p == g.me:
			p.team = 0
		case p.idx < len(zones) || r.chance(0.87):
			p.team = twp.pick(r)
		}
	}

	created := g.start - 86400*int64(30+r.IntN(300))
	for _, p := range g.people {
		p.id = g.t.people.id()
		email := p.email
		if p.bot {
			email = fmt.Sprintf("%d+%s@users.noreply.github.com", p.ghID, p.login)
		}
		g.w.add(g.t.people, p.id, p.name, email, p.bot, p.bot == false && p == g.me && g.setMe, created)
		g.addAccounts(r, p)
	}
}

// addAccounts gives a person the accounts a real collection would find: a
// GitHub login, git identities (work email, sometimes a personal one or the
// GitHub no-reply address) and a Jira user for team members.
func (g *gen) addAccounts(r rnd, p *person) {
	acc := func(kind, extID, login, email string, bot bool) int64 {
		id := g.t.accounts.id()
		avatar, profile := "", ""
		if kind == "github" {
			avatar = fmt.Sprintf("https://avatars.githubusercontent.com/u/%d?v=4", p.ghID)
			profile = "https://github.com/" + strings.TrimSuffix(p.login, "[bot]")
			if bot {
				profile = "https://github.com/apps/" + strings.TrimSuffix(p.login, "[bot]")
			}
		}
		g.w.add(g.t.accounts, id, p.id, demoSource, kind+":"+extID, login, email, p.name, avatar, profile, bot)
		return id
	}
	noreply := fmt.Sprintf("%d+%s@users.noreply.github.com", p.ghID, p.login)
	p.ghAcc = acc("github", fmt.Sprint(p.ghID), p.login, "", p.bot)
	if p.bot {
		p.gitAcc = acc("git", noreply, "", noreply, true)
		return
	}
	p.gitAcc = acc("git", p.email, "", p.email, false)
	if r.chance(0.3) {
		f := strings.ToLower(ascii.Replace(strings.ReplaceAll(p.name, " ", "")))
		personal := fmt.Sprintf("%s%d@%s", f, r.IntN(90)+10, pick(r, []string{"gmail.com", "proton.me", "outlook.com", "posteo.de"}))
		p.personalAcc = acc("git", personal, "", personal, false)
	}
	if r.chance(0.35) {
		p.noreplyAcc = acc("git", noreply, "", noreply, false)
	}
	if p.team >= 0 {
		jira := fmt.Sprintf("%012x%012x", r.Uint64()&0xffffffffffff, r.Uint64()&0xffffffffffff)
		p.jiraAcc = acc("jira", jira, "", p.email, false)
	}
}

func (g *gen) makeTeams() {
	created := g.start - 86400*200
	for i, d := range teamDefs {
		t := &team{def: d, id: g.t.teams.id()}
		g.teams = append(g.teams, t)
		g.w.add(g.t.teams, t.id, d.name, demoNamePrefix+d.desc, created)
		for _, p := range g.humans {
			if p.team == i {
				t.members = append(t.members, p)
				g.w.add(g.t.teamMembers, t.id, p.id)
			}
		}
	}
}

var kindLanguage = map[repoKind]string{goService: "Go", goLib: "Go", tsApp: "TypeScript", tsLib: "TypeScript",
	pyService: "Python", sqlModels: "SQL", infraRepo: "HCL", docsRepo: "Markdown"}

func (g *gen) makeRepos() {
	r := newRand(g.seed, 2)
	weights := zipf(g.plan.repos, 0.7)
	// Shuffle the weights a little so the busiest repository is not always
	// the first one listed.
	for i := range weights {
		j := r.IntN(i + 1)
		if i > 2 {
			weights[i], weights[j] = weights[j], weights[i]
		}
	}
	nightly := 0
	for i, d := range repoDefs[:g.plan.repos] {
		if d.kind == docsRepo {
			weights[i] *= 0.3
		}
		rp := &repo{def: d, idx: i, id: g.t.repos.id(), fullName: "acme/" + d.name, language: kindLanguage[d.kind],
			weight: weights[i], created: g.start - 86400*int64(100+r.IntN(1500)),
			service: d.kind == goService || d.kind == tsApp || d.kind == pyService && i%2 == 1,
			flaky:   0.01 + r.Float64()*0.06, failRate: 0.03 + r.Float64()*0.07,
			buildMed: 60 + r.Float64()*150, testMed: 150 + r.Float64()*500,
			coverage: 0.45 + r.Float64()*0.35}
		rp.cadence = pick(r, []float64{6, 18, 24, 30, 60, 170})
		if rp.service && nightly < g.plan.nightlyRepos {
			rp.nightly = true
			nightly++
		}
		if strings.Contains(d.name, "legacy") {
			rp.archivedAt = g.start + int64(g.plan.days)*86400/3
		}
		rp.files = makeFiles(r, d, g.plan.filePool)
		fw := zipf(len(rp.files), 1.0) // hotspots: a few files change all the time
		r.Shuffle(len(fw), func(a, b int) { fw[a], fw[b] = fw[b], fw[a] })
		for k, f := range rp.files {
			if f.lang == "" && !f.binary || strings.ContainsAny(f.path[:1], "CDM.") || strings.HasSuffix(f.path, ".sum") || strings.HasSuffix(f.path, "-lock.json") {
				fw[k] *= 0.15 // build files and ownership change rarely
			}
		}
		rp.fileW = newWeighted(fw)
		// Authors: the owning team mostly, anyone now and then.
		aw := make([]float64, len(g.humans))
		for k, p := range g.humans {
			aw[k] = p.activity * 0.04
			if p.team == d.team {
				aw[k] = p.activity
				rp.reviewers = append(rp.reviewers, p)
			}
		}
		rp.authors = newWeighted(aw)
		if len(rp.reviewers) < 2 {
			rp.reviewers = g.humans
		}
		g.repos = append(g.repos, rp)
		updated := g.now - int64(r.IntN(3600))
		if rp.archivedAt != 0 {
			updated = rp.archivedAt
		}
		g.w.add(g.t.repos, rp.id, demoSource, fmt.Sprint(300_000_000+i*7919), rp.fullName, d.name,
			"https://github.com/"+rp.fullName, d.desc, "main", rp.language, int64(r.IntN(40)), int64(r.IntN(8)),
			!strings.HasPrefix(d.name, "sdk") && d.name != "cli", rp.archivedAt != 0, rp.created, updated)
		g.w.add(g.t.teamRepos, g.teams[d.team].id, rp.id)
		g.makePipelines(rp)
	}
}
