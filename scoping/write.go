package scoping

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"linkwork"
)

// guide says how to fill in each column, in the order of linkwork.ScopingColumns.
var guide = []struct {
	required string
	what     string
	example  string
}{
	{"Every row", "The organisation's name. Rows with the same name, in any case, are the same organisation; one already in linkwork is matched by its name.", "Calder Valley Primary Care Network"},
	{"For a new organisation", "Choose from the list. Leave it empty to keep the sector of an organisation already in linkwork.", "NHS or primary care"},
	{"For a scheme", "The connector scheme's name. Leave it and the columns after it empty for an organisation without a scheme. A scheme is matched by its organisation and its name.", "Social prescribing link workers"},
	{"For a scheme", "Choose from the list.", "Primary care network social prescribing link worker"},
	{"For a scheme", "Who may refer people to the scheme, separated by commas, from the allowed values.", "GP practice, The person themselves"},
	{"No", "How to refer: a form, a phone number, a system.", "Task the team on SystmOne, or phone 01422 000000."},
	{"No", "The neighbourhoods or wards the scheme covers, separated by commas.", "Park, Town, Warley"},
	{"No", "Who the scheme is for, separated by commas, from the place's client groups.", "Older people, Carers"},
	{"No", "What the scheme helps with, separated by commas, from the place's needs.", "Loneliness and isolation, Money and debt"},
	{"No", "Who pays for the scheme.", "NHS England (ARRS)"},
	{"No", "How many full-time equivalent staff the scheme has, from 0 to 1000.", "4.5"},
	{"No", "How many people one worker can support at once: a whole number from 0 to 1000.", "40"},
	{"No", "How many weeks people wait for a first contact now: a whole number from 0 to 104.", "3"},
	{"No", "The electronic record system the scheme uses.", "EMIS Web"},
	{"No", "The assessment and outcome tools the scheme uses, separated by commas.", "ONS4, SWEMWBS"},
	{"No", "An email address people can use to contact the scheme.", "linkworkers@example.org"},
	{"No", "A phone number for the scheme.", "01422 000000"},
	{"No", "The scheme's web page.", "https://example.org/social-prescribing"},
	{"No", "What the scheme does, for the directory. Leave it empty to keep a scheme's description; a new scheme without one is described by its model.", "Link workers help people find groups and support near them."},
}

// notes are the instructions' general points, before the table of columns.
var notes = []string{
	"Put one row for each connector scheme, and one row for each organisation that has no scheme. An organisation with several schemes has a row for each.",
	"Keep the first row of the sheet as it is: it names the columns. The columns may be in any order, and columns linkwork does not know are left alone.",
	"Separate the entries of a list with commas, or with semicolons when an entry has a comma in it.",
	"Upload the sheet, as an Excel workbook (.xlsx) or as CSV UTF-8, on linkwork's scoping page, or with: linkwork import scoping FILE.",
	"Each row is checked as the directory's forms check it. A row with a problem is not imported at all, and linkwork lists its row number, its column and what is wrong. Uploading the same sheet again changes nothing.",
}

// cells writes a row's values, in the order of linkwork.ScopingColumns.
func cells(r *linkwork.ScopingRow) []string {
	out := make([]string, len(linkwork.ScopingColumns))
	out[colOrganisation] = r.Organisation.Name
	out[colSector] = r.Organisation.Sector.Label()
	s := r.Scheme
	if s == nil {
		return out
	}
	out[colScheme], out[colAreas], out[colEmail], out[colPhone], out[colWebsite] = s.Name, join(s.Areas), s.Email, s.Phone, s.URL
	out[colDescription] = s.Description
	var groups, needs []string
	for _, t := range s.Terms {
		switch t.TaxonomyCode {
		case linkwork.TaxonomyClientGroup:
			groups = append(groups, t.Name)
		case linkwork.TaxonomyNeed:
			needs = append(needs, t.Name)
		}
	}
	out[colClientGroups], out[colNeeds] = join(groups), join(needs)
	if d := s.Scheme; d != nil {
		var refer []string
		for _, rt := range d.WhoCanRefer {
			refer = append(refer, rt.Label())
		}
		out[colModel], out[colWhoCanRefer], out[colHowToRefer], out[colFunding] = d.Model.Label(), join(refer), d.HowToRefer, d.FundingSource
		out[colStaffFTE] = strconv.FormatFloat(d.StaffFTE, 'f', -1, 64)
		out[colCaseload], out[colWaiting] = strconv.Itoa(d.CaseloadLimit), strconv.Itoa(d.WaitingWeeks)
		out[colSystem], out[colTools] = d.ElectronicSystem, join(d.AssessmentTools)
	}
	return out
}

// headers returns the columns' headings.
func headers() []string {
	out := make([]string, len(linkwork.ScopingColumns))
	for i, c := range linkwork.ScopingColumns {
		out[i] = c.Header
	}
	return out
}

// lists are the allowed values of the columns that have them, for the instructions and the
// workbook's Lists sheet: the sectors, models and kinds of referrer, and the place's client
// groups and needs.
func lists(taxonomies []*linkwork.Taxonomy) map[int][]string {
	out := map[int][]string{}
	for _, s := range linkwork.Sectors {
		out[colSector] = append(out[colSector], s.Label())
	}
	for _, m := range linkwork.SchemeModels {
		out[colModel] = append(out[colModel], m.Label())
	}
	for _, r := range linkwork.ReferrerTypes {
		out[colWhoCanRefer] = append(out[colWhoCanRefer], r.Label())
	}
	for _, t := range taxonomies {
		col := map[string]int{linkwork.TaxonomyClientGroup: colClientGroups, linkwork.TaxonomyNeed: colNeeds}[t.Code]
		if col == 0 {
			continue
		}
		for _, term := range t.Terms {
			out[col] = append(out[col], term.Name)
		}
	}
	return out
}

// listColumns are the columns the Lists sheet has, in its order.
var listColumns = []int{colSector, colModel, colWhoCanRefer, colClientGroups, colNeeds}

// WriteCSV writes rows (none, for a template) as CSV with a header row, in UTF-8 with the
// byte order mark spreadsheets look for. A value a spreadsheet would take for a formula
// (starting with =, +, - or @, as an international phone number does) is written after an
// apostrophe, which Read takes off again.
func WriteCSV(w io.Writer, rows []*linkwork.ScopingRow) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(headers()); err != nil {
		return err
	}
	for _, r := range rows {
		rec := cells(r)
		for i, v := range rec {
			if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
				rec[i] = "'" + v
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteInstructionsCSV writes the instructions for the CSV template: for each column, whether
// it is needed, what to put in it, the allowed values and an example.
func WriteInstructionsCSV(w io.Writer, place string, taxonomies []*linkwork.Taxonomy) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	for _, rec := range instructions(place, taxonomies) {
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// instructions are the rows of the instructions: a title, the notes, then a table of the
// columns.
func instructions(place string, taxonomies []*linkwork.Taxonomy) [][]string {
	allowed := lists(taxonomies)
	out := [][]string{{fmt.Sprintf("Scoping %s's organisations and connector schemes: how to fill in the sheet", place)}, {}}
	for _, n := range notes {
		out = append(out, []string{n})
	}
	out = append(out, []string{}, []string{"Column", "Needed", "What to enter", "Allowed values", "Example"})
	for i, c := range linkwork.ScopingColumns {
		sep := ", "
		if i == colSector || i == colModel {
			sep = "; " // one is chosen, and some have commas
		}
		out = append(out, []string{c.Header, guide[i].required, guide[i].what, strings.Join(allowed[i], sep), guide[i].example})
	}
	return out
}

// WriteXLSX writes rows (none, for a template) as an Excel workbook: the sheet of rows,
// with its header row frozen, drop-down lists for the sector and the scheme model and
// limits on the numbers; the instructions; and the lists of allowed values.
func WriteXLSX(w io.Writer, place string, rows []*linkwork.ScopingRow, taxonomies []*linkwork.Taxonomy) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", DataSheet); err != nil {
		return err
	}
	for _, s := range []string{InstructionsSheet, ListsSheet} {
		if _, err := f.NewSheet(s); err != nil {
			return err
		}
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"#E8EDEE"}}})
	if err != nil {
		return err
	}
	wrap, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return err
	}
	last := columnName(len(linkwork.ScopingColumns) - 1)

	// The sheet of rows.
	if err := f.SetSheetRow(DataSheet, "A1", ptrTo(anys(headers()))); err != nil {
		return err
	}
	for i, r := range rows {
		vals := anys(cells(r))
		if r.Scheme != nil && r.Scheme.Scheme != nil { // numbers as numbers, so that the limits apply
			vals[colStaffFTE], vals[colCaseload], vals[colWaiting] = r.Scheme.Scheme.StaffFTE, r.Scheme.Scheme.CaseloadLimit, r.Scheme.Scheme.WaitingWeeks
		}
		if err := f.SetSheetRow(DataSheet, "A"+strconv.Itoa(i+2), &vals); err != nil {
			return err
		}
	}
	if err := f.SetRowStyle(DataSheet, 1, 1, bold); err != nil {
		return err
	}
	if err := f.SetColWidth(DataSheet, "A", last, 24); err != nil {
		return err
	}
	if err := f.SetPanes(DataSheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	allowed := lists(taxonomies)
	lastRow := strconv.Itoa(max(len(rows)+1, 1000))
	for i, col := range listColumns {
		if col != colSector && col != colModel {
			continue // the others take several values, which a drop-down cannot
		}
		dv := excelize.NewDataValidation(true)
		letter := columnName(col)
		dv.Sqref = letter + "2:" + letter + lastRow
		dv.SetSqrefDropList(fmt.Sprintf("'%s'!$%s$2:$%s$%d", ListsSheet, columnName(i), columnName(i), len(allowed[col])+1))
		dv.SetError(excelize.DataValidationErrorStyleStop, linkwork.ScopingColumns[col].Header, "Choose a value from the list.")
		if err := f.AddDataValidation(DataSheet, dv); err != nil {
			return err
		}
	}
	for _, n := range []struct {
		col      int
		typ      excelize.DataValidationType
		min, max int
		msg      string
	}{
		{colStaffFTE, excelize.DataValidationTypeDecimal, 0, 1000, "Enter the staff as full-time equivalents, from 0 to 1000."},
		{colCaseload, excelize.DataValidationTypeWhole, 0, 1000, "Enter a whole number from 0 to 1000."},
		{colWaiting, excelize.DataValidationTypeWhole, 0, 104, "Enter a whole number of weeks from 0 to 104."},
	} {
		dv := excelize.NewDataValidation(true)
		letter := columnName(n.col)
		dv.Sqref = letter + "2:" + letter + lastRow
		if err := dv.SetRange(n.min, n.max, n.typ, excelize.DataValidationOperatorBetween); err != nil {
			return err
		}
		dv.SetError(excelize.DataValidationErrorStyleStop, linkwork.ScopingColumns[n.col].Header, n.msg)
		if err := f.AddDataValidation(DataSheet, dv); err != nil {
			return err
		}
	}

	// The instructions.
	for i, rec := range instructions(place, taxonomies) {
		vals := anys(rec)
		if err := f.SetSheetRow(InstructionsSheet, "A"+strconv.Itoa(i+1), &vals); err != nil {
			return err
		}
		if len(rec) > 1 {
			if err := f.SetRowStyle(InstructionsSheet, i+1, i+1, wrap); err != nil {
				return err
			}
		}
	}
	head := len(notes) + 4 // the table's header row
	if err := f.SetRowStyle(InstructionsSheet, 1, 1, bold); err != nil {
		return err
	}
	if err := f.SetRowStyle(InstructionsSheet, head, head, bold); err != nil {
		return err
	}
	for col, width := range map[string]float64{"A": 26, "B": 20, "C": 60, "D": 50, "E": 36} {
		if err := f.SetColWidth(InstructionsSheet, col, col, width); err != nil {
			return err
		}
	}

	// The lists of allowed values.
	for i, col := range listColumns {
		vals := append([]string{linkwork.ScopingColumns[col].Header}, allowed[col]...)
		if err := f.SetSheetCol(ListsSheet, columnName(i)+"1", ptrTo(anys(vals))); err != nil {
			return err
		}
	}
	if err := f.SetRowStyle(ListsSheet, 1, 1, bold); err != nil {
		return err
	}
	if err := f.SetColWidth(ListsSheet, "A", columnName(len(listColumns)-1), 40); err != nil {
		return err
	}
	f.SetActiveSheet(0)
	_, err = f.WriteTo(w)
	return err
}

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return slices.Clip(out)
}

func ptrTo[T any](v T) *T { return &v }
