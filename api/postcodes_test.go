package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// seq yields the rows, as an import does.
func seq[T any](rows ...T) func(yield func(T, error) bool) {
	return func(yield func(T, error) bool) {
		for _, r := range rows {
			if !yield(r, nil) {
				return
			}
		}
	}
}

func TestPostcodes(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		ctx := t.Context()
		ended := time.Date(2015, time.April, 1, 0, 0, 0, 0, time.UTC)
		_, err := f.svc.Geography.ImportLSOAs(ctx, seq(&linkwork.LSOA{Code: "E01010994", Name: "Calderdale 008E",
			LocalAuthorityCode: "E08000033", LocalAuthorityName: "Calderdale", IMDRank: 1974, IMDDecile: 1}), linkwork.ImportOptions{})
		must(t, err)
		_, err = f.svc.Geography.ImportPostcodes(ctx, seq(
			&linkwork.PostcodeInfo{Postcode: "HX1 1AA", Lat: 53.724334, Lng: -1.857458, LSOA: "E01010994", Ward: "E05001386", LocalAuthority: "E08000033"},
			&linkwork.PostcodeInfo{Postcode: "HX1 1AB", Lat: 53.725515, Lng: -1.860394, LSOA: "E01010994", Terminated: &ended},
			&linkwork.PostcodeInfo{Postcode: "HX7 5AA", Lat: 53.74, Lng: -2.01},
		), linkwork.ImportOptions{})
		must(t, err)

		// Every signed-in role may look a postcode up, written any way.
		for _, u := range []*linkwork.User{f.admin, f.worker, f.manager, f.adminB} {
			for _, pc := range []string{"HX1%201AA", "hx11aa", "%20hx1%20%201aa%20"} {
				var p linkwork.PostcodeInfo
				f.as(u).do("GET", "/api/v1/postcodes/"+pc, nil).want(http.StatusOK).decode(&p)
				want := linkwork.PostcodeInfo{Postcode: "HX1 1AA", Lat: 53.724334, Lng: -1.857458, LSOA: "E01010994",
					Ward: "E05001386", LocalAuthority: "E08000033", IMDRank: 1974, IMDDecile: 1}
				if p != want {
					t.Errorf("%s: %+v, want %+v", pc, p, want)
				}
			}
		}
		worker := f.as(f.worker)
		// Unknown IMD is left out, not zero.
		res := worker.do("GET", "/api/v1/postcodes/HX75AA", nil).want(http.StatusOK)
		if strings.Contains(string(res.body), "imd") || strings.Contains(string(res.body), "terminated") {
			t.Errorf("HX7 5AA: %s", res.body)
		}

		// An ended postcode: 400 naming the month, unless asked for.
		e := worker.do("GET", "/api/v1/postcodes/HX1%201AB", nil).wantError(http.StatusBadRequest, linkwork.EINVALID, "postcode")
		if e.Message != "The postcode HX1 1AB was ended in April 2015; use the current postcode for the address." {
			t.Errorf("terminated: %q", e.Message)
		}
		var p linkwork.PostcodeInfo
		worker.do("GET", "/api/v1/postcodes/HX1%201AB?allow_terminated=true", nil).want(http.StatusOK).decode(&p)
		if p.Terminated == nil || !p.Terminated.Equal(ended) || p.IMDDecile != 1 {
			t.Errorf("terminated, allowed: %+v", p)
		}
		worker.do("GET", "/api/v1/postcodes/HX1%201AB?allow_terminated=yes", nil).wantError(http.StatusBadRequest, linkwork.EINVALID, "allow_terminated")

		// Unknown: 404 that says what to do; not a postcode: 400 that says what one is.
		e = worker.do("GET", "/api/v1/postcodes/HX9%209ZZ", nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "postcode")
		if e.Message != "We do not know the postcode HX9 9ZZ. Check it, or use a nearby one." {
			t.Errorf("unknown: %q", e.Message)
		}
		for _, bad := range []string{"HX1", "not-a-postcode", "HX1%201CA", "%C5%BF"} {
			e = worker.do("GET", "/api/v1/postcodes/"+bad, nil).wantError(http.StatusBadRequest, linkwork.EINVALID, "postcode")
			if !strings.Contains(e.Message, "HX1 1AA") {
				t.Errorf("%s: %q does not say what a postcode looks like", bad, e.Message)
			}
		}

		// Signed out: 401.
		f.anon().do("GET", "/api/v1/postcodes/HX11AA", nil).wantError(http.StatusUnauthorized, linkwork.EUNAUTHORIZED, "-")
	})
}
