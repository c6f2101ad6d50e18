package gen_test

import (
	"encoding/json"
	"strings"
	"testing"

	"linkwork"
	"linkwork/data"
	"linkwork/gen"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

func postcodes(t *testing.T) []gen.Postcode {
	t.Helper()
	f, err := data.HalifaxPostcodes()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ps, err := gen.ReadPostcodes(f)
	if err != nil {
		t.Fatal(err)
	}
	// The file has 7,442 postcodes; the ended ones and those without a grid reference are
	// left out.
	if len(ps) < 5000 || len(ps) > 7442 {
		t.Fatalf("%d live postcodes", len(ps))
	}
	return ps
}

func generate(t *testing.T, opts gen.Options) []*linkwork.Service {
	t.Helper()
	orgs := []*linkwork.Organisation{{ID: 1, Name: "A"}, {ID: 2, Name: "B"}}
	g, err := gen.NewGenerator(opts, orgs, map[string]int64{"need/physical_activity": 7, "need/loneliness": 8})
	if err != nil {
		t.Fatal(err)
	}
	var out []*linkwork.Service
	for part := g.Next(7); len(part) > 0; part = g.Next(7) {
		out = append(out, part...)
	}
	return out
}

func TestGeneratorIsDeterministic(t *testing.T) {
	opts := gen.Options{Seed: 42, Services: 300, Locations: 751, Postcodes: postcodes(t)}
	a, b := generate(t, opts), generate(t, opts)
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		t.Fatal("the same seed made different directories")
	}
	opts.Seed = 43
	if jc, _ := json.Marshal(generate(t, opts)); string(jc) == string(ja) {
		t.Fatal("another seed made the same directory")
	}
	locs := 0
	for _, s := range a {
		if err := s.Validate(); err != nil {
			t.Fatalf("%s: %v", s.Name, err)
		}
		if len(s.Locations) < 2 || len(s.Locations) > 3 {
			t.Fatalf("%s has %d locations", s.Name, len(s.Locations))
		}
		locs += len(s.Locations)
	}
	if len(a) != 300 || locs != 751 {
		t.Fatalf("%d services with %d locations, want 300 and 751", len(a), locs)
	}
	names := gen.OrganisationNames(1, 500)
	seen := map[string]bool{}
	for _, o := range names {
		if seen[strings.ToLower(o.Name)] || !o.Sector.Valid() {
			t.Fatalf("organisation %+v repeated or without a sector", o)
		}
		seen[strings.ToLower(o.Name)] = true
	}
}

// TestLoad loads a small generated directory into each database through the bulk insert,
// and checks that search finds it, as it does after the index is rebuilt.
func TestLoad(t *testing.T) {
	t.Parallel()
	ps := postcodes(t)
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		dir, err := gen.Load(t.Context(), db, gen.Options{Seed: 7, Services: 600, Locations: 1500, Postcodes: ps}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if dir.Services != 600 || dir.Locations != 1500 || dir.Organisations != 2 {
			t.Fatalf("loaded %+v", dir)
		}
		found, err := gen.Find(t.Context(), db, 7)
		if err != nil || found.Place.ID != dir.Place.ID || found.Services != 600 || len(found.Terms) != len(dir.Terms) {
			t.Fatalf("find: %+v, %v", found, err)
		}
		search := sqldb.NewSearchService(db)
		q := linkwork.SearchQuery{PlaceID: dir.Place.ID, Text: "walking", TermIDs: []int64{dir.Terms["need/physical_activity"]},
			Postcode: "HX1 1AA", RadiusKm: 5}
		rs, total, err := search.Search(t.Context(), q)
		if err != nil || total == 0 || len(rs) == 0 {
			t.Fatalf("search: %d of %d, %v", len(rs), total, err)
		}
		for _, r := range rs {
			if *r.DistanceKm > 5 || !strings.Contains(strings.ToLower(r.Service.Name+" "+r.Service.Description), "walk") {
				t.Fatalf("%s (%.1f km): %s", r.Service.Name, *r.DistanceKm, r.Service.Description)
			}
		}
		// A rebuilt index finds the same.
		if err := search.Reindex(t.Context(), dir.Place.ID); err != nil {
			t.Fatal(err)
		}
		rs2, total2, err := search.Search(t.Context(), q)
		if err != nil || total2 != total || len(rs2) != len(rs) {
			t.Fatalf("after Reindex: %d of %d, %v; before %d of %d", len(rs2), total2, err, len(rs), total)
		}
	})
}
