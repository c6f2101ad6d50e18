package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"linkwork"
	"linkwork/data"
	"linkwork/geoimport"
)

// fileOperands names the operand of each command that reads a file, as usage shows it.
var fileOperands = map[string]string{
	"import postcodes": " FILE",
	"import imd":       " FILE",
}

// shownErrors is how many row errors an import prints: enough to see what is wrong with a
// file, few enough to read.
const shownErrors = 20

// importer is geoimport.ImportPostcodes or geoimport.ImportIMD.
type importer func(context.Context, linkwork.GeographyService, io.Reader, linkwork.ImportOptions) (*geoimport.Report, error)

// importFile imports m.file and prints the report: what was added, updated, skipped and
// why, and the first row errors with their lines.
func (m *Main) importFile(ctx context.Context, imp importer) error {
	f, err := geoimport.Open(m.file)
	if err != nil {
		return fmt.Errorf("%s: %v", m.command, err)
	}
	defer f.Close()
	start := time.Now()
	rep, err := imp(ctx, m.db.Services().Geography, f, linkwork.ImportOptions{AllOrNothing: m.allOrNothing})
	if rep != nil {
		m.printReport(rep, time.Since(start))
	}
	if err != nil {
		return fmt.Errorf("%s: %s: %w", m.command, m.file, err)
	}
	return nil
}

func (m *Main) printReport(rep *geoimport.Report, took time.Duration) {
	fmt.Fprint(m.stdout, rep.Summary())
	shown := min(len(rep.Errors), shownErrors)
	if shown > 0 {
		fmt.Fprintln(m.stdout, "Bad rows:")
	}
	for _, e := range rep.Errors[:shown] {
		fmt.Fprintf(m.stdout, "  %s\n", e)
	}
	if rep.Bad > shown {
		fmt.Fprintf(m.stdout, "  … and %s.\n", geoimport.Count(rep.Bad-shown, "more bad row", "more bad rows"))
	}
	fmt.Fprintf(m.stdout, "Took %s.\n", took.Round(time.Millisecond))
}

// loadShippedGeography loads the postcodes and deprivation that linkwork ships into tables
// that are empty, so that the demonstration finds real Halifax postcodes. A database that
// has its own already is left alone.
func (m *Main) loadShippedGeography(ctx context.Context) error {
	geo := m.db.Services().Geography
	for _, s := range []struct {
		count       func(context.Context) (int, error)
		open        func() (io.ReadCloser, error)
		imp         importer
		what        string
		attribution string
	}{
		{geo.CountLSOAs, data.IMD2019, geoimport.ImportIMD, "LSOAs with their deprivation (IMD 2019)", data.IMD2019Attribution},
		{geo.CountPostcodes, data.HalifaxPostcodes, geoimport.ImportPostcodes, "Halifax (HX) postcodes", data.PostcodesAttribution},
	} {
		n, err := s.count(ctx)
		if err != nil {
			return err
		}
		if n > 0 {
			continue
		}
		f, err := s.open()
		if err != nil {
			return err
		}
		rep, err := s.imp(ctx, geo, f, linkwork.ImportOptions{AllOrNothing: true})
		f.Close()
		if err != nil {
			return fmt.Errorf("demo: loading the shipped %s: %w", s.what, err)
		}
		fmt.Fprintf(m.stdout, "Loaded %d %s.\n  %s\n", rep.Added, s.what, s.attribution)
	}
	return nil
}
