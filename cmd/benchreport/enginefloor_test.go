package main

import (
	"context"
	"database/sql"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"linkwork"
	"linkwork/data"
	"linkwork/gen"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// TestEngineFloors builds a small generated place on each database, prepares it as the load
// test does, and checks that each engine floor's statements still find what the store's own
// calls find: the same search page and total, the same triage queue, the same caseload, as
// many dashboard facts; and that the referral floor writes a referral. A floor copied from a
// store that has since changed fails here.
func TestEngineFloors(t *testing.T) {
	ps := func() []gen.Postcode {
		f, err := data.HalifaxPostcodes()
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		ps, err := gen.ReadPostcodes(f)
		if err != nil {
			t.Fatal(err)
		}
		return ps
	}()
	for _, dialect := range sqldbtest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			ctx := linkwork.NewContextWithActor(context.Background(), linkwork.Actor{Label: "test"})
			u := sqldbtest.URL(t, dialect)
			db, err := sqldb.Open(ctx, u)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			dir, err := gen.Load(ctx, db, gen.Options{Seed: 3, Services: 600, Locations: 1500, Postcodes: ps}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := gen.LoadPeople(ctx, db, dir, gen.PeopleOptions{Seed: 3, People: 600, Referrals: 900, Contacts: 3000,
				Questionnaires: 600, Today: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), Postcodes: ps}, nil); err != nil {
				t.Fatal(err)
			}
			b := &bench{}
			// Twice: the second finds the users made by the first.
			for range 2 {
				if err := b.prepare(ctx, u); err != nil {
					t.Fatal(err)
				}
			}
			raw, err := openRaw(dataset{dialect: dialect, url: u})
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			p, err := readBenchPlace(ctx, raw)
			if err != nil {
				t.Fatal(err)
			}
			svc := db.Services()
			t.Run("search", func(t *testing.T) { checkSearchFloor(t, ctx, raw, p, svc) })
			t.Run("triage", func(t *testing.T) { checkTriageFloor(t, ctx, raw, p, svc) })
			t.Run("caseload", func(t *testing.T) { checkCaseloadFloor(t, ctx, raw, p, svc) })
			t.Run("dashboards", func(t *testing.T) { checkDashboardFloors(t, ctx, raw, p, svc) })
			t.Run("oruk", func(t *testing.T) {
				rows := floorRows(t, ctx, raw, orukFloor().reads[0])
				if len(rows) != 1 {
					t.Fatalf("the directory version: %d rows, want 1", len(rows))
				}
			})
			t.Run("referral", func(t *testing.T) {
				count := func() int {
					var n int
					if err := raw.queryRow(ctx, "SELECT COUNT(*) FROM referrals WHERE place_id = ? AND reference LIKE 'R-FLOOR-%'", []any{p.placeID}, &n); err != nil {
						t.Fatal(err)
					}
					return n
				}
				f := referralFloor(p)
				for range 3 {
					if err := f.once(ctx, raw); err != nil {
						t.Fatal(err)
					}
				}
				if got := count(); got != 3 {
					t.Fatalf("referrals written by the floor: %d, want 3", got)
				}
				if median, runs, err := f.median(ctx, raw, 5, time.Second); err != nil || median <= 0 || runs != 5 {
					t.Fatalf("median of the referral floor: %v over %d runs, %v", median, runs, err)
				}
			})
		})
	}
}

func checkSearchFloor(t *testing.T, ctx context.Context, raw *rawDB, p *benchPlace, svc linkwork.Services) {
	results, total, err := svc.Search.Search(ctx, linkwork.SearchQuery{PlaceID: p.placeID, Text: searchWord, TermIDs: []int64{p.needTermID},
		Postcode: searchPostcode, RadiusKm: searchRadiusKm, Kind: linkwork.KindActivity, Page: linkwork.Page{Number: 1, Size: searchPageSize}})
	if err != nil {
		t.Fatal(err)
	}
	if total == 0 {
		t.Fatal("the store's search found nothing: the test place is too small to check the floor")
	}
	var want []string
	for _, r := range results {
		want = append(want, strconv.FormatInt(r.Service.ID, 10))
	}
	var page []int64
	for _, r := range results {
		page = append(page, r.Service.ID)
	}
	f, err := searchFloor(ctx, raw, p, page)
	if err != nil {
		t.Fatal(err)
	}
	if raw.dialect == "postgres" {
		rows := floorRows(t, ctx, raw, f.reads[0])
		var got []string
		for _, r := range rows {
			got = append(got, r[0])
			if r[3] != strconv.Itoa(total) {
				t.Fatalf("the floor counts %s, the store %d", r[3], total)
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("the floor's page %v, the store's %v", got, want)
		}
		checkPageStatements(t, ctx, raw, f.reads[1:], len(results))
		return
	}
	if len(f.reads) != 10 {
		t.Fatalf("SQLite search floor: %d statements, want 10", len(f.reads))
	}
	candidates := strings.Split(floorRows(t, ctx, raw, f.reads[0])[0][0], ",")
	if len(candidates) < total {
		t.Fatalf("the floor has %d candidates, fewer than the store's %d results", len(candidates), total)
	}
	for _, id := range want {
		if !slices.Contains(candidates, id) {
			t.Fatalf("the store found service %s, which is not among the floor's candidates", id)
		}
	}
	if blocks := floorRows(t, ctx, raw, f.reads[1]); len(blocks) == 0 {
		t.Fatal("the floor read no blocks of points")
	}
	checkPageStatements(t, ctx, raw, f.reads[3:], len(results))
}

// checkPageStatements checks that the statements of a page of services read every service
// and its locations.
func checkPageStatements(t *testing.T, ctx context.Context, raw *rawDB, sts []floorStatement, services int) {
	if len(sts) != 7 {
		t.Fatalf("%d statements for the page's services, want 7", len(sts))
	}
	if n := len(floorRows(t, ctx, raw, sts[0])); n != services {
		t.Fatalf("the floor read %d services, the page has %d", n, services)
	}
	if n := len(floorRows(t, ctx, raw, sts[4])); n < services {
		t.Fatalf("the floor read %d locations for %d services", n, services)
	}
}

func checkTriageFloor(t *testing.T, ctx context.Context, raw *rawDB, p *benchPlace, svc linkwork.Services) {
	entries, total, err := svc.Referrals.TriageQueue(ctx, p.triageSchemeID, linkwork.Page{Number: 1, Size: 50})
	if err != nil {
		t.Fatal(err)
	}
	f, err := triageFloor(ctx, raw, p)
	if err != nil {
		t.Fatal(err)
	}
	if got := floorRows(t, ctx, raw, f.reads[0])[0][0]; got != strconv.Itoa(total) || total == 0 {
		t.Fatalf("the floor counts %s in the queue, the store %d", got, total)
	}
	var want, got []string
	for _, e := range entries {
		want = append(want, strconv.FormatInt(e.Referral.ID, 10))
	}
	for _, r := range floorRows(t, ctx, raw, f.reads[1]) {
		got = append(got, r[0])
	}
	if !slices.Equal(got, want) {
		t.Fatalf("the floor's page %v, the store's %v", got, want)
	}
	if n := len(floorRows(t, ctx, raw, f.reads[2])); n != len(entries) {
		t.Fatalf("the floor read %d referrals, the page has %d", n, len(entries))
	}
}

func checkCaseloadFloor(t *testing.T, ctx context.Context, raw *rawDB, p *benchPlace, svc linkwork.Services) {
	worker, err := svc.Users.FindUserByEmail(ctx, p.caseloadEmail)
	if err != nil {
		t.Fatal(err)
	}
	var orgs []int64
	for _, m := range worker.Memberships {
		orgs = append(orgs, m.OrganisationID)
	}
	entries, total, _, err := svc.Cases.Caseload(ctx, linkwork.CaseloadFilter{PlaceID: p.placeID, OrganisationIDs: orgs,
		WorkerUserID: worker.ID, Today: time.Now(), Page: linkwork.Page{Number: 1, Size: 100}})
	if err != nil {
		t.Fatal(err)
	}
	f, err := caseloadFloor(ctx, raw, p)
	if err != nil {
		t.Fatal(err)
	}
	if got := floorRows(t, ctx, raw, f.reads[0])[0][0]; got != strconv.Itoa(total) || total == 0 {
		t.Fatalf("the floor counts %s people, the store %d", got, total)
	}
	var want, got []string
	for _, e := range entries {
		want = append(want, strconv.FormatInt(e.Person.ID, 10))
	}
	for _, r := range floorRows(t, ctx, raw, f.reads[1]) {
		got = append(got, r[0])
	}
	if !slices.Equal(got, want) {
		t.Fatalf("the floor's page %v, the store's %v", got, want)
	}
}

func checkDashboardFloors(t *testing.T, ctx context.Context, raw *rawDB, p *benchPlace, svc linkwork.Services) {
	for _, scheme := range []int64{0, p.dashboardSchemeID} {
		scope := linkwork.Scope{Kind: linkwork.ScopePlace}
		if scheme != 0 {
			scope = linkwork.Scope{Kind: linkwork.ScopeScheme, Key: strconv.FormatInt(scheme, 10)}
		}
		facts, err := svc.Measures.DashboardFacts(ctx, p.placeID, scope, p.fromMonth, p.toMonth)
		if err != nil {
			t.Fatal(err)
		}
		f := dashboardFloor(p, scheme)
		if got := len(floorRows(t, ctx, raw, f.reads[0])); got != len(facts) || got == 0 {
			t.Fatalf("%s dashboard: the floor reads %d facts, the store %d", scope.Kind, got, len(facts))
		}
		if scheme != 0 {
			continue
		}
		referrals, err := svc.Measures.SchemeReferrals(ctx, p.placeID, p.fromMonth, p.toMonth)
		if err != nil {
			t.Fatal(err)
		}
		if got := len(floorRows(t, ctx, raw, f.reads[1])); got != len(referrals) || got == 0 {
			t.Fatalf("place dashboard: the floor reads %d schemes' referrals, the store %d", got, len(referrals))
		}
	}
}

// floorRows runs a floor statement and returns its rows as text.
func floorRows(t *testing.T, ctx context.Context, raw *rawDB, st floorStatement) [][]string {
	t.Helper()
	rows, err := raw.QueryContext(ctx, raw.rebind(st.query), st.args...)
	if err != nil {
		t.Fatalf("%s: %v", oneLine(st.query), err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out [][]string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			row[i] = v.String
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
