package github

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/momentum-app/momentum/backend/source"
	"github.com/momentum-app/momentum/backend/store"
)

// Validators keep the ETags of conditional requests (table http_validators)
// for one scope, a source's script. Nothing in them is GitHub's own: any
// source whose API answers If-None-Match with 304 can use them.
type Validators struct {
	st    *store.Store
	scope string
}

// NewValidators returns the validators of scope ("github/repository").
func NewValidators(st *store.Store, scope string) *Validators {
	return &Validators{st: st, scope: scope}
}

// Validator is what a processed response left behind.
type Validator struct {
	ETag string
	Memo string // what acting on a 304 needs: a next page, the ids listed
}

// Get returns the validator of url usable by a job with window w: one
// stored by a run whose window ended where w starts or later. A run that
// reaches further back (a first run, --full, --since) gets none, so it
// fetches and writes everything again.
func (v *Validators) Get(ctx context.Context, url string, w source.Window) (Validator, bool, error) {
	var val Validator
	var through int64
	err := v.st.DB().QueryRowContext(ctx, `SELECT etag, memo, through FROM http_validators WHERE scope = $1 AND url = $2`,
		v.scope, url).Scan(&val.ETag, &val.Memo, &through)
	if errors.Is(err, sql.ErrNoRows) {
		return Validator{}, false, nil
	}
	if err != nil {
		return Validator{}, false, fmt.Errorf("github: unable to fetch the validator of %s: %w", url, err)
	}
	if w.Start.Unix() < through || val.ETag == "" {
		return Validator{}, false, nil
	}
	return val, true, nil
}

// Peek returns the stored validator of url whatever window stored it.
func (v *Validators) Peek(ctx context.Context, url string) (Validator, bool, error) {
	var val Validator
	err := v.st.DB().QueryRowContext(ctx, `SELECT etag, memo FROM http_validators WHERE scope = $1 AND url = $2`,
		v.scope, url).Scan(&val.ETag, &val.Memo)
	if errors.Is(err, sql.ErrNoRows) {
		return Validator{}, false, nil
	}
	if err != nil {
		return Validator{}, false, fmt.Errorf("github: unable to fetch the validator of %s: %w", url, err)
	}
	return val, true, nil
}

// Put stores the validator of a response processed for window w. Call it
// after the response's rows are written, never before: a run that fails in
// between leaves the old validator, and the next run fetches again.
func (v *Validators) Put(ctx context.Context, url string, w source.Window, val Validator) error {
	if val.ETag == "" {
		return v.Delete(ctx, url)
	}
	_, err := v.st.DB().ExecContext(ctx, `INSERT INTO http_validators (scope, url, etag, memo, through, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (scope, url) DO UPDATE SET etag = excluded.etag, memo = excluded.memo, through = excluded.through, updated_at = excluded.updated_at`,
		v.scope, url, val.ETag, val.Memo, w.End.Unix(), time.Now().Unix())
	if err != nil {
		return fmt.Errorf("github: unable to store the validator of %s: %w", url, err)
	}
	return nil
}

// Delete forgets the validator of url.
func (v *Validators) Delete(ctx context.Context, url string) error {
	if _, err := v.st.DB().ExecContext(ctx, `DELETE FROM http_validators WHERE scope = $1 AND url = $2`, v.scope, url); err != nil {
		return fmt.Errorf("github: unable to delete the validator of %s: %w", url, err)
	}
	return nil
}
