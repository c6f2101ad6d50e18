package main

import (
	"context"
	"fmt"

	"linkwork"
)

// demoPlace is the name of the demonstration place. Its organisations are fictional; later
// features add their directory, referrals and measures to it.
const demoPlace = "Calderdale (demo)"

var demoOrganisations = []struct {
	name   string
	sector linkwork.Sector
}{
	{"Calder Valley Primary Care Network", linkwork.SectorNHS},
	{"Halifax Central Primary Care Network", linkwork.SectorNHS},
	{"Calderdale Adult Social Care", linkwork.SectorSocialCare},
	{"Calderdale Council Public Health", linkwork.SectorCouncil},
	{"Pennine Homes Housing Association", linkwork.SectorHousing},
	{"West Yorkshire Police Neighbourhood Team", linkwork.SectorPolice},
	{"West Yorkshire Fire Safe and Well", linkwork.SectorFire},
	{"Todmorden Community Garden", linkwork.SectorVCSE},
	{"Halifax Voluntary Action", linkwork.SectorVCSE},
	{"Park Ward Mosque Welfare Group", linkwork.SectorFaith},
	{"Calderdale College Adult Learning", linkwork.SectorEducation},
}

var demoUsers = []struct {
	email, name string
	role        linkwork.Role
	org         int
}{
	{"admin@example.org", "Alex Admin", linkwork.RoleAdmin, 3},
	{"commissioner@example.org", "Chris Commissioner", linkwork.RoleCommissioner, 3},
	{"manager@example.org", "Morgan Manager", linkwork.RoleManager, 0},
	{"linkworker@example.org", "Lee Linkworker", linkwork.RoleLinkWorker, 0},
	{"linkworker2@example.org", "Sam Shah", linkwork.RoleLinkWorker, 1},
	{"referrer@example.org", "Dr Rhian Referrer", linkwork.RoleReferrer, 1},
	{"community@example.org", "Casey Community", linkwork.RoleCommunity, 7},
}

// demo loads the demonstration place with a user for every role, all with one new random
// password, printed once. It refuses to load twice.
func (m *Main) demo(ctx context.Context) error {
	svc := m.db.Services()
	if _, err := svc.Places.FindPlaceByName(ctx, demoPlace); err == nil {
		return fmt.Errorf("demo: the demonstration place %q is already loaded", demoPlace)
	}
	p := &linkwork.Place{Name: demoPlace}
	if err := svc.Places.CreatePlace(ctx, p); err != nil {
		return err
	}
	orgs := make([]*linkwork.Organisation, len(demoOrganisations))
	for i, d := range demoOrganisations {
		orgs[i] = &linkwork.Organisation{PlaceID: p.ID, Name: d.name, Sector: d.sector}
		if err := svc.Organisations.CreateOrganisation(ctx, orgs[i]); err != nil {
			return err
		}
	}
	password := "demo-" + linkwork.NewSecret()[:12]
	for _, d := range demoUsers {
		if _, err := svc.Users.CreateUser(ctx, &linkwork.NewUser{Email: d.email, Name: d.name, Password: password,
			OrganisationID: orgs[d.org].ID, Role: d.role}); err != nil {
			return fmt.Errorf("demo: %s: %w", d.email, err)
		}
	}
	fmt.Fprintf(m.stdout, "Loaded %q with %d organisations and a user for every role.\n\n", demoPlace, len(orgs))
	fmt.Fprintln(m.stdout, "Sign in as any of these, with the password below:")
	for _, d := range demoUsers {
		fmt.Fprintf(m.stdout, "  %-26s %s at %s\n", d.email, d.role.Label(), demoOrganisations[d.org].name)
	}
	fmt.Fprintf(m.stdout, "\nPassword: %s\n", password)
	return nil
}
