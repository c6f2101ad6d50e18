package web

// These tests are inside the package, unlike the others, so that they can move the form's
// clock: the self-referral form refuses forms sent too quickly or too late, and waiting
// seconds or hours for real would make the tests slow.

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"linkwork"
	"linkwork/authz"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// referTest is a place with a scheme that takes self-referrals from adults of working age
// and one that takes referrals from GPs only, served by the web handler alone, with a
// clock the test moves.
type referTest struct {
	t       *testing.T
	svc     linkwork.Services
	h       *Handler
	srv     http.Handler
	place   *linkwork.Place
	empty   *linkwork.Place // a place with no scheme that takes self-referrals
	open    *linkwork.Service
	gpOnly  *linkwork.Service
	clock   time.Time
	address string
}

func newReferTest(t *testing.T, db *sqldb.DB) *referTest {
	t.Helper()
	ctx := context.Background()
	svc := db.Services()
	rt := &referTest{t: t, svc: svc, clock: time.Date(2025, 3, 3, 10, 0, 0, 0, time.UTC), address: "192.0.2.10:4321"}
	rt.place = &linkwork.Place{Name: "Calderdale"}
	rt.empty = &linkwork.Place{Name: "Kirklees"}
	for _, p := range []*linkwork.Place{rt.place, rt.empty} {
		if err := svc.Places.CreatePlace(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	org := &linkwork.Organisation{PlaceID: rt.place.ID, Name: "Calder PCN", Sector: linkwork.SectorNHS}
	if err := svc.Organisations.CreateOrganisation(ctx, org); err != nil {
		t.Fatal(err)
	}
	minAge, maxAge := 18, 64
	rt.gpOnly = &linkwork.Service{PlaceID: rt.place.ID, OrganisationID: org.ID, Kind: linkwork.KindScheme, Name: "GP Link Workers",
		Description: "Link workers for people their GP refers.", Status: linkwork.StatusActive, Free: true,
		TermIDs: []int64{rt.term("loneliness")},
		Scheme:  &linkwork.ConnectorScheme{Model: linkwork.ModelPCNLinkWorker, WhoCanRefer: []linkwork.ReferrerType{linkwork.ReferrerGP}}}
	rt.open = &linkwork.Service{PlaceID: rt.place.ID, OrganisationID: org.ID, Kind: linkwork.KindScheme, Name: "Calder Connect",
		Description: "Anyone of working age can ask.", Status: linkwork.StatusActive, Free: true, MinAge: &minAge, MaxAge: &maxAge,
		TermIDs: []int64{rt.term("money_debt")},
		Scheme: &linkwork.ConnectorScheme{Model: linkwork.ModelCommunityNavigator, WaitingWeeks: 3,
			WhoCanRefer: []linkwork.ReferrerType{linkwork.ReferrerGP, linkwork.ReferrerSelf}}}
	for _, s := range []*linkwork.Service{rt.gpOnly, rt.open} {
		if err := svc.Directory.CreateService(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	auth := &authz.Authenticator{Services: svc, Logger: logger}
	h, err := New(Config{Services: svc, Authenticator: auth, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	h.referGuard.now = func() time.Time { return rt.clock }
	router := authz.NewRouter()
	h.Register(router)
	rt.h, rt.srv = h, auth.Middleware(router)
	return rt
}

// term returns the ID of a need in the place.
func (rt *referTest) term(code string) int64 {
	rt.t.Helper()
	taxes, err := rt.svc.Taxonomies.ListTaxonomies(context.Background(), rt.place.ID)
	if err != nil {
		rt.t.Fatal(err)
	}
	for _, tx := range taxes {
		for _, term := range tx.Terms {
			if tx.Code == linkwork.TaxonomyNeed && term.Code == code {
				return term.ID
			}
		}
	}
	rt.t.Fatalf("no need %s", code)
	return 0
}

type response struct {
	status   int
	location string
	body     string
}

func (r response) has(t *testing.T, what ...string) {
	t.Helper()
	for _, w := range what {
		if !strings.Contains(r.body, w) {
			t.Errorf("page (status %d) does not contain %q", r.status, w)
		}
	}
}

func (rt *referTest) do(method, path string, form url.Values) response {
	rt.t.Helper()
	var req *http.Request
	if form == nil {
		req = httptest.NewRequest(method, path, nil)
	} else {
		req = httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.RemoteAddr = rt.address
	w := httptest.NewRecorder()
	rt.srv.ServeHTTP(w, req)
	return response{status: w.Code, location: w.Header().Get("Location"), body: w.Body.String()}
}

var startedField = regexp.MustCompile(`name="started" value="([^"]+)"`)

// form opens the form, as a person would, and returns it filled in with the token it gave.
func (rt *referTest) form() url.Values {
	rt.t.Helper()
	p := rt.do("GET", rt.path(), nil)
	m := startedField.FindStringSubmatch(p.body)
	if p.status != http.StatusOK || m == nil {
		rt.t.Fatalf("GET %s: %d, no token", rt.path(), p.status)
	}
	return url.Values{"started": {m[1]}, "website": {""}, "given_name": {"Alan"}, "family_name": {"Turing"},
		"date_of_birth-day": {"23"}, "date_of_birth-month": {"6"}, "date_of_birth-year": {"1985"}, "postcode": {"HX1 1AB"},
		"email": {"alan@example.org"}, "contact_preferences": {"email"}, "need_ids": {id64(rt.term("money_debt"))},
		"reason": {"Worried about debts since losing my job."}, "access_needs": {"Quiet place to meet, please."}, "consent": {"yes"}}
}

func (rt *referTest) path() string { return "/refer?place=" + id64(rt.place.ID) }

func id64(n int64) string { return strconv.FormatInt(n, 10) }

// referrals counts the place's self-referrals.
func (rt *referTest) referrals() []*linkwork.Referral {
	rt.t.Helper()
	list, _, err := rt.svc.Referrals.ListReferrals(context.Background(), linkwork.ReferralFilter{PlaceID: rt.place.ID,
		OrganisationIDs: []int64{rt.open.OrganisationID}})
	if err != nil {
		rt.t.Fatal(err)
	}
	return list
}

func TestSelfReferral(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		rt := newReferTest(t, db)
		p := rt.do("GET", rt.path(), nil)
		p.has(t, "Ask for support in Calderdale", `name="started"`, `class="nhsuk-u-visually-hidden"`,
			"If you are a person, leave this box empty", `tabindex="-1"`, "Money and debt", "I agree to my details being sent")
		if strings.Contains(p.body, "style=") {
			t.Error("the form has an inline style, which the content security policy forbids")
		}

		// A person who takes their time is referred to the scheme that takes self-referrals.
		form := rt.form()
		rt.clock = rt.clock.Add(90 * time.Second)
		p = rt.do("POST", rt.path(), form)
		if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/refer?") {
			t.Fatalf("real self-referral: %d %q\n%s", p.status, p.location, p.body)
		}
		list := rt.referrals()
		if len(list) != 1 {
			t.Fatalf("%d referrals saved, want 1", len(list))
		}
		ref := list[0]
		if ref.SchemeID != rt.open.ID || ref.RoutedBy != "linkwork" || ref.Referrer.Type != linkwork.ReferrerSelf ||
			ref.Referrer.Name != "Alan Turing" || ref.Consent.Method != linkwork.ConsentOnlineForm || !ref.Consent.ToReferral {
			t.Errorf("self-referral saved as %+v", ref)
		}
		done := rt.do("GET", p.location, nil)
		done.has(t, "We have your request", ref.Reference, "Calder Connect", "What happens next", "about 3 weeks")
		// Nobody can make linkwork confirm a referral it never took.
		forged := strings.Replace(p.location, ref.Reference, "R-AAAAAA", 1)
		if r := rt.do("GET", forged, nil); r.status != http.StatusNotFound {
			t.Errorf("forged confirmation: %d, want 404", r.status)
		}

		// Bots: a form sent within seconds, one that fills in the hidden field, one with a
		// made-up or stale token. Each gets the same message and nothing is saved.
		for name, send := range map[string]func() response{
			"too fast": func() response {
				f := rt.form()
				rt.clock = rt.clock.Add(time.Second)
				return rt.do("POST", rt.path(), f)
			},
			"honeypot": func() response {
				f := rt.form()
				f.Set("website", "http://spam.example")
				rt.clock = rt.clock.Add(time.Minute)
				return rt.do("POST", rt.path(), f)
			},
			"stale": func() response {
				f := rt.form()
				rt.clock = rt.clock.Add(3 * time.Hour)
				return rt.do("POST", rt.path(), f)
			},
			"forged": func() response {
				f := rt.form()
				f.Set("started", id64(rt.clock.Add(-time.Minute).UnixMilli())+".bm90LWEtc2lnbmF0dXJl")
				return rt.do("POST", rt.path(), f)
			},
			"other place": func() response {
				f := rt.form()
				rt.clock = rt.clock.Add(time.Minute)
				return rt.do("POST", "/refer?place="+id64(rt.empty.ID), f)
			},
		} {
			r := send()
			if r.status != http.StatusBadRequest {
				t.Errorf("%s: %d, want 400", name, r.status)
			}
			r.has(t, "Sorry, we could not take your form.", `value="Alan"`)
		}
		if n := len(rt.referrals()); n != 1 {
			t.Fatalf("bots saved %d referrals", n-1)
		}

		// Mistakes are shown next to their fields, in words for the person, and nothing is
		// saved.
		form = rt.form()
		rt.clock = rt.clock.Add(time.Minute)
		for _, k := range []string{"given_name", "email", "reason", "consent", "need_ids"} {
			form.Del(k)
		}
		form.Set("date_of_birth-year", "85")
		p = rt.do("POST", rt.path(), form)
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("form with mistakes: %d", p.status)
		}
		p.has(t, `href="#given_name"`, "Enter your first name.", `href="#phone"`, "Give a phone number or an email address",
			`href="#reason"`, `href="#consent"`, `href="#need_ids"`, `href="#date_of_birth"`, "Enter the year of birth in full",
			`id="consent-error"`)

		// Someone no scheme takes is told where to go instead, and nothing is saved.
		form = rt.form()
		rt.clock = rt.clock.Add(time.Minute)
		form.Set("date_of_birth-year", "1940")
		p = rt.do("POST", rt.path(), form)
		if p.status != http.StatusOK {
			t.Fatalf("nobody takes them: %d", p.status)
		}
		p.has(t, "We have not sent your request.", "Ask your GP practice", `value="1940"`)
		if n := len(rt.referrals()); n != 1 {
			t.Fatalf("%d referrals after the ones refused, want 1", n)
		}

		// A place where no scheme takes self-referrals says so before anyone fills anything in.
		p = rt.do("GET", "/refer?place="+id64(rt.empty.ID), nil)
		p.has(t, "No scheme in Kirklees takes requests from people themselves yet", "Ask your GP practice")
		if strings.Contains(p.body, `name="started"`) {
			t.Error("a form is offered where nobody takes it")
		}
	})
}

func TestSelfReferralRateLimit(t *testing.T) {
	rt := newReferTest(t, sqldbtest.Open(t, "sqlite"))
	rt.address = "198.51.100.7:1000"
	var last response
	for range 11 {
		last = rt.do("POST", rt.path(), url.Values{"given_name": {"Bot"}})
	}
	if last.status != http.StatusTooManyRequests {
		t.Fatalf("11th form from one address: %d, want 429", last.status)
	}
	last.has(t, "a lot of forms have been sent from your network")
	// Another address is not held up, and a real person there gets through.
	rt.address = "198.51.100.8:1000"
	form := rt.form()
	rt.clock = rt.clock.Add(time.Minute)
	if p := rt.do("POST", rt.path(), form); p.status != http.StatusSeeOther {
		t.Fatalf("another address: %d", p.status)
	}
	if n := len(rt.referrals()); n != 1 {
		t.Fatalf("%d referrals, want 1", n)
	}
}

// randomKey is a signing key of its own for a test.
func randomKey(t *testing.T) []byte {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	return key
}

func TestReferToken(t *testing.T) {
	g := newReferGuard(randomKey(t))
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	g.now = func() time.Time { return now }
	tok := g.token(7)
	for _, c := range []struct {
		after time.Duration
		place int64
		token string
		want  bool
	}{
		{0, 7, tok, false},
		{2 * time.Second, 7, tok, false},
		{3 * time.Second, 7, tok, true},
		{time.Hour, 7, tok, true},
		{2 * time.Hour, 7, tok, true},
		{2*time.Hour + time.Second, 7, tok, false},
		{time.Minute, 8, tok, false}, // another place's form
		{time.Minute, 7, "", false},
		{time.Minute, 7, "123", false},
		{time.Minute, 7, tok + "x", false},
		{time.Minute, 7, "1" + tok, false},
	} {
		g.now = func() time.Time { return now.Add(c.after) }
		if got := g.fresh(c.token, c.place); got != c.want {
			t.Errorf("token %q for place %d after %s: fresh=%v, want %v", c.token, c.place, c.after, got, c.want)
		}
	}
	// Another key does not sign the same.
	if newReferGuard(randomKey(t)).fresh(tok, 7) {
		t.Error("a token from another key is accepted")
	}
}
