package api_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"linkwork"
	"linkwork/api"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// searchFixture is the API fixture with postcodes, due north of YO1 7HH on one meridian,
// and a small directory in each place.
type searchFixture struct {
	*fixture
	walk, garden, scheme, paused, leedsWalk *linkwork.Service
}

func newSearchFixture(t *testing.T, db *sqldb.DB) *searchFixture {
	t.Helper()
	f := &searchFixture{fixture: newFixture(t, db)}
	ctx := context.Background()
	ended := time.Date(2020, time.January, 1, 0, 0, 0, 0, time.UTC)
	_, err := f.svc.Geography.ImportPostcodes(ctx, seq(
		&linkwork.PostcodeInfo{Postcode: "YO1 7HH", Lat: 53.95, Lng: -1.08},
		&linkwork.PostcodeInfo{Postcode: "YO1 1AA", Lat: 53.96, Lng: -1.08},  // 1.1 km
		&linkwork.PostcodeInfo{Postcode: "YO1 2AA", Lat: 53.995, Lng: -1.08}, // 5.0 km
		&linkwork.PostcodeInfo{Postcode: "YO9 9ZZ", Lat: 53.95, Lng: -1.08, Terminated: &ended},
	), linkwork.ImportOptions{})
	must(t, err)
	terms := func(p *linkwork.Place, names ...string) []int64 {
		taxes, err := f.svc.Taxonomies.ListTaxonomies(ctx, p.ID)
		must(t, err)
		var out []int64
		for _, n := range names {
			for _, tx := range taxes {
				for _, term := range tx.Terms {
					if tx.Code+":"+term.Code == n {
						out = append(out, term.ID)
					}
				}
			}
		}
		return out
	}
	add := func(p *linkwork.Place, o *linkwork.Organisation, s *linkwork.Service) *linkwork.Service {
		t.Helper()
		s.PlaceID, s.OrganisationID = p.ID, o.ID
		if s.Kind == "" {
			s.Kind = linkwork.KindActivity
		}
		if s.Status == "" {
			s.Status = linkwork.StatusActive
		}
		must(t, f.svc.Directory.CreateService(ctx, s))
		return s
	}
	at := func(postcode string) []linkwork.Location {
		return []linkwork.Location{{Name: "Hall", Address1: "1 High Street", Town: "York", Postcode: postcode}}
	}
	f.walk = add(f.placeA, f.council, &linkwork.Service{Name: "Riverside Walking Group", Free: true, MinAge: intp(18),
		Description: "A gentle walk along the river, then tea.", Phone: "01904 000000",
		TermIDs:   terms(f.placeA, "need:loneliness", "building_block:connect", "accessibility:step_free"),
		Schedules: []linkwork.Schedule{{Freq: linkwork.Weekly, Days: days(time.Tuesday), Opens: "10:00", Closes: "12:00"}},
		Locations: at("YO1 1AA"), Contacts: []linkwork.Contact{{Name: "Sam Walker", Email: "sam@example.org"}}})
	f.garden = add(f.placeA, f.health, &linkwork.Service{Name: "Community Gardening Club", Fees: "£2 a session",
		Description: "Grow vegetables in the community garden.", TermIDs: terms(f.placeA, "need:nature_gardening"),
		Schedules: []linkwork.Schedule{{Freq: linkwork.Weekly, Days: days(time.Saturday), Opens: "13:00", Closes: "15:00"}},
		Locations: at("YO1 2AA")})
	f.scheme = add(f.placeA, f.health, &linkwork.Service{Name: "York Social Prescribing", Kind: linkwork.KindScheme, Free: true,
		Description: "Link workers for the practices of York.", Areas: strs("Micklegate"),
		TermIDs: terms(f.placeA, "need:loneliness"),
		Scheme:  &linkwork.ConnectorScheme{Model: linkwork.ModelPCNLinkWorker, WhoCanRefer: []linkwork.ReferrerType{linkwork.ReferrerGP}}})
	f.paused = add(f.placeA, f.council, &linkwork.Service{Name: "Paused Walking Club", Free: true, Status: linkwork.StatusInactive,
		Description: "Walks that have stopped."})
	f.leedsWalk = add(f.placeB, f.wakefield, &linkwork.Service{Name: "Wakefield Walking Group", Free: true,
		Description: "Walks round Wakefield."})
	return f
}

// searchNames sends a search and returns the names found, in order, and the total.
func (f *searchFixture) searchNames(u *linkwork.User, params string) ([]string, int) {
	f.t.Helper()
	l := decodeList[api.SearchHit](f.as(u).do("GET", "/api/v1/search?"+params, nil).want(http.StatusOK))
	var names []string
	for _, h := range l.Items {
		names = append(names, h.Service.Name)
	}
	return names, l.Total
}

func TestSearch(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newSearchFixture(t, db)
		want := func(u *linkwork.User, params string, names ...string) {
			t.Helper()
			got, total := f.searchNames(u, params)
			if !slices.Equal(got, names) || total != len(names) {
				t.Errorf("%s: %q (total %d), want %q", params, got, total, names)
			}
		}
		// Signed in, everyone searches their own place: offers and schemes, never a paused
		// one nor another place's.
		for _, u := range []*linkwork.User{f.worker, f.admin, f.manager} {
			want(u, "", "Community Gardening Club", "Riverside Walking Group", "York Social Prescribing")
		}
		want(f.adminB, "", "Wakefield Walking Group")
		want(f.worker, "q=walks", "Riverside Walking Group")
		want(f.worker, "q=gardning+vegetabels", "Community Gardening Club")
		want(f.worker, "kind=connector_scheme", "York Social Prescribing")
		want(f.worker, "kind=activity&q=prescribing")
		lonely := idString(f.termIDs(f.worker, "need:loneliness")[0])
		connect := idString(f.termIDs(f.worker, "building_block:connect")[0])
		stepFree := idString(f.termIDs(f.worker, "accessibility:step_free")[0])
		want(f.worker, "term_id="+lonely, "Riverside Walking Group", "York Social Prescribing")
		want(f.worker, "term_id="+lonely+"&term_id="+connect, "Riverside Walking Group")
		want(f.worker, "accessibility_id="+stepFree, "Riverside Walking Group")
		want(f.worker, "free=true&kind=activity", "Riverside Walking Group")
		want(f.worker, "free=false&kind=activity", "Community Gardening Club", "Riverside Walking Group")
		want(f.worker, "age=12&kind=activity", "Community Gardening Club")
		want(f.worker, "day=6", "Community Gardening Club")
		want(f.worker, "day=2&day=6", "Community Gardening Club", "Riverside Walking Group")
		want(f.worker, "from=09:00&to=11:00", "Riverside Walking Group")
		want(f.worker, "from=14:00", "Community Gardening Club")
		want(f.worker, "to=24:00&day=6", "Community Gardening Club")
		if got, total := f.searchNames(f.worker, "per_page=1&page=2"); !slices.Equal(got, []string{"Riverside Walking Group"}) || total != 3 {
			t.Errorf("page 2 of 1 each: %q of %d", got, total)
		}

		// Near a postcode or a point: nearest first, with the distance and the location.
		want(f.worker, "postcode=yo17hh", "Riverside Walking Group")
		want(f.worker, "postcode=YO1+7HH&radius_km=10", "Riverside Walking Group", "Community Gardening Club")
		want(f.worker, "lat=53.95&lng=-1.08&radius_km=10&sort=distance", "Riverside Walking Group", "Community Gardening Club")
		res := decodeList[api.SearchHit](f.as(f.worker).do("GET", "/api/v1/search?postcode=YO1+7HH&q=walking", nil).want(http.StatusOK))
		if len(res.Items) != 1 {
			t.Fatalf("near, walking: %+v", res)
		}
		h := res.Items[0]
		if h.DistanceKm == nil || *h.DistanceKm != 1.112 || h.NearestLocation == nil || h.NearestLocation.Postcode != "YO1 1AA" {
			t.Errorf("distance %v, nearest %+v", h.DistanceKm, h.NearestLocation)
		}
		if h.Service.ID != f.walk.ID || h.Service.PageURL != baseURL+"/directory/services/"+idString(f.walk.ID) ||
			h.Service.Phone != "01904 000000" || !h.Service.Free || len(h.Service.Terms) != 3 || len(h.Service.Schedules) != 1 ||
			h.Next == nil || h.Next.Start.Weekday() != time.Tuesday || !strings.Contains(h.Snippet, "walk") {
			t.Errorf("hit %+v", h)
		}
		// A summary leaves out the people to contact.
		raw := string(f.as(f.worker).do("GET", "/api/v1/search?q=walking", nil).want(http.StatusOK).body)
		if strings.Contains(raw, "Sam Walker") || strings.Contains(raw, "sam@example.org") || strings.Contains(raw, "distance_km") {
			t.Errorf("search answer: %s", raw)
		}

		// Out of range: 400 on the parameter, saying what is allowed.
		worker := f.as(f.worker)
		for _, c := range []struct{ params, field, message string }{
			{"age=121", "age", "Enter an age from 0 to 120."},
			{"age=old", "age", "age must be a whole number from 0 to 120."},
			{"day=7", "day", "day must be a whole number from 0 (Sunday) to 6 (Saturday); repeat day for several days."},
			{"from=25:00", "from", "from must be a time from 00:00 to 23:59, as HH:MM."},
			{"to=24:30", "to", "to must be a time from 00:01 to 24:00, as HH:MM."},
			{"from=11:00&to=10:00", "to", "The end time must be after the start time."},
			{"free=yes", "free", "free must be true or false."},
			{"lat=53.95", "lng", "Give both lat and lng, or neither."},
			{"lng=-1.08", "lat", "Give both lat and lng, or neither."},
			{"lat=north&lng=-1", "lat", "lat must be a number of degrees."},
			{"lat=80&lng=-1.08", "lat", "The point to search near must be in the UK: latitude 49 to 61, longitude -9 to 2."},
			{"lat=53.95&lng=20", "lng", "The point to search near must be in the UK: latitude 49 to 61, longitude -9 to 2."},
			{"lat=NaN&lng=-1", "lat", "The point to search near must be in the UK"},
			{"postcode=YO1+7HH&lat=53.95&lng=-1.08", "postcode", "Give a postcode or a point to search near, not both."},
			{"postcode=YO1+7HH&radius_km=500", "radius_km", "Choose a distance from 0.1 to 100 km."},
			{"postcode=YO1+7HH&radius_km=0", "radius_km", "radius_km must be a number of kilometres from 0.1 to 100."},
			{"radius_km=far", "radius_km", "radius_km must be a number of kilometres from 0.1 to 100."},
			{"kind=group", "kind", "Choose the kind: activity or connector_scheme."},
			{"sort=distance", "sort", "Give a postcode to sort by distance."},
			{"sort=newest", "sort", "Sort by relevance or distance."},
			{"page=0", "page", "page must be a whole number from 1 to 1000."},
			{"page=1001", "page", "page must be a whole number from 1 to 1000."},
			{"per_page=201", "per_page", "per_page must be a whole number from 1 to 200."},
			{"q=" + strings.Repeat("x", 201), "q", "Search for at most 200 characters (you entered 201)."},
			{"term_id=one", "term_id", "term_id must be a term's ID, a whole number from 1; repeat term_id for several terms."},
			{"term_id=0", "term_id", "term_id must be a term's ID"},
			{"term_id=" + strings.Repeat("1&term_id=", 50) + "1", "term_id", "Choose at most 50 terms."},
			{"accessibility_id=" + lonely, "accessibility_id", "There is no accessibility term " + lonely + " in this place."},
			{"term_id=999999", "term_id", "There is no taxonomy term 999999 in this place."},
			{"postcode=YO9+9ZZ", "postcode", "The postcode YO9 9ZZ was ended in January 2020; use the current postcode for the address."},
			{"postcode=YO9+9ZY", "postcode", "We do not know the postcode YO9 9ZY. Check it, or use a nearby one."},
			{"postcode=nowhere", "postcode", "Enter a UK postcode such as HX1 1AA"},
		} {
			e := worker.do("GET", "/api/v1/search?"+c.params, nil).wantError(http.StatusBadRequest, linkwork.EINVALID, c.field)
			if !strings.HasPrefix(e.Message, c.message) {
				t.Errorf("%s: %q, want %q", c.params, e.Message, c.message)
			}
		}
		// Another place's term is not this place's.
		wTerm := f.termIDs(f.adminB, "need:loneliness")[0]
		worker.do("GET", "/api/v1/search?term_id="+idString(wTerm), nil).wantError(http.StatusBadRequest, linkwork.EINVALID, "term_id")

		// Every problem at once, in problems.
		var body api.ErrorBody
		worker.do("GET", "/api/v1/search?"+url.Values{"age": {"200"}, "day": {"9"}, "radius_km": {"0.01"}, "postcode": {"YO1 7HH"},
			"page": {"x"}}.Encode(), nil).want(http.StatusBadRequest).decode(&body)
		var fields []string
		for _, p := range body.Problems {
			fields = append(fields, p.Field)
		}
		slices.Sort(fields)
		if !slices.Equal(fields, []string{"age", "day", "page", "radius_km"}) {
			t.Errorf("problems %+v", body.Problems)
		}

		// An unknown postcode is reported with the other problems, though the store would
		// look it up only once they were put right.
		body = api.ErrorBody{}
		worker.do("GET", "/api/v1/search?age=200&postcode=YO9+9ZY", nil).want(http.StatusBadRequest).decode(&body)
		if len(body.Problems) != 2 || body.Problems[0].Field != "age" || body.Problems[1].Field != "postcode" ||
			!strings.HasPrefix(body.Problems[1].Message, "We do not know the postcode YO9 9ZY.") {
			t.Errorf("problems %+v", body.Problems)
		}

		// Signed out: 401.
		f.anon().do("GET", "/api/v1/search?q=walking", nil).wantError(http.StatusUnauthorized, linkwork.EUNAUTHORIZED, "-")
	})
}
