package demo

import (
	"fmt"
	"math"
	"strings"
	"time"
)

type issueSpec struct {
	kind      string
	perWeek   float64
	fixDays   float64 // median days to resolve
	fixShare  float64 // share ever resolved
	rules     []string
	category  []string
	messages  []string
	severityW []float64 // blocker, critical, major, minor, info
}

var severities = []string{"blocker", "critical", "major", "minor", "info"}

var issueSpecs = []issueSpec{
	{"vulnerability", 0.25, 12, 0.8, []string{"S2076", "S3649", "S5131", "S4790", "S2068"},
		[]string{"OWASP A03:2021 Injection", "OWASP A07:2021 Identification and Authentication Failures", "CWE-79 Cross-site Scripting", "CWE-327 Broken Cryptography", "CWE-798 Hard-coded Credentials"},
		[]string{"Make sure this SQL query is built safely", "Do not log the session token", "Use a stronger hash than SHA-1", "Remove this hard-coded password"},
		[]float64{0.05, 0.2, 0.4, 0.3, 0.05}},
	{"bug", 0.4, 9, 0.75, []string{"S1143", "S2259", "S1656", "S3981"}, []string{"reliability"},
		[]string{"A nil pointer dereference is possible here", "This condition always evaluates to true", "Close this response body"},
		[]float64{0.02, 0.1, 0.5, 0.3, 0.08}},
	{"smell", 3, 40, 0.4, []string{"S1192", "S3776", "S1172", "S107", "S125"}, []string{"maintainability"},
		[]string{"Refactor this function to reduce its Cognitive Complexity from 24 to the 15 allowed", "Define a constant instead of duplicating this literal 4 times", "Remove this unused parameter", "This function has 9 parameters, which is greater than the 7 authorized"},
		[]float64{0, 0.05, 0.4, 0.45, 0.1}},
	{"hotspot", 0.12, 20, 0.6, []string{"S4507", "S5332", "S2245"}, []string{"OWASP A05:2021 Security Misconfiguration", "CWE-319 Cleartext Transmission", "CWE-330 Weak Random"},
		[]string{"Make sure this debug feature is deactivated before delivering the code", "Using http protocol is insecure", "Make sure this weak random number generator is safe here"},
		[]float64{0, 0.2, 0.5, 0.3, 0}},
}

type qIssue struct {
	kind, severity string
	effort         int64
	created        int64
	resolved       int64 // 0 while open
}

// makeQuality writes a repository's code-scanner history: issues found and
// fixed over time, and a weekly snapshot whose counts agree with them.
func (g *gen) makeQuality(rp *repo) {
	if rp.def.kind == docsRepo {
		return
	}
	r := g.itemRand(streamSnapshots, rp.idx, 0, 0)
	project := "acme_" + strings.ReplaceAll(rp.def.name, "-", "_")
	end := g.now
	if rp.archivedAt != 0 {
		end = rp.archivedAt
	}
	var issues []qIssue
	scale := min(2, 0.4+rp.weight*float64(g.plan.repos)*0.6/4) * g.plan.issueRate // busier repositories find more
	weeks := int((end-g.start)/(7*86400)) + 1
	for k, sp := range issueSpecs {
		sw := newWeighted(sp.severityW)
		for wk := range weeks {
			r := g.itemRand(streamIssues, rp.idx, wk, k)
			for range r.poisson(sp.perWeek * scale) {
				created := g.start + int64(wk)*7*86400 + int64(r.IntN(7*86400))
				sev := severities[sw.pick(r)]
				is := qIssue{kind: sp.kind, severity: sev, effort: int64(5 * (1 + r.IntN(12))), created: created}
				days := sp.fixDays
				if sev == "blocker" || sev == "critical" {
					days /= 3
				}
				res := created + r.secs(days*86400, 1.0)
				i := r.IntN(len(sp.rules))
				path := rp.files[rp.fileW.pick(r)].path
				category, message := pick(r, sp.category), pick(r, sp.messages)
				if created > end {
					continue
				}
				if r.chance(sp.fixShare) && res <= g.now {
					is.resolved = res
				}
				issues = append(issues, is)
				status := "open"
				if is.resolved != 0 {
					status = "resolved"
				}
				g.w.add(g.t.issues, g.t.issues.id(), rp.id, demoSource, fmt.Sprintf("AY%s-%d", project, g.nextExternal()), sp.kind, sev,
					strings.ToLower(rp.language)+":"+sp.rules[i], category, message, path, status,
					is.effort, created, nullable(is.resolved, is.resolved != 0))
			}
		}
	}

	// Weekly scans, Monday 03:00 UTC, with coverage drifting.
	loc := 20_000 + float64(r.IntN(60_000))
	cov := rp.coverage
	drift := (r.Float64() - 0.45) * 0.004
	dup := 0.01 + r.Float64()*0.06
	first := g.day0
	for first.Weekday() != time.Monday {
		first = first.AddDate(0, 0, 1)
	}
	for wk := 0; ; wk++ {
		t := first.AddDate(0, 0, 7*wk).Unix() + 3*3600
		if t > end {
			break
		}
		loc *= 1 + 0.002 + r.NormFloat64()*0.003
		cov = math.Min(0.95, math.Max(0.2, cov+drift+r.NormFloat64()*0.008))
		dup = math.Min(0.2, math.Max(0.003, dup+r.NormFloat64()*0.001))
		var bugs, vulns, smells, debt int64
		worst := map[string]int{}
		for _, is := range issues {
			if is.created > t || is.resolved != 0 && is.resolved <= t {
				continue
			}
			rank := 5 - indexOf(severities, is.severity) // blocker 5 .. info 1
			switch is.kind {
			case "bug":
				bugs++
			case "vulnerability":
				vulns++
			case "smell":
				smells++
				debt += is.effort
			}
			worst[is.kind] = max(worst[is.kind], rank)
		}
		ratio := float64(debt) / (loc * 30)
		g.w.add(g.t.snapshots, g.t.snapshots.id(), rp.id, demoSource, project, t, math.Round(cov*1000)/1000, int64(loc),
			bugs, vulns, smells, debt, math.Round(ratio*10000)/10000, int64(loc/7), int64(loc/9),
			math.Round(dup*1000)/1000, debtRating(ratio), severityRating(worst["bug"]), severityRating(worst["vulnerability"]))
	}
}

func indexOf(xs []string, x string) int {
	for i, v := range xs {
		if v == x {
			return i
		}
	}
	return -1
}

// debtRating is SonarQube's maintainability rating from the debt ratio.
func debtRating(ratio float64) string {
	switch {
	case ratio <= 0.05:
		return "A"
	case ratio <= 0.1:
		return "B"
	case ratio <= 0.2:
		return "C"
	case ratio <= 0.5:
		return "D"
	}
	return "E"
}

// severityRating is SonarQube's reliability and security rating: A with no
// open issue, then by the worst one (minor B ... blocker E).
func severityRating(rank int) string {
	switch {
	case rank <= 1:
		return "A"
	case rank == 2:
		return "B"
	case rank == 3:
		return "C"
	case rank == 4:
		return "D"
	}
	return "E"
}

type costLine struct {
	source, account, service, region string
	base                             float64 // USD per day at the start
	growth                           float64 // per year
	weekend                          float64 // weekend factor
}

var costLines = []costLine{
	{"aws", demoSlugPrefix + "acme-production", "Amazon EC2", "us-east-1", 410, 0.35, 0.9},
	{"aws", demoSlugPrefix + "acme-production", "Amazon RDS", "us-east-1", 180, 0.25, 1},
	{"aws", demoSlugPrefix + "acme-production", "Amazon S3", "us-east-1", 55, 0.5, 1},
	{"aws", demoSlugPrefix + "acme-production", "AWS Lambda", "us-east-1", 38, 0.6, 0.55},
	{"aws", demoSlugPrefix + "acme-production", "Amazon CloudFront", "global", 64, 0.3, 0.8},
	{"gcp", demoSlugPrefix + "acme-data", "Compute Engine", "europe-west3", 120, 0.3, 0.85},
	{"gcp", demoSlugPrefix + "acme-data", "BigQuery", "EU", 75, 0.8, 0.4},
	{"gcp", demoSlugPrefix + "acme-data", "Cloud Storage", "EU", 22, 0.45, 1},
}

// makeCosts writes a daily bill per cloud service: growing, quieter at
// weekends, with an RDS upgrade and a runaway BigQuery job along the way.
func (g *gen) makeCosts() {
	r := newRand(g.seed, 4)
	upgrade := g.plan.days * 2 / 3
	spike := g.plan.days - 40
	last := time.Unix(g.now, 0).UTC()
	for d := 0; ; d++ {
		day := g.day0.AddDate(0, 0, d)
		if day.After(last) {
			break
		}
		years := float64(d) / 365
		wd := day.Weekday()
		for _, c := range costLines {
			v := c.base * math.Pow(1+c.growth, years) * (1 + r.NormFloat64()*0.05)
			if wd == time.Saturday || wd == time.Sunday {
				v *= c.weekend
			}
			if c.service == "Amazon RDS" && d >= upgrade {
				v *= 1.6
			}
			if c.service == "BigQuery" && d >= spike && d < spike+3 {
				v *= 9
			}
			if day.Year() == last.Year() && day.YearDay() == last.YearDay() {
				v *= float64(last.Hour()+1) / 24 // today so far
			}
			g.w.add(g.t.costs, g.t.costs.id(), c.source, c.account, c.service, c.region, day.Unix(), math.Round(v*100)/100, "USD")
		}
	}
	// Budgets sized near the current spend, so one is over and others under.
	created := g.start
	years := float64(g.plan.days) / 365
	var aws, gcp, ec2 float64
	for _, c := range costLines {
		monthly := c.base * math.Pow(1+c.growth, years) * 30.4
		if c.service == "Amazon RDS" {
			monthly *= 1.6
		}
		switch c.source {
		case "aws":
			aws += monthly
		case "gcp":
			gcp += monthly
		}
		if c.service == "Amazon EC2" {
			ec2 = monthly
		}
	}
	budget := func(name, source, service string, amount float64) {
		g.w.add(g.t.budgets, g.t.budgets.id(), demoNamePrefix+name, source, service, math.Round(amount/100)*100, "USD", created)
	}
	budget("Cloud total", "", "", (aws+gcp)*1.1)
	budget("AWS", "aws", "", aws*0.95)
	budget("GCP", "gcp", "", gcp*1.2)
	budget("EC2", "aws", "Amazon EC2", ec2*1.05)
}

// makeViews saves two dashboard views: a team's quarter and the user's month.
func (g *gen) makeViews() {
	t := g.now - 86400*3
	g.w.add(g.t.views, g.t.views.id(), "Platform — last 90 days", demoSlugPrefix+"platform-90d", "organization",
		"range=90d&team="+fmt.Sprint(g.teams[0].id)+"&group=week", t, t)
	g.w.add(g.t.views, g.t.views.id(), "My month", demoSlugPrefix+"my-month", "individual",
		"range=30d&person="+fmt.Sprint(g.me.id)+"&group=day", t, t)
}
