package api

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"linkwork"
)

func (h *Handler) registerPeople(g registrar) {
	view, manage := linkwork.PermViewCases, linkwork.PermManageCases
	g.Handle("GET", Prefix+"/people", view, h.listPeople)
	g.Handle("POST", Prefix+"/people", manage, h.createPerson)
	g.Handle("POST", Prefix+"/referrals/{id}/person", manage, h.openFromReferral)
	g.Handle("GET", Prefix+"/people/{id}", view, h.getPerson)
	g.Handle("PUT", Prefix+"/people/{id}", manage, h.putPerson)
	g.Handle("PATCH", Prefix+"/people/{id}", manage, h.patchPerson)
	g.Handle("GET", Prefix+"/people/{id}/record", view, h.personRecord)
	g.Handle("POST", Prefix+"/people/{id}/erase", linkwork.PermEraseCases, h.erasePerson)
	g.Handle("POST", Prefix+"/people/{id}/close", manage, h.closeCase)
	g.Handle("GET", Prefix+"/caseload/week", view, h.week)
	h.registerSupportPlan(g)
	h.registerContacts(g)
}

// PersonDetails are the fields of a person's record that its link workers keep: who they
// are, how to reach them, their demographics and their link worker.
type PersonDetails struct {
	GivenName          string                   `json:"given_name"`
	FamilyName         string                   `json:"family_name"`
	PreferredName      string                   `json:"preferred_name"`
	DateOfBirth        string                   `json:"date_of_birth"`
	NHSNumber          string                   `json:"nhs_number"`
	Address1           string                   `json:"address_1"`
	Address2           string                   `json:"address_2"`
	Town               string                   `json:"town"`
	Postcode           string                   `json:"postcode"`
	Phone              string                   `json:"phone"`
	Email              string                   `json:"email"`
	ContactPreferences []linkwork.ContactMethod `json:"contact_preferences"`
	Language           string                   `json:"language"`
	Interpreter        bool                     `json:"interpreter"`
	AccessNeeds        string                   `json:"access_needs"`
	GPPractice         string                   `json:"gp_practice"`
	Demographics       linkwork.Demographics    `json:"demographics"`
	// WorkerUserID is the link worker responsible for the person; 0 for none.
	WorkerUserID int64 `json:"worker_user_id"`
}

// NewPerson is the body of POST /people: a case opened directly, without a referral.
type NewPerson struct {
	// OrganisationID is the organisation that will hold the record, needed only when the
	// principal works on cases in more than one.
	OrganisationID int64 `json:"organisation_id"`
	// OpenedOn is when the case opened; today if left out.
	OpenedOn string `json:"opened_on"`
	PersonDetails
}

// PersonUpdate is the body of PUT and PATCH /people/{id}: the details, with the version of
// the record they were read at.
type PersonUpdate struct {
	Version *int `json:"version"`
	PersonDetails
}

// OpenCaseBody is the body of POST /referrals/{id}/person (which may also be empty).
type OpenCaseBody struct {
	// WorkerUserID is the link worker for the case; 0 keeps the referral's.
	WorkerUserID int64 `json:"worker_user_id"`
}

// EraseBody is the body of POST /people/{id}/erase.
type EraseBody struct {
	Reason string `json:"reason"`
}

// CloseBody is the body of POST /people/{id}/close.
type CloseBody struct {
	Version *int                 `json:"version"`
	Outcome linkwork.CaseOutcome `json:"outcome"`
	Note    string               `json:"note"`
}

// Caseload is the answer of GET /people: a page of people with their next actions, and
// the counts of everyone who matches.
type Caseload struct {
	Items   []*linkwork.CaseloadEntry `json:"items"`
	Page    int                       `json:"page"`
	PerPage int                       `json:"per_page"`
	Total   int                       `json:"total"`
	Summary *linkwork.CaseloadSummary `json:"summary"`
}

// Week is the answer of GET /caseload/week: a link worker's seven days from a date.
type Week struct {
	WorkerUserID int64                `json:"worker_user_id"`
	From         string               `json:"from"`
	To           string               `json:"to"`
	Items        []*linkwork.WeekItem `json:"items"`
}

// personFields maps the fields person validation names to where they are in a body.
var personFields = map[string]string{
	"sex": "demographics.sex", "gender_same_as_sex": "demographics.gender_same_as_sex", "gender": "demographics.gender",
	"ethnicity": "demographics.ethnicity", "disability": "demographics.disability", "carer": "demographics.carer",
	"first_language": "demographics.first_language",
}

// today is the date in the UK, which every date of a case is judged against.
func today() time.Time { return time.Now().In(london) }

func (d *PersonDetails) apply(p *linkwork.Person) {
	p.GivenName, p.FamilyName, p.PreferredName, p.DateOfBirth = d.GivenName, d.FamilyName, d.PreferredName, d.DateOfBirth
	p.NHSNumber, p.Address1, p.Address2, p.Town, p.Postcode = d.NHSNumber, d.Address1, d.Address2, d.Town, d.Postcode
	p.Phone, p.Email, p.ContactPreferences, p.Language = d.Phone, d.Email, d.ContactPreferences, d.Language
	p.Interpreter, p.AccessNeeds, p.GPPractice, p.Demographics = d.Interpreter, d.AccessNeeds, d.GPPractice, d.Demographics
	p.WorkerUserID = d.WorkerUserID
}

func detailsOf(p *linkwork.Person) PersonDetails {
	return PersonDetails{GivenName: p.GivenName, FamilyName: p.FamilyName, PreferredName: p.PreferredName,
		DateOfBirth: p.DateOfBirth, NHSNumber: p.NHSNumber, Address1: p.Address1, Address2: p.Address2, Town: p.Town,
		Postcode: p.Postcode, Phone: p.Phone, Email: p.Email, ContactPreferences: slices.Clone(p.ContactPreferences),
		Language: p.Language, Interpreter: p.Interpreter, AccessNeeds: p.AccessNeeds, GPPractice: p.GPPractice,
		Demographics: p.Demographics, WorkerUserID: p.WorkerUserID}
}

// tidyPerson makes a person's lists empty rather than null, as the API promises.
func tidyPerson(p *linkwork.Person) *linkwork.Person {
	if p != nil && p.ContactPreferences == nil {
		p.ContactPreferences = []linkwork.ContactMethod{}
	}
	return p
}

// visiblePerson returns the person in the path if the principal may see them.
func (h *Handler) visiblePerson(r *http.Request) (*linkwork.Person, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	return linkwork.VisiblePerson(r.Context(), h.svc.Cases, principal(r), id)
}

// openPerson returns the person in the path if the principal may work on their case and it
// is open: an erased or closed case can no longer be changed.
func (h *Handler) openPerson(r *http.Request) (*linkwork.Person, error) {
	person, err := h.visiblePerson(r)
	if err != nil {
		return nil, err
	}
	return person, workable(principal(r), person, false)
}

// workable says why the principal may not change a case they can see, or nil. Only
// questionnaires may be recorded on a closed case (final ones, shortly after closing: the
// store decides), so only they pass closedToo.
func workable(p *linkwork.Principal, person *linkwork.Person, closedToo bool) error {
	switch {
	case person.Status == linkwork.PersonErased:
		return linkwork.Errorf(linkwork.EINVALID, "This person's personal data has been erased: their record can no longer be changed.")
	case !p.CanWorkOn(person):
		return linkwork.Errorf(linkwork.EFORBIDDEN, "Only the link workers and managers of %s can work on this case.", person.OrganisationName)
	case !person.IsOpen() && !closedToo:
		return linkwork.Errorf(linkwork.EINVALID, "%s's case is closed, so it can no longer be changed.", person.KnownAs())
	}
	return nil
}

// auditPerson records that the principal saw (or exported, or listed) personal data of
// case records.
func (h *Handler) auditPerson(r *http.Request, action string, id int64, detail string) error {
	e := &linkwork.AuditEvent{Action: action, RecordType: "person", Detail: detail}
	if id != 0 {
		e.RecordID = idString(id)
	}
	return h.svc.Audit.RecordAudit(r.Context(), e)
}

// versionMismatch is the answer to a change made on a version the record is no longer at.
func versionMismatch(what string, have int, sent *int) error {
	if sent == nil {
		return linkwork.FieldError("version", "version is required: send the version of the %s as you read it (it is now %d).", what, have)
	}
	if *sent != have {
		return linkwork.Errorf(linkwork.ECONFLICT,
			"The %s has changed since you read it: it is now at version %d, and you sent version %d. Read it again, and make your change to what it is now.",
			what, have, *sent)
	}
	return nil
}

// caseOrganisation returns the organisation a new case is held by: the one chosen, which
// must be one the principal works on cases in, or their only one.
func caseOrganisation(p *linkwork.Principal, chosen int64) (int64, error) {
	var mine []linkwork.Membership
	for _, m := range p.Memberships {
		if p.CanIn(linkwork.PermManageCases, m.OrganisationID) &&
			!slices.ContainsFunc(mine, func(o linkwork.Membership) bool { return o.OrganisationID == m.OrganisationID }) {
			mine = append(mine, m)
		}
	}
	for _, m := range mine {
		if m.OrganisationID == chosen || chosen == 0 && len(mine) == 1 {
			return m.OrganisationID, nil
		}
	}
	names := make([]string, len(mine))
	for i, m := range mine {
		names[i] = fmt.Sprintf("%d (%s)", m.OrganisationID, m.OrganisationName)
	}
	if chosen == 0 {
		return 0, linkwork.FieldError("organisation_id",
			"You work on cases for more than one organisation in %s: say which will hold this record with organisation_id, one of %s.",
			p.Place.Name, strings.Join(names, ", "))
	}
	return 0, linkwork.FieldError("organisation_id",
		"organisation_id must be an organisation you work on cases for in %s: %s.", p.Place.Name, strings.Join(names, ", "))
}

func (h *Handler) listPeople(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	page, err := pageParams(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	f := linkwork.CaseloadFilter{PlaceID: p.Place.ID, OrganisationIDs: p.CaseOrganisations(), Query: strings.TrimSpace(q.Get("q")),
		Today: today(), Page: page}
	if len(f.Query) > 100 {
		h.fail(w, r, linkwork.FieldError("q", "q must be at most 100 characters: the start of a name, an NHS number or a referral reference."))
		return
	}
	switch s := q.Get("worker"); s {
	case "":
	case "me":
		f.WorkerUserID = p.User.ID
	case "none":
		f.WorkerUserID = -1
	default:
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			h.fail(w, r, linkwork.FieldError("worker", "worker must be me (your own people), none (people with no link worker yet) or a link worker's user ID."))
			return
		}
		f.WorkerUserID = id
	}
	for _, s := range q["status"] {
		for _, v := range strings.Split(s, ",") {
			st := linkwork.PersonStatus(strings.TrimSpace(v))
			if !st.Valid() {
				names := make([]string, len(linkwork.PersonStatuses))
				for i, s := range linkwork.PersonStatuses {
					names[i] = string(s)
				}
				h.fail(w, r, linkwork.FieldError("status", "status must be one or more of %s, repeated or separated by commas.", strings.Join(names, ", ")))
				return
			}
			if !slices.Contains(f.Statuses, st) {
				f.Statuses = append(f.Statuses, st)
			}
		}
	}
	out := Caseload{Page: page.Number, PerPage: page.Size, Summary: &linkwork.CaseloadSummary{}}
	if len(f.OrganisationIDs) > 0 {
		out.Items, out.Total, out.Summary, err = h.svc.Cases.Caseload(r.Context(), f)
	}
	if err == nil {
		err = h.auditPerson(r, linkwork.AuditPersonList, 0, "api: "+r.URL.RawQuery)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if out.Items == nil {
		out.Items = []*linkwork.CaseloadEntry{}
	}
	if out.Summary == nil {
		out.Summary = &linkwork.CaseloadSummary{}
	}
	for _, e := range out.Items {
		tidyPerson(e.Person)
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *Handler) createPerson(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	var body NewPerson
	if err := decodePerson(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	person := &linkwork.Person{PlaceID: p.Place.ID, OpenedOn: strings.TrimSpace(body.OpenedOn)}
	body.apply(person)
	var ps linkwork.Problems
	org, err := caseOrganisation(p, body.OrganisationID)
	ps.Add(err)
	person.OrganisationID = org
	if body.WorkerUserID < 0 {
		ps.Add(linkwork.FieldError("worker_user_id", "worker_user_id must be a link worker's user ID, or 0 for none yet."))
	}
	ps.Add(person.Validate(today()))
	if err := ps.Err(); err != nil {
		h.fail(w, r, bodyFields(err, personFields))
		return
	}
	if err := h.svc.Cases.CreatePerson(r.Context(), person); err != nil {
		h.fail(w, r, bodyFields(err, personFields))
		return
	}
	h.created(w, r, person.ID)
}

// created answers 201 with a new case record as the store reads it back.
func (h *Handler) created(w http.ResponseWriter, r *http.Request, id int64) {
	person, err := h.svc.Cases.FindPersonByID(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Location", Prefix+"/people/"+idString(person.ID))
	writeJSON(w, http.StatusCreated, tidyPerson(person))
}

// decodePerson reads a body holding PersonDetails as decode does, naming the fields of a
// decoding error as the body has them: encoding/json puts the embedded struct's Go name
// before them.
func decodePerson(w http.ResponseWriter, r *http.Request, v any) error {
	err := decode(w, r, v)
	if f := linkwork.ErrorField(err); strings.HasPrefix(f, "PersonDetails.") {
		f = strings.TrimPrefix(f, "PersonDetails.")
		return linkwork.FieldError(f, "%s", strings.ReplaceAll(linkwork.ErrorMessage(err), "PersonDetails.", ""))
	}
	return err
}

// decodeOptional reads a JSON object as decode does, but takes an empty body as {}.
func decodeOptional(w http.ResponseWriter, r *http.Request, v any) error {
	if r.ContentLength == 0 {
		return nil
	}
	return decode(w, r, v)
}

func (h *Handler) openFromReferral(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	ref, err := h.visibleReferral(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !p.CanIn(linkwork.PermManageCases, ref.SchemeOrganisationID) {
		h.fail(w, r, linkwork.Errorf(linkwork.EFORBIDDEN, "Only the link workers and managers of the scheme %s can open a case from this referral.", ref.SchemeName))
		return
	}
	var body OpenCaseBody
	if err := decodeOptional(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	if body.WorkerUserID < 0 {
		h.fail(w, r, linkwork.FieldError("worker_user_id", "worker_user_id must be a link worker's user ID, or 0 to keep the referral's."))
		return
	}
	person, err := h.svc.Cases.CreatePersonFromReferral(r.Context(), ref.ID, body.WorkerUserID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.created(w, r, person.ID)
}

func (h *Handler) getPerson(w http.ResponseWriter, r *http.Request) {
	person, err := h.visiblePerson(r)
	if err == nil {
		err = h.auditPerson(r, linkwork.AuditPersonView, person.ID, "api")
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, tidyPerson(person))
}

func (h *Handler) putPerson(w http.ResponseWriter, r *http.Request) {
	h.updatePerson(w, r, false)
}

func (h *Handler) patchPerson(w http.ResponseWriter, r *http.Request) {
	h.updatePerson(w, r, true)
}

// updatePerson saves a person's details: all of them (PUT), or those in the body over
// those the record has (PATCH).
func (h *Handler) updatePerson(w http.ResponseWriter, r *http.Request, patch bool) {
	person, err := h.openPerson(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var body PersonUpdate
	if patch {
		body.PersonDetails = detailsOf(person)
	}
	if err := decodePerson(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := versionMismatch("record", person.Version, body.Version); err != nil {
		h.fail(w, r, err)
		return
	}
	changed := *person
	body.apply(&changed)
	var ps linkwork.Problems
	if body.WorkerUserID < 0 {
		ps.Add(linkwork.FieldError("worker_user_id", "worker_user_id must be a link worker's user ID, or 0 for none."))
	}
	ps.Add(changed.Validate(today()))
	if err := ps.Err(); err != nil {
		h.fail(w, r, bodyFields(err, personFields))
		return
	}
	if err := h.svc.Cases.UpdatePerson(r.Context(), &changed); err != nil {
		h.fail(w, r, bodyFields(err, personFields))
		return
	}
	out, err := h.svc.Cases.FindPersonByID(r.Context(), person.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, tidyPerson(out))
}

// tidyRecord makes a record's lists empty rather than null, as the API promises.
func tidyRecord(rec *linkwork.PersonRecord) *linkwork.PersonRecord {
	tidyPerson(rec.Person)
	if rec.Plan == nil {
		rec.Plan = &linkwork.SupportPlan{}
	}
	tidyPlan(rec.Plan)
	if rec.Contacts == nil {
		rec.Contacts = []*linkwork.CaseContact{}
	}
	if rec.Onward == nil {
		rec.Onward = []*linkwork.OnwardReferral{}
	}
	if rec.Questionnaires == nil {
		rec.Questionnaires = []*linkwork.QuestionnaireResponse{}
	}
	for _, q := range rec.Questionnaires {
		tidyResponse(q)
	}
	return rec
}

func (h *Handler) personRecord(w http.ResponseWriter, r *http.Request) {
	person, err := h.visiblePerson(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	rec, err := h.svc.Cases.PersonRecord(r.Context(), person.ID)
	if err == nil {
		err = h.auditPerson(r, linkwork.AuditPersonExport, person.ID, "api: the full record, as JSON")
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, tidyRecord(rec))
}

func (h *Handler) erasePerson(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	person, err := h.visiblePerson(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	switch {
	case person.Status == linkwork.PersonErased:
		h.fail(w, r, linkwork.Errorf(linkwork.EINVALID, "This person's personal data has already been erased."))
		return
	case !p.CanErase(person):
		h.fail(w, r, linkwork.Errorf(linkwork.EFORBIDDEN, "Only a manager of %s can erase a person's personal data.", person.OrganisationName))
		return
	}
	var body EraseBody
	if err := decode(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	if strings.TrimSpace(body.Reason) == "" {
		h.fail(w, r, linkwork.FieldError("reason", "Say why the person's personal data is being erased, such as \"The person asked us to\". It is kept in the audit trail, so do not give their name."))
		return
	}
	// The store checks the reason's length and characters, naming it why.
	if err := h.svc.Cases.ErasePerson(r.Context(), person.ID, body.Reason); err != nil {
		h.fail(w, r, bodyFields(err, map[string]string{"why": "reason"}))
		return
	}
	out, err := h.svc.Cases.FindPersonByID(r.Context(), person.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, tidyPerson(out))
}

func (h *Handler) closeCase(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	person, err := h.openPerson(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var body CloseBody
	if err := decode(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := versionMismatch("record", person.Version, body.Version); err != nil {
		h.fail(w, r, err)
		return
	}
	c := linkwork.CaseClosure{PersonID: person.ID, Version: *body.Version, Outcome: body.Outcome, Note: body.Note}
	if err := c.Validate(); err != nil {
		h.fail(w, r, err)
		return
	}
	out, err := h.svc.Cases.CloseCase(r.Context(), c, p.User.ID, p.User.Name)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, tidyPerson(out))
}

func (h *Handler) week(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	q := r.URL.Query()
	worker := p.User.ID
	if s := q.Get("worker"); s != "" && s != "me" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			h.fail(w, r, linkwork.FieldError("worker", "worker must be me (the default) or a link worker's user ID."))
			return
		}
		worker = id
	}
	now := today()
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	from := day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7)) // this week's Monday
	if s := q.Get("from"); s != "" {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			h.fail(w, r, linkwork.FieldError("from", "from must be a date, year-month-day, such as %s; it defaults to this week's Monday.", from.Format(time.DateOnly)))
			return
		}
		if d.Year() < 2000 || d.After(day.AddDate(2, 0, 0)) {
			h.fail(w, r, linkwork.FieldError("from", "from must be a date from 2000 to two years ahead."))
			return
		}
		from = d
	}
	var items []*linkwork.WeekItem
	var err error
	if orgs := p.CaseOrganisations(); len(orgs) > 0 {
		items, err = h.svc.Cases.Week(r.Context(), p.Place.ID, orgs, worker, from)
	}
	if err == nil {
		err = h.auditPerson(r, linkwork.AuditPersonList, 0, fmt.Sprintf("api: the week of user %d from %s", worker, from.Format(time.DateOnly)))
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if items == nil {
		items = []*linkwork.WeekItem{}
	}
	writeJSON(w, http.StatusOK, Week{WorkerUserID: worker, From: from.Format(time.DateOnly),
		To: from.AddDate(0, 0, 6).Format(time.DateOnly), Items: items})
}
