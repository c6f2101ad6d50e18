package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// budgetWorld is the case site with a devolved budget. Calder PCN (orgA) holds a team pot,
// the Calder community fund: £1,000 for micro-grants and personal spends, open to group
// applications, at most £300 an item, its managers approving spends over £50. Ada Lovelace
// is a case of Calder PCN being supported by sam, with a goal. Todmorden Garden (orgB) is a
// community group with a community member (and a link worker and a manager of its own);
// Wakefield is another place, with a group of its own. HX1 1AA is a postcode in Park
// (E01000001, deprivation decile 1).
type budgetWorld struct {
	*caseSite
	pot      *linkwork.BudgetPot
	person   *linkwork.Person
	goal     *linkwork.Goal
	wakeOrg  *linkwork.Organisation
	browsers map[string]*browser
}

func newBudgetWorld(t *testing.T, db *sqldb.DB) *budgetWorld {
	t.Helper()
	ctx := context.Background()
	w := &budgetWorld{caseSite: newCaseSite(t, db), browsers: map[string]*browser{}}
	_, err := w.svc.Geography.ImportLSOAs(ctx, rows(&linkwork.LSOA{Code: "E01000001", Name: "Park", LocalAuthorityCode: "E08000033",
		LocalAuthorityName: "Calderdale", IMDRank: 100, IMDDecile: 1}), linkwork.ImportOptions{})
	must(t, err)
	_, err = w.svc.Geography.ImportPostcodes(ctx, rows(&linkwork.PostcodeInfo{Postcode: "HX1 1AA", Lat: 53.70, Lng: -1.80,
		LSOA: "E01000001", Ward: "E05000001", LocalAuthority: "E08000033"}), linkwork.ImportOptions{})
	must(t, err)
	w.pot = w.addPot(w.orgA, "Calder community fund", 100000, nil)
	w.person = &linkwork.Person{PlaceID: w.place.ID, OrganisationID: w.orgA.ID, GivenName: "Ada", FamilyName: "Lovelace",
		DateOfBirth: "1955-12-10", Address1: "1 Crossley Street", Town: "Halifax", Postcode: "HX1 1AA", Phone: "01422 000000",
		WorkerUserID: w.sam.ID}
	must(t, w.svc.Cases.CreatePerson(ctx, w.person))
	w.goal = &linkwork.Goal{PersonID: w.person.ID, Text: "Get out of the house more"}
	must(t, w.svc.Cases.AddGoal(ctx, w.goal))
	w.addContact(w.person.ID, day(-1), "", 30) // the first contact makes the case active
	other := &linkwork.Place{Name: "Wakefield"}
	must(t, w.svc.Places.CreatePlace(ctx, other))
	w.wakeOrg = &linkwork.Organisation{PlaceID: other.ID, Name: "Wakefield Walkers", Sector: linkwork.SectorVCSE}
	must(t, w.svc.Organisations.CreateOrganisation(ctx, w.wakeOrg))
	return w
}

// who returns a browser signed in as the user with the email, signing in once per user.
func (w *budgetWorld) who(email string) *browser {
	w.t.Helper()
	if b := w.browsers[email]; b != nil {
		return b
	}
	w.browsers[email] = w.as(email)
	return w.browsers[email]
}

// The people of the budget world, by what they are to the pot.
const (
	asAdmin        = "admin@example.org"
	asCommissioner = "commissioner@example.org"
	asManager      = "manager@example.org"        // a manager of Calder PCN, which holds the pot
	asWorker       = "sam@example.org"            // a link worker of Calder PCN
	asOtherWorker  = "garden@example.org"         // a link worker of Todmorden Garden
	asOtherManager = "garden.manager@example.org" // a manager of Todmorden Garden
	asCommunity    = "community@example.org"      // a community member of Todmorden Garden
	asReferrer     = "gp@example.org"
)

// midnight is a day relative to today as pots keep their periods.
func midnight(days int) time.Time {
	return time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, days)
}

// addPot sets a pot up through the store with initial pence: a team pot of org, open a
// month ago for a year, for both kinds of spend and open to applications, at most £300 an
// item, managers approving over £50; change alters it first.
func (w *budgetWorld) addPot(org *linkwork.Organisation, name string, initial linkwork.Pence, change func(*linkwork.BudgetPot)) *linkwork.BudgetPot {
	w.t.Helper()
	pot := &linkwork.BudgetPot{PlaceID: org.PlaceID, OrganisationID: org.ID, Holder: linkwork.HolderTeam, Name: name,
		Funder: "Calderdale ICB", PeriodStart: midnight(-30), PeriodEnd: midnight(335), MaxPerItem: 30000, ApprovalThreshold: 5000,
		Kinds: []linkwork.SpendKind{linkwork.SpendGrant, linkwork.SpendPersonal}, OpenToApplications: true,
		Rules: "Things that help people take part."}
	if change != nil {
		change(pot)
	}
	must(w.t, w.svc.Budgets.CreatePot(context.Background(), pot, initial, newKey()))
	return pot
}

// keySeq makes idempotency keys for requests a test makes itself.
var keySeq int

func newKey() string {
	keySeq++
	return "test-key-" + strings.Repeat("0", 8) + id(int64(keySeq)) + "-" + id(time.Now().UnixNano())
}

// findPot reads a pot through the store.
func (w *budgetWorld) findPot(potID int64) *linkwork.BudgetPot {
	w.t.Helper()
	pot, err := w.svc.Budgets.FindPot(context.Background(), potID)
	must(w.t, err)
	return pot
}

// ledger returns a pot's entries.
func (w *budgetWorld) ledger(potID int64) []*linkwork.LedgerEntry {
	w.t.Helper()
	entries, err := w.svc.Budgets.Ledger(context.Background(), potID)
	must(w.t, err)
	return entries
}

// spends returns a pot's spends, newest first as the store lists them.
func (w *budgetWorld) spends(potID int64) []*linkwork.Spend {
	w.t.Helper()
	list, _, err := w.svc.Budgets.ListSpends(context.Background(), linkwork.SpendFilter{PlaceID: w.place.ID, PotID: potID,
		Page: linkwork.Page{Size: linkwork.MaxPageSize}})
	must(w.t, err)
	return list
}

// pots counts the pots of the place.
func (w *budgetWorld) pots() []*linkwork.BudgetPot {
	w.t.Helper()
	list, err := w.svc.Budgets.ListPots(context.Background(), linkwork.PotFilter{PlaceID: w.place.ID})
	must(w.t, err)
	return list
}

// potPath is a pot's page.
func potPath(pot *linkwork.BudgetPot) string { return "/budgets/" + id(pot.ID) }

// wantStatus checks the status of a page each user gets.
func (w *budgetWorld) wantStatus(t *testing.T, method, path string, form url.Values, want map[string]int) {
	t.Helper()
	for email, status := range want {
		var p page
		if method == "GET" {
			p = w.who(email).get(path)
		} else {
			p = w.who(email).post(path, form)
		}
		if p.status != status {
			t.Errorf("%s %s as %s: %d, want %d", method, path, email, p.status, status)
		}
	}
}

func TestBudgetPagesByRole(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newBudgetWorld(t, db)
		w.wantStatus(t, "GET", "/budgets", nil, map[string]int{asAdmin: 200, asCommissioner: 200, asManager: 200, asWorker: 200,
			asOtherWorker: 200, asCommunity: 403, asReferrer: 403})
		w.wantStatus(t, "GET", potPath(w.pot), nil, map[string]int{asAdmin: 200, asCommissioner: 200, asManager: 200, asWorker: 200,
			asOtherWorker: 404, asOtherManager: 404, asCommunity: 403, asReferrer: 403})
		w.wantStatus(t, "GET", "/budgets/new", nil, map[string]int{asAdmin: 200, asCommissioner: 200, asManager: 200, asWorker: 403,
			asOtherWorker: 403, asCommunity: 403, asReferrer: 403})
		w.wantStatus(t, "GET", potPath(w.pot)+"/edit", nil, map[string]int{asAdmin: 200, asCommissioner: 200, asManager: 200,
			asWorker: 403, asOtherWorker: 403, asOtherManager: 404, asCommunity: 403, asReferrer: 403})
		w.wantStatus(t, "GET", "/budgets/999999", nil, map[string]int{asAdmin: 404, asManager: 404})

		// The list is the principal's organisations' pots, or the place's for those who see
		// budgets place-wide, with the money in each.
		list := w.who(asWorker).get("/budgets")
		list.has(t, "Calder community fund", "Calderdale ICB", "£1,000.00", "Open")
		if strings.Contains(list.body, "Set up a pot") || strings.Contains(list.body, "/budgets/report") {
			t.Error("a link worker is offered to set up a pot or the spend report")
		}
		w.who(asManager).get("/budgets").has(t, "Set up a pot", `href="/budgets/report"`)
		w.who(asCommissioner).get("/budgets").has(t, "Calder community fund", "Set up a pot")
		if strings.Contains(w.who(asOtherWorker).get("/budgets").body, "Calder community fund") {
			t.Error("a link worker of another organisation sees the pot")
		}
		page := w.who(asWorker).get(potPath(w.pot))
		page.has(t, "Calder community fund", "Available to spend", "First allocation", "Spends over £50.00", "£300.00",
			"Things that help people take part.", "Apply for a micro-grant for a new activity")
		if strings.Contains(page.body, "Add money") || strings.Contains(page.body, "Close the pot") || strings.Contains(page.body, "Reverse") {
			t.Error("a link worker is offered a manager's actions on the pot")
		}
		w.who(asManager).get(potPath(w.pot)).has(t, "Add money", "Close the pot", "Reverse", "Change the rules",
			`name="idempotency_key" value="`)
	})
}

func TestBudgetSetUpPot(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newBudgetWorld(t, db)
		m := w.who(asManager)
		// A manager of one organisation goes straight to the form for it.
		form := m.get("/budgets/new")
		form.has(t, "Held by Calder PCN", "Calder Social Prescribing", "sam", `name="idempotency_key"`, "Loneliness and isolation")
		key := newKey()
		pot := url.Values{"organisation_id": {id(w.orgA.ID)}, "holder": {"link_worker"}, "user_id": {id(w.sam.ID)},
			"name": {"Sam's pot"}, "funder": {"Calder PCN"}, "period_start": {day(0)}, "period_end": {day(90)},
			"amount": {"12.345"}, "max_per_item": {"50"}, "approval_threshold": {"20"}, "kinds": {"personal"},
			"needs": {"transport", "loneliness"}, "rules": {"Travel and small things."}, linkwork.IdempotencyKeyField: {key}}
		before := len(w.pots())
		p := m.post("/budgets/new", pot)
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("a fractional amount: %d", p.status)
		}
		p.has(t, "Amounts are in whole pence", `href="#amount"`, `value="Sam&#39;s pot"`, `value="`+key+`"`)
		for _, bad := range []string{"-5", "ten pounds", "20000000"} {
			pot.Set("amount", bad)
			if p := m.post("/budgets/new", pot); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `href="#amount"`) {
				t.Errorf("starting amount %q: %d", bad, p.status)
			}
		}
		pot.Set("amount", "250")
		pot.Set("period_end", day(-10))
		p = m.post("/budgets/new", pot)
		p.has(t, "The last day must be on or after the first day.")
		pot.Set("period_end", day(90))
		pot.Set("holder", "link_worker")
		pot.Set("user_id", id(w.gardenWorker.ID)) // another organisation's link worker
		m.post("/budgets/new", pot).has(t, "Choose one of Calder PCN&#39;s link workers.")
		pot.Set("user_id", id(w.sam.ID))
		if n := len(w.pots()); n != before {
			t.Fatalf("refused forms made %d pots", n-before)
		}
		p = m.post("/budgets/new", pot)
		if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/budgets/") {
			t.Fatalf("set up: %d %q\n%s", p.status, p.location, p.body)
		}
		m.get(p.location).has(t, "The pot is set up", "Sam&#39;s pot", "sam, Calder PCN", "£250.00", "Getting about",
			"Spends over £20.00")
		// The same form sent twice makes one pot.
		p = m.post("/budgets/new", pot)
		if p.status != http.StatusConflict {
			t.Fatalf("the same form again: %d", p.status)
		}
		p.has(t, "This was already done")
		if n := len(w.pots()); n != before+1 {
			t.Fatalf("%d pots made, want 1", n-before)
		}

		// Someone who manages budgets place-wide first chooses the organisation, of their
		// place only.
		a := w.who(asAdmin)
		a.get("/budgets/new").has(t, "choose the organisation that holds the pot", "Todmorden Garden")
		a.get("/budgets/new?organisation_id="+id(w.orgB.ID)).has(t, "Held by Todmorden Garden")
		if p := a.get("/budgets/new?organisation_id=" + id(w.wakeOrg.ID)); p.status != http.StatusUnprocessableEntity {
			t.Errorf("admin chose another place's organisation: %d", p.status)
		}
		pot.Set("organisation_id", id(w.wakeOrg.ID))
		pot.Set("holder", "team")
		pot.Set(linkwork.IdempotencyKeyField, newKey())
		p = a.post("/budgets/new", pot)
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("a pot for another place's organisation: %d", p.status)
		}
		p.has(t, "Choose an organisation whose budgets you manage.")
		// A manager may not set one up for an organisation they do not manage.
		pot.Set("organisation_id", id(w.orgB.ID))
		m.post("/budgets/new", pot).has(t, "Choose an organisation whose budgets you manage.")
		if n := len(w.pots()); n != before+1 {
			t.Fatalf("%d pots after the refusals, want %d", n, before+1)
		}
	})
}

func TestBudgetAllocateReverseAndClose(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newBudgetWorld(t, db)
		m := w.who(asManager)
		path := potPath(w.pot)
		key := newKey()
		add := url.Values{"allocate-amount": {"200.5"}, "allocate-note": {"Top-up from the council"}, linkwork.IdempotencyKeyField: {key}}
		if p := w.who(asWorker).post(path+"/allocate", add); p.status != http.StatusForbidden {
			t.Errorf("a link worker adds money: %d", p.status)
		}
		if p := w.who(asOtherManager).post(path+"/allocate", add); p.status != http.StatusNotFound {
			t.Errorf("another organisation's manager adds money: %d", p.status)
		}
		for _, bad := range []string{"12.345", "-10", "0", ""} {
			add.Set("allocate-amount", bad)
			p := m.post(path+"/allocate", add)
			if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `href="#allocate-amount"`) {
				t.Errorf("allocate %q: %d", bad, p.status)
			}
		}
		if n := len(w.ledger(w.pot.ID)); n != 1 {
			t.Fatalf("refused allocations wrote %d entries", n-1)
		}
		add.Set("allocate-amount", "200.5")
		if p := m.post(path+"/allocate", add); p.status != http.StatusSeeOther || p.location != path {
			t.Fatalf("allocate: %d %q\n%s", p.status, p.location, p.body)
		}
		m.get(path).has(t, "The money has been added", "£1,200.50", "Top-up from the council")
		p := m.post(path+"/allocate", add)
		if p.status != http.StatusConflict {
			t.Fatalf("the same allocation again: %d", p.status)
		}
		p.has(t, "This was already done")
		entries := w.ledger(w.pot.ID)
		if len(entries) != 2 {
			t.Fatalf("%d entries after a repeated allocation, want 2", len(entries))
		}

		// A mistake is reversed, once, with a reason.
		top := entries[1]
		rpath := path + "/entries/" + id(top.ID) + "/reverse"
		rev := url.Values{"reverse-" + id(top.ID) + "-reason": {""}, linkwork.IdempotencyKeyField: {newKey()}}
		p = m.post(rpath, rev)
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("a reversal without a reason: %d", p.status)
		}
		p.has(t, "Say why the entry is being reversed", "open")
		if p := w.who(asWorker).post(rpath, rev); p.status != http.StatusForbidden {
			t.Errorf("a link worker reverses an entry: %d", p.status)
		}
		rev.Set("reverse-"+id(top.ID)+"-reason", "Added to the wrong pot")
		if p := m.post(rpath, rev); p.status != http.StatusSeeOther {
			t.Fatalf("reverse: %d\n%s", p.status, p.body)
		}
		m.get(path).has(t, "The entry has been reversed", "Added to the wrong pot", "Reversed by", "£1,000.00")
		rev.Set(linkwork.IdempotencyKeyField, newKey())
		p = m.post(rpath, rev)
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("reversing twice: %d", p.status)
		}
		p.has(t, "reversed already")
		if n := len(w.ledger(w.pot.ID)); n != 3 {
			t.Fatalf("%d entries, want 3", n)
		}
		// An entry of another pot is not this pot's to reverse.
		other := w.addPot(w.orgA, "Another pot", 1000, nil)
		if p := m.post(path+"/entries/"+id(w.ledger(other.ID)[0].ID)+"/reverse", rev); p.status != http.StatusNotFound {
			t.Errorf("an entry of another pot through this one: %d", p.status)
		}

		// Closing is refused while money is promised, then done; a closed pot takes no money.
		spend := &linkwork.Spend{PlaceID: w.place.ID, PotID: w.pot.ID, Kind: linkwork.SpendPersonal, Amount: 9000, Need: "transport",
			PersonID: w.person.ID, GoalID: w.goal.ID, Item: "Bus pass for a month", Reason: "To get to the walking group."}
		must(t, w.svc.Budgets.SpendForPerson(context.Background(), spend, false, newKey()))
		pot := w.findPot(w.pot.ID)
		p = m.post(path+"/close", url.Values{"version": {id(int64(pot.Version))}})
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("close with money committed: %d", p.status)
		}
		p.has(t, "The pot was not closed", "£90.00")
		_, err := w.svc.Budgets.Withdraw(context.Background(), spend.ID, spend.Version, "Not needed now.", newKey())
		must(t, err)
		pot = w.findPot(w.pot.ID)
		if p := m.post(path+"/close", url.Values{"version": {id(int64(pot.Version))}}); p.status != http.StatusSeeOther {
			t.Fatalf("close: %d\n%s", p.status, p.body)
		}
		closed := m.get(path)
		closed.has(t, "The pot is closed", "Closed")
		if strings.Contains(closed.body, "Add money") || strings.Contains(closed.body, "Change the rules") {
			t.Error("a closed pot offers to add money or change its rules")
		}
		add.Set(linkwork.IdempotencyKeyField, newKey())
		p = m.post(path+"/allocate", add)
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("allocate to a closed pot: %d", p.status)
		}
		p.has(t, "This pot is closed or outside its period")
		if p := m.get(path + "/edit"); p.status != http.StatusBadRequest {
			t.Errorf("edit a closed pot's rules: %d", p.status)
		}
	})
}

func TestBudgetEditRules(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newBudgetWorld(t, db)
		m := w.who(asManager)
		path := potPath(w.pot) + "/edit"
		form := m.get(path)
		form.has(t, `value="Calder community fund"`, `value="300.00"`, `value="50.00"`, "checked")
		rules := url.Values{"version": {version(t, form)}, "name": {"Calder fund"}, "funder": {"Calderdale ICB"},
			"period_start": {midnight(-30).Format(time.DateOnly)}, "period_end": {midnight(335).Format(time.DateOnly)},
			"max_per_item": {"1.001"}, "approval_threshold": {""}, "kinds": {"micro_grant"}, "rules": {"Small grants."},
			"open_to_applications": {"yes"}}
		p := m.post(path, rules)
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("a fractional most per item: %d", p.status)
		}
		p.has(t, `href="#max_per_item"`)
		rules.Set("max_per_item", "")
		rules.Del("kinds")
		m.post(path, rules).has(t, "Choose what the pot may be spent on")
		rules.Set("kinds", "personal")
		m.post(path, rules).has(t, "Only a pot for micro-grants can take applications")
		rules.Set("kinds", "micro_grant")
		if p := m.post(path, rules); p.status != http.StatusSeeOther {
			t.Fatalf("save: %d\n%s", p.status, p.body)
		}
		m.get(potPath(w.pot)).has(t, "The pot&#39;s rules have been saved", "Calder fund", "No limit", "Every spend", "Small grants.")
		// A second save from the old page is refused: someone changed the pot meanwhile.
		rules.Set("name", "Old name")
		p = m.post(path, rules)
		if p.status != http.StatusConflict {
			t.Fatalf("a stale save: %d", p.status)
		}
		p.has(t, "after you opened it", `value="Old name"`)
		if got := w.findPot(w.pot.ID).Name; got != "Calder fund" {
			t.Errorf("the stale save changed the name to %q", got)
		}
	})
}
