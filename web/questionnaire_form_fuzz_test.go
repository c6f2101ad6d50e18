package web

import (
	"testing"

	"linkwork"
)

// FuzzQuestionnaireForm feeds the form that defines a place's own questionnaire with
// anything: it must never panic, and a definition it accepts (no form errors, and valid by
// the domain's rules) must score answers at both ends of its scale within the scale's range.
func FuzzQuestionnaireForm(f *testing.F) {
	f.Add("Neighbourhood", "I know my neighbours\nI feel safe", "0", "4", "Never", "Always", "2", "sum", "yes", "0-3 Low\n4-8 High")
	f.Add("Mean", "One\n\nTwo\nThree", "-2", "2", "", "", "1, 3", "mean", "no", "-2 to 0 Worse\n0.5–2 Better")
	f.Add("", "", "x", "", "\n", "", "9; a", "median", "", "0-10")
	f.Fuzz(func(t *testing.T, name, items, lo, hi, minLabel, maxLabel, reversed, scoring, better, bands string) {
		form := NewForm()
		for k, v := range map[string]string{"name": name, "items": items, "scale_min": lo, "scale_max": hi, "min_label": minLabel,
			"max_label": maxLabel, "reversed": reversed, "scoring": scoring, "higher_is_better": better, "bands": bands} {
			form.Values[k] = v
		}
		q := readQuestionnaireForm(form, 1)
		if form.HasErrors() || q.Validate() != nil {
			return
		}
		for _, end := range []func(linkwork.QuestionnaireItem) int{
			func(it linkwork.QuestionnaireItem) int { return it.Min },
			func(it linkwork.QuestionnaireItem) int { return it.Max },
		} {
			answers := make([]int, len(q.Items))
			lowest, highest := 0, 0
			for i, it := range q.Items {
				answers[i] = end(it)
				lowest, highest = lowest+it.Min, highest+it.Max
			}
			s, err := linkwork.ScoreLocalAnswers(q, answers)
			if err != nil {
				t.Fatalf("an accepted definition cannot score in-range answers %v: %v", answers, err)
			}
			if s.Raw < lowest || s.Raw > highest {
				t.Fatalf("raw score %d outside %d..%d", s.Raw, lowest, highest)
			}
		}
	})
}
