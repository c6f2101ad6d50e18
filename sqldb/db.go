// Package sqldb implements linkwork's services over database/sql, for SQLite (embedded, the
// default) and PostgreSQL. The SQL is written once, with ? placeholders; dialect.go holds
// the few places where the two databases differ.
package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"linkwork"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// DB is an open linkwork database.
type DB struct {
	db      *sql.DB
	dialect dialect
	// reader runs reads outside transactions: db itself, or on SQLite a preparedReader.
	reader querier
	// replica, when set, is a PostgreSQL hot standby for reporting reads (replica.go).
	replica *sql.DB
	// routing keeps each place's connector schemes for routing (routing_cache.go).
	routing routingSchemes
	// writeMu serialises SQLite's write transactions in this process (see tx).
	writeMu sync.Mutex
	// Now returns the current time; tests replace it. Times are kept in UTC to the
	// microsecond, the precision both databases store.
	Now func() time.Time
}

// Open opens the database named by a URL: "sqlite:PATH" or "postgres://…". It checks that
// the database can be reached but does not migrate it (see Migrate).
func Open(ctx context.Context, rawURL string) (*DB, error) {
	d, dsn, err := parseURL(rawURL)
	if err != nil {
		return nil, err
	}
	sdb, err := sql.Open(d.driver(), dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", d.name(), err)
	}
	d.configure(sdb)
	db := &DB{db: sdb, dialect: d, reader: sdb, Now: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }}
	if d.name() == "sqlite" {
		db.reader = newPreparedReader(sdb)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := sdb.PingContext(pingCtx); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("cannot reach the %s database at %s: %v", d.name(), redact(rawURL), err)
	}
	if err := d.afterOpen(ctx, sdb); err != nil {
		sdb.Close()
		return nil, err
	}
	return db, nil
}

// parseURL picks the dialect for a database URL and returns the driver's data source name.
func parseURL(rawURL string) (dialect, string, error) {
	switch {
	case strings.HasPrefix(rawURL, "sqlite:"):
		path := strings.TrimPrefix(strings.TrimPrefix(rawURL, "sqlite:"), "//")
		if path == "" {
			return nil, "", errors.New(`bad database URL: "sqlite:" needs a file path, for example sqlite:linkwork.db`)
		}
		if strings.ContainsAny(path, "?#") {
			return nil, "", errors.New("bad database URL: a sqlite: path cannot contain ? or #")
		}
		return sqliteDialect{}, sqliteDSN(path), nil
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		u, err := url.Parse(rawURL)
		if err != nil || u.Host == "" {
			return nil, "", errors.New("bad database URL: expected postgres://USER@HOST:PORT/DATABASE")
		}
		return postgresDialect{}, rawURL, nil
	default:
		// The URL is not echoed: a mistyped one may still hold a password.
		scheme, _, ok := strings.Cut(rawURL, ":")
		// With an @ in it, the URL may hold credentials in any part, even where a scheme
		// should be ("secret:secret@"), so nothing of it is echoed.
		if !ok || scheme == "" || strings.ContainsAny(scheme, "/@ ") || strings.Contains(rawURL, "@") {
			return nil, "", errors.New("bad database URL: use sqlite:PATH or postgres://USER@HOST:PORT/DATABASE")
		}
		return nil, "", fmt.Errorf("bad database URL: %q databases are not supported; use sqlite:PATH or postgres://USER@HOST:PORT/DATABASE", scheme)
	}
}

// redact hides any password in a database URL before it is shown or logged.
func redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		// Unparsable: hide everything between the scheme and the host.
		if i := strings.Index(rawURL, "://"); i >= 0 {
			if j := strings.LastIndex(rawURL, "@"); j > i+3 {
				return rawURL[:i+3] + "xxxxx" + rawURL[j:]
			}
		}
		return rawURL
	}
	if u.User == nil {
		return rawURL
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// Close closes the database.
func (db *DB) Close() error {
	if p, ok := db.reader.(*preparedReader); ok {
		p.close()
	}
	if db.replica != nil {
		db.replica.Close()
	}
	return db.db.Close()
}

// Dialect names the database: "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.dialect.name() }

// Ping checks that the database answers, for /healthz.
func (db *DB) Ping(ctx context.Context) error { return db.db.PingContext(ctx) }

// Stats returns the connection pool's statistics, for /metrics.
func (db *DB) Stats() sql.DBStats { return db.db.Stats() }

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// conn runs SQL written with ? placeholders on a database or a transaction, in the dialect.
type conn struct {
	q querier
	d dialect
}

func (c conn) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	res, err := c.q.ExecContext(ctx, c.d.rebind(query), args...)
	return res, c.d.translate(err)
}

func (c conn) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	rows, err := c.q.QueryContext(ctx, c.d.rebind(query), args...)
	return rows, c.d.translate(err)
}

// queryRow runs a query for one row and scans it; sql.ErrNoRows comes back unchanged.
func (c conn) queryRow(ctx context.Context, query string, args []any, dest ...any) error {
	err := c.q.QueryRowContext(ctx, c.d.rebind(query), args...).Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return err
	}
	return c.d.translate(err)
}

// queryStrings runs a query for one text column and returns its values in order.
func (c conn) queryStrings(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, err := c.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// eachRow runs a query and calls fn with each row's scan.
func (c conn) eachRow(ctx context.Context, query string, args []any, fn func(scan func(...any) error) error) error {
	rows, err := c.query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}

// insert runs an INSERT … RETURNING id and returns the id.
func (c conn) insert(ctx context.Context, query string, args ...any) (int64, error) {
	var id int64
	err := c.q.QueryRowContext(ctx, c.d.rebind(query+" RETURNING id"), args...).Scan(&id)
	return id, c.d.translate(err)
}

// read returns a conn for reads outside a transaction.
func (db *DB) read() conn { return conn{q: db.reader, d: db.dialect} }

// tx runs fn in a transaction that commits if fn returns nil and rolls back otherwise.
// On SQLite the transaction takes the write lock at once (BEGIN IMMEDIATE), so concurrent
// writers queue on the busy timeout instead of failing when they upgrade.
func (db *DB) tx(ctx context.Context, fn func(c conn) error) error {
	if db.dialect.name() == "sqlite" {
		// SQLite has one writer at a time. Writers that find the lock taken sleep in the busy
		// handler in steps of up to 100 ms, so under load they wait far longer than the
		// writes take; queueing them here hands the lock on as soon as it is free. Other
		// processes on the same file still meet the busy timeout.
		db.writeMu.Lock()
		defer db.writeMu.Unlock()
	}
	t, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return db.dialect.translate(err)
	}
	if err := fn(conn{q: t, d: db.dialect}); err != nil {
		_ = t.Rollback()
		return err
	}
	return db.dialect.translate(t.Commit())
}

// notFound turns sql.ErrNoRows into an ENOTFOUND error about what; other errors pass.
func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return linkwork.Errorf(linkwork.ENOTFOUND, "%s not found.", what)
	}
	return err
}

// nullTime converts a nullable timestamp for scanning.
func timePtr(nt sql.NullTime) *time.Time {
	if !nt.Valid {
		return nil
	}
	t := nt.Time.UTC()
	return &t
}

// nullInt returns nil for 0, so that an optional reference is stored as NULL.
func nullInt(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}
