package sqldb

import (
	"context"
	"database/sql"
	"strings"

	"linkwork"
)

// PractitionerService keeps the directory of link workers.
type PractitionerService struct{ db *DB }

// NewPractitionerService returns the directory of link workers of db.
func NewPractitionerService(db *DB) *PractitionerService { return &PractitionerService{db: db} }

var _ linkwork.PractitionerService = (*PractitionerService)(nil)

// checkPractitionerRefs checks that the employer and the scheme are in the entry's place,
// and the scheme is a connector scheme.
func (db *DB) checkPractitionerRefs(ctx context.Context, c conn, p *linkwork.Practitioner) error {
	var ps linkwork.Problems
	org, err := db.findOrganisation(ctx, c, p.OrganisationID)
	if err != nil || org.PlaceID != p.PlaceID {
		ps.Add(linkwork.FieldError("organisation_id", "Choose an employer in this place."))
	} else {
		p.OrganisationName = org.Name
	}
	if p.UserID != 0 {
		var n int
		if err := c.queryRow(ctx, `SELECT COUNT(*) FROM memberships m JOIN organisations o ON o.id = m.organisation_id
			WHERE m.user_id = ? AND o.place_id = ?`, []any{p.UserID, p.PlaceID}, &n); err != nil {
			return err
		}
		if n == 0 {
			ps.Add(linkwork.FieldError("user_id", "That person does not work in this place."))
		}
	}
	p.SchemeName = ""
	if p.SchemeID != 0 {
		var kind string
		var placeID int64
		err := c.queryRow(ctx, "SELECT kind, place_id, name FROM services WHERE id = ?", []any{p.SchemeID}, &kind, &placeID, &p.SchemeName)
		if err != nil || placeID != p.PlaceID || kind != string(linkwork.KindScheme) {
			ps.Add(linkwork.FieldError("scheme_id", "Choose a connector scheme in this place, or none."))
		}
	}
	return ps.Err()
}

// CreatePractitioner adds an entry. A user has at most one entry in a place.
func (s *PractitionerService) CreatePractitioner(ctx context.Context, p *linkwork.Practitioner) error {
	if err := p.Validate(); err != nil {
		return err
	}
	return s.db.tx(ctx, func(c conn) error {
		if err := s.db.checkPractitionerRefs(ctx, c, p); err != nil {
			return err
		}
		now := s.db.Now()
		p.UpdatedAt = now
		id, err := c.insert(ctx, `INSERT INTO practitioners (place_id, user_id, name, job_title, organisation_id, scheme_id, neighbourhoods,
			specialisms, languages, email, phone, availability, created_at, updated_at, search_text)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			p.PlaceID, nullInt(p.UserID), p.Name, p.JobTitle, p.OrganisationID, nullInt(p.SchemeID), joinList(p.Neighbourhoods),
			joinList(p.Specialisms), joinList(p.Languages), p.Email, p.Phone, p.Availability, now, now, practitionerSearchText(p))
		if linkwork.ErrorCode(err) == linkwork.ECONFLICT {
			return linkwork.FieldError("user_id", "That person already has an entry in the directory of link workers.")
		}
		if err != nil {
			return err
		}
		p.ID = id
		return s.db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: p.PlaceID, Action: "practitioner.create", RecordType: "practitioner",
			RecordID: idString(id), Detail: p.Name})
	})
}

// UpdatePractitioner replaces an entry's details; its place and user stay as they were.
func (s *PractitionerService) UpdatePractitioner(ctx context.Context, p *linkwork.Practitioner) error {
	if err := p.Validate(); err != nil {
		return err
	}
	return s.db.tx(ctx, func(c conn) error {
		old, err := s.db.findPractitioner(ctx, c, "pr.id = ?", p.ID)
		if err != nil {
			return err
		}
		p.PlaceID, p.UserID = old.PlaceID, old.UserID
		if err := s.db.checkPractitionerRefs(ctx, c, p); err != nil {
			return err
		}
		p.UpdatedAt = s.db.Now()
		if _, err := c.exec(ctx, `UPDATE practitioners SET name = ?, job_title = ?, organisation_id = ?, scheme_id = ?, neighbourhoods = ?,
			specialisms = ?, languages = ?, email = ?, phone = ?, availability = ?, updated_at = ?, search_text = ? WHERE id = ?`,
			p.Name, p.JobTitle, p.OrganisationID, nullInt(p.SchemeID), joinList(p.Neighbourhoods), joinList(p.Specialisms),
			joinList(p.Languages), p.Email, p.Phone, p.Availability, p.UpdatedAt, practitionerSearchText(p), p.ID); err != nil {
			return err
		}
		return s.db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: p.PlaceID, Action: "practitioner.update", RecordType: "practitioner",
			RecordID: idString(p.ID), Detail: p.Name})
	})
}

// practitionerSearchText is what the directory's text filter matches, folded to lower case
// in Go so that both databases match "Ødegaard" and "ødegaard" alike (SQLite's lower() only
// knows ASCII).
func practitionerSearchText(p *linkwork.Practitioner) string {
	parts := []string{p.Name, p.JobTitle, p.OrganisationName, p.SchemeName}
	parts = append(append(append(parts, p.Neighbourhoods...), p.Specialisms...), p.Languages...)
	return strings.ToLower(strings.Join(parts, " "))
}

// refreshPractitionerSearch rewrites the search text of the entries matching cond, after
// their employer or scheme was renamed.
func (db *DB) refreshPractitionerSearch(ctx context.Context, c conn, cond string, arg any) error {
	rows, err := c.query(ctx, "SELECT "+practitionerColumns+practitionerFrom+" WHERE "+cond, arg)
	if err != nil {
		return err
	}
	var ps []*linkwork.Practitioner
	for rows.Next() {
		p, err := scanPractitioner(rows.Scan)
		if err != nil {
			rows.Close()
			return err
		}
		ps = append(ps, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, p := range ps {
		if _, err := c.exec(ctx, "UPDATE practitioners SET search_text = ? WHERE id = ?", practitionerSearchText(p), p.ID); err != nil {
			return err
		}
	}
	return nil
}

const practitionerColumns = `pr.id, pr.place_id, pr.user_id, pr.name, pr.job_title, pr.organisation_id, o.name, pr.scheme_id,
	COALESCE(s.name, ''), pr.neighbourhoods, pr.specialisms, pr.languages, pr.email, pr.phone, pr.availability, pr.updated_at`

const practitionerFrom = ` FROM practitioners pr JOIN organisations o ON o.id = pr.organisation_id
	LEFT JOIN services s ON s.id = pr.scheme_id`

func scanPractitioner(scan func(...any) error) (*linkwork.Practitioner, error) {
	p := &linkwork.Practitioner{}
	var userID, schemeID sql.NullInt64
	var hoods, specs, langs string
	if err := scan(&p.ID, &p.PlaceID, &userID, &p.Name, &p.JobTitle, &p.OrganisationID, &p.OrganisationName, &schemeID,
		&p.SchemeName, &hoods, &specs, &langs, &p.Email, &p.Phone, &p.Availability, &p.UpdatedAt); err != nil {
		return nil, err
	}
	p.UserID, p.SchemeID = userID.Int64, schemeID.Int64
	p.Neighbourhoods, p.Specialisms, p.Languages = splitList(hoods), splitList(specs), splitList(langs)
	p.UpdatedAt = p.UpdatedAt.UTC()
	return p, nil
}

func (db *DB) findPractitioner(ctx context.Context, c conn, cond string, args ...any) (*linkwork.Practitioner, error) {
	p, err := scanPractitioner(func(dest ...any) error {
		return c.queryRow(ctx, "SELECT "+practitionerColumns+practitionerFrom+" WHERE "+cond, args, dest...)
	})
	return p, notFound(err, "Directory entry")
}

// FindPractitionerByID returns an entry or ENOTFOUND.
func (s *PractitionerService) FindPractitionerByID(ctx context.Context, id int64) (*linkwork.Practitioner, error) {
	return s.db.findPractitioner(ctx, s.db.read(), "pr.id = ?", id)
}

// FindPractitionerByUser returns a user's own entry in a place, or ENOTFOUND.
func (s *PractitionerService) FindPractitionerByUser(ctx context.Context, placeID, userID int64) (*linkwork.Practitioner, error) {
	return s.db.findPractitioner(ctx, s.db.read(), "pr.place_id = ? AND pr.user_id = ?", placeID, userID)
}

// ListPractitioners returns a page of a place's entries by name, and the number that match.
// Text matches, in any case, a part of the name, job title, employer, scheme, neighbourhoods,
// specialisms or languages.
func (s *PractitionerService) ListPractitioners(ctx context.Context, f linkwork.PractitionerFilter) ([]*linkwork.Practitioner, int, error) {
	where, args := " WHERE pr.place_id = ?", []any{f.PlaceID}
	if f.OrganisationID != 0 {
		where, args = where+" AND pr.organisation_id = ?", append(args, f.OrganisationID)
	}
	if f.SchemeID != 0 {
		where, args = where+" AND pr.scheme_id = ?", append(args, f.SchemeID)
	}
	for _, word := range strings.Fields(strings.ToLower(f.Text)) {
		like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(word) + "%"
		where += ` AND pr.search_text LIKE ? ESCAPE '\'`
		args = append(args, like)
	}
	c := s.db.read()
	var total int
	if err := c.queryRow(ctx, "SELECT COUNT(*)"+practitionerFrom+where, args, &total); err != nil {
		return nil, 0, err
	}
	p := f.Page.Normal()
	rows, err := c.query(ctx, "SELECT "+practitionerColumns+practitionerFrom+where+" ORDER BY lower(pr.name), pr.id LIMIT ? OFFSET ?",
		append(args, p.Size, p.Offset())...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*linkwork.Practitioner
	for rows.Next() {
		pr, err := scanPractitioner(rows.Scan)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, pr)
	}
	return out, total, rows.Err()
}
