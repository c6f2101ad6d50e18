package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// TestActivityImport loads a health service use file into a place whose one case record
// has an NHS number, and again, and with --all-or-nothing; then switches the place to a
// pseudonymised key.
func TestActivityImport(t *testing.T) {
	for _, d := range sqldbtest.Dialects() {
		t.Run(d, func(t *testing.T) {
			u := sqldbtest.URL(t, d)
			dir := t.TempDir()
			if _, err := run(t, "", "place", "add", "--name", "Calderdale", "--db", u); err != nil {
				t.Fatal(err)
			}
			ctx := linkwork.NewContextWithActor(context.Background(), linkwork.Actor{Label: "test"})
			db, err := sqldb.Open(ctx, u)
			must(t, err)
			svc := db.Services()
			places, err := svc.Places.ListPlaces(ctx)
			must(t, err)
			org := &linkwork.Organisation{PlaceID: places[0].ID, Name: "Calder Connect", Sector: linkwork.SectorVCSE}
			must(t, svc.Organisations.CreateOrganisation(ctx, org))
			must(t, svc.Cases.CreatePerson(ctx, &linkwork.Person{PlaceID: places[0].ID, OrganisationID: org.ID, GivenName: "Ada",
				FamilyName: "Ash", DateOfBirth: "1950-05-01", NHSNumber: "943 476 5919", Postcode: "HX1 1AA", Phone: "07700 900123"}))
			db.Close()

			month := time.Now().AddDate(0, -1, 0).Format("2006-01")
			file := filepath.Join(dir, "activity.csv")
			must(t, os.WriteFile(file, []byte("NHS number,Month,GP appointments,Admissions,Practice\n"+
				"943 476 5919,"+month+",3,1,B86001\n"+
				"4010232137,"+month+",1,0,B86001\n"+
				"9434765919,2026-13,1,0,B86001\n"+
				"9434765919,2020-01,lots,0,B86001\n"), 0o644))
			out, err := run(t, "", "import", "activity", file, "--db", u)
			if err != nil {
				t.Fatalf("import activity: %v\n%s", err, out)
			}
			for _, want := range []string{"Columns linkwork does not read, left alone: Practice.",
				"line 4, month: Give the month as YYYY-MM, such as 2026-04.",
				`line 5, gp_appointments: Give the number of GP appointments as a whole number, 0 if there were none; "lots" is not one.`,
				"1 row's key matched nobody with a case record in Calderdale, so it was not imported (line 3).",
				"Imported activity.csv into Calderdale: 4 rows, 1 stored, 0 unchanged, 1 unmatched, 2 rows left out."} {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
			if strings.Contains(out, "0 to 999") {
				t.Errorf("the store's reason for a count the file could not give is shown:\n%s", out)
			}
			out, err = run(t, "", "import", "activity", file, "--db", u)
			if err != nil || !strings.Contains(out, "4 rows, 0 stored, 1 unchanged, 1 unmatched, 2 rows left out") {
				t.Fatalf("again: %v\n%s", err, out)
			}
			out, err = run(t, "", "import", "activity", file, "--all-or-nothing", "--db", u)
			if err == nil || !strings.Contains(out, "Nothing was imported into Calderdale: 2 rows had problems (--all-or-nothing).") {
				t.Fatalf("--all-or-nothing: %v\n%s", err, out)
			}

			// A pseudonymised key.
			if _, err := run(t, "", "activity-key", "--kind", "hmac_sha256", "--db", u); err == nil || !strings.Contains(err.Error(), "--secret-stdin is required") {
				t.Fatalf("no secret: %v", err)
			}
			if _, err := run(t, "", "activity-key", "--kind", "md5", "--db", u); err == nil || !strings.Contains(err.Error(), "--kind must be") {
				t.Fatalf("bad kind: %v", err)
			}
			if _, err := run(t, "short\n", "activity-key", "--kind", "hmac_sha256", "--secret-stdin", "--db", u); err == nil ||
				!strings.Contains(err.Error(), "at least 32 characters") {
				t.Fatalf("a short secret: %v", err)
			}
			secret := "a secret shared with the data provider"
			out, err = run(t, secret+"\n", "activity-key", "--kind", "hmac_sha256", "--secret-stdin", "--place", "Calderdale", "--db", u)
			if err != nil || !strings.Contains(out, "Calderdale's activity files now name people by the HMAC-SHA256") || strings.Contains(out, secret) {
				t.Fatalf("activity-key: %v\n%s", err, out)
			}
			keyed := filepath.Join(dir, "keyed.csv.gz")
			var gz bytes.Buffer
			z := gzip.NewWriter(&gz)
			_, err = z.Write([]byte("key,month,gp,admissions\n" + linkwork.PseudonymiseNHSNumber(secret, "9434765919") + "," + month + ",4,1\n"))
			must(t, err)
			must(t, z.Close())
			must(t, os.WriteFile(keyed, gz.Bytes(), 0o644))
			out, err = run(t, "", "import", "activity", keyed, "--all-or-nothing", "--db", u)
			if err != nil || !strings.Contains(out, "1 row, 1 stored, 0 unchanged, 0 unmatched, 0 rows left out") {
				t.Fatalf("keyed file: %v\n%s", err, out)
			}
			out, err = run(t, "", "activity-key", "--kind", "nhs_number", "--db", u)
			if err != nil || !strings.Contains(out, "Calderdale's activity files now name people by their NHS number.") {
				t.Fatalf("back to NHS numbers: %v\n%s", err, out)
			}
		})
	}
}

func TestServeMeasuresFlag(t *testing.T) {
	m := NewMain(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{})
	must(t, m.ParseFlags([]string{"serve", "--measures-every", "2m"}))
	if m.measuresEvery != 2*time.Minute {
		t.Fatalf("--measures-every 2m is %v", m.measuresEvery)
	}
	m = NewMain(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{})
	must(t, m.ParseFlags([]string{"serve"}))
	if m.measuresEvery != time.Minute {
		t.Fatalf("--measures-every defaults to %v", m.measuresEvery)
	}
}
