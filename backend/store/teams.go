package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
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

// TeamDetail is a team with the IDs of its people and repositories.
type TeamDetail struct {
	Team
	PersonIDs []int64 `json:"person_ids"`
	RepoIDs   []int64 `json:"repo_ids"`
}

// TeamInput is what a user sets on a team.
type TeamInput struct {
	Name        string
	Description string
	PersonIDs   []int64
	RepoIDs     []int64
}

// UnknownIDsError says some people or repositories given for a team do not
// exist.
type UnknownIDsError struct {
	Kind string // "person", "repository"
	IDs  []int64
}

func (e *UnknownIDsError) Error() string {
	return fmt.Sprintf("no %s with ID %s", e.Kind, joinIDs(e.IDs))
}

func joinIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ", ")
}

// Team returns one team with its members and repositories.
func (s *Store) Team(ctx context.Context, id int64) (TeamDetail, error) {
	var t TeamDetail
	err := s.db.QueryRowContext(ctx, `SELECT id, name, description FROM teams WHERE id = $1`, id).Scan(&t.ID, &t.Name, &t.Description)
	if errors.Is(err, sql.ErrNoRows) {
		return t, fmt.Errorf("store: no team %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return t, fmt.Errorf("store: unable to fetch team %d: %w", id, err)
	}
	if t.PersonIDs, err = s.int64s(ctx, `SELECT person_id FROM team_members WHERE team_id = $1 ORDER BY person_id`, id); err != nil {
		return t, fmt.Errorf("store: unable to fetch the members of team %d: %w", id, err)
	}
	if t.RepoIDs, err = s.int64s(ctx, `SELECT repo_id FROM team_repositories WHERE team_id = $1 ORDER BY repo_id`, id); err != nil {
		return t, fmt.Errorf("store: unable to fetch the repositories of team %d: %w", id, err)
	}
	t.Members, t.Repos = int64(len(t.PersonIDs)), int64(len(t.RepoIDs))
	return t, nil
}

func (s *Store) int64s(ctx context.Context, query string, args ...any) ([]int64, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []int64{}
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// CreateTeam adds a team with its people and repositories; ErrNameTaken when
// the name is in use, *UnknownIDsError for people or repositories that do
// not exist.
func (s *Store) CreateTeam(ctx context.Context, in TeamInput, now int64) (TeamDetail, error) {
	var id int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO teams (name, description, created_at) VALUES ($1, $2, $3) RETURNING id`,
			in.Name, in.Description, now).Scan(&id)
		if uniqueViolation(err) {
			return fmt.Errorf("store: a team named %q exists: %w", in.Name, ErrNameTaken)
		}
		if err != nil {
			return fmt.Errorf("store: unable to create team %q: %w", in.Name, err)
		}
		return setTeamContents(ctx, tx, id, in)
	})
	if err != nil {
		return TeamDetail{}, err
	}
	return s.Team(ctx, id)
}

// UpdateTeam renames team id and replaces its people and repositories.
func (s *Store) UpdateTeam(ctx context.Context, id int64, in TeamInput) (TeamDetail, error) {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE teams SET name = $1, description = $2 WHERE id = $3`, in.Name, in.Description, id)
		if uniqueViolation(err) {
			return fmt.Errorf("store: a team named %q exists: %w", in.Name, ErrNameTaken)
		}
		if err != nil {
			return fmt.Errorf("store: unable to update team %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("store: no team %d: %w", id, ErrNotFound)
		}
		for _, q := range []string{`DELETE FROM team_members WHERE team_id = $1`, `DELETE FROM team_repositories WHERE team_id = $1`} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return fmt.Errorf("store: unable to update team %d: %w", id, err)
			}
		}
		return setTeamContents(ctx, tx, id, in)
	})
	if err != nil {
		return TeamDetail{}, err
	}
	return s.Team(ctx, id)
}

// DeleteTeam removes a team (its memberships go with it).
func (s *Store) DeleteTeam(ctx context.Context, id int64) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM teams WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("store: unable to delete team %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: no team %d: %w", id, ErrNotFound)
	}
	return nil
}

func setTeamContents(ctx context.Context, tx *sql.Tx, id int64, in TeamInput) error {
	sets := []struct {
		kind, exists, insert string
		ids                  []int64
	}{
		{"person", `SELECT 1 FROM people WHERE id = $1`, `INSERT INTO team_members (team_id, person_id) VALUES ($1, $2)`, in.PersonIDs},
		{"repository", `SELECT 1 FROM repositories WHERE id = $1`, `INSERT INTO team_repositories (team_id, repo_id) VALUES ($1, $2)`, in.RepoIDs},
	}
	for _, set := range sets {
		var missing []int64
		seen := map[int64]bool{}
		for _, ref := range set.ids {
			if seen[ref] {
				continue
			}
			seen[ref] = true
			var one int
			err := tx.QueryRowContext(ctx, set.exists, ref).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				missing = append(missing, ref)
				continue
			}
			if err != nil {
				return fmt.Errorf("store: unable to check %s %d: %w", set.kind, ref, err)
			}
			if _, err := tx.ExecContext(ctx, set.insert, id, ref); err != nil {
				return fmt.Errorf("store: unable to add %s %d to team %d: %w", set.kind, ref, id, err)
			}
		}
		if len(missing) > 0 {
			return &UnknownIDsError{Kind: set.kind, IDs: missing}
		}
	}
	return nil
}

// inTx runs fn in a transaction of the store's database (see InTx).
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return InTx(ctx, s.db, fn)
}

// InTx runs fn in a transaction of db, committed when fn returns nil and
// rolled back otherwise.
func InTx(ctx context.Context, db *sql.DB, fn func(tx *sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: unable to begin a transaction: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: unable to commit: %w", err)
	}
	return nil
}
