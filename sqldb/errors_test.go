package sqldb_test

import (
	"strings"
	"testing"
	"time"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// Driver errors reach callers as domain errors, translated by code: never a raw driver error
// whose text might leak into a page.
func TestErrorTranslation(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		ctx := t.Context()
		now := w.clock.now

		raw := []struct {
			name, query string
			args        []any
			code        string
		}{
			{"unique index on an expression", "INSERT INTO places (name, created_at) VALUES (?, ?)", []any{"YORK", now}, linkwork.ECONFLICT},
			{"unique column", "INSERT INTO users (email, name, password_hash, password_changed_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
				[]any{w.admin.Email, "x", "x", now, now, now}, linkwork.ECONFLICT},
			{"primary key", "INSERT INTO memberships (user_id, organisation_id, role, created_at) VALUES (?, ?, ?, ?)",
				[]any{w.admin.ID, w.council.ID, "manager", now}, linkwork.ECONFLICT},
			{"foreign key", "INSERT INTO organisations (place_id, name, sector, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
				[]any{w.york.ID + 1000, "Ghost", "nhs", now, now}, linkwork.EINVALID},
			{"check", "INSERT INTO organisations (place_id, name, sector, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
				[]any{w.york.ID, "Bank", "bank", now, now}, linkwork.EINVALID},
			{"not null", "INSERT INTO places (name, created_at) VALUES (?, ?)", []any{nil, now}, linkwork.EINVALID},
		}
		for _, r := range raw {
			if err := db.ExecDriver(ctx, r.query, r.args...); err == nil {
				t.Fatalf("%s: the database accepted it", r.name)
			}
			_, err := db.Exec(ctx, r.query, r.args...)
			wantCode(t, err, r.code, "")
			if msg := linkwork.ErrorMessage(err); strings.Contains(strings.ToLower(msg), "constraint") ||
				strings.Contains(msg, "SQLSTATE") || strings.Contains(msg, "places") {
				t.Errorf("%s: the message %q shows the driver's error", r.name, msg)
			}
		}

		// An error with no domain meaning stays internal, not dressed up as another code.
		_, err := db.Exec(ctx, "SELECT no_such_column FROM places")
		if linkwork.ErrorCode(err) != linkwork.EINTERNAL {
			t.Fatalf("a syntax error became %q: %v", linkwork.ErrorCode(err), err)
		}

		// Through the services, clashes are errors about the field concerned.
		svc := w.svc
		wantCode(t, svc.Places.CreatePlace(ctx, &linkwork.Place{Name: "york"}), linkwork.EINVALID, "name")
		wantCode(t, svc.Organisations.CreateOrganisation(ctx, &linkwork.Organisation{PlaceID: w.york.ID,
			Name: "PRIORY medical group", Sector: linkwork.SectorNHS}), linkwork.EINVALID, "name")
		name := "priory medical group"
		_, err = svc.Organisations.UpdateOrganisation(ctx, w.council.ID, linkwork.OrganisationUpdate{Name: &name})
		wantCode(t, err, linkwork.EINVALID, "name")
		_, err = svc.Users.CreateUser(ctx, &linkwork.NewUser{Email: strings.ToUpper(w.admin.Email), Name: "Again",
			Password: password2, OrganisationID: w.gp.ID, Role: linkwork.RoleManager})
		wantCode(t, err, linkwork.EINVALID, "email")
		// The store still works after the failures (on PostgreSQL a failed statement spoils
		// its transaction; none of them may leak into the pool).
		mustOrg(t, db, w.york.ID, "York CVS", linkwork.SectorVCSE)
	})
}

// SQLite keeps times as text; comparisons must still order them as times when the
// fractions of a second have different lengths.
func TestTimeComparisons(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		clk := useClock(db)
		as := sqldb.NewAuditService(db)
		ctx := t.Context()
		base := time.Date(2030, 5, 6, 7, 8, 9, 0, time.UTC)
		offsets := []time.Duration{0, 450 * time.Millisecond, 500 * time.Millisecond, 999999 * time.Microsecond,
			time.Second, time.Second + time.Microsecond}
		for _, d := range offsets {
			clk.now = base.Add(d)
			must(t, as.RecordAudit(ctx, &linkwork.AuditEvent{Action: "t.x", RecordID: d.String()}))
		}
		for i, from := range offsets {
			for j, to := range offsets {
				_, total, err := as.ListAudit(ctx, linkwork.AuditFilter{From: base.Add(from), To: base.Add(to)})
				must(t, err)
				if want := max(0, j-i); total != want {
					t.Errorf("from +%v to +%v: %d events, want %d", from, to, total, want)
				}
			}
		}

		// A link expiring on a whole second is still good a microsecond before.
		w := db.Services()
		clk.now = base.Add(-linkwork.SetupLinkLifetime)
		secret, err := w.Links.CreateSetupLink(ctx)
		must(t, err)
		clk.now = base.Add(-time.Microsecond)
		if _, err := w.Links.CheckLink(ctx, linkwork.LinkSetup, secret); err != nil {
			t.Fatalf("a microsecond before expiry: %v", err)
		}
		clk.now = base
		_, err = w.Links.CheckLink(ctx, linkwork.LinkSetup, secret)
		wantCode(t, err, linkwork.ENOTFOUND, "")
	})
}
