package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"linkwork"
)

// ErasePerson removes a person's personal data, and that of the referral their case came
// from, keeping the anonymous facts the measures count: age band, sex, ethnic category, IMD
// decile, dates to the month, outcome, contacts' dates, modes and minutes, questionnaire
// scores and onward referrals' statuses. why is recorded in the audit trail, which must not
// hold personal data itself.
func (s *CaseService) ErasePerson(ctx context.Context, personID int64, why string) error {
	why = strings.TrimSpace(why)
	switch {
	case why == "":
		return linkwork.FieldError("why", "Say why the record is being erased, such as \"The person asked us to\". Do not give their name.")
	case utf8.RuneCountInString(why) > linkwork.MaxShortTextLength:
		return linkwork.FieldError("why", "The reason must be %d characters or fewer.", linkwork.MaxShortTextLength)
	case strings.ContainsRune(why, 0):
		return linkwork.FieldError("why", "The reason contains a character that is not allowed.")
	}
	return s.db.tx(ctx, func(c conn) error {
		_, err := s.db.erasePerson(ctx, c, personID, why, "", false)
		return err
	})
}

// firstOfMonth is a YYYY-MM-DD date cut to the first of its month, or "" for "".
func firstOfMonth(s string) string {
	if len(s) < len("2006-01") {
		return ""
	}
	return s[:len("2006-01")] + "-01"
}

// monthOf is an instant cut to the start of its month (UTC).
func monthOf(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// erasePerson erases a person in a transaction, auditing it with why and, when actor is
// set, that actor's label (for the retention job). With onlyClosed it erases only a closed
// case and reports whether it did; otherwise erasing an erased record is EINVALID.
func (db *DB) erasePerson(ctx context.Context, c conn, personID int64, why, actor string, onlyClosed bool) (bool, error) {
	q := "SELECT place_id, status, date_of_birth, opened_on, last_contact_on, closed_at, erased_at, referral_id, created_at FROM persons WHERE id = ?"
	if db.dialect.name() == "postgres" {
		q += " FOR UPDATE"
	}
	var placeID int64
	var status, dob, openedOn string
	var lastContact sql.NullString
	var closedAt, erasedAt sql.NullTime
	var referralID sql.NullInt64
	var createdAt time.Time
	if err := c.queryRow(ctx, q, []any{personID}, &placeID, &status, &dob, &openedOn, &lastContact, &closedAt, &erasedAt,
		&referralID, &createdAt); err != nil {
		return false, notFound(err, "Person")
	}
	switch {
	case onlyClosed && status != string(linkwork.PersonClosed):
		return false, nil
	case status == string(linkwork.PersonErased):
		return false, linkwork.Errorf(linkwork.EINVALID, "This person's personal data was already erased on %s: there is nothing more to erase.",
			erasedAt.Time.In(london).Format("2 January 2006"))
	}
	// The age band is of the person's age when their case opened: the age the measures of
	// who was supported count.
	opened, err := time.Parse(time.DateOnly, openedOn)
	if err != nil {
		opened = db.Now()
	}
	band := linkwork.AgeBand((&linkwork.Person{DateOfBirth: dob}).Age(opened))
	var closed any
	if closedAt.Valid {
		closed = monthOf(closedAt.Time)
	}
	now := db.Now()
	if _, err := c.exec(ctx, `UPDATE persons SET given_name = '', family_name = '', name_key = '', preferred_name = '',
		date_of_birth = '', nhs_number = '', address_1 = '', address_2 = '', town = '', postcode = '', phone = '', email = '',
		contact_preferences = '', language = '', interpreter = ?, access_needs = '', gp_practice = '', gender = '',
		first_language = '', age_band = ?, lsoa = '', opened_on = ?, last_contact_on = ?, follow_up_on = NULL,
		next_step_due = NULL, next_step = '', next_action_on = NULL, closing_note = '', closed_at = ?, status = 'erased',
		erased_at = ?, created_at = ?, updated_at = ?, version = version + 1 WHERE id = ?`,
		false, band, firstOfMonth(openedOn), nullDate(firstOfMonth(lastContact.String)), closed, now, monthOf(createdAt), now,
		personID); err != nil {
		return false, err
	}
	for _, stmt := range []string{
		"DELETE FROM conversations WHERE person_id = ?",
		"DELETE FROM progress_notes WHERE person_id = ?",
		"UPDATE plan_goals SET text = '' WHERE person_id = ?",
		"UPDATE plan_steps SET text = '' WHERE person_id = ?",
		"UPDATE case_contacts SET with_whom = '', note = '' WHERE person_id = ?",
	} {
		if _, err := c.exec(ctx, stmt, personID); err != nil {
			return false, err
		}
	}
	if err := db.eraseOnward(ctx, c, personID); err != nil {
		return false, err
	}
	if referralID.Valid {
		if _, err := c.exec(ctx, `UPDATE referrals SET given_name = '', family_name = '', name_key = '', date_of_birth = '',
			nhs_number = '', address_1 = '', address_2 = '', town = '', postcode = '', phone = '', email = '',
			contact_preferences = '', language = '', access_needs = '', gp_practice = '', reason = '', risk = ''
			WHERE id = ?`, referralID.Int64); err != nil {
			return false, err
		}
		if _, err := c.exec(ctx, "UPDATE referral_events SET note = '' WHERE referral_id = ?", referralID.Int64); err != nil {
			return false, err
		}
	}
	e := &linkwork.AuditEvent{PlaceID: placeID, Action: linkwork.AuditPersonErase, RecordType: "person",
		RecordID: idString(personID), Detail: why}
	if actor != "" {
		e.ActorLabel = actor
	}
	return true, db.audit(ctx, c, e)
}

// Retention returns a place's retention period for closed cases.
func (s *CaseService) Retention(ctx context.Context, placeID int64) (*linkwork.Retention, error) {
	r := &linkwork.Retention{PlaceID: placeID}
	if err := s.db.read().queryRow(ctx, "SELECT retention_months FROM places WHERE id = ?", []any{placeID}, &r.Months); err != nil {
		return nil, notFound(err, "Place")
	}
	return r, nil
}

// SetRetention sets a place's retention period for closed cases.
func (s *CaseService) SetRetention(ctx context.Context, r linkwork.Retention) error {
	if err := r.Validate(); err != nil {
		return err
	}
	return s.db.tx(ctx, func(c conn) error {
		var old int
		if err := c.queryRow(ctx, "SELECT retention_months FROM places WHERE id = ?", []any{r.PlaceID}, &old); err != nil {
			return notFound(err, "Place")
		}
		if _, err := c.exec(ctx, "UPDATE places SET retention_months = ? WHERE id = ?", r.Months, r.PlaceID); err != nil {
			return err
		}
		return s.db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: r.PlaceID, Action: linkwork.AuditRetentionSet,
			RecordType: "place", RecordID: idString(r.PlaceID), Detail: fmt.Sprintf("from %d to %d months", old, r.Months)})
	})
}

// retentionBatch is how many cases ApplyRetention erases in one transaction: small enough
// that SQLite's write lock is not held for long while linkwork serves.
const retentionBatch = 50

// retentionActor is the audit trail's actor for erasure by the retention job.
const retentionActor = "retention"

// ApplyRetention erases every closed case whose place's retention period has passed since
// it closed, in batches of a transaction each, and says how many it erased.
func (s *CaseService) ApplyRetention(ctx context.Context, now time.Time) (int, error) {
	db := s.db
	type place struct {
		id     int64
		months int
	}
	var places []place
	err := db.read().eachRow(ctx, "SELECT id, retention_months FROM places WHERE retention_months > 0 ORDER BY id", nil,
		func(scan func(...any) error) error {
			var p place
			if err := scan(&p.id, &p.months); err != nil {
				return err
			}
			places = append(places, p)
			return nil
		})
	if err != nil {
		return 0, err
	}
	total := 0
	for _, p := range places {
		cutoff := now.UTC().AddDate(0, -p.months, 0)
		why := fmt.Sprintf("Retention: closed more than %d months ago", p.months)
		for {
			n, found := 0, 0
			err := db.tx(ctx, func(c conn) error {
				ids, err := queryInt64s(ctx, c, `SELECT id FROM persons WHERE status = 'closed' AND closed_at < ? AND place_id = ?
					ORDER BY id LIMIT ?`, cutoff, p.id, retentionBatch)
				if err != nil {
					return err
				}
				found = len(ids)
				for _, id := range ids {
					erased, err := db.erasePerson(ctx, c, id, why, retentionActor, true)
					if err != nil {
						return err
					}
					if erased {
						n++
					}
				}
				return nil
			})
			if err != nil {
				return total, err
			}
			total += n
			if found < retentionBatch {
				break
			}
		}
	}
	return total, nil
}
