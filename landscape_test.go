package linkwork_test

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"linkwork"
)

// The landscape fixture: six neighbourhoods about ten kilometres apart (so that a venue
// near one is far from the others), six connector schemes with every kind of area, and
// community offers at known distances. The right answers are worked out by hand in the
// comments.
//
//	code       decile  centre            postcode  ward       local authority
//	E01000001  1       53.70, -1.90      HX1 1AA   E05000001  E08000033
//	E01000002  2       53.70, -1.75      HX1 2BB   E05000001  E08000033
//	E01000003  1       53.80, -1.90      HX3 5AA   E05000002  E08000033
//	E01000004  0       53.80, -1.75      HX2 7AA   E05000003  E08000033
//	E01000005  5       53.90, -1.90      HX3 0BB   E05000004  E08000033
//	E01000006  3       53.90, -1.75      BD3 9AA   E05000005  E08000032
//
// Coverage order (decile, 0 last, then code): 1, 3, 2, 6, 5, 4.
const (
	nh1, nh2, nh3 = "E01000001", "E01000002", "E01000003"
	nh4, nh5, nh6 = "E01000004", "E01000005", "E01000006"
)

// kmPerDegree is the length of a degree of latitude on the Earth of linkwork.DistanceKm.
const kmPerDegree = 6371.0088 * math.Pi / 180

// north returns the point km north (or south, when negative) of lat, lng: exactly km away
// along the meridian.
func north(lat, lng, km float64) (float64, float64) { return lat + km/kmPerDegree, lng }

// east returns a point about km east of lat, lng.
func east(lat, lng, km float64) (float64, float64) {
	return lat, lng + km/(kmPerDegree*math.Cos(lat*math.Pi/180))
}

func venueAt(name string, lat, lng float64) linkwork.LandscapeVenue {
	return linkwork.LandscapeVenue{Name: name, Postcode: "HX1 1AA", Lat: lat, Lng: lng}
}

func landscapeFixture() *linkwork.LandscapeInput {
	hood := func(code, name string, decile int, lat, lng float64, postcode, ward, la string) *linkwork.Neighbourhood {
		return &linkwork.Neighbourhood{Code: code, Name: name, IMDDecile: decile, Lat: lat, Lng: lng, Postcode: postcode,
			Ward: ward, LocalAuthorityCode: la, LocalAuthorityName: "Calderdale"}
	}
	// In input order unlike the coverage order, to show the analysis sorts them.
	hoods := []*linkwork.Neighbourhood{
		hood(nh4, "Warley", 0, 53.80, -1.75, "HX2 7AA", "E05000003", "E08000033"),
		hood(nh1, "Park", 1, 53.70, -1.90, "HX1 1AA", "E05000001", "E08000033"),
		hood(nh2, "Town", 2, 53.70, -1.75, "HX1 2BB", "E05000001", "E08000033"),
		hood(nh3, "Ovenden", 1, 53.80, -1.90, "HX3 5AA", "E05000002", "E08000033"),
		hood(nh5, "Skircoat", 5, 53.90, -1.90, "HX3 0BB", "E05000004", "E08000033"),
		hood(nh6, "Bradford Moor", 3, 53.90, -1.75, "BD3 9AA", "E05000005", "E08000032"),
	}
	at := func(code string) *linkwork.Neighbourhood {
		for _, h := range hoods {
			if h.Code == code {
				return h
			}
		}
		panic(code)
	}
	scheme := func(id int64, name string, org int64, sector linkwork.Sector, areas, needs, groups []string,
		cs *linkwork.ConnectorScheme, capacity *linkwork.SchemeCapacity) *linkwork.LandscapeService {
		return &linkwork.LandscapeService{ID: id, Name: name, Kind: linkwork.KindScheme, Status: linkwork.StatusActive,
			OrganisationID: org, Sector: sector, Areas: areas, Needs: needs, ClientGroups: groups, Scheme: cs, Capacity: capacity}
	}
	offer := func(id int64, name string, org int64, sector linkwork.Sector, needs []string,
		venues ...linkwork.LandscapeVenue) *linkwork.LandscapeService {
		return &linkwork.LandscapeService{ID: id, Name: name, Kind: linkwork.KindActivity, Status: linkwork.StatusActive,
			OrganisationID: org, Sector: sector, Needs: needs, Venues: venues}
	}
	full := func(limit int) *linkwork.SchemeCapacity { return &linkwork.SchemeCapacity{Limit: limit, Free: 0} }

	s10 := scheme(10, "Calderdale PCN link workers", 1, linkwork.SectorNHS, []string{"HX1"}, // a district: 1 and 2
		[]string{"loneliness", "mental_wellbeing", "money_debt"}, nil,
		&linkwork.ConnectorScheme{Model: linkwork.ModelPCNLinkWorker, FundingSource: "NHS England ARRS",
			ElectronicSystem: "EMIS Web", AssessmentTools: []string{"WEMWBS", "ONS4"}, StaffFTE: 4.5}, full(30))
	s10.BuildingBlocks = []string{"take_control"}
	s20 := scheme(20, "Council connectors", 2, linkwork.SectorCouncil, []string{nh1, nh2, nh3}, // LSOA codes
		[]string{"loneliness", "mental_wellbeing"}, []string{"carers", "older_people"},
		&linkwork.ConnectorScheme{Model: linkwork.ModelLocalAreaCoord, FundingSource: "Calderdale Council",
			ElectronicSystem: "emis  web", AssessmentTools: []string{"wemwbs"}, StaffFTE: 2.25}, full(10))
	s30 := scheme(30, "Ward navigators", 3, linkwork.SectorVCSE, []string{"e05000001", "E05000002"}, // ward codes: 1, 2, 3
		[]string{"loneliness", "money_debt"}, []string{"older_people"},
		&linkwork.ConnectorScheme{Model: linkwork.ModelCommunityNavigator, ElectronicSystem: "Charitylog",
			AssessmentTools: []string{"ONS4", "WEMWBS"}, StaffFTE: 1}, nil)
	s40 := scheme(40, "Housing connector", 4, linkwork.SectorHousing, nil, // no areas: the whole place
		[]string{"housing"}, []string{"everyone"},
		&linkwork.ConnectorScheme{Model: linkwork.ModelHousingConnector, FundingSource: "calderdale   council",
			ElectronicSystem: "None", StaffFTE: 0.1}, &linkwork.SchemeCapacity{Limit: 5, Free: 2})
	s50 := scheme(50, "Ovenden friends", 3, linkwork.SectorVCSE, []string{"Ovenden", "HX3 5"}, // a name and a sector: 3, maybe the rest
		[]string{"loneliness"}, nil, nil, nil)
	s60 := scheme(60, "Closed link workers", 1, linkwork.SectorNHS, []string{"HX1"}, []string{"loneliness"}, nil,
		&linkwork.ConnectorScheme{Model: linkwork.ModelPCNLinkWorker, FundingSource: "nhs england  ARRS",
			ElectronicSystem: " EMIS  Web ", StaffFTE: 3}, nil)
	s60.Status = linkwork.StatusInactive

	n1, n2, n3, n4 := at(nh1), at(nh2), at(nh3), at(nh4)
	o100 := offer(100, "Park lunch club", 5, linkwork.SectorFaith, []string{"loneliness", "mental_wellbeing", "food"},
		venueAt("Church hall", 0, 0)) // replaced below: 3.19 km north of 1, just inside
	o100.Venues[0].Lat, o100.Venues[0].Lng = north(n1.Lat, n1.Lng, 3.19)
	o100.ClientGroups, o100.BuildingBlocks = []string{"older_people"}, []string{"connect"}
	o110 := offer(110, "Town walk", 6, linkwork.SectorVCSE, []string{"mental_wellbeing"},
		venueAt("Far start", 0, 0), venueAt("Town square", n2.Lat, n2.Lng), linkwork.LandscapeVenue{Name: "Park gate", Postcode: "HX1 2BB"})
	o110.Venues[0].Lat, o110.Venues[0].Lng = north(n2.Lat, n2.Lng, -3.21) // just outside 2
	o120 := offer(120, "Warley choir", 6, linkwork.SectorVCSE, []string{"loneliness"}, venueAt("School", 0, 0))
	o120.Venues[0].Lat, o120.Venues[0].Lng = north(n4.Lat, n4.Lng, -3.21) // just outside 4 at 3.2 km, inside at 3.3
	o130 := offer(130, "Money advice drop-in", 2, linkwork.SectorCouncil, []string{"money_debt"})
	o130.Areas = []string{"hx1  1"}                                                            // no venue; a sector: 1
	o140 := offer(140, "Befriending by phone", 6, linkwork.SectorVCSE, []string{"loneliness"}) // neither venue nor area
	o150 := offer(150, "Ovenden craft", 6, linkwork.SectorVCSE, []string{"loneliness"})
	o150.Areas = []string{" Ovenden "} // no venue; an area that cannot be placed
	o160 := offer(160, "Closed club", 6, linkwork.SectorVCSE, []string{"loneliness"}, linkwork.LandscapeVenue{Name: "Old hall"})
	o160.Status = linkwork.StatusTemporarilyClosed // not analysed: its venue without coordinates is not a problem
	o170 := offer(170, "Listening café", 5, linkwork.SectorFaith, []string{"loneliness", "mental_wellbeing"},
		venueAt("Café", n3.Lat, n3.Lng))
	o180 := offer(180, "Housing advice", 4, linkwork.SectorHousing, []string{"housing"}, venueAt("Office", 0, 0))
	o180.Venues[0].Lat, o180.Venues[0].Lng = east(n4.Lat, n4.Lng, 3.0)

	return &linkwork.LandscapeInput{
		Place:          &linkwork.Place{ID: 1, Name: "Calderdale"},
		Neighbourhoods: hoods,
		Services:       []*linkwork.LandscapeService{o180, s30, o100, s10, o110, s20, o120, s40, o130, s50, o140, s60, o150, o160, o170},
		Organisations: []*linkwork.Organisation{
			{ID: 1, Name: "Calder PCN", Sector: linkwork.SectorNHS},
			{ID: 2, Name: "Calderdale Council", Sector: linkwork.SectorCouncil},
			{ID: 3, Name: "Community Links", Sector: linkwork.SectorVCSE},
			{ID: 4, Name: "Together Housing", Sector: linkwork.SectorHousing},
			{ID: 5, Name: "St Mary's", Sector: linkwork.SectorFaith},
			{ID: 6, Name: "Walkers", Sector: linkwork.SectorVCSE},
			{ID: 7, Name: "Mystery", Sector: ""},
		},
		Terms: map[string]map[string]string{
			linkwork.TaxonomyNeed: {"loneliness": "Loneliness and isolation", "mental_wellbeing": "Mental wellbeing",
				"money_debt": "Money and debt", "housing": "Housing"},
		},
		TermOrder: map[string][]string{
			linkwork.TaxonomyNeed:          {"loneliness", "mental_wellbeing", "money_debt", "housing"},
			linkwork.TaxonomyClientGroup:   {"everyone", "older_people", "young_people", "carers"},
			linkwork.TaxonomyBuildingBlock: {"connect", "space", "skills_passions", "take_control"},
		},
		Demand: map[string]map[string]int{
			nh1:         {"housing": 4},
			nh3:         {"money_debt": 7},
			nh6:         {"loneliness": 2},
			nh4:         {"loneliness": 9},
			"E01999999": {"loneliness": 50}, // not one of the place's: ignored
		},
		DirectoryVersion: 7,
	}
}

var landscapeNow = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

func analyse(t *testing.T, in *linkwork.LandscapeInput, km float64) *linkwork.Landscape {
	t.Helper()
	l, err := linkwork.AnalyseLandscape(in, linkwork.LandscapeOptions{DistanceKm: km}, landscapeNow)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func ids(xs ...int64) []int64 {
	if xs == nil {
		return []int64{}
	}
	return xs
}

func TestLandscapeFixtureDistances(t *testing.T) {
	// The fixture's "just inside" and "just outside" are what the analysis will measure.
	in := landscapeFixture()
	l := analyse(t, in, 0)
	n1, n2, n4 := l.NeighbourhoodByCode(nh1), l.NeighbourhoodByCode(nh2), l.NeighbourhoodByCode(nh4)
	for _, c := range []struct {
		svc    int64
		venue  int
		hood   *linkwork.Neighbourhood
		lo, hi float64
	}{
		{100, 0, n1, 3.189, 3.191},
		{110, 0, n2, 3.209, 3.211},
		{120, 0, n4, 3.209, 3.211},
		{180, 0, n4, 2.99, 3.01},
	} {
		v := l.Service(c.svc).Venues[c.venue]
		if d := linkwork.Haversine(v.Lat, v.Lng, c.hood.Lat, c.hood.Lng); d < c.lo || d > c.hi {
			t.Errorf("service %d is %.4f km from %s, want %g to %g", c.svc, d, c.hood.Code, c.lo, c.hi)
		}
	}
	// Haversine is the distance linkwork uses everywhere: Halifax to Leeds is about 22 km.
	if d := linkwork.Haversine(53.7248, -1.8658, 53.7997, -1.5492); math.Abs(d-22.4) > 0.3 {
		t.Errorf("Halifax to Leeds = %.2f km", d)
	}
	if d := linkwork.Haversine(53.7, -1.9, 53.7, -1.9); d != 0 {
		t.Errorf("a point to itself = %g", d)
	}
}

func TestAnalyseLandscapeCoverage(t *testing.T) {
	in := landscapeFixture()
	before, _ := json.Marshal(in)
	l := analyse(t, in, 0)
	if after, _ := json.Marshal(in); string(before) != string(after) {
		t.Error("the analysis changed its input")
	}
	if l.Options.DistanceKm != linkwork.DefaultLandscapeDistanceKm || !l.GeneratedAt.Equal(landscapeNow) || l.Place.Name != "Calderdale" {
		t.Errorf("options %+v, generated %v, place %+v", l.Options, l.GeneratedAt, l.Place)
	}
	type want struct {
		code                   string
		schemes, offers, maybe []int64
	}
	wants := []want{
		{nh1, ids(10, 20, 30, 40), ids(100, 130), ids(50)},
		{nh3, ids(20, 30, 40, 50), ids(170), ids()},
		{nh2, ids(10, 20, 30, 40), ids(110), ids(50)},
		{nh6, ids(40), ids(), ids(50)},
		{nh5, ids(40), ids(), ids(50)},
		{nh4, ids(40), ids(180), ids(50)}, // 120 is 3.21 km away
	}
	if len(l.Coverage) != len(wants) {
		t.Fatalf("%d rows, want %d", len(l.Coverage), len(wants))
	}
	for i, w := range wants {
		r := l.Coverage[i]
		if r.Neighbourhood.Code != w.code {
			t.Errorf("row %d is %s, want %s", i, r.Neighbourhood.Code, w.code)
			continue
		}
		if !slices.Equal(r.SchemeIDs, w.schemes) || !slices.Equal(r.OfferIDs, w.offers) || !slices.Equal(r.MaybeSchemeIDs, w.maybe) {
			t.Errorf("%s: schemes %v offers %v maybe %v, want %v %v %v", w.code, r.SchemeIDs, r.OfferIDs, r.MaybeSchemeIDs,
				w.schemes, w.offers, w.maybe)
		}
	}

	// The first row by term, every key.
	tc := func(schemes, offers []int64) *linkwork.TermCoverage {
		return &linkwork.TermCoverage{SchemeIDs: schemes, OfferIDs: offers}
	}
	wantTerms := map[string]*linkwork.TermCoverage{
		"need/loneliness":             tc(ids(10, 20, 30), ids(100)),
		"need/mental_wellbeing":       tc(ids(10, 20), ids(100)),
		"need/money_debt":             tc(ids(10, 30), ids(130)),
		"need/housing":                tc(ids(40), ids()),
		"need/food":                   tc(ids(), ids(100)), // not a term of the taxonomy, but listed
		"client_group/older_people":   tc(ids(20, 30), ids(100)),
		"client_group/carers":         tc(ids(20), ids()),
		"client_group/everyone":       tc(ids(40), ids()),
		"building_block/connect":      tc(ids(), ids(100)),
		"building_block/take_control": tc(ids(10), ids()),
	}
	if got := l.Coverage[0].ByTerm; !reflect.DeepEqual(got, wantTerms) {
		for k, v := range got {
			t.Logf("%s: %v %v", k, v.SchemeIDs, v.OfferIDs)
		}
		t.Errorf("%s by term is wrong", nh1)
	}
	if got := l.Coverage[1].ByTerm["need/mental_wellbeing"]; !reflect.DeepEqual(got, tc(ids(20), ids(170))) {
		t.Errorf("%s mental wellbeing = %+v", nh3, got)
	}
	if got := l.Coverage[3].ByTerm; len(got) != 2 || !reflect.DeepEqual(got["need/housing"], tc(ids(40), ids())) {
		t.Errorf("%s by term = %v", nh6, got)
	}

	// A wider distance reaches the choir 3.21 km from the fourth neighbourhood.
	wide := analyse(t, landscapeFixture(), 3.3)
	if got := wide.Coverage[5].OfferIDs; !slices.Equal(got, ids(120, 180)) {
		t.Errorf("at 3.3 km, %s offers = %v, want [120 180]", nh4, got)
	}
	if wide.Options.DistanceKm != 3.3 {
		t.Errorf("options = %+v", wide.Options)
	}
	// A very wide one reaches across the place: every offer with a placed venue covers
	// every neighbourhood; the area offers still cover by area.
	all := analyse(t, landscapeFixture(), 50)
	for _, r := range all.Coverage {
		want := ids(100, 110, 120, 170, 180)
		if r.Neighbourhood.Code == nh1 {
			want = ids(100, 110, 120, 130, 170, 180)
		}
		if !slices.Equal(r.OfferIDs, want) {
			t.Errorf("at 50 km, %s offers = %v, want %v", r.Neighbourhood.Code, r.OfferIDs, want)
		}
	}
}

func TestAnalyseLandscapeLookups(t *testing.T) {
	l := analyse(t, landscapeFixture(), 0)
	if s := l.Service(60); s == nil || s.Name != "Closed link workers" {
		t.Errorf("Service(60) = %+v: inactive services are found too", s)
	}
	if s := l.Service(999); s != nil {
		t.Errorf("Service(999) = %+v", s)
	}
	if n := l.NeighbourhoodByCode(nh6); n == nil || n.Name != "Bradford Moor" {
		t.Errorf("NeighbourhoodByCode = %+v", n)
	}
	if n := l.NeighbourhoodByCode("E01999999"); n != nil {
		t.Errorf("unknown code = %+v", n)
	}
	// A landscape read back from JSON has no index but still finds neighbourhoods.
	b, err := json.Marshal(l)
	if err != nil {
		t.Fatal(err)
	}
	var back linkwork.Landscape
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if n := back.NeighbourhoodByCode(nh5); n == nil || n.Name != "Skircoat" {
		t.Errorf("from JSON: %+v", n)
	}
	if back.Service(10) != nil {
		t.Error("a landscape from JSON has no services to find")
	}
	// JSON lists are [] rather than null, for API clients.
	for _, frag := range []string{`"maybe_scheme_ids":[]`, `"offer_ids":[]`, `"schemes_without_system":[40,50]`} {
		if !strings.Contains(string(b), frag) {
			t.Errorf("JSON lacks %s", frag)
		}
	}
	if strings.Contains(string(b), "null") {
		t.Errorf("JSON has a null: %s", b[max(0, strings.Index(string(b), "null")-80):strings.Index(string(b), "null")+4])
	}
}

func TestAnalyseLandscapeDistance(t *testing.T) {
	in := landscapeFixture()
	for _, km := range []float64{-0.1, 50.01, math.NaN(), math.Inf(1)} {
		l, err := linkwork.AnalyseLandscape(in, linkwork.LandscapeOptions{DistanceKm: km}, landscapeNow)
		var e *linkwork.Error
		if l != nil || !asError(err, &e) || e.Code != linkwork.EINVALID || e.Field != "distance_km" ||
			!strings.Contains(e.Message, "at most 50") {
			t.Errorf("distance %g: %v, %v", km, l, err)
		}
	}
	for _, km := range []float64{0.001, 50} {
		if _, err := linkwork.AnalyseLandscape(in, linkwork.LandscapeOptions{DistanceKm: km}, landscapeNow); err != nil {
			t.Errorf("distance %g: %v", km, err)
		}
	}
	if _, err := linkwork.AnalyseLandscape(nil, linkwork.LandscapeOptions{}, landscapeNow); linkwork.ErrorCode(err) != linkwork.EINVALID {
		t.Errorf("nil input: %v", err)
	}
}

func asError(err error, e **linkwork.Error) bool {
	var ok bool
	*e, ok = err.(*linkwork.Error)
	return ok
}

func TestAnalyseLandscapeDataQuality(t *testing.T) {
	l := analyse(t, landscapeFixture(), 0)
	type want struct {
		kind linkwork.DataProblemKind
		id   int64
		has  []string
	}
	wants := []want{
		{linkwork.ProblemUnknownArea, 50, []string{`The area "Ovenden" cannot be placed`, "not counted in the 5 neighbourhoods", "HX3 5"}},
		{linkwork.ProblemNoCoordinates, 110, []string{"The venue Park gate (HX1 2BB) has no latitude and longitude"}},
		{linkwork.ProblemNoArea, 140, []string{"neither a venue nor an area"}},
		{linkwork.ProblemUnknownArea, 150, []string{`The area "Ovenden"`, "it covers no neighbourhood", "or use postcode districts"}},
	}
	if len(l.DataQuality) != len(wants) {
		for _, p := range l.DataQuality {
			t.Logf("%+v", p)
		}
		t.Fatalf("%d problems, want %d", len(l.DataQuality), len(wants))
	}
	for i, w := range wants {
		p := l.DataQuality[i]
		if p.Kind != w.kind || p.ServiceID != w.id || p.ServiceName != l.Service(w.id).Name {
			t.Errorf("problem %d = %+v, want %s for %d", i, p, w.kind, w.id)
		}
		for _, s := range w.has {
			if !strings.Contains(p.Detail, s) {
				t.Errorf("problem %d: %q lacks %q", i, p.Detail, s)
			}
		}
	}

	// No neighbourhoods: one problem for the place, first, and the services' problems still.
	in := landscapeFixture()
	in.Neighbourhoods = nil
	l = analyse(t, in, 0)
	if len(l.DataQuality) != 5 || l.DataQuality[0].Kind != linkwork.ProblemNoNeighbourhood || l.DataQuality[0].ServiceID != 0 ||
		!strings.Contains(l.DataQuality[0].Detail, "No neighbourhoods were found for Calderdale") {
		t.Errorf("no neighbourhoods: %+v", l.DataQuality[0])
	}
	if !strings.Contains(l.DataQuality[1].Detail, `The area "Ovenden" cannot be placed on the map. Use`) {
		t.Errorf("with nothing to cover: %q", l.DataQuality[1].Detail)
	}
	if len(l.Coverage) != 0 || len(l.Gaps) != 0 || len(l.Overlaps) != 0 || len(l.Groups) != 0 {
		t.Errorf("no neighbourhoods: %d rows, %d gaps, %d overlaps, %d groups", len(l.Coverage), len(l.Gaps), len(l.Overlaps), len(l.Groups))
	}

	// Two unknown areas are named together, and an offer's other areas still count.
	in = landscapeFixture()
	in.Services = append(in.Services, &linkwork.LandscapeService{ID: 200, Name: "Mixed areas", Kind: linkwork.KindActivity,
		Status: linkwork.StatusActive, Areas: []string{"Ovenden", "HX1", "Mixenden"}})
	l = analyse(t, in, 0)
	last := l.DataQuality[len(l.DataQuality)-1]
	if last.ServiceID != 200 || !strings.Contains(last.Detail, `The areas "Ovenden" and "Mixenden"`) ||
		!strings.Contains(last.Detail, "counted only in the 2 neighbourhoods") {
		t.Errorf("mixed areas: %+v", last)
	}
}

// TestAnalyseLandscapeCoverageBruteForce checks the coverage against AreaCovers and
// DistanceKm asked of every service and neighbourhood, on random places and distances.
func TestAnalyseLandscapeCoverageBruteForce(t *testing.T) {
	for seed, km := range []float64{0, 0.5, 3.3, 12, 50} {
		in := syntheticLandscape(uint64(seed), 120, 200, 1000)
		// Every kind of area, in any case and spacing, for a few offers without venues.
		for i, s := range in.Services {
			if s.Kind == linkwork.KindActivity && i%10 == 0 {
				s.Venues, s.Areas = nil, []string{" hx1  ", "Town", in.Neighbourhoods[i%120].Ward, "e01000007", "HX2 1", "ZZ1"}
			}
		}
		l := analyse(t, in, km)
		d := l.Options.DistanceKm
		termsOf := map[int64]map[string]bool{}
		for _, s := range in.Services {
			termsOf[s.ID] = map[string]bool{}
			for tax, codes := range map[string][]string{linkwork.TaxonomyNeed: s.Needs,
				linkwork.TaxonomyClientGroup: s.ClientGroups, linkwork.TaxonomyBuildingBlock: s.BuildingBlocks} {
				for _, c := range codes {
					termsOf[s.ID][tax+"/"+c] = true
				}
			}
		}
		for _, r := range l.Coverage {
			n := r.Neighbourhood
			pc := &linkwork.PostcodeInfo{Postcode: n.Postcode, LSOA: n.Code, Ward: n.Ward, LocalAuthority: n.LocalAuthorityCode}
			var schemes, maybe, offers []int64
			for _, s := range in.Services {
				if s.Status != linkwork.StatusActive {
					continue
				}
				match := linkwork.AreaCovers(s.Areas, pc)
				switch {
				case s.Kind == linkwork.KindScheme && match == linkwork.AreaYes:
					schemes = append(schemes, s.ID)
				case s.Kind == linkwork.KindScheme && match == linkwork.AreaUnknown:
					maybe = append(maybe, s.ID)
				case s.Kind == linkwork.KindActivity && len(s.Venues) == 0:
					if len(s.Areas) > 0 && match == linkwork.AreaYes {
						offers = append(offers, s.ID)
					}
				case s.Kind == linkwork.KindActivity:
					if slices.ContainsFunc(s.Venues, func(v linkwork.LandscapeVenue) bool {
						return (v.Lat != 0 || v.Lng != 0) && linkwork.DistanceKm(v.Lat, v.Lng, n.Lat, n.Lng) <= d
					}) {
						offers = append(offers, s.ID)
					}
				}
			}
			for _, xs := range [][]int64{schemes, maybe, offers} {
				slices.Sort(xs)
			}
			if !slices.Equal(r.SchemeIDs, ids(schemes...)) || !slices.Equal(r.MaybeSchemeIDs, ids(maybe...)) ||
				!slices.Equal(r.OfferIDs, ids(offers...)) {
				t.Fatalf("%g km, %s: got %v %v %v\nwant %v %v %v", d, n.Code, r.SchemeIDs, r.MaybeSchemeIDs, r.OfferIDs,
					schemes, maybe, offers)
			}
			// By term: each listed service has the term, and each with the term is listed.
			for key, tc := range r.ByTerm {
				want := func(all []int64) []int64 {
					var out []int64
					for _, id := range all {
						if termsOf[id][key] {
							out = append(out, id)
						}
					}
					return ids(out...)
				}
				if !slices.Equal(tc.SchemeIDs, want(r.SchemeIDs)) || !slices.Equal(tc.OfferIDs, want(r.OfferIDs)) {
					t.Fatalf("%s %s: %v %v", n.Code, key, tc.SchemeIDs, tc.OfferIDs)
				}
			}
			listed := 0
			for _, tc := range r.ByTerm {
				listed += len(tc.SchemeIDs) + len(tc.OfferIDs)
			}
			terms := 0
			for _, id := range append(slices.Clone(r.SchemeIDs), r.OfferIDs...) {
				terms += len(termsOf[id])
			}
			if listed != terms {
				t.Fatalf("%s: %d listed by term, want %d", n.Code, listed, terms)
			}
		}
	}
}

func TestAnalyseLandscapeFragmentation(t *testing.T) {
	l := analyse(t, landscapeFixture(), 0)
	// Every scheme counts, the closed one (60) too: "EMIS Web", "emis  web" and " EMIS  Web "
	// are one system, named as most write it.
	want := &linkwork.Fragmentation{
		Systems: []*linkwork.ToolUse{
			{Name: "EMIS Web", SchemeIDs: []int64{10, 20, 60}},
			{Name: "Charitylog", SchemeIDs: []int64{30}},
		},
		Tools: []*linkwork.ToolUse{
			{Name: "WEMWBS", SchemeIDs: []int64{10, 20, 30}},
			{Name: "ONS4", SchemeIDs: []int64{10, 30}},
		},
		SchemesWithoutSystem: []int64{40, 50}, // "None", and no scheme details at all
	}
	if !reflect.DeepEqual(l.Fragmentation, want) {
		b, _ := json.Marshal(l.Fragmentation)
		t.Errorf("fragmentation = %s", b)
	}

	// Ties between spellings go to the first alphabetically; ties between systems to the
	// name; a scheme writing a tool twice is listed once.
	in := landscapeFixture()
	in.Services = nil
	for i, sys := range []string{"systmone", "SystmOne", "Elemental", "  ", "NONE", "Lamplight"} {
		s := schemeIn(int64(i+1), nil, nil, nil)
		s.Scheme = &linkwork.ConnectorScheme{ElectronicSystem: sys, AssessmentTools: []string{"MYCaW", "mycaw", "none"}}
		in.Services = append(in.Services, s)
	}
	f := analyse(t, in, 0).Fragmentation
	var got []string
	for _, u := range f.Systems {
		got = append(got, fmt.Sprint(u.Name, u.SchemeIDs))
	}
	if want := []string{"SystmOne[1 2]", "Elemental[3]", "Lamplight[6]"}; !slices.Equal(got, want) {
		t.Errorf("systems = %v, want %v", got, want)
	}
	if len(f.Tools) != 1 || f.Tools[0].Name != "MYCaW" || !slices.Equal(f.Tools[0].SchemeIDs, []int64{1, 2, 3, 4, 5, 6}) {
		t.Errorf("tools = %+v", f.Tools[0])
	}
	if !slices.Equal(f.SchemesWithoutSystem, []int64{4, 5}) {
		t.Errorf("without = %v", f.SchemesWithoutSystem)
	}
}

func TestAnalyseLandscapeSectors(t *testing.T) {
	l := analyse(t, landscapeFixture(), 0)
	type count struct {
		orgs, schemes, offers int
		ids                   []int64
	}
	want := map[linkwork.Sector]count{
		linkwork.SectorNHS:     {1, 2, 0, []int64{10, 60}},
		linkwork.SectorCouncil: {1, 1, 1, []int64{20}},
		linkwork.SectorHousing: {1, 1, 1, []int64{40}},
		linkwork.SectorVCSE:    {2, 2, 5, []int64{30, 50}}, // offers 110-160, the closed one too
		linkwork.SectorFaith:   {1, 0, 2, []int64{}},
		linkwork.SectorOther:   {1, 0, 0, []int64{}}, // the organisation without a sector
	}
	if len(l.Sectors.BySector) != len(linkwork.Sectors) {
		t.Fatalf("%d sectors", len(l.Sectors.BySector))
	}
	for i, c := range l.Sectors.BySector {
		w := want[c.Sector]
		if w.ids == nil {
			w.ids = []int64{}
		}
		if got := (count{c.Organisations, c.Schemes, c.Offers, c.SchemeIDs}); c.Sector != linkwork.Sectors[i] || !reflect.DeepEqual(got, w) {
			t.Errorf("%s: %+v, want %+v", c.Sector, c, w)
		}
	}
	named := func(ns []*linkwork.NamedCount) []string {
		var out []string
		for _, n := range ns {
			out = append(out, fmt.Sprint(n.Name, n.SchemeIDs))
		}
		return out
	}
	// Funding as written, ignoring case and spaces; the most schemes first, then by name;
	// "Not stated" last.
	if got, want := named(l.Sectors.ByFunding), []string{"Calderdale Council[20 40]", "NHS England ARRS[10 60]",
		"Not stated[30 50]"}; !slices.Equal(got, want) {
		t.Errorf("funding = %v, want %v", got, want)
	}
	if got, want := named(l.Sectors.ByModel), []string{"Primary care network social prescribing link worker[10 60]",
		"Community navigator[30]", "Housing connector[40]", "Local area coordination[20]", "Not stated[50]"}; !slices.Equal(got, want) {
		t.Errorf("models = %v, want %v", got, want)
	}
	if l.Sectors.StaffFTE != 10.85 { // 4.5 + 2.25 + 1 + 0.1 + 3
		t.Errorf("staff = %v", l.Sectors.StaffFTE)
	}
}
