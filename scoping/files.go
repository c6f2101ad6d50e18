package scoping

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// maxSheetRows is the furthest row of a workbook read, blank rows included.
const maxSheetRows = 100000

// grid yields a sheet's rows with their numbers as the spreadsheet shows them (the first is
// row 1).
type grid func(yield func(n int, cells []string) bool) error

// csvRows reads CSV. A row's number counts the records before it, blank lines included, as
// a spreadsheet shows them: a cell over several lines is still one row.
func csvRows(data []byte) grid {
	return func(yield func(int, []string) bool) error {
		cr := csv.NewReader(bytes.NewReader(data))
		cr.FieldsPerRecord = -1
		inCells := 0 // line breaks inside the cells of the rows so far
		for {
			rec, err := cr.Read()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				var pe *csv.ParseError
				if errors.As(err, &pe) {
					return fileErrorf("Line %d of the file cannot be read as CSV: %s. Save the file again from the spreadsheet as CSV UTF-8.",
						pe.StartLine, csvReason(pe))
				}
				return err
			}
			line, _ := cr.FieldPos(0)
			if !yield(line-inCells, rec) {
				return nil
			}
			for _, f := range rec {
				inCells += strings.Count(f, "\n")
			}
		}
	}
}

func csvReason(pe *csv.ParseError) string {
	switch {
	case errors.Is(pe.Err, csv.ErrQuote), errors.Is(pe.Err, csv.ErrBareQuote):
		return "a quote (\") is missing or out of place"
	}
	return pe.Err.Error()
}

// xlsxRows reads the workbook's sheet of rows: the one called DataSheet, or else the first.
func xlsxRows(data []byte) (grid, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 64 << 20, UnzipXMLSizeLimit: 16 << 20})
	if err != nil {
		return nil, fileErrorf("The file cannot be read as an Excel workbook (.xlsx). Save it as an Excel Workbook or as CSV UTF-8, and upload that.")
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		f.Close()
		return nil, fileErrorf("The workbook has no sheets.")
	}
	sheet := sheets[0]
	for _, s := range sheets {
		if strings.EqualFold(strings.TrimSpace(s), DataSheet) {
			sheet = s
		}
	}
	return func(yield func(int, []string) bool) error {
		defer f.Close()
		rows, err := f.Rows(sheet)
		if err != nil {
			return fileErrorf("The sheet %q cannot be read: %v.", sheet, err)
		}
		defer rows.Close()
		for n := 1; rows.Next(); n++ {
			if n > maxSheetRows {
				return fileErrorf("The sheet %q goes on past row %d. Delete the rows after the last organisation and upload it again.", sheet, maxSheetRows)
			}
			cells, err := rows.Columns(excelize.Options{RawCellValue: true})
			if err != nil {
				return fileErrorf("Row %d of the sheet %q cannot be read: %v.", n, sheet, err)
			}
			if !yield(n, cells) {
				return nil
			}
		}
		if err := rows.Error(); err != nil {
			return fmt.Errorf("reading the sheet %q: %w", sheet, err)
		}
		return nil
	}, nil
}
