package linkwork

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The built-in definitions the scoring functions check answers against (their wording is
// only used in messages, so SWEMWBS's items are "Item 1" to "Item 7").
var (
	ons4Definition    = ons4Questionnaire()
	ucla3Definition   = ucla3Questionnaire()
	swemwbsDefinition = swemwbsQuestionnaire(nil)
)

// ons4Bands are the ONS thresholds for life satisfaction, worthwhile and happiness, and
// ons4AnxietyBands those for anxiety, where the meaning runs the other way (a high anxiety
// score is a poor one). They are ../shared/reference/outcome-measures/ons4_thresholds.csv.
var (
	ons4Bands = []ScoreBand{
		{Min: 0, Max: 4, Label: "low"},
		{Min: 5, Max: 6, Label: "medium"},
		{Min: 7, Max: 8, Label: "high"},
		{Min: 9, Max: 10, Label: "very high"},
	}
	ons4AnxietyBands = []ScoreBand{
		{Min: 0, Max: 1, Label: "very low"},
		{Min: 2, Max: 3, Label: "low"},
		{Min: 4, Max: 5, Label: "medium"},
		{Min: 6, Max: 10, Label: "high"},
	}
)

// swemwbsMetric is the official SWEMWBS conversion from raw score (7 to 35, the index plus
// 7) to metric score: ../shared/reference/outcome-measures/swemwbs_raw_to_metric.csv.
var swemwbsMetric = [...]float64{
	7.00, 9.51, 11.25, 12.40, 13.33, 14.08, 14.75, 15.32, 15.84, 16.36, // 7–16
	16.88, 17.43, 17.98, 18.59, 19.25, 19.98, 20.73, 21.54, 22.35, 23.21, // 17–26
	24.11, 25.03, 26.02, 27.03, 28.13, 29.31, 30.70, 32.55, 35.00, // 27–35
}

// bandOf returns the label of the first band containing v (Min and Max included), or "".
func bandOf(bands []ScoreBand, v float64) string {
	for _, b := range bands {
		if v >= b.Min && v <= b.Max {
			return b.Label
		}
	}
	return ""
}

// questionRef names item i (from 0) of q for messages: `question 3 ("How often do you feel
// left out?")`.
func questionRef(q *Questionnaire, i int) string {
	text := ""
	if i < len(q.Items) {
		text = q.Items[i].Text
	}
	if text == "" {
		text = "Item " + strconv.Itoa(i+1)
	}
	return fmt.Sprintf("question %d (\"%s\")", i+1, text)
}

func answerField(i int) string { return "answers." + strconv.Itoa(i+1) }

// answerCountError is the problem when the number of answers is not the number of items.
func answerCountError(q *Questionnaire, n int) error {
	return FieldError("answers", "%s has %d questions: give one answer to each (%d answers were given).", q.Name, len(q.Items), n)
}

// answerRangeError is the problem when item i's answer is outside its scale.
func answerRangeError(q *Questionnaire, i int) error {
	it := q.Items[i]
	return FieldError(answerField(i), "Answer %s with a whole number from %d to %d.", questionRef(q, i), it.Min, it.Max)
}

// checkIntAnswers checks that a has one answer for each of q's items, each on its scale,
// reporting every problem.
func checkIntAnswers(q *Questionnaire, a []int) error {
	if len(a) != len(q.Items) {
		return answerCountError(q, len(a))
	}
	var ps Problems
	for i, v := range a {
		if v < q.Items[i].Min || v > q.Items[i].Max {
			ps.Add(answerRangeError(q, i))
		}
	}
	return ps.Err()
}

// CheckAnswers checks a response's answers against q: one for each item, each a whole number
// on the item's scale. When complete is set every item must be answered; otherwise nil
// answers are questions still to answer in a draft. It reports every problem.
func (q *Questionnaire) CheckAnswers(answers []*int, complete bool) error {
	if len(answers) != len(q.Items) {
		return answerCountError(q, len(answers))
	}
	var ps Problems
	for i, a := range answers {
		switch {
		case a == nil && complete:
			ps.Add(FieldError(answerField(i), "Answer %s, or save the questionnaire as a draft to finish later.", questionRef(q, i)))
		case a != nil && (*a < q.Items[i].Min || *a > q.Items[i].Max):
			ps.Add(answerRangeError(q, i))
		}
	}
	return ps.Err()
}

// Score scores a complete set of answers with q's own rule: each built-in questionnaire by
// its function, a local one by ScoreLocalAnswers. An unanswered (nil) answer is an error:
// only complete responses are scored.
func (q *Questionnaire) Score(answers []*int) (*QuestionnaireScore, error) {
	if err := q.CheckAnswers(answers, true); err != nil {
		return nil, err
	}
	a := make([]int, len(answers))
	for i, v := range answers {
		a[i] = *v
	}
	switch q.Scoring {
	case ScoreONS4:
		return ScoreONS4Answers(a)
	case ScoreUCLA3:
		return ScoreUCLA3Answers(a)
	case ScoreSWEMWBS:
		return ScoreSWEMWBSAnswers(a)
	case ScoreSum, ScoreMean:
		return ScoreLocalAnswers(q, a)
	}
	return nil, Errorf(EINTERNAL, "questionnaire %q has an unknown scoring rule %q", q.Code, q.Scoring)
}

// ScoreONS4Answers scores the four ONS personal wellbeing answers (life satisfaction,
// worthwhile, happiness, anxiety; each 0 to 10). ONS4 has no total: each item is scored
// and banded on its own with the ONS thresholds, so Total and Raw are 0.
func ScoreONS4Answers(a []int) (*QuestionnaireScore, error) {
	if err := checkIntAnswers(ons4Definition, a); err != nil {
		return nil, err
	}
	s := &QuestionnaireScore{Items: make([]ItemScore, len(ons4Items))}
	for i, it := range ons4Items {
		bands := ons4Bands
		if it.key == "anxiety" {
			bands = ons4AnxietyBands
		}
		s.Items[i] = ItemScore{Key: it.key, Label: it.label, Value: a[i], Band: bandOf(bands, float64(a[i]))}
	}
	return s, nil
}

// ScoreUCLA3Answers scores the three UCLA loneliness answers (each 1 hardly ever, 2 some of
// the time, 3 often): the total is their sum, 3 to 9, banded by ucla3Bands.
func ScoreUCLA3Answers(a []int) (*QuestionnaireScore, error) {
	if err := checkIntAnswers(ucla3Definition, a); err != nil {
		return nil, err
	}
	sum := 0
	for _, v := range a {
		sum += v
	}
	return &QuestionnaireScore{Total: float64(sum), Raw: sum, Band: bandOf(ucla3Bands, float64(sum))}, nil
}

// SWEMWBSMetric converts a SWEMWBS raw score (7 to 35) to its metric score with the
// official conversion table.
func SWEMWBSMetric(raw int) (float64, error) {
	if raw < 7 || raw > 35 {
		return 0, Errorf(EINVALID, "A SWEMWBS raw score is from 7 to 35, not %d.", raw)
	}
	return swemwbsMetric[raw-7], nil
}

// ScoreSWEMWBSAnswers scores the seven SWEMWBS answers (each 1 to 5): Raw is their sum and
// Total the metric score it converts to. SWEMWBS has no official bands, so there is none.
func ScoreSWEMWBSAnswers(a []int) (*QuestionnaireScore, error) {
	if err := checkIntAnswers(swemwbsDefinition, a); err != nil {
		return nil, err
	}
	raw := 0
	for _, v := range a {
		raw += v
	}
	metric, err := SWEMWBSMetric(raw)
	if err != nil {
		return nil, err
	}
	return &QuestionnaireScore{Total: metric, Raw: raw}, nil
}

// Validate trims and checks a response to q: its timepoint, status and answers, and for a
// complete response the date it was completed (not in the future, not before dob, the
// person's date of birth). It names the questionnaire on the response, and scores a
// complete one (a draft has no score). It reports every problem.
func (r *QuestionnaireResponse) Validate(q *Questionnaire, dob string, today time.Time) error {
	r.QuestionnaireCode, r.QuestionnaireName = q.Code, q.Name
	r.Timepoint = Timepoint(strings.TrimSpace(string(r.Timepoint)))
	r.Status = ResponseStatus(strings.TrimSpace(string(r.Status)))
	r.CompletedOn = strings.TrimSpace(r.CompletedOn)
	var ps Problems
	if timepointLabels[r.Timepoint] == "" {
		ps.Add(FieldError("timepoint", "Choose when in the person's support the questionnaire was answered: baseline (at the start), review (during support) or final (at the end)."))
	}
	complete := r.Status == ResponseComplete
	if !complete && r.Status != ResponseDraft {
		ps.Add(FieldError("status", "Choose whether the response is complete or a draft to finish later: complete or draft."))
	}
	ps.Add(q.CheckAnswers(r.Answers, complete))
	switch {
	case r.CompletedOn != "":
		ps.Add(validateDay("completed_on", r.CompletedOn, dob, today))
	case complete:
		ps.Add(FieldError("completed_on", "Enter the date the person answered the questionnaire."))
	}
	if err := ps.Err(); err != nil {
		return err
	}
	r.Score = nil
	if complete {
		s, err := q.Score(r.Answers)
		if err != nil {
			return err
		}
		r.Score = s
	}
	return nil
}
