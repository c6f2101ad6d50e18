package sqldb_test

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// dirWorld is a world with a directory: York with its terms, and Leeds with an
// organisation and terms of its own, to refer to by mistake.
type dirWorld struct {
	*world
	dir        *sqldb.ServiceService
	terms      map[string]linkwork.TaxonomyTerm
	leeds      *linkwork.Place
	leedsOrg   *linkwork.Organisation
	leedsTerms map[string]linkwork.TaxonomyTerm
}

func newDirWorld(t *testing.T, db *sqldb.DB) *dirWorld {
	t.Helper()
	w := &dirWorld{world: newWorld(t, db), dir: sqldb.NewServiceService(db)}
	w.leeds = mustPlace(t, db, "Leeds")
	w.leedsOrg = mustOrg(t, db, w.leeds.ID, "Leeds Community Trust", linkwork.SectorVCSE)
	w.terms, w.leedsTerms = dirTerms(t, db, w.york.ID), dirTerms(t, db, w.leeds.ID)
	return w
}

func (w *dirWorld) termIDs(codes ...string) []int64 {
	var out []int64
	for _, c := range codes {
		term, ok := w.terms[c]
		if !ok {
			panic("no term " + c)
		}
		out = append(out, term.ID)
	}
	return out
}

// termsOf returns York's terms with these IDs, in the order given.
func (w *dirWorld) termsOf(ids []int64) []linkwork.TaxonomyTerm {
	out := []linkwork.TaxonomyTerm{}
	for _, id := range ids {
		for _, term := range w.terms {
			if term.ID == id {
				out = append(out, term)
			}
		}
	}
	return out
}

// Halifax postcodes, as the postcode lookup has them.
func dirPostcodes() []*linkwork.PostcodeInfo {
	ended := time.Date(2015, time.April, 1, 0, 0, 0, 0, time.UTC)
	return []*linkwork.PostcodeInfo{
		{Postcode: "HX1 1AA", Lat: 53.724334, Lng: -1.857458, LSOA: "E01010994"},
		{Postcode: "HX1 1AB", Lat: 53.725515, Lng: -1.860394, LSOA: "E01010994", Terminated: &ended},
		{Postcode: "HX3 9AA", Lat: 53.7, Lng: -1.82, LSOA: "E01011103"},
	}
}

func dirImportPostcodes(t *testing.T, db *sqldb.DB, ps ...*linkwork.PostcodeInfo) {
	t.Helper()
	_, err := sqldb.NewGeographyService(db).ImportPostcodes(t.Context(), func(yield func(*linkwork.PostcodeInfo, error) bool) {
		for _, p := range ps {
			if !yield(p, nil) {
				return
			}
		}
	}, linkwork.ImportOptions{AllOrNothing: true})
	must(t, err)
}

func f64(v float64) *float64 { return &v }
func intp(v int) *int        { return &v }

// fullActivity is a community offer with every field and list filled in.
func (w *dirWorld) fullActivity() *linkwork.Service {
	return &linkwork.Service{
		PlaceID: w.york.ID, OrganisationID: w.council.ID, Kind: linkwork.KindActivity,
		Name: "Walk and Talk", Description: "A gentle walk round the park.\nAll welcome.",
		URL: "https://example.org/walks", Email: "Walks@Example.org", Phone: "01422 123456", Status: linkwork.StatusActive,
		MinAge: intp(18), MaxAge: intp(99), Eligibility: "Adults living in Halifax", Free: false, Fees: "£2 a session",
		Accessibility: "Step-free route", Languages: []string{"English", "Polish", "Urdu"},
		Areas:   []string{"Park Ward", "Town", "Illingworth"},
		TermIDs: w.termIDs("need/loneliness", "need/physical_activity", "building_block/connect", "five_ways/be_active"),
		Schedules: []linkwork.Schedule{
			{Freq: linkwork.Weekly, Days: []time.Weekday{time.Tuesday, time.Thursday}, Opens: "10:00", Closes: "12:00", Description: "Term time"},
			{Freq: linkwork.Monthly, Days: []time.Weekday{time.Friday}, Ordinal: -1, Opens: "18:30:00", Closes: "20:00"},
			{Freq: linkwork.Monthly, Days: []time.Weekday{time.Monday, time.Wednesday}, Ordinal: 2, Opens: "9:05", Closes: "10:00"},
		},
		Locations: []linkwork.Location{
			{Name: "Square Chapel", Address1: "10 Square Road", Address2: "Rear entrance", Town: "Halifax", Postcode: "hx11aa"},
			{Address1: "People's Park", Town: "Halifax", Postcode: "HX3 9AA", Lat: f64(53.7111), Lng: f64(-1.8333)},
		},
		Contacts: []linkwork.Contact{
			{Name: "Ann Ackroyd", Title: "Organiser", Email: "ann@example.org", Phone: "07700 900123"},
			{Name: "Bob"},
		},
	}
}

// fullScheme is a connector scheme with every detail filled in.
func (w *dirWorld) fullScheme() *linkwork.Service {
	return &linkwork.Service{
		PlaceID: w.york.ID, OrganisationID: w.gp.ID, Kind: linkwork.KindScheme, Name: "Calderdale Social Prescribing",
		Description: "Link workers in every GP practice.", Status: linkwork.StatusActive, Free: true,
		Scheme: &linkwork.ConnectorScheme{Model: linkwork.ModelHighIntensityUser,
			WhoCanRefer: []linkwork.ReferrerType{linkwork.ReferrerGP, linkwork.ReferrerHospital, linkwork.ReferrerSelf},
			HowToRefer:  "Ring the hub on 01422 000000.", FundingSource: "NHS England ARRS", StaffFTE: 2.6, CaseloadLimit: 40,
			WaitingWeeks: 3, ElectronicSystem: "EMIS", AssessmentTools: []string{"SWEMWBS", "ONS4", "MYCaW"}},
	}
}

func mustService(t *testing.T, db *sqldb.DB, s *linkwork.Service) *linkwork.Service {
	t.Helper()
	if s.Description == "" {
		s.Description = "About " + s.Name
	}
	if s.Status == "" {
		s.Status = linkwork.StatusActive
	}
	if s.Kind == "" {
		s.Kind = linkwork.KindActivity
	}
	if s.Kind == linkwork.KindScheme && s.Scheme == nil {
		s.Scheme = &linkwork.ConnectorScheme{Model: linkwork.ModelPCNLinkWorker, WhoCanRefer: []linkwork.ReferrerType{linkwork.ReferrerGP}}
	}
	must(t, sqldb.NewServiceService(db).CreateService(t.Context(), s))
	return s
}

// normalService returns a copy of s that compares with reflect.DeepEqual: empty lists for
// nil ones, and no times (which sameService compares with Equal).
func normalService(s *linkwork.Service) linkwork.Service {
	c := *s
	c.CreatedAt, c.UpdatedAt, c.LastVerifiedAt = time.Time{}, time.Time{}, nil
	if c.Languages == nil {
		c.Languages = []string{}
	}
	if c.Areas == nil {
		c.Areas = []string{}
	}
	if c.TermIDs == nil {
		c.TermIDs = []int64{}
	}
	if c.Terms == nil {
		c.Terms = []linkwork.TaxonomyTerm{}
	}
	if c.Schedules == nil {
		c.Schedules = []linkwork.Schedule{}
	}
	if c.Locations == nil {
		c.Locations = []linkwork.Location{}
	}
	if c.Contacts == nil {
		c.Contacts = []linkwork.Contact{}
	}
	if c.Scheme != nil {
		sc := *c.Scheme
		if sc.AssessmentTools == nil {
			sc.AssessmentTools = []string{}
		}
		c.Scheme = &sc
	}
	return c
}

// sameService fails the test unless got and want are the same service.
func sameService(t *testing.T, what string, got, want *linkwork.Service) {
	t.Helper()
	if !got.CreatedAt.Equal(want.CreatedAt) || !got.UpdatedAt.Equal(want.UpdatedAt) {
		t.Fatalf("%s: created %v and updated %v, want %v and %v", what, got.CreatedAt, got.UpdatedAt, want.CreatedAt, want.UpdatedAt)
	}
	if (got.LastVerifiedAt == nil) != (want.LastVerifiedAt == nil) ||
		got.LastVerifiedAt != nil && !got.LastVerifiedAt.Equal(*want.LastVerifiedAt) {
		t.Fatalf("%s: last verified %v, want %v", what, got.LastVerifiedAt, want.LastVerifiedAt)
	}
	g, w := normalService(got), normalService(want)
	if !reflect.DeepEqual(g, w) {
		gj, _ := json.MarshalIndent(g, "", "  ")
		wj, _ := json.MarshalIndent(w, "", "  ")
		t.Fatalf("%s:\ngot  %s\nwant %s", what, gj, wj)
	}
}

func TestCreateServiceRoundTrip(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newDirWorld(t, db)
		ctx := t.Context()
		dirImportPostcodes(t, db, dirPostcodes()...)

		act := w.fullActivity()
		// A term given twice is kept once.
		act.TermIDs = append(act.TermIDs, act.TermIDs[1])
		must(t, w.dir.CreateService(ctx, act))
		if act.ID == 0 || !uuidV4.MatchString(act.UUID) || !act.CreatedAt.Equal(w.clock.now) || !act.UpdatedAt.Equal(w.clock.now) ||
			act.OrganisationName != "City of York Council" || act.LastVerifiedAt != nil || act.VerifiedBy != "" {
			t.Fatalf("created %+v", act)
		}
		if act.Email != "walks@example.org" || len(act.TermIDs) != 4 {
			t.Errorf("email %q and terms %v: want the email in lower case and 4 terms", act.Email, act.TermIDs)
		}
		if sc := act.Schedules; sc[1].Opens != "18:30" || sc[2].Opens != "09:05" {
			t.Errorf("times not normalised: %+v", sc)
		}
		// Both locations' coordinates and LSOA come from their postcodes: the lookup wins over
		// coordinates given, so that a changed postcode cannot keep the old place on the map.
		l0, l1 := act.Locations[0], act.Locations[1]
		if l0.ID == 0 || !uuidV4.MatchString(l0.UUID) || l0.Postcode != "HX1 1AA" || l0.Lat == nil || *l0.Lat != 53.724334 ||
			l0.Lng == nil || *l0.Lng != -1.857458 || l0.LSOA != "E01010994" {
			t.Errorf("first location: %+v", l0)
		}
		if l1.ID == 0 || l1.ID == l0.ID || l1.UUID == l0.UUID || *l1.Lat != 53.7 || *l1.Lng != -1.82 || l1.LSOA != "E01011103" {
			t.Errorf("second location: %+v", l1)
		}

		got, err := w.dir.FindServiceByID(ctx, act.ID)
		must(t, err)
		want := *act
		want.Terms = w.termsOf(act.TermIDs)
		sameService(t, "activity", got, &want)
		if got.CreatedAt.Location() != time.UTC || got.Scheme != nil {
			t.Errorf("activity: created at %v, scheme %+v", got.CreatedAt.Location(), got.Scheme)
		}
		if got.Terms[0].TaxonomyCode != linkwork.TaxonomyNeed || got.Terms[0].Code != "loneliness" || got.Terms[0].UUID == "" {
			t.Errorf("terms: %+v", got.Terms)
		}

		// A connector scheme keeps its details; a service with empty lists lists nothing.
		w.clock.advance(time.Minute)
		sch := w.fullScheme()
		must(t, w.dir.CreateService(ctx, sch))
		got, err = w.dir.FindServiceByID(ctx, sch.ID)
		must(t, err)
		sameService(t, "scheme", got, sch)
		if got.MinAge != nil || got.MaxAge != nil || !got.Free || len(got.Schedules) != 0 || got.Languages == nil ||
			got.Terms == nil || got.Locations == nil || got.Contacts == nil || got.Schedules == nil || got.Areas == nil {
			t.Errorf("scheme without lists: %+v", got)
		}
		if sch.UUID == act.UUID || sch.ID == act.ID {
			t.Error("two services share an identifier")
		}

		// Listing loads each service's own lists.
		list, total, err := w.dir.ListServices(ctx, linkwork.ServiceFilter{PlaceID: w.york.ID})
		must(t, err)
		if total != 2 || len(list) != 2 {
			t.Fatalf("listed %d of %d", len(list), total)
		}
		sameService(t, "listed scheme", list[0], sch)
		sameService(t, "listed activity", list[1], &want)

		e := oneAudit(t, db, "service.create", idStr(act.ID))
		if e.PlaceID != w.york.ID || e.RecordType != "service" || e.Detail != "Walk and Talk" {
			t.Errorf("audit event: %+v", e)
		}
		oneAudit(t, db, "service.create", idStr(sch.ID))

		_, err = w.dir.FindServiceByID(ctx, sch.ID+1000)
		wantCode(t, err, linkwork.ENOTFOUND, "")

		// Organisations have UUIDs, which the directory publishes.
		t.Run("organisation UUIDs", func(t *testing.T) {
			os := sqldb.NewOrganisationService(db)
			third := mustOrg(t, db, w.york.ID, "York CVS", linkwork.SectorVCSE)
			seen := map[string]bool{}
			for _, o := range []*linkwork.Organisation{w.council, w.gp, third} {
				if !uuidV4.MatchString(o.UUID) || seen[o.UUID] {
					t.Fatalf("organisation %q has UUID %q", o.Name, o.UUID)
				}
				seen[o.UUID] = true
				got, err := os.FindOrganisationByID(ctx, o.ID)
				must(t, err)
				if got.UUID != o.UUID {
					t.Errorf("found UUID %q, want %q", got.UUID, o.UUID)
				}
			}
			list, _, err := os.ListOrganisations(ctx, linkwork.OrganisationFilter{PlaceID: w.york.ID})
			must(t, err)
			for _, o := range list {
				if !seen[o.UUID] {
					t.Errorf("listed %q with UUID %q", o.Name, o.UUID)
				}
			}
			// Renaming keeps it.
			name := "CVS York"
			upd, err := os.UpdateOrganisation(ctx, third.ID, linkwork.OrganisationUpdate{Name: &name})
			must(t, err)
			if upd.UUID != third.UUID {
				t.Errorf("renamed: UUID %q, want %q", upd.UUID, third.UUID)
			}
			_, err = db.Exec(ctx, "UPDATE organisations SET uuid = ? WHERE id = ?", w.council.UUID, w.gp.ID)
			wantCode(t, err, linkwork.ECONFLICT, "")
		})

		// Lists kept in one column come back as they were given, or are refused: an entry
		// never splits into two.
		t.Run("list entries stay whole", func(t *testing.T) {
			s := w.fullScheme()
			s.Languages = []string{"Polish\nUrdu", "English"}
			s.Scheme.AssessmentTools = []string{"SWEMWBS\r\nONS4"}
			err := w.dir.CreateService(ctx, s)
			if err != nil {
				var fields []string
				for _, e := range linkwork.FieldErrors(err) {
					fields = append(fields, e.Field)
				}
				slices.Sort(fields)
				if !slices.Equal(fields, []string{"languages", "scheme.assessment_tools"}) {
					t.Fatalf("entries on two lines: problems with %q (%v), want languages and scheme.assessment_tools", fields, err)
				}
				return
			}
			got, err := w.dir.FindServiceByID(ctx, s.ID)
			must(t, err)
			if !slices.Equal(got.Languages, s.Languages) || !slices.Equal(got.Scheme.AssessmentTools, s.Scheme.AssessmentTools) {
				t.Errorf("languages %q and tools %q came back as %q and %q", s.Languages, s.Scheme.AssessmentTools,
					got.Languages, got.Scheme.AssessmentTools)
			}
		})
	})
}

func TestCreateServiceRefusesBadReferences(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newDirWorld(t, db)
		ctx := t.Context()
		fields := func(err error) []string {
			var out []string
			for _, e := range linkwork.FieldErrors(err) {
				out = append(out, e.Field)
			}
			slices.Sort(out)
			return out
		}
		cases := []struct {
			name   string
			change func(s *linkwork.Service)
			fields []string
		}{
			{"organisation of another place", func(s *linkwork.Service) { s.OrganisationID = w.leedsOrg.ID }, []string{"organisation_id"}},
			{"organisation that does not exist", func(s *linkwork.Service) { s.OrganisationID = w.leedsOrg.ID + 1000 }, []string{"organisation_id"}},
			{"place of another organisation", func(s *linkwork.Service) { s.PlaceID = w.leeds.ID }, []string{"organisation_id", "term_ids", "term_ids", "term_ids", "term_ids"}},
			{"term of another place", func(s *linkwork.Service) {
				s.TermIDs = append(s.TermIDs, w.leedsTerms["need/loneliness"].ID)
			}, []string{"term_ids"}},
			{"term that does not exist", func(s *linkwork.Service) { s.TermIDs = []int64{999999} }, []string{"term_ids"}},
			{"every reference wrong", func(s *linkwork.Service) {
				s.OrganisationID = w.leedsOrg.ID
				s.TermIDs = []int64{w.leedsTerms["need/food"].ID, w.leedsTerms["need/housing"].ID}
			}, []string{"organisation_id", "term_ids", "term_ids"}},
			{"malformed postcode", func(s *linkwork.Service) { s.Locations[1].Postcode = "HX1" }, []string{"locations[1].postcode"}},
			{"no name", func(s *linkwork.Service) { s.Name = " " }, []string{"name"}},
			{"scheme details on an activity", func(s *linkwork.Service) { s.Scheme = w.fullScheme().Scheme }, []string{"scheme"}},
			{"scheme without details", func(s *linkwork.Service) { s.Kind = linkwork.KindScheme }, []string{"scheme.model", "scheme.who_can_refer"}},
			{"bad schedule", func(s *linkwork.Service) { s.Schedules[2].Closes = "9:00" }, []string{"schedules[2].closes_at"}},
		}
		for _, c := range cases {
			s := w.fullActivity()
			c.change(s)
			err := w.dir.CreateService(ctx, s)
			if got := fields(err); !slices.Equal(got, c.fields) {
				t.Errorf("%s: got problems with %q, want %q (%v)", c.name, got, c.fields, err)
			}
			if linkwork.ErrorCode(err) != linkwork.EINVALID {
				t.Errorf("%s: code %s", c.name, linkwork.ErrorCode(err))
			}
		}
		for _, table := range []string{"services", "service_terms", "service_areas", "schedules", "locations", "contacts", "connector_schemes"} {
			if n := countRows(t, db, table, ""); n != 0 {
				t.Errorf("%d rows in %s after refused services", n, table)
			}
		}
		if n := len(auditWith(t, db, "service.create", "")); n != 0 {
			t.Errorf("%d service.create events after refused services", n)
		}
	})
}

func TestServiceLocationPostcodes(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newDirWorld(t, db)
		ctx := t.Context()
		withLocations := func(ls ...linkwork.Location) *linkwork.Service {
			return &linkwork.Service{PlaceID: w.york.ID, OrganisationID: w.council.ID, Kind: linkwork.KindActivity,
				Name: "Choir", Description: "Sing.", Status: linkwork.StatusActive, Locations: ls}
		}
		at := func(pc string) linkwork.Location {
			return linkwork.Location{Address1: "1 High Street", Town: "Halifax", Postcode: pc}
		}

		// With no postcodes imported, a well-formed postcode is kept, without coordinates.
		s := withLocations(at(" hx3  9aa "))
		must(t, w.dir.CreateService(ctx, s))
		got, err := w.dir.FindServiceByID(ctx, s.ID)
		must(t, err)
		if l := got.Locations[0]; l.Postcode != "HX3 9AA" || l.Lat != nil || l.Lng != nil || l.LSOA != "" {
			t.Errorf("location without a postcode lookup: %+v", l)
		}
		// A malformed one is refused all the same.
		wantCode(t, w.dir.CreateService(ctx, withLocations(at("HX1"))), linkwork.EINVALID, "locations[0].postcode")

		dirImportPostcodes(t, db, dirPostcodes()...)
		s = withLocations(at("hx39aa"), at("HX1 1AA"))
		must(t, w.dir.CreateService(ctx, s))
		got, err = w.dir.FindServiceByID(ctx, s.ID)
		must(t, err)
		l0, l1 := got.Locations[0], got.Locations[1]
		if l0.Postcode != "HX3 9AA" || l0.Lat == nil || *l0.Lat != 53.7 || *l0.Lng != -1.82 || l0.LSOA != "E01011103" {
			t.Errorf("first location: %+v", l0)
		}
		if l1.Postcode != "HX1 1AA" || l1.Lat == nil || *l1.Lat != 53.724334 || *l1.Lng != -1.857458 || l1.LSOA != "E01010994" {
			t.Errorf("second location: %+v", l1)
		}

		// Unknown, ended and malformed postcodes are refused, each named by its place in the list.
		services := countRows(t, db, "services", "")
		wantCode(t, w.dir.CreateService(ctx, withLocations(at("HX9 9ZZ"))), linkwork.EINVALID, "locations[0].postcode")
		wantCode(t, w.dir.CreateService(ctx, withLocations(at("hx1 1ab"))), linkwork.EINVALID, "locations[0].postcode")
		wantCode(t, w.dir.CreateService(ctx, withLocations(at("HX1 1AA"), at("not one"))), linkwork.EINVALID, "locations[1].postcode")
		err = w.dir.CreateService(ctx, withLocations(at("HX1 1AA"), at("HX9 9ZZ"), at("HX1 1AB")))
		var fields []string
		for _, e := range linkwork.FieldErrors(err) {
			fields = append(fields, e.Field)
		}
		if want := []string{"locations[1].postcode", "locations[2].postcode"}; !slices.Equal(fields, want) {
			t.Errorf("two bad postcodes: problems with %q, want %q", fields, want)
		}
		if msg := linkwork.ErrorMessage(w.dir.CreateService(ctx, withLocations(at("HX9 9ZZ")))); !strings.Contains(msg, "HX9 9ZZ") {
			t.Errorf("unknown postcode message: %q", msg)
		}
		if n := countRows(t, db, "services", ""); n != services {
			t.Errorf("%d services after refusals, want %d", n, services)
		}

		// An update checks the postcodes too.
		got.Locations[1].Postcode = "HX9 9ZZ"
		wantCode(t, w.dir.UpdateService(ctx, got), linkwork.EINVALID, "locations[1].postcode")
	})
}

func TestUpdateService(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newDirWorld(t, db)
		ctx := linkwork.NewContextWithActor(t.Context(), linkwork.Actor{UserID: w.admin.ID, Label: "admin@york.example"})
		dirImportPostcodes(t, db, dirPostcodes()...)
		act := w.fullActivity()
		must(t, w.dir.CreateService(ctx, act))
		created := act.CreatedAt
		other := mustService(t, db, &linkwork.Service{PlaceID: w.york.ID, OrganisationID: w.gp.ID, Name: "Other",
			Schedules: []linkwork.Schedule{{Freq: linkwork.Weekly, Days: []time.Weekday{time.Sunday}, Opens: "14:00", Closes: "15:00"}},
			Areas:     []string{"Elsewhere"}})

		// Change everything, drop list entries, and try to change what may not change.
		w.clock.advance(time.Hour)
		s, err := w.dir.FindServiceByID(ctx, act.ID)
		must(t, err)
		uuid := s.UUID
		s.Name, s.Description, s.OrganisationID = "Walk, Talk and Tea", "Now with tea.", w.gp.ID
		s.URL, s.Email, s.Phone, s.Status = "", "", "", linkwork.StatusTemporarilyClosed
		s.MinAge, s.MaxAge, s.Free, s.Fees = nil, intp(80), true, ""
		s.Languages, s.Areas = []string{"Polish"}, []string{"Town", "Ovenden"}
		s.TermIDs = w.termIDs("need/mental_wellbeing")
		s.Schedules = []linkwork.Schedule{{Freq: linkwork.Weekly, Days: []time.Weekday{time.Saturday}, Opens: "11:00", Closes: "11:45"}}
		s.Locations = s.Locations[1:]
		s.Contacts = []linkwork.Contact{{Name: "Cath", Email: "CATH@example.org"}}
		s.Kind, s.PlaceID, s.UUID, s.CreatedAt = linkwork.KindScheme, w.leeds.ID, "not-a-uuid", time.Time{}
		must(t, w.dir.UpdateService(ctx, s))
		if s.PlaceID != w.york.ID || s.UUID != uuid || !s.CreatedAt.Equal(created) || !s.UpdatedAt.Equal(w.clock.now) ||
			s.OrganisationName != "Priory Medical Group" || s.Contacts[0].Email != "cath@example.org" {
			t.Fatalf("updated %+v", s)
		}
		got, err := w.dir.FindServiceByID(ctx, act.ID)
		must(t, err)
		want := *s
		want.Terms = w.termsOf(s.TermIDs)
		sameService(t, "updated", got, &want)
		if len(got.Schedules) != 1 || len(got.Locations) != 1 || got.Locations[0].UUID != act.Locations[1].UUID {
			t.Errorf("lists after the update: %+v", got)
		}
		for table, n := range map[string]int{"schedules": 1, "locations": 1, "contacts": 1, "service_terms": 1, "service_areas": 2} {
			if got := countRows(t, db, table, "service_id = ?", act.ID); got != n {
				t.Errorf("%d rows in %s, want %d: removed entries are gone", got, table, n)
			}
		}
		// The other service's lists are untouched.
		gotOther, err := w.dir.FindServiceByID(ctx, other.ID)
		must(t, err)
		sameService(t, "the other service", gotOther, other)

		e := oneAudit(t, db, "service.update", idStr(act.ID))
		if e.PlaceID != w.york.ID || e.RecordType != "service" || e.Detail != "Walk, Talk and Tea" || e.ActorUserID != w.admin.ID {
			t.Errorf("audit event: %+v", e)
		}

		// Emptying every list.
		w.clock.advance(time.Minute)
		got.Languages, got.Areas, got.TermIDs, got.Schedules, got.Locations, got.Contacts = nil, nil, nil, nil, nil, nil
		must(t, w.dir.UpdateService(ctx, got))
		empty, err := w.dir.FindServiceByID(ctx, act.ID)
		must(t, err)
		if len(empty.Languages)+len(empty.Areas)+len(empty.TermIDs)+len(empty.Terms)+len(empty.Schedules)+len(empty.Locations)+
			len(empty.Contacts) != 0 {
			t.Errorf("after emptying the lists: %+v", empty)
		}

		// A connector scheme's details are replaced; it stays a scheme.
		sch := w.fullScheme()
		must(t, w.dir.CreateService(ctx, sch))
		sch.Scheme = &linkwork.ConnectorScheme{Model: linkwork.ModelCommunityNavigator, WhoCanRefer: []linkwork.ReferrerType{linkwork.ReferrerPolice},
			StaffFTE: 0.5, AssessmentTools: []string{}}
		sch.Kind = linkwork.KindActivity
		must(t, w.dir.UpdateService(ctx, sch))
		got, err = w.dir.FindServiceByID(ctx, sch.ID)
		must(t, err)
		sameService(t, "updated scheme", got, sch)
		if got.Kind != linkwork.KindScheme || countRows(t, db, "connector_schemes", "service_id = ?", sch.ID) != 1 {
			t.Errorf("updated scheme: kind %q", got.Kind)
		}
		// A scheme cannot lose its details, nor an activity gain them.
		got.Scheme = nil
		wantCode(t, w.dir.UpdateService(ctx, got), linkwork.EINVALID, "scheme.model")
		before, err := w.dir.FindServiceByID(ctx, act.ID)
		must(t, err)
		before.Scheme = sch.Scheme
		wantCode(t, w.dir.UpdateService(ctx, before), linkwork.EINVALID, "scheme")

		// Refused updates change nothing and are not in the trail.
		before, err = w.dir.FindServiceByID(ctx, act.ID)
		must(t, err)
		for _, c := range []struct {
			change func(s *linkwork.Service)
			field  string
		}{
			{func(s *linkwork.Service) { s.OrganisationID = w.leedsOrg.ID }, "organisation_id"},
			{func(s *linkwork.Service) { s.TermIDs = []int64{w.leedsTerms["need/food"].ID} }, "term_ids"},
			{func(s *linkwork.Service) { s.Name = "" }, "name"},
			{func(s *linkwork.Service) {
				s.Locations = []linkwork.Location{{Address1: "a", Town: "b", Postcode: "HX1 1AB"}}
			},
				"locations[0].postcode"},
		} {
			s, err := w.dir.FindServiceByID(ctx, act.ID)
			must(t, err)
			c.change(s)
			wantCode(t, w.dir.UpdateService(ctx, s), linkwork.EINVALID, c.field)
		}
		after, err := w.dir.FindServiceByID(ctx, act.ID)
		must(t, err)
		sameService(t, "after refused updates", after, before)
		if n := len(auditWith(t, db, "service.update", "")); n != 3 {
			t.Errorf("%d service.update events, want 3", n)
		}

		missing := w.fullActivity()
		missing.ID = sch.ID + 1000
		wantCode(t, w.dir.UpdateService(ctx, missing), linkwork.ENOTFOUND, "")
	})
}

func TestListServices(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newDirWorld(t, db)
		ctx := linkwork.NewContextWithActor(t.Context(), linkwork.Actor{UserID: w.admin.ID, Label: "admin@york.example"})
		mk := func(org *linkwork.Organisation, kind linkwork.ServiceKind, name string, status linkwork.ServiceStatus) *linkwork.Service {
			return mustService(t, db, &linkwork.Service{PlaceID: org.PlaceID, OrganisationID: org.ID, Kind: kind, Name: name, Status: status,
				Areas: []string{name + " area"}})
		}
		zumba := mk(w.council, linkwork.KindActivity, "Zumba Gold", linkwork.StatusActive)
		art := mk(w.gp, linkwork.KindActivity, "art club", linkwork.StatusActive)
		mk(w.council, linkwork.KindActivity, "Bowls", linkwork.StatusActive)
		mk(w.gp, linkwork.KindActivity, "Mosaic", linkwork.StatusDefunct)
		scheme := mk(w.gp, linkwork.KindScheme, "Calderdale Social Prescribing", linkwork.StatusActive)
		mk(w.council, linkwork.KindActivity, "Men's Shed", linkwork.StatusInactive)
		mk(w.leedsOrg, linkwork.KindActivity, "Leeds Walks", linkwork.StatusActive)

		names := func(list []*linkwork.Service) []string {
			var out []string
			for _, s := range list {
				out = append(out, s.Name)
			}
			return out
		}
		check := func(what string, f linkwork.ServiceFilter, wantTotal int, want ...string) {
			t.Helper()
			list, total, err := w.dir.ListServices(ctx, f)
			must(t, err)
			if total != wantTotal || !slices.Equal(names(list), want) {
				t.Errorf("%s: got %q of %d, want %q of %d", what, names(list), total, want, wantTotal)
			}
			for _, s := range list {
				if len(s.Areas) != 1 || s.Areas[0] != s.Name+" area" || s.PlaceID != f.PlaceID ||
					(s.Scheme != nil) != (s.Kind == linkwork.KindScheme) {
					t.Errorf("%s: listed %+v", what, s)
				}
			}
		}
		y := w.york.ID
		all := []string{"art club", "Bowls", "Calderdale Social Prescribing", "Men's Shed", "Mosaic", "Zumba Gold"}
		check("all", linkwork.ServiceFilter{PlaceID: y}, 6, all...)
		check("page 1", linkwork.ServiceFilter{PlaceID: y, Page: linkwork.Page{Number: 1, Size: 4}}, 6, all[:4]...)
		check("page 2", linkwork.ServiceFilter{PlaceID: y, Page: linkwork.Page{Number: 2, Size: 4}}, 6, all[4:]...)
		check("page 3", linkwork.ServiceFilter{PlaceID: y, Page: linkwork.Page{Number: 3, Size: 4}}, 6)
		check("council", linkwork.ServiceFilter{PlaceID: y, OrganisationIDs: []int64{w.council.ID}}, 3, "Bowls", "Men's Shed", "Zumba Gold")
		check("GP", linkwork.ServiceFilter{PlaceID: y, OrganisationIDs: []int64{w.gp.ID}}, 3, "art club", "Calderdale Social Prescribing", "Mosaic")
		check("schemes", linkwork.ServiceFilter{PlaceID: y, Kind: linkwork.KindScheme}, 1, "Calderdale Social Prescribing")
		check("GP activities", linkwork.ServiceFilter{PlaceID: y, OrganisationIDs: []int64{w.gp.ID}, Kind: linkwork.KindActivity}, 2, "art club", "Mosaic")
		check("council or GP", linkwork.ServiceFilter{PlaceID: y, OrganisationIDs: []int64{w.gp.ID, w.council.ID}, Kind: linkwork.KindActivity},
			5, "art club", "Bowls", "Men's Shed", "Mosaic", "Zumba Gold")
		check("Leeds organisation in York", linkwork.ServiceFilter{PlaceID: y, OrganisationIDs: []int64{w.leedsOrg.ID}}, 0)
		check("Leeds", linkwork.ServiceFilter{PlaceID: w.leeds.ID}, 1, "Leeds Walks")

		// Needing verification: never verified (unless stopped) or verified before the time,
		// the never verified first, then the longest ago.
		t0 := w.clock.now
		must(t, w.dir.VerifyService(ctx, zumba.ID))
		w.clock.advance(24 * time.Hour)
		must(t, w.dir.VerifyService(ctx, art.ID))
		w.clock.advance(199 * 24 * time.Hour)
		must(t, w.dir.VerifyService(ctx, scheme.ID))
		stale := w.clock.now.Add(-linkwork.VerifyEvery)
		check("needs verifying", linkwork.ServiceFilter{PlaceID: y, VerifiedBefore: stale}, 4, "Bowls", "Men's Shed", "Zumba Gold", "art club")
		check("needs verifying, page 2", linkwork.ServiceFilter{PlaceID: y, VerifiedBefore: stale, Page: linkwork.Page{Number: 2, Size: 3}},
			4, "art club")
		check("council needs verifying", linkwork.ServiceFilter{PlaceID: y, VerifiedBefore: stale, OrganisationIDs: []int64{w.council.ID}},
			3, "Bowls", "Men's Shed", "Zumba Gold")
		check("schemes need verifying", linkwork.ServiceFilter{PlaceID: y, VerifiedBefore: stale, Kind: linkwork.KindScheme}, 0)
		// The time is exclusive, to the microsecond, in any time zone.
		east, west := time.FixedZone("UTC+1", 3600), time.FixedZone("UTC-1", -3600)
		check("verified before t0", linkwork.ServiceFilter{PlaceID: y, VerifiedBefore: t0}, 2, "Bowls", "Men's Shed")
		check("verified before t0, east of UTC", linkwork.ServiceFilter{PlaceID: y, VerifiedBefore: t0.In(east)}, 2, "Bowls", "Men's Shed")
		check("verified before t0 + 1µs", linkwork.ServiceFilter{PlaceID: y, VerifiedBefore: t0.Add(time.Microsecond)},
			3, "Bowls", "Men's Shed", "Zumba Gold")
		check("verified before t0 + 1µs, west of UTC", linkwork.ServiceFilter{PlaceID: y, VerifiedBefore: t0.Add(time.Microsecond).In(west)},
			3, "Bowls", "Men's Shed", "Zumba Gold")
		check("verified before now", linkwork.ServiceFilter{PlaceID: y, VerifiedBefore: w.clock.now.Add(time.Microsecond)},
			5, "Bowls", "Men's Shed", "Zumba Gold", "art club", "Calderdale Social Prescribing")
	})
}

func TestVerifyService(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newDirWorld(t, db)
		actor := linkwork.Actor{UserID: w.admin.ID, Label: "admin@york.example", PlaceID: w.york.ID, IP: "192.0.2.1", RequestID: "r-1"}
		ctx := linkwork.NewContextWithActor(t.Context(), actor)
		s := w.fullActivity()
		must(t, w.dir.CreateService(ctx, s))
		before, err := w.dir.FindServiceByID(ctx, s.ID)
		must(t, err)
		if !before.NeedsVerifying(w.clock.now) {
			t.Error("a new service does not need verifying")
		}

		w.clock.advance(time.Hour)
		must(t, w.dir.VerifyService(ctx, s.ID))
		got, err := w.dir.FindServiceByID(ctx, s.ID)
		must(t, err)
		if got.LastVerifiedAt == nil || !got.LastVerifiedAt.Equal(w.clock.now) || got.LastVerifiedAt.Location() != time.UTC ||
			got.VerifiedBy != "admin@york.example" || got.NeedsVerifying(w.clock.now) {
			t.Fatalf("verified: at %v by %q", got.LastVerifiedAt, got.VerifiedBy)
		}
		// Nothing else changes.
		want := *before
		want.LastVerifiedAt, want.VerifiedBy = got.LastVerifiedAt, got.VerifiedBy
		sameService(t, "verified", got, &want)
		e := oneAudit(t, db, "service.verify", idStr(s.ID))
		if e.PlaceID != w.york.ID || e.RecordType != "service" || e.ActorUserID != w.admin.ID || e.ActorLabel != actor.Label ||
			e.IP != actor.IP || !e.At.Equal(w.clock.now) {
			t.Errorf("audit event: %+v", e)
		}

		// Someone else verifies it later.
		w.clock.advance(linkwork.VerifyEvery)
		ctx2 := linkwork.NewContextWithActor(t.Context(), linkwork.Actor{UserID: 77, Label: "cath@york.example"})
		if !got.NeedsVerifying(w.clock.now.Add(time.Microsecond)) {
			t.Error("not needing verification after VerifyEvery")
		}
		must(t, w.dir.VerifyService(ctx2, s.ID))
		got, err = w.dir.FindServiceByID(ctx, s.ID)
		must(t, err)
		if !got.LastVerifiedAt.Equal(w.clock.now) || got.VerifiedBy != "cath@york.example" {
			t.Errorf("verified again: at %v by %q", got.LastVerifiedAt, got.VerifiedBy)
		}
		if n := len(auditWith(t, db, "service.verify", idStr(s.ID))); n != 2 {
			t.Errorf("%d service.verify events, want 2", n)
		}

		wantCode(t, w.dir.VerifyService(ctx, s.ID+1000), linkwork.ENOTFOUND, "")
		if n := len(auditWith(t, db, "service.verify", "")); n != 2 {
			t.Errorf("%d service.verify events after verifying nothing, want 2", n)
		}
	})
}

// Organisations made before the directory existed get UUIDs when the database is migrated,
// and their place gets its taxonomies when asked.
func TestMigrationGivesOrganisationsUUIDs(t *testing.T) {
	t.Parallel()
	for _, dialect := range sqldbtest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			db, err := sqldb.Open(ctx, sqldbtest.URL(t, dialect))
			must(t, err)
			t.Cleanup(func() { db.Close() })
			ms, err := sqldb.Migrations(dialect)
			must(t, err)
			_, err = db.Exec(ctx, "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMP NOT NULL)")
			must(t, err)
			for _, m := range ms[:2] {
				if m.Name == "directory" {
					t.Fatalf("migration %d is the directory: this test needs updating", m.Version)
				}
				_, err := db.Exec(ctx, m.SQL)
				must(t, err)
				_, err = db.Exec(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", m.Version, m.Name, db.Now())
				must(t, err)
			}
			_, err = db.Exec(ctx, "INSERT INTO places (name, created_at) VALUES (?, ?)", "York", db.Now())
			must(t, err)
			var placeID int64
			must(t, db.QueryRow(ctx, "SELECT id FROM places", nil, &placeID))
			for _, name := range []string{"A", "B", "C", "D", "E"} {
				_, err := db.Exec(ctx, "INSERT INTO organisations (place_id, name, sector, created_at, updated_at) VALUES (?, ?, 'vcse', ?, ?)",
					placeID, name, db.Now(), db.Now())
				must(t, err)
			}
			applied, err := db.Migrate(ctx)
			must(t, err)
			if len(applied) == 0 || applied[0] != 3 {
				t.Fatalf("applied %v, want from 3", applied)
			}
			list, total, err := sqldb.NewOrganisationService(db).ListOrganisations(ctx, linkwork.OrganisationFilter{PlaceID: placeID})
			must(t, err)
			seen := map[string]bool{}
			for _, o := range list {
				if !uuidV4.MatchString(o.UUID) || seen[o.UUID] {
					t.Errorf("organisation %q has UUID %q", o.Name, o.UUID)
				}
				seen[o.UUID] = true
			}
			if total != 5 {
				t.Errorf("%d organisations", total)
			}

			// The old place has no taxonomies until they are ensured.
			ts := sqldb.NewTaxonomyService(db)
			must(t, ts.EnsureDefaultTaxonomies(ctx, placeID))
			taxes, err := ts.ListTaxonomies(ctx, placeID)
			must(t, err)
			wantDefaultTaxonomies(t, taxes, placeID)
			s := &linkwork.Service{PlaceID: placeID, OrganisationID: list[0].ID, Name: "Walks", TermIDs: []int64{taxes[0].Terms[0].ID}}
			mustService(t, db, s)
		})
	}
}
