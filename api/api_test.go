package api_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"linkwork"
	"linkwork/api"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// TestValidatorCatchesDrift makes sure the schema checks the other tests rely on do refuse
// answers that drift from the document.
func TestValidatorCatchesDrift(t *testing.T) {
	d := openAPIDoc(t)
	org := "/components/schemas/Organisation"
	good := `{"id":1,"uuid":"0f8fad5b-d9cb-469f-a165-70867728950e","place_id":1,"name":"A","sector":"nhs","created_at":"2030-03-04T09:30:15.123456Z","updated_at":"2030-03-04T09:30:15Z"}`
	if err := d.validate(org, []byte(good)); err != nil {
		t.Fatalf("a good organisation does not validate: %v", err)
	}
	for name, bad := range map[string]string{
		"extra field":   strings.Replace(good, `"name"`, `"colour":"red","name"`, 1),
		"missing field": strings.Replace(good, `"sector":"nhs",`, ``, 1),
		"bad enum":      strings.Replace(good, `"nhs"`, `"nhs_trust"`, 1),
		"bad date-time": strings.Replace(good, `"2030-03-04T09:30:15Z"`, `"4 March 2030"`, 1),
		"string id":     strings.Replace(good, `"id":1`, `"id":"1"`, 1),
		"null name":     strings.Replace(good, `"name":"A"`, `"name":null`, 1),
	} {
		if err := d.validate(org, []byte(bad)); err == nil {
			t.Errorf("%s: %s validates as an Organisation", name, bad)
		}
	}
	if err := d.validate("/components/schemas/Error", []byte(`{"error":{"code":"invalid","message":"m","field":""}}`)); err == nil {
		t.Error("an error with an empty field validates; the API omits an empty field")
	}
}

// TestShared runs the tests that change nothing but the audit trail and sessions, one after
// another on one fixture per database, because each fixture's users cost argon2 hashes.
func TestShared(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		for _, c := range []struct {
			name string
			fn   func(*testing.T, *fixture)
		}{
			{"RoutesMatchDocument", testRoutesMatchDocument},
			{"OpenAPIServed", testOpenAPIServed},
			{"Me", testMe},
			{"Authentication", testAuthentication},
			{"UnknownRoutes", testUnknownRoutes},
			{"RequestBodies", testRequestBodies},
			{"Pagination", testPagination},
			{"ListUsers", testListUsers},
			{"GetUser", testGetUser},
		} {
			t.Run(c.name, func(t *testing.T) { c.fn(t, f.in(t)) })
		}
	})
}

// testMe checks the principal's own answer, by token and by session cookie.
func testMe(t *testing.T, f *fixture) {
	var me api.Me
	f.as(f.admin).do("GET", "/api/v1/me", nil).want(http.StatusOK).decode(&me)
	if me.User.ID != f.admin.ID || me.Place.ID != f.placeA.ID || len(me.Places) != 1 || len(me.Memberships) != 1 {
		t.Errorf("admin's /me: %+v", me)
	}
	want := []string{"organisations.view", "organisations.manage", "users.view", "users.manage", "audit.view",
		"directory.manage", "practitioners.view", "practitioners.manage", "referrals.view", "capacity.view", "casework.settings",
		"landscape.view", "funding.manage", "forum.take_part", "forum.meetings", "forum.moderate", "budgets.view",
		"budgets.manage", "budgets.reports", "measures.view", "measures.manage"}
	if !slices.Equal(me.Permissions, want) {
		t.Errorf("admin's permissions %v, want %v", me.Permissions, want)
	}

	f.as(f.worker).do("GET", "/api/v1/me", nil).want(http.StatusOK).decode(&me)
	if want := []string{"organisations.view", "practitioners.view", "referrals.send", "referrals.view", "referrals.triage",
		"cases.view", "cases.manage", "forum.take_part", "forum.meetings", "budgets.view", "budgets.spend", "measures.workload"}; !slices.Equal(me.Permissions, want) {
		t.Errorf("link worker's permissions %v, want %v", me.Permissions, want)
	}
	f.as(f.manager).do("GET", "/api/v1/me", nil).want(http.StatusOK).decode(&me)
	if want := []string{"organisations.view", "users.view", "directory.manage", "practitioners.view", "practitioners.manage",
		"referrals.send", "referrals.view", "referrals.triage", "referrals.allocate", "capacity.view", "cases.view", "cases.manage",
		"cases.erase", "onward.answer", "landscape.view", "groups.portal", "forum.take_part", "forum.meetings", "budgets.view",
		"budgets.spend", "budgets.approve", "budgets.manage", "budgets.reports", "grants.apply", "measures.view",
		"measures.workload", "measures.enter"}; !slices.Equal(me.Permissions, want) {
		t.Errorf("manager's permissions %v, want %v", me.Permissions, want)
	}

	// A browser session works too.
	secret, _, err := f.svc.Sessions.CreateSession(context.Background(), f.worker.ID, f.placeA.ID, "192.0.2.1", "test")
	must(t, err)
	f.withCookie(secret).do("GET", "/api/v1/me", nil).want(http.StatusOK).decode(&me)
	if me.User.ID != f.worker.ID {
		t.Errorf("session /me is user %d, want %d", me.User.ID, f.worker.ID)
	}
	// An unknown session cookie is no one.
	f.withCookie("no-such-session").do("GET", "/api/v1/me", nil).wantError(http.StatusUnauthorized, linkwork.EUNAUTHORIZED, "-")
}

// testAuthentication checks the answers to requests without a valid principal.
func testAuthentication(t *testing.T, f *fixture) {
	for _, c := range []struct {
		name string
		cl   *client
	}{
		{"no token", f.anon()},
		{"unknown token", f.bearer("lw_" + strings.Repeat("A", 43))},
		{"token without prefix", f.bearer("abc")},
		{"empty bearer", f.header("Bearer ")},
		{"basic auth", f.header("Basic YWRtaW46YWRtaW4=")},
	} {
		for _, target := range []string{"/api/v1/me", "/api/v1/organisations", "/api/v1/users", "/api/v1/audit", "/api/v1/tokens"} {
			e := c.cl.do("GET", target, nil).wantError(http.StatusUnauthorized, linkwork.EUNAUTHORIZED, "-")
			if e.Message == "" {
				t.Errorf("%s: %s: no message", c.name, target)
			}
		}
	}
	// Writes too, before the body is read.
	f.anon().do("POST", "/api/v1/organisations", `{"name":"X","sector":"nhs"}`).wantError(http.StatusUnauthorized, linkwork.EUNAUTHORIZED, "-")
	f.anon().do("POST", "/api/v1/tokens", `{"name":"x"}`).wantError(http.StatusUnauthorized, linkwork.EUNAUTHORIZED, "-")
	f.anon().do("POST", "/api/v1/users", `{}`).wantError(http.StatusUnauthorized, linkwork.EUNAUTHORIZED, "-")
	f.anon().do("DELETE", "/api/v1/tokens/1", nil).wantError(http.StatusUnauthorized, linkwork.EUNAUTHORIZED, "-")
	f.anon().do("PUT", path("/api/v1/users/%d/memberships/%d", f.worker.ID, f.council.ID), `{"role":"admin"}`).
		wantError(http.StatusUnauthorized, linkwork.EUNAUTHORIZED, "-")
	f.anon().do("DELETE", path("/api/v1/users/%d/memberships/%d", f.worker.ID, f.health.ID), nil).
		wantError(http.StatusUnauthorized, linkwork.EUNAUTHORIZED, "-")
	f.anon().do("POST", path("/api/v1/users/%d/reset-link", f.worker.ID), nil).wantError(http.StatusUnauthorized, linkwork.EUNAUTHORIZED, "-")
	f.anon().do("POST", path("/api/v1/users/%d/unlock", f.worker.ID), nil).wantError(http.StatusUnauthorized, linkwork.EUNAUTHORIZED, "-")
	f.anon().do("GET", path("/api/v1/users/%d", f.worker.ID), nil).wantError(http.StatusUnauthorized, linkwork.EUNAUTHORIZED, "-")
	f.anon().do("GET", path("/api/v1/organisations/%d", f.council.ID), nil).wantError(http.StatusUnauthorized, linkwork.EUNAUTHORIZED, "-")
	f.anon().do("PATCH", path("/api/v1/organisations/%d", f.council.ID), `{}`).wantError(http.StatusUnauthorized, linkwork.EUNAUTHORIZED, "-")
}

// testUnknownRoutes checks that paths and methods with no route get a JSON 404.
func testUnknownRoutes(t *testing.T, f *fixture) {
	for _, c := range []*client{f.anon(), f.as(f.admin)} {
		for _, r := range [][2]string{
			{"GET", "/api/v1/nope"},
			{"GET", "/api/v1/organisations/1/members"},
			{"POST", "/api/v1/me"},
			{"DELETE", "/api/v1/organisations/1"},
			{"GET", "/api/v1/users/1/unlock"},
		} {
			e := c.do(r[0], r[1], nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
			if !strings.Contains(e.Message, r[1]) {
				t.Errorf("%s %s: message %q does not name the path", r[0], r[1], e.Message)
			}
		}
	}
}

// testRequestBodies checks that a body that is not one JSON object of the right shape is
// refused with 400, naming the field where there is one, and that the document's request
// schemas refuse the same bodies.
func testRequestBodies(t *testing.T, f *fixture) {
	admin := f.as(f.admin)
	orgPath := path("/api/v1/organisations/%d", f.council.ID)
	memberPath := path("/api/v1/users/%d/memberships/%d", f.worker.ID, f.council.ID)
	for _, c := range []struct {
		name, method, target, body, field string
		schema                            string // the request schema that must refuse the body, if any
	}{
		{"bad JSON", "POST", "/api/v1/organisations", `{"name": "X",`, "-", ""},
		{"not JSON", "POST", "/api/v1/tokens", `name=x`, "-", ""},
		{"empty body", "POST", "/api/v1/organisations", ``, "-", ""},
		{"two objects", "POST", "/api/v1/tokens", `{"name":"a"} {"name":"b"}`, "-", ""},
		{"trailing garbage", "POST", "/api/v1/tokens", `{"name":"a"} x`, "-", ""},
		{"unknown field", "POST", "/api/v1/organisations", `{"name":"X","sector":"nhs","colour":"red"}`, "colour", "NewOrganisation"},
		{"unknown field in patch", "PATCH", orgPath, `{"nmae":"X"}`, "nmae", "OrganisationUpdate"},
		{"unknown field in user", "POST", "/api/v1/users", `{"email":"a@b.org","admin":true}`, "admin", "NewUser"},
		{"unknown field in token", "POST", "/api/v1/tokens", `{"name":"a","scope":"all"}`, "scope", "NewToken"},
		{"unknown field in membership", "PUT", memberPath, `{"role":"manager","org":1}`, "org", "MembershipBody"},
		{"number for string", "POST", "/api/v1/organisations", `{"name":42,"sector":"nhs"}`, "name", "NewOrganisation"},
		{"string for number", "POST", "/api/v1/users", `{"email":"a@b.org","name":"A","password":"long enough password","organisation_id":"1","role":"admin"}`, "organisation_id", "NewUser"},
		{"string for boolean", "POST", "/api/v1/users", `{"email":"a@b.org","name":"A","password":"long enough password","organisation_id":1,"role":"admin","must_change_password":"no"}`, "must_change_password", "NewUser"},
		{"number for sector", "PATCH", orgPath, `{"sector":7}`, "sector", "OrganisationUpdate"},
		{"array for role", "PUT", memberPath, `{"role":["admin"]}`, "role", "MembershipBody"},
		{"object for token name", "POST", "/api/v1/tokens", `{"name":{"a":1}}`, "name", "NewToken"},
	} {
		e := admin.do(c.method, c.target, c.body).wantError(http.StatusBadRequest, linkwork.EINVALID, c.field)
		if c.field != "-" && !strings.Contains(e.Message, c.field) {
			t.Errorf("%s: message %q does not name the field %s", c.name, e.Message, c.field)
		}
		if c.schema != "" {
			if err := f.doc.validate("/components/schemas/"+c.schema, []byte(c.body)); err == nil {
				t.Errorf("%s: openapi.json's %s accepts %s, which the API refuses", c.name, c.schema, c.body)
			}
		}
	}
	// The messages say what is wanted.
	e := admin.do("POST", "/api/v1/users", `{"organisation_id":"1"}`).wantError(http.StatusBadRequest, linkwork.EINVALID, "organisation_id")
	if !strings.Contains(e.Message, "number") {
		t.Errorf("wrong type message %q does not say a number is wanted", e.Message)
	}
	e = admin.do("POST", "/api/v1/organisations", `{"name":"X","sector":"nhs","colour":"red"}`).wantError(http.StatusBadRequest, linkwork.EINVALID, "colour")
	if !strings.Contains(e.Message, "not a field") {
		t.Errorf("unknown field message %q", e.Message)
	}
	// A body sent as something other than JSON is refused.
	r := admin.do("POST", "/api/v1/tokens", nil) // no body at all
	r.wantError(http.StatusBadRequest, linkwork.EINVALID, "-")
}

// testPagination checks page and per_page on every paginated list.
func testPagination(t *testing.T, f *fixture) {
	admin := f.as(f.admin)
	for _, list := range []string{"/api/v1/organisations", "/api/v1/users", "/api/v1/audit"} {
		for _, c := range []struct{ query, field, rangeText string }{
			{"per_page=0", "per_page", "from 1 to 200"},
			{"per_page=201", "per_page", "from 1 to 200"},
			{"per_page=-1", "per_page", "from 1 to 200"},
			{"per_page=ten", "per_page", "from 1 to 200"},
			{"page=abc", "page", "from 1 to 1000000"},
			{"page=0", "page", "from 1 to 1000000"},
			{"page=1000001", "page", "from 1 to 1000000"},
			{"page=1.5", "page", "from 1 to 1000000"},
		} {
			e := admin.do("GET", list+"?"+c.query, nil).wantError(http.StatusBadRequest, linkwork.EINVALID, c.field)
			if !strings.Contains(e.Message, c.rangeText) {
				t.Errorf("%s?%s: message %q does not give the range %q", list, c.query, e.Message, c.rangeText)
			}
		}
		l := decodeList[map[string]any](admin.do("GET", list+"?per_page=200&page=1000000", nil).want(http.StatusOK))
		if l.Page != 1000000 || l.PerPage != 200 || len(l.Items) != 0 || l.Total == 0 {
			t.Errorf("%s at the last page: page %d, per_page %d, %d items, total %d", list, l.Page, l.PerPage, len(l.Items), l.Total)
		}
		l = decodeList[map[string]any](admin.do("GET", list, nil).want(http.StatusOK))
		if l.Page != 1 || l.PerPage != linkwork.DefaultPageSize {
			t.Errorf("%s: default page %d, per_page %d", list, l.Page, l.PerPage)
		}
	}

	// Pages of organisations: place A has two, by name.
	l := decodeList[linkwork.Organisation](admin.do("GET", "/api/v1/organisations?per_page=1", nil).want(http.StatusOK))
	if l.Total != 2 || len(l.Items) != 1 || l.Items[0].ID != f.council.ID || l.PerPage != 1 {
		t.Errorf("page 1 of 1: %+v", l)
	}
	l = decodeList[linkwork.Organisation](admin.do("GET", "/api/v1/organisations?per_page=1&page=2", nil).want(http.StatusOK))
	if l.Total != 2 || len(l.Items) != 1 || l.Items[0].ID != f.health.ID || l.Page != 2 {
		t.Errorf("page 2 of 1: %+v", l)
	}
	l = decodeList[linkwork.Organisation](admin.do("GET", "/api/v1/organisations?per_page=1&page=3", nil).want(http.StatusOK))
	if l.Total != 2 || len(l.Items) != 0 {
		t.Errorf("page 3 of 1: %+v", l)
	}
	u := decodeList[linkwork.User](admin.do("GET", "/api/v1/users?per_page=3&page=2", nil).want(http.StatusOK))
	if u.Total != 4 || len(u.Items) != 1 {
		t.Errorf("users page 2 of 3: total %d, %d items", u.Total, len(u.Items))
	}
}
