package landscape_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"linkwork"
	"linkwork/landscape"
	"linkwork/report"
)

// place is a small place whose answers are known: two neighbourhoods about 5.6 km apart
// (further than the default distance), Park (decile 1) and Town (decile 5).
//
//   - Link Up (1, Calder PCN): the whole place; loneliness and money; EMIS Web, SWEMWBS.
//   - Garden Friends (2, Todmorden Garden): HX1, which is Park only; loneliness;
//     "emis  WEB" (the same system), SWEMWBS and ONS4.
//   - Lunch Club (3): an offer for loneliness with a venue at Town's centre.
//   - Book Swap (4): an offer whose only venue has no map position.
//
// So Link Up and Garden Friends overlap in Park: share 1/min(2,1) = 1, needs in common
// {loneliness} of {loneliness, money}, score 0.5. The gaps: Park has no offer near for
// loneliness or money; Town none for money; Town's loneliness has Lunch Club.
func place(t testing.TB) (*linkwork.LandscapeInput, *linkwork.Landscape) {
	t.Helper()
	pcn := &linkwork.Organisation{ID: 10, PlaceID: 1, Name: "Calder PCN", Sector: linkwork.SectorNHS}
	garden := &linkwork.Organisation{ID: 11, PlaceID: 1, Name: "Todmorden Garden", Sector: linkwork.SectorVCSE}
	in := &linkwork.LandscapeInput{
		Place: &linkwork.Place{ID: 1, Name: "Calderdale"},
		Neighbourhoods: []*linkwork.Neighbourhood{
			{Code: "E01000001", Name: "Park", IMDDecile: 1, Population: 1500, Lat: 53.70, Lng: -1.80, Postcode: "HX1 1AA",
				Ward: "E05000001", LocalAuthorityCode: "E08000033", LocalAuthorityName: "Calderdale"},
			{Code: "E01000002", Name: "Town", IMDDecile: 5, Lat: 53.75, Lng: -1.80, Postcode: "HX2 1AA",
				Ward: "E05000002", LocalAuthorityCode: "E08000033", LocalAuthorityName: "Calderdale"},
		},
		Services: []*linkwork.LandscapeService{
			{ID: 1, Name: "Link Up", Kind: linkwork.KindScheme, Status: linkwork.StatusActive, OrganisationID: 10,
				OrganisationName: "Calder PCN", Sector: linkwork.SectorNHS, Email: "linkup@example.org", Phone: "+44 1422 000000",
				Needs: []string{"loneliness", "money_debt"},
				Scheme: &linkwork.ConnectorScheme{Model: linkwork.ModelPCNLinkWorker, FundingSource: "NHS England (ARRS)", StaffFTE: 4.5,
					ElectronicSystem: "EMIS Web", AssessmentTools: []string{"SWEMWBS"}}},
			{ID: 2, Name: "Garden Friends", Kind: linkwork.KindScheme, Status: linkwork.StatusActive, OrganisationID: 11,
				OrganisationName: "Todmorden Garden", Sector: linkwork.SectorVCSE, Email: "friends@example.org", Areas: []string{"HX1"},
				Needs: []string{"loneliness"},
				Scheme: &linkwork.ConnectorScheme{Model: linkwork.ModelCommunityNavigator, FundingSource: "Lottery", StaffFTE: 1,
					ElectronicSystem: "emis  WEB", AssessmentTools: []string{"SWEMWBS", "ONS4"}}},
			{ID: 3, Name: "Lunch Club", Kind: linkwork.KindActivity, Status: linkwork.StatusActive, OrganisationID: 11,
				OrganisationName: "Todmorden Garden", Sector: linkwork.SectorVCSE, Needs: []string{"loneliness"},
				Venues: []linkwork.LandscapeVenue{{Name: "Town Hall", Postcode: "HX2 1AA", Lat: 53.75, Lng: -1.80}}},
			{ID: 4, Name: "Book Swap", Kind: linkwork.KindActivity, Status: linkwork.StatusActive, OrganisationID: 11,
				OrganisationName: "Todmorden Garden", Sector: linkwork.SectorVCSE, Needs: []string{"learning"},
				Venues: []linkwork.LandscapeVenue{{Name: "The Shed", Postcode: "HX1 9ZZ"}}},
		},
		Organisations: []*linkwork.Organisation{pcn, garden},
		Terms: map[string]map[string]string{
			linkwork.TaxonomyNeed:          {"loneliness": "Loneliness and isolation", "money_debt": "Money and debt"},
			linkwork.TaxonomyClientGroup:   {"everyone": "Everyone", "older_people": "Older people"},
			linkwork.TaxonomyBuildingBlock: {"connect": "Connect"},
		},
		TermOrder: map[string][]string{
			linkwork.TaxonomyNeed:          {"loneliness", "money_debt"},
			linkwork.TaxonomyClientGroup:   {"everyone", "older_people"},
			linkwork.TaxonomyBuildingBlock: {"connect"},
		},
		Demand: map[string]map[string]int{"E01000001": {"money_debt": 4}},
		ReadAt: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC),
	}
	l, err := linkwork.AnalyseLandscape(in, linkwork.LandscapeOptions{}, time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	return in, l
}

func TestTables(t *testing.T) {
	in, l := place(t)
	tables := landscape.Tables(l, landscape.TermsOf(in))
	var names []string
	for _, tb := range tables {
		names = append(names, tb.Name)
		for i, r := range tb.Rows {
			if len(r) != len(tb.Header) {
				t.Errorf("table %s row %d has %d cells for %d columns", tb.Name, i, len(r), len(tb.Header))
			}
		}
		if len(tb.Numeric) != 0 && len(tb.Numeric) != len(tb.Header) {
			t.Errorf("table %s marks %d columns numeric of %d", tb.Name, len(tb.Numeric), len(tb.Header))
		}
	}
	want := []string{"summary", "coverage", "overlaps", "groups", "gaps", "systems", "tools", "sectors", "funding", "models", "data_quality"}
	if !slices.Equal(names, want) {
		t.Fatalf("tables %v, want %v", names, want)
	}
	index := landscape.Index()
	if len(index) != len(want)+1 || index[len(index)-1].Name != landscape.TableOpportunities {
		t.Errorf("index %v", index)
	}

	get := func(name string) report.Table {
		tb, ok := landscape.Find(tables, name)
		if !ok {
			t.Fatalf("no table %s", name)
		}
		return tb
	}
	cov := get("coverage")
	wantHeader := []string{"Neighbourhood code", "Neighbourhood", "Local authority", "IMD decile", "Population", "Connector schemes",
		"Community offers", "Schemes that may cover it (areas that cannot be placed)", "Loneliness and isolation: connector schemes",
		"Loneliness and isolation: community offers", "Money and debt: connector schemes", "Money and debt: community offers"}
	if !slices.Equal(cov.Header, wantHeader) {
		t.Errorf("coverage header %q", cov.Header)
	}
	wantRows := [][]string{
		{"E01000001", "Park", "Calderdale", "1", "1500", "2", "0", "0", "2", "0", "1", "0"},
		{"E01000002", "Town", "Calderdale", "5", "", "1", "1", "0", "1", "1", "1", "0"},
	}
	if fmt.Sprint(cov.Rows) != fmt.Sprint(wantRows) {
		t.Errorf("coverage rows\n%q\nwant\n%q", cov.Rows, wantRows)
	}

	ov := get("overlaps")
	if len(ov.Rows) != 1 {
		t.Fatalf("overlaps %q", ov.Rows)
	}
	wantOverlap := []string{"1", "Link Up", "Calder PCN", "linkup@example.org", "+44 1422 000000", "2", "Garden Friends",
		"Todmorden Garden", "friends@example.org", "", "1", "100%", "Loneliness and isolation", "Everyone", "0.500"}
	if !slices.Equal(ov.Rows[0], wantOverlap) {
		t.Errorf("overlap row\n%q\nwant\n%q", ov.Rows[0], wantOverlap)
	}

	gaps := get("gaps")
	wantGaps := [][]string{
		{"E01000001", "Park", "1", "Money and debt", "No community offer near", "4", "0", ""},
		{"E01000001", "Park", "1", "Loneliness and isolation", "No community offer near", "0", "0", ""},
		{"E01000002", "Town", "5", "Money and debt", "No community offer near", "0", "0", ""},
	}
	if fmt.Sprint(gaps.Rows) != fmt.Sprint(wantGaps) {
		t.Errorf("gaps\n%q\nwant\n%q", gaps.Rows, wantGaps)
	}

	sys := get("systems")
	if len(sys.Rows) != 1 || sys.Rows[0][1] != "2" || sys.Rows[0][2] != "Link Up; Garden Friends" ||
		sys.Rows[0][3] != "Calder PCN; Todmorden Garden" {
		t.Errorf("systems %q", sys.Rows)
	}
	tools := get("tools")
	if len(tools.Rows) != 2 || tools.Rows[0][0] != "SWEMWBS" || tools.Rows[0][1] != "2" || tools.Rows[1][0] != "ONS4" {
		t.Errorf("tools %q", tools.Rows)
	}
	sectors := get("sectors")
	if len(sectors.Rows) != len(linkwork.Sectors) || !slices.Equal(sectors.Rows[0], []string{"NHS or primary care", "1", "1", "0"}) {
		t.Errorf("sectors %q", sectors.Rows)
	}
	funding := get("funding")
	if len(funding.Rows) != 2 {
		t.Errorf("funding %q", funding.Rows)
	}
	models := get("models")
	if len(models.Rows) != 2 || models.Rows[0][1] != "1" {
		t.Errorf("models %q", models.Rows)
	}
	dq := get("data_quality")
	if len(dq.Rows) != 1 || dq.Rows[0][0] != "Venue without a map position" || dq.Rows[0][1] != "4" ||
		dq.Rows[0][2] != "Book Swap" || dq.Rows[0][4] != "/services/4/edit" {
		t.Errorf("data quality %q", dq.Rows)
	}
	sum := get("summary")
	found := false
	for _, r := range sum.Rows {
		if r[0] == "Gaps in the 20% most deprived neighbourhoods" {
			found = r[1] == "2"
		}
	}
	if !found {
		t.Errorf("summary %q lacks 2 gaps in deprived neighbourhoods", sum.Rows)
	}

	opps := landscape.OpportunitiesTable([]*linkwork.FundingOpportunity{{NeighbourhoodCode: "E01000001", NeighbourhoodName: "Park",
		IMDDecile: 1, Need: "money_debt", NeedLabel: "Money and debt", Note: "=cmd()", Status: "open",
		CreatedAt: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}})
	if !slices.Equal(opps.Rows[0], []string{"E01000001", "Park", "1", "Money and debt", "=cmd()", "open", "2026-03-02"}) {
		t.Errorf("opportunities %q", opps.Rows)
	}
}

// TestTermsFallBack: without the taxonomy, needs are named by their codes.
func TestTermsFallBack(t *testing.T) {
	_, l := place(t)
	cov, _ := landscape.Find(landscape.Tables(l, landscape.Terms{}), "coverage")
	if !slices.Contains(cov.Header, "loneliness: connector schemes") || !slices.Contains(cov.Header, "money_debt: community offers") {
		t.Errorf("coverage header without terms %q", cov.Header)
	}
}

func readCSV(t *testing.T, data []byte) [][]string {
	t.Helper()
	if !bytes.HasPrefix(data, []byte("\ufeff")) {
		t.Error("no byte order mark")
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestWriteCSV(t *testing.T) {
	in, l := place(t)
	ov, _ := landscape.Find(landscape.Tables(l, landscape.TermsOf(in)), "overlaps")
	var b bytes.Buffer
	if err := report.WriteCSV(&b, ov); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "\r\n") {
		t.Error("lines do not end CRLF")
	}
	recs := readCSV(t, b.Bytes())
	if len(recs) != 2 || !slices.Equal(recs[0], ov.Header) {
		t.Fatalf("csv %q", recs)
	}
	// A phone number starting + would be a formula: it is kept as text.
	if recs[1][4] != "'+44 1422 000000" || recs[1][1] != "Link Up" || recs[1][14] != "0.500" {
		t.Errorf("csv row %q", recs[1])
	}
	// A numeric column's numbers are written as they are; a text column's "-3" is not.
	tb := report.Table{Header: []string{"N", "T"}, Rows: [][]string{{"-3", "-3"}, {"", "@x"}}, Numeric: []bool{true, false}}
	b.Reset()
	if err := report.WriteCSV(&b, tb); err != nil {
		t.Fatal(err)
	}
	recs = readCSV(t, b.Bytes())
	if !slices.Equal(recs[1], []string{"-3", "'-3"}) || !slices.Equal(recs[2], []string{"", "'@x"}) {
		t.Errorf("csv %q", recs)
	}
}

func TestWriteXLSX(t *testing.T) {
	in, l := place(t)
	tables := append(landscape.Tables(l, landscape.TermsOf(in)), landscape.OpportunitiesTable(nil))
	var b bytes.Buffer
	if err := report.WriteXLSX(&b, tables); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var titles []string
	for _, tb := range tables {
		titles = append(titles, tb.Title)
	}
	if got := f.GetSheetList(); !slices.Equal(got, titles) {
		t.Fatalf("sheets %q, want %q", got, titles)
	}
	rows, err := f.GetRows("Coverage")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0][0] != "Neighbourhood code" || rows[1][1] != "Park" {
		t.Fatalf("coverage sheet %q", rows)
	}
	// Numbers are numbers; a phone number is text.
	if typ, _ := f.GetCellType("Coverage", "D2"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("IMD decile cell is of type %v", typ)
	}
	if v, _ := f.GetCellValue("Coverage", "D2"); v != "1" {
		t.Errorf("IMD decile %q", v)
	}
	if typ, _ := f.GetCellType("Overlaps", "E2"); typ == excelize.CellTypeNumber {
		t.Error("a phone number became a number")
	}
	if v, _ := f.GetCellValue("Overlaps", "E2"); v != "+44 1422 000000" {
		t.Errorf("phone %q", v)
	}
	if v, _ := f.GetCellValue("Funding opportunities", "A1"); v != "Neighbourhood code" {
		t.Errorf("empty table's header %q", v)
	}
}
