// Package activityimport reads health service use files: a CSV of GP appointments and
// non-elective hospital admissions per person and month, which a place's data provider
// sends keyed by NHS number or by the place's pseudonymised key (linkwork.ActivityKeyKind),
// for linkwork import activity.
//
// The file has a header row naming its columns, in any order and any case:
//
//	nhs_number (or key, or pseudonym)   the person
//	month                                YYYY-MM
//	gp_appointments                      GP appointments in the month
//	admissions                           non-elective admissions in the month
//
// Other columns are left alone. The file is read a row at a time. Every data row becomes an
// ActivityRow numbered by the line it starts on, so that the store sees (and counts) every
// row of the file: one this package cannot read (a count that is not a whole number, a row
// with too few fields, broken quoting) is passed on with its unreadable counts as -1 and a
// missing month as "", which the store refuses, and the reason it could not be read is in
// File.Problems. An import with --all-or-nothing so stops at it as at any other bad row.
package activityimport

import (
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"linkwork"
)

// The columns, by the names a header may give them (lower case, with spaces and hyphens
// as underscores).
var columns = map[string]string{
	"nhs_number": "key", "nhs_no": "key", "key": "key", "pseudonym": "key", "person_key": "key",
	"month":           "month",
	"gp_appointments": "gp_appointments", "gp": "gp_appointments",
	"admissions": "admissions", "non_elective_admissions": "admissions",
}

// required are the columns every file needs, in the order messages name them.
var required = []string{"key", "month", "gp_appointments", "admissions"}

// unreadable is the count passed on for a count that could not be read: the store refuses
// it.
const unreadable = -1

// MaxRows is the most data rows a file may have: far more than a national file of a year's
// months, and a bound on the memory a mistaken file can take.
const MaxRows = 50_000_000

// File is what was read from a file.
type File struct {
	// Rows are every data row, numbered by line (the header is line 1).
	Rows []linkwork.ActivityRow
	// Problems are the rows that could not be read, and why; each such row is in Rows too.
	Problems []*linkwork.RowProblem
	// Ignored are the header's columns that are not read.
	Ignored []string
}

// Read reads an activity file. It fails only when the file as a whole cannot be used: no
// header, or a column missing.
func Read(r io.Reader) (*File, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1 // each row's count is checked here, to say which line is short
	cr.LazyQuotes = true    // a stray quote in a field is kept, not an error
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("the file is empty: it needs a header row naming the columns " + strings.Join(required, ", "))
	}
	if err != nil {
		return nil, fmt.Errorf("the header row cannot be read: %v", err)
	}
	at := map[string]int{}
	f := &File{}
	for i, h := range header {
		name := strings.TrimSpace(h)
		if i == 0 {
			name = strings.TrimPrefix(name, "\ufeff") // the byte order mark Excel writes
		}
		key := strings.NewReplacer(" ", "_", "-", "_").Replace(strings.ToLower(name))
		col, ok := columns[key]
		switch {
		case !ok:
			f.Ignored = append(f.Ignored, name)
		case at[col] != 0:
			return nil, fmt.Errorf("the header names the %s column twice (column %d): name each column once", col, i+1)
		default:
			at[col] = i + 1 // 1-based, so that 0 is missing
		}
	}
	var missing []string
	for _, col := range required {
		if at[col] == 0 {
			missing = append(missing, col)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("the header has no %s column: the columns are %s (the key may be nhs_number or key)",
			strings.Join(missing, ", "), strings.Join(required, ", "))
	}
	lastLine := 1
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return f, nil
		}
		var line int
		var pe *csv.ParseError
		switch {
		case err == nil:
			line, _ = cr.FieldPos(0)
		case errors.As(err, &pe):
			line = pe.StartLine
		default:
			return nil, err
		}
		if line <= lastLine {
			line = lastLine + 1 // a reader that did not move on still counts a row
		}
		lastLine = line
		if len(f.Rows) == MaxRows {
			return nil, fmt.Errorf("the file has more than %d rows: split it into smaller files", MaxRows)
		}
		row := linkwork.ActivityRow{Line: line, GPAppointments: unreadable, Admissions: unreadable}
		if err != nil {
			f.Problems = append(f.Problems, &linkwork.RowProblem{Line: line, Reason: "This row cannot be read as CSV: " + csvReason(pe) + "."})
			f.Rows = append(f.Rows, row)
			continue
		}
		short := len(rec) < len(header)
		if short {
			f.Problems = append(f.Problems, &linkwork.RowProblem{Line: line,
				Reason: fmt.Sprintf("This row has %d fields, and the header %d: check for a missing comma.", len(rec), len(header))})
		}
		field := func(col string) (string, bool) {
			i := at[col] - 1
			if i >= len(rec) {
				return "", false
			}
			return strings.TrimSpace(rec[i]), true
		}
		row.Key, _ = field("key")
		row.Month, _ = field("month")
		if short {
			// A field is missing, so the counts cannot be trusted to be in their columns: the
			// row is passed on with them unreadable (its key and month kept for the report).
			f.Rows = append(f.Rows, row)
			continue
		}
		for _, c := range []struct {
			col, what string
			n         *int
		}{{"gp_appointments", "GP appointments", &row.GPAppointments}, {"admissions", "admissions", &row.Admissions}} {
			v, ok := field(c.col)
			if !ok {
				continue
			}
			n, err := strconv.Atoi(v)
			if err != nil {
				reason := fmt.Sprintf("Give the number of %s as a whole number, 0 if there were none; %q is not one.", c.what, clip(v))
				if v == "" {
					reason = fmt.Sprintf("Give the number of %s, 0 if there were none.", c.what)
				}
				f.Problems = append(f.Problems, &linkwork.RowProblem{Line: line, Field: c.col, Reason: reason})
				continue
			}
			*c.n = n
		}
		f.Rows = append(f.Rows, row)
	}
}

// csvReason is a CSV error in words.
func csvReason(pe *csv.ParseError) string {
	switch {
	case pe == nil:
		return "it is not valid CSV"
	case errors.Is(pe.Err, csv.ErrQuote):
		return "a quoted field is not closed (a \" is missing)"
	}
	return strings.TrimSuffix(pe.Err.Error(), ".")
}

// clip shortens a value for a message.
func clip(s string) string {
	if r := []rune(s); len(r) > 20 {
		return string(r[:20]) + "…"
	}
	return s
}

// Merge puts the problems the store found with the rows together with the reader's, in
// line order. Where the reader could not read a row, or a field of it, its reason is kept
// and the store's about the values passed on for it are left out: they would say what is
// wrong with the -1 rather than with the file.
func Merge(read, stored []*linkwork.RowProblem) []*linkwork.RowProblem {
	type at struct {
		line  int
		field string
	}
	unread := map[at]bool{}
	for _, p := range read {
		unread[at{p.Line, p.Field}] = true
	}
	out := slices.Clone(read)
	for _, p := range stored {
		if !unread[at{p.Line, ""}] && !unread[at{p.Line, p.Field}] {
			out = append(out, p)
		}
	}
	slices.SortStableFunc(out, func(a, b *linkwork.RowProblem) int { return cmp.Compare(a.Line, b.Line) })
	return out
}
