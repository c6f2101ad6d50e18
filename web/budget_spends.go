package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"linkwork"
)

// Spends from devolved budgets: a personal spend made from a person's record for a goal of
// their plan, and a spend's page with what may be done to it — decide on it, pay a grant,
// withdraw it before it is paid, record money paid back. Who a personal spend is for is
// shown only to the people of the organisation that holds the pot, and each look is audited.

func (h *Handler) registerBudgetSpends(g registrar) {
	view, spend := linkwork.PermViewBudgets, linkwork.PermSpendBudgets
	g.Handle("GET", "/people/{id}/spend", spend, h.newPersonalSpend)
	g.Handle("POST", "/people/{id}/spend", spend, h.createPersonalSpend)
	g.Handle("GET", "/budgets/{id}/spends/{spend}", view, h.spend)
	g.Handle("POST", "/budgets/{id}/spends/{spend}/decide", spend, h.decideSpend)
	g.Handle("POST", "/budgets/{id}/spends/{spend}/pay", spend, h.payGrant)
	g.Handle("POST", "/budgets/{id}/spends/{spend}/withdraw", spend, h.withdrawSpend)
	// Money paid back is recorded by those who spend from the pot or manage its budgets.
	g.Handle("POST", "/budgets/{id}/spends/{spend}/refund", view, h.refundSpend)
}

func init() {
	for k, v := range map[string]string{
		"spend-paid":      "The spend is recorded and paid from the pot.",
		"spend-requested": "The spend is waiting for a manager's approval. Its amount is set aside in the pot until then.",
		"grant-approved":  "The grant is approved and its amount set aside in the pot. Pay it when the money goes to the group.",
		"spend-approved":  "The spend is approved and paid from the pot.",
		"spend-declined":  "The spend is declined. Anything set aside for it is back in the pot.",
		"grant-paid":      "The grant is paid. The group is asked to report back on what it did with the money.",
		"spend-withdrawn": "The spend is withdrawn. Anything set aside for it is back in the pot.",
		"spend-refunded":  "The money paid back is recorded in the pot.",
	} {
		flashMessages[k] = v
	}
}

// spendablePots returns the pots of the person's organisation from which the principal may
// make a personal spend today.
func (h *Handler) spendablePots(r *http.Request, person *linkwork.Person) ([]*linkwork.BudgetPot, error) {
	p := principal(r)
	if !p.CanIn(linkwork.PermSpendBudgets, person.OrganisationID) {
		return nil, nil
	}
	pots, err := h.svc.Budgets.ListPots(r.Context(), linkwork.PotFilter{PlaceID: p.Place.ID,
		OrganisationIDs: []int64{person.OrganisationID}, Status: linkwork.PotOpen})
	if err != nil {
		return nil, err
	}
	now := timeNow()
	var out []*linkwork.BudgetPot
	for _, pot := range pots {
		if p.CanSpendFrom(pot) && pot.Open(now) && slices.Contains(pot.Kinds, linkwork.SpendPersonal) {
			out = append(out, pot)
		}
	}
	return out, nil
}

// canSpendFor reports whether the principal may make a personal spend for the person: they
// work on the person's case, which is active, and may spend from an open pot of its
// organisation.
func (h *Handler) canSpendFor(r *http.Request, person *linkwork.Person) (bool, error) {
	p := principal(r)
	if person.Status != linkwork.PersonActive || !p.CanWorkOn(person) || !p.CanIn(linkwork.PermSpendBudgets, person.OrganisationID) {
		return false, nil
	}
	pots, err := h.spendablePots(r, person)
	return len(pots) > 0, err
}

// personalSpendFields are the fields of the personal spend form in the order it shows them.
var personalSpendFields = []string{"pot_id", "goal_id", "item", "amount", "need", "reason"}

// PotChoice is a pot offered on a form, with what its rules mean for the spend.
type PotChoice struct {
	Value string
	ID    string
	Label string
	Hint  string
}

// PersonalSpendView is the view of the form that spends from a budget for a person.
type PersonalSpendView struct {
	Layout
	Form    *Form
	Problem string
	Person  *linkwork.Person
	Pots    []PotChoice
	Goals   []dirChoice
	Needs   []dirChoice
	// Approval says, once an amount and a pot are known, whether the spend will wait for a
	// manager.
	Approval string
	Key      string
	// Inactive is set when the person's case is not active, so nothing can be spent.
	Inactive bool
}

// approvalWords says what a pot's approval threshold means for the principal's spends.
func approvalWords(p *linkwork.Principal, pot *linkwork.BudgetPot) string {
	switch {
	case p.CanIn(linkwork.PermApproveSpends, pot.OrganisationID):
		return "As a manager, what you spend from it is approved as you make it and paid at once."
	case pot.ApprovalThreshold == 0:
		return "Every spend from it waits for a manager's approval."
	}
	return "Up to " + pot.ApprovalThreshold.String() + " is paid at once; more waits for a manager's approval."
}

// approvalNote says whether a spend of amount from pot will wait for a manager.
func approvalNote(p *linkwork.Principal, pot *linkwork.BudgetPot, amount linkwork.Pence) string {
	switch {
	case p.CanIn(linkwork.PermApproveSpends, pot.OrganisationID):
		return "As a manager, your spend of " + amount.String() + " is approved as you make it and paid at once."
	case pot.NeedsApproval(amount):
		return amount.String() + " from " + pot.Name + " needs a manager's approval: it will wait for one, with its amount set aside."
	}
	return amount.String() + " from " + pot.Name + " is within what you may spend: it will be paid at once."
}

// personalSpendView fills the form's choices: the pots the principal may spend from for the
// person, and the goals of the person's plan still being worked on.
func (h *Handler) personalSpendView(r *http.Request, person *linkwork.Person, f *Form) (*PersonalSpendView, []*linkwork.BudgetPot, error) {
	p := principal(r)
	f.Order = personalSpendFields
	v := &PersonalSpendView{Layout: Layout{Title: "Spend from a budget for " + person.KnownAs()}, Form: f, Person: person,
		Inactive: person.Status != linkwork.PersonActive}
	pots, err := h.spendablePots(r, person)
	if err != nil {
		return nil, nil, err
	}
	needs, names, err := h.needTerms(r)
	if err != nil {
		return nil, nil, err
	}
	v.Needs = needs
	for i, pot := range pots {
		c := PotChoice{Value: strconv.FormatInt(pot.ID, 10), ID: "pot_id",
			Label: pot.Name + ": " + pot.Balance.Available.String() + " available"}
		if i > 0 {
			c.ID += "-" + c.Value
		}
		hint := []string{approvalWords(p, pot)}
		if pot.MaxPerItem > 0 {
			hint = append(hint, "At most "+pot.MaxPerItem.String()+" per item.")
		}
		if len(pot.Needs) > 0 {
			hint = append(hint, "Only for "+strings.ToLower(strings.Join(needNames(pot.Needs, names), ", "))+".")
		}
		c.Hint = strings.Join(hint, " ")
		v.Pots = append(v.Pots, c)
	}
	plan, err := h.svc.Cases.Plan(r.Context(), person.ID)
	if err != nil {
		return nil, nil, err
	}
	if plan != nil {
		for _, g := range plan.Goals {
			if g.Status == linkwork.GoalActive {
				v.Goals = append(v.Goals, dirChoice{Value: strconv.FormatInt(g.ID, 10), Label: g.Text})
			}
		}
	}
	keepKey(f, linkwork.IdempotencyKeyField)
	v.Key = f.Get(linkwork.IdempotencyKeyField)
	return v, pots, nil
}

func (h *Handler) newPersonalSpend(w http.ResponseWriter, r *http.Request) {
	person, err := h.casePerson(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	f := NewForm()
	f.Values["goal_id"] = r.URL.Query().Get("goal")
	v, pots, err := h.personalSpendView(r, person, f)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if len(pots) == 1 {
		f.Values["pot_id"] = strconv.FormatInt(pots[0].ID, 10)
	}
	if len(v.Goals) == 1 {
		f.Values["goal_id"] = v.Goals[0].Value
	}
	if err := h.auditPerson(r, linkwork.AuditPersonView, person.ID, "personal spend form"); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "budgets_spend_new", v)
}

// potRefusal says why a pot that is not on the form cannot be spent from.
func (h *Handler) potRefusal(r *http.Request, value string, person *linkwork.Person) (string, error) {
	refuse := "Choose a pot from the list."
	id, err := strconv.ParseInt(value, 10, 64)
	if err != nil || id <= 0 {
		return refuse, nil
	}
	pot, err := h.svc.Budgets.FindPot(r.Context(), id)
	switch {
	case isNotFound(err):
		return refuse, nil
	case err != nil:
		return "", err
	case pot.PlaceID != principal(r).Place.ID || pot.OrganisationID != person.OrganisationID || !principal(r).CanSeePot(pot):
		return refuse, nil
	case !pot.Open(timeNow()):
		return pot.Name + " is closed or outside its period, so nothing can be spent from it. Choose an open pot.", nil
	case !slices.Contains(pot.Kinds, linkwork.SpendPersonal):
		return pot.Name + " is not for personal spends. Choose another pot.", nil
	}
	return "You may not spend from " + pot.Name + ". Choose a pot from the list.", nil
}

func (h *Handler) createPersonalSpend(w http.ResponseWriter, r *http.Request) {
	person, err := h.casePerson(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	p := principal(r)
	_ = r.ParseForm()
	f := formFrom(r, append(personalSpendFields, linkwork.IdempotencyKeyField)...)
	v, pots, err := h.personalSpendView(r, person, f)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	s := &linkwork.Spend{PlaceID: p.Place.ID, Kind: linkwork.SpendPersonal, PersonID: person.ID, Item: f.Get("item"),
		Reason: f.Get("reason"), Need: f.Get("need"), RequestedByUserID: p.User.ID, RequestedBy: p.User.Name}
	var pot *linkwork.BudgetPot
	if value := f.Get("pot_id"); value != "" {
		if i := slices.IndexFunc(pots, func(pt *linkwork.BudgetPot) bool { return strconv.FormatInt(pt.ID, 10) == value }); i >= 0 {
			pot = pots[i]
			s.PotID = pot.ID
		} else {
			why, err := h.potRefusal(r, value, person)
			if err != nil {
				h.serverError(w, r, err)
				return
			}
			f.Fail("pot_id", why)
		}
	}
	s.GoalID = chooseFrom(f, "goal_id", v.Goals, "Choose one of the goals the person is working on.")
	if s.Need != "" && !slices.ContainsFunc(v.Needs, func(c dirChoice) bool { return c.Value == s.Need }) {
		f.Fail("need", "Choose the need from the list.")
	}
	s.Amount = readPounds(f, "amount", false)
	if pot != nil {
		if ok, why := pot.Allows(linkwork.SpendPersonal, s.Need); !ok && s.Need != "" {
			f.Fail("need", why)
		}
		if s.Amount > 0 {
			v.Approval = approvalNote(p, pot, s.Amount)
		}
	}
	if err := s.Validate(); err != nil && !addProblems(f, err, personalSpendFields, "pot_id") {
		h.serverError(w, r, err)
		return
	}
	status := http.StatusUnprocessableEntity
	if !f.HasErrors() {
		approved := p.CanIn(linkwork.PermApproveSpends, pot.OrganisationID)
		err := h.svc.Budgets.SpendForPerson(r.Context(), s, approved, v.Key)
		if err == nil {
			flash := "spend-requested"
			if s.Status == linkwork.SpendPaid {
				flash = "spend-paid"
			}
			h.redirect(w, r, spendPath(s.PotID, s.ID), flash)
			return
		}
		problem, ok := prefixed(f, err, "", personalSpendFields)
		if !ok {
			h.failed(w, r, err)
			return
		}
		v.Problem, status = problem, moneyStatus(err)
	}
	h.render(w, r, status, "budgets_spend_new", v)
}

// SpendView is the view of one spend's page.
type SpendView struct {
	Layout
	Row     SpendRow
	Spend   *linkwork.Spend
	Pot     *linkwork.BudgetPot
	PotPath string
	// Goal is the goal of the person's plan a personal spend is for, shown with their name.
	Goal string
	Need string
	// Gap is the landscape gap the spend fills, in words.
	Gap     string
	History []EntryRow
	Overdue bool
	// Form holds the input and problems of the page's forms, each field prefixed with its
	// form ("decide-", "withdraw-", "refund-"); Problem one no field shows.
	Form      *Form
	Problem   string
	Decisions []dirChoice
	// What the principal may do.
	CanDecide   bool
	CanPay      bool
	CanWithdraw bool
	CanRefund   bool
	// CanReport is set for a paid grant to a new activity without a group, whose report
	// back someone who may spend from the pot records.
	CanReport bool
	// RefundMax is the most that may still be paid back.
	RefundMax linkwork.Pence
}

// pathSpend returns the spend in the path with its pot, if both are in the principal's
// place and the spend is the pot's; ENOTFOUND otherwise.
func (h *Handler) pathSpend(r *http.Request) (*linkwork.Spend, *linkwork.BudgetPot, error) {
	potID, err := pathID(r, "id")
	if err != nil {
		return nil, nil, err
	}
	spendID, err := pathID(r, "spend")
	if err != nil {
		return nil, nil, err
	}
	s, err := h.svc.Budgets.FindSpend(r.Context(), spendID)
	if err != nil {
		return nil, nil, err
	}
	if s.PotID != potID || s.PlaceID != principal(r).Place.ID {
		return nil, nil, linkwork.Errorf(linkwork.ENOTFOUND, "Spend not found.")
	}
	pot, err := h.svc.Budgets.FindPot(r.Context(), s.PotID)
	if err != nil {
		return nil, nil, err
	}
	return s, pot, nil
}

// seenSpend returns the spend in the path if the principal may see its pot.
func (h *Handler) seenSpend(r *http.Request) (*linkwork.Spend, *linkwork.BudgetPot, error) {
	s, pot, err := h.pathSpend(r)
	if err != nil {
		return nil, nil, err
	}
	if !principal(r).CanSeePot(pot) {
		return nil, nil, linkwork.Errorf(linkwork.ENOTFOUND, "Spend not found.")
	}
	return s, pot, nil
}

func (h *Handler) spend(w http.ResponseWriter, r *http.Request) {
	s, pot, err := h.pathSpend(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	if !principal(r).CanSeePot(pot) {
		// The group a grant is for sees its own application on its own page.
		if ownsGrant(principal(r), s) {
			http.Redirect(w, r, grantPath(s.ID), http.StatusSeeOther)
			return
		}
		h.notFound(w, r)
		return
	}
	h.showSpend(w, r, http.StatusOK, s, pot, NewForm(), "")
}

// showSpend renders a spend's page. A look at a personal spend that names its person is
// recorded as a look at their record.
func (h *Handler) showSpend(w http.ResponseWriter, r *http.Request, status int, s *linkwork.Spend, pot *linkwork.BudgetPot, f *Form, problem string) {
	p := principal(r)
	ctx := r.Context()
	row := spendRow(p, s)
	v := &SpendView{Layout: Layout{Title: row.What}, Row: row, Spend: s, Pot: pot, PotPath: potPath(pot.ID), Form: f,
		Problem: problem, Overdue: s.ReportOverdue(timeNow())}
	if row.Named {
		if err := h.auditPerson(r, linkwork.AuditPersonView, s.PersonID, "budget spend "+strconv.FormatInt(s.ID, 10)); err != nil {
			h.serverError(w, r, err)
			return
		}
		plan, err := h.svc.Cases.Plan(ctx, s.PersonID)
		if err != nil && !isNotFound(err) {
			h.serverError(w, r, err)
			return
		}
		if plan != nil {
			for _, g := range plan.Goals {
				if g.ID == s.GoalID {
					v.Goal = g.Text
				}
			}
		}
	}
	_, names, err := h.needTerms(r)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	v.Need = needNames([]string{s.Need}, names)[0]
	if s.FundingOpportunityID != 0 {
		opps, err := h.svc.Landscape.ListFundingOpportunities(ctx, p.Place.ID)
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		for _, o := range opps {
			if o.ID == s.FundingOpportunityID {
				v.Gap = gapWords(o)
			}
		}
	}
	entries, err := h.svc.Budgets.Ledger(ctx, pot.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	for _, e := range entries {
		if e.SpendID == s.ID {
			v.History = append(v.History, EntryRow{Entry: e, Effect: effectWords(e)})
		}
	}
	awaiting := s.Status == linkwork.SpendApplied || s.Status == linkwork.SpendRequested
	unpaid := awaiting || s.Status == linkwork.SpendApproved
	paid := s.Status == linkwork.SpendPaid || s.Status == linkwork.SpendReported
	v.CanDecide = awaiting && p.CanDecideSpend(pot, s.Amount)
	v.CanPay = s.Kind == linkwork.SpendGrant && s.Status == linkwork.SpendApproved && p.CanSpendFrom(pot)
	v.CanWithdraw = unpaid && p.CanSpendFrom(pot)
	v.RefundMax = s.Amount - s.Refunded
	v.CanRefund = paid && v.RefundMax > 0 && (p.CanIn(linkwork.PermManageBudgets, pot.OrganisationID) || p.CanSpendFrom(pot))
	v.CanReport = s.Kind == linkwork.SpendGrant && s.GroupOrganisationID == 0 && s.Status == linkwork.SpendPaid && p.CanSpendFrom(pot)
	approve := "Approve: pay it from the pot"
	if s.Kind == linkwork.SpendGrant {
		approve = "Approve: set the amount aside, to pay when the money goes to the group"
	}
	v.Decisions = []dirChoice{{Value: "approve", Label: approve}, {Value: "decline", Label: "Decline (say why below)"}}
	for _, k := range []string{"decide-key", "pay-key", "withdraw-key", "refund-key"} {
		keepKey(f, k)
	}
	h.render(w, r, status, "budgets_spend", v)
}

// gapWords names a landscape gap: its need and neighbourhood.
func gapWords(o *linkwork.FundingOpportunity) string {
	w := o.NeedLabel + " in " + o.NeighbourhoodName
	if o.IMDDecile > 0 {
		w += " (deprivation decile " + strconv.Itoa(o.IMDDecile) + ")"
	}
	return w
}

// spendRefused shows the spend's page again, as it is now, after a request about it was
// refused, with the problem next to the form's field or above the page.
func (h *Handler) spendRefused(w http.ResponseWriter, r *http.Request, s *linkwork.Spend, f *Form, err error, prefix string, fields []string) {
	problem, ok := prefixed(f, err, prefix, fields)
	if !ok {
		h.failed(w, r, err)
		return
	}
	now, ferr := h.svc.Budgets.FindSpend(r.Context(), s.ID)
	if ferr != nil {
		h.failed(w, r, ferr)
		return
	}
	pot, ferr := h.svc.Budgets.FindPot(r.Context(), now.PotID)
	if ferr != nil {
		h.failed(w, r, ferr)
		return
	}
	h.showSpend(w, r, moneyStatus(err), now, pot, f, problem)
}

// spendVersion reads the version a spend's form was shown with; a page without one was
// incomplete.
func (h *Handler) spendVersion(w http.ResponseWriter, r *http.Request, s *linkwork.Spend, pot *linkwork.BudgetPot) (int, bool) {
	version, err := strconv.Atoi(r.PostFormValue("version"))
	if err != nil {
		h.showSpend(w, r, http.StatusBadRequest, s, pot, NewForm(),
			"The page you sent that from was incomplete. Here is the spend as it is now: try again if you still need to.")
		return 0, false
	}
	return version, true
}

func (h *Handler) decideSpend(w http.ResponseWriter, r *http.Request) {
	s, pot, err := h.seenSpend(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	if !principal(r).CanDecideSpend(pot, s.Amount) {
		h.forbidden(w, r)
		return
	}
	version, ok := h.spendVersion(w, r, s, pot)
	if !ok {
		return
	}
	f := formFrom(r, "decide-decision", "decide-reason")
	f.Values["decide-key"] = r.PostFormValue(linkwork.IdempotencyKeyField)
	f.Order = []string{"decide-decision", "decide-reason"}
	d := linkwork.Decision{Approve: f.Get("decide-decision") == "approve", Reason: f.Get("decide-reason")}
	switch f.Get("decide-decision") {
	case "approve":
	case "decline":
		if strings.TrimSpace(d.Reason) == "" {
			f.Fail("decide-reason", "Say why the spend is declined: whoever asked for it will see your reason.")
		}
	default:
		f.Fail("decide-decision", "Choose to approve or to decline.")
	}
	if f.HasErrors() {
		h.showSpend(w, r, http.StatusUnprocessableEntity, s, pot, f, "")
		return
	}
	out, err := h.svc.Budgets.Decide(r.Context(), s.ID, version, d, f.Get("decide-key"))
	if err != nil {
		h.spendRefused(w, r, s, f, err, "decide-", []string{"reason"})
		return
	}
	flash := "spend-declined"
	switch out.Status {
	case linkwork.SpendApproved:
		flash = "grant-approved"
	case linkwork.SpendPaid:
		flash = "spend-approved"
	}
	h.redirect(w, r, spendPath(pot.ID, s.ID), flash)
}

func (h *Handler) payGrant(w http.ResponseWriter, r *http.Request) {
	s, pot, err := h.seenSpend(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	if !principal(r).CanSpendFrom(pot) {
		h.forbidden(w, r)
		return
	}
	version, ok := h.spendVersion(w, r, s, pot)
	if !ok {
		return
	}
	f := NewForm()
	f.Values["pay-key"] = r.PostFormValue(linkwork.IdempotencyKeyField)
	if _, err := h.svc.Budgets.PayGrant(r.Context(), s.ID, version, f.Get("pay-key")); err != nil {
		h.spendRefused(w, r, s, f, err, "pay-", nil)
		return
	}
	h.redirect(w, r, spendPath(pot.ID, s.ID), "grant-paid")
}

func (h *Handler) withdrawSpend(w http.ResponseWriter, r *http.Request) {
	s, pot, err := h.seenSpend(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	if !principal(r).CanSpendFrom(pot) {
		h.forbidden(w, r)
		return
	}
	version, ok := h.spendVersion(w, r, s, pot)
	if !ok {
		return
	}
	f := formFrom(r, "withdraw-reason")
	f.Values["withdraw-key"] = r.PostFormValue(linkwork.IdempotencyKeyField)
	if strings.TrimSpace(f.Get("withdraw-reason")) == "" {
		f.Fail("withdraw-reason", "Say why the spend is withdrawn, such as “The group found the money elsewhere”.")
		h.showSpend(w, r, http.StatusUnprocessableEntity, s, pot, f, "")
		return
	}
	if _, err := h.svc.Budgets.Withdraw(r.Context(), s.ID, version, f.Get("withdraw-reason"), f.Get("withdraw-key")); err != nil {
		h.spendRefused(w, r, s, f, err, "withdraw-", []string{"reason"})
		return
	}
	h.redirect(w, r, spendPath(pot.ID, s.ID), "spend-withdrawn")
}

func (h *Handler) refundSpend(w http.ResponseWriter, r *http.Request) {
	s, pot, err := h.seenSpend(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	p := principal(r)
	if !p.CanIn(linkwork.PermManageBudgets, pot.OrganisationID) && !p.CanSpendFrom(pot) {
		h.forbidden(w, r)
		return
	}
	f := formFrom(r, "refund-amount", "refund-note")
	f.Values["refund-key"] = r.PostFormValue(linkwork.IdempotencyKeyField)
	f.Order = []string{"refund-amount", "refund-note"}
	amount := readPounds(f, "refund-amount", false)
	if f.HasErrors() {
		h.showSpend(w, r, http.StatusUnprocessableEntity, s, pot, f, "")
		return
	}
	if _, err := h.svc.Budgets.Refund(r.Context(), s.ID, amount, f.Get("refund-note"), f.Get("refund-key")); err != nil {
		h.spendRefused(w, r, s, f, err, "refund-", []string{"amount", "note"})
		return
	}
	h.redirect(w, r, spendPath(pot.ID, s.ID), "spend-refunded")
}
