package github

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	gh "github.com/google/go-github/v92/github"

	"github.com/momentum-app/momentum/backend/source"
	"github.com/momentum-app/momentum/backend/source/httpclient"
)

// page is one page of a list fetched with a conditional request.
type page struct {
	changed bool   // false: 304, the stored memo stands for the body
	memo    string // the memo stored with the validator, when unchanged
	next    string // the next page's URL, "" on the last
	resp    *gh.Response
}

// getPage GETs url into into, conditionally when a validator usable in
// the job's window is stored. On a 304, into is left alone and the page
// carries the memo and next URL stored with the validator.
func (s *session) getPage(ctx context.Context, url string, into any) (page, error) {
	val, ok, err := s.etags.Get(ctx, url, s.job.Window)
	if err != nil {
		return page{}, err
	}
	req, err := s.api.NewRequest(ctx, "GET", url, nil)
	if err != nil {
		return page{}, err
	}
	if ok {
		req.Header.Set("If-None-Match", val.ETag)
	}
	resp, err := s.api.Do(req, into)
	if notModified(resp) {
		next, memo, _ := strings.Cut(val.Memo, "\n")
		return page{memo: memo, next: next, resp: resp}, nil
	}
	if err != nil {
		return page{}, err
	}
	return page{changed: true, next: httpclient.NextLink(resp.Response), resp: resp}, nil
}

// keep stores the validator of a processed page, with its next URL and memo.
func (s *session) keep(ctx context.Context, url string, p page, memo string) error {
	return s.etags.Put(ctx, url, s.job.Window, Validator{ETag: p.resp.Header.Get("ETag"), Memo: p.next + "\n" + memo})
}

// owner is a configured organization or user.
type owner struct {
	name string
	org  bool
}

func owners(cfg source.Config) []owner {
	var out []owner
	for _, o := range cfg.List(KeyOrganizations) {
		out = append(out, owner{name: o, org: true})
	}
	for _, u := range cfg.List(KeyUsers) {
		out = append(out, owner{name: u})
	}
	return out
}

// runRepositories lists the configured owners' repositories, page by page
// with conditional requests (an unchanged page costs a 304), and upserts
// them by GitHub's repository id, so a renamed repository keeps its rows.
// A repository of a listed owner that the listing no longer has (deleted,
// transferred, or made invisible to the token) is deleted with everything
// collected from it. Repositories of owners no longer configured, of the
// wrong visibility, or matching no include or an exclude pattern are kept
// but marked excluded, and the other scripts skip them.
func runRepositories(ctx context.Context, job *source.Job) error {
	s, err := newSession(ctx, job)
	if err != nil {
		return err
	}
	own := owners(job.Config)
	if len(own) == 0 {
		return fmt.Errorf("github: no organization or user to collect: set %s or %s", KeyOrganizations, KeyUsers)
	}
	visibility := job.Config.Get(KeyVisibility)
	listed := map[string]bool{} // external ids listed, of every owner
	var owned []string          // the owners listed completely
	for _, o := range own {
		first := fmt.Sprintf("users/%s/repos?type=owner&per_page=%d", o.name, perPage)
		if o.org {
			// All of them, also with a visibility filter: a repository of
			// the other visibility is kept, excluded, not taken for deleted.
			first = fmt.Sprintf("orgs/%s/repos?type=all&per_page=%d", o.name, perPage)
		}
		for u := first; u != ""; {
			var repos []*gh.Repository
			p, err := s.getPage(ctx, u, &repos)
			if err != nil {
				return fmt.Errorf("github: unable to list the repositories of %s: %w", o.name, err)
			}
			if !p.changed {
				for _, id := range strings.Fields(p.memo) {
					listed[id] = true
				}
				u = p.next
				continue
			}
			var ids []string
			for _, r := range repos {
				id := strconv.FormatInt(r.GetID(), 10)
				if !o.org && !strings.EqualFold(r.GetOwner().GetLogin(), o.name) {
					continue
				}
				if err := s.upsertRepository(ctx, r, visibility); err != nil {
					return err
				}
				listed[id] = true
				ids = append(ids, id)
				job.AddItems(1)
			}
			if err := s.keep(ctx, u, p, strings.Join(ids, " ")); err != nil {
				return err
			}
			u = p.next
		}
		owned = append(owned, strings.ToLower(o.name))
	}
	return s.reconcileRepositories(ctx, listed, owned)
}

func (s *session) upsertRepository(ctx context.Context, r *gh.Repository, visibility string) error {
	excluded := !selected(s.job.Config, r.GetFullName()) ||
		(visibility == "public" && r.GetPrivate()) || (visibility == "private" && !r.GetPrivate())
	_, err := s.db.ExecContext(ctx, `INSERT INTO repositories (source, external_id, full_name, name, url, description, default_branch,
			language, stars, forks, is_private, is_archived, excluded, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
		ON CONFLICT (source, external_id) DO UPDATE SET full_name = excluded.full_name, name = excluded.name, url = excluded.url,
			description = excluded.description, default_branch = excluded.default_branch, language = excluded.language,
			stars = excluded.stars, forks = excluded.forks, is_private = excluded.is_private, is_archived = excluded.is_archived,
			excluded = excluded.excluded, created_at = excluded.created_at, updated_at = excluded.updated_at`,
		ID, strconv.FormatInt(r.GetID(), 10), r.GetFullName(), r.GetName(), r.GetHTMLURL(), r.GetDescription(), r.GetDefaultBranch(),
		r.GetLanguage(), r.GetStargazersCount(), r.GetForksCount(), r.GetPrivate(), r.GetArchived(), excluded,
		nullUnix(r.CreatedAt), nullUnix(r.UpdatedAt))
	if err != nil {
		return fmt.Errorf("github: unable to store repository %s: %w", r.GetFullName(), err)
	}
	return nil
}

// reconcileRepositories deletes the stored repositories of completely
// listed owners that the listing no longer has, and excludes those of
// owners no longer configured. The patterns are applied again to every
// stored repository, so a changed include or exclude pattern takes effect
// even when every page answered 304.
func (s *session) reconcileRepositories(ctx context.Context, listed map[string]bool, owned []string) error {
	rows, err := s.db.QueryContext(ctx, `SELECT id, external_id, full_name, is_private, excluded FROM repositories WHERE source = $1`, ID)
	if err != nil {
		return fmt.Errorf("github: unable to fetch repositories: %w", err)
	}
	type stored struct {
		id               int64
		ext, name        string
		private, exclude bool
	}
	var all []stored
	for rows.Next() {
		var r stored
		if err := rows.Scan(&r.id, &r.ext, &r.name, &r.private, &r.exclude); err != nil {
			rows.Close()
			return fmt.Errorf("github: unable to fetch repositories: %w", err)
		}
		all = append(all, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	visibility := s.job.Config.Get(KeyVisibility)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, r := range all {
			ownerName, _, _ := strings.Cut(strings.ToLower(r.name), "/")
			configured := false
			for _, o := range owned {
				configured = configured || o == ownerName
			}
			if configured && !listed[r.ext] {
				// ON DELETE CASCADE takes its commits, pull requests,
				// pipelines, runs and deployments along.
				if _, err := tx.ExecContext(ctx, `DELETE FROM repositories WHERE id = $1`, r.id); err != nil {
					return fmt.Errorf("github: unable to delete repository %s: %w", r.name, err)
				}
				if _, err := tx.ExecContext(ctx, `DELETE FROM http_validators WHERE scope LIKE $1 AND url LIKE $2`,
					ID+"/%", "repos/"+r.name+"/%"); err != nil {
					return fmt.Errorf("github: unable to delete the validators of %s: %w", r.name, err)
				}
				continue
			}
			exclude := !configured || !selected(s.job.Config, r.name) ||
				(visibility == "public" && r.private) || (visibility == "private" && !r.private)
			if exclude != r.exclude {
				if _, err := tx.ExecContext(ctx, `UPDATE repositories SET excluded = $1 WHERE id = $2`, exclude, r.id); err != nil {
					return fmt.Errorf("github: unable to update repository %s: %w", r.name, err)
				}
			}
		}
		return nil
	})
}
