package sqldb_test

import (
	"sync"
	"testing"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// Two setup links redeemed at once must not make two first administrators.
func TestSetupOnceConcurrently(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		useClock(db)
		ls := sqldb.NewLinkService(db)
		ctx := t.Context()
		var secrets []string
		for range 2 {
			s, err := ls.CreateSetupLink(ctx)
			must(t, err)
			secrets = append(secrets, s)
		}
		forms := []linkwork.FirstAdmin{firstAdmin(), firstAdmin()}
		forms[1].PlaceName, forms[1].OrganisationName, forms[1].Email = "Leeds", "Leeds Council", "lee@leeds.example"

		// Let both find that there are no users yet before either has made one.
		holder := holdLock(t, db, "LOCK TABLE users IN ACCESS EXCLUSIVE MODE")
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i := range 2 {
			wg.Go(func() { _, errs[i] = ls.CompleteSetup(ctx, secrets[i], forms[i]) })
		}
		waitForWaiters(t, db, holder, 2)
		must(t, holder.Release())
		wg.Wait()

		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
				continue
			}
			wantCode(t, err, linkwork.ENOTFOUND, "")
		}
		if n := countRows(t, db, "users", ""); ok != 1 || n != 1 {
			t.Fatalf("%d setups succeeded and made %d users, want 1 (errors %v)", ok, n, errs)
		}
	})
}

// Two memberships removed at once must not leave a user with none.
func TestRemoveMembershipsConcurrently(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		us := w.svc.Users
		ctx := t.Context()
		must(t, us.AddMembership(ctx, w.admin.ID, w.gp.ID, linkwork.RoleManager))

		// Let both count two memberships before either has removed one.
		holder := holdLock(t, db, "LOCK TABLE memberships IN ACCESS EXCLUSIVE MODE")
		orgs := []int64{w.council.ID, w.gp.ID}
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i := range 2 {
			wg.Go(func() { errs[i] = us.RemoveMembership(ctx, w.admin.ID, orgs[i]) })
		}
		waitForWaiters(t, db, holder, 2)
		must(t, holder.Release())
		wg.Wait()

		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
				continue
			}
			wantCode(t, err, linkwork.ECONFLICT, "")
		}
		if n := countRows(t, db, "memberships", "user_id = ?", w.admin.ID); ok != 1 || n != 1 {
			t.Fatalf("%d removals succeeded, leaving %d memberships; want 1 and 1 (errors %v)", ok, n, errs)
		}
	})
}
