package linkwork_test

import (
	"errors"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"linkwork"
)

// problemFields returns the fields of every problem in err, sorted, failing the test unless
// each is an EINVALID error with a message.
func problemFields(t *testing.T, err error) []string {
	t.Helper()
	var fields []string
	for _, e := range linkwork.FieldErrors(err) {
		if e.Code != linkwork.EINVALID || e.Message == "" {
			t.Errorf("problem %+v: want code %s and a message", e, linkwork.EINVALID)
		}
		fields = append(fields, e.Field)
	}
	slices.Sort(fields)
	return fields
}

// wantProblems fails the test unless err reports exactly these fields (in any order, each as
// often as given).
func wantProblems(t *testing.T, err error, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want problems with %q", want)
	}
	want = slices.Clone(want)
	slices.Sort(want)
	if got := problemFields(t, err); !slices.Equal(got, want) {
		t.Fatalf("got problems with %q, want %q\n(%v)", got, want, err)
	}
	// One problem is the *Error itself; more are a Problems, whose first errors.As finds.
	var ps linkwork.Problems
	if isProblems := errors.As(err, &ps); isProblems != (len(want) > 1) {
		t.Errorf("%d problems came back as %T", len(want), err)
	}
}

func ptr[T any](v T) *T { return &v }

func validService() linkwork.Service {
	return linkwork.Service{
		Kind: linkwork.KindActivity, Name: "Walk and Talk", Description: "A gentle walk round the park.",
		OrganisationID: 1, Status: linkwork.StatusActive,
	}
}

func validScheme() *linkwork.ConnectorScheme {
	return &linkwork.ConnectorScheme{Model: linkwork.ModelPCNLinkWorker,
		WhoCanRefer: []linkwork.ReferrerType{linkwork.ReferrerGP, linkwork.ReferrerSelf}}
}

func validSchedule() linkwork.Schedule {
	return linkwork.Schedule{Freq: linkwork.Weekly, Days: []time.Weekday{time.Tuesday}, Opens: "10:00", Closes: "12:00"}
}

func validLocation() linkwork.Location {
	return linkwork.Location{Address1: "1 Square Road", Town: "Halifax", Postcode: "HX1 1AA"}
}

func TestServiceValidateCleansAValidService(t *testing.T) {
	s := linkwork.Service{
		Kind: linkwork.KindActivity, Name: "  Walk and Talk ", Description: "\tA gentle walk.\n",
		OrganisationID: 7, Status: linkwork.StatusTemporarilyClosed,
		URL: " https://example.org/walks ", Email: " Walks@Example.ORG ", Phone: " +44 (0)1422-123456 ",
		MinAge: ptr(0), MaxAge: ptr(120), Eligibility: " Adults ", Fees: " £2 ", Accessibility: " Step-free ",
		Languages: []string{" English", "", "english ", "Polish", "  "},
		Areas:     []string{"Park Ward", "park ward", " Town "},
		Schedules: []linkwork.Schedule{{Freq: " weekly ", Days: []time.Weekday{time.Monday}, Opens: " 9:05", Closes: "10:00:00 ",
			Description: " term time "}},
		Locations: []linkwork.Location{{Name: " Hall ", Address1: " 1 Square Road ", Town: " Halifax ", Postcode: "hx1 1aa"}},
		Contacts:  []linkwork.Contact{{Name: " Ann ", Title: " Organiser ", Email: " ANN@Example.org", Phone: " 01422 123456 "}},
	}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	if s.Name != "Walk and Talk" || s.Description != "A gentle walk." || s.URL != "https://example.org/walks" ||
		s.Email != "walks@example.org" || s.Phone != "+44 (0)1422-123456" || s.Eligibility != "Adults" || s.Fees != "£2" ||
		s.Accessibility != "Step-free" {
		t.Errorf("not trimmed: %+v", s)
	}
	if !slices.Equal(s.Languages, []string{"English", "Polish"}) || !slices.Equal(s.Areas, []string{"Park Ward", "Town"}) {
		t.Errorf("lists not cleaned: languages %q, areas %q", s.Languages, s.Areas)
	}
	sc := s.Schedules[0]
	if sc.Freq != linkwork.Weekly || sc.Opens != "09:05" || sc.Closes != "10:00" || sc.Description != "term time" {
		t.Errorf("schedule not normalised: %+v", sc)
	}
	if l := s.Locations[0]; l.Name != "Hall" || l.Address1 != "1 Square Road" || l.Town != "Halifax" {
		t.Errorf("location not trimmed: %+v", l)
	}
	if c := s.Contacts[0]; c.Name != "Ann" || c.Title != "Organiser" || c.Email != "ann@example.org" || c.Phone != "01422 123456" {
		t.Errorf("contact not trimmed: %+v", c)
	}

	// Empty lists come back empty, not nil, so that JSON shows [].
	s = validService()
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	if s.Languages == nil || s.Areas == nil {
		t.Errorf("empty lists are nil: %#v %#v", s.Languages, s.Areas)
	}

	// A connector scheme with its details.
	s = validService()
	s.Kind, s.Scheme = linkwork.KindScheme, validScheme()
	s.Scheme.AssessmentTools = []string{" SWEMWBS ", "swemwbs", "", "ONS4"}
	s.Scheme.HowToRefer = " Ring us "
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.Scheme.AssessmentTools, []string{"SWEMWBS", "ONS4"}) || s.Scheme.HowToRefer != "Ring us" {
		t.Errorf("scheme not cleaned: %+v", s.Scheme)
	}
}

func TestServiceValidateReportsEveryProblem(t *testing.T) {
	many := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = "Area " + strconv.Itoa(i)
		}
		return out
	}
	s := linkwork.Service{
		Kind: "club", Name: "", Description: "   ", OrganisationID: 0, Status: "open",
		URL: "ftp://example.org", Email: "not an email", Phone: "call us",
		MinAge: ptr(-1), MaxAge: ptr(121),
		Eligibility: strings.Repeat("x", 2001), Fees: strings.Repeat("x", 1001), Accessibility: strings.Repeat("x", 2001),
		Languages: []string{strings.Repeat("x", 81)}, Areas: many(51),
		Schedules: []linkwork.Schedule{
			{Freq: "DAILY", Opens: "10:00", Closes: "9:00"},
			{Freq: linkwork.Weekly, Days: []time.Weekday{time.Monday}, Opens: "10:00", Closes: "24:00"},
		},
		Locations: []linkwork.Location{{}, {Address1: "1 Square Road", Town: "Halifax", Postcode: "HX1 1AA", Lat: ptr(53.7)}},
		Contacts:  []linkwork.Contact{validContact(), {Email: "x"}},
		Scheme:    validScheme(),
	}
	wantProblems(t, s.Validate(), "kind", "name", "description", "organisation_id", "status", "url", "email", "phone",
		"minimum_age", "maximum_age", "eligibility", "fees", "accessibility", "languages", "areas",
		"schedules[0].freq", "schedules[0].days", "schedules[0].closes_at", "schedules[1].closes_at",
		"locations[0].address_1", "locations[0].town", "locations[0].postcode", "locations[1].latitude",
		"contacts[1].name", "contacts[1].email", "scheme")

	// Items past the tenth are named by their two-digit index.
	s = validService()
	for range 12 {
		s.Contacts = append(s.Contacts, validContact())
	}
	s.Contacts[10].Name, s.Contacts[11].Email = "", "bad"
	wantProblems(t, s.Validate(), "contacts[10].name", "contacts[11].email")

	// A connector scheme's details are checked with the service's.
	s = validService()
	s.Kind, s.Name = linkwork.KindScheme, ""
	s.Scheme = &linkwork.ConnectorScheme{Model: "wizard", WhoCanRefer: []linkwork.ReferrerType{linkwork.ReferrerGP, "friend"},
		HowToRefer: strings.Repeat("x", 2001), FundingSource: strings.Repeat("x", 201), ElectronicSystem: strings.Repeat("x", 121),
		StaffFTE: -0.5, CaseloadLimit: 1001, WaitingWeeks: 105}
	err := s.Validate()
	wantProblems(t, err, "name", "scheme.model", "scheme.who_can_refer", "scheme.how_to_refer", "scheme.funding_source",
		"scheme.electronic_system", "scheme.staff_fte", "scheme.caseload_limit", "scheme.waiting_weeks")
	// The messages are shown next to the fields: they speak English, not field names.
	for _, e := range linkwork.FieldErrors(err) {
		if strings.Contains(e.Message, "scheme.") || strings.Contains(e.Message, "_") {
			t.Errorf("message for %s shows a field name: %q", e.Field, e.Message)
		}
	}

	// A connector scheme without its details is told what they lack.
	s = validService()
	s.Kind = linkwork.KindScheme
	wantProblems(t, s.Validate(), "scheme.model", "scheme.who_can_refer")
	// Ages the wrong way round.
	s = validService()
	s.MinAge, s.MaxAge = ptr(65), ptr(18)
	wantProblems(t, s.Validate(), "maximum_age")
}

func validContact() linkwork.Contact { return linkwork.Contact{Name: "Ann"} }

func TestServiceValidateBoundaries(t *testing.T) {
	long := func(n int) string { return strings.Repeat("é", n) } // characters, not bytes, are counted
	list := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = "L" + strconv.Itoa(i)
		}
		return out
	}
	cases := []struct {
		name   string
		change func(*linkwork.Service)
		field  string // "" when valid
	}{
		{"name of 200", func(s *linkwork.Service) { s.Name = long(200) }, ""},
		{"name of 201", func(s *linkwork.Service) { s.Name = long(201) }, "name"},
		{"name on two lines", func(s *linkwork.Service) { s.Name = "Walk\nTalk" }, "name"},
		{"description of 5000", func(s *linkwork.Service) { s.Description = long(5000) }, ""},
		{"description of 5001", func(s *linkwork.Service) { s.Description = long(5001) }, "description"},
		{"description with NUL", func(s *linkwork.Service) { s.Description = "a\x00b" }, "description"},
		{"description on lines", func(s *linkwork.Service) { s.Description = "one\ntwo" }, ""},
		{"http URL", func(s *linkwork.Service) { s.URL = "http://example.org" }, ""},
		{"URL without host", func(s *linkwork.Service) { s.URL = "https://" }, "url"},
		{"javascript URL", func(s *linkwork.Service) { s.URL = "javascript:alert(1)" }, "url"},
		{"relative URL", func(s *linkwork.Service) { s.URL = "example.org/walks" }, "url"},
		{"URL of 501", func(s *linkwork.Service) { s.URL = "https://example.org/" + strings.Repeat("a", 481) }, "url"},
		{"named email", func(s *linkwork.Service) { s.Email = "Ann <ann@example.org>" }, "email"},
		{"two emails", func(s *linkwork.Service) { s.Email = "a@example.org, b@example.org" }, "email"},
		{"phone of 6 digits", func(s *linkwork.Service) { s.Phone = "123 456" }, ""},
		{"phone of 5 digits", func(s *linkwork.Service) { s.Phone = "12345" }, "phone"},
		{"phone of 15 digits", func(s *linkwork.Service) { s.Phone = "+44 1422 123 456 789" }, ""},
		{"phone of 16 digits", func(s *linkwork.Service) { s.Phone = "1234567890123456" }, "phone"},
		{"phone with letters", func(s *linkwork.Service) { s.Phone = "01422 HALIFAX" }, "phone"},
		{"ages 0 to 0", func(s *linkwork.Service) { s.MinAge, s.MaxAge = ptr(0), ptr(0) }, ""},
		{"minimum age 121", func(s *linkwork.Service) { s.MinAge = ptr(121) }, "minimum_age"},
		{"maximum age -1", func(s *linkwork.Service) { s.MaxAge = ptr(-1) }, "maximum_age"},
		{"50 languages", func(s *linkwork.Service) { s.Languages = list(50) }, ""},
		{"51 languages", func(s *linkwork.Service) { s.Languages = list(51) }, "languages"},
		{"51 languages, 2 repeated", func(s *linkwork.Service) { s.Languages = append(list(49), "L0", "l1") }, ""},
		{"area of 80", func(s *linkwork.Service) { s.Areas = []string{long(80)} }, ""},
		{"area of 81", func(s *linkwork.Service) { s.Areas = []string{"ok", long(81), long(82)} }, "areas"},
		{"each status", func(s *linkwork.Service) { s.Status = linkwork.StatusDefunct }, ""},
		{"no status", func(s *linkwork.Service) { s.Status = "" }, "status"},
		{"status in capitals", func(s *linkwork.Service) { s.Status = "Active" }, "status"},
		{"no kind", func(s *linkwork.Service) { s.Kind = "" }, "kind"},
		{"negative organisation", func(s *linkwork.Service) { s.OrganisationID = -1 }, "organisation_id"},
		{"eligibility of 2000", func(s *linkwork.Service) { s.Eligibility = long(2000) }, ""},
		{"fees with NUL", func(s *linkwork.Service) { s.Fees = "\x00" }, "fees"},
	}
	for _, c := range cases {
		s := validService()
		c.change(&s)
		err := s.Validate()
		if c.field == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		if got := problemFields(t, err); !slices.Equal(got, []string{c.field}) {
			t.Errorf("%s: got problems with %q, want %q", c.name, got, c.field)
		}
	}
}

func TestContactValidate(t *testing.T) {
	c := linkwork.Contact{Name: " Ann Ackroyd ", Title: " Lead ", Email: " Ann@Example.org ", Phone: " 01422 123456"}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c != (linkwork.Contact{Name: "Ann Ackroyd", Title: "Lead", Email: "ann@example.org", Phone: "01422 123456"}) {
		t.Errorf("not cleaned: %+v", c)
	}
	c = linkwork.Contact{Name: "", Title: strings.Repeat("t", 121), Email: "ann@", Phone: "ring"}
	wantProblems(t, c.Validate(), "name", "title", "email", "phone")
}

func TestScheduleValidate(t *testing.T) {
	for _, ord := range []int{1, 2, 3, 4, -1} {
		s := linkwork.Schedule{Freq: "monthly", Days: []time.Weekday{time.Friday}, Ordinal: ord, Opens: "18:30", Closes: "20:00"}
		if err := s.Validate(); err != nil {
			t.Errorf("monthly, ordinal %d: %v", ord, err)
		}
		if s.Freq != linkwork.Monthly {
			t.Errorf("freq %q, want it in capitals", s.Freq)
		}
	}
	s := linkwork.Schedule{Freq: linkwork.Weekly, Days: []time.Weekday{time.Sunday, time.Saturday}, Opens: "0:00", Closes: "23:59"}
	if err := s.Validate(); err != nil || s.Opens != "00:00" || s.Closes != "23:59" {
		t.Errorf("all day: %+v %v", s, err)
	}

	cases := []struct {
		name   string
		change func(*linkwork.Schedule)
		fields []string
	}{
		{"weekly with an ordinal", func(s *linkwork.Schedule) { s.Ordinal = 1 }, []string{"ordinal"}},
		{"monthly without an ordinal", func(s *linkwork.Schedule) { s.Freq = linkwork.Monthly }, []string{"ordinal"}},
		{"monthly, fifth week", func(s *linkwork.Schedule) { s.Freq, s.Ordinal = linkwork.Monthly, 5 }, []string{"ordinal"}},
		{"monthly, ordinal -2", func(s *linkwork.Schedule) { s.Freq, s.Ordinal = linkwork.Monthly, -2 }, []string{"ordinal"}},
		{"daily", func(s *linkwork.Schedule) { s.Freq = "DAILY" }, []string{"freq"}},
		{"no freq", func(s *linkwork.Schedule) { s.Freq = "" }, []string{"freq"}},
		{"no days", func(s *linkwork.Schedule) { s.Days = nil }, []string{"days"}},
		{"day 7 and -1", func(s *linkwork.Schedule) { s.Days = []time.Weekday{7, -1, time.Monday} }, []string{"days"}},
		{"opens at 25:00", func(s *linkwork.Schedule) { s.Opens = "25:00" }, []string{"opens_at"}},
		{"closes at noon", func(s *linkwork.Schedule) { s.Closes = "noon" }, []string{"closes_at"}},
		{"closes at 24:00", func(s *linkwork.Schedule) { s.Closes = "24:00" }, []string{"closes_at"}},
		{"closes as it opens", func(s *linkwork.Schedule) { s.Closes = "10:00:00" }, []string{"closes_at"}},
		{"closes before it opens", func(s *linkwork.Schedule) { s.Closes = "9:59" }, []string{"closes_at"}},
		{"no times", func(s *linkwork.Schedule) { s.Opens, s.Closes = "", "" }, []string{"opens_at", "closes_at"}},
		{"description of 501", func(s *linkwork.Schedule) { s.Description = strings.Repeat("d", 501) }, []string{"description"}},
		{"everything", func(s *linkwork.Schedule) {
			*s = linkwork.Schedule{Freq: "x", Ordinal: 9, Opens: "x", Closes: "y", Description: "\x00"}
		}, []string{"freq", "days", "opens_at", "closes_at", "description"}},
	}
	for _, c := range cases {
		s := validSchedule()
		c.change(&s)
		got := problemFields(t, s.Validate())
		want := slices.Sorted(slices.Values(c.fields))
		if !slices.Equal(got, want) {
			t.Errorf("%s: got problems with %q, want %q", c.name, got, want)
		}
	}
}

func TestDayMaskRoundTrip(t *testing.T) {
	for m := 1; m < 128; m++ {
		days := linkwork.DaysFromMask(m)
		s := linkwork.Schedule{Days: days}
		if got := s.DayMask(); got != m {
			t.Fatalf("mask %d: days %v give mask %d", m, days, got)
		}
		// Days come back Monday first, Sunday last, each once.
		for i := 1; i < len(days); i++ {
			if (days[i-1]+6)%7 >= (days[i]+6)%7 {
				t.Fatalf("mask %d: days %v not Monday to Sunday", m, days)
			}
		}
	}
	for d := time.Sunday; d <= time.Saturday; d++ {
		s := linkwork.Schedule{Days: []time.Weekday{d, d}}
		if s.DayMask() != 1<<d {
			t.Errorf("%v twice: mask %d, want %d", d, s.DayMask(), 1<<d)
		}
	}
	week := linkwork.Schedule{Days: []time.Weekday{time.Saturday, time.Sunday, time.Monday}}
	if week.DayMask() != 1+2+64 {
		t.Errorf("Saturday, Sunday, Monday: mask %d", week.DayMask())
	}
	if got := linkwork.DaysFromMask(1 + 64); !slices.Equal(got, []time.Weekday{time.Saturday, time.Sunday}) {
		t.Errorf("weekend: %v", got)
	}
	if got := linkwork.DaysFromMask(0); len(got) != 0 {
		t.Errorf("no days: %v", got)
	}
	if got := linkwork.DaysFromMask(128 | 2); !slices.Equal(got, []time.Weekday{time.Monday}) {
		t.Errorf("bits above Saturday: %v", got)
	}
}

func TestScheduleString(t *testing.T) {
	days := func(ds ...time.Weekday) []time.Weekday { return ds }
	cases := []struct {
		s    linkwork.Schedule
		want string
	}{
		{linkwork.Schedule{Freq: linkwork.Weekly, Days: days(time.Tuesday), Opens: "10:00", Closes: "12:00"},
			"Tuesdays, 10:00 to 12:00"},
		{linkwork.Schedule{Freq: linkwork.Weekly, Days: days(time.Thursday, time.Tuesday), Opens: "10:00", Closes: "12:00"},
			"Tuesdays and Thursdays, 10:00 to 12:00"},
		{linkwork.Schedule{Freq: linkwork.Weekly, Days: days(time.Friday, time.Monday, time.Wednesday), Opens: "09:30", Closes: "11:00"},
			"Mondays, Wednesdays and Fridays, 09:30 to 11:00"},
		{linkwork.Schedule{Freq: linkwork.Weekly, Days: days(time.Sunday, time.Saturday), Opens: "14:00", Closes: "16:00"},
			"Saturdays and Sundays, 14:00 to 16:00"},
		{linkwork.Schedule{Freq: linkwork.Monthly, Days: days(time.Monday), Ordinal: 1, Opens: "18:30", Closes: "20:00"},
			"The first Monday of the month, 18:30 to 20:00"},
		{linkwork.Schedule{Freq: linkwork.Monthly, Days: days(time.Wednesday), Ordinal: 2, Opens: "18:30", Closes: "20:00"},
			"The second Wednesday of the month, 18:30 to 20:00"},
		{linkwork.Schedule{Freq: linkwork.Monthly, Days: days(time.Thursday, time.Tuesday), Ordinal: 3, Opens: "10:00", Closes: "11:00"},
			"The third Tuesday and Thursday of the month, 10:00 to 11:00"},
		{linkwork.Schedule{Freq: linkwork.Monthly, Days: days(time.Saturday), Ordinal: 4, Opens: "10:00", Closes: "11:00"},
			"The fourth Saturday of the month, 10:00 to 11:00"},
		{linkwork.Schedule{Freq: linkwork.Monthly, Days: days(time.Friday), Ordinal: -1, Opens: "19:00", Closes: "22:00"},
			"The last Friday of the month, 19:00 to 22:00"},
	}
	for _, c := range cases {
		if got := c.s.String(); got != c.want {
			t.Errorf("%+v: got %q, want %q", c.s, got, c.want)
		}
	}
	// After validation the times read as the form shows them.
	s := linkwork.Schedule{Freq: "weekly", Days: days(time.Monday), Opens: "9:05", Closes: "10:30:00"}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	if got := s.String(); got != "Mondays, 09:05 to 10:30" {
		t.Errorf("validated: %q", got)
	}
}

func TestParseClock(t *testing.T) {
	good := map[string]int{
		"00:00": 0, "0:00": 0, "9:05": 545, "09:05": 545, "12:30": 750, "23:59": 1439,
		"10:00:00": 600, "10:00:59": 600, " 12:30 ": 750, "23:59:59": 1439,
	}
	for in, want := range good {
		got, err := linkwork.ParseClock(in)
		if err != nil || got != want {
			t.Errorf("ParseClock(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	bad := []string{"", " ", "9", "905", "9:5", "09:5", "9:005", "009:00", "24:00", "23:60", "99:99", "-1:00",
		"+9:05", "-0:05", "9:+5", "10:00:+5", "10:00:60", "10:00:5", "10:00:00:00", "ab:cd", "9h05", "10.00",
		"10:00 am", "10:00:00.5", "１０:００", ":00", "10:", "1 0:00"}
	for _, in := range bad {
		if got, err := linkwork.ParseClock(in); err == nil {
			t.Errorf("ParseClock(%q) = %d, want an error", in, got)
		}
	}
	for m := 0; m < 24*60; m++ {
		s := linkwork.FormatClock(m)
		if len(s) != 5 {
			t.Fatalf("FormatClock(%d) = %q, want HH:MM", m, s)
		}
		if got, err := linkwork.ParseClock(s); err != nil || got != m {
			t.Fatalf("ParseClock(FormatClock(%d) = %q) = %d, %v", m, s, got, err)
		}
	}
	for m, want := range map[int]string{0: "00:00", 545: "09:05", 1439: "23:59"} {
		if got := linkwork.FormatClock(m); got != want {
			t.Errorf("FormatClock(%d) = %q, want %q", m, got, want)
		}
	}
}

// clockShape is everything ParseClock may accept: H:MM or HH:MM, optionally :SS, in ASCII
// digits, with spaces around.
var clockShape = regexp.MustCompile(`^([0-9]{1,2}):([0-9]{2})(:[0-9]{2})?$`)

// FuzzParseClock checks that ParseClock accepts only times shaped as clockShape, with the
// hour, minute and second in range, and returns the minutes they say.
func FuzzParseClock(f *testing.F) {
	for _, s := range []string{"9:05", "09:05", "23:59", "24:00", "10:00:00", "00:00", " 7:30 ", "23:59:60", "+9:05",
		"9:+5", "-0:05", "", ":", "1:2:3:4", "٣:00", "１０:００", "0x1:00", "1_0:00", "10:00\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := linkwork.ParseClock(s)
		parts := clockShape.FindStringSubmatch(strings.TrimSpace(s))
		if err != nil {
			if parts != nil {
				h, _ := strconv.Atoi(parts[1])
				mi, _ := strconv.Atoi(parts[2])
				sec := 0
				if parts[3] != "" {
					sec, _ = strconv.Atoi(parts[3][1:])
				}
				if h < 24 && mi < 60 && sec < 60 {
					t.Fatalf("ParseClock(%q) refused a good time: %v", s, err)
				}
			}
			return
		}
		if parts == nil {
			t.Fatalf("ParseClock(%q) = %d: accepted something that is not H:MM[:SS]", s, m)
		}
		h, _ := strconv.Atoi(parts[1])
		mi, _ := strconv.Atoi(parts[2])
		if h > 23 || mi > 59 || m != h*60+mi {
			t.Fatalf("ParseClock(%q) = %d, want %d", s, m, h*60+mi)
		}
		if back, err := linkwork.ParseClock(linkwork.FormatClock(m)); err != nil || back != m {
			t.Fatalf("ParseClock(FormatClock(%d)) = %d, %v", m, back, err)
		}
	})
}

func TestLocationValidate(t *testing.T) {
	l := linkwork.Location{Name: " Hall ", Address1: " 1 Square Road ", Address2: " Rear ", Town: " Halifax ", Postcode: "hx1 1aa",
		Lat: ptr(53.72), Lng: ptr(-1.86)}
	if err := l.Validate(); err != nil {
		t.Fatal(err)
	}
	if l.Name != "Hall" || l.Address1 != "1 Square Road" || l.Address2 != "Rear" || l.Town != "Halifax" {
		t.Errorf("not trimmed: %+v", l)
	}
	// Edges of the UK box are in.
	l = linkwork.Location{Address1: "a", Town: "b", Postcode: "ZE1 0AA", Lat: ptr(61.0), Lng: ptr(2.0)}
	if err := l.Validate(); err != nil {
		t.Error(err)
	}
	l = linkwork.Location{Address1: "a", Town: "b", Postcode: "TR21 0AA", Lat: ptr(49.0), Lng: ptr(-9.0)}
	if err := l.Validate(); err != nil {
		t.Error(err)
	}

	l = linkwork.Location{Name: strings.Repeat("n", 201), Address2: strings.Repeat("a", 201), Lat: ptr(48.9)}
	wantProblems(t, l.Validate(), "name", "address_1", "address_2", "town", "postcode", "latitude", "latitude")
	cases := []struct {
		name   string
		change func(*linkwork.Location)
		fields []string
	}{
		{"longitude alone", func(l *linkwork.Location) { l.Lng = ptr(-1.8) }, []string{"latitude"}},
		{"latitude 61.1", func(l *linkwork.Location) { l.Lat, l.Lng = ptr(61.1), ptr(-1.8) }, []string{"latitude"}},
		{"longitude 2.6", func(l *linkwork.Location) { l.Lat, l.Lng = ptr(53.7), ptr(2.6) }, []string{"longitude"}},
		{"swapped", func(l *linkwork.Location) { l.Lat, l.Lng = ptr(-1.8), ptr(53.7) }, []string{"latitude", "longitude"}},
		{"latitude NaN", func(l *linkwork.Location) { l.Lat, l.Lng = ptr(math.NaN()), ptr(-1.8) }, []string{"latitude"}},
		{"longitude NaN", func(l *linkwork.Location) { l.Lat, l.Lng = ptr(53.7), ptr(math.NaN()) }, []string{"longitude"}},
		{"address on two lines", func(l *linkwork.Location) { l.Address1 = "1 Square\nRoad" }, []string{"address_1"}},
		{"town of 101", func(l *linkwork.Location) { l.Town = strings.Repeat("t", 101) }, []string{"town"}},
		{"blank postcode", func(l *linkwork.Location) { l.Postcode = "" }, []string{"postcode"}},
	}
	for _, c := range cases {
		l := validLocation()
		c.change(&l)
		got := problemFields(t, l.Validate())
		if want := slices.Sorted(slices.Values(c.fields)); !slices.Equal(got, want) {
			t.Errorf("%s: got problems with %q, want %q", c.name, got, want)
		}
	}
}

func TestConnectorSchemeValidate(t *testing.T) {
	for _, m := range linkwork.SchemeModels {
		c := validScheme()
		c.Model = m
		if err := c.Validate(); err != nil || m.Label() == "" {
			t.Errorf("model %q (%q): %v", m, m.Label(), err)
		}
	}
	for _, r := range linkwork.ReferrerTypes {
		c := validScheme()
		c.WhoCanRefer = []linkwork.ReferrerType{r}
		if err := c.Validate(); err != nil || r.Label() == "" {
			t.Errorf("referrer %q (%q): %v", r, r.Label(), err)
		}
	}
	if len(linkwork.SchemeModels) != 10 || len(linkwork.ReferrerTypes) != 8 {
		t.Errorf("%d models and %d referrer types", len(linkwork.SchemeModels), len(linkwork.ReferrerTypes))
	}
	c := &linkwork.ConnectorScheme{Model: linkwork.ModelOther, WhoCanRefer: []linkwork.ReferrerType{linkwork.ReferrerOther},
		HowToRefer: " Phone ", FundingSource: " NHS England ", ElectronicSystem: " Elemental ", StaffFTE: 1000,
		CaseloadLimit: 1000, WaitingWeeks: 104, AssessmentTools: []string{"ONS4", " ", "ons4", "SWEMWBS"}}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.HowToRefer != "Phone" || c.FundingSource != "NHS England" || c.ElectronicSystem != "Elemental" ||
		!slices.Equal(c.AssessmentTools, []string{"ONS4", "SWEMWBS"}) {
		t.Errorf("not cleaned: %+v", c)
	}

	wantProblems(t, (&linkwork.ConnectorScheme{}).Validate(), "scheme.model", "scheme.who_can_refer")
	c = &linkwork.ConnectorScheme{Model: "Other", WhoCanRefer: []linkwork.ReferrerType{"", "anyone"},
		HowToRefer: "\x00", FundingSource: strings.Repeat("f", 201), ElectronicSystem: strings.Repeat("e", 121),
		StaffFTE: 1000.5, CaseloadLimit: -1, WaitingWeeks: -1}
	wantProblems(t, c.Validate(), "scheme.model", "scheme.who_can_refer", "scheme.how_to_refer", "scheme.funding_source",
		"scheme.electronic_system", "scheme.staff_fte", "scheme.caseload_limit", "scheme.waiting_weeks")
	for _, fte := range []float64{math.NaN(), math.Inf(1), math.Inf(-1), -0.1} {
		c := validScheme()
		c.StaffFTE = fte
		if got := problemFields(t, c.Validate()); !slices.Equal(got, []string{"scheme.staff_fte"}) {
			t.Errorf("staff FTE %v: got problems with %q, want scheme.staff_fte", fte, got)
		}
	}
}

func TestPractitionerValidate(t *testing.T) {
	p := linkwork.Practitioner{Name: " Ann Ackroyd ", JobTitle: " Link worker ", OrganisationID: 3, Email: " Ann@Example.org ",
		Phone: " 07700 900123 ", Availability: " Mon–Wed ",
		Neighbourhoods: []string{"Park Ward", " park ward", ""}, Specialisms: []string{" Debt "}, Languages: nil}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	if p.Name != "Ann Ackroyd" || p.JobTitle != "Link worker" || p.Email != "ann@example.org" || p.Phone != "07700 900123" ||
		p.Availability != "Mon–Wed" || !slices.Equal(p.Neighbourhoods, []string{"Park Ward"}) ||
		!slices.Equal(p.Specialisms, []string{"Debt"}) || p.Languages == nil || len(p.Languages) != 0 {
		t.Errorf("not cleaned: %+v", p)
	}
	many := make([]string, 31)
	for i := range many {
		many[i] = "n" + strconv.Itoa(i)
	}
	p = linkwork.Practitioner{JobTitle: strings.Repeat("j", 121), Email: "ann@", Phone: "12", Availability: strings.Repeat("a", 501),
		Neighbourhoods: many, Specialisms: many, Languages: many}
	wantProblems(t, p.Validate(), "name", "job_title", "organisation_id", "email", "phone", "availability",
		"neighbourhoods", "specialisms", "languages")
	p = linkwork.Practitioner{Name: "Ann", OrganisationID: 1, Neighbourhoods: many[:30]}
	if err := p.Validate(); err != nil {
		t.Errorf("30 neighbourhoods: %v", err)
	}
}

// A form lists its problems in the same order every time, and the first (which the API
// reports) does not change from one request to the next.
func TestValidateReportsProblemsInStableOrder(t *testing.T) {
	long := strings.Repeat("x", 81)
	many := make([]string, 31)
	for i := range many {
		many[i] = "n" + strconv.Itoa(i)
	}
	order := func(validate func() error) string {
		var fields []string
		for _, e := range linkwork.FieldErrors(validate()) {
			fields = append(fields, e.Field)
		}
		return strings.Join(fields, ",")
	}
	first := ""
	for i := range 40 {
		s := validService()
		s.Languages, s.Areas = []string{long}, []string{long}
		p := linkwork.Practitioner{Name: "Ann", OrganisationID: 1, Neighbourhoods: many, Specialisms: many, Languages: many}
		got := order(s.Validate) + ";" + order(p.Validate)
		if i == 0 {
			first = got
		} else if got != first {
			t.Fatalf("problems in a different order: %q, then %q", first, got)
		}
	}
}

func TestTaxonomyTermValidate(t *testing.T) {
	term := linkwork.TaxonomyTerm{Code: " walking_groups ", Name: " Walking groups ", Description: " Led walks "}
	if err := term.Validate(); err != nil {
		t.Fatal(err)
	}
	if term.Code != "walking_groups" || term.Name != "Walking groups" || term.Description != "Led walks" {
		t.Errorf("not trimmed: %+v", term)
	}
	for _, code := range []string{"a", "x9", "_", strings.Repeat("a", 40), "five_ways_2"} {
		term := linkwork.TaxonomyTerm{Code: code, Name: "n"}
		if err := term.Validate(); err != nil {
			t.Errorf("code %q: %v", code, err)
		}
	}
	for _, code := range []string{"", "Walking", "walking-groups", "walking groups", strings.Repeat("a", 41), "café", "a.b"} {
		term := linkwork.TaxonomyTerm{Code: code, Name: "n"}
		wantProblems(t, term.Validate(), "code")
	}
	wantProblems(t, (&linkwork.TaxonomyTerm{Code: "BAD", Name: "two\nlines", Description: strings.Repeat("d", 1001)}).Validate(),
		"code", "name", "description")
	wantProblems(t, (&linkwork.TaxonomyTerm{Code: "ok", Name: strings.Repeat("n", 121)}).Validate(), "name")
	// The description's limit is in characters, as its message says, not bytes.
	term = linkwork.TaxonomyTerm{Code: "ok", Name: "n", Description: strings.Repeat("é", 1000)}
	if err := term.Validate(); err != nil {
		t.Errorf("1000 characters of description: %v", err)
	}
}

func TestDefaultTaxonomies(t *testing.T) {
	want := []string{linkwork.TaxonomyNeed, linkwork.TaxonomyBuildingBlock, linkwork.TaxonomyFiveWays,
		linkwork.TaxonomyClientGroup, linkwork.TaxonomyAccessibility}
	var codes []string
	for _, tax := range linkwork.DefaultTaxonomies {
		codes = append(codes, tax.Code)
		if tax.Name == "" || tax.Description == "" || len(tax.Terms) == 0 {
			t.Errorf("taxonomy %q lacks a name, description or terms", tax.Code)
		}
		seen := map[string]bool{}
		for _, term := range tax.Terms {
			if err := term.Validate(); err != nil {
				t.Errorf("%s/%s: %v", tax.Code, term.Code, err)
			}
			if seen[term.Code] {
				t.Errorf("%s/%s twice", tax.Code, term.Code)
			}
			seen[term.Code] = true
		}
	}
	if !slices.Equal(codes, want) {
		t.Errorf("taxonomies %q, want %q", codes, want)
	}
	termCodes := func(i int) []string {
		var out []string
		for _, term := range linkwork.DefaultTaxonomies[i].Terms {
			out = append(out, term.Code)
		}
		return out
	}
	if got := termCodes(1); !slices.Equal(got, []string{"connect", "space", "skills_passions", "take_control"}) {
		t.Errorf("building blocks: %q", got)
	}
	if got := termCodes(2); !slices.Equal(got, []string{"connect", "be_active", "take_notice", "keep_learning", "give"}) {
		t.Errorf("five ways: %q", got)
	}
	needs := termCodes(0)
	for _, n := range []string{"loneliness", "mental_wellbeing", "physical_activity", "money_debt", "housing", "carers",
		"employment_skills", "arts_creativity", "nature_gardening", "food", "digital_skills"} {
		if !slices.Contains(needs, n) {
			t.Errorf("needs lack %q", n)
		}
	}
}

func TestServiceStatusAndVerifying(t *testing.T) {
	for _, s := range linkwork.Statuses {
		if s.Label() == "" {
			t.Errorf("status %q has no label", s)
		}
		svc := validService()
		svc.Status = s
		if err := svc.Validate(); err != nil {
			t.Errorf("status %q: %v", s, err)
		}
	}
	if linkwork.ServiceStatus("open").Label() != "" {
		t.Error("an unknown status has a label")
	}
	now := time.Date(2030, 3, 4, 9, 0, 0, 0, time.UTC)
	s := validService()
	if !s.NeedsVerifying(now) {
		t.Error("never verified: does not need verifying")
	}
	s.LastVerifiedAt = ptr(now.Add(-linkwork.VerifyEvery))
	if s.NeedsVerifying(now) {
		t.Error("verified exactly VerifyEvery ago: needs verifying")
	}
	s.LastVerifiedAt = ptr(now.Add(-linkwork.VerifyEvery - time.Second))
	if !s.NeedsVerifying(now) {
		t.Error("verified over VerifyEvery ago: does not need verifying")
	}
	if linkwork.VerifyEvery < 182*24*time.Hour || linkwork.VerifyEvery > 184*24*time.Hour {
		t.Errorf("VerifyEvery is %v, want about six months", linkwork.VerifyEvery)
	}
}
