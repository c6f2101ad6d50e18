package oruk

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// fixtures is the Open Referral UK validator's mock responses.
const fixtures = refDir + "/oruk-validator-fixtures"

// imported is what one import did.
type imported struct {
	sum     linkwork.ServiceImportSummary
	records []*linkwork.ServiceImport
	err     error
}

func (im imported) failed() []*linkwork.ServiceImport {
	var out []*linkwork.ServiceImport
	for _, r := range im.records {
		if r.Outcome == linkwork.ImportFailed {
			out = append(out, r)
		}
	}
	return out
}

func (im imported) warnings() string {
	var out []string
	for _, r := range im.records {
		out = append(out, r.Warnings...)
	}
	return strings.Join(out, "\n")
}

func (w *world) importBytes(t testing.TB, placeID int64, body []byte, allOrNothing bool) imported {
	t.Helper()
	var im imported
	im.sum, im.err = Import(testContext(), w.store, w.svc.Taxonomies, placeID, bytes.NewReader(body),
		linkwork.ImportOptions{AllOrNothing: allOrNothing}, func(it *linkwork.ServiceImport) { im.records = append(im.records, it) })
	return im
}

func readFixture(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtures, path))
	if err != nil {
		t.Fatalf("the Open Referral UK validator's fixtures are missing (%v): check out shared/reference beside the repository", err)
	}
	return b
}

func (w *world) count(t testing.TB, placeID int64) int {
	t.Helper()
	_, n, err := w.store.QueryServices(testContext(), linkwork.DirectoryQuery{PlaceID: placeID})
	must(t, err)
	return n
}

func (w *world) find(t testing.TB, uuid string) *linkwork.DirectoryEntry {
	t.Helper()
	e, err := w.store.FindService(testContext(), uuid)
	if err != nil {
		t.Fatalf("service %s: %v", uuid, err)
	}
	return e
}

func wantCounts(t testing.TB, what string, got linkwork.ServiceImportSummary, added, updated, unchanged, failed int) {
	t.Helper()
	if got.Added != added || got.Updated != updated || got.Unchanged != unchanged || got.Failed != failed {
		t.Errorf("%s: %+v, want %d added, %d updated, %d unchanged, %d failed", what, got, added, updated, unchanged, failed)
	}
}

// TestImportValidatorFixtures imports the ORUK validator's mock 3.0 responses: a full
// service, a list page of it, a long page repeating it, and the failing examples.
func TestImportValidatorFixtures(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		const id = "ac148810-d857-441c-9679-408f346de14b"
		im := w.importBytes(t, w.place.ID, readFixture(t, "V3.0-UK-Default/service_full.json"), false)
		must(t, im.err)
		wantCounts(t, "service_full.json", im.sum, 1, 0, 0, 0)
		if im.sum.OrganisationsAdded != 1 || im.records[0].Ref != "service" {
			t.Errorf("service_full.json: %+v, ref %q", im.sum, im.records[0].Ref)
		}
		for _, want := range []string{`service_at_locations[0] is not in the UK (country "US")`,
			`taxonomy term "name" is not in this place's taxonomies`, "languages[0] has no name", "service_areas was longer"} {
			if !strings.Contains(im.warnings(), want) {
				t.Errorf("no warning %q in:\n%s", want, im.warnings())
			}
		}
		e := w.find(t, id)
		s := e.Service
		if s.Name != "Community Counselling" || *s.MinAge != 12 || *s.MaxAge != 100 || s.URL != "http://example.com/counselling" ||
			s.Fees != "fees_description" || s.Free || s.Status != linkwork.StatusActive || s.Kind != linkwork.KindActivity ||
			e.Organisation.UUID != "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610" || e.Organisation.Name != "Example Organization Inc." ||
			e.Organisation.Sector != linkwork.SectorOther || s.LastVerifiedAt == nil || s.LastVerifiedAt.Format(time.DateOnly) != "2005-01-01" {
			t.Errorf("imported service: %+v / %+v", s, e.Organisation)
		}
		if len(s.Schedules) != 1 || s.Schedules[0].String() != "Thursdays and Fridays, 10:00 to 18:00" ||
			!strings.HasPrefix(s.Schedules[0].Description, "The service is available") {
			t.Errorf("schedules: %+v", s.Schedules)
		}
		if len(s.Contacts) != 1 || s.Contacts[0].Name != "Ann Persona" || len(s.Locations) != 0 || len(s.Areas) != 1 {
			t.Errorf("lists: %+v %+v %+v", s.Contacts, s.Locations, s.Areas)
		}
		w.getOK(t, "/oruk/services/"+id, "service", nil)

		// Again: nothing changes, nothing is duplicated.
		im = w.importBytes(t, w.place.ID, readFixture(t, "V3.0-UK-Default/service_full.json"), false)
		wantCounts(t, "service_full.json again", im.sum, 0, 0, 1, 0)
		// The list page has the same service without its lists: they are kept.
		im = w.importBytes(t, w.place.ID, readFixture(t, "V3.0-UK-Default/service_list.json"), false)
		wantCounts(t, "service_list.json", im.sum, 0, 0, 1, 0)
		if s := w.find(t, id).Service; len(s.Schedules) != 1 || len(s.Contacts) != 1 {
			t.Errorf("a list page lost the service's lists: %+v", s)
		}

		// A long page repeating the service, some without an organisation.
		var page struct{ Contents []map[string]any }
		body := readFixture(t, "V3.0-UK-Test/service_list.json")
		must(t, json.Unmarshal(body, &page))
		noOrg := 0
		for _, c := range page.Contents {
			if c["organization"] == nil && c["organization_id"] == nil {
				noOrg++
			}
		}
		im = w.importBytes(t, w.place.ID, body, false)
		must(t, im.err)
		if im.sum.Failed != noOrg || im.sum.Added != 0 || len(im.records) != len(page.Contents) || noOrg == 0 {
			t.Errorf("V3.0-UK-Test list: %+v (%d without organisation of %d)", im.sum, noOrg, len(page.Contents))
		}
		for _, r := range im.failed() {
			if linkwork.ErrorField(r.Err) != "organization" {
				t.Errorf("%s: %v", r.Ref, r.Err)
			}
		}
		if n := w.count(t, w.place.ID); n != 4 {
			t.Errorf("%d services after importing one service many times, want 4", n)
		}

		// The failing examples fail, each for every reason it has.
		im = w.importBytes(t, w.place.ID, readFixture(t, "V3.0-UK-Fail/service_list.json"), false)
		wantCounts(t, "V3.0-UK-Fail list", im.sum, 0, 0, 0, 4)
		wantProblems := [][]string{{"name"}, {"url", "email"}, {"email"}, {"email", "name"}}
		for i, r := range im.records {
			var fields []string
			for _, e := range linkwork.FieldErrors(r.Err) {
				fields = append(fields, e.Field)
			}
			for _, f := range wantProblems[i] {
				if !slices.Contains(fields, f) {
					t.Errorf("%s: problems %v, want one about %s (%v)", r.Ref, fields, f, r.Err)
				}
			}
		}
		im = w.importBytes(t, w.place.ID, readFixture(t, "V3.0-UK-Fail/service_full.json"), false)
		wantCounts(t, "V3.0-UK-Fail full", im.sum, 0, 0, 0, 1)
		if len(linkwork.FieldErrors(im.records[0].Err)) < 2 {
			t.Errorf("V3.0-UK-Fail full: %v, want the url and the email", im.records[0].Err)
		}
		if s := w.find(t, id).Service; s.URL != "http://example.com/counselling" {
			t.Errorf("a failed record changed the service: %+v", s)
		}
	})
}

// TestImportV1 imports an ORUK v1 page: numeric ids, regular_schedules, physical_addresses,
// service_taxonomys, eligibilitys.
func TestImportV1(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		body, err := os.ReadFile("testdata/oruk_v1_services.json")
		must(t, err)
		im := w.importBytes(t, w.place.ID, body, false)
		must(t, im.err)
		wantCounts(t, "v1", im.sum, 2, 0, 0, 0)
		if im.sum.OrganisationsAdded != 1 || im.records[0].Ref != "content[0]" {
			t.Errorf("v1: %+v %q", im.sum, im.records[0].Ref)
		}
		if !strings.Contains(im.warnings(), `"Lunch clubs" is not in this place's taxonomies`) {
			t.Errorf("warnings: %s", im.warnings())
		}
		cafe := w.find(t, importedID("service", "1502"))
		s := cafe.Service
		if s.Name != "Friendship Café" || s.URL != "https://www.example.org/cafe" || !s.Free || *s.MinAge != 18 || s.MaxAge != nil ||
			s.Eligibility != "Adults" || !slices.Equal(s.Languages, []string{"English", "Polish"}) || !slices.Equal(s.Areas, []string{"Town ward"}) ||
			s.Accessibility != "Lift to all floors" || cafe.Organisation.UUID != importedID("organization", "77") {
			t.Errorf("café: %+v", s)
		}
		if len(s.Locations) != 1 || s.Locations[0].Postcode != "HX1 1AA" || *s.Locations[0].Lat != 53.7245 ||
			s.Locations[0].UUID != importedID("service_at_location", "9001") || s.Locations[0].LSOA != "" {
			t.Errorf("café location: %+v", s.Locations)
		}
		if len(s.Terms) != 1 || s.Terms[0].Code != "loneliness" || len(s.Contacts) != 1 || s.Contacts[0].Phone != "1422000111" {
			t.Errorf("café terms and contacts: %+v %+v", s.Terms, s.Contacts)
		}
		shed := w.find(t, importedID("service", "1503")).Service
		if len(shed.Schedules) != 2 || shed.Schedules[0].String() != "The first Monday of the month, 18:00 to 20:30" ||
			shed.Schedules[1].Ordinal != 3 || len(shed.Locations) != 1 || shed.Locations[0].Postcode != "HX7 8AA" ||
			*shed.Locations[0].Lat != 53.742 || len(shed.Terms) != 1 || shed.Terms[0].Code != "men" {
			t.Errorf("men's shed: %+v", shed)
		}
		// Imported services are in the search index.
		var p Page[ServiceBrief]
		w.getOK(t, q("/oruk/services", "search", "woodwork"), "service list", &p)
		if !slices.Equal(names(p), []string{"Men's Shed"}) {
			t.Errorf("search for an imported service: %q", names(p))
		}
		// Again: the same ids, so nothing new.
		im = w.importBytes(t, w.place.ID, body, false)
		wantCounts(t, "v1 again", im.sum, 0, 0, 2, 0)
		if im.sum.OrganisationsAdded != 0 {
			t.Errorf("v1 again added organisations: %+v", im.sum)
		}
	})
}

// TestImportRoundTrip reads the API's own answers back: nothing changes; a change to one
// is an update; organisations and terms are matched, not added.
func TestImportRoundTrip(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		var all []json.RawMessage
		for _, s := range []*linkwork.Service{w.walk, w.choir, w.debt} {
			_, body := w.get(t, "/oruk/services/"+s.UUID)
			all = append(all, body)
		}
		arr, _ := json.Marshal(all)
		im := w.importBytes(t, w.place.ID, arr, false)
		must(t, im.err)
		wantCounts(t, "the API's own answers", im.sum, 0, 0, 3, 0)
		if im.sum.OrganisationsAdded != 0 || im.warnings() != "" {
			t.Errorf("round trip: %+v, warnings %s", im.sum, im.warnings())
		}

		// A changed name is an update, and the rest is kept as it was.
		changed := bytes.Replace(arr, []byte("Hebden Community Choir"), []byte("Hebden Bridge Community Choir"), 1)
		im = w.importBytes(t, w.place.ID, changed, false)
		wantCounts(t, "a changed name", im.sum, 0, 1, 2, 0)
		choir := w.find(t, w.choir.UUID).Service
		if choir.Name != "Hebden Bridge Community Choir" || len(choir.Schedules) != 2 || choir.Fees != "£2 a session" ||
			len(choir.Terms) != 1 || choir.Locations[0].UUID != w.choir.Locations[0].UUID || choir.CreatedAt != w.choir.CreatedAt {
			t.Errorf("updated choir: %+v", choir)
		}
		if n := w.count(t, w.place.ID); n != 3 {
			t.Errorf("%d services, want 3", n)
		}
		var p Page[ServiceBrief]
		w.getOK(t, q("/oruk/services", "search", "bridge"), "service list", &p)
		if !slices.Equal(names(p), []string{"Hebden Bridge Community Choir"}) {
			t.Errorf("search for an updated service: %q", names(p))
		}

		// The same services in another place are refused: ids are unique to a deployment.
		other := &linkwork.Place{Name: "Kirklees"}
		must(t, w.svc.Places.CreatePlace(testContext(), other))
		im = w.importBytes(t, other.ID, arr, false)
		wantCounts(t, "another place", im.sum, 0, 0, 0, 3)
		if !strings.Contains(linkwork.ErrorMessage(im.records[0].Err), "another place") {
			t.Errorf("another place: %v", im.records[0].Err)
		}
	})
}

// TestImportMatching checks how organisations and taxonomy terms are matched.
func TestImportMatching(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		body := `[
		 {"id": "00000000-0000-4000-8000-000000000001", "name": "By org name", "status": "active",
		  "organization": {"id": "00000000-0000-4000-8000-0000000000aa", "name": "HALIFAX advice centre", "description": ""},
		  "attributes": [{"taxonomy_term": {"code": "loneliness"}},
		                 {"taxonomy_term": {"name": "Mental wellbeing", "taxonomy": "Needs"}},
		                 {"taxonomy_term": {"name": "Connect"}},
		                 {"taxonomy_term": {"term": "connect", "taxonomy": "five_ways"}},
		                 {"taxonomy_term_id": "` + w.term(t, "need", "food").UUID + `"},
		                 {"taxonomy_term": {"name": "Knitting"}}]},
		 {"id": "00000000-0000-4000-8000-000000000002", "name": "By org id", "status": "inactive",
		  "organization": {"id": "` + w.orgA.UUID + `", "name": "Renamed elsewhere"}},
		 {"id": "00000000-0000-4000-8000-000000000003", "name": "By org id only", "status": "active", "organization_id": "` + w.orgB.UUID + `"},
		 {"id": "00000000-0000-4000-8000-000000000004", "name": "Unknown org id only", "status": "active",
		  "organization_id": "00000000-0000-4000-8000-0000000000bb"},
		 {"id": "00000000-0000-4000-8000-000000000005", "name": "New org", "status": "active",
		  "organization": {"id": "00000000-0000-4000-8000-0000000000cc", "name": "Todmorden Tea Club"}},
		 {"id": "00000000-0000-4000-8000-000000000006", "name": "New org again, by name", "status": "active",
		  "organization": {"name": "todmorden tea club"}}
		]`
		im := w.importBytes(t, w.place.ID, []byte(body), false)
		must(t, im.err)
		wantCounts(t, "matching", im.sum, 5, 0, 0, 1)
		if im.sum.OrganisationsAdded != 1 {
			t.Errorf("organisations added: %d, want 1", im.sum.OrganisationsAdded)
		}
		if e := w.find(t, "00000000-0000-4000-8000-000000000001"); e.Organisation.ID != w.orgB.ID {
			t.Errorf("by name: %+v", e.Organisation)
		} else {
			var codes []string
			for _, term := range e.Service.Terms {
				codes = append(codes, term.TaxonomyCode+"/"+term.Code)
			}
			slices.Sort(codes)
			if want := []string{"five_ways/connect", "need/food", "need/loneliness", "need/mental_wellbeing"}; !slices.Equal(codes, want) {
				t.Errorf("terms %v, want %v", codes, want)
			}
		}
		if !strings.Contains(im.warnings(), `"Connect" is in more than one of this place's taxonomies (Building blocks, Five Ways to Wellbeing)`) ||
			!strings.Contains(im.warnings(), `"Knitting" is not in this place's taxonomies`) {
			t.Errorf("warnings: %s", im.warnings())
		}
		if e := w.find(t, "00000000-0000-4000-8000-000000000002"); e.Organisation.ID != w.orgA.ID || e.Organisation.Name != w.orgA.Name {
			t.Errorf("by id: %+v", e.Organisation)
		}
		if e := w.find(t, "00000000-0000-4000-8000-000000000003"); e.Organisation.ID != w.orgB.ID {
			t.Errorf("by id only: %+v", e.Organisation)
		}
		if f := im.failed(); len(f) != 1 || linkwork.ErrorField(f[0].Err) != "organization" {
			t.Errorf("unknown organisation id only: %+v", f)
		}
		a, b := w.find(t, "00000000-0000-4000-8000-000000000005"), w.find(t, "00000000-0000-4000-8000-000000000006")
		if a.Organisation.UUID != "00000000-0000-4000-8000-0000000000cc" || b.Organisation.ID != a.Organisation.ID {
			t.Errorf("new organisation: %+v, %+v", a.Organisation, b.Organisation)
		}
	})
}

// TestImportBadRecords checks that each bad record is refused with its reasons and the rest
// imported, or, all or nothing, that nothing is.
func TestImportBadRecords(t *testing.T) {
	good := func(n string) string {
		return `{"id": "00000000-0000-4000-8000-00000000000` + n + `", "name": "Good ` + n + `", "status": "active",
		 "organization": {"name": "Org"}, "schedules": [{"freq": "WEEKLY", "byday": "MO", "opens_at": "09:00", "closes_at": "10:00"}]}`
	}
	bad := []struct{ record, field, says string }{
		{`{"id": "b1", "name": "Ages", "status": "active", "organization": {"name": "Org"}, "minimum_age": 70, "maximum_age": 12}`,
			"maximum_age", "same as or more than"},
		{`{"id": "b2", "name": "Age", "status": "active", "organization": {"name": "Org"}, "minimum_age": "twelve"}`,
			"minimum_age", "must be a number, not a string"},
		{`{"id": "b3", "name": "Times", "status": "active", "organization": {"name": "Org"},
		   "schedules": [{"freq": "WEEKLY", "byday": "MO", "opens_at": "14:00", "closes_at": "09:00"}]}`,
			"schedules[0].closes_at", "after the start time"},
		{`{"id": "b4", "name": "Time", "status": "active", "organization": {"name": "Org"},
		   "schedules": [{"freq": "WEEKLY", "byday": "MO", "opens_at": "25:61", "closes_at": "26:00"}]}`,
			"schedules[0].opens_at", "not a time of day"},
		{`{"id": "b5", "name": "Status", "status": "open", "organization": {"name": "Org"}}`, "status", "active, inactive"},
		{`{"id": "b6", "name": "Locations", "status": "active", "organization": {"name": "Org"}, "service_at_locations": [{"location": {"latitude": true}}]}`,
			"service_at_locations.location.latitude", "must be a number"},
		{`"just a string"`, "", "must be a JSON object"},
		{`{"id": "b8", "status": "active", "organization": {"name": "Org"}}`, "name", "no name"},
	}
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		parts := []string{good("1")}
		for _, b := range bad {
			parts = append(parts, b.record)
		}
		parts = append(parts, good("2"))
		body := []byte("[" + strings.Join(parts, ",") + "]")

		other := &linkwork.Place{Name: "Kirklees"}
		must(t, w.svc.Places.CreatePlace(testContext(), other))
		im := w.importBytes(t, other.ID, body, true)
		must(t, im.err)
		if !im.sum.RolledBack || im.sum.Failed != len(bad) || w.count(t, other.ID) != 0 {
			t.Errorf("all or nothing: %+v, %d services", im.sum, w.count(t, other.ID))
		}
		orgs, n, err := w.svc.Organisations.ListOrganisations(testContext(), linkwork.OrganisationFilter{PlaceID: other.ID})
		must(t, err)
		if n != 0 {
			t.Errorf("all or nothing left organisations: %+v", orgs)
		}

		im = w.importBytes(t, other.ID, body, false)
		must(t, im.err)
		wantCounts(t, "good and bad", im.sum, 2, 0, 0, len(bad))
		for i, r := range im.records[1 : len(im.records)-1] {
			b := bad[i]
			if r.Outcome != linkwork.ImportFailed || r.Ref != "["+itoa(int64(i+1))+"]" {
				t.Errorf("record %d: %+v", i+1, r)
				continue
			}
			found := false
			for _, e := range linkwork.FieldErrors(r.Err) {
				if e.Field == b.field && strings.Contains(e.Message, b.says) {
					found = true
				}
			}
			if !found {
				t.Errorf("%s: %v, want %s: …%s…", r.Ref, r.Err, b.field, b.says)
			}
		}
	})
}

// TestImportBrokenFiles checks files that are not whole JSON: what came before a break is
// imported (not with AllOrNothing) and the break is reported with where it is.
func TestImportBrokenFiles(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		rec := func(n string) string {
			return `{"id": "00000000-0000-4000-8000-00000000000` + n + `", "name": "S` + n + `", "status": "active", "organization": {"name": "Org"}}`
		}
		broken := []byte(`{"total_items": 3, "contents": [` + rec("1") + `, ` + rec("2") + `, {"id": "x", "name": `)
		im := w.importBytes(t, w.place.ID, broken, true)
		var pe *ParseError
		if !errors.As(im.err, &pe) || !im.sum.RolledBack || w.count(t, w.place.ID) != 3 {
			t.Errorf("broken, all or nothing: %v %+v", im.err, im.sum)
		}
		im = w.importBytes(t, w.place.ID, broken, false)
		if !errors.As(im.err, &pe) || pe.Offset == 0 || im.sum.Added != 2 || im.sum.Failed != 1 {
			t.Errorf("broken: %v %+v", im.err, im.sum)
		}
		for body, says := range map[string]string{
			"":                       "ends part-way",
			"42":                     "expected a JSON array",
			`[{"name": "a"} {`:       "expected comma",
			`{"contents": {"a": 1}}`: "must be a list",
			`[] []`:                  "more after the end",
		} {
			im = w.importBytes(t, w.place.ID, []byte(body), false)
			if !errors.As(im.err, &pe) || !strings.Contains(pe.Error(), says) {
				t.Errorf("%q: %v, want …%s…", body, im.err, says)
			}
		}
		im = w.importBytes(t, w.place.ID, []byte(`{"total_items": 0, "contents": []}`), false)
		if im.err != nil || len(im.records) != 0 {
			t.Errorf("an empty page: %v %+v", im.err, im.records)
		}
	})
}

// TestExportRoundTrip exports a place, checks the file against the schemas, and imports it
// back: nothing changes.
func TestExportRoundTrip(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		var buf bytes.Buffer
		n, err := Export(testContext(), w.store, w.svc.Taxonomies, w.place, &buf)
		must(t, err)
		if n != 3 {
			t.Errorf("exported %d services, want 3", n)
		}
		validate(t, "service array", buf.Bytes())
		im := w.importBytes(t, w.place.ID, buf.Bytes(), false)
		must(t, im.err)
		wantCounts(t, "export imported back", im.sum, 0, 0, 3, 0)

		empty := &linkwork.Place{Name: "Empty"}
		must(t, w.svc.Places.CreatePlace(testContext(), empty))
		buf.Reset()
		n, err = Export(testContext(), w.store, w.svc.Taxonomies, empty, &buf)
		must(t, err)
		if n != 0 || strings.TrimSpace(buf.String()) != "[\n]" {
			t.Errorf("empty export: %d %q", n, buf.String())
		}
	})
}
