package linkwork

import (
	"context"
	"strings"
)

// Scoping is how a place first maps who does what: a spreadsheet with a row for each
// connector scheme (or each organisation without one), which an administrator downloads,
// fills in or edits, and uploads. Its columns are ScopingColumns; the scoping package reads
// and writes the files, and a ScopingService stores the rows.

// ScopingColumn is one column of the scoping spreadsheet.
type ScopingColumn struct {
	// Header is the column's heading, in plain words, as the sheet and messages show it.
	Header string
	// Field is the name the domain's validation gives the field the column fills (as in
	// FieldError), so that a problem can name the column.
	Field string
}

// The scoping spreadsheet's columns, in order.
var ScopingColumns = []ScopingColumn{
	{"Organisation name", "organisation.name"},
	{"Sector", "organisation.sector"},
	{"Scheme name", "name"},
	{"Scheme model", "scheme.model"},
	{"Who can refer", "scheme.who_can_refer"},
	{"How to refer", "scheme.how_to_refer"},
	{"Areas covered", "areas"},
	{"Client groups", "client_groups"},
	{"Needs", "needs"},
	{"Funding source", "scheme.funding_source"},
	{"Staff FTE", "scheme.staff_fte"},
	{"Caseload limit per worker", "scheme.caseload_limit"},
	{"Waiting weeks", "scheme.waiting_weeks"},
	{"Electronic system", "scheme.electronic_system"},
	{"Assessment tools", "scheme.assessment_tools"},
	{"Contact email", "email"},
	{"Phone", "phone"},
	{"Website", "url"},
	{"Description", "description"},
}

// ScopingColumnFor returns the heading of the column a validation field belongs to, or ""
// for a problem with the row as a whole.
func ScopingColumnFor(field string) string {
	for _, c := range ScopingColumns {
		if c.Field == field {
			return c.Header
		}
	}
	switch {
	case strings.HasPrefix(field, "organisation."):
		return ScopingColumns[0].Header
	case field == "term_ids":
		return "Client groups"
	}
	return ""
}

// ScopingRow is one row of a scoping spreadsheet: an organisation and, when the row names
// one, one of its connector schemes.
type ScopingRow struct {
	// Row is the row's number in the spreadsheet, the header being row 1.
	Row int
	// Organisation is matched by name, in any case, in the place, and added when there is
	// none. A Sector of "" keeps an existing organisation's; a new one needs one.
	Organisation Organisation
	// Scheme is the connector scheme the row describes, or nil for a row about an
	// organisation alone. It is matched by its organisation and its name, in any case. It
	// gives what the sheet's columns hold: its model and the rest of Scheme, Areas, TermIDs
	// (client groups and needs: they replace the scheme's terms of those taxonomies and
	// leave others), Email, Phone and URL. A Description of "" keeps an existing scheme's;
	// a new one is described by its model. Everything else a scheme has (status, locations,
	// schedules…) is kept, or, for a new one, starts empty and running.
	Scheme *Service
	// Problems are what reading the row found wrong. A row with problems is never stored.
	Problems []ScopingProblem
}

// ScopingProblem is what is wrong with a cell of a scoping spreadsheet, or with a row when
// Column is "".
type ScopingProblem struct {
	Row     int    `json:"row"`
	Column  string `json:"column"`
	Message string `json:"message"`
}

// ScopingSummary is what an import of a scoping spreadsheet did.
type ScopingSummary struct {
	Rows                   int `json:"rows"`
	OrganisationsAdded     int `json:"organisations_added"`
	OrganisationsUpdated   int `json:"organisations_updated"`
	OrganisationsUnchanged int `json:"organisations_unchanged"`
	SchemesAdded           int `json:"schemes_added"`
	SchemesUpdated         int `json:"schemes_updated"`
	SchemesUnchanged       int `json:"schemes_unchanged"`
	// Failed counts the rows left out for their problems, which Problems lists by row.
	Failed   int              `json:"failed"`
	Problems []ScopingProblem `json:"problems"`
	// RolledBack is set when AllOrNothing undid the import because a row failed: nothing
	// was changed, and the counts of what was added or updated are 0.
	RolledBack bool `json:"rolled_back"`
}

// Changed reports whether the import changed anything.
func (s *ScopingSummary) Changed() bool {
	return s.OrganisationsAdded+s.OrganisationsUpdated+s.SchemesAdded+s.SchemesUpdated > 0
}

// AuditScopingImport is the audit action of an import of a scoping spreadsheet: one event
// for the import, beside an event for each organisation and scheme it adds or changes.
const AuditScopingImport = "scoping.import"

// ScopingService stores and gives back the rows of a place's scoping spreadsheet.
type ScopingService interface {
	// ImportScoping adds or updates, in a place, the organisation and scheme of each row.
	// Each row is stored whole or not at all: a row with problems (its own, or what the
	// domain's validation finds) is left out, and listed in the summary. With AllOrNothing
	// any such row leaves the place as it was. Importing the same rows again changes
	// nothing.
	ImportScoping(ctx context.Context, placeID int64, rows []*ScopingRow, opts ImportOptions) (*ScopingSummary, error)
	// ExportScoping returns a place's organisations and connector schemes as rows: a row
	// for each scheme, with its terms, and one for each organisation without a scheme, by
	// organisation name and then scheme name.
	ExportScoping(ctx context.Context, placeID int64) ([]*ScopingRow, error)
}
