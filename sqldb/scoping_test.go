package sqldb_test

import (
	"reflect"
	"strconv"
	"strings"
	"testing"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// scopingPlace is a place with its taxonomies, an organisation already in it with a
// community offer called "Walk and Talk", and the terms the tests give schemes.
type scopingPlace struct {
	db                   *sqldb.DB
	svc                  linkwork.Services
	place                *linkwork.Place
	calder               *linkwork.Organisation
	older, carers, money int64 // client groups and a need
	fiveWays             int64 // a term of another taxonomy, which the sheet leaves alone
}

func newScopingPlace(t *testing.T, db *sqldb.DB) *scopingPlace {
	t.Helper()
	s := &scopingPlace{db: db, svc: db.Services()}
	s.place = mustPlace(t, db, "Calderdale")
	must(t, s.svc.Taxonomies.EnsureDefaultTaxonomies(t.Context(), s.place.ID))
	s.calder = mustOrg(t, db, s.place.ID, "Calder PCN", linkwork.SectorNHS)
	taxs, err := s.svc.Taxonomies.ListTaxonomies(t.Context(), s.place.ID)
	must(t, err)
	for _, tx := range taxs {
		for _, term := range tx.Terms {
			switch tx.Code + "/" + term.Code {
			case "client_group/older_people":
				s.older = term.ID
			case "client_group/carers":
				s.carers = term.ID
			case "need/money_debt":
				s.money = term.ID
			case "five_ways/connect":
				s.fiveWays = term.ID
			}
		}
	}
	must(t, s.svc.Directory.CreateService(t.Context(), &linkwork.Service{PlaceID: s.place.ID, OrganisationID: s.calder.ID,
		Kind: linkwork.KindActivity, Name: "Walk and Talk", Description: "A walk.", Status: linkwork.StatusActive}))
	return s
}

func scheme(name string, model linkwork.SchemeModel, terms ...int64) *linkwork.Service {
	return &linkwork.Service{Name: name, Email: "Team@Example.org", Phone: "01422 000000", URL: "https://example.org/team",
		Areas: []string{"Park", "Town"}, TermIDs: terms, Scheme: &linkwork.ConnectorScheme{Model: model,
			WhoCanRefer: []linkwork.ReferrerType{linkwork.ReferrerGP, linkwork.ReferrerSelf}, HowToRefer: "Phone us.", FundingSource: "NHS",
			StaffFTE: 4.5, CaseloadLimit: 40, WaitingWeeks: 3, ElectronicSystem: "EMIS Web", AssessmentTools: []string{"ONS4", "SWEMWBS"}}}
}

func (s *scopingPlace) rows() []*linkwork.ScopingRow {
	return []*linkwork.ScopingRow{
		{Row: 2, Organisation: linkwork.Organisation{Name: "calder pcn"}, Scheme: scheme("Social prescribing", linkwork.ModelPCNLinkWorker, s.older, s.money)},
		{Row: 3, Organisation: linkwork.Organisation{Name: "Calder PCN", Sector: linkwork.SectorNHS}, Scheme: scheme("Care coordinators", linkwork.ModelCareCoordinator)},
		{Row: 4, Organisation: linkwork.Organisation{Name: "Halifax Housing", Sector: linkwork.SectorHousing}, Scheme: scheme("Tenancy connectors", linkwork.ModelHousingConnector, s.carers)},
		{Row: 5, Organisation: linkwork.Organisation{Name: "Todmorden Food Bank", Sector: linkwork.SectorVCSE}},
	}
}

func (s *scopingPlace) schemes(t *testing.T) map[string]*linkwork.Service {
	t.Helper()
	list, _, err := s.svc.Directory.ListServices(t.Context(), linkwork.ServiceFilter{PlaceID: s.place.ID, Kind: linkwork.KindScheme,
		Page: linkwork.Page{Size: 100}})
	must(t, err)
	out := map[string]*linkwork.Service{}
	for _, svc := range list {
		out[svc.Name] = svc
	}
	return out
}

func (s *scopingPlace) orgCount(t *testing.T) int {
	t.Helper()
	_, n, err := s.svc.Organisations.ListOrganisations(t.Context(), linkwork.OrganisationFilter{PlaceID: s.place.ID})
	must(t, err)
	return n
}

func wantScoping(t *testing.T, what string, got *linkwork.ScopingSummary, want linkwork.ScopingSummary) {
	t.Helper()
	g := *got
	g.Problems, want.Problems = nil, nil
	if !reflect.DeepEqual(g, want) {
		t.Errorf("%s: %+v, want %+v (problems %+v)", what, g, want, got.Problems)
	}
}

func TestScopingImportAndExport(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newScopingPlace(t, db)
		ctx := linkwork.NewContextWithActor(t.Context(), linkwork.Actor{Label: "test"})
		sum, err := s.svc.Scoping.ImportScoping(ctx, s.place.ID, s.rows(), linkwork.ImportOptions{})
		must(t, err)
		wantScoping(t, "first import", sum, linkwork.ScopingSummary{Rows: 4, OrganisationsAdded: 2, OrganisationsUnchanged: 1, SchemesAdded: 3})
		got := s.schemes(t)
		sp := got["Social prescribing"]
		if sp == nil || sp.OrganisationID != s.calder.ID || sp.Kind != linkwork.KindScheme || sp.Status != linkwork.StatusActive ||
			sp.Email != "team@example.org" || sp.Description != "Primary care network social prescribing link worker run by Calder PCN." ||
			sp.Scheme.StaffFTE != 4.5 || sp.Scheme.CaseloadLimit != 40 || len(sp.TermIDs) != 2 || strings.Join(sp.Areas, ",") != "Park,Town" {
			t.Fatalf("scheme: %+v", sp)
		}
		if got["Tenancy connectors"] == nil || got["Tenancy connectors"].OrganisationName != "Halifax Housing" || s.orgCount(t) != 3 {
			t.Errorf("schemes %v, %d organisations", got, s.orgCount(t))
		}
		events, _, err := s.svc.Audit.ListAudit(ctx, linkwork.AuditFilter{PlaceID: s.place.ID, Action: linkwork.AuditScopingImport})
		must(t, err)
		if len(events) != 1 || !strings.Contains(events[0].Detail, "organisations 2 added") || events[0].ActorLabel != "test" {
			t.Errorf("audit: %+v", events)
		}

		// The same rows again change nothing, and write no audit event.
		sum, err = s.svc.Scoping.ImportScoping(ctx, s.place.ID, s.rows(), linkwork.ImportOptions{})
		must(t, err)
		wantScoping(t, "again", sum, linkwork.ScopingSummary{Rows: 4, OrganisationsUnchanged: 3, SchemesUnchanged: 3})
		if _, n, _ := s.svc.Audit.ListAudit(ctx, linkwork.AuditFilter{PlaceID: s.place.ID, Action: linkwork.AuditScopingImport}); n != 1 {
			t.Errorf("an import that changed nothing was audited: %d events", n)
		}

		// An update replaces what the sheet gives and keeps the rest: the status, the
		// description (when the sheet leaves it empty) and terms of other taxonomies.
		sp.Status, sp.TermIDs = linkwork.StatusTemporarilyClosed, append(sp.TermIDs, s.fiveWays)
		sp.Description = "Our own words."
		must(t, s.svc.Directory.UpdateService(ctx, sp))
		rows := s.rows()
		rows[0].Scheme.Scheme.WaitingWeeks, rows[0].Scheme.TermIDs = 6, []int64{s.carers}
		rows[1].Organisation.Sector = linkwork.SectorSocialCare
		rows[2].Organisation.Sector = linkwork.SectorCouncil
		sum, err = s.svc.Scoping.ImportScoping(ctx, s.place.ID, rows, linkwork.ImportOptions{})
		must(t, err)
		// Row 2 gives Calder PCN no sector and row 3 another than it has: a change, not a
		// conflict.
		wantScoping(t, "changes", sum, linkwork.ScopingSummary{Rows: 4, OrganisationsUpdated: 2, OrganisationsUnchanged: 1,
			SchemesUpdated: 1, SchemesUnchanged: 2})
		sp = s.schemes(t)["Social prescribing"]
		if sp.Scheme.WaitingWeeks != 6 || sp.Status != linkwork.StatusTemporarilyClosed || sp.Description != "Our own words." {
			t.Errorf("after update: %+v %+v", sp, sp.Scheme)
		}
		terms := map[int64]bool{}
		for _, id := range sp.TermIDs {
			terms[id] = true
		}
		if len(terms) != 2 || !terms[s.carers] || !terms[s.fiveWays] {
			t.Errorf("terms after update: %v", sp.TermIDs)
		}

		// Export gives every organisation and scheme, and imports back unchanged.
		out, err := s.svc.Scoping.ExportScoping(ctx, s.place.ID)
		must(t, err)
		var names []string
		for _, r := range out {
			n := r.Organisation.Name
			if r.Scheme != nil {
				n += "/" + r.Scheme.Name
			}
			names = append(names, n)
		}
		if strings.Join(names, "; ") != "Calder PCN/Care coordinators; Calder PCN/Social prescribing; Halifax Housing/Tenancy connectors; Todmorden Food Bank" ||
			out[0].Row != 2 || len(out[1].Scheme.Terms) != 2 {
			t.Errorf("export: %v", names)
		}
		sum, err = s.svc.Scoping.ImportScoping(ctx, s.place.ID, out, linkwork.ImportOptions{})
		must(t, err)
		wantScoping(t, "export imported back", sum, linkwork.ScopingSummary{Rows: 4, OrganisationsUnchanged: 3, SchemesUnchanged: 3})
	})
}

// TestScopingBadRows: a row with a problem is left out whole (its new organisation too),
// with every problem named by row and column; with AllOrNothing nothing changes.
func TestScopingBadRows(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newScopingPlace(t, db)
		ctx := linkwork.NewContextWithActor(t.Context(), linkwork.Actor{Label: "test"})
		bad := scheme("Navigators", linkwork.ModelCommunityNavigator)
		bad.Email, bad.Scheme.StaffFTE, bad.Scheme.WhoCanRefer = "not an address", -1, nil
		rows := []*linkwork.ScopingRow{
			{Row: 2, Organisation: linkwork.Organisation{Name: "New Charity", Sector: linkwork.SectorVCSE}, Scheme: bad},
			{Row: 3, Organisation: linkwork.Organisation{Name: "No Sector Yet"}},
			{Row: 4, Organisation: linkwork.Organisation{Name: "Calder PCN"}, Scheme: scheme("walk and talk", linkwork.ModelOther)},
			{Row: 5, Organisation: linkwork.Organisation{Name: "Good Org", Sector: linkwork.SectorFaith}, Scheme: scheme("Church connectors", linkwork.ModelOther)},
			{Row: 6, Organisation: linkwork.Organisation{Name: "good org"}, Scheme: scheme("Church Connectors", linkwork.ModelOther)},
			{Row: 7, Organisation: linkwork.Organisation{Name: "Good Org", Sector: linkwork.SectorCouncil}},
			{Row: 8, Organisation: linkwork.Organisation{Name: "Reader's Org"}, Problems: []linkwork.ScopingProblem{{Row: 8, Column: "Sector", Message: "read badly"}}},
			{Row: 9, Organisation: linkwork.Organisation{Name: "Terms Org", Sector: linkwork.SectorVCSE}, Scheme: scheme("Terms", linkwork.ModelOther, 999999)},
		}
		before := s.orgCount(t)
		sum, err := s.svc.Scoping.ImportScoping(ctx, s.place.ID, rows, linkwork.ImportOptions{AllOrNothing: true})
		must(t, err)
		if !sum.RolledBack || sum.Failed != 7 || sum.SchemesAdded != 0 || s.orgCount(t) != before || len(s.schemes(t)) != 0 {
			t.Fatalf("all or nothing: %+v", sum)
		}
		sum, err = s.svc.Scoping.ImportScoping(ctx, s.place.ID, rows, linkwork.ImportOptions{})
		must(t, err)
		wantScoping(t, "bad rows", sum, linkwork.ScopingSummary{Rows: 8, OrganisationsAdded: 1, SchemesAdded: 1, Failed: 7})
		var got []string
		for _, p := range sum.Problems {
			got = append(got, strings.Join([]string{strconv.Itoa(p.Row), p.Column, p.Message}, "|"))
		}
		text := strings.Join(got, "\n")
		for _, want := range []string{
			"2|Contact email|Enter an email address in the form name@example.org.",
			"2|Staff FTE|Enter the staff as full-time equivalents, from 0 to 1000.",
			"2|Who can refer|Choose at least one kind of referrer.",
			"3|Sector|Choose the sector of No Sector Yet, which is not in this place yet.",
			`4|Scheme name|Calder PCN has a community offer called "walk and talk", not a connector scheme`,
			"6|Scheme name|Row 5 has this scheme of this organisation already",
			`7|Sector|Row 5 gives Good Org the sector "Faith group"`,
			"8|Sector|read badly",
			"9|Client groups|There is no taxonomy term 999999 in this place.",
		} {
			if !strings.Contains(text, want) {
				t.Errorf("problems lack %q:\n%s", want, text)
			}
		}
		if s.orgCount(t) != before+1 { // Good Org; not New Charity, whose row failed
			t.Errorf("organisations: %d, want %d", s.orgCount(t), before+1)
		}
	})
}
