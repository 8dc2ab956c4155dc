package collect

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/momentum-app/momentum/backend/store"
)

// Locker grants named locks that hold across processes sharing a database.
type Locker interface {
	// TryLock takes the lock if it is free; ok is false when another holder
	// has it. It never waits for the holder.
	TryLock(ctx context.Context, name string) (l Lock, ok bool, err error)
}

// Lock is a held lock.
type Lock interface {
	Release() error
}

// NewLocker returns the locker for the store's engine: row locks on
// PostgreSQL, leases on SQLite.
func NewLocker(st *store.Store, log *slog.Logger) Locker {
	if st.Engine().Postgres() {
		return &pgLocker{db: st.DB()}
	}
	return &leaseLocker{db: st.DB(), lease: 60 * time.Second, log: log, now: time.Now}
}

func ensureLockRow(ctx context.Context, db *sql.DB, name string) error {
	_, err := db.ExecContext(ctx, `INSERT INTO collect_locks (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`, name)
	if err != nil {
		return fmt.Errorf("collect: unable to create lock %s: %w", name, err)
	}
	return nil
}

// pgLocker holds `SELECT ... FOR UPDATE SKIP LOCKED` on the lock's row in a
// transaction that stays open while the holder runs. A holder that dies
// loses its connection, and PostgreSQL releases the lock at once.
type pgLocker struct{ db *sql.DB }

type pgLock struct{ tx *sql.Tx }

func (l *pgLocker) TryLock(ctx context.Context, name string) (Lock, bool, error) {
	if err := ensureLockRow(ctx, l.db, name); err != nil {
		return nil, false, err
	}
	// The transaction must outlive a cancelled job, so that the job can
	// record its end while it still holds the lock.
	tx, err := l.db.BeginTx(context.WithoutCancel(ctx), nil)
	if err != nil {
		return nil, false, fmt.Errorf("collect: unable to lock %s: %w", name, err)
	}
	var got string
	err = tx.QueryRowContext(ctx, `SELECT name FROM collect_locks WHERE name = $1 FOR UPDATE SKIP LOCKED`, name).Scan(&got)
	if errors.Is(err, sql.ErrNoRows) {
		tx.Rollback()
		return nil, false, nil
	}
	if err != nil {
		tx.Rollback()
		return nil, false, fmt.Errorf("collect: unable to lock %s: %w", name, err)
	}
	return &pgLock{tx: tx}, true, nil
}

func (l *pgLock) Release() error { return l.tx.Rollback() }

// leaseLocker is SQLite's equivalent: the row names its holder and a lease
// expiry, taken in an IMMEDIATE transaction (one writer at a time, so the
// check and the take cannot interleave) and renewed while the holder runs.
// A holder that dies stops renewing; its lease lapses, or at once when it
// was a process on this host that no longer exists.
type leaseLocker struct {
	db    *sql.DB
	lease time.Duration
	log   *slog.Logger
	now   func() time.Time
}

type leaseLock struct {
	l     *leaseLocker
	name  string
	owner string
	stop  chan struct{}
	done  sync.WaitGroup
	once  sync.Once
}

var hostname, _ = os.Hostname()

// newOwner names a holder: host, process and a nonce, so two holders in
// one process differ too.
func newOwner() string {
	b := make([]byte, 6)
	rand.Read(b)
	return fmt.Sprintf("%s:%d:%s", hostname, os.Getpid(), hex.EncodeToString(b))
}

// ownerGone tells whether the owner was a process on this host that has
// exited.
func ownerGone(owner string) bool {
	parts := strings.Split(owner, ":")
	if len(parts) != 3 || parts[0] != hostname {
		return false
	}
	pid, err := strconv.Atoi(parts[1])
	if err != nil || pid == os.Getpid() {
		return false
	}
	return !processAlive(pid)
}

func (l *leaseLocker) TryLock(ctx context.Context, name string) (Lock, bool, error) {
	if err := ensureLockRow(ctx, l.db, name); err != nil {
		return nil, false, err
	}
	owner := newOwner()
	tx, err := l.db.BeginTx(ctx, nil) // IMMEDIATE: the DSN sets _txlock=immediate
	if err != nil {
		return nil, false, fmt.Errorf("collect: unable to lock %s: %w", name, err)
	}
	defer tx.Rollback()
	var cur string
	var until int64
	if err := tx.QueryRowContext(ctx, `SELECT owner, lease_until FROM collect_locks WHERE name = $1`, name).Scan(&cur, &until); err != nil {
		return nil, false, fmt.Errorf("collect: unable to lock %s: %w", name, err)
	}
	now := l.now().Unix()
	if cur != "" && until >= now && !ownerGone(cur) {
		return nil, false, nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE collect_locks SET owner = $2, lease_until = $3 WHERE name = $1`,
		name, owner, now+int64(l.lease/time.Second)); err != nil {
		return nil, false, fmt.Errorf("collect: unable to lock %s: %w", name, err)
	}
	if err := tx.Commit(); err != nil {
		return nil, false, fmt.Errorf("collect: unable to lock %s: %w", name, err)
	}
	lk := &leaseLock{l: l, name: name, owner: owner, stop: make(chan struct{})}
	lk.done.Add(1)
	go lk.renew()
	return lk, true, nil
}

func (lk *leaseLock) renew() {
	defer lk.done.Done()
	t := time.NewTicker(lk.l.lease / 4)
	defer t.Stop()
	for {
		select {
		case <-lk.stop:
			return
		case <-t.C:
			res, err := lk.l.db.Exec(`UPDATE collect_locks SET lease_until = $3 WHERE name = $1 AND owner = $2`,
				lk.name, lk.owner, lk.l.now().Unix()+int64(lk.l.lease/time.Second))
			if err != nil {
				lk.l.log.Warn("collect: unable to renew a lock", "lock", lk.name, "err", err)
				continue
			}
			if n, _ := res.RowsAffected(); n == 0 {
				lk.l.log.Error("collect: lost a lock (its lease lapsed and another process took it)", "lock", lk.name)
				return
			}
		}
	}
}

func (lk *leaseLock) Release() error {
	var err error
	lk.once.Do(func() {
		close(lk.stop)
		lk.done.Wait()
		_, err = lk.l.db.Exec(`UPDATE collect_locks SET owner = '', lease_until = 0 WHERE name = $1 AND owner = $2`, lk.name, lk.owner)
	})
	return err
}
