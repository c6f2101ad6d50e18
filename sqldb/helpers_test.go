package sqldb_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"linkwork"
	"linkwork/sqldb"
)

// Passwords the tests use. Each hash costs tens of milliseconds, so tests make few users.
const (
	password1 = "correct horse battery staple"
	password2 = "purple monkey dishwasher"
	password3 = "tangerine kettle umbrella"
)

// clock is a fake time for a database: tests move it forward to expire sessions, links and
// locks. It starts at a time with microseconds, the precision both databases keep.
type clock struct{ now time.Time }

func useClock(db *sqldb.DB) *clock {
	c := &clock{now: time.Date(2030, time.March, 4, 9, 30, 15, 123456000, time.UTC)}
	db.Now = func() time.Time { return c.now }
	return c
}

func (c *clock) advance(d time.Duration) { c.now = c.now.Add(d) }

// wantCode fails the test unless err is a linkwork.Error with the code and, when field is
// not empty, the field.
func wantCode(t *testing.T, err error, code, field string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s (field %q)", code, field)
	}
	var e *linkwork.Error
	if !errors.As(err, &e) {
		t.Fatalf("got %T %v, want a *linkwork.Error with code %s", err, err, code)
	}
	if e.Code != code {
		t.Fatalf("got code %s (%v), want %s", e.Code, err, code)
	}
	if field != "" && e.Field != field {
		t.Fatalf("got field %q (%v), want %q", e.Field, err, field)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func mustPlace(t *testing.T, db *sqldb.DB, name string) *linkwork.Place {
	t.Helper()
	p := &linkwork.Place{Name: name}
	must(t, sqldb.NewPlaceService(db).CreatePlace(t.Context(), p))
	return p
}

func mustOrg(t *testing.T, db *sqldb.DB, placeID int64, name string, sector linkwork.Sector) *linkwork.Organisation {
	t.Helper()
	o := &linkwork.Organisation{PlaceID: placeID, Name: name, Sector: sector}
	must(t, sqldb.NewOrganisationService(db).CreateOrganisation(t.Context(), o))
	return o
}

func mustUser(t *testing.T, db *sqldb.DB, email, name string, orgID int64, role linkwork.Role) *linkwork.User {
	t.Helper()
	u, err := sqldb.NewUserService(db).CreateUser(t.Context(), &linkwork.NewUser{
		Email: email, Name: name, Password: password1, OrganisationID: orgID, Role: role})
	must(t, err)
	return u
}

// world is a small place with two organisations and an administrator.
type world struct {
	db      *sqldb.DB
	clock   *clock
	svc     linkwork.Services
	york    *linkwork.Place
	council *linkwork.Organisation
	gp      *linkwork.Organisation
	admin   *linkwork.User
}

func newWorld(t *testing.T, db *sqldb.DB) *world {
	t.Helper()
	w := &world{db: db, clock: useClock(db), svc: db.Services()}
	w.york = mustPlace(t, db, "York")
	w.council = mustOrg(t, db, w.york.ID, "City of York Council", linkwork.SectorCouncil)
	w.gp = mustOrg(t, db, w.york.ID, "Priory Medical Group", linkwork.SectorNHS)
	w.admin = mustUser(t, db, "admin@york.example", "Ada Admin", w.council.ID, linkwork.RoleAdmin)
	return w
}

// allAudit returns the whole audit trail, newest first.
func allAudit(t *testing.T, db *sqldb.DB) []*linkwork.AuditEvent {
	t.Helper()
	var out []*linkwork.AuditEvent
	for n := 1; ; n++ {
		es, total, err := sqldb.NewAuditService(db).ListAudit(t.Context(), linkwork.AuditFilter{
			Page: linkwork.Page{Number: n, Size: linkwork.MaxPageSize}})
		must(t, err)
		out = append(out, es...)
		if len(out) >= total || len(es) == 0 {
			return out
		}
	}
}

// auditWith returns the events with the action (and record ID, when not empty), newest first.
func auditWith(t *testing.T, db *sqldb.DB, action, recordID string) []*linkwork.AuditEvent {
	t.Helper()
	var out []*linkwork.AuditEvent
	for _, e := range allAudit(t, db) {
		if e.Action == action && (recordID == "" || e.RecordID == recordID) {
			out = append(out, e)
		}
	}
	return out
}

// oneAudit returns the only event with the action and record ID, failing otherwise.
func oneAudit(t *testing.T, db *sqldb.DB, action, recordID string) *linkwork.AuditEvent {
	t.Helper()
	es := auditWith(t, db, action, recordID)
	if len(es) != 1 {
		t.Fatalf("got %d audit events %s for record %q, want 1", len(es), action, recordID)
	}
	return es[0]
}

func idStr(id int64) string { return strconv.FormatInt(id, 10) }

// countRows returns the number of rows in a table that match an optional condition.
func countRows(t *testing.T, db *sqldb.DB, table, cond string, args ...any) int {
	t.Helper()
	q := "SELECT COUNT(*) FROM " + table
	if cond != "" {
		q += " WHERE " + cond
	}
	var n int
	must(t, db.QueryRow(context.Background(), q, args, &n))
	return n
}

// holdLock holds a lock until it is released: on PostgreSQL the locks the statement takes,
// in a transaction of its own; on SQLite the database's write lock.
func holdLock(t *testing.T, db *sqldb.DB, postgresQuery string, args ...any) *sqldb.LockHolder {
	t.Helper()
	if db.Dialect() == "sqlite" {
		postgresQuery, args = "", nil
	}
	h, err := db.HoldLock(t.Context(), postgresQuery, args...)
	must(t, err)
	t.Cleanup(func() { _ = h.Release() })
	return h
}

// waitForWaiters waits until n callers queue behind the holder's locks, or five seconds have
// passed. On SQLite, which cannot tell, it waits a while for the callers to finish hashing
// passwords and queue for the write lock.
func waitForWaiters(t *testing.T, db *sqldb.DB, h *sqldb.LockHolder, n int) {
	t.Helper()
	if db.Dialect() == "sqlite" {
		time.Sleep(200 * time.Millisecond)
		return
	}
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		got, err := h.Waiters(t.Context())
		must(t, err)
		if got >= n {
			return
		}
	}
	t.Logf("fewer than %d callers were seen queueing for the lock", n)
}
