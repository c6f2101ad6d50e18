package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"linkwork"
	"linkwork/authz"
	"linkwork/server"
	"linkwork/sqldb"
)

// testPassword is every fixture user's password.
const testPassword = "correct horse battery staple"

// fixture is a small place for the server tests: place A with organisations X and Y, a
// user for every role in X, a link worker in Y, and place B with an administrator; in the
// directory, a running community offer of X and an entry for a link worker X employs.
type fixture struct {
	srv      *server.Server
	db       *sqldb.DB
	svc      linkwork.Services
	placeA   *linkwork.Place
	placeB   *linkwork.Place
	orgX     *linkwork.Organisation
	orgY     *linkwork.Organisation
	orgB     *linkwork.Organisation
	users    map[string]*linkwork.User // by role, all in X
	otherY   *linkwork.User            // a link worker in Y
	adminB   *linkwork.User
	sessions map[string]string // session secret by role
	tokens   map[string]string // API token by role

	// service is a community offer run by X; practitioner a link worker employed by X.
	service      *linkwork.Service
	practitioner *linkwork.Practitioner
}

func newFixture(t *testing.T, db *sqldb.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{db: db, svc: db.Services(), users: map[string]*linkwork.User{}, sessions: map[string]string{}, tokens: map[string]string{}}
	f.placeA = &linkwork.Place{Name: "Calderdale"}
	f.placeB = &linkwork.Place{Name: "Wakefield"}
	for _, p := range []*linkwork.Place{f.placeA, f.placeB} {
		must(t, f.svc.Places.CreatePlace(ctx, p))
	}
	f.orgX = &linkwork.Organisation{PlaceID: f.placeA.ID, Name: "Calder PCN", Sector: linkwork.SectorNHS}
	f.orgY = &linkwork.Organisation{PlaceID: f.placeA.ID, Name: "Halifax Voluntary Action", Sector: linkwork.SectorVCSE}
	f.orgB = &linkwork.Organisation{PlaceID: f.placeB.ID, Name: "Wakefield Council", Sector: linkwork.SectorCouncil}
	for _, o := range []*linkwork.Organisation{f.orgX, f.orgY, f.orgB} {
		must(t, f.svc.Organisations.CreateOrganisation(ctx, o))
	}
	add := func(email string, org *linkwork.Organisation, role linkwork.Role) *linkwork.User {
		u, err := f.svc.Users.CreateUser(ctx, &linkwork.NewUser{Email: email, Name: strings.Split(email, "@")[0],
			Password: testPassword, OrganisationID: org.ID, Role: role})
		must(t, err)
		return u
	}
	for _, r := range linkwork.Roles {
		u := add(string(r)+"@example.org", f.orgX, r)
		f.users[string(r)] = u
		f.renewSession(t, string(r))
		token, _, err := f.svc.Tokens.CreateToken(ctx, u.ID, f.placeA.ID, "tests")
		must(t, err)
		f.tokens[string(r)] = token
	}
	f.otherY = add("other@example.org", f.orgY, linkwork.RoleLinkWorker)
	f.adminB = add("admin.b@example.org", f.orgB, linkwork.RoleAdmin)
	f.service = &linkwork.Service{PlaceID: f.placeA.ID, OrganisationID: f.orgX.ID, Kind: linkwork.KindActivity,
		Name: "Calder Walking Group", Description: "A weekly walk.", Status: linkwork.StatusActive, Free: true}
	must(t, f.svc.Directory.CreateService(ctx, f.service))
	f.practitioner = &linkwork.Practitioner{PlaceID: f.placeA.ID, Name: "Pat Practitioner", OrganisationID: f.orgX.ID}
	must(t, f.svc.Practitioners.CreatePractitioner(ctx, f.practitioner))
	srv, err := server.New(server.Config{DB: db, Services: f.svc, BaseURL: "http://linkwork.test",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Version: "test"})
	must(t, err)
	f.srv = srv
	return f
}

// renewSession starts a new browser session for the role's user.
func (f *fixture) renewSession(t testing.TB, role string) {
	t.Helper()
	secret, _, err := f.svc.Sessions.CreateSession(context.Background(), f.users[role].ID, f.placeA.ID, "192.0.2.1", "test")
	must(t, err)
	f.sessions[role] = secret
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// request sends a request as a role: web routes with the role's session cookie, API routes
// with its bearer token; "anonymous" with neither.
func (f *fixture) request(method, path, role string, body string) *http.Response {
	var r *http.Request
	if body == "" {
		r = httptest.NewRequest(method, path, nil)
	} else {
		r = httptest.NewRequest(method, path, strings.NewReader(body))
	}
	isAPI := strings.HasPrefix(path, "/api/")
	switch {
	case isAPI && body != "":
		r.Header.Set("Content-Type", "application/json")
	case body != "":
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if role != "anonymous" && role != "" {
		if isAPI {
			r.Header.Set("Authorization", "Bearer "+f.tokens[role])
		} else {
			r.AddCookie(&http.Cookie{Name: authz.SessionCookie, Value: f.sessions[role]})
		}
	}
	w := httptest.NewRecorder()
	f.srv.ServeHTTP(w, r)
	return w.Result()
}
