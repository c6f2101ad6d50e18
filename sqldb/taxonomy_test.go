package sqldb_test

import (
	"reflect"
	"regexp"
	"slices"
	"testing"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// uuidV4 is the shape of linkwork.NewUUID's identifiers, which Open Referral UK publishes.
var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// dirTerms returns a place's taxonomy terms by "taxonomy/term" code.
func dirTerms(t *testing.T, db *sqldb.DB, placeID int64) map[string]linkwork.TaxonomyTerm {
	t.Helper()
	taxes, err := sqldb.NewTaxonomyService(db).ListTaxonomies(t.Context(), placeID)
	must(t, err)
	out := map[string]linkwork.TaxonomyTerm{}
	for _, tax := range taxes {
		for _, term := range tax.Terms {
			out[tax.Code+"/"+term.Code] = term
		}
	}
	return out
}

// wantDefaultTaxonomies fails the test unless taxes are linkwork.DefaultTaxonomies, in
// order, as a place's own copies.
func wantDefaultTaxonomies(t *testing.T, taxes []*linkwork.Taxonomy, placeID int64) {
	t.Helper()
	if len(taxes) != len(linkwork.DefaultTaxonomies) {
		t.Fatalf("%d taxonomies, want %d", len(taxes), len(linkwork.DefaultTaxonomies))
	}
	for i, want := range linkwork.DefaultTaxonomies {
		got := taxes[i]
		if got.ID == 0 || !uuidV4.MatchString(got.UUID) || got.PlaceID != placeID || got.Code != want.Code ||
			got.Name != want.Name || got.Description != want.Description {
			t.Fatalf("taxonomy %d: got %+v, want %s (%s) in place %d", i, got, want.Code, want.Name, placeID)
		}
		if len(got.Terms) != len(want.Terms) {
			t.Fatalf("taxonomy %s: %d terms, want %d", want.Code, len(got.Terms), len(want.Terms))
		}
		for j, w := range want.Terms {
			g := got.Terms[j]
			if g.ID == 0 || !uuidV4.MatchString(g.UUID) || g.TaxonomyID != got.ID || g.TaxonomyCode != want.Code ||
				g.Code != w.Code || g.Name != w.Name || g.Description != w.Description {
				t.Fatalf("taxonomy %s term %d: got %+v, want %+v", want.Code, j, g, w)
			}
		}
	}
}

func TestPlacesGetDefaultTaxonomies(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := t.Context()
		ts := sqldb.NewTaxonomyService(db)
		york := mustPlace(t, db, "York")
		leeds := mustPlace(t, db, "Leeds")

		yorkTaxes, err := ts.ListTaxonomies(ctx, york.ID)
		must(t, err)
		wantDefaultTaxonomies(t, yorkTaxes, york.ID)
		leedsTaxes, err := ts.ListTaxonomies(ctx, leeds.ID)
		must(t, err)
		wantDefaultTaxonomies(t, leedsTaxes, leeds.ID)

		// Each place has copies of its own: no identifier is shared.
		seen := map[string]bool{}
		for _, taxes := range [][]*linkwork.Taxonomy{yorkTaxes, leedsTaxes} {
			for _, tax := range taxes {
				for _, id := range append([]string{tax.UUID, "t" + idStr(tax.ID)}, termKeys(tax)...) {
					if seen[id] {
						t.Fatalf("%s is shared between places", id)
					}
					seen[id] = true
				}
			}
		}
		taxCount, termCount := countRows(t, db, "taxonomies", ""), countRows(t, db, "taxonomy_terms", "")

		// Ensuring them again changes nothing.
		must(t, ts.EnsureDefaultTaxonomies(ctx, york.ID))
		must(t, ts.EnsureDefaultTaxonomies(ctx, york.ID))
		again, err := ts.ListTaxonomies(ctx, york.ID)
		must(t, err)
		if !reflect.DeepEqual(again, yorkTaxes) {
			t.Fatal("EnsureDefaultTaxonomies changed a place that had them all")
		}
		if n, m := countRows(t, db, "taxonomies", ""), countRows(t, db, "taxonomy_terms", ""); n != taxCount || m != termCount {
			t.Fatalf("EnsureDefaultTaxonomies twice: %d taxonomies and %d terms, want %d and %d", n, m, taxCount, termCount)
		}

		// It gives back a missing term and a missing taxonomy, and keeps a place's own terms.
		own := &linkwork.TaxonomyTerm{Code: "walking_groups", Name: "Walking groups"}
		must(t, ts.AddTerm(ctx, york.ID, linkwork.TaxonomyNeed, own))
		needID, accessID := yorkTaxes[0].ID, yorkTaxes[4].ID
		if _, err := db.Exec(ctx, "DELETE FROM taxonomy_terms WHERE taxonomy_id = ? AND code = ?", needID, "food"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(ctx, "DELETE FROM taxonomy_terms WHERE taxonomy_id = ?", accessID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(ctx, "DELETE FROM taxonomies WHERE id = ?", accessID); err != nil {
			t.Fatal(err)
		}
		must(t, ts.EnsureDefaultTaxonomies(ctx, york.ID))
		terms := dirTerms(t, db, york.ID)
		if _, ok := terms["need/food"]; !ok {
			t.Error("the deleted need term was not given back")
		}
		if _, ok := terms["accessibility/step_free"]; !ok {
			t.Error("the deleted taxonomy was not given back")
		}
		if got := terms["need/walking_groups"]; got.ID != own.ID {
			t.Errorf("the place's own term: %+v", got)
		}
		if n := countRows(t, db, "taxonomy_terms", ""); n != termCount+1 {
			t.Errorf("%d terms, want %d", n, termCount+1)
		}
		must(t, ts.EnsureDefaultTaxonomies(ctx, york.ID))
		if n := countRows(t, db, "taxonomy_terms", ""); n != termCount+1 {
			t.Errorf("%d terms after ensuring again, want %d", n, termCount+1)
		}

		// A place with none lists none.
		none, err := ts.ListTaxonomies(ctx, leeds.ID+1000)
		must(t, err)
		if len(none) != 0 {
			t.Errorf("a place that does not exist has %d taxonomies", len(none))
		}
	})
}

func termKeys(tax *linkwork.Taxonomy) []string {
	var out []string
	for _, term := range tax.Terms {
		out = append(out, term.UUID, "tt"+idStr(term.ID))
	}
	return out
}

func TestAddTerm(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		ts := sqldb.NewTaxonomyService(db)
		leeds := mustPlace(t, db, "Leeds")
		ctx := linkwork.NewContextWithActor(t.Context(), linkwork.Actor{UserID: w.admin.ID, Label: "admin@york.example", PlaceID: w.york.ID})
		before := dirTerms(t, db, w.york.ID)

		term := &linkwork.TaxonomyTerm{Code: " walking_groups ", Name: " Walking groups ", Description: " Led walks. "}
		must(t, ts.AddTerm(ctx, w.york.ID, linkwork.TaxonomyNeed, term))
		need := before["need/loneliness"].TaxonomyID
		if term.ID == 0 || !uuidV4.MatchString(term.UUID) || term.TaxonomyID != need || term.TaxonomyCode != linkwork.TaxonomyNeed ||
			term.Code != "walking_groups" || term.Name != "Walking groups" || term.Description != "Led walks." {
			t.Fatalf("added %+v", term)
		}
		taxes, err := ts.ListTaxonomies(ctx, w.york.ID)
		must(t, err)
		needTerms := taxes[0].Terms
		if got := needTerms[len(needTerms)-1]; got != *term {
			t.Fatalf("listed last in needs: %+v, want %+v", got, *term)
		}
		if _, ok := dirTerms(t, db, leeds.ID)["need/walking_groups"]; ok {
			t.Fatal("a term added in York is in Leeds")
		}

		e := oneAudit(t, db, "taxonomy.add_term", idStr(term.ID))
		if e.PlaceID != w.york.ID || e.RecordType != "taxonomy_term" || e.Detail != "need: Walking groups" ||
			e.ActorUserID != w.admin.ID || e.ActorLabel != "admin@york.example" {
			t.Errorf("audit event: %+v", e)
		}

		// A code already in the taxonomy, its own or built in, is refused; the same code is
		// fine in another taxonomy or another place.
		for _, code := range []string{"walking_groups", "loneliness", " food "} {
			err := ts.AddTerm(ctx, w.york.ID, linkwork.TaxonomyNeed, &linkwork.TaxonomyTerm{Code: code, Name: "Again"})
			wantCode(t, err, linkwork.EINVALID, "code")
		}
		must(t, ts.AddTerm(ctx, w.york.ID, linkwork.TaxonomyClientGroup, &linkwork.TaxonomyTerm{Code: "walking_groups", Name: "Walkers"}))
		must(t, ts.AddTerm(ctx, leeds.ID, linkwork.TaxonomyNeed, &linkwork.TaxonomyTerm{Code: "walking_groups", Name: "Walks"}))

		// Validation reports every problem; an unknown taxonomy is not found.
		err = ts.AddTerm(ctx, w.york.ID, linkwork.TaxonomyNeed, &linkwork.TaxonomyTerm{Code: "Walking Groups", Name: ""})
		var fields []string
		for _, e := range linkwork.FieldErrors(err) {
			fields = append(fields, e.Field)
		}
		if slices.Sort(fields); !slices.Equal(fields, []string{"code", "name"}) {
			t.Errorf("bad code and name: problems with %q (%v)", fields, err)
		}
		wantCode(t, ts.AddTerm(ctx, w.york.ID, "needs", &linkwork.TaxonomyTerm{Code: "x", Name: "X"}), linkwork.ENOTFOUND, "")
		wantCode(t, ts.AddTerm(ctx, w.york.ID, "", &linkwork.TaxonomyTerm{Code: "x", Name: "X"}), linkwork.ENOTFOUND, "")
		wantCode(t, ts.AddTerm(ctx, leeds.ID+1000, linkwork.TaxonomyNeed, &linkwork.TaxonomyTerm{Code: "x", Name: "X"}),
			linkwork.ENOTFOUND, "")

		// Only the three terms added are in the trail, and in the tables.
		if n := len(auditWith(t, db, "taxonomy.add_term", "")); n != 3 {
			t.Errorf("%d taxonomy.add_term events, want 3", n)
		}
		if got, want := len(dirTerms(t, db, w.york.ID)), len(before)+2; got != want {
			t.Errorf("York has %d terms, want %d", got, want)
		}
	})
}
