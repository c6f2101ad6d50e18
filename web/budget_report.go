package web

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"linkwork"
	"linkwork/report"
	"linkwork/spending"
)

// The spend report says where the devolved budgets' money went over a period: by need, by
// neighbourhood against deprivation, by group, scheme and pot, and which micro-grants still
// owe their group's report. It is for those who answer to funders: administrators and
// commissioners for the whole place, managers for their own organisations' pots. It names
// needs, neighbourhoods, groups, schemes and pots, never people: a personal spend is only
// counted and added up. Every table can be taken away as CSV, or all of them as one
// workbook, with the same period and organisation; the page prints for a board.
func (h *Handler) registerBudgetReport(g registrar) {
	perm := linkwork.PermBudgetReports
	g.Handle("GET", "/budgets/report", perm, h.budgetReport)
	g.Handle("GET", "/budgets/report/export.xlsx", perm, h.budgetReportWorkbook)
	// The file is {table}.csv; a pattern's wildcard is a whole segment.
	g.Handle("GET", "/budgets/report/export/{file}", perm, h.budgetReportCSV)
}

// budgetReportTitle is the report's title.
const budgetReportTitle = "Where the budgets went"

// BudgetReportView is the view of the spend report.
type BudgetReportView struct {
	Layout
	// Form holds the filters (from, to, organisation_id) and their problems.
	Form *Form
	// Organisations are those the reader may narrow the report to; empty when there is no
	// choice to make (a manager of one organisation). EveryOrganisation names the choice of
	// none: every organisation the reader may report on.
	Organisations     []dirChoice
	EveryOrganisation string
	// Report is nil when a filter is wrong: the page shows the filters and the problem.
	Report *BudgetReport
}

// BudgetReport is the report itself, laid out for the page.
type BudgetReport struct {
	R      *linkwork.SpendReport
	About  spending.About
	Counts spending.Counts
	// Deprived is the money spent in the 20% most deprived neighbourhoods of England (IMD
	// deciles 1 and 2), and DeprivedShare its share of the total.
	Deprived      linkwork.Pence
	DeprivedShare string
	NeedChart     template.HTML
	AreaChart     template.HTML
	Outstanding   []*OutstandingGrant
	Exports       []ExportLink
	XLSXHref      string
}

// OutstandingGrant is a paid micro-grant whose group has not yet reported back.
type OutstandingGrant struct {
	S           *linkwork.Spend
	Group       string
	Overdue     bool
	DaysOverdue int
}

func (h *Handler) budgetReport(w http.ResponseWriter, r *http.Request) {
	v := &BudgetReportView{Layout: Layout{Title: budgetReportTitle}, Form: NewForm()}
	orgs, err := h.reportOrganisations(r)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	v.Organisations, v.EveryOrganisation = orgs, "All your organisations"
	if principal(r).CanPlaceWide(linkwork.PermBudgetReports) {
		v.EveryOrganisation = "Every organisation"
	}
	f, about, err := h.spendFilter(r, v.Form)
	if err != nil {
		if v.Form.FailWith(err, "from") {
			h.render(w, r, http.StatusUnprocessableEntity, "budget_report", v)
			return
		}
		h.failed(w, r, err)
		return
	}
	rep, err := h.svc.Budgets.SpendReport(r.Context(), f)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	v.Report = buildBudgetReport(spending.Public(rep), about, spendQuery(f, v.Form))
	h.render(w, r, http.StatusOK, "budget_report", v)
}

// spendFilter reads the report's filters from the query into form (as the report will use
// them), and returns the filter and what it covers in words.
func (h *Handler) spendFilter(r *http.Request, form *Form) (linkwork.SpendReportFilter, spending.About, error) {
	p := principal(r)
	q := r.URL.Query()
	in := spending.Query{From: q.Get("from"), To: q.Get("to"), OrganisationID: q.Get("organisation_id")}
	form.Values["from"], form.Values["to"], form.Values["organisation_id"] = strings.TrimSpace(in.From), strings.TrimSpace(in.To),
		strings.TrimSpace(in.OrganisationID)
	f, err := spending.Filter(r.Context(), h.svc.Organisations, p, in, timeNow())
	if err != nil {
		return f, spending.About{}, err
	}
	form.Values["from"], form.Values["to"] = f.From.Format(time.DateOnly), f.To.Format(time.DateOnly)
	about := spending.About{Place: p.Place.Name}
	if len(f.OrganisationIDs) > 0 {
		for _, id := range f.OrganisationIDs {
			name := ""
			for _, m := range p.Memberships {
				if m.OrganisationID == id {
					name = m.OrganisationName
				}
			}
			if name == "" {
				o, err := linkwork.PlaceOrganisation(r.Context(), h.svc.Organisations, p, id)
				if err != nil {
					return f, about, err
				}
				name = o.Name
			}
			about.Organisations = append(about.Organisations, name)
		}
	}
	return f, about, nil
}

// reportOrganisations returns the organisations the reader may narrow the report to: for
// those who report place-wide, every organisation holding a pot; for a manager of more
// than one organisation, theirs; otherwise none, as there is nothing to choose.
func (h *Handler) reportOrganisations(r *http.Request) ([]dirChoice, error) {
	p := principal(r)
	var out []dirChoice
	if p.CanPlaceWide(linkwork.PermBudgetReports) {
		pots, err := h.svc.Budgets.ListPots(r.Context(), linkwork.PotFilter{PlaceID: p.Place.ID})
		if err != nil {
			return nil, err
		}
		seen := map[int64]bool{}
		for _, pot := range pots {
			if !seen[pot.OrganisationID] {
				seen[pot.OrganisationID] = true
				out = append(out, dirChoice{Value: strconv.FormatInt(pot.OrganisationID, 10), Label: pot.OrganisationName})
			}
		}
	} else {
		own := p.OrganisationsWith(linkwork.PermBudgetReports)
		if len(own) < 2 {
			return nil, nil
		}
		for _, m := range p.Memberships {
			if slices.Contains(own, m.OrganisationID) && !slices.ContainsFunc(out, func(c dirChoice) bool { return c.Value == strconv.FormatInt(m.OrganisationID, 10) }) {
				out = append(out, dirChoice{Value: strconv.FormatInt(m.OrganisationID, 10), Label: m.OrganisationName})
			}
		}
	}
	slices.SortFunc(out, func(a, b dirChoice) int { return strings.Compare(a.Label, b.Label) })
	return out, nil
}

// spendQuery is the report's filters as a query, for its exports.
func spendQuery(f linkwork.SpendReportFilter, form *Form) url.Values {
	q := url.Values{"from": {f.From.Format(time.DateOnly)}, "to": {f.To.Format(time.DateOnly)}}
	if id := form.Get("organisation_id"); id != "" {
		q.Set("organisation_id", id)
	}
	return q
}

// buildBudgetReport lays a report (already Public) out for the page.
func buildBudgetReport(rep *linkwork.SpendReport, about spending.About, q url.Values) *BudgetReport {
	out := &BudgetReport{R: rep, About: about, Counts: spending.Count(rep)}
	for _, l := range rep.ByNeighbourhood {
		if l.IMDDecile == 1 || l.IMDDecile == 2 {
			out.Deprived += l.Amount
		}
	}
	if rep.Total > 0 {
		out.DeprivedShare = strconv.FormatInt((int64(out.Deprived)*100+int64(rep.Total)/2)/int64(rep.Total), 10) + "%"
	}
	var bars []report.Bar
	for _, l := range rep.ByNeed {
		bars = append(bars, moneyBar(lineLabel(l), l.Amount))
	}
	out.NeedChart = report.BarChart(report.Chart{ID: "chart-need", Title: "Spend by need",
		Desc: "The money spent on each need, less refunds and reversals.", Bars: bars})
	bars = nil
	for _, l := range rep.ByNeighbourhood {
		label := lineLabel(l)
		if l.IMDDecile > 0 {
			label += " (decile " + strconv.Itoa(l.IMDDecile) + ")"
		}
		bars = append(bars, moneyBar(label, l.Amount))
	}
	out.AreaChart = report.BarChart(report.Chart{ID: "chart-neighbourhood", Title: "Spend by neighbourhood",
		Desc: "The money spent in each neighbourhood, most deprived first, with its IMD decile: decile 1 is the most deprived tenth of England.",
		Bars: bars})
	day := spending.Day(rep)
	for _, s := range rep.Outstanding {
		out.Outstanding = append(out.Outstanding, &OutstandingGrant{S: s, Group: spending.GroupName(s), Overdue: s.ReportOverdue(day),
			DaysOverdue: spending.DaysOverdue(s, day)})
	}
	for _, t := range spending.Index() {
		out.Exports = append(out.Exports, ExportLink{Title: t.Title, Href: withQuery("/budgets/report/export/"+t.Name+".csv", q)})
	}
	out.XLSXHref = withQuery("/budgets/report/export.xlsx", q)
	return out
}

// moneyBar is a bar of a chart of money, its value in pounds and written as money. Money
// paid back in the period for a payment made before it can leave a line below nothing: its
// bar is empty, and its figure says so.
func moneyBar(label string, p linkwork.Pence) report.Bar {
	return report.Bar{Label: label, Value: max(float64(p)/100, 0), Text: p.String()}
}

// lineLabel is a breakdown line's name, or its key when it has none.
func lineLabel(l *linkwork.SpendLine) string {
	if l.Label != "" {
		return l.Label
	}
	if l.Key == "" || l.Key == "0" {
		return "Not known"
	}
	return l.Key
}

// budgetReportWorkbook sends every table of the report as one workbook.
func (h *Handler) budgetReportWorkbook(w http.ResponseWriter, r *http.Request) {
	tables, name, ok := h.budgetReportTables(w, r)
	if !ok {
		return
	}
	var b bytes.Buffer
	if err := report.WriteXLSX(&b, tables); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.sendFile(w, r, &b, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", name+".xlsx")
}

// budgetReportCSV sends one table of the report as CSV.
func (h *Handler) budgetReportCSV(w http.ResponseWriter, r *http.Request) {
	table, isCSV := strings.CutSuffix(r.PathValue("file"), ".csv")
	if !isCSV || !spending.Known(table) {
		h.notFound(w, r)
		return
	}
	tables, name, ok := h.budgetReportTables(w, r)
	if !ok {
		return
	}
	t, _ := spending.Find(tables, table)
	var b bytes.Buffer
	if err := report.WriteCSV(&b, t); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.sendFile(w, r, &b, "text/csv; charset=utf-8", name+"-"+strings.ReplaceAll(table, "_", "-")+".csv")
}

// budgetReportTables works out every table of the report for the exports, with the file
// name they share: "spend-2026-04-01-to-2027-03-31", and the organisation's name when the
// report is of one. It answers the request itself when it cannot: a wrong filter is 400.
func (h *Handler) budgetReportTables(w http.ResponseWriter, r *http.Request) ([]report.Table, string, bool) {
	form := NewForm()
	f, about, err := h.spendFilter(r, form)
	if err != nil {
		if form.FailWith(err, "from") {
			var msgs []string
			for _, e := range form.ErrorList() {
				msgs = append(msgs, e.Message)
			}
			h.errorPage(w, r, http.StatusBadRequest, "That report cannot be made", strings.Join(msgs, " "))
			return nil, "", false
		}
		h.failed(w, r, err)
		return nil, "", false
	}
	rep, err := h.svc.Budgets.SpendReport(r.Context(), f)
	if err != nil {
		h.failed(w, r, err)
		return nil, "", false
	}
	name := "spend-" + f.From.Format(time.DateOnly) + "-to-" + f.To.Format(time.DateOnly)
	if len(about.Organisations) == 1 && form.Get("organisation_id") != "" {
		name += "-" + fileName(about.Organisations[0])
	}
	return spending.Tables(spending.Public(rep), about), name, true
}
