package report

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The charts are SVG drawn on the server, put in the page as they are: they need no
// script, print as they show, and carry their meaning in text as well as in colour and
// length (each bar's value is written beside it; the map's squares carry their figure and
// a title, and its legend says what each shade and outline means). Each chart has
// role="img" with a title and a description that gives its figures, for screen readers.
// They are styled with presentation attributes only, so that the Content-Security-Policy
// (no inline styles) lets them through.

// esc escapes text for SVG (which is XML): html.EscapeString writes only entities XML
// knows.
func esc(s string) string { return html.EscapeString(s) }

// num writes a coordinate with at most one decimal place.
func num(f float64) string { return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64) }

// Bar is one bar of a bar chart.
type Bar struct {
	Label string
	Value float64
	// Text is how the value is written beside the bar: the value itself when empty.
	Text string
}

// Chart is a horizontal bar chart.
type Chart struct {
	// ID makes the chart's title and description IDs unique in the page.
	ID          string
	Title, Desc string
	Bars        []Bar
}

// Bar chart geometry, in SVG units (pixels at full size).
const (
	chartWidth    = 640
	barRow        = 28
	barHeight     = 18
	charWidth     = 7.4 // a rough width of one character at 14px, for laying out labels
	maxLabelChars = 38
	valueRoom     = 70
)

// BarChart draws a horizontal bar chart: a label, a bar and the value written out for each
// bar, in the order given. A label longer than fits is shortened, and the whole of it is
// the bar's title.
func BarChart(c Chart) template.HTML {
	var b strings.Builder
	longest := 0
	for _, bar := range c.Bars {
		longest = max(longest, min(utf8.RuneCountInString(bar.Label), maxLabelChars))
	}
	labelW := float64(longest)*charWidth + 12
	barW := chartWidth - labelW - valueRoom
	height := len(c.Bars)*barRow + 12
	if len(c.Bars) == 0 {
		height = 40
	}
	top := 0.0
	for _, bar := range c.Bars {
		top = max(top, bar.Value)
	}
	id := idOf(c.ID)
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="lw-chart" role="img" aria-labelledby="%s-title %s-desc" viewBox="0 0 %d %d" width="%d" height="%d" font-family="Arial, sans-serif" font-size="14">`,
		id, id, chartWidth, height, chartWidth, height)
	fmt.Fprintf(&b, `<title id="%s-title">%s</title>`, id, esc(c.Title))
	var figures []string
	for _, bar := range c.Bars {
		figures = append(figures, bar.Label+": "+barText(bar))
	}
	desc := strings.TrimSpace(c.Desc)
	if len(figures) > 0 {
		desc = strings.TrimSpace(desc + " " + strings.Join(figures, "; ") + ".")
	}
	fmt.Fprintf(&b, `<desc id="%s-desc">%s</desc>`, id, esc(desc))
	if len(c.Bars) == 0 {
		b.WriteString(`<text x="0" y="24" fill="#4c6272">Nothing to show.</text></svg>`)
		return template.HTML(b.String())
	}
	for i, bar := range c.Bars {
		y := float64(i*barRow) + 6
		w := 0.0
		if top > 0 {
			w = bar.Value / top * barW
		}
		if bar.Value > 0 {
			w = max(w, 2) // a small value still shows
		}
		label := bar.Label
		if utf8.RuneCountInString(label) > maxLabelChars {
			label = truncate(label, maxLabelChars-1) + "…"
		}
		fmt.Fprintf(&b, `<g><title>%s: %s</title>`, esc(bar.Label), esc(barText(bar)))
		fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="end" fill="#212b32">%s</text>`, num(labelW-8), num(y+barHeight-4), esc(label))
		fmt.Fprintf(&b, `<rect x="%s" y="%s" width="%s" height="%d" fill="#005eb8"/>`, num(labelW), num(y), num(w), barHeight)
		fmt.Fprintf(&b, `<text x="%s" y="%s" fill="#212b32">%s</text></g>`, num(labelW+w+6), num(y+barHeight-4), esc(barText(bar)))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func barText(b Bar) string {
	if b.Text != "" {
		return b.Text
	}
	return strconv.FormatFloat(b.Value, 'f', -1, 64)
}

// idOf makes a chart's ID safe for an id attribute.
func idOf(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	if b.Len() == 0 {
		return "chart"
	}
	return b.String()
}

// Area is one neighbourhood on the map.
type Area struct {
	Code, Name string
	Lat, Lng   float64
	IMDDecile  int
	Value      int
}

// Map is a map of neighbourhoods shaded by a measure.
type Map struct {
	ID          string
	Title, Desc string
	// Measure says what Value counts, to follow a number: "connector schemes".
	Measure string
	Areas   []Area
}

// Shade is one class of the map's legend: the values from Min to Max have Fill.
type Shade struct {
	Min, Max  int
	Fill, Ink string // Ink is the colour of text on Fill
}

// Label writes the class's values: "0", "3", "4 to 7", "8 or more".
func (s Shade) Label() string {
	switch {
	case s.Min == s.Max:
		return strconv.Itoa(s.Min)
	case s.Max == math.MaxInt:
		return strconv.Itoa(s.Min) + " or more"
	}
	return strconv.Itoa(s.Min) + " to " + strconv.Itoa(s.Max)
}

// blues are the shades for values above 0, lightest first (ColorBrewer's Blues, which
// people with the common kinds of colour blindness tell apart by lightness).
var blues = []struct{ fill, ink string }{{"#deebf7", "#212b32"}, {"#9ecae1", "#212b32"}, {"#4292c6", "#ffffff"}, {"#08519c", "#ffffff"}}

// Shades returns the legend's classes for values up to top: 0 alone, then up to four
// classes of even width.
func Shades(top int) []Shade {
	out := []Shade{{Min: 0, Max: 0, Fill: "#f0f4f5", Ink: "#212b32"}}
	if top <= 0 {
		return out
	}
	n := min(top, len(blues))
	lo := 1
	for i := range n {
		hi := int(math.Ceil(float64(top) * float64(i+1) / float64(n)))
		if i == n-1 {
			hi = top
		}
		hi = max(hi, lo)
		out = append(out, Shade{Min: lo, Max: hi, Fill: blues[i+len(blues)-n].fill, Ink: blues[i+len(blues)-n].ink})
		lo = hi + 1
	}
	return out
}

func shadeOf(shades []Shade, v int) Shade {
	for _, s := range shades {
		if v >= s.Min && v <= s.Max {
			return s
		}
	}
	return shades[len(shades)-1]
}

// Map geometry.
const (
	mapWidth   = 640
	maxSquare  = 48
	minSquare  = 6
	legendRow  = 24
	legendSize = 16
)

// tile is a neighbourhood placed on the grid.
type tile struct {
	area   Area
	gx, gy int
}

// layout places each area with a centre on a grid square as near its projected centre as
// is free, so that the squares do not overlap: a tile-grid map, equal squares in roughly
// the right places. It returns the tiles and how many areas had no centre.
func layout(areas []Area) ([]tile, int) {
	var placed []Area
	missing := 0
	for _, a := range areas {
		if a.Lat == 0 && a.Lng == 0 {
			missing++
			continue
		}
		placed = append(placed, a)
	}
	if len(placed) == 0 {
		return nil, missing
	}
	meanLat := 0.0
	for _, a := range placed {
		meanLat += a.Lat
	}
	meanLat /= float64(len(placed))
	k := math.Cos(meanLat * math.Pi / 180)
	xs, ys := make([]float64, len(placed)), make([]float64, len(placed))
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for i, a := range placed {
		xs[i], ys[i] = a.Lng*k, -a.Lat
		minX, maxX = math.Min(minX, xs[i]), math.Max(maxX, xs[i])
		minY, maxY = math.Min(minY, ys[i]), math.Max(maxY, ys[i])
	}
	w, h := maxX-minX, maxY-minY
	n := float64(len(placed))
	var cell float64
	switch {
	case w > 0 && h > 0:
		cell = math.Sqrt(w * h / n)
	case w > 0 || h > 0:
		cell = math.Max(w, h) / n
	default:
		cell = 1
	}
	// Place the areas nearest the middle first, so that crowded centres spread outwards.
	cx, cy := (minX+maxX)/2, (minY+maxY)/2
	order := make([]int, len(placed))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		da := math.Hypot(xs[order[a]]-cx, ys[order[a]]-cy)
		db := math.Hypot(xs[order[b]]-cx, ys[order[b]]-cy)
		if da != db {
			return da < db
		}
		return placed[order[a]].Code < placed[order[b]].Code
	})
	taken := map[[2]int]bool{}
	tiles := make([]tile, 0, len(placed))
	for _, i := range order {
		fx, fy := (xs[i]-minX)/cell, (ys[i]-minY)/cell
		best, found := [2]int{}, false
		bestD := math.Inf(1)
		// Search rings of squares around the spot until one has a free square, and the
		// next ring too, since one of its squares may be nearer.
		for r, stop := 0, -1; stop < 0 || r <= stop; r++ {
			x0, y0 := int(math.Round(fx)), int(math.Round(fy))
			for dx := -r; dx <= r; dx++ {
				for dy := -r; dy <= r; dy++ {
					if max(abs(dx), abs(dy)) != r {
						continue
					}
					p := [2]int{x0 + dx, y0 + dy}
					if taken[p] {
						continue
					}
					if d := math.Hypot(float64(p[0])-fx, float64(p[1])-fy); d < bestD {
						best, bestD, found = p, d, true
					}
				}
			}
			if found && stop < 0 {
				stop = r + 1
			}
		}
		taken[best] = true
		tiles = append(tiles, tile{area: placed[i], gx: best[0], gy: best[1]})
	}
	sort.Slice(tiles, func(a, b int) bool { return tiles[a].area.Code < tiles[b].area.Code })
	return tiles, missing
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// deprived reports whether a decile is among the most deprived fifth of England.
func deprived(decile int) bool { return decile == 1 || decile == 2 }

// NeighbourhoodMap draws the neighbourhoods as equal squares placed near their centres
// (north up), shaded by the measure and with the figure written in each square when there
// is room; those among the 20% most deprived in England have a thick outline. Each
// square's title names the neighbourhood, its figure and its IMD decile. A legend under the
// map explains the shades and the outline. It draws from the neighbourhoods' centres only:
// no boundaries, no map tiles.
func NeighbourhoodMap(m Map) template.HTML {
	tiles, missing := layout(m.Areas)
	top := 0
	for _, a := range m.Areas {
		top = max(top, a.Value)
	}
	shades := Shades(top)
	minGX, minGY, maxGX, maxGY := 0, 0, 0, 0
	for i, t := range tiles {
		if i == 0 {
			minGX, maxGX, minGY, maxGY = t.gx, t.gx, t.gy, t.gy
		}
		minGX, maxGX = min(minGX, t.gx), max(maxGX, t.gx)
		minGY, maxGY = min(minGY, t.gy), max(maxGY, t.gy)
	}
	cols, rows := maxGX-minGX+1, maxGY-minGY+1
	cell := max(minSquare, min(maxSquare, mapWidth/cols))
	mapH := 0
	if len(tiles) > 0 {
		mapH = rows*cell + 4
	}
	legendTop := mapH + 12
	legendH := (len(shades)+2)*legendRow + 8
	height := legendTop + legendH
	id := idOf(m.ID)

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="lw-map" role="img" aria-labelledby="%s-title %s-desc" viewBox="0 0 %d %d" width="%d" height="%d" font-family="Arial, sans-serif" font-size="14">`,
		id, id, mapWidth, height, mapWidth, height)
	fmt.Fprintf(&b, `<title id="%s-title">%s</title>`, id, esc(m.Title))
	nDeprived := 0
	for _, t := range tiles {
		if deprived(t.area.IMDDecile) {
			nDeprived++
		}
	}
	desc := strings.TrimSpace(m.Desc)
	desc += fmt.Sprintf(" %d neighbourhoods, each drawn as a square near its centre with north at the top, shaded by the number of %s (from 0 to %d).", len(tiles), m.Measure, top)
	if nDeprived > 0 {
		desc += fmt.Sprintf(" The %d with a thick outline are among the 20%% most deprived in England.", nDeprived)
	}
	if missing > 0 {
		desc += fmt.Sprintf(" %d without a known centre are not drawn.", missing)
	}
	fmt.Fprintf(&b, `<desc id="%s-desc">%s</desc>`, id, esc(strings.TrimSpace(desc)))
	if len(tiles) == 0 {
		b.WriteString(`<text x="0" y="24" fill="#4c6272">No neighbourhood has a known centre to draw.</text>`)
	}
	for _, t := range tiles {
		a := t.area
		s := shadeOf(shades, a.Value)
		x, y := float64((t.gx-minGX)*cell)+2, float64((t.gy-minGY)*cell)+2
		size := float64(cell) - 2
		title := fmt.Sprintf("%s (%s): %d %s; IMD decile %s", a.Name, a.Code, a.Value, m.Measure, decileText(a.IMDDecile))
		fmt.Fprintf(&b, `<g><title>%s</title>`, esc(title))
		if deprived(a.IMDDecile) {
			// The outline is drawn inside the square, so that neighbours' outlines do not meet.
			fmt.Fprintf(&b, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s" stroke="#212b32" stroke-width="3"/>`,
				num(x+1.5), num(y+1.5), num(size-3), num(size-3), s.Fill)
		} else {
			fmt.Fprintf(&b, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s" stroke="#aeb7bd" stroke-width="0.5"/>`,
				num(x), num(y), num(size), num(size), s.Fill)
		}
		if cell >= 20 {
			fs := math.Min(float64(cell)*0.42, 16)
			fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="middle" font-size="%s" fill="%s">%d</text>`,
				num(x+size/2), num(y+size/2+fs*0.35), num(fs), s.Ink, a.Value)
		}
		b.WriteString(`</g>`)
	}
	// The legend.
	fmt.Fprintf(&b, `<g><text x="0" y="%d" font-weight="bold" fill="#212b32">Number of %s</text>`, legendTop+14, esc(m.Measure))
	for i, s := range shades {
		y := legendTop + (i+1)*legendRow
		fmt.Fprintf(&b, `<rect x="0" y="%d" width="%d" height="%d" fill="%s" stroke="#aeb7bd" stroke-width="0.5"/>`, y, legendSize, legendSize, s.Fill)
		fmt.Fprintf(&b, `<text x="%d" y="%d" fill="#212b32">%s</text>`, legendSize+8, y+13, esc(s.Label()))
	}
	y := legendTop + (len(shades)+1)*legendRow
	fmt.Fprintf(&b, `<rect x="1.5" y="%s" width="%d" height="%d" fill="#ffffff" stroke="#212b32" stroke-width="3"/>`, num(float64(y)+1.5), legendSize-3, legendSize-3)
	fmt.Fprintf(&b, `<text x="%d" y="%d" fill="#212b32">Thick outline: among the 20%% most deprived in England (IMD decile 1 or 2)</text></g>`, legendSize+8, y+13)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func decileText(d int) string {
	if d <= 0 {
		return "not known"
	}
	return strconv.Itoa(d) + " of 10"
}
