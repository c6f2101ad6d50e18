package linkwork

import "strings"

// SchemeModel is the kind of connector a scheme employs.
type SchemeModel string

// The connector scheme models found across places.
const (
	ModelPCNLinkWorker      SchemeModel = "pcn_link_worker"
	ModelHighIntensityUser  SchemeModel = "high_intensity_user"
	ModelHealthChampion     SchemeModel = "practice_health_champion"
	ModelLocalAreaCoord     SchemeModel = "local_area_coordination"
	ModelHousingConnector   SchemeModel = "housing_connector"
	ModelPoliceConnector    SchemeModel = "police_connector"
	ModelCommunityNavigator SchemeModel = "community_navigator"
	ModelCareCoordinator    SchemeModel = "care_coordinator"
	ModelHealthCoach        SchemeModel = "health_wellbeing_coach"
	ModelOther              SchemeModel = "other"
)

// SchemeModels lists the models in the order forms show them.
var SchemeModels = []SchemeModel{ModelPCNLinkWorker, ModelHighIntensityUser, ModelHealthChampion, ModelLocalAreaCoord,
	ModelHousingConnector, ModelPoliceConnector, ModelCommunityNavigator, ModelCareCoordinator, ModelHealthCoach, ModelOther}

var modelLabels = map[SchemeModel]string{
	ModelPCNLinkWorker:      "Primary care network social prescribing link worker",
	ModelHighIntensityUser:  "High intensity user service",
	ModelHealthChampion:     "Practice health champions",
	ModelLocalAreaCoord:     "Local area coordination",
	ModelHousingConnector:   "Housing connector",
	ModelPoliceConnector:    "Police connector",
	ModelCommunityNavigator: "Community navigator",
	ModelCareCoordinator:    "Care coordinator",
	ModelHealthCoach:        "Health and wellbeing coach",
	ModelOther:              "Other connector",
}

// Label is the model's plain-English name.
func (m SchemeModel) Label() string { return modelLabels[m] }

// ReferrerType is who sends referrals: used for who may refer to a scheme.
type ReferrerType string

// The kinds of referrer.
const (
	ReferrerGP       ReferrerType = "gp_practice"
	ReferrerHousing  ReferrerType = "housing"
	ReferrerPolice   ReferrerType = "police"
	ReferrerCouncil  ReferrerType = "council"
	ReferrerVCSE     ReferrerType = "vcse"
	ReferrerHospital ReferrerType = "hospital"
	ReferrerSelf     ReferrerType = "self"
	ReferrerOther    ReferrerType = "other"
)

// ReferrerTypes lists the kinds of referrer in the order forms show them.
var ReferrerTypes = []ReferrerType{ReferrerGP, ReferrerHousing, ReferrerPolice, ReferrerCouncil, ReferrerVCSE,
	ReferrerHospital, ReferrerSelf, ReferrerOther}

var referrerLabels = map[ReferrerType]string{ReferrerGP: "GP practice", ReferrerHousing: "Housing",
	ReferrerPolice: "Police", ReferrerCouncil: "Council", ReferrerVCSE: "Voluntary or community organisation",
	ReferrerHospital: "Hospital", ReferrerSelf: "The person themselves", ReferrerOther: "Other"}

// Label is the referrer type's plain-English name.
func (r ReferrerType) Label() string { return referrerLabels[r] }

// ConnectorScheme holds what a connector scheme records beyond a service: how it works, who
// may refer and how, its capacity, and the systems and tools it uses (which the landscape
// analysis compares across schemes).
type ConnectorScheme struct {
	Model            SchemeModel    `json:"model"`
	WhoCanRefer      []ReferrerType `json:"who_can_refer"`
	HowToRefer       string         `json:"how_to_refer,omitempty"`
	FundingSource    string         `json:"funding_source,omitempty"`
	StaffFTE         float64        `json:"staff_fte"`
	CaseloadLimit    int            `json:"caseload_limit"` // people per worker at once
	WaitingWeeks     int            `json:"waiting_weeks"`  // current wait for a first contact
	ElectronicSystem string         `json:"electronic_system,omitempty"`
	AssessmentTools  []string       `json:"assessment_tools"`
}

// Validate checks the scheme's details.
func (c *ConnectorScheme) Validate() error {
	c.HowToRefer, c.FundingSource = strings.TrimSpace(c.HowToRefer), strings.TrimSpace(c.FundingSource)
	c.ElectronicSystem = strings.TrimSpace(c.ElectronicSystem)
	c.AssessmentTools = cleanList(c.AssessmentTools)
	var ps Problems
	if _, ok := modelLabels[c.Model]; !ok {
		ps.Add(FieldError("scheme.model", "Choose the scheme's model."))
	}
	if len(c.WhoCanRefer) == 0 {
		ps.Add(FieldError("scheme.who_can_refer", "Choose at least one kind of referrer."))
	}
	for _, r := range c.WhoCanRefer {
		if _, ok := referrerLabels[r]; !ok {
			ps.Add(FieldError("scheme.who_can_refer", "%q is not a kind of referrer.", string(r)))
			break
		}
	}
	ps.Add(validateList("scheme.assessment_tools", c.AssessmentTools, 30))
	ps.Add(validateText("scheme.how_to_refer", c.HowToRefer, 2000, false))
	ps.Add(validateText("scheme.funding_source", c.FundingSource, 200, false))
	ps.Add(validateText("scheme.electronic_system", c.ElectronicSystem, 120, false))
	if !(c.StaffFTE >= 0 && c.StaffFTE <= 1000) { // also refuses NaN
		ps.Add(FieldError("scheme.staff_fte", "Enter the staff as full-time equivalents, from 0 to 1000."))
	}
	if c.CaseloadLimit < 0 || c.CaseloadLimit > 1000 {
		ps.Add(FieldError("scheme.caseload_limit", "Enter the caseload limit per worker, from 0 to 1000."))
	}
	if c.WaitingWeeks < 0 || c.WaitingWeeks > 104 {
		ps.Add(FieldError("scheme.waiting_weeks", "Enter the current wait in weeks, from 0 to 104."))
	}
	return ps.Err()
}
