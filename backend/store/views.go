package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
)

// SavedView is a named dashboard configuration: the page it belongs to and
// the URL query (range, compare, grouping, filters) that restores it.
type SavedView struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	Slug      string `json:"slug"`
	Page      string `json:"page"`
	Query     string `json:"query"`
	CreatedAt int64  `json:"created_at"`
	UpdatedAt int64  `json:"updated_at"`
}

const viewColumns = `id, name, slug, page, query, created_at, updated_at`

func scanView(row interface{ Scan(...any) error }) (SavedView, error) {
	var v SavedView
	err := row.Scan(&v.ID, &v.Name, &v.Slug, &v.Page, &v.Query, &v.CreatedAt, &v.UpdatedAt)
	return v, err
}

// SavedViews lists the saved views by name.
func (s *Store) SavedViews(ctx context.Context) ([]SavedView, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+viewColumns+` FROM saved_views ORDER BY lower(name), id`)
	if err != nil {
		return nil, fmt.Errorf("store: unable to fetch saved views: %w", err)
	}
	defer rows.Close()
	out := []SavedView{}
	for rows.Next() {
		v, err := scanView(rows)
		if err != nil {
			return nil, fmt.Errorf("store: unable to fetch saved views: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// SavedView returns one view; ErrNotFound when there is none with that ID.
func (s *Store) SavedView(ctx context.Context, id int64) (SavedView, error) {
	v, err := scanView(s.db.QueryRowContext(ctx, `SELECT `+viewColumns+` FROM saved_views WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return v, fmt.Errorf("store: no saved view %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return v, fmt.Errorf("store: unable to fetch saved view %d: %w", id, err)
	}
	return v, nil
}

// CreateSavedView stores v (its Name, Page and Query) at now and returns it
// with its ID and slug; ErrNameTaken when the name is in use.
func (s *Store) CreateSavedView(ctx context.Context, v SavedView, now int64) (SavedView, error) {
	v.Slug = rand.Text()[:12] // a stable key for links that survives renames
	v.CreatedAt, v.UpdatedAt = now, now
	err := s.db.QueryRowContext(ctx, `INSERT INTO saved_views (name, slug, page, query, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, v.Name, v.Slug, v.Page, v.Query, now, now).Scan(&v.ID)
	if uniqueViolation(err) {
		return v, fmt.Errorf("store: a saved view named %q exists: %w", v.Name, ErrNameTaken)
	}
	if err != nil {
		return v, fmt.Errorf("store: unable to save the view: %w", err)
	}
	return v, nil
}

// UpdateSavedView replaces the name, page and query of view v.ID.
func (s *Store) UpdateSavedView(ctx context.Context, v SavedView, now int64) (SavedView, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE saved_views SET name = $1, page = $2, query = $3, updated_at = $4 WHERE id = $5`,
		v.Name, v.Page, v.Query, now, v.ID)
	if uniqueViolation(err) {
		return v, fmt.Errorf("store: a saved view named %q exists: %w", v.Name, ErrNameTaken)
	}
	if err != nil {
		return v, fmt.Errorf("store: unable to update saved view %d: %w", v.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return v, fmt.Errorf("store: no saved view %d: %w", v.ID, ErrNotFound)
	}
	return s.SavedView(ctx, v.ID)
}

// DeleteSavedView removes a view; ErrNotFound when there is none.
func (s *Store) DeleteSavedView(ctx context.Context, id int64) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM saved_views WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("store: unable to delete saved view %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: no saved view %d: %w", id, ErrNotFound)
	}
	return nil
}
