package sqldb_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"linkwork"
	"linkwork/data"
	"linkwork/gen"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"

	"github.com/jackc/pgx/v5"
)

// The benchmark directory: 100,000 services and 250,000 locations on the real HX postcodes,
// as the performance target asks. LINKWORK_BENCH_SCALE scales both (0.1 for a quick run).
// Each database keeps the directory it built, keyed by size, seed and schema, so that only the
// first run pays for building it: SQLite in a file under the user's cache directory,
// PostgreSQL in a schema of its own (LINKWORK_TEST_POSTGRES, as the tests use).
const (
	benchServices  = 100_000
	benchLocations = 250_000
	benchSeed      = 1
	// benchVersion changes when the generator or the schema changes what a cached directory
	// would hold.
	benchVersion = 6
)

func benchScale(b *testing.B) float64 {
	s := os.Getenv("LINKWORK_BENCH_SCALE")
	if s == "" {
		return 1
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f <= 0 || f > 10 {
		b.Fatalf("LINKWORK_BENCH_SCALE=%q: want a number from 0 to 10", s)
	}
	return f
}

// BenchmarkSearch measures the search the performance target names: text ("walking"), a need
// (physical activity) and within 5 km of a postcode (HX1 1AA, central Halifax), first page of
// 20, relevance order. It reports the median and 95th percentile of the iterations as well as
// the mean that ns/op is.
func BenchmarkSearch(b *testing.B) {
	scale := benchScale(b)
	services, locations := int(benchServices*scale), int(benchLocations*scale)
	for _, dialect := range sqldbtest.Dialects() {
		b.Run(dialect, func(b *testing.B) {
			db, dir, _ := benchDirectory(b, dialect, services, locations)
			b.Run("text+need+5km", func(b *testing.B) { runSearchBench(b, sqldb.NewSearchService(db), targetQuery(dir)) })
		})
	}
}

// targetQuery is the search the performance target names.
func targetQuery(dir *gen.Directory) linkwork.SearchQuery {
	return linkwork.SearchQuery{PlaceID: dir.Place.ID, Text: "walking", TermIDs: []int64{dir.Terms["need/physical_activity"]},
		Postcode: "HX1 1AA", RadiusKm: 5, Page: linkwork.Page{Number: 1, Size: 20}}
}

// BenchmarkSearchFloor measures the engine floor of BenchmarkSearch: the statements its
// search sends (recorded once, with their arguments), replayed through database/sql on a
// database handle of their own, every row read but not decoded. No linkwork code runs in the
// timed loop, so the ratio of BenchmarkSearch to this is what linkwork adds to what the
// engine must do. With LINKWORK_FLOOR_PSQL=FILE, the PostgreSQL statements are also written
// to FILE with their values inlined, for psql's \timing.
func BenchmarkSearchFloor(b *testing.B) {
	scale := benchScale(b)
	services, locations := int(benchServices*scale), int(benchLocations*scale)
	for _, dialect := range sqldbtest.Dialects() {
		b.Run(dialect, func(b *testing.B) {
			db, dir, dsn := benchDirectory(b, dialect, services, locations)
			stmts, err := sqldb.NewSearchService(db).SearchStatements(b.Context(), targetQuery(dir))
			if err != nil {
				b.Fatal(err)
			}
			if f := os.Getenv("LINKWORK_FLOOR_PSQL"); f != "" && dialect == "postgres" {
				if err := os.WriteFile(f, []byte(psqlScript(stmts)), 0o644); err != nil {
					b.Fatal(err)
				}
			}
			driver := map[string]string{"sqlite": "sqlite", "postgres": "pgx"}[dialect]
			raw, err := sql.Open(driver, dsn)
			if err != nil {
				b.Fatal(err)
			}
			defer raw.Close()
			run := func() {
				for _, st := range stmts {
					rows, err := raw.QueryContext(b.Context(), st.Query, st.Args...)
					if err != nil {
						b.Fatal(err)
					}
					cols, _ := rows.Columns()
					vals := make([]any, len(cols))
					for i := range vals {
						vals[i] = new(sql.RawBytes)
					}
					for rows.Next() {
						if err := rows.Scan(vals...); err != nil {
							b.Fatal(err)
						}
					}
					rows.Close()
				}
			}
			run()
			var times []time.Duration
			for b.Loop() {
				start := time.Now()
				run()
				times = append(times, time.Since(start))
			}
			slices.Sort(times)
			b.ReportMetric(float64(times[len(times)/2].Nanoseconds()), "median-ns/op")
			b.ReportMetric(float64(times[len(times)*95/100].Nanoseconds()), "p95-ns/op")
			b.ReportMetric(float64(len(stmts)), "statements")
		})
	}
}

// psqlScript writes statements for psql with their values inlined.
func psqlScript(stmts []sqldb.Statement) string {
	var b strings.Builder
	for _, st := range stmts {
		q := st.Query
		var args []any
		for _, a := range st.Args {
			if _, ok := a.(pgx.QueryExecMode); !ok {
				args = append(args, a)
			}
		}
		for i := len(args); i >= 1; i-- {
			var lit string
			switch v := args[i-1].(type) {
			case string:
				lit = "'" + strings.ReplaceAll(v, "'", "''") + "'"
			case float64:
				lit = strconv.FormatFloat(v, 'g', 17, 64)
			case bool:
				lit = strconv.FormatBool(v)
			case nil:
				lit = "NULL"
			default:
				lit = fmt.Sprint(v)
			}
			q = strings.ReplaceAll(q, "$"+strconv.Itoa(i), lit)
		}
		b.WriteString(strings.Join(strings.Fields(q), " ") + ";\n")
	}
	return b.String()
}

// BenchmarkSearchVariants measures other searches, for the record: typo correction,
// text alone, a need near a postcode without text, and browsing by name.
func BenchmarkSearchVariants(b *testing.B) {
	scale := benchScale(b)
	services, locations := int(benchServices*scale), int(benchLocations*scale)
	for _, dialect := range sqldbtest.Dialects() {
		b.Run(dialect, func(b *testing.B) {
			db, dir, _ := benchDirectory(b, dialect, services, locations)
			search := sqldb.NewSearchService(db)
			page := linkwork.Page{Number: 1, Size: 20}
			need := []int64{dir.Terms["need/physical_activity"]}
			for _, c := range []struct {
				name string
				q    linkwork.SearchQuery
			}{
				{"typo+need+5km", linkwork.SearchQuery{Text: "gardning", TermIDs: []int64{dir.Terms["need/nature_gardening"]},
					Postcode: "HX1 1AA", RadiusKm: 5, Page: page}},
				{"text", linkwork.SearchQuery{Text: "walking", Page: page}},
				{"two-words+need", linkwork.SearchQuery{Text: "knit natter", TermIDs: []int64{dir.Terms["need/loneliness"]}, Page: page}},
				{"need+5km-by-distance", linkwork.SearchQuery{TermIDs: need, Postcode: "HX1 1AA", RadiusKm: 5, Page: page}},
				{"need+1km+tuesday", linkwork.SearchQuery{TermIDs: need, Postcode: "HX1 1AA", RadiusKm: 1,
					Days: []time.Weekday{time.Tuesday}, Page: page}},
				{"browse", linkwork.SearchQuery{Page: page}},
			} {
				c.q.PlaceID = dir.Place.ID
				b.Run(c.name, func(b *testing.B) { runSearchBench(b, search, c.q) })
			}
		})
	}
}

func runSearchBench(b *testing.B, search *sqldb.SearchService, q linkwork.SearchQuery) {
	rs, total, err := search.Search(b.Context(), q)
	if err != nil {
		b.Fatal(err)
	}
	if len(rs) == 0 {
		b.Fatalf("%+v found nothing", q)
	}
	var times []time.Duration
	for b.Loop() {
		start := time.Now()
		if _, _, err := search.Search(b.Context(), q); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(start))
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Nanoseconds()), "median-ns/op")
	b.ReportMetric(float64(times[len(times)*95/100].Nanoseconds()), "p95-ns/op")
	b.ReportMetric(float64(total), "results")
}

// benchDirectory opens the cached benchmark directory of the dialect, building it first
// when there is none. It also returns the data source name of database/sql's driver for it.
func benchDirectory(b *testing.B, dialect string, services, locations int) (*sqldb.DB, *gen.Directory, string) {
	b.Helper()
	ctx := context.Background()
	key := fmt.Sprintf("s%d_l%d_seed%d_v%d", services, locations, benchSeed, benchVersion)
	db, u := keptBenchDB(b, dialect, "search", key, func(db *sqldb.DB) {
		postcodes, err := benchPostcodes()
		if err != nil {
			b.Fatal(err)
		}
		dir, err := gen.Load(ctx, db, gen.Options{Seed: benchSeed, Services: services, Locations: locations, Postcodes: postcodes}, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("%s: %d services, %d locations, %d organisations on %d postcodes", dialect, dir.Services, dir.Locations,
			dir.Organisations, len(postcodes))
	})
	dsn := u
	if path, ok := strings.CutPrefix(u, "sqlite:"); ok {
		// The read pragmas linkwork's own SQLite connections use (sqldb/dialect.go).
		dsn = "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=cache_size(-65536)"
	}
	dir, err := gen.Find(ctx, db, benchSeed)
	if err != nil {
		b.Fatal(err)
	}
	return db, dir, dsn
}

func benchPostcodes() ([]gen.Postcode, error) {
	f, err := data.HalifaxPostcodes()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return gen.ReadPostcodes(f)
}
