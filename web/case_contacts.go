package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"linkwork"
)

// Contacts with a person: every one, newest first, and the form that records one (also on
// the person's page).

// contactFields are the contact form's fields, as the domain names them; the form's inputs
// carry the prefix "contact-".
var contactFields = []string{"on", "mode", "minutes", "with", "note", "follow_up_on"}

// ContactsView is the view of a person's contacts.
type ContactsView struct {
	Layout
	Person   *linkwork.Person
	Contacts []*linkwork.CaseContact
	Minutes  int
	Form     *Form
	Problem  string
	Modes    []dirChoice
	CanWork  bool
	Today    string
	From     string
}

func (h *Handler) contacts(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.failed(w, r, err)
		return
	}
	h.showContacts(w, r, http.StatusOK, id, NewForm(), "")
}

// showContacts renders all of a person's contacts, recording the view.
func (h *Handler) showContacts(w http.ResponseWriter, r *http.Request, status int, id int64, f *Form, problem string) {
	p := principal(r)
	rec, err := h.svc.Cases.PersonRecord(r.Context(), id)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	if !p.CanSeePerson(rec.Person) {
		h.notFound(w, r)
		return
	}
	if err := h.auditPerson(r, linkwork.AuditPersonView, id, "contacts"); err != nil {
		h.serverError(w, r, err)
		return
	}
	v := &ContactsView{Layout: Layout{Title: "Contacts with " + rec.Person.Name()}, Person: rec.Person, Contacts: rec.Contacts,
		Minutes: rec.ContactMinutes, Form: f, Problem: problem, Modes: modeChoices(), CanWork: checkWorkable(p, rec.Person) == nil,
		Today: timeNow().In(london).Format(time.DateOnly), From: "contacts"}
	if rec.Person.Status == linkwork.PersonErased {
		v.Title = "Contacts of an erased record"
	}
	if f.Get("contact-on") == "" && !f.HasErrors() {
		f.Values["contact-on"] = v.Today
	}
	h.render(w, r, status, "contacts", v)
}

func (h *Handler) addContact(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	person, err := h.workablePerson(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	names := make([]string, len(contactFields))
	for i, k := range contactFields {
		names[i] = "contact-" + k
	}
	f := formFrom(r, names...)
	f.Order = names
	c := &linkwork.CaseContact{PersonID: person.ID, On: f.Get("contact-on"), Mode: linkwork.ContactMode(f.Get("contact-mode")),
		With: f.Get("contact-with"), Note: f.Get("contact-note"), FollowUpOn: f.Get("contact-follow_up_on"),
		WorkerUserID: p.User.ID, WorkerName: p.User.Name}
	if m := strings.TrimSpace(f.Get("contact-minutes")); m != "" {
		n, err := strconv.Atoi(m)
		if err != nil {
			f.Fail("contact-minutes", "Enter how long the contact took in whole minutes, as a number such as 45.")
		}
		c.Minutes = n
	}
	if c.Mode == "" {
		f.Fail("contact-mode", "Choose how the contact happened.")
	}
	err = c.Validate(person.DateOfBirth, timeNow())
	if err == nil && !f.HasErrors() {
		if err = h.svc.Cases.AddContact(r.Context(), c); err == nil {
			back := personPath(person.ID) + "#contacts"
			if r.PostFormValue("from") == "contacts" {
				back = personPath(person.ID) + "/contacts"
			}
			h.redirect(w, r, back, "contact-added")
			return
		}
	}
	problem := ""
	if err != nil {
		var ok bool
		if problem, ok = prefixed(f, err, "contact-", contactFields); !ok {
			h.failed(w, r, err)
			return
		}
	}
	if r.PostFormValue("from") == "contacts" {
		h.showContacts(w, r, http.StatusUnprocessableEntity, person.ID, f, problem)
		return
	}
	h.showPerson(w, r, http.StatusUnprocessableEntity, person.ID, f, problem)
}
