package web_test

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"linkwork"
	"linkwork/report"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// measureSite is the case site with a known place to measure. Park (E01000001, HX1 1AA)
// is in IMD decile 1, Town (E01000002, HX2 1AA) in decile 5; a community offer's venue in
// Calderdale makes both the place's neighbourhoods.
//
// In one month (month, two months ago), Calder PCN (orgA, a PCN: it runs Calder Social
// Prescribing) opened cases for 3 people in Park, and Todmorden Garden (orgB) for 9 in
// Town: 12 in the place. Nothing else happened, and the facts have been made.
type measureSite struct {
	*caseSite
	month string // "2026-09"
	// calder and garden are the query strings of the two organisations' dashboards for the
	// month.
	calder, garden, whole string
}

func newMeasureSite(t *testing.T, db *sqldb.DB) *measureSite {
	t.Helper()
	ctx := context.Background()
	s := &measureSite{caseSite: newCaseSite(t, db)}
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
	offer := s.addService(s.orgB, "Knit and Natter", linkwork.StatusActive)
	offer.Locations = []linkwork.Location{{Address1: "1 Market Street", Town: "Halifax", Postcode: "HX1 1AA"}}
	must(t, s.svc.Directory.UpdateService(ctx, offer))

	m := time.Now().AddDate(0, -2, 0)
	s.month = m.Format("2006-01")
	opened := m.Format("2006-01") + "-15"
	open := func(org *linkwork.Organisation, n int, postcode string) {
		for i := range n {
			p := &linkwork.Person{PlaceID: s.place.ID, OrganisationID: org.ID, GivenName: "Person", FamilyName: org.Name + strconv.Itoa(i),
				DateOfBirth: "1960-01-0" + strconv.Itoa(i%9+1), Address1: "1 High Street", Town: "Halifax", Postcode: postcode,
				Phone: "01422 000000", OpenedOn: opened}
			must(t, s.svc.Cases.CreatePerson(ctx, p))
		}
	}
	open(s.orgA, 3, "HX1 1AA")
	open(s.orgB, 9, "HX2 1AA")
	s.aggregate()
	period := "&from=" + s.month + "&to=" + s.month
	s.calder = "?scope=organisation&organisation=" + id(s.orgA.ID) + period
	s.garden = "?scope=organisation&organisation=" + id(s.orgB.ID) + period
	s.whole = "?from=" + s.month + "&to=" + s.month
	return s
}

func (s *measureSite) aggregate() {
	s.t.Helper()
	_, err := s.svc.Measures.Aggregate(context.Background(), s.place.ID)
	must(s.t, err)
}

// headline reads a headline figure from a dashboard page: the value beside its label.
func headline(t *testing.T, p page, label string) string {
	t.Helper()
	m := regexp.MustCompile(`<dt class="nhsuk-summary-list__key">` + regexp.QuoteMeta(label) +
		`</dt><dd class="nhsuk-summary-list__value">([^<]*)`).FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no headline %q on the page (status %d)", label, p.status)
	}
	return m[1]
}

func TestMeasuresByRole(t *testing.T) {
	s := newMeasureSite(t, sqldbtest.Open(t, "sqlite"))
	admin, commish, manager := s.as("admin@example.org"), s.as("commissioner@example.org"), s.as("manager@example.org")
	garden := s.as("garden.manager@example.org")

	// Everyone who may see measures sees the dashboard, with every built-in measure.
	for _, b := range []*browser{admin, commish, manager} {
		p := b.get("/measures")
		if p.status != http.StatusOK {
			t.Fatalf("GET /measures: %d\n%s", p.status, p.body)
		}
		for _, d := range linkwork.BuiltInMeasures {
			p.has(t, html(d.Name))
		}
		p.has(t, "What this counts", "Figures as of", "Download every table as one Excel workbook", `href="/measures"`)
	}
	for _, email := range []string{"sam@example.org", "gp@example.org", "community@example.org"} {
		if p := s.as(email).get("/measures"); p.status != http.StatusForbidden {
			t.Errorf("%s GET /measures: %d, want 403", email, p.status)
		}
		if p := s.as(email).get("/measures/export.xlsx"); p.status != http.StatusForbidden {
			t.Errorf("%s GET /measures/export.xlsx: %d, want 403", email, p.status)
		}
	}

	// Calder PCN's 3 people: hidden from the commissioner, shown to Calder PCN's manager,
	// who sees the people behind them. The place's 12 are safe for everyone: 10.
	if v := headline(t, commish.get("/measures"+s.calder), "People supported"); v != "[c]<span class=\"nhsuk-u-visually-hidden\"> (hidden)" && v != "[c]" {
		t.Errorf("commissioner sees Calder PCN's people supported as %q, want [c]", v)
	}
	own := manager.get("/measures" + s.calder)
	if v := headline(t, own, "People supported"); v != "3" {
		t.Errorf("Calder PCN's manager sees its people supported as %q, want 3", v)
	}
	own.has(t, "You see these figures as they are")
	for _, b := range []*browser{admin, commish, manager} {
		if v := headline(t, b.get("/measures"+s.whole), "People supported"); v != "10" {
			t.Errorf("the place's people supported shown as %q, want 10 (12 rounded)", v)
		}
	}
	// Todmorden Garden's 9: its own manager sees 9, Calder PCN's manager 10.
	if v := headline(t, manager.get("/measures"+s.garden), "People supported"); v != "10" {
		t.Errorf("Calder PCN's manager sees Todmorden Garden's people supported as %q, want 10 (safe)", v)
	}
	if v := headline(t, garden.get("/measures"+s.garden), "People supported"); v != "9" {
		t.Errorf("Todmorden Garden's manager sees its people supported as %q, want 9", v)
	}
	// A neighbourhood is always safe: Park's 3.
	park := manager.get("/measures?scope=neighbourhood&neighbourhood=e01000001&from=" + s.month + "&to=" + s.month)
	park.has(t, "Measures: Park (E01000001)")
	if v := headline(t, park, "People supported"); !strings.HasPrefix(v, "[c]") {
		t.Errorf("Park's people supported shown as %q to Calder PCN's manager, want [c]", v)
	}
	// The scheme's dashboard is its organisation's to see as it is.
	if p := manager.get("/measures?scope=scheme&scheme=" + id(s.scheme.ID)); p.status != http.StatusOK || !strings.Contains(p.body, "You see these figures as they are") {
		t.Errorf("Calder PCN's manager on its scheme: %d", p.status)
	}
	if p := commish.get("/measures?scope=scheme&scheme=" + id(s.scheme.ID)); p.status != http.StatusOK || strings.Contains(p.body, "You see these figures as they are") {
		t.Errorf("the commissioner on Calder PCN's scheme: %d", p.status)
	}
	// Every table has its chart: bars, months and before-and-after.
	dash := commish.get("/measures")
	for _, chart := range []string{`id="chart-referrals-by-month-title"`, `id="chart-referrals-by-source-title"`, `id="chart-reach-by-imd-title"`,
		"Upper bar: Share of people supported"} {
		dash.has(t, chart)
	}
	// A record changed since the facts were made: the page says the figures are being
	// updated, and when they were made.
	must(t, s.svc.Cases.CreatePerson(context.Background(), &linkwork.Person{PlaceID: s.place.ID, OrganisationID: s.orgA.ID,
		GivenName: "Late", FamilyName: "Comer", DateOfBirth: "1970-02-02", Address1: "1 High Street", Town: "Halifax", Postcode: "HX1 1AA",
		Phone: "01422 000000", OpenedOn: time.Now().Format(time.DateOnly)}))
	commish.get("/measures").has(t, "Figures are being updated; they were last made at")
	s.aggregate()
	if p := commish.get("/measures"); strings.Contains(p.body, "Figures are being updated") {
		t.Error("the figures are current again, but the page says they are being updated")
	}
	// PCNs come first in the list of organisations, under their own heading.
	if p := commish.get("/measures"); !regexp.MustCompile(`<optgroup label="Primary care networks"><option value="` + id(s.orgA.ID) + `"`).MatchString(p.body) {
		t.Error("Calder PCN is not listed under primary care networks")
	}
}

// html is text as a page writes it.
func html(s string) string {
	return strings.NewReplacer("&", "&amp;", "'", "&#39;", "\"", "&#34;").Replace(s)
}

func TestMeasuresBadInput(t *testing.T) {
	s := newMeasureSite(t, sqldbtest.Open(t, "sqlite"))
	other := &linkwork.Place{Name: "Wakefield"}
	ctx := context.Background()
	must(t, s.svc.Places.CreatePlace(ctx, other))
	wakeOrg := &linkwork.Organisation{PlaceID: other.ID, Name: "Wakefield Connect", Sector: linkwork.SectorVCSE}
	must(t, s.svc.Organisations.CreateOrganisation(ctx, wakeOrg))
	wakeScheme := &linkwork.Service{PlaceID: other.ID, OrganisationID: wakeOrg.ID, Kind: linkwork.KindScheme, Name: "Wakefield Links",
		Description: "Links.", Status: linkwork.StatusActive, Free: true, Scheme: &linkwork.ConnectorScheme{Model: linkwork.ModelCommunityNavigator, WhoCanRefer: []linkwork.ReferrerType{linkwork.ReferrerGP}}}
	must(t, s.svc.Directory.CreateService(ctx, wakeScheme))
	b := s.as("commissioner@example.org")
	for path, want := range map[string]int{
		"/measures?scope=scheme&scheme=" + id(wakeScheme.ID):                               404,
		"/measures?scope=scheme&scheme=abc":                                                404,
		"/measures?scope=organisation&organisation=" + id(wakeOrg.ID):                      404,
		"/measures?scope=neighbourhood&neighbourhood=E09999999":                            404,
		"/measures/export/referrals_by_month.csv?scope=scheme&scheme=" + id(wakeScheme.ID): 404,
		"/measures/export/no_such_table.csv":                                               404,
		"/measures/export/referrals_by_month":                                              404,
		"/measures/export/referrals_by_month.csv?from=2026-13":                             400,
		"/measures/export.xlsx?from=2020-01&to=2019-12":                                    400,
		"/measures/pack?scope=neighbourhood&neighbourhood=E09999999":                       404,
	} {
		if p := b.get(path); p.status != want {
			t.Errorf("GET %s: %d, want %d", path, p.status, want)
		}
	}
	this := time.Now().Format("2006-01")
	for query, msg := range map[string]string{
		"?from=2026-13":                   "Enter the first month as a year and month",
		"?from=April&to=2026-01":          "Enter the first month as a year and month",
		"?to=26-01":                       "Enter the last month as a year and month",
		"?from=2020-05&to=2020-04":        "The last month must be the first month (2020-05) or after it.",
		"?from=2015-01&to=2020-01":        "Choose at most five years (60 months): from 2015-01, the last month can be 2019-12 at the latest.",
		"?from=1999-12&to=2000-02":        "Choose a first month from 2000-01 on.",
		"?from=" + this + "&to=2999-01":   "The last month cannot be after this month",
		"?from=2999-01":                   "The first month cannot be after this month",
		"?scope=ward":                     "Choose what the measures are for",
		"?scope=scheme":                   "Choose the connector scheme whose measures to show.",
		"?scope=neighbourhood&to=2020-01": "Choose the neighbourhood whose measures to show.",
	} {
		p := b.get("/measures" + query)
		if p.status != http.StatusBadRequest {
			t.Errorf("GET /measures%s: %d, want 400", query, p.status)
		}
		p.has(t, "There is a problem", html(msg))
		if strings.Contains(p.body, "What this counts") {
			t.Errorf("GET /measures%s shows a dashboard despite the problem", query)
		}
	}
}

// The exports are safe aggregates whoever asks: Calder PCN's manager, who sees its 3 people
// on the page, gets [c] in every download, and each download is audited.
func TestMeasureExports(t *testing.T) {
	s := newMeasureSite(t, sqldbtest.Open(t, "sqlite"))
	manager := s.as("manager@example.org")
	label := time.Now().AddDate(0, -2, 0).Format("Jan 2006")

	p := manager.get("/measures/export/people_supported_by_month.csv" + s.calder)
	if p.status != http.StatusOK {
		t.Fatalf("CSV: %d\n%s", p.status, p.body)
	}
	want := "\ufeffMonth,New people,Support ended\r\n" + label + ",[c],0\r\nWhole period,[c],0\r\n"
	if p.body != want {
		t.Errorf("Calder PCN's people supported CSV:\n%q\nwant\n%q", p.body, want)
	}
	p = manager.get("/measures/export/people_supported_by_month.csv" + s.whole)
	if want := "\ufeffMonth,New people,Support ended\r\n" + label + ",10,0\r\nWhole period,10,0\r\n"; p.body != want {
		t.Errorf("the place's people supported CSV:\n%q\nwant\n%q", p.body, want)
	}
	p = manager.get("/measures/export/headline_figures.csv" + s.calder)
	for _, line := range []string{"Measure,Figure,Value\r\n", "People supported,People supported,[c]\r\n", "People supported,New people,[c]\r\n",
		"People supported,Support ended,0\r\n", "Referrals received,Referrals received,0\r\n"} {
		if !strings.Contains(p.body, line) {
			t.Errorf("headline CSV lacks %q:\n%s", line, p.body)
		}
	}

	r, _ := http.NewRequest("GET", s.ts.URL+"/measures/export.xlsx"+s.whole, nil)
	res, err := manager.c.Do(r)
	must(t, err)
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Disposition"), "calderdale-measures.xlsx") {
		t.Fatalf("workbook: %d %q", res.StatusCode, res.Header.Get("Content-Disposition"))
	}
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(res.Body)
	f, err := excelize.OpenReader(&buf)
	must(t, err)
	sheets := f.GetSheetList()
	if len(sheets) < 3 || sheets[0] != "About these figures" || sheets[1] != "Headline figures" {
		t.Fatalf("sheets %q", sheets)
	}
	sheet := report.SheetName("People whose support began and ended, by month", map[string]bool{})
	if !slices.Contains(sheets, sheet) {
		t.Fatalf("no sheet %q in %q", sheet, sheets)
	}
	rowsOf, err := f.GetRows(sheet)
	must(t, err)
	if got := strings.Join(slices.Concat(rowsOf...), "|"); got != "Month|New people|Support ended|"+label+"|10|0|Whole period|10|0" {
		t.Errorf("sheet %q: %s", sheet, got)
	}
	if typ, _ := f.GetCellType(sheet, "B2"); typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
		t.Errorf("B2 is held as %v, not a number", typ)
	}
	about, err := f.GetRows("About these figures")
	must(t, err)
	if got := strings.Join(slices.Concat(about...), "|"); !strings.Contains(got, "Counts from 1 to 7 are hidden ([c]) and the others rounded to the nearest 5") ||
		!strings.Contains(got, "Measures for|Calderdale") {
		t.Errorf("about sheet: %s", got)
	}

	events := s.audits(linkwork.AuditMeasureExport)
	if len(events) != 4 {
		t.Fatalf("%d exports audited, want 4", len(events))
	}
	if e := events[0]; e.RecordType != "measures" || e.RecordID != "place" || !strings.Contains(e.Detail, "workbook") ||
		!strings.Contains(e.Detail, time.Now().AddDate(0, -2, 0).Format("January 2006")) {
		t.Errorf("workbook audit %+v", e)
	}
	if e := events[len(events)-1]; e.RecordID != "organisation:"+id(s.orgA.ID) || !strings.Contains(e.Detail, "people_supported_by_month.csv") ||
		!strings.Contains(e.Detail, "Calder PCN") {
		t.Errorf("CSV audit %+v", e)
	}
	// The CSV links on the page carry the page's choices.
	manager.get("/measures"+s.calder).has(t, `href="/measures/export/people_supported_by_month.csv?from=`+s.month+`&amp;organisation=`+id(s.orgA.ID)+`&amp;scope=organisation&amp;to=`+s.month+`"`)
}
