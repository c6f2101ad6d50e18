package api_test

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
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

// The landscape place is York (place A) built by hand, where the right answers are known.
// Its venues are all in York (E06000014), so its neighbourhoods are York's three LSOAs with
// live postcodes (a Leeds LSOA and an LSOA with only an ended postcode are not):
//
//	n1  E01013346  York 001A  decile 1  YO10 3AA (53.95, -1.05)
//	n2  E01013347  York 001B  decile 5  YO24 1AA (53.95, -1.15)   6.54 km west of n1
//	n3  E01013348  (no name)  decile 0  YO31 1AA (54.00, -1.05)   5.56 km north of n1
//
// Connector schemes (s6 is inactive; the rest active):
//
//	s1  health       whole place        loneliness, mental wellbeing; older people
//	s2  council      YO10 (n1)          loneliness, money; everyone
//	s3  York CVS     n1, n2 by LSOA     loneliness, mental wellbeing; older people
//	s4  York CVS     "Micklegate"       loneliness (an area that cannot be placed)
//	s5  debt trust   YO24 (n2)          money; full (one place, taken)
//	s6  York CVS     whole place        loneliness (inactive)
//
// Community offers: o1 loneliness at YO10 3AA; o2 money at YO24 1AA; o3 housing in YO31
// (no venue); o4 loneliness with neither venue nor area; o5 loneliness at a venue with no
// coordinates. Referrals: one from n2 for money (allocated, filling s5) and one from n3 for
// loneliness.
type landscapeFixture struct {
	*fixture
	commissioner, referrer, community, debtWorker *linkwork.User
	cvs, debtTrust, surgery                       *linkwork.Organisation
	s1, s2, s3, s4, s5, s6                        *linkwork.Service
	o1, o2, o3, o4, o5                            *linkwork.Service
	needs                                         []string          // the need codes in the taxonomy's order
	labels                                        map[string]string // need code → label
}

const (
	n1, n2, n3 = "E01013346", "E01013347", "E01013348"
	leedsLSOA  = "E01011111"
	// The person referred: their name and NHS number must never be in a landscape answer.
	lsGiven, lsFamily, lsNHS = "Zebedee", "Quixote", "943 476 5919"
)

func newLandscapeFixture(t *testing.T, db *sqldb.DB) *landscapeFixture {
	t.Helper()
	lf := &landscapeFixture{fixture: newFixture(t, db)}
	f, ctx := lf.fixture, t.Context()
	org := func(name string, s linkwork.Sector) *linkwork.Organisation {
		o := &linkwork.Organisation{PlaceID: f.placeA.ID, Name: name, Sector: s}
		must(t, f.svc.Organisations.CreateOrganisation(ctx, o))
		return o
	}
	lf.cvs = org("York CVS", linkwork.SectorVCSE)
	lf.debtTrust = org("York Debt Advice Trust", linkwork.SectorVCSE)
	lf.surgery = org("York Road Surgery", linkwork.SectorNHS)
	lf.commissioner = f.user("commissioner@york.example.org", "Cy Commissioner", f.council, linkwork.RoleCommissioner)
	lf.referrer = f.user("gp@york.example.org", "Rae Referrer", lf.surgery, linkwork.RoleReferrer)
	lf.community = f.user("cvs@york.example.org", "Cal Community", lf.cvs, linkwork.RoleCommunity)
	lf.debtWorker = f.user("debt@york.example.org", "Dee Debtworker", lf.debtTrust, linkwork.RoleLinkWorker)

	for _, tx := range decodeList[linkwork.Taxonomy](f.as(f.admin).do("GET", "/api/v1/taxonomies", nil).want(http.StatusOK)).Items {
		if tx.Code == linkwork.TaxonomyNeed {
			lf.labels = map[string]string{}
			for _, term := range tx.Terms {
				lf.needs = append(lf.needs, term.Code)
				lf.labels[term.Code] = term.Name
			}
		}
	}
	terms := func(names ...string) []int64 { return f.termIDs(f.admin, names...) }
	add := func(o *linkwork.Organisation, s *linkwork.Service) *linkwork.Service {
		t.Helper()
		s.PlaceID, s.OrganisationID, s.Free = f.placeA.ID, o.ID, true
		s.Description = "Something for people in York."
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
	scheme := func(c linkwork.ConnectorScheme) *linkwork.ConnectorScheme {
		c.WhoCanRefer = linkwork.ReferrerTypes
		return &c
	}
	// Made before any postcode is known, so that its venue keeps no coordinates.
	ended2015 := time.Date(2015, time.April, 1, 0, 0, 0, 0, time.UTC)
	lf.o5 = add(lf.cvs, &linkwork.Service{Name: "Lost Venue Club", TermIDs: terms("need:loneliness"), Locations: at("YO1 9ZZ")})

	_, err := f.svc.Geography.ImportLSOAs(ctx, seq(
		&linkwork.LSOA{Code: n1, Name: "York 001A", LocalAuthorityCode: "E06000014", LocalAuthorityName: "York", IMDRank: 900, IMDDecile: 1},
		&linkwork.LSOA{Code: n2, Name: "York 001B", LocalAuthorityCode: "E06000014", LocalAuthorityName: "York", IMDRank: 16000, IMDDecile: 5},
		&linkwork.LSOA{Code: leedsLSOA, Name: "Leeds 111A", LocalAuthorityCode: "E08000035", LocalAuthorityName: "Leeds", IMDRank: 100, IMDDecile: 1},
	), linkwork.ImportOptions{})
	must(t, err)
	_, err = f.svc.Geography.ImportPostcodes(ctx, seq(
		&linkwork.PostcodeInfo{Postcode: "YO10 3AA", Lat: 53.95, Lng: -1.05, LSOA: n1, Ward: "E05010001", LocalAuthority: "E06000014"},
		&linkwork.PostcodeInfo{Postcode: "YO24 1AA", Lat: 53.95, Lng: -1.15, LSOA: n2, Ward: "E05010002", LocalAuthority: "E06000014"},
		&linkwork.PostcodeInfo{Postcode: "YO31 1AA", Lat: 54.00, Lng: -1.05, LSOA: n3, Ward: "E05010003", LocalAuthority: "E06000014"},
		&linkwork.PostcodeInfo{Postcode: "YO32 9ZZ", Lat: 54.02, Lng: -1.05, LSOA: "E01013349", Ward: "E05010004",
			LocalAuthority: "E06000014", Terminated: &ended2015},
		&linkwork.PostcodeInfo{Postcode: "LS1 1AA", Lat: 53.80, Lng: -1.55, LSOA: leedsLSOA, Ward: "E05011111", LocalAuthority: "E08000035"},
	), linkwork.ImportOptions{})
	must(t, err)

	lf.s1 = add(f.health, &linkwork.Service{Name: "Health Connectors", Kind: linkwork.KindScheme, Email: "connect@health.example.org",
		Phone: "01904 111111", TermIDs: terms("need:loneliness", "need:mental_wellbeing", "client_group:older_people"),
		Scheme: scheme(linkwork.ConnectorScheme{Model: linkwork.ModelPCNLinkWorker, ElectronicSystem: "EMIS Web",
			AssessmentTools: []string{"SWEMWBS", "ONS4"}, FundingSource: "NHS England", StaffFTE: 2.5})})
	lf.s2 = add(f.council, &linkwork.Service{Name: "Council Connectors", Kind: linkwork.KindScheme, Areas: []string{"YO10"},
		TermIDs: terms("need:loneliness", "need:money_debt"),
		Scheme: scheme(linkwork.ConnectorScheme{Model: linkwork.ModelLocalAreaCoord, ElectronicSystem: "emis  web",
			AssessmentTools: []string{"SWEMWBS"}, FundingSource: "NHS England", StaffFTE: 1})})
	lf.s3 = add(lf.cvs, &linkwork.Service{Name: "CVS Connectors", Kind: linkwork.KindScheme, Areas: []string{n1, n2},
		TermIDs: terms("need:loneliness", "need:mental_wellbeing", "client_group:older_people"),
		Scheme: scheme(linkwork.ConnectorScheme{Model: linkwork.ModelCommunityNavigator, ElectronicSystem: "None",
			AssessmentTools: []string{"swemwbs"}, FundingSource: "National Lottery"})})
	lf.s4 = add(lf.cvs, &linkwork.Service{Name: "Micklegate Friends", Kind: linkwork.KindScheme, Areas: []string{"Micklegate"},
		TermIDs: terms("need:loneliness"),
		Scheme:  scheme(linkwork.ConnectorScheme{Model: linkwork.ModelOther, ElectronicSystem: "EMIS Web"})})
	lf.s5 = add(lf.debtTrust, &linkwork.Service{Name: "Debt Connectors", Kind: linkwork.KindScheme, Areas: []string{"YO24"},
		TermIDs: terms("need:money_debt"),
		Scheme:  scheme(linkwork.ConnectorScheme{Model: linkwork.ModelOther, ElectronicSystem: "SystmOne", CaseloadLimit: 1})})
	lf.s6 = add(lf.cvs, &linkwork.Service{Name: "Old Connectors", Kind: linkwork.KindScheme, Status: linkwork.StatusInactive,
		TermIDs: terms("need:loneliness"),
		Scheme:  scheme(linkwork.ConnectorScheme{Model: linkwork.ModelOther, ElectronicSystem: "SystmOne"})})

	lf.o1 = add(f.council, &linkwork.Service{Name: "Riverside Walk", TermIDs: terms("need:loneliness"), Locations: at("YO10 3AA")})
	lf.o2 = add(lf.debtTrust, &linkwork.Service{Name: "Debt Drop-in", TermIDs: terms("need:money_debt"), Locations: at("YO24 1AA")})
	lf.o3 = add(f.council, &linkwork.Service{Name: "Housing Advice", TermIDs: terms("need:housing"), Areas: []string{"YO31"}})
	lf.o4 = add(lf.cvs, &linkwork.Service{Name: "Befriending by Phone", TermIDs: terms("need:loneliness")})

	// A referral from n2 for money fills the debt scheme's one place; one from n3 for
	// loneliness waits.
	refer := func(schemeID int64, postcode string, need string) api.ReferralView {
		var ref api.ReferralView
		f.as(lf.referrer).do("POST", "/api/v1/referrals", api.ReferralBody{
			Person: linkwork.ReferralPerson{GivenName: lsGiven, FamilyName: lsFamily, DateOfBirth: "1950-05-01",
				NHSNumber: lsNHS, Address1: "1 High Street", Town: "York", Postcode: postcode, Phone: "01904 123456",
				ContactPreferences: []linkwork.ContactMethod{linkwork.ContactPhone}},
			NeedIDs: terms(need), Reason: "Would like some help.", Urgency: linkwork.UrgencySoon,
			Referrer: api.ReferrerBody{Type: linkwork.ReferrerGP, Role: "GP", Phone: "01904 000111"},
			Consent:  api.ConsentBody{ToReferral: true, Method: linkwork.ConsentVerbal},
			SchemeID: schemeID,
		}).want(http.StatusCreated).decode(&ref)
		return ref
	}
	ref := refer(lf.s5.ID, "YO24 1AA", "need:money_debt")
	decide := func(tr linkwork.Transition) {
		f.as(lf.debtWorker).do("POST", path("/api/v1/referrals/%d/transitions", ref.ID), tr).want(http.StatusOK).decode(&ref)
	}
	decide(linkwork.Transition{Action: linkwork.ActionAccept, Version: ref.Version})
	decide(linkwork.Transition{Action: linkwork.ActionAllocate, Version: ref.Version, WorkerUserID: lf.debtWorker.ID})
	refer(lf.s1.ID, "YO31 1AA", "need:loneliness")
	return lf
}

// get answers GET target as u, checking that it names no person.
func (lf *landscapeFixture) get(u *linkwork.User, target string, v any) {
	lf.t.Helper()
	res := lf.as(u).do("GET", target, nil).want(http.StatusOK)
	lf.noPeople(res)
	// A value decoded before would keep what the new answer leaves out.
	reflect.ValueOf(v).Elem().SetZero()
	res.decode(v)
}

// noPeople fails the test if an answer holds anything of the person referred or of the
// link workers' loads.
func (lf *landscapeFixture) noPeople(res *result) {
	lf.t.Helper()
	body := string(res.body)
	for _, s := range []string{lsGiven, lsFamily, lsNHS, strings.ReplaceAll(lsNHS, " ", ""), "1950-05-01", lf.debtWorker.Name} {
		if strings.Contains(body, s) {
			lf.t.Errorf("%s names a person (%q): %s", res.req, s, body)
		}
	}
}

func TestLandscape(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		lf := newLandscapeFixture(t, db)
		for _, c := range []struct {
			name string
			fn   func(*testing.T, *landscapeFixture)
		}{
			{"Access", testLandscapeAccess},
			{"BadDistance", testLandscapeBadDistance},
			{"Index", testLandscapeIndex},
			{"Coverage", testLandscapeCoverage},
			{"Overlaps", testLandscapeOverlaps},
			{"Gaps", testLandscapeGaps},
			{"Fragmentation", testLandscapeFragmentation},
			{"Sectors", testLandscapeSectors},
			{"DataQuality", testLandscapeDataQuality},
			{"Funding", testLandscapeFunding},
		} {
			t.Run(c.name, func(t *testing.T) {
				g := *lf
				g.fixture = lf.fixture.in(t)
				c.fn(t, &g)
			})
		}
	})
}

// landscapeGets are the landscape's GET routes.
var landscapeGets = []string{"/api/v1/landscape", "/api/v1/landscape/coverage", "/api/v1/landscape/overlaps",
	"/api/v1/landscape/groups", "/api/v1/landscape/gaps", "/api/v1/landscape/fragmentation",
	"/api/v1/landscape/sectors", "/api/v1/landscape/data-quality", "/api/v1/landscape/funding"}

// testLandscapeAccess checks who may see the landscape: administrators, commissioners and
// managers; not link workers, referrers nor community organisations; nobody signed out.
func testLandscapeAccess(t *testing.T, lf *landscapeFixture) {
	for _, target := range landscapeGets {
		for _, u := range []*linkwork.User{lf.admin, lf.commissioner, lf.manager} {
			lf.noPeople(lf.as(u).do("GET", target, nil).want(http.StatusOK))
		}
		for _, u := range []*linkwork.User{lf.worker, lf.referrer, lf.community} {
			lf.as(u).do("GET", target, nil).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
		}
		lf.anon().do("GET", target, nil).wantError(http.StatusUnauthorized, linkwork.EUNAUTHORIZED, "-")
	}
	body := api.FundingBody{NeighbourhoodCode: n1, Need: "housing"}
	for _, u := range []*linkwork.User{lf.manager, lf.worker, lf.referrer, lf.community} {
		lf.as(u).do("POST", "/api/v1/landscape/funding", body).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	}
	lf.anon().do("POST", "/api/v1/landscape/funding", body).wantError(http.StatusUnauthorized, linkwork.EUNAUTHORIZED, "-")
}

func testLandscapeBadDistance(t *testing.T, lf *landscapeFixture) {
	for _, target := range landscapeGets {
		for _, d := range []string{"0", "-1", "50.01", "abc", "NaN", "Inf", "1e400"} {
			e := lf.as(lf.manager).do("GET", target+"?distance_km="+url.QueryEscape(d), nil).
				wantError(http.StatusBadRequest, linkwork.EINVALID, "distance_km")
			if !strings.Contains(e.Message, "50") {
				t.Errorf("%s: the message does not say what is allowed: %q", d, e.Message)
			}
		}
		lf.as(lf.manager).do("GET", target+"?distance_km=50", nil).want(http.StatusOK)
	}
}

// wantIndex is the index of York at a distance.
func (lf *landscapeFixture) wantIndex(query string, distance float64, gaps int) {
	lf.t.Helper()
	var ix api.LandscapeIndex
	lf.get(lf.commissioner, "/api/v1/landscape"+query, &ix)
	want := api.LandscapeCounts{Neighbourhoods: 3, Schemes: 5, Offers: 5, Overlaps: 3, Groups: 1, Gaps: gaps, DataProblems: 3}
	if ix.Counts != want {
		lf.t.Errorf("%s: counts %+v, want %+v", query, ix.Counts, want)
	}
	if ix.Place == nil || ix.Place.ID != lf.placeA.ID || ix.Options.DistanceKm != distance || ix.GeneratedAt.IsZero() {
		lf.t.Errorf("%s: place %+v, options %+v, generated %v", query, ix.Place, ix.Options, ix.GeneratedAt)
	}
	links := api.LandscapeLinks{Coverage: "coverage", Overlaps: "overlaps", Groups: "groups", Gaps: "gaps",
		Fragmentation: "fragmentation", Sectors: "sectors", DataQuality: "data-quality", Funding: "funding"}
	for _, l := range []*string{&links.Coverage, &links.Overlaps, &links.Groups, &links.Gaps, &links.Fragmentation,
		&links.Sectors, &links.DataQuality, &links.Funding} {
		*l = baseURL + "/api/v1/landscape/" + *l + query
	}
	if ix.Links != links {
		lf.t.Errorf("%s: links %+v, want %+v", query, ix.Links, links)
	}
}

func testLandscapeIndex(t *testing.T, lf *landscapeFixture) {
	lf.wantIndex("", linkwork.DefaultLandscapeDistanceKm, len(lf.expectedGaps(false)))
	lf.wantIndex("?distance_km=6", 6, len(lf.expectedGaps(true)))
	// Each link answers.
	var ix api.LandscapeIndex
	lf.get(lf.admin, "/api/v1/landscape?distance_km=6", &ix)
	u, err := url.Parse(ix.Links.Gaps)
	must(t, err)
	if l := decodeList[api.GapEntry](lf.as(lf.admin).do("GET", u.RequestURI(), nil).want(http.StatusOK)); l.Total != ix.Counts.Gaps {
		t.Errorf("the gaps link answers %d gaps; the index counts %d", l.Total, ix.Counts.Gaps)
	}

	// Wakefield has no venues, so no neighbourhoods: said, not hidden.
	lf.get(lf.adminB, "/api/v1/landscape", &ix)
	if ix.Place.ID != lf.placeB.ID || ix.Counts != (api.LandscapeCounts{DataProblems: 1}) {
		t.Errorf("Wakefield's index: %+v", ix)
	}
}

// summary is how the landscape names a service.
func (lf *landscapeFixture) summary(s *linkwork.Service) api.LandscapeServiceSummary {
	org := map[int64]*linkwork.Organisation{lf.council.ID: lf.council, lf.health.ID: lf.health, lf.cvs.ID: lf.cvs,
		lf.debtTrust.ID: lf.debtTrust}[s.OrganisationID]
	return api.LandscapeServiceSummary{ID: s.ID, Name: s.Name, Kind: s.Kind, Status: s.Status, OrganisationID: org.ID,
		OrganisationName: org.Name, Sector: org.Sector, Email: s.Email, Phone: s.Phone}
}

// summaries names services, by ID.
func (lf *landscapeFixture) summaries(ss ...*linkwork.Service) []api.LandscapeServiceSummary {
	out := []api.LandscapeServiceSummary{}
	for _, s := range ss {
		out = append(out, lf.summary(s))
	}
	slices.SortFunc(out, func(a, b api.LandscapeServiceSummary) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

func ids(ss ...*linkwork.Service) []int64 {
	out := []int64{}
	for _, s := range ss {
		out = append(out, s.ID)
	}
	slices.Sort(out)
	return out
}

func testLandscapeCoverage(t *testing.T, lf *landscapeFixture) {
	type row struct {
		code                   string
		schemes, offers, maybe []int64
		services               []api.LandscapeServiceSummary
	}
	rowsOf := func(target string) ([]row, int) {
		t.Helper()
		var l list[api.CoverageEntry]
		lf.get(lf.manager, target, &l)
		var out []row
		for _, e := range l.Items {
			out = append(out, row{e.Neighbourhood.Code, e.SchemeIDs, e.OfferIDs, e.MaybeSchemeIDs, e.Services})
		}
		return out, l.Total
	}
	s1, s2, s3, s4, s5 := lf.s1, lf.s2, lf.s3, lf.s4, lf.s5
	o1, o2, o3 := lf.o1, lf.o2, lf.o3
	want := func(target string, rows ...row) {
		t.Helper()
		got, total := rowsOf(target)
		if total != len(rows) || fmt.Sprint(got) != fmt.Sprint(rows) {
			t.Errorf("%s: %d rows\n%+v\nwant\n%+v", target, total, got, rows)
		}
	}
	// Most deprived first, unknown deprivation last.
	r1 := row{n1, ids(s1, s2, s3), ids(o1), ids(s4), lf.summaries(s1, s2, s3, s4, o1)}
	r2 := row{n2, ids(s1, s3, s5), ids(o2), ids(s4), lf.summaries(s1, s3, s4, s5, o2)}
	r3 := row{n3, ids(s1), ids(o3), ids(s4), lf.summaries(s1, s4, o3)}
	want("/api/v1/landscape/coverage", r1, r2, r3)
	// Within 6 km, the walk by n1 is near n3 too.
	want("/api/v1/landscape/coverage?distance_km=6", r1, r2, row{n3, ids(s1), ids(o1, o3), ids(s4), lf.summaries(s1, s4, o1, o3)})
	want("/api/v1/landscape/coverage?lsoa=e01013347", r2)
	if got, total := rowsOf("/api/v1/landscape/coverage?per_page=1&page=2"); total != 3 || len(got) != 1 || got[0].code != n2 {
		t.Errorf("page 2 of 1 each: %+v of %d", got, total)
	}
	// A term keeps every row, with that term's schemes and offers.
	want("/api/v1/landscape/coverage?term=need/loneliness",
		row{n1, ids(s1, s2, s3), ids(o1), ids(s4), lf.summaries(s1, s2, s3, s4, o1)},
		row{n2, ids(s1, s3), ids(), ids(s4), lf.summaries(s1, s3, s4)},
		row{n3, ids(s1), ids(), ids(s4), lf.summaries(s1, s4)})
	want("/api/v1/landscape/coverage?term=need/money_debt",
		row{n1, ids(s2), ids(), ids(), lf.summaries(s2)},
		row{n2, ids(s5), ids(o2), ids(), lf.summaries(s5, o2)},
		row{n3, ids(), ids(), ids(), lf.summaries()})

	// The breakdown by term, and the neighbourhood itself.
	var l list[api.CoverageEntry]
	lf.get(lf.admin, "/api/v1/landscape/coverage?lsoa="+n1, &l)
	e := l.Items[0]
	wantTerms := map[string][2][]int64{
		"need/loneliness":           {ids(s1, s2, s3), ids(o1)},
		"need/mental_wellbeing":     {ids(s1, s3), ids()},
		"need/money_debt":           {ids(s2), ids()},
		"client_group/older_people": {ids(s1, s3), ids()},
	}
	if len(e.ByTerm) != len(wantTerms) {
		t.Errorf("n1 by term: %v", e.ByTerm)
	}
	for k, w := range wantTerms {
		if tc := e.ByTerm[k]; tc == nil || !slices.Equal(tc.SchemeIDs, w[0]) || !slices.Equal(tc.OfferIDs, w[1]) {
			t.Errorf("n1 %s: %+v, want schemes %v offers %v", k, tc, w[0], w[1])
		}
	}
	n := *e.Neighbourhood
	if n.Name != "York 001A" || n.IMDDecile != 1 || n.LocalAuthorityCode != "E06000014" || n.Postcode != "YO10 3AA" ||
		n.Ward != "E05010001" || n.Lat != 53.95 || n.Lng != -1.05 {
		t.Errorf("n1: %+v", n)
	}
	lf.get(lf.admin, "/api/v1/landscape/coverage?lsoa="+n3, &l)
	if n := l.Items[0].Neighbourhood; n.Name != n3 || n.IMDDecile != 0 || n.Postcode != "YO31 1AA" {
		t.Errorf("n3, with no LSOA record: %+v", n)
	}

	m := lf.as(lf.manager)
	m.do("GET", "/api/v1/landscape/coverage?lsoa="+leedsLSOA, nil).wantError(http.StatusBadRequest, linkwork.EINVALID, "lsoa")
	m.do("GET", "/api/v1/landscape/coverage?lsoa=E01013349", nil).wantError(http.StatusBadRequest, linkwork.EINVALID, "lsoa")
	for _, term := range []string{"need/flying", "loneliness", "accessibility/step_free", "need/", "/loneliness"} {
		m.do("GET", "/api/v1/landscape/coverage?term="+url.QueryEscape(term), nil).wantError(http.StatusBadRequest, linkwork.EINVALID, "term")
	}
	m.do("GET", "/api/v1/landscape/coverage?per_page=0", nil).wantError(http.StatusBadRequest, linkwork.EINVALID, "per_page")
}

func testLandscapeOverlaps(t *testing.T, lf *landscapeFixture) {
	s1, s2, s3 := lf.s1, lf.s2, lf.s3
	var l list[api.OverlapEntry]
	lf.get(lf.commissioner, "/api/v1/landscape/overlaps", &l)
	type overlap struct {
		ids           [2]int64
		hoods         []string
		share         float64
		needs, groups []string
		score         float64
		services      []api.LandscapeServiceSummary
	}
	var got []overlap
	for _, o := range l.Items {
		got = append(got, overlap{o.SchemeIDs, o.Neighbourhoods, o.Share, o.Needs, o.ClientGroups, o.Score, o.Services})
	}
	// s1 and s3 share n1 and n2 and both their needs; s2 shares n1 and loneliness (of
	// three needs) with each. s2 lists no client group, so serves the others' older people.
	// s5 shares n2 with s1 and s3 but no need; s4 covers nowhere it can be placed.
	lonelyWell := lf.inNeedOrder("loneliness", "mental_wellbeing")
	want := []overlap{
		{[2]int64{s1.ID, s3.ID}, []string{n1, n2}, 1, lonelyWell, []string{"older_people"}, 1, lf.summaries(s1, s3)},
		{[2]int64{s1.ID, s2.ID}, []string{n1}, 1, []string{"loneliness"}, []string{"older_people"}, 0.333, lf.summaries(s1, s2)},
		{[2]int64{s2.ID, s3.ID}, []string{n1}, 1, []string{"loneliness"}, []string{"older_people"}, 0.333, lf.summaries(s2, s3)},
	}
	if l.Total != 3 || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("overlaps (%d):\n%+v\nwant\n%+v", l.Total, got, want)
	}
	lf.get(lf.commissioner, "/api/v1/landscape/overlaps?per_page=1&page=3", &l)
	if l.Total != 3 || len(l.Items) != 1 || l.Items[0].SchemeIDs != [2]int64{s2.ID, s3.ID} {
		t.Errorf("page 3 of 1 each: %+v", l)
	}
	// The contacts are there to get in touch.
	if c := lf.summary(s1); c.Email != "connect@health.example.org" || c.Phone != "01904 111111" || c.Sector != linkwork.SectorNHS {
		t.Errorf("s1's summary: %+v", c)
	}

	var g list[api.GroupEntry]
	lf.get(lf.manager, "/api/v1/landscape/groups", &g)
	if g.Total != 1 || len(g.Items) != 1 || !slices.Equal(g.Items[0].SchemeIDs, ids(s1, s2, s3)) ||
		!slices.Equal(g.Items[0].Neighbourhoods, []string{n1}) || !slices.Equal(g.Items[0].Needs, []string{"loneliness"}) ||
		fmt.Sprint(g.Items[0].Services) != fmt.Sprint(lf.summaries(s1, s2, s3)) {
		t.Errorf("groups: %+v", g)
	}
	lf.as(lf.manager).do("GET", "/api/v1/landscape/groups?page=0", nil).wantError(http.StatusBadRequest, linkwork.EINVALID, "page")
}

// inNeedOrder returns the codes in the need taxonomy's order.
func (lf *landscapeFixture) inNeedOrder(codes ...string) []string {
	var out []string
	for _, c := range lf.needs {
		if slices.Contains(codes, c) {
			out = append(out, c)
		}
	}
	return out
}

type gapRow struct {
	code, need string
	reason     linkwork.GapReason
	demand     int
	full       []int64
}

// expectedGaps are York's gaps: at 3.2 km, every need of every neighbourhood but
// loneliness in n1 (the walk), money in n2 (the drop-in, but the only scheme is full: a
// gap at capacity) and housing in n3 (the advice covering YO31); at 6 km the walk is near
// n3 too. Order: n1 (decile 1), n2 (decile 5), n3 (unknown); demand first within each.
func (lf *landscapeFixture) expectedGaps(sixKm bool) []gapRow {
	var out []gapRow
	for _, c := range lf.needs {
		if c != "loneliness" {
			out = append(out, gapRow{n1, c, linkwork.GapNoOffer, 0, nil})
		}
	}
	out = append(out, gapRow{n2, "money_debt", linkwork.GapAtCapacity, 1, []int64{lf.s5.ID}})
	for _, c := range lf.needs {
		if c != "money_debt" {
			out = append(out, gapRow{n2, c, linkwork.GapNoOffer, 0, nil})
		}
	}
	if !sixKm {
		out = append(out, gapRow{n3, "loneliness", linkwork.GapNoOffer, 1, nil})
	}
	for _, c := range lf.needs {
		if c != "loneliness" && c != "housing" {
			out = append(out, gapRow{n3, c, linkwork.GapNoOffer, 0, nil})
		}
	}
	return out
}

func testLandscapeGaps(t *testing.T, lf *landscapeFixture) {
	gaps := func(query string) []gapRow {
		t.Helper()
		var l list[api.GapEntry]
		lf.get(lf.manager, "/api/v1/landscape/gaps?per_page=200"+query, &l)
		var out []gapRow
		for _, g := range l.Items {
			out = append(out, gapRow{g.Neighbourhood.Code, g.Need, g.Reason, g.Demand, g.FullSchemeIDs})
			if g.NeedLabel != lf.labels[g.Need] {
				t.Errorf("%s %s: label %q, want %q", g.Neighbourhood.Code, g.Need, g.NeedLabel, lf.labels[g.Need])
			}
			wantServices := []api.LandscapeServiceSummary{}
			if g.Reason == linkwork.GapAtCapacity {
				wantServices = lf.summaries(lf.s5)
			}
			if fmt.Sprint(g.Services) != fmt.Sprint(wantServices) {
				t.Errorf("%s %s: services %+v", g.Neighbourhood.Code, g.Need, g.Services)
			}
		}
		if l.Total != len(out) {
			t.Errorf("%s: total %d of %d", query, l.Total, len(out))
		}
		return out
	}
	check := func(query string, want []gapRow) {
		t.Helper()
		if got := gaps(query); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("gaps%s:\n%v\nwant\n%v", query, got, want)
		}
	}
	all := lf.expectedGaps(false)
	check("", all)
	check("&distance_km=6", lf.expectedGaps(true))
	check("&reason=at_capacity", []gapRow{{n2, "money_debt", linkwork.GapAtCapacity, 1, []int64{lf.s5.ID}}})
	keep := func(f func(gapRow) bool) []gapRow {
		var out []gapRow
		for _, g := range all {
			if f(g) {
				out = append(out, g)
			}
		}
		return out
	}
	check("&max_decile=1", keep(func(g gapRow) bool { return g.code == n1 }))
	check("&max_decile=5&reason=no_offer", keep(func(g gapRow) bool { return g.code != n3 && g.reason == linkwork.GapNoOffer }))

	var l list[api.GapEntry]
	lf.get(lf.manager, "/api/v1/landscape/gaps?per_page=2&page=2", &l)
	if l.Total != len(all) || len(l.Items) != 2 || l.Items[0].Need != all[2].need {
		t.Errorf("page 2 of 2 each: %d of %d", len(l.Items), l.Total)
	}
	m := lf.as(lf.manager)
	for _, q := range []string{"reason=full", "reason=NO_OFFER"} {
		m.do("GET", "/api/v1/landscape/gaps?"+q, nil).wantError(http.StatusBadRequest, linkwork.EINVALID, "reason")
	}
	for _, q := range []string{"0", "11", "two", "1.5"} {
		m.do("GET", "/api/v1/landscape/gaps?max_decile="+q, nil).wantError(http.StatusBadRequest, linkwork.EINVALID, "max_decile")
	}
}

func testLandscapeFragmentation(t *testing.T, lf *landscapeFixture) {
	var f api.FragmentationView
	lf.get(lf.admin, "/api/v1/landscape/fragmentation", &f)
	use := func(us []*linkwork.ToolUse) string {
		var out []string
		for _, u := range us {
			out = append(out, fmt.Sprint(u.Name, u.SchemeIDs))
		}
		return strings.Join(out, "; ")
	}
	// Names are one system whatever their case and spacing; "None" is no system; the
	// inactive scheme counts.
	s1, s2, s3, s4, s5, s6 := lf.s1, lf.s2, lf.s3, lf.s4, lf.s5, lf.s6
	wantSystems := fmt.Sprint("EMIS Web", ids(s1, s2, s4)) + "; " + fmt.Sprint("SystmOne", ids(s5, s6))
	wantTools := fmt.Sprint("SWEMWBS", ids(s1, s2, s3)) + "; " + fmt.Sprint("ONS4", ids(s1))
	if got := use(f.Systems); got != wantSystems {
		t.Errorf("systems %s, want %s", got, wantSystems)
	}
	if got := use(f.Tools); got != wantTools {
		t.Errorf("tools %s, want %s", got, wantTools)
	}
	if !slices.Equal(f.SchemesWithoutSystem, ids(s3)) {
		t.Errorf("schemes without a system: %v", f.SchemesWithoutSystem)
	}
	if fmt.Sprint(f.Services) != fmt.Sprint(lf.summaries(s1, s2, s3, s4, s5, s6)) {
		t.Errorf("services: %+v", f.Services)
	}
}

func testLandscapeSectors(t *testing.T, lf *landscapeFixture) {
	var s api.SectorsView
	lf.get(lf.commissioner, "/api/v1/landscape/sectors", &s)
	s1, s2, s3, s4, s5, s6 := lf.s1, lf.s2, lf.s3, lf.s4, lf.s5, lf.s6
	var got []string
	for _, c := range s.BySector {
		if c.Organisations+c.Schemes+c.Offers > 0 {
			got = append(got, fmt.Sprint(c.Sector, c.Organisations, c.Schemes, c.Offers, c.SchemeIDs))
		}
	}
	want := []string{
		fmt.Sprint(linkwork.SectorNHS, 2, 1, 0, ids(s1)),
		fmt.Sprint(linkwork.SectorCouncil, 1, 1, 2, ids(s2)),
		fmt.Sprint(linkwork.SectorVCSE, 2, 4, 3, ids(s3, s4, s5, s6)),
	}
	if !slices.Equal(got, want) {
		t.Errorf("by sector %v, want %v", got, want)
	}
	named := func(ns []*linkwork.NamedCount) map[string]string {
		out := map[string]string{}
		for _, n := range ns {
			out[n.Name] = fmt.Sprint(n.SchemeIDs)
		}
		return out
	}
	wantFunding := map[string]string{"NHS England": fmt.Sprint(ids(s1, s2)), "National Lottery": fmt.Sprint(ids(s3)),
		"Not stated": fmt.Sprint(ids(s4, s5, s6))}
	if got := named(s.ByFunding); fmt.Sprint(got) != fmt.Sprint(wantFunding) {
		t.Errorf("by funding %v, want %v", got, wantFunding)
	}
	wantModel := map[string]string{linkwork.ModelPCNLinkWorker.Label(): fmt.Sprint(ids(s1)),
		linkwork.ModelLocalAreaCoord.Label(): fmt.Sprint(ids(s2)), linkwork.ModelCommunityNavigator.Label(): fmt.Sprint(ids(s3)),
		linkwork.ModelOther.Label(): fmt.Sprint(ids(s4, s5, s6))}
	if got := named(s.ByModel); fmt.Sprint(got) != fmt.Sprint(wantModel) {
		t.Errorf("by model %v, want %v", got, wantModel)
	}
	if s.StaffFTE != 3.5 {
		t.Errorf("staff %v, want 3.5", s.StaffFTE)
	}
	if fmt.Sprint(s.Services) != fmt.Sprint(lf.summaries(s1, s2, s3, s4, s5, s6)) {
		t.Errorf("services: %+v", s.Services)
	}
}

func testLandscapeDataQuality(t *testing.T, lf *landscapeFixture) {
	var l list[api.DataProblemEntry]
	lf.get(lf.manager, "/api/v1/landscape/data-quality", &l)
	var got []string
	for _, p := range l.Items {
		if p.Detail == "" || p.Service == nil || p.Service.ID != p.ServiceID || p.ServiceName != p.Service.Name ||
			p.EditURL != baseURL+path("/services/%d/edit", p.ServiceID) {
			t.Errorf("problem %+v with service %+v", p.DataProblem, p.Service)
		}
		got = append(got, fmt.Sprint(p.Kind, p.ServiceID))
	}
	slices.Sort(got)
	want := []string{fmt.Sprint(linkwork.ProblemNoArea, lf.o4.ID), fmt.Sprint(linkwork.ProblemNoCoordinates, lf.o5.ID),
		fmt.Sprint(linkwork.ProblemUnknownArea, lf.s4.ID)}
	if l.Total != 3 || !slices.Equal(got, want) {
		t.Errorf("data problems %v (of %d), want %v", got, l.Total, want)
	}
	for _, p := range l.Items {
		if p.Kind == linkwork.ProblemUnknownArea && !strings.Contains(p.Detail, "Micklegate") {
			t.Errorf("the unknown area is not named: %q", p.Detail)
		}
	}

	var b list[api.DataProblemEntry]
	lf.get(lf.adminB, "/api/v1/landscape/data-quality", &b)
	if b.Total != 1 || b.Items[0].Kind != linkwork.ProblemNoNeighbourhood || b.Items[0].Service != nil || b.Items[0].EditURL != "" {
		t.Errorf("Wakefield's data problems: %+v", b.Items[0])
	}
}

func testLandscapeFunding(t *testing.T, lf *landscapeFixture) {
	const target = "/api/v1/landscape/funding"
	count := func() int {
		t.Helper()
		var l list[api.FundingView]
		lf.get(lf.manager, target, &l)
		return l.Total
	}
	// Bad input saves nothing, and names the field.
	admin := lf.as(lf.admin)
	for _, c := range []struct {
		body  any
		field string
	}{
		{api.FundingBody{NeighbourhoodCode: leedsLSOA, Need: "money_debt"}, "neighbourhood_code"},
		{api.FundingBody{NeighbourhoodCode: "E01099999", Need: "money_debt"}, "neighbourhood_code"},
		{api.FundingBody{NeighbourhoodCode: "", Need: "money_debt"}, "neighbourhood_code"},
		{api.FundingBody{NeighbourhoodCode: n2, Need: "flying"}, "need"},
		{api.FundingBody{NeighbourhoodCode: n2, Need: "money_debt", Note: strings.Repeat("a", 2001)}, "note"},
		{`{"neighbourhood_code": "` + n2 + `", "need": "money_debt", "amount": 5}`, "amount"},
	} {
		admin.do("POST", target, c.body).wantError(http.StatusBadRequest, linkwork.EINVALID, c.field)
	}
	admin.do("POST", target+"?distance_km=0", api.FundingBody{NeighbourhoodCode: n2, Need: "money_debt"}).
		wantError(http.StatusBadRequest, linkwork.EINVALID, "distance_km")
	if n := count(); n != 0 {
		t.Fatalf("%d funding opportunities after bad requests", n)
	}

	var f api.FundingView
	res := admin.do("POST", target, api.FundingBody{NeighbourhoodCode: " e01013347 ", Need: "money_debt",
		Note: "Debt advice near Westfield."}).want(http.StatusCreated)
	lf.noPeople(res)
	res.decode(&f)
	if f.ID == 0 || f.PlaceID != lf.placeA.ID || f.NeighbourhoodCode != n2 || f.NeighbourhoodName != "York 001B" ||
		f.IMDDecile != 5 || f.Need != "money_debt" || f.NeedLabel != lf.labels["money_debt"] || f.Status != "open" ||
		f.CreatedBy != lf.admin.Name || f.GapReason != linkwork.GapAtCapacity || f.Note != "Debt advice near Westfield." {
		t.Errorf("created: %+v %+v", f.FundingOpportunity, f)
	}
	// The same open gap twice is a conflict.
	lf.as(lf.commissioner).do("POST", target, api.FundingBody{NeighbourhoodCode: n2, Need: "money_debt"}).
		wantError(http.StatusConflict, linkwork.ECONFLICT, "-")
	// A commissioner may fund what is not a gap.
	var g api.FundingView
	lf.as(lf.commissioner).do("POST", target, api.FundingBody{NeighbourhoodCode: n1, Need: "loneliness"}).
		want(http.StatusCreated).decode(&g)
	if g.GapReason != "" || g.CreatedBy != lf.commissioner.Name || g.IMDDecile != 1 {
		t.Errorf("a funded neighbourhood and need that is not a gap: %+v %+v", g.FundingOpportunity, g)
	}

	// Newest first, each saying whether it is still a gap at the distance.
	var l list[api.FundingView]
	lf.get(lf.manager, target, &l)
	if l.Total != 2 || len(l.Items) != 2 || l.Items[0].ID != g.ID || l.Items[1].ID != f.ID ||
		l.Items[1].GapReason != linkwork.GapAtCapacity || l.Items[0].GapReason != "" {
		t.Errorf("funding list: %+v", l.Items)
	}
	lf.get(lf.manager, target+"?per_page=1&page=2", &l)
	if l.Total != 2 || len(l.Items) != 1 || l.Items[0].ID != f.ID {
		t.Errorf("page 2 of 1 each: %+v", l)
	}
	// The funding is audited.
	events, _, err := lf.svc.Audit.ListAudit(t.Context(), linkwork.AuditFilter{PlaceID: lf.placeA.ID,
		Action: linkwork.AuditFundingCreate, Page: linkwork.Page{Number: 1, Size: 10}})
	must(t, err)
	if len(events) != 2 {
		t.Errorf("%d funding audit events, want 2", len(events))
	}
	// Another place sees none of York's.
	lf.get(lf.adminB, target, &l)
	if l.Total != 0 {
		t.Errorf("Wakefield sees %d of York's funding opportunities", l.Total)
	}
}
