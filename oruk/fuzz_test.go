package oruk

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"linkwork"
	"linkwork/sqldb/sqldbtest"
)

// addSeeds gives a fuzz target the Open Referral examples and validator fixtures, and a few
// awkward files, as its seed corpus.
func addSeeds(f *testing.F) {
	var files []string
	for _, pattern := range []string{
		fixtures + "/V3.0-UK-*/*.json",
		refDir + "/oruk-3.0-uk-profile/examples/*.json",
		refDir + "/hsds-3.0/examples/*.json",
		"testdata/*.json",
	} {
		m, _ := filepath.Glob(pattern)
		files = append(files, m...)
	}
	if len(files) < 20 {
		f.Fatalf("only %d seed files: is shared/reference beside the repository?", len(files))
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		if len(b) < 64<<10 {
			f.Add(b)
		}
	}
	for _, s := range []string{"", "[]", "{}", "null", "[null, 1, \"x\", [], {}]", `{"contents": null}`, `{"content": [{"id": 1}]}`,
		`[{"id": "x", "name": "a", "status": "active", "organization": {"name": "o"}, "minimum_age": 1e400}]`,
		`[{"name": "a", "schedules": [{"byday": "-5MO,1XX", "opens_at": "9", "closes_at": "24:00"}]}]`,
		`[{"name": "\u0000", "service_at_locations": [{"location": {"latitude": "NaN", "longitude": "1e999"}}]}]`} {
		f.Add([]byte(s))
	}
}

// fuzzTaxonomies are the built-in taxonomies with made-up ids.
func fuzzTaxonomies() []*linkwork.Taxonomy {
	var out []*linkwork.Taxonomy
	id := int64(0)
	for i, t := range linkwork.DefaultTaxonomies {
		tx := t
		tx.ID, tx.UUID = int64(i+1), derivedID("fuzz", tx.Code)
		tx.Terms = nil
		for _, term := range t.Terms {
			id++
			term.ID, term.UUID, term.TaxonomyID, term.TaxonomyCode = id, derivedID("fuzz", tx.Code, term.Code), tx.ID, tx.Code
			tx.Terms = append(tx.Terms, term)
		}
		out = append(out, &tx)
	}
	return out
}

// FuzzReadRecords feeds the reader and mapper arbitrary bytes: they never panic, every
// record says where it is, a refused record says why in words, and a record that is not
// refused is one linkwork can keep.
func FuzzReadRecords(f *testing.F) {
	addSeeds(f)
	ix := newTermIndex(fuzzTaxonomies())
	f.Fuzz(func(t *testing.T, data []byte) {
		n := 0
		for raw := range readRecords(bytes.NewReader(data)) {
			n++
			it := decodeRecord(raw, ix)
			if it.Ref == "" {
				t.Fatalf("a record without a place in the file: %+v", it)
			}
			if it.Err != nil {
				var pe *ParseError
				if code := linkwork.ErrorCode(it.Err); code != linkwork.EINVALID && !errors.As(it.Err, &pe) {
					t.Fatalf("%s: an error that is not about the record: %v", it.Ref, it.Err)
				}
				continue
			}
			s := it.Service
			if s.Name == "" || !isUUID(s.UUID) || it.Organisation.Name == "" && it.Organisation.UUID == "" {
				t.Fatalf("%s: kept without a name, id or organisation: %+v", it.Ref, it)
			}
			for _, l := range s.Locations {
				if err := l.Validate(); err != nil || !isUUID(l.UUID) {
					t.Fatalf("%s: kept a location linkwork cannot keep: %+v: %v", it.Ref, l, err)
				}
			}
			for _, sc := range s.Schedules {
				if err := sc.Validate(); err != nil {
					t.Fatalf("%s: kept a schedule linkwork cannot keep: %+v: %v", it.Ref, sc, err)
				}
			}
		}
		if n > len(data)+1 {
			t.Fatalf("%d records from %d bytes", n, len(data))
		}
	})
}

// FuzzImport imports arbitrary bytes into a SQLite database: the import never fails as a
// whole except for a file it cannot read on, and every record is counted once.
func FuzzImport(f *testing.F) {
	addSeeds(f)
	w := newWorld(f, sqldbtest.Open(f, "sqlite"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var records int
		sum, err := Import(testContext(), w.store, w.svc.Taxonomies, w.place.ID, bytes.NewReader(data), linkwork.ImportOptions{},
			func(*linkwork.ServiceImport) { records++ })
		var pe *ParseError
		if err != nil && !errors.As(err, &pe) {
			t.Fatalf("import failed as a whole: %v", err)
		}
		if got := sum.Added + sum.Updated + sum.Unchanged + sum.Failed; got != records {
			t.Fatalf("%+v counts %d records, reported %d", sum, got, records)
		}
	})
}
