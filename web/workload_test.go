package web_test

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// workloadSite is the referral site with work for Sam: Ada Lovelace, contacted ten days ago
// with a follow-up two days ago (overdue), and Bea Brown, waiting; Sam's own caseload limit
// is 1. One referral waits on Calder Social Prescribing's list.
type workloadSite struct {
	*referralSite
	community *linkwork.User
}

func newWorkloadSite(t *testing.T, db *sqldb.DB) *workloadSite {
	t.Helper()
	s := &workloadSite{referralSite: newReferralSite(t, db)}
	ctx := linkwork.NewContextWithActor(context.Background(), linkwork.Actor{UserID: s.admin.ID, Label: "admin@example.org", PlaceID: s.place.ID})
	s.community = s.addUser("grower@example.org", s.orgB, linkwork.RoleCommunity)
	day := func(d int) string { return time.Now().AddDate(0, 0, d).Format(time.DateOnly) }
	for _, p := range []*linkwork.Person{
		{GivenName: "Ada", FamilyName: "Lovelace", DateOfBirth: "1955-12-10"},
		{GivenName: "Bea", FamilyName: "Brown", DateOfBirth: "1960-01-02"},
	} {
		p.PlaceID, p.OrganisationID, p.WorkerUserID = s.place.ID, s.orgA.ID, s.sam.ID
		p.Address1, p.Town, p.Postcode, p.Phone = "1 Crossley Street", "Halifax", "HX1 1AA", "01422 000000"
		must(t, s.svc.Cases.CreatePerson(ctx, p))
		if p.GivenName == "Ada" {
			must(t, s.svc.Cases.AddContact(ctx, &linkwork.CaseContact{PersonID: p.ID, On: day(-10), Mode: linkwork.ModePhone, Minutes: 25,
				FollowUpOn: day(-2), WorkerUserID: s.sam.ID}))
		}
	}
	must(t, s.svc.Referrals.SetCaseloadLimit(ctx, s.place.ID, s.sam.ID, 1))
	id := s.send(s.referralForm("send"))
	for _, a := range []linkwork.ReferralAction{linkwork.ActionAccept, linkwork.ActionWait} {
		r, err := s.svc.Referrals.FindReferralByID(ctx, id)
		must(t, err)
		_, err = s.svc.Referrals.Transition(ctx, linkwork.Transition{ReferralID: id, Action: a, Version: r.Version}, s.manager.ID, "manager")
		must(t, err)
	}
	return s
}

// workloadAudits counts the team views recorded for an organisation.
func (s *workloadSite) workloadAudits(orgID int64) int {
	s.t.Helper()
	events, _, err := s.svc.Audit.ListAudit(context.Background(), linkwork.AuditFilter{PlaceID: s.place.ID, Action: linkwork.AuditWorkloadView})
	must(s.t, err)
	n := 0
	for _, e := range events {
		if e.RecordID == strconv.FormatInt(orgID, 10) {
			n++
		}
	}
	return n
}

func TestWorkloadPage(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newWorkloadSite(t, db)
		sam := s.as("sam@example.org")
		p := sam.get("/workload")
		if p.status != http.StatusOK {
			t.Fatalf("GET /workload as Sam: %d", p.status)
		}
		p.has(t, "Your workload", "1 person in contact with you", "1 person waiting for a first contact", "2 of 1 (200%)",
			"The limit is your own limit.", "Caseload above limit", "2 people</strong> from", "a year: under the guide of 200 to 250",
			`Follow-ups overdue</dt><dd class="nhsuk-summary-list__value">1</dd>`,
			`Plan steps overdue</dt><dd class="nhsuk-summary-list__value">0</dd>`,
			`href="/people?worker=`+strconv.FormatInt(s.sam.ID, 10)+`"`, `<svg`, "Your last 12 months", "Phone")
		// Counts only: nobody is named, and nothing is recorded for looking.
		for _, name := range []string{"Ada", "Lovelace", "Bea", "Brown"} {
			if strings.Contains(p.body, name) {
				t.Errorf("the workload page names %q", name)
			}
		}
		if strings.Contains(p.body, `href="/workload/team"`) {
			t.Error("a link worker is offered the team's workload")
		}
		if n := s.workloadAudits(s.orgA.ID); n != 0 {
			t.Errorf("%d team views recorded for Sam's own workload", n)
		}
		// The home page has a way in; the header does not.
		home := sam.get("/")
		if strings.Count(home.body, `href="/workload"`) != 1 || !strings.Contains(home.body, "Your workload") {
			t.Errorf("home page: want one link to /workload")
		}
		if strings.Contains(sam.get("/account").body, `href="/workload"`) {
			t.Error("the navigation links to /workload")
		}
		// A link worker has no team.
		if p := sam.get("/workload/team"); p.status != http.StatusForbidden {
			t.Errorf("GET /workload/team as Sam: %d, want 403", p.status)
		}

		// Kim has nothing yet.
		s.as("kim@example.org").get("/workload").has(t, "0 people in contact with you", "0 of 50 (0%)", "linkwork’s usual limit",
			"You have not recorded a contact yet.")

		// Those who hold no caseload are turned away, and have no way in.
		for _, email := range []string{"admin@example.org", "commissioner@example.org", "gp@example.org", "grower@example.org"} {
			b := s.as(email)
			if p := b.get("/workload"); p.status != http.StatusForbidden {
				t.Errorf("GET /workload as %s: %d, want 403", email, p.status)
			}
			if p := b.get("/workload/team"); p.status != http.StatusForbidden {
				t.Errorf("GET /workload/team as %s: %d, want 403", email, p.status)
			}
			if strings.Contains(b.get("/").body, `href="/workload"`) {
				t.Errorf("%s's home page links to /workload", email)
			}
		}
	})
}

func TestWorkloadTeamPage(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newWorkloadSite(t, db)
		mgr := s.as("manager@example.org")
		mgr.get("/workload").has(t, `href="/workload/team"`)
		p := mgr.get("/workload/team")
		if p.status != http.StatusOK {
			t.Fatalf("GET /workload/team as the manager: %d", p.status)
		}
		p.has(t, "Calder PCN", ">sam</a>", ">kim</a>", "Caseload above limit", "200%", "1 link worker shows a sign of overload",
			"Calder Social Prescribing", "14 days", "Every open case has a link worker.")
		if strings.Contains(p.body, "Todmorden Garden") || strings.Contains(p.body, "Lovelace") {
			t.Error("the team page shows another organisation's team, or a person's name")
		}
		if n := s.workloadAudits(s.orgA.ID); n != 1 {
			t.Errorf("%d team views recorded, want 1", n)
		}
		mgr.get("/workload/team?organisation="+strconv.FormatInt(s.orgA.ID, 10)).has(t, ">sam</a>")

		// Another organisation's team: 403 in the place, 404 beyond it or if there is none.
		other := &linkwork.Place{Name: "Wakefield"}
		must(t, s.svc.Places.CreatePlace(context.Background(), other))
		wake := &linkwork.Organisation{PlaceID: other.ID, Name: "Wakefield Council", Sector: linkwork.SectorCouncil}
		must(t, s.svc.Organisations.CreateOrganisation(context.Background(), wake))
		for q, want := range map[string]int{
			strconv.FormatInt(s.orgB.ID, 10): http.StatusForbidden,
			strconv.FormatInt(wake.ID, 10):   http.StatusNotFound,
			"999999":                         http.StatusNotFound,
			"calder":                         http.StatusNotFound,
		} {
			if p := mgr.get("/workload/team?organisation=" + q); p.status != want {
				t.Errorf("GET /workload/team?organisation=%s: %d, want %d", q, p.status, want)
			}
		}

		// The garden's manager sees the garden's team only.
		g := s.as("garden.manager@example.org").get("/workload/team")
		g.has(t, "Todmorden Garden", ">garden</a>", "Young Calder Connect")
		if strings.Contains(g.body, ">sam</a>") || strings.Contains(g.body, "Calder Social Prescribing") {
			t.Error("the garden's manager sees Calder PCN's team")
		}
	})
}

func TestNHSExtractCSV(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newWorkloadSite(t, db)
		ctx := linkwork.NewContextWithActor(context.Background(), linkwork.Actor{UserID: s.admin.ID, Label: "admin@example.org", PlaceID: s.place.ID})
		// A second referral, declined: this month has two GP referrals and one decline.
		form := s.referralForm("send")
		form.Set("given_name", "Grace")
		id := s.send(form)
		r, err := s.svc.Referrals.FindReferralByID(ctx, id)
		must(t, err)
		_, err = s.svc.Referrals.Transition(ctx, linkwork.Transition{ReferralID: id, Action: linkwork.ActionDecline, Version: r.Version,
			DeclineReason: linkwork.DeclineNotEligible}, s.manager.ID, "manager")
		must(t, err)
		london, err := time.LoadLocation("Europe/London")
		must(t, err)
		month := time.Now().In(london).Format("2006-01")

		res, err := s.as("commissioner@example.org").c.Get(s.ts.URL + "/measures/nhs-extract.csv?from=" + month + "&to=" + month)
		must(t, err)
		raw, err := io.ReadAll(res.Body)
		res.Body.Close()
		must(t, err)
		body := string(raw)
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") ||
			!strings.Contains(res.Header.Get("Content-Disposition"), "nhs-extract-"+month+"-to-"+month+".csv") {
			t.Fatalf("extract: %d %q %q\n%s", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"), body)
		}
		want := "\ufeffMonth,Scheme,Organisation,Referral source,SNOMED CT code,SNOMED CT description,Count\r\n" +
			month + ",Calder Social Prescribing,Calder PCN,GP practice,871731000000106,Referral to social prescribing service (procedure),[c]\r\n" +
			month + ",Calder Social Prescribing,Calder PCN,GP practice,871711000000103,Social prescribing declined (situation),[c]\r\n"
		if body != want {
			t.Fatalf("extract\n%q\nwant\n%q", body, want)
		}
		events, _, err := s.svc.Audit.ListAudit(context.Background(), linkwork.AuditFilter{PlaceID: s.place.ID, Action: linkwork.AuditMeasureExport})
		must(t, err)
		if len(events) != 1 || !strings.Contains(events[0].Detail, "the whole place") {
			t.Fatalf("audit %+v", events)
		}

		// The garden's manager has their own scheme's only: none this month.
		g := s.as("garden.manager@example.org")
		if p := g.get("/measures/nhs-extract.csv?from=" + month + "&to=" + month); p.status != http.StatusOK ||
			strings.Contains(p.body, "Calder") || strings.Count(p.body, "\r\n") != 1 {
			t.Fatalf("the garden's extract: %d\n%s", p.status, p.body)
		}
		// Bad months are refused, saying why; the default is the last twelve whole months.
		p := g.get("/measures/nhs-extract.csv?from=2030-04&to=2030-01")
		if p.status != http.StatusBadRequest || !strings.Contains(p.body, "The last month must not be before the first month.") {
			t.Fatalf("bad months: %d", p.status)
		}
		if p := g.get("/measures/nhs-extract.csv"); p.status != http.StatusOK {
			t.Fatalf("default months: %d", p.status)
		}
		for _, email := range []string{"sam@example.org", "gp@example.org", "grower@example.org"} {
			if p := s.as(email).get("/measures/nhs-extract.csv"); p.status != http.StatusForbidden {
				t.Errorf("extract as %s: %d, want 403", email, p.status)
			}
		}
	})
}
