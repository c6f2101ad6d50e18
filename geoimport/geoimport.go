// Package geoimport reads the open data that places linkwork on the map: the ONS postcode
// lookup (NSPL or ONSPD CSV) and the English Indices of Deprivation by LSOA (IMD File 1 CSV),
// and stores it through a linkwork.GeographyService.
//
// Files are streamed, never read whole, so that the national lookup (2.7 million rows) costs
// no more memory than a town's. A bad row is reported with its line and the reason, and the
// rest of the file is still read: with linkwork.ImportOptions.AllOrNothing, nothing is kept
// if any row was bad; without it, the good rows are kept.
package geoimport

import (
	"compress/gzip"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"sort"
	"strings"

	"linkwork"
)

// MaxErrors is how many row errors a Report keeps. The rest are only counted: a file that is
// wrong throughout says so in its first hundred.
const MaxErrors = 100

// ErrBadRows is the error of an all-or-nothing import that found bad rows and so kept none.
var ErrBadRows = errors.New("some rows are bad, so nothing was imported (without --all-or-nothing, the good rows are kept)")

// RowError is a row that could not be used.
type RowError struct {
	// Line is where the row starts in the file; the header is line 1.
	Line int
	// Column is the file's name for the column at fault, or "" for the whole row.
	Column string
	Reason string
}

// String is the error as the command prints it: "line 12: lat: The latitude … is missing."
func (e RowError) String() string {
	if e.Column == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
	}
	return fmt.Sprintf("line %d: %s: %s", e.Line, e.Column, e.Reason)
}

// Report says what an import did with every row of a file.
type Report struct {
	// What is what the rows are: "postcodes" or "LSOAs".
	What string
	// Rows is how many data rows the file had (not counting the header).
	Rows int
	// The counts are of the rows stored; with AllOrNothing and a bad row, all zero.
	linkwork.ImportCounts
	// Skipped counts the rows left out on purpose, by reason, such as postcodes that ONS
	// gives no grid reference. They are not errors and do not stop an all-or-nothing import.
	Skipped map[string]int
	// Bad counts the rows that could not be used; Errors holds the first MaxErrors of them.
	Bad    int
	Errors []RowError
	// RolledBack is true when nothing was kept: an all-or-nothing import found bad rows or
	// failed, and what it had written was rolled back.
	RolledBack bool
}

func newReport(what string) *Report { return &Report{What: what, Skipped: map[string]int{}} }

func (r *Report) fail(e RowError) {
	r.Bad++
	if len(r.Errors) < MaxErrors {
		r.Errors = append(r.Errors, e)
	}
}

// SkippedTotal is the number of rows left out on purpose.
func (r *Report) SkippedTotal() int {
	n := 0
	for _, c := range r.Skipped {
		n += c
	}
	return n
}

// Summary says in a few lines what the import did.
func (r *Report) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Read %s of %s: ", Count(r.Rows, "row", "rows"), r.What)
	if r.RolledBack {
		b.WriteString("nothing was imported (rolled back).\n")
	} else {
		fmt.Fprintf(&b, "%d added, %d updated, %d unchanged.\n", r.Added, r.Updated, r.Unchanged)
	}
	if n := r.SkippedTotal(); n > 0 {
		reasons := make([]string, 0, len(r.Skipped))
		for reason, c := range r.Skipped {
			reasons = append(reasons, fmt.Sprintf("%s: %d", reason, c))
		}
		sort.Strings(reasons)
		fmt.Fprintf(&b, "Skipped %s on purpose (%s).\n", Count(n, "row", "rows"), strings.Join(reasons, "; "))
	}
	switch {
	case r.Bad == 1 && r.RolledBack:
		b.WriteString("1 row was bad.\n")
	case r.Bad == 1:
		b.WriteString("1 row was bad and was left out.\n")
	case r.Bad > 1 && r.RolledBack:
		fmt.Fprintf(&b, "%d rows were bad.\n", r.Bad)
	case r.Bad > 1:
		fmt.Fprintf(&b, "%d rows were bad and were left out.\n", r.Bad)
	}
	return b.String()
}

// Count writes n with the singular or plural noun: "1 row", "2 rows".
func Count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// Open opens a file to import, through gzip when its name ends in .gz.
func Open(path string) (io.ReadCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	if !strings.HasSuffix(strings.ToLower(path), ".gz") {
		return f, nil
	}
	z, err := gzip.NewReader(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s is not a gzip file: %v", path, err)
	}
	return gzipFile{z, f}, nil
}

// gzipFile closes both the gzip stream and the file beneath it.
type gzipFile struct {
	*gzip.Reader
	f *os.File
}

func (g gzipFile) Close() error { return errors.Join(g.Reader.Close(), g.f.Close()) }

// ImportPostcodes reads an ONS postcode lookup from r and stores its postcodes.
func ImportPostcodes(ctx context.Context, geo linkwork.GeographyService, r io.Reader, opts linkwork.ImportOptions) (*Report, error) {
	rep, rows, err := ReadPostcodes(r, opts)
	if err != nil {
		return nil, err
	}
	counts, err := geo.ImportPostcodes(ctx, rows, opts)
	return finish(rep, counts, err, opts)
}

// ImportIMD reads the English Indices of Deprivation (File 1) from r and stores its LSOAs.
func ImportIMD(ctx context.Context, geo linkwork.GeographyService, r io.Reader, opts linkwork.ImportOptions) (*Report, error) {
	rep, rows, err := ReadLSOAs(r, opts)
	if err != nil {
		return nil, err
	}
	counts, err := geo.ImportLSOAs(ctx, rows, opts)
	return finish(rep, counts, err, opts)
}

func finish(rep *Report, counts linkwork.ImportCounts, err error, opts linkwork.ImportOptions) (*Report, error) {
	rep.ImportCounts = counts
	rep.RolledBack = err != nil && opts.AllOrNothing
	return rep, err
}

// table reads a CSV file's rows after its header, recording the rows it cannot read.
type table struct {
	r      *csv.Reader
	header []string
	rep    *Report
	err    error // why the file could not be read to its end, if it could not
}

func newTable(r io.Reader, rep *Report) (*table, error) {
	c := csv.NewReader(r)
	c.FieldsPerRecord = -1 // checked per row, so that a short row is one row's error
	c.ReuseRecord = true
	header, err := c.Read()
	if err == io.EOF {
		return nil, errors.New("the file is empty: it should start with a header row")
	}
	if err != nil {
		return nil, fmt.Errorf("the header row cannot be read: %v", err)
	}
	header = append([]string(nil), header...)
	header[0] = strings.TrimPrefix(header[0], "\ufeff") // the byte order mark Excel writes
	for i, h := range header {
		header[i] = strings.TrimSpace(h)
	}
	return &table{r: c, header: header, rep: rep}, nil
}

// column returns the index of the first column whose name is one of names, or starts with
// one followed by a space (so "LSOA code" finds "LSOA code (2011)"), in any case; or -1.
func (t *table) column(names ...string) int {
	for _, name := range names {
		for i, h := range t.header {
			if strings.EqualFold(h, name) ||
				len(h) > len(name) && strings.EqualFold(h[:len(name)], name) && h[len(name)] == ' ' {
				return i
			}
		}
	}
	return -1
}

// missing is the error for a file without a column it needs.
func (t *table) missing(what, kind string) error {
	cols := t.header
	if len(cols) > 12 {
		cols = append(cols[:12:12], "…")
	}
	return fmt.Errorf("the file has no %s column: is it %s? Its columns are: %s", what, kind, strings.Join(cols, ", "))
}

// rows yields each record that could be read, with its line; a malformed record is
// recorded in the report and passed over. It stops at the end of the file, or early when the
// file cannot be read on (a cut-short gzip file, a failing disk), leaving the cause in t.err.
func (t *table) rows() iter.Seq2[int, []string] {
	return func(yield func(int, []string) bool) {
		for {
			rec, err := t.r.Read()
			if err == io.EOF {
				return
			}
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				t.rep.Rows++
				t.rep.fail(RowError{Line: pe.StartLine, Reason: "The row is not valid CSV: " + pe.Err.Error() + "."})
				continue
			}
			if err != nil {
				t.err = err
				return
			}
			line, _ := t.r.FieldPos(0)
			t.rep.Rows++
			if len(rec) != len(t.header) {
				t.rep.fail(RowError{Line: line, Reason: fmt.Sprintf("The row has %d columns; the header has %d.", len(rec), len(t.header))})
				continue
			}
			if !yield(line, rec) {
				return
			}
		}
	}
}
