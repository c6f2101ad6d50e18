package sqldb

import (
	"context"
	"strconv"

	"linkwork"
)

// OrganisationService keeps organisations.
type OrganisationService struct{ db *DB }

// NewOrganisationService returns the organisations of db.
func NewOrganisationService(db *DB) *OrganisationService { return &OrganisationService{db: db} }

var _ linkwork.OrganisationService = (*OrganisationService)(nil)

// CreateOrganisation adds an organisation to a place.
func (s *OrganisationService) CreateOrganisation(ctx context.Context, o *linkwork.Organisation) error {
	if err := o.Validate(); err != nil {
		return err
	}
	return s.db.tx(ctx, func(c conn) error { return s.db.createOrganisation(ctx, c, o) })
}

func (db *DB) createOrganisation(ctx context.Context, c conn, o *linkwork.Organisation) error {
	var exists int
	if err := c.queryRow(ctx, "SELECT COUNT(*) FROM places WHERE id = ?", []any{o.PlaceID}, &exists); err != nil {
		return err
	}
	if exists == 0 {
		return linkwork.FieldError("place_id", "There is no place with ID %d.", o.PlaceID)
	}
	o.CreatedAt = db.Now()
	o.UpdatedAt = o.CreatedAt
	o.UUID = linkwork.NewUUID()
	id, err := c.insert(ctx, "INSERT INTO organisations (uuid, place_id, name, sector, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
		o.UUID, o.PlaceID, o.Name, string(o.Sector), o.CreatedAt, o.UpdatedAt)
	if linkwork.ErrorCode(err) == linkwork.ECONFLICT {
		return linkwork.FieldError("name", "There is already an organisation called %q in this place.", o.Name)
	}
	if err != nil {
		return err
	}
	o.ID = id
	return db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: o.PlaceID, Action: linkwork.AuditOrgCreate,
		RecordType: "organisation", RecordID: strconv.FormatInt(id, 10), Detail: o.Name + " (" + string(o.Sector) + ")"})
}

const organisationColumns = "id, uuid, place_id, name, sector, created_at, updated_at"

func scanOrganisation(scan func(...any) error) (*linkwork.Organisation, error) {
	o := &linkwork.Organisation{}
	var sector string
	if err := scan(&o.ID, &o.UUID, &o.PlaceID, &o.Name, &sector, &o.CreatedAt, &o.UpdatedAt); err != nil {
		return nil, err
	}
	o.Sector = linkwork.Sector(sector)
	o.CreatedAt, o.UpdatedAt = o.CreatedAt.UTC(), o.UpdatedAt.UTC()
	return o, nil
}

func (db *DB) findOrganisation(ctx context.Context, c conn, id int64) (*linkwork.Organisation, error) {
	o, err := scanOrganisation(func(dest ...any) error {
		return c.queryRow(ctx, "SELECT "+organisationColumns+" FROM organisations WHERE id = ?", []any{id}, dest...)
	})
	return o, notFound(err, "Organisation")
}

// FindOrganisationByID returns an organisation or ENOTFOUND.
func (s *OrganisationService) FindOrganisationByID(ctx context.Context, id int64) (*linkwork.Organisation, error) {
	return s.db.findOrganisation(ctx, s.db.read(), id)
}

// FindOrganisationByName returns the organisation with this name in a place, or ENOTFOUND.
func (s *OrganisationService) FindOrganisationByName(ctx context.Context, placeID int64, name string) (*linkwork.Organisation, error) {
	o, err := scanOrganisation(func(dest ...any) error {
		return s.db.read().queryRow(ctx, "SELECT "+organisationColumns+
			" FROM organisations WHERE place_id = ? AND lower(name) = lower(?)", []any{placeID, name}, dest...)
	})
	return o, notFound(err, "Organisation")
}

// ListOrganisations returns a page of a place's organisations by name, and their number.
func (s *OrganisationService) ListOrganisations(ctx context.Context, f linkwork.OrganisationFilter) ([]*linkwork.Organisation, int, error) {
	where, args := " WHERE place_id = ?", []any{f.PlaceID}
	if f.Sector != "" {
		where, args = where+" AND sector = ?", append(args, string(f.Sector))
	}
	c := s.db.read()
	var total int
	if err := c.queryRow(ctx, "SELECT COUNT(*) FROM organisations"+where, args, &total); err != nil {
		return nil, 0, err
	}
	p := f.Page.Normal()
	rows, err := c.query(ctx, "SELECT "+organisationColumns+" FROM organisations"+where+
		" ORDER BY lower(name), id LIMIT ? OFFSET ?", append(args, p.Size, p.Offset())...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*linkwork.Organisation
	for rows.Next() {
		o, err := scanOrganisation(rows.Scan)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, o)
	}
	return out, total, rows.Err()
}

// UpdateOrganisation changes an organisation's name or sector.
func (s *OrganisationService) UpdateOrganisation(ctx context.Context, id int64, upd linkwork.OrganisationUpdate) (*linkwork.Organisation, error) {
	var out *linkwork.Organisation
	err := s.db.tx(ctx, func(c conn) error {
		o, err := s.db.findOrganisation(ctx, c, id)
		if err != nil {
			return err
		}
		if upd.Name != nil {
			o.Name = *upd.Name
		}
		if upd.Sector != nil {
			o.Sector = *upd.Sector
		}
		if err := o.Validate(); err != nil {
			return err
		}
		o.UpdatedAt = s.db.Now()
		_, err = c.exec(ctx, "UPDATE organisations SET name = ?, sector = ?, updated_at = ? WHERE id = ?",
			o.Name, string(o.Sector), o.UpdatedAt, o.ID)
		if linkwork.ErrorCode(err) == linkwork.ECONFLICT {
			return linkwork.FieldError("name", "There is already an organisation called %q in this place.", o.Name)
		}
		if err != nil {
			return err
		}
		out = o
		if err := s.db.refreshPractitionerSearch(ctx, c, "pr.organisation_id = ?", o.ID); err != nil {
			return err
		}
		return s.db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: o.PlaceID, Action: linkwork.AuditOrgUpdate,
			RecordType: "organisation", RecordID: strconv.FormatInt(id, 10), Detail: o.Name + " (" + string(o.Sector) + ")"})
	})
	return out, err
}
