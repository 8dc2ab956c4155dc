package metric

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"sort"
)

// The stages of a merged pull request, in order.
var cycleStages = []struct{ id, label string }{
	{"coding", "Coding"}, {"pickup", "Pickup"}, {"review", "Review"}, {"deploy", "Deploy"},
}

// StageStat is one stage of the cycle-time breakdown.
type StageStat struct {
	Stage string `json:"stage"`
	Label string `json:"label"`
	Stat
	// Share is the stage's mean ÷ the sum of the stages' means (0–1).
	Share      float64 `json:"share"`
	Bottleneck bool    `json:"bottleneck"`
}

// RepoStages is a repository's mean hours per stage (the bottleneck heatmap).
type RepoStages struct {
	Repo  string         `json:"repo"`
	PRs   int            `json:"prs"`
	Hours map[string]any `json:"hours"` // stage → mean hours, null when no PR went through it
}

// prStages are one pull request's stage durations in hours; ok[i] is false
// when the pull request did not go through stage i.
type prStages struct {
	day    int
	merged int64
	repo   int64
	hours  [4]float64
	ok     [4]bool
	total  float64
}

func cycleTime(ctx context.Context, q *querier, p Period) (*Values, error) {
	where, args := p.scope("pr.merged_at", "pr.repo_id", "pr.person_id")
	bots := p.humans("pr.person_id")
	var prs []prStages
	var prIDs []int64
	var noReview float64
	// In id order, sorted here: an ORDER BY led SQLite to walk the whole
	// table in id order for an older range (stat4 saw it as wide).
	// Repositories are named once, below, not joined to every pull request;
	// an unknown first commit or review reads 0 (a timestamp is never 0),
	// cheaper to scan than a NULL.
	err := q.each(ctx, `SELECT pr.id, pr.merged_at, pr.created_at, COALESCE(pr.ready_at, pr.created_at),
			COALESCE(pr.first_commit_at, 0), COALESCE(pr.first_review_at, 0), pr.repo_id
		FROM pull_requests pr WHERE `+where+bots, args,
		func(rows *sql.Rows) error {
			var id, merged, created, ready, firstCommit, firstReview int64
			var x prStages
			if err := rows.Scan(&id, &merged, &created, &ready, &firstCommit, &firstReview, &x.repo); err != nil {
				return err
			}
			x.day, x.merged = int((merged-p.Start())/86400), merged
			// Coding: first commit → opened, floored at 0.
			// Cycle time: first commit (when known, else opened) → merged.
			start := created
			if firstCommit != 0 {
				x.hours[0], x.ok[0] = hoursBetween(firstCommit, created), true
				start = firstCommit
			}
			x.total = hoursBetween(start, merged)
			// Pickup: ready for review (opened, or out of draft) → first
			// review or comment by someone else; review: → merged. A pull
			// request merged without one went through neither.
			if firstReview != 0 && firstReview <= merged {
				x.hours[1], x.ok[1] = hoursBetween(max(created, ready), firstReview), true
				x.hours[2], x.ok[2] = hoursBetween(firstReview, merged), true
			} else {
				noReview++
			}
			prIDs = append(prIDs, id)
			prs = append(prs, x)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("unable to read merged pull requests: %w", err)
	}
	byID := make([]int, len(prs))
	for i := range byID {
		byID[i] = i
	}
	slices.SortFunc(byID, func(a, b int) int { return cmp.Compare(prIDs[a], prIDs[b]) })
	sorted := make([]prStages, len(prs))
	ids := make(map[int64]int, len(prs))
	for i, j := range byID {
		sorted[i] = prs[j]
		ids[prIDs[j]] = i
	}
	prs = sorted
	deployed, err := q.deployedAfterMerge(ctx, p, bots)
	if err != nil {
		return nil, err
	}
	for id, at := range deployed {
		if i, ok := ids[id]; ok {
			prs[i].hours[3], prs[i].ok[3] = hoursBetween(prs[i].merged, at), true
		}
	}

	b := newBuckets(p)
	var stageHours [4][]float64
	bucketStage := make([][4][]float64, len(b.starts))
	bucketTotal := make([][]float64, len(b.starts))
	var totals []float64
	type repoAcc struct {
		n     int
		hours [4][]float64
	}
	repos := map[int64]*repoAcc{}
	for _, x := range prs {
		totals = append(totals, x.total)
		ra := repos[x.repo]
		if ra == nil {
			ra = &repoAcc{}
			repos[x.repo] = ra
		}
		ra.n++
		bi := -1
		if x.day >= 0 && x.day < len(b.ofDay) {
			bi = b.ofDay[x.day]
			bucketTotal[bi] = append(bucketTotal[bi], x.total)
		}
		for s := range cycleStages {
			if !x.ok[s] {
				continue
			}
			stageHours[s] = append(stageHours[s], x.hours[s])
			ra.hours[s] = append(ra.hours[s], x.hours[s])
			if bi >= 0 {
				bucketStage[bi][s] = append(bucketStage[bi][s], x.hours[s])
			}
		}
	}

	// Sorted once here: every figure below sorts a copy of its values, which
	// is then already in order (the sorts were a sixth of the time).
	slices.Sort(totals)
	for i := range stageHours {
		slices.Sort(stageHours[i])
	}
	s := map[string]float64{
		"prs":                   float64(len(prs)),
		"merged_without_review": noReview,
		"prs_deployed":          float64(len(stageHours[3])),
	}
	putDistribution(s, "cycle_time", "hours", totals)
	stages := make([]StageStat, len(cycleStages))
	var meanSum float64
	for i, st := range cycleStages {
		putDistribution(s, st.id, "hours", stageHours[i])
		stages[i] = StageStat{Stage: st.id, Label: st.label, Stat: statOf(stageHours[i])}
		meanSum += stages[i].Mean
	}
	top := -1
	for i := range stages {
		stages[i].Share = ratio(stages[i].Mean, meanSum)
		if stages[i].Count > 0 && (top < 0 || stages[i].Share > stages[top].Share) {
			top = i
		}
	}
	var bottleneck any
	if top >= 0 && meanSum > 0 {
		stages[top].Bottleneck = true
		bottleneck = map[string]any{"stage": stages[top].Stage, "label": stages[top].Label, "share": stages[top].Share}
		s["bottleneck_share"] = stages[top].Share
	} else {
		s["bottleneck_share"] = math.NaN()
	}

	series := make([]Point, len(b.starts))
	for i, start := range b.starts {
		pt := Point{"bucket": start.Format(dateLayout), "prs": float64(len(bucketTotal[i]))}
		for si, st := range cycleStages {
			pt[st.id+"_hours"] = meanOrNil(bucketStage[i][si])
		}
		pt["cycle_time_median_hours"] = medianOrNil(bucketTotal[i])
		series[i] = pt
	}

	names, err := q.repoNames(ctx, nil)
	if err != nil {
		return nil, err
	}
	byRepo := make([]RepoStages, 0, len(repos))
	for id, ra := range repos {
		rs := RepoStages{Repo: names[id], PRs: ra.n, Hours: map[string]any{}}
		for si, st := range cycleStages {
			rs.Hours[st.id] = meanOrNil(ra.hours[si])
		}
		byRepo = append(byRepo, rs)
	}
	sort.Slice(byRepo, func(i, j int) bool {
		if byRepo[i].PRs != byRepo[j].PRs {
			return byRepo[i].PRs > byRepo[j].PRs
		}
		return byRepo[i].Repo < byRepo[j].Repo
	})
	if len(byRepo) > 12 {
		byRepo = byRepo[:12]
	}

	return &Values{
		Summary: s,
		Series:  series,
		Columns: []string{"bucket", "prs", "coding_hours", "pickup_hours", "review_hours", "deploy_hours", "cycle_time_median_hours"},
		Tables: map[string]any{
			"stages":     stages,
			"bottleneck": bottleneck,
			"cycle_time": histogram(totals, cycleTimeBounds),
			"by_repo":    byRepo,
		},
	}, nil
}

// repoNames maps repository IDs to their full names: those of ids, or all
// when ids is nil.
func (q *querier) repoNames(ctx context.Context, ids []int64) (map[int64]string, error) {
	names := map[int64]string{}
	err := q.each(ctx, `SELECT id, full_name FROM repositories WHERE 1 = 1`+idList("id", ids), nil, func(rows *sql.Rows) error {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return err
		}
		names[id] = name
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("unable to name repositories: %w", err)
	}
	return names, nil
}
