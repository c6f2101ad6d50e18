package linkwork

import (
	"slices"
	"strings"
)

// ReferralStatus is where a referral is in its lifecycle:
//
//	received ─┬─ accept ──▶ accepted ─┬─ wait ──▶ waiting ─ allocate ─▶ allocated ─ start ─▶ in_progress ─ close ─▶ closed
//	          │                       └─ allocate ───────────────────▶ allocated
//	          ├─ decline ─▶ declined
//	          └─ redirect ─▶ received (at another scheme; the history keeps where it was)
//
// An accepted, waiting, allocated or in-progress referral can be closed (an accepted or
// waiting one when the person could not be reached or no longer wants support), and an
// allocated or in-progress one reallocated to another worker.
// Nothing else: no step is skipped, and declined and closed are final.
type ReferralStatus string

// The statuses.
const (
	ReferralReceived   ReferralStatus = "received"
	ReferralAccepted   ReferralStatus = "accepted"
	ReferralDeclined   ReferralStatus = "declined"
	ReferralWaiting    ReferralStatus = "waiting"
	ReferralAllocated  ReferralStatus = "allocated"
	ReferralInProgress ReferralStatus = "in_progress"
	ReferralClosed     ReferralStatus = "closed"
)

// ReferralStatuses lists them in lifecycle order.
var ReferralStatuses = []ReferralStatus{ReferralReceived, ReferralAccepted, ReferralDeclined, ReferralWaiting,
	ReferralAllocated, ReferralInProgress, ReferralClosed}

var referralStatusLabels = map[ReferralStatus]string{ReferralReceived: "Received", ReferralAccepted: "Accepted",
	ReferralDeclined: "Declined", ReferralWaiting: "On the waiting list", ReferralAllocated: "Allocated to a link worker",
	ReferralInProgress: "Being supported", ReferralClosed: "Closed"}

// Label is the status in plain English.
func (s ReferralStatus) Label() string { return referralStatusLabels[s] }

// Valid reports whether s is one of the statuses.
func (s ReferralStatus) Valid() bool { _, ok := referralStatusLabels[s]; return ok }

// ReferralAction is a decision that moves a referral on.
type ReferralAction string

// The actions. ActionReceive is the arrival, not a transition anyone can ask for.
const (
	ActionReceive    ReferralAction = "receive"
	ActionAccept     ReferralAction = "accept"
	ActionDecline    ReferralAction = "decline"
	ActionRedirect   ReferralAction = "redirect"
	ActionWait       ReferralAction = "wait"
	ActionAllocate   ReferralAction = "allocate"
	ActionReallocate ReferralAction = "reallocate"
	ActionStart      ReferralAction = "start"
	ActionClose      ReferralAction = "close"
)

var actionLabels = map[ReferralAction]string{ActionReceive: "Received", ActionAccept: "Accepted", ActionDecline: "Declined",
	ActionRedirect: "Redirected to another scheme", ActionWait: "Added to the waiting list", ActionAllocate: "Allocated",
	ActionReallocate: "Reallocated", ActionStart: "Support started", ActionClose: "Closed"}

// Label is the action in plain English, as the history shows it.
func (a ReferralAction) Label() string { return actionLabels[a] }

// transitions maps each action to the statuses it may be taken from and the status it leads
// to. It is the whole lifecycle: CheckTransition refuses anything not in it.
var transitions = map[ReferralAction]struct {
	from []ReferralStatus
	to   ReferralStatus
}{
	ActionAccept:     {[]ReferralStatus{ReferralReceived}, ReferralAccepted},
	ActionDecline:    {[]ReferralStatus{ReferralReceived}, ReferralDeclined},
	ActionRedirect:   {[]ReferralStatus{ReferralReceived}, ReferralReceived},
	ActionWait:       {[]ReferralStatus{ReferralAccepted}, ReferralWaiting},
	ActionAllocate:   {[]ReferralStatus{ReferralAccepted, ReferralWaiting}, ReferralAllocated},
	ActionReallocate: {[]ReferralStatus{ReferralAllocated, ReferralInProgress}, ""}, // keeps its status
	ActionStart:      {[]ReferralStatus{ReferralAllocated}, ReferralInProgress},
	ActionClose:      {[]ReferralStatus{ReferralAccepted, ReferralWaiting, ReferralAllocated, ReferralInProgress}, ReferralClosed},
}

// Actions lists the actions open to a referral in a status, in the order pages offer them.
func Actions(s ReferralStatus) []ReferralAction {
	var out []ReferralAction
	for _, a := range []ReferralAction{ActionAccept, ActionDecline, ActionRedirect, ActionWait, ActionAllocate,
		ActionReallocate, ActionStart, ActionClose} {
		if slices.Contains(transitions[a].from, s) {
			out = append(out, a)
		}
	}
	return out
}

// CheckTransition checks a decision against the lifecycle and the referral's status, and
// that it carries what it needs (a reason, a scheme, a worker, an outcome). It returns the
// status the referral moves to. The store checks the scheme and worker exist.
func CheckTransition(r *Referral, t *Transition) (ReferralStatus, error) {
	rule, ok := transitions[t.Action]
	if !ok {
		return "", FieldError("action", "Choose an action: accept, decline, redirect, wait, allocate, reallocate, start or close.")
	}
	if !slices.Contains(rule.from, r.Status) {
		open := Actions(r.Status)
		if len(open) == 0 {
			return "", Errorf(ECONFLICT, "This referral is %s, so nothing more can be done with it.", r.Status.Label())
		}
		names := make([]string, len(open))
		for i, a := range open {
			names[i] = string(a)
		}
		return "", Errorf(ECONFLICT, "A referral that is %s cannot be given %q; it can be given: %s.",
			r.Status.Label(), t.Action, joinOr(names))
	}
	t.Note = strings.TrimSpace(t.Note)
	var ps Problems
	ps.Add(validateText("note", t.Note, 2000, false))
	switch t.Action {
	case ActionDecline:
		if _, ok := declineReasonLabels[t.DeclineReason]; !ok {
			ps.Add(FieldError("decline_reason", "Choose why the referral is declined: %s.", joinOr(declineReasonCodes())))
		}
		if t.DeclineReason == DeclineOther && t.Note == "" {
			ps.Add(FieldError("note", "Say why the referral is declined."))
		}
	case ActionRedirect:
		if t.SchemeID <= 0 {
			ps.Add(FieldError("scheme_id", "Choose the scheme to redirect the referral to."))
		} else if t.SchemeID == r.SchemeID {
			ps.Add(FieldError("scheme_id", "The referral is already with this scheme: choose another."))
		}
	case ActionAllocate, ActionReallocate:
		if t.WorkerUserID <= 0 {
			ps.Add(FieldError("worker_user_id", "Choose the link worker to allocate the referral to."))
		} else if t.Action == ActionReallocate && t.WorkerUserID == r.WorkerUserID {
			ps.Add(FieldError("worker_user_id", "The referral is already with this link worker: choose another."))
		}
	case ActionClose:
		if _, ok := outcomeLabels[t.Outcome]; !ok {
			ps.Add(FieldError("outcome", "Choose how the referral ended: %s.", joinOr(outcomeCodes())))
		}
	}
	if err := ps.Err(); err != nil {
		return "", err
	}
	to := rule.to
	if to == "" {
		to = r.Status
	}
	return to, nil
}

func joinOr(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	out := ""
	for i, s := range items[:len(items)-1] {
		if i > 0 {
			out += ", "
		}
		out += s
	}
	return out + " or " + items[len(items)-1]
}

// DeclineReason is why a scheme declined a referral.
type DeclineReason string

// The reasons a referral is declined.
const (
	DeclineNotEligible    DeclineReason = "not_eligible"
	DeclineOutOfArea      DeclineReason = "out_of_area"
	DeclinePersonDeclined DeclineReason = "person_declined"
	DeclineNeedsElsewhere DeclineReason = "needs_met_elsewhere"
	DeclineRiskTooHigh    DeclineReason = "risk_too_high"
	DeclineOther          DeclineReason = "other"
)

// DeclineReasons lists them in the order forms show them.
var DeclineReasons = []DeclineReason{DeclineNotEligible, DeclineOutOfArea, DeclinePersonDeclined, DeclineNeedsElsewhere,
	DeclineRiskTooHigh, DeclineOther}

var declineReasonLabels = map[DeclineReason]string{DeclineNotEligible: "Not eligible for this scheme",
	DeclineOutOfArea: "Lives outside the area the scheme covers", DeclinePersonDeclined: "The person did not want support",
	DeclineNeedsElsewhere: "Needs are better met by another service", DeclineRiskTooHigh: "Risk needs a clinical or statutory service",
	DeclineOther: "Another reason (given in the note)"}

// Label is the reason in plain English.
func (d DeclineReason) Label() string { return declineReasonLabels[d] }

func declineReasonCodes() []string {
	out := make([]string, len(DeclineReasons))
	for i, d := range DeclineReasons {
		out[i] = string(d)
	}
	return out
}

// ReferralOutcome is how a referral ended once accepted.
type ReferralOutcome string

// The outcomes.
const (
	OutcomeSupported   ReferralOutcome = "supported"   // support given and ended as planned
	OutcomeConnected   ReferralOutcome = "connected"   // connected to community offers, no further support needed
	OutcomeNoContact   ReferralOutcome = "no_contact"  // could not be reached
	OutcomeWithdrew    ReferralOutcome = "withdrew"    // the person chose to stop
	OutcomeReferredOn  ReferralOutcome = "referred_on" // passed to another service
	OutcomeMovedAway   ReferralOutcome = "moved_away"  // left the area
	OutcomeOtherEnding ReferralOutcome = "other"       // given in the note
)

// ReferralOutcomes lists them in the order forms show them.
var ReferralOutcomes = []ReferralOutcome{OutcomeSupported, OutcomeConnected, OutcomeNoContact, OutcomeWithdrew,
	OutcomeReferredOn, OutcomeMovedAway, OutcomeOtherEnding}

var outcomeLabels = map[ReferralOutcome]string{OutcomeSupported: "Supported, and support ended as planned",
	OutcomeConnected: "Connected to community support", OutcomeNoContact: "Could not be contacted",
	OutcomeWithdrew: "Chose to stop", OutcomeReferredOn: "Referred on to another service",
	OutcomeMovedAway: "Moved out of the area", OutcomeOtherEnding: "Other (given in the note)"}

// Label is the outcome in plain English.
func (o ReferralOutcome) Label() string { return outcomeLabels[o] }

func outcomeCodes() []string {
	out := make([]string, len(ReferralOutcomes))
	for i, o := range ReferralOutcomes {
		out[i] = string(o)
	}
	return out
}
