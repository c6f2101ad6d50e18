package geoimport_test

import (
	"strings"
	"testing"

	"linkwork"
	"linkwork/geoimport"
)

// checkReport fails unless every row read is accounted for exactly once (kept, skipped or
// bad) and every error has a line after the header and a reason.
func checkReport(t *testing.T, rep *geoimport.Report, kept int) {
	t.Helper()
	if rep.Rows != kept+rep.SkippedTotal()+rep.Bad {
		t.Fatalf("%d rows read, but %d kept, %d skipped and %d bad", rep.Rows, kept, rep.SkippedTotal(), rep.Bad)
	}
	for _, e := range rep.Errors {
		if e.Line < 2 || e.Reason == "" || strings.ContainsAny(e.Reason, "\r\n") {
			t.Fatalf("row error %+v", e)
		}
	}
}

// FuzzReadPostcodes feeds the postcode lookup reader rows it did not expect: it must never
// panic, must account for every row, and every postcode it yields must already be valid and
// canonical, so that the store never sees a row it would refuse.
func FuzzReadPostcodes(f *testing.F) {
	for _, row := range []string{
		`"HX1 1AA",53.724334,-1.857458,"E01010994","","E05001386","E08000033"`,
		`"HX1 1AB",53.725515,-1.860394,"E01010994","201504","E05001386","E08000033"`,
		`"HX7 9AB",99.999999,0.000000,"","","",""`,
		`hx11aa,53.7,-1.8,e01010994,,E99999999,e08000033`,
		`"HX1 1CA",53.7,-1.8,,,,`,
		`HX1 1AA,,-1.8,,,,`,
		`HX1 1AA,53.7,,,,,`,
		`HX1 1AA,NaN,Inf,,,,`,
		`HX1 1AA,53.7,-1.8,,2015-04,,`,
		`HX1 1AA,53.7`,
		`"HX1 "1AA",53.7,-1.8,,,,`,
		"\"HX1\n1AA\",53.7,-1.8,,,,\nHX1 1AB,53.7,-1.8,,,,",
		`HX1 1AA,1e400,-1.8,,,,`,
	} {
		f.Add(row)
	}
	f.Fuzz(func(t *testing.T, rows string) {
		for _, all := range []bool{false, true} {
			file := "pcds,lat,long,lsoa11,doterm,ward,laua\n" + rows
			rep, seq, err := geoimport.ReadPostcodes(strings.NewReader(file), linkwork.ImportOptions{AllOrNothing: all})
			if err != nil {
				t.Fatalf("the header was refused: %v", err)
			}
			kept := 0
			for p, err := range seq {
				if err != nil {
					if !all || rep.Bad == 0 {
						t.Fatalf("the rows ended with %v", err)
					}
					break
				}
				kept++
				q := *p
				if err := q.Validate(); err != nil {
					t.Fatalf("yielded a postcode that does not validate: %+v: %v", p, err)
				}
				if q.Postcode != p.Postcode || q.LSOA != p.LSOA || q.Ward != p.Ward || q.LocalAuthority != p.LocalAuthority {
					t.Fatalf("yielded a postcode that validation changes: %+v became %+v", p, q)
				}
			}
			if all && rep.Bad > 0 {
				// Rows after the first bad one are read but not yielded.
				kept = rep.Rows - rep.SkippedTotal() - rep.Bad
			}
			checkReport(t, rep, kept)
		}
	})
}

// FuzzReadLSOAs does the same for the IMD reader.
func FuzzReadLSOAs(f *testing.F) {
	for _, row := range []string{
		`E01000001,City of London 001A,E09000001,City of London,"29,199",9`,
		`E01010994,Calderdale 008E,E08000033,Calderdale,1974,1`,
		`E01000003,City of London 001C,E09000001,City of London,"14,486",11`,
		`E01000003,City of London 001C,E09000001,City of London,"2,9199",1`,
		`E01000003,,E09000001,City of London,1,1`,
		`E010,x,,,1,1`,
		`E01000003,x,,,"999,999,999,999",1`,
		`E01000003,x,,,-1,+1`,
	} {
		f.Add(row)
	}
	f.Fuzz(func(t *testing.T, rows string) {
		rep, seq, err := geoimport.ReadLSOAs(strings.NewReader(imdHeader+rows), linkwork.ImportOptions{})
		if err != nil {
			t.Fatalf("the header was refused: %v", err)
		}
		kept := 0
		for l, err := range seq {
			if err != nil {
				t.Fatalf("the rows ended with %v", err)
			}
			kept++
			m := *l
			if err := m.Validate(); err != nil || m != *l {
				t.Fatalf("yielded an LSOA that validation refuses or changes: %+v: %v", l, err)
			}
			if l.IMDRank < 1 || l.IMDDecile < 1 || l.IMDDecile > 10 {
				t.Fatalf("yielded an LSOA without its IMD: %+v", l)
			}
		}
		checkReport(t, rep, kept)
	})
}
