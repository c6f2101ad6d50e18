// Package scoping reads and writes a place's scoping spreadsheet, as an Excel workbook
// (.xlsx) or as CSV: one row for each connector scheme, or for each organisation without
// one, in the columns linkwork.ScopingColumns names. It turns cells into linkwork's terms
// (sectors, models, kinds of referrer and taxonomy terms from their plain-English names)
// and says what is wrong with each cell; the store (linkwork.ScopingService) does the rest.
package scoping

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"linkwork"
)

// Limits on what is read: a scoping sheet is a few hundred rows.
const (
	// MaxBytes is the largest file read.
	MaxBytes = 10 << 20
	// MaxRows is the most rows (beside the header) a sheet may have.
	MaxRows = 5000
)

// The formats of a scoping sheet.
const (
	XLSX = "xlsx"
	CSV  = "csv"
)

// DataSheet is the name of the workbook's sheet of rows; Instructions and Lists are the
// other two.
const (
	DataSheet         = "Organisations and schemes"
	InstructionsSheet = "Instructions"
	ListsSheet        = "Lists"
)

// Sheet is what reading a scoping spreadsheet found.
type Sheet struct {
	Format string // XLSX or CSV
	Rows   []*linkwork.ScopingRow
	// Ignored lists the headings of columns linkwork does not know, which were not read.
	Ignored []string
}

// Problems returns every problem reading found, by row.
func (s *Sheet) Problems() []linkwork.ScopingProblem {
	var out []linkwork.ScopingProblem
	for _, r := range s.Rows {
		out = append(out, r.Problems...)
	}
	return out
}

// FileError says why a file cannot be read as a scoping sheet at all. Its message is fit
// to show.
type FileError struct{ Message string }

func (e *FileError) Error() string { return e.Message }

func fileErrorf(format string, args ...any) error {
	return &FileError{Message: fmt.Sprintf(format, args...)}
}

// Read reads a scoping sheet, an .xlsx workbook or CSV (told apart by their content, not
// their names), matching client groups and needs to the place's taxonomies. A cell that
// cannot be read is a problem of its row; the error is for a file that cannot be read at
// all (a *FileError) or for a failure to read r.
func Read(r io.Reader, taxonomies []*linkwork.Taxonomy) (*Sheet, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxBytes {
		return nil, fileErrorf("The file is larger than %d MB: a scoping sheet is much smaller. Check it is the right file.", MaxBytes>>20)
	}
	var rowsOf grid
	format := CSV
	switch {
	case len(bytes.TrimSpace(data)) == 0:
		return nil, fileErrorf("The file is empty.")
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		format = XLSX
		rowsOf, err = xlsxRows(data)
		if err != nil {
			return nil, err
		}
	case bytes.HasPrefix(data, []byte("\xd0\xcf\x11\xe0")):
		return nil, fileErrorf("The file is an older Excel workbook (.xls). Save it as an Excel Workbook (.xlsx) or as CSV UTF-8, and upload that.")
	default:
		data = bytes.TrimPrefix(data, []byte("\ufeff"))
		if !utf8.Valid(data) {
			return nil, fileErrorf("The file is neither an Excel workbook (.xlsx) nor CSV in UTF-8. Save it as an Excel Workbook (.xlsx) or as CSV UTF-8, and upload that.")
		}
		rowsOf = csvRows(data)
	}
	s := &Sheet{Format: format}
	p := newParser(taxonomies)
	var cols []int // column of the sheet → index in linkwork.ScopingColumns, or -1
	rows := 0
	var readErr error
	err = rowsOf(func(n int, cells []string) bool {
		if isBlank(cells) {
			return true
		}
		if cols == nil {
			cols, s.Ignored, readErr = header(n, cells)
			return readErr == nil
		}
		if rows++; rows > MaxRows {
			readErr = fileErrorf("The sheet has more than %d rows. Split it into smaller sheets and upload them one at a time.", MaxRows)
			return false
		}
		byCol := make([]string, len(linkwork.ScopingColumns))
		for i, v := range cells {
			if i < len(cols) && cols[i] >= 0 {
				byCol[cols[i]] = cleanCell(v, format)
			}
		}
		s.Rows = append(s.Rows, p.row(n, byCol))
		return true
	})
	if err == nil {
		err = readErr
	}
	if err != nil {
		return nil, err
	}
	if cols == nil {
		return nil, fileErrorf("The file has no header row. The first row must name the columns, starting with %q.", linkwork.ScopingColumns[0].Header)
	}
	return s, nil
}

// normalHeading is a heading as it is compared: in lower case, with single spaces, and
// underscores and the American spelling of organisation allowed.
func normalHeading(h string) string {
	h = strings.ToLower(strings.ReplaceAll(h, "_", " "))
	h = strings.TrimSuffix(strings.TrimSpace(h), "*")
	h = strings.ReplaceAll(h, "organization", "organisation")
	return strings.Join(strings.Fields(h), " ")
}

// header reads the header row: which column is which. Columns may be in any order; unknown
// ones are ignored; the organisation's name is needed.
func header(n int, cells []string) ([]int, []string, error) {
	cols := make([]int, len(cells))
	at := map[int]int{}
	var ignored []string
	for i, c := range cells {
		cols[i] = -1
		h := normalHeading(c)
		if h == "" {
			continue
		}
		found := false
		for j, sc := range linkwork.ScopingColumns {
			if normalHeading(sc.Header) == h {
				if prev, ok := at[j]; ok {
					return nil, nil, fileErrorf("Row %d, the header, has the column %q twice (columns %s and %s).", n, sc.Header, columnName(prev), columnName(i))
				}
				at[j], cols[i], found = i, j, true
				break
			}
		}
		if !found {
			ignored = append(ignored, strings.TrimSpace(c))
		}
	}
	if _, ok := at[0]; !ok {
		return nil, nil, fileErrorf("Row %d should be the header, naming the columns, with one called %q. Download the template to see the columns.",
			n, linkwork.ScopingColumns[0].Header)
	}
	return cols, ignored, nil
}

// columnName is a column's letter, as spreadsheets show it: A, B, … Z, AA.
func columnName(i int) string {
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('A'+(i-1)%26)) + s
	}
	return s
}

func isBlank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// cleanCell trims a cell, and takes off the apostrophe that the CSV export puts before a
// value a spreadsheet would read as a formula.
func cleanCell(v, format string) string {
	v = strings.TrimSpace(strings.ReplaceAll(v, "\r\n", "\n"))
	if format == CSV && len(v) > 1 && v[0] == '\'' && strings.ContainsRune("=+-@", rune(v[1])) {
		v = v[1:]
	}
	return v
}

// parser reads rows, with the place's names for things.
type parser struct {
	sectors, models map[string]string
	referrers       map[string]linkwork.ReferrerType
	terms           map[string]map[string]int64 // taxonomy code → lower-case name or code → term
	termNames       map[string][]string         // taxonomy code → the terms' names, for messages
}

func newParser(taxonomies []*linkwork.Taxonomy) *parser {
	p := &parser{sectors: map[string]string{}, models: map[string]string{}, referrers: map[string]linkwork.ReferrerType{},
		terms: map[string]map[string]int64{}, termNames: map[string][]string{}}
	for _, s := range linkwork.Sectors {
		p.sectors[strings.ToLower(s.Label())], p.sectors[string(s)] = string(s), string(s)
	}
	for _, m := range linkwork.SchemeModels {
		p.models[strings.ToLower(m.Label())], p.models[string(m)] = string(m), string(m)
	}
	for _, r := range linkwork.ReferrerTypes {
		p.referrers[strings.ToLower(r.Label())], p.referrers[string(r)] = r, r
	}
	// Shorter names people write for the same.
	for k, v := range map[string]linkwork.ReferrerType{"gp": linkwork.ReferrerGP, "gps": linkwork.ReferrerGP, "gp practices": linkwork.ReferrerGP,
		"self": linkwork.ReferrerSelf, "self-referral": linkwork.ReferrerSelf, "self referral": linkwork.ReferrerSelf,
		"vcse": linkwork.ReferrerVCSE, "voluntary sector": linkwork.ReferrerVCSE, "hospitals": linkwork.ReferrerHospital} {
		p.referrers[k] = v
	}
	for _, t := range taxonomies {
		if t.Code != linkwork.TaxonomyClientGroup && t.Code != linkwork.TaxonomyNeed {
			continue
		}
		m := map[string]int64{}
		for _, term := range t.Terms {
			m[strings.ToLower(term.Name)], m[strings.ToLower(term.Code)] = term.ID, term.ID
			p.termNames[t.Code] = append(p.termNames[t.Code], term.Name)
		}
		p.terms[t.Code] = m
	}
	return p
}

// column indexes of linkwork.ScopingColumns, by what they hold.
const (
	colOrganisation = iota
	colSector
	colScheme
	colModel
	colWhoCanRefer
	colHowToRefer
	colAreas
	colClientGroups
	colNeeds
	colFunding
	colStaffFTE
	colCaseload
	colWaiting
	colSystem
	colTools
	colEmail
	colPhone
	colWebsite
	colDescription
)

// row reads one row's cells into a ScopingRow, with a problem for each cell that cannot be
// read.
func (p *parser) row(n int, c []string) *linkwork.ScopingRow {
	r := &linkwork.ScopingRow{Row: n, Organisation: linkwork.Organisation{Name: strings.Join(strings.Fields(c[colOrganisation]), " ")}}
	fail := func(col int, format string, args ...any) {
		r.Problems = append(r.Problems, linkwork.ScopingProblem{Row: n, Column: linkwork.ScopingColumns[col].Header,
			Message: fmt.Sprintf(format, args...)})
	}
	if r.Organisation.Name == "" {
		fail(colOrganisation, "Give the name of the organisation.")
	}
	if v := c[colSector]; v != "" {
		if s, ok := p.sectors[strings.ToLower(v)]; ok {
			r.Organisation.Sector = linkwork.Sector(s)
		} else {
			fail(colSector, "%q is not a sector. Choose one of: %s.", v, labels(linkwork.Sectors))
		}
	}
	scheme := strings.Join(strings.Fields(c[colScheme]), " ")
	if scheme == "" {
		for col := colModel; col < len(c); col++ {
			if c[col] != "" {
				fail(colScheme, "Give the scheme's name, or leave the scheme's columns (%s to %s) empty for an organisation without a scheme.",
					linkwork.ScopingColumns[colModel].Header, linkwork.ScopingColumns[len(c)-1].Header)
				break
			}
		}
		return r
	}
	d := &linkwork.ConnectorScheme{HowToRefer: c[colHowToRefer], FundingSource: c[colFunding], ElectronicSystem: c[colSystem],
		AssessmentTools: split(c[colTools]), WhoCanRefer: []linkwork.ReferrerType{}}
	if v := c[colModel]; v == "" {
		fail(colModel, "Choose the scheme's model: %s.", labels(linkwork.SchemeModels))
	} else if m, ok := p.models[strings.ToLower(v)]; ok {
		d.Model = linkwork.SchemeModel(m)
	} else {
		fail(colModel, "%q is not a scheme model. Choose one of: %s.", v, labels(linkwork.SchemeModels))
	}
	seen := map[linkwork.ReferrerType]bool{}
	for _, v := range split(c[colWhoCanRefer]) {
		rt, ok := p.referrers[strings.ToLower(v)]
		switch {
		case !ok:
			fail(colWhoCanRefer, "%q is not a kind of referrer. Separate them with commas, from: %s.", v, labels(linkwork.ReferrerTypes))
		case !seen[rt]:
			seen[rt] = true
			d.WhoCanRefer = append(d.WhoCanRefer, rt)
		}
	}
	if c[colWhoCanRefer] == "" {
		fail(colWhoCanRefer, "Say who can refer to the scheme, separated by commas, from: %s.", labels(linkwork.ReferrerTypes))
	}
	number := func(col int, whole bool) float64 {
		v := c[col]
		if v == "" {
			return 0
		}
		f, err := strconv.ParseFloat(v, 64)
		switch {
		case err != nil || math.IsNaN(f) || math.IsInf(f, 0):
			fail(col, "%q is not a number. Enter a number such as %s, or leave it empty for none.", v, map[bool]string{true: "12", false: "2.5"}[whole])
		case whole && f != math.Trunc(f):
			fail(col, "%q is not a whole number. Enter a whole number such as 12.", v)
		case whole && math.Abs(f) > 1e6:
			fail(col, "%q is too large.", v)
		default:
			return f
		}
		return 0
	}
	d.StaffFTE = number(colStaffFTE, false)
	d.CaseloadLimit = int(number(colCaseload, true))
	d.WaitingWeeks = int(number(colWaiting, true))
	svc := &linkwork.Service{Kind: linkwork.KindScheme, Name: scheme, Description: c[colDescription], Email: c[colEmail],
		Phone: c[colPhone], URL: website(c[colWebsite]), Areas: split(c[colAreas]), TermIDs: []int64{}, Scheme: d}
	for _, tc := range []struct {
		col  int
		code string
		what string
	}{{colClientGroups, linkwork.TaxonomyClientGroup, "client group"}, {colNeeds, linkwork.TaxonomyNeed, "need"}} {
		for _, v := range split(c[tc.col]) {
			id, ok := p.terms[tc.code][strings.ToLower(v)]
			if !ok {
				fail(tc.col, "%q is not one of this place's %ss. Use their names (see the Lists sheet or the instructions), or add it to the place's terms first: %s.",
					v, tc.what, strings.Join(p.termNames[tc.code], ", "))
				continue
			}
			svc.TermIDs = append(svc.TermIDs, id)
		}
	}
	r.Scheme = svc
	return r
}

// split reads a list from a cell: separated by semicolons when it has any (so that an entry
// may have a comma), else by commas, or by lines.
func split(v string) []string {
	sep := func(r rune) bool { return r == ',' || r == '\n' }
	if strings.Contains(v, ";") {
		sep = func(r rune) bool { return r == ';' || r == '\n' }
	}
	var out []string
	for _, s := range strings.FieldsFunc(v, sep) {
		if s = strings.Join(strings.Fields(s), " "); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// join writes a list into a cell, the way split reads it back.
func join(list []string) string {
	for _, s := range list {
		if strings.Contains(s, ",") {
			return strings.Join(list, "; ")
		}
	}
	return strings.Join(list, ", ")
}

// website adds https:// to an address given without it, as people write them.
func website(v string) string {
	if host, _, _ := strings.Cut(v, "/"); v != "" && !strings.Contains(v, "://") && !strings.ContainsAny(v, " @") && strings.Contains(host, ".") {
		return "https://" + v
	}
	return v
}

// labeled is a sector, a model or a kind of referrer.
type labeled interface{ Label() string }

func labels[T labeled](list []T) string {
	out := make([]string, len(list))
	for i, v := range list {
		out[i] = v.Label()
	}
	return strings.Join(out, ", ")
}

// IsFileError reports whether err says the file cannot be read as a scoping sheet (as
// opposed to a failure to read it), so that its message can be shown.
func IsFileError(err error) bool {
	var fe *FileError
	return errors.As(err, &fe)
}
