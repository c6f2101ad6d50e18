package sqldb_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// budgetWorld is the referral world with a geography and what devolved budgets need: the
// charity (holding cases, running the connector scheme Link Up York, with link workers and
// a manager), community groups in York with venues in neighbourhoods of known deprivation,
// people on the charity's caseload with goals in their plans, and Leeds to go wrong with.
type budgetWorld struct {
	*refWorld
	budgets   *sqldb.BudgetService
	walkers   *linkwork.Organisation // a group whose first venue is in Calderdale 001A (decile 1)
	knitters  *linkwork.Organisation // a group with no venue
	mary      int64                  // an active case of the charity, living in Calderdale 002A (decile 5)
	maryGoal  int64
	ron       int64 // an active case of the charity at a postcode with no known LSOA
	ronGoal   int64
	waiting   int64 // a case of the charity still waiting
	waitGoal  int64
	housed    int64 // an active case of the housing trust
	housedGol int64
}

// Days of the budget tests: the clock starts on 4 March 2030.
var (
	day2030Mar01 = time.Date(2030, time.March, 1, 0, 0, 0, 0, time.UTC)
	day2030Dec31 = time.Date(2030, time.December, 31, 0, 0, 0, 0, time.UTC)
)

func budgetLSOAs() []*linkwork.LSOA {
	return []*linkwork.LSOA{
		{Code: "E01000001", Name: "Calderdale 001A", LocalAuthorityCode: laCalderdale, LocalAuthorityName: "Calderdale", IMDRank: 100, IMDDecile: 1},
		{Code: "E01000002", Name: "Calderdale 002A", LocalAuthorityCode: laCalderdale, LocalAuthorityName: "Calderdale", IMDRank: 15000, IMDDecile: 5},
		{Code: "E01000003", Name: "Calderdale 003A", LocalAuthorityCode: laCalderdale, LocalAuthorityName: "Calderdale"},
	}
}

func budgetPostcodes() []*linkwork.PostcodeInfo {
	pc := func(postcode, lsoa string) *linkwork.PostcodeInfo {
		return &linkwork.PostcodeInfo{Postcode: postcode, Lat: 53.7, Lng: -1.8, LSOA: lsoa, LocalAuthority: laCalderdale}
	}
	return []*linkwork.PostcodeInfo{pc("HX1 1AA", "E01000001"), pc("HX2 0AA", "E01000002"), pc("HX3 0AA", "E01000003"),
		pc("HX5 0AA", "")}
}

func newBudgetWorld(t *testing.T, db *sqldb.DB) *budgetWorld {
	t.Helper()
	w := &budgetWorld{refWorld: newRefWorld(t, db), budgets: sqldb.NewBudgetService(db)}
	_, err := w.svc.Geography.ImportLSOAs(t.Context(), rowsOf(nil, budgetLSOAs()...), linkwork.ImportOptions{AllOrNothing: true})
	must(t, err)
	dirImportPostcodes(t, db, budgetPostcodes()...)
	w.walkers = mustOrg(t, db, w.york.ID, "York Walking Friends", linkwork.SectorVCSE)
	w.knitters = mustOrg(t, db, w.york.ID, "Knit and Natter CIC", linkwork.SectorVCSE)
	mustService(t, db, &linkwork.Service{PlaceID: w.york.ID, OrganisationID: w.walkers.ID, Name: "Walk and Talk",
		Locations: []linkwork.Location{{Name: "The park", Address1: "1 Park Road", Town: "Halifax", Postcode: "HX1 1AA"},
			{Name: "The hall", Address1: "2 Hall Road", Town: "Halifax", Postcode: "HX2 0AA"}}})
	w.mary, w.maryGoal = w.addBudgetPerson(t, w.charity.ID, "Mary", "Smith", "HX2 0AA", true)
	w.ron, w.ronGoal = w.addBudgetPerson(t, w.charity.ID, "Ron", "Weasley", "HX5 0AA", true)
	w.waiting, w.waitGoal = w.addBudgetPerson(t, w.charity.ID, "Wanda", "Waite", "HX1 1AA", false)
	w.housed, w.housedGol = w.addBudgetPerson(t, w.housing.ID, "Harry", "House", "HX1 1AA", true)
	return w
}

// addBudgetPerson opens a case held by orgID at a postcode, active after a first contact
// when active is set, with one goal in their plan; it returns the person's and goal's IDs.
func (w *budgetWorld) addBudgetPerson(t *testing.T, orgID int64, given, family, postcode string, active bool) (int64, int64) {
	t.Helper()
	ctx := t.Context()
	cases := w.svc.Cases
	p := &linkwork.Person{PlaceID: w.york.ID, OrganisationID: orgID, GivenName: given, FamilyName: family,
		DateOfBirth: "1950-04-01", Address1: "1 Rose Street", Town: "Halifax", Postcode: postcode, Phone: "01422 123456",
		OpenedOn: "2030-01-02"}
	must(t, cases.CreatePerson(ctx, p))
	if active {
		must(t, cases.AddContact(ctx, &linkwork.CaseContact{PersonID: p.ID, On: "2030-01-03", Mode: linkwork.ModePhone,
			Minutes: 20, WorkerName: "Lee Walker"}))
	}
	g := &linkwork.Goal{PersonID: p.ID, Text: "Get out more"}
	must(t, cases.AddGoal(ctx, g))
	return p.ID, g.ID
}

// as is ctx acting as a user of York.
func (w *budgetWorld) as(userID int64, label string) context.Context {
	return linkwork.NewContextWithActor(context.Background(), linkwork.Actor{UserID: userID, Label: label, PlaceID: w.york.ID})
}

func (w *budgetWorld) asWorker() context.Context  { return w.as(w.worker1, "lee@connectors.example") }
func (w *budgetWorld) asManager() context.Context { return w.as(w.manager, "max@connectors.example") }

// newKey is a fresh idempotency key, as a form makes one.
func newKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// schemePot is a pot held by Link Up York for both kinds of spend, open from 1 March to 31
// December 2030, at most £500 an item, with spends over £50 needing a manager.
func (w *budgetWorld) schemePot() *linkwork.BudgetPot {
	return &linkwork.BudgetPot{PlaceID: w.york.ID, OrganisationID: w.charity.ID, Holder: linkwork.HolderScheme,
		ServiceID: w.linkUp.ID, Name: " Community Chest ", Funder: "York ICB", PeriodStart: day2030Mar01,
		PeriodEnd: day2030Dec31, MaxPerItem: 50000, ApprovalThreshold: 5000,
		Kinds: []linkwork.SpendKind{linkwork.SpendPersonal, linkwork.SpendGrant}, Rules: "Anything that helps people connect.",
		OpenToApplications: true}
}

// mustPot creates a pot with an initial allocation, failing the test on an error.
func (w *budgetWorld) mustPot(t *testing.T, p *linkwork.BudgetPot, initial linkwork.Pence) *linkwork.BudgetPot {
	t.Helper()
	must(t, w.budgets.CreatePot(w.asManager(), p, initial, newKey()))
	return p
}

// wantBalance fails the test unless the pot's balance, read afresh, is as given.
func (w *budgetWorld) wantBalance(t *testing.T, potID int64, want linkwork.PotBalance) {
	t.Helper()
	p, err := w.budgets.FindPot(t.Context(), potID)
	must(t, err)
	if p.Balance != want {
		t.Fatalf("balance %+v, want %+v", p.Balance, want)
	}
}

// bal is a balance from what was allocated, spent and committed.
func bal(allocated, spent, committed linkwork.Pence) linkwork.PotBalance {
	return linkwork.PotBalance{Allocated: allocated, Spent: spent, Committed: committed, Funds: allocated - spent,
		Available: allocated - spent - committed}
}

// budgetCounts are the rows of the budget tables, to show that a refusal wrote nothing.
type budgetCounts struct{ pots, spends, entries, keys, audit int }

func countBudget(t *testing.T, db *sqldb.DB) budgetCounts {
	t.Helper()
	return budgetCounts{countRows(t, db, "budget_pots", ""), countRows(t, db, "spends", ""),
		countRows(t, db, "ledger_entries", ""), countRows(t, db, "idempotency_keys", ""), countRows(t, db, "audit_events", "")}
}

// wantNothingWritten fails the test if the budget tables or the audit trail changed.
func wantNothingWritten(t *testing.T, db *sqldb.DB, before budgetCounts) {
	t.Helper()
	if after := countBudget(t, db); after != before {
		t.Fatalf("a refused request wrote something: before %+v, after %+v", before, after)
	}
}

// wantRefused fails the test unless err is the code on the field with a message containing
// the text, and nothing was written.
func wantRefused(t *testing.T, db *sqldb.DB, before budgetCounts, err error, code, field, text string) {
	t.Helper()
	wantCode(t, err, code, field)
	if !strings.Contains(linkwork.ErrorMessage(err), text) {
		t.Fatalf("message %q, want it to contain %q", linkwork.ErrorMessage(err), text)
	}
	wantNothingWritten(t, db, before)
}

func TestBudgetPotCreate(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newBudgetWorld(t, db)
		key := newKey()
		p := w.schemePot()
		p.Needs = []string{"loneliness", " mental_wellbeing ", "loneliness"}
		p.UserID = w.worker1 // not kept for a scheme's pot
		must(t, w.budgets.CreatePot(w.asManager(), p, 100000, key))
		if p.ID == 0 || p.Status != linkwork.PotOpen || p.Version != 1 || p.Name != "Community Chest" ||
			p.OrganisationName != "York Community Connectors" || p.ServiceName != "Link Up York" || p.UserID != 0 ||
			p.UserName != "" || p.CreatedBy != "Max Manager" || !p.CreatedAt.Equal(w.clock.now) ||
			!p.PeriodStart.Equal(day2030Mar01) || !p.PeriodEnd.Equal(day2030Dec31) || p.ClosedAt != nil {
			t.Fatalf("created: %s", jsonOf(p))
		}
		if strings.Join(p.Needs, ",") != "loneliness,mental_wellbeing" || len(p.Kinds) != 2 ||
			p.Kinds[0] != linkwork.SpendGrant || p.Kinds[1] != linkwork.SpendPersonal {
			t.Fatalf("needs %q, kinds %q", p.Needs, p.Kinds)
		}
		if p.Balance != bal(100000, 0, 0) {
			t.Fatalf("balance %+v, want £1,000 allocated", p.Balance)
		}
		got, err := w.budgets.FindPot(t.Context(), p.ID)
		must(t, err)
		if jsonOf(got) != jsonOf(p) {
			t.Fatalf("read back:\n%s\nwant\n%s", jsonOf(got), jsonOf(p))
		}
		ledger, err := w.budgets.Ledger(t.Context(), p.ID)
		must(t, err)
		if len(ledger) != 1 || ledger[0].Kind != linkwork.EntryAllocation || ledger[0].Amount != 100000 ||
			ledger[0].FundsDelta != 100000 || ledger[0].CommittedDelta != 0 || ledger[0].CountsAs != linkwork.EntryAllocation ||
			ledger[0].CreatedBy != "Max Manager" || ledger[0].CreatedByUserID != w.manager || ledger[0].PlaceID != w.york.ID {
			t.Fatalf("ledger %s", jsonOf(ledger))
		}
		a := oneAudit(t, db, linkwork.AuditPotCreate, idStr(p.ID))
		if a.RecordType != "budget_pot" || a.ActorUserID != w.manager || a.PlaceID != w.york.ID {
			t.Fatalf("audit %+v", a)
		}
		oneAudit(t, db, linkwork.AuditLedgerEntry, idStr(ledger[0].ID))
		var recorded int64
		var action string
		must(t, db.QueryRow(t.Context(), "SELECT record_id, action FROM idempotency_keys WHERE place_id = ? AND key = ?",
			[]any{w.york.ID, key}, &recorded, &action))
		if recorded != p.ID || action != linkwork.AuditPotCreate {
			t.Fatalf("the key records %s %d, want %s %d", action, recorded, linkwork.AuditPotCreate, p.ID)
		}

		// A team's pot with nothing in it yet, and a link worker's.
		team := w.mustPot(t, &linkwork.BudgetPot{PlaceID: w.york.ID, OrganisationID: w.charity.ID, Holder: linkwork.HolderTeam,
			ServiceID: w.linkUp.ID, Name: "Team pot", Funder: "Council", PeriodStart: day2030Mar01, PeriodEnd: day2030Dec31,
			Kinds: []linkwork.SpendKind{linkwork.SpendPersonal}}, 0)
		if team.ServiceID != 0 || team.ServiceName != "" || team.Balance != (linkwork.PotBalance{}) {
			t.Fatalf("team pot %s", jsonOf(team))
		}
		if ledger, err := w.budgets.Ledger(t.Context(), team.ID); err != nil || len(ledger) != 0 {
			t.Fatalf("team pot's ledger %s, %v: want empty", jsonOf(ledger), err)
		}
		lw := w.mustPot(t, &linkwork.BudgetPot{PlaceID: w.york.ID, OrganisationID: w.charity.ID, Holder: linkwork.HolderLinkWorker,
			UserID: w.worker2, Name: "Kim's pot", Funder: "Council", PeriodStart: day2030Mar01, PeriodEnd: day2030Dec31,
			Kinds: []linkwork.SpendKind{linkwork.SpendPersonal}}, 2500)
		if lw.UserName != "Kim Okafor" || lw.Balance != bal(2500, 0, 0) {
			t.Fatalf("link worker's pot %s", jsonOf(lw))
		}
		// A manager may hold one too.
		w.mustPot(t, &linkwork.BudgetPot{PlaceID: w.york.ID, OrganisationID: w.charity.ID, Holder: linkwork.HolderLinkWorker,
			UserID: w.manager, Name: "Max's pot", Funder: "Council", PeriodStart: day2030Mar01, PeriodEnd: day2030Dec31,
			Kinds: []linkwork.SpendKind{linkwork.SpendPersonal}}, 0)

		if _, err := w.budgets.FindPot(t.Context(), p.ID+100); linkwork.ErrorCode(err) != linkwork.ENOTFOUND {
			t.Fatalf("finding a pot that does not exist: %v", err)
		}
		if _, err := w.budgets.Ledger(t.Context(), p.ID+100); linkwork.ErrorCode(err) != linkwork.ENOTFOUND {
			t.Fatalf("the ledger of a pot that does not exist: %v", err)
		}
	})
}

func TestBudgetPotCreateRefused(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newBudgetWorld(t, db)
		ctx := w.asManager()
		used := newKey()
		w.mustPotWithKey(t, w.schemePot(), 1000, used)
		before := countBudget(t, db)

		for _, c := range []struct {
			name        string
			change      func(p *linkwork.BudgetPot)
			initial     linkwork.Pence
			key         string
			code, field string
			text        string
		}{
			{"no name", func(p *linkwork.BudgetPot) { p.Name = " " }, 0, "", linkwork.EINVALID, "name", "Enter the name."},
			{"period backwards", func(p *linkwork.BudgetPot) { p.PeriodEnd = day2030Mar01.AddDate(0, 0, -1) }, 0, "",
				linkwork.EINVALID, "period_end", "on or after the first day"},
			{"no kinds", func(p *linkwork.BudgetPot) { p.Kinds = nil }, 0, "", linkwork.EINVALID, "kinds", "Choose what the pot"},
			{"negative initial", func(p *linkwork.BudgetPot) {}, -1, "", linkwork.EINVALID, "initial", "between nothing and £10,000,000.00"},
			{"initial too big", func(p *linkwork.BudgetPot) {}, linkwork.MaxAmount + 1, "", linkwork.EINVALID, "initial", "£10,000,000.00"},
			{"bad key", func(p *linkwork.BudgetPot) {}, 0, "short", linkwork.EINVALID, linkwork.IdempotencyKeyField, "16 to 100 characters"},
			{"key with spaces", func(p *linkwork.BudgetPot) {}, 0, "a key that has spaces", linkwork.EINVALID, linkwork.IdempotencyKeyField,
				"only letters, digits"},
			{"organisation in Leeds", func(p *linkwork.BudgetPot) { p.OrganisationID = w.leedsOrg.ID }, 0, "", linkwork.EINVALID,
				"organisation_id", "There is no organisation"},
			{"another organisation's scheme", func(p *linkwork.BudgetPot) { p.ServiceID = w.homeFirst.ID }, 0, "", linkwork.EINVALID,
				"service_id", "Choose a connector scheme that York Community Connectors runs."},
			{"an activity, not a scheme", func(p *linkwork.BudgetPot) {
				p.OrganisationID, p.ServiceID = w.walkers.ID, w.linkUp.ID
			}, 0, "", linkwork.EINVALID, "service_id", "Choose a connector scheme that York Walking Friends runs."},
			{"a referrer holding it", func(p *linkwork.BudgetPot) {
				p.Holder, p.UserID = linkwork.HolderLinkWorker, w.referrer
			}, 0, "", linkwork.EINVALID, "user_id", "Choose a link worker or manager of York Community Connectors"},
			{"another organisation's worker", func(p *linkwork.BudgetPot) {
				p.OrganisationID, p.Holder, p.UserID = w.housing.ID, linkwork.HolderLinkWorker, w.worker1
			}, 0, "", linkwork.EINVALID, "user_id", "Choose a link worker or manager of York Housing Trust"},
			{"need not in the place", func(p *linkwork.BudgetPot) { p.Needs = []string{"loneliness", "dragons"} }, 0, "",
				linkwork.EINVALID, "needs", `There is no need "dragons"`},
			{"period already ended, with money", func(p *linkwork.BudgetPot) {
				p.PeriodStart, p.PeriodEnd = day2030Mar01.AddDate(-1, 0, 0), day2030Mar01.AddDate(0, 0, -1)
			}, 100, "", linkwork.EINVALID, "period_end", "This pot's period ended on 28 February 2030"},
			{"the same key again", func(p *linkwork.BudgetPot) {}, 500, used, linkwork.ECONFLICT, "",
				"This was already done: the form or request was sent twice, so nothing more was changed."},
		} {
			p := w.schemePot()
			c.change(p)
			key := c.key
			if key == "" {
				key = newKey()
			}
			err := w.budgets.CreatePot(ctx, p, c.initial, key)
			t.Run(c.name, func(t *testing.T) { wantRefused(t, db, before, err, c.code, c.field, c.text) })
		}
		if err := w.budgets.CreatePot(ctx, nil, 0, newKey()); linkwork.ErrorCode(err) != linkwork.EINVALID {
			t.Fatalf("no pot: %v", err)
		}
		// The same key in another place is another request.
		must(t, w.budgets.CreatePot(ctx, &linkwork.BudgetPot{PlaceID: w.leeds.ID, OrganisationID: w.leedsOrg.ID,
			Holder: linkwork.HolderTeam, Name: "Leeds pot", Funder: "Leeds ICB", PeriodStart: day2030Mar01,
			PeriodEnd: day2030Dec31, Kinds: []linkwork.SpendKind{linkwork.SpendGrant}}, 100, used))
	})
}

// mustPotWithKey creates a pot under a given key.
func (w *budgetWorld) mustPotWithKey(t *testing.T, p *linkwork.BudgetPot, initial linkwork.Pence, key string) *linkwork.BudgetPot {
	t.Helper()
	must(t, w.budgets.CreatePot(w.asManager(), p, initial, key))
	return p
}

func TestBudgetPotUpdateRules(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newBudgetWorld(t, db)
		ctx := w.asManager()
		p := w.mustPot(t, w.schemePot(), 10000)

		upd := *p
		upd.Name, upd.Funder, upd.Rules = "Community Chest 2030", "York ICB and Council", "Small things."
		upd.MaxPerItem, upd.ApprovalThreshold, upd.Needs = 20000, 1000, []string{"loneliness"}
		upd.PeriodEnd = day2030Dec31.AddDate(0, 3, 0)
		// The holder and organisation are not the rules' to change.
		upd.Holder, upd.OrganisationID, upd.ServiceID = linkwork.HolderTeam, w.housing.ID, 0
		must(t, w.budgets.UpdatePotRules(ctx, &upd))
		if upd.Version != 2 || upd.Name != "Community Chest 2030" || upd.Holder != linkwork.HolderScheme ||
			upd.OrganisationID != w.charity.ID || upd.ServiceID != w.linkUp.ID || upd.MaxPerItem != 20000 ||
			upd.ApprovalThreshold != 1000 || !upd.PeriodEnd.Equal(time.Date(2031, time.March, 31, 0, 0, 0, 0, time.UTC)) ||
			upd.Balance != bal(10000, 0, 0) || strings.Join(upd.Needs, ",") != "loneliness" {
			t.Fatalf("updated: %s", jsonOf(upd))
		}
		got, err := w.budgets.FindPot(t.Context(), p.ID)
		must(t, err)
		if jsonOf(got) != jsonOf(&upd) {
			t.Fatalf("read back:\n%s\nwant\n%s", jsonOf(got), jsonOf(&upd))
		}
		a := oneAudit(t, db, linkwork.AuditPotUpdate, idStr(p.ID))
		if a.Detail != "changed name, funder, period, most per item, approval threshold, needs, rules" {
			t.Fatalf("audit detail %q", a.Detail)
		}

		before := countBudget(t, db)
		stale := *p // version 1
		stale.Name = "Old"
		wantRefused(t, db, before, w.budgets.UpdatePotRules(ctx, &stale), linkwork.ECONFLICT, "", "Reload the page")
		bad := *got
		bad.Needs = []string{"dragons"}
		wantRefused(t, db, before, w.budgets.UpdatePotRules(ctx, &bad), linkwork.EINVALID, "needs", "dragons")
		bad = *got
		bad.Name = ""
		wantRefused(t, db, before, w.budgets.UpdatePotRules(ctx, &bad), linkwork.EINVALID, "name", "Enter the name.")
		bad = *got
		bad.PlaceID = w.leeds.ID
		wantRefused(t, db, before, w.budgets.UpdatePotRules(ctx, &bad), linkwork.ENOTFOUND, "", "not found")

		must(t, w.budgets.ClosePot(ctx, got.ID, got.Version))
		closed, err := w.budgets.FindPot(t.Context(), p.ID)
		must(t, err)
		before = countBudget(t, db)
		closed.Name = "Reopened?"
		wantRefused(t, db, before, w.budgets.UpdatePotRules(ctx, closed), linkwork.EINVALID, "", "This pot is closed")
	})
}

func TestBudgetPotClose(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newBudgetWorld(t, db)
		ctx := w.asManager()
		p := w.mustPot(t, w.schemePot(), 20000)
		sp := w.personal(p.ID, 6000) // above the threshold: committed, waiting for a manager
		must(t, w.budgets.SpendForPerson(w.asWorker(), sp, false, newKey()))

		before := countBudget(t, db)
		wantRefused(t, db, before, w.budgets.ClosePot(ctx, p.ID, p.Version), linkwork.EINVALID, "",
			"This pot has £60.00 promised to spends not yet paid")
		_, err := w.budgets.Withdraw(w.asWorker(), sp.ID, sp.Version, "Bought it elsewhere.", newKey())
		must(t, err)
		wantRefused(t, db, countBudget(t, db), w.budgets.ClosePot(ctx, p.ID, p.Version+1), linkwork.ECONFLICT, "", "Reload the page")
		must(t, w.budgets.ClosePot(ctx, p.ID, p.Version))
		closed, err := w.budgets.FindPot(t.Context(), p.ID)
		must(t, err)
		if closed.Status != linkwork.PotClosed || closed.ClosedBy != "Max Manager" || closed.ClosedAt == nil ||
			!closed.ClosedAt.Equal(w.clock.now) || closed.Version != 2 || closed.Balance != bal(20000, 0, 0) {
			t.Fatalf("closed: %s", jsonOf(closed))
		}
		a := oneAudit(t, db, linkwork.AuditPotClose, idStr(p.ID))
		if a.Detail != "closed with £200.00 unspent" {
			t.Fatalf("audit detail %q", a.Detail)
		}

		// A closed pot takes no spend, commitment or allocation.
		before = countBudget(t, db)
		wantRefused(t, db, before, w.budgets.ClosePot(ctx, p.ID, closed.Version), linkwork.EINVALID, "", "closed already")
		_, err = w.budgets.Allocate(ctx, p.ID, 100, "", newKey())
		wantRefused(t, db, before, err, linkwork.EINVALID, "", "This pot is closed")
		wantRefused(t, db, before, w.budgets.SpendForPerson(w.asWorker(), w.personal(p.ID, 100), false, newKey()),
			linkwork.EINVALID, "", "This pot is closed")
		wantRefused(t, db, before, w.budgets.ApplyForGrant(w.asWorker(), w.grant(p.ID, 100), newKey()),
			linkwork.EINVALID, "", "This pot is closed")
	})
}

func TestBudgetPotList(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newBudgetWorld(t, db)
		ctx := w.asManager()
		chest := w.mustPot(t, w.schemePot(), 30000)
		must(t, w.budgets.SpendForPerson(w.asWorker(), w.personal(chest.ID, 1000), false, newKey()))
		must(t, w.budgets.SpendForPerson(w.asWorker(), w.personal(chest.ID, 7000), false, newKey()))
		team := w.mustPot(t, &linkwork.BudgetPot{PlaceID: w.york.ID, OrganisationID: w.charity.ID, Holder: linkwork.HolderTeam,
			Name: "an empty pot", Funder: "Council", PeriodStart: day2030Mar01, PeriodEnd: day2030Dec31,
			Kinds: []linkwork.SpendKind{linkwork.SpendGrant}, OpenToApplications: true}, 0)
		later := w.mustPot(t, &linkwork.BudgetPot{PlaceID: w.york.ID, OrganisationID: w.housing.ID, Holder: linkwork.HolderTeam,
			Name: "Next year", Funder: "Council", PeriodStart: day2030Dec31.AddDate(0, 0, 1), PeriodEnd: day2030Dec31.AddDate(1, 0, 0),
			Kinds: []linkwork.SpendKind{linkwork.SpendGrant}, OpenToApplications: true}, 5000)
		old := w.mustPot(t, &linkwork.BudgetPot{PlaceID: w.york.ID, OrganisationID: w.housing.ID, Holder: linkwork.HolderTeam,
			Name: "Aardvark fund", Funder: "Council", PeriodStart: day2030Mar01, PeriodEnd: day2030Dec31,
			Kinds: []linkwork.SpendKind{linkwork.SpendGrant}, OpenToApplications: true}, 100)
		must(t, w.budgets.ClosePot(ctx, old.ID, old.Version))
		w.mustPot(t, &linkwork.BudgetPot{PlaceID: w.leeds.ID, OrganisationID: w.leedsOrg.ID, Holder: linkwork.HolderTeam,
			Name: "Leeds pot", Funder: "Leeds", PeriodStart: day2030Mar01, PeriodEnd: day2030Dec31,
			Kinds: []linkwork.SpendKind{linkwork.SpendGrant}, OpenToApplications: true}, 100)

		list := func(f linkwork.PotFilter) string {
			t.Helper()
			f.PlaceID = w.york.ID
			ps, err := w.budgets.ListPots(t.Context(), f)
			must(t, err)
			var names []string
			for _, p := range ps {
				names = append(names, p.Name)
			}
			return strings.Join(names, ", ")
		}
		if got := list(linkwork.PotFilter{}); got != "an empty pot, Community Chest, Next year, Aardvark fund" {
			t.Fatalf("York's pots: %s", got)
		}
		if got := list(linkwork.PotFilter{OrganisationIDs: []int64{w.housing.ID}}); got != "Next year, Aardvark fund" {
			t.Fatalf("the housing trust's pots: %s", got)
		}
		if got := list(linkwork.PotFilter{Status: linkwork.PotClosed}); got != "Aardvark fund" {
			t.Fatalf("closed pots: %s", got)
		}
		if got := list(linkwork.PotFilter{OpenToApplications: true}); got != "an empty pot, Community Chest" {
			t.Fatalf("pots taking applications today: %s", got)
		}
		// On the last day of the period a pot still takes applications; the day after, the
		// next year's pot does instead.
		w.clock.now = time.Date(2030, time.December, 31, 23, 30, 0, 0, time.UTC) // 31 December in London
		if got := list(linkwork.PotFilter{OpenToApplications: true}); got != "an empty pot, Community Chest" {
			t.Fatalf("pots taking applications on the last day: %s", got)
		}
		w.clock.now = time.Date(2031, time.January, 1, 0, 30, 0, 0, time.UTC)
		if got := list(linkwork.PotFilter{OpenToApplications: true}); got != "Next year" {
			t.Fatalf("pots taking applications the day after: %s", got)
		}

		ps, err := w.budgets.ListPots(t.Context(), linkwork.PotFilter{PlaceID: w.york.ID})
		must(t, err)
		want := map[int64]linkwork.PotBalance{chest.ID: bal(30000, 1000, 7000), team.ID: {}, later.ID: bal(5000, 0, 0),
			old.ID: bal(100, 0, 0)}
		for _, p := range ps {
			if p.Balance != want[p.ID] {
				t.Fatalf("%s: balance %+v, want %+v", p.Name, p.Balance, want[p.ID])
			}
			found, err := w.budgets.FindPot(t.Context(), p.ID)
			must(t, err)
			if jsonOf(found) != jsonOf(p) {
				t.Fatalf("listed:\n%s\nfound:\n%s", jsonOf(p), jsonOf(found))
			}
		}
		if ps, err := w.budgets.ListPots(t.Context(), linkwork.PotFilter{PlaceID: w.york.ID, OrganisationIDs: []int64{w.police.ID}}); err != nil || len(ps) != 0 {
			t.Fatalf("the police's pots: %s, %v", jsonOf(ps), err)
		}
	})
}
