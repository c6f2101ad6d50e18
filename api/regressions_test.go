package api_test

import (
	"net/http"
	"testing"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// TestRegressions keeps bugs found in review from coming back.
func TestRegressions(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)

		// api/api.go decode: a body that is JSON but not an object ([] or "x") is answered
		// " must be a JSON object." with an empty field, because UnmarshalTypeError.Field is "".
		t.Run("BodyNotAnObject", func(t *testing.T) {
			f := f.in(t)
			for _, body := range []string{`[]`, `"x"`, `42`} {
				f.as(f.worker).do("POST", "/api/v1/tokens", body).wantError(http.StatusBadRequest, linkwork.EINVALID, "-")
			}
		})

		// api/users.go listUsers: a manager of two organisations may see the users of both
		// (GET /users/{id} lets them) but listing the second is refused, because the check
		// compares with the first organisation VisibleUsers picked.
		t.Run("ManagerOfTwoOrganisations", func(t *testing.T) {
			f := f.in(t)
			must(t, f.svc.Users.AddMembership(t.Context(), f.manager.ID, f.council.ID, linkwork.RoleManager))
			for _, o := range []*linkwork.Organisation{f.council, f.health} {
				f.as(f.manager).do("GET", path("/api/v1/users?organisation_id=%d", o.ID), nil).want(http.StatusOK)
			}
			must(t, f.svc.Users.RemoveMembership(t.Context(), f.manager.ID, f.council.ID))
		})

		// api/users.go listUsers: an administrator naming another place's organisation gets an
		// empty 200 rather than a refusal, because CanIn is true place-wide and the
		// organisation's place is never checked.
		t.Run("OrganisationOfAnotherPlace", func(t *testing.T) {
			f := f.in(t)
			f.as(f.admin).do("GET", path("/api/v1/users?organisation_id=%d", f.wakefield.ID), nil).
				wantError(http.StatusBadRequest, linkwork.EINVALID, "organisation_id")
		})

		// api/users.go visibleUser: GET /users/{id} (and PUT membership's answer) shows the
		// user's memberships in every place, so place A's administrator learns about place B;
		// GET /users filters them to the place.
		t.Run("MembershipsOfOtherPlaces", func(t *testing.T) {
			f := f.in(t)
			must(t, f.svc.Users.AddMembership(t.Context(), f.councilWorker.ID, f.wakefield.ID, linkwork.RoleLinkWorker))
			var u linkwork.User
			f.as(f.admin).do("GET", path("/api/v1/users/%d", f.councilWorker.ID), nil).want(http.StatusOK).decode(&u)
			for _, m := range u.Memberships {
				if m.PlaceID != f.placeA.ID {
					t.Errorf("place A's administrator sees %s's membership of %s in place %d", u.Name, m.OrganisationName, m.PlaceID)
				}
			}
		})

		// sqldb/user.go RemoveMembership: removing a membership the user does not have is 404,
		// but a user with one membership gets 409 because the count is checked first.
		t.Run("RemoveMissingMembership", func(t *testing.T) {
			f := f.in(t)
			f.as(f.admin).do("DELETE", path("/api/v1/users/%d/memberships/%d", f.worker.ID, f.council.ID), nil).
				wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
		})

		// An administrator of one place must not take over the account of someone who also
		// works in another place: password links and unlocking need an administrator of
		// every place the person works in.
		t.Run("AccountInTwoPlaces", func(t *testing.T) {
			f := f.in(t)
			both := f.user("both@example.org", "Bo Both", f.council, linkwork.RoleLinkWorker)
			must(t, f.svc.Users.AddMembership(t.Context(), both.ID, f.wakefield.ID, linkwork.RoleAdmin))
			for _, admin := range []*linkwork.User{f.admin} {
				f.as(admin).do("POST", path("/api/v1/users/%d/reset-link", both.ID), nil).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
				f.as(admin).do("POST", path("/api/v1/users/%d/unlock", both.ID), nil).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
			}
			twoPlaces := f.user("admin2@example.org", "Ade Admin", f.council, linkwork.RoleAdmin)
			must(t, f.svc.Users.AddMembership(t.Context(), twoPlaces.ID, f.wakefield.ID, linkwork.RoleAdmin))
			f.as(twoPlaces).do("POST", path("/api/v1/users/%d/reset-link", both.ID), nil).want(http.StatusCreated)
		})
	})
}
