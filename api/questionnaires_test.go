package api_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"linkwork"
	"linkwork/api"
)

// respond records a questionnaire response for a person as u and returns it.
func (cf *caseFixture) respond(u *linkwork.User, personID int64, body api.ResponseBody) linkwork.QuestionnaireResponse {
	cf.t.Helper()
	var r linkwork.QuestionnaireResponse
	cf.as(u).do("POST", path("/api/v1/people/%d/questionnaires", personID), body).want(http.StatusCreated).decode(&r)
	return r
}

// questionnaires lists the place's questionnaires as u.
func (cf *caseFixture) questionnaires(u *linkwork.User, query string) []linkwork.Questionnaire {
	cf.t.Helper()
	return decodeList[linkwork.Questionnaire](cf.as(u).do("GET", "/api/v1/questionnaires"+query, nil).want(http.StatusOK)).Items
}

func codesOf(qs []linkwork.Questionnaire) []string {
	var out []string
	for _, q := range qs {
		out = append(out, q.Code)
	}
	return out
}

// testQuestionnaireSettings checks the administrators' casework settings: SWEMWBS's
// licensed wording, the retention period, and questionnaires of the place's own.
func testQuestionnaireSettings(t *testing.T, cf *caseFixture) {
	admin := cf.as(cf.admin)
	// Link workers and administrators both see the built-in questionnaires.
	for _, u := range []*linkwork.User{cf.worker, cf.admin} {
		qs := cf.questionnaires(u, "")
		if got := codesOf(qs); len(got) < 3 || !slices.Equal(got[:3], []string{"ons4", "ucla3", "swemwbs"}) {
			t.Fatalf("%s sees questionnaires %v", u.Name, got)
		}
	}
	cf.as(cf.worker).do("GET", "/api/v1/questionnaires?retired=maybe", nil).wantError(http.StatusBadRequest, linkwork.EINVALID, "retired")

	// SWEMWBS: the licensed wording, all seven items or none.
	swemwbs := func(u *linkwork.User) linkwork.Questionnaire {
		for _, q := range cf.questionnaires(u, "") {
			if q.Code == "swemwbs" {
				return q
			}
		}
		t.Fatal("no SWEMWBS")
		return linkwork.Questionnaire{}
	}
	if q := swemwbs(cf.worker); !q.WordingMissing || q.Licence == "" || q.Items[0].Text != "Item 1" {
		t.Errorf("SWEMWBS without wording: %+v", q)
	}
	wording := []string{"Licensed one", "Licensed two", "Licensed three", "Licensed four", "Licensed five", "Licensed six", "Licensed seven"}
	admin.do("PUT", "/api/v1/settings/swemwbs-wording", api.WordingBody{Items: wording[:6]}).wantError(http.StatusBadRequest, linkwork.EINVALID, "items")
	bad := slices.Clone(wording)
	bad[2] = " "
	admin.do("PUT", "/api/v1/settings/swemwbs-wording", api.WordingBody{Items: bad}).wantError(http.StatusBadRequest, linkwork.EINVALID, "items.3")
	bad[2] = strings.Repeat("x", 301)
	admin.do("PUT", "/api/v1/settings/swemwbs-wording", api.WordingBody{Items: bad}).wantError(http.StatusBadRequest, linkwork.EINVALID, "items.3")
	admin.do("PUT", "/api/v1/settings/swemwbs-wording", `{"items":"all of them"}`).wantError(http.StatusBadRequest, linkwork.EINVALID, "items")
	var q linkwork.Questionnaire
	admin.do("PUT", "/api/v1/settings/swemwbs-wording", api.WordingBody{Items: wording}).want(http.StatusOK).decode(&q)
	if q.WordingMissing || q.Items[0].Text != "Licensed one" || q.Items[6].Text != "Licensed seven" {
		t.Errorf("SWEMWBS with wording: %+v", q)
	}
	if got := swemwbs(cf.worker); got.WordingMissing || got.Items[1].Text != "Licensed two" {
		t.Errorf("the link worker's SWEMWBS: %+v", got)
	}
	admin.do("PUT", "/api/v1/settings/swemwbs-wording", api.WordingBody{Items: []string{}}).want(http.StatusOK).decode(&q)
	if !q.WordingMissing || q.Items[0].Text != "Item 1" {
		t.Errorf("SWEMWBS with the wording removed: %+v", q)
	}

	// Retention: eight years until set.
	var ret linkwork.Retention
	admin.do("GET", "/api/v1/settings/retention", nil).want(http.StatusOK).decode(&ret)
	if ret.Months != linkwork.DefaultRetentionMonths || ret.PlaceID != cf.placeA.ID {
		t.Errorf("default retention %+v", ret)
	}
	for _, body := range []any{api.RetentionBody{Months: intp(241)}, api.RetentionBody{Months: intp(-1)}, `{}`, `{"months":"six"}`, `{"months":1.5}`} {
		admin.do("PUT", "/api/v1/settings/retention", body).wantError(http.StatusBadRequest, linkwork.EINVALID, "months")
	}
	admin.do("PUT", "/api/v1/settings/retention", api.RetentionBody{Months: intp(24)}).want(http.StatusOK).decode(&ret)
	admin.do("GET", "/api/v1/settings/retention", nil).want(http.StatusOK).decode(&ret)
	if ret.Months != 24 {
		t.Errorf("retention set to 24: %+v", ret)
	}
	// Another place's administrator has their own.
	cf.as(cf.adminB).do("GET", "/api/v1/settings/retention", nil).want(http.StatusOK).decode(&ret)
	if ret.Months != linkwork.DefaultRetentionMonths || ret.PlaceID != cf.placeB.ID {
		t.Errorf("Wakefield's retention %+v", ret)
	}

	// A questionnaire of the place's own.
	valid := api.QuestionnaireBody{Name: "Confidence", Scoring: linkwork.ScoreSum, HigherIsBetter: true,
		Items: []linkwork.QuestionnaireItem{{Text: "I can make new friends", Min: 0, Max: 4}, {Text: "I feel nervous going out", Min: 0, Max: 4, Reversed: true}},
		Bands: []linkwork.ScoreBand{{Min: 0, Max: 3, Label: "Low"}, {Min: 4, Max: 8, Label: "High"}}}
	edit := func(fn func(b *api.QuestionnaireBody)) api.QuestionnaireBody {
		b := valid
		b.Items = slices.Clone(valid.Items)
		b.Bands = slices.Clone(valid.Bands)
		fn(&b)
		return b
	}
	for _, c := range []struct {
		name, field string
		body        any
	}{
		{"no name", "name", edit(func(b *api.QuestionnaireBody) { b.Name = "" })},
		{"no items", "items", edit(func(b *api.QuestionnaireBody) { b.Items = nil })},
		{"an item without text", "items.2.text", edit(func(b *api.QuestionnaireBody) { b.Items[1].Text = " " })},
		{"a scale upside down", "items.1.max", edit(func(b *api.QuestionnaireBody) { b.Items[0].Min, b.Items[0].Max = 4, 0 })},
		{"an unknown rule", "scoring", edit(func(b *api.QuestionnaireBody) { b.Scoring = linkwork.ScoreSWEMWBS })},
		{"overlapping bands", "bands.2.min", edit(func(b *api.QuestionnaireBody) { b.Bands[1].Min = 3 })},
		{"a band beyond the scores", "bands.2.max", edit(func(b *api.QuestionnaireBody) { b.Bands[1].Max = 9 })},
		{"items as text", "items", `{"name":"x","items":"two"}`},
		{"a code", "code", `{"name":"x","code":"ons4"}`},
	} {
		res := admin.do("POST", "/api/v1/questionnaires", c.body)
		res.wantError(http.StatusBadRequest, linkwork.EINVALID, "")
		wantFields(t, res, c.field)
	}
	if got := len(cf.questionnaires(cf.admin, "?retired=true")); got != 3 {
		t.Fatalf("bad questionnaires were saved: %d questionnaires", got)
	}
	admin.do("POST", "/api/v1/questionnaires", valid).want(http.StatusCreated).decode(&q)
	if q.ID == 0 || q.Code != "local-"+idString(q.ID) || q.BuiltIn || q.PlaceID != cf.placeA.ID || len(q.Items) != 2 {
		t.Fatalf("defined %+v", q)
	}
	if got := codesOf(cf.questionnaires(cf.worker, "")); !slices.Contains(got, q.Code) {
		t.Errorf("the link worker's questionnaires %v lack %s", got, q.Code)
	}
	if got := codesOf(cf.questionnaires(cf.adminB, "")); slices.Contains(got, q.Code) {
		t.Errorf("Wakefield sees York's questionnaire: %v", got)
	}
	// Scored by its rule: 3 + (4 - 1) = 6, in the band High.
	p := cf.newPerson("Lola", "Local")
	r := cf.respond(cf.worker, p.ID, api.ResponseBody{QuestionnaireCode: q.Code, Timepoint: linkwork.TimepointBaseline,
		Answers: ints(3, 1), Status: linkwork.ResponseComplete, CompletedOn: day(0)})
	if r.Score == nil || r.Score.Total != 6 || r.Score.Raw != 6 || r.Score.Band != "High" || r.QuestionnaireName != "Confidence" {
		t.Errorf("the local questionnaire's score %+v", r.Score)
	}
	// Retired, it is offered no more, but its responses stay.
	draft := cf.respond(cf.worker, p.ID, api.ResponseBody{QuestionnaireCode: q.Code, Timepoint: linkwork.TimepointReview,
		Answers: []*int{nil, nil}, Status: linkwork.ResponseDraft})
	admin.do("POST", path("/api/v1/questionnaires/%d/retire", q.ID), nil).want(http.StatusNoContent)
	cf.as(cf.adminB).do("POST", path("/api/v1/questionnaires/%d/retire", q.ID), nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	if got := codesOf(cf.questionnaires(cf.worker, "")); slices.Contains(got, q.Code) {
		t.Errorf("a retired questionnaire is still offered: %v", got)
	}
	all := cf.questionnaires(cf.worker, "?retired=true")
	if i := slices.IndexFunc(all, func(x linkwork.Questionnaire) bool { return x.Code == q.Code }); i < 0 || !all[i].Retired {
		t.Errorf("retired=true: %v", codesOf(all))
	}
	cf.as(cf.worker).do("POST", path("/api/v1/people/%d/questionnaires", p.ID), api.ResponseBody{QuestionnaireCode: q.Code,
		Timepoint: linkwork.TimepointFinal, Answers: ints(1, 1), Status: linkwork.ResponseComplete, CompletedOn: day(0)}).
		wantError(http.StatusBadRequest, linkwork.EINVALID, "questionnaire_code")
	// A draft started before it was retired may still be finished.
	var done linkwork.QuestionnaireResponse
	cf.as(cf.worker).do("PUT", path("/api/v1/people/%d/questionnaires/%d", p.ID, draft.ID), api.ResponseUpdate{Version: &draft.Version,
		Answers: ints(4, 0), Status: linkwork.ResponseComplete, CompletedOn: day(0)}).want(http.StatusOK).decode(&done)
	if done.Score == nil || done.Score.Total != 8 || done.Timepoint != linkwork.TimepointReview {
		t.Errorf("the draft finished: %+v", done)
	}
}

// testResponses records drafts and complete responses with exact scores.
func testResponses(t *testing.T, cf *caseFixture) {
	p := cf.newPerson("Queenie", "Questions")
	base := path("/api/v1/people/%d/questionnaires", p.ID)
	worker := cf.as(cf.worker)

	// ONS4: each item banded with the ONS thresholds, anxiety the other way round.
	ons := cf.respond(cf.worker, p.ID, api.ResponseBody{QuestionnaireCode: "ons4", Timepoint: linkwork.TimepointBaseline,
		Answers: ints(6, 7, 9, 3), Status: linkwork.ResponseComplete, CompletedOn: day(0)})
	if ons.Score == nil || len(ons.Score.Items) != 4 {
		t.Fatalf("ONS4 score %+v", ons.Score)
	}
	want := map[string]string{"life_satisfaction": "medium", "worthwhile": "high", "happiness": "very high", "anxiety": "low"}
	for _, it := range ons.Score.Items {
		if want[it.Key] != it.Band {
			t.Errorf("ONS4 %s = %d banded %q, want %q", it.Key, it.Value, it.Band, want[it.Key])
		}
	}
	if ons.RecordedBy != cf.worker.Name || ons.QuestionnaireName == "" {
		t.Errorf("ONS4 response %+v", ons)
	}

	// A draft, carried on and completed.
	draft := cf.respond(cf.worker, p.ID, api.ResponseBody{QuestionnaireCode: "ucla3", Timepoint: linkwork.TimepointBaseline,
		Answers: []*int{intp(2), nil, nil}, Status: linkwork.ResponseDraft})
	if draft.Status != linkwork.ResponseDraft || draft.Score != nil || draft.Answers[1] != nil {
		t.Errorf("draft %+v", draft)
	}
	target := path("%s/%d", base, draft.ID)
	worker.do("PUT", target, api.ResponseUpdate{Version: intp(draft.Version + 1), Answers: []*int{intp(2), intp(3), nil},
		Status: linkwork.ResponseDraft}).wantError(http.StatusConflict, linkwork.ECONFLICT, "-")
	worker.do("PUT", target, api.ResponseUpdate{Answers: []*int{intp(2), intp(3), nil}, Status: linkwork.ResponseDraft}).
		wantError(http.StatusBadRequest, linkwork.EINVALID, "version")
	// Completing it with a question unanswered is refused, naming the question.
	res := worker.do("PUT", target, api.ResponseUpdate{Version: &draft.Version, Answers: []*int{intp(2), nil, nil},
		Status: linkwork.ResponseComplete, CompletedOn: day(0)})
	res.wantError(http.StatusBadRequest, linkwork.EINVALID, "")
	wantFields(t, res, "answers.2", "answers.3")
	var r linkwork.QuestionnaireResponse
	worker.do("PUT", target, api.ResponseUpdate{Version: &draft.Version, Answers: []*int{intp(2), intp(3), nil},
		Status: linkwork.ResponseDraft}).want(http.StatusOK).decode(&r)
	if r.Version <= draft.Version || r.Status != linkwork.ResponseDraft || r.Answers[1] == nil || *r.Answers[1] != 3 {
		t.Errorf("draft carried on: %+v", r)
	}
	worker.do("PUT", target, api.ResponseUpdate{Version: &r.Version, Answers: ints(2, 3, 2), Status: linkwork.ResponseComplete,
		CompletedOn: day(0)}).want(http.StatusOK).decode(&r)
	if r.Score == nil || r.Score.Raw != 7 || r.Score.Total != 7 || r.Score.Band != "Often lonely" || r.CompletedOn != day(0) {
		t.Errorf("UCLA3 2+3+2: %+v", r.Score)
	}
	// Complete, it is part of the record: it can neither change nor go.
	worker.do("PUT", target, api.ResponseUpdate{Version: &r.Version, Answers: ints(1, 1, 1), Status: linkwork.ResponseComplete,
		CompletedOn: day(0)}).wantError(http.StatusConflict, linkwork.ECONFLICT, "-")
	worker.do("DELETE", target, nil).wantError(http.StatusConflict, linkwork.ECONFLICT, "-")

	// A draft may be deleted.
	gone := cf.respond(cf.worker, p.ID, api.ResponseBody{QuestionnaireCode: "swemwbs", Timepoint: linkwork.TimepointReview,
		Answers: make([]*int, 7), Status: linkwork.ResponseDraft})
	worker.do("DELETE", path("%s/%d", base, gone.ID), nil).want(http.StatusNoContent)
	worker.do("DELETE", path("%s/%d", base, gone.ID), nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	// Another person's response is not found through this person.
	other := cf.newPerson("Otis", "Questions")
	worker.do("DELETE", path("/api/v1/people/%d/questionnaires/%d", other.ID, r.ID), nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")

	var qs api.PersonQuestionnaires
	worker.do("GET", base, nil).want(http.StatusOK).decode(&qs)
	if len(qs.Responses) != 2 || qs.Responses[0].ID != r.ID || len(qs.Changes) != 0 {
		t.Errorf("responses %+v, changes %+v", qs.Responses, qs.Changes)
	}
	if !cf.audited(cf.worker, linkwork.AuditPersonView, p.ID) {
		t.Error("reading questionnaires is not audited")
	}
}

// testResponseBadInput sends bad responses: out of range, partial, wrong dates. Each is 400
// naming the field, and nothing is saved.
func testResponseBadInput(t *testing.T, cf *caseFixture) {
	p := cf.newPerson("Rex", "Ranges")
	target := path("/api/v1/people/%d/questionnaires", p.ID)
	worker := cf.as(cf.worker)
	complete := func(code string, answers ...int) api.ResponseBody {
		return api.ResponseBody{QuestionnaireCode: code, Timepoint: linkwork.TimepointBaseline, Answers: ints(answers...),
			Status: linkwork.ResponseComplete, CompletedOn: day(0)}
	}
	edit := func(b api.ResponseBody, fn func(b *api.ResponseBody)) api.ResponseBody {
		fn(&b)
		return b
	}
	for _, c := range []struct {
		name   string
		fields []string
		body   any
	}{
		{"ONS4 above 10", []string{"answers.1"}, complete("ons4", 11, 5, 5, 5)},
		{"ONS4 below 0", []string{"answers.4"}, complete("ons4", 5, 5, 5, -1)},
		{"UCLA3 0", []string{"answers.1", "answers.3"}, complete("ucla3", 0, 2, 4)},
		{"SWEMWBS 6", []string{"answers.7"}, complete("swemwbs", 1, 2, 3, 4, 5, 5, 6)},
		{"too few answers", []string{"answers"}, complete("ucla3", 1, 2)},
		{"too many answers", []string{"answers"}, complete("ons4", 1, 2, 3, 4, 5)},
		{"partial, as complete", []string{"answers.2"}, edit(complete("ucla3", 1, 1, 1), func(b *api.ResponseBody) { b.Answers[1] = nil })},
		{"completed in the future", []string{"completed_on"}, edit(complete("ucla3", 1, 1, 1), func(b *api.ResponseBody) { b.CompletedOn = day(1) })},
		{"completed before birth", []string{"completed_on"}, edit(complete("ucla3", 1, 1, 1), func(b *api.ResponseBody) { b.CompletedOn = "1949-01-01" })},
		{"complete without a date", []string{"completed_on"}, edit(complete("ucla3", 1, 1, 1), func(b *api.ResponseBody) { b.CompletedOn = "" })},
		{"an unknown questionnaire", []string{"questionnaire_code"}, complete("phq9", 1, 1, 1)},
		{"no questionnaire", []string{"questionnaire_code"}, complete("", 1, 1, 1)},
		{"an unknown timepoint", []string{"timepoint"}, edit(complete("ucla3", 1, 1, 1), func(b *api.ResponseBody) { b.Timepoint = "middle" })},
		{"an unknown status", []string{"status"}, edit(complete("ucla3", 1, 1, 1), func(b *api.ResponseBody) { b.Status = "finished" })},
		{"a draft out of range", []string{"answers.3"}, edit(complete("ucla3", 1, 1, 9), func(b *api.ResponseBody) { b.Status = linkwork.ResponseDraft })},
		{"a fraction", []string{"answers"}, `{"questionnaire_code":"ucla3","timepoint":"baseline","status":"complete","answers":[1,1.5,2]}`},
		{"answers as text", []string{"answers"}, `{"questionnaire_code":"ucla3","answers":"1,2,3"}`},
		{"a score sent", []string{"score"}, `{"questionnaire_code":"ucla3","score":{"total":3}}`},
	} {
		res := worker.do("POST", target, c.body)
		res.wantError(http.StatusBadRequest, linkwork.EINVALID, "")
		wantFields(t, res, c.fields...)
	}
	// A partial response names each question still to answer, and says it may be a draft.
	e := worker.do("POST", target, edit(complete("ucla3", 1, 1, 1), func(b *api.ResponseBody) { b.Answers = []*int{nil, intp(2), nil} })).
		wantError(http.StatusBadRequest, linkwork.EINVALID, "answers.1")
	if !strings.Contains(e.Message, "draft") {
		t.Errorf("partial response: %q does not mention a draft", e.Message)
	}
	var qs api.PersonQuestionnaires
	worker.do("GET", target, nil).want(http.StatusOK).decode(&qs)
	if len(qs.Responses) != 0 {
		t.Errorf("bad responses were saved: %+v", qs.Responses)
	}
}
