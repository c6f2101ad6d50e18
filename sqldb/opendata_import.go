package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"time"

	"linkwork"
)

// An import works in chunks of records: it reads what a chunk refers to (the services it
// updates, its postcodes, its locations' ids, its terms) in one query each, checks every
// record in Go, and writes the chunk's new services and their lists with one multi-row
// INSERT each, under a savepoint. If that write fails, the chunk is written again a record at
// a time, each under its own savepoint, so that one bad record never takes the others with
// it. A transaction holds importCommitEvery records (without AllOrNothing) or all of them.
const (
	importChunk       = 100
	importCommitEvery = 500
)

// errRollBack undoes an all-or-nothing import in which a record failed.
var errRollBack = errors.New("a record failed: roll back")

// ImportServices adds or updates every service items yields; see linkwork.OpenDataService.
// One audit event records each committed part.
func (s *OpenDataService) ImportServices(ctx context.Context, placeID int64, items iter.Seq[*linkwork.ServiceImport],
	opts linkwork.ImportOptions, report func(*linkwork.ServiceImport)) (linkwork.ServiceImportSummary, error) {
	var sum linkwork.ServiceImportSummary
	var n int
	if err := s.db.read().queryRow(ctx, "SELECT COUNT(*) FROM places WHERE id = ?", []any{placeID}, &n); err != nil {
		return sum, err
	}
	if n == 0 {
		return sum, linkwork.Errorf(linkwork.ENOTFOUND, "Place not found.")
	}
	imp := &importer{db: s.db, placeID: placeID, postcodes: map[string]*postcodeRow{},
		orgs: orgCache{byUUID: map[string]*linkwork.Organisation{}, byName: map[string]*linkwork.Organisation{}}}
	if err := s.db.read().queryRow(ctx, "SELECT COUNT(*) FROM (SELECT 1 FROM postcodes LIMIT 1) p", nil, &n); err != nil {
		return sum, err
	}
	imp.anyPostcodes = n > 0
	next, stop := iter.Pull(items)
	defer stop()
	var carry *linkwork.ServiceImport // a record held over to the next chunk
	pull := func() (*linkwork.ServiceImport, bool) {
		if it := carry; it != nil {
			carry = nil
			return it, true
		}
		return next()
	}
	for done := false; !done; {
		var part linkwork.ServiceImportSummary
		err := s.db.tx(ctx, func(c conn) error {
			for n := 0; opts.AllOrNothing || n < importCommitEvery; {
				// A chunk never holds one service twice: the second must see the first's write.
				var chunk []*linkwork.ServiceImport
				seen := map[string]bool{}
				for len(chunk) < importChunk {
					it, ok := pull()
					if !ok {
						done = true
						break
					}
					if u := it.Service.UUID; it.Err == nil && u != "" {
						if seen[u] {
							carry = it
							break
						}
						seen[u] = true
					}
					chunk = append(chunk, it)
				}
				if err := imp.chunk(ctx, c, chunk); err != nil {
					return err
				}
				for _, it := range chunk {
					switch it.Outcome {
					case linkwork.ImportAdded:
						part.Added++
					case linkwork.ImportUpdated:
						part.Updated++
					case linkwork.ImportUnchanged:
						part.Unchanged++
					default:
						part.Failed++
					}
					if it.OrganisationAdded {
						part.OrganisationsAdded++
					}
					if report != nil {
						report(it)
					}
				}
				if n += len(chunk); done {
					break
				}
			}
			if opts.AllOrNothing && part.Failed > 0 {
				return errRollBack
			}
			if part.Added+part.Updated+part.OrganisationsAdded == 0 {
				return nil
			}
			return s.db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: placeID, Action: linkwork.AuditServicesImport,
				RecordType: "service", Detail: fmt.Sprintf("%d added, %d updated, %d unchanged, %d failed; %d organisations added",
					part.Added, part.Updated, part.Unchanged, part.Failed, part.OrganisationsAdded)})
		})
		if errors.Is(err, errRollBack) {
			sum.Failed += part.Failed
			sum.RolledBack = true
			return sum, nil
		}
		if err != nil {
			return sum, err
		}
		sum.Add(part.ImportCounts)
		sum.Failed += part.Failed
		sum.OrganisationsAdded += part.OrganisationsAdded
	}
	return sum, nil
}

// importer is one import's state: the place, and what it has looked up already.
type importer struct {
	db           *DB
	placeID      int64
	orgs         orgCache
	postcodes    map[string]*postcodeRow // nil for a postcode the lookup does not have
	anyPostcodes bool                    // whether any postcodes have been imported at all
}

// orgCache remembers the organisations an import has matched or added, by UUID and by name.
type orgCache struct {
	byUUID, byName map[string]*linkwork.Organisation
}

func (oc *orgCache) put(o *linkwork.Organisation, alsoUUID string) {
	oc.byUUID[o.UUID] = o
	if alsoUUID != "" {
		oc.byUUID[alsoUUID] = o
	}
	oc.byName[strings.ToLower(o.Name)] = o
}

type postcodeRow struct {
	lat, lng   sql.NullFloat64
	lsoa       string
	terminated bool
}

// pending is a record of a chunk on its way to being written.
type pending struct {
	it  *linkwork.ServiceImport
	old *linkwork.Service // the service it updates, or nil
}

// fail marks a record refused.
func fail(it *linkwork.ServiceImport, err error) {
	it.Outcome, it.Err = linkwork.ImportFailed, err
}

// chunk imports a chunk of records, setting each one's outcome.
func (imp *importer) chunk(ctx context.Context, c conn, items []*linkwork.ServiceImport) error {
	var live []*pending
	var uuids []string
	for _, it := range items {
		if it.Err != nil {
			it.Outcome = linkwork.ImportFailed
			continue
		}
		live = append(live, &pending{it: it})
		if it.Service.UUID != "" {
			uuids = append(uuids, it.Service.UUID)
		}
	}
	if len(live) == 0 {
		return nil
	}
	existing, err := imp.existing(ctx, c, uuids)
	if err != nil {
		return err
	}
	// Check each record as the store would, keeping what a record leaves out.
	var pcs []string
	var termIDs []int64
	kept := live[:0]
	for _, p := range live {
		svc := &p.it.Service
		svc.PlaceID = imp.placeID
		if old := existing[svc.UUID]; old != nil {
			if old.PlaceID != imp.placeID {
				fail(p.it, linkwork.FieldError("id", "A service with the id %s is in another place in this linkwork, so it was not changed.", svc.UUID))
				continue
			}
			p.old = old
			svc.ID, svc.Kind, svc.Scheme, svc.CreatedAt = old.ID, old.Kind, old.Scheme, old.CreatedAt
			keepParts(svc, old, p.it.Gives)
			if svc.LastVerifiedAt == nil || old.LastVerifiedAt != nil && !svc.LastVerifiedAt.After(*old.LastVerifiedAt) {
				svc.LastVerifiedAt, svc.VerifiedBy = old.LastVerifiedAt, old.VerifiedBy
			}
		} else {
			svc.ID, svc.Kind, svc.Scheme = 0, linkwork.KindActivity, nil
			if svc.UUID == "" {
				svc.UUID = linkwork.NewUUID()
			}
		}
		svc.OrganisationID = 1 // checked below; Validate asks only that there is one
		if err := svc.Validate(); err != nil {
			fail(p.it, err)
			continue
		}
		svc.TermIDs = uniqueIDs(svc.TermIDs)
		termIDs = append(termIDs, svc.TermIDs...)
		for _, l := range svc.Locations {
			if pc, err := linkwork.NormalisePostcode(l.Postcode); err == nil {
				pcs = append(pcs, pc)
			}
		}
		kept = append(kept, p)
	}
	live = kept
	if err := imp.fetchPostcodes(ctx, c, pcs); err != nil {
		return err
	}
	termNames, err := imp.terms(ctx, c, termIDs)
	if err != nil {
		return err
	}
	var locUUIDs []string
	for _, p := range live {
		svc := &p.it.Service
		for _, id := range svc.TermIDs {
			if _, ok := termNames[id]; !ok {
				fail(p.it, linkwork.FieldError("term_ids", "There is no taxonomy term %d in this place.", id))
			}
		}
		locs := svc.Locations[:0]
		for _, l := range svc.Locations {
			if err := imp.locate(&l); err != nil {
				p.it.Warnings = append(p.it.Warnings, fmt.Sprintf("location %q left out: %s", l.Address1, linkwork.ErrorMessage(err)))
				continue
			}
			locs = append(locs, l)
			locUUIDs = append(locUUIDs, l.UUID)
		}
		svc.Locations = locs
	}
	// A location keeps its id unless another service's location has it.
	owners, err := imp.locationOwners(ctx, c, locUUIDs)
	if err != nil {
		return err
	}
	taken := map[string]bool{}
	for _, p := range live {
		svc := &p.it.Service
		for i := range svc.Locations {
			l := &svc.Locations[i]
			owner, ok := owners[l.UUID]
			if ok && (p.old == nil || owner != p.old.ID) || taken[l.UUID] {
				p.it.Warnings = append(p.it.Warnings, fmt.Sprintf("location %q: its id %s is another service's location, so it was given a new id",
					l.Address1, l.UUID))
				l.UUID = linkwork.NewUUID()
			}
			taken[l.UUID] = true
		}
	}
	var write []*pending
	for _, p := range live {
		if p.it.Err != nil {
			continue
		}
		org, err := imp.organisation(ctx, c, p.it)
		if err != nil {
			if linkwork.ErrorCode(err) == linkwork.EINTERNAL {
				return err
			}
			fail(p.it, err)
			continue
		}
		svc := &p.it.Service
		svc.OrganisationID, svc.OrganisationName = org.ID, org.Name
		if p.old != nil && sameService(p.old, svc) {
			p.it.Outcome = linkwork.ImportUnchanged
			continue
		}
		write = append(write, p)
	}
	if len(write) == 0 {
		return nil
	}
	err = imp.savepoint(ctx, c, "import_chunk", func() error { return imp.write(ctx, c, write, termNames) })
	if err == nil {
		return nil
	}
	if linkwork.ErrorCode(err) == linkwork.EINTERNAL && ctx.Err() != nil {
		return err
	}
	// Something in the chunk was refused: write it a record at a time.
	for _, p := range write {
		err := imp.savepoint(ctx, c, "import_record", func() error { return imp.write(ctx, c, []*pending{p}, termNames) })
		switch {
		case err == nil:
		case linkwork.ErrorCode(err) == linkwork.EINTERNAL:
			return err
		default:
			fail(p.it, err)
		}
	}
	return nil
}

// savepoint runs fn under a savepoint, undoing what it wrote if it fails.
func (imp *importer) savepoint(ctx context.Context, c conn, name string, fn func() error) error {
	if _, err := c.exec(ctx, "SAVEPOINT "+name); err != nil {
		return err
	}
	if err := fn(); err != nil {
		if _, rerr := c.exec(ctx, "ROLLBACK TO SAVEPOINT "+name); rerr != nil {
			return rerr
		}
		if _, rerr := c.exec(ctx, "RELEASE SAVEPOINT "+name); rerr != nil {
			return rerr
		}
		return err
	}
	_, err := c.exec(ctx, "RELEASE SAVEPOINT "+name)
	return err
}

// existing returns the services with these UUIDs, with their lists, in any place.
func (imp *importer) existing(ctx context.Context, c conn, uuids []string) (map[string]*linkwork.Service, error) {
	out := map[string]*linkwork.Service{}
	if len(uuids) == 0 {
		return out, nil
	}
	rows, err := c.query(ctx, "SELECT "+serviceColumns+" FROM services s JOIN organisations o ON o.id = s.organisation_id WHERE s.uuid IN "+
		placeholders(len(uuids)), anys(uuids)...)
	if err != nil {
		return nil, err
	}
	var here []*linkwork.Service
	for rows.Next() {
		svc, err := scanService(rows.Scan)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out[svc.UUID] = svc
		if svc.PlaceID == imp.placeID {
			here = append(here, svc)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, imp.db.loadServiceLists(ctx, c, here)
}

// fetchPostcodes looks up the postcodes the import has not seen yet.
func (imp *importer) fetchPostcodes(ctx context.Context, c conn, pcs []string) error {
	var want []string
	for _, pc := range pcs {
		if _, ok := imp.postcodes[pc]; !ok && !slices.Contains(want, pc) {
			want = append(want, pc)
		}
	}
	if len(want) == 0 || !imp.anyPostcodes {
		return nil
	}
	for _, pc := range want {
		imp.postcodes[pc] = nil
	}
	rows, err := c.query(ctx, "SELECT postcode, lat, lng, lsoa, terminated_on FROM postcodes WHERE postcode IN "+placeholders(len(want)),
		anys(want)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var pc string
		var r postcodeRow
		var lsoa sql.NullString
		var terminated sql.NullTime
		if err := rows.Scan(&pc, &r.lat, &r.lng, &lsoa, &terminated); err != nil {
			return err
		}
		r.lsoa, r.terminated = lsoa.String, terminated.Valid
		imp.postcodes[pc] = &r
	}
	return rows.Err()
}

// locate places a location by its postcode, as the directory does when a service is saved:
// the postcode in its usual form, coordinates (unless given) and neighbourhood from the
// lookup; a postcode the lookup does not have, or that is no longer in use, is refused,
// unless no postcodes have been imported at all.
func (imp *importer) locate(l *linkwork.Location) error {
	pc, err := linkwork.NormalisePostcode(l.Postcode)
	if err != nil {
		return err
	}
	l.Postcode = pc
	r := imp.postcodes[pc]
	switch {
	case r == nil && imp.anyPostcodes:
		return linkwork.FieldError("postcode", "We do not know the postcode %s. Check it, or use a nearby one.", pc)
	case r == nil:
		return nil
	case r.terminated:
		return linkwork.FieldError("postcode", "The postcode %s is no longer in use. Use the current postcode for the address.", pc)
	}
	if l.Lat == nil && r.lat.Valid && r.lng.Valid {
		la, ln := r.lat.Float64, r.lng.Float64
		l.Lat, l.Lng = &la, &ln
	}
	l.LSOA = r.lsoa
	return nil
}

// terms returns the names of those of the terms that are in the place, by ID.
func (imp *importer) terms(ctx context.Context, c conn, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	ids = uniqueIDs(ids)
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := c.query(ctx, "SELECT tt.id, tt.name FROM taxonomy_terms tt JOIN taxonomies t ON t.id = tt.taxonomy_id WHERE t.place_id = ? AND tt.id IN "+
		placeholders(len(ids)), append([]any{imp.placeID}, anys(ids)...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
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

// locationOwners returns the service each of these location UUIDs belongs to.
func (imp *importer) locationOwners(ctx context.Context, c conn, uuids []string) (map[string]int64, error) {
	out := map[string]int64{}
	if len(uuids) == 0 {
		return out, nil
	}
	rows, err := c.query(ctx, "SELECT uuid, service_id FROM locations WHERE uuid IN "+placeholders(len(uuids)), anys(uuids)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var u string
		var id int64
		if err := rows.Scan(&u, &id); err != nil {
			return nil, err
		}
		out[u] = id
	}
	return out, rows.Err()
}

// organisation finds the organisation of a record in the place, by UUID and then by name, or
// adds it (under a savepoint of its own). One the file gives only by an unknown UUID, with no
// name, cannot be added.
func (imp *importer) organisation(ctx context.Context, c conn, it *linkwork.ServiceImport) (*linkwork.Organisation, error) {
	o := &it.Organisation
	o.Name = strings.TrimSpace(o.Name)
	if hit := imp.orgs.byUUID[o.UUID]; o.UUID != "" && hit != nil {
		return hit, nil
	}
	if hit := imp.orgs.byName[strings.ToLower(o.Name)]; o.Name != "" && hit != nil {
		imp.orgs.put(hit, o.UUID)
		return hit, nil
	}
	uuidFree := o.UUID != ""
	if o.UUID != "" {
		found, err := scanOrganisation(func(dest ...any) error {
			return c.queryRow(ctx, "SELECT "+organisationColumns+" FROM organisations WHERE uuid = ?", []any{o.UUID}, dest...)
		})
		switch {
		case err == nil && found.PlaceID == imp.placeID:
			imp.orgs.put(found, "")
			return found, nil
		case err == nil:
			uuidFree = false // another place's organisation: match by name, and never take its UUID
		case !errors.Is(err, sql.ErrNoRows):
			return nil, err
		}
	}
	if o.Name == "" {
		return nil, linkwork.FieldError("organization", "The organisation %s is not in this place and the record does not give its name.", o.UUID)
	}
	found, err := scanOrganisation(func(dest ...any) error {
		return c.queryRow(ctx, "SELECT "+organisationColumns+" FROM organisations WHERE place_id = ? AND lower(name) = lower(?)",
			[]any{imp.placeID, o.Name}, dest...)
	})
	if err == nil {
		imp.orgs.put(found, o.UUID)
		return found, nil
	} else if !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	add := &linkwork.Organisation{PlaceID: imp.placeID, Name: o.Name, Sector: o.Sector}
	if !add.Sector.Valid() {
		add.Sector = linkwork.SectorOther
	}
	if err := add.Validate(); err != nil {
		var ps linkwork.Problems
		for _, e := range linkwork.FieldErrors(err) {
			ps = append(ps, &linkwork.Error{Code: e.Code, Field: "organization." + e.Field, Message: e.Message})
		}
		return nil, ps.Err()
	}
	add.UUID = o.UUID
	if !uuidFree {
		add.UUID = linkwork.NewUUID()
	}
	add.CreatedAt = imp.db.Now()
	add.UpdatedAt = add.CreatedAt
	// As createOrganisation, but with the file's UUID from the start.
	err = imp.savepoint(ctx, c, "import_organisation", func() error {
		id, err := c.insert(ctx, "INSERT INTO organisations (uuid, place_id, name, sector, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
			add.UUID, add.PlaceID, add.Name, string(add.Sector), add.CreatedAt, add.UpdatedAt)
		if linkwork.ErrorCode(err) == linkwork.ECONFLICT {
			return linkwork.FieldError("organization.name", "There is already an organisation called %q in this place.", add.Name)
		}
		if err != nil {
			return err
		}
		add.ID = id
		return imp.db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: add.PlaceID, Action: linkwork.AuditOrgCreate,
			RecordType: "organisation", RecordID: idString(id), Detail: add.Name + " (" + string(add.Sector) + ")"})
	})
	if err != nil {
		return nil, err
	}
	it.OrganisationAdded = true
	imp.orgs.put(add, o.UUID)
	return add, nil
}

// write stores records: new services with one INSERT for the lot and one for each of their
// lists, changed ones one at a time; and brings the search index up to date.
func (imp *importer) write(ctx context.Context, c conn, ps []*pending, termNames map[int64]string) error {
	now := imp.db.Now()
	var added []*linkwork.Service
	for _, p := range ps {
		svc := &p.it.Service
		svc.UpdatedAt = now
		if p.old == nil {
			svc.CreatedAt = now
			added = append(added, svc)
			continue
		}
		if _, err := c.exec(ctx, `UPDATE services SET organisation_id = ?, name = ?, description = ?, url = ?, email = ?, phone = ?,
			status = ?, min_age = ?, max_age = ?, eligibility = ?, free = ?, fees = ?, accessibility = ?, languages = ?,
			last_verified_at = ?, verified_by = ?, updated_at = ? WHERE id = ?`,
			svc.OrganisationID, svc.Name, svc.Description, svc.URL, svc.Email, svc.Phone, string(svc.Status), svc.MinAge, svc.MaxAge,
			svc.Eligibility, svc.Free, svc.Fees, svc.Accessibility, joinList(svc.Languages), svc.LastVerifiedAt, svc.VerifiedBy,
			now, svc.ID); err != nil {
			return err
		}
		if err := imp.db.writeServiceLists(ctx, c, svc); err != nil {
			return err
		}
		if err := imp.db.indexService(ctx, c, svc); err != nil {
			return err
		}
	}
	if len(added) > 0 {
		if err := imp.insert(ctx, c, added, termNames); err != nil {
			return err
		}
	}
	for _, p := range ps {
		p.it.Outcome = linkwork.ImportUpdated
		if p.old == nil {
			p.it.Outcome = linkwork.ImportAdded
		}
	}
	return nil
}

// insert adds new services with their lists and search documents.
func (imp *importer) insert(ctx context.Context, c conn, svcs []*linkwork.Service, termNames map[int64]string) error {
	const cols = `INSERT INTO services (uuid, place_id, organisation_id, kind, name, description, url, email, phone, status, min_age,
		max_age, eligibility, free, fees, accessibility, languages, last_verified_at, verified_by, created_at, updated_at) VALUES `
	const row = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
	values := func(svc *linkwork.Service) []any {
		return []any{svc.UUID, svc.PlaceID, svc.OrganisationID, string(svc.Kind), svc.Name, svc.Description, svc.URL, svc.Email,
			svc.Phone, string(svc.Status), svc.MinAge, svc.MaxAge, svc.Eligibility, svc.Free, svc.Fees, svc.Accessibility,
			joinList(svc.Languages), svc.LastVerifiedAt, svc.VerifiedBy, svc.CreatedAt, svc.UpdatedAt}
	}
	byUUID := map[string]*linkwork.Service{}
	var b strings.Builder
	b.WriteString(cols)
	var args []any
	for i, svc := range svcs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
		args = append(args, values(svc)...)
		byUUID[svc.UUID] = svc
	}
	// The order of the rows RETURNING gives is not promised: match them by UUID.
	b.WriteString(" RETURNING id, uuid")
	if err := c.eachRow(ctx, b.String(), args, func(scan func(...any) error) error {
		var id int64
		var u string
		if err := scan(&id, &u); err != nil {
			return err
		}
		byUUID[u].ID = id
		return nil
	}); err != nil {
		return err
	}
	var terms, areas, schedules, locations, contacts [][]any
	docs := make([]searchDoc, 0, len(svcs))
	for _, svc := range svcs {
		ids := slices.Sorted(slices.Values(svc.TermIDs))
		names := make([]string, 0, len(ids))
		for _, id := range ids {
			terms = append(terms, []any{svc.ID, id})
			names = append(names, termNames[id])
		}
		for i, a := range svc.Areas {
			areas = append(areas, []any{svc.ID, i, a})
		}
		for i, sc := range svc.Schedules {
			o, _ := linkwork.ParseClock(sc.Opens)
			cl, _ := linkwork.ParseClock(sc.Closes)
			schedules = append(schedules, []any{svc.ID, i, sc.Freq, sc.DayMask(), sc.Ordinal, o, cl, sc.Description})
		}
		for i, l := range svc.Locations {
			locations = append(locations, []any{l.UUID, svc.ID, i, l.Name, l.Address1, l.Address2, l.Town, l.Postcode, l.Lat, l.Lng, l.LSOA})
		}
		for i, ct := range svc.Contacts {
			contacts = append(contacts, []any{svc.ID, i, ct.Name, ct.Title, ct.Email, ct.Phone})
		}
		docs = append(docs, newSearchDoc(svc, names))
	}
	for _, ins := range []struct {
		head, row string
		rows      [][]any
	}{
		{"INSERT INTO service_terms (service_id, term_id) VALUES ", "(?, ?)", terms},
		{"INSERT INTO service_areas (service_id, position, name) VALUES ", "(?, ?, ?)", areas},
		{"INSERT INTO schedules (service_id, position, freq, days, ordinal, opens, closes, description) VALUES ", "(?, ?, ?, ?, ?, ?, ?, ?)", schedules},
		{"INSERT INTO locations (uuid, service_id, position, name, address_1, address_2, town, postcode, lat, lng, lsoa) VALUES ",
			"(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", locations},
		{"INSERT INTO contacts (service_id, position, name, title, email, phone) VALUES ", "(?, ?, ?, ?, ?, ?)", contacts},
	} {
		if err := imp.insertRows(ctx, c, ins.head, ins.row, ins.rows); err != nil {
			return err
		}
	}
	return imp.db.indexNew(ctx, c, imp.placeID, docs)
}

// keepParts keeps the parts of a service that an imported record does not give.
func keepParts(svc, old *linkwork.Service, gives linkwork.ServiceParts) {
	if !gives.Schedules {
		svc.Schedules = old.Schedules
	}
	if !gives.Locations {
		svc.Locations, svc.Accessibility = old.Locations, old.Accessibility
	}
	if !gives.Contacts {
		svc.Contacts = old.Contacts
	}
	if !gives.Terms {
		svc.TermIDs = old.TermIDs
	}
	if !gives.Languages {
		svc.Languages = old.Languages
	}
	if !gives.Areas {
		svc.Areas = old.Areas
	}
	if !gives.Phone {
		svc.Phone = old.Phone
	}
	if !gives.Costs {
		svc.Free, svc.Fees = old.Free, old.Fees
	}
}

// sameService reports whether an import would change nothing that the import sets.
func sameService(a, b *linkwork.Service) bool {
	if a.OrganisationID != b.OrganisationID || a.Name != b.Name || a.Description != b.Description || a.URL != b.URL ||
		a.Email != b.Email || a.Phone != b.Phone || a.Status != b.Status || !sameInt(a.MinAge, b.MinAge) ||
		!sameInt(a.MaxAge, b.MaxAge) || a.Eligibility != b.Eligibility || a.Free != b.Free || a.Fees != b.Fees ||
		a.Accessibility != b.Accessibility || !slices.Equal(a.Languages, b.Languages) || !slices.Equal(a.Areas, b.Areas) ||
		!slices.Equal(a.Contacts, b.Contacts) || !sameTime(a.LastVerifiedAt, b.LastVerifiedAt) {
		return false
	}
	ta, tb := slices.Clone(a.TermIDs), slices.Clone(b.TermIDs)
	slices.Sort(ta)
	slices.Sort(tb)
	if !slices.Equal(ta, tb) || len(a.Schedules) != len(b.Schedules) || len(a.Locations) != len(b.Locations) {
		return false
	}
	for i := range a.Schedules {
		x, y := a.Schedules[i], b.Schedules[i]
		if x.Freq != y.Freq || x.DayMask() != y.DayMask() || x.Ordinal != y.Ordinal || x.Opens != y.Opens || x.Closes != y.Closes ||
			x.Description != y.Description {
			return false
		}
	}
	for i := range a.Locations {
		x, y := a.Locations[i], b.Locations[i]
		if x.UUID != y.UUID || x.Name != y.Name || x.Address1 != y.Address1 || x.Address2 != y.Address2 || x.Town != y.Town ||
			x.Postcode != y.Postcode || !sameFloat(x.Lat, y.Lat) || !sameFloat(x.Lng, y.Lng) || x.LSOA != y.LSOA {
			return false
		}
	}
	return true
}

func sameInt(a, b *int) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }

func sameFloat(a, b *float64) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }

func sameTime(a, b *time.Time) bool {
	return a == nil && b == nil || a != nil && b != nil && a.Equal(*b)
}

// insertRows inserts rows. On SQLite, whose cost is in parsing a long multi-row INSERT
// rather than in a round trip, it prepares the one-row statement once and runs it for each
// row; on PostgreSQL, where each statement is a round trip, it sends multi-row INSERTs.
func (imp *importer) insertRows(ctx context.Context, c conn, head, row string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	tx, ok := c.q.(*sql.Tx)
	if imp.db.dialect.name() != "sqlite" || !ok {
		return insertRows(ctx, c, head, row, rows, "")
	}
	st, err := tx.PrepareContext(ctx, head+row)
	if err != nil {
		return c.d.translate(err)
	}
	defer st.Close()
	for _, r := range rows {
		if _, err := st.ExecContext(ctx, r...); err != nil {
			return c.d.translate(err)
		}
	}
	return nil
}
