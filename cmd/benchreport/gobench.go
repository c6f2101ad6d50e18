package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The Go benchmarks of the hot paths, run briefly (a few dozen iterations each) beside the
// load test: the store's search and its engine floor, creating referrals, the caseload, the
// waiting list and the dashboards; the Open Referral UK search through the whole server; and
// the casework pages. docs/performance.md's sections have the longer runs.

// goBench is one `go test -bench` run.
type goBench struct {
	pkg, pattern, benchtime string
	env                     []string
}

// command is the run as it would be typed.
func (g goBench) command() string {
	return strings.TrimSpace(strings.Join(g.env, " ") + " go test " + g.pkg + " -run '^$' -bench '" + g.pattern + "' -benchtime " + g.benchtime)
}

// goBenchResult is one benchmark's line of output.
type goBenchResult struct {
	Name    string
	Runs    int
	Metrics map[string]float64 // by unit: "ns/op", "median-ns/op", "p95-ns/op", "facts", …
	// Order is the units in the order the line gave them.
	Order []string
}

// goBenches are the runs for the databases benchmarked and the data sets' scale (the search
// benchmark's directory is scaled to the data set's number of services).
func goBenches(scaleServices int, sets map[string]dataset) []goBench {
	var env []string
	if _, ok := sets["postgres"]; !ok {
		env = append(env, "LINKWORK_TEST_POSTGRES=off")
	}
	dashboards := goBench{pkg: "./sqldb", pattern: "^BenchmarkMeasureDashboard$", benchtime: "5x", env: slices.Clone(env)}
	var only []string
	for _, d := range []string{"sqlite", "postgres"} {
		if ds, ok := sets[d]; ok {
			dashboards.env = append(dashboards.env, "LINKWORK_BENCH_MEASURES_"+strings.ToUpper(d)+"="+ds.url)
			only = append(only, d)
		}
	}
	dashboards.pattern += "/(" + strings.Join(only, "|") + ")$"
	return []goBench{
		{pkg: "./sqldb", pattern: "^BenchmarkSearch(Floor)?$", benchtime: "30x",
			env: append(slices.Clone(env), "LINKWORK_BENCH_SCALE="+strconv.FormatFloat(float64(scaleServices)/100_000, 'g', -1, 64))},
		{pkg: "./sqldb", pattern: "^BenchmarkCreateReferral$", benchtime: "100x", env: env},
		{pkg: "./sqldb", pattern: "^(BenchmarkCaseload|BenchmarkWaitingList)$", benchtime: "30x", env: env},
		dashboards,
		{pkg: "./server", pattern: "^BenchmarkORUKSearch$", benchtime: "300x", env: env},
		{pkg: "./web", pattern: "^BenchmarkCaseworkPages$", benchtime: "30x", env: env},
	}
}

// run runs the benchmarks in dir and returns their results.
func (g goBench) run(ctx context.Context, dir string, timeout time.Duration) ([]goBenchResult, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "test", g.pkg, "-run", "^$", "-bench", g.pattern, "-benchtime", g.benchtime, "-count", "1",
		"-timeout", timeout.String())
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), g.env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s: %v\n%s", g.command(), err, out.String())
	}
	res, err := parseGoBench(out.String())
	if err != nil {
		return nil, fmt.Errorf("%s: %v\n%s", g.command(), err, out.String())
	}
	return res, nil
}

// parseGoBench reads the benchmark lines of `go test -bench` output:
//
//	BenchmarkSearch/sqlite/text+need+5km-2   30   8245012 ns/op   7546 results   7790000 median-ns/op
func parseGoBench(output string) ([]goBenchResult, error) {
	var out []goBenchResult
	for line := range strings.SplitSeq(output, "\n") {
		fields := strings.Fields(line)
		if len(fields) < 4 || !strings.HasPrefix(fields[0], "Benchmark") {
			continue
		}
		runs, err := strconv.Atoi(fields[1])
		if err != nil {
			continue // a benchmark's own log line, not its result
		}
		if len(fields)%2 != 0 {
			return nil, fmt.Errorf("benchmark line with a value but no unit: %q", line)
		}
		r := goBenchResult{Name: fields[0], Runs: runs, Metrics: map[string]float64{}}
		for i := 2; i < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				return nil, fmt.Errorf("benchmark line: %q is not a number in %q", fields[i], line)
			}
			r.Metrics[fields[i+1]] = v
			r.Order = append(r.Order, fields[i+1])
		}
		out = append(out, r)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no benchmark results in the output")
	}
	return out, nil
}
