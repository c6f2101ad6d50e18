package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"linkwork"
)

// Workloads: a link worker's own workload, a manager's teams, and the NHS England social
// prescribing data items extract. Counts only, read live.

func (h *Handler) registerWorkload(g registrar) {
	g.Handle("GET", Prefix+"/workload", linkwork.PermViewWorkload, h.workload)
	g.Handle("GET", Prefix+"/workload/team", linkwork.PermViewWorkload, h.workloadTeam)
	g.Handle("GET", Prefix+"/measures/nhs-extract", linkwork.PermViewMeasures, h.nhsExtract)
}

// TeamWorkloads is the answer of GET /workload/team: the team of each organisation asked
// about.
type TeamWorkloads struct {
	Teams []*linkwork.TeamWorkload `json:"teams"`
}

func (h *Handler) workload(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	wl, err := h.svc.Workload.Workload(r.Context(), linkwork.WorkloadQuery{PlaceID: p.Place.ID,
		OrganisationIDs: p.WorkloadOrganisations(), WorkerUserID: p.User.ID})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, wl)
}

// workloadTeam answers the teams of the organisations the principal manages, or of the one
// organisation_id names: 404 if it is not in their place, 403 if they do not manage it.
// Looking is recorded, as the answer names link workers and counts their people.
func (h *Handler) workloadTeam(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	orgs := p.ManagedOrganisations()
	if raw := strings.TrimSpace(r.URL.Query().Get("organisation_id")); raw != "" {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || id <= 0 {
			h.fail(w, r, linkwork.FieldError("organisation_id", "organisation_id must be the ID of an organisation, a whole number."))
			return
		}
		org, err := h.svc.Organisations.FindOrganisationByID(r.Context(), id)
		switch {
		case err == nil && org.PlaceID != p.Place.ID:
			h.fail(w, r, linkwork.Errorf(linkwork.ENOTFOUND, "Organisation not found."))
			return
		case err != nil:
			h.fail(w, r, err)
			return
		case !p.ManagesOrganisation(id):
			h.fail(w, r, linkwork.Errorf(linkwork.EFORBIDDEN, "Only the organisation's managers see its team's workload."))
			return
		}
		orgs = []int64{id}
	}
	if len(orgs) == 0 {
		h.fail(w, r, linkwork.Errorf(linkwork.EFORBIDDEN, "Only managers see a team's workload."))
		return
	}
	out := TeamWorkloads{Teams: []*linkwork.TeamWorkload{}}
	for _, id := range orgs {
		t, err := h.svc.Workload.Team(r.Context(), p.Place.ID, id, time.Time{})
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if err := h.svc.Audit.RecordAudit(r.Context(), &linkwork.AuditEvent{Action: linkwork.AuditWorkloadView,
			RecordType: "organisation", RecordID: strconv.FormatInt(id, 10), Detail: "team workload"}); err != nil {
			h.fail(w, r, err)
			return
		}
		out.Teams = append(out.Teams, t)
	}
	writeJSON(w, http.StatusOK, out)
}

// nhsExtract answers the rows of the NHS England extract, as the CSV at
// /measures/nhs-extract.csv has them: a suppressed count is null.
func (h *Handler) nhsExtract(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d, err := linkwork.NHSExtractFor(r.Context(), h.svc.Workload, h.svc.Measures, principal(r), q.Get("from"), q.Get("to"), time.Now())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.svc.Audit.RecordAudit(r.Context(), &linkwork.AuditEvent{Action: linkwork.AuditMeasureExport, RecordType: "measures",
		Detail: d.Describe()}); err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}
