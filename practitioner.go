package linkwork

import (
	"context"
	"net/mail"
	"strings"
	"time"
)

// Practitioner is an entry in a place's directory of link workers and other connectors,
// across every employer, seen only by signed-in professionals. A link worker can keep their
// own entry (UserID) current.
type Practitioner struct {
	ID               int64     `json:"id"`
	PlaceID          int64     `json:"place_id"`
	UserID           int64     `json:"user_id,omitempty"`
	Name             string    `json:"name"`
	JobTitle         string    `json:"job_title,omitempty"`
	OrganisationID   int64     `json:"organisation_id"`
	OrganisationName string    `json:"organisation_name"`
	SchemeID         int64     `json:"scheme_id,omitempty"` // a service of kind connector_scheme
	SchemeName       string    `json:"scheme_name,omitempty"`
	Neighbourhoods   []string  `json:"neighbourhoods"`
	Specialisms      []string  `json:"specialisms"`
	Languages        []string  `json:"languages"`
	Email            string    `json:"email,omitempty"`
	Phone            string    `json:"phone,omitempty"`
	Availability     string    `json:"availability,omitempty"`
	UpdatedAt        time.Time `json:"updated_at"`
}

// Validate trims and checks the entry.
func (p *Practitioner) Validate() error {
	p.Name, p.JobTitle = strings.TrimSpace(p.Name), strings.TrimSpace(p.JobTitle)
	p.Email, p.Phone, p.Availability = strings.ToLower(strings.TrimSpace(p.Email)), strings.TrimSpace(p.Phone), strings.TrimSpace(p.Availability)
	p.Neighbourhoods, p.Specialisms, p.Languages = cleanList(p.Neighbourhoods), cleanList(p.Specialisms), cleanList(p.Languages)
	var ps Problems
	ps.Add(validateName("name", p.Name, 120))
	ps.Add(validateText("job_title", p.JobTitle, 120, false))
	if p.OrganisationID <= 0 {
		ps.Add(FieldError("organisation_id", "Choose their employer."))
	}
	if p.Email != "" {
		if a, err := mail.ParseAddress(p.Email); err != nil || a.Address != p.Email {
			ps.Add(FieldError("email", "Enter an email address in the form name@example.org."))
		}
	}
	ps.Add(validatePhone("phone", p.Phone))
	ps.Add(validateText("availability", p.Availability, 500, false))
	ps.Add(validateList("neighbourhoods", p.Neighbourhoods, 30))
	ps.Add(validateList("specialisms", p.Specialisms, 30))
	ps.Add(validateList("languages", p.Languages, 30))
	return ps.Err()
}

// PractitionerFilter selects entries in the directory of link workers.
type PractitionerFilter struct {
	PlaceID        int64
	OrganisationID int64  // optional
	SchemeID       int64  // optional
	Text           string // optional: every word must match the name, job title, employer, scheme, neighbourhoods, specialisms or languages
	Page           Page
}

// PractitionerService keeps the directory of link workers.
type PractitionerService interface {
	CreatePractitioner(ctx context.Context, p *Practitioner) error
	UpdatePractitioner(ctx context.Context, p *Practitioner) error
	FindPractitionerByID(ctx context.Context, id int64) (*Practitioner, error)
	FindPractitionerByUser(ctx context.Context, placeID, userID int64) (*Practitioner, error)
	ListPractitioners(ctx context.Context, f PractitionerFilter) ([]*Practitioner, int, error)
}
