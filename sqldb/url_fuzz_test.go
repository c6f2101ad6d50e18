package sqldb

import (
	"strings"
	"testing"
)

// FuzzParseURL checks that any database URL either picks a dialect or gives a one-line error
// that starts with "bad database URL", and that a password in it is never echoed.
func FuzzParseURL(f *testing.F) {
	for _, s := range []string{"sqlite:linkwork.db", "sqlite:", "sqlite:///tmp/x.db", "postgres://u:secret@h:5432/db",
		"postgresql://h/db?sslmode=disable", "mysql://x", "", "postgres://", "sqlite:a?b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		d, dsn, err := parseURL(raw)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "bad database URL") || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error for %q: %q", raw, err)
			}
			if strings.Contains(raw, ":secret@") && strings.Contains(err.Error(), "secret") {
				t.Fatalf("error shows the password: %q", err)
			}
			return
		}
		if d == nil || dsn == "" {
			t.Fatalf("%q: no dialect or DSN", raw)
		}
	})
}
