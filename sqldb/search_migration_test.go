package sqldb_test

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"unicode"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// Migration 0005 builds the search index of a database that has services from SQL, where
// linkwork builds it from Go. Its rebuild statements, run again on a database that linkwork
// indexed, must leave the index as it was: the same tokens in the same places, the same
// facets, blocks and points.
func TestSearchMigrationRebuildsTheSameIndex(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newSearchWorld(t, db)
		// Every letter Go folds, in both cases, and text that tokenisers split differently.
		var letters []string
		for r := rune(0xc0); r <= 0x17f; r++ {
			if unicode.IsLetter(r) {
				letters = append(letters, "x"+string(r)+"y")
			}
		}
		letters = append(letters, "ẞig", "İstanbul", "snake_case_name", "O'Brien’s", "walk-in", "info@example.org", "1.5km", "ĲSSEL")
		lat := func(v float64) *float64 { return &v }
		svcs := []*linkwork.Service{
			{OrganisationID: w.council.ID, Kind: linkwork.KindScheme, Status: linkwork.StatusActive, Name: "Ærø Straße ŁÓDŹ Œuvre",
				Description: strings.Join(letters, " "), TermIDs: w.ids("need/loneliness", "accessibility/step_free"),
				Areas: []string{"Þórsmörk", "Ðakovo"}, Free: true,
				Scheme: &linkwork.ConnectorScheme{Model: linkwork.ModelCareCoordinator, WhoCanRefer: []linkwork.ReferrerType{linkwork.ReferrerSelf}},
				Locations: []linkwork.Location{
					{Address1: "1", Town: "York", Postcode: "YO1 1AA", Lat: lat(53.96), Lng: lat(-1.08)},
					{Address1: "2", Town: "York", Postcode: "YO1 1AA"},
					{Address1: "3", Town: "York", Postcode: "YO1 1AA", Lat: lat(53.123456789), Lng: lat(-0.000000051)},
					{Address1: "4", Town: "York", Postcode: "YO1 1AA", Lat: lat(54.00000005), Lng: lat(1.99999995)},
					{Address1: "5", Town: "York", Postcode: "YO1 1AA", Lat: lat(49.5), Lng: lat(-8.25)},
					{Address1: "6", Town: "York", Postcode: "YO1 1AA", Lat: lat(60.9), Lng: lat(-0.0000001)},
				}},
			{OrganisationID: w.gp.ID, Kind: linkwork.KindActivity, Status: linkwork.StatusTemporarilyClosed, Name: "Paused_Group",
				Description: "Nothing here.", Locations: []linkwork.Location{{Address1: "1", Town: "York", Postcode: "YO1 1AA",
					Lat: lat(53.95), Lng: lat(-1.08)}}},
		}
		must(t, db.BulkInsertServices(t.Context(), w.york.ID, svcs))

		before := searchIndexSnapshot(t, db)
		ms, err := sqldb.Migrations(db.Dialect())
		must(t, err)
		_, rebuild, ok := strings.Cut(ms[4].SQL, "\n-- rebuild")
		if ms[4].Version != 5 || !ok {
			t.Fatalf("migration 5 has no rebuild section")
		}
		_, err = db.Exec(t.Context(), "-- rebuild"+rebuild)
		must(t, err)
		after := searchIndexSnapshot(t, db)
		if len(before) != len(after) {
			t.Fatalf("the index had %d entries, after the migration's rebuild %d:\nonly before %q\nonly after %q",
				len(before), len(after), without(before, after), without(after, before))
		}
		for i := range before {
			if !sameEntry(before[i], after[i]) {
				t.Fatalf("entry %d differs after the migration's rebuild:\n  Go  %s\n  SQL %s", i, before[i], after[i])
			}
		}
		// And search finds the same.
		w.wantNames(t, linkwork.SearchQuery{Text: "straße aero lodz oeuvre", Postcode: origin, RadiusKm: 2}, svcs[0])
		w.wantNames(t, linkwork.SearchQuery{Text: "paused"}, svcs[1])
		w.wantNames(t, linkwork.SearchQuery{Text: "thorsmork", FreeOnly: true, Kind: linkwork.KindScheme,
			AccessibilityIDs: w.ids("accessibility/step_free")}, svcs[0])
	})
}

// searchIndexSnapshot lists what the search index holds, one entry a line, in order.
func searchIndexSnapshot(t *testing.T, db *sqldb.DB) []string {
	t.Helper()
	var queries []string
	if db.Dialect() == "sqlite" {
		_, err := db.Exec(t.Context(), "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_vocab USING fts5vocab(main, search_fts, instance)")
		must(t, err)
		queries = []string{
			"SELECT 'token', doc, col, \"offset\", term FROM temp.search_vocab ORDER BY doc, col, \"offset\", term",
			"SELECT 'block', place_id, block, hex(data) FROM search_blocks ORDER BY place_id, block",
		}
	} else {
		queries = []string{
			`SELECT 'row', service_id, place_id, more_points, x1, y1, z1, x2, y2, z2, x3, y3, z3, name_key, name_stems,
				tier_stems, document FROM search_rows ORDER BY service_id`,
			"SELECT 'point', service_id, position, x, y, z FROM search_points ORDER BY service_id, position",
		}
	}
	var out []string
	for _, q := range queries {
		text, err := db.QueryText(t.Context(), q)
		must(t, err)
		for _, l := range strings.Split(strings.TrimSpace(text), "\n") {
			if l != "" {
				out = append(out, l)
			}
		}
	}
	return out
}

// sameEntry compares two snapshot lines, numbers within 1e-14 of each other: the unit
// vectors come from Go's sine and cosine on one side and the C library's on the other.
func sameEntry(a, b string) bool {
	fa, fb := strings.Split(a, "\t"), strings.Split(b, "\t")
	if len(fa) != len(fb) {
		return false
	}
	for i := range fa {
		if fa[i] == fb[i] {
			continue
		}
		var x, y float64
		if _, err := fmt.Sscan(fa[i], &x); err != nil {
			return false
		}
		if _, err := fmt.Sscan(fb[i], &y); err != nil || math.Abs(x-y) > 1e-14 {
			return false
		}
	}
	return true
}
