package api

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"linkwork"
	"linkwork/spending"
)

// The devolved budgets API does what the budget pages do: pots and their ledgers, micro-
// grants and personal spends through their decisions, payments, refunds and reports, and the
// spend report. Amounts are integer pence. Every request that moves money carries an
// Idempotency-Key header; the place refuses a key it has seen before with 409 and changes
// nothing, so a client that is not sure a request arrived may safely send it again.

func (h *Handler) registerBudgets(g registrar) {
	view, manage, spend := linkwork.PermViewBudgets, linkwork.PermManageBudgets, linkwork.PermSpendBudgets
	// Community groups see the pots open to their applications and their own grants, so
	// the lists and a spend are open to everyone signed in; the handlers decide who sees what.
	g.Handle("GET", Prefix+"/budgets/pots", linkwork.PermSignedIn, h.listPots)
	g.Handle("POST", Prefix+"/budgets/pots", manage, h.createPot)
	g.Handle("GET", Prefix+"/budgets/pots/{id}", view, h.getPot)
	g.Handle("GET", Prefix+"/budgets/pots/{id}/ledger", view, h.potLedger)
	g.Handle("POST", Prefix+"/budgets/pots/{id}/allocations", manage, h.allocate)
	g.Handle("POST", Prefix+"/budgets/pots/{id}/close", manage, h.closePot)
	g.Handle("POST", Prefix+"/budgets/entries/{id}/reversal", manage, h.reverseEntry)
	g.Handle("GET", Prefix+"/budgets/spends", linkwork.PermSignedIn, h.listSpends)
	g.Handle("POST", Prefix+"/budgets/spends", linkwork.PermSignedIn, h.createSpend)
	g.Handle("GET", Prefix+"/budgets/spends/{id}", linkwork.PermSignedIn, h.getSpend)
	g.Handle("POST", Prefix+"/budgets/spends/{id}/decision", spend, h.decideSpend)
	g.Handle("POST", Prefix+"/budgets/spends/{id}/payment", spend, h.payGrant)
	g.Handle("POST", Prefix+"/budgets/spends/{id}/withdrawal", linkwork.PermSignedIn, h.withdrawSpend)
	g.Handle("POST", Prefix+"/budgets/spends/{id}/refunds", linkwork.PermSignedIn, h.refundSpend)
	g.Handle("POST", Prefix+"/budgets/spends/{id}/report", linkwork.PermSignedIn, h.reportOnGrant)
	g.Handle("GET", Prefix+"/budgets/report", linkwork.PermBudgetReports, h.spendReport)
}

// PotBody is the body of POST /budgets/pots: a new pot, with the money it starts with.
type PotBody struct {
	OrganisationID int64              `json:"organisation_id"`
	Holder         linkwork.PotHolder `json:"holder"`
	ServiceID      int64              `json:"service_id"`
	UserID         int64              `json:"user_id"`
	Name           string             `json:"name"`
	Funder         string             `json:"funder"`
	// PeriodStart and PeriodEnd are the first and last days, year-month-day.
	PeriodStart        string               `json:"period_start"`
	PeriodEnd          string               `json:"period_end"`
	MaxPerItem         linkwork.Pence       `json:"max_per_item_pence"`
	ApprovalThreshold  linkwork.Pence       `json:"approval_threshold_pence"`
	Kinds              []linkwork.SpendKind `json:"kinds"`
	Needs              []string             `json:"needs"`
	Rules              string               `json:"rules"`
	OpenToApplications bool                 `json:"open_to_applications"`
	InitialAmount      linkwork.Pence       `json:"initial_amount_pence"`
}

// AllocationBody is the body of POST /budgets/pots/{id}/allocations.
type AllocationBody struct {
	Amount linkwork.Pence `json:"amount_pence"`
	Note   string         `json:"note"`
}

// VersionBody is the body of a request that acts on a record as it was read.
type VersionBody struct {
	Version *int `json:"version"`
}

// ReasonBody is the body of POST /budgets/entries/{id}/reversal.
type ReasonBody struct {
	Reason string `json:"reason"`
}

// SpendBody is the body of POST /budgets/spends: a micro-grant application (kind
// micro_grant) or a personal spend (kind personal), with the fields of its kind.
type SpendBody struct {
	PotID                int64              `json:"pot_id"`
	Kind                 linkwork.SpendKind `json:"kind"`
	Amount               linkwork.Pence     `json:"amount_pence"`
	Need                 string             `json:"need"`
	FundingOpportunityID int64              `json:"funding_opportunity_id"`
	// A micro-grant's.
	GroupOrganisationID int64  `json:"group_organisation_id"`
	ActivityName        string `json:"activity_name"`
	Purpose             string `json:"purpose"`
	Postcode            string `json:"postcode"`
	PeopleExpected      int    `json:"people_expected"`
	ContactName         string `json:"contact_name"`
	ContactEmail        string `json:"contact_email"`
	ContactPhone        string `json:"contact_phone"`
	// A personal spend's.
	PersonID int64  `json:"person_id"`
	GoalID   int64  `json:"goal_id"`
	Item     string `json:"item"`
	Reason   string `json:"reason"`
}

// DecisionBody is the body of POST /budgets/spends/{id}/decision.
type DecisionBody struct {
	Approve *bool  `json:"approve"`
	Reason  string `json:"reason"`
	Version *int   `json:"version"`
}

// WithdrawalBody is the body of POST /budgets/spends/{id}/withdrawal.
type WithdrawalBody struct {
	Reason  string `json:"reason"`
	Version *int   `json:"version"`
}

// RefundBody is the body of POST /budgets/spends/{id}/refunds.
type RefundBody struct {
	Amount linkwork.Pence `json:"amount_pence"`
	Note   string         `json:"note"`
}

// GrantReportBody is the body of POST /budgets/spends/{id}/report: the group's report back.
type GrantReportBody struct {
	WhatHappened  string         `json:"what_happened"`
	PeopleReached int            `json:"people_reached"`
	Volunteers    int            `json:"volunteers"`
	AmountUsed    linkwork.Pence `json:"amount_used_pence"`
}

// budgetFields names the domain's fields as the API's bodies do: its amounts are in pence.
var budgetFields = map[string]string{"amount": "amount_pence", "max_per_item": "max_per_item_pence",
	"approval_threshold": "approval_threshold_pence", "amount_used": "amount_used_pence",
	linkwork.IdempotencyKeyField: linkwork.IdempotencyKeyHeader}

// decodeBudget reads a budget request's body, saying plainly that an amount in pence is a
// whole number: 12.5 or "12.50" is refused on its field, never rounded. decode names a value
// of the wrong type as "<field> must be <kind>."; that message, on an amount, is made
// clearer (an unknown field keeps its own message).
func decodeBudget(w http.ResponseWriter, r *http.Request, v any) error {
	err := decode(w, r, v)
	f := linkwork.ErrorField(err)
	if strings.HasSuffix(f, "_pence") && strings.HasPrefix(linkwork.ErrorMessage(err), f+" must be ") {
		return linkwork.FieldError(f, "%s must be a whole number of pence, such as 1250 for £12.50: not a fraction, and not text.", f)
	}
	return err
}

// idempotencyKey reads and checks the Idempotency-Key header of a request that moves money.
func idempotencyKey(r *http.Request) (string, error) {
	key := strings.TrimSpace(r.Header.Get(linkwork.IdempotencyKeyHeader))
	if key == "" {
		return "", linkwork.FieldError(linkwork.IdempotencyKeyHeader, "This request moves money, so it needs an %s header: "+
			"16 to 100 letters, digits, hyphens or underscores that you have not sent before, such as a UUID. "+
			"Send the same key again only to repeat the same request.", linkwork.IdempotencyKeyHeader)
	}
	return key, bodyFields(linkwork.CheckIdempotencyKey(key), budgetFields)
}

// requireVersion checks that a body gave the version of the record it acts on.
func requireVersion(v *int, what string) error {
	if v == nil {
		return linkwork.FieldError("version", "version is required: send the version of the %s as you read it.", what)
	}
	return nil
}

// handles reports whether the principal may spend from a pot, judged as if it were open:
// a closed pot is then refused by the store with the reason, not as a matter of role.
func handles(p *linkwork.Principal, pot *linkwork.BudgetPot) bool {
	c := *pot
	c.Status = linkwork.PotOpen
	return p.CanSpendFrom(&c)
}

// mayDecide reports whether the principal may approve or decline a spend of amount from a
// pot, judged as if it were open (see handles).
func mayDecide(p *linkwork.Principal, pot *linkwork.BudgetPot, amount linkwork.Pence) bool {
	c := *pot
	c.Status = linkwork.PotOpen
	return p.CanDecideSpend(&c, amount)
}

// ownGrant reports whether a spend is a micro-grant to a group the principal applies for.
func ownGrant(p *linkwork.Principal, s *linkwork.Spend) bool {
	return s.Kind == linkwork.SpendGrant && s.GroupOrganisationID != 0 && s.PlaceID == p.Place.ID &&
		p.CanIn(linkwork.PermApplyForGrants, s.GroupOrganisationID)
}

// forbidden is the refusal of someone who may see a record but not do this to it.
func forbidden(format string, args ...any) error {
	return linkwork.Errorf(linkwork.EFORBIDDEN, format, args...)
}

// visiblePot returns the pot in the path if the principal may see it.
func (h *Handler) visiblePot(r *http.Request) (*linkwork.BudgetPot, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	pot, err := h.svc.Budgets.FindPot(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if !principal(r).CanSeePot(pot) {
		return nil, linkwork.Errorf(linkwork.ENOTFOUND, "Budget pot not found.")
	}
	return pot, nil
}

// managedPot returns the pot in the path if the principal may manage it: add money, close
// it, reverse its entries.
func (h *Handler) managedPot(r *http.Request) (*linkwork.BudgetPot, error) {
	pot, err := h.visiblePot(r)
	if err != nil {
		return nil, err
	}
	if !principal(r).CanIn(linkwork.PermManageBudgets, pot.OrganisationID) {
		return nil, forbidden("Only a manager of %s, or someone who manages budgets for the whole place, can do this.", pot.OrganisationName)
	}
	return pot, nil
}

func (h *Handler) listPots(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	page, err := pageParams(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	f := linkwork.PotFilter{PlaceID: p.Place.ID}
	switch s := linkwork.PotStatus(q.Get("status")); s {
	case "", linkwork.PotOpen, linkwork.PotClosed:
		f.Status = s
	default:
		h.fail(w, r, linkwork.FieldError("status", "status must be open or closed, or left out for both."))
		return
	}
	switch q.Get("open_to_applications") {
	case "", "false":
	case "true":
		f.OpenToApplications = true
	default:
		h.fail(w, r, linkwork.FieldError("open_to_applications", "open_to_applications must be true or false."))
		return
	}
	switch {
	case f.OpenToApplications && (p.Can(linkwork.PermApplyForGrants) || p.Can(linkwork.PermViewBudgets)):
		// The pots groups may apply to, across the place.
	case p.CanPlaceWide(linkwork.PermViewBudgets):
	case p.Can(linkwork.PermViewBudgets):
		f.OrganisationIDs = p.OrganisationsWith(linkwork.PermViewBudgets)
	case p.Can(linkwork.PermApplyForGrants):
		f.OpenToApplications = true
	default:
		h.fail(w, r, forbidden("Your role does not allow this: budgets are for link workers, their managers and commissioners, and community groups applying for micro-grants."))
		return
	}
	pots, err := h.svc.Budgets.ListPots(r.Context(), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pageOf(pots, page))
}

func (h *Handler) getPot(w http.ResponseWriter, r *http.Request) {
	pot, err := h.visiblePot(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pot)
}

func (h *Handler) potLedger(w http.ResponseWriter, r *http.Request) {
	page, err := pageParams(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	pot, err := h.visiblePot(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	entries, err := h.svc.Budgets.Ledger(r.Context(), pot.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pageOf(entries, page))
}

// potDay reads a pot's day, year-month-day, as midnight UTC; empty is the zero time, which
// the pot's validation names.
func potDay(field, v string, ps *linkwork.Problems) time.Time {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}
	}
	d, err := time.Parse(time.DateOnly, v)
	if err != nil {
		ps.Add(linkwork.FieldError(field, "%s must be a date, year-month-day, such as 2026-04-01.", field))
	}
	return d
}

func (h *Handler) createPot(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	key, err := idempotencyKey(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var b PotBody
	if err := decodeBudget(w, r, &b); err != nil {
		h.fail(w, r, err)
		return
	}
	if _, err := linkwork.ChosenOrganisation(r.Context(), h.svc.Organisations, p, b.OrganisationID); err != nil {
		h.fail(w, r, err)
		return
	}
	if !p.CanIn(linkwork.PermManageBudgets, b.OrganisationID) {
		h.fail(w, r, forbidden("You can set up pots only for your own organisations."))
		return
	}
	var ps linkwork.Problems
	pot := &linkwork.BudgetPot{PlaceID: p.Place.ID, OrganisationID: b.OrganisationID, Holder: b.Holder, ServiceID: b.ServiceID,
		UserID: b.UserID, Name: b.Name, Funder: b.Funder, PeriodStart: potDay("period_start", b.PeriodStart, &ps),
		PeriodEnd: potDay("period_end", b.PeriodEnd, &ps), MaxPerItem: b.MaxPerItem, ApprovalThreshold: b.ApprovalThreshold,
		Kinds: b.Kinds, Needs: b.Needs, Rules: b.Rules, OpenToApplications: b.OpenToApplications}
	if b.InitialAmount < 0 || b.InitialAmount > linkwork.MaxAmount {
		ps.Add(linkwork.FieldError("initial_amount_pence", "initial_amount_pence must be from 0 (no money yet) to %d pence (%s).",
			int64(linkwork.MaxAmount), linkwork.MaxAmount))
	}
	if err := ps.Err(); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.svc.Budgets.CreatePot(r.Context(), pot, b.InitialAmount, key); err != nil {
		h.fail(w, r, bodyFields(err, budgetFields))
		return
	}
	out, err := h.svc.Budgets.FindPot(r.Context(), pot.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Location", Prefix+"/budgets/pots/"+idString(out.ID))
	writeJSON(w, http.StatusCreated, out)
}

func (h *Handler) allocate(w http.ResponseWriter, r *http.Request) {
	pot, err := h.managedPot(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	key, err := idempotencyKey(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var b AllocationBody
	if err := decodeBudget(w, r, &b); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := linkwork.CheckAmount("amount_pence", b.Amount); err != nil {
		h.fail(w, r, err)
		return
	}
	e, err := h.svc.Budgets.Allocate(r.Context(), pot.ID, b.Amount, b.Note, key)
	if err != nil {
		h.fail(w, r, bodyFields(err, budgetFields))
		return
	}
	writeJSON(w, http.StatusCreated, e)
}

func (h *Handler) closePot(w http.ResponseWriter, r *http.Request) {
	pot, err := h.managedPot(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var b VersionBody
	if err := decodeBudget(w, r, &b); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := requireVersion(b.Version, "pot"); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.svc.Budgets.ClosePot(r.Context(), pot.ID, *b.Version); err != nil {
		h.fail(w, r, err)
		return
	}
	out, err := h.svc.Budgets.FindPot(r.Context(), pot.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// entryPot finds a ledger entry and its pot among the pots the principal may manage. The
// budget service finds entries only through their pot's ledger, so the pots are read one
// by one: a place has tens of pots, not thousands.
func (h *Handler) entryPot(ctx context.Context, p *linkwork.Principal, entryID int64) (*linkwork.BudgetPot, error) {
	f := linkwork.PotFilter{PlaceID: p.Place.ID}
	if !p.CanPlaceWide(linkwork.PermManageBudgets) {
		f.OrganisationIDs = p.OrganisationsWith(linkwork.PermManageBudgets)
	}
	pots, err := h.svc.Budgets.ListPots(ctx, f)
	if err != nil {
		return nil, err
	}
	for _, pot := range pots {
		entries, err := h.svc.Budgets.Ledger(ctx, pot.ID)
		if err != nil {
			return nil, err
		}
		if slices.ContainsFunc(entries, func(e *linkwork.LedgerEntry) bool { return e.ID == entryID }) {
			return pot, nil
		}
	}
	return nil, linkwork.Errorf(linkwork.ENOTFOUND, "Ledger entry not found.")
}

func (h *Handler) reverseEntry(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	id, err := pathID(r, "id")
	if err == nil {
		_, err = h.entryPot(r.Context(), p, id)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	key, err := idempotencyKey(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var b ReasonBody
	if err := decodeBudget(w, r, &b); err != nil {
		h.fail(w, r, err)
		return
	}
	e, err := h.svc.Budgets.Reverse(r.Context(), id, b.Reason, key)
	if err != nil {
		h.fail(w, r, bodyFields(err, budgetFields))
		return
	}
	writeJSON(w, http.StatusCreated, e)
}

// mayUseSpends refuses a principal who can see no spend at all: neither budgets nor grants.
func mayUseSpends(p *linkwork.Principal) error {
	if p.Can(linkwork.PermViewBudgets) || p.Can(linkwork.PermApplyForGrants) {
		return nil
	}
	return forbidden("Your role does not allow this: budgets are for link workers, their managers and commissioners, and community groups applying for micro-grants.")
}

// showsPerson reports whether the principal may see who a personal spend was for: only the
// organisation whose caseload the person is on, which holds the pot.
func showsPerson(p *linkwork.Principal, s *linkwork.Spend) bool {
	return p.CanIn(linkwork.PermViewCases, s.PotOrganisationID)
}

// forReader returns the spend as the principal may see it: a personal spend keeps its
// person, goal and reason only for the organisation that holds the pot.
func forReader(p *linkwork.Principal, s *linkwork.Spend) *linkwork.Spend {
	if s.Kind != linkwork.SpendPersonal || showsPerson(p, s) {
		return s
	}
	c := *s
	c.PersonID, c.PersonName, c.GoalID, c.Reason = 0, "", 0, ""
	return &c
}

// visibleSpend returns the spend in the path if the principal may see it: through its pot,
// or as a grant to their group.
func (h *Handler) visibleSpend(r *http.Request) (*linkwork.Spend, error) {
	p := principal(r)
	if err := mayUseSpends(p); err != nil {
		return nil, err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	s, err := h.svc.Budgets.FindSpend(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if s.PlaceID != p.Place.ID || !p.CanIn(linkwork.PermViewBudgets, s.PotOrganisationID) && !ownGrant(p, s) {
		return nil, linkwork.Errorf(linkwork.ENOTFOUND, "Spend not found.")
	}
	return s, nil
}

// spendAndPot returns the spend in the path, if the principal may see it, with its pot.
func (h *Handler) spendAndPot(r *http.Request) (*linkwork.Spend, *linkwork.BudgetPot, error) {
	s, err := h.visibleSpend(r)
	if err != nil {
		return nil, nil, err
	}
	pot, err := h.svc.Budgets.FindPot(r.Context(), s.PotID)
	if err != nil {
		return nil, nil, err
	}
	return s, pot, nil
}

// auditPeople records that the principal was shown who personal spends were for.
func (h *Handler) auditPeople(r *http.Request, recordID, detail string) error {
	return h.svc.Audit.RecordAudit(r.Context(), &linkwork.AuditEvent{Action: linkwork.AuditSpendList, RecordType: "spend",
		RecordID: recordID, Detail: "api: " + detail})
}

func (h *Handler) listSpends(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if err := mayUseSpends(p); err != nil {
		h.fail(w, r, err)
		return
	}
	page, err := pageParams(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	f := linkwork.SpendFilter{PlaceID: p.Place.ID, Page: page}
	var ps linkwork.Problems
	if s := q.Get("pot_id"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			ps.Add(linkwork.FieldError("pot_id", "pot_id must be the ID of a budget pot."))
		}
		f.PotID = id
	}
	if k := linkwork.SpendKind(q.Get("kind")); k != "" {
		if k.Label() == "" {
			ps.Add(linkwork.FieldError("kind", "kind must be micro_grant or personal."))
		}
		f.Kind = k
	}
	for _, v := range q["status"] {
		for _, s := range strings.Split(v, ",") {
			st := linkwork.SpendStatus(strings.TrimSpace(s))
			if st.Label() == "" {
				names := make([]string, len(linkwork.SpendStatuses))
				for i, s := range linkwork.SpendStatuses {
					names[i] = string(s)
				}
				ps.Add(linkwork.FieldError("status", "status must be one or more of %s, repeated or separated by commas.", strings.Join(names, ", ")))
				break
			}
			if !slices.Contains(f.Statuses, st) {
				f.Statuses = append(f.Statuses, st)
			}
		}
	}
	if err := ps.Err(); err != nil {
		h.fail(w, r, err)
		return
	}
	// Whose spends: those of the pots the principal sees, and the grants to their groups.
	if !p.CanPlaceWide(linkwork.PermViewBudgets) {
		f.PotOrganisationIDs = p.OrganisationsWith(linkwork.PermViewBudgets)
		f.GroupOrganisationIDs = p.OrganisationsWith(linkwork.PermApplyForGrants)
		if len(f.PotOrganisationIDs) == 0 && len(f.GroupOrganisationIDs) == 0 {
			// Neither would mean every spend of the place.
			writeJSON(w, http.StatusOK, newList([]*linkwork.Spend(nil), page, 0))
			return
		}
	}
	items, total, err := h.svc.Budgets.ListSpends(r.Context(), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	people := false
	for i, s := range items {
		items[i] = forReader(p, s)
		people = people || items[i].PersonID != 0
	}
	if people {
		if err := h.auditPeople(r, "", r.URL.RawQuery); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	writeJSON(w, http.StatusOK, newList(items, page, total))
}

func (h *Handler) getSpend(w http.ResponseWriter, r *http.Request) {
	s, err := h.visibleSpend(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := forReader(principal(r), s)
	if out.PersonID != 0 {
		if err := h.auditPeople(r, idString(s.ID), "one spend"); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *Handler) createSpend(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if err := mayActOnSpends(p); err != nil {
		h.fail(w, r, err)
		return
	}
	key, err := idempotencyKey(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var b SpendBody
	if err := decodeBudget(w, r, &b); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := linkwork.CheckAmount("amount_pence", b.Amount); err != nil {
		h.fail(w, r, err)
		return
	}
	var pot *linkwork.BudgetPot
	if b.PotID > 0 {
		pot, err = h.svc.Budgets.FindPot(r.Context(), b.PotID)
		if err != nil && linkwork.ErrorCode(err) != linkwork.ENOTFOUND {
			h.fail(w, r, err)
			return
		}
	}
	if pot == nil || pot.PlaceID != p.Place.ID {
		h.fail(w, r, linkwork.FieldError("pot_id", "pot_id must be the ID of a budget pot in %s.", p.Place.Name))
		return
	}
	s := &linkwork.Spend{PlaceID: p.Place.ID, PotID: pot.ID, Kind: b.Kind, Amount: b.Amount, Need: b.Need,
		FundingOpportunityID: b.FundingOpportunityID, GroupOrganisationID: b.GroupOrganisationID, ActivityName: b.ActivityName,
		Purpose: b.Purpose, Postcode: b.Postcode, PeopleExpected: b.PeopleExpected, ContactName: b.ContactName,
		ContactEmail: b.ContactEmail, ContactPhone: b.ContactPhone, PersonID: b.PersonID, GoalID: b.GoalID, Item: b.Item,
		Reason: b.Reason}
	switch b.Kind {
	case linkwork.SpendGrant:
		// A group applies for itself to a pot open to applications; whoever may spend from
		// the pot records an application for any group of the place, or a new activity.
		if !handles(p, pot) {
			switch {
			case !p.Can(linkwork.PermApplyForGrants):
				err = forbidden("You cannot spend from this pot: it is %s's.", pot.OrganisationName)
			case b.GroupOrganisationID == 0 || !p.CanIn(linkwork.PermApplyForGrants, b.GroupOrganisationID):
				err = linkwork.FieldError("group_organisation_id", "group_organisation_id must be the ID of a group you apply for.")
			case !pot.OpenToApplications:
				err = linkwork.FieldError("pot_id", "This pot does not take applications from groups: choose one that is open to applications.")
			}
		}
		if err == nil {
			err = h.svc.Budgets.ApplyForGrant(r.Context(), s, key)
		}
	case linkwork.SpendPersonal:
		if !handles(p, pot) {
			err = forbidden("Only those who may spend from this pot (%s's) can record a personal spend from it.", pot.OrganisationName)
			break
		}
		// As on the person's page: for someone whose case the principal works on.
		if b.PersonID > 0 {
			person, perr := linkwork.VisiblePerson(r.Context(), h.svc.Cases, p, b.PersonID)
			switch {
			case perr != nil && linkwork.ErrorCode(perr) != linkwork.ENOTFOUND:
				err = perr
			case perr != nil || !p.CanWorkOn(person):
				err = linkwork.FieldError("person_id", "person_id must be a person whose case you work on, on the caseload of %s, which holds the pot.",
					pot.OrganisationName)
			}
			if err != nil {
				break
			}
		}
		err = h.svc.Budgets.SpendForPerson(r.Context(), s, p.CanIn(linkwork.PermApproveSpends, pot.OrganisationID), key)
	default:
		err = linkwork.FieldError("kind", "kind must be micro_grant (a grant to a community group or a new activity) or personal (for a person on a caseload).")
	}
	if err != nil {
		h.fail(w, r, bodyFields(err, budgetFields))
		return
	}
	w.Header().Set("Location", Prefix+"/budgets/spends/"+idString(s.ID))
	writeJSON(w, http.StatusCreated, forReader(p, s))
}

func (h *Handler) decideSpend(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	s, pot, err := h.spendAndPot(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !mayDecide(p, pot, s.Amount) {
		msg := "Only a manager of %s can decide on this spend."
		if handles(p, pot) {
			msg = "This spend is more than the pot's approval threshold: only a manager of %s can decide on it."
		}
		h.fail(w, r, forbidden(msg, pot.OrganisationName))
		return
	}
	key, err := idempotencyKey(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var b DecisionBody
	if err := decodeBudget(w, r, &b); err != nil {
		h.fail(w, r, err)
		return
	}
	var ps linkwork.Problems
	if b.Approve == nil {
		ps.Add(linkwork.FieldError("approve", "approve is required: true to approve the spend, false to decline it (with a reason)."))
	}
	ps.Add(requireVersion(b.Version, "spend"))
	if err := ps.Err(); err != nil {
		h.fail(w, r, err)
		return
	}
	out, err := h.svc.Budgets.Decide(r.Context(), s.ID, *b.Version, linkwork.Decision{Approve: *b.Approve, Reason: b.Reason}, key)
	if err != nil {
		h.fail(w, r, bodyFields(err, budgetFields))
		return
	}
	writeJSON(w, http.StatusOK, forReader(p, out))
}

func (h *Handler) payGrant(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	s, pot, err := h.spendAndPot(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !handles(p, pot) {
		h.fail(w, r, forbidden("Only those who may spend from this pot (%s's) can pay its grants.", pot.OrganisationName))
		return
	}
	key, err := idempotencyKey(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var b VersionBody
	if err := decodeBudget(w, r, &b); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := requireVersion(b.Version, "grant"); err != nil {
		h.fail(w, r, err)
		return
	}
	out, err := h.svc.Budgets.PayGrant(r.Context(), s.ID, *b.Version, key)
	if err != nil {
		h.fail(w, r, bodyFields(err, budgetFields))
		return
	}
	writeJSON(w, http.StatusOK, forReader(p, out))
}

// mayActOnSpends refuses a principal who neither spends from pots nor applies for grants:
// they may see spends, but never withdraw or report on one.
func mayActOnSpends(p *linkwork.Principal) error {
	if p.Can(linkwork.PermSpendBudgets) || p.Can(linkwork.PermApplyForGrants) {
		return nil
	}
	return forbidden("Your role does not allow this: those who spend from a pot, and the groups that applied, act on its spends.")
}

func (h *Handler) withdrawSpend(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if err := mayActOnSpends(p); err != nil {
		h.fail(w, r, err)
		return
	}
	s, pot, err := h.spendAndPot(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !handles(p, pot) && !ownGrant(p, s) {
		h.fail(w, r, forbidden("Only the group that applied, or those who may spend from the pot, can withdraw this spend."))
		return
	}
	key, err := idempotencyKey(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var b WithdrawalBody
	if err := decodeBudget(w, r, &b); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := requireVersion(b.Version, "spend"); err != nil {
		h.fail(w, r, err)
		return
	}
	out, err := h.svc.Budgets.Withdraw(r.Context(), s.ID, *b.Version, b.Reason, key)
	if err != nil {
		h.fail(w, r, bodyFields(err, budgetFields))
		return
	}
	writeJSON(w, http.StatusOK, forReader(p, out))
}

func (h *Handler) refundSpend(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if !p.Can(linkwork.PermSpendBudgets) && !p.Can(linkwork.PermManageBudgets) {
		h.fail(w, r, forbidden("Your role does not allow this: those who spend from a pot or manage it record money paid back."))
		return
	}
	s, pot, err := h.spendAndPot(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !handles(p, pot) && !p.CanIn(linkwork.PermManageBudgets, pot.OrganisationID) {
		h.fail(w, r, forbidden("Only those who may spend from this pot (%s's), or manage it, can record money paid back.", pot.OrganisationName))
		return
	}
	key, err := idempotencyKey(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var b RefundBody
	if err := decodeBudget(w, r, &b); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := linkwork.CheckAmount("amount_pence", b.Amount); err != nil {
		h.fail(w, r, err)
		return
	}
	e, err := h.svc.Budgets.Refund(r.Context(), s.ID, b.Amount, b.Note, key)
	if err != nil {
		h.fail(w, r, bodyFields(err, budgetFields))
		return
	}
	writeJSON(w, http.StatusCreated, e)
}

func (h *Handler) reportOnGrant(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if err := mayActOnSpends(p); err != nil {
		h.fail(w, r, err)
		return
	}
	s, pot, err := h.spendAndPot(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !ownGrant(p, s) && !handles(p, pot) {
		h.fail(w, r, forbidden("Only the group the grant went to, or those who may spend from the pot, can report on it."))
		return
	}
	var b GrantReportBody
	if err := decodeBudget(w, r, &b); err != nil {
		h.fail(w, r, err)
		return
	}
	out, err := h.svc.Budgets.ReportOnGrant(r.Context(), s.ID, &linkwork.GrantReport{WhatHappened: b.WhatHappened,
		PeopleReached: b.PeopleReached, Volunteers: b.Volunteers, AmountUsed: b.AmountUsed})
	if err != nil {
		h.fail(w, r, bodyFields(err, budgetFields))
		return
	}
	writeJSON(w, http.StatusOK, forReader(p, out))
}

func (h *Handler) spendReport(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	q := r.URL.Query()
	f, err := spending.Filter(r.Context(), h.svc.Organisations, p, spending.Query{From: q.Get("from"), To: q.Get("to"),
		OrganisationID: q.Get("organisation_id")}, time.Now())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	rep, err := h.svc.Budgets.SpendReport(r.Context(), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, spending.Public(rep))
}
