package bitbucket

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/momentum-app/momentum/backend/source"
	"github.com/momentum-app/momentum/backend/store"
)

type commit struct {
	Hash    string     `json:"hash"`
	Date    *time.Time `json:"date"`
	Message string     `json:"message"`
	Author  struct {
		Raw  string `json:"raw"`
		User *user  `json:"user"`
	} `json:"author"`
	Parents []struct {
		Hash string `json:"hash"`
	} `json:"parents"`
}

type diffstat struct {
	Status       string `json:"status"`
	LinesAdded   int64  `json:"lines_added"`
	LinesRemoved int64  `json:"lines_removed"`
	Old          *struct {
		Path string `json:"path"`
	} `json:"old"`
	New *struct {
		Path string `json:"path"`
	} `json:"new"`
}

// runCommits stores the commits of each repository's main branch since the
// window start (newest first, stopping at the first older one), each with
// its files and line counts from its diffstat: one request per page of
// commits and one per new commit. An unchanged repository costs one
// request. Authors become git accounts by email; a Bitbucket user the
// commit is attributed to gets that email, which joins them.
func runCommits(ctx context.Context, job *source.Job) error {
	a := newAPI(job)
	rs, err := repos(ctx, job)
	if err != nil {
		return err
	}
	who := newPeople(job)
	ws := job.Config.Get(KeyWorkspace)
	for _, r := range rs {
		if r.mainBranch == "" {
			continue // an empty repository
		}
		var batch []store.NewCommit
		first := a.url(url.Values{"pagelen": {"100"}}, "repositories", ws, r.slug, "commits", r.mainBranch)
		err := each(ctx, a, first, func(c commit) (bool, error) {
			if c.Date != nil && c.Date.Before(job.Window.Start) {
				return false, nil
			}
			var have bool
			if err := job.Store.DB().QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM commits WHERE repo_id = $1 AND sha = $2)`, r.id, c.Hash).Scan(&have); err != nil {
				return false, err
			}
			if have {
				return true, nil
			}
			nc, err := newCommit(ctx, a, who, ws, r, c)
			if err != nil {
				return false, err
			}
			batch = append(batch, nc)
			return true, nil
		})
		if err != nil {
			return fmt.Errorf("bitbucket: unable to list the commits of %s: %w", r.fullName, err)
		}
		if len(batch) > 0 {
			if _, err := job.Store.InsertCommits(ctx, batch); err != nil {
				return fmt.Errorf("bitbucket: %w", err)
			}
			job.AddItems(len(batch))
		}
	}
	return nil
}

func newCommit(ctx context.Context, a *api, who *people, ws string, r repo, c commit) (store.NewCommit, error) {
	name, email := splitRaw(c.Author.Raw)
	author, err := who.git.Git(ctx, name, email)
	if err != nil {
		return store.NewCommit{}, err
	}
	if c.Author.User != nil && email != "" {
		if _, err := who.account(ctx, c.Author.User, email); err != nil {
			return store.NewCommit{}, err
		}
	}
	subject := c.Message
	for i, ch := range subject {
		if ch == '\n' {
			subject = subject[:i]
			break
		}
	}
	nc := store.NewCommit{RepoID: r.id, SHA: c.Hash, AuthorAccountID: author.AccountID, PersonID: author.PersonID,
		CommitterAccountID: author.AccountID, Subject: subject, IsMerge: len(c.Parents) > 1}
	if c.Date != nil {
		nc.AuthoredAt, nc.CommittedAt = c.Date.Unix(), c.Date.Unix()
		_, off := c.Date.Zone()
		nc.AuthorTZOffset = off / 60
	}
	err = each(ctx, a, a.url(url.Values{"pagelen": {"500"}}, "repositories", ws, r.slug, "diffstat", c.Hash), func(d diffstat) (bool, error) {
		p := ""
		if d.New != nil {
			p = d.New.Path
		} else if d.Old != nil {
			p = d.Old.Path
		}
		nc.Files = append(nc.Files, store.NewCommitFile{Path: p, Additions: d.LinesAdded, Deletions: d.LinesRemoved})
		nc.Additions += d.LinesAdded
		nc.Deletions += d.LinesRemoved
		return true, nil
	})
	if err != nil {
		return store.NewCommit{}, fmt.Errorf("diffstat of %s: %w", c.Hash, err)
	}
	nc.FilesChanged = int64(len(nc.Files))
	return nc, nil
}
