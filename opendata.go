package linkwork

import (
	"context"
	"iter"
	"time"
)

// DirectoryQuery selects a place's services for open data: the Open Referral UK API and
// the export. Every filter but the place is optional.
type DirectoryQuery struct {
	PlaceID int64
	// Text keeps services whose name or description contains it, in any case.
	Text string
	// TermUUID keeps services classified with this taxonomy term; TaxonomyUUID those with
	// any term of this taxonomy.
	TermUUID     string
	TaxonomyUUID string
	// ModifiedAfter keeps services changed at or after this time.
	ModifiedAfter time.Time
	// MinAge and MaxAge follow Open Referral UK: services whose minimum age is at least
	// MinAge, and services whose maximum age is at most MaxAge. A service with no minimum
	// counts as minimum 0, one with no maximum as having no upper limit.
	MinAge, MaxAge *int
	// Near keeps locations within WithinKm of a point (every location when WithinKm is 0);
	// service-at-location results are then sorted by distance. A service matches when any
	// of its locations does.
	Near     *LatLng
	WithinKm float64
	// Full loads each service's lists (locations, schedules, terms, contacts, areas);
	// without it only the service's own fields and its organisation are filled in.
	Full bool
	Page Page
}

// LatLng is a point on the map, in WGS84 degrees.
type LatLng struct{ Lat, Lng float64 }

// DirectoryEntry is a service as open data shows it: with the organisation that runs it
// and, for a service at a location, that location and how far it is.
type DirectoryEntry struct {
	Service      *Service
	Organisation Organisation
	// Location is set for service-at-location results: the one location the entry is about.
	Location *Location
	// DistanceKm is set when the query was near a point and the location has coordinates.
	DistanceKm *float64
}

// ImportOutcome is what an import did with one record.
type ImportOutcome string

// The outcomes of an imported record.
const (
	ImportAdded     ImportOutcome = "added"
	ImportUpdated   ImportOutcome = "updated"
	ImportUnchanged ImportOutcome = "unchanged"
	ImportFailed    ImportOutcome = "failed"
)

// ServiceImport is one service read from an import file, with the organisation that runs
// it. The reader fills in the record; the store fills in the outcome.
type ServiceImport struct {
	// Ref says where the record is in the file, such as "contents[3]".
	Ref string
	// Service is the record in linkwork's terms. A UUID, when set, matches the service to
	// update; TermIDs are already the place's terms.
	Service Service
	// Organisation is matched by UUID, then by name, in the place, and added when neither
	// matches.
	Organisation Organisation
	// Gives says which parts of a service the record gives. A part it leaves out (a page of
	// the ORUK service list gives a service's own fields only) is kept as it is when the
	// service is updated, and is empty when it is added.
	Gives ServiceParts
	// Warnings say what was left out of the record, and why.
	Warnings []string
	// Err is why the record cannot be stored. The reader sets it for a record it could not
	// read; the store for one it could not store. Such a record is never stored.
	Err error

	Outcome           ImportOutcome
	OrganisationAdded bool
}

// ServiceParts names the parts of a service that an imported record may leave out.
type ServiceParts struct {
	Schedules bool
	Locations bool // and the accessibility of the service, which Open Referral gives by location
	Contacts  bool
	Terms     bool
	Languages bool
	Areas     bool
	Phone     bool
	Costs     bool // whether it is free, and its fees
}

// ServiceImportSummary counts what an import of services did.
type ServiceImportSummary struct {
	ImportCounts
	Failed             int `json:"failed"`
	OrganisationsAdded int `json:"organisations_added"`
	// RolledBack is set when AllOrNothing undid the import because a record failed.
	RolledBack bool `json:"rolled_back"`
}

// Audit action of an import of services: one event for each part committed.
const AuditServicesImport = "services.import"

// OpenDataService reads a place's directory the way open data needs it, and imports
// services from other directories.
type OpenDataService interface {
	// DirectoryVersion returns a number that grows whenever anything open data shows changes:
	// a place, organisation, service (or any of its lists), taxonomy or term. Responses made
	// at one version can be reused until it changes.
	DirectoryVersion(ctx context.Context) (int64, error)
	// FindService returns a service, with its lists, by its UUID in any place, or ENOTFOUND.
	FindService(ctx context.Context, uuid string) (*DirectoryEntry, error)
	// FindServiceAtLocation returns the service with the location of this UUID, or ENOTFOUND.
	FindServiceAtLocation(ctx context.Context, locationUUID string) (*DirectoryEntry, error)
	// Organisations returns organisations by ID; IDs that name none are left out.
	Organisations(ctx context.Context, ids []int64) (map[int64]*Organisation, error)
	// QueryServices returns a page of the services that match, by name, and how many match.
	QueryServices(ctx context.Context, q DirectoryQuery) ([]*DirectoryEntry, int, error)
	// QueryServiceLocations returns a page of the locations of matching services, by
	// service name or, near a point, by distance; and how many match.
	QueryServiceLocations(ctx context.Context, q DirectoryQuery) ([]*DirectoryEntry, int, error)
	// ImportServices adds or updates (matched by UUID) every service that items yields, with
	// its organisation, in a place. A record that cannot be stored is reported and left out;
	// with AllOrNothing any such record undoes the whole import. report, if not nil, is
	// called for every record once its outcome is known.
	ImportServices(ctx context.Context, placeID int64, items iter.Seq[*ServiceImport], opts ImportOptions,
		report func(*ServiceImport)) (ServiceImportSummary, error)
}
