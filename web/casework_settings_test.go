package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// swemwbsForm is the wording form with the items given (the rest empty).
func swemwbsForm(items ...string) url.Values {
	f := url.Values{}
	for i := range 7 {
		v := ""
		if i < len(items) {
			v = items[i]
		}
		f.Set("swemwbs."+id(int64(i+1)), v)
	}
	return f
}

// definitionForm is a local questionnaire with three questions on a scale of 0 to 4, the
// second reversed, added up, with two bands.
func definitionForm() url.Values {
	return url.Values{"name": {"Feeling connected"}, "description": {"How connected the person feels."},
		"instructions": {"Think about the last week."}, "scale_min": {"0"}, "scale_max": {"4"}, "min_label": {"Never"},
		"max_label": {"All the time"}, "items": {"I feel close to other people.\r\n\r\nI feel alone.\r\nI have someone to talk to.\r\n"},
		"reversed": {"2"}, "scoring": {"sum"}, "higher_is_better": {"yes"}, "bands": {"0-6 Less connected\n7-12 Well connected"}}
}

// localQuestionnaires returns the place's own questionnaires, retired ones too.
func (w *onwardWorld) localQuestionnaires() []*linkwork.Questionnaire {
	w.t.Helper()
	qs, err := w.svc.Questionnaires.Questionnaires(context.Background(), w.place.ID, true)
	must(w.t, err)
	var out []*linkwork.Questionnaire
	for _, q := range qs {
		if !q.BuiltIn {
			out = append(out, q)
		}
	}
	return out
}

func TestCaseworkSettingsByRole(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newOnwardWorld(t, db)
		for _, path := range []string{"/settings/casework", "/settings/questionnaires/new"} {
			for email, want := range map[string]int{"admin@example.org": 200, "manager@example.org": 403, "sam@example.org": 403,
				"grower@example.org": 403, "commissioner@example.org": 403, "gp@example.org": 403} {
				p := w.who(email).get(path)
				if p.status != want || !strings.Contains(p.body, "<h1") || !strings.HasSuffix(strings.TrimSpace(p.body), "</html>") {
					t.Errorf("%s GET %s: %d, want %d", email, path, p.status, want)
				}
			}
		}
		if p := w.who("manager@example.org").post("/settings/casework/retention", url.Values{"months": {"12"}}); p.status != http.StatusForbidden {
			t.Errorf("a manager sets the retention: %d, want 403", p.status)
		}
		admin := w.who("admin@example.org")
		admin.get("/").has(t, `href="/settings/casework"`)
		p := admin.get("/settings/casework")
		p.has(t, "Casework settings", `name="months" type="text" value="96"`, "Closed cases are erased 8 years after they close.",
			"Warwick Medical School", "No wording has been supplied yet.", `name="swemwbs.1"`, `name="swemwbs.7"`,
			"ONS personal wellbeing (ONS4)", "Loneliness (UCLA 3-item scale)", "Wording not supplied", `href="/settings/questionnaires/new"`)
		p.lacks(t, "/retire")
		if p := admin.post("/settings/questionnaires/999999/retire", nil); p.status != http.StatusNotFound {
			t.Errorf("retire a questionnaire that does not exist: %d, want 404", p.status)
		}
	})
}

func TestCaseworkSettingsRetentionAndWording(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newOnwardWorld(t, db)
		ctx := context.Background()
		admin := w.who("admin@example.org")
		retention := func() int {
			r, err := w.svc.Cases.Retention(ctx, w.place.ID)
			must(t, err)
			return r.Months
		}
		for months, message := range map[string]string{"": "Enter the retention period in months", "eight years": "as a whole number of months",
			"300": "from 0 (keep until erased by hand) to 240", "-1": "from 0 (keep until erased by hand) to 240"} {
			p := admin.post("/settings/casework/retention", url.Values{"months": {months}})
			if p.status != http.StatusUnprocessableEntity {
				t.Errorf("months %q: %d, want 422", months, p.status)
			}
			p.has(t, `href="#months"`, message, `value="`+months+`"`)
		}
		if n := retention(); n != linkwork.DefaultRetentionMonths {
			t.Fatalf("refused periods changed the retention to %d", n)
		}
		if p := admin.post("/settings/casework/retention", url.Values{"months": {"18"}}); p.status != http.StatusSeeOther || p.location != "/settings/casework" {
			t.Fatalf("set retention: %d %q %s", p.status, p.location, p.body)
		}
		if n := retention(); n != 18 {
			t.Fatalf("retention %d, want 18", n)
		}
		admin.get("/settings/casework").has(t, "The retention period has been saved.", `value="18"`, "erased 18 months after they close")
		admin.post("/settings/casework/retention", url.Values{"months": {"0"}})
		admin.get("/settings/casework").has(t, "kept until someone erases them by hand")

		// The wording: all seven, or none.
		swemwbs := func() *linkwork.Questionnaire {
			q, err := w.svc.Questionnaires.FindQuestionnaire(ctx, w.place.ID, linkwork.QuestionnaireSWEMWBS)
			must(t, err)
			return q
		}
		p := admin.post("/settings/casework/swemwbs", swemwbsForm("One", "Two", "Three"))
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("three of seven: %d", p.status)
		}
		p.has(t, `href="#swemwbs.4"`, `href="#swemwbs.7"`, "Enter the wording of item 4, or leave all seven empty", `value="Three"`)
		p.lacks(t, `href="#swemwbs.1"`)
		p = admin.post("/settings/casework/swemwbs", swemwbsForm("One", "Two", "Three", "Four", "Five", "Six", strings.Repeat("x", 301)))
		p.has(t, `href="#swemwbs.7"`, "The wording of item 7 must be 300 characters or fewer.")
		if !swemwbs().WordingMissing {
			t.Fatal("refused wording was saved")
		}
		wording := []string{"Statement one", "Statement two", "Statement three", "Statement four", "Statement five", "Statement six", "Statement seven"}
		if p := admin.post("/settings/casework/swemwbs", swemwbsForm(wording...)); p.status != http.StatusSeeOther {
			t.Fatalf("save wording: %d %s", p.status, p.body)
		}
		q := swemwbs()
		if q.WordingMissing || q.Items[0].Text != "Statement one" || q.Items[6].Text != "Statement seven" {
			t.Fatalf("wording saved as %+v", q.Items)
		}
		p = admin.get("/settings/casework")
		p.has(t, "The licensed wording of SWEMWBS has been saved.", `value="Statement one"`, `value="Statement seven"`)
		p.lacks(t, "No wording has been supplied yet.", "Wording not supplied")
		if p := admin.post("/settings/casework/swemwbs", swemwbsForm()); p.status != http.StatusSeeOther {
			t.Fatalf("remove wording: %d %s", p.status, p.body)
		}
		if !swemwbs().WordingMissing {
			t.Fatal("the wording was not removed")
		}
	})
}

func TestCaseworkSettingsDefineQuestionnaire(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newOnwardWorld(t, db)
		admin := w.who("admin@example.org")
		const path = "/settings/questionnaires/new"
		admin.get(path).has(t, "Define a questionnaire", `name="items"`, `name="bands"`, `value="sum" checked`, "such as 0-10 Low")

		// What was typed wrong, each against its field.
		bad := func(change func(url.Values), want ...string) {
			t.Helper()
			f := definitionForm()
			change(f)
			p := admin.post(path, f)
			if p.status != http.StatusUnprocessableEntity {
				t.Errorf("%v: %d, want 422", want, p.status)
			}
			p.has(t, append(want, "There is a problem")...)
		}
		bad(func(f url.Values) { f.Set("name", "") }, `href="#name"`)
		bad(func(f url.Values) { f.Set("scale_max", "four") }, `href="#scale_max"`, "Enter the highest answer as a whole number")
		bad(func(f url.Values) { f.Set("scale_min", "") }, `href="#scale_min"`, "Enter the lowest answer to each question")
		bad(func(f url.Values) { f.Set("scale_max", "0") }, `href="#scale_max"`, "The highest answer must be more than the lowest (0).")
		bad(func(f url.Values) { f.Set("scale_max", "200") }, `href="#scale_max"`, "The highest answer must be 100 or less.")
		bad(func(f url.Values) { f.Set("items", "\n \n") }, `href="#items"`, "Enter the questions, one a line.")
		bad(func(f url.Values) { f.Set("reversed", "2, 9, x") }, `href="#reversed"`, "from 1 to 3", "“9”, “x” are not")
		bad(func(f url.Values) { f.Del("scoring") }, `href="#scoring"`, "Choose how the answers are scored")
		bad(func(f url.Values) { f.Set("scoring", "median") }, `href="#scoring"`)
		bad(func(f url.Values) { f.Del("higher_is_better") }, `href="#higher_is_better"`, "Say whether a higher score is better.")
		bad(func(f url.Values) { f.Set("bands", "0-6 Low\nhigh from 7") }, `href="#bands"`,
			"Band 2 (“high from 7”) is not in the form “lowest-highest name”")
		// What the domain finds, mapped onto the text area with the question's or band's number.
		bad(func(f url.Values) { f.Set("items", "Fine\n"+strings.Repeat("x", 301)+"\nAlso fine") }, `href="#items"`,
			"The wording of question 2 must be 300 characters or fewer.")
		bad(func(f url.Values) { f.Set("bands", "0-6 Low\n5-12 High") }, `href="#bands"`, "Band 2 (5 to 12) overlaps band 1 (0 to 6)")
		bad(func(f url.Values) { f.Set("bands", "0-6 Low\n7-20 High") }, `href="#bands"`, "Band 2 ends at 20, but the highest possible score is 12.")
		bad(func(f url.Values) { f.Set("min_label", strings.Repeat("y", 81)) }, `href="#min_label"`, "80 characters or fewer")
		// Everything at once, and what was typed is kept.
		p := admin.post(path, url.Values{"name": {"Half done"}, "scale_min": {"x"}, "items": {"One question"}, "bands": {"nonsense"},
			"reversed": {"5"}})
		p.has(t, `href="#scale_min"`, `href="#scale_max"`, `href="#reversed"`, `href="#scoring"`, `href="#higher_is_better"`,
			`href="#bands"`, `value="Half done"`, ">One question</textarea>")
		if n := len(w.localQuestionnaires()); n != 0 {
			t.Fatalf("refused definitions saved %d questionnaires", n)
		}

		// Defined: scored as defined, with the second question reversed.
		if p := admin.post(path, definitionForm()); p.status != http.StatusSeeOther || p.location != "/settings/casework" {
			t.Fatalf("define: %d %q %s", p.status, p.location, p.body)
		}
		qs := w.localQuestionnaires()
		if len(qs) != 1 {
			t.Fatalf("%d local questionnaires, want 1", len(qs))
		}
		q := qs[0]
		if len(q.Items) != 3 || !q.Items[1].Reversed || q.Items[0].Reversed || q.Items[2].Min != 0 || q.Items[2].Max != 4 ||
			len(q.Items[0].Options) != 2 || q.Items[0].Options[1].Label != "All the time" || q.Scoring != linkwork.ScoreSum ||
			!q.HigherIsBetter || len(q.Bands) != 2 || q.Bands[1].Label != "Well connected" || q.Bands[1].Min != 7 {
			t.Fatalf("defined as %+v", q)
		}
		p = admin.get("/settings/casework")
		p.has(t, "The questionnaire has been added.", "Feeling connected", `action="/settings/questionnaires/`+id(q.ID)+`/retire"`)

		sam := w.who("sam@example.org")
		form := w.personPath + "/questionnaires/new?code=" + q.Code
		sam.get(form).has(t, "1. I feel close to other people.", "3. I have someone to talk to.", "0 – Never", "4 – All the time",
			"Think about the last week.")
		// 4 + (4 - 0) + 4 = 12: well connected.
		done := saved(t, sam.post(w.personPath+"/questionnaires", questionnaireForm(q.Code, "baseline", "complete", "4", "0", "4")))
		p = sam.get(done)
		p.has(t, "Total 12, on a scale from 0 to 12: a higher score is better.", "Well connected")
		saved(t, sam.post(w.personPath+"/questionnaires", questionnaireForm(q.Code, "baseline", "draft", "1")))

		// Retired: no longer offered, its responses kept.
		if p := admin.post("/settings/questionnaires/"+id(q.ID)+"/retire", nil); p.status != http.StatusSeeOther {
			t.Fatalf("retire: %d %s", p.status, p.body)
		}
		if qs := w.localQuestionnaires(); !qs[0].Retired {
			t.Fatal("not retired")
		}
		p = admin.get("/settings/casework")
		p.has(t, "The questionnaire has been retired.", "Retired")
		p.lacks(t, `/settings/questionnaires/`+id(q.ID)+`/retire"`)
		if p := sam.get(form); p.status != http.StatusBadRequest {
			t.Errorf("the form of a retired questionnaire: %d, want 400", p.status)
		}
		sam.get(w.personPath+"/questionnaires/new").lacks(t, "Feeling connected")
		sam.get(done).has(t, "Well connected")
		if p := sam.post(w.personPath+"/questionnaires", questionnaireForm(q.Code, "review", "complete", "1", "1", "1")); p.status != http.StatusBadRequest {
			t.Errorf("record a retired questionnaire: %d, want 400", p.status)
		}
	})
}
