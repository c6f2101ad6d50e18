package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"linkwork"
)

// A person's data rights: their whole record as JSON and as a readable page to print or
// save as a PDF (a subject access request), and erasure of their personal data.

func (h *Handler) exportJSON(w http.ResponseWriter, r *http.Request) {
	rec, ok := h.exportRecord(w, r, "json")
	if !ok {
		return
	}
	body, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="linkwork-person-`+strconv.FormatInt(rec.Person.ID, 10)+`.json"`)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(append(body, '\n'))
}

// exportRecord reads the whole record of the person in the path for an export, recording
// the export in the audit trail; it answers the request itself when it cannot.
func (h *Handler) exportRecord(w http.ResponseWriter, r *http.Request, format string) (*linkwork.PersonRecord, bool) {
	id, err := pathID(r, "id")
	if err != nil {
		h.failed(w, r, err)
		return nil, false
	}
	rec, err := h.svc.Cases.PersonRecord(r.Context(), id)
	if err != nil {
		h.failed(w, r, err)
		return nil, false
	}
	if !principal(r).CanSeePerson(rec.Person) {
		h.notFound(w, r)
		return nil, false
	}
	if err := h.auditPerson(r, linkwork.AuditPersonExport, id, format); err != nil {
		h.serverError(w, r, err)
		return nil, false
	}
	return rec, true
}

// ExportView is the view of a person's whole record as a readable page.
type ExportView struct {
	Layout
	Record    *linkwork.PersonRecord
	Person    *linkwork.Person
	Details   PersonDetails
	Goals     []GoalRow
	Responses []ExportResponse
	Today     string
	Erased    bool
}

// ExportResponse is a questionnaire response with its answers in words.
type ExportResponse struct {
	Response *linkwork.QuestionnaireResponse
	Score    string
	Answers  string
}

func (h *Handler) exportPage(w http.ResponseWriter, r *http.Request) {
	rec, ok := h.exportRecord(w, r, "html")
	if !ok {
		return
	}
	today := timeNow().In(london)
	p := rec.Person
	v := &ExportView{Layout: Layout{Title: "Everything held about " + p.Name()}, Record: rec, Person: p,
		Details: personDetails(p, today), Today: today.Format("2 January 2006"), Erased: p.Status == linkwork.PersonErased}
	if v.Erased {
		v.Title = "Everything held about an erased record"
	}
	v.Goals, _ = goalRows(rec.Plan, today)
	for _, resp := range rec.Questionnaires {
		er := ExportResponse{Response: resp, Score: scoreText(resp.Score)}
		parts := make([]string, len(resp.Answers))
		for i, a := range resp.Answers {
			parts[i] = "not answered"
			if a != nil {
				parts[i] = strconv.Itoa(*a)
			}
		}
		er.Answers = strings.Join(parts, ", ")
		v.Responses = append(v.Responses, er)
	}
	h.render(w, r, http.StatusOK, "export", v)
}

// EraseView is the view of the form that erases a person's personal data.
type EraseView struct {
	Layout
	Person *linkwork.Person
	Form   *Form
	// Referral is set when the case came from a referral, whose personal data goes too.
	Referral string
}

// erasablePerson returns the person in the path if the principal may erase them.
func (h *Handler) erasablePerson(r *http.Request) (*linkwork.Person, error) {
	person, err := h.pathPerson(r)
	if err != nil {
		return nil, err
	}
	switch {
	case person.Status == linkwork.PersonErased:
		return nil, linkwork.Errorf(linkwork.EINVALID, "This record has already been erased.")
	case !principal(r).CanErase(person):
		return nil, linkwork.Errorf(linkwork.EFORBIDDEN, "You may not erase this record.")
	}
	return person, nil
}

func (h *Handler) erasePage(w http.ResponseWriter, r *http.Request) {
	person, err := h.erasablePerson(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	if err := h.auditPerson(r, linkwork.AuditPersonView, person.ID, "erase"); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.renderErase(w, r, http.StatusOK, person, NewForm())
}

func (h *Handler) renderErase(w http.ResponseWriter, r *http.Request, status int, person *linkwork.Person, f *Form) {
	f.Order = []string{"reason", "confirm_name"}
	h.render(w, r, status, "erase", &EraseView{Layout: Layout{Title: "Erase " + person.Name() + "’s personal data"},
		Person: person, Form: f, Referral: person.ReferralReference})
}

// sameName compares names as typed: case, and spaces between words, do not matter.
func sameName(a, b string) bool {
	return strings.EqualFold(strings.Join(strings.Fields(a), " "), strings.Join(strings.Fields(b), " "))
}

func (h *Handler) erase(w http.ResponseWriter, r *http.Request) {
	person, err := h.erasablePerson(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	f := formFrom(r, "reason", "confirm_name")
	reason := strings.TrimSpace(f.Get("reason"))
	switch {
	case reason == "":
		f.Fail("reason", "Give the reason for erasing the record now, such as the person asking for it under UK GDPR.")
	case len([]rune(reason)) > linkwork.MaxShortTextLength:
		f.Fail("reason", "The reason must be "+strconv.Itoa(linkwork.MaxShortTextLength)+" characters or fewer.")
	}
	switch name := f.Get("confirm_name"); {
	case strings.TrimSpace(name) == "":
		f.Fail("confirm_name", "Type the person’s full name, "+person.Name()+", to confirm.")
	case !sameName(name, person.Name()):
		f.Fail("confirm_name", "The name typed is not the person’s. Type "+person.Name()+" exactly, to confirm this is the right record.")
	}
	if !f.HasErrors() {
		err := h.svc.Cases.ErasePerson(r.Context(), person.ID, reason)
		if err == nil {
			h.redirect(w, r, personPath(person.ID), "person-erased")
			return
		}
		if !addProblems(f, err, []string{"reason"}, "reason") {
			h.failed(w, r, err)
			return
		}
	}
	h.renderErase(w, r, http.StatusUnprocessableEntity, person, f)
}
