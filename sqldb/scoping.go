package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"linkwork"
)

// ScopingService stores the rows of scoping spreadsheets: a place's organisations and
// connector schemes.
type ScopingService struct{ db *DB }

// NewScopingService returns the scoping of db.
func NewScopingService(db *DB) *ScopingService { return &ScopingService{db: db} }

var _ linkwork.ScopingService = (*ScopingService)(nil)

// outcome is what a row did to its organisation or scheme.
type outcome int

const (
	untouched outcome = iota
	unchanged
	updated
	added
)

// ImportScoping adds or updates each row's organisation and scheme, each row under a
// savepoint of its own, all in one transaction; see linkwork.ScopingService. Every
// organisation and scheme written has its own audit event, and the import one more with its
// counts.
func (s *ScopingService) ImportScoping(ctx context.Context, placeID int64, rows []*linkwork.ScopingRow,
	opts linkwork.ImportOptions) (*linkwork.ScopingSummary, error) {
	sum := &linkwork.ScopingSummary{Rows: len(rows), Problems: []linkwork.ScopingProblem{}}
	var n int
	if err := s.db.read().queryRow(ctx, "SELECT COUNT(*) FROM places WHERE id = ?", []any{placeID}, &n); err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, linkwork.Errorf(linkwork.ENOTFOUND, "Place not found.")
	}
	err := s.db.tx(ctx, func(c conn) error {
		replaced, err := s.db.scopedTerms(ctx, c, placeID)
		if err != nil {
			return err
		}
		orgs := map[string]outcome{}  // by lower-case name: the most any row did to it
		schemeRow := map[string]int{} // by organisation and scheme name: the row that has it
		sectorRow := map[string]*linkwork.ScopingRow{}
		for _, r := range rows {
			probs := slices.Clone(r.Problems)
			orgKey := strings.ToLower(strings.Join(strings.Fields(r.Organisation.Name), " "))
			if prev := sectorRow[orgKey]; prev != nil && r.Organisation.Sector != "" && prev.Organisation.Sector != r.Organisation.Sector {
				probs = append(probs, linkwork.ScopingProblem{Row: r.Row, Column: "Sector", Message: fmt.Sprintf(
					"Row %d gives %s the sector %q: give an organisation the same sector on every row, or leave it empty.",
					prev.Row, prev.Organisation.Name, prev.Organisation.Sector.Label())})
			}
			if r.Scheme != nil {
				k := orgKey + "\x00" + strings.ToLower(strings.Join(strings.Fields(r.Scheme.Name), " "))
				if prev, ok := schemeRow[k]; ok {
					probs = append(probs, linkwork.ScopingProblem{Row: r.Row, Column: "Scheme name", Message: fmt.Sprintf(
						"Row %d has this scheme of this organisation already: give each scheme one row.", prev)})
				} else if len(probs) == 0 {
					schemeRow[k] = r.Row
				}
			}
			if len(probs) > 0 {
				// Say what else is wrong with the row too, in the columns that read well, so
				// that it can be put right at once.
				_, _, err := s.db.scopingRow(ctx, c, placeID, r, replaced, true)
				if linkwork.ErrorCode(err) == linkwork.EINTERNAL {
					return err
				}
				flagged := map[string]bool{}
				for _, p := range probs {
					flagged[p.Column] = true
				}
				for _, p := range rowProblems(r.Row, err) {
					if !flagged[p.Column] {
						probs = append(probs, p)
					}
				}
				sum.Failed++
				sum.Problems = append(sum.Problems, probs...)
				continue
			}
			var org, scheme outcome
			err := savepoint(ctx, c, "scoping_row", func() error {
				var err error
				org, scheme, err = s.db.scopingRow(ctx, c, placeID, r, replaced, false)
				return err
			})
			if err != nil {
				if linkwork.ErrorCode(err) == linkwork.EINTERNAL {
					return err
				}
				sum.Failed++
				sum.Problems = append(sum.Problems, rowProblems(r.Row, err)...)
				continue
			}
			if r.Organisation.Sector != "" && sectorRow[orgKey] == nil {
				sectorRow[orgKey] = r
			}
			orgs[orgKey] = max(orgs[orgKey], org)
			switch scheme {
			case added:
				sum.SchemesAdded++
			case updated:
				sum.SchemesUpdated++
			case unchanged:
				sum.SchemesUnchanged++
			}
		}
		for _, o := range orgs {
			switch o {
			case added:
				sum.OrganisationsAdded++
			case updated:
				sum.OrganisationsUpdated++
			case unchanged:
				sum.OrganisationsUnchanged++
			}
		}
		if opts.AllOrNothing && sum.Failed > 0 {
			return errRollBack
		}
		if !sum.Changed() {
			return nil
		}
		return s.db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: placeID, Action: linkwork.AuditScopingImport, RecordType: "place",
			RecordID: idString(placeID), Detail: fmt.Sprintf("%d rows: organisations %d added, %d updated, %d unchanged; "+
				"schemes %d added, %d updated, %d unchanged; %d rows failed", sum.Rows, sum.OrganisationsAdded,
				sum.OrganisationsUpdated, sum.OrganisationsUnchanged, sum.SchemesAdded, sum.SchemesUpdated, sum.SchemesUnchanged, sum.Failed)})
	})
	if errors.Is(err, errRollBack) {
		*sum = linkwork.ScopingSummary{Rows: sum.Rows, Failed: sum.Failed, Problems: sum.Problems, RolledBack: true}
		return sum, nil
	}
	if err != nil {
		return nil, err
	}
	return sum, nil
}

// savepoint runs fn under a savepoint, undoing what it wrote if it fails.
func savepoint(ctx context.Context, c conn, name string, fn func() error) error {
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

// rowProblems turns the domain's problems with a row into problems with its cells.
func rowProblems(row int, err error) []linkwork.ScopingProblem {
	var out []linkwork.ScopingProblem
	for _, e := range linkwork.FieldErrors(err) {
		out = append(out, linkwork.ScopingProblem{Row: row, Column: linkwork.ScopingColumnFor(e.Field), Message: e.Message})
	}
	return out
}

// scopedTerms returns the IDs of a place's client group and need terms: the terms a scoping
// sheet gives, and so replaces.
func (db *DB) scopedTerms(ctx context.Context, c conn, placeID int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	err := c.eachRow(ctx, `SELECT tt.id FROM taxonomy_terms tt JOIN taxonomies t ON t.id = tt.taxonomy_id
		WHERE t.place_id = ? AND t.code IN (?, ?)`, []any{placeID, linkwork.TaxonomyClientGroup, linkwork.TaxonomyNeed},
		func(scan func(...any) error) error {
			var id int64
			if err := scan(&id); err != nil {
				return err
			}
			out[id] = true
			return nil
		})
	return out, err
}

// orgProblems names the organisation's fields as the scoping sheet's.
func orgProblems(err error) error {
	var ps linkwork.Problems
	for _, e := range linkwork.FieldErrors(err) {
		ps = append(ps, &linkwork.Error{Code: e.Code, Field: "organisation." + e.Field, Message: e.Message})
	}
	if len(ps) == 0 {
		return err
	}
	return ps.Err()
}

// scopingRow stores one row: its organisation, then its scheme. Everything is checked
// before anything is written, so that every problem of the row is found at once; with
// checkOnly, nothing is written.
func (db *DB) scopingRow(ctx context.Context, c conn, placeID int64, r *linkwork.ScopingRow, replaced map[int64]bool,
	checkOnly bool) (outcome, outcome, error) {
	var ps linkwork.Problems
	name := strings.Join(strings.Fields(r.Organisation.Name), " ")
	org, err := scanOrganisation(func(dest ...any) error {
		return c.queryRow(ctx, "SELECT "+organisationColumns+" FROM organisations WHERE place_id = ? AND lower(name) = lower(?)",
			[]any{placeID, name}, dest...)
	})
	switch {
	case errors.Is(err, sql.ErrNoRows):
		org = nil
	case err != nil:
		return 0, 0, err
	}
	var newOrg *linkwork.Organisation
	changeSector := false
	switch {
	case org == nil:
		newOrg = &linkwork.Organisation{PlaceID: placeID, Name: name, Sector: r.Organisation.Sector}
		if newOrg.Sector == "" {
			newOrg.Sector = linkwork.SectorOther // so that Validate looks at the rest
			ps.Add(linkwork.FieldError("organisation.sector", "Choose the sector of %s, which is not in this place yet.", orDefault(name, "the organisation")))
		}
		ps.Add(orgProblems(newOrg.Validate()))
	case r.Organisation.Sector != "" && r.Organisation.Sector != org.Sector:
		if !r.Organisation.Sector.Valid() {
			ps.Add(linkwork.FieldError("organisation.sector", "Choose a sector. Allowed: %s.", linkwork.SectorIdentifiers()))
		}
		changeSector = true
	}
	var svc, old *linkwork.Service
	if r.Scheme != nil {
		if org != nil {
			old, err = db.findScheme(ctx, c, org, r.Scheme.Name)
			if linkwork.ErrorCode(err) == linkwork.EINTERNAL {
				return 0, 0, err
			}
			ps.Add(err)
		}
		orgName := name
		if org != nil {
			orgName = org.Name
		}
		svc = scopedScheme(r.Scheme, old, replaced, orgName)
		svc.PlaceID, svc.OrganisationID = placeID, 1 // the organisation may not be stored yet: it is checked above
		ps.Add(svc.Validate())
	}
	if err := ps.Err(); err != nil || checkOnly {
		return 0, 0, err
	}

	orgDid, schemeDid := unchanged, untouched
	switch {
	case newOrg != nil:
		if err := db.createOrganisation(ctx, c, newOrg); err != nil {
			return 0, 0, orgProblems(err)
		}
		org, orgDid = newOrg, added
	case changeSector:
		org.Sector, org.UpdatedAt = r.Organisation.Sector, db.Now()
		if _, err := c.exec(ctx, "UPDATE organisations SET sector = ?, updated_at = ? WHERE id = ?", string(org.Sector), org.UpdatedAt, org.ID); err != nil {
			return 0, 0, err
		}
		if err := db.refreshPractitionerSearch(ctx, c, "pr.organisation_id = ?", org.ID); err != nil {
			return 0, 0, err
		}
		if err := db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: placeID, Action: linkwork.AuditOrgUpdate, RecordType: "organisation",
			RecordID: idString(org.ID), Detail: org.Name + " (" + string(org.Sector) + ")"}); err != nil {
			return 0, 0, err
		}
		orgDid = updated
	}
	if svc == nil {
		return orgDid, schemeDid, nil
	}
	svc.OrganisationID = org.ID
	switch {
	case old == nil:
		if err := db.createService(ctx, c, svc); err != nil {
			return 0, 0, err
		}
		schemeDid = added
	case sameScoped(old, svc):
		schemeDid = unchanged
	default:
		if err := db.updateService(ctx, c, svc); err != nil {
			return 0, 0, err
		}
		schemeDid = updated
	}
	return orgDid, schemeDid, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// findScheme returns the organisation's connector scheme of this name, with its lists, or
// nil when it has none. A community offer of the name, or several schemes, is a problem.
func (db *DB) findScheme(ctx context.Context, c conn, org *linkwork.Organisation, name string) (*linkwork.Service, error) {
	type hit struct {
		id   int64
		kind string
	}
	var hits []hit
	name = strings.Join(strings.Fields(name), " ")
	err := c.eachRow(ctx, "SELECT id, kind FROM services WHERE organisation_id = ? AND lower(name) = lower(?) ORDER BY id",
		[]any{org.ID, name}, func(scan func(...any) error) error {
			var h hit
			if err := scan(&h.id, &h.kind); err != nil {
				return err
			}
			hits = append(hits, h)
			return nil
		})
	if err != nil {
		return nil, err
	}
	var schemes []int64
	for _, h := range hits {
		if h.kind == string(linkwork.KindScheme) {
			schemes = append(schemes, h.id)
		}
	}
	switch {
	case len(schemes) == 1:
		return db.findService(ctx, c, schemes[0])
	case len(schemes) > 1:
		return nil, linkwork.FieldError("name", "%s has %d connector schemes called %q: rename one in the directory so that the sheet can tell them apart.",
			org.Name, len(schemes), name)
	case len(hits) > 0:
		return nil, linkwork.FieldError("name", "%s has a community offer called %q, not a connector scheme: give the scheme another name, or change the entry in the directory.",
			org.Name, name)
	}
	return nil, nil
}

// scopedScheme is the scheme a row describes: a new one, or old with what the sheet's
// columns give.
func scopedScheme(in, old *linkwork.Service, replaced map[int64]bool, orgName string) *linkwork.Service {
	var details *linkwork.ConnectorScheme
	if in.Scheme != nil {
		d := *in.Scheme
		d.WhoCanRefer, d.AssessmentTools = slices.Clone(d.WhoCanRefer), slices.Clone(d.AssessmentTools)
		details = &d
	}
	if old == nil {
		svc := &linkwork.Service{Kind: linkwork.KindScheme, Name: in.Name, Description: in.Description, Status: linkwork.StatusActive,
			Scheme: details, Areas: slices.Clone(in.Areas), TermIDs: slices.Clone(in.TermIDs), Email: in.Email, Phone: in.Phone,
			URL: in.URL, Languages: []string{}}
		if strings.TrimSpace(svc.Description) == "" {
			what := "Connector scheme"
			if details != nil && details.Model.Label() != "" {
				what = details.Model.Label()
			}
			svc.Description = fmt.Sprintf("%s run by %s.", what, orgName)
		}
		return svc
	}
	svc := *old
	svc.Scheme, svc.Areas, svc.Email, svc.Phone, svc.URL = details, slices.Clone(in.Areas), in.Email, in.Phone, in.URL
	if strings.TrimSpace(in.Description) != "" {
		svc.Description = in.Description
	}
	svc.TermIDs = nil
	for _, id := range old.TermIDs {
		if !replaced[id] {
			svc.TermIDs = append(svc.TermIDs, id)
		}
	}
	svc.TermIDs = append(svc.TermIDs, in.TermIDs...)
	svc.Terms = nil
	return &svc
}

// sameScoped reports whether a scheme's stored details are what the sheet gives (once
// validated, as it is stored).
func sameScoped(old, svc *linkwork.Service) bool {
	a, b := old.Scheme, svc.Scheme
	if a == nil || b == nil || old.Description != svc.Description || old.Email != svc.Email || old.Phone != svc.Phone ||
		old.URL != svc.URL || !slices.Equal(old.Areas, svc.Areas) {
		return false
	}
	ta, tb := uniqueIDs(old.TermIDs), uniqueIDs(svc.TermIDs)
	slices.Sort(ta)
	slices.Sort(tb)
	return slices.Equal(ta, tb) && a.Model == b.Model && slices.Equal(a.WhoCanRefer, b.WhoCanRefer) && a.HowToRefer == b.HowToRefer &&
		a.FundingSource == b.FundingSource && a.StaffFTE == b.StaffFTE && a.CaseloadLimit == b.CaseloadLimit &&
		a.WaitingWeeks == b.WaitingWeeks && a.ElectronicSystem == b.ElectronicSystem && slices.Equal(a.AssessmentTools, b.AssessmentTools)
}

// ExportScoping returns a place's organisations and connector schemes as scoping rows.
func (s *ScopingService) ExportScoping(ctx context.Context, placeID int64) ([]*linkwork.ScopingRow, error) {
	c := s.db.read()
	var orgs []*linkwork.Organisation
	err := c.eachRow(ctx, "SELECT "+organisationColumns+" FROM organisations WHERE place_id = ? ORDER BY lower(name), id",
		[]any{placeID}, func(scan func(...any) error) error {
			o, err := scanOrganisation(scan)
			if err == nil {
				orgs = append(orgs, o)
			}
			return err
		})
	if err != nil {
		return nil, err
	}
	var schemes []*linkwork.Service
	err = c.eachRow(ctx, "SELECT "+serviceColumns+" FROM services s JOIN organisations o ON o.id = s.organisation_id WHERE s.place_id = ? AND s.kind = ?"+
		" ORDER BY lower(s.name), s.id", []any{placeID, string(linkwork.KindScheme)}, func(scan func(...any) error) error {
		svc, err := scanService(scan)
		if err == nil {
			schemes = append(schemes, svc)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	// The lists are read a few hundred schemes at a time, to keep each query's list of IDs short.
	for i := 0; i < len(schemes); i += 500 {
		if err := s.db.loadServiceLists(ctx, c, schemes[i:min(i+500, len(schemes))]); err != nil {
			return nil, err
		}
	}
	byOrg := map[int64][]*linkwork.Service{}
	for _, svc := range schemes {
		byOrg[svc.OrganisationID] = append(byOrg[svc.OrganisationID], svc)
	}
	var out []*linkwork.ScopingRow
	for _, o := range orgs {
		if len(byOrg[o.ID]) == 0 {
			out = append(out, &linkwork.ScopingRow{Organisation: *o})
		}
		for _, svc := range byOrg[o.ID] {
			out = append(out, &linkwork.ScopingRow{Organisation: *o, Scheme: svc})
		}
	}
	for i, r := range out {
		r.Row = i + 2
	}
	return out, nil
}
