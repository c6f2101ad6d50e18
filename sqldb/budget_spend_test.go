package sqldb_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// personal is a personal spend from a pot for Mary, for the goal in her plan.
func (w *budgetWorld) personal(potID int64, amount linkwork.Pence) *linkwork.Spend {
	return &linkwork.Spend{PlaceID: w.york.ID, PotID: potID, Amount: amount, Need: "loneliness", PersonID: w.mary,
		GoalID: w.maryGoal, Item: "Bus pass for a month", Reason: "To get to the walking group on Tuesdays."}
}

// grant is a micro-grant application from York Walking Friends to a pot.
func (w *budgetWorld) grant(potID int64, amount linkwork.Pence) *linkwork.Spend {
	return &linkwork.Spend{PlaceID: w.york.ID, PotID: potID, Amount: amount, Need: "loneliness",
		GroupOrganisationID: w.walkers.ID, ActivityName: "Winter walks", Purpose: "Flasks and a shelter for the winter walks.",
		ContactName: "Wendy Walker", ContactEmail: "wendy@walkers.example", PeopleExpected: 20}
}

// newActivity is a micro-grant application for a new activity with no group yet.
func (w *budgetWorld) newActivity(potID int64, amount linkwork.Pence, postcode string) *linkwork.Spend {
	return &linkwork.Spend{PlaceID: w.york.ID, PotID: potID, Amount: amount, Need: "mental_wellbeing",
		ActivityName: "Men's shed", Purpose: "Tools and timber to start a men's shed.", Postcode: postcode,
		ContactName: "Sid Shed", ContactPhone: "07700 900111", PeopleExpected: 8}
}

// mustSpend records a personal spend, failing the test on an error.
func (w *budgetWorld) mustSpend(t *testing.T, s *linkwork.Spend, approved bool) *linkwork.Spend {
	t.Helper()
	must(t, w.budgets.SpendForPerson(w.asWorker(), s, approved, newKey()))
	return s
}

// mustApply makes a grant application, failing the test on an error.
func (w *budgetWorld) mustApply(t *testing.T, s *linkwork.Spend) *linkwork.Spend {
	t.Helper()
	must(t, w.budgets.ApplyForGrant(w.asWorker(), s, newKey()))
	return s
}

// decide decides a spend as the manager, failing the test on an error.
func (w *budgetWorld) decide(t *testing.T, s *linkwork.Spend, approve bool, reason string) *linkwork.Spend {
	t.Helper()
	got, err := w.budgets.Decide(w.asManager(), s.ID, s.Version, linkwork.Decision{Approve: approve, Reason: reason}, newKey())
	must(t, err)
	return got
}

// pay pays an approved grant as the manager, failing the test on an error.
func (w *budgetWorld) pay(t *testing.T, s *linkwork.Spend) *linkwork.Spend {
	t.Helper()
	got, err := w.budgets.PayGrant(w.asManager(), s.ID, s.Version, newKey())
	must(t, err)
	return got
}

// ledgerOf returns a pot's ledger as "kind amount funds committed counts_as spend" lines.
func (w *budgetWorld) ledgerOf(t *testing.T, potID int64) string {
	t.Helper()
	es, err := w.budgets.Ledger(t.Context(), potID)
	must(t, err)
	var lines []string
	for _, e := range es {
		line := fmt.Sprintf("%s %d %d %d %s", e.Kind, e.Amount, e.FundsDelta, e.CommittedDelta, e.CountsAs)
		if e.SpendID != 0 {
			line += fmt.Sprintf(" s%d", e.SpendID)
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

// wantNoPersonalData fails the test if text names the people or items of the budget tests.
func wantNoPersonalData(t *testing.T, what, text string) {
	t.Helper()
	for _, v := range []string{"Mary", "Smith", "Ron", "Weasley", "Bus pass", "walking group", "Wendy"} {
		if strings.Contains(text, v) {
			t.Fatalf("%s holds %q: %s", what, v, text)
		}
	}
}

func TestBudgetSpendPersonal(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newBudgetWorld(t, db)
		pot := w.mustPot(t, w.schemePot(), 100000)

		// Within the threshold: paid at once.
		s1 := w.mustSpend(t, w.personal(pot.ID, 2000), false)
		now := w.clock.now
		if s1.ID == 0 || s1.Status != linkwork.SpendPaid || s1.PaidAt == nil || !s1.PaidAt.Equal(now) || s1.DecidedAt != nil ||
			s1.DecidedBy != "" || s1.Kind != linkwork.SpendPersonal || s1.PersonName != "Mary Smith" || s1.PotName != "Community Chest" ||
			s1.PotOrganisationID != w.charity.ID || s1.NeighbourhoodCode != "E01000002" || s1.NeighbourhoodName != "Calderdale 002A" ||
			s1.IMDDecile != 5 || s1.RequestedBy != "Lee Walker" || s1.RequestedByUserID != w.worker1 || !s1.RequestedAt.Equal(now) ||
			s1.Version != 1 || s1.Refunded != 0 || s1.GroupOrganisationID != 0 || s1.ReportDue != nil || s1.Report != nil {
			t.Fatalf("paid at once: %s (person %q)", jsonOf(s1), s1.PersonName)
		}
		got, err := w.budgets.FindSpend(t.Context(), s1.ID)
		must(t, err)
		if jsonOf(got) != jsonOf(s1) || got.PersonName != "Mary Smith" {
			t.Fatalf("read back:\n%s\nwant\n%s", jsonOf(got), jsonOf(s1))
		}
		w.wantBalance(t, pot.ID, bal(100000, 2000, 0))
		for _, a := range auditWith(t, db, linkwork.AuditSpendApply, "") {
			wantNoPersonalData(t, "audit detail", a.Detail)
		}
		for _, a := range auditWith(t, db, linkwork.AuditLedgerEntry, "") {
			wantNoPersonalData(t, "audit detail", a.Detail)
		}
		if a := oneAudit(t, db, linkwork.AuditSpendApply, idStr(s1.ID)); a.Detail != "personal spend of £20.00 from pot "+idStr(pot.ID)+": paid" {
			t.Fatalf("audit detail %q", a.Detail)
		}

		// Above it: requested, its amount committed, until a manager approves.
		s2 := w.mustSpend(t, w.personal(pot.ID, 6000), false)
		if s2.Status != linkwork.SpendRequested || s2.PaidAt != nil {
			t.Fatalf("above the threshold: %s", jsonOf(s2))
		}
		w.wantBalance(t, pot.ID, bal(100000, 2000, 6000))
		w.clock.advance(time.Hour)
		s2 = w.decide(t, s2, true, "")
		if s2.Status != linkwork.SpendPaid || s2.DecidedBy != "Max Manager" || s2.DecidedAt == nil || !s2.DecidedAt.Equal(w.clock.now) ||
			s2.PaidAt == nil || !s2.PaidAt.Equal(w.clock.now) || s2.Version != 2 {
			t.Fatalf("approved: %s", jsonOf(s2))
		}
		w.wantBalance(t, pot.ID, bal(100000, 8000, 0))

		// Declined: the commitment is released.
		s3 := w.mustSpend(t, w.personal(pot.ID, 7000), false)
		before := countBudget(t, db)
		_, err = w.budgets.Decide(w.asManager(), s3.ID, s3.Version, linkwork.Decision{Reason: "  "}, newKey())
		wantRefused(t, db, before, err, linkwork.EINVALID, "reason", "Say why the spend is declined.")
		_, err = w.budgets.Decide(w.asManager(), s3.ID, s3.Version+1, linkwork.Decision{Approve: true}, newKey())
		wantRefused(t, db, before, err, linkwork.ECONFLICT, "", "Someone changed this spend")
		s3 = w.decide(t, s3, false, " Ask the council's hardship fund first. ")
		if s3.Status != linkwork.SpendDeclined || s3.DecisionReason != "Ask the council's hardship fund first." || s3.PaidAt != nil {
			t.Fatalf("declined: %s", jsonOf(s3))
		}
		w.wantBalance(t, pot.ID, bal(100000, 8000, 0))
		before = countBudget(t, db)
		_, err = w.budgets.Decide(w.asManager(), s3.ID, s3.Version, linkwork.Decision{Approve: true}, newKey())
		wantRefused(t, db, before, err, linkwork.EINVALID, "", "only a spend waiting for a decision")
		_, err = w.budgets.PayGrant(w.asManager(), s1.ID, s1.Version, newKey())
		wantRefused(t, db, before, err, linkwork.EINVALID, "", "Only a micro-grant is paid this way")

		// Approved by a manager as it is recorded: paid at once.
		s4 := w.mustSpend(t, w.personal(pot.ID, 8000), true)
		if s4.Status != linkwork.SpendPaid || s4.DecidedBy != "Lee Walker" || s4.DecidedAt == nil {
			t.Fatalf("approved as recorded: %s", jsonOf(s4))
		}
		w.wantBalance(t, pot.ID, bal(100000, 16000, 0))

		// Ron lives where the postcode lookup knows no LSOA.
		s5 := w.personal(pot.ID, 100)
		s5.PersonID, s5.GoalID = w.ron, w.ronGoal
		w.mustSpend(t, s5, false)
		if s5.NeighbourhoodCode != "" || s5.NeighbourhoodName != "" || s5.IMDDecile != 0 || s5.PersonName != "Ron Weasley" {
			t.Fatalf("Ron's spend: %s", jsonOf(s5))
		}
		w.wantBalance(t, pot.ID, bal(100000, 16100, 0))

		p1, p2, p3, p4, p5 := idStr(s1.ID), idStr(s2.ID), idStr(s3.ID), idStr(s4.ID), idStr(s5.ID)
		want := strings.Join([]string{"allocation 100000 100000 0 allocation", "spend 2000 -2000 0 spend s" + p1,
			"commitment 6000 0 6000 commitment s" + p2, "spend 6000 -6000 -6000 spend s" + p2,
			"commitment 7000 0 7000 commitment s" + p3, "release 7000 0 -7000 release s" + p3,
			"spend 8000 -8000 0 spend s" + p4, "spend 100 -100 0 spend s" + p5}, "\n")
		if got := w.ledgerOf(t, pot.ID); got != want {
			t.Fatalf("ledger:\n%s\nwant\n%s", got, want)
		}
		if n := len(auditWith(t, db, linkwork.AuditSpendDecide, "")); n != 2 {
			t.Fatalf("%d decisions audited, want 2", n)
		}
	})
}

func TestBudgetSpendPersonalRefused(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newBudgetWorld(t, db)
		p := w.schemePot()
		p.MaxPerItem, p.Needs = 5000, []string{"loneliness", "mental_wellbeing"}
		pot := w.mustPot(t, p, 10000)
		anyNeed := w.schemePot()
		anyNeed.Name = "Any need"
		small := w.mustPot(t, anyNeed, 3000)
		grantsOnly := w.schemePot()
		grantsOnly.Name, grantsOnly.Kinds = "Grants only", []linkwork.SpendKind{linkwork.SpendGrant}
		w.mustPot(t, grantsOnly, 10000)
		later := w.schemePot()
		later.Name, later.PeriodStart = "From April", time.Date(2030, time.April, 1, 0, 0, 0, 0, time.UTC)
		w.mustPot(t, later, 10000)
		used := newKey()
		w.mustSpend(t, w.personal(pot.ID, 100), false)
		must(t, w.budgets.SpendForPerson(w.asWorker(), w.personal(pot.ID, 100), false, used))
		before := countBudget(t, db)

		for _, c := range []struct {
			name        string
			change      func(s *linkwork.Spend)
			key         string
			code, field string
			text        string
		}{
			{"nothing", func(s *linkwork.Spend) { s.Amount = 0 }, "", linkwork.EINVALID, "amount", "positive whole number of pence"},
			{"negative", func(s *linkwork.Spend) { s.Amount = -500 }, "", linkwork.EINVALID, "amount", "(it is -500)"},
			{"too much", func(s *linkwork.Spend) { s.Amount = linkwork.MaxAmount + 1 }, "", linkwork.EINVALID, "amount", "at most"},
			{"no reason", func(s *linkwork.Spend) { s.Reason = "" }, "", linkwork.EINVALID, "reason", "at least 5"},
			{"no goal", func(s *linkwork.Spend) { s.GoalID = 0 }, "", linkwork.EINVALID, "goal_id", "Choose the goal"},
			{"another organisation's case", func(s *linkwork.Spend) { s.PersonID, s.GoalID = w.housed, w.housedGol }, "",
				linkwork.EINVALID, "person_id", "There is no person"},
			{"nobody", func(s *linkwork.Spend) { s.PersonID = w.mary + 100 }, "", linkwork.EINVALID, "person_id", "There is no person"},
			{"a case waiting", func(s *linkwork.Spend) { s.PersonID, s.GoalID = w.waiting, w.waitGoal }, "", linkwork.EINVALID,
				"person_id", "This person's case is waiting for a first contact: money can be spent only for someone being supported."},
			{"someone else's goal", func(s *linkwork.Spend) { s.GoalID = w.ronGoal }, "", linkwork.EINVALID, "goal_id",
				"There is no goal"},
			{"more than an item may be", func(s *linkwork.Spend) { s.Amount = 5001 }, "", linkwork.EINVALID, "amount",
				"The most this pot allows per item is £50.00."},
			{"a need the rules leave out", func(s *linkwork.Spend) { s.Need = "money_debt" }, "", linkwork.EINVALID, "need",
				"This pot may be spent only on the needs its rules name."},
			{"a need the place lacks", func(s *linkwork.Spend) { s.PotID, s.Need = small.ID, "dragons" }, "", linkwork.EINVALID,
				"need", `There is no need "dragons"`},
			{"overspend", func(s *linkwork.Spend) { s.PotID, s.Amount = small.ID, 3001 }, "", linkwork.EINVALID, "amount",
				"This would overspend the pot: £30.00 is available."},
			{"overspend by a request", func(s *linkwork.Spend) { s.PotID, s.Amount = small.ID, 40000 }, "", linkwork.EINVALID, "amount",
				"This would overspend the pot: £30.00 is available."},
			{"grants only", func(s *linkwork.Spend) { s.PotID = grantsOnly.ID }, "", linkwork.EINVALID, "",
				"This pot is not for personal spends."},
			{"before the period", func(s *linkwork.Spend) { s.PotID = later.ID }, "", linkwork.EINVALID, "",
				"This pot's period starts on 1 April 2030"},
			{"a pot of another place", func(s *linkwork.Spend) { s.PlaceID = w.leeds.ID }, "", linkwork.ENOTFOUND, "", "not found"},
			{"no such pot", func(s *linkwork.Spend) { s.PotID = pot.ID + 100 }, "", linkwork.ENOTFOUND, "", "not found"},
			{"no key", func(s *linkwork.Spend) {}, "-", linkwork.EINVALID, linkwork.IdempotencyKeyField, "16 to 100"},
			{"sent twice", func(s *linkwork.Spend) {}, used, linkwork.ECONFLICT, "",
				"This was already done: the form or request was sent twice, so nothing more was changed."},
		} {
			s := w.personal(pot.ID, 1000)
			c.change(s)
			key := c.key
			if key == "" {
				key = newKey()
			}
			err := w.budgets.SpendForPerson(w.asWorker(), s, false, key)
			t.Run(c.name, func(t *testing.T) { wantRefused(t, db, before, err, c.code, c.field, c.text) })
		}
		if err := w.budgets.SpendForPerson(w.asWorker(), nil, false, newKey()); linkwork.ErrorCode(err) != linkwork.EINVALID {
			t.Fatalf("no spend: %v", err)
		}

		// After the period, the pot takes nothing more.
		w.clock.now = time.Date(2031, time.January, 1, 9, 0, 0, 0, time.UTC)
		wantRefused(t, db, before, w.budgets.SpendForPerson(w.asWorker(), w.personal(pot.ID, 100), false, newKey()),
			linkwork.EINVALID, "", "This pot's period ended on 31 December 2030")
		w.wantBalance(t, pot.ID, bal(10000, 200, 0))
	})
}

// fundingOpportunity adds a funding opportunity to a place straight to the table.
func fundingOpportunity(t *testing.T, db *sqldb.DB, placeID int64, status string) int64 {
	t.Helper()
	var id int64
	must(t, db.QueryRow(t.Context(), `INSERT INTO funding_opportunities (place_id, neighbourhood_code, need, note, status,
		created_by, created_at) VALUES (?, 'E01000001', 'loneliness', '', ?, 'Ada Admin', ?) RETURNING id`,
		[]any{placeID, status, db.Now()}, &id))
	return id
}

func TestBudgetGrantLifecycle(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newBudgetWorld(t, db)
		pot := w.mustPot(t, w.schemePot(), 100000)
		gap := fundingOpportunity(t, db, w.york.ID, "open")
		wendy := quickUser(t, db, "wendy@walkers.example", "Wendy Walker", w.walkers.ID, linkwork.RoleCommunity)

		// A group's application: where the money goes is the group's first venue.
		g := w.grant(pot.ID, 30000)
		g.FundingOpportunityID = gap
		must(t, w.budgets.ApplyForGrant(w.as(wendy, "wendy@walkers.example"), g, newKey()))
		if g.ID == 0 || g.Status != linkwork.SpendApplied || g.Kind != linkwork.SpendGrant || g.GroupName != "York Walking Friends" ||
			g.NeighbourhoodCode != "E01000001" || g.NeighbourhoodName != "Calderdale 001A" || g.IMDDecile != 1 || g.Postcode != "" ||
			g.FundingOpportunityID != gap || g.RequestedBy != "Wendy Walker" || g.PersonID != 0 || g.PersonName != "" ||
			g.PaidAt != nil || g.Version != 1 {
			t.Fatalf("applied: %s", jsonOf(g))
		}
		w.wantBalance(t, pot.ID, bal(100000, 0, 0))
		if got := w.ledgerOf(t, pot.ID); strings.Count(got, "\n") != 0 {
			t.Fatalf("an application moved money:\n%s", got)
		}
		oneAudit(t, db, linkwork.AuditSpendApply, idStr(g.ID))

		// A new activity: where it happens is its postcode.
		shed := w.newActivity(pot.ID, 20000, " hx3 0aa ")
		w.mustApply(t, shed)
		if shed.Postcode != "HX3 0AA" || shed.NeighbourhoodCode != "E01000003" || shed.NeighbourhoodName != "Calderdale 003A" ||
			shed.IMDDecile != 0 || shed.GroupOrganisationID != 0 || shed.GroupName != "" {
			t.Fatalf("new activity: %s", jsonOf(shed))
		}
		// A group with no venue: where its money goes is not known.
		knit := w.grant(pot.ID, 5000)
		knit.GroupOrganisationID = w.knitters.ID
		w.mustApply(t, knit)
		if knit.NeighbourhoodCode != "" || knit.GroupName != "Knit and Natter CIC" {
			t.Fatalf("group with no venue: %s", jsonOf(knit))
		}
		// A group that gives a postcode: that is where.
		hall := w.grant(pot.ID, 5000)
		hall.Postcode = "HX2 0AA"
		w.mustApply(t, hall)
		if hall.NeighbourhoodCode != "E01000002" || hall.IMDDecile != 5 {
			t.Fatalf("group with a postcode: %s", jsonOf(hall))
		}

		// Approved: committed.
		before := countBudget(t, db)
		_, err := w.budgets.PayGrant(w.asManager(), g.ID, g.Version, newKey())
		wantRefused(t, db, before, err, linkwork.EINVALID, "", "This grant is waiting for a decision: only an approved grant can be paid.")
		_, err = w.budgets.ReportOnGrant(w.as(wendy, "wendy@walkers.example"), g.ID, &linkwork.GrantReport{WhatHappened: "We walked a lot."})
		wantRefused(t, db, before, err, linkwork.EINVALID, "", "only a paid micro-grant can be reported on")
		g = w.decide(t, g, true, "Good value.")
		if g.Status != linkwork.SpendApproved || g.DecidedBy != "Max Manager" || g.DecisionReason != "Good value." || g.PaidAt != nil {
			t.Fatalf("approved: %s", jsonOf(g))
		}
		w.wantBalance(t, pot.ID, bal(100000, 0, 30000))

		// Paid: from the commitment; the report is due in 90 days; the gap is funded.
		w.clock.advance(24 * time.Hour)
		g = w.pay(t, g)
		due := time.Date(2030, time.June, 3, 0, 0, 0, 0, time.UTC) // 5 March + 90 days
		if g.Status != linkwork.SpendPaid || g.PaidAt == nil || !g.PaidAt.Equal(w.clock.now) || g.ReportDue == nil ||
			!g.ReportDue.Equal(due) || g.Version != 3 {
			t.Fatalf("paid: %s", jsonOf(g))
		}
		if g.ReportOverdue(due) || !g.ReportOverdue(due.AddDate(0, 0, 1)) {
			t.Fatalf("report overdue on %v: %v; the day after: %v", due, g.ReportOverdue(due), g.ReportOverdue(due.AddDate(0, 0, 1)))
		}
		var status string
		must(t, db.QueryRow(t.Context(), "SELECT status FROM funding_opportunities WHERE id = ?", []any{gap}, &status))
		if status != "funded" {
			t.Fatalf("funding opportunity is %s, want funded", status)
		}
		w.wantBalance(t, pot.ID, bal(100000, 30000, 0))

		// Reported on by the group.
		before = countBudget(t, db)
		_, err = w.budgets.ReportOnGrant(w.as(wendy, "wendy@walkers.example"), g.ID, &linkwork.GrantReport{
			WhatHappened: "Forty people came on the winter walks.", PeopleReached: 40, AmountUsed: 30001})
		wantRefused(t, db, before, err, linkwork.EINVALID, "amount_used", "between nothing and the £300.00 granted")
		w.clock.advance(time.Hour)
		g, err = w.budgets.ReportOnGrant(w.as(wendy, "wendy@walkers.example"), g.ID, &linkwork.GrantReport{
			WhatHappened: " Forty people came on the winter walks. ", PeopleReached: 40, Volunteers: 3, AmountUsed: 25000})
		must(t, err)
		if g.Status != linkwork.SpendReported || g.Report == nil || g.Report.WhatHappened != "Forty people came on the winter walks." ||
			g.Report.PeopleReached != 40 || g.Report.Volunteers != 3 || g.Report.AmountUsed != 25000 ||
			g.Report.SubmittedBy != "Wendy Walker" || !g.Report.SubmittedAt.Equal(w.clock.now) || g.ReportOverdue(due.AddDate(0, 0, 1)) {
			t.Fatalf("reported: %s", jsonOf(g))
		}
		oneAudit(t, db, linkwork.AuditGrantReport, idStr(g.ID))
		_, err = w.budgets.ReportOnGrant(w.as(wendy, "wendy@walkers.example"), g.ID, &linkwork.GrantReport{WhatHappened: "Again and again."})
		wantRefused(t, db, countBudget(t, db), err, linkwork.EINVALID, "", "This micro-grant is paid and reported on")

		// The money not used is paid back, at most what is left.
		e, err := w.budgets.Refund(w.asManager(), g.ID, 5000, " Not used ", newKey())
		must(t, err)
		if e.Kind != linkwork.EntryRefund || e.Amount != 5000 || e.FundsDelta != 5000 || e.SpendID != g.ID || e.Note != "Not used" {
			t.Fatalf("refund: %s", jsonOf(e))
		}
		before = countBudget(t, db)
		_, err = w.budgets.Refund(w.asManager(), g.ID, 25001, "", newKey())
		wantRefused(t, db, before, err, linkwork.EINVALID, "amount",
			"At most £250.00 can be paid back: £300.00 was paid and £50.00 has been paid back already.")
		_, err = w.budgets.Refund(w.asManager(), shed.ID, 100, "", newKey())
		wantRefused(t, db, before, err, linkwork.EINVALID, "", "only a paid spend can have money paid back")
		if g, err = w.budgets.FindSpend(t.Context(), g.ID); err != nil || g.Refunded != 5000 {
			t.Fatalf("refunded %v, %v: want £50.00", g.Refunded, err)
		}
		w.wantBalance(t, pot.ID, bal(100000, 25000, 0))

		// Declined, with a reason; withdrawn before and after approval.
		shed = w.decide(t, shed, false, "Try the men's shed fund.")
		if shed.Status != linkwork.SpendDeclined {
			t.Fatalf("declined: %s", jsonOf(shed))
		}
		knit = w.decide(t, knit, true, "")
		w.wantBalance(t, pot.ID, bal(100000, 25000, 5000))
		before = countBudget(t, db)
		_, err = w.budgets.Withdraw(w.asManager(), knit.ID, knit.Version, "", newKey())
		wantRefused(t, db, before, err, linkwork.EINVALID, "reason", "Say why the spend is withdrawn.")
		knit, err = w.budgets.Withdraw(w.asManager(), knit.ID, knit.Version, "The group found a sponsor.", newKey())
		must(t, err)
		if knit.Status != linkwork.SpendWithdrawn || knit.DecisionReason != "The group found a sponsor." {
			t.Fatalf("withdrawn: %s", jsonOf(knit))
		}
		hall, err = w.budgets.Withdraw(w.as(wendy, "wendy@walkers.example"), hall.ID, hall.Version, "We changed our minds.", newKey())
		must(t, err)
		if hall.Status != linkwork.SpendWithdrawn {
			t.Fatalf("withdrawn: %s", jsonOf(hall))
		}
		oneAudit(t, db, linkwork.AuditSpendWithdraw, idStr(knit.ID))
		before = countBudget(t, db)
		_, err = w.budgets.Withdraw(w.asManager(), g.ID, g.Version, "Too late.", newKey())
		wantRefused(t, db, before, err, linkwork.EINVALID, "", "only a spend not yet paid can be withdrawn")
		w.wantBalance(t, pot.ID, bal(100000, 25000, 0))

		gid, sid, kid := idStr(g.ID), idStr(shed.ID), idStr(knit.ID)
		want := strings.Join([]string{"allocation 100000 100000 0 allocation", "commitment 30000 0 30000 commitment s" + gid,
			"spend 30000 -30000 -30000 spend s" + gid, "refund 5000 5000 0 refund s" + gid,
			"commitment 5000 0 5000 commitment s" + kid, "release 5000 0 -5000 release s" + kid}, "\n")
		if got := w.ledgerOf(t, pot.ID); got != want {
			t.Fatalf("ledger:\n%s\nwant\n%s (shed %s)", got, want, sid)
		}

		// Approving more than the pot has is refused.
		small := w.schemePot()
		small.Name = "Small pot"
		small = w.mustPot(t, small, 10000)
		big := w.mustApply(t, w.grant(small.ID, 15000))
		before = countBudget(t, db)
		_, err = w.budgets.Decide(w.asManager(), big.ID, big.Version, linkwork.Decision{Approve: true}, newKey())
		wantRefused(t, db, before, err, linkwork.EINVALID, "amount", "This would overspend the pot: £100.00 is available.")
	})
}

func TestBudgetGrantRefused(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newBudgetWorld(t, db)
		pot := w.mustPot(t, w.schemePot(), 100000)
		personalOnly := w.schemePot()
		personalOnly.Name, personalOnly.Kinds, personalOnly.OpenToApplications = "People only", []linkwork.SpendKind{linkwork.SpendPersonal}, false
		w.mustPot(t, personalOnly, 100000)
		leedsGap := fundingOpportunity(t, db, w.leeds.ID, "open")
		closedGap := fundingOpportunity(t, db, w.york.ID, "closed")
		used := newKey()
		must(t, w.budgets.ApplyForGrant(w.asWorker(), w.grant(pot.ID, 1000), used))
		before := countBudget(t, db)

		for _, c := range []struct {
			name        string
			spend       func() *linkwork.Spend
			key         string
			code, field string
			text        string
		}{
			{"a group in Leeds", func() *linkwork.Spend { s := w.grant(pot.ID, 1000); s.GroupOrganisationID = w.leedsOrg.ID; return s },
				"", linkwork.EINVALID, "group_organisation_id", "That group is not in this place."},
			{"no such group", func() *linkwork.Spend {
				s := w.grant(pot.ID, 1000)
				s.GroupOrganisationID = w.leedsOrg.ID + 100
				return s
			},
				"", linkwork.EINVALID, "group_organisation_id", "That group is not in this place."},
			{"an unknown postcode", func() *linkwork.Spend { return w.newActivity(pot.ID, 1000, "HX9 9ZZ") }, "", linkwork.EINVALID,
				"postcode", "We do not know the postcode HX9 9ZZ."},
			{"not a postcode", func() *linkwork.Spend { return w.newActivity(pot.ID, 1000, "nowhere") }, "", linkwork.EINVALID,
				"postcode", "Enter a UK postcode"},
			{"a new activity with no postcode", func() *linkwork.Spend { return w.newActivity(pot.ID, 1000, "") }, "", linkwork.EINVALID,
				"postcode", "Enter the postcode where the activity will happen."},
			{"a gap in Leeds", func() *linkwork.Spend { s := w.grant(pot.ID, 1000); s.FundingOpportunityID = leedsGap; return s },
				"", linkwork.EINVALID, "funding_opportunity_id", "is not open in this place"},
			{"a gap closed", func() *linkwork.Spend { s := w.grant(pot.ID, 1000); s.FundingOpportunityID = closedGap; return s },
				"", linkwork.EINVALID, "funding_opportunity_id", "is not open in this place"},
			{"a pot for people only", func() *linkwork.Spend { return w.grant(personalOnly.ID, 1000) }, "", linkwork.EINVALID, "",
				"This pot is not for micro-grants."},
			{"more than an item may be", func() *linkwork.Spend { return w.grant(pot.ID, 50001) }, "", linkwork.EINVALID, "amount",
				"The most this pot allows per item is £500.00."},
			{"too short a purpose", func() *linkwork.Spend { s := w.grant(pot.ID, 1000); s.Purpose = "Tea"; return s }, "",
				linkwork.EINVALID, "purpose", "at least 10 characters"},
			{"no way to reach the contact", func() *linkwork.Spend { s := w.grant(pot.ID, 1000); s.ContactEmail = ""; return s }, "",
				linkwork.EINVALID, "contact_email", "Give an email address or a phone number"},
			{"sent twice", func() *linkwork.Spend { return w.grant(pot.ID, 1000) }, used, linkwork.ECONFLICT, "",
				"This was already done"},
		} {
			key := c.key
			if key == "" {
				key = newKey()
			}
			err := w.budgets.ApplyForGrant(w.asWorker(), c.spend(), key)
			t.Run(c.name, func(t *testing.T) { wantRefused(t, db, before, err, c.code, c.field, c.text) })
		}
		// A spend handed in as a grant is one: the personal fields go.
		s := w.grant(pot.ID, 1000)
		s.Kind, s.PersonID, s.GoalID, s.Item = linkwork.SpendPersonal, w.mary, w.maryGoal, "Bus pass"
		must(t, w.budgets.ApplyForGrant(w.asWorker(), s, newKey()))
		if s.Kind != linkwork.SpendGrant || s.PersonID != 0 || s.Item != "" {
			t.Fatalf("applied: %s", jsonOf(s))
		}
	})
}

func TestBudgetListSpends(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newBudgetWorld(t, db)
		chest := w.mustPot(t, w.schemePot(), 100000)
		housingPot := w.mustPot(t, &linkwork.BudgetPot{PlaceID: w.york.ID, OrganisationID: w.housing.ID, Holder: linkwork.HolderTeam,
			Name: "Housing pot", Funder: "Council", PeriodStart: day2030Mar01, PeriodEnd: day2030Dec31,
			Kinds: []linkwork.SpendKind{linkwork.SpendGrant, linkwork.SpendPersonal}, ApprovalThreshold: 10000}, 100000)
		var ids []int64
		add := func(s *linkwork.Spend, grant bool) int64 {
			w.clock.advance(time.Minute)
			if grant {
				w.mustApply(t, s)
			} else {
				w.mustSpend(t, s, false)
			}
			ids = append(ids, s.ID)
			return s.ID
		}
		a := add(w.personal(chest.ID, 1000), false) // paid
		b := add(w.personal(chest.ID, 9000), false) // requested
		c := add(w.grant(chest.ID, 2000), true)     // applied, from the walkers
		d := add(w.newActivity(chest.ID, 3000, "HX1 1AA"), true)
		harry := w.personal(housingPot.ID, 500)
		harry.PersonID, harry.GoalID = w.housed, w.housedGol
		e := add(harry, false)
		f := add(w.grant(housingPot.ID, 700), true) // from the walkers, to the housing trust's pot

		list := func(f linkwork.SpendFilter) ([]int64, int) {
			t.Helper()
			f.PlaceID = w.york.ID
			ss, total, err := w.budgets.ListSpends(t.Context(), f)
			must(t, err)
			out := []int64{}
			for _, s := range ss {
				out = append(out, s.ID)
			}
			return out, total
		}
		same := func(what string, got []int64, total int, want []int64, wantTotal int) {
			t.Helper()
			if fmt.Sprint(got) != fmt.Sprint(want) || total != wantTotal {
				t.Fatalf("%s: %v of %d, want %v of %d", what, got, total, want, wantTotal)
			}
		}
		got, total := list(linkwork.SpendFilter{})
		same("all", got, total, []int64{f, e, d, c, b, a}, 6)
		got, total = list(linkwork.SpendFilter{Page: linkwork.Page{Number: 2, Size: 4}})
		same("page 2", got, total, []int64{b, a}, 6)
		got, total = list(linkwork.SpendFilter{PotID: chest.ID})
		same("the chest's", got, total, []int64{d, c, b, a}, 4)
		got, total = list(linkwork.SpendFilter{PotOrganisationIDs: []int64{w.housing.ID}})
		same("the housing trust's", got, total, []int64{f, e}, 2)
		got, total = list(linkwork.SpendFilter{GroupOrganisationIDs: []int64{w.walkers.ID}})
		same("the walkers'", got, total, []int64{f, c}, 2)
		got, total = list(linkwork.SpendFilter{PotOrganisationIDs: []int64{w.housing.ID}, GroupOrganisationIDs: []int64{w.walkers.ID}})
		same("the housing trust's or the walkers'", got, total, []int64{f, e, c}, 3)
		got, total = list(linkwork.SpendFilter{PersonID: w.mary})
		same("Mary's", got, total, []int64{b, a}, 2)
		got, total = list(linkwork.SpendFilter{Kind: linkwork.SpendGrant})
		same("grants", got, total, []int64{f, d, c}, 3)
		got, total = list(linkwork.SpendFilter{Statuses: []linkwork.SpendStatus{linkwork.SpendRequested, linkwork.SpendApplied}})
		same("waiting", got, total, []int64{f, d, c, b}, 4)
		got, total = list(linkwork.SpendFilter{PotOrganisationIDs: []int64{w.police.ID}})
		same("the police's", got, total, []int64{}, 0)
		if ss, total, err := w.budgets.ListSpends(t.Context(), linkwork.SpendFilter{PlaceID: w.leeds.ID}); err != nil || total != 0 || len(ss) != 0 {
			t.Fatalf("Leeds's spends: %s, %d, %v", jsonOf(ss), total, err)
		}
		ss, _, err := w.budgets.ListSpends(t.Context(), linkwork.SpendFilter{PlaceID: w.york.ID})
		must(t, err)
		for _, s := range ss {
			found, err := w.budgets.FindSpend(t.Context(), s.ID)
			must(t, err)
			if jsonOf(found) != jsonOf(s) || found.PersonName != s.PersonName {
				t.Fatalf("listed:\n%s\nfound:\n%s", jsonOf(s), jsonOf(found))
			}
		}
		if _, err := w.budgets.FindSpend(t.Context(), f+100); linkwork.ErrorCode(err) != linkwork.ENOTFOUND {
			t.Fatalf("finding a spend that does not exist: %v", err)
		}
	})
}
