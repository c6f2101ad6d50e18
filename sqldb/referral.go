package sqldb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"linkwork"
)

// ReferralService keeps referrals: their intake, lifecycle, queues, capacity and routing
// (the last three in referral_queue.go).
type ReferralService struct{ db *DB }

// NewReferralService returns the referrals of db.
func NewReferralService(db *DB) *ReferralService { return &ReferralService{db: db} }

var _ linkwork.ReferralService = (*ReferralService)(nil)

// london is the time zone times are shown in, in messages such as a conflict's.
var london = func() *time.Location {
	if l, err := time.LoadLocation("Europe/London"); err == nil {
		return l
	}
	return time.UTC
}()

// Statuses in which a referral is open: anything but declined and closed.
const openStatuses = "('received', 'accepted', 'waiting', 'allocated', 'in_progress')"

// referenceAlphabet is Crockford's base32: no I, L, O or U, so that a reference read out on
// the phone cannot be misheard as another.
const referenceAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// newReference returns a reference such as "R-7K3M9Q": 30 random bits, so that a place
// would need tens of thousands of referrals before two are even likely to collide, and the
// unique index catches those that do.
func newReference() string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		panic("linkwork: no randomness: " + err.Error())
	}
	for i := range b {
		b[i] = referenceAlphabet[b[i]&31] // 256 is a multiple of 32, so each character is uniform
	}
	return "R-" + string(b)
}

// errReferenceTaken says the reference drawn for a new referral is already used in its
// place; the whole transaction is tried again with another, since on PostgreSQL a failed
// statement ends the transaction it is in.
var errReferenceTaken = errors.New("referral reference already used")

// nameKey is what finds a person's other referrals by name: their names in lower case,
// folded by Go rather than the database (SQLite's lower() only knows ASCII).
func nameKey(p *linkwork.ReferralPerson) string {
	return strings.ToLower(p.GivenName) + "\x1f" + strings.ToLower(p.FamilyName)
}

// schemeRef is what a referral needs to know of its scheme.
type schemeRef struct {
	ID             int64
	Name           string
	Email          string
	OrganisationID int64
}

// checkScheme checks that a scheme is a running connector scheme in a place, returning it
// and the place's name (for messages), or a field error naming the place; ENOTFOUND when
// there is no such place. One query reads both.
func (db *DB) checkScheme(ctx context.Context, c conn, placeID, schemeID int64) (*schemeRef, string, error) {
	var placeName string
	var kind, status, name, email sql.NullString
	var place, org sql.NullInt64
	err := c.queryRow(ctx, `SELECT p.name, s.kind, s.status, s.place_id, s.name, s.email, s.organisation_id
		FROM places p LEFT JOIN services s ON s.id = ? WHERE p.id = ?`, []any{schemeID, placeID},
		&placeName, &kind, &status, &place, &name, &email, &org)
	if err != nil {
		return nil, "", notFound(err, "Place")
	}
	switch {
	case schemeID <= 0:
		return nil, placeName, linkwork.FieldError("scheme_id", "Choose a connector scheme in %s for the referral.", placeName)
	case !kind.Valid || place.Int64 != placeID || kind.String != string(linkwork.KindScheme):
		return nil, placeName, linkwork.FieldError("scheme_id", "Choose a connector scheme in %s: there is no scheme %d there.",
			placeName, schemeID)
	case status.String != string(linkwork.StatusActive):
		return nil, placeName, linkwork.FieldError("scheme_id", "Choose a connector scheme in %s that is running: %s is %s.",
			placeName, name.String, strings.ToLower(linkwork.ServiceStatus(status.String).Label()))
	}
	return &schemeRef{ID: schemeID, Name: name.String, Email: email.String, OrganisationID: org.Int64}, placeName, nil
}

// CreateReferral takes a referral in: it checks it, flags possible duplicates and stores it
// with its first event, an audit event and its notifications, in one transaction.
func (s *ReferralService) CreateReferral(ctx context.Context, nr linkwork.NewReferral) error {
	r := nr.Referral
	if r == nil {
		return linkwork.Errorf(linkwork.EINVALID, "There is no referral to send.")
	}
	var ps linkwork.Problems
	ps.Add(r.Validate(s.db.Now()))
	if r.RoutedBy == "" {
		r.RoutedBy = "referrer"
	}
	if r.RoutedBy != "referrer" && r.RoutedBy != "linkwork" {
		ps.Add(linkwork.FieldError("routed_by", "Say how the scheme was chosen: referrer or linkwork."))
	}
	actor := strings.TrimSpace(nr.ActorName)
	if actor == "" {
		actor = r.Referrer.Name
	}
	if len(ps) > 0 {
		// It will not be saved, so its references are checked (for a complete list of
		// problems) outside a transaction, without taking SQLite's write lock.
		return s.db.createReferral(ctx, s.db.read(), r, ps, actor)
	}
	var err error
	for range 5 {
		err = s.db.tx(ctx, func(c conn) error { return s.db.createReferral(ctx, c, r, ps, actor) })
		if !errors.Is(err, errReferenceTaken) {
			return err
		}
	}
	return linkwork.Errorf(linkwork.ECONFLICT, "Could not give the referral a reference. Please try again.")
}

// createReferral checks what a referral refers to against its place, adding any problems to
// those validation found, and stores it when there are none.
func (db *DB) createReferral(ctx context.Context, c conn, r *linkwork.Referral, ps linkwork.Problems, actor string) error {
	scheme, placeName, err := db.checkScheme(ctx, c, r.PlaceID, r.SchemeID)
	if linkwork.ErrorCode(err) == linkwork.EINVALID {
		ps.Add(err)
	} else if err != nil {
		return err
	}
	// Needs and client groups, each a term of the right taxonomy in the place; the
	// organisations the referral is shared with, and the referrer's own: read in one round
	// trip, told apart by kind.
	ids := append(slices.Clone(r.NeedIDs), r.ClientGroupIDs...)
	orgIDs := slices.Clone(r.Consent.ShareWith)
	if r.Referrer.OrganisationID != 0 {
		orgIDs = append(orgIDs, r.Referrer.OrganisationID)
	}
	codes := map[int64]string{}
	found := map[int64]linkwork.TaxonomyTerm{}
	orgs := map[int64]string{}
	var parts []string
	var args []any
	if len(ids) > 0 {
		parts = append(parts, `SELECT 'term', tt.id, tt.uuid, tt.taxonomy_id, t.code, tt.code, tt.name, tt.description
			FROM taxonomy_terms tt JOIN taxonomies t ON t.id = tt.taxonomy_id WHERE t.place_id = ? AND tt.id IN `+placeholders(len(ids)))
		args = append(append(args, r.PlaceID), anys(ids)...)
	}
	if len(orgIDs) > 0 {
		parts = append(parts, `SELECT 'organisation', id, '', 0, '', '', name, '' FROM organisations
			WHERE place_id = ? AND id IN `+placeholders(len(orgIDs)))
		args = append(append(args, r.PlaceID), anys(orgIDs)...)
	}
	if len(parts) > 0 {
		err := c.eachRow(ctx, strings.Join(parts, " UNION ALL "), args, func(scan func(...any) error) error {
			var kind string
			var t linkwork.TaxonomyTerm
			if err := scan(&kind, &t.ID, &t.UUID, &t.TaxonomyID, &t.TaxonomyCode, &t.Code, &t.Name, &t.Description); err != nil {
				return err
			}
			if kind == "organisation" {
				orgs[t.ID] = t.Name
			} else {
				codes[t.ID], found[t.ID] = t.TaxonomyCode, t
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	for _, id := range r.NeedIDs {
		if codes[id] != linkwork.TaxonomyNeed {
			ps.Add(linkwork.FieldError("need_ids", "There is no need %d in %s: choose the reasons for the referral from the list.", id, placeName))
		}
	}
	for _, id := range r.ClientGroupIDs {
		if codes[id] != linkwork.TaxonomyClientGroup {
			ps.Add(linkwork.FieldError("client_group_ids", "There is no client group %d in %s: choose client groups from the list.", id, placeName))
		}
	}
	for _, id := range r.Consent.ShareWith {
		if _, ok := orgs[id]; !ok {
			ps.Add(linkwork.FieldError("share_with", "There is no organisation %d in %s to share the referral with.", id, placeName))
		}
	}
	if id := r.Referrer.OrganisationID; id != 0 {
		if name, ok := orgs[id]; ok {
			r.Referrer.OrganisationName = name
		} else {
			ps.Add(linkwork.FieldError("referrer_organisation_id", "There is no organisation %d in %s.", id, placeName))
		}
	}
	if err := ps.Err(); err != nil {
		return err
	}

	now := db.Now()
	r.SchemeName, r.SchemeOrganisationID = scheme.Name, scheme.OrganisationID
	r.UUID, r.Reference, r.Status, r.Version = linkwork.NewUUID(), newReference(), linkwork.ReferralReceived, 1
	r.ReceivedAt, r.UpdatedAt, r.Consent.RecordedAt = now, now, now
	r.WorkerUserID, r.WorkerName, r.DeclineReason, r.Outcome, r.WaitingSince = 0, "", "", "", nil

	// Possible duplicates: open referrals in the place for what looks like the same person.
	p := &r.Person
	// Two queries in a UNION rather than an OR, so that each uses its own index (SQLite
	// otherwise reads every referral in the place).
	dupQuery := `SELECT id FROM referrals WHERE place_id = ? AND name_key = ? AND date_of_birth = ? AND postcode = ?
		AND status IN ` + openStatuses
	dupArgs := []any{r.PlaceID, nameKey(p), p.DateOfBirth, p.Postcode}
	if p.NHSNumber != "" {
		dupQuery += " UNION SELECT id FROM referrals WHERE place_id = ? AND nhs_number = ? AND status IN " + openStatuses
		dupArgs = append(dupArgs, r.PlaceID, p.NHSNumber)
	}
	dups, err := queryInt64s(ctx, c, dupQuery+" ORDER BY 1", dupArgs...)
	if err != nil {
		return err
	}
	r.PossibleDuplicates = dups

	prefs := make([]string, len(p.ContactPreferences))
	for i, m := range p.ContactPreferences {
		prefs[i] = string(m)
	}
	src := &r.Referrer
	id, err := c.insert(ctx, `INSERT INTO referrals (uuid, place_id, reference, given_name, family_name, name_key, date_of_birth,
		nhs_number, address_1, address_2, town, postcode, phone, email, contact_preferences, language, interpreter, access_needs,
		gp_practice, reason, risk, urgency, urgency_rank, referrer_type, referrer_user_id, referrer_organisation_id, referrer_name,
		referrer_role, referrer_phone, referrer_email, consent_to_referral, consent_method, consent_recorded_by, consent_recorded_at,
		scheme_id, routed_by, status, worker_user_id, decline_reason, outcome, version, received_at, updated_at, waiting_since)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL,
		'', '', ?, ?, ?, NULL)`,
		r.UUID, r.PlaceID, r.Reference, p.GivenName, p.FamilyName, nameKey(p), p.DateOfBirth, p.NHSNumber, p.Address1, p.Address2,
		p.Town, p.Postcode, p.Phone, p.Email, joinList(prefs), p.Language, p.Interpreter, p.AccessNeeds, p.GPPractice, r.Reason,
		r.Risk, string(r.Urgency), r.Urgency.Rank(), string(src.Type), nullInt(src.UserID), nullInt(src.OrganisationID), src.Name,
		src.Role, src.Phone, src.Email, r.Consent.ToReferral, string(r.Consent.Method), r.Consent.RecordedBy, now, r.SchemeID,
		r.RoutedBy, string(r.Status), r.Version, now, now)
	if linkwork.ErrorCode(err) == linkwork.ECONFLICT {
		return errReferenceTaken
	}
	if err != nil {
		return err
	}
	r.ID = id
	// The needs as FindReferralByID gives them, so that callers need not read it back.
	r.Needs = make([]linkwork.TaxonomyTerm, len(r.NeedIDs))
	for i, n := range r.NeedIDs {
		r.Needs[i] = found[n]
	}

	var terms, shares, dupRows [][]any
	for i, t := range append(slices.Clone(r.NeedIDs), r.ClientGroupIDs...) {
		terms = append(terms, []any{id, t, i})
	}
	for i, o := range r.Consent.ShareWith {
		shares = append(shares, []any{id, o, i})
	}
	for _, d := range dups {
		dupRows = append(dupRows, []any{id, d})
	}
	for _, ins := range []struct {
		head, row string
		rows      [][]any
	}{
		{"INSERT INTO referral_terms (referral_id, term_id, position) VALUES ", "(?, ?, ?)", terms},
		{"INSERT INTO referral_shares (referral_id, organisation_id, position) VALUES ", "(?, ?, ?)", shares},
		{"INSERT INTO referral_duplicates (referral_id, duplicate_id) VALUES ", "(?, ?)", dupRows},
	} {
		if err := insertRows(ctx, c, ins.head, ins.row, ins.rows, ""); err != nil {
			return err
		}
	}
	if err := db.insertReferralEvent(ctx, c, r.SchemeID, &linkwork.ReferralEvent{ReferralID: id, At: now,
		Action: linkwork.ActionReceive, ToStatus: linkwork.ReferralReceived, ToSchemeID: r.SchemeID, ActorUserID: src.UserID, ActorName: actor}); err != nil {
		return err
	}
	// The audit detail names the referral by reference only: the trail is read more widely
	// than referrals are.
	if err := db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: r.PlaceID, Action: linkwork.AuditReferralCreate,
		RecordType: "referral", RecordID: idString(id), Detail: r.Reference + " to " + scheme.Name}); err != nil {
		return err
	}
	var notes []notification
	if src.Email != "" {
		notes = append(notes, notification{to: src.Email, subject: "Referral " + r.Reference + " received by " + scheme.Name,
			body: fmt.Sprintf("Referral %s has been received by %s.\n\nIts status is now: %s.\n\nWe will email you each time it changes.\n\n%s",
				r.Reference, scheme.Name, r.Status.Label(), noDetails)})
	}
	if scheme.Email != "" {
		notes = append(notes, newReferralNotice(r, scheme, ""))
	}
	return db.queueNotifications(ctx, c, r.PlaceID, id, notes)
}

// noDetails ends every notification: email is not a secure channel, so no message carries
// the person's name, date of birth or health.
const noDetails = "This message leaves out the person's details because email is not secure. " +
	"Sign in to linkwork to see the referral, quoting its reference."

// newReferralNotice tells a scheme it has a referral to triage; from names the scheme it was
// passed on from, if any.
func newReferralNotice(r *linkwork.Referral, scheme *schemeRef, from string) notification {
	how := "has arrived"
	if from != "" {
		how = "has been passed on from " + from
	}
	return notification{to: scheme.Email, subject: "New referral " + r.Reference,
		body: fmt.Sprintf("A referral, %s, %s for %s and is waiting for triage.\n\nUrgency: %s.\n\n%s",
			r.Reference, how, scheme.Name, r.Urgency.Label(), noDetails)}
}

// queryInt64s runs a query for one integer column and returns its values in order.
func queryInt64s(ctx context.Context, c conn, query string, args ...any) ([]int64, error) {
	rows, err := c.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// insertReferralEvent appends to a referral's history; schemeID is the scheme the referral
// is with after the event.
func (db *DB) insertReferralEvent(ctx context.Context, c conn, schemeID int64, e *linkwork.ReferralEvent) error {
	id, err := c.insert(ctx, `INSERT INTO referral_events (referral_id, scheme_id, at, action, from_status, to_status, actor_user_id,
		actor_name, from_scheme_id, to_scheme_id, worker_user_id, reason, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ReferralID, schemeID, e.At, string(e.Action), string(e.FromStatus), string(e.ToStatus), nullInt(e.ActorUserID), e.ActorName,
		nullInt(e.FromSchemeID), nullInt(e.ToSchemeID), nullInt(e.WorkerUserID), e.Reason, e.Note)
	e.ID = id
	return err
}

const referralColumns = `r.id, r.uuid, r.place_id, r.reference, r.given_name, r.family_name, r.date_of_birth, r.nhs_number,
	r.address_1, r.address_2, r.town, r.postcode, r.phone, r.email, r.contact_preferences, r.language, r.interpreter,
	r.access_needs, r.gp_practice, r.reason, r.risk, r.urgency, r.referrer_type, r.referrer_user_id, r.referrer_organisation_id,
	ro.name, r.referrer_name, r.referrer_role, r.referrer_phone, r.referrer_email, r.consent_to_referral, r.consent_method,
	r.consent_recorded_by, r.consent_recorded_at, r.scheme_id, s.name, s.organisation_id, r.routed_by, r.status,
	r.worker_user_id, w.name, r.decline_reason, r.outcome, r.version, r.received_at, r.updated_at, r.waiting_since`

const referralFrom = ` FROM referrals r JOIN services s ON s.id = r.scheme_id
	LEFT JOIN organisations ro ON ro.id = r.referrer_organisation_id LEFT JOIN users w ON w.id = r.worker_user_id`

func scanReferral(scan func(...any) error) (*linkwork.Referral, error) {
	r := &linkwork.Referral{}
	p, src := &r.Person, &r.Referrer
	var prefs, urgency, refType, method, status, decline, outcome string
	var userID, orgID, workerID sql.NullInt64
	var orgName, workerName sql.NullString
	var waiting sql.NullTime
	if err := scan(&r.ID, &r.UUID, &r.PlaceID, &r.Reference, &p.GivenName, &p.FamilyName, &p.DateOfBirth, &p.NHSNumber,
		&p.Address1, &p.Address2, &p.Town, &p.Postcode, &p.Phone, &p.Email, &prefs, &p.Language, &p.Interpreter,
		&p.AccessNeeds, &p.GPPractice, &r.Reason, &r.Risk, &urgency, &refType, &userID, &orgID,
		&orgName, &src.Name, &src.Role, &src.Phone, &src.Email, &r.Consent.ToReferral, &method,
		&r.Consent.RecordedBy, &r.Consent.RecordedAt, &r.SchemeID, &r.SchemeName, &r.SchemeOrganisationID, &r.RoutedBy, &status,
		&workerID, &workerName, &decline, &outcome, &r.Version, &r.ReceivedAt, &r.UpdatedAt, &waiting); err != nil {
		return nil, err
	}
	p.ContactPreferences = []linkwork.ContactMethod{}
	for _, m := range splitList(prefs) {
		p.ContactPreferences = append(p.ContactPreferences, linkwork.ContactMethod(m))
	}
	r.Urgency, src.Type, r.Consent.Method = linkwork.Urgency(urgency), linkwork.ReferrerType(refType), linkwork.ConsentMethod(method)
	src.UserID, src.OrganisationID, src.OrganisationName = userID.Int64, orgID.Int64, orgName.String
	r.Status, r.WorkerUserID, r.WorkerName = linkwork.ReferralStatus(status), workerID.Int64, workerName.String
	r.DeclineReason, r.Outcome = linkwork.DeclineReason(decline), linkwork.ReferralOutcome(outcome)
	r.Consent.RecordedAt, r.ReceivedAt, r.UpdatedAt = r.Consent.RecordedAt.UTC(), r.ReceivedAt.UTC(), r.UpdatedAt.UTC()
	r.WaitingSince = timePtr(waiting)
	r.NeedIDs, r.Needs, r.ClientGroupIDs, r.Consent.ShareWith, r.PossibleDuplicates = []int64{}, []linkwork.TaxonomyTerm{},
		[]int64{}, []int64{}, []int64{}
	return r, nil
}

// findReferral returns a referral with its lists, or ENOTFOUND. forUpdate locks its row
// until the transaction ends, on PostgreSQL; SQLite's transactions already hold the
// database's only write lock.
func (db *DB) findReferral(ctx context.Context, c conn, id int64, forUpdate bool) (*linkwork.Referral, error) {
	q := "SELECT " + referralColumns + referralFrom + " WHERE r.id = ?"
	if forUpdate && db.dialect.name() == "postgres" {
		q += " FOR UPDATE OF r"
	}
	r, err := scanReferral(func(dest ...any) error { return c.queryRow(ctx, q, []any{id}, dest...) })
	if err != nil {
		return nil, notFound(err, "Referral")
	}
	return r, db.loadReferralLists(ctx, c, []*linkwork.Referral{r})
}

// loadReferralLists fills in the needs, client groups, shares and possible duplicates of
// some referrals, a query per list for all of them.
func (db *DB) loadReferralLists(ctx context.Context, c conn, rs []*linkwork.Referral) error {
	if len(rs) == 0 {
		return nil
	}
	byID := map[int64]*linkwork.Referral{}
	args := make([]any, len(rs))
	for i, r := range rs {
		byID[r.ID] = r
		args[i] = r.ID
	}
	in := placeholders(len(rs))
	err := c.eachRow(ctx, `SELECT rt.referral_id, tt.id, tt.uuid, tt.taxonomy_id, t.code, tt.code, tt.name, tt.description
		FROM referral_terms rt JOIN taxonomy_terms tt ON tt.id = rt.term_id JOIN taxonomies t ON t.id = tt.taxonomy_id
		WHERE rt.referral_id IN `+in+` ORDER BY rt.referral_id, rt.position`, args, func(scan func(...any) error) error {
		var rid int64
		var t linkwork.TaxonomyTerm
		if err := scan(&rid, &t.ID, &t.UUID, &t.TaxonomyID, &t.TaxonomyCode, &t.Code, &t.Name, &t.Description); err != nil {
			return err
		}
		r := byID[rid]
		switch t.TaxonomyCode {
		case linkwork.TaxonomyNeed:
			r.NeedIDs, r.Needs = append(r.NeedIDs, t.ID), append(r.Needs, t)
		case linkwork.TaxonomyClientGroup:
			r.ClientGroupIDs = append(r.ClientGroupIDs, t.ID)
		}
		return nil
	})
	if err != nil {
		return err
	}
	err = c.eachRow(ctx, "SELECT referral_id, organisation_id FROM referral_shares WHERE referral_id IN "+in+" ORDER BY referral_id, position",
		args, func(scan func(...any) error) error {
			var rid, org int64
			if err := scan(&rid, &org); err != nil {
				return err
			}
			byID[rid].Consent.ShareWith = append(byID[rid].Consent.ShareWith, org)
			return nil
		})
	if err != nil {
		return err
	}
	// A possible duplicate is flagged on both referrals: the later one found the earlier
	// when it arrived, and the earlier one's triager should know of the later one too.
	err = c.eachRow(ctx, "SELECT referral_id, duplicate_id FROM referral_duplicates WHERE referral_id IN "+in+
		" UNION ALL SELECT duplicate_id, referral_id FROM referral_duplicates WHERE duplicate_id IN "+in,
		append(slices.Clone(args), args...), func(scan func(...any) error) error {
			var rid, dup int64
			if err := scan(&rid, &dup); err != nil {
				return err
			}
			byID[rid].PossibleDuplicates = append(byID[rid].PossibleDuplicates, dup)
			return nil
		})
	for _, r := range rs {
		slices.Sort(r.PossibleDuplicates)
	}
	return err
}

// FindReferralByID returns a referral with its scheme, worker, needs and lists filled in,
// or ENOTFOUND.
func (s *ReferralService) FindReferralByID(ctx context.Context, id int64) (*linkwork.Referral, error) {
	return s.db.findReferral(ctx, s.db.read(), id, false)
}

// ListReferrals returns a page of the referrals the filter's organisations may see, newest
// first, and how many there are.
func (s *ReferralService) ListReferrals(ctx context.Context, f linkwork.ReferralFilter) ([]*linkwork.Referral, int, error) {
	out := []*linkwork.Referral{}
	if len(f.OrganisationIDs) == 0 {
		return out, 0, nil // nobody is allowed to see every referral
	}
	orgs := anys(f.OrganisationIDs)
	in := placeholders(len(orgs))
	// Each of the three ways an organisation may see a referral can use an index of its own.
	where := " WHERE r.place_id = ? AND (r.referrer_organisation_id IN " + in +
		" OR r.scheme_id IN (SELECT id FROM services WHERE organisation_id IN " + in + " AND kind = 'connector_scheme')" +
		" OR r.id IN (SELECT referral_id FROM referral_shares WHERE organisation_id IN " + in + "))"
	args := append([]any{f.PlaceID}, orgs...)
	args = append(append(args, orgs...), orgs...)
	if len(f.SentByOrganisationIDs) > 0 {
		where += " AND r.referrer_organisation_id IN " + placeholders(len(f.SentByOrganisationIDs))
		args = append(args, anys(f.SentByOrganisationIDs)...)
	}
	if f.SentByUserID != 0 {
		where, args = where+" AND r.referrer_user_id = ?", append(args, f.SentByUserID)
	}
	if f.SchemeID != 0 {
		where, args = where+" AND r.scheme_id = ?", append(args, f.SchemeID)
	}
	if len(f.Statuses) > 0 {
		where += " AND r.status IN " + placeholders(len(f.Statuses))
		for _, st := range f.Statuses {
			args = append(args, string(st))
		}
	}
	if f.WorkerUserID != 0 {
		where, args = where+" AND r.worker_user_id = ?", append(args, f.WorkerUserID)
	}
	c := s.db.read()
	var total int
	if err := c.queryRow(ctx, "SELECT COUNT(*) FROM referrals r"+where, args, &total); err != nil {
		return nil, 0, err
	}
	if total == 0 {
		return out, 0, nil
	}
	p := f.Page.Normal()
	out, err := s.db.queryReferrals(ctx, c, "SELECT "+referralColumns+referralFrom+where+
		" ORDER BY r.received_at DESC, r.id DESC LIMIT ? OFFSET ?", append(args, p.Size, p.Offset())...)
	return out, total, err
}

// queryReferrals runs a query for referralColumns and fills in the referrals' lists.
func (db *DB) queryReferrals(ctx context.Context, c conn, query string, args ...any) ([]*linkwork.Referral, error) {
	rows, err := c.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	out := []*linkwork.Referral{}
	for rows.Next() {
		r, err := scanReferral(rows.Scan)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, db.loadReferralLists(ctx, c, out)
}

// ReferralHistory returns a referral's events, oldest first, or ENOTFOUND.
func (s *ReferralService) ReferralHistory(ctx context.Context, id int64) ([]*linkwork.ReferralEvent, error) {
	rows, err := s.db.read().query(ctx, `SELECT id, referral_id, at, action, from_status, to_status, actor_user_id, actor_name,
		from_scheme_id, to_scheme_id, worker_user_id, reason, note FROM referral_events WHERE referral_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*linkwork.ReferralEvent{}
	for rows.Next() {
		e := &linkwork.ReferralEvent{}
		var action, from, to string
		var actor, fromScheme, toScheme, worker sql.NullInt64
		if err := rows.Scan(&e.ID, &e.ReferralID, &e.At, &action, &from, &to, &actor, &e.ActorName, &fromScheme, &toScheme,
			&worker, &e.Reason, &e.Note); err != nil {
			return nil, err
		}
		e.At, e.Action, e.FromStatus, e.ToStatus = e.At.UTC(), linkwork.ReferralAction(action), linkwork.ReferralStatus(from), linkwork.ReferralStatus(to)
		e.ActorUserID, e.FromSchemeID, e.ToSchemeID, e.WorkerUserID = actor.Int64, fromScheme.Int64, toScheme.Int64, worker.Int64
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 { // every referral has at least its arrival
		return nil, linkwork.Errorf(linkwork.ENOTFOUND, "Referral not found.")
	}
	return out, nil
}

// Transition applies a decision to a referral if it is still at the version the decision
// was made on, with its event, audit event and notifications, in one transaction.
func (s *ReferralService) Transition(ctx context.Context, t linkwork.Transition, actorUserID int64, actorName string) (*linkwork.Referral, error) {
	t.Note = strings.TrimSpace(t.Note)
	if actorName = strings.TrimSpace(actorName); actorName == "" {
		actorName = linkwork.ActorFromContext(ctx).Label
	}
	var out *linkwork.Referral
	err := s.db.tx(ctx, func(c conn) error {
		var err error
		out, err = s.db.transition(ctx, c, &t, actorUserID, actorName)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (db *DB) transition(ctx context.Context, c conn, t *linkwork.Transition, actorUserID int64, actorName string) (*linkwork.Referral, error) {
	r, err := db.findReferral(ctx, c, t.ReferralID, true)
	if err != nil {
		return nil, err
	}
	if r.Version != t.Version {
		return nil, db.staleReferral(ctx, c, r.ID)
	}
	to, err := linkwork.CheckTransition(r, t)
	if err != nil {
		return nil, err
	}
	now := db.Now()
	from := r.Status
	e := &linkwork.ReferralEvent{ReferralID: r.ID, At: now, Action: t.Action, FromStatus: from, ToStatus: to,
		ActorUserID: actorUserID, ActorName: actorName, Note: t.Note}
	scheme := &schemeRef{ID: r.SchemeID, Name: r.SchemeName, OrganisationID: r.SchemeOrganisationID}
	worker, decline, outcome := r.WorkerUserID, r.DeclineReason, r.Outcome
	var waitingSince *time.Time
	switch t.Action {
	case linkwork.ActionRedirect:
		if scheme, _, err = db.checkScheme(ctx, c, r.PlaceID, t.SchemeID); err != nil {
			return nil, err
		}
		e.FromSchemeID, e.ToSchemeID = r.SchemeID, scheme.ID
	case linkwork.ActionAllocate, linkwork.ActionReallocate:
		var n int
		if err := c.queryRow(ctx, `SELECT COUNT(*) FROM memberships WHERE user_id = ? AND organisation_id = ?
			AND role IN ('link_worker', 'manager')`, []any{t.WorkerUserID, r.SchemeOrganisationID}, &n); err != nil {
			return nil, err
		}
		if n == 0 {
			var org string
			if err := c.queryRow(ctx, "SELECT name FROM organisations WHERE id = ?", []any{r.SchemeOrganisationID}, &org); err != nil {
				return nil, err
			}
			return nil, linkwork.FieldError("worker_user_id", "Choose a link worker or manager of %s, which runs %s.", org, r.SchemeName)
		}
		worker, e.WorkerUserID = t.WorkerUserID, t.WorkerUserID
	case linkwork.ActionWait:
		waitingSince = &now
	case linkwork.ActionDecline:
		decline, e.Reason = t.DeclineReason, string(t.DeclineReason)
	case linkwork.ActionClose:
		outcome, e.Reason = t.Outcome, string(t.Outcome)
	}
	// The version in the WHERE clause makes the update safe on its own: had anyone changed
	// the referral since it was read, no row would match.
	res, err := c.exec(ctx, `UPDATE referrals SET scheme_id = ?, status = ?, worker_user_id = ?, decline_reason = ?, outcome = ?,
		waiting_since = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
		scheme.ID, string(to), nullInt(worker), string(decline), string(outcome), waitingSince, now, r.ID, t.Version)
	if err != nil {
		return nil, err
	}
	if n, err := res.RowsAffected(); err != nil {
		return nil, err
	} else if n == 0 {
		return nil, db.staleReferral(ctx, c, r.ID)
	}
	if err := db.insertReferralEvent(ctx, c, scheme.ID, e); err != nil {
		return nil, err
	}
	if err := db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: r.PlaceID, Action: linkwork.AuditReferralTransition,
		RecordType: "referral", RecordID: idString(r.ID), Detail: fmt.Sprintf("%s: %s → %s", t.Action, from, to)}); err != nil {
		return nil, err
	}
	var notes []notification
	ref := r.Reference
	switch {
	case t.Action == linkwork.ActionRedirect:
		if r.Referrer.Email != "" {
			notes = append(notes, notification{to: r.Referrer.Email, subject: "Referral " + ref + " passed on to " + scheme.Name,
				body: fmt.Sprintf("Referral %s has been passed on from %s to %s, which will look at it next.\n\nIts status is now: %s.\n\n%s",
					ref, r.SchemeName, scheme.Name, to.Label(), noDetails)})
		}
		if scheme.Email != "" {
			notes = append(notes, newReferralNotice(r, scheme, r.SchemeName))
		}
	case to != from && r.Referrer.Email != "":
		notes = append(notes, notification{to: r.Referrer.Email, subject: "Referral " + ref + ": " + to.Label(),
			body: fmt.Sprintf("Referral %s to %s has changed.\n\nIts status is now: %s.\n\n%s", ref, scheme.Name, to.Label(), noDetails)})
	}
	if err := db.queueNotifications(ctx, c, r.PlaceID, r.ID, notes); err != nil {
		return nil, err
	}
	return db.findReferral(ctx, c, r.ID, false)
}

// staleReferral is the conflict of a decision made on an old version of a referral: it says
// who changed it last, when, and what it is now.
func (db *DB) staleReferral(ctx context.Context, c conn, id int64) error {
	var who, status string
	var at time.Time
	err := c.queryRow(ctx, `SELECT e.actor_name, e.at, r.status FROM referral_events e JOIN referrals r ON r.id = e.referral_id
		WHERE e.referral_id = ? ORDER BY e.id DESC LIMIT 1`, []any{id}, &who, &at, &status)
	if err != nil {
		return notFound(err, "Referral")
	}
	if who == "" {
		who = "Someone"
	}
	return linkwork.Errorf(linkwork.ECONFLICT, "%s changed this referral at %s, after you opened it: it is now %s. "+
		"Reload the page to see the change, then decide again.", who, at.In(london).Format("15:04"), strings.ToLower(linkwork.ReferralStatus(status).Label()))
}
