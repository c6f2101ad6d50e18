// Package sqldbtest opens fresh, migrated linkwork databases for tests: a temporary SQLite
// file, and a PostgreSQL schema of its own on the server named by LINKWORK_TEST_POSTGRES.
//
// PostgreSQL is not optional: when it cannot be reached the test fails, so that a suite that
// silently skipped half its databases never passes. Set LINKWORK_TEST_POSTGRES=off to run the
// SQLite half alone on a machine without PostgreSQL.
package sqldbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"linkwork/sqldb"
)

// DefaultPostgres is the server the tests use when LINKWORK_TEST_POSTGRES is not set.
const DefaultPostgres = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// Dialects lists the databases tests run on.
func Dialects() []string {
	if os.Getenv("LINKWORK_TEST_POSTGRES") == "off" {
		return []string{"sqlite"}
	}
	return []string{"sqlite", "postgres"}
}

// Each runs fn as a subtest on a fresh database of every dialect.
func Each(t *testing.T, fn func(t *testing.T, db *sqldb.DB)) {
	t.Helper()
	for _, d := range Dialects() {
		t.Run(d, func(t *testing.T) { fn(t, Open(t, d)) })
	}
}

// Open returns a fresh, migrated database of the dialect, closed and removed at cleanup.
func Open(t testing.TB, dialect string) *sqldb.DB {
	t.Helper()
	u := URL(t, dialect)
	db, err := sqldb.Open(context.Background(), u)
	if err != nil {
		t.Fatalf("open %s: %v", dialect, err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate %s: %v", dialect, err)
	}
	return db
}

// URL returns the URL of a fresh, empty database of the dialect, removed at cleanup.
func URL(t testing.TB, dialect string) string {
	t.Helper()
	switch dialect {
	case "sqlite":
		return "sqlite:" + filepath.Join(t.TempDir(), "linkwork.db")
	case "postgres":
		return postgresSchema(t)
	}
	t.Fatalf("unknown dialect %q", dialect)
	return ""
}

// postgresSchema creates a schema of its own for the test and returns a URL whose
// search_path points at it.
func postgresSchema(t testing.TB) string {
	t.Helper()
	base := os.Getenv("LINKWORK_TEST_POSTGRES")
	if base == "" {
		base = DefaultPostgres
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("PostgreSQL URL %q: %v", base, err)
	}
	defer admin.Close()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "lwtest_" + hex.EncodeToString(b)
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("PostgreSQL is needed for the tests and could not be used at %s: %v\n"+
			"Start it (see README) or set LINKWORK_TEST_POSTGRES to its URL, or to off to test SQLite alone.", base, err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer a.Close()
		_, _ = a.Exec("DROP SCHEMA " + schema + " CASCADE")
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
