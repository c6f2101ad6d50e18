package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// groupSite is the landscape's place with the people of its community groups: Todmorden
// Garden (orgB, which runs Lunch Club at Town's postcode and Book Swap) has a community
// member and a manager; Halifax Choir is another group with a member and an offer of its own.
type groupSite struct {
	*landscapeSite
	choirOrg *linkwork.Organisation
	choir    *linkwork.Service
}

func newGroupSite(t *testing.T, db *sqldb.DB) *groupSite {
	t.Helper()
	s := &groupSite{landscapeSite: newLandscapeSite(t, db)}
	s.choirOrg = &linkwork.Organisation{PlaceID: s.place.ID, Name: "Halifax Choir", Sector: linkwork.SectorVCSE}
	must(t, s.svc.Organisations.CreateOrganisation(context.Background(), s.choirOrg))
	s.choir = s.addService(s.choirOrg, "Sing Together", linkwork.StatusActive)
	s.addUser("singer@example.org", s.choirOrg, linkwork.RoleCommunity)
	s.addUser("gardener@example.org", s.orgB, linkwork.RoleManager)
	return s
}

// actor is a context acting as the place's administrator, for changes made straight in
// the store.
func (s *groupSite) actor() context.Context {
	return linkwork.NewContextWithActor(context.Background(), linkwork.Actor{UserID: s.admin.ID, Label: "admin@example.org", PlaceID: s.place.ID})
}

func (s *groupSite) availability(serviceID int64) *linkwork.Availability {
	s.t.Helper()
	got, err := s.svc.Groups.Availability(context.Background(), []int64{serviceID})
	must(s.t, err)
	return got[serviceID]
}

func (s *groupSite) service(id int64) *linkwork.Service {
	s.t.Helper()
	svc, err := s.svc.Directory.FindServiceByID(context.Background(), id)
	must(s.t, err)
	return svc
}

// TestGroupPortal follows a community group's member through "Your groups": this week's
// places, "still correct", accessibility, volunteers, a new activity and a request, with
// the problems of bad input shown next to the field and nothing saved.
func TestGroupPortal(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newGroupSite(t, db)
		lunch, books := id(s.lunch.ID), id(s.books.ID)
		garden := id(s.orgB.ID)
		b := s.as("community@example.org")
		p := b.get("/groups")
		if p.status != http.StatusOK {
			t.Fatalf("GET /groups: %d\n%s", p.status, p.body)
		}
		p.has(t, "Your groups", "Todmorden Garden", "Lunch Club", "Book Swap", "Not updated this week", "Never",
			`action="/groups/services/`+lunch+`/availability"`, `id="svc-`+lunch+`-places_left"`, `id="svc-`+books+`-places_left"`,
			`href="/services/`+lunch+`/edit"`, "No referrals are waiting for your answer", `href="/onward?status=sent"`,
			"Not recorded yet", "Tell the place what you need", `action="/groups/`+garden+`/requests"`, `href="/groups"`)
		p.lacks(t, "Sing Together", "Halifax Choir", "<script>", "style=")

		// This week's places.
		p = b.post("/groups/services/"+lunch+"/availability", url.Values{"full": {"no"}, "places_left": {"3"}, "note": {"Ring first"}})
		if p.status != http.StatusSeeOther || p.location != "/groups#svc-"+lunch {
			t.Fatalf("save availability: %d %q\n%s", p.status, p.location, p.body)
		}
		b.get("/groups").has(t, "3 places left this week", "Ring first", "People choosing where to go will see this now",
			time.Now().In(linkwork.London).Format("2 January 2006"))
		if a := s.availability(s.lunch.ID); a == nil || a.Full || a.PlacesLeft == nil || *a.PlacesLeft != 3 || a.UpdatedBy != "community" {
			t.Fatalf("saved %+v", a)
		}
		// Bad input: each problem next to its field, nothing saved.
		p = b.post("/groups/services/"+lunch+"/availability", url.Values{"places_left": {"lots"}, "note": {strings.Repeat("n", 301)}})
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("bad availability: %d", p.status)
		}
		p.has(t, "There is a problem", "Say whether Lunch Club is full now: yes or no.",
			"Enter the places left this week as a whole number, such as 3, or leave it empty.", "300 characters or fewer",
			`href="#svc-`+lunch+`-full"`, `id="svc-`+lunch+`-places_left-error"`, `value="lots"`, "<title>Error: ")
		if a := s.availability(s.lunch.ID); *a.PlacesLeft != 3 || a.Note != "Ring first" {
			t.Fatalf("bad input changed it: %+v", a)
		}
		p = b.post("/groups/services/"+lunch+"/availability", url.Values{"full": {"no"}, "places_left": {"-2"}})
		p.has(t, "Places left this week must be a whole number from 0 to 10,000.")

		// "Still correct" marks the listing checked and changes nothing else.
		if s.service(s.books.ID).LastVerifiedAt != nil {
			t.Fatal("Book Swap was checked already")
		}
		if p := b.post("/groups/services/"+books+"/availability", url.Values{"still_correct": {"yes"}}); p.status != http.StatusSeeOther {
			t.Fatalf("still correct: %d", p.status)
		}
		if s.service(s.books.ID).LastVerifiedAt == nil || s.availability(s.books.ID) != nil {
			t.Fatal("still correct did not mark the listing checked, or said how full it is")
		}

		// Accessibility through the directory, keeping the rest of the listing; a listing
		// changed meanwhile is not overwritten.
		before := s.service(s.lunch.ID)
		version := before.UpdatedAt.UTC().Format(time.RFC3339Nano)
		p = b.post("/groups/services/"+lunch+"/accessibility", url.Values{"accessibility": {"Step-free, with a hearing loop."}, "version": {version}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("accessibility: %d\n%s", p.status, p.body)
		}
		after := s.service(s.lunch.ID)
		if after.Accessibility != "Step-free, with a hearing loop." || after.Name != before.Name || len(after.Locations) != 1 ||
			after.Locations[0].Postcode != "HX2 1AA" || !slices.Equal(after.TermIDs, before.TermIDs) || after.Description != before.Description {
			t.Fatalf("after the accessibility change: %+v", after)
		}
		p = b.post("/groups/services/"+lunch+"/accessibility", url.Values{"accessibility": {"Stairs only."}, "version": {version}})
		if p.status != http.StatusConflict {
			t.Fatalf("stale accessibility: %d", p.status)
		}
		p.has(t, "Someone changed this listing while you had the page open", "Stairs only.")
		if s.service(s.lunch.ID).Accessibility != "Step-free, with a hearing loop." {
			t.Fatal("a stale change was saved")
		}
		p = b.post("/groups/services/"+lunch+"/accessibility", url.Values{"accessibility": {strings.Repeat("a", 2001)},
			"version": {after.UpdatedAt.UTC().Format(time.RFC3339Nano)}})
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("long accessibility: %d", p.status)
		}
		p.has(t, "2000 characters or fewer", `id="acc-`+lunch+`-accessibility-error"`)

		// Volunteers this month.
		month := time.Now().In(linkwork.London).Format("2006-01")
		p = b.post("/groups/"+garden+"/volunteers", url.Values{"month": {month}, "volunteers": {"4"}, "hours": {"12"}})
		if p.status != http.StatusSeeOther || p.location != "/groups#vol-"+garden {
			t.Fatalf("volunteers: %d %q\n%s", p.status, p.location, p.body)
		}
		b.get("/groups").has(t, "4 volunteers gave 12 hours")
		p = b.post("/groups/"+garden+"/volunteers", url.Values{"month": {"2099-01"}, "volunteers": {""}, "hours": {"5"}})
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("bad volunteers: %d", p.status)
		}
		p.has(t, "Enter how many volunteers helped in the month", `id="vol-`+garden+`-volunteers-error"`)
		p = b.post("/groups/"+garden+"/volunteers", url.Values{"month": {"2099-01"}, "volunteers": {"1"}, "hours": {"5"}})
		p.has(t, "The month cannot be in the future.")

		// A new activity.
		today := time.Now().In(linkwork.London).Format(time.DateOnly)
		p = b.post("/groups/"+garden+"/activities", url.Values{"name": {"Seed Swap"}, "started_on": {today}, "need": {"loneliness"},
			"service_id": {lunch}, "co_produced": {"yes"}, "description": {"Bring seeds, take seeds."}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("activity: %d\n%s", p.status, p.body)
		}
		b.get("/groups").has(t, "Seed Swap", "Made with the people who use it", "Helps with Loneliness and isolation")
		p = b.post("/groups/"+garden+"/activities", url.Values{"name": {""}, "started_on": {"last week"}, "service_id": {id(s.choir.ID)}})
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("bad activity: %d", p.status)
		}
		p.has(t, "Enter the activity&#39;s name.", "Enter the day it started as year-month-day")
		p = b.post("/groups/"+garden+"/activities", url.Values{"name": {"Choir"}, "started_on": {today}, "service_id": {id(s.choir.ID)}})
		p.has(t, "There is no listing "+id(s.choir.ID)+" of Todmorden Garden")
		if list, _ := s.svc.Groups.NewActivities(context.Background(), s.orgB.ID); len(list) != 1 {
			t.Fatalf("%d activities after bad input", len(list))
		}

		// A request to the place, placed by its postcode.
		p = b.post("/groups/"+garden+"/requests", url.Values{"kind": {"space"}, "detail": {"A room for 20 on Tuesday mornings."},
			"need": {"loneliness"}, "postcode": {"hx1 1aa"}})
		if p.status != http.StatusSeeOther || p.location != "/groups#req-"+garden {
			t.Fatalf("request: %d %q\n%s", p.status, p.location, p.body)
		}
		b.get("/groups").has(t, "A room for 20 on Tuesday mornings.", "In Park", "Withdraw", "Your request has been sent")
		p = b.post("/groups/"+garden+"/requests", url.Values{"detail": {"Money"}, "postcode": {"HX9 9ZZ"}, "need": {"cake"}})
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("bad request: %d", p.status)
		}
		p.has(t, "Choose what you need: space, money, volunteers, training or something else.", "at least 10 characters",
			"We do not know the postcode HX9 9ZZ", `no need &#34;cake&#34;`, `id="req-`+garden+`-postcode-error"`)
		list, total, err := s.svc.Groups.ListRequests(context.Background(), linkwork.RequestFilter{PlaceID: s.place.ID})
		must(t, err)
		if total != 1 || list[0].NeighbourhoodCode != "E01000001" || list[0].Kind != linkwork.RequestSpace {
			t.Fatalf("requests %+v", list)
		}
		// Withdrawn by the group; a stale form is refused.
		req := id(list[0].ID)
		if p := b.post("/groups/requests/"+req+"/withdraw", url.Values{"version": {"0"}}); p.status != http.StatusConflict {
			t.Fatalf("stale withdraw: %d", p.status)
		}
		if p := b.post("/groups/requests/"+req+"/withdraw", url.Values{"version": {"1"}}); p.status != http.StatusSeeOther {
			t.Fatalf("withdraw: %d", p.status)
		}
		b.get("/groups").has(t, "Withdrawn", "Your request has been withdrawn.")
	})
}

// TestGroupPortalRoles checks who reaches the group pages and whose records they may
// change: a group's own community members and managers; another group's people find
// nothing; link workers and administrators are refused.
func TestGroupPortalRoles(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newGroupSite(t, db)
		lunch, garden := id(s.lunch.ID), id(s.orgB.ID)
		g := &linkwork.GroupRequest{OrganisationID: s.orgB.ID, Kind: linkwork.RequestMoney, Detail: "Fifty pounds for seeds."}
		must(t, s.svc.Groups.CreateRequest(s.actor(), g))

		// Another group's member sees their own group only, and none of Todmorden Garden's
		// records: each is not found.
		other := s.as("singer@example.org")
		other.get("/groups").has(t, "Halifax Choir", "Sing Together")
		other.get("/groups").lacks(t, "Lunch Club", "Todmorden Garden")
		for path, form := range map[string]url.Values{
			"/groups/services/" + lunch + "/availability":  {"full": {"yes"}},
			"/groups/services/" + lunch + "/accessibility": {"accessibility": {"Stairs"}},
			"/groups/" + garden + "/volunteers":            {"month": {time.Now().Format("2006-01")}, "volunteers": {"1"}, "hours": {"1"}},
			"/groups/" + garden + "/activities":            {"name": {"Choir"}, "started_on": {time.Now().Format(time.DateOnly)}},
			"/groups/" + garden + "/requests":              {"kind": {"space"}, "detail": {"A room for the choir please."}},
			"/groups/requests/" + id(g.ID) + "/withdraw":   {"version": {"1"}},
		} {
			if p := other.post(path, form); p.status != http.StatusNotFound {
				t.Errorf("another group's member POST %s: %d, want 404", path, p.status)
			}
		}
		if a := s.availability(s.lunch.ID); a != nil {
			t.Fatalf("another group changed Lunch Club: %+v", a)
		}
		if found, _ := s.svc.Groups.FindRequest(context.Background(), g.ID); found.Status != linkwork.RequestOpen {
			t.Fatal("another group withdrew the request")
		}

		// The forum's meetings that invite the group, and only those.
		start := time.Now().Add(72 * time.Hour).Truncate(time.Minute)
		meeting := &linkwork.Meeting{PlaceID: s.place.ID, Title: "Connectors and groups together", StartsAt: start,
			EndsAt: start.Add(2 * time.Hour), Venue: "Halifax Library", InvitedOrganisationIDs: []int64{s.orgB.ID}}
		must(t, s.svc.Forum.CreateMeeting(s.actor(), meeting))
		s.as("community@example.org").get("/groups").has(t, "Meetings you are invited to",
			`<a href="/forum/meetings/`+id(meeting.ID)+`">Connectors and groups together</a>`, "Halifax Library")
		other.get("/groups").lacks(t, "Meetings you are invited to", "Connectors and groups together")

		// The group's manager keeps it too.
		m := s.as("gardener@example.org")
		m.get("/groups").has(t, "Todmorden Garden", "Lunch Club", "Fifty pounds for seeds.")
		if p := m.post("/groups/services/"+lunch+"/availability", url.Values{"full": {"yes"}}); p.status != http.StatusSeeOther {
			t.Fatalf("manager's availability: %d\n%s", p.status, p.body)
		}
		if a := s.availability(s.lunch.ID); a == nil || !a.Full {
			t.Fatalf("manager's availability not saved: %+v", a)
		}
		// A manager of an organisation with no offers sees the way to add one.
		s.as("manager@example.org").get("/groups").has(t, "Calder PCN has no community offers in the directory yet")

		// Link workers, referrers, commissioners and administrators have no group page.
		for _, email := range []string{"worker@example.org", "referrer@example.org", "commissioner@example.org", "admin@example.org"} {
			b := s.as(email)
			if p := b.get("/groups"); p.status != http.StatusForbidden {
				t.Errorf("%s GET /groups: %d, want 403", email, p.status)
			}
			if p := b.post("/groups/services/"+lunch+"/availability", url.Values{"full": {"no"}}); p.status != http.StatusForbidden {
				t.Errorf("%s POST availability: %d, want 403", email, p.status)
			}
		}
		if p := s.browser().get("/groups"); p.status != http.StatusSeeOther {
			t.Errorf("signed out GET /groups: %d", p.status)
		}
	})
}

// TestGroupRequestsForThePlace checks the place-wide list of requests, marking one met,
// and the landscape reading them beside its gaps.
func TestGroupRequestsForThePlace(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newGroupSite(t, db)
		space := &linkwork.GroupRequest{OrganisationID: s.orgB.ID, Kind: linkwork.RequestSpace, Detail: "A room in Park for a lunch club.",
			Need: "loneliness", Postcode: "HX1 1AA"}
		must(t, s.svc.Groups.CreateRequest(s.actor(), space))
		money := &linkwork.GroupRequest{OrganisationID: s.choirOrg.ID, Kind: linkwork.RequestMoney, Detail: "Sheet music for twenty."}
		must(t, s.svc.Groups.CreateRequest(s.actor(), money))

		admin := s.as("admin@example.org")
		p := admin.get("/groups/requests")
		if p.status != http.StatusOK {
			t.Fatalf("GET /groups/requests: %d\n%s", p.status, p.body)
		}
		p.has(t, "What groups have asked for", "Space for Todmorden Garden", "Park (IMD decile 1)", "Loneliness and isolation",
			"Money for Halifax Choir", "Sheet music for twenty.", "Mark as met", `action="/groups/requests/`+id(space.ID)+`/met"`)
		admin.get("/groups/requests?kind=money").lacks(t, "Space for Todmorden Garden")
		admin.get("/groups/requests?status=met").has(t, "There are no requests like that.")

		// Marking met needs a response, and a fresh version.
		p = admin.post("/groups/requests/"+id(space.ID)+"/met", url.Values{"response": {" "}, "version": {"1"}})
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("met without a response: %d", p.status)
		}
		p.has(t, "Say how the request was met", `id="met-`+id(space.ID)+`-response-error"`)
		p = admin.post("/groups/requests/"+id(space.ID)+"/met", url.Values{"response": {"The library has a room."}, "version": {"2"}})
		if p.status != http.StatusConflict {
			t.Fatalf("stale met: %d", p.status)
		}
		p = admin.post("/groups/requests/"+id(space.ID)+"/met", url.Values{"response": {"The library has a room."}, "version": {"1"},
			"kind": {"space"}})
		if p.status != http.StatusSeeOther || p.location != "/groups/requests?kind=space" {
			t.Fatalf("met: %d %q\n%s", p.status, p.location, p.body)
		}
		s.as("community@example.org").get("/groups").has(t, "The place's answer:", "The library has a room.")

		// Managers see the list but do not mark requests met; groups and link workers do
		// not see it.
		m := s.as("manager@example.org")
		m.get("/groups/requests?status=all").has(t, "Money for Halifax Choir", "The library has a room.")
		m.get("/groups/requests").lacks(t, "Mark as met")
		if p := m.post("/groups/requests/"+id(money.ID)+"/met", url.Values{"response": {"Yes"}, "version": {"1"}}); p.status != http.StatusForbidden {
			t.Errorf("manager marks met: %d, want 403", p.status)
		}
		for _, email := range []string{"community@example.org", "worker@example.org"} {
			if p := s.as(email).get("/groups/requests"); p.status != http.StatusForbidden {
				t.Errorf("%s GET /groups/requests: %d, want 403", email, p.status)
			}
		}

		// The landscape: what groups asked for by neighbourhood, and the count beside the gap.
		again := &linkwork.GroupRequest{OrganisationID: s.orgB.ID, Kind: linkwork.RequestVolunteers, Detail: "Two drivers for the lunch club.",
			Need: "loneliness", Postcode: "HX1 1AA"}
		must(t, s.svc.Groups.CreateRequest(s.actor(), again))
		l := s.as("commissioner@example.org").get("/landscape")
		l.has(t, "What groups have asked for", `href="#group-requests"`, "<strong>Volunteers</strong> for Todmorden Garden, to help with Loneliness and isolation",
			"Park <span class=\"nhsuk-body-s\">(E01000001, IMD decile 1)</span>", "Neighbourhood not known", "Sheet music for twenty.",
			"<th scope=\"col\">Group requests</th>")
		asked := l.body[strings.Index(l.body, `id="group-requests"`):]
		if park, unknown := strings.Index(asked, "E01000001"), strings.Index(asked, "Neighbourhood not known"); park < 0 || unknown < park {
			t.Error("the requests in Park are not listed before those with no neighbourhood")
		}
		csvPage := s.as("commissioner@example.org").get("/landscape/export/gaps.csv")
		rows, err := csv.NewReader(bytes.NewReader([]byte(csvPage.body))).ReadAll()
		must(t, err)
		col := slices.Index(rows[0], "Open group requests")
		if col < 0 {
			t.Fatalf("gaps header %q", rows[0])
		}
		found := false
		for _, r := range rows[1:] {
			if r[0] == "E01000001" && r[3] == "Loneliness and isolation" {
				found = true
				if r[col] != "1" {
					t.Errorf("Park's loneliness gap: %s open group requests, want 1 (the met one does not count)", r[col])
				}
			}
		}
		if !found {
			t.Errorf("no gap for loneliness in Park: %q", rows)
		}
	})
}

// TestDirectoryShowsAvailability checks that people choosing where to go see how full an
// offer is, in the search results and on its page.
func TestDirectoryShowsAvailability(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newGroupSite(t, db)
		must(t, s.svc.Groups.SetAvailability(s.actor(), &linkwork.Availability{ServiceID: s.lunch.ID, Full: true, Note: "Back open in January"}))
		three := 3
		must(t, s.svc.Groups.SetAvailability(s.actor(), &linkwork.Availability{ServiceID: s.books.ID, PlacesLeft: &three}))
		anon := s.browser()
		results := anon.get("/directory")
		results.has(t, `<strong class="nhsuk-tag nhsuk-tag--red">Full</strong>`, `<strong class="nhsuk-tag nhsuk-tag--green">3 places left this week</strong>`)
		if strings.Count(results.body, "places left this week")+strings.Count(results.body, ">Full<") != 2 {
			t.Errorf("availability shown on other results too")
		}
		anon.get("/directory/services/"+id(s.lunch.ID)).has(t, `nhsuk-tag--red">Full</strong> Back open in January`)
		anon.get("/directory/services/"+id(s.books.ID)).has(t, "3 places left this week")
		anon.get("/directory/services/"+id(s.choir.ID)).lacks(t, "places left this week", ">Full<")
	})
}
