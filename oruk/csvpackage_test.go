package oruk

import (
	"archive/zip"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// The reference examples: the HSDS 3.0 CSV package and the UK profile's CSV tables.
const (
	hsdsCSV = refDir + "/hsds-3.0/examples/csv"
	orukCSV = refDir + "/oruk-3.0-uk-profile/examples/csv"
)

// packaged is what one import of a package did: the service records, and the notes about
// the package and its rows that belong to no service.
type packaged struct {
	imported
	notes []*linkwork.ServiceImport
}

func (p packaged) noteText() string {
	var out []string
	for _, n := range p.notes {
		for _, w := range n.Warnings {
			out = append(out, n.Ref+": "+w)
		}
	}
	return strings.Join(out, "\n")
}

func (p packaged) problems() string {
	var out []string
	for _, r := range p.records {
		for _, e := range linkwork.FieldErrors(r.Err) {
			out = append(out, r.Ref+": "+e.Field+": "+e.Message)
		}
	}
	return strings.Join(out, "\n")
}

func (w *world) importPackage(t testing.TB, placeID int64, pkg fs.FS, allOrNothing bool) packaged {
	t.Helper()
	var p packaged
	p.sum, p.err = ImportPackage(testContext(), w.store, w.svc.Taxonomies, placeID, pkg, linkwork.ImportOptions{AllOrNothing: allOrNothing},
		func(it *linkwork.ServiceImport) {
			if it.Outcome == "" {
				p.notes = append(p.notes, it)
				return
			}
			p.records = append(p.records, it)
		})
	return p
}

func referenceDir(t testing.TB, dir string) fs.FS {
	t.Helper()
	if _, err := os.Stat(filepath.Join(dir, "services.csv")); err != nil {
		t.Fatalf("the Open Referral reference CSV examples are missing (%v): check out shared/reference beside the repository", err)
	}
	return os.DirFS(dir)
}

func wantAll(t testing.TB, what, text string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(text, want) {
			t.Errorf("%s lack %q:\n%s", what, want, text)
		}
	}
}

// TestImportPackageReferenceExamples imports the HSDS and UK profile example packages: each
// makes the same service as the HSDS example service_full.json, and every row left out is
// reported with its file and line.
func TestImportPackageReferenceExamples(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		const id = "ac148810-d857-441c-9679-408f346de14b"
		p := w.importPackage(t, w.place.ID, referenceDir(t, hsdsCSV), false)
		must(t, p.err)
		wantCounts(t, "HSDS example package", p.sum, 1, 0, 0, 0)
		if p.sum.OrganisationsAdded != 1 || p.records[0].Ref != "services.csv line 2" {
			t.Errorf("HSDS example package: %+v, ref %q", p.sum, p.records[0].Ref)
		}
		wantAll(t, "warnings", p.warnings(),
			`service_at_location.csv line 2 is not in the UK (country "US"), so it was left out`,
			`phones.csv line 2: number "\"+44 1234 234567\"" is not a phone number linkwork can keep`,
			`contacts.csv line 2: "\"+44 1234 234567\"" is not a phone number`)
		wantAll(t, "notes", p.noteText(),
			"datapackage.json cannot be read as JSON", // the reference copy has it as a link, not its text
			`attributes.csv line 2: link_id "f28dd44b-0c4d-479f-8e90-4c52219a8b3c" is not a service in the package`,
			"linkwork has nowhere to keep what funding.csv")
		s := w.find(t, id).Service
		if s.Name != "Community Counselling" || *s.MinAge != 12 || *s.MaxAge != 100 || s.Fees != "fees_description" ||
			len(s.Schedules) != 1 || s.Schedules[0].String() != "Thursdays and Fridays, 10:00 to 18:00" ||
			len(s.Contacts) != 1 || s.Contacts[0].Name != "Ann Persona" || len(s.Languages) != 1 || s.Languages[0] != "Urdu" {
			t.Errorf("imported from CSV: %+v", s)
		}

		// The same service as nested JSON changes nothing: the package made the same record.
		im := w.importBytes(t, w.place.ID, readFile(t, refDir+"/hsds-3.0/examples/service_full.json"), false)
		must(t, im.err)
		wantCounts(t, "service_full.json after the package", im.sum, 0, 0, 1, 0)
		// And the package again changes nothing.
		p = w.importPackage(t, w.place.ID, referenceDir(t, hsdsCSV), false)
		wantCounts(t, "the package again", p.sum, 0, 0, 1, 0)

		// The UK profile's example has no datapackage.json beside it, some tables under two
		// names, and languages without a name.
		p = w.importPackage(t, w.place.ID, referenceDir(t, orukCSV), false)
		must(t, p.err)
		if p.sum.Failed != 0 || p.sum.Added+p.sum.Updated+p.sum.Unchanged != 1 {
			t.Errorf("UK profile example package: %+v", p.sum)
		}
		wantAll(t, "notes", p.noteText(), "the package has no datapackage.json",
			"both addresses.csv and address.csv are in the package", `attribute.csv line 2: link_id`)
		wantAll(t, "warnings", p.warnings(), "languages.csv line 2 has no name, so it was left out")
	})
}

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatalf("%v: check out shared/reference beside the repository", err)
	}
	return b
}

// calderdale is a small package in the UK profile's shape, with ids that are not UUIDs (as
// many feeds have), a service at a Halifax location, schedules at every level, terms named
// by code within a taxonomy the place has, and a service that runs nowhere.
func calderdale() fstest.MapFS {
	return fstest.MapFS{
		"datapackage.json": {Data: []byte(`{"name": "calderdale", "profile": "tabular-data-package", "resources": [
			{"name": "organization", "path": "organizations.csv"},
			{"name": "service", "path": "services.csv"},
			{"name": "service_at_location", "path": "service_at_location.csv"},
			{"name": "location", "path": "locations.csv"},
			{"name": "address", "path": "address.csv"},
			{"name": "accessibility", "path": "accessibility.csv"},
			{"name": "schedule", "path": "schedule.csv"},
			{"name": "taxonomy", "path": "taxonomies.csv"},
			{"name": "taxonomy_term", "path": "taxonomy_terms.csv"},
			{"name": "attribute", "path": "attribute.csv"},
			{"name": "contact", "path": "contacts.csv"},
			{"name": "phone", "path": "phones.csv"},
			{"name": "cost_option", "path": "cost_options.csv"},
			{"name": "language", "path": "languages.csv"},
			{"name": "service_area", "path": "service_areas.csv"},
			{"name": "funding", "path": "funding.csv"}]}`)},
		"organizations.csv": {Data: []byte("\ufeffid,name,description\n" +
			"org-1,Todmorden Food Bank,Food and friendship\n" +
			"org-2,Calder Valley Walks,Walking groups\n" +
			"org-3,Nobody's Services,Runs nothing\n")},
		"services.csv": {Data: []byte("id,organization_id,name,description,url,email,status,fees,minimum_age,maximum_age,assured_date\n" +
			"svc-1,org-1,Food Bank Café,\"A hot meal, a chat and a food parcel.\nEvery week.\",www.example.org/cafe,cafe@example.org,active,,,,2025-06-01\n" +
			"svc-2,org-2,Sunday Stroll,A short walk.,,,active,,18,,\n")},
		"service_at_location.csv": {Data: []byte("id,service_id,location_id\nsal-1,svc-1,loc-1\nsal-9,svc-9,loc-9\n")},
		"locations.csv":           {Data: []byte("id,location_type,name,latitude,longitude\nloc-1,physical,Todmorden Town Hall,,\nloc-9,physical,Nowhere,,\n")},
		"address.csv": {Data: []byte("id,location_id,address_1,city,state_province,postal_code,country,address_type\n" +
			"adr-1,loc-1,Halifax Road,Halifax,Calderdale,hx1 1aa,GB,physical\n")},
		"accessibility.csv": {Data: []byte("id,location_id,description\nacc-1,loc-1,Step-free entrance at the side.\n")},
		"schedule.csv": {Data: []byte("id,service_id,service_at_location_id,location_id,freq,interval,byday,opens_at,closes_at,description\n" +
			"sch-1,svc-1,sal-1,,WEEKLY,1,TU,11:00,14:00,\n" +
			"sch-2,svc-2,,,MONTHLY,1,1SU,10:00:00,12:00:00,First Sunday of the month\n" +
			"sch-3,,,loc-1,WEEKLY,1,\"FR\",17:00,19:00,\n")},
		"taxonomies.csv":     {Data: []byte("id,name,description\ntax-1,Needs,What people need\ntax-2,Five Ways to Wellbeing,\n")},
		"taxonomy_terms.csv": {Data: []byte("id,code,name,taxonomy_id\nt-1,food,Food,tax-1\nt-2,be_active,Be active,tax-2\nt-3,unicorns,Unicorns,tax-1\n")},
		"attribute.csv":      {Data: []byte("id,link_id,taxonomy_term_id,link_type\na-1,svc-1,t-1,\na-2,svc-2,t-2,\na-3,svc-2,t-3,\na-4,svc-404,t-1,\n")},
		"contacts.csv":       {Data: []byte("id,service_id,service_at_location_id,name,title,email\nc-1,,sal-1,Pat Baker,Volunteer lead,PAT@example.org\n")},
		"phones.csv":         {Data: []byte("id,service_id,contact_id,number\np-1,svc-1,,01706 123456\np-2,,c-1,07700 900123\np-3,,,0800 000000\n")},
		"cost_options.csv":   {Data: []byte("id,service_id,option,amount,amount_description\nco-1,svc-1,Free,0,Pay what you can\n")},
		"languages.csv":      {Data: []byte("id,service_id,name,code\nl-1,svc-1,English,en\nl-2,svc-1,Polish,pl\n")},
		"service_areas.csv":  {Data: []byte("id,service_id,name\nsa-1,svc-1,Todmorden\nsa-2,svc-2,Calder\n")},
		"funding.csv":        {Data: []byte("id,service_id,source\nf-1,svc-1,Lottery\n")},
	}
}

func serviceNamed(t testing.TB, w *world, placeID int64, name string) *linkwork.Service {
	t.Helper()
	list, _, err := w.svc.Directory.ListServices(testContext(), linkwork.ServiceFilter{PlaceID: placeID, Page: linkwork.Page{Size: 100}})
	must(t, err)
	for _, s := range list {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no service %q", name)
	return nil
}

// TestImportPackageJoins checks that every table finds its way into the service it belongs
// to, that organisations are matched by name, and that importing again changes nothing.
func TestImportPackageJoins(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		p := w.importPackage(t, w.place.ID, calderdale(), false)
		must(t, p.err)
		wantCounts(t, "calderdale", p.sum, 2, 0, 0, 0)
		if p.sum.OrganisationsAdded != 1 { // Calder Valley Walks is matched by name
			t.Errorf("organisations added: %+v", p.sum)
		}
		wantAll(t, "notes", p.noteText(),
			`organizations.csv line 4: the organisation "Nobody's Services" runs no service in the package`,
			`service_at_location.csv line 3: service_id "svc-9" is not a service in the package`,
			"locations.csv line 3: the location is at no service",
			`attribute.csv line 5: link_id "svc-404" is not a service in the package`,
			"phones.csv line 4: the phone is not a service's or a service contact's",
			"linkwork has nowhere to keep what funding.csv hold")
		wantAll(t, "warnings", p.warnings(), `attribute.csv line 4: taxonomy term "Unicorns" is not in this place's taxonomies`,
			"url had no https:// at the start")
		cafe := serviceNamed(t, w, w.place.ID, "Food Bank Café")
		if cafe.OrganisationName != "Todmorden Food Bank" || cafe.URL != "https://www.example.org/cafe" || cafe.Phone != "01706 123456" ||
			!cafe.Free || cafe.Fees != "Pay what you can" || cafe.LastVerifiedAt == nil || cafe.Description != "A hot meal, a chat and a food parcel.\nEvery week." {
			t.Errorf("café: %+v", cafe)
		}
		if len(cafe.Locations) != 1 || cafe.Locations[0].Postcode != "HX1 1AA" || cafe.Locations[0].Lat == nil ||
			cafe.Accessibility != "Step-free entrance at the side." {
			t.Errorf("café's location: %+v %q", cafe.Locations, cafe.Accessibility)
		}
		var when []string
		for _, s := range cafe.Schedules {
			when = append(when, s.String())
		}
		if strings.Join(when, "; ") != "Tuesdays, 11:00 to 14:00; Fridays, 17:00 to 19:00" {
			t.Errorf("café's schedules: %q", when)
		}
		if len(cafe.Contacts) != 1 || cafe.Contacts[0] != (linkwork.Contact{Name: "Pat Baker", Title: "Volunteer lead", Email: "pat@example.org", Phone: "07700 900123"}) {
			t.Errorf("café's contacts: %+v", cafe.Contacts)
		}
		if strings.Join(cafe.Languages, ",") != "English,Polish" || strings.Join(cafe.Areas, ",") != "Todmorden" ||
			len(cafe.Terms) != 1 || cafe.Terms[0].Code != "food" {
			t.Errorf("café's lists: %v %v %+v", cafe.Languages, cafe.Areas, cafe.Terms)
		}
		stroll := serviceNamed(t, w, w.place.ID, "Sunday Stroll")
		if stroll.OrganisationID != w.orgA.ID || *stroll.MinAge != 18 || len(stroll.Schedules) != 1 ||
			stroll.Schedules[0].String() != "The first Sunday of the month, 10:00 to 12:00" || len(stroll.Terms) != 1 || stroll.Terms[0].Code != "be_active" {
			t.Errorf("stroll: %+v", stroll)
		}

		p = w.importPackage(t, w.place.ID, calderdale(), false)
		wantCounts(t, "calderdale again", p.sum, 0, 0, 2, 0)

		// A package that leaves a table out leaves that part of each service as it is; one
		// that has the table with no rows for a service empties it.
		pkg := calderdale()
		for _, f := range []string{"schedule.csv", "contacts.csv", "phones.csv", "languages.csv", "cost_options.csv"} {
			delete(pkg, f)
		}
		pkg["service_areas.csv"] = &fstest.MapFile{Data: []byte("id,service_id,name\n")}
		p = w.importPackage(t, w.place.ID, pkg, false)
		must(t, p.err)
		wantCounts(t, "tables left out", p.sum, 0, 2, 0, 0)
		cafe = serviceNamed(t, w, w.place.ID, "Food Bank Café")
		if len(cafe.Schedules) != 2 || len(cafe.Contacts) != 1 || cafe.Phone == "" || len(cafe.Languages) != 2 || !cafe.Free || len(cafe.Areas) != 0 {
			t.Errorf("after a package without some tables: %+v", cafe)
		}
	})
}

// TestImportPackageBadRows imports a package with bad rows in several tables: each is
// reported with its file and line, a service with a bad row anywhere is left out whole, and
// with AllOrNothing nothing is imported.
func TestImportPackageBadRows(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		pkg := calderdale()
		pkg["services.csv"] = &fstest.MapFile{Data: []byte("id,organization_id,name,description,status,minimum_age,maximum_age\n" +
			"svc-1,org-1,Food Bank Café,Food.,active,,\n" + // line 2: its schedule is bad
			"svc-2,org-2,Sunday Stroll,A walk.,active,twelve,\n" + // line 3: an age that is not a number
			"svc-3,org-2,,No name.,sometimes,,\n" + // line 4: no name, an unknown status
			"svc-4,org-2,Good Walk,A walk.,active,,\n" + // line 5: good
			"svc-5,org-2,Knit Club,\"Knitting.,active,,\n" + // line 6: an unclosed quote takes the rest of the file
			"")}
		pkg["schedule.csv"] = &fstest.MapFile{Data: []byte("id,service_id,service_at_location_id,freq,byday,opens_at,closes_at\n" +
			"sch-1,svc-1,,WEEKLY,TU,25:00,26:00\n")}
		pkg["cost_options.csv"] = &fstest.MapFile{Data: []byte("id,service_id,option,amount\n" +
			"co-1,svc-4,Free,0,extra\n" + // the wrong number of fields, for a service it names
			"co-2,svc-x,Fees,3\"x\n")} // a stray quote: whose it is cannot be told
		p := w.importPackage(t, w.place.ID, pkg, true)
		must(t, p.err)
		if !p.sum.RolledBack || w.count(t, w.place.ID) != 3 {
			t.Fatalf("all or nothing: %+v, %d services", p.sum, w.count(t, w.place.ID))
		}
		p = w.importPackage(t, w.place.ID, pkg, false)
		must(t, p.err)
		wantCounts(t, "bad rows", p.sum, 0, 0, 0, 6)
		wantAll(t, "problems", p.problems(),
			`services.csv line 2: schedule.csv line 2: opens_at: schedule.csv line 2: opens_at "25:00" is not a time of day such as 10:00.`,
			`services.csv line 3: minimum_age: minimum_age must be a number, not "twelve".`,
			"services.csv line 4: name: The service has no name.",
			`services.csv line 4: status: The status "sometimes" is not one Open Referral allows`,
			"services.csv line 5: cost_options.csv line 2: cost_options.csv line 2, which belongs to this service, cannot be read: the row has 5 fields, but the header has 4.",
			`services.csv line 6: : The row cannot be read: a quote (") is missing or out of place`,
			`cost_options.csv line 3: : The row cannot be read: a quote (") is inside a field that is not in quotes`)
		if w.count(t, w.place.ID) != 3 {
			t.Errorf("a service with a bad row was imported: %d services", w.count(t, w.place.ID))
		}
		if p.sum.OrganisationsAdded != 0 {
			t.Errorf("an organisation of bad services only was added: %+v", p.sum)
		}

		// A location whose coordinates are not numbers refuses the service, naming the row.
		pkg = calderdale()
		pkg["locations.csv"] = &fstest.MapFile{Data: []byte("id,location_type,name,latitude,longitude\nloc-1,physical,Hall,north,-2\n")}
		p = w.importPackage(t, w.place.ID, pkg, false)
		wantAll(t, "problems", p.problems(), `locations.csv line 2: latitude: locations.csv line 2: latitude must be a number, not "north".`)
	})
}

// TestImportPackageUnreadable: a package that cannot be read at all imports nothing.
func TestImportPackageUnreadable(t *testing.T) {
	w := newWorld(t, sqldbtest.Open(t, "sqlite"))
	for name, c := range map[string]struct {
		pkg  fstest.MapFS
		want string
	}{
		"no services table": {fstest.MapFS{"organizations.csv": {Data: []byte("id,name\n1,x\n")}}, "it has no services table"},
		"empty services":    {fstest.MapFS{"services.csv": {Data: nil}}, "services.csv: the file is empty"},
		"broken header":     {fstest.MapFS{"services.csv": {Data: []byte("id,\"name\n")}}, "services.csv line 1: the header row cannot be read"},
		"not UTF-8":         {fstest.MapFS{"services.csv": {Data: []byte("id,n\xe9me\n")}}, "not UTF-8 text"},
	} {
		p := w.importPackage(t, w.place.ID, c.pkg, false)
		var pe *PackageError
		if !errors.As(p.err, &pe) || !strings.Contains(pe.Error(), c.want) || len(p.records) != 0 {
			t.Errorf("%s: %v, %d records; want a PackageError with %q", name, p.err, len(p.records), c.want)
		}
	}
}

// TestOpenPackage opens a package as a directory, a zip file with the tables in a folder,
// and by its datapackage.json; a JSON file is not a package.
func TestOpenPackage(t *testing.T) {
	dir := t.TempDir()
	pkg := calderdale()
	must(t, os.MkdirAll(filepath.Join(dir, "pkg"), 0o755))
	zf, err := os.Create(filepath.Join(dir, "directory.download")) // a zip file whatever its name
	must(t, err)
	zw := zip.NewWriter(zf)
	for name, f := range pkg {
		must(t, os.WriteFile(filepath.Join(dir, "pkg", name), f.Data, 0o644))
		w, err := zw.Create("calderdale/" + name)
		must(t, err)
		_, err = w.Write(f.Data)
		must(t, err)
	}
	must(t, zw.Close())
	must(t, zf.Close())
	must(t, os.WriteFile(filepath.Join(dir, "services.json"), []byte("[]"), 0o644))
	for _, p := range []string{filepath.Join(dir, "pkg"), filepath.Join(dir, "pkg", "datapackage.json"), filepath.Join(dir, "directory.download")} {
		fsys, closer, err := OpenPackage(p)
		if err != nil || fsys == nil {
			t.Fatalf("OpenPackage(%s): %v", p, err)
		}
		if _, err := fs.Stat(fsys, "services.csv"); err != nil {
			t.Errorf("OpenPackage(%s): %v", p, err)
		}
		must(t, closer.Close())
	}
	if fsys, _, err := OpenPackage(filepath.Join(dir, "services.json")); fsys != nil || err != nil {
		t.Errorf("a JSON file opened as a package: %v", err)
	}
	must(t, os.MkdirAll(filepath.Join(dir, "empty"), 0o755))
	if _, _, err := OpenPackage(filepath.Join(dir, "empty")); err == nil || !strings.Contains(err.Error(), "no datapackage.json and no services.csv") {
		t.Errorf("an empty directory: %v", err)
	}
}
