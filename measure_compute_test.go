package linkwork

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
)

// factRows recomputes r's facts and returns those of one fact as "scope month key" →
// "N/Total", where scope is "place", "scheme:10", "organisation:100" or
// "neighbourhood:E01".
func factRows(t *testing.T, r *MeasureRecords, fact string) map[string]string {
	t.Helper()
	facts := MeasureFactsFromRecords(r)
	if !slices.IsSortedFunc(facts, compareFacts) {
		t.Error("the facts are not sorted by scope kind, scope key, month, fact and key")
	}
	out := map[string]string{}
	for _, f := range facts {
		if f.PlaceID != r.PlaceID {
			t.Errorf("fact %+v has place %d, want %d", f, f.PlaceID, r.PlaceID)
		}
		if f.N == 0 && f.Total == 0 {
			t.Errorf("fact %+v has N and Total both 0", f)
		}
		if f.Fact != fact {
			continue
		}
		scope := string(f.ScopeKind)
		if f.ScopeKey != "" {
			scope += ":" + f.ScopeKey
		}
		k := scope + " " + f.Month + " " + f.Key
		if _, dup := out[k]; dup {
			t.Errorf("fact %s appears twice", k)
		}
		out[k] = fmt.Sprintf("%d/%d", f.N, f.Total)
	}
	return out
}

// wantFacts checks one fact's rows exactly: every row wanted, and no other.
func wantFacts(t *testing.T, r *MeasureRecords, fact string, want map[string]string) {
	t.Helper()
	got := factRows(t, r, fact)
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if got[k] != want[k] {
			t.Errorf("%s %s: got %q, want %q", fact, k, got[k], want[k])
		}
	}
	for _, k := range slices.Sorted(maps.Keys(got)) {
		if _, ok := want[k]; !ok {
			t.Errorf("%s %s: got %q, want no row", fact, k, got[k])
		}
	}
}

// forScopes repeats rows for each scope: "2026-04 all": "1/0" under "place", "scheme:10"…
func forScopes(scopes []string, rows map[string]string) map[string]string {
	out := map[string]string{}
	for _, s := range scopes {
		for k, v := range rows {
			out[s+" "+k] = v
		}
	}
	return out
}

func mergeRows(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		maps.Copy(out, m)
	}
	return out
}

func instant(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func instantPtr(s string) *time.Time { t := instant(s); return &t }

// referralPlace has three referrals: one received at 00:30 on 1 April in London (23:30 UTC
// on 31 March) with two needs, contacted the same day and allocated a week after
// acceptance; one with no postcode contacted after more than a year; one with the same
// need twice, accepted but not yet allocated.
func referralPlace() *MeasureRecords {
	return &MeasureRecords{PlaceID: 1, SchemeOrganisation: map[int64]int64{10: 100, 11: 101},
		Referrals: []ReferralRecord{
			{ID: 1, SchemeID: 10, Source: ReferrerGP, Needs: []string{"loneliness", "debt"}, LSOA: "E01",
				ReceivedAt: instant("2026-03-31T23:30:00Z"), FirstContactOn: "2026-04-01",
				WaitFrom: instantPtr("2026-04-01T22:00:00Z"), AllocatedAt: instantPtr("2026-04-09T10:00:00Z")},
			{ID: 2, SchemeID: 11, Source: ReferrerSelf, Needs: []string{"loneliness"},
				ReceivedAt: instant("2026-01-31T23:30:00Z"), FirstContactOn: "2027-03-01"},
			{ID: 3, SchemeID: 10, Source: ReferrerGP, Needs: []string{"debt", "debt"}, LSOA: "E01",
				ReceivedAt: instant("2026-04-15T10:00:00Z"), WaitFrom: instantPtr("2026-04-16T10:00:00Z")},
		}}
}

func TestMeasureFactReferrals(t *testing.T) {
	april := forScopes([]string{"place", "scheme:10", "organisation:100", "neighbourhood:E01"}, map[string]string{
		"2026-04 all": "2/0", "2026-04 source:gp_practice": "2/0", "2026-04 need:loneliness": "1/0", "2026-04 need:debt": "2/0"})
	january := forScopes([]string{"place", "scheme:11", "organisation:101"}, map[string]string{
		"2026-01 all": "1/0", "2026-01 source:self": "1/0", "2026-01 need:loneliness": "1/0"})
	wantFacts(t, referralPlace(), FactReferrals, mergeRows(april, january))
}

func TestMeasureFactFirstContact(t *testing.T) {
	wantFacts(t, referralPlace(), FactFirstContact, mergeRows(
		// received 00:30 on 1 April in London, contacted that day: 0 days, in April.
		forScopes([]string{"place", "scheme:10", "organisation:100", "neighbourhood:E01"}, map[string]string{"2026-04 0": "1/0"}),
		// 394 days: counted as the cap, in the month of the contact; no neighbourhood.
		forScopes([]string{"place", "scheme:11", "organisation:101"}, map[string]string{"2027-03 365": "1/0"})))
}

func TestMeasureFactWaitingAllocated(t *testing.T) {
	// Accepted at 23:00 on 1 April in London (22:00 UTC), allocated on 9 April: 8 days.
	// The third referral has not been allocated and is not counted.
	wantFacts(t, referralPlace(), FactWaitingAllocated,
		forScopes([]string{"place", "scheme:10", "organisation:100", "neighbourhood:E01"}, map[string]string{"2026-04 8": "1/0"}))
}

// casePlace has five case records: one opened and closed in April; one opened directly
// (no scheme) with no postcode or demographics; one since erased, with its anonymous facts
// kept, opened in December and closed in February; one opened directly with a postcode;
// and one from a referral with no postcode.
func casePlace() *MeasureRecords {
	return &MeasureRecords{PlaceID: 2, SchemeOrganisation: map[int64]int64{10: 100, 11: 101},
		People: []CaseRecord{
			{ID: 1, OrganisationID: 100, SchemeID: 10, WorkerUserID: 7, LSOA: "E01", IMDDecile: 2, Ethnicity: "A", Sex: "female",
				AgeBand: "25-34", OpenedOn: "2026-04-03", ClosedOn: "2026-04-28", FirstContactOn: "2026-04-05", NHSNumber: true},
			{ID: 2, OrganisationID: 100, OpenedOn: "2026-03-15", FirstContactOn: "2026-03-20", NHSNumber: true},
			{ID: 3, OrganisationID: 101, SchemeID: 11, WorkerUserID: 8, LSOA: "E02", IMDDecile: 9, Ethnicity: "99", Sex: "male",
				AgeBand: "85+", OpenedOn: "2025-12-01", ClosedOn: "2026-02-10", FirstContactOn: "2025-12-05"},
			{ID: 4, OrganisationID: 101, LSOA: "E03", OpenedOn: "2026-05-02"},
			{ID: 5, OrganisationID: 101, SchemeID: 11, WorkerUserID: 9, Sex: "female", OpenedOn: "2026-06-09"},
		}}
}

func TestMeasureFactSupport(t *testing.T) {
	keys := func(month string, keys ...string) map[string]string {
		out := map[string]string{}
		for _, k := range keys {
			out[month+" "+k] = "1/0"
		}
		return out
	}
	p1 := []string{"all", "imd:2", "ethnicity:A", "age:25-34", "sex:female", "worker:7"}
	p2 := []string{"all", "imd:0", "ethnicity:unknown", "age:unknown", "sex:unknown", "worker:0"}
	p3 := []string{"all", "imd:9", "ethnicity:99", "age:85+", "sex:male", "worker:8"}
	scopes1 := []string{"place", "scheme:10", "organisation:100", "neighbourhood:E01"}
	scopes3 := []string{"place", "scheme:11", "organisation:101", "neighbourhood:E02"}
	wantFacts(t, casePlace(), FactSupportStarts, mergeRows(
		forScopes(scopes1, keys("2026-04", p1...)),
		// Opened directly, no postcode: the place and the organisation only.
		forScopes([]string{"place", "organisation:100"}, keys("2026-03", p2...)),
		// Erased: still counted, from the facts its record keeps.
		forScopes(scopes3, keys("2025-12", p3...)),
		// Opened directly: no scheme, but its neighbourhood.
		forScopes([]string{"place", "organisation:101", "neighbourhood:E03"}, keys("2026-05", p2...)),
		// No postcode: no neighbourhood, but its scheme.
		forScopes([]string{"place", "scheme:11", "organisation:101"},
			keys("2026-06", "all", "imd:0", "ethnicity:unknown", "age:unknown", "sex:female", "worker:9"))))
	wantFacts(t, casePlace(), FactSupportEnds, mergeRows(
		forScopes(scopes1, keys("2026-04", p1...)),
		forScopes(scopes3, keys("2026-02", p3...))))
}

func TestMeasureFactContacts(t *testing.T) {
	r := casePlace()
	r.Contacts = []ContactRecord{
		{PersonID: 1, On: "2026-04-05", Mode: ModeFaceToFace, Minutes: 30},
		{PersonID: 1, On: "2026-04-20", Mode: ModePhone, Minutes: 15},
		{PersonID: 2, On: "2026-03-20", Mode: ModePhone, Minutes: 45},
		{PersonID: 99, On: "2026-04-01", Mode: ModeVideo, Minutes: 10}, // no case record: the place only
		{PersonID: 1, On: "not a date", Mode: ModePhone, Minutes: 5},
	}
	wantFacts(t, r, FactContacts, mergeRows(
		map[string]string{"place 2026-04 all": "3/55", "place 2026-04 mode:face_to_face": "1/30", "place 2026-04 mode:phone": "1/15",
			"place 2026-04 mode:video": "1/10", "place 2026-03 all": "1/45", "place 2026-03 mode:phone": "1/45"},
		forScopes([]string{"scheme:10", "organisation:100", "neighbourhood:E01"}, map[string]string{
			"2026-04 all": "2/45", "2026-04 mode:face_to_face": "1/30", "2026-04 mode:phone": "1/15"}),
		map[string]string{"organisation:100 2026-03 all": "1/45", "organisation:100 2026-03 mode:phone": "1/45"}))
}

func TestMeasureFactOnward(t *testing.T) {
	r := casePlace()
	r.Onward = []OnwardRecord{
		{PersonID: 1, SentOn: "2026-04-10", Status: OnwardAttended},
		{PersonID: 2, SentOn: "2026-04-11", Status: OnwardAccepted},
		{PersonID: 3, SentOn: "2026-01-05", Status: OnwardDeclined},
	}
	wantFacts(t, r, FactOnward, mergeRows(
		map[string]string{"place 2026-04 all": "2/0", "place 2026-04 status:attended": "1/0", "place 2026-04 status:accepted": "1/0",
			"organisation:100 2026-04 all": "2/0", "organisation:100 2026-04 status:attended": "1/0", "organisation:100 2026-04 status:accepted": "1/0"},
		forScopes([]string{"scheme:10", "neighbourhood:E01"}, map[string]string{"2026-04 all": "1/0", "2026-04 status:attended": "1/0"}),
		forScopes([]string{"place", "scheme:11", "organisation:101", "neighbourhood:E02"}, map[string]string{"2026-01 all": "1/0", "2026-01 status:declined": "1/0"})))
}

func TestMeasureFactWellbeing(t *testing.T) {
	r := casePlace()
	created := instant("2026-01-01T09:00:00Z")
	resp := func(id, person int64, q string, tp Timepoint, on string, total float64, items ...float64) ResponseRecord {
		return ResponseRecord{ID: id, PersonID: person, Questionnaire: q, Timepoint: tp, CompletedOn: on,
			CreatedAt: created.Add(time.Duration(id) * time.Minute), Total: total, Items: items}
	}
	r.Responses = []ResponseRecord{
		// Person 1, SWEMWBS: the baseline is the response at the baseline timepoint, not the
		// earliest; the change is exactly 3 points, which counts as meaningful.
		resp(1, 1, "swemwbs", TimepointReview, "2026-01-01", 20.00),
		resp(2, 1, "swemwbs", TimepointBaseline, "2026-02-01", 18.59),
		resp(3, 1, "swemwbs", TimepointFinal, "2026-04-20", 21.59),
		// Person 1, UCLA-3: 6 to 5, lower is better: improved.
		resp(4, 1, "ucla3", TimepointBaseline, "2026-04-01", 6),
		resp(5, 1, "ucla3", TimepointFinal, "2026-04-25", 5),
		// Person 2 (no scheme, no neighbourhood), UCLA-3: 4 to 5, worse.
		resp(6, 2, "ucla3", TimepointBaseline, "2026-03-01", 4),
		resp(7, 2, "ucla3", TimepointReview, "2026-04-02", 5),
		// Person 2, ONS4 item by item: life satisfaction +1 (better), worthwhile 0,
		// happiness −2 (worse), anxiety −2 (better: lower is better).
		resp(8, 2, "ons4", TimepointBaseline, "2026-03-01", 0, 5, 6, 7, 8),
		resp(9, 2, "ons4", TimepointReview, "2026-04-15", 0, 6, 6, 5, 6),
		// Person 3, SWEMWBS: the baseline-timepoint response is the latest by date, so the
		// other is the follow-up: 22.99 to 20.00, 2.99 points worse: not meaningful. It
		// counts in the follow-up's month, January.
		resp(10, 3, "swemwbs", TimepointReview, "2026-01-10", 20.00),
		resp(11, 3, "swemwbs", TimepointBaseline, "2026-02-05", 22.99),
		// One response only: nothing. A local questionnaire: not a wellbeing measure.
		resp(12, 3, "ucla3", TimepointBaseline, "2026-01-10", 7),
		resp(13, 2, "local-5", TimepointBaseline, "2026-01-10", 1),
		resp(14, 2, "local-5", TimepointFinal, "2026-04-10", 9),
	}
	scopes1 := []string{"scheme:10", "organisation:100", "neighbourhood:E01"}
	wantFacts(t, r, FactWellbeing, mergeRows(
		forScopes(append([]string{"place"}, scopes1...), map[string]string{
			"2026-04 swemwbs:total:pairs": "1/300", "2026-04 swemwbs:total:improved": "1/0"}),
		forScopes(scopes1, map[string]string{"2026-04 ucla3:total:pairs": "1/-100", "2026-04 ucla3:total:improved": "1/0"}),
		map[string]string{
			"place 2026-04 ucla3:total:pairs": "2/0", "place 2026-04 ucla3:total:improved": "1/0", "place 2026-04 ucla3:total:worsened": "1/0",
			"organisation:100 2026-04 ucla3:total:pairs": "2/0", "organisation:100 2026-04 ucla3:total:improved": "1/0",
			"organisation:100 2026-04 ucla3:total:worsened": "1/0"},
		forScopes([]string{"place", "organisation:100"}, map[string]string{
			"2026-04 ons4:item1:pairs": "1/100", "2026-04 ons4:item1:improved": "1/0",
			"2026-04 ons4:item2:pairs": "1/0",
			"2026-04 ons4:item3:pairs": "1/-200", "2026-04 ons4:item3:worsened": "1/0",
			"2026-04 ons4:item4:pairs": "1/-200", "2026-04 ons4:item4:improved": "1/0"}),
		forScopes([]string{"place", "scheme:11", "organisation:101", "neighbourhood:E02"}, map[string]string{
			"2026-01 swemwbs:total:pairs": "1/-299"})))
}

func TestMeasureFactHealthUse(t *testing.T) {
	r := casePlace()
	r.People = append(r.People,
		// First contact in June: the data (to November) does not cover December yet.
		CaseRecord{ID: 14, OrganisationID: 101, SchemeID: 11, OpenedOn: "2026-06-01", FirstContactOn: "2026-06-02", NHSNumber: true},
		// An NHS number but no activity rows: not counted.
		CaseRecord{ID: 15, OrganisationID: 101, SchemeID: 11, OpenedOn: "2026-01-01", FirstContactOn: "2026-01-02", NHSNumber: true})
	r.Activity = []ActivityRecord{
		// Person 1, first contact April 2026: before is October to March, after May to October.
		{PersonID: 1, Month: "2025-09", GPAppointments: 4},                 // seven months before: neither
		{PersonID: 1, Month: "2025-10", GPAppointments: 1},                 // before
		{PersonID: 1, Month: "2026-03", GPAppointments: 2, Admissions: 1},  // before
		{PersonID: 1, Month: "2026-04", GPAppointments: 5},                 // the month itself: neither
		{PersonID: 1, Month: "2026-05", GPAppointments: 1},                 // after
		{PersonID: 1, Month: "2026-10", GPAppointments: 1, Admissions: 1},  // after (the sixth month)
		{PersonID: 1, Month: "2026-11", GPAppointments: 3},                 // seven months after: neither
		{PersonID: 2, Month: "2026-02", GPAppointments: 1},                 // person 2: March first contact
		{PersonID: 3, Month: "2026-01", GPAppointments: 2},                 // no NHS number: not counted
		{PersonID: 14, Month: "2026-05", GPAppointments: 2, Admissions: 2}, // not covered yet
	}
	wantFacts(t, r, FactHealthUse, mergeRows(
		forScopes([]string{"place", "scheme:10", "organisation:100", "neighbourhood:E01"}, map[string]string{
			"2026-04 people": "1/0", "2026-04 gp_before": "1/3", "2026-04 gp_after": "1/2",
			"2026-04 admissions_before": "1/1", "2026-04 admissions_after": "1/1"}),
		forScopes([]string{"place", "organisation:100"}, map[string]string{
			"2026-03 people": "1/0", "2026-03 gp_before": "1/1", "2026-03 gp_after": "1/0",
			"2026-03 admissions_before": "1/0", "2026-03 admissions_after": "1/0"})))

	// With the data ending in September, person 1 (April: needs October) is not covered;
	// person 2 (March: needs September) is.
	r.Activity = slices.DeleteFunc(r.Activity, func(a ActivityRecord) bool { return a.Month >= "2026-10" })
	r.Activity = append(r.Activity, ActivityRecord{PersonID: 3, Month: "2026-09"})
	got := factRows(t, r, FactHealthUse)
	if got["place 2026-04 people"] != "" || got["place 2026-03 people"] != "1/0" {
		t.Errorf("coverage to September: %v", got)
	}
}

func TestMeasureFactSpend(t *testing.T) {
	r := &MeasureRecords{PlaceID: 3, Spend: []SpendRecord{
		{PotOrganisationID: 100, PotSchemeID: 10, Need: "debt", LSOA: "E01", On: "2026-04-02", NetPence: 5000},
		{PotOrganisationID: 100, PotSchemeID: 10, Need: "debt", On: "2026-04-20", NetPence: -2000}, // a refund: N 0
		{PotOrganisationID: 101, Need: "food", LSOA: "E01", On: "2026-05-01", NetPence: 1000},      // a pot with no scheme
		{PotOrganisationID: 101, Need: "food", LSOA: "E01", On: "2026-06-01", NetPence: 0},         // nothing: no rows
	}}
	wantFacts(t, r, FactSpend, mergeRows(
		forScopes([]string{"place", "scheme:10", "organisation:100"}, map[string]string{
			"2026-04 all": "1/3000", "2026-04 need:debt": "1/3000", "2026-04 lsoa:E01": "1/5000", "2026-04 lsoa:unknown": "0/-2000"}),
		map[string]string{"neighbourhood:E01 2026-04 all": "1/5000", "neighbourhood:E01 2026-04 need:debt": "1/5000",
			"neighbourhood:E01 2026-04 lsoa:E01": "1/5000"},
		forScopes([]string{"place", "organisation:101", "neighbourhood:E01"}, map[string]string{
			"2026-05 all": "1/1000", "2026-05 need:food": "1/1000", "2026-05 lsoa:E01": "1/1000"})))
}

func TestMeasureFactGroups(t *testing.T) {
	r := &MeasureRecords{PlaceID: 4,
		Volunteers: []VolunteersRecord{
			{OrganisationID: 200, Month: "2026-04", Volunteers: 5, Hours: 20},
			{OrganisationID: 201, Month: "2026-04-01", Volunteers: 3},
		},
		Activities: []NewActivityRecord{{OrganisationID: 200, StartedOn: "2026-04-05"}, {OrganisationID: 200, StartedOn: "2026-04-30"},
			{OrganisationID: 201, StartedOn: "2026-05-01"}},
		NewGroups: []NewGroupRecord{{OrganisationID: 300, CreatedOn: "2026-05-02"}},
		Local: []LocalMeasureValue{
			{MeasureID: 3, OrganisationID: 200, Month: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), Value: 12},
			{MeasureID: 3, OrganisationID: 201, Month: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), Value: 0},
		}}
	wantFacts(t, r, FactVolunteers, map[string]string{
		"place 2026-04 volunteers": "2/8", "place 2026-04 hours": "2/20",
		"organisation:200 2026-04 volunteers": "1/5", "organisation:200 2026-04 hours": "1/20",
		"organisation:201 2026-04 volunteers": "1/3", "organisation:201 2026-04 hours": "1/0"})
	wantFacts(t, r, FactNewActivities, map[string]string{
		"place 2026-04 all": "2/0", "organisation:200 2026-04 all": "2/0",
		"place 2026-05 all": "1/0", "organisation:201 2026-05 all": "1/0"})
	wantFacts(t, r, FactNewGroups, map[string]string{"place 2026-05 all": "1/0", "organisation:300 2026-05 all": "1/0"})
	wantFacts(t, r, FactLocal, map[string]string{
		"place 2026-04 local-3": "2/12", "organisation:200 2026-04 local-3": "1/12", "organisation:201 2026-04 local-3": "1/0"})
}

func TestMeasureFactsEmptyAndDeterministic(t *testing.T) {
	if f := MeasureFactsFromRecords(&MeasureRecords{PlaceID: 9}); len(f) != 0 {
		t.Errorf("no records: %d facts", len(f))
	}
	r := casePlace()
	r.Referrals = referralPlace().Referrals
	r.SchemeOrganisation = referralPlace().SchemeOrganisation
	a, b := MeasureFactsFromRecords(r), MeasureFactsFromRecords(r)
	if len(a) != len(b) {
		t.Fatalf("%d facts then %d", len(a), len(b))
	}
	for i := range a {
		if *a[i] != *b[i] {
			t.Fatalf("fact %d: %+v then %+v", i, a[i], b[i])
		}
	}
}

func TestAgeBandOf(t *testing.T) {
	for _, c := range []struct{ born, on, want string }{
		{"2008-04-03", "2026-04-02", "0-17"},
		{"2008-04-03", "2026-04-03", "18-24"}, // 18 on the birthday
		{"2001-04-03", "2026-04-02", "18-24"},
		{"2001-04-03", "2026-04-03", "25-34"},
		{"1992-01-01", "2026-06-30", "25-34"},
		{"1991-06-30", "2026-06-30", "35-44"},
		{"1972-01-01", "2026-06-30", "45-54"},
		{"1962-01-01", "2026-06-30", "55-64"},
		{"1952-01-01", "2026-06-30", "65-74"},
		{"1942-01-01", "2026-06-30", "75-84"},
		{"1941-07-01", "2026-06-30", "75-84"},
		{"1941-06-30", "2026-06-30", "85+"},
		{"1910-01-01", "2026-06-30", "85+"},
		{"2026-06-30", "2026-06-30", "0-17"},
		{"2008-02-29", "2026-02-28", "0-17"}, // a leap-day birthday comes on 1 March
		{"2008-02-29", "2026-03-01", "18-24"},
		{"2026-07-01", "2026-06-30", ""}, // born after the date
		{"", "2026-06-30", ""},
		{"1990-13-01", "2026-06-30", ""},
		{"1990-02-30", "2026-06-30", ""},
		{"1990-01-01", "not a date", ""},
		{"1990-01-01T00:00:00Z", "2026-06-30", ""},
	} {
		if got := AgeBandOf(c.born, c.on); got != c.want {
			t.Errorf("AgeBandOf(%q, %q) = %q, want %q", c.born, c.on, got, c.want)
		}
	}
}

func TestPseudonymiseNHSNumber(t *testing.T) {
	// Known answer: printf 9434765919 | openssl dgst -sha256 -hmac place-secret
	const want = "e6ff68ad938242d112dfc3f0bc9895fd8daed281aee979353b9e4e3f773819df"
	for _, n := range []string{"9434765919", "943 476 5919", " 943 476 5919 ", "943-476-5919"} {
		if got := PseudonymiseNHSNumber("place-secret", n); got != want {
			t.Errorf("PseudonymiseNHSNumber(%q) = %s, want %s", n, got, want)
		}
	}
	if PseudonymiseNHSNumber("another secret", "9434765919") == want {
		t.Error("a different secret gave the same key")
	}
	if got := PseudonymiseNHSNumber("place-secret", "9434765919"); strings.ToLower(got) != got || len(got) != 64 {
		t.Errorf("key %q is not 64 lower-case hex digits", got)
	}
}

// placeFacts builds a place's facts by hand: each entry is month, fact, key, N, Total.
type placeFacts []*MeasureFact

func (fs *placeFacts) add(month, fact, key string, n, total int64) *placeFacts {
	*fs = append(*fs, &MeasureFact{PlaceID: 1, ScopeKind: ScopePlace, Month: month, Fact: fact, Key: key, N: n, Total: total})
	return fs
}

func firstOfMonth(s string) time.Time {
	t, err := time.Parse("2006-01", s)
	if err != nil {
		panic(err)
	}
	return t
}

// buildOne builds a place dashboard of one measure for months from to to.
func buildOne(t *testing.T, code MeasureCode, from, to string, facts []*MeasureFact, c *MeasureContext) *MeasureResult {
	t.Helper()
	q := MeasureQuery{PlaceID: 1, Scope: Scope{Kind: ScopePlace}, From: firstOfMonth(from), To: firstOfMonth(to), Measures: []MeasureCode{code}}
	d := BuildDashboard(BuiltInMeasures, q, facts, c)
	if len(d.Results) != 1 || d.Results[0].Definition.Code != code {
		t.Fatalf("dashboard of %s: %d results", code, len(d.Results))
	}
	return d.Results[0]
}

func headlineCell(t *testing.T, res *MeasureResult, label string) *MeasureCell {
	t.Helper()
	for _, c := range res.Headline {
		if c.Label == label {
			return c
		}
	}
	var labels []string
	for _, c := range res.Headline {
		labels = append(labels, c.Label)
	}
	t.Fatalf("%s: no headline %q among %q", res.Definition.Code, label, labels)
	return nil
}

func tableNamed(t *testing.T, res *MeasureResult, name string) *MeasureTable {
	t.Helper()
	for _, tb := range res.Tables {
		if tb.Name == name {
			return tb
		}
	}
	t.Fatalf("%s: no table %s", res.Definition.Code, name)
	return nil
}

// rowTexts writes a table's rows as "label: text | text", the total last as "Total: …".
func rowTexts(tb *MeasureTable) []string {
	var out []string
	rows := tb.Rows
	if tb.Total != nil {
		rows = append(slices.Clone(rows), tb.Total)
	}
	for _, r := range rows {
		var cells []string
		for _, c := range r.Cells {
			cells = append(cells, c.Text)
		}
		out = append(out, r.Label+": "+strings.Join(cells, " | "))
	}
	return out
}

func wantTableRows(t *testing.T, tb *MeasureTable, want ...string) {
	t.Helper()
	got := rowTexts(tb)
	if !slices.Equal(got, want) {
		t.Errorf("table %s:\n got %q\nwant %q", tb.Name, got, want)
	}
}

func wantCellText(t *testing.T, c *MeasureCell, text string) {
	t.Helper()
	if c.Text != text {
		t.Errorf("%q: got %q, want %q", c.Label, c.Text, text)
	}
}

func TestMeasureDashboardReferrals(t *testing.T) {
	var fs placeFacts
	fs.add("2026-03", FactReferrals, "all", 5, 0) // before the period
	fs.add("2026-04", FactReferrals, "all", 3, 0).add("2026-04", FactReferrals, "source:gp_practice", 2, 0).
		add("2026-04", FactReferrals, "source:self", 1, 0).add("2026-04", FactReferrals, "need:debt", 2, 0).
		add("2026-04", FactReferrals, "need:loneliness", 2, 0)
	fs.add("2026-05", FactReferrals, "all", 1234, 0).add("2026-05", FactReferrals, "source:gp_practice", 1234, 0).
		add("2026-05", FactReferrals, "need:debt", 1, 0)
	fs.add("2026-06", FactReferrals, "all", 7, 0) // after it
	fs = append(fs,
		&MeasureFact{PlaceID: 1, ScopeKind: ScopeScheme, ScopeKey: "10", Month: "2026-04", Fact: FactReferrals, Key: "all", N: 2},
		&MeasureFact{PlaceID: 1, ScopeKind: ScopeScheme, ScopeKey: "11", Month: "2026-05", Fact: FactReferrals, Key: "all", N: 1000},
		&MeasureFact{PlaceID: 1, ScopeKind: ScopeScheme, ScopeKey: "11", Month: "2026-05", Fact: FactReferrals, Key: "source:self", N: 1000},
		&MeasureFact{PlaceID: 1, ScopeKind: ScopeOrganisation, ScopeKey: "100", Month: "2026-04", Fact: FactReferrals, Key: "all", N: 99})
	c := &MeasureContext{Schemes: map[int64]string{10: "Alpha link workers", 11: "Beta navigators"}, Terms: map[string]string{"debt": "Money and debt"}}
	res := buildOne(t, MeasureReferrals, "2026-04", "2026-05", fs, c)
	total := headlineCell(t, res, "Referrals received")
	wantCellText(t, total, "1,237")
	if !total.Count {
		t.Error("referrals received is not a count")
	}
	byMonth := tableNamed(t, res, "referrals_by_month")
	wantTableRows(t, byMonth, "Apr 2026: 3", "May 2026: 1,234", "Whole period: 1,237")
	if byMonth.Chart != ChartMonths || byMonth.Total.Cells[0] != total || byMonth.Rows[0].Key != "2026-04" {
		t.Errorf("by month: chart %q, total shared %v, key %q", byMonth.Chart, byMonth.Total.Cells[0] == total, byMonth.Rows[0].Key)
	}
	wantTableRows(t, tableNamed(t, res, "referrals_by_source"), "GP practice: 1,236", "Housing: 0", "Police: 0", "Council: 0",
		"Voluntary or community organisation: 0", "Hospital: 0", "The person themselves: 1", "Other: 0", "Total: 1,237")
	wantTableRows(t, tableNamed(t, res, "referrals_by_need"), "Money and debt: 3", "loneliness: 2")
	wantTableRows(t, tableNamed(t, res, "referrals_by_scheme"), "Alpha link workers: 2", "Beta navigators: 1,000", "Other schemes: 235", "Total: 1,237")
}

func TestMeasureDashboardFirstContact(t *testing.T) {
	var fs placeFacts
	fs.add("2026-03", FactFirstContact, "1", 4, 0).
		add("2026-04", FactFirstContact, "0", 1, 0).add("2026-04", FactFirstContact, "3", 1, 0).
		add("2026-05", FactFirstContact, "14", 1, 0).add("2026-05", FactFirstContact, "20", 1, 0).
		add("2026-06", FactFirstContact, "1", 1, 0)
	res := buildOne(t, MeasureFirstContact, "2026-04", "2026-06", fs, nil)
	// 0, 1, 3, 14, 20: the middle is 3; 4 of 5 within 14 days.
	wantCellText(t, headlineCell(t, res, "Median time to first contact"), "3 days")
	wantCellText(t, headlineCell(t, res, "Share first contacted within 14 days"), "80%")
	wantCellText(t, headlineCell(t, res, "Referrals first contacted"), "5")
	wantCellText(t, headlineCell(t, res, "First contacted within 14 days"), "4")
	wantTableRows(t, tableNamed(t, res, "first_contact_by_month"),
		"Apr 2026: 1.5 days | 100% | 2 | 2", "May 2026: 17 days | 50% | 2 | 1", "Jun 2026: 1 day | 100% | 1 | 1",
		"Whole period: 3 days | 80% | 5 | 4")
	wantTableRows(t, tableNamed(t, res, "first_contact_by_wait"), "The same day: 1", "1 to 7 days: 2", "8 to 14 days: 1", "15 to 28 days: 1",
		"29 to 56 days: 0", "57 to 91 days: 0", "More than 91 days: 0", "Total: 5")
	within := headlineCell(t, res, "First contacted within 14 days")
	if len(within.Parts) != 3 {
		t.Errorf("within 14 days has %d parts, want the three bands to 14 days", len(within.Parts))
	}
	share := headlineCell(t, res, "Share first contacted within 14 days")
	if share.Base != within || share.Of != headlineCell(t, res, "Referrals first contacted") {
		t.Error("the share within 14 days does not depend on both its counts")
	}

	empty := buildOne(t, MeasureFirstContact, "2027-01", "2027-01", fs, nil)
	wantCellText(t, headlineCell(t, empty, "Median time to first contact"), "–")
	wantCellText(t, headlineCell(t, empty, "Share first contacted within 14 days"), "–")
}

func TestMeasureDashboardPeopleSupported(t *testing.T) {
	var fs placeFacts
	fs.add("2025-11", FactSupportStarts, "all", 10, 0).
		add("2026-02", FactSupportStarts, "all", 2, 0).add("2026-02", FactSupportEnds, "all", 3, 0).
		add("2026-04", FactSupportStarts, "all", 4, 0).add("2026-04", FactSupportEnds, "all", 1, 0).
		add("2026-05", FactSupportStarts, "all", 2, 0).
		add("2026-07", FactSupportStarts, "all", 50, 0)
	res := buildOne(t, MeasurePeopleSupported, "2026-04", "2026-05", fs, nil)
	// Open at the start: 10 + 2 − 3 = 9; opened in the period: 6.
	wantCellText(t, headlineCell(t, res, "People supported"), "15")
	wantCellText(t, headlineCell(t, res, "New people"), "6")
	wantCellText(t, headlineCell(t, res, "Support ended"), "1")
	wantTableRows(t, tableNamed(t, res, "people_supported_by_month"), "Apr 2026: 4 | 1", "May 2026: 2 | 0", "Whole period: 6 | 1")
}

func TestMeasureDashboardContacts(t *testing.T) {
	var fs placeFacts
	fs.add("2026-04", FactContacts, "all", 2, 45).add("2026-04", FactContacts, "mode:face_to_face", 1, 30).
		add("2026-04", FactContacts, "mode:phone", 1, 15).
		add("2026-05", FactContacts, "all", 1, 10).add("2026-05", FactContacts, "mode:video", 1, 10)
	res := buildOne(t, MeasureContacts, "2026-04", "2026-05", fs, nil)
	wantCellText(t, headlineCell(t, res, "Contacts"), "3")
	wantCellText(t, headlineCell(t, res, "Minutes of contact"), "55")
	wantCellText(t, headlineCell(t, res, "Mean minutes a contact"), "18.3")
	wantTableRows(t, tableNamed(t, res, "contacts_by_mode"), "Face to face: 1 | 30 | 30.0", "Phone: 1 | 15 | 15.0", "Video call: 1 | 10 | 10.0",
		"Home visit: 0 | 0 | –", "In a group: 0 | 0 | –", "Text, email or letter: 0 | 0 | –", "Total: 3 | 55 | 18.3")
	wantTableRows(t, tableNamed(t, res, "contacts_by_month"), "Apr 2026: 2 | 45 | 22.5", "May 2026: 1 | 10 | 10.0", "Whole period: 3 | 55 | 18.3")
}

func TestMeasureDashboardCaseload(t *testing.T) {
	var fs placeFacts
	// Three months, April to June 2026: 91 days.
	fs.add("2026-01", FactSupportStarts, "worker:7", 45, 0).add("2026-02", FactSupportEnds, "worker:7", 5, 0) // 40 open at the start
	fs.add("2026-04", FactSupportStarts, "worker:7", 50, 0)                                                   // 40 + 50 × 365 / 91 = 240.5: within
	fs.add("2026-05", FactSupportStarts, "worker:8", 70, 0)                                                   // 70 × 365 / 91 = 280.8: over
	fs.add("2026-06", FactSupportStarts, "worker:9", 8, 0)                                                    // 32.1: under
	fs.add("2026-06", FactSupportStarts, "worker:0", 3, 0)
	fs.add("2025-01", FactSupportStarts, "worker:10", 2, 0).add("2025-03", FactSupportEnds, "worker:10", 2, 0) // no one in the period
	fs.add("2026-01", FactSupportStarts, "all", 45, 0).add("2026-02", FactSupportEnds, "all", 5, 0).
		add("2026-04", FactSupportStarts, "all", 50, 0).add("2026-05", FactSupportStarts, "all", 70, 0).
		add("2026-06", FactSupportStarts, "all", 11, 0).add("2025-01", FactSupportStarts, "all", 2, 0).add("2025-03", FactSupportEnds, "all", 2, 0)
	c := &MeasureContext{Workers: map[int64]string{7: "Asha Patel", 8: "Ben Okafor", 9: "Cara Jones"}}
	res := buildOne(t, MeasureCaseload, "2026-04", "2026-06", fs, c)
	wantTableRows(t, tableNamed(t, res, "caseload_by_worker"),
		"Asha Patel: 90 | 241 | Within the guide",
		"Ben Okafor: 70 | 281 | Over 250: above the guide",
		"Cara Jones: 8 | 32 | Under 200",
		"No link worker named: 3 | 12 | ",
		"Total: 171 |  | ")
	wantTableRows(t, tableNamed(t, res, "caseload_bands"),
		"Under 100: 1", "100 to 199: 0", "200 to 250: within the guide: 1", "Over 250: above the guide: 1", "Total: 3")
	wantCellText(t, headlineCell(t, res, "Link workers"), "3")
	wantCellText(t, headlineCell(t, res, "Median people a year per link worker"), "241")
	wantCellText(t, headlineCell(t, res, "Link workers above 250 a year"), "1")
	if m := headlineCell(t, res, "Median people a year per link worker"); m.Base == nil || m.Base.Value != 90 {
		t.Error("the median does not depend on the middle worker's count")
	}
}

func TestMeasureDashboardWaiting(t *testing.T) {
	var fs placeFacts
	fs.add("2026-04", FactWaitingAllocated, "8", 1, 0).add("2026-04", FactWaitingAllocated, "2", 1, 0).
		add("2026-05", FactWaitingAllocated, "30", 2, 0)
	res := buildOne(t, MeasureWaiting, "2026-04", "2026-05", fs, &MeasureContext{WaitingNow: 1234})
	wantCellText(t, headlineCell(t, res, "Waiting now"), "1,234")
	wantCellText(t, headlineCell(t, res, "Allocated to a link worker"), "4")
	wantCellText(t, headlineCell(t, res, "Median wait of those allocated"), "19 days")
	wantCellText(t, headlineCell(t, res, "Mean wait of those allocated"), "17.5 days")
	wantTableRows(t, tableNamed(t, res, "waiting_by_month"), "Apr 2026: 5 days | 5 days | 2", "May 2026: 30 days | 30 days | 2",
		"Whole period: 19 days | 17.5 days | 4")
}

func TestMeasureDashboardOnward(t *testing.T) {
	var fs placeFacts
	fs.add("2026-04", FactOnward, "all", 10, 0).add("2026-04", FactOnward, "status:sent", 1, 0).
		add("2026-04", FactOnward, "status:accepted", 2, 0).add("2026-04", FactOnward, "status:attended", 4, 0).
		add("2026-04", FactOnward, "status:did_not_attend", 1, 0).add("2026-04", FactOnward, "status:declined", 1, 0).
		add("2026-04", FactOnward, "status:withdrawn", 1, 0)
	res := buildOne(t, MeasureOnward, "2026-04", "2026-04", fs, nil)
	wantCellText(t, headlineCell(t, res, "Onward referrals sent"), "10")
	accepted := headlineCell(t, res, "Accepted")
	wantCellText(t, accepted, "7")
	wantCellText(t, headlineCell(t, res, "Attended"), "4")
	wantCellText(t, headlineCell(t, res, "Share accepted"), "70%")
	wantCellText(t, headlineCell(t, res, "Share of those accepted who attended"), "57%")
	if len(accepted.Parts) != 3 {
		t.Errorf("accepted has %d parts, want accepted, attended and did not attend", len(accepted.Parts))
	}
	wantTableRows(t, tableNamed(t, res, "onward_by_status"), "Waiting for an answer: 1", "Accepted, not yet known whether they attended: 2",
		"Declined: 1", "Attended: 4", "Did not attend: 1", "Withdrawn: 1", "Total: 10")
	wantTableRows(t, tableNamed(t, res, "onward_by_month"), "Apr 2026: 10 | 7 | 4", "Whole period: 10 | 7 | 4")
}

func TestMeasureDashboardWellbeing(t *testing.T) {
	var fs placeFacts
	fs.add("2026-04", FactWellbeing, "swemwbs:total:pairs", 3, 450).add("2026-04", FactWellbeing, "swemwbs:total:improved", 2, 0).
		add("2026-05", FactWellbeing, "swemwbs:total:pairs", 1, 200).add("2026-05", FactWellbeing, "swemwbs:total:worsened", 1, 0).
		add("2026-04", FactWellbeing, "ons4:item4:pairs", 2, -300).add("2026-04", FactWellbeing, "ons4:item4:improved", 1, 0).
		add("2026-04", FactWellbeing, "ons4:item1:pairs", 2, 0)
	res := buildOne(t, MeasureWellbeing, "2026-04", "2026-05", fs, nil)
	wantTableRows(t, tableNamed(t, res, "wellbeing_change"),
		"ONS4 life satisfaction (0 to 10, higher is better): 0% | 0% | 0.00 | 2 | 0 | 0",
		"ONS4 anxiety (0 to 10, lower is better): 50% | 0% | -1.50 | 2 | 1 | 0",
		"SWEMWBS mental wellbeing (metric score 7 to 35, higher is better): 50% | 25% | +1.63 | 4 | 2 | 1")
	wantCellText(t, headlineCell(t, res, "People compared: SWEMWBS"), "4")
	wantCellText(t, headlineCell(t, res, "Improved by a meaningful amount: SWEMWBS"), "50%")
	wantCellText(t, headlineCell(t, res, "People compared: ONS4"), "2")
}

func TestMeasureDashboardReach(t *testing.T) {
	var fs placeFacts
	for _, s := range []struct {
		key string
		n   int64
	}{{"all", 12}, {"imd:1", 3}, {"imd:2", 5}, {"imd:5", 2}, {"imd:0", 2},
		{"ethnicity:A", 7}, {"ethnicity:unknown", 5}, {"age:25-34", 12}, {"sex:female", 9}, {"sex:unknown", 3}} {
		fs.add("2026-04", FactSupportStarts, s.key, s.n, 0)
	}
	c := &MeasureContext{PlaceDeciles: map[int]int{1: 10, 2: 10, 5: 20, 10: 60}}
	res := buildOne(t, MeasureReach, "2026-04", "2026-04", fs, c)
	wantCellText(t, headlineCell(t, res, "People supported"), "12")
	wantCellText(t, headlineCell(t, res, "People supported from the most deprived fifth of neighbourhoods (deciles 1 and 2)"), "8")
	wantCellText(t, headlineCell(t, res, "Share of people supported from the most deprived fifth"), "80%")
	wantCellText(t, headlineCell(t, res, "The place's share of neighbourhoods in the most deprived fifth"), "20%")
	wantTableRows(t, tableNamed(t, res, "reach_by_imd"),
		"1 (most deprived): 30% | 10% | 3", "2: 50% | 10% | 5", "3: 0% | 0% | 0", "4: 0% | 0% | 0", "5: 20% | 20% | 2",
		"6: 0% | 0% | 0", "7: 0% | 0% | 0", "8: 0% | 0% | 0", "9: 0% | 0% | 0", "10 (least deprived): 0% | 60% | 0",
		"Not known:  |  | 2", "Total: 100% | 100% | 12")
	wantTableRows(t, tableNamed(t, res, "reach_by_ethnicity"), "White: British: 7 | 58%", "Not recorded: 5 | 42%", "Total: 12 | 100%")
	wantTableRows(t, tableNamed(t, res, "reach_by_age"), "0-17: 0 | 0%", "18-24: 0 | 0%", "25-34: 12 | 100%", "35-44: 0 | 0%", "45-54: 0 | 0%",
		"55-64: 0 | 0%", "65-74: 0 | 0%", "75-84: 0 | 0%", "85+: 0 | 0%", "Total: 12 | 100%")
	wantTableRows(t, tableNamed(t, res, "reach_by_sex"), "Female: 9 | 75%", "Male: 0 | 0%", "Indeterminate (unable to be classified): 0 | 0%",
		"Not known: 0 | 0%", "Prefers not to say: 0 | 0%", "Not recorded: 3 | 25%", "Total: 12 | 100%")
	if tableNamed(t, res, "reach_by_sex").Total.Cells[0] != tableNamed(t, res, "reach_by_ethnicity").Total.Cells[0] {
		t.Error("the tables of people supported do not share their total")
	}

	noPlace := buildOne(t, MeasureReach, "2026-04", "2026-04", fs, nil)
	wantCellText(t, headlineCell(t, noPlace, "The place's share of neighbourhoods in the most deprived fifth"), "–")
}

func TestMeasureDashboardHealthUse(t *testing.T) {
	var fs placeFacts
	fs.add("2026-04", FactHealthUse, "people", 2, 0).add("2026-04", FactHealthUse, "gp_before", 2, 6).
		add("2026-04", FactHealthUse, "gp_after", 2, 3).add("2026-04", FactHealthUse, "admissions_before", 2, 1).
		add("2026-04", FactHealthUse, "admissions_after", 2, 0)
	res := buildOne(t, MeasureHealthUse, "2026-04", "2026-05", fs, &MeasureContext{ActivityUpTo: "2026-11"})
	wantCellText(t, headlineCell(t, res, "People counted"), "2")
	perPerson := tableNamed(t, res, "health_use_per_person")
	wantTableRows(t, perPerson, "GP consultations: 3.00 | 1.50", "Non-elective admissions: 0.50 | 0.00")
	if perPerson.Chart != ChartBeforeAfter {
		t.Errorf("per person chart %q", perPerson.Chart)
	}
	wantTableRows(t, tableNamed(t, res, "health_use_totals"), "GP consultations: 6 | 3", "Non-elective admissions: 1 | 0")
	wantTableRows(t, tableNamed(t, res, "health_use_by_month"), "Apr 2026: 2", "May 2026: 0", "Whole period: 2")
	if n := perPerson.Notes; len(n) != 1 || !strings.Contains(n[0], "Nov 2026") || !strings.Contains(n[0], "May 2026") {
		t.Errorf("notes %q", n)
	}
	none := buildOne(t, MeasureHealthUse, "2026-04", "2026-05", nil, nil)
	if n := tableNamed(t, none, "health_use_per_person").Notes; !slices.Contains(n, "No health service use data has been loaded.") {
		t.Errorf("notes with no data %q", n)
	}
	wantCellText(t, headlineCell(t, none, "GP consultations a person, 6 months before"), "–")
}

func TestMeasureDashboardGroupsAndSpend(t *testing.T) {
	var fs placeFacts
	fs.add("2026-04", FactVolunteers, "volunteers", 2, 8).add("2026-04", FactVolunteers, "hours", 2, 1520).
		add("2026-05", FactVolunteers, "volunteers", 1, 5).add("2026-05", FactVolunteers, "hours", 1, 10).
		add("2026-04", FactNewActivities, "all", 2, 0).add("2026-05", FactNewGroups, "all", 1, 0).
		add("2026-04", FactSpend, "all", 1, 3000).add("2026-04", FactSpend, "need:debt", 1, 5000).add("2026-04", FactSpend, "need:food", 0, -2000).
		add("2026-04", FactSpend, "lsoa:E01", 1, 3000).add("2026-05", FactSpend, "all", 1, 123456).add("2026-05", FactSpend, "need:food", 1, 123456).
		add("2026-05", FactSpend, "lsoa:unknown", 1, 123456).
		add("2026-04", FactLocal, "local-3", 2, 12)
	c := &MeasureContext{Terms: map[string]string{"debt": "Money and debt", "food": "Food"}, Neighbourhoods: map[string]string{"E01": "Acomb North"},
		Local: []*LocalMeasure{{ID: 3, Name: "Talks to GP practices", Unit: "talks"}}}

	vol := buildOne(t, MeasureVolunteers, "2026-04", "2026-05", fs, c)
	wantCellText(t, headlineCell(t, vol, "Volunteer-months"), "13")
	wantCellText(t, headlineCell(t, vol, "Volunteer hours"), "1,530")
	wantTableRows(t, tableNamed(t, vol, "volunteers_by_month"), "Apr 2026: 8 | 1,520 | 2", "May 2026: 5 | 10 | 1", "Whole period: 13 | 1,530 | 3")

	acts := buildOne(t, MeasureNewActivities, "2026-04", "2026-05", fs, c)
	wantTableRows(t, tableNamed(t, acts, "new_activities_by_month"), "Apr 2026: 2 | 0", "May 2026: 0 | 1", "Whole period: 2 | 1")

	spend := buildOne(t, MeasureBudgetSpend, "2026-04", "2026-05", fs, c)
	wantCellText(t, headlineCell(t, spend, "Net spend"), "£1,264.56")
	wantCellText(t, headlineCell(t, spend, "Payments"), "2")
	wantTableRows(t, tableNamed(t, spend, "budget_spend_by_need"), "Food: £1,214.56 | 1", "Money and debt: £50.00 | 1", "Total: £1,264.56 | 2")
	wantTableRows(t, tableNamed(t, spend, "budget_spend_by_neighbourhood"), "Acomb North (E01): £30.00 | 1", "Not known: £1,234.56 | 1", "Total: £1,264.56 | 2")
	wantTableRows(t, tableNamed(t, spend, "budget_spend_by_month"), "Apr 2026: £30.00 | 1", "May 2026: £1,234.56 | 1", "Whole period: £1,264.56 | 2")
	if v := headlineCell(t, spend, "Net spend").Value; v != 1264.56 {
		t.Errorf("net spend value %v, want pounds", v)
	}

	def := MeasureDefinition{Code: "local-3", Name: "Talks to GP practices", Local: true}
	q := MeasureQuery{PlaceID: 1, Scope: Scope{Kind: ScopePlace}, From: firstOfMonth("2026-04"), To: firstOfMonth("2026-05"), Measures: []MeasureCode{"local-3", "local-4"}}
	d := BuildDashboard(append(slices.Clone(BuiltInMeasures), def), q, fs, c)
	if len(d.Results) != 1 {
		t.Fatalf("%d results, want the one local measure defined", len(d.Results))
	}
	local := tableNamed(t, d.Results[0], "local-3_by_month")
	if local.Header[1] != "Talks" {
		t.Errorf("local header %q", local.Header)
	}
	wantTableRows(t, local, "Apr 2026: 12 | 2", "May 2026: 0 | 0", "Whole period: 12 | 2")
}

// TestMeasureDashboardFromRecords builds a dashboard from facts recomputed from records, for
// a scheme: the facts of other scopes are left out.
func TestMeasureDashboardFromRecords(t *testing.T) {
	r := casePlace()
	r.Referrals = referralPlace().Referrals
	facts := MeasureFactsFromRecords(r)
	q := MeasureQuery{PlaceID: 2, Scope: Scope{Kind: ScopeScheme, Key: "10"}, From: firstOfMonth("2026-04"), To: firstOfMonth("2026-04"),
		Measures: []MeasureCode{MeasureReferrals, MeasurePeopleSupported, MeasureFirstContact}}
	d := BuildDashboard(BuiltInMeasures, q, facts, nil)
	wantCellText(t, headlineCell(t, d.Results[0], "Referrals received"), "2")
	wantCellText(t, headlineCell(t, d.Results[1], "People supported"), "1")
	wantCellText(t, headlineCell(t, d.Results[2], "Median time to first contact"), "0 days")
	for _, tb := range d.Results[0].Tables {
		if tb.Name == "referrals_by_scheme" {
			t.Error("a scheme's dashboard has a table by scheme")
		}
	}
}
