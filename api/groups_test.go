package api_test

import (
	"net/http"
	"testing"
	"time"

	"linkwork"
	"linkwork/api"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// groupFixture is the API fixture with two community groups of York: the garden (a member
// and a manager, and Lunch Club at HX1 1AA) and the choir (a member, and Sing Together);
// a commissioner; a connector scheme of health; and a Wakefield offer.
type groupFixture struct {
	*fixture
	garden, choir             *linkwork.Organisation
	gardener, keeper, singer  *linkwork.User
	commissioner              *linkwork.User
	lunch, sing, scheme, wake *linkwork.Service
}

func newGroupFixture(t *testing.T, db *sqldb.DB) *groupFixture {
	t.Helper()
	gf := &groupFixture{fixture: newFixture(t, db)}
	f, ctx := gf.fixture, t.Context()
	_, err := f.svc.Geography.ImportLSOAs(ctx, seq(&linkwork.LSOA{Code: "E01010994", Name: "Calderdale 008E",
		LocalAuthorityCode: "E08000033", LocalAuthorityName: "Calderdale", IMDRank: 1974, IMDDecile: 1}), linkwork.ImportOptions{})
	must(t, err)
	ended := time.Date(2015, time.April, 1, 0, 0, 0, 0, time.UTC)
	_, err = f.svc.Geography.ImportPostcodes(ctx, seq(
		&linkwork.PostcodeInfo{Postcode: "HX1 1AA", Lat: 53.724334, Lng: -1.857458, LSOA: "E01010994", Ward: "E05001386", LocalAuthority: "E08000033"},
		&linkwork.PostcodeInfo{Postcode: "HX1 1AB", Lat: 53.725515, Lng: -1.860394, LSOA: "E01010994", Terminated: &ended},
	), linkwork.ImportOptions{})
	must(t, err)
	org := func(name string) *linkwork.Organisation {
		o := &linkwork.Organisation{PlaceID: f.placeA.ID, Name: name, Sector: linkwork.SectorVCSE}
		must(t, f.svc.Organisations.CreateOrganisation(ctx, o))
		return o
	}
	gf.garden, gf.choir = org("York Community Garden"), org("York Choir")
	gf.gardener = f.user("garden@york.example.org", "Gil Gardener", gf.garden, linkwork.RoleCommunity)
	gf.keeper = f.user("garden.manager@york.example.org", "Kit Keeper", gf.garden, linkwork.RoleManager)
	gf.singer = f.user("choir@york.example.org", "Sol Singer", gf.choir, linkwork.RoleCommunity)
	gf.commissioner = f.user("commissioner@york.example.org", "Cy Commissioner", f.council, linkwork.RoleCommissioner)
	add := func(o *linkwork.Organisation, s *linkwork.Service) *linkwork.Service {
		t.Helper()
		s.PlaceID, s.OrganisationID, s.Status, s.Free, s.Description = o.PlaceID, o.ID, linkwork.StatusActive, true, "Something to do."
		if s.Kind == "" {
			s.Kind = linkwork.KindActivity
		}
		must(t, f.svc.Directory.CreateService(ctx, s))
		return s
	}
	gf.lunch = add(gf.garden, &linkwork.Service{Name: "Lunch Club",
		Locations: []linkwork.Location{{Name: "Garden Hall", Address1: "1 High Street", Town: "York", Postcode: "HX1 1AA"}}})
	gf.sing = add(gf.choir, &linkwork.Service{Name: "Sing Together"})
	gf.scheme = add(f.health, &linkwork.Service{Name: "Health Connect", Kind: linkwork.KindScheme,
		Scheme: &linkwork.ConnectorScheme{Model: linkwork.ModelPCNLinkWorker, WhoCanRefer: []linkwork.ReferrerType{linkwork.ReferrerGP}}})
	gf.wake = add(f.wakefield, &linkwork.Service{Name: "Wakefield Walks"})
	return gf
}

func TestGroupPortalAPI(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		gf := newGroupFixture(t, db)
		for _, c := range []struct {
			name string
			fn   func(*testing.T, *groupFixture)
		}{
			{"Availability", testAvailabilityAPI},
			{"Volunteers", testVolunteersAPI},
			{"Activities", testActivitiesAPI},
			{"Requests", testGroupRequestsAPI},
		} {
			t.Run(c.name, func(t *testing.T) {
				g := *gf
				g.fixture = gf.fixture.in(t)
				c.fn(t, &g)
			})
		}
	})
}

func testAvailabilityAPI(t *testing.T, gf *groupFixture) {
	lunch := path("/api/v1/services/%d/availability", gf.lunch.ID)
	gf.anon().do("GET", lunch, nil).wantError(http.StatusUnauthorized, linkwork.EUNAUTHORIZED, "-")
	gf.as(gf.worker).do("GET", lunch, nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")

	four := 4
	var a api.AvailabilityView
	gf.as(gf.gardener).do("PUT", lunch, api.AvailabilityBody{PlacesLeft: &four, Note: " Ring first "}).want(http.StatusOK).decode(&a)
	if a.ServiceID != gf.lunch.ID || a.Full || a.PlacesLeft == nil || *a.PlacesLeft != 4 || a.PlacesThisWeek == nil || *a.PlacesThisWeek != 4 ||
		a.Note != "Ring first" || a.UpdatedBy != gf.gardener.Name || !a.Week.Equal(linkwork.WeekOf(time.Now())) {
		t.Fatalf("saved %+v", a)
	}
	// Anyone signed in to the place reads it, as the directory shows it.
	var read api.AvailabilityView
	gf.as(gf.worker).do("GET", lunch, nil).want(http.StatusOK).decode(&read)
	if read.PlacesThisWeek == nil || *read.PlacesThisWeek != 4 {
		t.Fatalf("read %+v", read)
	}
	// Next week's places are not this week's.
	next := linkwork.WeekOf(time.Now()).AddDate(0, 0, 9).Format(time.DateOnly)
	var later api.AvailabilityView
	gf.as(gf.keeper).do("PUT", lunch, api.AvailabilityBody{Full: true, PlacesLeft: &four, Week: next}).want(http.StatusOK).decode(&later)
	if !later.Full || later.PlacesThisWeek != nil || later.PlacesLeft == nil {
		t.Fatalf("next week %+v", later)
	}

	// Not found: a connector scheme, another place's offer, no such service.
	gf.as(gf.worker).do("GET", path("/api/v1/services/%d/availability", gf.scheme.ID), nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	gf.as(gf.adminB).do("GET", lunch, nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	gf.as(gf.gardener).do("PUT", "/api/v1/services/999999/availability", api.AvailabilityBody{}).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	// Only the offer's group says how full it is.
	gf.as(gf.singer).do("PUT", lunch, api.AvailabilityBody{Full: true}).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	gf.as(gf.worker).do("PUT", lunch, api.AvailabilityBody{Full: true}).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	gf.anon().do("PUT", lunch, api.AvailabilityBody{Full: true}).wantError(http.StatusUnauthorized, linkwork.EUNAUTHORIZED, "-")
	// Bad input names the field and changes nothing.
	minus := -1
	gf.as(gf.gardener).do("PUT", lunch, api.AvailabilityBody{PlacesLeft: &minus}).wantError(http.StatusBadRequest, linkwork.EINVALID, "places_left")
	gf.as(gf.gardener).do("PUT", lunch, api.AvailabilityBody{Week: "soon"}).wantError(http.StatusBadRequest, linkwork.EINVALID, "week")
	gf.as(gf.gardener).do("PUT", lunch, api.AvailabilityBody{Week: "2020-01-06"}).wantError(http.StatusBadRequest, linkwork.EINVALID, "week")
	gf.as(gf.gardener).do("PUT", lunch, `{"full":"yes"}`).wantError(http.StatusBadRequest, linkwork.EINVALID, "full")
	var unchanged api.AvailabilityView
	gf.as(gf.worker).do("GET", lunch, nil).want(http.StatusOK).decode(&unchanged)
	if !unchanged.Full || !unchanged.Week.Equal(later.Week) || !unchanged.UpdatedAt.Equal(later.UpdatedAt) {
		t.Fatalf("bad input changed it: %+v", unchanged)
	}
}

func testVolunteersAPI(t *testing.T, gf *groupFixture) {
	target := path("/api/v1/groups/%d/volunteers", gf.garden.ID)
	month := time.Now().In(linkwork.London).Format("2006-01")
	five, twenty, zero := 5, 20, 0
	var v linkwork.VolunteerMonth
	gf.as(gf.gardener).do("PUT", target, api.VolunteerBody{Month: month, Volunteers: &five, Hours: &twenty}).want(http.StatusOK).decode(&v)
	if v.OrganisationID != gf.garden.ID || v.Volunteers != 5 || v.Hours != 20 || v.Month.Format("2006-01") != month || v.UpdatedBy != gf.gardener.Name {
		t.Fatalf("saved %+v", v)
	}
	gf.as(gf.keeper).do("PUT", target, api.VolunteerBody{Month: month, Volunteers: &five, Hours: &zero}).want(http.StatusOK)
	l := decodeList[linkwork.VolunteerMonth](gf.as(gf.gardener).do("GET", target, nil).want(http.StatusOK))
	if l.Total != 1 || len(l.Items) != 1 || l.Items[0].Hours != 0 {
		t.Fatalf("months %+v", l)
	}
	gf.as(gf.gardener).do("GET", target+"?page=0", nil).wantError(http.StatusBadRequest, linkwork.EINVALID, "page")
	for _, c := range []struct {
		body  any
		field string
	}{
		{api.VolunteerBody{Month: "March", Volunteers: &five, Hours: &twenty}, "month"},
		{api.VolunteerBody{Month: month, Hours: &twenty}, "volunteers"},
		{api.VolunteerBody{Month: "2999-01", Volunteers: &five, Hours: &twenty}, "month"},
		{api.VolunteerBody{Month: month, Volunteers: &zero, Hours: &twenty}, "volunteers"},
		{`{"month":"` + month + `","volunteers":"five","hours":1}`, "volunteers"},
	} {
		gf.as(gf.gardener).do("PUT", target, c.body).wantError(http.StatusBadRequest, linkwork.EINVALID, c.field)
	}
	// Another group's records are not found; link workers have none; signed out, 401.
	gf.as(gf.singer).do("GET", target, nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	gf.as(gf.singer).do("PUT", target, api.VolunteerBody{Month: month, Volunteers: &five, Hours: &twenty}).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	gf.as(gf.worker).do("GET", target, nil).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	gf.as(gf.worker).do("PUT", target, api.VolunteerBody{}).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	gf.anon().do("GET", target, nil).wantError(http.StatusUnauthorized, linkwork.EUNAUTHORIZED, "-")
	gf.anon().do("PUT", target, api.VolunteerBody{}).wantError(http.StatusUnauthorized, linkwork.EUNAUTHORIZED, "-")
	if l := decodeList[linkwork.VolunteerMonth](gf.as(gf.gardener).do("GET", target, nil).want(http.StatusOK)); l.Total != 1 || l.Items[0].Hours != 0 {
		t.Fatalf("bad input changed the months: %+v", l)
	}
}

func testActivitiesAPI(t *testing.T, gf *groupFixture) {
	target := path("/api/v1/groups/%d/activities", gf.garden.ID)
	today := time.Now().In(linkwork.London).Format(time.DateOnly)
	var a linkwork.NewActivity
	res := gf.as(gf.gardener).do("POST", target, api.ActivityBody{Name: "Seed Swap", StartedOn: today, Need: "loneliness", CoProduced: true,
		ServiceID: gf.lunch.ID, Description: "Bring seeds."})
	res.want(http.StatusCreated).decode(&a)
	if a.ID == 0 || a.OrganisationID != gf.garden.ID || a.PlaceID != gf.placeA.ID || !a.CoProduced || a.ServiceID != gf.lunch.ID ||
		a.StartedOn.Format(time.DateOnly) != today || a.CreatedBy != gf.gardener.Name {
		t.Fatalf("added %+v", a)
	}
	l := decodeList[linkwork.NewActivity](gf.as(gf.keeper).do("GET", target, nil).want(http.StatusOK))
	if l.Total != 1 || l.Items[0].ID != a.ID {
		t.Fatalf("activities %+v", l)
	}
	gf.as(gf.gardener).do("GET", target+"?per_page=500", nil).wantError(http.StatusBadRequest, linkwork.EINVALID, "per_page")
	for _, c := range []struct {
		body  any
		field string
	}{
		{api.ActivityBody{StartedOn: today}, "name"},
		{api.ActivityBody{Name: "Walks", StartedOn: "last week"}, "started_on"},
		{api.ActivityBody{Name: "Walks"}, "started_on"},
		{api.ActivityBody{Name: "Walks", StartedOn: today, ServiceID: gf.sing.ID}, "service_id"},
		{api.ActivityBody{Name: "Walks", StartedOn: today, Need: "cake"}, "need"},
		{api.ActivityBody{Name: "Walks", StartedOn: today, ServiceID: -1}, "service_id"},
	} {
		gf.as(gf.gardener).do("POST", target, c.body).wantError(http.StatusBadRequest, linkwork.EINVALID, c.field)
	}
	gf.as(gf.singer).do("GET", target, nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	gf.as(gf.singer).do("POST", target, api.ActivityBody{Name: "Choir", StartedOn: today}).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	gf.as(gf.worker).do("GET", target, nil).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	gf.as(gf.worker).do("POST", target, api.ActivityBody{}).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	gf.anon().do("GET", target, nil).wantError(http.StatusUnauthorized, linkwork.EUNAUTHORIZED, "-")
	gf.anon().do("POST", target, api.ActivityBody{}).wantError(http.StatusUnauthorized, linkwork.EUNAUTHORIZED, "-")
	if l := decodeList[linkwork.NewActivity](gf.as(gf.gardener).do("GET", target, nil).want(http.StatusOK)); l.Total != 1 {
		t.Fatalf("bad input added activities: %+v", l)
	}
}

func testGroupRequestsAPI(t *testing.T, gf *groupFixture) {
	const list = "/api/v1/groups/requests"
	// The gardener keeps one group, so need not say which; a postcode places the request.
	var space linkwork.GroupRequest
	gf.as(gf.gardener).do("POST", list, api.GroupRequestBody{Kind: linkwork.RequestSpace, Detail: "A room for 20 on Tuesdays.",
		Need: "loneliness", Postcode: "hx1 1aa"}).want(http.StatusCreated).decode(&space)
	if space.OrganisationID != gf.garden.ID || space.NeighbourhoodCode != "E01010994" || space.NeighbourhoodName != "Calderdale 008E" ||
		space.IMDDecile != 1 || space.Status != linkwork.RequestOpen || space.Version != 1 || space.OrganisationName != gf.garden.Name {
		t.Fatalf("created %+v", space)
	}
	// Without a postcode the group's venue does.
	var money linkwork.GroupRequest
	gf.as(gf.keeper).do("POST", list, api.GroupRequestBody{OrganisationID: gf.garden.ID, Kind: linkwork.RequestMoney,
		Detail: "Fifty pounds for seeds."}).want(http.StatusCreated).decode(&money)
	if money.NeighbourhoodCode != "E01010994" || money.Postcode != "" {
		t.Fatalf("from the venue %+v", money)
	}
	var choir linkwork.GroupRequest
	gf.as(gf.singer).do("POST", list, api.GroupRequestBody{Kind: linkwork.RequestTraining, Detail: "First aid for our leaders."}).
		want(http.StatusCreated).decode(&choir)
	if choir.NeighbourhoodCode != "" {
		t.Fatalf("no venue %+v", choir)
	}
	for _, c := range []struct {
		body  any
		field string
	}{
		{api.GroupRequestBody{Kind: "cake", Detail: "A room for 20 on Tuesdays."}, "kind"},
		{api.GroupRequestBody{Kind: linkwork.RequestSpace, Detail: "A room"}, "detail"},
		{api.GroupRequestBody{Kind: linkwork.RequestSpace, Detail: "A room for 20 on Tuesdays.", Postcode: "HX1 1AB"}, "postcode"},
		{api.GroupRequestBody{Kind: linkwork.RequestSpace, Detail: "A room for 20 on Tuesdays.", Postcode: "HX9 9ZZ"}, "postcode"},
		{api.GroupRequestBody{Kind: linkwork.RequestSpace, Detail: "A room for 20 on Tuesdays.", Need: "cake"}, "need"},
	} {
		gf.as(gf.gardener).do("POST", list, c.body).wantError(http.StatusBadRequest, linkwork.EINVALID, c.field)
	}
	gf.as(gf.singer).do("POST", list, api.GroupRequestBody{OrganisationID: gf.garden.ID, Kind: linkwork.RequestSpace,
		Detail: "A room for the garden, please."}).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	gf.as(gf.worker).do("POST", list, api.GroupRequestBody{}).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	gf.anon().do("POST", list, api.GroupRequestBody{}).wantError(http.StatusUnauthorized, linkwork.EUNAUTHORIZED, "-")

	// A group sees its own; those who see the landscape see the place's; others none.
	ids := func(u *linkwork.User, query string) []int64 {
		t.Helper()
		var out []int64
		for _, g := range decodeList[linkwork.GroupRequest](gf.as(u).do("GET", list+query, nil).want(http.StatusOK)).Items {
			out = append(out, g.ID)
		}
		return sortedIDs(out...)
	}
	if got := ids(gf.gardener, ""); len(got) != 2 || got[0] != space.ID || got[1] != money.ID {
		t.Fatalf("the garden's: %v", got)
	}
	if got := ids(gf.singer, ""); len(got) != 1 || got[0] != choir.ID {
		t.Fatalf("the choir's: %v", got)
	}
	if got := ids(gf.admin, ""); len(got) != 3 {
		t.Fatalf("the place's: %v", got)
	}
	if got := ids(gf.commissioner, "?kind=money,training&status=open"); len(got) != 2 || got[0] != money.ID || got[1] != choir.ID {
		t.Fatalf("money and training: %v", got)
	}
	gf.as(gf.admin).do("GET", list+"?status=done", nil).wantError(http.StatusBadRequest, linkwork.EINVALID, "status")
	gf.as(gf.admin).do("GET", list+"?kind=cake", nil).wantError(http.StatusBadRequest, linkwork.EINVALID, "kind")
	gf.as(gf.worker).do("GET", list, nil).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	gf.anon().do("GET", list, nil).wantError(http.StatusUnauthorized, linkwork.EUNAUTHORIZED, "-")

	// Closing: the group withdraws, those who fund gaps mark met; each with the version read.
	closeURL := func(g linkwork.GroupRequest) string { return path("/api/v1/groups/requests/%d/close", g.ID) }
	v1 := 1
	withdraw := api.CloseRequestBody{Status: linkwork.RequestWithdrawn, Version: &v1}
	met := api.CloseRequestBody{Status: linkwork.RequestMet, Response: "The library has a room on Tuesdays.", Version: &v1}
	gf.as(gf.gardener).do("POST", closeURL(choir), withdraw).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	gf.as(gf.gardener).do("POST", closeURL(space), met).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	gf.as(gf.admin).do("POST", closeURL(space), withdraw).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	gf.as(gf.admin).do("POST", "/api/v1/groups/requests/999999/close", met).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	gf.as(gf.adminB).do("POST", closeURL(space), met).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	gf.as(gf.worker).do("POST", closeURL(space), met).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	gf.anon().do("POST", closeURL(space), met).wantError(http.StatusUnauthorized, linkwork.EUNAUTHORIZED, "-")
	gf.as(gf.admin).do("POST", closeURL(space), api.CloseRequestBody{Status: linkwork.RequestMet, Version: &v1}).
		wantError(http.StatusBadRequest, linkwork.EINVALID, "response")
	gf.as(gf.admin).do("POST", closeURL(space), api.CloseRequestBody{Status: linkwork.RequestMet, Response: "Yes"}).
		wantError(http.StatusBadRequest, linkwork.EINVALID, "version")
	gf.as(gf.gardener).do("POST", closeURL(space), api.CloseRequestBody{Status: "done", Version: &v1}).
		wantError(http.StatusBadRequest, linkwork.EINVALID, "status")
	v2 := 2
	gf.as(gf.admin).do("POST", closeURL(space), api.CloseRequestBody{Status: linkwork.RequestMet, Response: "Yes", Version: &v2}).
		wantError(http.StatusConflict, linkwork.ECONFLICT, "-")
	var done linkwork.GroupRequest
	gf.as(gf.commissioner).do("POST", closeURL(space), met).want(http.StatusOK).decode(&done)
	if done.Status != linkwork.RequestMet || done.Response != met.Response || done.Version != 2 || done.ClosedBy != gf.commissioner.Name || done.ClosedAt == nil {
		t.Fatalf("met %+v", done)
	}
	var gone linkwork.GroupRequest
	gf.as(gf.singer).do("POST", closeURL(choir), withdraw).want(http.StatusOK).decode(&gone)
	if gone.Status != linkwork.RequestWithdrawn || gone.Response != "" || gone.ClosedBy != gf.singer.Name {
		t.Fatalf("withdrawn %+v", gone)
	}
	gf.as(gf.keeper).do("POST", closeURL(space), api.CloseRequestBody{Status: linkwork.RequestWithdrawn, Version: &v2}).
		wantError(http.StatusConflict, linkwork.ECONFLICT, "-")
	if got := ids(gf.gardener, "?status=open"); len(got) != 1 || got[0] != money.ID {
		t.Fatalf("open after closing: %v", got)
	}
}
