package sqldb_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"linkwork"
	"linkwork/sqldb"
)

// BenchmarkMeasureDashboard is what a dashboard costs in the store and the domain: the
// scope's context (names, the place's LSOAs by decile, waiting now), its facts from the first
// month held, the schemes' referrals (for the place), the state, building the dashboard of
// every built-in measure for the last 12 months and making it safe. The web page adds its
// template on top. The place is the kept generated place of BenchmarkAggregate (50,000
// people), aggregated first unless its facts are current.
//
//	go test ./sqldb -run '^$' -bench MeasureDashboard -benchtime 10x
func BenchmarkMeasureDashboard(b *testing.B) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		b.Run(dialect, func(b *testing.B) {
			db, placeID := measuresBenchPlace(b, dialect)
			ctx := linkwork.NewContextWithActor(context.Background(), linkwork.Actor{Label: "benchmark"})
			m := sqldb.NewMeasureService(db)
			if st, err := m.State(ctx, placeID); err != nil {
				b.Fatal(err)
			} else if !st.Current {
				if _, err := m.Aggregate(ctx, placeID); err != nil {
					b.Fatal(err)
				}
			}
			var scheme int64
			if err := db.QueryRow(ctx, "SELECT scheme_id FROM referrals WHERE place_id = ? GROUP BY scheme_id ORDER BY COUNT(*) DESC, scheme_id LIMIT 1", []any{placeID}, &scheme); err != nil {
				b.Fatal(err)
			}
			to := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
			from := to.AddDate(0, -11, 0)
			for _, scope := range []linkwork.Scope{{Kind: linkwork.ScopePlace}, {Kind: linkwork.ScopeScheme, Key: strconv.FormatInt(scheme, 10)}} {
				b.Run(string(scope.Kind), func(b *testing.B) {
					for range b.N {
						mc, err := m.MeasureContext(ctx, placeID, scope)
						if err != nil {
							b.Fatal(err)
						}
						facts, err := m.DashboardFacts(ctx, placeID, scope, from.Format("2006-01"), to.Format("2006-01"))
						if err != nil {
							b.Fatal(err)
						}
						if scope.Kind == linkwork.ScopePlace {
							more, err := m.SchemeReferrals(ctx, placeID, from.Format("2006-01"), to.Format("2006-01"))
							if err != nil {
								b.Fatal(err)
							}
							facts = append(facts, more...)
						}
						if _, err := m.State(ctx, placeID); err != nil {
							b.Fatal(err)
						}
						var codes []linkwork.MeasureCode
						for _, d := range linkwork.BuiltInMeasures {
							codes = append(codes, d.Code)
						}
						d := linkwork.BuildDashboard(linkwork.BuiltInMeasures, linkwork.MeasureQuery{PlaceID: placeID, Scope: scope,
							From: from, To: to, Measures: codes}, facts, mc)
						d.Suppress(linkwork.DefaultSuppression)
						b.ReportMetric(float64(len(facts)), "facts")
					}
				})
			}
		})
	}
}
