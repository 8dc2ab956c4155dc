package gitlab

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	gl "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/momentum-app/momentum/backend/source"
)

// runNotes reads the notes and approvals of the merge requests the
// merge-request script saw change in this window (from the database: no
// listing request), and derives the review figures:
//
//   - comments: every note, kind "review" for a comment on a diff line
//     (DiffNote), "discussion" for other comments, "system" for the notes
//     GitLab writes itself (pushes, approvals, draft status ...);
//   - reviews: each approval (state approved, at its approved_at), each
//     "requested changes" (changes_requested), and, per review round, one
//     "commented" review per reviewer who commented in it;
//   - first_review_at: the first comment, approval or change request by
//     someone other than the author, bots excluded;
//   - approved_at: the first approval that still stands;
//   - review_rounds: runs of reviewer activity separated by pushes of new
//     commits ("added N commits" system notes);
//   - ready_at: when it was last marked ready, its creation when it never
//     was a draft, none while it is one.
//
// Notes deleted on GitLab are deleted here too. Two requests per changed
// merge request (more for over 100 notes); none for an unchanged project.
func runNotes(ctx context.Context, job *source.Job) error {
	c, err := newClient(job.Config, job.HTTP)
	if err != nil {
		return err
	}
	ps, err := projects(ctx, job)
	if err != nil {
		return err
	}
	byRepo := map[int64]project{}
	for _, p := range ps {
		byRepo[p.repoID] = p
	}
	type changed struct {
		id, repoID, number, authorAccount, created int64
		draft                                      bool
	}
	rows, err := job.Store.DB().QueryContext(ctx, `SELECT id, repo_id, number, COALESCE(author_account_id, 0), created_at, is_draft
		FROM pull_requests WHERE source = $1 AND updated_at >= $2 ORDER BY repo_id, number`, ID, job.Window.Start.Unix())
	if err != nil {
		return fmt.Errorf("gitlab: unable to read merge requests: %w", err)
	}
	var todo []changed
	for rows.Next() {
		var m changed
		if err := rows.Scan(&m.id, &m.repoID, &m.number, &m.authorAccount, &m.created, &m.draft); err != nil {
			rows.Close()
			return err
		}
		if _, ok := byRepo[m.repoID]; ok {
			todo = append(todo, m)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	who := newPeople(job)
	for _, m := range todo {
		p := byRepo[m.repoID]
		what := fmt.Sprintf("merge request !%d of %s", m.number, p.fullPath)
		var notes []*gl.Note
		opt := &gl.ListMergeRequestNotesOptions{ListOptions: listOptions(), OrderBy: gl.Ptr("created_at"), Sort: gl.Ptr("asc")}
		for n, err := range gl.Scan2(func(po gl.PaginationOptionFunc) ([]*gl.Note, *gl.Response, error) {
			return c.Notes.ListMergeRequestNotes(p.id, m.number, opt, po, gl.WithContext(ctx))
		}) {
			if err != nil {
				return apiError("list the notes of "+what, err)
			}
			notes = append(notes, n)
		}
		appr, _, err := c.MergeRequestApprovals.GetConfiguration(p.id, m.number, gl.WithContext(ctx))
		if err != nil && !notFound(err) { // 404: approvals are not available on this instance
			return apiError("read the approvals of "+what, err)
		}
		r := review{pr: m.id, author: m.authorAccount, created: m.created, draft: m.draft}
		if err := r.build(ctx, who, notes, appr); err != nil {
			return err
		}
		if err := r.store(ctx, job); err != nil {
			return fmt.Errorf("gitlab: unable to store the review of %s: %w", what, err)
		}
		job.AddItems(1)
	}
	return nil
}

type comment struct {
	id              int64
	account, person int64
	kind            string
	length          int
	created         int64
	resolved        *time.Time
}

type reviewRow struct {
	ext             string
	account, person int64
	state           string
	at              int64
	comments        int
}

// review is what one merge request's notes and approvals give.
type review struct {
	pr, author, created int64
	draft               bool

	comments     []comment
	reviews      []reviewRow
	firstReview  *int64
	approved     *int64
	rounds       int
	userComments int
	ready        *int64
}

// System note bodies GitLab writes (English, as the API returns them).
func isPush(body string) bool {
	return strings.HasPrefix(body, "added ") && strings.Contains(body, " commit")
}
func isApproval(body string) bool { return strings.HasPrefix(body, "approved this merge request") }
func isChangesRequested(body string) bool {
	return strings.HasPrefix(body, "requested changes")
}
func isReady(body string) bool {
	return strings.HasPrefix(body, "marked this merge request as **ready**") ||
		strings.HasPrefix(body, "unmarked as a **Work In Progress**") ||
		strings.HasPrefix(body, "marked this merge request as **ready for review**")
}

func (r *review) build(ctx context.Context, who *people, notes []*gl.Note, appr *gl.MergeRequestApprovals) error {
	sort.SliceStable(notes, func(i, j int) bool { return at(notes[i].CreatedAt) < at(notes[j].CreatedAt) })
	firstReview := func(t int64) {
		if r.firstReview == nil || t < *r.firstReview {
			r.firstReview = &t
		}
	}
	// Rounds: reviewer activity after a push (or the first activity)
	// opens a round; per round, one "commented" review per reviewer.
	pushed := true
	round := map[int64]int{} // reviewer account → index of their review in this round
	var readyAt int64
	for _, n := range notes {
		ref, err := who.noteAuthor(ctx, n.Author)
		if err != nil {
			return err
		}
		t := at(n.CreatedAt)
		c := comment{id: n.ID, account: ref.AccountID, person: ref.PersonID, length: utf8.RuneCountInString(n.Body), created: t}
		switch {
		case n.System:
			c.kind = "system"
		case n.Type == gl.DiffNote:
			c.kind = "review"
		default:
			c.kind = "discussion"
		}
		if n.Resolved && n.ResolvedAt != nil {
			c.resolved = n.ResolvedAt
		}
		r.comments = append(r.comments, c)

		reviewer := ref.AccountID != 0 && ref.AccountID != r.author && !ref.IsBot
		switch {
		case n.System && isPush(n.Body):
			pushed = true
		case n.System && isReady(n.Body):
			readyAt = t
		case n.System && isChangesRequested(n.Body) && reviewer:
			r.reviews = append(r.reviews, reviewRow{ext: fmt.Sprintf("note:%d", n.ID), account: ref.AccountID, person: ref.PersonID, state: "changes_requested", at: t})
			firstReview(t)
			r.openRound(&pushed, round)
		case n.System && isApproval(n.Body) && reviewer:
			firstReview(t)
			r.openRound(&pushed, round)
		case !n.System:
			if !ref.IsBot {
				r.userComments++
			}
			if !reviewer {
				continue
			}
			firstReview(t)
			r.openRound(&pushed, round)
			i, ok := round[ref.AccountID]
			if !ok {
				i = len(r.reviews)
				round[ref.AccountID] = i
				r.reviews = append(r.reviews, reviewRow{ext: fmt.Sprintf("note:%d", n.ID), account: ref.AccountID, person: ref.PersonID, state: "commented", at: t})
			}
			r.reviews[i].comments++
		}
	}
	if appr != nil {
		for _, a := range appr.ApprovedBy {
			if a == nil || a.User == nil {
				continue
			}
			ref, err := who.basic(ctx, a.User)
			if err != nil {
				return err
			}
			t := at(a.ApprovedAt)
			if t == 0 {
				// Older GitLab: the approval's system note has the time.
				for _, n := range notes {
					if n.System && isApproval(n.Body) && n.Author.ID == a.User.ID {
						t = at(n.CreatedAt)
					}
				}
			}
			if t == 0 {
				continue
			}
			r.reviews = append(r.reviews, reviewRow{ext: fmt.Sprintf("approval:%d", a.User.ID), account: ref.AccountID, person: ref.PersonID, state: "approved", at: t})
			if ref.AccountID != r.author && !ref.IsBot {
				firstReview(t)
				if r.approved == nil || t < *r.approved {
					tt := t
					r.approved = &tt
				}
			}
		}
	}
	switch {
	case r.draft:
		r.ready = nil
	case readyAt != 0:
		r.ready = &readyAt
	default:
		r.ready = &r.created
	}
	return nil
}

// openRound starts a new round at reviewer activity after a push.
func (r *review) openRound(pushed *bool, round map[int64]int) {
	if !*pushed {
		return
	}
	*pushed = false
	r.rounds++
	clear(round)
}

func at(t *time.Time) int64 {
	if t == nil {
		return 0
	}
	return t.Unix()
}

func (r *review) store(ctx context.Context, job *source.Job) error {
	tx, err := job.Store.DB().BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	keep := make([]string, 0, len(r.comments))
	for _, c := range r.comments {
		ext := fmt.Sprint(c.id)
		keep = append(keep, ext)
		var resolved any
		if c.resolved != nil {
			resolved = c.resolved.Unix()
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO pull_request_comments (pr_id, external_id, author_account_id, person_id, kind, body_length, created_at, resolved_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (pr_id, external_id) DO UPDATE SET author_account_id = excluded.author_account_id, person_id = excluded.person_id,
				kind = excluded.kind, body_length = excluded.body_length, created_at = excluded.created_at, resolved_at = excluded.resolved_at`,
			r.pr, ext, nullID(c.account), nullID(c.person), c.kind, c.length, c.created, resolved); err != nil {
			return err
		}
	}
	if err := deleteOthers(ctx, tx, "pull_request_comments", r.pr, keep); err != nil {
		return err
	}
	keep = keep[:0]
	for _, rv := range r.reviews {
		keep = append(keep, rv.ext)
		if _, err := tx.ExecContext(ctx, `INSERT INTO pull_request_reviews (pr_id, external_id, reviewer_account_id, person_id, state, submitted_at, comments_count)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (pr_id, external_id) DO UPDATE SET reviewer_account_id = excluded.reviewer_account_id, person_id = excluded.person_id,
				state = excluded.state, submitted_at = excluded.submitted_at, comments_count = excluded.comments_count`,
			r.pr, rv.ext, nullID(rv.account), nullID(rv.person), rv.state, rv.at, rv.comments); err != nil {
			return err
		}
	}
	if err := deleteOthers(ctx, tx, "pull_request_reviews", r.pr, keep); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE pull_requests SET first_review_at = $1, approved_at = $2, review_rounds = $3, comments_count = $4, ready_at = $5 WHERE id = $6`,
		ptr(r.firstReview), ptr(r.approved), r.rounds, r.userComments, ptr(r.ready), r.pr); err != nil {
		return err
	}
	return tx.Commit()
}

func ptr(v *int64) any {
	if v == nil {
		return nil
	}
	return *v
}

// deleteOthers removes a pull request's rows of table whose external_id is
// not in keep: notes deleted on GitLab, approvals withdrawn.
func deleteOthers(ctx context.Context, tx *sql.Tx, table string, pr int64, keep []string) error {
	q := `DELETE FROM ` + table + ` WHERE pr_id = $1`
	args := []any{pr}
	if len(keep) > 0 {
		marks := make([]string, len(keep))
		for i, k := range keep {
			args = append(args, k)
			marks[i] = fmt.Sprintf("$%d", i+2)
		}
		q += ` AND external_id NOT IN (` + strings.Join(marks, ", ") + `)`
	}
	_, err := tx.ExecContext(ctx, q, args...)
	return err
}
