package api_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"linkwork"
	"linkwork/api"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

func testListUsers(t *testing.T, f *fixture) {
	admin, manager := f.as(f.admin), f.as(f.manager)

	// An administrator sees the place, by name, with the place's memberships only.
	l := decodeList[linkwork.User](admin.do("GET", "/api/v1/users", nil).want(http.StatusOK))
	var names []string
	for _, u := range l.Items {
		names = append(names, u.Name)
		for _, m := range u.Memberships {
			if m.PlaceID != f.placeA.ID {
				t.Errorf("%s listed with a membership in place %d", u.Name, m.PlaceID)
			}
		}
	}
	if want := []string{"Ada Admin", "Cai Connector", "Mo Manager", "Wyn Worker"}; l.Total != 4 || !slices.Equal(names, want) {
		t.Errorf("admin lists %v (total %d), want %v", names, l.Total, want)
	}
	l = decodeList[linkwork.User](admin.do("GET", path("/api/v1/users?organisation_id=%d", f.council.ID), nil).want(http.StatusOK))
	if got, want := userIDs(l.Items), sortedIDs(f.admin.ID, f.councilWorker.ID); !slices.Equal(got, want) || l.Total != 2 {
		t.Errorf("admin lists council as %v, want %v", got, want)
	}
	l = decodeList[linkwork.User](f.as(f.adminB).do("GET", "/api/v1/users", nil).want(http.StatusOK))
	if got := userIDs(l.Items); !slices.Equal(got, []int64{f.adminB.ID}) || l.Total != 1 {
		t.Errorf("place B's admin lists %v", got)
	}

	// A manager sees only their own organisation's users.
	l = decodeList[linkwork.User](manager.do("GET", "/api/v1/users", nil).want(http.StatusOK))
	if got, want := userIDs(l.Items), sortedIDs(f.manager.ID, f.worker.ID); !slices.Equal(got, want) || l.Total != 2 {
		t.Errorf("manager lists %v, want %v", got, want)
	}
	l = decodeList[linkwork.User](manager.do("GET", path("/api/v1/users?organisation_id=%d", f.health.ID), nil).want(http.StatusOK))
	if l.Total != 2 {
		t.Errorf("manager lists own organisation: total %d", l.Total)
	}
	manager.do("GET", path("/api/v1/users?organisation_id=%d", f.council.ID), nil).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	manager.do("GET", path("/api/v1/users?organisation_id=%d", f.wakefield.ID), nil).wantError(http.StatusBadRequest, linkwork.EINVALID, "organisation_id")
	for _, bad := range []string{"abc", "0", "-3", "1.0"} {
		e := admin.do("GET", "/api/v1/users?organisation_id="+bad, nil).wantError(http.StatusBadRequest, linkwork.EINVALID, "organisation_id")
		if !strings.Contains(e.Message, "organisation_id") {
			t.Errorf("organisation_id=%s: message %q", bad, e.Message)
		}
	}

	// Link workers may not list users.
	f.as(f.worker).do("GET", "/api/v1/users", nil).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	f.as(f.councilWorker).do("GET", "/api/v1/users", nil).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")

	// Each list is audited.
	events, total, err := f.svc.Audit.ListAudit(t.Context(), linkwork.AuditFilter{PlaceID: f.placeA.ID, Action: linkwork.AuditUserList,
		ActorUserID: f.manager.ID, Page: linkwork.Page{Number: 1, Size: 10}})
	must(t, err)
	if total != 2 || events[0].RecordType != "user" {
		t.Errorf("manager's user.list events: %d %+v", total, events)
	}
}

func testGetUser(t *testing.T, f *fixture) {
	var u linkwork.User
	f.as(f.manager).do("GET", path("/api/v1/users/%d", f.worker.ID), nil).want(http.StatusOK).decode(&u)
	if u.ID != f.worker.ID || u.Email != f.worker.Email || len(u.Memberships) != 1 || u.Memberships[0].OrganisationID != f.health.ID ||
		u.Memberships[0].Role != linkwork.RoleLinkWorker || u.Memberships[0].OrganisationName != f.health.Name {
		t.Errorf("manager gets worker: %+v", u)
	}
	// A manager cannot see users of another organisation in the place.
	f.as(f.manager).do("GET", path("/api/v1/users/%d", f.councilWorker.ID), nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	f.as(f.manager).do("GET", path("/api/v1/users/%d", f.admin.ID), nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	// Administrators see their own place only.
	f.as(f.admin).do("GET", path("/api/v1/users/%d", f.councilWorker.ID), nil).want(http.StatusOK)
	f.as(f.admin).do("GET", path("/api/v1/users/%d", f.adminB.ID), nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	f.as(f.adminB).do("GET", path("/api/v1/users/%d", f.worker.ID), nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	for _, id := range []string{"999999", "0", "abc"} {
		f.as(f.admin).do("GET", "/api/v1/users/"+id, nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	}
	// Link workers may not look users up, not even themselves.
	f.as(f.worker).do("GET", path("/api/v1/users/%d", f.worker.ID), nil).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")

	// Each successful read is audited as user.view; refused ones are not.
	events, total, err := f.svc.Audit.ListAudit(t.Context(), linkwork.AuditFilter{Action: linkwork.AuditUserView,
		Page: linkwork.Page{Number: 1, Size: 10}})
	must(t, err)
	if total != 2 {
		t.Fatalf("%d user.view events, want 2: %+v", total, events)
	}
	e := events[1]
	if e.ActorUserID != f.manager.ID || e.ActorLabel != f.manager.Email || e.RecordType != "user" ||
		e.RecordID != idString(f.worker.ID) || e.PlaceID != f.placeA.ID || e.RequestID == "" || e.IP == "" {
		t.Errorf("user.view event: %+v", e)
	}
}

func TestCreateUser(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		admin := f.as(f.admin)
		body := func(changes map[string]any) map[string]any {
			b := map[string]any{"email": " New.Person@York.Example.org ", "name": "Nia New", "password": "a long and unusual password",
				"organisation_id": f.health.ID, "role": "link_worker"}
			for k, v := range changes {
				if v == nil {
					delete(b, k)
				} else {
					b[k] = v
				}
			}
			return b
		}
		var u linkwork.User
		res := admin.do("POST", "/api/v1/users", body(nil)).want(http.StatusCreated)
		res.decode(&u)
		if !u.MustChangePassword {
			t.Error("a new user need not change their password by default")
		}
		if u.Email != "new.person@york.example.org" || u.Name != "Nia New" || len(u.Memberships) != 1 ||
			u.Memberships[0].OrganisationID != f.health.ID || u.Memberships[0].Role != linkwork.RoleLinkWorker {
			t.Errorf("created %+v", u)
		}
		if loc := res.header.Get("Location"); loc != path("/api/v1/users/%d", u.ID) {
			t.Errorf("Location %q", loc)
		}
		if strings.Contains(string(res.body), "password\"") && strings.Contains(string(res.body), "a long and unusual") {
			t.Error("the answer contains the password")
		}
		admin.do("POST", "/api/v1/users", body(map[string]any{"email": "second@york.example.org", "must_change_password": false})).
			want(http.StatusCreated).decode(&u)
		if u.MustChangePassword {
			t.Error("must_change_password false was ignored")
		}

		for _, c := range []struct {
			name    string
			changes map[string]any
			field   string
		}{
			{"taken email", map[string]any{"email": "NEW.PERSON@york.example.org"}, "email"},
			{"bad email", map[string]any{"email": "not an email"}, "email"},
			{"no email", map[string]any{"email": nil}, "email"},
			{"no name", map[string]any{"name": " "}, "name"},
			{"short password", map[string]any{"password": "short"}, "password"},
			{"common password", map[string]any{"password": "Password1234"}, "password"},
			{"bad role", map[string]any{"role": "superuser"}, "role"},
			{"no role", map[string]any{"role": nil}, "role"},
			{"no organisation", map[string]any{"organisation_id": nil}, "organisation_id"},
			{"no such organisation", map[string]any{"organisation_id": 999999}, "organisation_id"},
			{"another place's organisation", map[string]any{"organisation_id": f.wakefield.ID}, "organisation_id"},
		} {
			admin.do("POST", "/api/v1/users", body(c.changes)).wantError(http.StatusBadRequest, linkwork.EINVALID, c.field)
		}
		// Place B's administrator cannot create users in place A's organisations either.
		f.as(f.adminB).do("POST", "/api/v1/users", body(map[string]any{"email": "sneaky@example.org"})).
			wantError(http.StatusBadRequest, linkwork.EINVALID, "organisation_id")
		// Managers view users but do not manage them.
		f.as(f.manager).do("POST", "/api/v1/users", body(map[string]any{"email": "m@example.org"})).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
		f.as(f.worker).do("POST", "/api/v1/users", body(map[string]any{"email": "w@example.org"})).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")

		l := decodeList[linkwork.User](admin.do("GET", "/api/v1/users", nil).want(http.StatusOK))
		if l.Total != 6 {
			t.Errorf("%d users after two were created, want 6", l.Total)
		}
	})
}

func TestMemberships(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		admin := f.as(f.admin)
		cvs := &linkwork.Organisation{PlaceID: f.placeA.ID, Name: "York CVS", Sector: linkwork.SectorVCSE}
		must(t, f.svc.Organisations.CreateOrganisation(t.Context(), cvs))
		member := func(userID, orgID int64) string { return path("/api/v1/users/%d/memberships/%d", userID, orgID) }
		role := func(u linkwork.User, orgID int64) linkwork.Role {
			for _, m := range u.Memberships {
				if m.OrganisationID == orgID {
					return m.Role
				}
			}
			return ""
		}

		var u linkwork.User
		admin.do("PUT", member(f.worker.ID, f.council.ID), `{"role":"manager"}`).want(http.StatusOK).decode(&u)
		if len(u.Memberships) != 2 || role(u, f.council.ID) != linkwork.RoleManager || role(u, f.health.ID) != linkwork.RoleLinkWorker {
			t.Errorf("after adding: %+v", u.Memberships)
		}
		admin.do("PUT", member(f.worker.ID, f.council.ID), `{"role":"referrer"}`).want(http.StatusOK).decode(&u)
		if len(u.Memberships) != 2 || role(u, f.council.ID) != linkwork.RoleReferrer {
			t.Errorf("after changing the role: %+v", u.Memberships)
		}
		admin.do("PUT", member(f.worker.ID, f.council.ID), `{"role":"boss"}`).wantError(http.StatusBadRequest, linkwork.EINVALID, "role")
		admin.do("PUT", member(f.worker.ID, f.council.ID), `{}`).wantError(http.StatusBadRequest, linkwork.EINVALID, "role")
		admin.do("PUT", member(f.worker.ID, f.wakefield.ID), `{"role":"manager"}`).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
		admin.do("PUT", member(f.worker.ID, 999999), `{"role":"manager"}`).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
		admin.do("PUT", member(f.adminB.ID, f.council.ID), `{"role":"manager"}`).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
		admin.do("PUT", path("/api/v1/users/%d/memberships/x", f.worker.ID), `{"role":"manager"}`).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
		f.as(f.adminB).do("PUT", member(f.worker.ID, f.wakefield.ID), `{"role":"admin"}`).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
		f.as(f.manager).do("PUT", member(f.worker.ID, f.health.ID), `{"role":"manager"}`).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")

		// Removing: not a member is 404, the last membership is 409.
		admin.do("DELETE", member(f.worker.ID, cvs.ID), nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
		admin.do("DELETE", member(f.worker.ID, f.council.ID), nil).want(http.StatusNoContent)
		e := admin.do("DELETE", member(f.worker.ID, f.health.ID), nil).wantError(http.StatusConflict, linkwork.ECONFLICT, "-")
		if !strings.Contains(e.Message, "at least one") {
			t.Errorf("last membership message %q", e.Message)
		}
		admin.do("DELETE", member(f.adminB.ID, f.wakefield.ID), nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
		admin.do("DELETE", member(f.worker.ID, f.wakefield.ID), nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
		f.as(f.manager).do("DELETE", member(f.worker.ID, f.health.ID), nil).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")

		f.as(f.admin).do("GET", path("/api/v1/users/%d", f.worker.ID), nil).want(http.StatusOK).decode(&u)
		if len(u.Memberships) != 1 || u.Memberships[0].OrganisationID != f.health.ID {
			t.Errorf("after removing: %+v", u.Memberships)
		}

		// A user in two places works in the place their token was made for, and sees both.
		must(t, f.svc.Users.AddMembership(t.Context(), f.adminB.ID, f.health.ID, linkwork.RoleLinkWorker))
		var me api.Me
		f.as(f.adminB).do("GET", "/api/v1/me", nil).want(http.StatusOK).decode(&me)
		if me.Place.ID != f.placeB.ID || len(me.Places) != 2 || len(me.Memberships) != 1 || me.Memberships[0].PlaceID != f.placeB.ID {
			t.Errorf("two-place user's /me: place %d, %d places, memberships %+v", me.Place.ID, len(me.Places), me.Memberships)
		}
		// Place A's administrator now sees them, with their place A membership.
		l := decodeList[linkwork.User](admin.do("GET", path("/api/v1/users?organisation_id=%d", f.health.ID), nil).want(http.StatusOK))
		for _, lu := range l.Items {
			if lu.ID == f.adminB.ID && (len(lu.Memberships) != 1 || lu.Memberships[0].OrganisationID != f.health.ID) {
				t.Errorf("two-place user listed in place A with %+v", lu.Memberships)
			}
		}
		if l.Total != 3 {
			t.Errorf("health has %d users after adding one, want 3", l.Total)
		}
		events, _, err := f.svc.Audit.ListAudit(t.Context(), linkwork.AuditFilter{Action: "membership.", RecordID: idString(f.worker.ID),
			Page: linkwork.Page{Number: 1, Size: 10}})
		must(t, err)
		var actions []string
		for _, e := range events {
			actions = append(actions, e.Action)
		}
		if want := []string{linkwork.AuditMembershipRemove, linkwork.AuditMembershipAdd, linkwork.AuditMembershipAdd}; !slices.Equal(actions, want) {
			t.Errorf("membership events %v, want %v", actions, want)
		}
	})
}

func TestResetLinkAndUnlock(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		admin := f.as(f.admin)

		var link api.ResetLink
		admin.do("POST", path("/api/v1/users/%d/reset-link", f.worker.ID), nil).want(http.StatusCreated).decode(&link)
		if !strings.HasPrefix(link.URL, baseURL+"/reset?token=") || link.ExpiresIn != linkwork.ResetLinkLifetime.String() {
			t.Errorf("reset link %+v", link)
		}
		admin.do("POST", path("/api/v1/users/%d/reset-link", f.adminB.ID), nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
		admin.do("POST", "/api/v1/users/999999/reset-link", nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
		f.as(f.manager).do("POST", path("/api/v1/users/%d/reset-link", f.worker.ID), nil).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")

		// Lock the worker out with wrong passwords; the lock shows, and unlocking clears it.
		for range linkwork.MaxFailedSignIns {
			if _, err := f.svc.Users.Authenticate(t.Context(), f.worker.Email, "not the right password"); err == nil {
				t.Fatal("a wrong password signed in")
			}
		}
		var u linkwork.User
		admin.do("GET", path("/api/v1/users/%d", f.worker.ID), nil).want(http.StatusOK).decode(&u)
		if u.LockedUntil == nil {
			t.Fatal("no locked_until after failed sign-ins")
		}
		admin.do("POST", path("/api/v1/users/%d/unlock", f.worker.ID), nil).want(http.StatusNoContent)
		u = linkwork.User{}
		admin.do("GET", path("/api/v1/users/%d", f.worker.ID), nil).want(http.StatusOK).decode(&u)
		if u.LockedUntil != nil {
			t.Errorf("still locked until %v", u.LockedUntil)
		}
		if _, err := f.svc.Users.Authenticate(t.Context(), f.worker.Email, testPassword); err != nil {
			t.Errorf("after unlocking: %v", err)
		}
		admin.do("POST", path("/api/v1/users/%d/unlock", f.worker.ID), nil).want(http.StatusNoContent) // not locked: harmless
		admin.do("POST", path("/api/v1/users/%d/unlock", f.adminB.ID), nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
		admin.do("POST", "/api/v1/users/0/unlock", nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
		f.as(f.worker).do("POST", path("/api/v1/users/%d/unlock", f.worker.ID), nil).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	})
}
