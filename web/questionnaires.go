package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"linkwork"
)

// Wellbeing questionnaires on a person's record: the form that records one (answers read
// out or copied from a paper form), saved as a draft to finish later or scored at once;
// and a complete response's page with its score, bands, and the change since the person's
// baseline. Scoring is the domain's: these pages only read, show and save.

func (h *Handler) registerQuestionnaires(g registrar) {
	manage := linkwork.PermManageCases
	g.Handle("GET", "/people/{id}/questionnaires/new", manage, h.newResponse)
	g.Handle("POST", "/people/{id}/questionnaires", manage, h.createResponse)
	g.Handle("GET", "/people/{id}/questionnaires/{rid}", linkwork.PermViewCases, h.response)
	g.Handle("POST", "/people/{id}/questionnaires/{rid}", manage, h.updateResponse)
	g.Handle("POST", "/people/{id}/questionnaires/{rid}/delete", manage, h.deleteResponse)
}

func init() {
	for k, v := range map[string]string{
		"response-draft":   "The questionnaire is saved as a draft. It is not scored until every question is answered and you choose “Save and score”.",
		"response-scored":  "The questionnaire is saved and scored.",
		"response-deleted": "The draft questionnaire has been deleted.",
	} {
		flashMessages[k] = v
	}
}

// maxRadioPoints is the most answers a question offers as radios; a longer scale (a
// local questionnaire's) is a box for the number.
const maxRadioPoints = 11

// ItemField is one question of the form.
type ItemField struct {
	N      int
	Name   string // answers.N
	Legend string
	Hint   string
	// Options are the answers as radios; Number is set instead for a long scale.
	Options []dirChoice
	Number  bool
	Inline  bool
}

// ResponseFormView is the view of the questionnaire form, new or a draft to finish.
type ResponseFormView struct {
	Layout
	Form          *Form
	Person        *linkwork.Person
	Questionnaire *linkwork.Questionnaire
	Items         []ItemField
	Timepoints    []dirChoice
	// Response is the draft being finished, nil for a new one.
	Response *linkwork.QuestionnaireResponse
	// Choices are the questionnaires to choose from, when none is chosen yet.
	Choices []dirChoice
	// Problem is a save that could not be made because the draft changed meanwhile.
	Problem string
	// ReadOnly is set for a draft the principal may see but not finish.
	ReadOnly bool
	// Closed is set when the case is closed: only a final questionnaire can be recorded.
	Closed bool
}

// Action is where the form is posted.
func (v *ResponseFormView) Action() string {
	base := "/people/" + strconv.FormatInt(v.Person.ID, 10) + "/questionnaires"
	if v.Response != nil {
		return base + "/" + strconv.FormatInt(v.Response.ID, 10)
	}
	return base
}

// Field is one question's radios, for the shared template.
func (it ItemField) Field(f *Form) RadiosField {
	r := f.Radios(it.Name, it.Legend, it.Options)
	r.Hint, r.Inline = it.Hint, it.Inline
	return r
}

// Input is one question's number box, for the shared template.
func (it ItemField) Input(f *Form) Field {
	return Field{Form: f, Name: it.Name, Label: it.Legend, Type: "text", Hint: it.Hint, Width: "4"}
}

// itemFields lays out a questionnaire's questions as the form asks them.
func itemFields(q *linkwork.Questionnaire) []ItemField {
	var out []ItemField
	for i, it := range q.Items {
		n := i + 1
		fld := ItemField{N: n, Name: "answers." + strconv.Itoa(n), Legend: strconv.Itoa(n) + ". " + it.Text}
		labels := map[int]string{}
		for _, o := range it.Options {
			labels[o.Value] = o.Label
		}
		if it.Max-it.Min+1 > maxRadioPoints {
			fld.Number = true
			var named []string
			for v := it.Min; v <= it.Max; v++ {
				if l := labels[v]; l != "" {
					named = append(named, fmt.Sprintf("%d is %s", v, l))
				}
			}
			fld.Hint = fmt.Sprintf("A whole number from %d to %d.", it.Min, it.Max)
			if len(named) > 0 {
				fld.Hint += " " + strings.Join(named, ", ") + "."
			}
			out = append(out, fld)
			continue
		}
		// A scale labelled only at its ends (ONS4's 0 to 10) reads best in a row, with
		// the labels in the hint as well as on their numbers.
		ends := len(it.Options) > 0 && len(it.Options) < it.Max-it.Min+1
		for v := it.Min; v <= it.Max; v++ {
			label := strconv.Itoa(v)
			if l := labels[v]; l != "" {
				label += " – " + l
			}
			fld.Options = append(fld.Options, dirChoice{Value: strconv.Itoa(v), Label: label})
		}
		if ends {
			fld.Inline = true
			fld.Hint = fmt.Sprintf("From %d", it.Min)
			if l := labels[it.Min]; l != "" {
				fld.Hint += " (" + strings.ToLower(l) + ")"
			}
			fld.Hint += fmt.Sprintf(" to %d", it.Max)
			if l := labels[it.Max]; l != "" {
				fld.Hint += " (" + strings.ToLower(l) + ")"
			}
			fld.Hint += "."
		}
		out = append(out, fld)
	}
	return out
}

func timepointChoices() []dirChoice {
	var out []dirChoice
	for _, t := range linkwork.Timepoints {
		out = append(out, dirChoice{Value: string(t), Label: t.Label()})
	}
	return out
}

// responseFields are the form's fields in order, for the error summary.
func responseFields(q *linkwork.Questionnaire) []string {
	var out []string
	for i := range q.Items {
		out = append(out, "answers."+strconv.Itoa(i+1))
	}
	return append(out, "timepoint", "completed_on")
}

// timepointsFor are the timepoints a person's questionnaire may be recorded at: any while
// the case is open; once it is closed, only the final one (the store allows it for a while
// after closing, and says so when it is too late).
func timepointsFor(person *linkwork.Person) []dirChoice {
	if person.IsOpen() {
		return timepointChoices()
	}
	return []dirChoice{{Value: string(linkwork.TimepointFinal), Label: linkwork.TimepointFinal.Label()}}
}

func (h *Handler) responseFormView(person *linkwork.Person, q *linkwork.Questionnaire, f *Form) *ResponseFormView {
	f.Order = responseFields(q)
	return &ResponseFormView{Layout: Layout{Title: q.Name}, Form: f, Person: person, Questionnaire: q,
		Items: itemFields(q), Timepoints: timepointsFor(person), Closed: !person.IsOpen()}
}

func (h *Handler) newResponse(w http.ResponseWriter, r *http.Request) {
	person, err := h.casePerson(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	ctx := r.Context()
	p := principal(r)
	query := r.URL.Query()
	code, tp := query.Get("code"), query.Get("timepoint")
	f := NewForm()
	if tp != "" && linkwork.Timepoint(tp).Label() != "" {
		f.Values["timepoint"] = tp
	}
	if !person.IsOpen() {
		f.Values["timepoint"] = string(linkwork.TimepointFinal)
	}
	if code == "" {
		// Nothing chosen yet: which questionnaire, and when.
		qs, err := h.svc.Questionnaires.Questionnaires(ctx, p.Place.ID, false)
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		v := &ResponseFormView{Layout: Layout{Title: "Record a questionnaire"}, Form: f, Person: person, Timepoints: timepointsFor(person),
			Closed: !person.IsOpen()}
		for _, q := range qs {
			v.Choices = append(v.Choices, dirChoice{Value: q.Code, Label: q.Name})
		}
		h.render(w, r, http.StatusOK, "questionnaire", v)
		return
	}
	q, err := h.svc.Questionnaires.FindQuestionnaire(ctx, p.Place.ID, code)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	if q.Retired {
		h.errorPage(w, r, http.StatusBadRequest, "This questionnaire is no longer used",
			q.Name+" has been retired in "+p.Place.Name+". Go back to the person's page and choose another.")
		return
	}
	if f.Get("timepoint") == "" {
		// The first time the person answers it is their baseline; after that, a review.
		f.Values["timepoint"] = string(linkwork.TimepointBaseline)
		rs, err := h.svc.Questionnaires.ListResponses(ctx, person.ID)
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		if slices.ContainsFunc(rs, func(x *linkwork.QuestionnaireResponse) bool {
			return x.QuestionnaireCode == q.Code && x.Status == linkwork.ResponseComplete
		}) {
			f.Values["timepoint"] = string(linkwork.TimepointReview)
		}
	}
	setDay(f, "completed_on", timeNow().In(london).Format(time.DateOnly))
	h.render(w, r, http.StatusOK, "questionnaire", h.responseFormView(person, q, f))
}

// setDay fills the three boxes of a date from YYYY-MM-DD.
func setDay(f *Form, name, v string) {
	d, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return
	}
	f.Values[name+"-day"], f.Values[name+"-month"], f.Values[name+"-year"] = strconv.Itoa(d.Day()), strconv.Itoa(int(d.Month())), strconv.Itoa(d.Year())
}

// readDay reads a date typed as day, month and year, as YYYY-MM-DD, or "" when nothing was
// typed; anything else is recorded against the field in words about the three boxes. what
// names the date in messages.
func readDay(r *http.Request, f *Form, name, what string) string {
	parts := [3]string{}
	for i, k := range []string{"day", "month", "year"} {
		parts[i] = strings.TrimSpace(r.PostFormValue(name + "-" + k))
		f.Values[name+"-"+k] = parts[i]
	}
	if parts == [3]string{} {
		return ""
	}
	example := timeNow().In(london).Format("2 1 2006")
	if slices.Contains(parts[:], "") {
		f.Fail(name, "The "+what+" must include a day, a month and a year.")
		return ""
	}
	var n [3]int
	for i, s := range parts {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 {
			f.Fail(name, "Enter the "+what+" in numbers, such as "+example+".")
			return ""
		}
		n[i] = v
	}
	if len(parts[2]) != 4 {
		f.Fail(name, "Enter the year of the "+what+" in full, such as "+strconv.Itoa(timeNow().Year())+".")
		return ""
	}
	d := time.Date(n[2], time.Month(n[1]), n[0], 0, 0, 0, 0, time.UTC)
	if d.Day() != n[0] || int(d.Month()) != n[1] {
		f.Fail(name, "Enter a real "+what+", such as "+example+".")
		return ""
	}
	return d.Format(time.DateOnly)
}

// readResponse reads the form into a response to q, recording on the form what only the
// form can see to be wrong (an answer that is not a number, a timepoint not offered), then
// the domain's checks. It reports whether the response may be saved.
func readResponse(r *http.Request, f *Form, q *linkwork.Questionnaire, person *linkwork.Person, resp *linkwork.QuestionnaireResponse) bool {
	resp.Answers = make([]*int, len(q.Items))
	for i, it := range q.Items {
		name := "answers." + strconv.Itoa(i+1)
		s := strings.TrimSpace(r.PostFormValue(name))
		f.Values[name] = s
		if s == "" {
			continue
		}
		v, err := strconv.Atoi(s)
		if err != nil {
			f.Fail(name, fmt.Sprintf("Answer question %d with a whole number from %d to %d.", i+1, it.Min, it.Max))
			continue
		}
		resp.Answers[i] = &v
	}
	f.Values["timepoint"] = r.PostFormValue("timepoint")
	resp.Timepoint = linkwork.Timepoint(f.Get("timepoint"))
	if resp.Timepoint == "" {
		f.Fail("timepoint", "Choose when in the person's support they answered: at the start, during support or at the end.")
	}
	resp.CompletedOn = readDay(r, f, "completed_on", "date the person answered")
	resp.Status = linkwork.ResponseComplete
	if r.PostFormValue("action") == "draft" {
		resp.Status = linkwork.ResponseDraft
	}
	if !person.IsOpen() && resp.Timepoint != "" && resp.Timepoint != linkwork.TimepointFinal {
		f.Fail("timepoint", "The case is closed: only a final questionnaire can be recorded now.")
	}
	err := resp.Validate(q, person.DateOfBirth, timeNow().In(london))
	if err != nil && !addProblems(f, err, responseFields(q), "timepoint") {
		return false
	}
	return !f.HasErrors()
}

func (h *Handler) createResponse(w http.ResponseWriter, r *http.Request) {
	person, err := h.casePerson(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	p := principal(r)
	q, err := h.svc.Questionnaires.FindQuestionnaire(r.Context(), p.Place.ID, r.PostFormValue("code"))
	if err != nil {
		h.failed(w, r, err)
		return
	}
	if q.Retired {
		h.errorPage(w, r, http.StatusBadRequest, "This questionnaire is no longer used",
			q.Name+" has been retired in "+p.Place.Name+". Go back to the person's page and choose another.")
		return
	}
	f := NewForm()
	resp := &linkwork.QuestionnaireResponse{PersonID: person.ID, RecordedByUserID: p.User.ID, RecordedBy: p.User.Name}
	h.saveResponse(w, r, person, q, f, resp, h.responseFormView(person, q, f))
}

// saveResponse checks and saves a new response or a draft, redirecting to its page, or
// shows the form again with every problem.
func (h *Handler) saveResponse(w http.ResponseWriter, r *http.Request, person *linkwork.Person, q *linkwork.Questionnaire, f *Form,
	resp *linkwork.QuestionnaireResponse, v *ResponseFormView) {
	if readResponse(r, f, q, person, resp) {
		err := h.svc.Questionnaires.SaveResponse(r.Context(), resp)
		switch {
		case err == nil:
			flash := "response-scored"
			if resp.Status == linkwork.ResponseDraft {
				flash = "response-draft"
			}
			h.redirect(w, r, "/people/"+strconv.FormatInt(person.ID, 10)+"/questionnaires/"+strconv.FormatInt(resp.ID, 10), flash)
			return
		case linkwork.ErrorCode(err) == linkwork.ECONFLICT && resp.ID != 0:
			now, ferr := h.svc.Questionnaires.FindResponse(r.Context(), resp.ID)
			if ferr != nil {
				h.failed(w, r, ferr)
				return
			}
			if now.Status == linkwork.ResponseComplete {
				h.redirect(w, r, "/people/"+strconv.FormatInt(person.ID, 10)+"/questionnaires/"+strconv.FormatInt(now.ID, 10), "")
				return
			}
			nf := responseValues(now)
			nv := h.responseFormView(person, q, nf)
			nv.Response = now
			nv.Problem = "Someone else saved this draft while you had it open" + byWhom(now.RecordedBy) +
				". Your answers were not saved: here is the draft as it is now. Enter your answers again if they are still needed."
			h.render(w, r, http.StatusConflict, "questionnaire", nv)
			return
		case linkwork.ErrorCode(err) == linkwork.EINVALID && !slices.ContainsFunc(linkwork.FieldErrors(err),
			func(e *linkwork.Error) bool { return e.Field != "" }):
			// About the case or the response as a whole, such as a case closed too long ago.
			v.Problem = linkwork.ErrorMessage(err)
		case !addProblems(f, err, responseFields(q), "timepoint"):
			h.failed(w, r, err)
			return
		}
	}
	h.render(w, r, http.StatusUnprocessableEntity, "questionnaire", v)
}

func byWhom(name string) string {
	if name == "" {
		return ""
	}
	return " (last saved by " + name + ")"
}

// responseValues fills a form from a saved response.
func responseValues(resp *linkwork.QuestionnaireResponse) *Form {
	f := NewForm()
	for i, a := range resp.Answers {
		if a != nil {
			f.Values["answers."+strconv.Itoa(i+1)] = strconv.Itoa(*a)
		}
	}
	f.Values["timepoint"] = string(resp.Timepoint)
	if resp.CompletedOn != "" {
		setDay(f, "completed_on", resp.CompletedOn)
	} else {
		setDay(f, "completed_on", timeNow().In(london).Format(time.DateOnly))
	}
	return f
}

// personResponse returns the person in the path, if the principal may see them, and the
// response in the path, if it is theirs, with its questionnaire.
func (h *Handler) personResponse(r *http.Request, person *linkwork.Person) (*linkwork.QuestionnaireResponse, *linkwork.Questionnaire, error) {
	rid, err := pathID(r, "rid")
	if err != nil {
		return nil, nil, err
	}
	resp, err := h.svc.Questionnaires.FindResponse(r.Context(), rid)
	if err != nil {
		return nil, nil, err
	}
	if resp.PersonID != person.ID {
		return nil, nil, linkwork.Errorf(linkwork.ENOTFOUND, "Questionnaire not found.")
	}
	q, err := h.svc.Questionnaires.FindQuestionnaire(r.Context(), principal(r).Place.ID, resp.QuestionnaireCode)
	if err != nil {
		return nil, nil, err
	}
	return resp, q, nil
}

// ResponseView is the view of a complete response: its answers, score and the change
// since the baseline.
type ResponseView struct {
	Layout
	Person        *linkwork.Person
	Questionnaire *linkwork.Questionnaire
	Response      *linkwork.QuestionnaireResponse
	Answers       []AnswerRow
	Score         ScoreSummary
	Change        *ChangeSummary
	CompletedOn   string
}

// AnswerRow is one question and its answer.
type AnswerRow struct {
	N      int
	Text   string
	Answer string
}

// ScoreSummary is a score in words.
type ScoreSummary struct {
	Headline string
	Band     string
	// Items are ONS4's questions, each scored and banded on its own.
	Items []linkwork.ItemScore
}

// ChangeSummary is the change between the person's baseline and their latest response.
type ChangeSummary struct {
	BaselineOn, LatestOn       string
	BaselineID, LatestID       int64
	BaselineScore, LatestScore string
	Change                     string
	Items                      []ItemChangeRow
}

// ItemChangeRow is the change in one of ONS4's questions.
type ItemChangeRow struct {
	Label    string
	From, To int
	Change   string
}

// scoreNumber writes a score as briefly as it can: 7, 2.5, 23.21.
func scoreNumber(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// scoreRange is the lowest and highest score a sum or mean of q's answers can reach.
func scoreRange(q *linkwork.Questionnaire) (lo, hi float64) {
	for _, it := range q.Items {
		lo += float64(it.Min)
		hi += float64(it.Max)
	}
	if q.Scoring == linkwork.ScoreMean && len(q.Items) > 0 {
		lo, hi = lo/float64(len(q.Items)), hi/float64(len(q.Items))
	}
	return lo, hi
}

// totalText is a response's total as the questionnaire counts it.
func totalText(q *linkwork.Questionnaire, s *linkwork.QuestionnaireScore) string {
	switch q.Scoring {
	case linkwork.ScoreSWEMWBS:
		return fmt.Sprintf("%.2f", s.Total)
	}
	return scoreNumber(s.Total)
}

// scoreSummary says a score in words.
func scoreSummary(q *linkwork.Questionnaire, s *linkwork.QuestionnaireScore) ScoreSummary {
	if s == nil {
		return ScoreSummary{}
	}
	out := ScoreSummary{Band: s.Band}
	switch q.Scoring {
	case linkwork.ScoreONS4:
		out.Headline = "Each question is scored on its own, from 0 to 10, against the ONS thresholds. There is no total."
		out.Items = s.Items
	case linkwork.ScoreUCLA3:
		out.Headline = fmt.Sprintf("Total %d, on a scale from 3 to 9: a higher total means lonelier.", s.Raw)
	case linkwork.ScoreSWEMWBS:
		out.Headline = fmt.Sprintf("Metric score %.2f (raw score %d), on a scale from 7.00 to 35.00: a higher score means better mental wellbeing.", s.Total, s.Raw)
	default:
		lo, hi := scoreRange(q)
		what := "Total"
		if q.Scoring == linkwork.ScoreMean {
			what = "Average answer"
		}
		better := "a lower score is better"
		if q.HigherIsBetter {
			better = "a higher score is better"
		}
		out.Headline = fmt.Sprintf("%s %s, on a scale from %s to %s: %s.", what, scoreNumber(s.Total), scoreNumber(lo), scoreNumber(hi), better)
	}
	return out
}

// signed writes a change with its sign and, unless it is none, whether it is better.
func signed(change string, negative bool, direction string) string {
	switch {
	case direction == linkwork.ChangeSame:
		return "No change"
	case negative:
		change = "−" + strings.TrimPrefix(change, "-")
	default:
		change = "+" + change
	}
	return change + " (" + direction + ")"
}

// changeSummary compares the person's baseline with their latest response to q, if they
// have answered it completely at least twice.
func changeSummary(q *linkwork.Questionnaire, responses []*linkwork.QuestionnaireResponse) *ChangeSummary {
	cs := linkwork.ScoreChanges([]*linkwork.Questionnaire{q}, responses)
	if len(cs) == 0 {
		return nil
	}
	c := cs[0]
	out := &ChangeSummary{BaselineOn: longDate(c.Baseline.CompletedOn), LatestOn: longDate(c.Latest.CompletedOn),
		BaselineID: c.Baseline.ID, LatestID: c.Latest.ID}
	if q.Scoring == linkwork.ScoreONS4 {
		for _, ic := range c.Items {
			row := ItemChangeRow{Label: ic.Label, Change: signed(strconv.Itoa(ic.Change), ic.Change < 0, ic.Direction)}
			for _, it := range c.Baseline.Score.Items {
				if it.Key == ic.Key {
					row.From = it.Value
				}
			}
			for _, it := range c.Latest.Score.Items {
				if it.Key == ic.Key {
					row.To = it.Value
				}
			}
			out.Items = append(out.Items, row)
		}
		return out
	}
	out.BaselineScore, out.LatestScore = totalText(q, c.Baseline.Score), totalText(q, c.Latest.Score)
	if c.Baseline.Score.Band != "" {
		out.BaselineScore += " (" + c.Baseline.Score.Band + ")"
	}
	if c.Latest.Score.Band != "" {
		out.LatestScore += " (" + c.Latest.Score.Band + ")"
	}
	out.Change = signed(scoreNumber(c.Change), c.Change < 0, c.Direction)
	return out
}

func (h *Handler) response(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.failed(w, r, err)
		return
	}
	p := principal(r)
	person, err := linkwork.VisiblePerson(r.Context(), h.svc.Cases, p, id)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	resp, q, err := h.personResponse(r, person)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	if err := h.svc.Audit.RecordAudit(r.Context(), &linkwork.AuditEvent{Action: linkwork.AuditPersonView, RecordType: "person",
		RecordID: strconv.FormatInt(person.ID, 10), Detail: "questionnaire response " + strconv.FormatInt(resp.ID, 10)}); err != nil {
		h.serverError(w, r, err)
		return
	}
	if resp.Status == linkwork.ResponseDraft {
		f := responseValues(resp)
		v := h.responseFormView(person, q, f)
		v.Response = resp
		v.ReadOnly = !p.CanWorkOn(person) || !person.IsOpen()
		h.render(w, r, http.StatusOK, "questionnaire", v)
		return
	}
	h.showResponse(w, r, person, q, resp)
}

// showResponse renders a complete response with its score and the change since the
// baseline.
func (h *Handler) showResponse(w http.ResponseWriter, r *http.Request, person *linkwork.Person, q *linkwork.Questionnaire, resp *linkwork.QuestionnaireResponse) {
	v := &ResponseView{Layout: Layout{Title: q.Name}, Person: person, Questionnaire: q, Response: resp,
		Score: scoreSummary(q, resp.Score), CompletedOn: longDate(resp.CompletedOn)}
	for i, it := range q.Items {
		row := AnswerRow{N: i + 1, Text: it.Text, Answer: "Not answered"}
		if i < len(resp.Answers) && resp.Answers[i] != nil {
			a := *resp.Answers[i]
			row.Answer = strconv.Itoa(a)
			for _, o := range it.Options {
				if o.Value == a {
					row.Answer += " – " + o.Label
				}
			}
		}
		v.Answers = append(v.Answers, row)
	}
	responses, err := h.svc.Questionnaires.ListResponses(r.Context(), person.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	v.Change = changeSummary(q, responses)
	h.render(w, r, http.StatusOK, "questionnaire_result", v)
}

func (h *Handler) updateResponse(w http.ResponseWriter, r *http.Request) {
	person, err := h.casePerson(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	resp, q, err := h.personResponse(r, person)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	if resp.Status != linkwork.ResponseDraft {
		h.errorPage(w, r, http.StatusBadRequest, "A scored questionnaire cannot be changed",
			"Once a questionnaire is saved and scored it stays as it was, so that comparisons keep their meaning. Record a new one if the person answers again.")
		return
	}
	version, err := strconv.Atoi(r.PostFormValue("version"))
	if err != nil {
		h.errorPage(w, r, http.StatusBadRequest, "The questionnaire was not saved",
			"The page you saved it from was incomplete. Open the draft again from the person's page.")
		return
	}
	p := principal(r)
	f := NewForm()
	draft := &linkwork.QuestionnaireResponse{ID: resp.ID, PersonID: person.ID, Version: version, RecordedByUserID: p.User.ID,
		RecordedBy: p.User.Name, CreatedAt: resp.CreatedAt}
	v := h.responseFormView(person, q, f)
	v.Response = resp
	h.saveResponse(w, r, person, q, f, draft, v)
}

func (h *Handler) deleteResponse(w http.ResponseWriter, r *http.Request) {
	person, err := h.casePerson(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	resp, _, err := h.personResponse(r, person)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	if resp.Status != linkwork.ResponseDraft {
		h.errorPage(w, r, http.StatusBadRequest, "A scored questionnaire cannot be deleted",
			"Only drafts can be deleted. A scored questionnaire is part of the person's record.")
		return
	}
	if err := h.svc.Questionnaires.DeleteDraft(r.Context(), resp.ID); err != nil {
		h.failed(w, r, err)
		return
	}
	h.redirect(w, r, "/people/"+strconv.FormatInt(person.ID, 10), "response-deleted")
}
