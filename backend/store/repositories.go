package store

import (
	"context"
	"fmt"
)

// Repository is a repository as filters and lists show it.
type Repository struct {
	ID       int64  `json:"id"`
	FullName string `json:"full_name"`
	Source   string `json:"source"`
	URL      string `json:"url"`
	Language string `json:"language"`
	Excluded bool   `json:"excluded"`
}

// Repositories lists all repositories by full name.
func (s *Store) Repositories(ctx context.Context) ([]Repository, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, full_name, source, url, language, excluded FROM repositories ORDER BY full_name, id`)
	if err != nil {
		return nil, fmt.Errorf("store: unable to fetch repositories: %w", err)
	}
	defer rows.Close()
	out := []Repository{}
	for rows.Next() {
		var r Repository
		if err := rows.Scan(&r.ID, &r.FullName, &r.Source, &r.URL, &r.Language, &r.Excluded); err != nil {
			return nil, fmt.Errorf("store: unable to fetch repositories: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
