package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"linkwork"
)

// spendColumns are what every read of a spend returns: the spend with its pot's name and
// organisation, its neighbourhood's name and deprivation, its group's name, the person's
// names (for the holding organisation's pages only) and the money paid back against it.
const spendColumns = `s.id, s.place_id, s.pot_id, p.name, p.organisation_id, s.kind, s.amount, s.need, s.neighbourhood_code,
	COALESCE(l.name, ''), COALESCE(l.imd_decile, 0), s.funding_opportunity_id, s.group_organisation_id, COALESCE(g.name, ''),
	s.activity_name, s.purpose, s.postcode, s.people_expected, s.contact_name, s.contact_email, s.contact_phone, s.report_due,
	s.report_what_happened, s.report_people_reached, s.report_volunteers, s.report_amount_used, s.report_submitted_by,
	s.report_submitted_at, s.person_id, COALESCE(pe.given_name, ''), COALESCE(pe.family_name, ''), s.goal_id, s.item,
	s.reason, s.status, s.decision_reason, s.requested_by_user_id, s.requested_by, s.requested_at, s.decided_by,
	s.decided_at, s.paid_at, s.version,
	(SELECT CAST(COALESCE(SUM(r.funds_delta), 0) AS BIGINT) FROM ledger_entries r WHERE r.spend_id = s.id AND r.counts_as = 'refund')`

const spendFrom = ` FROM spends s JOIN budget_pots p ON p.id = s.pot_id LEFT JOIN lsoas l ON l.code = s.neighbourhood_code
	LEFT JOIN organisations g ON g.id = s.group_organisation_id LEFT JOIN persons pe ON pe.id = s.person_id`

func scanSpend(scan func(...any) error) (*linkwork.Spend, error) {
	s := &linkwork.Spend{}
	var kind, status, given, family string
	var opportunity, group, person, goal, requestedBy sql.NullInt64
	var reportDue, what, submittedBy sql.NullString
	var reached, volunteers, used sql.NullInt64
	var submittedAt, decidedAt, paidAt sql.NullTime
	if err := scan(&s.ID, &s.PlaceID, &s.PotID, &s.PotName, &s.PotOrganisationID, &kind, &s.Amount, &s.Need,
		&s.NeighbourhoodCode, &s.NeighbourhoodName, &s.IMDDecile, &opportunity, &group, &s.GroupName, &s.ActivityName,
		&s.Purpose, &s.Postcode, &s.PeopleExpected, &s.ContactName, &s.ContactEmail, &s.ContactPhone, &reportDue, &what,
		&reached, &volunteers, &used, &submittedBy, &submittedAt, &person, &given, &family, &goal, &s.Item, &s.Reason,
		&status, &s.DecisionReason, &requestedBy, &s.RequestedBy, &s.RequestedAt, &s.DecidedBy, &decidedAt, &paidAt,
		&s.Version, &s.Refunded); err != nil {
		return nil, err
	}
	s.Kind, s.Status = linkwork.SpendKind(kind), linkwork.SpendStatus(status)
	if s.NeighbourhoodName == "" {
		s.NeighbourhoodName = s.NeighbourhoodCode
	}
	s.FundingOpportunityID, s.GroupOrganisationID, s.PersonID, s.GoalID = opportunity.Int64, group.Int64, person.Int64, goal.Int64
	s.RequestedByUserID = requestedBy.Int64
	s.PersonName = strings.TrimSpace(given + " " + family)
	if reportDue.Valid {
		d := parseDay(reportDue.String)
		s.ReportDue = &d
	}
	if submittedAt.Valid {
		s.Report = &linkwork.GrantReport{WhatHappened: what.String, PeopleReached: int(reached.Int64),
			Volunteers: int(volunteers.Int64), AmountUsed: linkwork.Pence(used.Int64), SubmittedBy: submittedBy.String,
			SubmittedAt: submittedAt.Time.UTC()}
	}
	s.RequestedAt, s.DecidedAt, s.PaidAt = s.RequestedAt.UTC(), timePtr(decidedAt), timePtr(paidAt)
	return s, nil
}

// querySpends runs a query for spends.
func querySpends(ctx context.Context, c conn, query string, args ...any) ([]*linkwork.Spend, error) {
	out := []*linkwork.Spend{}
	err := c.eachRow(ctx, query, args, func(scan func(...any) error) error {
		s, err := scanSpend(scan)
		if err == nil {
			out = append(out, s)
		}
		return err
	})
	return out, err
}

// findSpend returns one spend, or ENOTFOUND.
func (db *DB) findSpend(ctx context.Context, c conn, id int64) (*linkwork.Spend, error) {
	s, err := scanSpend(func(dest ...any) error {
		return c.queryRow(ctx, "SELECT "+spendColumns+spendFrom+" WHERE s.id = ?", []any{id}, dest...)
	})
	if err != nil {
		return nil, notFound(err, "Spend")
	}
	return s, nil
}

// FindSpend returns one spend, with the person's name when it is a personal spend: the
// caller shows it only to the holding organisation.
func (s *BudgetService) FindSpend(ctx context.Context, id int64) (*linkwork.Spend, error) {
	return s.db.findSpend(ctx, s.db.read(), id)
}

// ListSpends returns a page of the spends the filter chooses, newest first, and how many
// there are.
func (s *BudgetService) ListSpends(ctx context.Context, f linkwork.SpendFilter) ([]*linkwork.Spend, int, error) {
	where, args := " WHERE s.place_id = ?", []any{f.PlaceID}
	if f.PotID != 0 {
		where, args = where+" AND s.pot_id = ?", append(args, f.PotID)
	}
	var whose []string
	if len(f.PotOrganisationIDs) > 0 {
		whose, args = append(whose, "p.organisation_id IN "+placeholders(len(f.PotOrganisationIDs))), append(args, anys(f.PotOrganisationIDs)...)
	}
	if len(f.GroupOrganisationIDs) > 0 {
		whose, args = append(whose, "s.group_organisation_id IN "+placeholders(len(f.GroupOrganisationIDs))),
			append(args, anys(f.GroupOrganisationIDs)...)
	}
	if len(whose) > 0 {
		where += " AND (" + strings.Join(whose, " OR ") + ")"
	}
	if f.PersonID != 0 {
		where, args = where+" AND s.person_id = ?", append(args, f.PersonID)
	}
	if f.Kind != "" {
		where, args = where+" AND s.kind = ?", append(args, string(f.Kind))
	}
	if len(f.Statuses) > 0 {
		where += " AND s.status IN " + placeholders(len(f.Statuses))
		for _, st := range f.Statuses {
			args = append(args, string(st))
		}
	}
	c := s.db.read()
	var total int
	if err := c.queryRow(ctx, "SELECT COUNT(*) FROM spends s JOIN budget_pots p ON p.id = s.pot_id"+where, args, &total); err != nil {
		return nil, 0, err
	}
	if total == 0 {
		return []*linkwork.Spend{}, 0, nil
	}
	page := f.Page.Normal()
	out, err := querySpends(ctx, c, "SELECT "+spendColumns+spendFrom+where+" ORDER BY s.requested_at DESC, s.id DESC LIMIT ? OFFSET ?",
		append(args, page.Size, page.Offset())...)
	return out, total, err
}

// setSpend updates a spend still at version, and counts the change in its version; a spend
// changed since is ECONFLICT.
func (db *DB) setSpend(ctx context.Context, c conn, sp *linkwork.Spend, version int, set string, args ...any) error {
	res, err := c.exec(ctx, "UPDATE spends SET "+set+", version = version + 1 WHERE id = ? AND version = ?",
		append(args, sp.ID, version)...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return staleSpend(sp)
	}
	return nil
}

// staleSpend is the conflict of a change made to an old version of a spend.
func staleSpend(sp *linkwork.Spend) error {
	return linkwork.Errorf(linkwork.ECONFLICT, "Someone changed this spend after you opened it: it is now %s. "+
		"Reload the page to see the change, then try again.", strings.ToLower(sp.Status.Label()))
}

// checkRules checks a spend of kind on need for amount against a pot's rules and its need
// taxonomy.
func checkRules(ctx context.Context, c conn, pot *linkwork.BudgetPot, kind linkwork.SpendKind, need string, amount linkwork.Pence) error {
	if !slices.Contains(pot.Kinds, kind) {
		_, why := pot.Allows(kind, need)
		return linkwork.Errorf(linkwork.EINVALID, "%s", why)
	}
	var ps linkwork.Problems
	if ok, why := pot.Allows(kind, need); !ok {
		ps.Add(linkwork.FieldError("need", "%s", why))
	} else if _, err := needLabel(ctx, c, pot.PlaceID, "need", need); err != nil {
		ps.Add(err)
	}
	if pot.MaxPerItem > 0 && amount > pot.MaxPerItem {
		ps.Add(linkwork.FieldError("amount", "The most this pot allows per item is %s.", pot.MaxPerItem))
	}
	return ps.Err()
}

// startSpend checks a new spend against its pot, locked, and claims the request's key:
// the pot is in the spend's place, open today, and its rules allow the spend.
func (db *DB) startSpend(ctx context.Context, c conn, sp *linkwork.Spend, key string) (*linkwork.BudgetPot, error) {
	pot, err := db.findPot(ctx, c, sp.PotID, true)
	if err != nil {
		return nil, err
	}
	if sp.PlaceID != 0 && sp.PlaceID != pot.PlaceID {
		return nil, linkwork.Errorf(linkwork.ENOTFOUND, "Budget pot not found.")
	}
	sp.PlaceID, sp.PotName, sp.PotOrganisationID = pot.PlaceID, pot.Name, pot.OrganisationID
	if err := db.claimIdempotencyKey(ctx, c, pot.PlaceID, key, "spend."+string(sp.Kind), 0); err != nil {
		return nil, err
	}
	if err := checkOpen(pot, db.today()); err != nil {
		return nil, err
	}
	return pot, checkRules(ctx, c, pot, sp.Kind, sp.Need, sp.Amount)
}

// checkOpportunity checks that a spend's funding opportunity, if any, is open in its place.
func checkOpportunity(ctx context.Context, c conn, sp *linkwork.Spend) error {
	if sp.FundingOpportunityID == 0 {
		return nil
	}
	var place int64
	var status string
	err := c.queryRow(ctx, "SELECT place_id, status FROM funding_opportunities WHERE id = ?", []any{sp.FundingOpportunityID},
		&place, &status)
	switch {
	case errors.Is(err, sql.ErrNoRows) || err == nil && (place != sp.PlaceID || status != "open"):
		return linkwork.FieldError("funding_opportunity_id", "Funding opportunity %d is not open in this place: choose an "+
			"open one, or none.", sp.FundingOpportunityID)
	}
	return err
}

// postcodeLSOA returns the LSOA of a postcode the lookup knows, and whether it knows it.
func postcodeLSOA(ctx context.Context, c conn, postcode string) (string, bool, error) {
	var lsoa string
	err := c.queryRow(ctx, "SELECT lsoa FROM postcodes WHERE postcode = ?", []any{postcode}, &lsoa)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return lsoa, err == nil, err
}

// grantNeighbourhood finds where a grant's money is spent: the LSOA of the postcode given
// (required for a new activity without a group), or else of the group's first venue.
func grantNeighbourhood(ctx context.Context, c conn, sp *linkwork.Spend) error {
	if sp.Postcode != "" {
		pc, err := linkwork.NormalisePostcode(sp.Postcode)
		if err != nil {
			return err
		}
		lsoa, known, err := postcodeLSOA(ctx, c, pc)
		if err != nil {
			return err
		}
		if !known {
			return linkwork.FieldError("postcode", "We do not know the postcode %s. Check it, or use a nearby one.", pc)
		}
		sp.Postcode, sp.NeighbourhoodCode = pc, lsoa
		return nil
	}
	if sp.GroupOrganisationID == 0 {
		return linkwork.FieldError("postcode", "Enter the postcode where the activity will happen.")
	}
	var venue string
	err := c.queryRow(ctx, `SELECT l.postcode FROM locations l JOIN services v ON v.id = l.service_id
		WHERE v.organisation_id = ? AND l.postcode <> '' ORDER BY v.id, l.position, l.id LIMIT 1`,
		[]any{sp.GroupOrganisationID}, &venue)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil // the group lists no venue: where its money goes is not known
	case err != nil:
		return err
	}
	sp.NeighbourhoodCode, _, err = postcodeLSOA(ctx, c, venue)
	return err
}

// insertSpend stores a new spend and notes it against the request's key.
func (db *DB) insertSpend(ctx context.Context, c conn, sp *linkwork.Spend, key string) error {
	userID, userName, err := actingUser(ctx, c)
	if err != nil {
		return err
	}
	sp.RequestedByUserID, sp.RequestedBy, sp.RequestedAt, sp.Version = userID, userName, db.Now(), 1
	id, err := c.insert(ctx, `INSERT INTO spends (place_id, pot_id, kind, amount, need, neighbourhood_code,
		funding_opportunity_id, group_organisation_id, activity_name, purpose, postcode, people_expected, contact_name,
		contact_email, contact_phone, person_id, goal_id, item, reason, status, decision_reason, requested_by_user_id,
		requested_by, requested_at, decided_by, decided_at, paid_at, version)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?, 1)`,
		sp.PlaceID, sp.PotID, string(sp.Kind), sp.Amount, sp.Need, sp.NeighbourhoodCode, nullInt(sp.FundingOpportunityID),
		nullInt(sp.GroupOrganisationID), sp.ActivityName, sp.Purpose, sp.Postcode, sp.PeopleExpected, sp.ContactName,
		sp.ContactEmail, sp.ContactPhone, nullInt(sp.PersonID), nullInt(sp.GoalID), sp.Item, sp.Reason, string(sp.Status),
		nullInt(userID), userName, sp.RequestedAt, sp.DecidedBy, sp.DecidedAt, sp.PaidAt)
	if err != nil {
		return err
	}
	sp.ID = id
	if err := setIdempotencyRecord(ctx, c, sp.PlaceID, key, id); err != nil {
		return err
	}
	return db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: sp.PlaceID, Action: linkwork.AuditSpendApply, RecordType: "spend",
		RecordID: idString(id), Detail: fmt.Sprintf("%s of %s from pot %d: %s", strings.ToLower(sp.Kind.Label()), sp.Amount,
			sp.PotID, sp.Status)})
}

// ApplyForGrant stores a micro-grant application, awaiting a decision, to an open pot that
// allows grants: from a group of the pot's place, or for a new activity.
func (s *BudgetService) ApplyForGrant(ctx context.Context, sp *linkwork.Spend, key string) error {
	if sp == nil {
		return linkwork.Errorf(linkwork.EINVALID, "There is no application to make.")
	}
	sp.Kind = linkwork.SpendGrant
	var ps linkwork.Problems
	ps.Add(sp.Validate())
	ps.Add(linkwork.CheckIdempotencyKey(key))
	if err := ps.Err(); err != nil {
		return err
	}
	return s.db.tx(ctx, func(c conn) error {
		pot, err := s.db.startSpend(ctx, c, sp, key)
		if err != nil {
			return err
		}
		var ps linkwork.Problems
		if sp.GroupOrganisationID != 0 {
			var place int64
			err := c.queryRow(ctx, "SELECT place_id FROM organisations WHERE id = ?", []any{sp.GroupOrganisationID}, &place)
			switch {
			case errors.Is(err, sql.ErrNoRows) || err == nil && place != pot.PlaceID:
				ps.Add(linkwork.FieldError("group_organisation_id", "That group is not in this place."))
			case err != nil:
				return err
			}
		}
		if len(ps) == 0 {
			ps.Add(grantNeighbourhood(ctx, c, sp))
		}
		ps.Add(checkOpportunity(ctx, c, sp))
		if err := ps.Err(); err != nil {
			return err
		}
		sp.Status, sp.DecisionReason, sp.DecidedBy, sp.DecidedAt, sp.PaidAt = linkwork.SpendApplied, "", "", nil, nil
		if err := s.db.insertSpend(ctx, c, sp, key); err != nil {
			return err
		}
		return s.db.reread(ctx, c, sp)
	})
}

// reread fills a spend in from the database, as reads return it.
func (db *DB) reread(ctx context.Context, c conn, sp *linkwork.Spend) error {
	got, err := db.findSpend(ctx, c, sp.ID)
	if err != nil {
		return err
	}
	*sp = *got
	return nil
}

// SpendForPerson records a personal spend for a person whose case the pot's organisation
// holds, for a goal of their plan: paid at once when within the pot's approval threshold or
// approved by the caller, and otherwise requested with its amount committed.
func (s *BudgetService) SpendForPerson(ctx context.Context, sp *linkwork.Spend, approved bool, key string) error {
	if sp == nil {
		return linkwork.Errorf(linkwork.EINVALID, "There is no spend to record.")
	}
	sp.Kind = linkwork.SpendPersonal
	var ps linkwork.Problems
	ps.Add(sp.Validate())
	ps.Add(linkwork.CheckIdempotencyKey(key))
	if err := ps.Err(); err != nil {
		return err
	}
	return s.db.tx(ctx, func(c conn) error {
		pot, err := s.db.startSpend(ctx, c, sp, key)
		if err != nil {
			return err
		}
		if err := checkSpendPerson(ctx, c, pot, sp); err != nil {
			return err
		}
		sp.DecisionReason, sp.DecidedBy, sp.DecidedAt, sp.PaidAt = "", "", nil, nil
		now := s.db.Now()
		if approved {
			_, name, err := actingUser(ctx, c)
			if err != nil {
				return err
			}
			sp.DecidedBy, sp.DecidedAt = name, &now
		}
		var kind linkwork.EntryKind
		if approved || !pot.NeedsApproval(sp.Amount) {
			sp.Status, sp.PaidAt, kind = linkwork.SpendPaid, &now, linkwork.EntrySpend
		} else {
			sp.Status, kind = linkwork.SpendRequested, linkwork.EntryCommitment
		}
		// The note names no item: the ledger is seen more widely than the person's spends.
		note := "Personal spend"
		if kind == linkwork.EntryCommitment {
			note = "Personal spend waiting for a manager's approval"
		}
		// The balance is checked before the spend is stored, so that an overspend writes nothing.
		e := newEntry(pot, kind, sp.Amount, false, 0, note)
		if _, ok := pot.Balance.Apply(e); !ok {
			return overspend(pot.Balance)
		}
		if err := s.db.insertSpend(ctx, c, sp, key); err != nil {
			return err
		}
		e.SpendID = sp.ID
		if err := s.db.moveMoney(ctx, c, pot, e); err != nil {
			return err
		}
		return s.db.reread(ctx, c, sp)
	})
}

// checkSpendPerson checks a personal spend's person and goal: an active case held by the
// pot's organisation, and a goal of their plan. The spend's neighbourhood is where they live.
func checkSpendPerson(ctx context.Context, c conn, pot *linkwork.BudgetPot, sp *linkwork.Spend) error {
	var org int64
	var status, lsoa string
	err := c.queryRow(ctx, "SELECT organisation_id, status, lsoa FROM persons WHERE id = ?", []any{sp.PersonID}, &org, &status, &lsoa)
	switch {
	case errors.Is(err, sql.ErrNoRows) || err == nil && org != pot.OrganisationID:
		return linkwork.FieldError("person_id", "There is no person %d on the caseload of %s, which holds this pot: "+
			"choose someone whose case it holds.", sp.PersonID, pot.OrganisationName)
	case err != nil:
		return err
	case status != string(linkwork.PersonActive):
		return linkwork.FieldError("person_id", "This person's case is %s: money can be spent only for someone being supported.", strings.ToLower(linkwork.PersonStatus(status).Label()))
	}
	sp.NeighbourhoodCode = lsoa
	var goalPerson int64
	err = c.queryRow(ctx, "SELECT person_id FROM plan_goals WHERE id = ?", []any{sp.GoalID}, &goalPerson)
	switch {
	case errors.Is(err, sql.ErrNoRows) || err == nil && goalPerson != sp.PersonID:
		return linkwork.FieldError("goal_id", "There is no goal %d in this person's plan: choose one of their goals.", sp.GoalID)
	}
	return err
}

// lockSpend reads a spend and locks its pot, then reads the spend again under the lock:
// every change to a spend holds its pot's lock, so the second read is current until the
// transaction ends.
func (db *DB) lockSpend(ctx context.Context, c conn, spendID int64) (*linkwork.Spend, *linkwork.BudgetPot, error) {
	var potID int64
	if err := c.queryRow(ctx, "SELECT pot_id FROM spends WHERE id = ?", []any{spendID}, &potID); err != nil {
		return nil, nil, notFound(err, "Spend")
	}
	pot, err := db.findPot(ctx, c, potID, true)
	if err != nil {
		return nil, nil, err
	}
	sp, err := db.findSpend(ctx, c, spendID)
	return sp, pot, err
}

// changeSpend runs fn on a spend at version, under its pot's lock and the request's key, and
// returns the spend as it then is.
func (db *DB) changeSpend(ctx context.Context, spendID int64, version int, key, action string,
	fn func(c conn, sp *linkwork.Spend, pot *linkwork.BudgetPot) error) (*linkwork.Spend, error) {
	if err := linkwork.CheckIdempotencyKey(key); err != nil {
		return nil, err
	}
	var out *linkwork.Spend
	err := db.tx(ctx, func(c conn) error {
		sp, pot, err := db.lockSpend(ctx, c, spendID)
		if err != nil {
			return err
		}
		if err := db.claimIdempotencyKey(ctx, c, pot.PlaceID, key, action, spendID); err != nil {
			return err
		}
		if sp.Version != version {
			return staleSpend(sp)
		}
		if err := fn(c, sp, pot); err != nil {
			return err
		}
		out, err = db.findSpend(ctx, c, spendID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// auditSpend records a change of a spend's status.
func (db *DB) auditSpend(ctx context.Context, c conn, action string, sp *linkwork.Spend, to linkwork.SpendStatus) error {
	return db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: sp.PlaceID, Action: action, RecordType: "spend",
		RecordID: idString(sp.ID), Detail: fmt.Sprintf("%s %s of %s: %s → %s", strings.ToLower(sp.Kind.Label()),
			idString(sp.ID), sp.Amount, sp.Status, to)})
}

// Decide approves or declines a spend awaiting a decision: an applied grant is committed
// or declined; a requested personal spend is paid from its commitment, or released.
func (s *BudgetService) Decide(ctx context.Context, spendID int64, version int, d linkwork.Decision, key string) (*linkwork.Spend, error) {
	required := "Say why the spend is declined."
	if d.Approve {
		required = ""
	}
	if err := checkNote("reason", &d.Reason, required); err != nil {
		return nil, err
	}
	return s.db.changeSpend(ctx, spendID, version, key, linkwork.AuditSpendDecide, func(c conn, sp *linkwork.Spend, pot *linkwork.BudgetPot) error {
		if sp.Status != linkwork.SpendApplied && sp.Status != linkwork.SpendRequested {
			return linkwork.Errorf(linkwork.EINVALID, "This spend is %s: only a spend waiting for a decision can be "+
				"approved or declined.", strings.ToLower(sp.Status.Label()))
		}
		_, name, err := actingUser(ctx, c)
		if err != nil {
			return err
		}
		now := s.db.Now()
		var to linkwork.SpendStatus
		var entry *linkwork.LedgerEntry
		switch {
		case d.Approve && sp.Status == linkwork.SpendApplied:
			if err := checkOpen(pot, s.db.today()); err != nil {
				return err
			}
			if err := checkRules(ctx, c, pot, sp.Kind, sp.Need, sp.Amount); err != nil {
				return err
			}
			to, entry = linkwork.SpendApproved, newEntry(pot, linkwork.EntryCommitment, sp.Amount, false, sp.ID, "Grant approved")
		case d.Approve:
			if err := checkOpen(pot, s.db.today()); err != nil {
				return err
			}
			to, entry = linkwork.SpendPaid, newEntry(pot, linkwork.EntrySpend, sp.Amount, true, sp.ID, "Personal spend approved")
		case sp.Status == linkwork.SpendRequested:
			to, entry = linkwork.SpendDeclined, newEntry(pot, linkwork.EntryRelease, sp.Amount, false, sp.ID, "Declined")
		default:
			to = linkwork.SpendDeclined
		}
		if entry != nil {
			if err := s.db.moveMoney(ctx, c, pot, entry); err != nil {
				return err
			}
		}
		var paidAt any
		if to == linkwork.SpendPaid {
			paidAt = now
		}
		if err := s.db.setSpend(ctx, c, sp, version, "status = ?, decision_reason = ?, decided_by = ?, decided_at = ?, paid_at = ?",
			string(to), d.Reason, name, now, paidAt); err != nil {
			return err
		}
		return s.db.auditSpend(ctx, c, linkwork.AuditSpendDecide, sp, to)
	})
}

// PayGrant pays an approved grant from its commitment, sets the date its report is due, and
// marks its funding opportunity funded.
func (s *BudgetService) PayGrant(ctx context.Context, spendID int64, version int, key string) (*linkwork.Spend, error) {
	return s.db.changeSpend(ctx, spendID, version, key, "spend.pay", func(c conn, sp *linkwork.Spend, pot *linkwork.BudgetPot) error {
		if sp.Kind != linkwork.SpendGrant {
			return linkwork.Errorf(linkwork.EINVALID, "Only a micro-grant is paid this way: a personal spend is paid when "+
				"it is recorded or approved.")
		}
		if sp.Status != linkwork.SpendApproved {
			return linkwork.Errorf(linkwork.EINVALID, "This grant is %s: only an approved grant can be paid.",
				strings.ToLower(sp.Status.Label()))
		}
		if err := checkOpen(pot, s.db.today()); err != nil {
			return err
		}
		if err := s.db.moveMoney(ctx, c, pot, newEntry(pot, linkwork.EntrySpend, sp.Amount, true, sp.ID, "Grant paid")); err != nil {
			return err
		}
		now := s.db.Now()
		due := calendarDay(now).Add(linkwork.GrantReportDue)
		if err := s.db.setSpend(ctx, c, sp, version, "status = ?, paid_at = ?, report_due = ?", string(linkwork.SpendPaid), now,
			dayString(due)); err != nil {
			return err
		}
		if sp.FundingOpportunityID != 0 {
			if _, err := c.exec(ctx, "UPDATE funding_opportunities SET status = 'funded' WHERE id = ? AND status = 'open'",
				sp.FundingOpportunityID); err != nil {
				return err
			}
		}
		return s.db.auditSpend(ctx, c, linkwork.AuditSpendDecide, sp, linkwork.SpendPaid)
	})
}

// Withdraw withdraws a spend not yet paid, releasing its commitment if it has one.
func (s *BudgetService) Withdraw(ctx context.Context, spendID int64, version int, reason, key string) (*linkwork.Spend, error) {
	if err := checkNote("reason", &reason, "Say why the spend is withdrawn."); err != nil {
		return nil, err
	}
	return s.db.changeSpend(ctx, spendID, version, key, linkwork.AuditSpendWithdraw, func(c conn, sp *linkwork.Spend, pot *linkwork.BudgetPot) error {
		switch sp.Status {
		case linkwork.SpendApplied:
		case linkwork.SpendApproved, linkwork.SpendRequested:
			if err := s.db.moveMoney(ctx, c, pot, newEntry(pot, linkwork.EntryRelease, sp.Amount, false, sp.ID, "Withdrawn")); err != nil {
				return err
			}
		default:
			return linkwork.Errorf(linkwork.EINVALID, "This spend is %s: only a spend not yet paid can be withdrawn. "+
				"To undo a payment made by mistake, reverse it.", strings.ToLower(sp.Status.Label()))
		}
		if err := s.db.setSpend(ctx, c, sp, version, "status = ?, decision_reason = ?", string(linkwork.SpendWithdrawn), reason); err != nil {
			return err
		}
		return s.db.auditSpend(ctx, c, linkwork.AuditSpendWithdraw, sp, linkwork.SpendWithdrawn)
	})
}

// Refund records money paid back into the pot against a paid spend: at most what was paid
// less what has been paid back already.
func (s *BudgetService) Refund(ctx context.Context, spendID int64, amount linkwork.Pence, note, key string) (*linkwork.LedgerEntry, error) {
	var ps linkwork.Problems
	ps.Add(linkwork.CheckAmount("amount", amount))
	ps.Add(checkNote("note", &note, ""))
	ps.Add(linkwork.CheckIdempotencyKey(key))
	if err := ps.Err(); err != nil {
		return nil, err
	}
	var e *linkwork.LedgerEntry
	err := s.db.tx(ctx, func(c conn) error {
		sp, pot, err := s.db.lockSpend(ctx, c, spendID)
		if err != nil {
			return err
		}
		if err := s.db.claimIdempotencyKey(ctx, c, pot.PlaceID, key, "ledger.refund", spendID); err != nil {
			return err
		}
		if sp.Status != linkwork.SpendPaid && sp.Status != linkwork.SpendReported {
			return linkwork.Errorf(linkwork.EINVALID, "This spend is %s: only a paid spend can have money paid back against it.",
				strings.ToLower(sp.Status.Label()))
		}
		if left := sp.Amount - sp.Refunded; amount > left {
			return linkwork.FieldError("amount", "At most %s can be paid back: %s was paid and %s has been paid back already.",
				left, sp.Amount, sp.Refunded)
		}
		e = newEntry(pot, linkwork.EntryRefund, amount, false, sp.ID, note)
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

// ReportOnGrant stores a group's report on a paid grant.
func (s *BudgetService) ReportOnGrant(ctx context.Context, spendID int64, r *linkwork.GrantReport) (*linkwork.Spend, error) {
	if r == nil {
		return nil, linkwork.Errorf(linkwork.EINVALID, "There is no report to store.")
	}
	var out *linkwork.Spend
	err := s.db.tx(ctx, func(c conn) error {
		sp, _, err := s.db.lockSpend(ctx, c, spendID)
		if err != nil {
			return err
		}
		if sp.Kind != linkwork.SpendGrant || sp.Status != linkwork.SpendPaid {
			return linkwork.Errorf(linkwork.EINVALID, "This %s is %s: only a paid micro-grant can be reported on.",
				strings.ToLower(sp.Kind.Label()), strings.ToLower(sp.Status.Label()))
		}
		if err := r.Validate(sp.Amount); err != nil {
			return err
		}
		_, name, err := actingUser(ctx, c)
		if err != nil {
			return err
		}
		if r.SubmittedBy = strings.TrimSpace(r.SubmittedBy); r.SubmittedBy == "" {
			r.SubmittedBy = name
		}
		r.SubmittedAt = s.db.Now()
		if err := s.db.setSpend(ctx, c, sp, sp.Version, `status = ?, report_what_happened = ?, report_people_reached = ?,
			report_volunteers = ?, report_amount_used = ?, report_submitted_by = ?, report_submitted_at = ?`,
			string(linkwork.SpendReported), r.WhatHappened, r.PeopleReached, r.Volunteers, r.AmountUsed, r.SubmittedBy,
			r.SubmittedAt); err != nil {
			return err
		}
		if err := s.db.auditSpend(ctx, c, linkwork.AuditGrantReport, sp, linkwork.SpendReported); err != nil {
			return err
		}
		out, err = s.db.findSpend(ctx, c, spendID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
