package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"linkwork"
)

// Micro-grants. A community group's side: the pots of the place open to applications, a
// short application, the group's own applications with their decisions, and the report back
// once a grant is paid. A group sees only its own applications. A link worker may also apply,
// from a pot's page, for a new activity made with the people who will use it, with no group
// yet; its decision and payment are on the spend's page (budget_spends.go).

func (h *Handler) registerGrants(g registrar) {
	apply := linkwork.PermApplyForGrants
	g.Handle("GET", "/grants", apply, h.grants)
	g.Handle("GET", "/grants/apply", apply, h.grantForm)
	g.Handle("POST", "/grants/apply", apply, h.applyForGrant)
	g.Handle("GET", "/grants/{id}", apply, h.grantApplication)
	g.Handle("POST", "/grants/{id}/withdraw", apply, h.withdrawGrant)
	g.Handle("GET", "/grants/{id}/report", apply, h.grantReportForm)
	g.Handle("POST", "/grants/{id}/report", apply, h.reportOnGrant)
	g.Handle("GET", "/budgets/{id}/grant", linkwork.PermSpendBudgets, h.activityGrantForm)
	g.Handle("POST", "/budgets/{id}/grant", linkwork.PermSpendBudgets, h.applyForActivityGrant)
	g.Handle("GET", "/budgets/{id}/spends/{spend}/report", linkwork.PermSpendBudgets, h.activityReportForm)
	g.Handle("POST", "/budgets/{id}/spends/{spend}/report", linkwork.PermSpendBudgets, h.reportOnActivityGrant)
}

func init() {
	for k, v := range map[string]string{
		"grant-applied":    "Your application has been sent. You will see the decision on this page.",
		"grant-reported":   "Thank you: your report has been sent to the pot's holder.",
		"grant-withdrawn":  "Your application is withdrawn.",
		"activity-applied": "The application for the new activity is made. It waits for a decision below.",
	} {
		flashMessages[k] = v
	}
}

// grantPath is the address of a grant application on the group's side.
func grantPath(id int64) string { return "/grants/" + strconv.FormatInt(id, 10) }

// ownsGrant reports whether the principal applies for grants for the group a grant is to.
func ownsGrant(p *linkwork.Principal, s *linkwork.Spend) bool {
	return s.Kind == linkwork.SpendGrant && s.GroupOrganisationID != 0 && s.PlaceID == p.Place.ID &&
		p.CanIn(linkwork.PermApplyForGrants, s.GroupOrganisationID)
}

// GrantPotRow is a pot open to applications, as groups see it.
type GrantPotRow struct {
	PotRow
	Needs []string
	// Closes is the last day of its period.
	Closes string
}

// GrantRow is one of the group's applications.
type GrantRow struct {
	Spend *linkwork.Spend
	Path  string
	Tag   string
	// ReportDue is set once a paid grant waits for its report; Overdue when it is late.
	ReportDue bool
	Overdue   bool
}

func grantRow(s *linkwork.Spend) GrantRow {
	return GrantRow{Spend: s, Path: grantPath(s.ID), Tag: spendTag(s.Status), ReportDue: s.Status == linkwork.SpendPaid,
		Overdue: s.ReportOverdue(timeNow())}
}

// GrantsView is the view of the group's micro-grants page.
type GrantsView struct {
	Layout
	Pots         []GrantPotRow
	Applications []GrantRow
	Pager        Pager
	// Several is set when the principal applies for more than one group.
	Several bool
}

func (h *Handler) grants(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	ctx := r.Context()
	groups := p.OrganisationsWith(linkwork.PermApplyForGrants)
	v := &GrantsView{Layout: Layout{Title: "Micro-grants"}, Several: len(groups) > 1}
	pots, err := h.svc.Budgets.ListPots(ctx, linkwork.PotFilter{PlaceID: p.Place.ID, Status: linkwork.PotOpen, OpenToApplications: true})
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	_, names, err := h.needTerms(r)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	now := timeNow()
	for _, pot := range pots {
		if pot.Open(now) && slices.Contains(pot.Kinds, linkwork.SpendGrant) {
			v.Pots = append(v.Pots, GrantPotRow{PotRow: potRow(pot, now), Needs: needNames(pot.Needs, names),
				Closes: dayText(pot.PeriodEnd)})
		}
	}
	page := pageFrom(r)
	if len(groups) > 0 {
		spends, total, err := h.svc.Budgets.ListSpends(ctx, linkwork.SpendFilter{PlaceID: p.Place.ID, GroupOrganisationIDs: groups,
			Kind: linkwork.SpendGrant, Page: page})
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		for _, s := range spends {
			v.Applications = append(v.Applications, grantRow(s))
		}
		v.Pager = newPager("/grants", "", page, total)
	}
	h.render(w, r, http.StatusOK, "grants", v)
}

// grantFields are the fields of the application form in the order it shows them.
var grantFields = []string{"group_organisation_id", "activity_name", "purpose", "need", "postcode", "people_expected", "amount",
	"funding_opportunity_id", "contact_name", "contact_email", "contact_phone"}

// GrantFormView is the view of the short application for a micro-grant.
type GrantFormView struct {
	Layout
	Form    *Form
	Problem string
	Row     PotRow
	Needs   []string
	// Groups are the groups the principal may apply for, when there are several; Group
	// names the one when there is one.
	Groups    []dirChoice
	Group     string
	NeedsList []dirChoice
	Gaps      []dirChoice
	Action    string
	Back      string
	BackLabel string
	// Activity is set when a link worker applies for a new activity, with no group.
	Activity bool
	Key      string
}

// grantFormView fills the application form's choices: the needs the pot allows, the gaps
// the place has chosen to fund, and the principal's groups.
func (h *Handler) grantFormView(r *http.Request, pot *linkwork.BudgetPot, f *Form, activity bool) (*GrantFormView, error) {
	p := principal(r)
	f.Order = grantFields
	v := &GrantFormView{Form: f, Row: potRow(pot, timeNow()), Activity: activity}
	needs, names, err := h.needTerms(r)
	if err != nil {
		return nil, err
	}
	v.Needs = needNames(pot.Needs, names)
	for _, n := range needs {
		if len(pot.Needs) == 0 || slices.Contains(pot.Needs, n.Value) {
			v.NeedsList = append(v.NeedsList, n)
		}
	}
	opps, err := h.svc.Landscape.ListFundingOpportunities(r.Context(), p.Place.ID)
	if err != nil {
		return nil, err
	}
	for _, o := range opps {
		if o.Status == "open" && (len(pot.Needs) == 0 || slices.Contains(pot.Needs, o.Need)) {
			v.Gaps = append(v.Gaps, dirChoice{Value: strconv.FormatInt(o.ID, 10), Label: gapWords(o)})
		}
	}
	if activity {
		v.Title = "Apply for a micro-grant for a new activity"
		v.Action, v.Back, v.BackLabel = potPath(pot.ID)+"/grant", potPath(pot.ID), "Back to "+pot.Name
	} else {
		v.Title = "Apply for a micro-grant"
		v.Action, v.Back, v.BackLabel = "/grants/apply?pot="+strconv.FormatInt(pot.ID, 10), "/grants", "Back to micro-grants"
		groups := applicantGroups(p)
		if len(groups) == 1 {
			v.Group = groups[0].Label
		} else {
			v.Groups = groups
		}
	}
	keepKey(f, linkwork.IdempotencyKeyField)
	v.Key = f.Get(linkwork.IdempotencyKeyField)
	return v, nil
}

// applicantGroups lists the groups the principal applies for grants for, by name.
func applicantGroups(p *linkwork.Principal) []dirChoice {
	var out []dirChoice
	for _, id := range p.OrganisationsWith(linkwork.PermApplyForGrants) {
		for _, m := range p.Memberships {
			if m.OrganisationID == id {
				out = append(out, dirChoice{Value: strconv.FormatInt(id, 10), Label: m.OrganisationName})
				break
			}
		}
	}
	slices.SortFunc(out, func(a, b dirChoice) int { return strings.Compare(strings.ToLower(a.Label), strings.ToLower(b.Label)) })
	return out
}

// applicationPot returns the pot a group applies to: a pot of the place open to
// applications (ENOTFOUND for any other), and open today (EINVALID, saying so, if not).
func (h *Handler) applicationPot(r *http.Request, value string) (*linkwork.BudgetPot, error) {
	notFound := linkwork.Errorf(linkwork.ENOTFOUND, "There is no pot taking applications like that.")
	id, err := strconv.ParseInt(value, 10, 64)
	if err != nil || id <= 0 {
		return nil, notFound
	}
	pot, err := h.svc.Budgets.FindPot(r.Context(), id)
	switch {
	case isNotFound(err):
		return nil, notFound
	case err != nil:
		return nil, err
	case pot.PlaceID != principal(r).Place.ID || !pot.OpenToApplications || !slices.Contains(pot.Kinds, linkwork.SpendGrant):
		return nil, notFound
	case !pot.Open(timeNow()):
		return nil, linkwork.Errorf(linkwork.EINVALID, "%s is not taking applications now: it is closed or outside its period. Choose another pot from the list of micro-grants.", pot.Name)
	}
	return pot, nil
}

// readGrantForm reads what the application and the new activity's application share.
func readGrantForm(f *Form, v *GrantFormView, s *linkwork.Spend) {
	s.Kind = linkwork.SpendGrant
	s.ActivityName, s.Purpose, s.Need, s.Postcode = f.Get("activity_name"), f.Get("purpose"), f.Get("need"), f.Get("postcode")
	s.ContactName, s.ContactEmail, s.ContactPhone = f.Get("contact_name"), f.Get("contact_email"), f.Get("contact_phone")
	s.PeopleExpected = readCount(f, "people_expected", "Enter the number of people you expect to take part, such as 20.")
	s.Amount = readPounds(f, "amount", false)
	if s.Need != "" && !slices.ContainsFunc(v.NeedsList, func(c dirChoice) bool { return c.Value == s.Need }) {
		f.Fail("need", "Choose the need from the list.")
	}
	s.FundingOpportunityID = chooseFrom(f, "funding_opportunity_id", v.Gaps, "Choose a gap from the list, or none.")
}

// submitGrant checks and stores an application, answering with the form again when it
// cannot be stored; it reports whether the application was stored.
func (h *Handler) submitGrant(w http.ResponseWriter, r *http.Request, f *Form, v *GrantFormView, s *linkwork.Spend) bool {
	if err := s.Validate(); err != nil && !addProblems(f, err, grantFields, "activity_name") {
		h.serverError(w, r, err)
		return false
	}
	status := http.StatusUnprocessableEntity
	if !f.HasErrors() {
		err := h.svc.Budgets.ApplyForGrant(r.Context(), s, v.Key)
		if err == nil {
			return true
		}
		problem, ok := prefixed(f, err, "", grantFields)
		if !ok {
			h.failed(w, r, err)
			return false
		}
		v.Problem, status = problem, moneyStatus(err)
	}
	h.render(w, r, status, "grants_apply", v)
	return false
}

func (h *Handler) grantForm(w http.ResponseWriter, r *http.Request) {
	pot, err := h.applicationPot(r, r.URL.Query().Get("pot"))
	if err != nil {
		h.failed(w, r, err)
		return
	}
	p := principal(r)
	f := NewForm()
	v, err := h.grantFormView(r, pot, f, false)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if groups := applicantGroups(p); len(groups) == 1 {
		f.Values["group_organisation_id"] = groups[0].Value
	}
	f.Values["contact_name"], f.Values["contact_email"] = p.User.Name, p.User.Email
	h.render(w, r, http.StatusOK, "grants_apply", v)
}

func (h *Handler) applyForGrant(w http.ResponseWriter, r *http.Request) {
	pot, err := h.applicationPot(r, r.URL.Query().Get("pot"))
	if err != nil {
		h.failed(w, r, err)
		return
	}
	p := principal(r)
	_ = r.ParseForm()
	f := formFrom(r, append(grantFields, linkwork.IdempotencyKeyField)...)
	v, err := h.grantFormView(r, pot, f, false)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	s := &linkwork.Spend{PlaceID: p.Place.ID, PotID: pot.ID, RequestedByUserID: p.User.ID, RequestedBy: p.User.Name}
	readGrantForm(f, v, s)
	// Only the principal's own groups: a group of another place, or one they do not
	// answer for, is refused here before the store sees it.
	s.GroupOrganisationID = chooseFrom(f, "group_organisation_id", applicantGroups(p), "Choose one of your groups.")
	if s.GroupOrganisationID == 0 && f.Error("group_organisation_id") == "" {
		f.Fail("group_organisation_id", "Choose the group that is applying.")
	}
	if h.submitGrant(w, r, f, v, s) {
		h.redirect(w, r, grantPath(s.ID), "grant-applied")
	}
}

// activityPot returns the pot in the path if the principal may spend from it on a
// micro-grant today: ENOTFOUND if they may not see it, EINVALID saying why if it is closed
// or not for grants, EFORBIDDEN if they may not spend from it.
func (h *Handler) activityPot(r *http.Request) (*linkwork.BudgetPot, error) {
	pot, err := h.visiblePot(r)
	if err != nil {
		return nil, err
	}
	switch {
	case !pot.Open(timeNow()):
		return nil, linkwork.Errorf(linkwork.EINVALID, "%s is closed or outside its period, so nothing can be spent from it.", pot.Name)
	case !slices.Contains(pot.Kinds, linkwork.SpendGrant):
		return nil, linkwork.Errorf(linkwork.EINVALID, "%s is not for micro-grants.", pot.Name)
	case !principal(r).CanSpendFrom(pot):
		return nil, linkwork.Errorf(linkwork.EFORBIDDEN, "You may not spend from this pot.")
	}
	return pot, nil
}

func (h *Handler) activityGrantForm(w http.ResponseWriter, r *http.Request) {
	pot, err := h.activityPot(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	p := principal(r)
	f := NewForm()
	v, err := h.grantFormView(r, pot, f, true)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	f.Values["contact_name"], f.Values["contact_email"] = p.User.Name, p.User.Email
	h.render(w, r, http.StatusOK, "grants_apply", v)
}

func (h *Handler) applyForActivityGrant(w http.ResponseWriter, r *http.Request) {
	pot, err := h.activityPot(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	p := principal(r)
	_ = r.ParseForm()
	f := formFrom(r, append(grantFields, linkwork.IdempotencyKeyField)...)
	v, err := h.grantFormView(r, pot, f, true)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	s := &linkwork.Spend{PlaceID: p.Place.ID, PotID: pot.ID, RequestedByUserID: p.User.ID, RequestedBy: p.User.Name}
	readGrantForm(f, v, s)
	if h.submitGrant(w, r, f, v, s) {
		h.redirect(w, r, spendPath(pot.ID, s.ID), "activity-applied")
	}
}

// ownGrant returns the grant in the path if it is to one of the principal's groups, and
// ENOTFOUND otherwise.
func (h *Handler) ownGrant(r *http.Request) (*linkwork.Spend, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	s, err := h.svc.Budgets.FindSpend(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if !ownsGrant(principal(r), s) {
		return nil, linkwork.Errorf(linkwork.ENOTFOUND, "Application not found.")
	}
	return s, nil
}

// GrantView is the view of one of a group's applications.
type GrantView struct {
	Layout
	Row  GrantRow
	Need string
	// CanWithdraw is set while the grant is not yet paid; Key is the withdrawal's
	// idempotency key and Problem why a withdrawal was refused.
	CanWithdraw bool
	Key         string
	Problem     string
}

func (h *Handler) grantApplication(w http.ResponseWriter, r *http.Request) {
	s, err := h.ownGrant(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	h.showGrant(w, r, http.StatusOK, s, "")
}

func (h *Handler) showGrant(w http.ResponseWriter, r *http.Request, status int, s *linkwork.Spend, problem string) {
	_, names, err := h.needTerms(r)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, status, "grants_application", &GrantView{Layout: Layout{Title: s.ActivityName}, Row: grantRow(s),
		Need: needNames([]string{s.Need}, names)[0], CanWithdraw: unpaidGrant(s), Key: newIdempotencyKey(), Problem: problem})
}

// unpaidGrant reports whether a grant may still be withdrawn by its group.
func unpaidGrant(s *linkwork.Spend) bool {
	return s.Status == linkwork.SpendApplied || s.Status == linkwork.SpendApproved
}

func (h *Handler) withdrawGrant(w http.ResponseWriter, r *http.Request) {
	s, err := h.ownGrant(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	version, err := strconv.Atoi(r.PostFormValue("version"))
	if err != nil || !unpaidGrant(s) {
		h.showGrant(w, r, http.StatusUnprocessableEntity, s, "The application was not withdrawn: it is “"+
			strings.ToLower(s.Status.Label())+"” now. Only an application not yet paid can be withdrawn.")
		return
	}
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	if reason == "" {
		reason = "The group withdrew its application."
	}
	if _, err := h.svc.Budgets.Withdraw(r.Context(), s.ID, version, reason, r.PostFormValue(linkwork.IdempotencyKeyField)); err != nil {
		if _, ok := prefixed(NewForm(), err, "", nil); !ok {
			h.failed(w, r, err)
			return
		}
		now, ferr := h.svc.Budgets.FindSpend(r.Context(), s.ID)
		if ferr != nil {
			h.failed(w, r, ferr)
			return
		}
		h.showGrant(w, r, moneyStatus(err), now, "The application was not withdrawn. "+linkwork.ErrorMessage(err))
		return
	}
	h.redirect(w, r, grantPath(s.ID), "grant-withdrawn")
}

// reportFields are the fields of the report back in the order the form shows them.
var reportFields = []string{"what_happened", "people_reached", "volunteers", "amount_used"}

// GrantReportView is the view of the report back on a paid grant.
type GrantReportView struct {
	Layout
	Form    *Form
	Problem string
	Spend   *linkwork.Spend
	Paths   grantReportPaths
}

// reportableGrant returns the grant in the path if it is one of the principal's groups' and
// waits for its report.
func (h *Handler) reportableGrant(r *http.Request) (*linkwork.Spend, error) {
	s, err := h.ownGrant(r)
	if err != nil {
		return nil, err
	}
	if s.Status != linkwork.SpendPaid {
		return nil, linkwork.Errorf(linkwork.EINVALID, "This grant is “%s”: only a paid grant waiting for its report can be reported on.",
			strings.ToLower(s.Status.Label()))
	}
	return s, nil
}

func (h *Handler) grantReportForm(w http.ResponseWriter, r *http.Request) {
	s, err := h.reportableGrant(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	h.showGrantReport(w, r, s, grantReportFor(grantPath(s.ID)))
}

// grantReportPaths are where a report-back form is posted and leads back to: the group's
// own application, or for a new activity without a group, the spend's page in its pot.
type grantReportPaths struct{ Action, Back string }

func grantReportFor(back string) grantReportPaths {
	return grantReportPaths{Action: back + "/report", Back: back}
}

// showGrantReport shows the report-back form, the amount used filled in as the whole grant.
func (h *Handler) showGrantReport(w http.ResponseWriter, r *http.Request, s *linkwork.Spend, to grantReportPaths) {
	f := NewForm()
	f.Order = reportFields
	f.Values["amount_used"] = s.Amount.Plain()
	h.render(w, r, http.StatusOK, "grants_report", &GrantReportView{Layout: Layout{Title: "Report back on " + s.ActivityName},
		Form: f, Spend: s, Paths: to})
}

// activityReportForm and reportOnActivityGrant let whoever may spend from a pot record the
// report back on a grant for a new activity, which has no group of its own to report.
func (h *Handler) activityReportForm(w http.ResponseWriter, r *http.Request) {
	s, err := h.reportableActivityGrant(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	h.showGrantReport(w, r, s, grantReportFor(spendPath(s.PotID, s.ID)))
}

func (h *Handler) reportOnActivityGrant(w http.ResponseWriter, r *http.Request) {
	s, err := h.reportableActivityGrant(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	h.saveGrantReport(w, r, s, grantReportFor(spendPath(s.PotID, s.ID)))
}

// reportableActivityGrant returns the paid grant for a new activity in the path, if the
// principal may spend from its pot.
func (h *Handler) reportableActivityGrant(r *http.Request) (*linkwork.Spend, error) {
	potID, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	spendID, err := pathID(r, "spend")
	if err != nil {
		return nil, err
	}
	s, err := h.svc.Budgets.FindSpend(r.Context(), spendID)
	if err != nil {
		return nil, err
	}
	pot, err := h.svc.Budgets.FindPot(r.Context(), potID)
	if err != nil {
		return nil, err
	}
	p := principal(r)
	if s.PotID != pot.ID || pot.PlaceID != p.Place.ID || !p.CanSeePot(pot) {
		return nil, linkwork.Errorf(linkwork.ENOTFOUND, "Spend not found.")
	}
	if s.Kind != linkwork.SpendGrant || s.GroupOrganisationID != 0 {
		return nil, linkwork.Errorf(linkwork.EINVALID, "Only a grant for a new activity without a group is reported on here; a group reports on its own grants.")
	}
	if !p.CanSpendFrom(pot) {
		return nil, linkwork.Errorf(linkwork.EFORBIDDEN, "Only someone who may spend from this pot can record the report.")
	}
	if s.Status != linkwork.SpendPaid {
		return nil, linkwork.Errorf(linkwork.EINVALID, "This grant is “%s”: only a paid grant waiting for its report can be reported on.",
			strings.ToLower(s.Status.Label()))
	}
	return s, nil
}

func (h *Handler) reportOnGrant(w http.ResponseWriter, r *http.Request) {
	s, err := h.reportableGrant(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	h.saveGrantReport(w, r, s, grantReportFor(grantPath(s.ID)))
}

// saveGrantReport reads and stores a report back, or shows the form again with its errors.
func (h *Handler) saveGrantReport(w http.ResponseWriter, r *http.Request, s *linkwork.Spend, to grantReportPaths) {
	f := formFrom(r, reportFields...)
	f.Order = reportFields
	v := &GrantReportView{Layout: Layout{Title: "Report back on " + s.ActivityName}, Form: f, Spend: s, Paths: to}
	rep := &linkwork.GrantReport{WhatHappened: f.Get("what_happened"),
		PeopleReached: readCount(f, "people_reached", "Enter the number of people who took part, such as 25."),
		Volunteers:    readCount(f, "volunteers", "Enter the number of volunteers who helped, such as 3.")}
	if strings.TrimSpace(f.Get("amount_used")) == "" {
		f.Fail("amount_used", "Enter how much of the grant you used, such as 250. Enter 0 if you used none of it.")
	} else {
		rep.AmountUsed = readPounds(f, "amount_used", true)
	}
	if err := rep.Validate(s.Amount); err != nil && !addProblems(f, err, reportFields, "what_happened") {
		h.serverError(w, r, err)
		return
	}
	status := http.StatusUnprocessableEntity
	if !f.HasErrors() {
		_, err := h.svc.Budgets.ReportOnGrant(r.Context(), s.ID, rep)
		if err == nil {
			h.redirect(w, r, to.Back, "grant-reported")
			return
		}
		problem, ok := prefixed(f, err, "", reportFields)
		if !ok {
			h.failed(w, r, err)
			return
		}
		v.Problem, status = problem, moneyStatus(err)
	}
	h.render(w, r, status, "grants_report", v)
}
