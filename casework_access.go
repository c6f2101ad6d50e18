package linkwork

import "context"

// CaseOrganisations returns the organisations whose case records the principal may see
// (for CaseloadFilter.OrganisationIDs); none means they see no one.
func (p *Principal) CaseOrganisations() []int64 {
	return p.OrganisationsWith(PermViewCases)
}

// CanSeePerson reports whether the principal may see a person's case record: it must be in
// their place and held by an organisation in which they hold PermViewCases. Nobody sees a
// person place-wide, not even an administrator.
func (p *Principal) CanSeePerson(person *Person) bool {
	return p != nil && person.PlaceID == p.Place.ID && p.CanIn(PermViewCases, person.OrganisationID)
}

// CanWorkOn reports whether the principal may change a person's case record: the record
// must be visible to them, not erased, and they must hold PermManageCases in its
// organisation.
func (p *Principal) CanWorkOn(person *Person) bool {
	return p.CanSeePerson(person) && person.Status != PersonErased && p.CanIn(PermManageCases, person.OrganisationID)
}

// CanErase reports whether the principal may erase a person's personal data.
func (p *Principal) CanErase(person *Person) bool {
	return p.CanSeePerson(person) && person.Status != PersonErased && p.CanIn(PermEraseCases, person.OrganisationID)
}

// VisiblePerson returns person id if the principal may see them (CanSeePerson), and
// ENOTFOUND otherwise, so that nobody learns a record exists that they may not see.
func VisiblePerson(ctx context.Context, cases CaseService, p *Principal, id int64) (*Person, error) {
	person, err := cases.FindPersonByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !p.CanSeePerson(person) {
		return nil, Errorf(ENOTFOUND, "Person not found.")
	}
	return person, nil
}

// OnwardOrganisations returns the organisations for which the principal answers onward
// referrals (for OnwardFilter.ServiceOrganisationIDs).
func (p *Principal) OnwardOrganisations() []int64 {
	return p.OrganisationsWith(PermAnswerOnward)
}

// CanAnswerOnward reports whether the principal may see and answer an onward referral as
// the receiving group: the minimum the group needs, never the case record.
func (p *Principal) CanAnswerOnward(o *OnwardReferral) bool {
	return p != nil && o.PlaceID == p.Place.ID && p.CanIn(PermAnswerOnward, o.ServiceOrganisationID)
}

// CanSeeOnward reports whether the principal may see an onward referral at all: as the
// receiving group, or through the person's case record.
func (p *Principal) CanSeeOnward(o *OnwardReferral) bool {
	return p.CanAnswerOnward(o) || p != nil && o.PlaceID == p.Place.ID && p.CanIn(PermViewCases, o.PersonOrganisationID)
}
