package linkwork

import (
	"context"
	"net/mail"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// ServiceKind tells a community offer from a connector scheme.
type ServiceKind string

// The kinds of service in the directory.
const (
	KindActivity ServiceKind = "activity"         // a community group, activity or service people are referred to
	KindScheme   ServiceKind = "connector_scheme" // a social prescribing or other connector scheme
)

// ServiceStatus is a service's state, in HSDS's words.
type ServiceStatus string

// The statuses HSDS 3.0 allows.
const (
	StatusActive            ServiceStatus = "active"
	StatusInactive          ServiceStatus = "inactive"
	StatusDefunct           ServiceStatus = "defunct"
	StatusTemporarilyClosed ServiceStatus = "temporarily closed"
)

var statusLabels = map[ServiceStatus]string{StatusActive: "Running", StatusInactive: "Paused",
	StatusTemporarilyClosed: "Temporarily closed", StatusDefunct: "Stopped"}

// Label is the status in plain English.
func (s ServiceStatus) Label() string { return statusLabels[s] }

// Statuses lists the statuses in the order forms show them.
var Statuses = []ServiceStatus{StatusActive, StatusTemporarilyClosed, StatusInactive, StatusDefunct}

// VerifyEvery is how often a directory entry should be checked; older ones are listed as
// needing verification.
const VerifyEvery = 183 * 24 * time.Hour

// Service is an entry in a place's directory: a community offer (a walking group, a choir, a
// debt advice session) or a connector scheme. It follows the HSDS 3.0 service.
type Service struct {
	ID               int64            `json:"id"`
	UUID             string           `json:"uuid"`
	PlaceID          int64            `json:"place_id"`
	OrganisationID   int64            `json:"organisation_id"`
	OrganisationName string           `json:"organisation_name"`
	Kind             ServiceKind      `json:"kind"`
	Name             string           `json:"name"`
	Description      string           `json:"description"`
	URL              string           `json:"url,omitempty"`
	Email            string           `json:"email,omitempty"`
	Phone            string           `json:"phone,omitempty"`
	Status           ServiceStatus    `json:"status"`
	MinAge           *int             `json:"minimum_age,omitempty"`
	MaxAge           *int             `json:"maximum_age,omitempty"`
	Eligibility      string           `json:"eligibility,omitempty"`
	Free             bool             `json:"free"`
	Fees             string           `json:"fees,omitempty"`
	Accessibility    string           `json:"accessibility,omitempty"`
	Languages        []string         `json:"languages"`
	Areas            []string         `json:"areas"` // neighbourhoods or wards served, by name
	TermIDs          []int64          `json:"term_ids"`
	Terms            []TaxonomyTerm   `json:"terms"`
	Schedules        []Schedule       `json:"schedules"`
	Locations        []Location       `json:"locations"`
	Contacts         []Contact        `json:"contacts"`
	Scheme           *ConnectorScheme `json:"scheme,omitempty"` // when Kind is KindScheme
	LastVerifiedAt   *time.Time       `json:"last_verified_at,omitempty"`
	VerifiedBy       string           `json:"verified_by,omitempty"`
	CreatedAt        time.Time        `json:"created_at"`
	UpdatedAt        time.Time        `json:"updated_at"`
}

// NeedsVerifying reports whether the entry has not been checked for VerifyEvery.
func (s *Service) NeedsVerifying(now time.Time) bool {
	return s.LastVerifiedAt == nil || now.Sub(*s.LastVerifiedAt) > VerifyEvery
}

// Validate trims the service's fields and checks them all, reporting every problem.
func (s *Service) Validate() error {
	s.Name, s.Description = strings.TrimSpace(s.Name), strings.TrimSpace(s.Description)
	s.URL, s.Email, s.Phone = strings.TrimSpace(s.URL), strings.ToLower(strings.TrimSpace(s.Email)), strings.TrimSpace(s.Phone)
	s.Eligibility, s.Fees, s.Accessibility = strings.TrimSpace(s.Eligibility), strings.TrimSpace(s.Fees), strings.TrimSpace(s.Accessibility)
	var ps Problems
	if s.Kind != KindActivity && s.Kind != KindScheme {
		ps.Add(FieldError("kind", "Choose whether this is a community offer (activity) or a connector scheme (connector_scheme)."))
	}
	ps.Add(validateName("name", s.Name, 200))
	ps.Add(validateText("description", s.Description, 5000, true))
	if s.OrganisationID <= 0 {
		ps.Add(FieldError("organisation_id", "Choose the organisation that runs it."))
	}
	if _, ok := statusLabels[s.Status]; !ok {
		ps.Add(FieldError("status", "Choose a status: active, temporarily closed, inactive or defunct."))
	}
	if s.URL != "" {
		if u, err := url.Parse(s.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(s.URL) > 500 {
			ps.Add(FieldError("url", "Enter a web address starting with https://, such as https://example.org/walks."))
		}
	}
	if s.Email != "" {
		if a, err := mail.ParseAddress(s.Email); err != nil || a.Address != s.Email {
			ps.Add(FieldError("email", "Enter an email address in the form name@example.org."))
		}
	}
	ps.Add(validatePhone("phone", s.Phone))
	for _, a := range []struct {
		field string
		v     *int
	}{{"minimum_age", s.MinAge}, {"maximum_age", s.MaxAge}} {
		if a.v != nil && (*a.v < 0 || *a.v > 120) {
			ps.Add(FieldError(a.field, "Enter an age from 0 to 120, or leave it empty."))
		}
	}
	if s.MinAge != nil && s.MaxAge != nil && *s.MinAge > *s.MaxAge {
		ps.Add(FieldError("maximum_age", "The maximum age must be the same as or more than the minimum age."))
	}
	ps.Add(validateText("eligibility", s.Eligibility, 2000, false))
	ps.Add(validateText("fees", s.Fees, 1000, false))
	ps.Add(validateText("accessibility", s.Accessibility, 2000, false))
	s.Languages = cleanList(s.Languages)
	s.Areas = cleanList(s.Areas)
	ps.Add(validateList("languages", s.Languages, 50))
	ps.Add(validateList("areas", s.Areas, 50))
	for i := range s.Schedules {
		ps.Add(prefix("schedules", i, s.Schedules[i].Validate()))
	}
	for i := range s.Locations {
		ps.Add(prefix("locations", i, s.Locations[i].Validate()))
	}
	for i := range s.Contacts {
		ps.Add(prefix("contacts", i, s.Contacts[i].Validate()))
	}
	switch {
	case s.Kind == KindScheme && s.Scheme == nil:
		s.Scheme = &ConnectorScheme{}
		ps.Add(s.Scheme.Validate())
	case s.Kind == KindScheme:
		ps.Add(s.Scheme.Validate())
	case s.Scheme != nil:
		ps.Add(FieldError("scheme", "Only a connector scheme has scheme details."))
	}
	return ps.Err()
}

// prefix names the item of a list a problem is about, as "schedules[0].opens_at".
func prefix(list string, i int, err error) error {
	if err == nil {
		return nil
	}
	var ps Problems
	for _, e := range FieldErrors(err) {
		ps = append(ps, &Error{Code: e.Code, Field: list + "[" + itoa(i) + "]." + e.Field, Message: e.Message})
	}
	return ps.Err()
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

// validateText checks free text of at most max characters.
func validateText(field, v string, max int, required bool) error {
	if required && v == "" {
		return FieldError(field, "%s", enterField(field))
	}
	if utf8.RuneCountInString(v) > max {
		return FieldError(field, "The %s must be %d characters or fewer.", fieldName(field), max)
	}
	if strings.ContainsRune(v, 0) {
		return FieldError(field, "The %s contains a character that is not allowed.", fieldName(field))
	}
	return nil
}

// validateList checks a list of short entries: at most max of them, each of at most 80
// characters.
func validateList(field string, list []string, max int) error {
	if len(list) > max {
		return FieldError(field, "List at most %d %s.", max, fieldName(field))
	}
	for _, v := range list {
		if utf8.RuneCountInString(v) > 80 {
			return FieldError(field, "Each of the %s must be 80 characters or fewer.", fieldName(field))
		}
		if strings.ContainsAny(v, "\r\n\t\x00") {
			return FieldError(field, "Each of the %s must be on one line: give them as separate entries.", fieldName(field))
		}
	}
	return nil
}

// validatePhone checks a UK-style phone number loosely: digits, spaces and + ( ) -.
func validatePhone(field, v string) error {
	if v == "" {
		return nil
	}
	digits := 0
	for _, r := range v {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune(" +()-", r):
		default:
			return FieldError(field, "Enter a phone number using digits, such as 01422 123456.")
		}
	}
	if digits < 6 || digits > 15 {
		return FieldError(field, "Enter a phone number of 6 to 15 digits, such as 01422 123456.")
	}
	return nil
}

// cleanList trims entries and drops empty and repeated ones.
func cleanList(in []string) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, v := range in {
		v = strings.TrimSpace(v)
		if v == "" || seen[strings.ToLower(v)] {
			continue
		}
		seen[strings.ToLower(v)] = true
		out = append(out, v)
	}
	return out
}

// Contact is a named person to ask about a service.
type Contact struct {
	Name  string `json:"name"`
	Title string `json:"title,omitempty"`
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
}

// Validate trims and checks a contact.
func (c *Contact) Validate() error {
	c.Name, c.Title = strings.TrimSpace(c.Name), strings.TrimSpace(c.Title)
	c.Email, c.Phone = strings.ToLower(strings.TrimSpace(c.Email)), strings.TrimSpace(c.Phone)
	var ps Problems
	ps.Add(validateName("name", c.Name, 120))
	ps.Add(validateText("title", c.Title, 120, false))
	if c.Email != "" {
		if a, err := mail.ParseAddress(c.Email); err != nil || a.Address != c.Email {
			ps.Add(FieldError("email", "Enter an email address in the form name@example.org."))
		}
	}
	ps.Add(validatePhone("phone", c.Phone))
	return ps.Err()
}

// ServiceFilter selects services in a place for lists (search is separate).
type ServiceFilter struct {
	PlaceID         int64
	OrganisationIDs []int64     // optional: services of any of these
	Kind            ServiceKind // optional
	// VerifiedBefore lists only entries last verified before this time, or never.
	VerifiedBefore time.Time
	Page           Page
}

// ServiceService keeps a place's directory of services.
type ServiceService interface {
	CreateService(ctx context.Context, s *Service) error
	// UpdateService replaces a service's details (its lists included) with s's.
	UpdateService(ctx context.Context, s *Service) error
	FindServiceByID(ctx context.Context, id int64) (*Service, error)
	ListServices(ctx context.Context, f ServiceFilter) ([]*Service, int, error)
	// VerifyService records that someone checked the entry is still right.
	VerifyService(ctx context.Context, id int64) error
}
