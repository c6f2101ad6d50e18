package report

import (
	"fmt"
	"html/template"
	"strings"
	"unicode/utf8"
)

// Two more charts, drawn as the bar chart is (see svg.go): a column chart of a series of
// months, for change over time, and a chart of pairs of bars, for before and after (or a
// part against the whole). Every value is written beside its bar, so the charts read in
// black and white and without the table; where a value is hidden (a suppressed count) its
// text is written and no bar is drawn.

// Column chart geometry, in SVG units.
const (
	monthsMinWidth = chartWidth
	monthsSide     = 24  // room left and right of the columns
	monthsPlot     = 200 // the height of the tallest column
	monthsMinSlot  = 16  // the narrowest a month's slot gets: more months make a wider chart
	smallChar      = 6.6 // a rough width of one character at 12px
)

// MonthsChart draws a column chart of c's bars in order, one column a month: each column
// with its value written above it and its month below. With many months the chart grows
// wider (it shrinks to fit the page) and the values and months are written upwards. A
// negative value hangs below the line of zero.
func MonthsChart(c Chart) template.HTML {
	id := idOf(c.ID)
	n := len(c.Bars)
	longestValue, longestLabel := 0, 0
	top, bottom := 0.0, 0.0
	for _, bar := range c.Bars {
		longestValue = max(longestValue, utf8.RuneCountInString(barText(bar)))
		longestLabel = max(longestLabel, utf8.RuneCountInString(bar.Label))
		top, bottom = max(top, bar.Value), min(bottom, bar.Value)
	}
	slot := float64(monthsMinSlot)
	if n > 0 {
		slot = max(slot, float64(monthsMinWidth-2*monthsSide)/float64(n))
	}
	width := max(monthsMinWidth, int(float64(n)*slot)+2*monthsSide)
	upright := func(chars int) bool { return float64(chars)*smallChar+4 <= slot }
	valuesUpright, labelsUpright := upright(longestValue), upright(longestLabel)
	valueRoom := 20.0
	if !valuesUpright {
		valueRoom = float64(longestValue)*smallChar + 8
	}
	labelRoom := 22.0
	if !labelsUpright {
		labelRoom = float64(longestLabel)*smallChar + 10
	}
	// The columns above the line of zero take posH of the plot, those hanging below it negH,
	// with room for their values under them.
	span := top - bottom
	posH, negH, negRoom := 20.0, 0.0, 0.0
	if span > 0 {
		posH, negH = top/span*monthsPlot, -bottom/span*monthsPlot
	}
	if negH > 0 {
		negRoom = valueRoom
	}
	zero := valueRoom + posH
	labelTop := zero + negH + negRoom
	height := int(labelTop+labelRoom) + 4
	if n == 0 {
		height = 40
	}

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="lw-chart" role="img" aria-labelledby="%s-title %s-desc" viewBox="0 0 %d %d" width="%d" height="%d" font-family="Arial, sans-serif" font-size="12">`,
		id, id, width, height, width, height)
	fmt.Fprintf(&b, `<title id="%s-title">%s</title>`, id, esc(c.Title))
	var figures []string
	for _, bar := range c.Bars {
		figures = append(figures, bar.Label+": "+barText(bar))
	}
	desc := strings.TrimSpace(c.Desc)
	if n > 0 {
		desc = strings.TrimSpace(desc + " " + strings.Join(figures, "; ") + ".")
	}
	fmt.Fprintf(&b, `<desc id="%s-desc">%s</desc>`, id, esc(desc))
	if n == 0 {
		b.WriteString(`<text x="0" y="24" font-size="14" fill="#4c6272">Nothing to show.</text></svg>`)
		return template.HTML(b.String())
	}
	colW := slot * 0.7
	for i, bar := range c.Bars {
		mid := monthsSide + slot*(float64(i)+0.5)
		h := 0.0 // the column's height, negative when it hangs below zero
		if span > 0 {
			h = bar.Value / span * monthsPlot
		}
		switch { // a small value still shows
		case bar.Value > 0 && h < 1:
			h = 1
		case bar.Value < 0 && h > -1:
			h = -1
		}
		text := barText(bar)
		fmt.Fprintf(&b, `<g><title>%s: %s</title>`, esc(bar.Label), esc(text))
		fmt.Fprintf(&b, `<rect x="%s" y="%s" width="%s" height="%s" fill="#005eb8"/>`, num(mid-colW/2), num(zero-max(h, 0)), num(colW), num(abs64(h)))
		// The value: above a column, or under one that hangs below zero; across when it
		// fits the slot, else upwards.
		end := zero - h // the column's far end
		switch {
		case valuesUpright && h >= 0:
			fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="middle" fill="#212b32">%s</text>`, num(mid), num(end-5), esc(text))
		case valuesUpright:
			fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="middle" fill="#212b32">%s</text>`, num(mid), num(end+14), esc(text))
		case h >= 0:
			fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="start" transform="rotate(-90 %s %s)" fill="#212b32">%s</text>`,
				num(mid+4), num(end-4), num(mid+4), num(end-4), esc(text))
		default:
			fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="end" transform="rotate(-90 %s %s)" fill="#212b32">%s</text>`,
				num(mid+4), num(end+4), num(mid+4), num(end+4), esc(text))
		}
		// The month, under the line of zero and anything hanging from it.
		if labelsUpright {
			fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="middle" fill="#212b32">%s</text></g>`, num(mid), num(labelTop+16), esc(bar.Label))
		} else {
			fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="end" transform="rotate(-90 %s %s)" fill="#212b32">%s</text></g>`,
				num(mid+4), num(labelTop+6), num(mid+4), num(labelTop+6), esc(bar.Label))
		}
	}
	// The line of zero, drawn over the columns' feet.
	fmt.Fprintf(&b, `<line x1="%d" y1="%s" x2="%d" y2="%s" stroke="#425563" stroke-width="1"/>`, monthsSide/2, num(zero), width-monthsSide/2, num(zero))
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func abs64(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

// Pair is one row of a pair chart: a label and two values, each with the text written
// beside its bar (the value itself when empty).
type Pair struct {
	Label                 string
	First, Second         float64
	FirstText, SecondText string
}

// PairChart is a chart of rows of two bars: before and after, or a part against the whole.
type PairChart struct {
	ID          string
	Title, Desc string
	// FirstName and SecondName name the two bars of every row, in order: "6 months before
	// first contact", "6 months after".
	FirstName, SecondName string
	Pairs                 []Pair
}

// Pair chart geometry: two bars a row, with a gap between rows.
const (
	pairBar    = 16
	pairGap    = 2
	pairRow    = 2*pairBar + pairGap + 14
	legendHigh = 48
)

// The two bars' looks, told apart by lightness (and by order and the legend), not by hue:
// the first light with a dark outline, the second dark.
const (
	firstFill, firstStroke = "#aed1f0", "#212b32"
	secondFill             = "#003087"
)

// PairBarChart draws each row's two bars one above the other, the first always above, each
// with its value written beside it, under a legend that names them. All the rows share one
// scale. A label longer than fits is shortened, and the whole of it is in the row's title.
func PairBarChart(c PairChart) template.HTML {
	id := idOf(c.ID)
	longest := 0
	top := 0.0
	for _, p := range c.Pairs {
		longest = max(longest, min(utf8.RuneCountInString(p.Label), maxLabelChars))
		top = max(top, p.First, p.Second)
	}
	labelW := float64(longest)*charWidth + 12
	barW := chartWidth - labelW - valueRoom
	height := legendHigh + len(c.Pairs)*pairRow + 4
	if len(c.Pairs) == 0 {
		height = 40
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="lw-chart" role="img" aria-labelledby="%s-title %s-desc" viewBox="0 0 %d %d" width="%d" height="%d" font-family="Arial, sans-serif" font-size="14">`,
		id, id, chartWidth, height, chartWidth, height)
	fmt.Fprintf(&b, `<title id="%s-title">%s</title>`, id, esc(c.Title))
	var figures []string
	for _, p := range c.Pairs {
		figures = append(figures, fmt.Sprintf("%s: %s %s, %s %s", p.Label, c.FirstName, pairText(p.First, p.FirstText),
			c.SecondName, pairText(p.Second, p.SecondText)))
	}
	desc := strings.TrimSpace(c.Desc)
	if len(figures) > 0 {
		desc = strings.TrimSpace(desc + " " + strings.Join(figures, "; ") + ".")
	}
	fmt.Fprintf(&b, `<desc id="%s-desc">%s</desc>`, id, esc(desc))
	if len(c.Pairs) == 0 {
		b.WriteString(`<text x="0" y="24" fill="#4c6272">Nothing to show.</text></svg>`)
		return template.HTML(b.String())
	}
	// The legend: a swatch and the name of each bar, first above second as in the rows.
	fmt.Fprintf(&b, `<g><rect x="1" y="3" width="14" height="14" fill="%s" stroke="%s" stroke-width="1"/>`, firstFill, firstStroke)
	fmt.Fprintf(&b, `<text x="22" y="15" fill="#212b32">Upper bar: %s</text>`, esc(c.FirstName))
	fmt.Fprintf(&b, `<rect x="1" y="25" width="14" height="14" fill="%s"/>`, secondFill)
	fmt.Fprintf(&b, `<text x="22" y="37" fill="#212b32">Lower bar: %s</text></g>`, esc(c.SecondName))
	width := func(v float64) float64 {
		if top <= 0 || v <= 0 {
			return 0
		}
		return max(v/top*barW, 2) // a small value still shows
	}
	for i, p := range c.Pairs {
		y := float64(legendHigh + i*pairRow)
		label := p.Label
		if utf8.RuneCountInString(label) > maxLabelChars {
			label = truncate(label, maxLabelChars-1) + "…"
		}
		first, second := pairText(p.First, p.FirstText), pairText(p.Second, p.SecondText)
		fmt.Fprintf(&b, `<g><title>%s: %s %s, %s %s</title>`, esc(p.Label), esc(c.FirstName), esc(first), esc(c.SecondName), esc(second))
		fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="end" fill="#212b32">%s</text>`, num(labelW-8), num(y+pairBar+pairGap/2+5), esc(label))
		w1, w2 := width(p.First), width(p.Second)
		fmt.Fprintf(&b, `<rect x="%s" y="%s" width="%s" height="%d" fill="%s" stroke="%s" stroke-width="%s"/>`,
			num(labelW), num(y), num(w1), pairBar, firstFill, firstStroke, outline(w1))
		fmt.Fprintf(&b, `<text x="%s" y="%s" fill="#212b32">%s</text>`, num(labelW+w1+6), num(y+pairBar-3), esc(first))
		y2 := y + pairBar + pairGap
		fmt.Fprintf(&b, `<rect x="%s" y="%s" width="%s" height="%d" fill="%s"/>`, num(labelW), num(y2), num(w2), pairBar, secondFill)
		fmt.Fprintf(&b, `<text x="%s" y="%s" fill="#212b32">%s</text></g>`, num(labelW+w2+6), num(y2+pairBar-3), esc(second))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// outline is the first bar's outline: none for a bar of no length.
func outline(w float64) string {
	if w > 0 {
		return "1"
	}
	return "0"
}

func pairText(v float64, text string) string {
	return barText(Bar{Value: v, Text: text})
}
