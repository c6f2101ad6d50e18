package linkwork

import (
	"strings"
	"time"
)

// CaseContact is one time a connector was in touch with the person: when, how, for how long,
// who was there and what happened, with the date of the next follow-up if one is due.
type CaseContact struct {
	ID       int64       `json:"id"`
	PersonID int64       `json:"person_id"`
	On       string      `json:"on"` // YYYY-MM-DD
	Mode     ContactMode `json:"mode"`
	Minutes  int         `json:"minutes"`
	// WorkerUserID is the connector who had the contact; With names anyone else there,
	// such as "Her daughter".
	WorkerUserID int64  `json:"worker_user_id,omitempty"`
	WorkerName   string `json:"worker_name"`
	With         string `json:"with,omitempty"`
	Note         string `json:"note,omitempty"`
	// FollowUpOn is when the worker means to be in touch next, if set.
	FollowUpOn string    `json:"follow_up_on,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}

// ContactMode is how a contact happened.
type ContactMode string

// The modes.
const (
	ModeFaceToFace ContactMode = "face_to_face"
	ModePhone      ContactMode = "phone"
	ModeVideo      ContactMode = "video"
	ModeHomeVisit  ContactMode = "home_visit"
	ModeGroup      ContactMode = "group"
	ModeMessage    ContactMode = "message" // text, email or letter
)

// ContactModes lists them in the order forms show them.
var ContactModes = []ContactMode{ModeFaceToFace, ModePhone, ModeVideo, ModeHomeVisit, ModeGroup, ModeMessage}

var contactModeLabels = map[ContactMode]string{ModeFaceToFace: "Face to face", ModePhone: "Phone",
	ModeVideo: "Video call", ModeHomeVisit: "Home visit", ModeGroup: "In a group", ModeMessage: "Text, email or letter"}

// Label is the mode in plain English.
func (m ContactMode) Label() string { return contactModeLabels[m] }

// MaxContactMinutes is the longest a single contact may be recorded as: a whole working day.
const MaxContactMinutes = 480

// Validate trims and checks a contact against the person's date of birth and today: the
// date must be real, not in the future and not before birth; the minutes from 1 to 480; a
// follow-up on or after the contact and within two years.
func (c *CaseContact) Validate(dob string, today time.Time) error {
	c.On, c.With, c.Note, c.FollowUpOn = strings.TrimSpace(c.On), strings.TrimSpace(c.With), strings.TrimSpace(c.Note), strings.TrimSpace(c.FollowUpOn)
	var ps Problems
	if c.On == "" {
		ps.Add(FieldError("on", "Enter the date of the contact."))
	} else {
		ps.Add(validateDay("on", c.On, dob, today))
	}
	if contactModeLabels[c.Mode] == "" {
		ps.Add(FieldError("mode", "Choose how the contact happened: face_to_face, phone, video, home_visit, group or message."))
	}
	if c.Minutes < 1 || c.Minutes > MaxContactMinutes {
		ps.Add(FieldError("minutes", "Enter how long the contact took, in whole minutes from 1 to %d.", MaxContactMinutes))
	}
	ps.Add(validateText("with", c.With, 200, false))
	ps.Add(validateText("note", c.Note, MaxPersonTextLength, false))
	ps.Add(validateFutureDay("follow_up_on", c.FollowUpOn, c.On, today))
	return ps.Err()
}
