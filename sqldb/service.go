package sqldb

import (
	"context"
	"database/sql"
	"slices"
	"strings"

	"linkwork"
)

// ServiceService keeps the directory's services.
type ServiceService struct{ db *DB }

// NewServiceService returns the services of db.
func NewServiceService(db *DB) *ServiceService { return &ServiceService{db: db} }

var _ linkwork.ServiceService = (*ServiceService)(nil)

// joinList and splitList keep display-only lists in one text column.
func joinList(l []string) string { return strings.Join(l, "\n") }

func splitList(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, "\n")
}

// CreateService adds a service with everything it lists.
func (s *ServiceService) CreateService(ctx context.Context, svc *linkwork.Service) error {
	if err := svc.Validate(); err != nil {
		return err
	}
	return s.db.tx(ctx, func(c conn) error { return s.db.createService(ctx, c, svc) })
}

// createService adds a validated service in a transaction, with its audit event.
func (db *DB) createService(ctx context.Context, c conn, svc *linkwork.Service) error {
	if err := db.checkServiceRefs(ctx, c, svc); err != nil {
		return err
	}
	now := db.Now()
	svc.UUID, svc.CreatedAt, svc.UpdatedAt = linkwork.NewUUID(), now, now
	id, err := c.insert(ctx, `INSERT INTO services (uuid, place_id, organisation_id, kind, name, description, url, email, phone,
		status, min_age, max_age, eligibility, free, fees, accessibility, languages, verified_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?)`,
		svc.UUID, svc.PlaceID, svc.OrganisationID, string(svc.Kind), svc.Name, svc.Description, svc.URL, svc.Email, svc.Phone,
		string(svc.Status), svc.MinAge, svc.MaxAge, svc.Eligibility, svc.Free, svc.Fees, svc.Accessibility,
		joinList(svc.Languages), now, now)
	if err != nil {
		return err
	}
	svc.ID = id
	if err := db.writeServiceLists(ctx, c, svc); err != nil {
		return err
	}
	if err := db.indexService(ctx, c, svc); err != nil {
		return err
	}
	return db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: svc.PlaceID, Action: "service.create", RecordType: "service",
		RecordID: idString(id), Detail: svc.Name})
}

// checkServiceRefs checks that what a service refers to is in its place: the organisation,
// the taxonomy terms, the postcodes of its locations (filling in their coordinates).
func (db *DB) checkServiceRefs(ctx context.Context, c conn, svc *linkwork.Service) error {
	var ps linkwork.Problems
	org, err := db.findOrganisation(ctx, c, svc.OrganisationID)
	if err != nil || org.PlaceID != svc.PlaceID {
		ps.Add(linkwork.FieldError("organisation_id", "Choose an organisation in this place."))
	} else {
		svc.OrganisationName = org.Name
	}
	svc.TermIDs = uniqueIDs(svc.TermIDs)
	for _, id := range svc.TermIDs {
		var n int
		if err := c.queryRow(ctx, `SELECT COUNT(*) FROM taxonomy_terms tt JOIN taxonomies t ON t.id = tt.taxonomy_id
			WHERE tt.id = ? AND t.place_id = ?`, []any{id, svc.PlaceID}, &n); err != nil {
			return err
		}
		if n == 0 {
			ps.Add(linkwork.FieldError("term_ids", "There is no taxonomy term %d in this place.", id))
		}
	}
	for i := range svc.Locations {
		if err := db.locate(ctx, c, &svc.Locations[i]); err != nil {
			ps.Add(prefixed("locations", i, err))
		}
	}
	return ps.Err()
}

func prefixed(list string, i int, err error) error {
	var ps linkwork.Problems
	for _, e := range linkwork.FieldErrors(err) {
		ps = append(ps, &linkwork.Error{Code: e.Code, Field: list + "[" + idString(int64(i)) + "]." + e.Field, Message: e.Message})
	}
	if len(ps) == 0 {
		return err
	}
	return ps.Err()
}

func uniqueIDs(ids []int64) []int64 {
	out := []int64{}
	seen := map[int64]bool{}
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// locate normalises a location's postcode and, from the postcode lookup, sets its
// coordinates and neighbourhood. The lookup's coordinates (the postcode's centre) win over
// any given, so that a location whose postcode changes cannot keep the old place on the map;
// coordinates given for a postcode the lookup lacks are kept. When no postcodes have been
// imported at all the location is kept as it is, to be listed as a data quality problem.
func (db *DB) locate(ctx context.Context, c conn, l *linkwork.Location) error {
	pc, err := linkwork.NormalisePostcode(l.Postcode)
	if err != nil {
		return err
	}
	l.Postcode = pc
	var lat, lng sql.NullFloat64
	var lsoa sql.NullString
	var terminated sql.NullTime
	err = c.queryRow(ctx, "SELECT lat, lng, lsoa, terminated_on FROM postcodes WHERE postcode = ?", []any{pc}, &lat, &lng, &lsoa, &terminated)
	switch {
	case err == sql.ErrNoRows:
		var any int
		if err := c.queryRow(ctx, "SELECT COUNT(*) FROM (SELECT 1 FROM postcodes LIMIT 1) p", nil, &any); err != nil {
			return err
		}
		if any > 0 {
			e := linkwork.UnknownPostcodeError(pc)
			e.Code = linkwork.EINVALID
			return e
		}
		l.LSOA = ""
		return nil
	case err != nil:
		return err
	case terminated.Valid:
		t := terminated.Time.UTC()
		return linkwork.TerminatedError(&linkwork.PostcodeInfo{Postcode: pc, Terminated: &t})
	}
	if lat.Valid && lng.Valid {
		la, ln := lat.Float64, lng.Float64
		l.Lat, l.Lng = &la, &ln
	}
	l.LSOA = lsoa.String
	return nil
}

// writeServiceLists replaces everything a service lists. Locations keep their identifiers
// across edits, because Open Referral UK consumers know them by their UUID: a location that
// names one of the service's own UUIDs keeps it, and one without takes the UUID of the
// location that was in its position.
func (db *DB) writeServiceLists(ctx context.Context, c conn, svc *linkwork.Service) error {
	kept, err := c.queryStrings(ctx, "SELECT uuid FROM locations WHERE service_id = ? ORDER BY position", svc.ID) // by position
	if err != nil {
		return err
	}
	used := map[string]bool{}
	for i := range svc.Locations {
		l := &svc.Locations[i]
		if l.UUID != "" && (!slices.Contains(kept, l.UUID) || used[l.UUID]) {
			l.UUID = "" // not one of this service's: it cannot be taken over
		}
		if l.UUID != "" {
			used[l.UUID] = true
		}
	}
	for i := range svc.Locations {
		l := &svc.Locations[i]
		if l.UUID == "" && i < len(kept) && !used[kept[i]] {
			l.UUID = kept[i]
			used[l.UUID] = true
		}
	}
	for _, table := range []string{"service_terms", "service_areas", "schedules", "locations", "contacts", "connector_schemes"} {
		if _, err := c.exec(ctx, "DELETE FROM "+table+" WHERE service_id = ?", svc.ID); err != nil {
			return err
		}
	}
	for _, id := range svc.TermIDs {
		if _, err := c.exec(ctx, "INSERT INTO service_terms (service_id, term_id) VALUES (?, ?)", svc.ID, id); err != nil {
			return err
		}
	}
	for i, a := range svc.Areas {
		if _, err := c.exec(ctx, "INSERT INTO service_areas (service_id, position, name) VALUES (?, ?, ?)", svc.ID, i, a); err != nil {
			return err
		}
	}
	for i, sc := range svc.Schedules {
		o, _ := linkwork.ParseClock(sc.Opens)
		cl, _ := linkwork.ParseClock(sc.Closes)
		if _, err := c.exec(ctx, `INSERT INTO schedules (service_id, position, freq, days, ordinal, opens, closes, description)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, svc.ID, i, sc.Freq, sc.DayMask(), sc.Ordinal, o, cl, sc.Description); err != nil {
			return err
		}
	}
	for i := range svc.Locations {
		l := &svc.Locations[i]
		if l.UUID == "" {
			l.UUID = linkwork.NewUUID()
		}
		id, err := c.insert(ctx, `INSERT INTO locations (uuid, service_id, position, name, address_1, address_2, town, postcode, lat, lng, lsoa)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, l.UUID, svc.ID, i, l.Name, l.Address1, l.Address2, l.Town, l.Postcode, l.Lat, l.Lng, l.LSOA)
		if err != nil {
			return err
		}
		l.ID = id
	}
	for i, ct := range svc.Contacts {
		if _, err := c.exec(ctx, "INSERT INTO contacts (service_id, position, name, title, email, phone) VALUES (?, ?, ?, ?, ?, ?)",
			svc.ID, i, ct.Name, ct.Title, ct.Email, ct.Phone); err != nil {
			return err
		}
	}
	if sc := svc.Scheme; sc != nil {
		refer := make([]string, len(sc.WhoCanRefer))
		for i, r := range sc.WhoCanRefer {
			refer[i] = string(r)
		}
		if _, err := c.exec(ctx, `INSERT INTO connector_schemes (service_id, model, who_can_refer, how_to_refer, funding_source,
			staff_fte, caseload_limit, waiting_weeks, electronic_system, assessment_tools) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			svc.ID, string(sc.Model), joinList(refer), sc.HowToRefer, sc.FundingSource, sc.StaffFTE, sc.CaseloadLimit,
			sc.WaitingWeeks, sc.ElectronicSystem, joinList(sc.AssessmentTools)); err != nil {
			return err
		}
	}
	return nil
}

// UpdateService replaces a service's details and lists. Its place, kind and identifiers
// stay as they were.
func (s *ServiceService) UpdateService(ctx context.Context, svc *linkwork.Service) error {
	return s.db.tx(ctx, func(c conn) error { return s.db.updateService(ctx, c, svc) })
}

// updateService replaces a service's details and lists in a transaction, with its audit
// event.
func (db *DB) updateService(ctx context.Context, c conn, svc *linkwork.Service) error {
	old, err := db.findService(ctx, c, svc.ID)
	if err != nil {
		return err
	}
	svc.PlaceID, svc.Kind, svc.UUID, svc.CreatedAt = old.PlaceID, old.Kind, old.UUID, old.CreatedAt
	if err := svc.Validate(); err != nil {
		return err
	}
	if err := db.checkServiceRefs(ctx, c, svc); err != nil {
		return err
	}
	svc.UpdatedAt = db.Now()
	if _, err := c.exec(ctx, `UPDATE services SET organisation_id = ?, name = ?, description = ?, url = ?, email = ?, phone = ?,
		status = ?, min_age = ?, max_age = ?, eligibility = ?, free = ?, fees = ?, accessibility = ?, languages = ?, updated_at = ?
		WHERE id = ?`, svc.OrganisationID, svc.Name, svc.Description, svc.URL, svc.Email, svc.Phone, string(svc.Status),
		svc.MinAge, svc.MaxAge, svc.Eligibility, svc.Free, svc.Fees, svc.Accessibility, joinList(svc.Languages), svc.UpdatedAt,
		svc.ID); err != nil {
		return err
	}
	if err := db.writeServiceLists(ctx, c, svc); err != nil {
		return err
	}
	if err := db.indexService(ctx, c, svc); err != nil {
		return err
	}
	if svc.Kind == linkwork.KindScheme && svc.Name != old.Name {
		if err := db.refreshPractitionerSearch(ctx, c, "pr.scheme_id = ?", svc.ID); err != nil {
			return err
		}
	}
	return db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: svc.PlaceID, Action: "service.update", RecordType: "service",
		RecordID: idString(svc.ID), Detail: svc.Name})
}

// VerifyService records that the signed-in person checked the entry.
func (s *ServiceService) VerifyService(ctx context.Context, id int64) error {
	a := linkwork.ActorFromContext(ctx)
	return s.db.tx(ctx, func(c conn) error {
		var placeID int64
		err := c.queryRow(ctx, "UPDATE services SET last_verified_at = ?, verified_by = ? WHERE id = ? RETURNING place_id",
			[]any{s.db.Now(), a.Label, id}, &placeID)
		if err != nil {
			return notFound(err, "Service")
		}
		return s.db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: placeID, Action: "service.verify", RecordType: "service", RecordID: idString(id)})
	})
}

const serviceColumns = `s.id, s.uuid, s.place_id, s.organisation_id, o.name, s.kind, s.name, s.description, s.url, s.email, s.phone,
	s.status, s.min_age, s.max_age, s.eligibility, s.free, s.fees, s.accessibility, s.languages, s.last_verified_at, s.verified_by,
	s.created_at, s.updated_at`

func scanService(scan func(...any) error) (*linkwork.Service, error) {
	svc := &linkwork.Service{}
	var kind, status, langs string
	var minAge, maxAge sql.NullInt64
	var verified sql.NullTime
	if err := scan(&svc.ID, &svc.UUID, &svc.PlaceID, &svc.OrganisationID, &svc.OrganisationName, &kind, &svc.Name, &svc.Description,
		&svc.URL, &svc.Email, &svc.Phone, &status, &minAge, &maxAge, &svc.Eligibility, &svc.Free, &svc.Fees, &svc.Accessibility,
		&langs, &verified, &svc.VerifiedBy, &svc.CreatedAt, &svc.UpdatedAt); err != nil {
		return nil, err
	}
	svc.Kind, svc.Status, svc.Languages = linkwork.ServiceKind(kind), linkwork.ServiceStatus(status), splitList(langs)
	if minAge.Valid {
		v := int(minAge.Int64)
		svc.MinAge = &v
	}
	if maxAge.Valid {
		v := int(maxAge.Int64)
		svc.MaxAge = &v
	}
	svc.LastVerifiedAt = timePtr(verified)
	svc.CreatedAt, svc.UpdatedAt = svc.CreatedAt.UTC(), svc.UpdatedAt.UTC()
	return svc, nil
}

func (db *DB) findService(ctx context.Context, c conn, id int64) (*linkwork.Service, error) {
	svc, err := scanService(func(dest ...any) error {
		return c.queryRow(ctx, "SELECT "+serviceColumns+" FROM services s JOIN organisations o ON o.id = s.organisation_id WHERE s.id = ?",
			[]any{id}, dest...)
	})
	if err != nil {
		return nil, notFound(err, "Service")
	}
	return svc, db.loadServiceLists(ctx, c, []*linkwork.Service{svc})
}

// FindServiceByID returns a service with everything it lists, or ENOTFOUND.
func (s *ServiceService) FindServiceByID(ctx context.Context, id int64) (*linkwork.Service, error) {
	return s.db.findService(ctx, s.db.read(), id)
}

// loadServiceLists fills in the lists of some services, a query per list for all of them.
func (db *DB) loadServiceLists(ctx context.Context, c conn, svcs []*linkwork.Service) error {
	if len(svcs) == 0 {
		return nil
	}
	byID := map[int64]*linkwork.Service{}
	args := make([]any, len(svcs))
	for i, s := range svcs {
		byID[s.ID] = s
		args[i] = s.ID
		s.TermIDs, s.Terms, s.Areas, s.Schedules, s.Locations, s.Contacts = []int64{}, []linkwork.TaxonomyTerm{}, []string{},
			[]linkwork.Schedule{}, []linkwork.Location{}, []linkwork.Contact{}
	}
	in := "(?" + strings.Repeat(", ?", len(svcs)-1) + ")"
	err := c.eachRow(ctx, `SELECT st.service_id, tt.id, tt.uuid, tt.taxonomy_id, t.code, tt.code, tt.name, tt.description
		FROM service_terms st JOIN taxonomy_terms tt ON tt.id = st.term_id JOIN taxonomies t ON t.id = tt.taxonomy_id
		WHERE st.service_id IN `+in+` ORDER BY st.service_id, t.id, tt.id`, args, func(scan func(...any) error) error {
		var sid int64
		var t linkwork.TaxonomyTerm
		if err := scan(&sid, &t.ID, &t.UUID, &t.TaxonomyID, &t.TaxonomyCode, &t.Code, &t.Name, &t.Description); err != nil {
			return err
		}
		byID[sid].Terms, byID[sid].TermIDs = append(byID[sid].Terms, t), append(byID[sid].TermIDs, t.ID)
		return nil
	})
	if err != nil {
		return err
	}
	err = c.eachRow(ctx, "SELECT service_id, name FROM service_areas WHERE service_id IN "+in+" ORDER BY service_id, position", args, func(scan func(...any) error) error {
		var sid int64
		var name string
		if err := scan(&sid, &name); err != nil {
			return err
		}
		byID[sid].Areas = append(byID[sid].Areas, name)
		return nil
	})
	if err != nil {
		return err
	}
	err = c.eachRow(ctx, "SELECT service_id, freq, days, ordinal, opens, closes, description FROM schedules WHERE service_id IN "+in+
		" ORDER BY service_id, position", args, func(scan func(...any) error) error {
		var sid int64
		var sc linkwork.Schedule
		var days, opens, closes int
		if err := scan(&sid, &sc.Freq, &days, &sc.Ordinal, &opens, &closes, &sc.Description); err != nil {
			return err
		}
		sc.Days, sc.Opens, sc.Closes = linkwork.DaysFromMask(days), linkwork.FormatClock(opens), linkwork.FormatClock(closes)
		byID[sid].Schedules = append(byID[sid].Schedules, sc)
		return nil
	})
	if err != nil {
		return err
	}
	err = c.eachRow(ctx, "SELECT service_id, id, uuid, name, address_1, address_2, town, postcode, lat, lng, lsoa FROM locations WHERE service_id IN "+in+
		" ORDER BY service_id, position", args, func(scan func(...any) error) error {
		var sid int64
		var l linkwork.Location
		var lat, lng sql.NullFloat64
		if err := scan(&sid, &l.ID, &l.UUID, &l.Name, &l.Address1, &l.Address2, &l.Town, &l.Postcode, &lat, &lng, &l.LSOA); err != nil {
			return err
		}
		if lat.Valid && lng.Valid {
			la, ln := lat.Float64, lng.Float64
			l.Lat, l.Lng = &la, &ln
		}
		byID[sid].Locations = append(byID[sid].Locations, l)
		return nil
	})
	if err != nil {
		return err
	}
	err = c.eachRow(ctx, "SELECT service_id, name, title, email, phone FROM contacts WHERE service_id IN "+in+" ORDER BY service_id, position", args,
		func(scan func(...any) error) error {
			var sid int64
			var ct linkwork.Contact
			if err := scan(&sid, &ct.Name, &ct.Title, &ct.Email, &ct.Phone); err != nil {
				return err
			}
			byID[sid].Contacts = append(byID[sid].Contacts, ct)
			return nil
		})
	if err != nil {
		return err
	}
	return c.eachRow(ctx, `SELECT service_id, model, who_can_refer, how_to_refer, funding_source, staff_fte, caseload_limit, waiting_weeks,
		electronic_system, assessment_tools FROM connector_schemes WHERE service_id IN `+in, args, func(scan func(...any) error) error {
		var sid int64
		var sc linkwork.ConnectorScheme
		var model, refer, tools string
		if err := scan(&sid, &model, &refer, &sc.HowToRefer, &sc.FundingSource, &sc.StaffFTE, &sc.CaseloadLimit,
			&sc.WaitingWeeks, &sc.ElectronicSystem, &tools); err != nil {
			return err
		}
		sc.Model, sc.AssessmentTools, sc.WhoCanRefer = linkwork.SchemeModel(model), splitList(tools), []linkwork.ReferrerType{}
		for _, r := range splitList(refer) {
			sc.WhoCanRefer = append(sc.WhoCanRefer, linkwork.ReferrerType(r))
		}
		byID[sid].Scheme = &sc
		return nil
	})
}

// ListServices returns a page of a place's services by name, with their lists, and the
// number that match.
func (s *ServiceService) ListServices(ctx context.Context, f linkwork.ServiceFilter) ([]*linkwork.Service, int, error) {
	where, args := " WHERE s.place_id = ?", []any{f.PlaceID}
	if len(f.OrganisationIDs) > 0 {
		where += " AND s.organisation_id IN (?" + strings.Repeat(", ?", len(f.OrganisationIDs)-1) + ")"
		for _, id := range f.OrganisationIDs {
			args = append(args, id)
		}
	}
	if f.Kind != "" {
		where, args = where+" AND s.kind = ?", append(args, string(f.Kind))
	}
	if !f.VerifiedBefore.IsZero() {
		where, args = where+" AND (s.last_verified_at IS NULL OR s.last_verified_at < ?) AND s.status <> 'defunct'",
			append(args, f.VerifiedBefore.UTC())
	}
	c := s.db.read()
	var total int
	if err := c.queryRow(ctx, "SELECT COUNT(*) FROM services s"+where, args, &total); err != nil {
		return nil, 0, err
	}
	p := f.Page.Normal()
	order := " ORDER BY lower(s.name), s.id"
	if !f.VerifiedBefore.IsZero() {
		order = " ORDER BY s.last_verified_at IS NOT NULL, s.last_verified_at, lower(s.name), s.id"
	}
	rows, err := c.query(ctx, "SELECT "+serviceColumns+" FROM services s JOIN organisations o ON o.id = s.organisation_id"+where+
		order+" LIMIT ? OFFSET ?", append(args, p.Size, p.Offset())...)
	if err != nil {
		return nil, 0, err
	}
	var out []*linkwork.Service
	for rows.Next() {
		svc, err := scanService(rows.Scan)
		if err != nil {
			rows.Close()
			return nil, 0, err
		}
		out = append(out, svc)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	return out, total, s.db.loadServiceLists(ctx, c, out)
}
