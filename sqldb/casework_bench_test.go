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

// benchInsert adds rows to a table with multi-row INSERTs, each well under both databases'
// limits on parameters.
func benchInsert(tb testing.TB, db *sqldb.DB, table, cols string, rows [][]any) {
	tb.Helper()
	if len(rows) == 0 {
		return
	}
	n := len(rows[0])
	row := "(" + strings.Repeat("?, ", n-1) + "?)"
	per := max(1, 20000/n)
	for start := 0; start < len(rows); start += per {
		part := rows[start:min(len(rows), start+per)]
		var q strings.Builder
		q.WriteString("INSERT INTO " + table + " (" + cols + ") VALUES ")
		var args []any
		for i, r := range part {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString(row)
			args = append(args, r...)
		}
		if _, err := db.Exec(tb.Context(), q.String(), args...); err != nil {
			tb.Fatalf("insert into %s: %v", table, err)
		}
	}
}

// caseBench is a connector scheme's organisation with four link workers, a caseload of 250
// open cases for the first, about 1,000 more people held by the organisation (the other
// workers', unallocated, and the first worker's closed cases) and 500 held by another.
type caseBench struct {
	db      *sqldb.DB
	cases   linkwork.CaseService
	place   *linkwork.Place
	org     *linkwork.Organisation
	workers []int64
}

var benchSurnames = []string{"Ackroyd", "Bairstow", "Crabtree", "Dyson", "Earnshaw", "Fielding", "Greenwood", "Holroyd",
	"Illingworth", "Jagger", "Kershaw", "Lister", "Mitchell", "Naylor", "Oldroyd", "Priestley", "Quarmby", "Redman", "Sutcliffe",
	"Thackray", "Uttley", "Varley", "Wadsworth", "Yates", "Ahmed", "Begum", "Hussain", "Khan", "Patel", "Kowalski"}

func newCaseBench(b *testing.B, dialect string) *caseBench {
	b.Helper()
	ctx := b.Context()
	db := sqldbtest.Open(b, dialect)
	useClock(db) // 2030-03-04
	svc := db.Services()
	cb := &caseBench{db: db, cases: svc.Cases, place: &linkwork.Place{Name: "Calderdale"}}
	if err := svc.Places.CreatePlace(ctx, cb.place); err != nil {
		b.Fatal(err)
	}
	cb.org = &linkwork.Organisation{PlaceID: cb.place.ID, Name: "Calder Connectors", Sector: linkwork.SectorVCSE}
	other := &linkwork.Organisation{PlaceID: cb.place.ID, Name: "Calder Housing", Sector: linkwork.SectorHousing}
	walkers := &linkwork.Organisation{PlaceID: cb.place.ID, Name: "Calder Walkers", Sector: linkwork.SectorVCSE}
	for _, o := range []*linkwork.Organisation{cb.org, other, walkers} {
		if err := svc.Organisations.CreateOrganisation(ctx, o); err != nil {
			b.Fatal(err)
		}
	}
	for i := range 4 {
		cb.workers = append(cb.workers, quickUser(b, db, fmt.Sprintf("worker%d@connectors.example", i), fmt.Sprintf("Worker %d", i),
			cb.org.ID, linkwork.RoleLinkWorker))
	}
	walk := &linkwork.Service{PlaceID: cb.place.ID, OrganisationID: walkers.ID, Name: "Walk and Talk", Kind: linkwork.KindActivity,
		Description: "A gentle walk.", Status: linkwork.StatusActive}
	if err := svc.Directory.CreateService(ctx, walk); err != nil {
		b.Fatal(err)
	}

	// The people, with the next actions the store keeps: most have a follow-up, two in three
	// a next step, some both; dates from two weeks ago to a month ahead.
	now := db.Now()
	const cols = `uuid, place_id, organisation_id, given_name, family_name, name_key, preferred_name, date_of_birth, nhs_number,
		address_1, address_2, town, postcode, phone, email, contact_preferences, language, interpreter, access_needs, gp_practice,
		sex, gender_same_as_sex, gender, ethnicity, disability, carer, first_language, age_band, lsoa, imd_decile, worker_user_id,
		status, opened_on, last_contact_on, follow_up_on, next_step_due, next_step, next_action_on, outcome, closing_note,
		closed_at, version, created_at, updated_at`
	var rows [][]any
	k := 0
	add := func(org int64, worker any, status linkwork.PersonStatus) {
		k++
		given, family := fmt.Sprintf("Given%04d", k), benchSurnames[k%len(benchSurnames)]
		day := func(offset int) string { return now.AddDate(0, 0, offset).Format(time.DateOnly) }
		var followUp, stepDue, next, lastContact any
		step := ""
		nextOn := ""
		if k%4 != 0 {
			followUp = day(k%45 - 14)
			nextOn = followUp.(string)
			lastContact = day(-k%30 - 1)
		}
		if k%3 != 0 {
			stepDue, step = day(k%37-10), "Go to the walking group"
			if nextOn == "" || stepDue.(string) < nextOn {
				nextOn = stepDue.(string)
			}
		}
		if nextOn != "" {
			next = nextOn
		}
		var closed any
		outcome := ""
		if status == linkwork.PersonClosed {
			closed, outcome = now.AddDate(0, -1, 0), string(linkwork.CaseGoalsMet)
		}
		rows = append(rows, []any{linkwork.NewUUID(), cb.place.ID, org, given, family, strings.ToLower(given) + "\x1f" + strings.ToLower(family),
			"", fmt.Sprintf("19%02d-%02d-%02d", 40+k%60, 1+k%12, 1+k%28), "", fmt.Sprintf("%d Mill Lane", k), "", "Halifax", "HX1 1AA",
			"01422 000000", "", "phone", "", false, "", "", "female", "", "", "A", "", "", "", "", "E01010994", 1, worker,
			string(status), day(-200 - k%300), lastContact, followUp, stepDue, step, next, outcome, "", closed, 1, now, now})
	}
	for range 250 {
		add(cb.org.ID, cb.workers[0], linkwork.PersonActive)
	}
	for i := range 750 {
		st := linkwork.PersonActive
		if i%5 == 0 {
			st = linkwork.PersonWaiting
		}
		add(cb.org.ID, cb.workers[1+i%3], st)
	}
	for range 100 {
		add(cb.org.ID, nil, linkwork.PersonWaiting)
	}
	for range 200 {
		add(cb.org.ID, cb.workers[0], linkwork.PersonClosed)
	}
	for range 500 {
		add(other.ID, nil, linkwork.PersonActive)
	}
	benchInsert(b, db, "persons", cols, rows)

	// Each person with a next step has a goal with it, a later step and one done.
	for _, q := range []string{
		`INSERT INTO plan_goals (person_id, text, status, position, created_at, updated_at)
			SELECT id, 'Get out more', 'active', 1, created_at, created_at FROM persons WHERE place_id = ? AND next_step_due IS NOT NULL`,
		`INSERT INTO plan_steps (goal_id, person_id, text, due_on, status, position, created_at, updated_at)
			SELECT g.id, g.person_id, p.next_step, p.next_step_due, 'to_do', 1, g.created_at, g.created_at
			FROM plan_goals g JOIN persons p ON p.id = g.person_id WHERE p.place_id = ?`,
		`INSERT INTO plan_steps (goal_id, person_id, text, due_on, status, position, created_at, updated_at)
			SELECT g.id, g.person_id, 'Join the choir', '2030-06-30', 'to_do', 2, g.created_at, g.created_at
			FROM plan_goals g JOIN persons p ON p.id = g.person_id WHERE p.place_id = ?`,
		`INSERT INTO plan_steps (goal_id, person_id, text, due_on, status, done_on, position, created_at, updated_at)
			SELECT g.id, g.person_id, 'Ring the group', '2030-02-01', 'done', '2030-02-01', 3, g.created_at, g.created_at
			FROM plan_goals g JOIN persons p ON p.id = g.person_id WHERE p.place_id = ?`,
	} {
		if _, err := db.Exec(ctx, q, cb.place.ID); err != nil {
			b.Fatal(err)
		}
	}
	// One in five of the first worker's people has an onward referral unanswered for three
	// weeks; as many again one answered.
	es := cb.caseload(b, 0)
	var onward [][]any
	for i, e := range es {
		if i%5 > 1 {
			continue
		}
		status := "sent"
		if i%5 == 1 {
			status = "accepted"
		}
		onward = append(onward, []any{cb.place.ID, e.Person.ID, cb.org.ID, walk.ID, walkers.ID, "First", "", "", "Company", "", "",
			true, "verbal", status, "", "", "Worker 0", now.AddDate(0, 0, -21), "", 1})
	}
	benchInsert(b, db, "onward_referrals", `place_id, person_id, person_organisation_id, service_id, service_organisation_id,
		first_name, contact_phone, contact_email, needs, access_requirements, message, consent, consent_method, status, reason, note,
		sent_by, sent_at, answered_by, version`, onward)
	return cb
}

// caseload is the first worker's caseload, a page of the largest size, failing unless it
// holds what the bench built.
func (cb *caseBench) caseload(b *testing.B, wantOnward int) []*linkwork.CaseloadEntry {
	es, total, sum, err := cb.cases.Caseload(b.Context(), linkwork.CaseloadFilter{PlaceID: cb.place.ID,
		OrganisationIDs: []int64{cb.org.ID}, WorkerUserID: cb.workers[0], Page: linkwork.Page{Size: linkwork.MaxPageSize}})
	if err != nil {
		b.Fatal(err)
	}
	if total != 250 || len(es) != linkwork.MaxPageSize || sum.Active != 250 || sum.OnwardAwaiting != wantOnward ||
		es[0].NextActionOn == "" || es[0].NextActionOn > es[len(es)-1].NextActionOn && es[len(es)-1].NextActionOn != "" {
		b.Fatalf("caseload of %d (%d on the page), summary %+v", total, len(es), sum)
	}
	return es
}

// BenchmarkCaseload measures the caseload page's query: a link worker's 250 open cases, the
// first page of 200 with their next actions, overdue steps and unanswered onward referrals,
// and the summary counts, among 1,800 people in the place.
func BenchmarkCaseload(b *testing.B) {
	for _, dialect := range sqldbtest.Dialects() {
		b.Run(dialect, func(b *testing.B) {
			cb := newCaseBench(b, dialect)
			var times []time.Duration
			for b.Loop() {
				start := time.Now()
				es := cb.caseload(b, 40)
				times = append(times, time.Since(start))
				overdue := 0
				for _, e := range es {
					overdue += e.OverdueSteps
				}
				if overdue == 0 {
					b.Fatal("no overdue steps in the caseload")
				}
			}
			reportTimes(b, times)
		})
	}
}

// BenchmarkPersonRecord measures reading a person with three years of history: 300
// contacts, 20 questionnaires, 10 goals with 30 steps, 20 progress notes, 5 onward referrals
// and the conversation.
func BenchmarkPersonRecord(b *testing.B) {
	for _, dialect := range sqldbtest.Dialects() {
		b.Run(dialect, func(b *testing.B) {
			ctx := b.Context()
			db := sqldbtest.Open(b, dialect)
			clock := useClock(db) // 2030-03-04
			svc := db.Services()
			place := &linkwork.Place{Name: "Calderdale"}
			if err := svc.Places.CreatePlace(ctx, place); err != nil {
				b.Fatal(err)
			}
			org := &linkwork.Organisation{PlaceID: place.ID, Name: "Calder Connectors", Sector: linkwork.SectorVCSE}
			walkers := &linkwork.Organisation{PlaceID: place.ID, Name: "Calder Walkers", Sector: linkwork.SectorVCSE}
			for _, o := range []*linkwork.Organisation{org, walkers} {
				if err := svc.Organisations.CreateOrganisation(ctx, o); err != nil {
					b.Fatal(err)
				}
			}
			worker := quickUser(b, db, "lee@connectors.example", "Lee Walker", org.ID, linkwork.RoleLinkWorker)
			ctx = linkwork.NewContextWithActor(ctx, linkwork.Actor{UserID: worker, Label: "lee@connectors.example", PlaceID: place.ID})
			walk := &linkwork.Service{PlaceID: place.ID, OrganisationID: walkers.ID, Name: "Walk and Talk", Kind: linkwork.KindActivity,
				Description: "A gentle walk.", Status: linkwork.StatusActive}
			if err := svc.Directory.CreateService(ctx, walk); err != nil {
				b.Fatal(err)
			}
			p := &linkwork.Person{PlaceID: place.ID, OrganisationID: org.ID, GivenName: "Mary", FamilyName: "Smith",
				DateOfBirth: "1950-04-01", Postcode: "HX1 1AA", Phone: "01422 123456", OpenedOn: "2027-03-01", WorkerUserID: worker}
			check := func(err error) {
				b.Helper()
				if err != nil {
					b.Fatal(err)
				}
			}
			check(svc.Cases.CreatePerson(ctx, p))
			check(svc.Cases.SaveConversation(ctx, &linkwork.Conversation{PersonID: p.ID, HeldOn: "2027-03-08",
				WhatMatters: "Getting back to the allotment", Strengths: "Green fingers", Barriers: "Buses"}))
			for g := range 10 {
				goal := &linkwork.Goal{PersonID: p.ID, Text: fmt.Sprintf("Goal %d in her own words", g)}
				check(svc.Cases.AddGoal(ctx, goal))
				for s := range 3 {
					st := &linkwork.Step{GoalID: goal.ID, PersonID: p.ID, Text: fmt.Sprintf("Step %d of goal %d", s, g),
						DueOn: fmt.Sprintf("2030-%02d-%02d", 3+s, 10+g)}
					if s == 0 {
						st.ServiceID = walk.ID
					}
					check(svc.Cases.AddStep(ctx, st))
				}
			}
			for n := range 20 {
				check(svc.Cases.AddProgressNote(ctx, &linkwork.ProgressNote{PersonID: p.ID, Text: fmt.Sprintf("Progress note %d", n)}))
			}
			// Three years of contacts, about two a week at first and fewer later.
			first := time.Date(2027, time.March, 2, 0, 0, 0, 0, time.UTC)
			var contacts [][]any
			modes := linkwork.ContactModes
			for i := range 299 {
				on := first.AddDate(0, 0, i*365*3/300).Format(time.DateOnly)
				contacts = append(contacts, []any{p.ID, on, string(modes[i%len(modes)]), 15 + i%60, worker, "Lee Walker", "",
					"Talked about the week and what comes next.", clock.now})
			}
			benchInsert(b, db, "case_contacts", "person_id, on_date, mode, minutes, worker_user_id, worker_name, with_whom, note, created_at", contacts)
			check(svc.Cases.AddContact(ctx, &linkwork.CaseContact{PersonID: p.ID, On: "2030-03-03", Mode: linkwork.ModePhone, Minutes: 20,
				FollowUpOn: "2030-03-17"}))
			// Twenty questionnaires over the three years, answered on the day.
			for i := range 20 {
				on := first.AddDate(0, 0, i*54)
				clock.now = on.Add(10 * time.Hour)
				r := &linkwork.QuestionnaireResponse{PersonID: p.ID, QuestionnaireCode: "ucla3", Timepoint: linkwork.TimepointReview,
					Status: linkwork.ResponseComplete, Answers: ints(1+i%3, 2, 3-i%3), CompletedOn: on.Format(time.DateOnly)}
				if i%2 == 1 {
					r.QuestionnaireCode, r.Answers = "ons4", ints(i%11, 7, 6, 10-i%11)
				}
				if i == 0 {
					r.Timepoint = linkwork.TimepointBaseline
				}
				check(svc.Questionnaires.SaveResponse(ctx, r))
			}
			clock.now = time.Date(2030, time.March, 4, 9, 30, 15, 123456000, time.UTC)
			var onward [][]any
			for i := range 5 {
				onward = append(onward, []any{place.ID, p.ID, org.ID, walk.ID, walkers.ID, "Mary", "01422 123456", "", "Company", "", "",
					true, "verbal", "attended", "", "", "Lee Walker", first.AddDate(0, i*6, 0), "", 1})
			}
			benchInsert(b, db, "onward_referrals", `place_id, person_id, person_organisation_id, service_id, service_organisation_id,
				first_name, contact_phone, contact_email, needs, access_requirements, message, consent, consent_method, status, reason, note,
				sent_by, sent_at, answered_by, version`, onward)

			var times []time.Duration
			for b.Loop() {
				start := time.Now()
				rec, err := svc.Cases.PersonRecord(ctx, p.ID)
				times = append(times, time.Since(start))
				check(err)
				steps := 0
				for _, g := range rec.Plan.Goals {
					steps += len(g.Steps)
				}
				if len(rec.Contacts) != 300 || len(rec.Questionnaires) != 20 || len(rec.Plan.Goals) != 10 || steps != 30 ||
					len(rec.Plan.Notes) != 20 || len(rec.Onward) != 5 || rec.Conversation == nil {
					b.Fatalf("record of %d contacts, %d questionnaires, %d goals, %d steps, %d notes, %d onward", len(rec.Contacts),
						len(rec.Questionnaires), len(rec.Plan.Goals), steps, len(rec.Plan.Notes), len(rec.Onward))
				}
			}
			reportTimes(b, times)
		})
	}
}
