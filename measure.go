package linkwork

import (
	"context"
	"time"
)

// The common local measurement framework: one set of measures for every organisation in a
// place, read from what linkwork already holds (referrals, case records, contacts,
// questionnaires, onward referrals, groups' volunteers and activities, budgets) and from
// health service use data a place loads. Measures are counted from monthly facts
// (MeasureFact) that a background job keeps for each place and each scope within it; the
// facts must always equal a recomputation from the records (MeasureFactsFromRecords is that
// recomputation, in Go, and a test holds the store's facts to it).

// MeasureCode names a measure in the catalogue.
type MeasureCode string

// The built-in measures.
const (
	MeasureReferrals       MeasureCode = "referrals"        // referrals received, by source, need and scheme
	MeasureFirstContact    MeasureCode = "first_contact"    // days from referral to first contact
	MeasurePeopleSupported MeasureCode = "people_supported" // people with an open case record in the period
	MeasureContacts        MeasureCode = "contacts"         // contacts and minutes, by mode
	MeasureCaseload        MeasureCode = "caseload"         // people supported per link worker, a year, against 200–250
	MeasureWaiting         MeasureCode = "waiting"          // waiting list now, and the wait of those allocated
	MeasureOnward          MeasureCode = "onward"           // onward referrals sent, accepted, attended
	MeasureWellbeing       MeasureCode = "wellbeing"        // change between baseline and follow-up: ONS4, SWEMWBS, UCLA-3
	MeasureReach           MeasureCode = "reach"            // people supported by IMD decile (against the place), ethnicity, age, sex
	MeasureHealthUse       MeasureCode = "health_use"       // GP consultations and non-elective admissions 6 months before and after
	MeasureVolunteers      MeasureCode = "volunteers"       // groups' volunteers and hours
	MeasureNewActivities   MeasureCode = "new_activities"   // new community groups and activities
	MeasureBudgetSpend     MeasureCode = "budget_spend"     // devolved budget spend by need and area
)

// MeasureDefinition is a measure as the catalogue describes it.
type MeasureDefinition struct {
	Code MeasureCode `json:"code"`
	Name string      `json:"name"`
	// Definition says in plain English exactly what is counted, from what, and how the
	// period applies: what a board member reads to know what the number means.
	Definition string `json:"definition"`
	// AboutPeople marks measures whose counts are of people (or of referrals, contacts and
	// other records about people), which safe aggregates suppress and round.
	AboutPeople bool `json:"about_people"`
	// Local is set for a measure a place added (LocalMeasure), whose values organisations
	// enter month by month.
	Local bool `json:"local"`
}

// BuiltInMeasures is the catalogue, in the order dashboards show it. Its definitions are
// written in measure_catalogue.go.
var BuiltInMeasures []MeasureDefinition

// LocalMeasure is a measure a place added to its catalogue: a monthly figure each
// organisation enters (for what linkwork cannot count itself, such as talks given to GP
// practices). Its code is "local-<id>".
type LocalMeasure struct {
	ID          int64     `json:"id"`
	PlaceID     int64     `json:"place_id"`
	Name        string    `json:"name"`
	Definition  string    `json:"definition"`
	Unit        string    `json:"unit"`         // what is counted: "talks", "hours"
	AboutPeople bool      `json:"about_people"` // counts people: suppressed like the built-in ones
	Retired     bool      `json:"retired"`
	CreatedAt   time.Time `json:"created_at"`
}

// Code is the local measure's code.
func (m *LocalMeasure) Code() MeasureCode { return MeasureCode("local-" + itoa(int(m.ID))) }

// LocalMeasureValue is one organisation's figure for a local measure in a month.
type LocalMeasureValue struct {
	MeasureID      int64     `json:"measure_id"`
	OrganisationID int64     `json:"organisation_id"`
	Month          time.Time `json:"month"` // the first of the month, midnight UTC
	Value          int64     `json:"value"`
	UpdatedAt      time.Time `json:"updated_at"`
	UpdatedBy      string    `json:"updated_by"`
}

// ScopeKind is what a dashboard is about.
type ScopeKind string

// The scopes. A primary care network is an organisation (one that holds PCN link worker
// schemes); its dashboard is the organisation's.
const (
	ScopePlace         ScopeKind = "place"
	ScopeScheme        ScopeKind = "scheme"        // Key: the connector scheme's service ID
	ScopeOrganisation  ScopeKind = "organisation"  // Key: the organisation's ID
	ScopeNeighbourhood ScopeKind = "neighbourhood" // Key: the LSOA code
)

// Scope is one dashboard's subject within a place.
type Scope struct {
	Kind ScopeKind `json:"kind"`
	Key  string    `json:"key"` // "" for the place
	Name string    `json:"name"`
}

// MeasureFact is one monthly count the measures are made of: in a place, for a scope, in
// a month, for a fact and a key, N things and a Total (minutes, pence, points of change
// ×100, as the fact says). The facts and their keys are listed in measure_facts.go; every
// fact is kept for every scope kind it applies to.
type MeasureFact struct {
	PlaceID   int64     `json:"place_id"`
	ScopeKind ScopeKind `json:"scope_kind"`
	ScopeKey  string    `json:"scope_key"`
	Month     string    `json:"month"` // "2026-04"
	Fact      string    `json:"fact"`
	Key       string    `json:"key"`
	N         int64     `json:"n"`
	Total     int64     `json:"total"`
}

// MeasureQuery asks for a dashboard: a place, a scope within it, and whole months From to
// To (the first of each month, inclusive).
type MeasureQuery struct {
	PlaceID  int64         `json:"place_id"`
	Scope    Scope         `json:"scope"`
	From     time.Time     `json:"from"`
	To       time.Time     `json:"to"`
	Measures []MeasureCode `json:"measures"`
}

// SuppressionRule is how safe aggregates hide small numbers: counts from 1 to Threshold are
// shown as suppressed, others rounded to the nearest RoundTo. A place may change both.
type SuppressionRule struct {
	Threshold int64 `json:"threshold"` // 7 unless the place says otherwise
	RoundTo   int64 `json:"round_to"`  // 5 unless the place says otherwise
}

// DefaultSuppression is the rule a place starts with.
var DefaultSuppression = SuppressionRule{Threshold: 7, RoundTo: 5}

// MeasureSettings are a place's choices: which measures its dashboards show, in order, and
// its suppression rule.
type MeasureSettings struct {
	PlaceID     int64           `json:"place_id"`
	Measures    []MeasureCode   `json:"measures"`
	Suppression SuppressionRule `json:"suppression"`
}

// MeasureState says how current a place's facts are.
type MeasureState struct {
	PlaceID int64 `json:"place_id"`
	// ChangedAt is the last change to any record the facts are made from; AggregatedAt
	// when the facts were last made. Current is set when no change came after them.
	ChangedAt    *time.Time `json:"changed_at,omitempty"`
	AggregatedAt *time.Time `json:"aggregated_at,omitempty"`
	Current      bool       `json:"current"`
}

// ActivityRow is one row of a health service use file: for a person (by NHS number or
// the place's pseudonymised key) in a month, how many GP appointments and non-elective
// hospital admissions they had.
type ActivityRow struct {
	Line           int    `json:"line"`
	Key            string `json:"key"`
	Month          string `json:"month"` // "2026-04"
	GPAppointments int    `json:"gp_appointments"`
	Admissions     int    `json:"admissions"`
}

// ActivityImportReport says what an activity import did, row by row where it did not
// take a row.
type ActivityImportReport struct {
	Rows      int `json:"rows"`
	Imported  int `json:"imported"`  // rows stored (new or changed)
	Unchanged int `json:"unchanged"` // rows already held with the same counts
	// Unmatched are rows whose key matched nobody on a caseload of the place: reported,
	// never guessed.
	Unmatched []int `json:"unmatched"` // line numbers
	// Problems are the bad rows: line and reason.
	Problems []*RowProblem `json:"problems"`
	// AllOrNothing was asked for and a row was bad, so nothing was imported.
	NothingImported bool `json:"nothing_imported"`
}

// RowProblem is a bad row of an imported file.
type RowProblem struct {
	Line   int    `json:"line"`
	Field  string `json:"field,omitempty"`
	Reason string `json:"reason"`
}

// ActivityKeyKind is how a place's activity files name people.
type ActivityKeyKind string

// The kinds: the NHS number as it is, or a pseudonymised key: the lower-case hex
// HMAC-SHA256 of the ten-digit NHS number under a secret the place and its data provider
// share (PseudonymiseNHSNumber), so that the file carries no NHS numbers.
const (
	ActivityKeyNHSNumber ActivityKeyKind = "nhs_number"
	ActivityKeyHMAC      ActivityKeyKind = "hmac_sha256"
)

// MeasureService keeps the measures: a place's settings and local measures, the facts, the
// health service use data, and the job that keeps the facts current.
type MeasureService interface {
	MeasureSettings(ctx context.Context, placeID int64) (*MeasureSettings, error)
	SetMeasureSettings(ctx context.Context, s *MeasureSettings) error
	CreateLocalMeasure(ctx context.Context, m *LocalMeasure) error
	ListLocalMeasures(ctx context.Context, placeID int64) ([]*LocalMeasure, error)
	SetLocalMeasureValue(ctx context.Context, v *LocalMeasureValue) error

	// Facts returns a place's facts for a scope and months (inclusive, "2026-04"). A
	// fromMonth of "" means from the first month held: people supported, caseloads and
	// reach count support that began before the period (see BuildDashboard).
	Facts(ctx context.Context, placeID int64, scope Scope, fromMonth, toMonth string) ([]*MeasureFact, error)
	// DashboardFacts returns what BuildDashboard needs for a scope and the months fromMonth
	// to toMonth: their facts, and the support_starts and support_ends of every earlier
	// month summed into one row a key with the month "0000-01" (people open at the start
	// are counted from them), so that a dashboard reads a row a link worker for the years
	// before its period instead of one a month; and, likewise, the "worker:" keys of
	// support_starts in the months summed under fromMonth, without their support_ends in
	// the months (the caseload table needs only their sum over the period). The dashboard
	// built from them is the one built from every fact.
	DashboardFacts(ctx context.Context, placeID int64, scope Scope, fromMonth, toMonth string) ([]*MeasureFact, error)
	// SchemeReferrals returns every scheme's FactReferrals "all" facts for the months
	// summed, one a scheme with the month fromMonth (the referrals by scheme on a place's or
	// organisation's dashboard, which counts them over the period), in one read.
	SchemeReferrals(ctx context.Context, placeID int64, fromMonth, toMonth string) ([]*MeasureFact, error)
	// State says how current a place's facts are.
	State(ctx context.Context, placeID int64) (*MeasureState, error)
	// Aggregate remakes a place's facts from its records, in one transaction, and returns
	// how many there are. The job calls it for places changed since their last aggregation.
	Aggregate(ctx context.Context, placeID int64) (int, error)
	// ChangedPlaces returns the places with changes since their last aggregation.
	ChangedPlaces(ctx context.Context) ([]int64, error)
	// MeasureContext reads what a scope's dashboard needs beside its facts (every field of
	// MeasureContext, the referrals waiting now read live): ENOTFOUND for a scheme,
	// organisation or neighbourhood that is not the place's.
	MeasureContext(ctx context.Context, placeID int64, scope Scope) (*MeasureContext, error)
	// RetireLocalMeasure stops a place's own measure being collected: no more values can be
	// entered; those entered are kept and still counted. ENOTFOUND for another place's.
	RetireLocalMeasure(ctx context.Context, placeID, id int64) error
	// LocalMeasureValues returns the values an organisation entered for the months from
	// fromMonth to toMonth ("2026-04", inclusive), newest month first.
	LocalMeasureValues(ctx context.Context, organisationID int64, fromMonth, toMonth string) ([]*LocalMeasureValue, error)
	// Records reads a place's raw records for MeasureFactsFromRecords (tests and checks).
	Records(ctx context.Context, placeID int64) (*MeasureRecords, error)

	// SetActivityKey sets how the place's activity files name people, and the secret for a
	// pseudonymised key (kept, never shown again).
	SetActivityKey(ctx context.Context, placeID int64, kind ActivityKeyKind, secret string) error
	// ImportActivity loads health service use rows for a place, matched to people on its
	// caseloads; see ActivityImportReport. Importing the same rows again changes nothing.
	ImportActivity(ctx context.Context, placeID int64, rows []ActivityRow, allOrNothing bool) (*ActivityImportReport, error)
}

// MeasureRecords are a place's records as the facts are made from them: one slice per kind
// of record, each row holding only what the facts need (no names, no contact details).
type MeasureRecords struct {
	PlaceID    int64
	Referrals  []ReferralRecord
	People     []CaseRecord
	Contacts   []ContactRecord
	Responses  []ResponseRecord
	Onward     []OnwardRecord
	Activity   []ActivityRecord
	Volunteers []VolunteersRecord
	Activities []NewActivityRecord
	NewGroups  []NewGroupRecord
	Spend      []SpendRecord
	Local      []LocalMeasureValue
	// SchemeOrganisation maps each connector scheme to the organisation that runs it.
	SchemeOrganisation map[int64]int64
}

// ReferralRecord is a referral as the measures see it.
type ReferralRecord struct {
	ID         int64
	SchemeID   int64
	Source     ReferrerType
	Needs      []string // need term codes
	LSOA       string   // of the person's postcode, "" if unknown
	ReceivedAt time.Time
	// AllocatedAt is when it was first allocated to a link worker; WaitFrom when it was
	// accepted (the wait is from acceptance to allocation). Nil when it has not been.
	WaitFrom    *time.Time
	AllocatedAt *time.Time
	// FirstContactOn is the date of the first contact of the case record opened from it,
	// "" if none yet.
	FirstContactOn string
}

// CaseRecord is a case record as the measures see it (an erased one keeps what the
// measures need).
type CaseRecord struct {
	ID             int64
	OrganisationID int64
	SchemeID       int64 // of the referral it was opened from; 0 if opened directly
	WorkerUserID   int64
	LSOA           string
	IMDDecile      int    // 0 if unknown
	Ethnicity      string // NHS ethnic category code, "" if not asked
	Sex            string
	AgeBand        string // at opening: AgeBandOf
	OpenedOn       string // "2026-04-03"
	ClosedOn       string // "" while open
	FirstContactOn string // "" before any contact
	NHSNumber      bool   // has one (for health use matching)
}

// ContactRecord is a contact with a person.
type ContactRecord struct {
	PersonID int64
	On       string // date
	Mode     ContactMode
	Minutes  int
}

// ResponseRecord is a complete, scored questionnaire response.
type ResponseRecord struct {
	PersonID      int64
	Questionnaire string // code: "ons4", "swemwbs", "ucla3"
	Timepoint     Timepoint
	CompletedOn   string
	CreatedAt     time.Time
	ID            int64
	Total         float64
	Items         []float64 // ONS4's four items
}

// OnwardRecord is an onward referral.
type OnwardRecord struct {
	PersonID int64
	SentOn   string
	Status   OnwardStatus
}

// ActivityRecord is a person's health service use in a month.
type ActivityRecord struct {
	PersonID       int64
	Month          string
	GPAppointments int
	Admissions     int
}

// VolunteersRecord is a group's volunteers in a month.
type VolunteersRecord struct {
	OrganisationID int64
	Month          string
	Volunteers     int
	Hours          int
}

// NewActivityRecord is an activity a group started.
type NewActivityRecord struct {
	OrganisationID int64
	StartedOn      string
}

// NewGroupRecord is a community organisation (VCSE or faith sector) added to the place.
type NewGroupRecord struct {
	OrganisationID int64
	CreatedOn      string
}

// SpendRecord is a ledger entry that pays out or takes back money for a spend.
type SpendRecord struct {
	PotOrganisationID int64
	PotSchemeID       int64
	Need              string
	LSOA              string
	On                string
	NetPence          int64 // a spend's payment positive; a refund or reversal of one negative
}

// Dashboard is a scope's measures over a period, built from its facts by BuildDashboard.
type Dashboard struct {
	Query   MeasureQuery     `json:"query"`
	Results []*MeasureResult `json:"results"`
	// Safe is set once Suppress has applied a rule: every count of people from 1 to the
	// threshold is hidden and the rest rounded, with secondary suppression.
	Safe  bool            `json:"safe"`
	Rule  SuppressionRule `json:"rule"`
	State *MeasureState   `json:"state,omitempty"`
}

// MeasureResult is one measure on a dashboard: its headline figures and its tables, each
// table the numbers behind one chart.
type MeasureResult struct {
	Definition MeasureDefinition `json:"definition"`
	Headline   []*MeasureCell    `json:"headline"`
	Tables     []*MeasureTable   `json:"tables"`
}

// ChartKind says how a table is drawn.
type ChartKind string

// The charts.
const (
	ChartBars        ChartKind = "bars"         // a breakdown: one bar a row
	ChartMonths      ChartKind = "months"       // change over time: one bar (or point) a month, in order
	ChartBeforeAfter ChartKind = "before_after" // two bars a row: before and after
	ChartNone        ChartKind = ""             // a table only
)

// MeasureTable is a table of a measure: rows of cells under a header, with an optional
// total row, and the chart drawn from it.
type MeasureTable struct {
	Name   string        `json:"name"` // unique on the dashboard: the export's file name
	Title  string        `json:"title"`
	Header []string      `json:"header"`
	Rows   []*MeasureRow `json:"rows"`
	Total  *MeasureRow   `json:"total,omitempty"`
	Chart  ChartKind     `json:"chart"`
	Notes  []string      `json:"notes,omitempty"` // what a reader must know: "Counts of 1 to 7 are hidden."
}

// MeasureRow is a row: its label and one cell a column after the label.
type MeasureRow struct {
	Label string         `json:"label"`
	Key   string         `json:"key,omitempty"`
	Cells []*MeasureCell `json:"cells"`
}

// MeasureCell is one figure. Count marks a count of people or of records about them,
// which suppression hides when small and rounds; DependsOn marks a figure made from such a
// count (a mean, a share), hidden whenever that count is.
type MeasureCell struct {
	Label      string  `json:"label,omitempty"` // for headline figures
	Value      float64 `json:"value"`
	Text       string  `json:"text"` // the value as shown: "1,240", "12 days", "£3,400.00", "45%", or "[c]" when suppressed
	Count      bool    `json:"count,omitempty"`
	Suppressed bool    `json:"suppressed,omitempty"`
	// Base is the count a derived figure depends on (nil for counts and plain sums).
	Base *MeasureCell `json:"-"`
	// Of is, for a share, the count it is a share of (Base being the part): a share is
	// hidden when either is.
	Of *MeasureCell `json:"-"`
	// Parts are the cells a count is the sum of, when they are shown elsewhere on the
	// dashboard but not as the rows of a table it is the total of (the onward referrals
	// accepted are those accepted, attended and not attended): suppression treats them as
	// one more total that a hidden cell could be worked out from.
	Parts []*MeasureCell `json:"-"`
}

// SuppressedText is what a suppressed cell shows, with a note under the table saying why.
const SuppressedText = "[c]"

// MeasureContext is what BuildDashboard needs beside the facts: names for the keys and the
// place's own figures to compare reach with.
type MeasureContext struct {
	Terms          map[string]string // need term code → label
	Schemes        map[int64]string  // scheme ID → name
	Organisations  map[int64]string
	Workers        map[int64]string  // link worker user ID → name
	Neighbourhoods map[string]string // LSOA code → name
	// PlaceDeciles counts the place's LSOAs by IMD decile (1–10): LSOAs hold roughly
	// equal numbers of people, so their shares stand for the population's.
	PlaceDeciles map[int]int
	// WaitingNow is the number of referrals waiting in the scope now, read live.
	WaitingNow int64
	// ActivityUpTo is the last month the place's health service use data covered when its
	// facts were last counted, "" if none: only people whose six months after first
	// contact it covers are counted.
	ActivityUpTo string
	Local        []*LocalMeasure
	// SchemeOrganisations maps each of the place's connector schemes to the organisation
	// that runs it, and PCNs marks the organisations that hold primary care network link
	// worker schemes: what choosing a dashboard's scope, and whether its reader sees the
	// people behind it, needs.
	SchemeOrganisations map[int64]int64
	PCNs                map[int64]bool
}

// SeesPeopleOf reports whether the principal sees the people behind a scope's figures, and
// so may see them unsuppressed on screen: only for an organisation (or a scheme it runs)
// whose case records they see. Place and neighbourhood figures span organisations and are
// always safe aggregates; so is everything exported.
func (p *Principal) SeesPeopleOf(scope Scope, organisationID int64) bool {
	if p == nil || organisationID == 0 {
		return false
	}
	switch scope.Kind {
	case ScopeOrganisation, ScopeScheme:
		return p.CanIn(PermViewCases, organisationID)
	}
	return false
}

// The functions the measures are made with, in measure_compute.go and
// measure_suppress.go:
//
//	MeasureFactsFromRecords(r *MeasureRecords) []*MeasureFact — the facts, recomputed in Go
//	BuildDashboard(defs []MeasureDefinition, q MeasureQuery, facts []*MeasureFact, c *MeasureContext) *Dashboard
//	(d *Dashboard) Suppress(rule SuppressionRule) — primary and secondary suppression, rounding
//	AgeBandOf(dateOfBirth, on string) string
//	PseudonymiseNHSNumber(secret, nhsNumber string) string
