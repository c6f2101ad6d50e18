package linkwork

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func TestQuestionnaireDefinitionValidate(t *testing.T) {
	long := func(n int) string { return strings.Repeat("é", n) }
	items := func(n int) []QuestionnaireItem {
		out := make([]QuestionnaireItem, n)
		for i := range out {
			out[i] = QuestionnaireItem{Text: "Question", Min: 1, Max: 5}
		}
		return out
	}
	for _, c := range []struct {
		name   string
		change func(q *Questionnaire)
		fields []string
	}{
		{"valid", func(q *Questionnaire) {}, nil},
		{"longest texts", func(q *Questionnaire) {
			q.Name, q.Description, q.Instructions, q.Licence = long(120), long(1000), long(2000), long(1000)
			q.Items[0].Text, q.Items[0].Options[0].Label, q.Bands[0].Label = long(300), long(80), long(80)
		}, nil},
		{"mean bands", func(q *Questionnaire) {
			q.Scoring = ScoreMean
			q.Bands = []ScoreBand{{0.33, 2.5, "Low"}, {2.51, 4.33, "High"}}
		}, nil},
		{"no bands", func(q *Questionnaire) { q.Bands = nil }, nil},
		{"bands with gaps", func(q *Questionnaire) { q.Bands = []ScoreBand{{1, 2, "Low"}, {12, 13, "High"}} }, nil},
		{"bands out of order", func(q *Questionnaire) { q.Bands = []ScoreBand{{10, 13, "High"}, {1, 9, "Low"}} }, nil},
		{"a one-point band", func(q *Questionnaire) { q.Bands = []ScoreBand{{5, 5, "Five"}} }, nil},
		{"fifty items", func(q *Questionnaire) { q.Items = items(50); q.Bands = []ScoreBand{{50, 250, "All"}} }, nil},
		{"widest scale", func(q *Questionnaire) {
			q.Items = []QuestionnaireItem{{Text: "a", Min: -100, Max: 0}, {Text: "b", Min: 0, Max: 100}}
			q.Bands = []ScoreBand{{-100, 100, "All"}}
		}, nil},
		{"no options", func(q *Questionnaire) { q.Items[0].Options = nil }, nil},

		{"no name", func(q *Questionnaire) { q.Name = "  " }, []string{"name"}},
		{"name too long", func(q *Questionnaire) { q.Name = long(121) }, []string{"name"}},
		{"name on two lines", func(q *Questionnaire) { q.Name = "a\nb" }, []string{"name"}},
		{"description too long", func(q *Questionnaire) { q.Description = long(1001) }, []string{"description"}},
		{"instructions too long", func(q *Questionnaire) { q.Instructions = long(2001) }, []string{"instructions"}},
		{"licence too long", func(q *Questionnaire) { q.Licence = long(1001) }, []string{"licence"}},
		{"no items", func(q *Questionnaire) { q.Items = nil; q.Bands = nil }, []string{"items"}},
		{"no items, with bands", func(q *Questionnaire) { q.Items = nil }, []string{"items"}},
		{"51 items", func(q *Questionnaire) { q.Items = items(51); q.Bands = nil }, []string{"items"}},
		{"item without text", func(q *Questionnaire) { q.Items[1].Text = " " }, []string{"items.2.text"}},
		{"item text too long", func(q *Questionnaire) { q.Items[2].Text = long(301) }, []string{"items.3.text"}},
		{"item text with a NUL", func(q *Questionnaire) { q.Items[2].Text = "a\x00" }, []string{"items.3.text"}},
		{"min too low", func(q *Questionnaire) { q.Items[0].Min = -101; q.Bands = nil }, []string{"items.1.min"}},
		{"max too high", func(q *Questionnaire) { q.Items[0].Max = 101; q.Bands = nil }, []string{"items.1.max"}},
		{"min equals max", func(q *Questionnaire) { q.Items[1].Min, q.Items[1].Max = 3, 3; q.Bands = nil }, []string{"items.2.max"}},
		{"min above max", func(q *Questionnaire) { q.Items[1].Min, q.Items[1].Max = 4, 0; q.Bands = nil }, []string{"items.2.max"}},
		{"scale too wide", func(q *Questionnaire) { q.Items[0].Min, q.Items[0].Max = -50, 51; q.Bands = nil }, []string{"items.1.max"}},
		{"bad scale, so bands are not checked against it", func(q *Questionnaire) {
			q.Items[0].Min, q.Items[0].Max = 5, 5
			q.Bands = []ScoreBand{{-1000, 1000, "All"}}
		}, []string{"items.1.max", "items.1.options.1.value", "items.1.options.2.value"}},
		{"option below the scale", func(q *Questionnaire) { q.Items[0].Options[0].Value = -1 }, []string{"items.1.options.1.value"}},
		{"option above the scale", func(q *Questionnaire) { q.Items[0].Options[1].Value = 5 }, []string{"items.1.options.2.value"}},
		{"options repeat a value", func(q *Questionnaire) { q.Items[0].Options[1].Value = 0 }, []string{"items.1.options.2.value"}},
		{"option without a label", func(q *Questionnaire) { q.Items[0].Options[0].Label = "" }, []string{"items.1.options.1.label"}},
		{"option label too long", func(q *Questionnaire) { q.Items[0].Options[1].Label = long(81) }, []string{"items.1.options.2.label"}},
		{"option label on two lines", func(q *Questionnaire) { q.Items[0].Options[1].Label = "a\nb" }, []string{"items.1.options.2.label"}},
		{"no scoring rule", func(q *Questionnaire) { q.Scoring = "" }, []string{"scoring"}},
		{"a built-in rule", func(q *Questionnaire) { q.Scoring = ScoreUCLA3 }, []string{"scoring"}},
		{"an unknown rule", func(q *Questionnaire) { q.Scoring = "median" }, []string{"scoring"}},
		{"band without a label", func(q *Questionnaire) { q.Bands[1].Label = " " }, []string{"bands.2.label"}},
		{"band label too long", func(q *Questionnaire) { q.Bands[1].Label = long(81) }, []string{"bands.2.label"}},
		{"band upside down", func(q *Questionnaire) { q.Bands[1] = ScoreBand{9, 6, "Medium"} }, []string{"bands.2.max"}},
		{"bands touch", func(q *Questionnaire) { q.Bands[1].Min = 5 }, []string{"bands.2.min"}},
		{"bands overlap", func(q *Questionnaire) { q.Bands[2].Min = 8 }, []string{"bands.3.min"}},
		{"band inside another", func(q *Questionnaire) { q.Bands = append(q.Bands, ScoreBand{7, 7, "Seven"}) }, []string{"bands.4.min"}},
		{"band below the lowest score", func(q *Questionnaire) { q.Bands[0].Min = 0 }, []string{"bands.1.min"}},
		{"band above the highest score", func(q *Questionnaire) { q.Bands[2].Max = 14 }, []string{"bands.3.max"}},
		{"mean band above the highest mean", func(q *Questionnaire) {
			q.Scoring = ScoreMean
			q.Bands = []ScoreBand{{0.33, 2.5, "Low"}, {2.51, 4.34, "High"}}
		}, []string{"bands.2.max"}},
		{"mean band below the lowest mean", func(q *Questionnaire) {
			q.Scoring = ScoreMean
			q.Bands = []ScoreBand{{0.32, 2.5, "Low"}}
		}, []string{"bands.1.min"}},
		{"band not a number", func(q *Questionnaire) { q.Bands[0].Min = math.NaN() }, []string{"bands.1.min"}},
		{"band infinite", func(q *Questionnaire) { q.Bands[2].Max = math.Inf(1) }, []string{"bands.3.max"}},
		{"21 bands", func(q *Questionnaire) {
			q.Items = []QuestionnaireItem{{Text: "a", Min: 0, Max: 100}}
			q.Bands = nil
			for i := range 21 {
				q.Bands = append(q.Bands, ScoreBand{float64(i), float64(i), "b"})
			}
		}, []string{"bands"}},
		{"everything wrong", func(q *Questionnaire) {
			q.Name = ""
			q.Items[0].Text = ""
			q.Items[1].Min = 200
			q.Scoring = "ons4"
			q.Bands[0].Label = ""
		}, []string{"name", "items.1.text", "items.2.max", "scoring", "bands.1.label"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			q := localQ()
			q.BuiltIn, q.WordingMissing = true, true
			c.change(q)
			err := q.Validate()
			if !slices.Equal(errFields(err), c.fields) {
				t.Fatalf("fields %v, want %v: %v", errFields(err), c.fields, err)
			}
			for _, e := range FieldErrors(err) {
				if e.Code != EINVALID || e.Message == "" || !strings.HasSuffix(e.Message, ".") {
					t.Errorf("problem %+v", e)
				}
			}
			if q.BuiltIn || q.WordingMissing {
				t.Error("a local questionnaire was left marked built in")
			}
		})
	}
}

func TestQuestionnaireDefinitionMessages(t *testing.T) {
	for _, c := range []struct {
		change  func(q *Questionnaire)
		message string
	}{
		{func(q *Questionnaire) { q.Items[1].Text = "" }, "Enter the wording of question 2."},
		{func(q *Questionnaire) { q.Items[0].Min, q.Items[0].Max = 4, 4 }, "The highest answer to question 1 must be more than the lowest (4)."},
		{func(q *Questionnaire) { q.Items[0].Min, q.Items[0].Max = -50, 60; q.Items[0].Options = nil },
			"Question 1's answers can run over at most 100 points: from -50, the highest can be 50."},
		{func(q *Questionnaire) { q.Items[0].Options[1].Value = 7 }, "Labelled answer 2 to question 1 must be a value from 0 to 4, the question's scale."},
		{func(q *Questionnaire) { q.Items[0].Options[1].Value = 0 }, "Question 1 labels the answer 0 more than once."},
		{func(q *Questionnaire) { q.Scoring = "" }, "Choose how the answers are scored: sum (add them up) or mean (their average)."},
		{func(q *Questionnaire) { q.Bands[1].Min = 5 }, "Band 2 (5 to 9) overlaps band 1 (1 to 5): a score can be in only one band."},
		{func(q *Questionnaire) { q.Bands[0].Min = -0.5 }, "Band 1 starts at -0.5, but the lowest possible score is 1."},
		{func(q *Questionnaire) { q.Scoring = ScoreMean; q.Bands = []ScoreBand{{1, 4.5, "x"}} }, "Band 1 ends at 4.5, but the highest possible score is 4.33."},
		{func(q *Questionnaire) { q.Items = nil }, "Add at least one question."},
	} {
		q := localQ()
		c.change(q)
		if got := ErrorMessage(q.Validate()); got != c.message {
			t.Errorf("message %q, want %q", got, c.message)
		}
	}
}

func TestQuestionnaireDefinitionTrims(t *testing.T) {
	q := localQ()
	q.Name, q.Description, q.Instructions, q.Licence = " Confidence ", " d ", " i ", " l "
	q.Scoring = " mean "
	q.Items[0].Text, q.Items[0].Options[0].Label = " Question? ", " Never "
	q.Bands = []ScoreBand{{1, 2, " Low "}}
	if err := q.Validate(); err != nil {
		t.Fatal(err)
	}
	if q.Name != "Confidence" || q.Description != "d" || q.Instructions != "i" || q.Licence != "l" || q.Scoring != ScoreMean ||
		q.Items[0].Text != "Question?" || q.Items[0].Options[0].Label != "Never" || q.Bands[0].Label != "Low" {
		t.Errorf("not trimmed: %+v", q)
	}
}
