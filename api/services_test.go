package api_test

import (
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"linkwork"
	"linkwork/api"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

func intp(i int) *int                       { return &i }
func floatp(v float64) *float64             { return &v }
func strs(v ...string) []string             { return v }
func days(d ...time.Weekday) []time.Weekday { return d }

// community adds a user with the community role in the council, whose entries they keep.
func (f *fixture) community() *linkwork.User {
	return f.user("community@york.example.org", "Cal Community", f.council, linkwork.RoleCommunity)
}

// termIDs returns the IDs of terms of u's place, named "taxonomy:code".
func (f *fixture) termIDs(u *linkwork.User, names ...string) []int64 {
	f.t.Helper()
	byName := map[string]int64{}
	for _, tx := range decodeList[linkwork.Taxonomy](f.as(u).do("GET", "/api/v1/taxonomies", nil).want(http.StatusOK)).Items {
		for _, term := range tx.Terms {
			byName[tx.Code+":"+term.Code] = term.ID
		}
	}
	var ids []int64
	for _, n := range names {
		id, ok := byName[n]
		if !ok {
			f.t.Fatalf("no term %s", n)
		}
		ids = append(ids, id)
	}
	return ids
}

// schemeBody is a connector scheme run by org with every field and list filled in, some of
// them in forms the server normalises.
func schemeBody(orgID int64, termIDs []int64) api.ServiceBody {
	return api.ServiceBody{
		OrganisationID: orgID, Kind: linkwork.KindScheme, Name: "  Calder Social Prescribing ",
		Description: "Link workers who help people with what matters to them.", URL: "https://example.org/sp",
		Email: "SP@Example.org", Phone: "01422 123456", Status: linkwork.StatusActive, MinAge: intp(18), MaxAge: intp(120),
		Eligibility: "Registered with a Calder practice.", Free: true, Fees: "None.", Accessibility: "Home visits on request.",
		Languages: strs("English", " Urdu ", "english", "", "Polish"), Areas: strs("Park", "Town"), TermIDs: termIDs,
		Schedules: []linkwork.Schedule{
			{Freq: linkwork.Weekly, Days: days(time.Thursday, time.Tuesday), Opens: "9:30", Closes: "16:00:00"},
			{Freq: linkwork.Monthly, Days: days(time.Monday), Ordinal: -1, Opens: "18:30", Closes: "20:00", Description: "Drop-in"},
		},
		Locations: []api.LocationBody{
			{Name: "Calder Surgery", Address1: "1 High Street", Town: "Halifax", Postcode: "hx1  1aa"},
			{Address1: "Park Road", Address2: "Unit 2", Town: "Halifax", Postcode: "HX3 9AA", Lat: floatp(53.7), Lng: floatp(-1.82)},
		},
		Contacts: []linkwork.Contact{{Name: "Sam Lead", Title: "Team lead", Email: "sam@example.org", Phone: "01422 000000"}},
		Scheme: &linkwork.ConnectorScheme{Model: linkwork.ModelPCNLinkWorker,
			WhoCanRefer: []linkwork.ReferrerType{linkwork.ReferrerGP, linkwork.ReferrerSelf}, HowToRefer: "Ask at reception.",
			FundingSource: "ARRS", StaffFTE: 4.5, CaseloadLimit: 40, WaitingWeeks: 3, ElectronicSystem: "EMIS",
			AssessmentTools: strs("ONS4", " SWEMWBS", "ONS4")},
	}
}

// activityBody is a small community offer run by org.
func activityBody(orgID int64, name string) api.ServiceBody {
	return api.ServiceBody{OrganisationID: orgID, Kind: linkwork.KindActivity, Name: name,
		Description: "Come along.", Status: linkwork.StatusActive, Free: true}
}

// createService adds a service as u.
func (f *fixture) createService(u *linkwork.User, body any) linkwork.Service {
	f.t.Helper()
	var s linkwork.Service
	f.as(u).do("POST", "/api/v1/services", body).want(http.StatusCreated).decode(&s)
	return s
}

// without returns body as a JSON object without some of its fields.
func without(t *testing.T, body any, fields ...string) map[string]any {
	raw, err := json.Marshal(body)
	must(t, err)
	var m map[string]any
	must(t, json.Unmarshal(raw, &m))
	for _, k := range fields {
		delete(m, k)
	}
	return m
}

func serviceIDs(l list[linkwork.Service]) []int64 {
	var ids []int64
	for _, s := range l.Items {
		ids = append(ids, s.ID)
	}
	return sortedIDs(ids...)
}

// problemFields returns the fields of an error's problems.
func problemFields(r *result) (api.ErrorBody, []string) {
	var e api.ErrorBody
	r.decode(&e)
	var fields []string
	for _, p := range e.Problems {
		fields = append(fields, p.Field)
	}
	return e, fields
}

// TestServiceRoundTrip adds a full connector scheme, reads it back and replaces it.
func TestServiceRoundTrip(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		terms := f.termIDs(f.admin, "need:loneliness", "need:nature_gardening", "five_ways:connect", "building_block:connect")
		body := schemeBody(f.health.ID, terms)
		res := f.as(f.admin).do("POST", "/api/v1/services", body).want(http.StatusCreated)
		var created linkwork.Service
		res.decode(&created)
		if got, want := res.header.Get("Location"), "/api/v1/services/"+idString(created.ID); got != want {
			t.Errorf("Location %q, want %q", got, want)
		}
		if created.PlaceID != f.placeA.ID || created.OrganisationName != f.health.Name || len(created.UUID) != 36 ||
			created.LastVerifiedAt != nil || created.VerifiedBy != "" || created.CreatedAt.IsZero() || !created.CreatedAt.Equal(created.UpdatedAt) {
			t.Errorf("server-set fields: %+v", created)
		}
		if created.Name != "Calder Social Prescribing" || created.Email != "sp@example.org" || created.Kind != linkwork.KindScheme ||
			*created.MinAge != 18 || *created.MaxAge != 120 || !created.Free || created.Fees != "None." {
			t.Errorf("fields not stored as sent (trimmed): %+v", created)
		}
		if !slices.Equal(created.Languages, strs("English", "Urdu", "Polish")) || !slices.Equal(created.Areas, strs("Park", "Town")) {
			t.Errorf("languages %q, areas %q", created.Languages, created.Areas)
		}
		if !slices.Equal(sortedIDs(created.TermIDs...), sortedIDs(slices.Clone(terms)...)) || len(created.Terms) != 4 {
			t.Errorf("term_ids %v, terms %+v; want %v", created.TermIDs, created.Terms, terms)
		}
		for _, term := range created.Terms {
			if term.Name == "" || term.TaxonomyCode == "" || !slices.Contains(terms, term.ID) {
				t.Errorf("term %+v", term)
			}
		}
		wantSchedules := []linkwork.Schedule{
			{Freq: linkwork.Weekly, Days: days(time.Tuesday, time.Thursday), Opens: "09:30", Closes: "16:00"},
			{Freq: linkwork.Monthly, Days: days(time.Monday), Ordinal: -1, Opens: "18:30", Closes: "20:00", Description: "Drop-in"},
		}
		if !reflect.DeepEqual(created.Schedules, wantSchedules) {
			t.Errorf("schedules %+v, want %+v", created.Schedules, wantSchedules)
		}
		if len(created.Locations) != 2 {
			t.Fatalf("locations %+v", created.Locations)
		}
		l0, l1 := created.Locations[0], created.Locations[1]
		// No postcodes are imported, so the first has no coordinates; the second keeps its own.
		if l0.Postcode != "HX1 1AA" || l0.Name != "Calder Surgery" || l0.Lat != nil || l0.ID == 0 || len(l0.UUID) != 36 {
			t.Errorf("first location %+v", l0)
		}
		if l1.Postcode != "HX3 9AA" || l1.Address2 != "Unit 2" || l1.Lat == nil || *l1.Lat != 53.7 || *l1.Lng != -1.82 {
			t.Errorf("second location %+v", l1)
		}
		if !reflect.DeepEqual(created.Contacts, body.Contacts) {
			t.Errorf("contacts %+v, want %+v", created.Contacts, body.Contacts)
		}
		wantScheme := *body.Scheme
		wantScheme.AssessmentTools = strs("ONS4", "SWEMWBS")
		if created.Scheme == nil || !reflect.DeepEqual(*created.Scheme, wantScheme) {
			t.Errorf("scheme %+v, want %+v", created.Scheme, wantScheme)
		}

		var got linkwork.Service
		f.as(f.admin).do("GET", path("/api/v1/services/%d", created.ID), nil).want(http.StatusOK).decode(&got)
		if !reflect.DeepEqual(got, created) {
			t.Errorf("GET answered\n%+v\nPOST answered\n%+v", got, created)
		}

		// PUT replaces everything, lists included.
		body2 := body
		body2.Name, body2.Status, body2.MinAge = "Calder Connect", linkwork.StatusTemporarilyClosed, nil
		body2.Schedules, body2.Locations, body2.Contacts = body.Schedules[:1], body.Locations[1:], nil
		body2.TermIDs = terms[:1]
		sc := *body.Scheme
		sc.WaitingWeeks, sc.WhoCanRefer = 8, []linkwork.ReferrerType{linkwork.ReferrerHousing}
		body2.Scheme = &sc
		var upd linkwork.Service
		f.as(f.manager).do("PUT", path("/api/v1/services/%d", created.ID), body2).want(http.StatusOK).decode(&upd)
		if upd.ID != created.ID || upd.UUID != created.UUID || !upd.CreatedAt.Equal(created.CreatedAt) || upd.UpdatedAt.Before(created.UpdatedAt) {
			t.Errorf("identity changed: %+v", upd)
		}
		if upd.Name != "Calder Connect" || upd.Status != linkwork.StatusTemporarilyClosed || upd.MinAge != nil || *upd.MaxAge != 120 ||
			len(upd.Schedules) != 1 || len(upd.Locations) != 1 || upd.Locations[0].Postcode != "HX3 9AA" ||
			upd.Contacts == nil || len(upd.Contacts) != 0 || !slices.Equal(upd.TermIDs, terms[:1]) ||
			upd.Scheme.WaitingWeeks != 8 || !slices.Equal(upd.Scheme.WhoCanRefer, sc.WhoCanRefer) {
			t.Errorf("after PUT: %+v", upd)
		}

		// Kind may be left out, but not changed.
		m := without(t, body2, "kind")
		m["name"] = "Calder Connectors"
		f.as(f.admin).do("PUT", path("/api/v1/services/%d", created.ID), m).want(http.StatusOK).decode(&upd)
		if upd.Kind != linkwork.KindScheme || upd.Name != "Calder Connectors" {
			t.Errorf("PUT without kind: %+v", upd)
		}
		body2.Kind = linkwork.KindActivity
		f.as(f.admin).do("PUT", path("/api/v1/services/%d", created.ID), body2).wantError(http.StatusBadRequest, linkwork.EINVALID, "kind")

		// A community offer has no scheme details; absent status means active.
		a := without(t, activityBody(f.health.ID, "Walk and talk"), "status", "scheme", "languages")
		act := f.createService(f.admin, a)
		if act.Scheme != nil || act.Status != linkwork.StatusActive || act.Languages == nil || act.Schedules == nil {
			t.Errorf("activity %+v", act)
		}
		withScheme := activityBody(f.health.ID, "Walk and talk")
		withScheme.Scheme = body.Scheme
		f.as(f.admin).do("POST", "/api/v1/services", withScheme).wantError(http.StatusBadRequest, linkwork.EINVALID, "scheme")
		// What the server sets cannot be sent.
		withID := without(t, activityBody(f.health.ID, "Walk"))
		withID["uuid"] = created.UUID
		f.as(f.admin).do("POST", "/api/v1/services", withID).wantError(http.StatusBadRequest, linkwork.EINVALID, "uuid")
		// A term of another place is refused.
		other := activityBody(f.health.ID, "Walk")
		other.TermIDs = f.termIDs(f.adminB, "need:loneliness")
		f.as(f.admin).do("POST", "/api/v1/services", other).wantError(http.StatusBadRequest, linkwork.EINVALID, "term_ids")
	})
}

// TestServiceValidation checks that every problem with a body is reported at once.
func TestServiceValidation(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		bad := map[string]any{
			"organisation_id": f.health.ID, "kind": "connector_scheme", "name": " ", "description": "",
			"status": "open", "url": "ftp://example.org", "minimum_age": 70, "maximum_age": 18,
			"schedules": []any{map[string]any{"freq": "DAILY", "days": []int{}, "opens_at": "25:00", "closes_at": "10:00"}},
			"locations": []any{map[string]any{"address_1": "", "town": "Halifax", "postcode": "HX1 1AA"}},
			"contacts":  []any{map[string]any{"name": "Sam", "email": "not an email"}},
			"scheme":    map[string]any{"model": "wizard", "who_can_refer": []string{}, "staff_fte": -1},
		}
		res := f.as(f.admin).do("POST", "/api/v1/services", bad)
		first := res.wantError(http.StatusBadRequest, linkwork.EINVALID, "name")
		e, fields := problemFields(res)
		for _, want := range []string{"name", "description", "status", "url", "maximum_age", "schedules[0].freq", "schedules[0].days",
			"schedules[0].opens_at", "locations[0].address_1", "contacts[0].email", "scheme.model", "scheme.who_can_refer",
			"scheme.staff_fte"} {
			if !slices.Contains(fields, want) {
				t.Errorf("problems %v lack %s", fields, want)
			}
		}
		if len(e.Problems) == 0 || e.Problems[0].Field != first.Field || e.Problems[0].Message != first.Message {
			t.Errorf("the first problem %+v is not the error %+v", e.Problems, first)
		}
		for _, p := range e.Problems {
			if p.Message == "" {
				t.Errorf("problem %+v has no message", p)
			}
		}

		// An organisation of another place is one of the problems, as a field.
		b := without(t, activityBody(f.wakefield.ID, ""))
		res = f.as(f.admin).do("POST", "/api/v1/services", b)
		res.wantError(http.StatusBadRequest, linkwork.EINVALID, "organisation_id")
		if _, fields := problemFields(res); !slices.Equal(fields, strs("organisation_id", "name")) {
			t.Errorf("problems %v, want organisation_id and name", fields)
		}

		// One problem has no list.
		res = f.as(f.admin).do("POST", "/api/v1/services", activityBody(f.health.ID, ""))
		res.wantError(http.StatusBadRequest, linkwork.EINVALID, "name")
		if e, _ := problemFields(res); e.Problems != nil || strings.Contains(string(res.body), "problems") {
			t.Errorf("one problem answered with a list: %s", res.body)
		}
		// Malformed JSON and wrong types are refused before validation.
		f.as(f.admin).do("POST", "/api/v1/services", `{"name":`).wantError(http.StatusBadRequest, linkwork.EINVALID, "-")
		f.as(f.admin).do("POST", "/api/v1/services", `{"schedules":[{"days":["Monday"]}]}`).
			wantError(http.StatusBadRequest, linkwork.EINVALID, "schedules.days")

		// PUT reports problems the same way, and a replacement must give the status.
		s := f.createService(f.admin, activityBody(f.health.ID, "Walk"))
		res = f.as(f.admin).do("PUT", path("/api/v1/services/%d", s.ID), without(t, activityBody(f.health.ID, ""), "status"))
		res.wantError(http.StatusBadRequest, linkwork.EINVALID, "name")
		if _, fields := problemFields(res); !slices.Equal(fields, strs("name", "status")) {
			t.Errorf("PUT problems %v, want name and status", fields)
		}
	})
}

// TestServicePostcodes checks that locations take their coordinates from the postcode lookup
// once postcodes are imported, and that unknown and ended postcodes are refused.
func TestServicePostcodes(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		ended := time.Date(2015, time.April, 1, 0, 0, 0, 0, time.UTC)
		rows := []*linkwork.PostcodeInfo{
			{Postcode: "HX1 1AA", Lat: 53.724334, Lng: -1.857458, LSOA: "E01010994"},
			{Postcode: "HX1 1AB", Lat: 53.725515, Lng: -1.860394, LSOA: "E01010994", Terminated: &ended},
		}
		_, err := f.svc.Geography.ImportPostcodes(t.Context(), func(yield func(*linkwork.PostcodeInfo, error) bool) {
			for _, r := range rows {
				if !yield(r, nil) {
					return
				}
			}
		}, linkwork.ImportOptions{})
		must(t, err)
		loc := func(postcode string) api.LocationBody {
			return api.LocationBody{Address1: "1 High Street", Town: "Halifax", Postcode: postcode}
		}
		b := activityBody(f.health.ID, "Walk")
		b.Locations = []api.LocationBody{loc("hx11aa")}
		s := f.createService(f.admin, b)
		if l := s.Locations[0]; l.Postcode != "HX1 1AA" || l.Lat == nil || *l.Lat != 53.724334 || *l.Lng != -1.857458 || l.LSOA != "E01010994" {
			t.Errorf("location %+v", l)
		}
		for postcode, field := range map[string]string{"HX9 9ZZ": "locations[1].postcode", "HX1 1AB": "locations[1].postcode",
			"HX1": "locations[1].postcode"} {
			b.Locations = []api.LocationBody{loc("HX1 1AA"), loc(postcode)}
			f.as(f.admin).do("POST", "/api/v1/services", b).wantError(http.StatusBadRequest, linkwork.EINVALID, field)
		}
	})
}

// TestServiceScoping checks that managers and community organisations keep only their own
// organisation's entries.
func TestServiceScoping(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		community := f.community()
		healthSvc := f.createService(f.manager, activityBody(f.health.ID, "Health walk"))
		councilSvc := f.createService(community, activityBody(f.council.ID, "Council choir"))
		f.as(f.manager).do("POST", "/api/v1/services", activityBody(f.council.ID, "Choir")).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
		f.as(community).do("POST", "/api/v1/services", activityBody(f.health.ID, "Walk")).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
		f.as(community).do("POST", "/api/v1/services", activityBody(f.wakefield.ID, "Walk")).
			wantError(http.StatusBadRequest, linkwork.EINVALID, "organisation_id")

		for _, c := range []struct {
			who          *linkwork.User
			own, another linkwork.Service
		}{{f.manager, healthSvc, councilSvc}, {community, councilSvc, healthSvc}} {
			u := f.as(c.who)
			u.do("GET", path("/api/v1/services/%d", c.own.ID), nil).want(http.StatusOK)
			u.do("GET", path("/api/v1/services/%d", c.another.ID), nil).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
			u.do("PUT", path("/api/v1/services/%d", c.another.ID), activityBody(c.another.OrganisationID, "Mine now")).
				wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
			u.do("POST", path("/api/v1/services/%d/verify", c.another.ID), nil).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
			// Nor can they move their own entry to an organisation they do not keep.
			u.do("PUT", path("/api/v1/services/%d", c.own.ID), activityBody(c.another.OrganisationID, "Moved")).
				wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
			l := decodeList[linkwork.Service](u.do("GET", "/api/v1/services", nil).want(http.StatusOK))
			if !slices.Equal(serviceIDs(l), []int64{c.own.ID}) || l.Total != 1 {
				t.Errorf("%s lists %v, want only %d", c.who.Email, serviceIDs(l), c.own.ID)
			}
			u.do("GET", path("/api/v1/services?organisation_id=%d", c.another.OrganisationID), nil).
				wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
		}
		l := decodeList[linkwork.Service](f.as(f.admin).do("GET", "/api/v1/services", nil).want(http.StatusOK))
		if !slices.Equal(serviceIDs(l), sortedIDs(healthSvc.ID, councilSvc.ID)) {
			t.Errorf("admin lists %v", serviceIDs(l))
		}
		f.as(f.manager).do("GET", path("/api/v1/services?organisation_id=%d", f.wakefield.ID), nil).
			wantError(http.StatusBadRequest, linkwork.EINVALID, "organisation_id")

		// Roles that do not keep the directory are refused by the router.
		for _, u := range []*linkwork.User{f.worker, f.councilWorker} {
			f.as(u).do("GET", "/api/v1/services", nil).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
			f.as(u).do("POST", "/api/v1/services", activityBody(f.health.ID, "Walk")).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
			f.as(u).do("GET", path("/api/v1/services/%d", healthSvc.ID), nil).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
			f.as(u).do("PUT", path("/api/v1/services/%d", healthSvc.ID), activityBody(f.health.ID, "Walk")).
				wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
			f.as(u).do("POST", path("/api/v1/services/%d/verify", healthSvc.ID), nil).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
		}

		// Someone who keeps the entries of several organisations lists all of them, or one.
		must(t, f.svc.Users.AddMembership(t.Context(), f.manager.ID, f.council.ID, linkwork.RoleManager))
		l = decodeList[linkwork.Service](f.as(f.manager).do("GET", "/api/v1/services", nil).want(http.StatusOK))
		if got := serviceIDs(l); len(got) != 2 || !slices.Contains(got, councilSvc.ID) || !slices.Contains(got, healthSvc.ID) {
			t.Errorf("manager of two lists %v, want both organisations' services", got)
		}
		l = decodeList[linkwork.Service](f.as(f.manager).do("GET", path("/api/v1/services?organisation_id=%d", f.council.ID), nil).want(http.StatusOK))
		if !slices.Equal(serviceIDs(l), []int64{councilSvc.ID}) {
			t.Errorf("manager of two lists %v for the council", serviceIDs(l))
		}
		f.as(f.manager).do("GET", path("/api/v1/services/%d", councilSvc.ID), nil).want(http.StatusOK)
	})
}

// TestServiceFilters checks the list's filters and paging.
func TestServiceFilters(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		scheme := f.createService(f.admin, schemeBody(f.health.ID, nil))
		walk := f.createService(f.admin, activityBody(f.health.ID, "Walk"))
		choir := f.createService(f.admin, activityBody(f.council.ID, "Choir"))
		admin := f.as(f.admin)
		for query, want := range map[string][]int64{
			"":                                       {scheme.ID, walk.ID, choir.ID},
			"?kind=connector_scheme":                 {scheme.ID},
			"?kind=activity":                         {walk.ID, choir.ID},
			path("?organisation_id=%d", f.health.ID): {scheme.ID, walk.ID},
			path("?organisation_id=%d&kind=activity", f.council.ID): {choir.ID},
			"?needs_verifying=true":                                 {scheme.ID, walk.ID, choir.ID},
		} {
			l := decodeList[linkwork.Service](admin.do("GET", "/api/v1/services"+query, nil).want(http.StatusOK))
			if !slices.Equal(serviceIDs(l), sortedIDs(want...)) || l.Total != len(want) {
				t.Errorf("%s: %v (total %d), want %v", query, serviceIDs(l), l.Total, want)
			}
		}
		l := decodeList[linkwork.Service](admin.do("GET", "/api/v1/services?per_page=1&page=2", nil).want(http.StatusOK))
		// By name: Calder Social Prescribing, Choir, Walk.
		if len(l.Items) != 1 || l.Items[0].ID != choir.ID || l.Total != 3 || l.Page != 2 || l.PerPage != 1 {
			t.Errorf("page 2 of 1: %+v", l)
		}
		for query, field := range map[string]string{"?kind=group": "kind", "?needs_verifying=yes": "needs_verifying",
			"?organisation_id=x": "organisation_id", "?organisation_id=999999": "organisation_id", "?page=0": "page"} {
			admin.do("GET", "/api/v1/services"+query, nil).wantError(http.StatusBadRequest, linkwork.EINVALID, field)
		}
	})
}

// TestServiceVerify checks verification and the list of entries that need it.
func TestServiceVerify(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		walk := f.createService(f.admin, activityBody(f.health.ID, "Walk"))
		choir := f.createService(f.admin, activityBody(f.health.ID, "Choir"))
		before := time.Now().Add(-time.Minute)
		var v linkwork.Service
		f.as(f.manager).do("POST", path("/api/v1/services/%d/verify", walk.ID), nil).want(http.StatusOK).decode(&v)
		if v.LastVerifiedAt == nil || v.LastVerifiedAt.Before(before) || v.VerifiedBy != f.manager.Email {
			t.Errorf("verified: %v by %q", v.LastVerifiedAt, v.VerifiedBy)
		}
		if v.NeedsVerifying(time.Now()) || !v.NeedsVerifying(time.Now().Add(linkwork.VerifyEvery+time.Hour)) {
			t.Errorf("NeedsVerifying after verifying at %v", v.LastVerifiedAt)
		}
		l := decodeList[linkwork.Service](f.as(f.manager).do("GET", "/api/v1/services?needs_verifying=true", nil).want(http.StatusOK))
		if !slices.Equal(serviceIDs(l), []int64{choir.ID}) {
			t.Errorf("needing verification: %v, want only %d", serviceIDs(l), choir.ID)
		}
		// Replacing the details keeps the verification.
		var upd linkwork.Service
		f.as(f.admin).do("PUT", path("/api/v1/services/%d", walk.ID), activityBody(f.health.ID, "Walk and talk")).want(http.StatusOK).decode(&upd)
		if upd.LastVerifiedAt == nil || !upd.LastVerifiedAt.Equal(*v.LastVerifiedAt) || upd.VerifiedBy != f.manager.Email {
			t.Errorf("after PUT: verified %v by %q", upd.LastVerifiedAt, upd.VerifiedBy)
		}
		a := decodeList[linkwork.AuditEvent](f.as(f.admin).do("GET", path("/api/v1/audit?action=service.verify&record_id=%d", walk.ID), nil).want(http.StatusOK))
		if a.Total != 1 || a.Items[0].ActorUserID != f.manager.ID {
			t.Errorf("audit of the verification: %+v", a.Items)
		}
		f.as(f.admin).do("POST", "/api/v1/services/999999/verify", nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	})
}

// TestServiceOtherPlace checks that a service of another place is not found.
func TestServiceOtherPlace(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		york := f.createService(f.admin, activityBody(f.health.ID, "Walk"))
		b := f.as(f.adminB)
		b.do("GET", path("/api/v1/services/%d", york.ID), nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
		b.do("PUT", path("/api/v1/services/%d", york.ID), activityBody(f.wakefield.ID, "Mine")).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
		b.do("POST", path("/api/v1/services/%d/verify", york.ID), nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
		if l := decodeList[linkwork.Service](b.do("GET", "/api/v1/services", nil).want(http.StatusOK)); l.Total != 0 {
			t.Errorf("Wakefield lists %v", serviceIDs(l))
		}
		for _, p := range []string{"/api/v1/services/abc", "/api/v1/services/0", "/api/v1/services/999999"} {
			f.as(f.admin).do("GET", p, nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
		}
		// Wakefield cannot give its service York's organisation either.
		wake := f.createService(f.adminB, activityBody(f.wakefield.ID, "Wakefield walk"))
		b.do("PUT", path("/api/v1/services/%d", wake.ID), activityBody(f.health.ID, "Walk")).
			wantError(http.StatusBadRequest, linkwork.EINVALID, "organisation_id")
		f.as(f.admin).do("GET", path("/api/v1/services/%d", wake.ID), nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	})
}

// TestDirectoryNeedsSignIn checks that every directory route refuses a request with no
// principal.
func TestDirectoryNeedsSignIn(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newServerOnly(t, db)
		for _, r := range []string{"GET /api/v1/services", "POST /api/v1/services", "GET /api/v1/services/1", "PUT /api/v1/services/1",
			"POST /api/v1/services/1/verify", "GET /api/v1/taxonomies", "POST /api/v1/taxonomies/need/terms",
			"GET /api/v1/practitioners", "POST /api/v1/practitioners", "GET /api/v1/practitioners/me", "PUT /api/v1/practitioners/me",
			"GET /api/v1/practitioners/1", "PUT /api/v1/practitioners/1"} {
			method, target, _ := strings.Cut(r, " ")
			var body any
			if method != "GET" {
				body = map[string]any{"name": "x"}
			}
			f.anon().do(method, target, body).wantError(http.StatusUnauthorized, linkwork.EUNAUTHORIZED, "-")
		}
	})
}

// TestDirectoryEnums checks that the document's enums are the domain's.
func TestDirectoryEnums(t *testing.T) {
	d := openAPIDoc(t)
	enum := func(name string) []string {
		var out []string
		for _, v := range d.at(pointer("components", "schemas", name, "enum")).([]any) {
			out = append(out, v.(string))
		}
		return out
	}
	str := func(vs ...any) []string {
		var out []string
		for _, v := range vs {
			out = append(out, reflect.ValueOf(v).String())
		}
		return out
	}
	var statuses, models, referrers []any
	for _, s := range linkwork.Statuses {
		statuses = append(statuses, s)
	}
	for _, m := range linkwork.SchemeModels {
		models = append(models, m)
	}
	for _, r := range linkwork.ReferrerTypes {
		referrers = append(referrers, r)
	}
	for name, want := range map[string][]string{
		"ServiceKind":   str(linkwork.KindActivity, linkwork.KindScheme),
		"ServiceStatus": str(statuses...),
		"SchemeModel":   str(models...),
		"ReferrerType":  str(referrers...),
	} {
		if got := enum(name); !slices.Equal(got, want) {
			t.Errorf("%s enum %v, want %v", name, got, want)
		}
	}
	for _, m := range linkwork.SchemeModels {
		if m.Label() == "" {
			t.Errorf("scheme model %s has no label", m)
		}
	}
}
