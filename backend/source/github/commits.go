package github

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/go-enry/go-enry/v2"
	gh "github.com/google/go-github/v92/github"

	"github.com/momentum-app/momentum/backend/identity"
	"github.com/momentum-app/momentum/backend/source"
	"github.com/momentum-app/momentum/backend/store"
)

// runCommits walks each repository's default branch newest first and
// reads, for each commit not stored yet, its detail: the lines added and
// removed per file. The first page is asked for conditionally, so an
// unchanged branch costs one 304. A commit is immutable: a stored one costs
// nothing.
//
// The walk goes down to the branch head of the last complete walk, then on
// while a page still holds a commit to store, and never below the oldest
// commit collected (or the window start): a branch merged today with
// commits dated last week brings them along, which a `since` filter on
// commit dates would miss; and a walk cut short by a failure is resumed
// past what it stored, since the head it reached is recorded only when it
// completes.
func runCommits(ctx context.Context, job *source.Job) error {
	s, err := newSession(ctx, job)
	if err != nil {
		return err
	}
	repos, err := s.repositories(ctx)
	if err != nil {
		return err
	}
	people := identity.NewResolver(s.st)
	for _, r := range repos {
		if err := s.walkCommits(ctx, people, r); err != nil {
			return err
		}
	}
	return nil
}

func (s *session) walkCommits(ctx context.Context, people *identity.Resolver, r repo) error {
	floor, err := s.commitFloor(ctx, r.ID)
	if err != nil {
		return err
	}
	first := fmt.Sprintf("repos/%s/commits?per_page=%d", r.FullName, perPage)
	prevHead := ""
	if v, ok, err := s.etags.Peek(ctx, first); err != nil {
		return err
	} else if ok {
		_, prevHead, _ = strings.Cut(v.Memo, "\n")
	}
	passed := false // the previous head is behind us
	var firstPage page
	head := ""
	for u := first; u != ""; {
		var list []*gh.RepositoryCommit
		p, err := s.getPage(ctx, u, &list)
		if err != nil {
			if isGone(err) {
				return nil // an empty repository answers 409
			}
			return fmt.Errorf("github: unable to list the commits of %s: %w", r.FullName, err)
		}
		if !p.changed {
			return nil // the branch has not moved
		}
		if u == first {
			firstPage = p
			if len(list) > 0 {
				head = list[0].GetSHA()
			}
		}
		var batch []store.NewCommit
		inRange := false
		for _, c := range list {
			if c.GetSHA() == prevHead {
				passed = true
			}
			if c.GetCommit().GetCommitter().GetDate().Unix() < floor {
				continue
			}
			inRange = true
			stored, err := s.commitStored(ctx, r.ID, c.GetSHA())
			if err != nil {
				return err
			}
			if stored {
				continue
			}
			full, _, err := s.api.Repositories.GetCommit(ctx, r.Owner, r.Name, c.GetSHA(), nil)
			if err != nil {
				return fmt.Errorf("github: unable to read commit %s of %s: %w", c.GetSHA(), r.FullName, err)
			}
			row, err := s.commitRow(ctx, people, r, full)
			if err != nil {
				return err
			}
			batch = append(batch, row)
		}
		n, err := s.st.InsertCommits(ctx, batch)
		if err != nil {
			return err
		}
		s.job.AddItems(n)
		if !inRange || (passed && len(batch) == 0) {
			break
		}
		u = p.next
	}
	if firstPage.changed {
		return s.keep(ctx, first, firstPage, head)
	}
	return nil
}

// commitFloor is how far back the commits of a repository are collected:
// the window start, or the oldest commit already collected when that is
// older (a run that resumes reaches as far back as the first one did).
func (s *session) commitFloor(ctx context.Context, repoID int64) (int64, error) {
	var oldest sql.NullInt64
	if err := s.db.QueryRowContext(ctx, `SELECT MIN(committed_at) FROM commits WHERE repo_id = $1`, repoID).Scan(&oldest); err != nil {
		return 0, fmt.Errorf("github: unable to fetch commits: %w", err)
	}
	floor := s.job.Window.Start.Unix()
	if oldest.Valid && oldest.Int64 < floor {
		floor = oldest.Int64
	}
	return floor, nil
}

func (s *session) commitStored(ctx context.Context, repoID int64, sha string) (bool, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM commits WHERE repo_id = $1 AND sha = $2`, repoID, sha).Scan(&n); err != nil {
		return false, fmt.Errorf("github: unable to fetch commit %s: %w", sha, err)
	}
	return n > 0, nil
}

// commitRow is a commit as stored. The author is the GitHub user the
// commit is linked to when GitHub knows one, else the git identity (name
// and email), which merges with local-git identities by email.
func (s *session) commitRow(ctx context.Context, people *identity.Resolver, r repo, c *gh.RepositoryCommit) (store.NewCommit, error) {
	gc := c.GetCommit()
	author, err := s.commitPerson(ctx, people, c.Author, gc.GetAuthor())
	if err != nil {
		return store.NewCommit{}, err
	}
	committer, err := s.commitPerson(ctx, people, c.Committer, gc.GetCommitter())
	if err != nil {
		return store.NewCommit{}, err
	}
	subject, _, _ := strings.Cut(gc.GetMessage(), "\n")
	row := store.NewCommit{
		RepoID: r.ID, SHA: c.GetSHA(),
		AuthorAccountID: author.AccountID, PersonID: author.PersonID, CommitterAccountID: committer.AccountID,
		AuthoredAt: unix(gc.GetAuthor().Date), CommittedAt: unix(gc.GetCommitter().Date),
		Subject: strings.TrimSpace(subject), IsMerge: len(c.Parents) > 1,
		Additions: int64(c.GetStats().GetAdditions()), Deletions: int64(c.GetStats().GetDeletions()),
		FilesChanged: int64(len(c.Files)),
	}
	if row.AuthoredAt == 0 {
		row.AuthoredAt = row.CommittedAt
	}
	for _, f := range c.Files {
		// GitHub gives no patch for a binary file, and 0 lines.
		binary := f.Patch == nil && f.GetChanges() == 0 && f.GetStatus() != "renamed" && f.GetStatus() != "removed"
		row.Files = append(row.Files, store.NewCommitFile{
			Path: f.GetFilename(), Language: language(f.GetFilename(), r.Language),
			Additions: int64(f.GetAdditions()), Deletions: int64(f.GetDeletions()), IsBinary: binary,
		})
	}
	return row, nil
}

func (s *session) commitPerson(ctx context.Context, people *identity.Resolver, u *gh.User, a *gh.CommitAuthor) (identity.Ref, error) {
	if ref, ok, err := s.user(ctx, u); err != nil || ok {
		return ref, err
	}
	if a == nil || (a.GetEmail() == "" && a.GetName() == "") {
		return identity.Ref{}, errors.New("github: a commit without an author")
	}
	return people.Git(ctx, a.GetName(), a.GetEmail())
}

// commonLanguages settle a file name several languages use (.md is
// Markdown and GCC Machine Description, .h is C, C++ and Objective-C) when
// the repository's own language is not among them: the API gives no
// content to read.
var commonLanguages = []string{"Markdown", "C", "C++", "JavaScript", "TypeScript", "Python", "Go", "Java", "Ruby", "PHP", "Shell",
	"Perl", "Rust", "Objective-C", "HTML", "CSS", "SQL", "YAML", "JSON", "XML", "Text"}

// language names a file's language from its name (Linguist's data), or "".
func language(path, repoLanguage string) string {
	c := enry.GetLanguages(path, nil)
	switch len(c) {
	case 0:
		return ""
	case 1:
		return c[0]
	}
	if slices.Contains(c, repoLanguage) {
		return repoLanguage
	}
	for _, l := range commonLanguages {
		if slices.Contains(c, l) {
			return l
		}
	}
	return c[0]
}
