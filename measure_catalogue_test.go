package linkwork

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestMeasureCatalogue(t *testing.T) {
	codes := []MeasureCode{MeasureReferrals, MeasureFirstContact, MeasurePeopleSupported, MeasureContacts, MeasureCaseload,
		MeasureWaiting, MeasureOnward, MeasureWellbeing, MeasureReach, MeasureHealthUse, MeasureVolunteers,
		MeasureNewActivities, MeasureBudgetSpend}
	var got []MeasureCode
	for _, m := range BuiltInMeasures {
		got = append(got, m.Code)
		if m.Name == "" || m.Local {
			t.Errorf("%s: name %q, local %v", m.Code, m.Name, m.Local)
		}
		if len(m.Definition) < 300 || !strings.HasSuffix(m.Definition, ".") || strings.Contains(m.Definition, "  ") {
			t.Errorf("%s: the definition is too short or untidy: %q", m.Code, m.Definition)
		}
		wantPeople := m.Code != MeasureVolunteers && m.Code != MeasureNewActivities
		if m.AboutPeople != wantPeople {
			t.Errorf("%s: about people %v, want %v", m.Code, m.AboutPeople, wantPeople)
		}
	}
	if !slices.Equal(got, codes) {
		t.Errorf("catalogue %q, want %q", got, codes)
	}

	// What a board member needs to read each figure.
	for code, words := range map[MeasureCode][]string{
		MeasureReferrals:       {"month", "more than one need", "neighbourhood"},
		MeasureFirstContact:    {"whole days", "0 days", "365", "median", "14 days or fewer"},
		MeasurePeopleSupported: {"first day", "erased", "directly"},
		MeasureCaseload:        {"200 to 250", "365", "above 250", "below 200"},
		MeasureWaiting:         {"accepted", "allocated", "does not change with the months chosen"},
		MeasureOnward:          {"accepted, attended and did not attend"},
		MeasureWellbeing:       {"baseline timepoint", "3 points", "1 point", "exactly that much counts", "lower is better", "anxiety"},
		MeasureReach:           {"decile 1 is the most deprived", "share of the place's own neighbourhoods", "age when their support began"},
		MeasureHealthUse:       {"six calendar months before", "six calendar months after", "in neither", "covers all six months"},
		MeasureVolunteers:      {"volunteer-months"},
		MeasureBudgetSpend:     {"refunds", "neighbourhood"},
	} {
		def := BuiltInMeasures[slices.Index(codes, code)].Definition
		for _, w := range words {
			if !strings.Contains(def, w) {
				t.Errorf("%s: the definition does not say %q", code, w)
			}
		}
	}
}

// TestMeasureCatalogueDashboard builds every built-in measure, with no facts and with
// some, and checks the shape of every table: names unique and fit for a file, a cell for
// each column, totals and charts as declared.
func TestMeasureCatalogueDashboard(t *testing.T) {
	var codes []MeasureCode
	for _, m := range BuiltInMeasures {
		codes = append(codes, m.Code)
	}
	r := casePlace()
	r.Referrals = referralPlace().Referrals
	r.Contacts = []ContactRecord{{PersonID: 1, On: "2026-04-05", Mode: ModePhone, Minutes: 20}}
	fileName := regexp.MustCompile(`^[a-z0-9_-]+$`)
	for _, facts := range [][]*MeasureFact{nil, MeasureFactsFromRecords(r)} {
		q := MeasureQuery{PlaceID: 2, Scope: Scope{Kind: ScopePlace}, From: firstOfMonth("2026-01"), To: firstOfMonth("2026-06"), Measures: codes}
		d := BuildDashboard(BuiltInMeasures, q, facts, &MeasureContext{})
		if len(d.Results) != len(codes) {
			t.Fatalf("%d results, want %d", len(d.Results), len(codes))
		}
		names := map[string]bool{}
		for i, res := range d.Results {
			if res.Definition.Code != codes[i] || len(res.Headline) == 0 || len(res.Tables) == 0 {
				t.Errorf("result %d: %s with %d headline figures and %d tables", i, res.Definition.Code, len(res.Headline), len(res.Tables))
			}
			for _, c := range res.Headline {
				if c.Label == "" || c.Text == "" {
					t.Errorf("%s: headline %+v has no label or text", res.Definition.Code, c)
				}
			}
			for _, tb := range res.Tables {
				if names[tb.Name] || !fileName.MatchString(tb.Name) || tb.Title == "" {
					t.Errorf("table %q (%q): repeated, not a file name, or untitled", tb.Name, tb.Title)
				}
				names[tb.Name] = true
				if !slices.Contains([]ChartKind{ChartBars, ChartMonths, ChartBeforeAfter, ChartNone}, tb.Chart) {
					t.Errorf("table %s: chart %q", tb.Name, tb.Chart)
				}
				rows := tb.Rows
				if tb.Total != nil {
					rows = append(slices.Clone(rows), tb.Total)
				}
				for _, row := range rows {
					if len(row.Cells) != len(tb.Header)-1 || row.Label == "" {
						t.Errorf("table %s: row %q has %d cells under %d headings", tb.Name, row.Label, len(row.Cells), len(tb.Header))
					}
					for _, c := range row.Cells {
						if c == nil {
							t.Errorf("table %s: row %q has a nil cell", tb.Name, row.Label)
						}
					}
				}
				if tb.Chart == ChartMonths && len(tb.Rows) != 6 {
					t.Errorf("table %s: %d months, want 6", tb.Name, len(tb.Rows))
				}
			}
		}
	}
}
