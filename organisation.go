package linkwork

import (
	"context"
	"strings"
	"time"
)

// Sector is the part of the system an organisation belongs to.
type Sector string

// The sectors, with their identifiers in the CLI and the API.
const (
	SectorNHS        Sector = "nhs"
	SectorSocialCare Sector = "social_care"
	SectorCouncil    Sector = "council"
	SectorHousing    Sector = "housing"
	SectorPolice     Sector = "police"
	SectorFire       Sector = "fire"
	SectorVCSE       Sector = "vcse"
	SectorFaith      Sector = "faith"
	SectorEducation  Sector = "education"
	SectorOther      Sector = "other"
)

// Sectors lists every sector in the order forms show them.
var Sectors = []Sector{SectorNHS, SectorSocialCare, SectorCouncil, SectorHousing, SectorPolice,
	SectorFire, SectorVCSE, SectorFaith, SectorEducation, SectorOther}

var sectorLabels = map[Sector]string{
	SectorNHS:        "NHS or primary care",
	SectorSocialCare: "Social care",
	SectorCouncil:    "Council",
	SectorHousing:    "Housing",
	SectorPolice:     "Police",
	SectorFire:       "Fire and rescue",
	SectorVCSE:       "Voluntary, community or social enterprise",
	SectorFaith:      "Faith group",
	SectorEducation:  "Education",
	SectorOther:      "Other",
}

// Label is the sector's plain-English name.
func (s Sector) Label() string { return sectorLabels[s] }

// Valid reports whether s is one of Sectors.
func (s Sector) Valid() bool { _, ok := sectorLabels[s]; return ok }

// SectorIdentifiers is the list of valid identifiers, for error messages.
func SectorIdentifiers() string {
	ids := make([]string, len(Sectors))
	for i, s := range Sectors {
		ids[i] = string(s)
	}
	return strings.Join(ids, ", ")
}

// Organisation is an employer or group in a place: a GP practice, a council, a charity.
type Organisation struct {
	ID        int64     `json:"id"`
	UUID      string    `json:"uuid"`
	PlaceID   int64     `json:"place_id"`
	Name      string    `json:"name"`
	Sector    Sector    `json:"sector"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Validate trims and checks the organisation's fields.
func (o *Organisation) Validate() error {
	o.Name = strings.TrimSpace(o.Name)
	var ps Problems
	if o.PlaceID <= 0 {
		ps.Add(FieldError("place_id", "Choose the place the organisation belongs to."))
	}
	ps.Add(validateName("name", o.Name, 200))
	if !o.Sector.Valid() {
		ps.Add(FieldError("sector", "Choose a sector. Allowed: %s.", SectorIdentifiers()))
	}
	return ps.Err()
}

// OrganisationFilter selects organisations in one place.
type OrganisationFilter struct {
	PlaceID int64
	Sector  Sector // optional
	Page    Page
}

// OrganisationUpdate holds the fields of an organisation that can change; nil means unchanged.
type OrganisationUpdate struct {
	Name   *string `json:"name"`
	Sector *Sector `json:"sector"`
}

// OrganisationService reads and writes organisations.
type OrganisationService interface {
	CreateOrganisation(ctx context.Context, o *Organisation) error
	FindOrganisationByID(ctx context.Context, id int64) (*Organisation, error)
	FindOrganisationByName(ctx context.Context, placeID int64, name string) (*Organisation, error)
	ListOrganisations(ctx context.Context, f OrganisationFilter) ([]*Organisation, int, error)
	UpdateOrganisation(ctx context.Context, id int64, upd OrganisationUpdate) (*Organisation, error)
}
