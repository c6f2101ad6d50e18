package web

import (
	"bytes"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"linkwork"
	"linkwork/report"
)

// Workloads: a link worker's own workload (counts, with links to the caseload where the
// names are), a manager's view of their team with early signs of overload, and the NHS
// England social prescribing data items extract. Read live, not from the measures' monthly
// facts.

func (h *Handler) registerWorkload(g registrar) {
	g.Handle("GET", "/workload", linkwork.PermViewWorkload, h.workload)
	g.Handle("GET", "/workload/team", linkwork.PermViewWorkload, h.workloadTeam)
	g.Handle("GET", "/measures/nhs-extract.csv", linkwork.PermViewMeasures, h.nhsExtractCSV)
}

// WorkloadView is the view of a link worker's own workload.
type WorkloadView struct {
	Layout
	W *linkwork.Workload
	// Low and High are where the caseload meter shows it filling up and nearly full.
	Low, High int
	// LimitText says where the limit comes from.
	LimitText string
	// CaseloadLink is the caseload page of the link worker's people, where the overdue
	// ones are listed first, by name.
	CaseloadLink string
	// ThisMonth and LastMonth are the contacts of the last two months; Modes their rows by
	// mode.
	ThisMonth, LastMonth           *linkwork.WorkloadMonth
	ThisMonthLabel, LastMonthLabel string
	Modes                          []WorkloadModeRow
	ContactsChart                  template.HTML
	PeopleChart                    template.HTML
	Months                         []WorkloadMonthRow
	// Scaled is set when the rate a year was worked out from the link worker's first
	// person rather than over the whole year.
	Scaled bool
	// Teams links to the team view, for a manager.
	Teams bool
}

// WorkloadModeRow is a mode's contacts in the last two months.
type WorkloadModeRow struct {
	Label      string
	This, Last *linkwork.ModeCount
}

// WorkloadMonthRow is a month of the table behind the charts.
type WorkloadMonthRow struct {
	Label string
	M     *linkwork.WorkloadMonth
}

func (h *Handler) workload(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	wl, err := h.svc.Workload.Workload(r.Context(), linkwork.WorkloadQuery{PlaceID: p.Place.ID,
		OrganisationIDs: p.WorkloadOrganisations(), WorkerUserID: p.User.ID, Today: timeNow()})
	if err != nil {
		h.failed(w, r, err)
		return
	}
	v := &WorkloadView{Layout: Layout{Title: "Your workload"}, W: wl, Low: fillingUp(wl.Limit), High: nearlyFull(wl.Limit),
		LimitText: limitText(wl), CaseloadLink: "/people?worker=" + strconv.FormatInt(p.User.ID, 10),
		ThisMonth: wl.ThisMonth(), LastMonth: wl.LastMonth(), Teams: len(p.ManagedOrganisations()) > 0}
	v.ThisMonthLabel, v.LastMonthLabel = workloadMonthLabel(v.ThisMonth.Month), workloadMonthLabel(v.LastMonth.Month)
	for i, mode := range linkwork.ContactModes {
		v.Modes = append(v.Modes, WorkloadModeRow{Label: mode.Label(), This: v.ThisMonth.ByMode[i], Last: v.LastMonth.ByMode[i]})
	}
	var contacts, people []report.Bar
	for _, m := range wl.Months {
		label := workloadMonthLabel(m.Month)
		v.Months = append(v.Months, WorkloadMonthRow{Label: label, M: m})
		contacts = append(contacts, report.Bar{Label: label, Value: float64(m.Contacts)})
		people = append(people, report.Bar{Label: label, Value: float64(m.NewPeople)})
	}
	v.ContactsChart = report.BarChart(report.Chart{ID: "chart-contacts", Title: "Your contacts month by month",
		Desc: "The contacts you recorded in each of the last 12 months, this month so far last.", Bars: contacts})
	v.PeopleChart = report.BarChart(report.Chart{ID: "chart-new-people", Title: "New people month by month",
		Desc: "The people whose support began with you as their link worker in each of the last 12 months.", Bars: people})
	v.Scaled = wl.RateFrom != wl.SupportedFrom
	h.render(w, r, http.StatusOK, "workload", v)
}

// limitText says where a caseload limit comes from.
func limitText(w *linkwork.Workload) string {
	switch w.LimitFrom {
	case linkwork.LimitOwn:
		return "your own limit"
	case linkwork.LimitScheme:
		return "your scheme’s limit"
	}
	return "linkwork’s usual limit, as neither you nor your scheme has set one"
}

// workloadMonthLabel shows "2026-04" as "April 2026".
func workloadMonthLabel(month string) string {
	m, err := time.Parse("2006-01", month)
	if err != nil {
		return month
	}
	return m.Format("January 2006")
}

// TeamView is the view of the teams a manager manages.
type TeamView struct {
	Layout
	Teams []*TeamSection
}

// TeamSection is one organisation's team.
type TeamSection struct {
	T    *linkwork.TeamWorkload
	Rows []TeamRow
}

// TeamRow is one link worker in a team.
type TeamRow struct {
	W         *linkwork.Workload
	Low, High int
	Flags     []string
}

func (h *Handler) workloadTeam(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	orgs := p.ManagedOrganisations()
	if raw := r.URL.Query().Get("organisation"); raw != "" {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || id <= 0 {
			h.notFound(w, r)
			return
		}
		org, err := h.svc.Organisations.FindOrganisationByID(r.Context(), id)
		switch {
		case isNotFound(err) || err == nil && org.PlaceID != p.Place.ID:
			h.notFound(w, r)
			return
		case err != nil:
			h.serverError(w, r, err)
			return
		case !p.ManagesOrganisation(id):
			h.forbidden(w, r)
			return
		}
		orgs = []int64{id}
	}
	if len(orgs) == 0 {
		h.forbidden(w, r) // a link worker who manages no team
		return
	}
	v := &TeamView{Layout: Layout{Title: "Your team’s workload"}}
	for _, id := range orgs {
		t, err := h.svc.Workload.Team(r.Context(), p.Place.ID, id, timeNow())
		if err != nil {
			h.failed(w, r, err)
			return
		}
		if err := h.svc.Audit.RecordAudit(r.Context(), &linkwork.AuditEvent{Action: linkwork.AuditWorkloadView,
			RecordType: "organisation", RecordID: strconv.FormatInt(id, 10), Detail: "team workload"}); err != nil {
			h.serverError(w, r, err)
			return
		}
		s := &TeamSection{T: t}
		for _, wl := range t.Workers {
			row := TeamRow{W: wl, Low: fillingUp(wl.Limit), High: nearlyFull(wl.Limit)}
			for _, f := range wl.Flags {
				row.Flags = append(row.Flags, f.Label())
			}
			s.Rows = append(s.Rows, row)
		}
		v.Teams = append(v.Teams, s)
	}
	h.render(w, r, http.StatusOK, "workload_team", v)
}

// nhsExtractColumns are the extract's columns, as docs/measures-nhs-extract.md describes
// them.
var nhsExtractColumns = []string{"Month", "Scheme", "Organisation", "Referral source", "SNOMED CT code", "SNOMED CT description", "Count"}

// NHSExtractTable is the extract as a report table.
func NHSExtractTable(rows []*linkwork.NHSExtractRow) report.Table {
	t := report.Table{Name: "nhs-extract", Title: "NHS England social prescribing data items", Header: nhsExtractColumns,
		Rows: [][]string{}, Numeric: []bool{6: true}}
	for _, row := range rows {
		t.Rows = append(t.Rows, []string{row.Month, row.Scheme, row.Organisation, row.ReferralSourceLabel, row.SNOMEDCode,
			row.SNOMEDDescription, row.CountText()})
	}
	return t
}

func (h *Handler) nhsExtractCSV(w http.ResponseWriter, r *http.Request) {
	d, err := linkwork.NHSExtractFor(r.Context(), h.svc.Workload, h.svc.Measures, principal(r), r.URL.Query().Get("from"),
		r.URL.Query().Get("to"), timeNow())
	if err != nil {
		h.failed(w, r, err)
		return
	}
	if err := h.svc.Audit.RecordAudit(r.Context(), &linkwork.AuditEvent{Action: linkwork.AuditMeasureExport, RecordType: "measures",
		Detail: d.Describe()}); err != nil {
		h.serverError(w, r, err)
		return
	}
	var b bytes.Buffer
	if err := report.WriteCSV(&b, NHSExtractTable(d.Rows)); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.sendFile(w, r, &b, "text/csv; charset=utf-8", "nhs-extract-"+d.From+"-to-"+d.To+".csv")
}
