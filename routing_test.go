package linkwork_test

import (
	"slices"
	"strings"
	"testing"

	"linkwork"
)

// Terms for the routing tests, as a place's taxonomies hold them.
var (
	needLonely  = linkwork.TaxonomyTerm{ID: 1, TaxonomyCode: linkwork.TaxonomyNeed, Code: "loneliness", Name: "Loneliness and isolation"}
	needMoney   = linkwork.TaxonomyTerm{ID: 2, TaxonomyCode: linkwork.TaxonomyNeed, Code: "money_debt", Name: "Money and debt"}
	needHousing = linkwork.TaxonomyTerm{ID: 3, TaxonomyCode: linkwork.TaxonomyNeed, Code: "housing", Name: "Housing"}
	groupOlder  = linkwork.TaxonomyTerm{ID: 10, TaxonomyCode: linkwork.TaxonomyClientGroup, Code: "older_people", Name: "Older people"}
	groupCarers = linkwork.TaxonomyTerm{ID: 11, TaxonomyCode: linkwork.TaxonomyClientGroup, Code: "carers", Name: "Carers"}
	groupAll    = linkwork.TaxonomyTerm{ID: 12, TaxonomyCode: linkwork.TaxonomyClientGroup, Code: "everyone", Name: "Everyone"}
)

// scheme is a running connector scheme that takes referrals from GPs, for anyone, anywhere.
func scheme(id int64, name string, terms ...linkwork.TaxonomyTerm) *linkwork.Service {
	return &linkwork.Service{ID: id, Name: name, Kind: linkwork.KindScheme, Status: linkwork.StatusActive, Terms: terms,
		Scheme: &linkwork.ConnectorScheme{Model: linkwork.ModelPCNLinkWorker, WhoCanRefer: []linkwork.ReferrerType{linkwork.ReferrerGP}}}
}

// halifax is a postcode in Park ward, Calderdale, as the lookup gives it.
var halifax = &linkwork.PostcodeInfo{Postcode: "HX1 2AB", Ward: "E05001225", LSOA: "E01010994", LocalAuthority: "E08000033"}

func request() linkwork.RouteRequest {
	return linkwork.RouteRequest{PlaceID: 1, Postcode: halifax, Age: 70, NeedIDs: []int64{needLonely.ID, needMoney.ID},
		ClientGroupIDs: []int64{groupOlder.ID}, ReferrerType: linkwork.ReferrerGP}
}

func optionFor(t *testing.T, opts []linkwork.RouteOption, id int64) linkwork.RouteOption {
	t.Helper()
	for _, o := range opts {
		if o.SchemeID == id {
			return o
		}
	}
	t.Fatalf("no option for scheme %d", id)
	return linkwork.RouteOption{}
}

func anyContains(list []string, part string) bool {
	return slices.ContainsFunc(list, func(s string) bool { return strings.Contains(s, part) })
}

// Each rule that rules a scheme out says so, in words; the others give their reasons.
func TestRouteEligibility(t *testing.T) {
	ok := scheme(1, "Anyone Anywhere", needLonely)
	paused := scheme(2, "Paused", needLonely)
	paused.Status = linkwork.StatusTemporarilyClosed
	housingOnly := scheme(3, "Police and Housing Only", needLonely)
	housingOnly.Scheme.WhoCanRefer = []linkwork.ReferrerType{linkwork.ReferrerPolice, linkwork.ReferrerHousing}
	young := scheme(4, "Young People", needLonely)
	young.MaxAge = ptr(25)
	over75 := scheme(5, "Over 75s", needLonely)
	over75.MinAge = ptr(75)
	carers := scheme(6, "Carers Only", needLonely, groupCarers)
	older := scheme(7, "Older People", needLonely, groupOlder, groupCarers)
	forAll := scheme(8, "Everyone Welcome", needLonely, groupCarers, groupAll)
	elsewhere := scheme(9, "Elsewhere", needLonely)
	elsewhere.Areas = []string{"HX7", "E05001230"}
	byName := scheme(10, "By Ward Name", needLonely)
	byName.Areas = []string{"Park Ward"}
	activity := scheme(11, "Not a Scheme", needLonely)
	activity.Kind = linkwork.KindActivity
	noDetails := scheme(12, "No Scheme Details", needLonely)
	noDetails.Scheme = nil

	opts := linkwork.Route(request(), []*linkwork.Service{ok, paused, housingOnly, young, over75, carers, older, forAll, elsewhere,
		byName, activity, noDetails}, nil)
	if len(opts) != 10 {
		t.Fatalf("%d options, want 10 (not the activity, nor a scheme without its details)", len(opts))
	}
	for _, c := range []struct {
		s        *linkwork.Service
		eligible bool
		says     string
	}{
		{ok, true, "It covers the whole place."},
		{paused, false, "It is temporarily closed."},
		{housingOnly, false, "It takes referrals only from: police, housing."},
		{young, false, "It is for people aged up to 25; the person is 70."},
		{over75, false, "It is for people aged 75 and over; the person is 70."},
		{carers, false, "It is only for carers."},
		{older, true, "It is for older people, carers, as the person is."},
		{forAll, true, "It helps with loneliness and isolation."},
		{elsewhere, false, "It covers HX7, E05001230, which does not include HX1 2AB."},
		{byName, true, "It covers Park Ward: check that this includes where the person lives."},
	} {
		o := optionFor(t, opts, c.s.ID)
		if o.Eligible != c.eligible || !anyContains(append(o.Reasons, o.Excluded...), c.says) {
			t.Errorf("%s: eligible %v, reasons %q, excluded %q; want eligible %v and %q", c.s.Name, o.Eligible, o.Reasons,
				o.Excluded, c.eligible, c.says)
		}
		if o.Eligible != (len(o.Excluded) == 0) {
			t.Errorf("%s: eligible %v with exclusions %q", c.s.Name, o.Eligible, o.Excluded)
		}
	}
	if o := optionFor(t, opts, byName.ID); o.AreaChecked {
		t.Error("an area by name was counted as checked")
	}
	// Eligible options come first.
	for i := 1; i < len(opts); i++ {
		if opts[i].Eligible && !opts[i-1].Eligible {
			t.Fatalf("eligible %s after ineligible %s", opts[i].Name, opts[i-1].Name)
		}
	}

	// An unknown age rules out no age band; an unknown postcode no area (but checks none).
	req := request()
	req.Age, req.Postcode = -1, nil
	opts = linkwork.Route(req, []*linkwork.Service{young, elsewhere, ok}, nil)
	if o := optionFor(t, opts, young.ID); !o.Eligible {
		t.Errorf("unknown age: %s excluded: %q", young.Name, o.Excluded)
	}
	if o := optionFor(t, opts, elsewhere.ID); !o.Eligible || o.AreaChecked {
		t.Errorf("unknown postcode: %s eligible %v, area checked %v; want eligible and unchecked", elsewhere.Name, o.Eligible, o.AreaChecked)
	}
	if o := optionFor(t, opts, ok.ID); !o.AreaChecked {
		t.Errorf("unknown postcode: a scheme for the whole place is unchecked")
	}
}

// Schemes are ranked by the needs they meet, then by a confirmed area, then by room now and a
// short wait; ties by name.
func TestRouteRanking(t *testing.T) {
	both := scheme(1, "Both Needs", needLonely, needMoney)
	lonelyFull := scheme(2, "Lonely, Full", needLonely)
	lonelyRoom := scheme(3, "Lonely, Room", needLonely)
	lonelyUnchecked := scheme(4, "Lonely, Unchecked Area", needLonely)
	lonelyUnchecked.Areas = []string{"Somewhere"}
	none := scheme(5, "No Needs Met", needHousing)
	lonelyStated := scheme(6, "Lonely, Stated Wait", needLonely)
	lonelyStated.Scheme.WaitingWeeks = 4
	capacity := map[int64]*linkwork.SchemeCapacity{
		both.ID:            {Free: 0, Waiting: 30, ExpectedWaitDays: 70},
		lonelyFull.ID:      {Free: 0, Waiting: 10, ExpectedWaitDays: 21},
		lonelyRoom.ID:      {Free: 5, Waiting: 0},
		lonelyUnchecked.ID: {Free: 5, Waiting: 0},
		none.ID:            {Free: 50},
	}
	opts := linkwork.Route(request(), []*linkwork.Service{none, lonelyFull, lonelyStated, lonelyUnchecked, both, lonelyRoom}, capacity)
	var names []string
	for _, o := range opts {
		names = append(names, o.Name)
	}
	// A confirmed area outweighs any wait up to 19 weeks; a 3-week wait (Full) beats a stated
	// 4-week one.
	want := []string{"Both Needs", "Lonely, Room", "Lonely, Full", "Lonely, Stated Wait", "Lonely, Unchecked Area", "No Needs Met"}
	if !slices.Equal(names, want) {
		t.Fatalf("ranked %q, want %q", names, want)
	}
	if o := optionFor(t, opts, both.ID); o.NeedsMatched != 2 || !anyContains(o.Reasons, "30 people are waiting; the expected wait is about 10 weeks.") ||
		o.Capacity != capacity[both.ID] {
		t.Errorf("both needs: %+v", o)
	}
	if o := optionFor(t, opts, lonelyRoom.ID); !anyContains(o.Reasons, "It has room for 5 more people now.") {
		t.Errorf("room: %q", o.Reasons)
	}
	if o := optionFor(t, opts, none.ID); o.NeedsMatched != 0 || !anyContains(o.Reasons, "does not list any of the person's needs") {
		t.Errorf("no needs met: %+v", o)
	}
}

func TestAreaCovers(t *testing.T) {
	for _, c := range []struct {
		areas []string
		pc    *linkwork.PostcodeInfo
		want  linkwork.AreaMatch
	}{
		{nil, halifax, linkwork.AreaYes},
		{nil, nil, linkwork.AreaYes},
		{[]string{"HX1"}, halifax, linkwork.AreaYes},           // district
		{[]string{"hx1"}, halifax, linkwork.AreaYes},           // in any case
		{[]string{"HX1 2"}, halifax, linkwork.AreaYes},         // sector
		{[]string{" HX1   2 "}, halifax, linkwork.AreaYes},     // with stray spaces
		{[]string{"HX1 3"}, halifax, linkwork.AreaNo},          // another sector
		{[]string{"HX2", "HX3"}, halifax, linkwork.AreaNo},     // other districts
		{[]string{"HX11"}, halifax, linkwork.AreaNo},           // a district that starts the same
		{[]string{"E05001225"}, halifax, linkwork.AreaYes},     // the ward's code
		{[]string{"E01010994"}, halifax, linkwork.AreaYes},     // the LSOA's code
		{[]string{"E08000033"}, halifax, linkwork.AreaYes},     // the local authority's code
		{[]string{"E08000034"}, halifax, linkwork.AreaNo},      // another authority
		{[]string{"Park Ward"}, halifax, linkwork.AreaUnknown}, // a name routing cannot place
		{[]string{"Park Ward", "HX1"}, halifax, linkwork.AreaYes},
		{[]string{"Park Ward", "HX7"}, halifax, linkwork.AreaUnknown},
		{[]string{"HX1"}, nil, linkwork.AreaUnknown},
		{[]string{"E05001225"}, &linkwork.PostcodeInfo{Postcode: "HX1 2AB"}, linkwork.AreaNo}, // the lookup gave no ward
	} {
		if got := linkwork.AreaCovers(c.areas, c.pc); got != c.want {
			t.Errorf("AreaCovers(%q, %+v) = %d, want %d", c.areas, c.pc, got, c.want)
		}
	}
}

func TestDays(t *testing.T) {
	for n, want := range map[int]string{1: "1 day", 3: "3 days", 13: "13 days", 14: "2 weeks", 21: "3 weeks", 70: "10 weeks", 18: "3 weeks"} {
		if got := linkwork.Days(n); got != want {
			t.Errorf("Days(%d) = %q, want %q", n, got, want)
		}
	}
}
