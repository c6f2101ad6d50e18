package main

import (
	"os"
	"strings"
	"testing"
	"time"
)

// The testdata files are wrk's real output, with the scripts' summary line, from runs against
// a demonstration server: GET requests that all got 200, and referrals sent with a revoked
// token, all refused.
func TestParseWrkSummary(t *testing.T) {
	for _, c := range []struct {
		file                  string
		requests              int
		duration, p50, p99    time.Duration
		unexpected            int
		firstUnexpectedPrefix string
		perSecond             float64
	}{
		{file: "wrk-get.txt", requests: 390, duration: 2170208 * time.Microsecond, p50: 66329 * time.Microsecond,
			p99: 507453 * time.Microsecond, perSecond: 179.71},
		{file: "wrk-unexpected.txt", requests: 8818, duration: 1013183 * time.Microsecond, p50: 149 * time.Microsecond,
			p99: 25329 * time.Microsecond, unexpected: 8818, firstUnexpectedPrefix: "401 { error", perSecond: 8703.26},
	} {
		t.Run(c.file, func(t *testing.T) {
			out, err := os.ReadFile("testdata/" + c.file)
			if err != nil {
				t.Fatal(err)
			}
			s, err := parseWrkSummary(string(out))
			if err != nil {
				t.Fatal(err)
			}
			if s.Requests != c.requests || s.Duration != c.duration || s.P50 != c.p50 || s.P99 != c.p99 || s.Unexpected != c.unexpected {
				t.Fatalf("got %+v", s)
			}
			if s.P95 < s.P50 || s.P99 < s.P95 || s.Max < s.P99 || s.Mean <= 0 {
				t.Fatalf("percentiles out of order: %+v", s)
			}
			if !strings.HasPrefix(s.FirstUnexpected, c.firstUnexpectedPrefix) {
				t.Fatalf("first unexpected %q, want it to start %q", s.FirstUnexpected, c.firstUnexpectedPrefix)
			}
			if s.Failed() != c.unexpected {
				t.Fatalf("failed %d, want %d", s.Failed(), c.unexpected)
			}
			// wrk's own "Requests/sec:" line, to two places, agrees with the summary's count
			// over its duration.
			if got := s.PerSecond(); got < c.perSecond-0.01 || got > c.perSecond+0.01 {
				t.Fatalf("%.2f requests a second, wrk says %.2f", got, c.perSecond)
			}
		})
	}
}

func TestParseWrkSummaryRefuses(t *testing.T) {
	for _, c := range []struct{ name, output, want string }{
		{"no summary", "Running 1s test @ http://127.0.0.1:8080\nRequests/sec: 10.00\n", "no summary line"},
		{"a field missing", "linkwork-bench requests=3 duration_us=100 p50_us=1 p95_us=2 p99_us=3 max_us=4 mean_us=2.0 unexpected=0 " +
			"connect_errors=0 read_errors=0 write_errors=0 first_unexpected=\"\"\n", "timeouts is missing"},
		{"not a number", "linkwork-bench requests=many duration_us=100 p50_us=1 p95_us=2 p99_us=3 max_us=4 mean_us=2.0 unexpected=0 " +
			"connect_errors=0 read_errors=0 write_errors=0 timeouts=0 first_unexpected=\"\"\n", `requests="many" is not a number`},
		{"unclosed quote", "linkwork-bench requests=1 first_unexpected=\"401 nope\n", "no closing quote"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := parseWrkSummary(c.output)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error containing %q", err, c.want)
			}
		})
	}
}
