package sqldb

import (
	"context"
	"database/sql"
	"strings"
	"unicode/utf8"

	"linkwork"
)

// MaxFundingNote is the most characters a funding opportunity's note may have.
const MaxFundingNote = 2000

// CreateFundingOpportunity stores a gap the place has chosen to fund: a neighbourhood of the
// place (an LSOA of its local authorities, as the landscape finds them) and a need of its
// need taxonomy, with a note. A place has one open opportunity for a neighbourhood and need:
// a second is ECONFLICT. The opportunity is filled in as ListFundingOpportunities returns it.
func (s *LandscapeService) CreateFundingOpportunity(ctx context.Context, f *linkwork.FundingOpportunity) error {
	f.NeighbourhoodCode = strings.ToUpper(strings.TrimSpace(f.NeighbourhoodCode))
	f.Need, f.Note = strings.TrimSpace(f.Need), strings.TrimSpace(f.Note)
	var ps linkwork.Problems
	if f.NeighbourhoodCode == "" {
		ps.Add(linkwork.FieldError("neighbourhood_code", "Choose the neighbourhood, by its LSOA code such as E01010994."))
	}
	if f.Need == "" {
		ps.Add(linkwork.FieldError("need", "Choose the need."))
	}
	if n := utf8.RuneCountInString(f.Note); n > MaxFundingNote {
		ps.Add(linkwork.FieldError("note", "The note must be %d characters or fewer (it has %d).", MaxFundingNote, n))
	}
	if strings.ContainsRune(f.Note, 0) {
		ps.Add(linkwork.FieldError("note", "The note cannot contain a NUL character."))
	}
	if err := ps.Err(); err != nil {
		return err
	}
	return s.db.tx(ctx, func(c conn) error {
		var places int
		if err := c.queryRow(ctx, "SELECT COUNT(*) FROM places WHERE id = ?", []any{f.PlaceID}, &places); err != nil {
			return err
		}
		if places == 0 {
			return linkwork.Errorf(linkwork.ENOTFOUND, "Place not found.")
		}
		userID, userName, err := actingUser(ctx, c)
		if err != nil {
			return err
		}
		var needLabel string
		err = c.queryRow(ctx, `SELECT tt.name FROM taxonomy_terms tt JOIN taxonomies t ON t.id = tt.taxonomy_id
			WHERE t.place_id = ? AND t.code = ? AND tt.code = ?`, []any{f.PlaceID, linkwork.TaxonomyNeed, f.Need}, &needLabel)
		switch {
		case err == sql.ErrNoRows:
			ps.Add(linkwork.FieldError("need", "There is no need %q in this place's list of needs: choose one of them.", f.Need))
		case err != nil:
			return err
		}
		ok, err := isNeighbourhood(ctx, c, f.PlaceID, f.NeighbourhoodCode)
		if err != nil {
			return err
		}
		if !ok {
			ps.Add(linkwork.FieldError("neighbourhood_code", "%s is not one of this place's neighbourhoods: choose an LSOA "+
				"of the local authorities where its services are.", f.NeighbourhoodCode))
		}
		if err := ps.Err(); err != nil {
			return err
		}
		f.Status, f.CreatedBy, f.CreatedAt, f.NeedLabel = "open", userName, s.db.Now(), needLabel
		id, err := c.insert(ctx, `INSERT INTO funding_opportunities (place_id, neighbourhood_code, need, note, status,
			created_by_user_id, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			f.PlaceID, f.NeighbourhoodCode, f.Need, f.Note, f.Status, nullInt(userID), f.CreatedBy, f.CreatedAt)
		if linkwork.ErrorCode(err) == linkwork.ECONFLICT {
			return linkwork.Errorf(linkwork.ECONFLICT, "There is already an open funding opportunity for %s in %s.",
				strings.ToLower(needLabel), f.NeighbourhoodCode)
		}
		if err != nil {
			return err
		}
		f.ID = id
		f.NeighbourhoodName, f.IMDDecile = f.NeighbourhoodCode, 0
		err = c.queryRow(ctx, "SELECT name, COALESCE(imd_decile, 0) FROM lsoas WHERE code = ?", []any{f.NeighbourhoodCode},
			&f.NeighbourhoodName, &f.IMDDecile)
		if err != nil && err != sql.ErrNoRows {
			return err
		}
		return s.db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: f.PlaceID, Action: linkwork.AuditFundingCreate,
			RecordType: "funding_opportunity", RecordID: idString(id),
			Detail: f.NeighbourhoodCode + " " + f.NeighbourhoodName + ": " + needLabel})
	})
}

// isNeighbourhood reports whether an LSOA is one of a place's neighbourhoods: it has a live
// postcode in one of the local authorities holding enough of the place's venues (as
// LandscapeInput chooses them, counted here in the database).
func isNeighbourhood(ctx context.Context, c conn, placeID int64, code string) (bool, error) {
	counts := venueCounts{byLA: map[string]int{}}
	err := c.eachRow(ctx, `SELECT p.local_authority, COUNT(*) FROM services s JOIN locations l ON l.service_id = s.id
		JOIN postcodes p ON p.postcode = l.postcode WHERE s.place_id = ? GROUP BY p.local_authority`, []any{placeID},
		func(scan func(...any) error) error {
			var la string
			var n int
			if err := scan(&la, &n); err != nil {
				return err
			}
			counts.known += n
			counts.byLA[la] = n
			return nil
		})
	if err != nil {
		return false, err
	}
	las := chooseLocalAuthorities(counts)
	if len(las) == 0 {
		return false, nil
	}
	var n int
	err = c.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM postcodes WHERE lsoa = ? AND terminated_on IS NULL
		AND local_authority IN `+placeholders(len(las))+` LIMIT 1) p`, append([]any{code}, anys(las)...), &n)
	return n > 0, err
}

// ListFundingOpportunities returns a place's funding opportunities, newest first, with their
// neighbourhoods' names and deprivation and their needs' labels.
func (s *LandscapeService) ListFundingOpportunities(ctx context.Context, placeID int64) ([]*linkwork.FundingOpportunity, error) {
	out := []*linkwork.FundingOpportunity{}
	err := s.db.read().eachRow(ctx, `SELECT f.id, f.place_id, f.neighbourhood_code, COALESCE(l.name, f.neighbourhood_code),
		COALESCE(l.imd_decile, 0), f.need, COALESCE(tt.name, f.need), f.note, f.status, f.created_by, f.created_at
		FROM funding_opportunities f LEFT JOIN lsoas l ON l.code = f.neighbourhood_code
		LEFT JOIN taxonomies t ON t.place_id = f.place_id AND t.code = '`+linkwork.TaxonomyNeed+`'
		LEFT JOIN taxonomy_terms tt ON tt.taxonomy_id = t.id AND tt.code = f.need
		WHERE f.place_id = ? ORDER BY f.created_at DESC, f.id DESC`, []any{placeID}, func(scan func(...any) error) error {
		f := &linkwork.FundingOpportunity{}
		if err := scan(&f.ID, &f.PlaceID, &f.NeighbourhoodCode, &f.NeighbourhoodName, &f.IMDDecile, &f.Need, &f.NeedLabel,
			&f.Note, &f.Status, &f.CreatedBy, &f.CreatedAt); err != nil {
			return err
		}
		f.CreatedAt = f.CreatedAt.UTC()
		out = append(out, f)
		return nil
	})
	return out, err
}
