package api

import (
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"linkwork"
)

func (h *Handler) registerQuestionnaires(g registrar) {
	settings, manage := linkwork.PermManageCasework, linkwork.PermManageCases
	// The definitions are not personal data: the link workers who use them and the
	// administrators who keep them both read them; the handler checks for either.
	g.Handle("GET", Prefix+"/questionnaires", linkwork.PermSignedIn, h.listQuestionnaires)
	g.Handle("POST", Prefix+"/questionnaires", settings, h.defineQuestionnaire)
	g.Handle("POST", Prefix+"/questionnaires/{id}/retire", settings, h.retireQuestionnaire)
	g.Handle("PUT", Prefix+"/settings/swemwbs-wording", settings, h.putSWEMWBSWording)
	g.Handle("GET", Prefix+"/settings/retention", settings, h.getRetention)
	g.Handle("PUT", Prefix+"/settings/retention", settings, h.putRetention)
	g.Handle("GET", Prefix+"/people/{id}/questionnaires", linkwork.PermViewCases, h.personQuestionnaires)
	g.Handle("POST", Prefix+"/people/{id}/questionnaires", manage, h.createResponse)
	g.Handle("PUT", Prefix+"/people/{id}/questionnaires/{rid}", manage, h.updateResponse)
	g.Handle("DELETE", Prefix+"/people/{id}/questionnaires/{rid}", manage, h.deleteResponse)
}

// QuestionnaireBody is the body of POST /questionnaires: a place's own questionnaire.
type QuestionnaireBody struct {
	Name           string                       `json:"name"`
	Description    string                       `json:"description"`
	Instructions   string                       `json:"instructions"`
	Items          []linkwork.QuestionnaireItem `json:"items"`
	Scoring        linkwork.ScoringRule         `json:"scoring"`
	Bands          []linkwork.ScoreBand         `json:"bands"`
	HigherIsBetter bool                         `json:"higher_is_better"`
	Licence        string                       `json:"licence"`
}

// WordingBody is the body of PUT /settings/swemwbs-wording: the seven licensed SWEMWBS
// items, or none to remove them.
type WordingBody struct {
	Items []string `json:"items"`
}

// RetentionBody is the body of PUT /settings/retention.
type RetentionBody struct {
	Months *int `json:"months"`
}

// ResponseBody is the body of POST /people/{id}/questionnaires: a person's answers, as a
// draft or complete.
type ResponseBody struct {
	QuestionnaireCode string                  `json:"questionnaire_code"`
	Timepoint         linkwork.Timepoint      `json:"timepoint"`
	Answers           []*int                  `json:"answers"`
	Status            linkwork.ResponseStatus `json:"status"`
	CompletedOn       string                  `json:"completed_on"`
}

// ResponseUpdate is the body of PUT /people/{id}/questionnaires/{rid}: a draft carried on.
type ResponseUpdate struct {
	Version     *int                    `json:"version"`
	Timepoint   linkwork.Timepoint      `json:"timepoint"`
	Answers     []*int                  `json:"answers"`
	Status      linkwork.ResponseStatus `json:"status"`
	CompletedOn string                  `json:"completed_on"`
}

// PersonQuestionnaires is the answer of GET /people/{id}/questionnaires: the person's
// responses, newest first, and how their scores have changed since their baseline.
type PersonQuestionnaires struct {
	Responses []*linkwork.QuestionnaireResponse `json:"responses"`
	Changes   []*linkwork.ScoreChange           `json:"changes"`
}

// MaxWordingLength bounds each item of SWEMWBS's licensed wording.
const MaxWordingLength = 300

func tidyQuestionnaire(q *linkwork.Questionnaire) *linkwork.Questionnaire {
	if q.Items == nil {
		q.Items = []linkwork.QuestionnaireItem{}
	}
	return q
}

func tidyResponse(r *linkwork.QuestionnaireResponse) *linkwork.QuestionnaireResponse {
	if r.Answers == nil {
		r.Answers = []*int{}
	}
	return r
}

func (h *Handler) listQuestionnaires(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if !p.Can(linkwork.PermViewCases) && !p.Can(linkwork.PermManageCasework) {
		h.fail(w, r, linkwork.Errorf(linkwork.EFORBIDDEN, "Your role does not allow this."))
		return
	}
	page, err := pageParams(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	retired := false
	switch s := r.URL.Query().Get("retired"); s {
	case "", "false":
	case "true":
		retired = true
	default:
		h.fail(w, r, linkwork.FieldError("retired", "retired must be true (to include retired questionnaires) or false."))
		return
	}
	qs, err := h.svc.Questionnaires.Questionnaires(r.Context(), p.Place.ID, retired)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, q := range qs {
		tidyQuestionnaire(q)
	}
	total := len(qs)
	from := min(page.Offset(), total)
	writeJSON(w, http.StatusOK, newList(qs[from:min(from+page.Size, total)], page, total))
}

func (h *Handler) defineQuestionnaire(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	var body QuestionnaireBody
	if err := decode(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	q := &linkwork.Questionnaire{PlaceID: p.Place.ID, Name: body.Name, Description: body.Description,
		Instructions: body.Instructions, Items: body.Items, Scoring: body.Scoring, Bands: body.Bands,
		HigherIsBetter: body.HigherIsBetter, Licence: body.Licence}
	if err := q.Validate(); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.svc.Questionnaires.DefineQuestionnaire(r.Context(), q); err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, tidyQuestionnaire(q))
}

func (h *Handler) retireQuestionnaire(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err == nil {
		err = h.svc.Questionnaires.RetireQuestionnaire(r.Context(), principal(r).Place.ID, id)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) putSWEMWBSWording(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	var body WordingBody
	if err := decode(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	var ps linkwork.Problems
	switch n := len(body.Items); {
	case n == 0:
		body.Items = nil // removes the wording
	case n != linkwork.SWEMWBSItemCount:
		ps.Add(linkwork.FieldError("items", "SWEMWBS has %d items: give the wording of all %d, in order (%d were given), or none to remove it.",
			linkwork.SWEMWBSItemCount, linkwork.SWEMWBSItemCount, n))
	default:
		for i, s := range body.Items {
			s = strings.TrimSpace(s)
			body.Items[i] = s
			field := "items." + strconv.Itoa(i+1)
			switch {
			case s == "":
				ps.Add(linkwork.FieldError(field, "Enter the wording of item %d, as your licence gives it.", i+1))
			case utf8.RuneCountInString(s) > MaxWordingLength:
				ps.Add(linkwork.FieldError(field, "Item %d must be at most %d characters.", i+1, MaxWordingLength))
			}
		}
	}
	if err := ps.Err(); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.svc.Questionnaires.SetSWEMWBSWording(r.Context(), p.Place.ID, body.Items); err != nil {
		h.fail(w, r, bodyFields(err, map[string]string{"swemwbs_items": "items"}))
		return
	}
	q, err := h.svc.Questionnaires.FindQuestionnaire(r.Context(), p.Place.ID, "swemwbs")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, tidyQuestionnaire(q))
}

func (h *Handler) getRetention(w http.ResponseWriter, r *http.Request) {
	ret, err := h.svc.Cases.Retention(r.Context(), principal(r).Place.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ret)
}

func (h *Handler) putRetention(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	var body RetentionBody
	if err := decode(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	if body.Months == nil {
		h.fail(w, r, linkwork.FieldError("months", "months is required: how many months after a case closes its personal data is erased, or 0 to keep closed cases until erased by hand."))
		return
	}
	ret := linkwork.Retention{PlaceID: p.Place.ID, Months: *body.Months}
	if err := ret.Validate(); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.svc.Cases.SetRetention(r.Context(), ret); err != nil {
		h.fail(w, r, err)
		return
	}
	out, err := h.svc.Cases.Retention(r.Context(), p.Place.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *Handler) personQuestionnaires(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	person, err := h.visiblePerson(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	responses, err := h.svc.Questionnaires.ListResponses(r.Context(), person.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	qs, err := h.svc.Questionnaires.Questionnaires(r.Context(), p.Place.ID, true)
	if err == nil {
		err = h.auditPerson(r, linkwork.AuditPersonView, person.ID, "api: questionnaires")
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if responses == nil {
		responses = []*linkwork.QuestionnaireResponse{}
	}
	for _, resp := range responses {
		tidyResponse(resp)
	}
	writeJSON(w, http.StatusOK, PersonQuestionnaires{Responses: responses, Changes: linkwork.ScoreChanges(qs, responses)})
}

// questionnaireFor returns the questionnaire a new response is to: one of the place's, not
// retired.
func (h *Handler) questionnaireFor(r *http.Request, code string) (*linkwork.Questionnaire, error) {
	p := principal(r)
	code = strings.TrimSpace(code)
	if code == "" {
		return nil, linkwork.FieldError("questionnaire_code", "Choose the questionnaire: ons4, ucla3, swemwbs, or the code of one of %s's own (GET %s/questionnaires lists them).",
			p.Place.Name, Prefix)
	}
	q, err := h.svc.Questionnaires.FindQuestionnaire(r.Context(), p.Place.ID, code)
	switch {
	case linkwork.ErrorCode(err) == linkwork.ENOTFOUND:
		return nil, linkwork.FieldError("questionnaire_code", "%s has no questionnaire %q: use ons4, ucla3, swemwbs, or the code of one of its own (GET %s/questionnaires lists them).",
			p.Place.Name, code, Prefix)
	case err != nil:
		return nil, err
	case q.Retired:
		return nil, linkwork.FieldError("questionnaire_code", "%s has been retired, so it takes no new responses.", q.Name)
	}
	return q, nil
}

// responsePerson returns the person in the path if the principal may record questionnaires
// for them: a final questionnaire may follow shortly after the case closed.
func (h *Handler) responsePerson(r *http.Request) (*linkwork.Person, error) {
	person, err := h.visiblePerson(r)
	if err != nil {
		return nil, err
	}
	return person, workable(principal(r), person, true)
}

func (h *Handler) createResponse(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	person, err := h.responsePerson(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var body ResponseBody
	if err := decode(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	q, err := h.questionnaireFor(r, body.QuestionnaireCode)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	resp := &linkwork.QuestionnaireResponse{PersonID: person.ID, Timepoint: body.Timepoint, Answers: body.Answers,
		Status: body.Status, CompletedOn: body.CompletedOn, RecordedByUserID: p.User.ID, RecordedBy: p.User.Name}
	if err := resp.Validate(q, person.DateOfBirth, today()); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.svc.Questionnaires.SaveResponse(r.Context(), resp); err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, tidyResponse(resp))
}

// personResponse returns the open case in the path and its response in the path "rid".
func (h *Handler) personResponse(r *http.Request) (*linkwork.Person, *linkwork.QuestionnaireResponse, error) {
	person, err := h.responsePerson(r)
	if err != nil {
		return nil, nil, err
	}
	id, err := pathID(r, "rid")
	if err != nil {
		return nil, nil, err
	}
	resp, err := h.svc.Questionnaires.FindResponse(r.Context(), id)
	if err != nil {
		return nil, nil, err
	}
	if resp.PersonID != person.ID {
		return nil, nil, linkwork.Errorf(linkwork.ENOTFOUND, "%s has no questionnaire response %d.", person.KnownAs(), id)
	}
	if resp.Status == linkwork.ResponseComplete {
		return nil, nil, linkwork.Errorf(linkwork.ECONFLICT, "This %s response is complete and scored, so it can no longer be changed or deleted. Record a new one instead.",
			resp.QuestionnaireName)
	}
	return person, resp, nil
}

func (h *Handler) updateResponse(w http.ResponseWriter, r *http.Request) {
	person, resp, err := h.personResponse(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var body ResponseUpdate
	if err := decode(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := versionMismatch("response", resp.Version, body.Version); err != nil {
		h.fail(w, r, err)
		return
	}
	// A draft is carried on with the questionnaire it was started on, retired or not.
	q, err := h.svc.Questionnaires.FindQuestionnaire(r.Context(), person.PlaceID, resp.QuestionnaireCode)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	changed := *resp
	changed.Timepoint, changed.Answers, changed.Status, changed.CompletedOn = body.Timepoint, body.Answers, body.Status, body.CompletedOn
	if changed.Timepoint == "" {
		changed.Timepoint = resp.Timepoint
	}
	if err := changed.Validate(q, person.DateOfBirth, today()); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.svc.Questionnaires.SaveResponse(r.Context(), &changed); err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, tidyResponse(&changed))
}

func (h *Handler) deleteResponse(w http.ResponseWriter, r *http.Request) {
	_, resp, err := h.personResponse(r)
	if err == nil {
		err = h.svc.Questionnaires.DeleteDraft(r.Context(), resp.ID)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
