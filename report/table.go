// Package report writes tables as CSV files and Excel workbooks and draws charts and a
// neighbourhood map as SVG on the server, for every part of linkwork that reports: the
// landscape, the devolved budgets and the measures. Reports read without JavaScript, print,
// and need no map tiles from elsewhere.
package report

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Table is a report's table (one analysis, one breakdown) as rows of text: what a CSV file or a workbook's sheet holds.
type Table struct {
	// Name is the table's short name, used in file names: /landscape/export/{Name}.csv.
	Name string
	// Title is what the table is called in a workbook's tab and on the page.
	Title  string
	Header []string
	Rows   [][]string
	// Numeric marks the columns (by index) whose cells are numbers, so that a workbook
	// holds them as numbers; an empty cell stays empty.
	Numeric []bool
}

// WriteCSV writes a table as CSV with its header row, in UTF-8 with the byte order mark
// spreadsheets look for, and lines ending CRLF. A text a spreadsheet would take for a
// formula (starting with =, +, - or @, as an international phone number does) is written
// after an apostrophe, so that opening the file runs nothing.
func WriteCSV(w io.Writer, t Table) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(t.Header); err != nil {
		return err
	}
	rec := make([]string, len(t.Header))
	for _, r := range t.Rows {
		rec = rec[:0]
		for i, v := range r {
			if isNumber(t, i, v) {
				rec = append(rec, v)
				continue
			}
			rec = append(rec, safeText(v))
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// safeText puts an apostrophe before a text a spreadsheet would take for a formula.
func safeText(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

// isNumber reports whether a cell of column i holds a number.
func isNumber(t Table, i int, v string) bool {
	if i >= len(t.Numeric) || !t.Numeric[i] || v == "" {
		return false
	}
	_, err := strconv.ParseFloat(v, 64)
	return err == nil
}

// SheetName makes a table's title into a workbook tab's name: at most 31 characters,
// without the characters Excel forbids, and not taken by one of used.
func SheetName(title string, used map[string]bool) string {
	name := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return '-'
		}
		return r
	}, strings.TrimSpace(title))
	name = strings.Trim(name, "'")
	if name == "" {
		name = "Sheet"
	}
	name = truncate(name, 31)
	base := name
	for n := 2; used[strings.ToLower(name)]; n++ {
		suffix := " " + strconv.Itoa(n)
		name = truncate(base, 31-len(suffix)) + suffix
	}
	used[strings.ToLower(name)] = true
	return name
}

// truncate cuts s to at most n characters.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// WriteXLSX writes tables as an Excel workbook, one sheet each named by the table's title,
// with the header row in bold and frozen, and numbers held as numbers.
func WriteXLSX(w io.Writer, tables []Table) error {
	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"#E8EDEE"}}})
	if err != nil {
		return err
	}
	used := map[string]bool{}
	for i, t := range tables {
		name := SheetName(t.Title, used)
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return err
		}
		if err := writeSheet(f, name, t, bold); err != nil {
			return err
		}
	}
	if len(tables) == 0 {
		if err := f.SetSheetName("Sheet1", "Empty"); err != nil {
			return err
		}
	}
	f.SetActiveSheet(0)
	_, err = f.WriteTo(w)
	return err
}

// maxCell is the most characters an Excel cell holds; a longer text (a long list of
// schemes) is cut short, and the CSV has it whole.
const maxCell = 32767

// writeSheet writes one table into its sheet, streaming the rows.
func writeSheet(f *excelize.File, sheet string, t Table, bold int) error {
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	for i, h := range t.Header {
		width := float64(min(max(utf8.RuneCountInString(h), 10), 40)) + 2
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	head := make([]any, len(t.Header))
	for i, h := range t.Header {
		head[i] = excelize.Cell{StyleID: bold, Value: h}
	}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	for r, row := range t.Rows {
		vals := make([]any, 0, len(row))
		for i, v := range row {
			if isNumber(t, i, v) {
				n, _ := strconv.ParseFloat(v, 64)
				vals = append(vals, n)
				continue
			}
			if utf8.RuneCountInString(v) > maxCell {
				v = truncate(v, maxCell-1) + "…"
			}
			vals = append(vals, v)
		}
		cell, err := excelize.CoordinatesToCellName(1, r+2)
		if err != nil {
			return err
		}
		if err := sw.SetRow(cell, vals); err != nil {
			return err
		}
	}
	return sw.Flush()
}
