package gitlab

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	gl "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/momentum-app/momentum/backend/source"
)

// runMergeRequests stores the merge requests updated since the window start
// (updated_after, newest first, stopping at the first older one) and, for
// each, the commits it holds now: a force-pushed source branch replaces
// the list, so rewritten commits leave nothing behind. An unchanged project
// costs one request; a changed merge request one more.
//
// Review figures (first review, approval, rounds, comments, ready time) are
// the note script's.
func runMergeRequests(ctx context.Context, job *source.Job) error {
	c, err := newClient(job.Config, job.HTTP)
	if err != nil {
		return err
	}
	ps, err := projects(ctx, job)
	if err != nil {
		return err
	}
	who := newPeople(job)
	for _, p := range ps {
		opt := &gl.ListProjectMergeRequestsOptions{
			ListOptions:  listOptions(),
			State:        gl.Ptr("all"),
			UpdatedAfter: gl.Ptr(job.Window.Start),
			OrderBy:      gl.Ptr("updated_at"),
			Sort:         gl.Ptr("desc"),
		}
		for mr, err := range gl.Scan2(func(po gl.PaginationOptionFunc) ([]*gl.BasicMergeRequest, *gl.Response, error) {
			return c.MergeRequests.ListProjectMergeRequests(p.id, opt, po, gl.WithContext(ctx))
		}) {
			if err != nil {
				return apiError("list the merge requests of "+p.fullPath, err)
			}
			if before(mr.UpdatedAt, job.Window.Start) {
				break
			}
			if err := storeMergeRequest(ctx, job, c, who, p, mr); err != nil {
				return err
			}
			job.AddItems(1)
		}
	}
	return nil
}

// prState maps GitLab's states to the schema's open, merged, closed.
func prState(s string) string {
	switch s {
	case "merged":
		return "merged"
	case "closed", "locked":
		return "closed"
	default:
		return "open"
	}
}

func storeMergeRequest(ctx context.Context, job *source.Job, c *gl.Client, who *people, p project, mr *gl.BasicMergeRequest) error {
	// The commits it holds now.
	var shas []string
	var first *time.Time
	authorEmails := map[string]bool{}
	for cm, err := range gl.Scan2(func(po gl.PaginationOptionFunc) ([]*gl.Commit, *gl.Response, error) {
		return c.MergeRequests.GetMergeRequestCommits(p.id, mr.IID, &gl.GetMergeRequestCommitsOptions{ListOptions: listOptions()}, po, gl.WithContext(ctx))
	}) {
		if err != nil {
			return apiError(fmt.Sprintf("list the commits of merge request !%d of %s", mr.IID, p.fullPath), err)
		}
		shas = append(shas, cm.ID)
		if mr.Author != nil && strings.EqualFold(strings.TrimSpace(cm.AuthorName), strings.TrimSpace(mr.Author.Name)) && cm.AuthorEmail != "" {
			authorEmails[strings.ToLower(cm.AuthorEmail)] = true
		}
		if cm.AuthoredDate != nil && (first == nil || cm.AuthoredDate.Before(*first)) {
			first = cm.AuthoredDate
		}
	}
	// The author's commit email, when the request's commits bear the
	// author's name under one address: a GitLab account created with it
	// joins the person of the same git identity (see people.user).
	hint := ""
	if len(authorEmails) == 1 {
		for e := range authorEmails {
			hint = e
		}
	}
	author, err := who.basicWithEmail(ctx, mr.Author, hint)
	if err != nil {
		return err
	}
	// The commit on the target branch that holds the change: the merge
	// commit, or the squash commit of a fast-forward squash merge.
	mergeSHA := mr.MergeCommitSHA
	if mergeSHA == "" {
		mergeSHA = mr.SquashCommitSHA
	}
	draft := mr.Draft
	var ready any
	if !draft {
		ready = unix(mr.CreatedAt)
	}
	created := unix(mr.CreatedAt)
	if created == nil {
		return fmt.Errorf("gitlab: merge request !%d of %s has no creation time", mr.IID, p.fullPath)
	}
	updated := unix(mr.UpdatedAt)
	if updated == nil {
		updated = created
	}
	closed := unix(mr.ClosedAt)
	if mr.State == "merged" && closed == nil {
		closed = unix(mr.MergedAt)
	}
	db := job.Store.DB()
	var prID int64
	err = db.QueryRowContext(ctx, `INSERT INTO pull_requests (repo_id, source, external_id, number, title, url, state, is_draft,
			author_account_id, person_id, head_branch, base_branch, created_at, ready_at, merged_at, closed_at, updated_at, merge_commit_sha)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
		ON CONFLICT (repo_id, number) DO UPDATE SET external_id = excluded.external_id, title = excluded.title, url = excluded.url,
			state = excluded.state, is_draft = excluded.is_draft, author_account_id = excluded.author_account_id,
			person_id = excluded.person_id, head_branch = excluded.head_branch, base_branch = excluded.base_branch,
			created_at = excluded.created_at,
			ready_at = CASE WHEN excluded.is_draft THEN NULL ELSE COALESCE(pull_requests.ready_at, excluded.ready_at) END,
			merged_at = excluded.merged_at, closed_at = excluded.closed_at, updated_at = excluded.updated_at,
			merge_commit_sha = excluded.merge_commit_sha
		RETURNING id`,
		p.repoID, ID, fmt.Sprint(mr.ID), mr.IID, mr.Title, mr.WebURL, prState(mr.State), draft,
		nullID(author.AccountID), nullID(author.PersonID), mr.SourceBranch, mr.TargetBranch, created, ready,
		unix(mr.MergedAt), closed, updated, mergeSHA).Scan(&prID)
	if err != nil {
		return fmt.Errorf("gitlab: unable to store merge request !%d of %s: %w", mr.IID, p.fullPath, err)
	}

	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := replaceCommits(ctx, tx, prID, shas); err != nil {
		return fmt.Errorf("gitlab: unable to store the commits of merge request !%d of %s: %w", mr.IID, p.fullPath, err)
	}
	// Size: the line counts of the commit that landed the change (stored
	// by the commit script, which runs first), for merged requests.
	var add, del int64
	if mergeSHA != "" {
		err := tx.QueryRowContext(ctx, `SELECT additions, deletions FROM commits WHERE repo_id = $1 AND sha = $2`, p.repoID, mergeSHA).Scan(&add, &del)
		if err != nil && err != sql.ErrNoRows {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE pull_requests SET commits_count = $1, first_commit_at = $2, additions = $3, deletions = $4 WHERE id = $5`,
		len(shas), unix(first), add, del, prID); err != nil {
		return err
	}
	return tx.Commit()
}

// replaceCommits makes the pull request's commit list exactly shas.
func replaceCommits(ctx context.Context, tx *sql.Tx, prID int64, shas []string) error {
	rows, err := tx.QueryContext(ctx, `SELECT commit_sha FROM pull_request_commits WHERE pr_id = $1`, prID)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return err
		}
		have[s] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	want := map[string]bool{}
	for _, s := range shas {
		want[s] = true
		if !have[s] {
			if _, err := tx.ExecContext(ctx, `INSERT INTO pull_request_commits (pr_id, commit_sha) VALUES ($1, $2) ON CONFLICT DO NOTHING`, prID, s); err != nil {
				return err
			}
		}
	}
	var gone []string
	for s := range have {
		if !want[s] {
			gone = append(gone, s)
		}
	}
	if len(gone) == 0 {
		return nil
	}
	args := []any{prID}
	marks := make([]string, len(gone))
	for i, s := range gone {
		args = append(args, s)
		marks[i] = fmt.Sprintf("$%d", i+2)
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM pull_request_commits WHERE pr_id = $1 AND commit_sha IN (`+strings.Join(marks, ", ")+`)`, args...)
	return err
}
