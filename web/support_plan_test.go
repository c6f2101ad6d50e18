package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

func TestWhatMattersForm(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newCaseSite(t, db)
		sam := s.as("sam@example.org")
		pid := s.open(sam, s.personForm())
		path := "/people/" + id(pid) + "/what-matters"
		p := sam.get(path)
		p.has(t, "What matters to Mags", `name="what_matters"`, "The four building blocks", `name="connect"`, `name="control"`,
			`name="version" value="0"`, `value="`+day(0)+`"`)

		p = sam.post(path, url.Values{"held_on": {day(2)}, "what_matters": {""}, "strengths": {strings.Repeat("x", 4001)}, "version": {"0"}})
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("bad conversation: %d", p.status)
		}
		p.has(t, `href="#held_on"`, "must be today or in the past", `href="#what_matters"`,
			"Enter what matters to the person, in their own words.", `href="#strengths"`, "4000 characters or fewer")
		if s.record(pid).Conversation != nil {
			t.Fatal("a bad conversation was saved")
		}

		form := url.Values{"held_on": {day(-1)}, "what_matters": {"Getting back to the allotment."}, "strengths": {"Green fingers."},
			"barriers": {"Bad knees."}, "connect": {"Would like to meet people."}, "version": {"0"}}
		if p := sam.post(path, form); p.status != http.StatusSeeOther || p.location != "/people/"+id(pid)+"#what-matters" {
			t.Fatalf("save: %d %q\n%s", p.status, p.location, p.body)
		}
		c := s.record(pid).Conversation
		if c == nil || c.WhatMatters != "Getting back to the allotment." || c.Connect != "Would like to meet people." || c.UpdatedBy != "sam" {
			t.Fatalf("saved conversation: %+v", c)
		}
		sam.get("/people/"+id(pid)).has(t, "Getting back to the allotment.", "Green fingers.", "What gets in the way", "Bad knees.")
		sam.get(path).has(t, "Getting back to the allotment.", `name="version" value="`+id(int64(c.Version))+`"`)

		// Saving from a page opened before that save is refused, plainly.
		form.Set("what_matters", "Something else.")
		p = sam.post(path, form)
		if p.status != http.StatusConflict {
			t.Fatalf("stale save: %d", p.status)
		}
		p.has(t, "Your changes were not saved", "Someone else saved this conversation", "What is saved now",
			"Getting back to the allotment.", "Something else.")
		if s.record(pid).Conversation.WhatMatters != "Getting back to the allotment." {
			t.Error("a stale save replaced the conversation")
		}
	})
}

func TestSupportPlanForms(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newCaseSite(t, db)
		sam := s.as("sam@example.org")
		pid := s.open(sam, s.personForm())
		person := "/people/" + id(pid)

		// A goal: empty, or too long, is refused on the person's page.
		p := sam.post(person+"/goals", url.Values{"goal-text": {"  "}})
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("empty goal: %d", p.status)
		}
		p.has(t, `href="#goal-text"`, "Enter the goal, in the person&#39;s own words.", "Maya Angelou", `id="goal-text"`)
		sam.post(person+"/goals", url.Values{"goal-text": {strings.Repeat("a", 501)}}).has(t, "500 characters or fewer")
		if p := sam.post(person+"/goals", url.Values{"goal-text": {"Get out of the house more"}}); p.status != http.StatusSeeOther {
			t.Fatalf("add goal: %d\n%s", p.status, p.body)
		}
		plan := s.record(pid).Plan
		if len(plan.Goals) != 1 || plan.Goals[0].Text != "Get out of the house more" || plan.Goals[0].Status != linkwork.GoalActive {
			t.Fatalf("goals: %+v", plan.Goals)
		}
		g := plan.Goals[0]
		steps := person + "/goals/" + id(g.ID) + "/steps"
		prefix := "step-" + id(g.ID) + "-"

		// A step: each problem next to its field, and nothing saved.
		p = sam.post(steps, url.Values{prefix + "text": {""}, prefix + "due_on": {"31/12/2026"}})
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("bad step: %d", p.status)
		}
		p.has(t, `href="#`+prefix+`text"`, `href="#`+prefix+`due_on"`, "Enter the step", "Enter the due date as a real date")
		sam.post(steps, url.Values{prefix + "text": {"Walk"}, prefix + "due_on": {day(-40)}}).has(t, "cannot be before")
		sam.post(steps, url.Values{prefix + "text": {"Walk"}, prefix + "due_on": {day(800)}}).has(t, "within the next two years")
		// A step with no goal of the person's is refused with the reason.
		p = sam.post(person+"/goals/999999/steps", url.Values{"step-999999-text": {"Walk"}, "step-999999-due_on": {day(3)}})
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("step without a goal: %d", p.status)
		}
		p.has(t, "That was not saved", "Choose the goal this step is towards. Add a goal first if there is none.")
		if n := len(s.record(pid).Plan.Goals[0].Steps); n != 0 {
			t.Fatalf("bad steps saved: %d", n)
		}
		for _, st := range []url.Values{{prefix + "text": {"Find the walking group"}, prefix + "due_on": {day(-3)}},
			{prefix + "text": {"Go to the walking group"}, prefix + "due_on": {day(10)}}} {
			if p := sam.post(steps, st); p.status != http.StatusSeeOther || p.location != person+"#goal-"+id(g.ID) {
				t.Fatalf("add step: %d %q\n%s", p.status, p.location, p.body)
			}
		}
		g = s.record(pid).Plan.Goals[0]
		if len(g.Steps) != 2 {
			t.Fatalf("steps: %+v", g.Steps)
		}
		page := sam.get(person)
		page.has(t, "Find the walking group", "Overdue", "1 step overdue", `href="`+person+`/onward/new?step=`+id(g.Steps[0].ID)+`"`,
			`href="`+person+`/goals/`+id(g.ID)+`"`, `href="`+person+`/steps/`+id(g.Steps[1].ID)+`"`)
		if got := s.person(pid); got.NextStep != "Find the walking group" {
			t.Errorf("next step: %q", got.NextStep)
		}

		// Change a step: done in the future is refused; done today is saved.
		stepPath := person + "/steps/" + id(g.Steps[0].ID)
		sam.get(stepPath).has(t, "Change a step", `value="Find the walking group"`, `value="to_do" checked`)
		p = sam.post(stepPath, url.Values{"text": {"Find the walking group"}, "due_on": {day(-3)}, "status": {"done"}, "done_on": {day(1)}})
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("done in the future: %d", p.status)
		}
		p.has(t, `href="#done_on"`, "must be today or in the past")
		sam.post(stepPath, url.Values{"text": {"x"}, "due_on": {day(1)}, "status": {"maybe"}}).has(t, `href="#status"`)
		if p := sam.post(stepPath, url.Values{"text": {"Find the walking group"}, "due_on": {day(-3)}, "status": {"done"}}); p.status != http.StatusSeeOther {
			t.Fatalf("step done: %d\n%s", p.status, p.body)
		}
		done := s.record(pid).Plan.Goals[0].Steps[0]
		if done.Status != linkwork.StepDone || done.DoneOn != day(0) {
			t.Errorf("done step: %+v", done)
		}
		if strings.Contains(sam.get(person).body, "1 step overdue") {
			t.Error("a done step is still overdue")
		}

		// Change a goal.
		goalPath := person + "/goals/" + id(g.ID)
		sam.get(goalPath).has(t, "Change a goal", `value="Get out of the house more"`, "Go to the walking group")
		sam.post(goalPath, url.Values{"text": {""}, "status": {"won"}}).has(t, `href="#text"`, `href="#status"`)
		if p := sam.post(goalPath, url.Values{"text": {"Get out more"}, "status": {"partly_met"}}); p.status != http.StatusSeeOther {
			t.Fatalf("change goal: %d\n%s", p.status, p.body)
		}
		if g := s.record(pid).Plan.Goals[0]; g.Text != "Get out more" || g.Status != linkwork.GoalPartlyMet {
			t.Errorf("changed goal: %+v", g)
		}

		// Notes: empty is refused; one about a goal is kept.
		sam.post(person+"/notes", url.Values{"note-text": {""}}).has(t, `href="#note-text"`, "Enter the note.")
		sam.post(person+"/notes", url.Values{"note-text": {"x"}, "note-goal_id": {"999999"}}).has(t, `href="#note-goal_id"`)
		if n := len(s.record(pid).Plan.Notes); n != 0 {
			t.Fatalf("bad notes saved: %d", n)
		}
		if p := sam.post(person+"/notes", url.Values{"note-text": {"Went to the group twice."}, "note-goal_id": {id(g.ID)}}); p.status != http.StatusSeeOther {
			t.Fatalf("add note: %d\n%s", p.status, p.body)
		}
		if n := s.record(pid).Plan.Notes; len(n) != 1 || n[0].GoalID != g.ID || n[0].AuthorName != "sam" {
			t.Errorf("notes: %+v", n)
		}
		sam.get(person).has(t, "Went to the group twice.")

		// The printed plan speaks to the person, and is audited as a view.
		sam.post(person+"/what-matters", url.Values{"held_on": {day(0)}, "what_matters": {"My garden."}, "strengths": {"Patience."}, "version": {"0"}})
		pr := sam.get(person + "/plan")
		pr.has(t, "Your plan with sam", "Dear Mags", "What matters to you", "My garden.", "What you are good at", "Patience.",
			"Get out more", "You have done some of this.", "Go to the walking group, by ", "Find the walking group: done on",
			"Your link worker is <strong>sam</strong>", "Calder PCN", "Print command")
		if e := s.audits(linkwork.AuditPersonView)[0]; e.Detail != "printed plan" || e.RecordID != id(pid) {
			t.Errorf("printing not audited: %+v", e)
		}
	})
}

func TestContactForms(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newCaseSite(t, db)
		sam := s.as("sam@example.org")
		pid := s.open(sam, s.personForm())
		person := "/people/" + id(pid)
		p := sam.post(person+"/contacts", url.Values{"contact-on": {day(1)}, "contact-minutes": {"abc"},
			"contact-follow_up_on": {day(-5)}})
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("bad contact: %d", p.status)
		}
		p.has(t, `href="#contact-on"`, "must be today or in the past", `href="#contact-mode"`, "Choose how the contact happened.",
			`href="#contact-minutes"`, "as a number such as 45")
		sam.post(person+"/contacts", url.Values{"contact-on": {day(-1)}, "contact-mode": {"phone"}, "contact-minutes": {"481"},
			"contact-follow_up_on": {day(-5)}}).has(t, "from 1 to 480", `href="#contact-follow_up_on"`, "cannot be before")
		sam.post(person+"/contacts", url.Values{"contact-on": {"1940-01-01"}, "contact-mode": {"phone"}, "contact-minutes": {"20"}}).
			has(t, "cannot be before the person was born")
		if rec := s.record(pid); len(rec.Contacts) != 0 || rec.Person.Status != linkwork.PersonWaiting {
			t.Fatalf("bad contacts saved: %d", len(rec.Contacts))
		}
		p = sam.post(person+"/contacts", url.Values{"contact-on": {day(0)}, "contact-mode": {"home_visit"}, "contact-minutes": {"50"},
			"contact-with": {"Her daughter"}, "contact-note": {"Met at home; keen on the choir."}, "contact-follow_up_on": {day(7)}})
		if p.status != http.StatusSeeOther || p.location != person+"#contacts" {
			t.Fatalf("add contact: %d %q\n%s", p.status, p.location, p.body)
		}
		rec := s.record(pid)
		if len(rec.Contacts) != 1 || rec.Person.Status != linkwork.PersonActive || rec.Person.FollowUpOn != day(7) ||
			rec.Contacts[0].WorkerUserID != s.sam.ID || rec.Contacts[0].With != "Her daughter" {
			t.Fatalf("contact: %+v, person %+v", rec.Contacts, rec.Person)
		}
		// From the contacts page, bad input stays there, and a contact leads back there.
		all := sam.get(person + "/contacts")
		all.has(t, "Contacts with Maya Angelou", "1 contact, 50 minutes", "Home visit, 50 min", "with Her daughter",
			"Met at home; keen on the choir.", `name="from" value="contacts"`)
		p = sam.post(person+"/contacts", url.Values{"from": {"contacts"}, "contact-on": {day(0)}})
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "Contacts with Maya Angelou") {
			t.Fatalf("bad contact from the contacts page: %d", p.status)
		}
		if p := sam.post(person+"/contacts", url.Values{"from": {"contacts"}, "contact-on": {day(0)}, "contact-mode": {"phone"},
			"contact-minutes": {"5"}}); p.status != http.StatusSeeOther || p.location != person+"/contacts" {
			t.Fatalf("contact from the contacts page: %d %q", p.status, p.location)
		}
	})
}
