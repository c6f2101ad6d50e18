package linkwork

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Schedule says when a service runs: every week on some days, or monthly on, say, the first
// Tuesday, between two times. It maps to HSDS's schedule (freq, byday, opens_at, closes_at).
type Schedule struct {
	Freq        string         `json:"freq"`    // WEEKLY or MONTHLY
	Days        []time.Weekday `json:"days"`    // at least one
	Ordinal     int            `json:"ordinal"` // MONTHLY only: 1 to 4, or -1 for the last
	Opens       string         `json:"opens_at"`
	Closes      string         `json:"closes_at"`
	Description string         `json:"description,omitempty"`
}

// Schedule frequencies.
const (
	Weekly  = "WEEKLY"
	Monthly = "MONTHLY"
)

// Validate checks the schedule.
func (s *Schedule) Validate() error {
	s.Freq = strings.ToUpper(strings.TrimSpace(s.Freq))
	s.Description = strings.TrimSpace(s.Description)
	var ps Problems
	switch s.Freq {
	case Weekly:
		if s.Ordinal != 0 {
			ps.Add(FieldError("ordinal", "Only a monthly schedule has a week of the month."))
		}
	case Monthly:
		if s.Ordinal != -1 && (s.Ordinal < 1 || s.Ordinal > 4) {
			ps.Add(FieldError("ordinal", "Choose the week of the month: 1 to 4, or -1 for the last."))
		}
	default:
		ps.Add(FieldError("freq", "Choose how often: WEEKLY or MONTHLY."))
	}
	if len(s.Days) == 0 {
		ps.Add(FieldError("days", "Choose at least one day."))
	}
	for _, d := range s.Days {
		if d < time.Sunday || d > time.Saturday {
			ps.Add(FieldError("days", "Days are 0 (Sunday) to 6 (Saturday)."))
			break
		}
	}
	o, err1 := ParseClock(s.Opens)
	c, err2 := ParseClock(s.Closes)
	if err1 != nil {
		ps.Add(FieldError("opens_at", "Enter the start time as hours and minutes, such as 10:00."))
	}
	if err2 != nil {
		ps.Add(FieldError("closes_at", "Enter the end time as hours and minutes, such as 12:30."))
	}
	if err1 == nil && err2 == nil && c <= o {
		ps.Add(FieldError("closes_at", "The end time must be after the start time."))
	}
	if err1 == nil {
		s.Opens = FormatClock(o)
	}
	if err2 == nil {
		s.Closes = FormatClock(c)
	}
	ps.Add(validateText("description", s.Description, 500, false))
	return ps.Err()
}

// DayMask returns the schedule's days as bits, Sunday = 1, Monday = 2, … Saturday = 64, for
// filtering by day in SQL.
func (s *Schedule) DayMask() int {
	m := 0
	for _, d := range s.Days {
		m |= 1 << d
	}
	return m
}

// DaysFromMask is the inverse of DayMask.
func DaysFromMask(m int) []time.Weekday {
	var out []time.Weekday
	for _, d := range []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday} {
		if m&(1<<d) != 0 {
			out = append(out, d)
		}
	}
	return out
}

// String describes the schedule in plain English, such as "Tuesdays and Thursdays,
// 10:00 to 12:00" or "The first Monday of the month, 18:30 to 20:00".
func (s Schedule) String() string {
	var days []string
	for _, d := range DaysFromMask(s.DayMask()) {
		days = append(days, d.String())
	}
	when := ""
	if s.Freq == Monthly {
		ord := map[int]string{1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}[s.Ordinal]
		when = fmt.Sprintf("The %s %s of the month", ord, joinAnd(days))
	} else {
		for i := range days {
			days[i] += "s"
		}
		when = joinAnd(days)
	}
	return fmt.Sprintf("%s, %s to %s", when, s.Opens, s.Closes)
}

func joinAnd(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// ParseClock reads a time of day "HH:MM" (or "H:MM", or HSDS's "HH:MM:SS") into minutes
// after midnight.
func ParseClock(s string) (int, error) {
	s = strings.TrimSpace(s)
	for _, r := range s {
		if (r < '0' || r > '9') && r != ':' {
			return 0, fmt.Errorf("bad time %q", s)
		}
	}
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 || len(parts[1]) != 2 || len(parts[0]) < 1 || len(parts[0]) > 2 {
		return 0, fmt.Errorf("bad time %q", s)
	}
	h, err := strconv.Atoi(parts[0])
	if err != nil || h < 0 || h > 23 {
		return 0, fmt.Errorf("bad hour in %q", s)
	}
	m, err := strconv.Atoi(parts[1])
	if err != nil || m < 0 || m > 59 {
		return 0, fmt.Errorf("bad minute in %q", s)
	}
	if len(parts) == 3 {
		if sec, err := strconv.Atoi(parts[2]); err != nil || len(parts[2]) != 2 || sec < 0 || sec > 59 {
			return 0, fmt.Errorf("bad second in %q", s)
		}
	}
	return h*60 + m, nil
}

// FormatClock writes minutes after midnight as "HH:MM".
func FormatClock(min int) string { return fmt.Sprintf("%02d:%02d", min/60, min%60) }
