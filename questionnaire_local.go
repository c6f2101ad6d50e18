package linkwork

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits on a questionnaire a place defines.
const (
	MaxQuestionnaireNameLength         = 120
	MaxQuestionnaireDescriptionLength  = 1000
	MaxQuestionnaireInstructionsLength = 2000
	MaxQuestionnaireLicenceLength      = 1000
	MaxQuestionnaireItems              = 50
	MaxQuestionnaireItemTextLength     = 300
	MaxQuestionnaireLabelLength        = 80
	MaxQuestionnaireBands              = 20
	// An item's scale runs between -100 and 100 and has at most 101 points.
	MinQuestionnaireAnswer = -100
	MaxQuestionnaireAnswer = 100
	MaxQuestionnaireSpan   = 100
)

// Validate trims and checks a questionnaire a place's administrators define: its name and
// texts, 1 to 50 items each with a scale and optional labelled answers, a scoring rule (sum
// or mean) and bands that neither overlap nor reach beyond the scores possible. It reports
// every problem, on fields such as "items.2.text" and "bands.1.min" (counting from 1).
func (q *Questionnaire) Validate() error {
	q.BuiltIn, q.WordingMissing = false, false
	q.Name = strings.TrimSpace(q.Name)
	q.Description = strings.TrimSpace(q.Description)
	q.Instructions = strings.TrimSpace(q.Instructions)
	q.Licence = strings.TrimSpace(q.Licence)
	q.Scoring = ScoringRule(strings.TrimSpace(string(q.Scoring)))
	var ps Problems
	ps.Add(validateName("name", q.Name, MaxQuestionnaireNameLength))
	ps.Add(validateText("description", q.Description, MaxQuestionnaireDescriptionLength, false))
	ps.Add(validateText("instructions", q.Instructions, MaxQuestionnaireInstructionsLength, false))
	ps.Add(validateText("licence", q.Licence, MaxQuestionnaireLicenceLength, false))

	itemsOK := true
	switch n := len(q.Items); {
	case n == 0:
		ps.Add(FieldError("items", "Add at least one question."))
		itemsOK = false
	case n > MaxQuestionnaireItems:
		ps.Add(FieldError("items", "A questionnaire can have at most %d questions, not %d.", MaxQuestionnaireItems, n))
		itemsOK = false
	}
	if len(q.Items) <= MaxQuestionnaireItems {
		for i := range q.Items {
			ps.Add(validateItem(&q.Items[i], i))
			itemsOK = itemsOK && scaleOK(&q.Items[i])
		}
	}

	if q.Scoring != ScoreSum && q.Scoring != ScoreMean {
		ps.Add(FieldError("scoring", "Choose how the answers are scored: sum (add them up) or mean (their average)."))
	}
	ps.Add(q.validateBands(itemsOK && (q.Scoring == ScoreSum || q.Scoring == ScoreMean)))
	return ps.Err()
}

// scaleOK says whether an item's scale is one a score can be worked out from.
func scaleOK(it *QuestionnaireItem) bool {
	return it.Min < it.Max && it.Min >= MinQuestionnaireAnswer && it.Max <= MaxQuestionnaireAnswer &&
		it.Max-it.Min <= MaxQuestionnaireSpan
}

// validateItem trims and checks item i (from 0) of a local questionnaire.
func validateItem(it *QuestionnaireItem, i int) error {
	n := i + 1
	field := "items." + strconv.Itoa(n)
	var ps Problems
	it.Text = strings.TrimSpace(it.Text)
	switch {
	case it.Text == "":
		ps.Add(FieldError(field+".text", "Enter the wording of question %d.", n))
	case utf8.RuneCountInString(it.Text) > MaxQuestionnaireItemTextLength:
		ps.Add(FieldError(field+".text", "The wording of question %d must be %d characters or fewer.", n, MaxQuestionnaireItemTextLength))
	case strings.ContainsRune(it.Text, 0):
		ps.Add(FieldError(field+".text", "The wording of question %d contains a character that is not allowed.", n))
	}
	switch {
	case it.Min < MinQuestionnaireAnswer:
		ps.Add(FieldError(field+".min", "The lowest answer to question %d must be %d or more.", n, MinQuestionnaireAnswer))
	case it.Max > MaxQuestionnaireAnswer:
		ps.Add(FieldError(field+".max", "The highest answer to question %d must be %d or less.", n, MaxQuestionnaireAnswer))
	case it.Min >= it.Max:
		ps.Add(FieldError(field+".max", "The highest answer to question %d must be more than the lowest (%d).", n, it.Min))
	case it.Max-it.Min > MaxQuestionnaireSpan:
		ps.Add(FieldError(field+".max", "Question %d's answers can run over at most %d points: from %d, the highest can be %d.", n, MaxQuestionnaireSpan, it.Min, it.Min+MaxQuestionnaireSpan))
	}
	seen := map[int]bool{}
	for j := range it.Options {
		o := &it.Options[j]
		of := field + ".options." + strconv.Itoa(j+1)
		o.Label = strings.TrimSpace(o.Label)
		switch {
		case o.Label == "":
			ps.Add(FieldError(of+".label", "Enter the label of answer %d to question %d, or remove it.", j+1, n))
		case utf8.RuneCountInString(o.Label) > MaxQuestionnaireLabelLength:
			ps.Add(FieldError(of+".label", "The label of answer %d to question %d must be %d characters or fewer.", j+1, n, MaxQuestionnaireLabelLength))
		case strings.ContainsAny(o.Label, "\r\n\t\x00"):
			ps.Add(FieldError(of+".label", "The label of answer %d to question %d must be on one line.", j+1, n))
		}
		switch {
		case o.Value < it.Min || o.Value > it.Max:
			ps.Add(FieldError(of+".value", "Labelled answer %d to question %d must be a value from %d to %d, the question's scale.", j+1, n, it.Min, it.Max))
		case seen[o.Value]:
			ps.Add(FieldError(of+".value", "Question %d labels the answer %d more than once.", n, o.Value))
		}
		seen[o.Value] = true
	}
	return ps.Err()
}

// scoreRange is the lowest and highest total q's answers can score.
func (q *Questionnaire) scoreRange() (lo, hi float64) {
	sumMin, sumMax := 0, 0
	for _, it := range q.Items {
		sumMin += it.Min
		sumMax += it.Max
	}
	if q.Scoring == ScoreMean && len(q.Items) > 0 {
		return meanOf(sumMin, len(q.Items)), meanOf(sumMax, len(q.Items))
	}
	return float64(sumMin), float64(sumMax)
}

// validateBands trims and checks the bands; checkRange is set when the items and rule are
// valid, so the range of possible scores is known.
func (q *Questionnaire) validateBands(checkRange bool) error {
	var ps Problems
	if len(q.Bands) > MaxQuestionnaireBands {
		return FieldError("bands", "A questionnaire can have at most %d bands, not %d.", MaxQuestionnaireBands, len(q.Bands))
	}
	lo, hi := q.scoreRange()
	valid := make([]bool, len(q.Bands))
	for i := range q.Bands {
		b := &q.Bands[i]
		n := i + 1
		field := "bands." + strconv.Itoa(n)
		b.Label = strings.TrimSpace(b.Label)
		switch {
		case b.Label == "":
			ps.Add(FieldError(field+".label", "Enter the name of band %d.", n))
		case utf8.RuneCountInString(b.Label) > MaxQuestionnaireLabelLength:
			ps.Add(FieldError(field+".label", "The name of band %d must be %d characters or fewer.", n, MaxQuestionnaireLabelLength))
		case strings.ContainsAny(b.Label, "\r\n\t\x00"):
			ps.Add(FieldError(field+".label", "The name of band %d must be on one line.", n))
		}
		switch {
		case !finite(b.Min):
			ps.Add(FieldError(field+".min", "Enter the lowest score of band %d as a number.", n))
		case !finite(b.Max):
			ps.Add(FieldError(field+".max", "Enter the highest score of band %d as a number.", n))
		case b.Min > b.Max:
			ps.Add(FieldError(field+".max", "The highest score of band %d must be at least its lowest (%s).", n, formatScore(b.Min)))
		case checkRange && b.Min < lo:
			ps.Add(FieldError(field+".min", "Band %d starts at %s, but the lowest possible score is %s.", n, formatScore(b.Min), formatScore(lo)))
		case checkRange && b.Max > hi:
			ps.Add(FieldError(field+".max", "Band %d ends at %s, but the highest possible score is %s.", n, formatScore(b.Max), formatScore(hi)))
		default:
			valid[i] = true
		}
	}
	for j := range q.Bands {
		if !valid[j] {
			continue
		}
		for i := range j {
			bi, bj := q.Bands[i], q.Bands[j]
			if valid[i] && bi.Min <= bj.Max && bj.Min <= bi.Max {
				ps.Add(FieldError("bands."+strconv.Itoa(j+1)+".min", "Band %d (%s to %s) overlaps band %d (%s to %s): a score can be in only one band.",
					j+1, formatScore(bj.Min), formatScore(bj.Max), i+1, formatScore(bi.Min), formatScore(bi.Max)))
				break
			}
		}
	}
	return ps.Err()
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// formatScore writes a score as briefly as it can: "5", "2.5", "-1.25".
func formatScore(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// meanOf is sum/n rounded half away from zero to two decimal places, worked out in whole
// numbers so that no binary fraction can tip a half the wrong way (n must be positive).
func meanOf(sum, n int) float64 {
	neg := sum < 0
	if neg {
		sum = -sum
	}
	// round(sum*100/n) = floor((2*sum*100 + n) / (2n)) for sum ≥ 0.
	hundredths := (200*sum + n) / (2 * n)
	if neg {
		hundredths = -hundredths
	}
	return float64(hundredths) / 100
}

// ScoreLocalAnswers scores answers to a questionnaire a place defined: each reversed item
// scores Max+Min-answer, then ScoreSum totals the scores and ScoreMean averages them
// (rounded half away from zero to two decimal places); Raw is always the sum. The band is
// the first of q's bands containing the total, or "".
func ScoreLocalAnswers(q *Questionnaire, a []int) (*QuestionnaireScore, error) {
	if q.Scoring != ScoreSum && q.Scoring != ScoreMean {
		return nil, Errorf(EINTERNAL, "questionnaire %q is not scored by a sum or a mean but by %q", q.Code, q.Scoring)
	}
	if len(q.Items) == 0 {
		return nil, Errorf(EINTERNAL, "questionnaire %q has no questions to score", q.Code)
	}
	if err := checkIntAnswers(q, a); err != nil {
		return nil, err
	}
	sum := 0
	for i, v := range a {
		if it := q.Items[i]; it.Reversed {
			v = it.Max + it.Min - v
		}
		sum += v
	}
	s := &QuestionnaireScore{Total: float64(sum), Raw: sum}
	if q.Scoring == ScoreMean {
		s.Total = meanOf(sum, len(a))
	}
	s.Band = bandOf(q.Bands, s.Total)
	return s, nil
}
