package sqldb_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// openFresh opens an empty, unmigrated database of the dialect.
func openFresh(t *testing.T, dialect string) *sqldb.DB {
	t.Helper()
	db, err := sqldb.Open(t.Context(), sqldbtest.URL(t, dialect))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func otherDialect(d string) string {
	if d == "sqlite" {
		return "postgres"
	}
	return "sqlite"
}

func migrationNames(t *testing.T, dialect string) []string {
	t.Helper()
	ms, err := sqldb.Migrations(dialect)
	if err != nil {
		t.Fatalf("migrations for %s: %v", dialect, err)
	}
	var names []string
	for _, m := range ms {
		if strings.TrimSpace(m.SQL) == "" {
			t.Errorf("%s migration %04d_%s is empty", dialect, m.Version, m.Name)
		}
		names = append(names, fmt.Sprintf("%04d_%s", m.Version, m.Name))
	}
	return names
}

// The two dialects must have the same migrations, or a schema version would mean different
// things on each database.
func TestMigrationsMatchAcrossDialects(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		mine := migrationNames(t, db.Dialect())
		theirs := migrationNames(t, otherDialect(db.Dialect()))
		if len(mine) == 0 {
			t.Fatal("no migrations")
		}
		if !slices.Equal(mine, theirs) {
			t.Fatalf("%s migrations %v differ from %s migrations %v", db.Dialect(), mine, otherDialect(db.Dialect()), theirs)
		}
		v, err := db.SchemaVersion(t.Context())
		must(t, err)
		if v != len(mine) {
			t.Fatalf("schema version after migrating is %d, want %d", v, len(mine))
		}
	})
	if _, err := sqldb.Migrations("mysql"); err == nil {
		t.Error("Migrations of an unknown dialect: got no error")
	}
}

func TestMigrateFreshThenNoOp(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		fresh := openFresh(t, db.Dialect())
		if _, err := fresh.SchemaVersion(t.Context()); err == nil || !strings.Contains(err.Error(), "linkwork migrate") {
			t.Fatalf("SchemaVersion of an empty database: got %v, want an error telling to run linkwork migrate", err)
		}
		n := len(migrationNames(t, db.Dialect()))
		applied, err := fresh.Migrate(t.Context())
		must(t, err)
		var want []int
		for v := 1; v <= n; v++ {
			want = append(want, v)
		}
		if !slices.Equal(applied, want) {
			t.Fatalf("first Migrate applied %v, want %v", applied, want)
		}
		applied, err = fresh.Migrate(t.Context())
		must(t, err)
		if len(applied) != 0 {
			t.Fatalf("second Migrate applied %v, want nothing", applied)
		}
		if got := countRows(t, fresh, "schema_migrations", ""); got != n {
			t.Fatalf("schema_migrations has %d rows, want %d", got, n)
		}
		v, err := fresh.SchemaVersion(t.Context())
		must(t, err)
		if v != n {
			t.Fatalf("schema version %d, want %d", v, n)
		}
	})
}

func TestMigrateRefusesNewerSchema(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		n := len(migrationNames(t, db.Dialect()))
		_, err := db.Exec(t.Context(), "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
			n+1, "from_the_future", db.Now())
		must(t, err)
		applied, err := db.Migrate(t.Context())
		if err == nil {
			t.Fatalf("Migrate of a newer schema: got no error, applied %v", applied)
		}
		if !strings.Contains(err.Error(), "newer linkwork") || !strings.Contains(err.Error(), fmt.Sprint(n+1)) {
			t.Fatalf("Migrate of a newer schema: got %q, want it to mention version %d and a newer linkwork", err, n+1)
		}
		v, err := db.SchemaVersion(t.Context())
		must(t, err)
		if v != n+1 {
			t.Fatalf("schema version after the refusal is %d, want %d", v, n+1)
		}
	})
}

// Two processes starting at once must not both apply the migrations.
func TestMigrateConcurrently(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		u := sqldbtest.URL(t, db.Dialect())
		var dbs []*sqldb.DB
		for range 3 {
			d, err := sqldb.Open(t.Context(), u)
			must(t, err)
			t.Cleanup(func() { d.Close() })
			dbs = append(dbs, d)
		}
		applied := make([][]int, len(dbs))
		errs := make([]error, len(dbs))
		var wg sync.WaitGroup
		for i, d := range dbs {
			wg.Go(func() { applied[i], errs[i] = d.Migrate(t.Context()) })
		}
		wg.Wait()
		total := 0
		for i := range dbs {
			if errs[i] != nil {
				t.Fatalf("concurrent Migrate %d: %v", i, errs[i])
			}
			total += len(applied[i])
		}
		n := len(migrationNames(t, db.Dialect()))
		if total != n {
			t.Fatalf("concurrent Migrates applied %v in all, want %d migrations applied once", applied, n)
		}
		if got := countRows(t, dbs[0], "schema_migrations", ""); got != n {
			t.Fatalf("schema_migrations has %d rows, want %d", got, n)
		}
	})
}

func TestOpenBadURLs(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		type tc struct{ url, want, hidden string }
		cases := []tc{
			{"mysql://x", "bad database URL", ""},
			{"", "bad database URL", ""},
			{"linkwork.db", "use sqlite:PATH or postgres://", ""},
		}
		switch db.Dialect() {
		case "sqlite":
			cases = append(cases,
				tc{"sqlite:", `"sqlite:" needs a file path`, ""},
				tc{"sqlite://", `"sqlite:" needs a file path`, ""},
				tc{"sqlite:x.db?_pragma=foreign_keys(0)", "cannot contain ? or #", ""},
				tc{"sqlite:" + t.TempDir() + "/no/such/dir/x.db", "cannot reach the sqlite database", ""},
			)
		case "postgres":
			cases = append(cases,
				tc{"postgres://", "bad database URL", ""},
				tc{"postgresql:///linkwork", "bad database URL", ""},
				tc{"postgres://postgres@127.0.0.1:1/x?sslmode=disable&connect_timeout=2", "cannot reach the postgres database", ""},
				tc{"postgres://postgres:hunter2secret@127.0.0.1:1/x?sslmode=disable&connect_timeout=2",
					"cannot reach the postgres database", "hunter2secret"},
			)
		}
		for _, c := range cases {
			got, err := sqldb.Open(t.Context(), c.url)
			if err == nil {
				got.Close()
				t.Errorf("Open(%q): got no error, want %q", c.url, c.want)
				continue
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("Open(%q): got %q, want it to contain %q", c.url, err, c.want)
			}
			if c.hidden != "" && strings.Contains(err.Error(), c.hidden) {
				t.Errorf("Open(%q): the error %q shows the password", c.url, err)
			}
		}
	})
}

// A database URL that does not parse must not show its password in the error either.
func TestOpenHidesPasswordOfBadURL(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		for _, u := range []string{
			"postgres://postgres:hunter2secret@127.0.0.1:5432/x%zz",
			"postgres://postgres:hunter2 secret@127.0.0.1:5432/x",
			"postgresql://postgres:hunter2secret@[::1/x",
		} {
			got, err := sqldb.Open(t.Context(), u)
			if err == nil {
				got.Close()
				t.Errorf("Open(%q): got no error", u)
				continue
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("Open(%q): the error %q shows the password", u, err)
			}
		}
	})
}
