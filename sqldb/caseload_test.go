package sqldb_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// opened is a person opened at the start of the year, so that their steps may be overdue.
func (w *personWorld) opened(t *testing.T, given, family string, worker int64) *linkwork.Person {
	t.Helper()
	p := w.newPerson(given, family, "1960-05-05")
	p.OpenedOn, p.WorkerUserID = "2030-01-10", worker
	return w.mustPerson(t, p)
}

func (w *personWorld) contact(t *testing.T, personID int64, on, followUp string, worker int64) {
	t.Helper()
	must(t, w.cases.AddContact(w.ctx, &linkwork.CaseContact{PersonID: personID, On: on, Mode: linkwork.ModePhone, Minutes: 30,
		FollowUpOn: followUp, WorkerUserID: worker}))
}

// step adds a goal with a step to a person's plan, in a status.
func (w *personWorld) step(t *testing.T, personID int64, text, due string, status linkwork.StepStatus) *linkwork.Step {
	t.Helper()
	g := &linkwork.Goal{PersonID: personID, Text: "Goal for " + text}
	must(t, w.cases.AddGoal(w.ctx, g))
	s := &linkwork.Step{GoalID: g.ID, PersonID: personID, Text: text, DueOn: due, Status: status}
	must(t, w.cases.AddStep(w.ctx, s))
	return s
}

// caseloadNames are the caseload's people's names, in order.
func caseloadNames(es []*linkwork.CaseloadEntry) string {
	var out []string
	for _, e := range es {
		out = append(out, e.Person.Name())
	}
	return strings.Join(out, ", ")
}

func TestCaseload(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newPersonWorld(t, db)
		ctx := t.Context()
		// Lee's people. Today is 2030-03-04.
		zoe := w.opened(t, "Zoe", "Adams", w.worker1)
		w.contact(t, zoe.ID, "2030-02-20", "2030-03-01", 0) // follow-up overdue
		bob := w.opened(t, "Bob", "Brown", w.worker1)
		w.step(t, bob.ID, "Ring the council", "2030-03-02", linkwork.StepToDo) // two steps overdue, one done
		w.step(t, bob.ID, "Fill in the form", "2030-03-03", linkwork.StepToDo)
		w.step(t, bob.ID, "Find the letter", "2030-02-20", linkwork.StepDone)
		cat := w.opened(t, "Cat", "Clark", w.worker1)
		w.contact(t, cat.ID, "2030-03-01", "2030-03-10", 0)
		w.step(t, cat.ID, "Try the choir", "2030-03-08", linkwork.StepToDo)
		w.opened(t, "Dan", "adams", w.worker1) // no next action
		w.opened(t, "Ann", "Adams", w.worker1)
		closed := w.opened(t, "Hal", "Hughes", w.worker1)
		w.closeCase(t, closed.ID, linkwork.CaseMoved, "")
		// Kim's person, a person with no worker yet (from a referral), and the housing trust's.
		w.opened(t, "Fay", "Fisher", w.worker2)
		r := w.acceptedReferral(t)
		_, err := w.cases.CreatePersonFromReferral(w.ctx, r.ID, 0)
		must(t, err)
		trust := w.newPerson("Ivy", "Irving", "1970-01-01")
		trust.OrganisationID, trust.WorkerUserID = w.housing.ID, 0
		w.mustPerson(t, trust)
		// Onward referrals: Cat's unanswered for 15 days, Bob's for 5.
		walk := mustService(t, db, &linkwork.Service{PlaceID: w.york.ID, OrganisationID: w.council.ID, Name: "Walk and Talk"})
		for _, o := range []struct {
			person int64
			days   int
		}{{cat.ID, 15}, {bob.ID, 5}} {
			_, err := db.Exec(ctx, `INSERT INTO onward_referrals (place_id, person_id, person_organisation_id, service_id,
				service_organisation_id, first_name, contact_phone, contact_email, needs, access_requirements, message, consent,
				consent_method, status, reason, note, sent_by, sent_at, answered_by, version)
				VALUES (?, ?, ?, ?, ?, 'x', '', '', 'x', '', '', ?, 'verbal', 'sent', '', '', 'Lee', ?, '', 1)`,
				w.york.ID, o.person, w.charity.ID, walk.ID, w.council.ID, true, w.clock.now.AddDate(0, 0, -o.days))
			must(t, err)
		}

		lee := linkwork.CaseloadFilter{PlaceID: w.york.ID, OrganisationIDs: []int64{w.charity.ID}, WorkerUserID: w.worker1}
		es, total, sum, err := w.cases.Caseload(ctx, lee)
		must(t, err)
		if got := caseloadNames(es); got != "Zoe Adams, Bob Brown, Cat Clark, Ann Adams, Dan adams" || total != 5 {
			t.Fatalf("Lee's caseload: %d, %s", total, got)
		}
		if *sum != (linkwork.CaseloadSummary{Active: 2, Waiting: 3, FollowUpOverdue: 1, OnwardAwaiting: 1}) {
			t.Fatalf("summary %+v", *sum)
		}
		type next struct {
			on       string
			followUp bool
			steps    int
			onward   int
		}
		want := []next{{"2030-03-01", true, 0, 0}, {"2030-03-02", false, 2, 0}, {"2030-03-08", false, 0, 1}, {"", false, 0, 0}, {"", false, 0, 0}}
		for i, e := range es {
			if got := (next{e.NextActionOn, e.FollowUpOverdue, e.OverdueSteps, e.OnwardAwaiting}); got != want[i] {
				t.Fatalf("%s: next action %+v, want %+v", e.Person.Name(), got, want[i])
			}
		}
		if es[2].Person.NextStep != "Try the choir" || es[2].Person.FollowUpOn != "2030-03-10" || es[0].Person.WorkerName != "Lee Walker" {
			t.Fatalf("Cat %s", jsonOf(es[2].Person))
		}
		if jsonOf(es[1].Person) != jsonOf(w.find(t, bob.ID)) {
			t.Fatalf("caseload's person\n%s\nwant\n%s", jsonOf(es[1].Person), jsonOf(w.find(t, bob.ID)))
		}

		// On a later day, more is overdue.
		later := lee
		later.Today = time.Date(2030, time.March, 9, 8, 0, 0, 0, time.UTC)
		es, _, sum, err = w.cases.Caseload(ctx, later)
		must(t, err)
		if es[2].OverdueSteps != 1 || es[2].FollowUpOverdue || sum.FollowUpOverdue != 1 {
			t.Fatalf("on 9 March Cat has %d overdue steps, follow-up overdue %v; summary %+v", es[2].OverdueSteps, es[2].FollowUpOverdue, sum)
		}

		// Pages.
		paged := lee
		paged.Page = linkwork.Page{Number: 2, Size: 2}
		es, total, _, err = w.cases.Caseload(ctx, paged)
		must(t, err)
		if got := caseloadNames(es); got != "Cat Clark, Ann Adams" || total != 5 {
			t.Fatalf("page 2: %d, %s", total, got)
		}

		for _, tc := range []struct {
			name string
			edit func(f *linkwork.CaseloadFilter)
			want string
		}{
			{"everyone's", func(f *linkwork.CaseloadFilter) { f.WorkerUserID = 0 },
				"Zoe Adams, Bob Brown, Cat Clark, Ann Adams, Dan adams, Fay Fisher, Mary Smith"},
			{"no worker's", func(f *linkwork.CaseloadFilter) { f.WorkerUserID = -1 }, "Mary Smith"},
			{"closed", func(f *linkwork.CaseloadFilter) { f.Statuses = []linkwork.PersonStatus{linkwork.PersonClosed} }, "Hal Hughes"},
			{"active", func(f *linkwork.CaseloadFilter) { f.Statuses = []linkwork.PersonStatus{linkwork.PersonActive} }, "Zoe Adams, Cat Clark"},
			{"family name", func(f *linkwork.CaseloadFilter) { f.Query = "ADA" }, "Zoe Adams, Ann Adams, Dan adams"},
			{"given name", func(f *linkwork.CaseloadFilter) { f.Query = "zo" }, "Zoe Adams"},
			{"both names", func(f *linkwork.CaseloadFilter) { f.Query = "d adam" }, "Dan adams"},
			{"no match", func(f *linkwork.CaseloadFilter) { f.Query = "dams" }, ""},
			{"wildcards", func(f *linkwork.CaseloadFilter) { f.Query = "%" }, ""},
			{"NHS number", func(f *linkwork.CaseloadFilter) { f.WorkerUserID, f.Query = 0, "943 476 5919" }, "Mary Smith"},
			{"reference", func(f *linkwork.CaseloadFilter) { f.WorkerUserID, f.Query = 0, strings.ToLower(r.Reference) }, "Mary Smith"},
			{"another organisation's", func(f *linkwork.CaseloadFilter) { f.WorkerUserID, f.OrganisationIDs = 0, []int64{w.housing.ID} }, "Ivy Irving"},
			{"another place's", func(f *linkwork.CaseloadFilter) { f.WorkerUserID, f.PlaceID = 0, w.leeds.ID }, ""},
			{"no organisations", func(f *linkwork.CaseloadFilter) { f.OrganisationIDs = nil }, ""},
		} {
			f := lee
			tc.edit(&f)
			es, total, _, err := w.cases.Caseload(ctx, f)
			must(t, err)
			if got := caseloadNames(es); got != tc.want || total != len(es) {
				t.Fatalf("%s: %d, %q, want %q", tc.name, total, got, tc.want)
			}
		}
		bad := lee
		bad.Statuses = []linkwork.PersonStatus{"open"}
		_, _, _, err = w.cases.Caseload(ctx, bad)
		wantCode(t, err, linkwork.EINVALID, "status")
	})
}

// A caseload of more than a page counts everyone, and pages through them in the same order
// the whole list has.
func TestCaseloadPages(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newPersonWorld(t, db)
		for i := range 7 {
			p := w.opened(t, fmt.Sprintf("Person%d", i), "Same", w.worker1)
			if i%2 == 0 {
				w.contact(t, p.ID, "2030-03-01", fmt.Sprintf("2030-03-%02d", 10+i), 0)
			}
		}
		f := linkwork.CaseloadFilter{PlaceID: w.york.ID, OrganisationIDs: []int64{w.charity.ID}, WorkerUserID: w.worker1}
		all, total, _, err := w.cases.Caseload(t.Context(), f)
		must(t, err)
		if total != 7 || caseloadNames(all) != "Person0 Same, Person2 Same, Person4 Same, Person6 Same, Person1 Same, Person3 Same, Person5 Same" {
			t.Fatalf("%d: %s", total, caseloadNames(all))
		}
		var paged []*linkwork.CaseloadEntry
		for n := 1; n <= 3; n++ {
			f.Page = linkwork.Page{Number: n, Size: 3}
			es, total, _, err := w.cases.Caseload(t.Context(), f)
			must(t, err)
			if total != 7 {
				t.Fatalf("page %d total %d", n, total)
			}
			paged = append(paged, es...)
		}
		if caseloadNames(paged) != caseloadNames(all) {
			t.Fatalf("paged %s, want %s", caseloadNames(paged), caseloadNames(all))
		}
	})
}

func TestWeek(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newPersonWorld(t, db)
		amy := w.opened(t, "Amy", "Able", w.worker1)
		w.contact(t, amy.ID, "2030-03-02", "2030-03-05", 0)
		w.step(t, amy.ID, "Join the choir", "2030-03-05", linkwork.StepToDo)
		w.step(t, amy.ID, "Walk to the shop", "2030-03-03", linkwork.StepDone)
		w.step(t, amy.ID, "Dropped", "2030-03-04", linkwork.StepNotDone)
		w.step(t, amy.ID, "Next week", "2030-03-09", linkwork.StepToDo)
		ben := w.opened(t, "Ben", "Best", w.worker1)
		w.contact(t, ben.ID, "2030-03-02", "2030-03-06", w.worker2) // Kim's contact with Lee's person
		cal := w.opened(t, "Cal", "Cole", w.worker2)
		w.contact(t, cal.ID, "2030-03-03", "2030-03-04", 0) // Lee's contact with Kim's person
		dee := w.opened(t, "Dee", "Dunn", w.worker1)
		w.contact(t, dee.ID, "2030-03-02", "2030-03-05", 0)
		w.step(t, dee.ID, "Closed step", "2030-03-05", linkwork.StepToDo)
		w.closeCase(t, dee.ID, linkwork.CaseGoalsMet, "")

		from := time.Date(2030, time.March, 2, 15, 0, 0, 0, time.UTC)
		items, err := w.cases.Week(t.Context(), w.york.ID, []int64{w.charity.ID}, w.worker1, from)
		must(t, err)
		var got []string
		for _, it := range items {
			got = append(got, fmt.Sprintf("%s %s %s %s %s %d %v", it.On, it.Kind, it.PersonName, it.Text, it.Mode, it.Minutes, it.Done))
		}
		want := []string{
			"2030-03-02 contact Amy Able  phone 30 true",
			"2030-03-02 contact Dee Dunn  phone 30 true",
			"2030-03-03 contact Cal Cole  phone 30 true",
			"2030-03-03 step Amy Able Walk to the shop  0 true",
			"2030-03-05 follow_up Amy Able   0 false",
			"2030-03-05 step Amy Able Join the choir  0 false",
			"2030-03-06 follow_up Ben Best   0 false",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("week:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if items[0].PersonID != amy.ID {
			t.Fatalf("first item is person %d, want %d", items[0].PersonID, amy.ID)
		}
		// Kim's week has Ben's contact and Cal's follow-up; another organisation sees nothing.
		items, err = w.cases.Week(t.Context(), w.york.ID, []int64{w.charity.ID}, w.worker2, from)
		must(t, err)
		if len(items) != 2 || items[0].Kind != "contact" || items[0].PersonID != ben.ID || items[1].Kind != "follow_up" || items[1].PersonID != cal.ID {
			t.Fatalf("Kim's week %s", jsonOf(items))
		}
		for _, orgs := range [][]int64{{w.housing.ID}, nil} {
			items, err = w.cases.Week(t.Context(), w.york.ID, orgs, w.worker1, from)
			must(t, err)
			if len(items) != 0 {
				t.Fatalf("week among %v: %s, want nothing", orgs, jsonOf(items))
			}
		}
	})
}
