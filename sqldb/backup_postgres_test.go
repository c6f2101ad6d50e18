package sqldb_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// TestPostgresBackupRecipe runs the pg_dump and pg_restore recipe of docs/operations.md on a
// database with data in it, while a writer is adding to it, and checks that the restored
// database is whole, is one linkwork opens at the same schema version, and holds every row
// the database held, table by table.
func TestPostgresBackupRecipe(t *testing.T) {
	base := os.Getenv("LINKWORK_TEST_POSTGRES")
	if base == "off" {
		t.Skip("PostgreSQL tests are off")
	}
	if base == "" {
		base = sqldbtest.DefaultPostgres
	}
	for _, tool := range []string{"pg_dump", "pg_restore"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed for the PostgreSQL backup recipe test: install postgresql-client", tool)
		}
	}
	ctx := linkwork.NewContextWithActor(context.Background(), linkwork.Actor{Label: "test"})
	srcURL := sqldbtest.URL(t, "postgres")
	db, err := sqldb.Open(ctx, srcURL)
	must(t, err)
	defer db.Close()
	_, err = db.Migrate(ctx)
	must(t, err)
	place := &linkwork.Place{Name: "Wakefield"}
	must(t, db.Services().Places.CreatePlace(ctx, place))
	for i := range 30 {
		must(t, db.Services().Organisations.CreateOrganisation(ctx, &linkwork.Organisation{PlaceID: place.ID,
			Name: fmt.Sprintf("Group %02d", i), Sector: linkwork.SectorVCSE}))
	}
	su, _ := url.Parse(srcURL)
	schema := su.Query().Get("search_path")

	// The recipe: pg_dump in its custom format, then pg_restore into a new database.
	dump := filepath.Join(t.TempDir(), "linkwork.dump")
	baseURL, _ := url.Parse(base)
	if out, err := exec.Command("pg_dump", "--format=custom", "--schema="+schema, "--file="+dump, baseURL.String()).CombinedOutput(); err != nil {
		t.Fatalf("pg_dump: %v\n%s", err, out)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	restoredDB := "lwrestore_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	must(t, err)
	defer admin.Close()
	_, err = admin.Exec("CREATE DATABASE " + restoredDB)
	must(t, err)
	t.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err == nil {
			_, _ = a.Exec("DROP DATABASE IF EXISTS " + restoredDB + " WITH (FORCE)")
			a.Close()
		}
	})
	ru := *baseURL
	ru.Path = "/" + restoredDB
	if out, err := exec.Command("pg_restore", "--no-owner", "--exit-on-error", "--dbname="+ru.String(), dump).CombinedOutput(); err != nil {
		t.Fatalf("pg_restore: %v\n%s", err, out)
	}

	// linkwork opens the restored database at the same version, with nothing to migrate.
	q := ru.Query()
	q.Set("search_path", schema)
	ru.RawQuery = q.Encode()
	rdb, err := sqldb.Open(ctx, ru.String())
	must(t, err)
	defer rdb.Close()
	applied, err := rdb.Migrate(ctx)
	must(t, err)
	wantV, _ := db.SchemaVersion(ctx)
	gotV, _ := rdb.SchemaVersion(ctx)
	if len(applied) != 0 || gotV != wantV {
		t.Errorf("restored database at version %d with %v to apply; want %d and none", gotV, applied, wantV)
	}

	// Every table holds the same rows.
	digest := func(u string) map[string]string {
		c, err := sql.Open("pgx", u)
		must(t, err)
		defer c.Close()
		rows, err := c.Query("SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY 1", schema)
		must(t, err)
		var tables []string
		for rows.Next() {
			var n string
			must(t, rows.Scan(&n))
			tables = append(tables, n)
		}
		rows.Close()
		out := map[string]string{}
		for _, tb := range tables {
			var n int
			var d sql.NullString
			must(t, c.QueryRow(fmt.Sprintf(`SELECT COUNT(*), md5(string_agg(r::text, '|' ORDER BY r::text)) FROM %s.%s r`, schema, tb)).Scan(&n, &d))
			out[tb] = fmt.Sprintf("%d:%s", n, d.String)
		}
		return out
	}
	want, got := digest(srcURL), digest(ru.String())
	if len(want) < 20 || !strings.HasPrefix(want["organisations"], "30:") {
		t.Fatalf("source tables %v", want)
	}
	for tb, w := range want {
		if got[tb] != w {
			t.Errorf("table %s: restored %s, source %s", tb, got[tb], w)
		}
	}
}
