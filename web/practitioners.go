package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"linkwork"
)

func (h *Handler) registerPractitioners(g registrar) {
	view, manage := linkwork.PermViewPractitioners, linkwork.PermManagePractitioners
	g.Handle("GET", "/practitioners", view, h.practitioners)
	g.Handle("GET", "/practitioners/me", view, h.ownPractitioner)
	g.Handle("POST", "/practitioners/me", view, h.saveOwnPractitioner)
	g.Handle("GET", "/practitioners/new", manage, h.newPractitioner)
	g.Handle("POST", "/practitioners", manage, h.createPractitioner)
	g.Handle("GET", "/practitioners/{id}", view, h.practitioner)
	g.Handle("GET", "/practitioners/{id}/edit", manage, h.editPractitioner)
	g.Handle("POST", "/practitioners/{id}", manage, h.updatePractitioner)
}

// PractitionersView is the view of the directory of link workers, searched and filtered.
type PractitionersView struct {
	Layout
	Practitioners []*linkwork.Practitioner
	// Form holds the search as typed: q, organisation and scheme.
	Form          *Form
	Organisations []dirChoice
	Schemes       []dirChoice
	Pager         Pager
	CanAdd        bool
}

func (h *Handler) practitioners(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	q := r.URL.Query()
	f := NewForm()
	f.Values["q"] = strings.TrimSpace(q.Get("q"))
	orgs, err := h.placeOrganisationChoices(r)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	schemes, err := h.schemeChoices(r)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	filter := linkwork.PractitionerFilter{PlaceID: p.Place.ID, Text: f.Get("q"), Page: pageFrom(r)}
	keep := url.Values{}
	if f.Get("q") != "" {
		keep.Set("q", f.Get("q"))
	}
	// A filter that names nothing in the place is ignored rather than refused.
	for _, c := range []struct {
		key     string
		choices []dirChoice
		dst     *int64
	}{{"organisation", orgs, &filter.OrganisationID}, {"scheme", schemes, &filter.SchemeID}} {
		v := q.Get(c.key)
		if slices.ContainsFunc(c.choices, func(o dirChoice) bool { return o.Value == v }) {
			f.Values[c.key] = v
			*c.dst, _ = strconv.ParseInt(v, 10, 64)
			keep.Set(c.key, v)
		}
	}
	list, total, err := h.svc.Practitioners.ListPractitioners(r.Context(), filter)
	if err == nil {
		detail := "page " + strconv.Itoa(filter.Page.Number)
		if s := keep.Encode(); s != "" {
			detail = s + ", " + detail
		}
		err = h.svc.Audit.RecordAudit(r.Context(), &linkwork.AuditEvent{Action: linkwork.AuditPractitionerList,
			RecordType: "practitioner", Detail: detail})
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "practitioners", &PractitionersView{Layout: Layout{Title: "Directory of link workers"},
		Practitioners: list, Form: f, Organisations: orgs, Schemes: schemes, Pager: newPager("/practitioners", keep.Encode(), filter.Page, total),
		CanAdd: p.Can(linkwork.PermManagePractitioners)})
}

// schemeChoices lists the connector schemes of the principal's place.
func (h *Handler) schemeChoices(r *http.Request) ([]dirChoice, error) {
	list, _, err := h.svc.Directory.ListServices(r.Context(), linkwork.ServiceFilter{PlaceID: principal(r).Place.ID,
		Kind: linkwork.KindScheme, Page: linkwork.Page{Size: linkwork.MaxPageSize}})
	if err != nil {
		return nil, err
	}
	out := make([]dirChoice, len(list))
	for i, s := range list {
		out[i] = dirChoice{Value: strconv.FormatInt(s.ID, 10), Label: s.Name}
	}
	return out, nil
}

// placePractitioner returns the entry in the path if it is in the principal's place.
func (h *Handler) placePractitioner(r *http.Request) (*linkwork.Practitioner, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	pr, err := h.svc.Practitioners.FindPractitionerByID(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if pr.PlaceID != principal(r).Place.ID {
		return nil, linkwork.Errorf(linkwork.ENOTFOUND, "Directory entry not found.")
	}
	return pr, nil
}

// manageablePractitioner returns the entry in the path if the principal may change it:
// an administrator any in the place, a manager those their organisations employ.
func (h *Handler) manageablePractitioner(r *http.Request) (*linkwork.Practitioner, error) {
	pr, err := h.placePractitioner(r)
	if err != nil {
		return nil, err
	}
	if !principal(r).CanIn(linkwork.PermManagePractitioners, pr.OrganisationID) {
		return nil, linkwork.Errorf(linkwork.EFORBIDDEN, "Only %s's managers can change this entry.", pr.OrganisationName)
	}
	return pr, nil
}

// PractitionerView is the view of one entry in the directory of link workers.
type PractitionerView struct {
	Layout
	Practitioner *linkwork.Practitioner
	Own          bool // the principal's own entry
	CanManage    bool
}

func (h *Handler) practitioner(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	pr, err := h.placePractitioner(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	if err := h.svc.Audit.RecordAudit(r.Context(), &linkwork.AuditEvent{Action: linkwork.AuditPractitionerView,
		RecordType: "practitioner", RecordID: strconv.FormatInt(pr.ID, 10)}); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "practitioner", &PractitionerView{Layout: Layout{Title: pr.Name}, Practitioner: pr,
		Own: pr.UserID != 0 && pr.UserID == p.User.ID, CanManage: p.CanIn(linkwork.PermManagePractitioners, pr.OrganisationID)})
}

// PractitionerFormView is the view of the form to add or change an entry.
type PractitionerFormView struct {
	Layout
	Form          *Form
	Organisations []dirChoice
	Schemes       []dirChoice
	Own           bool
	Action        string
	Button        string
	Back          string
}

var practitionerFields = []string{"name", "job_title", "organisation_id", "scheme_id", "neighbourhoods", "specialisms",
	"languages", "email", "phone", "availability"}

// readPractitionerForm reads a submitted entry into pr.
func readPractitionerForm(r *http.Request, pr *linkwork.Practitioner) *Form {
	f := formFrom(r, practitionerFields...)
	f.Order = practitionerFields
	pr.Name, pr.JobTitle, pr.Email, pr.Phone, pr.Availability = f.Get("name"), f.Get("job_title"), f.Get("email"), f.Get("phone"), f.Get("availability")
	pr.OrganisationID, _ = strconv.ParseInt(f.Get("organisation_id"), 10, 64)
	pr.SchemeID = 0
	if v := f.Get("scheme_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			f.Fail("scheme_id", "Choose a connector scheme from the list, or none.")
		}
		pr.SchemeID = id
	}
	pr.Neighbourhoods, pr.Specialisms, pr.Languages = oneALine(f.Get("neighbourhoods")), oneALine(f.Get("specialisms")), oneALine(f.Get("languages"))
	return f
}

// practitionerFormValues fills a form with an entry's details.
func practitionerFormValues(pr *linkwork.Practitioner) *Form {
	f := NewForm()
	f.Values["name"], f.Values["job_title"], f.Values["email"], f.Values["phone"] = pr.Name, pr.JobTitle, pr.Email, pr.Phone
	f.Values["availability"] = pr.Availability
	if pr.OrganisationID != 0 {
		f.Values["organisation_id"] = strconv.FormatInt(pr.OrganisationID, 10)
	}
	if pr.SchemeID != 0 {
		f.Values["scheme_id"] = strconv.FormatInt(pr.SchemeID, 10)
	}
	f.Values["neighbourhoods"], f.Values["specialisms"] = strings.Join(pr.Neighbourhoods, "\n"), strings.Join(pr.Specialisms, "\n")
	f.Values["languages"] = strings.Join(pr.Languages, "\n")
	return f
}

// managedEmployers lists the organisations whose entries the principal keeps: every one in
// the place for an administrator, a manager's own.
func (h *Handler) managedEmployers(r *http.Request) ([]dirChoice, error) {
	p := principal(r)
	if p.CanPlaceWide(linkwork.PermManagePractitioners) {
		return h.placeOrganisationChoices(r)
	}
	return membershipChoices(p, func(orgID int64) bool { return p.CanIn(linkwork.PermManagePractitioners, orgID) }), nil
}

// membershipChoices lists the principal's organisations in the place for which keep is true.
func membershipChoices(p *linkwork.Principal, keep func(orgID int64) bool) []dirChoice {
	var out []dirChoice
	for _, m := range p.Memberships {
		id := strconv.FormatInt(m.OrganisationID, 10)
		if keep(m.OrganisationID) && !slices.ContainsFunc(out, func(c dirChoice) bool { return c.Value == id }) {
			out = append(out, dirChoice{Value: id, Label: m.OrganisationName})
		}
	}
	slices.SortFunc(out, func(a, b dirChoice) int { return strings.Compare(strings.ToLower(a.Label), strings.ToLower(b.Label)) })
	return out
}

// checkEmployer records a problem if the employer chosen is not among the choices.
func checkEmployer(f *Form, orgs []dirChoice, id int64, message string) {
	if !slices.ContainsFunc(orgs, func(c dirChoice) bool { return c.Value == strconv.FormatInt(id, 10) }) {
		f.Fail("organisation_id", message)
	}
}

func (h *Handler) practitionerFormView(r *http.Request, title string, f *Form, orgs []dirChoice) (*PractitionerFormView, error) {
	schemes, err := h.schemeChoices(r)
	if err != nil {
		return nil, err
	}
	if f.Order == nil {
		f.Order = practitionerFields
	}
	return &PractitionerFormView{Layout: Layout{Title: title}, Form: f, Organisations: orgs, Schemes: schemes}, nil
}

// savePractitioner checks a submitted entry and, if it is right, saves it with save; if not,
// it shows the form again with every problem.
func (h *Handler) savePractitioner(w http.ResponseWriter, r *http.Request, pr *linkwork.Practitioner, f *Form, v *PractitionerFormView,
	save func() error) {
	if f.HasErrors() {
		// Show the domain's problems with the form's own, all at once.
		if err := pr.Validate(); err != nil {
			f.FailWith(err, "name")
		}
	} else {
		err := save()
		if err == nil {
			h.redirect(w, r, "/practitioners/"+strconv.FormatInt(pr.ID, 10), "practitioner-saved")
			return
		}
		if linkwork.ErrorField(err) == "user_id" {
			err = linkwork.FieldError("name", "%s", linkwork.ErrorMessage(err))
		}
		if !f.FailWith(err, "name") {
			h.serverError(w, r, err)
			return
		}
	}
	h.render(w, r, http.StatusUnprocessableEntity, "practitioner_form", v)
}

// ownEmployers lists the organisations a person may name as their own employer: those they
// belong to in the place, and the one their entry names already.
func ownEmployers(p *linkwork.Principal, existing *linkwork.Practitioner) []dirChoice {
	orgs := membershipChoices(p, func(int64) bool { return true })
	if existing != nil {
		id := strconv.FormatInt(existing.OrganisationID, 10)
		if !slices.ContainsFunc(orgs, func(c dirChoice) bool { return c.Value == id }) {
			orgs = append(orgs, dirChoice{Value: id, Label: existing.OrganisationName})
		}
	}
	return orgs
}

// ownEntry returns the principal's own entry in the place, or nil if they have none.
func (h *Handler) ownEntry(r *http.Request) (*linkwork.Practitioner, error) {
	p := principal(r)
	pr, err := h.svc.Practitioners.FindPractitionerByUser(r.Context(), p.Place.ID, p.User.ID)
	if isNotFound(err) {
		return nil, nil
	}
	return pr, err
}

const ownEntryTitle = "Your entry in the directory of link workers"

func (h *Handler) ownPractitioner(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	existing, err := h.ownEntry(r)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	orgs := ownEmployers(p, existing)
	var f *Form
	if existing != nil {
		f = practitionerFormValues(existing)
	} else {
		f = practitionerFormValues(&linkwork.Practitioner{Name: p.User.Name, Email: p.User.Email})
		if len(orgs) == 1 {
			f.Values["organisation_id"] = orgs[0].Value
		}
	}
	v, err := h.practitionerFormView(r, ownEntryTitle, f, orgs)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	v.Own, v.Action, v.Back = true, "/practitioners/me", "/practitioners"
	v.Button = "Add my entry"
	if existing != nil {
		v.Button, v.Back = "Save my entry", "/practitioners/"+strconv.FormatInt(existing.ID, 10)
	}
	h.render(w, r, http.StatusOK, "practitioner_form", v)
}

func (h *Handler) saveOwnPractitioner(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	existing, err := h.ownEntry(r)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	pr := &linkwork.Practitioner{PlaceID: p.Place.ID, UserID: p.User.ID}
	f := readPractitionerForm(r, pr)
	orgs := ownEmployers(p, existing)
	checkEmployer(f, orgs, pr.OrganisationID, "Choose an organisation you work for.")
	v, err := h.practitionerFormView(r, ownEntryTitle, f, orgs)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	v.Own, v.Action, v.Back, v.Button = true, "/practitioners/me", "/practitioners", "Add my entry"
	save := func() error { return h.svc.Practitioners.CreatePractitioner(r.Context(), pr) }
	if existing != nil {
		pr.ID = existing.ID
		v.Button, v.Back = "Save my entry", "/practitioners/"+strconv.FormatInt(existing.ID, 10)
		save = func() error { return h.svc.Practitioners.UpdatePractitioner(r.Context(), pr) }
	}
	h.savePractitioner(w, r, pr, f, v, save)
}

func (h *Handler) newPractitioner(w http.ResponseWriter, r *http.Request) {
	orgs, err := h.managedEmployers(r)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	f := NewForm()
	if len(orgs) == 1 {
		f.Values["organisation_id"] = orgs[0].Value
	}
	v, err := h.practitionerFormView(r, "Add a link worker to the directory", f, orgs)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	v.Action, v.Button, v.Back = "/practitioners", "Add to the directory", "/practitioners"
	h.render(w, r, http.StatusOK, "practitioner_form", v)
}

func (h *Handler) createPractitioner(w http.ResponseWriter, r *http.Request) {
	orgs, err := h.managedEmployers(r)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	pr := &linkwork.Practitioner{PlaceID: principal(r).Place.ID}
	f := readPractitionerForm(r, pr)
	checkEmployer(f, orgs, pr.OrganisationID, "Choose an organisation whose link workers you manage.")
	v, err := h.practitionerFormView(r, "Add a link worker to the directory", f, orgs)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	v.Action, v.Button, v.Back = "/practitioners", "Add to the directory", "/practitioners"
	h.savePractitioner(w, r, pr, f, v, func() error { return h.svc.Practitioners.CreatePractitioner(r.Context(), pr) })
}

func (h *Handler) editPractitioner(w http.ResponseWriter, r *http.Request) {
	pr, err := h.manageablePractitioner(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	orgs, err := h.managedEmployers(r)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	v, err := h.practitionerFormView(r, "Change "+pr.Name, practitionerFormValues(pr), orgs)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	id := strconv.FormatInt(pr.ID, 10)
	v.Action, v.Button, v.Back = "/practitioners/"+id, "Save changes", "/practitioners/"+id
	h.render(w, r, http.StatusOK, "practitioner_form", v)
}

func (h *Handler) updatePractitioner(w http.ResponseWriter, r *http.Request) {
	old, err := h.manageablePractitioner(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	orgs, err := h.managedEmployers(r)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	pr := &linkwork.Practitioner{ID: old.ID, PlaceID: old.PlaceID, UserID: old.UserID}
	f := readPractitionerForm(r, pr)
	checkEmployer(f, orgs, pr.OrganisationID, "Choose an organisation whose link workers you manage.")
	v, err := h.practitionerFormView(r, "Change "+old.Name, f, orgs)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	id := strconv.FormatInt(old.ID, 10)
	v.Action, v.Button, v.Back = "/practitioners/"+id, "Save changes", "/practitioners/"+id
	h.savePractitioner(w, r, pr, f, v, func() error { return h.svc.Practitioners.UpdatePractitioner(r.Context(), pr) })
}
