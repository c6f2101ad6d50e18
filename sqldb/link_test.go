package sqldb_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

func firstAdmin() linkwork.FirstAdmin {
	return linkwork.FirstAdmin{PlaceName: " Wakefield ", OrganisationName: " Wakefield Council ", Sector: linkwork.SectorCouncil,
		Name: " Wendy Admin ", Email: " Wendy@Wakefield.Example ", Password: password1}
}

// nothingSetUp fails unless the database has no users, no organisations and only the
// places named.
func nothingSetUp(t *testing.T, db *sqldb.DB, places int) {
	t.Helper()
	if n := countRows(t, db, "users", ""); n != 0 {
		t.Fatalf("%d users, want none", n)
	}
	if n := countRows(t, db, "organisations", ""); n != 0 {
		t.Fatalf("%d organisations, want none", n)
	}
	if n := countRows(t, db, "places", ""); n != places {
		t.Fatalf("%d places, want %d", n, places)
	}
	if n := len(auditWith(t, db, linkwork.AuditSetupComplete, "")); n != 0 {
		t.Fatalf("%d setup.complete events, want none", n)
	}
}

func TestSetupLink(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		clk := useClock(db)
		svc := db.Services()
		ls := svc.Links
		ctx := t.Context()

		secret, err := ls.CreateSetupLink(ctx)
		must(t, err)
		l, err := ls.CheckLink(ctx, linkwork.LinkSetup, secret)
		must(t, err)
		if l.Purpose != linkwork.LinkSetup || l.UserID != 0 || !l.CreatedAt.Equal(clk.now) ||
			!l.ExpiresAt.Equal(clk.now.Add(linkwork.SetupLinkLifetime)) {
			t.Fatalf("CheckLink: %+v", l)
		}
		_, err = ls.CheckLink(ctx, linkwork.LinkReset, secret)
		wantCode(t, err, linkwork.ENOTFOUND, "")
		_, err = ls.CheckLink(ctx, linkwork.LinkSetup, secret+"x")
		wantCode(t, err, linkwork.ENOTFOUND, "")
		text, err := db.TableText(ctx, "one_time_links")
		must(t, err)
		if strings.Contains(text, secret) || !strings.Contains(text, linkwork.SecretHash(secret)) {
			t.Fatalf("one_time_links holds the secret, or not its hash: %s", text)
		}
		if n := len(auditWith(t, db, linkwork.AuditSetupLinkCreate, "")); n != 1 {
			t.Fatalf("%d setup.link events, want 1", n)
		}
		spare, err := ls.CreateSetupLink(ctx)
		must(t, err)

		// Invalid input changes nothing and leaves the link usable.
		bad := []struct {
			edit  func(*linkwork.FirstAdmin)
			field string
		}{
			{func(f *linkwork.FirstAdmin) { f.PlaceName = " " }, "place_name"},
			{func(f *linkwork.FirstAdmin) { f.OrganisationName = "" }, "organisation_name"},
			{func(f *linkwork.FirstAdmin) { f.Sector = "bank" }, "sector"},
			{func(f *linkwork.FirstAdmin) { f.Email = "wendy" }, "email"},
			{func(f *linkwork.FirstAdmin) { f.Name = "" }, "name"},
			{func(f *linkwork.FirstAdmin) { f.Password = "short" }, "password"},
			{func(f *linkwork.FirstAdmin) { f.Password = "password1234" }, "password"},
		}
		for _, b := range bad {
			f := firstAdmin()
			b.edit(&f)
			_, err := ls.CompleteSetup(ctx, secret, f)
			wantCode(t, err, linkwork.EINVALID, b.field)
		}
		_, err = ls.CompleteSetup(ctx, "wrong-secret", firstAdmin())
		wantCode(t, err, linkwork.ENOTFOUND, "")
		nothingSetUp(t, db, 0)

		// A place may exist before the first user (made with the CLI, say); its name is taken.
		mustPlace(t, db, "York")
		f := firstAdmin()
		f.PlaceName = "YORK"
		_, err = ls.CompleteSetup(ctx, secret, f)
		wantCode(t, err, linkwork.EINVALID, "place_name")
		nothingSetUp(t, db, 1)
		if _, err := ls.CheckLink(ctx, linkwork.LinkSetup, secret); err != nil {
			t.Fatalf("the link stopped working after a failed setup: %v", err)
		}

		clk.advance(time.Hour)
		actx := linkwork.NewContextWithActor(ctx, linkwork.Actor{IP: "198.51.100.4", RequestID: "setup-req"})
		u, err := ls.CompleteSetup(actx, secret, firstAdmin())
		must(t, err)
		if u.ID == 0 || u.Email != "wendy@wakefield.example" || u.Name != "Wendy Admin" || u.MustChangePassword ||
			len(u.Memberships) != 1 || u.Memberships[0].Role != linkwork.RoleAdmin ||
			u.Memberships[0].OrganisationName != "Wakefield Council" {
			t.Fatalf("CompleteSetup: %+v", u)
		}
		place, err := svc.Places.FindPlaceByName(ctx, "Wakefield")
		must(t, err)
		org, err := svc.Organisations.FindOrganisationByID(ctx, u.Memberships[0].OrganisationID)
		must(t, err)
		if org.PlaceID != place.ID || org.Sector != linkwork.SectorCouncil || u.Memberships[0].PlaceID != place.ID {
			t.Fatalf("setup made %+v in %+v", org, place)
		}
		if _, err := svc.Users.Authenticate(ctx, "wendy@wakefield.example", password1); err != nil {
			t.Fatalf("the first administrator cannot sign in: %v", err)
		}

		e := oneAudit(t, db, linkwork.AuditSetupComplete, idStr(u.ID))
		if e.ActorUserID != u.ID || e.ActorLabel != u.Email || e.PlaceID != place.ID || e.IP != "198.51.100.4" || e.RequestID != "setup-req" {
			t.Fatalf("setup.complete event: %+v", e)
		}
		for _, want := range []struct{ action, record string }{
			{linkwork.AuditPlaceCreate, idStr(place.ID)},
			{linkwork.AuditOrgCreate, idStr(org.ID)},
			{linkwork.AuditUserCreate, idStr(u.ID)},
		} {
			e := oneAudit(t, db, want.action, want.record)
			if e.PlaceID != place.ID || e.RequestID != "setup-req" {
				t.Fatalf("%s event: %+v", want.action, e)
			}
		}

		// The link is used up, the spare one stops working, and no new one can be made.
		_, err = ls.CompleteSetup(ctx, secret, func() linkwork.FirstAdmin {
			f := firstAdmin()
			f.PlaceName, f.Email = "Leeds", "lee@leeds.example"
			return f
		}())
		wantCode(t, err, linkwork.ENOTFOUND, "")
		_, err = ls.CheckLink(ctx, linkwork.LinkSetup, secret)
		wantCode(t, err, linkwork.ENOTFOUND, "")
		_, err = ls.CheckLink(ctx, linkwork.LinkSetup, spare)
		wantCode(t, err, linkwork.ENOTFOUND, "")
		f = firstAdmin()
		f.PlaceName, f.Email = "Leeds", "lee@leeds.example"
		_, err = ls.CompleteSetup(ctx, spare, f)
		wantCode(t, err, linkwork.ENOTFOUND, "")
		_, err = ls.CreateSetupLink(ctx)
		wantCode(t, err, linkwork.ECONFLICT, "")
		if n := countRows(t, db, "users", ""); n != 1 {
			t.Fatalf("%d users after the setup, want 1", n)
		}
		if n := countRows(t, db, "places", ""); n != 2 {
			t.Fatalf("%d places after the setup, want 2", n)
		}
	})
}

func TestSetupLinkExpires(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		clk := useClock(db)
		ls := sqldb.NewLinkService(db)
		ctx := t.Context()
		secret, err := ls.CreateSetupLink(ctx)
		must(t, err)
		clk.advance(linkwork.SetupLinkLifetime - time.Microsecond)
		if _, err := ls.CheckLink(ctx, linkwork.LinkSetup, secret); err != nil {
			t.Fatalf("the link expired early: %v", err)
		}
		clk.advance(time.Microsecond)
		_, err = ls.CheckLink(ctx, linkwork.LinkSetup, secret)
		wantCode(t, err, linkwork.ENOTFOUND, "")
		_, err = ls.CompleteSetup(ctx, secret, firstAdmin())
		wantCode(t, err, linkwork.ENOTFOUND, "")
		nothingSetUp(t, db, 0)
	})
}

func TestResetLink(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		ls, us, ss := w.svc.Links, w.svc.Users, w.svc.Sessions
		ctx := linkwork.NewContextWithActor(t.Context(), linkwork.Actor{UserID: w.admin.ID, Label: w.admin.Email, PlaceID: w.york.ID})
		u, err := us.CreateUser(ctx, &linkwork.NewUser{Email: "fay@york.example", Name: "Fay", Password: password1,
			OrganisationID: w.gp.ID, Role: linkwork.RoleLinkWorker, MustChangePassword: true})
		must(t, err)
		s1, _, err := ss.CreateSession(ctx, u.ID, w.york.ID, "", "")
		must(t, err)
		s2, _, err := ss.CreateSession(ctx, u.ID, w.york.ID, "", "")
		must(t, err)
		adminSession, _, err := ss.CreateSession(ctx, w.admin.ID, w.york.ID, "", "")
		must(t, err)

		_, err = ls.CreateResetLink(ctx, u.ID+1000)
		wantCode(t, err, linkwork.ENOTFOUND, "")

		old, err := ls.CreateResetLink(ctx, u.ID)
		must(t, err)
		l, err := ls.CheckLink(ctx, linkwork.LinkReset, old)
		must(t, err)
		if l.UserID != u.ID || l.Purpose != linkwork.LinkReset || !l.ExpiresAt.Equal(w.clock.now.Add(linkwork.ResetLinkLifetime)) {
			t.Fatalf("CheckLink: %+v", l)
		}
		_, err = ls.CheckLink(ctx, linkwork.LinkSetup, old)
		wantCode(t, err, linkwork.ENOTFOUND, "")

		// A newer link replaces the older one.
		w.clock.advance(time.Minute)
		secret, err := ls.CreateResetLink(ctx, u.ID)
		must(t, err)
		_, err = ls.CheckLink(ctx, linkwork.LinkReset, old)
		wantCode(t, err, linkwork.ENOTFOUND, "")
		_, err = ls.CompleteReset(ctx, old, password2)
		wantCode(t, err, linkwork.ENOTFOUND, "")
		if n := len(auditWith(t, db, linkwork.AuditResetLinkCreate, idStr(u.ID))); n != 2 {
			t.Fatalf("%d password.reset_link events, want 2", n)
		}
		e := auditWith(t, db, linkwork.AuditResetLinkCreate, idStr(u.ID))[0]
		if e.ActorUserID != w.admin.ID || e.PlaceID != w.york.ID {
			t.Fatalf("password.reset_link event: %+v", e)
		}

		_, err = ls.CompleteReset(ctx, secret, "short")
		wantCode(t, err, linkwork.EINVALID, "password")
		if _, err := ls.CheckLink(ctx, linkwork.LinkReset, secret); err != nil {
			t.Fatalf("the link stopped working after a refused password: %v", err)
		}

		// A reset also ends a lock.
		_, err = db.Exec(ctx, "UPDATE users SET locked_until = ?, failed_logins = 2 WHERE id = ?", w.clock.now.Add(time.Hour), u.ID)
		must(t, err)

		got, err := ls.CompleteReset(ctx, secret, password2)
		must(t, err)
		if got.ID != u.ID || got.MustChangePassword || got.LockedUntil != nil {
			t.Fatalf("CompleteReset: %+v", got)
		}
		for _, s := range []string{s1, s2} {
			_, err := ss.FindSession(ctx, s)
			wantCode(t, err, linkwork.ENOTFOUND, "")
		}
		if _, err := ss.FindSession(ctx, adminSession); err != nil {
			t.Fatalf("a reset ended another user's session: %v", err)
		}
		if _, err := us.Authenticate(ctx, u.Email, password2); err != nil {
			t.Fatalf("cannot sign in with the new password: %v", err)
		}
		_, err = us.Authenticate(ctx, u.Email, password1)
		wantCode(t, err, linkwork.EUNAUTHORIZED, "")
		oneAudit(t, db, linkwork.AuditPasswordReset, idStr(u.ID))

		_, err = ls.CompleteReset(ctx, secret, password3)
		wantCode(t, err, linkwork.ENOTFOUND, "")
		_, err = ls.CheckLink(ctx, linkwork.LinkReset, secret)
		wantCode(t, err, linkwork.ENOTFOUND, "")

		// An expired link is refused.
		late, err := ls.CreateResetLink(ctx, u.ID)
		must(t, err)
		w.clock.advance(linkwork.ResetLinkLifetime)
		_, err = ls.CheckLink(ctx, linkwork.LinkReset, late)
		wantCode(t, err, linkwork.ENOTFOUND, "")
		_, err = ls.CompleteReset(ctx, late, password3)
		wantCode(t, err, linkwork.ENOTFOUND, "")
		if n := len(auditWith(t, db, linkwork.AuditPasswordReset, idStr(u.ID))); n != 1 {
			t.Fatalf("%d password.reset events, want 1", n)
		}
	})
}

// Two requests redeeming the same reset link at once: exactly one wins.
func TestResetLinkUsedOnce(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		ctx := t.Context()
		secret, err := w.svc.Links.CreateResetLink(ctx, w.admin.ID)
		must(t, err)
		// Hold the link's row (on SQLite, the whole database) so that both requests have
		// found the link unused before either can mark it used.
		holder := holdLock(t, db, "SELECT id FROM one_time_links WHERE user_id = ? FOR UPDATE", w.admin.ID)
		passwords := []string{password2, password3}
		errs := make([]error, len(passwords))
		var wg sync.WaitGroup
		for i, pw := range passwords {
			wg.Go(func() { _, errs[i] = w.svc.Links.CompleteReset(ctx, secret, pw) })
		}
		waitForWaiters(t, db, holder, 2)
		must(t, holder.Release())
		wg.Wait()
		won := -1
		for i, err := range errs {
			if err == nil {
				if won >= 0 {
					t.Fatal("both redeemed the same link")
				}
				won = i
				continue
			}
			wantCode(t, err, linkwork.ENOTFOUND, "")
		}
		if won < 0 {
			t.Fatalf("neither redeemed the link: %v", errs)
		}
		if _, err := w.svc.Users.Authenticate(ctx, w.admin.Email, passwords[won]); err != nil {
			t.Fatalf("the winner's password does not work: %v", err)
		}
	})
}
