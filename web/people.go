package web

import (
	"cmp"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"linkwork"
)

// Casework: a link worker's people. This file has the caseload, the week, opening a case
// (directly or from a referral) and the person's page; person_edit.go changes their
// details, support_plan.go the "what matters" conversation and the plan, case_contacts.go
// contacts, case_close.go closing and data_rights.go export and erasure. Onward referrals
// and questionnaires have their own pages, linked from the person's.

func (h *Handler) registerCasework(g registrar) {
	view, manage, erase := linkwork.PermViewCases, linkwork.PermManageCases, linkwork.PermEraseCases
	g.Handle("GET", "/people", view, h.people)
	g.Handle("GET", "/people/week", view, h.week)
	g.Handle("GET", "/people/new", manage, h.newPerson)
	g.Handle("POST", "/people", manage, h.createPerson)
	g.Handle("POST", "/referrals/{id}/person", manage, h.personFromReferral)
	g.Handle("GET", "/people/{id}", view, h.person)
	g.Handle("GET", "/people/{id}/edit", manage, h.editPerson)
	g.Handle("POST", "/people/{id}/edit", manage, h.updatePerson)
	g.Handle("GET", "/people/{id}/what-matters", manage, h.whatMatters)
	g.Handle("POST", "/people/{id}/what-matters", manage, h.saveWhatMatters)
	g.Handle("POST", "/people/{id}/goals", manage, h.addGoal)
	g.Handle("GET", "/people/{id}/goals/{goal}", manage, h.goal)
	g.Handle("POST", "/people/{id}/goals/{goal}", manage, h.updateGoal)
	g.Handle("POST", "/people/{id}/goals/{goal}/steps", manage, h.addStep)
	g.Handle("GET", "/people/{id}/steps/{step}", manage, h.step)
	g.Handle("POST", "/people/{id}/steps/{step}", manage, h.updateStep)
	g.Handle("POST", "/people/{id}/notes", manage, h.addNote)
	g.Handle("GET", "/people/{id}/plan", view, h.planPrint)
	g.Handle("GET", "/people/{id}/contacts", view, h.contacts)
	g.Handle("POST", "/people/{id}/contacts", manage, h.addContact)
	g.Handle("GET", "/people/{id}/close", manage, h.closePage)
	g.Handle("POST", "/people/{id}/close", manage, h.closeCase)
	g.Handle("GET", "/people/{id}/export.json", view, h.exportJSON)
	g.Handle("GET", "/people/{id}/export", view, h.exportPage)
	g.Handle("GET", "/people/{id}/erase", erase, h.erasePage)
	g.Handle("POST", "/people/{id}/erase", erase, h.erase)
}

// The flash messages of casework's pages, added to the shared table.
func init() {
	for k, v := range map[string]string{
		"person-opened":      "The case record is open. Next, record what matters to the person.",
		"person-saved":       "The person's details have been saved.",
		"person-exists":      "This referral already has a case record: here it is.",
		"conversation-saved": "What matters to the person has been saved.",
		"goal-added":         "The goal has been added to the plan.",
		"goal-saved":         "The goal has been saved.",
		"step-added":         "The step has been added to the plan.",
		"step-saved":         "The step has been saved.",
		"note-added":         "The note has been added.",
		"contact-added":      "The contact has been recorded.",
		"case-closed":        "The case is closed. The referral it came from is closed too, and the referrer will be told.",
		"case-closed-direct": "The case is closed.",
		"person-erased":      "The person's personal data has been erased. Only anonymous facts remain.",
	} {
		flashMessages[k] = v
	}
	funcs["longDate"] = longDate
	funcs["monthOf"] = monthOf
}

// monthOf shows a year-month-day date as its month, "November 2026": an erased record keeps
// its dates only to the month.
func monthOf(day string) string {
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return d.Format("January 2006")
}

// caseloadPageSize is how many people a page of the caseload shows: most link workers'
// whole open caseload.
const caseloadPageSize = 100

// personPath is the address of a person's page.
func personPath(id int64) string { return "/people/" + strconv.FormatInt(id, 10) }

// pathPerson returns the person in the path if the principal may see them, and ENOTFOUND
// otherwise.
func (h *Handler) pathPerson(r *http.Request) (*linkwork.Person, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	return linkwork.VisiblePerson(r.Context(), h.svc.Cases, principal(r), id)
}

// workablePerson returns the person in the path if the principal may change their open
// case: ENOTFOUND if they may not see it, EFORBIDDEN if they may see but not change it, and
// EINVALID, saying why, if it is closed or erased.
func (h *Handler) workablePerson(r *http.Request) (*linkwork.Person, error) {
	person, err := h.pathPerson(r)
	if err != nil {
		return nil, err
	}
	return person, checkWorkable(principal(r), person)
}

func checkWorkable(p *linkwork.Principal, person *linkwork.Person) error {
	switch {
	case person.Status == linkwork.PersonErased:
		return linkwork.Errorf(linkwork.EINVALID, "This record has been erased: nothing more can be added to it.")
	case !p.CanWorkOn(person):
		return linkwork.Errorf(linkwork.EFORBIDDEN, "You may not change this record.")
	case !person.IsOpen():
		return linkwork.Errorf(linkwork.EINVALID, "This case is closed, so its details, plan and contacts can no longer be changed.")
	}
	return nil
}

// auditPerson records a look at a person's record, naming the record but holding no
// personal data.
func (h *Handler) auditPerson(r *http.Request, action string, personID int64, detail string) error {
	return h.svc.Audit.RecordAudit(r.Context(), &linkwork.AuditEvent{Action: action, RecordType: "person",
		RecordID: strconv.FormatInt(personID, 10), Detail: detail})
}

// caseWorkerRoles are the roles whose holders may hold a caseload: those who work on cases.
var caseWorkerRoles = linkwork.Policy[linkwork.PermManageCases].OwnOrganisation

// caseWorker is someone who may hold cases in one of the organisations.
type caseWorker struct {
	ID      int64
	Name    string
	OrgIDs  []int64
	Worker  bool // a link worker (not only a manager)
	OrgName string
}

// caseWorkers lists the people who may hold cases in the organisations: their link workers
// and managers, by name.
func (h *Handler) caseWorkers(r *http.Request, orgs []int64) ([]caseWorker, error) {
	if len(orgs) == 0 {
		return nil, nil
	}
	users, _, err := h.svc.Users.ListUsers(r.Context(), linkwork.UserFilter{PlaceID: principal(r).Place.ID, OrganisationIDs: orgs,
		Page: linkwork.Page{Size: linkwork.MaxPageSize}})
	if err != nil {
		return nil, err
	}
	var out []caseWorker
	for _, u := range users {
		cw := caseWorker{ID: u.ID, Name: u.Name}
		for _, m := range u.Memberships {
			if slices.Contains(orgs, m.OrganisationID) && slices.Contains(caseWorkerRoles, m.Role) {
				cw.OrgIDs = append(cw.OrgIDs, m.OrganisationID)
				cw.OrgName = cmp.Or(cw.OrgName, m.OrganisationName)
				cw.Worker = cw.Worker || m.Role == linkwork.RoleLinkWorker
			}
		}
		if len(cw.OrgIDs) > 0 {
			out = append(out, cw)
		}
	}
	return out, nil
}

// isCaseWorker reports whether the principal holds a caseload as a link worker in one of
// the organisations.
func isCaseWorker(p *linkwork.Principal, orgs []int64) bool {
	return slices.ContainsFunc(p.Memberships, func(m linkwork.Membership) bool {
		return m.Role == linkwork.RoleLinkWorker && slices.Contains(orgs, m.OrganisationID)
	})
}

// The caseload's worker filter, besides a worker's ID.
const (
	workerAll  = "all"
	workerNone = "none"
)

// PeopleView is the view of a caseload.
type PeopleView struct {
	Layout
	Heading  string
	Form     *Form
	Workers  []dirChoice
	Statuses []dirChoice
	Summary  *linkwork.CaseloadSummary
	Rows     []CaseRow
	Pager    Pager
	CanOpen  bool
	WeekLink string
	// Filtered is set when the list is narrowed by a search or status, for the empty message.
	Filtered bool
}

// CaseRow is one person in a caseload.
type CaseRow struct {
	Person       *linkwork.Person
	Name         string
	LastContact  string
	NextOn       string
	NextWhat     string
	FollowUpLate bool
	OverdueSteps int
	Onward       int
}

func (h *Handler) people(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	q := r.URL.Query()
	orgs := p.CaseOrganisations()
	workers, err := h.caseWorkers(r, orgs)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	v := &PeopleView{Layout: Layout{Title: "People"}, Form: NewForm(), CanOpen: len(manageOrganisations(p)) > 0}
	v.Form.Order = []string{"worker", "status", "q"}
	v.Workers = []dirChoice{{Value: workerAll, Label: "Everyone"}, {Value: workerNone, Label: "Nobody yet (not allocated)"}}
	for _, cw := range workers {
		label := cw.Name
		if cw.ID == p.User.ID {
			label += " (you)"
		}
		v.Workers = append(v.Workers, dirChoice{Value: strconv.FormatInt(cw.ID, 10), Label: label})
	}
	filter := linkwork.CaseloadFilter{PlaceID: p.Place.ID, OrganisationIDs: orgs, Today: timeNow(),
		Page: linkwork.Page{Number: pageFrom(r).Number, Size: caseloadPageSize}}
	keep := url.Values{}

	worker := q.Get("worker")
	if worker == "" {
		worker = workerAll
		if isCaseWorker(p, orgs) {
			worker = strconv.FormatInt(p.User.ID, 10)
		}
	} else if !slices.ContainsFunc(v.Workers, func(c dirChoice) bool { return c.Value == worker }) {
		v.Form.Fail("worker", "Choose a link worker from the list.")
		worker = workerAll
	}
	v.Form.Values["worker"] = worker
	keep.Set("worker", worker)
	switch worker {
	case workerAll:
		v.Heading = "Everyone’s people"
	case workerNone:
		filter.WorkerUserID = -1
		v.Heading = "People with no link worker yet"
	default:
		filter.WorkerUserID, _ = strconv.ParseInt(worker, 10, 64)
		v.Heading = "Your people"
		if filter.WorkerUserID != p.User.ID {
			i := slices.IndexFunc(workers, func(cw caseWorker) bool { return cw.ID == filter.WorkerUserID })
			v.Heading = workers[i].Name + "’s people"
		}
	}
	v.Statuses = []dirChoice{{Value: "", Label: "Open (waiting or active)"}}
	for _, s := range linkwork.PersonStatuses {
		v.Statuses = append(v.Statuses, dirChoice{Value: string(s), Label: s.Label()})
	}
	switch st := q.Get("status"); {
	case st == "":
	case linkwork.PersonStatus(st).Valid():
		filter.Statuses = []linkwork.PersonStatus{linkwork.PersonStatus(st)}
		v.Form.Values["status"] = st
		keep.Set("status", st)
		v.Filtered = true
	default:
		v.Form.Fail("status", "Choose a status from the list.")
	}
	if s := strings.TrimSpace(q.Get("q")); s != "" {
		v.Form.Values["q"] = s
		keep.Set("q", s)
		filter.Query = searchQuery(s)
		v.Filtered = true
	}

	list, total, summary, err := h.svc.Cases.Caseload(r.Context(), filter)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	// The trail records which list was looked at, but not what was searched for, which may
	// be a name.
	detail := "worker " + worker
	if st := keep.Get("status"); st != "" {
		detail += ", status " + st
	}
	if filter.Query != "" {
		detail += ", a search"
	}
	detail += ", page " + strconv.Itoa(filter.Page.Normal().Number)
	if err := h.svc.Audit.RecordAudit(r.Context(), &linkwork.AuditEvent{Action: linkwork.AuditPersonList, RecordType: "person",
		Detail: detail}); err != nil {
		h.serverError(w, r, err)
		return
	}
	v.Summary = summary
	v.Rows = make([]CaseRow, len(list))
	for i, e := range list {
		v.Rows[i] = caseRow(e)
	}
	v.Pager = newPager("/people", keep.Encode(), filter.Page, total)
	v.WeekLink = "/people/week"
	if worker != workerAll && worker != workerNone {
		v.WeekLink += "?worker=" + worker
	}
	h.render(w, r, http.StatusOK, "people", v)
}

// nhsDigits matches an NHS number typed with spaces or dashes.
var nhsDigits = regexp.MustCompile(`^[0-9][0-9 \-]{8,14}[0-9]$`)

// searchQuery tidies a caseload search: an NHS number loses its spaces.
func searchQuery(s string) string {
	if nhsDigits.MatchString(s) {
		return strings.NewReplacer(" ", "", "-", "").Replace(s)
	}
	return s
}

func caseRow(e *linkwork.CaseloadEntry) CaseRow {
	p := e.Person
	row := CaseRow{Person: p, Name: p.Name(), LastContact: longDate(p.LastContactOn), NextOn: longDate(e.NextActionOn),
		FollowUpLate: e.FollowUpOverdue, OverdueSteps: e.OverdueSteps, Onward: e.OnwardAwaiting}
	if p.PreferredName != "" && p.PreferredName != p.GivenName {
		row.Name += " (" + p.PreferredName + ")"
	}
	switch {
	case e.NextActionOn == "":
	case e.NextActionOn == p.FollowUpOn:
		row.NextWhat = "Follow up"
	default:
		row.NextWhat = p.NextStep
	}
	return row
}

// WeekView is the view of a link worker's week.
type WeekView struct {
	Layout
	Form     *Form
	Workers  []dirChoice
	Worker   string
	From     string
	To       string
	Prev     string
	Next     string
	ThisWeek string
	Days     []WeekDay
	Count    int
}

// WeekDay is one day of the week with what happens in it.
type WeekDay struct {
	Label string
	Today bool
	Items []*linkwork.WeekItem
}

// monday returns the Monday of the week t falls in, at midnight UTC.
func monday(t time.Time) time.Time {
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
}

func (h *Handler) week(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	q := r.URL.Query()
	orgs := p.CaseOrganisations()
	workers, err := h.caseWorkers(r, orgs)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	v := &WeekView{Layout: Layout{Title: "The week"}, Form: NewForm()}
	v.Form.Order = []string{"worker", "from"}
	for _, cw := range workers {
		label := cw.Name
		if cw.ID == p.User.ID {
			label += " (you)"
		}
		v.Workers = append(v.Workers, dirChoice{Value: strconv.FormatInt(cw.ID, 10), Label: label})
	}
	workerID := p.User.ID
	if s := q.Get("worker"); s != "" {
		if !slices.ContainsFunc(v.Workers, func(c dirChoice) bool { return c.Value == s }) {
			v.Form.Fail("worker", "Choose a link worker from the list.")
		} else {
			workerID, _ = strconv.ParseInt(s, 10, 64)
		}
	}
	v.Worker = strconv.FormatInt(workerID, 10)
	v.Form.Values["worker"] = v.Worker
	today := timeNow().In(london)
	from := monday(today)
	if s := strings.TrimSpace(q.Get("from")); s != "" {
		v.Form.Values["from"] = s
		if d, err := time.Parse(time.DateOnly, s); err != nil {
			v.Form.Fail("from", "Enter the week as a real date, year-month-day, such as "+from.Format(time.DateOnly)+".")
		} else {
			from = monday(d)
		}
	}
	v.Form.Values["from"] = from.Format(time.DateOnly)
	items, err := h.svc.Cases.Week(r.Context(), p.Place.ID, orgs, workerID, from)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if err := h.svc.Audit.RecordAudit(r.Context(), &linkwork.AuditEvent{Action: linkwork.AuditPersonList, RecordType: "person",
		Detail: "week from " + from.Format(time.DateOnly) + ", worker " + v.Worker}); err != nil {
		h.serverError(w, r, err)
		return
	}
	link := func(d time.Time) string {
		return "/people/week?" + url.Values{"from": {d.Format(time.DateOnly)}, "worker": {v.Worker}}.Encode()
	}
	v.Prev, v.Next, v.ThisWeek = link(from.AddDate(0, 0, -7)), link(from.AddDate(0, 0, 7)), link(monday(today))
	v.From, v.To = from.Format("2 January 2006"), from.AddDate(0, 0, 6).Format("2 January 2006")
	v.Title = "The week from " + v.From
	for i := range 7 {
		d := from.AddDate(0, 0, i)
		day := WeekDay{Label: d.Format("Monday 2 January"), Today: d.Format(time.DateOnly) == today.Format(time.DateOnly)}
		for _, it := range items {
			if it.On == d.Format(time.DateOnly) {
				day.Items = append(day.Items, it)
			}
		}
		v.Count += len(day.Items)
		v.Days = append(v.Days, day)
	}
	h.render(w, r, http.StatusOK, "week", v)
}

// manageOrganisations lists the principal's organisations in which they may open cases.
func manageOrganisations(p *linkwork.Principal) []dirChoice {
	return membershipChoices(p, func(orgID int64) bool { return p.CanIn(linkwork.PermManageCases, orgID) })
}

func (h *Handler) newPerson(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	f := NewForm()
	orgs := manageOrganisations(p)
	if len(orgs) > 0 {
		f.Values["organisation_id"] = orgs[0].Value
	}
	if isCaseWorker(p, p.OrganisationsWith(linkwork.PermManageCases)) {
		f.Values["worker_user_id"] = strconv.FormatInt(p.User.ID, 10)
	}
	v, err := h.personFormView(r, nil, f)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "person_form", v)
}

func (h *Handler) createPerson(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	_ = r.ParseForm()
	f := NewForm()
	v, err := h.personFormView(r, nil, f)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	person := &linkwork.Person{PlaceID: p.Place.ID}
	readPersonForm(r, v, person)
	if invalid := person.Validate(timeNow()); invalid != nil && !addProblems(f, invalid, personFields, "given_name") {
		h.serverError(w, r, invalid)
		return
	}
	if !f.HasErrors() {
		err := h.svc.Cases.CreatePerson(r.Context(), person)
		switch linkwork.ErrorCode(err) {
		case "":
			h.redirect(w, r, personPath(person.ID), "person-opened")
			return
		case linkwork.ECONFLICT:
			v.Conflict = linkwork.ErrorMessage(err)
			v.ExistingID = h.existingPerson(r, err)
		default:
			if !addProblems(f, err, personFields, "given_name") {
				h.serverError(w, r, err)
				return
			}
		}
	}
	h.render(w, r, http.StatusUnprocessableEntity, "person_form", v)
}

// recordNumber finds the record a conflict names: the store's message says "(person 123)".
var recordNumber = regexp.MustCompile(`(?i)\bperson\s+(\d+)`)

// existingPerson returns the ID of the record a conflict names, if the principal may see
// it, for a link to it; 0 otherwise.
func (h *Handler) existingPerson(r *http.Request, err error) int64 {
	m := recordNumber.FindStringSubmatch(linkwork.ErrorMessage(err))
	if m == nil {
		return 0
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	if _, err := linkwork.VisiblePerson(r.Context(), h.svc.Cases, principal(r), id); err != nil {
		return 0
	}
	return id
}

// openableReferral reports whether a case can be opened from a referral in its status.
func openableReferral(s linkwork.ReferralStatus) bool {
	switch s {
	case linkwork.ReferralAccepted, linkwork.ReferralWaiting, linkwork.ReferralAllocated, linkwork.ReferralInProgress:
		return true
	}
	return false
}

func (h *Handler) personFromReferral(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	ref, err := h.visibleReferral(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	if !p.CanIn(linkwork.PermManageCases, ref.SchemeOrganisationID) {
		h.forbidden(w, r)
		return
	}
	if existing, err := h.svc.Cases.FindPersonByReferral(r.Context(), ref.ID); err == nil {
		if p.CanSeePerson(existing) {
			h.redirect(w, r, personPath(existing.ID), "person-exists")
			return
		}
	} else if !isNotFound(err) {
		h.serverError(w, r, err)
		return
	}
	person, err := h.svc.Cases.CreatePersonFromReferral(r.Context(), ref.ID, 0)
	switch linkwork.ErrorCode(err) {
	case "":
		h.redirect(w, r, personPath(person.ID), "person-opened")
		return
	case linkwork.ECONFLICT:
		v := &ProblemView{Layout: Layout{Title: "The case record could not be opened"}, Message: linkwork.ErrorMessage(err),
			Back: "/referrals/" + strconv.FormatInt(ref.ID, 10), BackLabel: "Back to the referral"}
		if id := h.existingPerson(r, err); id != 0 {
			v.Link, v.LinkLabel = personPath(id), "Open the existing record"
		}
		h.render(w, r, http.StatusConflict, "person_problem", v)
		return
	}
	h.failed(w, r, err)
}

// ProblemView is the view of a page that says why something could not be done, with a
// link to what to do instead.
type ProblemView struct {
	Layout
	Message   string
	Link      string
	LinkLabel string
	Back      string
	BackLabel string
}

// PersonView is the view of a person's page.
type PersonView struct {
	Layout
	Person *linkwork.Person
	Record *linkwork.PersonRecord
	// Form holds the input and problems of the page's forms (a goal, a step, a note, a
	// contact), each field prefixed with its form; Problem a problem no field shows.
	Form    *Form
	Problem string
	Details PersonDetails
	// Goals are the plan's goals with their steps, overdue ones marked.
	Goals          []GoalRow
	OverdueSteps   int
	GoalChoices    []dirChoice
	FollowUpLate   bool
	Contacts       []*linkwork.CaseContact
	MoreContacts   bool
	Modes          []dirChoice
	Onward         []OnwardRow
	Responses      []ResponseRow
	Changes        []ChangeRow
	Questionnaires []QuestionnaireLinks
	CanWork        bool
	CanErase       bool
	// CanSpend is set when the principal may spend from a budget for the person's goals.
	CanSpend bool
	Today    string
	// From is where the contact form was sent from: "" for the person's page.
	From string
}

// PersonDetails are a person's details in words, shared by the person's page and the
// export.
type PersonDetails struct {
	Age          int
	AgeBand      string
	DateOfBirth  string
	NHSNumber    string
	ContactBy    []string
	Demographics []dirChoice // Value is the answer, Label the question
	IMD          string
	OpenedOn     string
}

// GoalRow is one goal of the plan with its steps.
type GoalRow struct {
	Goal   *linkwork.Goal
	Steps  []StepRow
	Active bool
}

// StepRow is one step of a goal.
type StepRow struct {
	Step    *linkwork.Step
	Due     string
	Done    string
	Overdue bool
}

// OnwardRow is one onward referral on the person's page.
type OnwardRow struct {
	Onward   *linkwork.OnwardReferral
	Awaiting bool
}

// ResponseRow is one questionnaire response on the person's page.
type ResponseRow struct {
	Response *linkwork.QuestionnaireResponse
	Score    string
	Draft    bool
	On       string
}

// ChangeRow is the change between a baseline and the latest response to a questionnaire.
type ChangeRow struct {
	Name     string
	From, To string
	Lines    []string
}

// QuestionnaireLinks are the links to record a questionnaire at each timepoint.
type QuestionnaireLinks struct {
	Code    string
	Name    string
	Licence string
	Links   []dirChoice
}

func (h *Handler) person(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.failed(w, r, err)
		return
	}
	h.showPerson(w, r, http.StatusOK, id, NewForm(), "")
}

// showPerson renders a person's page from their whole record, recording the view in the
// audit trail. A person the principal may not see is not found.
func (h *Handler) showPerson(w http.ResponseWriter, r *http.Request, status int, id int64, f *Form, problem string) {
	p := principal(r)
	ctx := r.Context()
	rec, err := h.svc.Cases.PersonRecord(ctx, id)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	person := rec.Person
	if !p.CanSeePerson(person) {
		h.notFound(w, r)
		return
	}
	var qs []*linkwork.Questionnaire
	if person.Status != linkwork.PersonErased {
		if qs, err = h.svc.Questionnaires.Questionnaires(ctx, p.Place.ID, false); err != nil {
			h.serverError(w, r, err)
			return
		}
	}
	if err := h.auditPerson(r, linkwork.AuditPersonView, person.ID, ""); err != nil {
		h.serverError(w, r, err)
		return
	}
	now := timeNow()
	today := now.In(london)
	v := &PersonView{Layout: Layout{Title: person.Name()}, Person: person, Record: rec, Form: f, Problem: problem,
		Details: personDetails(person, today), CanWork: checkWorkable(p, person) == nil, CanErase: p.CanErase(person),
		Today: today.Format(time.DateOnly)}
	if person.Status == linkwork.PersonErased {
		v.Title = "Erased record"
	}
	if f.Get("contact-on") == "" && !f.HasErrors() {
		f.Values["contact-on"] = v.Today
	}
	v.Goals, v.OverdueSteps = goalRows(rec.Plan, today)
	if v.CanSpend, err = h.canSpendFor(r, person); err != nil {
		h.serverError(w, r, err)
		return
	}
	for _, g := range v.Goals {
		v.GoalChoices = append(v.GoalChoices, dirChoice{Value: strconv.FormatInt(g.Goal.ID, 10), Label: g.Goal.Text})
	}
	v.FollowUpLate = person.IsOpen() && person.FollowUpOn != "" && person.FollowUpOn < v.Today
	v.Contacts = rec.Contacts
	if len(v.Contacts) > recentContacts {
		v.Contacts, v.MoreContacts = v.Contacts[:recentContacts], true
	}
	v.Modes = modeChoices()
	for _, o := range rec.Onward {
		v.Onward = append(v.Onward, OnwardRow{Onward: o, Awaiting: o.AwaitingAnswer(now)})
	}
	for _, resp := range rec.Questionnaires {
		v.Responses = append(v.Responses, responseRow(resp))
	}
	for _, c := range linkwork.ScoreChanges(qs, rec.Questionnaires) {
		v.Changes = append(v.Changes, changeRow(c))
	}
	for _, q := range qs {
		ql := QuestionnaireLinks{Code: q.Code, Name: q.Name, Licence: q.Licence}
		for _, tp := range linkwork.Timepoints {
			ql.Links = append(ql.Links, dirChoice{Value: "/people/" + strconv.FormatInt(person.ID, 10) + "/questionnaires/new?" +
				url.Values{"code": {q.Code}, "timepoint": {string(tp)}}.Encode(), Label: tp.Label()})
		}
		v.Questionnaires = append(v.Questionnaires, ql)
	}
	h.render(w, r, status, "person", v)
}

// recentContacts is how many contacts the person's page shows; the rest are a link away.
const recentContacts = 20

func modeChoices() []dirChoice {
	out := make([]dirChoice, len(linkwork.ContactModes))
	for i, m := range linkwork.ContactModes {
		out[i] = dirChoice{Value: string(m), Label: m.Label()}
	}
	return out
}

// goalRows lays out a plan's goals with their steps, marking the overdue ones, and counts
// them.
func goalRows(plan *linkwork.SupportPlan, today time.Time) ([]GoalRow, int) {
	if plan == nil {
		return nil, 0
	}
	var out []GoalRow
	overdue := 0
	for _, g := range plan.Goals {
		row := GoalRow{Goal: g, Active: g.Status == linkwork.GoalActive}
		for _, s := range g.Steps {
			sr := StepRow{Step: s, Due: longDate(s.DueOn), Done: longDate(s.DoneOn), Overdue: s.Overdue(today)}
			if sr.Overdue {
				overdue++
			}
			row.Steps = append(row.Steps, sr)
		}
		out = append(out, row)
	}
	return out, overdue
}

// personDetails says a person's details in words.
func personDetails(p *linkwork.Person, today time.Time) PersonDetails {
	d := PersonDetails{Age: p.Age(today), DateOfBirth: longDate(p.DateOfBirth), NHSNumber: linkwork.FormatNHSNumber(p.NHSNumber),
		OpenedOn: longDate(p.OpenedOn)}
	d.AgeBand = linkwork.AgeBand(d.Age)
	for _, m := range p.ContactPreferences {
		d.ContactBy = append(d.ContactBy, m.Label())
	}
	dm := p.Demographics
	answer := func(label, value string) {
		d.Demographics = append(d.Demographics, dirChoice{Label: label, Value: cmp.Or(value, "Not asked")})
	}
	answer("Sex", dm.Sex.Label())
	answer("Gender the same as sex registered at birth", dm.GenderSameAsSex.Label())
	if dm.Gender != "" {
		answer("Gender, in their words", dm.Gender)
	}
	answer("Ethnic group", dm.Ethnicity.Label())
	answer("A long-term condition or disability", dm.Disability.Label())
	answer("An unpaid carer", dm.Carer.Label())
	answer("First language", dm.FirstLanguage)
	if p.IMDDecile > 0 {
		d.IMD = "Decile " + strconv.Itoa(p.IMDDecile) + " of 10"
		if p.LSOA != "" {
			d.IMD += " (" + p.LSOA + ")"
		}
	}
	return d
}

// scoreText says a questionnaire's score: the total with its band, or ONS4's four items.
func scoreText(s *linkwork.QuestionnaireScore) string {
	if s == nil {
		return ""
	}
	if len(s.Items) > 0 {
		parts := make([]string, len(s.Items))
		for i, it := range s.Items {
			parts[i] = it.Label + " " + strconv.Itoa(it.Value)
			if it.Band != "" {
				parts[i] += " (" + it.Band + ")"
			}
		}
		return strings.Join(parts, "; ")
	}
	t := strconv.FormatFloat(s.Total, 'f', -1, 64)
	if s.Band != "" {
		t += " (" + s.Band + ")"
	}
	return t
}

func responseRow(resp *linkwork.QuestionnaireResponse) ResponseRow {
	row := ResponseRow{Response: resp, Score: scoreText(resp.Score), Draft: resp.Status == linkwork.ResponseDraft,
		On: longDate(resp.CompletedOn)}
	if row.On == "" {
		row.On = resp.UpdatedAt.In(london).Format("2 January 2006")
	}
	return row
}

// changeWords says a change with its direction: "3 better", "1.5 worse", "no change".
func changeWords(change float64, direction string) string {
	if direction == linkwork.ChangeSame || change == 0 {
		return "no change"
	}
	n := strconv.FormatFloat(max(change, -change), 'f', -1, 64)
	if change > 0 {
		n = "up " + n
	} else {
		n = "down " + n
	}
	return n + ", " + direction
}

func changeRow(c *linkwork.ScoreChange) ChangeRow {
	row := ChangeRow{Name: c.QuestionnaireName, From: longDate(c.Baseline.CompletedOn), To: longDate(c.Latest.CompletedOn)}
	if len(c.Items) > 0 {
		for _, it := range c.Items {
			row.Lines = append(row.Lines, it.Label+": "+changeWords(float64(it.Change), it.Direction))
		}
		return row
	}
	row.Lines = []string{"Score " + strconv.FormatFloat(c.Baseline.Score.Total, 'f', -1, 64) + " to " +
		strconv.FormatFloat(c.Latest.Score.Total, 'f', -1, 64) + ": " + changeWords(c.Change, c.Direction)}
	return row
}

// prefixed renames the fields of the problems in err for a form on the person's page, whose
// fields carry its prefix; a problem with a field the form does not have goes to problem.
func prefixed(f *Form, err error, prefix string, fields []string) (problem string, ok bool) {
	es := linkwork.FieldErrors(err)
	if len(es) == 0 {
		return "", false
	}
	for _, e := range es {
		if e.Code == linkwork.EINTERNAL {
			return "", false
		}
	}
	for _, e := range es {
		if slices.Contains(fields, e.Field) {
			if f.Error(prefix+e.Field) == "" {
				f.Fail(prefix+e.Field, e.Message)
			}
			continue
		}
		problem = strings.TrimSpace(problem + " " + e.Message)
	}
	return problem, true
}
