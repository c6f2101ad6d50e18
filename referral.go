package linkwork

import (
	"context"
	"net/mail"
	"strings"
	"time"
)

// Referral is a request for a connector scheme to support a person: sent by a professional,
// by a system through the API, or by the person themselves. It follows the PRSB social
// prescribing referral standard where the standard has a field. A referral is never lost:
// it moves only through the transitions in referral_lifecycle.go, each one recorded.
type Referral struct {
	ID      int64  `json:"id"`
	UUID    string `json:"uuid"`
	PlaceID int64  `json:"place_id"`
	// Reference is the short code people quote on the phone, such as "R-7K3M9Q".
	Reference string `json:"reference"`

	Person   ReferralPerson `json:"person"`
	NeedIDs  []int64        `json:"need_ids"` // terms of the need taxonomy
	Needs    []TaxonomyTerm `json:"needs"`    // filled in when read
	Reason   string         `json:"reason"`   // in the referrer's words
	Risk     string         `json:"risk,omitempty"`
	Urgency  Urgency        `json:"urgency"`
	Referrer ReferralSource `json:"referrer"`
	Consent  Consent        `json:"consent"`

	// ClientGroupIDs are terms of the client group taxonomy the person belongs to, used
	// for routing.
	ClientGroupIDs []int64 `json:"client_group_ids"`

	// SchemeID is the connector scheme (a service of kind connector_scheme) the referral is
	// with now; SchemeOrganisationID is the organisation that runs it.
	SchemeID             int64  `json:"scheme_id"`
	SchemeName           string `json:"scheme_name"`
	SchemeOrganisationID int64  `json:"scheme_organisation_id"`
	// RoutedBy says how the scheme was chosen: "referrer" or "linkwork" (the referrer left
	// it to routing, which chose the best match).
	RoutedBy string `json:"routed_by"`

	Status ReferralStatus `json:"status"`
	// WorkerUserID is the link worker the referral is allocated to, once allocated.
	WorkerUserID int64  `json:"worker_user_id,omitempty"`
	WorkerName   string `json:"worker_name,omitempty"`
	// DeclineReason is set when declined; Outcome when closed.
	DeclineReason DeclineReason   `json:"decline_reason,omitempty"`
	Outcome       ReferralOutcome `json:"outcome,omitempty"`
	// PossibleDuplicates are other open referrals in the place for what looks like the same
	// person (same NHS number, or same name, date of birth and postcode), found when this
	// one arrived. They are flagged for the triager, never merged.
	PossibleDuplicates []int64 `json:"possible_duplicates"`

	// Version counts changes; a transition names the version it was decided on, so that
	// two people triaging the same referral cannot overwrite each other.
	Version    int       `json:"version"`
	ReceivedAt time.Time `json:"received_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	// WaitingSince is when the referral joined its scheme's waiting list, if it is on it.
	WaitingSince *time.Time `json:"waiting_since,omitempty"`
}

// ReferralPerson is who the referral is for.
type ReferralPerson struct {
	GivenName   string `json:"given_name"`
	FamilyName  string `json:"family_name"`
	DateOfBirth string `json:"date_of_birth"` // YYYY-MM-DD
	// NHSNumber is ten digits, checked with its modulus 11 check digit, or empty.
	NHSNumber string `json:"nhs_number,omitempty"`
	Address1  string `json:"address_1,omitempty"`
	Address2  string `json:"address_2,omitempty"`
	Town      string `json:"town,omitempty"`
	Postcode  string `json:"postcode"`
	Phone     string `json:"phone,omitempty"`
	Email     string `json:"email,omitempty"`
	// ContactPreferences are the ways the person is happy to be contacted, in order.
	ContactPreferences []ContactMethod `json:"contact_preferences"`
	Language           string          `json:"language,omitempty"` // preferred language, if not English
	Interpreter        bool            `json:"interpreter"`
	// AccessNeeds are accessibility and communication needs (the NHS Accessible
	// Information Standard): large print, British Sign Language, an advocate.
	AccessNeeds string `json:"access_needs,omitempty"`
	// GPPractice is the person's registered practice, by name or ODS code.
	GPPractice string `json:"gp_practice,omitempty"`
}

// Name is the person's full name.
func (p ReferralPerson) Name() string { return strings.TrimSpace(p.GivenName + " " + p.FamilyName) }

// Age is the person's age in whole years on a day, or -1 if the date of birth is unknown.
func (p ReferralPerson) Age(on time.Time) int {
	dob, err := time.Parse(time.DateOnly, p.DateOfBirth)
	if err != nil {
		return -1
	}
	age := on.Year() - dob.Year()
	if on.Month() < dob.Month() || on.Month() == dob.Month() && on.Day() < dob.Day() {
		age--
	}
	return age
}

// ContactMethod is a way to contact a person.
type ContactMethod string

// The ways to contact a person.
const (
	ContactPhone  ContactMethod = "phone"
	ContactText   ContactMethod = "text"
	ContactEmail  ContactMethod = "email"
	ContactLetter ContactMethod = "letter"
)

// ContactMethods lists them in the order forms show them.
var ContactMethods = []ContactMethod{ContactPhone, ContactText, ContactEmail, ContactLetter}

var contactMethodLabels = map[ContactMethod]string{ContactPhone: "Phone call", ContactText: "Text message",
	ContactEmail: "Email", ContactLetter: "Letter"}

// Label is the method in plain English.
func (c ContactMethod) Label() string { return contactMethodLabels[c] }

// Urgency is how soon the referrer asks for a first contact.
type Urgency string

// The urgencies.
const (
	UrgencyRoutine Urgency = "routine"
	UrgencySoon    Urgency = "soon"
	UrgencyUrgent  Urgency = "urgent"
)

// Urgencies lists them in the order forms show them.
var Urgencies = []Urgency{UrgencyRoutine, UrgencySoon, UrgencyUrgent}

var urgencyLabels = map[Urgency]string{UrgencyRoutine: "Routine", UrgencySoon: "Soon (within 2 weeks)",
	UrgencyUrgent: "Urgent (within 2 working days)"}

// Label is the urgency in plain English.
func (u Urgency) Label() string { return urgencyLabels[u] }

// Rank orders urgencies for queues: urgent first.
func (u Urgency) Rank() int {
	switch u {
	case UrgencyUrgent:
		return 0
	case UrgencySoon:
		return 1
	}
	return 2
}

// ReferralSource is who sent a referral.
type ReferralSource struct {
	Type ReferrerType `json:"type"`
	// UserID and OrganisationID are set when a signed-in professional (or their system,
	// with an API token) sent it; both are 0 for a self-referral.
	UserID           int64  `json:"user_id,omitempty"`
	OrganisationID   int64  `json:"organisation_id,omitempty"`
	OrganisationName string `json:"organisation_name,omitempty"`
	Name             string `json:"name"`
	Role             string `json:"role,omitempty"` // job, such as "GP" or "Housing officer"
	Phone            string `json:"phone,omitempty"`
	Email            string `json:"email,omitempty"`
}

// Consent records the person's agreement: to the referral itself, and to sharing it with
// the organisations named. Who recorded it, when and how are kept with it.
type Consent struct {
	ToReferral bool `json:"to_referral"`
	// ShareWith are organisations (besides the referrer's and the scheme's) the person agreed
	// may see the referral.
	ShareWith []int64 `json:"share_with"`
	// Method is how the person gave it.
	Method ConsentMethod `json:"method"`
	// RecordedBy is the name of who recorded it: the referrer, or the person on the
	// self-referral form. RecordedAt is when.
	RecordedBy string    `json:"recorded_by"`
	RecordedAt time.Time `json:"recorded_at"`
}

// ConsentMethod is how a person gave consent.
type ConsentMethod string

// The ways consent is given.
const (
	ConsentVerbal     ConsentMethod = "verbal"
	ConsentWritten    ConsentMethod = "written"
	ConsentOnlineForm ConsentMethod = "online_form"
)

// ConsentMethods lists them in the order forms show them.
var ConsentMethods = []ConsentMethod{ConsentVerbal, ConsentWritten, ConsentOnlineForm}

var consentMethodLabels = map[ConsentMethod]string{ConsentVerbal: "Verbally, in person or on the phone",
	ConsentWritten: "In writing", ConsentOnlineForm: "On an online form"}

// Label is the method in plain English.
func (c ConsentMethod) Label() string { return consentMethodLabels[c] }

// DefaultCaseloadLimit is how many people a link worker supports at once when neither they
// nor their scheme say otherwise. A link worker sees 200 to 250 people a year (NHS England's
// guide), each for about 12 weeks: 225 × 12 ÷ 52 is about 52 at once.
const DefaultCaseloadLimit = 50

// Limits on what a referral holds.
const (
	MaxReasonLength = 4000
	MaxRiskLength   = 2000
	MaxNeeds        = 20
)

// Validate trims and checks a new referral's fields, reporting every problem. It checks the
// shape only; the store checks that needs, client groups, the scheme and organisations
// exist in the place. today is the current date, for the date of birth.
func (r *Referral) Validate(today time.Time) error {
	p := &r.Person
	p.GivenName, p.FamilyName = strings.TrimSpace(p.GivenName), strings.TrimSpace(p.FamilyName)
	p.DateOfBirth, p.NHSNumber = strings.TrimSpace(p.DateOfBirth), strings.TrimSpace(p.NHSNumber)
	p.Address1, p.Address2, p.Town = strings.TrimSpace(p.Address1), strings.TrimSpace(p.Address2), strings.TrimSpace(p.Town)
	p.Phone, p.Email = strings.TrimSpace(p.Phone), strings.ToLower(strings.TrimSpace(p.Email))
	p.Language, p.AccessNeeds, p.GPPractice = strings.TrimSpace(p.Language), strings.TrimSpace(p.AccessNeeds), strings.TrimSpace(p.GPPractice)
	r.Reason, r.Risk = strings.TrimSpace(r.Reason), strings.TrimSpace(r.Risk)
	src := &r.Referrer
	src.Name, src.Role = strings.TrimSpace(src.Name), strings.TrimSpace(src.Role)
	src.Phone, src.Email = strings.TrimSpace(src.Phone), strings.ToLower(strings.TrimSpace(src.Email))

	var ps Problems
	ps.Add(validateName("given_name", p.GivenName, 100))
	ps.Add(validateName("family_name", p.FamilyName, 100))
	if p.DateOfBirth == "" {
		ps.Add(FieldError("date_of_birth", "Enter the person's date of birth."))
	} else if dob, err := time.Parse(time.DateOnly, p.DateOfBirth); err != nil {
		ps.Add(FieldError("date_of_birth", "Enter the date of birth as a real date, year-month-day, such as 1958-03-27."))
	} else if dob.After(today) {
		ps.Add(FieldError("date_of_birth", "The date of birth must be today or in the past."))
	} else if today.Year()-dob.Year() > 120 {
		ps.Add(FieldError("date_of_birth", "The date of birth must be within the last 120 years."))
	}
	if p.NHSNumber != "" {
		n, err := NormaliseNHSNumber(p.NHSNumber)
		ps.Add(err)
		if err == nil {
			p.NHSNumber = n
		}
	}
	ps.Add(validateText("address_1", p.Address1, 200, false))
	ps.Add(validateText("address_2", p.Address2, 200, false))
	ps.Add(validateText("town", p.Town, 100, false))
	if pc, err := NormalisePostcode(p.Postcode); err != nil {
		ps.Add(FieldError("postcode", "%s", ErrorMessage(err)))
	} else {
		p.Postcode = pc
	}
	ps.Add(validatePhone("phone", p.Phone))
	ps.Add(validateEmail("email", p.Email))
	seen := map[ContactMethod]bool{}
	for _, m := range p.ContactPreferences {
		if _, ok := contactMethodLabels[m]; !ok || seen[m] {
			ps.Add(FieldError("contact_preferences", "Choose ways to contact the person from: phone, text, email, letter."))
			break
		}
		seen[m] = true
	}
	switch {
	case (seen[ContactPhone] || seen[ContactText]) && p.Phone == "":
		ps.Add(FieldError("phone", "Enter a phone number, or do not choose phone calls or texts."))
	case seen[ContactEmail] && p.Email == "":
		ps.Add(FieldError("email", "Enter an email address, or do not choose email."))
	case seen[ContactLetter] && (p.Address1 == "" || p.Town == ""):
		ps.Add(FieldError("address_1", "Enter the address (first line and town), or do not choose letters."))
	}
	if p.Phone == "" && p.Email == "" && (p.Address1 == "" || p.Town == "") {
		ps.Add(FieldError("phone", "Give at least one way to reach the person: a phone number, an email address or a postal address."))
	}
	ps.Add(validateText("language", p.Language, 80, false))
	ps.Add(validateText("access_needs", p.AccessNeeds, 1000, false))
	ps.Add(validateText("gp_practice", p.GPPractice, 200, false))

	r.NeedIDs = uniqueInt64s(r.NeedIDs)
	r.ClientGroupIDs = uniqueInt64s(r.ClientGroupIDs)
	switch {
	case len(r.NeedIDs) == 0:
		ps.Add(FieldError("need_ids", "Choose at least one reason for the referral."))
	case len(r.NeedIDs) > MaxNeeds:
		ps.Add(FieldError("need_ids", "Choose at most %d reasons for the referral.", MaxNeeds))
	}
	ps.Add(validateText("reason", r.Reason, MaxReasonLength, true))
	ps.Add(validateText("risk", r.Risk, MaxRiskLength, false))
	if r.Urgency == "" {
		r.Urgency = UrgencyRoutine
	}
	if _, ok := urgencyLabels[r.Urgency]; !ok {
		ps.Add(FieldError("urgency", "Choose an urgency: routine, soon or urgent."))
	}

	if referrerLabels[src.Type] == "" {
		ps.Add(FieldError("referrer_type", "Choose who is referring: %s.", referrerTypeCodes()))
	}
	ps.Add(validateName("referrer_name", src.Name, 120))
	ps.Add(validateText("referrer_role", src.Role, 120, false))
	ps.Add(validatePhone("referrer_phone", src.Phone))
	ps.Add(validateEmail("referrer_email", src.Email))

	c := &r.Consent
	c.ShareWith = uniqueInt64s(c.ShareWith)
	if !c.ToReferral {
		ps.Add(FieldError("consent", "The person must agree to the referral before it is sent. Ask them, and record how they agreed."))
	}
	if _, ok := consentMethodLabels[c.Method]; !ok {
		ps.Add(FieldError("consent_method", "Choose how the person agreed: verbal, written or online_form."))
	}
	if len(c.ShareWith) > 20 {
		ps.Add(FieldError("share_with", "Name at most 20 organisations to share the referral with."))
	}
	return ps.Err()
}

func validateEmail(field, v string) error {
	if v == "" {
		return nil
	}
	if a, err := mail.ParseAddress(v); err != nil || a.Address != v || len(v) > 254 {
		return FieldError(field, "Enter an email address in the form name@example.org.")
	}
	return nil
}

func referrerTypeCodes() string {
	codes := make([]string, len(ReferrerTypes))
	for i, t := range ReferrerTypes {
		codes[i] = string(t)
	}
	return strings.Join(codes, ", ")
}

func uniqueInt64s(in []int64) []int64 {
	out := []int64{}
	seen := map[int64]bool{}
	for _, v := range in {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// IsOpen reports whether the referral still needs something to happen: it is neither
// declined nor closed.
func (r *Referral) IsOpen() bool { return r.Status != ReferralDeclined && r.Status != ReferralClosed }

// ReferralEvent is one step in a referral's history: its arrival, and every transition.
type ReferralEvent struct {
	ID         int64          `json:"id"`
	ReferralID int64          `json:"referral_id"`
	At         time.Time      `json:"at"`
	Action     ReferralAction `json:"action"`
	FromStatus ReferralStatus `json:"from_status,omitempty"`
	ToStatus   ReferralStatus `json:"to_status"`
	// ActorUserID is 0 for the person (a self-referral) or linkwork itself.
	ActorUserID int64  `json:"actor_user_id,omitempty"`
	ActorName   string `json:"actor_name"`
	// FromSchemeID and ToSchemeID are set when the referral moved scheme (a redirect).
	FromSchemeID int64  `json:"from_scheme_id,omitempty"`
	ToSchemeID   int64  `json:"to_scheme_id,omitempty"`
	WorkerUserID int64  `json:"worker_user_id,omitempty"`
	Reason       string `json:"reason,omitempty"` // a decline reason or outcome code
	Note         string `json:"note,omitempty"`
}

// NewReferral is what a referral service needs to take a referral in, beyond the referral.
type NewReferral struct {
	Referral *Referral
	// ActorName is who is sending it, for its history: the referrer, or "self-referral".
	ActorName string
}

// ReferralFilter selects referrals. The store returns only those visible through
// OrganisationIDs (see Principal.ReferralOrganisations).
type ReferralFilter struct {
	PlaceID int64
	// OrganisationIDs limits the list to referrals these organisations may see: sent by
	// them, held by a scheme they run, or shared with them by consent. Required.
	OrganisationIDs []int64
	// SentByOrganisationIDs, when set, keeps referrals sent by these organisations (a
	// referrer's "sent" list); SentByUserID those sent by one user.
	SentByOrganisationIDs []int64
	SentByUserID          int64
	SchemeID              int64            // optional
	Statuses              []ReferralStatus // optional
	WorkerUserID          int64            // optional
	Page                  Page
}

// QueueEntry is a referral in a scheme's triage queue or waiting list, with its place in it.
type QueueEntry struct {
	Referral *Referral `json:"referral"`
	// Position counts from 1 in the waiting list (urgent first, then by how long they have
	// waited); 0 in the triage queue.
	Position int `json:"position,omitempty"`
	// ExpectedWaitDays is the expected time to allocation, from the scheme's recent rate of
	// allocation (or its stated waiting time when it has none yet).
	ExpectedWaitDays int `json:"expected_wait_days,omitempty"`
}

// SchemeCapacity is a scheme's load: the basis for routing, allocation and the managers'
// capacity view.
type SchemeCapacity struct {
	SchemeID       int64  `json:"scheme_id"`
	SchemeName     string `json:"scheme_name"`
	OrganisationID int64  `json:"organisation_id"`
	// Workers are the link workers who can take cases (users with the link worker role in
	// the scheme's organisation), each with their load.
	Workers []WorkerLoad `json:"workers"`
	// Received awaits triage; Waiting is the waiting list; Active are allocated or in
	// progress.
	Received int `json:"received"`
	Waiting  int `json:"waiting"`
	Active   int `json:"active"`
	// Limit is the sum of the workers' caseload limits; Free what is left of it.
	Limit int `json:"limit"`
	Free  int `json:"free"`
	// StatedWaitingWeeks is what the scheme says its wait is (its directory entry);
	// AllocatedPerWeek is how many referrals it allocated a week over the last 8 weeks.
	StatedWaitingWeeks int     `json:"stated_waiting_weeks"`
	AllocatedPerWeek   float64 `json:"allocated_per_week"`
	// ExpectedWaitDays is the expected wait for a referral joining the end of the waiting
	// list now.
	ExpectedWaitDays int `json:"expected_wait_days"`
}

// WorkerLoad is one link worker's caseload.
type WorkerLoad struct {
	UserID int64  `json:"user_id"`
	Name   string `json:"name"`
	Active int    `json:"active"`
	Limit  int    `json:"limit"`
	// Languages are those in their directory entry, to match a person's language.
	Languages []string `json:"languages"`
}

// Free is how many more people the worker can take.
func (w WorkerLoad) Free() int { return max(w.Limit-w.Active, 0) }

// Transition is a decision on a referral: one of the actions in referral_lifecycle.go.
type Transition struct {
	ReferralID int64          `json:"-"`
	Action     ReferralAction `json:"action"`
	// Version is the referral's version the decision was made on; a referral changed since
	// is a conflict.
	Version int `json:"version"`
	// SchemeID is the scheme to redirect to; WorkerUserID the link worker to allocate to.
	SchemeID     int64 `json:"scheme_id,omitempty"`
	WorkerUserID int64 `json:"worker_user_id,omitempty"`
	// DeclineReason for decline; Outcome for close.
	DeclineReason DeclineReason   `json:"decline_reason,omitempty"`
	Outcome       ReferralOutcome `json:"outcome,omitempty"`
	Note          string          `json:"note,omitempty"`
}

// ReferralService takes referrals in and moves them through their lifecycle.
type ReferralService interface {
	// CreateReferral validates, checks the needs, client groups, scheme and organisations
	// against the place, flags possible duplicates, stores the referral with its first
	// event and an audit event, and queues notifications, all in one transaction. The
	// scheme must be chosen (routing happens before, in RouteReferral). On success the
	// referral is filled in as FindReferralByID would return it.
	CreateReferral(ctx context.Context, nr NewReferral) error
	// FindReferralByID returns a referral with its scheme, worker and needs filled in.
	FindReferralByID(ctx context.Context, id int64) (*Referral, error)
	// ListReferrals returns a page of referrals, newest first, and how many match.
	ListReferrals(ctx context.Context, f ReferralFilter) ([]*Referral, int, error)
	// ReferralHistory returns a referral's events, oldest first.
	ReferralHistory(ctx context.Context, id int64) ([]*ReferralEvent, error)
	// Transition applies a decision (checked by CheckTransition) if the referral is still
	// at t.Version: ECONFLICT otherwise. It records the event, an audit event and the
	// notifications in one transaction and returns the referral as it now is.
	Transition(ctx context.Context, t Transition, actorUserID int64, actorName string) (*Referral, error)
	// TriageQueue returns a page of the referrals received by a scheme and not yet
	// decided, urgent first, then oldest first; WaitingList its waiting list in order,
	// with positions and expected waits. Both also return the total.
	TriageQueue(ctx context.Context, schemeID int64, page Page) ([]QueueEntry, int, error)
	WaitingList(ctx context.Context, schemeID int64, page Page) ([]QueueEntry, int, error)
	// Capacity returns the load of a place's connector schemes (all of them when
	// schemeIDs is empty).
	Capacity(ctx context.Context, placeID int64, schemeIDs []int64) ([]*SchemeCapacity, error)
	// RouteReferral ranks the place's connector schemes for a person (see Route), with
	// their current capacity.
	RouteReferral(ctx context.Context, req RouteRequest) ([]RouteOption, error)
	// SetCaseloadLimit sets a link worker's own caseload limit in a scheme's organisation
	// (0 returns them to the scheme's default).
	SetCaseloadLimit(ctx context.Context, placeID, userID int64, limit int) error
}
