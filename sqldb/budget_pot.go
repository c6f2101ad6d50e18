package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"linkwork"
)

// BudgetService keeps devolved budgets: pots (this file), their ledger (budget_ledger.go),
// spends (budget_spend.go) and the report of where the money went (budget_report.go). A
// pot's money is only ever its ledger entries; every change that moves money locks the pot,
// works out its balance from the entries, and refuses an entry that would take it below
// zero, in one transaction with the request's idempotency key and its audit events.
type BudgetService struct{ db *DB }

// NewBudgetService returns the devolved budgets of db.
func NewBudgetService(db *DB) *BudgetService { return &BudgetService{db: db} }

var _ linkwork.BudgetService = (*BudgetService)(nil)

// potColumns are what every read of a pot returns, with its organisation's, scheme's and
// link worker's names; the balance is read from the ledger separately.
const potColumns = `p.id, p.place_id, p.organisation_id, o.name, p.holder, p.service_id, COALESCE(s.name, ''), p.user_id,
	COALESCE(u.name, ''), p.name, p.funder, p.period_start, p.period_end, p.max_per_item, p.approval_threshold, p.kinds,
	p.needs, p.rules, p.open_to_applications, p.status, p.closed_at, p.closed_by, p.created_by, p.created_at, p.version`

const potFrom = ` FROM budget_pots p JOIN organisations o ON o.id = p.organisation_id
	LEFT JOIN services s ON s.id = p.service_id LEFT JOIN users u ON u.id = p.user_id`

func scanPot(scan func(...any) error) (*linkwork.BudgetPot, error) {
	p := &linkwork.BudgetPot{}
	var service, user sql.NullInt64
	var holder, start, end, kinds, needs, status string
	var closed sql.NullTime
	if err := scan(&p.ID, &p.PlaceID, &p.OrganisationID, &p.OrganisationName, &holder, &service, &p.ServiceName, &user,
		&p.UserName, &p.Name, &p.Funder, &start, &end, &p.MaxPerItem, &p.ApprovalThreshold, &kinds, &needs, &p.Rules,
		&p.OpenToApplications, &status, &closed, &p.ClosedBy, &p.CreatedBy, &p.CreatedAt, &p.Version); err != nil {
		return nil, err
	}
	p.Holder, p.Status = linkwork.PotHolder(holder), linkwork.PotStatus(status)
	p.ServiceID, p.UserID = service.Int64, user.Int64
	p.PeriodStart, p.PeriodEnd = parseDay(start), parseDay(end)
	p.Kinds = []linkwork.SpendKind{}
	for _, k := range strings.Fields(kinds) {
		p.Kinds = append(p.Kinds, linkwork.SpendKind(k))
	}
	p.Needs = splitList(needs)
	p.ClosedAt, p.CreatedAt = timePtr(closed), p.CreatedAt.UTC()
	return p, nil
}

// parseDay reads a stored 'YYYY-MM-DD' date as midnight UTC, the domain's form of a date.
func parseDay(s string) time.Time {
	d, _ := time.Parse(time.DateOnly, s)
	return d
}

// dayString writes a domain date for storage.
func dayString(d time.Time) string { return d.UTC().Format(time.DateOnly) }

// findPot returns a pot with its balance, or ENOTFOUND. forUpdate locks the pot's row until
// the transaction ends, on PostgreSQL: every change to a pot's money or spends takes it
// first, so that two spends cannot both see the same balance. SQLite's transactions already
// hold the database's only write lock.
func (db *DB) findPot(ctx context.Context, c conn, id int64, forUpdate bool) (*linkwork.BudgetPot, error) {
	if forUpdate && db.dialect.name() == "postgres" {
		var locked int64
		if err := c.queryRow(ctx, "SELECT id FROM budget_pots WHERE id = ? FOR UPDATE", []any{id}, &locked); err != nil {
			return nil, notFound(err, "Budget pot")
		}
	}
	p, err := scanPot(func(dest ...any) error {
		return c.queryRow(ctx, "SELECT "+potColumns+potFrom+" WHERE p.id = ?", []any{id}, dest...)
	})
	if err != nil {
		return nil, notFound(err, "Budget pot")
	}
	p.Balance, err = potBalance(ctx, c, id)
	return p, err
}

// balanceSums are the sums of a pot's ledger that make its balance: Funds, Committed,
// Allocated and Spent, as PotBalance.Apply keeps them.
const balanceSums = `CAST(COALESCE(SUM(funds_delta), 0) AS BIGINT), CAST(COALESCE(SUM(committed_delta), 0) AS BIGINT),
	CAST(COALESCE(SUM(CASE WHEN counts_as = 'allocation' THEN funds_delta ELSE 0 END), 0) AS BIGINT),
	CAST(COALESCE(SUM(CASE WHEN counts_as IN ('spend', 'refund') THEN -funds_delta ELSE 0 END), 0) AS BIGINT)`

// potBalance works out a pot's balance from its ledger.
func potBalance(ctx context.Context, c conn, potID int64) (linkwork.PotBalance, error) {
	var b linkwork.PotBalance
	err := c.queryRow(ctx, "SELECT "+balanceSums+" FROM ledger_entries WHERE pot_id = ?", []any{potID},
		&b.Funds, &b.Committed, &b.Allocated, &b.Spent)
	b.Available = b.Funds - b.Committed
	return b, err
}

// FindPot returns a pot with its balance, or ENOTFOUND.
func (s *BudgetService) FindPot(ctx context.Context, id int64) (*linkwork.BudgetPot, error) {
	return s.db.findPot(ctx, s.db.read(), id, false)
}

// ListPots returns a place's pots, open ones first and then by name, with their balances
// from one grouped read of the ledger.
func (s *BudgetService) ListPots(ctx context.Context, f linkwork.PotFilter) ([]*linkwork.BudgetPot, error) {
	where, args := " WHERE p.place_id = ?", []any{f.PlaceID}
	if len(f.OrganisationIDs) > 0 {
		where, args = where+" AND p.organisation_id IN "+placeholders(len(f.OrganisationIDs)), append(args, anys(f.OrganisationIDs)...)
	}
	if f.Status != "" {
		where, args = where+" AND p.status = ?", append(args, string(f.Status))
	}
	if f.OpenToApplications {
		today := dayString(s.db.today())
		where += " AND p.open_to_applications = ? AND p.status = 'open' AND p.period_start <= ? AND p.period_end >= ?"
		args = append(args, true, today, today)
	}
	c := s.db.read()
	out := []*linkwork.BudgetPot{}
	byID := map[int64]*linkwork.BudgetPot{}
	err := c.eachRow(ctx, "SELECT "+potColumns+potFrom+where+
		" ORDER BY CASE WHEN p.status = 'open' THEN 0 ELSE 1 END, lower(p.name), p.id", args,
		func(scan func(...any) error) error {
			p, err := scanPot(scan)
			if err == nil {
				out, byID[p.ID] = append(out, p), p
			}
			return err
		})
	if err != nil || len(out) == 0 {
		return out, err
	}
	ids := make([]int64, len(out))
	for i, p := range out {
		ids[i] = p.ID
	}
	err = c.eachRow(ctx, "SELECT pot_id, "+balanceSums+" FROM ledger_entries WHERE pot_id IN "+placeholders(len(ids))+
		" GROUP BY pot_id", anys(ids), func(scan func(...any) error) error {
		var id int64
		var b linkwork.PotBalance
		if err := scan(&id, &b.Funds, &b.Committed, &b.Allocated, &b.Spent); err != nil {
			return err
		}
		if p := byID[id]; p != nil {
			b.Available = b.Funds - b.Committed
			p.Balance = b
		}
		return nil
	})
	return out, err
}

// CreatePot validates and stores a pot with an allocation of initial (when more than
// nothing), under the request's idempotency key.
func (s *BudgetService) CreatePot(ctx context.Context, pot *linkwork.BudgetPot, initial linkwork.Pence, key string) error {
	if pot == nil {
		return linkwork.Errorf(linkwork.EINVALID, "There is no pot to add.")
	}
	var ps linkwork.Problems
	ps.Add(pot.Validate())
	if initial < 0 || initial > linkwork.MaxAmount {
		ps.Add(linkwork.FieldError("initial", "The first allocation must be between nothing and %s.", linkwork.MaxAmount))
	}
	ps.Add(linkwork.CheckIdempotencyKey(key))
	if err := ps.Err(); err != nil {
		return err
	}
	pot.PeriodStart, pot.PeriodEnd = parseDay(dayString(pot.PeriodStart)), parseDay(dayString(pot.PeriodEnd))
	return s.db.tx(ctx, func(c conn) error {
		// The pot is checked first, so that a place that does not exist is named as such
		// rather than failing the key's reference to it.
		if err := s.db.checkPot(ctx, c, pot); err != nil {
			return err
		}
		if err := s.db.claimIdempotencyKey(ctx, c, pot.PlaceID, key, linkwork.AuditPotCreate, 0); err != nil {
			return err
		}
		today := s.db.today()
		if initial > 0 && today.After(pot.PeriodEnd) {
			return linkwork.FieldError("period_end", "This pot's period ended on %s, so money cannot be put into it.",
				longDay(pot.PeriodEnd))
		}
		userID, userName, err := actingUser(ctx, c)
		if err != nil {
			return err
		}
		now := s.db.Now()
		kinds := make([]string, len(pot.Kinds))
		for i, k := range pot.Kinds {
			kinds[i] = string(k)
		}
		id, err := c.insert(ctx, `INSERT INTO budget_pots (place_id, organisation_id, holder, service_id, user_id, name, funder,
			period_start, period_end, max_per_item, approval_threshold, kinds, needs, rules, open_to_applications, status,
			closed_at, closed_by, created_by_user_id, created_by, created_at, version)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', NULL, '', ?, ?, ?, 1)`,
			pot.PlaceID, pot.OrganisationID, string(pot.Holder), nullInt(pot.ServiceID), nullInt(pot.UserID), pot.Name,
			pot.Funder, dayString(pot.PeriodStart), dayString(pot.PeriodEnd), pot.MaxPerItem, pot.ApprovalThreshold,
			strings.Join(kinds, " "), joinList(pot.Needs), pot.Rules, pot.OpenToApplications, nullInt(userID), userName, now)
		if err != nil {
			return err
		}
		pot.ID, pot.Balance = id, linkwork.PotBalance{}
		if err := setIdempotencyRecord(ctx, c, pot.PlaceID, key, id); err != nil {
			return err
		}
		if err := s.db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: pot.PlaceID, Action: linkwork.AuditPotCreate,
			RecordType: "budget_pot", RecordID: idString(id), Detail: fmt.Sprintf("%s, held by %s", pot.Name,
				strings.ToLower(pot.Holder.Label()))}); err != nil {
			return err
		}
		if initial > 0 {
			e := newEntry(pot, linkwork.EntryAllocation, initial, false, 0, "First allocation")
			if err := s.db.moveMoney(ctx, c, pot, e); err != nil {
				return err
			}
		}
		created, err := s.db.findPot(ctx, c, id, false)
		if err != nil {
			return err
		}
		*pot = *created
		return nil
	})
}

// checkPot checks a pot's references: its organisation is in its place; a scheme holding it
// is a connector scheme of that organisation; a link worker holding it is a link worker or
// manager there; its needs are needs of the place. It fills in their names.
func (db *DB) checkPot(ctx context.Context, c conn, pot *linkwork.BudgetPot) error {
	var ps linkwork.Problems
	var orgPlace int64
	err := c.queryRow(ctx, "SELECT place_id, name FROM organisations WHERE id = ?", []any{pot.OrganisationID},
		&orgPlace, &pot.OrganisationName)
	switch {
	case errors.Is(err, sql.ErrNoRows) || err == nil && orgPlace != pot.PlaceID:
		return linkwork.FieldError("organisation_id", "There is no organisation %d in this place: choose the one that holds the pot.",
			pot.OrganisationID)
	case err != nil:
		return err
	}
	pot.ServiceName, pot.UserName = "", ""
	switch pot.Holder {
	case linkwork.HolderScheme:
		var kind string
		var org int64
		err := c.queryRow(ctx, "SELECT name, kind, organisation_id FROM services WHERE id = ?", []any{pot.ServiceID},
			&pot.ServiceName, &kind, &org)
		switch {
		case errors.Is(err, sql.ErrNoRows) || err == nil && (org != pot.OrganisationID || kind != string(linkwork.KindScheme)):
			ps.Add(linkwork.FieldError("service_id", "Choose a connector scheme that %s runs.", pot.OrganisationName))
		case err != nil:
			return err
		}
	case linkwork.HolderLinkWorker:
		err := c.queryRow(ctx, `SELECT u.name FROM users u JOIN memberships m ON m.user_id = u.id
			WHERE u.id = ? AND m.organisation_id = ? AND m.role IN ('link_worker', 'manager')`,
			[]any{pot.UserID, pot.OrganisationID}, &pot.UserName)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			ps.Add(linkwork.FieldError("user_id", "Choose a link worker or manager of %s to hold the pot.", pot.OrganisationName))
		case err != nil:
			return err
		}
	}
	for _, need := range pot.Needs {
		if _, err := needLabel(ctx, c, pot.PlaceID, "needs", need); err != nil {
			ps.Add(err)
		}
	}
	return ps.Err()
}

// needLabel returns the name of a need of a place's need taxonomy, or a field error when
// the place has no such need.
func needLabel(ctx context.Context, c conn, placeID int64, field, need string) (string, error) {
	var label string
	err := c.queryRow(ctx, `SELECT tt.name FROM taxonomy_terms tt JOIN taxonomies t ON t.id = tt.taxonomy_id
		WHERE t.place_id = ? AND t.code = ? AND tt.code = ?`, []any{placeID, linkwork.TaxonomyNeed, need}, &label)
	if errors.Is(err, sql.ErrNoRows) {
		return "", linkwork.FieldError(field, "There is no need %q in this place's list of needs: choose one of them.", need)
	}
	return label, err
}

// UpdatePotRules changes a pot's name, funder, period and rules, keeping its holder and its
// money, refusing a stale version with ECONFLICT and a closed pot.
func (s *BudgetService) UpdatePotRules(ctx context.Context, pot *linkwork.BudgetPot) error {
	if pot == nil {
		return linkwork.Errorf(linkwork.EINVALID, "There is no pot to change.")
	}
	return s.db.tx(ctx, func(c conn) error {
		old, err := s.db.findPot(ctx, c, pot.ID, true)
		if err != nil {
			return err
		}
		if pot.PlaceID != 0 && pot.PlaceID != old.PlaceID {
			return linkwork.Errorf(linkwork.ENOTFOUND, "Budget pot not found.")
		}
		if old.Version != pot.Version {
			return stalePot(old)
		}
		if old.Status == linkwork.PotClosed {
			return linkwork.Errorf(linkwork.EINVALID, "This pot is closed, so its rules can no longer be changed.")
		}
		pot.PlaceID, pot.OrganisationID, pot.Holder, pot.ServiceID, pot.UserID = old.PlaceID, old.OrganisationID, old.Holder,
			old.ServiceID, old.UserID
		if err := pot.Validate(); err != nil {
			return err
		}
		pot.PeriodStart, pot.PeriodEnd = parseDay(dayString(pot.PeriodStart)), parseDay(dayString(pot.PeriodEnd))
		if err := s.db.checkPot(ctx, c, pot); err != nil {
			return err
		}
		kinds := make([]string, len(pot.Kinds))
		for i, k := range pot.Kinds {
			kinds[i] = string(k)
		}
		res, err := c.exec(ctx, `UPDATE budget_pots SET name = ?, funder = ?, period_start = ?, period_end = ?, max_per_item = ?,
			approval_threshold = ?, kinds = ?, needs = ?, rules = ?, open_to_applications = ?, version = version + 1
			WHERE id = ? AND version = ?`, pot.Name, pot.Funder, dayString(pot.PeriodStart), dayString(pot.PeriodEnd),
			pot.MaxPerItem, pot.ApprovalThreshold, strings.Join(kinds, " "), joinList(pot.Needs), pot.Rules,
			pot.OpenToApplications, pot.ID, pot.Version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return stalePot(old)
		}
		if err := s.db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: old.PlaceID, Action: linkwork.AuditPotUpdate,
			RecordType: "budget_pot", RecordID: idString(pot.ID), Detail: potChanges(old, pot)}); err != nil {
			return err
		}
		updated, err := s.db.findPot(ctx, c, pot.ID, false)
		if err != nil {
			return err
		}
		*pot = *updated
		return nil
	})
}

// potChanges names what an update changed, for the audit trail.
func potChanges(old, pot *linkwork.BudgetPot) string {
	var changed []string
	add := func(what string, differs bool) {
		if differs {
			changed = append(changed, what)
		}
	}
	add("name", old.Name != pot.Name)
	add("funder", old.Funder != pot.Funder)
	add("period", !old.PeriodStart.Equal(pot.PeriodStart) || !old.PeriodEnd.Equal(pot.PeriodEnd))
	add("most per item", old.MaxPerItem != pot.MaxPerItem)
	add("approval threshold", old.ApprovalThreshold != pot.ApprovalThreshold)
	add("kinds", !slices.Equal(old.Kinds, pot.Kinds))
	add("needs", !slices.Equal(old.Needs, pot.Needs))
	add("rules", old.Rules != pot.Rules)
	add("open to applications", old.OpenToApplications != pot.OpenToApplications)
	if len(changed) == 0 {
		return "nothing changed"
	}
	return "changed " + strings.Join(changed, ", ")
}

// stalePot is the conflict of a change made to an old version of a pot.
func stalePot(p *linkwork.BudgetPot) error {
	return linkwork.Errorf(linkwork.ECONFLICT, "Someone changed the pot %q after you opened it. "+
		"Reload the page to see the change, then make yours again.", p.Name)
}

// ClosePot closes a pot at version, refused while money is committed from it.
func (s *BudgetService) ClosePot(ctx context.Context, potID int64, version int) error {
	return s.db.tx(ctx, func(c conn) error {
		p, err := s.db.findPot(ctx, c, potID, true)
		if err != nil {
			return err
		}
		if p.Version != version {
			return stalePot(p)
		}
		if p.Status == linkwork.PotClosed {
			return linkwork.Errorf(linkwork.EINVALID, "This pot is closed already.")
		}
		if p.Balance.Committed > 0 {
			return linkwork.Errorf(linkwork.EINVALID, "This pot has %s promised to spends not yet paid: pay, decline or "+
				"withdraw them before closing it.", p.Balance.Committed)
		}
		_, userName, err := actingUser(ctx, c)
		if err != nil {
			return err
		}
		res, err := c.exec(ctx, `UPDATE budget_pots SET status = 'closed', closed_at = ?, closed_by = ?, version = version + 1
			WHERE id = ? AND version = ?`, s.db.Now(), userName, potID, version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return stalePot(p)
		}
		return s.db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: p.PlaceID, Action: linkwork.AuditPotClose,
			RecordType: "budget_pot", RecordID: idString(potID), Detail: fmt.Sprintf("closed with %s unspent", p.Balance.Funds)})
	})
}

// checkOpen refuses a new spend, commitment or allocation on a pot that is closed, or on a
// day outside its period.
func checkOpen(p *linkwork.BudgetPot, today time.Time) error {
	switch {
	case p.Open(today):
		return nil
	case p.Status == linkwork.PotClosed:
		return linkwork.Errorf(linkwork.EINVALID, "This pot is closed: it takes no new spends, commitments or allocations.")
	case today.Before(p.PeriodStart):
		return linkwork.Errorf(linkwork.EINVALID, "This pot's period starts on %s: nothing can be spent, promised or "+
			"allocated from it before then.", longDay(p.PeriodStart))
	}
	return linkwork.Errorf(linkwork.EINVALID, "This pot's period ended on %s: it takes no new spends, commitments or "+
		"allocations.", longDay(p.PeriodEnd))
}

// longDay writes a date as "31 March 2031".
func longDay(d time.Time) string { return d.Format("2 January 2006") }
