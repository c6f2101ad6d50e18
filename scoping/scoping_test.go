package scoping

import (
	"archive/zip"
	"bytes"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"linkwork"
)

// testTaxonomies are the built-in taxonomies with made-up ids.
func testTaxonomies() []*linkwork.Taxonomy {
	var out []*linkwork.Taxonomy
	id := int64(0)
	for i, t := range linkwork.DefaultTaxonomies {
		tx := t
		tx.ID, tx.Terms = int64(i+1), nil
		for _, term := range t.Terms {
			id++
			term.ID, term.TaxonomyID, term.TaxonomyCode = id, tx.ID, tx.Code
			tx.Terms = append(tx.Terms, term)
		}
		out = append(out, &tx)
	}
	return out
}

func termOf(taxs []*linkwork.Taxonomy, code, term string) linkwork.TaxonomyTerm {
	for _, t := range taxs {
		for _, x := range t.Terms {
			if t.Code == code && x.Code == term {
				return x
			}
		}
	}
	panic("no term " + code + "/" + term)
}

// sample is what a place's export gives: schemes with their terms, and an organisation
// without one, with values that test the writing: a phone a spreadsheet would take for a
// formula, areas with commas, text over several lines.
func sample(taxs []*linkwork.Taxonomy) []*linkwork.ScopingRow {
	return []*linkwork.ScopingRow{
		{Row: 2, Organisation: linkwork.Organisation{Name: "Calder PCN", Sector: linkwork.SectorNHS}, Scheme: &linkwork.Service{
			Kind: linkwork.KindScheme, Name: "Social prescribing", Description: "Link workers.\nIn every practice.", Email: "team@example.org",
			Phone: "+44 1422 000000", URL: "https://example.org", Areas: []string{"Park", "Town"},
			Terms: []linkwork.TaxonomyTerm{termOf(taxs, "client_group", "older_people"), termOf(taxs, "need", "money_debt"), termOf(taxs, "five_ways", "connect")},
			Scheme: &linkwork.ConnectorScheme{Model: linkwork.ModelPCNLinkWorker, WhoCanRefer: []linkwork.ReferrerType{linkwork.ReferrerGP, linkwork.ReferrerSelf},
				HowToRefer: "=Task us", FundingSource: "ARRS", StaffFTE: 4.5, CaseloadLimit: 40, WaitingWeeks: 3, ElectronicSystem: "EMIS Web",
				AssessmentTools: []string{"ONS4", "SWEMWBS"}}}},
		{Row: 3, Organisation: linkwork.Organisation{Name: "Halifax Housing", Sector: linkwork.SectorHousing}, Scheme: &linkwork.Service{
			Kind: linkwork.KindScheme, Name: "Tenancy connectors", Areas: []string{"Mixenden, north", "Illingworth"},
			Scheme: &linkwork.ConnectorScheme{Model: linkwork.ModelHousingConnector, WhoCanRefer: []linkwork.ReferrerType{linkwork.ReferrerHousing}}}},
		{Row: 4, Organisation: linkwork.Organisation{Name: "Todmorden Food Bank", Sector: linkwork.SectorVCSE}},
	}
}

// wantRead checks that rows read back are the rows written, as the store would take them.
func wantRead(t *testing.T, got []*linkwork.ScopingRow, want []*linkwork.ScopingRow) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d rows, want %d", len(got), len(want))
	}
	for i, g := range got {
		w := want[i]
		if len(g.Problems) > 0 {
			t.Errorf("row %d: problems %+v", g.Row, g.Problems)
		}
		if g.Row != w.Row || g.Organisation.Name != w.Organisation.Name || g.Organisation.Sector != w.Organisation.Sector ||
			(g.Scheme == nil) != (w.Scheme == nil) {
			t.Errorf("row %d: %+v, want %+v", g.Row, g, w)
			continue
		}
		if g.Scheme == nil {
			continue
		}
		gs, ws := g.Scheme, w.Scheme
		var wantTerms []int64
		for _, x := range ws.Terms {
			if x.TaxonomyCode == linkwork.TaxonomyClientGroup || x.TaxonomyCode == linkwork.TaxonomyNeed {
				wantTerms = append(wantTerms, x.ID)
			}
		}
		if gs.Name != ws.Name || gs.Description != ws.Description || gs.Email != ws.Email || gs.Phone != ws.Phone || gs.URL != ws.URL ||
			!slices.Equal(gs.Areas, ws.Areas) || !slices.Equal(gs.TermIDs, wantTerms) {
			t.Errorf("row %d scheme: %+v, want %+v", g.Row, gs, ws)
		}
		gd, wd := *gs.Scheme, *ws.Scheme
		if wd.AssessmentTools == nil {
			wd.AssessmentTools = gd.AssessmentTools[:0:0]
		}
		if !reflect.DeepEqual(gd, wd) {
			t.Errorf("row %d details: %+v, want %+v", g.Row, gd, wd)
		}
	}
}

func TestXLSXTemplate(t *testing.T) {
	taxs := testTaxonomies()
	var b bytes.Buffer
	if err := WriteXLSX(&b, "Calderdale", nil, taxs); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); !slices.Equal(got, []string{DataSheet, InstructionsSheet, ListsSheet}) {
		t.Errorf("sheets %v", got)
	}
	rows, err := f.GetRows(DataSheet)
	if err != nil || len(rows) != 1 || !slices.Equal(rows[0], headers()) {
		t.Errorf("template rows %v: %v", rows, err)
	}
	dvs, err := f.GetDataValidations(DataSheet)
	if err != nil {
		t.Fatal(err)
	}
	byRange := map[string]*excelize.DataValidation{}
	for _, dv := range dvs {
		byRange[dv.Sqref] = dv
	}
	if dv := byRange["B2:B1000"]; dv == nil || dv.Type != "list" || dv.Formula1 != "'Lists'!$A$2:$A$11" {
		t.Errorf("no drop-down of sectors: %+v", dvs)
	}
	if dv := byRange["D2:D1000"]; dv == nil || dv.Type != "list" || dv.Formula1 != "'Lists'!$B$2:$B$11" {
		t.Errorf("no drop-down of models: %+v", dvs)
	}
	if dv := byRange["K2:K1000"]; dv == nil || dv.Type != "decimal" || dv.Formula2 != "1000" {
		t.Errorf("no limit on staff FTE: %+v", dvs)
	}
	lists, _ := f.GetCols(ListsSheet)
	for i := range lists {
		lists[i] = slices.DeleteFunc(lists[i], func(v string) bool { return v == "" })
	}
	if len(lists) != 5 || lists[0][0] != "Sector" || lists[0][1] != "NHS or primary care" || len(lists[0]) != 11 ||
		!slices.Contains(lists[4], "Money and debt") {
		t.Errorf("lists %v", lists)
	}
	instr, _ := f.GetRows(InstructionsSheet)
	text := fmt.Sprint(instr)
	for _, want := range []string{"Scoping Calderdale's organisations", "Who can refer", "GP practice, Housing, Police", "Older people, Young people"} {
		if !strings.Contains(text, want) {
			t.Errorf("instructions lack %q", want)
		}
	}
	// The empty template reads as a sheet with no rows.
	s, err := Read(bytes.NewReader(b.Bytes()), taxs)
	if err != nil || s.Format != XLSX || len(s.Rows) != 0 {
		t.Errorf("reading the template: %+v, %v", s, err)
	}
}

func TestRoundTrip(t *testing.T) {
	taxs := testTaxonomies()
	for _, format := range []string{XLSX, CSV} {
		var b bytes.Buffer
		var err error
		if format == XLSX {
			err = WriteXLSX(&b, "Calderdale", sample(taxs), taxs)
		} else {
			err = WriteCSV(&b, sample(taxs))
		}
		if err != nil {
			t.Fatal(err)
		}
		if format == CSV && (!bytes.HasPrefix(b.Bytes(), []byte("\ufeffOrganisation name,Sector,")) || !strings.Contains(b.String(), "'+44 1422 000000") ||
			!strings.Contains(b.String(), "\"Mixenden, north; Illingworth\"")) {
			t.Errorf("CSV:\n%s", b.String())
		}
		s, err := Read(bytes.NewReader(b.Bytes()), taxs)
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		if s.Format != format {
			t.Errorf("read %s as %s", format, s.Format)
		}
		wantRead(t, s.Rows, sample(taxs))
	}
}

// csvSheet is a CSV sheet with the template's header.
func csvSheet(rows ...string) []byte {
	return []byte(strings.Join(headers(), ",") + "\n" + strings.Join(rows, "\n") + "\n")
}

func TestCellProblems(t *testing.T) {
	taxs := testTaxonomies()
	data := csvSheet(
		"Calder PCN,Hospital trust,Link workers,Wizards,\"GP, Magistrates\",,,\"Older people, Gnomes\",Money,lots,2.5,-,,,,,,",
		"",                       // row 3: blank, still counted
		",NHS or primary care,,", // row 4: no organisation
		"Halifax Housing,housing,,,,,,,,,,,,,,,,,A description without a scheme",
		"\"Todmorden\nFood Bank\",vcse,Pantry,other,self,,,,,,,,,,,,,,", // row 6, over two lines
		"Calder PCN,,Care coordinators,care_coordinator,gp_practice,,,,,,,,,,,,,,",
	)
	s, err := Read(bytes.NewReader(data), taxs)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range s.Problems() {
		got = append(got, fmt.Sprintf("%d|%s|%s", p.Row, p.Column, p.Message))
	}
	text := strings.Join(got, "\n")
	for _, want := range []string{
		`2|Sector|"Hospital trust" is not a sector. Choose one of: NHS or primary care,`,
		`2|Scheme model|"Wizards" is not a scheme model.`,
		`2|Who can refer|"Magistrates" is not a kind of referrer.`,
		`2|Client groups|"Gnomes" is not one of this place's client groups.`,
		`2|Needs|"Money" is not one of this place's needs.`,
		`2|Funding source|`, // not a problem: any text
		`2|Staff FTE|`,
		`2|Caseload limit per worker|"-" is not a number.`,
		"4|Organisation name|Give the name of the organisation.",
		"5|Scheme name|Give the scheme's name, or leave the scheme's columns (Scheme model to Description) empty",
	} {
		if strings.HasSuffix(want, "|") {
			if strings.Contains(text, want) {
				t.Errorf("a problem with %q:\n%s", want, text)
			}
			continue
		}
		if !strings.Contains(text, want) {
			t.Errorf("problems lack %q:\n%s", want, text)
		}
	}
	if len(s.Rows) != 5 || s.Rows[3].Row != 6 || s.Rows[3].Organisation.Name != "Todmorden Food Bank" || len(s.Rows[3].Problems) != 0 ||
		s.Rows[4].Row != 7 || s.Rows[4].Scheme.Scheme.Model != linkwork.ModelCareCoordinator || s.Rows[4].Organisation.Sector != "" {
		t.Errorf("rows: %+v", s.Rows)
	}
	if p := s.Rows[3].Scheme; p == nil || p.Scheme.WhoCanRefer[0] != linkwork.ReferrerSelf || s.Rows[3].Organisation.Sector != linkwork.SectorVCSE {
		t.Errorf("identifiers and lower case: %+v", s.Rows[3])
	}
}

func TestHeaders(t *testing.T) {
	taxs := testTaxonomies()
	// Columns in another order, under other spellings, with one linkwork does not know.
	data := []byte("Notes,scheme_name,ORGANIZATION NAME,Sector*\nours,Link workers,Calder PCN,NHS or primary care\n")
	s, err := Read(bytes.NewReader(data), taxs)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.Ignored, []string{"Notes"}) || len(s.Rows) != 1 || s.Rows[0].Organisation.Name != "Calder PCN" ||
		s.Rows[0].Scheme == nil || s.Rows[0].Scheme.Name != "Link workers" {
		t.Errorf("sheet %+v", s)
	}
}

func TestFileProblems(t *testing.T) {
	taxs := testTaxonomies()
	var broken bytes.Buffer
	zw := zip.NewWriter(&broken)
	w, _ := zw.Create("hello.txt")
	w.Write([]byte("not a workbook"))
	zw.Close()
	many := strings.Repeat("Org,,,,\n", MaxRows+1)
	for name, c := range map[string]struct {
		data []byte
		want string
	}{
		"empty":        {nil, "The file is empty."},
		"xls":          {[]byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest"), "older Excel workbook (.xls)"},
		"latin-1":      {[]byte("Organisation name\nCaf\xe9 Club\n"), "neither an Excel workbook (.xlsx) nor CSV in UTF-8"},
		"zip":          {broken.Bytes(), "cannot be read as an Excel workbook"},
		"no header":    {[]byte("Name,Sector\nCalder PCN,nhs\n"), `Row 1 should be the header, naming the columns, with one called "Organisation name"`},
		"twice":        {[]byte("Organisation name,Sector,organisation name\n"), `has the column "Organisation name" twice (columns A and C)`},
		"broken quote": {[]byte("Organisation name,Sector\n\"Calder,nhs\n"), "Line 2 of the file cannot be read as CSV"},
		"too many":     {[]byte("Organisation name\n" + many), "more than 5000 rows"},
		"too large":    {bytes.Repeat([]byte("x"), MaxBytes+1), "larger than 10 MB"},
	} {
		_, err := Read(bytes.NewReader(c.data), taxs)
		if err == nil || !IsFileError(err) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want a file error with %q", name, err, c.want)
		}
	}
}
