package demo_test

import (
	"context"
	"iter"
	"slices"
	"testing"
	"time"

	"linkwork"
	"linkwork/data"
	"linkwork/demo"
	"linkwork/geoimport"
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
		// Without the clock the community side cannot be dated in the past: all of it is
		// there but the past meetings.
		if res.Pots != 3 || res.Spends != 12 || res.Meetings != 2 || res.Posts != 3 || res.Requests != 4 {
			t.Errorf("community side without the clock: %+v", res)
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

// TestDemoCommunity loads the demonstration as linkwork demo does, with the clock and the
// geography of its postcodes, and looks at the community side through the services, as its
// pages do.
func TestDemoCommunity(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := linkwork.NewContextWithActor(context.Background(), linkwork.Actor{Label: "test"})
		svc := db.Services()
		loadGeography(t, ctx, svc.Geography, demoPostcodes)
		res, err := demo.Load(ctx, svc, demoPostcodes, "demo password for tests", demo.WithClock(&db.Now))
		if err != nil {
			t.Fatal(err)
		}
		if res.Pots != 3 || res.Spends != 12 || res.Meetings != 4 || res.Posts != 3 || res.Requests != 4 {
			t.Fatalf("community side: %+v", res)
		}
		now := db.Now()
		if time.Since(now) > time.Minute || now.After(time.Now()) {
			t.Fatalf("the clock was not put back: %v", now)
		}
		place := res.Place.ID
		orgOf := func(email string) int64 {
			t.Helper()
			u, err := svc.Users.FindUserByEmail(ctx, email)
			if err != nil || len(u.Memberships) == 0 {
				t.Fatalf("%s: %+v %v", email, u, err)
			}
			return u.Memberships[0].OrganisationID
		}
		calder, garden := orgOf("manager@example.org"), orgOf("community@example.org")

		// The manager's pots: balances that are the sums of their ledgers, never below
		// nothing at any entry, and what the story spent.
		pots, err := svc.Budgets.ListPots(ctx, linkwork.PotFilter{PlaceID: place, OrganisationIDs: []int64{calder}})
		if err != nil || len(pots) != 3 {
			t.Fatalf("the manager's pots: %d %v", len(pots), err)
		}
		want := map[linkwork.PotHolder]struct{ funds, committed linkwork.Pence }{
			linkwork.HolderTeam:       {3500_00 - 57_00 - 64_00, 85_00},
			linkwork.HolderLinkWorker: {500_00 - 27_50 - 16_99 - 36_00 - 9_60, 0},
			linkwork.HolderScheme:     {4000_00 - 480_00 + 25_00 - 240_00 - 450_00, 0},
		}
		for _, p := range pots {
			entries, err := svc.Budgets.Ledger(ctx, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			var sum linkwork.PotBalance
			for _, e := range entries {
				var ok bool
				if sum, ok = sum.Apply(e); !ok {
					t.Errorf("%s goes below nothing at entry %d: %+v", p.Name, e.ID, sum)
				}
				if e.CreatedBy != "Morgan Manager" && e.CreatedBy != "Lee Linkworker" {
					t.Errorf("%s: entry %d made by %q", p.Name, e.ID, e.CreatedBy)
				}
			}
			w := want[p.Holder]
			if sum != p.Balance || p.Balance.Funds != w.funds || p.Balance.Committed != w.committed || !p.Open(now) {
				t.Errorf("%s: balance %+v, ledger %+v, want funds %s and committed %s", p.Name, p.Balance, sum, w.funds, w.committed)
			}
			if p.CreatedBy != "Morgan Manager" {
				t.Errorf("%s set up by %q", p.Name, p.CreatedBy)
			}
		}

		// Spends in every state, the personal ones made by the link worker.
		spends, n, err := svc.Budgets.ListSpends(ctx, linkwork.SpendFilter{PlaceID: place, PotOrganisationIDs: []int64{calder},
			Page: linkwork.Page{Size: 100}})
		if err != nil || n != 12 {
			t.Fatalf("spends: %d %v", n, err)
		}
		statuses := map[linkwork.SpendStatus]int{}
		for _, sp := range spends {
			statuses[sp.Status]++
			if sp.Kind == linkwork.SpendPersonal && (sp.RequestedBy != "Lee Linkworker" || sp.GoalID == 0) {
				t.Errorf("personal spend %s: by %q for goal %d", sp.Item, sp.RequestedBy, sp.GoalID)
			}
		}
		if statuses[linkwork.SpendRequested] != 1 || statuses[linkwork.SpendReversed] != 1 || statuses[linkwork.SpendApplied] != 1 ||
			statuses[linkwork.SpendReported] != 1 || statuses[linkwork.SpendPaid] != 8 {
			t.Errorf("spends by status: %v", statuses)
		}

		// The report: money spent in one of the most deprived neighbourhoods, and a grant
		// whose report is overdue.
		report, err := svc.Budgets.SpendReport(ctx, linkwork.SpendReportFilter{PlaceID: place, From: now.AddDate(-1, 0, 0), To: now})
		if err != nil {
			t.Fatal(err)
		}
		if report.Total != 57_00+64_00+27_50+16_99+36_00+9_60+480_00-25_00+240_00+450_00 {
			t.Errorf("report total %s", report.Total)
		}
		if !slices.ContainsFunc(report.ByNeighbourhood, func(l *linkwork.SpendLine) bool {
			return l.IMDDecile >= 1 && l.IMDDecile <= 2 && l.Amount > 0
		}) {
			t.Errorf("no spend in a neighbourhood of deciles 1 and 2: %+v", report.ByNeighbourhood)
		}
		if !slices.ContainsFunc(report.Outstanding, func(sp *linkwork.Spend) bool { return sp.ReportOverdue(now) }) {
			t.Errorf("no grant's report is overdue: %+v", report.Outstanding)
		}
		opps, err := svc.Landscape.ListFundingOpportunities(ctx, place)
		if err != nil || len(opps) != 1 || opps[0].Status != "funded" || opps[0].Need != "befriending" || opps[0].IMDDecile > 2 {
			t.Errorf("funding opportunities: %+v %v", opps, err)
		}

		// The community organisation's page: its requests, how full its offers are this
		// week, its volunteers; and another group's co-produced activity.
		reqs, n, err := svc.Groups.ListRequests(ctx, linkwork.RequestFilter{PlaceID: place, OrganisationIDs: []int64{garden}})
		if err != nil || n == 0 || reqs[0].CreatedBy != "Casey Community" {
			t.Errorf("the garden's requests: %d %v", n, err)
		}
		offers, _, err := svc.Directory.ListServices(ctx, linkwork.ServiceFilter{PlaceID: place, OrganisationIDs: []int64{garden},
			Kind: linkwork.KindActivity})
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, o := range offers {
			ids = append(ids, o.ID)
		}
		avail, err := svc.Groups.Availability(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		var full, places int
		for _, a := range avail {
			if a.Full && a.Note != "" {
				full++
			}
			if a.PlacesThisWeek(now) != nil {
				places++
			}
		}
		if full != 1 || places < 2 {
			t.Errorf("the garden's availability: %d full, %d with places this week", full, places)
		}
		if months, err := svc.Groups.Volunteers(ctx, garden); err != nil || len(months) != 6 {
			t.Errorf("the garden's volunteers: %d months %v", len(months), err)
		}
		var coProduced int
		orgs, _, err := svc.Organisations.ListOrganisations(ctx, linkwork.OrganisationFilter{PlaceID: place, Page: linkwork.Page{Size: 200}})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range orgs {
			acts, err := svc.Groups.NewActivities(ctx, o.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range acts {
				if a.CoProduced {
					coProduced++
				}
			}
		}
		if coProduced != 1 {
			t.Errorf("%d co-produced activities", coProduced)
		}

		// The landscape shows what groups asked for beside a deprived gap.
		in, err := svc.Landscape.LandscapeInput(ctx, place)
		if err != nil {
			t.Fatal(err)
		}
		if len(in.Requests) != 3 {
			t.Errorf("open requests in the landscape: %d", len(in.Requests))
		}
		l, err := linkwork.AnalyseLandscape(in, linkwork.LandscapeOptions{}, now)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(l.Gaps, func(g *linkwork.Gap) bool {
			return g.GroupRequests > 0 && g.Need == "befriending" && g.Neighbourhood.IMDDecile >= 1 && g.Neighbourhood.IMDDecile <= 2
		}) {
			t.Error("no deprived befriending gap shows the group's request")
		}

		// The forum: past meetings with attendance and notes, meetings to come (one
		// online, one the community organisation is invited to), and posts with comments
		// from several employers.
		past, n, err := svc.Forum.ListMeetings(ctx, linkwork.MeetingFilter{PlaceID: place, AllOrganisations: true, Now: now})
		if err != nil || n != 2 {
			t.Fatalf("past meetings: %d %v", n, err)
		}
		for _, m := range past {
			m, err := svc.Forum.FindMeeting(ctx, m.ID)
			if err != nil {
				t.Fatal(err)
			}
			came := 0
			for _, su := range m.SignUps {
				if su.Attended == nil {
					t.Errorf("%q: no attendance for %s", m.Title, su.Name)
				} else if *su.Attended {
					came++
				}
			}
			if came < 5 || came == len(m.SignUps) || m.Notes == "" || m.NotesUpdatedBy == "" {
				t.Errorf("%q: %d of %d came, notes by %q", m.Title, came, len(m.SignUps), m.NotesUpdatedBy)
			}
		}
		upcoming, n, err := svc.Forum.ListMeetings(ctx, linkwork.MeetingFilter{PlaceID: place, AllOrganisations: true, Upcoming: true, Now: now})
		if err != nil || n != 2 || !slices.ContainsFunc(upcoming, func(m *linkwork.Meeting) bool { return m.OnlineURL != "" && m.Venue == "" }) {
			t.Fatalf("upcoming meetings: %d %v", n, err)
		}
		invited, n, err := svc.Forum.ListMeetings(ctx, linkwork.MeetingFilter{PlaceID: place, InvitedOrganisationIDs: []int64{garden},
			Upcoming: true, Now: now, ForUserID: userID(t, ctx, svc, "community@example.org")})
		if err != nil || n != 1 || !invited[0].SignedUp {
			t.Errorf("meetings the garden is invited to: %d %v", n, err)
		}
		posts, n, err := svc.Forum.ListPosts(ctx, linkwork.PostFilter{PlaceID: place})
		if err != nil || n != 3 {
			t.Fatalf("posts: %d %v", n, err)
		}
		employers := map[string]bool{}
		for _, p := range posts {
			employers[p.AuthorOrganisation] = true
			if p.CommentCount != 2 || p.AuthorUserID == 0 {
				t.Errorf("post %q: %d comments, author %d", p.Title, p.CommentCount, p.AuthorUserID)
			}
		}
		if len(employers) != 3 {
			t.Errorf("posts from %v", employers)
		}
	})
}

// userID is a demonstration user's ID.
func userID(t *testing.T, ctx context.Context, svc linkwork.Services, email string) int64 {
	t.Helper()
	u, err := svc.Users.FindUserByEmail(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// loadGeography loads, from the files linkwork ships, the postcodes given and the
// deprivation of their LSOAs (linkwork demo loads the whole files): enough for the place to
// have neighbourhoods, one of them among England's most deprived (HX1 1AA's).
func loadGeography(t *testing.T, ctx context.Context, geo linkwork.GeographyService, postcodes []string) {
	t.Helper()
	f, err := data.HalifaxPostcodes()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	_, rows, err := geoimport.ReadPostcodes(f, linkwork.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var keep []*linkwork.PostcodeInfo
	lsoas := map[string]bool{}
	for p, err := range rows {
		if err == nil && slices.Contains(postcodes, p.Postcode) {
			keep, lsoas[p.LSOA] = append(keep, p), true
		}
	}
	if len(keep) != len(postcodes) {
		t.Fatalf("found %d of the postcodes %v", len(keep), postcodes)
	}
	if _, err := geo.ImportPostcodes(ctx, each(keep), linkwork.ImportOptions{AllOrNothing: true}); err != nil {
		t.Fatal(err)
	}
	g, err := data.IMD2019()
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	_, areas, err := geoimport.ReadLSOAs(g, linkwork.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var imd []*linkwork.LSOA
	for l, err := range areas {
		if err == nil && lsoas[l.Code] {
			imd = append(imd, l)
		}
	}
	if _, err := geo.ImportLSOAs(ctx, each(imd), linkwork.ImportOptions{AllOrNothing: true}); err != nil {
		t.Fatal(err)
	}
}

func each[T any](xs []T) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for _, x := range xs {
			if !yield(x, nil) {
				return
			}
		}
	}
}
