package metric

// The product's metrics in the order of PRODUCT.md. All are listed, so that
// `momentum metrics` and the UI show the whole catalogue; a metric is
// available once it has a compute function.
func init() {
	for _, d := range []Definition{
		{ID: "deployments", Title: "Deployments", View: "organization", Family: "delivery",
			Description: "Successful production deployments per bucket, counted when they finished (failed ones beside them); frequency per day, week and month; " +
				"release cycle time = a merged PR's first commit → the first successful production deployment that shipped it (linked to the PR, or of its merge commit, and finished after the merge), " +
				"split into first commit → merge and merge → production (hours: mean, median, p75, p95). DORA tiers: deployment frequency elite ≥ 1 a day, high ≥ 1 a week, medium ≥ 1 a month, low below; " +
				"lead time (median release cycle time) elite < 1 day, high < 1 week, medium < 30 days, low above. A contributor or team filter keeps deployments that shipped their PRs.",
			compute: deploymentsMetric},
		{ID: "commit-pr-activity", Title: "Commit & PR activity", View: "organization", Family: "delivery",
			Description: "Commits per bucket (by author date); pull requests opened and merged; merge rate = merged ÷ (merged + closed unmerged); " +
				"time to merge = merged − opened, in hours (mean, median, p75, p95); PR size by lines changed: XS<10, S<50, M<250, L<1000, XL≥1000.",
			compute: commitPRActivity},
		{ID: "cycle-time", Title: "Cycle time", View: "organization", Family: "delivery",
			Description: "Per PR merged in the range, in hours: coding = first commit → opened (floored at 0); pickup = ready for review (opened, or out of draft) → first review or comment by someone else (bots excluded); " +
				"review = first review → merged; deploy = merged → first successful production deployment that shipped it. A PR merged without review has no pickup or review stage and is counted apart; " +
				"one not deployed yet has no deploy stage. Cycle time = first commit → merged. Each stage: mean, median, p75, p95; bottleneck = the stage with the largest share of the sum of the stage means. " +
				"PRs by bots are left out unless bots=true.",
			compute: cycleTime},
		{ID: "wip", Title: "Work in progress", View: "organization", Family: "delivery",
			Description: "Pull requests open at the end of the range (or now): by status — draft (until ready for review), waiting for review (no review yet), in review (reviewed, not approved), approved — " +
				"and by age (<1d, 1-3d, 3-7d, 7-14d, 14-30d, >30d; mean, median, p75, p95 hours); the trend is the same count at the end of each bucket. " +
				"Active branches: branches other than the default with a pipeline run or a PR opened in the 14 days up to then. " +
				"Open PRs per active author: open PRs of the people who opened a PR in the 30 days up to then ÷ those people. PRs by bots are left out unless bots=true.",
			compute: wip},
		{ID: "pipeline-success", Title: "Pipeline success", View: "organization", Family: "operational",
			Description: "Pipeline runs by the day they started; completed = succeeded or failed (cancelled runs are counted apart, in no rate). " +
				"Success rate = successes ÷ completed runs, for the range and the last 7, 30 and 90 days of it; rolling 30-day rate at the end of each bucket; " +
				"failures by hour × weekday and success rate by weekday (UTC). Stability score (0–100) = 100 × success rate × (1 − flip rate), " +
				"flip rate = share of consecutive completed runs of the same pipeline on the same branch whose outcome differs from the run before. " +
				"The contributor filter keeps the runs they triggered.",
			compute: pipelineSuccess},
		{ID: "pipeline-duration", Title: "Pipeline duration", View: "organization", Family: "operational",
			Description: "Durations of successful pipeline runs by the day they started, in minutes (the run's duration, or finished − started): mean, median (p50), p75, p95, p99 for the range and per bucket; " +
				"by stage (a job's stage, or its name) and step: mean duration and the minutes it adds to the average run, also per bucket; " +
				"box plots (quartiles, whiskers at 1.5 × IQR) for all runs and the busiest pipelines; the slowest pipelines by median. The contributor filter keeps the runs they triggered.",
			compute: pipelineDuration},
		{ID: "pipeline-failures", Title: "Pipeline failures", View: "organization", Family: "operational",
			Description: "Completed pipeline runs (succeeded or failed) by the day they started: failure rate = failed ÷ completed, per bucket and by triggering event; " +
				"by stage (a job's stage, or its name) and step: failed jobs ÷ completed jobs; the ten most frequent failure reasons; the ten jobs that fail most. " +
				"MTTR: for each failure episode that began in the range — a failed run of a pipeline on a branch whose previous completed run there succeeded — " +
				"the time from that run finishing to the next successful run of the pipeline on the branch finishing (hours: mean, median, p75, p95); episodes still failing are unrecovered. " +
				"The contributor filter keeps the runs they triggered.",
			compute: pipelineFailures},
		{ID: "infra-costs", Title: "Infrastructure costs", View: "organization", Family: "operational",
			Description: "Monthly total and trend, by service, cost per deployment, budget vs actual."},
		{ID: "coverage", Title: "Code coverage", View: "organization", Family: "quality",
			Description: "Test coverage over time, per repository."},
		{ID: "code-quality", Title: "Code quality", View: "organization", Family: "quality",
			Description: "Smells by severity, debt and debt ratio, complexity, maintainability rating, duplication."},
		{ID: "security", Title: "Security", View: "organization", Family: "quality",
			Description: "Open vulnerabilities by severity and type, mean time to resolution, aging, hotspots."},
		{ID: "review-quality", Title: "Review quality", View: "organization", Family: "quality",
			Description: "PRs merged in the range and what people other than the author did on them up to the merge (bots left out, as authors and reviewers, unless bots=true): " +
				"comments per PR (review and discussion comments, not system events; mean, median, p75, p95); review depth = review comments ÷ reviews; " +
				"depth classes by review comments (no review, reviewed without comments, 1-2, 3-5, 6-10, >10); share merged with no review (no review and no review comment) and with no comments; " +
				"approvals per PR and share approved; review threads (review comments that are not replies): share resolved and resolution time in hours.",
			compute: reviewQuality},
		{ID: "person-commits", Title: "Commits", View: "individual", Family: "contribution",
			Description: "One person's commits (all their accounts; without a person filter, the person marked as me), each on its local day in the author's own time zone (authored time + its UTC offset): " +
				"commits and active days per bucket, per day and per week. Current streak = consecutive days with a commit ending on the range's last day (or the day before, which may not be over yet), counted back however far it goes; " +
				"longest streak = the longest such run that reaches into the range, counted in full. Contribution calendar: commits per day for the year ending on the range's last day. " +
				"Commit size = lines added + removed, merges left out: XS<10, S<50, M<250, L<1000, XL≥1000.",
			compute: personCommitsMetric},
		{ID: "person-code", Title: "Code contribution", View: "individual", Family: "contribution",
			Description: "Lines added, removed and net (added − removed) per bucket of the author's local days; merge commits are left out (their lines are their parents'). " +
				"Languages: share of changed lines (added + removed) by the language of each file, from its name; binary files have no lines. " +
				"Repositories: commits and lines per repository, share = the repository's commits ÷ all the person's commits.",
			compute: personCode},
		{ID: "person-mrs", Title: "Pull requests", View: "individual", Family: "contribution",
			Description: "One person's pull requests as author (all their accounts; without a person filter, the person marked as me), in UTC days: opened (by creation), merged (by merge time), closed without merge per bucket; " +
				"success rate = merged ÷ (merged + closed unmerged) in the range; size = lines added + removed (mean, median, XS<10 … XL≥1000) and files changed; " +
				"iterations = review rounds of each merged PR (mean, median, histogram 0, 1, 2, 3, 4+); time to merge = merged − created, in hours.",
			compute: personMRs},
		{ID: "person-reviews", Title: "Reviews given", View: "individual", Family: "collaboration",
			Description: "Reviews the person gave on others' pull requests, by submission time: reviews per bucket and by state; " +
				"time to first review = the person's first review of a PR − the PR's ready-for-review time (opened, or out of draft), hours; " +
				"response time = that first review, or a later review − the author's first update (commit or comment) after the person's previous review; review comments written on others' PRs; " +
				"thoroughness (0–100) = 100 × (engagement + depth) ÷ 2 over the PRs reviewed in the range, engagement = share with at least one review comment of theirs, depth = min(1, their review comments per PR ÷ 3).",
			compute: personReviews},
		{ID: "person-reception", Title: "Reviews received", View: "individual", Family: "collaboration",
			Description: "Reviews the person's own pull requests received from others (bots left out): review comments that start a thread, reviews and reviewers; " +
				"time to address = comment → the first of the person's reply in its thread, their next commit on the PR, or its resolution (hours); resolution rate = addressed ÷ received; " +
				"iteration efficiency = merged PRs ÷ their review rounds (at least one each; 1 = every PR merged after one round); " +
				"collaboration score (0–100) = 100 × mean of the defined parts: addressed rate, reviewer breadth = min(1, distinct reviewers ÷ 3), reciprocity = min(1, reviews given ÷ reviews received).",
			compute: personReception},
		{ID: "person-patterns", Title: "Work patterns", View: "individual", Family: "patterns",
			Description: "From one person's commits, in the author's local time (authored time + its UTC offset): a 24×7 heatmap (weekday × hour), the weekday distribution and the daily rhythm (commits per hour of the day; share and per active day). " +
				"Focus session = a run of the person's commits at most 2 h apart (in real time, across repositories); its length = last commit − first commit + 30 min; " +
				"histogram (<1h, 1-2h, 2-4h, 4-6h, ≥6h), hours per bucket (by the session's first commit) and per week = focus hours ÷ days × 7. " +
				"Context switching: within a local day, a commit whose context (its pull request, or its repository when it belongs to none) differs from the commit before is a switch; switches per active day.",
			compute: personPatterns},
	} {
		d := d
		register(&d)
	}
}
