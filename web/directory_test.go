package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// term returns the ID of a term of the site's place, by taxonomy and code.
func (s *site) term(taxonomy, code string) int64 {
	s.t.Helper()
	taxes, err := s.svc.Taxonomies.ListTaxonomies(context.Background(), s.place.ID)
	must(s.t, err)
	for _, t := range taxes {
		for _, term := range t.Terms {
			if t.Code == taxonomy && term.Code == code {
				return term.ID
			}
		}
	}
	s.t.Fatalf("no term %s/%s", taxonomy, code)
	return 0
}

// addService puts a service straight into the store.
func (s *site) addService(org *linkwork.Organisation, name string, status linkwork.ServiceStatus) *linkwork.Service {
	s.t.Helper()
	svc := &linkwork.Service{PlaceID: org.PlaceID, OrganisationID: org.ID, Kind: linkwork.KindActivity, Name: name,
		Description: "Something to do in Halifax.", Status: status, Free: true}
	must(s.t, s.svc.Directory.CreateService(context.Background(), svc))
	return svc
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

// serviceForm is a filled-in form for a community offer run by org.
func serviceForm(org *linkwork.Organisation) url.Values {
	return url.Values{
		"kind": {"activity"}, "name": {"Walk and Talk"}, "description": {"A gentle walk round the park.\nTea after."},
		"organisation_id": {id(org.ID)}, "status": {"active"}, "free": {"yes"}, "minimum_age": {"18"},
		"schedules[0].freq": {"WEEKLY"}, "schedules[0].days": {"2"}, "schedules[0].opens_at": {"10:00"}, "schedules[0].closes_at": {"11:00"},
		// Row 2 (index 1) is left blank; row 3 is filled in.
		"schedules[2].freq": {"MONTHLY"}, "schedules[2].ordinal": {"1"}, "schedules[2].days": {"4", "6"},
		"schedules[2].opens_at": {"14:00"}, "schedules[2].closes_at": {"15:30"},
		"locations[1].name": {"People's Park"}, "locations[1].address_1": {"King Cross Road"}, "locations[1].town": {"Halifax"},
		"locations[1].postcode": {"hx1  1aa"},
		"contacts[0].name":      {"Sam Walker"}, "contacts[0].email": {"sam@example.org"},
		"languages": {"English\nUrdu\n"}, "areas": {"Park ward"},
	}
}

func TestServiceFormsAddChangeAndCheck(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newSite(t, db)
		ctx := context.Background()
		b := s.browser()
		b.signIn("admin@example.org", password)
		b.get("/services/new").has(t, "What are you adding?", `name="kind"`, `value="connector_scheme"`)
		for _, q := range []string{"kind=garden", "step=kind"} {
			p := b.get("/services/new?" + q)
			if p.status != http.StatusUnprocessableEntity {
				t.Errorf("/services/new?%s: %d", q, p.status)
			}
			p.has(t, `href="#kind"`, `id="kind-error"`)
		}
		b.get("/services/new?kind=activity").has(t, "Add a community offer", "Loneliness and isolation", `id="schedules[2].opens_at"`,
			`id="locations[1].postcode"`, `id="contacts[1].name"`, "Todmorden Garden")

		// An end before the start in a row, a bad postcode and an age that is not a number
		// are all shown at once, each next to its field, with everything typed kept.
		form := serviceForm(s.orgB)
		lonely := s.term(linkwork.TaxonomyNeed, "loneliness")
		form["term_ids"] = []string{id(lonely)}
		form.Set("schedules[2].closes_at", "13:00")
		form.Set("locations[1].postcode", "not a postcode")
		form.Set("maximum_age", "old")
		p := b.post("/services", form)
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("bad service: %d", p.status)
		}
		p.has(t, "<title>Error: ", `href="#schedules[2].closes_at"`, `id="schedules[2].closes_at-error"`,
			"Time 3: The end time must be after the start time.", `href="#locations[1].postcode"`, "Venue 2: ",
			`href="#maximum_age"`, `value="Walk and Talk"`, `value="13:00"`, `value="old"`, `value="People&#39;s Park"`,
			`id="schedules[2].days-4" name="schedules[2].days" type="checkbox" value="4" checked`,
			`value="`+id(lonely)+`" checked`, "Tea after.", "Urdu")
		if strings.Index(p.body, `href="#maximum_age"`) > strings.Index(p.body, `href="#schedules[2].closes_at"`) {
			t.Error("the error summary is not in the form's order")
		}
		if list, _, _ := s.svc.Directory.ListServices(ctx, linkwork.ServiceFilter{PlaceID: s.place.ID}); len(list) != 0 {
			t.Fatalf("a form with errors added %d services", len(list))
		}

		form.Set("schedules[2].closes_at", "15:30")
		form.Set("locations[1].postcode", "hx1  1aa")
		form.Del("maximum_age")
		p = b.post("/services", form)
		if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/directory/services/") {
			t.Fatalf("add service: %d %q\n%s", p.status, p.location, p.body)
		}
		svcID, _ := strconv.ParseInt(strings.TrimPrefix(p.location, "/directory/services/"), 10, 64)
		svc, err := s.svc.Directory.FindServiceByID(ctx, svcID)
		must(t, err)
		if len(svc.Schedules) != 2 || svc.Schedules[1].Ordinal != 1 || len(svc.Locations) != 1 || svc.Locations[0].Postcode != "HX1 1AA" ||
			len(svc.Contacts) != 1 || svc.OrganisationID != s.orgB.ID || *svc.MinAge != 18 || svc.MaxAge != nil || len(svc.Languages) != 2 {
			t.Fatalf("service saved as %+v", svc)
		}

		// Anyone may read it, in plain English.
		pub := s.browser().get(p.location)
		if pub.status != http.StatusOK {
			t.Fatalf("public page: %d", pub.status)
		}
		pub.has(t, "Walk and Talk", "Community offer run by Todmorden Garden", "Tuesdays, 10:00 to 11:00",
			"The first Thursday and Saturday of the month, 14:00 to 15:30", "People&#39;s Park", "HX1 1AA", "Free", "Ages 18 and over",
			"Loneliness and isolation", "English, Urdu", "Park ward", "Sam Walker", "mailto:sam@example.org", "Not checked yet.")
		if strings.Contains(pub.body, "Change this entry") || strings.Contains(pub.body, "/verify") {
			t.Error("the public sees the buttons to change the entry")
		}
		b.get(p.location).has(t, "The entry has been added to the directory.", "Change this entry", "I have checked this is still right")

		// Change it: the form shows what is saved, with a spare row.
		edit := b.get("/services/" + id(svcID) + "/edit")
		edit.has(t, "Change Walk and Talk", `value="King Cross Road"`, `value="15:30"`, `name="schedule_rows" value="3"`)
		form.Set("name", "Walk and Talk in the Park")
		form.Set("status", "temporarily closed")
		form["term_ids"] = nil
		if p := b.post("/services/"+id(svcID), form); p.status != http.StatusSeeOther {
			t.Fatalf("change service: %d\n%s", p.status, p.body)
		}
		svc, _ = s.svc.Directory.FindServiceByID(ctx, svcID)
		if svc.Name != "Walk and Talk in the Park" || svc.Status != linkwork.StatusTemporarilyClosed || len(svc.TermIDs) != 0 {
			t.Fatalf("changed service: %+v", svc)
		}
		s.browser().get("/directory/services/"+id(svcID)).has(t, "Temporarily closed")

		// An entry never checked needs checking; once checked it does not.
		other := s.addService(s.orgA, "Knit and Natter", linkwork.StatusActive)
		b.get("/services?tab=verify").has(t, "Walk and Talk in the Park", "Knit and Natter", "Still right")
		if p := b.post("/services/"+id(svcID)+"/verify", url.Values{"return": {"verify-list"}}); p.status != http.StatusSeeOther || p.location != "/services?tab=verify" {
			t.Fatalf("verify: %d %q", p.status, p.location)
		}
		list := b.get("/services?tab=verify")
		list.has(t, "Knit and Natter", "marked as checked today")
		if strings.Contains(list.body, "Walk and Talk in the Park") {
			t.Error("a checked entry is still listed as needing a check")
		}
		b.get("/services").has(t, "Walk and Talk in the Park", "Knit and Natter")
		b.get("/services?organisation="+id(s.orgA.ID)).has(t, "Knit and Natter")
		if strings.Contains(b.get("/services?organisation="+id(s.orgA.ID)).body, "Walk and Talk") {
			t.Error("the organisation filter does not filter")
		}
		svc, _ = s.svc.Directory.FindServiceByID(ctx, svcID)
		if svc.LastVerifiedAt == nil || svc.VerifiedBy != "admin@example.org" {
			t.Fatalf("verified: %v %q", svc.LastVerifiedAt, svc.VerifiedBy)
		}
		b.get("/directory/services/"+id(svcID)).has(t, "Last checked "+time.Now().In(london()).Format("2 January 2006"), "by admin@example.org")
		if strings.Contains(s.browser().get("/directory/services/"+id(svcID)).body, "admin@example.org") {
			t.Error("the public page names who checked it")
		}
		events, _, err := s.svc.Audit.ListAudit(ctx, linkwork.AuditFilter{PlaceID: s.place.ID, RecordType: "service", RecordID: id(svcID)})
		must(t, err)
		var actions []string
		for _, e := range events {
			actions = append(actions, e.Action)
		}
		if got := strings.Join(actions, " "); !strings.Contains(got, "service.create") || !strings.Contains(got, "service.update") || !strings.Contains(got, "service.verify") {
			t.Errorf("audit of the service: %s", got)
		}
		_ = other
	})
}

func london() *time.Location {
	l, err := time.LoadLocation("Europe/London")
	if err != nil {
		return time.UTC
	}
	return l
}

func TestConnectorSchemeForm(t *testing.T) {
	s := newSite(t, sqldbtest.Open(t, "sqlite"))
	b := s.browser()
	b.signIn("admin@example.org", password)
	b.get("/services/new?kind=connector_scheme").has(t, "Add a connector scheme", "Kind of scheme", "High intensity user service",
		"GP practice", `id="scheme.who_can_refer"`, `id="scheme.who_can_refer-2"`)
	form := url.Values{"kind": {"connector_scheme"}, "name": {"Calder Social Prescribing"}, "description": {"Link workers for Calder PCN."},
		"organisation_id": {id(s.orgA.ID)}, "status": {"active"}, "free": {"yes"}, "scheme.staff_fte": {"lots"}}
	p := b.post("/services", form)
	if p.status != http.StatusUnprocessableEntity {
		t.Fatalf("scheme without details: %d", p.status)
	}
	p.has(t, `href="#scheme.model"`, `href="#scheme.who_can_refer"`, `id="scheme.who_can_refer-error"`, `href="#scheme.staff_fte"`, `value="lots"`)
	form.Set("scheme.model", "pcn_link_worker")
	form["scheme.who_can_refer"] = []string{"gp_practice", "self"}
	form.Set("scheme.staff_fte", "2.5")
	form.Set("scheme.waiting_weeks", "3")
	form.Set("scheme.how_to_refer", "Send the referral form to calder.sp@example.org.")
	form.Set("scheme.electronic_system", "Elemental")
	form.Set("scheme.assessment_tools", "ONS4\nSWEMWBS")
	p = b.post("/services", form)
	if p.status != http.StatusSeeOther {
		t.Fatalf("scheme: %d\n%s", p.status, p.body)
	}
	pub := s.browser().get(p.location)
	pub.has(t, "Connector scheme run by Calder PCN", "Primary care network social prescribing link worker", "GP practice, The person themselves",
		"Send the referral form", "About 3 weeks for a first contact")
	if strings.Contains(pub.body, "Elemental") {
		t.Error("the public sees the scheme's systems")
	}
	b.get(p.location).has(t, "Elemental", "ONS4, SWEMWBS", "2.5 full-time equivalent")
}

func TestManagerKeepsOwnOrganisationsEntries(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newSite(t, db)
		ctx := context.Background()
		s.addUser("manager@example.org", s.orgA, linkwork.RoleManager)
		own := s.addService(s.orgA, "Calder Carers Café", linkwork.StatusActive)
		theirs := s.addService(s.orgB, "Todmorden Seed Swap", linkwork.StatusActive)
		other := &linkwork.Place{Name: "Wakefield"}
		must(t, s.svc.Places.CreatePlace(ctx, other))
		wOrg := &linkwork.Organisation{PlaceID: other.ID, Name: "Wakefield Council", Sector: linkwork.SectorCouncil}
		must(t, s.svc.Organisations.CreateOrganisation(ctx, wOrg))
		elsewhere := s.addService(wOrg, "Wakefield Walks", linkwork.StatusActive)

		b := s.browser()
		b.signIn("manager@example.org", password)
		list := b.get("/services")
		list.has(t, "Calder Carers Café")
		if strings.Contains(list.body, "Todmorden Seed Swap") || strings.Contains(list.body, "All organisations") {
			t.Error("a manager's list shows another organisation's entries")
		}
		b.get("/services/"+id(own.ID)+"/edit").has(t, "Change Calder Carers Café")
		for _, path := range []string{"/services/" + id(theirs.ID) + "/edit"} {
			if p := b.get(path); p.status != http.StatusForbidden {
				t.Errorf("manager GET %s (another organisation's): %d, want 403", path, p.status)
			}
		}
		if p := b.post("/services/"+id(theirs.ID)+"/verify", nil); p.status != http.StatusForbidden {
			t.Errorf("manager verifies another organisation's entry: %d", p.status)
		}
		if p := b.post("/services/"+id(theirs.ID), serviceForm(s.orgA)); p.status != http.StatusForbidden {
			t.Errorf("manager changes another organisation's entry: %d", p.status)
		}
		if p := b.get("/services/" + id(elsewhere.ID) + "/edit"); p.status != http.StatusNotFound {
			t.Errorf("manager GET another place's entry: %d, want 404", p.status)
		}
		// The form offers only their own organisation; choosing another is refused.
		newForm := b.get("/services/new?kind=activity")
		if strings.Contains(newForm.body, "Todmorden Garden") {
			t.Error("the form offers an organisation the manager does not keep")
		}
		p := b.post("/services", serviceForm(s.orgB))
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("manager adds an entry for another organisation: %d", p.status)
		}
		p.has(t, "Choose an organisation whose directory entries you keep.")
		p = b.post("/services/"+id(own.ID), serviceForm(s.orgB))
		p.has(t, "Choose an organisation whose directory entries you keep.")
		if p := b.post("/services", serviceForm(s.orgA)); p.status != http.StatusSeeOther {
			t.Errorf("manager adds an entry for their organisation: %d", p.status)
		}
		theirs, _ = s.svc.Directory.FindServiceByID(ctx, theirs.ID)
		if theirs.Name != "Todmorden Seed Swap" || theirs.LastVerifiedAt != nil {
			t.Error("another organisation's entry changed")
		}
	})
}

func TestCommunityGroupKeepsItsListing(t *testing.T) {
	s := newSite(t, sqldbtest.Open(t, "sqlite"))
	s.addUser("garden@example.org", s.orgB, linkwork.RoleCommunity)
	listing := s.addService(s.orgB, "Todmorden Seed Swap", linkwork.StatusActive)
	b := s.browser()
	b.signIn("garden@example.org", password)
	home := b.get("/")
	home.has(t, `href="/services"`, "The community offers and connector schemes you keep")
	if strings.Contains(home.body, `href="/practitioners"`) {
		t.Error("a community group is offered the directory of link workers")
	}
	if p := b.get("/practitioners"); p.status != http.StatusForbidden {
		t.Errorf("community GET /practitioners: %d", p.status)
	}
	form := serviceForm(s.orgB)
	form.Set("name", "Todmorden Seed and Plant Swap")
	if p := b.post("/services/"+id(listing.ID), form); p.status != http.StatusSeeOther {
		t.Fatalf("community group changes its listing: %d\n%s", p.status, p.body)
	}
	if p := b.post("/services/"+id(listing.ID)+"/verify", nil); p.status != http.StatusSeeOther {
		t.Fatalf("community group checks its listing: %d", p.status)
	}
	got, _ := s.svc.Directory.FindServiceByID(context.Background(), listing.ID)
	if got.Name != "Todmorden Seed and Plant Swap" || got.LastVerifiedAt == nil {
		t.Errorf("listing: %q, verified %v", got.Name, got.LastVerifiedAt)
	}
	other := s.addService(s.orgA, "Calder Carers Café", linkwork.StatusActive)
	if p := b.get("/services/" + id(other.ID) + "/edit"); p.status != http.StatusForbidden {
		t.Errorf("community group opens another organisation's listing: %d", p.status)
	}
}

func TestPublicServicePage(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newSite(t, db)
		s.addUser("worker@example.org", s.orgA, linkwork.RoleLinkWorker)
		active := s.addService(s.orgB, "Seed Swap", linkwork.StatusActive)
		closed := s.addService(s.orgB, "Winter Warmers", linkwork.StatusTemporarilyClosed)
		defunct := s.addService(s.orgB, "Old Choir", linkwork.StatusDefunct)
		paused := s.addService(s.orgB, "Paused Club", linkwork.StatusInactive)
		anon, worker, admin := s.browser(), s.browser(), s.browser()
		worker.signIn("worker@example.org", password)
		admin.signIn("admin@example.org", password)

		anon.get("/directory/services/"+id(active.ID)).has(t, "Seed Swap", "Something to do in Halifax.", "All ages", "Ask the organisation when it runs.")
		anon.get("/directory/services/"+id(closed.ID)).has(t, "Winter Warmers", "Temporarily closed")
		for _, svc := range []*linkwork.Service{defunct, paused} {
			for who, b := range map[string]*browser{"the public": anon, "a link worker": worker} {
				if p := b.get("/directory/services/" + id(svc.ID)); p.status != http.StatusNotFound {
					t.Errorf("%s GET %s (%s): %d, want 404", who, svc.Name, svc.Status, p.status)
				}
			}
			admin.get("/directory/services/"+id(svc.ID)).has(t, svc.Name, "Not shown to the public", "Change this entry")
		}
		for _, path := range []string{"/directory/services/999999", "/directory/services/x"} {
			if p := anon.get(path); p.status != http.StatusNotFound {
				t.Errorf("GET %s: %d", path, p.status)
			}
		}
	})
}

func TestPractitionerDirectory(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newSite(t, db)
		ctx := context.Background()
		lee := s.addUser("lee@example.org", s.orgA, linkwork.RoleLinkWorker)
		s.addUser("manager@example.org", s.orgA, linkwork.RoleManager)
		scheme := &linkwork.Service{PlaceID: s.place.ID, OrganisationID: s.orgA.ID, Kind: linkwork.KindScheme, Name: "Calder Social Prescribing",
			Description: "Link workers.", Status: linkwork.StatusActive, Free: true,
			Scheme: &linkwork.ConnectorScheme{Model: linkwork.ModelPCNLinkWorker, WhoCanRefer: []linkwork.ReferrerType{linkwork.ReferrerGP}}}
		must(t, s.svc.Directory.CreateService(ctx, scheme))
		gardener := &linkwork.Practitioner{PlaceID: s.place.ID, Name: "Gita Gardener", OrganisationID: s.orgB.ID,
			Specialisms: []string{"Gardening", "Carers"}, Neighbourhoods: []string{"Todmorden"}}
		must(t, s.svc.Practitioners.CreatePractitioner(ctx, gardener))

		// A link worker keeps their own entry: the form starts with their name and offers
		// only their own organisations.
		b := s.browser()
		b.signIn("lee@example.org", password)
		b.get("/").has(t, "Directory of link workers")
		own := b.get("/practitioners/me")
		own.has(t, "Your entry in the directory of link workers", `value="lee"`, `value="lee@example.org"`, "Calder Social Prescribing")
		if strings.Contains(own.body, "Todmorden Garden") {
			t.Error("the employer list offers an organisation the link worker does not belong to")
		}
		form := url.Values{"name": {"Lee Worker"}, "job_title": {"Social prescribing link worker"}, "organisation_id": {id(s.orgB.ID)},
			"scheme_id": {id(scheme.ID)}, "neighbourhoods": {"Sowerby Bridge\nLuddenden"}, "specialisms": {"Young people"},
			"languages": {"English\nPolish"}, "email": {"lee@example.org"}, "availability": {"Monday to Wednesday"}}
		p := b.post("/practitioners/me", form)
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("own entry with another employer: %d", p.status)
		}
		p.has(t, "Choose an organisation you work for.", `value="Lee Worker"`, "Luddenden")
		form.Set("organisation_id", id(s.orgA.ID))
		p = b.post("/practitioners/me", form)
		if p.status != http.StatusSeeOther {
			t.Fatalf("own entry: %d\n%s", p.status, p.body)
		}
		entry, err := s.svc.Practitioners.FindPractitionerByUser(ctx, s.place.ID, lee.ID)
		must(t, err)
		if p.location != "/practitioners/"+id(entry.ID) || entry.SchemeID != scheme.ID || len(entry.Neighbourhoods) != 2 {
			t.Fatalf("entry %+v, redirect %q", entry, p.location)
		}
		form.Set("availability", "Tuesday to Thursday")
		if p := b.post("/practitioners/me", form); p.status != http.StatusSeeOther || p.location != "/practitioners/"+id(entry.ID) {
			t.Fatalf("own entry again: %d %q", p.status, p.location)
		}
		if _, n, _ := s.svc.Practitioners.ListPractitioners(ctx, linkwork.PractitionerFilter{PlaceID: s.place.ID}); n != 2 {
			t.Errorf("saving one's entry twice made %d entries, want 2", n)
		}
		b.get("/practitioners/me").has(t, "Tuesday to Thursday", "Save my entry")
		b.get("/practitioners/"+id(entry.ID)).has(t, "Lee Worker", "Sowerby Bridge, Luddenden", "Calder Social Prescribing", "Change your entry")
		if p := b.get("/practitioners/" + id(gardener.ID) + "/edit"); p.status != http.StatusForbidden {
			t.Errorf("link worker edits another's entry: %d", p.status)
		}

		// Searching finds by specialism or neighbourhood, in any case; filters narrow.
		list := b.get("/practitioners?q=GARDEN")
		list.has(t, "Gita Gardener")
		if strings.Contains(list.body, "Lee Worker") {
			t.Error("the search does not narrow the list")
		}
		b.get("/practitioners?scheme="+id(scheme.ID)).has(t, "Lee Worker")
		if strings.Contains(b.get("/practitioners?organisation="+id(s.orgA.ID)).body, "Gita Gardener") {
			t.Error("the employer filter does not filter")
		}
		b.get("/practitioners?q=nobody+at+all").has(t, "Nobody matches.")

		// Looking is recorded: this is staff's personal data.
		events, _, err := s.svc.Audit.ListAudit(ctx, linkwork.AuditFilter{PlaceID: s.place.ID, ActorUserID: lee.ID, Action: "practitioner."})
		must(t, err)
		var got []string
		for _, e := range events {
			got = append(got, e.Action+":"+e.RecordID+":"+e.Detail)
		}
		all := strings.Join(got, " ")
		for _, want := range []string{"practitioner.view:" + id(entry.ID), "practitioner.list::q=GARDEN, page 1", "practitioner.create:" + id(entry.ID),
			"practitioner.update:" + id(entry.ID)} {
			if !strings.Contains(all, want) {
				t.Errorf("audit trail %q lacks %q", all, want)
			}
		}

		// A manager keeps the entries of their own organisation's link workers only.
		m := s.browser()
		m.signIn("manager@example.org", password)
		m.get("/practitioners").has(t, "Add a link worker", "Lee Worker", "Gita Gardener")
		m.get("/practitioners/"+id(entry.ID)).has(t, "Change this entry")
		if p := m.get("/practitioners/" + id(gardener.ID) + "/edit"); p.status != http.StatusForbidden {
			t.Errorf("manager edits another organisation's link worker: %d", p.status)
		}
		upd := url.Values{"name": {"Lee Worker"}, "organisation_id": {id(s.orgA.ID)}, "specialisms": {"Young people\nHousing"}}
		if p := m.post("/practitioners/"+id(entry.ID), upd); p.status != http.StatusSeeOther {
			t.Fatalf("manager changes their link worker's entry: %d\n%s", p.status, p.body)
		}
		upd.Set("organisation_id", id(s.orgB.ID))
		m.post("/practitioners/"+id(entry.ID), upd).has(t, "Choose an organisation whose link workers you manage.")
		p = m.post("/practitioners", url.Values{"name": {""}, "organisation_id": {id(s.orgA.ID)}, "email": {"nope"}})
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("empty entry: %d", p.status)
		}
		p.has(t, `href="#name"`, `href="#email"`)
		p = m.post("/practitioners", url.Values{"name": {"Pat New"}, "organisation_id": {id(s.orgA.ID)}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("manager adds a link worker: %d\n%s", p.status, p.body)
		}
	})
}

func TestTaxonomyTerms(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newSite(t, db)
		b := s.browser()
		b.signIn("admin@example.org", password)
		b.get("/taxonomies").has(t, "Loneliness and isolation", "Building blocks", "Add a term to Needs", `name="need-code"`)
		p := b.post("/taxonomies/need/terms", url.Values{"need-code": {"Walking Groups"}, "need-name": {""}})
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("bad term: %d", p.status)
		}
		p.has(t, `href="#need-code"`, `href="#need-name"`, `id="need-code-error"`, `value="Walking Groups"`, "<details class=\"nhsuk-details\" open>")
		p = b.post("/taxonomies/need/terms", url.Values{"need-code": {"walking_groups"}, "need-name": {"Walking groups"}})
		if p.status != http.StatusSeeOther || p.location != "/taxonomies#need" {
			t.Fatalf("add term: %d %q", p.status, p.location)
		}
		b.get("/taxonomies").has(t, "The term has been added.", "walking_groups")
		b.post("/taxonomies/need/terms", url.Values{"need-code": {"walking_groups"}, "need-name": {"Walks"}}).has(t, "There is already a term")
		if p := b.post("/taxonomies/nonsense/terms", url.Values{"nonsense-code": {"x"}, "nonsense-name": {"X"}}); p.status != http.StatusNotFound {
			t.Errorf("unknown taxonomy: %d", p.status)
		}
		// The new term is offered on the service form.
		b.get("/services/new?kind=activity").has(t, "Walking groups")
	})
}
