package sqldb_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// swemwbsWording is stand-in wording for the seven licensed SWEMWBS items.
var swemwbsWording = []string{"First statement", "Second statement", "Third statement", "Fourth statement",
	"Fifth statement", "Sixth statement", "Seventh statement"}

// codes lists questionnaires' codes.
func codes(qs []*linkwork.Questionnaire) []string {
	var out []string
	for _, q := range qs {
		out = append(out, q.Code)
	}
	return out
}

// localQuestionnaire is a valid questionnaire a place defines: three items scored 0 to 4,
// summed, with two bands.
func localQuestionnaire(placeID int64) *linkwork.Questionnaire {
	return &linkwork.Questionnaire{PlaceID: placeID, Name: " Garden club check-in ", Description: "How the garden is going.",
		Items: []linkwork.QuestionnaireItem{
			{Text: "I enjoyed being outside", Min: 0, Max: 4, Options: []linkwork.ItemOption{{Value: 0, Label: "Not at all"}, {Value: 4, Label: "A lot"}}},
			{Text: "I talked to someone new", Min: 0, Max: 4},
			{Text: "I felt tired afterwards", Min: 0, Max: 4, Reversed: true},
		},
		Scoring: linkwork.ScoreSum, HigherIsBetter: true,
		Bands: []linkwork.ScoreBand{{Min: 0, Max: 5, Label: "Low"}, {Min: 6, Max: 12, Label: "High"}}}
}

func TestQuestionnairesAndWording(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newCaseWorld(t, db)
		ctx := t.Context()
		qs, err := w.quest.Questionnaires(ctx, w.york.ID, false)
		must(t, err)
		if got := codes(qs); !slices.Equal(got, []string{"ons4", "ucla3", "swemwbs"}) {
			t.Fatalf("questionnaires %v, want the three built in", got)
		}
		sw := qs[2]
		if !sw.WordingMissing || !sw.BuiltIn || sw.Licence == "" || len(sw.Items) != 7 || sw.Items[0].Text != "Item 1" {
			t.Fatalf("SWEMWBS without wording: %s", jsonOf(sw))
		}

		// Wording that is not seven non-empty items of at most 300 characters is refused.
		for name, items := range map[string][]string{
			"six items":   swemwbsWording[:6],
			"eight items": append(slices.Clone(swemwbsWording), "Eighth"),
			"an empty item": func() []string {
				c := slices.Clone(swemwbsWording)
				c[3] = "  "
				return c
			}(),
			"a long item": func() []string {
				c := slices.Clone(swemwbsWording)
				c[6] = strings.Repeat("x", 301)
				return c
			}(),
		} {
			wantCode(t, w.quest.SetSWEMWBSWording(ctx, w.york.ID, items), linkwork.EINVALID, "swemwbs_items")
			if n := countRows(t, db, "questionnaire_wording", ""); n != 0 {
				t.Fatalf("%s: wording stored", name)
			}
		}

		padded := slices.Clone(swemwbsWording)
		padded[0] = "  First statement  "
		padded[6] = strings.Repeat("y", 300)
		must(t, w.quest.SetSWEMWBSWording(ctx, w.york.ID, padded))
		oneAudit(t, db, linkwork.AuditQuestionnaireDefine, "swemwbs")
		q, err := w.quest.FindQuestionnaire(ctx, w.york.ID, "swemwbs")
		must(t, err)
		if q.WordingMissing || q.Items[0].Text != "First statement" || q.Items[6].Text != padded[6] || q.Items[1].Min != 1 || q.Items[1].Max != 5 {
			t.Fatalf("SWEMWBS with wording: %s", jsonOf(q))
		}
		// Leeds has supplied none.
		q, err = w.quest.FindQuestionnaire(ctx, w.leeds.ID, "swemwbs")
		must(t, err)
		if !q.WordingMissing {
			t.Fatal("York's wording shows in Leeds")
		}
		// It can be replaced, and removed.
		replaced := slices.Clone(swemwbsWording)
		replaced[2] = "Third, reworded"
		must(t, w.quest.SetSWEMWBSWording(ctx, w.york.ID, replaced))
		q, err = w.quest.FindQuestionnaire(ctx, w.york.ID, "swemwbs")
		must(t, err)
		if q.Items[2].Text != "Third, reworded" || q.Items[6].Text != "Seventh statement" {
			t.Fatalf("replaced wording: %s", jsonOf(q.Items))
		}
		must(t, w.quest.SetSWEMWBSWording(ctx, w.york.ID, nil))
		q, err = w.quest.FindQuestionnaire(ctx, w.york.ID, "swemwbs")
		must(t, err)
		if !q.WordingMissing || q.Items[2].Text != "Item 3" {
			t.Fatalf("after removing the wording: %s", jsonOf(q.Items))
		}
		if es := auditWith(t, db, linkwork.AuditQuestionnaireDefine, "swemwbs"); len(es) != 3 || es[0].Detail != "SWEMWBS wording removed" {
			t.Fatalf("wording audit %+v", es)
		}
		wantCode(t, w.quest.SetSWEMWBSWording(ctx, w.leeds.ID+100, swemwbsWording), linkwork.ENOTFOUND, "")

		for _, code := range []string{"", "ONS4 ", "phq9", "local-", "local-x", "local-0", "local-99"} {
			if _, err := w.quest.FindQuestionnaire(ctx, w.york.ID, code); linkwork.ErrorCode(err) != linkwork.ENOTFOUND {
				t.Fatalf("questionnaire %q: %v, want not found", code, err)
			}
		}
	})
}

func TestDefineAndRetireQuestionnaire(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newCaseWorld(t, db)
		ctx := t.Context()

		bad := localQuestionnaire(w.york.ID)
		bad.Items[1].Max, bad.Scoring = -1, "median"
		err := w.quest.DefineQuestionnaire(ctx, bad)
		wantCode(t, err, linkwork.EINVALID, "")
		if fields := linkwork.FieldErrors(err); len(fields) < 2 {
			t.Fatalf("problems %v, want the item's scale and the scoring rule", err)
		}
		if n := countRows(t, db, "local_questionnaires", ""); n != 0 || bad.ID != 0 {
			t.Fatalf("refused questionnaire stored (%d rows, ID %d)", n, bad.ID)
		}
		wantCode(t, w.quest.DefineQuestionnaire(ctx, nil), linkwork.EINVALID, "")
		wantCode(t, w.quest.DefineQuestionnaire(ctx, localQuestionnaire(w.leeds.ID+100)), linkwork.ENOTFOUND, "")

		q := localQuestionnaire(w.york.ID)
		must(t, w.quest.DefineQuestionnaire(ctx, q))
		if q.ID == 0 || q.Code != "local-"+idStr(q.ID) || !q.CreatedAt.Equal(w.clock.now) || q.Name != "Garden club check-in" ||
			q.BuiltIn || q.Retired {
			t.Fatalf("defined: %s", jsonOf(q))
		}
		oneAudit(t, db, linkwork.AuditQuestionnaireDefine, q.Code)
		got, err := w.quest.FindQuestionnaire(ctx, w.york.ID, q.Code)
		must(t, err)
		if jsonOf(got) != jsonOf(q) {
			t.Fatalf("read back:\n%s\nwant\n%s", jsonOf(got), jsonOf(q))
		}
		if _, err := w.quest.FindQuestionnaire(ctx, w.leeds.ID, q.Code); linkwork.ErrorCode(err) != linkwork.ENOTFOUND {
			t.Fatalf("York's questionnaire found in Leeds: %v", err)
		}
		if _, err := w.quest.FindQuestionnaire(ctx, w.york.ID, "local-0"+idStr(q.ID)); linkwork.ErrorCode(err) != linkwork.ENOTFOUND {
			t.Fatalf("questionnaire found by a padded code: %v", err)
		}
		second := localQuestionnaire(w.york.ID)
		second.Name, second.Scoring, second.Bands = "Garden club check-in (2031)", linkwork.ScoreMean, nil
		must(t, w.quest.DefineQuestionnaire(ctx, second))

		list := func(includeRetired bool) []string {
			qs, err := w.quest.Questionnaires(ctx, w.york.ID, includeRetired)
			must(t, err)
			return codes(qs)
		}
		if got := list(false); !slices.Equal(got, []string{"ons4", "ucla3", "swemwbs", q.Code, second.Code}) {
			t.Fatalf("York's questionnaires %v", got)
		}
		leeds, err := w.quest.Questionnaires(ctx, w.leeds.ID, true)
		must(t, err)
		if len(leeds) != 3 {
			t.Fatalf("Leeds has %v, want only the built-in ones", codes(leeds))
		}

		must(t, w.quest.RetireQuestionnaire(ctx, w.york.ID, q.ID))
		must(t, w.quest.RetireQuestionnaire(ctx, w.york.ID, q.ID)) // again: nothing changes
		if es := auditWith(t, db, linkwork.AuditQuestionnaireDefine, q.Code); len(es) != 2 || !strings.HasPrefix(es[0].Detail, "retired") {
			t.Fatalf("retirement audit %+v", es)
		}
		if got := list(false); !slices.Equal(got, []string{"ons4", "ucla3", "swemwbs", second.Code}) {
			t.Fatalf("in use after retiring: %v", got)
		}
		if got := list(true); !slices.Equal(got, []string{"ons4", "ucla3", "swemwbs", q.Code, second.Code}) {
			t.Fatalf("all after retiring: %v", got)
		}
		got, err = w.quest.FindQuestionnaire(ctx, w.york.ID, q.Code)
		must(t, err)
		if !got.Retired || len(got.Items) != 3 {
			t.Fatalf("retired questionnaire read back %s", jsonOf(got))
		}
		wantCode(t, w.quest.RetireQuestionnaire(ctx, w.leeds.ID, second.ID), linkwork.ENOTFOUND, "")
		wantCode(t, w.quest.RetireQuestionnaire(ctx, w.york.ID, second.ID+100), linkwork.ENOTFOUND, "")
	})
}

// ints is answers, each given.
func ints(vs ...int) []*int {
	out := make([]*int, len(vs))
	for i := range vs {
		out[i] = &vs[i]
	}
	return out
}

func TestSaveResponse(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newCaseWorld(t, db)
		ctx := w.asWorker(t.Context())
		person := addPerson(t, db, w.york.ID, w.charity.ID, "Mary", "Smith", linkwork.PersonActive, nil)
		today := "2030-03-04"

		// A complete SWEMWBS whose answers add up to 21 scores 19.25.
		r := &linkwork.QuestionnaireResponse{PersonID: person, QuestionnaireCode: "swemwbs", Timepoint: linkwork.TimepointBaseline,
			Status: linkwork.ResponseComplete, Answers: ints(3, 3, 3, 3, 3, 3, 3), CompletedOn: today}
		must(t, w.quest.SaveResponse(ctx, r))
		if r.ID == 0 || r.Version != 1 || r.Score == nil || r.Score.Total != 19.25 || r.Score.Raw != 21 ||
			r.QuestionnaireName != "Short Warwick-Edinburgh Mental Wellbeing Scale (SWEMWBS)" || r.RecordedBy != "Lee Walker" ||
			r.RecordedByUserID != w.worker || !r.CreatedAt.Equal(w.clock.now) || !r.UpdatedAt.Equal(w.clock.now) {
			t.Fatalf("saved: %s", jsonOf(r))
		}
		got, err := w.quest.FindResponse(ctx, r.ID)
		must(t, err)
		if jsonOf(got) != jsonOf(r) {
			t.Fatalf("read back:\n%s\nwant\n%s", jsonOf(got), jsonOf(r))
		}
		a := oneAudit(t, db, linkwork.AuditQuestionnaireSave, idStr(r.ID))
		if a.RecordType != "questionnaire_response" || a.PlaceID != w.york.ID || strings.Contains(a.Detail, "Mary") {
			t.Fatalf("audit %+v", a)
		}

		// A complete response cannot be changed, nor deleted.
		r.Answers, r.Status = ints(5, 5, 5, 5, 5, 5, 5), linkwork.ResponseComplete
		err = w.quest.SaveResponse(ctx, r)
		wantCode(t, err, linkwork.EINVALID, "")
		if linkwork.ErrorMessage(err) != "A completed questionnaire cannot be changed; record a new one." {
			t.Fatalf("changing a complete response: %q", linkwork.ErrorMessage(err))
		}
		wantCode(t, w.quest.DeleteDraft(ctx, r.ID), linkwork.EINVALID, "")
		if back, _ := w.quest.FindResponse(ctx, r.ID); back == nil || back.Score.Total != 19.25 || *back.Answers[0] != 3 {
			t.Fatalf("complete response after refused changes: %s", jsonOf(back))
		}

		// A draft may be partial, and is not scored.
		w.clock.advance(time.Hour)
		draft := &linkwork.QuestionnaireResponse{PersonID: person, QuestionnaireCode: "ucla3", Timepoint: linkwork.TimepointReview,
			Status: linkwork.ResponseDraft, Answers: []*int{ints(2)[0], nil, nil}}
		must(t, w.quest.SaveResponse(ctx, draft))
		got, err = w.quest.FindResponse(ctx, draft.ID)
		must(t, err)
		if got.Status != linkwork.ResponseDraft || got.Score != nil || len(got.Answers) != 3 || *got.Answers[0] != 2 ||
			got.Answers[1] != nil || got.Answers[2] != nil || got.Version != 1 {
			t.Fatalf("draft read back: %s", jsonOf(got))
		}
		list, err := w.quest.ListResponses(ctx, person)
		must(t, err)
		if len(list) != 2 || list[0].ID != draft.ID || list[1].ID != r.ID {
			t.Fatalf("responses %s, want the draft then the first", jsonOf(list))
		}

		// Completing it with answers missing is refused, naming each, and nothing changes.
		before := jsonOf(got)
		attempt := *got
		attempt.Status, attempt.CompletedOn = linkwork.ResponseComplete, today
		err = w.quest.SaveResponse(ctx, &attempt)
		wantCode(t, err, linkwork.EINVALID, "")
		var fields []string
		for _, e := range linkwork.FieldErrors(err) {
			fields = append(fields, e.Field)
		}
		if !slices.Equal(fields, []string{"answers.2", "answers.3"}) {
			t.Fatalf("problems on %v (%v), want answers.2 and answers.3", fields, err)
		}
		if back, _ := w.quest.FindResponse(ctx, draft.ID); jsonOf(back) != before {
			t.Fatalf("refused completion changed the draft: %s", jsonOf(back))
		}
		// As a new response, too: nothing is saved.
		n := countRows(t, db, "questionnaire_responses", "")
		partial := &linkwork.QuestionnaireResponse{PersonID: person, QuestionnaireCode: "ons4", Timepoint: linkwork.TimepointBaseline,
			Status: linkwork.ResponseComplete, Answers: []*int{ints(7)[0], nil, ints(8)[0], ints(2)[0]}, CompletedOn: today}
		wantCode(t, w.quest.SaveResponse(ctx, partial), linkwork.EINVALID, "answers.2")
		outOfRange := &linkwork.QuestionnaireResponse{PersonID: person, QuestionnaireCode: "ons4", Timepoint: linkwork.TimepointBaseline,
			Status: linkwork.ResponseDraft, Answers: []*int{ints(11)[0], nil, nil, nil}}
		wantCode(t, w.quest.SaveResponse(ctx, outOfRange), linkwork.EINVALID, "answers.1")
		future := &linkwork.QuestionnaireResponse{PersonID: person, QuestionnaireCode: "ucla3", Timepoint: linkwork.TimepointBaseline,
			Status: linkwork.ResponseComplete, Answers: ints(1, 2, 3), CompletedOn: "2030-03-05"}
		wantCode(t, w.quest.SaveResponse(ctx, future), linkwork.EINVALID, "completed_on")
		badTimepoint := &linkwork.QuestionnaireResponse{PersonID: person, QuestionnaireCode: "ucla3", Timepoint: "midway",
			Status: linkwork.ResponseComplete, Answers: ints(1, 2, 3), CompletedOn: today}
		wantCode(t, w.quest.SaveResponse(ctx, badTimepoint), linkwork.EINVALID, "timepoint")
		wrongCount := &linkwork.QuestionnaireResponse{PersonID: person, QuestionnaireCode: "ucla3", Timepoint: linkwork.TimepointBaseline,
			Status: linkwork.ResponseComplete, Answers: ints(1, 2), CompletedOn: today}
		wantCode(t, w.quest.SaveResponse(ctx, wrongCount), linkwork.EINVALID, "")
		unknown := &linkwork.QuestionnaireResponse{PersonID: person, QuestionnaireCode: "phq9", Timepoint: linkwork.TimepointBaseline,
			Status: linkwork.ResponseDraft, Answers: ints(1)}
		wantCode(t, w.quest.SaveResponse(ctx, unknown), linkwork.EINVALID, "questionnaire_code")
		if got := countRows(t, db, "questionnaire_responses", ""); got != n {
			t.Fatalf("refused responses saved: %d rows, want %d", got, n)
		}
		for _, x := range []*linkwork.QuestionnaireResponse{partial, outOfRange, future, badTimepoint, wrongCount, unknown} {
			if x.ID != 0 {
				t.Fatalf("refused response given ID %d", x.ID)
			}
		}

		// A draft saved on an old version is a conflict.
		w.clock.advance(time.Minute)
		next := *got
		next.Answers = []*int{ints(2)[0], ints(3)[0], nil}
		must(t, w.quest.SaveResponse(ctx, &next))
		if next.Version != 2 || !next.CreatedAt.Equal(got.CreatedAt) || !next.UpdatedAt.Equal(w.clock.now) {
			t.Fatalf("saved draft again: %s", jsonOf(next))
		}
		stale := *got
		stale.Answers = []*int{ints(1)[0], nil, nil}
		wantCode(t, w.quest.SaveResponse(ctx, &stale), linkwork.ECONFLICT, "")
		// Completing the current version scores it; it cannot change questionnaire.
		done := next
		done.Answers, done.Status, done.CompletedOn, done.QuestionnaireCode = ints(2, 3, 3), linkwork.ResponseComplete, today, "ons4"
		must(t, w.quest.SaveResponse(ctx, &done))
		if done.QuestionnaireCode != "ucla3" || done.Version != 3 || done.Score == nil || done.Score.Total != 8 || done.Score.Raw != 8 ||
			done.Score.Band == "" {
			t.Fatalf("completed draft: %s", jsonOf(done))
		}
		if es := auditWith(t, db, linkwork.AuditQuestionnaireSave, idStr(draft.ID)); len(es) != 3 {
			t.Fatalf("%d audit events for the draft's saves, want 3", len(es))
		}
		// Another person's response cannot be saved through this person.
		other := addPerson(t, db, w.york.ID, w.charity.ID, "Olive", "Other", linkwork.PersonActive, nil)
		moved := done
		moved.PersonID, moved.Status = other, linkwork.ResponseDraft
		wantCode(t, w.quest.SaveResponse(ctx, &moved), linkwork.ENOTFOUND, "")
		wantCode(t, w.quest.SaveResponse(ctx, nil), linkwork.EINVALID, "")
	})
}

func TestSaveResponseCaseAndQuestionnaireRules(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newCaseWorld(t, db)
		ctx := w.asWorker(t.Context())
		now := w.clock.now
		recent := now.Add(-29 * 24 * time.Hour)
		long := now.Add(-31 * 24 * time.Hour)
		closedRecently := addPerson(t, db, w.york.ID, w.charity.ID, "Rita", "Recent", linkwork.PersonClosed, &recent)
		closedLongAgo := addPerson(t, db, w.york.ID, w.charity.ID, "Lou", "Long", linkwork.PersonClosed, &long)
		erased := addPerson(t, db, w.york.ID, w.charity.ID, "Ella", "Erased", linkwork.PersonErased, nil)
		waiting := addPerson(t, db, w.york.ID, w.charity.ID, "Wally", "Waiting", linkwork.PersonWaiting, nil)
		inLeeds := addPerson(t, db, w.leeds.ID, w.leedsOrg.ID, "Len", "Leeds", linkwork.PersonActive, nil)

		resp := func(person int64, code string, tp linkwork.Timepoint) *linkwork.QuestionnaireResponse {
			return &linkwork.QuestionnaireResponse{PersonID: person, QuestionnaireCode: code, Timepoint: tp,
				Status: linkwork.ResponseComplete, Answers: ints(1, 1, 1), CompletedOn: "2030-03-01"}
		}
		// A final questionnaire may follow closing within 30 days; nothing else may.
		must(t, w.quest.SaveResponse(ctx, resp(closedRecently, "ucla3", linkwork.TimepointFinal)))
		wantCode(t, w.quest.SaveResponse(ctx, resp(closedRecently, "ucla3", linkwork.TimepointReview)), linkwork.EINVALID, "")
		wantCode(t, w.quest.SaveResponse(ctx, resp(closedLongAgo, "ucla3", linkwork.TimepointFinal)), linkwork.EINVALID, "")
		wantCode(t, w.quest.SaveResponse(ctx, resp(erased, "ucla3", linkwork.TimepointFinal)), linkwork.EINVALID, "")
		wantCode(t, w.quest.SaveResponse(ctx, resp(waiting+100, "ucla3", linkwork.TimepointBaseline)), linkwork.ENOTFOUND, "")
		must(t, w.quest.SaveResponse(ctx, resp(waiting, "ucla3", linkwork.TimepointBaseline)))
		if n := countRows(t, db, "questionnaire_responses", ""); n != 2 {
			t.Fatalf("%d responses, want the recent final one and the waiting person's", n)
		}

		// A place's own questionnaire: scored by its rule, only in its place, and not once retired.
		q := localQuestionnaire(w.york.ID)
		must(t, w.quest.DefineQuestionnaire(ctx, q))
		r := resp(waiting, q.Code, linkwork.TimepointBaseline)
		r.Answers = ints(4, 3, 1) // the third is reversed: 4 + 3 + 3
		must(t, w.quest.SaveResponse(ctx, r))
		if r.Score == nil || r.Score.Total != 10 || r.Score.Band != "High" || r.QuestionnaireName != "Garden club check-in" {
			t.Fatalf("local questionnaire scored %s", jsonOf(r))
		}
		wantCode(t, w.quest.SaveResponse(ctx, resp(inLeeds, q.Code, linkwork.TimepointBaseline)), linkwork.EINVALID, "questionnaire_code")
		d := resp(waiting, q.Code, linkwork.TimepointReview)
		d.Status, d.Answers, d.CompletedOn = linkwork.ResponseDraft, []*int{ints(2)[0], nil, nil}, ""
		must(t, w.quest.SaveResponse(ctx, d))
		must(t, w.quest.RetireQuestionnaire(ctx, w.york.ID, q.ID))
		err := w.quest.SaveResponse(ctx, resp(waiting, q.Code, linkwork.TimepointFinal))
		wantCode(t, err, linkwork.EINVALID, "questionnaire_code")
		if !strings.Contains(linkwork.ErrorMessage(err), "retired") {
			t.Fatalf("retired questionnaire: %q", linkwork.ErrorMessage(err))
		}
		// A draft begun before it was retired can still be finished.
		d.Status, d.Answers, d.CompletedOn = linkwork.ResponseComplete, ints(2, 2, 2), "2030-03-04"
		must(t, w.quest.SaveResponse(ctx, d))
		if d.Score == nil || d.Score.Total != 6 {
			t.Fatalf("draft of a retired questionnaire completed as %s", jsonOf(d))
		}
	})
}

func TestDeleteDraft(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newCaseWorld(t, db)
		ctx := w.asWorker(t.Context())
		person := addPerson(t, db, w.york.ID, w.charity.ID, "Mary", "Smith", linkwork.PersonActive, nil)
		draft := &linkwork.QuestionnaireResponse{PersonID: person, QuestionnaireCode: "ons4", Timepoint: linkwork.TimepointBaseline,
			Status: linkwork.ResponseDraft, Answers: []*int{nil, nil, ints(5)[0], nil}}
		must(t, w.quest.SaveResponse(ctx, draft))
		complete := &linkwork.QuestionnaireResponse{PersonID: person, QuestionnaireCode: "ons4", Timepoint: linkwork.TimepointBaseline,
			Status: linkwork.ResponseComplete, Answers: ints(7, 8, 7, 3), CompletedOn: "2030-03-04"}
		must(t, w.quest.SaveResponse(ctx, complete))
		if complete.Score == nil || len(complete.Score.Items) != 4 {
			t.Fatalf("ONS4 scored %s, want each item", jsonOf(complete.Score))
		}

		err := w.quest.DeleteDraft(ctx, complete.ID)
		wantCode(t, err, linkwork.EINVALID, "")
		must(t, w.quest.DeleteDraft(ctx, draft.ID))
		if _, err := w.quest.FindResponse(ctx, draft.ID); linkwork.ErrorCode(err) != linkwork.ENOTFOUND {
			t.Fatalf("deleted draft: %v, want not found", err)
		}
		wantCode(t, w.quest.DeleteDraft(ctx, draft.ID), linkwork.ENOTFOUND, "")
		list, err := w.quest.ListResponses(ctx, person)
		must(t, err)
		if len(list) != 1 || list[0].ID != complete.ID {
			t.Fatalf("responses after deleting the draft: %s", jsonOf(list))
		}
		if es := auditWith(t, db, linkwork.AuditQuestionnaireSave, idStr(draft.ID)); len(es) != 2 || !strings.Contains(es[0].Detail, "deleted") {
			t.Fatalf("draft audit %+v", es)
		}
	})
}
