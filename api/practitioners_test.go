package api_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"linkwork"
	"linkwork/api"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// practitionerBody is an entry employed by org, with every field filled in.
func practitionerBody(name string, orgID, schemeID int64) api.PractitionerBody {
	return api.PractitionerBody{Name: name, JobTitle: "Social prescribing link worker", OrganisationID: orgID, SchemeID: schemeID,
		Neighbourhoods: strs("Park", " Town ", "park"), Specialisms: strs("Gardening", "Debt"), Languages: strs("English", "Urdu"),
		Email: "Pat@Example.org", Phone: "01422 111111", Availability: "Monday to Wednesday"}
}

// createPractitioner adds an entry as u.
func (f *fixture) createPractitioner(u *linkwork.User, body any) linkwork.Practitioner {
	f.t.Helper()
	var p linkwork.Practitioner
	f.as(u).do("POST", "/api/v1/practitioners", body).want(http.StatusCreated).decode(&p)
	return p
}

func practitionerIDs(l list[linkwork.Practitioner]) []int64 {
	var ids []int64
	for _, p := range l.Items {
		ids = append(ids, p.ID)
	}
	return sortedIDs(ids...)
}

// TestPractitioners checks adding, reading, changing and searching the directory of link
// workers, and who may do each.
func TestPractitioners(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		scheme := f.createService(f.admin, schemeBody(f.health.ID, nil))
		walk := f.createService(f.admin, activityBody(f.health.ID, "Walk"))

		res := f.as(f.admin).do("POST", "/api/v1/practitioners", practitionerBody(" Pat Green ", f.health.ID, scheme.ID)).want(http.StatusCreated)
		var pat linkwork.Practitioner
		res.decode(&pat)
		if got, want := res.header.Get("Location"), "/api/v1/practitioners/"+idString(pat.ID); got != want {
			t.Errorf("Location %q, want %q", got, want)
		}
		if pat.Name != "Pat Green" || pat.PlaceID != f.placeA.ID || pat.UserID != 0 || pat.OrganisationName != f.health.Name ||
			pat.SchemeID != scheme.ID || pat.SchemeName != scheme.Name || pat.Email != "pat@example.org" ||
			!slices.Equal(pat.Neighbourhoods, strs("Park", "Town")) || !slices.Equal(pat.Specialisms, strs("Gardening", "Debt")) ||
			pat.UpdatedAt.IsZero() {
			t.Errorf("new entry %+v", pat)
		}
		// A manager adds to their own organisation only; a link worker to none.
		b := practitionerBody("Mo Field", f.health.ID, 0)
		b.Specialisms, b.Languages, b.Email, b.Phone, b.JobTitle, b.Availability = nil, strs("Polish"), "", "", "", ""
		mo := f.createPractitioner(f.manager, b)
		if mo.SchemeID != 0 || mo.SchemeName != "" || mo.Specialisms == nil || len(mo.Specialisms) != 0 {
			t.Errorf("entry without a scheme: %+v", mo)
		}
		f.as(f.manager).do("POST", "/api/v1/practitioners", practitionerBody("Cai", f.council.ID, 0)).
			wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
		f.as(f.worker).do("POST", "/api/v1/practitioners", practitionerBody("Wyn", f.health.ID, 0)).
			wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
		cai := f.createPractitioner(f.admin, practitionerBody("Cai Connector", f.council.ID, 0))

		// Validation reports every problem; the scheme must be a connector scheme of the place.
		bad := practitionerBody("", f.health.ID, walk.ID)
		bad.Email = "pat"
		res = f.as(f.admin).do("POST", "/api/v1/practitioners", bad)
		res.wantError(http.StatusBadRequest, linkwork.EINVALID, "name")
		if _, fields := problemFields(res); !slices.Equal(fields, strs("name", "email")) {
			t.Errorf("problems %v, want name and email", fields)
		}
		f.as(f.admin).do("POST", "/api/v1/practitioners", practitionerBody("Pat", f.health.ID, walk.ID)).
			wantError(http.StatusBadRequest, linkwork.EINVALID, "scheme_id")
		res = f.as(f.admin).do("POST", "/api/v1/practitioners", practitionerBody("", f.wakefield.ID, 0))
		res.wantError(http.StatusBadRequest, linkwork.EINVALID, "organisation_id")
		if _, fields := problemFields(res); !slices.Equal(fields, strs("organisation_id", "name")) {
			t.Errorf("problems %v, want organisation_id and name", fields)
		}
		f.as(f.admin).do("POST", "/api/v1/practitioners", `{"name":"Pat","organisation_id":"health"}`).
			wantError(http.StatusBadRequest, linkwork.EINVALID, "organisation_id")

		// Every professional reads the directory; community organisations do not.
		var got linkwork.Practitioner
		f.as(f.councilWorker).do("GET", path("/api/v1/practitioners/%d", pat.ID), nil).want(http.StatusOK).decode(&got)
		if !equalPractitioners(got, pat) {
			t.Errorf("GET answered %+v, POST %+v", got, pat)
		}
		community := f.community()
		f.as(community).do("GET", "/api/v1/practitioners", nil).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
		f.as(community).do("GET", path("/api/v1/practitioners/%d", pat.ID), nil).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
		f.as(community).do("PUT", path("/api/v1/practitioners/%d", pat.ID), practitionerBody("Pat", f.council.ID, 0)).
			wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")

		// Changes: a manager changes their organisation's entries, and cannot move one away.
		var upd linkwork.Practitioner
		b = practitionerBody("Pat Green", f.health.ID, 0)
		b.Availability = "Thursdays"
		f.as(f.manager).do("PUT", path("/api/v1/practitioners/%d", pat.ID), b).want(http.StatusOK).decode(&upd)
		if upd.ID != pat.ID || upd.SchemeID != 0 || upd.SchemeName != "" || upd.Availability != "Thursdays" || upd.UpdatedAt.Before(pat.UpdatedAt) {
			t.Errorf("after PUT %+v", upd)
		}
		f.as(f.manager).do("PUT", path("/api/v1/practitioners/%d", cai.ID), practitionerBody("Cai", f.council.ID, 0)).
			wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
		f.as(f.manager).do("PUT", path("/api/v1/practitioners/%d", pat.ID), practitionerBody("Pat", f.council.ID, 0)).
			wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
		f.as(f.worker).do("PUT", path("/api/v1/practitioners/%d", pat.ID), practitionerBody("Pat", f.health.ID, 0)).
			wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
		f.as(f.manager).do("PUT", path("/api/v1/practitioners/%d", pat.ID), practitionerBody("Pat", f.health.ID, 0)).
			want(http.StatusOK)
		f.as(f.manager).do("PUT", path("/api/v1/practitioners/%d", pat.ID), `{"name":""}`).
			wantError(http.StatusBadRequest, linkwork.EINVALID, "")
		f.as(f.admin).do("PUT", path("/api/v1/practitioners/%d", cai.ID), practitionerBody("Cai Connector", f.health.ID, scheme.ID)).
			want(http.StatusOK).decode(&upd)
		if upd.OrganisationID != f.health.ID || upd.SchemeID != scheme.ID {
			t.Errorf("moved entry %+v", upd)
		}

		// Another place's entries are not found.
		for _, u := range []*linkwork.User{f.adminB} {
			f.as(u).do("GET", path("/api/v1/practitioners/%d", pat.ID), nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
			f.as(u).do("PUT", path("/api/v1/practitioners/%d", pat.ID), practitionerBody("Pat", f.wakefield.ID, 0)).
				wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
			if l := decodeList[linkwork.Practitioner](f.as(u).do("GET", "/api/v1/practitioners", nil).want(http.StatusOK)); l.Total != 0 {
				t.Errorf("Wakefield lists %v", practitionerIDs(l))
			}
		}
		for _, p := range []string{"/api/v1/practitioners/abc", "/api/v1/practitioners/999999"} {
			f.as(f.worker).do("GET", p, nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
			f.as(f.admin).do("PUT", p, practitionerBody("Pat", f.health.ID, 0)).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
		}
	})
}

// equalPractitioners compares entries, their times to the instant.
func equalPractitioners(a, b linkwork.Practitioner) bool {
	if !a.UpdatedAt.Equal(b.UpdatedAt) {
		return false
	}
	a.UpdatedAt = b.UpdatedAt
	return slices.Equal(a.Neighbourhoods, b.Neighbourhoods) && slices.Equal(a.Specialisms, b.Specialisms) &&
		slices.Equal(a.Languages, b.Languages) && a.ID == b.ID && a.Name == b.Name && a.JobTitle == b.JobTitle &&
		a.OrganisationID == b.OrganisationID && a.OrganisationName == b.OrganisationName && a.SchemeID == b.SchemeID &&
		a.SchemeName == b.SchemeName && a.Email == b.Email && a.Phone == b.Phone && a.Availability == b.Availability &&
		a.UserID == b.UserID && a.PlaceID == b.PlaceID
}

// TestPractitionerFilters checks searching the directory and the audit of every read.
func TestPractitionerFilters(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		scheme := f.createService(f.admin, schemeBody(f.health.ID, nil))
		pat := f.createPractitioner(f.admin, practitionerBody("Pat Green", f.health.ID, scheme.ID))
		b := practitionerBody("Mo Field", f.health.ID, 0)
		b.Specialisms, b.Neighbourhoods, b.Languages = strs("Housing"), strs("Northowram"), strs("Polish")
		mo := f.createPractitioner(f.admin, b)
		b = practitionerBody("Cai Connector", f.council.ID, 0)
		b.Specialisms, b.Neighbourhoods, b.JobTitle = strs("Carers"), strs("Sowerby"), "Local area coordinator"
		cai := f.createPractitioner(f.admin, b)

		w := f.as(f.worker)
		for query, want := range map[string][]int64{
			"":                                       {pat.ID, mo.ID, cai.ID},
			path("?organisation_id=%d", f.health.ID): {pat.ID, mo.ID},
			path("?scheme_id=%d", scheme.ID):         {pat.ID},
			"?q=gardening":                           {pat.ID},
			"?q=" + url.QueryEscape("HEALTH pcn"):    {pat.ID, mo.ID},
			"?q=polish":                              {mo.ID},
			"?q=coordinator+sowerby":                 {cai.ID},
			"?q=" + url.QueryEscape(scheme.Name):     {pat.ID},
			"?q=100%25":                              {},
			"?q=nobody":                              {},
			path("?organisation_id=%d&q=housing", f.council.ID): {},
		} {
			l := decodeList[linkwork.Practitioner](w.do("GET", "/api/v1/practitioners"+query, nil).want(http.StatusOK))
			if !slices.Equal(practitionerIDs(l), sortedIDs(want...)) || l.Total != len(want) {
				t.Errorf("%s: %v (total %d), want %v", query, practitionerIDs(l), l.Total, want)
			}
		}
		// By name, paged.
		l := decodeList[linkwork.Practitioner](w.do("GET", "/api/v1/practitioners?per_page=2&page=2", nil).want(http.StatusOK))
		if len(l.Items) != 1 || l.Items[0].ID != pat.ID || l.Total != 3 {
			t.Errorf("page 2 of 2: %+v", l)
		}
		for query, field := range map[string]string{"?organisation_id=x": "organisation_id",
			path("?organisation_id=%d", f.wakefield.ID): "organisation_id", "?scheme_id=0": "scheme_id",
			"?q=" + strings.Repeat("a", 201): "q", "?per_page=201": "per_page"} {
			w.do("GET", "/api/v1/practitioners"+query, nil).wantError(http.StatusBadRequest, linkwork.EINVALID, field)
		}

		// Every list and every view is in the audit trail, with who looked.
		w.do("GET", path("/api/v1/practitioners/%d", mo.ID), nil).want(http.StatusOK)
		a := decodeList[linkwork.AuditEvent](f.as(f.admin).do("GET",
			path("/api/v1/audit?action=practitioner.view&actor_user_id=%d", f.worker.ID), nil).want(http.StatusOK))
		if a.Total != 1 || a.Items[0].RecordType != "practitioner" || a.Items[0].RecordID != idString(mo.ID) || a.Items[0].PlaceID != f.placeA.ID {
			t.Errorf("practitioner.view events %+v", a.Items)
		}
		a = decodeList[linkwork.AuditEvent](f.as(f.admin).do("GET",
			path("/api/v1/audit?action=practitioner.list&actor_user_id=%d", f.worker.ID), nil).want(http.StatusOK))
		if a.Total != 12 { // the 11 searches and the page; refused requests are not recorded
			t.Errorf("%d practitioner.list events, want 12", a.Total)
		}
		found := false
		for _, e := range a.Items {
			found = found || strings.Contains(e.Detail, "q=gardening")
		}
		if !found {
			t.Errorf("no practitioner.list event records the search: %+v", a.Items)
		}
	})
}

// TestOwnPractitionerEntry checks that people keep their own entry.
func TestOwnPractitionerEntry(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		w := f.as(f.worker)
		w.do("GET", "/api/v1/practitioners/me", nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")

		// The employer must be one of their own organisations in the place.
		res := w.do("PUT", "/api/v1/practitioners/me", practitionerBody("", f.council.ID, 0))
		res.wantError(http.StatusBadRequest, linkwork.EINVALID, "organisation_id")
		if _, fields := problemFields(res); !slices.Equal(fields, strs("organisation_id", "name")) {
			t.Errorf("problems %v, want organisation_id and name", fields)
		}
		w.do("PUT", "/api/v1/practitioners/me", practitionerBody("Wyn", f.wakefield.ID, 0)).
			wantError(http.StatusBadRequest, linkwork.EINVALID, "organisation_id")

		res = w.do("PUT", "/api/v1/practitioners/me", practitionerBody("Wyn Worker", f.health.ID, 0)).want(http.StatusCreated)
		var mine linkwork.Practitioner
		res.decode(&mine)
		if got, want := res.header.Get("Location"), "/api/v1/practitioners/"+idString(mine.ID); got != want {
			t.Errorf("Location %q, want %q", got, want)
		}
		if mine.UserID != f.worker.ID || mine.Name != "Wyn Worker" || mine.OrganisationID != f.health.ID {
			t.Errorf("own entry %+v", mine)
		}
		var got linkwork.Practitioner
		w.do("GET", "/api/v1/practitioners/me", nil).want(http.StatusOK).decode(&got)
		if !equalPractitioners(got, mine) {
			t.Errorf("GET me %+v, want %+v", got, mine)
		}
		b := practitionerBody("Wyn Worker", f.health.ID, 0)
		b.Availability = "Fridays"
		w.do("PUT", "/api/v1/practitioners/me", b).want(http.StatusOK).decode(&got)
		if got.ID != mine.ID || got.UserID != f.worker.ID || got.Availability != "Fridays" {
			t.Errorf("replaced own entry %+v", got)
		}
		// A manager of their organisation may change it too; it stays theirs.
		f.as(f.manager).do("PUT", path("/api/v1/practitioners/%d", mine.ID), practitionerBody("Wyn W", f.health.ID, 0)).
			want(http.StatusOK).decode(&got)
		if got.UserID != f.worker.ID {
			t.Errorf("after the manager's change, user_id %d", got.UserID)
		}
		// Others' own entries are their own: the administrator's is separate.
		f.as(f.admin).do("GET", "/api/v1/practitioners/me", nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
		f.as(f.admin).do("PUT", "/api/v1/practitioners/me", practitionerBody("Ada", f.council.ID, 0)).want(http.StatusCreated)
		l := decodeList[linkwork.Practitioner](w.do("GET", "/api/v1/practitioners", nil).want(http.StatusOK))
		if l.Total != 2 {
			t.Errorf("%d entries, want the two own ones", l.Total)
		}
		// Community organisations are not in the directory of link workers.
		community := f.community()
		f.as(community).do("GET", "/api/v1/practitioners/me", nil).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
		f.as(community).do("PUT", "/api/v1/practitioners/me", practitionerBody("Cal", f.council.ID, 0)).
			wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
		// What the server sets cannot be sent.
		w.do("PUT", "/api/v1/practitioners/me", `{"name":"Wyn","organisation_id":1,"id":5}`).
			wantError(http.StatusBadRequest, linkwork.EINVALID, "id")
	})
}
