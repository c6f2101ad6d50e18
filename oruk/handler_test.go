package oruk

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// TestEveryResponseValidates asks every endpoint, with and without its parameters, and
// checks each answer against the ORUK 3.0 UK profile's schemas and HSDS 3.0's.
func TestEveryResponseValidates(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		need := w.taxonomy(t, linkwork.TaxonomyNeed)
		term := w.term(t, "need", "arts_creativity")
		paths := map[string]string{
			"/oruk/":                           "root",
			"/oruk/services":                   "service list",
			"/oruk/services?per_page=1&page=2": "service list",
			"/oruk/services?page=50":           "service list",
			"/oruk/services?search=walk":       "service list",
			"/oruk/services?search=singing&taxonomy_term_id=" + term.UUID:                "service list",
			"/oruk/services?search=gentle&modified_after=2000-01-01T00:00:00Z":           "service list",
			"/oruk/services?taxonomy_id=" + need.UUID + "&minimum_age=16&maximum_age=99": "service list",
			"/oruk/services?postcode=HX1+1AA&proximity=2000":                             "service list",
			"/oruk/services/" + w.walk.UUID:                                              "service",
			"/oruk/services/" + w.choir.UUID:                                             "service",
			"/oruk/services/" + w.debt.UUID:                                              "service",
			"/oruk/service_at_locations":                                                 "service_at_location list",
			"/oruk/service_at_locations?postcode=hx11aa":                                 "service_at_location list",
			"/oruk/service_at_locations?postcode=HX1+1AA&proximity=5000&search=money":    "service_at_location list",
			"/oruk/service_at_locations/" + w.walk.Locations[0].UUID:                     "service_at_location",
			"/oruk/service_at_locations/" + w.choir.Locations[0].UUID:                    "service_at_location",
			"/oruk/taxonomies":                   "taxonomy list",
			"/oruk/taxonomies?per_page=2&page=2": "taxonomy list",
			"/oruk/taxonomies/" + need.UUID:      "taxonomy",
			"/oruk/taxonomy_terms":               "taxonomy_term list",
			"/oruk/taxonomy_terms?taxonomy_id=" + need.UUID + "&search=money": "taxonomy_term list",
			"/oruk/taxonomy_terms/" + term.UUID:                               "taxonomy_term",
		}
		for path, kind := range paths {
			w.getOK(t, path, kind, nil)
		}
		// A service with nothing optional still validates.
		bare := &linkwork.Service{PlaceID: w.place.ID, OrganisationID: w.orgB.ID, Kind: linkwork.KindScheme,
			Name: "Social prescribing", Description: "Link workers for Calderdale.", Status: linkwork.StatusActive,
			Scheme: &linkwork.ConnectorScheme{Model: linkwork.ModelPCNLinkWorker, WhoCanRefer: []linkwork.ReferrerType{linkwork.ReferrerGP}}}
		must(t, w.svc.Directory.CreateService(testContext(), bare))
		w.getOK(t, "/oruk/services/"+bare.UUID, "service", nil)
	})
}

// TestServiceMapping checks what a full service says, field by field.
func TestServiceMapping(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		var s Service
		w.getOK(t, "/oruk/services/"+w.walk.UUID, "service", &s)
		if s.ID != w.walk.UUID || s.Name != w.walk.Name || s.Status != "active" || s.OrganizationID != w.orgA.UUID ||
			s.Organization.Name != w.orgA.Name || *s.MinimumAge != 18 || s.MaximumAge != nil || s.URL != w.walk.URL {
			t.Errorf("service fields: %+v", s.ServiceBrief)
		}
		if want := w.walk.UpdatedAt.UTC().Format("2006-01-02T15:04:05.000Z"); s.LastModified != want {
			t.Errorf("last_modified %q, want %q", s.LastModified, want)
		}
		if len(s.Schedules) != 1 || s.Schedules[0].ByDay != "TU,TH" || s.Schedules[0].Freq != "WEEKLY" ||
			s.Schedules[0].OpensAt != "10:00" || s.Schedules[0].ClosesAt != "12:00" {
			t.Errorf("schedules: %+v", s.Schedules)
		}
		if len(s.ServiceAtLocations) != 1 {
			t.Fatalf("service_at_locations: %+v", s.ServiceAtLocations)
		}
		sal := s.ServiceAtLocations[0]
		a := sal.Location.Addresses[0]
		if sal.ID != w.walk.Locations[0].UUID || sal.Location.ID != sal.ID || sal.Location.LocationType != "physical" ||
			a.Address1 != "Causeway" || a.Address2 != "Town Centre" || a.City != "Halifax" || a.StateProvince != "Calderdale" || a.PostalCode != "HX1 1AA" ||
			a.Country != "GB" || a.AddressType != "physical" || sal.Location.Latitude == nil || *sal.Location.Latitude != 53.7243 {
			t.Errorf("location: %+v %+v", sal.Location, a)
		}
		if len(sal.Location.Accessibility) != 1 || sal.Location.Accessibility[0].Description != w.walk.Accessibility {
			t.Errorf("accessibility: %+v", sal.Location.Accessibility)
		}
		if len(s.CostOptions) != 1 || s.CostOptions[0].Amount == nil || *s.CostOptions[0].Amount != 0 {
			t.Errorf("a free service's cost options: %+v", s.CostOptions)
		}
		if len(s.Contacts) != 1 || s.Contacts[0].Name != "Sam Walker" || s.Contacts[0].Email != "sam@example.org" ||
			s.Contacts[0].Phones[0].Number != "07700 900123" || len(s.Phones) != 1 || s.Phones[0].Number != "01422 123456" {
			t.Errorf("contacts and phones: %+v %+v", s.Contacts, s.Phones)
		}
		if len(s.Languages) != 2 || s.Languages[1].Name != "Urdu" || len(s.ServiceAreas) != 1 || s.ServiceAreas[0].Name != "Town ward" {
			t.Errorf("languages and areas: %+v %+v", s.Languages, s.ServiceAreas)
		}
		pa := w.term(t, "need", "physical_activity")
		var found bool
		for _, at := range s.Attributes {
			if at.TaxonomyTermID == pa.UUID && at.TaxonomyTerm.Name == pa.Name && at.TaxonomyTerm.Taxonomy == "Needs" &&
				at.TaxonomyTerm.TaxonomyID == w.taxonomy(t, "need").UUID && at.LinkID == s.ID {
				found = true
			}
		}
		if len(s.Attributes) != 2 || !found {
			t.Errorf("attributes: %+v", s.Attributes)
		}
		// Ids derived for what linkwork keeps without one are the same every time.
		var again Service
		w.getOK(t, "/oruk/services/"+w.walk.UUID, "service", &again)
		if again.Schedules[0].ID != s.Schedules[0].ID || again.Contacts[0].ID != s.Contacts[0].ID {
			t.Error("derived ids changed between two answers")
		}

		var choir Service
		w.getOK(t, "/oruk/services/"+w.choir.UUID, "service", &choir)
		if len(choir.Schedules) != 2 || choir.Schedules[0].ByDay != "1TH" || choir.Schedules[0].Freq != "MONTHLY" ||
			choir.Schedules[1].ByDay != "-1FR" || choir.Schedules[1].Description != "Open rehearsal" {
			t.Errorf("monthly schedules: %+v", choir.Schedules)
		}
		if len(choir.CostOptions) != 1 || choir.CostOptions[0].AmountDescription != "£2 a session" || choir.Fees != "£2 a session" {
			t.Errorf("fees: %+v %q", choir.CostOptions, choir.Fees)
		}

		var sal2 ServiceAtLocation
		w.getOK(t, "/oruk/service_at_locations/"+w.choir.Locations[0].UUID, "service_at_location", &sal2)
		if sal2.Service == nil || sal2.Service.ID != w.choir.UUID || sal2.Location.Addresses[0].City != "Hebden Bridge" {
			t.Errorf("service at location: %+v", sal2)
		}
	})
}

// TestServiceListFilters checks each parameter of /oruk/services.
func TestServiceListFilters(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		list := func(path string) []string {
			t.Helper()
			var p Page[ServiceBrief]
			w.getOK(t, path, "service list", &p)
			return names(p)
		}
		all := []string{"Calder Walking Group", "Hebden Community Choir", "Money Advice Drop-in"}
		for path, want := range map[string][]string{
			"/oruk/services": all,
			// search: through linkwork's search (stemmed, typo-tolerant), running services only
			// (the choir's organisation is Calder Valley Walks, which search matches too)
			q("/oruk/services", "search", "walks"):                                                          {"Calder Walking Group", "Hebden Community Choir"},
			q("/oruk/services", "search", "gentle"):                                                         {"Calder Walking Group"},
			q("/oruk/services", "search", "singnig"):                                                        {"Hebden Community Choir"},
			q("/oruk/services", "search", "benefits"):                                                       {"Money Advice Drop-in"},
			q("/oruk/services", "search", "zebra"):                                                          {},
			q("/oruk/services", "taxonomy_term_id", w.term(t, "need", "money_debt").UUID):                   {"Money Advice Drop-in"},
			q("/oruk/services", "taxonomy_id", w.taxonomy(t, "five_ways").UUID):                             {"Calder Walking Group"},
			q("/oruk/services", "search", "walk", "taxonomy_term_id", w.term(t, "need", "money_debt").UUID): {},
			// ORUK's ages: minimum age at least, maximum age at most (none counts as no limit)
			q("/oruk/services", "minimum_age", "17"): {"Calder Walking Group", "Money Advice Drop-in"},
			q("/oruk/services", "minimum_age", "0"):  all,
			q("/oruk/services", "maximum_age", "70"): {"Money Advice Drop-in"},
			q("/oruk/services", "maximum_age", "99"): {"Hebden Community Choir", "Money Advice Drop-in"},
			// with an age as well, search is a plain match of name and description
			q("/oruk/services", "search", "ADVICE", "minimum_age", "18"): {"Money Advice Drop-in"},
			q("/oruk/services", "search", "100%_", "minimum_age", "1"):   {},
			// near a postcode: services with a location within the distance
			q("/oruk/services", "postcode", "HX1 1AA", "proximity", "3000"):  {"Calder Walking Group", "Money Advice Drop-in"},
			q("/oruk/services", "postcode", "HX1 1AA", "proximity", "15000"): all,
		} {
			if got := list(path); !slices.Equal(got, want) {
				t.Errorf("GET %s: %q, want %q", path, got, want)
			}
		}
		// modified_after: only what changed at or after the time.
		time.Sleep(5 * time.Millisecond)
		cut := time.Now().UTC()
		time.Sleep(5 * time.Millisecond)
		w.choir.Description += " Tea and biscuits."
		must(t, w.svc.Directory.UpdateService(testContext(), w.choir))
		if got := list(q("/oruk/services", "modified_after", cut.Format(time.RFC3339Nano))); !slices.Equal(got, []string{"Hebden Community Choir"}) {
			t.Errorf("modified_after: %q", got)
		}
		if got := list(q("/oruk/services", "modified_after", "2000-01-01")); len(got) != 3 {
			t.Errorf("modified_after a date: %q", got)
		}

		// Pages.
		var p Page[ServiceBrief]
		w.getOK(t, "/oruk/services?per_page=2&page=2", "service list", &p)
		if p.TotalItems != 3 || p.TotalPages != 2 || p.PageNumber != 2 || p.Size != 1 || p.FirstPage || !p.LastPage || p.Empty ||
			names(p)[0] != "Money Advice Drop-in" {
			t.Errorf("page 2 of 2: %+v", p)
		}
		w.getOK(t, "/oruk/services?per_page=2", "service list", &p)
		if p.TotalPages != 2 || !p.FirstPage || p.LastPage || p.Size != 2 {
			t.Errorf("page 1 of 2: %+v", p)
		}
		w.getOK(t, "/oruk/services?page=9", "service list", &p)
		if !p.Empty || p.Size != 0 || !p.LastPage || p.TotalItems != 3 {
			t.Errorf("a page past the end: %+v", p)
		}
	})
}

// TestParametersOutOfRange checks that every bad parameter is a 400 that says what is
// allowed.
func TestParametersOutOfRange(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		for _, path := range []string{"/oruk/services", "/oruk/service_at_locations", "/oruk/taxonomies", "/oruk/taxonomy_terms"} {
			for _, v := range []string{"0", "201", "-1", "ten", "1.5"} {
				e := w.getError(t, q(path, "per_page", v), http.StatusBadRequest)
				if e.Field != "per_page" || !strings.Contains(e.Message, "1 to 200") || e.Minimum == nil || *e.Minimum != 1 ||
					e.Maximum == nil || *e.Maximum != 200 {
					t.Errorf("%s per_page=%s: %+v", path, v, e)
				}
			}
			e := w.getError(t, q(path, "page", "0"), http.StatusBadRequest)
			if e.Field != "page" {
				t.Errorf("%s page=0: %+v", path, e)
			}
		}
		for _, c := range []struct{ path, field, says string }{
			{q("/oruk/services", "minimum_age", "-1"), "minimum_age", "0 to 120"},
			{q("/oruk/services", "maximum_age", "121"), "maximum_age", "0 to 120"},
			{q("/oruk/services", "maximum_age", "ten"), "maximum_age", "0 to 120"},
			{q("/oruk/services", "modified_after", "yesterday"), "modified_after", "RFC 3339"},
			{q("/oruk/services", "taxonomy_term_id", "42"), "taxonomy_term_id", "UUID"},
			{q("/oruk/service_at_locations", "postcode", "HX1 1AA", "proximity", "50"), "proximity", "100 to 100000"},
			{q("/oruk/service_at_locations", "postcode", "HX1 1AA", "proximity", "far"), "proximity", "metres"},
			{q("/oruk/service_at_locations", "proximity", "1000"), "proximity", "postcode"},
			{q("/oruk/service_at_locations", "postcode", "not a postcode"), "postcode", "HX1 1AA"},
			{q("/oruk/service_at_locations", "postcode", "LS1 1AA"), "postcode", "do not know"},
			{q("/oruk/services", "search", strings.Repeat("x", 201)), "search", "200"},
		} {
			e := w.getError(t, c.path, http.StatusBadRequest)
			if e.Field != c.field || !strings.Contains(e.Message, c.says) {
				t.Errorf("GET %s: %+v, want field %s saying %q", c.path, e, c.field, c.says)
			}
		}
		for _, path := range []string{"/oruk/services/" + w.place.Name, "/oruk/services/0b2f5a1e-0000-4000-8000-000000000000",
			"/oruk/service_at_locations/" + w.walk.UUID, "/oruk/taxonomies/x", "/oruk/taxonomy_terms/" + w.walk.UUID, "/oruk/nowhere"} {
			w.getError(t, path, http.StatusNotFound)
		}
	})
}

// TestServiceAtLocationsNearPostcode checks postcode and proximity: metres from the
// postcode's centre, nearest first.
func TestServiceAtLocationsNearPostcode(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		list := func(path string) []string {
			t.Helper()
			var p Page[ServiceAtLocationBrief]
			w.getOK(t, path, "service_at_location list", &p)
			out := []string{}
			for _, s := range p.Contents {
				out = append(out, s.Service.Name+" @ "+s.Location.Addresses[0].PostalCode)
			}
			return out
		}
		walk, debt, choir := "Calder Walking Group @ HX1 1AA", "Money Advice Drop-in @ HX2 0AA", "Hebden Community Choir @ HX7 8AA"
		for path, want := range map[string][]string{
			"/oruk/service_at_locations": {walk, choir, debt}, // by name
			// HX2 0AA is about 1.6 km from HX1 1AA; HX7 8AA about 10.5 km.
			q("/oruk/service_at_locations", "postcode", "HX1 1AA"):                                          {walk, debt, choir},
			q("/oruk/service_at_locations", "postcode", "HX7 8AA"):                                          {choir, debt, walk},
			q("/oruk/service_at_locations", "postcode", "HX1 1AA", "proximity", "1000"):                     {walk},
			q("/oruk/service_at_locations", "postcode", "HX1 1AA", "proximity", "2000"):                     {walk, debt},
			q("/oruk/service_at_locations", "postcode", "HX1 1AA", "proximity", "10000"):                    {walk, debt},
			q("/oruk/service_at_locations", "postcode", "HX1 1AA", "proximity", "11000"):                    {walk, debt, choir},
			q("/oruk/service_at_locations", "postcode", "HX1 1AA", "proximity", "11000", "search", "choir"): {choir},
			q("/oruk/service_at_locations", "postcode", "hx7 8aa", "proximity", "500"):                      {choir},
		} {
			if got := list(path); !slices.Equal(got, want) {
				t.Errorf("GET %s: %q, want %q", path, got, want)
			}
		}
	})
}

// TestPlaceSelection checks which place the API serves: the only one, or the one asked for.
func TestPlaceSelection(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		var p Page[ServiceBrief]
		w.getOK(t, "/oruk/services", "service list", &p) // one place: that one
		if p.TotalItems != 3 {
			t.Fatalf("one place: %d services", p.TotalItems)
		}
		ctx := testContext()
		other := &linkwork.Place{Name: "Wakefield"}
		must(t, w.svc.Places.CreatePlace(ctx, other))
		org := &linkwork.Organisation{PlaceID: other.ID, Name: "Wakefield Walks", Sector: linkwork.SectorVCSE}
		must(t, w.svc.Organisations.CreateOrganisation(ctx, org))
		wk := &linkwork.Service{PlaceID: other.ID, OrganisationID: org.ID, Kind: linkwork.KindActivity, Name: "Pontefract Walk",
			Description: "A walk.", Status: linkwork.StatusActive}
		must(t, w.svc.Directory.CreateService(ctx, wk))

		for _, path := range []string{"/oruk/services", "/oruk/service_at_locations", "/oruk/taxonomies", "/oruk/taxonomy_terms"} {
			e := w.getError(t, path, http.StatusBadRequest)
			if e.Field != "place" || !strings.Contains(e.Message, "Calderdale") || !strings.Contains(e.Message, "Wakefield") {
				t.Errorf("%s with two places and no place: %+v", path, e)
			}
		}
		w.getOK(t, q("/oruk/services", "place", itoa(other.ID)), "service list", &p)
		if !slices.Equal(names(p), []string{"Pontefract Walk"}) {
			t.Errorf("place=%d: %q", other.ID, names(p))
		}
		w.getOK(t, q("/oruk/services", "place", itoa(w.place.ID)), "service list", &p)
		if p.TotalItems != 3 {
			t.Errorf("place=%d: %q", w.place.ID, names(p))
		}
		var terms Page[TaxonomyTerm]
		w.getOK(t, q("/oruk/taxonomy_terms", "place", itoa(other.ID), "per_page", "200"), "taxonomy_term list", &terms)
		for _, term := range terms.Contents {
			if term.ID == w.term(t, "need", "food").UUID {
				t.Error("place=Wakefield lists Calderdale's terms")
			}
		}
		w.getError(t, q("/oruk/services", "place", "999999"), http.StatusNotFound)
		if e := w.getError(t, q("/oruk/services", "place", "Calderdale"), http.StatusBadRequest); e.Field != "place" {
			t.Errorf("place by name: %+v", e)
		}
		// A record by id is found without a place, and only in its own place with one.
		w.getOK(t, "/oruk/services/"+wk.UUID, "service", nil)
		w.getOK(t, q("/oruk/services/"+wk.UUID, "place", itoa(other.ID)), "service", nil)
		w.getError(t, q("/oruk/services/"+wk.UUID, "place", itoa(w.place.ID)), http.StatusNotFound)
		w.getError(t, q("/oruk/service_at_locations/"+w.walk.Locations[0].UUID, "place", itoa(other.ID)), http.StatusNotFound)
		w.getError(t, q("/oruk/taxonomy_terms/"+w.term(t, "need", "food").UUID, "place", itoa(other.ID)), http.StatusNotFound)
		w.getOK(t, "/oruk/taxonomy_terms/"+w.term(t, "need", "food").UUID, "taxonomy_term", nil)
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
