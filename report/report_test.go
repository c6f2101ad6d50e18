package report_test

import (
	"encoding/xml"
	"fmt"
	"io"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"linkwork/report"
)

func TestSheetName(t *testing.T) {
	used := map[string]bool{}
	a := report.SheetName("A very long title: with [odd] characters/and more besides", used)
	b := report.SheetName("A very long title: with [odd] characters/and more besides", used)
	if len([]rune(a)) > 31 || len([]rune(b)) > 31 || a == b || strings.ContainsAny(a+b, "[]:*?/\\") {
		t.Errorf("sheet names %q and %q", a, b)
	}
}

// svg parses an SVG as XML and returns its elements by name, with their attributes and
// text, failing if it is not well formed.
type element struct {
	name  string
	attrs map[string]string
	text  string
}

func parseSVG(t *testing.T, s string) []element {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(s))
	var out []element
	var stack []int
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, s)
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			e := element{name: tk.Name.Local, attrs: map[string]string{}}
			for _, a := range tk.Attr {
				e.attrs[a.Name.Local] = a.Value
			}
			out = append(out, e)
			stack = append(stack, len(out)-1)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				out[stack[len(stack)-1]].text += string(tk)
			}
		}
	}
	if len(out) == 0 || out[0].name != "svg" {
		t.Fatalf("not an SVG: %s", s)
	}
	return out
}

func texts(es []element, name string) []string {
	var out []string
	for _, e := range es {
		if e.name == name {
			out = append(out, e.text)
		}
	}
	return out
}

func TestBarChart(t *testing.T) {
	svg := string(report.BarChart(report.Chart{ID: "Chart 1", Title: "Schemes by <system>", Desc: "How many & which.",
		Bars: []report.Bar{{Label: "EMIS Web", Value: 4}, {Label: "SystmOne", Value: 2, Text: "2 schemes"},
			{Label: "A name far too long to fit beside the bars of the chart at all", Value: 0}}}))
	es := parseSVG(t, svg)
	root := es[0]
	if root.attrs["role"] != "img" || root.attrs["aria-labelledby"] != "chart-1-title chart-1-desc" {
		t.Errorf("svg attributes %v", root.attrs)
	}
	titles := texts(es, "title")
	if len(titles) == 0 || titles[0] != "Schemes by <system>" {
		t.Errorf("titles %q", titles)
	}
	if d := texts(es, "desc"); len(d) != 1 || !strings.Contains(d[0], "How many & which.") || !strings.Contains(d[0], "EMIS Web: 4") ||
		!strings.Contains(d[0], "SystmOne: 2 schemes") {
		t.Errorf("desc %q", d)
	}
	// Every bar's label and value are written as text, not only drawn.
	all := strings.Join(texts(es, "text"), "|")
	for _, w := range []string{"EMIS Web", "|4", "SystmOne", "2 schemes", "A name far too long to fit beside the…", "|0"} {
		if !strings.Contains(all, w) {
			t.Errorf("texts %q lack %q", all, w)
		}
	}
	// The bars' lengths follow the values: 4 is twice 2, and 0 draws nothing.
	var widths []float64
	for _, e := range es {
		if e.name == "rect" {
			w, _ := strconv.ParseFloat(e.attrs["width"], 64)
			widths = append(widths, w)
		}
	}
	if len(widths) != 3 || widths[0] < 1.99*widths[1] || widths[0] > 2.01*widths[1] || widths[2] != 0 {
		t.Errorf("bar widths %v", widths)
	}
	// The whole long label is in the bar's title.
	if !slices.Contains(titles, "A name far too long to fit beside the bars of the chart at all: 0") {
		t.Errorf("titles %q", titles)
	}
	// No inline styles, which the Content-Security-Policy would block.
	if strings.Contains(svg, "style=") {
		t.Error("the chart uses a style attribute")
	}
	empty := parseSVG(t, string(report.BarChart(report.Chart{Title: "Nothing"})))
	if !strings.Contains(strings.Join(texts(empty, "text"), ""), "Nothing to show") {
		t.Error("an empty chart says nothing")
	}
}

func TestNeighbourhoodMap(t *testing.T) {
	areas := []report.Area{
		{Code: "E01000001", Name: "Park & Ride", Lat: 53.70, Lng: -1.80, IMDDecile: 1, Value: 0},
		{Code: "E01000002", Name: "Town", Lat: 53.75, Lng: -1.80, IMDDecile: 5, Value: 3},
		{Code: "E01000003", Name: "Warley", Lat: 53.72, Lng: -1.90, IMDDecile: 0, Value: 8},
		{Code: "E01000004", Name: "Nowhere", IMDDecile: 3, Value: 1}, // no centre
	}
	svg := string(report.NeighbourhoodMap(report.Map{ID: "map", Title: "Schemes by neighbourhood", Measure: "connector schemes", Areas: areas}))
	es := parseSVG(t, svg)
	if es[0].attrs["role"] != "img" {
		t.Error("the map has no role")
	}
	titles := texts(es, "title")
	for _, w := range []string{"Schemes by neighbourhood", "Park & Ride (E01000001): 0 connector schemes; IMD decile 1 of 10",
		"Town (E01000002): 3 connector schemes; IMD decile 5 of 10", "Warley (E01000003): 8 connector schemes; IMD decile not known"} {
		if !slices.Contains(titles, w) {
			t.Errorf("titles %q lack %q", titles, w)
		}
	}
	if slices.ContainsFunc(titles, func(s string) bool { return strings.Contains(s, "Nowhere") }) {
		t.Error("a neighbourhood without a centre was drawn")
	}
	desc := texts(es, "desc")
	if len(desc) != 1 || !strings.Contains(desc[0], "1 without a known centre") || !strings.Contains(desc[0], "The 1 with a thick outline") {
		t.Errorf("desc %q", desc)
	}
	// The legend explains every shade in words, and the outline.
	all := strings.Join(texts(es, "text"), "|")
	for _, w := range []string{"Number of connector schemes", "|0|", "1 to 2", "3 to 4", "5 to 6", "7 to 8", "Thick outline"} {
		if !strings.Contains("|"+all+"|", w) {
			t.Errorf("map texts %q lack %q", all, w)
		}
	}
	// The deprived neighbourhood, and only it among the squares, has the thick outline.
	thick := 0
	for _, e := range es {
		if e.name == "rect" && e.attrs["stroke-width"] == "3" {
			thick++
		}
	}
	if thick != 2 { // Park, and the legend's sample
		t.Errorf("%d thick outlines, want 2", thick)
	}
	// North is up: Town (further north) is drawn above Park.
	ys := map[string]float64{}
	var current string
	for _, e := range es {
		switch e.name {
		case "title":
			current = e.text
		case "rect":
			if current != "" {
				ys[strings.Fields(current)[0]], _ = strconv.ParseFloat(e.attrs["y"], 64)
				current = ""
			}
		}
	}
	if !(ys["Town"] < ys["Park"]) {
		t.Errorf("positions %v: Town is not above Park", ys)
	}
	if strings.Contains(svg, "style=") || strings.Contains(svg, "http://") && !strings.Contains(svg, `xmlns="http://www.w3.org/2000/svg"`) {
		t.Error("the map uses an inline style or fetches something")
	}
	if regexp.MustCompile(`href=`).MatchString(svg) {
		t.Error("the map links out")
	}
}

// TestMapSquaresDoNotOverlap lays out a crowded town and checks every square is apart.
func TestMapSquaresDoNotOverlap(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var areas []report.Area
	for i := range 400 {
		lat, lng := 53.72+rng.NormFloat64()*0.02, -1.86+rng.NormFloat64()*0.03
		if i%10 == 0 {
			lat, lng = 53.72, -1.86 // many at one spot
		}
		areas = append(areas, report.Area{Code: fmt.Sprintf("E01%06d", i), Name: "N", Lat: lat, Lng: lng, Value: i % 7, IMDDecile: 1 + i%10})
	}
	es := parseSVG(t, string(report.NeighbourhoodMap(report.Map{ID: "m", Title: "Crowded", Measure: "gaps", Areas: areas})))
	type box struct{ x, y, w float64 }
	var boxes []box
	var inTile bool
	for _, e := range es {
		if e.name == "title" {
			inTile = strings.HasPrefix(e.text, "N (")
			continue
		}
		if e.name == "rect" && inTile {
			x, _ := strconv.ParseFloat(e.attrs["x"], 64)
			y, _ := strconv.ParseFloat(e.attrs["y"], 64)
			w, _ := strconv.ParseFloat(e.attrs["width"], 64)
			boxes = append(boxes, box{x, y, w})
			inTile = false
		}
	}
	if len(boxes) != len(areas) {
		t.Fatalf("%d squares for %d neighbourhoods", len(boxes), len(areas))
	}
	for i := range boxes {
		for j := i + 1; j < len(boxes); j++ {
			a, b := boxes[i], boxes[j]
			if a.x < b.x+b.w && b.x < a.x+a.w && a.y < b.y+b.w && b.y < a.y+a.w {
				t.Fatalf("squares %d and %d overlap: %v %v", i, j, a, b)
			}
		}
	}
}

func TestShades(t *testing.T) {
	for top, want := range map[int]string{0: "0", 1: "0,1", 3: "0,1,2,3", 4: "0,1,2,3,4", 8: "0,1 to 2,3 to 4,5 to 6,7 to 8", 10: "0,1 to 3,4 to 5,6 to 8,9 to 10"} {
		var got []string
		for _, s := range report.Shades(top) {
			got = append(got, s.Label())
		}
		if strings.Join(got, ",") != want {
			t.Errorf("shades up to %d: %q, want %q", top, got, want)
		}
	}
}
