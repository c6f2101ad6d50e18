package sqldb

import (
	"context"

	"linkwork"
)

// TaxonomyService keeps each place's taxonomies.
type TaxonomyService struct{ db *DB }

// NewTaxonomyService returns the taxonomies of db.
func NewTaxonomyService(db *DB) *TaxonomyService { return &TaxonomyService{db: db} }

var _ linkwork.TaxonomyService = (*TaxonomyService)(nil)

// EnsureDefaultTaxonomies gives a place the built-in taxonomies and terms it lacks. A place
// gets them when it is made; this adds any that a newer linkwork has since built in.
func (s *TaxonomyService) EnsureDefaultTaxonomies(ctx context.Context, placeID int64) error {
	return s.db.tx(ctx, func(c conn) error { return s.db.ensureDefaultTaxonomies(ctx, c, placeID) })
}

func (db *DB) ensureDefaultTaxonomies(ctx context.Context, c conn, placeID int64) error {
	for _, t := range linkwork.DefaultTaxonomies {
		var taxID int64
		err := c.queryRow(ctx, "SELECT id FROM taxonomies WHERE place_id = ? AND code = ?", []any{placeID, t.Code}, &taxID)
		if err != nil {
			if linkwork.ErrorCode(notFound(err, "")) != linkwork.ENOTFOUND {
				return err
			}
			taxID, err = c.insert(ctx, "INSERT INTO taxonomies (uuid, place_id, code, name, description) VALUES (?, ?, ?, ?, ?)",
				linkwork.NewUUID(), placeID, t.Code, t.Name, t.Description)
			if err != nil {
				return err
			}
		}
		for _, term := range t.Terms {
			var n int
			if err := c.queryRow(ctx, "SELECT COUNT(*) FROM taxonomy_terms WHERE taxonomy_id = ? AND code = ?",
				[]any{taxID, term.Code}, &n); err != nil {
				return err
			}
			if n == 0 {
				if _, err := c.insert(ctx, "INSERT INTO taxonomy_terms (uuid, taxonomy_id, code, name, description) VALUES (?, ?, ?, ?, ?)",
					linkwork.NewUUID(), taxID, term.Code, term.Name, term.Description); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// ListTaxonomies returns a place's taxonomies in the order they were made (the built-in
// ones first), with their terms in the order they were added.
func (s *TaxonomyService) ListTaxonomies(ctx context.Context, placeID int64) ([]*linkwork.Taxonomy, error) {
	c := s.db.read()
	rows, err := c.query(ctx, "SELECT id, uuid, place_id, code, name, description FROM taxonomies WHERE place_id = ? ORDER BY id", placeID)
	if err != nil {
		return nil, err
	}
	var out []*linkwork.Taxonomy
	byID := map[int64]*linkwork.Taxonomy{}
	for rows.Next() {
		t := &linkwork.Taxonomy{}
		if err := rows.Scan(&t.ID, &t.UUID, &t.PlaceID, &t.Code, &t.Name, &t.Description); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, t)
		byID[t.ID] = t
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = c.query(ctx, `SELECT tt.id, tt.uuid, tt.taxonomy_id, t.code, tt.code, tt.name, tt.description
		FROM taxonomy_terms tt JOIN taxonomies t ON t.id = tt.taxonomy_id WHERE t.place_id = ? ORDER BY tt.id`, placeID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var term linkwork.TaxonomyTerm
		if err := rows.Scan(&term.ID, &term.UUID, &term.TaxonomyID, &term.TaxonomyCode, &term.Code, &term.Name, &term.Description); err != nil {
			return nil, err
		}
		byID[term.TaxonomyID].Terms = append(byID[term.TaxonomyID].Terms, term)
	}
	return out, rows.Err()
}

// AddTerm adds a term to one of a place's taxonomies.
func (s *TaxonomyService) AddTerm(ctx context.Context, placeID int64, taxonomyCode string, t *linkwork.TaxonomyTerm) error {
	if err := t.Validate(); err != nil {
		return err
	}
	return s.db.tx(ctx, func(c conn) error {
		var taxID int64
		if err := c.queryRow(ctx, "SELECT id FROM taxonomies WHERE place_id = ? AND code = ?", []any{placeID, taxonomyCode}, &taxID); err != nil {
			return notFound(err, "Taxonomy")
		}
		t.UUID, t.TaxonomyID, t.TaxonomyCode = linkwork.NewUUID(), taxID, taxonomyCode
		id, err := c.insert(ctx, "INSERT INTO taxonomy_terms (uuid, taxonomy_id, code, name, description) VALUES (?, ?, ?, ?, ?)",
			t.UUID, taxID, t.Code, t.Name, t.Description)
		if linkwork.ErrorCode(err) == linkwork.ECONFLICT {
			return linkwork.FieldError("code", "There is already a term with the code %q.", t.Code)
		}
		if err != nil {
			return err
		}
		t.ID = id
		return s.db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: placeID, Action: "taxonomy.add_term",
			RecordType: "taxonomy_term", RecordID: idString(id), Detail: taxonomyCode + ": " + t.Name})
	})
}
