package measurejob_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"linkwork"
	"linkwork/measurejob"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// TestMeasuresJobRunsOnceAcrossInstances changes two places and runs the job as two
// instances would, at the same moment: each changed place is aggregated once, by one of
// them, and the other, finding the lease taken, does nothing. Later runs aggregate only
// what changed since.
func TestMeasuresJobRunsOnceAcrossInstances(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := linkwork.NewContextWithActor(context.Background(), linkwork.Actor{Label: "test"})
		svc := db.Services()
		now := time.Date(2030, time.March, 4, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		var people []int64
		var places []*linkwork.Place
		for _, name := range []string{"Calderdale", "Kirklees"} {
			place := &linkwork.Place{Name: name}
			if err := svc.Places.CreatePlace(ctx, place); err != nil {
				t.Fatal(err)
			}
			org := &linkwork.Organisation{PlaceID: place.ID, Name: name + " Social Prescribing", Sector: linkwork.SectorVCSE}
			if err := svc.Organisations.CreateOrganisation(ctx, org); err != nil {
				t.Fatal(err)
			}
			p := &linkwork.Person{PlaceID: place.ID, OrganisationID: org.ID, GivenName: "Ada", FamilyName: "Ash", DateOfBirth: "1950-05-01",
				Postcode: "HX1 1AA", Phone: "07700 900123", OpenedOn: "2030-02-01"}
			if err := svc.Cases.CreatePerson(ctx, p); err != nil {
				t.Fatal(err)
			}
			places, people = append(places, place), append(people, p.ID)
		}

		jobs := []*measurejob.Job{
			measurejob.New(measurejob.Config{Measures: svc.Measures, Leases: svc.Leases, Holder: "instance-1", Now: db.Now}),
			measurejob.New(measurejob.Config{Measures: svc.Measures, Leases: svc.Leases, Holder: "instance-2", Now: db.Now}),
		}
		counts := make([]int, len(jobs))
		var wg sync.WaitGroup
		for i, j := range jobs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := j.RunOnce(ctx)
				if err != nil {
					t.Error(err)
				}
				counts[i] = n
			}()
		}
		wg.Wait()
		if counts[0]+counts[1] != 2 || counts[0] != 0 && counts[1] != 0 {
			t.Fatalf("aggregated %v places by the two instances, want 2 by exactly one of them", counts)
		}
		holder := 0
		if counts[1] != 0 {
			holder = 1
		}
		for _, place := range places {
			st, err := svc.Measures.State(ctx, place.ID)
			if err != nil {
				t.Fatal(err)
			}
			facts, err := svc.Measures.Facts(ctx, place.ID, linkwork.Scope{Kind: linkwork.ScopePlace}, "", "")
			if err != nil {
				t.Fatal(err)
			}
			if !st.Current || len(facts) == 0 {
				t.Fatalf("%s after the job: %+v, %d facts", place.Name, st, len(facts))
			}
		}

		// Nothing changed: nothing to do, for either instance.
		now = now.Add(time.Minute)
		for _, j := range jobs {
			if n, err := j.RunOnce(ctx); err != nil || n != 0 {
				t.Fatalf("with nothing changed: aggregated %d, %v", n, err)
			}
		}
		// A contact in Kirklees: the instance holding the lease aggregates Kirklees alone;
		// the other does nothing while the lease lasts.
		now = now.Add(time.Minute)
		if err := svc.Cases.AddContact(ctx, &linkwork.CaseContact{PersonID: people[1], On: "2030-03-01", Mode: linkwork.ModePhone, Minutes: 10}); err != nil {
			t.Fatal(err)
		}
		if n, err := jobs[1-holder].RunOnce(ctx); err != nil || n != 0 {
			t.Fatalf("the other instance aggregated %d, %v", n, err)
		}
		if n, err := jobs[holder].RunOnce(ctx); err != nil || n != 1 {
			t.Fatalf("after a change in Kirklees: aggregated %d, %v; want 1", n, err)
		}
		// Once the lease has run out (the holder stopped), the other instance takes over.
		now = now.Add(time.Hour)
		if err := svc.Cases.AddContact(ctx, &linkwork.CaseContact{PersonID: people[0], On: "2030-03-02", Mode: linkwork.ModePhone, Minutes: 10}); err != nil {
			t.Fatal(err)
		}
		if n, err := jobs[1-holder].RunOnce(ctx); err != nil || n != 1 {
			t.Fatalf("the other instance, after the lease ran out: aggregated %d, %v; want 1", n, err)
		}
	})
}
