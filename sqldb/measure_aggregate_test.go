package sqldb_test

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"linkwork"
	"linkwork/gen"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// measureWorld is the budget world (York, its geography, the charity's scheme Link Up York,
// the housing trust's Home First, community groups and four people) with records of every
// kind the measures count, spread over 2030 and across both changes of the clocks.
type measureWorld struct {
	*budgetWorld
	m             *sqldb.MeasureService
	alice, bob    *linkwork.Referral // allocated after waiting; accepted and opened
	pat, quinn    int64              // a case with everything; a case closed and erased
	housingWorker int64
	talks         int64 // a local measure
}

// at sets the clock.
func (w *measureWorld) at(y int, mo time.Month, d, h, mi int) {
	w.clock.now = time.Date(y, mo, d, h, mi, 0, 0, time.UTC)
}

// sendAs sends a referral for someone, failing the test on an error.
func (w *measureWorld) sendAs(t *testing.T, given string, nhs int, dob, postcode string, scheme int64, needs ...string) *linkwork.Referral {
	t.Helper()
	r := w.referral()
	r.Person.GivenName, r.Person.FamilyName, r.Person.DateOfBirth, r.Person.Postcode = given, "Test", dob, postcode
	r.Person.NHSNumber = ""
	if nhs != 0 {
		r.Person.NHSNumber = nhsNumber(nhs)
	}
	r.SchemeID, r.NeedIDs = scheme, w.termIDs(needs...)
	if scheme == w.homeFirst.ID {
		r.Consent.ShareWith = nil
	}
	return w.send(t, r)
}

// move moves a referral on, failing the test on an error.
func (w *measureWorld) move(t *testing.T, r *linkwork.Referral, tr linkwork.Transition) *linkwork.Referral {
	t.Helper()
	tr.ReferralID, tr.Version = r.ID, r.Version
	got, err := w.refs.Transition(w.asManager(), tr, w.manager, "Max Manager")
	must(t, err)
	*r = *got
	return r
}

func (w *measureWorld) contact(t *testing.T, personID int64, on string, mode linkwork.ContactMode, minutes int) {
	t.Helper()
	must(t, w.svc.Cases.AddContact(w.asWorker(), &linkwork.CaseContact{PersonID: personID, On: on, Mode: mode, Minutes: minutes}))
}

func (w *measureWorld) respond(t *testing.T, personID int64, code string, tp linkwork.Timepoint, on string, answers ...int) {
	t.Helper()
	must(t, w.svc.Questionnaires.SaveResponse(w.asWorker(), &linkwork.QuestionnaireResponse{PersonID: personID, QuestionnaireCode: code,
		Timepoint: tp, Status: linkwork.ResponseComplete, Answers: ints(answers...), CompletedOn: on}))
}

// openCase opens a case straight onto an organisation's caseload.
func (w *measureWorld) openCase(t *testing.T, orgID, worker int64, given string, nhs int, dob, postcode, opened string, d linkwork.Demographics) int64 {
	t.Helper()
	p := &linkwork.Person{PlaceID: w.york.ID, OrganisationID: orgID, GivenName: given, FamilyName: "Case", DateOfBirth: dob,
		Address1: "1 Rose Street", Town: "Halifax", Postcode: postcode, Phone: "01422 123456", OpenedOn: opened, WorkerUserID: worker,
		Demographics: d}
	if nhs != 0 {
		p.NHSNumber = nhsNumber(nhs)
	}
	must(t, w.svc.Cases.CreatePerson(w.asWorker(), p))
	return p.ID
}

func (w *measureWorld) closeCase(t *testing.T, personID int64) {
	t.Helper()
	p, err := w.svc.Cases.FindPersonByID(w.asWorker(), personID)
	must(t, err)
	_, err = w.svc.Cases.CloseCase(w.asWorker(), linkwork.CaseClosure{PersonID: personID, Version: p.Version, Outcome: linkwork.CaseGoalsMet}, w.worker1, "Lee Walker")
	must(t, err)
}

// newMeasureWorld builds the place. Its known answers are checked by
// TestMeasureFactsKnownAnswers.
func newMeasureWorld(t *testing.T, db *sqldb.DB) *measureWorld {
	t.Helper()
	w := &measureWorld{budgetWorld: newBudgetWorld(t, db), m: sqldb.NewMeasureService(db)}
	ctx := w.asManager()
	w.housingWorker = quickUser(t, db, "hana@housing.example", "Hana Home", w.housing.ID, linkwork.RoleLinkWorker)
	tea := mustService(t, db, &linkwork.Service{PlaceID: w.york.ID, OrganisationID: w.walkers.ID, Name: "Tea and Chat"})
	talks := &linkwork.LocalMeasure{PlaceID: w.york.ID, Name: "Talks to GP practices", Definition: "Talks given to a practice's staff.", Unit: "talks"}
	must(t, w.m.CreateLocalMeasure(ctx, talks))
	w.talks = talks.ID

	// Referrals: in March (GMT, the last at 01:30 UTC on the day the clocks go forward),
	// in April, and at 23:30 UTC on 30 June, which is 1 July in London.
	w.at(2030, time.March, 5, 10, 0)
	w.alice = w.sendAs(t, "Alice", 1, "1948-07-15", "HX2 0AA", w.linkUp.ID, "need/loneliness", "need/mental_wellbeing")
	w.at(2030, time.March, 31, 0, 30)
	w.bob = w.sendAs(t, "Bob", 2, "2012-01-01", "HX5 0AA", w.homeFirst.ID, "need/housing")
	w.at(2030, time.March, 31, 1, 30)
	eve := w.sendAs(t, "Eve", 0, "1980-02-02", "HX3 0AA", w.linkUp.ID, "need/mental_wellbeing")
	w.at(2030, time.April, 5, 12, 0)
	dan := w.sendAs(t, "Dan", 5, "1970-03-03", "HX1 1AA", w.linkUp.ID, "need/money_debt")
	w.move(t, dan, linkwork.Transition{Action: linkwork.ActionRedirect, SchemeID: w.homeFirst.ID})
	w.move(t, dan, linkwork.Transition{Action: linkwork.ActionDecline, DeclineReason: linkwork.DeclineNotEligible})
	w.at(2030, time.June, 30, 23, 30)
	carl := w.sendAs(t, "Carl", 6, "2001-06-30", "HX1 1AA", w.linkUp.ID, "need/loneliness")

	// Alice waits from 6 March until allocated at 23:30 UTC on 10 April (11 April in
	// London), and her case is opened.
	w.at(2030, time.March, 6, 10, 0)
	w.move(t, w.alice, linkwork.Transition{Action: linkwork.ActionAccept})
	w.at(2030, time.March, 7, 10, 0)
	w.move(t, w.alice, linkwork.Transition{Action: linkwork.ActionWait})
	w.at(2030, time.April, 10, 23, 30)
	w.move(t, w.alice, linkwork.Transition{Action: linkwork.ActionAllocate, WorkerUserID: w.worker1})
	w.move(t, w.alice, linkwork.Transition{Action: linkwork.ActionStart})
	alice, err := w.svc.Cases.CreatePersonFromReferral(ctx, w.alice.ID, w.worker1)
	must(t, err)
	// Bob is accepted, his case opened, then allocated; a contact before his referral
	// came is not its first contact.
	w.at(2030, time.April, 1, 9, 0)
	w.move(t, w.bob, linkwork.Transition{Action: linkwork.ActionAccept})
	bob, err := w.svc.Cases.CreatePersonFromReferral(ctx, w.bob.ID, w.housingWorker)
	must(t, err)
	w.at(2030, time.April, 2, 12, 0)
	w.contact(t, bob.ID, "2030-03-20", linkwork.ModePhone, 10)
	w.contact(t, bob.ID, "2030-04-02", linkwork.ModeHomeVisit, 90)
	w.at(2030, time.April, 20, 9, 0)
	w.move(t, w.bob, linkwork.Transition{Action: linkwork.ActionAllocate, WorkerUserID: w.housingWorker})
	w.at(2030, time.July, 2, 9, 0)
	w.move(t, carl, linkwork.Transition{Action: linkwork.ActionAccept})
	w.move(t, eve, linkwork.Transition{Action: linkwork.ActionAccept})
	w.move(t, eve, linkwork.Transition{Action: linkwork.ActionAllocate, WorkerUserID: w.worker2})

	// Pat: a case opened straight onto the charity's caseload, with demographics, a leap
	// day birthday, questionnaires, onward referrals and health service use.
	w.at(2030, time.March, 20, 9, 0)
	w.pat = w.openCase(t, w.charity.ID, w.worker1, "Pat", 3, "1960-02-29", "HX1 1AA", "2030-01-15",
		linkwork.Demographics{Sex: linkwork.SexFemale, Ethnicity: "A"})
	w.contact(t, w.pat, "2030-01-16", linkwork.ModeFaceToFace, 60)
	w.contact(t, w.pat, "2030-02-01", linkwork.ModePhone, 15)
	w.contact(t, w.pat, "2030-03-10", linkwork.ModeGroup, 120)
	w.respond(t, w.pat, linkwork.QuestionnaireONS4, linkwork.TimepointBaseline, "2030-01-16", 5, 5, 5, 5)
	w.respond(t, w.pat, linkwork.QuestionnaireONS4, linkwork.TimepointReview, "2030-03-10", 7, 6, 5, 3)
	w.respond(t, w.pat, linkwork.QuestionnaireSWEMWBS, linkwork.TimepointBaseline, "2030-01-16", 2, 2, 2, 2, 2, 2, 2)
	w.respond(t, w.pat, linkwork.QuestionnaireUCLA3, linkwork.TimepointBaseline, "2030-01-16", 2, 2, 2)
	w.respond(t, w.pat, linkwork.QuestionnaireUCLA3, linkwork.TimepointReview, "2030-03-10", 3, 3, 2)
	for i, status := range []linkwork.OnwardStatus{linkwork.OnwardAttended, linkwork.OnwardDeclined, linkwork.OnwardSent} {
		o := &linkwork.OnwardReferral{PlaceID: w.york.ID, PersonID: w.pat, ServiceID: tea.ID, FirstName: "Pat", ContactPhone: "07700 900456",
			Needs: "Company", Consent: true, ConsentMethod: linkwork.ConsentVerbal}
		w.at(2030, time.March, 21+i, 9, 0)
		must(t, w.svc.Onward.SendOnward(w.asWorker(), o))
		switch status {
		case linkwork.OnwardAttended:
			got, err := w.svc.Onward.AnswerOnward(ctx, linkwork.OnwardAnswer{ID: o.ID, Version: o.Version, Status: linkwork.OnwardAccepted}, 0, "Wendy Walker")
			must(t, err)
			_, err = w.svc.Onward.AnswerOnward(ctx, linkwork.OnwardAnswer{ID: o.ID, Version: got.Version, Status: status}, 0, "Wendy Walker")
			must(t, err)
		case linkwork.OnwardDeclined:
			_, err := w.svc.Onward.AnswerOnward(ctx, linkwork.OnwardAnswer{ID: o.ID, Version: o.Version, Status: status, Reason: "Full"}, 0, "Wendy Walker")
			must(t, err)
		}
	}

	// Quinn: closed, then erased, which keeps only what the measures need.
	w.at(2030, time.February, 21, 9, 0)
	w.quinn = w.openCase(t, w.housing.ID, w.housingWorker, "Quinn", 4, "1990-05-05", "HX3 0AA", "2030-02-01",
		linkwork.Demographics{Sex: linkwork.SexMale, Ethnicity: "C"})
	w.contact(t, w.quinn, "2030-02-02", linkwork.ModeVideo, 30)
	w.closeCase(t, w.quinn)
	must(t, w.svc.Cases.ErasePerson(ctx, w.quinn, "The person asked for their record to be erased."))
	// Someone waiting, with no NHS number, at a postcode with no known LSOA.
	w.openCase(t, w.charity.ID, 0, "Wyn", 0, "1999-12-31", "HX5 0AA", "2030-02-10", linkwork.Demographics{})

	// Alice's contacts, either side of the clocks going back on 27 October.
	w.at(2030, time.November, 1, 9, 0)
	w.contact(t, alice.ID, "2030-04-12", linkwork.ModePhone, 30)
	w.contact(t, alice.ID, "2030-05-02", linkwork.ModeFaceToFace, 60)
	w.contact(t, alice.ID, "2030-10-26", linkwork.ModeVideo, 45)
	w.contact(t, alice.ID, "2030-10-28", linkwork.ModeGroup, 90)
	w.respond(t, alice.ID, linkwork.QuestionnaireSWEMWBS, linkwork.TimepointReview, "2030-05-02", 3, 3, 3, 3, 3, 3, 3)
	w.respond(t, alice.ID, linkwork.QuestionnaireSWEMWBS, linkwork.TimepointFinal, "2030-10-28", 4, 4, 3, 3, 3, 3, 3)
	// Her baseline loneliness was recorded late, dated after her review: the review is
	// compared with it. Two ONS4s on one day are ordered by when they were recorded.
	w.respond(t, alice.ID, linkwork.QuestionnaireUCLA3, linkwork.TimepointReview, "2030-05-02", 2, 2, 2)
	w.respond(t, alice.ID, linkwork.QuestionnaireUCLA3, linkwork.TimepointBaseline, "2030-05-20", 1, 1, 1)
	w.respond(t, alice.ID, linkwork.QuestionnaireONS4, linkwork.TimepointReview, "2030-06-01", 6, 6, 6, 6)
	w.clock.advance(time.Minute)
	w.respond(t, alice.ID, linkwork.QuestionnaireONS4, linkwork.TimepointFinal, "2030-06-01", 8, 6, 6, 6)
	w.respond(t, alice.ID, linkwork.QuestionnaireONS4, linkwork.TimepointReview, "2030-05-30", 4, 6, 6, 6)

	// Pat's case closes at 23:30 UTC on 30 June: 1 July in London. Her final SWEMWBS comes
	// after.
	w.at(2030, time.June, 30, 23, 30)
	w.closeCase(t, w.pat)
	w.at(2030, time.July, 5, 9, 0)
	w.respond(t, w.pat, linkwork.QuestionnaireSWEMWBS, linkwork.TimepointFinal, "2030-07-05", 4, 4, 4, 4, 4, 4, 4)

	// Groups: volunteers, new activities, and a faith group added at 23:30 UTC on 31 March
	// (1 April in London).
	for _, v := range []linkwork.VolunteerMonth{{OrganisationID: w.walkers.ID, Month: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), Volunteers: 5, Hours: 30},
		{OrganisationID: w.walkers.ID, Month: time.Date(2030, 2, 1, 0, 0, 0, 0, time.UTC), Volunteers: 6, Hours: 40},
		{OrganisationID: w.knitters.ID, Month: time.Date(2030, 2, 1, 0, 0, 0, 0, time.UTC)}} {
		must(t, w.svc.Groups.SetVolunteers(ctx, &v))
	}
	for _, a := range []*linkwork.NewActivity{{PlaceID: w.york.ID, OrganisationID: w.walkers.ID, Name: "Nordic walking", StartedOn: time.Date(2030, 2, 10, 0, 0, 0, 0, time.UTC)},
		{PlaceID: w.york.ID, OrganisationID: w.knitters.ID, Name: "Crochet club", StartedOn: time.Date(2030, 3, 31, 0, 0, 0, 0, time.UTC)}} {
		must(t, w.svc.Groups.AddNewActivity(ctx, a))
	}
	w.at(2030, time.March, 31, 23, 30)
	mustOrg(t, db, w.york.ID, "Calder Faith Group", linkwork.SectorFaith)

	// Money: a personal spend partly refunded, with the refund reversed; a spend whose
	// payment was reversed; a grant paid to a group; and a team pot with no scheme.
	w.at(2030, time.March, 10, 9, 0)
	pot := w.mustPot(t, w.schemePot(), 100000)
	bus := w.mustSpend(t, w.personal(pot.ID, 2000), false)
	mistake := w.mustSpend(t, w.personal(pot.ID, 3000), false)
	w.at(2030, time.April, 2, 9, 0)
	refund, err := w.budgets.Refund(ctx, bus.ID, 500, "Shop refunded part", newKey())
	must(t, err)
	w.reverse(t, w.paymentOf(t, pot.ID, mistake.ID), "Paid twice by mistake")
	w.at(2030, time.May, 1, 9, 0)
	w.reverse(t, refund.ID, "The refund bounced")
	grant := w.mustApply(t, w.grant(pot.ID, 10000))
	grant = w.decide(t, grant, true, "")
	w.pay(t, grant)
	w.at(2030, time.November, 2, 9, 0)
	team := w.schemePot()
	team.Holder, team.ServiceID, team.Name = linkwork.HolderTeam, 0, "Team fund"
	team = w.mustPot(t, team, 50000)
	w.mustSpend(t, w.personal(team.ID, 1500), false)

	// Local measure values.
	for _, v := range []linkwork.LocalMeasureValue{{MeasureID: talks.ID, OrganisationID: w.charity.ID, Month: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), Value: 2},
		{MeasureID: talks.ID, OrganisationID: w.charity.ID, Month: time.Date(2030, 2, 1, 0, 0, 0, 0, time.UTC)},
		{MeasureID: talks.ID, OrganisationID: w.housing.ID, Month: time.Date(2030, 2, 1, 0, 0, 0, 0, time.UTC), Value: 5}} {
		must(t, w.m.SetLocalMeasureValue(ctx, &v))
	}

	// Health service use to October 2030, for Alice, Bob and Pat, and someone unknown.
	w.at(2030, time.November, 15, 9, 0)
	var rows []linkwork.ActivityRow
	for _, p := range []struct{ nhs, from, to int }{{1, 1, 10}, {2, 1, 10}, {3, -6, 8}, {99, 1, 3}} {
		for mo := p.from; mo <= p.to; mo++ {
			month := time.Date(2030, time.Month(mo), 1, 0, 0, 0, 0, time.UTC).Format("2006-01")
			rows = append(rows, linkwork.ActivityRow{Line: len(rows) + 2, Key: nhsNumber(p.nhs), Month: month,
				GPAppointments: (mo + 12 + p.nhs) % 4, Admissions: (mo + 12) % 3 / 2})
		}
	}
	rep, err := w.m.ImportActivity(ctx, w.york.ID, rows, true)
	must(t, err)
	if len(rep.Problems) != 0 || len(rep.Unmatched) != 3 || rep.Imported != len(rows)-3 {
		t.Fatalf("activity import: %s", jsonOf(rep))
	}
	return w
}

// factLine writes a fact for a test's message.
func factLine(f *linkwork.MeasureFact) string {
	return fmt.Sprintf("%s %q %s %s %q: n %d, total %d", f.ScopeKind, f.ScopeKey, f.Month, f.Fact, f.Key, f.N, f.Total)
}

// wantFactsRecomputed fails the test unless the place's facts in the store are row for
// row those MeasureFactsFromRecords makes from its records, showing the first differences.
func wantFactsRecomputed(t *testing.T, m *sqldb.MeasureService, placeID int64) []*linkwork.MeasureFact {
	t.Helper()
	ctx := t.Context()
	r, err := m.Records(ctx, placeID)
	must(t, err)
	want := linkwork.MeasureFactsFromRecords(r)
	got, err := m.AllFacts(ctx, placeID)
	must(t, err)
	order := func(a, b *linkwork.MeasureFact) int {
		return cmp.Or(cmp.Compare(a.ScopeKind, b.ScopeKind), cmp.Compare(a.ScopeKey, b.ScopeKey), cmp.Compare(a.Month, b.Month),
			cmp.Compare(a.Fact, b.Fact), cmp.Compare(a.Key, b.Key))
	}
	slices.SortFunc(got, order)
	slices.SortFunc(want, order)
	var diffs []string
	i, j := 0, 0
	for (i < len(got) || j < len(want)) && len(diffs) < 20 {
		switch {
		case j == len(want) || i < len(got) && order(got[i], want[j]) < 0:
			diffs = append(diffs, "only in the store:      "+factLine(got[i]))
			i++
		case i == len(got) || order(got[i], want[j]) > 0:
			diffs = append(diffs, "only in recomputation:  "+factLine(want[j]))
			j++
		default:
			if got[i].N != want[j].N || got[i].Total != want[j].Total || got[i].PlaceID != placeID {
				diffs = append(diffs, "store "+factLine(got[i])+"; recomputed n "+fmt.Sprint(want[j].N)+", total "+fmt.Sprint(want[j].Total))
			}
			i++
			j++
		}
	}
	if len(diffs) > 0 {
		t.Fatalf("place %d: the store has %d facts, recomputation %d; the first differences:\n%s", placeID, len(got), len(want), strings.Join(diffs, "\n"))
	}
	if len(got) == 0 && len(r.People)+len(r.Referrals) > 0 {
		t.Fatalf("place %d has records but no facts", placeID)
	}
	return got
}

// generatedPlace generates a place of a few hundred people into db, with health service
// use for the people with NHS numbers from 2028 to October 2030.
func generatedPlace(t *testing.T, db *sqldb.DB) int64 {
	t.Helper()
	ps, err := benchPostcodes()
	must(t, err)
	ctx := t.Context()
	dir, err := gen.Load(ctx, db, gen.Options{Seed: 5, Services: 120, Locations: 200, Postcodes: ps}, nil)
	must(t, err)
	_, err = gen.LoadPeople(ctx, db, dir, gen.PeopleOptions{Seed: 5, People: 300, Referrals: 450, Contacts: 3000, Questionnaires: 600,
		Postcodes: ps}, nil)
	must(t, err)
	for m := time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC); m.Before(time.Date(2030, 11, 1, 0, 0, 0, 0, time.UTC)); m = m.AddDate(0, 1, 0) {
		_, err := db.Exec(ctx, `INSERT INTO person_activity (person_id, month, gp_appointments, admissions)
			SELECT id, ?, (id + ?) % 5, (id + ?) % 7 / 6 FROM persons WHERE place_id = ? AND nhs_number <> '' AND id % 3 <> 0`,
			m.Format("2006-01"), int(m.Month()), m.Year(), dir.Place.ID)
		must(t, err)
	}
	return dir.Place.ID
}

// TestAggregateEqualsRecomputation holds the set-based aggregation to the recomputation in
// Go (linkwork.MeasureFactsFromRecords) on both databases: on a hand-built place with
// records of every kind and on a generated one, after a first aggregation and again after
// changes, when only the difference is written; and Leeds, with only an organisation, has only it
// as a new group.
func TestAggregateEqualsRecomputation(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newMeasureWorld(t, db)
		ctx := w.asManager()
		generated := generatedPlace(t, db)
		for _, place := range []int64{w.york.ID, generated, w.leeds.ID} {
			n, err := w.m.Aggregate(ctx, place)
			must(t, err)
			facts := wantFactsRecomputed(t, w.m, place)
			if n != len(facts) {
				t.Fatalf("place %d: Aggregate said %d facts, there are %d", place, n, len(facts))
			}
			for _, f := range facts {
				if place == w.leeds.ID && f.Fact != linkwork.FactNewGroups {
					t.Fatalf("Leeds, which has only a community organisation, has %s", factLine(f))
				}
			}
			if st := measureState(t, w.m, place); !st.Current {
				t.Fatalf("place %d after aggregating: %+v", place, st)
			}
			// A dashboard built from DashboardFacts (earlier months summed) is the one built
			// from every fact.
			for _, period := range [][2]string{{"2030-01", "2030-12"}, {"2026-01", "2026-12"}, {"2030-06", "2030-08"}} {
				from, _ := time.Parse("2006-01", period[0])
				to, _ := time.Parse("2006-01", period[1])
				var codes []linkwork.MeasureCode
				for _, d := range linkwork.BuiltInMeasures {
					codes = append(codes, d.Code)
				}
				q := linkwork.MeasureQuery{PlaceID: place, Scope: linkwork.Scope{Kind: linkwork.ScopePlace}, From: from, To: to, Measures: codes}
				all, err := w.m.Facts(ctx, place, q.Scope, "", period[1])
				must(t, err)
				few, err := w.m.DashboardFacts(ctx, place, q.Scope, period[0], period[1])
				must(t, err)
				want := jsonOf(linkwork.BuildDashboard(linkwork.BuiltInMeasures, q, all, &linkwork.MeasureContext{}))
				if got := jsonOf(linkwork.BuildDashboard(linkwork.BuiltInMeasures, q, few, &linkwork.MeasureContext{})); got != want {
					t.Fatalf("place %d, %v: the dashboard from DashboardFacts differs", place, period)
				}
			}
			// The schemes' referrals, read across schemes, are exactly those facts summed.
			sums := map[string]*linkwork.MeasureFact{}
			for _, f := range facts {
				if f.ScopeKind == linkwork.ScopeScheme && f.Fact == linkwork.FactReferrals && f.Key == "all" && f.Month >= "2000-01" {
					if sums[f.ScopeKey] == nil {
						sums[f.ScopeKey] = &linkwork.MeasureFact{ScopeKind: f.ScopeKind, ScopeKey: f.ScopeKey, Month: "2000-01", Fact: f.Fact, Key: f.Key}
					}
					sums[f.ScopeKey].N += f.N
					sums[f.ScopeKey].Total += f.Total
				}
			}
			var want []string
			for _, f := range sums {
				want = append(want, factLine(f))
			}
			got, err := w.m.SchemeReferrals(ctx, place, "2000-01", "")
			must(t, err)
			var gotLines []string
			for _, f := range got {
				gotLines = append(gotLines, factLine(f))
			}
			slices.Sort(want)
			slices.Sort(gotLines)
			if !slices.Equal(want, gotLines) {
				t.Fatalf("place %d: SchemeReferrals %v, want %v", place, gotLines, want)
			}
		}

		// Changes: another contact, a case closed, a referral declined, a spend refunded,
		// an activity row changed, a group's month corrected.
		w.at(2030, time.November, 16, 9, 0)
		w.contact(t, w.mary, "2030-11-16", linkwork.ModePhone, 25)
		w.closeCase(t, w.ron)
		late := w.sendAs(t, "Lola", 7, "1955-05-05", "HX2 0AA", w.linkUp.ID, "need/loneliness")
		w.move(t, late, linkwork.Transition{Action: linkwork.ActionDecline, DeclineReason: linkwork.DeclineOutOfArea})
		rep, err := w.m.ImportActivity(ctx, w.york.ID, []linkwork.ActivityRow{{Line: 2, Key: nhsNumber(3), Month: "2030-08", GPAppointments: 9}}, false)
		must(t, err)
		if rep.Imported != 1 {
			t.Fatalf("changed activity: %s", jsonOf(rep))
		}
		must(t, w.svc.Groups.SetVolunteers(ctx, &linkwork.VolunteerMonth{OrganisationID: w.knitters.ID, Month: time.Date(2030, 2, 1, 0, 0, 0, 0, time.UTC), Volunteers: 2, Hours: 3}))
		before, err := w.m.AllFacts(ctx, w.york.ID)
		must(t, err)
		if _, err := w.m.Aggregate(ctx, w.york.ID); err != nil {
			t.Fatal(err)
		}
		after := wantFactsRecomputed(t, w.m, w.york.ID)
		if len(after) <= len(before) {
			t.Fatalf("%d facts before the changes, %d after", len(before), len(after))
		}
		// The dashboards name the last month of activity data the facts were counted with.
		mc, err := w.m.MeasureContext(ctx, w.york.ID, linkwork.Scope{Kind: linkwork.ScopePlace})
		must(t, err)
		if mc.ActivityUpTo != "2030-10" {
			t.Fatalf("activity data runs to %q, want 2030-10", mc.ActivityUpTo)
		}
		// Generated places change too, and an aggregation with nothing changed writes nothing new.
		_, err = db.Exec(ctx, "UPDATE case_contacts SET minutes = minutes + 1 WHERE person_id IN (SELECT id FROM persons WHERE place_id = ?) AND id % 10 = 0", generated)
		must(t, err)
		_, err = w.m.Aggregate(ctx, generated)
		must(t, err)
		wantFactsRecomputed(t, w.m, generated)
		_, err = w.m.Aggregate(ctx, generated)
		must(t, err)
		wantFactsRecomputed(t, w.m, generated)
	})
}

// TestAggregateAfterAnotherAggregation counts a place's facts, lets another aggregation
// write the place's facts meanwhile, and then writes: the difference counted is stale, so
// the facts are replaced whole and still equal recomputation. (On PostgreSQL an
// aggregation is one transaction under the place's lock, so this cannot happen.)
func TestAggregateAfterAnotherAggregation(t *testing.T) {
	t.Parallel()
	db := sqldbtest.Open(t, "sqlite")
	w := newBudgetWorld(t, db)
	m := sqldb.NewMeasureService(db)
	ctx := w.asWorker()
	_, err := m.Aggregate(ctx, w.york.ID)
	must(t, err)
	w.clock.advance(time.Hour)
	must(t, w.svc.Cases.AddContact(ctx, &linkwork.CaseContact{PersonID: w.mary, On: "2030-02-20", Mode: linkwork.ModePhone, Minutes: 5}))
	n, err := m.AggregateWithAnotherBetween(ctx, w.york.ID, func() {
		must(t, w.svc.Cases.AddContact(ctx, &linkwork.CaseContact{PersonID: w.ron, On: "2030-02-21", Mode: linkwork.ModePhone, Minutes: 7}))
		_, err := m.Aggregate(ctx, w.york.ID)
		must(t, err)
	})
	must(t, err)
	facts, err := m.AllFacts(ctx, w.york.ID)
	must(t, err)
	if n != len(facts) {
		t.Fatalf("counted %d facts, there are %d", n, len(facts))
	}
	// The facts are as counted before Ron's contact, and the place is left changed.
	for _, f := range facts {
		if f.Fact == linkwork.FactContacts && f.Month == "2030-02" && f.ScopeKind == linkwork.ScopePlace && f.Key == "all" && (f.N != 1 || f.Total != 5) {
			t.Fatalf("February's contacts: %s", factLine(f))
		}
	}
	if !changed(t, m, w.york.ID) {
		t.Fatal("the place is not left changed")
	}
	_, err = m.Aggregate(ctx, w.york.ID)
	must(t, err)
	wantFactsRecomputed(t, m, w.york.ID)
}

// TestMeasureFactsKnownAnswers checks facts of the hand-built place whose answers are known,
// those that turn on London's clocks above all, so that the store and the recomputation
// cannot be wrong together.
func TestMeasureFactsKnownAnswers(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newMeasureWorld(t, db)
		ctx := w.asManager()
		_, err := w.m.Aggregate(ctx, w.york.ID)
		must(t, err)
		place := linkwork.Scope{Kind: linkwork.ScopePlace}
		fact := func(scope linkwork.Scope, month, fact, key string) string {
			t.Helper()
			fs, err := w.m.Facts(ctx, w.york.ID, scope, month, month)
			must(t, err)
			for _, f := range fs {
				if f.Fact == fact && f.Key == key {
					return fmt.Sprintf("%d/%d", f.N, f.Total)
				}
			}
			return "none"
		}
		linkUp := linkwork.Scope{Kind: linkwork.ScopeScheme, Key: idStr(w.linkUp.ID)}
		homeFirst := linkwork.Scope{Kind: linkwork.ScopeScheme, Key: idStr(w.homeFirst.ID)}
		charity := linkwork.Scope{Kind: linkwork.ScopeOrganisation, Key: idStr(w.charity.ID)}
		housing := linkwork.Scope{Kind: linkwork.ScopeOrganisation, Key: idStr(w.housing.ID)}
		for _, c := range []struct {
			what                   string
			scope                  linkwork.Scope
			month, fact, key, want string
		}{
			{"referrals in March (two on the day the clocks went forward)", place, "2030-03", linkwork.FactReferrals, "all", "3/0"},
			{"no referral in June", place, "2030-06", linkwork.FactReferrals, "all", "none"},
			{"Carl's referral at 23:30 UTC on 30 June, in July", place, "2030-07", linkwork.FactReferrals, "all", "1/0"},
			{"Dan's referral, redirected to Home First", homeFirst, "2030-04", linkwork.FactReferrals, "need:money_debt", "1/0"},
			{"Link Up York's loneliness referrals in March", linkUp, "2030-03", linkwork.FactReferrals, "need:loneliness", "1/0"},
			{"referrals from GPs in March", place, "2030-03", linkwork.FactReferrals, "source:gp_practice", "3/0"},
			{"Alice's referral in her neighbourhood", linkwork.Scope{Kind: linkwork.ScopeNeighbourhood, Key: "E01000002"}, "2030-03", linkwork.FactReferrals, "all", "1/0"},
			{"Alice waited 6 March to 11 April", place, "2030-04", linkwork.FactWaitingAllocated, "36", "1/0"},
			{"Eve was allocated on the day she was accepted", place, "2030-07", linkwork.FactWaitingAllocated, "0", "1/0"},
			{"Bob's first contact after his referral", homeFirst, "2030-04", linkwork.FactFirstContact, "2", "1/0"},
			{"Alice's first contact", place, "2030-04", linkwork.FactFirstContact, "38", "1/0"},
			{"Pat's case closed at 23:30 UTC on 30 June, in July", charity, "2030-07", linkwork.FactSupportEnds, "all", "1/0"},
			{"no case closed in June", charity, "2030-06", linkwork.FactSupportEnds, "all", "none"},
			{"Pat's age band (born 29 February 1960)", place, "2030-01", linkwork.FactSupportStarts, "age:65-74", "1/0"},
			{"Quinn's age band, kept when erased", housing, "2030-02", linkwork.FactSupportStarts, "age:35-44", "1/0"},
			{"Quinn's ethnicity, kept when erased", housing, "2030-02", linkwork.FactSupportStarts, "ethnicity:C", "1/0"},
			{"Pat's contacts in January", charity, "2030-01", linkwork.FactContacts, "mode:face_to_face", "1/60"},
			{"Alice's contacts in October", place, "2030-10", linkwork.FactContacts, "all", "2/135"},
			{"Pat's onward referrals", place, "2030-03", linkwork.FactOnward, "all", "3/0"},
			{"Pat's onward referral attended", charity, "2030-03", linkwork.FactOnward, "status:attended", "1/0"},
			{"Pat's ONS4 life satisfaction", place, "2030-03", linkwork.FactWellbeing, "ons4:item1:pairs", "1/200"},
			{"Pat's ONS4 life satisfaction improved", place, "2030-03", linkwork.FactWellbeing, "ons4:item1:improved", "1/0"},
			{"Pat's anxiety fell by 2", place, "2030-03", linkwork.FactWellbeing, "ons4:item4:improved", "1/0"},
			{"Pat's happiness did not change", place, "2030-03", linkwork.FactWellbeing, "ons4:item3:pairs", "1/0"},
			{"Pat's loneliness worsened", place, "2030-03", linkwork.FactWellbeing, "ucla3:total:worsened", "1/0"},
			{"Pat's SWEMWBS, baseline 14 (15.32) to final 28 (25.03)", place, "2030-07", linkwork.FactWellbeing, "swemwbs:total:pairs", "1/971"},
			{"Alice's SWEMWBS, review 21 (19.25) to final 23 (20.73), not meaningful", place, "2030-10", linkwork.FactWellbeing, "swemwbs:total:improved", "none"},
			{"Alice's SWEMWBS pair", place, "2030-10", linkwork.FactWellbeing, "swemwbs:total:pairs", "1/148"},
			{"Alice's loneliness: her review, compared with a baseline recorded later", place, "2030-05", linkwork.FactWellbeing, "ucla3:total:pairs", "1/300"},
			{"Alice's loneliness worsened", place, "2030-05", linkwork.FactWellbeing, "ucla3:total:worsened", "1/0"},
			{"Alice's latest ONS4, recorded last on its day", place, "2030-06", linkwork.FactWellbeing, "ons4:item1:pairs", "1/400"},
			{"health service use of Alice (April)", place, "2030-04", linkwork.FactHealthUse, "people", "1/0"},
			{"Alice's GP appointments January to March", place, "2030-04", linkwork.FactHealthUse, "gp_before", "1/5"},
			{"Pat's GP appointments the six months before January", place, "2030-01", linkwork.FactHealthUse, "gp_before", "1/11"},
			{"volunteers of two groups in February", place, "2030-02", linkwork.FactVolunteers, "volunteers", "2/6"},
			{"new activities in March", place, "2030-03", linkwork.FactNewActivities, "all", "1/0"},
			{"the faith group added at 23:30 UTC on 31 March, in April", place, "2030-04", linkwork.FactNewGroups, "all", "1/0"},
			{"spend in March: two payments", place, "2030-03", linkwork.FactSpend, "all", "2/5000"},
			{"refund and reversal in April", linkUp, "2030-04", linkwork.FactSpend, "all", "0/-3500"},
			{"a refund's reversal and a grant in May", charity, "2030-05", linkwork.FactSpend, "all", "2/10500"},
			{"the team pot's spend has no scheme", linkUp, "2030-11", linkwork.FactSpend, "all", "none"},
			{"the team pot's spend", charity, "2030-11", linkwork.FactSpend, "all", "1/1500"},
			{"talks in February", place, "2030-02", linkwork.FactLocal, "local-" + idStr(w.talks), "2/5"},
		} {
			if got := fact(c.scope, c.month, c.fact, c.key); got != c.want {
				t.Errorf("%s: %s %s %s %s is %s, want %s", c.what, c.scope.Kind, c.month, c.fact, c.key, got, c.want)
			}
		}
		wantFactsRecomputed(t, w.m, w.york.ID)
	})
}

// measuresBenchPlace is the generated place the measures benchmarks use (as linkwork
// generate --scale place --seed 1 makes it: 50,000 people), built once per database and
// kept for later runs.
//
// LINKWORK_BENCH_MEASURES_POSTGRES (or _SQLITE) names another database to use instead,
// such as one made by linkwork generate --scale national.
func measuresBenchPlace(b *testing.B, dialect string) (*sqldb.DB, int64) {
	var placeID int64
	if u := os.Getenv("LINKWORK_BENCH_MEASURES_" + strings.ToUpper(dialect)); u != "" {
		db, err := sqldb.Open(context.Background(), u)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { db.Close() })
		if _, err := db.Migrate(context.Background()); err != nil {
			b.Fatal(err)
		}
		if err := db.QueryRow(context.Background(), "SELECT MIN(id) FROM places", nil, &placeID); err != nil {
			b.Fatal(err)
		}
		return db, placeID
	}
	db, _ := keptBenchDB(b, dialect, "measures", "place1", func(db *sqldb.DB) {
		ps, err := benchPostcodes()
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		dir, err := gen.Load(ctx, db, gen.Options{Seed: 1, Services: 2000, Locations: 5000, Postcodes: ps}, nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := gen.LoadPeople(ctx, db, dir, gen.PeopleOptions{Seed: 1, People: 50000, Referrals: 75000, Contacts: 500000,
			Questionnaires: 100000, Today: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), Postcodes: ps}, nil); err != nil {
			b.Fatal(err)
		}
	})
	if err := db.QueryRow(context.Background(), "SELECT MIN(id) FROM places", nil, &placeID); err != nil {
		b.Fatal(err)
	}
	return db, placeID
}

// BenchmarkAggregate aggregates a generated place of 50,000 people (`linkwork generate
// --scale place`), kept between runs, each run after a change to the place's records:
//
//	go test ./sqldb -run '^$' -bench Aggregate -benchtime 3x
func BenchmarkAggregate(b *testing.B) {
	for _, dialect := range sqldbtest.Dialects() {
		b.Run(dialect, func(b *testing.B) {
			db, placeID := measuresBenchPlace(b, dialect)
			ctx := linkwork.NewContextWithActor(context.Background(), linkwork.Actor{Label: "benchmark"})
			m := sqldb.NewMeasureService(db)
			// The first aggregation writes every fact; the timed ones only what changed.
			if _, err := m.Aggregate(ctx, placeID); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := range b.N {
				b.StopTimer()
				if _, err := db.Exec(ctx, "UPDATE case_contacts SET minutes = ? WHERE id = (SELECT MIN(id) FROM case_contacts)", 10+i%50); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				n, err := m.Aggregate(ctx, placeID)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(n), "facts")
			}
		})
	}
}
