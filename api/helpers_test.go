package api_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"linkwork"
	"linkwork/api"
	"linkwork/authz"
	"linkwork/server"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// testPassword is every fixture user's password. Each user costs an argon2 hash (tens of
// milliseconds), so fixtures make few.
const testPassword = "correct horse battery staple"

// baseURL is the address the test server believes it is reached at.
const baseURL = "https://linkwork.example.org"

// TestMain runs the tests and then, when the whole suite ran, checks that every operation
// in openapi.json was exercised on every database with a success and with an error, and
// that every status the document declares was seen.
//
// The tests wait on database commits far more than on the CPU, so unless -parallel is given
// they run more than GOMAXPROCS at a time.
func TestMain(m *testing.M) {
	flag.Parse()
	parallelSet := false
	flag.Visit(func(f *flag.Flag) { parallelSet = parallelSet || f.Name == "test.parallel" })
	if !parallelSet {
		_ = flag.Set("test.parallel", "8")
	}
	code := m.Run()
	if code != 0 || flag.Lookup("test.run").Value.String() != "" || flag.Lookup("test.skip").Value.String() != "" {
		os.Exit(code)
	}
	d, err := loadDoc()
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	var missing []string
	for _, dialect := range sqldbtest.Dialects() {
		for _, op := range d.operations() {
			seen := coverage.seen[dialect][op]
			if !seen[0] {
				missing = append(missing, dialect+": "+op+" was never answered with success")
			}
			if !seen[1] {
				missing = append(missing, dialect+": "+op+" was never answered with an error")
			}
		}
	}
	// Every status the document declares is one the API really gives.
	for _, op := range d.operations() {
		method, tmpl, _ := strings.Cut(op, " ")
		responses, _ := d.at(d.operationPtr(method, tmpl) + "/responses").(map[string]any)
		for code := range responses {
			if !coverage.statuses[op+" "+code] {
				missing = append(missing, op+" was never answered "+code+", which openapi.json declares")
			}
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		fmt.Println("FAIL: operations of openapi.json the tests did not exercise:\n\t" + strings.Join(missing, "\n\t"))
		os.Exit(1)
	}
	os.Exit(code)
}

// coverage records, per database, which operations were answered with success ([0]) and
// with an error ([1]), and on any database, which statuses each operation answered.
var coverage = struct {
	sync.Mutex
	seen     map[string]map[string][2]bool
	statuses map[string]bool // "METHOD template status"
}{seen: map[string]map[string][2]bool{}, statuses: map[string]bool{}}

func record(dialect, op string, status int) {
	coverage.Lock()
	defer coverage.Unlock()
	coverage.statuses[op+" "+strconv.Itoa(status)] = true
	if coverage.seen[dialect] == nil {
		coverage.seen[dialect] = map[string][2]bool{}
	}
	s := coverage.seen[dialect][op]
	if status < 300 {
		s[0] = true
	} else if status >= 400 {
		s[1] = true
	}
	coverage.seen[dialect][op] = s
}

// fixture is a small world for the API tests. Place A (York) has the organisations council
// and health; place B (Wakefield) has wakefield.
//
//	admin          administrator in council (place A)
//	manager        manager in health
//	worker         link worker in health
//	councilWorker  link worker in council
//	adminB         administrator in wakefield (place B)
type fixture struct {
	t       *testing.T
	db      *sqldb.DB
	svc     linkwork.Services
	srv     *server.Server
	doc     *apiDoc
	dialect string

	placeA, placeB             *linkwork.Place
	council, health, wakefield *linkwork.Organisation
	admin, manager, worker     *linkwork.User
	councilWorker, adminB      *linkwork.User
	tokens                     map[int64]string // API token by user ID
}

func newServer(t *testing.T, db *sqldb.DB) *server.Server {
	t.Helper()
	srv, err := server.New(server.Config{DB: db, Services: db.Services(), BaseURL: baseURL,
		Logger: slog.New(slog.DiscardHandler), Version: "test"})
	must(t, err)
	return srv
}

// newServerOnly returns a fixture with a server and an empty database.
func newServerOnly(t *testing.T, db *sqldb.DB) *fixture {
	t.Helper()
	return &fixture{t: t, db: db, svc: db.Services(), srv: newServer(t, db), doc: openAPIDoc(t),
		dialect: db.Dialect(), tokens: map[int64]string{}}
}

// newFixture returns a fixture with its places, organisations and users, each user with an
// API token for their place.
func newFixture(t *testing.T, db *sqldb.DB) *fixture {
	t.Helper()
	f := newServerOnly(t, db)
	ctx := t.Context()
	f.placeA, f.placeB = &linkwork.Place{Name: "York"}, &linkwork.Place{Name: "Wakefield"}
	must(t, f.svc.Places.CreatePlace(ctx, f.placeA))
	must(t, f.svc.Places.CreatePlace(ctx, f.placeB))
	org := func(p *linkwork.Place, name string, s linkwork.Sector) *linkwork.Organisation {
		o := &linkwork.Organisation{PlaceID: p.ID, Name: name, Sector: s}
		must(t, f.svc.Organisations.CreateOrganisation(ctx, o))
		return o
	}
	f.council = org(f.placeA, "City of York Council", linkwork.SectorCouncil)
	f.health = org(f.placeA, "York Health PCN", linkwork.SectorNHS)
	f.wakefield = org(f.placeB, "Wakefield Council", linkwork.SectorCouncil)
	f.admin = f.user("admin@york.example.org", "Ada Admin", f.council, linkwork.RoleAdmin)
	f.manager = f.user("manager@york.example.org", "Mo Manager", f.health, linkwork.RoleManager)
	f.worker = f.user("worker@york.example.org", "Wyn Worker", f.health, linkwork.RoleLinkWorker)
	f.councilWorker = f.user("connector@york.example.org", "Cai Connector", f.council, linkwork.RoleLinkWorker)
	f.adminB = f.user("admin@wakefield.example.org", "Bea Admin", f.wakefield, linkwork.RoleAdmin)
	return f
}

// in returns a copy of the fixture that reports to t, for a subtest.
func (f *fixture) in(t *testing.T) *fixture {
	g := *f
	g.t = t
	return &g
}

// user creates a user with a membership and an API token.
func (f *fixture) user(email, name string, o *linkwork.Organisation, role linkwork.Role) *linkwork.User {
	f.t.Helper()
	u, err := f.svc.Users.CreateUser(f.t.Context(), &linkwork.NewUser{Email: email, Name: name, Password: testPassword,
		OrganisationID: o.ID, Role: role})
	must(f.t, err)
	secret, _, err := f.svc.Tokens.CreateToken(f.t.Context(), u.ID, o.PlaceID, "tests")
	must(f.t, err)
	f.tokens[u.ID] = secret
	return u
}

// client sends requests as one principal.
type client struct {
	f      *fixture
	auth   string       // the Authorization header, if any
	cookie *http.Cookie // the session cookie, if any
}

func (f *fixture) anon() *client                { return &client{f: f} }
func (f *fixture) bearer(secret string) *client { return &client{f: f, auth: "Bearer " + secret} }
func (f *fixture) as(u *linkwork.User) *client  { return f.bearer(f.tokens[u.ID]) }
func (f *fixture) header(auth string) *client   { return &client{f: f, auth: auth} }
func (f *fixture) withCookie(secret string) *client {
	return &client{f: f, cookie: &http.Cookie{Name: authz.SessionCookie, Value: secret}}
}

// result is an answer, already checked against openapi.json.
type result struct {
	t      *testing.T
	req    string
	status int
	header http.Header
	body   []byte
}

// do sends a request. body is nil for none, a string for raw bytes, or a value to encode as
// JSON. The answer is checked against the document (status declared, body and headers
// matching), and a request body the API accepted is checked against the documented one.
func (c *client) do(method, target string, body any) *result {
	t := c.f.t
	t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	default:
		var err error
		raw, err = json.Marshal(b)
		must(t, err)
	}
	var r *http.Request
	if body == nil {
		r = httptest.NewRequest(method, target, nil)
	} else {
		r = httptest.NewRequest(method, target, bytes.NewReader(raw))
		r.Header.Set("Content-Type", "application/json")
	}
	if c.auth != "" {
		r.Header.Set("Authorization", c.auth)
	}
	if c.cookie != nil {
		r.AddCookie(c.cookie)
	}
	w := httptest.NewRecorder()
	c.f.srv.ServeHTTP(w, r)
	res := &result{t: t, req: method + " " + target, status: w.Code, header: w.Header(), body: w.Body.Bytes()}

	u, err := url.Parse(target)
	must(t, err)
	op := c.f.doc.checkResponse(t, method, u.Path, res.status, res.header, res.body)
	if op != "" {
		record(c.f.dialect, op, res.status)
		tmpl := strings.TrimPrefix(op, method+" ")
		if ptr := c.f.doc.requestSchema(method, tmpl); ptr != "" && res.status < 300 {
			if err := c.f.doc.validate(ptr, raw); err != nil {
				t.Errorf("%s was accepted, but its body does not match openapi.json: %v\nbody: %s", res.req, err, raw)
			}
		}
	}
	return res
}

// want fails the test unless the answer has the status.
func (r *result) want(status int) *result {
	r.t.Helper()
	if r.status != status {
		r.t.Fatalf("%s: status %d, want %d; body %s", r.req, r.status, status, r.body)
	}
	return r
}

// decode reads the JSON body into v.
func (r *result) decode(v any) {
	r.t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		r.t.Fatalf("%s: %v; body %s", r.req, err, r.body)
	}
}

// wantError fails the test unless the answer is an error with the status, code and, when
// field is not "", the field (field "-" means no field). It returns the error.
func (r *result) wantError(status int, code, field string) api.ErrorDetail {
	r.t.Helper()
	r.want(status)
	var e api.ErrorBody
	r.decode(&e)
	if e.Error.Code != code {
		r.t.Errorf("%s: error code %q, want %q (%s)", r.req, e.Error.Code, code, r.body)
	}
	switch field {
	case "":
	case "-":
		if e.Error.Field != "" {
			r.t.Errorf("%s: error field %q, want none (%s)", r.req, e.Error.Field, r.body)
		}
	default:
		if e.Error.Field != field {
			r.t.Errorf("%s: error field %q, want %q (%s)", r.req, e.Error.Field, field, r.body)
		}
	}
	if e.Error.Message == "" || strings.HasPrefix(e.Error.Message, " ") {
		r.t.Errorf("%s: error message %q is empty or starts with a space", r.req, e.Error.Message)
	}
	if status == http.StatusUnauthorized {
		if got := r.header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
			r.t.Errorf("%s: 401 with WWW-Authenticate %q, want a Bearer challenge", r.req, got)
		}
	}
	return e.Error
}

// list is any paginated answer.
type list[T any] struct {
	Items   []T `json:"items"`
	Page    int `json:"page"`
	PerPage int `json:"per_page"`
	Total   int `json:"total"`
}

func decodeList[T any](r *result) list[T] {
	r.t.Helper()
	var l list[T]
	r.decode(&l)
	return l
}

func userIDs(users []linkwork.User) []int64 {
	ids := make([]int64, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

func sortedIDs(ids ...int64) []int64 {
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func idString(id int64) string { return strconv.FormatInt(id, 10) }

func path(format string, args ...any) string { return fmt.Sprintf(format, args...) }
