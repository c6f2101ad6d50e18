package main

import (
	"fmt"
	"strings"
	"time"
)

// The performance targets of issue 9 (for national scale on this 2-core machine), checked
// against a run's rows, and the requests that failed, so that the report says what was met
// and by how much anything was missed.

// Targets.
const (
	targetSearchMedian    = 20 * time.Millisecond
	targetReferralMedian  = 30 * time.Millisecond
	targetReferralsPerSec = 300
	targetPlaceDashboard  = time.Second
	targetRSSkB           = 300 * 1024
	targetFloorRatio      = 3
)

// apiEndpoints are the rows of API endpoints, whose median should be within
// targetFloorRatio of their engine floor.
var apiEndpoints = []string{"directory search, API", "Open Referral UK search", "referral create, API"}

// failureNotes says which runs had requests that did not get the answer expected.
func failureNotes(rows []loadRow) []string {
	var out []string
	for _, r := range rows {
		for _, run := range []struct {
			label string
			s     wrkSummary
		}{{"1 connection", r.One}, {"many connections", r.Many}} {
			if n := run.s.Failed(); n > 0 {
				note := fmt.Sprintf("**%s, %s, %s: %s of %s requests failed** (%d with another status, %d socket errors, %d timeouts)",
					r.Endpoint, r.Database, run.label, thousands(float64(n)), thousands(float64(run.s.Requests)), run.s.Unexpected,
					run.s.ConnectErrors+run.s.ReadErrors+run.s.WriteErrors, run.s.Timeouts)
				if run.s.FirstUnexpected != "" {
					note += "; the first: `" + strings.ReplaceAll(run.s.FirstUnexpected, "`", "'") + "`"
				}
				out = append(out, note+".")
			}
		}
	}
	return out
}

// targetNotes checks each target on each database.
func targetNotes(rows []loadRow) []string {
	verdict := func(ok bool) string {
		if ok {
			return "met"
		}
		return "**missed**"
	}
	var out []string
	byDB := map[string][]loadRow{}
	var dbs []string
	for _, r := range rows {
		if _, ok := byDB[r.Database]; !ok {
			dbs = append(dbs, r.Database)
		}
		byDB[r.Database] = append(byDB[r.Database], r)
	}
	for _, db := range dbs {
		var parts []string
		var peak int64
		for _, r := range byDB[db] {
			peak = max(peak, r.RSSPeak)
			switch r.Endpoint {
			case "directory search, page", "directory search, API":
				parts = append(parts, fmt.Sprintf("%s median under %s: %s (%s)", r.Endpoint, ms(targetSearchMedian), verdict(r.One.P50 < targetSearchMedian), ms(r.One.P50)))
			case "referral create, API":
				parts = append(parts, fmt.Sprintf("referral create median under %s: %s (%s alone, %s at %d connections)", ms(targetReferralMedian),
					verdict(r.One.P50 < targetReferralMedian), ms(r.One.P50), ms(r.Many.P50), r.Connections))
				parts = append(parts, fmt.Sprintf("%d referrals a second: %s (%s)", targetReferralsPerSec,
					verdict(r.Many.PerSecond() >= targetReferralsPerSec), perSecond(r.Many.PerSecond())))
			case "place dashboard":
				parts = append(parts, fmt.Sprintf("place dashboard under %s: %s (%s)", ms(targetPlaceDashboard), verdict(r.One.P50 < targetPlaceDashboard), ms(r.One.P50)))
			}
			for _, api := range apiEndpoints {
				if r.Endpoint == api && r.EngineFloor > 0 {
					x := float64(r.One.P50) / float64(r.EngineFloor)
					parts = append(parts, fmt.Sprintf("%s within %d× its engine floor: %s (%s×)", r.Endpoint, targetFloorRatio,
						verdict(x <= targetFloorRatio), ratio(r.One.P50, r.EngineFloor)))
				}
			}
		}
		parts = append(parts, fmt.Sprintf("server memory under %s under load: %s (%s at the peak)", mb(targetRSSkB), verdict(peak > 0 && peak < targetRSSkB), mb(peak)))
		out = append(out, "Targets (issue 9, set for national scale), "+db+": "+strings.Join(parts, "; ")+".")
	}
	return out
}
