package notify

import (
	"context"

	"linkwork"
)

// wakingReferrals is a ReferralService that wakes the worker after each change that queues
// notifications, so that they go out at once rather than at the next poll.
type wakingReferrals struct {
	linkwork.ReferralService
	wake func()
}

// WakingReferrals wraps referrals so that a referral taken in or moved on wakes the worker
// (wake is usually Worker.Wake).
func WakingReferrals(referrals linkwork.ReferralService, wake func()) linkwork.ReferralService {
	return &wakingReferrals{ReferralService: referrals, wake: wake}
}

func (s *wakingReferrals) CreateReferral(ctx context.Context, nr linkwork.NewReferral) error {
	err := s.ReferralService.CreateReferral(ctx, nr)
	if err == nil {
		s.wake()
	}
	return err
}

func (s *wakingReferrals) Transition(ctx context.Context, t linkwork.Transition, actorUserID int64, actorName string) (*linkwork.Referral, error) {
	r, err := s.ReferralService.Transition(ctx, t, actorUserID, actorName)
	if err == nil {
		s.wake()
	}
	return r, err
}
