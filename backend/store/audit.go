package store

import (
	"context"
	"fmt"
)

// AuditEntry records a configuration change, a manual sync or a reset:
// what, when and through which interface. Never a value.
type AuditEntry struct {
	ID     int64  `json:"id"`
	At     int64  `json:"at"`
	Via    string `json:"via"`    // cli, api, desktop, scheduler
	Action string `json:"action"` // config.set, config.unset, collect, reset, settings.set
	Source string `json:"source"`
	Key    string `json:"key"`
	Detail string `json:"detail"`
}

// Audit appends an entry.
func (s *Store) Audit(ctx context.Context, e AuditEntry) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO audit_log (at, via, action, source, key, detail) VALUES ($1, $2, $3, $4, $5, $6)`,
		e.At, e.Via, e.Action, e.Source, e.Key, e.Detail)
	if err != nil {
		return fmt.Errorf("store: unable to write the audit log: %w", err)
	}
	return nil
}

// AuditLog returns the newest entries first, at most limit.
func (s *Store) AuditLog(ctx context.Context, limit int) ([]AuditEntry, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, at, via, action, source, key, detail FROM audit_log ORDER BY at DESC, id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: unable to fetch the audit log: %w", err)
	}
	defer rows.Close()
	out := []AuditEntry{}
	for rows.Next() {
		var e AuditEntry
		if err := rows.Scan(&e.ID, &e.At, &e.Via, &e.Action, &e.Source, &e.Key, &e.Detail); err != nil {
			return nil, fmt.Errorf("store: unable to fetch the audit log: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
