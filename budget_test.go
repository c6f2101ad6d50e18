package linkwork

import (
	"strings"
	"testing"
	"time"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// wantProblem fails the test unless err holds a problem with the field whose message
// contains text.
func wantProblem(t *testing.T, what string, err error, field, text string) {
	t.Helper()
	for _, e := range FieldErrors(err) {
		if e.Field == field && strings.Contains(e.Message, text) {
			if e.Code != EINVALID {
				t.Fatalf("%s: %s has code %s, want invalid", what, field, e.Code)
			}
			return
		}
	}
	t.Fatalf("%s: %v; want a problem with %s saying %q", what, err, field, text)
}

func TestEffect(t *testing.T) {
	for _, c := range []struct {
		kind             EntryKind
		pays             bool
		funds, committed Pence
	}{
		{EntryAllocation, false, 500, 0},
		{EntryAllocation, true, 500, 0},
		{EntryRefund, false, 500, 0},
		{EntryCommitment, false, 0, 500},
		{EntryRelease, false, 0, -500},
		{EntrySpend, false, -500, 0},
		{EntrySpend, true, -500, -500},
		{EntryReversal, false, 0, 0}, // a reversal's effect is the reversed entry's, negated
		{EntryKind("gift"), false, 0, 0},
	} {
		funds, committed := Effect(c.kind, 500, c.pays)
		if funds != c.funds || committed != c.committed {
			t.Errorf("Effect(%s, 500, %v) = %d, %d; want %d, %d", c.kind, c.pays, funds, committed, c.funds, c.committed)
		}
	}
	for _, k := range []EntryKind{EntryAllocation, EntryCommitment, EntryRelease, EntrySpend, EntryRefund, EntryReversal} {
		if k.Label() == "" {
			t.Errorf("%s has no label", k)
		}
	}
}

// entry is a ledger entry of kind with its effect, counted as its own kind.
func entry(kind EntryKind, amount Pence, pays bool) *LedgerEntry {
	f, c := Effect(kind, amount, pays)
	return &LedgerEntry{Kind: kind, Amount: amount, FundsDelta: f, CommittedDelta: c, CountsAs: kind}
}

// reversal is the entry that undoes e.
func reversal(e *LedgerEntry) *LedgerEntry {
	return &LedgerEntry{Kind: EntryReversal, Amount: e.Amount, FundsDelta: -e.FundsDelta, CommittedDelta: -e.CommittedDelta,
		CountsAs: e.CountsAs}
}

func TestPotBalanceApply(t *testing.T) {
	alloc := entry(EntryAllocation, 10000, false)
	commit := entry(EntryCommitment, 3000, false)
	payCommit := entry(EntrySpend, 3000, true)
	spend := entry(EntrySpend, 2000, false)
	refund := entry(EntryRefund, 500, false)
	b, ok := PotBalance{}.Apply(alloc, commit, payCommit, spend, refund)
	want := PotBalance{Allocated: 10000, Spent: 4500, Committed: 0, Funds: 5500, Available: 5500}
	if !ok || b != want {
		t.Fatalf("applied: %+v, %v; want %+v", b, ok, want)
	}
	// A reversal counts with what it reverses.
	b, ok = b.Apply(reversal(spend), reversal(alloc))
	if want := (PotBalance{Allocated: 0, Spent: 2500, Funds: -2500, Available: -2500}); ok || b != want {
		t.Fatalf("reversing the allocation after spending: %+v, %v; want %+v and not ok", b, ok, want)
	}
	b, ok = PotBalance{}.Apply(alloc, commit, reversal(commit), entry(EntryRelease, 1, false))
	if ok || b.Committed != -1 {
		t.Fatalf("releasing more than committed: %+v, %v", b, ok)
	}
	// Available below nothing though Funds is not.
	b, ok = PotBalance{}.Apply(alloc, entry(EntryCommitment, 6000, false), entry(EntrySpend, 5000, false))
	if ok || b.Funds != 5000 || b.Available != -1000 {
		t.Fatalf("spending what is promised: %+v, %v", b, ok)
	}
	// To the penny is fine; it stops at the first entry that is not.
	b, ok = PotBalance{}.Apply(alloc, entry(EntrySpend, 10000, false))
	if !ok || b != (PotBalance{Allocated: 10000, Spent: 10000}) {
		t.Fatalf("spending it all: %+v, %v", b, ok)
	}
	b, ok = PotBalance{}.Apply(alloc, entry(EntrySpend, 10001, false), entry(EntryAllocation, 5000, false))
	if ok || b.Funds != -1 || b.Allocated != 10000 {
		t.Fatalf("a penny too much: %+v, %v; want it to stop there", b, ok)
	}
	if b, ok := (PotBalance{}).Apply(); !ok || b != (PotBalance{}) {
		t.Fatalf("nothing applied: %+v, %v", b, ok)
	}
	// Apply works on a copy.
	start := PotBalance{Allocated: 100, Funds: 100, Available: 100}
	start.Apply(entry(EntrySpend, 100, false))
	if start.Funds != 100 {
		t.Fatalf("Apply changed its receiver: %+v", start)
	}
}

// validPot is a scheme's pot that passes Validate.
func validPot() *BudgetPot {
	return &BudgetPot{OrganisationID: 1, Holder: HolderScheme, ServiceID: 2, Name: " Chest ", Funder: " ICB ",
		PeriodStart: day(2030, time.April, 1), PeriodEnd: day(2031, time.March, 31), MaxPerItem: 50000,
		ApprovalThreshold: 5000, Kinds: []SpendKind{SpendPersonal, SpendGrant, SpendPersonal}, Needs: []string{" a ", "b", "A", ""},
		Rules: " Small things. ", OpenToApplications: true}
}

func TestBudgetPotValidate(t *testing.T) {
	p := validPot()
	p.UserID = 9
	if err := p.Validate(); err != nil {
		t.Fatalf("valid pot: %v", err)
	}
	if p.Name != "Chest" || p.Funder != "ICB" || p.Rules != "Small things." || p.UserID != 0 || p.ServiceID != 2 ||
		len(p.Kinds) != 2 || p.Kinds[0] != SpendGrant || p.Kinds[1] != SpendPersonal || strings.Join(p.Needs, ",") != "a,b" {
		t.Fatalf("normalised: %+v", p)
	}
	team := validPot()
	team.Holder, team.UserID = HolderTeam, 3
	if err := team.Validate(); err != nil || team.ServiceID != 0 || team.UserID != 0 {
		t.Fatalf("team pot: %v, %+v", err, team)
	}
	worker := validPot()
	worker.Holder, worker.UserID = HolderLinkWorker, 3
	if err := worker.Validate(); err != nil || worker.ServiceID != 0 || worker.UserID != 3 {
		t.Fatalf("link worker's pot: %v, %+v", err, worker)
	}
	// Five years exactly is allowed; a day more is not.
	long := validPot()
	long.PeriodStart, long.PeriodEnd = day(2030, time.January, 1), day(2035, time.January, 1)
	if err := long.Validate(); err != nil {
		t.Fatalf("five years: %v", err)
	}
	oneDay := validPot()
	oneDay.PeriodEnd = oneDay.PeriodStart
	if err := oneDay.Validate(); err != nil {
		t.Fatalf("one day: %v", err)
	}

	for _, c := range []struct {
		name        string
		change      func(p *BudgetPot)
		field, text string
	}{
		{"no name", func(p *BudgetPot) { p.Name = "  " }, "name", "Enter the name."},
		{"long name", func(p *BudgetPot) { p.Name = strings.Repeat("n", 121) }, "name", "120 characters or fewer (it has 121)"},
		{"NUL", func(p *BudgetPot) { p.Funder = "a\x00b" }, "funder", "not allowed"},
		{"no funder", func(p *BudgetPot) { p.Funder = "" }, "funder", "Enter the funder."},
		{"long rules", func(p *BudgetPot) { p.Rules = strings.Repeat("r", 2001) }, "rules", "2000 characters or fewer"},
		{"no organisation", func(p *BudgetPot) { p.OrganisationID = 0 }, "organisation_id", "Choose the organisation"},
		{"a scheme's pot with no scheme", func(p *BudgetPot) { p.ServiceID = 0 }, "service_id", "Choose the connector scheme"},
		{"a link worker's pot with no one", func(p *BudgetPot) { p.Holder = HolderLinkWorker }, "user_id", "Choose the link worker"},
		{"no holder", func(p *BudgetPot) { p.Holder = "" }, "holder", "Choose who holds the pot"},
		{"an odd holder", func(p *BudgetPot) { p.Holder = "dragon" }, "holder", "Choose who holds the pot"},
		{"no start", func(p *BudgetPot) { p.PeriodStart = time.Time{} }, "period_start", "Enter the first day"},
		{"no end", func(p *BudgetPot) { p.PeriodEnd = time.Time{} }, "period_end", "Enter the last day"},
		{"backwards", func(p *BudgetPot) { p.PeriodEnd = p.PeriodStart.AddDate(0, 0, -1) }, "period_end", "on or after the first day"},
		{"too long", func(p *BudgetPot) {
			// Five years are at most 5 × 366 days.
			p.PeriodStart, p.PeriodEnd = day(2030, time.January, 1), day(2030, time.January, 1).AddDate(0, 0, 5*366+1)
		}, "period_end", "at most five years"},
		{"negative item limit", func(p *BudgetPot) { p.MaxPerItem = -1 }, "max_per_item", "between nothing (no limit) and £10,000,000.00"},
		{"huge item limit", func(p *BudgetPot) { p.MaxPerItem = MaxAmount + 1 }, "max_per_item", "between nothing"},
		{"negative threshold", func(p *BudgetPot) { p.ApprovalThreshold = -1 }, "approval_threshold", "approve every spend"},
		{"huge threshold", func(p *BudgetPot) { p.ApprovalThreshold = MaxAmount + 1 }, "approval_threshold", "£10,000,000.00"},
		{"no kinds", func(p *BudgetPot) { p.Kinds = nil }, "kinds", "Choose what the pot may be spent on"},
		{"an odd kind", func(p *BudgetPot) { p.Kinds = []SpendKind{"bribe"} }, "kinds", `"bribe" is not a kind of spend`},
		{"applications to a pot without grants", func(p *BudgetPot) { p.Kinds = []SpendKind{SpendPersonal} },
			"open_to_applications", "Only a pot for micro-grants"},
	} {
		p := validPot()
		c.change(p)
		wantProblem(t, c.name, p.Validate(), c.field, c.text)
	}
	// Every problem at once.
	if n := len(FieldErrors((&BudgetPot{}).Validate())); n < 5 {
		t.Fatalf("an empty pot has %d problems, want every one", n)
	}
}

func TestBudgetPotOpen(t *testing.T) {
	p := validPot()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	p.Status = PotOpen
	for _, c := range []struct {
		at   time.Time
		open bool
	}{
		{day(2030, time.March, 31), false},
		{time.Date(2030, time.March, 31, 23, 59, 59, 0, time.UTC), false},
		{day(2030, time.April, 1), true},
		{time.Date(2030, time.April, 1, 18, 0, 0, 0, time.UTC), true},
		{day(2030, time.September, 1), true},
		{day(2031, time.March, 31), true},
		{time.Date(2031, time.March, 31, 23, 59, 59, 0, time.UTC), true},
		{day(2031, time.April, 1), false},
		// The same instant given in another zone is the same UTC day.
		{time.Date(2031, time.April, 1, 0, 30, 0, 0, time.FixedZone("BST", 3600)), true},
	} {
		if got := p.Open(c.at); got != c.open {
			t.Errorf("Open(%v) = %v, want %v", c.at, got, c.open)
		}
	}
	p.Status = PotClosed
	if p.Open(day(2030, time.September, 1)) {
		t.Errorf("a closed pot is open")
	}
}

func TestBudgetPotAllows(t *testing.T) {
	p := &BudgetPot{Kinds: []SpendKind{SpendGrant}}
	if ok, why := p.Allows(SpendGrant, "anything"); !ok || why != "" {
		t.Errorf("a grant on any need: %v %q", ok, why)
	}
	if ok, why := p.Allows(SpendPersonal, "loneliness"); ok || why != "This pot is not for personal spends." {
		t.Errorf("a personal spend: %v %q", ok, why)
	}
	p = &BudgetPot{Kinds: []SpendKind{SpendPersonal}, Needs: []string{"loneliness", "money_debt"}}
	if ok, why := p.Allows(SpendGrant, "loneliness"); ok || why != "This pot is not for micro-grants." {
		t.Errorf("a grant: %v %q", ok, why)
	}
	if ok, _ := p.Allows(SpendPersonal, "money_debt"); !ok {
		t.Errorf("a need the rules name is refused")
	}
	if ok, why := p.Allows(SpendPersonal, "housing"); ok || why != "This pot may be spent only on the needs its rules name." {
		t.Errorf("a need the rules leave out: %v %q", ok, why)
	}
	p.ApprovalThreshold = 5000
	if p.NeedsApproval(5000) || !p.NeedsApproval(5001) {
		t.Errorf("NeedsApproval at the threshold %v, above it %v", p.NeedsApproval(5000), p.NeedsApproval(5001))
	}
	p.ApprovalThreshold = 0
	if !p.NeedsApproval(1) {
		t.Errorf("a threshold of nothing lets a spend through")
	}
}

func validGrant() *Spend {
	return &Spend{PotID: 1, Kind: SpendGrant, Amount: 30000, Need: " loneliness ", GroupOrganisationID: 4,
		ActivityName: " Winter walks ", Purpose: "Flasks and a shelter.", Postcode: " hx1 1aa ", ContactName: "Wendy",
		ContactEmail: "wendy@example.org", PeopleExpected: 20, PersonID: 7, GoalID: 8, Item: "Bus pass", Reason: "Because"}
}

func validPersonal() *Spend {
	return &Spend{PotID: 1, Kind: SpendPersonal, Amount: 1250, Need: "loneliness", PersonID: 7, GoalID: 8,
		Item: " Bus pass ", Reason: " To get to the group. ", GroupOrganisationID: 4, ActivityName: "Walks",
		Purpose: "Something long enough", ContactName: "Wendy", ContactEmail: "w@example.org", ContactPhone: "1", PeopleExpected: 3}
}

func TestSpendValidate(t *testing.T) {
	g := validGrant()
	if err := g.Validate(); err != nil {
		t.Fatalf("valid grant: %v", err)
	}
	if g.Need != "loneliness" || g.ActivityName != "Winter walks" || g.Postcode != "hx1 1aa" || g.PersonID != 0 || g.GoalID != 0 ||
		g.Item != "" || g.Reason != "" || g.GroupOrganisationID != 4 {
		t.Fatalf("grant normalised: %+v", g)
	}
	p := validPersonal()
	if err := p.Validate(); err != nil {
		t.Fatalf("valid personal spend: %v", err)
	}
	if p.Item != "Bus pass" || p.Reason != "To get to the group." || p.GroupOrganisationID != 0 || p.ActivityName != "" ||
		p.Purpose != "" || p.ContactName != "" || p.ContactEmail != "" || p.ContactPhone != "" || p.PeopleExpected != 0 {
		t.Fatalf("personal spend normalised: %+v", p)
	}
	// A new activity has no group; a phone number alone reaches the contact.
	g = validGrant()
	g.GroupOrganisationID, g.ContactEmail, g.ContactPhone = 0, "", "07700 900000"
	if err := g.Validate(); err != nil {
		t.Fatalf("new activity: %v", err)
	}

	for _, c := range []struct {
		name        string
		spend       func() *Spend
		field, text string
	}{
		{"no pot", func() *Spend { s := validGrant(); s.PotID = 0; return s }, "pot_id", "Choose the pot"},
		{"no amount", func() *Spend { s := validGrant(); s.Amount = 0; return s }, "amount", "positive whole number"},
		{"too much", func() *Spend { s := validPersonal(); s.Amount = MaxAmount + 1; return s }, "amount", "at most"},
		{"no need", func() *Spend { s := validPersonal(); s.Need = " "; return s }, "need", "Choose the need"},
		{"no kind", func() *Spend { s := validGrant(); s.Kind = ""; return s }, "kind", "Choose a micro-grant or a personal spend."},
		{"no activity", func() *Spend { s := validGrant(); s.ActivityName = ""; return s }, "activity_name", "Enter the name of the activity."},
		{"a short purpose", func() *Spend { s := validGrant(); s.Purpose = "Tea"; return s }, "purpose", "at least 10 characters"},
		{"no contact", func() *Spend { s := validGrant(); s.ContactName = ""; return s }, "contact_name", "Enter the contact's name."},
		{"no way to reach them", func() *Spend { s := validGrant(); s.ContactEmail = " "; return s }, "contact_email",
			"Give an email address or a phone number"},
		{"negative people", func() *Spend { s := validGrant(); s.PeopleExpected = -1; return s }, "people_expected", "between 0 and 100,000"},
		{"too many people", func() *Spend { s := validGrant(); s.PeopleExpected = 100001; return s }, "people_expected", "between 0 and 100,000"},
		{"nobody", func() *Spend { s := validPersonal(); s.PersonID = 0; return s }, "person_id", "Choose the person"},
		{"no goal", func() *Spend { s := validPersonal(); s.GoalID = 0; return s }, "goal_id", "Choose the goal"},
		{"no item", func() *Spend { s := validPersonal(); s.Item = ""; return s }, "item", "Enter the item."},
		{"a short reason", func() *Spend { s := validPersonal(); s.Reason = "So"; return s }, "reason", "at least 5 characters"},
		{"a long reason", func() *Spend { s := validPersonal(); s.Reason = strings.Repeat("r", 2001); return s }, "reason", "2000 characters or fewer"},
	} {
		wantProblem(t, c.name, c.spend().Validate(), c.field, c.text)
	}
	for _, s := range SpendStatuses {
		if s.Label() == "" {
			t.Errorf("status %s has no label", s)
		}
	}
}

func TestSpendReportOverdue(t *testing.T) {
	due := day(2030, time.June, 3)
	s := &Spend{Kind: SpendGrant, Status: SpendPaid, ReportDue: &due}
	if s.ReportOverdue(due) || !s.ReportOverdue(due.AddDate(0, 0, 1)) {
		t.Errorf("overdue on the day %v, the day after %v", s.ReportOverdue(due), s.ReportOverdue(due.AddDate(0, 0, 1)))
	}
	s.Status = SpendReported
	if s.ReportOverdue(due.AddDate(1, 0, 0)) {
		t.Errorf("a reported grant is overdue")
	}
}

func TestGrantReportValidate(t *testing.T) {
	r := &GrantReport{WhatHappened: "  Forty people walked.  ", PeopleReached: 40, Volunteers: 3, AmountUsed: 30000}
	if err := r.Validate(30000); err != nil || r.WhatHappened != "Forty people walked." {
		t.Fatalf("valid report: %v, %q", err, r.WhatHappened)
	}
	if err := (&GrantReport{WhatHappened: "Nothing was spent."}).Validate(30000); err != nil {
		t.Fatalf("nothing used: %v", err)
	}
	for _, c := range []struct {
		name        string
		report      GrantReport
		field, text string
	}{
		{"no account", GrantReport{WhatHappened: " "}, "what_happened", "at least 10 characters"},
		{"a long account", GrantReport{WhatHappened: strings.Repeat("w", 4001)}, "what_happened", "4000 characters or fewer"},
		{"negative people", GrantReport{WhatHappened: "Forty people walked.", PeopleReached: -1}, "people_reached", "between 0 and 100,000"},
		{"too many people", GrantReport{WhatHappened: "Forty people walked.", PeopleReached: 100001}, "people_reached", "between 0 and 100,000"},
		{"negative volunteers", GrantReport{WhatHappened: "Forty people walked.", Volunteers: -1}, "volunteers", "between 0 and 10,000"},
		{"an army of volunteers", GrantReport{WhatHappened: "Forty people walked.", Volunteers: 10001}, "volunteers", "between 0 and 10,000"},
		{"more than granted", GrantReport{WhatHappened: "Forty people walked.", AmountUsed: 30001}, "amount_used",
			"between nothing and the £300.00 granted"},
		{"negative use", GrantReport{WhatHappened: "Forty people walked.", AmountUsed: -1}, "amount_used", "between nothing"},
	} {
		wantProblem(t, c.name, c.report.Validate(30000), c.field, c.text)
	}
}
