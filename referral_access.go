package linkwork

import (
	"context"
	"slices"
)

// ReferralOrganisations returns the organisations through which the principal may see
// referrals (for ReferralFilter.OrganisationIDs); none means they see no referrals.
func (p *Principal) ReferralOrganisations() []int64 {
	return p.OrganisationsWith(PermViewReferrals)
}

// CanSeeReferral reports whether the principal may see a referral: it must be in their place
// and sent by, held by, or shared by the person's consent with an organisation in which
// they hold PermViewReferrals.
func (p *Principal) CanSeeReferral(r *Referral) bool {
	if p == nil || r.PlaceID != p.Place.ID {
		return false
	}
	for _, org := range p.ReferralOrganisations() {
		if org == r.Referrer.OrganisationID || org == r.SchemeOrganisationID || slices.Contains(r.Consent.ShareWith, org) {
			return true
		}
	}
	return false
}

// CanDecide reports whether the principal may take an action on a referral: they must
// triage for the scheme's organisation; allocating to someone else, or reallocating, needs
// PermAllocateReferrals there, though a link worker may take a referral themselves.
func (p *Principal) CanDecide(r *Referral, t *Transition) bool {
	if p == nil || r.PlaceID != p.Place.ID || !p.CanIn(PermTriageReferrals, r.SchemeOrganisationID) {
		return false
	}
	switch t.Action {
	case ActionAllocate, ActionReallocate:
		return p.CanIn(PermAllocateReferrals, r.SchemeOrganisationID) || t.WorkerUserID == p.User.ID
	}
	return true
}

// VisibleReferral returns referral id if the principal may see it (CanSeeReferral), and
// ENOTFOUND otherwise, so that nobody learns a referral exists that they may not see.
func VisibleReferral(ctx context.Context, referrals ReferralService, p *Principal, id int64) (*Referral, error) {
	r, err := referrals.FindReferralByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !p.CanSeeReferral(r) {
		return nil, Errorf(ENOTFOUND, "Referral not found.")
	}
	return r, nil
}
