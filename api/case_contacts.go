package api

import (
	"net/http"

	"linkwork"
)

func (h *Handler) registerContacts(g registrar) {
	g.Handle("GET", Prefix+"/people/{id}/contacts", linkwork.PermViewCases, h.listContacts)
	g.Handle("POST", Prefix+"/people/{id}/contacts", linkwork.PermManageCases, h.addContact)
}

// ContactBody is the body of POST /people/{id}/contacts: a contact the principal had with
// the person.
type ContactBody struct {
	On         string               `json:"on"`
	Mode       linkwork.ContactMode `json:"mode"`
	Minutes    int                  `json:"minutes"`
	With       string               `json:"with"`
	Note       string               `json:"note"`
	FollowUpOn string               `json:"follow_up_on"`
}

func (h *Handler) listContacts(w http.ResponseWriter, r *http.Request) {
	person, err := h.visiblePerson(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	page, err := pageParams(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	rec, err := h.svc.Cases.PersonRecord(r.Context(), person.ID)
	if err == nil {
		err = h.auditPerson(r, linkwork.AuditPersonView, person.ID, "api: contacts")
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	total := len(rec.Contacts)
	from := min(page.Offset(), total)
	writeJSON(w, http.StatusOK, newList(rec.Contacts[from:min(from+page.Size, total)], page, total))
}

func (h *Handler) addContact(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	person, err := h.openPerson(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var body ContactBody
	if err := decode(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	c := &linkwork.CaseContact{PersonID: person.ID, On: body.On, Mode: body.Mode, Minutes: body.Minutes, With: body.With,
		Note: body.Note, FollowUpOn: body.FollowUpOn, WorkerUserID: p.User.ID, WorkerName: p.User.Name}
	if err := c.Validate(person.DateOfBirth, today()); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.svc.Cases.AddContact(r.Context(), c); err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, c)
}
