package gitlab

import (
	"context"
	"errors"
	"fmt"
	"strings"

	gl "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/momentum-app/momentum/backend/source"
)

// runProjects lists the configured groups' projects (subgroups included)
// and the configured projects, and stores them all, excluded ones too, so
// that the Data sources page lists them. A project GitLab no longer lists
// (deleted, moved out of the group, or no longer configured) is removed
// with everything collected from it; a renamed one keeps its row, found by
// GitLab's project ID. Nothing is removed unless every listing succeeded.
func runProjects(ctx context.Context, job *source.Job) error {
	groups, ids := job.Config.List(KeyGroups), job.Config.List(KeyProjects)
	if len(groups) == 0 && len(ids) == 0 {
		return fmt.Errorf("gitlab: no projects to collect: set %s (group IDs or paths) or %s (project IDs or paths)", KeyGroups, KeyProjects)
	}
	c, err := newClient(job.Config, job.HTTP)
	if err != nil {
		return err
	}
	seen := map[int64]*gl.Project{}
	var order []int64
	add := func(p *gl.Project) {
		if _, dup := seen[p.ID]; !dup {
			order = append(order, p.ID)
		}
		seen[p.ID] = p
	}
	for _, g := range groups {
		opt := &gl.ListGroupProjectsOptions{ListOptions: listOptions(), IncludeSubGroups: gl.Ptr(true), WithShared: gl.Ptr(false), OrderBy: gl.Ptr("id")}
		for p, err := range gl.Scan2(func(po gl.PaginationOptionFunc) ([]*gl.Project, *gl.Response, error) {
			return c.Groups.ListGroupProjects(g, opt, po, gl.WithContext(ctx))
		}) {
			if err != nil {
				if notFound(err) {
					return fmt.Errorf("gitlab: group %q was not found: check %s (a group ID or full path the token can read)", g, KeyGroups)
				}
				return apiError("list the projects of group "+g, err)
			}
			add(p)
		}
	}
	for _, id := range ids {
		p, _, err := c.Projects.GetProject(id, nil, gl.WithContext(ctx))
		if err != nil {
			if notFound(err) {
				// Deleted, or no longer readable: its data goes below.
				job.Log.Warn("gitlab: a configured project was not found", "project", id)
				continue
			}
			return apiError("read project "+id, err)
		}
		add(p)
	}

	db := job.Store.DB()
	for _, id := range order {
		p := seen[id]
		_, err := db.ExecContext(ctx, `INSERT INTO repositories (source, external_id, full_name, name, url, description,
				default_branch, stars, forks, is_private, is_archived, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
			ON CONFLICT (source, external_id) DO UPDATE SET full_name = excluded.full_name, name = excluded.name,
				url = excluded.url, description = excluded.description, default_branch = excluded.default_branch,
				stars = excluded.stars, forks = excluded.forks, is_private = excluded.is_private,
				is_archived = excluded.is_archived, created_at = excluded.created_at, updated_at = excluded.updated_at`,
			ID, fmt.Sprint(p.ID), p.PathWithNamespace, p.Name, p.WebURL, p.Description, p.DefaultBranch,
			p.StarCount, p.ForksCount, p.Visibility != gl.PublicVisibility, p.Archived, unix(p.CreatedAt), unix(p.LastActivityAt))
		if err != nil {
			return fmt.Errorf("gitlab: unable to store project %s: %w", p.PathWithNamespace, err)
		}
		job.AddItems(1)
	}
	removed, err := removeGone(ctx, job, seen)
	if err != nil {
		return err
	}
	if removed > 0 {
		job.Log.Info("gitlab: removed projects GitLab no longer lists", "projects", removed)
	}
	return nil
}

// removeGone deletes the stored projects not in seen; the schema's
// cascades take their commits, merge requests, pipelines and deployments.
func removeGone(ctx context.Context, job *source.Job, seen map[int64]*gl.Project) (int, error) {
	rows, err := job.Store.DB().QueryContext(ctx, `SELECT id, external_id FROM repositories WHERE source = $1`, ID)
	if err != nil {
		return 0, fmt.Errorf("gitlab: unable to read projects: %w", err)
	}
	var gone []int64
	for rows.Next() {
		var id int64
		var ext string
		if err := rows.Scan(&id, &ext); err != nil {
			rows.Close()
			return 0, err
		}
		var pid int64
		if _, err := fmt.Sscan(ext, &pid); err != nil || seen[pid] == nil {
			gone = append(gone, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	var errs []error
	for _, id := range gone {
		// Deployments point at runs with ON DELETE SET NULL; the runs and
		// the deployments themselves cascade from the repository.
		if _, err := job.Store.DB().ExecContext(ctx, `DELETE FROM repositories WHERE id = $1`, id); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return 0, fmt.Errorf("gitlab: unable to remove projects: %s", strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	return len(gone), nil
}
