package web

import (
	"net/http"
	"net/url"
	"strconv"

	"linkwork"
)

// Onward referrals, the receiving group's side: the referrals sent to the community offers
// of the organisations the principal answers for, and the answer to each. A group sees only
// what it needs to welcome the person (their first name, how to reach them, what they would
// like and what they need to take part, the link worker's message), never their case
// record, full name, date of birth or address.

// OnwardInboxView is the view of a group's inbox.
type OnwardInboxView struct {
	Layout
	Form      *Form
	Statuses  []dirChoice
	Referrals []*linkwork.OnwardReferral
	// SenderOrganisations names the organisations of the link workers who sent them.
	SenderOrganisations map[int64]string
	Pager               Pager
	// Several is set when the principal answers for more than one organisation, so that the
	// list says which each referral went to.
	Several bool
}

// OnwardTag is the colour of an onward referral's status tag.
func OnwardTag(s linkwork.OnwardStatus) string {
	switch s {
	case linkwork.OnwardSent:
		return "nhsuk-tag--blue"
	case linkwork.OnwardAccepted:
		return "nhsuk-tag--aqua-green"
	case linkwork.OnwardAttended:
		return "nhsuk-tag--green"
	case linkwork.OnwardDeclined, linkwork.OnwardDidNotAttend:
		return "nhsuk-tag--red"
	}
	return "nhsuk-tag--grey"
}

// Tag is the colour of a status tag, for the templates.
func (v *OnwardInboxView) Tag(s linkwork.OnwardStatus) string { return OnwardTag(s) }

// organisationNames names organisations by ID, looking each up once.
func (h *Handler) organisationNames(r *http.Request, ids ...int64) (map[int64]string, error) {
	out := map[int64]string{}
	for _, id := range ids {
		if _, ok := out[id]; ok || id == 0 {
			continue
		}
		org, err := h.svc.Organisations.FindOrganisationByID(r.Context(), id)
		switch {
		case isNotFound(err):
			out[id] = ""
		case err != nil:
			return nil, err
		default:
			out[id] = org.Name
		}
	}
	return out, nil
}

func (h *Handler) onwardInbox(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	orgs := p.OnwardOrganisations()
	v := &OnwardInboxView{Layout: Layout{Title: "Referrals to your groups"}, Form: NewForm(), Several: len(orgs) > 1}
	v.Statuses = []dirChoice{{Value: "open", Label: "Waiting for an answer or accepted"}}
	for _, s := range linkwork.OnwardStatuses {
		v.Statuses = append(v.Statuses, dirChoice{Value: string(s), Label: s.Label()})
	}
	filter := linkwork.OnwardFilter{PlaceID: p.Place.ID, ServiceOrganisationIDs: orgs, Page: pageFrom(r)}
	keep := url.Values{}
	switch st := r.URL.Query().Get("status"); {
	case st == "open":
		filter.Statuses = []linkwork.OnwardStatus{linkwork.OnwardSent, linkwork.OnwardAccepted}
		v.Form.Values["status"] = st
		keep.Set("status", st)
	case linkwork.OnwardStatus(st).Label() != "":
		filter.Statuses = []linkwork.OnwardStatus{linkwork.OnwardStatus(st)}
		v.Form.Values["status"] = st
		keep.Set("status", st)
	}
	list, total, err := h.svc.Onward.OnwardInbox(r.Context(), filter)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	detail := "page " + strconv.Itoa(filter.Page.Number)
	if s := keep.Encode(); s != "" {
		detail = s + ", " + detail
	}
	if err := h.svc.Audit.RecordAudit(r.Context(), &linkwork.AuditEvent{Action: linkwork.AuditOnwardList,
		RecordType: "onward_referral", Detail: detail}); err != nil {
		h.serverError(w, r, err)
		return
	}
	var senders []int64
	for _, o := range list {
		senders = append(senders, o.PersonOrganisationID)
	}
	if v.SenderOrganisations, err = h.organisationNames(r, senders...); err != nil {
		h.serverError(w, r, err)
		return
	}
	v.Referrals, v.Pager = list, newPager("/onward", keep.Encode(), filter.Page, total)
	h.render(w, r, http.StatusOK, "onward_inbox", v)
}

// OnwardView is the view of one onward referral as the receiving group sees it.
type OnwardView struct {
	Layout
	Referral *linkwork.OnwardReferral
	// Sender is how to reach the link worker who sent it.
	SenderOrganisation string
	SenderEmail        string
	SenderPhone        string
	Form               *Form
	Choices            []dirChoice
	// Problem is an answer that could not be saved because the referral changed meanwhile.
	Problem string
	// Waiting is set when no answer has come for linkwork.OnwardPromptAfter.
	Waiting bool
}

// Tag is the colour of the status tag.
func (v *OnwardView) Tag() string { return OnwardTag(v.Referral.Status) }

// answerLabels are the answers as the group chooses them.
var answerLabels = map[linkwork.OnwardStatus]string{
	linkwork.OnwardAccepted:     "Accept: we can welcome them",
	linkwork.OnwardDeclined:     "Decline: we cannot take them (say why below)",
	linkwork.OnwardAttended:     "They came along",
	linkwork.OnwardDidNotAttend: "They did not come",
}

// answerableOnward returns the referral in the path if the principal answers for the
// organisation that runs its offer, and ENOTFOUND otherwise.
func (h *Handler) answerableOnward(r *http.Request) (*linkwork.OnwardReferral, error) {
	oid, err := pathID(r, "oid")
	if err != nil {
		return nil, err
	}
	o, err := h.svc.Onward.FindOnward(r.Context(), oid)
	if err != nil {
		return nil, err
	}
	if !principal(r).CanAnswerOnward(o) {
		return nil, linkwork.Errorf(linkwork.ENOTFOUND, "Referral not found.")
	}
	return o, nil
}

func (h *Handler) onwardReferral(w http.ResponseWriter, r *http.Request) {
	o, err := h.answerableOnward(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	h.showOnward(w, r, http.StatusOK, o, NewForm(), "")
}

// showOnward renders a referral for its group, recording the view in the audit trail.
func (h *Handler) showOnward(w http.ResponseWriter, r *http.Request, status int, o *linkwork.OnwardReferral, f *Form, problem string) {
	ctx := r.Context()
	if err := h.svc.Audit.RecordAudit(ctx, &linkwork.AuditEvent{Action: linkwork.AuditOnwardView, RecordType: "onward_referral",
		RecordID: strconv.FormatInt(o.ID, 10)}); err != nil {
		h.serverError(w, r, err)
		return
	}
	v := &OnwardView{Layout: Layout{Title: "Referral for " + o.FirstName + " to " + o.ServiceName}, Referral: o, Form: f,
		Problem: problem, Waiting: o.AwaitingAnswer(timeNow())}
	f.Order = []string{"status", "reason", "note"}
	for _, s := range linkwork.OnwardAnswerChoices(o.Status) {
		v.Choices = append(v.Choices, dirChoice{Value: string(s), Label: answerLabels[s]})
	}
	names, err := h.organisationNames(r, o.PersonOrganisationID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	v.SenderOrganisation = names[o.PersonOrganisationID]
	// The link worker's work email and phone, so that the group can call back.
	if o.SentByUserID != 0 {
		u, err := h.svc.Users.FindUserByID(ctx, o.SentByUserID)
		switch {
		case isNotFound(err):
		case err != nil:
			h.serverError(w, r, err)
			return
		default:
			v.SenderEmail = u.Email
		}
		entry, err := h.svc.Practitioners.FindPractitionerByUser(ctx, o.PlaceID, o.SentByUserID)
		switch {
		case isNotFound(err):
		case err != nil:
			h.serverError(w, r, err)
			return
		default:
			v.SenderPhone = entry.Phone
			if entry.Email != "" {
				v.SenderEmail = entry.Email
			}
		}
	}
	h.render(w, r, status, "onward_answer", v)
}

func (h *Handler) answerOnward(w http.ResponseWriter, r *http.Request) {
	o, err := h.answerableOnward(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	p := principal(r)
	f := formFrom(r, "status", "reason", "note", "version")
	a := linkwork.OnwardAnswer{ID: o.ID, Status: linkwork.OnwardStatus(f.Get("status")), Reason: f.Get("reason"), Note: f.Get("note")}
	version, err := strconv.Atoi(f.Get("version"))
	if err != nil {
		h.showOnward(w, r, http.StatusBadRequest, o, NewForm(), "The page you answered on was incomplete. Here is the referral as it is now: answer again.")
		return
	}
	a.Version = version
	if f.Get("status") == "" {
		f.Fail("status", "Choose your answer.")
	} else if answerLabels[a.Status] == "" {
		f.Fail("status", "Choose your answer from the list.")
	}
	if version != o.Version {
		h.showOnward(w, r, http.StatusConflict, o, NewForm(), conflictMessage(o))
		return
	}
	if err := linkwork.CheckOnwardAnswer(o, &a); err != nil && !addProblems(f, err, []string{"status", "reason", "note"}, "status") {
		h.serverError(w, r, err)
		return
	}
	if !f.HasErrors() {
		_, err := h.svc.Onward.AnswerOnward(r.Context(), a, p.User.ID, p.User.Name)
		switch {
		case err == nil:
			h.redirect(w, r, "/onward/"+strconv.FormatInt(o.ID, 10), "onward-answered")
			return
		case linkwork.ErrorCode(err) == linkwork.ECONFLICT:
			now, ferr := h.svc.Onward.FindOnward(r.Context(), o.ID)
			if ferr != nil {
				h.failed(w, r, ferr)
				return
			}
			h.showOnward(w, r, http.StatusConflict, now, NewForm(), conflictMessage(now))
			return
		case !addProblems(f, err, []string{"status", "reason", "note"}, "status"):
			h.failed(w, r, err)
			return
		}
	}
	h.showOnward(w, r, http.StatusUnprocessableEntity, o, f, "")
}

// conflictMessage says plainly that someone else answered first.
func conflictMessage(o *linkwork.OnwardReferral) string {
	m := "Someone else changed this referral while you had the page open"
	if o.AnsweredBy != "" {
		m = o.AnsweredBy + " answered this referral while you had the page open"
	}
	return m + ". It is now “" + o.Status.Label() + "”. Your answer was not saved: check the referral below and answer again if you need to."
}
