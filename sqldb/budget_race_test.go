package sqldb_test

import (
	"sync"
	"testing"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// race runs n calls of fn at once, released together, and returns their errors.
func race(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = fn(i)
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

// TestBudgetRaceOverspend spends from one pot in parallel: a pot with £100 and twenty
// spends of £10 at once must pay exactly ten, refuse the rest as overspends, and end with
// nothing left, on both databases. Without the pot's lock PostgreSQL lets several spends
// read the same balance and the pot goes below nothing.
func TestBudgetRaceOverspend(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newBudgetWorld(t, db)
		pot := w.mustPot(t, w.schemePot(), 10000)
		errs := race(20, func(int) error {
			return w.budgets.SpendForPerson(w.asWorker(), w.personal(pot.ID, 1000), false, newKey())
		})
		paid := 0
		for _, err := range errs {
			if err == nil {
				paid++
				continue
			}
			wantCode(t, err, linkwork.EINVALID, "amount")
			if msg := linkwork.ErrorMessage(err); msg != "This would overspend the pot: £0.00 is available." {
				t.Fatalf("refused with %q, want the overspend", msg)
			}
		}
		if paid != 10 {
			t.Fatalf("%d spends of £10 were paid from £100, want 10", paid)
		}
		w.wantBalance(t, pot.ID, bal(10000, 10000, 0))
		p, err := w.budgets.FindPot(t.Context(), pot.ID)
		must(t, err)
		if p.Balance.Funds != 0 || p.Balance.Available != 0 {
			t.Fatalf("balance %+v, want nothing left", p.Balance)
		}
		if n := countRows(t, db, "ledger_entries", "pot_id = ? AND kind = 'spend'", pot.ID); n != 10 {
			t.Fatalf("%d spend entries, want 10", n)
		}
		if n := countRows(t, db, "spends", "pot_id = ?", pot.ID); n != 10 {
			t.Fatalf("%d spends stored, want 10: a refused spend must write nothing", n)
		}
	})
}

// TestBudgetRaceSameKey sends one request ten times at once: exactly one does the work.
func TestBudgetRaceSameKey(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newBudgetWorld(t, db)
		pot := w.mustPot(t, w.schemePot(), 10000)
		key := newKey()
		errs := race(10, func(int) error {
			return w.budgets.SpendForPerson(w.asWorker(), w.personal(pot.ID, 1000), false, key)
		})
		done := 0
		for _, err := range errs {
			if err == nil {
				done++
				continue
			}
			wantCode(t, err, linkwork.ECONFLICT, "")
			if msg := linkwork.ErrorMessage(err); msg != "This was already done: the form or request was sent twice, so nothing more was changed." {
				t.Fatalf("refused with %q, want the duplicate", msg)
			}
		}
		if done != 1 {
			t.Fatalf("%d of ten requests with the same key did the work, want 1", done)
		}
		w.wantBalance(t, pot.ID, bal(10000, 1000, 0))
		if n := countRows(t, db, "spends", "pot_id = ?", pot.ID); n != 1 {
			t.Fatalf("%d spends stored, want 1", n)
		}

		// The same for a decision on one spend: it is approved once.
		s := w.mustSpend(t, w.personal(pot.ID, 6000), false)
		key = newKey()
		errs = race(10, func(int) error {
			_, err := w.budgets.Decide(w.asManager(), s.ID, s.Version, linkwork.Decision{Approve: true}, key)
			return err
		})
		done = 0
		for _, err := range errs {
			if err == nil {
				done++
			} else {
				wantCode(t, err, linkwork.ECONFLICT, "")
			}
		}
		if done != 1 {
			t.Fatalf("%d of ten decisions with the same key did the work, want 1", done)
		}
		w.wantBalance(t, pot.ID, bal(10000, 7000, 0))
	})
}
