package github

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	gh "github.com/google/go-github/v92/github"

	"github.com/momentum-app/momentum/backend/identity"
	"github.com/momentum-app/momentum/backend/source"
	"github.com/momentum-app/momentum/backend/store"
)

// session is what every script works with: the API client, the store, the
// accounts seen so far and the conditional-request validators.
type session struct {
	job   *source.Job
	api   *gh.Client
	st    *store.Store
	db    *sql.DB
	etags *Validators

	mu       sync.Mutex
	accounts map[int64]identity.Ref // GitHub user id → account
}

func newSession(ctx context.Context, job *source.Job) (*session, error) {
	api, err := newClient(job.Config, job.HTTP.StandardClient())
	if err != nil {
		return nil, err
	}
	return &session{job: job, api: api, st: job.Store, db: job.Store.DB(),
		etags:    NewValidators(job.Store, ID+"/"+job.Script),
		accounts: map[int64]identity.Ref{}}, nil
}

// repo is a collected repository, as dependent scripts read it back.
type repo struct {
	ID         int64
	ExternalID int64
	Owner      string
	Name       string
	FullName   string
	Language   string
}

// repositories lists the repositories to collect: this source's, not
// excluded, in a stable order.
func (s *session) repositories(ctx context.Context) ([]repo, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, external_id, full_name, language FROM repositories
		WHERE source = $1 AND excluded = FALSE ORDER BY full_name, id`, ID)
	if err != nil {
		return nil, fmt.Errorf("github: unable to fetch repositories: %w", err)
	}
	defer rows.Close()
	var out []repo
	for rows.Next() {
		var r repo
		var ext string
		if err := rows.Scan(&r.ID, &ext, &r.FullName, &r.Language); err != nil {
			return nil, fmt.Errorf("github: unable to fetch repositories: %w", err)
		}
		r.ExternalID, _ = strconv.ParseInt(ext, 10, 64)
		r.Owner, r.Name, _ = strings.Cut(r.FullName, "/")
		out = append(out, r)
	}
	return out, rows.Err()
}

// user returns the account of a GitHub user, creating it when new. A new
// person's profile is read once (name, public email), so that the account
// joins the person its email already belongs to (a local-git identity,
// say); a bot's is not, it has none. A nil user (a deleted account,
// "ghost") has no account.
func (s *session) user(ctx context.Context, u *gh.User) (identity.Ref, bool, error) {
	if u == nil || u.GetID() == 0 {
		return identity.Ref{}, false, nil
	}
	s.mu.Lock()
	ref, ok := s.accounts[u.GetID()]
	s.mu.Unlock()
	if ok {
		return ref, true, nil
	}
	known, err := s.knownAccount(ctx, u.GetID())
	if err != nil {
		return identity.Ref{}, false, err
	}
	if !known && u.GetLogin() != "" && !accountOf(u).IsBot && u.Name == nil {
		profile, _, err := s.api.Users.Get(ctx, u.GetLogin())
		if err != nil {
			return identity.Ref{}, false, fmt.Errorf("github: unable to read the profile of %s: %w", u.GetLogin(), err)
		}
		u = profile
	}
	ref, err = identity.Ensure(ctx, s.st, accountOf(u))
	if err != nil {
		return identity.Ref{}, false, err
	}
	s.mu.Lock()
	s.accounts[u.GetID()] = ref
	s.mu.Unlock()
	return ref, true, nil
}

// accountOf is a GitHub user as an identity account: apps and bots
// (type "Bot", logins ending in [bot]) are flagged.
func accountOf(u *gh.User) identity.Account {
	return identity.Account{
		Source:     ID,
		ExternalID: strconv.FormatInt(u.GetID(), 10),
		Login:      u.GetLogin(),
		Email:      u.GetEmail(),
		Name:       u.GetName(),
		AvatarURL:  u.GetAvatarURL(),
		ProfileURL: u.GetHTMLURL(),
		IsBot:      strings.EqualFold(u.GetType(), "Bot") || identity.IsBot(u.GetName(), u.GetLogin(), u.GetEmail()),
	}
}

// accountIDs returns (account id, person id) of a user for nullable
// columns.
func (s *session) accountIDs(ctx context.Context, u *gh.User) (account, person any, err error) {
	ref, ok, err := s.user(ctx, u)
	if err != nil || !ok {
		return nil, nil, err
	}
	return ref.AccountID, ref.PersonID, nil
}

// selected says whether a repository is collected: it matches an include
// pattern (when there are any) and no exclude pattern. Patterns are globs
// on owner/name.
func selected(cfg source.Config, fullName string) bool {
	if inc := cfg.List(KeyInclude); len(inc) > 0 && !matchAny(inc, fullName) {
		return false
	}
	return !matchAny(cfg.List(KeyExclude), fullName)
}

// matchAny matches name against glob patterns, case-insensitively: * is
// any run of characters (slashes too), ? any one character.
func matchAny(patterns []string, name string) bool {
	for _, p := range patterns {
		expr := strings.NewReplacer(`\*`, `.*`, `\?`, `.`).Replace(regexp.QuoteMeta(p))
		if re, err := regexp.Compile(`(?i)^` + expr + `$`); err == nil && re.MatchString(name) {
			return true
		}
	}
	return false
}

// inTx runs fn in a transaction.
func (s *session) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return store.InTx(ctx, s.db, fn)
}
