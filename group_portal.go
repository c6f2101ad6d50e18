package linkwork

import (
	"context"
	"strings"
	"time"
)

// The community group portal: what a community organisation's own people keep current and
// tell the place, on a phone, in plain words. Their listings' availability this week, the
// volunteers who keep them going, the new activities they start, and what they need from
// the place (space, money, volunteers, training), which the landscape reads beside its gaps.

// Availability is how full a community offer is now, kept by the group that runs it.
type Availability struct {
	ServiceID int64 `json:"service_id"`
	// Full says the offer is taking nobody new; Note says anything else ("Back open in
	// January", "Ring first").
	Full bool   `json:"full"`
	Note string `json:"note,omitempty"`
	// PlacesLeft is how many places are left in the week starting Week (a Monday, midnight
	// UTC); nil when the group has not said. It means nothing once that week is over.
	PlacesLeft *int      `json:"places_left,omitempty"`
	Week       time.Time `json:"week"`
	UpdatedAt  time.Time `json:"updated_at"`
	UpdatedBy  string    `json:"updated_by"`
}

// WeekOf returns the Monday (midnight UTC) of the week that holds t in Europe/London.
func WeekOf(t time.Time) time.Time {
	d := t.In(London)
	day := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
	back := (int(day.Weekday()) + 6) % 7
	return day.AddDate(0, 0, -back)
}

// PlacesThisWeek returns the places left in the week that holds now, or nil if the group
// has not said for this week.
func (a *Availability) PlacesThisWeek(now time.Time) *int {
	if a == nil || a.PlacesLeft == nil || !a.Week.Equal(WeekOf(now)) {
		return nil
	}
	return a.PlacesLeft
}

// Validate trims and checks an availability update.
func (a *Availability) Validate() error {
	a.Note = strings.TrimSpace(a.Note)
	var ps Problems
	if a.ServiceID == 0 {
		ps.Add(FieldError("service_id", "Choose the group or activity."))
	}
	if a.PlacesLeft != nil && (*a.PlacesLeft < 0 || *a.PlacesLeft > 10000) {
		ps.Add(FieldError("places_left", "Places left this week must be a whole number from 0 to 10,000."))
	}
	ps.Add(checkLength("note", "note", a.Note, 0, 300))
	return ps.Err()
}

// VolunteerMonth is how many volunteers gave how many hours to a group in a month.
type VolunteerMonth struct {
	OrganisationID int64     `json:"organisation_id"`
	Month          time.Time `json:"month"` // the first of the month, midnight UTC
	Volunteers     int       `json:"volunteers"`
	Hours          int       `json:"hours"`
	UpdatedAt      time.Time `json:"updated_at"`
	UpdatedBy      string    `json:"updated_by"`
}

// Validate checks a month's figures: not a future month, counts within reason.
func (v *VolunteerMonth) Validate(now time.Time) error {
	var ps Problems
	if v.Month.IsZero() {
		ps.Add(FieldError("month", "Choose the month."))
	} else {
		v.Month = time.Date(v.Month.Year(), v.Month.Month(), 1, 0, 0, 0, 0, time.UTC)
		if n := now.In(London); v.Month.After(time.Date(n.Year(), n.Month(), 1, 0, 0, 0, 0, time.UTC)) {
			ps.Add(FieldError("month", "The month cannot be in the future."))
		}
	}
	if v.Volunteers < 0 || v.Volunteers > 10000 {
		ps.Add(FieldError("volunteers", "The number of volunteers must be a whole number from 0 to 10,000."))
	}
	if v.Hours < 0 || v.Hours > 1_000_000 {
		ps.Add(FieldError("hours", "Hours must be a whole number from 0 to 1,000,000."))
	}
	if v.Hours > 0 && v.Volunteers == 0 {
		ps.Add(FieldError("volunteers", "Hours were given but no volunteers: say how many volunteers gave them."))
	}
	return ps.Err()
}

// NewActivity is an activity a group started: the measure of community capacity growing.
type NewActivity struct {
	ID             int64     `json:"id"`
	PlaceID        int64     `json:"place_id"`
	OrganisationID int64     `json:"organisation_id"`
	Name           string    `json:"name"`
	Description    string    `json:"description,omitempty"`
	StartedOn      time.Time `json:"started_on"` // a date, midnight UTC
	// Need is a need taxonomy term code, if the activity meets one.
	Need string `json:"need,omitempty"`
	// CoProduced says it was made with the people who use it.
	CoProduced bool `json:"co_produced"`
	// ServiceID is its listing in the directory, if it has one.
	ServiceID int64     `json:"service_id,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
}

// Validate trims and checks a new activity.
func (a *NewActivity) Validate(now time.Time) error {
	a.Name, a.Description, a.Need = strings.TrimSpace(a.Name), strings.TrimSpace(a.Description), strings.TrimSpace(a.Need)
	var ps Problems
	ps.Add(checkLength("name", "activity's name", a.Name, 1, 200))
	ps.Add(checkLength("description", "description", a.Description, 0, 2000))
	switch {
	case a.StartedOn.IsZero():
		ps.Add(FieldError("started_on", "Enter the day the activity started."))
	case a.StartedOn.After(now.AddDate(0, 0, 1)):
		ps.Add(FieldError("started_on", "The day it started cannot be in the future."))
	case a.StartedOn.Before(now.AddDate(-5, 0, 0)):
		ps.Add(FieldError("started_on", "Record activities started in the last five years."))
	}
	return ps.Err()
}

// RequestKind is what a group asks the place for.
type RequestKind string

// The kinds of request.
const (
	RequestSpace      RequestKind = "space"
	RequestMoney      RequestKind = "money"
	RequestVolunteers RequestKind = "volunteers"
	RequestTraining   RequestKind = "training"
	RequestOther      RequestKind = "other"
)

// RequestKinds lists them in the order forms show them.
var RequestKinds = []RequestKind{RequestSpace, RequestMoney, RequestVolunteers, RequestTraining, RequestOther}

var requestKindLabels = map[RequestKind]string{RequestSpace: "Space", RequestMoney: "Money",
	RequestVolunteers: "Volunteers", RequestTraining: "Training", RequestOther: "Something else"}

// Label is the kind in plain English.
func (k RequestKind) Label() string { return requestKindLabels[k] }

// RequestStatus is where a group's request stands.
type RequestStatus string

// The statuses: open until the place says it was met, or the group withdraws it.
const (
	RequestOpen      RequestStatus = "open"
	RequestMet       RequestStatus = "met"
	RequestWithdrawn RequestStatus = "withdrawn"
)

var requestStatusLabels = map[RequestStatus]string{RequestOpen: "Open", RequestMet: "Met", RequestWithdrawn: "Withdrawn"}

// Label is the status in plain English.
func (s RequestStatus) Label() string { return requestStatusLabels[s] }

// GroupRequest is a group telling the place what it needs. NeighbourhoodCode is the LSOA
// of the postcode given (or the group's venue), so that the landscape can show requests
// beside the gaps in the same neighbourhood.
type GroupRequest struct {
	ID                int64         `json:"id"`
	PlaceID           int64         `json:"place_id"`
	OrganisationID    int64         `json:"organisation_id"`
	OrganisationName  string        `json:"organisation_name"`
	Kind              RequestKind   `json:"kind"`
	Detail            string        `json:"detail"`
	Need              string        `json:"need,omitempty"` // a need term code the request would help meet, if any
	Postcode          string        `json:"postcode,omitempty"`
	NeighbourhoodCode string        `json:"neighbourhood_code,omitempty"`
	NeighbourhoodName string        `json:"neighbourhood_name,omitempty"`
	IMDDecile         int           `json:"imd_decile,omitempty"`
	Status            RequestStatus `json:"status"`
	// Response is the place's answer when it marks the request met.
	Response  string     `json:"response,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	CreatedBy string     `json:"created_by"`
	ClosedAt  *time.Time `json:"closed_at,omitempty"`
	ClosedBy  string     `json:"closed_by,omitempty"`
	Version   int        `json:"version"`
}

// Validate trims and checks a new request.
func (g *GroupRequest) Validate() error {
	g.Detail, g.Need, g.Postcode = strings.TrimSpace(g.Detail), strings.TrimSpace(g.Need), strings.TrimSpace(g.Postcode)
	var ps Problems
	if g.Kind.Label() == "" {
		ps.Add(FieldError("kind", "Choose what you need: space, money, volunteers, training or something else."))
	}
	ps.Add(checkLength("detail", "details", g.Detail, 10, 2000))
	if g.OrganisationID == 0 {
		ps.Add(FieldError("organisation_id", "Choose your group."))
	}
	return ps.Err()
}

// RequestFilter selects group requests. PlaceID is required.
type RequestFilter struct {
	PlaceID         int64
	OrganisationIDs []int64
	Statuses        []RequestStatus
	Kinds           []RequestKind
	Page            Page
}

// GroupPortalService keeps what community groups tell the place about themselves.
type GroupPortalService interface {
	// SetAvailability stores a community offer's availability (replacing the last), and
	// marks its listing verified by the actor today.
	SetAvailability(ctx context.Context, a *Availability) error
	// Availability returns the availability of the services given, by service ID; a
	// service the group never updated is absent.
	Availability(ctx context.Context, serviceIDs []int64) (map[int64]*Availability, error)

	// SetVolunteers stores an organisation's volunteers for a month (replacing the last).
	SetVolunteers(ctx context.Context, v *VolunteerMonth) error
	// Volunteers returns an organisation's months, newest first.
	Volunteers(ctx context.Context, organisationID int64) ([]*VolunteerMonth, error)

	AddNewActivity(ctx context.Context, a *NewActivity) error
	// NewActivities returns an organisation's new activities, most recent first.
	NewActivities(ctx context.Context, organisationID int64) ([]*NewActivity, error)

	// CreateRequest stores a group's request; the postcode, when given, must be known,
	// and gives the neighbourhood; without one the group's first venue does.
	CreateRequest(ctx context.Context, g *GroupRequest) error
	FindRequest(ctx context.Context, id int64) (*GroupRequest, error)
	ListRequests(ctx context.Context, f RequestFilter) ([]*GroupRequest, int, error)
	// CloseRequest marks an open request met (with the place's response) or withdrawn,
	// refusing a stale version with ECONFLICT.
	CloseRequest(ctx context.Context, id int64, version int, status RequestStatus, response string) (*GroupRequest, error)
}
