package web

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"linkwork"
)

// A place's casework settings, for its administrators: how long closed cases are kept,
// the licensed wording of SWEMWBS, and the place's own questionnaires, defined here
// without code and retired when no longer wanted (never edited, so that every response
// keeps the meaning it had).

func (h *Handler) registerCaseworkSettings(g registrar) {
	settings := linkwork.PermManageCasework
	g.Handle("GET", "/settings/casework", settings, h.caseworkSettings)
	g.Handle("POST", "/settings/casework/retention", settings, h.setRetention)
	g.Handle("POST", "/settings/casework/swemwbs", settings, h.setSWEMWBSWording)
	g.Handle("POST", "/settings/questionnaires/{id}/retire", settings, h.retireQuestionnaire)
	g.Handle("GET", "/settings/questionnaires/new", settings, h.newQuestionnaire)
	g.Handle("POST", "/settings/questionnaires/new", settings, h.defineQuestionnaire)
}

func init() {
	for k, v := range map[string]string{
		"retention-saved":       "The retention period has been saved.",
		"swemwbs-saved":         "The licensed wording of SWEMWBS has been saved. Questionnaires now show it.",
		"swemwbs-removed":       "The wording of SWEMWBS has been removed. Its items show as “Item 1” to “Item 7” until it is supplied again.",
		"questionnaire-defined": "The questionnaire has been added. Link workers can now record it.",
		"questionnaire-retired": "The questionnaire has been retired. Responses already recorded keep it; it is no longer offered.",
	} {
		flashMessages[k] = v
	}
}

// maxSWEMWBSItemLength bounds each statement of the licensed wording.
const maxSWEMWBSItemLength = 300

// CaseworkSettingsView is the view of the casework settings page.
type CaseworkSettingsView struct {
	Layout
	Form           *Form
	Licence        string
	WordingMissing bool
	Items          []int // 1 to 7, for the wording's inputs
	Questionnaires []*linkwork.Questionnaire
}

// settingsFields are the page's fields in order, for the error summary.
var settingsFields = []string{"months", "swemwbs.1", "swemwbs.2", "swemwbs.3", "swemwbs.4", "swemwbs.5", "swemwbs.6", "swemwbs.7"}

// WordingField is the input of one SWEMWBS statement.
func (v *CaseworkSettingsView) WordingField(n int) Field {
	return Field{Form: v.Form, Name: "swemwbs." + strconv.Itoa(n), Label: "Item " + strconv.Itoa(n), Type: "text"}
}

// RetentionText says the retention period in words.
func (v *CaseworkSettingsView) RetentionText(months string) string {
	n, err := strconv.Atoi(months)
	switch {
	case err != nil:
		return ""
	case n == 0:
		return "Closed cases are kept until someone erases them by hand."
	case n%12 == 0:
		return "Closed cases are erased " + plural(n/12, "year", "years") + " after they close."
	}
	return "Closed cases are erased " + plural(n, "month", "months") + " after they close."
}

// settingsView fills the page: the current retention and wording, unless the form
// already has what was typed, and the place's questionnaires.
func (h *Handler) settingsView(r *http.Request, f *Form, fill bool) (*CaseworkSettingsView, error) {
	ctx := r.Context()
	p := principal(r)
	f.Order = settingsFields
	v := &CaseworkSettingsView{Layout: Layout{Title: "Casework settings"}, Form: f, Licence: linkwork.SWEMWBSLicence,
		Items: []int{1, 2, 3, 4, 5, 6, 7}}
	qs, err := h.svc.Questionnaires.Questionnaires(ctx, p.Place.ID, true)
	if err != nil {
		return nil, err
	}
	v.Questionnaires = qs
	for _, q := range qs {
		if q.Code != linkwork.QuestionnaireSWEMWBS {
			continue
		}
		v.WordingMissing = q.WordingMissing
		if fill && !q.WordingMissing {
			for i, it := range q.Items {
				f.Values["swemwbs."+strconv.Itoa(i+1)] = it.Text
			}
		}
	}
	if fill {
		ret, err := h.svc.Cases.Retention(ctx, p.Place.ID)
		if err != nil {
			return nil, err
		}
		f.Values["months"] = strconv.Itoa(ret.Months)
	}
	return v, nil
}

func (h *Handler) caseworkSettings(w http.ResponseWriter, r *http.Request) {
	v, err := h.settingsView(r, NewForm(), true)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "casework_settings", v)
}

// settingsProblem shows the settings page again with the problems on f: what was typed in
// the form that failed, the saved values in the other.
func (h *Handler) settingsProblem(w http.ResponseWriter, r *http.Request, f *Form, keep ...string) {
	typed := map[string]string{}
	for _, k := range keep {
		typed[k] = f.Values[k]
	}
	v, err := h.settingsView(r, f, true)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	for k, val := range typed {
		f.Values[k] = val
	}
	h.render(w, r, http.StatusUnprocessableEntity, "casework_settings", v)
}

func (h *Handler) setRetention(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	f := formFrom(r, "months")
	s := strings.TrimSpace(f.Get("months"))
	n, err := strconv.Atoi(s)
	ret := linkwork.Retention{PlaceID: p.Place.ID, Months: n}
	switch {
	case s == "":
		f.Fail("months", fmt.Sprintf("Enter the retention period in months, from 0 (keep until erased by hand) to %d.", linkwork.MaxRetentionMonths))
	case err != nil:
		f.Fail("months", fmt.Sprintf("Enter the retention period as a whole number of months, such as %d for eight years.", linkwork.DefaultRetentionMonths))
	default:
		if err := ret.Validate(); err != nil && !addProblems(f, err, settingsFields, "months") {
			h.serverError(w, r, err)
			return
		}
	}
	if !f.HasErrors() {
		err := h.svc.Cases.SetRetention(r.Context(), ret)
		if err == nil {
			h.redirect(w, r, "/settings/casework", "retention-saved")
			return
		}
		if !addProblems(f, err, settingsFields, "months") {
			h.serverError(w, r, err)
			return
		}
	}
	h.settingsProblem(w, r, f, "months")
}

func (h *Handler) setSWEMWBSWording(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	f := formFrom(r, settingsFields[1:]...)
	items := make([]string, linkwork.SWEMWBSItemCount)
	empty := 0
	for i := range items {
		items[i] = strings.TrimSpace(f.Get(settingsFields[i+1]))
		if items[i] == "" {
			empty++
		}
	}
	if empty == len(items) {
		items = nil // all seven empty: the wording is removed
	}
	for i, it := range items {
		name := settingsFields[i+1]
		switch {
		case it == "":
			f.Fail(name, fmt.Sprintf("Enter the wording of item %d, or leave all seven empty to remove the wording.", i+1))
		case utf8.RuneCountInString(it) > maxSWEMWBSItemLength:
			f.Fail(name, fmt.Sprintf("The wording of item %d must be %d characters or fewer.", i+1, maxSWEMWBSItemLength))
		case strings.ContainsAny(it, "\r\n\x00"):
			f.Fail(name, fmt.Sprintf("The wording of item %d must be on one line.", i+1))
		}
	}
	if !f.HasErrors() {
		err := h.svc.Questionnaires.SetSWEMWBSWording(r.Context(), p.Place.ID, items)
		if err == nil {
			flash := "swemwbs-saved"
			if items == nil {
				flash = "swemwbs-removed"
			}
			h.redirect(w, r, "/settings/casework", flash)
			return
		}
		if !addProblems(f, remapFields(err, swemwbsStoreFields), settingsFields, "swemwbs.1") {
			h.serverError(w, r, err)
			return
		}
	}
	h.settingsProblem(w, r, f, settingsFields[1:]...)
}

// swemwbsStoreFields names, by the form's fields, the fields the store may name.
var swemwbsStoreFields = map[string]string{"items": "swemwbs.1", "items.1": "swemwbs.1", "items.2": "swemwbs.2",
	"items.3": "swemwbs.3", "items.4": "swemwbs.4", "items.5": "swemwbs.5", "items.6": "swemwbs.6", "items.7": "swemwbs.7"}

func (h *Handler) retireQuestionnaire(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.failed(w, r, err)
		return
	}
	if err := h.svc.Questionnaires.RetireQuestionnaire(r.Context(), principal(r).Place.ID, id); err != nil {
		h.failed(w, r, err)
		return
	}
	h.redirect(w, r, "/settings/casework", "questionnaire-retired")
}

// questionnaireFields are the definition form's fields in order.
var questionnaireFields = []string{"name", "description", "instructions", "scale_min", "scale_max", "min_label", "max_label",
	"items", "reversed", "scoring", "higher_is_better", "bands"}

// QuestionnaireDefineView is the view of the form that defines a local questionnaire.
type QuestionnaireDefineView struct {
	Layout
	Form           *Form
	Scorings       []dirChoice
	HigherIsBetter []dirChoice
}

func (h *Handler) defineView(f *Form) *QuestionnaireDefineView {
	f.Order = questionnaireFields
	return &QuestionnaireDefineView{Layout: Layout{Title: "Define a questionnaire"}, Form: f,
		Scorings: []dirChoice{{Value: string(linkwork.ScoreSum), Label: "Add up the answers (sum)"},
			{Value: string(linkwork.ScoreMean), Label: "Average of the answers (mean)"}},
		HigherIsBetter: []dirChoice{{Value: "yes", Label: "Yes: a higher score is better"},
			{Value: "no", Label: "No: a lower score is better"}}}
}

func (h *Handler) newQuestionnaire(w http.ResponseWriter, r *http.Request) {
	f := NewForm()
	f.Values["scoring"] = string(linkwork.ScoreSum)
	h.render(w, r, http.StatusOK, "questionnaire_define", h.defineView(f))
}

// bandLine is one band as typed: "0-10 Low", "10.5 to 20 High", "-5 – -1 Worse".
var bandLine = regexp.MustCompile(`^(-?\d+(?:\.\d+)?)\s*(?:-|–|—|to)\s*(-?\d+(?:\.\d+)?)\s+(\S.*)$`)

// readScaleEnd reads the lowest or highest answer of the scale.
func readScaleEnd(f *Form, name, what string) int {
	s := strings.TrimSpace(f.Get(name))
	if s == "" {
		f.Fail(name, "Enter the "+what+" answer to each question, as a whole number such as "+map[string]string{"scale_min": "0", "scale_max": "4"}[name]+".")
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		f.Fail(name, "Enter the "+what+" answer as a whole number, such as "+map[string]string{"scale_min": "0", "scale_max": "4"}[name]+".")
		return 0
	}
	return n
}

// readQuestionnaireForm reads the definition form into a questionnaire, recording what is
// wrong with what was typed (numbers, lines, item numbers) against its field.
func readQuestionnaireForm(f *Form, placeID int64) *linkwork.Questionnaire {
	q := &linkwork.Questionnaire{PlaceID: placeID, Name: f.Get("name"), Description: f.Get("description"),
		Instructions: f.Get("instructions"), Scoring: linkwork.ScoringRule(f.Get("scoring"))}
	lo, hi := readScaleEnd(f, "scale_min", "lowest"), readScaleEnd(f, "scale_max", "highest")
	if f.Error("scale_min") == "" && f.Error("scale_max") == "" {
		switch {
		case lo < linkwork.MinQuestionnaireAnswer:
			f.Fail("scale_min", fmt.Sprintf("The lowest answer must be %d or more.", linkwork.MinQuestionnaireAnswer))
		case hi > linkwork.MaxQuestionnaireAnswer:
			f.Fail("scale_max", fmt.Sprintf("The highest answer must be %d or less.", linkwork.MaxQuestionnaireAnswer))
		case hi <= lo:
			f.Fail("scale_max", fmt.Sprintf("The highest answer must be more than the lowest (%d).", lo))
		case hi-lo > linkwork.MaxQuestionnaireSpan:
			f.Fail("scale_max", fmt.Sprintf("The answers can run over at most %d points: from %d, the highest can be %d.",
				linkwork.MaxQuestionnaireSpan, lo, lo+linkwork.MaxQuestionnaireSpan))
		}
	}
	minLabel, maxLabel := strings.TrimSpace(f.Get("min_label")), strings.TrimSpace(f.Get("max_label"))
	for name, l := range map[string]string{"min_label": minLabel, "max_label": maxLabel} {
		switch {
		case utf8.RuneCountInString(l) > linkwork.MaxQuestionnaireLabelLength:
			f.Fail(name, fmt.Sprintf("The label must be %d characters or fewer.", linkwork.MaxQuestionnaireLabelLength))
		case strings.ContainsAny(l, "\r\n\t\x00"):
			f.Fail(name, "The label must be plain text on one line, without tabs.")
		}
	}
	var options []linkwork.ItemOption
	if minLabel != "" {
		options = append(options, linkwork.ItemOption{Value: lo, Label: minLabel})
	}
	if maxLabel != "" {
		options = append(options, linkwork.ItemOption{Value: hi, Label: maxLabel})
	}
	for _, line := range oneALine(f.Get("items")) {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		q.Items = append(q.Items, linkwork.QuestionnaireItem{Text: line, Min: lo, Max: hi,
			Options: append([]linkwork.ItemOption(nil), options...)})
	}
	if len(q.Items) == 0 {
		f.Fail("items", "Enter the questions, one a line.")
	}

	var bad []string
	for _, s := range strings.FieldsFunc(f.Get("reversed"), func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > len(q.Items) {
			bad = append(bad, s)
			continue
		}
		q.Items[n-1].Reversed = true
	}
	if len(bad) > 0 {
		f.Fail("reversed", fmt.Sprintf("Give the numbers of the questions to reverse, from 1 to %d, separated by commas: %s %s not.",
			len(q.Items), "“"+strings.Join(bad, "”, “")+"”", map[bool]string{true: "is", false: "are"}[len(bad) == 1]))
	}

	switch f.Get("scoring") {
	case string(linkwork.ScoreSum), string(linkwork.ScoreMean):
	case "":
		f.Fail("scoring", "Choose how the answers are scored: added up, or their average.")
	default:
		f.Fail("scoring", "Choose how the answers are scored from the list.")
	}
	switch f.Get("higher_is_better") {
	case "yes":
		q.HigherIsBetter = true
	case "no":
	default:
		f.Fail("higher_is_better", "Say whether a higher score is better.")
	}

	bandsOK := true
	for i, line := range nonBlankLines(f.Get("bands")) {
		m := bandLine.FindStringSubmatch(line)
		if m == nil {
			f.Fail("bands", appendMessage(f.Error("bands"), fmt.Sprintf("Band %d (“%s”) is not in the form “lowest-highest name”, such as “0-10 Low”.", i+1, line)))
			bandsOK = false
			continue
		}
		bmin, _ := strconv.ParseFloat(m[1], 64)
		bmax, _ := strconv.ParseFloat(m[2], 64)
		q.Bands = append(q.Bands, linkwork.ScoreBand{Min: bmin, Max: bmax, Label: m[3]})
	}
	if !bandsOK {
		q.Bands = nil // its numbers would not match the lines: its problems wait for the lines
	}
	return q
}

// nonBlankLines splits text into its lines that are not blank, trimmed.
func nonBlankLines(s string) []string {
	var out []string
	for _, l := range oneALine(s) {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// appendMessage adds a message to those already given for a field.
func appendMessage(existing, m string) string {
	if existing == "" {
		return m
	}
	return existing + " " + m
}

// definitionField is the form's field for a problem the domain reports: each question's
// and band's problems are shown against the text area they were typed in (their messages
// name the question or band); the scale's against the scale.
func definitionField(field string) string {
	parts := strings.Split(field, ".")
	switch {
	case parts[0] == "items" && len(parts) >= 3 && (parts[2] == "min" || parts[2] == "max"):
		return "scale_" + parts[2]
	case parts[0] == "items" && len(parts) >= 5 && parts[2] == "options":
		return "options"
	case parts[0] == "items":
		return "items"
	case parts[0] == "bands":
		return "bands"
	}
	return field
}

// addDefinitionProblems records the domain's problems with a definition on the form. A
// field that already has the form's own message keeps it; questions and bands, which
// share a text area, gather theirs.
func addDefinitionProblems(f *Form, err error, typed map[string]bool) bool {
	es := linkwork.FieldErrors(err)
	if len(es) == 0 {
		return false
	}
	for _, e := range es {
		if e.Code == linkwork.EINTERNAL {
			return false
		}
	}
	for _, e := range es {
		field := definitionField(e.Field)
		if field == "options" {
			// The labels are the scale's ends; their own checks have spoken if they are wrong.
			if f.Error("min_label") != "" || f.Error("max_label") != "" || f.Error("scale_min") != "" || f.Error("scale_max") != "" {
				continue
			}
			field = "min_label"
		}
		if !slices.Contains(questionnaireFields, field) {
			field = "name"
		}
		switch {
		case typed[field], strings.HasPrefix(field, "scale_") && (typed["scale_min"] || typed["scale_max"]):
			continue // the form's own message about this field comes first
		case field == "items" || field == "bands":
			if !strings.Contains(f.Error(field), e.Message) {
				f.Fail(field, appendMessage(f.Error(field), e.Message))
			}
		case f.Error(field) == "":
			f.Fail(field, e.Message)
		}
	}
	return true
}

func (h *Handler) defineQuestionnaire(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	f := formFrom(r, questionnaireFields...)
	q := readQuestionnaireForm(f, p.Place.ID)
	typed := map[string]bool{}
	for k := range f.Errors {
		typed[k] = true
	}
	if err := q.Validate(); err != nil && !addDefinitionProblems(f, err, typed) {
		h.serverError(w, r, err)
		return
	}
	if !f.HasErrors() {
		err := h.svc.Questionnaires.DefineQuestionnaire(r.Context(), q)
		if err == nil {
			h.redirect(w, r, "/settings/casework", "questionnaire-defined")
			return
		}
		if !addDefinitionProblems(f, err, typed) {
			h.serverError(w, r, err)
			return
		}
	}
	h.render(w, r, http.StatusUnprocessableEntity, "questionnaire_define", h.defineView(f))
}
