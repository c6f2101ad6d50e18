package sqldb_test

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// prWorld is a directory world with connector schemes to belong to.
type prWorld struct {
	*dirWorld
	pr          *sqldb.PractitionerService
	scheme      *linkwork.Service // York's connector scheme
	activity    *linkwork.Service // York's community offer: not a scheme
	leedsScheme *linkwork.Service
}

func newPrWorld(t *testing.T, db *sqldb.DB) *prWorld {
	t.Helper()
	w := &prWorld{dirWorld: newDirWorld(t, db), pr: sqldb.NewPractitionerService(db)}
	w.scheme = mustService(t, db, &linkwork.Service{PlaceID: w.york.ID, OrganisationID: w.gp.ID, Kind: linkwork.KindScheme,
		Name: "Calderdale Social Prescribing"})
	w.activity = mustService(t, db, &linkwork.Service{PlaceID: w.york.ID, OrganisationID: w.council.ID, Name: "Walk and Talk"})
	w.leedsScheme = mustService(t, db, &linkwork.Service{PlaceID: w.leeds.ID, OrganisationID: w.leedsOrg.ID, Kind: linkwork.KindScheme,
		Name: "Leeds Connect"})
	return w
}

func samePractitioner(t *testing.T, what string, got, want *linkwork.Practitioner) {
	t.Helper()
	if !got.UpdatedAt.Equal(want.UpdatedAt) || got.UpdatedAt.Location() != time.UTC {
		t.Fatalf("%s: updated %v, want %v in UTC", what, got.UpdatedAt, want.UpdatedAt)
	}
	g, w := *got, *want
	g.UpdatedAt, w.UpdatedAt = time.Time{}, time.Time{}
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("%s:\ngot  %+v\nwant %+v", what, g, w)
	}
}

func TestPractitioners(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newPrWorld(t, db)
		ctx := linkwork.NewContextWithActor(t.Context(), linkwork.Actor{UserID: w.admin.ID, Label: "admin@york.example"})

		ann := &linkwork.Practitioner{PlaceID: w.york.ID, UserID: w.admin.ID, Name: " Ann Ackroyd ", JobTitle: " Social prescribing link worker ",
			OrganisationID: w.gp.ID, SchemeID: w.scheme.ID, Neighbourhoods: []string{"Park Ward", "park ward", " Town "},
			Specialisms: []string{"Mental wellbeing", "Debt"}, Languages: []string{"English", "Urdu"},
			Email: " Ann@Example.org ", Phone: "07700 900123", Availability: " Mondays to Wednesdays "}
		must(t, w.pr.CreatePractitioner(ctx, ann))
		if ann.ID == 0 || ann.Name != "Ann Ackroyd" || ann.Email != "ann@example.org" || ann.OrganisationName != "Priory Medical Group" ||
			ann.SchemeName != "Calderdale Social Prescribing" || !ann.UpdatedAt.Equal(w.clock.now) ||
			!slices.Equal(ann.Neighbourhoods, []string{"Park Ward", "Town"}) {
			t.Fatalf("created %+v", ann)
		}
		got, err := w.pr.FindPractitionerByID(ctx, ann.ID)
		must(t, err)
		samePractitioner(t, "found by ID", got, ann)
		got, err = w.pr.FindPractitionerByUser(ctx, w.york.ID, w.admin.ID)
		must(t, err)
		samePractitioner(t, "found by user", got, ann)
		e := oneAudit(t, db, "practitioner.create", idStr(ann.ID))
		if e.PlaceID != w.york.ID || e.RecordType != "practitioner" || e.Detail != "Ann Ackroyd" || e.ActorUserID != w.admin.ID {
			t.Errorf("audit event: %+v", e)
		}

		// An entry needs no user and no scheme; several entries may have no user.
		for _, name := range []string{"Bob Brearley", "Cath Crossley"} {
			p := &linkwork.Practitioner{PlaceID: w.york.ID, Name: name, OrganisationID: w.council.ID}
			must(t, w.pr.CreatePractitioner(ctx, p))
			got, err := w.pr.FindPractitionerByID(ctx, p.ID)
			must(t, err)
			samePractitioner(t, name, got, p)
			if got.UserID != 0 || got.SchemeID != 0 || got.SchemeName != "" || got.Neighbourhoods == nil || got.Languages == nil {
				t.Errorf("%s: %+v", name, got)
			}
		}

		// One entry per user in a place; the same user may have one in another place they
		// work in, and none in a place they do not.
		dup := &linkwork.Practitioner{PlaceID: w.york.ID, UserID: w.admin.ID, Name: "Ann Again", OrganisationID: w.council.ID}
		wantCode(t, w.pr.CreatePractitioner(ctx, dup), linkwork.EINVALID, "user_id")
		inLeeds := &linkwork.Practitioner{PlaceID: w.leeds.ID, UserID: w.admin.ID, Name: "Ann in Leeds", OrganisationID: w.leedsOrg.ID,
			SchemeID: w.leedsScheme.ID}
		wantCode(t, w.pr.CreatePractitioner(ctx, inLeeds), linkwork.EINVALID, "user_id")
		must(t, w.svc.Users.AddMembership(ctx, w.admin.ID, w.leedsOrg.ID, linkwork.RoleLinkWorker))
		inLeeds.ID = 0
		must(t, w.pr.CreatePractitioner(ctx, inLeeds))
		got, err = w.pr.FindPractitionerByUser(ctx, w.leeds.ID, w.admin.ID)
		must(t, err)
		if got.ID != inLeeds.ID {
			t.Errorf("found by user in Leeds: %+v", got)
		}
		_, err = w.pr.FindPractitionerByUser(ctx, w.york.ID, w.admin.ID+1000)
		wantCode(t, err, linkwork.ENOTFOUND, "")
		// A user with an entry only in Leeds has none in York.
		dee := mustUser(t, db, "dee@leeds.example", "Dee", w.leedsOrg.ID, linkwork.RoleLinkWorker)
		deeInLeeds := &linkwork.Practitioner{PlaceID: w.leeds.ID, UserID: dee.ID, Name: "Dee", OrganisationID: w.leedsOrg.ID}
		must(t, w.pr.CreatePractitioner(ctx, deeInLeeds))
		_, err = w.pr.FindPractitionerByUser(ctx, w.york.ID, dee.ID)
		wantCode(t, err, linkwork.ENOTFOUND, "")
		_, err = w.pr.FindPractitionerByID(ctx, inLeeds.ID+1000)
		wantCode(t, err, linkwork.ENOTFOUND, "")

		// References must be in the place; a scheme must be a connector scheme.
		entries := countRows(t, db, "practitioners", "")
		for _, c := range []struct {
			name   string
			p      linkwork.Practitioner
			fields []string
		}{
			{"community offer as scheme", linkwork.Practitioner{OrganisationID: w.council.ID, SchemeID: w.activity.ID}, []string{"scheme_id"}},
			{"scheme of another place", linkwork.Practitioner{OrganisationID: w.council.ID, SchemeID: w.leedsScheme.ID}, []string{"scheme_id"}},
			{"scheme that does not exist", linkwork.Practitioner{OrganisationID: w.council.ID, SchemeID: w.leedsScheme.ID + 1000}, []string{"scheme_id"}},
			{"employer of another place", linkwork.Practitioner{OrganisationID: w.leedsOrg.ID}, []string{"organisation_id"}},
			{"both", linkwork.Practitioner{OrganisationID: w.leedsOrg.ID + 1000, SchemeID: w.activity.ID}, []string{"organisation_id", "scheme_id"}},
			{"no employer, no name", linkwork.Practitioner{}, []string{"name", "organisation_id"}},
		} {
			p := c.p
			p.PlaceID = w.york.ID
			if c.name != "no employer, no name" {
				p.Name = "Dan Dobson"
			}
			err := w.pr.CreatePractitioner(ctx, &p)
			var fields []string
			for _, e := range linkwork.FieldErrors(err) {
				fields = append(fields, e.Field)
			}
			slices.Sort(fields)
			if !slices.Equal(fields, c.fields) || linkwork.ErrorCode(err) != linkwork.EINVALID {
				t.Errorf("%s: problems with %q (%v), want %q", c.name, fields, err, c.fields)
			}
		}
		if n := countRows(t, db, "practitioners", ""); n != entries {
			t.Errorf("%d entries after refusals, want %d", n, entries)
		}
		if n := len(auditWith(t, db, "practitioner.create", "")); n != entries {
			t.Errorf("%d practitioner.create events, want %d", n, entries)
		}

		// Updating: the place and user stay; the scheme can be dropped.
		w.clock.advance(time.Hour)
		upd := *ann
		upd.PlaceID, upd.UserID = w.leeds.ID, w.admin.ID+1000
		upd.Name, upd.JobTitle, upd.OrganisationID, upd.SchemeID = "Ann Brook", "", w.council.ID, 0
		upd.Neighbourhoods, upd.Specialisms, upd.Languages = []string{"Ovenden"}, nil, []string{"Polish"}
		upd.Email, upd.Phone, upd.Availability = "", "", ""
		must(t, w.pr.UpdatePractitioner(ctx, &upd))
		got, err = w.pr.FindPractitionerByID(ctx, ann.ID)
		must(t, err)
		if got.PlaceID != w.york.ID || got.UserID != w.admin.ID || got.Name != "Ann Brook" || got.OrganisationName != "City of York Council" ||
			got.SchemeID != 0 || got.SchemeName != "" || !got.UpdatedAt.Equal(w.clock.now) {
			t.Fatalf("updated: %+v", got)
		}
		// What UpdatePractitioner returns is what was stored: no scheme, so no scheme name.
		if upd.SchemeName != "" {
			t.Errorf("updated without a scheme, the entry returned still names the scheme %q", upd.SchemeName)
			upd.SchemeName = ""
		}
		samePractitioner(t, "updated, as returned", &upd, got)
		e = oneAudit(t, db, "practitioner.update", idStr(ann.ID))
		if e.PlaceID != w.york.ID || e.RecordType != "practitioner" || e.Detail != "Ann Brook" {
			t.Errorf("audit event: %+v", e)
		}

		// Refused updates change nothing.
		before := got
		for _, c := range []struct {
			change func(p *linkwork.Practitioner)
			field  string
		}{
			{func(p *linkwork.Practitioner) { p.SchemeID = w.leedsScheme.ID }, "scheme_id"},
			{func(p *linkwork.Practitioner) { p.SchemeID = w.activity.ID }, "scheme_id"},
			{func(p *linkwork.Practitioner) { p.OrganisationID = w.leedsOrg.ID }, "organisation_id"},
			{func(p *linkwork.Practitioner) { p.Name = "" }, "name"},
		} {
			p := *before
			c.change(&p)
			wantCode(t, w.pr.UpdatePractitioner(ctx, &p), linkwork.EINVALID, c.field)
		}
		after, err := w.pr.FindPractitionerByID(ctx, ann.ID)
		must(t, err)
		samePractitioner(t, "after refused updates", after, before)
		if n := len(auditWith(t, db, "practitioner.update", "")); n != 1 {
			t.Errorf("%d practitioner.update events, want 1", n)
		}
		missing := *before
		missing.ID = inLeeds.ID + 1000
		wantCode(t, w.pr.UpdatePractitioner(ctx, &missing), linkwork.ENOTFOUND, "")
	})
}

func TestListPractitioners(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newPrWorld(t, db)
		ctx := t.Context()
		mk := func(p linkwork.Practitioner) {
			if p.PlaceID == 0 {
				p.PlaceID = w.york.ID
			}
			must(t, w.pr.CreatePractitioner(ctx, &p))
		}
		mk(linkwork.Practitioner{Name: "Ann Ackroyd", OrganisationID: w.council.ID, SchemeID: w.scheme.ID,
			Specialisms: []string{"Mental wellbeing"}, Neighbourhoods: []string{"Park Ward"}})
		mk(linkwork.Practitioner{Name: "bob Brearley", JobTitle: "Peer_support worker", OrganisationID: w.gp.ID,
			Specialisms: []string{"Debt advice"}, Neighbourhoods: []string{"Ovenden"}, Availability: "100% of Fridays"})
		mk(linkwork.Practitioner{Name: "Chidi Okafor", OrganisationID: w.gp.ID, SchemeID: w.scheme.ID,
			Specialisms: []string{"Housing"}, Neighbourhoods: []string{"Park Ward", "Illingworth"}, Languages: []string{"Igbo"}})
		mk(linkwork.Practitioner{Name: "Dorota Nowak", JobTitle: "Community navigator", OrganisationID: w.council.ID,
			Specialisms: []string{"100% listening"}, Languages: []string{"Polish"}})
		mk(linkwork.Practitioner{PlaceID: w.leeds.ID, Name: "Ann Leeds", OrganisationID: w.leedsOrg.ID,
			Specialisms: []string{"Housing"}, Neighbourhoods: []string{"Park Ward"}})

		y := w.york.ID
		check := func(what string, f linkwork.PractitionerFilter, wantTotal int, want ...string) {
			t.Helper()
			list, total, err := w.pr.ListPractitioners(ctx, f)
			must(t, err)
			var names []string
			for _, p := range list {
				names = append(names, p.Name)
				if p.PlaceID != f.PlaceID || p.OrganisationName == "" {
					t.Errorf("%s: listed %+v", what, p)
				}
			}
			if total != wantTotal || !slices.Equal(names, want) {
				t.Errorf("%s: got %q of %d, want %q of %d", what, names, total, want, wantTotal)
			}
		}
		all := []string{"Ann Ackroyd", "bob Brearley", "Chidi Okafor", "Dorota Nowak"}
		check("all", linkwork.PractitionerFilter{PlaceID: y}, 4, all...)
		check("blank text", linkwork.PractitionerFilter{PlaceID: y, Text: " \t "}, 4, all...)
		check("page 1", linkwork.PractitionerFilter{PlaceID: y, Page: linkwork.Page{Number: 1, Size: 3}}, 4, all[:3]...)
		check("page 2", linkwork.PractitionerFilter{PlaceID: y, Page: linkwork.Page{Number: 2, Size: 3}}, 4, all[3:]...)
		check("page 3", linkwork.PractitionerFilter{PlaceID: y, Page: linkwork.Page{Number: 3, Size: 3}}, 4)
		check("Leeds", linkwork.PractitionerFilter{PlaceID: w.leeds.ID}, 1, "Ann Leeds")

		text := func(s string, want ...string) {
			t.Helper()
			check("text "+s, linkwork.PractitionerFilter{PlaceID: y, Text: s}, len(want), want...)
		}
		text("ann", "Ann Ackroyd")          // name, in any case; not Leeds's Ann
		text("BOB", "bob Brearley")         // name
		text("debt", "bob Brearley")        // specialism
		text("ILLINGWORTH", "Chidi Okafor") // neighbourhood
		text("park ward", "Ann Ackroyd", "Chidi Okafor")
		text("park ovenden")                           // every word must match
		text("priory", "bob Brearley", "Chidi Okafor") // employer
		text("city of york", "Ann Ackroyd", "Dorota Nowak")
		text("social prescribing", "Ann Ackroyd", "Chidi Okafor") // scheme
		text("housing park", "Chidi Okafor")                      // words in different fields
		text("navigator", "Dorota Nowak")                         // job title
		text("polish", "Dorota Nowak")                            // language
		text("%", "Dorota Nowak")                                 // % is a percent sign, not a wildcard
		text("100%", "Dorota Nowak")
		text("dorota%nowak")
		text("_", "bob Brearley") // _ is an underscore, not a wildcard
		text("peer_support", "bob Brearley")
		text("peer%support")
		text("a_n")
		text(`\`)
		text(`\%`)
		text("walk") // other services are not searched

		check("GP", linkwork.PractitionerFilter{PlaceID: y, OrganisationID: w.gp.ID}, 2, "bob Brearley", "Chidi Okafor")
		check("GP, housing", linkwork.PractitionerFilter{PlaceID: y, OrganisationID: w.gp.ID, Text: "housing"}, 1, "Chidi Okafor")
		check("council, park", linkwork.PractitionerFilter{PlaceID: y, OrganisationID: w.council.ID, Text: "park"}, 1, "Ann Ackroyd")
		check("Leeds employer in York", linkwork.PractitionerFilter{PlaceID: y, OrganisationID: w.leedsOrg.ID}, 0)
		check("scheme", linkwork.PractitionerFilter{PlaceID: y, SchemeID: w.scheme.ID}, 2, "Ann Ackroyd", "Chidi Okafor")
		check("scheme, page 2", linkwork.PractitionerFilter{PlaceID: y, SchemeID: w.scheme.ID, Page: linkwork.Page{Number: 2, Size: 1}},
			2, "Chidi Okafor")
		check("text, page 2", linkwork.PractitionerFilter{PlaceID: y, Text: "park", Page: linkwork.Page{Number: 2, Size: 1}},
			2, "Chidi Okafor")

		// Renaming an employer or a scheme reaches the entries: they are found by the new
		// name, not the old.
		newName := "York Neighbourhood Services"
		_, err := sqldb.NewOrganisationService(db).UpdateOrganisation(ctx, w.council.ID, linkwork.OrganisationUpdate{Name: &newName})
		must(t, err)
		sch, err := w.dir.FindServiceByID(ctx, w.scheme.ID)
		must(t, err)
		sch.Name = "Halifax Connect"
		must(t, w.dir.UpdateService(ctx, sch))
		text("neighbourhood services", "Ann Ackroyd", "Dorota Nowak")
		text("city of york")
		text("halifax connect", "Ann Ackroyd", "Chidi Okafor")
		text("calderdale")

		// Case-insensitive matching holds for names beyond ASCII, the same on both databases.
		t.Run("case beyond ASCII", func(t *testing.T) {
			p := &linkwork.Practitioner{PlaceID: w.york.ID, Name: "Zoë Ødegaard", OrganisationID: w.council.ID,
				Neighbourhoods: []string{"Élland"}}
			must(t, w.pr.CreatePractitioner(ctx, p))
			for _, text := range []string{"Zoë", "zoë", "ZOË", "ødegaard", "ØDEGAARD", "élland", "ÉLLAND"} {
				list, total, err := w.pr.ListPractitioners(ctx, linkwork.PractitionerFilter{PlaceID: w.york.ID, Text: text})
				must(t, err)
				if total != 1 || len(list) != 1 || list[0].ID != p.ID {
					t.Errorf("text %q: %d found", text, total)
				}
			}
		})

		// Lists kept in one column come back as they were given, or are refused.
		t.Run("list entries stay whole", func(t *testing.T) {
			p := &linkwork.Practitioner{PlaceID: w.york.ID, Name: "Ann", OrganisationID: w.council.ID,
				Specialisms: []string{"Debt\nHousing"}, Neighbourhoods: []string{"Park Ward"}}
			if err := w.pr.CreatePractitioner(t.Context(), p); err != nil {
				wantCode(t, err, linkwork.EINVALID, "specialisms")
				return
			}
			got, err := w.pr.FindPractitionerByID(t.Context(), p.ID)
			must(t, err)
			if !slices.Equal(got.Specialisms, p.Specialisms) {
				t.Errorf("specialisms %q came back as %q", p.Specialisms, got.Specialisms)
			}
		})
	})
}
