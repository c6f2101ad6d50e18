package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"linkwork"
	"linkwork/server"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

const password = "correct horse battery staple"

// site is a running linkwork with a place, two organisations and some users.
type site struct {
	t     testing.TB
	db    *sqldb.DB
	svc   linkwork.Services
	ts    *httptest.Server
	place *linkwork.Place
	orgA  *linkwork.Organisation
	orgB  *linkwork.Organisation
	admin *linkwork.User
}

func newSite(t testing.TB, db *sqldb.DB) *site {
	t.Helper()
	ctx := context.Background()
	s := &site{t: t, db: db, svc: db.Services()}
	s.place = &linkwork.Place{Name: "Calderdale"}
	must(t, s.svc.Places.CreatePlace(ctx, s.place))
	s.orgA = &linkwork.Organisation{PlaceID: s.place.ID, Name: "Calder PCN", Sector: linkwork.SectorNHS}
	s.orgB = &linkwork.Organisation{PlaceID: s.place.ID, Name: "Todmorden Garden", Sector: linkwork.SectorVCSE}
	must(t, s.svc.Organisations.CreateOrganisation(ctx, s.orgA))
	must(t, s.svc.Organisations.CreateOrganisation(ctx, s.orgB))
	s.admin = s.addUser("admin@example.org", s.orgA, linkwork.RoleAdmin)
	srv, err := server.New(server.Config{DB: db, Services: s.svc, BaseURL: "http://linkwork.test",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	must(t, err)
	s.ts = httptest.NewServer(srv)
	t.Cleanup(s.ts.Close)
	return s
}

func (s *site) addUser(email string, org *linkwork.Organisation, role linkwork.Role) *linkwork.User {
	s.t.Helper()
	u, err := s.svc.Users.CreateUser(context.Background(), &linkwork.NewUser{Email: email, Name: strings.Split(email, "@")[0],
		Password: password, OrganisationID: org.ID, Role: role})
	must(s.t, err)
	return u
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// browser is a client with its own cookies that does not follow redirects, so that tests
// see them.
type browser struct {
	s *site
	c *http.Client
}

func (s *site) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{s: s, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

type page struct {
	status   int
	location string
	body     string
}

func (b *browser) do(r *http.Request) page {
	b.s.t.Helper()
	res, err := b.c.Do(r)
	must(b.s.t, err)
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return page{status: res.StatusCode, location: res.Header.Get("Location"), body: string(body)}
}

func (b *browser) get(path string) page {
	b.s.t.Helper()
	r, _ := http.NewRequest("GET", b.s.ts.URL+path, nil)
	return b.do(r)
}

func (b *browser) post(path string, form url.Values) page {
	b.s.t.Helper()
	r, _ := http.NewRequest("POST", b.s.ts.URL+path, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(r)
}

func (b *browser) signIn(email, pw string) page {
	b.s.t.Helper()
	return b.post("/signin", url.Values{"email": {email}, "password": {pw}, "next": {"/"}})
}

func (p page) has(t testing.TB, what ...string) {
	t.Helper()
	for _, w := range what {
		if !strings.Contains(p.body, w) {
			t.Errorf("page (status %d) does not contain %q", p.status, w)
		}
	}
}

func TestSignInAndOut(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newSite(t, db)
		b := s.browser()
		// Signed out, the home page is the public landing page; signed-in pages send you to
		// sign in and back.
		b.get("/").has(t, "Find support in Calderdale", `href="/directory"`, `href="/signin"`)
		if p := b.get("/organisations"); p.status != http.StatusSeeOther || p.location != "/signin?next=%2Forganisations" {
			t.Fatalf("signed out GET /organisations: %d %q", p.status, p.location)
		}
		p := b.post("/signin", url.Values{"email": {"admin@example.org"}, "password": {password}, "next": {"/organisations"}})
		if p.status != http.StatusSeeOther || p.location != "/organisations" {
			t.Fatalf("sign in: %d %q", p.status, p.location)
		}
		b.get("/").has(t, "Calderdale", "Signed in as admin", "Audit trail")
		if p := b.post("/signout", nil); p.status != http.StatusSeeOther || p.location != "/signin" {
			t.Fatalf("sign out: %d %q", p.status, p.location)
		}
		b.get("/signin").has(t, "You have signed out.")
		if p := b.get("/account"); p.status != http.StatusSeeOther {
			t.Fatalf("after sign out GET /account: %d", p.status)
		}
		if p := b.get("/"); p.status != http.StatusOK || strings.Contains(p.body, "Signed in as") {
			t.Fatalf("after sign out GET /: %d, still signed in", p.status)
		}
	})
}

func TestSignInGivesNoHintAndLocksOut(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newSite(t, db)
		wrong := s.browser().signIn("admin@example.org", "not the password at all")
		unknown := s.browser().signIn("nobody@example.org", "not the password at all")
		if wrong.status != http.StatusUnauthorized || unknown.status != http.StatusUnauthorized {
			t.Fatalf("statuses %d and %d, want 401", wrong.status, unknown.status)
		}
		msg := "The email address or password is not right."
		wrong.has(t, msg)
		unknown.has(t, msg)
		// Four more wrong passwords make five in a row: the account locks.
		for range linkwork.MaxFailedSignIns - 1 {
			s.browser().signIn("admin@example.org", "still not the password")
		}
		locked := s.browser().signIn("admin@example.org", password)
		if locked.status != http.StatusUnauthorized {
			t.Fatalf("right password on a locked account: %d, want 401", locked.status)
		}
		locked.has(t, msg)
		events, _, err := s.svc.Audit.ListAudit(context.Background(), linkwork.AuditFilter{Action: linkwork.AuditUserLocked})
		must(t, err)
		if len(events) != 1 || events[0].RecordID != strconv.FormatInt(s.admin.ID, 10) {
			t.Fatalf("lock not audited: %+v", events)
		}
		must(t, s.svc.Users.UnlockUser(context.Background(), s.admin.ID))
		if p := s.browser().signIn("admin@example.org", password); p.status != http.StatusSeeOther {
			t.Fatalf("after unlock: %d", p.status)
		}
	})
}

func TestSignInRateLimitPerAddress(t *testing.T) {
	s := newSite(t, sqldbtest.Open(t, "sqlite"))
	var last page
	for range 11 {
		last = s.browser().post("/signin", url.Values{"email": {"x@example.org"}, "password": {""}})
	}
	if last.status != http.StatusTooManyRequests {
		t.Fatalf("11th attempt from one address: %d, want 429", last.status)
	}
	last.has(t, "too many sign-in attempts")
}

func TestSignInNextCannotLeaveTheSite(t *testing.T) {
	s := newSite(t, sqldbtest.Open(t, "sqlite"))
	for _, next := range []string{"//evil.example/x", "https://evil.example", `/\evil.example`, "javascript:alert(1)"} {
		p := s.browser().post("/signin", url.Values{"email": {"admin@example.org"}, "password": {password}, "next": {next}})
		if p.location != "/" {
			t.Errorf("next=%q redirected to %q, want /", next, p.location)
		}
	}
}

func TestSetup(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		svc := db.Services()
		srv, err := server.New(server.Config{DB: db, Services: svc, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		must(t, err)
		ts := httptest.NewServer(srv)
		defer ts.Close()
		s := &site{t: t, db: db, svc: svc, ts: ts}
		token, err := svc.Links.CreateSetupLink(context.Background())
		must(t, err)
		b := s.browser()
		if p := b.get("/setup?token=wrong"); p.status != http.StatusNotFound {
			t.Fatalf("setup with a wrong token: %d", p.status)
		}
		b.get("/setup?token="+url.QueryEscape(token)).has(t, "Set up linkwork", `name="place_name"`)
		form := url.Values{"token": {token}, "place_name": {"York"}, "organisation_name": {"York CVS"}, "sector": {"vcse"},
			"name": {"Ada Admin"}, "email": {"ada@example.org"}, "password": {password}, "confirm_password": {"different"}}
		p := b.post("/setup", form)
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("mismatched passwords: %d", p.status)
		}
		p.has(t, "There is a problem", "The passwords do not match.", `value="York"`, "<title>Error: ")
		if strings.Contains(p.body, password) {
			t.Error("the password was sent back in the page")
		}
		if n, _ := svc.Users.CountUsers(context.Background()); n != 0 {
			t.Fatalf("a failed setup created %d users", n)
		}
		form.Set("confirm_password", password)
		if p := b.post("/setup", form); p.status != http.StatusSeeOther || p.location != "/" {
			t.Fatalf("setup: %d %q %s", p.status, p.location, p.body)
		}
		b.get("/").has(t, "linkwork is set up", "York", "Administrator at York CVS")
		if p := s.browser().get("/setup?token=" + url.QueryEscape(token)); p.status != http.StatusNotFound {
			t.Fatalf("setup link used twice: %d", p.status)
		}
	})
}

func TestNewUserMustChangePassword(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newSite(t, db)
		admin := s.browser()
		admin.signIn("admin@example.org", password)
		p := admin.post("/users", url.Values{"name": {"Lee Worker"}, "email": {"Lee@Example.org"},
			"organisation_id": {strconv.FormatInt(s.orgA.ID, 10)}, "role": {"link_worker"}, "password": {"temporary password 1"}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("create user: %d %s", p.status, p.body)
		}
		lee := s.browser()
		if p := lee.signIn("lee@example.org", "temporary password 1"); p.location != "/account" {
			t.Fatalf("first sign-in went to %q, want /account", p.location)
		}
		if p := lee.get("/organisations"); p.status != http.StatusSeeOther || p.location != "/account" {
			t.Fatalf("before changing the password, /organisations: %d %q", p.status, p.location)
		}
		lee.get("/account").has(t, "An administrator set your password")
		p = lee.post("/account/password", url.Values{"current_password": {"temporary password 1"},
			"password": {"my own good password"}, "confirm_password": {"my own good password"}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("change password: %d %s", p.status, p.body)
		}
		lee.get("/organisations").has(t, "Calder PCN")
		if p := lee.get("/users"); p.status != http.StatusForbidden {
			t.Fatalf("link worker GET /users: %d", p.status)
		}
	})
}

func TestFormErrorsNameTheField(t *testing.T) {
	s := newSite(t, sqldbtest.Open(t, "sqlite"))
	b := s.browser()
	b.signIn("admin@example.org", password)
	p := b.post("/organisations", url.Values{"name": {""}, "sector": {"banking"}})
	if p.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", p.status)
	}
	p.has(t, `href="#name"`, "Enter a name.", "nhsuk-form-group--error")
	p = b.post("/organisations", url.Values{"name": {"Calder PCN"}, "sector": {"nhs"}})
	p.has(t, "There is already an organisation called")
	p = b.post("/users", url.Values{"name": {"X"}, "email": {"not-an-email"}, "organisation_id": {strconv.FormatInt(s.orgA.ID, 10)},
		"role": {"link_worker"}, "password": {"long enough password"}})
	p.has(t, "Enter an email address in the form name@example.org.")
	p = b.post("/users", url.Values{"name": {"X"}, "email": {"x@example.org"}, "organisation_id": {"99999"},
		"role": {"link_worker"}, "password": {"long enough password"}})
	p.has(t, "Choose an organisation in Calderdale.")
}

func TestManagerSeesOwnOrganisationOnly(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newSite(t, db)
		s.addUser("manager@example.org", s.orgA, linkwork.RoleManager)
		inA := s.addUser("worker.a@example.org", s.orgA, linkwork.RoleLinkWorker)
		inB := s.addUser("worker.b@example.org", s.orgB, linkwork.RoleLinkWorker)
		b := s.browser()
		b.signIn("manager@example.org", password)
		p := b.get("/users")
		p.has(t, "worker.a@example.org", "everyone in Calder PCN")
		if strings.Contains(p.body, "worker.b@example.org") {
			t.Error("a manager sees a user of another organisation in the list")
		}
		b.get("/users/"+strconv.FormatInt(inA.ID, 10)).has(t, "worker.a@example.org")
		if p := b.get("/users/" + strconv.FormatInt(inB.ID, 10)); p.status != http.StatusNotFound {
			t.Errorf("manager GET a user of another organisation: %d, want 404", p.status)
		}
		if strings.Contains(b.get("/organisations/"+strconv.FormatInt(s.orgB.ID, 10)).body, "worker.b@example.org") {
			t.Error("a manager sees the members of another organisation")
		}
	})
}

func TestPlacesAreSeparate(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newSite(t, db)
		ctx := context.Background()
		other := &linkwork.Place{Name: "Wakefield"}
		must(t, s.svc.Places.CreatePlace(ctx, other))
		org := &linkwork.Organisation{PlaceID: other.ID, Name: "Wakefield Council", Sector: linkwork.SectorCouncil}
		must(t, s.svc.Organisations.CreateOrganisation(ctx, org))
		u := s.addUser("w@example.org", org, linkwork.RoleLinkWorker)
		b := s.browser()
		b.signIn("admin@example.org", password)
		for _, path := range []string{"/organisations/" + strconv.FormatInt(org.ID, 10), "/users/" + strconv.FormatInt(u.ID, 10),
			"/organisations/" + strconv.FormatInt(org.ID, 10) + "/edit"} {
			if p := b.get(path); p.status != http.StatusNotFound {
				t.Errorf("admin of Calderdale GET %s (Wakefield): %d, want 404", path, p.status)
			}
		}
		if strings.Contains(b.get("/organisations").body, "Wakefield Council") || strings.Contains(b.get("/users").body, "w@example.org") {
			t.Error("another place's records are listed")
		}
		p := b.post("/users", url.Values{"name": {"X"}, "email": {"x@example.org"}, "organisation_id": {strconv.FormatInt(org.ID, 10)},
			"role": {"admin"}, "password": {"long enough password"}})
		if p.status != http.StatusUnprocessableEntity {
			t.Errorf("admin made a user in another place's organisation: %d", p.status)
		}
	})
}

func TestViewsOfPersonalDataAreAudited(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newSite(t, db)
		worker := s.addUser("worker@example.org", s.orgB, linkwork.RoleLinkWorker)
		b := s.browser()
		b.signIn("admin@example.org", password)
		b.get("/users/" + strconv.FormatInt(worker.ID, 10))
		b.get("/users")
		events, _, err := s.svc.Audit.ListAudit(context.Background(), linkwork.AuditFilter{PlaceID: s.place.ID, ActorUserID: s.admin.ID})
		must(t, err)
		var actions []string
		for _, e := range events {
			actions = append(actions, e.Action+":"+e.RecordID)
		}
		got := strings.Join(actions, " ")
		for _, want := range []string{"user.view:" + strconv.FormatInt(worker.ID, 10), "user.list:", "session.sign_in:"} {
			if !strings.Contains(got, want) {
				t.Errorf("audit trail %q lacks %q", got, want)
			}
		}
		p := b.get("/audit?action=user.")
		p.has(t, "user.view", "admin@example.org")
		if p := b.get("/audit?from=yesterday"); p.status != http.StatusUnprocessableEntity {
			t.Errorf("bad date: %d", p.status)
		}
	})
}

func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newSite(t, db)
		laptop, phone := s.browser(), s.browser()
		laptop.signIn("admin@example.org", password)
		phone.signIn("admin@example.org", password)
		p := laptop.post("/account/password", url.Values{"current_password": {"wrong"}, "password": {"a new good password"},
			"confirm_password": {"a new good password"}})
		p.has(t, "Your current password is not right.")
		p = laptop.post("/account/password", url.Values{"current_password": {password}, "password": {"a new good password"},
			"confirm_password": {"a new good password"}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("change: %d", p.status)
		}
		if laptop.get("/account").status != http.StatusOK {
			t.Error("the session that changed the password was ended")
		}
		if phone.get("/account").status != http.StatusSeeOther {
			t.Error("another session survived a password change")
		}
	})
}

func TestResetLink(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newSite(t, db)
		worker := s.addUser("worker@example.org", s.orgA, linkwork.RoleLinkWorker)
		old := s.browser()
		old.signIn("worker@example.org", password)
		admin := s.browser()
		admin.signIn("admin@example.org", password)
		p := admin.post("/users/"+strconv.FormatInt(worker.ID, 10)+"/reset-link", nil)
		p.has(t, "Give worker this link")
		i := strings.Index(p.body, "http://linkwork.test/reset?token=")
		if i < 0 {
			t.Fatal("no reset link on the page")
		}
		link := p.body[i+len("http://linkwork.test") : i+strings.Index(p.body[i:], "<")]
		token, _ := url.QueryUnescape(strings.TrimPrefix(link, "/reset?token="))
		b := s.browser()
		b.get(link).has(t, "Choose a new password")
		if p := b.post("/reset", url.Values{"token": {token}, "password": {"short"}, "confirm_password": {"short"}}); p.status != http.StatusUnprocessableEntity {
			t.Fatalf("short password: %d", p.status)
		}
		if p := b.post("/reset", url.Values{"token": {token}, "password": {"brand new password"}, "confirm_password": {"brand new password"}}); p.location != "/signin" {
			t.Fatalf("reset: %d %q", p.status, p.location)
		}
		if old.get("/account").status != http.StatusSeeOther {
			t.Error("the user's old session survived a reset")
		}
		if p := s.browser().signIn("worker@example.org", "brand new password"); p.status != http.StatusSeeOther {
			t.Errorf("sign in with the new password: %d", p.status)
		}
		if p := b.get(link); p.status != http.StatusNotFound {
			t.Errorf("reset link reused: %d", p.status)
		}
	})
}

func TestTokensPage(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newSite(t, db)
		b := s.browser()
		b.signIn("admin@example.org", password)
		p := b.post("/account/tokens", url.Values{"name": {"weekly report"}})
		p.has(t, "Copy your new token now", linkwork.APITokenPrefix)
		i := strings.Index(p.body, `<code id="new-token">`) + len(`<code id="new-token">`)
		secret := p.body[i : i+strings.Index(p.body[i:], "<")]
		req, _ := http.NewRequest("GET", s.ts.URL+"/api/v1/me", nil)
		req.Header.Set("Authorization", "Bearer "+secret)
		res, err := http.DefaultClient.Do(req)
		must(t, err)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("the new token does not work: %d", res.StatusCode)
		}
		list := b.get("/account/tokens")
		list.has(t, "weekly report")
		if strings.Contains(list.body, secret) {
			t.Error("the token's secret is shown again")
		}
		tokens, err := s.svc.Tokens.ListTokens(context.Background(), s.admin.ID)
		must(t, err)
		b.post("/account/tokens/"+strconv.FormatInt(tokens[0].ID, 10)+"/revoke", nil)
		res, err = http.DefaultClient.Do(req)
		must(t, err)
		res.Body.Close()
		if res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("a revoked token works: %d", res.StatusCode)
		}
	})
}

// TestEveryPageRenders opens every page an administrator can reach, and the error pages,
// checking each renders whole with a heading.
func TestEveryPageRenders(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newSite(t, db)
		other := &linkwork.Place{Name: "Wakefield"}
		must(t, s.svc.Places.CreatePlace(context.Background(), other))
		org := &linkwork.Organisation{PlaceID: other.ID, Name: "Wakefield Council", Sector: linkwork.SectorCouncil}
		must(t, s.svc.Organisations.CreateOrganisation(context.Background(), org))
		must(t, s.svc.Users.AddMembership(context.Background(), s.admin.ID, org.ID, linkwork.RoleAdmin))
		b := s.browser()
		b.signIn("admin@example.org", password)
		id := strconv.FormatInt(s.orgA.ID, 10)
		uid := strconv.FormatInt(s.admin.ID, 10)
		sid := strconv.FormatInt(s.addService(s.orgA, "Knit and Natter", linkwork.StatusActive).ID, 10)
		entry := &linkwork.Practitioner{PlaceID: s.place.ID, Name: "Lee Worker", OrganisationID: s.orgA.ID}
		must(t, s.svc.Practitioners.CreatePractitioner(context.Background(), entry))
		pid := strconv.FormatInt(entry.ID, 10)
		pages := map[string]int{"/": 200, "/account": 200, "/account/tokens": 200, "/organisations": 200,
			"/organisations?sector=nhs&page=2": 200, "/organisations/new": 200, "/organisations/" + id: 200,
			"/organisations/" + id + "/edit": 200, "/users": 200, "/users/new": 200, "/users/" + uid: 200, "/audit": 200,
			"/services": 200, "/services?tab=verify&kind=activity&organisation=" + id: 200, "/services/new": 200,
			"/services/new?kind=activity": 200, "/services/new?kind=connector_scheme": 200, "/services/" + sid + "/edit": 200,
			"/directory/services/" + sid: 200, "/practitioners": 200, "/practitioners?q=lee&page=2": 200, "/practitioners/me": 200,
			"/practitioners/new": 200, "/practitioners/" + pid: 200, "/practitioners/" + pid + "/edit": 200, "/taxonomies": 200,
			"/no/such/page": 404, "/organisations/abc": 404, "/users/999999": 404, "/directory/services/999999": 404,
			"/services/999999/edit": 404, "/practitioners/999999": 404,
			"/directory": 200, "/directory?q=knit&free=true&kind=activity&day=1&time=morning&age=40&page=2": 200,
			"/directory?age=old&kind=nonsense": 422, "/directory?place=" + strconv.FormatInt(other.ID, 10): 200,
			"/directory?place=999999": 404}
		for path, status := range pages {
			p := b.get(path)
			if p.status != status {
				t.Errorf("GET %s: %d, want %d", path, p.status, status)
			}
			if !strings.Contains(p.body, "<h1") || !strings.HasSuffix(strings.TrimSpace(p.body), "</html>") {
				t.Errorf("GET %s: not a whole page", path)
			}
		}
		// With places to choose from, the account page offers them.
		b.get("/account").has(t, "Work in another place", "Wakefield")
		p := b.post("/account/place", url.Values{"place_id": {strconv.FormatInt(other.ID, 10)}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("switch place: %d", p.status)
		}
		b.get("/organisations").has(t, "Wakefield Council")
		anon := s.browser()
		place := strconv.FormatInt(s.place.ID, 10)
		for path, status := range map[string]int{"/signin": 200, "/setup?token=x": 404, "/reset?token=x": 404, "/directory/services/" + sid: 200,
			"/": 200, "/directory": 200, "/directory?place=" + place: 200, "/directory?place=" + place + "&q=knit&page=3": 200,
			"/directory?place=" + place + "&age=200&postcode=x": 422, "/directory?place=x": 404} {
			p := anon.get(path)
			if p.status != status {
				t.Errorf("GET %s anonymous: %d, want %d", path, p.status, status)
			}
			if !strings.Contains(p.body, "<h1") || !strings.HasSuffix(strings.TrimSpace(p.body), "</html>") {
				t.Errorf("GET %s anonymous: not a whole page", path)
			}
		}
	})
}

func TestEmptyFormListsEveryProblem(t *testing.T) {
	s := newSite(t, sqldbtest.Open(t, "sqlite"))
	b := s.browser()
	b.signIn("admin@example.org", password)
	p := b.post("/users", url.Values{"name": {""}, "email": {""}, "organisation_id": {strconv.FormatInt(s.orgA.ID, 10)}, "role": {""}, "password": {""}})
	if p.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", p.status)
	}
	p.has(t, `href="#name"`, `href="#email"`, `href="#role"`, `href="#password"`, "Enter a name.", "Enter an email address.")
	// The summary lists them in the order the form shows the fields.
	if strings.Index(p.body, `href="#name"`) > strings.Index(p.body, `href="#password"`) {
		t.Error("the error summary is not in the form's order")
	}
}
