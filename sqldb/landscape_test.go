package sqldb_test

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// The local authorities of the landscape tests: Calderdale holds most of York's venues,
// Kirklees exactly a tenth of them and Leeds a twentieth.
const (
	laCalderdale = "E08000033"
	laKirklees   = "E08000034"
	laLeeds      = "E08000035"
)

// landWorld is the referral world with a geography: LSOAs in three local authorities, and
// venues spread over them so that the right neighbourhoods are known.
type landWorld struct {
	*refWorld
	land    *sqldb.LandscapeService
	walk    *linkwork.Service // an offer with two venues, areas and terms
	crafts  *linkwork.Service // an offer with fourteen venues in Calderdale
	carers  *linkwork.Service // a scheme reached through its contacts
	paused  *linkwork.Service // an inactive offer in Kirklees
	lunch   *linkwork.Service // an offer in Leeds
	hebden  *linkwork.Service // an offer at a postcode with no local authority
	unknown *linkwork.Service // an offer at a postcode the lookup does not have
}

func landLSOAs() []*linkwork.LSOA {
	return []*linkwork.LSOA{
		{Code: "E01000001", Name: "Calderdale 001A", LocalAuthorityCode: laCalderdale, LocalAuthorityName: "Calderdale", IMDRank: 100, IMDDecile: 1},
		{Code: "E01000002", Name: "Calderdale 002A", LocalAuthorityCode: laCalderdale, LocalAuthorityName: "Calderdale", IMDRank: 15000, IMDDecile: 5},
		{Code: "E01000003", Name: "Calderdale 003A", LocalAuthorityCode: laCalderdale, LocalAuthorityName: "Calderdale", IMDRank: 30000, IMDDecile: 9},
		// E01000004 has postcodes but no row here.
		{Code: "E01000011", Name: "Kirklees 001A", LocalAuthorityCode: laKirklees, LocalAuthorityName: "Kirklees", IMDRank: 5000, IMDDecile: 2},
		{Code: "E01000021", Name: "Leeds 001A", LocalAuthorityCode: laLeeds, LocalAuthorityName: "Leeds", IMDRank: 9000, IMDDecile: 3},
	}
}

func landPostcodes() []*linkwork.PostcodeInfo {
	ended := month(2019, time.June)
	pc := func(postcode string, lat, lng float64, lsoa, ward, la string) *linkwork.PostcodeInfo {
		return &linkwork.PostcodeInfo{Postcode: postcode, Lat: lat, Lng: lng, LSOA: lsoa, Ward: ward, LocalAuthority: la}
	}
	terminated := func(p *linkwork.PostcodeInfo) *linkwork.PostcodeInfo { p.Terminated = ended; return p }
	return []*linkwork.PostcodeInfo{
		// E01000001: the mean of the three live ones is nearest HX1 1AB; the ended one is
		// far away and must not move the centre.
		pc("HX1 1AA", 53.70, -1.80, "E01000001", "E05000001", laCalderdale),
		pc("HX1 1AB", 53.71, -1.81, "E01000001", "E05000001", laCalderdale),
		pc("HX1 1AD", 53.74, -1.86, "E01000001", "E05000002", laCalderdale),
		terminated(pc("HX1 1ZZ", 54.50, -1.00, "E01000001", "E05000002", laCalderdale)),
		// E01000002: two postcodes equally near the centre; the first in order stands for it.
		pc("HX2 0AB", 53.5, -1.75, "E01000002", "E05000004", laCalderdale),
		pc("HX2 0AA", 53.5, -1.5, "E01000002", "E05000003", laCalderdale),
		// E01000003: only an ended postcode, so not a neighbourhood.
		terminated(pc("HX3 0ZZ", 53.6, -1.7, "E01000003", "E05000005", laCalderdale)),
		// E01000004: no row in lsoas.
		pc("HX4 0AA", 53.65, -1.9, "E01000004", "E05000006", laCalderdale),
		// A Calderdale postcode with no LSOA.
		pc("HX5 0AA", 53.68, -1.84, "", "", laCalderdale),
		pc("HD1 1AA", 53.64, -1.78, "E01000011", "E05000011", laKirklees),
		pc("LS1 1AA", 53.80, -1.55, "E01000021", "E05000021", laLeeds),
		// A postcode the lookup places in no local authority.
		pc("HX7 5AA", 53.74, -2.01, "W01000001", "", ""),
	}
}

func newLandWorld(t *testing.T, db *sqldb.DB) *landWorld {
	t.Helper()
	w := &landWorld{refWorld: newRefWorld(t, db), land: sqldb.NewLandscapeService(db)}
	ctx := t.Context()
	_, err := w.svc.Geography.ImportLSOAs(ctx, rowsOf(nil, landLSOAs()...), linkwork.ImportOptions{AllOrNothing: true})
	must(t, err)
	dirImportPostcodes(t, db, landPostcodes()...)
	at := func(postcodes ...string) []linkwork.Location {
		var out []linkwork.Location
		for i, p := range postcodes {
			out = append(out, linkwork.Location{Name: "Venue " + idStr(int64(i+1)), Address1: "1 High Street", Town: "Halifax", Postcode: p})
		}
		return out
	}
	// 20 venues with known postcodes: 16 in Calderdale, 2 in Kirklees (exactly 10%), 1 in
	// Leeds (5%) and 1 in no local authority; and one at a postcode not in the lookup, which
	// does not count (if it did, Kirklees would fall under 10%).
	w.walk = mustService(t, db, &linkwork.Service{PlaceID: w.york.ID, OrganisationID: w.council.ID, Name: "Walk and Talk",
		Email: "walks@example.org", Phone: "01422 111111", Areas: []string{"Park Ward", "HX1"},
		TermIDs:   w.termIDs("need/physical_activity", "need/loneliness", "client_group/older_people", "building_block/connect", "five_ways/be_active"),
		Locations: at("HX1 1AA", "hx2 0aa")})
	w.walk.Locations[1].Name = "" // named by its address
	must(t, w.dir.UpdateService(t.Context(), w.walk))
	crafts := at(slices.Repeat([]string{"HX4 0AA"}, 13)...)
	crafts = append(crafts, at("HX5 0AA")...)
	w.crafts = mustService(t, db, &linkwork.Service{PlaceID: w.york.ID, OrganisationID: w.charity.ID, Name: "Craft Club",
		TermIDs: w.termIDs("need/arts_creativity", "building_block/skills_passions"), Locations: crafts})
	w.paused = mustService(t, db, &linkwork.Service{PlaceID: w.york.ID, OrganisationID: w.housing.ID, Name: "Kirklees Walks",
		Status: linkwork.StatusInactive, Locations: at("HD1 1AA", "HD1 1AA")})
	w.lunch = mustService(t, db, &linkwork.Service{PlaceID: w.york.ID, OrganisationID: w.council.ID, Name: "Leeds Lunch",
		Locations: at("LS1 1AA")})
	w.hebden = mustService(t, db, &linkwork.Service{PlaceID: w.york.ID, OrganisationID: w.council.ID, Name: "Hebden Hub",
		Locations: at("HX7 5AA")})
	// The bulk load stores a postcode the lookup lacks, with no coordinates.
	w.unknown = &linkwork.Service{OrganisationID: w.council.ID, Kind: linkwork.KindActivity, Name: "Nowhere Nights",
		Description: "Somewhere", Status: linkwork.StatusActive, Locations: at("YO1 9ZZ")}
	must(t, db.BulkInsertServices(ctx, w.york.ID, []*linkwork.Service{w.unknown}))
	w.carers = mustService(t, db, &linkwork.Service{PlaceID: w.york.ID, OrganisationID: w.police.ID, Kind: linkwork.KindScheme,
		Name: "Carers Connect", Phone: "01422 222222", Areas: []string{"E01000001", "Old Town"},
		TermIDs:  w.termIDs("need/carers", "client_group/carers"),
		Contacts: []linkwork.Contact{{Name: "Bob"}, {Name: "Cat", Email: "cat@carers.example", Phone: "07700 900000"}, {Name: "Dan", Email: "dan@carers.example"}},
		Scheme: &linkwork.ConnectorScheme{Model: linkwork.ModelCommunityNavigator, WhoCanRefer: []linkwork.ReferrerType{linkwork.ReferrerSelf},
			FundingSource: "Lottery", StaffFTE: 1.5, CaseloadLimit: 25, WaitingWeeks: 2, ElectronicSystem: "Elemental",
			AssessmentTools: []string{"ONS4", "SWEMWBS"}}})
	// Leeds's service is not York's.
	mustService(t, db, &linkwork.Service{PlaceID: w.leeds.ID, OrganisationID: w.leedsOrg.ID, Name: "Leeds Walks", Locations: at("LS1 1AA")})
	return w
}

func (w *landWorld) input(t *testing.T) *linkwork.LandscapeInput {
	t.Helper()
	in, err := w.land.LandscapeInput(t.Context(), w.york.ID)
	must(t, err)
	return in
}

func serviceIn(t *testing.T, in *linkwork.LandscapeInput, id int64) *linkwork.LandscapeService {
	t.Helper()
	for _, s := range in.Services {
		if s.ID == id {
			return s
		}
	}
	t.Fatalf("service %d is not in the input", id)
	return nil
}

func TestLandscapeNeighbourhoods(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newLandWorld(t, db)
		in := w.input(t)
		// Calderdale's and Kirklees's LSOAs with live postcodes, by code: not E01000003 (all
		// its postcodes ended), not Leeds's (5% of the venues).
		want := []*linkwork.Neighbourhood{
			{Code: "E01000001", Name: "Calderdale 001A", LocalAuthorityCode: laCalderdale, LocalAuthorityName: "Calderdale", IMDDecile: 1,
				Lat: (53.70 + 53.71 + 53.74) / 3, Lng: (-1.80 - 1.81 - 1.86) / 3, Postcode: "HX1 1AB", Ward: "E05000001"},
			{Code: "E01000002", Name: "Calderdale 002A", LocalAuthorityCode: laCalderdale, LocalAuthorityName: "Calderdale", IMDDecile: 5,
				Lat: 53.5, Lng: -1.625, Postcode: "HX2 0AA", Ward: "E05000003"},
			// No row in lsoas: named by its code, deprivation unknown; its authority's name
			// comes from the authority's other LSOAs.
			{Code: "E01000004", Name: "E01000004", LocalAuthorityCode: laCalderdale, LocalAuthorityName: "Calderdale", IMDDecile: 0,
				Lat: 53.65, Lng: -1.9, Postcode: "HX4 0AA", Ward: "E05000006"},
			{Code: "E01000011", Name: "Kirklees 001A", LocalAuthorityCode: laKirklees, LocalAuthorityName: "Kirklees", IMDDecile: 2,
				Lat: 53.64, Lng: -1.78, Postcode: "HD1 1AA", Ward: "E05000011"},
		}
		if len(in.Neighbourhoods) != len(want) {
			t.Fatalf("neighbourhoods:\n%s\nwant\n%s", jsonOf(in.Neighbourhoods), jsonOf(want))
		}
		for i, n := range in.Neighbourhoods {
			wn := want[i]
			if math.Abs(n.Lat-wn.Lat) > 1e-9 || math.Abs(n.Lng-wn.Lng) > 1e-9 {
				t.Fatalf("%s: centre %v, %v; want %v, %v", n.Code, n.Lat, n.Lng, wn.Lat, wn.Lng)
			}
			got := *n
			got.Lat, got.Lng = wn.Lat, wn.Lng
			if jsonOf(got) != jsonOf(wn) {
				t.Fatalf("neighbourhood %d:\n%s\nwant\n%s", i, jsonOf(got), jsonOf(wn))
			}
		}

		// Postcodes imported later count at once, though the directory has not changed.
		dirImportPostcodes(t, db, &linkwork.PostcodeInfo{Postcode: "HX6 0AA", Lat: 53.6, Lng: -1.95, LSOA: "E01000005",
			Ward: "E05000007", LocalAuthority: laCalderdale})
		in = w.input(t)
		if len(in.Neighbourhoods) != 5 || in.Neighbourhoods[3].Code != "E01000005" || in.Neighbourhoods[4].Code != "E01000011" {
			t.Fatalf("after a postcode was added: %s", jsonOf(in.Neighbourhoods))
		}

		// One more venue in Calderdale and Kirklees holds 2 of 21: under 10%, it is out.
		w.lunch.Locations = append(w.lunch.Locations, linkwork.Location{Address1: "2 High Street", Town: "Halifax", Postcode: "HX1 1AA"})
		must(t, w.dir.UpdateService(t.Context(), w.lunch))
		in = w.input(t)
		var codes []string
		for _, n := range in.Neighbourhoods {
			codes = append(codes, n.Code)
		}
		if strings.Join(codes, " ") != "E01000001 E01000002 E01000004 E01000005" {
			t.Fatalf("with Kirklees under 10%%, the neighbourhoods are %v", codes)
		}

		// A place whose venues have no known postcodes has no neighbourhoods.
		leeds, err := w.land.LandscapeInput(t.Context(), w.leeds.ID)
		must(t, err)
		if len(leeds.Neighbourhoods) != 1 || leeds.Neighbourhoods[0].Code != "E01000021" {
			t.Fatalf("Leeds's neighbourhoods: %s", jsonOf(leeds.Neighbourhoods))
		}
		empty := mustPlace(t, db, "Empty")
		org := mustOrg(t, db, empty.ID, "Empty Org", linkwork.SectorVCSE)
		mustService(t, db, &linkwork.Service{PlaceID: empty.ID, OrganisationID: org.ID, Name: "Phone Friends"})
		none, err := w.land.LandscapeInput(t.Context(), empty.ID)
		must(t, err)
		if none.Neighbourhoods == nil || len(none.Neighbourhoods) != 0 || len(none.Services) != 1 {
			t.Fatalf("a place with no venues: %d neighbourhoods (%v), %d services", len(none.Neighbourhoods), none.Neighbourhoods, len(none.Services))
		}

		_, err = w.land.LandscapeInput(t.Context(), 999999)
		wantCode(t, err, linkwork.ENOTFOUND, "")
	})
}

func TestLandscapeInputServices(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newLandWorld(t, db)
		ctx := t.Context()
		must(t, w.svc.Taxonomies.AddTerm(ctx, w.york.ID, linkwork.TaxonomyNeed, &linkwork.TaxonomyTerm{Code: "pets", Name: "Pets"}))
		in := w.input(t)

		if in.Place.ID != w.york.ID || in.Place.Name != "York" || !in.ReadAt.Equal(w.clock.now) {
			t.Fatalf("place %+v read at %v", in.Place, in.ReadAt)
		}
		version, err := sqldb.NewOpenDataService(db).DirectoryVersion(ctx)
		must(t, err)
		if in.DirectoryVersion != version || version == 0 {
			t.Fatalf("directory version %d, want %d", in.DirectoryVersion, version)
		}

		// Every one of York's services, of every kind and status, by ID; not Leeds's.
		var ids []int64
		for _, s := range in.Services {
			ids = append(ids, s.ID)
		}
		wantIDs := []int64{w.linkUp.ID, w.homeFirst.ID, w.walk.ID, w.crafts.ID, w.paused.ID, w.lunch.ID, w.hebden.ID, w.unknown.ID, w.carers.ID}
		if !slices.Equal(ids, wantIDs) {
			t.Fatalf("services %v, want %v", ids, wantIDs)
		}

		walk := serviceIn(t, in, w.walk.ID)
		wantWalk := &linkwork.LandscapeService{ID: w.walk.ID, Name: "Walk and Talk", Kind: linkwork.KindActivity, Status: linkwork.StatusActive,
			OrganisationID: w.council.ID, OrganisationName: "City of York Council", Sector: linkwork.SectorCouncil,
			Email: "walks@example.org", Phone: "01422 111111", Areas: []string{"Park Ward", "HX1"},
			// In the taxonomy's order, not the order given; five ways is not read.
			Needs: []string{"loneliness", "physical_activity"}, ClientGroups: []string{"older_people"}, BuildingBlocks: []string{"connect"},
			Venues: []linkwork.LandscapeVenue{{Name: "Venue 1", Postcode: "HX1 1AA", Lat: 53.70, Lng: -1.80},
				{Name: "1 High Street", Postcode: "HX2 0AA", Lat: 53.5, Lng: -1.5}}}
		if jsonOf(walk) != jsonOf(wantWalk) {
			t.Fatalf("Walk and Talk:\n%s\nwant\n%s", jsonOf(walk), jsonOf(wantWalk))
		}
		if crafts := serviceIn(t, in, w.crafts.ID); len(crafts.Venues) != 14 || crafts.Venues[13].Postcode != "HX5 0AA" ||
			crafts.Venues[0].Name != "Venue 1" || crafts.Venues[12].Name != "Venue 13" {
			t.Fatalf("Craft Club's venues out of order: %s", jsonOf(crafts.Venues))
		}
		// A venue the lookup cannot place has no coordinates.
		if u := serviceIn(t, in, w.unknown.ID); jsonOf(u.Venues) != jsonOf([]linkwork.LandscapeVenue{{Name: "Venue 1", Postcode: "YO1 9ZZ"}}) {
			t.Fatalf("Nowhere Nights' venues: %s", jsonOf(u.Venues))
		}
		if p := serviceIn(t, in, w.paused.ID); p.Status != linkwork.StatusInactive || p.Sector != linkwork.SectorHousing {
			t.Fatalf("Kirklees Walks: %s", jsonOf(p))
		}

		// A scheme: its details, and the first contact with an email address for the one it
		// lacks (its own phone number stays).
		carers := serviceIn(t, in, w.carers.ID)
		wantScheme := &linkwork.ConnectorScheme{Model: linkwork.ModelCommunityNavigator, WhoCanRefer: []linkwork.ReferrerType{linkwork.ReferrerSelf},
			FundingSource: "Lottery", StaffFTE: 1.5, CaseloadLimit: 25, WaitingWeeks: 2, ElectronicSystem: "Elemental",
			AssessmentTools: []string{"ONS4", "SWEMWBS"}}
		if carers.Kind != linkwork.KindScheme || carers.Email != "cat@carers.example" || carers.Phone != "01422 222222" ||
			carers.Sector != linkwork.SectorPolice || jsonOf(carers.Scheme) != jsonOf(wantScheme) ||
			!slices.Equal(carers.Areas, []string{"E01000001", "Old Town"}) || !slices.Equal(carers.Needs, []string{"carers"}) ||
			!slices.Equal(carers.ClientGroups, []string{"carers"}) || len(carers.BuildingBlocks) != 0 {
			t.Fatalf("Carers Connect:\n%s", jsonOf(carers))
		}
		if walk.Scheme != nil || walk.Capacity != nil {
			t.Fatalf("an offer has scheme details or capacity: %s", jsonOf(walk))
		}

		// An input is the caller's to change: the next is as it was.
		walk.Name, walk.Scheme, in.Organisations[0].Name, in.Place.Name = "Changed", &linkwork.ConnectorScheme{}, "Changed", "Changed"
		carers.Scheme.FundingSource = "Changed"
		again := w.input(t)
		if a := serviceIn(t, again, w.walk.ID); a.Name != "Walk and Talk" || a.Scheme != nil || again.Organisations[0].Name != "City of York Council" ||
			again.Place.Name != "York" || serviceIn(t, again, w.carers.ID).Scheme.FundingSource != "Lottery" {
			t.Fatalf("a change to one input reached the next: %s", jsonOf(again.Services))
		}
		in.Organisations[0].Name = "City of York Council"

		// Organisations by ID, only York's.
		var orgs []string
		for _, o := range in.Organisations {
			orgs = append(orgs, o.Name)
		}
		if strings.Join(orgs, "; ") != "City of York Council; Priory Medical Group; York Community Connectors; York Housing Trust; North Yorkshire Police" {
			t.Fatalf("organisations: %v", orgs)
		}

		// The three taxonomies, labelled and in order; the term added last comes last.
		needs := in.TermOrder[linkwork.TaxonomyNeed]
		if len(needs) != 21 || needs[0] != "loneliness" || needs[20] != "pets" || in.Terms[linkwork.TaxonomyNeed]["pets"] != "Pets" ||
			in.Terms[linkwork.TaxonomyNeed]["loneliness"] != "Loneliness and isolation" {
			t.Fatalf("needs %v: %v", needs, in.Terms[linkwork.TaxonomyNeed])
		}
		if len(in.TermOrder[linkwork.TaxonomyClientGroup]) != 16 || in.TermOrder[linkwork.TaxonomyClientGroup][0] != "everyone" ||
			!slices.Equal(in.TermOrder[linkwork.TaxonomyBuildingBlock], []string{"connect", "space", "skills_passions", "take_control"}) ||
			in.Terms[linkwork.TaxonomyBuildingBlock]["space"] != "Space: a place to be and to go" || len(in.Terms) != 3 {
			t.Fatalf("terms %v in order %v", in.Terms, in.TermOrder)
		}
	})
}

func TestLandscapeInputCapacity(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newLandWorld(t, db)
		ctx := t.Context()
		// Read once before the referrals, which do not change the directory: the capacity is
		// counted afresh all the same.
		if c := serviceIn(t, w.input(t), w.homeFirst.ID).Capacity; c.Active != 0 || c.Limit != 0 {
			t.Fatalf("Home First before: %s", jsonOf(c))
		}
		housingWorker := quickUser(t, db, "hal@housing.example", "Hal Housing", w.housing.ID, linkwork.RoleLinkWorker)
		must(t, w.refs.SetCaseloadLimit(ctx, w.york.ID, housingWorker, 1))
		accept := linkwork.Transition{Action: linkwork.ActionAccept}
		// Home First: one allocated to its only worker, whose limit is one: full. Link Up
		// York: one waiting, one allocated.
		r := w.person("Pat", "1970-01-01")
		r.SchemeID, r.NeedIDs = w.homeFirst.ID, w.termIDs("need/housing")
		w.send(t, r)
		decide(t, w.refWorld, r.ID, accept)
		decide(t, w.refWorld, r.ID, linkwork.Transition{Action: linkwork.ActionAllocate, WorkerUserID: housingWorker})
		r = w.person("Sam", "1971-01-01")
		w.send(t, r)
		decide(t, w.refWorld, r.ID, accept)
		decide(t, w.refWorld, r.ID, linkwork.Transition{Action: linkwork.ActionWait})
		r = w.person("Jo", "1972-01-01")
		w.send(t, r)
		decide(t, w.refWorld, r.ID, accept)
		decide(t, w.refWorld, r.ID, linkwork.Transition{Action: linkwork.ActionAllocate, WorkerUserID: w.worker1})

		in := w.input(t)
		caps, err := w.refs.Capacity(ctx, w.york.ID, nil)
		must(t, err)
		if len(caps) != 3 {
			t.Fatalf("capacity of %d schemes", len(caps))
		}
		for _, c := range caps {
			if got := serviceIn(t, in, c.SchemeID).Capacity; jsonOf(got) != jsonOf(c) {
				t.Fatalf("%s's capacity:\n%s\nwant as the capacity view counts it\n%s", c.SchemeName, jsonOf(got), jsonOf(c))
			}
		}
		home := serviceIn(t, in, w.homeFirst.ID).Capacity
		if home.Limit != 1 || home.Active != 1 || home.Free != 0 {
			t.Fatalf("Home First: %s; want full", jsonOf(home))
		}
		link := serviceIn(t, in, w.linkUp.ID).Capacity
		if link.Waiting != 1 || link.Active != 1 || link.Limit != 2*linkwork.DefaultCaseloadLimit || link.Free != link.Limit-1 {
			t.Fatalf("Link Up York: %s", jsonOf(link))
		}
		// Carers Connect's organisation has no link workers: no room at all.
		if c := serviceIn(t, in, w.carers.ID).Capacity; c == nil || c.Limit != 0 || c.Free != 0 || len(c.Workers) != 0 {
			t.Fatalf("Carers Connect: %s", jsonOf(c))
		}
	})
}

func TestLandscapeDemand(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newLandWorld(t, db)
		if in := w.input(t); len(in.Demand) != 0 {
			t.Fatalf("demand before any referral: %v", in.Demand)
		}
		now := w.clock.now
		send := func(at time.Time, given, postcode string, needs ...string) {
			t.Helper()
			w.clock.now = at
			r := w.person(given, "1960-02-03")
			r.Person.Postcode = postcode
			r.NeedIDs = w.termIDs(needs...)
			w.send(t, r)
			w.clock.now = now
		}
		// Two from E01000001 (its ended postcode counts too: the person lives where they
		// live), one from Kirklees, one from a postcode the lookup lacks (no neighbourhood),
		// and one from outside the place's authorities (Leeds). Exactly a year ago counts;
		// a moment earlier does not.
		year := now.AddDate(-1, 0, 0)
		send(now.Add(-time.Hour), "Ann", "HX1 1AA", "need/loneliness", "need/mental_wellbeing")
		send(year, "Bea", "HX1 1ZZ", "need/loneliness")
		send(year.Add(-time.Microsecond), "Cy", "HX1 1AB", "need/loneliness", "need/housing")
		send(now.Add(-48*time.Hour), "Di", "HD1 1AA", "need/housing")
		send(now.Add(-48*time.Hour), "Ed", "YO1 9ZZ", "need/housing")
		send(now.Add(-48*time.Hour), "Flo", "LS1 1AA", "need/money_debt")

		in := w.input(t)
		want := map[string]map[string]int{
			"E01000001": {"loneliness": 2, "mental_wellbeing": 1},
			"E01000011": {"housing": 1},
			"E01000021": {"money_debt": 1},
		}
		if jsonOf(in.Demand) != jsonOf(want) {
			t.Fatalf("demand:\n%s\nwant\n%s", jsonOf(in.Demand), jsonOf(want))
		}
		// Another place's referrals are not York's demand.
		leeds, err := w.land.LandscapeInput(t.Context(), w.leeds.ID)
		must(t, err)
		if len(leeds.Demand) != 0 {
			t.Fatalf("Leeds's demand: %v", leeds.Demand)
		}
	})
}

// TestLandscapeEndToEnd reads a hand-built place and analyses it, asserting the overlaps,
// groups, gaps, coverage and data problems that are known to be right. Wakefield has three
// neighbourhoods: Centre (decile 1) and East (decile 2), 6.6 km apart, and North (decile
// 8), 13 km from Centre. Alpha covers the whole place; Beta covers Centre by its ward and
// East by its district; Gamma covers North by its LSOA; Delta is paused; Epsilon's area
// cannot be placed. Alpha and Beta are full.
func TestLandscapeEndToEnd(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		ctx := t.Context()
		const la = "E08000036"
		const centre, east, north = "E01000101", "E01000102", "E01000103"
		_, err := w.svc.Geography.ImportLSOAs(ctx, rowsOf(nil,
			&linkwork.LSOA{Code: centre, Name: "Wakefield 001A", LocalAuthorityCode: la, LocalAuthorityName: "Wakefield", IMDRank: 50, IMDDecile: 1},
			&linkwork.LSOA{Code: east, Name: "Wakefield 002A", LocalAuthorityCode: la, LocalAuthorityName: "Wakefield", IMDRank: 4000, IMDDecile: 2},
			&linkwork.LSOA{Code: north, Name: "Wakefield 003A", LocalAuthorityCode: la, LocalAuthorityName: "Wakefield", IMDRank: 26000, IMDDecile: 8},
		), linkwork.ImportOptions{AllOrNothing: true})
		must(t, err)
		dirImportPostcodes(t, db,
			&linkwork.PostcodeInfo{Postcode: "WF1 1AA", Lat: 53.68, Lng: -1.50, LSOA: centre, Ward: "E05000101", LocalAuthority: la},
			&linkwork.PostcodeInfo{Postcode: "WF2 1AA", Lat: 53.68, Lng: -1.40, LSOA: east, Ward: "E05000102", LocalAuthority: la},
			&linkwork.PostcodeInfo{Postcode: "WF3 1AA", Lat: 53.80, Lng: -1.50, LSOA: north, Ward: "E05000103", LocalAuthority: la})
		place := mustPlace(t, db, "Wakefield")
		nhs := mustOrg(t, db, place.ID, "Wakefield PCN", linkwork.SectorNHS)
		vcse := mustOrg(t, db, place.ID, "Nova", linkwork.SectorVCSE)
		council := mustOrg(t, db, place.ID, "Wakefield Council", linkwork.SectorCouncil)
		terms := dirTerms(t, db, place.ID)
		ids := func(keys ...string) []int64 {
			var out []int64
			for _, k := range keys {
				out = append(out, terms[k].ID)
			}
			return out
		}
		scheme := func(org *linkwork.Organisation, name, system string, areas []string, termKeys ...string) *linkwork.Service {
			return mustService(t, db, &linkwork.Service{PlaceID: place.ID, OrganisationID: org.ID, Kind: linkwork.KindScheme, Name: name,
				Areas: areas, TermIDs: ids(termKeys...), Scheme: &linkwork.ConnectorScheme{Model: linkwork.ModelPCNLinkWorker,
					WhoCanRefer: []linkwork.ReferrerType{linkwork.ReferrerGP}, ElectronicSystem: system}})
		}
		at := func(postcode string) []linkwork.Location {
			return []linkwork.Location{{Address1: "1 Westgate", Town: "Wakefield", Postcode: postcode}}
		}
		alpha := scheme(nhs, "Alpha Connect", "EMIS Web", nil, "need/loneliness", "need/money_debt")
		beta := scheme(vcse, "Beta Link", "emis  web", []string{"E05000101", "WF2"}, "need/loneliness", "need/money_debt", "need/housing",
			"client_group/older_people")
		gamma := scheme(council, "Gamma", "EMIS Web", []string{north}, "need/loneliness")
		delta := scheme(council, "Delta", "None", nil, "need/loneliness")
		delta.Status = linkwork.StatusInactive
		must(t, sqldb.NewServiceService(db).UpdateService(ctx, delta))
		epsilon := scheme(council, "Epsilon", "Elemental", []string{"Old Town"}, "need/loneliness")
		lunch := mustService(t, db, &linkwork.Service{PlaceID: place.ID, OrganisationID: council.ID, Name: "Lunch Club",
			TermIDs: ids("need/loneliness", "need/food"), Locations: at("WF1 1AA")})
		debt := mustService(t, db, &linkwork.Service{PlaceID: place.ID, OrganisationID: vcse.ID, Name: "Debt Advice",
			TermIDs: ids("need/money_debt"), Areas: []string{"WF2"}})
		mustService(t, db, &linkwork.Service{PlaceID: place.ID, OrganisationID: vcse.ID, Name: "Old Lunch", Status: linkwork.StatusDefunct,
			TermIDs: ids("need/loneliness"), Locations: at("WF3 1AA")})
		walk := mustService(t, db, &linkwork.Service{PlaceID: place.ID, OrganisationID: vcse.ID, Name: "Walk", TermIDs: ids("need/physical_activity")})
		garden := &linkwork.Service{OrganisationID: vcse.ID, Kind: linkwork.KindActivity, Name: "Garden", Description: "Digging",
			Status: linkwork.StatusActive, TermIDs: ids("need/nature_gardening"), Locations: at("WF9 9ZZ")}
		must(t, db.BulkInsertServices(ctx, place.ID, []*linkwork.Service{garden}))

		// Alpha and Beta each have one link worker with room for one person, and one person
		// each, both from Centre and lonely; Gamma has a referral from North about money.
		refs := w.svc.Referrals
		referrer := quickUser(t, db, "gp@wakefield.example", "Dr Wake", nhs.ID, linkwork.RoleReferrer)
		refer := func(s *linkwork.Service, given, postcode, need string, worker int64) {
			t.Helper()
			r := &linkwork.Referral{PlaceID: place.ID,
				Person: linkwork.ReferralPerson{GivenName: given, FamilyName: "Person", DateOfBirth: "1950-01-01", Postcode: postcode,
					Phone: "01924 000000", ContactPreferences: []linkwork.ContactMethod{linkwork.ContactPhone}},
				NeedIDs: ids(need), Reason: "Needs some help.", Urgency: linkwork.UrgencyRoutine,
				Referrer: linkwork.ReferralSource{Type: linkwork.ReferrerGP, UserID: referrer, OrganisationID: nhs.ID, Name: "Dr Wake"},
				Consent:  linkwork.Consent{ToReferral: true, Method: linkwork.ConsentVerbal, RecordedBy: "Dr Wake"},
				SchemeID: s.ID, RoutedBy: "referrer"}
			must(t, refs.CreateReferral(ctx, linkwork.NewReferral{Referral: r, ActorName: "Dr Wake"}))
			if worker == 0 {
				return
			}
			for _, action := range []linkwork.ReferralAction{linkwork.ActionAccept, linkwork.ActionAllocate} {
				cur, err := refs.FindReferralByID(ctx, r.ID)
				must(t, err)
				_, err = refs.Transition(ctx, linkwork.Transition{ReferralID: r.ID, Version: cur.Version, Action: action, WorkerUserID: worker},
					w.admin.ID, "Ada Admin")
				must(t, err)
			}
		}
		for _, s := range []*linkwork.Service{alpha, beta} {
			org := map[int64]string{nhs.ID: "pcn", vcse.ID: "nova"}[s.OrganisationID]
			worker := quickUser(t, db, "worker@"+org+".example", "Worker "+org, s.OrganisationID, linkwork.RoleLinkWorker)
			must(t, refs.SetCaseloadLimit(ctx, place.ID, worker, 1))
			refer(s, "Pat"+org, "WF1 1AA", "need/loneliness", worker)
		}
		refer(gamma, "Sam", "WF3 1AA", "need/money_debt", 0)

		in, err := sqldb.NewLandscapeService(db).LandscapeInput(ctx, place.ID)
		must(t, err)
		l, err := linkwork.AnalyseLandscape(in, linkwork.LandscapeOptions{}, w.clock.now)
		must(t, err)

		// Coverage, most deprived first.
		type cover struct {
			code                   string
			schemes, offers, maybe []int64
		}
		wantCover := []cover{
			{centre, []int64{alpha.ID, beta.ID}, []int64{lunch.ID}, []int64{epsilon.ID}},
			{east, []int64{alpha.ID, beta.ID}, []int64{debt.ID}, []int64{epsilon.ID}},
			{north, []int64{alpha.ID, gamma.ID}, nil, []int64{epsilon.ID}},
		}
		if len(l.Coverage) != len(wantCover) {
			t.Fatalf("coverage: %s", jsonOf(l.Coverage))
		}
		for i, wc := range wantCover {
			row := l.Coverage[i]
			if row.Neighbourhood.Code != wc.code || !slices.Equal(row.SchemeIDs, wc.schemes) || !slices.Equal(row.OfferIDs, wc.offers) ||
				!slices.Equal(row.MaybeSchemeIDs, wc.maybe) {
				t.Fatalf("coverage row %d: %s\nwant %+v", i, jsonOf(row), wc)
			}
		}
		if tc := l.Coverage[0].ByTerm["need/loneliness"]; tc == nil || !slices.Equal(tc.SchemeIDs, []int64{alpha.ID, beta.ID}) ||
			!slices.Equal(tc.OfferIDs, []int64{lunch.ID}) {
			t.Fatalf("Centre's loneliness: %s", jsonOf(tc))
		}

		// Overlaps: Alpha and Beta share both of Beta's neighbourhoods (share 1) and two of
		// three needs; Alpha and Gamma share North and one of two needs. Beta and Gamma
		// share no neighbourhood.
		wantOverlaps := []*linkwork.SchemeOverlap{
			{SchemeIDs: [2]int64{alpha.ID, beta.ID}, Neighbourhoods: []string{centre, east}, Share: 1,
				Needs: []string{"loneliness", "money_debt"}, ClientGroups: []string{"older_people"}, Score: 0.667},
			{SchemeIDs: [2]int64{alpha.ID, gamma.ID}, Neighbourhoods: []string{north}, Share: 1,
				Needs: []string{"loneliness"}, ClientGroups: []string{"everyone"}, Score: 0.5},
		}
		if jsonOf(l.Overlaps) != jsonOf(wantOverlaps) {
			t.Fatalf("overlaps:\n%s\nwant\n%s", jsonOf(l.Overlaps), jsonOf(wantOverlaps))
		}
		// Linked by both pairs, the three are a group with loneliness in common and no
		// neighbourhood all three cover.
		if len(l.Groups) != 1 || !slices.Equal(l.Groups[0].SchemeIDs, []int64{alpha.ID, beta.ID, gamma.ID}) ||
			len(l.Groups[0].Neighbourhoods) != 0 || !slices.Equal(l.Groups[0].Needs, []string{"loneliness"}) {
			t.Fatalf("groups: %s", jsonOf(l.Groups))
		}

		// Gaps: every neighbourhood and need without an offer, except loneliness in Centre
		// and money in East, where offers exist but Alpha and Beta are full; food in Centre
		// is no gap (an offer, and no scheme). Most deprived first, then by demand.
		type gap struct {
			code, need string
			reason     linkwork.GapReason
			demand     int
			full       []int64
		}
		full := []int64{alpha.ID, beta.ID}
		want := []gap{{centre, "loneliness", linkwork.GapAtCapacity, 2, full}}
		needs := linkwork.DefaultTaxonomies[0].Terms
		for _, n := range needs {
			if n.Code != "loneliness" && n.Code != "food" {
				want = append(want, gap{centre, n.Code, linkwork.GapNoOffer, 0, nil})
			}
		}
		for _, n := range needs {
			if n.Code == "money_debt" {
				want = append(want, gap{east, n.Code, linkwork.GapAtCapacity, 0, full})
			} else {
				want = append(want, gap{east, n.Code, linkwork.GapNoOffer, 0, nil})
			}
		}
		want = append(want, gap{north, "money_debt", linkwork.GapNoOffer, 1, nil})
		for _, n := range needs {
			if n.Code != "money_debt" {
				want = append(want, gap{north, n.Code, linkwork.GapNoOffer, 0, nil})
			}
		}
		var got []gap
		for _, g := range l.Gaps {
			got = append(got, gap{g.Neighbourhood.Code, g.Need, g.Reason, g.Demand, g.FullSchemeIDs})
		}
		if jsonOf(got) != jsonOf(want) {
			t.Fatalf("%d gaps:\n%s\nwant %d\n%s", len(got), jsonOf(got), len(want), jsonOf(want))
		}

		// Fragmentation: one system under two spellings; Delta (paused) names none.
		if f := l.Fragmentation; len(f.Systems) != 2 || f.Systems[0].Name != "EMIS Web" ||
			!slices.Equal(f.Systems[0].SchemeIDs, []int64{alpha.ID, beta.ID, gamma.ID}) || f.Systems[1].Name != "Elemental" ||
			!slices.Equal(f.SchemesWithoutSystem, []int64{delta.ID}) {
			t.Fatalf("fragmentation: %s", jsonOf(f))
		}

		// Data quality: Epsilon's area, the Garden's venue without coordinates, the Walk
		// with neither venue nor area.
		var problems []string
		for _, p := range l.DataQuality {
			problems = append(problems, string(p.Kind)+" "+idStr(p.ServiceID))
		}
		slices.Sort(problems)
		wantProblems := []string{"no_area " + idStr(walk.ID), "no_coordinates " + idStr(garden.ID), "unknown_area " + idStr(epsilon.ID)}
		slices.Sort(wantProblems)
		if !slices.Equal(problems, wantProblems) {
			t.Fatalf("data problems %v, want %v:\n%s", problems, wantProblems, jsonOf(l.DataQuality))
		}
	})
}
