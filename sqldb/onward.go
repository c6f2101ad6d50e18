package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"linkwork"
)

// OnwardService keeps onward referrals: a link worker referring a person on to a community
// offer, and the receiving group's answer.
type OnwardService struct{ db *DB }

// NewOnwardService returns the onward referrals of db.
func NewOnwardService(db *DB) *OnwardService { return &OnwardService{db: db} }

var _ linkwork.OnwardService = (*OnwardService)(nil)

// onwardColumns are what every read of an onward referral returns: the referral with its
// service's and the service organisation's names, never the person's full name.
const onwardColumns = `o.id, o.place_id, o.person_id, o.person_organisation_id, o.step_id, o.service_id, s.name,
	o.service_organisation_id, so.name, o.first_name, o.contact_phone, o.contact_email, o.needs, o.access_requirements,
	o.message, o.consent, o.consent_method, o.status, o.reason, o.note, o.sent_by_user_id, o.sent_by, o.sent_at,
	o.answered_at, o.answered_by, o.version`

const onwardFrom = ` FROM onward_referrals o JOIN services s ON s.id = o.service_id
	JOIN organisations so ON so.id = o.service_organisation_id`

// onwardWithPerson adds the person's names, for the link worker's views only.
const onwardWithPerson = onwardColumns + ", p.given_name, p.family_name" + onwardFrom + " JOIN persons p ON p.id = o.person_id"

// scanOnward scans onwardColumns, and the person's names when withPerson is set.
func scanOnward(scan func(...any) error, withPerson bool) (*linkwork.OnwardReferral, error) {
	o := &linkwork.OnwardReferral{}
	var step, sentBy sql.NullInt64
	var method, status string
	var answered sql.NullTime
	dest := []any{&o.ID, &o.PlaceID, &o.PersonID, &o.PersonOrganisationID, &step, &o.ServiceID, &o.ServiceName,
		&o.ServiceOrganisationID, &o.ServiceOrganisationName, &o.FirstName, &o.ContactPhone, &o.ContactEmail, &o.Needs,
		&o.AccessRequirements, &o.Message, &o.Consent, &method, &status, &o.Reason, &o.Note, &sentBy, &o.SentBy, &o.SentAt,
		&answered, &o.AnsweredBy, &o.Version}
	var given, family string
	if withPerson {
		dest = append(dest, &given, &family)
	}
	if err := scan(dest...); err != nil {
		return nil, err
	}
	o.StepID, o.SentByUserID = step.Int64, sentBy.Int64
	o.ConsentMethod, o.Status = linkwork.ConsentMethod(method), linkwork.OnwardStatus(status)
	o.SentAt, o.AnsweredAt = o.SentAt.UTC(), timePtr(answered)
	o.PersonFullName = strings.TrimSpace(given + " " + family)
	return o, nil
}

// queryOnward runs a query for onward referrals.
func queryOnward(ctx context.Context, c conn, withPerson bool, query string, args ...any) ([]*linkwork.OnwardReferral, error) {
	out := []*linkwork.OnwardReferral{}
	err := c.eachRow(ctx, query, args, func(scan func(...any) error) error {
		o, err := scanOnward(scan, withPerson)
		if err == nil {
			out = append(out, o)
		}
		return err
	})
	return out, err
}

// onwardForPerson returns a person's onward referrals, newest first, with the service's and
// organisation's names and the person's full name: the link worker's view.
func (db *DB) onwardForPerson(ctx context.Context, c conn, personID int64) ([]*linkwork.OnwardReferral, error) {
	return queryOnward(ctx, c, true, "SELECT "+onwardWithPerson+" WHERE o.person_id = ? ORDER BY o.sent_at DESC, o.id DESC", personID)
}

// eraseOnward blanks the personal data of a person's onward referrals, keeping the service,
// dates and statuses for the measures.
func (db *DB) eraseOnward(ctx context.Context, c conn, personID int64) error {
	_, err := c.exec(ctx, `UPDATE onward_referrals SET first_name = '', contact_phone = '', contact_email = '', needs = '',
		access_requirements = '', message = '', reason = '', note = '' WHERE person_id = ?`, personID)
	return err
}

// findOnward returns one onward referral without the person's name, or ENOTFOUND. forUpdate
// locks its row on PostgreSQL until the transaction ends.
func (db *DB) findOnward(ctx context.Context, c conn, id int64, forUpdate bool) (*linkwork.OnwardReferral, error) {
	q := "SELECT " + onwardColumns + onwardFrom + " WHERE o.id = ?"
	if forUpdate && db.dialect.name() == "postgres" {
		q += " FOR UPDATE OF o"
	}
	o, err := scanOnward(func(dest ...any) error { return c.queryRow(ctx, q, []any{id}, dest...) }, false)
	if err != nil {
		return nil, notFound(err, "Onward referral")
	}
	return o, nil
}

// FindOnward returns one onward referral, without the person's full name (the receiving
// group sees it through this), or ENOTFOUND.
func (s *OnwardService) FindOnward(ctx context.Context, id int64) (*linkwork.OnwardReferral, error) {
	return s.db.findOnward(ctx, s.db.read(), id, false)
}

// ListOnwardForPerson returns a person's onward referrals, newest first.
func (s *OnwardService) ListOnwardForPerson(ctx context.Context, personID int64) ([]*linkwork.OnwardReferral, error) {
	return s.db.onwardForPerson(ctx, s.db.read(), personID)
}

// OnwardInbox returns a page of the onward referrals sent to the filter's organisations,
// those waiting for an answer first, then newest first, and how many there are. It never
// gives the person's full name.
func (s *OnwardService) OnwardInbox(ctx context.Context, f linkwork.OnwardFilter) ([]*linkwork.OnwardReferral, int, error) {
	if len(f.ServiceOrganisationIDs) == 0 {
		return []*linkwork.OnwardReferral{}, 0, nil // nobody sees every group's referrals
	}
	where := " WHERE o.service_organisation_id IN " + placeholders(len(f.ServiceOrganisationIDs))
	args := anys(f.ServiceOrganisationIDs)
	if f.PlaceID != 0 {
		where, args = where+" AND o.place_id = ?", append(args, f.PlaceID)
	}
	if len(f.Statuses) > 0 {
		where += " AND o.status IN " + placeholders(len(f.Statuses))
		for _, st := range f.Statuses {
			args = append(args, string(st))
		}
	}
	c := s.db.read()
	var total int
	if err := c.queryRow(ctx, "SELECT COUNT(*) FROM onward_referrals o"+where, args, &total); err != nil {
		return nil, 0, err
	}
	if total == 0 {
		return []*linkwork.OnwardReferral{}, 0, nil
	}
	p := f.Page.Normal()
	out, err := queryOnward(ctx, c, false, "SELECT "+onwardColumns+onwardFrom+where+
		" ORDER BY CASE WHEN o.status = 'sent' THEN 0 ELSE 1 END, o.sent_at DESC, o.id DESC LIMIT ? OFFSET ?",
		append(args, p.Size, p.Offset())...)
	return out, total, err
}

// SendOnward checks and stores an onward referral with status sent, links its step, and
// queues the notice to the service and the audit event, in one transaction.
func (s *OnwardService) SendOnward(ctx context.Context, o *linkwork.OnwardReferral) error {
	if o == nil {
		return linkwork.Errorf(linkwork.EINVALID, "There is no onward referral to send.")
	}
	var ps linkwork.Problems
	ps.Add(o.Validate())
	if len(ps) > 0 {
		// It will not be saved: the references are checked outside a transaction, for a
		// complete list of problems.
		return s.db.sendOnward(ctx, s.db.read(), o, ps)
	}
	return s.db.tx(ctx, func(c conn) error { return s.db.sendOnward(ctx, c, o, ps) })
}

// sendOnward checks the person, service and step of an onward referral, adding any problems
// to those validation found, and stores it when there are none.
func (db *DB) sendOnward(ctx context.Context, c conn, o *linkwork.OnwardReferral, ps linkwork.Problems) error {
	// The person: in the place, with an open case.
	var personOrg int64
	var personPlace int64
	var personStatus string
	err := c.queryRow(ctx, "SELECT place_id, organisation_id, status FROM persons WHERE id = ?", []any{o.PersonID},
		&personPlace, &personOrg, &personStatus)
	switch {
	case errors.Is(err, sql.ErrNoRows) || err == nil && personPlace != o.PlaceID:
		ps.Add(linkwork.FieldError("person_id", "There is no person %d in this place to refer on.", o.PersonID))
	case err != nil:
		return err
	case personStatus != string(linkwork.PersonWaiting) && personStatus != string(linkwork.PersonActive):
		ps.Add(linkwork.FieldError("person_id", "This person's case is %s: only a person with an open case can be referred on.",
			strings.ToLower(linkwork.PersonStatus(personStatus).Label())))
	}

	// The service: an active community offer (not a connector scheme) in the same place.
	var svc struct {
		name, kind, status, email string
		place, org                int64
	}
	if o.ServiceID != 0 {
		err := c.queryRow(ctx, "SELECT name, kind, status, email, place_id, organisation_id FROM services WHERE id = ?",
			[]any{o.ServiceID}, &svc.name, &svc.kind, &svc.status, &svc.email, &svc.place, &svc.org)
		switch {
		case errors.Is(err, sql.ErrNoRows) || err == nil && svc.place != o.PlaceID:
			ps.Add(linkwork.FieldError("service_id", "There is no community offer %d in this place: choose one from the directory.", o.ServiceID))
		case err != nil:
			return err
		case svc.kind == string(linkwork.KindScheme):
			ps.Add(linkwork.FieldError("service_id", "%s is a connector scheme, not a community offer: send a referral to a scheme "+
				"through the referral form, and choose a group or activity here.", svc.name))
		case svc.status != string(linkwork.StatusActive):
			ps.Add(linkwork.FieldError("service_id", "%s is %s, so it cannot take referrals: choose a community offer that is running.",
				svc.name, strings.ToLower(linkwork.ServiceStatus(svc.status).Label())))
		}
	}

	// The step, if any: one of the person's.
	if o.StepID != 0 {
		var stepPerson int64
		err := c.queryRow(ctx, "SELECT person_id FROM plan_steps WHERE id = ?", []any{o.StepID}, &stepPerson)
		switch {
		case errors.Is(err, sql.ErrNoRows) || err == nil && stepPerson != o.PersonID:
			ps.Add(linkwork.FieldError("step_id", "There is no step %d in this person's plan: choose one of their steps, or none.", o.StepID))
		case err != nil:
			return err
		}
	}
	if err := ps.Err(); err != nil {
		return err
	}

	now := db.Now()
	userID, sentBy, err := actingUser(ctx, c)
	if err != nil {
		return err
	}
	o.PersonOrganisationID, o.ServiceName, o.ServiceOrganisationID = personOrg, svc.name, svc.org
	if err := c.queryRow(ctx, "SELECT name FROM organisations WHERE id = ?", []any{svc.org}, &o.ServiceOrganisationName); err != nil {
		return err
	}
	o.Status, o.Reason, o.Note, o.Version = linkwork.OnwardSent, "", "", 1
	o.SentByUserID, o.SentBy, o.SentAt, o.AnsweredAt, o.AnsweredBy = userID, sentBy, now, nil, ""
	id, err := c.insert(ctx, `INSERT INTO onward_referrals (place_id, person_id, person_organisation_id, step_id, service_id,
		service_organisation_id, first_name, contact_phone, contact_email, needs, access_requirements, message, consent,
		consent_method, status, reason, note, sent_by_user_id, sent_by, sent_at, answered_at, answered_by, version)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', '', ?, ?, ?, NULL, '', ?)`,
		o.PlaceID, o.PersonID, o.PersonOrganisationID, nullInt(o.StepID), o.ServiceID, o.ServiceOrganisationID, o.FirstName,
		o.ContactPhone, o.ContactEmail, o.Needs, o.AccessRequirements, o.Message, o.Consent, string(o.ConsentMethod),
		string(o.Status), nullInt(o.SentByUserID), o.SentBy, now, o.Version)
	if err != nil {
		return err
	}
	o.ID = id
	if o.StepID != 0 {
		if _, err := c.exec(ctx, "UPDATE plan_steps SET service_id = ?, onward_referral_id = ?, updated_at = ? WHERE id = ?",
			o.ServiceID, id, now, o.StepID); err != nil {
			return err
		}
	}
	// The trail names the referral and service only: it is read more widely than cases are.
	if err := db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: o.PlaceID, Action: linkwork.AuditOnwardSend,
		RecordType: "onward", RecordID: idString(id), Detail: "to " + svc.name}); err != nil {
		return err
	}
	var notes []notification
	if svc.email != "" {
		notes = append(notes, notification{to: svc.email, subject: "New referral from a link worker",
			body: fmt.Sprintf("A link worker has referred someone to %s through linkwork and is waiting for your answer.\n\n"+
				"Sign in to linkwork and open \"Referrals to your groups\" to see the referral and to say whether you can "+
				"take the person.\n\n%s", svc.name, onwardNoDetails)})
	}
	return db.queueNotifications(ctx, c, o.PlaceID, 0, notes)
}

// onwardNoDetails ends every onward referral's notification: email is not secure.
const onwardNoDetails = "This message leaves out the person's details because email is not secure."

// AnswerOnward applies a group's answer, or the link worker's withdrawal, to an onward
// referral still at a.Version, marks a linked step done when the person attended, and
// queues the notice and the audit event, in one transaction.
func (s *OnwardService) AnswerOnward(ctx context.Context, a linkwork.OnwardAnswer, actorUserID int64, actorName string) (*linkwork.OnwardReferral, error) {
	if actorName = strings.TrimSpace(actorName); actorName == "" {
		actorName = linkwork.ActorFromContext(ctx).Label
	}
	var out *linkwork.OnwardReferral
	err := s.db.tx(ctx, func(c conn) error {
		var err error
		out, err = s.db.answerOnward(ctx, c, &a, actorUserID, actorName)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (db *DB) answerOnward(ctx context.Context, c conn, a *linkwork.OnwardAnswer, actorUserID int64, actorName string) (*linkwork.OnwardReferral, error) {
	o, err := db.findOnward(ctx, c, a.ID, true)
	if err != nil {
		return nil, err
	}
	if o.Version != a.Version {
		return nil, staleOnward(o)
	}
	if err := linkwork.CheckOnwardAnswer(o, a); err != nil {
		return nil, err
	}
	now := db.Now()
	from := o.Status
	res, err := c.exec(ctx, `UPDATE onward_referrals SET status = ?, reason = ?, note = ?, answered_at = ?, answered_by = ?,
		version = version + 1 WHERE id = ? AND version = ?`, string(a.Status), a.Reason, a.Note, now, actorName, o.ID, a.Version)
	if err != nil {
		return nil, err
	}
	if n, err := res.RowsAffected(); err != nil {
		return nil, err
	} else if n == 0 {
		return nil, staleOnward(o)
	}
	if a.Status == linkwork.OnwardAttended && o.StepID != 0 {
		res, err := c.exec(ctx, `UPDATE plan_steps SET status = 'done', done_on = ?, updated_at = ? WHERE id = ? AND status <> 'done'`,
			calendarDay(now).Format(time.DateOnly), now, o.StepID)
		if err != nil {
			return nil, err
		}
		if n, err := res.RowsAffected(); err != nil {
			return nil, err
		} else if n > 0 {
			// The step is no longer to do: the person's next step moves on.
			if err := db.refreshNextStep(ctx, c, o.PersonID); err != nil {
				return nil, err
			}
		}
	}
	if err := db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: o.PlaceID, ActorUserID: actorUserID, Action: linkwork.AuditOnwardAnswer,
		RecordType: "onward", RecordID: idString(o.ID), Detail: fmt.Sprintf("%s → %s", from, a.Status)}); err != nil {
		return nil, err
	}
	var notes []notification
	if a.Status == linkwork.OnwardWithdrawn {
		// The link worker's own action: the group is told, so it stops waiting for the person.
		var email string
		if err := c.queryRow(ctx, "SELECT email FROM services WHERE id = ?", []any{o.ServiceID}, &email); err != nil {
			return nil, err
		}
		if email != "" {
			notes = append(notes, notification{to: email, subject: "A referral to " + o.ServiceName + " has been withdrawn",
				body: fmt.Sprintf("A link worker has withdrawn a referral they sent to %s through linkwork: you need do nothing more "+
					"about it.\n\nSign in to linkwork and open \"Referrals to your groups\" to see which.\n\n%s", o.ServiceName, onwardNoDetails)})
		}
	} else if o.SentByUserID != 0 {
		var email string
		err := c.queryRow(ctx, "SELECT email FROM users WHERE id = ?", []any{o.SentByUserID}, &email)
		if err != nil && err != sql.ErrNoRows {
			return nil, err
		}
		if email != "" {
			notes = append(notes, notification{to: email, subject: "A group has answered your onward referral",
				body: fmt.Sprintf("%s has answered an onward referral you sent through linkwork: %s.\n\n"+
					"Sign in to linkwork and open the person's record to see it.\n\n%s", o.ServiceName,
					strings.ToLower(a.Status.Label()), onwardNoDetails)})
		}
	}
	if err := db.queueNotifications(ctx, c, o.PlaceID, 0, notes); err != nil {
		return nil, err
	}
	return db.findOnward(ctx, c, o.ID, false)
}

// staleOnward is the conflict of an answer given on an old version of an onward referral.
func staleOnward(o *linkwork.OnwardReferral) error {
	who := o.AnsweredBy
	if who == "" {
		who = "Someone"
	}
	return linkwork.Errorf(linkwork.ECONFLICT, "%s changed this referral after you opened it: it is now %s. "+
		"Reload the page to see the change, then answer again.", who, strings.ToLower(o.Status.Label()))
}

// calendarDay is the date in London at an instant, as midnight UTC of that date: the form the
// domain's date checks compare dates with.
func calendarDay(now time.Time) time.Time {
	y, m, d := now.In(london).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// actingUser is the user acting in ctx and the name to record them by: their name from the
// users table, or the actor's label (an email, or "cli") when there is none.
func actingUser(ctx context.Context, c conn) (int64, string, error) {
	a := linkwork.ActorFromContext(ctx)
	if a.UserID == 0 {
		return 0, a.Label, nil
	}
	var name string
	err := c.queryRow(ctx, "SELECT name FROM users WHERE id = ?", []any{a.UserID}, &name)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, a.Label, nil
	case err != nil:
		return 0, "", err
	case strings.TrimSpace(name) == "":
		return a.UserID, a.Label, nil
	}
	return a.UserID, name, nil
}
