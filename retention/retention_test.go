package retention_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"linkwork"
	"linkwork/retention"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// TestRetentionRunsOnceAcrossInstances closes cases at different times and runs the job as
// two instances would, at the same moment: the cases past the place's retention period
// are erased once (one audit event each), the others are kept, and the second instance,
// finding the lease taken, does nothing.
func TestRetentionRunsOnceAcrossInstances(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := linkwork.NewContextWithActor(context.Background(), linkwork.Actor{Label: "test"})
		svc := db.Services()
		place := &linkwork.Place{Name: "Calderdale"}
		if err := svc.Places.CreatePlace(ctx, place); err != nil {
			t.Fatal(err)
		}
		org := &linkwork.Organisation{PlaceID: place.ID, Name: "Calder Valley Social Prescribing", Sector: linkwork.SectorVCSE}
		if err := svc.Organisations.CreateOrganisation(ctx, org); err != nil {
			t.Fatal(err)
		}
		if err := svc.Cases.SetRetention(ctx, linkwork.Retention{PlaceID: place.ID, Months: 12}); err != nil {
			t.Fatal(err)
		}

		start := time.Date(2024, 1, 10, 9, 0, 0, 0, time.UTC)
		now := start
		db.Now = func() time.Time { return now }
		// Three cases closed 20, 13 and 6 months before the job runs.
		var ids []int64
		for i, closedMonthsAgo := range []int{20, 13, 6} {
			now = start.AddDate(0, 20-closedMonthsAgo, 0)
			p := &linkwork.Person{PlaceID: place.ID, OrganisationID: org.ID, GivenName: "Ada", FamilyName: []string{"Ash", "Birch", "Cedar"}[i],
				DateOfBirth: "1950-05-0" + string(rune('1'+i)), Postcode: "HX1 1AA", Phone: "07700 900123"}
			if err := svc.Cases.CreatePerson(ctx, p); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Cases.CloseCase(ctx, linkwork.CaseClosure{PersonID: p.ID, Version: p.Version, Outcome: linkwork.CaseGoalsMet}, 0, "test"); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, p.ID)
		}
		now = start.AddDate(0, 20, 0)

		jobs := []*retention.Job{
			retention.New(retention.Config{Cases: svc.Cases, Leases: svc.Leases, Holder: "instance-1", Now: db.Now}),
			retention.New(retention.Config{Cases: svc.Cases, Leases: svc.Leases, Holder: "instance-2", Now: db.Now}),
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
			t.Fatalf("erased %v by the two instances, want 2 by exactly one of them", counts)
		}
		for i, want := range []linkwork.PersonStatus{linkwork.PersonErased, linkwork.PersonErased, linkwork.PersonClosed} {
			p, err := svc.Cases.FindPersonByID(ctx, ids[i])
			if err != nil {
				t.Fatal(err)
			}
			if p.Status != want {
				t.Errorf("case closed %d months ago is %s, want %s", []int{20, 13, 6}[i], p.Status, want)
			}
			if want == linkwork.PersonErased && (p.FamilyName != "" || p.DateOfBirth != "" || p.Postcode != "") {
				t.Errorf("erased case still holds personal data: %+v", p)
			}
		}
		events, total, err := svc.Audit.ListAudit(ctx, linkwork.AuditFilter{PlaceID: place.ID, Action: linkwork.AuditPersonErase})
		if err != nil {
			t.Fatal(err)
		}
		if total != 2 {
			t.Fatalf("%d erasures audited, want 2: %+v", total, events)
		}
		for _, e := range events {
			if e.ActorLabel != "retention" {
				t.Errorf("erasure audited as %q, want the actor retention", e.ActorLabel)
			}
		}

		// Later, once the lease has run out, the next run finds nothing more due, and a
		// place that keeps cases until erased by hand keeps them however old.
		now = now.Add(retention.DefaultInterval)
		if n, err := jobs[1].RunOnce(ctx); err != nil || n != 0 {
			t.Fatalf("second run: erased %d, %v; want 0", n, err)
		}
		if err := svc.Cases.SetRetention(ctx, linkwork.Retention{PlaceID: place.ID, Months: 0}); err != nil {
			t.Fatal(err)
		}
		now = now.AddDate(10, 0, 0).Add(retention.DefaultInterval)
		if n, err := jobs[0].RunOnce(ctx); err != nil || n != 0 {
			t.Fatalf("with retention 0: erased %d, %v; want 0", n, err)
		}
	})
}
