package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"unicode/utf8"

	"linkwork"
)

// maxLedgerNote is the most characters an entry's note, or a reason for a reversal, may have.
const maxLedgerNote = 2000

// newEntry builds a ledger entry of a pot with its effect on the pot's money.
func newEntry(pot *linkwork.BudgetPot, kind linkwork.EntryKind, amount linkwork.Pence, paysCommitment bool, spendID int64, note string) *linkwork.LedgerEntry {
	funds, committed := linkwork.Effect(kind, amount, paysCommitment)
	return &linkwork.LedgerEntry{PlaceID: pot.PlaceID, PotID: pot.ID, Kind: kind, Amount: amount, FundsDelta: funds,
		CommittedDelta: committed, CountsAs: kind, SpendID: spendID, Note: note}
}

// reversalOf builds the entry that undoes e exactly: its effects negated, counted with e.
func reversalOf(e *linkwork.LedgerEntry, reason string) *linkwork.LedgerEntry {
	return &linkwork.LedgerEntry{PlaceID: e.PlaceID, PotID: e.PotID, Kind: linkwork.EntryReversal, Amount: e.Amount,
		FundsDelta: -e.FundsDelta, CommittedDelta: -e.CommittedDelta, CountsAs: e.CountsAs, SpendID: e.SpendID,
		ReversesID: e.ID, Note: reason}
}

// overspend is the refusal of entries that would take a pot's money below nothing.
func overspend(b linkwork.PotBalance) error {
	return linkwork.FieldError("amount", "This would overspend the pot: %s is available.", b.Available)
}

// moveMoney applies entries to a pot whose balance was read under its lock, refusing them
// all when any would take the balance below nothing or the pot above the most it may
// hold, and otherwise stores and audits each one and updates pot.Balance.
func (db *DB) moveMoney(ctx context.Context, c conn, pot *linkwork.BudgetPot, entries ...*linkwork.LedgerEntry) error {
	after, ok := pot.Balance.Apply(entries...)
	if !ok {
		return overspend(pot.Balance)
	}
	if after.Funds > linkwork.MaxAmount || after.Allocated > linkwork.MaxAmount {
		return linkwork.FieldError("amount", "A pot may hold at most %s: this one holds %s.", linkwork.MaxAmount, pot.Balance.Funds)
	}
	userID, userName, err := actingUser(ctx, c)
	if err != nil {
		return err
	}
	now := db.Now()
	for _, e := range entries {
		e.CreatedByUserID, e.CreatedBy, e.CreatedAt = userID, userName, now
		id, err := c.insert(ctx, `INSERT INTO ledger_entries (place_id, pot_id, kind, amount, funds_delta, committed_delta,
			counts_as, spend_id, reverses_id, note, created_by_user_id, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.PlaceID, e.PotID, string(e.Kind), e.Amount, e.FundsDelta,
			e.CommittedDelta, string(e.CountsAs), nullInt(e.SpendID), nullInt(e.ReversesID), e.Note, nullInt(userID),
			userName, now)
		if linkwork.ErrorCode(err) == linkwork.ECONFLICT && e.ReversesID != 0 {
			return linkwork.Errorf(linkwork.EINVALID, "This entry was reversed already: an entry can be reversed only once.")
		}
		if err != nil {
			return err
		}
		e.ID = id
		detail := fmt.Sprintf("%s of %s in pot %d", strings.ToLower(e.Kind.Label()), e.Amount, e.PotID)
		if e.ReversesID != 0 {
			detail += fmt.Sprintf(", undoing entry %d", e.ReversesID)
		}
		if e.SpendID != 0 {
			detail += fmt.Sprintf(", for spend %d", e.SpendID)
		}
		if err := db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: e.PlaceID, Action: linkwork.AuditLedgerEntry,
			RecordType: "ledger_entry", RecordID: idString(id), Detail: detail}); err != nil {
			return err
		}
	}
	pot.Balance = after
	return nil
}

// checkNote trims and checks an entry's note or reason, required when what is not empty.
func checkNote(field string, note *string, what string) error {
	*note = strings.TrimSpace(*note)
	n := utf8.RuneCountInString(*note)
	switch {
	case n == 0 && what != "":
		return linkwork.FieldError(field, "%s", what)
	case n > maxLedgerNote:
		return linkwork.FieldError(field, "The %s must be %d characters or fewer (it has %d).", strings.ReplaceAll(field, "_", " "),
			maxLedgerNote, n)
	case strings.ContainsRune(*note, 0):
		return linkwork.FieldError(field, "The %s contains a character that is not allowed.", strings.ReplaceAll(field, "_", " "))
	}
	return nil
}

// Allocate puts more money into an open pot.
func (s *BudgetService) Allocate(ctx context.Context, potID int64, amount linkwork.Pence, note, key string) (*linkwork.LedgerEntry, error) {
	var ps linkwork.Problems
	ps.Add(linkwork.CheckAmount("amount", amount))
	ps.Add(checkNote("note", &note, ""))
	ps.Add(linkwork.CheckIdempotencyKey(key))
	if err := ps.Err(); err != nil {
		return nil, err
	}
	var e *linkwork.LedgerEntry
	err := s.db.tx(ctx, func(c conn) error {
		pot, err := s.db.findPot(ctx, c, potID, true)
		if err != nil {
			return err
		}
		if err := s.db.claimIdempotencyKey(ctx, c, pot.PlaceID, key, "ledger.allocate", potID); err != nil {
			return err
		}
		if err := checkOpen(pot, s.db.today()); err != nil {
			return err
		}
		e = newEntry(pot, linkwork.EntryAllocation, amount, false, 0, note)
		if err := s.db.moveMoney(ctx, c, pot, e); err != nil {
			return err
		}
		return setIdempotencyRecord(ctx, c, pot.PlaceID, key, e.ID)
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// entryColumns are what every read of a ledger entry returns, with its reversal's ID.
const entryColumns = `e.id, e.place_id, e.pot_id, e.kind, e.amount, e.funds_delta, e.committed_delta, e.counts_as, e.spend_id,
	e.reverses_id, e.note, COALESCE(r.id, 0), e.created_by_user_id, e.created_by, e.created_at
	FROM ledger_entries e LEFT JOIN ledger_entries r ON r.reverses_id = e.id`

func scanEntry(scan func(...any) error) (*linkwork.LedgerEntry, error) {
	e := &linkwork.LedgerEntry{}
	var kind, countsAs string
	var spend, reverses, user sql.NullInt64
	if err := scan(&e.ID, &e.PlaceID, &e.PotID, &kind, &e.Amount, &e.FundsDelta, &e.CommittedDelta, &countsAs, &spend,
		&reverses, &e.Note, &e.ReversedByID, &user, &e.CreatedBy, &e.CreatedAt); err != nil {
		return nil, err
	}
	e.Kind, e.CountsAs = linkwork.EntryKind(kind), linkwork.EntryKind(countsAs)
	e.SpendID, e.ReversesID, e.CreatedByUserID = spend.Int64, reverses.Int64, user.Int64
	e.CreatedAt = e.CreatedAt.UTC()
	return e, nil
}

// findEntry returns one ledger entry, or ENOTFOUND.
func findEntry(ctx context.Context, c conn, id int64) (*linkwork.LedgerEntry, error) {
	e, err := scanEntry(func(dest ...any) error {
		return c.queryRow(ctx, "SELECT "+entryColumns+" WHERE e.id = ?", []any{id}, dest...)
	})
	return e, notFound(err, "Ledger entry")
}

// Ledger returns a pot's entries, oldest first, each with its reversal's ID.
func (s *BudgetService) Ledger(ctx context.Context, potID int64) ([]*linkwork.LedgerEntry, error) {
	c := s.db.read()
	var n int
	if err := c.queryRow(ctx, "SELECT COUNT(*) FROM budget_pots WHERE id = ?", []any{potID}, &n); err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, linkwork.Errorf(linkwork.ENOTFOUND, "Budget pot not found.")
	}
	out := []*linkwork.LedgerEntry{}
	err := c.eachRow(ctx, "SELECT "+entryColumns+" WHERE e.pot_id = ? ORDER BY e.id", []any{potID},
		func(scan func(...any) error) error {
			e, err := scanEntry(scan)
			if err == nil {
				out = append(out, e)
			}
			return err
		})
	return out, err
}

// Reverse undoes an entry with a reversing entry. Undoing a spend's payment reverses the
// spend: when the payment met a commitment, the commitment it met is released too, so that
// nothing stays promised to a spend that is no longer going ahead. Undoing an approved
// grant's commitment takes the grant back to awaiting a decision.
func (s *BudgetService) Reverse(ctx context.Context, entryID int64, reason, key string) (*linkwork.LedgerEntry, error) {
	var ps linkwork.Problems
	ps.Add(checkNote("reason", &reason, "Say why the entry is being reversed."))
	ps.Add(linkwork.CheckIdempotencyKey(key))
	if err := ps.Err(); err != nil {
		return nil, err
	}
	var out *linkwork.LedgerEntry
	err := s.db.tx(ctx, func(c conn) error {
		e, err := findEntry(ctx, c, entryID)
		if err != nil {
			return err
		}
		pot, err := s.db.findPot(ctx, c, e.PotID, true)
		if err != nil {
			return err
		}
		if err := s.db.claimIdempotencyKey(ctx, c, pot.PlaceID, key, "ledger.reverse", entryID); err != nil {
			return err
		}
		if e, err = findEntry(ctx, c, entryID); err != nil { // read again under the pot's lock
			return err
		}
		switch {
		case e.Kind == linkwork.EntryReversal:
			return linkwork.Errorf(linkwork.EINVALID, "This entry is itself a reversal, and a reversal cannot be undone: "+
				"record a new entry instead.")
		case e.ReversedByID != 0:
			return linkwork.Errorf(linkwork.EINVALID, "This entry was reversed already (by entry %d): an entry can be "+
				"reversed only once.", e.ReversedByID)
		}
		out = reversalOf(e, reason)
		entries := []*linkwork.LedgerEntry{out}
		var sp *linkwork.Spend
		var status linkwork.SpendStatus
		if e.SpendID != 0 {
			if sp, err = s.db.findSpend(ctx, c, e.SpendID); err != nil {
				return err
			}
			switch e.Kind {
			case linkwork.EntrySpend:
				if sp.Refunded > 0 {
					return linkwork.Errorf(linkwork.EINVALID, "%s has been paid back against this spend: reverse the refunds "+
						"first, then the payment.", sp.Refunded)
				}
				status = linkwork.SpendReversed
				if e.CommittedDelta != 0 {
					// The payment met a commitment: undoing it promises the money again, and the
					// spend is not going ahead, so the promise is released.
					entries = append(entries, newEntry(pot, linkwork.EntryRelease, e.Amount, false, sp.ID,
						"Released: the payment was reversed"))
				}
			case linkwork.EntryCommitment:
				if sp.Status != linkwork.SpendApproved {
					return linkwork.Errorf(linkwork.EINVALID, "This spend is %s, so its commitment cannot be reversed: "+
						"reverse its payment, or withdraw or decline it.", strings.ToLower(sp.Status.Label()))
				}
				status = linkwork.SpendApplied
			case linkwork.EntryRelease:
				return linkwork.Errorf(linkwork.EINVALID, "A spend's release cannot be reversed: the spend is %s. "+
					"Make a new application or spend instead.", strings.ToLower(sp.Status.Label()))
			}
		}
		if _, ok := pot.Balance.Apply(entries...); !ok {
			return linkwork.FieldError("amount", "Reversing this entry would take the pot below nothing: %s is available.",
				pot.Balance.Available)
		}
		if err := s.db.moveMoney(ctx, c, pot, entries...); err != nil {
			return err
		}
		if status != "" {
			if err := s.db.setSpend(ctx, c, sp, sp.Version, "status = ?, decision_reason = ?", string(status), reason); err != nil {
				return err
			}
			if err := s.db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: sp.PlaceID, Action: linkwork.AuditSpendDecide,
				RecordType: "spend", RecordID: idString(sp.ID), Detail: fmt.Sprintf("%s → %s: entry %d reversed", sp.Status,
					status, e.ID)}); err != nil {
				return err
			}
		}
		if err := setIdempotencyRecord(ctx, c, pot.PlaceID, key, out.ID); err != nil {
			return err
		}
		out, err = findEntry(ctx, c, out.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
