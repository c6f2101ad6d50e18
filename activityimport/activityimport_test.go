package activityimport_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"linkwork"
	"linkwork/activityimport"
)

func rowsText(rs []linkwork.ActivityRow) string {
	var lines []string
	for _, r := range rs {
		lines = append(lines, fmt.Sprintf("%d %s %s %d %d", r.Line, r.Key, r.Month, r.GPAppointments, r.Admissions))
	}
	return strings.Join(lines, "\n")
}

func problemsText(ps []*linkwork.RowProblem) string {
	var lines []string
	for _, p := range ps {
		lines = append(lines, fmt.Sprintf("%d %s: %s", p.Line, p.Field, p.Reason))
	}
	return strings.Join(lines, "\n")
}

func TestRead(t *testing.T) {
	// Excel's byte order mark, columns in another order and case, an extra column, a quoted
	// field running over two lines, a blank line, and rows it cannot read.
	in := "\ufeffMonth,NHS Number,Practice,GP appointments,Admissions\n" +
		"2026-01,943 476 5919,B86001,3,0\n" +
		"2026-02, 9434765919 ,\"Two\nlines\",1,1\n" +
		"\n" +
		"2026-03,9434765919,B86001,three,0\n" +
		"2026-04,9434765919\n" +
		"2026-05,9434765919,B86001,,2\n" +
		"2026-06,9434765919,B86001,-2,99999\n"
	f, err := activityimport.Read(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := `2 943 476 5919 2026-01 3 0
3 9434765919 2026-02 1 1
6 9434765919 2026-03 -1 0
7 9434765919 2026-04 -1 -1
8 9434765919 2026-05 -1 2
9 9434765919 2026-06 -2 99999`
	if got := rowsText(f.Rows); got != want {
		t.Fatalf("rows:\n%s\nwant\n%s", got, want)
	}
	wantProblems := `6 gp_appointments: Give the number of GP appointments as a whole number, 0 if there were none; "three" is not one.
7 : This row has 2 fields, and the header 5: check for a missing comma.
8 gp_appointments: Give the number of GP appointments, 0 if there were none.`
	if got := problemsText(f.Problems); got != wantProblems {
		t.Fatalf("problems:\n%s\nwant\n%s", got, wantProblems)
	}
	if !slices.Equal(f.Ignored, []string{"Practice"}) {
		t.Fatalf("ignored %q", f.Ignored)
	}
}

func TestReadBadFiles(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", "the file is empty"},
		{"nhs_number,month,gp_appointments\n", "no admissions column"},
		{"key,nhs_number,month,gp,admissions\n", "names the key column twice"},
		{"person,when,gp,admissions\n", "no key, month column"},
	} {
		_, err := activityimport.Read(strings.NewReader(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want an error saying %q", c.in, err, c.want)
		}
	}
}

// A quoted field left open runs to the end of the file: its row is short, and still passed
// on.
func TestReadUnclosedQuote(t *testing.T) {
	f, err := activityimport.Read(strings.NewReader("key,month,gp,admissions\nabc,2026-01,1,1\nabd,\"2026-02,1,1\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Rows) != 2 || f.Rows[1].Line != 3 || f.Rows[1].GPAppointments != -1 || len(f.Problems) != 1 || f.Problems[0].Line != 3 ||
		!strings.Contains(f.Problems[0].Reason, "This row has 2 fields") {
		t.Fatalf("rows %s, problems %s", rowsText(f.Rows), problemsText(f.Problems))
	}
}

func TestMerge(t *testing.T) {
	read := []*linkwork.RowProblem{{Line: 7, Reason: "short"}, {Line: 4, Field: "gp_appointments", Reason: "not a number"}}
	stored := []*linkwork.RowProblem{{Line: 2, Field: "month", Reason: "future"}, {Line: 4, Field: "gp_appointments", Reason: "0 to 999"},
		{Line: 4, Field: "month", Reason: "bad month"}, {Line: 7, Field: "key", Reason: "no key"}, {Line: 9, Field: "key", Reason: "bad key"}}
	got := problemsText(activityimport.Merge(read, stored))
	want := "2 month: future\n4 gp_appointments: not a number\n4 month: bad month\n7 : short\n9 key: bad key"
	if got != want {
		t.Fatalf("merged:\n%s\nwant\n%s", got, want)
	}
}

// FuzzActivityCSV reads any file without panicking, and accounts for every row: rows in
// line order, each problem about a row passed on, and a row it could not read passed on
// with counts the store refuses.
func FuzzActivityCSV(f *testing.F) {
	f.Add("nhs_number,month,gp_appointments,admissions\n9434765919,2026-01,3,0\n")
	f.Add("\ufeffMonth,Key,GP,Admissions,Other\n2026-02,\"abc\ndef\",1,x\n\n2026-03,k\n")
	f.Add("key,month,gp,admissions\n\"a\"b\",2026-01,1,1\nk,\"2026-0")
	f.Add("key,month,gp,admissions\n,,,\n,,\n")
	f.Fuzz(func(t *testing.T, in string) {
		file, err := activityimport.Read(strings.NewReader(in))
		if err != nil {
			if file != nil {
				t.Fatal("an error with a file")
			}
			return
		}
		lines := map[int]bool{}
		last := 1
		for _, r := range file.Rows {
			if r.Line <= last {
				t.Fatalf("row at line %d after line %d", r.Line, last)
			}
			last = r.Line
			lines[r.Line] = true
		}
		for _, p := range file.Problems {
			if !lines[p.Line] || p.Reason == "" {
				t.Fatalf("problem %+v is not about a row passed on", p)
			}
			for _, r := range file.Rows {
				if r.Line == p.Line && r.GPAppointments >= 0 && r.Admissions >= 0 && (p.Field == "" || p.Field == "gp_appointments" || p.Field == "admissions") {
					t.Fatalf("row %+v could not be read (%s) but is passed on as good", r, p.Reason)
				}
			}
		}
	})
}
