package report_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"linkwork/report"
)

// attr reads a number attribute of an element.
func attr(t *testing.T, e element, name string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(e.attrs[name], 64)
	if err != nil {
		t.Fatalf("%s %s=%q: %v", e.name, name, e.attrs[name], err)
	}
	return v
}

func elements(es []element, name string) []element {
	var out []element
	for _, e := range es {
		if e.name == name {
			out = append(out, e)
		}
	}
	return out
}

func TestMonthsChart(t *testing.T) {
	svg := string(report.MonthsChart(report.Chart{ID: "Referrals by month", Title: "Referrals <by> month", Desc: "Referrals received & counted.",
		Bars: []report.Bar{{Label: "Apr 2026", Value: 12}, {Label: "May 2026", Value: 6, Text: "6 people"}, {Label: "Jun 2026", Text: "[c]"},
			{Label: "Jul 2026", Value: 0}}}))
	es := parseSVG(t, svg)
	root := es[0]
	if root.attrs["role"] != "img" || root.attrs["aria-labelledby"] != "referrals-by-month-title referrals-by-month-desc" {
		t.Errorf("svg attributes %v", root.attrs)
	}
	if titles := texts(es, "title"); titles[0] != "Referrals <by> month" || !slices.Contains(titles, "Jun 2026: [c]") {
		t.Errorf("titles %q", titles)
	}
	if d := texts(es, "desc"); len(d) != 1 || d[0] != "Referrals received & counted. Apr 2026: 12; May 2026: 6 people; Jun 2026: [c]; Jul 2026: 0." {
		t.Errorf("desc %q", d)
	}
	// Every value and every month is written, in order, across the slots (four fit).
	all := texts(es, "text")
	want := []string{"12", "Apr 2026", "6 people", "May 2026", "[c]", "Jun 2026", "0", "Jul 2026"}
	if !slices.Equal(all, want) {
		t.Errorf("texts %q, want %q", all, want)
	}
	if strings.Contains(svg, "rotate") {
		t.Error("four months are written upwards, though they fit across")
	}
	// The columns stand on one line, their heights following the values: 12 is twice 6; a
	// hidden value and 0 draw nothing.
	rects := elements(es, "rect")
	if len(rects) != 4 {
		t.Fatalf("%d columns", len(rects))
	}
	h := func(i int) float64 { return attr(t, rects[i], "height") }
	if h(0) < 1.99*h(1) || h(0) > 2.01*h(1) || h(2) != 0 || h(3) != 0 {
		t.Errorf("heights %v %v %v %v", h(0), h(1), h(2), h(3))
	}
	line := elements(es, "line")[0]
	for i, r := range rects {
		if foot := attr(t, r, "y") + attr(t, r, "height"); foot < attr(t, line, "y1")-0.1 || foot > attr(t, line, "y1")+0.1 {
			t.Errorf("column %d stands at %v, the line of zero is at %v", i, foot, attr(t, line, "y1"))
		}
	}
	if attr(t, rects[0], "x") >= attr(t, rects[1], "x") {
		t.Error("the months are not in order from left to right")
	}
	if strings.Contains(svg, "style=") {
		t.Error("the chart uses a style attribute")
	}

	empty := parseSVG(t, string(report.MonthsChart(report.Chart{Title: "Nothing"})))
	if !strings.Contains(strings.Join(texts(empty, "text"), ""), "Nothing to show") {
		t.Error("an empty chart says nothing")
	}
}

// Five years of months: the chart grows wider and writes its values and months upwards, so
// that none overlaps another; a negative month hangs below the line.
func TestMonthsChartManyMonths(t *testing.T) {
	var bars []report.Bar
	for i := range 60 {
		bars = append(bars, report.Bar{Label: "M" + strconv.Itoa(i) + " 2026", Value: float64(i * 100), Text: "£" + strconv.Itoa(i*100) + ".00"})
	}
	bars[5].Value, bars[5].Text = -250, "-£250.00"
	es := parseSVG(t, string(report.MonthsChart(report.Chart{ID: "spend", Title: "Spend by month", Bars: bars})))
	if w := attr(t, es[0], "width"); w < 60*16 {
		t.Errorf("60 months in %v units: too narrow to read", w)
	}
	ts := elements(es, "text")
	if len(ts) != 120 {
		t.Fatalf("%d texts, want a value and a month for each of 60", len(ts))
	}
	for _, e := range ts {
		if !strings.HasPrefix(e.attrs["transform"], "rotate(-90 ") {
			t.Fatalf("text %q is not written upwards: %v", e.text, e.attrs)
		}
	}
	rects := elements(es, "rect")
	zero := attr(t, elements(es, "line")[0], "y1")
	if y := attr(t, rects[5], "y"); y < zero-0.1 || y > zero+0.1 || attr(t, rects[5], "height") <= 0 {
		t.Errorf("the negative month is at %v (height %v); zero is at %v", y, attr(t, rects[5], "height"), zero)
	}
	if attr(t, rects[59], "y")+attr(t, rects[59], "height") > zero+0.1 {
		t.Error("a positive month hangs below zero")
	}
	// Every month's label is below the lowest column's value.
	low := zero + attr(t, rects[5], "height")
	for _, e := range ts {
		if strings.HasPrefix(e.text, "M") && attr(t, e, "y") < low {
			t.Fatalf("the label %q at %v overlaps the columns (lowest at %v)", e.text, attr(t, e, "y"), low)
		}
	}
}

func TestPairBarChart(t *testing.T) {
	svg := string(report.PairBarChart(report.PairChart{ID: "health", Title: "Use <before> and after", Desc: "A person's use & more.",
		FirstName: "6 months before", SecondName: "6 months after",
		Pairs: []report.Pair{
			{Label: "GP consultations", First: 4, Second: 2, FirstText: "4.00", SecondText: "2.00"},
			{Label: "A label far too long to fit beside the bars of the chart at all", First: 1, Second: 0, SecondText: "[c]"},
		}}))
	es := parseSVG(t, svg)
	if es[0].attrs["role"] != "img" || es[0].attrs["aria-labelledby"] != "health-title health-desc" {
		t.Errorf("svg attributes %v", es[0].attrs)
	}
	if d := texts(es, "desc"); len(d) != 1 || d[0] != "A person's use & more. GP consultations: 6 months before 4.00, 6 months after 2.00; "+
		"A label far too long to fit beside the bars of the chart at all: 6 months before 1, 6 months after [c]." {
		t.Errorf("desc %q", d)
	}
	all := texts(es, "text")
	for _, w := range []string{"Upper bar: 6 months before", "Lower bar: 6 months after", "GP consultations", "4.00", "2.00",
		"A label far too long to fit beside th…", "1", "[c]"} {
		if !slices.Contains(all, w) {
			t.Errorf("texts %q lack %q", all, w)
		}
	}
	titles := texts(es, "title")
	if !slices.Contains(titles, "A label far too long to fit beside the bars of the chart at all: 6 months before 1, 6 months after [c]") {
		t.Errorf("titles %q", titles)
	}
	// Two legend swatches, then two bars a row: the first of each pair above the second,
	// lighter, and their lengths on one scale (4 is twice 2 and four times 1); [c] draws
	// nothing.
	rects := elements(es, "rect")
	if len(rects) != 6 {
		t.Fatalf("%d rects", len(rects))
	}
	w := func(i int) float64 { return attr(t, rects[i], "width") }
	if w(2) < 1.99*w(3) || w(2) > 2.01*w(3) || w(2) < 3.99*w(4) || w(2) > 4.01*w(4) || w(5) != 0 {
		t.Errorf("widths %v %v %v %v", w(2), w(3), w(4), w(5))
	}
	if attr(t, rects[2], "y") >= attr(t, rects[3], "y") || rects[2].attrs["fill"] != rects[0].attrs["fill"] || rects[3].attrs["fill"] != rects[1].attrs["fill"] {
		t.Errorf("the pair is not drawn as its legend says: %v %v", rects[2].attrs, rects[3].attrs)
	}
	if strings.Contains(svg, "style=") {
		t.Error("the chart uses a style attribute")
	}
	empty := parseSVG(t, string(report.PairBarChart(report.PairChart{Title: "Nothing"})))
	if !strings.Contains(strings.Join(texts(empty, "text"), ""), "Nothing to show") {
		t.Error("an empty chart says nothing")
	}
}
