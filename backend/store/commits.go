package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// NewCommit is a commit to store with its files. Zero account and person
// ids are stored as NULL.
type NewCommit struct {
	RepoID             int64
	SHA                string
	AuthorAccountID    int64
	PersonID           int64
	CommitterAccountID int64
	AuthoredAt         int64 // Unix seconds
	AuthorTZOffset     int   // minutes east of UTC
	CommittedAt        int64
	Subject            string
	IsMerge            bool
	Additions          int64
	Deletions          int64
	FilesChanged       int64
	Files              []NewCommitFile
}

// NewCommitFile is one file a commit changed.
type NewCommitFile struct {
	Path      string
	Language  string
	Additions int64
	Deletions int64
	IsBinary  bool
}

var commitColumns = []string{"repo_id", "sha", "author_account_id", "person_id", "committer_account_id",
	"authored_at", "author_tz_offset", "committed_at", "subject", "is_merge", "additions", "deletions", "files_changed"}

var commitFileColumns = []string{"commit_id", "path", "language", "additions", "deletions", "is_binary"}

// commitsPerStatement keeps one INSERT well under both engines' parameter
// limits (13 columns: 6,500 parameters).
const commitsPerStatement = 500

// InsertCommits stores the commits not stored yet, each with its files, in
// one transaction: a commit is never stored without its files. A commit
// already stored (same repository and SHA) is left as it is, so inserting a
// batch twice changes nothing. It returns how many commits were new.
func (s *Store) InsertCommits(ctx context.Context, commits []NewCommit) (int, error) {
	if len(commits) == 0 {
		return 0, nil
	}
	var n int
	var err error
	if s.engine.Postgres() {
		n, err = s.insertCommitsPostgres(ctx, commits)
	} else {
		n, err = s.insertCommitsSQLite(ctx, commits)
	}
	if err != nil {
		return 0, fmt.Errorf("store: unable to insert commits: %w", err)
	}
	return n, nil
}

// commitInsert is the multi-row INSERT for n commits; it returns the id and
// SHA of each row it inserted. SQLite gets anonymous "?" parameters: it
// resolves each numbered one by a linear search through the statement's
// names, which for thousands of parameters costs more than the insert.
func commitInsert(n int, numbered bool) string {
	var b strings.Builder
	b.WriteString("INSERT INTO commits (")
	b.WriteString(strings.Join(commitColumns, ", "))
	b.WriteString(") VALUES ")
	p := 1
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for j := range commitColumns {
			if j > 0 {
				b.WriteByte(',')
			}
			if numbered {
				b.WriteByte('$')
				b.WriteString(strconv.Itoa(p))
				p++
			} else {
				b.WriteByte('?')
			}
		}
		b.WriteByte(')')
	}
	b.WriteString(" ON CONFLICT (repo_id, sha) DO NOTHING RETURNING id, sha")
	return b.String()
}

func commitArgs(args []any, c *NewCommit) []any {
	return append(args, c.RepoID, c.SHA, nullID(c.AuthorAccountID), nullID(c.PersonID), nullID(c.CommitterAccountID),
		c.AuthoredAt, c.AuthorTZOffset, c.CommittedAt, c.Subject, c.IsMerge, c.Additions, c.Deletions, c.FilesChanged)
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// fileRows lists the file rows of the inserted commits (ids by SHA).
func fileRows(commits []NewCommit, ids map[string]int64) [][]any {
	var rows [][]any
	for i := range commits {
		id, ok := ids[commits[i].SHA]
		if !ok {
			continue
		}
		for _, f := range commits[i].Files {
			rows = append(rows, []any{id, f.Path, f.Language, f.Additions, f.Deletions, f.IsBinary})
		}
	}
	return rows
}

func (s *Store) insertCommitsSQLite(ctx context.Context, commits []NewCommit) (n int, err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	// A history import inserts into the commits' indexes at random (by
	// SHA): with SQLite's default 2 MB page cache most of its time goes to
	// re-reading index pages. The setting stays with the connection.
	if _, err = tx.ExecContext(ctx, `PRAGMA cache_size = -65536`); err != nil {
		return 0, err
	}
	ids := make(map[string]int64, len(commits))
	args := make([]any, 0, commitsPerStatement*len(commitColumns))
	for rest := commits; len(rest) > 0; {
		k := min(commitsPerStatement, len(rest))
		args = args[:0]
		for i := range rest[:k] {
			args = commitArgs(args, &rest[i])
		}
		if err = scanInserted(tx.QueryContext(ctx, commitInsert(k, false), args...))(ids); err != nil {
			return 0, err
		}
		rest = rest[k:]
	}
	if rows := fileRows(commits, ids); len(rows) > 0 {
		if err = insertRowsTx(ctx, tx, "commit_files", commitFileColumns, rows); err != nil {
			return 0, err
		}
	}
	return len(ids), tx.Commit()
}

func scanInserted(rows *sql.Rows, err error) func(map[string]int64) error {
	return func(ids map[string]int64) error {
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var sha string
			if err := rows.Scan(&id, &sha); err != nil {
				return err
			}
			ids[sha] = id
		}
		return rows.Err()
	}
}

// insertRowsTx is BulkInsert's SQLite path inside a caller's transaction.
func insertRowsTx(ctx context.Context, tx *sql.Tx, table string, columns []string, rows [][]any) error {
	per := min(sqliteMaxVariables/len(columns), sqliteRowsPerStatement)
	args := make([]any, 0, per*len(columns))
	var full *sql.Stmt
	for len(rows) > 0 {
		k := min(per, len(rows))
		args = args[:0]
		for _, r := range rows[:k] {
			args = append(args, r...)
		}
		var err error
		if k == per {
			if full == nil {
				if full, err = tx.PrepareContext(ctx, insertStatement(table, columns, per)); err != nil {
					return err
				}
				defer full.Close()
			}
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, insertStatement(table, columns, k), args...)
		}
		if err != nil {
			return err
		}
		rows = rows[k:]
	}
	return nil
}

// insertCommitsPostgres runs on one pgx connection: the commits go in with
// multi-row INSERTs (their ids are needed), the files with COPY, all in one
// transaction.
func (s *Store) insertCommitsPostgres(ctx context.Context, commits []NewCommit) (int, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	var n int
	err = conn.Raw(func(driverConn any) error {
		c, ok := driverConn.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("unexpected driver connection %T", driverConn)
		}
		return pgx.BeginFunc(ctx, c.Conn(), func(tx pgx.Tx) error {
			ids := make(map[string]int64, len(commits))
			args := make([]any, 0, commitsPerStatement*len(commitColumns))
			for rest := commits; len(rest) > 0; {
				k := min(commitsPerStatement, len(rest))
				args = args[:0]
				for i := range rest[:k] {
					args = commitArgs(args, &rest[i])
				}
				rows, err := tx.Query(ctx, commitInsert(k, true), args...)
				if err != nil {
					return err
				}
				for rows.Next() {
					var id int64
					var sha string
					if err := rows.Scan(&id, &sha); err != nil {
						rows.Close()
						return err
					}
					ids[sha] = id
				}
				rows.Close()
				if err := rows.Err(); err != nil {
					return err
				}
				rest = rest[k:]
			}
			if rows := fileRows(commits, ids); len(rows) > 0 {
				if _, err := tx.CopyFrom(ctx, pgx.Identifier{"commit_files"}, commitFileColumns, pgx.CopyFromRows(rows)); err != nil {
					return err
				}
			}
			n = len(ids)
			return nil
		})
	})
	return n, err
}

// DeleteCommits removes the commits of a repository with the given SHAs,
// and their files. It returns how many it removed.
func (s *Store) DeleteCommits(ctx context.Context, repoID int64, shas []string) (int, error) {
	const per = 500
	var n int64
	for len(shas) > 0 {
		k := min(per, len(shas))
		var b strings.Builder
		args := make([]any, 0, k+1)
		args = append(args, repoID)
		b.WriteString("DELETE FROM commits WHERE repo_id = $1 AND sha IN (")
		for i, sha := range shas[:k] {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("$" + strconv.Itoa(i+2))
			args = append(args, sha)
		}
		b.WriteByte(')')
		res, err := s.db.ExecContext(ctx, b.String(), args...)
		if err != nil {
			return int(n), fmt.Errorf("store: unable to delete commits: %w", err)
		}
		m, _ := res.RowsAffected()
		n += m
		shas = shas[k:]
	}
	return int(n), nil
}
