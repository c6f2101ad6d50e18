package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"linkwork/demo"
	"linkwork/server"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// BenchmarkORUKSearch serves /oruk/services?search= for the demonstration place through
// the whole server (middleware, router, handler, JSON), without a network, on each
// database: "kept" answers from the response cache, as a repeated request does; "made"
// has the cache off, so every request searches and loads its page. The load test in
// docs/performance.md measures the same over loopback.
//
//	go test -run '^$' -bench ORUKSearch -benchmem ./server/
func BenchmarkORUKSearch(b *testing.B) {
	for _, dialect := range sqldbtest.Dialects() {
		b.Run(dialect, func(b *testing.B) {
			db := sqldbtest.Open(b, dialect)
			ctx := context.Background()
			if _, err := demo.Load(ctx, db.Services(), []string{"HX1 1AA", "HX7 5AD", "HX5 0AB", "HX3 6AA", "HX2 0AA"}, "bench password only"); err != nil {
				b.Fatal(err)
			}
			if err := sqldb.NewSearchService(db).OptimizeSearch(ctx); err != nil {
				b.Fatal(err)
			}
			for _, c := range []struct {
				name  string
				bytes int
			}{{"kept", 0}, {"made", -1}} {
				b.Run(c.name, func(b *testing.B) { benchORUKSearch(b, db, c.bytes) })
			}
		})
	}
}

func benchORUKSearch(b *testing.B, db *sqldb.DB, cacheBytes int) {
	srv, err := server.New(server.Config{DB: db, Services: db.Services(), BaseURL: "http://linkwork.test",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Version: "bench", ORUKCacheBytes: cacheBytes})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/oruk/services?search=walking&place=1", nil))
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}
