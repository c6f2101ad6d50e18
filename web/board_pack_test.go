package web_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"linkwork"
	"linkwork/sqldb/sqldbtest"
)

// quarterOf is the first month of the quarter a month ("2026-09") is in.
func quarterOf(t *testing.T, month string) string {
	t.Helper()
	m, err := time.Parse("2006-01", month)
	must(t, err)
	return time.Date(m.Year(), m.Month()-time.Month((int(m.Month())-1)%3), 1, 0, 0, 0, 0, time.UTC).Format("2006-01")
}

func TestBoardPack(t *testing.T) {
	s := newMeasureSite(t, sqldbtest.Open(t, "sqlite"))
	manager := s.as("manager@example.org")
	quarter := quarterOf(t, s.month)

	// Every chosen measure, with its definition, headline against the quarter before, charts
	// and tables; a cover and a contents list; how to print it.
	p := manager.get("/measures/pack?quarter=" + quarter)
	if p.status != http.StatusOK {
		t.Fatalf("GET /measures/pack: %d\n%s", p.status, p.body)
	}
	for _, d := range linkwork.BuiltInMeasures {
		p.has(t, `<h2 class="nhsuk-heading-l" id="measure-`+string(d.Code)+`">`+html(d.Name)+`</h2>`, html(d.Definition))
	}
	p.has(t, "Social prescribing measures for Calderdale", "Contents", "Print or save as PDF", "Save as PDF",
		"Headline figures, this quarter and the quarter before", `class="lw-chart"`, "lw-landscape")
	// The place's 12 people supported, rounded, against none the quarter before.
	row := regexp.MustCompile(`<th scope="row" class="nhsuk-table__cell">People supported</th><td class="nhsuk-table__cell">10</td>` +
		`<td class="nhsuk-table__cell">0</td><td class="nhsuk-table__cell">&#43;10</td>`)
	if !row.MatchString(p.body) {
		t.Error("the pack does not compare the place's people supported with the quarter before (10, 0, +10)")
	}
	if regexp.MustCompile(`<script[^>]*>[^<]`).MatchString(p.body) || strings.Contains(p.body, "style=") {
		t.Error("the pack has inline script or style")
	}

	// Always safe, even for those who see the people: Calder PCN's 3 are hidden from its
	// own manager.
	own := manager.get("/measures/pack?scope=organisation&organisation=" + id(s.orgA.ID) + "&quarter=" + quarter)
	own.has(t, "Social prescribing measures for Calder PCN")
	if !regexp.MustCompile(`<th scope="row" class="nhsuk-table__cell">People supported</th><td class="nhsuk-table__cell">\[c\]</td>`).MatchString(own.body) {
		t.Error("Calder PCN's pack shows its people supported unsuppressed to its manager")
	}

	// The default is the last complete quarter.
	last := time.Date(time.Now().Year(), time.Now().Month(), 1, 0, 0, 0, 0, time.UTC)
	last = time.Date(last.Year(), last.Month()-time.Month((int(last.Month())-1)%3), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -3, 0)
	manager.get("/measures/pack").has(t, `<option value="`+last.Format("2006-01")+`" selected>`)

	for query, msg := range map[string]string{
		"?quarter=2026-05":                    "Choose a quarter from the list",
		"?quarter=spring":                     "Choose a quarter from the list",
		"?quarter=2999-01":                    "The quarter cannot be in the future",
		"?scope=organisation&quarter=2024-01": "Choose the organisation or primary care network whose measures to show.",
		"?quarter=1999-10":                    "Choose a quarter from 2000 on.",
	} {
		p := manager.get("/measures/pack" + query)
		if p.status != http.StatusBadRequest {
			t.Errorf("GET /measures/pack%s: %d, want 400", query, p.status)
		}
		p.has(t, "There is a problem", html(msg), "<h1")
	}
	if p := s.as("sam@example.org").get("/measures/pack"); p.status != http.StatusForbidden {
		t.Errorf("a link worker GET /measures/pack: %d, want 403", p.status)
	}
}
