package linkwork

import (
	"strconv"
	"strings"
)

// The codes of the built-in questionnaires.
const (
	QuestionnaireONS4    = "ons4"
	QuestionnaireUCLA3   = "ucla3"
	QuestionnaireSWEMWBS = "swemwbs"
)

// SWEMWBSItemCount is the number of SWEMWBS items, and so of the licensed wording a
// deploying organisation supplies.
const SWEMWBSItemCount = 7

// ons4Item is one of the four ONS personal wellbeing questions.
type ons4Item struct {
	key, label, question string
	// lowerIsBetter is set for anxiety, the one question where a higher answer is worse.
	lowerIsBetter bool
}

// ons4Items are the ONS personal wellbeing questions in the order ONS asks them, with the
// question wording of ../shared/reference/outcome-measures/ons4_thresholds.csv.
var ons4Items = []ons4Item{
	{key: "life_satisfaction", label: "Life satisfaction", question: "Overall, how satisfied are you with your life nowadays?"},
	{key: "worthwhile", label: "Worthwhile", question: "Overall, to what extent do you feel that the things you do in your life are worthwhile?"},
	{key: "happiness", label: "Happiness", question: "Overall, how happy did you feel yesterday?"},
	{key: "anxiety", label: "Anxiety", question: "Overall, how anxious did you feel yesterday?", lowerIsBetter: true},
}

// ucla3Questions are the three questions of the UCLA 3-item loneliness scale (Hughes,
// Waite, Hawkley and Cacioppo, 2004) in the wording the Office for National Statistics uses.
var ucla3Questions = []string{
	"How often do you feel that you lack companionship?",
	"How often do you feel left out?",
	"How often do you feel isolated from others?",
}

// ucla3Bands name the UCLA 3-item totals. A total of 6 or more is the cut-off commonly used
// in research to count someone as often lonely; it is a convention, not an official or
// diagnostic threshold.
var ucla3Bands = []ScoreBand{
	{Min: 3, Max: 5, Label: "Not often lonely"},
	{Min: 6, Max: 9, Label: "Often lonely"},
}

// SWEMWBSLicence is the licence notice shown wherever SWEMWBS is used.
const SWEMWBSLicence = "The Short Warwick-Edinburgh Mental Wellbeing Scale (SWEMWBS) is © University of Warwick, " +
	"NHS Health Scotland and University of Edinburgh, all rights reserved. To use it, the organisation " +
	"deploying linkwork must hold a licence from Warwick Medical School (free for non-commercial use) and " +
	"supply the wording of the seven items in linkwork's casework settings. linkwork does not include the wording."

// BuiltInQuestionnaires returns new copies of the three built-in questionnaires: ONS4,
// UCLA3 and SWEMWBS. swemwbsWording is the licensed wording of SWEMWBS's seven items that
// the deploying organisation supplied; unless it has exactly seven entries, none empty, the
// items show as "Item 1" to "Item 7" and WordingMissing is set.
func BuiltInQuestionnaires(swemwbsWording []string) []*Questionnaire {
	return []*Questionnaire{ons4Questionnaire(), ucla3Questionnaire(), swemwbsQuestionnaire(swemwbsWording)}
}

func ons4Questionnaire() *Questionnaire {
	q := &Questionnaire{
		Code: QuestionnaireONS4,
		Name: "ONS personal wellbeing (ONS4)",
		Description: "The four questions the Office for National Statistics uses to measure personal wellbeing: " +
			"how satisfied the person is with their life, how worthwhile they feel the things they do are, " +
			"how happy and how anxious they felt yesterday. Each is answered from 0 to 10 and looked at on its own, " +
			"against the ONS thresholds; there is no total. For anxiety, a lower answer is better.",
		Instructions: "I'm going to ask you four questions about your feelings on aspects of your life. " +
			"There are no right or wrong answers. For each question, give an answer from 0 to 10, " +
			"where 0 is \"not at all\" and 10 is \"completely\".",
		Scoring:        ScoreONS4,
		HigherIsBetter: true, // except anxiety, which ScoreChanges handles per item
		BuiltIn:        true,
	}
	for _, it := range ons4Items {
		q.Items = append(q.Items, QuestionnaireItem{Text: it.question, Min: 0, Max: 10,
			Options: []ItemOption{{Value: 0, Label: "Not at all"}, {Value: 10, Label: "Completely"}}})
	}
	return q
}

func ucla3Questionnaire() *Questionnaire {
	q := &Questionnaire{
		Code: QuestionnaireUCLA3,
		Name: "Loneliness (UCLA 3-item scale)",
		Description: "Three questions about how often the person feels lonely: the short loneliness scale of " +
			"Hughes and others (2004), as the Office for National Statistics uses it. Each answer scores 1 to 3 and " +
			"they add up to a total from 3 to 9; a higher total means lonelier. A total of 6 or more is commonly " +
			"counted as often lonely in research; it is not a diagnosis.",
		Instructions: "The next questions are about how you feel about different aspects of your life. " +
			"For each one, say how often you feel that way: hardly ever, some of the time, or often.",
		Scoring:        ScoreUCLA3,
		Bands:          append([]ScoreBand(nil), ucla3Bands...),
		HigherIsBetter: false,
		BuiltIn:        true,
	}
	for _, text := range ucla3Questions {
		q.Items = append(q.Items, QuestionnaireItem{Text: text, Min: 1, Max: 3, Options: []ItemOption{
			{Value: 1, Label: "Hardly ever"}, {Value: 2, Label: "Some of the time"}, {Value: 3, Label: "Often"}}})
	}
	return q
}

func swemwbsQuestionnaire(wording []string) *Questionnaire {
	q := &Questionnaire{
		Code: QuestionnaireSWEMWBS,
		Name: "Short Warwick-Edinburgh Mental Wellbeing Scale (SWEMWBS)",
		Description: "Seven statements about thoughts and feelings over the last two weeks, each answered from " +
			"1 (none of the time) to 5 (all of the time). The answers add up to a raw score from 7 to 35, which " +
			"the official conversion table turns into a metric score from 7.00 to 35.00; a higher score means " +
			"better mental wellbeing.",
		Instructions: "Here are some statements about feelings and thoughts. For each one, choose the answer " +
			"that best describes your experience over the last two weeks.",
		Scoring:        ScoreSWEMWBS,
		HigherIsBetter: true,
		Licence:        SWEMWBSLicence,
		BuiltIn:        true,
	}
	supplied := len(wording) == SWEMWBSItemCount
	for _, w := range wording {
		if strings.TrimSpace(w) == "" {
			supplied = false
		}
	}
	q.WordingMissing = !supplied
	for i := range SWEMWBSItemCount {
		text := "Item " + strconv.Itoa(i+1)
		if supplied {
			text = strings.TrimSpace(wording[i])
		}
		q.Items = append(q.Items, QuestionnaireItem{Text: text, Min: 1, Max: 5, Options: []ItemOption{
			{Value: 1, Label: "None of the time"}, {Value: 2, Label: "Rarely"}, {Value: 3, Label: "Some of the time"},
			{Value: 4, Label: "Often"}, {Value: 5, Label: "All of the time"}}})
	}
	return q
}
