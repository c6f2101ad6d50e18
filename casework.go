package linkwork

import (
	"context"
	"time"
)

// CaseloadFilter selects people for a caseload. The store returns only people held by
// OrganisationIDs (see Principal.CaseOrganisations).
type CaseloadFilter struct {
	PlaceID int64
	// OrganisationIDs are the holding organisations the principal may see. Required.
	OrganisationIDs []int64
	// WorkerUserID keeps one link worker's people; -1 keeps people with no worker.
	WorkerUserID int64
	// Statuses keeps these statuses; empty means waiting and active.
	Statuses []PersonStatus
	// Query matches the start of a given or family name, or an NHS number, or a referral
	// reference, case-insensitively.
	Query string
	// Today decides what is overdue; zero means now.
	Today time.Time
	Page  Page
}

// CaseloadEntry is one person in a caseload with their next actions.
type CaseloadEntry struct {
	Person *Person `json:"person"`
	// FollowUpOverdue is set when the follow-up date has passed; OverdueSteps counts open
	// plan steps past their due date.
	FollowUpOverdue bool `json:"follow_up_overdue"`
	OverdueSteps    int  `json:"overdue_steps"`
	// OnwardAwaiting counts onward referrals sent 14 or more days ago with no answer.
	OnwardAwaiting int `json:"onward_awaiting"`
	// NextActionOn is the earliest of the follow-up date and the next step's due date.
	NextActionOn string `json:"next_action_on,omitempty"`
}

// CaseloadSummary counts a caseload's people by what they need.
type CaseloadSummary struct {
	Active          int `json:"active"`
	Waiting         int `json:"waiting"`
	FollowUpOverdue int `json:"follow_up_overdue"`
	OnwardAwaiting  int `json:"onward_awaiting"`
}

// WeekItem is something in a link worker's week: a contact that happened, a follow-up
// due, or a plan step due.
type WeekItem struct {
	On         string      `json:"on"`   // YYYY-MM-DD
	Kind       string      `json:"kind"` // "contact", "follow_up" or "step"
	PersonID   int64       `json:"person_id"`
	PersonName string      `json:"person_name"`
	Text       string      `json:"text,omitempty"` // the step, for a step
	Mode       ContactMode `json:"mode,omitempty"` // for a contact
	Minutes    int         `json:"minutes,omitempty"`
	Done       bool        `json:"done"` // a step done, a contact (always)
}

// PersonRecord is everything held about a person, for their page and for a subject access
// request.
type PersonRecord struct {
	Person         *Person                  `json:"person"`
	Conversation   *Conversation            `json:"conversation,omitempty"`
	Plan           *SupportPlan             `json:"plan"`
	Contacts       []*CaseContact           `json:"contacts"` // newest first
	Onward         []*OnwardReferral        `json:"onward_referrals"`
	Questionnaires []*QuestionnaireResponse `json:"questionnaires"` // newest first
	// ContactMinutes is the total time of all contacts.
	ContactMinutes int `json:"contact_minutes"`
}

// Retention is how long a place keeps closed cases before their personal data is erased.
type Retention struct {
	PlaceID int64 `json:"place_id"`
	// Months after a case is closed; 0 keeps closed cases until erased by hand.
	Months int `json:"months"`
}

// DefaultRetentionMonths is the retention a new place has: eight years, as the NHS records
// management code of practice asks of adult health and care records.
const DefaultRetentionMonths = 96

// MaxRetentionMonths bounds the retention a place may set: twenty years.
const MaxRetentionMonths = 240

// Validate checks a retention period.
func (r *Retention) Validate() error {
	if r.Months < 0 || r.Months > MaxRetentionMonths {
		return FieldError("months", "Enter the retention period in whole months, from 0 (keep until erased by hand) to %d.", MaxRetentionMonths)
	}
	return nil
}

// CaseService keeps people's case records and their support: what matters, plans,
// contacts, closing, and the data rights of subject access and erasure. Every method that
// changes something writes an audit event in the same transaction, naming the person's
// record but holding no personal data itself.
type CaseService interface {
	// CreatePerson validates and stores a new case record held by p.OrganisationID (which
	// must be in p.PlaceID), with status waiting, opened today unless OpenedOn says, the
	// IMD looked up from the postcode, and the worker (if any) checked to hold a role in the
	// organisation. ECONFLICT, naming the other record's ID in the message, if the
	// organisation already holds an unerased record with the same NHS number, or the same
	// names and date of birth.
	CreatePerson(ctx context.Context, p *Person) error
	// CreatePersonFromReferral opens a case from a referral the organisation holds (it
	// must run the referral's scheme), copying the person's details, in the status
	// accepted, waiting, allocated or in_progress; the worker is the referral's unless
	// workerUserID says. ECONFLICT as CreatePerson, and if the referral already has a case;
	// but a closed record of the same person in the organisation is reopened for the
	// referral instead (waiting again, its plan and history kept), and returned.
	CreatePersonFromReferral(ctx context.Context, referralID, workerUserID int64) (*Person, error)
	// FindPersonByID returns a person with organisation, worker and referral names filled in.
	FindPersonByID(ctx context.Context, id int64) (*Person, error)
	// FindPersonByReferral returns the case opened from a referral, or ENOTFOUND.
	FindPersonByReferral(ctx context.Context, referralID int64) (*Person, error)
	// UpdatePerson saves a person's details and worker if the record is still at
	// p.Version (ECONFLICT otherwise); it cannot change the organisation, status or
	// referral. An erased or closed record cannot be changed (EINVALID).
	UpdatePerson(ctx context.Context, p *Person) error
	// Caseload returns a page of people, those with the earliest next action first (people
	// with none last, then by name), with the total and the summary counts of all that
	// match.
	Caseload(ctx context.Context, f CaseloadFilter) ([]*CaseloadEntry, int, *CaseloadSummary, error)
	// Week returns a worker's contacts, follow-ups and steps due from the day from for
	// seven days, by date, among people held by organisationIDs.
	Week(ctx context.Context, placeID int64, organisationIDs []int64, workerUserID int64, from time.Time) ([]*WeekItem, error)

	// SaveConversation saves the "what matters to me" conversation if it is still at
	// c.Version (0 for the first).
	SaveConversation(ctx context.Context, c *Conversation) error
	// AddGoal, UpdateGoal, AddStep, UpdateStep and AddProgressNote change the plan of an
	// open case; each keeps the person's next step current. A step's goal must be the
	// person's. Updates replace text, status and dates.
	AddGoal(ctx context.Context, g *Goal) error
	UpdateGoal(ctx context.Context, g *Goal) error
	AddStep(ctx context.Context, s *Step) error
	UpdateStep(ctx context.Context, s *Step) error
	AddProgressNote(ctx context.Context, n *ProgressNote) error
	// Plan returns a person's plan.
	Plan(ctx context.Context, personID int64) (*SupportPlan, error)

	// AddContact records a contact with the person of an open case; a waiting case becomes
	// active, and the person's last contact and follow-up follow the latest contact.
	AddContact(ctx context.Context, c *CaseContact) error

	// PersonRecord returns everything held about a person.
	PersonRecord(ctx context.Context, personID int64) (*PersonRecord, error)
	// CloseCase closes an open case at c.Version with its outcome, closes the referral it
	// came from (if still open) with the matching outcome, and queues the message back to
	// the referrer, in one transaction. It returns the person as they now are.
	CloseCase(ctx context.Context, c CaseClosure, actorUserID int64, actorName string) (*Person, error)
	// ErasePerson removes a person's personal data, and the personal data of the referral
	// their case came from, keeping only anonymous facts for the measures (age band, sex,
	// ethnic group, IMD decile, dates to the month, outcome, contact counts and minutes,
	// questionnaire scores, onward referral statuses). why is recorded in the audit trail.
	ErasePerson(ctx context.Context, personID int64, why string) error
	// Retention and SetRetention read and set a place's retention period.
	Retention(ctx context.Context, placeID int64) (*Retention, error)
	SetRetention(ctx context.Context, r Retention) error
	// ApplyRetention erases every closed case whose place's retention period has passed
	// since it closed, each audited with the actor "retention", and says how many.
	ApplyRetention(ctx context.Context, now time.Time) (int, error)
}
