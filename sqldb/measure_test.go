package sqldb_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// nhsNumber is a valid NHS number made from n (the first nine digits, with the check digit
// worked out), skipping those whose check digit would be 10.
func nhsNumber(n int) string {
	for ; ; n++ {
		digits := fmt.Sprintf("%09d", 400000000+n%500000000)
		sum := 0
		for i := range 9 {
			sum += int(digits[i]-'0') * (10 - i)
		}
		check := (11 - sum%11) % 11
		if check != 10 {
			return digits + string(rune('0'+check))
		}
	}
}

// measureState reads a place's measure state, failing the test on an error.
func measureState(t *testing.T, m *sqldb.MeasureService, placeID int64) *linkwork.MeasureState {
	t.Helper()
	st, err := m.State(t.Context(), placeID)
	must(t, err)
	return st
}

// changed reports whether ChangedPlaces lists the place.
func changed(t *testing.T, m *sqldb.MeasureService, placeID int64) bool {
	t.Helper()
	ids, err := m.ChangedPlaces(t.Context())
	must(t, err)
	return slices.Contains(ids, placeID)
}

func TestMeasureSettings(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		m := sqldb.NewMeasureService(db)
		ctx := linkwork.NewContextWithActor(t.Context(), linkwork.Actor{UserID: w.admin.ID, Label: "admin@york.example", PlaceID: w.york.ID})

		// A place that chose nothing has every built-in measure and the default rule.
		st, err := m.MeasureSettings(ctx, w.york.ID)
		must(t, err)
		if len(st.Measures) != len(linkwork.BuiltInMeasures) || len(st.Measures) == 0 || st.Measures[0] != linkwork.BuiltInMeasures[0].Code ||
			st.Suppression != linkwork.DefaultSuppression {
			t.Fatalf("default settings %+v", st)
		}

		talks := &linkwork.LocalMeasure{PlaceID: w.york.ID, Name: "Talks to GP practices", Definition: "Talks given to a practice's staff.", Unit: "talks"}
		must(t, m.CreateLocalMeasure(ctx, talks))
		want := []linkwork.MeasureCode{talks.Code(), linkwork.MeasureReferrals, linkwork.MeasureWellbeing}
		must(t, m.SetMeasureSettings(ctx, &linkwork.MeasureSettings{PlaceID: w.york.ID, Measures: []linkwork.MeasureCode{" " + talks.Code(),
			linkwork.MeasureReferrals, linkwork.MeasureWellbeing}, Suppression: linkwork.SuppressionRule{Threshold: 10, RoundTo: 10}}))
		st, err = m.MeasureSettings(ctx, w.york.ID)
		must(t, err)
		if !slices.Equal(st.Measures, want) || st.Suppression.Threshold != 10 || st.Suppression.RoundTo != 10 {
			t.Fatalf("saved settings %+v", st)
		}
		a := oneAudit(t, db, linkwork.AuditMeasureSettings, idStr(w.york.ID))
		if a.PlaceID != w.york.ID || a.ActorUserID != w.admin.ID || !strings.Contains(a.Detail, "3 measures") {
			t.Fatalf("audit %+v", a)
		}

		// Bad settings change nothing, and every problem is told.
		leeds := mustPlace(t, db, "Leeds")
		leedsTalks := &linkwork.LocalMeasure{PlaceID: leeds.ID, Name: "Talks", Definition: "Talks.", Unit: "talks"}
		must(t, m.CreateLocalMeasure(ctx, leedsTalks))
		for _, c := range []struct {
			name  string
			s     linkwork.MeasureSettings
			field string
		}{
			{"unknown measure", linkwork.MeasureSettings{Measures: []linkwork.MeasureCode{"happiness"}, Suppression: linkwork.DefaultSuppression}, "measures"},
			{"another place's measure", linkwork.MeasureSettings{Measures: []linkwork.MeasureCode{leedsTalks.Code()}, Suppression: linkwork.DefaultSuppression}, "measures"},
			{"twice", linkwork.MeasureSettings{Measures: []linkwork.MeasureCode{"referrals", "referrals"}, Suppression: linkwork.DefaultSuppression}, "measures"},
			{"none", linkwork.MeasureSettings{Suppression: linkwork.DefaultSuppression}, "measures"},
			{"threshold", linkwork.MeasureSettings{Measures: []linkwork.MeasureCode{"referrals"}, Suppression: linkwork.SuppressionRule{Threshold: -1, RoundTo: 5}}, "threshold"},
			{"rounding", linkwork.MeasureSettings{Measures: []linkwork.MeasureCode{"referrals"}, Suppression: linkwork.SuppressionRule{Threshold: 7, RoundTo: 0}}, "round_to"},
		} {
			s := c.s
			s.PlaceID = w.york.ID
			err := m.SetMeasureSettings(ctx, &s)
			wantCode(t, err, linkwork.EINVALID, c.field)
		}
		st, err = m.MeasureSettings(ctx, w.york.ID)
		must(t, err)
		if !slices.Equal(st.Measures, want) || st.Suppression.Threshold != 10 {
			t.Fatalf("refused settings changed them: %+v", st)
		}
		_, err = m.MeasureSettings(ctx, 999999)
		wantCode(t, err, linkwork.ENOTFOUND, "")
	})
}

func TestLocalMeasures(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		m := sqldb.NewMeasureService(db)
		ctx := linkwork.NewContextWithActor(t.Context(), linkwork.Actor{UserID: w.admin.ID, Label: "admin@york.example", PlaceID: w.york.ID})

		talks := &linkwork.LocalMeasure{PlaceID: w.york.ID, Name: " Talks to GP practices ", Definition: "Talks given to a practice's staff.",
			Unit: "talks", AboutPeople: false}
		must(t, m.CreateLocalMeasure(ctx, talks))
		if talks.ID == 0 || talks.Name != "Talks to GP practices" || !talks.CreatedAt.Equal(w.clock.now) || talks.Code() != linkwork.MeasureCode("local-"+idStr(talks.ID)) {
			t.Fatalf("created %+v", talks)
		}
		err := m.CreateLocalMeasure(ctx, &linkwork.LocalMeasure{PlaceID: w.york.ID, Name: "talks to gp PRACTICES", Definition: "Again.", Unit: "talks"})
		wantCode(t, err, linkwork.EINVALID, "name")
		err = m.CreateLocalMeasure(ctx, &linkwork.LocalMeasure{PlaceID: w.york.ID, Name: "Hours", Unit: "hours"})
		wantCode(t, err, linkwork.EINVALID, "definition")
		err = m.CreateLocalMeasure(ctx, &linkwork.LocalMeasure{PlaceID: w.york.ID, Name: strings.Repeat("x", 121), Definition: "x", Unit: "x"})
		wantCode(t, err, linkwork.EINVALID, "name")
		people := &linkwork.LocalMeasure{PlaceID: w.york.ID, Name: "People at the café", Definition: "Different people at the café.", Unit: "people", AboutPeople: true}
		must(t, m.CreateLocalMeasure(ctx, people))
		list, err := m.ListLocalMeasures(ctx, w.york.ID)
		must(t, err)
		if len(list) != 2 || list[0].ID != talks.ID || list[1].ID != people.ID || !list[1].AboutPeople || list[0].Unit != "talks" {
			t.Fatalf("listed %s", jsonOf(list))
		}
		if a := oneAudit(t, db, linkwork.AuditLocalMeasure, idStr(talks.ID)); a.PlaceID != w.york.ID {
			t.Fatalf("audit %+v", a)
		}

		// Values: one an organisation and month, replaced when entered again.
		feb := time.Date(2030, time.February, 14, 0, 0, 0, 0, time.UTC)
		v := &linkwork.LocalMeasureValue{MeasureID: talks.ID, OrganisationID: w.gp.ID, Month: feb, Value: 3}
		must(t, m.SetLocalMeasureValue(ctx, v))
		if !v.Month.Equal(time.Date(2030, time.February, 1, 0, 0, 0, 0, time.UTC)) || v.UpdatedBy != "Ada Admin" {
			t.Fatalf("value %+v", v)
		}
		must(t, m.SetLocalMeasureValue(ctx, &linkwork.LocalMeasureValue{MeasureID: talks.ID, OrganisationID: w.gp.ID, Month: feb, Value: 4}))
		r, err := m.Records(ctx, w.york.ID)
		must(t, err)
		if len(r.Local) != 1 || r.Local[0].Value != 4 || r.Local[0].Month.Format("2006-01") != "2030-02" {
			t.Fatalf("values %+v", r.Local)
		}

		leeds := mustPlace(t, db, "Leeds")
		leedsOrg := mustOrg(t, db, leeds.ID, "Leeds Community Trust", linkwork.SectorVCSE)
		for _, c := range []struct {
			name  string
			v     linkwork.LocalMeasureValue
			field string
		}{
			{"next month", linkwork.LocalMeasureValue{MeasureID: talks.ID, OrganisationID: w.gp.ID, Month: w.clock.now.AddDate(0, 1, 0), Value: 1}, "month"},
			{"no month", linkwork.LocalMeasureValue{MeasureID: talks.ID, OrganisationID: w.gp.ID, Value: 1}, "month"},
			{"1999", linkwork.LocalMeasureValue{MeasureID: talks.ID, OrganisationID: w.gp.ID, Month: time.Date(1999, 12, 1, 0, 0, 0, 0, time.UTC), Value: 1}, "month"},
			{"negative", linkwork.LocalMeasureValue{MeasureID: talks.ID, OrganisationID: w.gp.ID, Month: feb, Value: -1}, "value"},
			{"no measure", linkwork.LocalMeasureValue{MeasureID: 99999, OrganisationID: w.gp.ID, Month: feb, Value: 1}, "measure_id"},
			{"another place's organisation", linkwork.LocalMeasureValue{MeasureID: talks.ID, OrganisationID: leedsOrg.ID, Month: feb, Value: 1}, "organisation_id"},
		} {
			v := c.v
			wantCode(t, m.SetLocalMeasureValue(ctx, &v), linkwork.EINVALID, c.field)
		}
		r, err = m.Records(ctx, w.york.ID)
		must(t, err)
		if len(r.Local) != 1 || r.Local[0].Value != 4 {
			t.Fatalf("refused values changed them: %+v", r.Local)
		}
	})
}

// TestMeasureStateFollowsChanges checks that the triggers mark a place changed whatever
// record the facts are made from changes, that aggregating makes its facts current, and
// that another place's changes leave it be.
func TestMeasureStateFollowsChanges(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newBudgetWorld(t, db)
		m := sqldb.NewMeasureService(db)
		ctx := w.asManager()

		st := measureState(t, m, w.york.ID)
		if st.Current || !changed(t, m, w.york.ID) || !changed(t, m, w.leeds.ID) {
			t.Fatalf("before any aggregation: %+v", st)
		}
		aggregate := func(placeID int64) {
			t.Helper()
			_, err := m.Aggregate(ctx, placeID)
			must(t, err)
		}
		aggregate(w.york.ID)
		aggregate(w.leeds.ID)
		st = measureState(t, m, w.york.ID)
		if !st.Current || st.AggregatedAt == nil || !st.AggregatedAt.Equal(w.clock.now) || changed(t, m, w.york.ID) || changed(t, m, w.leeds.ID) {
			t.Fatalf("after aggregating: %+v", st)
		}

		feb := time.Date(2030, time.February, 1, 0, 0, 0, 0, time.UTC)
		talks := &linkwork.LocalMeasure{PlaceID: w.york.ID, Name: "Talks", Definition: "Talks.", Unit: "talks"}
		must(t, m.CreateLocalMeasure(ctx, talks))
		aggregate(w.york.ID)
		pot := w.mustPot(t, w.schemePot(), 100000)
		aggregate(w.york.ID)
		for _, c := range []struct {
			what   string
			change func()
		}{
			{"a referral", func() { w.send(t, w.referral()) }},
			{"a contact", func() {
				must(t, w.svc.Cases.AddContact(ctx, &linkwork.CaseContact{PersonID: w.mary, On: "2030-03-01", Mode: linkwork.ModeVideo, Minutes: 30}))
			}},
			{"a case record", func() {
				p, err := w.svc.Cases.FindPersonByID(ctx, w.ron)
				must(t, err)
				p.Demographics.Sex = linkwork.SexMale
				must(t, w.svc.Cases.UpdatePerson(ctx, p))
			}},
			{"a group's volunteers", func() {
				must(t, w.svc.Groups.SetVolunteers(ctx, &linkwork.VolunteerMonth{OrganisationID: w.walkers.ID, Month: feb, Volunteers: 4, Hours: 20}))
			}},
			{"a local measure's value", func() {
				must(t, m.SetLocalMeasureValue(ctx, &linkwork.LocalMeasureValue{MeasureID: talks.ID, OrganisationID: w.charity.ID, Month: feb, Value: 2}))
			}},
			{"a spend", func() { w.mustSpend(t, w.personal(pot.ID, 2000), false) }},
			{"a new organisation", func() { mustOrg(t, db, w.york.ID, "York Men's Shed", linkwork.SectorVCSE) }},
		} {
			w.clock.advance(time.Minute)
			c.change()
			st := measureState(t, m, w.york.ID)
			if st.Current || !changed(t, m, w.york.ID) || st.ChangedAt == nil {
				t.Fatalf("after %s: %+v", c.what, st)
			}
			if changed(t, m, w.leeds.ID) {
				t.Fatalf("after %s in York, Leeds is changed too", c.what)
			}
			aggregate(w.york.ID)
			if st := measureState(t, m, w.york.ID); !st.Current || changed(t, m, w.york.ID) {
				t.Fatalf("after %s and aggregating: %+v", c.what, st)
			}
		}
		_, err := m.State(ctx, 999999)
		wantCode(t, err, linkwork.ENOTFOUND, "")
		_, err = m.Aggregate(ctx, 999999)
		wantCode(t, err, linkwork.ENOTFOUND, "")
	})
}

// TestMeasureFactsRead reads a scope's facts by months.
func TestMeasureFactsRead(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newBudgetWorld(t, db)
		m := sqldb.NewMeasureService(db)
		ctx := w.asWorker()
		for _, on := range []string{"2030-01-20", "2030-02-03", "2030-03-01"} {
			must(t, w.svc.Cases.AddContact(ctx, &linkwork.CaseContact{PersonID: w.mary, On: on, Mode: linkwork.ModeFaceToFace, Minutes: 45}))
		}
		n, err := m.Aggregate(ctx, w.york.ID)
		must(t, err)
		all, err := m.AllFacts(ctx, w.york.ID)
		must(t, err)
		if n != len(all) || n == 0 {
			t.Fatalf("Aggregate said %d facts, there are %d", n, len(all))
		}
		org := linkwork.Scope{Kind: linkwork.ScopeOrganisation, Key: idStr(w.charity.ID)}
		read := func(scope linkwork.Scope, from, to string) string {
			t.Helper()
			fs, err := m.Facts(ctx, w.york.ID, scope, from, to)
			must(t, err)
			var lines []string
			for _, f := range fs {
				if f.Fact == linkwork.FactContacts && f.Key == "all" {
					if f.PlaceID != w.york.ID || f.ScopeKind != scope.Kind || f.ScopeKey != scope.Key {
						t.Fatalf("fact %+v read for %+v", f, scope)
					}
					lines = append(lines, fmt.Sprintf("%s %d %d", f.Month, f.N, f.Total))
				}
			}
			return strings.Join(lines, ", ")
		}
		// Mary and Ron each had a contact on 3 January 2030 (addBudgetPerson).
		if got := read(org, "", ""); got != "2030-01 3 85, 2030-02 1 45, 2030-03 1 45" {
			t.Fatalf("all months: %s", got)
		}
		if got := read(org, "2030-02", "2030-02"); got != "2030-02 1 45" {
			t.Fatalf("February: %s", got)
		}
		if got := read(org, "2030-02", ""); got != "2030-02 1 45, 2030-03 1 45" {
			t.Fatalf("from February: %s", got)
		}
		if got := read(linkwork.Scope{Kind: linkwork.ScopeNeighbourhood, Key: "E01000002"}, "", "2030-02"); got != "2030-01 2 65, 2030-02 1 45" {
			t.Fatalf("Mary's neighbourhood to February: %s", got)
		}
		if got := read(linkwork.Scope{Kind: linkwork.ScopeOrganisation, Key: idStr(w.leedsOrg.ID)}, "", ""); got != "" {
			t.Fatalf("Leeds: %s", got)
		}
	})
}

// TestMeasureLondonDays checks the aggregation's London dates of UTC timestamps, which
// SQLite has to work out from the UK's rule, against Go's time zone database: every half
// hour across each change of the clocks in several years.
func TestMeasureLondonDays(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		m := sqldb.NewMeasureService(db)
		var instants []time.Time
		for _, y := range []int{2000, 2019, 2024, 2026, 2030, 2037, 2099} {
			for _, month := range []time.Month{time.March, time.October} {
				for tm := time.Date(y, month, 24, 0, 0, 0, 0, time.UTC); tm.Before(time.Date(y, month+1, 2, 0, 0, 0, 0, time.UTC)); tm = tm.Add(30 * time.Minute) {
					instants = append(instants, tm, tm.Add(59*time.Minute+59*time.Second+999999*time.Microsecond))
				}
			}
			instants = append(instants, time.Date(y, time.June, 30, 23, 0, 0, 0, time.UTC), time.Date(y, time.December, 31, 23, 59, 59, 0, time.UTC))
		}
		got, err := m.LondonDays(t.Context(), instants)
		must(t, err)
		bad := 0
		for i, tm := range instants {
			if want := tm.In(linkwork.London).Format(time.DateOnly); got[i] != want {
				if bad++; bad < 10 {
					t.Errorf("%s UTC is %s in London, not %s", tm.Format(time.RFC3339Nano), want, got[i])
				}
			}
		}
	})
}

// TestBulkInsertsMarkMeasuresChanged checks that generated data marks its place changed,
// whether PostgreSQL's triggers fire or the bulk load counts the change itself with them
// off, so that the measures job aggregates it.
func TestBulkInsertsMarkMeasuresChanged(t *testing.T) {
	eachBulkMode(t, func(t *testing.T, db *sqldb.DB) {
		ctx := t.Context()
		m := sqldb.NewMeasureService(db)
		w := newBulkWorld(t, db)
		if !changed(t, m, w.york.ID) {
			t.Fatal("referrals loaded, the place is not changed")
		}
		_, err := m.Aggregate(ctx, w.york.ID)
		must(t, err)
		if changed(t, m, w.york.ID) {
			t.Fatal("aggregated, the place is still changed")
		}
		c := w.caseFrom(w.inProgress, w.worker1)
		c.Contacts = []*linkwork.CaseContact{bulkContact(bulkDay(-10), "")}
		must(t, db.BulkInsertCases(ctx, w.york.ID, []*sqldb.BulkCase{c}))
		if st := measureState(t, m, w.york.ID); st.Current || !changed(t, m, w.york.ID) {
			t.Fatalf("cases loaded: %+v", st)
		}
		_, err = m.Aggregate(ctx, w.york.ID)
		must(t, err)
		wantFactsRecomputed(t, m, w.york.ID)
	})
}
