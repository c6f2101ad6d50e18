package sqldb_test

import (
	"strings"
	"testing"
	"time"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// entries returns a pot's ledger, failing the test on an error.
func (w *budgetWorld) entries(t *testing.T, potID int64) []*linkwork.LedgerEntry {
	t.Helper()
	es, err := w.budgets.Ledger(t.Context(), potID)
	must(t, err)
	return es
}

// reverse reverses an entry as the manager, failing the test on an error.
func (w *budgetWorld) reverse(t *testing.T, entryID int64, reason string) *linkwork.LedgerEntry {
	t.Helper()
	e, err := w.budgets.Reverse(w.asManager(), entryID, reason, newKey())
	must(t, err)
	return e
}

func TestBudgetLedgerAllocate(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newBudgetWorld(t, db)
		ctx := w.asManager()
		pot := w.mustPot(t, w.schemePot(), 0)
		key := newKey()
		e, err := w.budgets.Allocate(ctx, pot.ID, 12345, " Top-up from the council ", key)
		must(t, err)
		if e.ID == 0 || e.Kind != linkwork.EntryAllocation || e.Amount != 12345 || e.FundsDelta != 12345 || e.CommittedDelta != 0 ||
			e.CountsAs != linkwork.EntryAllocation || e.Note != "Top-up from the council" || e.PotID != pot.ID || e.PlaceID != w.york.ID ||
			e.CreatedBy != "Max Manager" || !e.CreatedAt.Equal(w.clock.now) || e.SpendID != 0 || e.ReversesID != 0 {
			t.Fatalf("allocation: %s", jsonOf(e))
		}
		if es := w.entries(t, pot.ID); len(es) != 1 || jsonOf(es[0]) != jsonOf(e) {
			t.Fatalf("ledger %s, want %s", jsonOf(es), jsonOf(e))
		}
		w.wantBalance(t, pot.ID, bal(12345, 0, 0))
		if a := oneAudit(t, db, linkwork.AuditLedgerEntry, idStr(e.ID)); a.Detail != "allocation of £123.45 in pot "+idStr(pot.ID) {
			t.Fatalf("audit detail %q", a.Detail)
		}

		before := countBudget(t, db)
		for _, c := range []struct {
			name        string
			amount      linkwork.Pence
			note, key   string
			code, field string
			text        string
		}{
			{"nothing", 0, "", "", linkwork.EINVALID, "amount", "positive whole number"},
			{"negative", -100, "", "", linkwork.EINVALID, "amount", "positive whole number"},
			{"too much at once", linkwork.MaxAmount + 1, "", "", linkwork.EINVALID, "amount", "at most"},
			{"more than a pot may hold", linkwork.MaxAmount, "", "", linkwork.EINVALID, "amount",
				"A pot may hold at most £10,000,000.00: this one holds £123.45."},
			{"a long note", 100, strings.Repeat("x", 2001), "", linkwork.EINVALID, "note", "2000 characters or fewer"},
			{"sent twice", 100, "", key, linkwork.ECONFLICT, "", "This was already done"},
		} {
			k := c.key
			if k == "" {
				k = newKey()
			}
			_, err := w.budgets.Allocate(ctx, pot.ID, c.amount, c.note, k)
			t.Run(c.name, func(t *testing.T) { wantRefused(t, db, before, err, c.code, c.field, c.text) })
		}
		if _, err := w.budgets.Allocate(ctx, pot.ID+100, 100, "", newKey()); linkwork.ErrorCode(err) != linkwork.ENOTFOUND {
			t.Fatalf("allocating to no pot: %v", err)
		}

		// Before and after the period, nothing is allocated; on its first and last days it is.
		w.clock.now = time.Date(2030, time.February, 28, 23, 59, 0, 0, time.UTC)
		_, err = w.budgets.Allocate(ctx, pot.ID, 100, "", newKey())
		wantRefused(t, db, before, err, linkwork.EINVALID, "", "This pot's period starts on 1 March 2030")
		w.clock.now = time.Date(2030, time.March, 1, 0, 0, 0, 0, time.UTC)
		_, err = w.budgets.Allocate(ctx, pot.ID, 100, "", newKey())
		must(t, err)
		w.clock.now = time.Date(2030, time.December, 31, 23, 59, 0, 0, time.UTC)
		_, err = w.budgets.Allocate(ctx, pot.ID, 100, "", newKey())
		must(t, err)
		w.clock.now = time.Date(2031, time.January, 1, 0, 0, 0, 0, time.UTC)
		before = countBudget(t, db)
		_, err = w.budgets.Allocate(ctx, pot.ID, 100, "", newKey())
		wantRefused(t, db, before, err, linkwork.EINVALID, "", "This pot's period ended on 31 December 2030")
		w.wantBalance(t, pot.ID, bal(12545, 0, 0))
	})
}

// TestBudgetLedgerAppendOnly checks that the database itself refuses to change or delete a
// ledger entry, whatever the code above it does.
func TestBudgetLedgerAppendOnly(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newBudgetWorld(t, db)
		pot := w.mustPot(t, w.schemePot(), 10000)
		id := w.entries(t, pot.ID)[0].ID
		_, err := db.Exec(t.Context(), "UPDATE ledger_entries SET amount = 1, funds_delta = 1 WHERE id = ?", id)
		wantCode(t, err, linkwork.EFORBIDDEN, "")
		_, err = db.Exec(t.Context(), "UPDATE ledger_entries SET note = 'edited'")
		wantCode(t, err, linkwork.EFORBIDDEN, "")
		_, err = db.Exec(t.Context(), "DELETE FROM ledger_entries WHERE id = ?", id)
		wantCode(t, err, linkwork.EFORBIDDEN, "")
		_, err = db.Exec(t.Context(), "DELETE FROM ledger_entries")
		wantCode(t, err, linkwork.EFORBIDDEN, "")
		if db.Dialect() == "postgres" {
			_, err = db.Exec(t.Context(), "TRUNCATE ledger_entries CASCADE")
			wantCode(t, err, linkwork.EFORBIDDEN, "")
		}
		if es := w.entries(t, pot.ID); len(es) != 1 || es[0].Amount != 10000 || es[0].Note != "First allocation" {
			t.Fatalf("ledger after the attempts: %s", jsonOf(es))
		}
		w.wantBalance(t, pot.ID, bal(10000, 0, 0))
	})
}

func TestBudgetReverse(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newBudgetWorld(t, db)
		pot := w.mustPot(t, w.schemePot(), 100000)

		// A grant paid from its commitment, reversed: the money is back and nothing stays
		// promised to it.
		g := w.pay(t, w.decide(t, w.mustApply(t, w.grant(pot.ID, 30000)), true, ""))
		w.wantBalance(t, pot.ID, bal(100000, 30000, 0))
		payment := w.entries(t, pot.ID)[2]
		if payment.Kind != linkwork.EntrySpend || payment.SpendID != g.ID {
			t.Fatalf("payment %s", jsonOf(payment))
		}
		before := countBudget(t, db)
		_, err := w.budgets.Reverse(w.asManager(), payment.ID, " ", newKey())
		wantRefused(t, db, before, err, linkwork.EINVALID, "reason", "Say why the entry is being reversed.")
		_, err = w.budgets.Reverse(w.asManager(), payment.ID, "Paid twice", "x")
		wantRefused(t, db, before, err, linkwork.EINVALID, linkwork.IdempotencyKeyField, "16 to 100")
		if _, err := w.budgets.Reverse(w.asManager(), payment.ID+100, "Paid by mistake", newKey()); linkwork.ErrorCode(err) != linkwork.ENOTFOUND {
			t.Fatalf("reversing no entry: %v", err)
		}
		key := newKey()
		rev, err := w.budgets.Reverse(w.asManager(), payment.ID, " Paid to the wrong account ", key)
		must(t, err)
		if rev.Kind != linkwork.EntryReversal || rev.Amount != 30000 || rev.FundsDelta != 30000 || rev.CommittedDelta != 30000 ||
			rev.CountsAs != linkwork.EntrySpend || rev.ReversesID != payment.ID || rev.SpendID != g.ID ||
			rev.Note != "Paid to the wrong account" || rev.CreatedBy != "Max Manager" {
			t.Fatalf("reversal %s", jsonOf(rev))
		}
		w.wantBalance(t, pot.ID, bal(100000, 0, 0))
		got, err := w.budgets.FindSpend(t.Context(), g.ID)
		must(t, err)
		if got.Status != linkwork.SpendReversed || got.DecisionReason != "Paid to the wrong account" || got.Version != g.Version+1 {
			t.Fatalf("reversed spend %s", jsonOf(got))
		}
		gid := idStr(g.ID)
		want := strings.Join([]string{"allocation 100000 100000 0 allocation", "commitment 30000 0 30000 commitment s" + gid,
			"spend 30000 -30000 -30000 spend s" + gid, "reversal 30000 30000 30000 spend s" + gid,
			"release 30000 0 -30000 release s" + gid}, "\n")
		if got := w.ledgerOf(t, pot.ID); got != want {
			t.Fatalf("ledger:\n%s\nwant\n%s", got, want)
		}
		if es := w.entries(t, pot.ID); es[2].ReversedByID != rev.ID || es[3].ReversedByID != 0 {
			t.Fatalf("reversed by %d, want %d", es[2].ReversedByID, rev.ID)
		}
		oneAudit(t, db, linkwork.AuditLedgerEntry, idStr(rev.ID))
		// The approval, the payment and the reversal, newest first.
		if as := auditWith(t, db, linkwork.AuditSpendDecide, gid); len(as) != 3 ||
			as[0].Detail != "paid → reversed: entry "+idStr(payment.ID)+" reversed" ||
			as[1].Detail != "micro-grant "+gid+" of £300.00: approved → paid" {
			t.Fatalf("audit %s", jsonOf(as))
		}

		// Once only; a reversal and a release stand; a request sent twice is refused.
		before = countBudget(t, db)
		_, err = w.budgets.Reverse(w.asManager(), payment.ID, "Again", newKey())
		wantRefused(t, db, before, err, linkwork.EINVALID, "", "This entry was reversed already")
		_, err = w.budgets.Reverse(w.asManager(), rev.ID, "Undo the undo", newKey())
		wantRefused(t, db, before, err, linkwork.EINVALID, "", "a reversal cannot be undone")
		_, err = w.budgets.Reverse(w.asManager(), rev.ID+1, "Promise it again", newKey())
		wantRefused(t, db, before, err, linkwork.EINVALID, "", "A spend's release cannot be reversed")
		_, err = w.budgets.Reverse(w.asManager(), payment.ID, "Paid to the wrong account", key)
		wantRefused(t, db, before, err, linkwork.ECONFLICT, "", "This was already done")
		// The commitment of a grant that was paid is not reversed on its own.
		_, err = w.budgets.Reverse(w.asManager(), payment.ID-1, "Not promised", newKey())
		wantRefused(t, db, before, err, linkwork.EINVALID, "", "This spend is payment reversed, so its commitment cannot be reversed")

		// An approved grant's commitment reversed: it waits for a decision again.
		g2 := w.decide(t, w.mustApply(t, w.grant(pot.ID, 20000)), true, "")
		w.wantBalance(t, pot.ID, bal(100000, 0, 20000))
		commitment := w.entries(t, pot.ID)
		w.reverse(t, commitment[len(commitment)-1].ID, "Approved by mistake")
		w.wantBalance(t, pot.ID, bal(100000, 0, 0))
		if g2, err = w.budgets.FindSpend(t.Context(), g2.ID); err != nil || g2.Status != linkwork.SpendApplied {
			t.Fatalf("after its commitment was reversed: %s, %v", jsonOf(g2), err)
		}
		if g2 = w.decide(t, g2, true, "Approved after all"); g2.Status != linkwork.SpendApproved {
			t.Fatalf("approved again: %s", jsonOf(g2))
		}
		w.wantBalance(t, pot.ID, bal(100000, 0, 20000))

		// A personal spend paid at once, refunded in part: the payment is reversed only after
		// the refund is.
		s := w.mustSpend(t, w.personal(pot.ID, 4000), false)
		w.wantBalance(t, pot.ID, bal(100000, 4000, 20000))
		refund, err := w.budgets.Refund(w.asManager(), s.ID, 1500, "Shop refunded part", newKey())
		must(t, err)
		w.wantBalance(t, pot.ID, bal(100000, 2500, 20000))
		es := w.entries(t, pot.ID)
		paid := es[len(es)-2]
		before = countBudget(t, db)
		_, err = w.budgets.Reverse(w.asManager(), paid.ID, "Wrong person", newKey())
		wantRefused(t, db, before, err, linkwork.EINVALID, "", "£15.00 has been paid back against this spend: reverse the refunds first")
		w.reverse(t, refund.ID, "The refund bounced")
		if s, err = w.budgets.FindSpend(t.Context(), s.ID); err != nil || s.Refunded != 0 || s.Status != linkwork.SpendPaid {
			t.Fatalf("after the refund was reversed: %s, %v", jsonOf(s), err)
		}
		w.wantBalance(t, pot.ID, bal(100000, 4000, 20000))
		w.reverse(t, paid.ID, "Wrong person")
		w.wantBalance(t, pot.ID, bal(100000, 0, 20000))
		if s, err = w.budgets.FindSpend(t.Context(), s.ID); err != nil || s.Status != linkwork.SpendReversed {
			t.Fatalf("after its payment was reversed: %s, %v", jsonOf(s), err)
		}
		before = countBudget(t, db)
		_, err = w.budgets.Refund(w.asManager(), s.ID, 100, "", newKey())
		wantRefused(t, db, before, err, linkwork.EINVALID, "", "This spend is payment reversed")

		// An allocation is reversed only while the pot can spare it.
		top, err := w.budgets.Allocate(w.asManager(), pot.ID, 5000, "Top-up", newKey())
		must(t, err)
		big := w.mustSpend(t, w.personal(pot.ID, 50000), true)
		// Allocated £1,050, spent £500, committed £200: £350 available.
		w.wantBalance(t, pot.ID, bal(105000, 50000, 20000))
		first := w.entries(t, pot.ID)[0]
		before = countBudget(t, db)
		_, err = w.budgets.Reverse(w.asManager(), first.ID, "Wrong pot", newKey())
		wantRefused(t, db, before, err, linkwork.EINVALID, "amount",
			"Reversing this entry would take the pot below nothing: £350.00 is available.")
		rt := w.reverse(t, top.ID, "Entered twice")
		if rt.FundsDelta != -5000 || rt.CountsAs != linkwork.EntryAllocation {
			t.Fatalf("allocation reversal %s", jsonOf(rt))
		}
		w.wantBalance(t, pot.ID, bal(100000, 50000, 20000))
		bigPaid := w.entries(t, pot.ID)
		for _, e := range bigPaid {
			if e.SpendID == big.ID && e.Kind == linkwork.EntrySpend {
				w.reverse(t, e.ID, "Wrong pot")
			}
		}
		w.wantBalance(t, pot.ID, bal(100000, 0, 20000))
	})
}

func TestBudgetIdempotencyKeys(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newBudgetWorld(t, db)
		ctx := w.asManager()
		pot := w.mustPot(t, w.schemePot(), 100000)
		once := func(what string, do func(key string) error) {
			t.Helper()
			key := newKey()
			must(t, do(key))
			before := countBudget(t, db)
			err := do(key)
			wantRefused(t, db, before, err, linkwork.ECONFLICT, "", "This was already done: the form or request was sent twice, so nothing more was changed.")
			if linkwork.ErrorMessage(err) != "This was already done: the form or request was sent twice, so nothing more was changed." {
				t.Fatalf("%s sent twice: %q", what, linkwork.ErrorMessage(err))
			}
		}
		once("an allocation", func(key string) error { _, err := w.budgets.Allocate(ctx, pot.ID, 100, "", key); return err })
		once("a personal spend", func(key string) error { return w.budgets.SpendForPerson(ctx, w.personal(pot.ID, 100), false, key) })
		var g, shed *linkwork.Spend
		once("an application", func(key string) error {
			s := w.grant(pot.ID, 1000)
			if g == nil {
				g = s
			}
			return w.budgets.ApplyForGrant(ctx, s, key)
		})
		once("a decision", func(key string) error {
			_, err := w.budgets.Decide(ctx, g.ID, 1, linkwork.Decision{Approve: true}, key)
			return err
		})
		once("a payment", func(key string) error { _, err := w.budgets.PayGrant(ctx, g.ID, 2, key); return err })
		once("a refund", func(key string) error { _, err := w.budgets.Refund(ctx, g.ID, 100, "", key); return err })
		shed = w.mustApply(t, w.newActivity(pot.ID, 1000, "HX1 1AA"))
		once("a withdrawal", func(key string) error {
			_, err := w.budgets.Withdraw(ctx, shed.ID, 1, "No longer needed.", key)
			return err
		})
		first := w.entries(t, pot.ID)[1]
		once("a reversal", func(key string) error { _, err := w.budgets.Reverse(ctx, first.ID, "Not meant", key); return err })

		// Each key notes what it did.
		var n int
		must(t, db.QueryRow(t.Context(), "SELECT COUNT(*) FROM idempotency_keys WHERE place_id = ? AND record_id = 0",
			[]any{w.york.ID}, &n))
		if n != 0 {
			t.Fatalf("%d keys note no record", n)
		}
	})
}
