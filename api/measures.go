package api

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"linkwork"
)

// The measures API: the place's catalogue and choices, a scope's dashboard over any months
// (the same figures the dashboard page shows: safe aggregates unless the principal sees the
// people behind the scope), the place's settings and own measures, and an organisation's
// monthly figures for them. The facts dashboards are made from are not exposed: they hold
// small counts that only a dashboard's suppression makes safe.
func (h *Handler) registerMeasures(g registrar) {
	view := linkwork.PermViewMeasures
	g.Handle("GET", Prefix+"/measures", view, h.measureCatalogue)
	g.Handle("GET", Prefix+"/measures/dashboard", view, h.measureDashboard)
	g.Handle("PUT", Prefix+"/measures/settings", linkwork.PermManageMeasures, h.putMeasureSettings)
	g.Handle("POST", Prefix+"/measures/local", linkwork.PermManageMeasures, h.createLocalMeasure)
	g.Handle("PUT", Prefix+"/measures/local/{id}/values", linkwork.PermEnterLocalMeasures, h.putLocalMeasureValue)
}

// MeasureCatalogue is the answer of GET /measures: every measure the place's dashboards
// may show (the built-in ones, then the place's own, retired ones too), the place's own
// measures in full, and its settings: which it shows, in order, and how small numbers are
// hidden.
type MeasureCatalogue struct {
	Measures []linkwork.MeasureDefinition `json:"measures"`
	Local    []*linkwork.LocalMeasure     `json:"local"`
	Settings *linkwork.MeasureSettings    `json:"settings"`
}

// MeasureSettingsBody is the body of PUT /measures/settings: the measures to show, in
// order, and the rule for small numbers (the place's rule is kept when it is left out).
type MeasureSettingsBody struct {
	Measures    []linkwork.MeasureCode    `json:"measures"`
	Suppression *linkwork.SuppressionRule `json:"suppression"`
}

// LocalMeasureBody is the body of POST /measures/local.
type LocalMeasureBody struct {
	Name        string `json:"name"`
	Definition  string `json:"definition"`
	Unit        string `json:"unit"`
	AboutPeople *bool  `json:"about_people"`
}

// LocalValueBody is the body of PUT /measures/local/{id}/values: an organisation's figure
// for a month, replacing what it entered before.
type LocalValueBody struct {
	OrganisationID int64  `json:"organisation_id"`
	Month          string `json:"month"` // YYYY-MM
	Value          *int64 `json:"value"`
}

// The limits of the rule for small numbers a place may set: enough to hide what NHS
// guidance hides (as the settings page allows).
const (
	maxThreshold     = 20
	maxRoundTo       = 10
	maxMeasureMonths = 60
)

func (h *Handler) measureCatalogue(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	placeID := principal(r).Place.ID
	settings, err := h.svc.Measures.MeasureSettings(ctx, placeID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	local, err := h.svc.Measures.ListLocalMeasures(ctx, placeID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, MeasureCatalogue{Measures: measureDefinitions(local), Local: local, Settings: settings})
}

// measureDefinitions is the place's catalogue: the built-in measures and its own.
func measureDefinitions(local []*linkwork.LocalMeasure) []linkwork.MeasureDefinition {
	defs := slices.Clone(linkwork.BuiltInMeasures)
	for _, m := range local {
		defs = append(defs, linkwork.MeasureDefinition{Code: m.Code(), Name: m.Name, Definition: m.Definition,
			AboutPeople: m.AboutPeople, Local: true})
	}
	return defs
}

// readMonth reads a month parameter ("2026-04"); ok is false when it is not one.
func readMonth(s string) (time.Time, bool) {
	t, err := time.Parse("2006-01", s)
	return t, err == nil && len(s) == 7
}

// dashboardPeriod reads from and to ("2026-04"): the last twelve complete months when both
// are left out, the twelve months from or to the one given otherwise.
func dashboardPeriod(r *http.Request, now time.Time) (time.Time, time.Time, error) {
	y, m, _ := now.In(linkwork.London).Date()
	current := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	q := r.URL.Query()
	fromText, toText := strings.TrimSpace(q.Get("from")), strings.TrimSpace(q.Get("to"))
	from, to := current.AddDate(0, -12, 0), current.AddDate(0, -1, 0)
	var ps linkwork.Problems
	if fromText != "" {
		var ok bool
		if from, ok = readMonth(fromText); !ok {
			ps.Add(linkwork.FieldError("from", "from must be a year and month, such as %s.", current.AddDate(-1, 0, 0).Format("2006-01")))
		}
	}
	if toText != "" {
		var ok bool
		if to, ok = readMonth(toText); !ok {
			ps.Add(linkwork.FieldError("to", "to must be a year and month, such as %s.", current.AddDate(0, -1, 0).Format("2006-01")))
		}
	}
	if err := ps.Err(); err != nil {
		return from, to, err
	}
	switch {
	case fromText != "" && toText == "":
		to = from.AddDate(0, 11, 0)
		if to.After(current) {
			to = current
		}
	case toText != "" && fromText == "":
		from = to.AddDate(0, -11, 0)
	}
	months := (to.Year()-from.Year())*12 + int(to.Month()) - int(from.Month()) + 1
	switch {
	case from.Year() < 2000:
		return from, to, linkwork.FieldError("from", "from must be 2000-01 or later.")
	case to.After(current):
		return from, to, linkwork.FieldError("to", "to cannot be after this month, %s.", current.Format("2006-01"))
	case to.Before(from):
		return from, to, linkwork.FieldError("to", "to must be from (%s) or later.", from.Format("2006-01"))
	case months > maxMeasureMonths:
		return from, to, linkwork.FieldError("to", "A dashboard covers at most five years (%d months): from %s, to can be %s at the latest.",
			maxMeasureMonths, from.Format("2006-01"), from.AddDate(0, maxMeasureMonths-1, 0).Format("2006-01"))
	}
	return from, to, nil
}

// dashboardScope reads scope (place, scheme, organisation or neighbourhood) and key.
func dashboardScope(r *http.Request) (linkwork.Scope, error) {
	q := r.URL.Query()
	kind := linkwork.ScopeKind(strings.TrimSpace(q.Get("scope")))
	key := strings.TrimSpace(q.Get("key"))
	switch kind {
	case "", linkwork.ScopePlace:
		return linkwork.Scope{Kind: linkwork.ScopePlace}, nil
	case linkwork.ScopeScheme, linkwork.ScopeOrganisation, linkwork.ScopeNeighbourhood:
		if key == "" {
			return linkwork.Scope{}, linkwork.FieldError("key", "key must name the %s: its %s.", kind,
				map[linkwork.ScopeKind]string{linkwork.ScopeScheme: "service ID", linkwork.ScopeOrganisation: "ID",
					linkwork.ScopeNeighbourhood: "LSOA code, such as E01010994"}[kind])
		}
		if kind == linkwork.ScopeNeighbourhood {
			key = strings.ToUpper(key)
		}
		return linkwork.Scope{Kind: kind, Key: key}, nil
	}
	return linkwork.Scope{}, linkwork.FieldError("scope", "scope must be place, scheme, organisation or neighbourhood.")
}

func (h *Handler) measureDashboard(w http.ResponseWriter, r *http.Request) {
	scope, err := dashboardScope(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	from, to, err := dashboardPeriod(r, time.Now())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d, err := h.makeDashboard(r.Context(), principal(r), scope, from, to)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

// makeDashboard builds a scope's dashboard as the dashboard page does: from its facts since
// the first month held (and, for the place and an organisation, the referrals of the schemes
// within it), made safe under the place's rule unless the principal sees the people behind
// the scope.
func (h *Handler) makeDashboard(ctx context.Context, p *linkwork.Principal, scope linkwork.Scope, from, to time.Time) (*linkwork.Dashboard, error) {
	ms := h.svc.Measures
	mc, err := ms.MeasureContext(ctx, p.Place.ID, scope)
	if err != nil {
		return nil, err
	}
	settings, err := ms.MeasureSettings(ctx, p.Place.ID)
	if err != nil {
		return nil, err
	}
	fromMonth, toMonth := from.Format("2006-01"), to.Format("2006-01")
	facts, err := ms.DashboardFacts(ctx, p.Place.ID, scope, fromMonth, toMonth)
	if err != nil {
		return nil, err
	}
	var org int64
	id, _ := strconv.ParseInt(scope.Key, 10, 64)
	switch scope.Kind {
	case linkwork.ScopeOrganisation:
		org = id
	case linkwork.ScopeScheme:
		org = mc.SchemeOrganisations[id]
	}
	if scope.Kind == linkwork.ScopePlace || scope.Kind == linkwork.ScopeOrganisation {
		schemes := map[int64]bool{}
		for s, o := range mc.SchemeOrganisations {
			if scope.Kind == linkwork.ScopePlace || o == org {
				schemes[s] = true
			}
		}
		more, err := ms.SchemeReferrals(ctx, p.Place.ID, fromMonth, toMonth)
		if err != nil {
			return nil, err
		}
		for _, f := range more {
			if id, err := strconv.ParseInt(f.ScopeKey, 10, 64); err == nil && schemes[id] {
				facts = append(facts, f)
			}
		}
	}
	state, err := ms.State(ctx, p.Place.ID)
	if err != nil {
		return nil, err
	}
	scope.Name = p.Place.Name
	switch scope.Kind {
	case linkwork.ScopeScheme:
		scope.Name = mc.Schemes[id]
	case linkwork.ScopeOrganisation:
		scope.Name = mc.Organisations[id]
	case linkwork.ScopeNeighbourhood:
		scope.Name = mc.Neighbourhoods[scope.Key]
	}
	q := linkwork.MeasureQuery{PlaceID: p.Place.ID, Scope: scope, From: from, To: to, Measures: settings.Measures}
	d := linkwork.BuildDashboard(measureDefinitions(mc.Local), q, facts, mc)
	d.State, d.Rule = state, settings.Suppression
	if !p.SeesPeopleOf(scope, org) {
		d.Suppress(settings.Suppression)
	}
	// Lists are always lists in the answer, never null.
	for _, res := range d.Results {
		for _, t := range res.Tables {
			if t.Rows == nil {
				t.Rows = []*linkwork.MeasureRow{}
			}
			for _, row := range append(slices.Clone(t.Rows), t.Total) {
				if row != nil && row.Cells == nil {
					row.Cells = []*linkwork.MeasureCell{}
				}
			}
		}
	}
	return d, nil
}

func (h *Handler) putMeasureSettings(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	var body MeasureSettingsBody
	if err := decode(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	current, err := h.svc.Measures.MeasureSettings(r.Context(), p.Place.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	st := &linkwork.MeasureSettings{PlaceID: p.Place.ID, Measures: body.Measures, Suppression: current.Suppression}
	var ps linkwork.Problems
	if body.Measures == nil {
		ps.Add(linkwork.FieldError("measures", "measures must list the codes of the measures to show, in order."))
	}
	if s := body.Suppression; s != nil {
		if s.Threshold < 0 || s.Threshold > maxThreshold {
			ps.Add(linkwork.FieldError("suppression.threshold", "suppression.threshold must be a whole number from 0 to %d: the largest count hidden (7 is usual).", maxThreshold))
		}
		if s.RoundTo < 1 || s.RoundTo > maxRoundTo {
			ps.Add(linkwork.FieldError("suppression.round_to", "suppression.round_to must be a whole number from 1 to %d: what other counts are rounded to (5 is usual; 1 does not round).", maxRoundTo))
		}
		st.Suppression = *s
	}
	if err := ps.Err(); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.svc.Measures.SetMeasureSettings(r.Context(), st); err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func (h *Handler) createLocalMeasure(w http.ResponseWriter, r *http.Request) {
	var body LocalMeasureBody
	if err := decode(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	if body.AboutPeople == nil {
		h.fail(w, r, linkwork.FieldError("about_people", "about_people must be true (it counts people, so small numbers are hidden) or false."))
		return
	}
	m := &linkwork.LocalMeasure{PlaceID: principal(r).Place.ID, Name: body.Name, Definition: body.Definition, Unit: body.Unit,
		AboutPeople: *body.AboutPeople}
	if err := h.svc.Measures.CreateLocalMeasure(r.Context(), m); err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, m)
}

func (h *Handler) putLocalMeasureValue(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	local, err := h.svc.Measures.ListLocalMeasures(r.Context(), p.Place.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !slices.ContainsFunc(local, func(m *linkwork.LocalMeasure) bool { return m.ID == id }) {
		h.fail(w, r, linkwork.Errorf(linkwork.ENOTFOUND, "There is no local measure %d in %s.", id, p.Place.Name))
		return
	}
	var body LocalValueBody
	if err := decode(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	var ps linkwork.Problems
	if body.OrganisationID == 0 {
		ps.Add(linkwork.FieldError("organisation_id", "organisation_id must be the ID of the organisation the figure is for."))
	}
	month, ok := readMonth(strings.TrimSpace(body.Month))
	if !ok {
		ps.Add(linkwork.FieldError("month", "month must be a year and month, such as 2026-04."))
	}
	if body.Value == nil {
		ps.Add(linkwork.FieldError("value", "value must be a whole number, 0 or more."))
	}
	if err := ps.Err(); err != nil {
		h.fail(w, r, err)
		return
	}
	if !p.CanIn(linkwork.PermEnterLocalMeasures, body.OrganisationID) {
		h.fail(w, r, linkwork.Errorf(linkwork.EFORBIDDEN, "Only the managers of an organisation enter its figures: organisation %d is not one of yours.", body.OrganisationID))
		return
	}
	v := &linkwork.LocalMeasureValue{MeasureID: id, OrganisationID: body.OrganisationID, Month: month, Value: *body.Value}
	if err := h.svc.Measures.SetLocalMeasureValue(r.Context(), v); err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}
