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

// CaseService keeps people's case records: the person (this file), their conversation and
// plan (case_plan.go), contacts (case_contact.go), caseloads and weeks (caseload.go), the
// whole record (person_record.go), closing (case_close.go), and erasure and retention
// (case_erase.go).
type CaseService struct{ db *DB }

// NewCaseService returns the case records of db.
func NewCaseService(db *DB) *CaseService { return &CaseService{db: db} }

var _ linkwork.CaseService = (*CaseService)(nil)

// today is the current date in London, in the form the domain's date checks take.
func (db *DB) today() time.Time { return calendarDay(db.Now()) }

// personNameKey is a person's name key, folded as a referral's is.
func personNameKey(p *linkwork.Person) string {
	return nameKey(&linkwork.ReferralPerson{GivenName: p.GivenName, FamilyName: p.FamilyName})
}

// nullDate returns nil for an empty date, so that a missing date is stored as NULL.
func nullDate(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// personColumns are what every read of a person returns, with the names of their
// organisation and worker and the reference of their referral.
const personColumns = `p.id, p.uuid, p.place_id, p.organisation_id, o.name, p.referral_id, r.reference, p.given_name,
	p.family_name, p.preferred_name, p.date_of_birth, p.nhs_number, p.address_1, p.address_2, p.town, p.postcode, p.phone,
	p.email, p.contact_preferences, p.language, p.interpreter, p.access_needs, p.gp_practice, p.sex, p.gender_same_as_sex,
	p.gender, p.ethnicity, p.disability, p.carer, p.first_language, p.lsoa, p.imd_decile, p.worker_user_id, w.name,
	p.status, p.opened_on, p.last_contact_on, p.follow_up_on, p.next_step_due, p.next_step, p.outcome, p.closing_note,
	p.closed_at, p.erased_at, p.version, p.created_at, p.updated_at`

const personFrom = ` FROM persons p JOIN organisations o ON o.id = p.organisation_id
	LEFT JOIN users w ON w.id = p.worker_user_id LEFT JOIN referrals r ON r.id = p.referral_id`

func scanPerson(scan func(...any) error) (*linkwork.Person, error) {
	p := &linkwork.Person{}
	d := &p.Demographics
	var referralID, workerID sql.NullInt64
	var reference, workerName, lastContact, followUp, stepDue sql.NullString
	var prefs, sex, sameSex, ethnicity, disability, carer, status, outcome string
	var closed, erased sql.NullTime
	if err := scan(&p.ID, &p.UUID, &p.PlaceID, &p.OrganisationID, &p.OrganisationName, &referralID, &reference, &p.GivenName,
		&p.FamilyName, &p.PreferredName, &p.DateOfBirth, &p.NHSNumber, &p.Address1, &p.Address2, &p.Town, &p.Postcode, &p.Phone,
		&p.Email, &prefs, &p.Language, &p.Interpreter, &p.AccessNeeds, &p.GPPractice, &sex, &sameSex,
		&d.Gender, &ethnicity, &disability, &carer, &d.FirstLanguage, &p.LSOA, &p.IMDDecile, &workerID, &workerName,
		&status, &p.OpenedOn, &lastContact, &followUp, &stepDue, &p.NextStep, &outcome, &p.ClosingNote,
		&closed, &erased, &p.Version, &p.CreatedAt, &p.UpdatedAt); err != nil {
		return nil, err
	}
	p.ReferralID, p.ReferralReference = referralID.Int64, reference.String
	p.ContactPreferences = []linkwork.ContactMethod{}
	for _, m := range splitList(prefs) {
		p.ContactPreferences = append(p.ContactPreferences, linkwork.ContactMethod(m))
	}
	d.Sex, d.GenderSameAsSex, d.Ethnicity = linkwork.Sex(sex), linkwork.Answer(sameSex), linkwork.EthnicCategory(ethnicity)
	d.Disability, d.Carer = linkwork.Answer(disability), linkwork.Answer(carer)
	p.WorkerUserID, p.WorkerName = workerID.Int64, workerName.String
	p.Status, p.Outcome = linkwork.PersonStatus(status), linkwork.CaseOutcome(outcome)
	p.LastContactOn, p.FollowUpOn, p.NextStepDue = lastContact.String, followUp.String, stepDue.String
	p.ClosedAt, p.ErasedAt = timePtr(closed), timePtr(erased)
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	return p, nil
}

// findPerson returns a person, or ENOTFOUND. forUpdate locks their row until the
// transaction ends, on PostgreSQL; SQLite's transactions already hold the only write lock.
func (db *DB) findPerson(ctx context.Context, c conn, id int64, forUpdate bool) (*linkwork.Person, error) {
	q := "SELECT " + personColumns + personFrom + " WHERE p.id = ?"
	if forUpdate && db.dialect.name() == "postgres" {
		q += " FOR UPDATE OF p"
	}
	p, err := scanPerson(func(dest ...any) error { return c.queryRow(ctx, q, []any{id}, dest...) })
	if err != nil {
		return nil, notFound(err, "Person")
	}
	return p, nil
}

// FindPersonByID returns a person with their organisation's, worker's and referral's names.
func (s *CaseService) FindPersonByID(ctx context.Context, id int64) (*linkwork.Person, error) {
	return s.db.findPerson(ctx, s.db.read(), id, false)
}

// FindPersonByReferral returns the case opened from a referral, or ENOTFOUND.
func (s *CaseService) FindPersonByReferral(ctx context.Context, referralID int64) (*linkwork.Person, error) {
	p, err := scanPerson(func(dest ...any) error {
		return s.db.read().queryRow(ctx, "SELECT "+personColumns+personFrom+" WHERE p.referral_id = ?", []any{referralID}, dest...)
	})
	if err != nil {
		return nil, notFound(err, "Person")
	}
	return p, nil
}

// area is where a postcode is: its LSOA and that LSOA's IMD decile, or "" and 0 when
// linkwork does not know the postcode (it has already been checked to be one).
func (db *DB) area(ctx context.Context, postcode string) (string, int, error) {
	info, err := NewGeographyService(db).FindPostcode(ctx, postcode, linkwork.AllowTerminated)
	switch {
	case linkwork.ErrorCode(err) == linkwork.ENOTFOUND:
		return "", 0, nil
	case err != nil:
		return "", 0, err
	}
	return info.LSOA, info.IMDDecile, nil
}

// checkCaseWorker checks that a user may be a case's worker: a link worker or manager of the
// organisation holding it. It returns their name.
func checkCaseWorker(ctx context.Context, c conn, orgID int64, orgName string, userID int64) (string, error) {
	var name string
	err := c.queryRow(ctx, `SELECT u.name FROM users u JOIN memberships m ON m.user_id = u.id
		WHERE u.id = ? AND m.organisation_id = ? AND m.role IN ('link_worker', 'manager')`, []any{userID, orgID}, &name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", linkwork.FieldError("worker_user_id", "Choose a link worker or manager of %s to work with the person.", orgName)
	}
	return name, err
}

// checkDuplicatePerson refuses a second unerased record in an organisation for the same NHS
// number, or the same names and date of birth, naming the record already there. except is
// the record being changed.
func checkDuplicatePerson(ctx context.Context, c conn, p *linkwork.Person, except int64) error {
	q := `SELECT 'name', id FROM persons WHERE organisation_id = ? AND name_key = ? AND date_of_birth = ?
		AND status <> 'erased' AND id <> ?`
	args := []any{p.OrganisationID, personNameKey(p), p.DateOfBirth, except}
	if p.NHSNumber != "" {
		q += " UNION ALL SELECT 'nhs', id FROM persons WHERE organisation_id = ? AND nhs_number = ? AND status <> 'erased' AND id <> ?"
		args = append(args, p.OrganisationID, p.NHSNumber, except)
	}
	var kind string
	var id int64
	err := c.queryRow(ctx, q+" ORDER BY 1 DESC, 2 LIMIT 1", args, &kind, &id)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return err
	case kind == "nhs":
		return linkwork.Errorf(linkwork.ECONFLICT, "The person with NHS number %s already has a record here (person %d). "+
			"Open that record instead of making another.", linkwork.FormatNHSNumber(p.NHSNumber), id)
	}
	return linkwork.Errorf(linkwork.ECONFLICT, "%s, born %s, already has a record here (person %d). "+
		"Open that record instead of making another.", p.Name(), longDate(p.DateOfBirth), id)
}

// longDate writes a YYYY-MM-DD date as "1 April 1950", or leaves it as it is.
func longDate(s string) string {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	return d.Format("2 January 2006")
}

// CreatePerson validates and stores a new case record opened directly (not from a referral:
// see CreatePersonFromReferral), with status waiting.
func (s *CaseService) CreatePerson(ctx context.Context, p *linkwork.Person) error {
	if p == nil {
		return linkwork.Errorf(linkwork.EINVALID, "There is no person to add.")
	}
	p.ReferralID, p.ReferralReference = 0, ""
	return s.db.createPerson(ctx, p, "opened directly")
}

// CreatePersonFromReferral opens a case from a referral in a status that means its scheme
// is working with the person, held by the organisation that runs the scheme.
func (s *CaseService) CreatePersonFromReferral(ctx context.Context, referralID, workerUserID int64) (*linkwork.Person, error) {
	r, err := s.db.findReferral(ctx, s.db.read(), referralID, false)
	if err != nil {
		return nil, err
	}
	switch r.Status {
	case linkwork.ReferralAccepted, linkwork.ReferralWaiting, linkwork.ReferralAllocated, linkwork.ReferralInProgress:
	default:
		return nil, linkwork.Errorf(linkwork.EINVALID, "Referral %s is %s: a case can be opened only from a referral that "+
			"has been accepted and is still open.", r.Reference, strings.ToLower(r.Status.Label()))
	}
	if workerUserID == 0 {
		workerUserID = r.WorkerUserID
	}
	rp := &r.Person
	p := &linkwork.Person{PlaceID: r.PlaceID, OrganisationID: r.SchemeOrganisationID, ReferralID: r.ID,
		ReferralReference: r.Reference, GivenName: rp.GivenName, FamilyName: rp.FamilyName, DateOfBirth: rp.DateOfBirth,
		NHSNumber: rp.NHSNumber, Address1: rp.Address1, Address2: rp.Address2, Town: rp.Town, Postcode: rp.Postcode,
		Phone: rp.Phone, Email: rp.Email, ContactPreferences: rp.ContactPreferences, Language: rp.Language,
		Interpreter: rp.Interpreter, AccessNeeds: rp.AccessNeeds, GPPractice: rp.GPPractice, WorkerUserID: workerUserID}
	if err := s.db.createPerson(ctx, p, "opened from referral "+r.Reference); err != nil {
		return nil, err
	}
	// Read back, as a reopened record keeps what it held.
	return s.FindPersonByID(ctx, p.ID)
}

// createPerson validates and stores a new person; detail is the audit event's, which says
// how the case was opened.
func (db *DB) createPerson(ctx context.Context, p *linkwork.Person, detail string) error {
	if err := p.Validate(db.today()); err != nil {
		return err
	}
	lsoa, decile, err := db.area(ctx, p.Postcode)
	if err != nil {
		return err
	}
	return db.tx(ctx, func(c conn) error {
		var orgName string
		err := c.queryRow(ctx, "SELECT name FROM organisations WHERE id = ? AND place_id = ?", []any{p.OrganisationID, p.PlaceID}, &orgName)
		if errors.Is(err, sql.ErrNoRows) {
			return linkwork.FieldError("organisation_id", "Choose an organisation in this place to hold the record: there is no organisation %d here.",
				p.OrganisationID)
		} else if err != nil {
			return err
		}
		workerName := ""
		if p.WorkerUserID != 0 {
			if workerName, err = checkCaseWorker(ctx, c, p.OrganisationID, orgName, p.WorkerUserID); err != nil {
				return err
			}
		}
		if p.ReferralID != 0 {
			var other int64
			err := c.queryRow(ctx, "SELECT id FROM persons WHERE referral_id = ?", []any{p.ReferralID}, &other)
			if err == nil {
				return linkwork.Errorf(linkwork.ECONFLICT, "Referral %s already has a case (person %d). Open that record instead.",
					p.ReferralReference, other)
			} else if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		if p.ReferralID != 0 {
			// A person referred again to an organisation that closed their case gets that
			// record back, reopened for the new referral: one record per organisation.
			closed, err := closedRecord(ctx, c, p)
			if err != nil {
				return err
			}
			if closed != 0 {
				p.ID = closed
				return db.reopenCase(ctx, c, p)
			}
		}
		if err := checkDuplicatePerson(ctx, c, p, 0); err != nil {
			return err
		}

		now := db.Now()
		if p.OpenedOn == "" {
			p.OpenedOn = db.today().Format(time.DateOnly)
		}
		p.UUID, p.OrganisationName, p.WorkerName, p.LSOA, p.IMDDecile = linkwork.NewUUID(), orgName, workerName, lsoa, decile
		p.Status, p.Version, p.CreatedAt, p.UpdatedAt = linkwork.PersonWaiting, 1, now, now
		p.LastContactOn, p.FollowUpOn, p.NextStepDue, p.NextStep = "", "", "", ""
		p.Outcome, p.ClosingNote, p.ClosedAt, p.ErasedAt = "", "", nil, nil
		d := &p.Demographics
		id, err := c.insert(ctx, `INSERT INTO persons (uuid, place_id, organisation_id, referral_id, given_name, family_name,
			name_key, preferred_name, date_of_birth, nhs_number, address_1, address_2, town, postcode, phone, email,
			contact_preferences, language, interpreter, access_needs, gp_practice, sex, gender_same_as_sex, gender, ethnicity,
			disability, carer, first_language, age_band, lsoa, imd_decile, worker_user_id, status, opened_on, next_step,
			outcome, closing_note, version, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?, '', '', '', ?, ?, ?)`,
			p.UUID, p.PlaceID, p.OrganisationID, nullInt(p.ReferralID), p.GivenName, p.FamilyName, personNameKey(p),
			p.PreferredName, p.DateOfBirth, p.NHSNumber, p.Address1, p.Address2, p.Town, p.Postcode, p.Phone, p.Email,
			joinList(contactMethods(p.ContactPreferences)), p.Language, p.Interpreter, p.AccessNeeds, p.GPPractice,
			string(d.Sex), string(d.GenderSameAsSex), d.Gender, string(d.Ethnicity), string(d.Disability), string(d.Carer),
			d.FirstLanguage, p.LSOA, p.IMDDecile, nullInt(p.WorkerUserID), string(p.Status), p.OpenedOn, p.Version, now, now)
		if linkwork.ErrorCode(err) == linkwork.ECONFLICT {
			// Another record for the person was added at the same moment.
			return linkwork.Errorf(linkwork.ECONFLICT, "Someone else has just added a record for this person. "+
				"Find it in the caseload instead of making another.")
		}
		if err != nil {
			return err
		}
		p.ID = id
		return db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: p.PlaceID, Action: linkwork.AuditPersonCreate,
			RecordType: "person", RecordID: idString(id), Detail: detail})
	})
}

// closedRecord returns the ID of the closed (not erased) record the organisation keeps for
// the person, found as checkDuplicatePerson finds one, or 0.
func closedRecord(ctx context.Context, c conn, p *linkwork.Person) (int64, error) {
	q := `SELECT id FROM persons WHERE organisation_id = ? AND name_key = ? AND date_of_birth = ? AND status = 'closed'`
	args := []any{p.OrganisationID, personNameKey(p), p.DateOfBirth}
	if p.NHSNumber != "" {
		q += " UNION ALL SELECT id FROM persons WHERE organisation_id = ? AND nhs_number = ? AND status = 'closed'"
		args = append(args, p.OrganisationID, p.NHSNumber)
	}
	var id int64
	err := c.queryRow(ctx, q+" ORDER BY 1 LIMIT 1", args, &id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

// reopenCase reopens the closed record p.ID for the referral p.ReferralID: waiting again,
// opened today, with the referral's worker if it has one. Its plan, contacts and
// questionnaires stay, so the new episode starts from what is known; its outcome is cleared,
// and the audit trail keeps the earlier closing.
func (db *DB) reopenCase(ctx context.Context, c conn, p *linkwork.Person) error {
	res, err := c.exec(ctx, `UPDATE persons SET referral_id = ?, status = 'waiting', outcome = '', closing_note = '',
		closed_at = NULL, opened_on = ?, worker_user_id = COALESCE(?, worker_user_id), version = version + 1, updated_at = ?
		WHERE id = ? AND status = 'closed'`,
		p.ReferralID, db.today().Format(time.DateOnly), nullInt(p.WorkerUserID), db.Now(), p.ID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n != 1 {
		return linkwork.Errorf(linkwork.ECONFLICT, "Someone changed this person's record while it was being reopened. Try again.")
	}
	return db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: p.PlaceID, Action: linkwork.AuditPersonReopen,
		RecordType: "person", RecordID: idString(p.ID), Detail: "reopened for referral " + p.ReferralReference})
}

func contactMethods(ms []linkwork.ContactMethod) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = string(m)
	}
	return out
}

// UpdatePerson saves a person's details and worker if the record is still at p.Version. The
// organisation, status and referral stay as they are.
func (s *CaseService) UpdatePerson(ctx context.Context, p *linkwork.Person) error {
	if p == nil {
		return linkwork.Errorf(linkwork.EINVALID, "There is no person to save.")
	}
	db := s.db
	if err := p.Validate(db.today()); err != nil {
		return err
	}
	lsoa, decile, err := db.area(ctx, p.Postcode)
	if err != nil {
		return err
	}
	return db.tx(ctx, func(c conn) error {
		cur, err := db.findPerson(ctx, c, p.ID, true)
		if err != nil {
			return err
		}
		if err := caseOpen(cur.Status, "its details"); err != nil {
			return err
		}
		if cur.Version != p.Version {
			return db.stalePerson(ctx, c, cur.ID, "record")
		}
		if p.OpenedOn == "" {
			p.OpenedOn = cur.OpenedOn
		}
		if p.WorkerUserID != 0 && p.WorkerUserID != cur.WorkerUserID {
			if _, err := checkCaseWorker(ctx, c, cur.OrganisationID, cur.OrganisationName, p.WorkerUserID); err != nil {
				return err
			}
		}
		p.PlaceID, p.OrganisationID = cur.PlaceID, cur.OrganisationID
		if err := checkDuplicatePerson(ctx, c, p, cur.ID); err != nil {
			return err
		}
		now := db.Now()
		d := &p.Demographics
		res, err := c.exec(ctx, `UPDATE persons SET given_name = ?, family_name = ?, name_key = ?, preferred_name = ?,
			date_of_birth = ?, nhs_number = ?, address_1 = ?, address_2 = ?, town = ?, postcode = ?, phone = ?, email = ?,
			contact_preferences = ?, language = ?, interpreter = ?, access_needs = ?, gp_practice = ?, sex = ?,
			gender_same_as_sex = ?, gender = ?, ethnicity = ?, disability = ?, carer = ?, first_language = ?, lsoa = ?,
			imd_decile = ?, worker_user_id = ?, opened_on = ?, version = version + 1, updated_at = ?
			WHERE id = ? AND version = ?`,
			p.GivenName, p.FamilyName, personNameKey(p), p.PreferredName, p.DateOfBirth, p.NHSNumber, p.Address1, p.Address2,
			p.Town, p.Postcode, p.Phone, p.Email, joinList(contactMethods(p.ContactPreferences)), p.Language, p.Interpreter,
			p.AccessNeeds, p.GPPractice, string(d.Sex), string(d.GenderSameAsSex), d.Gender, string(d.Ethnicity),
			string(d.Disability), string(d.Carer), d.FirstLanguage, lsoa, decile, nullInt(p.WorkerUserID), p.OpenedOn, now,
			cur.ID, p.Version)
		if linkwork.ErrorCode(err) == linkwork.ECONFLICT {
			return linkwork.Errorf(linkwork.ECONFLICT, "Someone else has just saved a record with these details in %s.", cur.OrganisationName)
		}
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return db.stalePerson(ctx, c, cur.ID, "record")
		}
		if err := db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: cur.PlaceID, Action: linkwork.AuditPersonUpdate,
			RecordType: "person", RecordID: idString(cur.ID), Detail: "details changed"}); err != nil {
			return err
		}
		got, err := db.findPerson(ctx, c, cur.ID, false)
		if err != nil {
			return err
		}
		*p = *got
		return nil
	})
}

// caseOpen refuses a change to a case that is closed or erased; what names what the change
// was to, such as "its plan".
func caseOpen(status linkwork.PersonStatus, what string) error {
	switch status {
	case linkwork.PersonWaiting, linkwork.PersonActive:
		return nil
	case linkwork.PersonErased:
		return linkwork.Errorf(linkwork.EINVALID, "This person's personal data has been erased, so nothing more can be recorded about them.")
	}
	return linkwork.Errorf(linkwork.EINVALID, "This case is closed, so %s can no longer be changed.", what)
}

// stalePerson is the conflict of a change made on an old version of a person's record: it
// says who last changed the record, and when, as the audit trail has it.
func (db *DB) stalePerson(ctx context.Context, c conn, id int64, what string) error {
	var label, name string
	var at time.Time
	err := c.queryRow(ctx, `SELECT a.actor_label, COALESCE(u.name, ''), a.at FROM audit_events a
		LEFT JOIN users u ON u.id = a.actor_user_id
		WHERE a.record_type = 'person' AND a.record_id = ? AND a.action IN (?, ?, ?)
		ORDER BY a.id DESC LIMIT 1`, []any{idString(id), linkwork.AuditPersonCreate, linkwork.AuditPersonUpdate, linkwork.AuditCaseClose},
		&label, &name, &at)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	return staleMessage(name, label, at, "this person's "+what)
}

// staleMessage is a conflict's message: who changed what, and when.
func staleMessage(name, label string, at time.Time, what string) error {
	who := strings.TrimSpace(name)
	if who == "" && label != "" && label != "anonymous" {
		who = label
	}
	if who == "" {
		who = "Someone"
	}
	when := ""
	if !at.IsZero() {
		when = fmt.Sprintf(" at %s on %s", at.In(london).Format("15:04"), at.In(london).Format("2 January"))
	}
	return linkwork.Errorf(linkwork.ECONFLICT, "%s changed %s%s, after you opened it. "+
		"Reload the page to see the change, then make yours again.", who, what, when)
}
