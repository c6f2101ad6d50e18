package linkwork

import (
	"context"
	"strings"
)

// Taxonomy is a vocabulary that classifies community offers. Each place has its own copy
// of the built-in ones, which it can add to: needs, the four building blocks the York and
// Wakefield work found, the Five Ways to Wellbeing, client groups and accessibility.
type Taxonomy struct {
	ID          int64          `json:"id"`
	UUID        string         `json:"uuid"`
	PlaceID     int64          `json:"place_id"`
	Code        string         `json:"code"`
	Name        string         `json:"name"`
	Description string         `json:"description"`
	Terms       []TaxonomyTerm `json:"terms,omitempty"`
}

// TaxonomyTerm is one term of a taxonomy, such as "loneliness" in needs.
type TaxonomyTerm struct {
	ID           int64  `json:"id"`
	UUID         string `json:"uuid"`
	TaxonomyID   int64  `json:"taxonomy_id"`
	TaxonomyCode string `json:"taxonomy"`
	Code         string `json:"code"`
	Name         string `json:"name"`
	Description  string `json:"description,omitempty"`
}

// The codes of the built-in taxonomies.
const (
	TaxonomyNeed          = "need"
	TaxonomyBuildingBlock = "building_block"
	TaxonomyFiveWays      = "five_ways"
	TaxonomyClientGroup   = "client_group"
	TaxonomyAccessibility = "accessibility"
)

// DefaultTaxonomies are the taxonomies every place starts with, and their terms.
var DefaultTaxonomies = []Taxonomy{
	{Code: TaxonomyNeed, Name: "Needs", Description: "What a person needs help with. Each place can add its own.",
		Terms: terms(
			"loneliness:Loneliness and isolation", "mental_wellbeing:Mental wellbeing", "physical_activity:Physical activity",
			"money_debt:Money and debt", "housing:Housing", "carers:Support for carers", "employment_skills:Employment and skills",
			"arts_creativity:Arts and creativity", "nature_gardening:Nature and gardening", "food:Food", "digital_skills:Digital skills",
			"bereavement:Bereavement", "long_term_conditions:Living with a long-term condition", "learning:Learning",
			"volunteering:Volunteering", "befriending:Befriending", "substance_use:Alcohol and drugs",
			"domestic_abuse:Domestic abuse", "benefits_advice:Benefits advice", "transport:Getting about")},
	{Code: TaxonomyBuildingBlock, Name: "Building blocks", Description: "What works for people, from the York and Wakefield work.",
		Terms: terms("connect:Connect: to meet people and belong", "space:Space: a place to be and to go",
			"skills_passions:Skills and passions: to use and grow them", "take_control:Take control: of their life and health")},
	{Code: TaxonomyFiveWays, Name: "Five Ways to Wellbeing", Description: "The New Economics Foundation's five ways to wellbeing.",
		Terms: terms("connect:Connect", "be_active:Be active", "take_notice:Take notice", "keep_learning:Keep learning", "give:Give")},
	{Code: TaxonomyClientGroup, Name: "Client groups", Description: "Who an offer is for.",
		Terms: terms("everyone:Everyone", "older_people:Older people", "young_people:Young people", "families:Families with children",
			"carers:Carers", "men:Men", "women:Women", "lgbtq:LGBTQ+ people", "disabled_people:Disabled people",
			"learning_disability:People with a learning disability", "mental_health:People with mental health needs",
			"refugees_asylum:Refugees and people seeking asylum", "veterans:Veterans", "ethnic_minorities:Ethnic minority communities",
			"long_term_conditions:People with long-term conditions", "frequent_service_users:People who use urgent care often")},
	{Code: TaxonomyAccessibility, Name: "Accessibility", Description: "What a venue or activity offers to make it accessible.",
		Terms: terms("step_free:Step-free access", "accessible_toilet:Accessible toilet", "hearing_loop:Hearing loop",
			"bsl:British Sign Language", "large_print:Large print", "quiet_space:Quiet space", "parking:Blue badge parking",
			"public_transport:Near public transport", "online:Can join online", "home_visits:Home visits")},
}

func terms(specs ...string) []TaxonomyTerm {
	out := make([]TaxonomyTerm, len(specs))
	for i, s := range specs {
		code, name, _ := strings.Cut(s, ":")
		out[i] = TaxonomyTerm{Code: code, Name: name}
	}
	return out
}

// Validate trims and checks a term.
func (t *TaxonomyTerm) Validate() error {
	t.Code, t.Name, t.Description = strings.TrimSpace(t.Code), strings.TrimSpace(t.Name), strings.TrimSpace(t.Description)
	var ps Problems
	if !validCode(t.Code) {
		ps.Add(FieldError("code", "The code must be 1 to 40 lower-case letters, digits or underscores, such as walking_groups."))
	}
	ps.Add(validateName("name", t.Name, 120))
	ps.Add(validateText("description", t.Description, 1000, false))
	return ps.Err()
}

func validCode(s string) bool {
	if s == "" || len(s) > 40 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// TaxonomyService keeps a place's taxonomies.
type TaxonomyService interface {
	// EnsureDefaultTaxonomies gives a place the built-in taxonomies and terms it lacks.
	EnsureDefaultTaxonomies(ctx context.Context, placeID int64) error
	// ListTaxonomies returns a place's taxonomies with their terms.
	ListTaxonomies(ctx context.Context, placeID int64) ([]*Taxonomy, error)
	// AddTerm adds a term to one of a place's taxonomies.
	AddTerm(ctx context.Context, placeID int64, taxonomyCode string, t *TaxonomyTerm) error
}
