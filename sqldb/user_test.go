package sqldb_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

func TestCreateUser(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		clk := useClock(db)
		us := sqldb.NewUserService(db)
		york := mustPlace(t, db, "York")
		gp := mustOrg(t, db, york.ID, "Priory Medical Group", linkwork.SectorNHS)
		actor := linkwork.Actor{UserID: 77, Label: "boss@york.example", PlaceID: york.ID, IP: "192.0.2.1", RequestID: "req-1"}
		ctx := linkwork.NewContextWithActor(t.Context(), actor)

		u, err := us.CreateUser(ctx, &linkwork.NewUser{Email: "  Ann.Other@Example.ORG ", Name: " Ann Other ",
			Password: password1, OrganisationID: gp.ID, Role: linkwork.RoleLinkWorker, MustChangePassword: true})
		must(t, err)
		want := linkwork.Membership{OrganisationID: gp.ID, OrganisationName: gp.Name, PlaceID: york.ID, Role: linkwork.RoleLinkWorker}
		if u.ID == 0 || u.Email != "ann.other@example.org" || u.Name != "Ann Other" || !u.MustChangePassword ||
			u.LockedUntil != nil || !u.CreatedAt.Equal(clk.now) || !u.UpdatedAt.Equal(clk.now) ||
			!slices.Equal(u.Memberships, []linkwork.Membership{want}) {
			t.Fatalf("created %+v", u)
		}
		for _, email := range []string{"ann.other@example.org", "ANN.OTHER@EXAMPLE.ORG", "  Ann.Other@example.org\t"} {
			got, err := us.FindUserByEmail(ctx, email)
			must(t, err)
			if got.ID != u.ID || !slices.Equal(got.Memberships, u.Memberships) {
				t.Fatalf("FindUserByEmail(%q): got %+v", email, got)
			}
		}
		got, err := us.FindUserByID(ctx, u.ID)
		must(t, err)
		if got.Email != u.Email || !got.CreatedAt.Equal(u.CreatedAt) || !got.MustChangePassword {
			t.Fatalf("FindUserByID: got %+v", got)
		}
		_, err = us.FindUserByID(ctx, u.ID+1000)
		wantCode(t, err, linkwork.ENOTFOUND, "")
		_, err = us.FindUserByEmail(ctx, "nobody@example.org")
		wantCode(t, err, linkwork.ENOTFOUND, "")

		e := oneAudit(t, db, linkwork.AuditUserCreate, idStr(u.ID))
		if e.ActorUserID != 77 || e.ActorLabel != actor.Label || e.PlaceID != york.ID || e.IP != actor.IP ||
			e.RequestID != actor.RequestID || e.RecordType != "user" || !strings.Contains(e.Detail, "link_worker") {
			t.Fatalf("user.create event: %+v", e)
		}

		bad := []struct {
			nu    linkwork.NewUser
			field string
		}{
			{linkwork.NewUser{Email: "", Name: "A", Password: password2, OrganisationID: gp.ID, Role: linkwork.RoleAdmin}, "email"},
			{linkwork.NewUser{Email: "not-an-email", Name: "A", Password: password2, OrganisationID: gp.ID, Role: linkwork.RoleAdmin}, "email"},
			{linkwork.NewUser{Email: "a@localhost", Name: "A", Password: password2, OrganisationID: gp.ID, Role: linkwork.RoleAdmin}, "email"},
			{linkwork.NewUser{Email: "Ann <ann@example.org>", Name: "A", Password: password2, OrganisationID: gp.ID, Role: linkwork.RoleAdmin}, "email"},
			{linkwork.NewUser{Email: "b@example.org", Name: "", Password: password2, OrganisationID: gp.ID, Role: linkwork.RoleAdmin}, "name"},
			{linkwork.NewUser{Email: "b@example.org", Name: "B", Password: "short", OrganisationID: gp.ID, Role: linkwork.RoleAdmin}, "password"},
			{linkwork.NewUser{Email: "b@example.org", Name: "B", Password: "Password1234", OrganisationID: gp.ID, Role: linkwork.RoleAdmin}, "password"},
			{linkwork.NewUser{Email: "b@example.org", Name: "B", Password: strings.Repeat("x", 257), OrganisationID: gp.ID, Role: linkwork.RoleAdmin}, "password"},
			{linkwork.NewUser{Email: "b@example.org", Name: "B", Password: password2, OrganisationID: gp.ID, Role: "boss"}, "role"},
			{linkwork.NewUser{Email: "b@example.org", Name: "B", Password: password2, OrganisationID: gp.ID}, "role"},
			{linkwork.NewUser{Email: "b@example.org", Name: "B", Password: password2, Role: linkwork.RoleAdmin}, "organisation_id"},
			// These two pass validation and so are hashed; they fail in the database.
			{linkwork.NewUser{Email: "b@example.org", Name: "B", Password: password2, OrganisationID: gp.ID + 1000, Role: linkwork.RoleAdmin}, "organisation_id"},
			{linkwork.NewUser{Email: " ANN.other@example.org", Name: "Ann Again", Password: password2, OrganisationID: gp.ID, Role: linkwork.RoleAdmin}, "email"},
		}
		for _, b := range bad {
			nu := b.nu
			_, err := us.CreateUser(ctx, &nu)
			wantCode(t, err, linkwork.EINVALID, b.field)
		}
		n, err := us.CountUsers(ctx)
		must(t, err)
		if n != 1 {
			t.Fatalf("CountUsers: %d, want 1 after failed creations", n)
		}
		if got := countRows(t, db, "memberships", ""); got != 1 {
			t.Fatalf("%d memberships, want 1 after failed creations", got)
		}
		if n := len(auditWith(t, db, linkwork.AuditUserCreate, "")); n != 1 {
			t.Fatalf("%d user.create events, want 1 after failed creations", n)
		}
	})
}

func TestListUsers(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		us := w.svc.Users
		ctx := t.Context()
		leeds := mustPlace(t, db, "Leeds")
		leedsOrg := mustOrg(t, db, leeds.ID, "Leeds Community Care", linkwork.SectorVCSE)

		bob := mustUser(t, db, "bob@york.example", "bob Brown", w.gp.ID, linkwork.RoleLinkWorker)
		cat := mustUser(t, db, "cat@leeds.example", "Cat Cole", leedsOrg.ID, linkwork.RoleManager)
		must(t, us.AddMembership(ctx, cat.ID, w.council.ID, linkwork.RoleReferrer))
		dan := mustUser(t, db, "dan@leeds.example", "Dan Dee", leedsOrg.ID, linkwork.RoleCommunity)

		ids := func(users []*linkwork.User) []int64 {
			var out []int64
			for _, u := range users {
				out = append(out, u.ID)
			}
			return out
		}

		list, total, err := us.ListUsers(ctx, linkwork.UserFilter{PlaceID: w.york.ID})
		must(t, err)
		if want := []int64{w.admin.ID, bob.ID, cat.ID}; total != 3 || !slices.Equal(ids(list), want) {
			t.Fatalf("York users: got %v of %d, want %v by name", ids(list), total, want)
		}
		for _, u := range list {
			if len(u.Memberships) == 0 {
				t.Fatalf("%s has no memberships listed", u.Email)
			}
			for _, m := range u.Memberships {
				if m.PlaceID != w.york.ID {
					t.Fatalf("York list shows %s's membership %+v in another place", u.Email, m)
				}
			}
		}
		if c := list[2]; len(c.Memberships) != 1 || c.Memberships[0].OrganisationID != w.council.ID || c.Memberships[0].Role != linkwork.RoleReferrer {
			t.Fatalf("cat in York: memberships %+v", c.Memberships)
		}

		list, total, err = us.ListUsers(ctx, linkwork.UserFilter{PlaceID: w.york.ID, OrganisationIDs: []int64{w.gp.ID}})
		must(t, err)
		if total != 1 || !slices.Equal(ids(list), []int64{bob.ID}) {
			t.Fatalf("GP users: got %v of %d", ids(list), total)
		}
		// An organisation of another place lists nobody in this one.
		_, total, err = us.ListUsers(ctx, linkwork.UserFilter{PlaceID: w.york.ID, OrganisationIDs: []int64{leedsOrg.ID}})
		must(t, err)
		if total != 0 {
			t.Fatalf("York users in a Leeds organisation: %d, want 0", total)
		}

		list, total, err = us.ListUsers(ctx, linkwork.UserFilter{PlaceID: leeds.ID})
		must(t, err)
		if total != 2 || !slices.Equal(ids(list), []int64{cat.ID, dan.ID}) {
			t.Fatalf("Leeds users: got %v of %d", ids(list), total)
		}
		if c := list[0]; len(c.Memberships) != 1 || c.Memberships[0].OrganisationID != leedsOrg.ID {
			t.Fatalf("cat in Leeds: memberships %+v", c.Memberships)
		}
		// FindUserByID shows every membership.
		full, err := us.FindUserByID(ctx, cat.ID)
		must(t, err)
		if len(full.Memberships) != 2 {
			t.Fatalf("cat has memberships %+v, want 2", full.Memberships)
		}

		list, total, err = us.ListUsers(ctx, linkwork.UserFilter{PlaceID: w.york.ID, Page: linkwork.Page{Number: 2, Size: 2}})
		must(t, err)
		if total != 3 || !slices.Equal(ids(list), []int64{cat.ID}) {
			t.Fatalf("York users page 2: got %v of %d", ids(list), total)
		}
		n, err := us.CountUsers(ctx)
		must(t, err)
		if n != 4 {
			t.Fatalf("CountUsers: %d, want 4", n)
		}
	})
}

func TestMemberships(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		us := w.svc.Users
		ctx := t.Context()
		u := w.admin

		must(t, us.AddMembership(ctx, u.ID, w.gp.ID, linkwork.RoleManager))
		got, err := us.FindUserByID(ctx, u.ID)
		must(t, err)
		roles := map[int64]linkwork.Role{}
		for _, m := range got.Memberships {
			roles[m.OrganisationID] = m.Role
		}
		if len(got.Memberships) != 2 || roles[w.council.ID] != linkwork.RoleAdmin || roles[w.gp.ID] != linkwork.RoleManager {
			t.Fatalf("after adding: %+v", got.Memberships)
		}
		// Adding again changes the role.
		must(t, us.AddMembership(ctx, u.ID, w.gp.ID, linkwork.RoleLinkWorker))
		got, err = us.FindUserByID(ctx, u.ID)
		must(t, err)
		if len(got.Memberships) != 2 || got.Memberships[1].OrganisationID != w.gp.ID || got.Memberships[1].Role != linkwork.RoleLinkWorker {
			t.Fatalf("after changing the role: %+v", got.Memberships)
		}
		if n := len(auditWith(t, db, linkwork.AuditMembershipAdd, idStr(u.ID))); n != 2 {
			t.Fatalf("%d membership.add events, want 2", n)
		}

		wantCode(t, us.AddMembership(ctx, u.ID, w.gp.ID, "boss"), linkwork.EINVALID, "role")
		wantCode(t, us.AddMembership(ctx, u.ID, w.gp.ID+1000, linkwork.RoleAdmin), linkwork.ENOTFOUND, "")
		wantCode(t, us.AddMembership(ctx, u.ID+1000, w.gp.ID, linkwork.RoleAdmin), linkwork.ENOTFOUND, "")

		cvs := mustOrg(t, db, w.york.ID, "York CVS", linkwork.SectorVCSE)
		wantCode(t, us.RemoveMembership(ctx, u.ID, cvs.ID), linkwork.ENOTFOUND, "")
		wantCode(t, us.RemoveMembership(ctx, u.ID, cvs.ID+1000), linkwork.ENOTFOUND, "")

		must(t, us.RemoveMembership(ctx, u.ID, w.gp.ID))
		got, err = us.FindUserByID(ctx, u.ID)
		must(t, err)
		if len(got.Memberships) != 1 || got.Memberships[0].OrganisationID != w.council.ID {
			t.Fatalf("after removing: %+v", got.Memberships)
		}
		e := oneAudit(t, db, linkwork.AuditMembershipRemove, idStr(u.ID))
		if e.PlaceID != w.york.ID || e.Detail != w.gp.Name {
			t.Fatalf("membership.remove event: %+v", e)
		}
		// The last membership stays.
		wantCode(t, us.RemoveMembership(ctx, u.ID, w.council.ID), linkwork.ECONFLICT, "")
		got, err = us.FindUserByID(ctx, u.ID)
		must(t, err)
		if len(got.Memberships) != 1 {
			t.Fatalf("after refusing to remove the last: %+v", got.Memberships)
		}
	})
}

func TestAuthenticate(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		us := w.svc.Users
		ctx := t.Context()

		u, err := us.Authenticate(ctx, "  ADMIN@York.Example ", password1)
		must(t, err)
		if u.ID != w.admin.ID || len(u.Memberships) != 1 {
			t.Fatalf("Authenticate: got %+v", u)
		}

		_, wrong := us.Authenticate(ctx, w.admin.Email, password2)
		wantCode(t, wrong, linkwork.EUNAUTHORIZED, "")
		_, unknown := us.Authenticate(ctx, "nobody@york.example", password1)
		wantCode(t, unknown, linkwork.EUNAUTHORIZED, "")
		_, empty := us.Authenticate(ctx, "", "")
		wantCode(t, empty, linkwork.EUNAUTHORIZED, "")
		if wrong.Error() != unknown.Error() || wrong.Error() != empty.Error() {
			t.Fatalf("failures differ: %q, %q, %q", wrong, unknown, empty)
		}

		failed := auditWith(t, db, linkwork.AuditSignInFailed, "")
		if len(failed) != 3 {
			t.Fatalf("%d sign_in_failed events, want 3", len(failed))
		}
		var known, none int
		for _, e := range failed {
			switch {
			case e.RecordID == idStr(w.admin.ID) && e.PlaceID == w.york.ID && e.Detail == "wrong password":
				known++
			case e.RecordID == "" && e.PlaceID == 0 && e.Detail == "no account with that email":
				none++
			default:
				t.Fatalf("unexpected sign_in_failed event %+v", e)
			}
			if strings.Contains(e.Detail, "nobody") {
				t.Fatalf("the failed event keeps the email tried: %+v", e)
			}
		}
		if known != 1 || none != 2 {
			t.Fatalf("sign_in_failed events: %d for the account, %d for none", known, none)
		}
	})
}

func TestLockout(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		us := w.svc.Users
		ctx := t.Context()
		email := w.admin.Email
		locked := func() *time.Time {
			t.Helper()
			u, err := us.FindUserByID(ctx, w.admin.ID)
			must(t, err)
			return u.LockedUntil
		}
		fail := func(times int) {
			t.Helper()
			for range times {
				_, err := us.Authenticate(ctx, email, password2)
				wantCode(t, err, linkwork.EUNAUTHORIZED, "")
			}
		}

		// A success clears the count of wrong passwords.
		fail(linkwork.MaxFailedSignIns - 1)
		_, err := us.Authenticate(ctx, email, password1)
		must(t, err)
		fail(linkwork.MaxFailedSignIns - 1)
		if l := locked(); l != nil {
			t.Fatalf("locked until %v after a success and %d failures", l, linkwork.MaxFailedSignIns-1)
		}
		fail(1)
		lockedAt := w.clock.now
		if l := locked(); l == nil || !l.Equal(lockedAt.Add(linkwork.SignInLockout)) {
			t.Fatalf("after %d failures: locked until %v, want %v", linkwork.MaxFailedSignIns, l, lockedAt.Add(linkwork.SignInLockout))
		}
		e := oneAudit(t, db, linkwork.AuditUserLocked, idStr(w.admin.ID))
		if e.PlaceID != w.york.ID || e.ActorLabel != "system" || e.RecordType != "user" {
			t.Fatalf("user.locked event: %+v", e)
		}

		// Locked: the right password fails too, with the same answer.
		_, err = us.Authenticate(ctx, email, password1)
		wantCode(t, err, linkwork.EUNAUTHORIZED, "")
		_, unknown := us.Authenticate(ctx, "nobody@york.example", password1)
		if err.Error() != unknown.Error() {
			t.Fatalf("a locked account answers %q, an unknown one %q", err, unknown)
		}
		w.clock.advance(linkwork.SignInLockout - time.Second)
		_, err = us.Authenticate(ctx, email, password1)
		wantCode(t, err, linkwork.EUNAUTHORIZED, "")
		if n := len(auditWith(t, db, linkwork.AuditUserLocked, "")); n != 1 {
			t.Fatalf("%d user.locked events, want 1 (tries while locked do not lock again)", n)
		}

		// The lock ends by itself.
		w.clock.advance(2 * time.Second)
		u, err := us.Authenticate(ctx, email, password1)
		must(t, err)
		if u.LockedUntil != nil {
			t.Fatalf("signed in but still locked until %v", u.LockedUntil)
		}

		// An administrator can end it early.
		fail(linkwork.MaxFailedSignIns)
		if locked() == nil {
			t.Fatal("not locked again")
		}
		admin := linkwork.NewContextWithActor(ctx, linkwork.Actor{UserID: 5, Label: "other-admin@york.example"})
		must(t, us.UnlockUser(admin, w.admin.ID))
		if l := locked(); l != nil {
			t.Fatalf("still locked until %v after UnlockUser", l)
		}
		e = oneAudit(t, db, linkwork.AuditUserUnlock, idStr(w.admin.ID))
		if e.ActorUserID != 5 || e.ActorLabel != "other-admin@york.example" || e.PlaceID != w.york.ID {
			t.Fatalf("user.unlock event: %+v", e)
		}
		_, err = us.Authenticate(ctx, email, password1)
		must(t, err)
		wantCode(t, us.UnlockUser(ctx, w.admin.ID+1000), linkwork.ENOTFOUND, "")
	})
}

func TestChangePassword(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		clk := useClock(db)
		york := mustPlace(t, db, "York")
		org := mustOrg(t, db, york.ID, "York CVS", linkwork.SectorVCSE)
		us := sqldb.NewUserService(db)
		ctx := t.Context()
		u, err := us.CreateUser(ctx, &linkwork.NewUser{Email: "eve@york.example", Name: "Eve", Password: password1,
			OrganisationID: org.ID, Role: linkwork.RoleLinkWorker, MustChangePassword: true})
		must(t, err)

		wantCode(t, us.ChangePassword(ctx, u.ID, password2, password3), linkwork.EINVALID, "current_password")
		wantCode(t, us.ChangePassword(ctx, u.ID, password1, password1), linkwork.EINVALID, "password")
		wantCode(t, us.ChangePassword(ctx, u.ID, password1, "too short"), linkwork.EINVALID, "password")
		wantCode(t, us.ChangePassword(ctx, u.ID+1000, password1, password2), linkwork.ENOTFOUND, "")
		if n := len(auditWith(t, db, linkwork.AuditPasswordChange, "")); n != 0 {
			t.Fatalf("%d password.change events after failures", n)
		}

		clk.advance(time.Hour)
		must(t, us.ChangePassword(ctx, u.ID, password1, password2))
		got, err := us.Authenticate(ctx, u.Email, password2)
		must(t, err)
		if got.MustChangePassword || !got.UpdatedAt.Equal(clk.now) {
			t.Fatalf("after changing the password: %+v", got)
		}
		_, err = us.Authenticate(ctx, u.Email, password1)
		wantCode(t, err, linkwork.EUNAUTHORIZED, "")
		e := oneAudit(t, db, linkwork.AuditPasswordChange, idStr(u.ID))
		if e.PlaceID != york.ID {
			t.Fatalf("password.change event: %+v", e)
		}
	})
}

func TestSetPassword(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		us := w.svc.Users
		ctx := linkwork.NewContextWithActor(t.Context(), linkwork.Actor{UserID: 9, Label: "cli"})

		// A lock is cleared too.
		_, err := db.Exec(ctx, "UPDATE users SET locked_until = ?, failed_logins = 3 WHERE id = ?",
			w.clock.now.Add(time.Hour), w.admin.ID)
		must(t, err)

		wantCode(t, us.SetPassword(ctx, w.admin.ID, "short", true), linkwork.EINVALID, "password")
		wantCode(t, us.SetPassword(ctx, w.admin.ID+1000, password2, true), linkwork.ENOTFOUND, "")
		must(t, us.SetPassword(ctx, w.admin.ID, password2, true))
		u, err := us.Authenticate(ctx, w.admin.Email, password2)
		must(t, err)
		if !u.MustChangePassword || u.LockedUntil != nil {
			t.Fatalf("after SetPassword: %+v", u)
		}
		var failures int
		must(t, db.QueryRow(ctx, "SELECT failed_logins FROM users WHERE id = ?", []any{w.admin.ID}, &failures))
		if failures != 0 {
			t.Fatalf("failed_logins %d after SetPassword", failures)
		}
		e := oneAudit(t, db, linkwork.AuditPasswordReset, idStr(w.admin.ID))
		if e.ActorUserID != 9 || e.ActorLabel != "cli" || e.PlaceID != w.york.ID {
			t.Fatalf("password.reset event: %+v", e)
		}
		must(t, us.SetPassword(ctx, w.admin.ID, password3, false))
		u, err = us.FindUserByID(ctx, w.admin.ID)
		must(t, err)
		if u.MustChangePassword {
			t.Fatal("SetPassword(mustChange=false) left must_change_password set")
		}
	})
}
