package linkwork

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Devolved budgets: small pots of money held by a connector scheme, a team or one link
// worker, spent on micro-grants to community groups (or new activities made with the people
// who will use them) and on personal spends for people on a caseload. Every movement of
// money is an immutable ledger entry (LedgerEntry); balances are sums of entries and never go
// below zero; a mistake is put right by a reversing entry, never by an edit.

// PotHolder says who holds a budget pot.
type PotHolder string

// The holders.
const (
	HolderScheme     PotHolder = "scheme"      // a connector scheme (a directory service of kind connector_scheme)
	HolderTeam       PotHolder = "team"        // an organisation's team as a whole
	HolderLinkWorker PotHolder = "link_worker" // one link worker
)

// PotHolders lists them in the order forms show them.
var PotHolders = []PotHolder{HolderScheme, HolderTeam, HolderLinkWorker}

var potHolderLabels = map[PotHolder]string{HolderScheme: "A connector scheme", HolderTeam: "A team",
	HolderLinkWorker: "One link worker"}

// Label is the holder in plain English.
func (h PotHolder) Label() string { return potHolderLabels[h] }

// PotStatus is whether a pot may still be spent from.
type PotStatus string

// The statuses. A closed pot takes no new spends, commitments or allocations.
const (
	PotOpen   PotStatus = "open"
	PotClosed PotStatus = "closed"
)

// SpendKind is what a spend is for.
type SpendKind string

// The kinds.
const (
	// SpendGrant is a micro-grant to a community group or a new co-produced activity, with
	// a short application, a decision and a report back.
	SpendGrant SpendKind = "micro_grant"
	// SpendPersonal is bought for a person on a caseload (a bus pass, a can opener, a class
	// fee), for a reason in their support plan.
	SpendPersonal SpendKind = "personal"
)

// SpendKinds lists them in the order forms show them.
var SpendKinds = []SpendKind{SpendGrant, SpendPersonal}

var spendKindLabels = map[SpendKind]string{SpendGrant: "Micro-grant", SpendPersonal: "Personal spend"}

// Label is the kind in plain English.
func (k SpendKind) Label() string { return spendKindLabels[k] }

// BudgetPot is a devolved budget. Its money is its ledger: Balance is derived from the
// entries and filled in by the store on every read.
type BudgetPot struct {
	ID               int64     `json:"id"`
	PlaceID          int64     `json:"place_id"`
	OrganisationID   int64     `json:"organisation_id"` // the organisation that holds it and answers for it
	OrganisationName string    `json:"organisation_name"`
	Holder           PotHolder `json:"holder"`
	// ServiceID is the connector scheme when Holder is HolderScheme (a scheme of
	// OrganisationID); UserID the link worker when Holder is HolderLinkWorker (a member of
	// OrganisationID).
	ServiceID   int64  `json:"service_id,omitempty"`
	ServiceName string `json:"service_name,omitempty"`
	UserID      int64  `json:"user_id,omitempty"`
	UserName    string `json:"user_name,omitempty"`

	Name   string `json:"name"`
	Funder string `json:"funder"`
	// PeriodStart and PeriodEnd are the first and last days money may be spent (dates at
	// midnight UTC). After PeriodEnd the pot takes no new spends, as if closed.
	PeriodStart time.Time `json:"period_start"`
	PeriodEnd   time.Time `json:"period_end"`

	// The rules. MaxPerItem is the most one spend may be (0: no limit). A spend of more
	// than ApprovalThreshold needs a manager of the holding organisation to approve it.
	// Kinds says which kinds of spend the pot allows; Needs which needs (need taxonomy term
	// codes; empty: any). Rules says in words what it may be spent on.
	MaxPerItem        Pence       `json:"max_per_item_pence"`
	ApprovalThreshold Pence       `json:"approval_threshold_pence"`
	Kinds             []SpendKind `json:"kinds"`
	Needs             []string    `json:"needs"`
	Rules             string      `json:"rules,omitempty"`
	// OpenToApplications lets community groups in the place apply to it for micro-grants.
	OpenToApplications bool `json:"open_to_applications"`

	Status    PotStatus  `json:"status"`
	ClosedAt  *time.Time `json:"closed_at,omitempty"`
	ClosedBy  string     `json:"closed_by,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	CreatedBy string     `json:"created_by"`
	Version   int        `json:"version"`

	Balance PotBalance `json:"balance"`
}

// PotBalance is a pot's money, derived from its ledger.
type PotBalance struct {
	// Allocated is all the money put into the pot (allocations less their reversals).
	Allocated Pence `json:"allocated_pence"`
	// Spent is all the money paid out less refunds and reversals.
	Spent Pence `json:"spent_pence"`
	// Committed is promised but not yet paid: approved grants and personal spends waiting
	// for a manager.
	Committed Pence `json:"committed_pence"`
	// Funds is the money in the pot (Allocated − Spent); Available what may still be
	// promised or spent (Funds − Committed). Neither is ever below zero.
	Funds     Pence `json:"funds_pence"`
	Available Pence `json:"available_pence"`
}

// Open reports whether the pot may take a new spend, commitment or allocation on day: it is
// not closed and day is within its period.
func (p *BudgetPot) Open(day time.Time) bool {
	d := day.UTC().Truncate(24 * time.Hour)
	return p.Status == PotOpen && !d.Before(p.PeriodStart) && !d.After(p.PeriodEnd)
}

// Allows reports whether the pot's rules allow a spend of kind on need, and if not says
// why in a sentence fit to show.
func (p *BudgetPot) Allows(kind SpendKind, need string) (bool, string) {
	if !slices.Contains(p.Kinds, kind) {
		return false, "This pot is not for " + strings.ToLower(kind.Label()) + "s."
	}
	if len(p.Needs) > 0 && !slices.Contains(p.Needs, need) {
		return false, "This pot may be spent only on the needs its rules name."
	}
	return true, ""
}

// NeedsApproval reports whether a spend of amount from the pot needs a manager's approval.
func (p *BudgetPot) NeedsApproval(amount Pence) bool { return amount > p.ApprovalThreshold }

// Validate trims and checks a pot's own fields. The store checks the organisation, scheme
// and link worker, and the needs against the place's taxonomy.
func (p *BudgetPot) Validate() error {
	p.Name, p.Funder, p.Rules = strings.TrimSpace(p.Name), strings.TrimSpace(p.Funder), strings.TrimSpace(p.Rules)
	var ps Problems
	ps.Add(checkLength("name", "name", p.Name, 1, 120))
	ps.Add(checkLength("funder", "funder", p.Funder, 1, 200))
	ps.Add(checkLength("rules", "rules", p.Rules, 0, 2000))
	if p.OrganisationID == 0 {
		ps.Add(FieldError("organisation_id", "Choose the organisation that holds the pot."))
	}
	switch p.Holder {
	case HolderScheme:
		if p.ServiceID == 0 {
			ps.Add(FieldError("service_id", "Choose the connector scheme that holds the pot."))
		}
		p.UserID = 0
	case HolderLinkWorker:
		if p.UserID == 0 {
			ps.Add(FieldError("user_id", "Choose the link worker who holds the pot."))
		}
		p.ServiceID = 0
	case HolderTeam:
		p.ServiceID, p.UserID = 0, 0
	default:
		ps.Add(FieldError("holder", "Choose who holds the pot: a connector scheme, a team or one link worker."))
	}
	switch {
	case p.PeriodStart.IsZero():
		ps.Add(FieldError("period_start", "Enter the first day the pot may be spent."))
	case p.PeriodEnd.IsZero():
		ps.Add(FieldError("period_end", "Enter the last day the pot may be spent."))
	case p.PeriodEnd.Before(p.PeriodStart):
		ps.Add(FieldError("period_end", "The last day must be on or after the first day."))
	case p.PeriodEnd.Sub(p.PeriodStart) > 5*366*24*time.Hour:
		ps.Add(FieldError("period_end", "A pot's period may be at most five years."))
	}
	if p.MaxPerItem < 0 || p.MaxPerItem > MaxAmount {
		ps.Add(FieldError("max_per_item", "The most per item must be between nothing (no limit) and %s.", MaxAmount))
	}
	if p.ApprovalThreshold < 0 || p.ApprovalThreshold > MaxAmount {
		ps.Add(FieldError("approval_threshold", "The approval threshold must be between nothing (approve every spend) and %s.", MaxAmount))
	}
	p.Kinds = slices.Compact(slices.Sorted(slices.Values(p.Kinds)))
	if len(p.Kinds) == 0 {
		ps.Add(FieldError("kinds", "Choose what the pot may be spent on: micro-grants, personal spends or both."))
	}
	for _, k := range p.Kinds {
		if k.Label() == "" {
			ps.Add(FieldError("kinds", "%q is not a kind of spend: use micro_grant or personal.", string(k)))
		}
	}
	if p.OpenToApplications && !slices.Contains(p.Kinds, SpendGrant) {
		ps.Add(FieldError("open_to_applications", "Only a pot for micro-grants can take applications from groups."))
	}
	p.Needs = cleanList(p.Needs)
	return ps.Err()
}

// checkLength checks a trimmed text's length in characters, naming it as what.
func checkLength(field, what, v string, min, max int) error {
	n := utf8.RuneCountInString(v)
	switch {
	case n < min && min == 1:
		return FieldError(field, "Enter the %s.", what)
	case n < min:
		return FieldError(field, "The %s must be at least %d characters.", what, min)
	case n > max:
		return FieldError(field, "The %s must be %d characters or fewer (it has %d).", what, max, n)
	case strings.ContainsRune(v, 0):
		return FieldError(field, "The %s contains a character that is not allowed.", what)
	}
	return nil
}

// EntryKind is what a ledger entry records.
type EntryKind string

// The kinds of entry, with their effect on a pot's Funds and Committed (Effect).
const (
	EntryAllocation EntryKind = "allocation" // money put into the pot: Funds +
	EntryCommitment EntryKind = "commitment" // money promised (a grant approved, a spend awaiting approval): Committed +
	EntryRelease    EntryKind = "release"    // a promise withdrawn or declined: Committed −
	EntrySpend      EntryKind = "spend"      // money paid out: Funds −, and Committed − when it pays a promise
	EntryRefund     EntryKind = "refund"     // money paid back into the pot: Funds +
	EntryReversal   EntryKind = "reversal"   // undoes one earlier entry exactly: its effects negated
)

var entryKindLabels = map[EntryKind]string{EntryAllocation: "Allocation", EntryCommitment: "Commitment",
	EntryRelease: "Release", EntrySpend: "Spend", EntryRefund: "Refund", EntryReversal: "Reversal"}

// Label is the kind in plain English.
func (k EntryKind) Label() string { return entryKindLabels[k] }

// LedgerEntry is one immutable movement of a pot's money. Amount is always positive;
// FundsDelta and CommittedDelta are its signed effects on the pot, from Effect (or, for a
// reversal, the negation of the reversed entry's).
type LedgerEntry struct {
	ID      int64     `json:"id"`
	PlaceID int64     `json:"place_id"`
	PotID   int64     `json:"pot_id"`
	Kind    EntryKind `json:"kind"`
	Amount  Pence     `json:"amount_pence"`
	// FundsDelta and CommittedDelta are what the entry adds to the pot's Funds and
	// Committed.
	FundsDelta     Pence `json:"funds_delta_pence"`
	CommittedDelta Pence `json:"committed_delta_pence"`
	// CountsAs is the kind whose total the entry belongs to in a pot's balance: its own
	// kind, or for a reversal the reversed entry's kind.
	CountsAs EntryKind `json:"counts_as"`
	// SpendID is the spend the entry belongs to, if any; ReversesID the entry a reversal
	// undoes (an entry may be reversed once, and a reversal never).
	SpendID    int64  `json:"spend_id,omitempty"`
	ReversesID int64  `json:"reverses_id,omitempty"`
	Note       string `json:"note,omitempty"`
	// ReversedByID is filled in on reads: the reversal of this entry, if any.
	ReversedByID    int64     `json:"reversed_by_id,omitempty"`
	CreatedByUserID int64     `json:"created_by_user_id,omitempty"`
	CreatedBy       string    `json:"created_by"`
	CreatedAt       time.Time `json:"created_at"`
}

// Effect returns what an entry of kind and amount does to a pot's Funds and Committed.
// paysCommitment says whether a spend pays an earlier commitment. A reversal's effect is the
// negation of the reversed entry's, and not given here.
func Effect(kind EntryKind, amount Pence, paysCommitment bool) (funds, committed Pence) {
	switch kind {
	case EntryAllocation, EntryRefund:
		return amount, 0
	case EntryCommitment:
		return 0, amount
	case EntryRelease:
		return 0, -amount
	case EntrySpend:
		if paysCommitment {
			return -amount, -amount
		}
		return -amount, 0
	}
	return 0, 0
}

// Apply returns the balance after entries, in order, and whether it stayed valid after each:
// Funds, Committed and Available never below zero. The store applies a new entry to the
// pot's current balance with it, under the pot's lock, and refuses the entry if not ok.
func (b PotBalance) Apply(entries ...*LedgerEntry) (PotBalance, bool) {
	for _, e := range entries {
		b.Funds += e.FundsDelta
		b.Committed += e.CommittedDelta
		switch e.CountsAs {
		case EntryAllocation:
			b.Allocated += e.FundsDelta
		case EntrySpend, EntryRefund:
			b.Spent -= e.FundsDelta
		}
		b.Available = b.Funds - b.Committed
		if b.Funds < 0 || b.Committed < 0 || b.Available < 0 {
			return b, false
		}
	}
	return b, true
}

// SpendStatus is where a spend stands.
type SpendStatus string

// The statuses. A micro-grant is applied for, then approved (its amount committed) or
// declined, then paid, then reported on. A personal spend within the pot's approval
// threshold is paid at once; above it, it is requested (its amount committed) until a
// manager approves (paid) or declines it. An unpaid spend may be withdrawn; a paid one
// whose payment was a mistake is reversed.
const (
	SpendApplied   SpendStatus = "applied"   // a grant application awaiting a decision
	SpendRequested SpendStatus = "requested" // a personal spend awaiting a manager's approval; its amount committed
	SpendApproved  SpendStatus = "approved"  // a grant approved and committed, not yet paid
	SpendPaid      SpendStatus = "paid"
	SpendReported  SpendStatus = "reported" // a paid grant whose group has reported back
	SpendDeclined  SpendStatus = "declined"
	SpendWithdrawn SpendStatus = "withdrawn"
	SpendReversed  SpendStatus = "reversed" // its payment reversed as a mistake
)

// SpendStatuses lists them in order.
var SpendStatuses = []SpendStatus{SpendApplied, SpendRequested, SpendApproved, SpendPaid, SpendReported,
	SpendDeclined, SpendWithdrawn, SpendReversed}

var spendStatusLabels = map[SpendStatus]string{SpendApplied: "Waiting for a decision",
	SpendRequested: "Waiting for a manager", SpendApproved: "Approved, not yet paid", SpendPaid: "Paid",
	SpendReported: "Paid and reported on", SpendDeclined: "Declined", SpendWithdrawn: "Withdrawn",
	SpendReversed: "Payment reversed"}

// Label is the status in plain English.
func (s SpendStatus) Label() string { return spendStatusLabels[s] }

// GrantReportDue is how long after payment a group has to report back on a micro-grant.
const GrantReportDue = 90 * 24 * time.Hour

// Spend is one use of a pot's money: a micro-grant or a personal spend.
type Spend struct {
	ID                int64     `json:"id"`
	PlaceID           int64     `json:"place_id"`
	PotID             int64     `json:"pot_id"`
	PotName           string    `json:"pot_name"`
	PotOrganisationID int64     `json:"pot_organisation_id"`
	Kind              SpendKind `json:"kind"`
	// Amount is what was asked for and, once paid, what was paid.
	Amount Pence `json:"amount_pence"`
	// Need is a need taxonomy term code; NeighbourhoodCode the LSOA the money is spent in
	// (for a grant, where the activity happens; for a personal spend, where the person
	// lives), with its name and IMD decile filled in on reads.
	Need              string `json:"need"`
	NeighbourhoodCode string `json:"neighbourhood_code,omitempty"`
	NeighbourhoodName string `json:"neighbourhood_name,omitempty"`
	IMDDecile         int    `json:"imd_decile,omitempty"`
	// FundingOpportunityID is the landscape gap the spend fills, if any (an open funding
	// opportunity of the place). Paying a grant for one marks it funded.
	FundingOpportunityID int64 `json:"funding_opportunity_id,omitempty"`

	// A micro-grant: to a community group (an organisation of the place) or, when
	// GroupOrganisationID is 0, to a new activity made with the people who will use it.
	GroupOrganisationID int64        `json:"group_organisation_id,omitempty"`
	GroupName           string       `json:"group_name,omitempty"`
	ActivityName        string       `json:"activity_name,omitempty"` // the activity the grant is for
	Purpose             string       `json:"purpose,omitempty"`       // what the money is for and who it helps
	Postcode            string       `json:"postcode,omitempty"`      // where the activity happens
	PeopleExpected      int          `json:"people_expected,omitempty"`
	ContactName         string       `json:"contact_name,omitempty"`
	ContactEmail        string       `json:"contact_email,omitempty"`
	ContactPhone        string       `json:"contact_phone,omitempty"`
	ReportDue           *time.Time   `json:"report_due,omitempty"`
	Report              *GrantReport `json:"report,omitempty"`

	// A personal spend: for a person on the holding organisation's caseload, for a goal
	// of their plan (GoalID) and a reason in their words or the link worker's.
	PersonID   int64  `json:"person_id,omitempty"`
	PersonName string `json:"-"` // for the holding organisation's pages only
	GoalID     int64  `json:"goal_id,omitempty"`
	Item       string `json:"item,omitempty"` // what was bought: "Bus pass for a month"
	Reason     string `json:"reason,omitempty"`

	Status SpendStatus `json:"status"`
	// DecisionReason is why it was declined, withdrawn or reversed.
	DecisionReason    string     `json:"decision_reason,omitempty"`
	RequestedByUserID int64      `json:"requested_by_user_id,omitempty"`
	RequestedBy       string     `json:"requested_by"`
	RequestedAt       time.Time  `json:"requested_at"`
	DecidedBy         string     `json:"decided_by,omitempty"`
	DecidedAt         *time.Time `json:"decided_at,omitempty"`
	PaidAt            *time.Time `json:"paid_at,omitempty"`
	// Refunded is the money paid back against this spend.
	Refunded Pence `json:"refunded_pence"`
	Version  int   `json:"version"`
}

// ReportOverdue reports whether a paid grant's report is overdue on day.
func (s *Spend) ReportOverdue(day time.Time) bool {
	return s.Kind == SpendGrant && s.Status == SpendPaid && s.ReportDue != nil && day.After(*s.ReportDue)
}

// Validate trims and checks a new spend's own fields for its kind. The store checks the
// pot, its rules and balance, the group, person, goal, need and opportunity.
func (s *Spend) Validate() error {
	for _, p := range []*string{&s.Need, &s.ActivityName, &s.Purpose, &s.Postcode, &s.ContactName, &s.ContactEmail,
		&s.ContactPhone, &s.Item, &s.Reason} {
		*p = strings.TrimSpace(*p)
	}
	var ps Problems
	if s.PotID == 0 {
		ps.Add(FieldError("pot_id", "Choose the pot to spend from."))
	}
	ps.Add(CheckAmount("amount", s.Amount))
	if s.Need == "" {
		ps.Add(FieldError("need", "Choose the need the money meets."))
	}
	switch s.Kind {
	case SpendGrant:
		s.PersonID, s.GoalID, s.Item, s.Reason = 0, 0, "", ""
		ps.Add(checkLength("activity_name", "name of the activity", s.ActivityName, 1, 200))
		ps.Add(checkLength("purpose", "what the money is for", s.Purpose, 10, 4000))
		ps.Add(checkLength("contact_name", "contact's name", s.ContactName, 1, 120))
		if s.ContactEmail == "" && s.ContactPhone == "" {
			ps.Add(FieldError("contact_email", "Give an email address or a phone number to reach the contact."))
		}
		if s.PeopleExpected < 0 || s.PeopleExpected > 100000 {
			ps.Add(FieldError("people_expected", "The number of people expected must be between 0 and 100,000."))
		}
	case SpendPersonal:
		s.GroupOrganisationID, s.ActivityName, s.Purpose, s.ContactName, s.ContactEmail, s.ContactPhone = 0, "", "", "", "", ""
		s.PeopleExpected = 0
		if s.PersonID == 0 {
			ps.Add(FieldError("person_id", "Choose the person the spend is for."))
		}
		if s.GoalID == 0 {
			ps.Add(FieldError("goal_id", "Choose the goal in the person's plan the spend helps with."))
		}
		ps.Add(checkLength("item", "item", s.Item, 1, 200))
		ps.Add(checkLength("reason", "reason", s.Reason, 5, 2000))
	default:
		ps.Add(FieldError("kind", "Choose a micro-grant or a personal spend."))
	}
	return ps.Err()
}

// GrantReport is a group's report back on a micro-grant.
type GrantReport struct {
	// WhatHappened is what the money did, in the group's words.
	WhatHappened  string    `json:"what_happened"`
	PeopleReached int       `json:"people_reached"`
	Volunteers    int       `json:"volunteers"`
	AmountUsed    Pence     `json:"amount_used_pence"` // what was spent; the rest should be paid back
	SubmittedBy   string    `json:"submitted_by"`
	SubmittedAt   time.Time `json:"submitted_at"`
}

// Validate trims and checks a report against the grant's amount.
func (r *GrantReport) Validate(granted Pence) error {
	r.WhatHappened = strings.TrimSpace(r.WhatHappened)
	var ps Problems
	ps.Add(checkLength("what_happened", "account of what happened", r.WhatHappened, 10, 4000))
	if r.PeopleReached < 0 || r.PeopleReached > 100000 {
		ps.Add(FieldError("people_reached", "The number of people reached must be between 0 and 100,000."))
	}
	if r.Volunteers < 0 || r.Volunteers > 10000 {
		ps.Add(FieldError("volunteers", "The number of volunteers must be between 0 and 10,000."))
	}
	if r.AmountUsed < 0 || r.AmountUsed > granted {
		ps.Add(FieldError("amount_used", "The amount used must be between nothing and the %s granted.", granted))
	}
	return ps.Err()
}

// Decision is a decision on a spend awaiting one.
type Decision struct {
	Approve bool
	Reason  string // why, when declining (required then)
}

// PotFilter selects pots. PlaceID is required; OrganisationIDs, when set, limits to pots
// those organisations hold.
type PotFilter struct {
	PlaceID            int64
	OrganisationIDs    []int64
	Status             PotStatus // "" for any
	OpenToApplications bool      // only pots taking grant applications from groups (and open today)
}

// SpendFilter selects spends. PlaceID is required. PotOrganisationIDs limits to spends of
// pots those organisations hold, GroupOrganisationIDs to grants to those groups (a group's
// own view); either may be set, or both (any of them).
type SpendFilter struct {
	PlaceID              int64
	PotID                int64
	PotOrganisationIDs   []int64
	GroupOrganisationIDs []int64
	PersonID             int64
	Kind                 SpendKind
	Statuses             []SpendStatus
	Page                 Page
}

// SpendReportFilter chooses the money a spend report counts: paid between From and To
// (dates, inclusive), from the pots of OrganisationIDs when set.
type SpendReportFilter struct {
	PlaceID         int64     `json:"place_id"`
	From            time.Time `json:"from"`
	To              time.Time `json:"to"`
	OrganisationIDs []int64   `json:"organisation_ids"` // empty: every organisation of the place
}

// SpendReport is where the money went: net spend (payments less refunds and reversals)
// by need, neighbourhood, group and scheme, and the grants still owing a report.
type SpendReport struct {
	Filter          SpendReportFilter `json:"filter"`
	Total           Pence             `json:"total_pence"`
	Spends          int               `json:"spends"`
	ByNeed          []*SpendLine      `json:"by_need"`
	ByNeighbourhood []*SpendLine      `json:"by_neighbourhood"` // most deprived first
	ByGroup         []*SpendLine      `json:"by_group"`         // micro-grants only
	ByScheme        []*SpendLine      `json:"by_scheme"`        // by the pot's holder: its scheme, or its organisation
	ByPot           []*SpendLine      `json:"by_pot"`
	// Outstanding is the paid micro-grants not yet reported on, oldest payment first.
	Outstanding []*Spend  `json:"outstanding"`
	GeneratedAt time.Time `json:"generated_at"`
}

// SpendLine is one row of a breakdown. Key is a need code, LSOA code, organisation or pot
// ID as text; Label its name.
type SpendLine struct {
	Key       string `json:"key"`
	Label     string `json:"label"`
	IMDDecile int    `json:"imd_decile,omitempty"`
	Grants    int    `json:"grants"`
	Personal  int    `json:"personal"`
	Amount    Pence  `json:"amount_pence"`
}

// BudgetService keeps devolved budgets. Every method that moves money takes an idempotency
// key (CheckIdempotencyKey): a second request with a key already used in the place is
// refused with ECONFLICT and changes nothing. Every change is audited in its transaction.
type BudgetService interface {
	// CreatePot validates and stores a pot, with an allocation entry of initial (if more
	// than nothing). pot.ID, Status and Balance are filled in.
	CreatePot(ctx context.Context, pot *BudgetPot, initial Pence, key string) error
	// UpdatePotRules changes a pot's name, funder, period and rules (not its holder or
	// money), refusing a stale version with ECONFLICT.
	UpdatePotRules(ctx context.Context, pot *BudgetPot) error
	// ClosePot closes a pot; refused while it has money committed.
	ClosePot(ctx context.Context, potID int64, version int) error
	FindPot(ctx context.Context, id int64) (*BudgetPot, error)
	ListPots(ctx context.Context, f PotFilter) ([]*BudgetPot, error)

	// Allocate puts more money into an open pot.
	Allocate(ctx context.Context, potID int64, amount Pence, note, key string) (*LedgerEntry, error)
	// Ledger returns a pot's entries, oldest first, with ReversedByID filled in.
	Ledger(ctx context.Context, potID int64) ([]*LedgerEntry, error)
	// Reverse undoes an entry with a reversing entry (a reason is required), refused if it
	// was reversed already, is itself a reversal, or would take the balance below zero. A
	// spend whose payment is reversed becomes SpendReversed; one whose commitment is
	// reversed goes back to awaiting a decision.
	Reverse(ctx context.Context, entryID int64, reason, key string) (*LedgerEntry, error)

	// ApplyForGrant stores a micro-grant application (SpendApplied) to an open pot that
	// allows grants, from a group of the place or for a new activity.
	ApplyForGrant(ctx context.Context, s *Spend, key string) error
	// SpendForPerson records a personal spend: paid at once (a spend entry) when within the
	// pot's approval threshold or approved is set (the caller is a manager of the holding
	// organisation); otherwise SpendRequested with its amount committed.
	SpendForPerson(ctx context.Context, s *Spend, approved bool, key string) error
	// Decide approves or declines a spend awaiting a decision: an applied grant (approve:
	// commit) or a requested personal spend (approve: pay; decline: release).
	Decide(ctx context.Context, spendID int64, version int, d Decision, key string) (*Spend, error)
	// PayGrant pays an approved grant (a spend entry against its commitment), sets its
	// report due date, and marks its funding opportunity funded.
	PayGrant(ctx context.Context, spendID int64, version int, key string) (*Spend, error)
	// Withdraw withdraws a spend not yet paid, releasing any commitment.
	Withdraw(ctx context.Context, spendID int64, version int, reason, key string) (*Spend, error)
	// Refund records money paid back against a paid spend (at most what was paid less
	// earlier refunds).
	Refund(ctx context.Context, spendID int64, amount Pence, note, key string) (*LedgerEntry, error)
	// ReportOnGrant stores a group's report on a paid grant (SpendReported).
	ReportOnGrant(ctx context.Context, spendID int64, r *GrantReport) (*Spend, error)

	FindSpend(ctx context.Context, id int64) (*Spend, error)
	ListSpends(ctx context.Context, f SpendFilter) ([]*Spend, int, error)
	// SpendReport returns where the money went, and the grants owing a report.
	SpendReport(ctx context.Context, f SpendReportFilter) (*SpendReport, error)
}

// CanSeePot reports whether the principal may see a pot and its spends: a manager or link
// worker of the holding organisation, or anyone who sees budgets place-wide.
func (p *Principal) CanSeePot(pot *BudgetPot) bool {
	return p != nil && pot.PlaceID == p.Place.ID && p.CanIn(PermViewBudgets, pot.OrganisationID)
}

// CanSpendFrom reports whether the principal may spend from a pot: a link worker's own pot
// is theirs and their managers'; a scheme's or team's is its organisation's link workers'
// and managers'.
func (p *Principal) CanSpendFrom(pot *BudgetPot) bool {
	if p == nil || pot.PlaceID != p.Place.ID || pot.Status != PotOpen || !p.CanIn(PermSpendBudgets, pot.OrganisationID) {
		return false
	}
	if pot.Holder == HolderLinkWorker && p.User.ID != pot.UserID {
		return p.CanIn(PermApproveSpends, pot.OrganisationID)
	}
	return true
}

// CanDecideSpend reports whether the principal may approve or decline a spend of amount from a
// pot: a manager of the holding organisation always; whoever may spend from it when the
// amount is within the approval threshold.
func (p *Principal) CanDecideSpend(pot *BudgetPot, amount Pence) bool {
	if p == nil || pot.PlaceID != p.Place.ID {
		return false
	}
	if p.CanIn(PermApproveSpends, pot.OrganisationID) {
		return true
	}
	return !pot.NeedsApproval(amount) && p.CanSpendFrom(pot)
}
