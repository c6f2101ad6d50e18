package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"linkwork"
)

// MeasureService keeps the measures: a place's settings and local measures, the monthly
// facts (made by measure_aggregate.go), how current they are, and health service use data
// (activity.go).
type MeasureService struct{ db *DB }

// NewMeasureService returns the measures of db.
func NewMeasureService(db *DB) *MeasureService { return &MeasureService{db: db} }

var _ linkwork.MeasureService = (*MeasureService)(nil)

// The limits of what a place may set.
const (
	maxLocalMeasureName       = 120
	maxLocalMeasureDefinition = 2000
	maxLocalMeasureUnit       = 40
	// maxLocalMeasureValue is the largest monthly value of a local measure: far beyond any
	// count or number of hours an organisation could enter, and well within BIGINT sums.
	maxLocalMeasureValue = 1_000_000_000
	maxSuppression       = 100
)

// localMeasurePrefix starts a local measure's code: "local-<id>".
const localMeasurePrefix = "local-"

// MeasureSettings returns a place's settings: what it saved, or every built-in measure in
// the catalogue's order with the default suppression rule.
func (s *MeasureService) MeasureSettings(ctx context.Context, placeID int64) (*linkwork.MeasureSettings, error) {
	c := s.db.read()
	if err := placeExists(ctx, c, placeID); err != nil {
		return nil, err
	}
	out := &linkwork.MeasureSettings{PlaceID: placeID, Suppression: linkwork.DefaultSuppression}
	var measures string
	err := c.queryRow(ctx, "SELECT measures, threshold, round_to FROM measure_settings WHERE place_id = ?", []any{placeID},
		&measures, &out.Suppression.Threshold, &out.Suppression.RoundTo)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		out.Measures = make([]linkwork.MeasureCode, len(linkwork.BuiltInMeasures))
		for i, d := range linkwork.BuiltInMeasures {
			out.Measures[i] = d.Code
		}
		return out, nil
	case err != nil:
		return nil, err
	}
	out.Measures = []linkwork.MeasureCode{}
	for _, code := range strings.Fields(measures) {
		out.Measures = append(out.Measures, linkwork.MeasureCode(code))
	}
	return out, nil
}

// SetMeasureSettings saves a place's measures and suppression rule, with an audit event.
// Every code must be a built-in measure or one of the place's own, each once.
func (s *MeasureService) SetMeasureSettings(ctx context.Context, st *linkwork.MeasureSettings) error {
	if st == nil {
		return linkwork.Errorf(linkwork.EINVALID, "There are no settings to save.")
	}
	return s.db.tx(ctx, func(c conn) error {
		if err := placeExists(ctx, c, st.PlaceID); err != nil {
			return err
		}
		local := map[linkwork.MeasureCode]bool{}
		err := c.eachRow(ctx, "SELECT id FROM local_measures WHERE place_id = ?", []any{st.PlaceID}, func(scan func(...any) error) error {
			var id int64
			err := scan(&id)
			local[linkwork.MeasureCode(localMeasurePrefix+idString(id))] = true
			return err
		})
		if err != nil {
			return err
		}
		var ps linkwork.Problems
		seen := map[linkwork.MeasureCode]bool{}
		codes := make([]string, 0, len(st.Measures))
		for _, code := range st.Measures {
			code = linkwork.MeasureCode(strings.TrimSpace(string(code)))
			switch {
			case seen[code]:
				ps.Add(linkwork.FieldError("measures", "Choose each measure once: %s is chosen twice.", code))
			case !builtInMeasure(code) && !local[code]:
				ps.Add(linkwork.FieldError("measures", "There is no measure %q in the catalogue or among this place's own measures.", code))
			}
			seen[code] = true
			codes = append(codes, string(code))
		}
		if len(codes) == 0 {
			ps.Add(linkwork.FieldError("measures", "Choose at least one measure for the dashboards to show."))
		}
		rule := st.Suppression
		if rule.Threshold < 0 || rule.Threshold > maxSuppression {
			ps.Add(linkwork.FieldError("threshold", "Enter the largest count to hide as a whole number from 0 to %d (7 is usual).", maxSuppression))
		}
		if rule.RoundTo < 1 || rule.RoundTo > maxSuppression {
			ps.Add(linkwork.FieldError("round_to", "Enter what to round counts to as a whole number from 1 to %d (5 is usual; 1 does not round).", maxSuppression))
		}
		if err := ps.Err(); err != nil {
			return err
		}
		_, who, err := actingUser(ctx, c)
		if err != nil {
			return err
		}
		if _, err := c.exec(ctx, `INSERT INTO measure_settings (place_id, measures, threshold, round_to, updated_at, updated_by)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (place_id) DO UPDATE SET measures = excluded.measures, threshold = excluded.threshold,
				round_to = excluded.round_to, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			st.PlaceID, strings.Join(codes, " "), rule.Threshold, rule.RoundTo, s.db.Now(), who); err != nil {
			return err
		}
		st.Measures = make([]linkwork.MeasureCode, len(codes))
		for i, code := range codes {
			st.Measures[i] = linkwork.MeasureCode(code)
		}
		return s.db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: st.PlaceID, Action: linkwork.AuditMeasureSettings,
			RecordType: "place", RecordID: idString(st.PlaceID),
			Detail: fmt.Sprintf("%d measures; counts of 1 to %d hidden, others rounded to %d", len(codes), rule.Threshold, rule.RoundTo)})
	})
}

// builtInMeasure reports whether code is in the catalogue.
func builtInMeasure(code linkwork.MeasureCode) bool {
	return slices.ContainsFunc(linkwork.BuiltInMeasures, func(d linkwork.MeasureDefinition) bool { return d.Code == code })
}

// placeExists answers ENOTFOUND for a place that does not exist.
func placeExists(ctx context.Context, c conn, placeID int64) error {
	var one int
	return notFound(c.queryRow(ctx, "SELECT 1 FROM places WHERE id = ?", []any{placeID}, &one), "Place")
}

// CreateLocalMeasure adds a measure of the place's own, setting its ID and creation time,
// with an audit event. Its name must differ from the place's other measures'.
func (s *MeasureService) CreateLocalMeasure(ctx context.Context, m *linkwork.LocalMeasure) error {
	if m == nil {
		return linkwork.Errorf(linkwork.EINVALID, "There is no measure to save.")
	}
	m.Name, m.Definition, m.Unit = strings.TrimSpace(m.Name), strings.TrimSpace(m.Definition), strings.TrimSpace(m.Unit)
	var ps linkwork.Problems
	ps.Add(checkMeasureText("name", "Name the measure", m.Name, maxLocalMeasureName))
	ps.Add(checkMeasureText("definition", "Say exactly what is counted, so that every organisation counts the same", m.Definition, maxLocalMeasureDefinition))
	ps.Add(checkMeasureText("unit", "Say what is counted, such as talks or hours", m.Unit, maxLocalMeasureUnit))
	if err := ps.Err(); err != nil {
		return err
	}
	return s.db.tx(ctx, func(c conn) error {
		if err := placeExists(ctx, c, m.PlaceID); err != nil {
			return err
		}
		now := s.db.Now()
		id, err := c.insert(ctx, `INSERT INTO local_measures (place_id, name, definition, unit, about_people, retired, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, m.PlaceID, m.Name, m.Definition, m.Unit, m.AboutPeople, false, now)
		if linkwork.ErrorCode(err) == linkwork.ECONFLICT {
			return linkwork.FieldError("name", "This place already has a measure called %q: choose another name.", m.Name)
		}
		if err != nil {
			return err
		}
		m.ID, m.Retired, m.CreatedAt = id, false, now
		return s.db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: m.PlaceID, Action: linkwork.AuditLocalMeasure,
			RecordType: "local_measure", RecordID: idString(id), Detail: "added " + m.Name})
	})
}

// checkMeasureText checks a required piece of text against its length.
func checkMeasureText(field, ask, v string, max int) error {
	switch {
	case v == "":
		return linkwork.FieldError(field, "%s.", ask)
	case utf8.RuneCountInString(v) > max:
		return linkwork.FieldError(field, "Keep this to %d characters or fewer (it has %d).", max, utf8.RuneCountInString(v))
	case !utf8.ValidString(v) || strings.ContainsRune(v, 0):
		return linkwork.FieldError(field, "This has characters that cannot be stored: type it again.")
	}
	return nil
}

// ListLocalMeasures returns the place's own measures, retired ones too, in the order added.
func (s *MeasureService) ListLocalMeasures(ctx context.Context, placeID int64) ([]*linkwork.LocalMeasure, error) {
	out := []*linkwork.LocalMeasure{}
	err := s.db.read().eachRow(ctx, `SELECT id, place_id, name, definition, unit, about_people, retired, created_at
		FROM local_measures WHERE place_id = ? ORDER BY id`, []any{placeID}, func(scan func(...any) error) error {
		m := &linkwork.LocalMeasure{}
		if err := scan(&m.ID, &m.PlaceID, &m.Name, &m.Definition, &m.Unit, &m.AboutPeople, &m.Retired, &m.CreatedAt); err != nil {
			return err
		}
		m.CreatedAt = m.CreatedAt.UTC()
		out = append(out, m)
		return nil
	})
	return out, err
}

// SetLocalMeasureValue stores an organisation's value of a local measure for a month (any
// moment in it stands for the month), replacing what was there, with an audit event. The
// organisation must be in the measure's place, the measure not retired, and the month
// neither in the future nor before 2000.
func (s *MeasureService) SetLocalMeasureValue(ctx context.Context, v *linkwork.LocalMeasureValue) error {
	if v == nil {
		return linkwork.Errorf(linkwork.EINVALID, "There is no value to save.")
	}
	now := s.db.Now()
	var ps linkwork.Problems
	month := time.Date(v.Month.Year(), v.Month.Month(), 1, 0, 0, 0, 0, time.UTC)
	y, m, _ := now.In(london).Date()
	thisMonth := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	switch {
	case v.Month.IsZero():
		ps.Add(linkwork.FieldError("month", "Choose the month the value is for."))
	case month.After(thisMonth):
		ps.Add(linkwork.FieldError("month", "The month cannot be in the future: choose %s or an earlier month.", thisMonth.Format("January 2006")))
	case month.Year() < 2000:
		ps.Add(linkwork.FieldError("month", "Choose a month from January 2000 on."))
	}
	if v.Value < 0 || v.Value > maxLocalMeasureValue {
		ps.Add(linkwork.FieldError("value", "Enter the value as a whole number from 0 to %d.", maxLocalMeasureValue))
	}
	return s.db.checkThenWrite(ctx, ps, func(c conn) error {
		var placeID int64
		var name string
		var retired bool
		err := c.queryRow(ctx, "SELECT place_id, name, retired FROM local_measures WHERE id = ?", []any{v.MeasureID}, &placeID, &name, &retired)
		if errors.Is(err, sql.ErrNoRows) {
			ps.Add(linkwork.FieldError("measure_id", "There is no local measure %d: choose one of the place's measures.", v.MeasureID))
		} else if err != nil {
			return err
		} else if retired {
			ps.Add(linkwork.FieldError("measure_id", "%s is no longer collected, so no more values can be entered for it.", name))
		}
		var orgPlace int64
		err = c.queryRow(ctx, "SELECT place_id FROM organisations WHERE id = ?", []any{v.OrganisationID}, &orgPlace)
		switch {
		case errors.Is(err, sql.ErrNoRows), err == nil && placeID != 0 && orgPlace != placeID:
			ps.Add(linkwork.FieldError("organisation_id", "Choose an organisation of the place the measure belongs to."))
		case err != nil:
			return err
		}
		if err := ps.Err(); err != nil {
			return err
		}
		_, who, err := actingUser(ctx, c)
		if err != nil {
			return err
		}
		if _, err := c.exec(ctx, `INSERT INTO local_measure_values (measure_id, organisation_id, month, value, updated_at, updated_by)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (measure_id, organisation_id, month) DO UPDATE SET value = excluded.value,
				updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			v.MeasureID, v.OrganisationID, month.Format("2006-01"), v.Value, now, who); err != nil {
			return err
		}
		v.Month, v.UpdatedAt, v.UpdatedBy = month, now, who
		return s.db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: placeID, Action: linkwork.AuditLocalMeasure,
			RecordType: "local_measure", RecordID: idString(v.MeasureID),
			Detail: fmt.Sprintf("%s, %s: organisation %d entered %d", name, month.Format("January 2006"), v.OrganisationID, v.Value)})
	})
}

// Facts returns a place's facts for a scope and months, inclusive ("2026-04"), ordered by
// month, fact and key; "" for either month leaves that end open (people supported over a
// period are counted from every month before it).
func (s *MeasureService) Facts(ctx context.Context, placeID int64, scope linkwork.Scope, fromMonth, toMonth string) ([]*linkwork.MeasureFact, error) {
	q := `SELECT scope_kind, scope_key, month, fact, key, n, total FROM measure_facts
		WHERE place_id = ? AND scope_kind = ? AND scope_key = ?`
	args := []any{placeID, string(scope.Kind), scope.Key}
	if fromMonth != "" {
		q += " AND month >= ?"
		args = append(args, fromMonth)
	}
	if toMonth != "" {
		q += " AND month <= ?"
		args = append(args, toMonth)
	}
	out := []*linkwork.MeasureFact{}
	err := s.db.reporting().eachRow(ctx, q+" ORDER BY month, fact, key", args, func(scan func(...any) error) error {
		f := &linkwork.MeasureFact{PlaceID: placeID}
		var kind string
		if err := scan(&kind, &f.ScopeKey, &f.Month, &f.Fact, &f.Key, &f.N, &f.Total); err != nil {
			return err
		}
		f.ScopeKind = linkwork.ScopeKind(kind)
		out = append(out, f)
		return nil
	})
	return out, err
}

// DashboardFacts returns a scope's facts for the months; its support_starts and
// support_ends before them summed by key under the month "0000-01"; and its link workers'
// support_starts in the months summed by key under fromMonth (the caseload table reads
// their sum over the period, and nothing reads their support_ends in it). A place has a
// row a link worker for each, instead of one a link worker a month.
func (s *MeasureService) DashboardFacts(ctx context.Context, placeID int64, scope linkwork.Scope, fromMonth, toMonth string) ([]*linkwork.MeasureFact, error) {
	// Keys from "worker:" up to "worker;" (the next character) are the link workers'.
	q := `SELECT month, fact, key, n, total FROM measure_facts
		WHERE place_id = ? AND scope_kind = ? AND scope_key = ? AND month >= ? AND month <= ?
		AND NOT (fact IN ('support_starts', 'support_ends') AND key >= 'worker:' AND key < 'worker;')
		UNION ALL
		SELECT CAST(? AS TEXT), fact, key, SUM(n), SUM(total) FROM measure_facts
		WHERE place_id = ? AND scope_kind = ? AND scope_key = ? AND month >= ? AND month <= ?
		AND fact = 'support_starts' AND key >= 'worker:' AND key < 'worker;'
		GROUP BY fact, key
		UNION ALL
		SELECT '0000-01', fact, key, SUM(n), SUM(total) FROM measure_facts
		WHERE place_id = ? AND scope_kind = ? AND scope_key = ? AND month < ? AND fact IN ('support_starts', 'support_ends')
		GROUP BY fact, key`
	kind := string(scope.Kind)
	args := []any{placeID, kind, scope.Key, fromMonth, toMonth,
		fromMonth, placeID, kind, scope.Key, fromMonth, toMonth,
		placeID, kind, scope.Key, fromMonth}
	out := []*linkwork.MeasureFact{}
	err := s.db.reporting().eachRow(ctx, q, args, func(scan func(...any) error) error {
		f := &linkwork.MeasureFact{PlaceID: placeID, ScopeKind: scope.Kind, ScopeKey: scope.Key}
		if err := scan(&f.Month, &f.Fact, &f.Key, &f.N, &f.Total); err != nil {
			return err
		}
		out = append(out, f)
		return nil
	})
	return out, err
}

// SchemeReferrals returns every scheme's referrals ("referrals" facts keyed "all") summed
// over the months, one row a scheme under the month fromMonth, through the partial index
// measure_facts_scheme_referrals.
func (s *MeasureService) SchemeReferrals(ctx context.Context, placeID int64, fromMonth, toMonth string) ([]*linkwork.MeasureFact, error) {
	q := `SELECT scope_key, SUM(n), SUM(total) FROM measure_facts
		WHERE place_id = ? AND scope_kind = 'scheme' AND fact = 'referrals' AND key = 'all'`
	args := []any{placeID}
	if fromMonth != "" {
		q += " AND month >= ?"
		args = append(args, fromMonth)
	}
	if toMonth != "" {
		q += " AND month <= ?"
		args = append(args, toMonth)
	}
	out := []*linkwork.MeasureFact{}
	err := s.db.reporting().eachRow(ctx, q+" GROUP BY scope_key ORDER BY scope_key", args, func(scan func(...any) error) error {
		f := &linkwork.MeasureFact{PlaceID: placeID, ScopeKind: linkwork.ScopeScheme, Month: fromMonth, Fact: linkwork.FactReferrals, Key: "all"}
		if err := scan(&f.ScopeKey, &f.N, &f.Total); err != nil {
			return err
		}
		out = append(out, f)
		return nil
	})
	return out, err
}

// State says how current a place's facts are: current when they were made after the last
// change counted (a place never aggregated is not current).
func (s *MeasureService) State(ctx context.Context, placeID int64) (*linkwork.MeasureState, error) {
	c := s.db.read()
	if err := placeExists(ctx, c, placeID); err != nil {
		return nil, err
	}
	st := &linkwork.MeasureState{PlaceID: placeID}
	var changeSeq, aggregatedSeq int64
	var changed, aggregated sql.NullTime
	err := c.queryRow(ctx, "SELECT change_seq, aggregated_seq, changed_at, aggregated_at FROM measure_state WHERE place_id = ?",
		[]any{placeID}, &changeSeq, &aggregatedSeq, &changed, &aggregated)
	if errors.Is(err, sql.ErrNoRows) {
		return st, nil
	}
	if err != nil {
		return nil, err
	}
	st.ChangedAt, st.AggregatedAt = timePtr(changed), timePtr(aggregated)
	st.Current = aggregated.Valid && changeSeq == aggregatedSeq
	return st, nil
}

// ChangedPlaces returns the places whose facts are not current, in order: those changed
// since their last aggregation, and those never aggregated (which includes places filled by
// a bulk load with PostgreSQL's triggers off, see BulkChecksOff).
func (s *MeasureService) ChangedPlaces(ctx context.Context) ([]int64, error) {
	var out []int64
	err := s.db.read().eachRow(ctx, `SELECT p.id FROM places p LEFT JOIN measure_state s ON s.place_id = p.id
		WHERE s.place_id IS NULL OR s.aggregated_at IS NULL OR s.change_seq <> s.aggregated_seq ORDER BY p.id`, nil,
		func(scan func(...any) error) error {
			var id int64
			err := scan(&id)
			out = append(out, id)
			return err
		})
	return out, err
}

// markAllMeasuresChanged counts a change for every place, as a change to the postcodes or
// LSOAs every place's facts are counted with is.
func markAllMeasuresChanged(ctx context.Context, c conn, now time.Time) error {
	_, err := c.exec(ctx, `INSERT INTO measure_state (place_id, change_seq, aggregated_seq, changed_at)
		SELECT id, 1, 0, ? FROM places WHERE true
		ON CONFLICT (place_id) DO UPDATE SET change_seq = measure_state.change_seq + 1, changed_at = excluded.changed_at`, now)
	return err
}

// markMeasuresChanged counts a change to a place's records, as the triggers of migration 0015
// do, for a bulk load that turned them off.
func markMeasuresChanged(ctx context.Context, c conn, placeID int64, now time.Time) error {
	_, err := c.exec(ctx, `INSERT INTO measure_state (place_id, change_seq, aggregated_seq, changed_at) VALUES (?, 1, 0, ?)
		ON CONFLICT (place_id) DO UPDATE SET change_seq = measure_state.change_seq + 1, changed_at = excluded.changed_at`,
		placeID, now)
	return err
}
