package web_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// referralSite is a site with connector schemes and the people around a referral: Calder
// PCN (orgA) runs Calder Social Prescribing with a manager and two link workers; Todmorden
// Garden (orgB) runs a scheme for young people; Park Surgery refers; Halifax Housing has
// nothing to do with any of it.
type referralSite struct {
	*site
	surgery, housing       *linkwork.Organisation
	scheme, youth          *linkwork.Service
	manager, sam, kim      *linkwork.User
	gp, housingOfficer     *linkwork.User
	gardenWorker, commish  *linkwork.User
	gardenManager, another *linkwork.User
}

func newReferralSite(t testing.TB, db *sqldb.DB) *referralSite {
	t.Helper()
	ctx := context.Background()
	s := &referralSite{site: newSite(t, db)}
	s.surgery = &linkwork.Organisation{PlaceID: s.place.ID, Name: "Park Surgery", Sector: linkwork.SectorNHS}
	s.housing = &linkwork.Organisation{PlaceID: s.place.ID, Name: "Halifax Housing", Sector: linkwork.SectorHousing}
	must(t, s.svc.Organisations.CreateOrganisation(ctx, s.surgery))
	must(t, s.svc.Organisations.CreateOrganisation(ctx, s.housing))
	s.manager = s.addUser("manager@example.org", s.orgA, linkwork.RoleManager)
	s.another = s.addUser("manager2@example.org", s.orgA, linkwork.RoleManager)
	s.sam = s.addUser("sam@example.org", s.orgA, linkwork.RoleLinkWorker)
	s.kim = s.addUser("kim@example.org", s.orgA, linkwork.RoleLinkWorker)
	s.gp = s.addUser("gp@example.org", s.surgery, linkwork.RoleReferrer)
	s.housingOfficer = s.addUser("officer@example.org", s.housing, linkwork.RoleReferrer)
	s.gardenWorker = s.addUser("garden@example.org", s.orgB, linkwork.RoleLinkWorker)
	s.gardenManager = s.addUser("garden.manager@example.org", s.orgB, linkwork.RoleManager)
	s.commish = s.addUser("commissioner@example.org", s.orgA, linkwork.RoleCommissioner)
	s.scheme = &linkwork.Service{PlaceID: s.place.ID, OrganisationID: s.orgA.ID, Kind: linkwork.KindScheme,
		Name: "Calder Social Prescribing", Description: "Link workers who help people find what matters to them.",
		Status: linkwork.StatusActive, Free: true, TermIDs: []int64{s.term("need", "loneliness"), s.term("need", "money_debt")},
		Scheme: &linkwork.ConnectorScheme{Model: linkwork.ModelPCNLinkWorker, WaitingWeeks: 2,
			WhoCanRefer: []linkwork.ReferrerType{linkwork.ReferrerGP, linkwork.ReferrerHousing, linkwork.ReferrerSelf}}}
	must(t, s.svc.Directory.CreateService(ctx, s.scheme))
	s.youth = &linkwork.Service{PlaceID: s.place.ID, OrganisationID: s.orgB.ID, Kind: linkwork.KindScheme,
		Name: "Young Calder Connect", Description: "Connectors for young people.", Status: linkwork.StatusActive, Free: true,
		MinAge: ptr(11), MaxAge: ptr(25), TermIDs: []int64{s.term("need", "loneliness")},
		Scheme: &linkwork.ConnectorScheme{Model: linkwork.ModelCommunityNavigator, WhoCanRefer: []linkwork.ReferrerType{linkwork.ReferrerGP}}}
	must(t, s.svc.Directory.CreateService(ctx, s.youth))
	return s
}

// as returns a browser signed in as the user with the email.
func (s *referralSite) as(email string) *browser {
	s.t.Helper()
	b := s.browser()
	if p := b.signIn(email, password); p.status != http.StatusSeeOther {
		s.t.Fatalf("sign in as %s: %d", email, p.status)
	}
	return b
}

// referralForm is a filled-in professional referral for a 70-year-old from the surgery.
func (s *referralSite) referralForm(action string) url.Values {
	return url.Values{
		"action": {action}, "given_name": {"Ada"}, "family_name": {"Lovelace"},
		"date_of_birth-day": {"10"}, "date_of_birth-month": {"12"}, "date_of_birth-year": {"1955"},
		"nhs_number": {"943 476 5919"}, "address_1": {"1 Crossley Street"}, "town": {"Halifax"}, "postcode": {"hx1 1ab"},
		"phone": {"01422 000000"}, "contact_preferences": {"phone", "letter"}, "language": {"Urdu"},
		"need_ids": {id(s.term("need", "loneliness"))}, "reason": {"Lives alone since her husband died and rarely goes out."},
		"risk": {"Large dog at home: phone before visiting."}, "urgency": {"soon"}, "referrer_type": {"gp_practice"},
		"referrer_organisation_id": {id(s.surgery.ID)}, "referrer_name": {"Dr Grace Hopper"}, "referrer_role": {"GP"},
		"referrer_email": {"grace@example.org"}, "consent": {"yes"}, "consent_method": {"verbal"}, "scheme_id": {"auto"},
	}
}

// countReferrals counts the referrals in the place (through every organisation).
func (s *referralSite) countReferrals() int {
	s.t.Helper()
	orgs, _, err := s.svc.Organisations.ListOrganisations(context.Background(), linkwork.OrganisationFilter{PlaceID: s.place.ID})
	must(s.t, err)
	var ids []int64
	for _, o := range orgs {
		ids = append(ids, o.ID)
	}
	_, total, err := s.svc.Referrals.ListReferrals(context.Background(), linkwork.ReferralFilter{PlaceID: s.place.ID, OrganisationIDs: ids})
	must(s.t, err)
	return total
}

// send sends the referral form as the GP and returns the new referral's ID.
func (s *referralSite) send(form url.Values) int64 {
	s.t.Helper()
	p := s.as("gp@example.org").post("/referrals/new", form)
	if p.status != http.StatusSeeOther || !strings.HasSuffix(p.location, "?sent=1") {
		s.t.Fatalf("send: %d %q\n%s", p.status, p.location, p.body)
	}
	n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(p.location, "/referrals/"), "?sent=1"), 10, 64)
	must(s.t, err)
	return n
}

// version reads the version the page's decision forms carry.
var versionField = regexp.MustCompile(`name="version" value="(\d+)"`)

func version(t testing.TB, p page) string {
	t.Helper()
	m := versionField.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no decision form on the page (status %d)", p.status)
	}
	return m[1]
}

func TestReferralPagesByRole(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newReferralSite(t, db)
		ref := id(s.send(s.referralForm("send")))
		scheme := id(s.scheme.ID)
		// Who may open which page; everyone else is refused. A referral is seen only through
		// the organisations it belongs to: the surgery that sent it and the scheme's.
		pages := map[string]map[string]int{
			"/referrals/new": {"gp@example.org": 200, "manager@example.org": 200, "sam@example.org": 200,
				"admin@example.org": 403, "commissioner@example.org": 403},
			"/referrals": {"gp@example.org": 200, "manager@example.org": 200, "sam@example.org": 200, "admin@example.org": 200,
				"officer@example.org": 200, "commissioner@example.org": 403},
			"/referrals/" + ref: {"gp@example.org": 200, "manager@example.org": 200, "sam@example.org": 200,
				"admin@example.org": 200, "officer@example.org": 404, "garden@example.org": 404, "commissioner@example.org": 403},
			"/referrals/" + ref + "/letter": {"gp@example.org": 200, "manager@example.org": 200, "officer@example.org": 404,
				"commissioner@example.org": 403},
			"/schemes/" + scheme + "/triage": {"manager@example.org": 200, "sam@example.org": 200, "garden@example.org": 403,
				"gp@example.org": 403, "admin@example.org": 403},
			"/schemes/" + scheme + "/waiting": {"manager@example.org": 200, "sam@example.org": 200, "garden@example.org": 403,
				"gp@example.org": 403},
			"/schemes/" + id(s.youth.ID) + "/triage": {"garden@example.org": 200, "sam@example.org": 403},
			"/schemes/999999/triage":                 {"manager@example.org": 404},
			"/capacity": {"manager@example.org": 200, "commissioner@example.org": 200, "admin@example.org": 200,
				"gp@example.org": 403, "sam@example.org": 403},
			"/referrals/999999": {"manager@example.org": 404}, "/referrals/abc": {"manager@example.org": 404},
		}
		browsers := map[string]*browser{}
		for path, who := range pages {
			for email, want := range who {
				b := browsers[email]
				if b == nil {
					b = s.as(email)
					browsers[email] = b
				}
				p := b.get(path)
				if p.status != want {
					t.Errorf("%s GET %s: %d, want %d", email, path, p.status, want)
				}
				if !strings.Contains(p.body, "<h1") || !strings.HasSuffix(strings.TrimSpace(p.body), "</html>") {
					t.Errorf("%s GET %s: not a whole page", email, path)
				}
			}
		}
		// Only those who triage for the scheme decide.
		if p := browsers["gp@example.org"].post("/referrals/"+ref+"/decision", url.Values{"action": {"accept"}, "version": {"1"}}); p.status != http.StatusForbidden {
			t.Errorf("referrer decides: %d, want 403", p.status)
		}
		if p := browsers["garden@example.org"].post("/referrals/"+ref+"/decision", url.Values{"action": {"accept"}, "version": {"1"}}); p.status != http.StatusNotFound {
			t.Errorf("another organisation's link worker decides: %d, want 404", p.status)
		}
		// The home page leads to what each may do.
		home := browsers["gp@example.org"].get("/")
		home.has(t, `href="/referrals/new"`, `href="/referrals"`)
		if strings.Contains(home.body, `href="/capacity"`) {
			t.Error("a referrer is offered the capacity page")
		}
		browsers["manager@example.org"].get("/").has(t, `href="/capacity"`)
		s.browser().get("/").has(t, `href="/refer"`)
	})
}

func TestReferralFormShowsEveryProblemAndSavesNothing(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newReferralSite(t, db)
		gp := s.as("gp@example.org")
		// The form starts with the referrer's details and organisation.
		p := gp.get("/referrals/new")
		p.has(t, `value="gp"`, `value="gp@example.org"`, "Your organisation: <strong>Park Surgery</strong>",
			`value="gp_practice" selected`, "Loneliness and isolation", "The person agrees to this referral", "Leave it to triage")

		p = gp.post("/referrals/new", url.Values{"action": {"send"}, "referrer_organisation_id": {id(s.surgery.ID)}})
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("empty form: %d", p.status)
		}
		for _, f := range []string{"given_name", "family_name", "date_of_birth", "postcode", "phone", "need_ids", "reason",
			"referrer_type", "referrer_name", "consent", "consent_method"} {
			p.has(t, `href="#`+f+`"`, `id="`+f+`-error"`)
		}
		p.has(t, "The person must agree to the referral", "<title>Error: ")

		form := s.referralForm("send")
		form.Set("nhs_number", "943 476 5918")
		form.Set("date_of_birth-year", "2999")
		form.Set("postcode", "not a postcode")
		form.Set("email", "not-an-email")
		form.Del("consent")
		form.Set("reason", strings.Repeat("a", linkwork.MaxReasonLength+1))
		form.Set("need_ids", "999999")
		p = gp.post("/referrals/new", form)
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("bad form: %d", p.status)
		}
		for _, f := range []string{"nhs_number", "date_of_birth", "postcode", "email", "consent", "reason", "need_ids"} {
			p.has(t, `id="`+f+`-error"`)
		}
		p.has(t, "This is not a valid NHS number", "The date of birth must be today or in the past.",
			`value="Ada"`, `value="2999"`) // what was typed stays
		form = s.referralForm("send")
		form.Set("date_of_birth-month", "13")
		form.Set("referrer_organisation_id", id(s.orgA.ID)) // not the referrer's own
		p = gp.post("/referrals/new", form)
		p.has(t, "Enter a real date of birth", `id="referrer_organisation_id-error"`)
		if n := s.countReferrals(); n != 0 {
			t.Fatalf("%d referrals saved from forms with problems", n)
		}
	})
}

func TestReferralRoutingStep(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newReferralSite(t, db)
		gp := s.as("gp@example.org")
		p := gp.post("/referrals/new", s.referralForm("route"))
		if p.status != http.StatusOK {
			t.Fatalf("route: %d\n%s", p.status, p.body)
		}
		// The scheme that fits is offered, with why; the one for young people is not, and
		// says why in the details.
		p.has(t, `id="scheme_id" name="scheme_id" type="radio" value="`+id(s.scheme.ID)+`"`, "Calder Social Prescribing",
			"It helps with loneliness and isolation.", "Schemes that cannot take this person (1)", "Young Calder Connect",
			"It is for people aged up to 25; the person is", `id="scheme_id-auto"`, `value="Lovelace"`)
		if strings.Contains(p.body, "nhsuk-error-summary") {
			t.Error("routing shows problems with a complete form")
		}
		// Routing without a postcode asks for one, and shows no other problems yet.
		p = gp.post("/referrals/new", url.Values{"action": {"route"}, "referrer_organisation_id": {id(s.surgery.ID)}})
		p.has(t, `href="#postcode"`)
		if strings.Contains(p.body, `href="#consent"`) {
			t.Error("routing complains about consent")
		}
		// Choosing the scheme that cannot take the person is refused next to the choice.
		form := s.referralForm("send")
		form.Set("scheme_id", id(s.youth.ID))
		p = gp.post("/referrals/new", form)
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("ineligible scheme: %d", p.status)
		}
		p.has(t, `href="#scheme_id"`, "Young Calder Connect cannot take this referral")
		// Nobody fits: no scheme here takes referrals from the police.
		form = s.referralForm("send")
		form.Set("referrer_type", "police")
		p = gp.post("/referrals/new", form)
		p.has(t, `id="scheme_id-error"`, "No connector scheme in Calderdale can take this referral.")
		if n := s.countReferrals(); n != 0 {
			t.Fatalf("routing saved %d referrals", n)
		}
	})
}

func TestReferralLifecycleThroughTheForms(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newReferralSite(t, db)
		ctx := context.Background()
		form := s.referralForm("send")
		form.Set("scheme_id", id(s.scheme.ID))
		form["share_with"] = []string{id(s.housing.ID)}
		refID := s.send(form)
		ref, err := s.svc.Referrals.FindReferralByID(ctx, refID)
		must(t, err)
		if ref.RoutedBy != "referrer" || ref.SchemeID != s.scheme.ID || ref.Status != linkwork.ReferralReceived {
			t.Fatalf("sent: %+v", ref)
		}
		path := "/referrals/" + id(refID)
		gp := s.as("gp@example.org")
		gp.get(path+"?sent=1").has(t, "Referral sent", ref.Reference, "Ada Lovelace", "Large dog at home", "Received",
			"Dr Grace Hopper", "Verbally, in person or on the phone", "Halifax Housing", "943 476 5919")
		if p := gp.get(path); strings.Contains(p.body, "Referral sent") || strings.Contains(p.body, `action="`+path+`/decision"`) {
			t.Error("the referrer sees the confirmation again, or decision forms")
		}
		// Shared by consent with the housing association: its officer may see it.
		if p := s.as("officer@example.org").get(path); p.status != http.StatusOK {
			t.Errorf("organisation shared with: %d", p.status)
		}
		gp.get("/referrals?show=mine").has(t, ref.Reference, "Ada Lovelace", "Calder Social Prescribing", "Received")

		// The manager triages: accept, then allocate to the suggested worker.
		mgr := s.as("manager@example.org")
		p := mgr.get("/schemes/" + id(s.scheme.ID) + "/triage")
		p.has(t, ref.Reference, "Ada Lovelace")
		p = mgr.get(path)
		p.has(t, "Accept the referral", "Decline the referral", "Redirect the referral", "Young Calder Connect")
		p = mgr.post(path+"/decision", url.Values{"action": {"decline"}, "version": {version(t, p)}})
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("decline without a reason: %d", p.status)
		}
		p.has(t, `href="#decline-decline_reason"`, `id="decline-decline_reason-error"`)
		p = mgr.post(path+"/decision", url.Values{"action": {"accept"}, "version": {version(t, p)}})
		if p.status != http.StatusSeeOther || p.location != path {
			t.Fatalf("accept: %d %q\n%s", p.status, p.location, p.body)
		}
		p = mgr.get(path)
		p.has(t, "Your decision has been recorded", "Accepted", "Allocate", "Add to the waiting list", "(suggested)",
			"sam: 0 of", "kim: 0 of")
		p = mgr.post(path+"/decision", url.Values{"action": {"allocate"}, "version": {version(t, p)},
			"allocate-worker_user_id": {id(s.sam.ID)}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("allocate: %d\n%s", p.status, p.body)
		}
		// The link worker starts, then closes.
		sam := s.as("sam@example.org")
		p = sam.get(path)
		p.has(t, "Allocated to a link worker", "Record that support has started")
		mgr.get(path).has(t, "Reallocate to another link worker", "kim: 0 of")
		p = sam.post(path+"/decision", url.Values{"action": {"start"}, "version": {version(t, p)}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("start: %d\n%s", p.status, p.body)
		}
		p = sam.get(path)
		p = sam.post(path+"/decision", url.Values{"action": {"close"}, "version": {version(t, p)}, "close-outcome": {"connected"},
			"close-note": {"Goes to the Tuesday walk."}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("close: %d\n%s", p.status, p.body)
		}
		p = gp.get(path)
		p.has(t, "Closed", "Connected to community support", "Support started", "Goes to the Tuesday walk.", "by sam",
			`href="`+path+`/letter">Print or save as PDF`)
		// The message back, printable, with its codes and a link to the JSON.
		gp.get(path+"/letter").has(t, linkwork.SNOMEDReferralToSocialPrescribing, "Referral to social prescribing service",
			"save it as a PDF", "/api/v1/referrals/"+id(refID)+"/letter", "Connected to community support", "sam")
		gp.get("/referrals?status=closed").has(t, ref.Reference)
		if p := gp.get("/referrals?status=received"); strings.Contains(p.body, ref.Reference) {
			t.Error("a closed referral is listed as received")
		}
		// Every view and list is in the audit trail.
		events, _, err := s.svc.Audit.ListAudit(ctx, linkwork.AuditFilter{PlaceID: s.place.ID, Action: "referral."})
		must(t, err)
		got := map[string]bool{}
		for _, e := range events {
			got[e.Action+":"+e.RecordID] = true
		}
		for _, want := range []string{linkwork.AuditReferralView + ":" + id(refID), linkwork.AuditReferralList + ":"} {
			if !got[want] {
				t.Errorf("audit trail lacks %s", want)
			}
		}
	})
}

func TestReferralDeclineAndRedirect(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newReferralSite(t, db)
		form := s.referralForm("send")
		form.Set("date_of_birth-year", "2005") // young enough for both schemes
		first := s.send(form)
		second := s.send(form)
		mgr := s.as("manager@example.org")
		path := "/referrals/" + id(first)
		p := mgr.get(path)
		// The second, for the same person, is flagged on the first or the second.
		if !strings.Contains(mgr.get("/referrals/"+id(second)).body, "Possible duplicate") && !strings.Contains(p.body, "Possible duplicate") {
			t.Error("two referrals for the same person are not flagged")
		}
		p = mgr.post(path+"/decision", url.Values{"action": {"redirect"}, "version": {version(t, p)}, "redirect-scheme_id": {id(s.youth.ID)},
			"redirect-note": {"Young Calder Connect suits her better."}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("redirect: %d\n%s", p.status, p.body)
		}
		// Now with Todmorden Garden's scheme: its manager decides, and Calder PCN, which no
		// longer holds it, no longer sees it.
		if p := mgr.get(path); p.status != http.StatusNotFound {
			t.Errorf("the old scheme's manager after the redirect: %d, want 404", p.status)
		}
		garden := s.as("garden.manager@example.org")
		p = garden.get(path)
		p.has(t, "Redirected to another scheme", "From Calder Social Prescribing to Young Calder Connect")
		p = garden.post(path+"/decision", url.Values{"action": {"decline"}, "version": {version(t, p)}, "decline-decline_reason": {"other"}})
		p.has(t, `id="decline-note-error"`)
		p = garden.post(path+"/decision", url.Values{"action": {"decline"}, "version": {version(t, p)},
			"decline-decline_reason": {"out_of_area"}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("decline: %d\n%s", p.status, p.body)
		}
		gp := s.as("gp@example.org")
		gp.get(path).has(t, "Declined", "Lives outside the area the scheme covers")
		gp.get(path+"/letter").has(t, linkwork.SNOMEDSocialPrescribingDeclined, "Social prescribing declined")
	})
}

func TestReferralStaleDecisionIsAConflict(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newReferralSite(t, db)
		path := "/referrals/" + id(s.send(s.referralForm("send")))
		one, two := s.as("manager@example.org"), s.as("manager2@example.org")
		seenByOne, seenByTwo := version(t, one.get(path)), version(t, two.get(path))
		if p := one.post(path+"/decision", url.Values{"action": {"accept"}, "version": {seenByOne}}); p.status != http.StatusSeeOther {
			t.Fatalf("first decision: %d", p.status)
		}
		p := two.post(path+"/decision", url.Values{"action": {"decline"}, "version": {seenByTwo}, "decline-decline_reason": {"not_eligible"}})
		if p.status != http.StatusConflict {
			t.Fatalf("decision on an old page: %d, want 409", p.status)
		}
		p.has(t, "Your decision was not saved", "Someone else changed this referral", "Accepted")
		history, err := s.svc.Referrals.ReferralHistory(context.Background(), mustID(t, path))
		must(t, err)
		if last := history[len(history)-1]; last.Action != linkwork.ActionAccept {
			t.Errorf("last event %s, want accept", last.Action)
		}
	})
}

func mustID(t *testing.T, path string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(strings.TrimPrefix(path, "/referrals/"), 10, 64)
	must(t, err)
	return n
}

func TestTriageQueueWaitingListAndCapacity(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newReferralSite(t, db)
		routine := s.referralForm("send")
		routine.Set("urgency", "routine")
		routine.Set("given_name", "Rita")
		urgent := s.referralForm("send")
		urgent.Set("urgency", "urgent")
		urgent.Set("given_name", "Ursula")
		first := s.send(routine)
		s.send(urgent)
		mgr := s.as("manager@example.org")
		p := mgr.get("/schemes/" + id(s.scheme.ID) + "/triage")
		if u, r := strings.Index(p.body, "Ursula"), strings.Index(p.body, "Rita"); u < 0 || r < 0 || u > r {
			t.Errorf("urgent is not first in the triage queue (%d, %d)", u, r)
		}
		p.has(t, "Urgent")
		// Accepted and put on the waiting list: the waiting list shows its position.
		path := "/referrals/" + id(first)
		p = mgr.post(path+"/decision", url.Values{"action": {"accept"}, "version": {version(t, mgr.get(path))}})
		p = mgr.post(path+"/decision", url.Values{"action": {"wait"}, "version": {version(t, mgr.get(path))}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("wait: %d\n%s", p.status, p.body)
		}
		w := mgr.get("/schemes/" + id(s.scheme.ID) + "/waiting")
		w.has(t, "Rita Lovelace", "<th scope=\"col\">Position</th>")
		if strings.Contains(w.body, "Ursula") {
			t.Error("a referral awaiting triage is on the waiting list")
		}
		// Capacity: the scheme's manager sees the link workers by name; a commissioner sees
		// counts only.
		c := mgr.get("/capacity")
		c.has(t, "Calder Social Prescribing", "<meter", "sam", "kim", `href="/schemes/`+id(s.scheme.ID)+`/triage"`)
		if strings.Contains(c.body, "Young Calder Connect") {
			t.Error("a manager sees another organisation's scheme")
		}
		c = s.as("commissioner@example.org").get("/capacity")
		c.has(t, "Calder Social Prescribing", "Young Calder Connect", "Link worker 1", "only the scheme's managers see their names")
		if strings.Contains(c.body, ">sam<") || strings.Contains(c.body, "kim") {
			t.Error("a commissioner sees link workers' names")
		}
	})
}

// TestTriagePagesWithThousandsWaiting times a page of a scheme's triage queue and of its
// waiting list, as a triager opens them, with 5,000 referrals in each: the issue asks for
// under 100 ms. Filling them takes minutes, so it runs only when asked:
// LINKWORK_TRIAGE_TIMING=1 go test ./web/ -run ThousandsWaiting -v
func TestTriagePagesWithThousandsWaiting(t *testing.T) {
	if os.Getenv("LINKWORK_TRIAGE_TIMING") == "" {
		t.Skip("set LINKWORK_TRIAGE_TIMING=1 to time the triage pages with 5,000 referrals")
	}
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newReferralSite(t, db)
		ctx := context.Background()
		const n = 5000
		need := s.term("need", "loneliness")
		for i := range 2 * n {
			r := &linkwork.Referral{PlaceID: s.place.ID, SchemeID: s.scheme.ID, RoutedBy: "referrer", Reason: "Lonely.",
				Urgency: linkwork.Urgencies[i%3], NeedIDs: []int64{need},
				Person: linkwork.ReferralPerson{GivenName: "Person", FamilyName: strconv.Itoa(i), DateOfBirth: "1950-01-01",
					Postcode: "HX1 1AB", Phone: "01422 000000"},
				Referrer: linkwork.ReferralSource{Type: linkwork.ReferrerGP, UserID: s.gp.ID, OrganisationID: s.surgery.ID, Name: "Dr Who"},
				Consent:  linkwork.Consent{ToReferral: true, Method: linkwork.ConsentVerbal, RecordedBy: "Dr Who"}}
			must(t, s.svc.Referrals.CreateReferral(ctx, linkwork.NewReferral{Referral: r, ActorName: "Dr Who"}))
			if i%2 == 1 { // every other one goes on to the waiting list
				for _, a := range []linkwork.ReferralAction{linkwork.ActionAccept, linkwork.ActionWait} {
					next, err := s.svc.Referrals.Transition(ctx, linkwork.Transition{ReferralID: r.ID, Action: a, Version: r.Version},
						s.manager.ID, "manager")
					must(t, err)
					r = next
				}
			}
		}
		mgr := s.as("manager@example.org")
		for _, path := range []string{"/schemes/" + id(s.scheme.ID) + "/triage", "/schemes/" + id(s.scheme.ID) + "/waiting"} {
			for _, page := range []string{"", "?page=50", "?page=100"} {
				var times []time.Duration
				for range 21 {
					start := time.Now()
					if p := mgr.get(path + page); p.status != http.StatusOK || !strings.Contains(p.body, "Showing") {
						t.Fatalf("%s: %d", path+page, p.status)
					}
					times = append(times, time.Since(start))
				}
				slices.Sort(times)
				t.Logf("%s%s: median %s, slowest %s", path, page, times[len(times)/2], times[len(times)-1])
				if times[len(times)/2] > 100*time.Millisecond {
					t.Errorf("%s%s: median %s, want under 100 ms", path, page, times[len(times)/2])
				}
			}
		}
	})
}
