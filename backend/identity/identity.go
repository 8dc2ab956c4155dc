// Package identity keeps people and their accounts. One person may have
// many accounts (git emails, GitHub/GitLab/Jira logins); every row that
// names a person (commits.person_id and the like) is kept consistent with
// the account it came from.
//
// Accounts merge into people automatically when a source first sees them:
// by email (case-insensitive; git has already applied .mailmap to the
// identities it prints), and by GitHub login, which GitHub's noreply
// addresses (ID+login@users.noreply.github.com, login@users.noreply.github.com)
// carry. A user merges and splits people by hand; a person touched by hand
// is never merged automatically again, so a later sync cannot undo it.
package identity

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/momentum-app/momentum/backend/store"
)

// Account is an account as a source sees it.
type Account struct {
	Source     string // git, github, gitlab, jira ...
	ExternalID string // the platform's user id; for git, the email (see GitAccount)
	Login      string
	Email      string
	Name       string
	AvatarURL  string
	ProfileURL string
	IsBot      bool
}

// Ref is where an account is stored and whose it is.
type Ref struct {
	AccountID int64
	PersonID  int64
	IsBot     bool
}

const noreplyDomain = "@users.noreply.github.com"

// NoreplyLogin reads a GitHub noreply address: "123+octocat@users.noreply.github.com"
// gives ("123", "octocat"), the older "octocat@users.noreply.github.com"
// gives ("", "octocat"). The login comes back lower case.
func NoreplyLogin(email string) (id, login string, ok bool) {
	e := strings.ToLower(strings.TrimSpace(email))
	local, found := strings.CutSuffix(e, noreplyDomain)
	if !found || local == "" {
		return "", "", false
	}
	if i := strings.IndexByte(local, '+'); i >= 0 {
		id, login = local[:i], local[i+1:]
		if id == "" || strings.Trim(id, "0123456789") != "" || login == "" {
			return "", "", false
		}
		return id, login, true
	}
	return "", local, true
}

// botAddresses are service identities that are not people: GitHub's web
// flow commits as "GitHub <noreply@github.com>".
var botAddresses = map[string]bool{
	"noreply@github.com": true,
}

// IsBot tells a bot by its name, login or email: GitHub apps end in "[bot]"
// (dependabot[bot], 49699333+dependabot[bot]@users.noreply.github.com).
func IsBot(name, login, email string) bool {
	e := strings.ToLower(email)
	if botAddresses[e] {
		return true
	}
	if _, l, ok := NoreplyLogin(e); ok && strings.HasSuffix(l, "[bot]") {
		return true
	}
	return strings.HasSuffix(strings.ToLower(strings.TrimSpace(name)), "[bot]") ||
		strings.HasSuffix(strings.ToLower(login), "[bot]")
}

// GitAccount is the account of a git identity: one per email,
// case-insensitively; a noreply address also gives the GitHub login.
func GitAccount(name, email string) Account {
	e := strings.ToLower(strings.TrimSpace(email))
	a := Account{Source: "git", ExternalID: e, Email: e, Name: strings.TrimSpace(name)}
	if e == "" {
		// git allows an empty email; the name is all there is.
		a.ExternalID = "name:" + a.Name
	}
	if _, login, ok := NoreplyLogin(e); ok {
		a.Login = login
	}
	a.IsBot = IsBot(a.Name, a.Login, e)
	return a
}

// Ensure returns the stored account, creating it when new. A new account
// joins the person its email or GitHub login matches (and people it links
// that were kept apart only for want of a link are merged), or a new person.
// An existing account keeps its person: merges and splits by hand stay.
func Ensure(ctx context.Context, st *store.Store, a Account) (Ref, error) {
	a.Email = strings.ToLower(strings.TrimSpace(a.Email))
	if a.Source == "" || a.ExternalID == "" {
		return Ref{}, fmt.Errorf("identity: an account needs a source and an external id (got %q, %q)", a.Source, a.ExternalID)
	}
	a.IsBot = a.IsBot || IsBot(a.Name, a.Login, a.Email)
	if ref, ok, err := lookup(ctx, st.DB(), a); err != nil || ok {
		return ref, err
	}
	var ref Ref
	err := inTx(ctx, st, func(tx *sql.Tx) error {
		var err error
		ref, err = create(ctx, tx, a)
		return err
	})
	if err != nil {
		return Ref{}, fmt.Errorf("identity: unable to store account %s/%s: %w", a.Source, a.ExternalID, err)
	}
	return ref, nil
}

type querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
}

func lookup(ctx context.Context, q querier, a Account) (Ref, bool, error) {
	var ref Ref
	err := q.QueryRowContext(ctx, `SELECT id, person_id, is_bot FROM accounts WHERE source = $1 AND external_id = $2`,
		a.Source, a.ExternalID).Scan(&ref.AccountID, &ref.PersonID, &ref.IsBot)
	if errors.Is(err, sql.ErrNoRows) {
		return Ref{}, false, nil
	}
	if err != nil {
		return Ref{}, false, fmt.Errorf("identity: unable to fetch account %s/%s: %w", a.Source, a.ExternalID, err)
	}
	return ref, true, nil
}

func inTx(ctx context.Context, st *store.Store, fn func(tx *sql.Tx) error) error {
	return store.InTx(ctx, st.DB(), fn)
}

// candidate is a person a new account matches.
type candidate struct {
	id     int64
	isMe   bool
	manual bool
}

// matches lists the people (of the account's kind, bot or not) whose
// accounts share its email or its GitHub identity, lowest id first.
func matches(ctx context.Context, q querier, a Account) ([]candidate, error) {
	var conds []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if a.Email != "" {
		conds = append(conds, "a.email = "+arg(a.Email))
	}
	ghID, ghLogin := "", ""
	if a.Source == "github" {
		ghID, ghLogin = a.ExternalID, strings.ToLower(a.Login)
	} else if id, login, ok := NoreplyLogin(a.Email); ok {
		ghID, ghLogin = id, login
	}
	if ghID != "" {
		conds = append(conds, "(a.source = 'github' AND a.external_id = "+arg(ghID)+")")
		conds = append(conds, "a.email LIKE "+arg(ghID+"+%"+noreplyDomain))
	}
	if ghLogin != "" {
		conds = append(conds, "(a.source = 'github' AND lower(a.login) = "+arg(ghLogin)+")")
		conds = append(conds, "a.email = "+arg(ghLogin+noreplyDomain))
		conds = append(conds, "a.email LIKE "+arg("%+"+ghLogin+noreplyDomain))
	}
	if len(conds) == 0 {
		return nil, nil
	}
	rows, err := q.QueryContext(ctx, `SELECT DISTINCT p.id, p.is_me, p.manual FROM accounts a JOIN people p ON p.id = a.person_id
		WHERE p.is_bot = `+arg(a.IsBot)+` AND (`+strings.Join(conds, " OR ")+`) ORDER BY p.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []candidate
	for rows.Next() {
		var c candidate
		if err := rows.Scan(&c.id, &c.isMe, &c.manual); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func create(ctx context.Context, tx *sql.Tx, a Account) (Ref, error) {
	// Another writer may have created it since lookup.
	if ref, ok, err := lookup(ctx, tx, a); err != nil || ok {
		return ref, err
	}
	cands, err := matches(ctx, tx, a)
	if err != nil {
		return Ref{}, err
	}
	var person int64
	if len(cands) == 0 {
		name := a.Name
		if name == "" {
			name = a.Login
		}
		if name == "" {
			name = a.Email
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO people (display_name, email, is_bot, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
			name, a.Email, a.IsBot, time.Now().Unix()).Scan(&person); err != nil {
			return Ref{}, err
		}
	} else {
		// Join "me" when it is among them, else the oldest person.
		target := cands[0]
		for _, c := range cands {
			if c.isMe {
				target = c
				break
			}
		}
		person = target.id
		// The new account links the others to the target: merge them,
		// unless a user merged or split either by hand.
		if !target.manual {
			for _, c := range cands {
				if c.id != target.id && !c.manual {
					if err := mergeTx(ctx, tx, target.id, c.id); err != nil {
						return Ref{}, err
					}
				}
			}
		}
	}
	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO accounts (person_id, source, external_id, login, email, name, avatar_url, profile_url, is_bot)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		person, a.Source, a.ExternalID, a.Login, a.Email, a.Name, a.AvatarURL, a.ProfileURL, a.IsBot).Scan(&id)
	if err != nil {
		return Ref{}, err
	}
	if a.Email != "" {
		// A person created without an email takes the first one it gets.
		if _, err := tx.ExecContext(ctx, `UPDATE people SET email = $1 WHERE id = $2 AND email = ''`, a.Email, person); err != nil {
			return Ref{}, err
		}
	}
	return Ref{AccountID: id, PersonID: person, IsBot: a.IsBot}, nil
}

// Resolver remembers the accounts of one sync, so that a history of many
// thousand commits by a few hundred identities costs a few hundred lookups.
// It is safe for concurrent use.
type Resolver struct {
	st    *store.Store
	mu    sync.Mutex
	cache map[string]Ref
}

// NewResolver returns a resolver on st.
func NewResolver(st *store.Store) *Resolver {
	return &Resolver{st: st, cache: map[string]Ref{}}
}

// Git returns the account of a git identity, creating it when new.
func (r *Resolver) Git(ctx context.Context, name, email string) (Ref, error) {
	key := strings.ToLower(email)
	if email == "" {
		key = "name:" + name
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if ref, ok := r.cache[key]; ok {
		return ref, nil
	}
	ref, err := Ensure(ctx, r.st, GitAccount(name, email))
	if err != nil {
		return Ref{}, err
	}
	r.cache[key] = ref
	return ref, nil
}

// Forget drops what the resolver remembers, after people were merged or
// split while it was in use.
func (r *Resolver) Forget() {
	r.mu.Lock()
	clear(r.cache)
	r.mu.Unlock()
}
