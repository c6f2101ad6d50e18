package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"linkwork"
	"linkwork/geoimport"
	"linkwork/oruk"
	"linkwork/sqldb"
)

func init() { fileOperands["import oruk"] = " FILE" }

// orukImportFlags are the flags of linkwork import oruk FILE.
func orukImportFlags(m *Main, fs *flag.FlagSet) {
	fs.StringVar(&m.place, "place", "", "the place to import into, by name or id (default: the only place)")
	fs.BoolVar(&m.allOrNothing, "all-or-nothing", false,
		"import nothing if any record is bad (default: import the good records and report the bad)")
}

// orukExportFlags are the flags of linkwork export oruk.
func orukExportFlags(m *Main, fs *flag.FlagSet) {
	fs.StringVar(&m.place, "place", "", "the place to export, by name or id (default: the only place)")
	fs.StringVar(&m.out, "out", "", "the file to write (default: standard output)")
}

// orukPlace is the place --place names, by name or id, or the only place.
func (m *Main) orukPlace(ctx context.Context) (*linkwork.Place, error) {
	places := m.db.Services().Places
	if m.place != "" {
		if id, err := strconv.ParseInt(m.place, 10, 64); err == nil {
			if p, err := places.FindPlaceByID(ctx, id); err == nil {
				return p, nil
			}
		}
		p, err := places.FindPlaceByName(ctx, m.place)
		if linkwork.ErrorCode(err) == linkwork.ENOTFOUND {
			return nil, fmt.Errorf("%s: no place called %q: add it with linkwork place add --name %q", m.command, m.place, m.place)
		}
		return p, err
	}
	all, err := places.ListPlaces(ctx)
	if err != nil {
		return nil, err
	}
	switch len(all) {
	case 0:
		return nil, fmt.Errorf("%s: there are no places yet: add one with linkwork place add --name NAME", m.command)
	case 1:
		return all[0], nil
	}
	var names []string
	for _, p := range all {
		names = append(names, fmt.Sprintf("%q", p.Name))
	}
	return nil, fmt.Errorf("%s: say which place with --place: %s", m.command, strings.Join(names, ", "))
}

// orukImport reads an Open Referral file into a place and reports what it did: every record
// refused, and every part of a record left out, with where it is in the file and why.
func (m *Main) orukImport(ctx context.Context) error {
	place, err := m.orukPlace(ctx)
	if err != nil {
		return err
	}
	// A folder or zip file is an HSDS CSV data package; any other file is JSON.
	pkg, closer, err := oruk.OpenPackage(m.file)
	if err != nil {
		return fmt.Errorf("%s: %v", m.command, err)
	}
	var f io.ReadCloser
	if pkg != nil {
		defer closer.Close()
	} else {
		if f, err = geoimport.Open(m.file); err != nil {
			return fmt.Errorf("%s: %v", m.command, err)
		}
		defer f.Close()
	}
	var skipped, warned int
	report := func(it *linkwork.ServiceImport) {
		who := it.Ref
		if it.Service.UUID != "" {
			who += " id " + it.Service.UUID
		}
		if it.Service.Name != "" {
			who += fmt.Sprintf(" %q", it.Service.Name)
		}
		if it.Err != nil {
			if skipped++; skipped <= shownErrors {
				fmt.Fprintf(m.stdout, "skipped %s: %s\n", who, recordProblems(it.Err))
			}
		}
		for _, w := range it.Warnings {
			if warned++; warned <= shownErrors {
				fmt.Fprintf(m.stdout, "warning %s: %s\n", who, w)
			}
		}
	}
	start := time.Now()
	opts := linkwork.ImportOptions{AllOrNothing: m.allOrNothing}
	var sum linkwork.ServiceImportSummary
	if pkg != nil {
		sum, err = oruk.ImportPackage(ctx, sqldb.NewOpenDataService(m.db), m.db.Services().Taxonomies, place.ID, pkg, opts, report)
	} else {
		sum, err = oruk.Import(ctx, sqldb.NewOpenDataService(m.db), m.db.Services().Taxonomies, place.ID, f, opts, report)
	}
	took := time.Since(start)
	if skipped > shownErrors {
		fmt.Fprintf(m.stdout, "… and %s.\n", geoimport.Count(skipped-shownErrors, "more skipped record", "more skipped records"))
	}
	if warned > shownErrors {
		fmt.Fprintf(m.stdout, "… and %s.\n", geoimport.Count(warned-shownErrors, "more warning", "more warnings"))
	}
	var pe *oruk.ParseError
	if err != nil && !errors.As(err, &pe) {
		return fmt.Errorf("%s: %s: %w", m.command, m.file, err)
	}
	n := sum.Added + sum.Updated + sum.Unchanged + sum.Failed
	rate := ""
	if secs := took.Seconds(); secs > 0 && n > 0 {
		rate = fmt.Sprintf(", %.0f records/s", float64(n)/secs)
	}
	if sum.RolledBack {
		fmt.Fprintf(m.stdout, "Nothing was imported into %s: %s bad (--all-or-nothing). Took %s%s.\n", place.Name,
			geoimport.Count(sum.Failed, "record was", "records were"), took.Round(time.Millisecond), rate)
		return fmt.Errorf("%s: %s: nothing imported, as %s bad", m.command, m.file, geoimport.Count(sum.Failed, "record was", "records were"))
	}
	fmt.Fprintf(m.stdout, "Imported %s into %s: %d added, %d updated, %d unchanged, %d skipped; %s added. Took %s%s.\n",
		filepath.Base(m.file), place.Name, sum.Added, sum.Updated, sum.Unchanged, sum.Failed,
		geoimport.Count(sum.OrganisationsAdded, "organisation", "organisations"), took.Round(time.Millisecond), rate)
	if pe != nil {
		return fmt.Errorf("%s: %s: %v; the records before it were imported", m.command, m.file, pe)
	}
	if sum.Failed > 0 {
		fmt.Fprintf(m.stdout, "%s bad and left out (listed above); the rest were imported.\n",
			geoimport.Count(sum.Failed, "record was", "records were"))
	}
	return nil
}

// recordProblems lists every problem of a refused record.
func recordProblems(err error) string {
	var msgs []string
	for _, e := range linkwork.FieldErrors(err) {
		if e.Field != "" && !strings.HasPrefix(e.Message, e.Field) {
			msgs = append(msgs, e.Field+": "+e.Message)
		} else {
			msgs = append(msgs, e.Message)
		}
	}
	if len(msgs) == 0 {
		return err.Error()
	}
	return strings.Join(msgs, "; ")
}

// orukExport writes a place's directory as a JSON array of full Open Referral services.
func (m *Main) orukExport(ctx context.Context) error {
	place, err := m.orukPlace(ctx)
	if err != nil {
		return err
	}
	var w io.Writer = m.stdout
	var f *os.File
	if m.out != "" {
		// Write beside the file and rename, so that a failed export leaves no half file.
		if f, err = os.CreateTemp(filepath.Dir(m.out), ".linkwork-export-*"); err != nil {
			return fmt.Errorf("%s: %v", m.command, err)
		}
		defer os.Remove(f.Name())
		defer f.Close()
		w = f
	}
	n, err := oruk.Export(ctx, sqldb.NewOpenDataService(m.db), m.db.Services().Taxonomies, place, w)
	if err != nil {
		return fmt.Errorf("%s: %w", m.command, err)
	}
	if f != nil {
		if err := f.Chmod(0o644); err != nil { // open data: readable like any file written here
			return fmt.Errorf("%s: %v", m.command, err)
		}
		if err := f.Close(); err != nil {
			return fmt.Errorf("%s: %v", m.command, err)
		}
		if err := os.Rename(f.Name(), m.out); err != nil {
			return fmt.Errorf("%s: %v", m.command, err)
		}
		fmt.Fprintf(m.stdout, "Exported %s from %s to %s.\n", geoimport.Count(n, "service", "services"), place.Name, m.out)
	} else {
		fmt.Fprintf(m.stderr, "Exported %s from %s.\n", geoimport.Count(n, "service", "services"), place.Name)
	}
	return nil
}
