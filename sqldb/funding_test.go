package sqldb_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

func TestFundingOpportunities(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newLandWorld(t, db)
		ctx := linkwork.NewContextWithActor(t.Context(), linkwork.Actor{UserID: w.manager, Label: "max@connectors.example", PlaceID: w.york.ID})
		note := "Nothing for lonely older people near the park; " + strings.Repeat("é", 1000)
		f := &linkwork.FundingOpportunity{PlaceID: w.york.ID, NeighbourhoodCode: " e01000001 ", Need: "loneliness", Note: "  " + note + "\n"}
		must(t, w.land.CreateFundingOpportunity(ctx, f))
		want := &linkwork.FundingOpportunity{ID: f.ID, PlaceID: w.york.ID, NeighbourhoodCode: "E01000001", NeighbourhoodName: "Calderdale 001A",
			IMDDecile: 1, Need: "loneliness", NeedLabel: "Loneliness and isolation", Note: note, Status: "open", CreatedBy: "Max Manager",
			CreatedAt: w.clock.now}
		if f.ID == 0 || jsonOf(f) != jsonOf(want) {
			t.Fatalf("created:\n%s\nwant\n%s", jsonOf(f), jsonOf(want))
		}
		e := oneAudit(t, db, linkwork.AuditFundingCreate, idStr(f.ID))
		if e.PlaceID != w.york.ID || e.ActorUserID != w.manager || e.RecordType != "funding_opportunity" ||
			e.Detail != "E01000001 Calderdale 001A: Loneliness and isolation" {
			t.Fatalf("audit event %+v", e)
		}

		// A neighbourhood missing from lsoas is named by its code; a note of exactly 2,000
		// characters is allowed.
		w.clock.advance(time.Hour)
		g := &linkwork.FundingOpportunity{PlaceID: w.york.ID, NeighbourhoodCode: "E01000004", Need: "housing", Note: strings.Repeat("a", 2000)}
		must(t, w.land.CreateFundingOpportunity(ctx, g))
		if g.NeighbourhoodName != "E01000004" || g.IMDDecile != 0 || g.NeedLabel != "Housing" {
			t.Fatalf("created %s", jsonOf(g))
		}

		// The same open neighbourhood and need again is a conflict, and nothing is saved.
		again := &linkwork.FundingOpportunity{PlaceID: w.york.ID, NeighbourhoodCode: "E01000001", Need: "loneliness"}
		err := w.land.CreateFundingOpportunity(ctx, again)
		wantCode(t, err, linkwork.ECONFLICT, "")
		if !strings.Contains(err.Error(), "already an open funding opportunity") {
			t.Fatalf("conflict message: %v", err)
		}
		if n := countRows(t, db, "funding_opportunities", ""); n != 2 {
			t.Fatalf("%d opportunities after a conflict, want 2", n)
		}
		// Once the first is funded, the gap may be noted again.
		if _, err := db.Exec(ctx, "UPDATE funding_opportunities SET status = 'funded' WHERE id = ?", f.ID); err != nil {
			t.Fatal(err)
		}
		w.clock.advance(time.Hour)
		must(t, w.land.CreateFundingOpportunity(ctx, again))

		// Bad input: precise errors and nothing saved.
		bad := []struct {
			f     linkwork.FundingOpportunity
			field string
			says  string
		}{
			{linkwork.FundingOpportunity{NeighbourhoodCode: "E01000021", Need: "loneliness"}, "neighbourhood_code", "not one of this place's neighbourhoods"},
			{linkwork.FundingOpportunity{NeighbourhoodCode: "E01000003", Need: "loneliness"}, "neighbourhood_code", "E01000003 is not one"},
			{linkwork.FundingOpportunity{NeighbourhoodCode: "nowhere", Need: "loneliness"}, "neighbourhood_code", "NOWHERE is not one"},
			{linkwork.FundingOpportunity{Need: "loneliness"}, "neighbourhood_code", "Choose the neighbourhood"},
			{linkwork.FundingOpportunity{NeighbourhoodCode: "E01000001", Need: "older_people"}, "need", `no need "older_people"`},
			{linkwork.FundingOpportunity{NeighbourhoodCode: "E01000001"}, "need", "Choose the need"},
			{linkwork.FundingOpportunity{NeighbourhoodCode: "E01000001", Need: "food", Note: strings.Repeat("é", 2001)}, "note",
				"2000 characters or fewer (it has 2001)"},
		}
		for _, b := range bad {
			b.f.PlaceID = w.york.ID
			err := w.land.CreateFundingOpportunity(ctx, &b.f)
			wantCode(t, err, linkwork.EINVALID, b.field)
			if !strings.Contains(err.Error(), b.says) {
				t.Fatalf("%+v: %v, want it to say %q", b.f, err, b.says)
			}
		}
		// Both wrong: both said.
		err = w.land.CreateFundingOpportunity(ctx, &linkwork.FundingOpportunity{PlaceID: w.york.ID, NeighbourhoodCode: "E01000021", Need: "walking"})
		if fs := linkwork.FieldErrors(err); len(fs) != 2 || fs[0].Field != "need" || fs[1].Field != "neighbourhood_code" {
			t.Fatalf("two problems: %v", err)
		}
		// Another place's neighbourhood is not one of Leeds's, and a missing place is not found.
		err = w.land.CreateFundingOpportunity(ctx, &linkwork.FundingOpportunity{PlaceID: w.leeds.ID, NeighbourhoodCode: "E01000001", Need: "loneliness"})
		wantCode(t, err, linkwork.EINVALID, "neighbourhood_code")
		err = w.land.CreateFundingOpportunity(ctx, &linkwork.FundingOpportunity{PlaceID: 999999, NeighbourhoodCode: "E01000001", Need: "loneliness"})
		wantCode(t, err, linkwork.ENOTFOUND, "")
		if n := countRows(t, db, "funding_opportunities", ""); n != 3 {
			t.Fatalf("%d opportunities after bad input, want 3", n)
		}
		if n := len(auditWith(t, db, linkwork.AuditFundingCreate, "")); n != 3 {
			t.Fatalf("%d audit events, want 3", n)
		}

		// Listed newest first, with names and labels; another place has none.
		list, err := w.land.ListFundingOpportunities(context.Background(), w.york.ID)
		must(t, err)
		if len(list) != 3 || list[0].ID != again.ID || list[1].ID != g.ID || list[2].ID != f.ID {
			t.Fatalf("list:\n%s", jsonOf(list))
		}
		want.Status = "funded"
		if jsonOf(list[2]) != jsonOf(want) || jsonOf(list[1]) != jsonOf(g) || jsonOf(list[0]) != jsonOf(again) {
			t.Fatalf("list:\n%s\nwant the last\n%s", jsonOf(list), jsonOf(want))
		}
		leeds, err := w.land.ListFundingOpportunities(t.Context(), w.leeds.ID)
		must(t, err)
		if leeds == nil || len(leeds) != 0 {
			t.Fatalf("Leeds's opportunities: %v", leeds)
		}
	})
}
