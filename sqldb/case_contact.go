package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"linkwork"
)

// AddContact records a contact with the person of an open case. The connector is the acting
// user unless c.WorkerUserID names another. A waiting case becomes active, and the person's
// last contact and follow-up follow their latest contact.
func (s *CaseService) AddContact(ctx context.Context, ct *linkwork.CaseContact) error {
	if ct == nil {
		return linkwork.Errorf(linkwork.EINVALID, "There is no contact to record.")
	}
	db := s.db
	return db.tx(ctx, func(c conn) error {
		oc, err := db.lockOpenCase(ctx, c, ct.PersonID, "its contacts")
		if err != nil {
			return err
		}
		var ps linkwork.Problems
		ps.Add(ct.Validate(oc.DateOfBirth, db.today()))
		workerID, workerName := ct.WorkerUserID, strings.TrimSpace(ct.WorkerName)
		if workerID == 0 {
			if workerID, workerName, err = actingUser(ctx, c); err != nil {
				return err
			}
			if workerID == 0 && strings.TrimSpace(ct.WorkerName) != "" {
				workerName = strings.TrimSpace(ct.WorkerName)
			}
		} else {
			err := c.queryRow(ctx, "SELECT name FROM users WHERE id = ?", []any{workerID}, &workerName)
			if errors.Is(err, sql.ErrNoRows) {
				ps.Add(linkwork.FieldError("worker_user_id", "There is no user %d: choose who had the contact.", workerID))
			} else if err != nil {
				return err
			}
		}
		if err := ps.Err(); err != nil {
			return err
		}
		now := db.Now()
		id, err := c.insert(ctx, `INSERT INTO case_contacts (person_id, on_date, mode, minutes, worker_user_id, worker_name,
			with_whom, note, follow_up_on, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			oc.ID, ct.On, string(ct.Mode), ct.Minutes, nullInt(workerID), workerName, ct.With, ct.Note, nullDate(ct.FollowUpOn), now)
		if err != nil {
			return err
		}
		ct.ID, ct.PersonID, ct.WorkerUserID, ct.WorkerName, ct.CreatedAt = id, oc.ID, workerID, workerName, now
		if err := db.refreshContacts(ctx, c, oc.ID); err != nil {
			return err
		}
		return db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: oc.PlaceID, Action: linkwork.AuditContactAdd,
			RecordType: "person", RecordID: idString(oc.ID), Detail: fmt.Sprintf("contact %d: %s, %d minutes", id, ct.Mode, ct.Minutes)})
	})
}

// refreshContacts keeps a person's last contact, follow-up and next action current after a
// contact was added, and makes a waiting case active. The follow-up is the one set at the
// latest contact (the last added, of those on the same day), even if none was: a later
// contact replaces the plan an earlier one made.
func (db *DB) refreshContacts(ctx context.Context, c conn, personID int64) error {
	var last, followUp, stepDue sql.NullString
	err := c.queryRow(ctx, `SELECT ct.on_date, ct.follow_up_on, p.next_step_due FROM persons p
		JOIN case_contacts ct ON ct.id = (SELECT id FROM case_contacts WHERE person_id = p.id ORDER BY on_date DESC, id DESC LIMIT 1)
		WHERE p.id = ?`, []any{personID}, &last, &followUp, &stepDue)
	if err != nil {
		return notFound(err, "Person")
	}
	_, err = c.exec(ctx, `UPDATE persons SET status = CASE WHEN status = 'waiting' THEN 'active' ELSE status END,
		last_contact_on = ?, follow_up_on = ?, next_action_on = ? WHERE id = ?`,
		last.String, nullDate(followUp.String), nullDate(earlierDate(followUp.String, stepDue.String)), personID)
	return err
}

// contacts returns a person's contacts, newest first, and their total minutes.
func contacts(ctx context.Context, c conn, personID int64) ([]*linkwork.CaseContact, int, error) {
	out := []*linkwork.CaseContact{}
	total := 0
	err := c.eachRow(ctx, `SELECT id, person_id, on_date, mode, minutes, worker_user_id, worker_name, with_whom, note,
		follow_up_on, created_at FROM case_contacts WHERE person_id = ? ORDER BY on_date DESC, id DESC`, []any{personID},
		func(scan func(...any) error) error {
			ct := &linkwork.CaseContact{}
			var mode string
			var worker sql.NullInt64
			var followUp sql.NullString
			if err := scan(&ct.ID, &ct.PersonID, &ct.On, &mode, &ct.Minutes, &worker, &ct.WorkerName, &ct.With, &ct.Note,
				&followUp, &ct.CreatedAt); err != nil {
				return err
			}
			ct.Mode, ct.WorkerUserID, ct.FollowUpOn, ct.CreatedAt = linkwork.ContactMode(mode), worker.Int64, followUp.String, ct.CreatedAt.UTC()
			total += ct.Minutes
			out = append(out, ct)
			return nil
		})
	return out, total, err
}
