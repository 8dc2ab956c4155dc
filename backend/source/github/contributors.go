package github

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	gh "github.com/google/go-github/v92/github"

	"github.com/momentum-app/momentum/backend/source"
)

// runContributors lists each repository's contributors (conditionally: an
// unchanged list is a 304) and makes an account of each user not seen
// before, with the profile read (name, public email), so that it joins the
// person its email or noreply address already belongs to (a local-git
// identity, say) before the other scripts attribute commits and reviews to
// it.
func runContributors(ctx context.Context, job *source.Job) error {
	s, err := newSession(ctx, job)
	if err != nil {
		return err
	}
	repos, err := s.repositories(ctx)
	if err != nil {
		return err
	}
	for _, r := range repos {
		first := fmt.Sprintf("repos/%s/contributors?per_page=%d", r.FullName, perPage)
		for u := first; u != ""; {
			var list []*gh.Contributor
			p, err := s.getPage(ctx, u, &list)
			if err != nil {
				if isGone(err) {
					break // empty repository (204) or gone since the listing
				}
				return fmt.Errorf("github: unable to list the contributors of %s: %w", r.FullName, err)
			}
			if !p.changed {
				u = p.next
				continue
			}
			for _, c := range list {
				if c.GetID() == 0 || c.GetType() == "Anonymous" {
					continue
				}
				known, err := s.knownAccount(ctx, c.GetID())
				if err != nil {
					return err
				}
				if known {
					continue
				}
				if _, _, err := s.user(ctx, &gh.User{ID: c.ID, Login: c.Login, Type: c.Type, AvatarURL: c.AvatarURL, HTMLURL: c.HTMLURL}); err != nil {
					return err
				}
				job.AddItems(1)
			}
			if err := s.keep(ctx, u, p, ""); err != nil {
				return err
			}
			u = p.next
		}
	}
	return nil
}

// knownAccount tells whether a GitHub user already has an account.
func (s *session) knownAccount(ctx context.Context, id int64) (bool, error) {
	var one int
	err := s.db.QueryRowContext(ctx, `SELECT 1 FROM accounts WHERE source = $1 AND external_id = $2`, ID, strconv.FormatInt(id, 10)).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("github: unable to fetch account %d: %w", id, err)
	}
	return true, nil
}

// isGone tells a 404 or 409 (an empty repository's commits) or a 204 that
// go-github reports as an error: nothing to collect there.
func isGone(err error) bool {
	var er *gh.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		switch er.Response.StatusCode {
		case 404, 409, 410:
			return true
		}
	}
	return false
}
