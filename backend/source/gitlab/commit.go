package gitlab

import (
	"context"
	"fmt"

	gl "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/momentum-app/momentum/backend/source"
	"github.com/momentum-app/momentum/backend/store"
)

// runCommits stores the commits of each project's default branch committed
// since the window start, with their line counts (with_stats). Authors and
// committers become git accounts by email, the same accounts a local clone
// of the project gives, so both sources count one person once. An
// unchanged project costs one request.
func runCommits(ctx context.Context, job *source.Job) error {
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
		opt := &gl.ListCommitsOptions{ListOptions: listOptions(), Since: gl.Ptr(job.Window.Start), WithStats: gl.Ptr(true)}
		var batch []store.NewCommit
		for cm, err := range gl.Scan2(func(po gl.PaginationOptionFunc) ([]*gl.Commit, *gl.Response, error) {
			return c.Commits.ListCommits(p.id, opt, po, gl.WithContext(ctx))
		}) {
			if err != nil {
				return apiError("list the commits of "+p.fullPath, err)
			}
			nc, err := newCommit(ctx, who, p.repoID, cm)
			if err != nil {
				return err
			}
			batch = append(batch, nc)
			if len(batch) == 500 {
				if err := insertCommits(ctx, job, batch); err != nil {
					return err
				}
				batch = batch[:0]
			}
		}
		if err := insertCommits(ctx, job, batch); err != nil {
			return err
		}
	}
	return nil
}

func insertCommits(ctx context.Context, job *source.Job, batch []store.NewCommit) error {
	if len(batch) == 0 {
		return nil
	}
	if _, err := job.Store.InsertCommits(ctx, batch); err != nil {
		return fmt.Errorf("gitlab: %w", err)
	}
	job.AddItems(len(batch))
	return nil
}

func newCommit(ctx context.Context, who *people, repoID int64, cm *gl.Commit) (store.NewCommit, error) {
	author, err := who.git.Git(ctx, cm.AuthorName, cm.AuthorEmail)
	if err != nil {
		return store.NewCommit{}, err
	}
	committer, err := who.git.Git(ctx, cm.CommitterName, cm.CommitterEmail)
	if err != nil {
		return store.NewCommit{}, err
	}
	nc := store.NewCommit{
		RepoID: repoID, SHA: cm.ID, AuthorAccountID: author.AccountID, PersonID: author.PersonID,
		CommitterAccountID: committer.AccountID, Subject: cm.Title, IsMerge: len(cm.ParentIDs) > 1,
	}
	if cm.AuthoredDate != nil {
		nc.AuthoredAt = cm.AuthoredDate.Unix()
		_, off := cm.AuthoredDate.Zone()
		nc.AuthorTZOffset = off / 60
	}
	if cm.CommittedDate != nil {
		nc.CommittedAt = cm.CommittedDate.Unix()
	}
	if cm.Stats != nil {
		nc.Additions, nc.Deletions = cm.Stats.Additions, cm.Stats.Deletions
	}
	return nc, nil
}
