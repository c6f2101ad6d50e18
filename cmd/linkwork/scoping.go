package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"linkwork"
	"linkwork/geoimport"
	"linkwork/scoping"
)

func init() { fileOperands["import scoping"] = " FILE" }

// scopingImportFlags are the flags of linkwork import scoping FILE.
func scopingImportFlags(m *Main, fs *flag.FlagSet) {
	fs.StringVar(&m.place, "place", "", "the place to import into, by name or id (default: the only place)")
	fs.BoolVar(&m.allOrNothing, "all-or-nothing", false,
		"import nothing if any row has a problem (default: import the good rows and report the others)")
}

// scopingExportFlags are the flags of linkwork export scoping.
func scopingExportFlags(m *Main, fs *flag.FlagSet) {
	fs.StringVar(&m.place, "place", "", "the place to export, by name or id (default: the only place)")
	fs.StringVar(&m.out, "out", "", "the file to write: .xlsx for an Excel workbook, else CSV (default: CSV to standard output)")
}

// scopingImport reads a scoping sheet (.xlsx or CSV) into a place and reports what it did:
// every row left out, with its row number, column and problem.
func (m *Main) scopingImport(ctx context.Context) error {
	place, err := m.orukPlace(ctx)
	if err != nil {
		return err
	}
	f, err := os.Open(m.file)
	if err != nil {
		return fmt.Errorf("%s: %v", m.command, err)
	}
	defer f.Close()
	taxs, err := m.db.Services().Taxonomies.ListTaxonomies(ctx, place.ID)
	if err != nil {
		return err
	}
	sheet, err := scoping.Read(f, taxs)
	if err != nil {
		return fmt.Errorf("%s: %s: %v", m.command, m.file, err)
	}
	if len(sheet.Ignored) > 0 {
		fmt.Fprintf(m.stdout, "Columns linkwork does not know, not read: %s.\n", strings.Join(sheet.Ignored, ", "))
	}
	sum, err := m.db.Services().Scoping.ImportScoping(ctx, place.ID, sheet.Rows, linkwork.ImportOptions{AllOrNothing: m.allOrNothing})
	if err != nil {
		return fmt.Errorf("%s: %s: %w", m.command, m.file, err)
	}
	for i, p := range sum.Problems {
		if i == shownErrors {
			fmt.Fprintf(m.stdout, "… and %s.\n", geoimport.Count(len(sum.Problems)-shownErrors, "more problem", "more problems"))
			break
		}
		col := p.Column
		if col == "" {
			col = "the row"
		}
		fmt.Fprintf(m.stdout, "row %d, %s: %s\n", p.Row, col, p.Message)
	}
	rows := geoimport.Count(sum.Failed, "row", "rows")
	if sum.RolledBack {
		fmt.Fprintf(m.stdout, "Nothing was imported into %s: %s had problems (--all-or-nothing).\n", place.Name, rows)
		return fmt.Errorf("%s: %s: nothing imported, as %s had problems", m.command, m.file, rows)
	}
	fmt.Fprintf(m.stdout, "Imported %s into %s: organisations %d added, %d changed, %d unchanged; connector schemes %d added, %d changed, %d unchanged; %s left out.\n",
		filepath.Base(m.file), place.Name, sum.OrganisationsAdded, sum.OrganisationsUpdated, sum.OrganisationsUnchanged,
		sum.SchemesAdded, sum.SchemesUpdated, sum.SchemesUnchanged, rows)
	return nil
}

// scopingExport writes a place's organisations and connector schemes as a scoping sheet.
func (m *Main) scopingExport(ctx context.Context) error {
	place, err := m.orukPlace(ctx)
	if err != nil {
		return err
	}
	rows, err := m.db.Services().Scoping.ExportScoping(ctx, place.ID)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if strings.EqualFold(filepath.Ext(m.out), ".xlsx") {
		taxs, err := m.db.Services().Taxonomies.ListTaxonomies(ctx, place.ID)
		if err != nil {
			return err
		}
		err = scoping.WriteXLSX(&b, place.Name, rows, taxs)
		if err != nil {
			return err
		}
	} else if err := scoping.WriteCSV(&b, rows); err != nil {
		return err
	}
	if m.out == "" {
		_, err := b.WriteTo(m.stdout)
		return err
	}
	if err := writeFileAtomic(m.out, b.Bytes()); err != nil {
		return fmt.Errorf("%s: %v", m.command, err)
	}
	fmt.Fprintf(m.stdout, "Exported %s of %s to %s.\n", geoimport.Count(len(rows), "row", "rows"), place.Name, m.out)
	return nil
}

// writeFileAtomic writes a file beside its place and renames it there, so that a failed
// write leaves no half file.
func writeFileAtomic(name string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(name), ".linkwork-export-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), name)
}
