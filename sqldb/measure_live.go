package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"linkwork"
)

// What a dashboard reads beside its facts: the names its keys stand for, the place's
// neighbourhoods by deprivation (as the last aggregation found them), the referrals waiting now (read live, since the waiting
// list is the one figure that is about now rather than about months), the last month of
// health service use data, and the place's own measures. And the local measures' upkeep:
// retiring one, and reading an organisation's values back.

// MeasureContext reads what the dashboard of a scope of a place needs beside its facts. A
// scheme, organisation or neighbourhood that is not the place's is ENOTFOUND.
func (s *MeasureService) MeasureContext(ctx context.Context, placeID int64, scope linkwork.Scope) (*linkwork.MeasureContext, error) {
	c := s.db.reporting()
	if err := placeExists(ctx, c, placeID); err != nil {
		return nil, err
	}
	mc := &linkwork.MeasureContext{Terms: map[string]string{}, Schemes: map[int64]string{}, Organisations: map[int64]string{},
		Workers: map[int64]string{}, Neighbourhoods: map[string]string{}, PlaceDeciles: map[int]int{},
		SchemeOrganisations: map[int64]int64{}, PCNs: map[int64]bool{}}
	err := c.eachRow(ctx, `SELECT tt.code, tt.name FROM taxonomy_terms tt JOIN taxonomies t ON t.id = tt.taxonomy_id
		WHERE t.place_id = ? AND t.code = ?`, []any{placeID, linkwork.TaxonomyNeed}, func(scan func(...any) error) error {
		var code, name string
		err := scan(&code, &name)
		mc.Terms[code] = name
		return err
	})
	if err != nil {
		return nil, err
	}
	err = c.eachRow(ctx, "SELECT id, name FROM organisations WHERE place_id = ?", []any{placeID}, func(scan func(...any) error) error {
		var id int64
		var name string
		err := scan(&id, &name)
		mc.Organisations[id] = name
		return err
	})
	if err != nil {
		return nil, err
	}
	err = c.eachRow(ctx, `SELECT s.id, s.name, s.organisation_id, COALESCE(cs.model, '') FROM services s
		LEFT JOIN connector_schemes cs ON cs.service_id = s.id WHERE s.place_id = ? AND s.kind = ?`,
		[]any{placeID, string(linkwork.KindScheme)}, func(scan func(...any) error) error {
			var id, org int64
			var name, model string
			if err := scan(&id, &name, &org, &model); err != nil {
				return err
			}
			mc.Schemes[id], mc.SchemeOrganisations[id] = name, org
			if linkwork.SchemeModel(model) == linkwork.ModelPCNLinkWorker {
				mc.PCNs[org] = true
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	// The link workers are everyone with a membership in the place: a caseload names
	// whoever is responsible for a person, whatever their role now.
	err = c.eachRow(ctx, `SELECT DISTINCT u.id, u.name FROM users u JOIN memberships m ON m.user_id = u.id
		JOIN organisations o ON o.id = m.organisation_id WHERE o.place_id = ?`, []any{placeID}, func(scan func(...any) error) error {
		var id int64
		var name string
		err := scan(&id, &name)
		mc.Workers[id] = name
		return err
	})
	if err != nil {
		return nil, err
	}
	// The neighbourhoods the facts were counted with, which the last aggregation kept.
	deciles := map[string]int{}
	err = c.eachRow(ctx, "SELECT lsoa, name, imd_decile FROM measure_neighbourhoods WHERE place_id = ?", []any{placeID},
		func(scan func(...any) error) error {
			var code, name string
			var decile int
			err := scan(&code, &name, &decile)
			mc.Neighbourhoods[code], deciles[code] = name, decile
			return err
		})
	if err != nil {
		return nil, err
	}
	for _, d := range deciles {
		if d >= 1 && d <= 10 {
			mc.PlaceDeciles[d]++
		}
	}

	switch scope.Kind {
	case linkwork.ScopePlace:
		if scope.Key != "" {
			return nil, linkwork.Errorf(linkwork.ENOTFOUND, "A place's dashboard has no key.")
		}
	case linkwork.ScopeScheme:
		if id, err := strconv.ParseInt(scope.Key, 10, 64); err != nil || mc.Schemes[id] == "" {
			return nil, linkwork.Errorf(linkwork.ENOTFOUND, "Connector scheme not found.")
		}
	case linkwork.ScopeOrganisation:
		if id, err := strconv.ParseInt(scope.Key, 10, 64); err != nil || mc.Organisations[id] == "" {
			return nil, linkwork.Errorf(linkwork.ENOTFOUND, "Organisation not found.")
		}
	case linkwork.ScopeNeighbourhood:
		if _, ok := deciles[scope.Key]; !ok {
			return nil, linkwork.Errorf(linkwork.ENOTFOUND, "Neighbourhood not found.")
		}
	default:
		return nil, linkwork.Errorf(linkwork.ENOTFOUND, "There is no kind of dashboard %q.", scope.Kind)
	}

	if mc.WaitingNow, err = waitingNow(ctx, s.db.read(), placeID, scope); err != nil {
		return nil, err
	}
	// The month the facts were counted with, which the last aggregation kept.
	err = c.queryRow(ctx, "SELECT activity_up_to FROM measure_state WHERE place_id = ?", []any{placeID}, &mc.ActivityUpTo)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	if mc.Local, err = s.ListLocalMeasures(ctx, placeID); err != nil {
		return nil, err
	}
	return mc, nil
}

// placeNeighbourhoods reads the place's neighbourhoods as the landscape chooses them (the
// LSOAs with live postcodes in the local authorities holding enough of its venues): their
// names into names (the code where the LSOA has none) and their IMD deciles, by code (0
// where not known).
func placeNeighbourhoods(ctx context.Context, c conn, placeID int64, names map[string]string) (map[string]int, error) {
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
		return nil, err
	}
	deciles := map[string]int{}
	las := chooseLocalAuthorities(counts)
	if len(las) == 0 {
		return deciles, nil
	}
	err = c.eachRow(ctx, `SELECT p.lsoa, COALESCE(l.name, ''), COALESCE(l.imd_decile, 0)
		FROM (SELECT DISTINCT lsoa FROM postcodes WHERE local_authority IN `+placeholders(len(las))+`
			AND terminated_on IS NULL AND lsoa <> '') p
		LEFT JOIN lsoas l ON l.code = p.lsoa`, anys(las), func(scan func(...any) error) error {
		var code, name string
		var decile int
		if err := scan(&code, &name, &decile); err != nil {
			return err
		}
		if name == "" {
			name = code
		}
		names[code], deciles[code] = name, decile
		return nil
	})
	return deciles, err
}

// waitingNow counts the scope's referrals that were accepted and wait to be allocated: for
// the place, a scheme or an organisation from the counts kept by status (migration 0008),
// for a neighbourhood from the waiting referrals of the place's schemes whose postcode is in
// it.
func waitingNow(ctx context.Context, c conn, placeID int64, scope linkwork.Scope) (int64, error) {
	waiting := "('" + string(linkwork.ReferralAccepted) + "', '" + string(linkwork.ReferralWaiting) + "')"
	q := `SELECT COALESCE(SUM(c.n), 0) FROM scheme_referral_counts c JOIN services s ON s.id = c.scheme_id
		WHERE s.place_id = ? AND c.status IN ` + waiting
	args := []any{placeID}
	switch scope.Kind {
	case linkwork.ScopeScheme, linkwork.ScopeOrganisation:
		id, err := strconv.ParseInt(scope.Key, 10, 64)
		if err != nil {
			return 0, linkwork.Errorf(linkwork.ENOTFOUND, "Not found.")
		}
		if scope.Kind == linkwork.ScopeScheme {
			q += " AND c.scheme_id = ?"
		} else {
			q += " AND s.organisation_id = ?"
		}
		args = append(args, id)
	case linkwork.ScopeNeighbourhood:
		q = `SELECT COUNT(*) FROM referrals r JOIN postcodes p ON p.postcode = r.postcode
			WHERE r.scheme_id IN (SELECT id FROM services WHERE place_id = ?) AND r.status IN ` + waiting + ` AND p.lsoa = ?`
		args = append(args, scope.Key)
	}
	var n int64
	err := c.queryRow(ctx, q, args, &n)
	return n, err
}

// RetireLocalMeasure marks one of a place's own measures as no longer collected, with an
// audit event. Retiring one already retired changes nothing.
func (s *MeasureService) RetireLocalMeasure(ctx context.Context, placeID, id int64) error {
	return s.db.tx(ctx, func(c conn) error {
		var name string
		var retired bool
		err := c.queryRow(ctx, "SELECT name, retired FROM local_measures WHERE id = ? AND place_id = ?", []any{id, placeID}, &name, &retired)
		if err != nil {
			return notFound(err, "Local measure")
		}
		if retired {
			return nil
		}
		if _, err := c.exec(ctx, "UPDATE local_measures SET retired = ? WHERE id = ?", true, id); err != nil {
			return err
		}
		return s.db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: placeID, Action: linkwork.AuditLocalMeasure,
			RecordType: "local_measure", RecordID: idString(id), Detail: "retired " + name})
	})
}

// LocalMeasureValues returns the values an organisation entered for the months from
// fromMonth to toMonth (inclusive), newest month first, then by measure.
func (s *MeasureService) LocalMeasureValues(ctx context.Context, organisationID int64, fromMonth, toMonth string) ([]*linkwork.LocalMeasureValue, error) {
	out := []*linkwork.LocalMeasureValue{}
	err := s.db.read().eachRow(ctx, `SELECT measure_id, organisation_id, month, value, updated_at, updated_by
		FROM local_measure_values WHERE organisation_id = ? AND month >= ? AND month <= ? ORDER BY month DESC, measure_id`,
		[]any{organisationID, fromMonth, toMonth}, func(scan func(...any) error) error {
			v := &linkwork.LocalMeasureValue{}
			var month string
			if err := scan(&v.MeasureID, &v.OrganisationID, &month, &v.Value, &v.UpdatedAt, &v.UpdatedBy); err != nil {
				return err
			}
			m, err := time.Parse("2006-01", month)
			if err != nil {
				return err
			}
			v.Month, v.UpdatedAt = m, v.UpdatedAt.UTC()
			out = append(out, v)
			return nil
		})
	return out, err
}
