package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"linkwork"
	"linkwork/landscape"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// landscapeSite is a small place whose landscape is known. Two neighbourhoods of
// Calderdale about 5.6 km apart, further than the default 3.2 km: Park (E01000001, IMD
// decile 1) and Town (E01000002, decile 5).
//
//   - Link Up (Calder PCN): the whole place, for loneliness and money and debt.
//   - Garden Friends (Todmorden Garden): HX1, which is Park, for loneliness.
//   - Lunch Club: an offer for loneliness at Town's postcode.
//   - Book Swap: an offer with neither venue nor area, which the data quality lists.
//
// So the two schemes overlap in Park and could collaborate; Park has no offer near for
// loneliness (a gap in a decile-1 neighbourhood); Town's loneliness has Lunch Club.
type landscapeSite struct {
	*site
	linkUp, friends, lunch, books *linkwork.Service
}

func newLandscapeSite(t *testing.T, db *sqldb.DB) *landscapeSite {
	t.Helper()
	ctx := context.Background()
	s := &landscapeSite{site: newSite(t, db)}
	_, err := s.svc.Geography.ImportLSOAs(ctx, rows(
		&linkwork.LSOA{Code: "E01000001", Name: "Park", LocalAuthorityCode: "E08000033", LocalAuthorityName: "Calderdale", IMDRank: 100, IMDDecile: 1},
		&linkwork.LSOA{Code: "E01000002", Name: "Town", LocalAuthorityCode: "E08000033", LocalAuthorityName: "Calderdale", IMDRank: 16000, IMDDecile: 5},
	), linkwork.ImportOptions{})
	must(t, err)
	_, err = s.svc.Geography.ImportPostcodes(ctx, rows(
		&linkwork.PostcodeInfo{Postcode: "HX1 1AA", Lat: 53.70, Lng: -1.80, LSOA: "E01000001", Ward: "E05000001", LocalAuthority: "E08000033"},
		&linkwork.PostcodeInfo{Postcode: "HX2 1AA", Lat: 53.75, Lng: -1.80, LSOA: "E01000002", Ward: "E05000002", LocalAuthority: "E08000033"},
	), linkwork.ImportOptions{})
	must(t, err)
	add := func(svc *linkwork.Service) *linkwork.Service {
		t.Helper()
		svc.PlaceID, svc.Status, svc.Free = s.place.ID, linkwork.StatusActive, true
		if svc.Description == "" {
			svc.Description = "Something for people in Calderdale."
		}
		must(t, s.svc.Directory.CreateService(ctx, svc))
		return svc
	}
	scheme := func(system string) *linkwork.ConnectorScheme {
		return &linkwork.ConnectorScheme{Model: linkwork.ModelPCNLinkWorker, WhoCanRefer: []linkwork.ReferrerType{linkwork.ReferrerGP},
			ElectronicSystem: system, FundingSource: "NHS England (ARRS)"}
	}
	s.linkUp = add(&linkwork.Service{OrganisationID: s.orgA.ID, Kind: linkwork.KindScheme, Name: "Link Up",
		Email: "linkup@example.org", Phone: "01422 000001", Scheme: scheme("EMIS Web"),
		TermIDs: []int64{s.term("need", "loneliness"), s.term("need", "money_debt")}})
	s.friends = add(&linkwork.Service{OrganisationID: s.orgB.ID, Kind: linkwork.KindScheme, Name: "Garden Friends",
		Email: "friends@example.org", Areas: []string{"HX1"}, Scheme: scheme("emis web"),
		TermIDs: []int64{s.term("need", "loneliness")}})
	s.lunch = add(&linkwork.Service{OrganisationID: s.orgB.ID, Kind: linkwork.KindActivity, Name: "Lunch Club",
		Locations: []linkwork.Location{{Name: "Town Hall", Address1: "Crossley Street", Town: "Halifax", Postcode: "HX2 1AA"}},
		TermIDs:   []int64{s.term("need", "loneliness")}})
	s.books = add(&linkwork.Service{OrganisationID: s.orgB.ID, Kind: linkwork.KindActivity, Name: "Book Swap",
		TermIDs: []int64{s.term("need", "learning")}})
	for _, u := range []struct {
		email string
		org   *linkwork.Organisation
		role  linkwork.Role
	}{
		{"commissioner@example.org", s.orgA, linkwork.RoleCommissioner}, {"manager@example.org", s.orgA, linkwork.RoleManager},
		{"worker@example.org", s.orgA, linkwork.RoleLinkWorker}, {"referrer@example.org", s.orgA, linkwork.RoleReferrer},
		{"community@example.org", s.orgB, linkwork.RoleCommunity},
	} {
		s.addUser(u.email, u.org, u.role)
	}
	return s
}

func (s *landscapeSite) as(email string) *browser {
	s.t.Helper()
	b := s.browser()
	if p := b.signIn(email, password); p.status != http.StatusSeeOther {
		s.t.Fatalf("sign in as %s: %d", email, p.status)
	}
	return b
}

func TestLandscapeRoles(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newLandscapeSite(t, db)
		for email, want := range map[string]int{"admin@example.org": 200, "commissioner@example.org": 200, "manager@example.org": 200,
			"worker@example.org": 403, "referrer@example.org": 403, "community@example.org": 403} {
			b := s.as(email)
			for _, path := range []string{"/landscape", "/landscape/cell?lsoa=E01000001", "/landscape/export.xlsx", "/landscape/export/gaps.csv"} {
				if p := b.get(path); p.status != want {
					t.Errorf("%s GET %s: %d, want %d", email, path, p.status, want)
				}
			}
		}
		if p := s.browser().get("/landscape"); p.status != http.StatusSeeOther {
			t.Errorf("signed out GET /landscape: %d", p.status)
		}
	})
}

func TestLandscapeReport(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newLandscapeSite(t, db)
		p := s.as("commissioner@example.org").get("/landscape")
		if p.status != http.StatusOK {
			t.Fatalf("GET /landscape: %d\n%s", p.status, p.body)
		}
		// The overlap, with who runs each scheme and how to reach it.
		p.has(t, "These could collaborate", "Link Up and Garden Friends", "run by Calder PCN", "run by Todmorden Garden",
			`href="mailto:linkup@example.org"`, `href="tel:01422%20000001"`, `href="mailto:friends@example.org"`,
			"1 (100% of the smaller scheme's): Park", "Loneliness and isolation", "0.50 out of 1")
		// The gap in the decile-1 neighbourhood, first, with its funding form.
		gaps := p.body[strings.Index(p.body, `id="gaps"`):]
		gaps = gaps[:strings.Index(gaps, `id="funding"`)]
		park := strings.Index(gaps, `<a href="/landscape/cell?lsoa=E01000001&amp;term=need%2Floneliness">Park</a>`)
		if park < 0 || strings.Index(gaps, "Town</a>") < park {
			t.Errorf("the gap in Park (decile 1) is not listed before Town's")
		}
		for _, w := range []string{`action="/landscape/funding"`, `name="lsoa" value="E01000001"`, `name="need" value="loneliness"`,
			"Turn into a funding opportunity", "No community offer near"} {
			if !strings.Contains(gaps, w) {
				t.Errorf("gaps section lacks %q", w)
			}
		}
		// Town's loneliness is not a gap: Lunch Club is there.
		if strings.Contains(gaps, `lsoa=E01000002&amp;term=need%2Floneliness"`) {
			t.Error("Town's loneliness is listed as a gap")
		}
		// The matrix, the map and the charts are inline SVG and tables with captions.
		p.has(t, `<svg xmlns="http://www.w3.org/2000/svg" class="lw-map" role="img"`, "Park (E01000001): 2 connector schemes covering it; IMD decile 1 of 10",
			`class="lw-chart" role="img"`, "<caption", `scope="row"`, `scope="col"`, "Coverage by neighbourhood",
			`href="/landscape/cell?lsoa=E01000001&amp;term=need%2Floneliness">2 · 0</a>`)
		// Fragmentation: one system named two ways.
		p.has(t, "1 different system", "1 system is already shared", "EMIS Web")
		// Sectors.
		p.has(t, "NHS or primary care", "Voluntary, community or social enterprise", "NHS England (ARRS)")
		// Data quality links to the record to correct.
		p.has(t, `href="/services/`+id(s.books.ID)+`/edit">Correct Book Swap</a>`, "Community offer with neither a venue nor an area")
		// The downloads.
		p.has(t, `href="/landscape/export.xlsx"`, `href="/landscape/export/overlaps.csv"`, `href="/landscape/export/funding_opportunities.csv"`)

		// A manager sees the report but cannot fund.
		m := s.as("manager@example.org").get("/landscape")
		m.has(t, "Link Up and Garden Friends")
		m.lacks(t, `action="/landscape/funding"`, "Turn into a funding opportunity")

		// The map by gaps, and the matrix by client group.
		s.as("manager@example.org").get("/landscape?measure=gaps&by=client_group").has(t, "needs with a gap",
			"by client group", "Older people", "<strong>Gaps (needs with no offer near, or only full schemes)</strong>")
	})
}

func TestLandscapeDistance(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newLandscapeSite(t, db)
		b := s.as("admin@example.org")
		for _, d := range []string{"80", "0", "-1", "three", "NaN"} {
			p := b.get("/landscape?distance_km=" + url.QueryEscape(d))
			if p.status != http.StatusUnprocessableEntity {
				t.Errorf("distance %q: %d, want 422", d, p.status)
			}
			p.has(t, "There is a problem", `href="#distance_km"`, "more than 0 and at most 50", "<title>Error: ")
			p.lacks(t, "These could collaborate")
		}
		for _, path := range []string{"/landscape/cell?lsoa=E01000001&distance_km=99", "/landscape/export/gaps.csv?distance_km=99",
			"/landscape/export.xlsx?distance_km=x"} {
			if p := b.get(path); p.status != http.StatusUnprocessableEntity {
				t.Errorf("GET %s: %d, want 422", path, p.status)
			}
		}
		if p := b.get("/landscape?measure=people"); p.status != http.StatusUnprocessableEntity {
			t.Errorf("unknown measure: %d", p.status)
		}
		// At 10 km Lunch Club is near Park too: its loneliness is no longer a gap, and the
		// drill-down says how far the venue is.
		p := b.get("/landscape?distance_km=10")
		if p.status != http.StatusOK {
			t.Fatalf("distance 10: %d", p.status)
		}
		p.has(t, "within 10 km", `value="10"`)
		p.lacks(t, `name="lsoa" value="E01000001"><input type="hidden" name="need" value="loneliness">`)
		if strings.Contains(p.body, `lsoa=E01000001&amp;term=need%2Floneliness">Park</a>`) {
			t.Error("at 10 km Park's loneliness is still a gap")
		}
		b.get("/landscape/cell?lsoa=E01000001&term=need/loneliness&distance_km=10").has(t, "Lunch Club", "Town Hall, HX2 1AA: 5.6 km from the centre")
	})
}

func TestLandscapeCell(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newLandscapeSite(t, db)
		b := s.as("manager@example.org")
		p := b.get("/landscape/cell?lsoa=E01000001&term=need/loneliness")
		if p.status != http.StatusOK {
			t.Fatalf("cell: %d", p.status)
		}
		p.has(t, "Need: Loneliness and isolation", "Park", "IMD decile 1 of 10", `href="/directory/services/`+id(s.linkUp.ID)+`"`,
			`href="/directory/services/`+id(s.friends.ID)+`"`, "None within 3.2 km", "A gap", "No community offer near")
		p.lacks(t, "Lunch Club", "Turn into a funding opportunity") // a manager cannot fund
		// Town: Link Up covers it, Garden Friends does not, and Lunch Club is there.
		p = b.get("/landscape/cell?lsoa=e01000002")
		p.has(t, "Everything covering Town", "Link Up", "Lunch Club", "Town Hall, HX2 1AA: 0.0 km from the centre")
		p.lacks(t, "Garden Friends", "A gap")
		// Money in Town: only Link Up, and a gap.
		p = b.get("/landscape/cell?lsoa=E01000002&term=need/money_debt")
		p.has(t, "Link Up", "A gap")
		p.lacks(t, "Garden Friends", "Lunch Club")
		// A commissioner can turn the gap into a funding opportunity from here.
		s.as("commissioner@example.org").get("/landscape/cell?lsoa=E01000002&term=need/money_debt").has(t, "Turn into a funding opportunity",
			`name="return_to" value="cell"`)
		for path, want := range map[string]int{"/landscape/cell?lsoa=E01999999": 404, "/landscape/cell": 404,
			"/landscape/cell?lsoa=E01000001&term=need/flying": 404, "/landscape/cell?lsoa=E01000001&term=five_ways/connect": 404,
			"/landscape/cell?lsoa=E01000001&term=client_group/older_people": 200} {
			if p := b.get(path); p.status != want {
				t.Errorf("GET %s: %d, want %d", path, p.status, want)
			}
		}
	})
}

func TestLandscapeExports(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newLandscapeSite(t, db)
		b := s.as("manager@example.org")
		r, _ := http.NewRequest("GET", s.ts.URL+"/landscape/export/overlaps.csv", nil)
		res, err := b.c.Do(r)
		must(t, err)
		var body bytes.Buffer
		_, _ = body.ReadFrom(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
			!strings.Contains(res.Header.Get("Content-Disposition"), `filename="calderdale-landscape-overlaps.csv"`) {
			t.Fatalf("overlaps.csv: %d %v", res.StatusCode, res.Header)
		}
		recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body.String(), "\ufeff"))).ReadAll()
		must(t, err)
		if len(recs) != 2 || recs[0][0] != "Scheme A ID" || recs[0][1] != "Scheme A" || recs[0][14] != "Score" {
			t.Fatalf("overlaps.csv %q", recs)
		}
		row := recs[1]
		if row[1] != "Link Up" || row[2] != "Calder PCN" || row[3] != "linkup@example.org" || row[6] != "Garden Friends" ||
			row[10] != "1" || row[11] != "100%" || row[12] != "Loneliness and isolation" || row[14] != "0.500" {
			t.Errorf("overlap row %q", row)
		}
		gaps := b.get("/landscape/export/gaps.csv")
		recs, err = csv.NewReader(strings.NewReader(strings.TrimPrefix(gaps.body, "\ufeff"))).ReadAll()
		must(t, err)
		if len(recs) < 3 || !slices.Equal(recs[1][:5], []string{"E01000001", "Park", "1", "Loneliness and isolation", "No community offer near"}) {
			t.Errorf("gaps.csv %q", recs[:min(3, len(recs))])
		}
		for _, path := range []string{"/landscape/export/nothing.csv", "/landscape/export/gaps.txt", "/landscape/export/gaps"} {
			if p := b.get(path); p.status != http.StatusNotFound {
				t.Errorf("GET %s: %d, want 404", path, p.status)
			}
		}

		x := b.get("/landscape/export.xlsx")
		if x.status != 200 {
			t.Fatalf("export.xlsx: %d", x.status)
		}
		f, err := excelize.OpenReader(strings.NewReader(x.body))
		must(t, err)
		defer f.Close()
		var want []string
		for _, tb := range landscape.Index() {
			want = append(want, tb.Title)
		}
		if got := f.GetSheetList(); !slices.Equal(got, want) {
			t.Fatalf("sheets %q, want %q", got, want)
		}
		if v, _ := f.GetCellValue("Overlaps", "B2"); v != "Link Up" {
			t.Errorf("Overlaps!B2 = %q", v)
		}
		if v, _ := f.GetCellValue("Data quality", "C2"); v != "Book Swap" {
			t.Errorf("Data quality!C2 = %q", v)
		}
	})
}

func TestLandscapeFunding(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newLandscapeSite(t, db)
		c := s.as("commissioner@example.org")
		form := url.Values{"lsoa": {"E01000001"}, "need": {"loneliness"}, "note": {"Ask the garden about a lunch club in Park."}}
		p := c.post("/landscape/funding", form)
		if p.status != http.StatusSeeOther || p.location != "/landscape#funding" {
			t.Fatalf("create: %d %q\n%s", p.status, p.location, p.body)
		}
		p = c.get("/landscape")
		p.has(t, "The gap has been noted as a funding opportunity", "Ask the garden about a lunch club in Park.", "Funding opportunity noted")
		opps, err := s.svc.Landscape.ListFundingOpportunities(context.Background(), s.place.ID)
		must(t, err)
		if len(opps) != 1 || opps[0].NeighbourhoodCode != "E01000001" || opps[0].Need != "loneliness" || opps[0].Status != "open" {
			t.Fatalf("opportunities %+v", opps)
		}
		// The same again is refused, and said so at the gap.
		p = c.post("/landscape/funding", form)
		if p.status != http.StatusConflict {
			t.Fatalf("duplicate: %d", p.status)
		}
		p.has(t, "There is a problem", "There is already an open funding opportunity", `href="#note-E01000001-loneliness"`)
		// A need the place does not have, and a neighbourhood not its own.
		p = c.post("/landscape/funding", url.Values{"lsoa": {"E01000002"}, "need": {"flying"}, "note": {"x"}})
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("unknown need: %d", p.status)
		}
		p.has(t, "There is no need", `href="#gaps"`)
		p = c.post("/landscape/funding", url.Values{"lsoa": {"E01999999"}, "need": {"money_debt"}})
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("unknown neighbourhood: %d", p.status)
		}
		p.has(t, "not one of this place&#39;s neighbourhoods")
		// From the drill-down, back to it, keeping the distance.
		p = c.post("/landscape/funding", url.Values{"lsoa": {"E01000002"}, "need": {"money_debt"}, "return_to": {"cell"}, "distance_km": {"5"}})
		if p.status != http.StatusSeeOther || p.location != "/landscape/cell?distance_km=5&lsoa=E01000002&term=need%2Fmoney_debt" {
			t.Fatalf("create from the cell: %d %q", p.status, p.location)
		}
		// A manager may not.
		if p := s.as("manager@example.org").post("/landscape/funding", url.Values{"lsoa": {"E01000002"}, "need": {"housing"}}); p.status != http.StatusForbidden {
			t.Errorf("manager: %d, want 403", p.status)
		}
		opps, err = s.svc.Landscape.ListFundingOpportunities(context.Background(), s.place.ID)
		must(t, err)
		if len(opps) != 2 {
			t.Errorf("%d opportunities, want 2", len(opps))
		}
		// The export lists them.
		e := c.get("/landscape/export/funding_opportunities.csv")
		recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(e.body, "\ufeff"))).ReadAll()
		must(t, err)
		if len(recs) != 3 || recs[2][0] != "E01000001" || recs[2][4] != "Ask the garden about a lunch club in Park." {
			t.Errorf("funding_opportunities.csv %q", recs)
		}
	})
}

// TestLandscapeWithoutNeighbourhoods: a place with no postcodes loaded still gets a page,
// which says why it is empty.
func TestLandscapeWithoutNeighbourhoods(t *testing.T) {
	s := newSite(t, sqldbtest.Open(t, "sqlite"))
	b := s.browser()
	b.signIn("admin@example.org", password)
	p := b.get("/landscape")
	if p.status != http.StatusOK {
		t.Fatalf("GET /landscape: %d\n%s", p.status, p.body)
	}
	p.has(t, "has no neighbourhoods yet", "No neighbourhoods")
}
