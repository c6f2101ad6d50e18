package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"linkwork"
)

// A place's measures settings, for its administrators: which measures its dashboards show
// and in what order, how small numbers are hidden and rounded, and its own measures, added
// here and retired when no longer collected. And the page where an organisation's managers
// enter its monthly figures for those measures.
func (h *Handler) registerMeasureSettings(g registrar) {
	manage := linkwork.PermManageMeasures
	g.Handle("GET", "/settings/measures", manage, h.measureSettings)
	g.Handle("POST", "/settings/measures", manage, h.saveMeasureSettings)
	g.Handle("POST", "/settings/measures/local", manage, h.addLocalMeasure)
	g.Handle("POST", "/settings/measures/local/{id}/retire", manage, h.retireLocalMeasure)
	enter := linkwork.PermEnterLocalMeasures
	g.Handle("GET", "/measures/local", enter, h.localValues)
	g.Handle("POST", "/measures/local", enter, h.saveLocalValues)
}

func init() {
	for k, v := range map[string]string{
		"measure-settings-saved": "The measures settings have been saved. Dashboards, exports and board packs use them now.",
		"local-measure-added":    "The measure has been added. Tick it in the list to show it on the dashboards; managers can now enter their organisation's figures.",
		"local-measure-retired":  "The measure has been retired. Its figures are kept; no more can be entered.",
		"local-values-saved":     "Your organisation's figures have been saved. The dashboards show them within a few minutes.",
	} {
		flashMessages[k] = v
	}
}

// The limits of the suppression rule a place may set here: enough to hide what NHS
// guidance hides, and no more, so that a dashboard still says something.
const (
	maxThreshold = 20
	maxRoundTo   = 10
	maxPosition  = 99
)

// What the settings page says about each limit, and the messages when a value is wrong.
var (
	thresholdMessage = fmt.Sprintf("Enter the largest count to hide as a whole number from 0 to %d: 7 is usual, and 0 hides nothing.", maxThreshold)
	roundToMessage   = fmt.Sprintf("Enter what to round counts to as a whole number from 1 to %d: 5 is usual, and 1 does not round.", maxRoundTo)
)

// MeasureSettingsView is the view of the measures settings page.
type MeasureSettingsView struct {
	Layout
	// Form holds the choices (measures, position-<code>, threshold, round_to); LocalForm
	// the measure being added (name, definition, unit, about_people).
	Form      *Form
	LocalForm *Form
	Rows      []*MeasureSettingRow
	Local     []*linkwork.LocalMeasure
	YesNo     []dirChoice
}

// MeasureSettingRow is one measure the dashboards may show.
type MeasureSettingRow struct {
	Code       string
	Name       string
	Definition string
	Local      bool
	Retired    bool
	Checked    bool
	// BoxID is the checkbox's id; PositionField the name and id of its position.
	BoxID, PositionField string
}

// positionField is the name of a measure's position field.
func positionField(code linkwork.MeasureCode) string { return "position-" + string(code) }

// measureSettingsView fills the page: every measure, those chosen first in their order, then
// the rest in the catalogue's order (a retired measure of the place's own only while
// chosen). With fill, the form takes the saved settings; otherwise it keeps what was sent.
func (h *Handler) measureSettingsView(r *http.Request, f, local *Form, fill bool) (*MeasureSettingsView, error) {
	ctx := r.Context()
	p := principal(r)
	settings, err := h.svc.Measures.MeasureSettings(ctx, p.Place.ID)
	if err != nil {
		return nil, err
	}
	locals, err := h.svc.Measures.ListLocalMeasures(ctx, p.Place.ID)
	if err != nil {
		return nil, err
	}
	f.Order = []string{"measures", "threshold", "round_to"}
	local.Order = []string{"name", "definition", "unit", "about_people"}
	v := &MeasureSettingsView{Layout: Layout{Title: "Measures settings"}, Form: f, LocalForm: local, Local: locals,
		YesNo: []dirChoice{{Value: "yes", Label: "Yes: it counts people, so small numbers are hidden", ID: "about_people"},
			{Value: "no", Label: "No: it counts something else, such as talks or hours", ID: "about_people-no"}}}
	retired := map[linkwork.MeasureCode]bool{}
	for _, m := range locals {
		retired[m.Code()] = m.Retired
	}
	defs := measureDefinitions(locals)
	chosen := settings.Measures
	if fill {
		f.Values["threshold"] = strconv.FormatInt(settings.Suppression.Threshold, 10)
		f.Values["round_to"] = strconv.FormatInt(settings.Suppression.RoundTo, 10)
		for i, c := range chosen {
			f.Values[positionField(c)] = strconv.Itoa(i + 1)
		}
	} else {
		chosen = nil
		for _, c := range strings.Split(f.Get("measures"), "\n") {
			if c != "" {
				chosen = append(chosen, linkwork.MeasureCode(c))
			}
		}
	}
	add := func(d linkwork.MeasureDefinition, checked bool) {
		v.Rows = append(v.Rows, &MeasureSettingRow{Code: string(d.Code), Name: d.Name, Definition: d.Definition, Local: d.Local,
			Retired: retired[d.Code], Checked: checked, BoxID: "measure-" + string(d.Code), PositionField: positionField(d.Code)})
	}
	for _, c := range chosen {
		if i := slices.IndexFunc(defs, func(d linkwork.MeasureDefinition) bool { return d.Code == c }); i >= 0 {
			add(defs[i], true)
		}
	}
	for _, d := range defs {
		if !slices.Contains(chosen, d.Code) && !retired[d.Code] {
			add(d, false)
		}
	}
	if len(v.Rows) > 0 {
		v.Rows[0].BoxID = "measures" // the error summary links to the first box
	}
	return v, nil
}

func (h *Handler) measureSettings(w http.ResponseWriter, r *http.Request) {
	local := NewForm()
	local.Values["about_people"] = "yes"
	v, err := h.measureSettingsView(r, NewForm(), local, true)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "measure_settings", v)
}

// readWhole reads a whole number from lo to hi, failing the field with msg.
func readWhole(f *Form, field string, lo, hi int64, msg string) int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(f.Get(field)), 10, 64)
	if err != nil || n < lo || n > hi {
		f.Fail(field, msg)
		return 0
	}
	return n
}

func (h *Handler) saveMeasureSettings(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if err := r.ParseForm(); err != nil {
		h.errorPage(w, r, http.StatusBadRequest, "That could not be done", "The form could not be read. Go back and try again.")
		return
	}
	f := formFrom(r, "threshold", "round_to")
	codes := r.PostForm["measures"]
	f.setAll("measures", codes)
	names := map[string]string{}
	for _, d := range linkwork.BuiltInMeasures {
		names[string(d.Code)] = d.Name
	}
	locals, err := h.svc.Measures.ListLocalMeasures(r.Context(), p.Place.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	for _, m := range locals {
		names[string(m.Code())] = m.Name
	}

	// The measures chosen, in the order of their positions; those without one after the
	// rest, in the order listed.
	type chosenMeasure struct {
		code     linkwork.MeasureCode
		position int64
	}
	var chosen []chosenMeasure
	for _, c := range codes {
		code := linkwork.MeasureCode(c)
		field := positionField(code)
		f.Values[field] = strings.TrimSpace(r.PostFormValue(field))
		if names[c] == "" {
			f.Fail("measures", fmt.Sprintf("There is no measure %q: choose from the list.", c))
			continue
		}
		position := int64(maxPosition + 1)
		if f.Values[field] != "" {
			position = readWhole(f, field, 1, maxPosition, fmt.Sprintf("Enter the position of %s as a whole number from 1 to %d, or leave it empty to put it last.",
				names[c], maxPosition))
		}
		chosen = append(chosen, chosenMeasure{code, position})
	}
	if len(codes) == 0 {
		f.Fail("measures", "Choose at least one measure for the dashboards to show.")
	}
	rule := linkwork.SuppressionRule{Threshold: readWhole(f, "threshold", 0, maxThreshold, thresholdMessage),
		RoundTo: readWhole(f, "round_to", 1, maxRoundTo, roundToMessage)}
	if !f.HasErrors() {
		slices.SortStableFunc(chosen, func(a, b chosenMeasure) int { return int(a.position - b.position) })
		st := &linkwork.MeasureSettings{PlaceID: p.Place.ID, Suppression: rule}
		for _, c := range chosen {
			st.Measures = append(st.Measures, c.code)
		}
		err := h.svc.Measures.SetMeasureSettings(r.Context(), st)
		if err == nil {
			h.redirect(w, r, "/settings/measures", "measure-settings-saved")
			return
		}
		if !f.FailWith(err, "measures") {
			h.serverError(w, r, err)
			return
		}
	}
	local := NewForm()
	local.Values["about_people"] = "yes"
	v, err := h.measureSettingsView(r, f, local, false)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, http.StatusUnprocessableEntity, "measure_settings", v)
}

func (h *Handler) addLocalMeasure(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	local := formFrom(r, "name", "definition", "unit", "about_people")
	m := &linkwork.LocalMeasure{PlaceID: p.Place.ID, Name: local.Get("name"), Definition: local.Get("definition"), Unit: local.Get("unit")}
	switch local.Get("about_people") {
	case "yes":
		m.AboutPeople = true
	case "no":
	default:
		local.Fail("about_people", "Say whether the measure counts people: if it does, small numbers are hidden as they are for the built-in measures.")
	}
	if !local.HasErrors() {
		err := h.svc.Measures.CreateLocalMeasure(r.Context(), m)
		if err == nil {
			h.redirect(w, r, "/settings/measures#local", "local-measure-added")
			return
		}
		if !local.FailWith(err, "name") {
			h.serverError(w, r, err)
			return
		}
	}
	v, verr := h.measureSettingsView(r, NewForm(), local, true)
	if verr != nil {
		h.serverError(w, r, verr)
		return
	}
	h.render(w, r, http.StatusUnprocessableEntity, "measure_settings", v)
}

func (h *Handler) retireLocalMeasure(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.failed(w, r, err)
		return
	}
	if err := h.svc.Measures.RetireLocalMeasure(r.Context(), principal(r).Place.ID, id); err != nil {
		h.failed(w, r, err)
		return
	}
	h.redirect(w, r, "/settings/measures#local", "local-measure-retired")
}

// LocalValuesView is the view of the page where a manager enters their organisation's
// figures for the place's own measures.
type LocalValuesView struct {
	Layout
	// Form holds organisation_id, month and value-<id> for each measure.
	Form          *Form
	Organisations []dirChoice
	Measures      []*linkwork.LocalMeasure
	// Recent is the organisation's figures for the last twelve months, newest first.
	Recent    []*LocalValuesMonth
	OrgName   string
	CanManage bool
}

// LocalValuesMonth is a month of an organisation's figures, one a measure (in the order of
// Measures; "" where none was entered).
type LocalValuesMonth struct {
	Month  string
	Values []string
}

// ValueField is the input of a measure's value.
func (v *LocalValuesView) ValueField(m *linkwork.LocalMeasure) Field {
	return Field{Form: v.Form, Name: valueField(m.ID), Label: m.Name + " (" + m.Unit + ")", Type: "text", Hint: m.Definition, Width: "10"}
}

func valueField(id int64) string { return "value-" + strconv.FormatInt(id, 10) }

// enterableOrganisations are the organisations whose figures the principal enters, by name.
func enterableOrganisations(r *http.Request) []dirChoice {
	p := principal(r)
	var out []dirChoice
	for _, id := range p.OrganisationsWith(linkwork.PermEnterLocalMeasures) {
		name := ""
		for _, m := range p.Memberships {
			if m.OrganisationID == id {
				name = m.OrganisationName
			}
		}
		out = append(out, dirChoice{Value: strconv.FormatInt(id, 10), Label: name})
	}
	slices.SortFunc(out, func(a, b dirChoice) int { return strings.Compare(a.Label, b.Label) })
	return out
}

// localValuesView fills the page for an organisation (one of the principal's) and month:
// the place's measures still collected, and the organisation's last twelve months.
func (h *Handler) localValuesView(r *http.Request, f *Form, orgID int64, month time.Time, fill bool) (*LocalValuesView, error) {
	ctx := r.Context()
	p := principal(r)
	orgs := enterableOrganisations(r)
	all, err := h.svc.Measures.ListLocalMeasures(ctx, p.Place.ID)
	if err != nil {
		return nil, err
	}
	v := &LocalValuesView{Layout: Layout{Title: "Your organisation's figures"}, Form: f, Organisations: orgs, CanManage: p.Can(linkwork.PermManageMeasures)}
	f.Order = []string{"organisation_id", "month"}
	for _, m := range all {
		if !m.Retired {
			v.Measures = append(v.Measures, m)
			f.Order = append(f.Order, valueField(m.ID))
		}
	}
	for _, o := range orgs {
		if o.Value == strconv.FormatInt(orgID, 10) {
			v.OrgName = o.Label
		}
	}
	if orgID == 0 {
		return v, nil
	}
	last := thisMonth(time.Now())
	values, err := h.svc.Measures.LocalMeasureValues(ctx, orgID, last.AddDate(0, -11, 0).Format("2006-01"), last.Format("2006-01"))
	if err != nil {
		return nil, err
	}
	byMonth := map[string]map[int64]int64{}
	for _, val := range values {
		k := val.Month.Format("2006-01")
		if byMonth[k] == nil {
			byMonth[k] = map[int64]int64{}
		}
		byMonth[k][val.MeasureID] = val.Value
	}
	for m := last; !m.Before(last.AddDate(0, -11, 0)); m = m.AddDate(0, -1, 0) {
		row := &LocalValuesMonth{Month: m.Format("January 2006")}
		got := byMonth[m.Format("2006-01")]
		for _, lm := range v.Measures {
			if n, ok := got[lm.ID]; ok {
				row.Values = append(row.Values, strconv.FormatInt(n, 10))
			} else {
				row.Values = append(row.Values, "")
			}
		}
		v.Recent = append(v.Recent, row)
	}
	if fill {
		for _, lm := range v.Measures {
			if n, ok := byMonth[month.Format("2006-01")][lm.ID]; ok {
				f.Values[valueField(lm.ID)] = strconv.FormatInt(n, 10)
			}
		}
	}
	return v, nil
}

// chosenOrganisation reads the organisation the figures are for: one the principal enters
// figures for (the only one, if they have one and none is given). ok is false when the
// request was answered: 403 for an organisation that is not theirs.
func (h *Handler) chosenOrganisation(w http.ResponseWriter, r *http.Request, f *Form, value string) (int64, bool) {
	p := principal(r)
	mine := p.OrganisationsWith(linkwork.PermEnterLocalMeasures)
	value = strings.TrimSpace(value)
	f.Values["organisation_id"] = value
	if value == "" {
		if len(mine) == 1 {
			f.Values["organisation_id"] = strconv.FormatInt(mine[0], 10)
			return mine[0], true
		}
		return 0, true
	}
	id, err := strconv.ParseInt(value, 10, 64)
	if err != nil || !p.CanIn(linkwork.PermEnterLocalMeasures, id) {
		h.forbidden(w, r)
		return 0, false
	}
	return id, true
}

func (h *Handler) localValues(w http.ResponseWriter, r *http.Request) {
	f := NewForm()
	q := r.URL.Query()
	orgID, ok := h.chosenOrganisation(w, r, f, q.Get("organisation_id"))
	if !ok {
		return
	}
	month := thisMonth(time.Now()).AddDate(0, -1, 0)
	if s := q.Get("month"); s != "" {
		m, ok := parseMonth(s)
		if !ok || m.After(thisMonth(time.Now())) || m.Year() < 2000 {
			f.Fail("month", "Enter the month as a year and month from 2000-01 to this month, such as "+month.Format("2006-01")+".")
		} else {
			month = m
		}
	}
	f.Values["month"] = month.Format("2006-01")
	v, err := h.localValuesView(r, f, orgID, month, true)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	status := http.StatusOK
	if f.HasErrors() {
		status = http.StatusBadRequest
	}
	h.render(w, r, status, "measure_local", v)
}

func (h *Handler) saveLocalValues(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		h.errorPage(w, r, http.StatusBadRequest, "That could not be done", "The form could not be read. Go back and try again.")
		return
	}
	f := formFrom(r, "month")
	orgID, ok := h.chosenOrganisation(w, r, f, r.PostFormValue("organisation_id"))
	if !ok {
		return
	}
	if orgID == 0 {
		f.Fail("organisation_id", "Choose the organisation the figures are for.")
	}
	current := thisMonth(time.Now())
	month, monthOK := parseMonth(f.Get("month"))
	switch {
	case !monthOK:
		f.Fail("month", "Enter the month the figures are for as a year and month, such as "+current.AddDate(0, -1, 0).Format("2006-01")+".")
	case month.After(current):
		f.Fail("month", "The month cannot be in the future: choose "+current.Format("2006-01")+" or an earlier month.")
	case month.Year() < 2000:
		f.Fail("month", "Choose a month from 2000-01 on.")
	}
	locals, err := h.svc.Measures.ListLocalMeasures(r.Context(), principal(r).Place.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	var values []*linkwork.LocalMeasureValue
	first := ""
	for _, m := range locals {
		if m.Retired {
			continue
		}
		field := valueField(m.ID)
		if first == "" {
			first = field
		}
		s := strings.TrimSpace(strings.ReplaceAll(r.PostFormValue(field), ",", ""))
		f.Values[field] = s
		if s == "" {
			continue
		}
		n := readWhole(f, field, 0, 1_000_000_000, fmt.Sprintf("Enter %s as a whole number of %s, 0 or more, or leave it empty.", m.Name, m.Unit))
		values = append(values, &linkwork.LocalMeasureValue{MeasureID: m.ID, OrganisationID: orgID, Month: month, Value: n})
	}
	if len(values) == 0 && !f.HasErrors() {
		if first == "" {
			first = "month"
		}
		f.Fail(first, "Enter at least one figure.")
	}
	if !f.HasErrors() {
		for _, v := range values {
			if err := h.svc.Measures.SetLocalMeasureValue(r.Context(), v); err != nil {
				if !f.FailWith(err, valueField(v.MeasureID)) {
					h.serverError(w, r, err)
					return
				}
				break
			}
		}
		if !f.HasErrors() {
			back := url.Values{"organisation_id": {strconv.FormatInt(orgID, 10)}, "month": {month.Format("2006-01")}}
			h.redirect(w, r, "/measures/local?"+back.Encode(), "local-values-saved")
			return
		}
	}
	v, err := h.localValuesView(r, f, orgID, month, false)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, http.StatusUnprocessableEntity, "measure_local", v)
}
