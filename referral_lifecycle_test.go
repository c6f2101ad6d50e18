package linkwork_test

import (
	"fmt"
	"strings"
	"testing"

	"linkwork"
)

// actionInputs gives each action what it needs, so that the table below tests only whether
// the lifecycle allows it.
func actionInputs(a linkwork.ReferralAction) linkwork.Transition {
	t := linkwork.Transition{Action: a}
	switch a {
	case linkwork.ActionDecline:
		t.DeclineReason = linkwork.DeclineNotEligible
	case linkwork.ActionRedirect:
		t.SchemeID = 2
	case linkwork.ActionAllocate, linkwork.ActionReallocate:
		t.WorkerUserID = 20
	case linkwork.ActionClose:
		t.Outcome = linkwork.OutcomeSupported
	}
	return t
}

// The whole lifecycle, as a table of every status and every action: where each leads, and
// "" where it is refused.
func TestCheckTransitionEveryStatusAndAction(t *testing.T) {
	const no = linkwork.ReferralStatus("")
	received, accepted, declined := linkwork.ReferralReceived, linkwork.ReferralAccepted, linkwork.ReferralDeclined
	waiting, allocated, inProgress, closed := linkwork.ReferralWaiting, linkwork.ReferralAllocated, linkwork.ReferralInProgress, linkwork.ReferralClosed
	actions := []linkwork.ReferralAction{linkwork.ActionAccept, linkwork.ActionDecline, linkwork.ActionRedirect, linkwork.ActionWait,
		linkwork.ActionAllocate, linkwork.ActionReallocate, linkwork.ActionStart, linkwork.ActionClose}
	table := map[linkwork.ReferralStatus][]linkwork.ReferralStatus{
		//            accept    decline   redirect  wait     allocate   reallocate  start       close
		received:   {accepted, declined, received, no, no, no, no, no},
		accepted:   {no, no, no, waiting, allocated, no, no, closed},
		declined:   {no, no, no, no, no, no, no, no},
		waiting:    {no, no, no, no, allocated, no, no, closed},
		allocated:  {no, no, no, no, no, allocated, inProgress, closed},
		inProgress: {no, no, no, no, no, inProgress, no, closed},
		closed:     {no, no, no, no, no, no, no, no},
	}
	if len(table) != len(linkwork.ReferralStatuses) {
		t.Fatalf("the table has %d statuses, the lifecycle %d", len(table), len(linkwork.ReferralStatuses))
	}
	for _, from := range linkwork.ReferralStatuses {
		var open []linkwork.ReferralAction
		for i, a := range actions {
			r := &linkwork.Referral{Status: from, SchemeID: 1, WorkerUserID: 10}
			tr := actionInputs(a)
			got, err := linkwork.CheckTransition(r, &tr)
			want := table[from][i]
			if want == no {
				if err == nil || linkwork.ErrorCode(err) != linkwork.ECONFLICT {
					t.Errorf("%s from %s: got %q, %v; want a conflict", a, from, got, err)
				}
				continue
			}
			open = append(open, a)
			if err != nil || got != want {
				t.Errorf("%s from %s: got %q, %v; want %s", a, from, got, err, want)
			}
		}
		if fmt.Sprint(linkwork.Actions(from)) != fmt.Sprint(open) {
			t.Errorf("Actions(%s) = %v, want %v", from, linkwork.Actions(from), open)
		}
	}
}

// A refused transition says what the referral is and what can be done with it instead.
func TestCheckTransitionMessages(t *testing.T) {
	tr := actionInputs(linkwork.ActionAllocate)
	_, err := linkwork.CheckTransition(&linkwork.Referral{Status: linkwork.ReferralReceived}, &tr)
	if msg := linkwork.ErrorMessage(err); !strings.Contains(msg, "Received") || !strings.Contains(msg, "accept, decline or redirect") {
		t.Errorf("allocating a received referral: %q", msg)
	}
	tr = actionInputs(linkwork.ActionStart)
	_, err = linkwork.CheckTransition(&linkwork.Referral{Status: linkwork.ReferralClosed}, &tr)
	if msg := linkwork.ErrorMessage(err); !strings.Contains(msg, "nothing more can be done") {
		t.Errorf("starting a closed referral: %q", msg)
	}
}

// What each action needs is checked, each with its field.
func TestCheckTransitionInputs(t *testing.T) {
	for _, c := range []struct {
		name   string
		status linkwork.ReferralStatus
		tr     linkwork.Transition
		field  string
	}{
		{"an unknown action", linkwork.ReferralReceived, linkwork.Transition{Action: "merge"}, "action"},
		{"the arrival", linkwork.ReferralReceived, linkwork.Transition{Action: linkwork.ActionReceive}, "action"},
		{"decline without a reason", linkwork.ReferralReceived, linkwork.Transition{Action: linkwork.ActionDecline}, "decline_reason"},
		{"decline for an unknown reason", linkwork.ReferralReceived, linkwork.Transition{Action: linkwork.ActionDecline,
			DeclineReason: "bored"}, "decline_reason"},
		{"decline for another reason without a note", linkwork.ReferralReceived, linkwork.Transition{Action: linkwork.ActionDecline,
			DeclineReason: linkwork.DeclineOther}, "note"},
		{"redirect nowhere", linkwork.ReferralReceived, linkwork.Transition{Action: linkwork.ActionRedirect}, "scheme_id"},
		{"redirect to the same scheme", linkwork.ReferralReceived, linkwork.Transition{Action: linkwork.ActionRedirect, SchemeID: 1}, "scheme_id"},
		{"allocate to nobody", linkwork.ReferralAccepted, linkwork.Transition{Action: linkwork.ActionAllocate}, "worker_user_id"},
		{"reallocate to the same worker", linkwork.ReferralAllocated, linkwork.Transition{Action: linkwork.ActionReallocate,
			WorkerUserID: 10}, "worker_user_id"},
		{"close without an outcome", linkwork.ReferralInProgress, linkwork.Transition{Action: linkwork.ActionClose}, "outcome"},
		{"close with an unknown outcome", linkwork.ReferralInProgress, linkwork.Transition{Action: linkwork.ActionClose, Outcome: "cured"}, "outcome"},
		{"an oversized note", linkwork.ReferralAccepted, linkwork.Transition{Action: linkwork.ActionWait, Note: strings.Repeat("n", 2001)}, "note"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := &linkwork.Referral{Status: c.status, SchemeID: 1, WorkerUserID: 10}
			_, err := linkwork.CheckTransition(r, &c.tr)
			wantProblems(t, err, c.field)
		})
	}
	// Declining for another reason with a note is fine.
	tr := linkwork.Transition{Action: linkwork.ActionDecline, DeclineReason: linkwork.DeclineOther, Note: "Moved to Leeds."}
	if _, err := linkwork.CheckTransition(&linkwork.Referral{Status: linkwork.ReferralReceived}, &tr); err != nil {
		t.Fatal(err)
	}
}

func TestLifecycleLabels(t *testing.T) {
	for _, s := range linkwork.ReferralStatuses {
		if !s.Valid() || s.Label() == "" {
			t.Errorf("status %q: valid %v, label %q", s, s.Valid(), s.Label())
		}
	}
	if linkwork.ReferralStatus("lost").Valid() {
		t.Error(`"lost" is a valid status`)
	}
	for _, d := range linkwork.DeclineReasons {
		if d.Label() == "" {
			t.Errorf("decline reason %q has no label", d)
		}
	}
	for _, o := range linkwork.ReferralOutcomes {
		if o.Label() == "" {
			t.Errorf("outcome %q has no label", o)
		}
	}
	for _, a := range []linkwork.ReferralAction{linkwork.ActionReceive, linkwork.ActionAccept, linkwork.ActionDecline,
		linkwork.ActionRedirect, linkwork.ActionWait, linkwork.ActionAllocate, linkwork.ActionReallocate, linkwork.ActionStart,
		linkwork.ActionClose} {
		if a.Label() == "" {
			t.Errorf("action %q has no label", a)
		}
	}
}
