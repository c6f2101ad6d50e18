package web

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"linkwork"
)

// Devolved budgets, the staff side: the pots a principal may see and the spends waiting for
// their decision, setting a pot up, a pot's page (its rules, balance, ledger and spends), and
// what a manager does to a pot: add money, change its rules, close it, reverse a mistaken
// entry. A spend has its own page (budget_spends.go); community groups apply for
// micro-grants in grants.go. Every form that moves money carries a hidden idempotency key,
// made when the form is shown, so that a second submission of it changes nothing.

func (h *Handler) registerBudgets(g registrar) {
	view, manage := linkwork.PermViewBudgets, linkwork.PermManageBudgets
	g.Handle("GET", "/budgets", view, h.budgets)
	g.Handle("GET", "/budgets/new", manage, h.newPot)
	g.Handle("POST", "/budgets/new", manage, h.createPot)
	g.Handle("GET", "/budgets/{id}", view, h.pot)
	g.Handle("GET", "/budgets/{id}/edit", manage, h.editPot)
	g.Handle("POST", "/budgets/{id}/edit", manage, h.updatePot)
	g.Handle("POST", "/budgets/{id}/allocate", manage, h.allocate)
	g.Handle("POST", "/budgets/{id}/close", manage, h.closePot)
	g.Handle("POST", "/budgets/{id}/entries/{entry}/reverse", manage, h.reverseEntry)
}

func init() {
	for k, v := range map[string]string{
		"pot-created":    "The pot is set up. Its money and every spend from it are in its ledger below.",
		"pot-saved":      "The pot's rules have been saved.",
		"pot-allocated":  "The money has been added to the pot.",
		"pot-closed":     "The pot is closed: it takes no new spends or money.",
		"entry-reversed": "The entry has been reversed. The ledger keeps both the entry and its reversal.",
	} {
		flashMessages[k] = v
	}
}

// newIdempotencyKey makes the key a money-moving form carries, so that the store can
// refuse a second submission of the same form.
func newIdempotencyKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand never fails
	return hex.EncodeToString(b)
}

// keepKey gives the form's key field a new idempotency key unless it has one already (the
// form is shown again with problems, and must keep the key it was first shown with).
func keepKey(f *Form, field string) {
	if f.Get(field) == "" {
		f.Values[field] = newIdempotencyKey()
	}
}

// zeroAmount matches an amount of nothing, which the optional amounts of a pot's rules take
// to mean "no limit" or "approve every spend".
var zeroAmount = regexp.MustCompile(`^£?\s*0+(\.0{1,2})?$`)

// readPounds reads an amount of money typed in pounds. An optional amount left empty, or
// typed as nothing, is zero; anything else must be a positive amount in whole pence.
func readPounds(f *Form, field string, optional bool) linkwork.Pence {
	v := strings.TrimSpace(f.Get(field))
	if optional && (v == "" || zeroAmount.MatchString(v)) {
		return 0
	}
	p, err := linkwork.ParsePounds(field, v)
	if err != nil {
		f.Fail(field, linkwork.ErrorMessage(err))
		return 0
	}
	return p
}

// readCount reads a whole number typed in a form; empty is zero.
func readCount(f *Form, field, message string) int {
	v := strings.TrimSpace(f.Get(field))
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(strings.ReplaceAll(v, ",", ""))
	if err != nil {
		f.Fail(field, message)
		return 0
	}
	return n
}

// readPotDay reads a day typed in a date input (YYYY-MM-DD) as midnight UTC, the way pots
// keep their period; empty is the zero time, which the pot's validation names.
func readPotDay(f *Form, field, what string) time.Time {
	v := strings.TrimSpace(f.Get(field))
	if v == "" {
		return time.Time{}
	}
	d, err := time.Parse(time.DateOnly, v)
	if err != nil {
		f.Fail(field, "Enter the "+what+" as a date, such as "+timeNow().Format(time.DateOnly)+".")
		return time.Time{}
	}
	return d
}

// dayText writes a pot's day (midnight UTC) as people read it.
func dayText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2 January 2006")
}

// potPath and spendPath are the addresses of a pot's page and a spend's.
func potPath(id int64) string { return "/budgets/" + strconv.FormatInt(id, 10) }

func spendPath(potID, spendID int64) string {
	return potPath(potID) + "/spends/" + strconv.FormatInt(spendID, 10)
}

// PotRow is a pot as the pages describe it.
type PotRow struct {
	Pot    *linkwork.BudgetPot
	Holder string
	Period string
	State  string
	Tag    string
	// OpenNow is whether it may take a spend, commitment or allocation today.
	OpenNow bool
}

func potRow(pot *linkwork.BudgetPot, now time.Time) PotRow {
	row := PotRow{Pot: pot, Holder: potHolder(pot), Period: dayText(pot.PeriodStart) + " to " + dayText(pot.PeriodEnd),
		OpenNow: pot.Open(now)}
	switch {
	case pot.Status == linkwork.PotClosed:
		row.State, row.Tag = "Closed", "nhsuk-tag--grey"
	case row.OpenNow:
		row.State, row.Tag = "Open", "nhsuk-tag--green"
	case now.UTC().Truncate(24 * time.Hour).Before(pot.PeriodStart):
		row.State, row.Tag = "Not started yet", "nhsuk-tag--blue"
	default:
		row.State, row.Tag = "Period ended", "nhsuk-tag--grey"
	}
	return row
}

// potHolder says who holds a pot.
func potHolder(pot *linkwork.BudgetPot) string {
	switch {
	case pot.Holder == linkwork.HolderScheme && pot.ServiceName != "":
		return pot.ServiceName + " (" + pot.OrganisationName + ")"
	case pot.Holder == linkwork.HolderLinkWorker && pot.UserName != "":
		return pot.UserName + ", " + pot.OrganisationName
	}
	return pot.OrganisationName
}

// SpendRow is a spend as lists show it. The person a personal spend is for is named only
// to the people of the organisation that holds the pot; anyone else sees "A person".
type SpendRow struct {
	Spend *linkwork.Spend
	Path  string
	// What it is for: the activity of a grant, the item of a personal spend.
	What string
	// Who gets it: the group or "A new activity"; the person, or "A person".
	Who        string
	PersonPath string
	Named      bool
	Tag        string
}

func spendRow(p *linkwork.Principal, s *linkwork.Spend) SpendRow {
	row := SpendRow{Spend: s, Path: spendPath(s.PotID, s.ID), Tag: spendTag(s.Status)}
	switch s.Kind {
	case linkwork.SpendGrant:
		row.What, row.Who = s.ActivityName, s.GroupName
		if s.GroupOrganisationID == 0 {
			row.Who = "A new activity"
		}
	case linkwork.SpendPersonal:
		row.What, row.Who = s.Item, "A person"
		if showsPerson(p, s) {
			row.Who, row.PersonPath, row.Named = s.PersonName, personPath(s.PersonID), true
		}
	}
	return row
}

// showsPerson reports whether the principal may see who a personal spend is for: only the
// people who see the holding organisation's case records.
func showsPerson(p *linkwork.Principal, s *linkwork.Spend) bool {
	return s.Kind == linkwork.SpendPersonal && s.PersonName != "" && s.PlaceID == p.Place.ID &&
		p.CanIn(linkwork.PermViewCases, s.PotOrganisationID)
}

// spendTag is the colour of a spend's status tag.
func spendTag(s linkwork.SpendStatus) string {
	switch s {
	case linkwork.SpendApplied, linkwork.SpendRequested:
		return "nhsuk-tag--blue"
	case linkwork.SpendApproved:
		return "nhsuk-tag--aqua-green"
	case linkwork.SpendPaid, linkwork.SpendReported:
		return "nhsuk-tag--green"
	case linkwork.SpendDeclined, linkwork.SpendReversed:
		return "nhsuk-tag--red"
	}
	return "nhsuk-tag--grey"
}

// auditSpendList records that a list naming people who had personal spends was shown.
func (h *Handler) auditSpendList(r *http.Request, rows []SpendRow, recordType, recordID, detail string) error {
	if !slices.ContainsFunc(rows, func(s SpendRow) bool { return s.Named }) {
		return nil
	}
	return h.svc.Audit.RecordAudit(r.Context(), &linkwork.AuditEvent{Action: linkwork.AuditSpendList, RecordType: recordType,
		RecordID: recordID, Detail: detail})
}

// BudgetsView is the view of the list of pots.
type BudgetsView struct {
	Layout
	Pots []PotRow
	// Awaiting are the spends waiting for the principal's decision; MoreAwaiting is set
	// when there are more than the page shows.
	Awaiting     []SpendRow
	MoreAwaiting bool
	PlaceWide    bool
	CanCreate    bool
	CanReport    bool
}

func (h *Handler) budgets(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	ctx := r.Context()
	v := &BudgetsView{Layout: Layout{Title: "Budgets"}, PlaceWide: p.CanPlaceWide(linkwork.PermViewBudgets),
		CanCreate: p.Can(linkwork.PermManageBudgets), CanReport: p.Can(linkwork.PermBudgetReports)}
	filter := linkwork.PotFilter{PlaceID: p.Place.ID}
	if !v.PlaceWide {
		filter.OrganisationIDs = p.OrganisationsWith(linkwork.PermViewBudgets)
	}
	var pots []*linkwork.BudgetPot
	// An empty list of organisations would mean every pot of the place.
	if v.PlaceWide || len(filter.OrganisationIDs) > 0 {
		var err error
		if pots, err = h.svc.Budgets.ListPots(ctx, filter); err != nil {
			h.serverError(w, r, err)
			return
		}
	}
	now := timeNow()
	byID := map[int64]*linkwork.BudgetPot{}
	for _, pot := range pots {
		v.Pots = append(v.Pots, potRow(pot, now))
		byID[pot.ID] = pot
	}
	// Only those who spend from a pot decide on its spends: its managers always, its link
	// workers within its approval threshold.
	if orgs := p.OrganisationsWith(linkwork.PermSpendBudgets); len(orgs) > 0 {
		spends, total, err := h.svc.Budgets.ListSpends(ctx, linkwork.SpendFilter{PlaceID: p.Place.ID, PotOrganisationIDs: orgs,
			Statuses: []linkwork.SpendStatus{linkwork.SpendApplied, linkwork.SpendRequested},
			Page:     linkwork.Page{Number: 1, Size: linkwork.MaxPageSize}})
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		v.MoreAwaiting = total > len(spends)
		for _, s := range spends {
			pot := byID[s.PotID]
			if pot == nil {
				if pot, err = h.svc.Budgets.FindPot(ctx, s.PotID); err != nil {
					h.serverError(w, r, err)
					return
				}
				byID[pot.ID] = pot
			}
			if p.CanDecideSpend(pot, s.Amount) {
				v.Awaiting = append(v.Awaiting, spendRow(p, s))
			}
		}
	}
	if err := h.auditSpendList(r, v.Awaiting, "spend", "", "spends awaiting a decision"); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "budgets", v)
}

// visiblePot returns the pot in the path if the principal may see it, and ENOTFOUND
// otherwise, so that nobody learns of a pot they may not see.
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

// managedPot returns the pot in the path if the principal manages the budgets of its
// organisation: ENOTFOUND if they may not see it, EFORBIDDEN if they see but do not manage.
func (h *Handler) managedPot(r *http.Request) (*linkwork.BudgetPot, error) {
	pot, err := h.visiblePot(r)
	if err != nil {
		return nil, err
	}
	if !principal(r).CanIn(linkwork.PermManageBudgets, pot.OrganisationID) {
		return nil, linkwork.Errorf(linkwork.EFORBIDDEN, "You may not manage this pot.")
	}
	return pot, nil
}

// needTerms returns the place's needs (term codes, as pots and spends keep them) as choices,
// and their names by code.
func (h *Handler) needTerms(r *http.Request) ([]dirChoice, map[string]string, error) {
	taxes, err := h.svc.Taxonomies.ListTaxonomies(r.Context(), principal(r).Place.ID)
	if err != nil {
		return nil, nil, err
	}
	var choices []dirChoice
	names := map[string]string{}
	for _, t := range taxes {
		if t.Code != linkwork.TaxonomyNeed {
			continue
		}
		for _, term := range t.Terms {
			choices = append(choices, dirChoice{Value: term.Code, Label: term.Name})
			names[term.Code] = term.Name
		}
	}
	return choices, names, nil
}

// needNames names need codes, keeping a code the taxonomy no longer has.
func needNames(codes []string, names map[string]string) []string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = names[c]
		if out[i] == "" {
			out[i] = c
		}
	}
	return out
}

// kindsWords says what a pot may be spent on: "Micro-grants and personal spends".
func kindsWords(kinds []linkwork.SpendKind) string {
	words := make([]string, len(kinds))
	for i, k := range kinds {
		words[i] = strings.ToLower(k.Label()) + "s"
	}
	w := strings.Join(words, " and ")
	if w == "" {
		return ""
	}
	return strings.ToUpper(w[:1]) + w[1:]
}

// EntryRow is one entry of a pot's ledger.
type EntryRow struct {
	Entry  *linkwork.LedgerEntry
	Effect string
	// SpendPath is the page of the spend the entry belongs to.
	SpendPath string
	// Reversible is set when the principal may reverse it and it may be reversed: it is
	// not a reversal and has not been reversed.
	Reversible bool
	// Field is the prefix of its reversal form's fields; Key that form's idempotency key.
	Field string
	Key   string
	Open  bool
}

// effectWords says what an entry did to the pot's money.
func effectWords(e *linkwork.LedgerEntry) string {
	signed := func(p linkwork.Pence) string {
		if p > 0 {
			return "+" + p.String()
		}
		return p.String()
	}
	var parts []string
	if e.FundsDelta != 0 {
		parts = append(parts, signed(e.FundsDelta)+" in the pot")
	}
	if e.CommittedDelta != 0 {
		parts = append(parts, signed(e.CommittedDelta)+" committed")
	}
	if len(parts) == 0 {
		return "No change"
	}
	return strings.Join(parts, ", ")
}

// PotView is the view of one pot's page.
type PotView struct {
	Layout
	Row     PotRow
	Pot     *linkwork.BudgetPot
	Kinds   string
	Needs   []string
	Entries []EntryRow
	Spends  []SpendRow
	Pager   Pager
	// Form holds the input and problems of the page's forms, each field prefixed with its
	// form ("allocate-", "reverse-<entry>-"); Problem one no field shows.
	Form    *Form
	Problem string
	// What the principal may do here.
	CanManage bool
	CanSpend  bool
	CanReport bool
	// TakesGrants and TakesPersonal are set when the pot may fund micro-grants, or
	// personal spends, today.
	TakesGrants   bool
	TakesPersonal bool
}

func (h *Handler) pot(w http.ResponseWriter, r *http.Request) {
	pot, err := h.visiblePot(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	h.showPot(w, r, http.StatusOK, pot, NewForm(), "")
}

// showPot renders a pot's page, recording in the audit trail a look at a list of spends that
// names people.
func (h *Handler) showPot(w http.ResponseWriter, r *http.Request, status int, pot *linkwork.BudgetPot, f *Form, problem string) {
	p := principal(r)
	ctx := r.Context()
	now := timeNow()
	v := &PotView{Layout: Layout{Title: pot.Name}, Row: potRow(pot, now), Pot: pot, Form: f, Problem: problem,
		CanManage: p.CanIn(linkwork.PermManageBudgets, pot.OrganisationID), CanSpend: p.CanSpendFrom(pot),
		CanReport: p.CanIn(linkwork.PermBudgetReports, pot.OrganisationID)}
	v.TakesGrants = v.Row.OpenNow && slices.Contains(pot.Kinds, linkwork.SpendGrant)
	v.TakesPersonal = v.Row.OpenNow && slices.Contains(pot.Kinds, linkwork.SpendPersonal)
	v.Kinds = kindsWords(pot.Kinds)
	_, names, err := h.needTerms(r)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	v.Needs = needNames(pot.Needs, names)
	entries, err := h.svc.Budgets.Ledger(ctx, pot.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	keepKey(f, "allocate-key")
	for _, e := range entries {
		row := EntryRow{Entry: e, Effect: effectWords(e), Field: fmt.Sprintf("reverse-%d-", e.ID),
			Reversible: v.CanManage && e.Kind != linkwork.EntryReversal && e.ReversedByID == 0}
		if e.SpendID != 0 {
			row.SpendPath = spendPath(pot.ID, e.SpendID)
		}
		if row.Reversible {
			keepKey(f, row.Field+"key")
			row.Key = f.Get(row.Field + "key")
			row.Open = f.Error(row.Field+"reason") != ""
		}
		v.Entries = append(v.Entries, row)
	}
	page := pageFrom(r)
	spends, total, err := h.svc.Budgets.ListSpends(ctx, linkwork.SpendFilter{PlaceID: p.Place.ID, PotID: pot.ID, Page: page})
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	for _, s := range spends {
		v.Spends = append(v.Spends, spendRow(p, s))
	}
	v.Pager = newPager(potPath(pot.ID), "", page, total)
	if err := h.auditSpendList(r, v.Spends, "budget_pot", strconv.FormatInt(pot.ID, 10),
		"page "+strconv.Itoa(page.Number)); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, status, "budgets_pot", v)
}

// moneyStatus is the status of a page shown again after a money-moving request was
// refused: 409 when it clashed with another (a repeated submission, a change meanwhile).
func moneyStatus(err error) int {
	if linkwork.ErrorCode(err) == linkwork.ECONFLICT {
		return http.StatusConflict
	}
	return http.StatusUnprocessableEntity
}

func (h *Handler) allocate(w http.ResponseWriter, r *http.Request) {
	pot, err := h.managedPot(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	f := formFrom(r, "allocate-amount", "allocate-note")
	f.Values["allocate-key"] = r.PostFormValue(linkwork.IdempotencyKeyField)
	f.Order = []string{"allocate-amount", "allocate-note"}
	amount := readPounds(f, "allocate-amount", false)
	if !pot.Open(timeNow()) {
		f.Fail("allocate-amount", "This pot is closed or outside its period, so no money can be added to it.")
	}
	if f.HasErrors() {
		h.showPot(w, r, http.StatusUnprocessableEntity, pot, f, "")
		return
	}
	_, err = h.svc.Budgets.Allocate(r.Context(), pot.ID, amount, f.Get("allocate-note"), f.Get("allocate-key"))
	if err == nil {
		h.redirect(w, r, potPath(pot.ID), "pot-allocated")
		return
	}
	h.potRefused(w, r, pot, f, err, "allocate-", []string{"amount", "note"})
}

// potRefused shows a pot's page again, as it is now, after a request about it was refused,
// with the problem next to the form's field or above the page.
func (h *Handler) potRefused(w http.ResponseWriter, r *http.Request, pot *linkwork.BudgetPot, f *Form, err error, prefix string, fields []string) {
	problem, ok := prefixed(f, err, prefix, fields)
	if !ok {
		h.failed(w, r, err)
		return
	}
	now, ferr := h.svc.Budgets.FindPot(r.Context(), pot.ID)
	if ferr != nil {
		h.failed(w, r, ferr)
		return
	}
	h.showPot(w, r, moneyStatus(err), now, f, problem)
}

func (h *Handler) closePot(w http.ResponseWriter, r *http.Request) {
	pot, err := h.managedPot(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	version, err := strconv.Atoi(r.PostFormValue("version"))
	if err != nil {
		h.showPot(w, r, http.StatusBadRequest, pot, NewForm(), "The page you closed the pot from was incomplete. Here is the pot as it is now: close it again if you still need to.")
		return
	}
	if err := h.svc.Budgets.ClosePot(r.Context(), pot.ID, version); err != nil {
		if linkwork.ErrorCode(err) == linkwork.EINTERNAL {
			h.failed(w, r, err)
			return
		}
		h.potRefused(w, r, pot, NewForm(), linkwork.Errorf(linkwork.ErrorCode(err), "The pot was not closed. %s",
			linkwork.ErrorMessage(err)), "", nil)
		return
	}
	h.redirect(w, r, potPath(pot.ID), "pot-closed")
}

func (h *Handler) reverseEntry(w http.ResponseWriter, r *http.Request) {
	pot, err := h.managedPot(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	entryID, err := pathID(r, "entry")
	if err != nil {
		h.failed(w, r, err)
		return
	}
	entries, err := h.svc.Budgets.Ledger(r.Context(), pot.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if !slices.ContainsFunc(entries, func(e *linkwork.LedgerEntry) bool { return e.ID == entryID }) {
		h.notFound(w, r)
		return
	}
	prefix := fmt.Sprintf("reverse-%d-", entryID)
	f := formFrom(r, prefix+"reason")
	f.Values[prefix+"key"] = r.PostFormValue(linkwork.IdempotencyKeyField)
	reason := strings.TrimSpace(f.Get(prefix + "reason"))
	if reason == "" {
		f.Fail(prefix+"reason", "Say why the entry is being reversed, such as \"Paid twice by mistake\".")
		h.showPot(w, r, http.StatusUnprocessableEntity, pot, f, "")
		return
	}
	_, err = h.svc.Budgets.Reverse(r.Context(), entryID, reason, f.Get(prefix+"key"))
	if err == nil {
		h.redirect(w, r, potPath(pot.ID), "entry-reversed")
		return
	}
	h.potRefused(w, r, pot, f, err, prefix, []string{"reason"})
}

// potFields are the fields of the pot form in the order it shows them.
var potFields = []string{"organisation_id", "holder", "service_id", "user_id", "name", "funder", "period_start", "period_end",
	"amount", "max_per_item", "approval_threshold", "kinds", "needs", "rules", "open_to_applications"}

// PotFormView is the view of the form that sets a pot up or changes its rules. Setting one
// up takes two steps when the principal manages more than one organisation's budgets: which
// organisation holds it, then the rest, whose choices (its connector schemes and link
// workers) are that organisation's.
type PotFormView struct {
	Layout
	Form    *Form
	Problem string
	// Pot is the pot whose rules are being changed; nil when setting one up.
	Pot *linkwork.BudgetPot
	// ChooseOrganisation is set on the first step, which offers Organisations.
	ChooseOrganisation bool
	Organisations      []dirChoice
	// Organisation holds the new pot; Several is set when there were others to choose.
	Organisation *linkwork.Organisation
	Several      bool
	Holders      []dirChoice
	Schemes      []dirChoice
	Workers      []dirChoice
	Kinds        []dirChoice
	Needs        []dirChoice
	OpenBox      []dirChoice
	Key          string
}

// budgetOrganisations lists the organisations whose budgets the principal manages: every
// organisation of the place for those who manage budgets place-wide.
func (h *Handler) budgetOrganisations(r *http.Request) ([]dirChoice, error) {
	p := principal(r)
	if p.CanPlaceWide(linkwork.PermManageBudgets) {
		return h.placeOrganisationChoices(r)
	}
	var out []dirChoice
	for _, m := range p.Memberships {
		id := strconv.FormatInt(m.OrganisationID, 10)
		if p.CanIn(linkwork.PermManageBudgets, m.OrganisationID) && !slices.ContainsFunc(out, func(c dirChoice) bool { return c.Value == id }) {
			out = append(out, dirChoice{Value: id, Label: m.OrganisationName})
		}
	}
	slices.SortFunc(out, func(a, b dirChoice) int { return strings.Compare(strings.ToLower(a.Label), strings.ToLower(b.Label)) })
	return out, nil
}

// potOrganisation returns the organisation chosen to hold a new pot if it is one of the
// principal's place whose budgets they manage, and a problem with the field otherwise.
func (h *Handler) potOrganisation(r *http.Request, orgs []dirChoice, value string) (*linkwork.Organisation, error) {
	p := principal(r)
	refuse := linkwork.FieldError("organisation_id", "Choose an organisation whose budgets you manage.")
	if !slices.ContainsFunc(orgs, func(c dirChoice) bool { return c.Value == value }) {
		return nil, refuse
	}
	id, err := strconv.ParseInt(value, 10, 64)
	if err != nil {
		return nil, refuse
	}
	org, err := h.svc.Organisations.FindOrganisationByID(r.Context(), id)
	switch {
	case isNotFound(err):
		return nil, refuse
	case err != nil:
		return nil, err
	case org.PlaceID != p.Place.ID || !p.CanIn(linkwork.PermManageBudgets, org.ID):
		return nil, refuse
	}
	return org, nil
}

var spendKindChoices = map[linkwork.SpendKind]string{
	linkwork.SpendGrant:    "Micro-grants to community groups and new activities",
	linkwork.SpendPersonal: "Personal spends for people on a caseload, such as a bus pass or a class fee",
}

// potFormView fills the choices of the pot form: for a new pot, org's connector schemes and
// the link workers and managers who might hold it.
func (h *Handler) potFormView(r *http.Request, f *Form, org *linkwork.Organisation, pot *linkwork.BudgetPot) (*PotFormView, error) {
	ctx := r.Context()
	p := principal(r)
	f.Order = potFields
	v := &PotFormView{Form: f, Pot: pot, Organisation: org,
		OpenBox: []dirChoice{{Value: "yes", Label: "Community groups in " + p.Place.Name + " may apply to it for micro-grants"}}}
	for _, k := range linkwork.SpendKinds {
		v.Kinds = append(v.Kinds, dirChoice{Value: string(k), Label: spendKindChoices[k]})
	}
	needs, _, err := h.needTerms(r)
	if err != nil {
		return nil, err
	}
	v.Needs = needs
	if pot != nil {
		v.Title = "Change the rules of " + pot.Name
		return v, nil
	}
	v.Title = "Set up a budget pot"
	for _, hd := range linkwork.PotHolders {
		v.Holders = append(v.Holders, dirChoice{Value: string(hd), Label: hd.Label()})
	}
	for n := 1; ; n++ {
		schemes, total, err := h.svc.Directory.ListServices(ctx, linkwork.ServiceFilter{PlaceID: p.Place.ID,
			OrganisationIDs: []int64{org.ID}, Kind: linkwork.KindScheme, Page: linkwork.Page{Number: n, Size: linkwork.MaxPageSize}})
		if err != nil {
			return nil, err
		}
		for _, s := range schemes {
			v.Schemes = append(v.Schemes, dirChoice{Value: strconv.FormatInt(s.ID, 10), Label: s.Name})
		}
		if len(schemes) == 0 || len(v.Schemes) >= total {
			break
		}
	}
	seen := 0
	for n := 1; ; n++ {
		users, total, err := h.svc.Users.ListUsers(ctx, linkwork.UserFilter{PlaceID: p.Place.ID, OrganisationIDs: []int64{org.ID},
			Page: linkwork.Page{Number: n, Size: linkwork.MaxPageSize}})
		if err != nil {
			return nil, err
		}
		for _, u := range users {
			if slices.ContainsFunc(u.Memberships, func(m linkwork.Membership) bool {
				return m.OrganisationID == org.ID && (m.Role == linkwork.RoleLinkWorker || m.Role == linkwork.RoleManager)
			}) {
				v.Workers = append(v.Workers, dirChoice{Value: strconv.FormatInt(u.ID, 10), Label: u.Name})
			}
		}
		seen += len(users)
		if len(users) == 0 || seen >= total {
			break
		}
	}
	return v, nil
}

// chooseFrom reads the ID chosen in a select: 0 when nothing was chosen, and a problem
// with the field when the value is not one of the choices.
func chooseFrom(f *Form, field string, choices []dirChoice, message string) int64 {
	v := f.Get(field)
	if v == "" {
		return 0
	}
	if !slices.ContainsFunc(choices, func(c dirChoice) bool { return c.Value == v }) {
		f.Fail(field, message)
		return 0
	}
	id, _ := strconv.ParseInt(v, 10, 64)
	return id
}

// readPotRules reads the fields a pot's rules share between setting it up and changing it.
func readPotRules(r *http.Request, f *Form, pot *linkwork.BudgetPot, needs []dirChoice) {
	for _, k := range []string{"name", "funder", "period_start", "period_end", "max_per_item", "approval_threshold", "rules",
		"open_to_applications"} {
		f.Values[k] = r.PostFormValue(k)
	}
	f.setAll("kinds", r.PostForm["kinds"])
	f.setAll("needs", r.PostForm["needs"])
	pot.Name, pot.Funder, pot.Rules = f.Get("name"), f.Get("funder"), f.Get("rules")
	pot.PeriodStart = readPotDay(f, "period_start", "first day")
	pot.PeriodEnd = readPotDay(f, "period_end", "last day")
	pot.MaxPerItem = readPounds(f, "max_per_item", true)
	pot.ApprovalThreshold = readPounds(f, "approval_threshold", true)
	pot.Kinds = nil
	for _, k := range r.PostForm["kinds"] {
		pot.Kinds = append(pot.Kinds, linkwork.SpendKind(k))
	}
	pot.Needs = nil
	for _, n := range r.PostForm["needs"] {
		if !slices.ContainsFunc(needs, func(c dirChoice) bool { return c.Value == n }) {
			f.Fail("needs", "Choose the needs from the list.")
			continue
		}
		pot.Needs = append(pot.Needs, n)
	}
	pot.OpenToApplications = f.Get("open_to_applications") == "yes"
}

// potRulesValues fills the form with a pot's rules, to change them.
func potRulesValues(pot *linkwork.BudgetPot) *Form {
	f := NewForm()
	f.Values["name"], f.Values["funder"], f.Values["rules"] = pot.Name, pot.Funder, pot.Rules
	f.Values["period_start"] = pot.PeriodStart.UTC().Format(time.DateOnly)
	f.Values["period_end"] = pot.PeriodEnd.UTC().Format(time.DateOnly)
	if pot.MaxPerItem > 0 {
		f.Values["max_per_item"] = pot.MaxPerItem.Plain()
	}
	if pot.ApprovalThreshold > 0 {
		f.Values["approval_threshold"] = pot.ApprovalThreshold.Plain()
	}
	var kinds []string
	for _, k := range pot.Kinds {
		kinds = append(kinds, string(k))
	}
	f.setAll("kinds", kinds)
	f.setAll("needs", pot.Needs)
	if pot.OpenToApplications {
		f.Values["open_to_applications"] = "yes"
	}
	return f
}

// chooseOrganisationStep renders the first step of setting a pot up.
func (h *Handler) chooseOrganisationStep(w http.ResponseWriter, r *http.Request, status int, f *Form, orgs []dirChoice) {
	f.Order = potFields
	h.render(w, r, status, "budgets_form", &PotFormView{Layout: Layout{Title: "Set up a budget pot"}, Form: f,
		ChooseOrganisation: true, Organisations: orgs})
}

func (h *Handler) newPot(w http.ResponseWriter, r *http.Request) {
	orgs, err := h.budgetOrganisations(r)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	f := NewForm()
	chosen := r.URL.Query().Get("organisation_id")
	if chosen == "" && len(orgs) == 1 {
		chosen = orgs[0].Value
	}
	if chosen == "" {
		h.chooseOrganisationStep(w, r, http.StatusOK, f, orgs)
		return
	}
	org, err := h.potOrganisation(r, orgs, chosen)
	if err != nil {
		if !f.FailWith(err, "organisation_id") {
			h.serverError(w, r, err)
			return
		}
		h.chooseOrganisationStep(w, r, http.StatusUnprocessableEntity, f, orgs)
		return
	}
	v, err := h.potFormView(r, f, org, nil)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	v.Several = len(orgs) > 1
	f.Values["organisation_id"] = strconv.FormatInt(org.ID, 10)
	f.Values["holder"] = string(linkwork.HolderTeam)
	f.setAll("kinds", []string{string(linkwork.SpendGrant), string(linkwork.SpendPersonal)})
	f.Values["period_start"] = timeNow().UTC().Format(time.DateOnly)
	keepKey(f, linkwork.IdempotencyKeyField)
	v.Key = f.Get(linkwork.IdempotencyKeyField)
	h.render(w, r, http.StatusOK, "budgets_form", v)
}

func (h *Handler) createPot(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	_ = r.ParseForm()
	orgs, err := h.budgetOrganisations(r)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	f := formFrom(r, "organisation_id", "holder", "service_id", "user_id", "amount", linkwork.IdempotencyKeyField)
	org, err := h.potOrganisation(r, orgs, f.Get("organisation_id"))
	if err != nil {
		if !f.FailWith(err, "organisation_id") {
			h.serverError(w, r, err)
			return
		}
		h.chooseOrganisationStep(w, r, http.StatusUnprocessableEntity, f, orgs)
		return
	}
	v, err := h.potFormView(r, f, org, nil)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	v.Several = len(orgs) > 1
	keepKey(f, linkwork.IdempotencyKeyField)
	v.Key = f.Get(linkwork.IdempotencyKeyField)
	pot := &linkwork.BudgetPot{PlaceID: p.Place.ID, OrganisationID: org.ID, Holder: linkwork.PotHolder(f.Get("holder"))}
	readPotRules(r, f, pot, v.Needs)
	switch pot.Holder {
	case linkwork.HolderScheme:
		pot.ServiceID = chooseFrom(f, "service_id", v.Schemes, "Choose one of "+org.Name+"'s connector schemes.")
	case linkwork.HolderLinkWorker:
		pot.UserID = chooseFrom(f, "user_id", v.Workers, "Choose one of "+org.Name+"'s link workers.")
	}
	initial := readPounds(f, "amount", true)
	if err := pot.Validate(); err != nil && !addProblems(f, err, potFields, "name") {
		h.serverError(w, r, err)
		return
	}
	status := http.StatusUnprocessableEntity
	if !f.HasErrors() {
		err := h.svc.Budgets.CreatePot(r.Context(), pot, initial, v.Key)
		if err == nil {
			h.redirect(w, r, potPath(pot.ID), "pot-created")
			return
		}
		problem, ok := prefixed(f, remapFields(err, map[string]string{"initial": "amount", "service": "service_id",
			"user": "user_id", "organisation": "organisation_id"}), "", potFields)
		if !ok {
			h.failed(w, r, err)
			return
		}
		v.Problem, status = problem, moneyStatus(err)
	}
	h.render(w, r, status, "budgets_form", v)
}

func (h *Handler) editPot(w http.ResponseWriter, r *http.Request) {
	pot, err := h.managedPot(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	if pot.Status == linkwork.PotClosed {
		h.failed(w, r, linkwork.Errorf(linkwork.EINVALID, "This pot is closed, so its rules can no longer change."))
		return
	}
	v, err := h.potFormView(r, potRulesValues(pot), nil, pot)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "budgets_form", v)
}

func (h *Handler) updatePot(w http.ResponseWriter, r *http.Request) {
	pot, err := h.managedPot(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	_ = r.ParseForm()
	f := NewForm()
	v, err := h.potFormView(r, f, nil, pot)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	changed := *pot
	readPotRules(r, f, &changed, v.Needs)
	if changed.Version, err = strconv.Atoi(r.PostFormValue("version")); err != nil {
		v.Problem = "The page you saved from was incomplete. Check the rules below and save again."
		h.render(w, r, http.StatusBadRequest, "budgets_form", v)
		return
	}
	if err := changed.Validate(); err != nil && !addProblems(f, err, potFields, "name") {
		h.serverError(w, r, err)
		return
	}
	status := http.StatusUnprocessableEntity
	if !f.HasErrors() {
		err := h.svc.Budgets.UpdatePotRules(r.Context(), &changed)
		if err == nil {
			h.redirect(w, r, potPath(pot.ID), "pot-saved")
			return
		}
		problem, ok := prefixed(f, err, "", potFields)
		if !ok {
			h.failed(w, r, err)
			return
		}
		v.Problem, status = problem, moneyStatus(err)
		if status == http.StatusConflict {
			// The form now carries the pot's new version: saving again replaces what the
			// other person changed, knowingly.
			if v.Pot, err = h.svc.Budgets.FindPot(r.Context(), pot.ID); err != nil {
				h.failed(w, r, err)
				return
			}
			v.Problem += " Your changes are below and were not saved: check them against the pot as it is now, and save again."
		}
	}
	h.render(w, r, status, "budgets_form", v)
}
