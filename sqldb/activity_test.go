package sqldb_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// activityWorld is the budget world with people with NHS numbers: Pat, held by both the
// charity and the housing trust; Sam, held by the charity; and Eric, whose record was
// erased.
type activityWorld struct {
	*budgetWorld
	m                   *sqldb.MeasureService
	patCharity, patHome int64
	sam                 int64
}

func newActivityWorld(t *testing.T, db *sqldb.DB) *activityWorld {
	t.Helper()
	w := &activityWorld{budgetWorld: newBudgetWorld(t, db), m: sqldb.NewMeasureService(db)}
	ctx := w.asWorker()
	add := func(org int64, given string, nhs int) int64 {
		p := &linkwork.Person{PlaceID: w.york.ID, OrganisationID: org, GivenName: given, FamilyName: "Jones", DateOfBirth: "1960-01-01",
			NHSNumber: nhsNumber(nhs), Address1: "1 Rose Street", Town: "Halifax", Postcode: "HX1 1AA", Phone: "01422 123456"}
		must(t, w.svc.Cases.CreatePerson(ctx, p))
		return p.ID
	}
	w.patCharity, w.patHome, w.sam = add(w.charity.ID, "Pat", 1), add(w.housing.ID, "Pat", 1), add(w.charity.ID, "Sam", 2)
	eric := add(w.charity.ID, "Eric", 3)
	must(t, w.svc.Cases.ErasePerson(ctx, eric, "Asked to be forgotten."))
	return w
}

// activityHeld returns the place's activity rows as "person month gp admissions" lines.
func (w *activityWorld) activityHeld(t *testing.T) string {
	t.Helper()
	r, err := w.m.Records(t.Context(), w.york.ID)
	must(t, err)
	var lines []string
	for _, a := range r.Activity {
		who := map[int64]string{w.patCharity: "pat@charity", w.patHome: "pat@housing", w.sam: "sam"}[a.PersonID]
		lines = append(lines, fmt.Sprintf("%s %s %d %d", who, a.Month, a.GPAppointments, a.Admissions))
	}
	slices.Sort(lines)
	return strings.Join(lines, "; ")
}

func problemLines(ps []*linkwork.RowProblem) string {
	var out []string
	for _, p := range ps {
		out = append(out, fmt.Sprintf("%d %s", p.Line, p.Field))
	}
	return strings.Join(out, ", ")
}

func TestImportActivity(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newActivityWorld(t, db)
		ctx := w.asManager()
		pat, sam, spaced := nhsNumber(1), nhsNumber(2), linkwork.FormatNHSNumber(nhsNumber(2))
		// The clock is 4 March 2030.
		rows := []linkwork.ActivityRow{
			{Line: 2, Key: pat, Month: "2030-01", GPAppointments: 2},
			{Line: 3, Key: spaced, Month: "2030-01", GPAppointments: 1, Admissions: 1},
			{Line: 4, Key: sam, Month: "2030-03"},
			{Line: 5, Key: nhsNumber(50), Month: "2030-01", GPAppointments: 1}, // nobody's
			{Line: 6, Key: "1234567890", Month: "2030-01"},                     // not an NHS number
			{Line: 7, Key: pat, Month: "2030-1"},
			{Line: 8, Key: pat, Month: "2030-04"},
			{Line: 9, Key: pat, Month: "1999-12"},
			{Line: 10, Key: pat, Month: "2029-12", GPAppointments: -1},
			{Line: 11, Key: pat, Month: "2029-11", Admissions: 1000},
			{Line: 12, Key: sam, Month: "2029-10", GPAppointments: 1},
			{Line: 13, Key: spaced, Month: "2029-10", GPAppointments: 2}, // the same person and month again
			{Line: 14, Key: nhsNumber(3), Month: "2030-01"},              // Eric's, erased
		}
		wantProblems := "6 key, 7 month, 8 month, 9 month, 10 gp_appointments, 11 admissions, 12 month, 13 month"
		audits := len(allAudit(t, db))

		// All or nothing: a bad row stops it all.
		rep, err := w.m.ImportActivity(ctx, w.york.ID, rows, true)
		must(t, err)
		if !rep.NothingImported || rep.Rows != 13 || rep.Imported != 0 || rep.Unchanged != 0 || !slices.Equal(rep.Unmatched, []int{5, 14}) ||
			problemLines(rep.Problems) != wantProblems {
			t.Fatalf("all or nothing: %s", jsonOf(rep))
		}
		if held := w.activityHeld(t); held != "" || len(allAudit(t, db)) != audits {
			t.Fatalf("all or nothing wrote %q", held)
		}
		for _, p := range rep.Problems {
			if p.Reason == "" || strings.Contains(p.Reason, pat) {
				t.Fatalf("problem %+v", p)
			}
		}
		if !strings.Contains(rep.Problems[len(rep.Problems)-1].Reason, "line 12") {
			t.Fatalf("a repeated row does not say which line it repeats: %+v", rep.Problems[len(rep.Problems)-1])
		}

		// Otherwise the good rows go in, for every record they match.
		_, err = w.m.Aggregate(ctx, w.york.ID)
		must(t, err)
		rep, err = w.m.ImportActivity(ctx, w.york.ID, rows, false)
		must(t, err)
		if rep.NothingImported || rep.Rows != 13 || rep.Imported != 3 || rep.Unchanged != 0 || !slices.Equal(rep.Unmatched, []int{5, 14}) ||
			problemLines(rep.Problems) != wantProblems {
			t.Fatalf("good rows: %s", jsonOf(rep))
		}
		want := "pat@charity 2030-01 2 0; pat@housing 2030-01 2 0; sam 2030-01 1 1; sam 2030-03 0 0"
		if held := w.activityHeld(t); held != want {
			t.Fatalf("held %q, want %q", held, want)
		}
		a := oneAudit(t, db, linkwork.AuditActivityImport, idStr(w.york.ID))
		if a.Detail != "13 rows: 3 imported, 0 unchanged, 2 unmatched, 8 with problems" || strings.Contains(a.Detail, pat[:6]) {
			t.Fatalf("audit %+v", a)
		}
		if measureState(t, w.m, w.york.ID).Current {
			t.Fatal("imported, the measures are still current")
		}

		// The same file again changes nothing at all.
		_, err = w.m.Aggregate(ctx, w.york.ID)
		must(t, err)
		audits = len(allAudit(t, db))
		rep, err = w.m.ImportActivity(ctx, w.york.ID, rows, false)
		must(t, err)
		if rep.Imported != 0 || rep.Unchanged != 3 || len(rep.Unmatched) != 2 || len(rep.Problems) != 8 {
			t.Fatalf("again: %s", jsonOf(rep))
		}
		if held := w.activityHeld(t); held != want || len(allAudit(t, db)) != audits || !measureState(t, w.m, w.york.ID).Current {
			t.Fatalf("importing again changed something: %q", held)
		}

		// A changed count is stored.
		rep, err = w.m.ImportActivity(ctx, w.york.ID, []linkwork.ActivityRow{{Line: 2, Key: sam, Month: "2030-03", GPAppointments: 4}}, true)
		must(t, err)
		if rep.Imported != 1 || rep.Unchanged != 0 {
			t.Fatalf("changed: %s", jsonOf(rep))
		}
		if held := w.activityHeld(t); held != "pat@charity 2030-01 2 0; pat@housing 2030-01 2 0; sam 2030-01 1 1; sam 2030-03 4 0" {
			t.Fatalf("after a change: %q", held)
		}
		_, err = w.m.ImportActivity(ctx, 999999, rows, false)
		wantCode(t, err, linkwork.ENOTFOUND, "")
	})
}

func TestImportActivityPseudonymised(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newActivityWorld(t, db)
		ctx := w.asManager()
		secret := "correct horse battery staple, twice over"
		for _, c := range []struct {
			kind          linkwork.ActivityKeyKind
			secret, field string
		}{
			{linkwork.ActivityKeyHMAC, "too short", "secret"},
			{linkwork.ActivityKeyNHSNumber, secret, "secret"},
			{"sha1", secret, "kind"},
		} {
			wantCode(t, w.m.SetActivityKey(ctx, w.york.ID, c.kind, c.secret), linkwork.EINVALID, c.field)
		}
		wantCode(t, w.m.SetActivityKey(ctx, 999999, linkwork.ActivityKeyHMAC, secret), linkwork.ENOTFOUND, "")
		must(t, w.m.SetActivityKey(ctx, w.york.ID, linkwork.ActivityKeyHMAC, secret))
		a := oneAudit(t, db, linkwork.AuditActivityKey, idStr(w.york.ID))
		if !strings.Contains(a.Detail, "hmac_sha256") || strings.Contains(a.Detail, "horse") {
			t.Fatalf("audit %+v", a)
		}

		pat := linkwork.PseudonymiseNHSNumber(secret, nhsNumber(1))
		rows := []linkwork.ActivityRow{
			{Line: 2, Key: strings.ToUpper(pat), Month: "2030-02", GPAppointments: 3},
			{Line: 3, Key: nhsNumber(2), Month: "2030-02"},                                                            // an NHS number, not a key
			{Line: 4, Key: linkwork.PseudonymiseNHSNumber("another secret entirely", nhsNumber(2)), Month: "2030-02"}, // nobody's
		}
		rep, err := w.m.ImportActivity(ctx, w.york.ID, rows, false)
		must(t, err)
		if rep.Imported != 1 || problemLines(rep.Problems) != "3 key" || !slices.Equal(rep.Unmatched, []int{4}) {
			t.Fatalf("pseudonymised: %s", jsonOf(rep))
		}
		if held := w.activityHeld(t); held != "pat@charity 2030-02 3 0; pat@housing 2030-02 3 0" {
			t.Fatalf("held %q", held)
		}

		// Back to NHS numbers: the keys no longer match anyone, and the secret is gone.
		must(t, w.m.SetActivityKey(ctx, w.york.ID, linkwork.ActivityKeyNHSNumber, ""))
		rep, err = w.m.ImportActivity(ctx, w.york.ID, rows, false)
		must(t, err)
		if rep.Imported != 1 || problemLines(rep.Problems) != "2 key, 4 key" {
			t.Fatalf("keyed by NHS number again: %s", jsonOf(rep))
		}
		var stored string
		must(t, db.QueryRow(ctx, "SELECT secret FROM activity_keys WHERE place_id = ?", []any{w.york.ID}, &stored))
		if stored != "" {
			t.Fatalf("the secret is kept: %q", stored)
		}
	})
}
