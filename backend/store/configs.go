package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// ConfigRow is one (data source, key, value) of a source's configuration.
// A secret's row holds only SecretRef, a reference into the keychain or
// the encrypted store; Value is empty.
type ConfigRow struct {
	Source    string
	Key       string
	Value     string
	SecretRef string
	UpdatedAt int64
}

// SourceConfigs lists the configuration rows of one source, or of all
// sources when source is "", by source and key.
func (s *Store) SourceConfigs(ctx context.Context, source string) ([]ConfigRow, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT source, key, value, secret_ref, updated_at FROM data_source_configs
		WHERE $1 = '' OR source = $1 ORDER BY source, key`, source)
	if err != nil {
		return nil, fmt.Errorf("store: unable to fetch source configuration: %w", err)
	}
	defer rows.Close()
	var out []ConfigRow
	for rows.Next() {
		var r ConfigRow
		if err := rows.Scan(&r.Source, &r.Key, &r.Value, &r.SecretRef, &r.UpdatedAt); err != nil {
			return nil, fmt.Errorf("store: unable to fetch source configuration: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// SourceConfig returns one row; ok is false when the key is not set.
func (s *Store) SourceConfig(ctx context.Context, source, key string) (ConfigRow, bool, error) {
	r := ConfigRow{Source: source, Key: key}
	err := s.db.QueryRowContext(ctx, `SELECT value, secret_ref, updated_at FROM data_source_configs WHERE source = $1 AND key = $2`,
		source, key).Scan(&r.Value, &r.SecretRef, &r.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return ConfigRow{}, false, nil
	}
	if err != nil {
		return ConfigRow{}, false, fmt.Errorf("store: unable to fetch %s %s: %w", source, key, err)
	}
	return r, true, nil
}

// PutSourceConfig inserts or replaces a row.
func (s *Store) PutSourceConfig(ctx context.Context, r ConfigRow) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO data_source_configs (source, key, value, secret_ref, updated_at)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (source, key) DO UPDATE SET value = excluded.value, secret_ref = excluded.secret_ref, updated_at = excluded.updated_at`,
		r.Source, r.Key, r.Value, r.SecretRef, r.UpdatedAt)
	if err != nil {
		return fmt.Errorf("store: unable to save %s %s: %w", r.Source, r.Key, err)
	}
	return nil
}

// DeleteSourceConfig removes a row.
func (s *Store) DeleteSourceConfig(ctx context.Context, source, key string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM data_source_configs WHERE source = $1 AND key = $2`, source, key); err != nil {
		return fmt.Errorf("store: unable to delete %s %s: %w", source, key, err)
	}
	return nil
}

// Setting returns a setting's value; ok is false when it was never set.
func (s *Store) Setting(ctx context.Context, key string) (value string, ok bool, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = $1`, key).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("store: unable to fetch setting %s: %w", key, err)
	}
	return value, true, nil
}

// Settings returns every setting.
func (s *Store) Settings(ctx context.Context) (map[string]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT key, value FROM settings`)
	if err != nil {
		return nil, fmt.Errorf("store: unable to fetch settings: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, fmt.Errorf("store: unable to fetch settings: %w", err)
		}
		out[k] = v
	}
	return out, rows.Err()
}

// SetSetting inserts or replaces a setting.
func (s *Store) SetSetting(ctx context.Context, key, value string, now int64) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, key, value, now)
	if err != nil {
		return fmt.Errorf("store: unable to save setting %s: %w", key, err)
	}
	return nil
}

// InitSetting sets a setting unless it exists, and returns the value that
// holds: the first writer wins when several processes race.
func (s *Store) InitSetting(ctx context.Context, key, value string, now int64) (string, error) {
	if _, err := s.db.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING`,
		key, value, now); err != nil {
		return "", fmt.Errorf("store: unable to save setting %s: %w", key, err)
	}
	v, _, err := s.Setting(ctx, key)
	return v, err
}
