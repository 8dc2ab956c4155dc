package store

import (
	"context"
	"fmt"
)

// Person is one human (or bot) behind one or more accounts.
type Person struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Email    string `json:"email"`
	IsBot    bool   `json:"is_bot"`
	IsMe     bool   `json:"is_me"`
	Accounts int64  `json:"accounts"`
}

// People lists everyone by name, bots last.
func (s *Store) People(ctx context.Context) ([]Person, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT p.id, p.display_name, p.email, p.is_bot, p.is_me,
		(SELECT COUNT(*) FROM accounts a WHERE a.person_id = p.id)
		FROM people p ORDER BY p.is_bot, lower(p.display_name), p.id`)
	if err != nil {
		return nil, fmt.Errorf("store: unable to fetch people: %w", err)
	}
	defer rows.Close()
	out := []Person{}
	for rows.Next() {
		var p Person
		if err := rows.Scan(&p.ID, &p.Name, &p.Email, &p.IsBot, &p.IsMe, &p.Accounts); err != nil {
			return nil, fmt.Errorf("store: unable to fetch people: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
