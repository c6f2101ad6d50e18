package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strings"

	"linkwork"
)

// OpenDataService reads the directory for the Open Referral UK API and the export, and
// imports services from other directories. It has its own queries, rather than going
// through ServiceService, because open data filters by what an outside system asks for
// (UUIDs, change times, ages, distance) and imports keep the identifiers they are given.
type OpenDataService struct{ db *DB }

// NewOpenDataService returns the open data of db.
func NewOpenDataService(db *DB) *OpenDataService { return &OpenDataService{db: db} }

var _ linkwork.OpenDataService = (*OpenDataService)(nil)

// DirectoryVersion returns the directory's change counter, which triggers bump (migration
// 0006) in the transaction that changes the directory, so the new version and the new rows
// become visible together. A response made after reading version v is kept under v: if a
// change commits while it is being made, it may hold some of the newer rows, but it is only
// served to readers that still see v.
func (s *OpenDataService) DirectoryVersion(ctx context.Context) (int64, error) {
	var v int64
	err := s.db.read().queryRow(ctx, "SELECT version FROM directory_version WHERE id = 1", nil, &v)
	return v, err
}

// FindService returns a service with its lists and organisation, by UUID.
func (s *OpenDataService) FindService(ctx context.Context, uuid string) (*linkwork.DirectoryEntry, error) {
	c := s.db.read()
	var id int64
	if err := c.queryRow(ctx, "SELECT id FROM services WHERE uuid = ?", []any{uuid}, &id); err != nil {
		return nil, notFound(err, "Service")
	}
	return s.db.directoryEntry(ctx, c, id)
}

// FindServiceAtLocation returns the service a location belongs to, by the location's UUID.
func (s *OpenDataService) FindServiceAtLocation(ctx context.Context, locationUUID string) (*linkwork.DirectoryEntry, error) {
	c := s.db.read()
	var id int64
	if err := c.queryRow(ctx, "SELECT service_id FROM locations WHERE uuid = ?", []any{locationUUID}, &id); err != nil {
		return nil, notFound(err, "Service at location")
	}
	e, err := s.db.directoryEntry(ctx, c, id)
	if err != nil {
		return nil, err
	}
	for i := range e.Service.Locations {
		if e.Service.Locations[i].UUID == locationUUID {
			e.Location = &e.Service.Locations[i]
		}
	}
	if e.Location == nil {
		return nil, linkwork.Errorf(linkwork.ENOTFOUND, "Service at location not found.")
	}
	return e, nil
}

// Organisations returns organisations by ID, for showing services found elsewhere (by
// search) with their organisation's UUID. IDs that name no organisation are left out.
func (s *OpenDataService) Organisations(ctx context.Context, ids []int64) (map[int64]*linkwork.Organisation, error) {
	out := map[int64]*linkwork.Organisation{}
	ids = uniqueIDs(ids)
	for len(ids) > 0 {
		n := min(len(ids), 500)
		rows, err := s.db.read().query(ctx, "SELECT "+organisationColumns+" FROM organisations WHERE id IN "+placeholders(n), anys(ids[:n])...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			o, err := scanOrganisation(rows.Scan)
			if err != nil {
				rows.Close()
				return nil, err
			}
			out[o.ID] = o
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		ids = ids[n:]
	}
	return out, nil
}

func (db *DB) directoryEntry(ctx context.Context, c conn, id int64) (*linkwork.DirectoryEntry, error) {
	svc, err := db.findService(ctx, c, id)
	if err != nil {
		return nil, err
	}
	org, err := db.findOrganisation(ctx, c, svc.OrganisationID)
	if err != nil {
		return nil, err
	}
	return &linkwork.DirectoryEntry{Service: svc, Organisation: *org}, nil
}

// kmPerDegree is the length of a degree of latitude (the mean Earth radius × π/180).
const kmPerDegree = 111.195

// near is the SQL for the distance between a location (alias l) and a point, as the
// square of degrees of latitude: an equirectangular approximation, within a fraction of a
// per cent of the great-circle distance over the tens of kilometres a directory covers,
// that needs only arithmetic, so that both databases compute it the same way.
type near struct {
	lat, lng, cos2 float64
	maxSq          float64 // 0: no limit
	dLat, dLng     float64 // half the sides of the bounding box, for the index
}

func newNear(p *linkwork.LatLng, withinKm float64) *near {
	if p == nil {
		return nil
	}
	cos := math.Cos(p.Lat * math.Pi / 180)
	n := &near{lat: p.Lat, lng: p.Lng, cos2: cos * cos}
	if withinKm > 0 {
		deg := withinKm / kmPerDegree
		n.maxSq, n.dLat, n.dLng = deg*deg, deg, deg/math.Max(cos, 0.01)
	}
	return n
}

func (n *near) expr(alias string) (string, []any) {
	return fmt.Sprintf("((%[1]s.lat - ?) * (%[1]s.lat - ?) + (%[1]s.lng - ?) * (%[1]s.lng - ?) * ?)", alias),
		[]any{n.lat, n.lat, n.lng, n.lng, n.cos2}
}

// within is the condition that a location is within the limit.
func (n *near) within(alias string) (string, []any) {
	e, args := n.expr(alias)
	return fmt.Sprintf("%[1]s.lat BETWEEN ? AND ? AND %[1]s.lng BETWEEN ? AND ? AND %[2]s <= ?", alias, e),
		append([]any{n.lat - n.dLat, n.lat + n.dLat, n.lng - n.dLng, n.lng + n.dLng}, append(args, n.maxSq)...)
}

// escapeLike escapes LIKE's wildcards, for a pattern with ESCAPE '\'.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// directoryWhere is the condition on services (alias s) for a query, without distance.
func directoryWhere(q linkwork.DirectoryQuery) (string, []any) {
	where, args := " WHERE s.place_id = ?", []any{q.PlaceID}
	if t := strings.TrimSpace(q.Text); t != "" {
		p := "%" + escapeLike(strings.ToLower(t)) + "%"
		where += ` AND (lower(s.name) LIKE ? ESCAPE '\' OR lower(s.description) LIKE ? ESCAPE '\')`
		args = append(args, p, p)
	}
	if q.TermUUID != "" {
		where += ` AND EXISTS (SELECT 1 FROM service_terms st JOIN taxonomy_terms tt ON tt.id = st.term_id
			WHERE st.service_id = s.id AND tt.uuid = ?)`
		args = append(args, q.TermUUID)
	}
	if q.TaxonomyUUID != "" {
		where += ` AND EXISTS (SELECT 1 FROM service_terms st JOIN taxonomy_terms tt ON tt.id = st.term_id
			JOIN taxonomies t ON t.id = tt.taxonomy_id WHERE st.service_id = s.id AND t.uuid = ?)`
		args = append(args, q.TaxonomyUUID)
	}
	if !q.ModifiedAfter.IsZero() {
		where, args = where+" AND s.updated_at >= ?", append(args, q.ModifiedAfter.UTC())
	}
	if q.MinAge != nil {
		where, args = where+" AND COALESCE(s.min_age, 0) >= ?", append(args, *q.MinAge)
	}
	if q.MaxAge != nil {
		where, args = where+" AND s.max_age IS NOT NULL AND s.max_age <= ?", append(args, *q.MaxAge)
	}
	return where, args
}

// QueryServices returns a page of the matching services by name, and how many match.
func (s *OpenDataService) QueryServices(ctx context.Context, q linkwork.DirectoryQuery) ([]*linkwork.DirectoryEntry, int, error) {
	where, args := directoryWhere(q)
	if n := newNear(q.Near, q.WithinKm); n != nil && n.maxSq > 0 {
		cond, a := n.within("l")
		where, args = where+" AND EXISTS (SELECT 1 FROM locations l WHERE l.service_id = s.id AND "+cond+")", append(args, a...)
	}
	c := s.db.read()
	var total int
	if err := c.queryRow(ctx, "SELECT COUNT(*) FROM services s"+where, args, &total); err != nil {
		return nil, 0, err
	}
	p := q.Page.Normal()
	rows, err := c.query(ctx, "SELECT "+serviceColumns+", o.uuid FROM services s JOIN organisations o ON o.id = s.organisation_id"+
		where+" ORDER BY lower(s.name), s.id LIMIT ? OFFSET ?", append(args, p.Size, p.Offset())...)
	if err != nil {
		return nil, 0, err
	}
	var out []*linkwork.DirectoryEntry
	for rows.Next() {
		e := &linkwork.DirectoryEntry{}
		svc, err := scanService(func(dest ...any) error { return rows.Scan(append(dest, &e.Organisation.UUID)...) })
		if err != nil {
			rows.Close()
			return nil, 0, err
		}
		e.Service = svc
		e.Organisation.ID, e.Organisation.PlaceID, e.Organisation.Name = svc.OrganisationID, svc.PlaceID, svc.OrganisationName
		out = append(out, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if q.Full {
		svcs := make([]*linkwork.Service, len(out))
		for i, e := range out {
			svcs[i] = e.Service
		}
		if err := s.db.loadServiceLists(ctx, c, svcs); err != nil {
			return nil, 0, err
		}
	}
	return out, total, nil
}

// QueryServiceLocations returns a page of the locations of matching services and how many
// match: by service name, or near a point by distance (locations without coordinates last).
func (s *OpenDataService) QueryServiceLocations(ctx context.Context, q linkwork.DirectoryQuery) ([]*linkwork.DirectoryEntry, int, error) {
	where, args := directoryWhere(q)
	order := " ORDER BY lower(s.name), s.id, l.position"
	dist, distArgs := "NULL", []any(nil)
	if n := newNear(q.Near, q.WithinKm); n != nil {
		if n.maxSq > 0 {
			cond, a := n.within("l")
			where, args = where+" AND "+cond, append(args, a...)
		}
		dist, distArgs = n.expr("l")
		order = " ORDER BY l.lat IS NULL, " + dist + ", lower(s.name), s.id, l.position"
	}
	from := " FROM locations l JOIN services s ON s.id = l.service_id JOIN organisations o ON o.id = s.organisation_id"
	c := s.db.read()
	var total int
	if err := c.queryRow(ctx, "SELECT COUNT(*)"+from+where, args, &total); err != nil {
		return nil, 0, err
	}
	p := q.Page.Normal()
	qargs := slices.Concat(distArgs, args, distArgs, []any{p.Size, p.Offset()})
	rows, err := c.query(ctx, "SELECT "+serviceColumns+", o.uuid, l.id, l.uuid, l.name, l.address_1, l.address_2, l.town, l.postcode, "+
		"l.lat, l.lng, l.lsoa, "+dist+from+where+order+" LIMIT ? OFFSET ?", qargs...)
	if err != nil {
		return nil, 0, err
	}
	var out []*linkwork.DirectoryEntry
	byID := map[int64]*linkwork.Service{}
	for rows.Next() {
		e := &linkwork.DirectoryEntry{Location: &linkwork.Location{}}
		l := e.Location
		var lat, lng, d sql.NullFloat64
		svc, err := scanService(func(dest ...any) error {
			return rows.Scan(append(dest, &e.Organisation.UUID, &l.ID, &l.UUID, &l.Name, &l.Address1, &l.Address2, &l.Town,
				&l.Postcode, &lat, &lng, &l.LSOA, &d)...)
		})
		if err != nil {
			rows.Close()
			return nil, 0, err
		}
		if lat.Valid && lng.Valid {
			la, ln := lat.Float64, lng.Float64
			l.Lat, l.Lng = &la, &ln
		}
		if d.Valid {
			km := math.Sqrt(d.Float64) * kmPerDegree
			e.DistanceKm = &km
		}
		if prev, ok := byID[svc.ID]; ok {
			svc = prev // one Service for all its locations, so that its lists load once
		}
		byID[svc.ID] = svc
		e.Service = svc
		e.Organisation.ID, e.Organisation.PlaceID, e.Organisation.Name = svc.OrganisationID, svc.PlaceID, svc.OrganisationName
		out = append(out, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if q.Full {
		svcs := make([]*linkwork.Service, 0, len(byID))
		for _, svc := range byID {
			svcs = append(svcs, svc)
		}
		if err := s.db.loadServiceLists(ctx, c, svcs); err != nil {
			return nil, 0, err
		}
	}
	return out, total, nil
}
