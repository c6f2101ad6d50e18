// Package landscape turns a place's landscape (linkwork.Landscape) into what people take
// away from it: a table for each analysis, written as CSV or as an Excel workbook, and
// charts and a neighbourhood map drawn as SVG on the server, so that the report reads
// without JavaScript, prints, and needs no map tiles from elsewhere. Like the landscape, the
// tables name organisations and schemes, never people.
package landscape

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"linkwork"
	"linkwork/report"
)

// The names of the tables, in the order Tables returns them.
const (
	TableSummary     = "summary"
	TableCoverage    = "coverage"
	TableOverlaps    = "overlaps"
	TableGroups      = "groups"
	TableGaps        = "gaps"
	TableSystems     = "systems"
	TableTools       = "tools"
	TableSectors     = "sectors"
	TableFunding     = "funding"
	TableModels      = "models"
	TableDataQuality = "data_quality"
	// TableOpportunities is the funding opportunities, from OpportunitiesTable.
	TableOpportunities = "funding_opportunities"
)

// titles are the tables' titles, by name.
var titles = map[string]string{
	TableSummary: "Summary", TableCoverage: "Coverage", TableOverlaps: "Overlaps", TableGroups: "Collaboration groups",
	TableGaps: "Gaps", TableSystems: "Electronic systems", TableTools: "Assessment tools", TableSectors: "Sectors",
	TableFunding: "Funding sources", TableModels: "Scheme models", TableDataQuality: "Data quality",
	TableOpportunities: "Funding opportunities",
}

// names lists the tables in the order Tables returns them, then the funding opportunities.
var tableNames = []string{TableSummary, TableCoverage, TableOverlaps, TableGroups, TableGaps, TableSystems, TableTools,
	TableSectors, TableFunding, TableModels, TableDataQuality, TableOpportunities}

// Index returns every table's name and title, without rows: those of Tables, then the
// funding opportunities.
func Index() []report.Table {
	out := make([]report.Table, len(tableNames))
	for i, n := range tableNames {
		out[i] = report.Table{Name: n, Title: titles[n]}
	}
	return out
}

// Terms names the terms of the need, client group and building block taxonomies, as the
// landscape's input holds them (linkwork.LandscapeInput.Terms and TermOrder). The zero
// Terms names each term by its code.
type Terms struct {
	Labels map[string]map[string]string // taxonomy code → term code → label
	Order  map[string][]string          // taxonomy code → term codes in the taxonomy's order
}

// TermsOf returns the terms of a landscape's input.
func TermsOf(in *linkwork.LandscapeInput) Terms {
	if in == nil {
		return Terms{}
	}
	return Terms{Labels: in.Terms, Order: in.TermOrder}
}

// Label returns a term's label, or its code when it is not known.
func (t Terms) Label(taxonomy, code string) string {
	if l := t.Labels[taxonomy][code]; l != "" {
		return l
	}
	return code
}

// Codes returns a taxonomy's term codes in order.
func (t Terms) Codes(taxonomy string) []string { return t.Order[taxonomy] }

// Known reports whether a taxonomy has a term.
func (t Terms) Known(taxonomy, code string) bool {
	_, ok := t.Labels[taxonomy][code]
	return ok
}

// join returns the labels of term codes of a taxonomy, joined by "; ".
func (t Terms) join(taxonomy string, codes []string) string {
	out := make([]string, len(codes))
	for i, c := range codes {
		if c == "everyone" && taxonomy == linkwork.TaxonomyClientGroup && !t.Known(taxonomy, c) {
			out[i] = "Everyone"
			continue
		}
		out[i] = t.Label(taxonomy, c)
	}
	return strings.Join(out, "; ")
}

// ProblemLabel names a kind of data problem in plain English.
func ProblemLabel(k linkwork.DataProblemKind) string {
	switch k {
	case linkwork.ProblemNoCoordinates:
		return "Venue without a map position"
	case linkwork.ProblemNoArea:
		return "Community offer with neither a venue nor an area"
	case linkwork.ProblemUnknownArea:
		return "Area that cannot be placed"
	case linkwork.ProblemNoNeighbourhood:
		return "No neighbourhoods"
	}
	return string(k)
}

// ReasonLabel says in plain English why a neighbourhood and need is a gap.
func ReasonLabel(r linkwork.GapReason) string {
	switch r {
	case linkwork.GapNoOffer:
		return "No community offer near"
	case linkwork.GapAtCapacity:
		return "Connector schemes full"
	}
	return string(r)
}

// Decile writes an IMD decile: "" when it is not known.
func Decile(d int) string {
	if d <= 0 {
		return ""
	}
	return strconv.Itoa(d)
}

// ServiceName names a service of the landscape by its ID.
func ServiceName(l *linkwork.Landscape, id int64) string {
	if s := l.Service(id); s != nil {
		return s.Name
	}
	return fmt.Sprintf("Service %d", id)
}

// names names services, joined by "; ".
func names(l *linkwork.Landscape, ids []int64) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = ServiceName(l, id)
	}
	return strings.Join(out, "; ")
}

// employers names the organisations of services, each once, joined by "; ".
func employers(l *linkwork.Landscape, ids []int64) string {
	var out []string
	seen := map[string]bool{}
	for _, id := range ids {
		if s := l.Service(id); s != nil && !seen[s.OrganisationName] {
			seen[s.OrganisationName] = true
			out = append(out, s.OrganisationName)
		}
	}
	return strings.Join(out, "; ")
}

func itoa(n int) string { return strconv.Itoa(n) }

// Percent writes a share from 0 to 1 as a whole percentage.
func Percent(f float64) string { return strconv.Itoa(int(f*100+0.5)) + "%" }

// score writes an overlap's score to its three places.
func score(f float64) string { return strconv.FormatFloat(f, 'f', 3, 64) }

// numeric marks the columns given as numbers, of n columns.
func numeric(n int, cols ...int) []bool {
	out := make([]bool, n)
	for _, c := range cols {
		out[c] = true
	}
	return out
}

// Tables returns a table for each analysis of l, in this order: a summary, coverage by
// neighbourhood (with schemes and offers for each need), overlaps, collaboration groups,
// gaps, electronic systems, assessment tools, sectors, funding sources, scheme models and
// data quality. Terms name the needs and client groups.
func Tables(l *linkwork.Landscape, terms Terms) []report.Table {
	return []report.Table{summaryTable(l), coverageTable(l, terms), overlapsTable(l, terms), groupsTable(l, terms),
		gapsTable(l), systemsTable(l, TableSystems), systemsTable(l, TableTools), sectorsTable(l),
		namedTable(l, TableFunding), namedTable(l, TableModels), dataQualityTable(l)}
}

// Find returns the table of tables with the name.
func Find(tables []report.Table, name string) (report.Table, bool) {
	for _, t := range tables {
		if t.Name == name {
			return t, true
		}
	}
	return report.Table{}, false
}

// Summary is the landscape in a few numbers, for the top of the report.
type Summary struct {
	Neighbourhoods, Deprived     int // Deprived: in IMD deciles 1 and 2
	Schemes, Offers              int // active ones that cover at least one neighbourhood
	Overlaps, Groups             int
	Gaps, DeprivedGaps           int // DeprivedGaps: gaps in IMD deciles 1 and 2
	NeedsWithGaps                int
	Systems, Tools               int
	SchemesWithoutSystem         int
	Organisations, SchemesListed int // every organisation; every scheme of any status
	StaffFTE                     float64
	Problems                     int
}

// Summarise counts the landscape.
func Summarise(l *linkwork.Landscape) Summary {
	var s Summary
	schemes, offers := map[int64]bool{}, map[int64]bool{}
	for _, r := range l.Coverage {
		s.Neighbourhoods++
		if d := r.Neighbourhood.IMDDecile; d == 1 || d == 2 {
			s.Deprived++
		}
		for _, id := range r.SchemeIDs {
			schemes[id] = true
		}
		for _, id := range r.OfferIDs {
			offers[id] = true
		}
	}
	s.Schemes, s.Offers = len(schemes), len(offers)
	s.Overlaps, s.Groups, s.Gaps, s.Problems = len(l.Overlaps), len(l.Groups), len(l.Gaps), len(l.DataQuality)
	needs := map[string]bool{}
	for _, g := range l.Gaps {
		needs[g.Need] = true
		if d := g.Neighbourhood.IMDDecile; d == 1 || d == 2 {
			s.DeprivedGaps++
		}
	}
	s.NeedsWithGaps = len(needs)
	if f := l.Fragmentation; f != nil {
		s.Systems, s.Tools, s.SchemesWithoutSystem = len(f.Systems), len(f.Tools), len(f.SchemesWithoutSystem)
	}
	if sec := l.Sectors; sec != nil {
		for _, c := range sec.BySector {
			s.Organisations += c.Organisations
			s.SchemesListed += c.Schemes
		}
		s.StaffFTE = sec.StaffFTE
	}
	return s
}

// FormatFTE writes a number of full-time equivalent staff to one decimal place at most.
func FormatFTE(f float64) string { return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64) }

// FormatKm writes a distance in kilometres without needless places.
func FormatKm(km float64) string { return strconv.FormatFloat(km, 'f', -1, 64) }

func summaryTable(l *linkwork.Landscape) report.Table {
	s := Summarise(l)
	place := ""
	if l.Place != nil {
		place = l.Place.Name
	}
	distance := l.Options.DistanceKm
	if distance == 0 {
		distance = linkwork.DefaultLandscapeDistanceKm
	}
	rows := [][]string{
		{"Place", place},
		{"Worked out at", l.GeneratedAt.UTC().Format(time.RFC3339)},
		{"Distance from a neighbourhood's centre to a community offer (km)", FormatKm(distance)},
		{"Neighbourhoods (LSOAs)", itoa(s.Neighbourhoods)},
		{"Neighbourhoods among the 20% most deprived in England (IMD deciles 1 and 2)", itoa(s.Deprived)},
		{"Organisations", itoa(s.Organisations)},
		{"Connector schemes (any status)", itoa(s.SchemesListed)},
		{"Active connector schemes covering a neighbourhood", itoa(s.Schemes)},
		{"Active community offers near a neighbourhood", itoa(s.Offers)},
		{"Staff of connector schemes (full-time equivalent)", FormatFTE(s.StaffFTE)},
		{"Pairs of schemes that could collaborate", itoa(s.Overlaps)},
		{"Collaboration groups", itoa(s.Groups)},
		{"Gaps (neighbourhood and need)", itoa(s.Gaps)},
		{"Gaps in the 20% most deprived neighbourhoods", itoa(s.DeprivedGaps)},
		{"Electronic systems in use", itoa(s.Systems)},
		{"Assessment tools in use", itoa(s.Tools)},
		{"Schemes naming no electronic system", itoa(s.SchemesWithoutSystem)},
		{"Data quality problems", itoa(s.Problems)},
	}
	return report.Table{Name: TableSummary, Title: titles[TableSummary], Header: []string{"Measure", "Value"}, Rows: rows}
}

// needCodes returns the needs the coverage table breaks down by: the taxonomy's order, or,
// without one, the needs the coverage names, sorted.
func needCodes(l *linkwork.Landscape, terms Terms) []string {
	if codes := terms.Codes(linkwork.TaxonomyNeed); len(codes) > 0 {
		return codes
	}
	seen := map[string]bool{}
	var out []string
	for _, r := range l.Coverage {
		for k := range r.ByTerm {
			if tax, code, ok := strings.Cut(k, "/"); ok && tax == linkwork.TaxonomyNeed && !seen[code] {
				seen[code] = true
				out = append(out, code)
			}
		}
	}
	slices.Sort(out)
	return out
}

func coverageTable(l *linkwork.Landscape, terms Terms) report.Table {
	needs := needCodes(l, terms)
	header := []string{"Neighbourhood code", "Neighbourhood", "Local authority", "IMD decile", "Population",
		"Connector schemes", "Community offers", "Schemes that may cover it (areas that cannot be placed)"}
	fixed := len(header)
	for _, n := range needs {
		label := terms.Label(linkwork.TaxonomyNeed, n)
		header = append(header, label+": connector schemes", label+": community offers")
	}
	num := numeric(len(header), 3, 4, 5, 6, 7)
	for i := fixed; i < len(header); i++ {
		num[i] = true
	}
	rows := make([][]string, 0, len(l.Coverage))
	for _, r := range l.Coverage {
		n := r.Neighbourhood
		pop := ""
		if n.Population > 0 {
			pop = itoa(n.Population)
		}
		row := make([]string, 0, len(header))
		row = append(row, n.Code, n.Name, n.LocalAuthorityName, Decile(n.IMDDecile), pop,
			itoa(len(r.SchemeIDs)), itoa(len(r.OfferIDs)), itoa(len(r.MaybeSchemeIDs)))
		for _, need := range needs {
			schemes, offers := 0, 0
			if tc := r.ByTerm[linkwork.TaxonomyNeed+"/"+need]; tc != nil {
				schemes, offers = len(tc.SchemeIDs), len(tc.OfferIDs)
			}
			row = append(row, itoa(schemes), itoa(offers))
		}
		rows = append(rows, row)
	}
	return report.Table{Name: TableCoverage, Title: titles[TableCoverage], Header: header, Rows: rows, Numeric: num}
}

func overlapsTable(l *linkwork.Landscape, terms Terms) report.Table {
	header := []string{"Scheme A ID", "Scheme A", "Scheme A's organisation", "Scheme A's email", "Scheme A's phone",
		"Scheme B ID", "Scheme B", "Scheme B's organisation", "Scheme B's email", "Scheme B's phone",
		"Neighbourhoods both cover", "Share of the smaller scheme's neighbourhoods", "Needs both list", "Client groups both serve", "Score"}
	rows := make([][]string, 0, len(l.Overlaps))
	for _, o := range l.Overlaps {
		a, b := o.A, o.B
		if a == nil {
			a = &linkwork.LandscapeService{ID: o.SchemeIDs[0], Name: ServiceName(l, o.SchemeIDs[0])}
		}
		if b == nil {
			b = &linkwork.LandscapeService{ID: o.SchemeIDs[1], Name: ServiceName(l, o.SchemeIDs[1])}
		}
		rows = append(rows, []string{
			strconv.FormatInt(a.ID, 10), a.Name, a.OrganisationName, a.Email, a.Phone,
			strconv.FormatInt(b.ID, 10), b.Name, b.OrganisationName, b.Email, b.Phone,
			itoa(len(o.Neighbourhoods)), Percent(o.Share), terms.join(linkwork.TaxonomyNeed, o.Needs),
			terms.join(linkwork.TaxonomyClientGroup, o.ClientGroups), score(o.Score)})
	}
	return report.Table{Name: TableOverlaps, Title: titles[TableOverlaps], Header: header, Rows: rows, Numeric: numeric(len(header), 0, 5, 10, 14)}
}

func groupsTable(l *linkwork.Landscape, terms Terms) report.Table {
	header := []string{"Group", "Number of schemes", "Schemes", "Organisations", "Neighbourhoods every scheme covers",
		"Needs every scheme lists"}
	rows := make([][]string, 0, len(l.Groups))
	for i, g := range l.Groups {
		rows = append(rows, []string{itoa(i + 1), itoa(len(g.SchemeIDs)), names(l, g.SchemeIDs), employers(l, g.SchemeIDs),
			itoa(len(g.Neighbourhoods)), terms.join(linkwork.TaxonomyNeed, g.Needs)})
	}
	return report.Table{Name: TableGroups, Title: titles[TableGroups], Header: header, Rows: rows, Numeric: numeric(len(header), 0, 1, 4)}
}

func gapsTable(l *linkwork.Landscape) report.Table {
	header := []string{"Neighbourhood code", "Neighbourhood", "IMD decile", "Need", "Why it is a gap",
		"Referrals in the last 12 months", "Open group requests", "Full connector schemes"}
	rows := make([][]string, 0, len(l.Gaps))
	for _, g := range l.Gaps {
		label := g.NeedLabel
		if label == "" {
			label = g.Need
		}
		rows = append(rows, []string{g.Neighbourhood.Code, g.Neighbourhood.Name, Decile(g.Neighbourhood.IMDDecile), label,
			ReasonLabel(g.Reason), itoa(g.Demand), itoa(g.GroupRequests), names(l, g.FullSchemeIDs)})
	}
	return report.Table{Name: TableGaps, Title: titles[TableGaps], Header: header, Rows: rows, Numeric: numeric(len(header), 2, 5, 6)}
}

func systemsTable(l *linkwork.Landscape, name string) report.Table {
	what, title := "Electronic system", titles[name]
	if name == TableTools {
		what = "Assessment tool"
	}
	header := []string{what, "Number of schemes", "Schemes", "Organisations"}
	var rows [][]string
	if f := l.Fragmentation; f != nil {
		uses := f.Systems
		if name == TableTools {
			uses = f.Tools
		}
		for _, u := range uses {
			rows = append(rows, []string{u.Name, itoa(len(u.SchemeIDs)), names(l, u.SchemeIDs), employers(l, u.SchemeIDs)})
		}
		if name == TableSystems && len(f.SchemesWithoutSystem) > 0 {
			rows = append(rows, []string{"None named", itoa(len(f.SchemesWithoutSystem)), names(l, f.SchemesWithoutSystem),
				employers(l, f.SchemesWithoutSystem)})
		}
	}
	return report.Table{Name: name, Title: title, Header: header, Rows: rows, Numeric: numeric(len(header), 1)}
}

func sectorsTable(l *linkwork.Landscape) report.Table {
	header := []string{"Sector", "Organisations", "Connector schemes", "Community offers"}
	var rows [][]string
	if s := l.Sectors; s != nil {
		for _, c := range s.BySector {
			rows = append(rows, []string{c.Sector.Label(), itoa(c.Organisations), itoa(c.Schemes), itoa(c.Offers)})
		}
	}
	return report.Table{Name: TableSectors, Title: titles[TableSectors], Header: header, Rows: rows, Numeric: numeric(len(header), 1, 2, 3)}
}

func namedTable(l *linkwork.Landscape, name string) report.Table {
	what, title := "Funding source", titles[name]
	if name == TableModels {
		what = "Model"
	}
	header := []string{what, "Number of schemes", "Schemes", "Organisations"}
	var rows [][]string
	if s := l.Sectors; s != nil {
		counts := s.ByFunding
		if name == TableModels {
			counts = s.ByModel
		}
		for _, c := range counts {
			rows = append(rows, []string{c.Name, itoa(len(c.SchemeIDs)), names(l, c.SchemeIDs), employers(l, c.SchemeIDs)})
		}
	}
	return report.Table{Name: name, Title: title, Header: header, Rows: rows, Numeric: numeric(len(header), 1)}
}

// EditPath is where a service's entry is corrected.
func EditPath(id int64) string { return "/services/" + strconv.FormatInt(id, 10) + "/edit" }

func dataQualityTable(l *linkwork.Landscape) report.Table {
	header := []string{"Problem", "Service ID", "Service", "Detail", "Where to correct it"}
	rows := make([][]string, 0, len(l.DataQuality))
	for _, p := range l.DataQuality {
		id, fix := "", ""
		if p.ServiceID > 0 {
			id, fix = strconv.FormatInt(p.ServiceID, 10), EditPath(p.ServiceID)
		}
		rows = append(rows, []string{ProblemLabel(p.Kind), id, p.ServiceName, p.Detail, fix})
	}
	return report.Table{Name: TableDataQuality, Title: titles[TableDataQuality], Header: header, Rows: rows, Numeric: numeric(len(header), 1)}
}

// OpportunitiesTable is a place's funding opportunities: the gaps it has chosen to fund.
func OpportunitiesTable(fs []*linkwork.FundingOpportunity) report.Table {
	header := []string{"Neighbourhood code", "Neighbourhood", "IMD decile", "Need", "Note", "Status", "Added"}
	rows := make([][]string, 0, len(fs))
	for _, f := range fs {
		need := f.NeedLabel
		if need == "" {
			need = f.Need
		}
		rows = append(rows, []string{f.NeighbourhoodCode, f.NeighbourhoodName, Decile(f.IMDDecile), need, f.Note, f.Status,
			f.CreatedAt.UTC().Format("2006-01-02")})
	}
	return report.Table{Name: TableOpportunities, Title: titles[TableOpportunities], Header: header, Rows: rows, Numeric: numeric(len(header), 2)}
}
