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

// spendForm is a filled-in personal spend of amount from pot for Ada's goal.
func (w *budgetWorld) spendForm(pot *linkwork.BudgetPot, amount string) url.Values {
	return url.Values{"pot_id": {id(pot.ID)}, "goal_id": {id(w.goal.ID)}, "item": {"Bus pass for a month"}, "amount": {amount},
		"need": {"transport"}, "reason": {"To get to the walking group on Tuesdays."}, linkwork.IdempotencyKeyField: {newKey()}}
}

// spendPath is the page of a pot's spend.
func spendPath(pot *linkwork.BudgetPot, s *linkwork.Spend) string {
	return potPath(pot) + "/spends/" + id(s.ID)
}

// spendFor makes a personal spend as the user and returns it.
func (w *budgetWorld) spendFor(email string, form url.Values) *linkwork.Spend {
	w.t.Helper()
	potID := mustInt(w.t, form.Get("pot_id"))
	before := len(w.spends(potID))
	p := w.who(email).post("/people/"+id(w.person.ID)+"/spend", form)
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/budgets/"+id(potID)+"/spends/") {
		w.t.Fatalf("spend as %s: %d %q\n%s", email, p.status, p.location, p.body)
	}
	list := w.spends(potID)
	if len(list) != before+1 {
		w.t.Fatalf("%d spends after spending, want %d", len(list), before+1)
	}
	s, err := w.svc.Budgets.FindSpend(context.Background(), mustInt(w.t, p.location[strings.LastIndex(p.location, "/")+1:]))
	must(w.t, err)
	return s
}

func TestPersonalSpendByRole(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newBudgetWorld(t, db)
		path := "/people/" + id(w.person.ID) + "/spend"
		w.wantStatus(t, "GET", path, nil, map[string]int{asWorker: 200, asManager: 200, asOtherWorker: 404, asOtherManager: 404,
			asAdmin: 403, asCommissioner: 403, asCommunity: 403, asReferrer: 403})
		form := w.who(asWorker).get(path + "?goal=" + id(w.goal.ID))
		form.has(t, "Spend from a budget", "Calder community fund: £1,000.00 available",
			"Up to £50.00 is paid at once; more waits for a manager&#39;s approval.", "At most £300.00 per item.",
			"Get out of the house more", `name="idempotency_key" value="`)
		w.who(asManager).get(path).has(t, "As a manager, what you spend from it is approved as you make it")
		// The person's page offers it next to each goal being worked on, while there is a pot.
		w.who(asWorker).get("/people/"+id(w.person.ID)).has(t, "Spend from a budget", path+"?goal="+id(w.goal.ID))
		pot := w.findPot(w.pot.ID)
		must(t, w.svc.Budgets.ClosePot(context.Background(), pot.ID, pot.Version))
		if strings.Contains(w.who(asWorker).get("/people/"+id(w.person.ID)).body, "Spend from a budget") {
			t.Error("the person's page offers a spend with every pot closed")
		}
		w.who(asWorker).get(path).has(t, "There is no open pot you may spend from")
	})
}

func TestPersonalSpendUnderAndOverThreshold(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newBudgetWorld(t, db)
		// Within the threshold: paid at once.
		small := w.spendFor(asWorker, w.spendForm(w.pot, "20"))
		if small.Status != linkwork.SpendPaid || small.Amount != 2000 || small.RequestedBy != "sam" {
			t.Fatalf("a spend of £20: %+v", small)
		}
		page := w.who(asWorker).get(spendPath(w.pot, small))
		page.has(t, "The spend is recorded and paid", "Bus pass for a month", "Ada Lovelace", "Get out of the house more",
			"Getting about", "To get to the walking group", "Paid")
		if got := w.findPot(w.pot.ID).Balance; got.Spent != 2000 || got.Available != 98000 {
			t.Fatalf("balance after £20: %+v", got)
		}
		// Over it: waits for a manager, its amount set aside; the form said it would.
		over := w.spendForm(w.pot, "80")
		over.Set("amount", "12.345")
		w.who(asWorker).post("/people/"+id(w.person.ID)+"/spend", over).has(t, "Amounts are in whole pence")
		over.Set("amount", "80")
		big := w.spendFor(asWorker, over)
		if big.Status != linkwork.SpendRequested {
			t.Fatalf("a spend of £80: %s", big.Status)
		}
		w.who(asWorker).get(spendPath(w.pot, big)).has(t, "waiting for a manager&#39;s approval", "Waiting for a manager")
		if got := w.findPot(w.pot.ID).Balance; got.Committed != 8000 || got.Available != 90000 {
			t.Fatalf("balance with £80 waiting: %+v", got)
		}
		// The link worker may not decide on it; the manager sees it waiting and approves.
		if strings.Contains(w.who(asWorker).get(spendPath(w.pot, big)).body, "Save the decision") {
			t.Error("the link worker is offered to decide on a spend over the threshold")
		}
		decide := url.Values{"decide-decision": {"approve"}, "version": {id(int64(big.Version))}, linkwork.IdempotencyKeyField: {newKey()}}
		if p := w.who(asWorker).post(spendPath(w.pot, big)+"/decide", decide); p.status != http.StatusForbidden {
			t.Errorf("the link worker approves over the threshold: %d", p.status)
		}
		w.who(asManager).get("/budgets").has(t, "Waiting for your decision", "Bus pass for a month", "Ada Lovelace")
		if p := w.who(asManager).post(spendPath(w.pot, big)+"/decide", decide); p.status != http.StatusSeeOther {
			t.Fatalf("approve: %d\n%s", p.status, p.body)
		}
		w.who(asManager).get(spendPath(w.pot, big)).has(t, "The spend is approved and paid", "manager")
		// The same decision sent again changes nothing.
		p := w.who(asManager).post(spendPath(w.pot, big)+"/decide", decide)
		if p.status != http.StatusConflict {
			t.Fatalf("the same decision again: %d", p.status)
		}
		p.has(t, "This was already done")
		if got := w.findPot(w.pot.ID).Balance; got.Spent != 10000 || got.Committed != 0 || got.Available != 90000 {
			t.Fatalf("balance after approval: %+v", got)
		}
		// A manager's own spend over the threshold is paid at once.
		mine := w.spendFor(asManager, w.spendForm(w.pot, "120"))
		if mine.Status != linkwork.SpendPaid {
			t.Fatalf("a manager's spend of £120: %s", mine.Status)
		}
		// Declining needs a reason, and puts the money back.
		asked := w.spendFor(asWorker, w.spendForm(w.pot, "60"))
		decline := url.Values{"decide-decision": {"decline"}, "version": {id(int64(asked.Version))}, linkwork.IdempotencyKeyField: {newKey()}}
		w.who(asManager).post(spendPath(w.pot, asked)+"/decide", decline).has(t, "Say why the spend is declined")
		decline.Set("decide-reason", "A bus pass is already paid for this month.")
		if p := w.who(asManager).post(spendPath(w.pot, asked)+"/decide", decline); p.status != http.StatusSeeOther {
			t.Fatalf("decline: %d\n%s", p.status, p.body)
		}
		w.who(asWorker).get(spendPath(w.pot, asked)).has(t, "Declined", "A bus pass is already paid for this month.")
		if got := w.findPot(w.pot.ID).Balance; got.Committed != 0 || got.Spent != 22000 {
			t.Fatalf("balance after a decline: %+v", got)
		}
		// Money paid back on a paid spend, at most what was paid.
		refund := url.Values{"refund-amount": {"25"}, "refund-note": {"Bought a cheaper pass."}, linkwork.IdempotencyKeyField: {newKey()}}
		p = w.who(asWorker).post(spendPath(w.pot, small)+"/refund", refund)
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("paying back more than was paid: %d", p.status)
		}
		p.has(t, "At most £20.00 can be paid back")
		refund.Set("refund-amount", "5")
		if p := w.who(asWorker).post(spendPath(w.pot, small)+"/refund", refund); p.status != http.StatusSeeOther {
			t.Fatalf("refund: %d\n%s", p.status, p.body)
		}
		w.who(asWorker).get(spendPath(w.pot, small)).has(t, "The money paid back is recorded", "£5.00 paid back")
		if p := w.who(asOtherWorker).post(spendPath(w.pot, small)+"/refund", refund); p.status != http.StatusNotFound {
			t.Errorf("another organisation's link worker records a refund: %d", p.status)
		}
	})
}

func TestPersonalSpendRefusesBadInput(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newBudgetWorld(t, db)
		b := w.who(asWorker)
		path := "/people/" + id(w.person.ID) + "/spend"
		small := w.addPot(w.orgA, "Small pot", 1000, func(p *linkwork.BudgetPot) { p.MaxPerItem = 0 })
		closed := w.addPot(w.orgA, "Last year's pot", 0, nil)
		must(t, w.svc.Budgets.ClosePot(context.Background(), closed.ID, closed.Version))
		cases := []struct {
			name  string
			form  url.Values
			field string
			want  string
		}{
			{"overspend", w.spendForm(small, "20"), "", "This would overspend the pot: £10.00 is available."},
			{"more than the most per item", w.spendForm(w.pot, "300.01"), "amount", "The most this pot allows per item is £300.00."},
			{"fractional", w.spendForm(w.pot, "12.345"), "amount", "Amounts are in whole pence"},
			{"negative", w.spendForm(w.pot, "-3"), "amount", "a negative amount is not allowed"},
			{"nothing", w.spendForm(w.pot, "0"), "amount", "The amount must be more than nothing."},
			{"closed pot", w.spendForm(closed, "10"), "pot_id", "Last year&#39;s pot is closed or outside its period"},
			{"a goal of nobody's plan", func() url.Values { f := w.spendForm(w.pot, "10"); f.Set("goal_id", "999999"); return f }(),
				"goal_id", "Choose one of the goals the person is working on."},
			{"no reason", func() url.Values { f := w.spendForm(w.pot, "10"); f.Set("reason", ""); return f }(), "reason", "The reason must be at least 5 characters."},
		}
		for _, c := range cases {
			p := b.post(path, c.form)
			if p.status != http.StatusUnprocessableEntity {
				t.Errorf("%s: %d, want 422", c.name, p.status)
			}
			p.has(t, c.want)
			if c.field != "" {
				p.has(t, `href="#`+c.field+`"`)
			}
		}
		for _, pot := range []*linkwork.BudgetPot{w.pot, small, closed} {
			if n := len(w.spends(pot.ID)); n != 0 {
				t.Errorf("refused spends wrote %d spends to %s", n, pot.Name)
			}
		}
		// The same form sent twice spends once.
		form := w.spendForm(w.pot, "15")
		w.spendFor(asWorker, form)
		p := b.post(path, form)
		if p.status != http.StatusConflict {
			t.Fatalf("the same spend again: %d", p.status)
		}
		p.has(t, "This was already done")
		if n := len(w.spends(w.pot.ID)); n != 1 {
			t.Fatalf("%d spends after sending the form twice, want 1", n)
		}
		if n := len(w.ledger(w.pot.ID)); n != 2 {
			t.Fatalf("%d ledger entries after sending the form twice, want 2", n)
		}
	})
}

func TestSpendPagesShowThePersonOnlyToTheHoldingOrganisation(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newBudgetWorld(t, db)
		s := w.spendFor(asWorker, w.spendForm(w.pot, "20"))
		path := spendPath(w.pot, s)
		w.wantStatus(t, "GET", path, nil, map[string]int{asAdmin: 200, asCommissioner: 200, asManager: 200, asWorker: 200,
			asOtherWorker: 404, asOtherManager: 404, asCommunity: 403, asReferrer: 403})
		w.wantStatus(t, "GET", potPath(w.pot)+"/spends/999999", nil, map[string]int{asManager: 404})
		other := w.addPot(w.orgA, "Another pot", 1000, nil)
		w.wantStatus(t, "GET", potPath(other)+"/spends/"+id(s.ID), nil, map[string]int{asManager: 404})
		for _, email := range []string{asAdmin, asCommissioner} {
			for _, p := range []page{w.who(email).get(path), w.who(email).get(potPath(w.pot))} {
				p.has(t, "A person", "Bus pass for a month")
				if strings.Contains(p.body, "Ada") || strings.Contains(p.body, "Lovelace") || strings.Contains(p.body, "/people/") ||
					strings.Contains(p.body, "To get to the walking group") {
					t.Errorf("%s sees who a personal spend is for, or why", email)
				}
			}
			if strings.Contains(w.who(email).get("/budgets").body, "Ada") {
				t.Errorf("%s sees the person in the list of pots", email)
			}
		}
		w.who(asManager).get(potPath(w.pot)).has(t, "Ada Lovelace", `href="/people/`+id(w.person.ID)+`"`)
		w.who(asManager).get(path).has(t, "Ada Lovelace", "Get out of the house more")
		// Each look at a spend or a list that names the person is in the audit trail.
		got := w.auditActions(w.manager.ID)
		for _, want := range []string{"spend.list:" + id(w.pot.ID), "person.view:" + id(w.person.ID)} {
			if !strings.Contains(got, want) {
				t.Errorf("the manager's audit trail %q lacks %q", got, want)
			}
		}
		if got := w.auditActions(w.admin.ID); strings.Contains(got, "spend.list") || strings.Contains(got, "person.view") {
			t.Errorf("the admin's looks, which named nobody, were audited as looks at people: %q", got)
		}
	})
}

// auditActions lists the actions recorded for a user, as action:record.
func (w *budgetWorld) auditActions(userID int64) string {
	w.t.Helper()
	events, _, err := w.svc.Audit.ListAudit(context.Background(), linkwork.AuditFilter{PlaceID: w.place.ID, ActorUserID: userID})
	must(w.t, err)
	var out []string
	for _, e := range events {
		out = append(out, e.Action+":"+e.RecordID)
	}
	return strings.Join(out, " ")
}

func TestSpendWithdraw(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newBudgetWorld(t, db)
		s := w.spendFor(asWorker, w.spendForm(w.pot, "75"))
		path := spendPath(w.pot, s)
		withdraw := url.Values{"version": {id(int64(s.Version))}, linkwork.IdempotencyKeyField: {newKey()}}
		w.who(asWorker).post(path+"/withdraw", withdraw).has(t, "Say why the spend is withdrawn")
		withdraw.Set("withdraw-reason", "Ada found a lift.")
		if p := w.who(asAdmin).post(path+"/withdraw", withdraw); p.status != http.StatusForbidden {
			t.Errorf("an administrator withdraws a spend: %d", p.status)
		}
		if p := w.who(asWorker).post(path+"/withdraw", withdraw); p.status != http.StatusSeeOther {
			t.Fatalf("withdraw: %d\n%s", p.status, p.body)
		}
		w.who(asWorker).get(path).has(t, "The spend is withdrawn", "Withdrawn", "Ada found a lift.")
		// A second withdrawal from the old page: the spend changed meanwhile.
		withdraw.Set(linkwork.IdempotencyKeyField, newKey())
		p := w.who(asWorker).post(path+"/withdraw", withdraw)
		if p.status != http.StatusConflict {
			t.Fatalf("withdraw again from an old page: %d", p.status)
		}
		p.has(t, "Someone changed this spend after you opened it")
		if got := w.findPot(w.pot.ID).Balance; got.Committed != 0 || got.Available != 100000 {
			t.Fatalf("balance after the withdrawal: %+v", got)
		}
	})
}
