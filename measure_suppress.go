package linkwork

import (
	"cmp"
	"math"
	"slices"
	"strconv"
)

// Suppress makes the dashboard a safe aggregate under rule, for the measures about people
// (the others are left as they are):
//
//   - primary suppression: every count from 1 to rule.Threshold is hidden;
//   - derived figures (means, shares, medians) are hidden when a count they are worked out
//     from is;
//   - secondary suppression: wherever cells add up to a total that is shown — a column of
//     a table with a total row, a headline total and the table it totals (the same cell), or
//     a count with Parts — and exactly one of them is hidden, the smallest other non-zero
//     one is hidden too (or the total, when there is no other), so that no hidden cell is
//     the difference between a total and the cells shown. This is repeated until nothing
//     changes, since a cell hidden for one total may leave another total with one hidden
//     cell; a figure shown in two tables is one cell, so it is hidden in both. The same
//     applies to columns of other figures with a total (money, minutes, shares of 100%);
//   - then, taking all the sums of counts together as equations, while they still give a
//     hidden count back (two sums that overlap, such as the most deprived fifth and the
//     table of deciles, can do so though each has two hidden cells), the smallest shown
//     cell linked to it that stops it is hidden too, and the steps above run again;
//   - every count left is rounded to the nearest rule.RoundTo (halves up); 0 stays 0 and
//     a count of at least 1 never shows as 0.
//
// A hidden cell shows SuppressedText with Value 0, and each table with one says why in a
// note. Hidden cells are chosen from the true values, before any rounding.
func (d *Dashboard) Suppress(rule SuppressionRule) {
	s := suppression{hidden: map[*MeasureCell]bool{}, seen: map[*MeasureCell]bool{}}
	var tables []*MeasureTable
	for _, res := range d.Results {
		if res == nil || !res.Definition.AboutPeople {
			continue
		}
		for _, c := range res.Headline {
			s.collect(c)
		}
		for _, t := range res.Tables {
			tables = append(tables, t)
			for _, r := range t.Rows {
				for _, c := range r.Cells {
					s.collect(c)
				}
			}
			if t.Total == nil {
				continue
			}
			for _, c := range t.Total.Cells {
				s.collect(c)
			}
			for i, total := range t.Total.Cells {
				if total == nil || total.Text == "" {
					continue // a column with no total says nothing to work back from
				}
				sum := cellSum{total: total}
				for _, r := range t.Rows {
					if i < len(r.Cells) && r.Cells[i] != nil {
						sum.parts = append(sum.parts, r.Cells[i])
					}
				}
				s.sums = append(s.sums, sum)
			}
		}
	}
	for _, c := range s.cells {
		if len(c.Parts) > 0 {
			s.sums = append(s.sums, cellSum{total: c, parts: c.Parts})
		}
	}

	for _, c := range s.cells {
		if c.Suppressed || (c.Count && c.Value >= 1 && c.Value <= float64(rule.Threshold)) {
			s.hidden[c] = true
		}
	}
	// One cell at a time, counts first: a derived figure usually follows its count, so
	// columns of means and shares seldom need a cell of their own hidden. Then, while the
	// sums of counts taken together still pin a hidden count down, hide one more.
	for {
		for {
			for s.hideDerived() {
			}
			if !s.hideOne(true) && !s.hideOne(false) {
				break
			}
		}
		if !s.unpin() {
			break
		}
	}

	for _, c := range s.cells {
		switch {
		case s.hidden[c]:
			c.Suppressed, c.Value, c.Text = true, 0, SuppressedText
		case c.Count:
			v := roundCount(int64(math.Round(c.Value)), rule.RoundTo)
			c.Value, c.Text = float64(v), countText(v)
		}
	}
	hiddenNote := "Counts from 1 to " + strconv.FormatInt(rule.Threshold, 10) + " are hidden (" + SuppressedText +
		"), and so is any figure worked out from one, or that would let a hidden count be worked out from a total."
	roundedNote := "Counts are rounded to the nearest " + strconv.FormatInt(rule.RoundTo, 10) + ", so they may not add up to the total shown."
	for _, t := range tables {
		hasHidden, hasCount := false, false
		for _, r := range append(slices.Clone(t.Rows), t.Total) {
			if r == nil {
				continue
			}
			for _, c := range r.Cells {
				if c != nil {
					hasHidden = hasHidden || c.Suppressed
					hasCount = hasCount || (c.Count && !c.Suppressed)
				}
			}
		}
		if hasHidden && rule.Threshold >= 1 {
			t.Notes = appendNote(t.Notes, hiddenNote)
		} else if hasHidden {
			t.Notes = appendNote(t.Notes, "Some figures are hidden ("+SuppressedText+") so that small counts cannot be worked out from the totals.")
		}
		if hasCount && rule.RoundTo > 1 {
			t.Notes = appendNote(t.Notes, roundedNote)
		}
	}
	d.Safe, d.Rule = true, rule
}

// suppression is the working state of Suppress: the cells it looks after, in the order
// met, the totals they add up to, and which are hidden.
type suppression struct {
	cells  []*MeasureCell
	seen   map[*MeasureCell]bool
	sums   []cellSum
	hidden map[*MeasureCell]bool
}

// cellSum is a total and the cells that add up to it.
type cellSum struct {
	total *MeasureCell
	parts []*MeasureCell
}

// collect takes in a cell and the cells it depends on.
func (s *suppression) collect(c *MeasureCell) {
	if c == nil || s.seen[c] {
		return
	}
	s.seen[c] = true
	s.cells = append(s.cells, c)
	s.collect(c.Base)
	s.collect(c.Of)
	for _, p := range c.Parts {
		s.collect(p)
	}
}

// hideDerived hides the figures worked out from a hidden count, saying whether it hid any.
func (s *suppression) hideDerived() bool {
	changed := false
	for _, c := range s.cells {
		if !s.hidden[c] && ((c.Base != nil && s.hidden[c.Base]) || (c.Of != nil && s.hidden[c.Of])) {
			s.hidden[c] = true
			changed = true
		}
	}
	return changed
}

// hideOne hides one more cell for the first total of counts (or, with counts false, of
// other figures) that needs it, saying whether it hid one.
func (s *suppression) hideOne(counts bool) bool {
	for _, sum := range s.sums {
		if sum.total.Count == counts && s.hideSecondary(sum) {
			return true
		}
	}
	return false
}

// hideSecondary hides one more cell of a shown total that has exactly one hidden cell: the
// smallest other cell that is not zero or, with none, the total. It says whether it hid one.
func (s *suppression) hideSecondary(sum cellSum) bool {
	if s.hidden[sum.total] {
		return false
	}
	hiddenParts := map[*MeasureCell]bool{}
	for _, p := range sum.parts {
		if s.hidden[p] {
			hiddenParts[p] = true
		}
	}
	if len(hiddenParts) != 1 {
		return false
	}
	var next *MeasureCell
	for _, p := range sum.parts {
		if s.hidden[p] || p.Value == 0 || p.Text == "" {
			continue
		}
		if next == nil || math.Abs(p.Value) < math.Abs(next.Value) {
			next = p
		}
	}
	if next == nil {
		next = sum.total
	}
	s.hidden[next] = true
	return true
}

// unpin finds a hidden count that the sums of counts, taken together, give back (as the
// most deprived fifth and the table of deciles would give back the people whose decile is
// not known, were deciles 1 and 2 hidden and all else shown), and hides the smallest shown
// cell, of the sums linked to it, that stops it being given back. It says whether it hid
// one.
func (s *suppression) unpin() bool {
	for _, h := range s.pinned() {
		// The candidates are the shown cells of the sums linked to h through hidden cells.
		var candidates []*MeasureCell
		linked := map[*MeasureCell]bool{h: true}
		used := make([]bool, len(s.sums))
		for grew := true; grew; {
			grew = false
			for i, sum := range s.sums {
				cells := append([]*MeasureCell{sum.total}, sum.parts...)
				if used[i] || !sum.total.Count || !slices.ContainsFunc(cells, func(c *MeasureCell) bool { return linked[c] }) {
					continue
				}
				used[i], grew = true, true
				for _, c := range cells {
					switch {
					case s.hidden[c]:
						linked[c] = true
					case c.Value != 0 && !slices.Contains(candidates, c):
						candidates = append(candidates, c)
					}
				}
			}
		}
		slices.SortStableFunc(candidates, func(a, b *MeasureCell) int { return cmp.Compare(math.Abs(a.Value), math.Abs(b.Value)) })
		for _, c := range candidates {
			s.hidden[c] = true
			if !slices.Contains(s.pinned(), h) {
				return true
			}
			delete(s.hidden, c)
		}
		if len(candidates) > 0 {
			s.hidden[candidates[0]] = true
			return true
		}
	}
	return false
}

// pinned returns the hidden cells that the sums of counts with a hidden cell, taken
// together as linear equations, determine.
func (s *suppression) pinned() []*MeasureCell {
	index := map[*MeasureCell]int{}
	var vars []*MeasureCell
	var rows []map[int]float64
	for _, sum := range s.sums {
		if !sum.total.Count {
			continue
		}
		row := map[int]float64{}
		add := func(c *MeasureCell, v float64) {
			if !s.hidden[c] {
				return
			}
			i, ok := index[c]
			if !ok {
				i = len(vars)
				index[c] = i
				vars = append(vars, c)
			}
			row[i] += v
		}
		add(sum.total, -1)
		for _, p := range sum.parts {
			add(p, 1)
		}
		if len(row) > 0 {
			rows = append(rows, row)
		}
	}
	m := make([][]float64, len(rows))
	for i, row := range rows {
		m[i] = make([]float64, len(vars))
		for j, v := range row {
			m[i][j] = v
		}
	}
	var out []*MeasureCell
	for j, fixed := range determinedColumns(m, len(vars)) {
		if fixed {
			out = append(out, vars[j])
		}
	}
	return out
}

// determinedColumns reduces m (rows of n columns) to reduced row echelon form and reports
// which unknowns the equations fix: those whose pivot row has nothing in any free column.
func determinedColumns(m [][]float64, n int) []bool {
	const eps = 1e-9
	var pivots []int
	r := 0
	for col := 0; col < n && r < len(m); col++ {
		best := r
		for i := r; i < len(m); i++ {
			if math.Abs(m[i][col]) > math.Abs(m[best][col]) {
				best = i
			}
		}
		if math.Abs(m[best][col]) < eps {
			continue
		}
		m[r], m[best] = m[best], m[r]
		f := m[r][col]
		for j := range m[r] {
			m[r][j] /= f
		}
		for i := range m {
			if i != r && math.Abs(m[i][col]) > eps {
				g := m[i][col]
				for j := range m[i] {
					m[i][j] -= g * m[r][j]
				}
			}
		}
		pivots = append(pivots, col)
		r++
	}
	isPivot := make([]bool, n)
	for _, col := range pivots {
		isPivot[col] = true
	}
	fixed := make([]bool, n)
	for i, col := range pivots {
		fixed[col] = true
		for j := 0; j < n; j++ {
			if !isPivot[j] && math.Abs(m[i][j]) > eps {
				fixed[col] = false
				break
			}
		}
	}
	return fixed
}

// roundCount rounds a count to the nearest multiple of to (halves up); 0 stays 0, and a
// count of at least 1 is never shown as 0.
func roundCount(n, to int64) int64 {
	if to <= 1 || n == 0 {
		return n
	}
	sign := int64(1)
	if n < 0 {
		sign, n = -1, -n
	}
	return sign * max((n+to/2)/to*to, to)
}

// appendNote adds a note once.
func appendNote(notes []string, note string) []string {
	if slices.Contains(notes, note) {
		return notes
	}
	return append(notes, note)
}
