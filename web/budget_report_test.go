package web_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/csv"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"linkwork"
	"linkwork/sqldb/sqldbtest"
)

// spendReportSite is the case site with money spent whose report is known exactly. Park
// (E01000001, HX1 1AA) is in IMD decile 1, Town (E01000002, HX2 1AA) in decile 5.
//
//   - Calder PCN (orgA) holds the Calder community fund, £500; Todmorden Garden (orgB) the
//     Garden fund, £100.
//   - G1: £250 from the Calder fund to Todmorden Garden for loneliness in Park, paid 120
//     days ago: its report, due 90 days after, is 30 days overdue.
//   - G2: £100 from the Calder fund to a new activity for loneliness in Town, £20 paid
//     back, reported on: £80.
//   - P1: £12.50 from the Calder fund for Ada Lovelace (who lives in Park), for money.
//   - GG: £40 from the Garden fund to a new activity for loneliness in Town, owing its
//     report, not yet due.
//
// So the place's net spend is £382.50: loneliness £370.00, money £12.50; Park £262.50,
// Town £120.00; Calder PCN's pots £342.50, Todmorden Garden's £40.00.
type spendReportSite struct {
	*caseSite
	calder, garden *linkwork.BudgetPot
	paid           time.Time // when G1 was paid
	g1, gg         *linkwork.Spend
}

func spendReportKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func newSpendReportSite(t *testing.T) *spendReportSite {
	t.Helper()
	ctx := context.Background()
	s := &spendReportSite{caseSite: newCaseSite(t, sqldbtest.Open(t, "sqlite"))}
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
	b := s.svc.Budgets
	pot := func(org *linkwork.Organisation, name string, initial linkwork.Pence) *linkwork.BudgetPot {
		y, m, d := time.Now().AddDate(0, 0, -150).Date()
		p := &linkwork.BudgetPot{PlaceID: s.place.ID, OrganisationID: org.ID, Holder: linkwork.HolderTeam, Name: name,
			Funder: "Calderdale Council", PeriodStart: time.Date(y, m, d, 0, 0, 0, 0, time.UTC), PeriodEnd: time.Date(y+1, m, d, 0, 0, 0, 0, time.UTC),
			ApprovalThreshold: 100000, Kinds: []linkwork.SpendKind{linkwork.SpendGrant, linkwork.SpendPersonal}, OpenToApplications: true}
		must(t, b.CreatePot(ctx, p, initial, spendReportKey()))
		return p
	}
	grant := func(p *linkwork.BudgetPot, group int64, amount linkwork.Pence, postcode string) *linkwork.Spend {
		sp := &linkwork.Spend{PlaceID: s.place.ID, PotID: p.ID, Kind: linkwork.SpendGrant, Amount: amount, Need: "loneliness",
			GroupOrganisationID: group, ActivityName: "Lunch and a chat", Purpose: "Food and room hire for a weekly lunch.",
			Postcode: postcode, ContactName: "Grace Giver", ContactEmail: "grace@example.org"}
		must(t, b.ApplyForGrant(ctx, sp, spendReportKey()))
		sp, err := b.Decide(ctx, sp.ID, sp.Version, linkwork.Decision{Approve: true}, spendReportKey())
		must(t, err)
		sp, err = b.PayGrant(ctx, sp.ID, sp.Version, spendReportKey())
		must(t, err)
		return sp
	}

	// G1 is paid 120 days ago.
	real := s.db.Now
	s.paid = time.Now().AddDate(0, 0, -120)
	s.db.Now = func() time.Time { return s.paid }
	s.calder = pot(s.orgA, "Calder community fund", 50000)
	s.garden = pot(s.orgB, "Garden fund", 10000)
	s.g1 = grant(s.calder, s.orgB.ID, 25000, "HX1 1AA")
	s.db.Now = real

	g2 := grant(s.calder, 0, 10000, "HX2 1AA")
	_, err = b.Refund(ctx, g2.ID, 2000, "Room was cheaper", spendReportKey())
	must(t, err)
	_, err = b.ReportOnGrant(ctx, g2.ID, &linkwork.GrantReport{WhatHappened: "Twelve people came each week.", PeopleReached: 12, AmountUsed: 8000})
	must(t, err)
	person := &linkwork.Person{PlaceID: s.place.ID, OrganisationID: s.orgA.ID, GivenName: "Ada", FamilyName: "Lovelace",
		DateOfBirth: "1955-12-10", Address1: "1 Crossley Street", Town: "Halifax", Postcode: "HX1 1AA", Phone: "01422 000000",
		WorkerUserID: s.sam.ID}
	must(t, s.svc.Cases.CreatePerson(ctx, person))
	goal := &linkwork.Goal{PersonID: person.ID, Text: "Get out of the house more"}
	must(t, s.svc.Cases.AddGoal(ctx, goal))
	s.addContact(person.ID, day(-1), "", 30)
	must(t, b.SpendForPerson(ctx, &linkwork.Spend{PlaceID: s.place.ID, PotID: s.calder.ID, Kind: linkwork.SpendPersonal, Amount: 1250,
		Need: "money_debt", PersonID: person.ID, GoalID: goal.ID, Item: "Bus pass for a week", Reason: "To get to the advice centre."},
		false, spendReportKey()))
	s.gg = grant(s.garden, 0, 4000, "HX2 1AA")
	return s
}

// period is a query for the last 200 days, which holds every payment.
func period() string {
	return url.Values{"from": {day(-200)}, "to": {day(1)}}.Encode()
}

// londonDay is the London date of t, as midnight UTC.
func londonDay(t time.Time) time.Time {
	y, m, d := t.In(linkwork.London).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func TestSpendReportRoles(t *testing.T) {
	s := newSpendReportSite(t)
	for email, want := range map[string]int{"admin@example.org": 200, "commissioner@example.org": 200, "manager@example.org": 200,
		"garden.manager@example.org": 200, "sam@example.org": 403, "gp@example.org": 403, "community@example.org": 403} {
		b := s.as(email)
		for _, path := range []string{"/budgets/report", "/budgets/report/export.xlsx", "/budgets/report/export/by_need.csv"} {
			if p := b.get(path); p.status != want {
				t.Errorf("%s GET %s: %d, want %d", email, path, p.status, want)
			}
		}
	}
	if p := s.browser().get("/budgets/report"); p.status != http.StatusSeeOther {
		t.Errorf("signed out GET /budgets/report: %d", p.status)
	}
}

func TestSpendReportPage(t *testing.T) {
	s := newSpendReportSite(t)
	p := s.as("commissioner@example.org").get("/budgets/report?" + period())
	if p.status != http.StatusOK {
		t.Fatalf("report: %d\n%s", p.status, p.body)
	}
	due := londonDay(s.paid).Add(linkwork.GrantReportDue)
	overdue := int(londonDay(time.Now()).Sub(due).Hours() / 24)
	p.has(t, "Where the budgets went", "Every organisation in Calderdale",
		// The summary: £382.50 in four spends, £262.50 (69%) of it in Park.
		">£382.50<", "4: 3 micro-grants and 1 personal spend", "£262.50, 69% of the net spend,",
		"2, of which 1 is overdue",
		// By need, with its chart; by neighbourhood, most deprived first, with deciles.
		`id="chart-need-title">Spend by need</title>`, "Loneliness and isolation: £370.00", "Money and debt: £12.50",
		`id="chart-neighbourhood-title">Spend by neighbourhood</title>`, "Park (decile 1): £262.50", "Town (decile 5): £120.00",
		// By group, scheme and pot.
		"Todmorden Garden", "New activities without a group", "Calder community fund", "Garden fund", ">£342.50<", ">£40.00<",
		// The grants owing a report: G1 overdue, GG not yet due.
		"Overdue</strong> by "+strconv.Itoa(overdue)+" days", "Not yet due", "Lunch and a chat",
		// Downloads with the same period, and the print layout's classes.
		`href="/budgets/report/export.xlsx?`+strings.ReplaceAll(period(), "&", "&amp;")+`"`,
		`href="/budgets/report/export/by_need.csv?`, "lw-landscape", "lw-screen-only")
	if i, j := strings.Index(p.body, ">Park<"), strings.Index(p.body, ">Town<"); i < 0 || j < i {
		t.Errorf("Park (decile 1) does not come before Town (decile 5): %d, %d", i, j)
	}
	if i, j := strings.Index(p.body, "Overdue</strong>"), strings.Index(p.body, "Not yet due"); i < 0 || j < i {
		t.Errorf("the oldest payment does not come first: %d, %d", i, j)
	}
	// No personal data: the person, what was bought for her and why, the group's contact.
	for _, secret := range []string{"Ada", "Lovelace", "Bus pass", "advice centre", "Grace", "grace@example.org", "Food and room hire"} {
		if strings.Contains(p.body, secret) {
			t.Errorf("the report shows %q", secret)
		}
	}
	// The organisations holding pots can be chosen.
	p.has(t, `<option value="">Every organisation</option>`, `<option value="`+id(s.orgA.ID)+`">Calder PCN</option>`,
		`<option value="`+id(s.orgB.ID)+`">Todmorden Garden</option>`)

	// The default is this financial year.
	from, to := financialYear(time.Now())
	p = s.as("commissioner@example.org").get("/budgets/report")
	p.has(t, `value="`+from+`"`, `value="`+to+`"`)

	// An administrator narrows it to one organisation.
	p = s.as("admin@example.org").get("/budgets/report?" + period() + "&organisation_id=" + id(s.orgB.ID))
	p.has(t, ">£40.00<", "Todmorden Garden")
	if strings.Contains(p.body, "Calder community fund") {
		t.Error("a report of Todmorden Garden's pots shows Calder PCN's")
	}
}

// financialYear is the financial year of now, as the report's fields show it.
func financialYear(now time.Time) (string, string) {
	y := now.In(linkwork.London).Year()
	if now.In(linkwork.London).Month() < time.April {
		y--
	}
	return strconv.Itoa(y) + "-04-01", strconv.Itoa(y+1) + "-03-31"
}

func TestSpendReportScopedToAManagersOrganisation(t *testing.T) {
	s := newSpendReportSite(t)
	p := s.as("manager@example.org").get("/budgets/report?" + period())
	p.has(t, "Calder PCN", ">£342.50<", "Calder community fund", "1, of which 1 is overdue")
	for _, other := range []string{"Garden fund", ">£382.50<", `name="organisation_id"`} {
		if strings.Contains(p.body, other) {
			t.Errorf("Calder PCN's manager's report shows %q", other)
		}
	}
	p = s.as("garden.manager@example.org").get("/budgets/report?" + period())
	p.has(t, ">£40.00<", "Garden fund")
	if strings.Contains(p.body, "Calder community fund") {
		t.Error("Todmorden Garden's manager sees Calder PCN's pot")
	}
	// Another organisation's pots are refused, on the field.
	p = s.as("manager@example.org").get("/budgets/report?organisation_id=" + id(s.orgB.ID))
	if p.status != http.StatusUnprocessableEntity {
		t.Fatalf("a manager asking for another organisation: %d", p.status)
	}
	p.has(t, "You may report only on the pots of your own organisations", `href="#organisation_id"`)
	if strings.Contains(p.body, "Garden fund") {
		t.Error("the refused report shows the other organisation's pot")
	}
}

func TestSpendReportBadDates(t *testing.T) {
	s := newSpendReportSite(t)
	b := s.as("commissioner@example.org")
	for q, want := range map[string]string{
		"from=1%2F4%2F2026":                   "Enter the first day as a date, year-month-day",
		"from=2026-04-01&to=2026-02-30":       "Enter the last day as a date, year-month-day",
		"from=2026-05-02&to=2026-05-01":       "The last day must be on or after the first day",
		"from=2020-04-01&to=2025-04-01":       "A report may cover at most 5 years",
		"organisation_id=999999":              "Choose an organisation in Calderdale",
		"organisation_id=x&from=2026-13-01":   "Choose an organisation by its number",
		"from=2020-04-01&to=2030-04-01&x=nil": "at most 5 years",
	} {
		p := b.get("/budgets/report?" + q)
		if p.status != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d, want 422", q, p.status)
			continue
		}
		p.has(t, want, "There is a problem", `class="nhsuk-error-message"`)
		if strings.Contains(p.body, "Grants owing a report</h2>") {
			t.Errorf("%s: the report is shown with a problem in its filter", q)
		}
		for _, path := range []string{"/budgets/report/export.xlsx?", "/budgets/report/export/summary.csv?"} {
			if e := b.get(path + q); e.status != http.StatusBadRequest || !strings.Contains(e.body, want) {
				t.Errorf("export %s%s: %d, want 400 saying %q", path, q, e.status, want)
			}
		}
	}
}

func TestSpendReportExports(t *testing.T) {
	s := newSpendReportSite(t)
	b := s.as("commissioner@example.org")
	from, to := day(-200), day(1)
	res := exportOf(t, b, "/budgets/report/export/by_need.csv?"+period())
	if res.status != http.StatusOK || !strings.HasPrefix(res.ctype, "text/csv") ||
		res.disposition != `attachment; filename="calderdale-spend-`+from+`-to-`+to+`-by-need.csv"` {
		t.Fatalf("by need CSV: %d %q %q", res.status, res.ctype, res.disposition)
	}
	want := "\ufeffNeed code,Need,Micro-grants,Personal spends,Net spend (£)\r\n" +
		"loneliness,Loneliness and isolation,3,0,370.00\r\nmoney_debt,Money and debt,0,1,12.50\r\n"
	if res.body != want {
		t.Errorf("by need CSV\n%q\nwant\n%q", res.body, want)
	}
	res = exportOf(t, b, "/budgets/report/export/by_neighbourhood.csv?"+period())
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(res.body, "\ufeff"))).ReadAll()
	must(t, err)
	wantRecs := [][]string{{"Neighbourhood code", "Neighbourhood", "IMD decile", "Micro-grants", "Personal spends", "Net spend (£)"},
		{"E01000001", "Park", "1", "1", "1", "262.50"}, {"E01000002", "Town", "5", "2", "0", "120.00"}}
	if !slices.EqualFunc(recs, wantRecs, slices.Equal) {
		t.Errorf("by neighbourhood CSV %q, want %q", recs, wantRecs)
	}
	res = exportOf(t, b, "/budgets/report/export/grants_outstanding.csv?"+period())
	recs, err = csv.NewReader(strings.NewReader(strings.TrimPrefix(res.body, "\ufeff"))).ReadAll()
	must(t, err)
	due := londonDay(s.paid).Add(linkwork.GrantReportDue)
	overdue := int(londonDay(time.Now()).Sub(due).Hours() / 24)
	if len(recs) != 3 || !slices.Equal(recs[1], []string{id(s.g1.ID), "Todmorden Garden", "Lunch and a chat", "Calder community fund", "250.00",
		s.paid.In(linkwork.London).Format(time.DateOnly), due.Format(time.DateOnly), "Yes", strconv.Itoa(overdue)}) ||
		recs[2][0] != id(s.gg.ID) || recs[2][1] != "A new activity (no group)" || recs[2][7] != "No" {
		t.Errorf("grants outstanding CSV %q", recs)
	}
	if strings.Contains(res.body, "Grace") {
		t.Error("the grants outstanding CSV names the group's contact")
	}

	// One organisation's: the file says whose.
	res = exportOf(t, b, "/budgets/report/export/summary.csv?"+period()+"&organisation_id="+id(s.orgB.ID))
	if !strings.HasSuffix(res.disposition, `-todmorden-garden-summary.csv"`) || !strings.Contains(res.body, "Net spend (£),40.00") ||
		!strings.Contains(res.body, "Organisations,Todmorden Garden") {
		t.Errorf("Todmorden Garden's summary: %q\n%s", res.disposition, res.body)
	}

	// The workbook: every table a sheet, amounts as numbers.
	res = exportOf(t, b, "/budgets/report/export.xlsx?"+period())
	if res.status != http.StatusOK || res.ctype != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" ||
		res.disposition != `attachment; filename="calderdale-spend-`+from+`-to-`+to+`.xlsx"` {
		t.Fatalf("workbook: %d %q %q", res.status, res.ctype, res.disposition)
	}
	f, err := excelize.OpenReader(bytes.NewReader([]byte(res.body)))
	must(t, err)
	defer f.Close()
	sheets := []string{"Summary", "Spend by need", "Spend by neighbourhood", "Micro-grants by group", "Spend by scheme", "Spend by pot",
		"Grants owing a report"}
	if got := f.GetSheetList(); !slices.Equal(got, sheets) {
		t.Fatalf("sheets %q, want %q", got, sheets)
	}
	for _, c := range []struct{ sheet, cell, want string }{
		{"Summary", "B7", "382.5"}, {"Spend by need", "E2", "370"}, {"Spend by pot", "B2", "Calder community fund"},
		{"Spend by pot", "E2", "342.5"}, {"Spend by pot", "E3", "40"}, {"Micro-grants by group", "A2", "Todmorden Garden"},
	} {
		if got, err := f.GetCellValue(c.sheet, c.cell, excelize.Options{RawCellValue: true}); err != nil || got != c.want {
			t.Errorf("%s!%s = %q (%v), want %q", c.sheet, c.cell, got, err, c.want)
		}
	}

	for _, path := range []string{"/budgets/report/export/people.csv", "/budgets/report/export/by_need.txt", "/budgets/report/export/by_need"} {
		if p := b.get(path); p.status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, p.status)
		}
	}
}

type exported struct {
	status                   int
	ctype, disposition, body string
}

func exportOf(t *testing.T, b *browser, path string) exported {
	t.Helper()
	r, _ := http.NewRequest("GET", b.s.ts.URL+path, nil)
	res, err := b.c.Do(r)
	must(t, err)
	defer res.Body.Close()
	var buf bytes.Buffer
	_, err = buf.ReadFrom(res.Body)
	must(t, err)
	return exported{status: res.StatusCode, ctype: res.Header.Get("Content-Type"), disposition: res.Header.Get("Content-Disposition"),
		body: buf.String()}
}
