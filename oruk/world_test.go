package oruk

import (
	"context"
	"encoding/json"
	"io"
	"iter"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"linkwork"
	"linkwork/authz"
	"linkwork/sqldb"
)

// world is a small directory for the tests: Calderdale, with postcodes in Halifax (HX1),
// just west of it (HX2) and in Hebden Bridge (HX7, about 10 km away); two organisations; a
// walking group in Halifax, a choir in Hebden Bridge and a money advice service near
// Halifax.
type world struct {
	db                *sqldb.DB
	svc               linkwork.Services
	store             *sqldb.OpenDataService
	place             *linkwork.Place
	taxs              []*linkwork.Taxonomy
	orgA, orgB        *linkwork.Organisation
	walk, choir, debt *linkwork.Service
	handler           http.Handler
}

// testContext is a context with an actor, as the command line and the server give.
func testContext() context.Context {
	return linkwork.NewContextWithActor(context.Background(), linkwork.Actor{Label: "test"})
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func ptr[T any](v T) *T { return &v }

// postcodes are real Calderdale postcodes with their coordinates rounded.
var postcodes = []*linkwork.PostcodeInfo{
	{Postcode: "HX1 1AA", Lat: 53.7243, Lng: -1.8575},
	{Postcode: "HX2 0AA", Lat: 53.7300, Lng: -1.8800},
	{Postcode: "HX7 8AA", Lat: 53.7420, Lng: -2.0140},
}

func loadPostcodes(t testing.TB, db *sqldb.DB) {
	t.Helper()
	rows := func(yield func(*linkwork.PostcodeInfo, error) bool) {
		for _, p := range postcodes {
			c := *p
			if !yield(&c, nil) {
				return
			}
		}
	}
	_, err := db.Services().Geography.ImportPostcodes(testContext(), iter.Seq2[*linkwork.PostcodeInfo, error](rows), linkwork.ImportOptions{})
	must(t, err)
}

// term finds a place's term by taxonomy and code.
func (w *world) term(t testing.TB, taxonomy, code string) linkwork.TaxonomyTerm {
	t.Helper()
	for _, tx := range w.taxs {
		for _, term := range tx.Terms {
			if tx.Code == taxonomy && term.Code == code {
				return term
			}
		}
	}
	t.Fatalf("no term %s/%s", taxonomy, code)
	return linkwork.TaxonomyTerm{}
}

func (w *world) taxonomy(t testing.TB, code string) *linkwork.Taxonomy {
	for _, tx := range w.taxs {
		if tx.Code == code {
			return tx
		}
	}
	t.Fatalf("no taxonomy %s", code)
	return nil
}

func newWorld(t testing.TB, db *sqldb.DB) *world {
	t.Helper()
	ctx := testContext()
	w := &world{db: db, svc: db.Services(), store: sqldb.NewOpenDataService(db)}
	loadPostcodes(t, db)
	w.place = &linkwork.Place{Name: "Calderdale"}
	must(t, w.svc.Places.CreatePlace(ctx, w.place))
	var err error
	w.taxs, err = w.svc.Taxonomies.ListTaxonomies(ctx, w.place.ID)
	must(t, err)
	w.orgA = &linkwork.Organisation{PlaceID: w.place.ID, Name: "Calder Valley Walks", Sector: linkwork.SectorVCSE}
	w.orgB = &linkwork.Organisation{PlaceID: w.place.ID, Name: "Halifax Advice Centre", Sector: linkwork.SectorVCSE}
	must(t, w.svc.Organisations.CreateOrganisation(ctx, w.orgA))
	must(t, w.svc.Organisations.CreateOrganisation(ctx, w.orgB))
	w.walk = &linkwork.Service{PlaceID: w.place.ID, OrganisationID: w.orgA.ID, Kind: linkwork.KindActivity,
		Name: "Calder Walking Group", Description: "A gentle walk around Halifax, with a cup of tea after.",
		URL: "https://example.org/walks", Email: "walks@example.org", Phone: "01422 123456", Status: linkwork.StatusActive,
		MinAge: ptr(18), Free: true, Languages: []string{"English", "Urdu"}, Areas: []string{"Town ward"},
		Accessibility: "Step-free route; benches every 500 metres.",
		TermIDs:       []int64{w.term(t, "need", "physical_activity").ID, w.term(t, "five_ways", "be_active").ID},
		Schedules:     []linkwork.Schedule{{Freq: linkwork.Weekly, Days: []time.Weekday{time.Tuesday, time.Thursday}, Opens: "10:00", Closes: "12:00"}},
		Locations:     []linkwork.Location{{Name: "Halifax Minster", Address1: "Causeway", Address2: "Town Centre", Town: "Halifax", Postcode: "hx1 1aa"}},
		Contacts:      []linkwork.Contact{{Name: "Sam Walker", Title: "Walk leader", Email: "sam@example.org", Phone: "07700 900123"}}}
	w.choir = &linkwork.Service{PlaceID: w.place.ID, OrganisationID: w.orgA.ID, Kind: linkwork.KindActivity,
		Name: "Hebden Community Choir", Description: "Singing for everyone, no experience needed.", Status: linkwork.StatusActive,
		MinAge: ptr(16), MaxAge: ptr(99), Fees: "£2 a session", TermIDs: []int64{w.term(t, "need", "arts_creativity").ID},
		Schedules: []linkwork.Schedule{
			{Freq: linkwork.Monthly, Ordinal: 1, Days: []time.Weekday{time.Thursday}, Opens: "19:00", Closes: "21:00"},
			{Freq: linkwork.Monthly, Ordinal: -1, Days: []time.Weekday{time.Friday}, Opens: "18:30", Closes: "20:00", Description: "Open rehearsal"}},
		Locations: []linkwork.Location{{Address1: "Market Street", Town: "Hebden Bridge", Postcode: "HX7 8AA"}}}
	w.debt = &linkwork.Service{PlaceID: w.place.ID, OrganisationID: w.orgB.ID, Kind: linkwork.KindActivity,
		Name: "Money Advice Drop-in", Description: "Help with debts, bills and benefits.", Status: linkwork.StatusTemporarilyClosed,
		MinAge: ptr(18), MaxAge: ptr(65), Eligibility: "Calderdale residents.",
		TermIDs:   []int64{w.term(t, "need", "money_debt").ID},
		Locations: []linkwork.Location{{Name: "Advice Centre", Address1: "1 West Street", Town: "Halifax", Postcode: "HX2 0AA"}}}
	for _, s := range []*linkwork.Service{w.walk, w.choir, w.debt} {
		must(t, w.svc.Directory.CreateService(ctx, s))
	}
	for _, s := range []**linkwork.Service{&w.walk, &w.choir, &w.debt} {
		got, err := w.svc.Directory.FindServiceByID(ctx, (*s).ID)
		must(t, err)
		*s = got
	}
	rt := authz.NewRouter()
	New(Config{Services: w.svc, OpenData: w.store, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}).Register(rt)
	w.handler = rt
	return w
}

// get requests a path from the API and returns the status and body, checking that every
// answer is JSON that any site may read.
func (w *world) get(t testing.TB, path string) (int, []byte) {
	t.Helper()
	rec := httptest.NewRecorder()
	w.handler.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	if got := rec.Header().Get("Access-Control-Allow-Origin"); got != "*" {
		t.Errorf("GET %s: Access-Control-Allow-Origin %q, want *", path, got)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("GET %s: Content-Type %q", path, ct)
	}
	if !json.Valid(rec.Body.Bytes()) {
		t.Errorf("GET %s: not JSON: %s", path, rec.Body.String())
	}
	return rec.Code, rec.Body.Bytes()
}

// getOK requests a path that must answer 200 with a response of the kind, and decodes it.
func (w *world) getOK(t testing.TB, path, kind string, v any) {
	t.Helper()
	code, body := w.get(t, path)
	if code != http.StatusOK {
		t.Fatalf("GET %s: status %d: %s", path, code, body)
	}
	validate(t, kind, body)
	if v != nil {
		must(t, json.Unmarshal(body, v))
	}
}

// getError requests a path that must fail with the status, and returns the error.
func (w *world) getError(t testing.TB, path string, status int) ErrorDetail {
	t.Helper()
	code, body := w.get(t, path)
	if code != status {
		t.Fatalf("GET %s: status %d, want %d: %s", path, code, status, body)
	}
	var e ErrorBody
	must(t, json.Unmarshal(body, &e))
	if e.Error.Message == "" {
		t.Errorf("GET %s: error without a message: %s", path, body)
	}
	return e.Error
}

// names lists the names of a page of services.
func names(p Page[ServiceBrief]) []string {
	out := []string{}
	for _, s := range p.Contents {
		out = append(out, s.Name)
	}
	return out
}

func q(path string, kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return path + "?" + v.Encode()
}
