package sqldb_test

import (
	"strings"
	"testing"
	"time"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// closeCase closes a person's case at its current version, failing the test on an error.
func (w *personWorld) closeCase(t *testing.T, id int64, outcome linkwork.CaseOutcome, note string) *linkwork.Person {
	t.Helper()
	p := w.find(t, id)
	got, err := w.cases.CloseCase(w.ctx, linkwork.CaseClosure{PersonID: id, Version: p.Version, Outcome: outcome, Note: note},
		w.worker1, "Lee Walker")
	must(t, err)
	return got
}

func TestSaveConversation(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newPersonWorld(t, db)
		p := w.mustPerson(t, w.fullPerson())
		cv := &linkwork.Conversation{PersonID: p.ID, HeldOn: "2030-03-01", WhatMatters: " Getting back to the allotment ",
			Strengths: "Green fingers", Interests: "Brass bands", Barriers: "Buses", Connect: "Her old choir", Space: "The library",
			Skills: "Baking", Control: "Her own money", Notes: "Came with her daughter"}
		must(t, w.cases.SaveConversation(w.ctx, cv))
		if cv.Version != 1 || cv.WhatMatters != "Getting back to the allotment" || cv.UpdatedBy != "Lee Walker" ||
			cv.UpdatedByUserID != w.worker1 || !cv.UpdatedAt.Equal(w.clock.now) {
			t.Fatalf("saved %s", jsonOf(cv))
		}
		rec, err := w.cases.PersonRecord(t.Context(), p.ID)
		must(t, err)
		if jsonOf(rec.Conversation) != jsonOf(cv) {
			t.Fatalf("read back\n%s\nwant\n%s", jsonOf(rec.Conversation), jsonOf(cv))
		}

		// Revised by Kim at 10:15; Lee's revision of the first version is then a conflict.
		w.clock.advance(45 * time.Minute)
		kim := w.as(t, w.worker2, "kim@connectors.example")
		rev := *cv
		rev.Barriers = "Buses, and the stairs"
		must(t, w.cases.SaveConversation(kim, &rev))
		if rev.Version != 2 || rev.UpdatedBy != "Kim Okafor" {
			t.Fatalf("revised %s", jsonOf(rev))
		}
		late := *cv
		late.Notes = "Lee's late edit"
		err = w.cases.SaveConversation(w.ctx, &late)
		wantCode(t, err, linkwork.ECONFLICT, "")
		if msg := linkwork.ErrorMessage(err); !strings.Contains(msg, "Kim Okafor changed") || !strings.Contains(msg, "10:15") {
			t.Fatalf("conflict %q: want it to say Kim changed it at 10:15", msg)
		}
		first := &linkwork.Conversation{PersonID: p.ID, HeldOn: "2030-03-01", WhatMatters: "Another first save"}
		wantCode(t, w.cases.SaveConversation(w.ctx, first), linkwork.ECONFLICT, "")

		for _, tc := range []struct {
			edit  func(c *linkwork.Conversation)
			field string
		}{
			{func(c *linkwork.Conversation) { c.HeldOn = "2030-03-05" }, "held_on"},
			{func(c *linkwork.Conversation) { c.HeldOn = "1949-01-01" }, "held_on"},
			{func(c *linkwork.Conversation) { c.HeldOn = "" }, "held_on"},
			{func(c *linkwork.Conversation) { c.WhatMatters = "  " }, "what_matters"},
			{func(c *linkwork.Conversation) { c.Skills = strings.Repeat("x", linkwork.MaxPersonTextLength+1) }, "skills"},
		} {
			bad := rev
			tc.edit(&bad)
			wantCode(t, w.cases.SaveConversation(w.ctx, &bad), linkwork.EINVALID, tc.field)
		}
		rec, err = w.cases.PersonRecord(t.Context(), p.ID)
		must(t, err)
		if rec.Conversation.Version != 2 || rec.Conversation.Barriers != "Buses, and the stairs" {
			t.Fatalf("after refused saves %s", jsonOf(rec.Conversation))
		}
		if n := len(auditWith(t, db, linkwork.AuditConversationSave, idStr(p.ID))); n != 2 {
			t.Fatalf("%d conversation events, want 2", n)
		}
		wantCode(t, w.cases.SaveConversation(w.ctx, &linkwork.Conversation{PersonID: 99999, HeldOn: "2030-03-01", WhatMatters: "x"}),
			linkwork.ENOTFOUND, "")

		w.closeCase(t, p.ID, linkwork.CaseGoalsMet, "")
		rev.Notes = "After closing"
		wantCode(t, w.cases.SaveConversation(w.ctx, &rev), linkwork.EINVALID, "")
	})
}

// The plan: goals in order, steps under their goals, notes newest first, and the person's
// next step kept current through every change.
func TestSupportPlan(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newPersonWorld(t, db)
		ctx := w.ctx
		p := w.mustPerson(t, w.fullPerson()) // opened 2030-02-20; today is 2030-03-04
		walk := mustService(t, db, &linkwork.Service{PlaceID: w.york.ID, OrganisationID: w.council.ID, Name: "Walk and Talk"})

		g1 := &linkwork.Goal{PersonID: p.ID, Text: " Get out of the house more "}
		must(t, w.cases.AddGoal(ctx, g1))
		g2 := &linkwork.Goal{PersonID: p.ID, Text: "Sort out the gas bill"}
		must(t, w.cases.AddGoal(ctx, g2))
		if g1.Position != 1 || g2.Position != 2 || g1.Status != linkwork.GoalActive || g1.Text != "Get out of the house more" {
			t.Fatalf("goals %s %s", jsonOf(g1), jsonOf(g2))
		}
		if got := w.find(t, p.ID); got.NextStep != "" || got.NextStepDue != "" {
			t.Fatalf("next step %q on %q: want none before any steps", got.NextStep, got.NextStepDue)
		}
		s1 := &linkwork.Step{GoalID: g1.ID, PersonID: p.ID, Text: "Go to the walking group", DueOn: "2030-03-20", ServiceID: walk.ID}
		must(t, w.cases.AddStep(ctx, s1))
		s2 := &linkwork.Step{GoalID: g1.ID, PersonID: p.ID, Text: "Find walking boots", DueOn: "2030-03-10"}
		must(t, w.cases.AddStep(ctx, s2))
		s3 := &linkwork.Step{GoalID: g2.ID, PersonID: p.ID, Text: "Ring the energy company", DueOn: "2030-03-10"}
		must(t, w.cases.AddStep(ctx, s3))
		if s1.Position != 1 || s2.Position != 2 || s3.Position != 1 || s1.ServiceName != "Walk and Talk" || s1.Status != linkwork.StepToDo {
			t.Fatalf("steps %s %s %s", jsonOf(s1), jsonOf(s2), jsonOf(s3))
		}
		// The earliest step to do; of two due the same day, the one added first.
		if got := w.find(t, p.ID); got.NextStepDue != "2030-03-10" || got.NextStep != "Find walking boots" {
			t.Fatalf("next step %q on %q: want the boots on 10 March", got.NextStep, got.NextStepDue)
		}
		s2.Status = linkwork.StepDone
		must(t, w.cases.UpdateStep(ctx, s2))
		if s2.DoneOn != "2030-03-04" {
			t.Fatalf("done on %q: want today", s2.DoneOn)
		}
		if got := w.find(t, p.ID); got.NextStepDue != "2030-03-10" || got.NextStep != "Ring the energy company" {
			t.Fatalf("next step %q on %q: want the phone call", got.NextStep, got.NextStepDue)
		}
		// A step may move to the person's other goal.
		s3.Status, s3.GoalID, s3.Text = linkwork.StepNotDone, g1.ID, "Ring the energy company (moved)"
		must(t, w.cases.UpdateStep(ctx, s3))
		if got := w.find(t, p.ID); got.NextStepDue != "2030-03-20" || got.NextStep != "Go to the walking group" {
			t.Fatalf("next step %q on %q: want the walking group", got.NextStep, got.NextStepDue)
		}
		g2.Status, g2.Text = linkwork.GoalMet, "Sorted the gas bill"
		must(t, w.cases.UpdateGoal(ctx, g2))
		n1 := &linkwork.ProgressNote{PersonID: p.ID, Text: "Went once and enjoyed it", GoalID: g1.ID}
		must(t, w.cases.AddProgressNote(ctx, n1))
		w.clock.advance(time.Minute)
		n2 := &linkwork.ProgressNote{PersonID: p.ID, Text: "Feeling brighter"}
		must(t, w.cases.AddProgressNote(ctx, n2))
		if n2.AuthorName != "Lee Walker" || n2.AuthorUserID != w.worker1 || !n2.At.Equal(w.clock.now) {
			t.Fatalf("note %s", jsonOf(n2))
		}

		plan, err := w.cases.Plan(t.Context(), p.ID)
		must(t, err)
		if len(plan.Goals) != 2 || plan.Goals[0].ID != g1.ID || plan.Goals[1].Status != linkwork.GoalMet || plan.Goals[1].Text != "Sorted the gas bill" {
			t.Fatalf("goals %s", jsonOf(plan.Goals))
		}
		var order []int64
		for _, st := range plan.Goals[0].Steps {
			order = append(order, st.ID)
		}
		if jsonOf(order) != jsonOf([]int64{s1.ID, s2.ID, s3.ID}) || len(plan.Goals[1].Steps) != 0 {
			t.Fatalf("steps of goal 1 %v, want %v; goal 2 has %d", order, []int64{s1.ID, s2.ID, s3.ID}, len(plan.Goals[1].Steps))
		}
		if jsonOf(plan.Goals[0].Steps[0]) != jsonOf(s1) || jsonOf(plan.Goals[0].Steps[1]) != jsonOf(s2) {
			t.Fatalf("steps read back\n%s\nwant\n%s\n%s", jsonOf(plan.Goals[0].Steps), jsonOf(s1), jsonOf(s2))
		}
		if len(plan.Notes) != 2 || plan.Notes[0].ID != n2.ID || plan.Notes[1].GoalID != g1.ID || jsonOf(plan.Notes[0]) != jsonOf(n2) {
			t.Fatalf("notes %s", jsonOf(plan.Notes))
		}
		if n := len(auditWith(t, db, linkwork.AuditPlanChange, idStr(p.ID))); n != 10 {
			t.Fatalf("%d plan events, want 10 (2 goals, 3 steps, 2 step changes, a goal change and 2 notes)", n)
		}
		for _, e := range auditWith(t, db, linkwork.AuditPlanChange, idStr(p.ID)) {
			if strings.Contains(e.Detail, "walk") || strings.Contains(e.Detail, "gas") {
				t.Fatalf("audit detail %q holds the plan's words", e.Detail)
			}
		}
		if _, err := w.cases.Plan(t.Context(), 99999); linkwork.ErrorCode(err) != linkwork.ENOTFOUND {
			t.Fatalf("plan of no one: %v, want ENOTFOUND", err)
		}
	})
}

// Bad steps, goals and notes are refused with their field, and nothing is saved: steps
// without a goal or with another person's, dates out of range, unknown services.
func TestSupportPlanBadInput(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newPersonWorld(t, db)
		ctx := w.ctx
		p := w.mustPerson(t, w.fullPerson())
		other := w.mustPerson(t, w.newPerson("Ann", "Other", "1970-01-01"))
		g := &linkwork.Goal{PersonID: p.ID, Text: "Get out more"}
		must(t, w.cases.AddGoal(ctx, g))
		theirs := &linkwork.Goal{PersonID: other.ID, Text: "Theirs"}
		must(t, w.cases.AddGoal(ctx, theirs))
		leedsOffer := mustService(t, db, &linkwork.Service{PlaceID: w.leeds.ID, OrganisationID: w.leedsOrg.ID, Name: "Leeds Striders"})
		stepsBefore, goalsBefore := countRows(t, db, "plan_steps", ""), countRows(t, db, "plan_goals", "")
		eventsBefore := len(auditWith(t, db, linkwork.AuditPlanChange, ""))

		good := func() *linkwork.Step {
			return &linkwork.Step{GoalID: g.ID, PersonID: p.ID, Text: "Go to the walking group", DueOn: "2030-03-20"}
		}
		for _, tc := range []struct {
			name  string
			edit  func(s *linkwork.Step)
			field string
		}{
			{"no goal", func(s *linkwork.Step) { s.GoalID = 0 }, "goal_id"},
			{"another person's goal", func(s *linkwork.Step) { s.GoalID = theirs.ID }, "goal_id"},
			{"no such goal", func(s *linkwork.Step) { s.GoalID = 99999 }, "goal_id"},
			{"no text", func(s *linkwork.Step) { s.Text = " " }, "text"},
			{"no due date", func(s *linkwork.Step) { s.DueOn = "" }, "due_on"},
			{"due before the case opened", func(s *linkwork.Step) { s.DueOn = "2030-02-19" }, "due_on"},
			{"due in three years", func(s *linkwork.Step) { s.DueOn = "2033-03-20" }, "due_on"},
			{"not a date", func(s *linkwork.Step) { s.DueOn = "next Tuesday" }, "due_on"},
			{"done in the future", func(s *linkwork.Step) { s.Status, s.DoneOn = linkwork.StepDone, "2030-03-05" }, "done_on"},
			{"done before the case opened", func(s *linkwork.Step) { s.Status, s.DoneOn = linkwork.StepDone, "2030-01-01" }, "done_on"},
			{"unknown status", func(s *linkwork.Step) { s.Status = "later" }, "status"},
			{"offer in another place", func(s *linkwork.Step) { s.ServiceID = leedsOffer.ID }, "service_id"},
		} {
			s := good()
			tc.edit(s)
			err := w.cases.AddStep(ctx, s)
			wantField(t, tc.name, err, tc.field)
		}
		// A step without its goal and one with another's are both reported, with the date.
		err := w.cases.AddStep(ctx, &linkwork.Step{GoalID: theirs.ID, PersonID: p.ID, Text: "x", DueOn: "2030-01-01"})
		wantField(t, "two problems", err, "goal_id")
		wantField(t, "two problems", err, "due_on")

		s := good()
		must(t, w.cases.AddStep(ctx, s))
		stepsBefore++
		bad := *s
		bad.GoalID = theirs.ID
		wantField(t, "update to another's goal", w.cases.UpdateStep(ctx, &bad), "goal_id")
		bad = *s
		bad.PersonID = other.ID
		wantCode(t, w.cases.UpdateStep(ctx, &bad), linkwork.ENOTFOUND, "")
		bad = *s
		bad.ID = 99999
		wantCode(t, w.cases.UpdateStep(ctx, &bad), linkwork.ENOTFOUND, "")
		wantCode(t, w.cases.AddStep(ctx, &linkwork.Step{GoalID: g.ID, PersonID: 99999, Text: "x", DueOn: "2030-03-20"}), linkwork.ENOTFOUND, "")

		wantField(t, "goal without text", w.cases.AddGoal(ctx, &linkwork.Goal{PersonID: p.ID, Text: ""}), "text")
		wantField(t, "goal with unknown status", w.cases.AddGoal(ctx, &linkwork.Goal{PersonID: p.ID, Text: "x", Status: "done"}), "status")
		wantCode(t, w.cases.UpdateGoal(ctx, &linkwork.Goal{ID: theirs.ID, PersonID: p.ID, Text: "Mine now"}), linkwork.ENOTFOUND, "")
		wantField(t, "note without text", w.cases.AddProgressNote(ctx, &linkwork.ProgressNote{PersonID: p.ID, Text: " "}), "text")
		wantField(t, "note on another's goal", w.cases.AddProgressNote(ctx, &linkwork.ProgressNote{PersonID: p.ID, Text: "x", GoalID: theirs.ID}), "goal_id")

		if n, m := countRows(t, db, "plan_steps", ""), countRows(t, db, "plan_goals", ""); n != stepsBefore || m != goalsBefore {
			t.Fatalf("%d steps and %d goals, want %d and %d", n, m, stepsBefore, goalsBefore)
		}
		if n := countRows(t, db, "progress_notes", ""); n != 0 {
			t.Fatalf("%d notes, want none", n)
		}
		if got := w.find(t, theirs.PersonID); got.NextStep != "" {
			t.Fatalf("the other person has a next step %q", got.NextStep)
		}
		if n := len(auditWith(t, db, linkwork.AuditPlanChange, "")); n != eventsBefore+1 {
			t.Fatalf("%d plan events, want %d", n, eventsBefore+1)
		}

		// A closed case's plan cannot change.
		w.closeCase(t, p.ID, linkwork.CaseNotEngaged, "")
		for what, err := range map[string]error{
			"add goal":    w.cases.AddGoal(ctx, &linkwork.Goal{PersonID: p.ID, Text: "Later"}),
			"update goal": w.cases.UpdateGoal(ctx, g),
			"add step":    w.cases.AddStep(ctx, good()),
			"update step": w.cases.UpdateStep(ctx, s),
			"add note":    w.cases.AddProgressNote(ctx, &linkwork.ProgressNote{PersonID: p.ID, Text: "After closing"}),
		} {
			wantCode(t, err, linkwork.EINVALID, "")
			if !strings.Contains(linkwork.ErrorMessage(err), "closed") {
				t.Fatalf("%s on a closed case: %q, want it to say the case is closed", what, linkwork.ErrorMessage(err))
			}
		}
	})
}

// wantField fails unless err is EINVALID with a problem about field among its problems.
func wantField(t *testing.T, what string, err error, field string) {
	t.Helper()
	if linkwork.ErrorCode(err) != linkwork.EINVALID {
		t.Fatalf("%s: got %v, want EINVALID", what, err)
	}
	for _, e := range linkwork.FieldErrors(err) {
		if e.Field == field {
			return
		}
	}
	t.Fatalf("%s: got %v, want a problem with %s", what, err, field)
}

// Contacts make a waiting case active; the last contact is the latest by date, and the
// follow-up is the one set at the latest contact.
func TestAddContact(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newPersonWorld(t, db)
		ctx := w.ctx
		p := w.mustPerson(t, w.fullPerson())
		c1 := &linkwork.CaseContact{PersonID: p.ID, On: "2030-02-25", Mode: linkwork.ModeHomeVisit, Minutes: 45, With: "Her daughter",
			Note: "First visit", FollowUpOn: "2030-03-11"}
		must(t, w.cases.AddContact(ctx, c1))
		if c1.ID == 0 || c1.WorkerUserID != w.worker1 || c1.WorkerName != "Lee Walker" || !c1.CreatedAt.Equal(w.clock.now) {
			t.Fatalf("contact %s: want it by Lee, the acting user", jsonOf(c1))
		}
		got := w.find(t, p.ID)
		if got.Status != linkwork.PersonActive || got.LastContactOn != "2030-02-25" || got.FollowUpOn != "2030-03-11" {
			t.Fatalf("after the first contact %s", jsonOf(got))
		}
		// An earlier contact recorded late changes neither the last contact nor the follow-up.
		must(t, w.cases.AddContact(ctx, &linkwork.CaseContact{PersonID: p.ID, On: "2030-02-21", Mode: linkwork.ModePhone, Minutes: 10,
			FollowUpOn: "2030-02-24"}))
		if got := w.find(t, p.ID); got.LastContactOn != "2030-02-25" || got.FollowUpOn != "2030-03-11" {
			t.Fatalf("after an earlier contact: last %q follow-up %q", got.LastContactOn, got.FollowUpOn)
		}
		// Two on the same later day: the last recorded sets the follow-up, even to none.
		must(t, w.cases.AddContact(ctx, &linkwork.CaseContact{PersonID: p.ID, On: "2030-03-02", Mode: linkwork.ModeGroup, Minutes: 90,
			FollowUpOn: "2030-03-09"}))
		if got := w.find(t, p.ID); got.LastContactOn != "2030-03-02" || got.FollowUpOn != "2030-03-09" {
			t.Fatalf("after a later contact: last %q follow-up %q", got.LastContactOn, got.FollowUpOn)
		}
		kim := &linkwork.CaseContact{PersonID: p.ID, On: "2030-03-02", Mode: linkwork.ModePhone, Minutes: 5, WorkerUserID: w.worker2}
		must(t, w.cases.AddContact(ctx, kim))
		if kim.WorkerName != "Kim Okafor" {
			t.Fatalf("worker %q: want Kim, as given", kim.WorkerName)
		}
		if got := w.find(t, p.ID); got.LastContactOn != "2030-03-02" || got.FollowUpOn != "" {
			t.Fatalf("after a second contact that day: last %q follow-up %q, want no follow-up", got.LastContactOn, got.FollowUpOn)
		}
		rec, err := w.cases.PersonRecord(t.Context(), p.ID)
		must(t, err)
		if len(rec.Contacts) != 4 || rec.Contacts[0].ID != kim.ID || rec.Contacts[3].On != "2030-02-21" || rec.ContactMinutes != 150 {
			t.Fatalf("contacts %s, %d minutes", jsonOf(rec.Contacts), rec.ContactMinutes)
		}
		if jsonOf(rec.Contacts[2]) != jsonOf(c1) {
			t.Fatalf("contact read back\n%s\nwant\n%s", jsonOf(rec.Contacts[2]), jsonOf(c1))
		}
		e := auditWith(t, db, linkwork.AuditContactAdd, idStr(p.ID))
		if len(e) != 4 || strings.Contains(e[3].Detail, "daughter") || strings.Contains(e[3].Detail, "First visit") {
			t.Fatalf("contact events %d, first detail %q", len(e), e[len(e)-1].Detail)
		}

		good := func() *linkwork.CaseContact {
			return &linkwork.CaseContact{PersonID: p.ID, On: "2030-03-03", Mode: linkwork.ModePhone, Minutes: 20}
		}
		for _, tc := range []struct {
			name  string
			edit  func(c *linkwork.CaseContact)
			field string
		}{
			{"no minutes", func(c *linkwork.CaseContact) { c.Minutes = 0 }, "minutes"},
			{"too many minutes", func(c *linkwork.CaseContact) { c.Minutes = linkwork.MaxContactMinutes + 1 }, "minutes"},
			{"in the future", func(c *linkwork.CaseContact) { c.On = "2030-03-05" }, "on"},
			{"before birth", func(c *linkwork.CaseContact) { c.On = "1950-03-31" }, "on"},
			{"no date", func(c *linkwork.CaseContact) { c.On = "" }, "on"},
			{"unknown mode", func(c *linkwork.CaseContact) { c.Mode = "telepathy" }, "mode"},
			{"follow-up before the contact", func(c *linkwork.CaseContact) { c.FollowUpOn = "2030-03-02" }, "follow_up_on"},
			{"follow-up in three years", func(c *linkwork.CaseContact) { c.FollowUpOn = "2033-03-03" }, "follow_up_on"},
			{"a worker who is no one", func(c *linkwork.CaseContact) { c.WorkerUserID = 99999 }, "worker_user_id"},
		} {
			c := good()
			tc.edit(c)
			wantField(t, tc.name, w.cases.AddContact(ctx, c), tc.field)
		}
		wantCode(t, w.cases.AddContact(ctx, &linkwork.CaseContact{PersonID: 99999, On: "2030-03-03", Mode: linkwork.ModePhone, Minutes: 5}),
			linkwork.ENOTFOUND, "")
		if n := countRows(t, db, "case_contacts", ""); n != 4 {
			t.Fatalf("%d contacts, want 4", n)
		}
		w.closeCase(t, p.ID, linkwork.CaseGoalsMet, "")
		wantCode(t, w.cases.AddContact(ctx, good()), linkwork.EINVALID, "")
		if n := countRows(t, db, "case_contacts", ""); n != 4 {
			t.Fatalf("%d contacts after closing, want 4", n)
		}
	})
}
