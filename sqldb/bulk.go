package sqldb

import (
	"context"
	"slices"
	"strconv"

	"linkwork"
)

// BulkInsertServices adds many services of one place in one transaction with multi-row
// INSERTs, indexed for search, for generated directories (benchmarks, load tests) and other
// data already checked. Each service is validated, and its organisation and terms must be
// the place's; but the postcodes of its locations are not looked up: their coordinates and
// LSOA are stored as given. One audit event records the load. Services get their IDs and
// UUIDs; locations get UUIDs but not IDs.
func (db *DB) BulkInsertServices(ctx context.Context, placeID int64, svcs []*linkwork.Service) error {
	var ps linkwork.Problems
	for i, s := range svcs {
		s.PlaceID = placeID
		if err := s.Validate(); err != nil {
			ps.Add(prefixed("services", i, err))
		}
	}
	if err := ps.Err(); err != nil {
		return err
	}
	return db.tx(ctx, func(c conn) error {
		orgs, err := namesByID(ctx, c, "SELECT id, name FROM organisations WHERE place_id = ?", placeID)
		if err != nil {
			return err
		}
		terms, err := namesByID(ctx, c, `SELECT tt.id, tt.name FROM taxonomy_terms tt JOIN taxonomies t ON t.id = tt.taxonomy_id
			WHERE t.place_id = ?`, placeID)
		if err != nil {
			return err
		}
		for i, s := range svcs {
			name, ok := orgs[s.OrganisationID]
			if !ok {
				ps.Add(linkwork.FieldError("services["+strconv.Itoa(i)+"].organisation_id", "Choose an organisation in this place."))
			}
			s.OrganisationName = name
			s.TermIDs = uniqueIDs(s.TermIDs)
			for _, id := range s.TermIDs {
				if _, ok := terms[id]; !ok {
					ps.Add(linkwork.FieldError("services["+strconv.Itoa(i)+"].term_ids", "There is no taxonomy term %d in this place.", id))
				}
			}
		}
		if err := ps.Err(); err != nil {
			return err
		}
		// Services first, a batch at a time, to learn their IDs by their UUIDs.
		const batch = 400 // 20 columns: 8,000 parameters
		now := db.Now()
		for start := 0; start < len(svcs); start += batch {
			part := svcs[start:min(len(svcs), start+batch)]
			rows := make([][]any, len(part))
			uuids := make([]any, len(part))
			byUUID := map[string]*linkwork.Service{}
			for i, s := range part {
				s.UUID, s.CreatedAt, s.UpdatedAt = linkwork.NewUUID(), now, now
				rows[i] = []any{s.UUID, placeID, s.OrganisationID, string(s.Kind), s.Name, s.Description, s.URL, s.Email, s.Phone,
					string(s.Status), s.MinAge, s.MaxAge, s.Eligibility, s.Free, s.Fees, s.Accessibility, joinList(s.Languages), "", now, now}
				uuids[i] = s.UUID
				byUUID[s.UUID] = s
			}
			if err := insertRows(ctx, c, `INSERT INTO services (uuid, place_id, organisation_id, kind, name, description, url, email,
				phone, status, min_age, max_age, eligibility, free, fees, accessibility, languages, verified_by, created_at, updated_at) VALUES `,
				"(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows, ""); err != nil {
				return err
			}
			got, err := c.query(ctx, "SELECT id, uuid FROM services WHERE uuid IN "+placeholders(len(uuids)), uuids...)
			if err != nil {
				return err
			}
			for got.Next() {
				var id int64
				var uuid string
				if err := got.Scan(&id, &uuid); err != nil {
					got.Close()
					return err
				}
				byUUID[uuid].ID = id
			}
			got.Close()
			if err := got.Err(); err != nil {
				return err
			}
		}
		if err := db.bulkServiceLists(ctx, c, svcs); err != nil {
			return err
		}
		docs := make([]searchDoc, len(svcs))
		for i, s := range svcs {
			names := make([]string, 0, len(s.TermIDs))
			for _, id := range slices.Sorted(slices.Values(s.TermIDs)) {
				names = append(names, terms[id])
			}
			docs[i] = newSearchDoc(s, names)
		}
		if err := db.indexNew(ctx, c, placeID, docs); err != nil {
			return err
		}
		return db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: placeID, Action: "service.bulk_insert", RecordType: "service",
			Detail: strconv.Itoa(len(svcs)) + " services"})
	})
}

// bulkServiceLists inserts what services list, for services just inserted.
func (db *DB) bulkServiceLists(ctx context.Context, c conn, svcs []*linkwork.Service) error {
	var terms, areas, schedules, locations, contacts, schemes [][]any
	for _, s := range svcs {
		for _, id := range s.TermIDs {
			terms = append(terms, []any{s.ID, id})
		}
		for i, a := range s.Areas {
			areas = append(areas, []any{s.ID, i, a})
		}
		for i, sc := range s.Schedules {
			o, _ := linkwork.ParseClock(sc.Opens)
			cl, _ := linkwork.ParseClock(sc.Closes)
			schedules = append(schedules, []any{s.ID, i, sc.Freq, sc.DayMask(), sc.Ordinal, o, cl, sc.Description})
		}
		for i := range s.Locations {
			l := &s.Locations[i]
			if l.UUID == "" {
				l.UUID = linkwork.NewUUID()
			}
			pc, err := linkwork.NormalisePostcode(l.Postcode)
			if err != nil {
				return prefixed("locations", i, err)
			}
			l.Postcode = pc
			locations = append(locations, []any{l.UUID, s.ID, i, l.Name, l.Address1, l.Address2, l.Town, l.Postcode, l.Lat, l.Lng, l.LSOA})
		}
		for i, ct := range s.Contacts {
			contacts = append(contacts, []any{s.ID, i, ct.Name, ct.Title, ct.Email, ct.Phone})
		}
		if sc := s.Scheme; sc != nil {
			refer := make([]string, len(sc.WhoCanRefer))
			for i, r := range sc.WhoCanRefer {
				refer[i] = string(r)
			}
			schemes = append(schemes, []any{s.ID, string(sc.Model), joinList(refer), sc.HowToRefer, sc.FundingSource, sc.StaffFTE,
				sc.CaseloadLimit, sc.WaitingWeeks, sc.ElectronicSystem, joinList(sc.AssessmentTools)})
		}
	}
	for _, ins := range []struct {
		head, row string
		rows      [][]any
	}{
		{"INSERT INTO service_terms (service_id, term_id) VALUES ", "(?, ?)", terms},
		{"INSERT INTO service_areas (service_id, position, name) VALUES ", "(?, ?, ?)", areas},
		{"INSERT INTO schedules (service_id, position, freq, days, ordinal, opens, closes, description) VALUES ",
			"(?, ?, ?, ?, ?, ?, ?, ?)", schedules},
		{"INSERT INTO locations (uuid, service_id, position, name, address_1, address_2, town, postcode, lat, lng, lsoa) VALUES ",
			"(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", locations},
		{"INSERT INTO contacts (service_id, position, name, title, email, phone) VALUES ", "(?, ?, ?, ?, ?, ?)", contacts},
		{`INSERT INTO connector_schemes (service_id, model, who_can_refer, how_to_refer, funding_source, staff_fte, caseload_limit,
			waiting_weeks, electronic_system, assessment_tools) VALUES `, "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", schemes},
	} {
		if err := insertRows(ctx, c, ins.head, ins.row, ins.rows, ""); err != nil {
			return err
		}
	}
	return nil
}

// namesByID runs a query for (id, name) rows with one argument.
func namesByID(ctx context.Context, c conn, query string, arg any) (map[int64]string, error) {
	rows, err := c.query(ctx, query, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		out[id] = name
	}
	return out, rows.Err()
}
