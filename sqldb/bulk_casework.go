package sqldb

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"linkwork"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// Bulk inserts of users, referrals and casework, for generated data sets (package gen) of up
// to national size. Each call writes one batch in one transaction, many rows a statement: on
// PostgreSQL through COPY, on SQLite through multi-row INSERTs. What the services check one
// record at a time is checked here for the whole batch (the domain's Validate methods, and
// that every reference is to something in the place), and the columns the casework store
// keeps current are worked out by the same rules: a person's status, last contact,
// follow-up, next step and next action. A referral's state is replayed from its history
// through the lifecycle's own CheckTransition. The counts of referrals by scheme and status
// are kept by the triggers of migration 0008, which fire for these inserts as for any other,
// or by hand when a load on PostgreSQL turns triggers off (see BulkChecksOff).
//
// Unlike the services, bulk inserts queue no notifications (generated referrers are not to
// be emailed), look for no possible duplicate referrals, and write one audit event a batch
// rather than one a record.

// bulk is a bulk insert's transaction: c runs statements in it, and put adds many rows to a
// table.
type bulk struct {
	c   conn
	put func(table string, cols []string, rows [][]any) error
	// unchecked says that PostgreSQL's foreign key checks and triggers are off in this
	// transaction (see bulkTx), so that what the triggers keep must be kept by hand.
	unchecked bool
}

// BulkChecksOff lets bulk inserts on PostgreSQL turn off the database's foreign key checks
// and triggers for their transactions, as pg_restore --disable-triggers does, when the
// database user may (a superuser) and the tables written have no triggers but those this
// file keeps by hand: it halves the time a national data set takes to load. Every reference
// is checked before the rows are written, so the rows are the same either way. Tests set it
// to false to run the checked path.
var BulkChecksOff = true

// knownTriggers are the triggers that fire on inserts into the tables bulk inserts write to,
// whose work bulk inserts do by hand when triggers are off (migration 0008's counts, and
// migration 0015's count of changes to a place's measures).
var knownTriggers = map[string]bool{"referrals.referrals_count": true,
	"referrals.referrals_measures": true, "referral_terms.referral_terms_measures": true,
	"referral_events.referral_events_measures": true, "persons.persons_measures": true,
	"case_contacts.case_contacts_measures": true, "onward_referrals.onward_referrals_measures": true,
	"questionnaire_responses.questionnaire_responses_measures": true}

// bulkTables are the tables bulk inserts write to.
var bulkTables = []string{"users", "memberships", "audit_events", "referrals", "referral_terms", "referral_shares",
	"referral_events", "scheme_referral_counts", "persons", "conversations", "plan_goals", "plan_steps", "progress_notes",
	"case_contacts", "onward_referrals", "questionnaire_responses"}

// bulkTx runs fn in one transaction: on PostgreSQL with COPY, through the pgx connection
// under database/sql's, and if it may with its foreign key checks and triggers off (see
// BulkChecksOff); on SQLite with multi-row INSERTs.
func (db *DB) bulkTx(ctx context.Context, fn func(b *bulk) error) error {
	if db.dialect.name() != "postgres" {
		return db.tx(ctx, func(c conn) error {
			return fn(&bulk{c: c, put: func(table string, cols []string, rows [][]any) error {
				row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
				return insertRows(ctx, c, "INSERT INTO "+table+" ("+strings.Join(cols, ", ")+") VALUES ", row, rows, "")
			}})
		})
	}
	sc, err := db.db.Conn(ctx)
	if err != nil {
		return db.dialect.translate(err)
	}
	defer sc.Close()
	t, err := sc.BeginTx(ctx, nil)
	if err != nil {
		return db.dialect.translate(err)
	}
	b := &bulk{c: conn{q: t, d: db.dialect}}
	if err := db.uncheck(ctx, b); err != nil {
		_ = t.Rollback()
		return err
	}
	// Between the transaction's statements the connection is free, and COPY on it runs in
	// the same transaction.
	b.put = func(table string, cols []string, rows [][]any) error {
		if len(rows) == 0 {
			return nil
		}
		return db.dialect.translate(sc.Raw(func(dc any) error {
			pc, ok := dc.(*stdlib.Conn)
			if !ok {
				return fmt.Errorf("bulk insert: the PostgreSQL driver connection is %T, not pgx's", dc)
			}
			_, err := pc.Conn().CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows))
			return err
		}))
	}
	if err := fn(b); err != nil {
		_ = t.Rollback()
		return err
	}
	return db.dialect.translate(t.Commit())
}

// uncheck turns off PostgreSQL's foreign key checks and triggers for a bulk transaction,
// when BulkChecksOff allows, the user is a superuser, and the tables have no triggers that
// bulk inserts do not keep by hand.
func (db *DB) uncheck(ctx context.Context, b *bulk) error {
	if !BulkChecksOff {
		return nil
	}
	var super string
	if err := b.c.queryRow(ctx, "SELECT current_setting('is_superuser')", nil, &super); err != nil || super != "on" {
		return err
	}
	// Triggers that fire on INSERT (bit 2 of tgtype); the audit trail's guards fire on
	// changes, which bulk inserts never make.
	triggers, err := b.c.queryStrings(ctx, `SELECT c.relname || '.' || t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
		WHERE NOT t.tgisinternal AND t.tgtype & 4 <> 0 AND c.relnamespace = current_schema()::regnamespace AND c.relname IN `+placeholders(len(bulkTables)),
		anys(bulkTables)...)
	if err != nil {
		return err
	}
	for _, t := range triggers {
		if !knownTriggers[t] {
			return nil // one this file does not know what to do without
		}
	}
	if _, err := b.c.exec(ctx, "SET LOCAL session_replication_role = replica"); err != nil {
		return err
	}
	b.unchecked = true
	return nil
}

// reserveIDs takes n new IDs of a table for rows about to be inserted, in ascending order:
// from the table's identity sequence on PostgreSQL (safe beside other writers), and after the
// largest ID on SQLite (whose transaction holds the only write lock).
func (db *DB) reserveIDs(ctx context.Context, c conn, table string, n int) ([]int64, error) {
	if n == 0 {
		return nil, nil
	}
	if db.dialect.name() != "postgres" {
		var last int64
		if err := c.queryRow(ctx, "SELECT COALESCE(MAX(id), 0) FROM "+table, nil, &last); err != nil {
			return nil, err
		}
		ids := make([]int64, n)
		for i := range ids {
			ids[i] = last + 1 + int64(i)
		}
		return ids, nil
	}
	ids, err := queryInt64s(ctx, c, "SELECT nextval(pg_get_serial_sequence(?, 'id')) FROM generate_series(1, ?)", table, n)
	if err != nil {
		return nil, err
	}
	if len(ids) != n {
		return nil, fmt.Errorf("reserve %d IDs of %s: got %d", n, table, len(ids))
	}
	slices.Sort(ids)
	return ids, nil
}

// inBatches runs a query with an IN list (the last "?" of query expands to the list) over
// ids, a few thousand at a time, calling fn with each row's scan.
func inBatches(ctx context.Context, c conn, query string, args []any, ids []int64, fn func(scan func(...any) error) error) error {
	ids = uniqueIDs(ids)
	for len(ids) > 0 {
		n := min(len(ids), 5000)
		q := strings.Replace(query, "IN (?)", "IN "+placeholders(n), 1)
		if err := c.eachRow(ctx, q, append(slices.Clone(args), anys(ids[:n])...), fn); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

// BulkInsertUsers adds users, each with the one membership NewUser gives, in one
// transaction, and returns their IDs in order. Each password is hashed once however many
// users share it, which is what makes thousands of generated link workers quick to add (and
// why it is for generated users only: users sharing a password share its hash). One audit
// event records the load.
func (db *DB) BulkInsertUsers(ctx context.Context, placeID int64, users []*linkwork.NewUser) ([]int64, error) {
	var ps linkwork.Problems
	seen := map[string]bool{}
	for i, u := range users {
		if err := u.Validate(); err != nil {
			ps.Add(prefixed("users", i, err))
		}
		if seen[u.Email] {
			ps.Add(linkwork.FieldError("users["+strconv.Itoa(i)+"].email", "%s is given twice.", u.Email))
		}
		seen[u.Email] = true
	}
	if err := ps.Err(); err != nil {
		return nil, err
	}
	hashes := map[string]string{}
	for _, u := range users {
		if _, ok := hashes[u.Password]; !ok {
			h, err := linkwork.HashPassword(u.Password)
			if err != nil {
				return nil, err
			}
			hashes[u.Password] = h
		}
	}
	var ids []int64
	err := db.bulkTx(ctx, func(b *bulk) error {
		c, put := b.c, b.put
		orgs, err := namesByID(ctx, c, "SELECT id, name FROM organisations WHERE place_id = ?", placeID)
		if err != nil {
			return err
		}
		emails := make([]any, 0, len(users))
		for i, u := range users {
			if _, ok := orgs[u.OrganisationID]; !ok {
				ps.Add(linkwork.FieldError("users["+strconv.Itoa(i)+"].organisation_id", "There is no organisation %d in this place.", u.OrganisationID))
			}
			emails = append(emails, u.Email)
		}
		for start := 0; start < len(emails); start += 5000 {
			part := emails[start:min(len(emails), start+5000)]
			taken, err := c.queryStrings(ctx, "SELECT email FROM users WHERE email IN "+placeholders(len(part)), part...)
			if err != nil {
				return err
			}
			for _, e := range taken {
				ps.Add(linkwork.FieldError("email", "There is already an account for %s.", e))
			}
		}
		if err := ps.Err(); err != nil {
			return err
		}
		if ids, err = db.reserveIDs(ctx, c, "users", len(users)); err != nil {
			return err
		}
		now := db.Now()
		var urows, mrows [][]any
		for i, u := range users {
			urows = append(urows, []any{ids[i], u.Email, u.Name, hashes[u.Password], u.MustChangePassword, now, now, now})
			mrows = append(mrows, []any{ids[i], u.OrganisationID, string(u.Role), now})
		}
		if err := put("users", []string{"id", "email", "name", "password_hash", "must_change_password", "password_changed_at",
			"created_at", "updated_at"}, urows); err != nil {
			return err
		}
		if err := put("memberships", []string{"user_id", "organisation_id", "role", "created_at"}, mrows); err != nil {
			return err
		}
		return db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: placeID, Action: "user.bulk_insert", RecordType: "user",
			Detail: strconv.Itoa(len(users)) + " users"})
	})
	return ids, err
}

// BulkReferral is a referral with its whole history, for BulkInsertReferrals.
type BulkReferral struct {
	// Referral is the referral as it was sent: its SchemeID is the scheme it arrived at.
	// Its status, scheme, worker, decline reason, outcome, waiting time, version and times
	// are worked out from History.
	Referral *linkwork.Referral
	// History is its events, oldest first: its arrival (ActionReceive), then each
	// transition, which must be one the lifecycle allows from where the referral then was.
	// An event gives its action, time, actor and what the action needs (ToSchemeID for a
	// redirect, WorkerUserID to allocate, Reason for a decline or close, Note); its
	// statuses and schemes are filled in.
	History []*linkwork.ReferralEvent
}

// replay checks a referral's history against the lifecycle and sets the referral's state
// and the events' statuses from it, as Transition would have.
func (b *BulkReferral) replay(now time.Time) error {
	r, h := b.Referral, b.History
	if len(h) == 0 || h[0].Action != linkwork.ActionReceive {
		return linkwork.FieldError("history", "Start the referral's history with its arrival (receive).")
	}
	first := h[0]
	if first.ToSchemeID == 0 {
		first.ToSchemeID = r.SchemeID
	}
	state := &linkwork.Referral{Status: linkwork.ReferralReceived, SchemeID: first.ToSchemeID}
	first.FromStatus, first.ToStatus, first.FromSchemeID, first.WorkerUserID, first.Reason = "", linkwork.ReferralReceived, 0, 0, ""
	var waiting *time.Time
	var ps linkwork.Problems
	for i, e := range h {
		field := "history[" + strconv.Itoa(i) + "]"
		switch {
		case e.At.IsZero() || e.At.After(now):
			ps.Add(linkwork.FieldError(field+".at", "Give the time of the event, not in the future."))
		case i > 0 && e.At.Before(h[i-1].At):
			ps.Add(linkwork.FieldError(field+".at", "The events must be in the order they happened."))
		}
		e.ActorName = strings.TrimSpace(e.ActorName)
		if e.ActorName == "" {
			ps.Add(linkwork.FieldError(field+".actor_name", "Say who took the action."))
		}
		if i == 0 {
			continue
		}
		if e.Action == linkwork.ActionReceive {
			ps.Add(linkwork.FieldError(field+".action", "A referral arrives once, at the start of its history."))
			continue
		}
		t := &linkwork.Transition{Action: e.Action, SchemeID: e.ToSchemeID, WorkerUserID: e.WorkerUserID,
			DeclineReason: linkwork.DeclineReason(e.Reason), Outcome: linkwork.ReferralOutcome(e.Reason), Note: e.Note}
		to, err := linkwork.CheckTransition(state, t)
		if err != nil {
			if len(linkwork.FieldErrors(err)) > 0 && linkwork.FieldErrors(err)[0].Field != "" {
				ps.Add(under(field+".", err))
			} else { // not a step the lifecycle allows: bad input here, not a conflict
				ps.Add(linkwork.FieldError(field+".action", "%s", linkwork.ErrorMessage(err)))
			}
			return ps.Err() // the rest would only repeat it
		}
		e.FromStatus, e.ToStatus, e.Note = state.Status, to, t.Note
		e.FromSchemeID, e.ToSchemeID, e.WorkerUserID, e.Reason = 0, 0, 0, ""
		waiting = nil
		switch e.Action {
		case linkwork.ActionRedirect:
			e.FromSchemeID, e.ToSchemeID, state.SchemeID = state.SchemeID, t.SchemeID, t.SchemeID
		case linkwork.ActionAllocate, linkwork.ActionReallocate:
			e.WorkerUserID, state.WorkerUserID = t.WorkerUserID, t.WorkerUserID
		case linkwork.ActionWait:
			at := e.At
			waiting = &at
		case linkwork.ActionDecline:
			e.Reason, state.DeclineReason = string(t.DeclineReason), t.DeclineReason
		case linkwork.ActionClose:
			e.Reason, state.Outcome = string(t.Outcome), t.Outcome
		}
		state.Status = to
	}
	if err := ps.Err(); err != nil {
		return err
	}
	r.Status, r.SchemeID, r.WorkerUserID, r.DeclineReason, r.Outcome = state.Status, state.SchemeID, state.WorkerUserID,
		state.DeclineReason, state.Outcome
	r.WaitingSince, r.Version, r.ReceivedAt, r.UpdatedAt = waiting, len(h), first.At, h[len(h)-1].At
	r.Consent.RecordedAt = first.At
	return nil
}

// BulkInsertReferrals adds referrals of a place with their histories, needs, client groups
// and shares, in one transaction. Each is validated as CreateReferral validates it and its
// history replayed through the lifecycle (see BulkReferral); every scheme must be a running
// connector scheme of the place, every worker allocated a link worker or manager of the
// scheme's organisation, and every term and organisation the place's. A referral without a
// reference or UUID is given one. Referrals get their IDs.
func (db *DB) BulkInsertReferrals(ctx context.Context, placeID int64, refs []*BulkReferral) error {
	var ps linkwork.Problems
	now := db.Now()
	today := calendarDay(now)
	refSeen := map[string]bool{}
	var schemeIDs, termIDs, orgIDs, userIDs []int64
	for i, b := range refs {
		r := b.Referral
		r.PlaceID = placeID
		ps.Add(prefixed("referrals", i, r.Validate(today)))
		if r.RoutedBy == "" {
			r.RoutedBy = "referrer"
		}
		if r.RoutedBy != "referrer" && r.RoutedBy != "linkwork" {
			ps.Add(linkwork.FieldError("referrals["+strconv.Itoa(i)+"].routed_by", "Say how the scheme was chosen: referrer or linkwork."))
		}
		ps.Add(prefixed("referrals", i, b.replay(now)))
		if r.Reference == "" {
			r.Reference = newReference()
		}
		if refSeen[r.Reference] {
			ps.Add(linkwork.FieldError("referrals["+strconv.Itoa(i)+"].reference", "Reference %s is given twice.", r.Reference))
		}
		refSeen[r.Reference] = true
		for _, e := range b.History {
			if e.ToSchemeID != 0 {
				schemeIDs = append(schemeIDs, e.ToSchemeID)
			}
			if e.WorkerUserID != 0 {
				userIDs = append(userIDs, e.WorkerUserID)
			}
		}
		termIDs = append(append(termIDs, r.NeedIDs...), r.ClientGroupIDs...)
		orgIDs = append(orgIDs, r.Consent.ShareWith...)
		if r.Referrer.OrganisationID != 0 {
			orgIDs = append(orgIDs, r.Referrer.OrganisationID)
		}
		if r.Referrer.UserID != 0 {
			userIDs = append(userIDs, r.Referrer.UserID)
		}
	}
	if err := ps.Err(); err != nil {
		return err
	}
	return db.bulkTx(ctx, func(bk *bulk) error {
		c, put := bk.c, bk.put
		schemes := map[int64]int64{} // scheme → its organisation
		schemeNames := map[int64]string{}
		err := inBatches(ctx, c, `SELECT id, organisation_id, name FROM services WHERE place_id = ? AND kind = 'connector_scheme'
			AND status = 'active' AND id IN (?)`, []any{placeID}, schemeIDs, func(scan func(...any) error) error {
			var id, org int64
			var name string
			if err := scan(&id, &org, &name); err != nil {
				return err
			}
			schemes[id], schemeNames[id] = org, name
			return nil
		})
		if err != nil {
			return err
		}
		terms := map[int64]string{}
		err = inBatches(ctx, c, `SELECT tt.id, t.code FROM taxonomy_terms tt JOIN taxonomies t ON t.id = tt.taxonomy_id
			WHERE t.place_id = ? AND tt.id IN (?)`, []any{placeID}, termIDs, func(scan func(...any) error) error {
			var id int64
			var code string
			if err := scan(&id, &code); err != nil {
				return err
			}
			terms[id] = code
			return nil
		})
		if err != nil {
			return err
		}
		orgs := map[int64]bool{}
		err = inBatches(ctx, c, "SELECT id FROM organisations WHERE place_id = ? AND id IN (?)", []any{placeID}, orgIDs,
			func(scan func(...any) error) error {
				var id int64
				err := scan(&id)
				orgs[id] = true
				return err
			})
		if err != nil {
			return err
		}
		users, err := userNames(ctx, c, userIDs)
		if err != nil {
			return err
		}
		members, err := caseMembers(ctx, c, userIDs)
		if err != nil {
			return err
		}

		for i, b := range refs {
			r := b.Referral
			field := "referrals[" + strconv.Itoa(i) + "]."
			scheme := b.History[0].ToSchemeID
			for j, e := range b.History {
				if e.ToSchemeID != 0 {
					scheme = e.ToSchemeID
					if _, ok := schemes[scheme]; !ok {
						ps.Add(linkwork.FieldError(field+"history["+strconv.Itoa(j)+"].scheme_id",
							"Choose a running connector scheme of this place: there is none with ID %d.", scheme))
					}
				}
				if e.WorkerUserID != 0 && !members[[2]int64{e.WorkerUserID, schemes[scheme]}] {
					ps.Add(linkwork.FieldError(field+"history["+strconv.Itoa(j)+"].worker_user_id",
						"Choose a link worker or manager of the organisation that runs %s: user %d is not one.", schemeNames[scheme], e.WorkerUserID))
				}
			}
			r.SchemeName, r.SchemeOrganisationID, r.WorkerName = schemeNames[r.SchemeID], schemes[r.SchemeID], users[r.WorkerUserID]
			for _, id := range r.NeedIDs {
				if terms[id] != linkwork.TaxonomyNeed {
					ps.Add(linkwork.FieldError(field+"need_ids", "There is no need %d in this place.", id))
				}
			}
			for _, id := range r.ClientGroupIDs {
				if terms[id] != linkwork.TaxonomyClientGroup {
					ps.Add(linkwork.FieldError(field+"client_group_ids", "There is no client group %d in this place.", id))
				}
			}
			for _, id := range r.Consent.ShareWith {
				if !orgs[id] {
					ps.Add(linkwork.FieldError(field+"share_with", "There is no organisation %d in this place to share the referral with.", id))
				}
			}
			if id := r.Referrer.OrganisationID; id != 0 && !orgs[id] {
				ps.Add(linkwork.FieldError(field+"referrer_organisation_id", "There is no organisation %d in this place.", id))
			}
			if id := r.Referrer.UserID; id != 0 && users[id] == "" {
				ps.Add(linkwork.FieldError(field+"referrer_user_id", "There is no user %d.", id))
			}
		}
		if err := ps.Err(); err != nil {
			return err
		}

		ids, err := db.reserveIDs(ctx, c, "referrals", len(refs))
		if err != nil {
			return err
		}
		for i, b := range refs {
			b.Referral.ID = ids[i]
		}
		// The referrals go in by scheme and status: the counts of referrals by scheme and
		// status are then updated (by the trigger at commit, or below) in one order by every
		// load, so that two loads side by side cannot deadlock over them.
		inOrder := slices.Clone(refs)
		slices.SortStableFunc(inOrder, func(a, b *BulkReferral) int {
			if c := cmp.Compare(a.Referral.SchemeID, b.Referral.SchemeID); c != 0 {
				return c
			}
			return strings.Compare(string(a.Referral.Status), string(b.Referral.Status))
		})
		var rows, termRows, shareRows, eventRows [][]any
		for _, b := range inOrder {
			r := b.Referral
			if r.UUID == "" {
				r.UUID = linkwork.NewUUID()
			}
			p, src := &r.Person, &r.Referrer
			rows = append(rows, []any{r.ID, r.UUID, placeID, r.Reference, p.GivenName, p.FamilyName, nameKey(p), p.DateOfBirth,
				p.NHSNumber, p.Address1, p.Address2, p.Town, p.Postcode, p.Phone, p.Email, joinList(contactMethods(p.ContactPreferences)),
				p.Language, p.Interpreter, p.AccessNeeds, p.GPPractice, r.Reason, r.Risk, string(r.Urgency), r.Urgency.Rank(),
				string(src.Type), nullInt(src.UserID), nullInt(src.OrganisationID), src.Name, src.Role, src.Phone, src.Email,
				r.Consent.ToReferral, string(r.Consent.Method), r.Consent.RecordedBy, r.Consent.RecordedAt, r.SchemeID, r.RoutedBy,
				string(r.Status), nullInt(r.WorkerUserID), string(r.DeclineReason), string(r.Outcome), r.Version, r.ReceivedAt,
				r.UpdatedAt, r.WaitingSince})
			for k, t := range append(slices.Clone(r.NeedIDs), r.ClientGroupIDs...) {
				termRows = append(termRows, []any{r.ID, t, k})
			}
			for k, o := range r.Consent.ShareWith {
				shareRows = append(shareRows, []any{r.ID, o, k})
			}
			scheme := b.History[0].ToSchemeID
			for _, e := range b.History {
				if e.Action == linkwork.ActionRedirect {
					scheme = e.ToSchemeID
				}
				e.ReferralID = r.ID
				eventRows = append(eventRows, []any{r.ID, scheme, e.At, string(e.Action), string(e.FromStatus), string(e.ToStatus),
					nullInt(e.ActorUserID), e.ActorName, nullInt(e.FromSchemeID), nullInt(e.ToSchemeID), nullInt(e.WorkerUserID),
					e.Reason, e.Note})
			}
			r.PossibleDuplicates = []int64{}
		}
		err = put("referrals", []string{"id", "uuid", "place_id", "reference", "given_name", "family_name", "name_key",
			"date_of_birth", "nhs_number", "address_1", "address_2", "town", "postcode", "phone", "email", "contact_preferences",
			"language", "interpreter", "access_needs", "gp_practice", "reason", "risk", "urgency", "urgency_rank", "referrer_type",
			"referrer_user_id", "referrer_organisation_id", "referrer_name", "referrer_role", "referrer_phone", "referrer_email",
			"consent_to_referral", "consent_method", "consent_recorded_by", "consent_recorded_at", "scheme_id", "routed_by", "status",
			"worker_user_id", "decline_reason", "outcome", "version", "received_at", "updated_at", "waiting_since"}, rows)
		if linkwork.ErrorCode(err) == linkwork.ECONFLICT {
			return linkwork.Errorf(linkwork.ECONFLICT, "A reference of these referrals is already used in this place.")
		}
		if err != nil {
			return err
		}
		if bk.unchecked {
			// What migration 0008's trigger would have counted.
			type key struct {
				scheme int64
				status linkwork.ReferralStatus
			}
			counts := map[key]int{}
			for _, b := range refs {
				counts[key{b.Referral.SchemeID, b.Referral.Status}]++
			}
			var countRows [][]any
			for k, n := range counts {
				countRows = append(countRows, []any{k.scheme, string(k.status), n})
			}
			// In one order (see above).
			slices.SortFunc(countRows, func(a, b []any) int {
				if c := cmp.Compare(a[0].(int64), b[0].(int64)); c != 0 {
					return c
				}
				return strings.Compare(a[1].(string), b[1].(string))
			})
			if err := insertRows(ctx, c, "INSERT INTO scheme_referral_counts (scheme_id, status, n) VALUES ", "(?, ?, ?)", countRows,
				" ON CONFLICT (scheme_id, status) DO UPDATE SET n = scheme_referral_counts.n + excluded.n"); err != nil {
				return err
			}
		}
		for _, ins := range []struct {
			table string
			cols  []string
			rows  [][]any
		}{
			{"referral_terms", []string{"referral_id", "term_id", "position"}, termRows},
			{"referral_shares", []string{"referral_id", "organisation_id", "position"}, shareRows},
			{"referral_events", []string{"referral_id", "scheme_id", "at", "action", "from_status", "to_status", "actor_user_id",
				"actor_name", "from_scheme_id", "to_scheme_id", "worker_user_id", "reason", "note"}, eventRows},
		} {
			if err := put(ins.table, ins.cols, ins.rows); err != nil {
				return err
			}
		}
		if bk.unchecked {
			// What migration 0015's triggers would have counted.
			if err := markMeasuresChanged(ctx, c, placeID, now); err != nil {
				return err
			}
		}
		return db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: placeID, Action: "referral.bulk_insert", RecordType: "referral",
			Detail: strconv.Itoa(len(refs)) + " referrals"})
	})
}

// userNames returns the names of users by ID.
func userNames(ctx context.Context, c conn, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	err := inBatches(ctx, c, "SELECT id, name FROM users WHERE id IN (?)", nil, ids, func(scan func(...any) error) error {
		var id int64
		var name string
		err := scan(&id, &name)
		out[id] = name
		return err
	})
	return out, err
}

// caseMembers returns which of some users are link workers or managers of which
// organisations, as (user, organisation) pairs.
func caseMembers(ctx context.Context, c conn, ids []int64) (map[[2]int64]bool, error) {
	out := map[[2]int64]bool{}
	err := inBatches(ctx, c, "SELECT user_id, organisation_id FROM memberships WHERE role IN ('link_worker', 'manager') AND user_id IN (?)",
		nil, ids, func(scan func(...any) error) error {
			var u, o int64
			err := scan(&u, &o)
			out[[2]int64{u, o}] = true
			return err
		})
	return out, err
}

// BulkCase is one person's case record with everything in it, for BulkInsertCases.
type BulkCase struct {
	// Person is the record. Its status is closed (with an outcome and ClosedAt) or left to
	// be worked out: active once there is a contact, waiting before. Its last contact,
	// follow-up and next step are worked out from Contacts and Goals.
	Person       *linkwork.Person
	Conversation *linkwork.Conversation // or nil
	// Goals are the plan's goals in order, each with its steps in order.
	Goals []*linkwork.Goal
	// Notes are progress notes about the whole plan.
	Notes []*linkwork.ProgressNote
	// Contacts are in the order they were recorded: the latest is the last of those on the
	// latest day, and its follow-up is the person's.
	Contacts  []*linkwork.CaseContact
	Onward    []BulkOnward
	Responses []*linkwork.QuestionnaireResponse
}

// BulkOnward is an onward referral and the step of the plan it was made from, if any.
type BulkOnward struct {
	Referral *linkwork.OnwardReferral
	// Step is one of the case's steps, or nil. It is linked to the referral and its
	// service, as SendOnward links it; if the referral was attended the step must be done.
	Step *linkwork.Step
}

// bulkLookups are what a batch of cases refers to, read in a few queries.
type bulkLookups struct {
	orgs      map[int64]string
	referrals map[int64]bulkReferralRef
	users     map[int64]string
	members   map[[2]int64]bool
	services  map[int64]bulkServiceRef
	areas     map[string]bulkArea
	qs        map[string]*linkwork.Questionnaire
}

type bulkReferralRef struct {
	place, org int64
	status     linkwork.ReferralStatus
	reference  string
}

type bulkServiceRef struct {
	name, kind, status string
	org                int64
}

type bulkArea struct {
	lsoa   string
	decile int
}

// lookups reads what the cases refer to.
func (db *DB) caseLookups(ctx context.Context, c conn, placeID int64, cases []*BulkCase) (*bulkLookups, error) {
	l := &bulkLookups{referrals: map[int64]bulkReferralRef{}, services: map[int64]bulkServiceRef{}, areas: map[string]bulkArea{},
		qs: map[string]*linkwork.Questionnaire{}}
	var err error
	if l.orgs, err = namesByID(ctx, c, "SELECT id, name FROM organisations WHERE place_id = ?", placeID); err != nil {
		return nil, err
	}
	var refIDs, userIDs, workerIDs, serviceIDs []int64
	postcodes := map[string]bool{}
	for _, b := range cases {
		p := b.Person
		if p.ReferralID != 0 {
			refIDs = append(refIDs, p.ReferralID)
		}
		if p.WorkerUserID != 0 {
			workerIDs = append(workerIDs, p.WorkerUserID)
		}
		if pc, err := linkwork.NormalisePostcode(p.Postcode); err == nil {
			postcodes[pc] = true
		}
		if b.Conversation != nil {
			userIDs = append(userIDs, b.Conversation.UpdatedByUserID)
		}
		for _, ct := range b.Contacts {
			userIDs = append(userIDs, ct.WorkerUserID)
		}
		for _, n := range b.Notes {
			userIDs = append(userIDs, n.AuthorUserID)
		}
		for _, r := range b.Responses {
			userIDs = append(userIDs, r.RecordedByUserID)
		}
		for _, g := range b.Goals {
			for _, st := range g.Steps {
				if st.ServiceID != 0 {
					serviceIDs = append(serviceIDs, st.ServiceID)
				}
			}
		}
		for _, o := range b.Onward {
			serviceIDs = append(serviceIDs, o.Referral.ServiceID)
			userIDs = append(userIDs, o.Referral.SentByUserID)
		}
	}
	err = inBatches(ctx, c, `SELECT r.id, r.place_id, s.organisation_id, r.status, r.reference FROM referrals r
		JOIN services s ON s.id = r.scheme_id WHERE r.id IN (?)`, nil, refIDs, func(scan func(...any) error) error {
		var id int64
		var ref bulkReferralRef
		var status string
		if err := scan(&id, &ref.place, &ref.org, &status, &ref.reference); err != nil {
			return err
		}
		ref.status = linkwork.ReferralStatus(status)
		l.referrals[id] = ref
		return nil
	})
	if err != nil {
		return nil, err
	}
	if l.users, err = userNames(ctx, c, append(userIDs, workerIDs...)); err != nil {
		return nil, err
	}
	if l.members, err = caseMembers(ctx, c, workerIDs); err != nil {
		return nil, err
	}
	err = inBatches(ctx, c, "SELECT id, name, kind, status, organisation_id FROM services WHERE place_id = ? AND id IN (?)",
		[]any{placeID}, serviceIDs, func(scan func(...any) error) error {
			var id int64
			var s bulkServiceRef
			err := scan(&id, &s.name, &s.kind, &s.status, &s.org)
			l.services[id] = s
			return err
		})
	if err != nil {
		return nil, err
	}
	pcs := slices.Sorted(func(yield func(string) bool) {
		for pc := range postcodes {
			if !yield(pc) {
				return
			}
		}
	})
	for len(pcs) > 0 {
		n := min(len(pcs), 5000)
		err := c.eachRow(ctx, `SELECT p.postcode, p.lsoa, COALESCE(l.imd_decile, 0) FROM postcodes p LEFT JOIN lsoas l ON l.code = p.lsoa
			WHERE p.postcode IN `+placeholders(n), anys(pcs[:n]), func(scan func(...any) error) error {
			var pc string
			var a bulkArea
			err := scan(&pc, &a.lsoa, &a.decile)
			l.areas[pc] = a
			return err
		})
		if err != nil {
			return nil, err
		}
		pcs = pcs[n:]
	}
	for _, b := range cases {
		for _, r := range b.Responses {
			code := strings.TrimSpace(r.QuestionnaireCode)
			if _, ok := l.qs[code]; ok {
				continue
			}
			q, err := db.findQuestionnaire(ctx, c, placeID, code)
			if err != nil && linkwork.ErrorCode(err) != linkwork.ENOTFOUND {
				return nil, err
			}
			l.qs[code] = q
		}
	}
	return l, nil
}

// BulkInsertCases adds people's case records of a place with their conversations, plans,
// notes, contacts, onward referrals and questionnaire responses, in one transaction. Each
// part is validated by the domain's own Validate (a response is scored by its
// questionnaire's scoring function), and the references are checked as the services check
// them: the holding organisation is the place's and runs the scheme of the referral the case
// came from, which is in a status a case can come from and has no other case; the worker is
// a link worker or manager there; services are the place's, and onward referrals go to
// community offers that are running. The person's status, last contact, follow-up, next step
// and next action are worked out as the store keeps them, and the area (LSOA and IMD decile)
// from the postcode. People, goals, steps and onward referrals get their IDs; contacts,
// notes and responses are stored without reading theirs back.
func (db *DB) BulkInsertCases(ctx context.Context, placeID int64, cases []*BulkCase) error {
	now := db.Now()
	today := calendarDay(now)
	return db.bulkTx(ctx, func(bk *bulk) error {
		c, put := bk.c, bk.put
		l, err := db.caseLookups(ctx, c, placeID, cases)
		if err != nil {
			return err
		}
		nGoals, nSteps, nOnward := 0, 0, 0
		for _, b := range cases {
			nGoals += len(b.Goals)
			for _, g := range b.Goals {
				nSteps += len(g.Steps)
			}
			nOnward += len(b.Onward)
		}
		personIDs, err := db.reserveIDs(ctx, c, "persons", len(cases))
		if err != nil {
			return err
		}
		goalIDs, err := db.reserveIDs(ctx, c, "plan_goals", nGoals)
		if err != nil {
			return err
		}
		stepIDs, err := db.reserveIDs(ctx, c, "plan_steps", nSteps)
		if err != nil {
			return err
		}
		onwardIDs, err := db.reserveIDs(ctx, c, "onward_referrals", nOnward)
		if err != nil {
			return err
		}

		var ps linkwork.Problems
		var rows struct{ persons, conversations, goals, steps, notes, contacts, onward, responses [][]any }
		type personKey struct {
			org       int64
			key, born string
		}
		seenPerson, seenNHS, seenReferral := map[personKey]int{}, map[[2]string]int{}, map[int64]int{}
		for i, b := range cases {
			field := "cases[" + strconv.Itoa(i) + "]."
			p := b.Person
			p.ID, p.PlaceID = personIDs[i], placeID
			n := len(ps)
			if err := db.prepareCase(b, l, now, today, &ps, field); err != nil {
				return err
			}
			if len(ps) > n {
				continue
			}
			k := personKey{p.OrganisationID, personNameKey(p), p.DateOfBirth}
			if j, ok := seenPerson[k]; ok {
				ps.Add(linkwork.Errorf(linkwork.ECONFLICT, "%s, born %s, is in cases %d and %d for the same organisation.", p.Name(), p.DateOfBirth, j, i))
			}
			seenPerson[k] = i
			if p.NHSNumber != "" {
				nk := [2]string{strconv.FormatInt(p.OrganisationID, 10), p.NHSNumber}
				if j, ok := seenNHS[nk]; ok {
					ps.Add(linkwork.Errorf(linkwork.ECONFLICT, "NHS number %s is in cases %d and %d for the same organisation.", p.NHSNumber, j, i))
				}
				seenNHS[nk] = i
			}
			if p.ReferralID != 0 {
				if j, ok := seenReferral[p.ReferralID]; ok {
					ps.Add(linkwork.Errorf(linkwork.ECONFLICT, "Referral %s is the referral of cases %d and %d.", p.ReferralReference, j, i))
				}
				seenReferral[p.ReferralID] = i
			}
			if len(ps) > 0 {
				continue // nothing will be saved: only look for more problems
			}
			appendCaseRows(b, &rows.persons, &rows.conversations, &rows.notes, &rows.contacts, &rows.responses)
			for _, g := range b.Goals {
				g.ID, goalIDs = goalIDs[0], goalIDs[1:]
				rows.goals = append(rows.goals, []any{g.ID, p.ID, g.Text, string(g.Status), g.Position, g.CreatedAt, g.UpdatedAt})
			}
			for _, g := range b.Goals {
				for _, st := range g.Steps {
					st.ID, stepIDs = stepIDs[0], stepIDs[1:]
					st.GoalID, st.PersonID = g.ID, p.ID
				}
			}
			for _, o := range b.Onward {
				o.Referral.ID, onwardIDs = onwardIDs[0], onwardIDs[1:]
				if o.Step != nil {
					o.Referral.StepID, o.Step.OnwardReferralID = o.Step.ID, o.Referral.ID
				}
			}
			for _, g := range b.Goals {
				for _, st := range g.Steps {
					rows.steps = append(rows.steps, []any{st.ID, st.GoalID, p.ID, st.Text, st.DueOn, string(st.Status), nullDate(st.DoneOn),
						nullInt(st.ServiceID), nullInt(st.OnwardReferralID), st.Position, st.CreatedAt, st.UpdatedAt})
				}
			}
			for _, ob := range b.Onward {
				o := ob.Referral
				rows.onward = append(rows.onward, []any{o.ID, placeID, p.ID, p.OrganisationID, nullInt(o.StepID), o.ServiceID,
					o.ServiceOrganisationID, o.FirstName, o.ContactPhone, o.ContactEmail, o.Needs, o.AccessRequirements, o.Message,
					o.Consent, string(o.ConsentMethod), string(o.Status), o.Reason, o.Note, nullInt(o.SentByUserID), o.SentBy, o.SentAt,
					o.AnsweredAt, o.AnsweredBy, o.Version})
			}
		}
		if err := ps.Err(); err != nil {
			return err
		}

		err = put("persons", []string{"id", "uuid", "place_id", "organisation_id", "referral_id", "given_name", "family_name",
			"name_key", "preferred_name", "date_of_birth", "nhs_number", "address_1", "address_2", "town", "postcode", "phone", "email",
			"contact_preferences", "language", "interpreter", "access_needs", "gp_practice", "sex", "gender_same_as_sex", "gender",
			"ethnicity", "disability", "carer", "first_language", "age_band", "lsoa", "imd_decile", "worker_user_id", "status",
			"opened_on", "last_contact_on", "follow_up_on", "next_step_due", "next_step", "next_action_on", "outcome", "closing_note",
			"closed_at", "erased_at", "version", "created_at", "updated_at"}, rows.persons)
		if linkwork.ErrorCode(err) == linkwork.ECONFLICT {
			return linkwork.Errorf(linkwork.ECONFLICT, "One of these people already has a record in their organisation "+
				"(the same NHS number, or the same names and date of birth), or their referral already has a case.")
		}
		if err != nil {
			return err
		}
		for _, ins := range []struct {
			table string
			cols  []string
			rows  [][]any
		}{
			{"conversations", []string{"person_id", "held_on", "what_matters", "strengths", "interests", "barriers", "connect", "space",
				"skills", "control", "notes", "updated_by_user_id", "updated_by", "updated_at", "version"}, rows.conversations},
			{"plan_goals", []string{"id", "person_id", "text", "status", "position", "created_at", "updated_at"}, rows.goals},
			{"plan_steps", []string{"id", "goal_id", "person_id", "text", "due_on", "status", "done_on", "service_id", "onward_referral_id",
				"position", "created_at", "updated_at"}, rows.steps},
			{"progress_notes", []string{"person_id", "goal_id", "text", "author_user_id", "author_name", "at"}, rows.notes},
			{"case_contacts", []string{"person_id", "on_date", "mode", "minutes", "worker_user_id", "worker_name", "with_whom", "note",
				"follow_up_on", "created_at"}, rows.contacts},
			{"onward_referrals", []string{"id", "place_id", "person_id", "person_organisation_id", "step_id", "service_id",
				"service_organisation_id", "first_name", "contact_phone", "contact_email", "needs", "access_requirements", "message",
				"consent", "consent_method", "status", "reason", "note", "sent_by_user_id", "sent_by", "sent_at", "answered_at",
				"answered_by", "version"}, rows.onward},
			{"questionnaire_responses", []string{"person_id", "questionnaire_code", "questionnaire_name", "timepoint", "answers", "status",
				"score", "completed_on", "recorded_by_user_id", "recorded_by", "created_at", "updated_at", "version"}, rows.responses},
		} {
			if err := put(ins.table, ins.cols, ins.rows); err != nil {
				return err
			}
		}
		if bk.unchecked {
			// What migration 0015's triggers would have counted.
			if err := markMeasuresChanged(ctx, c, placeID, now); err != nil {
				return err
			}
		}
		return db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: placeID, Action: "person.bulk_insert", RecordType: "person",
			Detail: fmt.Sprintf("%d people, %d contacts", len(rows.persons), len(rows.contacts))})
	})
}

// prepareCase validates one case against its lookups, adding its problems to ps, and fills
// in what the store works out: names, area, status, the columns kept current, positions,
// versions and times. It returns an error only when something went wrong beyond bad input.
func (db *DB) prepareCase(b *BulkCase, l *bulkLookups, now, today time.Time, ps *linkwork.Problems, field string) error {
	p := b.Person
	// add adds problems with their fields named within the case, such as
	// "cases[3].goals[0].steps[1].due_on".
	add := func(list string, i int, err error) {
		if i >= 0 {
			list += "[" + strconv.Itoa(i) + "]"
		}
		ps.Add(under(field+list+".", err))
	}
	addPerson := func(err error) { add("person", -1, err) }
	closed := p.Status == linkwork.PersonClosed
	switch p.Status {
	case "", linkwork.PersonWaiting, linkwork.PersonActive, linkwork.PersonClosed:
	default:
		addPerson(linkwork.FieldError("status", "A case is added open (its status worked out from its contacts) or closed, not %s.", p.Status))
	}
	if p.OpenedOn == "" {
		p.OpenedOn = today.Format(time.DateOnly)
	}
	addPerson(p.Validate(today))
	orgName, ok := l.orgs[p.OrganisationID]
	if !ok {
		addPerson(linkwork.FieldError("organisation_id", "Choose an organisation in this place to hold the record: there is no organisation %d here.",
			p.OrganisationID))
	}
	p.OrganisationName = orgName
	if p.WorkerUserID != 0 {
		if !l.members[[2]int64{p.WorkerUserID, p.OrganisationID}] {
			addPerson(linkwork.FieldError("worker_user_id", "Choose a link worker or manager of %s to work with the person.", orgName))
		}
		p.WorkerName = l.users[p.WorkerUserID]
	}
	if p.ReferralID != 0 {
		r, ok := l.referrals[p.ReferralID]
		switch {
		case !ok || r.place != p.PlaceID:
			addPerson(linkwork.FieldError("referral_id", "There is no referral %d in this place.", p.ReferralID))
		case r.org != p.OrganisationID:
			addPerson(linkwork.FieldError("referral_id", "Referral %s is with a scheme another organisation runs.", r.reference))
		case !closed && r.status != linkwork.ReferralAccepted && r.status != linkwork.ReferralWaiting &&
			r.status != linkwork.ReferralAllocated && r.status != linkwork.ReferralInProgress,
			closed && (r.status == linkwork.ReferralReceived || r.status == linkwork.ReferralDeclined):
			addPerson(linkwork.FieldError("referral_id", "Referral %s is %s: a case comes only from a referral that has been accepted.",
				r.reference, strings.ToLower(r.status.Label())))
		}
		p.ReferralReference = r.reference
	}
	opened, _ := time.Parse(time.DateOnly, p.OpenedOn)
	if closed {
		cl := linkwork.CaseClosure{Outcome: p.Outcome, Note: p.ClosingNote}
		addPerson(cl.Validate())
		p.ClosingNote = cl.Note
		if p.ClosedAt == nil || p.ClosedAt.After(now) || calendarDay(*p.ClosedAt).Before(opened) {
			addPerson(linkwork.FieldError("closed_at", "Give the time the case was closed: not before it opened, and not in the future."))
		}
	} else {
		p.Outcome, p.ClosingNote, p.ClosedAt = "", "", nil
	}
	if pc, err := linkwork.NormalisePostcode(p.Postcode); err == nil {
		a := l.areas[pc]
		p.LSOA, p.IMDDecile = a.lsoa, a.decile
	}

	if cv := b.Conversation; cv != nil {
		cv.PersonID = p.ID
		add("conversation", -1, cv.Validate(p.DateOfBirth, today))
		cv.UpdatedBy, cv.Version = userName(l, cv.UpdatedByUserID, cv.UpdatedBy), 1
		if cv.UpdatedAt.IsZero() {
			cv.UpdatedAt = now
		}
	}
	steps := map[*linkwork.Step]bool{}
	var firstToDo *linkwork.Step
	for gi, g := range b.Goals {
		g.PersonID, g.Position = p.ID, gi+1
		add("goals", gi, g.Validate())
		g.CreatedAt, g.UpdatedAt = stamp(g.CreatedAt, now), stamp(g.UpdatedAt, stamp(g.CreatedAt, now))
		for si, st := range g.Steps {
			st.GoalID, st.PersonID, st.Position = -1, p.ID, si+1 // the goal's ID comes with the insert
			add("goals["+strconv.Itoa(gi)+"].steps", si, st.Validate(p.OpenedOn, today))
			st.CreatedAt, st.UpdatedAt = stamp(st.CreatedAt, now), stamp(st.UpdatedAt, stamp(st.CreatedAt, now))
			if st.ServiceID != 0 {
				s, ok := l.services[st.ServiceID]
				if !ok {
					add("goals["+strconv.Itoa(gi)+"].steps", si, linkwork.FieldError("service_id",
						"There is no service %d in the directory here: choose one from the directory, or none.", st.ServiceID))
				}
				st.ServiceName = s.name
			}
			steps[st] = true
			// The next step: the earliest to do by due date, then as added.
			if st.Status == linkwork.StepToDo && (firstToDo == nil || st.DueOn < firstToDo.DueOn) {
				firstToDo = st
			}
		}
	}
	for ni, n := range b.Notes {
		n.PersonID = p.ID
		add("notes", ni, n.Validate())
		if n.GoalID != 0 {
			add("notes", ni, linkwork.FieldError("goal_id", "A bulk note is about the whole plan: leave out its goal."))
		}
		n.AuthorName, n.At = userName(l, n.AuthorUserID, n.AuthorName), stamp(n.At, now)
	}
	var latest *linkwork.CaseContact
	for ci, ct := range b.Contacts {
		ct.PersonID = p.ID
		add("contacts", ci, ct.Validate(p.DateOfBirth, today))
		if ct.WorkerUserID != 0 && l.users[ct.WorkerUserID] == "" {
			add("contacts", ci, linkwork.FieldError("worker_user_id", "There is no user %d: choose who had the contact.", ct.WorkerUserID))
		}
		ct.WorkerName = userName(l, ct.WorkerUserID, ct.WorkerName)
		ct.CreatedAt = stamp(ct.CreatedAt, now)
		// The latest contact: the latest day, then the last recorded.
		if latest == nil || ct.On >= latest.On {
			latest = ct
		}
	}
	for oi, ob := range b.Onward {
		o := ob.Referral
		o.PlaceID, o.PersonID, o.PersonOrganisationID = p.PlaceID, p.ID, p.OrganisationID
		add("onward", oi, o.Validate())
		s, ok := l.services[o.ServiceID]
		switch {
		case !ok:
			add("onward", oi, linkwork.FieldError("service_id", "There is no community offer %d in this place: choose one from the directory.", o.ServiceID))
		case s.kind == string(linkwork.KindScheme):
			add("onward", oi, linkwork.FieldError("service_id", "%s is a connector scheme, not a community offer.", s.name))
		case s.status != string(linkwork.StatusActive):
			add("onward", oi, linkwork.FieldError("service_id", "%s is %s, so it cannot take referrals.", s.name,
				strings.ToLower(linkwork.ServiceStatus(s.status).Label())))
		}
		o.ServiceName, o.ServiceOrganisationID, o.ServiceOrganisationName = s.name, s.org, l.orgs[s.org]
		if o.Status == "" {
			o.Status = linkwork.OnwardSent
		}
		if o.Status != linkwork.OnwardSent {
			a := &linkwork.OnwardAnswer{Status: o.Status, Reason: o.Reason, Note: o.Note}
			add("onward", oi, linkwork.CheckOnwardAnswer(&linkwork.OnwardReferral{Status: linkwork.OnwardSent}, a))
			o.Reason, o.Note = a.Reason, a.Note
			if o.AnsweredAt == nil || o.AnsweredAt.Before(o.SentAt) || o.AnsweredAt.After(now) || strings.TrimSpace(o.AnsweredBy) == "" {
				add("onward", oi, linkwork.FieldError("answered_at", "Give when and by whom the referral was answered: after it was sent, and not in the future."))
			}
		} else {
			o.AnsweredAt, o.AnsweredBy, o.Reason, o.Note = nil, "", "", ""
		}
		if o.SentAt.IsZero() || o.SentAt.After(now) || calendarDay(o.SentAt).Before(opened) {
			add("onward", oi, linkwork.FieldError("sent_at", "Give the time the referral was sent: after the case opened, and not in the future."))
		}
		o.SentBy = userName(l, o.SentByUserID, o.SentBy)
		if o.Version == 0 {
			o.Version = 1
			if o.Status != linkwork.OnwardSent {
				o.Version = 2
			}
		}
		if st := ob.Step; st != nil {
			if !steps[st] {
				add("onward", oi, linkwork.FieldError("step_id", "The step of an onward referral must be one of the case's steps."))
			} else {
				st.ServiceID, st.ServiceName = o.ServiceID, o.ServiceName
				if o.Status == linkwork.OnwardAttended && st.Status != linkwork.StepDone {
					add("onward", oi, linkwork.FieldError("step_id", "The person went to %s, so the step it was made from is done.", s.name))
				}
			}
		}
	}
	for ri, r := range b.Responses {
		r.PersonID = p.ID
		q := l.qs[strings.TrimSpace(r.QuestionnaireCode)]
		if q == nil {
			add("responses", ri, linkwork.FieldError("questionnaire_code", "There is no questionnaire %q here: choose one from the list.", r.QuestionnaireCode))
			continue
		}
		add("responses", ri, r.Validate(q, p.DateOfBirth, today))
		r.RecordedBy = userName(l, r.RecordedByUserID, r.RecordedBy)
		r.CreatedAt = stamp(r.CreatedAt, now)
		r.UpdatedAt, r.Version = stamp(r.UpdatedAt, r.CreatedAt), 1
	}

	// What the store keeps current (case_contact.go, case_plan.go).
	p.LastContactOn, p.FollowUpOn, p.NextStepDue, p.NextStep = "", "", "", ""
	if latest != nil {
		p.LastContactOn, p.FollowUpOn = latest.On, latest.FollowUpOn
	}
	if firstToDo != nil {
		p.NextStepDue, p.NextStep = firstToDo.DueOn, firstToDo.Text
	}
	switch {
	case closed:
	case latest != nil:
		p.Status = linkwork.PersonActive
	default:
		p.Status = linkwork.PersonWaiting
	}
	p.Version = 1
	p.CreatedAt = stamp(p.CreatedAt, now)
	if closed {
		p.Version, p.UpdatedAt = 2, *p.ClosedAt
	} else {
		p.UpdatedAt = stamp(p.UpdatedAt, p.CreatedAt)
	}
	if p.UUID == "" {
		p.UUID = linkwork.NewUUID()
	}
	p.ErasedAt = nil
	return nil
}

// under names the fields of err's problems within prefix.
func under(prefix string, err error) error {
	var ps linkwork.Problems
	for _, e := range linkwork.FieldErrors(err) {
		ps = append(ps, &linkwork.Error{Code: e.Code, Field: strings.TrimSuffix(prefix+e.Field, "."), Message: e.Message})
	}
	if len(ps) == 0 {
		return err
	}
	return ps.Err()
}

// userName is a user's name as the store records it beside their ID, or given when there is
// no user.
func userName(l *bulkLookups, id int64, given string) string {
	if n := l.users[id]; id != 0 && n != "" {
		return n
	}
	return strings.TrimSpace(given)
}

// stamp is t, or def when t is not set.
func stamp(t, def time.Time) time.Time {
	if t.IsZero() {
		return def
	}
	return t
}

// appendCaseRows adds a prepared case's rows for the tables whose rows need no IDs from the
// others.
func appendCaseRows(b *BulkCase, persons, conversations, notes, contacts, responses *[][]any) {
	p := b.Person
	d := &p.Demographics
	*persons = append(*persons, []any{p.ID, p.UUID, p.PlaceID, p.OrganisationID, nullInt(p.ReferralID), p.GivenName, p.FamilyName,
		personNameKey(p), p.PreferredName, p.DateOfBirth, p.NHSNumber, p.Address1, p.Address2, p.Town, p.Postcode, p.Phone, p.Email,
		joinList(contactMethods(p.ContactPreferences)), p.Language, p.Interpreter, p.AccessNeeds, p.GPPractice, string(d.Sex),
		string(d.GenderSameAsSex), d.Gender, string(d.Ethnicity), string(d.Disability), string(d.Carer), d.FirstLanguage, "",
		p.LSOA, p.IMDDecile, nullInt(p.WorkerUserID), string(p.Status), p.OpenedOn, nullDate(p.LastContactOn), nullDate(p.FollowUpOn),
		nullDate(p.NextStepDue), p.NextStep, nullDate(earlierDate(p.FollowUpOn, p.NextStepDue)), string(p.Outcome), p.ClosingNote,
		p.ClosedAt, nil, p.Version, p.CreatedAt, p.UpdatedAt})
	if cv := b.Conversation; cv != nil {
		*conversations = append(*conversations, []any{p.ID, cv.HeldOn, cv.WhatMatters, cv.Strengths, cv.Interests, cv.Barriers,
			cv.Connect, cv.Space, cv.Skills, cv.Control, cv.Notes, nullInt(cv.UpdatedByUserID), cv.UpdatedBy, cv.UpdatedAt, cv.Version})
	}
	for _, n := range b.Notes {
		*notes = append(*notes, []any{p.ID, nil, n.Text, nullInt(n.AuthorUserID), n.AuthorName, n.At})
	}
	for _, ct := range b.Contacts {
		*contacts = append(*contacts, []any{p.ID, ct.On, string(ct.Mode), ct.Minutes, nullInt(ct.WorkerUserID), ct.WorkerName, ct.With,
			ct.Note, nullDate(ct.FollowUpOn), ct.CreatedAt})
	}
	for _, r := range b.Responses {
		answers, _ := json.Marshal(r.Answers)
		score := ""
		if r.Score != nil {
			s, _ := json.Marshal(r.Score)
			score = string(s)
		}
		*responses = append(*responses, []any{p.ID, r.QuestionnaireCode, r.QuestionnaireName, string(r.Timepoint), string(answers),
			string(r.Status), score, r.CompletedOn, nullInt(r.RecordedByUserID), r.RecordedBy, r.CreatedAt, r.UpdatedAt, r.Version})
	}
}

// CaseworkCounts counts the casework of a place, to report on and check a generated data set.
type CaseworkCounts struct {
	// Users are those with a role in one of the place's organisations.
	Users          int `json:"users"`
	Referrals      int `json:"referrals"`
	ReferralEvents int `json:"referral_events"`
	People         int `json:"people"`
	Conversations  int `json:"conversations"`
	Goals          int `json:"goals"`
	Steps          int `json:"steps"`
	Notes          int `json:"notes"`
	Contacts       int `json:"contacts"`
	Onward         int `json:"onward_referrals"`
	Responses      int `json:"questionnaire_responses"`
}

// CountCasework counts a place's users, referrals and casework, in one query.
func (db *DB) CountCasework(ctx context.Context, placeID int64) (*CaseworkCounts, error) {
	n := &CaseworkCounts{}
	people := "(SELECT id FROM persons WHERE place_id = ?)"
	err := db.read().queryRow(ctx, `SELECT
		(SELECT COUNT(DISTINCT m.user_id) FROM memberships m JOIN organisations o ON o.id = m.organisation_id WHERE o.place_id = ?),
		(SELECT COUNT(*) FROM referrals WHERE place_id = ?),
		(SELECT COUNT(*) FROM referral_events WHERE referral_id IN (SELECT id FROM referrals WHERE place_id = ?)),
		(SELECT COUNT(*) FROM persons WHERE place_id = ?),
		(SELECT COUNT(*) FROM conversations WHERE person_id IN `+people+`),
		(SELECT COUNT(*) FROM plan_goals WHERE person_id IN `+people+`),
		(SELECT COUNT(*) FROM plan_steps WHERE person_id IN `+people+`),
		(SELECT COUNT(*) FROM progress_notes WHERE person_id IN `+people+`),
		(SELECT COUNT(*) FROM case_contacts WHERE person_id IN `+people+`),
		(SELECT COUNT(*) FROM onward_referrals WHERE place_id = ?),
		(SELECT COUNT(*) FROM questionnaire_responses WHERE person_id IN `+people+`)`,
		[]any{placeID, placeID, placeID, placeID, placeID, placeID, placeID, placeID, placeID, placeID, placeID},
		&n.Users, &n.Referrals, &n.ReferralEvents, &n.People, &n.Conversations, &n.Goals, &n.Steps, &n.Notes, &n.Contacts,
		&n.Onward, &n.Responses)
	if errors.Is(err, sql.ErrNoRows) {
		return n, nil
	}
	return n, err
}
