package bitbucket

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/momentum-app/momentum/backend/source"
)

type repository struct {
	UUID        string     `json:"uuid"`
	FullName    string     `json:"full_name"`
	Name        string     `json:"name"`
	Slug        string     `json:"slug"`
	Description string     `json:"description"`
	IsPrivate   bool       `json:"is_private"`
	Language    string     `json:"language"`
	CreatedOn   *time.Time `json:"created_on"`
	UpdatedOn   *time.Time `json:"updated_on"`
	MainBranch  *struct {
		Name string `json:"name"`
	} `json:"mainbranch"`
	Links links `json:"links"`
}

// runRepositories lists the workspace's repositories and stores them all,
// excluded ones too (the Data sources page lists them). A repository
// Bitbucket no longer lists (deleted, moved) is deleted with everything
// collected from it; a renamed one keeps its row (same UUID). One request
// per 100 repositories.
func runRepositories(ctx context.Context, job *source.Job) error {
	a := newAPI(job)
	ws := job.Config.Get(KeyWorkspace)
	seen := map[string]bool{}
	db := job.Store.DB()
	err := each(ctx, a, a.url(url.Values{"pagelen": {"100"}}, "repositories", ws), func(r repository) (bool, error) {
		seen[r.UUID] = true
		branch := ""
		if r.MainBranch != nil {
			branch = r.MainBranch.Name
		}
		_, err := db.ExecContext(ctx, `INSERT INTO repositories (source, external_id, full_name, name, url, description,
				default_branch, language, is_private, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
			ON CONFLICT (source, external_id) DO UPDATE SET full_name = excluded.full_name, name = excluded.name,
				url = excluded.url, description = excluded.description, default_branch = excluded.default_branch,
				language = excluded.language, is_private = excluded.is_private, created_at = excluded.created_at,
				updated_at = excluded.updated_at`,
			ID, r.UUID, r.FullName, r.Slug, r.Links.HTML.Href, r.Description, branch, r.Language, r.IsPrivate,
			unix(r.CreatedOn), unix(r.UpdatedOn))
		if err != nil {
			return false, fmt.Errorf("bitbucket: unable to store repository %s: %w", r.FullName, err)
		}
		job.AddItems(1)
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("bitbucket: unable to list the repositories of workspace %q: %w", ws, err)
	}
	rows, err := db.QueryContext(ctx, `SELECT id, external_id FROM repositories WHERE source = $1`, ID)
	if err != nil {
		return err
	}
	var gone []int64
	for rows.Next() {
		var id int64
		var uuid string
		if err := rows.Scan(&id, &uuid); err != nil {
			rows.Close()
			return err
		}
		if !seen[uuid] {
			gone = append(gone, id)
		}
	}
	rows.Close()
	for _, id := range gone {
		if _, err := db.ExecContext(ctx, `DELETE FROM repositories WHERE id = $1`, id); err != nil {
			return fmt.Errorf("bitbucket: unable to remove a repository Bitbucket no longer lists: %w", err)
		}
	}
	return rows.Err()
}
