package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"linkwork"
)

// GroupPortalService keeps what community groups tell the place about themselves: how full
// their offers are this week, their volunteers, the activities they start and what they ask
// the place for.
type GroupPortalService struct{ db *DB }

// NewGroupPortalService returns the group portal store of db.
func NewGroupPortalService(db *DB) *GroupPortalService { return &GroupPortalService{db: db} }

var _ linkwork.GroupPortalService = (*GroupPortalService)(nil)

// MaxRequestResponse is the most characters the place's answer to a request may have.
const MaxRequestResponse = 2000

// checkThenWrite runs fn in a transaction when validation found no problems; otherwise it
// runs fn outside one, so that the references are checked too and every problem is reported,
// without taking the write lock for a change that will not be made. fn must not write when
// it has problems to report.
func (db *DB) checkThenWrite(ctx context.Context, ps linkwork.Problems, fn func(c conn) error) error {
	if len(ps) > 0 {
		return fn(db.read())
	}
	return db.tx(ctx, fn)
}

// SetAvailability stores a community offer's availability for a week (this week when Week
// is zero; any day of a week stands for its Monday), replacing what was there, and marks
// the offer's listing checked now by the actor, with the audit event, in one transaction.
func (s *GroupPortalService) SetAvailability(ctx context.Context, a *linkwork.Availability) error {
	if a == nil {
		return linkwork.Errorf(linkwork.EINVALID, "There is no availability to save.")
	}
	var ps linkwork.Problems
	ps.Add(a.Validate())
	now := s.db.Now()
	this := linkwork.WeekOf(now)
	next := this.AddDate(0, 0, 7)
	if a.Week.IsZero() {
		a.Week = this
	} else if a.Week = linkwork.WeekOf(a.Week); !a.Week.Equal(this) && !a.Week.Equal(next) {
		ps.Add(linkwork.FieldError("week", "The week must be this week (starting %s) or next week (starting %s).",
			this.Format("Monday 2 January 2006"), next.Format("Monday 2 January 2006")))
	}
	return s.db.checkThenWrite(ctx, ps, func(c conn) error {
		var placeID int64
		if a.ServiceID != 0 {
			var kind, name string
			err := c.queryRow(ctx, "SELECT kind, name, place_id FROM services WHERE id = ?", []any{a.ServiceID}, &kind, &name, &placeID)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				ps.Add(linkwork.FieldError("service_id", "There is no community offer %d in the directory: choose one of your group's offers.", a.ServiceID))
			case err != nil:
				return err
			case kind != string(linkwork.KindActivity):
				ps.Add(linkwork.FieldError("service_id", "%s is a connector scheme: places and “currently full” are kept for community offers "+
					"(groups and activities) only.", name))
			}
		}
		if err := ps.Err(); err != nil {
			return err
		}
		_, userName, err := actingUser(ctx, c)
		if err != nil {
			return err
		}
		a.UpdatedAt, a.UpdatedBy = now, userName
		if _, err := c.exec(ctx, `INSERT INTO service_availability (service_id, is_full, note, places_left, week, updated_at, updated_by)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (service_id) DO UPDATE SET is_full = excluded.is_full, note = excluded.note, places_left = excluded.places_left,
				week = excluded.week, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			a.ServiceID, a.Full, a.Note, a.PlacesLeft, a.Week.Format(time.DateOnly), now, userName); err != nil {
			return err
		}
		// Saying how full an offer is, is checking its listing: the directory shows it as
		// checked, as VerifyService would.
		if _, err := c.exec(ctx, "UPDATE services SET last_verified_at = ?, verified_by = ? WHERE id = ?",
			now, linkwork.ActorFromContext(ctx).Label, a.ServiceID); err != nil {
			return err
		}
		return s.db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: placeID, Action: linkwork.AuditAvailabilitySet, RecordType: "service",
			RecordID: idString(a.ServiceID), Detail: availabilityDetail(a)})
	})
}

// availabilityDetail says what an availability update said, for the audit trail.
func availabilityDetail(a *linkwork.Availability) string {
	d := "not full"
	if a.Full {
		d = "full"
	}
	if a.PlacesLeft != nil {
		d += fmt.Sprintf(", %d places left in the week of %s", *a.PlacesLeft, a.Week.Format(time.DateOnly))
	}
	return d
}

// Availability returns the availability of the services given, by service ID, in one query;
// a service whose group never said is absent.
func (s *GroupPortalService) Availability(ctx context.Context, serviceIDs []int64) (map[int64]*linkwork.Availability, error) {
	out := map[int64]*linkwork.Availability{}
	ids := uniqueIDs(serviceIDs)
	if len(ids) == 0 {
		return out, nil
	}
	err := s.db.read().eachRow(ctx, `SELECT service_id, is_full, note, places_left, week, updated_at, updated_by
		FROM service_availability WHERE service_id IN `+placeholders(len(ids)), anys(ids), func(scan func(...any) error) error {
		a := &linkwork.Availability{}
		var places sql.NullInt64
		var week string
		if err := scan(&a.ServiceID, &a.Full, &a.Note, &places, &week, &a.UpdatedAt, &a.UpdatedBy); err != nil {
			return err
		}
		if places.Valid {
			n := int(places.Int64)
			a.PlacesLeft = &n
		}
		var err error
		if a.Week, err = time.Parse(time.DateOnly, week); err != nil {
			return fmt.Errorf("service_availability of service %d: week %q: %w", a.ServiceID, week, err)
		}
		a.UpdatedAt = a.UpdatedAt.UTC()
		out[a.ServiceID] = a
		return nil
	})
	return out, err
}

// groupOrganisation returns the place and name of an organisation a group's record is for,
// adding a problem when there is none (or, when placeID is not 0, none in that place).
func groupOrganisation(ctx context.Context, c conn, ps *linkwork.Problems, orgID, placeID int64) (int64, string, error) {
	if orgID == 0 {
		return 0, "", nil // the domain's Validate says so
	}
	var place int64
	var name string
	err := c.queryRow(ctx, "SELECT place_id, name FROM organisations WHERE id = ?", []any{orgID}, &place, &name)
	switch {
	case errors.Is(err, sql.ErrNoRows) || err == nil && placeID != 0 && place != placeID:
		ps.Add(linkwork.FieldError("organisation_id", "There is no organisation %d in this place: choose your group.", orgID))
		return 0, "", nil
	case err != nil:
		return 0, "", err
	}
	return place, name, nil
}

// checkNeed adds a problem unless need is empty or a term of the place's need taxonomy.
func checkNeed(ctx context.Context, c conn, ps *linkwork.Problems, placeID int64, need string) error {
	if need == "" || placeID == 0 {
		return nil
	}
	var label string
	err := c.queryRow(ctx, `SELECT tt.name FROM taxonomy_terms tt JOIN taxonomies t ON t.id = tt.taxonomy_id
		WHERE t.place_id = ? AND t.code = ? AND tt.code = ?`, []any{placeID, linkwork.TaxonomyNeed, need}, &label)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		ps.Add(linkwork.FieldError("need", "There is no need %q in this place's list of needs: choose one of them, or none.", need))
	case err != nil:
		return err
	}
	return nil
}

// SetVolunteers stores an organisation's volunteers and hours for a month, replacing what
// was there, with the audit event.
func (s *GroupPortalService) SetVolunteers(ctx context.Context, v *linkwork.VolunteerMonth) error {
	if v == nil {
		return linkwork.Errorf(linkwork.EINVALID, "There are no volunteers to save.")
	}
	var ps linkwork.Problems
	now := s.db.Now()
	ps.Add(v.Validate(now))
	if v.OrganisationID == 0 {
		ps.Add(linkwork.FieldError("organisation_id", "Choose your group."))
	}
	return s.db.checkThenWrite(ctx, ps, func(c conn) error {
		placeID, _, err := groupOrganisation(ctx, c, &ps, v.OrganisationID, 0)
		if err != nil {
			return err
		}
		if err := ps.Err(); err != nil {
			return err
		}
		_, userName, err := actingUser(ctx, c)
		if err != nil {
			return err
		}
		v.UpdatedAt, v.UpdatedBy = now, userName
		if _, err := c.exec(ctx, `INSERT INTO volunteer_months (organisation_id, month, volunteers, hours, updated_at, updated_by)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (organisation_id, month) DO UPDATE SET volunteers = excluded.volunteers, hours = excluded.hours,
				updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			v.OrganisationID, v.Month.Format(time.DateOnly), v.Volunteers, v.Hours, now, userName); err != nil {
			return err
		}
		return s.db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: placeID, Action: linkwork.AuditVolunteersSet, RecordType: "organisation",
			RecordID: idString(v.OrganisationID), Detail: fmt.Sprintf("%s: %d volunteers, %d hours", v.Month.Format("January 2006"), v.Volunteers, v.Hours)})
	})
}

// Volunteers returns an organisation's months, newest first.
func (s *GroupPortalService) Volunteers(ctx context.Context, organisationID int64) ([]*linkwork.VolunteerMonth, error) {
	out := []*linkwork.VolunteerMonth{}
	err := s.db.read().eachRow(ctx, `SELECT organisation_id, month, volunteers, hours, updated_at, updated_by FROM volunteer_months
		WHERE organisation_id = ? ORDER BY month DESC`, []any{organisationID}, func(scan func(...any) error) error {
		v := &linkwork.VolunteerMonth{}
		var month string
		if err := scan(&v.OrganisationID, &month, &v.Volunteers, &v.Hours, &v.UpdatedAt, &v.UpdatedBy); err != nil {
			return err
		}
		var err error
		if v.Month, err = time.Parse(time.DateOnly, month); err != nil {
			return fmt.Errorf("volunteer_months of organisation %d: month %q: %w", v.OrganisationID, month, err)
		}
		v.UpdatedAt = v.UpdatedAt.UTC()
		out = append(out, v)
		return nil
	})
	return out, err
}

// AddNewActivity stores an activity a group started, with the audit event. Its listing, if
// given, must be one of the organisation's services; its need, if given, a term of the
// place's need taxonomy.
func (s *GroupPortalService) AddNewActivity(ctx context.Context, a *linkwork.NewActivity) error {
	if a == nil {
		return linkwork.Errorf(linkwork.EINVALID, "There is no activity to save.")
	}
	var ps linkwork.Problems
	now := s.db.Now()
	ps.Add(a.Validate(now))
	if a.OrganisationID == 0 {
		ps.Add(linkwork.FieldError("organisation_id", "Choose your group."))
	}
	if !a.StartedOn.IsZero() {
		y, m, d := a.StartedOn.Date()
		a.StartedOn = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	return s.db.checkThenWrite(ctx, ps, func(c conn) error {
		placeID, orgName, err := groupOrganisation(ctx, c, &ps, a.OrganisationID, a.PlaceID)
		if err != nil {
			return err
		}
		if a.ServiceID != 0 && placeID != 0 {
			var org int64
			err := c.queryRow(ctx, "SELECT organisation_id FROM services WHERE id = ?", []any{a.ServiceID}, &org)
			switch {
			case errors.Is(err, sql.ErrNoRows) || err == nil && org != a.OrganisationID:
				ps.Add(linkwork.FieldError("service_id", "There is no listing %d of %s in the directory: choose one of its listings, or none.",
					a.ServiceID, orgName))
			case err != nil:
				return err
			}
		}
		if err := checkNeed(ctx, c, &ps, placeID, a.Need); err != nil {
			return err
		}
		if err := ps.Err(); err != nil {
			return err
		}
		_, userName, err := actingUser(ctx, c)
		if err != nil {
			return err
		}
		a.PlaceID, a.CreatedAt, a.CreatedBy = placeID, now, userName
		id, err := c.insert(ctx, `INSERT INTO new_activities (place_id, organisation_id, name, description, started_on, need, co_produced,
			service_id, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			a.PlaceID, a.OrganisationID, a.Name, a.Description, a.StartedOn.Format(time.DateOnly), a.Need, a.CoProduced,
			nullInt(a.ServiceID), now, userName)
		if err != nil {
			return err
		}
		a.ID = id
		return s.db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: placeID, Action: linkwork.AuditActivityAdd, RecordType: "new_activity",
			RecordID: idString(id), Detail: orgName + ": " + a.Name})
	})
}

// NewActivities returns an organisation's new activities, most recently started first.
func (s *GroupPortalService) NewActivities(ctx context.Context, organisationID int64) ([]*linkwork.NewActivity, error) {
	out := []*linkwork.NewActivity{}
	err := s.db.read().eachRow(ctx, `SELECT id, place_id, organisation_id, name, description, started_on, need, co_produced, service_id,
		created_at, created_by FROM new_activities WHERE organisation_id = ? ORDER BY started_on DESC, id DESC`, []any{organisationID},
		func(scan func(...any) error) error {
			a := &linkwork.NewActivity{}
			var started string
			var service sql.NullInt64
			if err := scan(&a.ID, &a.PlaceID, &a.OrganisationID, &a.Name, &a.Description, &started, &a.Need, &a.CoProduced, &service,
				&a.CreatedAt, &a.CreatedBy); err != nil {
				return err
			}
			var err error
			if a.StartedOn, err = time.Parse(time.DateOnly, started); err != nil {
				return fmt.Errorf("new activity %d: started_on %q: %w", a.ID, started, err)
			}
			a.ServiceID, a.CreatedAt = service.Int64, a.CreatedAt.UTC()
			out = append(out, a)
			return nil
		})
	return out, err
}

// requestColumns are what every read of a group request returns: the request with its
// organisation's name and its neighbourhood's name (its code when the LSOA is not known) and
// deprivation.
const requestColumns = `r.id, r.place_id, r.organisation_id, o.name, r.kind, r.detail, r.need, r.postcode, r.neighbourhood_code,
	COALESCE(l.name, r.neighbourhood_code), COALESCE(l.imd_decile, 0), r.status, r.response, r.created_at, r.created_by,
	r.closed_at, r.closed_by, r.version`

const requestFrom = ` FROM group_requests r JOIN organisations o ON o.id = r.organisation_id
	LEFT JOIN lsoas l ON l.code = r.neighbourhood_code`

func scanRequest(scan func(...any) error) (*linkwork.GroupRequest, error) {
	g := &linkwork.GroupRequest{}
	var kind, status string
	var closed sql.NullTime
	if err := scan(&g.ID, &g.PlaceID, &g.OrganisationID, &g.OrganisationName, &kind, &g.Detail, &g.Need, &g.Postcode,
		&g.NeighbourhoodCode, &g.NeighbourhoodName, &g.IMDDecile, &status, &g.Response, &g.CreatedAt, &g.CreatedBy,
		&closed, &g.ClosedBy, &g.Version); err != nil {
		return nil, err
	}
	g.Kind, g.Status = linkwork.RequestKind(kind), linkwork.RequestStatus(status)
	g.CreatedAt, g.ClosedAt = g.CreatedAt.UTC(), timePtr(closed)
	return g, nil
}

func queryRequests(ctx context.Context, c conn, query string, args ...any) ([]*linkwork.GroupRequest, error) {
	out := []*linkwork.GroupRequest{}
	err := c.eachRow(ctx, query, args, func(scan func(...any) error) error {
		g, err := scanRequest(scan)
		if err == nil {
			out = append(out, g)
		}
		return err
	})
	return out, err
}

// findRequest returns one request, or ENOTFOUND; forUpdate locks its row on PostgreSQL
// until the transaction ends.
func (db *DB) findRequest(ctx context.Context, c conn, id int64, forUpdate bool) (*linkwork.GroupRequest, error) {
	q := "SELECT " + requestColumns + requestFrom + " WHERE r.id = ?"
	if forUpdate && db.dialect.name() == "postgres" {
		q += " FOR UPDATE OF r"
	}
	g, err := scanRequest(func(dest ...any) error { return c.queryRow(ctx, q, []any{id}, dest...) })
	if err != nil {
		return nil, notFound(err, "Request")
	}
	return g, nil
}

// CreateRequest stores a group's request, open, with the audit event. A postcode given must
// be a live one linkwork knows, and gives the neighbourhood (its LSOA); without one the
// first venue of the organisation's services does, if it has any. A need given must be a
// term of the place's need taxonomy.
func (s *GroupPortalService) CreateRequest(ctx context.Context, g *linkwork.GroupRequest) error {
	if g == nil {
		return linkwork.Errorf(linkwork.EINVALID, "There is no request to save.")
	}
	var ps linkwork.Problems
	ps.Add(g.Validate())
	if g.Postcode != "" {
		pc, err := linkwork.NormalisePostcode(g.Postcode)
		if err != nil {
			ps.Add(err)
		} else {
			g.Postcode = pc
		}
	}
	return s.db.checkThenWrite(ctx, ps, func(c conn) error {
		placeID, orgName, err := groupOrganisation(ctx, c, &ps, g.OrganisationID, g.PlaceID)
		if err != nil {
			return err
		}
		if err := checkNeed(ctx, c, &ps, placeID, g.Need); err != nil {
			return err
		}
		neighbourhood := ""
		if g.Postcode != "" && !hasProblem(ps, "postcode") {
			var lsoa string
			var ended sql.NullTime
			err := c.queryRow(ctx, "SELECT lsoa, terminated_on FROM postcodes WHERE postcode = ?", []any{g.Postcode}, &lsoa, &ended)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				ps.Add(linkwork.FieldError("postcode", "We do not know the postcode %s. Check it, use a nearby one, or leave it out "+
					"to use your group's venue.", g.Postcode))
			case err != nil:
				return err
			case ended.Valid:
				ps.Add(linkwork.FieldError("postcode", "The postcode %s was ended in %s: use the current postcode, or leave it out "+
					"to use your group's venue.", g.Postcode, ended.Time.Format("January 2006")))
			default:
				neighbourhood = lsoa
			}
		} else if g.Postcode == "" && placeID != 0 {
			// The group's first venue: its first service's first location with a postcode,
			// placed by the postcode lookup where it can be (the location keeps the LSOA
			// it was given when saved).
			err := c.queryRow(ctx, `SELECT COALESCE(p.lsoa, l.lsoa) FROM services s JOIN locations l ON l.service_id = s.id
				LEFT JOIN postcodes p ON p.postcode = l.postcode
				WHERE s.organisation_id = ? AND l.postcode <> '' ORDER BY s.id, l.position LIMIT 1`, []any{g.OrganisationID}, &neighbourhood)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		if err := ps.Err(); err != nil {
			return err
		}
		_, userName, err := actingUser(ctx, c)
		if err != nil {
			return err
		}
		now := s.db.Now()
		g.PlaceID, g.OrganisationName, g.NeighbourhoodCode = placeID, orgName, neighbourhood
		g.Status, g.Response, g.CreatedAt, g.CreatedBy, g.ClosedAt, g.ClosedBy, g.Version = linkwork.RequestOpen, "", now, userName, nil, "", 1
		id, err := c.insert(ctx, `INSERT INTO group_requests (place_id, organisation_id, kind, detail, need, postcode, neighbourhood_code,
			status, response, created_at, created_by, closed_at, closed_by, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, NULL, '', ?)`,
			g.PlaceID, g.OrganisationID, string(g.Kind), g.Detail, g.Need, g.Postcode, g.NeighbourhoodCode, string(g.Status), now, userName,
			g.Version)
		if err != nil {
			return err
		}
		g.ID = id
		g.NeighbourhoodName, g.IMDDecile = g.NeighbourhoodCode, 0
		if g.NeighbourhoodCode != "" {
			err := c.queryRow(ctx, "SELECT name, COALESCE(imd_decile, 0) FROM lsoas WHERE code = ?", []any{g.NeighbourhoodCode},
				&g.NeighbourhoodName, &g.IMDDecile)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		detail := orgName + " asks for " + strings.ToLower(g.Kind.Label())
		if g.NeighbourhoodCode != "" {
			detail += " in " + g.NeighbourhoodCode
		}
		return s.db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: placeID, Action: linkwork.AuditRequestCreate, RecordType: "group_request",
			RecordID: idString(id), Detail: detail})
	})
}

// hasProblem reports whether ps has a problem with the field.
func hasProblem(ps linkwork.Problems, field string) bool {
	for _, e := range ps {
		if e.Field == field {
			return true
		}
	}
	return false
}

// FindRequest returns one request, or ENOTFOUND.
func (s *GroupPortalService) FindRequest(ctx context.Context, id int64) (*linkwork.GroupRequest, error) {
	return s.db.findRequest(ctx, s.db.read(), id, false)
}

// ListRequests returns a page of a place's requests, newest first, and how many match.
// OrganisationIDs, Statuses and Kinds narrow it when given.
func (s *GroupPortalService) ListRequests(ctx context.Context, f linkwork.RequestFilter) ([]*linkwork.GroupRequest, int, error) {
	where, args := " WHERE r.place_id = ?", []any{f.PlaceID}
	if len(f.OrganisationIDs) > 0 {
		where, args = where+" AND r.organisation_id IN "+placeholders(len(f.OrganisationIDs)), append(args, anys(f.OrganisationIDs)...)
	}
	if len(f.Statuses) > 0 {
		where += " AND r.status IN " + placeholders(len(f.Statuses))
		for _, st := range f.Statuses {
			args = append(args, string(st))
		}
	}
	if len(f.Kinds) > 0 {
		where += " AND r.kind IN " + placeholders(len(f.Kinds))
		for _, k := range f.Kinds {
			args = append(args, string(k))
		}
	}
	c := s.db.read()
	var total int
	if err := c.queryRow(ctx, "SELECT COUNT(*) FROM group_requests r"+where, args, &total); err != nil {
		return nil, 0, err
	}
	if total == 0 {
		return []*linkwork.GroupRequest{}, 0, nil
	}
	p := f.Page.Normal()
	out, err := queryRequests(ctx, c, "SELECT "+requestColumns+requestFrom+where+" ORDER BY r.created_at DESC, r.id DESC LIMIT ? OFFSET ?",
		append(args, p.Size, p.Offset())...)
	return out, total, err
}

// openGroupRequests returns every open request of a place, newest first: what the
// landscape reads beside its gaps.
func openGroupRequests(ctx context.Context, c conn, placeID int64) ([]*linkwork.GroupRequest, error) {
	return queryRequests(ctx, c, "SELECT "+requestColumns+requestFrom+" WHERE r.place_id = ? AND r.status = 'open'"+
		" ORDER BY r.created_at DESC, r.id DESC", placeID)
}

// CloseRequest marks an open request met, with the place's response, or withdrawn, if it is
// still at version; a stale version is ECONFLICT. The audit event goes with it.
func (s *GroupPortalService) CloseRequest(ctx context.Context, id int64, version int, status linkwork.RequestStatus, response string) (*linkwork.GroupRequest, error) {
	response = strings.TrimSpace(response)
	var ps linkwork.Problems
	switch status {
	case linkwork.RequestMet:
		if response == "" {
			ps.Add(linkwork.FieldError("response", "Say how the request was met, so that the group knows what to expect."))
		}
	case linkwork.RequestWithdrawn:
		if response != "" {
			ps.Add(linkwork.FieldError("response", "Only a request marked met has a response: leave it empty when withdrawing."))
		}
	default:
		ps.Add(linkwork.FieldError("status", "Choose how the request is closed: met or withdrawn."))
	}
	if n := utf8.RuneCountInString(response); n > MaxRequestResponse {
		ps.Add(linkwork.FieldError("response", "The response must be %d characters or fewer (it has %d).", MaxRequestResponse, n))
	}
	if strings.ContainsRune(response, 0) {
		ps.Add(linkwork.FieldError("response", "The response contains a character that is not allowed."))
	}
	if err := ps.Err(); err != nil {
		return nil, err
	}
	var out *linkwork.GroupRequest
	err := s.db.tx(ctx, func(c conn) error {
		g, err := s.db.findRequest(ctx, c, id, true)
		if err != nil {
			return err
		}
		if g.Version != version {
			return staleRequest(g)
		}
		if g.Status != linkwork.RequestOpen {
			return linkwork.Errorf(linkwork.ECONFLICT, "This request is already %s: only an open request can be closed.",
				strings.ToLower(g.Status.Label()))
		}
		_, userName, err := actingUser(ctx, c)
		if err != nil {
			return err
		}
		res, err := c.exec(ctx, `UPDATE group_requests SET status = ?, response = ?, closed_at = ?, closed_by = ?, version = version + 1
			WHERE id = ? AND version = ?`, string(status), response, s.db.Now(), userName, id, version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return staleRequest(g)
		}
		if err := s.db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: g.PlaceID, Action: linkwork.AuditRequestClose, RecordType: "group_request",
			RecordID: idString(id), Detail: fmt.Sprintf("%s → %s", g.Status, status)}); err != nil {
			return err
		}
		out, err = s.db.findRequest(ctx, c, id, false)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// staleRequest is the conflict of a change made on an old version of a request.
func staleRequest(g *linkwork.GroupRequest) error {
	who := g.ClosedBy
	if who == "" {
		who = "Someone"
	}
	return linkwork.Errorf(linkwork.ECONFLICT, "%s changed this request after you opened it: it is now %s. "+
		"Reload the page to see the change, then try again if you need to.", who, strings.ToLower(g.Status.Label()))
}
