// Package spending turns a place's spend report (linkwork.SpendReport) into what a funder
// or a board takes away: a table for each breakdown, written as CSV or as one Excel
// workbook, and the period and organisations a report covers. Like the report, the tables
// name needs, neighbourhoods, groups, schemes and pots, never people: a personal spend is
// only counted and added up.
package spending

import (
	"strconv"
	"strings"
	"time"

	"linkwork"
	"linkwork/report"
)

// The names of the tables, in the order Tables returns them.
const (
	TableSummary         = "summary"
	TableByNeed          = "by_need"
	TableByNeighbourhood = "by_neighbourhood"
	TableByGroup         = "by_group"
	TableByScheme        = "by_scheme"
	TableByPot           = "by_pot"
	TableOutstanding     = "grants_outstanding"
)

var tableNames = []string{TableSummary, TableByNeed, TableByNeighbourhood, TableByGroup, TableByScheme, TableByPot,
	TableOutstanding}

var titles = map[string]string{
	TableSummary: "Summary", TableByNeed: "Spend by need", TableByNeighbourhood: "Spend by neighbourhood",
	TableByGroup: "Micro-grants by group", TableByScheme: "Spend by scheme", TableByPot: "Spend by pot",
	TableOutstanding: "Grants owing a report",
}

// Index returns every table's name and title, without rows.
func Index() []report.Table {
	out := make([]report.Table, len(tableNames))
	for i, n := range tableNames {
		out[i] = report.Table{Name: n, Title: titles[n]}
	}
	return out
}

// Known reports whether name is one of the tables.
func Known(name string) bool { return titles[name] != "" }

// Find returns the table of tables with the name.
func Find(tables []report.Table, name string) (report.Table, bool) {
	for _, t := range tables {
		if t.Name == name {
			return t, true
		}
	}
	return report.Table{}, false
}

// About says in words what a report covers, for its summary: the place, and the
// organisations whose pots it counts (none: every organisation of the place).
type About struct {
	Place         string
	Organisations []string
}

// Scope describes the organisations a report covers: "Every organisation in Calderdale",
// or their names.
func (a About) Scope() string {
	if len(a.Organisations) == 0 {
		if a.Place == "" {
			return "Every organisation"
		}
		return "Every organisation in " + a.Place
	}
	return strings.Join(a.Organisations, "; ")
}

// Counts is how many spends a report counts, of each kind.
type Counts struct {
	Grants, Personal int
	// Outstanding is the grants owing a report, Overdue those past their due date.
	Outstanding, Overdue int
}

// Count counts a report's spends by kind (from its pots, which between them hold every
// spend once) and its grants owing a report.
func Count(r *linkwork.SpendReport) Counts {
	var c Counts
	for _, l := range r.ByPot {
		c.Grants += l.Grants
		c.Personal += l.Personal
	}
	day := Day(r)
	for _, s := range r.Outstanding {
		c.Outstanding++
		if s.ReportOverdue(day) {
			c.Overdue++
		}
	}
	return c
}

// Day is the day a report was made, as a date (midnight UTC, as the domain keeps dates),
// in London: what a grant's report due date is compared with.
func Day(r *linkwork.SpendReport) time.Time {
	at := r.GeneratedAt
	if at.IsZero() {
		at = time.Now()
	}
	y, m, d := at.In(linkwork.London).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// DaysOverdue is how many days past its due date a grant's report is on day: 0 when it is
// not overdue.
func DaysOverdue(s *linkwork.Spend, day time.Time) int {
	if !s.ReportOverdue(day) {
		return 0
	}
	return int(day.Sub(*s.ReportDue).Hours() / 24)
}

// Tables returns a table for each part of r, in this order: a summary, spend by need, by
// neighbourhood (most deprived first, with the IMD decile), micro-grants by group, spend
// by scheme (the pot's holder), by pot, and the grants owing a report.
func Tables(r *linkwork.SpendReport, about About) []report.Table {
	return []report.Table{summaryTable(r, about), needTable(r), neighbourhoodTable(r), groupTable(r), schemeTable(r),
		potTable(r), outstandingTable(r)}
}

// Pounds writes an amount as pounds for a spreadsheet's number cell: "1234.50".
func Pounds(p linkwork.Pence) string { return p.Plain() }

// Decile writes an IMD decile: "" when it is not known.
func Decile(d int) string {
	if d <= 0 {
		return ""
	}
	return strconv.Itoa(d)
}

// date writes a date as year-month-day, or "" for none.
func date(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}

// paidOn writes the London day a grant was paid.
func paidOn(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.In(linkwork.London).Format(time.DateOnly)
}

func itoa(n int) string { return strconv.Itoa(n) }

// numeric marks the columns given as numbers, of n columns.
func numeric(n int, cols ...int) []bool {
	out := make([]bool, n)
	for _, c := range cols {
		out[c] = true
	}
	return out
}

func summaryTable(r *linkwork.SpendReport, about About) report.Table {
	c := Count(r)
	rows := [][]string{
		{"Place", about.Place},
		{"Organisations", about.Scope()},
		{"Paid from", r.Filter.From.UTC().Format(time.DateOnly)},
		{"Paid to", r.Filter.To.UTC().Format(time.DateOnly)},
		{"Worked out at", r.GeneratedAt.UTC().Format(time.RFC3339)},
		{"Net spend (£)", Pounds(r.Total)},
		{"Spends", itoa(r.Spends)},
		{"Micro-grants", itoa(c.Grants)},
		{"Personal spends", itoa(c.Personal)},
		{"Grants owing a report", itoa(c.Outstanding)},
		{"Grants whose report is overdue", itoa(c.Overdue)},
	}
	// The values that are numbers are held as numbers in a workbook; the rest stay text.
	return report.Table{Name: TableSummary, Title: titles[TableSummary], Header: []string{"Measure", "Value"}, Rows: rows,
		Numeric: numeric(2, 1)}
}

// lineRows writes breakdown lines after the columns lead gives each, then the grants,
// personal spends and net spend.
func lineRows(lines []*linkwork.SpendLine, lead func(*linkwork.SpendLine) []string) [][]string {
	rows := make([][]string, 0, len(lines))
	for _, l := range lines {
		rows = append(rows, append(lead(l), itoa(l.Grants), itoa(l.Personal), Pounds(l.Amount)))
	}
	return rows
}

var countHeader = []string{"Micro-grants", "Personal spends", "Net spend (£)"}

func needTable(r *linkwork.SpendReport) report.Table {
	header := append([]string{"Need code", "Need"}, countHeader...)
	rows := lineRows(r.ByNeed, func(l *linkwork.SpendLine) []string { return []string{l.Key, label(l)} })
	return report.Table{Name: TableByNeed, Title: titles[TableByNeed], Header: header, Rows: rows, Numeric: numeric(len(header), 2, 3, 4)}
}

func neighbourhoodTable(r *linkwork.SpendReport) report.Table {
	header := append([]string{"Neighbourhood code", "Neighbourhood", "IMD decile"}, countHeader...)
	rows := lineRows(r.ByNeighbourhood, func(l *linkwork.SpendLine) []string {
		return []string{l.Key, label(l), Decile(l.IMDDecile)}
	})
	return report.Table{Name: TableByNeighbourhood, Title: titles[TableByNeighbourhood], Header: header, Rows: rows,
		Numeric: numeric(len(header), 2, 3, 4, 5)}
}

func groupTable(r *linkwork.SpendReport) report.Table {
	header := []string{"Group", "Micro-grants", "Net spend (£)"}
	rows := make([][]string, 0, len(r.ByGroup))
	for _, l := range r.ByGroup {
		rows = append(rows, []string{label(l), itoa(l.Grants), Pounds(l.Amount)})
	}
	return report.Table{Name: TableByGroup, Title: titles[TableByGroup], Header: header, Rows: rows, Numeric: numeric(len(header), 1, 2)}
}

func schemeTable(r *linkwork.SpendReport) report.Table {
	header := append([]string{"Held by"}, countHeader...)
	rows := lineRows(r.ByScheme, func(l *linkwork.SpendLine) []string { return []string{label(l)} })
	return report.Table{Name: TableByScheme, Title: titles[TableByScheme], Header: header, Rows: rows, Numeric: numeric(len(header), 1, 2, 3)}
}

func potTable(r *linkwork.SpendReport) report.Table {
	header := append([]string{"Pot ID", "Pot"}, countHeader...)
	rows := lineRows(r.ByPot, func(l *linkwork.SpendLine) []string { return []string{l.Key, label(l)} })
	return report.Table{Name: TableByPot, Title: titles[TableByPot], Header: header, Rows: rows, Numeric: numeric(len(header), 0, 2, 3, 4)}
}

func outstandingTable(r *linkwork.SpendReport) report.Table {
	header := []string{"Grant ID", "Group", "Activity", "Pot", "Amount (£)", "Paid on", "Report due", "Overdue", "Days overdue"}
	day := Day(r)
	rows := make([][]string, 0, len(r.Outstanding))
	for _, s := range r.Outstanding {
		overdue := "No"
		if s.ReportOverdue(day) {
			overdue = "Yes"
		}
		rows = append(rows, []string{strconv.FormatInt(s.ID, 10), GroupName(s), s.ActivityName, s.PotName, Pounds(s.Amount),
			paidOn(s.PaidAt), date(s.ReportDue), overdue, itoa(DaysOverdue(s, day))})
	}
	return report.Table{Name: TableOutstanding, Title: titles[TableOutstanding], Header: header, Rows: rows,
		Numeric: numeric(len(header), 0, 4, 8)}
}

// GroupName names the group a grant went to: the community group, or for a new activity
// made with the people who will use it, says so.
func GroupName(s *linkwork.Spend) string {
	if s.GroupName != "" {
		return s.GroupName
	}
	if s.GroupOrganisationID == 0 {
		return NewActivity
	}
	return "Group " + strconv.FormatInt(s.GroupOrganisationID, 10)
}

// NewActivity names the grants for new activities, which went to no group.
const NewActivity = "A new activity (no group)"

// label is a line's label, or its key when the store gave none.
func label(l *linkwork.SpendLine) string {
	if l.Label != "" {
		return l.Label
	}
	if l.Key == "" || l.Key == "0" {
		return "Not known"
	}
	return l.Key
}
