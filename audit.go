package linkwork

import (
	"context"
	"time"
)

// AuditEvent is one entry in the append-only audit trail: who did what to which record,
// when and from where. Reads of personal data are recorded as well as writes.
type AuditEvent struct {
	ID          int64     `json:"id"`
	At          time.Time `json:"at"`
	PlaceID     int64     `json:"place_id,omitempty"`
	ActorUserID int64     `json:"actor_user_id,omitempty"`
	ActorLabel  string    `json:"actor"`
	Action      string    `json:"action"`
	RecordType  string    `json:"record_type,omitempty"`
	RecordID    string    `json:"record_id,omitempty"`
	Detail      string    `json:"detail,omitempty"`
	IP          string    `json:"ip,omitempty"`
	RequestID   string    `json:"request_id,omitempty"`
}

// Audit actions. Names are "record.verb"; reads of personal data use the verb "view".
const (
	AuditSignIn           = "session.sign_in"
	AuditSignInFailed     = "session.sign_in_failed"
	AuditSignOut          = "session.sign_out"
	AuditPlaceCreate      = "place.create"
	AuditOrgCreate        = "organisation.create"
	AuditOrgUpdate        = "organisation.update"
	AuditUserCreate       = "user.create"
	AuditUserView         = "user.view"
	AuditUserList         = "user.list"
	AuditUserLocked       = "user.locked"
	AuditUserUnlock       = "user.unlock"
	AuditMembershipAdd    = "membership.add"
	AuditMembershipRemove = "membership.remove"
	AuditPasswordChange   = "password.change"
	AuditPasswordReset    = "password.reset"
	AuditResetLinkCreate  = "password.reset_link"
	AuditSetupLinkCreate  = "setup.link"
	AuditSetupComplete    = "setup.complete"
	AuditTokenCreate      = "token.create"
	AuditTokenRevoke      = "token.revoke"
	AuditAuditView        = "audit.view"
	AuditPractitionerView = "practitioner.view"
	AuditPractitionerList = "practitioner.list"
	// Referrals: every view and list of them is recorded, as they hold personal data.
	AuditReferralCreate     = "referral.create"
	AuditReferralView       = "referral.view"
	AuditReferralList       = "referral.list"
	AuditReferralTransition = "referral.transition"
	AuditCaseloadLimit      = "caseload.limit"
	// Casework: every view of a person's record, and every list of people, is recorded.
	AuditPersonCreate        = "person.create"
	AuditPersonView          = "person.view"
	AuditPersonList          = "person.list"
	AuditPersonUpdate        = "person.update"
	AuditPersonReopen        = "person.reopen"
	AuditPersonExport        = "person.export"
	AuditPersonErase         = "person.erase"
	AuditCaseClose           = "person.close"
	AuditConversationSave    = "conversation.save"
	AuditPlanChange          = "plan.change"
	AuditContactAdd          = "contact.add"
	AuditQuestionnaireSave   = "questionnaire.save"
	AuditQuestionnaireDefine = "questionnaire.define"
	AuditOnwardSend          = "onward.send"
	AuditOnwardView          = "onward.view"
	AuditOnwardList          = "onward.list"
	AuditOnwardAnswer        = "onward.answer"
	AuditRetentionSet        = "retention.set"
	AuditFundingCreate       = "funding.create"
	AuditPotCreate           = "pot.create"
	AuditPotUpdate           = "pot.update"
	AuditPotClose            = "pot.close"
	AuditLedgerEntry         = "ledger.entry" // every allocation, commitment, release, spend, refund and reversal
	AuditSpendApply          = "spend.apply"
	AuditSpendDecide         = "spend.decide"
	AuditSpendWithdraw       = "spend.withdraw"
	AuditGrantReport         = "grant.report"
	AuditSpendList           = "spend.list" // a list of personal spends, which name people
	AuditAvailabilitySet     = "availability.set"
	AuditVolunteersSet       = "volunteers.set"
	AuditActivityAdd         = "activity.add"
	AuditRequestCreate       = "request.create"
	AuditRequestClose        = "request.close"
	AuditMeetingChange       = "meeting.change"
	AuditMeetingSignUp       = "meeting.sign_up"
	AuditMeetingAttendance   = "meeting.attendance"
	AuditPostCreate          = "post.create"
	AuditCommentAdd          = "comment.add"
	AuditForumHide           = "forum.hide"
	AuditMeasureSettings     = "measures.settings"
	AuditLocalMeasure        = "measures.local"
	AuditActivityKey         = "activity.key"
	AuditActivityImport      = "activity.import"
	AuditMeasureExport       = "measures.export"
	AuditWorkloadView        = "workload.view" // a team view names link workers and counts their people
)

// AuditFilter selects audit events in a place. Zero fields do not filter.
type AuditFilter struct {
	PlaceID     int64
	ActorUserID int64
	Action      string // exact, or a prefix ending in "." such as "user."
	RecordType  string
	RecordID    string
	From, To    time.Time // From inclusive, To exclusive
	Page        Page
}

// AuditService appends to and reads the audit trail. There is no way to change or delete an
// event through linkwork; the databases refuse it too.
type AuditService interface {
	// RecordAudit appends an event. Actor, place, address and request come from ctx when
	// the event does not give them.
	RecordAudit(ctx context.Context, e *AuditEvent) error
	ListAudit(ctx context.Context, f AuditFilter) ([]*AuditEvent, int, error)
}
