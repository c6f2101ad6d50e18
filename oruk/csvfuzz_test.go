package oruk

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzReadTable feeds the CSV row reader arbitrary bytes: it never panics; a table it
// cannot read at all is a PackageError; every row it keeps has as many fields as the header,
// in UTF-8, on a later line than the one before; every row it cannot read says why.
func FuzzReadTable(f *testing.F) {
	var files []string
	for _, dir := range []string{hsdsCSV, orukCSV} {
		m, _ := filepath.Glob(dir + "/*.csv")
		files = append(files, m...)
	}
	if len(files) < 20 {
		f.Fatalf("only %d seed files: is shared/reference beside the repository?", len(files))
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{"", "\n", "\ufeff", "\ufeffid,name\r\n1,a\r\n", "id,name\n1\n2,b,c\n3,c\n", "id\n\"unclosed\n2\n",
		"id,name\n1,a \"quoted\" word\n", "a,b\n\"x\"\"y\",\"multi\nline\"\n", "id,id,ID\n1,2,3\n", "id,name\n,\n ,  \n",
		"id,name\n1,caf\xe9\n", "\"a\nb\",c\n1,2\n", "a,b\n1,2\n\n\n3,4", "a;b\n1;2\n", "a,\"b\"c\n1,2\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tb, err := readTable("t.csv", bytes.NewReader(data))
		if err != nil {
			var pe *PackageError
			if !errors.As(err, &pe) || pe.Message == "" || pe.File != "t.csv" || tb != nil {
				t.Fatalf("an error that is not about the table: %v", err)
			}
			return
		}
		lines := bytes.Count(data, []byte("\n")) + 1
		if len(tb.rows)+len(tb.bad) > lines {
			t.Fatalf("%d rows and %d bad rows from %d lines", len(tb.rows), len(tb.bad), lines)
		}
		prev := 1
		for _, r := range tb.rows {
			if r.line <= prev || r.line > lines {
				t.Fatalf("row on line %d after line %d (of %d)", r.line, prev, lines)
			}
			prev = r.line
			if len(r.fields) != tb.width {
				t.Fatalf("line %d: %d fields, header %d", r.line, len(r.fields), tb.width)
			}
			for _, f := range r.fields {
				if !utf8.ValidString(f) {
					t.Fatalf("line %d: kept a field that is not UTF-8: %q", r.line, f)
				}
			}
			for col := range tb.cols {
				_ = tb.get(r.fields, col)
			}
		}
		for _, b := range tb.bad {
			if b.line < 1 || b.line > lines || b.message == "" || strings.Contains(b.message, "parse error") {
				t.Fatalf("bad row %+v (of %d lines)", b, lines)
			}
		}
		for col, i := range tb.cols {
			if i < 0 || i >= tb.width || col != strings.ToLower(strings.TrimSpace(col)) {
				t.Fatalf("column %q at %d of %d", col, i, tb.width)
			}
		}
	})
}
