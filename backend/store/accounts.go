package store

import (
	"context"
	"fmt"
)

// Account is one identity of a person on one source: a git email, a
// GitHub or GitLab login, a Jira user.
type Account struct {
	ID         int64  `json:"id"`
	PersonID   int64  `json:"person_id"`
	Source     string `json:"source"`
	ExternalID string `json:"external_id"`
	Login      string `json:"login"`
	Email      string `json:"email"`
	Name       string `json:"name"`
	IsBot      bool   `json:"is_bot"`
}

// Accounts lists every account, grouped by person, oldest first.
func (s *Store) Accounts(ctx context.Context) ([]Account, error) {
	return s.accounts(ctx, `SELECT id, person_id, source, external_id, login, email, name, is_bot FROM accounts ORDER BY person_id, id`)
}

// Account returns one account; ok is false when there is none with the id.
func (s *Store) Account(ctx context.Context, id int64) (a Account, ok bool, err error) {
	list, err := s.accounts(ctx, `SELECT id, person_id, source, external_id, login, email, name, is_bot FROM accounts WHERE id = $1`, id)
	if err != nil || len(list) == 0 {
		return Account{}, false, err
	}
	return list[0], true, nil
}

func (s *Store) accounts(ctx context.Context, q string, args ...any) ([]Account, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to fetch accounts: %w", err)
	}
	defer rows.Close()
	out := []Account{}
	for rows.Next() {
		var a Account
		if err := rows.Scan(&a.ID, &a.PersonID, &a.Source, &a.ExternalID, &a.Login, &a.Email, &a.Name, &a.IsBot); err != nil {
			return nil, fmt.Errorf("store: unable to fetch accounts: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
