package oruk

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// table is one CSV file of an HSDS data package, read whole: its columns by name and its
// rows with the line each starts on, so that every message can say where a value is.
type table struct {
	file string         // its path in the package, for messages
	cols map[string]int // column by lower-case name; the first of a repeated name wins
	// width is the number of columns in the header, which every row has.
	width int
	rows  []csvRow
	// bad are the rows that could not be read, with why.
	bad []badRow
}

// csvRow is one row of a table: its fields, as many as the header has.
type csvRow struct {
	line   int
	fields []string
}

// badRow is a row that could not be read. Fields holds what could be read of it (a row with
// the wrong number of fields), so that the service it belongs to may still be found.
type badRow struct {
	line    int
	fields  []string
	message string
}

// maxCSVField is the longest field a table may have: more than any text linkwork keeps, and
// far less than would let one field take over the memory.
const maxCSVField = 1 << 20

// readTable reads a CSV table with a header row. A row that cannot be read (a stray quote,
// the wrong number of fields, text that is not UTF-8) is kept in bad with its line and the
// rest are read; a row of empty fields is skipped. The error is for a table that cannot be
// read at all: no header, or a header that cannot be read.
func readTable(file string, r io.Reader) (*table, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1 // counted here, so that one short row does not stop the table
	cr.ReuseRecord = false
	t := &table{file: file, cols: map[string]int{}}
	header, err := cr.Read()
	switch {
	case errors.Is(err, io.EOF):
		return nil, &PackageError{File: file, Message: "the file is empty: it needs a header row naming its columns"}
	case err != nil:
		return nil, &PackageError{File: file, Line: lineOf(err, 1), Message: "the header row cannot be read: " + csvMessage(err)}
	}
	t.width = len(header)
	for i, h := range header {
		if i == 0 {
			h = strings.TrimPrefix(h, "\ufeff") // the byte order mark spreadsheets write
		}
		if !utf8.ValidString(h) {
			return nil, &PackageError{File: file, Line: 1, Message: "the header row is not UTF-8 text: save the file as CSV UTF-8"}
		}
		h = strings.ToLower(strings.TrimSpace(h))
		if _, ok := t.cols[h]; !ok && h != "" {
			t.cols[h] = i
		}
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return t, nil
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return nil, &PackageError{File: file, Message: err.Error()}
			}
			if errors.Is(err, csv.ErrFieldCount) {
				// Not returned with FieldsPerRecord -1, but kept for safety.
				t.bad = append(t.bad, badRow{line: pe.StartLine, fields: rec, message: csvMessage(err)})
				continue
			}
			t.bad = append(t.bad, badRow{line: pe.StartLine, message: csvMessage(err)})
			continue
		}
		if blank(rec) {
			continue
		}
		line, _ := cr.FieldPos(0)
		switch {
		case len(rec) != len(header):
			t.bad = append(t.bad, badRow{line: line, fields: rec,
				message: fmt.Sprintf("the row has %d fields, but the header has %d", len(rec), len(header))})
		case !allUTF8(rec):
			t.bad = append(t.bad, badRow{line: line, message: "the row is not UTF-8 text: save the file as CSV UTF-8"})
		case longest(rec) > maxCSVField:
			t.bad = append(t.bad, badRow{line: line, fields: rec, message: fmt.Sprintf("a field is longer than %d characters", maxCSVField)})
		default:
			t.rows = append(t.rows, csvRow{line: line, fields: rec})
		}
	}
}

// has reports whether the table has a column.
func (t *table) has(col string) bool { _, ok := t.cols[col]; return ok }

// get returns a row's value in a column, trimmed, or "" when the table has no such column.
func (t *table) get(fields []string, col string) string {
	i, ok := t.cols[col]
	if !ok || i >= len(fields) {
		return ""
	}
	return strings.TrimSpace(fields[i])
}

// ref names a line of the table, as messages show it.
func (t *table) ref(line int) string { return fmt.Sprintf("%s line %d", t.file, line) }

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

func allUTF8(rec []string) bool {
	for _, f := range rec {
		if !utf8.ValidString(f) {
			return false
		}
	}
	return true
}

func longest(rec []string) int {
	n := 0
	for _, f := range rec {
		n = max(n, len(f))
	}
	return n
}

// lineOf returns the line a CSV error is on, or def.
func lineOf(err error, def int) int {
	var pe *csv.ParseError
	if errors.As(err, &pe) && pe.StartLine > 0 {
		return pe.StartLine
	}
	return def
}

// csvMessage says what is wrong with a row in words, without the reader's "parse error on
// line N, column M:" (the line is given separately).
func csvMessage(err error) string {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return err.Error()
	}
	switch {
	case errors.Is(pe.Err, csv.ErrQuote):
		return fmt.Sprintf("a quote (\") is missing or out of place in the quoted field at column %d; a quote inside a field is written twice (\"\")", pe.Column)
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return fmt.Sprintf("a quote (\") is inside a field that is not in quotes, at column %d: put the field in quotes and write the quote twice (\"\")", pe.Column)
	case errors.Is(pe.Err, csv.ErrFieldCount):
		return "the row has the wrong number of fields"
	}
	return pe.Err.Error()
}
