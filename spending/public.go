package spending

import "linkwork"

// Public returns a copy of r fit for anyone who may read spend reports, in a page, an
// export or the API. The breakdowns are already sums. The grants owing a report keep what
// a funder chases a report with (the grant, its group and activity, pot, need,
// neighbourhood, money and dates) and lose everything about people: a personal spend's
// person, goal, item and reason (a grant has none, but the report must not depend on
// that), the group's contact, what the group wrote, and the staff who asked and decided.
func Public(r *linkwork.SpendReport) *linkwork.SpendReport {
	if r == nil {
		return nil
	}
	c := *r
	// Empty lists stay lists, not nothing, for the API's answer.
	c.Filter.OrganisationIDs = append([]int64{}, r.Filter.OrganisationIDs...)
	for _, l := range []*[]*linkwork.SpendLine{&c.ByNeed, &c.ByNeighbourhood, &c.ByGroup, &c.ByScheme, &c.ByPot} {
		if *l == nil {
			*l = []*linkwork.SpendLine{}
		}
	}
	c.Outstanding = make([]*linkwork.Spend, 0, len(r.Outstanding))
	for _, s := range r.Outstanding {
		c.Outstanding = append(c.Outstanding, PublicGrant(s))
	}
	return &c
}

// PublicGrant returns the part of a spend that a report shows: no person, contact or
// staff, and none of the words anyone wrote about it.
func PublicGrant(s *linkwork.Spend) *linkwork.Spend {
	return &linkwork.Spend{
		ID: s.ID, PlaceID: s.PlaceID, PotID: s.PotID, PotName: s.PotName, PotOrganisationID: s.PotOrganisationID,
		Kind: s.Kind, Amount: s.Amount, Need: s.Need, NeighbourhoodCode: s.NeighbourhoodCode,
		NeighbourhoodName: s.NeighbourhoodName, IMDDecile: s.IMDDecile, FundingOpportunityID: s.FundingOpportunityID,
		GroupOrganisationID: s.GroupOrganisationID, GroupName: s.GroupName, ActivityName: s.ActivityName,
		PeopleExpected: s.PeopleExpected, ReportDue: s.ReportDue, Status: s.Status, RequestedAt: s.RequestedAt,
		DecidedAt: s.DecidedAt, PaidAt: s.PaidAt, Refunded: s.Refunded, Version: s.Version,
	}
}
