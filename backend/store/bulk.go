package store

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// identifierPattern is what a table or column name passed to the bulk
// helpers must look like: they are interpolated into SQL, so nothing that
// needs quoting is accepted.
var identifierPattern = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// sqliteMaxVariables is SQLite's default SQLITE_MAX_VARIABLE_NUMBER (since
// 3.32): no statement may bind more parameters.
const sqliteMaxVariables = 32766

// sqliteRowsPerStatement caps the rows of one multi-row INSERT. Past a few
// hundred rows a longer statement saves nothing measurable and costs parse
// time and memory.
const sqliteRowsPerStatement = 500

func checkIdentifiers(table string, columns []string) error {
	if !identifierPattern.MatchString(table) {
		return fmt.Errorf("store: bulk insert: invalid table name %q", table)
	}
	if len(columns) == 0 {
		return fmt.Errorf("store: bulk insert into %s: no columns", table)
	}
	seen := make(map[string]bool, len(columns))
	for _, c := range columns {
		if !identifierPattern.MatchString(c) {
			return fmt.Errorf("store: bulk insert into %s: invalid column name %q", table, c)
		}
		if seen[c] {
			return fmt.Errorf("store: bulk insert into %s: column %s given twice", table, c)
		}
		seen[c] = true
	}
	return nil
}

// BulkInsert writes rows into table, all or none. Each row holds one value per
// column, in the order of columns; nil is NULL. On PostgreSQL it streams the
// rows with COPY; on SQLite it runs multi-row INSERTs, prepared once, in one
// transaction.
//
// Callers loading millions of rows call it once per batch of some thousands,
// which keeps memory bounded and each call short. Ids may be given explicitly;
// on PostgreSQL call ResetSequences afterwards.
func (s *Store) BulkInsert(ctx context.Context, table string, columns []string, rows [][]any) error {
	if err := checkIdentifiers(table, columns); err != nil {
		return err
	}
	for i, r := range rows {
		if len(r) != len(columns) {
			return fmt.Errorf("store: bulk insert into %s: row %d has %d values for %d columns", table, i, len(r), len(columns))
		}
	}
	if len(rows) == 0 {
		return nil
	}
	var err error
	if s.engine.Postgres() {
		err = s.copyPostgres(ctx, table, columns, rows)
	} else {
		err = s.insertSQLite(ctx, table, columns, rows)
	}
	if err != nil {
		return fmt.Errorf("store: unable to bulk insert into %s: %w", table, err)
	}
	return nil
}

func (s *Store) copyPostgres(ctx context.Context, table string, columns []string, rows [][]any) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(driverConn any) error {
		c, ok := driverConn.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("unexpected driver connection %T", driverConn)
		}
		n, err := c.Conn().CopyFrom(ctx, pgx.Identifier{table}, columns, pgx.CopyFromRows(rows))
		if err != nil {
			return err
		}
		if n != int64(len(rows)) {
			return fmt.Errorf("copied %d rows of %d", n, len(rows))
		}
		return nil
	})
}

func (s *Store) insertSQLite(ctx context.Context, table string, columns []string, rows [][]any) (err error) {
	per := min(sqliteMaxVariables/len(columns), sqliteRowsPerStatement, len(rows))
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	full, err := tx.PrepareContext(ctx, insertStatement(table, columns, per))
	if err != nil {
		return err
	}
	defer full.Close()
	args := make([]any, 0, per*len(columns))
	for len(rows) > 0 {
		n := min(per, len(rows))
		stmt := full
		if n < per { // the tail, once per call
			stmt, err = tx.PrepareContext(ctx, insertStatement(table, columns, n))
			if err != nil {
				return err
			}
			defer stmt.Close()
		}
		args = args[:0]
		for _, r := range rows[:n] {
			args = append(args, r...)
		}
		if _, err = stmt.ExecContext(ctx, args...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return tx.Commit()
}

// insertStatement is INSERT INTO table (columns) VALUES (?,...),... for n rows.
func insertStatement(table string, columns []string, n int) string {
	var b strings.Builder
	row := "(" + strings.TrimSuffix(strings.Repeat("?,", len(columns)), ",") + ")"
	b.Grow(len(table) + 32 + len(columns)*12 + n*(len(row)+1))
	b.WriteString("INSERT INTO ")
	b.WriteString(table)
	b.WriteString(" (")
	b.WriteString(strings.Join(columns, ", "))
	b.WriteString(") VALUES ")
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(row)
	}
	return b.String()
}

// ResetSequences moves the id sequence of each table past its largest id, so
// that rows inserted with explicit ids (BulkInsert) do not collide with the
// next generated ones. SQLite needs nothing: its rowid follows MAX(id).
func (s *Store) ResetSequences(ctx context.Context, tables ...string) error {
	if !s.engine.Postgres() {
		for _, t := range tables {
			if !identifierPattern.MatchString(t) {
				return fmt.Errorf("store: reset sequence: invalid table name %q", t)
			}
		}
		return nil
	}
	for _, t := range tables {
		if !identifierPattern.MatchString(t) {
			return fmt.Errorf("store: reset sequence: invalid table name %q", t)
		}
		// is_called false on an empty table makes the next id 1, not 2.
		q := fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%s', 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM %s`, t, t)
		var v sql.NullInt64
		if err := s.db.QueryRowContext(ctx, q).Scan(&v); err != nil {
			return fmt.Errorf("store: unable to reset the id sequence of %s: %w", t, err)
		}
	}
	return nil
}
