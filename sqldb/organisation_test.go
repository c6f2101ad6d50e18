package sqldb_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

func TestPlaces(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		clk := useClock(db)
		ps := sqldb.NewPlaceService(db)
		ctx := t.Context()

		york := &linkwork.Place{Name: "  York  "}
		must(t, ps.CreatePlace(ctx, york))
		if york.ID == 0 || york.Name != "York" || !york.CreatedAt.Equal(clk.now) {
			t.Fatalf("created %+v, want an ID, the name trimmed and CreatedAt %v", york, clk.now)
		}

		got, err := ps.FindPlaceByID(ctx, york.ID)
		must(t, err)
		if got.ID != york.ID || got.Name != "York" || !got.CreatedAt.Equal(clk.now) || got.CreatedAt.Location() != clk.now.Location() {
			t.Fatalf("FindPlaceByID: got %+v, want %+v", got, york)
		}
		got, err = ps.FindPlaceByName(ctx, "YORK")
		must(t, err)
		if got.ID != york.ID {
			t.Fatalf("FindPlaceByName(YORK): got %+v", got)
		}
		_, err = ps.FindPlaceByName(ctx, "Leeds")
		wantCode(t, err, linkwork.ENOTFOUND, "")
		_, err = ps.FindPlaceByID(ctx, york.ID+1000)
		wantCode(t, err, linkwork.ENOTFOUND, "")

		// A name already used, in any case, is an error about the name.
		for _, name := range []string{"York", "york", " YORK "} {
			err := ps.CreatePlace(ctx, &linkwork.Place{Name: name})
			wantCode(t, err, linkwork.EINVALID, "name")
		}
		for _, name := range []string{"", "   ", strings.Repeat("a", 121), "York\nLeeds", "Tab\there"} {
			err := ps.CreatePlace(ctx, &linkwork.Place{Name: name})
			wantCode(t, err, linkwork.EINVALID, "name")
		}
		long := &linkwork.Place{Name: strings.Repeat("é", 120)} // 120 characters, 240 bytes
		must(t, ps.CreatePlace(ctx, long))

		mustPlace(t, db, "wakefield")
		mustPlace(t, db, "Bradford")
		list, err := ps.ListPlaces(ctx)
		must(t, err)
		var names []string
		for _, p := range list {
			names = append(names, p.Name)
		}
		if want := []string{"Bradford", "wakefield", "York", long.Name}; !slices.Equal(names, want) {
			t.Fatalf("ListPlaces: got %q, want %q", names, want)
		}

		e := oneAudit(t, db, linkwork.AuditPlaceCreate, idStr(york.ID))
		if e.PlaceID != york.ID || e.RecordType != "place" || e.Detail != "York" || !e.At.Equal(clk.now) {
			t.Fatalf("place.create event: got %+v", e)
		}
		if n := len(auditWith(t, db, linkwork.AuditPlaceCreate, "")); n != 4 {
			t.Fatalf("got %d place.create events, want 4 (failed creations leave none)", n)
		}
	})
}

func TestOrganisations(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		clk := useClock(db)
		os := sqldb.NewOrganisationService(db)
		ctx := t.Context()
		york := mustPlace(t, db, "York")
		leeds := mustPlace(t, db, "Leeds")

		council := &linkwork.Organisation{PlaceID: york.ID, Name: "  City of York Council ", Sector: linkwork.SectorCouncil}
		must(t, os.CreateOrganisation(ctx, council))
		if council.ID == 0 || council.Name != "City of York Council" || !council.CreatedAt.Equal(clk.now) || !council.UpdatedAt.Equal(clk.now) {
			t.Fatalf("created %+v", council)
		}
		got, err := os.FindOrganisationByID(ctx, council.ID)
		must(t, err)
		if *got != *council {
			t.Fatalf("FindOrganisationByID: got %+v, want %+v", got, council)
		}
		got, err = os.FindOrganisationByName(ctx, york.ID, "city of york COUNCIL")
		must(t, err)
		if got.ID != council.ID {
			t.Fatalf("FindOrganisationByName: got %+v", got)
		}
		_, err = os.FindOrganisationByName(ctx, leeds.ID, "City of York Council")
		wantCode(t, err, linkwork.ENOTFOUND, "")
		_, err = os.FindOrganisationByID(ctx, council.ID+1000)
		wantCode(t, err, linkwork.ENOTFOUND, "")

		// Validation and references.
		bad := []struct {
			o     linkwork.Organisation
			field string
		}{
			{linkwork.Organisation{PlaceID: york.ID, Name: "", Sector: linkwork.SectorNHS}, "name"},
			{linkwork.Organisation{PlaceID: york.ID, Name: strings.Repeat("x", 201), Sector: linkwork.SectorNHS}, "name"},
			{linkwork.Organisation{PlaceID: york.ID, Name: "Bank", Sector: "bank"}, "sector"},
			{linkwork.Organisation{PlaceID: york.ID, Name: "Nothing"}, "sector"},
			{linkwork.Organisation{PlaceID: 0, Name: "Nowhere", Sector: linkwork.SectorNHS}, "place_id"},
			{linkwork.Organisation{PlaceID: leeds.ID + 1000, Name: "Nowhere", Sector: linkwork.SectorNHS}, "place_id"},
			{linkwork.Organisation{PlaceID: york.ID, Name: "CITY OF YORK COUNCIL", Sector: linkwork.SectorNHS}, "name"},
		}
		for _, b := range bad {
			o := b.o
			wantCode(t, os.CreateOrganisation(ctx, &o), linkwork.EINVALID, b.field)
		}
		// The same name is fine in another place.
		leedsCouncil := mustOrg(t, db, leeds.ID, "City of York Council", linkwork.SectorOther)

		// Listing: by name, paged, with the total, filtered by sector, in one place only.
		mustOrg(t, db, york.ID, "priory medical group", linkwork.SectorNHS)
		mustOrg(t, db, york.ID, "Haxby Group", linkwork.SectorNHS)
		mustOrg(t, db, york.ID, "York CVS", linkwork.SectorVCSE)
		mustOrg(t, db, york.ID, "abbey church", linkwork.SectorFaith)
		wantAll := []string{"abbey church", "City of York Council", "Haxby Group", "priory medical group", "York CVS"}
		var names []string
		for page := 1; page <= 3; page++ {
			list, total, err := os.ListOrganisations(ctx, linkwork.OrganisationFilter{PlaceID: york.ID,
				Page: linkwork.Page{Number: page, Size: 2}})
			must(t, err)
			if total != len(wantAll) {
				t.Fatalf("page %d: total %d, want %d", page, total, len(wantAll))
			}
			if want := min(2, len(wantAll)-(page-1)*2); len(list) != want {
				t.Fatalf("page %d: got %d organisations, want %d", page, len(list), want)
			}
			for _, o := range list {
				if o.PlaceID != york.ID {
					t.Fatalf("listed %+v from another place", o)
				}
				names = append(names, o.Name)
			}
		}
		if !slices.Equal(names, wantAll) {
			t.Fatalf("pages: got %q, want %q", names, wantAll)
		}
		list, total, err := os.ListOrganisations(ctx, linkwork.OrganisationFilter{PlaceID: york.ID, Page: linkwork.Page{Number: 4, Size: 2}})
		must(t, err)
		if len(list) != 0 || total != len(wantAll) {
			t.Fatalf("page past the end: got %d organisations, total %d", len(list), total)
		}
		list, total, err = os.ListOrganisations(ctx, linkwork.OrganisationFilter{PlaceID: york.ID, Sector: linkwork.SectorNHS})
		must(t, err)
		if total != 2 || len(list) != 2 || list[0].Name != "Haxby Group" || list[1].Name != "priory medical group" {
			t.Fatalf("NHS organisations: got %d of %d: %+v", len(list), total, list)
		}
		list, total, err = os.ListOrganisations(ctx, linkwork.OrganisationFilter{PlaceID: leeds.ID})
		must(t, err)
		if total != 1 || len(list) != 1 || list[0].ID != leedsCouncil.ID {
			t.Fatalf("Leeds organisations: got %d of %d: %+v", len(list), total, list)
		}
		_, total, err = os.ListOrganisations(ctx, linkwork.OrganisationFilter{PlaceID: york.ID, Sector: linkwork.SectorPolice})
		must(t, err)
		if total != 0 {
			t.Fatalf("police organisations: total %d, want 0", total)
		}

		// Updating.
		created := clk.now
		clk.advance(90 * time.Second)
		newName, vcse := "York Council", linkwork.SectorVCSE
		upd, err := os.UpdateOrganisation(ctx, council.ID, linkwork.OrganisationUpdate{Name: &newName})
		must(t, err)
		if upd.Name != "York Council" || upd.Sector != linkwork.SectorCouncil || !upd.CreatedAt.Equal(created) || !upd.UpdatedAt.Equal(clk.now) {
			t.Fatalf("after renaming: %+v", upd)
		}
		upd, err = os.UpdateOrganisation(ctx, council.ID, linkwork.OrganisationUpdate{Sector: &vcse})
		must(t, err)
		if upd.Name != "York Council" || upd.Sector != linkwork.SectorVCSE {
			t.Fatalf("after changing the sector: %+v", upd)
		}
		// Its own name in another case is not a clash.
		lower := "york council"
		_, err = os.UpdateOrganisation(ctx, council.ID, linkwork.OrganisationUpdate{Name: &lower})
		must(t, err)

		clash, badSector, empty := "HAXBY GROUP", linkwork.Sector("bank"), " "
		_, err = os.UpdateOrganisation(ctx, council.ID, linkwork.OrganisationUpdate{Name: &clash})
		wantCode(t, err, linkwork.EINVALID, "name")
		_, err = os.UpdateOrganisation(ctx, council.ID, linkwork.OrganisationUpdate{Sector: &badSector})
		wantCode(t, err, linkwork.EINVALID, "sector")
		_, err = os.UpdateOrganisation(ctx, council.ID, linkwork.OrganisationUpdate{Name: &empty})
		wantCode(t, err, linkwork.EINVALID, "name")
		_, err = os.UpdateOrganisation(ctx, council.ID+1000, linkwork.OrganisationUpdate{Name: &newName})
		wantCode(t, err, linkwork.ENOTFOUND, "")
		got, err = os.FindOrganisationByID(ctx, council.ID)
		must(t, err)
		if got.Name != "york council" || got.Sector != linkwork.SectorVCSE {
			t.Fatalf("a failed update changed the organisation: %+v", got)
		}

		if n := len(auditWith(t, db, linkwork.AuditOrgUpdate, idStr(council.ID))); n != 3 {
			t.Fatalf("got %d organisation.update events, want 3 (failed updates leave none)", n)
		}
		e := auditWith(t, db, linkwork.AuditOrgUpdate, idStr(council.ID))[0]
		if e.PlaceID != york.ID || e.RecordType != "organisation" || e.Detail != "york council (vcse)" {
			t.Fatalf("organisation.update event: %+v", e)
		}
		e = oneAudit(t, db, linkwork.AuditOrgCreate, idStr(leedsCouncil.ID))
		if e.PlaceID != leeds.ID || e.Detail != "City of York Council (other)" {
			t.Fatalf("organisation.create event: %+v", e)
		}
	})
}
