package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Backup writes a consistent copy of a SQLite database to path while linkwork keeps using
// it. SQLite's VACUUM INTO reads the whole database in one read transaction, so the copy
// holds every write committed before it began and none after, whatever writers do
// meanwhile (in WAL mode they are not blocked). The copy is written beside path under a
// temporary name, flushed to disk and then renamed into place, so that path is either the
// old file or a whole backup, never half of one. An existing file at path is refused.
//
// PostgreSQL databases are backed up with pg_dump (docs/operations.md), which takes the
// same kind of snapshot; Backup refuses them with that advice.
func (db *DB) Backup(ctx context.Context, path string) error {
	if db.dialect.name() != "sqlite" {
		return errors.New("linkwork backup copies SQLite databases; back up PostgreSQL with pg_dump --format=custom (see docs/operations.md)")
	}
	if path == "" {
		return errors.New("backup: --to FILE is required: where to write the copy")
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("backup: %s already exists: choose a new file name, so that no earlier backup is overwritten", path)
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".part-*")
	if err != nil {
		return fmt.Errorf("backup: cannot write in %s: %v", dir, err)
	}
	tmpName := tmp.Name()
	tmp.Close()
	// VACUUM INTO wants a file that does not exist (or is empty); CreateTemp reserved the
	// name.
	os.Remove(tmpName)
	defer os.Remove(tmpName)
	// The path is passed as a bound parameter, so that no file name can change the SQL.
	if _, err := db.db.ExecContext(ctx, "VACUUM INTO ?", tmpName); err != nil {
		return fmt.Errorf("backup: copying the database: %v", err)
	}
	if err := syncFile(tmpName); err != nil {
		return fmt.Errorf("backup: %v", err)
	}
	if err := checkBackup(ctx, tmpName); err != nil {
		return err
	}
	if err := os.Rename(tmpName, path); err != nil {
		return fmt.Errorf("backup: %v", err)
	}
	return syncDir(dir)
}

// Restore puts the SQLite backup at from in place of the SQLite database named by dbURL.
// It first checks the backup: that SQLite finds it whole (PRAGMA integrity_check) and that
// it holds a linkwork schema this binary knows. The database's old write-ahead log is
// removed with it, since it belongs to the old file. linkwork must not be running on the
// database meanwhile; stop it first. Unless force is set, an existing database is refused.
func Restore(ctx context.Context, from, dbURL string, force bool) error {
	d, _, err := parseURL(dbURL)
	if err != nil {
		return err
	}
	if d.name() != "sqlite" {
		return errors.New("linkwork restore puts back SQLite backups; restore PostgreSQL with pg_restore (see docs/operations.md)")
	}
	target := strings.TrimPrefix(strings.TrimPrefix(dbURL, "sqlite:"), "//")
	if _, err := os.Stat(from); err != nil {
		return fmt.Errorf("restore: cannot read the backup %s: %v", from, err)
	}
	if err := checkBackup(ctx, from); err != nil {
		return err
	}
	if _, err := os.Stat(target); err == nil && !force {
		return fmt.Errorf("restore: %s already exists: stop linkwork, and run again with --force to replace it", target)
	}
	dir := filepath.Dir(target)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(target)+".restore-*")
	if err != nil {
		return fmt.Errorf("restore: cannot write in %s: %v", dir, err)
	}
	defer os.Remove(tmp.Name())
	src, err := os.Open(from)
	if err != nil {
		tmp.Close()
		return fmt.Errorf("restore: %v", err)
	}
	_, err = tmp.ReadFrom(src)
	src.Close()
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("restore: copying the backup: %v", err)
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Remove(target + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("restore: removing the old database's %s file: %v", suffix, err)
		}
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		return fmt.Errorf("restore: %v", err)
	}
	return syncDir(dir)
}

// checkBackup opens a backup read-only and checks that it is whole and holds a linkwork
// schema this binary knows.
func checkBackup(ctx context.Context, path string) error {
	sdb, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("backup check: %v", err)
	}
	defer sdb.Close()
	var result string
	if err := sdb.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&result); err != nil {
		return fmt.Errorf("backup check: %s is not a SQLite database linkwork can read: %v", path, err)
	}
	if result != "ok" {
		return fmt.Errorf("backup check: %s is damaged: %s", path, result)
	}
	var version int
	if err := sdb.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&version); err != nil {
		return fmt.Errorf("backup check: %s holds no linkwork schema: %v", path, err)
	}
	ms, err := Migrations("sqlite")
	if err != nil {
		return err
	}
	if latest := ms[len(ms)-1].Version; version > latest || version == 0 {
		return fmt.Errorf("backup check: %s is at schema version %d, which this linkwork (schema %d) cannot use", path, version, latest)
	}
	return nil
}

// syncFile flushes a file's contents to disk.
func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// syncDir flushes a directory, so that a rename in it survives a crash.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
