package web

import (
	"net/http"
	"net/url"
	"strconv"

	"linkwork"
)

// Closing a case: how it ended, with the final questionnaires prompted first. The store
// closes the referral the case came from in the same step, which sends the referrer the
// message back.

// CloseView is the view of the form that closes a case.
type CloseView struct {
	Layout
	Person   *linkwork.Person
	Form     *Form
	Outcomes []dirChoice
	// Finals are the questionnaires with a baseline but no final response, each linking
	// to where to record it.
	Finals   []FinalLink
	Conflict string
}

// FinalLink is a questionnaire still to be answered at the end, and where to do it.
type FinalLink struct {
	Name string
	Href string
	Text string
}

// missingFinals lists the questionnaires a person answered at the baseline but not yet at
// the end, with a link to record the final one (or finish its draft).
func missingFinals(personID int64, responses []*linkwork.QuestionnaireResponse) []FinalLink {
	type state struct {
		name            string
		baseline, final bool
		draft           int64
	}
	var order []string
	seen := map[string]*state{}
	for _, r := range responses {
		s := seen[r.QuestionnaireCode]
		if s == nil {
			s = &state{name: r.QuestionnaireName}
			seen[r.QuestionnaireCode] = s
			order = append(order, r.QuestionnaireCode)
		}
		switch {
		case r.Status == linkwork.ResponseComplete && r.Timepoint == linkwork.TimepointBaseline:
			s.baseline = true
		case r.Status == linkwork.ResponseComplete && r.Timepoint == linkwork.TimepointFinal:
			s.final = true
		case r.Status == linkwork.ResponseDraft && r.Timepoint == linkwork.TimepointFinal:
			s.draft = r.ID
		}
	}
	base := personPath(personID) + "/questionnaires/"
	var out []FinalLink
	for _, code := range order {
		s := seen[code]
		if !s.baseline || s.final {
			continue
		}
		c := FinalLink{Name: s.name, Href: base + "new?" + url.Values{"code": {code}, "timepoint": {"final"}}.Encode(),
			Text: "Record the final " + s.name}
		if s.draft != 0 {
			c.Href, c.Text = base+strconv.FormatInt(s.draft, 10), "Finish the final "+s.name+" (a draft is saved)"
		}
		out = append(out, c)
	}
	return out
}

func outcomeChoices() []dirChoice {
	out := make([]dirChoice, len(linkwork.CaseOutcomes))
	for i, o := range linkwork.CaseOutcomes {
		out[i] = dirChoice{Value: string(o), Label: o.Label()}
	}
	return out
}

// closeView fills the close form's view, recording the look at the record.
func (h *Handler) closeView(r *http.Request, person *linkwork.Person, f *Form) (*CloseView, error) {
	rec, err := h.svc.Cases.PersonRecord(r.Context(), person.ID)
	if err != nil {
		return nil, err
	}
	if err := h.auditPerson(r, linkwork.AuditPersonView, person.ID, "close"); err != nil {
		return nil, err
	}
	f.Order = []string{"outcome", "note"}
	return &CloseView{Layout: Layout{Title: "Close " + person.Name() + "’s case"}, Person: rec.Person, Form: f,
		Outcomes: outcomeChoices(), Finals: missingFinals(person.ID, rec.Questionnaires)}, nil
}

func (h *Handler) closePage(w http.ResponseWriter, r *http.Request) {
	person, err := h.workablePerson(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	f := NewForm()
	f.Values["version"] = strconv.Itoa(person.Version)
	v, err := h.closeView(r, person, f)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "close_case", v)
}

func (h *Handler) closeCase(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	person, err := h.workablePerson(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	f := formFrom(r, "outcome", "note", "version")
	c := linkwork.CaseClosure{PersonID: person.ID, Outcome: linkwork.CaseOutcome(f.Get("outcome")), Note: f.Get("note")}
	c.Version, _ = strconv.Atoi(f.Get("version"))
	status, conflict := http.StatusUnprocessableEntity, ""
	err = c.Validate()
	if err == nil {
		if c.Version != person.Version {
			err = linkwork.Errorf(linkwork.ECONFLICT, "stale")
		} else {
			_, err = h.svc.Cases.CloseCase(r.Context(), c, p.User.ID, p.User.Name)
		}
	}
	switch linkwork.ErrorCode(err) {
	case "":
		flash := "case-closed-direct"
		if person.ReferralID != 0 {
			flash = "case-closed"
		}
		h.redirect(w, r, personPath(person.ID), flash)
		return
	case linkwork.ECONFLICT:
		fresh, ferr := h.svc.Cases.FindPersonByID(r.Context(), person.ID)
		if ferr != nil {
			h.serverError(w, r, ferr)
			return
		}
		if !fresh.IsOpen() {
			h.failed(w, r, linkwork.Errorf(linkwork.EINVALID, "Someone else closed this case while you were deciding. Nothing more was changed."))
			return
		}
		person = fresh
		status = http.StatusConflict
		conflict = "Someone else changed this record while you were deciding, so the case has not been closed. " +
			"Check the person’s page for what changed, then close the case again if it should still close."
		f.Values["version"] = strconv.Itoa(fresh.Version)
	default:
		if !addProblems(f, err, []string{"outcome", "note"}, "outcome") {
			h.failed(w, r, err)
			return
		}
	}
	v, verr := h.closeView(r, person, f)
	if verr != nil {
		h.serverError(w, r, verr)
		return
	}
	v.Conflict = conflict
	h.render(w, r, status, "close_case", v)
}
