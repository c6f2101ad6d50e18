package notify

import (
	"context"
	"errors"
	"testing"

	"linkwork"
)

// refusingReferrals succeeds or fails every change, as told.
type refusingReferrals struct {
	linkwork.ReferralService
	fail bool
}

func (r refusingReferrals) CreateReferral(context.Context, linkwork.NewReferral) error {
	if r.fail {
		return errors.New("refused")
	}
	return nil
}

func (r refusingReferrals) Transition(context.Context, linkwork.Transition, int64, string) (*linkwork.Referral, error) {
	if r.fail {
		return nil, errors.New("refused")
	}
	return &linkwork.Referral{}, nil
}

// TestWakingReferrals checks that a change that succeeds wakes the worker, and one that
// fails (so queued nothing) does not.
func TestWakingReferrals(t *testing.T) {
	for _, fail := range []bool{false, true} {
		woken := 0
		s := WakingReferrals(refusingReferrals{fail: fail}, func() { woken++ })
		_ = s.CreateReferral(t.Context(), linkwork.NewReferral{})
		_, _ = s.Transition(t.Context(), linkwork.Transition{}, 1, "x")
		if want := map[bool]int{false: 2, true: 0}[fail]; woken != want {
			t.Errorf("fail=%v: woken %d times, want %d", fail, woken, want)
		}
	}
}
