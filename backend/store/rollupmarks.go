package store

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
)

// On SQLite, a statement's conflict clause overrides the ones inside the
// triggers it fires: an upsert (INSERT ... ON CONFLICT DO UPDATE, which the
// sources write with) into pipeline_runs made the "INSERT OR IGNORE INTO
// rollup_dirty" of its trigger fail on a day already marked ("UNIQUE
// constraint failed: rollup_dirty.family, rollup_dirty.day"). An upsert
// clause of the trigger's own statement is not overridden, so every mark is
// written as INSERT ... ON CONFLICT (family, day) DO NOTHING. The SELECT is
// wrapped and given a WHERE, which SQLite's grammar wants before an upsert
// clause that follows a FROM.
var orIgnoreMark = regexp.MustCompile(`(?is)INSERT\s+OR\s+IGNORE\s+INTO\s+rollup_dirty\s*\(\s*family\s*,\s*day\s*\)\s*([^;]*);`)

func safeMarks(trigger string) string {
	return orIgnoreMark.ReplaceAllString(trigger,
		"INSERT INTO rollup_dirty (family, day) SELECT * FROM ($1) WHERE true ON CONFLICT (family, day) DO NOTHING;")
}

// repairRollupMarks recreates, on SQLite, every trigger that marks
// rollup_dirty with INSERT OR IGNORE, marking with an upsert clause instead.
// It runs after every migration (idempotent: a repaired trigger no longer
// matches), so it covers the triggers of every step, shipped or to come, on
// a new database and on one migrated before.
func repairRollupMarks(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%rollup_dirty%'`)
	if err != nil {
		return fmt.Errorf("store: unable to read the triggers: %w", err)
	}
	type trigger struct{ name, sql string }
	var fix []trigger
	for rows.Next() {
		var t trigger
		if err := rows.Scan(&t.name, &t.sql); err != nil {
			rows.Close()
			return fmt.Errorf("store: unable to read the triggers: %w", err)
		}
		if s := safeMarks(t.sql); s != t.sql {
			fix = append(fix, trigger{t.name, s})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: unable to read the triggers: %w", err)
	}
	for _, t := range fix {
		if _, err := tx.ExecContext(ctx, `DROP TRIGGER "`+t.name+`"`); err != nil {
			return fmt.Errorf("store: unable to drop trigger %s: %w", t.name, err)
		}
		if _, err := tx.ExecContext(ctx, t.sql); err != nil {
			return fmt.Errorf("store: unable to recreate trigger %s: %w", t.name, err)
		}
	}
	return nil
}
