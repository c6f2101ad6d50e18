package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// wrkRun is one run of the load generator: how many threads and connections, for how long,
// with which script, headers and environment (BENCH_PATHS, BENCH_EXPECT, LINKWORK_TOKEN…).
type wrkRun struct {
	threads, connections int
	duration             time.Duration
	script               string
	headers              []string
	env                  []string
	url                  string
}

// wrkSummary is what scripts/bench-summary.lua prints at the end of a run.
type wrkSummary struct {
	Requests      int
	Duration      time.Duration
	P50, P95, P99 time.Duration
	Max           time.Duration
	Mean          time.Duration
	// Unexpected counts responses whose status was not the one expected.
	Unexpected      int
	FirstUnexpected string
	// Socket errors, as wrk counts them.
	ConnectErrors, ReadErrors, WriteErrors, Timeouts int
}

// PerSecond is the requests a second over the run.
func (s wrkSummary) PerSecond() float64 {
	if s.Duration <= 0 {
		return 0
	}
	return float64(s.Requests) / s.Duration.Seconds()
}

// Failed is how many requests did not get the answer expected, or none at all.
func (s wrkSummary) Failed() int {
	return s.Unexpected + s.ConnectErrors + s.ReadErrors + s.WriteErrors + s.Timeouts
}

// summaryPrefix starts the line that bench-summary.lua prints.
const summaryPrefix = "linkwork-bench "

// run runs wrk and reads its summary line. The whole output is returned too, for the log.
func (w wrkRun) run(ctx context.Context, dir string) (wrkSummary, string, error) {
	args := []string{"-t", strconv.Itoa(w.threads), "-c", strconv.Itoa(w.connections),
		"-d", strconv.Itoa(max(1, int(w.duration.Round(time.Second).Seconds()))) + "s", "--timeout", "10s", "-s", w.script}
	for _, h := range w.headers {
		args = append(args, "-H", h)
	}
	args = append(args, w.url)
	cmd := exec.CommandContext(ctx, "wrk", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), w.env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return wrkSummary{}, out.String(), fmt.Errorf("wrk %s: %v\n%s", strings.Join(args, " "), err, out.String())
	}
	s, err := parseWrkSummary(out.String())
	if err != nil {
		return wrkSummary{}, out.String(), fmt.Errorf("wrk %s: %v\n%s", strings.Join(args, " "), err, out.String())
	}
	return s, out.String(), nil
}

// parseWrkSummary finds the summary line in wrk's output and reads it.
func parseWrkSummary(output string) (wrkSummary, error) {
	var line string
	for l := range strings.SplitSeq(output, "\n") {
		if strings.HasPrefix(l, summaryPrefix) {
			line = strings.TrimSpace(strings.TrimPrefix(l, summaryPrefix))
		}
	}
	if line == "" {
		return wrkSummary{}, errors.New("no summary line (" + strings.TrimSpace(summaryPrefix) + " …) in wrk's output: is the script one of scripts/bench-*.lua?")
	}
	fields := map[string]string{}
	for line != "" {
		key, rest, ok := strings.Cut(line, "=")
		if !ok {
			return wrkSummary{}, fmt.Errorf("summary line: %q has no =", line)
		}
		var value string
		if strings.HasPrefix(rest, `"`) {
			end := strings.Index(rest[1:], `"`)
			if end < 0 {
				return wrkSummary{}, fmt.Errorf("summary line: %s has no closing quote", key)
			}
			value, rest = rest[1:1+end], rest[2+end:]
		} else {
			value, rest, _ = strings.Cut(rest, " ")
		}
		fields[key] = value
		line = strings.TrimSpace(rest)
	}
	var s wrkSummary
	var problems []string
	integer := func(key string) int {
		v, ok := fields[key]
		if !ok {
			problems = append(problems, key+" is missing")
			return 0
		}
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s=%q is not a number", key, v))
		}
		return int(n)
	}
	micros := func(key string) time.Duration { return time.Duration(integer(key)) * time.Microsecond }
	s.Requests = integer("requests")
	s.Duration = micros("duration_us")
	s.P50, s.P95, s.P99, s.Max = micros("p50_us"), micros("p95_us"), micros("p99_us"), micros("max_us")
	s.Mean = micros("mean_us")
	s.Unexpected = integer("unexpected")
	s.ConnectErrors, s.ReadErrors = integer("connect_errors"), integer("read_errors")
	s.WriteErrors, s.Timeouts = integer("write_errors"), integer("timeouts")
	s.FirstUnexpected = fields["first_unexpected"]
	if len(problems) > 0 {
		return wrkSummary{}, errors.New("summary line: " + strings.Join(problems, "; "))
	}
	return s, nil
}
