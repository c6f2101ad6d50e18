package web

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"linkwork"
)

// The quarterly board pack: a scope's measures for one quarter, laid out for paper (the
// landscape report's print layout: A4 landscape, no choices or links), with a cover, a
// contents list, and each chosen measure with its definition, its headline figures beside
// the previous quarter's, its charts and its tables. A pack leaves the building, so it is
// always a safe aggregate, whoever makes it.
func (h *Handler) registerBoardPack(g registrar) {
	g.Handle("GET", "/measures/pack", linkwork.PermViewMeasures, h.boardPack)
}

// packQuarters is how many quarters the pack offers to choose from, the latest first.
const packQuarters = 12

// quarterStart is the first month of the quarter (January to March, April to June and so
// on) that month is in.
func quarterStart(month time.Time) time.Time {
	return time.Date(month.Year(), month.Month()-time.Month((int(month.Month())-1)%3), 1, 0, 0, 0, 0, time.UTC)
}

// quarterLabel names a quarter by its months and, for the NHS's year, by its quarter of the
// financial year: "April to June 2026 (Q1 2026/27)".
func quarterLabel(start time.Time) string {
	end := start.AddDate(0, 2, 0)
	fy, q := start.Year(), (int(start.Month())-4)/3+1
	if start.Month() < time.April {
		fy, q = fy-1, 4
	}
	return fmt.Sprintf("%s to %s (Q%d %d/%02d)", start.Format("January"), end.Format("January 2006"), q, fy, (fy+1)%100)
}

// readQuarter reads the quarter ("quarter", its first month, "2026-04") from vs into f,
// recording a message when it is wrong: the last complete quarter when there is none.
func readQuarter(vs url.Values, f *Form, now time.Time) time.Time {
	current := quarterStart(thisMonth(now))
	latest := current.AddDate(0, -3, 0)
	s := strings.TrimSpace(vs.Get("quarter"))
	if s == "" {
		f.Values["quarter"] = latest.Format("2006-01")
		return latest
	}
	f.Values["quarter"] = s
	q, ok := parseMonth(s)
	switch {
	case !ok || !quarterStart(q).Equal(q):
		f.Fail("quarter", "Choose a quarter from the list: its first month, such as "+latest.Format("2006-01")+".")
	case q.Year() < 2000:
		f.Fail("quarter", "Choose a quarter from 2000 on.")
	case q.After(current):
		f.Fail("quarter", "The quarter cannot be in the future: choose "+current.Format("2006-01")+" (this quarter, so far) or an earlier one.")
	}
	return q
}

// quarterChoices are the quarters to choose from: this one (so far) and the eleven before.
func quarterChoices(now time.Time) []dirChoice {
	q := quarterStart(thisMonth(now))
	var out []dirChoice
	for i := range packQuarters {
		label := quarterLabel(q)
		if i == 0 {
			label += ", so far"
		}
		out = append(out, dirChoice{Value: q.Format("2006-01"), Label: label})
		q = q.AddDate(0, -3, 0)
	}
	return out
}

// BoardPackView is the view of the board pack page.
type BoardPackView struct {
	Layout
	// Form holds the choices: scope, scheme, organisation, neighbourhood and quarter.
	Form     *Form
	Choices  *MeasureChoices
	Quarters []dirChoice
	// Pack is nil when a choice is wrong.
	Pack *BoardPack
}

// BoardPack is one scope's measures for a quarter, against the quarter before.
type BoardPack struct {
	ScopeName        string
	Quarter, Earlier string
	Made             string // the day the pack was made
	AsOf             string
	Updating         bool
	Rule             linkwork.SuppressionRule
	Measures         []*PackMeasure
	DashboardHref    string
}

// PackMeasure is one measure of the pack: the dashboard's view of it, and its headline
// figures against the quarter before.
type PackMeasure struct {
	*ResultView
	Compare []HeadlineChange
}

// HeadlineChange is a headline figure this quarter and the quarter before, and the change.
type HeadlineChange struct {
	Label, Now, Before, Change string
}

func (h *Handler) boardPack(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	now := time.Now()
	f := NewForm()
	f.Order = []string{"scope", "scheme", "organisation", "neighbourhood", "quarter"}
	q := r.URL.Query()
	scope := readMeasureScope(q, f)
	quarter := readQuarter(q, f, now)
	lookup := scope
	if f.Error(string(scope.Kind)) != "" {
		lookup = linkwork.Scope{Kind: linkwork.ScopePlace}
	}
	mc, settings, err := h.loadMeasureContext(r.Context(), p.Place.ID, lookup)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	v := &BoardPackView{Layout: Layout{Title: "Quarterly board pack"}, Form: f, Choices: measureScopeChoices(mc), Quarters: quarterChoices(now)}
	if f.HasErrors() {
		h.render(w, r, http.StatusBadRequest, "board_pack", v)
		return
	}
	this := measureRequest{scope: scope, from: quarter, to: quarter.AddDate(0, 2, 0)}
	if last := thisMonth(now); this.to.After(last) {
		this.to = last // this quarter, so far
	}
	before := measureRequest{scope: scope, from: quarter.AddDate(0, -3, 0), to: quarter.AddDate(0, -1, 0)}
	d, err := h.makeDashboard(r.Context(), p, this, mc, settings, true)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	earlier, err := h.makeDashboard(r.Context(), p, before, mc, settings, true)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	view := dashboardView(d, this, false, now)
	pack := &BoardPack{ScopeName: view.ScopeName, Quarter: quarterLabel(quarter), Earlier: quarterLabel(before.from),
		Made: now.In(london).Format("2 January 2006"), AsOf: view.AsOf, Updating: view.Updating, Rule: d.Rule,
		DashboardHref: withQuery("/measures", this.query())}
	for i, rv := range view.Results {
		pm := &PackMeasure{ResultView: rv}
		var old *linkwork.MeasureResult
		if i < len(earlier.Results) && earlier.Results[i].Definition.Code == rv.R.Definition.Code {
			old = earlier.Results[i]
		}
		for j, c := range rv.R.Headline {
			hc := HeadlineChange{Label: c.Label, Now: c.Text, Before: "–", Change: "–"}
			if old != nil && j < len(old.Headline) && old.Headline[j].Label == c.Label {
				hc.Before, hc.Change = old.Headline[j].Text, headlineChange(c, old.Headline[j])
			}
			pm.Compare = append(pm.Compare, hc)
		}
		pack.Measures = append(pack.Measures, pm)
	}
	v.Pack = pack
	v.Title = "Quarterly board pack: " + pack.ScopeName + ", " + pack.Quarter
	h.render(w, r, http.StatusOK, "board_pack", v)
}

// headlineChange says how a headline figure changed from the quarter before, in the
// figure's own terms: "+15", "−3 percentage points", "+2.5 days", "+£120.00". It says
// nothing ("–") when either figure is hidden or not a figure.
func headlineChange(now, before *linkwork.MeasureCell) string {
	if now.Suppressed || before.Suppressed || !isFigure(now.Text) || !isFigure(before.Text) {
		return "–"
	}
	d := now.Value - before.Value
	places := 0
	if _, frac, ok := strings.Cut(strings.TrimLeft(now.Text, "-£+"), "."); ok {
		for _, r := range frac {
			if r < '0' || r > '9' {
				break
			}
			places++
		}
	}
	scale := math.Pow(10, float64(places))
	d = math.Round(d*scale) / scale
	if d == 0 {
		return "No change"
	}
	sign := "+"
	if d < 0 {
		sign = "−"
	}
	n := math.Abs(d)
	switch {
	case strings.Contains(now.Text, "£"):
		return sign + linkwork.Pence(math.Round(n*100)).String()
	case strings.HasSuffix(now.Text, "%"):
		return sign + thousands(n, places) + " percentage points"
	case strings.HasSuffix(now.Text, "day") || strings.HasSuffix(now.Text, "days"):
		if n == 1 {
			return sign + "1 day"
		}
		return sign + thousands(n, places) + " days"
	}
	return sign + thousands(n, places)
}

// isFigure reports whether a cell's text is a figure rather than a note ("–") or nothing.
func isFigure(text string) bool {
	return text != "" && text != "–" && text != linkwork.SuppressedText
}

// thousands writes a number to the given decimal places with thousands separators.
func thousands(v float64, places int) string {
	s := strconv.FormatFloat(v, 'f', places, 64)
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if frac != "" {
		b.WriteString("." + frac)
	}
	return b.String()
}
