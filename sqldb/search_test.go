package sqldb_test

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"linkwork"
	"linkwork/gen"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// Every search test runs the same assertions on SQLite and PostgreSQL: search must behave the
// same on both, whatever each database's full-text engine does differently inside.

func ptrTo[T any](v T) *T { return &v }

// searchWorld is York with a small directory whose every service is there to be found, or
// not, by some test; and Leeds with one walking group, which York must never see.
type searchWorld struct {
	*world
	search *sqldb.SearchService
	terms  map[string]int64 // "taxonomy/code" → York's term ID
	leeds  *linkwork.Place
	// York's services, by a short name.
	walk, garden, knit, football, books, canal, hill, scheme *linkwork.Service
	leedsWalk                                                *linkwork.Service
}

// The postcodes of the search tests, inserted directly: every location is due north of the
// origin YO1 7HH on the same meridian, so that the distance is exactly the difference in
// latitude (111.195 km a degree on the haversine formula's sphere).
const (
	origin      = "YO1 7HH" // 53.95, -1.08
	kmPerDegree = 6371.0088 * math.Pi / 180
)

var searchPostcodes = []struct {
	postcode string
	lat      float64
	ended    bool
}{
	{"YO1 7HH", 53.95, false},
	{"YO1 3AA", 53.95, false},  // 0 km
	{"YO1 1AA", 53.96, false},  // 1.112 km
	{"YO1 2AA", 53.995, false}, // 5.004 km
	{"YO2 1AA", 54.05, false},  // 11.120 km
	{"YO9 9ZZ", 53.95, true},
}

func newSearchWorld(t *testing.T, db *sqldb.DB) *searchWorld {
	t.Helper()
	w := &searchWorld{world: newWorld(t, db), search: sqldb.NewSearchService(db), terms: map[string]int64{}}
	for _, p := range searchPostcodes {
		var ended any
		if p.ended {
			ended = time.Date(2020, time.January, 1, 0, 0, 0, 0, time.UTC)
		}
		_, err := db.Exec(t.Context(), `INSERT INTO postcodes (postcode, lat, lng, lsoa, ward, local_authority, terminated_on)
			VALUES (?, ?, ?, '', '', '', ?)`, p.postcode, p.lat, -1.08, ended)
		must(t, err)
	}
	taxes, err := sqldb.NewTaxonomyService(db).ListTaxonomies(t.Context(), w.york.ID)
	must(t, err)
	for _, tax := range taxes {
		for _, term := range tax.Terms {
			w.terms[tax.Code+"/"+term.Code] = term.ID
		}
	}
	loc := func(postcode string) linkwork.Location {
		return linkwork.Location{Address1: "1 High Street", Town: "York", Postcode: postcode}
	}
	weekly := func(opens, closes string, days ...time.Weekday) linkwork.Schedule {
		return linkwork.Schedule{Freq: linkwork.Weekly, Days: days, Opens: opens, Closes: closes}
	}
	add := func(s *linkwork.Service) *linkwork.Service {
		t.Helper()
		if s.PlaceID == 0 {
			s.PlaceID = w.york.ID
		}
		if s.OrganisationID == 0 {
			s.OrganisationID = w.council.ID
		}
		if s.Kind == "" {
			s.Kind = linkwork.KindActivity
		}
		if s.Status == "" {
			s.Status = linkwork.StatusActive
		}
		must(t, sqldb.NewServiceService(db).CreateService(t.Context(), s))
		return s
	}
	w.walk = add(&linkwork.Service{Name: "Riverside Walking Group", Free: true, MinAge: ptrTo(18),
		Description: "A gentle walk along the river Ouse, with a cup of tea afterwards. Everyone is welcome.",
		TermIDs:     w.ids("need/physical_activity", "need/loneliness", "building_block/connect"),
		Schedules:   []linkwork.Schedule{weekly("10:00", "12:00", time.Tuesday)},
		Locations:   []linkwork.Location{loc("YO2 1AA"), loc("YO1 1AA")}})
	w.garden = add(&linkwork.Service{Name: "Community Gardening Club", Fees: "£2 a session",
		Description: "Grow vegetables and flowers in the community garden. Tools are provided.",
		TermIDs:     w.ids("need/nature_gardening", "building_block/skills_passions"),
		Schedules:   []linkwork.Schedule{weekly("13:00", "15:00", time.Saturday)},
		Locations:   []linkwork.Location{loc("YO1 2AA")}})
	w.knit = add(&linkwork.Service{Name: "Knit and Natter", Free: true, OrganisationID: w.gp.ID,
		Description: "Knitting and chat over tea, then an optional walking loop around the park.",
		TermIDs: w.ids("need/loneliness", "need/arts_creativity", "building_block/connect",
			"accessibility/step_free", "accessibility/hearing_loop"),
		Schedules: []linkwork.Schedule{weekly("14:00", "16:00", time.Monday, time.Wednesday)},
		Locations: []linkwork.Location{loc("YO1 3AA")}})
	w.football = add(&linkwork.Service{Name: "Youth Football", Free: true, MinAge: ptrTo(11), MaxAge: ptrTo(16),
		OrganisationID: w.gp.ID, Description: "Football training for young people.",
		TermIDs:   w.ids("need/physical_activity"),
		Schedules: []linkwork.Schedule{weekly("18:00", "20:00", time.Thursday)},
		Locations: []linkwork.Location{loc("YO1 1AA")}})
	w.books = add(&linkwork.Service{Name: "Book Talks", Free: true, Description: "Monthly talks about books at the library.",
		TermIDs: w.ids("need/learning", "accessibility/step_free"),
		Schedules: []linkwork.Schedule{{Freq: linkwork.Monthly, Ordinal: 1, Days: []time.Weekday{time.Friday},
			Opens: "19:00", Closes: "20:30"}}})
	w.canal = add(&linkwork.Service{Name: "Canal Walking Trips", Free: true, Status: linkwork.StatusTemporarilyClosed,
		Description: "Walks along the canal towpath.", TermIDs: w.ids("need/physical_activity"),
		Locations: []linkwork.Location{loc("YO2 1AA")}})
	w.hill = add(&linkwork.Service{Name: "Hill Walking Club", Free: true, Status: linkwork.StatusInactive,
		Description: "Walking in the hills.", TermIDs: w.ids("need/physical_activity"),
		Locations: []linkwork.Location{loc("YO1 1AA")}})
	w.scheme = add(&linkwork.Service{Name: "Social Prescribing Link Workers", Kind: linkwork.KindScheme, Free: true,
		OrganisationID: w.gp.ID, Description: "Link workers help people find community groups, including walking groups.",
		TermIDs:   w.ids("need/mental_wellbeing"),
		Scheme:    &linkwork.ConnectorScheme{Model: linkwork.ModelPCNLinkWorker, WhoCanRefer: []linkwork.ReferrerType{linkwork.ReferrerGP}},
		Locations: []linkwork.Location{loc("YO1 3AA")}})

	w.leeds = mustPlace(t, db, "Leeds")
	leedsOrg := mustOrg(t, db, w.leeds.ID, "Leeds Community Trust", linkwork.SectorVCSE)
	w.leedsWalk = add(&linkwork.Service{PlaceID: w.leeds.ID, OrganisationID: leedsOrg.ID, Name: "Leeds Walking Group",
		Free: true, Description: "Walking and gardening in Roundhay Park.", Locations: []linkwork.Location{loc("YO1 3AA")}})
	return w
}

func (w *searchWorld) ids(keys ...string) []int64 {
	var out []int64
	for _, k := range keys {
		id, ok := w.terms[k]
		if !ok {
			panic("no term " + k)
		}
		out = append(out, id)
	}
	return out
}

// find runs a search in York (unless the query names a place) that must succeed.
func (w *searchWorld) find(t *testing.T, q linkwork.SearchQuery) ([]linkwork.SearchResult, int) {
	t.Helper()
	if q.PlaceID == 0 {
		q.PlaceID = w.york.ID
	}
	rs, total, err := w.search.Search(t.Context(), q)
	if err != nil {
		t.Fatalf("search %+v: %v", q, err)
	}
	return rs, total
}

// names returns the names of the services found, in order.
func names(rs []linkwork.SearchResult) []string {
	out := []string{}
	for _, r := range rs {
		out = append(out, r.Service.Name)
	}
	return out
}

func nameList(svcs ...*linkwork.Service) []string {
	out := []string{}
	for _, s := range svcs {
		out = append(out, s.Name)
	}
	return out
}

// wantNames fails unless the search finds exactly these services, in this order, and
// counts them all.
func (w *searchWorld) wantNames(t *testing.T, q linkwork.SearchQuery, want ...*linkwork.Service) {
	t.Helper()
	rs, total := w.find(t, q)
	if got := names(rs); !slices.Equal(got, nameList(want...)) || total != len(want) {
		t.Fatalf("search %+v:\n got %q (total %d)\nwant %q", q, got, total, nameList(want...))
	}
}

// wantSet fails unless the search finds exactly these services, in any order.
func (w *searchWorld) wantSet(t *testing.T, q linkwork.SearchQuery, want ...*linkwork.Service) []linkwork.SearchResult {
	t.Helper()
	rs, total := w.find(t, q)
	got, exp := names(rs), nameList(want...)
	slices.Sort(got)
	slices.Sort(exp)
	if !slices.Equal(got, exp) || total != len(want) {
		t.Fatalf("search %+v:\n got %q (total %d)\nwant %q", q, got, total, exp)
	}
	return rs
}

func TestSearchRanksNameAboveDescription(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newSearchWorld(t, db)
		rs := w.wantSet(t, linkwork.SearchQuery{Text: "walking"}, w.walk, w.canal, w.knit, w.scheme)
		top := names(rs[:2])
		slices.Sort(top)
		if want := nameList(w.canal, w.walk); !slices.Equal(top, want) {
			t.Fatalf("the services named for walking should come first: got %q", names(rs))
		}
		for i := 1; i < len(rs); i++ {
			if rs[i].Score > rs[i-1].Score {
				t.Fatalf("results are not in order of score: %v then %v", rs[i-1].Score, rs[i].Score)
			}
		}
		// A match in a taxonomy term counts: "gardening" is in Community Gardening Club's
		// need (Nature and gardening) as well as its name; Leeds is never seen.
		w.wantNames(t, linkwork.SearchQuery{Text: "nature"}, w.garden)
		// Several words must all match; the organisation's name is searched too.
		w.wantSet(t, linkwork.SearchQuery{Text: "walking priory"}, w.knit, w.scheme)
		// Common words are left out rather than required.
		w.wantNames(t, linkwork.SearchQuery{Text: "the walking group with a river"}, w.walk)
	})
}

func TestSearchStemming(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newSearchWorld(t, db)
		// "walks" is not a word the directory uses, and "talks" (Book Talks) is one edit
		// away: the stemmer finds it matches "walking", so it is not corrected.
		w.wantSet(t, linkwork.SearchQuery{Text: "walks"}, w.walk, w.canal, w.knit, w.scheme)
		w.wantSet(t, linkwork.SearchQuery{Text: "Walked"}, w.walk, w.canal, w.knit, w.scheme)
		w.wantNames(t, linkwork.SearchQuery{Text: "knitted"}, w.knit)
		w.wantNames(t, linkwork.SearchQuery{Text: "gardens"}, w.garden)
		// Accents and case do not matter.
		w.wantNames(t, linkwork.SearchQuery{Text: "KNÏTTING"}, w.knit)
	})
}

func TestSearchCorrectsTypos(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newSearchWorld(t, db)
		w.wantNames(t, linkwork.SearchQuery{Text: "gardning"}, w.garden)
		w.wantSet(t, linkwork.SearchQuery{Text: "walkng"}, w.walk, w.canal, w.knit, w.scheme)
		w.wantNames(t, linkwork.SearchQuery{Text: "knittnig"}, w.knit) // letters swapped
		w.wantNames(t, linkwork.SearchQuery{Text: "footbal"}, w.football)
		w.wantNames(t, linkwork.SearchQuery{Text: "comunity gardning club"}, w.garden)
		// Too far from any word: nothing. Short words are never corrected.
		w.wantNames(t, linkwork.SearchQuery{Text: "gxrdxnxng"})
		w.wantNames(t, linkwork.SearchQuery{Text: "tak"})
		// Only stop words: no text to search for, so every service is listed by name.
		w.wantNames(t, linkwork.SearchQuery{Text: "the and of"}, w.books, w.canal, w.garden, w.knit, w.walk, w.scheme, w.football)
		// The snippet shows the description around the word.
		rs, _ := w.find(t, linkwork.SearchQuery{Text: "gardning"})
		if !strings.Contains(rs[0].Snippet, "garden") {
			t.Fatalf("snippet %q", rs[0].Snippet)
		}
	})
}

func TestSearchFilters(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newSearchWorld(t, db)
		q := func(f func(q *linkwork.SearchQuery)) linkwork.SearchQuery {
			var q linkwork.SearchQuery
			f(&q)
			return q
		}
		// Terms of one taxonomy are alternatives; taxonomies must all match.
		w.wantNames(t, q(func(q *linkwork.SearchQuery) { q.TermIDs = w.ids("need/loneliness") }), w.knit, w.walk)
		w.wantNames(t, q(func(q *linkwork.SearchQuery) { q.TermIDs = w.ids("need/loneliness", "need/nature_gardening") }),
			w.garden, w.knit, w.walk)
		w.wantNames(t, q(func(q *linkwork.SearchQuery) {
			q.TermIDs = w.ids("need/physical_activity", "building_block/connect")
		}), w.walk)
		w.wantNames(t, q(func(q *linkwork.SearchQuery) {
			q.TermIDs = w.ids("need/loneliness", "building_block/skills_passions")
		}))
		// The person's age must be in the service's range; no range is any age.
		w.wantNames(t, q(func(q *linkwork.SearchQuery) { q.Age = ptrTo(14) }), w.books, w.canal, w.garden, w.knit, w.scheme, w.football)
		w.wantNames(t, q(func(q *linkwork.SearchQuery) { q.Age = ptrTo(30) }), w.books, w.canal, w.garden, w.knit, w.walk, w.scheme)
		w.wantNames(t, q(func(q *linkwork.SearchQuery) { q.Age = ptrTo(16) }), w.books, w.canal, w.garden, w.knit, w.scheme, w.football)
		// Days: any of them. Times: the session overlaps the window (ends after From, starts
		// before To).
		w.wantNames(t, q(func(q *linkwork.SearchQuery) { q.Days = []time.Weekday{time.Tuesday} }), w.walk)
		w.wantNames(t, q(func(q *linkwork.SearchQuery) { q.Days = []time.Weekday{time.Monday, time.Saturday} }), w.garden, w.knit)
		w.wantNames(t, q(func(q *linkwork.SearchQuery) { q.From, q.To = ptrTo(13*60+30), ptrTo(14*60+30) }), w.garden, w.knit)
		w.wantNames(t, q(func(q *linkwork.SearchQuery) {
			q.Days, q.From, q.To = []time.Weekday{time.Wednesday}, ptrTo(9*60), ptrTo(14*60+1)
		}), w.knit)
		w.wantNames(t, q(func(q *linkwork.SearchQuery) {
			q.Days, q.From, q.To = []time.Weekday{time.Wednesday}, ptrTo(9*60), ptrTo(14*60)
		}))
		w.wantNames(t, q(func(q *linkwork.SearchQuery) { q.From = ptrTo(19 * 60) }), w.books, w.football)
		w.wantNames(t, q(func(q *linkwork.SearchQuery) { q.Days = []time.Weekday{time.Friday}; q.To = ptrTo(19 * 60) }))
		// Cost, accessibility (all of the terms), kind.
		w.wantNames(t, q(func(q *linkwork.SearchQuery) { q.FreeOnly = true }), w.books, w.canal, w.knit, w.walk, w.scheme, w.football)
		w.wantNames(t, q(func(q *linkwork.SearchQuery) { q.AccessibilityIDs = w.ids("accessibility/step_free") }), w.books, w.knit)
		w.wantNames(t, q(func(q *linkwork.SearchQuery) {
			q.AccessibilityIDs = w.ids("accessibility/step_free", "accessibility/hearing_loop")
		}), w.knit)
		w.wantNames(t, q(func(q *linkwork.SearchQuery) { q.Kind = linkwork.KindScheme }), w.scheme)
		w.wantNames(t, q(func(q *linkwork.SearchQuery) { q.Kind = linkwork.KindActivity }),
			w.books, w.canal, w.garden, w.knit, w.walk, w.football)
		// Everything at once.
		w.wantNames(t, linkwork.SearchQuery{Text: "walking", TermIDs: w.ids("need/physical_activity"), FreeOnly: true,
			Postcode: origin, RadiusKm: 5, Age: ptrTo(40), Days: []time.Weekday{time.Tuesday}, From: ptrTo(9 * 60),
			To: ptrTo(11 * 60), Kind: linkwork.KindActivity}, w.walk)
		w.wantNames(t, linkwork.SearchQuery{TermIDs: w.ids("need/loneliness"), Days: []time.Weekday{time.Monday},
			AccessibilityIDs: w.ids("accessibility/hearing_loop"), Age: ptrTo(70), Text: "natter"}, w.knit)
		w.wantNames(t, linkwork.SearchQuery{TermIDs: w.ids("need/loneliness"), Days: []time.Weekday{time.Tuesday},
			AccessibilityIDs: w.ids("accessibility/hearing_loop")})
	})
}

func TestSearchDistance(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newSearchWorld(t, db)
		// Nearest first by default without text; the postcode in any case and spacing.
		rs, total := w.find(t, linkwork.SearchQuery{Postcode: "yo17hh", RadiusKm: 5.1})
		if got, want := names(rs), nameList(w.knit, w.scheme, w.walk, w.football, w.garden); !slices.Equal(got, want) || total != 5 {
			t.Fatalf("by distance: got %q (%d), want %q", got, total, want)
		}
		wantKm := []float64{0, 0, 0.01 * kmPerDegree, 0.01 * kmPerDegree, 0.045 * kmPerDegree}
		for i, r := range rs {
			if r.DistanceKm == nil || math.Abs(*r.DistanceKm-wantKm[i]) > 0.0005 {
				t.Fatalf("%s: distance %v km, want %.4f", r.Service.Name, r.DistanceKm, wantKm[i])
			}
		}
		// Riverside Walking Group meets at YO2 1AA (11 km) and YO1 1AA (1.1 km): the
		// nearer counts, and is the one shown.
		if walk := rs[2]; walk.NearestLocation == nil || walk.NearestLocation.Postcode != "YO1 1AA" {
			t.Fatalf("nearest location of %s: %+v", walk.Service.Name, walk.NearestLocation)
		}
		if math.Abs(*rs[2].DistanceKm-1.112) > 0.001 {
			t.Fatalf("YO1 7HH to YO1 1AA: %.4f km, want 1.112", *rs[2].DistanceKm)
		}
		// The radius is a circle: Community Gardening Club is 5.004 km away.
		w.wantNames(t, linkwork.SearchQuery{Postcode: origin, RadiusKm: 5}, w.knit, w.scheme, w.walk, w.football)
		w.wantNames(t, linkwork.SearchQuery{Postcode: origin, RadiusKm: 1}, w.knit, w.scheme)
		w.wantNames(t, linkwork.SearchQuery{Near: &linkwork.Point{Lat: 53.95, Lng: -1.08}, RadiusKm: 1}, w.knit, w.scheme)
		// Without a radius: the default, 5 km.
		w.wantNames(t, linkwork.SearchQuery{Postcode: origin}, w.knit, w.scheme, w.walk, w.football)
		// Distance and text: relevance first (the name matches), then distance.
		rs, total = w.find(t, linkwork.SearchQuery{Text: "walking", Postcode: origin, RadiusKm: 20})
		if total != 4 || !slices.Contains(nameList(w.walk, w.canal), rs[0].Service.Name) ||
			!slices.Contains(nameList(w.walk, w.canal), rs[1].Service.Name) {
			t.Fatalf("walking near YO1 7HH by relevance: got %q", names(rs))
		}
		// Sorted by distance instead; at the same distance, the more relevant first.
		rs, _ = w.find(t, linkwork.SearchQuery{Text: "walking", Postcode: origin, RadiusKm: 20, Sort: linkwork.SortDistance})
		got := names(rs)
		slices.Sort(got[:2])
		if want := nameList(w.knit, w.scheme, w.walk, w.canal); !slices.Equal(got, want) || rs[0].Score < rs[1].Score {
			t.Fatalf("walking near YO1 7HH by distance: got %q, want %q", names(rs), want)
		}
		// A service without a location is not found near anywhere.
		w.wantNames(t, linkwork.SearchQuery{Text: "books", Postcode: origin, RadiusKm: 100})
	})
}

func TestSearchPages(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newSearchWorld(t, db)
		all := []*linkwork.Service{w.books, w.canal, w.garden, w.knit, w.walk, w.scheme, w.football}
		for n := 1; n <= 4; n++ {
			rs, total := w.find(t, linkwork.SearchQuery{Page: linkwork.Page{Number: n, Size: 3}})
			want := all[min(len(all), (n-1)*3):min(len(all), n*3)]
			if got := names(rs); !slices.Equal(got, nameList(want...)) || total != 7 {
				t.Fatalf("page %d: got %q (total %d), want %q (7)", n, got, total, nameList(want...))
			}
		}
		// Pages of a search by distance are cut in Go, and count the same way.
		near := []*linkwork.Service{w.knit, w.scheme, w.walk, w.football, w.garden}
		for n := 1; n <= 4; n++ {
			rs, total := w.find(t, linkwork.SearchQuery{Postcode: origin, RadiusKm: 5.1, Page: linkwork.Page{Number: n, Size: 2}})
			want := near[min(len(near), (n-1)*2):min(len(near), n*2)]
			if got := names(rs); !slices.Equal(got, nameList(want...)) || total != 5 {
				t.Fatalf("near, page %d: got %q (total %d), want %q (5)", n, got, total, nameList(want...))
			}
		}
		// And text.
		rs, total := w.find(t, linkwork.SearchQuery{Text: "walking", Page: linkwork.Page{Number: 2, Size: 3}})
		if len(rs) != 1 || total != 4 {
			t.Fatalf("walking, page 2: got %q (total %d), want 1 of 4", names(rs), total)
		}
		rs, total = w.find(t, linkwork.SearchQuery{Text: "walking", Page: linkwork.Page{Number: 3, Size: 3}})
		if len(rs) != 0 || total != 4 {
			t.Fatalf("walking, page 3: got %q (total %d), want none of 4", names(rs), total)
		}
	})
}

func TestSearchFindsOnlyRunningServicesOfThePlace(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newSearchWorld(t, db)
		// Hill Walking Club is paused; Canal Walking Trips temporarily closed.
		w.wantNames(t, linkwork.SearchQuery{Text: "hill"})
		w.wantNames(t, linkwork.SearchQuery{Text: "canal"}, w.canal)
		rs, _ := w.find(t, linkwork.SearchQuery{TermIDs: w.ids("need/physical_activity"), Postcode: origin, RadiusKm: 100})
		if slices.Contains(names(rs), w.hill.Name) {
			t.Fatalf("found the paused %s", w.hill.Name)
		}
		// Defunct is not found either.
		w.canal.Status = linkwork.StatusDefunct
		must(t, sqldb.NewServiceService(db).UpdateService(t.Context(), w.canal))
		w.wantNames(t, linkwork.SearchQuery{Text: "canal"})

		// Each place sees its own: Leeds's walking group is near YO1 7HH too.
		w.wantNames(t, linkwork.SearchQuery{PlaceID: w.leeds.ID, Text: "walking"}, w.leedsWalk)
		w.wantNames(t, linkwork.SearchQuery{PlaceID: w.leeds.ID, Text: "knitting"})
		w.wantNames(t, linkwork.SearchQuery{Text: "roundhay"})
		w.wantNames(t, linkwork.SearchQuery{PlaceID: w.leeds.ID, Postcode: origin, RadiusKm: 1}, w.leedsWalk)
		// Leeds's vocabulary does not correct York's words: "roundhy" is nothing in York.
		w.wantNames(t, linkwork.SearchQuery{Text: "roundhy"})
		w.wantNames(t, linkwork.SearchQuery{PlaceID: w.leeds.ID, Text: "roundhy"}, w.leedsWalk)
		// A term of another place is refused, not ignored.
		_, _, err := w.search.Search(t.Context(), linkwork.SearchQuery{PlaceID: w.leeds.ID, TermIDs: w.ids("need/loneliness")})
		wantCode(t, err, linkwork.EINVALID, "term_ids")
	})
}

func TestSearchIndexFollowsUpdates(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newSearchWorld(t, db)
		docs := func(word string) int {
			return countRows(t, db, "search_words", "place_id = ? AND word = ?", w.york.ID, word)
		}
		var walkingDocs int
		must(t, db.QueryRow(t.Context(), "SELECT docs FROM search_words WHERE place_id = ? AND word = 'walking'",
			[]any{w.york.ID}, &walkingDocs))
		if walkingDocs != 5 || docs("afterwards") != 1 {
			t.Fatalf("vocabulary before: walking in %d services (want 5), afterwards %d rows (want 1)", walkingDocs, docs("afterwards"))
		}

		w.walk.Name, w.walk.Description = "Riverside Running Group", "A gentle run along the river Ouse."
		w.walk.TermIDs = w.ids("need/physical_activity")
		must(t, sqldb.NewServiceService(db).UpdateService(t.Context(), w.walk))

		// Old words no longer find it; new ones do, at once.
		w.wantSet(t, linkwork.SearchQuery{Text: "walking"}, w.canal, w.knit, w.scheme)
		w.wantNames(t, linkwork.SearchQuery{Text: "afterwards"})
		w.wantNames(t, linkwork.SearchQuery{Text: "running"}, w.walk)
		w.wantNames(t, linkwork.SearchQuery{Text: "runing"}, w.walk)
		w.wantNames(t, linkwork.SearchQuery{Text: "loneliness"}, w.knit)
		must(t, db.QueryRow(t.Context(), "SELECT docs FROM search_words WHERE place_id = ? AND word = 'walking'",
			[]any{w.york.ID}, &walkingDocs))
		if walkingDocs != 4 || docs("afterwards") != 0 || docs("running") != 1 {
			t.Fatalf("vocabulary after: walking in %d services (want 4), afterwards %d rows (want 0), running %d (want 1)",
				walkingDocs, docs("afterwards"), docs("running"))
		}
		// "afterwrds" has nothing to be corrected to any more.
		w.wantNames(t, linkwork.SearchQuery{Text: "afterwrds"})

		// Rebuilding the index from scratch gives the same vocabulary and results.
		before, err := db.TableText(t.Context(), "search_words")
		must(t, err)
		must(t, w.search.Reindex(t.Context(), w.york.ID))
		after, err := db.TableText(t.Context(), "search_words")
		must(t, err)
		if b, a := lines(before), lines(after); !slices.Equal(b, a) {
			t.Fatalf("vocabulary after Reindex differs: only before %q, only after %q", without(b, a), without(a, b))
		}
		w.wantSet(t, linkwork.SearchQuery{Text: "walking"}, w.canal, w.knit, w.scheme)
		w.wantNames(t, linkwork.SearchQuery{Text: "running"}, w.walk)
		w.wantNames(t, linkwork.SearchQuery{PlaceID: w.leeds.ID, Text: "walking"}, w.leedsWalk)
		must(t, w.search.OptimizeSearch(t.Context()))
		w.wantNames(t, linkwork.SearchQuery{Text: "running"}, w.walk)
	})
}

// lines returns the lines of a table's text, sorted.
func lines(s string) []string {
	out := strings.Split(strings.TrimSpace(s), "\n")
	for i := range out {
		out[i] = strings.TrimSpace(out[i])
	}
	slices.Sort(out)
	return out
}

func without(a, b []string) []string {
	var out []string
	for _, s := range a {
		if !slices.Contains(b, s) {
			out = append(out, s)
		}
	}
	return out
}

func TestSearchResultDetails(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newSearchWorld(t, db)
		rs, _ := w.find(t, linkwork.SearchQuery{Text: "riverside", Postcode: origin})
		if len(rs) != 1 {
			t.Fatalf("got %q", names(rs))
		}
		r := rs[0]
		s := r.Service
		if s.ID != w.walk.ID || s.OrganisationName != w.council.Name || len(s.Terms) != 3 || len(s.Locations) != 2 ||
			s.Description != w.walk.Description {
			t.Fatalf("service: %+v", s)
		}
		if !strings.HasPrefix(r.Snippet, "A gentle walk") {
			t.Fatalf("snippet %q", r.Snippet)
		}
		// The clock says Monday 4 March 2030, 09:30 UTC: next Tuesday at 10:00 UK time.
		london, err := time.LoadLocation("Europe/London")
		must(t, err)
		if r.Next == nil || !r.Next.Start.Equal(time.Date(2030, time.March, 5, 10, 0, 0, 0, london)) {
			t.Fatalf("next: %+v", r.Next)
		}
	})
}

func TestSearchRefusesBadQueries(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newSearchWorld(t, db)
		for _, c := range []struct {
			q       linkwork.SearchQuery
			field   string
			message string
		}{
			{linkwork.SearchQuery{Text: strings.Repeat("a", 201)}, "text", "at most 200 characters"},
			{linkwork.SearchQuery{Postcode: origin, RadiusKm: 0.05}, "radius_km", "from 0.1 to 100 km"},
			{linkwork.SearchQuery{Postcode: origin, RadiusKm: 101}, "radius_km", "from 0.1 to 100 km"},
			{linkwork.SearchQuery{Age: ptrTo(121)}, "age", "from 0 to 120"},
			{linkwork.SearchQuery{Age: ptrTo(-1)}, "age", "from 0 to 120"},
			{linkwork.SearchQuery{Page: linkwork.Page{Number: 1001}}, "page", "from 1 to 1000"},
			{linkwork.SearchQuery{Page: linkwork.Page{Size: 201}}, "per_page", "from 1 to 200"},
			{linkwork.SearchQuery{From: ptrTo(600), To: ptrTo(600)}, "to", "after the start time"},
			{linkwork.SearchQuery{From: ptrTo(1440)}, "from", "00:00 to 23:59"},
			{linkwork.SearchQuery{Days: []time.Weekday{7}}, "days", "0 (Sunday) to 6 (Saturday)"},
			{linkwork.SearchQuery{Sort: linkwork.SortDistance}, "sort", "postcode"},
			{linkwork.SearchQuery{Sort: "price"}, "sort", "relevance or distance"},
			{linkwork.SearchQuery{Kind: "shop"}, "kind", "activity or connector_scheme"},
			{linkwork.SearchQuery{Postcode: "not a postcode"}, "postcode", "such as HX1 1AA"},
			{linkwork.SearchQuery{Postcode: "YO9 1ZZ"}, "postcode", "do not know the postcode YO9 1ZZ"},
			{linkwork.SearchQuery{Postcode: "YO9 9ZZ"}, "postcode", "ended"},
			{linkwork.SearchQuery{Near: &linkwork.Point{Lat: 40, Lng: -1}}, "near", "in the UK"},
			{linkwork.SearchQuery{TermIDs: []int64{999999}}, "term_ids", "no taxonomy term 999999"},
			{linkwork.SearchQuery{AccessibilityIDs: w.ids("need/loneliness")}, "accessibility", "no accessibility term"},
		} {
			c.q.PlaceID = w.york.ID
			_, _, err := w.search.Search(t.Context(), c.q)
			wantCode(t, err, linkwork.EINVALID, c.field)
			if msg := linkwork.ErrorMessage(err); !strings.Contains(msg, c.message) {
				t.Fatalf("%+v: message %q, want it to say %q", c.q, msg, c.message)
			}
		}
		// Every problem is reported at once.
		_, _, err := w.search.Search(t.Context(), linkwork.SearchQuery{PlaceID: w.york.ID, Age: ptrTo(200),
			Postcode: origin, RadiusKm: 1000, Page: linkwork.Page{Number: 5000}})
		var fields []string
		for _, e := range linkwork.FieldErrors(err) {
			fields = append(fields, e.Field)
		}
		slices.Sort(fields)
		if want := []string{"age", "page", "radius_km"}; !slices.Equal(fields, want) {
			t.Fatalf("fields %q, want %q", fields, want)
		}
	})
}

func TestBulkInsertServicesIndexes(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newSearchWorld(t, db)
		lat, lng := 53.96, -1.08
		svcs := []*linkwork.Service{
			{OrganisationID: w.council.ID, Kind: linkwork.KindActivity, Status: linkwork.StatusActive, Name: "Allotment Gardening",
				Description: "Digging, weeding and planting.", TermIDs: w.ids("need/nature_gardening", "need/physical_activity"),
				Areas:     []string{"Clifton"},
				Schedules: []linkwork.Schedule{{Freq: linkwork.Weekly, Days: []time.Weekday{time.Sunday}, Opens: "10:00", Closes: "12:00"}},
				Locations: []linkwork.Location{{Address1: "Plot 5", Town: "York", Postcode: "yo11aa", Lat: &lat, Lng: &lng}}},
			{OrganisationID: w.gp.ID, Kind: linkwork.KindScheme, Status: linkwork.StatusActive, Name: "Care Navigators",
				Description: "Navigators help with gardening grants.", Scheme: &linkwork.ConnectorScheme{Model: linkwork.ModelCareCoordinator,
					WhoCanRefer: []linkwork.ReferrerType{linkwork.ReferrerSelf}}},
		}
		must(t, db.BulkInsertServices(t.Context(), w.york.ID, svcs))
		if svcs[0].ID == 0 || svcs[1].ID == 0 || svcs[0].ID == svcs[1].ID {
			t.Fatalf("IDs %d and %d", svcs[0].ID, svcs[1].ID)
		}
		got, err := sqldb.NewServiceService(db).FindServiceByID(t.Context(), svcs[0].ID)
		must(t, err)
		if got.Name != "Allotment Gardening" || len(got.Terms) != 2 || got.Areas[0] != "Clifton" || len(got.Schedules) != 1 ||
			got.Locations[0].Postcode != "YO1 1AA" || *got.Locations[0].Lat != lat {
			t.Fatalf("stored %+v", got)
		}
		if rs := w.wantSet(t, linkwork.SearchQuery{Text: "gardning"}, svcs[0], w.garden, svcs[1]); rs[2].Service.ID != svcs[1].ID {
			t.Fatalf("the description match should come last: %q", names(rs))
		}
		w.wantNames(t, linkwork.SearchQuery{Text: "clifton", Postcode: origin, RadiusKm: 2}, svcs[0])
		// The bulk path leaves the index as a rebuild would.
		before, err := db.TableText(t.Context(), "search_words")
		must(t, err)
		must(t, w.search.Reindex(t.Context(), w.york.ID))
		after, err := db.TableText(t.Context(), "search_words")
		must(t, err)
		if b, a := lines(before), lines(after); !slices.Equal(b, a) {
			t.Fatalf("vocabulary after Reindex differs: only before %q, only after %q", without(b, a), without(a, b))
		}
		// A service of another place's organisation is refused, and nothing is written.
		err = db.BulkInsertServices(t.Context(), w.leeds.ID, []*linkwork.Service{{OrganisationID: w.council.ID,
			Kind: linkwork.KindActivity, Status: linkwork.StatusActive, Name: "Wrong place", Description: "x"}})
		wantCode(t, err, linkwork.EINVALID, "services[0].organisation_id")
		w.wantNames(t, linkwork.SearchQuery{PlaceID: w.leeds.ID, Text: "wrong"})
	})
}

// Both databases rank alike as well as finding the same services: on a generated directory,
// the same searches return the same pages, in the same order, with the same scores,
// distances and totals.
func TestSearchSameOnBothDatabases(t *testing.T) {
	t.Parallel()
	if len(sqldbtest.Dialects()) < 2 {
		t.Skip("PostgreSQL is off")
	}
	postcodes, err := benchPostcodes()
	must(t, err)
	opts := gen.Options{Seed: 7, Services: 1500, Locations: 3700, Postcodes: postcodes}
	var dbs []*sqldb.DB
	var dir *gen.Directory
	for _, d := range sqldbtest.Dialects() {
		db := sqldbtest.Open(t, d)
		dir, err = gen.Load(t.Context(), db, opts, nil)
		must(t, err)
		dbs = append(dbs, db)
	}
	term := func(k string) int64 { return dir.Terms[k] }
	page := linkwork.Page{Number: 1, Size: 40}
	for _, q := range []linkwork.SearchQuery{
		{Text: "walking", TermIDs: []int64{term("need/physical_activity")}, Postcode: "HX1 1AA", RadiusKm: 5, Page: page},
		{Text: "gardning", Postcode: "HX3 0AB", RadiusKm: 8, Page: page},
		{Text: "walking", Page: page},
		{Text: "walking", Page: linkwork.Page{Number: 3, Size: 15}},
		{Text: "knit natter", TermIDs: []int64{term("need/loneliness"), term("need/mental_wellbeing")}, Page: page},
		{TermIDs: []int64{term("need/physical_activity")}, Postcode: "HX1 1AA", RadiusKm: 3, Page: page},
		{Text: "group", Postcode: "HX1 1AA", RadiusKm: 10, Sort: linkwork.SortDistance, FreeOnly: true, Page: linkwork.Page{Number: 2, Size: 25}},
		{Text: "art", Kind: linkwork.KindActivity, Age: ptrTo(70), AccessibilityIDs: []int64{term("accessibility/step_free")},
			Postcode: "HX1 1AA", RadiusKm: 20, Page: page},
		{Text: "support", Days: []time.Weekday{time.Tuesday, time.Thursday}, From: ptrTo(9 * 60), To: ptrTo(13 * 60), Page: page},
		{Postcode: "HX1 1AA", RadiusKm: 1, Page: page},
		{Kind: linkwork.KindScheme, Page: page},
	} {
		q.PlaceID = dir.Place.ID
		var pages [][]string
		var totals []int
		for _, db := range dbs {
			rs, total, err := sqldb.NewSearchService(db).Search(t.Context(), q)
			must(t, err)
			var lines []string
			for _, r := range rs {
				line := fmt.Sprintf("%d %q score %g", r.Service.ID, r.Service.Name, r.Score)
				if r.DistanceKm != nil {
					line += fmt.Sprintf(" %.6f km at location %d", *r.DistanceKm, r.NearestLocation.ID)
				}
				lines = append(lines, line)
			}
			pages, totals = append(pages, lines), append(totals, total)
		}
		if totals[0] == 0 && q.Page.Number == 1 {
			t.Fatalf("%+v finds nothing: choose a search that does", q)
		}
		if totals[0] != totals[1] || !slices.Equal(pages[0], pages[1]) {
			t.Fatalf("%+v:\nSQLite     %d: %q\nPostgreSQL %d: %q", q, totals[0], pages[0], totals[1], pages[1])
		}
	}
}

// A search near somewhere sees a service's new places and status at once, and after Reindex.
func TestSearchNearFollowsUpdates(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newSearchWorld(t, db)
		services := sqldb.NewServiceService(db)
		near := linkwork.SearchQuery{Text: "walking", Postcode: origin, RadiusKm: 2}
		w.wantNames(t, near, w.walk, w.knit, w.scheme)

		// Riverside Walking Group moves away (YO2 1AA only, 11 km); Canal Walking Trips comes
		// into the circle and reopens.
		w.walk.Locations = []linkwork.Location{{Address1: "1 High Street", Town: "York", Postcode: "YO2 1AA"}}
		must(t, services.UpdateService(t.Context(), w.walk))
		w.canal.Locations = []linkwork.Location{{Address1: "2 High Street", Town: "York", Postcode: "YO1 1AA"}}
		w.canal.Status = linkwork.StatusActive
		must(t, services.UpdateService(t.Context(), w.canal))
		w.wantNames(t, near, w.canal, w.knit, w.scheme)

		// Stopped, and without locations: gone from every search near anywhere.
		w.canal.Status = linkwork.StatusDefunct
		must(t, services.UpdateService(t.Context(), w.canal))
		w.knit.Locations = nil
		must(t, services.UpdateService(t.Context(), w.knit))
		w.wantNames(t, near, w.scheme)
		w.wantNames(t, linkwork.SearchQuery{Postcode: origin, RadiusKm: 100}, w.scheme, w.football, w.garden, w.walk)

		must(t, w.search.Reindex(t.Context(), w.york.ID))
		w.wantNames(t, near, w.scheme)
		w.wantNames(t, linkwork.SearchQuery{Postcode: origin, RadiusKm: 100}, w.scheme, w.football, w.garden, w.walk)
	})
}
