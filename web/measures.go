package web

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"linkwork"
	"linkwork/report"
)

// The measures dashboard: the place's common measures for the place, a connector scheme, an
// organisation (a primary care network among them) or a neighbourhood, over any months,
// each measure with its definition, its headline figures, and its tables each drawn as a
// chart with the table under it. Those who see the people behind a scope (its organisation's
// managers) see its figures as they are; everyone else, and every export, sees safe
// aggregates: small counts hidden, the rest rounded (linkwork.Dashboard.Suppress).
func (h *Handler) registerMeasures(g registrar) {
	view := linkwork.PermViewMeasures
	g.Handle("GET", "/measures", view, h.measuresDashboard)
	g.Handle("GET", "/measures/export.xlsx", view, h.measuresWorkbook)
	// The file is {table}.csv; a pattern's wildcard is a whole segment.
	g.Handle("GET", "/measures/export/{file}", view, h.measuresCSV)
}

// maxMeasureMonths is the longest period a dashboard covers: five years.
const maxMeasureMonths = 60

// measureRequest is a dashboard asked for: a scope of the reader's place and whole months.
type measureRequest struct {
	scope    linkwork.Scope
	from, to time.Time // the first of each month, midnight UTC
}

// months is the period as the store names months.
func (m measureRequest) months() (string, string) {
	return m.from.Format("2006-01"), m.to.Format("2006-01")
}

// query is the request as a query string's values, for links to the same dashboard.
func (m measureRequest) query() url.Values {
	q := url.Values{}
	if m.scope.Kind != linkwork.ScopePlace {
		q.Set("scope", string(m.scope.Kind))
		q.Set(string(m.scope.Kind), m.scope.Key)
	}
	from, to := m.months()
	q.Set("from", from)
	q.Set("to", to)
	return q
}

// thisMonth is the month now in the UK, as the first of the month at midnight UTC.
func thisMonth(now time.Time) time.Time {
	y, m, _ := now.In(london).Date()
	return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
}

// parseMonth reads a month written "2026-04".
func parseMonth(s string) (time.Time, bool) {
	t, err := time.Parse("2006-01", strings.TrimSpace(s))
	return t, err == nil && len(strings.TrimSpace(s)) == 7
}

// monthsBetween is the number of months from a to b, both included.
func monthsBetween(a, b time.Time) int {
	return (b.Year()-a.Year())*12 + int(b.Month()) - int(a.Month()) + 1
}

// readMeasurePeriod reads the months from vs ("from" and "to", "2026-04") into f's values,
// recording a message against each that is wrong. With neither, the period is the last
// twelve complete months; with one, the twelve months from or to it.
func readMeasurePeriod(vs url.Values, f *Form, now time.Time) (time.Time, time.Time) {
	current := thisMonth(now)
	fromText, toText := strings.TrimSpace(vs.Get("from")), strings.TrimSpace(vs.Get("to"))
	f.Values["from"], f.Values["to"] = fromText, toText
	from, to := current.AddDate(0, -12, 0), current.AddDate(0, -1, 0)
	var fromOK, toOK bool
	if fromText != "" {
		if from, fromOK = parseMonth(fromText); !fromOK {
			f.Fail("from", "Enter the first month as a year and month, such as "+current.AddDate(-1, 0, 0).Format("2006-01")+".")
		}
	}
	if toText != "" {
		if to, toOK = parseMonth(toText); !toOK {
			f.Fail("to", "Enter the last month as a year and month, such as "+current.AddDate(0, -1, 0).Format("2006-01")+".")
		}
	}
	switch {
	case fromOK && toText == "":
		to = from.AddDate(0, 11, 0)
		if to.After(current) {
			to = current
		}
	case toOK && fromText == "":
		from = to.AddDate(0, -11, 0)
	}
	if f.HasErrors() {
		return from, to
	}
	earliest := time.Date(2000, time.January, 1, 0, 0, 0, 0, time.UTC)
	switch {
	case from.Before(earliest):
		f.Fail("from", "Choose a first month from 2000-01 on.")
	case from.After(current):
		f.Fail("from", "The first month cannot be after this month, "+current.Format("2006-01")+".")
	case to.After(current):
		f.Fail("to", "The last month cannot be after this month, "+current.Format("2006-01")+".")
	case to.Before(from):
		f.Fail("to", "The last month must be the first month ("+from.Format("2006-01")+") or after it.")
	case monthsBetween(from, to) > maxMeasureMonths:
		f.Fail("to", fmt.Sprintf("Choose at most five years (%d months): from %s, the last month can be %s at the latest.",
			maxMeasureMonths, from.Format("2006-01"), from.AddDate(0, maxMeasureMonths-1, 0).Format("2006-01")))
	}
	f.Values["from"], f.Values["to"] = from.Format("2006-01"), to.Format("2006-01")
	return from, to
}

// readMeasureScope reads the scope from vs: "scope" is place (or empty), scheme,
// organisation or neighbourhood, and the parameter of that name its key. A kind that does
// not exist, or one without its key, is a message against the field; whether the key is
// the place's is for the store to say.
func readMeasureScope(vs url.Values, f *Form) linkwork.Scope {
	kind := linkwork.ScopeKind(strings.TrimSpace(vs.Get("scope")))
	f.Values["scope"] = string(kind)
	switch kind {
	case "", linkwork.ScopePlace:
		f.Values["scope"] = string(linkwork.ScopePlace)
		return linkwork.Scope{Kind: linkwork.ScopePlace}
	case linkwork.ScopeScheme, linkwork.ScopeOrganisation, linkwork.ScopeNeighbourhood:
		key := strings.TrimSpace(vs.Get(string(kind)))
		if kind == linkwork.ScopeNeighbourhood {
			key = strings.ToUpper(key)
		}
		f.Values[string(kind)] = key
		if key == "" {
			f.Fail(string(kind), map[linkwork.ScopeKind]string{
				linkwork.ScopeScheme:        "Choose the connector scheme whose measures to show.",
				linkwork.ScopeOrganisation:  "Choose the organisation or primary care network whose measures to show.",
				linkwork.ScopeNeighbourhood: "Choose the neighbourhood whose measures to show.",
			}[kind])
		}
		return linkwork.Scope{Kind: kind, Key: key}
	}
	f.Fail("scope", "Choose what the measures are for: the whole place, a connector scheme, an organisation or primary care network, or a neighbourhood.")
	return linkwork.Scope{Kind: linkwork.ScopePlace}
}

// scopeOrganisation is the organisation whose people a scope's figures count, if one
// organisation's: an organisation's own, or the one that runs a scheme.
func scopeOrganisation(s linkwork.Scope, mc *linkwork.MeasureContext) int64 {
	id, _ := strconv.ParseInt(s.Key, 10, 64)
	switch s.Kind {
	case linkwork.ScopeOrganisation:
		return id
	case linkwork.ScopeScheme:
		return mc.SchemeOrganisations[id]
	}
	return 0
}

// scopeName names a scope for headings.
func scopeName(p *linkwork.Principal, s linkwork.Scope, mc *linkwork.MeasureContext) string {
	id, _ := strconv.ParseInt(s.Key, 10, 64)
	switch s.Kind {
	case linkwork.ScopeScheme:
		return mc.Schemes[id]
	case linkwork.ScopeOrganisation:
		return mc.Organisations[id]
	case linkwork.ScopeNeighbourhood:
		if name := mc.Neighbourhoods[s.Key]; name != "" && name != s.Key {
			return name + " (" + s.Key + ")"
		}
		return s.Key
	}
	return p.Place.Name
}

// periodLabel writes a period of months: "Apr 2025 to Mar 2026", or one month.
func periodLabel(from, to time.Time) string {
	if from.Equal(to) {
		return from.Format("January 2006")
	}
	return from.Format("Jan 2006") + " to " + to.Format("Jan 2006")
}

// measureDefinitions is the catalogue a place's dashboards draw on: the built-in measures
// and the place's own.
func measureDefinitions(local []*linkwork.LocalMeasure) []linkwork.MeasureDefinition {
	defs := slices.Clone(linkwork.BuiltInMeasures)
	for _, m := range local {
		defs = append(defs, linkwork.MeasureDefinition{Code: m.Code(), Name: m.Name, Definition: m.Definition,
			AboutPeople: m.AboutPeople, Local: true})
	}
	return defs
}

// loadMeasureContext reads the place's settings and the scope's context: ENOTFOUND for a
// scope key that is not the place's.
func (h *Handler) loadMeasureContext(ctx context.Context, placeID int64, scope linkwork.Scope) (*linkwork.MeasureContext, *linkwork.MeasureSettings, error) {
	mc, err := h.svc.Measures.MeasureContext(ctx, placeID, scope)
	if err != nil {
		return nil, nil, err
	}
	settings, err := h.svc.Measures.MeasureSettings(ctx, placeID)
	if err != nil {
		return nil, nil, err
	}
	return mc, settings, nil
}

// makeDashboard reads a scope's facts (from the first month held, as BuildDashboard needs
// for people supported, caseloads and reach; with the referrals of the schemes within the
// place or organisation, for the table by scheme) and builds its dashboard, made safe under
// the place's rule unless shown to someone who sees the people behind it.
func (h *Handler) makeDashboard(ctx context.Context, p *linkwork.Principal, req measureRequest, mc *linkwork.MeasureContext,
	settings *linkwork.MeasureSettings, safe bool) (*linkwork.Dashboard, error) {
	ms := h.svc.Measures
	from, to := req.months()
	facts, err := ms.DashboardFacts(ctx, p.Place.ID, req.scope, from, to)
	if err != nil {
		return nil, err
	}
	more, err := h.schemeReferralFacts(ctx, p.Place.ID, req, mc, from, to)
	if err != nil {
		return nil, err
	}
	state, err := ms.State(ctx, p.Place.ID)
	if err != nil {
		return nil, err
	}
	scope := req.scope
	scope.Name = scopeName(p, scope, mc)
	q := linkwork.MeasureQuery{PlaceID: p.Place.ID, Scope: scope, From: req.from, To: req.to, Measures: settings.Measures}
	d := linkwork.BuildDashboard(measureDefinitions(mc.Local), q, append(facts, more...), mc)
	d.State, d.Rule = state, settings.Suppression
	if safe || !p.SeesPeopleOf(req.scope, scopeOrganisation(req.scope, mc)) {
		d.Suppress(settings.Suppression)
	}
	return d, nil
}

// schemeReferralFacts reads the referrals received by each scheme within a place's or an
// organisation's dashboard in the period, in one read.
func (h *Handler) schemeReferralFacts(ctx context.Context, placeID int64, req measureRequest, mc *linkwork.MeasureContext,
	from, to string) ([]*linkwork.MeasureFact, error) {
	if req.scope.Kind != linkwork.ScopePlace && req.scope.Kind != linkwork.ScopeOrganisation {
		return nil, nil
	}
	schemes := map[int64]bool{}
	for id, org := range mc.SchemeOrganisations {
		if req.scope.Kind == linkwork.ScopePlace || strconv.FormatInt(org, 10) == req.scope.Key {
			schemes[id] = true
		}
	}
	facts, err := h.svc.Measures.SchemeReferrals(ctx, placeID, from, to)
	if err != nil {
		return nil, err
	}
	var out []*linkwork.MeasureFact
	for _, f := range facts {
		if id, err := strconv.ParseInt(f.ScopeKey, 10, 64); err == nil && schemes[id] {
			out = append(out, f)
		}
	}
	return out, nil
}

// MeasuresView is the view of the dashboard page.
type MeasuresView struct {
	Layout
	// Form holds the choices: scope, scheme, organisation, neighbourhood, from and to.
	Form    *Form
	Choices *MeasureChoices
	Presets []ChoiceLink
	// Dashboard is nil when a choice is wrong: the page shows the choices and the problem.
	Dashboard *DashboardView
	CanManage bool // the place's measures settings
	CanEnter  bool // local measures' values
	PackHref  string
	// ExtractHref is the NHS England extract for the same months, for those who may take it.
	ExtractHref string
}

// MeasureChoices are the lists a dashboard's scope is chosen from: the kinds of scope, and
// the place's schemes, primary care networks and other organisations, and neighbourhoods,
// each by name.
type MeasureChoices struct {
	ScopeKinds                                   []dirChoice
	Schemes, PCNs, Organisations, Neighbourhoods []dirChoice
}

// ScopeSelect is a list to choose one scope of a kind from, its options in groups or not.
type ScopeSelect struct {
	Form               *Form
	Name, Label, Blank string
	Options            []dirChoice
	Groups             []OptionGroup
}

// OptionGroup is a group of a select's options under a heading.
type OptionGroup struct {
	Label   string
	Options []dirChoice
}

// ScopeSelect is the list for the scope named name (scheme, organisation or
// neighbourhood): the organisations with the primary care networks first, under their own
// heading.
func (c *MeasureChoices) ScopeSelect(f *Form, name string) ScopeSelect {
	switch name {
	case string(linkwork.ScopeScheme):
		return ScopeSelect{Form: f, Name: name, Label: "Connector scheme", Blank: "Choose a scheme", Options: c.Schemes}
	case string(linkwork.ScopeOrganisation):
		s := ScopeSelect{Form: f, Name: name, Label: "Organisation or primary care network", Blank: "Choose an organisation"}
		if len(c.PCNs) == 0 {
			s.Options = c.Organisations
			return s
		}
		s.Groups = []OptionGroup{{Label: "Primary care networks", Options: c.PCNs}, {Label: "Other organisations", Options: c.Organisations}}
		return s
	}
	return ScopeSelect{Form: f, Name: name, Label: "Neighbourhood", Blank: "Choose a neighbourhood", Options: c.Neighbourhoods}
}

// DashboardView is a dashboard as a page shows it.
type DashboardView struct {
	D         *linkwork.Dashboard
	ScopeName string
	Period    string
	// AsOf is when the figures were made ("14:05", or with the day when not today);
	// Updating is set when records have changed since.
	AsOf     string
	Updating bool
	Results  []*ResultView
	XLSXHref string
	// Seen is set when the reader sees the figures as they are (not suppressed).
	Seen bool
}

// ResultView is one measure of a dashboard.
type ResultView struct {
	R      *linkwork.MeasureResult
	Anchor string
	Tables []*TableView
}

// TableView is one table of a measure, with the chart drawn from it.
type TableView struct {
	T *linkwork.MeasureTable
	// Rows are the rows shown: all of them, or for a long table (a place's link workers,
	// say) the tableRowsShown with the largest first figure, largest first.
	Rows []*linkwork.MeasureRow
	// Left is how many rows are not shown (the download holds them).
	Left    int
	Chart   template.HTML
	CSVHref string
	// Columns is how many cells each row has after its label, for rows short of them.
	Columns int
}

// tableRowsShown is the most rows a table shows on a page or in a board pack: a place of
// thousands of link workers or schemes gets the largest, and their whole table as a download.
const tableRowsShown = 50

// rowsShown returns the rows of a table to show and how many are left out. The rows are
// ranked by their first figure as shown (after suppression), so the order gives nothing
// away that the figures do not.
func rowsShown(t *linkwork.MeasureTable) ([]*linkwork.MeasureRow, int) {
	if len(t.Rows) <= tableRowsShown {
		return t.Rows, 0
	}
	rows := slices.Clone(t.Rows)
	first := func(r *linkwork.MeasureRow) float64 {
		if len(r.Cells) == 0 || r.Cells[0] == nil {
			return 0
		}
		return r.Cells[0].Value
	}
	slices.SortStableFunc(rows, func(a, b *linkwork.MeasureRow) int { return cmp.Compare(first(b), first(a)) })
	return rows[:tableRowsShown], len(t.Rows) - tableRowsShown
}

// Cells returns a row's cells padded to the table's columns.
func (t *TableView) Cells(r *linkwork.MeasureRow) []*linkwork.MeasureCell {
	out := slices.Clone(r.Cells)
	for len(out) < t.Columns {
		out = append(out, &linkwork.MeasureCell{})
	}
	return out
}

// asOf writes when the figures were made, in the UK: the time, with the day unless today.
func asOf(t, now time.Time) string {
	t, now = t.In(london), now.In(london)
	if y, m, d := t.Date(); y == now.Year() && m == now.Month() && d == now.Day() {
		return t.Format("15:04")
	}
	return t.Format("15:04 on 2 January 2006")
}

// dashboardView lays a dashboard out for a page: each table's chart, and its export's
// address with the request's query.
func dashboardView(d *linkwork.Dashboard, req measureRequest, seen bool, now time.Time) *DashboardView {
	v := &DashboardView{D: d, ScopeName: d.Query.Scope.Name, Period: periodLabel(req.from, req.to), Seen: seen,
		XLSXHref: withQuery("/measures/export.xlsx", req.query())}
	if st := d.State; st != nil && st.AggregatedAt != nil {
		v.AsOf, v.Updating = asOf(*st.AggregatedAt, now), !st.Current
	}
	for _, res := range d.Results {
		rv := &ResultView{R: res, Anchor: "measure-" + string(res.Definition.Code)}
		for _, t := range res.Tables {
			rows, left := rowsShown(t)
			rv.Tables = append(rv.Tables, &TableView{T: t, Rows: rows, Left: left, Chart: measureChart(t, rows), Columns: len(t.Header) - 1,
				CSVHref: withQuery("/measures/export/"+t.Name+".csv", req.query())})
		}
		v.Results = append(v.Results, rv)
	}
	return v
}

// measureChart draws a table's chart from the first column of the rows shown (a
// before-and-after chart from its first two): nothing for a table without one.
func measureChart(t *linkwork.MeasureTable, rows []*linkwork.MeasureRow) template.HTML {
	id := "chart-" + t.Name
	desc := "The table under the chart gives the same figures."
	first := func(r *linkwork.MeasureRow, i int) (float64, string) {
		if i >= len(r.Cells) || r.Cells[i] == nil {
			return 0, "–"
		}
		c := r.Cells[i]
		text := c.Text
		if text == "" {
			text = "–"
		}
		return max(c.Value, 0), text
	}
	switch t.Chart {
	case linkwork.ChartBars, linkwork.ChartMonths:
		var bars []report.Bar
		for _, r := range rows {
			v, text := first(r, 0)
			bars = append(bars, report.Bar{Label: r.Label, Value: v, Text: text})
		}
		if t.Chart == linkwork.ChartMonths {
			for i, r := range rows { // a month's figure may be below zero: net spend after refunds
				if len(r.Cells) > 0 && r.Cells[0] != nil && r.Cells[0].Value < 0 {
					bars[i].Value = r.Cells[0].Value
				}
			}
			return report.MonthsChart(report.Chart{ID: id, Title: t.Title, Desc: desc, Bars: bars})
		}
		return report.BarChart(report.Chart{ID: id, Title: t.Title, Desc: desc, Bars: bars})
	case linkwork.ChartBeforeAfter:
		c := report.PairChart{ID: id, Title: t.Title, Desc: desc}
		if len(t.Header) >= 3 {
			c.FirstName, c.SecondName = t.Header[1], t.Header[2]
		}
		for _, r := range rows {
			a, at := first(r, 0)
			b, bt := first(r, 1)
			if at == "–" && bt == "–" {
				continue // a row with nothing to compare, such as deprivation not known
			}
			c.Pairs = append(c.Pairs, report.Pair{Label: r.Label, First: a, Second: b, FirstText: at, SecondText: bt})
		}
		return report.PairBarChart(c)
	}
	return ""
}

// measureScopeChoices are the lists the scope is chosen from.
func measureScopeChoices(mc *linkwork.MeasureContext) *MeasureChoices {
	var schemes, pcns, orgs, hoods []dirChoice
	byName := func(cs []dirChoice) []dirChoice {
		slices.SortFunc(cs, func(a, b dirChoice) int {
			return cmp.Or(cmp.Compare(strings.ToLower(a.Label), strings.ToLower(b.Label)), cmp.Compare(a.Value, b.Value))
		})
		return cs
	}
	for id, name := range mc.Schemes {
		label := name
		if org := mc.Organisations[mc.SchemeOrganisations[id]]; org != "" {
			label += " (" + org + ")"
		}
		schemes = append(schemes, dirChoice{Value: strconv.FormatInt(id, 10), Label: label})
	}
	for id, name := range mc.Organisations {
		c := dirChoice{Value: strconv.FormatInt(id, 10), Label: name}
		if mc.PCNs[id] {
			pcns = append(pcns, c)
		} else {
			orgs = append(orgs, c)
		}
	}
	for code, name := range mc.Neighbourhoods {
		label := code
		if name != "" && name != code {
			label = name + " (" + code + ")"
		}
		hoods = append(hoods, dirChoice{Value: code, Label: label})
	}
	return &MeasureChoices{ScopeKinds: measureScopeKinds, Schemes: byName(schemes), PCNs: byName(pcns), Organisations: byName(orgs),
		Neighbourhoods: byName(hoods)}
}

// measurePresets are links to the usual periods, for the same scope.
func measurePresets(scope linkwork.Scope, from, to, now time.Time) []ChoiceLink {
	current := thisMonth(now)
	fyStart := time.Date(current.Year(), time.April, 1, 0, 0, 0, 0, time.UTC)
	if current.Month() < time.April {
		fyStart = fyStart.AddDate(-1, 0, 0)
	}
	quarterEnd := time.Date(current.Year(), current.Month()-time.Month((int(current.Month())-1)%3), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -1, 0)
	presets := []struct {
		label    string
		from, to time.Time
	}{
		{"Last 12 months", current.AddDate(0, -12, 0), current.AddDate(0, -1, 0)},
		{"Last quarter", quarterEnd.AddDate(0, -2, 0), quarterEnd},
		{"This financial year", fyStart, current},
		{"Last financial year", fyStart.AddDate(-1, 0, 0), fyStart.AddDate(0, -1, 0)},
	}
	var out []ChoiceLink
	for _, p := range presets {
		req := measureRequest{scope: scope, from: p.from, to: p.to}
		out = append(out, ChoiceLink{Label: p.label + " (" + periodLabel(p.from, p.to) + ")", Href: withQuery("/measures", req.query()),
			Current: p.from.Equal(from) && p.to.Equal(to)})
	}
	return out
}

// measureScopeKinds are the kinds of dashboard, for the choice of scope.
var measureScopeKinds = []dirChoice{
	{Value: string(linkwork.ScopePlace), Label: "The whole place", ID: "scope"},
	{Value: string(linkwork.ScopeScheme), Label: "A connector scheme", ID: "scope-scheme"},
	{Value: string(linkwork.ScopeOrganisation), Label: "An organisation or primary care network", ID: "scope-organisation"},
	{Value: string(linkwork.ScopeNeighbourhood), Label: "A neighbourhood", ID: "scope-neighbourhood"},
}

func (h *Handler) measuresDashboard(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	now := time.Now()
	f := NewForm()
	f.Order = []string{"scope", "scheme", "organisation", "neighbourhood", "from", "to"}
	q := r.URL.Query()
	scope := readMeasureScope(q, f)
	from, to := readMeasurePeriod(q, f, now)
	lookup := scope
	if f.Error(string(scope.Kind)) != "" {
		lookup = linkwork.Scope{Kind: linkwork.ScopePlace}
	}
	mc, settings, err := h.loadMeasureContext(r.Context(), p.Place.ID, lookup)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	req := measureRequest{scope: scope, from: from, to: to}
	v := &MeasuresView{Layout: Layout{Title: "Measures"}, Form: f, Choices: measureScopeChoices(mc),
		CanManage: p.Can(linkwork.PermManageMeasures), CanEnter: p.Can(linkwork.PermEnterLocalMeasures)}
	v.Presets = measurePresets(scope, from, to, now)
	if f.HasErrors() {
		h.render(w, r, http.StatusBadRequest, "measures", v)
		return
	}
	d, err := h.makeDashboard(r.Context(), p, req, mc, settings, false)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	v.Title = "Measures: " + d.Query.Scope.Name
	v.Dashboard = dashboardView(d, req, !d.Safe, now)
	v.PackHref = withQuery("/measures/pack", packQuery(scope))
	if from, to := req.months(); p.Can(linkwork.PermViewMeasures) {
		v.ExtractHref = withQuery("/measures/nhs-extract.csv", url.Values{"from": {from}, "to": {to}})
	}
	h.render(w, r, http.StatusOK, "measures", v)
}

// packQuery is the board pack's query for a scope (its default quarter).
func packQuery(scope linkwork.Scope) url.Values {
	q := url.Values{}
	if scope.Kind != linkwork.ScopePlace {
		q.Set("scope", string(scope.Kind))
		q.Set(string(scope.Kind), scope.Key)
	}
	return q
}

// measureExport reads a request for an export and makes its dashboard, always safe. It
// answers the request itself when it cannot: 404 for a scope that is not the place's, 400
// for a wrong choice.
func (h *Handler) measureExport(w http.ResponseWriter, r *http.Request) (*linkwork.Dashboard, measureRequest, bool) {
	p := principal(r)
	f := NewForm()
	q := r.URL.Query()
	scope := readMeasureScope(q, f)
	from, to := readMeasurePeriod(q, f, time.Now())
	req := measureRequest{scope: scope, from: from, to: to}
	if f.HasErrors() {
		var msgs []string
		for _, e := range f.ErrorList() {
			msgs = append(msgs, e.Message)
		}
		h.errorPage(w, r, http.StatusBadRequest, "Those measures cannot be exported", strings.Join(msgs, " "))
		return nil, req, false
	}
	mc, settings, err := h.loadMeasureContext(r.Context(), p.Place.ID, scope)
	if err != nil {
		h.failed(w, r, err)
		return nil, req, false
	}
	d, err := h.makeDashboard(r.Context(), p, req, mc, settings, true)
	if err != nil {
		h.failed(w, r, err)
		return nil, req, false
	}
	return d, req, true
}

// auditExport records an export: what was exported, for which scope and months. It holds
// no personal data: the export is a safe aggregate.
func (h *Handler) auditExport(r *http.Request, d *linkwork.Dashboard, req measureRequest, what string) error {
	s := d.Query.Scope
	return h.svc.Audit.RecordAudit(r.Context(), &linkwork.AuditEvent{Action: linkwork.AuditMeasureExport, RecordType: "measures",
		RecordID: strings.TrimSuffix(string(s.Kind)+":"+s.Key, ":"),
		Detail:   what + ": " + string(s.Kind) + " " + s.Name + ", " + periodLabel(req.from, req.to)})
}

// measuresWorkbook sends every table of the dashboard as one workbook, after a sheet that
// says what the figures are.
func (h *Handler) measuresWorkbook(w http.ResponseWriter, r *http.Request) {
	d, req, ok := h.measureExport(w, r)
	if !ok {
		return
	}
	var b bytes.Buffer
	if err := report.WriteXLSX(&b, measureWorkbook(d, principal(r).Place.Name, time.Now())); err != nil {
		h.serverError(w, r, err)
		return
	}
	if err := h.auditExport(r, d, req, "workbook"); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.sendFile(w, r, &b, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "measures.xlsx")
}

// measuresCSV sends one table of the dashboard as CSV.
func (h *Handler) measuresCSV(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutSuffix(r.PathValue("file"), ".csv")
	if !ok || name == "" {
		h.notFound(w, r)
		return
	}
	d, req, ok := h.measureExport(w, r)
	if !ok {
		return
	}
	var table *report.Table
	for _, t := range measureReportTables(d) {
		if t.Name == name {
			table = &t
			break
		}
	}
	if table == nil {
		h.notFound(w, r)
		return
	}
	var b bytes.Buffer
	if err := report.WriteCSV(&b, *table); err != nil {
		h.serverError(w, r, err)
		return
	}
	if err := h.auditExport(r, d, req, name+".csv"); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.sendFile(w, r, &b, "text/csv; charset=utf-8", "measures-"+strings.ReplaceAll(name, "_", "-")+".csv")
}

// headlineTable is the name of the table of every measure's headline figures.
const headlineTable = "headline_figures"

// measureReportTables turns a dashboard into report tables, for CSV files and a workbook:
// the headline figures of every measure, then every table of every measure in order, each
// with its total row last. Figures that are plain numbers are written as numbers (without
// thousands separators); the rest (days, shares, money, "[c]") as they are shown.
func measureReportTables(d *linkwork.Dashboard) []report.Table {
	headline := report.Table{Name: headlineTable, Title: "Headline figures", Header: []string{"Measure", "Figure", "Value"},
		Numeric: []bool{false, false, true}}
	var out []report.Table
	for _, res := range d.Results {
		for _, c := range res.Headline {
			headline.Rows = append(headline.Rows, []string{res.Definition.Name, c.Label, exportText(c)})
		}
	}
	out = append(out, headline)
	for _, res := range d.Results {
		for _, t := range res.Tables {
			rt := report.Table{Name: t.Name, Title: t.Title, Header: slices.Clone(t.Header), Numeric: make([]bool, len(t.Header))}
			for i := 1; i < len(rt.Numeric); i++ {
				rt.Numeric[i] = true
			}
			rows := t.Rows
			if t.Total != nil {
				rows = append(slices.Clone(rows), t.Total)
			}
			for _, row := range rows {
				rec := make([]string, max(len(t.Header), len(row.Cells)+1))
				rec[0] = row.Label
				for i, c := range row.Cells {
					rec[i+1] = exportText(c)
				}
				rt.Rows = append(rt.Rows, rec)
			}
			out = append(out, rt)
		}
	}
	return out
}

// exportText is a figure as an export writes it: a number without thousands separators
// when it is one, else its text.
func exportText(c *linkwork.MeasureCell) string {
	if c == nil {
		return ""
	}
	plain := strings.ReplaceAll(c.Text, ",", "")
	if _, err := strconv.ParseFloat(plain, 64); err == nil {
		return plain
	}
	return c.Text
}

// measureWorkbook is a dashboard's workbook: a sheet about the figures (what, where, when,
// how they were made safe, and each table's notes), then every table.
func measureWorkbook(d *linkwork.Dashboard, placeName string, now time.Time) []report.Table {
	about := report.Table{Name: "about", Title: "About these figures", Header: []string{"About", "Detail"}}
	add := func(k, v string) { about.Rows = append(about.Rows, []string{k, v}) }
	add("Place", placeName)
	add("Measures for", d.Query.Scope.Name)
	add("Months", periodLabel(d.Query.From, d.Query.To))
	if d.State != nil && d.State.AggregatedAt != nil {
		made := "Figures made at " + asOf(*d.State.AggregatedAt, now)
		if !d.State.Current {
			made += "; records have changed since, and the figures are being updated"
		}
		add("Figures", made)
	}
	if d.Safe {
		add("Safe aggregates", fmt.Sprintf("Counts from 1 to %d are hidden (%s) and the others rounded to the nearest %d; "+
			"so is any figure worked out from a hidden count, or that would let one be worked out from a total.",
			d.Rule.Threshold, linkwork.SuppressedText, d.Rule.RoundTo))
	}
	for _, res := range d.Results {
		add(res.Definition.Name, res.Definition.Definition)
		for _, t := range res.Tables {
			for _, n := range t.Notes {
				add(t.Title, n)
			}
		}
	}
	return append([]report.Table{about}, measureReportTables(d)...)
}
