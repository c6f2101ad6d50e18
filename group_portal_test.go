package linkwork_test

import (
	"strings"
	"testing"
	"time"

	"linkwork"
)

func utc(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, time.UTC)
}

// TestWeekOf checks the week a moment falls in, as people in London count weeks: Monday to
// Sunday, across the changes between GMT and BST.
func TestWeekOf(t *testing.T) {
	for _, c := range []struct {
		name string
		at   time.Time
		want time.Time
	}{
		{"a Wednesday", utc(2030, time.March, 6, 12, 0), utc(2030, time.March, 4, 0, 0)},
		{"Monday at midnight in winter", utc(2030, time.March, 4, 0, 0), utc(2030, time.March, 4, 0, 0)},
		{"Sunday just before midnight in winter", utc(2030, time.March, 10, 23, 59), utc(2030, time.March, 4, 0, 0)},
		// BST begins at 01:00 UTC on Sunday 31 March 2030.
		{"Sunday before the clocks go forward", utc(2030, time.March, 31, 0, 30), utc(2030, time.March, 25, 0, 0)},
		{"Sunday evening in BST", utc(2030, time.March, 31, 22, 59), utc(2030, time.March, 25, 0, 0)},
		{"Sunday 23:30 UTC is Monday in BST", utc(2030, time.March, 31, 23, 30), utc(2030, time.April, 1, 0, 0)},
		{"Sunday 23:00 UTC is Monday midnight in BST", utc(2030, time.March, 31, 23, 0), utc(2030, time.April, 1, 0, 0)},
		{"a summer Sunday late in UTC", utc(2030, time.October, 20, 23, 30), utc(2030, time.October, 21, 0, 0)},
		// GMT returns at 01:00 UTC on Sunday 27 October 2030.
		{"Sunday before the clocks go back", utc(2030, time.October, 27, 0, 30), utc(2030, time.October, 21, 0, 0)},
		{"Sunday 23:30 after the clocks go back", utc(2030, time.October, 27, 23, 30), utc(2030, time.October, 21, 0, 0)},
		{"Monday after the clocks go back", utc(2030, time.October, 28, 0, 0), utc(2030, time.October, 28, 0, 0)},
		{"a time in another zone", time.Date(2030, time.March, 31, 20, 0, 0, 0, time.FixedZone("EDT", -4*3600)), utc(2030, time.April, 1, 0, 0)},
		{"across a year's end", utc(2031, time.January, 1, 9, 0), utc(2030, time.December, 30, 0, 0)},
	} {
		got := linkwork.WeekOf(c.at)
		if !got.Equal(c.want) || got.Location() != time.UTC || got.Weekday() != time.Monday {
			t.Errorf("%s: WeekOf(%s) = %s, want %s", c.name, c.at.Format(time.RFC3339), got.Format(time.RFC3339), c.want.Format(time.RFC3339))
		}
	}
}

func TestPlacesThisWeek(t *testing.T) {
	three := 3
	now := utc(2030, time.March, 31, 23, 30) // Monday 1 April in London
	thisWeek := utc(2030, time.April, 1, 0, 0)
	for _, c := range []struct {
		name string
		a    *linkwork.Availability
		want *int
	}{
		{"no availability", nil, nil},
		{"places not given", &linkwork.Availability{Week: thisWeek}, nil},
		{"this week", &linkwork.Availability{PlacesLeft: &three, Week: thisWeek}, &three},
		{"last week", &linkwork.Availability{PlacesLeft: &three, Week: thisWeek.AddDate(0, 0, -7)}, nil},
		{"next week", &linkwork.Availability{PlacesLeft: &three, Week: thisWeek.AddDate(0, 0, 7)}, nil},
	} {
		got := c.a.PlacesThisWeek(now)
		if (got == nil) != (c.want == nil) || got != nil && *got != *c.want {
			t.Errorf("%s: PlacesThisWeek = %v, want %v", c.name, got, c.want)
		}
	}
	// On Sunday evening in London the week is still the one that began on the Monday before.
	a := &linkwork.Availability{PlacesLeft: &three, Week: utc(2030, time.March, 25, 0, 0)}
	if got := a.PlacesThisWeek(utc(2030, time.March, 31, 22, 30)); got == nil || *got != 3 {
		t.Errorf("Sunday evening: %v, want 3", got)
	}
}

// wantGroupProblems fails unless err names exactly the fields, in order.
func wantGroupProblems(t *testing.T, what string, err error, fields ...string) {
	t.Helper()
	es := linkwork.FieldErrors(err)
	var got []string
	for _, e := range es {
		if e.Code != linkwork.EINVALID || e.Message == "" {
			t.Errorf("%s: problem %+v", what, e)
		}
		got = append(got, e.Field)
	}
	if strings.Join(got, " ") != strings.Join(fields, " ") {
		t.Errorf("%s: problems with %v (%v), want %v", what, got, err, fields)
	}
}

func TestAvailabilityValidate(t *testing.T) {
	n := func(v int) *int { return &v }
	ok := &linkwork.Availability{ServiceID: 1, PlacesLeft: n(0), Note: "  Ring first \n"}
	wantGroupProblems(t, "valid", ok.Validate())
	if ok.Note != "Ring first" {
		t.Errorf("note not trimmed: %q", ok.Note)
	}
	wantGroupProblems(t, "most places", (&linkwork.Availability{ServiceID: 1, PlacesLeft: n(10000)}).Validate())
	wantGroupProblems(t, "no service", (&linkwork.Availability{}).Validate(), "service_id")
	wantGroupProblems(t, "negative places", (&linkwork.Availability{ServiceID: 1, PlacesLeft: n(-1)}).Validate(), "places_left")
	wantGroupProblems(t, "too many places", (&linkwork.Availability{ServiceID: 1, PlacesLeft: n(10001)}).Validate(), "places_left")
	wantGroupProblems(t, "long note", (&linkwork.Availability{ServiceID: 1, Note: strings.Repeat("é", 301)}).Validate(), "note")
	wantGroupProblems(t, "everything", (&linkwork.Availability{PlacesLeft: n(-5), Note: strings.Repeat("a", 301)}).Validate(),
		"service_id", "places_left", "note")
}

func TestVolunteerMonthValidate(t *testing.T) {
	now := utc(2030, time.March, 31, 23, 30) // 1 April in London
	v := &linkwork.VolunteerMonth{OrganisationID: 1, Month: utc(2030, time.April, 17, 0, 0), Volunteers: 4, Hours: 30}
	wantGroupProblems(t, "this month in London", v.Validate(now))
	if !v.Month.Equal(utc(2030, time.April, 1, 0, 0)) {
		t.Errorf("month not made the first: %s", v.Month)
	}
	wantGroupProblems(t, "no hours", (&linkwork.VolunteerMonth{Month: utc(2029, time.May, 1, 0, 0), Volunteers: 2}).Validate(now))
	wantGroupProblems(t, "nothing", (&linkwork.VolunteerMonth{Month: utc(2029, time.May, 1, 0, 0)}).Validate(now))
	wantGroupProblems(t, "no month", (&linkwork.VolunteerMonth{Volunteers: 1}).Validate(now), "month")
	wantGroupProblems(t, "next month", (&linkwork.VolunteerMonth{Month: utc(2030, time.May, 1, 0, 0), Volunteers: 1}).Validate(now), "month")
	wantGroupProblems(t, "negative", (&linkwork.VolunteerMonth{Month: utc(2030, time.March, 1, 0, 0), Volunteers: -1, Hours: -1}).Validate(now),
		"volunteers", "hours")
	wantGroupProblems(t, "too many", (&linkwork.VolunteerMonth{Month: utc(2030, time.March, 1, 0, 0), Volunteers: 10001, Hours: 1_000_001}).Validate(now),
		"volunteers", "hours")
	wantGroupProblems(t, "hours without volunteers", (&linkwork.VolunteerMonth{Month: utc(2030, time.March, 1, 0, 0), Hours: 3}).Validate(now),
		"volunteers")
}

func TestNewActivityValidate(t *testing.T) {
	now := utc(2030, time.March, 4, 9, 0)
	a := &linkwork.NewActivity{OrganisationID: 1, Name: "  Knit and Natter ", Description: " Thursdays ", Need: " loneliness ",
		StartedOn: utc(2030, time.March, 5, 0, 0)}
	wantGroupProblems(t, "valid, started tomorrow", a.Validate(now))
	if a.Name != "Knit and Natter" || a.Description != "Thursdays" || a.Need != "loneliness" {
		t.Errorf("not trimmed: %+v", a)
	}
	wantGroupProblems(t, "no name", (&linkwork.NewActivity{StartedOn: now}).Validate(now), "name")
	wantGroupProblems(t, "long name and description", (&linkwork.NewActivity{Name: strings.Repeat("a", 201),
		Description: strings.Repeat("b", 2001), StartedOn: now}).Validate(now), "name", "description")
	wantGroupProblems(t, "no day", (&linkwork.NewActivity{Name: "Walks"}).Validate(now), "started_on")
	wantGroupProblems(t, "in the future", (&linkwork.NewActivity{Name: "Walks", StartedOn: now.AddDate(0, 0, 2)}).Validate(now), "started_on")
	wantGroupProblems(t, "too long ago", (&linkwork.NewActivity{Name: "Walks", StartedOn: now.AddDate(-5, 0, -1)}).Validate(now), "started_on")
}

func TestGroupRequestValidate(t *testing.T) {
	g := &linkwork.GroupRequest{OrganisationID: 1, Kind: linkwork.RequestSpace, Detail: "  A room for 20 on Tuesdays  ",
		Need: " loneliness ", Postcode: " hx1 1aa "}
	wantGroupProblems(t, "valid", g.Validate())
	if g.Detail != "A room for 20 on Tuesdays" || g.Need != "loneliness" || g.Postcode != "hx1 1aa" {
		t.Errorf("not trimmed: %+v", g)
	}
	wantGroupProblems(t, "nothing", (&linkwork.GroupRequest{}).Validate(), "kind", "detail", "organisation_id")
	wantGroupProblems(t, "unknown kind and short", (&linkwork.GroupRequest{OrganisationID: 1, Kind: "cake", Detail: "a room"}).Validate(),
		"kind", "detail")
	wantGroupProblems(t, "long detail", (&linkwork.GroupRequest{OrganisationID: 1, Kind: linkwork.RequestMoney, Detail: strings.Repeat("x", 2001)}).Validate(),
		"detail")
	for _, k := range linkwork.RequestKinds {
		if k.Label() == "" {
			t.Errorf("kind %q has no label", k)
		}
	}
	for _, s := range []linkwork.RequestStatus{linkwork.RequestOpen, linkwork.RequestMet, linkwork.RequestWithdrawn} {
		if s.Label() == "" {
			t.Errorf("status %q has no label", s)
		}
	}
}
