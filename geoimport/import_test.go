package geoimport_test

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"linkwork"
	"linkwork/data"
	"linkwork/geoimport"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// shipped returns the decompressed contents of a file linkwork ships.
func shipped(t testing.TB, open func() (io.ReadCloser, error)) []byte {
	t.Helper()
	f, err := open()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The files linkwork ships import whole, and a postcode gets the deprivation of its LSOA:
// HX1 1AA is in Calderdale 008E (E01010994), ranked 1,974th most deprived of England's 32,844
// LSOAs, in the most deprived decile.
func TestImportShippedFiles(t *testing.T) {
	t.Parallel()
	postcodes, imd := shipped(t, data.HalifaxPostcodes), shipped(t, data.IMD2019)
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := t.Context()
		geo := db.Services().Geography
		rep, err := geoimport.ImportPostcodes(ctx, geo, bytes.NewReader(postcodes), linkwork.ImportOptions{AllOrNothing: true})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Rows != 7442 || rep.Added != 7435 || rep.Updated != 0 || rep.Skipped[geoimport.SkipNoGridReference] != 7 ||
			rep.Bad != 0 || rep.RolledBack {
			t.Errorf("postcodes: %+v", rep)
		}
		rep, err = geoimport.ImportIMD(ctx, geo, bytes.NewReader(imd), linkwork.ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Rows != 32844 || rep.Added != 32844 || rep.Bad != 0 || rep.SkippedTotal() != 0 {
			t.Errorf("IMD: %+v", rep)
		}
		if n, _ := geo.CountPostcodes(ctx); n != 7435 {
			t.Errorf("%d postcodes stored, want 7435", n)
		}

		p, err := geo.FindPostcode(ctx, "hx11aa", linkwork.RefuseTerminated)
		if err != nil {
			t.Fatal(err)
		}
		want := linkwork.PostcodeInfo{Postcode: "HX1 1AA", Lat: 53.724334, Lng: -1.857458, LSOA: "E01010994",
			Ward: "E05001386", LocalAuthority: "E08000033", IMDRank: 1974, IMDDecile: 1}
		if *p != want {
			t.Errorf("HX1 1AA: %+v, want %+v", *p, want)
		}
		_, err = geo.FindPostcode(ctx, "HX1 1AB", linkwork.RefuseTerminated)
		if msg := linkwork.ErrorMessage(err); msg != "The postcode HX1 1AB was ended in April 2015; use the current postcode for the address." {
			t.Errorf("HX1 1AB: %v", err)
		}
		l, err := geo.FindLSOA(ctx, "E01000001")
		if err != nil || *l != (linkwork.LSOA{Code: "E01000001", Name: "City of London 001A", LocalAuthorityCode: "E09000001",
			LocalAuthorityName: "City of London", IMDRank: 29199, IMDDecile: 9}) {
			t.Errorf("E01000001: %+v %v", l, err)
		}

		// Every postcode's IMD, read through its LSOA, is the rank the NSPL itself records.
		r := csv.NewReader(bytes.NewReader(postcodes))
		header, _ := r.Read()
		col := map[string]int{}
		for i, h := range header {
			col[h] = i
		}
		checked := 0
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			if rec[col["lat"]] == "99.999999" {
				continue
			}
			p, err := geo.FindPostcode(ctx, rec[col["pcds"]], linkwork.AllowTerminated)
			if err != nil {
				t.Fatal(err)
			}
			if strconv.Itoa(p.IMDRank) != rec[col["imd"]] || p.IMDDecile < 1 {
				t.Fatalf("%s: IMD rank %d decile %d through its LSOA, but the NSPL says %s", p.Postcode, p.IMDRank, p.IMDDecile, rec[col["imd"]])
			}
			checked++
		}
		if checked != 7435 {
			t.Errorf("checked %d postcodes, want 7435", checked)
		}

		// Importing the same file again updates rather than duplicates.
		rep, err = geoimport.ImportPostcodes(ctx, geo, bytes.NewReader(postcodes), linkwork.ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Added != 0 || rep.Updated != 0 || rep.Unchanged != 7435 {
			t.Errorf("the same postcodes again: %+v", rep)
		}
		if n, _ := geo.CountPostcodes(ctx); n != 7435 {
			t.Errorf("%d postcodes after importing twice, want 7435", n)
		}
	})
}

func TestImportBadRows(t *testing.T) {
	t.Parallel()
	file := "pcds,lat,long,lsoa11,doterm\n" +
		"HX1 1AA,53.724334,-1.857458,E01010994,\n" +
		"HX1 1ZZZ,53.7,-1.8,E01010994,\n" +
		"HX1 1AB,53.725515,-1.860394,E01010994,201504\n" +
		"HX7 9AB,99.999999,0.000000,,\n"
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := t.Context()
		geo := db.Services().Geography

		// All or nothing: one bad row and nothing is kept.
		rep, err := geoimport.ImportPostcodes(ctx, geo, strings.NewReader(file), linkwork.ImportOptions{AllOrNothing: true})
		if !errors.Is(err, geoimport.ErrBadRows) || !rep.RolledBack || rep.Added != 0 || rep.Bad != 1 {
			t.Fatalf("all or nothing: %+v, %v", rep, err)
		}
		if n, _ := geo.CountPostcodes(ctx); n != 0 {
			t.Fatalf("all or nothing kept %d postcodes", n)
		}
		if !strings.Contains(rep.Summary(), "nothing was imported") {
			t.Errorf("summary: %s", rep.Summary())
		}

		// Otherwise the good rows are kept, and the report says what happened to each row.
		rep, err = geoimport.ImportPostcodes(ctx, geo, strings.NewReader(file), linkwork.ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if rep.RolledBack || rep.Rows != 4 || rep.Added != 2 || rep.Bad != 1 || rep.SkippedTotal() != 1 ||
			rep.Errors[0].String() != `line 3: pcds: "HX1 1ZZZ" is not a UK postcode (one looks like HX1 1AA).` {
			t.Fatalf("keep going: %+v", rep)
		}
		want := "Read 4 rows of postcodes: 2 added, 0 updated, 0 unchanged.\n" +
			"Skipped 1 row on purpose (no grid reference (lat 99.999999): 1).\n1 row was bad and was left out.\n"
		if got := rep.Summary(); got != want {
			t.Errorf("summary:\n%s\nwant:\n%s", got, want)
		}
		p, err := geo.FindPostcode(ctx, "HX1 1AB", linkwork.AllowTerminated)
		if err != nil || p.Terminated == nil || !p.Terminated.Equal(time.Date(2015, time.April, 1, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("HX1 1AB: %+v %v", p, err)
		}

		// IMD, all or nothing.
		imd := imdHeader + "E01010994,Calderdale 008E,E08000033,Calderdale,1974,1\nE01010995,Calderdale 008F,E08000033,Calderdale,\"3,000\",0\n"
		rep, err = geoimport.ImportIMD(ctx, geo, strings.NewReader(imd), linkwork.ImportOptions{AllOrNothing: true})
		if !errors.Is(err, geoimport.ErrBadRows) || !rep.RolledBack || rep.Bad != 1 {
			t.Fatalf("IMD all or nothing: %+v, %v", rep, err)
		}
		if n, _ := geo.CountLSOAs(ctx); n != 0 {
			t.Fatalf("all or nothing kept %d LSOAs", n)
		}
		if _, err := geoimport.ImportIMD(ctx, geo, strings.NewReader("x,y\n"), linkwork.ImportOptions{}); err == nil {
			t.Error("an IMD file without its columns: no error")
		}
	})
}

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	body := "pcds,lat,long\nHX1 1AA,53.7,-1.8\n"
	var gz bytes.Buffer
	z := gzip.NewWriter(&gz)
	z.Write([]byte(body))
	z.Close()
	files := map[string][]byte{"plain.csv": []byte(body), "packed.csv.GZ": gz.Bytes(), "fake.csv.gz": []byte(body)}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"plain.csv", "packed.csv.GZ"} {
		f, err := geoimport.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(f)
		if err != nil || string(got) != body {
			t.Errorf("%s: %q %v", name, got, err)
		}
		if err := f.Close(); err != nil {
			t.Error(err)
		}
	}
	if _, err := geoimport.Open(filepath.Join(dir, "fake.csv.gz")); err == nil || !strings.Contains(err.Error(), "not a gzip file") {
		t.Errorf("a .gz file that is not gzip: %v", err)
	}
	if _, err := geoimport.Open(filepath.Join(dir, "missing.csv")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a missing file: %v", err)
	}
}

// BenchmarkImportPostcodes imports the shipped HX postcode lookup (7,442 rows) into a fresh
// database ("new") and again into one that has it ("again"), reading the CSV as the command
// does. It reports rows per second.
func BenchmarkImportPostcodes(b *testing.B) {
	postcodes := shipped(b, data.HalifaxPostcodes)
	for _, dialect := range sqldbtest.Dialects() {
		for _, again := range []bool{false, true} {
			name := dialect + "/new"
			if again {
				name = dialect + "/again"
			}
			b.Run(name, func(b *testing.B) {
				rows := 0
				for b.Loop() {
					b.StopTimer()
					db := sqldbtest.Open(b, dialect)
					geo := db.Services().Geography
					if again {
						if _, err := geoimport.ImportPostcodes(b.Context(), geo, bytes.NewReader(postcodes), linkwork.ImportOptions{}); err != nil {
							b.Fatal(err)
						}
					}
					b.StartTimer()
					rep, err := geoimport.ImportPostcodes(b.Context(), geo, bytes.NewReader(postcodes), linkwork.ImportOptions{})
					if err != nil {
						b.Fatal(err)
					}
					rows += rep.Rows
					b.StopTimer()
					db.Close()
					b.StartTimer()
				}
				b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
			})
		}
	}
}
