package demo

import (
	"fmt"
	"time"
)

// makePipelines writes a repository's GitHub Actions workflows: ci on every
// push, deploy for services, nightly end-to-end tests for a few.
func (g *gen) makePipelines(rp *repo) {
	add := func(pd *pipelineDef, name, file string) {
		pd.id, pd.name = g.t.pipelines.id(), name
		g.w.add(g.t.pipelines, pd.id, rp.id, demoSource, rp.fullName+"/"+file, name, ".github/workflows/"+file,
			fmt.Sprintf("https://github.com/%s/actions/workflows/%s", rp.fullName, file))
	}
	add(&rp.ci, "ci", "ci.yml")
	if rp.service {
		add(&rp.deploy, "deploy", "deploy.yml")
	}
	if rp.nightly {
		add(&rp.nightlyPl, "nightly", "nightly.yml")
	}
}

// run asks for one workflow run.
type run struct {
	pl      *pipelineDef
	branch  string
	sha     string
	event   string
	person  *person // who triggered it; nil for schedules
	t       int64   // the trigger
	mayFail float64 // scales the chance of a real (not flaky) failure
	env     string  // deploy runs: staging or production
}

type jobSpec struct {
	name, stage string
	after       int // index of the job it waits for, -1 for none
	median      float64
	steps       []string
}

var failureReasons = map[string][]string{
	"build":  {"compile error: undefined: config.Timeout", "dependency download failed: 502 Bad Gateway", "docker build: no space left on device", "type error: Property 'id' does not exist"},
	"lint":   {"golangci-lint: 3 issues (errcheck, staticcheck)", "eslint: 2 errors, 5 warnings", "gofmt: 2 files not formatted", "ruff: 4 errors"},
	"test":   {"FAIL TestRefundPartial: expected 1200, got 1199", "3 tests failed in checkout.test.tsx", "coverage 71.8% below threshold 75%", "FAILED tests/ingest/test_loader.py::test_schema_drift"},
	"flaky":  {"flaky: TestWebhookRetry timed out after 30s", "flaky: dial tcp 127.0.0.1:5432: connection refused", "flaky: e2e login step timed out waiting for selector", "flaky: race detected in TestCacheEviction"},
	"deploy": {"health check failed after rollout", "helm upgrade timed out after 10m0s", "migration lock timeout", "ImagePullBackOff: manifest unknown"},
}

// jobsFor lays out a workflow's jobs. Large data sets keep about two per run.
func (g *gen) jobsFor(rp *repo, pl *pipelineDef, env string, frac float64) []jobSpec {
	slower := 1 + 0.35*frac // suites grow over the years
	switch pl {
	case &rp.deploy:
		var steps []string
		if g.plan.fullJobs {
			steps = []string{"Roll out", "Smoke test"}
		}
		return []jobSpec{{"build-image", "build", -1, rp.buildMed * 1.4, nil}, {"deploy-" + env, "deploy", 0, 200, steps}}
	case &rp.nightlyPl:
		return []jobSpec{{"build", "build", -1, rp.buildMed, nil}, {"e2e", "test", 0, 1500 * slower, nil}}
	}
	if !g.plan.fullJobs {
		return []jobSpec{{"build", "build", -1, rp.buildMed, nil}, {"test", "test", 0, rp.testMed * slower, nil}}
	}
	return []jobSpec{
		{"build", "build", -1, rp.buildMed, nil},
		{"lint", "lint", 0, 50, nil},
		{"test", "test", 0, rp.testMed * slower, []string{"Run tests", "Upload coverage"}},
	}
}

// ciRun writes a workflow run with its jobs, and a second attempt when a
// flaky failure gets re-run. It returns the last attempt's id and status.
func (g *gen) ciRun(r rnd, rp *repo, o run) (int64, string, int64) {
	if o.pl.id == 0 {
		return 0, "", 0
	}
	start := o.t + r.secs(25, 0.8) // queued
	o.pl.number++                  // numbered even when not yet started: numbers do not depend on Now
	number := o.pl.number
	if start > g.now {
		return 0, "", 0
	}
	ext := g.nextExternal()
	frac := float64(o.t-g.start) / float64(g.now-g.start)
	jobs := g.jobsFor(rp, o.pl, o.env, frac)

	// What goes wrong: real failures cluster on lint and test, deploys fail
	// at the roll-out, and some tests flake.
	failJob, reason, flaky, cancelled := -1, "", false, false
	rate := rp.failRate * o.mayFail
	switch o.pl {
	case &rp.deploy:
		rate = 0.06
		if o.env == "staging" {
			rate = 0.04
		}
	case &rp.nightlyPl:
		rate = 0.05
	}
	switch u := r.Float64(); {
	case o.mayFail > 0 && u < 0.012:
		cancelled = true
	case u < rate:
		w := []float64{0.2, 0.35, 0.45} // build, lint, test
		if len(jobs) == 2 {
			w = []float64{0.2, 0.8}
		}
		failJob = newWeighted(w).pick(r)
		stage := jobs[failJob].stage
		reason = pick(r, failureReasons[stage])
	case u < rate+rp.flaky*(1+2*boolf(o.pl == &rp.nightlyPl)):
		flaky = true
		failJob = len(jobs) - 1
		if o.pl == &rp.deploy {
			failJob = 0
		}
		reason = pick(r, failureReasons["flaky"])
	}

	var personID any
	if o.person != nil {
		personID = o.person.id
	}
	var id int64
	var status string
	var finished int64
	for attempt := 1; attempt <= 2; attempt++ {
		id = g.t.runs.id()
		ends := make([]int64, len(jobs))
		starts := make([]int64, len(jobs))
		type jobOut struct {
			status   string
			started  int64
			finished int64
			reason   string
		}
		outs := make([]jobOut, len(jobs))
		runEnd := start
		failed := false
		for k, j := range jobs {
			js := start
			if j.after >= 0 {
				js = ends[j.after] + int64(3+r.IntN(15))
				if outs[j.after].status != "success" {
					outs[k] = jobOut{status: "skipped"}
					continue
				}
			}
			d := r.secs(j.median, 0.3)
			st := "success"
			why := ""
			if k == failJob {
				st, why = "failure", reason
				d = max(5, int64(float64(d)*(0.2+0.8*r.Float64())))
				failed = true
			}
			if cancelled && k == len(jobs)-1 {
				st = "cancelled"
				d = max(5, d/3)
			}
			starts[k], ends[k] = js, js+d
			outs[k] = jobOut{status: st, started: js, finished: js + d, reason: why}
			runEnd = max(runEnd, js+d)
		}
		finished = runEnd + int64(2+r.IntN(8))
		status = "success"
		switch {
		case cancelled:
			status = "cancelled"
		case failed:
			status = "failure"
		}
		extID := fmt.Sprint(ext)
		url := fmt.Sprintf("https://github.com/%s/actions/runs/%d", rp.fullName, ext)
		if attempt > 1 {
			extID += fmt.Sprintf("-%d", attempt)
			url += fmt.Sprintf("/attempts/%d", attempt)
		}
		running := finished > g.now
		if running {
			status = "running"
		}
		runReason := ""
		if status == "failure" {
			runReason = reason
		}
		g.w.add(g.t.runs, id, o.pl.id, rp.id, extID, number, o.branch, o.sha, o.event, status, attempt, personID,
			start, nullable(finished, !running), nullable(finished-start, !running), runReason, url)
		for k, j := range jobs {
			out := outs[k]
			jid := g.t.jobs.id()
			jstatus, started, fin := out.status, nullable(out.started, out.started != 0 && out.started <= g.now), nullable(out.finished, out.finished != 0 && out.finished <= g.now)
			switch {
			case out.started > g.now:
				jstatus = "queued"
			case out.finished > g.now:
				jstatus = "running"
			}
			var dur any
			if fin != nil {
				dur = out.finished - out.started
			}
			g.w.add(g.t.jobs, jid, id, nil, fmt.Sprint(g.nextExternal()), j.name, j.stage, jstatus, started, fin, dur, out.reason)
			if started == nil || jstatus == "skipped" {
				continue
			}
			steps := j.steps
			if len(steps) == 0 && out.status == "failure" {
				// The failing step, so failures can be told apart by step.
				steps = []string{map[string]string{"build": "Build", "lint": "Lint", "test": "Run tests", "deploy": "Roll out"}[j.stage]}
			}
			ss := out.started
			for si, s := range steps {
				sd := (out.finished - out.started) / int64(len(steps))
				sst, sreason := "success", ""
				if si == len(steps)-1 && out.status != "success" {
					sst, sreason = out.status, out.reason
				}
				se := ss + sd
				if si == len(steps)-1 {
					se = out.finished
				}
				if ss > g.now {
					break
				}
				sfin := nullable(se, se <= g.now)
				var sdur any
				if sfin != nil {
					sdur = se - ss
				} else {
					sst = "running"
				}
				g.w.add(g.t.jobs, g.t.jobs.id(), id, jid, fmt.Sprint(g.nextExternal()), s, j.stage, sst, ss, sfin, sdur, sreason)
				ss = se
			}
		}
		// A flaky failure is re-run by hand, usually green the second time.
		if !flaky || status != "failure" || attempt == 2 || !r.chance(0.85) {
			break
		}
		by := o.person
		if by == nil || by.bot {
			by = rp.reviewers[r.IntN(len(rp.reviewers))]
		}
		start = by.when(r, finished+r.secs(15*60, 0.8))
		if start > g.now {
			break
		}
		personID = by.id
		if !r.chance(0.12) {
			failJob, flaky = -1, false
		}
	}
	return id, status, finished
}

func boolf(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// makeNightly runs the nightly workflow just before midnight UTC on the
// latest default-branch commit; long suites finish the next day.
func (g *gen) makeNightly(rp *repo, main []mainCommit, end int64) {
	if !rp.nightly || len(main) == 0 {
		return
	}
	k := -1
	for d := 0; d <= g.plan.days; d++ {
		day := g.day0.AddDate(0, 0, d)
		if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
			continue // cron: 40 23 * * 1-5
		}
		r := g.itemRand(streamNightly, rp.idx, d, 0)
		t := day.Unix() + 23*3600 + 40*60 + int64(r.IntN(600))
		if t > end {
			break
		}
		for k+1 < len(main) && main[k+1].t <= t {
			k++
		}
		if k < 0 {
			continue
		}
		g.ciRun(r, rp, run{pl: &rp.nightlyPl, branch: "main", sha: main[k].sha, event: "schedule", t: t, mayFail: 1})
	}
}

// makeDeployments deploys every default-branch commit to staging and, at the
// repository's cadence, the latest one to production, linking the pull
// requests each deployment ships.
func (g *gen) makeDeployments(rp *repo, main []mainCommit) {
	if !rp.service || len(main) == 0 {
		return
	}
	deploy := func(r rnd, env string, mc mainCommit, by *person, t int64, event string, prs []int64) bool {
		runID, status, finished := g.ciRun(r, rp, run{pl: &rp.deploy, branch: "main", sha: mc.sha, event: event, person: by, t: t, mayFail: 1, env: env})
		if runID == 0 {
			return false
		}
		id := g.t.deployments.id()
		dstatus := status
		switch status {
		case "running":
			dstatus = "in_progress"
		case "cancelled":
			dstatus = "cancelled"
		}
		var personID any
		if by != nil {
			personID = by.id
		}
		g.w.add(g.t.deployments, id, rp.id, demoSource, fmt.Sprint(g.nextExternal()), env, env == "production", dstatus,
			mc.sha, "main", runID, personID, t+60, nullable(finished, finished <= g.now),
			fmt.Sprintf("https://github.com/%s/deployments/%s", rp.fullName, env))
		for _, pr := range prs {
			g.w.add(g.t.deploymentPRs, id, pr)
		}
		return dstatus == "success"
	}

	// Staging: every push to main.
	var pending []int64
	for j, mc := range main {
		if mc.prID != 0 {
			pending = append(pending, mc.prID)
		}
		r := g.itemRand(streamStaging, rp.idx, j, 0)
		if deploy(r, "staging", mc, mc.person, mc.t+int64(30+r.IntN(90)), "push", pending) {
			pending = pending[:0]
		}
	}

	// Production: someone on the team ships main now and then; a failed
	// deploy is followed by a quick retry.
	pending = pending[:0]
	k, lastSHA := -1, ""
	t := main[0].t
	retry := false
	for i := 0; ; i++ {
		r := g.itemRand(streamProduction, rp.idx, i, 0)
		by := rp.reviewers[r.IntN(len(rp.reviewers))]
		gap := r.secs(rp.cadence*3600, 0.6)
		if retry {
			gap = r.secs(80*60, 0.7)
		}
		t = by.when(r, t+gap)
		if t > g.now || rp.archivedAt != 0 && t > rp.archivedAt {
			return
		}
		for k+1 < len(main) && main[k+1].t <= t {
			k++
			if main[k].prID != 0 {
				pending = append(pending, main[k].prID)
			}
		}
		if k < 0 || main[k].sha == lastSHA {
			retry = false
			continue
		}
		ok := deploy(r, "production", main[k], by, t, "workflow_dispatch", pending)
		retry = !ok
		if ok {
			lastSHA = main[k].sha
			pending = pending[:0]
		}
		// Keep the weekday rhythm: no deploy follows within the hour.
		t += int64(time.Hour / time.Second)
	}
}
