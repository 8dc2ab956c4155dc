package bitbucket

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/momentum-app/momentum/backend/source"
)

type pullRequest struct {
	ID        int64      `json:"id"`
	Title     string     `json:"title"`
	State     string     `json:"state"`
	Draft     bool       `json:"draft"`
	Author    *user      `json:"author"`
	CreatedOn *time.Time `json:"created_on"`
	UpdatedOn *time.Time `json:"updated_on"`
	Source    struct {
		Branch struct {
			Name string `json:"name"`
		} `json:"branch"`
	} `json:"source"`
	Destination struct {
		Branch struct {
			Name string `json:"name"`
		} `json:"branch"`
	} `json:"destination"`
	MergeCommit *struct {
		Hash string `json:"hash"`
	} `json:"merge_commit"`
	Links links `json:"links"`
}

type prComment struct {
	ID        int64      `json:"id"`
	CreatedOn *time.Time `json:"created_on"`
	Content   struct {
		Raw string `json:"raw"`
	} `json:"content"`
	User    *user `json:"user"`
	Deleted bool  `json:"deleted"`
	Inline  *struct {
		Path string `json:"path"`
	} `json:"inline"`
	Parent *struct {
		ID int64 `json:"id"`
	} `json:"parent"`
	Resolution *struct {
		CreatedOn *time.Time `json:"created_on"`
	} `json:"resolution"`
}

type activity struct {
	Update *struct {
		State  string     `json:"state"`
		Date   *time.Time `json:"date"`
		Author *user      `json:"author"`
		Source struct {
			Commit *struct {
				Hash string `json:"hash"`
			} `json:"commit"`
		} `json:"source"`
	} `json:"update"`
	Approval *struct {
		Date *time.Time `json:"date"`
		User *user      `json:"user"`
	} `json:"approval"`
	ChangesRequested *struct {
		Date *time.Time `json:"date"`
		User *user      `json:"user"`
	} `json:"changes_requested"`
}

// prState maps Bitbucket's states to open, merged, closed.
func prState(s string) string {
	switch s {
	case "MERGED":
		return "merged"
	case "DECLINED", "SUPERSEDED":
		return "closed"
	default:
		return "open"
	}
}

// runPullRequests stores the pull requests updated since the window start
// (q=updated_on>=, sort=-updated_on, stopping at the first older one) and,
// for each, its commits (replaced: a force-pushed branch leaves no old
// commits), its comments (inline ones are reviews; deleted ones are
// dropped) and its activity, which dates merges, declines, approvals,
// change requests and pushes:
//
//   - reviews: each approval and change request, and per review round one
//     "commented" review per reviewer who commented in it;
//   - first_review_at: the first comment, approval or change request by
//     someone other than the author (bots excluded);
//   - approved_at: the first approval; review_rounds: runs of reviewer
//     activity separated by pushes (an update with a new source commit).
//
// An unchanged repository costs one request; a changed pull request three
// more (commits, comments, activity).
func runPullRequests(ctx context.Context, job *source.Job) error {
	a := newAPI(job)
	rs, err := repos(ctx, job)
	if err != nil {
		return err
	}
	who := newPeople(job)
	ws := job.Config.Get(KeyWorkspace)
	since := job.Window.Start.UTC().Format("2006-01-02T15:04:05-07:00")
	for _, r := range rs {
		q := url.Values{"state": {"OPEN", "MERGED", "DECLINED", "SUPERSEDED"}, "sort": {"-updated_on"}, "pagelen": {"50"},
			"q": {"updated_on >= " + since}}
		err := each(ctx, a, a.url(q, "repositories", ws, r.slug, "pullrequests"), func(pr pullRequest) (bool, error) {
			if pr.UpdatedOn != nil && pr.UpdatedOn.Before(job.Window.Start) {
				return false, nil
			}
			if err := storePullRequest(ctx, job, a, who, ws, r, pr); err != nil {
				return false, err
			}
			job.AddItems(1)
			return true, nil
		})
		if err != nil {
			return fmt.Errorf("bitbucket: unable to collect the pull requests of %s: %w", r.fullName, err)
		}
	}
	return nil
}

func storePullRequest(ctx context.Context, job *source.Job, a *api, who *people, ws string, r repo, pr pullRequest) error {
	base := []string{"repositories", ws, r.slug, "pullrequests", strconv.FormatInt(pr.ID, 10)}
	sub := func(s string) []string { return append(append([]string{}, base...), s) }
	what := fmt.Sprintf("pull request #%d of %s", pr.ID, r.fullName)

	var shas []string
	var firstCommit *time.Time
	err := each(ctx, a, a.url(url.Values{"pagelen": {"100"}}, sub("commits")...), func(c commit) (bool, error) {
		shas = append(shas, c.Hash)
		if c.Date != nil && (firstCommit == nil || c.Date.Before(*firstCommit)) {
			firstCommit = c.Date
		}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("commits of %s: %w", what, err)
	}
	var comments []prComment
	if err := each(ctx, a, a.url(url.Values{"pagelen": {"100"}}, sub("comments")...), func(c prComment) (bool, error) {
		if !c.Deleted {
			comments = append(comments, c)
		}
		return true, nil
	}); err != nil {
		return fmt.Errorf("comments of %s: %w", what, err)
	}
	var acts []activity
	if err := each(ctx, a, a.url(url.Values{"pagelen": {"50"}}, sub("activity")...), func(v activity) (bool, error) {
		acts = append(acts, v)
		return true, nil
	}); err != nil {
		return fmt.Errorf("activity of %s: %w", what, err)
	}

	author, err := who.account(ctx, pr.Author, "")
	if err != nil {
		return err
	}
	created := unix(pr.CreatedOn)
	if created == nil {
		return fmt.Errorf("bitbucket: %s has no creation time", what)
	}
	updated := unix(pr.UpdatedOn)
	if updated == nil {
		updated = created
	}
	// Events, oldest first.
	type event struct {
		at     time.Time
		kind   string // push, approval, changes, comment, merged, declined
		who    *user
		ext    string
		length int
	}
	var events []event
	lastSource := ""
	updates := make([]activity, 0, len(acts))
	for _, v := range acts {
		if v.Update != nil && v.Update.Date != nil {
			updates = append(updates, v)
		}
	}
	sort.Slice(updates, func(i, j int) bool { return updates[i].Update.Date.Before(*updates[j].Update.Date) })
	for i, v := range updates {
		u := v.Update
		hash := ""
		if u.Source.Commit != nil {
			hash = u.Source.Commit.Hash
		}
		if i > 0 && hash != "" && hash != lastSource {
			events = append(events, event{at: *u.Date, kind: "push"})
		}
		if hash != "" {
			lastSource = hash
		}
		switch u.State {
		case "MERGED":
			events = append(events, event{at: *u.Date, kind: "merged"})
		case "DECLINED", "SUPERSEDED":
			events = append(events, event{at: *u.Date, kind: "declined"})
		}
	}
	for _, v := range acts {
		if v.Approval != nil && v.Approval.Date != nil {
			events = append(events, event{at: *v.Approval.Date, kind: "approval", who: v.Approval.User})
		}
		if v.ChangesRequested != nil && v.ChangesRequested.Date != nil {
			events = append(events, event{at: *v.ChangesRequested.Date, kind: "changes", who: v.ChangesRequested.User})
		}
	}
	for _, c := range comments {
		if c.CreatedOn != nil {
			events = append(events, event{at: *c.CreatedOn, kind: "comment", who: c.User, ext: strconv.FormatInt(c.ID, 10), length: utf8.RuneCountInString(c.Content.Raw)})
		}
	}
	sort.SliceStable(events, func(i, j int) bool { return events[i].at.Before(events[j].at) })

	type reviewRow struct {
		ext             string
		account, person int64
		state           string
		at              int64
		comments        int
	}
	var reviews []reviewRow
	var firstReview, approved, merged, closed *time.Time
	rounds, userComments := 0, 0
	pushed := true
	round := map[int64]int{}
	for _, ev := range events {
		switch ev.kind {
		case "push":
			pushed = true
			continue
		case "merged":
			t := ev.at
			merged, closed = &t, &t
			continue
		case "declined":
			t := ev.at
			closed = &t
			continue
		}
		ref, err := who.account(ctx, ev.who, "")
		if err != nil {
			return err
		}
		if ev.kind == "comment" && !ref.IsBot {
			userComments++
		}
		if ref.AccountID == 0 || ref.AccountID == author.AccountID || ref.IsBot {
			continue
		}
		t := ev.at
		if firstReview == nil {
			firstReview = &t
		}
		if pushed {
			pushed = false
			rounds++
			clear(round)
		}
		switch ev.kind {
		case "approval":
			if approved == nil {
				approved = &t
			}
			reviews = append(reviews, reviewRow{ext: "approval:" + ev.who.UUID, account: ref.AccountID, person: ref.PersonID, state: "approved", at: t.Unix()})
		case "changes":
			reviews = append(reviews, reviewRow{ext: fmt.Sprintf("changes:%s:%d", ev.who.UUID, t.Unix()), account: ref.AccountID, person: ref.PersonID, state: "changes_requested", at: t.Unix()})
		case "comment":
			i, ok := round[ref.AccountID]
			if !ok {
				i = len(reviews)
				round[ref.AccountID] = i
				reviews = append(reviews, reviewRow{ext: "comment:" + ev.ext, account: ref.AccountID, person: ref.PersonID, state: "commented", at: t.Unix()})
			}
			reviews[i].comments++
		}
	}
	state := prState(pr.State)
	if state == "merged" && merged == nil {
		merged, closed = pr.UpdatedOn, pr.UpdatedOn
	}
	if state == "closed" && closed == nil {
		closed = pr.UpdatedOn
	}
	if state == "open" {
		merged, closed = nil, nil
	}
	mergeSHA := ""
	if pr.MergeCommit != nil {
		mergeSHA = pr.MergeCommit.Hash
	}
	var ready any
	if !pr.Draft {
		ready = created
	}

	tx, err := job.Store.DB().BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var prID int64
	err = tx.QueryRowContext(ctx, `INSERT INTO pull_requests (repo_id, source, external_id, number, title, url, state, is_draft,
			author_account_id, person_id, head_branch, base_branch, created_at, ready_at, first_commit_at, first_review_at,
			approved_at, merged_at, closed_at, updated_at, merge_commit_sha, commits_count, review_rounds, comments_count)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)
		ON CONFLICT (repo_id, number) DO UPDATE SET title = excluded.title, url = excluded.url, state = excluded.state,
			is_draft = excluded.is_draft, author_account_id = excluded.author_account_id, person_id = excluded.person_id,
			head_branch = excluded.head_branch, base_branch = excluded.base_branch, created_at = excluded.created_at,
			ready_at = excluded.ready_at, first_commit_at = excluded.first_commit_at, first_review_at = excluded.first_review_at,
			approved_at = excluded.approved_at, merged_at = excluded.merged_at, closed_at = excluded.closed_at,
			updated_at = excluded.updated_at, merge_commit_sha = excluded.merge_commit_sha, commits_count = excluded.commits_count,
			review_rounds = excluded.review_rounds, comments_count = excluded.comments_count
		RETURNING id`,
		r.id, ID, fmt.Sprintf("%s#%d", r.uuid, pr.ID), pr.ID, pr.Title, pr.Links.HTML.Href, state, pr.Draft,
		nullID(author.AccountID), nullID(author.PersonID), pr.Source.Branch.Name, pr.Destination.Branch.Name, created, ready,
		unix(firstCommit), unix(firstReview), unix(approved), unix(merged), unix(closed), updated, mergeSHA, len(shas), rounds, userComments).Scan(&prID)
	if err != nil {
		return fmt.Errorf("bitbucket: unable to store %s: %w", what, err)
	}
	// Size: the merge commit's line counts (the commit script ran first).
	if mergeSHA != "" {
		if _, err := tx.ExecContext(ctx, `UPDATE pull_requests SET additions = c.additions, deletions = c.deletions, changed_files = c.files_changed
			FROM commits c WHERE pull_requests.id = $1 AND c.repo_id = $2 AND c.sha = $3`, prID, r.id, mergeSHA); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM pull_request_commits WHERE pr_id = $1`, prID); err != nil {
		return err
	}
	for _, s := range shas {
		if _, err := tx.ExecContext(ctx, `INSERT INTO pull_request_commits (pr_id, commit_sha) VALUES ($1, $2) ON CONFLICT DO NOTHING`, prID, s); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM pull_request_comments WHERE pr_id = $1`, prID); err != nil {
		return err
	}
	for _, c := range comments {
		ref, err := who.account(ctx, c.User, "")
		if err != nil {
			return err
		}
		kind := "discussion"
		if c.Inline != nil {
			kind = "review"
		}
		reply := ""
		if c.Parent != nil {
			reply = strconv.FormatInt(c.Parent.ID, 10)
		}
		var resolved any
		if c.Resolution != nil {
			resolved = unix(c.Resolution.CreatedOn)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO pull_request_comments (pr_id, external_id, author_account_id, person_id, kind, in_reply_to, body_length, created_at, resolved_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			prID, strconv.FormatInt(c.ID, 10), nullID(ref.AccountID), nullID(ref.PersonID), kind, reply, utf8.RuneCountInString(c.Content.Raw), unix(c.CreatedOn), resolved); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM pull_request_reviews WHERE pr_id = $1`, prID); err != nil {
		return err
	}
	for _, rv := range reviews {
		if _, err := tx.ExecContext(ctx, `INSERT INTO pull_request_reviews (pr_id, external_id, reviewer_account_id, person_id, state, submitted_at, comments_count)
			VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (pr_id, external_id) DO NOTHING`,
			prID, rv.ext, nullID(rv.account), nullID(rv.person), rv.state, rv.at, rv.comments); err != nil {
			return err
		}
	}
	return tx.Commit()
}
