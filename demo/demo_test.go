package demo_test

import (
	"context"
	"testing"

	"linkwork"
	"linkwork/demo"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

func TestLoad(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := linkwork.NewContextWithActor(context.Background(), linkwork.Actor{Label: "test"})
		svc := db.Services()
		res, err := demo.Load(ctx, svc, []string{"HX1 1AA", "HX7 5AD", "HX5 0AB"}, "demo password for tests")
		if err != nil {
			t.Fatal(err)
		}
		if res.Organisations != 40 || res.Schemes != 10 || res.Practitioners != 30 || res.Offers != demo.Offers || len(res.Logins) != 7 {
			t.Fatalf("loaded %+v", res)
		}
		// Every sector and every scheme model is there.
		orgs, _, err := svc.Organisations.ListOrganisations(ctx, linkwork.OrganisationFilter{PlaceID: res.Place.ID, Page: linkwork.Page{Size: 200}})
		if err != nil {
			t.Fatal(err)
		}
		sectors := map[linkwork.Sector]bool{}
		for _, o := range orgs {
			sectors[o.Sector] = true
		}
		if len(sectors) != len(linkwork.Sectors) {
			t.Errorf("sectors: %v", sectors)
		}
		schemes, n, err := svc.Directory.ListServices(ctx, linkwork.ServiceFilter{PlaceID: res.Place.ID, Kind: linkwork.KindScheme})
		if err != nil || n != 10 {
			t.Fatalf("schemes: %d %v", n, err)
		}
		models := map[linkwork.SchemeModel]bool{}
		for _, s := range schemes {
			models[s.Scheme.Model] = true
		}
		if len(models) < 8 {
			t.Errorf("scheme models: %v", models)
		}
		// Some offers need verifying, most do not.
		_, stale, err := svc.Directory.ListServices(ctx, linkwork.ServiceFilter{PlaceID: res.Place.ID, Kind: linkwork.KindActivity,
			VerifiedBefore: db.Now().Add(-linkwork.VerifyEvery)})
		if err != nil || stale < 30 || stale > 150 {
			t.Errorf("offers needing verification: %d %v", stale, err)
		}
		// The demonstration link worker has a caseload, some of it supported for weeks, and
		// the demonstration community organisation has onward referrals to answer.
		if res.People < 10 || res.Onward < 3 {
			t.Errorf("casework: %d people, %d onward referrals", res.People, res.Onward)
		}
		lee, err := svc.Users.FindUserByEmail(ctx, "linkworker@example.org")
		if err != nil {
			t.Fatal(err)
		}
		var calder int64
		for _, m := range lee.Memberships {
			calder = m.OrganisationID
		}
		entries, n, sum, err := svc.Cases.Caseload(ctx, linkwork.CaseloadFilter{PlaceID: res.Place.ID, OrganisationIDs: []int64{calder},
			WorkerUserID: lee.ID})
		if err != nil || n < 5 || sum.Active < 3 || sum.Waiting < 1 {
			t.Fatalf("Lee's caseload: %d people, %+v, %v", n, sum, err)
		}
		withPlan := 0
		for _, e := range entries {
			if e.Person.NextStep != "" || e.Person.LastContactOn != "" {
				withPlan++
			}
		}
		if withPlan < 3 {
			t.Errorf("only %d of Lee's people have contacts or a plan", withPlan)
		}
		casey, err := svc.Users.FindUserByEmail(ctx, "community@example.org")
		if err != nil {
			t.Fatal(err)
		}
		inbox, n, err := svc.Onward.OnwardInbox(ctx, linkwork.OnwardFilter{PlaceID: res.Place.ID,
			ServiceOrganisationIDs: []int64{casey.Memberships[0].OrganisationID}})
		if err != nil || n == 0 {
			t.Fatalf("the community garden's onward referrals: %d %v", n, err)
		}
		for _, o := range inbox {
			if o.PersonFullName != "" {
				t.Errorf("the group's inbox carries a full name: %+v", o)
			}
		}

		// The demonstration link worker keeps their own entry.
		u, err := svc.Users.FindUserByEmail(ctx, "linkworker@example.org")
		if err != nil {
			t.Fatal(err)
		}
		if p, err := svc.Practitioners.FindPractitionerByUser(ctx, res.Place.ID, u.ID); err != nil || p.Name != "Lee Linkworker" {
			t.Errorf("Lee's entry: %+v %v", p, err)
		}
		if _, err := demo.Load(ctx, svc, nil, "demo password for tests"); err == nil {
			t.Error("loaded twice")
		}
	})
}
