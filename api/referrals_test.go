package api_test

import (
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"linkwork"
	"linkwork/api"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// refFixture adds to the fixture what referrals need. In York (place A), besides the
// council and health:
//
//	gp        York Road Surgery, with referrer (a referrer)
//	housing   York Housing, with housingReferrer (a referrer)
//	foodbank  York Food Bank, with community (a community organisation), unrelated to
//	          the referrals the tests send unless they say so
//	council   also has commissioner
//
// healthScheme is health's connector scheme: for everyone aged 18 and over in the whole
// place, from any referrer, for loneliness and mental wellbeing. councilScheme is the
// council's: for older people in HX1, from the council and housing only, for money, housing
// and loneliness. activity is a community offer, not a scheme.
type refFixture struct {
	*fixture
	gp, housing, foodbank                               *linkwork.Organisation
	referrer, housingReferrer, community, commissioner  *linkwork.User
	healthScheme, councilScheme, activity               *linkwork.Service
	loneliness, wellbeing, money, everyone, olderPeople int64
}

func newRefFixture(t *testing.T, db *sqldb.DB) *refFixture {
	t.Helper()
	rf := &refFixture{fixture: newFixture(t, db)}
	f, ctx := rf.fixture, t.Context()
	org := func(name string, s linkwork.Sector) *linkwork.Organisation {
		o := &linkwork.Organisation{PlaceID: f.placeA.ID, Name: name, Sector: s}
		must(t, f.svc.Organisations.CreateOrganisation(ctx, o))
		return o
	}
	rf.gp = org("York Road Surgery", linkwork.SectorNHS)
	rf.housing = org("York Housing", linkwork.SectorHousing)
	rf.foodbank = org("York Food Bank", linkwork.SectorVCSE)
	rf.referrer = f.user("gp@york.example.org", "Rae Referrer", rf.gp, linkwork.RoleReferrer)
	rf.housingReferrer = f.user("housing@york.example.org", "Hal Housing", rf.housing, linkwork.RoleReferrer)
	rf.community = f.user("foodbank@york.example.org", "Cal Community", rf.foodbank, linkwork.RoleCommunity)
	rf.commissioner = f.user("commissioner@york.example.org", "Cy Commissioner", f.council, linkwork.RoleCommissioner)

	ids := f.termIDs(f.admin, "need:loneliness", "need:mental_wellbeing", "need:money_debt", "client_group:everyone",
		"client_group:older_people", "need:housing")
	rf.loneliness, rf.wellbeing, rf.money, rf.everyone, rf.olderPeople = ids[0], ids[1], ids[2], ids[3], ids[4]
	scheme := func(o *linkwork.Organisation, name string, minAge *int, areas []string, who []linkwork.ReferrerType, terms ...int64) *linkwork.Service {
		s := &linkwork.Service{PlaceID: f.placeA.ID, OrganisationID: o.ID, Kind: linkwork.KindScheme, Name: name,
			Description: "Link workers who help people with what matters to them.", Status: linkwork.StatusActive, Free: true,
			MinAge: minAge, Areas: areas, TermIDs: terms,
			Scheme: &linkwork.ConnectorScheme{Model: linkwork.ModelPCNLinkWorker, WhoCanRefer: who, CaseloadLimit: 40, WaitingWeeks: 2}}
		must(t, f.svc.Directory.CreateService(ctx, s))
		return s
	}
	rf.healthScheme = scheme(f.health, "York Health Social Prescribing", intp(18), nil, linkwork.ReferrerTypes,
		rf.loneliness, rf.wellbeing, rf.everyone)
	rf.councilScheme = scheme(f.council, "York Council Connectors", nil, []string{"HX1"},
		[]linkwork.ReferrerType{linkwork.ReferrerCouncil, linkwork.ReferrerHousing}, rf.money, ids[5], rf.loneliness, rf.olderPeople)
	rf.activity = &linkwork.Service{PlaceID: f.placeA.ID, OrganisationID: f.council.ID, Kind: linkwork.KindActivity,
		Name: "York Walking Group", Description: "Come along.", Status: linkwork.StatusActive, Free: true}
	must(t, f.svc.Directory.CreateService(ctx, rf.activity))

	ended := time.Date(2015, time.April, 1, 0, 0, 0, 0, time.UTC)
	_, err := f.svc.Geography.ImportPostcodes(ctx, seq(
		&linkwork.PostcodeInfo{Postcode: "HX1 1AA", Lat: 53.724334, Lng: -1.857458, LSOA: "E01010994", Ward: "E05001386", LocalAuthority: "E08000033"},
		&linkwork.PostcodeInfo{Postcode: "HX1 1AB", Lat: 53.725515, Lng: -1.860394, LSOA: "E01010994", Terminated: &ended},
	), linkwork.ImportOptions{})
	must(t, err)
	return rf
}

// in returns a copy of the fixture that reports to t, for a subtest.
func (rf *refFixture) in(t *testing.T) *refFixture {
	g := *rf
	g.fixture = rf.fixture.in(t)
	return &g
}

// body is a valid referral to a scheme (0 to leave it to routing) from a GP practice.
func (rf *refFixture) body(schemeID int64) api.ReferralBody {
	return api.ReferralBody{
		Person: linkwork.ReferralPerson{GivenName: " Ann ", FamilyName: "Example", DateOfBirth: "1950-05-01",
			NHSNumber: "943 476 5919", Address1: "1 High Street", Town: "Halifax", Postcode: "hx1  1aa", Phone: "01422 123456",
			ContactPreferences: []linkwork.ContactMethod{linkwork.ContactPhone}, GPPractice: "York Road Surgery"},
		NeedIDs: []int64{rf.loneliness}, ClientGroupIDs: []int64{rf.olderPeople},
		Reason:   "Lives alone since her husband died and has stopped going out.",
		Urgency:  linkwork.UrgencySoon,
		Referrer: api.ReferrerBody{Type: linkwork.ReferrerGP, Role: "GP", Phone: "01422 000111"},
		Consent:  api.ConsentBody{ToReferral: true, Method: linkwork.ConsentVerbal},
		SchemeID: schemeID,
	}
}

// create sends a referral as u and returns it.
func (rf *refFixture) create(u *linkwork.User, body any) api.ReferralView {
	rf.t.Helper()
	var ref api.ReferralView
	res := rf.as(u).do("POST", "/api/v1/referrals", body).want(http.StatusCreated)
	res.decode(&ref)
	if want := path("/api/v1/referrals/%d", ref.ID); res.header.Get("Location") != want {
		rf.t.Errorf("Location %q, want %q", res.header.Get("Location"), want)
	}
	return ref
}

// count is how many referrals place A holds.
func (rf *refFixture) count() int {
	rf.t.Helper()
	orgs := []int64{rf.council.ID, rf.health.ID, rf.gp.ID, rf.housing.ID, rf.foodbank.ID}
	_, total, err := rf.svc.Referrals.ListReferrals(rf.t.Context(), linkwork.ReferralFilter{PlaceID: rf.placeA.ID,
		OrganisationIDs: orgs, Page: linkwork.Page{Number: 1, Size: 1}})
	must(rf.t, err)
	return total
}

// audited reports whether u has an audit event with the action about the record (any
// record when id is 0).
func (rf *refFixture) audited(u *linkwork.User, action string, id int64) bool {
	rf.t.Helper()
	f := linkwork.AuditFilter{PlaceID: rf.placeA.ID, ActorUserID: u.ID, Action: action, Page: linkwork.Page{Number: 1, Size: 1}}
	if id != 0 {
		f.RecordID = idString(id)
	}
	_, total, err := rf.svc.Audit.ListAudit(rf.t.Context(), f)
	must(rf.t, err)
	return total > 0
}

// get reads a referral as u.
func (rf *refFixture) get(u *linkwork.User, id int64) api.ReferralView {
	rf.t.Helper()
	var ref api.ReferralView
	rf.as(u).do("GET", path("/api/v1/referrals/%d", id), nil).want(http.StatusOK).decode(&ref)
	return ref
}

// decide applies a transition as u and returns the referral as it now is.
func (rf *refFixture) decide(u *linkwork.User, id int64, t linkwork.Transition) api.ReferralView {
	rf.t.Helper()
	var ref api.ReferralView
	rf.as(u).do("POST", path("/api/v1/referrals/%d/transitions", id), t).want(http.StatusOK).decode(&ref)
	return ref
}

func (rf *refFixture) letter(u *linkwork.User, id int64) linkwork.ReferralLetter {
	rf.t.Helper()
	var l linkwork.ReferralLetter
	rf.as(u).do("GET", path("/api/v1/referrals/%d/letter", id), nil).want(http.StatusOK).decode(&l)
	return l
}

func referralIDs(l list[api.ReferralView]) []int64 {
	var ids []int64
	for _, r := range l.Items {
		ids = append(ids, r.ID)
	}
	return ids
}

func codes(l linkwork.ReferralLetter) []string {
	var out []string
	for _, e := range l.Events {
		out = append(out, e.Code)
	}
	return out
}

// TestReferrals runs the referral tests one after another on one fixture per database, as
// each fixture's users cost argon2 hashes.
func TestReferrals(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		rf := newRefFixture(t, db)
		for _, c := range []struct {
			name string
			fn   func(*testing.T, *refFixture)
		}{
			{"CreateByRole", testReferralCreateByRole},
			{"BadInput", testReferralBadInput},
			{"Routing", testReferralRouting},
			{"Privacy", testReferralPrivacy},
			{"Lifecycle", testReferralLifecycle},
			{"Redirect", testReferralRedirect},
			{"QueueAndWaiting", testReferralQueues},
			{"Capacity", testReferralCapacity},
			{"CaseloadLimit", testCaseloadLimit},
			{"ListFilters", testReferralListFilters},
			{"Anonymous", testReferralAnonymous},
		} {
			t.Run(c.name, func(t *testing.T) { c.fn(t, rf.in(t)) })
		}
	})
}

// testReferralCreateByRole sends a referral as every role: only those who may send
// referrals succeed, and the principal is recorded as the referrer.
func testReferralCreateByRole(t *testing.T, rf *refFixture) {
	for _, c := range []struct {
		u   *linkwork.User
		org *linkwork.Organisation
	}{{rf.manager, rf.health}, {rf.worker, rf.health}, {rf.referrer, rf.gp}, {rf.community, rf.foodbank}} {
		ref := rf.create(c.u, rf.body(rf.healthScheme.ID))
		src := ref.Referrer
		if src.UserID != c.u.ID || src.OrganisationID != c.org.ID || src.Name != c.u.Name || src.Email != c.u.Email ||
			src.Type != linkwork.ReferrerGP || src.Role != "GP" {
			t.Errorf("%s: referrer %+v", c.u.Name, src)
		}
		if ref.Consent.RecordedBy != c.u.Name || ref.Consent.RecordedAt.IsZero() || !ref.Consent.ToReferral {
			t.Errorf("%s: consent %+v", c.u.Name, ref.Consent)
		}
		if ref.Status != linkwork.ReferralReceived || ref.SchemeID != rf.healthScheme.ID || ref.RoutedBy != "referrer" ||
			ref.SchemeOrganisationID != rf.health.ID || ref.Routing != nil || ref.PlaceID != rf.placeA.ID {
			t.Errorf("%s: referral %+v", c.u.Name, ref.Referral)
		}
		// The server normalised what it was sent.
		if p := ref.Person; p.GivenName != "Ann" || p.NHSNumber != "9434765919" || p.Postcode != "HX1 1AA" {
			t.Errorf("%s: person %+v", c.u.Name, p)
		}
		if !strings.HasPrefix(ref.Reference, "R-") || ref.UUID == "" {
			t.Errorf("%s: reference %q, uuid %q", c.u.Name, ref.Reference, ref.UUID)
		}
	}
	// The same person four times: each later one is flagged as a possible duplicate.
	l := decodeList[api.ReferralView](rf.as(rf.worker).do("GET", "/api/v1/referrals?sent=mine", nil).want(http.StatusOK))
	if len(l.Items) != 1 || len(l.Items[0].PossibleDuplicates) == 0 {
		t.Errorf("the link worker's own referral of a person already referred: %+v", l.Items)
	}

	before := rf.count()
	for _, u := range []*linkwork.User{rf.admin, rf.commissioner} {
		rf.as(u).do("POST", "/api/v1/referrals", rf.body(rf.healthScheme.ID)).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	}
	rf.anon().do("POST", "/api/v1/referrals", rf.body(rf.healthScheme.ID)).wantError(http.StatusUnauthorized, linkwork.EUNAUTHORIZED, "-")
	if after := rf.count(); after != before {
		t.Errorf("refused requests saved referrals: %d before, %d after", before, after)
	}
}

// testReferralBadInput sends every kind of bad referral: each is 400 naming the field, and
// nothing is saved.
func testReferralBadInput(t *testing.T, rf *refFixture) {
	before := rf.count()
	valid := rf.body(rf.healthScheme.ID)
	edit := func(fn func(b *api.ReferralBody)) api.ReferralBody {
		b := rf.body(rf.healthScheme.ID)
		fn(&b)
		return b
	}
	raw := func(fn func(m map[string]any)) map[string]any {
		m := without(t, valid)
		fn(m)
		return m
	}
	other := &linkwork.Organisation{PlaceID: rf.placeB.ID, Name: "Wakefield Housing", Sector: linkwork.SectorHousing}
	must(t, rf.svc.Organisations.CreateOrganisation(t.Context(), other))
	for _, c := range []struct {
		name, field string
		body        any
	}{
		{"invalid NHS number", "person.nhs_number", edit(func(b *api.ReferralBody) { b.Person.NHSNumber = "943 476 5918" })},
		{"short NHS number", "person.nhs_number", edit(func(b *api.ReferralBody) { b.Person.NHSNumber = "943476591" })},
		{"not a postcode", "person.postcode", edit(func(b *api.ReferralBody) { b.Person.Postcode = "NOT A POSTCODE" })},
		{"ended postcode", "person.postcode", edit(func(b *api.ReferralBody) { b.Person.Postcode = "HX1 1AB" })},
		{"future date of birth", "person.date_of_birth", edit(func(b *api.ReferralBody) {
			b.Person.DateOfBirth = time.Now().AddDate(0, 0, 2).Format(time.DateOnly)
		})},
		{"not a date", "person.date_of_birth", edit(func(b *api.ReferralBody) { b.Person.DateOfBirth = "27/03/1958" })},
		{"no consent", "consent.to_referral", edit(func(b *api.ReferralBody) { b.Consent.ToReferral = false })},
		{"consent without how", "consent.method", edit(func(b *api.ReferralBody) { b.Consent.Method = "" })},
		{"unknown scheme", "scheme_id", edit(func(b *api.ReferralBody) { b.SchemeID = 999999 })},
		{"a community offer, not a scheme", "scheme_id", edit(func(b *api.ReferralBody) { b.SchemeID = rf.activity.ID })},
		{"negative scheme", "scheme_id", edit(func(b *api.ReferralBody) { b.SchemeID = -1 })},
		{"unknown need", "need_ids", edit(func(b *api.ReferralBody) { b.NeedIDs = []int64{999999} })},
		{"no need", "need_ids", edit(func(b *api.ReferralBody) { b.NeedIDs = nil })},
		{"oversized reason", "reason", edit(func(b *api.ReferralBody) { b.Reason = strings.Repeat("a", linkwork.MaxReasonLength+1) })},
		{"oversized risk", "risk", edit(func(b *api.ReferralBody) { b.Risk = strings.Repeat("é", linkwork.MaxRiskLength+1) })},
		{"no reason", "reason", edit(func(b *api.ReferralBody) { b.Reason = "  " })},
		{"unknown urgency", "urgency", edit(func(b *api.ReferralBody) { b.Urgency = "yesterday" })},
		{"unknown referrer type", "referrer.type", edit(func(b *api.ReferralBody) { b.Referrer.Type = "gp" })},
		{"bad referrer email", "referrer.email", edit(func(b *api.ReferralBody) { b.Referrer.Email = "not an email" })},
		{"no way to reach the person", "person.phone", edit(func(b *api.ReferralBody) {
			b.Person.Phone, b.Person.Address1, b.Person.ContactPreferences = "", "", nil
		})},
		{"sharing with another place's organisation", "consent.share_with", edit(func(b *api.ReferralBody) { b.Consent.ShareWith = []int64{other.ID} })},
		{"an organisation the referrer is not in", "organisation_id", edit(func(b *api.ReferralBody) { b.OrganisationID = rf.council.ID })},
		{"date of birth as a number", "person.date_of_birth", raw(func(m map[string]any) {
			m["person"].(map[string]any)["date_of_birth"] = 19500501
		})},
		{"needs as a string", "need_ids", raw(func(m map[string]any) { m["need_ids"] = "loneliness" })},
		{"consent as true", "consent", raw(func(m map[string]any) { m["consent"] = true })},
		{"scheme as a string", "scheme_id", raw(func(m map[string]any) { m["scheme_id"] = "1" })},
		{"unknown field", "colour", raw(func(m map[string]any) { m["colour"] = "red" })},
	} {
		res := rf.as(rf.referrer).do("POST", "/api/v1/referrals", c.body)
		e := res.wantError(http.StatusBadRequest, linkwork.EINVALID, "")
		if _, fields := problemFields(res); e.Field != c.field && !slices.Contains(fields, c.field) {
			t.Errorf("%s: error on %q (problems %v), want %q: %s", c.name, e.Field, fields, c.field, res.body)
		}
	}
	for _, body := range []string{"", "[]", "null", `{"person": {}} {}`, "{"} {
		rf.as(rf.referrer).do("POST", "/api/v1/referrals", body).wantError(http.StatusBadRequest, linkwork.EINVALID, "-")
	}

	// Every problem is reported at once.
	res := rf.as(rf.referrer).do("POST", "/api/v1/referrals", edit(func(b *api.ReferralBody) {
		b.Person.NHSNumber, b.Person.Postcode, b.Consent.ToReferral, b.Reason = "1234567890", "nowhere", false, ""
	}))
	res.wantError(http.StatusBadRequest, linkwork.EINVALID, "")
	_, fields := problemFields(res)
	for _, f := range []string{"person.nhs_number", "person.postcode", "consent.to_referral", "reason"} {
		if !slices.Contains(fields, f) {
			t.Errorf("problems %v do not include %s", fields, f)
		}
	}
	if after := rf.count(); after != before {
		t.Errorf("bad referrals were saved: %d before, %d after", before, after)
	}

	// Someone who refers for two organisations must say which.
	twoOrgs := rf.user("two@york.example.org", "Tia Two", rf.gp, linkwork.RoleReferrer)
	must(t, rf.svc.Users.AddMembership(t.Context(), twoOrgs.ID, rf.housing.ID, linkwork.RoleReferrer))
	e := rf.as(twoOrgs).do("POST", "/api/v1/referrals", valid).wantError(http.StatusBadRequest, linkwork.EINVALID, "organisation_id")
	if !strings.Contains(e.Message, "York Road Surgery") || !strings.Contains(e.Message, "York Housing") {
		t.Errorf("the choice of organisation does not name them: %q", e.Message)
	}
	b := rf.body(rf.healthScheme.ID)
	b.OrganisationID = rf.housing.ID
	if ref := rf.create(twoOrgs, b); ref.Referrer.OrganisationID != rf.housing.ID || ref.Referrer.OrganisationName != "York Housing" {
		t.Errorf("referral for the chosen organisation: %+v", ref.Referrer)
	}
}

// testReferralRouting checks that routing ranks the schemes with reasons, and that a
// referral without a scheme goes to the best one that can take the person.
func testReferralRouting(t *testing.T, rf *refFixture) {
	var routes api.Routes
	rf.as(rf.referrer).do("POST", "/api/v1/referrals/routes", api.RouteBody{Postcode: "hx11aa", DateOfBirth: "1950-05-01",
		NeedIDs: []int64{rf.loneliness}, ClientGroupIDs: []int64{rf.olderPeople}, ReferrerType: linkwork.ReferrerGP}).
		want(http.StatusOK).decode(&routes)
	if !routes.PostcodeKnown || len(routes.Options) != 2 {
		t.Fatalf("routes: %+v", routes)
	}
	best, ruledOut := routes.Options[0], routes.Options[1]
	if best.SchemeID != rf.healthScheme.ID || !best.Eligible || best.NeedsMatched != 1 || len(best.Reasons) == 0 {
		t.Errorf("best option: %+v", best)
	}
	if ruledOut.SchemeID != rf.councilScheme.ID || ruledOut.Eligible || !strings.Contains(strings.Join(ruledOut.Excluded, " "), "only from") {
		t.Errorf("ruled-out option: %+v", ruledOut)
	}
	if best.Capacity == nil || best.Capacity.SchemeID != rf.healthScheme.ID {
		t.Errorf("best option without its capacity: %+v", best.Capacity)
	}
	for _, o := range routes.Options {
		if o.Capacity == nil {
			continue
		}
		for _, w := range o.Capacity.Workers {
			if w.Name != "" {
				t.Errorf("a referrer sees the link worker %q in routing", w.Name)
			}
		}
	}
	// An unknown postcode is not an error: the areas cannot be checked.
	rf.as(rf.referrer).do("POST", "/api/v1/referrals/routes", api.RouteBody{Postcode: "YO1 7HH", NeedIDs: []int64{rf.money},
		ClientGroupIDs: []int64{rf.olderPeople}, ReferrerType: linkwork.ReferrerHousing}).want(http.StatusOK).decode(&routes)
	if routes.PostcodeKnown {
		t.Error("YO1 7HH is known")
	}
	for _, o := range routes.Options {
		if o.SchemeID == rf.councilScheme.ID && (o.AreaChecked || !o.Eligible) {
			t.Errorf("a scheme for HX1 with an unknown postcode: %+v", o)
		}
	}
	for _, c := range []struct {
		field string
		body  any
	}{
		{"postcode", api.RouteBody{Postcode: "nowhere", ReferrerType: linkwork.ReferrerGP}},
		{"postcode", api.RouteBody{Postcode: "HX1 1AB", ReferrerType: linkwork.ReferrerGP}},
		{"referrer_type", api.RouteBody{Postcode: "HX1 1AA"}},
		{"date_of_birth", api.RouteBody{Postcode: "HX1 1AA", ReferrerType: linkwork.ReferrerGP, DateOfBirth: "3000-01-01"}},
		{"need_ids", api.RouteBody{Postcode: "HX1 1AA", ReferrerType: linkwork.ReferrerGP, NeedIDs: make([]int64, 21)}},
		{"given_name", `{"postcode": "HX1 1AA", "referrer_type": "gp_practice", "given_name": "Ann"}`},
	} {
		rf.as(rf.referrer).do("POST", "/api/v1/referrals/routes", c.body).wantError(http.StatusBadRequest, linkwork.EINVALID, c.field)
	}
	rf.as(rf.commissioner).do("POST", "/api/v1/referrals/routes", api.RouteBody{Postcode: "HX1 1AA", ReferrerType: linkwork.ReferrerGP}).
		wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")

	// Left to routing, a GP's referral goes to health's scheme.
	ref := rf.create(rf.referrer, rf.body(0))
	if ref.SchemeID != rf.healthScheme.ID || ref.RoutedBy != "linkwork" || ref.Routing == nil ||
		ref.Routing.SchemeID != rf.healthScheme.ID || len(ref.Routing.Reasons) == 0 {
		t.Errorf("routed referral: scheme %d, routed by %q, routing %+v", ref.SchemeID, ref.RoutedBy, ref.Routing)
	}
	// Housing's, about money, goes to the council's, which covers HX1 and helps with money.
	b := rf.body(0)
	b.Referrer.Type, b.NeedIDs = linkwork.ReferrerHousing, []int64{rf.money}
	ref = rf.create(rf.housingReferrer, b)
	if ref.SchemeID != rf.councilScheme.ID || ref.RoutedBy != "linkwork" ||
		!strings.Contains(strings.Join(ref.Routing.Reasons, " "), "money") {
		t.Errorf("housing's referral: scheme %d, routing %+v", ref.SchemeID, ref.Routing)
	}
	// Nothing fits a child referred by a GP: 400 on scheme_id, saying why, nothing saved.
	before := rf.count()
	b = rf.body(0)
	b.Person.DateOfBirth = time.Now().AddDate(-10, 0, 0).Format(time.DateOnly)
	e := rf.as(rf.referrer).do("POST", "/api/v1/referrals", b).wantError(http.StatusBadRequest, linkwork.EINVALID, "scheme_id")
	for _, want := range []string{"York Health Social Prescribing", "18", "York Council Connectors"} {
		if !strings.Contains(e.Message, want) {
			t.Errorf("no scheme: message %q does not say %q", e.Message, want)
		}
	}
	if after := rf.count(); after != before {
		t.Errorf("a referral nothing could take was saved")
	}
}

// testReferralPrivacy checks that a referral is seen only through the organisations it
// belongs to, and that every look is audited.
func testReferralPrivacy(t *testing.T, rf *refFixture) {
	b := rf.body(rf.healthScheme.ID)
	b.Consent.ShareWith = []int64{rf.housing.ID}
	ref := rf.create(rf.referrer, b)
	target := path("/api/v1/referrals/%d", ref.ID)

	// The sender, the scheme's organisation and the organisation shared with see it.
	for _, u := range []*linkwork.User{rf.referrer, rf.worker, rf.manager, rf.housingReferrer} {
		got := rf.get(u, ref.ID)
		if got.ID != ref.ID || len(got.History) != 1 || got.History[0].Action != linkwork.ActionReceive || got.Notifications == nil {
			t.Errorf("%s: %+v, history %+v", u.Name, got.Referral, got.History)
		}
		if !rf.audited(u, linkwork.AuditReferralView, ref.ID) {
			t.Errorf("%s's view of the referral was not audited", u.Name)
		}
		l := decodeList[api.ReferralView](rf.as(u).do("GET", "/api/v1/referrals?per_page=200", nil).want(http.StatusOK))
		if !slices.Contains(referralIDs(l), ref.ID) {
			t.Errorf("%s does not find the referral in their list", u.Name)
		}
		if !rf.audited(u, linkwork.AuditReferralList, 0) {
			t.Errorf("%s's list was not audited", u.Name)
		}
	}
	// Anyone else is told it does not exist: an unrelated organisation, the council (even its
	// administrator: referrals are never place-wide), and another place.
	for _, u := range []*linkwork.User{rf.community, rf.councilWorker, rf.admin, rf.adminB} {
		rf.as(u).do("GET", target, nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
		rf.as(u).do("GET", target+"/letter", nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
		l := decodeList[api.ReferralView](rf.as(u).do("GET", "/api/v1/referrals?per_page=200", nil).want(http.StatusOK))
		if slices.Contains(referralIDs(l), ref.ID) {
			t.Errorf("%s finds a referral they may not see in their list", u.Name)
		}
		if rf.audited(u, linkwork.AuditReferralView, ref.ID) {
			t.Errorf("%s was recorded as seeing a referral they were not shown", u.Name)
		}
	}
	rf.as(rf.commissioner).do("GET", target, nil).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	rf.as(rf.commissioner).do("GET", target+"/letter", nil).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	rf.as(rf.commissioner).do("GET", "/api/v1/referrals", nil).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	for _, p := range []string{"/api/v1/referrals/0", "/api/v1/referrals/x", "/api/v1/referrals/999999"} {
		rf.as(rf.referrer).do("GET", p, nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	}

	// The letter: coded as a referral to social prescribing, and audited as a view.
	l := rf.letter(rf.referrer, ref.ID)
	if !slices.Equal(codes(l), []string{linkwork.SNOMEDReferralToSocialPrescribing}) || l.ServiceProvider != rf.health.Name ||
		l.ReferrerOrganisation != rf.gp.Name || l.NHSNumber != "9434765919" || l.Reference != ref.Reference ||
		!slices.Equal(l.ReasonsForReferral, []string{"Loneliness and isolation"}) {
		t.Errorf("letter: %+v", l)
	}
	events, _, err := rf.svc.Audit.ListAudit(t.Context(), linkwork.AuditFilter{PlaceID: rf.placeA.ID, ActorUserID: rf.referrer.ID,
		Action: linkwork.AuditReferralView, RecordID: idString(ref.ID), Page: linkwork.Page{Number: 1, Size: 50}})
	must(t, err)
	if !slices.ContainsFunc(events, func(e *linkwork.AuditEvent) bool { return e.Detail == "letter" }) {
		t.Errorf("the letter was not audited: %+v", events)
	}
}

// testReferralLifecycle takes a referral through its whole lifecycle, and checks the
// refusals on the way: a stale version, a step out of order, allocating to a colleague.
func testReferralLifecycle(t *testing.T, rf *refFixture) {
	ref := rf.create(rf.referrer, rf.body(rf.healthScheme.ID))
	target := path("/api/v1/referrals/%d/transitions", ref.ID)
	worker := rf.as(rf.worker)

	// Only those who triage for the scheme's organisation decide.
	rf.as(rf.referrer).do("POST", target, linkwork.Transition{Action: linkwork.ActionAccept, Version: ref.Version}).
		wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	rf.as(rf.councilWorker).do("POST", target, linkwork.Transition{Action: linkwork.ActionAccept, Version: ref.Version}).
		wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	// A step the status does not allow, and a bad decision, change nothing.
	e := worker.do("POST", target, linkwork.Transition{Action: linkwork.ActionStart, Version: ref.Version}).
		wantError(http.StatusConflict, linkwork.ECONFLICT, "-")
	if !strings.Contains(e.Message, "accept") {
		t.Errorf("a step out of order does not say what is allowed: %q", e.Message)
	}
	worker.do("POST", target, linkwork.Transition{Action: linkwork.ActionDecline, Version: ref.Version}).
		wantError(http.StatusBadRequest, linkwork.EINVALID, "decline_reason")
	worker.do("POST", target, linkwork.Transition{Action: "approve", Version: ref.Version}).
		wantError(http.StatusBadRequest, linkwork.EINVALID, "action")
	worker.do("POST", target, `{"action": "accept", "version": "1"}`).wantError(http.StatusBadRequest, linkwork.EINVALID, "version")
	worker.do("POST", target, `{"action": "accept", "version": 1, "referral_id": 2}`).wantError(http.StatusBadRequest, linkwork.EINVALID, "referral_id")

	v := ref.Version
	got := rf.decide(rf.worker, ref.ID, linkwork.Transition{Action: linkwork.ActionAccept, Version: v, Note: "Sounds right for us."})
	if got.Status != linkwork.ReferralAccepted || got.Version <= v {
		t.Fatalf("accepted: status %s, version %d (was %d)", got.Status, got.Version, v)
	}
	// Someone deciding on what they read before is told it changed.
	e = rf.as(rf.manager).do("POST", target, linkwork.Transition{Action: linkwork.ActionDecline, Version: v,
		DeclineReason: linkwork.DeclineNotEligible}).wantError(http.StatusConflict, linkwork.ECONFLICT, "-")
	if !strings.Contains(e.Message, "changed") {
		t.Errorf("stale version: %q", e.Message)
	}
	got = rf.decide(rf.manager, ref.ID, linkwork.Transition{Action: linkwork.ActionWait, Version: got.Version})
	if got.Status != linkwork.ReferralWaiting || got.WaitingSince == nil {
		t.Errorf("waiting: %+v", got.Referral)
	}
	// A link worker may take a referral themselves, but not give it to a colleague.
	worker.do("POST", target, linkwork.Transition{Action: linkwork.ActionAllocate, Version: got.Version, WorkerUserID: rf.manager.ID}).
		wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	got = rf.decide(rf.worker, ref.ID, linkwork.Transition{Action: linkwork.ActionAllocate, Version: got.Version, WorkerUserID: rf.worker.ID})
	if got.Status != linkwork.ReferralAllocated || got.WorkerUserID != rf.worker.ID || got.WorkerName != rf.worker.Name {
		t.Errorf("allocated: %+v", got.Referral)
	}
	got = rf.decide(rf.worker, ref.ID, linkwork.Transition{Action: linkwork.ActionStart, Version: got.Version})
	if got.Status != linkwork.ReferralInProgress {
		t.Errorf("started: %s", got.Status)
	}
	worker.do("POST", target, linkwork.Transition{Action: linkwork.ActionClose, Version: got.Version}).
		wantError(http.StatusBadRequest, linkwork.EINVALID, "outcome")
	got = rf.decide(rf.worker, ref.ID, linkwork.Transition{Action: linkwork.ActionClose, Version: got.Version, Outcome: linkwork.OutcomeConnected})
	if got.Status != linkwork.ReferralClosed || got.Outcome != linkwork.OutcomeConnected {
		t.Errorf("closed: %+v", got.Referral)
	}
	e = worker.do("POST", target, linkwork.Transition{Action: linkwork.ActionAccept, Version: got.Version}).
		wantError(http.StatusConflict, linkwork.ECONFLICT, "-")
	if !strings.Contains(e.Message, "nothing more") {
		t.Errorf("a closed referral: %q", e.Message)
	}

	// The referrer sees the whole history, attributed.
	full := rf.get(rf.referrer, ref.ID)
	var actions []linkwork.ReferralAction
	for _, ev := range full.History {
		actions = append(actions, ev.Action)
	}
	want := []linkwork.ReferralAction{linkwork.ActionReceive, linkwork.ActionAccept, linkwork.ActionWait, linkwork.ActionAllocate,
		linkwork.ActionStart, linkwork.ActionClose}
	if !slices.Equal(actions, want) {
		t.Errorf("history %v, want %v", actions, want)
	}
	if len(full.History) == len(want) && (full.History[1].ActorUserID != rf.worker.ID || full.History[1].Note != "Sounds right for us." ||
		full.History[2].ActorName != rf.manager.Name) {
		t.Errorf("history is not attributed: %+v, %+v", full.History[1], full.History[2])
	}
	l := rf.letter(rf.referrer, ref.ID)
	if l.Outcome == "" || l.LinkWorker != rf.worker.Name || l.FirstContactDate == nil || l.StatusCode != string(linkwork.ReferralClosed) {
		t.Errorf("letter of a closed referral: %+v", l)
	}

	// A decline is coded in the letter.
	ref = rf.create(rf.referrer, rf.body(rf.healthScheme.ID))
	got = rf.decide(rf.manager, ref.ID, linkwork.Transition{Action: linkwork.ActionDecline, Version: ref.Version,
		DeclineReason: linkwork.DeclineNeedsElsewhere})
	if got.Status != linkwork.ReferralDeclined || got.DeclineReason != linkwork.DeclineNeedsElsewhere {
		t.Errorf("declined: %+v", got.Referral)
	}
	l = rf.letter(rf.referrer, ref.ID)
	if !slices.Equal(codes(l), []string{linkwork.SNOMEDReferralToSocialPrescribing, linkwork.SNOMEDSocialPrescribingDeclined}) ||
		l.DeclineReason != linkwork.DeclineNeedsElsewhere.Label() {
		t.Errorf("letter of a declined referral: codes %v, %+v", codes(l), l)
	}
	if !rf.audited(rf.manager, linkwork.AuditReferralTransition, ref.ID) {
		t.Error("the decline was not audited")
	}
	// Two people accepting the same referral at once: one wins, the other is told it changed,
	// whichever reaches the store's check first.
	ref = rf.create(rf.referrer, rf.body(rf.healthScheme.ID))
	statuses := make(chan int, 2)
	var wg sync.WaitGroup
	for _, u := range []*linkwork.User{rf.worker, rf.manager} {
		wg.Go(func() {
			statuses <- rf.as(u).do("POST", path("/api/v1/referrals/%d/transitions", ref.ID),
				linkwork.Transition{Action: linkwork.ActionAccept, Version: ref.Version}).status
		})
	}
	wg.Wait()
	close(statuses)
	var got2 []int
	for st := range statuses {
		got2 = append(got2, st)
	}
	sort.Ints(got2)
	if !slices.Equal(got2, []int{http.StatusOK, http.StatusConflict}) {
		t.Errorf("two accepting at once: statuses %v, want one 200 and one 409", got2)
	}
	if full := rf.get(rf.referrer, ref.ID); len(full.History) != 2 {
		t.Errorf("two accepting at once: history %+v, want the arrival and one acceptance", full.History)
	}

	// A manager allocates to any of their link workers.
	ref = rf.create(rf.referrer, rf.body(rf.healthScheme.ID))
	got = rf.decide(rf.manager, ref.ID, linkwork.Transition{Action: linkwork.ActionAccept, Version: ref.Version})
	got = rf.decide(rf.manager, ref.ID, linkwork.Transition{Action: linkwork.ActionAllocate, Version: got.Version, WorkerUserID: rf.worker.ID})
	if got.WorkerUserID != rf.worker.ID {
		t.Errorf("the manager's allocation: %+v", got.Referral)
	}
}

// testReferralRedirect moves a referral to another scheme: its new scheme's organisation
// sees and decides on it, its history keeps where it was.
func testReferralRedirect(t *testing.T, rf *refFixture) {
	ref := rf.create(rf.referrer, rf.body(rf.healthScheme.ID))
	target := path("/api/v1/referrals/%d/transitions", ref.ID)
	rf.as(rf.worker).do("POST", target, linkwork.Transition{Action: linkwork.ActionRedirect, Version: ref.Version}).
		wantError(http.StatusBadRequest, linkwork.EINVALID, "scheme_id")
	rf.as(rf.worker).do("POST", target, linkwork.Transition{Action: linkwork.ActionRedirect, Version: ref.Version, SchemeID: rf.activity.ID}).
		wantError(http.StatusBadRequest, linkwork.EINVALID, "scheme_id")
	got := rf.decide(rf.worker, ref.ID, linkwork.Transition{Action: linkwork.ActionRedirect, Version: ref.Version,
		SchemeID: rf.councilScheme.ID, Note: "They cover money advice."})
	if got.Status != linkwork.ReferralReceived || got.SchemeID != rf.councilScheme.ID || got.SchemeOrganisationID != rf.council.ID {
		t.Errorf("redirected: %+v", got.Referral)
	}
	full := rf.get(rf.councilWorker, ref.ID)
	if n := len(full.History); n != 2 || full.History[1].FromSchemeID != rf.healthScheme.ID || full.History[1].ToSchemeID != rf.councilScheme.ID {
		t.Errorf("history after a redirect: %+v", full.History)
	}
	// Health no longer holds it, so no longer sees it.
	rf.as(rf.worker).do("GET", path("/api/v1/referrals/%d", ref.ID), nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	rf.decide(rf.councilWorker, ref.ID, linkwork.Transition{Action: linkwork.ActionAccept, Version: got.Version})
}

// testReferralQueues checks a scheme's triage queue and waiting list.
func testReferralQueues(t *testing.T, rf *refFixture) {
	urgent := rf.body(rf.healthScheme.ID)
	urgent.Urgency = linkwork.UrgencyUrgent
	a := rf.create(rf.referrer, rf.body(rf.healthScheme.ID))
	b := rf.create(rf.referrer, urgent)
	queue := path("/api/v1/schemes/%d/queue", rf.healthScheme.ID)
	waiting := path("/api/v1/schemes/%d/waiting", rf.healthScheme.ID)

	l := decodeList[linkwork.QueueEntry](rf.as(rf.worker).do("GET", queue+"?per_page=200", nil).want(http.StatusOK))
	var ids []int64
	for _, e := range l.Items {
		ids = append(ids, e.Referral.ID)
		if e.Referral.Status != linkwork.ReferralReceived || e.Position != 0 {
			t.Errorf("in the triage queue: %+v at %d", e.Referral.Status, e.Position)
		}
	}
	if !slices.Contains(ids, a.ID) || len(ids) == 0 || ids[0] != b.ID || l.Total != len(ids) {
		t.Errorf("triage queue %v (total %d): want the urgent %d first and %d in it", ids, l.Total, b.ID, a.ID)
	}
	if !rf.audited(rf.worker, linkwork.AuditReferralList, 0) {
		t.Error("the queue was not audited")
	}
	for _, r := range []api.ReferralView{a, b} {
		got := rf.decide(rf.worker, r.ID, linkwork.Transition{Action: linkwork.ActionAccept, Version: r.Version})
		rf.decide(rf.worker, r.ID, linkwork.Transition{Action: linkwork.ActionWait, Version: got.Version})
	}
	l = decodeList[linkwork.QueueEntry](rf.as(rf.manager).do("GET", waiting, nil).want(http.StatusOK))
	// Health's link worker has room, so nobody is expected to wait: expected_wait_days is
	// left out.
	if len(l.Items) < 2 || l.Items[0].Referral.ID != b.ID || l.Items[0].Position != 1 || l.Items[1].Position != 2 ||
		l.Items[0].ExpectedWaitDays != 0 {
		t.Errorf("waiting list: %+v", l.Items)
	}

	// Only the scheme's own organisation sees its lists; anything but a scheme of the place
	// is not found.
	rf.as(rf.councilWorker).do("GET", queue, nil).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	rf.as(rf.councilWorker).do("GET", waiting, nil).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	rf.as(rf.referrer).do("GET", queue, nil).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	rf.as(rf.referrer).do("GET", waiting, nil).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	for _, id := range []int64{rf.activity.ID, 999999} {
		rf.as(rf.councilWorker).do("GET", path("/api/v1/schemes/%d/queue", id), nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
		rf.as(rf.councilWorker).do("GET", path("/api/v1/schemes/%d/waiting", id), nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	}
	rf.as(rf.worker).do("GET", queue+"?per_page=0", nil).wantError(http.StatusBadRequest, linkwork.EINVALID, "per_page")
	rf.as(rf.worker).do("GET", waiting+"?page=x", nil).wantError(http.StatusBadRequest, linkwork.EINVALID, "page")
}

// testReferralCapacity checks who sees which schemes' capacity, and whose names.
func testReferralCapacity(t *testing.T, rf *refFixture) {
	capacity := func(u *linkwork.User) map[int64]*linkwork.SchemeCapacity {
		t.Helper()
		l := decodeList[*linkwork.SchemeCapacity](rf.as(u).do("GET", "/api/v1/capacity", nil).want(http.StatusOK))
		out := map[int64]*linkwork.SchemeCapacity{}
		for _, c := range l.Items {
			out[c.SchemeID] = c
		}
		return out
	}
	for _, u := range []*linkwork.User{rf.commissioner, rf.admin} {
		caps := capacity(u)
		if len(caps) != 2 || caps[rf.healthScheme.ID] == nil || caps[rf.councilScheme.ID] == nil {
			t.Errorf("%s sees capacity of %v, want both schemes", u.Name, caps)
			continue
		}
		h := caps[rf.healthScheme.ID]
		if len(h.Workers) != 1 || h.Workers[0].UserID != rf.worker.ID || h.Workers[0].Name != "" {
			t.Errorf("%s sees health's workers %+v: want one, without a name", u.Name, h.Workers)
		}
		if h.Active == 0 || h.Limit == 0 {
			t.Errorf("%s: health's capacity %+v", u.Name, h)
		}
	}
	caps := capacity(rf.manager)
	if len(caps) != 1 || caps[rf.healthScheme.ID] == nil {
		t.Fatalf("the manager sees capacity of %v, want health's scheme only", caps)
	}
	if w := caps[rf.healthScheme.ID].Workers; len(w) != 1 || w[0].Name != rf.worker.Name {
		t.Errorf("the manager sees their workers as %+v", w)
	}
	rf.as(rf.worker).do("GET", "/api/v1/capacity", nil).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	rf.as(rf.commissioner).do("GET", "/api/v1/capacity?per_page=201", nil).wantError(http.StatusBadRequest, linkwork.EINVALID, "per_page")
	l := decodeList[*linkwork.SchemeCapacity](rf.as(rf.commissioner).do("GET", "/api/v1/capacity?per_page=1&page=2", nil).want(http.StatusOK))
	if len(l.Items) != 1 || l.Total != 2 || l.Page != 2 {
		t.Errorf("second page of one: %+v", l)
	}
}

// testCaseloadLimit checks that a manager sets their link workers' limits, and only theirs.
func testCaseloadLimit(t *testing.T, rf *refFixture) {
	target := path("/api/v1/users/%d/caseload-limit", rf.worker.ID)
	rf.as(rf.manager).do("PUT", target, map[string]int{"limit": 30}).want(http.StatusNoContent)
	l := decodeList[*linkwork.SchemeCapacity](rf.as(rf.manager).do("GET", "/api/v1/capacity", nil).want(http.StatusOK))
	if len(l.Items) != 1 || len(l.Items[0].Workers) != 1 || l.Items[0].Workers[0].Limit != 30 {
		t.Errorf("after setting the limit to 30: %+v", l.Items)
	}
	rf.as(rf.manager).do("PUT", target, map[string]int{"limit": 0}).want(http.StatusNoContent)
	for _, body := range []any{map[string]int{"limit": -1}, map[string]int{"limit": api.MaxCaseloadLimit + 1}, `{}`, `{"limit": "30"}`, `{"limit": 2.5}`} {
		rf.as(rf.manager).do("PUT", target, body).wantError(http.StatusBadRequest, linkwork.EINVALID, "limit")
	}
	// Another organisation's link worker is not the manager's to see.
	rf.as(rf.manager).do("PUT", path("/api/v1/users/%d/caseload-limit", rf.councilWorker.ID), map[string]int{"limit": 30}).
		wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	rf.as(rf.manager).do("PUT", "/api/v1/users/999999/caseload-limit", map[string]int{"limit": 30}).
		wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	for _, u := range []*linkwork.User{rf.worker, rf.admin, rf.commissioner} {
		rf.as(u).do("PUT", target, map[string]int{"limit": 30}).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	}
}

// testReferralListFilters checks the list's filters and their refusals.
func testReferralListFilters(t *testing.T, rf *refFixture) {
	mine := rf.create(rf.housingReferrer, rf.body(rf.healthScheme.ID))
	l := decodeList[api.ReferralView](rf.as(rf.housingReferrer).do("GET", "/api/v1/referrals?sent=mine&per_page=200", nil).want(http.StatusOK))
	for _, r := range l.Items {
		if r.Referrer.UserID != rf.housingReferrer.ID {
			t.Errorf("sent=mine lists %d, sent by %d", r.ID, r.Referrer.UserID)
		}
	}
	if !slices.Contains(referralIDs(l), mine.ID) {
		t.Errorf("sent=mine does not list %d", mine.ID)
	}
	l = decodeList[api.ReferralView](rf.as(rf.worker).do("GET", "/api/v1/referrals?worker=me&per_page=200", nil).want(http.StatusOK))
	if len(l.Items) == 0 {
		t.Error("worker=me lists nothing, though referrals were allocated to the link worker")
	}
	for _, r := range l.Items {
		if r.WorkerUserID != rf.worker.ID {
			t.Errorf("worker=me lists %d, allocated to %d", r.ID, r.WorkerUserID)
		}
	}
	l = decodeList[api.ReferralView](rf.as(rf.worker).do("GET", path("/api/v1/referrals?status=received,declined&scheme_id=%d&per_page=200",
		rf.healthScheme.ID), nil).want(http.StatusOK))
	for _, r := range l.Items {
		if r.Status != linkwork.ReferralReceived && r.Status != linkwork.ReferralDeclined || r.SchemeID != rf.healthScheme.ID {
			t.Errorf("status and scheme filter lists %d: %s at %d", r.ID, r.Status, r.SchemeID)
		}
	}
	if !slices.Contains(referralIDs(l), mine.ID) {
		t.Errorf("status=received does not list %d", mine.ID)
	}
	l = decodeList[api.ReferralView](rf.as(rf.referrer).do("GET", "/api/v1/referrals?sent=organisation&per_page=1", nil).want(http.StatusOK))
	if len(l.Items) != 1 || l.Total < 2 || l.Items[0].Referrer.OrganisationID != rf.gp.ID {
		t.Errorf("sent=organisation, one a page: %d items of %d", len(l.Items), l.Total)
	}
	for _, c := range []struct{ query, field string }{
		{"status=open", "status"}, {"status=received,", "status"}, {"scheme_id=x", "scheme_id"}, {"sent=yours", "sent"},
		{"worker=you", "worker"}, {"per_page=0", "per_page"},
	} {
		rf.as(rf.worker).do("GET", "/api/v1/referrals?"+c.query, nil).wantError(http.StatusBadRequest, linkwork.EINVALID, c.field)
	}
}

// testReferralAnonymous checks that every referral route wants someone signed in.
func testReferralAnonymous(t *testing.T, rf *refFixture) {
	for _, r := range [][2]string{
		{"GET", "/api/v1/referrals"}, {"POST", "/api/v1/referrals"}, {"POST", "/api/v1/referrals/routes"},
		{"GET", "/api/v1/referrals/1"}, {"POST", "/api/v1/referrals/1/transitions"}, {"GET", "/api/v1/referrals/1/letter"},
		{"GET", path("/api/v1/schemes/%d/queue", rf.healthScheme.ID)}, {"GET", path("/api/v1/schemes/%d/waiting", rf.healthScheme.ID)},
		{"GET", "/api/v1/capacity"}, {"PUT", path("/api/v1/users/%d/caseload-limit", rf.worker.ID)},
	} {
		var body any
		if r[0] != "GET" {
			body = `{}`
		}
		rf.anon().do(r[0], r[1], body).wantError(http.StatusUnauthorized, linkwork.EUNAUTHORIZED, "-")
	}
}
