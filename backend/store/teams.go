package store

import (
	"context"
	"fmt"
)

// Team is a named group of people and repositories.
type Team struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Members     int64  `json:"members"`
	Repos       int64  `json:"repos"`
}

// Teams lists all teams by name with their sizes.
func (s *Store) Teams(ctx context.Context) ([]Team, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT t.id, t.name, t.description,
		(SELECT COUNT(*) FROM team_members m WHERE m.team_id = t.id),
		(SELECT COUNT(*) FROM team_repositories r WHERE r.team_id = t.id)
		FROM teams t ORDER BY t.name`)
	if err != nil {
		return nil, fmt.Errorf("store: unable to fetch teams: %w", err)
	}
	defer rows.Close()
	out := []Team{}
	for rows.Next() {
		var t Team
		if err := rows.Scan(&t.ID, &t.Name, &t.Description, &t.Members, &t.Repos); err != nil {
			return nil, fmt.Errorf("store: unable to fetch teams: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
