package api

import (
	"net/http"
	"slices"
	"strconv"
	"unicode/utf8"

	"linkwork"
)

func (h *Handler) registerPractitioners(g registrar) {
	view, manage := linkwork.PermViewPractitioners, linkwork.PermManagePractitioners
	g.Handle("GET", Prefix+"/practitioners", view, h.listPractitioners)
	g.Handle("POST", Prefix+"/practitioners", manage, h.createPractitioner)
	// Everyone in the directory keeps their own entry, so "me" needs only the permission to
	// see the directory.
	g.Handle("GET", Prefix+"/practitioners/me", view, h.getOwnPractitioner)
	g.Handle("PUT", Prefix+"/practitioners/me", view, h.putOwnPractitioner)
	g.Handle("GET", Prefix+"/practitioners/{id}", view, h.getPractitioner)
	g.Handle("PUT", Prefix+"/practitioners/{id}", manage, h.updatePractitioner)
}

// PractitionerBody is the body of POST /practitioners and of PUT /practitioners/{id} and
// /practitioners/me: an entry as the API answers it, without what the server sets.
type PractitionerBody struct {
	Name           string   `json:"name"`
	JobTitle       string   `json:"job_title"`
	OrganisationID int64    `json:"organisation_id"`
	SchemeID       int64    `json:"scheme_id"`
	Neighbourhoods []string `json:"neighbourhoods"`
	Specialisms    []string `json:"specialisms"`
	Languages      []string `json:"languages"`
	Email          string   `json:"email"`
	Phone          string   `json:"phone"`
	Availability   string   `json:"availability"`
}

func (b *PractitionerBody) practitioner() *linkwork.Practitioner {
	return &linkwork.Practitioner{Name: b.Name, JobTitle: b.JobTitle, OrganisationID: b.OrganisationID, SchemeID: b.SchemeID,
		Neighbourhoods: b.Neighbourhoods, Specialisms: b.Specialisms, Languages: b.Languages, Email: b.Email, Phone: b.Phone,
		Availability: b.Availability}
}

// maxQuery is the longest free-text filter the directory of link workers takes.
const maxQuery = 200

func (h *Handler) listPractitioners(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	page, err := pageParams(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	f := linkwork.PractitionerFilter{PlaceID: p.Place.ID, Text: q.Get("q"), Page: page}
	if s := q.Get("organisation_id"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			h.fail(w, r, linkwork.FieldError("organisation_id", "organisation_id must be a whole number."))
			return
		}
		if _, err := linkwork.ChosenOrganisation(r.Context(), h.svc.Organisations, p, id); err != nil {
			h.fail(w, r, err)
			return
		}
		f.OrganisationID = id
	}
	if s := q.Get("scheme_id"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			h.fail(w, r, linkwork.FieldError("scheme_id", "scheme_id must be a whole number."))
			return
		}
		f.SchemeID = id
	}
	if utf8.RuneCountInString(f.Text) > maxQuery {
		h.fail(w, r, linkwork.FieldError("q", "q must be %d characters or fewer.", maxQuery))
		return
	}
	prs, total, err := h.svc.Practitioners.ListPractitioners(r.Context(), f)
	if err == nil {
		err = h.svc.Audit.RecordAudit(r.Context(), &linkwork.AuditEvent{Action: linkwork.AuditPractitionerList, RecordType: "practitioner",
			Detail: "api: " + r.URL.RawQuery})
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newList(prs, page, total))
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

func (h *Handler) getPractitioner(w http.ResponseWriter, r *http.Request) {
	pr, err := h.placePractitioner(r)
	if err == nil {
		err = h.svc.Audit.RecordAudit(r.Context(), &linkwork.AuditEvent{Action: linkwork.AuditPractitionerView, RecordType: "practitioner",
			RecordID: idString(pr.ID), Detail: "api"})
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pr)
}

// checkPractitioner checks an entry before it is stored, reporting every problem at once:
// its fields (Practitioner.Validate), the ones the caller found, and its employer, which must
// be in the principal's place and one whose entries the principal keeps.
func (h *Handler) checkPractitioner(r *http.Request, pr *linkwork.Practitioner, found ...error) error {
	var ps linkwork.Problems
	if pr.OrganisationID > 0 { // a missing one is Validate's to report
		err := h.organisationFor(r, linkwork.PermManagePractitioners, pr.OrganisationID)
		if err != nil && linkwork.ErrorCode(err) != linkwork.EINVALID {
			return err
		}
		ps.Add(err)
	}
	for _, err := range found {
		ps.Add(err)
	}
	ps.Add(pr.Validate())
	return ps.Err()
}

// writePractitioner answers with the entry as stored, with its employer's and scheme's names.
func (h *Handler) writePractitioner(w http.ResponseWriter, r *http.Request, status int, id int64) {
	pr, err := h.svc.Practitioners.FindPractitionerByID(r.Context(), id)
	if err != nil {
		w.Header().Del("Location")
		h.fail(w, r, err)
		return
	}
	writeJSON(w, status, pr)
}

func (h *Handler) createPractitioner(w http.ResponseWriter, r *http.Request) {
	var body PractitionerBody
	if err := decode(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	pr := body.practitioner()
	pr.PlaceID = principal(r).Place.ID
	if err := h.checkPractitioner(r, pr); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.svc.Practitioners.CreatePractitioner(r.Context(), pr); err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Location", Prefix+"/practitioners/"+idString(pr.ID))
	h.writePractitioner(w, r, http.StatusCreated, pr.ID)
}

func (h *Handler) updatePractitioner(w http.ResponseWriter, r *http.Request) {
	old, err := h.placePractitioner(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !principal(r).CanIn(linkwork.PermManagePractitioners, old.OrganisationID) {
		h.fail(w, r, linkwork.Errorf(linkwork.EFORBIDDEN, "Only %s and the place's administrators can change this entry.", old.OrganisationName))
		return
	}
	var body PractitionerBody
	if err := decode(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	pr := body.practitioner()
	pr.ID = old.ID
	if err := h.checkPractitioner(r, pr); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.svc.Practitioners.UpdatePractitioner(r.Context(), pr); err != nil {
		h.fail(w, r, err)
		return
	}
	h.writePractitioner(w, r, http.StatusOK, pr.ID)
}

// ownPractitioner returns the principal's own entry in the place.
func (h *Handler) ownPractitioner(r *http.Request) (*linkwork.Practitioner, error) {
	p := principal(r)
	pr, err := h.svc.Practitioners.FindPractitionerByUser(r.Context(), p.Place.ID, p.User.ID)
	if linkwork.ErrorCode(err) == linkwork.ENOTFOUND {
		return nil, linkwork.Errorf(linkwork.ENOTFOUND, "You have no entry in %s's directory of link workers yet: add one with PUT %s/practitioners/me.",
			p.Place.Name, Prefix)
	}
	return pr, err
}

func (h *Handler) getOwnPractitioner(w http.ResponseWriter, r *http.Request) {
	pr, err := h.ownPractitioner(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pr)
}

// putOwnPractitioner adds or replaces the principal's own entry. Their employer must be one
// of their organisations in the place.
func (h *Handler) putOwnPractitioner(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	var body PractitionerBody
	if err := decode(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	pr := body.practitioner()
	pr.PlaceID, pr.UserID = p.Place.ID, p.User.ID
	var ps linkwork.Problems
	if pr.OrganisationID > 0 && !slices.ContainsFunc(p.Memberships, func(m linkwork.Membership) bool { return m.OrganisationID == pr.OrganisationID }) {
		ps.Add(linkwork.FieldError("organisation_id", "Choose one of your own organisations in %s as your employer.", p.Place.Name))
	}
	ps.Add(pr.Validate())
	if err := ps.Err(); err != nil {
		h.fail(w, r, err)
		return
	}
	// Two requests may race to add the entry; the loser replaces what the winner added.
	var err error
	for range 2 {
		var old *linkwork.Practitioner
		old, err = h.ownPractitioner(r)
		switch {
		case err == nil:
			pr.ID = old.ID
			if err := h.svc.Practitioners.UpdatePractitioner(r.Context(), pr); err != nil {
				h.fail(w, r, err)
				return
			}
			h.writePractitioner(w, r, http.StatusOK, pr.ID)
			return
		case linkwork.ErrorCode(err) != linkwork.ENOTFOUND:
			h.fail(w, r, err)
			return
		}
		err = h.svc.Practitioners.CreatePractitioner(r.Context(), pr)
		if err == nil {
			w.Header().Set("Location", Prefix+"/practitioners/"+idString(pr.ID))
			h.writePractitioner(w, r, http.StatusCreated, pr.ID)
			return
		}
		if linkwork.ErrorField(err) != "user_id" {
			break
		}
	}
	h.fail(w, r, err)
}
