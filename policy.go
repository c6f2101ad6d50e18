package linkwork

import "slices"

// Permission names something a request may want to do. Every route declares one, and the
// Policy below is the single place that decides which roles hold it.
type Permission string

// The permissions.
const (
	// PermPublic needs nobody to be signed in.
	PermPublic Permission = "public"
	// PermSignedIn is held by everyone who is signed in: their own account and tokens.
	PermSignedIn Permission = "signed_in"

	PermViewOrganisations   Permission = "organisations.view"
	PermManageOrganisations Permission = "organisations.manage"
	PermViewUsers           Permission = "users.view"
	PermManageUsers         Permission = "users.manage"
	PermViewAudit           Permission = "audit.view"

	// PermManageDirectory is keeping a place's directory of services current.
	PermManageDirectory Permission = "directory.manage"
	// PermViewPractitioners is seeing the directory of link workers.
	PermViewPractitioners Permission = "practitioners.view"
	// PermManagePractitioners is keeping other people's entries in it; whoever may see the
	// directory of link workers may keep their own entry.
	PermManagePractitioners Permission = "practitioners.manage"

	// PermSendReferrals is sending referrals through the front door.
	PermSendReferrals Permission = "referrals.send"
	// PermViewReferrals is seeing referrals: only those sent by, held by or shared by
	// consent with the organisations the principal holds it in (Principal.CanSeeReferral).
	PermViewReferrals Permission = "referrals.view"
	// PermTriageReferrals is deciding on the referrals a scheme holds: accepting, declining,
	// redirecting, the waiting list, starting and closing.
	PermTriageReferrals Permission = "referrals.triage"
	// PermAllocateReferrals is allocating a scheme's referrals to any of its link workers;
	// a link worker who triages may allocate to themselves.
	PermAllocateReferrals Permission = "referrals.allocate"
	// PermViewCapacity is seeing schemes' capacity: counts, not people.
	PermViewCapacity Permission = "capacity.view"

	// PermViewCases is seeing the case records (people, their plans, contacts and
	// questionnaires) an organisation holds; PermManageCases is working on them.
	PermViewCases   Permission = "cases.view"
	PermManageCases Permission = "cases.manage"
	// PermEraseCases is erasing a person's personal data before its retention ends.
	PermEraseCases Permission = "cases.erase"
	// PermAnswerOnward is seeing and answering the onward referrals sent to an
	// organisation's community offers.
	PermAnswerOnward Permission = "onward.answer"
	// PermManageCasework is a place's casework settings: its own questionnaires, the
	// licensed SWEMWBS wording and how long closed cases are kept.
	PermManageCasework Permission = "casework.settings"

	// PermViewLandscape is seeing the place's landscape: who does what, where and for whom
	// (organisations and schemes, never people).
	PermViewLandscape Permission = "landscape.view"
	// PermManageFunding is turning gaps into funding opportunities.
	PermManageFunding Permission = "funding.manage"

	// PermGroupPortal is a community organisation keeping its own listings' availability,
	// volunteers, new activities and requests to the place.
	PermGroupPortal Permission = "groups.portal"
	// PermForum is taking part in the practitioners' forum: posts, comments, meetings, who's
	// who. PermJoinMeetings is seeing and joining meetings: place-wide for those who take
	// part, and for a community organisation's people the meetings that invite it.
	// PermModerateForum is hiding what breaks the forum's rules.
	PermForum         Permission = "forum.take_part"
	PermJoinMeetings  Permission = "forum.meetings"
	PermModerateForum Permission = "forum.moderate"

	// Devolved budgets. PermViewBudgets is seeing pots, their ledgers and spends;
	// PermSpendBudgets spending from them (CanSpendFrom says which); PermApproveSpends
	// deciding on spends above a pot's threshold; PermManageBudgets creating pots, adding
	// money, closing them and reversing entries; PermBudgetReports the spend reports;
	// PermApplyForGrants a community group applying for micro-grants and reporting back.
	PermViewBudgets    Permission = "budgets.view"
	PermSpendBudgets   Permission = "budgets.spend"
	PermApproveSpends  Permission = "budgets.approve"
	PermManageBudgets  Permission = "budgets.manage"
	PermBudgetReports  Permission = "budgets.reports"
	PermApplyForGrants Permission = "grants.apply"

	// Measures. PermViewMeasures is seeing dashboards of aggregates (safe aggregates unless
	// the principal sees the people behind them: Principal.SeesPeopleOf); PermViewWorkload a
	// link worker's own workload and a manager's team; PermManageMeasures choosing the
	// place's measures, its suppression rule and local measures; PermEnterLocalMeasures an
	// organisation entering its local measures' monthly values.
	PermViewMeasures       Permission = "measures.view"
	PermViewWorkload       Permission = "measures.workload"
	PermManageMeasures     Permission = "measures.manage"
	PermEnterLocalMeasures Permission = "measures.enter"
)

// Grant says which roles hold a permission. A role in PlaceWide holds it for every
// organisation in the place; a role in OwnOrganisation only for the organisation in which the
// user has that role.
type Grant struct {
	PlaceWide       []Role
	OwnOrganisation []Role
}

// everyRole is every role, for permissions all professionals hold.
var everyRole = Roles

// Policy maps each permission (other than PermPublic and PermSignedIn) to its grant.
var Policy = map[Permission]Grant{
	PermViewOrganisations:   {PlaceWide: everyRole},
	PermManageOrganisations: {PlaceWide: []Role{RoleAdmin}},
	PermViewUsers:           {PlaceWide: []Role{RoleAdmin}, OwnOrganisation: []Role{RoleManager}},
	PermManageUsers:         {PlaceWide: []Role{RoleAdmin}},
	PermViewAudit:           {PlaceWide: []Role{RoleAdmin}},
	// Administrators keep the whole directory; managers and community organisations keep
	// their own organisation's entries.
	PermManageDirectory: {PlaceWide: []Role{RoleAdmin}, OwnOrganisation: []Role{RoleManager, RoleCommunity}},
	// The directory of link workers is for professionals, not for community groups.
	PermViewPractitioners:   {PlaceWide: []Role{RoleAdmin, RoleCommissioner, RoleManager, RoleLinkWorker, RoleReferrer}},
	PermManagePractitioners: {PlaceWide: []Role{RoleAdmin}, OwnOrganisation: []Role{RoleManager}},
	// Professionals refer, community groups too; commissioners see aggregates only.
	PermSendReferrals: {PlaceWide: []Role{RoleManager, RoleLinkWorker, RoleReferrer, RoleCommunity}},
	// A referral is personal data: each is seen only through the organisations it belongs
	// to, never place-wide, not even by administrators.
	PermViewReferrals:     {OwnOrganisation: []Role{RoleAdmin, RoleManager, RoleLinkWorker, RoleReferrer, RoleCommunity}},
	PermTriageReferrals:   {OwnOrganisation: []Role{RoleManager, RoleLinkWorker}},
	PermAllocateReferrals: {OwnOrganisation: []Role{RoleManager}},
	PermViewCapacity:      {PlaceWide: []Role{RoleAdmin, RoleCommissioner}, OwnOrganisation: []Role{RoleManager}},
	// Case records are personal data held by one organisation: only its link workers and
	// managers see them, never anyone place-wide.
	PermViewCases:   {OwnOrganisation: []Role{RoleManager, RoleLinkWorker}},
	PermManageCases: {OwnOrganisation: []Role{RoleManager, RoleLinkWorker}},
	PermEraseCases:  {OwnOrganisation: []Role{RoleManager}},
	// The group running an offer answers its referrals; so may a manager whose
	// organisation runs offers.
	PermAnswerOnward:   {OwnOrganisation: []Role{RoleCommunity, RoleManager}},
	PermManageCasework: {PlaceWide: []Role{RoleAdmin}},
	// The landscape is the whole place's system, for those who plan and run it.
	PermViewLandscape: {PlaceWide: []Role{RoleAdmin, RoleCommissioner, RoleManager}},
	PermManageFunding: {PlaceWide: []Role{RoleAdmin, RoleCommissioner}},
	// A group keeps its own side; a manager of an organisation that runs offers may too.
	PermGroupPortal: {OwnOrganisation: []Role{RoleCommunity, RoleManager}},
	// The forum is for link workers and managers across every employer in the place, with
	// administrators to keep it in order; community groups join the meetings they are
	// invited to.
	PermForum:         {PlaceWide: []Role{RoleAdmin, RoleManager, RoleLinkWorker}},
	PermJoinMeetings:  {PlaceWide: []Role{RoleAdmin, RoleManager, RoleLinkWorker}, OwnOrganisation: []Role{RoleCommunity}},
	PermModerateForum: {PlaceWide: []Role{RoleAdmin}},
	// A pot belongs to its organisation: its link workers and managers see and spend it,
	// its managers approve; the place's funders (commissioners) and administrators see
	// every pot and its reports, and set pots up.
	PermViewBudgets:    {PlaceWide: []Role{RoleAdmin, RoleCommissioner}, OwnOrganisation: []Role{RoleManager, RoleLinkWorker}},
	PermSpendBudgets:   {OwnOrganisation: []Role{RoleManager, RoleLinkWorker}},
	PermApproveSpends:  {OwnOrganisation: []Role{RoleManager}},
	PermManageBudgets:  {PlaceWide: []Role{RoleAdmin, RoleCommissioner}, OwnOrganisation: []Role{RoleManager}},
	PermBudgetReports:  {PlaceWide: []Role{RoleAdmin, RoleCommissioner}, OwnOrganisation: []Role{RoleManager}},
	PermApplyForGrants: {OwnOrganisation: []Role{RoleCommunity, RoleManager}},
	// Those who plan and answer for the system see its measures, as safe aggregates;
	// link workers see their own workload and managers their team's.
	PermViewMeasures:       {PlaceWide: []Role{RoleAdmin, RoleCommissioner, RoleManager}},
	PermViewWorkload:       {OwnOrganisation: []Role{RoleManager, RoleLinkWorker}},
	PermManageMeasures:     {PlaceWide: []Role{RoleAdmin}},
	PermEnterLocalMeasures: {OwnOrganisation: []Role{RoleManager}},
}

// Principal is a signed-in user working in one place, with their memberships there.
type Principal struct {
	User        *User
	Place       *Place
	Memberships []Membership // in Place only
	Places      []*Place     // every place the user has a membership in
	SessionID   int64        // set when signed in with a browser session
	TokenID     int64        // set when signed in with an API token
}

// HasRole reports whether the principal has role r in any organisation of the place.
func (p *Principal) HasRole(r Role) bool {
	for _, m := range p.Memberships {
		if m.Role == r {
			return true
		}
	}
	return false
}

// Can reports whether the principal holds perm for some organisation in the place: whether
// a page or endpoint that needs perm is open to them at all.
func (p *Principal) Can(perm Permission) bool {
	if p == nil {
		return perm == PermPublic
	}
	if perm == PermPublic || perm == PermSignedIn {
		return true
	}
	g, ok := Policy[perm]
	if !ok {
		return false
	}
	for _, m := range p.Memberships {
		if slices.Contains(g.PlaceWide, m.Role) || slices.Contains(g.OwnOrganisation, m.Role) {
			return true
		}
	}
	return false
}

// CanIn reports whether the principal holds perm for the organisation with ID orgID, which
// must belong to the principal's place (callers check the record's place first).
func (p *Principal) CanIn(perm Permission, orgID int64) bool {
	if p == nil {
		return perm == PermPublic
	}
	if perm == PermPublic || perm == PermSignedIn {
		return true
	}
	g, ok := Policy[perm]
	if !ok {
		return false
	}
	for _, m := range p.Memberships {
		if slices.Contains(g.PlaceWide, m.Role) {
			return true
		}
		if m.OrganisationID == orgID && slices.Contains(g.OwnOrganisation, m.Role) {
			return true
		}
	}
	return false
}

// CanPlaceWide reports whether the principal holds perm for every organisation in the place.
func (p *Principal) CanPlaceWide(perm Permission) bool {
	if p == nil {
		return false
	}
	g, ok := Policy[perm]
	if !ok {
		return perm == PermSignedIn
	}
	for _, m := range p.Memberships {
		if slices.Contains(g.PlaceWide, m.Role) {
			return true
		}
	}
	return false
}

// OrganisationsWith returns the organisations in which the principal holds perm through an
// own-organisation grant; callers combine it with CanPlaceWide to scope a list.
func (p *Principal) OrganisationsWith(perm Permission) []int64 {
	if p == nil {
		return nil
	}
	g := Policy[perm]
	var ids []int64
	for _, m := range p.Memberships {
		if slices.Contains(g.OwnOrganisation, m.Role) && !slices.Contains(ids, m.OrganisationID) {
			ids = append(ids, m.OrganisationID)
		}
	}
	return ids
}

// CanSeeUser reports whether the principal may see user u: u must have a membership in an
// organisation of the principal's place for which the principal holds PermViewUsers.
func (p *Principal) CanSeeUser(u *User) bool {
	if p == nil {
		return false
	}
	for _, m := range u.Memberships {
		if m.PlaceID == p.Place.ID && p.CanIn(PermViewUsers, m.OrganisationID) {
			return true
		}
	}
	return false
}

// VisibleUsers returns the filter for the users the principal may list, and ok false if
// they may list none. An administrator sees the whole place; a manager the organisations
// they manage.
func (p *Principal) VisibleUsers() (f UserFilter, ok bool) {
	if p == nil {
		return UserFilter{}, false
	}
	f.PlaceID = p.Place.ID
	if p.CanPlaceWide(PermViewUsers) {
		return f, true
	}
	f.OrganisationIDs = p.OrganisationsWith(PermViewUsers)
	return f, len(f.OrganisationIDs) > 0
}

// CanManageAccount reports whether the principal may act on u's account itself (make a
// password link, unlock it): only someone who manages users in every place u works in, so
// that an administrator of one place cannot take over an account another place relies on.
func (p *Principal) CanManageAccount(u *User) bool {
	if p == nil || !p.CanPlaceWide(PermManageUsers) {
		return false
	}
	for _, um := range u.Memberships {
		ok := false
		for _, pm := range p.User.Memberships {
			if pm.PlaceID == um.PlaceID && slices.Contains(Policy[PermManageUsers].PlaceWide, pm.Role) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}
