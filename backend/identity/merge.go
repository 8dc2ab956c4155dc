package identity

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"github.com/momentum-app/momentum/backend/store"
)

// personColumns is every column that holds a person id, beside
// accounts.person_id. A migration that adds one adds it here;
// TestPersonColumnsComplete reads the schema to make sure.
var personColumns = []struct{ table, column string }{
	{"commits", "person_id"},
	{"pull_requests", "person_id"},
	{"pull_request_reviews", "person_id"},
	{"pull_request_comments", "person_id"},
	{"pipeline_runs", "person_id"},
	{"deployments", "person_id"},
	{"tickets", "assignee_person_id"},
}

// accountColumns says, for the rows a split moves, which account column
// decides whose a row is. Pipeline runs and deployments name no account and
// stay with the person they were split from.
var accountColumns = []struct{ table, person, account string }{
	{"commits", "person_id", "author_account_id"},
	{"pull_requests", "person_id", "author_account_id"},
	{"pull_request_reviews", "person_id", "reviewer_account_id"},
	{"pull_request_comments", "person_id", "author_account_id"},
	{"tickets", "assignee_person_id", "assignee_account_id"},
}

// ErrNotFound is returned for a person or account that does not exist.
var ErrNotFound = errors.New("not found")

// Merge moves everything of person from to person into and deletes from:
// accounts, commits, pull requests, reviews, comments, runs, deployments,
// tickets, team memberships, and "me". The result counts as merged by hand.
func Merge(ctx context.Context, st *store.Store, into, from int64) error {
	if into == from {
		return fmt.Errorf("identity: cannot merge person %d into itself", into)
	}
	err := inTx(ctx, st, func(tx *sql.Tx) error {
		for _, id := range []int64{into, from} {
			if err := mustExist(ctx, tx, "people", id); err != nil {
				return err
			}
		}
		if err := mergeTx(ctx, tx, into, from); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE people SET manual = TRUE WHERE id = $1`, into)
		return err
	})
	if err != nil {
		return fmt.Errorf("identity: unable to merge person %d into %d: %w", from, into, err)
	}
	return nil
}

func mustExist(ctx context.Context, tx *sql.Tx, table string, id int64) error {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM `+table+` WHERE id = $1`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		kind := strings.TrimSuffix(table, "s")
		if table == "people" {
			kind = "person"
		}
		return fmt.Errorf("%s %d: %w", kind, id, ErrNotFound)
	}
	return err
}

func mergeTx(ctx context.Context, tx *sql.Tx, into, from int64) error {
	for _, c := range personColumns {
		if _, err := tx.ExecContext(ctx, `UPDATE `+c.table+` SET `+c.column+` = $1 WHERE `+c.column+` = $2`, into, from); err != nil {
			return err
		}
	}
	// Each statement gets only the parameters it names: PostgreSQL
	// refuses a parameter it cannot type because it is not used.
	both, onlyFrom := []any{into, from}, []any{from}
	stmts := []struct {
		q    string
		args []any
	}{
		{`UPDATE accounts SET person_id = $1 WHERE person_id = $2`, both},
		{`INSERT INTO team_members (team_id, person_id) SELECT team_id, $1 FROM team_members WHERE person_id = $2
			ON CONFLICT (team_id, person_id) DO NOTHING`, both},
		{`DELETE FROM team_members WHERE person_id = $1`, onlyFrom},
		{`UPDATE people SET is_me = TRUE WHERE id = $1 AND EXISTS (SELECT 1 FROM people WHERE id = $2 AND is_me)`, both},
		{`UPDATE people SET email = (SELECT email FROM people WHERE id = $2) WHERE id = $1 AND email = ''`, both},
		{`DELETE FROM people WHERE id = $1`, onlyFrom},
	}
	for _, st := range stmts {
		if _, err := tx.ExecContext(ctx, st.q, st.args...); err != nil {
			return err
		}
	}
	return nil
}

// Split takes an account away from its person into a new person of its own,
// with the rows that name the account: its commits, pull requests, reviews,
// comments and tickets. Both people count as split by hand, so automatic
// merging never joins them again. It returns the new person's id.
func Split(ctx context.Context, st *store.Store, accountID int64) (int64, error) {
	var newID int64
	err := inTx(ctx, st, func(tx *sql.Tx) error {
		var old int64
		var name, login, email string
		var bot bool
		err := tx.QueryRowContext(ctx, `SELECT person_id, name, login, email, is_bot FROM accounts WHERE id = $1`, accountID).
			Scan(&old, &name, &login, &email, &bot)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("account %d: %w", accountID, ErrNotFound)
		}
		if err != nil {
			return err
		}
		var others int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM accounts WHERE person_id = $1 AND id <> $2`, old, accountID).Scan(&others); err != nil {
			return err
		}
		if others == 0 {
			return fmt.Errorf("account %d is the only account of person %d: there is nothing to split", accountID, old)
		}
		display := name
		if display == "" {
			display = login
		}
		if display == "" {
			display = email
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO people (display_name, email, is_bot, manual, created_at) VALUES ($1, $2, $3, TRUE, $4) RETURNING id`,
			display, email, bot, time.Now().Unix()).Scan(&newID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE accounts SET person_id = $1 WHERE id = $2`, newID, accountID); err != nil {
			return err
		}
		for _, c := range accountColumns {
			if _, err := tx.ExecContext(ctx, `UPDATE `+c.table+` SET `+c.person+` = $1 WHERE `+c.account+` = $2`, newID, accountID); err != nil {
				return err
			}
		}
		// The person left behind keeps an email of its own accounts.
		_, err = tx.ExecContext(ctx, `UPDATE people SET manual = TRUE,
			email = CASE WHEN email = $2 THEN COALESCE((SELECT MIN(a.email) FROM accounts a WHERE a.person_id = $1 AND a.email <> ''), '') ELSE email END
			WHERE id = $1`, old, email)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("identity: unable to split account %d: %w", accountID, err)
	}
	return newID, nil
}

// SetMe marks the person as "me", and nobody else.
func SetMe(ctx context.Context, st *store.Store, personID int64) error {
	err := inTx(ctx, st, func(tx *sql.Tx) error {
		if err := mustExist(ctx, tx, "people", personID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE people SET is_me = (id = $1) WHERE is_me OR id = $1`, personID)
		return err
	})
	if err != nil {
		return fmt.Errorf("identity: unable to set me to person %d: %w", personID, err)
	}
	return nil
}

// Me returns the person marked "me", or 0.
func Me(ctx context.Context, st *store.Store) (int64, error) {
	var id int64
	err := st.DB().QueryRowContext(ctx, `SELECT id FROM people WHERE is_me ORDER BY id LIMIT 1`).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("identity: unable to fetch me: %w", err)
	}
	return id, nil
}

// PeopleByEmail returns the people with an account of any of the emails
// (case-insensitive), lowest id first: the suggestions for "me" from the
// configured author emails and `git config user.email`.
func PeopleByEmail(ctx context.Context, st *store.Store, emails []string) ([]int64, error) {
	var args []any
	var ph []string
	for _, e := range emails {
		if e = strings.ToLower(strings.TrimSpace(e)); e != "" {
			args = append(args, e)
			ph = append(ph, fmt.Sprintf("$%d", len(args)))
		}
	}
	if len(args) == 0 {
		return nil, nil
	}
	rows, err := st.DB().QueryContext(ctx, `SELECT DISTINCT person_id FROM accounts WHERE email IN (`+strings.Join(ph, ",")+`) ORDER BY person_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("identity: unable to fetch people by email: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("identity: unable to fetch people by email: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// ClaimMe applies the configured author emails (GIT_AUTHOR_EMAILS): they
// are all the user's, so the people who have them become one person, marked
// "me" — the person already marked "me" when there is one. It returns that
// person, or 0 when no account has any of the emails yet.
func ClaimMe(ctx context.Context, st *store.Store, emails []string) (int64, error) {
	ids, err := PeopleByEmail(ctx, st, emails)
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	me, err := Me(ctx, st)
	if err != nil {
		return 0, err
	}
	target := ids[0]
	if me != 0 {
		target = me
	}
	err = inTx(ctx, st, func(tx *sql.Tx) error {
		for _, id := range ids {
			if id != target {
				if err := mergeTx(ctx, tx, target, id); err != nil {
					return err
				}
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE people SET is_me = (id = $1) WHERE is_me OR id = $1`, target)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("identity: unable to claim the configured author emails: %w", err)
	}
	return target, nil
}

// GitUserEmail is the user's `git config user.email` (global and system
// configuration), or "" when git or the setting is missing.
func GitUserEmail(ctx context.Context) string {
	out, err := exec.CommandContext(ctx, "git", "config", "--get", "user.email").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}
