package sqldb

import (
	"context"
	"strconv"

	"linkwork"
)

// PlaceService keeps places.
type PlaceService struct{ db *DB }

// NewPlaceService returns the places of db.
func NewPlaceService(db *DB) *PlaceService { return &PlaceService{db: db} }

var _ linkwork.PlaceService = (*PlaceService)(nil)

// CreatePlace adds a place; a name already used (in any case) is ECONFLICT.
func (s *PlaceService) CreatePlace(ctx context.Context, p *linkwork.Place) error {
	if err := p.Validate(); err != nil {
		return err
	}
	return s.db.tx(ctx, func(c conn) error { return s.db.createPlace(ctx, c, p) })
}

func (db *DB) createPlace(ctx context.Context, c conn, p *linkwork.Place) error {
	p.CreatedAt = db.Now()
	id, err := c.insert(ctx, "INSERT INTO places (name, created_at) VALUES (?, ?)", p.Name, p.CreatedAt)
	if linkwork.ErrorCode(err) == linkwork.ECONFLICT {
		return linkwork.FieldError("name", "There is already a place called %q.", p.Name)
	}
	if err != nil {
		return err
	}
	p.ID = id
	if err := db.ensureDefaultTaxonomies(ctx, c, id); err != nil {
		return err
	}
	return db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: id, Action: linkwork.AuditPlaceCreate,
		RecordType: "place", RecordID: strconv.FormatInt(id, 10), Detail: p.Name})
}

const placeColumns = "id, name, created_at"

func scanPlace(scan func(...any) error) (*linkwork.Place, error) {
	p := &linkwork.Place{}
	if err := scan(&p.ID, &p.Name, &p.CreatedAt); err != nil {
		return nil, err
	}
	p.CreatedAt = p.CreatedAt.UTC()
	return p, nil
}

// FindPlaceByID returns a place or ENOTFOUND.
func (s *PlaceService) FindPlaceByID(ctx context.Context, id int64) (*linkwork.Place, error) {
	p, err := scanPlace(func(dest ...any) error {
		return s.db.read().queryRow(ctx, "SELECT "+placeColumns+" FROM places WHERE id = ?", []any{id}, dest...)
	})
	return p, notFound(err, "Place")
}

// FindPlaceByName returns the place with this name, in any case, or ENOTFOUND.
func (s *PlaceService) FindPlaceByName(ctx context.Context, name string) (*linkwork.Place, error) {
	p, err := scanPlace(func(dest ...any) error {
		return s.db.read().queryRow(ctx, "SELECT "+placeColumns+" FROM places WHERE lower(name) = lower(?)", []any{name}, dest...)
	})
	return p, notFound(err, "Place")
}

// ListPlaces returns every place by name.
func (s *PlaceService) ListPlaces(ctx context.Context) ([]*linkwork.Place, error) {
	rows, err := s.db.read().query(ctx, "SELECT "+placeColumns+" FROM places ORDER BY lower(name)")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*linkwork.Place
	for rows.Next() {
		p, err := scanPlace(rows.Scan)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
