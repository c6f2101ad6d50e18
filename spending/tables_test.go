package spending_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"linkwork"
	"linkwork/report"
	"linkwork/spending"
)

// day is a date as the domain keeps one: midnight UTC.
func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func ptr(t time.Time) *time.Time { return &t }

// sample is a report whose figures are known. Three spends paid in 2026-27 from two pots of
// Calder PCN (organisation 10):
//
//   - grant 21, £250.00 to Todmorden Garden for loneliness in Park (decile 1), paid 1 May
//     2026, its report due 30 July: overdue by 33 days on 1 September;
//   - grant 22, £100.00 for a new activity for loneliness in Town (decile 5), £20.00 of it
//     paid back, paid 20 August, its report due 18 November: not yet due;
//   - a personal spend of £12.50 for money and debt in Park.
//
// So the net spend is £342.50: £330.00 on loneliness, £12.50 on money; £262.50 in Park.
// The grants carry a contact and staff names, which no table may show.
func sample() *linkwork.SpendReport {
	return &linkwork.SpendReport{
		Filter: linkwork.SpendReportFilter{PlaceID: 1, From: day("2026-04-01"), To: day("2027-03-31"), OrganisationIDs: []int64{10}},
		Total:  34250, Spends: 3,
		ByNeed: []*linkwork.SpendLine{
			{Key: "loneliness", Label: "Loneliness and isolation", Grants: 2, Amount: 33000},
			{Key: "money_debt", Label: "Money and debt", Personal: 1, Amount: 1250},
		},
		ByNeighbourhood: []*linkwork.SpendLine{
			{Key: "E01000001", Label: "Park", IMDDecile: 1, Grants: 1, Personal: 1, Amount: 26250},
			{Key: "E01000002", Label: "Town", IMDDecile: 5, Grants: 1, Amount: 8000},
		},
		ByGroup: []*linkwork.SpendLine{
			{Key: "11", Label: "Todmorden Garden", Grants: 1, Amount: 25000},
			{Key: "0", Label: "New activities", Grants: 1, Amount: 8000},
		},
		ByScheme: []*linkwork.SpendLine{{Key: "3", Label: "Link Up", Grants: 2, Personal: 1, Amount: 34250}},
		ByPot: []*linkwork.SpendLine{
			{Key: "5", Label: "Calder grants", Grants: 2, Amount: 33000},
			{Key: "6", Label: "=Bus fares", Personal: 1, Amount: 1250},
		},
		Outstanding: []*linkwork.Spend{
			{ID: 21, PlaceID: 1, PotID: 5, PotName: "Calder grants", PotOrganisationID: 10, Kind: linkwork.SpendGrant, Amount: 25000,
				Need: "loneliness", NeighbourhoodCode: "E01000001", NeighbourhoodName: "Park", IMDDecile: 1,
				GroupOrganisationID: 11, GroupName: "Todmorden Garden", ActivityName: "Lunch club", Purpose: "Food for the lunch club, run by Mary Smith.",
				Postcode: "HX1 1AA", ContactName: "Mary Smith", ContactEmail: "mary@example.org", ContactPhone: "+44 7700 900123",
				PaidAt: ptr(time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)), ReportDue: ptr(day("2026-07-30")), Status: linkwork.SpendPaid,
				RequestedByUserID: 7, RequestedBy: "Wyn Worker", DecidedBy: "Mo Manager", Version: 3},
			{ID: 22, PlaceID: 1, PotID: 5, PotName: "Calder grants", PotOrganisationID: 10, Kind: linkwork.SpendGrant, Amount: 10000,
				Need: "loneliness", NeighbourhoodCode: "E01000002", NeighbourhoodName: "Town", IMDDecile: 5, ActivityName: "Walk and talk",
				ContactName: "Sam Jones", ContactPhone: "07700 900456", PaidAt: ptr(time.Date(2026, 8, 19, 23, 30, 0, 0, time.UTC)),
				ReportDue: ptr(day("2026-11-18")), Status: linkwork.SpendPaid, Refunded: 2000, RequestedBy: "Wyn Worker", Version: 2},
		},
		GeneratedAt: time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC),
	}
}

var about = spending.About{Place: "Calderdale", Organisations: []string{"Calder PCN"}}

func table(t *testing.T, tables []report.Table, name string) report.Table {
	t.Helper()
	tb, ok := spending.Find(tables, name)
	if !ok {
		t.Fatalf("no table %s", name)
	}
	return tb
}

func wantRows(t *testing.T, tb report.Table, header []string, rows [][]string) {
	t.Helper()
	if !slices.Equal(tb.Header, header) {
		t.Errorf("%s header %q, want %q", tb.Name, tb.Header, header)
	}
	if len(tb.Rows) != len(rows) {
		t.Fatalf("%s has %d rows, want %d: %q", tb.Name, len(tb.Rows), len(rows), tb.Rows)
	}
	for i := range rows {
		if !slices.Equal(tb.Rows[i], rows[i]) {
			t.Errorf("%s row %d = %q, want %q", tb.Name, i, tb.Rows[i], rows[i])
		}
	}
}

func TestSpendTables(t *testing.T) {
	tables := spending.Tables(sample(), about)
	var names []string
	for _, tb := range tables {
		names = append(names, tb.Name)
		if len(tb.Numeric) > 0 && len(tb.Numeric) != len(tb.Header) {
			t.Errorf("%s marks %d columns of %d", tb.Name, len(tb.Numeric), len(tb.Header))
		}
	}
	var index []string
	for _, tb := range spending.Index() {
		index = append(index, tb.Name)
		if !spending.Known(tb.Name) || tb.Title == "" {
			t.Errorf("table %s is not known or has no title", tb.Name)
		}
	}
	want := []string{"summary", "by_need", "by_neighbourhood", "by_group", "by_scheme", "by_pot", "grants_outstanding"}
	if !slices.Equal(names, want) || !slices.Equal(index, want) {
		t.Fatalf("tables %v, index %v, want %v", names, index, want)
	}
	if spending.Known("people") {
		t.Error("an unknown table is known")
	}

	wantRows(t, table(t, tables, "summary"), []string{"Measure", "Value"}, [][]string{
		{"Place", "Calderdale"},
		{"Organisations", "Calder PCN"},
		{"Paid from", "2026-04-01"},
		{"Paid to", "2027-03-31"},
		{"Worked out at", "2026-09-01T09:00:00Z"},
		{"Net spend (£)", "342.50"},
		{"Spends", "3"},
		{"Micro-grants", "2"},
		{"Personal spends", "1"},
		{"Grants owing a report", "2"},
		{"Grants whose report is overdue", "1"},
	})
	wantRows(t, table(t, tables, "by_need"), []string{"Need code", "Need", "Micro-grants", "Personal spends", "Net spend (£)"}, [][]string{
		{"loneliness", "Loneliness and isolation", "2", "0", "330.00"},
		{"money_debt", "Money and debt", "0", "1", "12.50"},
	})
	wantRows(t, table(t, tables, "by_neighbourhood"),
		[]string{"Neighbourhood code", "Neighbourhood", "IMD decile", "Micro-grants", "Personal spends", "Net spend (£)"}, [][]string{
			{"E01000001", "Park", "1", "1", "1", "262.50"},
			{"E01000002", "Town", "5", "1", "0", "80.00"},
		})
	wantRows(t, table(t, tables, "by_group"), []string{"Group", "Micro-grants", "Net spend (£)"}, [][]string{
		{"Todmorden Garden", "1", "250.00"},
		{"New activities", "1", "80.00"},
	})
	wantRows(t, table(t, tables, "by_scheme"), []string{"Held by", "Micro-grants", "Personal spends", "Net spend (£)"}, [][]string{
		{"Link Up", "2", "1", "342.50"},
	})
	wantRows(t, table(t, tables, "by_pot"), []string{"Pot ID", "Pot", "Micro-grants", "Personal spends", "Net spend (£)"}, [][]string{
		{"5", "Calder grants", "2", "0", "330.00"},
		{"6", "=Bus fares", "0", "1", "12.50"},
	})
	// The payment at 23:30 UTC on 19 August was on 20 August in London.
	wantRows(t, table(t, tables, "grants_outstanding"),
		[]string{"Grant ID", "Group", "Activity", "Pot", "Amount (£)", "Paid on", "Report due", "Overdue", "Days overdue"}, [][]string{
			{"21", "Todmorden Garden", "Lunch club", "Calder grants", "250.00", "2026-05-01", "2026-07-30", "Yes", "33"},
			{"22", spending.NewActivity, "Walk and talk", "Calder grants", "100.00", "2026-08-20", "2026-11-18", "No", "0"},
		})

	// Nothing of the people behind the grants is in any table.
	for _, tb := range tables {
		for _, row := range tb.Rows {
			for _, cell := range row {
				for _, secret := range []string{"Mary", "Smith", "Sam Jones", "mary@example.org", "7700", "Wyn Worker", "Mo Manager", "HX1"} {
					if strings.Contains(cell, secret) {
						t.Errorf("table %s shows %q: %q", tb.Name, secret, row)
					}
				}
			}
		}
	}
}

func TestSpendTablesOfEveryOrganisationAndNothing(t *testing.T) {
	r := &linkwork.SpendReport{Filter: linkwork.SpendReportFilter{PlaceID: 1, From: day("2025-04-01"), To: day("2026-03-31")},
		GeneratedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	tables := spending.Tables(r, spending.About{Place: "Calderdale"})
	summary := table(t, tables, "summary")
	if got := summary.Rows[1]; got[1] != "Every organisation in Calderdale" {
		t.Errorf("organisations row %q", got)
	}
	if got := summary.Rows[5]; got[1] != "0.00" {
		t.Errorf("net spend row %q", got)
	}
	for _, tb := range tables[1:] {
		if len(tb.Rows) != 0 {
			t.Errorf("%s of an empty report has rows %q", tb.Name, tb.Rows)
		}
	}
}

func TestSpendCSV(t *testing.T) {
	tables := spending.Tables(sample(), about)
	var b bytes.Buffer
	if err := report.WriteCSV(&b, table(t, tables, "by_pot")); err != nil {
		t.Fatal(err)
	}
	// A pot named like a formula is written after an apostrophe; amounts are plain numbers.
	want := "\ufeffPot ID,Pot,Micro-grants,Personal spends,Net spend (£)\r\n5,Calder grants,2,0,330.00\r\n6,'=Bus fares,0,1,12.50\r\n"
	if b.String() != want {
		t.Errorf("CSV\n%q\nwant\n%q", b.String(), want)
	}
	b.Reset()
	if err := report.WriteCSV(&b, table(t, tables, "by_neighbourhood")); err != nil {
		t.Fatal(err)
	}
	want = "\ufeffNeighbourhood code,Neighbourhood,IMD decile,Micro-grants,Personal spends,Net spend (£)\r\n" +
		"E01000001,Park,1,1,1,262.50\r\nE01000002,Town,5,1,0,80.00\r\n"
	if b.String() != want {
		t.Errorf("CSV\n%q\nwant\n%q", b.String(), want)
	}
}

func TestSpendXLSX(t *testing.T) {
	var b bytes.Buffer
	if err := report.WriteXLSX(&b, spending.Tables(sample(), about)); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := []string{"Summary", "Spend by need", "Spend by neighbourhood", "Micro-grants by group", "Spend by scheme",
		"Spend by pot", "Grants owing a report"}
	if got := f.GetSheetList(); !slices.Equal(got, want) {
		t.Fatalf("sheets %q, want %q", got, want)
	}
	for _, c := range []struct{ sheet, cell, want string }{
		{"Summary", "B7", "342.5"},
		{"Summary", "B4", "2026-04-01"},
		{"Spend by need", "E2", "330"},
		{"Spend by need", "E3", "12.5"},
		{"Spend by neighbourhood", "C2", "1"},
		{"Spend by neighbourhood", "F2", "262.5"},
		{"Grants owing a report", "H2", "Yes"},
		{"Grants owing a report", "I2", "33"},
	} {
		got, err := f.GetCellValue(c.sheet, c.cell, excelize.Options{RawCellValue: true})
		if err != nil || got != c.want {
			t.Errorf("%s!%s = %q (%v), want %q", c.sheet, c.cell, got, err, c.want)
		}
	}
	// Money is held as numbers, so that a funder's spreadsheet can add it up.
	for _, cell := range []string{"E2", "E3"} {
		typ, err := f.GetCellType("Spend by need", cell)
		if err != nil || typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
			t.Errorf("Spend by need!%s has type %v (%v), want a number", cell, typ, err)
		}
	}
}

func TestSpendPublic(t *testing.T) {
	r := sample()
	p := spending.Public(r)
	if p == r || len(p.Outstanding) != 2 || p.Total != r.Total || len(p.ByNeed) != 2 {
		t.Fatalf("public copy %+v", p)
	}
	g := p.Outstanding[0]
	if g.ContactName != "" || g.ContactEmail != "" || g.ContactPhone != "" || g.Purpose != "" || g.Postcode != "" ||
		g.RequestedBy != "" || g.RequestedByUserID != 0 || g.DecidedBy != "" || g.PersonID != 0 || g.Reason != "" || g.Item != "" {
		t.Errorf("a grant owing a report keeps personal data: %+v", g)
	}
	if g.ID != 21 || g.GroupName != "Todmorden Garden" || g.ActivityName != "Lunch club" || g.Amount != 25000 ||
		g.ReportDue == nil || g.PaidAt == nil || g.NeighbourhoodName != "Park" || g.PotName != "Calder grants" {
		t.Errorf("a grant owing a report lost what a report needs: %+v", g)
	}
	if r.Outstanding[0].ContactName != "Mary Smith" {
		t.Error("Public changed the report it copied")
	}
	empty := spending.Public(&linkwork.SpendReport{})
	if empty.ByNeed == nil || empty.ByNeighbourhood == nil || empty.ByGroup == nil || empty.ByScheme == nil ||
		empty.ByPot == nil || empty.Outstanding == nil || empty.Filter.OrganisationIDs == nil {
		t.Errorf("an empty report's lists are nil: %+v", empty)
	}
	if spending.Public(nil) != nil {
		t.Error("Public(nil) is not nil")
	}
}

func TestSpendCountAndOverdue(t *testing.T) {
	r := sample()
	c := spending.Count(r)
	if c != (spending.Counts{Grants: 2, Personal: 1, Outstanding: 2, Overdue: 1}) {
		t.Errorf("counts %+v", c)
	}
	// 1 September 2026 in London, whatever the time of day in UTC.
	r.GeneratedAt = time.Date(2026, 8, 31, 23, 30, 0, 0, time.UTC)
	if d := spending.Day(r); !d.Equal(day("2026-09-01")) {
		t.Errorf("day %v", d)
	}
	if n := spending.DaysOverdue(r.Outstanding[0], day("2026-07-30")); n != 0 {
		t.Errorf("overdue by %d on its due day", n)
	}
	if n := spending.DaysOverdue(r.Outstanding[0], day("2026-07-31")); n != 1 {
		t.Errorf("overdue by %d the day after its due day", n)
	}
}

func TestSpendFinancialYear(t *testing.T) {
	for _, c := range []struct {
		now      time.Time
		from, to string
	}{
		{time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC), "2025-04-01", "2026-03-31"},
		{time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), "2026-04-01", "2027-03-31"},
		// 23:30 UTC on 31 March 2026 is 00:30 on 1 April in London (summer time).
		{time.Date(2026, 3, 31, 23, 30, 0, 0, time.UTC), "2026-04-01", "2027-03-31"},
		{time.Date(2026, 3, 31, 22, 30, 0, 0, time.UTC), "2025-04-01", "2026-03-31"},
		{time.Date(2026, 12, 31, 23, 59, 0, 0, time.UTC), "2026-04-01", "2027-03-31"},
	} {
		from, to := spending.FinancialYear(c.now)
		if !from.Equal(day(c.from)) || !to.Equal(day(c.to)) {
			t.Errorf("%v: %v to %v, want %s to %s", c.now, from, to, c.from, c.to)
		}
	}
}

// organisations is the place's organisations, for Filter's checks.
type organisations struct {
	linkwork.OrganisationService
	byID map[int64]*linkwork.Organisation
}

func (o organisations) FindOrganisationByID(_ context.Context, id int64) (*linkwork.Organisation, error) {
	if org, ok := o.byID[id]; ok {
		return org, nil
	}
	return nil, linkwork.Errorf(linkwork.ENOTFOUND, "Organisation not found.")
}

func TestSpendFilter(t *testing.T) {
	place := &linkwork.Place{ID: 1, Name: "Calderdale"}
	orgs := organisations{byID: map[int64]*linkwork.Organisation{
		10: {ID: 10, PlaceID: 1, Name: "Calder PCN"}, 11: {ID: 11, PlaceID: 1, Name: "Todmorden Garden"},
		12: {ID: 12, PlaceID: 1, Name: "Halifax Council"}, 99: {ID: 99, PlaceID: 2, Name: "Wakefield Council"}}}
	as := func(ms ...linkwork.Membership) *linkwork.Principal {
		return &linkwork.Principal{User: &linkwork.User{ID: 1}, Place: place, Memberships: ms}
	}
	commissioner := as(linkwork.Membership{OrganisationID: 12, PlaceID: 1, Role: linkwork.RoleCommissioner})
	manager := as(linkwork.Membership{OrganisationID: 10, PlaceID: 1, Role: linkwork.RoleManager},
		linkwork.Membership{OrganisationID: 11, PlaceID: 1, Role: linkwork.RoleManager})
	worker := as(linkwork.Membership{OrganisationID: 10, PlaceID: 1, Role: linkwork.RoleLinkWorker})
	now := time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name     string
		p        *linkwork.Principal
		q        spending.Query
		from, to string
		orgs     []int64
		fields   []string // the fields with problems; none for a good filter
		code     string   // the error's code, when not invalid
	}{
		{"the financial year, place-wide", commissioner, spending.Query{}, "2026-04-01", "2027-03-31", nil, nil, ""},
		{"one organisation, place-wide", commissioner, spending.Query{OrganisationID: "11"}, "2026-04-01", "2027-03-31", []int64{11}, nil, ""},
		{"a manager's own organisations", manager, spending.Query{From: " 2026-05-01 ", To: "2026-05-31"}, "2026-05-01", "2026-05-31", []int64{10, 11}, nil, ""},
		{"one of a manager's organisations", manager, spending.Query{OrganisationID: "11"}, "2026-04-01", "2027-03-31", []int64{11}, nil, ""},
		{"five years", commissioner, spending.Query{From: "2021-04-01", To: "2026-03-31"}, "2021-04-01", "2026-03-31", nil, nil, ""},
		{"one day", commissioner, spending.Query{From: "2026-05-01", To: "2026-05-01"}, "2026-05-01", "2026-05-01", nil, nil, ""},
		{"more than five years", commissioner, spending.Query{From: "2021-04-01", To: "2026-04-01"}, "", "", nil, []string{"to"}, ""},
		{"backwards", commissioner, spending.Query{From: "2026-05-02", To: "2026-05-01"}, "", "", nil, []string{"to"}, ""},
		{"not dates", commissioner, spending.Query{From: "1/5/2026", To: "2026-02-30"}, "", "", nil, []string{"from", "to"}, ""},
		{"another organisation of a manager", manager, spending.Query{OrganisationID: "12"}, "", "", nil, []string{"organisation_id"}, ""},
		{"another place's organisation", commissioner, spending.Query{OrganisationID: "99"}, "", "", nil, []string{"organisation_id"}, ""},
		{"no such organisation", commissioner, spending.Query{OrganisationID: "1000"}, "", "", nil, []string{"organisation_id"}, ""},
		{"not an organisation", commissioner, spending.Query{OrganisationID: "x", From: "x"}, "", "", nil, []string{"from", "organisation_id"}, ""},
		{"no reports", worker, spending.Query{}, "", "", nil, nil, linkwork.EFORBIDDEN},
	} {
		f, err := spending.Filter(context.Background(), orgs, c.p, c.q, now)
		if c.code != "" {
			if linkwork.ErrorCode(err) != c.code {
				t.Errorf("%s: error %v, want %s", c.name, err, c.code)
			}
			continue
		}
		if len(c.fields) > 0 {
			var got []string
			for _, e := range linkwork.FieldErrors(err) {
				if e.Code != linkwork.EINVALID || e.Message == "" {
					t.Errorf("%s: problem %+v", c.name, e)
				}
				got = append(got, e.Field)
			}
			if !slices.Equal(got, c.fields) {
				t.Errorf("%s: problems on %v (%v), want %v", c.name, got, err, c.fields)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if f.PlaceID != 1 || !f.From.Equal(day(c.from)) || !f.To.Equal(day(c.to)) || !slices.Equal(f.OrganisationIDs, c.orgs) {
			t.Errorf("%s: filter %+v, want %s to %s for %v", c.name, f, c.from, c.to, c.orgs)
		}
	}
}
