package web

import (
	"strconv"
	"strings"
	"testing"

	"linkwork"
)

// A long table (a place's thousands of link workers) shows its largest rows, largest first,
// says how many more the download holds, and charts only the rows shown.
func TestLongTableShowsItsLargestRows(t *testing.T) {
	table := &linkwork.MeasureTable{Name: "caseload_by_worker", Title: "People supported by each link worker",
		Header: []string{"Link worker", "People"}, Chart: linkwork.ChartBars}
	for i := range tableRowsShown + 12 {
		v := float64((i * 37) % 101)
		table.Rows = append(table.Rows, &linkwork.MeasureRow{Label: "Worker " + strconv.Itoa(i),
			Cells: []*linkwork.MeasureCell{{Value: v, Text: strconv.Itoa(int(v))}}})
	}
	rows, left := rowsShown(table)
	if len(rows) != tableRowsShown || left != 12 {
		t.Fatalf("%d rows shown and %d left, want %d and 12", len(rows), left, tableRowsShown)
	}
	shown := map[string]bool{}
	for i, r := range rows {
		shown[r.Label] = true
		if i > 0 && r.Cells[0].Value > rows[i-1].Cells[0].Value {
			t.Fatalf("row %d (%v) above row %d (%v)", i, r.Cells[0].Value, i-1, rows[i-1].Cells[0].Value)
		}
	}
	for _, r := range table.Rows {
		if !shown[r.Label] && r.Cells[0].Value > rows[len(rows)-1].Cells[0].Value {
			t.Fatalf("%s (%v) left out though larger than the last shown", r.Label, r.Cells[0].Value)
		}
	}
	if table.Rows[0].Label != "Worker 0" {
		t.Fatal("the table itself was reordered")
	}
	chart := string(measureChart(table, rows))
	if n := strings.Count(chart, "<rect"); n < tableRowsShown || n >= len(table.Rows) {
		t.Fatalf("the chart draws %d bars for %d rows shown", n, tableRowsShown)
	}

	short := &linkwork.MeasureTable{Rows: table.Rows[:3]}
	if rows, left := rowsShown(short); len(rows) != 3 || left != 0 || rows[0] != short.Rows[0] {
		t.Fatalf("a short table: %d rows, %d left", len(rows), left)
	}
}
