package main

import (
	"os"
	"strings"
	"testing"
)

// testdata/gobench-search.txt is the real output of
// LINKWORK_BENCH_SCALE=0.02 go test ./sqldb -run '^$' -bench '^BenchmarkSearch(Floor)?$' -benchtime 30x.
func TestParseGoBench(t *testing.T) {
	out, err := os.ReadFile("testdata/gobench-search.txt")
	if err != nil {
		t.Fatal(err)
	}
	res, err := parseGoBench(string(out))
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 4 {
		t.Fatalf("%d results, want 4: %+v", len(res), res)
	}
	first := res[0]
	if first.Name != "BenchmarkSearch/sqlite/text+need+5km-2" || first.Runs != 30 || first.Metrics["ns/op"] != 5431093 ||
		first.Metrics["median-ns/op"] != 2689440 || first.Metrics["p95-ns/op"] != 13816486 || first.Metrics["results"] != 142 {
		t.Fatalf("first result %+v", first)
	}
	if strings.Join(first.Order, " ") != "ns/op median-ns/op p95-ns/op results" {
		t.Fatalf("units in the order %v", first.Order)
	}
	if last := res[3]; last.Name != "BenchmarkSearchFloor/postgres-2" || last.Metrics["statements"] != 11 {
		t.Fatalf("last result %+v", last)
	}
}

func TestParseGoBenchRefuses(t *testing.T) {
	if _, err := parseGoBench("goos: linux\nPASS\nok  \tlinkwork/sqldb\t1.0s\n"); err == nil {
		t.Fatal("output without results was read")
	}
	if _, err := parseGoBench("BenchmarkX-2   10   123 ns/op   7\n"); err == nil {
		t.Fatal("a value without its unit was read")
	}
	// A benchmark's log line that starts like a result is not one.
	res, err := parseGoBench("BenchmarkX built the directory in 3s\nBenchmarkX-2   10   123 ns/op\n")
	if err != nil || len(res) != 1 || res[0].Metrics["ns/op"] != 123 {
		t.Fatalf("got %+v, %v", res, err)
	}
}

func TestGoBenchesForOneDatabase(t *testing.T) {
	runs := goBenches(2000, map[string]dataset{"sqlite": {dialect: "sqlite", url: "sqlite:/tmp/x.db"}})
	for _, g := range runs {
		if !strings.Contains(g.command(), "LINKWORK_TEST_POSTGRES=off") {
			t.Errorf("%s would use PostgreSQL", g.command())
		}
	}
	if c := runs[0].command(); !strings.Contains(c, "LINKWORK_BENCH_SCALE=0.02") {
		t.Errorf("the search at place scale: %s", c)
	}
	var dashboards string
	for _, g := range runs {
		if strings.Contains(g.pattern, "MeasureDashboard") {
			dashboards = g.command()
		}
	}
	if !strings.Contains(dashboards, "LINKWORK_BENCH_MEASURES_SQLITE=sqlite:/tmp/x.db") || !strings.Contains(dashboards, "/(sqlite)$") {
		t.Errorf("the dashboards on the data set: %s", dashboards)
	}
}
