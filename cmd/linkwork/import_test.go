package main

import (
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if strings.HasSuffix(name, ".gz") {
		z := gzip.NewWriter(f)
		defer z.Close()
		_, err = z.Write([]byte(body))
	} else {
		_, err = f.WriteString(body)
	}
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// findPostcode looks a postcode up in the database at u.
func findPostcode(t *testing.T, u, postcode string) (*linkwork.PostcodeInfo, error) {
	t.Helper()
	db, err := sqldb.Open(t.Context(), u)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	return db.Services().Geography.FindPostcode(t.Context(), postcode, linkwork.AllowTerminated)
}

func TestImportCommands(t *testing.T) {
	lookup := "pcds,lat,long,lsoa11,doterm\n" +
		"HX1 1AA,53.724334,-1.857458,E01010994,\n" +
		"HX1 1ZZZ,53.7,-1.8,E01010994,\n" +
		"HX1 1AB,53.725515,-1.860394,E01010994,201504\n" +
		"HX7 9AB,99.999999,0.000000,,\n"
	imd := "\ufeffLSOA code (2011),LSOA name (2011),Local Authority District code (2019),Local Authority District name (2019)," +
		"Index of Multiple Deprivation (IMD) Rank,Index of Multiple Deprivation (IMD) Decile\n" +
		"E01010994,Calderdale 008E,E08000033,Calderdale,\"1,974\",1\n"
	for _, d := range sqldbtest.Dialects() {
		t.Run(d, func(t *testing.T) {
			db := sqldbtest.URL(t, d)
			csvFile, gzFile := writeFile(t, "lookup.csv", lookup), writeFile(t, "lookup.csv.gz", lookup)

			// All or nothing, the flag after the file: the bad row stops the import.
			out, err := run(t, "", "import", "postcodes", csvFile, "--db", db, "--all-or-nothing")
			if err == nil || !strings.Contains(err.Error(), "nothing was imported") || strings.Contains(err.Error(), "\n") {
				t.Fatalf("--all-or-nothing with a bad row: %v", err)
			}
			for _, want := range []string{"Read 4 rows of postcodes: nothing was imported (rolled back).",
				`line 3: pcds: "HX1 1ZZZ" is not a UK postcode (one looks like HX1 1AA).`} {
				if !strings.Contains(out, want) {
					t.Errorf("--all-or-nothing output lacks %q:\n%s", want, out)
				}
			}
			if _, err := findPostcode(t, db, "HX1 1AA"); linkwork.ErrorCode(err) != linkwork.ENOTFOUND {
				t.Fatalf("HX1 1AA after a rolled-back import: %v", err)
			}

			// Keep going, from gzip, the flag before the file: the good rows are kept.
			out, err = run(t, "", "import", "postcodes", "--db", db, gzFile)
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"Read 4 rows of postcodes: 2 added, 0 updated, 0 unchanged.",
				"Skipped 1 row on purpose (no grid reference (lat 99.999999): 1).",
				"1 row was bad and was left out.", "Bad rows:\n  line 3: pcds:"} {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
			out, err = run(t, "", "import", "imd", csvFileOf(t, imd), "--db", db)
			if err != nil || !strings.Contains(out, "Read 1 row of LSOAs: 1 added, 0 updated, 0 unchanged.") {
				t.Fatalf("import imd: %v\n%s", err, out)
			}
			p, err := findPostcode(t, db, "hx11aa")
			if err != nil || p.IMDRank != 1974 || p.IMDDecile != 1 {
				t.Fatalf("HX1 1AA after the imports: %+v %v", p, err)
			}
			out, err = run(t, "", "import", "postcodes", csvFile, "--db", db)
			if err != nil || !strings.Contains(out, "0 added, 0 updated, 2 unchanged.") {
				t.Fatalf("the same file again: %v\n%s", err, out)
			}
		})
	}
}

func csvFileOf(t *testing.T, body string) string { return writeFile(t, "file.csv", body) }

// Only the first 20 bad rows are printed; the rest are counted.
func TestImportPrintsFirstErrors(t *testing.T) {
	var b strings.Builder
	b.WriteString("pcds,lat,long\n")
	for i := range 25 {
		fmt.Fprintf(&b, "HX1 1A%d,53.7,-1.8\n", i)
	}
	out, err := run(t, "", "import", "postcodes", csvFileOf(t, b.String()), "--db", "sqlite:"+filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out, "is not a UK postcode"); n != 20 {
		t.Errorf("printed %d row errors, want 20:\n%s", n, out)
	}
	if !strings.Contains(out, "line 21: pcds:") || strings.Contains(out, "line 22:") || !strings.Contains(out, "… and 5 more bad rows.") {
		t.Errorf("output:\n%s", out)
	}
}

func TestImportBadCommandLines(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "x.db")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"import", "postcodes", "--db", db}, "import postcodes: give one file to import, as in linkwork import postcodes FILE"},
		{[]string{"import", "imd", "a.csv", "b.csv", "--db", db}, "import imd: give one file to import"},
		{[]string{"import", "postcodes", filepath.Join(dir, "missing.csv"), "--db", db}, "no such file or directory"},
		{[]string{"import", "postcodes", writeFile(t, "x.csv", "name,place\nx,y\n"), "--db", db}, "the file has no pcds (postcode) column"},
		{[]string{"import", "imd", writeFile(t, "p.csv", "pcds,lat,long\n"), "--db", db}, "the file has no LSOA code column"},
		{[]string{"import", "postcodes", "x.csv", "--bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"import", "towns", "x.csv"}, `unknown command "import towns"`},
		{[]string{"migrate", "x.csv"}, `unexpected argument "x.csv"`},
	}
	for _, c := range cases {
		_, err := run(t, "", c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("linkwork %s: error %v, want one containing %q", strings.Join(c.args, " "), err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("linkwork %s: the error is not one line: %q", strings.Join(c.args, " "), err)
		}
	}
}

// The demonstration loads the shipped postcodes and deprivation into empty tables, once.
func TestDemoLoadsGeography(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "demo.db")
	out, err := run(t, "", "demo", "--db", db)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Loaded 32844 LSOAs with their deprivation (IMD 2019).",
		"Loaded 7435 Halifax (HX) postcodes.", "Contains Royal Mail data", "Ministry of Housing, Communities and Local Government"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	p, err := findPostcode(t, db, "HX1 1AA")
	if err != nil || p.LSOA != "E01010994" || p.IMDRank != 1974 || p.IMDDecile != 1 {
		t.Fatalf("HX1 1AA after the demo: %+v %v", p, err)
	}
	out, _ = run(t, "", "demo", "--db", db)
	if strings.Contains(out, "Loaded") {
		t.Errorf("a second demo loaded the shipped files again:\n%s", out)
	}
}
