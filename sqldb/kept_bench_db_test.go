package sqldb_test

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// keptBenchDB opens a benchmark database that is kept between runs, because building it
// takes minutes: a SQLite file in the user's cache directory, or a schema of the test
// PostgreSQL server, named by name and key (which should change whenever what build makes
// changes). The first time, build fills the freshly migrated database; only when it has
// finished is the database marked complete (the SQLite file renamed into place, a marker
// table made in the PostgreSQL schema), so that an interrupted build is started again. It
// returns the open database, closed when the benchmark ends, and its URL.
func keptBenchDB(b *testing.B, dialect, name, key string, build func(db *sqldb.DB)) (*sqldb.DB, string) {
	b.Helper()
	ctx := context.Background()
	var u string
	var built func() error
	switch dialect {
	case "sqlite":
		cache, err := os.UserCacheDir()
		if err != nil {
			cache = os.TempDir()
		}
		dir := filepath.Join(cache, "linkwork-bench")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		path := filepath.Join(dir, name+"_"+key+".db")
		u = "sqlite:" + path
		if _, err := os.Stat(path); err != nil {
			tmp := path + ".building"
			for _, f := range []string{tmp, tmp + "-wal", tmp + "-shm"} {
				_ = os.Remove(f)
			}
			built = func() error { return os.Rename(tmp, path) }
			u = "sqlite:" + tmp
		}
	case "postgres":
		base := os.Getenv("LINKWORK_TEST_POSTGRES")
		if base == "" {
			base = sqldbtest.DefaultPostgres
		}
		admin, err := sql.Open("pgx", base)
		if err != nil {
			b.Fatal(err)
		}
		defer admin.Close()
		schema := "lwbench_" + name + "_" + key
		var done bool
		if err := admin.QueryRow(`SELECT EXISTS (SELECT 1 FROM information_schema.tables
			WHERE table_schema = $1 AND table_name = 'bench_complete')`, schema).Scan(&done); err != nil {
			b.Fatalf("PostgreSQL at %s: %v", base, err)
		}
		if !done {
			for _, q := range []string{"DROP SCHEMA IF EXISTS " + schema + " CASCADE", "CREATE SCHEMA " + schema} {
				if _, err := admin.Exec(q); err != nil {
					b.Fatal(err)
				}
			}
			built = func() error {
				_, err := admin.Exec("CREATE TABLE " + schema + ".bench_complete (at TIMESTAMPTZ)")
				return err
			}
		}
		pu, err := url.Parse(base)
		if err != nil {
			b.Fatal(err)
		}
		qv := pu.Query()
		qv.Set("search_path", schema)
		pu.RawQuery = qv.Encode()
		u = pu.String()
	default:
		b.Fatalf("no dialect %q", dialect)
	}
	db, err := sqldb.Open(ctx, u)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	if built != nil {
		start := time.Now()
		build(db)
		b.Logf("%s: built the %s benchmark database in %v", dialect, name, time.Since(start).Round(time.Second))
		if dialect == "sqlite" {
			if _, err := db.Exec(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
				b.Fatal(err)
			}
			db.Close()
		}
		if err := built(); err != nil {
			b.Fatal(err)
		}
		if dialect == "sqlite" {
			return keptBenchDB(b, dialect, name, key, build)
		}
	}
	b.Cleanup(func() { db.Close() })
	return db, u
}
