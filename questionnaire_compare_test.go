package linkwork

import (
	"slices"
	"testing"
	"time"
)

// answered is a complete response to q, scored by q's own function.
func answered(t *testing.T, q *Questionnaire, id int64, tp Timepoint, on string, answers ...int) *QuestionnaireResponse {
	t.Helper()
	r := &QuestionnaireResponse{ID: id, Timepoint: tp, Status: ResponseComplete, CompletedOn: on, Answers: ints(answers...),
		CreatedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(id) * time.Hour)}
	if err := r.Validate(q, "1950-01-01", time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestScoreChanges(t *testing.T) {
	qs := BuiltInQuestionnaires(nil)
	ons4, ucla, sw := qs[0], qs[1], qs[2]
	local := localQ()
	local.Scoring = ScoreMean
	local.Bands = nil
	if err := local.Validate(); err != nil {
		t.Fatal(err)
	}
	local.ID, local.Code = 7, "local-7"
	lower := localQ()
	lower.HigherIsBetter = false
	if err := lower.Validate(); err != nil {
		t.Fatal(err)
	}
	lower.ID, lower.Code = 8, "local-8"
	all := []*Questionnaire{ons4, ucla, sw, local, lower}

	type want struct {
		code      string
		baseline  int64
		latest    int64
		change    float64
		direction string
		items     []ItemChange
	}
	for _, c := range []struct {
		name      string
		responses []*QuestionnaireResponse
		want      []want
	}{
		{"nothing", nil, nil},
		{"one response", []*QuestionnaireResponse{answered(t, ucla, 1, TimepointBaseline, "2026-01-01", 3, 3, 3)}, nil},
		{"UCLA3 less lonely is better", []*QuestionnaireResponse{
			answered(t, ucla, 1, TimepointBaseline, "2026-01-01", 3, 2, 2),
			answered(t, ucla, 2, TimepointReview, "2026-03-01", 1, 2, 2),
		}, []want{{"ucla3", 1, 2, -2, "better", nil}}},
		{"UCLA3 lonelier is worse", []*QuestionnaireResponse{
			answered(t, ucla, 1, TimepointBaseline, "2026-01-01", 1, 1, 1),
			answered(t, ucla, 2, TimepointFinal, "2026-03-01", 3, 3, 3),
		}, []want{{"ucla3", 1, 2, 6, "worse", nil}}},
		{"UCLA3 the same", []*QuestionnaireResponse{
			answered(t, ucla, 1, TimepointBaseline, "2026-01-01", 1, 2, 3),
			answered(t, ucla, 2, TimepointFinal, "2026-03-01", 3, 2, 1),
		}, []want{{"ucla3", 1, 2, 0, "same", nil}}},
		{"SWEMWBS metric scores", []*QuestionnaireResponse{
			answered(t, sw, 1, TimepointBaseline, "2026-01-01", 2, 2, 2, 2, 2, 2, 2), // 14: 15.32
			answered(t, sw, 2, TimepointFinal, "2026-06-01", 3, 3, 3, 3, 3, 3, 3),    // 21: 19.25
		}, []want{{"swemwbs", 1, 2, 3.93, "better", nil}}},
		{"SWEMWBS worse", []*QuestionnaireResponse{
			answered(t, sw, 1, TimepointBaseline, "2026-01-01", 5, 5, 5, 5, 5, 5, 4), // 34: 32.55
			answered(t, sw, 2, TimepointFinal, "2026-06-01", 1, 1, 1, 1, 1, 1, 2),    // 8: 9.51
		}, []want{{"swemwbs", 1, 2, -23.04, "worse", nil}}},
		{"local mean", []*QuestionnaireResponse{
			answered(t, local, 1, TimepointBaseline, "2026-01-01", 1, 4, 1), // 2/3: 0.67
			answered(t, local, 2, TimepointReview, "2026-02-01", 3, 1, 2),   // 8/3: 2.67
			answered(t, local, 3, TimepointReview, "2026-03-01", 1, 1, 1),   // 5/3: 1.67
		}, []want{{"local-7", 1, 3, 1, "better", nil}}},
		{"local, lower is better", []*QuestionnaireResponse{
			answered(t, lower, 1, TimepointBaseline, "2026-01-01", 1, 4, 1),
			answered(t, lower, 2, TimepointReview, "2026-02-01", 4, 0, 5),
		}, []want{{"local-8", 1, 2, 11, "worse", nil}}},
		{"ONS4 per item, anxiety reversed", []*QuestionnaireResponse{
			answered(t, ons4, 1, TimepointBaseline, "2026-01-01", 4, 5, 6, 8),
			answered(t, ons4, 2, TimepointFinal, "2026-05-01", 7, 5, 3, 2),
		}, []want{{"ons4", 1, 2, 0, "", []ItemChange{
			{"life_satisfaction", "Life satisfaction", 3, "better"},
			{"worthwhile", "Worthwhile", 0, "same"},
			{"happiness", "Happiness", -3, "worse"},
			{"anxiety", "Anxiety", -6, "better"},
		}}}},
		{"ONS4 more anxious is worse", []*QuestionnaireResponse{
			answered(t, ons4, 1, TimepointBaseline, "2026-01-01", 5, 5, 5, 0),
			answered(t, ons4, 2, TimepointFinal, "2026-05-01", 6, 4, 5, 10),
		}, []want{{"ons4", 1, 2, 0, "", []ItemChange{
			{"life_satisfaction", "Life satisfaction", 1, "better"},
			{"worthwhile", "Worthwhile", -1, "worse"},
			{"happiness", "Happiness", 0, "same"},
			{"anxiety", "Anxiety", 10, "worse"},
		}}}},
		{"the baseline timepoint wins over an earlier review", []*QuestionnaireResponse{
			answered(t, ucla, 1, TimepointReview, "2026-01-01", 3, 3, 3),
			answered(t, ucla, 2, TimepointBaseline, "2026-02-01", 2, 2, 2),
			answered(t, ucla, 3, TimepointBaseline, "2026-03-01", 1, 1, 1),
			answered(t, ucla, 4, TimepointFinal, "2026-04-01", 1, 2, 1),
		}, []want{{"ucla3", 2, 4, -2, "better", nil}}},
		{"with no baseline timepoint, the earliest", []*QuestionnaireResponse{
			answered(t, ucla, 3, TimepointFinal, "2026-05-01", 1, 1, 1),
			answered(t, ucla, 1, TimepointReview, "2026-02-01", 3, 3, 3),
			answered(t, ucla, 2, TimepointReview, "2026-03-01", 2, 2, 2),
		}, []want{{"ucla3", 1, 3, -6, "better", nil}}},
		{"same day: the one recorded later is latest", []*QuestionnaireResponse{
			answered(t, ucla, 1, TimepointBaseline, "2026-01-01", 2, 2, 2),
			answered(t, ucla, 3, TimepointReview, "2026-02-01", 3, 3, 3),
			answered(t, ucla, 2, TimepointReview, "2026-02-01", 1, 1, 1),
		}, []want{{"ucla3", 1, 3, 3, "worse", nil}}},
		{"a baseline answered last is compared with the latest other", []*QuestionnaireResponse{
			answered(t, ucla, 1, TimepointReview, "2026-01-01", 1, 1, 1),
			answered(t, ucla, 2, TimepointReview, "2026-02-01", 2, 2, 2),
			answered(t, ucla, 3, TimepointBaseline, "2026-03-01", 3, 3, 3),
		}, []want{{"ucla3", 3, 2, -3, "better", nil}}},
		{"drafts and other people's questionnaires are left out", []*QuestionnaireResponse{
			answered(t, ucla, 1, TimepointBaseline, "2026-01-01", 2, 2, 2),
			{ID: 2, QuestionnaireCode: "ucla3", Timepoint: TimepointFinal, Status: ResponseDraft, CompletedOn: "2026-06-01", Answers: ints(3, 3, 3)},
			{ID: 3, QuestionnaireCode: "ucla3", Timepoint: TimepointFinal, Status: ResponseComplete, CompletedOn: "2026-06-01"}, // no score
			answered(t, sw, 4, TimepointBaseline, "2026-01-01", 3, 3, 3, 3, 3, 3, 3),
			{ID: 5, QuestionnaireCode: "gone", Timepoint: TimepointFinal, Status: ResponseComplete, CompletedOn: "2026-06-01", Score: &QuestionnaireScore{Total: 1}},
			{ID: 6, QuestionnaireCode: "gone", Timepoint: TimepointBaseline, Status: ResponseComplete, CompletedOn: "2026-01-01", Score: &QuestionnaireScore{Total: 2}},
		}, nil},
		{"in the order of the questionnaires", []*QuestionnaireResponse{
			answered(t, local, 1, TimepointBaseline, "2026-01-01", 1, 4, 1),
			answered(t, sw, 2, TimepointBaseline, "2026-01-01", 3, 3, 3, 3, 3, 3, 3),
			answered(t, local, 3, TimepointFinal, "2026-02-01", 1, 4, 1),
			answered(t, ucla, 4, TimepointBaseline, "2026-01-01", 2, 2, 2),
			answered(t, sw, 5, TimepointFinal, "2026-02-01", 3, 3, 3, 3, 3, 3, 3),
			answered(t, ucla, 6, TimepointFinal, "2026-02-01", 2, 2, 3),
		}, []want{{"ucla3", 4, 6, 1, "worse", nil}, {"swemwbs", 2, 5, 0, "same", nil}, {"local-7", 1, 3, 0, "same", nil}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := ScoreChanges(all, c.responses)
			if got == nil {
				t.Fatal("nil changes")
			}
			if len(got) != len(c.want) {
				t.Fatalf("%d changes, want %d: %+v", len(got), len(c.want), got)
			}
			for i, w := range c.want {
				g := got[i]
				if g.QuestionnaireCode != w.code || g.Baseline.ID != w.baseline || g.Latest.ID != w.latest ||
					g.Change != w.change || g.Direction != w.direction || !slices.Equal(g.Items, w.items) {
					t.Errorf("change %d: %s baseline %d latest %d change %v %q items %+v; want %+v",
						i+1, g.QuestionnaireCode, g.Baseline.ID, g.Latest.ID, g.Change, g.Direction, g.Items, w)
				}
				for _, q := range all {
					if q.Code == g.QuestionnaireCode && g.QuestionnaireName != q.Name {
						t.Errorf("named %q", g.QuestionnaireName)
					}
				}
			}
		})
	}
	// A questionnaire listed twice is compared once.
	rs := []*QuestionnaireResponse{answered(t, ucla, 1, TimepointBaseline, "2026-01-01", 2, 2, 2), answered(t, ucla, 2, TimepointFinal, "2026-02-01", 2, 2, 2)}
	if got := ScoreChanges([]*Questionnaire{ucla, ucla}, rs); len(got) != 1 {
		t.Errorf("%d changes", len(got))
	}
}
