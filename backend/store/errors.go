package store

import (
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// ErrNotFound says the row asked for by ID does not exist.
var ErrNotFound = errors.New("not found")

// ErrNameTaken says another row already has this name (names are unique
// regardless of case).
var ErrNameTaken = errors.New("name taken")

// uniqueViolation reports whether err is a unique-constraint violation on
// either engine.
func uniqueViolation(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "23505"
	}
	// modernc.org/sqlite: "constraint failed: UNIQUE constraint failed: ... (2067)"
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}
