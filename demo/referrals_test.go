package demo_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"linkwork"
	"linkwork/demo"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// demoPostcodes are shipped Halifax postcodes in several towns, as linkwork demo passes them.
var demoPostcodes = []string{"HX1 1AA", "HX1 1AD", "HX2 0AA", "HX3 0AB", "HX4 0AA", "HX5 0AB", "HX6 1AA", "HX7 5AA", "HX7 5AB"}

func TestDemoReferrals(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := linkwork.NewContextWithActor(context.Background(), linkwork.Actor{Label: "test"})
		svc := db.Services()
		start := db.Now()
		res, err := demo.Load(ctx, svc, demoPostcodes, "demo password for tests", demo.WithClock(&db.Now))
		if err != nil {
			t.Fatal(err)
		}
		if now := db.Now(); now.Before(start) || time.Since(now) > time.Minute {
			t.Fatalf("the clock was not put back: %v", now)
		}
		if res.Referrals < 50 || res.Referrals > 80 || res.Staff != 8 || len(res.Logins) != 7 {
			t.Fatalf("loaded %+v", res)
		}
		orgs, _, err := svc.Organisations.ListOrganisations(ctx, linkwork.OrganisationFilter{PlaceID: res.Place.ID, Page: linkwork.Page{Size: 200}})
		if err != nil {
			t.Fatal(err)
		}
		var orgIDs []int64
		for _, o := range orgs {
			orgIDs = append(orgIDs, o.ID)
		}
		all, total, err := svc.Referrals.ListReferrals(ctx, linkwork.ReferralFilter{PlaceID: res.Place.ID, OrganisationIDs: orgIDs,
			Page: linkwork.Page{Size: linkwork.MaxPageSize}})
		if err != nil || total != res.Referrals || len(all) != total {
			t.Fatalf("listed %d of %d: %v", len(all), total, err)
		}

		byStatus := map[linkwork.ReferralStatus]int{}
		schemes := map[int64]bool{}
		declines := map[linkwork.DeclineReason]bool{}
		outcomes := map[linkwork.ReferralOutcome]bool{}
		var urgentReceived, self, shared, duplicates, redirected int
		for _, r := range all {
			byStatus[r.Status]++
			schemes[r.SchemeID] = true
			if r.Status == linkwork.ReferralDeclined {
				declines[r.DeclineReason] = true
			}
			if r.Status == linkwork.ReferralClosed {
				outcomes[r.Outcome] = true
			}
			if r.Status == linkwork.ReferralReceived && r.Urgency == linkwork.UrgencyUrgent {
				urgentReceived++
			}
			if r.Referrer.Type == linkwork.ReferrerSelf {
				self++
				if r.Referrer.UserID != 0 || r.Referrer.OrganisationID != 0 || r.Consent.Method != linkwork.ConsentOnlineForm {
					t.Errorf("self-referral %s: %+v %+v", r.Reference, r.Referrer, r.Consent)
				}
			}
			if len(r.Consent.ShareWith) > 0 {
				shared++
			}
			if len(r.PossibleDuplicates) > 0 {
				duplicates++
			}
			if n := r.Person.NHSNumber; n != "" {
				if _, err := linkwork.NormaliseNHSNumber(n); err != nil || !strings.HasPrefix(n, "999") {
					t.Errorf("%s has NHS number %q: %v", r.Reference, n, err)
				}
			}
			if !slices.Contains(demoPostcodes, r.Person.Postcode) {
				t.Errorf("%s lives at %q, not a postcode the demo was given", r.Reference, r.Person.Postcode)
			}
			redirected += checkHistory(t, svc, r, db.Now())
		}
		t.Logf("by status: %v", byStatus)
		for _, s := range linkwork.ReferralStatuses {
			if byStatus[s] == 0 {
				t.Errorf("no referral is %s", s)
			}
		}
		if byStatus[linkwork.ReferralWaiting] < 12 || byStatus[linkwork.ReferralInProgress] < 6 || byStatus[linkwork.ReferralClosed] < 6 {
			t.Errorf("by status: %v", byStatus)
		}
		if len(schemes) != res.Schemes || len(declines) < 5 || len(outcomes) < 6 {
			t.Errorf("%d schemes, declined for %v, closed with %v", len(schemes), declines, outcomes)
		}
		if urgentReceived < 2 || self < 10 || shared < 5 || duplicates < 2 || redirected < 3 {
			t.Errorf("%d urgent awaiting triage, %d self-referrals, %d shared, %d possible duplicates, %d redirected",
				urgentReceived, self, shared, duplicates, redirected)
		}

		// The demonstration link worker's scheme has a waiting list long enough to show
		// positions, in order, and a triage queue.
		lee, err := svc.Users.FindUserByEmail(ctx, "linkworker@example.org")
		if err != nil {
			t.Fatal(err)
		}
		mine, _, err := svc.Referrals.ListReferrals(ctx, linkwork.ReferralFilter{PlaceID: res.Place.ID, OrganisationIDs: orgIDs,
			WorkerUserID: lee.ID, Statuses: []linkwork.ReferralStatus{linkwork.ReferralAllocated, linkwork.ReferralInProgress}})
		if err != nil || len(mine) < 5 {
			t.Fatalf("Lee's caseload: %d %v", len(mine), err)
		}
		scheme := mine[0].SchemeID
		waiting, n, err := svc.Referrals.WaitingList(ctx, scheme, linkwork.Page{Size: 50})
		if err != nil || n < 10 || len(waiting) != n {
			t.Fatalf("waiting list: %d %v", n, err)
		}
		for i, e := range waiting {
			if e.Position != i+1 || e.Referral.WaitingSince == nil {
				t.Errorf("waiting %d: position %d since %v", i, e.Position, e.Referral.WaitingSince)
			}
			if i > 0 && e.Referral.Urgency.Rank() == waiting[i-1].Referral.Urgency.Rank() && e.Referral.WaitingSince.Before(*waiting[i-1].Referral.WaitingSince) {
				t.Errorf("waiting list out of order at %d", i)
			}
		}
		if first, last := waiting[0].Referral.WaitingSince, waiting[n-1].Referral.WaitingSince; first.Sub(*last).Abs() < 14*24*time.Hour {
			t.Errorf("the waiting list spans only %v", first.Sub(*last).Abs())
		}
		// Lee is all but full, so all but the first wait for weeks.
		caps, err := svc.Referrals.Capacity(ctx, res.Place.ID, []int64{scheme})
		if err != nil || len(caps) != 1 || caps[0].Free > 1 || caps[0].Waiting != n || caps[0].ExpectedWaitDays < 14 {
			t.Errorf("capacity: %+v %v", caps, err)
		}
		if w := waiting[n-1]; w.ExpectedWaitDays <= waiting[1].ExpectedWaitDays || waiting[1].ExpectedWaitDays == 0 {
			t.Errorf("expected waits: %d at %d, %d at %d", waiting[1].ExpectedWaitDays, waiting[1].Position, w.ExpectedWaitDays, w.Position)
		}
		if _, n, err := svc.Referrals.TriageQueue(ctx, scheme, linkwork.Page{Size: 50}); err != nil || n < 2 {
			t.Errorf("triage queue: %d %v", n, err)
		}

		// The notifications of the past are recorded as sent, so none waits in the outbox.
		if ns, err := svc.Notifications.ClaimNotifications(ctx, 10, time.Minute); err != nil || len(ns) != 0 {
			t.Errorf("the outbox holds %d: %v", len(ns), err)
		}
		ns, err := svc.Notifications.ListNotifications(ctx, all[0].ID)
		if err != nil || len(ns) == 0 || ns[0].SentAt == nil {
			t.Errorf("notifications of %s: %+v %v", all[0].Reference, ns, err)
		}
	})
}

// checkHistory checks that a referral's history is a walk through the lifecycle that ends
// where the referral is, in time order and in the past. It returns 1 if it was redirected.
func checkHistory(t *testing.T, svc linkwork.Services, r *linkwork.Referral, now time.Time) int {
	t.Helper()
	h, err := svc.Referrals.ReferralHistory(context.Background(), r.ID)
	if err != nil || len(h) == 0 {
		t.Fatalf("history of %s: %v", r.Reference, err)
	}
	if h[0].Action != linkwork.ActionReceive || h[0].ToStatus != linkwork.ReferralReceived || !h[0].At.Equal(r.ReceivedAt) {
		t.Errorf("%s starts with %+v", r.Reference, h[0])
	}
	redirected := 0
	for i, e := range h[1:] {
		prev := h[i]
		if e.FromStatus != prev.ToStatus || e.At.Before(prev.At) || e.ActorName == "" {
			t.Errorf("%s: %+v after %+v", r.Reference, e, prev)
		}
		if e.Action == linkwork.ActionRedirect {
			redirected = 1
			if e.FromSchemeID == 0 || e.ToSchemeID == 0 || e.FromSchemeID == e.ToSchemeID {
				t.Errorf("%s redirected: %+v", r.Reference, e)
			}
		}
	}
	last := h[len(h)-1]
	if last.ToStatus != r.Status || r.Version != len(h) || last.At.After(now) || !last.At.Equal(r.UpdatedAt) {
		t.Errorf("%s is %s at version %d, updated %v, but its history ends %+v after %d events", r.Reference, r.Status, r.Version,
			r.UpdatedAt, last, len(h))
	}
	if r.Status == linkwork.ReferralWaiting && (r.WaitingSince == nil || r.WaitingSince.After(now)) {
		t.Errorf("%s waiting since %v", r.Reference, r.WaitingSince)
	}
	if (r.Status == linkwork.ReferralAllocated || r.Status == linkwork.ReferralInProgress) && r.WorkerUserID == 0 {
		t.Errorf("%s is %s with no worker", r.Reference, r.Status)
	}
	return redirected
}

// The demonstration is the same every time: the same people, in the same states, at the
// same schemes (only the references, drawn at random by the store, differ).
func TestDemoReferralsAreTheSameEveryTime(t *testing.T) {
	summary := func() []string {
		db := sqldbtest.Open(t, "sqlite")
		ctx := linkwork.NewContextWithActor(context.Background(), linkwork.Actor{Label: "test"})
		svc := db.Services()
		res, err := demo.Load(ctx, svc, demoPostcodes, "demo password for tests", demo.WithClock(&db.Now))
		if err != nil {
			t.Fatal(err)
		}
		orgs, _, err := svc.Organisations.ListOrganisations(ctx, linkwork.OrganisationFilter{PlaceID: res.Place.ID, Page: linkwork.Page{Size: 200}})
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, o := range orgs {
			ids = append(ids, o.ID)
		}
		all, _, err := svc.Referrals.ListReferrals(ctx, linkwork.ReferralFilter{PlaceID: res.Place.ID, OrganisationIDs: ids,
			Page: linkwork.Page{Size: linkwork.MaxPageSize}})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range all {
			out = append(out, strings.Join([]string{r.Person.Name(), r.Person.DateOfBirth, r.Person.NHSNumber, r.Person.Postcode,
				r.Person.Phone, r.Referrer.Name, r.Referrer.Phone, r.SchemeName, string(r.Status), r.WorkerName, r.Reason}, "|"))
		}
		slices.Sort(out)
		return out
	}
	a, b := summary(), summary()
	if !slices.Equal(a, b) {
		t.Errorf("two loads differ:\n%s\n\n%s", strings.Join(a, "\n"), strings.Join(b, "\n"))
	}
}
