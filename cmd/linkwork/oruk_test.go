package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"linkwork/sqldb/sqldbtest"
)

// orukFixtures is the Open Referral UK validator's mock responses, beside the repository.
const orukFixtures = "../../../shared/reference/oruk-validator-fixtures"

func TestOrukImportExport(t *testing.T) {
	full := filepath.Join(orukFixtures, "V3.0-UK-Default/service_full.json")
	fail := filepath.Join(orukFixtures, "V3.0-UK-Fail/service_list.json")
	if _, err := os.Stat(full); err != nil {
		t.Fatalf("the ORUK validator fixtures are missing (check out shared/reference beside the repository): %v", err)
	}
	for _, d := range sqldbtest.Dialects() {
		t.Run(d, func(t *testing.T) {
			db := sqldbtest.URL(t, d)
			if _, err := run(t, "", "import", "oruk", full, "--db", db); err == nil || !strings.Contains(err.Error(), "no places yet") {
				t.Fatalf("import with no place: %v", err)
			}
			if _, err := run(t, "", "place", "add", "--name", "Calderdale", "--db", db); err != nil {
				t.Fatal(err)
			}
			out, err := run(t, "", "import", "oruk", full, "--db", db)
			if err != nil {
				t.Fatalf("import oruk: %v\n%s", err, out)
			}
			for _, want := range []string{"Imported service_full.json into Calderdale: 1 added, 0 updated, 0 unchanged, 0 skipped; 1 organisation added.",
				`warning service id ac148810-d857-441c-9679-408f346de14b "Community Counselling": taxonomy term "name" is not in this place's taxonomies`} {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
			out, err = run(t, "", "import", "oruk", "--place", "calderdale", full, "--db", db)
			if err != nil || !strings.Contains(out, "0 added, 0 updated, 1 unchanged, 0 skipped") {
				t.Fatalf("the same file again: %v\n%s", err, out)
			}

			// Bad records: reported and left out, or, all or nothing, nothing imported.
			out, err = run(t, "", "import", "oruk", fail, "--all-or-nothing", "--db", db)
			if err == nil || !strings.Contains(out, "Nothing was imported into Calderdale: 4 records were bad (--all-or-nothing).") ||
				!strings.Contains(out, "skipped contents[0] id b644a0d2") && !strings.Contains(out, "skipped contents[0]") {
				t.Fatalf("--all-or-nothing: %v\n%s", err, out)
			}
			out, err = run(t, "", "import", "oruk", fail, "--db", db)
			if err != nil || !strings.Contains(out, "4 records were bad and left out") || !strings.Contains(out, "name: The service has no name.") {
				t.Fatalf("bad records: %v\n%s", err, out)
			}
			broken := filepath.Join(t.TempDir(), "broken.json")
			must(t, os.WriteFile(broken, []byte(`[{"name": `), 0o600))
			if out, err := run(t, "", "import", "oruk", broken, "--db", db); err == nil || !strings.Contains(err.Error(), "not valid JSON") &&
				!strings.Contains(err.Error(), "ends part-way") {
				t.Fatalf("a broken file: %v\n%s", err, out)
			}

			// Export: to a file, and to standard output.
			file := filepath.Join(t.TempDir(), "directory.json")
			out, err = run(t, "", "export", "oruk", "--out", file, "--db", db)
			if err != nil || !strings.Contains(out, "Exported 1 service from Calderdale to "+file) {
				t.Fatalf("export: %v\n%s", err, out)
			}
			body, err := os.ReadFile(file)
			must(t, err)
			var services []map[string]any
			if err := json.Unmarshal(body, &services); err != nil || len(services) != 1 || services[0]["id"] != "ac148810-d857-441c-9679-408f346de14b" {
				t.Fatalf("exported file: %v\n%s", err, body)
			}
			out, err = run(t, "", "export", "oruk", "--db", db)
			if err != nil || !json.Valid([]byte(out)) || !strings.Contains(out, "Community Counselling") {
				t.Fatalf("export to standard output: %v\n%s", err, out)
			}
			out, err = run(t, "", "import", "oruk", file, "--db", db)
			if err != nil || !strings.Contains(out, "0 added, 0 updated, 1 unchanged") {
				t.Fatalf("the export imported back: %v\n%s", err, out)
			}

			// Two places: say which.
			if _, err := run(t, "", "place", "add", "--name", "Wakefield", "--db", db); err != nil {
				t.Fatal(err)
			}
			if _, err := run(t, "", "export", "oruk", "--db", db); err == nil || !strings.Contains(err.Error(), "--place") {
				t.Fatalf("export with two places: %v", err)
			}
			if _, err := run(t, "", "import", "oruk", full, "--place", "Leeds", "--db", db); err == nil || !strings.Contains(err.Error(), `no place called "Leeds"`) {
				t.Fatalf("an unknown place: %v", err)
			}
			out, err = run(t, "", "export", "oruk", "--place", "Wakefield", "--db", db)
			if err != nil || strings.TrimSpace(out) != "[\n]" {
				t.Fatalf("export of an empty place: %v\n%q", err, out)
			}
		})
	}
	if _, err := run(t, "", "import", "oruk"); err == nil || !strings.Contains(err.Error(), "give one file") {
		t.Errorf("import oruk without a file: %v", err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
