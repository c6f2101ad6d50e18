package sqldb_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// eachBulkMode runs a test on each database, and on PostgreSQL both with the database's
// foreign key checks and triggers on and with them off (see sqldb.BulkChecksOff). It is not
// parallel: the mode is the package's.
func eachBulkMode(t *testing.T, fn func(t *testing.T, db *sqldb.DB)) {
	t.Helper()
	defer func() { sqldb.BulkChecksOff = true }()
	for _, off := range []bool{true, false} {
		sqldb.BulkChecksOff = off
		name := "checks on"
		if off {
			name = "checks off when allowed"
		}
		t.Run(name, func(t *testing.T) {
			for _, d := range sqldbtest.Dialects() {
				if d == "sqlite" && !off {
					continue // SQLite has no mode
				}
				t.Run(d, func(t *testing.T) { fn(t, sqldbtest.Open(t, d)) })
			}
		})
	}
}

// day is a date some days from the test clock's 2030-03-04.
func bulkDay(d int) string {
	return time.Date(2030, 3, 4+d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
}

// hour is a time some hours from the test clock's now.
func bulkHour(db *sqldb.DB, h int) time.Time { return db.Now().Add(time.Duration(h) * time.Hour) }

// bulkReferral is a referral for someone (given) with a history of actions, each an hour
// after the last, ending the hour before now.
func (w *refWorld) bulkReferral(given string, scheme int64, events ...*linkwork.ReferralEvent) *sqldb.BulkReferral {
	r := w.referral()
	r.Person.GivenName, r.Person.NHSNumber, r.SchemeID = given, "", scheme
	h := append([]*linkwork.ReferralEvent{{Action: linkwork.ActionReceive, ActorName: "Dr Ann Jones"}}, events...)
	for i, e := range h {
		e.At = bulkHour(w.db, i-len(h))
		if e.ActorName == "" {
			e.ActorName = "Lee Walker"
		}
	}
	return &sqldb.BulkReferral{Referral: r, History: h}
}

func bulkEvent(a linkwork.ReferralAction) *linkwork.ReferralEvent {
	return &linkwork.ReferralEvent{Action: a}
}

func TestBulkInsertReferrals(t *testing.T) {
	eachBulkMode(t, func(t *testing.T, db *sqldb.DB) {
		ctx := t.Context()
		w := newRefWorld(t, db)
		allocate := func(worker int64) *linkwork.ReferralEvent {
			return &linkwork.ReferralEvent{Action: linkwork.ActionAllocate, WorkerUserID: worker}
		}
		closeAs := func(o linkwork.ReferralOutcome) *linkwork.ReferralEvent {
			return &linkwork.ReferralEvent{Action: linkwork.ActionClose, Reason: string(o), Note: "Done."}
		}
		refs := []*sqldb.BulkReferral{
			w.bulkReferral("Ann", w.linkUp.ID),
			w.bulkReferral("Bea", w.linkUp.ID, bulkEvent(linkwork.ActionAccept), bulkEvent(linkwork.ActionWait)),
			w.bulkReferral("Cat", w.homeFirst.ID, &linkwork.ReferralEvent{Action: linkwork.ActionRedirect, ToSchemeID: w.linkUp.ID},
				bulkEvent(linkwork.ActionAccept), allocate(w.worker1), bulkEvent(linkwork.ActionStart), closeAs(linkwork.OutcomeSupported)),
			w.bulkReferral("Dot", w.linkUp.ID, &linkwork.ReferralEvent{Action: linkwork.ActionDecline, Reason: string(linkwork.DeclineNotEligible)}),
			w.bulkReferral("Eve", w.linkUp.ID, bulkEvent(linkwork.ActionAccept), allocate(w.worker2)),
			w.bulkReferral("Fay", w.homeFirst.ID, bulkEvent(linkwork.ActionAccept)),
		}
		must(t, db.BulkInsertReferrals(ctx, w.york.ID, refs))
		want := []struct {
			status  linkwork.ReferralStatus
			scheme  int64
			worker  int64
			version int
		}{
			{linkwork.ReferralReceived, w.linkUp.ID, 0, 1}, {linkwork.ReferralWaiting, w.linkUp.ID, 0, 3},
			{linkwork.ReferralClosed, w.linkUp.ID, w.worker1, 6}, {linkwork.ReferralDeclined, w.linkUp.ID, 0, 2},
			{linkwork.ReferralAllocated, w.linkUp.ID, w.worker2, 3}, {linkwork.ReferralAccepted, w.homeFirst.ID, 0, 2},
		}
		refsSeen := map[string]bool{}
		for i, b := range refs {
			got, err := w.refs.FindReferralByID(ctx, b.Referral.ID)
			must(t, err)
			wt := want[i]
			if got.Status != wt.status || got.SchemeID != wt.scheme || got.WorkerUserID != wt.worker || got.Version != wt.version ||
				(got.WaitingSince != nil) != (wt.status == linkwork.ReferralWaiting) || refsSeen[got.Reference] ||
				!strings.HasPrefix(got.Reference, "R-") || len(got.NeedIDs) != 2 || len(got.Consent.ShareWith) != 1 ||
				!got.ReceivedAt.Equal(b.History[0].At) || !got.UpdatedAt.Equal(b.History[len(b.History)-1].At) {
				t.Fatalf("referral %d: %s", i, jsonOf(got))
			}
			refsSeen[got.Reference] = true
		}
		if got, _ := w.refs.FindReferralByID(ctx, refs[2].Referral.ID); got.Outcome != linkwork.OutcomeSupported {
			t.Fatalf("closed with %q", got.Outcome)
		}
		if got, _ := w.refs.FindReferralByID(ctx, refs[3].Referral.ID); got.DeclineReason != linkwork.DeclineNotEligible {
			t.Fatalf("declined for %q", got.DeclineReason)
		}
		h, err := w.refs.ReferralHistory(ctx, refs[2].Referral.ID)
		must(t, err)
		if len(h) != 6 || h[0].ToSchemeID != w.homeFirst.ID || h[1].FromSchemeID != w.homeFirst.ID || h[1].ToSchemeID != w.linkUp.ID ||
			h[1].FromStatus != linkwork.ReferralReceived || h[1].ToStatus != linkwork.ReferralReceived || h[3].WorkerUserID != w.worker1 ||
			h[5].FromStatus != linkwork.ReferralInProgress || h[5].ToStatus != linkwork.ReferralClosed || h[5].Reason != "supported" {
			t.Fatalf("history: %s", jsonOf(h))
		}

		// The counts of referrals by scheme and status are as the triggers keep them.
		caps, err := w.refs.Capacity(ctx, w.york.ID, nil)
		must(t, err)
		for _, c := range caps {
			switch c.SchemeID {
			case w.linkUp.ID:
				if c.Received != 1 || c.Waiting != 1 || c.Active != 1 || c.AllocatedPerWeek != 2.0/8 {
					t.Fatalf("Link Up capacity %+v", c)
				}
			case w.homeFirst.ID:
				if c.Received != 0 || c.Waiting != 0 || c.Active != 0 {
					t.Fatalf("Home First capacity %+v", c)
				}
			}
		}
		// A referral made the usual way afterwards moves the same counts, and gets its own ID.
		r := w.send(t, w.referral())
		if r.ID <= refs[len(refs)-1].Referral.ID {
			t.Fatalf("new referral %d after bulk %d", r.ID, refs[len(refs)-1].Referral.ID)
		}
		_, err = w.refs.Transition(ctx, linkwork.Transition{ReferralID: refs[4].Referral.ID, Version: 3, Action: linkwork.ActionStart}, w.worker2, "Kim")
		must(t, err)
		caps, err = w.refs.Capacity(ctx, w.york.ID, []int64{w.linkUp.ID})
		must(t, err)
		if caps[0].Received != 2 || caps[0].Active != 1 {
			t.Fatalf("after the usual ways: %+v", caps[0])
		}

		// Bad input: a precise message, and nothing saved.
		_, before, err := w.refs.ListReferrals(ctx, linkwork.ReferralFilter{PlaceID: w.york.ID, OrganisationIDs: []int64{w.charity.ID, w.housing.ID}})
		must(t, err)
		for _, c := range []struct {
			b     *sqldb.BulkReferral
			code  string
			field string
		}{
			{w.bulkReferral("Gil", w.linkUp.ID, bulkEvent(linkwork.ActionStart)), linkwork.EINVALID, "referrals[0].history[1].action"},
			{w.bulkReferral("Gil", w.linkUp.ID, bulkEvent(linkwork.ActionAccept), allocate(w.referrer)), linkwork.EINVALID,
				"referrals[0].history[2].worker_user_id"},
			{w.bulkReferral("Gil", w.bulkLeedsScheme(t).ID), linkwork.EINVALID, "referrals[0].history[0].scheme_id"},
			{w.bulkReferral("Gil", w.linkUp.ID, &linkwork.ReferralEvent{Action: linkwork.ActionDecline}), linkwork.EINVALID,
				"referrals[0].history[1].decline_reason"},
			{w.bulkReferral("", w.linkUp.ID), linkwork.EINVALID, "referrals[0].given_name"},
		} {
			err := db.BulkInsertReferrals(ctx, w.york.ID, []*sqldb.BulkReferral{c.b})
			wantCode(t, err, c.code, c.field)
		}
		late := w.bulkReferral("Gil", w.linkUp.ID)
		late.History[0].At = bulkHour(db, 1)
		wantCode(t, db.BulkInsertReferrals(ctx, w.york.ID, []*sqldb.BulkReferral{late}), linkwork.EINVALID, "referrals[0].history[0].at")
		again := w.bulkReferral("Gil", w.linkUp.ID)
		again.Referral.Reference = r.Reference
		wantCode(t, db.BulkInsertReferrals(ctx, w.york.ID, []*sqldb.BulkReferral{w.bulkReferral("Hal", w.linkUp.ID), again}),
			linkwork.ECONFLICT, "")
		_, after, err := w.refs.ListReferrals(ctx, linkwork.ReferralFilter{PlaceID: w.york.ID, OrganisationIDs: []int64{w.charity.ID, w.housing.ID}})
		must(t, err)
		if after != before {
			t.Fatalf("%d referrals after refused batches, %d before", after, before)
		}
	})
}

// bulkLeedsScheme is a connector scheme in another place.
func (w *refWorld) bulkLeedsScheme(t *testing.T) *linkwork.Service {
	t.Helper()
	return mustService(t, w.db, &linkwork.Service{PlaceID: w.leeds.ID, OrganisationID: w.leedsOrg.ID, Kind: linkwork.KindScheme,
		Name: "Leeds Connect", Scheme: &linkwork.ConnectorScheme{Model: linkwork.ModelPCNLinkWorker,
			WhoCanRefer: []linkwork.ReferrerType{linkwork.ReferrerGP}}})
}

// bulkWorld has referrals for cases, and a community offer to refer people on to.
type bulkWorld struct {
	*personWorld
	inProgress, allocated, closed, received *sqldb.BulkReferral
	offer                                   *linkwork.Service
}

func newBulkWorld(t *testing.T, db *sqldb.DB) *bulkWorld {
	t.Helper()
	w := &bulkWorld{personWorld: newPersonWorld(t, db)}
	alloc := &linkwork.ReferralEvent{Action: linkwork.ActionAllocate, WorkerUserID: w.worker1}
	w.inProgress = w.bulkReferral("Ivy", w.linkUp.ID, bulkEvent(linkwork.ActionAccept), alloc, bulkEvent(linkwork.ActionStart))
	w.allocated = w.bulkReferral("Jo", w.linkUp.ID, bulkEvent(linkwork.ActionAccept),
		&linkwork.ReferralEvent{Action: linkwork.ActionAllocate, WorkerUserID: w.worker1})
	w.closed = w.bulkReferral("Kit", w.linkUp.ID, bulkEvent(linkwork.ActionAccept),
		&linkwork.ReferralEvent{Action: linkwork.ActionAllocate, WorkerUserID: w.worker2},
		&linkwork.ReferralEvent{Action: linkwork.ActionClose, Reason: "supported"})
	w.received = w.bulkReferral("Lou", w.linkUp.ID)
	must(t, db.BulkInsertReferrals(t.Context(), w.york.ID, []*sqldb.BulkReferral{w.inProgress, w.allocated, w.closed, w.received}))
	w.offer = mustService(t, db, &linkwork.Service{PlaceID: w.york.ID, OrganisationID: w.housing.ID, Kind: linkwork.KindActivity,
		Name: "Walk and Talk", Status: linkwork.StatusActive})
	return w
}

// caseFrom is a case opened from a referral two weeks ago, with its referral's details.
func (w *bulkWorld) caseFrom(b *sqldb.BulkReferral, worker int64) *sqldb.BulkCase {
	rp := b.Referral.Person
	return &sqldb.BulkCase{Person: &linkwork.Person{OrganisationID: w.charity.ID, ReferralID: b.Referral.ID, GivenName: rp.GivenName,
		FamilyName: rp.FamilyName, DateOfBirth: rp.DateOfBirth, Address1: rp.Address1, Town: rp.Town, Postcode: rp.Postcode,
		Phone: rp.Phone, ContactPreferences: rp.ContactPreferences, WorkerUserID: worker, OpenedOn: bulkDay(-14),
		Demographics: linkwork.Demographics{Sex: linkwork.SexFemale, Ethnicity: "A"}}}
}

// contact is a phone contact on a day, with a follow-up (or none).
func bulkContact(on, followUp string) *linkwork.CaseContact {
	return &linkwork.CaseContact{On: on, Mode: linkwork.ModePhone, Minutes: 20, Note: "Checked in.", FollowUpOn: followUp}
}

func bulkInts(vs ...int) []*int {
	out := make([]*int, len(vs))
	for i := range vs {
		out[i] = &vs[i]
	}
	return out
}

// TestBulkInsertCases stores cases in bulk and reads them back through the services, and
// compares what the store keeps current with a case built one change at a time through the
// services.
func TestBulkInsertCases(t *testing.T) {
	eachBulkMode(t, func(t *testing.T, db *sqldb.DB) {
		ctx := t.Context()
		w := newBulkWorld(t, db)

		// The case: three contacts, the last two on the same day (the later one set no
		// follow-up); two goals, whose earliest step to do is due in five days' time, after
		// one done and one overdue step of the other goal was marked not done; an onward
		// referral the person went to; two questionnaires.
		ivy := w.caseFrom(w.inProgress, w.worker1)
		ivy.Contacts = []*linkwork.CaseContact{bulkContact(bulkDay(-12), bulkDay(-5)), bulkContact(bulkDay(-3), bulkDay(4)), bulkContact(bulkDay(-3), "")}
		walk := &linkwork.Step{Text: "Go to the walk", DueOn: bulkDay(-4), Status: linkwork.StepDone, DoneOn: bulkDay(-4)}
		next := &linkwork.Step{Text: "Ring the lunch club", DueOn: bulkDay(5), Status: linkwork.StepToDo}
		ivy.Goals = []*linkwork.Goal{
			{Text: "Get out more", Steps: []*linkwork.Step{walk, {Text: "Go again", DueOn: bulkDay(-1), Status: linkwork.StepNotDone}}},
			{Text: "Eat better", Steps: []*linkwork.Step{{Text: "Try the pantry", DueOn: bulkDay(9), Status: linkwork.StepToDo}, next}},
		}
		ivy.Goals[1].Steps[0].DueOn = bulkDay(6) // later than next, though added first
		ivy.Conversation = &linkwork.Conversation{HeldOn: bulkDay(-12), WhatMatters: "Getting out.", UpdatedByUserID: w.worker1}
		ivy.Notes = []*linkwork.ProgressNote{{Text: "Going well.", AuthorUserID: w.worker1}}
		answered := bulkHour(db, -30)
		ivy.Onward = []sqldb.BulkOnward{{Referral: &linkwork.OnwardReferral{ServiceID: w.offer.ID, FirstName: "Ivy", ContactPhone: "07700 900123",
			Needs: "Would like to walk.", Consent: true, ConsentMethod: linkwork.ConsentVerbal, SentByUserID: w.worker1,
			SentAt: bulkHour(db, -200), Status: linkwork.OnwardAttended, AnsweredAt: &answered, AnsweredBy: "Wendy Walker"}, Step: walk}}
		ivy.Responses = []*linkwork.QuestionnaireResponse{
			{QuestionnaireCode: linkwork.QuestionnaireONS4, Timepoint: linkwork.TimepointBaseline, Answers: bulkInts(4, 5, 3, 8),
				Status: linkwork.ResponseComplete, CompletedOn: bulkDay(-12), RecordedByUserID: w.worker1},
			{QuestionnaireCode: linkwork.QuestionnaireSWEMWBS, Timepoint: linkwork.TimepointReview, Answers: bulkInts(3, 3, 2, 4, 3, 3, 2),
				Status: linkwork.ResponseComplete, CompletedOn: bulkDay(-3), RecordedByUserID: w.worker1},
		}
		jo := w.caseFrom(w.allocated, w.worker1) // no contact yet
		kit := w.caseFrom(w.closed, w.worker2)
		closedAt := bulkHour(db, -2)
		kit.Person.Status, kit.Person.Outcome, kit.Person.ClosedAt = linkwork.PersonClosed, linkwork.CaseGoalsMet, &closedAt
		kit.Contacts = []*linkwork.CaseContact{bulkContact(bulkDay(-10), "")}
		direct := &sqldb.BulkCase{Person: w.newPerson("Mo", "Direct", "1960-01-01")} // opened directly
		direct.Person.OpenedOn, direct.Contacts = bulkDay(-20), []*linkwork.CaseContact{bulkContact(bulkDay(-2), bulkDay(12))}
		must(t, db.BulkInsertCases(ctx, w.york.ID, []*sqldb.BulkCase{ivy, jo, kit, direct}))

		rec, err := w.cases.PersonRecord(ctx, ivy.Person.ID)
		must(t, err)
		p := rec.Person
		if p.Status != linkwork.PersonActive || p.LastContactOn != bulkDay(-3) || p.FollowUpOn != "" || p.NextStep != "Ring the lunch club" ||
			p.NextStepDue != bulkDay(5) || p.ReferralReference != w.inProgress.Referral.Reference || p.WorkerName != "Lee Walker" ||
			p.LSOA != "E01010994" || p.IMDDecile != 1 || p.Version != 1 || len(rec.Contacts) != 3 || rec.ContactMinutes != 60 ||
			rec.Conversation == nil || rec.Conversation.UpdatedBy != "Lee Walker" || len(rec.Plan.Notes) != 1 {
			t.Fatalf("Ivy: %s", jsonOf(rec))
		}
		if len(rec.Onward) != 1 || rec.Onward[0].StepID != walk.ID || rec.Plan.Goals[0].Steps[0].OnwardReferralID != rec.Onward[0].ID ||
			rec.Plan.Goals[0].Steps[0].ServiceName != "Walk and Talk" || rec.Onward[0].ServiceOrganisationID != w.housing.ID ||
			rec.Onward[0].Status != linkwork.OnwardAttended || rec.Plan.Goals[1].Steps[1].ID != next.ID {
			t.Fatalf("Ivy's plan and onward referral: %s", jsonOf(rec))
		}
		for _, r := range rec.Questionnaires {
			a := make([]int, len(r.Answers))
			for i, v := range r.Answers {
				a[i] = *v
			}
			var want *linkwork.QuestionnaireScore
			if r.QuestionnaireCode == linkwork.QuestionnaireONS4 {
				want, err = linkwork.ScoreONS4Answers(a)
			} else {
				want, err = linkwork.ScoreSWEMWBSAnswers(a)
			}
			must(t, err)
			if !reflect.DeepEqual(r.Score, want) || r.QuestionnaireName == "" || r.RecordedBy != "Lee Walker" {
				t.Fatalf("response %s", jsonOf(r))
			}
		}
		for _, c := range []struct {
			b      *sqldb.BulkCase
			status linkwork.PersonStatus
		}{{jo, linkwork.PersonWaiting}, {kit, linkwork.PersonClosed}, {direct, linkwork.PersonActive}} {
			got := w.find(t, c.b.Person.ID)
			if got.Status != c.status || (c.status == linkwork.PersonClosed) != (got.ClosedAt != nil) {
				t.Fatalf("%s: %s", got.GivenName, jsonOf(got))
			}
		}
		entries, total, sum, err := w.cases.Caseload(ctx, linkwork.CaseloadFilter{PlaceID: w.york.ID, OrganisationIDs: []int64{w.charity.ID},
			WorkerUserID: w.worker1})
		must(t, err)
		if total != 3 || sum.Active != 2 || sum.Waiting != 1 || entries[0].Person.ID != ivy.Person.ID || entries[0].NextActionOn != bulkDay(5) {
			t.Fatalf("caseload %d %+v: %s", total, sum, jsonOf(entries))
		}

		// The same case, a change at a time through the services: the store keeps the same.
		ref := w.send(t, w.person("Nia", "1950-04-01"))
		for _, a := range []linkwork.ReferralAction{linkwork.ActionAccept, linkwork.ActionAllocate} {
			_, err := w.refs.Transition(ctx, linkwork.Transition{ReferralID: ref.ID, Version: map[linkwork.ReferralAction]int{
				linkwork.ActionAccept: 1, linkwork.ActionAllocate: 2}[a], Action: a, WorkerUserID: w.worker1}, w.worker1, "Lee")
			must(t, err)
		}
		nia, err := w.cases.CreatePersonFromReferral(w.ctx, ref.ID, 0)
		must(t, err)
		nia.OpenedOn = bulkDay(-14) // as Ivy's
		must(t, w.cases.UpdatePerson(w.ctx, nia))
		for _, c := range ivy.Contacts {
			must(t, w.cases.AddContact(w.ctx, &linkwork.CaseContact{PersonID: nia.ID, On: c.On, Mode: c.Mode, Minutes: c.Minutes, FollowUpOn: c.FollowUpOn}))
		}
		for _, g := range ivy.Goals {
			goal := &linkwork.Goal{PersonID: nia.ID, Text: g.Text}
			must(t, w.cases.AddGoal(w.ctx, goal))
			for _, s := range g.Steps {
				must(t, w.cases.AddStep(w.ctx, &linkwork.Step{PersonID: nia.ID, GoalID: goal.ID, Text: s.Text, DueOn: s.DueOn, Status: s.Status,
					DoneOn: s.DoneOn}))
			}
		}
		nia = w.find(t, nia.ID)
		if nia.Status != p.Status || nia.LastContactOn != p.LastContactOn || nia.FollowUpOn != p.FollowUpOn || nia.NextStep != p.NextStep ||
			nia.NextStepDue != p.NextStepDue || nia.LSOA != p.LSOA || nia.IMDDecile != p.IMDDecile {
			t.Fatalf("through the services:\n%s\nin bulk:\n%s", jsonOf(nia), jsonOf(p))
		}
		// And bulk cases go on through the services.
		must(t, w.cases.AddContact(w.ctx, &linkwork.CaseContact{PersonID: jo.Person.ID, On: bulkDay(0), Mode: linkwork.ModePhone, Minutes: 10}))
		if got := w.find(t, jo.Person.ID); got.Status != linkwork.PersonActive || got.LastContactOn != bulkDay(0) {
			t.Fatalf("Jo after a contact: %s", jsonOf(got))
		}
		closed, err := w.cases.CloseCase(w.ctx, linkwork.CaseClosure{PersonID: ivy.Person.ID, Version: 1, Outcome: linkwork.CaseGoalsMet},
			w.worker1, "Lee Walker")
		must(t, err)
		if r, _ := w.refs.FindReferralByID(ctx, w.inProgress.Referral.ID); closed.Status != linkwork.PersonClosed || r.Status != linkwork.ReferralClosed {
			t.Fatalf("closing Ivy's case: %s, referral %s", closed.Status, r.Status)
		}
	})
}

// TestBulkInsertCasesRefuses checks that a batch with a bad case is refused whole, with a
// message naming the case and field.
func TestBulkInsertCasesRefuses(t *testing.T) {
	eachBulkMode(t, func(t *testing.T, db *sqldb.DB) {
		ctx := t.Context()
		w := newBulkWorld(t, db)
		scheme := w.linkUp
		for _, c := range []struct {
			name  string
			edit  func(b *sqldb.BulkCase)
			code  string
			field string
		}{
			{"a contact tomorrow", func(b *sqldb.BulkCase) {
				b.Contacts = []*linkwork.CaseContact{bulkContact(bulkDay(-1), ""), bulkContact(bulkDay(1), "")}
			},
				linkwork.EINVALID, "cases[1].contacts[1].on"},
			{"a step due before the case opened", func(b *sqldb.BulkCase) {
				b.Goals = []*linkwork.Goal{{Text: "Walk", Steps: []*linkwork.Step{{Text: "Walk", DueOn: bulkDay(-30)}}}}
			}, linkwork.EINVALID, "cases[1].goals[0].steps[0].due_on"},
			{"a worker of another organisation", func(b *sqldb.BulkCase) { b.Person.WorkerUserID = w.referrer }, linkwork.EINVALID,
				"cases[1].person.worker_user_id"},
			{"a referral not yet accepted", func(b *sqldb.BulkCase) { b.Person.ReferralID = w.received.Referral.ID }, linkwork.EINVALID,
				"cases[1].person.referral_id"},
			{"an answer off the scale", func(b *sqldb.BulkCase) {
				b.Contacts = []*linkwork.CaseContact{bulkContact(bulkDay(-1), "")}
				b.Responses = []*linkwork.QuestionnaireResponse{{QuestionnaireCode: "ucla3", Timepoint: linkwork.TimepointBaseline,
					Answers: bulkInts(1, 4, 2), Status: linkwork.ResponseComplete, CompletedOn: bulkDay(-1)}}
			}, linkwork.EINVALID, "cases[1].responses[0].answers.2"},
			{"an onward referral to a scheme", func(b *sqldb.BulkCase) {
				b.Onward = []sqldb.BulkOnward{{Referral: &linkwork.OnwardReferral{ServiceID: scheme.ID, FirstName: "Jo", ContactPhone: "07700 900123",
					Needs: "A walk.", Consent: true, ConsentMethod: linkwork.ConsentVerbal, SentAt: bulkHour(db, -1)}}}
			}, linkwork.EINVALID, "cases[1].onward[0].service_id"},
			{"a closed case with no outcome", func(b *sqldb.BulkCase) {
				at := bulkHour(db, -1)
				b.Person.Status, b.Person.ClosedAt = linkwork.PersonClosed, &at
			}, linkwork.EINVALID, "cases[1].person.outcome"},
			{"the same person twice", func(b *sqldb.BulkCase) { b.Person.ReferralID = w.inProgress.Referral.ID }, linkwork.ECONFLICT, ""},
		} {
			good, bad := w.caseFrom(w.inProgress, w.worker1), w.caseFrom(w.allocated, w.worker1)
			c.edit(bad)
			if c.name == "the same person twice" {
				bad.Person.GivenName = good.Person.GivenName
			}
			err := db.BulkInsertCases(ctx, w.york.ID, []*sqldb.BulkCase{good, bad})
			if err == nil {
				t.Fatalf("%s: saved", c.name)
			}
			wantCode(t, err, c.code, c.field)
		}
		// A case whose referral already has one, in the database rather than the batch.
		must(t, db.BulkInsertCases(ctx, w.york.ID, []*sqldb.BulkCase{w.caseFrom(w.inProgress, w.worker1)}))
		again := w.caseFrom(w.inProgress, w.worker1)
		again.Person.GivenName = "Another"
		wantCode(t, db.BulkInsertCases(ctx, w.york.ID, []*sqldb.BulkCase{w.caseFrom(w.allocated, w.worker1), again}), linkwork.ECONFLICT, "")
		n, err := db.CountCasework(ctx, w.york.ID)
		must(t, err)
		if n.People != 1 || n.Contacts != 0 || n.Responses != 0 || n.Onward != 0 || n.Goals != 0 {
			t.Fatalf("refused batches left %+v", n)
		}
	})
}

func TestBulkInsertUsers(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := t.Context()
		w := newRefWorld(t, db)
		users := []*linkwork.NewUser{
			{Email: "A@Workers.example", Name: "Amy", Password: "correct horse battery", Role: linkwork.RoleLinkWorker, OrganisationID: w.charity.ID},
			{Email: "b@workers.example", Name: "Ben", Password: "correct horse battery", Role: linkwork.RoleManager, OrganisationID: w.housing.ID},
		}
		ids, err := db.BulkInsertUsers(ctx, w.york.ID, users)
		must(t, err)
		u, err := w.svc.Users.Authenticate(ctx, "a@workers.example", "correct horse battery")
		must(t, err)
		if u.ID != ids[0] || u.Name != "Amy" || len(u.Memberships) != 1 || u.Memberships[0].OrganisationID != w.charity.ID ||
			u.Memberships[0].Role != linkwork.RoleLinkWorker {
			t.Fatalf("user %s", jsonOf(u))
		}
		for _, c := range []struct {
			users []*linkwork.NewUser
			field string
		}{
			{[]*linkwork.NewUser{{Email: "c@workers.example", Name: "C", Password: "correct horse battery", Role: linkwork.RoleLinkWorker,
				OrganisationID: w.charity.ID}, {Email: "c@workers.example", Name: "C", Password: "correct horse battery",
				Role: linkwork.RoleLinkWorker, OrganisationID: w.charity.ID}}, "users[1].email"},
			{[]*linkwork.NewUser{{Email: "b@workers.example", Name: "B", Password: "correct horse battery", Role: linkwork.RoleLinkWorker,
				OrganisationID: w.charity.ID}}, "email"},
			{[]*linkwork.NewUser{{Email: "d@workers.example", Name: "D", Password: "short", Role: linkwork.RoleLinkWorker,
				OrganisationID: w.charity.ID}}, "users[0].password"},
			{[]*linkwork.NewUser{{Email: "e@workers.example", Name: "E", Password: "correct horse battery", Role: linkwork.RoleLinkWorker,
				OrganisationID: w.leedsOrg.ID}}, "users[0].organisation_id"},
		} {
			_, err := db.BulkInsertUsers(ctx, w.york.ID, c.users)
			wantCode(t, err, linkwork.EINVALID, c.field)
		}
	})
}
