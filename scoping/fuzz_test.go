package scoping

import (
	"bytes"
	"testing"
)

// FuzzRead feeds the reader of uploaded sheets arbitrary bytes: it never panics, a file it
// cannot read is a FileError, and every row it reads has a number and says what is wrong
// with it by column.
func FuzzRead(f *testing.F) {
	taxs := testTaxonomies()
	var x, c bytes.Buffer
	if err := WriteXLSX(&x, "Calderdale", sample(taxs), taxs); err != nil {
		f.Fatal(err)
	}
	if err := WriteCSV(&c, sample(taxs)); err != nil {
		f.Fatal(err)
	}
	f.Add(x.Bytes())
	f.Add(c.Bytes())
	for _, s := range []string{"", "Organisation name\n", "Organisation name,Sector\nA,nhs\n\n\nB,x\n", "organisation_name;sector\na;b\n",
		"Organisation name,Scheme name,Staff FTE,Who can refer\nA,S,1e309,\"GP;;self\"\n", "\ufeffOrganisation name,Organisation name\n",
		"Organisation name,Needs\n\"A\nB\",\"x;y, z\"\n", "PK\x03\x04garbage"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Read(bytes.NewReader(data), taxs)
		if err != nil {
			if !IsFileError(err) {
				t.Fatalf("an error that is not about the file: %v", err)
			}
			return
		}
		prev := 0
		for _, r := range s.Rows {
			if r.Row <= prev {
				t.Fatalf("row %d after row %d", r.Row, prev)
			}
			prev = r.Row
			for _, p := range r.Problems {
				if p.Row != r.Row || p.Column == "" || p.Message == "" {
					t.Fatalf("problem %+v of row %d", p, r.Row)
				}
			}
			if len(r.Problems) == 0 && r.Organisation.Name == "" {
				t.Fatalf("row %d has no organisation and no problem", r.Row)
			}
		}
	})
}
