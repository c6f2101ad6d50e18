package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// UseReadReplica sends linkwork's reporting reads (the landscape, the spend reports, the
// measures) to a PostgreSQL hot standby of the database, so that the heavy reads of a
// region's reports do not compete with link workers' writes on the primary. Everything
// else, and every write, stays on the primary.
//
// A standby replays the primary's changes a moment behind it, so a report may not yet
// show a change made a second ago; every report says when it was read. If the standby
// stops answering, the reports fail (and /healthz says so) while the rest of linkwork runs
// on: restart without --read-replica to read reports from the primary.
//
// The replica must hold the same linkwork schema version as the primary: it must be a
// standby of this database, not another one.
func (db *DB) UseReadReplica(ctx context.Context, rawURL string) error {
	if db.dialect.name() != "postgres" {
		return errors.New("--read-replica needs linkwork on PostgreSQL: a SQLite database has no replicas")
	}
	d, dsn, err := parseURL(rawURL)
	if err != nil {
		return fmt.Errorf("--read-replica: %v", err)
	}
	if d.name() != "postgres" {
		return errors.New("--read-replica must be a postgres:// URL of a hot standby of the database")
	}
	rdb, err := sql.Open(d.driver(), dsn)
	if err != nil {
		return fmt.Errorf("--read-replica: %v", err)
	}
	d.configure(rdb)
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := rdb.PingContext(pingCtx); err != nil {
		rdb.Close()
		return fmt.Errorf("cannot reach the read replica at %s: %v", redact(rawURL), err)
	}
	want, err := db.SchemaVersion(ctx)
	if err != nil {
		rdb.Close()
		return err
	}
	var got int
	if err := rdb.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&got); err != nil || got != want {
		rdb.Close()
		if err != nil {
			return fmt.Errorf("the read replica at %s holds no linkwork schema: is it a standby of this database? (%v)", redact(rawURL), err)
		}
		return fmt.Errorf("the read replica at %s is at schema version %d and the database at %d: it must be a standby of this database, caught up", redact(rawURL), got, want)
	}
	db.replica = rdb
	return nil
}

// reporting returns a conn for reporting reads: the read replica when there is one, else
// the primary's reader.
func (db *DB) reporting() conn {
	if db.replica != nil {
		return conn{q: db.replica, d: db.dialect}
	}
	return db.read()
}

// HasReadReplica reports whether reporting reads go to a read replica.
func (db *DB) HasReadReplica() bool { return db.replica != nil }

// PingReplica checks that the read replica answers, for /healthz; nil when there is none.
func (db *DB) PingReplica(ctx context.Context) error {
	if db.replica == nil {
		return nil
	}
	return db.replica.PingContext(ctx)
}
