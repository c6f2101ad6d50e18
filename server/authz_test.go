package server_test

import (
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// TestEveryRouteHasAnAccessEntry fails when a route is added without saying who may use
// it, or when the table names a route that no longer exists.
func TestEveryRouteHasAnAccessEntry(t *testing.T) {
	f := newFixture(t, sqldbtest.Open(t, "sqlite"))
	served := map[string]bool{}
	var missing []string
	for _, rt := range f.srv.Routes() {
		k := rt.Method + " " + rt.Pattern
		served[k] = true
		if _, ok := routeAccess[k]; !ok {
			missing = append(missing, k)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("routes with no entry in routeAccess (routes_table_test.go):\n  %s", strings.Join(missing, "\n  "))
	}
	for k := range routeAccess {
		if !served[k] {
			t.Errorf("routeAccess names %q, which the server does not serve", k)
		}
	}
}

// TestRoutesByRole sends every route a request as every role and checks that exactly the
// roles in the table get through. The requests carry no valid form or body, so an allowed
// request is refused by validation (or finds nothing), never by authorisation.
func TestRoutesByRole(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		for _, rt := range f.srv.Routes() {
			allowed := routeAccess[rt.Method+" "+rt.Pattern]
			path := f.concretePath(rt.Pattern)
			for _, role := range everyone {
				res := f.request(rt.Method, path, role, "")
				if path == "/signout" && role != "anonymous" {
					f.renewSession(t, role) // signing out ended it, rightly
				}
				denied := isDenied(res)
				want := slices.Contains(allowed, role)
				if denied == want {
					t.Errorf("%s %s as %s: status %d (Location %q); want allowed=%v",
						rt.Method, path, role, res.StatusCode, res.Header.Get("Location"), want)
				}
			}
		}
	})
}

// concretePath fills a route pattern with IDs that exist and that the roles allowed to use
// the route may see: the organisation X, the link worker in X, X's service and the entry
// of X's link worker in the directory, and the taxonomy of needs.
func (f *fixture) concretePath(pattern string) string {
	p := strings.TrimSuffix(pattern, "{$}")
	p = strings.ReplaceAll(p, "{org}", strconv.FormatInt(f.orgX.ID, 10))
	p = strings.ReplaceAll(p, "{code}", linkwork.TaxonomyNeed)
	switch {
	case strings.Contains(p, "/tokens/{id}"):
		p = strings.ReplaceAll(p, "{id}", "999999") // nobody's token: allowed roles get 404
	case strings.HasPrefix(p, "/organisations/") || strings.HasPrefix(p, "/api/v1/organisations/"):
		p = strings.ReplaceAll(p, "{id}", strconv.FormatInt(f.orgX.ID, 10))
	case strings.HasPrefix(p, "/oruk/"):
		p = strings.ReplaceAll(p, "{id}", f.service.UUID) // open data: a service's UUID (404 for the other kinds)
	case strings.Contains(p, "/services/{id}"):
		p = strings.ReplaceAll(p, "{id}", strconv.FormatInt(f.service.ID, 10))
	case strings.Contains(p, "/practitioners/{id}"):
		p = strings.ReplaceAll(p, "{id}", strconv.FormatInt(f.practitioner.ID, 10))
	default:
		p = strings.ReplaceAll(p, "{id}", strconv.FormatInt(f.users["link_worker"].ID, 10))
	}
	if p == "/static/" {
		p = "/static/app.css"
	}
	return p
}

// isDenied reports whether a response is an authorisation refusal: 401, 403, or a redirect
// to the sign-in page.
func isDenied(res *http.Response) bool {
	switch res.StatusCode {
	case http.StatusUnauthorized, http.StatusForbidden:
		return true
	case http.StatusSeeOther, http.StatusFound:
		return strings.HasPrefix(res.Header.Get("Location"), "/signin?next=")
	}
	return false
}
