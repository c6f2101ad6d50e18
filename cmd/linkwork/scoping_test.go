package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"linkwork/sqldb/sqldbtest"
)

func TestScopingImportExport(t *testing.T) {
	for _, d := range sqldbtest.Dialects() {
		t.Run(d, func(t *testing.T) {
			db := sqldbtest.URL(t, d)
			dir := t.TempDir()
			if _, err := run(t, "", "place", "add", "--name", "Calderdale", "--db", db); err != nil {
				t.Fatal(err)
			}
			sheet := filepath.Join(dir, "scoping.csv")
			must(t, os.WriteFile(sheet, []byte("Organisation name,Sector,Scheme name,Scheme model,Who can refer,Needs,Waiting weeks\n"+
				"Calder PCN,NHS or primary care,Social prescribing,Primary care network social prescribing link worker,GP practice,Money and debt,2\n"+
				"Halifax Housing,Housing,,,,,\n"+
				"Todmorden Food Bank,,Pantry,Other connector,Self,,soon\n"), 0o644))
			out, err := run(t, "", "import", "scoping", sheet, "--place", "Calderdale", "--db", db)
			if err != nil {
				t.Fatalf("import scoping: %v\n%s", err, out)
			}
			for _, want := range []string{`row 4, Waiting weeks: "soon" is not a number.`,
				"row 4, Sector: Choose the sector of Todmorden Food Bank, which is not in this place yet.",
				"Imported scoping.csv into Calderdale: organisations 2 added, 0 changed, 0 unchanged; connector schemes 1 added, 0 changed, 0 unchanged; 1 row left out."} {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
			out, err = run(t, "", "import", "scoping", sheet, "--all-or-nothing", "--db", db)
			if err == nil || !strings.Contains(out, "Nothing was imported into Calderdale: 1 row had problems (--all-or-nothing).") {
				t.Fatalf("--all-or-nothing: %v\n%s", err, out)
			}

			// Export to a workbook and import it back: nothing changes.
			book := filepath.Join(dir, "calderdale.xlsx")
			out, err = run(t, "", "export", "scoping", "--out", book, "--db", db)
			if err != nil || !strings.Contains(out, "Exported 2 rows of Calderdale to "+book) {
				t.Fatalf("export scoping: %v\n%s", err, out)
			}
			out, err = run(t, "", "import", "scoping", book, "--db", db)
			if err != nil || !strings.Contains(out, "organisations 0 added, 0 changed, 2 unchanged; connector schemes 0 added, 0 changed, 1 unchanged; 0 rows left out") {
				t.Fatalf("the export imported back: %v\n%s", err, out)
			}
			out, err = run(t, "", "export", "scoping", "--db", db)
			if err != nil || !strings.Contains(out, "Calder PCN,NHS or primary care,Social prescribing,") {
				t.Fatalf("export to standard output: %v\n%s", err, out)
			}
			notSheet := filepath.Join(dir, "notes.txt")
			must(t, os.WriteFile(notSheet, []byte("Dear all\n"), 0o644))
			if out, err := run(t, "", "import", "scoping", notSheet, "--db", db); err == nil || !strings.Contains(err.Error(), "should be the header") {
				t.Fatalf("not a sheet: %v\n%s", err, out)
			}
		})
	}
	if _, err := run(t, "", "import", "scoping"); err == nil || !strings.Contains(err.Error(), "give one file") {
		t.Errorf("import scoping without a file: %v", err)
	}
}

// TestOrukImportPackage imports the HSDS example CSV package, as a folder and as a zip
// file, through linkwork import oruk.
func TestOrukImportPackage(t *testing.T) {
	pkg := "../../../shared/reference/hsds-3.0/examples/csv"
	if _, err := os.Stat(filepath.Join(pkg, "services.csv")); err != nil {
		t.Fatalf("the HSDS example CSV package is missing (check out shared/reference beside the repository): %v", err)
	}
	for _, d := range sqldbtest.Dialects() {
		t.Run(d, func(t *testing.T) {
			db := sqldbtest.URL(t, d)
			if _, err := run(t, "", "place", "add", "--name", "Calderdale", "--db", db); err != nil {
				t.Fatal(err)
			}
			out, err := run(t, "", "import", "oruk", pkg, "--db", db)
			if err != nil {
				t.Fatalf("import oruk of a package: %v\n%s", err, out)
			}
			for _, want := range []string{"Imported csv into Calderdale: 1 added, 0 updated, 0 unchanged, 0 skipped; 1 organisation added.",
				`warning services.csv line 2 id ac148810-d857-441c-9679-408f346de14b "Community Counselling": service_at_location.csv line 2 is not in the UK`,
				`warning attributes.csv line 2: link_id "f28dd44b-0c4d-479f-8e90-4c52219a8b3c" is not a service in the package`} {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
			// A package whose services have a bad row: reported, and with --all-or-nothing
			// nothing imported.
			bad := t.TempDir()
			must(t, os.WriteFile(filepath.Join(bad, "services.csv"), []byte("id,organization_id,name,description,status,minimum_age\n"+
				"s-1,o-1,Good,A service.,active,\n"+"s-2,o-1,,No name.,active,twelve\n"), 0o644))
			must(t, os.WriteFile(filepath.Join(bad, "organizations.csv"), []byte("id,name\no-1,Calder Groups\n"), 0o644))
			out, err = run(t, "", "import", "oruk", bad, "--all-or-nothing", "--db", db)
			if err == nil || !strings.Contains(out, "Nothing was imported into Calderdale: 1 record was bad (--all-or-nothing).") ||
				!strings.Contains(out, `skipped services.csv line 3 id `) || !strings.Contains(out, `minimum_age must be a number, not "twelve".`) {
				t.Fatalf("--all-or-nothing: %v\n%s", err, out)
			}
			out, err = run(t, "", "import", "oruk", filepath.Join(bad, "services.csv"), "--db", db)
			if err != nil || !strings.Contains(out, "1 added, 0 updated, 0 unchanged, 1 skipped; 1 organisation added.") {
				t.Fatalf("bad rows: %v\n%s", err, out)
			}
			empty := t.TempDir()
			if out, err := run(t, "", "import", "oruk", empty, "--db", db); err == nil || !strings.Contains(err.Error(), "no datapackage.json and no services.csv") {
				t.Fatalf("an empty folder: %v\n%s", err, out)
			}
		})
	}
}
