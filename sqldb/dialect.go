package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"linkwork"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// dialect holds what differs between SQLite and PostgreSQL.
type dialect interface {
	name() string
	driver() string
	configure(*sql.DB)
	afterOpen(context.Context, *sql.DB) error
	// rebind rewrites ? placeholders into the dialect's form.
	rebind(query string) string
	// translate maps a driver error to a domain error by its code, never by its text.
	translate(err error) error
	// lock takes a lock named by key until the transaction ends, serialising work that
	// checks then writes across connections and processes.
	lock(ctx context.Context, c conn, key int64) error
}

type sqliteDialect struct{}

func (sqliteDialect) name() string   { return "sqlite" }
func (sqliteDialect) driver() string { return "sqlite" }

// sqliteDSN turns a path into a modernc DSN: foreign keys on, write-ahead log, a busy
// timeout so that writers queue, full sync so that an acknowledged write survives a crash,
// and BEGIN IMMEDIATE for transactions. Each connection may cache up to 64 MiB of pages
// (SQLite's default is 2 MiB): a directory search near somewhere reads about 3 MB of
// search_blocks and the full-text pages of its words every time, and keeping them cached
// instead of read again from the operating system made that search about 10% faster (9.5 to
// 8.5 ms at 100,000 services; docs/performance.md). The cache only grows as pages are read.
func sqliteDSN(path string) string {
	return "file:" + path + "?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)" +
		"&_pragma=synchronous(FULL)&_pragma=cache_size(-65536)&_txlock=immediate&_time_format=sqlite"
}

func (sqliteDialect) configure(db *sql.DB) {
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
}

func (sqliteDialect) afterOpen(ctx context.Context, db *sql.DB) error {
	var mode string
	if err := db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	if mode != "wal" {
		return fmt.Errorf("sqlite: could not switch to write-ahead logging (journal mode is %q); is the file on a network drive?", mode)
	}
	return nil
}

func (sqliteDialect) rebind(q string) string { return q }

func (sqliteDialect) translate(err error) error {
	if err == nil {
		return nil
	}
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return err
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return &linkwork.Error{Code: linkwork.ECONFLICT, Message: "That already exists."}
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return &linkwork.Error{Code: linkwork.EINVALID, Message: "That refers to a record that does not exist."}
	case sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL:
		return &linkwork.Error{Code: linkwork.EINVALID, Message: "A value is missing or not allowed."}
	case sqlite3.SQLITE_CONSTRAINT_TRIGGER:
		return &linkwork.Error{Code: linkwork.EFORBIDDEN, Message: "That record cannot be changed."}
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return &linkwork.Error{Code: linkwork.ECONFLICT, Message: "The database is busy. Please try again."}
	}
	return err
}

func (sqliteDialect) lock(context.Context, conn, int64) error {
	return nil // BEGIN IMMEDIATE already holds the database's only write lock
}

type postgresDialect struct{}

func (postgresDialect) name() string   { return "postgres" }
func (postgresDialect) driver() string { return "pgx" }

func (postgresDialect) configure(db *sql.DB) {
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(10)
}

func (postgresDialect) afterOpen(context.Context, *sql.DB) error { return nil }

// rebind turns ? into $1, $2, … . The SQL in this package never has a ? inside a literal.
func (postgresDialect) rebind(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

func (postgresDialect) translate(err error) error {
	if err == nil {
		return nil
	}
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return err
	}
	switch pe.Code {
	case "23505": // unique_violation
		return &linkwork.Error{Code: linkwork.ECONFLICT, Message: "That already exists."}
	case "23503": // foreign_key_violation
		return &linkwork.Error{Code: linkwork.EINVALID, Message: "That refers to a record that does not exist."}
	case "23514", "23502": // check_violation, not_null_violation
		return &linkwork.Error{Code: linkwork.EINVALID, Message: "A value is missing or not allowed."}
	case "42501": // insufficient_privilege, raised by the audit trail's guard
		return &linkwork.Error{Code: linkwork.EFORBIDDEN, Message: "That record cannot be changed."}
	case "40001", "40P01": // serialization_failure, deadlock_detected
		return &linkwork.Error{Code: linkwork.ECONFLICT, Message: "Someone else changed this at the same time. Please try again."}
	}
	return err
}

// Advisory lock keys: arbitrary constants, one for each kind of serialised work.
const (
	migrationLockKey = 7243190455
	setupLockKey     = 7243190456
)

func (postgresDialect) lock(ctx context.Context, c conn, key int64) error {
	_, err := c.exec(ctx, "SELECT pg_advisory_xact_lock(?)", key)
	return err
}
