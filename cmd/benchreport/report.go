package main

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"time"
)

// The report: a table of every endpoint on every database, with its floors, and the Go
// benchmarks, written into docs/performance.md between two marker comments, replacing what
// was there.

const (
	beginMarker = "<!-- bench:begin -->"
	endMarker   = "<!-- bench:end -->"
)

// loadRow is one endpoint measured on one database.
type loadRow struct {
	Endpoint, Database string
	// One is the run at one connection (the latency of a request alone); Many the run at
	// many (the throughput).
	One, Many wrkSummary
	// Connections is how many connections the throughput run had.
	Connections int
	// RSSPeak is the server's greatest resident memory during both runs, in kB.
	RSSPeak int64
	// Load is the 1-minute load average when the row's runs began.
	Load float64
	// EngineFloor is the median of the endpoint's main statements run alone; FloorWhat says
	// which they are.
	EngineFloor time.Duration
	FloorWhat   string
}

// report is everything one run of benchreport found.
type report struct {
	Date       string
	Command    string
	Scale      string
	DataSet    string // how the data was made, in words
	Machine    string
	Settings   string // wrk's settings, in words
	LoadBefore string
	LoadAfter  string
	HTTPFloor  loadRow // the minimal net/http handler, measured like the endpoints
	Rows       []loadRow
	Memory     []string // per database: the server's memory at rest and its peak
	GoCommands []string
	GoResults  []goBenchResult
	// GoFailures are the Go benchmark runs that failed, with why.
	GoFailures  []string
	Connections int
	// Notes are said under the table: failed requests, targets met or missed.
	Notes []string
}

// markdown writes the report as the text that goes between the markers.
func (r *report) markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n<!-- written by `make bench` (cmd/benchreport); edits between these markers are replaced -->\n\n", beginMarker)
	fmt.Fprintf(&b, "**%s**, scale `%s` (%s). `%s`. %s. %s. Load average (1, 5, 15 minutes) %s before and %s after.\n\n",
		r.Date, r.Scale, r.DataSet, r.Command, r.Machine, r.Settings, r.LoadBefore, r.LoadAfter)
	fmt.Fprintf(&b, "| endpoint | database | median | p95 | p99 | requests/s (%d conn.) | median (%d conn.) | server RSS, peak | load | engine floor | ÷ engine floor | ÷ net/http floor |\n",
		r.Connections, r.Connections)
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, row := range r.Rows {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s | %.1f | %s | %s | %s |\n",
			row.Endpoint, row.Database, ms(row.One.P50), ms(row.One.P95), ms(row.One.P99), perSecond(row.Many.PerSecond()),
			ms(row.Many.P50), mb(row.RSSPeak), row.Load, ms(row.EngineFloor), ratio(row.One.P50, row.EngineFloor),
			ratio(row.One.P50, r.HTTPFloor.One.P50))
	}
	h := r.HTTPFloor
	fmt.Fprintf(&b, "| *net/http floor* (a handler writing %d bytes) | | %s | %s | %s | %s | %s | | %.1f | | | |\n\n",
		len(floorBody), ms(h.One.P50), ms(h.One.P95), ms(h.One.P99), perSecond(h.Many.PerSecond()), ms(h.Many.P50), h.Load)
	b.WriteString("Median, p95 and p99 are of requests sent one at a time (one connection): what a request costs. Requests a second, and " +
		"the median beside them, are with the connections open at once: what the server sustains, with the load generator on the same " +
		"two cores. The engine floor is the median of the endpoint's main statements run alone through database/sql, with no " +
		"linkwork code (which statements: below); the ratios divide the endpoint's median by each floor.\n\n")
	for _, n := range r.Notes {
		b.WriteString("- " + n + "\n")
	}
	if len(r.Notes) > 0 {
		b.WriteString("\n")
	}
	b.WriteString("Engine floors, the statements each endpoint's floor runs (copied from the store, `sqldb`):\n\n")
	for _, f := range floorLines(r.Rows) {
		b.WriteString("- " + f + "\n")
	}
	b.WriteString("\n")
	for _, m := range r.Memory {
		b.WriteString("- " + m + "\n")
	}
	if len(r.Memory) > 0 {
		b.WriteString("\n")
	}
	if len(r.GoResults) > 0 {
		b.WriteString("Go benchmarks of the hot paths, briefly (the sections above have longer runs):\n\n```sh\n")
		for _, c := range r.GoCommands {
			b.WriteString(c + "\n")
		}
		b.WriteString("```\n\n| benchmark | runs | mean | median | p95 | other |\n|---|---|---|---|---|---|\n")
		for _, g := range r.GoResults {
			var other []string
			for _, unit := range g.Order {
				if unit == "ns/op" || unit == "median-ns/op" || unit == "p95-ns/op" {
					continue
				}
				other = append(other, formatMetric(g.Metrics[unit], unit))
			}
			fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %s |\n", g.Name, g.Runs, nsMetric(g.Metrics, "ns/op"),
				nsMetric(g.Metrics, "median-ns/op"), nsMetric(g.Metrics, "p95-ns/op"), strings.Join(other, ", "))
		}
		b.WriteString("\n")
	}
	for _, f := range r.GoFailures {
		b.WriteString("- Go benchmarks: " + f + "\n")
	}
	if len(r.GoFailures) > 0 {
		b.WriteString("\n")
	}
	b.WriteString(endMarker)
	return b.String()
}

// floorLines says, for each endpoint in order, what its engine floor runs on each database.
func floorLines(rows []loadRow) []string {
	var names []string
	whats := map[string][]string{}
	dbs := map[string][]string{}
	for _, row := range rows {
		if row.FloorWhat == "" {
			continue
		}
		if _, ok := whats[row.Endpoint]; !ok {
			names = append(names, row.Endpoint)
		}
		whats[row.Endpoint] = append(whats[row.Endpoint], row.FloorWhat)
		dbs[row.Endpoint] = append(dbs[row.Endpoint], row.Database)
	}
	var out []string
	for _, n := range names {
		w := whats[n]
		same := true
		for _, x := range w {
			same = same && x == w[0]
		}
		if same {
			out = append(out, n+": "+w[0])
			continue
		}
		var parts []string
		for i, x := range w {
			parts = append(parts, dbs[n][i]+", "+x)
		}
		out = append(out, n+": "+strings.Join(parts, "; "))
	}
	return out
}

// writeInto replaces the text between the markers in the document with the report; a
// document without the markers gets them, with the report, at its end.
func writeInto(doc []byte, section string) ([]byte, error) {
	begin := bytes.Index(doc, []byte(beginMarker))
	end := bytes.Index(doc, []byte(endMarker))
	switch {
	case begin < 0 && end < 0:
		out := bytes.TrimRight(doc, "\n")
		return append(append(out, "\n\n"...), section+"\n"...), nil
	case begin < 0 || end < 0 || end < begin:
		return nil, errors.New("the document has one marker without the other, or them in the wrong order: " + beginMarker + " … " + endMarker)
	}
	if bytes.Count(doc, []byte(beginMarker)) > 1 || bytes.Count(doc, []byte(endMarker)) > 1 {
		return nil, errors.New("the document has the markers more than once")
	}
	var out []byte
	out = append(out, doc[:begin]...)
	out = append(out, section...)
	out = append(out, doc[end+len(endMarker):]...)
	return out, nil
}

// writeReport writes the report into the document at path.
func writeReport(path string, r *report) error {
	doc, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	out, err := writeInto(doc, r.markdown())
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return os.WriteFile(path, out, 0o644)
}

// ms writes a duration in milliseconds, with the precision its size deserves.
func ms(d time.Duration) string {
	if d <= 0 {
		return "–"
	}
	v := float64(d) / float64(time.Millisecond)
	switch {
	case v < 1:
		return fmt.Sprintf("%.2f ms", v)
	case v < 100:
		return fmt.Sprintf("%.1f ms", v)
	}
	return fmt.Sprintf("%s ms", thousands(math.Round(v)))
}

// nsMetric writes a metric in ns as milliseconds, or a dash.
func nsMetric(m map[string]float64, unit string) string {
	v, ok := m[unit]
	if !ok {
		return "–"
	}
	return ms(time.Duration(v))
}

// formatMetric writes a benchmark's own metric.
func formatMetric(v float64, unit string) string {
	if strings.HasSuffix(unit, "-ns") {
		return strings.TrimSuffix(unit, "-ns") + " " + ms(time.Duration(v))
	}
	if v == math.Trunc(v) {
		return thousands(v) + " " + unit
	}
	return fmt.Sprintf("%.3g %s", v, unit)
}

// perSecond writes a rate with thousands separated.
func perSecond(v float64) string {
	if v <= 0 {
		return "–"
	}
	if v < 10 {
		return fmt.Sprintf("%.1f", v)
	}
	return thousands(math.Round(v))
}

// mb writes kB as MB.
func mb(kb int64) string {
	if kb <= 0 {
		return "–"
	}
	return fmt.Sprintf("%d MB", (kb+512)/1024)
}

// ratio writes a / b, or a dash when b is unknown.
func ratio(a, b time.Duration) string {
	if a <= 0 || b <= 0 {
		return "–"
	}
	r := float64(a) / float64(b)
	if r < 10 {
		return fmt.Sprintf("%.1f", r)
	}
	return thousands(math.Round(r))
}

// thousands writes a whole number with commas between thousands: 12,345.
func thousands(v float64) string {
	s := fmt.Sprintf("%.0f", math.Abs(v))
	var b strings.Builder
	if v < 0 {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
