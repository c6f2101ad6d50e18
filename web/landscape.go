package web

import (
	"bytes"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"linkwork"
	"linkwork/landscape"
	"linkwork/report"
)

// The landscape is the whole place's system on one page, for those who plan and run it
// (commissioners, managers and administrators): what covers each neighbourhood, the schemes
// that could collaborate, the gaps against deprivation and demand, the systems and tools in
// use, the sectors, and what in the directory needs correcting. Every table can be taken
// away as CSV or in one workbook; the charts and the map are SVG drawn here, so the page
// reads without JavaScript and prints for a board. It names organisations and schemes,
// never people.
func (h *Handler) registerLandscape(g registrar) {
	view := linkwork.PermViewLandscape
	g.Handle("GET", "/landscape", view, h.landscapeReport)
	g.Handle("GET", "/landscape/cell", view, h.landscapeCell)
	g.Handle("GET", "/landscape/export.xlsx", view, h.landscapeWorkbook)
	// The file is {table}.csv; a pattern's wildcard is a whole segment.
	g.Handle("GET", "/landscape/export/{file}", view, h.landscapeCSV)
	g.Handle("POST", "/landscape/funding", linkwork.PermManageFunding, h.landscapeFunding)
}

// How much of a long list the page shows; the exports have every row.
const (
	shownOverlaps = 50
	shownGaps     = 100
	shownProblems = 200
	shownNames    = 12 // neighbourhoods named under an overlap
	shownSchemes  = 25 // schemes named under a system, tool, funding source, model or group
)

// What the map can show, and what the coverage matrix can break down by.
var (
	landscapeMeasures = []dirChoice{{Value: "schemes", Label: "Connector schemes covering each neighbourhood"},
		{Value: "offers", Label: "Community offers near each neighbourhood"}, {Value: "gaps", Label: "Gaps (needs with no offer near, or only full schemes)"}}
	landscapeBys = []dirChoice{{Value: linkwork.TaxonomyNeed, Label: "Need"}, {Value: linkwork.TaxonomyClientGroup, Label: "Client group"},
		{Value: linkwork.TaxonomyBuildingBlock, Label: "Building block"}}
)

// landscapeOptions are a reader's choices, from the query.
type landscapeOptions struct {
	distance float64 // 0: the default
	measure  string
	by       string
}

// distanceMessage says what distance is allowed.
var distanceMessage = fmt.Sprintf("Enter the distance from a neighbourhood's centre in kilometres: more than 0 and at most %g, such as %g (two miles).",
	linkwork.MaxLandscapeDistanceKm, linkwork.DefaultLandscapeDistanceKm)

// readLandscapeOptions reads the choices from vs into f's values, and records a message
// against each that is wrong.
func readLandscapeOptions(vs url.Values, f *Form) landscapeOptions {
	o := landscapeOptions{measure: "schemes", by: linkwork.TaxonomyNeed}
	d := strings.TrimSpace(vs.Get("distance_km"))
	f.Values["distance_km"] = d
	if d != "" {
		km, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(strings.TrimSuffix(d, "km")), " "), 64)
		if err != nil || math.IsNaN(km) || km <= 0 || km > linkwork.MaxLandscapeDistanceKm {
			f.Fail("distance_km", distanceMessage)
		} else {
			o.distance = km
		}
	}
	if m := vs.Get("measure"); m != "" {
		if !slices.ContainsFunc(landscapeMeasures, func(c dirChoice) bool { return c.Value == m }) {
			f.Fail("measure", "Choose what the map shows: connector schemes, community offers or gaps.")
		} else {
			o.measure = m
		}
	}
	if b := vs.Get("by"); b != "" {
		if !slices.ContainsFunc(landscapeBys, func(c dirChoice) bool { return c.Value == b }) {
			f.Fail("by", "Choose what the coverage is broken down by: need, client group or building block.")
		} else {
			o.by = b
		}
	}
	f.Values["measure"], f.Values["by"] = o.measure, o.by
	return o
}

// query returns the choices that differ from the defaults, as a query (without "?").
func (o landscapeOptions) query() url.Values {
	q := url.Values{}
	if o.distance != 0 {
		q.Set("distance_km", landscape.FormatKm(o.distance))
	}
	if o.measure != "" && o.measure != "schemes" {
		q.Set("measure", o.measure)
	}
	if o.by != "" && o.by != linkwork.TaxonomyNeed {
		q.Set("by", o.by)
	}
	return q
}

// withQuery adds q to path.
func withQuery(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// analyse reads the place's directory and works out its landscape.
func (h *Handler) analyse(r *http.Request, o landscapeOptions) (*linkwork.LandscapeInput, *linkwork.Landscape, error) {
	in, err := h.svc.Landscape.LandscapeInput(r.Context(), principal(r).Place.ID)
	if err != nil {
		return nil, nil, err
	}
	l, err := linkwork.AnalyseLandscape(in, linkwork.LandscapeOptions{DistanceKm: o.distance}, time.Now())
	if err != nil {
		return nil, nil, err
	}
	return in, l, nil
}

// LandscapeView is the view of the landscape report.
type LandscapeView struct {
	Layout
	// Form holds the choices (distance_km, measure, by) and any problem with a funding
	// opportunity (against the gap's note field, or "gaps").
	Form     *Form
	Measures []dirChoice
	Bys      []dirChoice
	// Report is nil when a choice is wrong: the page shows the choices and the problem.
	Report *LandscapeReport
}

// LandscapeReport is the report itself.
type LandscapeReport struct {
	L          *linkwork.Landscape
	Summary    landscape.Summary
	DistanceKm string
	StaffFTE   string // the schemes' staff, full-time equivalent
	ReadAt     time.Time
	// Hidden are the choices as hidden fields of the funding forms, to come back to them.
	Hidden  url.Values
	CanFund bool

	GapChart, SectorChart, SystemChart template.HTML
	Map                                template.HTML
	MeasureLabel                       string

	Matrix *CoverageMatrix

	Overlaps     []*OverlapView
	MoreOverlaps int
	Groups       []*GroupView

	Gaps                []*GapView
	MoreGaps            int
	Opportunities       []*linkwork.FundingOpportunity
	AllGapsHref         string
	OpportunitiesByCell map[string]bool

	// Asked is what groups have asked the place for, by neighbourhood, most deprived first;
	// MoreAsked the open requests beyond those shown.
	Asked     []*AskedView
	MoreAsked int

	Systems, Tools []*ToolView
	WithoutSystem  SchemeList
	SharedSystems  int // systems used by more than one scheme

	Sectors  []*linkwork.SectorCount
	Funding  []*ToolView
	Models   []*ToolView
	Problems []*DataProblemView
	More     int
	Exports  []ExportLink
	XLSXHref string
	// OverlapsHref and ProblemsHref download every overlap and every data problem.
	OverlapsHref, ProblemsHref string
	// ByLinks and MeasureLinks change what the matrix breaks down by and the map shows.
	ByLinks, MeasureLinks []ChoiceLink
}

// CoverageMatrix is coverage by neighbourhood and term.
type CoverageMatrix struct {
	By      string // the taxonomy
	ByLabel string
	Columns []MatrixColumn
	Rows    []*MatrixRow
}

// MatrixColumn is one term of the matrix.
type MatrixColumn struct{ Key, Label string }

// MatrixRow is one neighbourhood of the matrix.
type MatrixRow struct {
	N                      *linkwork.Neighbourhood
	Schemes, Offers, Maybe int
	Href                   string
	Cells                  []MatrixCell
}

// MatrixCell is the schemes and offers with one term covering one neighbourhood.
type MatrixCell struct {
	Schemes, Offers int
	Href            string
}

// OverlapView is two schemes that could collaborate.
type OverlapView struct {
	A, B         *linkwork.LandscapeService
	Share        string
	Shared       int
	Names        []string // the first shared neighbourhoods' names
	MoreNames    int
	Needs        string
	ClientGroups string
	Score        string
}

// GroupView is a collaboration group.
type GroupView struct {
	Schemes        SchemeList
	Neighbourhoods int
	Needs          string
}

// GapView is a gap, with its funding form.
type GapView struct {
	Gap         *linkwork.Gap
	NeedLabel   string
	Reason      string
	FullSchemes []*linkwork.LandscapeService
	Href        string
	// Field is the id and error key of the gap's note; Funded is set when an open funding
	// opportunity for it already exists.
	Field  string
	Funded bool
}

// AskedView is the open requests groups have made in one neighbourhood.
type AskedView struct {
	Code, Name string // empty when the neighbourhood is not known
	IMDDecile  int
	Requests   []*AskedRequest
}

// AskedRequest is one open request, as the report lists it.
type AskedRequest struct {
	R         *linkwork.GroupRequest
	NeedLabel string
}

// shownRequests is how many open requests the report lists; the rest are on the place's
// list of requests.
const shownRequests = 100

// askedByNeighbourhood groups a place's open requests (newest first) by neighbourhood, the
// most deprived first (unknown deprivation, then no neighbourhood at all, last).
func askedByNeighbourhood(requests []*linkwork.GroupRequest, terms landscape.Terms) ([]*AskedView, int) {
	more := max(0, len(requests)-shownRequests)
	requests = requests[:min(len(requests), shownRequests)]
	var out []*AskedView
	byCode := map[string]*AskedView{}
	for _, g := range requests {
		v := byCode[g.NeighbourhoodCode]
		if v == nil {
			v = &AskedView{Code: g.NeighbourhoodCode, Name: g.NeighbourhoodName, IMDDecile: g.IMDDecile}
			byCode[g.NeighbourhoodCode] = v
			out = append(out, v)
		}
		ar := &AskedRequest{R: g}
		if g.Need != "" {
			ar.NeedLabel = terms.Label(linkwork.TaxonomyNeed, g.Need)
		}
		v.Requests = append(v.Requests, ar)
	}
	rank := func(v *AskedView) int {
		switch {
		case v.Code == "":
			return 12
		case v.IMDDecile < 1 || v.IMDDecile > 10:
			return 11
		}
		return v.IMDDecile
	}
	slices.SortStableFunc(out, func(a, b *AskedView) int {
		if c := rank(a) - rank(b); c != 0 {
			return c
		}
		return strings.Compare(a.Code, b.Code)
	})
	return out, more
}

// ToolView is a system, tool, funding source or model and the schemes under it.
type ToolView struct {
	Name    string
	Schemes SchemeList
}

// SchemeList is the first of a list of schemes, and how many there are: a region's long
// lists are whole in the exports.
type SchemeList struct {
	Shown       []*linkwork.LandscapeService
	Total, More int
}

func schemeList(l *linkwork.Landscape, ids []int64) SchemeList {
	out := SchemeList{Total: len(ids)}
	if len(ids) > shownSchemes {
		ids, out.More = ids[:shownSchemes], len(ids)-shownSchemes
	}
	out.Shown = services(l, ids)
	return out
}

// DataProblemView is one data problem, with where to correct it.
type DataProblemView struct {
	Kind    string
	P       *linkwork.DataProblem
	FixHref string
}

// ChoiceLink is a link to the report with another choice.
type ChoiceLink struct {
	Label, Href string
	Current     bool
}

// ExportLink is one table to download as CSV.
type ExportLink struct{ Title, Href string }

// landscapeTitle is the report's title.
const landscapeTitle = "Landscape: who does what, where and for whom"

func newLandscapeView(r *http.Request) (*LandscapeView, landscapeOptions) {
	v := &LandscapeView{Layout: Layout{Title: landscapeTitle}, Form: NewForm(), Measures: landscapeMeasures, Bys: landscapeBys}
	o := readLandscapeOptions(r.URL.Query(), v.Form)
	return v, o
}

func (h *Handler) landscapeReport(w http.ResponseWriter, r *http.Request) {
	v, o := newLandscapeView(r)
	if v.Form.HasErrors() {
		h.render(w, r, http.StatusUnprocessableEntity, "landscape", v)
		return
	}
	h.showLandscape(w, r, v, o, http.StatusOK)
}

// showLandscape works out the landscape and renders the report with status.
func (h *Handler) showLandscape(w http.ResponseWriter, r *http.Request, v *LandscapeView, o landscapeOptions, status int) {
	in, l, err := h.analyse(r, o)
	if err != nil {
		if v.Form.FailWith(err, "distance_km") {
			h.render(w, r, http.StatusUnprocessableEntity, "landscape", v)
			return
		}
		h.failed(w, r, err)
		return
	}
	opps, err := h.svc.Landscape.ListFundingOpportunities(r.Context(), principal(r).Place.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	v.Report = buildReport(in, l, opps, o, principal(r).Can(linkwork.PermManageFunding))
	h.render(w, r, status, "landscape", v)
}

// cellKey names a neighbourhood and need together.
func cellKey(lsoa, need string) string { return lsoa + "|" + need }

// noteField is the id of a gap's note field.
func noteField(lsoa, need string) string {
	var b strings.Builder
	b.WriteString("note-")
	for _, r := range lsoa + "-" + need {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// cellHref is the drill-down behind a neighbourhood (and term, if not "").
func cellHref(o landscapeOptions, lsoa, term string) string {
	q := o.query()
	q.Del("measure")
	q.Del("by")
	q.Set("lsoa", lsoa)
	if term != "" {
		q.Set("term", term)
	}
	return "/landscape/cell?" + q.Encode()
}

func services(l *linkwork.Landscape, ids []int64) []*linkwork.LandscapeService {
	out := make([]*linkwork.LandscapeService, 0, len(ids))
	for _, id := range ids {
		if s := l.Service(id); s != nil {
			out = append(out, s)
		} else {
			out = append(out, &linkwork.LandscapeService{ID: id, Name: landscape.ServiceName(l, id)})
		}
	}
	return out
}

func joinLabels(terms landscape.Terms, taxonomy string, codes []string) string {
	out := make([]string, len(codes))
	for i, c := range codes {
		if taxonomy == linkwork.TaxonomyClientGroup && c == "everyone" && !terms.Known(taxonomy, c) {
			out[i] = "Everyone"
			continue
		}
		out[i] = terms.Label(taxonomy, c)
	}
	return strings.Join(out, ", ")
}

// buildReport lays the landscape out for the page.
func buildReport(in *linkwork.LandscapeInput, l *linkwork.Landscape, opps []*linkwork.FundingOpportunity, o landscapeOptions, canFund bool) *LandscapeReport {
	terms := landscape.TermsOf(in)
	rep := &LandscapeReport{L: l, Summary: landscape.Summarise(l), DistanceKm: landscape.FormatKm(l.Options.DistanceKm),
		ReadAt: in.ReadAt, CanFund: canFund, Opportunities: opps, OpportunitiesByCell: map[string]bool{}}
	rep.Hidden = o.query()
	rep.StaffFTE = landscape.FormatFTE(rep.Summary.StaffFTE)
	q := o.query()
	q.Del("measure")
	q.Del("by")
	rep.XLSXHref = withQuery("/landscape/export.xlsx", q)
	for _, t := range landscape.Index() {
		rep.Exports = append(rep.Exports, ExportLink{Title: t.Title, Href: withQuery("/landscape/export/"+t.Name+".csv", q)})
	}
	rep.AllGapsHref = withQuery("/landscape/export/"+landscape.TableGaps+".csv", q)
	rep.OverlapsHref = withQuery("/landscape/export/"+landscape.TableOverlaps+".csv", q)
	rep.ProblemsHref = withQuery("/landscape/export/"+landscape.TableDataQuality+".csv", q)
	for _, b := range landscapeBys {
		other := o
		other.by = b.Value
		rep.ByLinks = append(rep.ByLinks, ChoiceLink{Label: b.Label, Href: withQuery("/landscape", other.query()) + "#coverage", Current: b.Value == o.by})
	}
	for _, m := range landscapeMeasures {
		other := o
		other.measure = m.Value
		rep.MeasureLinks = append(rep.MeasureLinks, ChoiceLink{Label: m.Label, Href: withQuery("/landscape", other.query()) + "#map", Current: m.Value == o.measure})
	}
	for _, f := range opps {
		if f.Status == "open" {
			rep.OpportunitiesByCell[cellKey(f.NeighbourhoodCode, f.Need)] = true
		}
	}

	// The coverage matrix.
	m := &CoverageMatrix{By: o.by}
	for _, b := range landscapeBys {
		if b.Value == o.by {
			m.ByLabel = strings.ToLower(b.Label)
		}
	}
	for _, code := range terms.Codes(o.by) {
		m.Columns = append(m.Columns, MatrixColumn{Key: o.by + "/" + code, Label: terms.Label(o.by, code)})
	}
	gapsOf := map[string]int{}
	for _, g := range l.Gaps {
		gapsOf[g.Neighbourhood.Code]++
	}
	areas := make([]report.Area, 0, len(l.Coverage))
	for _, c := range l.Coverage {
		n := c.Neighbourhood
		row := &MatrixRow{N: n, Schemes: len(c.SchemeIDs), Offers: len(c.OfferIDs), Maybe: len(c.MaybeSchemeIDs),
			Href: cellHref(o, n.Code, ""), Cells: make([]MatrixCell, len(m.Columns))}
		for i, col := range m.Columns {
			cell := MatrixCell{Href: cellHref(o, n.Code, col.Key)}
			if tc := c.ByTerm[col.Key]; tc != nil {
				cell.Schemes, cell.Offers = len(tc.SchemeIDs), len(tc.OfferIDs)
			}
			row.Cells[i] = cell
		}
		m.Rows = append(m.Rows, row)
		a := report.Area{Code: n.Code, Name: n.Name, Lat: n.Lat, Lng: n.Lng, IMDDecile: n.IMDDecile}
		switch o.measure {
		case "offers":
			a.Value = len(c.OfferIDs)
		case "gaps":
			a.Value = gapsOf[n.Code]
		default:
			a.Value = len(c.SchemeIDs)
		}
		areas = append(areas, a)
	}
	rep.Matrix = m

	// The map and the charts.
	measure := map[string]string{"schemes": "connector schemes covering it", "offers": "community offers near it", "gaps": "needs with a gap"}[o.measure]
	rep.MeasureLabel = map[string]string{"schemes": "connector schemes", "offers": "community offers", "gaps": "gaps"}[o.measure]
	rep.Map = report.NeighbourhoodMap(report.Map{ID: "map", Title: "Map of the neighbourhoods by " + rep.MeasureLabel,
		Desc: "The coverage table below gives the same figures for each neighbourhood.", Measure: measure, Areas: areas})
	byDecile := make([]int, 11)
	for _, g := range l.Gaps {
		d := g.Neighbourhood.IMDDecile
		if d < 0 || d > 10 {
			d = 0
		}
		byDecile[d]++
	}
	var bars []report.Bar
	for d := 1; d <= 10; d++ {
		label := "Decile " + strconv.Itoa(d)
		if d == 1 {
			label += " (most deprived)"
		} else if d == 10 {
			label += " (least deprived)"
		}
		bars = append(bars, report.Bar{Label: label, Value: float64(byDecile[d])})
	}
	if byDecile[0] > 0 {
		bars = append(bars, report.Bar{Label: "Decile not known", Value: float64(byDecile[0])})
	}
	rep.GapChart = report.BarChart(report.Chart{ID: "chart-gaps", Title: "Gaps by deprivation of the neighbourhood",
		Desc: "The number of gaps (a neighbourhood and a need) in neighbourhoods of each decile of the Index of Multiple Deprivation.", Bars: bars})
	bars = nil
	if l.Sectors != nil {
		for _, s := range l.Sectors.BySector {
			if s.Organisations+s.Schemes+s.Offers == 0 {
				continue
			}
			bars = append(bars, report.Bar{Label: s.Sector.Label(), Value: float64(s.Organisations)})
		}
	}
	rep.SectorChart = report.BarChart(report.Chart{ID: "chart-sectors", Title: "Organisations by sector",
		Desc: "The number of organisations in each sector.", Bars: bars})
	bars = nil
	if f := l.Fragmentation; f != nil {
		for _, s := range f.Systems {
			bars = append(bars, report.Bar{Label: s.Name, Value: float64(len(s.SchemeIDs))})
		}
		if len(f.SchemesWithoutSystem) > 0 {
			bars = append(bars, report.Bar{Label: "None named", Value: float64(len(f.SchemesWithoutSystem))})
		}
	}
	rep.SystemChart = report.BarChart(report.Chart{ID: "chart-systems", Title: "Connector schemes by electronic system",
		Desc: "The number of connector schemes using each electronic record system.", Bars: bars})

	// Overlaps and groups.
	names := map[string]string{}
	for _, c := range l.Coverage {
		names[c.Neighbourhood.Code] = c.Neighbourhood.Name
	}
	for i, ov := range l.Overlaps {
		if i == shownOverlaps {
			rep.MoreOverlaps = len(l.Overlaps) - shownOverlaps
			break
		}
		a, b := ov.A, ov.B
		if a == nil || b == nil {
			pair := services(l, ov.SchemeIDs[:])
			a, b = pair[0], pair[1]
		}
		view := &OverlapView{A: a, B: b, Share: landscape.Percent(ov.Share), Shared: len(ov.Neighbourhoods),
			Needs: joinLabels(terms, linkwork.TaxonomyNeed, ov.Needs), ClientGroups: joinLabels(terms, linkwork.TaxonomyClientGroup, ov.ClientGroups),
			Score: strconv.FormatFloat(ov.Score, 'f', 2, 64)}
		for j, code := range ov.Neighbourhoods {
			if j == shownNames {
				view.MoreNames = len(ov.Neighbourhoods) - shownNames
				break
			}
			name := names[code]
			if name == "" {
				name = code
			}
			view.Names = append(view.Names, name)
		}
		rep.Overlaps = append(rep.Overlaps, view)
	}
	for _, g := range l.Groups {
		rep.Groups = append(rep.Groups, &GroupView{Schemes: schemeList(l, g.SchemeIDs), Neighbourhoods: len(g.Neighbourhoods),
			Needs: joinLabels(terms, linkwork.TaxonomyNeed, g.Needs)})
	}

	// Gaps.
	for i, g := range l.Gaps {
		if i == shownGaps {
			rep.MoreGaps = len(l.Gaps) - shownGaps
			break
		}
		label := g.NeedLabel
		if label == "" {
			label = terms.Label(linkwork.TaxonomyNeed, g.Need)
		}
		rep.Gaps = append(rep.Gaps, &GapView{Gap: g, NeedLabel: label, Reason: landscape.ReasonLabel(g.Reason),
			FullSchemes: services(l, g.FullSchemeIDs), Href: cellHref(o, g.Neighbourhood.Code, linkwork.TaxonomyNeed+"/"+g.Need),
			Field: noteField(g.Neighbourhood.Code, g.Need), Funded: rep.OpportunitiesByCell[cellKey(g.Neighbourhood.Code, g.Need)]})
	}

	rep.Asked, rep.MoreAsked = askedByNeighbourhood(in.Requests, terms)

	// Fragmentation and sectors.
	if f := l.Fragmentation; f != nil {
		for _, u := range f.Systems {
			rep.Systems = append(rep.Systems, &ToolView{Name: u.Name, Schemes: schemeList(l, u.SchemeIDs)})
			if len(u.SchemeIDs) > 1 {
				rep.SharedSystems++
			}
		}
		for _, u := range f.Tools {
			rep.Tools = append(rep.Tools, &ToolView{Name: u.Name, Schemes: schemeList(l, u.SchemeIDs)})
		}
		rep.WithoutSystem = schemeList(l, f.SchemesWithoutSystem)
	}
	if s := l.Sectors; s != nil {
		rep.Sectors = s.BySector
		for _, c := range s.ByFunding {
			rep.Funding = append(rep.Funding, &ToolView{Name: c.Name, Schemes: schemeList(l, c.SchemeIDs)})
		}
		for _, c := range s.ByModel {
			rep.Models = append(rep.Models, &ToolView{Name: c.Name, Schemes: schemeList(l, c.SchemeIDs)})
		}
	}

	// Data quality.
	for i, p := range l.DataQuality {
		if i >= shownProblems {
			rep.More++
			continue
		}
		pv := &DataProblemView{Kind: landscape.ProblemLabel(p.Kind), P: p}
		if p.ServiceID > 0 {
			pv.FixHref = landscape.EditPath(p.ServiceID)
		}
		rep.Problems = append(rep.Problems, pv)
	}
	return rep
}

// landscapeFunding turns a gap into a funding opportunity.
func (h *Handler) landscapeFunding(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if err := r.ParseForm(); err != nil {
		h.errorPage(w, r, http.StatusBadRequest, "That could not be done", "The form could not be read. Go back and try again.")
		return
	}
	lsoa := strings.ToUpper(strings.TrimSpace(r.PostFormValue("lsoa")))
	need := strings.TrimSpace(r.PostFormValue("need"))
	note := r.PostFormValue("note")
	// The report's choices come back with the form, to return to the same report; a wrong
	// one is dropped rather than refusing the opportunity.
	choices := NewForm()
	o := readLandscapeOptions(r.PostForm, choices)
	if choices.Error("distance_km") != "" {
		o.distance = 0
	}
	f := &linkwork.FundingOpportunity{PlaceID: p.Place.ID, NeighbourhoodCode: lsoa, Need: need, Note: note}
	err := h.svc.Landscape.CreateFundingOpportunity(r.Context(), f)
	if err == nil {
		back := withQuery("/landscape", o.query()) + "#funding"
		if r.PostFormValue("return_to") == "cell" {
			back = cellHref(o, lsoa, linkwork.TaxonomyNeed+"/"+need)
		}
		h.redirect(w, r, back, "funding-created")
		return
	}
	es := linkwork.FieldErrors(err)
	if len(es) == 0 || slices.ContainsFunc(es, func(e *linkwork.Error) bool { return e.Code == linkwork.EINTERNAL }) {
		h.serverError(w, r, err)
		return
	}
	v := &LandscapeView{Layout: Layout{Title: landscapeTitle}, Form: NewForm(), Measures: landscapeMeasures, Bys: landscapeBys}
	v.Form.Values["distance_km"], v.Form.Values["measure"], v.Form.Values["by"] = "", o.measure, o.by
	if o.distance != 0 {
		v.Form.Values["distance_km"] = landscape.FormatKm(o.distance)
	}
	field := noteField(lsoa, need)
	var msgs []string
	for _, e := range es {
		msgs = append(msgs, e.Message)
	}
	v.Form.Values[field] = note
	status := http.StatusUnprocessableEntity
	if linkwork.ErrorCode(err) == linkwork.ECONFLICT {
		status = http.StatusConflict
	}
	in, l, aerr := h.analyse(r, o)
	if aerr != nil {
		h.failed(w, r, aerr)
		return
	}
	opps, lerr := h.svc.Landscape.ListFundingOpportunities(r.Context(), p.Place.ID)
	if lerr != nil {
		h.serverError(w, r, lerr)
		return
	}
	v.Report = buildReport(in, l, opps, o, true)
	shown := slices.ContainsFunc(v.Report.Gaps, func(g *GapView) bool { return g.Field == field })
	if !shown {
		field = "gaps"
	}
	v.Form.Fail(field, strings.Join(msgs, " "))
	h.render(w, r, status, "landscape", v)
}

// LandscapeCellView is the drill-down behind one cell of the coverage matrix: the schemes
// and community offers with a term (or any) covering one neighbourhood.
type LandscapeCellView struct {
	Layout
	N         *linkwork.Neighbourhood
	Term      string // "need/loneliness", or "" for everything
	TermLabel string
	TaxLabel  string
	Need      string // the need's code, when the term is a need
	Distance  string
	Schemes   []*linkwork.LandscapeService
	Offers    []*OfferView
	Maybe     []*linkwork.LandscapeService
	Gap       *GapView
	CanFund   bool
	Back      string
	Hidden    url.Values
	Form      *Form
}

// OfferView is a community offer near a neighbourhood, with its nearest venue.
type OfferView struct {
	S *linkwork.LandscapeService
	// Venue is the nearest venue with a map position, and Km its distance from the
	// neighbourhood's centre; nil for an offer that covers it by its areas.
	Venue *linkwork.LandscapeVenue
	Km    string
}

func (h *Handler) landscapeCell(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	form := NewForm()
	o := readLandscapeOptions(q, form)
	if msg := form.Error("distance_km"); msg != "" {
		h.errorPage(w, r, http.StatusUnprocessableEntity, "That distance cannot be used", msg)
		return
	}
	in, l, err := h.analyse(r, o)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	code := strings.ToUpper(strings.TrimSpace(q.Get("lsoa")))
	var row *linkwork.CoverageRow
	for _, c := range l.Coverage {
		if c.Neighbourhood.Code == code {
			row = c
			break
		}
	}
	if row == nil {
		msg := fmt.Sprintf("%q is not one of %s's neighbourhoods. ", code, principal(r).Place.Name)
		if code == "" {
			msg = "No neighbourhood was chosen. "
		}
		h.errorPage(w, r, http.StatusNotFound, "Neighbourhood not found", msg+"Choose a neighbourhood from the coverage table of the landscape.")
		return
	}
	terms := landscape.TermsOf(in)
	back := withQuery("/landscape", o.query())
	v := &LandscapeCellView{N: row.Neighbourhood, Distance: landscape.FormatKm(l.Options.DistanceKm), CanFund: principal(r).Can(linkwork.PermManageFunding),
		Back: back, Hidden: o.query(), Form: NewForm()}
	schemes, offers := row.SchemeIDs, row.OfferIDs
	if term := q.Get("term"); term != "" {
		tax, tcode, _ := strings.Cut(term, "/")
		bySome := slices.ContainsFunc(landscapeBys, func(c dirChoice) bool { return c.Value == tax })
		if !bySome || !terms.Known(tax, tcode) {
			h.errorPage(w, r, http.StatusNotFound, "Term not found",
				fmt.Sprintf("%q is not a need, client group or building block of %s. Choose a cell of the coverage table of the landscape.", term, principal(r).Place.Name))
			return
		}
		v.Term, v.TermLabel = term, terms.Label(tax, tcode)
		for _, b := range landscapeBys {
			if b.Value == tax {
				v.TaxLabel = b.Label
			}
		}
		schemes, offers = nil, nil
		if tc := row.ByTerm[term]; tc != nil {
			schemes, offers = tc.SchemeIDs, tc.OfferIDs
		}
		if tax == linkwork.TaxonomyNeed {
			v.Need = tcode
			for _, g := range l.Gaps {
				if g.Neighbourhood.Code == code && g.Need == tcode {
					opps, err := h.svc.Landscape.ListFundingOpportunities(r.Context(), principal(r).Place.ID)
					if err != nil {
						h.serverError(w, r, err)
						return
					}
					funded := slices.ContainsFunc(opps, func(f *linkwork.FundingOpportunity) bool {
						return f.Status == "open" && f.NeighbourhoodCode == code && f.Need == tcode
					})
					v.Gap = &GapView{Gap: g, NeedLabel: v.TermLabel, Reason: landscape.ReasonLabel(g.Reason), FullSchemes: services(l, g.FullSchemeIDs),
						Field: noteField(code, tcode), Funded: funded}
					break
				}
			}
		}
	} else {
		v.Maybe = services(l, row.MaybeSchemeIDs)
	}
	v.Schemes = services(l, schemes)
	n := row.Neighbourhood
	for _, s := range services(l, offers) {
		ov := &OfferView{S: s}
		best := math.Inf(1)
		for i := range s.Venues {
			vn := &s.Venues[i]
			if vn.Lat == 0 && vn.Lng == 0 {
				continue
			}
			if d := linkwork.DistanceKm(n.Lat, n.Lng, vn.Lat, vn.Lng); d < best {
				best, ov.Venue = d, vn
			}
		}
		if ov.Venue != nil {
			ov.Km = strconv.FormatFloat(best, 'f', 1, 64)
		}
		v.Offers = append(v.Offers, ov)
	}
	v.Title = n.Name
	if v.TermLabel != "" {
		v.Title = v.TermLabel + " in " + n.Name
	}
	h.render(w, r, http.StatusOK, "landscape_cell", v)
}

// landscapeWorkbook sends every table of the landscape, and the funding opportunities, as
// one workbook.
func (h *Handler) landscapeWorkbook(w http.ResponseWriter, r *http.Request) {
	tables, ok := h.landscapeTables(w, r)
	if !ok {
		return
	}
	var b bytes.Buffer
	if err := report.WriteXLSX(&b, tables); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.sendFile(w, r, &b, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "landscape.xlsx")
}

// landscapeCSV sends one table as CSV.
func (h *Handler) landscapeCSV(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutSuffix(r.PathValue("file"), ".csv")
	known := slices.ContainsFunc(landscape.Index(), func(t report.Table) bool { return t.Name == name })
	if !ok || !known {
		h.notFound(w, r)
		return
	}
	tables, ok := h.landscapeTables(w, r)
	if !ok {
		return
	}
	t, _ := landscape.Find(tables, name)
	var b bytes.Buffer
	if err := report.WriteCSV(&b, t); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.sendFile(w, r, &b, "text/csv; charset=utf-8", "landscape-"+strings.ReplaceAll(name, "_", "-")+".csv")
}

// landscapeTables works out every table of the report, for the exports. It answers the
// request itself when it cannot.
func (h *Handler) landscapeTables(w http.ResponseWriter, r *http.Request) ([]report.Table, bool) {
	form := NewForm()
	o := readLandscapeOptions(r.URL.Query(), form)
	if msg := form.Error("distance_km"); msg != "" {
		h.errorPage(w, r, http.StatusUnprocessableEntity, "That distance cannot be used", msg)
		return nil, false
	}
	in, l, err := h.analyse(r, o)
	if err != nil {
		h.failed(w, r, err)
		return nil, false
	}
	opps, err := h.svc.Landscape.ListFundingOpportunities(r.Context(), principal(r).Place.ID)
	if err != nil {
		h.serverError(w, r, err)
		return nil, false
	}
	return append(landscape.Tables(l, landscape.TermsOf(in)), landscape.OpportunitiesTable(opps)), true
}

// sendFile sends a download named after the place.
func (h *Handler) sendFile(w http.ResponseWriter, r *http.Request, b *bytes.Buffer, ctype, name string) {
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="`+fileName(principal(r).Place.Name)+"-"+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = b.WriteTo(w)
}
