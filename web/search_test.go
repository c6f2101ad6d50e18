package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// searchSite is a site with postcodes and a small directory to search. Every postcode is
// due north of HX1 1AB on one meridian, so the distances are easy to reason about.
type searchSite struct {
	*site
	walk, garden, closed, paused, scheme, youth *linkwork.Service
}

var searchPostcodes = []*linkwork.PostcodeInfo{
	{Postcode: "HX1 1AB", Lat: 53.7210, Lng: -1.86}, // where the person lives
	{Postcode: "HX1 1AA", Lat: 53.7200, Lng: -1.86}, // 0.1 km
	{Postcode: "HX1 2AA", Lat: 53.7295, Lng: -1.86}, // 0.9 km
	{Postcode: "HX7 5AA", Lat: 53.8100, Lng: -1.86}, // 9.9 km
	{Postcode: "HX9 1ZZ", Lat: 53.7200, Lng: -1.86, Terminated: ptr(time.Date(2019, time.June, 1, 0, 0, 0, 0, time.UTC))},
}

func ptr[T any](v T) *T { return &v }

// rows yields the rows, as an import does.
func rows[T any](items ...T) func(yield func(T, error) bool) {
	return func(yield func(T, error) bool) {
		for _, r := range items {
			if !yield(r, nil) {
				return
			}
		}
	}
}

func newSearchSite(t *testing.T, db *sqldb.DB, postcodes bool) *searchSite {
	t.Helper()
	s := &searchSite{site: newSite(t, db)}
	ctx := context.Background()
	if postcodes {
		_, err := s.svc.Geography.ImportPostcodes(ctx, rows(searchPostcodes...), linkwork.ImportOptions{})
		must(t, err)
	}
	loc := func(postcode string) []linkwork.Location {
		if !postcodes {
			return []linkwork.Location{{Name: "Town Hall", Address1: "Crossley Street", Town: "Halifax", Postcode: postcode}}
		}
		return []linkwork.Location{{Name: "Venue " + postcode, Address1: "1 High Street", Town: "Halifax", Postcode: postcode}}
	}
	weekly := func(day time.Weekday, opens, closes string) []linkwork.Schedule {
		return []linkwork.Schedule{{Freq: linkwork.Weekly, Days: []time.Weekday{day}, Opens: opens, Closes: closes}}
	}
	add := func(svc *linkwork.Service) *linkwork.Service {
		t.Helper()
		svc.PlaceID = s.place.ID
		if svc.OrganisationID == 0 {
			svc.OrganisationID = s.orgB.ID
		}
		if svc.Kind == "" {
			svc.Kind = linkwork.KindActivity
		}
		if svc.Status == "" {
			svc.Status = linkwork.StatusActive
		}
		must(t, s.svc.Directory.CreateService(ctx, svc))
		return svc
	}
	s.walk = add(&linkwork.Service{Name: "Riverside Walking Group", Free: true, MinAge: ptr(18),
		Description: "A gentle walk along the river, with a cup of tea afterwards. Everyone is welcome.",
		TermIDs:     []int64{s.term("need", "loneliness"), s.term("need", "physical_activity"), s.term("building_block", "connect")},
		Schedules:   weekly(time.Tuesday, "10:00", "12:00"), Locations: loc("HX1 1AA"),
		Contacts: []linkwork.Contact{{Name: "Sam Walker", Email: "sam.walker@example.org", Phone: "01422 000111"}}})
	s.garden = add(&linkwork.Service{Name: "Community Gardening Club", Fees: "£2 a session",
		Description: "Grow vegetables and flowers in the community garden.",
		TermIDs:     []int64{s.term("need", "nature_gardening"), s.term("accessibility", "step_free")},
		Schedules:   weekly(time.Saturday, "13:00", "15:00"), Locations: loc("HX7 5AA")})
	s.closed = add(&linkwork.Service{Name: "Winter Warmers Lunch", Free: true, Status: linkwork.StatusTemporarilyClosed,
		Description: "A hot lunch and company.", TermIDs: []int64{s.term("need", "loneliness")},
		Schedules: weekly(time.Wednesday, "12:00", "14:00"), Locations: loc("HX1 2AA")})
	s.paused = add(&linkwork.Service{Name: "Paused Walking Club", Free: true, Status: linkwork.StatusInactive,
		Description: "Walks that have stopped for now.", Locations: loc("HX1 1AA")})
	s.youth = add(&linkwork.Service{Name: "Youth Football", Free: true, MinAge: ptr(11), MaxAge: ptr(16),
		Description: "Football for young people.", TermIDs: []int64{s.term("need", "physical_activity")},
		Schedules: weekly(time.Thursday, "18:00", "20:00"), Locations: loc("HX1 2AA")})
	s.scheme = add(&linkwork.Service{Name: "Calder Social Prescribing", Kind: linkwork.KindScheme, Free: true,
		OrganisationID: s.orgA.ID, Description: "Link workers who help people find what matters to them.",
		Areas: []string{"Park ward"}, TermIDs: []int64{s.term("need", "loneliness")},
		Scheme: &linkwork.ConnectorScheme{Model: linkwork.ModelPCNLinkWorker, WhoCanRefer: []linkwork.ReferrerType{linkwork.ReferrerGP},
			ElectronicSystem: "Elemental"}})
	return s
}

// names lists the names of the results on a search page, in order.
var resultName = regexp.MustCompile(`<h3 class="nhsuk-heading-s lw-result__name"><a href="/directory/services/\d+">([^<]+)</a>`)

func (p page) results() []string {
	var out []string
	for _, m := range resultName.FindAllStringSubmatch(p.body, -1) {
		out = append(out, m[1])
	}
	return out
}

func (p page) lacks(t *testing.T, what ...string) {
	t.Helper()
	for _, w := range what {
		if strings.Contains(p.body, w) {
			t.Errorf("page (status %d) contains %q", p.status, w)
		}
	}
}

// wantResults fails unless the page answered 200 with exactly these results, in order.
func wantResults(t *testing.T, p page, label string, want ...string) {
	t.Helper()
	if p.status != http.StatusOK {
		t.Errorf("%s: status %d, want 200", label, p.status)
	}
	got := p.results()
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("%s: results %q, want %q", label, got, want)
	}
}

func TestPublicSearch(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newSearchSite(t, db, true)
		anon := s.browser()
		q := func(params string) page { return anon.get("/directory?" + params) }

		// Everything the public may see, by name: running and temporarily closed community
		// offers, never a paused one, and no connector schemes.
		all := q("")
		wantResults(t, all, "everything", "Community Gardening Club", "Riverside Walking Group", "Winter Warmers Lunch", "Youth Football")
		all.has(t, "Find support in Calderdale", "4 offers match", "Community offer run by Todmorden Garden",
			"Temporarily closed", "Tuesdays, 10:00 to 12:00", "Venue HX1 1AA, Halifax, HX1 1AA", "£2 a session", "Free",
			"Loneliness and isolation, Physical activity", `href="/directory/services/`+id(s.walk.ID)+`"`, `name="q"`,
			`name="term_id"`, `name="accessibility_id"`, `id="postcode"`, `name="radius_km"`, `name="day"`, `name="time"`, `name="free"`)
		all.lacks(t, "Paused Walking Club", "Calder Social Prescribing", `name="kind"`, "Search the directory of link workers")

		// Text, ranked, stemmed and forgiving of a typo.
		wantResults(t, q("q=walking"), "walking", "Riverside Walking Group")
		wantResults(t, q("q=walks"), "walks", "Riverside Walking Group")
		wantResults(t, q("q=vegetabels"), "vegetabels", "Community Gardening Club")
		if r := q("q=gardning").results(); len(r) == 0 || r[0] != "Community Gardening Club" {
			t.Errorf("gardning: %q, want Community Gardening Club first", r)
		}
		nothing := q("q=zebra+crossing")
		wantResults(t, nothing, "nothing")
		nothing.has(t, "No offers match", "Try fewer words or filters")

		// Filters: need, building block, accessibility, cost, day, time of day and age.
		lonely, connect := id(s.term("need", "loneliness")), id(s.term("building_block", "connect"))
		wantResults(t, q("term_id="+lonely), "loneliness", "Riverside Walking Group", "Winter Warmers Lunch")
		wantResults(t, q("term_id="+lonely+"&term_id="+connect), "loneliness and connect", "Riverside Walking Group")
		wantResults(t, q("term_id="+lonely+"&term_id="+id(s.term("need", "nature_gardening"))), "loneliness or gardening",
			"Community Gardening Club", "Riverside Walking Group", "Winter Warmers Lunch")
		wantResults(t, q("accessibility_id="+id(s.term("accessibility", "step_free"))), "step-free", "Community Gardening Club")
		wantResults(t, q("free=true"), "free", "Riverside Walking Group", "Winter Warmers Lunch", "Youth Football")
		wantResults(t, q("day=6"), "Saturday", "Community Gardening Club")
		wantResults(t, q("time=morning"), "mornings", "Riverside Walking Group")
		wantResults(t, q("day=2&time=evening"), "Tuesday evenings")
		wantResults(t, q("age=14"), "age 14", "Community Gardening Club", "Winter Warmers Lunch", "Youth Football")
		checked := q("term_id=" + lonely + "&free=true&age=70&day=3&time=afternoon")
		wantResults(t, checked, "several filters", "Winter Warmers Lunch")
		checked.has(t, `value="`+lonely+`" checked`, `id="free" name="free" type="checkbox" value="true" checked`, `value="70"`,
			`<option value="3" selected>Wednesday</option>`, `<option value="afternoon" selected>`, "<details class=\"nhsuk-details lw-search-group\" open>",
			"Searched for: Loneliness and isolation; age 70; Wednesday afternoon; free only.")

		// Near a postcode: nearest first, with the distance, within 5 km unless asked.
		near := q("postcode=hx1+1ab")
		wantResults(t, near, "near HX1 1AB", "Riverside Walking Group", "Winter Warmers Lunch", "Youth Football")
		near.has(t, "(0.1 km away)", "(0.9 km away)", `value="hx1 1ab"`, `<option value="distance" selected>Nearest first</option>`,
			`<option value="5" selected>Within 5 km</option>`, "within 5 km of HX1 1AB")
		wantResults(t, q("postcode=HX1+1AB&radius_km=25"), "within 25 km",
			"Riverside Walking Group", "Winter Warmers Lunch", "Youth Football", "Community Gardening Club")
		wantResults(t, q("postcode=HX1+1AB&radius_km=25&sort=relevance&q=garden+vegetables"), "best match near", "Community Gardening Club")
		// Best match with no words to match is nearest first: the form sends the order it
		// showed before the postcode was typed.
		wantResults(t, q("postcode=HX1+1AB&sort=relevance"), "best match without words", "Riverside Walking Group", "Winter Warmers Lunch", "Youth Football")
		wantResults(t, q("postcode=HX1+1AB&radius_km=1&q=lunch"), "within 1 km", "Winter Warmers Lunch")
		wantResults(t, q("postcode=HX1+1AB&radius_km=0.5"), "within 0.5 km", "Riverside Walking Group")

		// Postcodes that will not do, and values out of range: a 422 with every problem in
		// the error summary, each next to its field, in plain English.
		for _, c := range []struct {
			params, field, message string
		}{
			{"postcode=HX9+9ZZ", "postcode", "We do not know the postcode HX9 9ZZ. Check it, or use a nearby one."},
			{"postcode=HX9+1ZZ", "postcode", "The postcode HX9 1ZZ was ended in June 2019; use the current postcode for the address."},
			{"postcode=not+a+postcode", "postcode", "Enter a UK postcode such as HX1 1AA"},
			{"postcode=HX1+1AB&radius_km=500", "radius_km", "Choose a distance from 0.1 to 100 km."},
			{"postcode=HX1+1AB&radius_km=far", "radius_km", "Choose a distance from the list."},
			{"age=200", "age", "Enter an age from 0 to 120."},
			{"age=old", "age", "Enter the age as a whole number, such as 67."},
			{"day=9", "day", "Choose a day from the list."},
			{"time=midnight", "time", "Choose a time of day from the list."},
			{"sort=distance", "sort", "Give a postcode to sort by distance."},
			{"term_id=999999", "term_id", "There is no taxonomy term 999999 in this place."},
			{"term_id=x", "term_id", "Choose needs, building blocks and groups from the lists."},
			{"accessibility_id=" + lonely, "accessibility_id", "There is no accessibility term " + lonely + " in this place."},
			{"q=" + strings.Repeat("a", 201), "q", "Search for at most 200 characters (you entered 201)."},
		} {
			p := q(c.params)
			if p.status != http.StatusUnprocessableEntity {
				t.Errorf("%s: status %d, want 422", c.params, p.status)
			}
			p.has(t, "<title>Error: ", "There is a problem", `href="#`+c.field+`"`, `id="`+c.field+`-error"`, c.message, "Check the search")
			if p.results() != nil {
				t.Errorf("%s: results shown with an error: %q", c.params, p.results())
			}
		}
		// Every problem at once.
		p := q("age=200&postcode=HX1+1AB&radius_km=500&day=x")
		p.has(t, `href="#age"`, `href="#radius_km"`, `href="#day"`)
		q("age=200&postcode=HX9+9ZZ").has(t, `href="#age"`, `href="#postcode"`, "We do not know the postcode HX9 9ZZ.")
		if strings.Index(p.body, `href="#radius_km"`) > strings.Index(p.body, `href="#age"`) {
			t.Error("the error summary is not in the form's order")
		}

		// The public never sees a scheme, even when asking for one.
		wantResults(t, q("kind=connector_scheme&q=prescribing"), "scheme asked for by the public")

		// No personal data anywhere on the public pages: not the contacts of an entry, nor
		// the people who keep it, nor the directory of link workers.
		must(t, s.svc.Practitioners.CreatePractitioner(context.Background(), &linkwork.Practitioner{PlaceID: s.place.ID,
			Name: "Gita Gardener", OrganisationID: s.orgA.ID, Email: "gita@example.org"}))
		must(t, s.svc.Directory.VerifyService(linkwork.NewContextWithActor(context.Background(), linkwork.Actor{UserID: s.admin.ID,
			Label: "admin@example.org", PlaceID: s.place.ID}), s.walk.ID))
		for _, params := range []string{"", "q=walking", "q=gita", "q=sam", "postcode=HX1+1AB&radius_km=25", "age=200", "page=2"} {
			p := q(params)
			p.lacks(t, "Sam Walker", "sam.walker@example.org", "01422 000111", "Gita Gardener", "gita@example.org",
				"admin@example.org", "Elemental", "Sign out")
		}
		anon.get("/").lacks(t, "admin@example.org", "Gita Gardener")
	})
}

func TestSearchPagesAndPrint(t *testing.T) {
	s := newSearchSite(t, sqldbtest.Open(t, "sqlite"), true)
	for i := range 21 {
		s.addService(s.orgA, fmt.Sprintf("Book Club %02d", i), linkwork.StatusActive)
	}
	anon := s.browser()
	first := anon.get("/directory?q=something+to+do&free=true")
	if n := len(first.results()); n != 20 {
		t.Fatalf("first page: %d results, want 20", n)
	}
	first.has(t, "21 offers match", "Showing 1 to 20 of 21", `href="/directory?page=2&amp;free=true&amp;q=something&#43;to&#43;do"`)
	second := anon.get("/directory?page=2&free=true&q=something+to+do")
	wantResults(t, second, "second page", "Book Club 20")
	second.has(t, "Showing 21 to 21 of 21", `href="/directory?page=1&amp;free=true&amp;q=something&#43;to&#43;do"`)
	beyond := anon.get("/directory?page=9&free=true&q=something+to+do")
	wantResults(t, beyond, "beyond the last page")
	beyond.has(t, "There are no more results.")
	// A page out of range is the last there can be, never an error.
	if p := anon.get("/directory?page=99999"); p.status != http.StatusOK {
		t.Errorf("page 99999: %d", p.status)
	}
	// The printed page is the results: the filters and pages are marked to be left out.
	first.has(t, `class="nhsuk-grid-column-one-third lw-search-filters"`, "Searched for: “something to do”; free only.")
}

func TestSearchWithoutPostcodes(t *testing.T) {
	s := newSearchSite(t, sqldbtest.Open(t, "sqlite"), false)
	anon := s.browser()
	p := anon.get("/directory")
	wantResults(t, p, "without postcodes", "Community Gardening Club", "Riverside Walking Group", "Winter Warmers Lunch", "Youth Football")
	p.has(t, "Searching by distance from a postcode is not available yet, because no postcodes have been loaded.")
	p.lacks(t, `id="postcode"`, `name="radius_km"`, `name="sort"`, "linkwork import postcodes")
	// A postcode in the address is left out rather than refused: there is nothing to measure with.
	wantResults(t, anon.get("/directory?postcode=HX1+1AB&sort=distance&q=walking"), "postcode ignored", "Riverside Walking Group")
	b := s.browser()
	b.signIn("admin@example.org", password)
	b.get("/directory").has(t, "An administrator can load them with the command <code>linkwork import postcodes</code>.")
}

func TestSearchPlaces(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newSearchSite(t, db, true)
		ctx := context.Background()
		anon := s.browser()
		// With one place, it is the place searched, and the landing page searches it.
		anon.get("/directory").has(t, "Find support in Calderdale")
		anon.get("/").has(t, "Find support in Calderdale", `action="/directory"`, "For professionals", `href="/signin"`)

		other := &linkwork.Place{Name: "Wakefield"}
		must(t, s.svc.Places.CreatePlace(ctx, other))
		wOrg := &linkwork.Organisation{PlaceID: other.ID, Name: "Wakefield Council", Sector: linkwork.SectorCouncil}
		must(t, s.svc.Organisations.CreateOrganisation(ctx, wOrg))
		s.addService(wOrg, "Wakefield Walking Group", linkwork.StatusActive)

		// With two, the visitor chooses; each place's search finds only its own.
		choose := anon.get("/directory?q=walking")
		if choose.status != http.StatusOK {
			t.Fatalf("choose a place: %d", choose.status)
		}
		choose.has(t, "Choose the place to search", `href="/directory?place=`+id(s.place.ID)+`"`, `href="/directory?place=`+id(other.ID)+`"`)
		if choose.results() != nil {
			t.Error("results before a place is chosen")
		}
		anon.get("/").has(t, "Choose your area", "Calderdale", "Wakefield")
		wantResults(t, anon.get("/directory?place="+id(other.ID)+"&q=walking"), "Wakefield", "Wakefield Walking Group")
		cal := anon.get("/directory?place=" + id(s.place.ID) + "&q=walking")
		wantResults(t, cal, "Calderdale", "Riverside Walking Group")
		cal.has(t, `<input type="hidden" name="place" value="`+id(s.place.ID)+`">`, `href="/directory">Search another place</a>`,
			`href="/directory?place=`+id(s.place.ID)+`">Clear the search</a>`)
		for _, bad := range []string{"999999", "abc", "0"} {
			if p := anon.get("/directory?place=" + bad); p.status != http.StatusNotFound {
				t.Errorf("place=%s: %d, want 404", bad, p.status)
			}
		}
		// A term of another place is refused, not ignored.
		wTerms, err := s.svc.Taxonomies.ListTaxonomies(ctx, other.ID)
		must(t, err)
		foreign := id(wTerms[0].Terms[0].ID)
		anon.get("/directory?place="+id(s.place.ID)+"&term_id="+foreign).has(t, "There is no taxonomy term "+foreign+" in this place.")

		// Signed in, people search their own place, connector schemes too, by kind; and
		// practitioners are pointed to the directory of link workers.
		s.addUser("worker@example.org", s.orgA, linkwork.RoleLinkWorker)
		s.addUser("garden@example.org", s.orgB, linkwork.RoleCommunity)
		worker := s.browser()
		worker.signIn("worker@example.org", password)
		mine := worker.get("/directory?q=walking")
		wantResults(t, mine, "signed in", "Riverside Walking Group")
		mine.lacks(t, "Search another place", `name="place"`)
		both := worker.get("/directory?term_id=" + id(s.term("need", "loneliness")))
		wantResults(t, both, "signed in, both kinds", "Calder Social Prescribing", "Riverside Walking Group", "Winter Warmers Lunch")
		both.has(t, "3 results match", "Connector scheme run by Calder PCN", "Covers Park ward", `name="kind"`,
			`<option value="">Community offers and connector schemes</option>`, `href="/practitioners"`)
		wantResults(t, worker.get("/directory?kind=connector_scheme"), "schemes only", "Calder Social Prescribing")
		worker.get("/directory?kind=connector_scheme").has(t, "1 connector scheme matches")
		wantResults(t, worker.get("/directory?kind=activity&q=prescribing"), "offers only")
		bad := worker.get("/directory?kind=groups")
		if bad.status != http.StatusUnprocessableEntity {
			t.Errorf("bad kind: %d", bad.status)
		}
		bad.has(t, `href="#kind"`, "Choose what to search for from the list.")
		// Another place, signed in: as the public sees it.
		theirs := worker.get("/directory?place=" + id(other.ID))
		wantResults(t, theirs, "signed in, another place", "Wakefield Walking Group")
		theirs.lacks(t, `name="kind"`)
		// A community group sees schemes but is not offered the directory of link workers.
		garden := s.browser()
		garden.signIn("garden@example.org", password)
		g := garden.get("/directory?q=prescribing")
		wantResults(t, g, "community group", "Calder Social Prescribing")
		g.lacks(t, `href="/practitioners"`)
		// "Find support" is in everyone's navigation.
		for who, b := range map[string]*browser{"anonymous": anon, "link worker": worker, "community": garden} {
			b.get("/directory").has(t, `<a class="nhsuk-header__navigation-link" href="/directory" aria-current="page"><strong class="nhsuk-header__navigation-item-current-fallback">Find support</strong></a>`)
			if who != "anonymous" {
				b.get("/").has(t, `href="/directory">Find support</a>`)
			}
		}
	})
}

func TestSearchMustChangePassword(t *testing.T) {
	s := newSearchSite(t, sqldbtest.Open(t, "sqlite"), true)
	admin := s.browser()
	admin.signIn("admin@example.org", password)
	if p := admin.post("/users", url.Values{"name": {"Lee"}, "email": {"lee@example.org"}, "organisation_id": {id(s.orgA.ID)},
		"role": {"link_worker"}, "password": {"temporary password 1"}}); p.status != http.StatusSeeOther {
		t.Fatalf("add user: %d", p.status)
	}
	lee := s.browser()
	lee.signIn("lee@example.org", "temporary password 1")
	for _, path := range []string{"/", "/directory"} {
		if p := lee.get(path); p.status != http.StatusSeeOther || p.location != "/account" {
			t.Errorf("GET %s while the password must change: %d %q, want /account", path, p.status, p.location)
		}
	}
}
