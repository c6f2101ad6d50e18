// Package oruk speaks Open Referral UK: the UK profile of the Human Services Data
// Specification (HSDS) 3.0. It maps linkwork's directory to and from HSDS JSON
// (to_oruk.go, from_oruk.go), serves the read-only ORUK API under /oruk/ (handler.go),
// streams imports of ORUK 3.0 and ORUK v1 files (import.go) and writes exports (export.go).
//
// The types here are the JSON shapes of HSDS 3.0 with the UK profile. Where linkwork holds
// something the UK profile leaves out but HSDS 3.0 has (phones, a contact's email, a
// language's name, eligibility text), it is sent in the HSDS field: the UK profile's schemas
// allow further properties, so responses validate against both.
package oruk

// Version is what the root endpoint says the API implements: HSDS 3.0 with the UK profile,
// in the form the Open Referral UK validator reads.
const Version = "HSDS-UK-3.0"

// ProfileURL describes the UK profile; OpenAPIURL is the profile's OpenAPI document.
const (
	ProfileURL = "https://github.com/OpenReferralUK/uk-profile/blob/main/docs/index.md"
	OpenAPIURL = "https://docs.openreferraluk.org/en/latest/openapi30.json"
)

// Root is the answer of /oruk/: which standard and profile the API follows.
type Root struct {
	Version    string `json:"version"`
	Profile    string `json:"profile"`
	OpenAPIURL string `json:"openapi_url"`
}

// Page is HSDS's paginated list.
type Page[T any] struct {
	TotalItems int  `json:"total_items"`
	TotalPages int  `json:"total_pages"`
	PageNumber int  `json:"page_number"`
	Size       int  `json:"size"`
	FirstPage  bool `json:"first_page"`
	LastPage   bool `json:"last_page"`
	Empty      bool `json:"empty"`
	Contents   []T  `json:"contents"`
}

// Organization is the organisation that runs a service.
type Organization struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

// ServiceBrief is a service's own fields and its organisation: an item of a list.
type ServiceBrief struct {
	ID                     string        `json:"id"`
	OrganizationID         string        `json:"organization_id,omitempty"`
	Name                   string        `json:"name"`
	Description            string        `json:"description"`
	URL                    string        `json:"url,omitempty"`
	Email                  string        `json:"email,omitempty"`
	Status                 string        `json:"status"`
	Fees                   string        `json:"fees,omitempty"`
	EligibilityDescription string        `json:"eligibility_description,omitempty"` // HSDS 3.0; not in the UK profile
	MinimumAge             *int          `json:"minimum_age,omitempty"`
	MaximumAge             *int          `json:"maximum_age,omitempty"`
	AssuredDate            string        `json:"assured_date,omitempty"`
	LastModified           string        `json:"last_modified"`
	Organization           *Organization `json:"organization,omitempty"`
}

// Service is a fully nested service.
type Service struct {
	ServiceBrief
	Phones             []Phone             `json:"phones"` // HSDS 3.0; not in the UK profile
	Schedules          []Schedule          `json:"schedules"`
	ServiceAreas       []ServiceArea       `json:"service_areas"`
	ServiceAtLocations []ServiceAtLocation `json:"service_at_locations"`
	Languages          []Language          `json:"languages"`
	CostOptions        []CostOption        `json:"cost_options"`
	Contacts           []Contact           `json:"contacts"`
	Attributes         []Attribute         `json:"attributes"`
}

// ServiceAtLocation links a service to one of its locations. In a service it has the
// location; on its own (/service_at_locations/{id}) the service as well.
type ServiceAtLocation struct {
	ID         string    `json:"id"`
	ServiceID  string    `json:"service_id,omitempty"`
	LocationID string    `json:"location_id,omitempty"`
	Location   *Location `json:"location,omitempty"`
	Service    *Service  `json:"service,omitempty"`
}

// ServiceAtLocationBrief is an item of the service-at-location list.
type ServiceAtLocationBrief struct {
	ID         string        `json:"id"`
	ServiceID  string        `json:"service_id"`
	LocationID string        `json:"location_id"`
	Location   *Location     `json:"location"`
	Service    *ServiceBrief `json:"service"`
}

// Location is where a service happens.
type Location struct {
	ID            string          `json:"id"`
	LocationType  string          `json:"location_type"`
	Name          string          `json:"name,omitempty"`
	Latitude      *float64        `json:"latitude,omitempty"`
	Longitude     *float64        `json:"longitude,omitempty"`
	Addresses     []Address       `json:"addresses,omitempty"`
	Accessibility []Accessibility `json:"accessibility,omitempty"`
}

// Address is a location's postal address.
type Address struct {
	ID            string `json:"id"`
	LocationID    string `json:"location_id,omitempty"`
	Address1      string `json:"address_1"`
	Address2      string `json:"address_2,omitempty"` // HSDS 3.0; the UK profile has one line
	City          string `json:"city"`
	StateProvince string `json:"state_province"`
	PostalCode    string `json:"postal_code"`
	Country       string `json:"country"`
	AddressType   string `json:"address_type"`
}

// Accessibility describes what a location offers disabled people.
type Accessibility struct {
	ID            string `json:"id"`
	LocationID    string `json:"location_id,omitempty"`
	Description   string `json:"description,omitempty"`
	Accessibility string `json:"accessibility,omitempty"` // the UK profile's field
}

// Schedule is when a service runs, as an iCalendar recurrence.
type Schedule struct {
	ID          string `json:"id"`
	ServiceID   string `json:"service_id,omitempty"`
	Freq        string `json:"freq"`
	Interval    int    `json:"interval"`
	ByDay       string `json:"byday"`
	OpensAt     string `json:"opens_at"`
	ClosesAt    string `json:"closes_at"`
	Description string `json:"description,omitempty"`
}

// ServiceArea is a neighbourhood or ward a service covers.
type ServiceArea struct {
	ID        string `json:"id"`
	ServiceID string `json:"service_id,omitempty"`
	Name      string `json:"name"`
}

// Language is one spoken at a service.
type Language struct {
	ID        string `json:"id"`
	ServiceID string `json:"service_id,omitempty"`
	Name      string `json:"name"` // HSDS 3.0; the UK profile keeps only the id
}

// CostOption is what a service costs.
type CostOption struct {
	ID                string   `json:"id"`
	ServiceID         string   `json:"service_id,omitempty"`
	Option            string   `json:"option,omitempty"`
	Amount            *float64 `json:"amount,omitempty"`
	AmountDescription string   `json:"amount_description,omitempty"`
}

// Contact is a named person to ask about a service.
type Contact struct {
	ID        string  `json:"id"`
	ServiceID string  `json:"service_id,omitempty"`
	Name      string  `json:"name"`
	Title     string  `json:"title,omitempty"`
	Email     string  `json:"email,omitempty"`  // HSDS 3.0; not in the UK profile
	Phones    []Phone `json:"phones,omitempty"` // HSDS 3.0; not in the UK profile
}

// Phone is a telephone number.
type Phone struct {
	ID     string `json:"id"`
	Number string `json:"number"`
}

// Attribute classifies a service with a taxonomy term.
type Attribute struct {
	ID             string        `json:"id"`
	LinkID         string        `json:"link_id,omitempty"`
	LinkType       string        `json:"link_type,omitempty"`
	LinkEntity     string        `json:"link_entity,omitempty"`
	TaxonomyTermID string        `json:"taxonomy_term_id"`
	TaxonomyTerm   *TaxonomyTerm `json:"taxonomy_term,omitempty"`
}

// Taxonomy is a vocabulary of terms.
type Taxonomy struct {
	ID            string         `json:"id"`
	Name          string         `json:"name"`
	Description   string         `json:"description"`
	TaxonomyTerms []TaxonomyTerm `json:"taxonomy_terms,omitempty"`
}

// TaxonomyTerm is one term of a taxonomy.
type TaxonomyTerm struct {
	ID          string `json:"id"`
	Code        string `json:"code,omitempty"` // HSDS 3.0
	Name        string `json:"name"`
	Description string `json:"description"`
	Taxonomy    string `json:"taxonomy,omitempty"`
	TaxonomyID  string `json:"taxonomy_id,omitempty"`
	Term        string `json:"term,omitempty"` // the UK profile's name for the code
}
