package sqldb

import (
	"context"
	"time"

	"linkwork"
)

// AllFacts returns every fact of a place, of every scope, in the order
// MeasureFactsFromRecords gives them: for tests that compare the two.
func (s *MeasureService) AllFacts(ctx context.Context, placeID int64) ([]*linkwork.MeasureFact, error) {
	out := []*linkwork.MeasureFact{}
	err := s.db.read().eachRow(ctx, `SELECT scope_kind, scope_key, month, fact, key, n, total FROM measure_facts WHERE place_id = ?`,
		[]any{placeID}, func(scan func(...any) error) error {
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

// LondonDays works out the London date of each instant as the aggregation does.
func (s *MeasureService) LondonDays(ctx context.Context, instants []time.Time) ([]string, error) {
	q := factSQL{postgres: s.db.dialect.name() == "postgres"}
	at := "SELECT ? AS at"
	if q.postgres {
		at = "SELECT CAST(? AS TIMESTAMPTZ) AS at"
	}
	out := make([]string, len(instants))
	for i, t := range instants {
		if err := s.db.read().queryRow(ctx, "SELECT "+q.londonDay("x.at")+" FROM ("+at+") x", []any{t.UTC()}, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// AggregateWithAnotherBetween aggregates a place on SQLite as Aggregate does, running
// between counting the facts and writing them what another aggregation might do.
func (s *MeasureService) AggregateWithAnotherBetween(ctx context.Context, placeID int64, between func()) (int, error) {
	sc, err := s.db.db.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer sc.Close()
	c := conn{q: sc, d: s.db.dialect}
	for _, t := range aggregateTables {
		if _, err := c.exec(ctx, "DROP TABLE IF EXISTS temp."+t); err != nil {
			return 0, err
		}
	}
	a, err := s.countFacts(ctx, c, placeID, "")
	if err != nil {
		return 0, err
	}
	between()
	s.db.writeMu.Lock()
	defer s.db.writeMu.Unlock()
	tx, err := sc.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	if err := a.write(ctx, conn{q: tx, d: s.db.dialect}, s.db.Now()); err != nil {
		_ = tx.Rollback()
		return 0, err
	}
	return a.total, tx.Commit()
}
