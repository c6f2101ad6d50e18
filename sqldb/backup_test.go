package sqldb_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"linkwork"
	"linkwork/sqldb"
)

// openSQLite opens and migrates a SQLite database at path.
func openSQLite(t *testing.T, path string) *sqldb.DB {
	t.Helper()
	db, err := sqldb.Open(context.Background(), "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(context.Background()); err != nil {
		db.Close()
		t.Fatal(err)
	}
	return db
}

// tableDigests reads every table of a SQLite file and returns a digest of each one's rows
// in rowid order: two databases with the same digests hold the same data.
func tableDigests(t *testing.T, path string) map[string]string {
	t.Helper()
	sdb, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	rows, err := sdb.Query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	rows.Close()
	out := map[string]string{}
	for _, tb := range tables {
		order := "rowid"
		var withoutRowid int
		_ = sdb.QueryRow("SELECT COUNT(*) FROM sqlite_master WHERE name = ? AND sql LIKE '%WITHOUT ROWID%'", tb).Scan(&withoutRowid)
		if withoutRowid > 0 {
			order = "1"
		}
		rs, err := sdb.Query(fmt.Sprintf("SELECT * FROM %q ORDER BY %s", tb, order))
		if err != nil {
			t.Fatalf("%s: %v", tb, err)
		}
		cols, _ := rs.Columns()
		h := sha256.New()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		n := 0
		for rs.Next() {
			if err := rs.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(h, "%v\x00", vals)
			n++
		}
		rs.Close()
		out[tb] = fmt.Sprintf("%d:%s", n, hex.EncodeToString(h.Sum(nil)))
	}
	return out
}

// TestBackupWhileWriting takes a backup while a writer keeps adding organisations, restores
// it, and checks that it holds every write acknowledged before the backup began, that what
// it holds is a whole prefix of the writes (no half-write), and that a backup taken at rest
// is identical to the database, table by table.
func TestBackupWhileWriting(t *testing.T) {
	ctx := linkwork.NewContextWithActor(context.Background(), linkwork.Actor{Label: "test"})
	dir := t.TempDir()
	db := openSQLite(t, filepath.Join(dir, "live.db"))
	defer db.Close()
	place := &linkwork.Place{Name: "Calderdale"}
	must(t, db.Services().Places.CreatePlace(ctx, place))

	var acknowledged atomic.Int64 // organisations the writer saw committed
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 1; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			o := &linkwork.Organisation{PlaceID: place.ID, Name: fmt.Sprintf("Group %05d", i), Sector: linkwork.SectorVCSE}
			if err := db.Services().Organisations.CreateOrganisation(ctx, o); err != nil {
				t.Error(err)
				return
			}
			acknowledged.Store(int64(i))
		}
	}()
	for acknowledged.Load() < 50 {
		// Let the writer get going.
	}
	before := acknowledged.Load()
	backup := filepath.Join(dir, "during.db")
	if err := db.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	close(stop)
	wg.Wait()

	restored := filepath.Join(dir, "restored.db")
	if err := sqldb.Restore(ctx, backup, "sqlite:"+restored, false); err != nil {
		t.Fatal(err)
	}
	rdb := openSQLite(t, restored)
	rdb.Close()
	sdb, err := sql.Open("sqlite", "file:"+restored+"?mode=ro")
	must(t, err)
	defer sdb.Close()
	rows, err := sdb.Query("SELECT name FROM organisations WHERE place_id = ?", place.ID)
	must(t, err)
	names := map[string]bool{}
	for rows.Next() {
		var n string
		must(t, rows.Scan(&n))
		names[n] = true
	}
	must(t, rows.Err())
	rows.Close()
	total := len(names)
	if int64(total) < before {
		t.Fatalf("the backup holds %d organisations; %d were acknowledged before it began", total, before)
	}
	// A whole prefix: Group 00001 … Group N, nothing missing in between.
	for i := 1; i <= total; i++ {
		if !names[fmt.Sprintf("Group %05d", i)] {
			t.Errorf("Group %05d is missing from a backup of %d", i, total)
		}
	}

	// At rest, a backup is the database.
	if err := db.Backup(ctx, filepath.Join(dir, "rest.db")); err != nil {
		t.Fatal(err)
	}
	db.Close()
	want, got := tableDigests(t, filepath.Join(dir, "live.db")), tableDigests(t, filepath.Join(dir, "rest.db"))
	if len(want) < 20 {
		t.Fatalf("only %d tables read", len(want))
	}
	for tb, w := range want {
		if got[tb] != w {
			t.Errorf("table %s: backup %s, database %s", tb, got[tb], w)
		}
	}
}

func TestBackupRefusals(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := openSQLite(t, filepath.Join(dir, "live.db"))
	defer db.Close()

	existing := filepath.Join(dir, "existing.db")
	must(t, os.WriteFile(existing, []byte("keep me"), 0o600))
	if err := db.Backup(ctx, existing); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("backup over a file: %v", err)
	}
	if b, _ := os.ReadFile(existing); string(b) != "keep me" {
		t.Error("an existing file was overwritten")
	}
	if err := db.Backup(ctx, filepath.Join(dir, "no", "such", "dir.db")); err == nil {
		t.Error("backup into a missing folder succeeded")
	}

	good := filepath.Join(dir, "good.db")
	must(t, db.Backup(ctx, good))
	// Restoring over a database needs --force.
	if err := sqldb.Restore(ctx, good, "sqlite:"+filepath.Join(dir, "live.db"), false); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Errorf("restore over a database without force: %v", err)
	}
	// Damaged and foreign files are refused before anything is replaced.
	damaged := filepath.Join(dir, "damaged.db")
	b, _ := os.ReadFile(good)
	for i := 4096; i < len(b) && i < 4096*4; i++ {
		b[i] ^= 0x5a
	}
	must(t, os.WriteFile(damaged, b, 0o600))
	target := filepath.Join(dir, "target.db")
	if err := sqldb.Restore(ctx, damaged, "sqlite:"+target, false); err == nil {
		t.Error("a damaged backup was restored")
	}
	other := filepath.Join(dir, "other.db")
	odb, err := sql.Open("sqlite", "file:"+other)
	must(t, err)
	_, err = odb.Exec("CREATE TABLE notes (x TEXT)")
	must(t, err)
	odb.Close()
	if err := sqldb.Restore(ctx, other, "sqlite:"+target, false); err == nil || !strings.Contains(err.Error(), "no linkwork schema") {
		t.Errorf("a foreign database: %v", err)
	}
	if _, err := os.Stat(target); err == nil {
		t.Error("a refused restore left a database behind")
	}
	if err := sqldb.Restore(ctx, good, "postgres://postgres@127.0.0.1:5432/x", false); err == nil || !strings.Contains(err.Error(), "pg_restore") {
		t.Errorf("restore to PostgreSQL: %v", err)
	}
	// With force, a backup replaces the database and its old write-ahead log.
	must(t, os.WriteFile(target+"-wal", []byte("stale"), 0o600))
	must(t, os.WriteFile(target, []byte("old"), 0o600))
	must(t, sqldb.Restore(ctx, good, "sqlite:"+target, true))
	if _, err := os.Stat(target + "-wal"); err == nil {
		t.Error("the old write-ahead log was left beside the restored database")
	}
	rdb := openSQLite(t, target)
	rdb.Close()
}
