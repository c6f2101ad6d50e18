package linkwork

import (
	"fmt"
	"strings"
	"time"
)

// Person is the case record a connector scheme's organisation keeps about someone it
// supports: one per person per holding organisation, opened from an accepted referral or
// directly. It holds who they are, how to reach them, the demographics that equity
// monitoring needs, and where their case stands. Everything else about their support (what
// matters, the plan, contacts, questionnaires, onward referrals) hangs off it.
type Person struct {
	ID      int64  `json:"id"`
	UUID    string `json:"uuid"`
	PlaceID int64  `json:"place_id"`
	// OrganisationID is the organisation that holds the record: only people with a role
	// there may see it.
	OrganisationID   int64  `json:"organisation_id"`
	OrganisationName string `json:"organisation_name"`
	// ReferralID is the referral the record was opened from, or 0 when opened directly.
	ReferralID        int64  `json:"referral_id,omitempty"`
	ReferralReference string `json:"referral_reference,omitempty"`

	GivenName  string `json:"given_name"`
	FamilyName string `json:"family_name"`
	// PreferredName is what the person likes to be called, if not their given name.
	PreferredName string `json:"preferred_name,omitempty"`
	DateOfBirth   string `json:"date_of_birth"` // YYYY-MM-DD
	// NHSNumber is ten digits, checked with its modulus 11 check digit, or empty.
	NHSNumber          string          `json:"nhs_number,omitempty"`
	Address1           string          `json:"address_1,omitempty"`
	Address2           string          `json:"address_2,omitempty"`
	Town               string          `json:"town,omitempty"`
	Postcode           string          `json:"postcode"`
	Phone              string          `json:"phone,omitempty"`
	Email              string          `json:"email,omitempty"`
	ContactPreferences []ContactMethod `json:"contact_preferences"`
	Language           string          `json:"language,omitempty"` // preferred language for contact
	Interpreter        bool            `json:"interpreter"`
	AccessNeeds        string          `json:"access_needs,omitempty"`
	GPPractice         string          `json:"gp_practice,omitempty"`

	Demographics Demographics `json:"demographics"`
	// LSOA and IMDDecile come from the postcode when the record is saved (decile 1 is the
	// most deprived tenth of England); "" and 0 when the postcode is not known to linkwork.
	LSOA      string `json:"lsoa,omitempty"`
	IMDDecile int    `json:"imd_decile,omitempty"`

	// WorkerUserID is the link worker responsible for the person, or 0 for none yet.
	WorkerUserID int64  `json:"worker_user_id,omitempty"`
	WorkerName   string `json:"worker_name,omitempty"`

	Status   PersonStatus `json:"status"`
	OpenedOn string       `json:"opened_on"` // YYYY-MM-DD
	// LastContactOn is the date of the latest contact; FollowUpOn the next follow-up the
	// worker set at a contact; NextStepDue and NextStep the earliest open step of the plan.
	// The store keeps all four current, so caseloads need no sums.
	LastContactOn string `json:"last_contact_on,omitempty"`
	FollowUpOn    string `json:"follow_up_on,omitempty"`
	NextStepDue   string `json:"next_step_due,omitempty"`
	NextStep      string `json:"next_step,omitempty"`

	// Set when the case is closed.
	Outcome     CaseOutcome `json:"outcome,omitempty"`
	ClosingNote string      `json:"closing_note,omitempty"`
	ClosedAt    *time.Time  `json:"closed_at,omitempty"`
	// ErasedAt is set when the person's personal data was erased; only anonymous facts
	// remain (see docs/casework.md).
	ErasedAt *time.Time `json:"erased_at,omitempty"`

	// Version counts changes; an update names the version it was made on (ECONFLICT if the
	// record changed meanwhile).
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Name is the person's full name.
func (p *Person) Name() string { return strings.TrimSpace(p.GivenName + " " + p.FamilyName) }

// KnownAs is what to call the person: their preferred name, or their given name.
func (p *Person) KnownAs() string {
	if p.PreferredName != "" {
		return p.PreferredName
	}
	return p.GivenName
}

// Age is the person's age in whole years on a day, or -1 if the date of birth is unknown.
func (p *Person) Age(on time.Time) int {
	return ReferralPerson{DateOfBirth: p.DateOfBirth}.Age(on)
}

// IsOpen reports whether the case is open: waiting or active.
func (p *Person) IsOpen() bool { return p.Status == PersonWaiting || p.Status == PersonActive }

// PersonStatus is where a case stands.
type PersonStatus string

// The statuses. A case opens as waiting, becomes active at its first contact, and is closed
// with an outcome; erased is final and keeps only anonymous facts.
const (
	PersonWaiting PersonStatus = "waiting"
	PersonActive  PersonStatus = "active"
	PersonClosed  PersonStatus = "closed"
	PersonErased  PersonStatus = "erased"
)

// PersonStatuses lists them in order.
var PersonStatuses = []PersonStatus{PersonWaiting, PersonActive, PersonClosed, PersonErased}

var personStatusLabels = map[PersonStatus]string{PersonWaiting: "Waiting for a first contact",
	PersonActive: "Being supported", PersonClosed: "Closed", PersonErased: "Erased"}

// Label is the status in plain English.
func (s PersonStatus) Label() string { return personStatusLabels[s] }

// Valid reports whether s is one of the statuses.
func (s PersonStatus) Valid() bool { _, ok := personStatusLabels[s]; return ok }

// Demographics are what equity monitoring needs, each optional: the person may decline to
// say, which is recorded as "not_stated", different from not asked ("").
type Demographics struct {
	Sex Sex `json:"sex,omitempty"`
	// GenderSameAsSex answers "Is the gender you identify with the same as your sex
	// registered at birth?" (the 2021 census question); Gender is their gender in their
	// own words, if they want it recorded.
	GenderSameAsSex Answer         `json:"gender_same_as_sex,omitempty"`
	Gender          string         `json:"gender,omitempty"`
	Ethnicity       EthnicCategory `json:"ethnicity,omitempty"`
	Disability      Answer         `json:"disability,omitempty"` // a long-term condition or disability
	Carer           Answer         `json:"carer,omitempty"`      // an unpaid carer
	FirstLanguage   string         `json:"first_language,omitempty"`
}

// Sex is the person's sex, in the codes of the NHS Data Dictionary's "person stated
// gender" (1 male, 2 female, 9 indeterminate, X not known), spelt out.
type Sex string

// The sexes.
const (
	SexMale          Sex = "male"
	SexFemale        Sex = "female"
	SexIndeterminate Sex = "indeterminate"
	SexNotKnown      Sex = "not_known"
	SexNotStated     Sex = "not_stated"
)

// Sexes lists them in the order forms show them.
var Sexes = []Sex{SexFemale, SexMale, SexIndeterminate, SexNotKnown, SexNotStated}

var sexLabels = map[Sex]string{SexMale: "Male", SexFemale: "Female", SexIndeterminate: "Indeterminate (unable to be classified)",
	SexNotKnown: "Not known", SexNotStated: "Prefers not to say"}

// Label is the sex in plain English.
func (s Sex) Label() string { return sexLabels[s] }

// Answer is a yes or no that the person may decline to give.
type Answer string

// The answers; "" is not asked.
const (
	AnswerYes       Answer = "yes"
	AnswerNo        Answer = "no"
	AnswerNotStated Answer = "not_stated"
)

// Answers lists them in the order forms show them.
var Answers = []Answer{AnswerYes, AnswerNo, AnswerNotStated}

var answerLabels = map[Answer]string{AnswerYes: "Yes", AnswerNo: "No", AnswerNotStated: "Prefers not to say"}

// Label is the answer in plain English.
func (a Answer) Label() string { return answerLabels[a] }

// EthnicCategory is the NHS Data Dictionary's ethnic category code (the 2001 census
// categories): A to S, Z for not stated and 99 for not known.
type EthnicCategory string

// EthnicCategories lists the codes in the Data Dictionary's order.
var EthnicCategories = []EthnicCategory{"A", "B", "C", "D", "E", "F", "G", "H", "J", "K", "L", "M", "N", "P", "R", "S", "Z", "99"}

var ethnicLabels = map[EthnicCategory]string{
	"A": "White: British", "B": "White: Irish", "C": "White: any other White background",
	"D": "Mixed: White and Black Caribbean", "E": "Mixed: White and Black African", "F": "Mixed: White and Asian",
	"G": "Mixed: any other mixed background",
	"H": "Asian or Asian British: Indian", "J": "Asian or Asian British: Pakistani", "K": "Asian or Asian British: Bangladeshi",
	"L": "Asian or Asian British: any other Asian background",
	"M": "Black or Black British: Caribbean", "N": "Black or Black British: African", "P": "Black or Black British: any other Black background",
	"R": "Other ethnic groups: Chinese", "S": "Other ethnic groups: any other ethnic group",
	"Z": "Not stated (the person chose not to say)", "99": "Not known",
}

// Label is the category in plain English.
func (e EthnicCategory) Label() string { return ethnicLabels[e] }

// Group is the broad group: White, Mixed, Asian, Black, Other, or Not stated.
func (e EthnicCategory) Group() string {
	l := ethnicLabels[e]
	switch {
	case l == "":
		return ""
	case strings.HasPrefix(l, "Asian"):
		return "Asian or Asian British"
	case strings.HasPrefix(l, "Black"):
		return "Black or Black British"
	case strings.HasPrefix(l, "Other"):
		return "Other ethnic group"
	case e == "Z" || e == "99":
		return "Not stated or not known"
	}
	return l[:strings.Index(l, ":")]
}

// CaseOutcome is how a case ended.
type CaseOutcome string

// The outcomes.
const (
	CaseGoalsMet    CaseOutcome = "goals_met"
	CasePartlyMet   CaseOutcome = "partly_met"
	CaseNotEngaged  CaseOutcome = "not_engaged"
	CaseMoved       CaseOutcome = "moved"
	CaseDeclined    CaseOutcome = "declined"
	CaseDeceased    CaseOutcome = "deceased"
	CaseOtherEnding CaseOutcome = "other"
)

// CaseOutcomes lists them in the order forms show them.
var CaseOutcomes = []CaseOutcome{CaseGoalsMet, CasePartlyMet, CaseNotEngaged, CaseMoved, CaseDeclined, CaseDeceased, CaseOtherEnding}

var caseOutcomeLabels = map[CaseOutcome]string{CaseGoalsMet: "Goals met", CasePartlyMet: "Goals partly met",
	CaseNotEngaged: "Did not engage", CaseMoved: "Moved away", CaseDeclined: "Declined further support",
	CaseDeceased: "Died", CaseOtherEnding: "Other (given in the note)"}

// Label is the outcome in plain English.
func (o CaseOutcome) Label() string { return caseOutcomeLabels[o] }

// ReferralOutcome is the outcome the referral the case came from is closed with.
func (o CaseOutcome) ReferralOutcome() ReferralOutcome {
	switch o {
	case CaseGoalsMet, CasePartlyMet:
		return OutcomeSupported
	case CaseNotEngaged:
		return OutcomeNoContact
	case CaseMoved:
		return OutcomeMovedAway
	case CaseDeclined:
		return OutcomeWithdrew
	}
	return OutcomeOtherEnding
}

// Limits on what a person record holds.
const (
	MaxPersonTextLength = 4000
	MaxShortTextLength  = 500
)

// Validate trims and checks a person record's own fields, reporting every problem. The
// store checks the organisation and worker. today is the current date.
func (p *Person) Validate(today time.Time) error {
	// The checks shared with a referral's person run on a copy in that shape.
	rp := ReferralPerson{GivenName: p.GivenName, FamilyName: p.FamilyName, DateOfBirth: p.DateOfBirth,
		NHSNumber: p.NHSNumber, Address1: p.Address1, Address2: p.Address2, Town: p.Town, Postcode: p.Postcode,
		Phone: p.Phone, Email: p.Email, ContactPreferences: p.ContactPreferences, Language: p.Language,
		Interpreter: p.Interpreter, AccessNeeds: p.AccessNeeds, GPPractice: p.GPPractice}
	var ps Problems
	for _, e := range FieldErrors(validatePersonDetails(&rp, today)) {
		ps.Add(e)
	}
	p.GivenName, p.FamilyName, p.DateOfBirth, p.NHSNumber = rp.GivenName, rp.FamilyName, rp.DateOfBirth, rp.NHSNumber
	p.Address1, p.Address2, p.Town, p.Postcode = rp.Address1, rp.Address2, rp.Town, rp.Postcode
	p.Phone, p.Email, p.Language, p.AccessNeeds, p.GPPractice = rp.Phone, rp.Email, rp.Language, rp.AccessNeeds, rp.GPPractice
	if p.ContactPreferences == nil {
		p.ContactPreferences = []ContactMethod{}
	}

	p.PreferredName = strings.TrimSpace(p.PreferredName)
	ps.Add(validateText("preferred_name", p.PreferredName, 100, false))
	d := &p.Demographics
	d.Gender, d.FirstLanguage = strings.TrimSpace(d.Gender), strings.TrimSpace(d.FirstLanguage)
	if d.Sex != "" && sexLabels[d.Sex] == "" {
		ps.Add(FieldError("sex", "Choose the person's sex from: female, male, indeterminate, not_known, not_stated."))
	}
	for field, a := range map[string]Answer{"gender_same_as_sex": d.GenderSameAsSex, "disability": d.Disability, "carer": d.Carer} {
		if a != "" && answerLabels[a] == "" {
			ps.Add(FieldError(field, "Answer %s with yes, no or not_stated.", fieldName(field)))
		}
	}
	ps.Add(validateText("gender", d.Gender, 100, false))
	if d.Ethnicity != "" && ethnicLabels[d.Ethnicity] == "" {
		ps.Add(FieldError("ethnicity", "Choose an ethnic category code from the NHS Data Dictionary: A to S (not I, O or Q), Z for not stated or 99 for not known."))
	}
	ps.Add(validateText("first_language", d.FirstLanguage, 80, false))
	if p.OpenedOn != "" {
		ps.Add(validateDay("opened_on", p.OpenedOn, p.DateOfBirth, today))
	}
	return ps.Err()
}

// validatePersonDetails checks the fields a person record shares with a referral's person:
// names, date of birth, NHS number, address, contact details and preferences.
func validatePersonDetails(p *ReferralPerson, today time.Time) error {
	r := Referral{Person: *p}
	err := r.Validate(today)
	*p = r.Person
	var ps Problems
	for _, e := range FieldErrors(err) {
		switch e.Field {
		case "need_ids", "reason", "consent", "consent_method", "referrer_type", "referrer_name":
			continue // not part of a person
		}
		ps.Add(e)
	}
	return ps.Err()
}

// validateDay checks a required date field of a case: a real date, year-month-day, not in
// the future, and not before the person was born (dob may be empty or invalid, when it is
// not checked against).
func validateDay(field, v, dob string, today time.Time) error {
	d, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return FieldError(field, "Enter the %s as a real date, year-month-day, such as %s.", fieldName(field), today.Format(time.DateOnly))
	}
	if d.After(today) {
		return FieldError(field, "The %s must be today or in the past.", fieldName(field))
	}
	if b, err := time.Parse(time.DateOnly, dob); err == nil && d.Before(b) {
		return FieldError(field, "The %s cannot be before the person was born (%s).", fieldName(field), b.Format("2 January 2006"))
	}
	return nil
}

// validateFutureDay checks an optional date field that may be in the future (a due date, a
// follow-up): a real date, not before notBefore (if given) and at most two years ahead.
func validateFutureDay(field, v string, notBefore string, today time.Time) error {
	if v == "" {
		return nil
	}
	d, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return FieldError(field, "Enter the %s as a real date, year-month-day, such as %s.", fieldName(field), today.AddDate(0, 0, 14).Format(time.DateOnly))
	}
	if nb, err := time.Parse(time.DateOnly, notBefore); err == nil && d.Before(nb) {
		return FieldError(field, "The %s cannot be before %s.", fieldName(field), nb.Format("2 January 2006"))
	}
	if d.After(today.AddDate(2, 0, 0)) {
		return FieldError(field, "The %s must be within the next two years.", fieldName(field))
	}
	return nil
}

// CaseClosure is a request to close a case.
type CaseClosure struct {
	PersonID int64       `json:"person_id"`
	Version  int         `json:"version"`
	Outcome  CaseOutcome `json:"outcome"`
	Note     string      `json:"note"`
}

// Validate checks a closure.
func (c *CaseClosure) Validate() error {
	c.Note = strings.TrimSpace(c.Note)
	var ps Problems
	if caseOutcomeLabels[c.Outcome] == "" {
		codes := make([]string, len(CaseOutcomes))
		for i, o := range CaseOutcomes {
			codes[i] = string(o)
		}
		ps.Add(FieldError("outcome", "Choose how the case ended: %s.", strings.Join(codes, ", ")))
	}
	if c.Outcome == CaseOtherEnding && c.Note == "" {
		ps.Add(FieldError("note", "Say in the note how the case ended."))
	}
	ps.Add(validateText("note", c.Note, MaxPersonTextLength, false))
	return ps.Err()
}

// AgeBand is the ten-year band an age falls in, as anonymous counts keep it: "18-24" and
// "25-34" and so on up to "85+", "0-17" for children, "" when unknown.
func AgeBand(age int) string {
	switch {
	case age < 0:
		return ""
	case age < 18:
		return "0-17"
	case age < 25:
		return "18-24"
	case age >= 85:
		return "85+"
	}
	lo := age / 10 * 10
	if age%10 < 5 {
		lo -= 5
	} else {
		lo += 5
	}
	return fmt.Sprintf("%d-%d", lo, lo+9)
}
