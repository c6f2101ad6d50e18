package api

import (
	"net/http"

	"linkwork"
)

func (h *Handler) registerSupportPlan(g registrar) {
	view, manage := linkwork.PermViewCases, linkwork.PermManageCases
	g.Handle("PUT", Prefix+"/people/{id}/what-matters", manage, h.putConversation)
	g.Handle("GET", Prefix+"/people/{id}/plan", view, h.getPlan)
	g.Handle("POST", Prefix+"/people/{id}/goals", manage, h.addGoal)
	g.Handle("PUT", Prefix+"/people/{id}/goals/{goal}", manage, h.updateGoal)
	g.Handle("POST", Prefix+"/people/{id}/goals/{goal}/steps", manage, h.addStep)
	g.Handle("PUT", Prefix+"/people/{id}/steps/{step}", manage, h.updateStep)
	g.Handle("POST", Prefix+"/people/{id}/notes", manage, h.addNote)
}

// ConversationBody is the body of PUT /people/{id}/what-matters: the "what matters to me"
// conversation, with the version it was read at (0 before the first save).
type ConversationBody struct {
	Version     *int   `json:"version"`
	HeldOn      string `json:"held_on"`
	WhatMatters string `json:"what_matters"`
	Strengths   string `json:"strengths"`
	Interests   string `json:"interests"`
	Barriers    string `json:"barriers"`
	Connect     string `json:"connect"`
	Space       string `json:"space"`
	Skills      string `json:"skills"`
	Control     string `json:"control"`
	Notes       string `json:"notes"`
}

// GoalBody is the body of POST /people/{id}/goals and PUT /people/{id}/goals/{goal}.
type GoalBody struct {
	Text   string              `json:"text"`
	Status linkwork.GoalStatus `json:"status"`
}

// StepBody is the body of POST /people/{id}/goals/{goal}/steps.
type StepBody struct {
	Text   string              `json:"text"`
	DueOn  string              `json:"due_on"`
	Status linkwork.StepStatus `json:"status"`
	DoneOn string              `json:"done_on"`
	// ServiceID is a community offer in the directory the step is about; 0 for none.
	ServiceID int64 `json:"service_id"`
}

// StepUpdate is the body of PUT /people/{id}/steps/{step}.
type StepUpdate struct {
	Text   string              `json:"text"`
	DueOn  string              `json:"due_on"`
	Status linkwork.StepStatus `json:"status"`
	DoneOn string              `json:"done_on"`
}

// NoteBody is the body of POST /people/{id}/notes.
type NoteBody struct {
	Text string `json:"text"`
	// GoalID is the goal the note is about; 0 for the plan as a whole.
	GoalID int64 `json:"goal_id"`
}

// tidyPlan makes a plan's lists empty rather than null, as the API promises.
func tidyPlan(plan *linkwork.SupportPlan) *linkwork.SupportPlan {
	if plan.Goals == nil {
		plan.Goals = []*linkwork.Goal{}
	}
	if plan.Notes == nil {
		plan.Notes = []*linkwork.ProgressNote{}
	}
	for _, g := range plan.Goals {
		tidyGoal(g)
	}
	return plan
}

func tidyGoal(g *linkwork.Goal) *linkwork.Goal {
	if g.Steps == nil {
		g.Steps = []*linkwork.Step{}
	}
	return g
}

// findGoal returns the plan's goal id, or nil.
func findGoal(plan *linkwork.SupportPlan, id int64) *linkwork.Goal {
	for _, g := range plan.Goals {
		if g.ID == id {
			return g
		}
	}
	return nil
}

// findStep returns the plan's step id, or nil.
func findStep(plan *linkwork.SupportPlan, id int64) *linkwork.Step {
	for _, g := range plan.Goals {
		for _, s := range g.Steps {
			if s.ID == id {
				return s
			}
		}
	}
	return nil
}

// noGoal is the answer when a goal named in a step or note is not one of the person's.
func noGoal(person *linkwork.Person, field string, id int64) error {
	return linkwork.FieldError(field, "%s's plan has no goal %d. Add the goal first with POST %s/people/%d/goals, then use the id it answers.",
		person.KnownAs(), id, Prefix, person.ID)
}

func (h *Handler) putConversation(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	person, err := h.openPerson(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var body ConversationBody
	if err := decode(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	if body.Version == nil {
		h.fail(w, r, linkwork.FieldError("version", "version is required: 0 for the first conversation, otherwise the version you read."))
		return
	}
	c := &linkwork.Conversation{PersonID: person.ID, Version: *body.Version, HeldOn: body.HeldOn, WhatMatters: body.WhatMatters,
		Strengths: body.Strengths, Interests: body.Interests, Barriers: body.Barriers, Connect: body.Connect, Space: body.Space,
		Skills: body.Skills, Control: body.Control, Notes: body.Notes, UpdatedByUserID: p.User.ID, UpdatedBy: p.User.Name}
	if err := c.Validate(person.DateOfBirth, today()); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.svc.Cases.SaveConversation(r.Context(), c); err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (h *Handler) getPlan(w http.ResponseWriter, r *http.Request) {
	person, err := h.visiblePerson(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	plan, err := h.svc.Cases.Plan(r.Context(), person.ID)
	if err == nil {
		err = h.auditPerson(r, linkwork.AuditPersonView, person.ID, "api: support plan")
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, tidyPlan(plan))
}

func (h *Handler) addGoal(w http.ResponseWriter, r *http.Request) {
	person, err := h.openPerson(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var body GoalBody
	if err := decode(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	g := &linkwork.Goal{PersonID: person.ID, Text: body.Text, Status: body.Status}
	if err := g.Validate(); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.svc.Cases.AddGoal(r.Context(), g); err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, tidyGoal(g))
}

// personGoal returns the open case in the path and its plan's goal in the path "goal",
// ENOTFOUND if the plan has no such goal.
func (h *Handler) personGoal(r *http.Request) (*linkwork.Person, *linkwork.SupportPlan, *linkwork.Goal, error) {
	person, err := h.openPerson(r)
	if err != nil {
		return nil, nil, nil, err
	}
	id, err := pathID(r, "goal")
	if err != nil {
		return nil, nil, nil, err
	}
	plan, err := h.svc.Cases.Plan(r.Context(), person.ID)
	if err != nil {
		return nil, nil, nil, err
	}
	return person, plan, findGoal(plan, id), nil
}

func (h *Handler) updateGoal(w http.ResponseWriter, r *http.Request) {
	person, _, g, err := h.personGoal(r)
	if err == nil && g == nil {
		err = linkwork.Errorf(linkwork.ENOTFOUND, "%s's plan has no goal %s.", person.KnownAs(), r.PathValue("goal"))
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var body GoalBody
	if err := decode(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	changed := *g
	changed.Text, changed.Status = body.Text, body.Status
	if err := changed.Validate(); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.svc.Cases.UpdateGoal(r.Context(), &changed); err != nil {
		h.fail(w, r, err)
		return
	}
	plan, err := h.svc.Cases.Plan(r.Context(), person.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if now := findGoal(plan, g.ID); now != nil {
		writeJSON(w, http.StatusOK, tidyGoal(now))
		return
	}
	writeJSON(w, http.StatusOK, tidyGoal(&changed))
}

func (h *Handler) addStep(w http.ResponseWriter, r *http.Request) {
	person, err := h.openPerson(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var body StepBody
	if err := decode(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	s := &linkwork.Step{PersonID: person.ID, Text: body.Text, DueOn: body.DueOn, Status: body.Status, DoneOn: body.DoneOn,
		ServiceID: body.ServiceID}
	var ps linkwork.Problems
	// Every step is towards a goal: the one in the path, which must be the person's.
	goalID, err := pathID(r, "goal")
	if err == nil {
		plan, err := h.svc.Cases.Plan(r.Context(), person.ID)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if findGoal(plan, goalID) != nil {
			s.GoalID = goalID
		} else {
			ps.Add(noGoal(person, "goal_id", goalID))
		}
	} else {
		ps.Add(linkwork.FieldError("goal_id", "Every step is towards a goal, and %q is not a goal's id. Add a goal first with POST %s/people/%d/goals.",
			r.PathValue("goal"), Prefix, person.ID))
	}
	if body.ServiceID < 0 {
		ps.Add(linkwork.FieldError("service_id", "service_id must be the ID of a community offer in the directory, or 0 for none."))
	}
	for _, e := range linkwork.FieldErrors(s.Validate(person.OpenedOn, today())) {
		if e.Field != "goal_id" || s.GoalID != 0 {
			ps.Add(e)
		}
	}
	if err := ps.Err(); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.svc.Cases.AddStep(r.Context(), s); err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, s)
}

func (h *Handler) updateStep(w http.ResponseWriter, r *http.Request) {
	person, err := h.openPerson(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	id, err := pathID(r, "step")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	plan, err := h.svc.Cases.Plan(r.Context(), person.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	s := findStep(plan, id)
	if s == nil {
		h.fail(w, r, linkwork.Errorf(linkwork.ENOTFOUND, "%s's plan has no step %d.", person.KnownAs(), id))
		return
	}
	var body StepUpdate
	if err := decode(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	changed := *s
	changed.Text, changed.DueOn, changed.Status, changed.DoneOn = body.Text, body.DueOn, body.Status, body.DoneOn
	if err := changed.Validate(person.OpenedOn, today()); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.svc.Cases.UpdateStep(r.Context(), &changed); err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, &changed)
}

func (h *Handler) addNote(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	person, err := h.openPerson(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var body NoteBody
	if err := decode(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	n := &linkwork.ProgressNote{PersonID: person.ID, GoalID: body.GoalID, Text: body.Text, AuthorUserID: p.User.ID, AuthorName: p.User.Name}
	var ps linkwork.Problems
	ps.Add(n.Validate())
	if body.GoalID != 0 {
		plan, err := h.svc.Cases.Plan(r.Context(), person.ID)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if findGoal(plan, body.GoalID) == nil {
			ps.Add(noGoal(person, "goal_id", body.GoalID))
		}
	}
	if err := ps.Err(); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.svc.Cases.AddProgressNote(r.Context(), n); err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, n)
}
