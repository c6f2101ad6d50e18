package linkwork

import (
	"strings"
	"time"
)

// Conversation is the record of the first "what matters to me" conversation: what matters
// to the person, their strengths, interests and passions, what gets in the way, and the four
// building blocks the link worker and the person looked at together. One per person; it can
// be revised, and each revision is saved over the last with who and when.
type Conversation struct {
	PersonID int64  `json:"person_id"`
	HeldOn   string `json:"held_on"` // YYYY-MM-DD
	// WhatMatters is in the person's own words.
	WhatMatters string `json:"what_matters"`
	Strengths   string `json:"strengths,omitempty"`
	Interests   string `json:"interests,omitempty"` // interests and passions
	Barriers    string `json:"barriers,omitempty"`  // what gets in the way
	// The building blocks: connecting with people, a space to meet or be, skills and
	// passions to share, and taking control.
	Connect string `json:"connect,omitempty"`
	Space   string `json:"space,omitempty"`
	Skills  string `json:"skills,omitempty"`
	Control string `json:"control,omitempty"`
	Notes   string `json:"notes,omitempty"`

	UpdatedByUserID int64     `json:"updated_by_user_id,omitempty"`
	UpdatedBy       string    `json:"updated_by"`
	UpdatedAt       time.Time `json:"updated_at"`
	// Version is 0 before the first save; a save names the version it was made on.
	Version int `json:"version"`
}

// Validate trims and checks a conversation; dob is the person's date of birth.
func (c *Conversation) Validate(dob string, today time.Time) error {
	for _, s := range []*string{&c.HeldOn, &c.WhatMatters, &c.Strengths, &c.Interests, &c.Barriers,
		&c.Connect, &c.Space, &c.Skills, &c.Control, &c.Notes} {
		*s = strings.TrimSpace(*s)
	}
	var ps Problems
	if c.HeldOn == "" {
		ps.Add(FieldError("held_on", "Enter the date of the conversation."))
	} else {
		ps.Add(validateDay("held_on", c.HeldOn, dob, today))
	}
	if c.WhatMatters == "" {
		ps.Add(FieldError("what_matters", "Enter what matters to the person, in their own words."))
	}
	for field, v := range map[string]string{"what_matters": c.WhatMatters, "strengths": c.Strengths, "interests": c.Interests,
		"barriers": c.Barriers, "connect": c.Connect, "space": c.Space, "skills": c.Skills, "control": c.Control, "notes": c.Notes} {
		ps.Add(validateText(field, v, MaxPersonTextLength, false))
	}
	return ps.Err()
}

// Goal is something the person wants, in their own words, broken into small steps.
type Goal struct {
	ID        int64      `json:"id"`
	PersonID  int64      `json:"person_id"`
	Text      string     `json:"text"`
	Status    GoalStatus `json:"status"`
	Position  int        `json:"position"`
	Steps     []*Step    `json:"steps"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
}

// GoalStatus is where a goal stands.
type GoalStatus string

// The goal statuses.
const (
	GoalActive    GoalStatus = "active"
	GoalMet       GoalStatus = "met"
	GoalPartlyMet GoalStatus = "partly_met"
	GoalStopped   GoalStatus = "stopped" // the person no longer wants it
)

// GoalStatuses lists them in the order forms show them.
var GoalStatuses = []GoalStatus{GoalActive, GoalMet, GoalPartlyMet, GoalStopped}

var goalStatusLabels = map[GoalStatus]string{GoalActive: "Working on it", GoalMet: "Done",
	GoalPartlyMet: "Partly done", GoalStopped: "No longer wanted"}

// Label is the status in plain English.
func (s GoalStatus) Label() string { return goalStatusLabels[s] }

// Validate trims and checks a goal; a new goal with no status is active.
func (g *Goal) Validate() error {
	g.Text = strings.TrimSpace(g.Text)
	if g.Status == "" {
		g.Status = GoalActive
	}
	var ps Problems
	if g.Text == "" {
		ps.Add(FieldError("text", "Enter the goal, in the person's own words."))
	}
	ps.Add(validateText("text", g.Text, MaxShortTextLength, false))
	if goalStatusLabels[g.Status] == "" {
		ps.Add(FieldError("status", "Choose the goal's status: active, met, partly_met or stopped."))
	}
	return ps.Err()
}

// Step is one small step towards a goal, with a date it is due by. Every step belongs to a
// goal. A step may be a referral on to a community offer (OnwardReferralID).
type Step struct {
	ID       int64      `json:"id"`
	GoalID   int64      `json:"goal_id"`
	PersonID int64      `json:"person_id"`
	Text     string     `json:"text"`
	DueOn    string     `json:"due_on"` // YYYY-MM-DD
	Status   StepStatus `json:"status"`
	// DoneOn is when a done step was done.
	DoneOn string `json:"done_on,omitempty"`
	// ServiceID is a community offer from the directory the step is about, if any.
	ServiceID        int64     `json:"service_id,omitempty"`
	ServiceName      string    `json:"service_name,omitempty"`
	OnwardReferralID int64     `json:"onward_referral_id,omitempty"`
	Position         int       `json:"position"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

// StepStatus is where a step stands.
type StepStatus string

// The step statuses.
const (
	StepToDo    StepStatus = "to_do"
	StepDone    StepStatus = "done"
	StepNotDone StepStatus = "not_done" // tried, or dropped, and not done
)

// StepStatuses lists them in the order forms show them.
var StepStatuses = []StepStatus{StepToDo, StepDone, StepNotDone}

var stepStatusLabels = map[StepStatus]string{StepToDo: "To do", StepDone: "Done", StepNotDone: "Not done"}

// Label is the status in plain English.
func (s StepStatus) Label() string { return stepStatusLabels[s] }

// Validate trims and checks a step. It must name its goal; the due date is required, not
// before the case opened and within two years; a done step needs the date it was done (not
// in the future), which defaults to today.
func (s *Step) Validate(openedOn string, today time.Time) error {
	s.Text, s.DueOn, s.DoneOn = strings.TrimSpace(s.Text), strings.TrimSpace(s.DueOn), strings.TrimSpace(s.DoneOn)
	if s.Status == "" {
		s.Status = StepToDo
	}
	var ps Problems
	if s.GoalID == 0 {
		ps.Add(FieldError("goal_id", "Choose the goal this step is towards. Add a goal first if there is none."))
	}
	if s.Text == "" {
		ps.Add(FieldError("text", "Enter the step, such as \"Go to the walking group on Tuesday\"."))
	}
	ps.Add(validateText("text", s.Text, MaxShortTextLength, false))
	if s.DueOn == "" {
		ps.Add(FieldError("due_on", "Enter the date the step is due by."))
	} else {
		ps.Add(validateFutureDay("due_on", s.DueOn, openedOn, today))
	}
	switch s.Status {
	case StepDone:
		if s.DoneOn == "" {
			s.DoneOn = today.Format(time.DateOnly)
		}
		if err := validateDay("done_on", s.DoneOn, "", today); err != nil {
			ps.Add(err)
		} else if s.DoneOn < openedOn {
			ps.Add(FieldError("done_on", "The date it was done cannot be before the case opened (%s).", longDay(openedOn)))
		}
	case StepToDo, StepNotDone:
		s.DoneOn = ""
	default:
		ps.Add(FieldError("status", "Choose the step's status: to_do, done or not_done."))
	}
	return ps.Err()
}

// Overdue reports whether a step still to do was due before today.
func (s *Step) Overdue(today time.Time) bool {
	return s.Status == StepToDo && s.DueOn != "" && s.DueOn < today.Format(time.DateOnly)
}

// ProgressNote is a dated note on how the person is getting on, about the plan as a whole
// or one goal.
type ProgressNote struct {
	ID           int64     `json:"id"`
	PersonID     int64     `json:"person_id"`
	GoalID       int64     `json:"goal_id,omitempty"`
	Text         string    `json:"text"`
	AuthorUserID int64     `json:"author_user_id,omitempty"`
	AuthorName   string    `json:"author_name"`
	At           time.Time `json:"at"`
}

// Validate trims and checks a note.
func (n *ProgressNote) Validate() error {
	n.Text = strings.TrimSpace(n.Text)
	if n.Text == "" {
		return FieldError("text", "Enter the note.")
	}
	return validateText("text", n.Text, MaxPersonTextLength, false)
}

// SupportPlan is a person's goals with their steps (in order) and progress notes (newest
// first).
type SupportPlan struct {
	Goals []*Goal         `json:"goals"`
	Notes []*ProgressNote `json:"notes"`
}

// longDay writes a YYYY-MM-DD date as "4 March 2030", or leaves it as it is.
func longDay(day string) string {
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return d.Format("2 January 2006")
}
