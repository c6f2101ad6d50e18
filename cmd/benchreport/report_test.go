package main

import (
	"strings"
	"testing"
	"time"
)

func TestWriteInto(t *testing.T) {
	section := beginMarker + "\nnew table\n" + endMarker
	for _, c := range []struct {
		name, doc, want string
	}{
		{"replaces the old table", "# Performance\n\nBefore.\n\n" + beginMarker + "\nold table\n" + endMarker + "\n\nAfter.\n",
			"# Performance\n\nBefore.\n\n" + section + "\n\nAfter.\n"},
		{"adds the markers at the end", "# Performance\n\nBefore.\n\n\n", "# Performance\n\nBefore.\n\n" + section + "\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := writeInto([]byte(c.doc), section)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != c.want {
				t.Fatalf("got\n%s\nwant\n%s", got, c.want)
			}
			// Writing again changes nothing more.
			again, err := writeInto(got, section)
			if err != nil || string(again) != c.want {
				t.Fatalf("a second write gave\n%s\n(%v)", again, err)
			}
		})
	}
	for _, doc := range []string{
		"only " + beginMarker + " here",
		endMarker + " before " + beginMarker,
		beginMarker + endMarker + beginMarker + endMarker,
	} {
		if _, err := writeInto([]byte(doc), section); err == nil {
			t.Errorf("%q was written into", doc)
		}
	}
}

func TestMarkdown(t *testing.T) {
	row := func(endpoint, db string, p50 time.Duration, perSec float64, floor time.Duration) loadRow {
		return loadRow{Endpoint: endpoint, Database: db, Connections: 16, RSSPeak: 150 * 1024, Load: 1.25,
			One:         wrkSummary{Requests: 100, Duration: time.Second, P50: p50, P95: 2 * p50, P99: 3 * p50},
			Many:        wrkSummary{Requests: int(perSec * 10), Duration: 10 * time.Second, P50: 8 * p50},
			EngineFloor: floor, FloorWhat: "the " + endpoint + " statements"}
	}
	r := &report{Date: "2026-11-22", Scale: "place", Command: "make bench SCALE=place", Connections: 16,
		HTTPFloor: loadRow{Endpoint: "net/http floor", One: wrkSummary{P50: 40 * time.Microsecond}, Many: wrkSummary{Requests: 400000, Duration: 10 * time.Second}},
		Rows: []loadRow{
			row("directory search, API", "SQLite", 8*time.Millisecond, 240, 2*time.Millisecond),
			row("referral create, API", "PostgreSQL", 12*time.Millisecond, 250, 2*time.Millisecond),
			row("place dashboard", "PostgreSQL", 1500*time.Millisecond, 1.5, 80*time.Millisecond),
		},
		GoCommands: []string{"go test ./sqldb -run '^$' -bench '^BenchmarkSearch$' -benchtime 30x"},
		GoResults: []goBenchResult{{Name: "BenchmarkSearch/sqlite/text+need+5km-2", Runs: 30,
			Metrics: map[string]float64{"ns/op": 8245012, "median-ns/op": 7790000, "results": 7546}, Order: []string{"ns/op", "results", "median-ns/op"}}},
	}
	r.GoFailures = []string{"`go test ./web -run '^$' -bench '^BenchmarkCaseworkPages$' -benchtime 30x` failed: build failed"}
	r.Notes = append(failureNotes(r.Rows), targetNotes(r.Rows)...)
	md := r.markdown()
	for _, want := range []string{
		"| directory search, API | SQLite | 8.0 ms | 16.0 ms | 24.0 ms | 240 | 64.0 ms | 150 MB | 1.2 | 2.0 ms | 4.0 | 200 |",
		"| place dashboard | PostgreSQL | 1,500 ms | 3,000 ms | 4,500 ms | 1.5 | 12,000 ms | 150 MB | 1.2 | 80.0 ms | 19 | 37,500 |",
		"| *net/http floor* (a handler writing 25 bytes) | | 0.04 ms |",
		"| 40,000 |",
		"directory search, API within 3× its engine floor: **missed** (4.0×)",
		"referral create median under 30.0 ms: met (12.0 ms alone, 96.0 ms at 16 connections); 300 referrals a second: **missed** (250)",
		"place dashboard under 1,000 ms: **missed** (1,500 ms)",
		"server memory under 300 MB under load: met (150 MB at the peak)",
		"| BenchmarkSearch/sqlite/text+need+5km-2 | 30 | 8.2 ms | 7.8 ms | – | 7,546 results |",
		"- place dashboard: the place dashboard statements",
		"- Go benchmarks: `go test ./web -run '^$' -bench '^BenchmarkCaseworkPages$' -benchtime 30x` failed: build failed",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the report lacks %q:\n%s", want, md)
		}
	}
	if !strings.HasPrefix(md, beginMarker) || !strings.HasSuffix(md, endMarker) {
		t.Errorf("the report is not between the markers:\n%s", md)
	}
}

func TestFailureNotes(t *testing.T) {
	rows := []loadRow{{Endpoint: "caseload", Database: "SQLite",
		Many: wrkSummary{Requests: 2000, Unexpected: 3, Timeouts: 2, FirstUnexpected: "500 Internal Server Error"}}}
	notes := failureNotes(rows)
	if len(notes) != 1 || !strings.Contains(notes[0], "caseload, SQLite, many connections: 5 of 2,000 requests failed") ||
		!strings.Contains(notes[0], "`500 Internal Server Error`") {
		t.Fatalf("got %q", notes)
	}
}

func TestFormatting(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{ms(450 * time.Microsecond), "0.45 ms"},
		{ms(12345 * time.Microsecond), "12.3 ms"},
		{ms(1234567 * time.Microsecond), "1,235 ms"},
		{ms(0), "–"},
		{thousands(1234567), "1,234,567"},
		{thousands(999), "999"},
		{perSecond(7.25), "7.2"},
		{perSecond(12345.6), "12,346"},
		{mb(153600), "150 MB"},
		{ratio(3*time.Millisecond, time.Millisecond), "3.0"},
		{ratio(time.Second, time.Millisecond), "1,000"},
		{ratio(time.Second, 0), "–"},
		{formatMetric(2.5e6, "create-median-ns"), "create-median 2.5 ms"},
		{formatMetric(333.7, "referrals/s"), "334 referrals/s"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
