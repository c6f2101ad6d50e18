package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Test-only hooks for the external tests in package sqldb_test. They let a test look at
// and poke the tables directly, to check what the services cannot show: that secrets are
// stored hashed, that the audit trail refuses changes, how driver errors are translated.

// Exec runs raw SQL written with ? placeholders through the store's own path, so that a
// driver error comes back translated (as the services would see it). It returns the number
// of rows affected.
func (db *DB) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := db.read().exec(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// ExecDriver runs raw SQL and returns the driver's own, untranslated error.
func (db *DB) ExecDriver(ctx context.Context, query string, args ...any) error {
	_, err := db.db.ExecContext(ctx, db.dialect.rebind(query), args...)
	return err
}

// QueryRow runs a query for one row and scans it.
func (db *DB) QueryRow(ctx context.Context, query string, args []any, dest ...any) error {
	return db.read().queryRow(ctx, query, args, dest...)
}

// TableText returns every value in a table as text, one row a line, to search for strings
// that should not be there.
func (db *DB) TableText(ctx context.Context, table string) (string, error) {
	rows, err := db.db.QueryContext(ctx, "SELECT * FROM "+table)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return "", err
		}
		for i, v := range vals {
			switch v := v.(type) {
			case []byte:
				fmt.Fprintf(&b, "%s=%s\t", cols[i], v)
			case time.Time:
				fmt.Fprintf(&b, "%s=%s\t", cols[i], v.Format(time.RFC3339Nano))
			default:
				fmt.Fprintf(&b, "%s=%v\t", cols[i], v)
			}
		}
		b.WriteByte('\n')
	}
	return b.String(), rows.Err()
}

// LockHolder is a transaction that holds locks while concurrent calls queue behind them.
type LockHolder struct {
	db  *DB
	tx  *sql.Tx
	pid int // PostgreSQL's backend process ID, 0 on SQLite
}

// HoldLock begins a transaction and runs a statement in it (such as LOCK TABLE) to hold its
// locks until Release. On SQLite the transaction alone holds the database's write lock.
func (db *DB) HoldLock(ctx context.Context, query string, args ...any) (*LockHolder, error) {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	h := &LockHolder{db: db, tx: tx}
	if db.dialect.name() == "postgres" {
		if err := tx.QueryRowContext(ctx, "SELECT pg_backend_pid()").Scan(&h.pid); err != nil {
			_ = tx.Rollback()
			return nil, err
		}
	}
	if query != "" {
		if _, err := tx.ExecContext(ctx, db.dialect.rebind(query), args...); err != nil {
			_ = tx.Rollback()
			return nil, err
		}
	}
	return h, nil
}

// Release rolls the transaction back, letting the queue go.
func (h *LockHolder) Release() error { return h.tx.Rollback() }

// Waiters returns how many PostgreSQL backends wait for a lock that the holder holds, or
// for one held by a backend that itself waits for the holder. It is always 0 on SQLite,
// which cannot tell.
func (h *LockHolder) Waiters(ctx context.Context) (int, error) {
	if h.pid == 0 {
		return 0, nil
	}
	var n int
	err := h.db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_stat_activity a
		WHERE a.wait_event_type = 'Lock' AND ($1 = ANY (pg_blocking_pids(a.pid)) OR EXISTS (
			SELECT 1 FROM unnest(pg_blocking_pids(a.pid)) AS b(pid) WHERE $1 = ANY (pg_blocking_pids(b.pid))))`,
		h.pid).Scan(&n)
	return n, err
}
