package api

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"linkwork"
)

func (h *Handler) registerOnward(g registrar) {
	g.Handle("POST", Prefix+"/people/{id}/onward", linkwork.PermManageCases, h.sendOnward)
	g.Handle("GET", Prefix+"/onward", linkwork.PermAnswerOnward, h.onwardInbox)
	// An onward referral is seen by the receiving group (PermAnswerOnward) and by the link
	// workers of the person's case (PermViewCases); the handlers check which, record by
	// record.
	g.Handle("GET", Prefix+"/onward/{id}", linkwork.PermSignedIn, h.getOnward)
	g.Handle("POST", Prefix+"/onward/{id}/answer", linkwork.PermSignedIn, h.answerOnward)
}

// OnwardBody is the body of POST /people/{id}/onward: a referral of the person on to a
// community offer, with what the group will see of them.
type OnwardBody struct {
	// StepID is the plan step the referral is for; 0 for none.
	StepID    int64 `json:"step_id"`
	ServiceID int64 `json:"service_id"`
	// FirstName is what the group will call the person; the name they are known by if
	// left out.
	FirstName          string                 `json:"first_name"`
	ContactPhone       string                 `json:"contact_phone"`
	ContactEmail       string                 `json:"contact_email"`
	Needs              string                 `json:"needs"`
	AccessRequirements string                 `json:"access_requirements"`
	Message            string                 `json:"message"`
	Consent            bool                   `json:"consent"`
	ConsentMethod      linkwork.ConsentMethod `json:"consent_method"`
}

// OnwardAnswerBody is the body of POST /onward/{id}/answer.
type OnwardAnswerBody struct {
	Version *int                  `json:"version"`
	Status  linkwork.OnwardStatus `json:"status"`
	Reason  string                `json:"reason"`
	Note    string                `json:"note"`
}

// mayOpenOnward refuses a principal who can see no onward referral at all: neither as a
// receiving group nor through case records.
func mayOpenOnward(p *linkwork.Principal) error {
	if p.Can(linkwork.PermAnswerOnward) || p.Can(linkwork.PermViewCases) {
		return nil
	}
	return linkwork.Errorf(linkwork.EFORBIDDEN, "Your role does not allow this.")
}

// visibleOnward returns the onward referral in the path if the principal may see it.
func (h *Handler) visibleOnward(r *http.Request) (*linkwork.OnwardReferral, error) {
	p := principal(r)
	if err := mayOpenOnward(p); err != nil {
		return nil, err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	o, err := h.svc.Onward.FindOnward(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if !p.CanSeeOnward(o) {
		return nil, linkwork.Errorf(linkwork.ENOTFOUND, "Onward referral not found.")
	}
	return o, nil
}

func (h *Handler) sendOnward(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	person, err := h.openPerson(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var body OnwardBody
	if err := decode(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	o := &linkwork.OnwardReferral{PlaceID: p.Place.ID, PersonID: person.ID, PersonOrganisationID: person.OrganisationID,
		StepID: body.StepID, ServiceID: body.ServiceID, FirstName: body.FirstName, ContactPhone: body.ContactPhone,
		ContactEmail: body.ContactEmail, Needs: body.Needs, AccessRequirements: body.AccessRequirements, Message: body.Message,
		Consent: body.Consent, ConsentMethod: body.ConsentMethod, SentByUserID: p.User.ID, SentBy: p.User.Name}
	if strings.TrimSpace(o.FirstName) == "" {
		o.FirstName = person.KnownAs()
	}
	// The store checks the service and step as well as the body, and reports every problem.
	var ps linkwork.Problems
	if body.ServiceID < 0 {
		ps.Add(linkwork.FieldError("service_id", "service_id must be the ID of a community offer in the directory."))
	}
	if body.StepID < 0 {
		ps.Add(linkwork.FieldError("step_id", "step_id must be the ID of a step of the person's plan, or 0 for none."))
	}
	if err := ps.Err(); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.svc.Onward.SendOnward(r.Context(), o); err != nil {
		h.fail(w, r, err)
		return
	}
	out, err := h.svc.Onward.FindOnward(r.Context(), o.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Location", Prefix+"/onward/"+idString(out.ID))
	writeJSON(w, http.StatusCreated, out)
}

func (h *Handler) onwardInbox(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	page, err := pageParams(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := linkwork.OnwardFilter{PlaceID: p.Place.ID, ServiceOrganisationIDs: p.OnwardOrganisations(), Page: page}
	for _, s := range r.URL.Query()["status"] {
		for _, v := range strings.Split(s, ",") {
			st := linkwork.OnwardStatus(strings.TrimSpace(v))
			if st.Label() == "" {
				names := make([]string, len(linkwork.OnwardStatuses))
				for i, s := range linkwork.OnwardStatuses {
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
	var items []*linkwork.OnwardReferral
	total := 0
	if len(f.ServiceOrganisationIDs) > 0 {
		items, total, err = h.svc.Onward.OnwardInbox(r.Context(), f)
	}
	if err == nil {
		err = h.svc.Audit.RecordAudit(r.Context(), &linkwork.AuditEvent{Action: linkwork.AuditOnwardList, RecordType: "onward",
			Detail: "api: " + r.URL.RawQuery})
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newList(items, page, total))
}

func (h *Handler) getOnward(w http.ResponseWriter, r *http.Request) {
	o, err := h.visibleOnward(r)
	if err == nil {
		err = h.svc.Audit.RecordAudit(r.Context(), &linkwork.AuditEvent{Action: linkwork.AuditOnwardView, RecordType: "onward",
			RecordID: idString(o.ID), Detail: "api"})
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, o)
}

func (h *Handler) answerOnward(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	o, err := h.visibleOnward(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var body OnwardAnswerBody
	if err := decode(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	// The group answers; the link workers of the person's case may only withdraw it.
	if body.Status == linkwork.OnwardWithdrawn {
		if !p.CanIn(linkwork.PermManageCases, o.PersonOrganisationID) {
			h.fail(w, r, linkwork.Errorf(linkwork.EFORBIDDEN, "Only the link workers of the person's case can withdraw an onward referral; %s can accept, decline, or say whether the person came.",
				o.ServiceOrganisationName))
			return
		}
	} else if !p.CanAnswerOnward(o) {
		msg := fmt.Sprintf("Only %s, which runs %s, can answer this referral.", o.ServiceOrganisationName, o.ServiceName)
		if p.CanIn(linkwork.PermManageCases, o.PersonOrganisationID) {
			msg += " As the person's link worker you may withdraw it, with status withdrawn."
		}
		h.fail(w, r, linkwork.Errorf(linkwork.EFORBIDDEN, "%s", msg))
		return
	}
	if body.Version == nil {
		h.fail(w, r, linkwork.FieldError("version", "version is required: send the version of the referral as you read it (it is now %d).", o.Version))
		return
	}
	if *body.Version != o.Version {
		h.fail(w, r, linkwork.Errorf(linkwork.ECONFLICT,
			"This referral has changed since you read it: it is now at version %d (%s), and you sent version %d. Read it again, and answer what it is now.",
			o.Version, strings.ToLower(o.Status.Label()), *body.Version))
		return
	}
	a := linkwork.OnwardAnswer{ID: o.ID, Version: *body.Version, Status: body.Status, Reason: body.Reason, Note: body.Note}
	if err := linkwork.CheckOnwardAnswer(o, &a); err != nil {
		h.fail(w, r, err)
		return
	}
	out, err := h.svc.Onward.AnswerOnward(r.Context(), a, p.User.ID, p.User.Name)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}
