package linkwork_test

import (
	"testing"

	"linkwork"
)

// principal returns a principal in place 1 with the given memberships (organisation, role),
// and the user's memberships in other places.
func principal(in []linkwork.Membership, elsewhere ...linkwork.Membership) *linkwork.Principal {
	for i := range in {
		in[i].PlaceID = 1
	}
	return &linkwork.Principal{User: &linkwork.User{ID: 1, Memberships: append(append([]linkwork.Membership{}, in...), elsewhere...)},
		Place: &linkwork.Place{ID: 1, Name: "Calderdale"}, Memberships: in}
}

func TestPolicy(t *testing.T) {
	manager := principal([]linkwork.Membership{{OrganisationID: 10, Role: linkwork.RoleManager}, {OrganisationID: 11, Role: linkwork.RoleLinkWorker}})
	if !manager.Can(linkwork.PermViewUsers) || manager.CanPlaceWide(linkwork.PermViewUsers) {
		t.Error("a manager views users in their organisation, not the place")
	}
	if !manager.CanIn(linkwork.PermViewUsers, 10) || manager.CanIn(linkwork.PermViewUsers, 11) || manager.CanIn(linkwork.PermViewUsers, 12) {
		t.Error("a manager's view of users is not limited to the organisation they manage")
	}
	if manager.Can(linkwork.PermManageUsers) || manager.Can(linkwork.PermViewAudit) {
		t.Error("a manager manages users or reads the audit trail")
	}
	f, ok := manager.VisibleUsers()
	if !ok || len(f.OrganisationIDs) != 1 || f.OrganisationIDs[0] != 10 {
		t.Errorf("manager's users filter: %+v %v", f, ok)
	}
	admin := principal([]linkwork.Membership{{OrganisationID: 10, Role: linkwork.RoleAdmin}})
	if !admin.CanIn(linkwork.PermViewUsers, 99) || !admin.CanPlaceWide(linkwork.PermManageUsers) {
		t.Error("an administrator's permissions are not place-wide")
	}
	if f, ok := admin.VisibleUsers(); !ok || f.OrganisationIDs != nil {
		t.Errorf("administrator's users filter: %+v", f)
	}
	worker := principal([]linkwork.Membership{{OrganisationID: 10, Role: linkwork.RoleLinkWorker}})
	if _, ok := worker.VisibleUsers(); ok || worker.Can(linkwork.PermViewUsers) {
		t.Error("a link worker lists users")
	}
	var nobody *linkwork.Principal
	if nobody.Can(linkwork.PermSignedIn) || !nobody.Can(linkwork.PermPublic) || nobody.CanIn(linkwork.PermViewOrganisations, 1) {
		t.Error("an anonymous principal holds a permission beyond public")
	}
	if admin.Can("no.such.permission") {
		t.Error("an unknown permission is granted")
	}
}

func TestCanSeeAndManageAccounts(t *testing.T) {
	admin := principal([]linkwork.Membership{{OrganisationID: 10, Role: linkwork.RoleAdmin}})
	here := &linkwork.User{Memberships: []linkwork.Membership{{OrganisationID: 11, PlaceID: 1, Role: linkwork.RoleLinkWorker}}}
	twoPlaces := &linkwork.User{Memberships: []linkwork.Membership{{OrganisationID: 11, PlaceID: 1, Role: linkwork.RoleLinkWorker},
		{OrganisationID: 20, PlaceID: 2, Role: linkwork.RoleAdmin}}}
	elsewhere := &linkwork.User{Memberships: []linkwork.Membership{{OrganisationID: 20, PlaceID: 2, Role: linkwork.RoleAdmin}}}
	if !admin.CanSeeUser(here) || !admin.CanSeeUser(twoPlaces) || admin.CanSeeUser(elsewhere) {
		t.Error("an administrator sees the wrong people")
	}
	if !admin.CanManageAccount(here) || admin.CanManageAccount(twoPlaces) {
		t.Error("an administrator of one place may act on an account another place relies on")
	}
	both := principal([]linkwork.Membership{{OrganisationID: 10, Role: linkwork.RoleAdmin}},
		linkwork.Membership{OrganisationID: 21, PlaceID: 2, Role: linkwork.RoleAdmin})
	if !both.CanManageAccount(twoPlaces) {
		t.Error("an administrator of both places may not act on the account")
	}
	if got := twoPlaces.InPlace(1).Memberships; len(got) != 1 || got[0].PlaceID != 1 || len(twoPlaces.Memberships) != 2 {
		t.Errorf("InPlace: %v (original %v)", got, twoPlaces.Memberships)
	}
}
