package metric

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
)

// A deployment counts on the instant it finished: when the change was
// running in production. Only successful production deployments count as
// deployments; failed ones are reported beside them.
const productionSuccess = `d.is_production AND d.status = 'success'`

// DORA tiers (State of DevOps 2023), from the lowest: 1 low, 2 medium,
// 3 high, 4 elite; 0 when there is nothing to rate.
var doraTierNames = []string{"none", "low", "medium", "high", "elite"}

// deploymentFrequencyTier rates deployments per day: elite deploys daily or
// more (on demand), high at least weekly, medium at least monthly.
func deploymentFrequencyTier(perDay float64) int {
	switch {
	case perDay <= 0:
		return 0
	case perDay >= 1:
		return 4
	case perDay >= 1.0/7:
		return 3
	case perDay >= 12/365.25:
		return 2
	}
	return 1
}

// leadTimeTier rates the median lead time for changes (hours): elite under a
// day, high under a week, medium under a month (30 days).
func leadTimeTier(medianHours float64, n int) int {
	switch {
	case n == 0:
		return 0
	case medianHours < 24:
		return 4
	case medianHours < 168:
		return 3
	case medianHours < 720:
		return 2
	}
	return 1
}

// DoraRating is a tier beside the figure it rates.
type DoraRating struct {
	Tier  string  `json:"tier"` // elite, high, medium, low, none
	Rank  int     `json:"rank"` // 4 elite … 1 low, 0 none
	Value float64 `json:"value"`
	Unit  string  `json:"unit"`
	Rule  string  `json:"rule"`
}

// LeadTimeStage is one stage of the lead time for changes, in hours.
type LeadTimeStage struct {
	Stage string `json:"stage"`
	Label string `json:"label"`
	Stat
}

// shippedBy restricts deployments d to those that shipped a pull request by
// the people of the filter (a person or a team's members), or is "".
func (p Period) shippedBy() string {
	in := p.personIn("pr.person_id")
	if in == "" {
		return ""
	}
	return ` AND (EXISTS (SELECT 1 FROM deployment_pull_requests dp JOIN pull_requests pr ON pr.id = dp.pr_id
			WHERE dp.deployment_id = d.id AND d.finished_at >= pr.merged_at` + in + `)
		OR EXISTS (SELECT 1 FROM pull_requests pr WHERE d.commit_sha <> '' AND pr.merge_commit_sha = d.commit_sha
			AND pr.repo_id = d.repo_id AND d.finished_at >= pr.merged_at` + in + `))`
}

// deployedPR is a merged pull request and the first successful production
// deployment that shipped it.
type deployedPR struct {
	id, firstCommit, merged, deployed int64
}

// firstDeployments finds the pull requests whose first successful production
// deployment finished in the period. A deployment ships a pull request when
// deployment_pull_requests links them or when it deployed the merge commit
// itself; one that finished before the merge cannot contain it and is
// ignored, so a link recorded before the merge commit was known does not
// make a negative lead time.
//
// Without a repository filter (which is on the deployment's repository) this
// is the pull requests whose first deployment, rolled up in pr_deploys,
// finished in the period.
func (q *querier) firstDeployments(ctx context.Context, p Period) ([]deployedPR, error) {
	where, args := p.scope("d.finished_at", "d.repo_id", "")
	query := `SELECT pr.id, COALESCE(pr.first_commit_at, pr.created_at), pr.merged_at, MIN(x.deployed)
		FROM (
			SELECT dp.pr_id AS pr_id, d.finished_at AS deployed FROM deployments d
			JOIN deployment_pull_requests dp ON dp.deployment_id = d.id
			WHERE ` + productionSuccess + ` AND ` + where + `
			UNION ALL
			SELECT pr.id, d.finished_at FROM deployments d
			JOIN pull_requests pr ON pr.merge_commit_sha = d.commit_sha AND pr.repo_id = d.repo_id
			WHERE ` + productionSuccess + ` AND d.commit_sha <> '' AND ` + where + `
		) x JOIN pull_requests pr ON pr.id = x.pr_id
		WHERE pr.merged_at IS NOT NULL AND x.deployed >= pr.merged_at` + p.personIn("pr.person_id") + `
		AND (pr.merged_at >= $1 OR NOT EXISTS (
				SELECT 1 FROM deployment_pull_requests dp JOIN deployments d ON d.id = dp.deployment_id
				WHERE dp.pr_id = pr.id AND ` + productionSuccess + ` AND d.finished_at >= pr.merged_at AND d.finished_at < $1)
			AND NOT EXISTS (
				SELECT 1 FROM deployments d WHERE pr.merge_commit_sha <> '' AND d.commit_sha = pr.merge_commit_sha
				AND d.repo_id = pr.repo_id AND ` + productionSuccess + ` AND d.finished_at >= pr.merged_at AND d.finished_at < $1))
		GROUP BY pr.id, pr.first_commit_at, pr.created_at, pr.merged_at
		ORDER BY pr.id`
	if p.Filter.repoIDs == nil {
		rolled, err := q.prDeploysRollup(ctx)
		if err != nil {
			return nil, err
		}
		if rolled {
			// Sorted by id below: an ORDER BY could walk the primary key.
			query = `SELECT pr.pr_id, pr.start_at, pr.merged_at, pr.deployed_at FROM rollup_pr_deploys pr
				WHERE pr.deployed_at >= $1 AND pr.deployed_at < $2` + p.personIn("pr.person_id")
		}
	}
	var out []deployedPR
	err := q.each(ctx, query, args, func(rows *sql.Rows) error {
		var d deployedPR
		if err := rows.Scan(&d.id, &d.firstCommit, &d.merged, &d.deployed); err != nil {
			return err
		}
		out = append(out, d)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("unable to read deployed pull requests: %w", err)
	}
	slices.SortFunc(out, func(a, b deployedPR) int { return cmp.Compare(a.id, b.id) })
	return out, nil
}

// deployedAfterMerge maps pull requests merged in the period to the instant
// their first successful production deployment finished (up to now), by the
// same rule as firstDeployments; from the pr_deploys rollup unless q.raw.
func (q *querier) deployedAfterMerge(ctx context.Context, p Period, prFilter string) (map[int64]int64, error) {
	where, args := p.scope("pr.merged_at", "pr.repo_id", "pr.person_id")
	query := firstProductionDeploy("pr.id", p.repoIn("pr.repo_id")+p.personIn("pr.person_id")+prFilter)
	rolled, err := q.prDeploysRollup(ctx)
	if err != nil {
		return nil, err
	}
	if rolled {
		query = `SELECT pr.pr_id, pr.deployed_at FROM rollup_pr_deploys pr WHERE ` + where + prFilter
	}
	out := map[int64]int64{}
	err = q.each(ctx, query, args, func(rows *sql.Rows) error {
		var id, at int64
		if err := rows.Scan(&id, &at); err != nil {
			return err
		}
		out[id] = at
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("unable to find deployments of merged pull requests: %w", err)
	}
	return out, nil
}

func deploymentsMetric(ctx context.Context, q *querier, p Period) (*Values, error) {
	where, args := p.scope("d.finished_at", "d.repo_id", "")
	ok, failed := map[int]float64{}, map[int]float64{}
	err := q.each(ctx, `SELECT (d.finished_at - $1) / 86400, d.status, COUNT(*) FROM deployments d
		WHERE d.is_production AND d.status IN ('success', 'failure') AND `+where+p.shippedBy()+` GROUP BY 1, 2`, args,
		func(rows *sql.Rows) error {
			var day int
			var status string
			var n float64
			if err := rows.Scan(&day, &status, &n); err != nil {
				return err
			}
			if status == "success" {
				ok[day] += n
			} else {
				failed[day] += n
			}
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("unable to count deployments: %w", err)
	}

	prs, err := q.firstDeployments(ctx, p)
	if err != nil {
		return nil, err
	}
	b := newBuckets(p)
	var release, toMerge, toProd []float64
	perBucket := make([][]float64, len(b.starts))
	for _, d := range prs {
		total := hoursBetween(d.firstCommit, d.deployed)
		release = append(release, total)
		toMerge = append(toMerge, hoursBetween(d.firstCommit, d.merged))
		toProd = append(toProd, hoursBetween(d.merged, d.deployed))
		if i := int((d.deployed - p.Start()) / 86400); i >= 0 && i < len(b.ofDay) {
			perBucket[b.ofDay[i]] = append(perBucket[b.ofDay[i]], total)
		}
	}

	days := float64(daysBetween(p.From, p.To) + 1)
	n := sum(ok)
	perDay := n / days
	s := map[string]float64{
		"deployments":           n,
		"failed_deployments":    sum(failed),
		"deploy_days":           float64(len(ok)),
		"deployments_per_day":   perDay,
		"deployments_per_week":  perDay * 7,
		"deployments_per_month": perDay * 365.25 / 12,
		"prs_deployed":          float64(len(prs)),
	}
	putDistribution(s, "release_cycle_time", "hours", release)
	putDistribution(s, "commit_to_merge", "hours", toMerge)
	putDistribution(s, "merge_to_production", "hours", toProd)
	freqTier := deploymentFrequencyTier(perDay)
	leadTier := leadTimeTier(s["release_cycle_time_median_hours"], len(release))
	s["deployment_frequency_tier"] = float64(freqTier)
	s["lead_time_tier"] = float64(leadTier)

	fields := []string{"deployments", "failed_deployments"}
	series := b.series(fields, ok, failed)
	for i, pt := range series {
		pt["lead_time_median_hours"] = medianOrNil(perBucket[i])
	}
	return &Values{
		Summary: s,
		Series:  series,
		Columns: []string{"bucket", "deployments", "failed_deployments", "lead_time_median_hours"},
		Tables: map[string]any{
			"dora": map[string]DoraRating{
				"deployment_frequency": {Tier: doraTierNames[freqTier], Rank: freqTier, Value: perDay * 7, Unit: "per week",
					Rule: "elite: daily or more; high: weekly or more; medium: monthly or more; low: less often"},
				"lead_time": {Tier: doraTierNames[leadTier], Rank: leadTier, Value: statOf(release).Median, Unit: "hours (median)",
					Rule: "elite: under a day; high: under a week; medium: under a month; low: a month or more"},
			},
			"lead_time_stages": []LeadTimeStage{
				{Stage: "commit_to_merge", Label: "First commit → merge", Stat: statOf(toMerge)},
				{Stage: "merge_to_production", Label: "Merge → production", Stat: statOf(toProd)},
			},
			"release_cycle_time": histogram(release, cycleTimeBounds),
		},
	}, nil
}
