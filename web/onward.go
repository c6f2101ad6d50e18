package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"linkwork"
)

// Onward referrals, the link worker's side: from a person's page (usually a step of their
// plan), search the place's community offers, choose one, and send the group the minimum it
// needs once the person agrees; withdraw one the group has not closed. The group's side, its
// inbox and answers, is in onward_inbox.go.

func (h *Handler) registerOnward(g registrar) {
	manage := linkwork.PermManageCases
	g.Handle("GET", "/people/{id}/onward/new", manage, h.newOnward)
	g.Handle("POST", "/people/{id}/onward", manage, h.sendOnward)
	g.Handle("POST", "/people/{id}/onward/{oid}/withdraw", manage, h.withdrawOnward)
	g.Handle("GET", "/onward", linkwork.PermAnswerOnward, h.onwardInbox)
	g.Handle("GET", "/onward/{oid}", linkwork.PermAnswerOnward, h.onwardReferral)
	g.Handle("POST", "/onward/{oid}/answer", linkwork.PermAnswerOnward, h.answerOnward)
}

func init() {
	for k, v := range map[string]string{
		"onward-sent":      "The referral has been sent to the group. You will see their answer on this page.",
		"onward-withdrawn": "The referral has been withdrawn, and the group will see that it is.",
		"onward-answered":  "Your answer has been recorded, and the link worker will be told.",
	} {
		flashMessages[k] = v
	}
}

// casePerson returns the person in the path if the principal may work on their record
// (linkwork.CanWorkOn): ENOTFOUND for a record they may not see, EINVALID for one erased.
func (h *Handler) casePerson(r *http.Request) (*linkwork.Person, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	p := principal(r)
	person, err := linkwork.VisiblePerson(r.Context(), h.svc.Cases, p, id)
	if err != nil {
		return nil, err
	}
	if !p.CanWorkOn(person) {
		if person.Status == linkwork.PersonErased {
			return nil, linkwork.Errorf(linkwork.EINVALID, "This person's record has been erased: only anonymous facts remain, and nothing can be added.")
		}
		return nil, linkwork.Errorf(linkwork.EFORBIDDEN, "You may not change this person's record.")
	}
	return person, nil
}

// onwardFields are the fields of the onward referral form in the order it shows them.
var onwardFields = []string{"q", "need", "service_id", "first_name", "contact_phone", "contact_email", "needs",
	"access_requirements", "message", "consent", "consent_method"}

// onwardPageSize is how many offers the search on the form shows at once.
const onwardPageSize = 20

// OnwardOffer is one community offer the link worker may refer to.
type OnwardOffer struct {
	SearchHit
	// RadioID is the radio's id: the field's name for the first, for the error summary.
	RadioID string
	Value   string
	Chosen  bool
}

// OnwardFormView is the view of the form that refers a person on to a community offer.
type OnwardFormView struct {
	Layout
	Form   *Form
	Person *linkwork.Person
	// Step and Goal are the plan step the referral is for, if any.
	Step *linkwork.Step
	Goal *linkwork.Goal
	// Age is the person's age, by which the offers are narrowed (-1 when unknown).
	Age            int
	Needs          []dirChoice
	Offers         []OnwardOffer
	Count          string
	Pager          Pager
	ConsentMethods []dirChoice
	ConsentBox     []dirChoice
	// Preferences are how the person likes to be contacted, in words.
	Preferences []string
	Closed      bool // the case is closed: nothing can be sent
}

// SearchAction is where the search form goes: this page, keeping the step.
func (v *OnwardFormView) SearchAction() string {
	return "/people/" + strconv.FormatInt(v.Person.ID, 10) + "/onward/new"
}

// onwardForm reads what the page needs from the address or the posted form: the step, and
// the search, and fills the view with the step and its goal and the offers found.
func (h *Handler) onwardForm(r *http.Request, person *linkwork.Person, f *Form, stepValue, q, need, page string) (*OnwardFormView, int, error) {
	ctx := r.Context()
	p := principal(r)
	f.Order = onwardFields
	v := &OnwardFormView{Layout: Layout{Title: "Refer " + person.KnownAs() + " to a community offer"}, Form: f, Person: person,
		Age: person.Age(timeNow()), Closed: !person.IsOpen(),
		ConsentBox: []dirChoice{{Value: "yes", Label: "The person agrees to their first name, contact details, needs and access requirements going to the group"}}}
	for _, m := range linkwork.ConsentMethods {
		if m != linkwork.ConsentOnlineForm {
			v.ConsentMethods = append(v.ConsentMethods, dirChoice{Value: string(m), Label: m.Label()})
		}
	}
	for _, m := range person.ContactPreferences {
		v.Preferences = append(v.Preferences, m.Label())
	}
	status := http.StatusOK
	if stepValue != "" {
		stepID, err := strconv.ParseInt(stepValue, 10, 64)
		if err != nil || stepID <= 0 {
			return nil, 0, linkwork.Errorf(linkwork.ENOTFOUND, "No such step.")
		}
		plan, err := h.svc.Cases.Plan(ctx, person.ID)
		if err != nil {
			return nil, 0, err
		}
		for _, g := range plan.Goals {
			for _, s := range g.Steps {
				if s.ID == stepID {
					v.Step, v.Goal = s, g
				}
			}
		}
		if v.Step == nil {
			return nil, 0, linkwork.Errorf(linkwork.ENOTFOUND, "No such step in the person's plan.")
		}
		f.Values["step_id"] = stepValue
	}

	taxes, err := h.svc.Taxonomies.ListTaxonomies(ctx, p.Place.ID)
	if err != nil {
		return nil, 0, err
	}
	v.Needs = termChoices(taxes, linkwork.TaxonomyNeed)
	f.Values["q"], f.Values["need"] = strings.TrimSpace(q), need
	// Community offers only: a connector scheme is not somewhere to refer someone on to.
	sq := linkwork.SearchQuery{PlaceID: p.Place.ID, Text: f.Get("q"), Kind: linkwork.KindActivity,
		Page: linkwork.Page{Size: onwardPageSize}}
	if v.Age >= 0 {
		sq.Age = &v.Age
	}
	if need != "" {
		if !slices.ContainsFunc(v.Needs, func(c dirChoice) bool { return c.Value == need }) {
			f.Fail("need", "Choose what the person needs help with from the list.")
		} else {
			id, _ := strconv.ParseInt(need, 10, 64)
			sq.TermIDs = []int64{id}
		}
	}
	if n, err := strconv.Atoi(page); err == nil && n > 1 {
		sq.Page.Number = min(n, linkwork.MaxSearchPage)
	}
	if err := sq.Validate(); err != nil {
		if !addProblems(f, err, onwardFields, "q") {
			return nil, 0, err
		}
		status = http.StatusUnprocessableEntity
	}
	chosen := f.Get("service_id")
	if f.Error("q") == "" && f.Error("need") == "" {
		results, total, err := h.svc.Search.Search(ctx, sq)
		if err != nil {
			if !addProblems(f, err, onwardFields, "q") {
				return nil, 0, err
			}
			status = http.StatusUnprocessableEntity
		}
		for _, res := range results {
			v.Offers = append(v.Offers, OnwardOffer{SearchHit: searchHit(res), Value: strconv.FormatInt(res.Service.ID, 10)})
		}
		v.Count = searchCount(total, linkwork.KindActivity)
		keep := v.searchKeep()
		v.Pager = newPager(v.SearchAction(), keep, sq.Page, total)
	}
	// The offer chosen stays on the page when another search or page left it out.
	if chosen != "" && !slices.ContainsFunc(v.Offers, func(o OnwardOffer) bool { return o.Value == chosen }) {
		if id, err := strconv.ParseInt(chosen, 10, 64); err == nil && id > 0 {
			s, err := h.svc.Directory.FindServiceByID(ctx, id)
			switch {
			case isNotFound(err):
			case err != nil:
				return nil, 0, err
			case s.PlaceID == p.Place.ID && s.Kind == linkwork.KindActivity:
				v.Offers = append([]OnwardOffer{{SearchHit: searchHit(linkwork.SearchResult{Service: s}), Value: chosen}}, v.Offers...)
			}
		}
	}
	if f.HasErrors() {
		status = http.StatusUnprocessableEntity
	}
	n := 0
	for i := range v.Offers {
		o := &v.Offers[i]
		o.Chosen = o.Value == chosen
		if o.Closed {
			continue // no radio: it cannot take referrals now
		}
		o.RadioID = "service_id"
		if n > 0 {
			o.RadioID += "-" + o.Value
		}
		n++
	}
	return v, status, nil
}

// PreferenceHint says how the person likes to be contacted.
func (v *OnwardFormView) PreferenceHint() string {
	if len(v.Preferences) == 0 {
		return "The person has not said how they like to be contacted."
	}
	return "The person prefers: " + strings.ToLower(strings.Join(v.Preferences, ", ")) + "."
}

// searchKeep is the search as a query string, for the pager's links.
func (v *OnwardFormView) searchKeep() string {
	var parts []string
	for _, k := range []string{"step", "q", "need"} {
		val := v.Form.Get(k)
		if k == "step" {
			val = v.Form.Get("step_id")
		}
		if val != "" {
			parts = append(parts, k+"="+url.QueryEscape(val))
		}
	}
	return strings.Join(parts, "&")
}

// prefillOnward fills the form from the person's record and the step: what to call them,
// how they like to be contacted, what they want from the group and what they need to take
// part.
func prefillOnward(f *Form, person *linkwork.Person, step *linkwork.Step, goal *linkwork.Goal) {
	f.Values["first_name"] = person.KnownAs()
	prefers := func(ms ...linkwork.ContactMethod) bool {
		return slices.ContainsFunc(person.ContactPreferences, func(m linkwork.ContactMethod) bool { return slices.Contains(ms, m) })
	}
	if prefers(linkwork.ContactPhone, linkwork.ContactText) {
		f.Values["contact_phone"] = person.Phone
	}
	if prefers(linkwork.ContactEmail) {
		f.Values["contact_email"] = person.Email
	}
	// With no preference the group can reach, any way there is.
	if f.Get("contact_phone") == "" && f.Get("contact_email") == "" {
		f.Values["contact_phone"], f.Values["contact_email"] = person.Phone, person.Email
	}
	if step != nil {
		needs := step.Text
		if goal != nil && goal.Text != "" {
			needs += "\n\nTheir goal: " + goal.Text
		}
		f.Values["needs"] = needs
	}
	access := person.AccessNeeds
	if person.Interpreter {
		lang := person.Language
		if lang == "" {
			lang = "their language"
		}
		access = strings.TrimSpace(access + "\n\nNeeds an interpreter (" + lang + ").")
	}
	f.Values["access_requirements"] = access
	f.Values["consent_method"] = string(linkwork.ConsentVerbal)
}

func (h *Handler) newOnward(w http.ResponseWriter, r *http.Request) {
	person, err := h.casePerson(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	q := r.URL.Query()
	f := NewForm()
	f.Values["service_id"] = q.Get("service_id")
	v, status, err := h.onwardForm(r, person, f, q.Get("step"), q.Get("q"), q.Get("need"), q.Get("page"))
	if err != nil {
		h.failed(w, r, err)
		return
	}
	prefillOnward(f, person, v.Step, v.Goal)
	// The form shows the person's contact details and access needs: a look at their record.
	if err := h.svc.Audit.RecordAudit(r.Context(), &linkwork.AuditEvent{Action: linkwork.AuditPersonView, RecordType: "person",
		RecordID: strconv.FormatInt(person.ID, 10), Detail: "onward referral form"}); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, status, "onward_new", v)
}

func (h *Handler) sendOnward(w http.ResponseWriter, r *http.Request) {
	person, err := h.casePerson(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	p := principal(r)
	_ = r.ParseForm()
	f := formFrom(r, "service_id", "first_name", "contact_phone", "contact_email", "needs", "access_requirements", "message",
		"consent", "consent_method")
	v, _, err := h.onwardForm(r, person, f, r.PostFormValue("step_id"), r.PostFormValue("q"), r.PostFormValue("need"), "")
	if err != nil {
		h.failed(w, r, err)
		return
	}
	// Problems with the search are not problems with the referral: the offers shown are
	// what the form offers, whatever the search.
	delete(f.Errors, "q")
	delete(f.Errors, "need")
	o := &linkwork.OnwardReferral{PlaceID: p.Place.ID, PersonID: person.ID, PersonOrganisationID: person.OrganisationID,
		FirstName: f.Get("first_name"), ContactPhone: f.Get("contact_phone"), ContactEmail: f.Get("contact_email"),
		Needs: f.Get("needs"), AccessRequirements: f.Get("access_requirements"), Message: f.Get("message"),
		Consent: f.Get("consent") == "yes", ConsentMethod: linkwork.ConsentMethod(f.Get("consent_method")),
		SentByUserID: p.User.ID, SentBy: p.User.Name}
	if v.Step != nil {
		o.StepID = v.Step.ID
	}
	if s := f.Get("service_id"); s != "" {
		i := slices.IndexFunc(v.Offers, func(c OnwardOffer) bool { return c.Value == s })
		switch {
		case i < 0:
			f.Fail("service_id", "Choose a community offer from the list.")
		case v.Offers[i].Closed:
			f.Fail("service_id", v.Offers[i].Name+" is temporarily closed and cannot take referrals now. Choose another offer.")
		default:
			o.ServiceID, _ = strconv.ParseInt(s, 10, 64)
		}
	}
	if o.ConsentMethod == linkwork.ConsentOnlineForm {
		f.Fail("consent_method", "Choose how the person agreed: verbally or in writing.")
	}
	if v.Closed {
		f.Fail("service_id", "This case is closed, so nobody can be referred on from it. Reopen support with a new referral if the person needs it.")
	}
	if err := o.Validate(); err != nil && !addProblems(f, err, onwardFields, "service_id") {
		h.serverError(w, r, err)
		return
	}
	if !f.HasErrors() {
		err := h.svc.Onward.SendOnward(r.Context(), o)
		if err == nil {
			h.redirect(w, r, "/people/"+strconv.FormatInt(person.ID, 10), "onward-sent")
			return
		}
		if !addProblems(f, remapFields(err, map[string]string{"service": "service_id", "step": "service_id",
			"step_id": "service_id", "person": "service_id", "person_id": "service_id"}), onwardFields, "service_id") {
			h.failed(w, r, err)
			return
		}
	}
	h.render(w, r, http.StatusUnprocessableEntity, "onward_new", v)
}

func (h *Handler) withdrawOnward(w http.ResponseWriter, r *http.Request) {
	person, err := h.casePerson(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	oid, err := pathID(r, "oid")
	if err != nil {
		h.failed(w, r, err)
		return
	}
	o, err := h.svc.Onward.FindOnward(r.Context(), oid)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	if o.PersonID != person.ID {
		h.notFound(w, r)
		return
	}
	version, err := strconv.Atoi(r.PostFormValue("version"))
	if err != nil {
		h.errorPage(w, r, http.StatusBadRequest, "The referral was not withdrawn",
			"The page you withdrew it from was incomplete. Go back to the person's page and try again.")
		return
	}
	p := principal(r)
	a := linkwork.OnwardAnswer{ID: o.ID, Version: version, Status: linkwork.OnwardWithdrawn, Note: r.PostFormValue("note")}
	if _, err := h.svc.Onward.AnswerOnward(r.Context(), a, p.User.ID, p.User.Name); err != nil {
		switch linkwork.ErrorCode(err) {
		case linkwork.ECONFLICT:
			h.errorPage(w, r, http.StatusConflict, "The referral was not withdrawn",
				"The group answered this referral, or someone changed it, after you opened the page. Go back to the person's page to see where it stands now, and withdraw it again if you still need to.")
		default:
			h.failed(w, r, err)
		}
		return
	}
	h.redirect(w, r, "/people/"+strconv.FormatInt(person.ID, 10), "onward-withdrawn")
}
