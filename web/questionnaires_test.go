package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// questionnaireForm is a questionnaire's form answered with answers (an empty one left
// unanswered), completed today, at the timepoint, saved with action.
func questionnaireForm(code, timepoint, action string, answers ...string) url.Values {
	today := time.Now()
	f := url.Values{"code": {code}, "timepoint": {timepoint}, "action": {action},
		"completed_on-day": {strconv.Itoa(today.Day())}, "completed_on-month": {strconv.Itoa(int(today.Month()))},
		"completed_on-year": {strconv.Itoa(today.Year())}}
	for i, a := range answers {
		f.Set("answers."+strconv.Itoa(i+1), a)
	}
	return f
}

// responses returns the person's questionnaire responses, newest first.
func (w *onwardWorld) responses() []*linkwork.QuestionnaireResponse {
	w.t.Helper()
	list, err := w.svc.Questionnaires.ListResponses(context.Background(), w.person.ID)
	must(w.t, err)
	return list
}

var responseLocation = regexp.MustCompile(`^/people/\d+/questionnaires/(\d+)$`)

// saved checks that a POST saved a response and returns its page's path.
func saved(t *testing.T, p page) string {
	t.Helper()
	if p.status != http.StatusSeeOther || !responseLocation.MatchString(p.location) {
		t.Fatalf("save: %d %q\n%s", p.status, p.location, p.body)
	}
	return p.location
}

func TestQuestionnairePagesByRole(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newOnwardWorld(t, db)
		base := w.personPath + "/questionnaires"
		for email, want := range map[string]int{"sam@example.org": 200, "manager@example.org": 200, "garden@example.org": 404,
			"grower@example.org": 403, "gp@example.org": 403, "admin@example.org": 403, "commissioner@example.org": 403} {
			p := w.who(email).get(base + "/new?code=ucla3&timepoint=baseline")
			if p.status != want || !strings.HasSuffix(strings.TrimSpace(p.body), "</html>") {
				t.Errorf("%s GET the questionnaire form: %d, want %d", email, p.status, want)
			}
		}
		sam := w.who("sam@example.org")
		for path, want := range map[string]int{base + "/new": 200, base + "/new?code=ons4": 200, base + "/new?code=swemwbs&timepoint=review": 200,
			base + "/new?code=nonsense": 404, base + "/999999": 404, base + "/abc": 404, "/people/999999/questionnaires/new?code=ons4": 404} {
			p := sam.get(path)
			if p.status != want || !strings.Contains(p.body, "<h1") || !strings.HasSuffix(strings.TrimSpace(p.body), "</html>") {
				t.Errorf("GET %s: %d, want %d", path, p.status, want)
			}
		}
		// Without a questionnaire chosen, the page offers them all.
		sam.get(base+"/new").has(t, "Record a questionnaire", "ONS personal wellbeing (ONS4)", "Loneliness (UCLA 3-item scale)",
			"Short Warwick-Edinburgh Mental Wellbeing Scale", `name="code"`, `name="timepoint"`)
		// Each question is a fieldset of radios: ONS4 from 0 to 10 with its end labels.
		p := sam.get(base + "/new?code=ons4&timepoint=baseline")
		p.has(t, "Overall, how satisfied are you with your life nowadays?", `<legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">1. Overall`,
			`id="answers.1" name="answers.1" type="radio" value="0"`, `id="answers.1-11" name="answers.1" type="radio" value="10"`,
			"0 – Not at all", "10 – Completely", "nhsuk-radios--inline", `value="baseline" checked`, "Save as draft", "Save and score",
			`name="completed_on-day"`)
		// UCLA3 with its answers' words.
		sam.get(base+"/new?code=ucla3").has(t, "How often do you feel left out?", "1 – Hardly ever", "2 – Some of the time", "3 – Often")
		// SWEMWBS always states its licence, and says when the wording has not been supplied.
		p = sam.get(base + "/new?code=swemwbs")
		p.has(t, "Warwick Medical School", "The licensed wording has not been supplied", "7. Item 7", "1 – None of the time")
		wording := []string{"First licensed statement", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh licensed statement"}
		must(t, w.svc.Questionnaires.SetSWEMWBSWording(context.Background(), w.place.ID, wording))
		p = sam.get(base + "/new?code=swemwbs")
		p.has(t, "Warwick Medical School", "1. First licensed statement", "7. Seventh licensed statement")
		p.lacks(t, "The licensed wording has not been supplied", "7. Item 7")
	})
}

func TestQuestionnaireRejectsPartialAndOutOfRangeAnswers(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newOnwardWorld(t, db)
		sam := w.who("sam@example.org")
		post := w.personPath + "/questionnaires"
		// "Save and score" with questions unanswered: each is named, linked from the summary.
		p := sam.post(post, questionnaireForm("ucla3", "baseline", "complete", "2"))
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("partial: %d", p.status)
		}
		p.has(t, "There is a problem", `href="#answers.2"`, `href="#answers.3"`, `id="answers.2-error"`,
			"Answer question 2 (&#34;How often do you feel left out?&#34;), or save the questionnaire as a draft to finish later.",
			`value="2" checked`, "<title>Error: ")
		p.lacks(t, `href="#answers.1"`)
		// Answers off the scale, or not numbers, as a tampered form might send.
		p = sam.post(post, questionnaireForm("ucla3", "baseline", "complete", "7", "0", "two"))
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("out of range: %d", p.status)
		}
		p.has(t, `href="#answers.1"`, `href="#answers.2"`, `href="#answers.3"`, "with a whole number from 1 to 3")
		// Out of range is refused in a draft too.
		p = sam.post(post, questionnaireForm("ons4", "baseline", "draft", "11", "-1"))
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("out-of-range draft: %d", p.status)
		}
		p.has(t, `href="#answers.1"`, `href="#answers.2"`, "from 0 to 10")
		// A date in the future, before birth, or not a date; a timepoint not offered.
		f := questionnaireForm("ucla3", "baseline", "complete", "1", "1", "1")
		f.Set("completed_on-year", strconv.Itoa(time.Now().Year()+1))
		sam.post(post, f).has(t, `href="#completed_on"`, "must be today or in the past")
		f.Set("completed_on-year", "1950")
		sam.post(post, f).has(t, `href="#completed_on"`, "before the person was born")
		f.Set("completed_on-month", "13")
		sam.post(post, f).has(t, `href="#completed_on"`, "Enter a real date the person answered")
		f = questionnaireForm("ucla3", "sometime", "complete", "1", "1", "1")
		sam.post(post, f).has(t, `href="#timepoint"`)
		f.Del("timepoint")
		sam.post(post, f).has(t, `href="#timepoint"`, "support they answered: at the start, during support or at the end.")
		if p := sam.post(post, questionnaireForm("nonsense", "baseline", "complete")); p.status != http.StatusNotFound {
			t.Errorf("an unknown questionnaire: %d, want 404", p.status)
		}
		if n := len(w.responses()); n != 0 {
			t.Fatalf("refused forms saved %d responses", n)
		}
		// Another organisation's link worker records nothing.
		if p := w.who("garden@example.org").post(post, questionnaireForm("ucla3", "baseline", "complete", "1", "1", "1")); p.status != http.StatusNotFound {
			t.Errorf("another organisation's link worker: %d, want 404", p.status)
		}
		if n := len(w.responses()); n != 0 {
			t.Fatalf("a refused request saved %d responses", n)
		}
	})
}

func TestQuestionnaireDraftThenScore(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newOnwardWorld(t, db)
		ctx := context.Background()
		sam := w.who("sam@example.org")
		post := w.personPath + "/questionnaires"
		// A draft may be partial; it is not scored.
		path := saved(t, sam.post(post, questionnaireForm("ucla3", "baseline", "draft", "2", "", "")))
		rs := w.responses()
		if len(rs) != 1 || rs[0].Status != linkwork.ResponseDraft || rs[0].Score != nil || rs[0].Answers[0] == nil || *rs[0].Answers[0] != 2 || rs[0].Answers[1] != nil {
			t.Fatalf("draft saved as %+v", rs[0])
		}
		p := sam.get(path)
		p.has(t, "The questionnaire is saved as a draft", "Loneliness (UCLA 3-item scale): draft", `name="answers.1" type="radio" value="2" checked`,
			`name="version" value="1"`, `action="`+path+`"`, "Delete this draft")
		// The holding organisation's manager sees it; another organisation does not.
		w.who("manager@example.org").get(path).has(t, "Loneliness (UCLA 3-item scale): draft")
		if p := w.who("garden@example.org").get(path); p.status != http.StatusNotFound {
			t.Errorf("another organisation's link worker GET the draft: %d, want 404", p.status)
		}
		// Scoring it still partial is refused and changes nothing.
		f := questionnaireForm("ucla3", "baseline", "complete", "2", "3", "")
		f.Set("version", "1")
		p = sam.post(path, f)
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("partial completion: %d", p.status)
		}
		p.has(t, `href="#answers.3"`)
		if now, _ := w.svc.Questionnaires.FindResponse(ctx, rs[0].ID); now.Version != 1 || now.Status != linkwork.ResponseDraft {
			t.Fatalf("a refused completion changed the draft: %+v", now)
		}
		// On an old page: not saved, said plainly.
		f = questionnaireForm("ucla3", "baseline", "complete", "2", "3", "2")
		f.Set("version", "9")
		p = sam.post(path, f)
		if p.status != http.StatusConflict {
			t.Fatalf("old version: %d", p.status)
		}
		p.has(t, "Your answers were not saved", "Someone else saved this draft")
		// Complete: 2 + 3 + 2 = 7, often lonely.
		f.Set("version", "1")
		if got := saved(t, sam.post(path, f)); got != path {
			t.Fatalf("completed draft went to %s, want %s", got, path)
		}
		done, err := w.svc.Questionnaires.FindResponse(ctx, rs[0].ID)
		must(t, err)
		if done.Status != linkwork.ResponseComplete || done.Score == nil || done.Score.Total != 7 || done.Score.Raw != 7 || done.Score.Band != "Often lonely" {
			t.Fatalf("scored %+v %+v", done, done.Score)
		}
		p = sam.get(path)
		p.has(t, "The questionnaire is saved and scored.", "Total 7, on a scale from 3 to 9", "Often lonely",
			"How often do you feel left out?", "3 – Often", "There is nothing to compare with yet")
		p.lacks(t, "Save and score")
		// A scored response is not changed or deleted.
		if p := sam.post(path, f); p.status != http.StatusBadRequest {
			t.Errorf("changing a scored response: %d, want 400", p.status)
		}
		if p := sam.post(path+"/delete", nil); p.status != http.StatusBadRequest {
			t.Errorf("deleting a scored response: %d, want 400", p.status)
		}

		// A review three answers later: compared with the baseline.
		review := saved(t, sam.post(post, questionnaireForm("ucla3", "review", "complete", "1", "1", "1")))
		p = sam.get(review)
		p.has(t, "Total 3", "Not often lonely", "Since the baseline", "7 (Often lonely)", "3 (Not often lonely)", "−4 (better)")
		// Once answered, the form suggests a review.
		sam.get(w.personPath+"/questionnaires/new?code=ucla3").has(t, `value="review" checked`)

		// ONS4: each question on its own, with its ONS band.
		ons := saved(t, sam.post(post, questionnaireForm("ons4", "baseline", "complete", "7", "8", "6", "3")))
		p = sam.get(ons)
		p.has(t, "There is no total", "<td class=\"nhsuk-table__cell\">Life satisfaction</td><td class=\"nhsuk-table__cell\">7</td><td class=\"nhsuk-table__cell\">high</td>",
			"Worthwhile", "Happiness", "<td class=\"nhsuk-table__cell\">6</td><td class=\"nhsuk-table__cell\">medium</td>",
			"<td class=\"nhsuk-table__cell\">Anxiety</td><td class=\"nhsuk-table__cell\">3</td><td class=\"nhsuk-table__cell\">low</td>")
		saved(t, sam.post(post, questionnaireForm("ons4", "review", "complete", "9", "8", "5", "1")))
		p = sam.get(w.responsePath(w.responses()[0].ID))
		p.has(t, "very high", "&#43;2 (better)", "No change", "−1 (worse)", "−2 (better)", "For anxiety, a lower score is better.")

		// A draft can be deleted.
		draft := saved(t, sam.post(post, questionnaireForm("swemwbs", "baseline", "draft")))
		if p := w.who("garden@example.org").post(draft+"/delete", nil); p.status != http.StatusNotFound {
			t.Errorf("another organisation deletes the draft: %d, want 404", p.status)
		}
		if p := sam.post(draft+"/delete", nil); p.status != http.StatusSeeOther || p.location != w.personPath {
			t.Fatalf("delete draft: %d %q", p.status, p.location)
		}
		if n := len(w.responses()); n != 4 {
			t.Errorf("%d responses after deleting the draft, want 4", n)
		}
		// Looking at a response is recorded.
		if got := w.auditActions(w.sam.ID); !strings.Contains(got, "person.view:"+id(w.person.ID)) {
			t.Errorf("viewing responses is not audited: %q", got)
		}
	})
}

// responsePath is the address of a response of the world's person.
func (w *onwardWorld) responsePath(rid int64) string {
	return w.personPath + "/questionnaires/" + id(rid)
}
