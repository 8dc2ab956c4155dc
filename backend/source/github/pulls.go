package github

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	gh "github.com/google/go-github/v92/github"

	"github.com/momentum-app/momentum/backend/source"
)

// runPulls walks each repository's pull requests by last update, newest
// first, and stops at the first one updated before the window: an
// unchanged repository costs one request. Each changed pull request is read
// in full once more (its line counts, files and commits are not in the
// list).
func runPulls(ctx context.Context, job *source.Job) error {
	s, err := newSession(ctx, job)
	if err != nil {
		return err
	}
	repos, err := s.repositories(ctx)
	if err != nil {
		return err
	}
	for _, r := range repos {
		opts := &gh.PullRequestListOptions{State: "all", Sort: "updated", Direction: "desc", ListOptions: gh.ListOptions{PerPage: perPage}}
	pages:
		for {
			list, resp, err := s.api.PullRequests.List(ctx, r.Owner, r.Name, opts)
			if err != nil {
				return fmt.Errorf("github: unable to list the pull requests of %s: %w", r.FullName, err)
			}
			for _, p := range list {
				if before(p.UpdatedAt, job.Window.Start) {
					break pages
				}
				full, _, err := s.api.PullRequests.Get(ctx, r.Owner, r.Name, p.GetNumber())
				if err != nil {
					return fmt.Errorf("github: unable to read pull request %s#%d: %w", r.FullName, p.GetNumber(), err)
				}
				if err := s.upsertPull(ctx, r, full); err != nil {
					return err
				}
				job.AddItems(1)
			}
			if resp.NextPage == 0 {
				break
			}
			opts.Page = resp.NextPage
		}
	}
	return nil
}

func (s *session) upsertPull(ctx context.Context, r repo, p *gh.PullRequest) error {
	author, person, err := s.accountIDs(ctx, p.User)
	if err != nil {
		return err
	}
	// Requested reviewers become accounts (people to filter by) even before
	// they review.
	for _, u := range p.RequestedReviewers {
		if _, _, err := s.user(ctx, u); err != nil {
			return err
		}
	}
	state := p.GetState() // open, closed
	mergeSHA := ""
	if p.MergedAt != nil {
		state, mergeSHA = "merged", p.GetMergeCommitSHA()
	}
	var ready any = unix(p.CreatedAt)
	if p.GetDraft() {
		ready = nil
	}
	// ready_at: GitHub's list says only whether a pull request is a draft
	// now. Never a draft: it was ready when opened; a draft seen before and
	// ready now left draft by its last update at the latest.
	_, err = s.db.ExecContext(ctx, `INSERT INTO pull_requests (repo_id, source, external_id, number, title, url, state, is_draft,
			author_account_id, person_id, head_branch, base_branch, created_at, ready_at, merged_at, closed_at, updated_at,
			merge_commit_sha, additions, deletions, changed_files, commits_count)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)
		ON CONFLICT (repo_id, number) DO UPDATE SET external_id = excluded.external_id, title = excluded.title, url = excluded.url,
			state = excluded.state, is_draft = excluded.is_draft, author_account_id = excluded.author_account_id, person_id = excluded.person_id,
			head_branch = excluded.head_branch, base_branch = excluded.base_branch, created_at = excluded.created_at,
			ready_at = CASE WHEN excluded.is_draft THEN NULL WHEN pull_requests.is_draft THEN excluded.updated_at
				ELSE COALESCE(pull_requests.ready_at, excluded.ready_at) END,
			merged_at = excluded.merged_at, closed_at = excluded.closed_at, updated_at = excluded.updated_at,
			merge_commit_sha = excluded.merge_commit_sha, additions = excluded.additions, deletions = excluded.deletions,
			changed_files = excluded.changed_files, commits_count = excluded.commits_count`,
		r.ID, ID, strconv.FormatInt(p.GetID(), 10), p.GetNumber(), p.GetTitle(), p.GetHTMLURL(), state, p.GetDraft(),
		author, person, p.GetHead().GetRef(), p.GetBase().GetRef(), unix(p.CreatedAt), ready,
		nullUnix(p.MergedAt), nullUnix(p.ClosedAt), unix(p.UpdatedAt), mergeSHA,
		p.GetAdditions(), p.GetDeletions(), p.GetChangedFiles(), p.GetCommits())
	if err != nil {
		return fmt.Errorf("github: unable to store pull request %s#%d: %w", r.FullName, p.GetNumber(), err)
	}
	return nil
}

// pull is a stored pull request that changed in the window.
type pull struct {
	ID     int64
	Number int
	Repo   repo
}

// changedPulls lists the stored pull requests of collected repositories
// updated since the window start: those whose reviews, comments and
// commits may have changed. A review, a comment or a push updates a pull
// request, so nothing else can have.
func (s *session) changedPulls(ctx context.Context) ([]pull, error) {
	repos, err := s.repositories(ctx)
	if err != nil {
		return nil, err
	}
	var out []pull
	for _, r := range repos {
		rows, err := s.db.QueryContext(ctx, `SELECT id, number FROM pull_requests WHERE repo_id = $1 AND updated_at >= $2 ORDER BY number`,
			r.ID, s.job.Window.Start.Unix())
		if err != nil {
			return nil, fmt.Errorf("github: unable to fetch pull requests: %w", err)
		}
		for rows.Next() {
			p := pull{Repo: r}
			if err := rows.Scan(&p.ID, &p.Number); err != nil {
				rows.Close()
				return nil, fmt.Errorf("github: unable to fetch pull requests: %w", err)
			}
			out = append(out, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// reviewStates maps GitHub's review states; a PENDING review is a draft
// only its author sees, and is not stored.
var reviewStates = map[string]string{
	"APPROVED": "approved", "CHANGES_REQUESTED": "changes_requested", "COMMENTED": "commented", "DISMISSED": "dismissed",
}

// runReviews reads the reviews of the pull requests updated in the window.
func runReviews(ctx context.Context, job *source.Job) error {
	s, err := newSession(ctx, job)
	if err != nil {
		return err
	}
	pulls, err := s.changedPulls(ctx)
	if err != nil {
		return err
	}
	for _, p := range pulls {
		opts := &gh.ListOptions{PerPage: perPage}
		for {
			list, resp, err := s.api.PullRequests.ListReviews(ctx, p.Repo.Owner, p.Repo.Name, p.Number, opts)
			if err != nil {
				return fmt.Errorf("github: unable to list the reviews of %s#%d: %w", p.Repo.FullName, p.Number, err)
			}
			for _, rv := range list {
				state, ok := reviewStates[rv.GetState()]
				if !ok || rv.SubmittedAt == nil {
					continue
				}
				account, person, err := s.accountIDs(ctx, rv.User)
				if err != nil {
					return err
				}
				_, err = s.db.ExecContext(ctx, `INSERT INTO pull_request_reviews (pr_id, external_id, reviewer_account_id, person_id, state, submitted_at)
					VALUES ($1, $2, $3, $4, $5, $6)
					ON CONFLICT (pr_id, external_id) DO UPDATE SET reviewer_account_id = excluded.reviewer_account_id,
						person_id = excluded.person_id, state = excluded.state, submitted_at = excluded.submitted_at`,
					p.ID, strconv.FormatInt(rv.GetID(), 10), account, person, state, unix(rv.SubmittedAt))
				if err != nil {
					return fmt.Errorf("github: unable to store a review of %s#%d: %w", p.Repo.FullName, p.Number, err)
				}
				job.AddItems(1)
			}
			if resp.NextPage == 0 {
				break
			}
			opts.Page = resp.NextPage
		}
	}
	return nil
}

// runComments reads the review comments (on diff lines) and the
// discussion comments of each repository changed since the window start,
// one list per repository and kind (GitHub filters them by `since`), then
// updates what pull requests derive from reviews and comments.
func runComments(ctx context.Context, job *source.Job) error {
	s, err := newSession(ctx, job)
	if err != nil {
		return err
	}
	repos, err := s.repositories(ctx)
	if err != nil {
		return err
	}
	since := job.Window.Start
	for _, r := range repos {
		numbers, err := s.pullNumbers(ctx, r.ID)
		if err != nil {
			return err
		}
		ropts := &gh.PullRequestListCommentsOptions{Sort: "updated", Direction: "asc", Since: since, ListOptions: gh.ListOptions{PerPage: perPage}}
		for {
			list, resp, err := s.api.PullRequests.ListComments(ctx, r.Owner, r.Name, 0, ropts)
			if err != nil {
				return fmt.Errorf("github: unable to list the review comments of %s: %w", r.FullName, err)
			}
			for _, c := range list {
				prID, ok := numbers[numberOf(c.GetPullRequestURL())]
				if !ok {
					continue
				}
				reply := ""
				if c.InReplyTo != nil {
					reply = strconv.FormatInt(c.GetInReplyTo(), 10)
				}
				if err := s.upsertComment(ctx, prID, c.GetID(), c.User, "review", reply, c.GetBody(), c.CreatedAt); err != nil {
					return err
				}
			}
			if resp.NextPage == 0 {
				break
			}
			ropts.Page = resp.NextPage
		}
		iopts := &gh.IssueListCommentsOptions{Sort: gh.Ptr("updated"), Direction: gh.Ptr("asc"), Since: &since, ListOptions: gh.ListOptions{PerPage: perPage}}
		for {
			list, resp, err := s.api.Issues.ListComments(ctx, r.Owner, r.Name, 0, iopts)
			if err != nil {
				return fmt.Errorf("github: unable to list the discussion comments of %s: %w", r.FullName, err)
			}
			for _, c := range list {
				prID, ok := numbers[numberOf(c.GetIssueURL())]
				if !ok {
					continue // a comment on an issue, not on a pull request
				}
				if err := s.upsertComment(ctx, prID, c.GetID(), c.User, "discussion", "", c.GetBody(), c.CreatedAt); err != nil {
					return err
				}
			}
			if resp.NextPage == 0 {
				break
			}
			iopts.Page = resp.NextPage
		}
	}
	pulls, err := s.changedPulls(ctx)
	if err != nil {
		return err
	}
	for _, p := range pulls {
		if err := s.deriveReviewFigures(ctx, p.ID); err != nil {
			return err
		}
	}
	return nil
}

// numberOf reads the number at the end of a pull request or issue URL.
func numberOf(u string) int {
	n, _ := strconv.Atoi(u[strings.LastIndexByte(u, '/')+1:])
	return n
}

// pullNumbers maps a repository's pull request numbers to their ids.
func (s *session) pullNumbers(ctx context.Context, repoID int64) (map[int]int64, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT number, id FROM pull_requests WHERE repo_id = $1`, repoID)
	if err != nil {
		return nil, fmt.Errorf("github: unable to fetch pull requests: %w", err)
	}
	defer rows.Close()
	out := map[int]int64{}
	for rows.Next() {
		var n int
		var id int64
		if err := rows.Scan(&n, &id); err != nil {
			return nil, err
		}
		out[n] = id
	}
	return out, rows.Err()
}

func (s *session) upsertComment(ctx context.Context, prID, id int64, u *gh.User, kind, reply, body string, created *gh.Timestamp) error {
	account, person, err := s.accountIDs(ctx, u)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO pull_request_comments (pr_id, external_id, author_account_id, person_id, kind, in_reply_to, body_length, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (pr_id, external_id) DO UPDATE SET author_account_id = excluded.author_account_id, person_id = excluded.person_id,
			kind = excluded.kind, in_reply_to = excluded.in_reply_to, body_length = excluded.body_length, created_at = excluded.created_at`,
		prID, kind+":"+strconv.FormatInt(id, 10), account, person, kind, reply, utf8.RuneCountInString(body), unix(created))
	if err != nil {
		return fmt.Errorf("github: unable to store comment %d: %w", id, err)
	}
	s.job.AddItems(1)
	return nil
}

// deriveReviewFigures updates what a pull request derives from its reviews
// and comments: the first review or comment by someone other than its
// author (bots left out), the first approval, the review rounds (reviews
// submitted by others) and the comments; and each review's comment count.
func (s *session) deriveReviewFigures(ctx context.Context, prID int64) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var author sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT person_id FROM pull_requests WHERE id = $1`, prID).Scan(&author); err != nil {
			return err
		}
		var firstReview, firstComment, approved sql.NullInt64
		var rounds, comments int64
		others := `(person_id IS NULL OR person_id <> $2) AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = %s AND a.is_bot)`
		if err := tx.QueryRowContext(ctx, `SELECT MIN(submitted_at), COUNT(*) FROM pull_request_reviews WHERE pr_id = $1 AND `+
			fmt.Sprintf(others, "reviewer_account_id"), prID, author.Int64).Scan(&firstReview, &rounds); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT MIN(created_at) FROM pull_request_comments WHERE pr_id = $1 AND `+
			fmt.Sprintf(others, "author_account_id"), prID, author.Int64).Scan(&firstComment); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT MIN(submitted_at) FROM pull_request_reviews WHERE pr_id = $1 AND state = 'approved'`,
			prID).Scan(&approved); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM pull_request_comments c WHERE c.pr_id = $1
			AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = c.author_account_id AND a.is_bot)`, prID).Scan(&comments); err != nil {
			return err
		}
		first := firstReview
		if firstComment.Valid && (!first.Valid || firstComment.Int64 < first.Int64) {
			first = firstComment
		}
		if _, err := tx.ExecContext(ctx, `UPDATE pull_requests SET first_review_at = $1, approved_at = $2, review_rounds = $3, comments_count = $4 WHERE id = $5`,
			nullable(first), nullable(approved), rounds, comments, prID); err != nil {
			return err
		}
		return nil
	})
}

func nullable(v sql.NullInt64) any {
	if !v.Valid {
		return nil
	}
	return v.Int64
}

// runPullCommits replaces the commits of each pull request updated in the
// window with the list GitHub has now: after a force-push, the commits that
// left the branch leave the pull request too.
func runPullCommits(ctx context.Context, job *source.Job) error {
	s, err := newSession(ctx, job)
	if err != nil {
		return err
	}
	pulls, err := s.changedPulls(ctx)
	if err != nil {
		return err
	}
	for _, p := range pulls {
		var shas []string
		var first int64
		opts := &gh.ListOptions{PerPage: perPage}
		for {
			list, resp, err := s.api.PullRequests.ListCommits(ctx, p.Repo.Owner, p.Repo.Name, p.Number, opts)
			if err != nil {
				return fmt.Errorf("github: unable to list the commits of %s#%d: %w", p.Repo.FullName, p.Number, err)
			}
			for _, c := range list {
				shas = append(shas, c.GetSHA())
				if t := unix(c.GetCommit().GetAuthor().Date); t > 0 && (first == 0 || t < first) {
					first = t
				}
			}
			if resp.NextPage == 0 {
				break
			}
			opts.Page = resp.NextPage
		}
		err := s.inTx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `DELETE FROM pull_request_commits WHERE pr_id = $1`, p.ID); err != nil {
				return err
			}
			seen := map[string]bool{}
			for _, sha := range shas {
				if seen[sha] {
					continue
				}
				seen[sha] = true
				if _, err := tx.ExecContext(ctx, `INSERT INTO pull_request_commits (pr_id, commit_sha) VALUES ($1, $2)`, p.ID, sha); err != nil {
					return err
				}
			}
			_, err := tx.ExecContext(ctx, `UPDATE pull_requests SET first_commit_at = $1, commits_count = $2 WHERE id = $3`,
				nullInt(first), len(seen), p.ID)
			return err
		})
		if err != nil {
			return fmt.Errorf("github: unable to store the commits of %s#%d: %w", p.Repo.FullName, p.Number, err)
		}
		job.AddItems(len(shas))
	}
	return nil
}
