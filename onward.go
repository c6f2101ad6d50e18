package linkwork

import (
	"context"
	"slices"
	"strings"
	"time"
)

// OnwardReferral is a link worker referring a person on to a community offer in the
// directory, usually as a step of their plan. The receiving group sees only what it needs:
// the person's first name, how to contact them, their needs and access requirements, and
// only once the person has agreed. The group answers, and the link worker sees the answer;
// with no answer after OnwardPromptAfter the worker is prompted to chase it.
type OnwardReferral struct {
	ID      int64 `json:"id"`
	PlaceID int64 `json:"place_id"`
	// PersonID and PersonOrganisationID are the case and the organisation holding it.
	PersonID             int64 `json:"person_id"`
	PersonOrganisationID int64 `json:"person_organisation_id"`
	// StepID is the plan step the referral is for, if any.
	StepID int64 `json:"step_id,omitempty"`

	// ServiceID is the community offer; ServiceOrganisationID the organisation that runs
	// it, whose people answer.
	ServiceID               int64  `json:"service_id"`
	ServiceName             string `json:"service_name"`
	ServiceOrganisationID   int64  `json:"service_organisation_id"`
	ServiceOrganisationName string `json:"service_organisation_name"`

	// What the receiving group sees of the person.
	FirstName          string `json:"first_name"`
	ContactPhone       string `json:"contact_phone,omitempty"`
	ContactEmail       string `json:"contact_email,omitempty"`
	Needs              string `json:"needs"`
	AccessRequirements string `json:"access_requirements,omitempty"`
	// Message is from the link worker to the group: the best time to call, what the
	// person is nervous about.
	Message string `json:"message,omitempty"`

	// Consent: the person agreed to these details going to the group.
	Consent       bool          `json:"consent"`
	ConsentMethod ConsentMethod `json:"consent_method"`

	Status OnwardStatus `json:"status"`
	// Reason is why the group declined; Note anything it added with its answer.
	Reason string `json:"reason,omitempty"`
	Note   string `json:"note,omitempty"`

	SentByUserID   int64      `json:"sent_by_user_id,omitempty"`
	SentBy         string     `json:"sent_by"`
	SentAt         time.Time  `json:"sent_at"`
	AnsweredAt     *time.Time `json:"answered_at,omitempty"`
	AnsweredBy     string     `json:"answered_by,omitempty"`
	Version        int        `json:"version"`
	PersonFullName string     `json:"-"` // for the link worker's pages only; never for the group
}

// OnwardPromptAfter is how long a link worker waits for a group's answer before being
// prompted to chase it.
const OnwardPromptAfter = 14 * 24 * time.Hour

// AwaitingAnswer reports whether a sent referral has had no answer for OnwardPromptAfter.
func (o *OnwardReferral) AwaitingAnswer(now time.Time) bool {
	return o.Status == OnwardSent && now.Sub(o.SentAt) >= OnwardPromptAfter
}

// OnwardStatus is where an onward referral stands.
type OnwardStatus string

// The statuses. Sent is waiting for the group's answer; the group accepts or declines, and
// then says whether the person came. The link worker may withdraw one not yet answered
// with attended or did not attend.
const (
	OnwardSent         OnwardStatus = "sent"
	OnwardAccepted     OnwardStatus = "accepted"
	OnwardDeclined     OnwardStatus = "declined"
	OnwardAttended     OnwardStatus = "attended"
	OnwardDidNotAttend OnwardStatus = "did_not_attend"
	OnwardWithdrawn    OnwardStatus = "withdrawn"
)

// OnwardStatuses lists them in order.
var OnwardStatuses = []OnwardStatus{OnwardSent, OnwardAccepted, OnwardDeclined, OnwardAttended, OnwardDidNotAttend, OnwardWithdrawn}

var onwardStatusLabels = map[OnwardStatus]string{OnwardSent: "Waiting for an answer", OnwardAccepted: "Accepted",
	OnwardDeclined: "Declined", OnwardAttended: "Attended", OnwardDidNotAttend: "Did not attend", OnwardWithdrawn: "Withdrawn"}

// Label is the status in plain English.
func (s OnwardStatus) Label() string { return onwardStatusLabels[s] }

// onwardAnswers says which statuses an answer may move from: the group's answers, and the
// link worker's withdrawal.
var onwardAnswers = map[OnwardStatus][]OnwardStatus{
	OnwardAccepted:     {OnwardSent},
	OnwardDeclined:     {OnwardSent},
	OnwardAttended:     {OnwardSent, OnwardAccepted},
	OnwardDidNotAttend: {OnwardSent, OnwardAccepted},
	OnwardWithdrawn:    {OnwardSent, OnwardAccepted},
}

// OnwardAnswerChoices lists the answers open to a receiving group for a referral in a
// status, in the order pages offer them.
func OnwardAnswerChoices(s OnwardStatus) []OnwardStatus {
	var out []OnwardStatus
	for _, to := range []OnwardStatus{OnwardAccepted, OnwardDeclined, OnwardAttended, OnwardDidNotAttend} {
		for _, from := range onwardAnswers[to] {
			if from == s {
				out = append(out, to)
			}
		}
	}
	return out
}

// Validate trims and checks a new onward referral's own fields. The store checks the
// person, step and service.
func (o *OnwardReferral) Validate() error {
	for _, s := range []*string{&o.FirstName, &o.ContactPhone, &o.ContactEmail, &o.Needs, &o.AccessRequirements, &o.Message} {
		*s = strings.TrimSpace(*s)
	}
	o.ContactEmail = strings.ToLower(o.ContactEmail)
	var ps Problems
	if o.ServiceID == 0 {
		ps.Add(FieldError("service_id", "Choose the community offer to refer the person to."))
	}
	ps.Add(validateName("first_name", o.FirstName, 100))
	ps.Add(validatePhone("contact_phone", o.ContactPhone))
	ps.Add(validateEmail("contact_email", o.ContactEmail))
	if o.ContactPhone == "" && o.ContactEmail == "" {
		ps.Add(FieldError("contact_phone", "Give the group a way to contact the person: a phone number or an email address."))
	}
	if o.Needs == "" {
		ps.Add(FieldError("needs", "Say briefly what the person would like from the group."))
	}
	ps.Add(validateText("needs", o.Needs, 1000, false))
	ps.Add(validateText("access_requirements", o.AccessRequirements, 1000, false))
	ps.Add(validateText("message", o.Message, 1000, false))
	if !o.Consent {
		ps.Add(FieldError("consent", "The person must agree to their details going to the group before the referral is sent."))
	}
	if consentMethodLabels[o.ConsentMethod] == "" {
		ps.Add(FieldError("consent_method", "Choose how the person agreed: verbal, written or online_form."))
	}
	return ps.Err()
}

// OnwardAnswer is a group's answer to an onward referral, or the link worker's withdrawal.
type OnwardAnswer struct {
	ID      int64        `json:"id"`
	Version int          `json:"version"`
	Status  OnwardStatus `json:"status"`
	Reason  string       `json:"reason,omitempty"`
	Note    string       `json:"note,omitempty"`
}

// CheckOnwardAnswer checks an answer against the referral's status: a decline needs a
// reason, and answers follow onwardAnswers.
func CheckOnwardAnswer(o *OnwardReferral, a *OnwardAnswer) error {
	a.Reason, a.Note = strings.TrimSpace(a.Reason), strings.TrimSpace(a.Note)
	var ps Problems
	from, ok := onwardAnswers[a.Status]
	switch {
	case !ok:
		ps.Add(FieldError("status", "Choose an answer: accepted, declined, attended or did_not_attend."))
	case !slices.Contains(from, o.Status):
		ps.Add(FieldError("status", "This referral is %s, so it cannot be marked %s.",
			strings.ToLower(o.Status.Label()), strings.ToLower(a.Status.Label())))
	}
	if a.Status == OnwardDeclined && a.Reason == "" {
		ps.Add(FieldError("reason", "Say why the group cannot take the person, so the link worker can find something else."))
	}
	ps.Add(validateText("reason", a.Reason, 1000, false))
	ps.Add(validateText("note", a.Note, 1000, false))
	return ps.Err()
}

// OnwardFilter selects onward referrals for a receiving group's inbox.
type OnwardFilter struct {
	PlaceID int64
	// ServiceOrganisationIDs are the receiving organisations the principal answers for.
	// Required.
	ServiceOrganisationIDs []int64
	Statuses               []OnwardStatus // empty means all
	Page                   Page
}

// OnwardService keeps onward referrals.
type OnwardService interface {
	// SendOnward validates and stores an onward referral from an open case to an active
	// service (not a connector scheme) in the same place, with status sent; the step, if
	// given, must be the person's, and is linked to the referral and the service. It
	// queues a notification to the service's email (with no personal data) and writes an
	// audit event, in one transaction.
	SendOnward(ctx context.Context, o *OnwardReferral) error
	// FindOnward returns one, or ENOTFOUND.
	FindOnward(ctx context.Context, id int64) (*OnwardReferral, error)
	// ListOnwardForPerson returns a person's onward referrals, newest first.
	ListOnwardForPerson(ctx context.Context, personID int64) ([]*OnwardReferral, error)
	// OnwardInbox returns a page of the referrals sent to the filter's organisations,
	// those waiting for an answer first, then newest first, and the total.
	OnwardInbox(ctx context.Context, f OnwardFilter) ([]*OnwardReferral, int, error)
	// AnswerOnward applies an answer (checked by CheckOnwardAnswer) if the referral is
	// still at a.Version (ECONFLICT otherwise), marks a linked step done when attended,
	// queues a notification to the sending link worker and an audit event, in one
	// transaction, and returns the referral as it now is.
	AnswerOnward(ctx context.Context, a OnwardAnswer, actorUserID int64, actorName string) (*OnwardReferral, error)
}
