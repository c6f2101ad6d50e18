package linkwork

import (
	"context"
	"time"
)

// The landscape is the picture of who does what in a place, where and for whom, built from
// the directory continuously rather than by a mapping exercise in spreadsheets: which
// connector schemes and community offers cover each neighbourhood (by need, client group
// and building block), which schemes overlap and could collaborate, where the gaps are
// against deprivation and demand, how fragmented the electronic systems and assessment
// tools are, and the whole system by sector. It shows organisations and schemes, never
// people.
//
// The store gathers a LandscapeInput (plain facts read with a few lean queries); the pure
// function AnalyseLandscape turns it into a Landscape. Tests build inputs by hand where the
// right answers are known.

// Neighbourhood is one of the place's neighbourhoods: an LSOA, with its deprivation and a
// centre worked out from its postcodes.
type Neighbourhood struct {
	Code               string `json:"code"` // the LSOA's ONS code, E01…
	Name               string `json:"name"`
	LocalAuthorityCode string `json:"local_authority_code"`
	LocalAuthorityName string `json:"local_authority_name"`
	// IMDDecile is 1 for the most deprived tenth of England, 0 when not known.
	IMDDecile int `json:"imd_decile"`
	// Population is the number of residents where loaded, 0 when not.
	Population int `json:"population,omitempty"`
	// Lat and Lng are the mean of the neighbourhood's live postcodes.
	Lat float64 `json:"lat"`
	Lng float64 `json:"lng"`
	// Postcode is the live postcode nearest the centre, standing for the neighbourhood
	// when a service's areas are matched (AreaCovers); Ward is its ward's ONS code.
	Postcode string `json:"postcode"`
	Ward     string `json:"ward"`
}

// LandscapeService is one scheme or community offer as the landscape needs it.
type LandscapeService struct {
	ID               int64         `json:"id"`
	Name             string        `json:"name"`
	Kind             ServiceKind   `json:"kind"`
	Status           ServiceStatus `json:"status"`
	OrganisationID   int64         `json:"organisation_id"`
	OrganisationName string        `json:"organisation_name"`
	Sector           Sector        `json:"sector"`
	Email            string        `json:"email,omitempty"`
	Phone            string        `json:"phone,omitempty"`
	Areas            []string      `json:"areas"`
	// Needs, ClientGroups and BuildingBlocks are term codes of those taxonomies.
	Needs          []string `json:"needs"`
	ClientGroups   []string `json:"client_groups"`
	BuildingBlocks []string `json:"building_blocks"`
	// Venues are the service's locations: a location with no coordinates has Lat and Lng
	// 0 and is reported under data quality.
	Venues []LandscapeVenue `json:"venues"`
	// Scheme is set for a connector scheme.
	Scheme *ConnectorScheme `json:"scheme,omitempty"`
	// Capacity is the scheme's load, when it is a connector scheme.
	Capacity *SchemeCapacity `json:"capacity,omitempty"`
}

// LandscapeVenue is where a service happens.
type LandscapeVenue struct {
	Name     string  `json:"name"`
	Postcode string  `json:"postcode"`
	Lat      float64 `json:"lat"`
	Lng      float64 `json:"lng"`
}

// LandscapeInput is everything the analysis reads, gathered by the store for a place.
type LandscapeInput struct {
	Place          *Place              `json:"place"`
	Neighbourhoods []*Neighbourhood    `json:"neighbourhoods"`
	Services       []*LandscapeService `json:"services"` // connector schemes and community offers, every status
	Organisations  []*Organisation     `json:"organisations"`
	// Terms names the terms of the need, client group and building block taxonomies:
	// taxonomy code → term code → label, in the taxonomy's order in TermOrder.
	Terms     map[string]map[string]string `json:"terms"`
	TermOrder map[string][]string          `json:"term_order"`
	// Demand counts referrals received in the last twelve months by the person's
	// neighbourhood and need: LSOA code → need term code → count.
	Demand map[string]map[string]int `json:"demand"`
	// Requests are the place's open group requests (what groups have asked the place for),
	// newest first, read fresh every time like Demand.
	Requests []*GroupRequest `json:"requests"`
	// DirectoryVersion is the version of the directory the input was read at (analyses are
	// kept under it).
	DirectoryVersion int64     `json:"directory_version"`
	ReadAt           time.Time `json:"read_at"`
}

// LandscapeOptions are the choices a reader of the landscape makes.
type LandscapeOptions struct {
	// DistanceKm is how far from a neighbourhood's centre a community offer's venue may
	// be and still count as near it: DefaultLandscapeDistanceKm when 0, at most 50.
	DistanceKm float64 `json:"distance_km"`
}

// DefaultLandscapeDistanceKm is two miles: a bus ride or a long walk.
const DefaultLandscapeDistanceKm = 3.2

// Landscape is the analysis of a place.
type Landscape struct {
	Place         *Place                `json:"place"`
	Options       LandscapeOptions      `json:"options"`
	Coverage      []*CoverageRow        `json:"coverage"` // one per neighbourhood, most deprived first
	Overlaps      []*SchemeOverlap      `json:"overlaps"` // biggest overlap first
	Groups        []*CollaborationGroup `json:"groups"`
	Gaps          []*Gap                `json:"gaps"` // most deprived first, then by demand and group requests
	Fragmentation *Fragmentation        `json:"fragmentation"`
	Sectors       *SectorSummary        `json:"sectors"`
	DataQuality   []*DataProblem        `json:"data_quality"`
	GeneratedAt   time.Time             `json:"generated_at"`

	// services (every service of the input, by ID) and neighbourhoods (by code) are the
	// indexes of Service and NeighbourhoodByCode.
	services       map[int64]*LandscapeService
	neighbourhoods map[string]*Neighbourhood
}

// CoverageRow is what covers one neighbourhood: the connector schemes whose areas include
// it and the active community offers with a venue within the distance (or, with no venue,
// whose areas include it), in total and by term.
type CoverageRow struct {
	Neighbourhood *Neighbourhood `json:"neighbourhood"`
	SchemeIDs     []int64        `json:"scheme_ids"`
	OfferIDs      []int64        `json:"offer_ids"`
	// MaybeSchemeIDs are schemes whose areas are names that cannot be placed (AreaUnknown):
	// they may cover it; they are not counted, and are listed under data quality.
	MaybeSchemeIDs []int64 `json:"maybe_scheme_ids"`
	// ByTerm breaks the coverage down: "need/loneliness" → the schemes and offers with
	// that term covering the neighbourhood. Keys are taxonomy code, "/", term code.
	ByTerm map[string]*TermCoverage `json:"by_term"`
}

// TermCoverage is the schemes and offers with one term that cover a neighbourhood.
type TermCoverage struct {
	SchemeIDs []int64 `json:"scheme_ids"`
	OfferIDs  []int64 `json:"offer_ids"`
}

// SchemeOverlap is two connector schemes that serve the same neighbourhoods, client groups
// and needs: a chance to collaborate, not a fault.
type SchemeOverlap struct {
	A, B *LandscapeService `json:"-"`
	// SchemeIDs are A's and B's IDs, for JSON.
	SchemeIDs [2]int64 `json:"scheme_ids"`
	// Neighbourhoods are the codes both cover; Share is their number over the number
	// the scheme covering fewer covers (0 to 1).
	Neighbourhoods []string `json:"neighbourhoods"`
	Share          float64  `json:"share"`
	Needs          []string `json:"needs"`         // term codes both list
	ClientGroups   []string `json:"client_groups"` // term codes both list (or "everyone" when both are for everyone)
	// Score orders overlaps: Share times the needs both list over the needs either lists
	// (Jaccard), in 0 to 1.
	Score float64 `json:"score"`
}

// CollaborationGroup is three or more schemes linked by overlaps (a connected group of the
// overlap pairs with Score at least GroupScore).
type CollaborationGroup struct {
	SchemeIDs      []int64  `json:"scheme_ids"`
	Neighbourhoods []string `json:"neighbourhoods"` // covered by every scheme of the group
	Needs          []string `json:"needs"`          // listed by every scheme of the group
}

// GroupScore is the least overlap score that links schemes into a collaboration group.
const GroupScore = 0.25

// Gap is a neighbourhood and a need with no community offer near it, or only connector
// schemes that are full. Reason says which.
type Gap struct {
	Neighbourhood *Neighbourhood `json:"neighbourhood"`
	Need          string         `json:"need"` // term code
	NeedLabel     string         `json:"need_label"`
	Reason        GapReason      `json:"reason"`
	// Demand is referrals in the last twelve months from the neighbourhood for the need.
	Demand int `json:"demand"`
	// GroupRequests is the open requests groups in the neighbourhood have made for the need.
	GroupRequests int `json:"group_requests"`
	// FullSchemeIDs are the schemes covering it with the need that have no room.
	FullSchemeIDs []int64 `json:"full_scheme_ids,omitempty"`
}

// GapReason says why a neighbourhood and need is a gap.
type GapReason string

// The reasons.
const (
	GapNoOffer    GapReason = "no_offer"    // no active community offer with the need within the distance
	GapAtCapacity GapReason = "at_capacity" // offers exist, but every connector scheme covering it with the need is full
)

// Fragmentation is which electronic systems and assessment tools the place's schemes use.
type Fragmentation struct {
	Systems []*ToolUse `json:"systems"` // most used first
	Tools   []*ToolUse `json:"tools"`
	// SchemesWithoutSystem are schemes that name none.
	SchemesWithoutSystem []int64 `json:"schemes_without_system"`
}

// ToolUse is one system or tool (names compared ignoring case and spacing) and the schemes
// using it.
type ToolUse struct {
	Name      string  `json:"name"`
	SchemeIDs []int64 `json:"scheme_ids"`
}

// SectorSummary is the whole system by sector, funding and model.
type SectorSummary struct {
	// BySector counts organisations, schemes and community offers of each sector, in the
	// order of Sectors.
	BySector []*SectorCount `json:"by_sector"`
	// ByFunding and ByModel count schemes by funding source (as written, grouped ignoring
	// case) and by model.
	ByFunding []*NamedCount `json:"by_funding"`
	ByModel   []*NamedCount `json:"by_model"`
	// StaffFTE is the sum of the schemes' stated staff.
	StaffFTE float64 `json:"staff_fte"`
}

// SectorCount counts one sector.
type SectorCount struct {
	Sector        Sector  `json:"sector"`
	Organisations int     `json:"organisations"`
	Schemes       int     `json:"schemes"`
	Offers        int     `json:"offers"`
	SchemeIDs     []int64 `json:"scheme_ids"`
}

// NamedCount is a name and the schemes under it.
type NamedCount struct {
	Name      string  `json:"name"`
	SchemeIDs []int64 `json:"scheme_ids"`
}

// DataProblem is something in the directory the analysis could not use, with the record to
// fix: never dropped silently.
type DataProblem struct {
	Kind DataProblemKind `json:"kind"`
	// ServiceID is the service to fix (its edit page is /services/{id}/edit).
	ServiceID   int64  `json:"service_id,omitempty"`
	ServiceName string `json:"service_name,omitempty"`
	Detail      string `json:"detail"`
}

// DataProblemKind names a kind of data problem.
type DataProblemKind string

// The kinds of data problem.
const (
	ProblemNoCoordinates   DataProblemKind = "no_coordinates"   // a venue without a latitude and longitude
	ProblemNoArea          DataProblemKind = "no_area"          // a community offer with neither venue nor area
	ProblemUnknownArea     DataProblemKind = "unknown_area"     // an area that is not a postcode district or sector or an ONS code: cannot be placed
	ProblemNoNeighbourhood DataProblemKind = "no_neighbourhood" // the place has no neighbourhoods (no postcodes loaded for its local authorities)
)

// FundingOpportunity is a gap a place has chosen to fund: a neighbourhood and need, noted
// for the devolved budgets.
type FundingOpportunity struct {
	ID                int64     `json:"id"`
	PlaceID           int64     `json:"place_id"`
	NeighbourhoodCode string    `json:"neighbourhood_code"`
	NeighbourhoodName string    `json:"neighbourhood_name"`
	IMDDecile         int       `json:"imd_decile"`
	Need              string    `json:"need"`
	NeedLabel         string    `json:"need_label"`
	Note              string    `json:"note"`
	Status            string    `json:"status"` // "open" until funded or closed by the devolved budgets
	CreatedBy         string    `json:"created_by"`
	CreatedAt         time.Time `json:"created_at"`
}

// LandscapeStore reads what the landscape needs and keeps funding opportunities.
type LandscapeStore interface {
	// LandscapeInput gathers a place's neighbourhoods, services, organisations, terms,
	// capacity and demand.
	LandscapeInput(ctx context.Context, placeID int64) (*LandscapeInput, error)
	// CreateFundingOpportunity validates and stores an opportunity for a gap (the
	// neighbourhood must be one of the place's, the need a term of its need taxonomy; the
	// same open neighbourhood and need twice is ECONFLICT), with an audit event.
	CreateFundingOpportunity(ctx context.Context, f *FundingOpportunity) error
	// ListFundingOpportunities returns a place's opportunities, newest first.
	ListFundingOpportunities(ctx context.Context, placeID int64) ([]*FundingOpportunity, error)
}
