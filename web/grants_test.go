package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// grantForm is a filled-in application from Todmorden Garden for amount.
func (w *budgetWorld) grantForm(amount string) url.Values {
	return url.Values{"group_organisation_id": {id(w.orgB.ID)}, "activity_name": {"Tuesday walking group"},
		"purpose": {"Boots and waterproofs to lend, so that anyone can come along."}, "need": {"physical_activity"},
		"postcode": {"hx1 1aa"}, "people_expected": {"20"}, "amount": {amount}, "contact_name": {"Grace Grower"},
		"contact_email": {"grace@example.org"}, linkwork.IdempotencyKeyField: {newKey()}}
}

// applyPath is where a group applies to a pot.
func applyPath(pot *linkwork.BudgetPot) string { return "/grants/apply?pot=" + id(pot.ID) }

// apply sends an application as the user and returns the new grant.
func (w *budgetWorld) apply(email string, pot *linkwork.BudgetPot, form url.Values) *linkwork.Spend {
	w.t.Helper()
	p := w.who(email).post(applyPath(pot), form)
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/grants/") {
		w.t.Fatalf("apply as %s: %d %q\n%s", email, p.status, p.location, p.body)
	}
	s, err := w.svc.Budgets.FindSpend(context.Background(), mustInt(w.t, strings.TrimPrefix(p.location, "/grants/")))
	must(w.t, err)
	return s
}

func TestGrantPagesByRole(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newBudgetWorld(t, db)
		ctx := context.Background()
		choir := &linkwork.Organisation{PlaceID: w.place.ID, Name: "Halifax Choir", Sector: linkwork.SectorVCSE}
		must(t, w.svc.Organisations.CreateOrganisation(ctx, choir))
		w.addUser("singer@example.org", choir, linkwork.RoleCommunity)
		w.wantStatus(t, "GET", "/grants", nil, map[string]int{asCommunity: 200, asOtherManager: 200, asManager: 200,
			asWorker: 403, asOtherWorker: 403, asAdmin: 403, asCommissioner: 403, asReferrer: 403})
		w.wantStatus(t, "GET", applyPath(w.pot), nil, map[string]int{asCommunity: 200, asOtherManager: 200, asWorker: 403, asAdmin: 403})
		w.who(asCommunity).get("/grants").has(t, "Calder community fund", "Calder PCN, funded by Calderdale ICB", "£300.00",
			"Things that help people take part.", `href="`+applyPath(w.pot)+`"`, "You have not applied")
		w.who(asCommunity).get(applyPath(w.pot)).has(t, "Applying for Todmorden Garden", "Up to £300.00",
			`value="community"`, `name="idempotency_key" value="`)

		// A pot that does not take applications is not found; a closed one says so.
		private := w.addPot(w.orgA, "Team pot", 1000, func(p *linkwork.BudgetPot) { p.OpenToApplications = false })
		closed := w.addPot(w.orgA, "Last year's fund", 0, nil)
		must(t, w.svc.Budgets.ClosePot(ctx, closed.ID, closed.Version))
		w.wantStatus(t, "GET", applyPath(private), nil, map[string]int{asCommunity: 404})
		w.wantStatus(t, "GET", "/grants/apply?pot=nonsense", nil, map[string]int{asCommunity: 404})
		p := w.who(asCommunity).get(applyPath(closed))
		if p.status != http.StatusBadRequest {
			t.Fatalf("apply to a closed pot: %d", p.status)
		}
		p.has(t, "is not taking applications now")
		list := w.who(asCommunity).get("/grants").body
		if strings.Contains(list, "Team pot") || strings.Contains(list, "Last year") {
			t.Error("the group is offered a pot that takes no applications")
		}

		// A group sees its own applications only.
		s := w.apply(asCommunity, w.pot, w.grantForm("150"))
		w.wantStatus(t, "GET", "/grants/"+id(s.ID), nil, map[string]int{asCommunity: 200, asOtherManager: 200,
			"singer@example.org": 404, asManager: 404, asWorker: 403})
		if strings.Contains(w.who("singer@example.org").get("/grants").body, "Tuesday walking group") {
			t.Error("another group sees the application in its list")
		}
		// Staff see it through the pot; a group member who follows the staff link lands on
		// the group's own page.
		w.wantStatus(t, "GET", spendPath(w.pot, s), nil, map[string]int{asManager: 200, asWorker: 200, asAdmin: 200,
			asOtherWorker: 404, asCommunity: 403})
		if p := w.who(asOtherManager).get(spendPath(w.pot, s)); p.status != http.StatusSeeOther || p.location != "/grants/"+id(s.ID) {
			t.Errorf("the group's manager on the staff page: %d %q", p.status, p.location)
		}
	})
}

func TestGrantEndToEnd(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newBudgetWorld(t, db)
		ctx := context.Background()
		// The walking group meets in Park, which makes Park one of the place's neighbourhoods.
		must(t, w.svc.Directory.CreateService(ctx, &linkwork.Service{PlaceID: w.place.ID, OrganisationID: w.orgB.ID,
			Kind: linkwork.KindActivity, Name: "Garden walks", Description: "Walks from the garden.", Status: linkwork.StatusActive,
			Free: true, Locations: []linkwork.Location{{Name: "The garden", Address1: "1 Park Road", Town: "Halifax", Postcode: "HX1 1AA"}}}))
		gap := &linkwork.FundingOpportunity{PlaceID: w.place.ID, NeighbourhoodCode: "E01000001", Need: "physical_activity",
			Note: "Nothing active nearby."}
		must(t, w.svc.Landscape.CreateFundingOpportunity(ctx, gap))
		group := w.who(asCommunity)
		group.get(applyPath(w.pot)).has(t, "A gap it fills", "Physical activity in Park (deprivation decile 1)")

		// The group applies.
		form := w.grantForm("150")
		form.Set("funding_opportunity_id", id(gap.ID))
		s := w.apply(asCommunity, w.pot, form)
		if s.Status != linkwork.SpendApplied || s.GroupOrganisationID != w.orgB.ID || s.NeighbourhoodCode != "E01000001" ||
			s.FundingOpportunityID != gap.ID || s.Amount != 15000 {
			t.Fatalf("the application: %+v", s)
		}
		group.get("/grants/"+id(s.ID)).has(t, "Your application has been sent", "Waiting for a decision",
			"Boots and waterproofs", "Withdraw the application")
		group.get("/grants").has(t, "Tuesday walking group", "Waiting for a decision")

		// A manager of the pot's organisation sees it waiting, and approves it; a link worker
		// may not, as it is over the threshold.
		m := w.who(asManager)
		m.get("/budgets").has(t, "Waiting for your decision", "Tuesday walking group", "Todmorden Garden")
		staff := m.get(spendPath(w.pot, s))
		staff.has(t, "Todmorden Garden", "Physical activity in Park", "Grace Grower", "Save the decision")
		if strings.Contains(w.who(asWorker).get(spendPath(w.pot, s)).body, "Save the decision") {
			t.Error("a link worker is offered to decide on a grant over the threshold")
		}
		decide := url.Values{"decide-decision": {"approve"}, "version": {version(t, staff)}, linkwork.IdempotencyKeyField: {newKey()}}
		if p := m.post(spendPath(w.pot, s)+"/decide", decide); p.status != http.StatusSeeOther {
			t.Fatalf("approve: %d\n%s", p.status, p.body)
		}
		approved := m.get(spendPath(w.pot, s))
		approved.has(t, "The grant is approved", "Approved, not yet paid", "Record the payment")
		if got := w.findPot(w.pot.ID).Balance; got.Committed != 15000 || got.Available != 85000 {
			t.Fatalf("balance with the grant approved: %+v", got)
		}
		group.get("/grants/"+id(s.ID)).has(t, "Approved, not yet paid")

		// Paid, once.
		pay := url.Values{"version": {version(t, approved)}, linkwork.IdempotencyKeyField: {newKey()}}
		if p := m.post(spendPath(w.pot, s)+"/pay", pay); p.status != http.StatusSeeOther {
			t.Fatalf("pay: %d\n%s", p.status, p.body)
		}
		m.get(spendPath(w.pot, s)).has(t, "The grant is paid", "Report due")
		if p := m.post(spendPath(w.pot, s)+"/pay", pay); p.status != http.StatusConflict || !strings.Contains(p.body, "This was already done") {
			t.Fatalf("pay again: %d", p.status)
		}
		if got := w.findPot(w.pot.ID).Balance; got.Committed != 0 || got.Spent != 15000 || got.Available != 85000 {
			t.Fatalf("balance with the grant paid: %+v", got)
		}

		// The group reports back.
		group.get("/grants").has(t, "Report back", "/grants/"+id(s.ID)+"/report")
		group.get("/grants/"+id(s.ID)+"/report").has(t, "Report back", `value="150.00"`)
		report := url.Values{"what_happened": {"Short"}, "people_reached": {"some"}, "volunteers": {"3"}, "amount_used": {"200"}}
		p := group.post("/grants/"+id(s.ID)+"/report", report)
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("a bad report: %d", p.status)
		}
		p.has(t, `href="#what_happened"`, `href="#people_reached"`, "The amount used must be between nothing and the £150.00 granted.")
		if p := w.who(asWorker).post("/grants/"+id(s.ID)+"/report", report); p.status != http.StatusForbidden {
			t.Errorf("a link worker reports for the group: %d", p.status)
		}
		report = url.Values{"what_happened": {"Twelve walks, and the boots went out every week."}, "people_reached": {"25"},
			"volunteers": {"3"}, "amount_used": {"140"}}
		if p := group.post("/grants/"+id(s.ID)+"/report", report); p.status != http.StatusSeeOther {
			t.Fatalf("report: %d\n%s", p.status, p.body)
		}
		group.get("/grants/"+id(s.ID)).has(t, "Thank you: your report has been sent", "Paid and reported on", "Twelve walks", "£140.00")
		m.get(spendPath(w.pot, s)).has(t, "The group's report", "Twelve walks", "25")
		if p := group.post("/grants/"+id(s.ID)+"/report", report); p.status != http.StatusBadRequest {
			t.Errorf("report twice: %d", p.status)
		}
		opps, err := w.svc.Landscape.ListFundingOpportunities(ctx, w.place.ID)
		must(t, err)
		if len(opps) != 1 || opps[0].Status == "open" {
			t.Errorf("the gap the paid grant fills is still open: %+v", opps[0])
		}
	})
}

func TestGrantRefusesBadInput(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newBudgetWorld(t, db)
		group := w.who(asCommunity)
		closed := w.addPot(w.orgA, "Last year's fund", 0, nil)
		must(t, w.svc.Budgets.ClosePot(context.Background(), closed.ID, closed.Version))
		set := func(k, v string) url.Values { f := w.grantForm("100"); f.Set(k, v); return f }
		cases := []struct {
			name, field, want string
			form              url.Values
		}{
			{"a group of another place", "group_organisation_id", "Choose one of your groups.", set("group_organisation_id", id(w.wakeOrg.ID))},
			{"a group of this place that is not theirs", "group_organisation_id", "Choose one of your groups.", set("group_organisation_id", id(w.orgA.ID))},
			{"more than the most per item", "amount", "The most this pot allows per item is £300.00.", set("amount", "300.50")},
			{"fractional", "amount", "Amounts are in whole pence", set("amount", "12.345")},
			{"negative", "amount", "a negative amount is not allowed", set("amount", "-12")},
			{"an unknown postcode", "postcode", "We do not know the postcode", set("postcode", "HX9 9ZZ")},
			{"no way to reach them", "contact_email", "Give an email address or a phone number", set("contact_email", "")},
			{"people as words", "people_expected", "Enter the number of people you expect", set("people_expected", "lots")},
		}
		for _, c := range cases {
			p := group.post(applyPath(w.pot), c.form)
			if p.status != http.StatusUnprocessableEntity {
				t.Errorf("%s: %d, want 422", c.name, p.status)
			}
			p.has(t, c.want, `href="#`+c.field+`"`)
		}
		if p := group.post(applyPath(closed), w.grantForm("100")); p.status != http.StatusBadRequest {
			t.Errorf("apply to a closed pot: %d", p.status)
		}
		if n := len(w.spends(w.pot.ID)) + len(w.spends(closed.ID)); n != 0 {
			t.Fatalf("refused applications wrote %d spends", n)
		}
		// Overspend: a pot with less left than the grant asks can take the application, but
		// not approve it.
		small := w.addPot(w.orgA, "Small fund", 5000, func(p *linkwork.BudgetPot) { p.MaxPerItem = 0 })
		s := w.apply(asCommunity, small, w.grantForm("80"))
		staff := w.who(asManager).get(spendPath(small, s))
		p := w.who(asManager).post(spendPath(small, s)+"/decide", url.Values{"decide-decision": {"approve"},
			"version": {version(t, staff)}, linkwork.IdempotencyKeyField: {newKey()}})
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("approve an overspend: %d", p.status)
		}
		p.has(t, "This would overspend the pot: £50.00 is available.")
		if n := len(w.ledger(small.ID)); n != 1 {
			t.Fatalf("the refused approval wrote %d entries", n-1)
		}
		// The same application sent twice is one application.
		form := w.grantForm("60")
		w.apply(asCommunity, w.pot, form)
		p = group.post(applyPath(w.pot), form)
		if p.status != http.StatusConflict {
			t.Fatalf("the same application again: %d", p.status)
		}
		p.has(t, "This was already done")
		if n := len(w.spends(w.pot.ID)); n != 1 {
			t.Fatalf("%d applications after sending the form twice, want 1", n)
		}
	})
}

func TestGrantForNewActivityByLinkWorker(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newBudgetWorld(t, db)
		path := potPath(w.pot) + "/grant"
		w.wantStatus(t, "GET", path, nil, map[string]int{asWorker: 200, asManager: 200, asOtherWorker: 404, asOtherManager: 404,
			asAdmin: 403, asCommissioner: 403, asCommunity: 403, asReferrer: 403})
		form := w.who(asWorker).get(path)
		form.has(t, "Apply for a micro-grant for a new activity", `value="sam"`, `value="sam@example.org"`)
		if strings.Contains(form.body, "group_organisation_id") {
			t.Error("the new activity's form asks for a group")
		}
		activity := w.grantForm("40")
		activity.Del("group_organisation_id")
		activity.Set("activity_name", "Cook and eat together")
		activity.Set("postcode", "")
		p := w.who(asWorker).post(path, activity)
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("a new activity without a postcode: %d", p.status)
		}
		p.has(t, "Enter the postcode where the activity will happen.")
		activity.Set("postcode", "HX1 1AA")
		// A crafted group is ignored: a new activity has none.
		activity.Set("group_organisation_id", id(w.wakeOrg.ID))
		p = w.who(asWorker).post(path, activity)
		if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, potPath(w.pot)+"/spends/") {
			t.Fatalf("apply for a new activity: %d %q\n%s", p.status, p.location, p.body)
		}
		page := w.who(asWorker).get(p.location)
		page.has(t, "The application for the new activity is made", "A new activity", "Cook and eat together", "Save the decision")
		spends := w.spends(w.pot.ID)
		if len(spends) != 1 || spends[0].GroupOrganisationID != 0 || spends[0].RequestedBy != "sam" {
			t.Fatalf("the new activity's grant: %+v", spends)
		}
		// Within the threshold, the link worker decides and pays it.
		if p := w.who(asWorker).post(p.location+"/decide", url.Values{"decide-decision": {"approve"}, "version": {version(t, page)},
			linkwork.IdempotencyKeyField: {newKey()}}); p.status != http.StatusSeeOther {
			t.Fatalf("approve: %d\n%s", p.status, p.body)
		}
		paid := w.who(asWorker).get(p.location)
		if p := w.who(asWorker).post(p.location+"/pay", url.Values{"version": {version(t, paid)},
			linkwork.IdempotencyKeyField: {newKey()}}); p.status != http.StatusSeeOther {
			t.Fatalf("pay: %d\n%s", p.status, p.body)
		}
		if got := w.findPot(w.pot.ID).Balance; got.Spent != 4000 {
			t.Fatalf("balance after paying the new activity: %+v", got)
		}
		// With no group to report, the pot's people record the report back.
		w.who(asWorker).get(p.location).has(t, "Record the report back")
		report := p.location + "/report"
		w.wantStatus(t, "GET", report, nil, map[string]int{asWorker: 200, asManager: 200, asOtherWorker: 404, asOtherManager: 404,
			asAdmin: 403, asCommissioner: 403, asCommunity: 403, asReferrer: 403})
		bad := url.Values{"what_happened": {"Ten people cooked a meal together every Tuesday."}, "people_reached": {"10"},
			"volunteers": {"2"}, "amount_used": {"41"}}
		if r := w.who(asWorker).post(report, bad); r.status != http.StatusUnprocessableEntity {
			t.Fatalf("a report using more than the grant: %d", r.status)
		}
		bad.Set("amount_used", "40")
		if r := w.who(asWorker).post(report, bad); r.status != http.StatusSeeOther || r.location != p.location {
			t.Fatalf("record the report: %d %q\n%s", r.status, r.location, r.body)
		}
		if got := w.spends(w.pot.ID)[0]; got.Status != linkwork.SpendReported || got.Report == nil || got.Report.PeopleReached != 10 {
			t.Fatalf("the reported grant: %+v", got)
		}
		if r := w.who(asWorker).get(report); r.status != http.StatusBadRequest {
			t.Errorf("a second report: %d", r.status)
		}
		// A closed pot takes no new activity.
		closed := w.addPot(w.orgA, "Closed fund", 0, nil)
		must(t, w.svc.Budgets.ClosePot(context.Background(), closed.ID, closed.Version))
		if p := w.who(asWorker).get(potPath(closed) + "/grant"); p.status != http.StatusBadRequest {
			t.Errorf("a new activity from a closed pot: %d", p.status)
		}
	})
}

func TestGrantWithdrawnByGroup(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newBudgetWorld(t, db)
		s := w.apply(asCommunity, w.pot, w.grantForm("120"))
		path := "/grants/" + id(s.ID)
		page := w.who(asCommunity).get(path)
		withdraw := url.Values{"version": {version(t, page)}, linkwork.IdempotencyKeyField: {newKey()}}
		if p := w.who(asManager).post(path+"/withdraw", withdraw); p.status != http.StatusNotFound {
			t.Errorf("another organisation's manager withdraws the group's application: %d", p.status)
		}
		if p := w.who(asWorker).post(path+"/withdraw", withdraw); p.status != http.StatusForbidden {
			t.Errorf("a link worker withdraws through the group's page: %d", p.status)
		}
		if p := w.who(asCommunity).post(path+"/withdraw", withdraw); p.status != http.StatusSeeOther || p.location != path {
			t.Fatalf("withdraw: %d %q\n%s", p.status, p.location, p.body)
		}
		done := w.who(asCommunity).get(path)
		done.has(t, "Your application is withdrawn.", "Withdrawn", "The group withdrew its application.")
		if strings.Contains(done.body, "Withdraw the application") {
			t.Error("a withdrawn application offers to be withdrawn")
		}
		p := w.who(asCommunity).post(path+"/withdraw", withdraw)
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("withdraw twice: %d", p.status)
		}
		p.has(t, "The application was not withdrawn")
	})
}
