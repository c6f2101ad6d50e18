package linkwork

import (
	"context"
	"slices"
)

// The functions here find a record only if it is within the principal's reach. A record in
// another place, or one the principal's role does not let them see, is answered as not
// found, so that nobody learns it exists. The web pages and the API both use them.

// PlaceOrganisation returns organisation id if it is in the principal's place.
func PlaceOrganisation(ctx context.Context, orgs OrganisationService, p *Principal, id int64) (*Organisation, error) {
	o, err := orgs.FindOrganisationByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if p == nil || o.PlaceID != p.Place.ID {
		return nil, Errorf(ENOTFOUND, "Organisation not found.")
	}
	return o, nil
}

// ChosenOrganisation checks an organisation someone chose in a form or request body: it
// must be in the principal's place. The error names the field.
func ChosenOrganisation(ctx context.Context, orgs OrganisationService, p *Principal, id int64) (*Organisation, error) {
	o, err := PlaceOrganisation(ctx, orgs, p, id)
	if err != nil && (ErrorCode(err) == ENOTFOUND || id <= 0) {
		return nil, FieldError("organisation_id", "Choose an organisation in %s.", p.Place.Name)
	}
	return o, err
}

// VisibleUser returns user id if the principal may see them (Principal.CanSeeUser), with
// only their memberships in the principal's place: what they do elsewhere is not this
// place's business.
func VisibleUser(ctx context.Context, users UserService, p *Principal, id int64) (*User, error) {
	u, err := users.FindUserByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !p.CanSeeUser(u) {
		return nil, Errorf(ENOTFOUND, "User not found.")
	}
	return u, nil
}

// InPlace returns a copy of u with only the memberships in the place, for showing.
func (u *User) InPlace(placeID int64) *User {
	c := *u
	c.Memberships = slices.DeleteFunc(slices.Clone(u.Memberships), func(m Membership) bool { return m.PlaceID != placeID })
	return &c
}

// ManageableUser returns user id if the principal may act on their account
// (Principal.CanManageAccount); a user they may see but not manage is EFORBIDDEN.
func ManageableUser(ctx context.Context, users UserService, p *Principal, id int64) (*User, error) {
	u, err := VisibleUser(ctx, users, p, id)
	if err != nil {
		return nil, err
	}
	if !p.CanManageAccount(u) {
		return nil, Errorf(EFORBIDDEN, "%s also works in another place, so only an administrator of every place they work in can do this.", u.Name)
	}
	return u, nil
}
