package linkwork

import (
	"context"
	"time"
)

// Questionnaire is the definition of a wellbeing questionnaire: one of the three built in
// (ONS4, UCLA3, SWEMWBS), each scored by its own tested function, or one a place's
// administrators define without code (items, a scale, a scoring rule and bands).
type Questionnaire struct {
	// ID is 0 for a built-in questionnaire.
	ID      int64 `json:"id,omitempty"`
	PlaceID int64 `json:"place_id,omitempty"`
	// Code is "ons4", "ucla3" or "swemwbs" for the built-in ones, and "local-<ID>" for a
	// place's own.
	Code        string `json:"code"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Instructions are read to or by the person before the items.
	Instructions string              `json:"instructions,omitempty"`
	Items        []QuestionnaireItem `json:"items"`
	// Scoring is the rule: ScoreSum or ScoreMean for a local questionnaire; the built-in
	// ones name their own.
	Scoring ScoringRule `json:"scoring"`
	// Bands name ranges of the score (local questionnaires; the built-in ones have their
	// own). They must not overlap.
	Bands []ScoreBand `json:"bands,omitempty"`
	// HigherIsBetter says which way a change is an improvement.
	HigherIsBetter bool `json:"higher_is_better"`
	// Licence is shown wherever the questionnaire is used (SWEMWBS needs a licence).
	Licence string `json:"licence,omitempty"`
	// WordingMissing is set for SWEMWBS when the deploying organisation has not supplied
	// the licensed item wording: the items show as "Item 1" to "Item 7", for answers
	// copied from the paper form.
	WordingMissing bool      `json:"wording_missing,omitempty"`
	BuiltIn        bool      `json:"built_in"`
	Retired        bool      `json:"retired"`
	CreatedAt      time.Time `json:"created_at,omitzero"`
}

// QuestionnaireItem is one question, answered with a whole number from Min to Max.
type QuestionnaireItem struct {
	Text string `json:"text"`
	Min  int    `json:"min"`
	Max  int    `json:"max"`
	// Options label some or all of the values ("0 = not at all", "3 = often").
	Options []ItemOption `json:"options,omitempty"`
	// Reversed items score Max+Min-answer (local questionnaires only).
	Reversed bool `json:"reversed,omitempty"`
}

// ItemOption labels one answer value.
type ItemOption struct {
	Value int    `json:"value"`
	Label string `json:"label"`
}

// ScoringRule is how a questionnaire's answers become a score.
type ScoringRule string

// The rules. The built-in rules are for their questionnaires only.
const (
	ScoreSum     ScoringRule = "sum"
	ScoreMean    ScoringRule = "mean"
	ScoreONS4    ScoringRule = "ons4"    // each item separately, with ONS thresholds
	ScoreUCLA3   ScoringRule = "ucla3"   // sum of three items scored 1–3
	ScoreSWEMWBS ScoringRule = "swemwbs" // sum of seven items 1–5, converted to the metric score
)

// ScoreBand names a range of scores, Min and Max included.
type ScoreBand struct {
	Min   float64 `json:"min"`
	Max   float64 `json:"max"`
	Label string  `json:"label"`
}

// QuestionnaireScore is a completed questionnaire's score.
type QuestionnaireScore struct {
	// Total is the score: the sum or the mean (rounded to two places), SWEMWBS's metric
	// score; for ONS4, which has no total, 0.
	Total float64 `json:"total"`
	// Raw is the sum of the answers as scored (after reversal); for SWEMWBS the raw score
	// the metric score converts.
	Raw int `json:"raw"`
	// Band is the total's band, if the questionnaire has bands.
	Band string `json:"band,omitempty"`
	// Items are per-item scores with their bands, for ONS4.
	Items []ItemScore `json:"items,omitempty"`
}

// ItemScore is one item's score and band.
type ItemScore struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Value int    `json:"value"`
	Band  string `json:"band"`
}

// QuestionnaireResponse is a person's answers to a questionnaire at one point of their
// support: a draft while incomplete, scored only once complete.
type QuestionnaireResponse struct {
	ID                int64  `json:"id"`
	PersonID          int64  `json:"person_id"`
	QuestionnaireCode string `json:"questionnaire_code"`
	QuestionnaireName string `json:"questionnaire_name"`
	// Timepoint is baseline, review or final.
	Timepoint Timepoint `json:"timepoint"`
	// Answers has one entry per item; nil is not yet answered (drafts only).
	Answers []*int         `json:"answers"`
	Status  ResponseStatus `json:"status"`
	// Score is set when complete.
	Score *QuestionnaireScore `json:"score,omitempty"`
	// CompletedOn is when the person answered (complete responses).
	CompletedOn      string    `json:"completed_on,omitempty"`
	RecordedByUserID int64     `json:"recorded_by_user_id,omitempty"`
	RecordedBy       string    `json:"recorded_by"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
	Version          int       `json:"version"`
}

// Timepoint is when in a person's support a questionnaire was answered.
type Timepoint string

// The timepoints.
const (
	TimepointBaseline Timepoint = "baseline"
	TimepointReview   Timepoint = "review"
	TimepointFinal    Timepoint = "final"
)

// Timepoints lists them in order.
var Timepoints = []Timepoint{TimepointBaseline, TimepointReview, TimepointFinal}

var timepointLabels = map[Timepoint]string{TimepointBaseline: "At the start (baseline)",
	TimepointReview: "During support (review)", TimepointFinal: "At the end (final)"}

// Label is the timepoint in plain English.
func (t Timepoint) Label() string { return timepointLabels[t] }

// ResponseStatus says whether a response is a draft or complete.
type ResponseStatus string

// The response statuses.
const (
	ResponseDraft    ResponseStatus = "draft"
	ResponseComplete ResponseStatus = "complete"
)

// ScoreChange compares a complete baseline with a later complete response to the same
// questionnaire.
type ScoreChange struct {
	QuestionnaireCode string                 `json:"questionnaire_code"`
	QuestionnaireName string                 `json:"questionnaire_name"`
	Baseline          *QuestionnaireResponse `json:"baseline"`
	Latest            *QuestionnaireResponse `json:"latest"`
	// Change is latest minus baseline of the total (rounded to two places); Items the
	// same per item for ONS4.
	Change float64      `json:"change"`
	Items  []ItemChange `json:"items,omitempty"`
	// Direction is "better", "worse" or "same", taking the questionnaire's direction (and
	// ONS4 anxiety's reversal) into account.
	Direction string `json:"direction"`
}

// ItemChange is the change in one item's score.
type ItemChange struct {
	Key       string `json:"key"`
	Label     string `json:"label"`
	Change    int    `json:"change"`
	Direction string `json:"direction"`
}

// QuestionnaireService keeps questionnaire definitions and people's responses.
type QuestionnaireService interface {
	// Questionnaires returns the place's questionnaires: the three built in (SWEMWBS
	// with the place's licensed wording, if supplied) then the place's own, retired
	// ones only when asked.
	Questionnaires(ctx context.Context, placeID int64, includeRetired bool) ([]*Questionnaire, error)
	// FindQuestionnaire returns one of the place's questionnaires by code, or ENOTFOUND.
	FindQuestionnaire(ctx context.Context, placeID int64, code string) (*Questionnaire, error)
	// DefineQuestionnaire validates and stores a new local questionnaire, setting its ID
	// and code. Definitions are never edited once made, so that every response keeps the
	// meaning it had; a changed questionnaire is a new one, and the old one is retired.
	DefineQuestionnaire(ctx context.Context, q *Questionnaire) error
	// RetireQuestionnaire stops a local questionnaire being offered for new responses.
	RetireQuestionnaire(ctx context.Context, placeID, id int64) error
	// SetSWEMWBSWording stores the seven licensed SWEMWBS items a place's deploying
	// organisation supplies (nil removes them).
	SetSWEMWBSWording(ctx context.Context, placeID int64, items []string) error
	// SaveResponse validates and stores a response for a person with an open case: new
	// when r.ID is 0, otherwise a draft at r.Version (ECONFLICT if changed). A complete
	// response is scored by the questionnaire's function and can no longer be changed.
	SaveResponse(ctx context.Context, r *QuestionnaireResponse) error
	// FindResponse returns one response, or ENOTFOUND.
	FindResponse(ctx context.Context, id int64) (*QuestionnaireResponse, error)
	// ListResponses returns a person's responses, newest first.
	ListResponses(ctx context.Context, personID int64) ([]*QuestionnaireResponse, error)
	// DeleteDraft removes a draft response (not a complete one).
	DeleteDraft(ctx context.Context, id int64) error
}
