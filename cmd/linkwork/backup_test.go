package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestBackupAndRestoreCommands backs up a database with a place in it, restores the copy
// elsewhere, and reads the place back through linkwork.
func TestBackupAndRestoreCommands(t *testing.T) {
	dir := t.TempDir()
	live := "sqlite:" + filepath.Join(dir, "live.db")
	if _, err := run(t, "", "place", "add", "--name", "Kirklees", "--db", live); err != nil {
		t.Fatal(err)
	}
	copyFile := filepath.Join(dir, "copy.db")
	out, err := run(t, "", "backup", "--to", copyFile, "--db", live)
	if err != nil || !strings.Contains(out, "Backed up") {
		t.Fatalf("backup: %q %v", out, err)
	}
	restored := "sqlite:" + filepath.Join(dir, "restored.db")
	if out, err := run(t, "", "restore", "--from", copyFile, "--db", restored); err != nil || !strings.Contains(out, "Restored") {
		t.Fatalf("restore: %q %v", out, err)
	}
	// The place is there: adding it again is refused as a duplicate.
	if _, err := run(t, "", "place", "add", "--name", "Kirklees", "--db", restored); err == nil {
		t.Error("the restored database does not hold the place")
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"backup", "--db", live}, "--to FILE is required"},
		{[]string{"backup", "--to", copyFile, "--db", live}, "already exists"},
		{[]string{"restore", "--db", restored}, "--from FILE is required"},
		{[]string{"restore", "--from", copyFile, "--db", restored}, "--force"},
		{[]string{"restore", "--from", filepath.Join(dir, "missing.db"), "--db", restored}, "cannot read the backup"},
	} {
		if _, err := run(t, "", c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want an error saying %q", c.args, err, c.want)
		}
	}
}
