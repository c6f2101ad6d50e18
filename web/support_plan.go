package web

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"linkwork"
)

// The "what matters to me" conversation and the support plan: goals in the person's own
// words, small steps towards them, progress notes, and the plan printed for the person.

// conversationFields are the conversation form's fields in the order it shows them.
var conversationFields = []string{"held_on", "what_matters", "strengths", "interests", "barriers", "connect", "space", "skills",
	"control", "notes"}

// ConversationView is the view of the "what matters to me" form.
type ConversationView struct {
	Layout
	Person *linkwork.Person
	Form   *Form
	// Saved is the conversation as last saved, if it has been; Conflict says that someone
	// else saved it while this person was editing.
	Saved    *linkwork.Conversation
	Conflict string
}

func (h *Handler) whatMatters(w http.ResponseWriter, r *http.Request) {
	person, err := h.workablePerson(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	rec, err := h.svc.Cases.PersonRecord(r.Context(), person.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if err := h.auditPerson(r, linkwork.AuditPersonView, person.ID, "what matters"); err != nil {
		h.serverError(w, r, err)
		return
	}
	f := NewForm()
	f.Values["held_on"], f.Values["version"] = timeNow().In(london).Format(time.DateOnly), "0"
	if c := rec.Conversation; c != nil {
		conversationValues(f, c)
	}
	h.render(w, r, http.StatusOK, "what_matters", &ConversationView{Layout: Layout{Title: "What matters to " + person.KnownAs()},
		Person: person, Form: f, Saved: rec.Conversation})
}

// conversationValues fills the form with a saved conversation.
func conversationValues(f *Form, c *linkwork.Conversation) {
	for k, v := range map[string]string{"held_on": c.HeldOn, "what_matters": c.WhatMatters, "strengths": c.Strengths,
		"interests": c.Interests, "barriers": c.Barriers, "connect": c.Connect, "space": c.Space, "skills": c.Skills,
		"control": c.Control, "notes": c.Notes, "version": strconv.Itoa(c.Version)} {
		f.Values[k] = v
	}
}

func (h *Handler) saveWhatMatters(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	person, err := h.workablePerson(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	f := formFrom(r, append(slices.Clone(conversationFields), "version")...)
	f.Order = conversationFields
	c := &linkwork.Conversation{PersonID: person.ID, HeldOn: f.Get("held_on"), WhatMatters: f.Get("what_matters"),
		Strengths: f.Get("strengths"), Interests: f.Get("interests"), Barriers: f.Get("barriers"), Connect: f.Get("connect"),
		Space: f.Get("space"), Skills: f.Get("skills"), Control: f.Get("control"), Notes: f.Get("notes"),
		UpdatedByUserID: p.User.ID, UpdatedBy: p.User.Name}
	c.Version, _ = strconv.Atoi(f.Get("version"))
	v := &ConversationView{Layout: Layout{Title: "What matters to " + person.KnownAs()}, Person: person, Form: f}
	err = c.Validate(person.DateOfBirth, timeNow())
	if err == nil {
		err = h.svc.Cases.SaveConversation(r.Context(), c)
	}
	switch linkwork.ErrorCode(err) {
	case "":
		h.redirect(w, r, personPath(person.ID)+"#what-matters", "conversation-saved")
		return
	case linkwork.ECONFLICT:
		rec, ferr := h.svc.Cases.PersonRecord(r.Context(), person.ID)
		if ferr != nil {
			h.serverError(w, r, ferr)
			return
		}
		v.Saved = rec.Conversation
		v.Conflict = "Someone else saved this conversation while you were editing it. Your changes have not been saved. " +
			"They are still in the form below, and what is saved now is shown under it: compare the two, then save again to replace it with yours."
		if v.Saved != nil {
			f.Values["version"] = strconv.Itoa(v.Saved.Version)
			if err := h.auditPerson(r, linkwork.AuditPersonView, person.ID, "what matters"); err != nil {
				h.serverError(w, r, err)
				return
			}
		}
		h.render(w, r, http.StatusConflict, "what_matters", v)
		return
	}
	if !addProblems(f, err, conversationFields, "what_matters") {
		h.failed(w, r, err)
		return
	}
	h.render(w, r, http.StatusUnprocessableEntity, "what_matters", v)
}

// planGoal finds a goal of the person's plan; ENOTFOUND if it is not theirs.
func (h *Handler) planGoal(r *http.Request, personID int64, name string) (*linkwork.SupportPlan, *linkwork.Goal, error) {
	gid, err := pathID(r, name)
	if err != nil {
		return nil, nil, err
	}
	plan, err := h.svc.Cases.Plan(r.Context(), personID)
	if err != nil {
		return nil, nil, err
	}
	for _, g := range plan.Goals {
		if g.ID == gid {
			return plan, g, nil
		}
	}
	return plan, nil, linkwork.Errorf(linkwork.ENOTFOUND, "Goal not found.")
}

func (h *Handler) addGoal(w http.ResponseWriter, r *http.Request) {
	person, err := h.workablePerson(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	f := formFrom(r, "goal-text")
	g := &linkwork.Goal{PersonID: person.ID, Text: f.Get("goal-text"), Status: linkwork.GoalActive}
	err = g.Validate()
	if err == nil {
		err = h.svc.Cases.AddGoal(r.Context(), g)
	}
	if err == nil {
		h.redirect(w, r, personPath(person.ID)+"#plan", "goal-added")
		return
	}
	h.planProblem(w, r, person, f, err, "goal-", []string{"text"})
}

// planProblem shows the person's page again with a form's problems, or fails.
func (h *Handler) planProblem(w http.ResponseWriter, r *http.Request, person *linkwork.Person, f *Form, err error, prefix string, fields []string) {
	problem, ok := prefixed(f, err, prefix, fields)
	if !ok {
		h.failed(w, r, err)
		return
	}
	h.showPerson(w, r, http.StatusUnprocessableEntity, person.ID, f, problem)
}

// GoalView is the view of the page that changes a goal.
type GoalView struct {
	Layout
	Person   *linkwork.Person
	Goal     *linkwork.Goal
	Steps    []StepRow
	Form     *Form
	Statuses []dirChoice
}

func goalStatusChoices() []dirChoice {
	out := make([]dirChoice, len(linkwork.GoalStatuses))
	for i, s := range linkwork.GoalStatuses {
		out[i] = dirChoice{Value: string(s), Label: s.Label()}
	}
	return out
}

func (h *Handler) goal(w http.ResponseWriter, r *http.Request) {
	person, err := h.workablePerson(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	_, g, err := h.planGoal(r, person.ID, "goal")
	if err != nil {
		h.failed(w, r, err)
		return
	}
	if err := h.auditPerson(r, linkwork.AuditPersonView, person.ID, "goal "+strconv.FormatInt(g.ID, 10)); err != nil {
		h.serverError(w, r, err)
		return
	}
	f := NewForm()
	f.Values["text"], f.Values["status"] = g.Text, string(g.Status)
	h.renderGoal(w, r, http.StatusOK, person, g, f)
}

func (h *Handler) renderGoal(w http.ResponseWriter, r *http.Request, status int, person *linkwork.Person, g *linkwork.Goal, f *Form) {
	f.Order = []string{"text", "status"}
	rows, _ := goalRows(&linkwork.SupportPlan{Goals: []*linkwork.Goal{g}}, timeNow().In(london))
	h.render(w, r, status, "goal", &GoalView{Layout: Layout{Title: "Change a goal"}, Person: person, Goal: g, Steps: rows[0].Steps,
		Form: f, Statuses: goalStatusChoices()})
}

func (h *Handler) updateGoal(w http.ResponseWriter, r *http.Request) {
	person, err := h.workablePerson(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	_, g, err := h.planGoal(r, person.ID, "goal")
	if err != nil {
		h.failed(w, r, err)
		return
	}
	f := formFrom(r, "text", "status")
	changed := *g
	changed.Text, changed.Status = f.Get("text"), linkwork.GoalStatus(f.Get("status"))
	if changed.Status == "" {
		f.Fail("status", "Choose where the goal stands.")
	}
	err = changed.Validate()
	if err == nil && !f.HasErrors() {
		err = h.svc.Cases.UpdateGoal(r.Context(), &changed)
		if err == nil {
			h.redirect(w, r, personPath(person.ID)+"#plan", "goal-saved")
			return
		}
	}
	if err != nil && !addProblems(f, err, []string{"text", "status"}, "text") {
		h.failed(w, r, err)
		return
	}
	h.renderGoal(w, r, http.StatusUnprocessableEntity, person, g, f)
}

func (h *Handler) addStep(w http.ResponseWriter, r *http.Request) {
	person, err := h.workablePerson(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	// A step with no goal of the person's is refused with the domain's message, which says
	// to add a goal first.
	gid := r.PathValue("goal")
	_, g, err := h.planGoal(r, person.ID, "goal")
	if err != nil && !isNotFound(err) {
		h.serverError(w, r, err)
		return
	}
	prefix := "step-" + gid + "-"
	f := formFrom(r, prefix+"text", prefix+"due_on")
	s := &linkwork.Step{PersonID: person.ID, Text: f.Get(prefix + "text"), DueOn: f.Get(prefix + "due_on"), Status: linkwork.StepToDo}
	if g != nil {
		s.GoalID = g.ID
	}
	err = s.Validate(person.OpenedOn, timeNow())
	if err == nil {
		err = h.svc.Cases.AddStep(r.Context(), s)
	}
	if err == nil {
		h.redirect(w, r, personPath(person.ID)+"#goal-"+gid, "step-added")
		return
	}
	fields := []string{"text", "due_on"}
	if g == nil {
		fields = nil // the page has no form for a goal that is not the person's: say it all at the top
	}
	h.planProblem(w, r, person, f, err, prefix, fields)
}

// StepView is the view of the page that changes a step.
type StepView struct {
	Layout
	Person   *linkwork.Person
	Goal     *linkwork.Goal
	Step     *linkwork.Step
	Form     *Form
	Statuses []dirChoice
}

// stepFields are the step form's fields in the order it shows them.
var stepFields = []string{"text", "due_on", "status", "done_on"}

// planStep finds a step of the person's plan, with its goal; ENOTFOUND if it is not theirs.
func (h *Handler) planStep(r *http.Request, personID int64) (*linkwork.Goal, *linkwork.Step, error) {
	sid, err := pathID(r, "step")
	if err != nil {
		return nil, nil, err
	}
	plan, err := h.svc.Cases.Plan(r.Context(), personID)
	if err != nil {
		return nil, nil, err
	}
	for _, g := range plan.Goals {
		for _, s := range g.Steps {
			if s.ID == sid {
				return g, s, nil
			}
		}
	}
	return nil, nil, linkwork.Errorf(linkwork.ENOTFOUND, "Step not found.")
}

func (h *Handler) step(w http.ResponseWriter, r *http.Request) {
	person, err := h.workablePerson(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	g, s, err := h.planStep(r, person.ID)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	if err := h.auditPerson(r, linkwork.AuditPersonView, person.ID, "step "+strconv.FormatInt(s.ID, 10)); err != nil {
		h.serverError(w, r, err)
		return
	}
	f := NewForm()
	f.Values["text"], f.Values["due_on"], f.Values["status"], f.Values["done_on"] = s.Text, s.DueOn, string(s.Status), s.DoneOn
	h.renderStep(w, r, http.StatusOK, person, g, s, f)
}

func (h *Handler) renderStep(w http.ResponseWriter, r *http.Request, status int, person *linkwork.Person, g *linkwork.Goal, s *linkwork.Step, f *Form) {
	f.Order = stepFields
	v := &StepView{Layout: Layout{Title: "Change a step"}, Person: person, Goal: g, Step: s, Form: f}
	for _, st := range linkwork.StepStatuses {
		v.Statuses = append(v.Statuses, dirChoice{Value: string(st), Label: st.Label()})
	}
	h.render(w, r, status, "step", v)
}

func (h *Handler) updateStep(w http.ResponseWriter, r *http.Request) {
	person, err := h.workablePerson(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	g, s, err := h.planStep(r, person.ID)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	f := formFrom(r, stepFields...)
	changed := *s
	changed.Text, changed.DueOn, changed.Status, changed.DoneOn = f.Get("text"), f.Get("due_on"), linkwork.StepStatus(f.Get("status")), f.Get("done_on")
	if changed.Status == "" {
		f.Fail("status", "Choose where the step stands.")
	}
	err = changed.Validate(person.OpenedOn, timeNow())
	if err == nil && !f.HasErrors() {
		err = h.svc.Cases.UpdateStep(r.Context(), &changed)
		if err == nil {
			h.redirect(w, r, personPath(person.ID)+"#goal-"+strconv.FormatInt(g.ID, 10), "step-saved")
			return
		}
	}
	if err != nil && !addProblems(f, err, stepFields, "text") {
		h.failed(w, r, err)
		return
	}
	h.renderStep(w, r, http.StatusUnprocessableEntity, person, g, s, f)
}

func (h *Handler) addNote(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	person, err := h.workablePerson(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	f := formFrom(r, "note-text", "note-goal_id")
	n := &linkwork.ProgressNote{PersonID: person.ID, Text: f.Get("note-text"), AuthorUserID: p.User.ID, AuthorName: p.User.Name}
	if gid := f.Get("note-goal_id"); gid != "" {
		plan, err := h.svc.Cases.Plan(r.Context(), person.ID)
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		i := slices.IndexFunc(plan.Goals, func(g *linkwork.Goal) bool { return strconv.FormatInt(g.ID, 10) == gid })
		if i < 0 {
			f.Fail("note-goal_id", "Choose a goal of the plan, or the plan as a whole.")
		} else {
			n.GoalID = plan.Goals[i].ID
		}
	}
	err = n.Validate()
	if err == nil && !f.HasErrors() {
		if err = h.svc.Cases.AddProgressNote(r.Context(), n); err == nil {
			h.redirect(w, r, personPath(person.ID)+"#notes", "note-added")
			return
		}
	}
	if err == nil {
		h.showPerson(w, r, http.StatusUnprocessableEntity, person.ID, f, "")
		return
	}
	h.planProblem(w, r, person, f, err, "note-", []string{"text", "goal_id"})
}

// PlanPrintView is the view of the plan printed for the person.
type PlanPrintView struct {
	Layout
	Person       *linkwork.Person
	Conversation *linkwork.Conversation
	Goals        []PrintGoal
	Worker       string
	Organisation string
	// Contact is how to reach the worker, from their entry in the directory of link
	// workers, if they have one.
	Contact *linkwork.Practitioner
	Today   string
}

// PrintGoal is a goal as the printed plan says it.
type PrintGoal struct {
	Text   string
	Status string
	Steps  []string
}

func (h *Handler) planPrint(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	person, err := h.pathPerson(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	if person.Status == linkwork.PersonErased {
		h.failed(w, r, linkwork.Errorf(linkwork.EINVALID, "This record has been erased: there is no plan to print."))
		return
	}
	rec, err := h.svc.Cases.PersonRecord(r.Context(), person.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	v := &PlanPrintView{Layout: Layout{Title: "Your plan"}, Person: person, Conversation: rec.Conversation,
		Worker: person.WorkerName, Organisation: person.OrganisationName, Today: timeNow().In(london).Format("2 January 2006")}
	if person.WorkerUserID != 0 {
		v.Title = "Your plan with " + person.WorkerName
		c, err := h.svc.Practitioners.FindPractitionerByUser(r.Context(), p.Place.ID, person.WorkerUserID)
		switch {
		case err == nil:
			v.Contact = c
		case !isNotFound(err):
			h.serverError(w, r, err)
			return
		}
	}
	for _, g := range rec.Plan.Goals {
		if g.Status == linkwork.GoalStopped {
			continue
		}
		pg := PrintGoal{Text: g.Text}
		switch g.Status {
		case linkwork.GoalMet:
			pg.Status = "You have done this."
		case linkwork.GoalPartlyMet:
			pg.Status = "You have done some of this."
		}
		for _, s := range g.Steps {
			switch s.Status {
			case linkwork.StepToDo:
				pg.Steps = append(pg.Steps, s.Text+", by "+weekdayDate(s.DueOn))
			case linkwork.StepDone:
				pg.Steps = append(pg.Steps, s.Text+": done on "+longDate(s.DoneOn))
			}
		}
		v.Goals = append(v.Goals, pg)
	}
	if err := h.auditPerson(r, linkwork.AuditPersonView, person.ID, "printed plan"); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "plan_print", v)
}

// weekdayDate writes a date with its day: "Tuesday 3 March 2026".
func weekdayDate(v string) string {
	d, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return v
	}
	return d.Format("Monday 2 January 2006")
}
