package api

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"linkwork"
)

// The community group portal's API: what a group keeps current about itself (how full its
// offers are, its volunteers, the activities it starts) and what it asks the place for.
// A group reads and writes its own organisations' records only; another organisation's are
// not found. The place-wide list of requests is for those who see the landscape, and only
// those who fund gaps mark a request met.
func (h *Handler) registerGroups(g registrar) {
	in, portal := linkwork.PermSignedIn, linkwork.PermGroupPortal
	g.Handle("GET", Prefix+"/services/{id}/availability", in, h.getAvailability)
	g.Handle("PUT", Prefix+"/services/{id}/availability", portal, h.putAvailability)
	g.Handle("GET", Prefix+"/groups/{org}/volunteers", portal, h.listVolunteers)
	g.Handle("PUT", Prefix+"/groups/{org}/volunteers", portal, h.putVolunteers)
	g.Handle("GET", Prefix+"/groups/{org}/activities", portal, h.listActivities)
	g.Handle("POST", Prefix+"/groups/{org}/activities", portal, h.addActivity)
	// Requests are listed for the group (its own) and for those who see the landscape
	// (every one in the place); closed by the group (withdrawn) or by those who fund gaps
	// (met). The handlers check which.
	g.Handle("GET", Prefix+"/groups/requests", in, h.listGroupRequests)
	g.Handle("POST", Prefix+"/groups/requests", portal, h.createGroupRequest)
	g.Handle("POST", Prefix+"/groups/requests/{id}/close", in, h.closeGroupRequest)
}

// AvailabilityView is a community offer's availability, with what it means this week.
type AvailabilityView struct {
	*linkwork.Availability
	// PlacesThisWeek is the places left when the group said them for this week; absent
	// otherwise.
	PlacesThisWeek *int `json:"places_this_week,omitempty"`
}

// AvailabilityBody is the body of PUT /services/{id}/availability.
type AvailabilityBody struct {
	Full       bool   `json:"full"`
	PlacesLeft *int   `json:"places_left"`
	Note       string `json:"note"`
	// Week is any day of the week the places are for (YYYY-MM-DD); this week when empty.
	Week string `json:"week"`
}

// VolunteerBody is the body of PUT /groups/{org}/volunteers: one month's figures.
type VolunteerBody struct {
	Month      string `json:"month"` // YYYY-MM
	Volunteers *int   `json:"volunteers"`
	Hours      *int   `json:"hours"`
}

// ActivityBody is the body of POST /groups/{org}/activities.
type ActivityBody struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	StartedOn   string `json:"started_on"` // YYYY-MM-DD
	Need        string `json:"need"`
	CoProduced  bool   `json:"co_produced"`
	ServiceID   int64  `json:"service_id"`
}

// GroupRequestBody is the body of POST /groups/requests.
type GroupRequestBody struct {
	// OrganisationID is the group asking; it may be left out by someone who keeps one
	// group only.
	OrganisationID int64                `json:"organisation_id"`
	Kind           linkwork.RequestKind `json:"kind"`
	Detail         string               `json:"detail"`
	Need           string               `json:"need"`
	Postcode       string               `json:"postcode"`
}

// CloseRequestBody is the body of POST /groups/requests/{id}/close.
type CloseRequestBody struct {
	Status   linkwork.RequestStatus `json:"status"`
	Response string                 `json:"response"`
	Version  *int                   `json:"version"`
}

// keepsGroup reports whether the principal keeps the portal of an organisation.
func keepsGroup(p *linkwork.Principal, orgID int64) bool {
	return slices.Contains(p.OrganisationsWith(linkwork.PermGroupPortal), orgID)
}

// communityOffer returns the community offer in the path if it is of the principal's place.
func (h *Handler) communityOffer(r *http.Request) (*linkwork.Service, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	s, err := h.svc.Directory.FindServiceByID(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if s.PlaceID != principal(r).Place.ID {
		return nil, linkwork.Errorf(linkwork.ENOTFOUND, "Service not found.")
	}
	if s.Kind != linkwork.KindActivity {
		return nil, linkwork.Errorf(linkwork.ENOTFOUND, "%s is a connector scheme: only community offers have availability.", s.Name)
	}
	return s, nil
}

func (h *Handler) getAvailability(w http.ResponseWriter, r *http.Request) {
	s, err := h.communityOffer(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeAvailability(w, r, s, http.StatusOK)
}

// writeAvailability answers with an offer's availability, or 404 when its group never said.
func (h *Handler) writeAvailability(w http.ResponseWriter, r *http.Request, s *linkwork.Service, status int) {
	avail, err := h.svc.Groups.Availability(r.Context(), []int64{s.ID})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	a := avail[s.ID]
	if a == nil {
		h.fail(w, r, linkwork.Errorf(linkwork.ENOTFOUND, "%s has not said how full it is yet.", s.Name))
		return
	}
	writeJSON(w, status, AvailabilityView{Availability: a, PlacesThisWeek: a.PlacesThisWeek(time.Now())})
}

func (h *Handler) putAvailability(w http.ResponseWriter, r *http.Request) {
	s, err := h.communityOffer(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !keepsGroup(principal(r), s.OrganisationID) {
		h.fail(w, r, linkwork.Errorf(linkwork.EFORBIDDEN, "Only the people of %s can say how full %s is.", s.OrganisationName, s.Name))
		return
	}
	var body AvailabilityBody
	if err := decode(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	a := &linkwork.Availability{ServiceID: s.ID, Full: body.Full, PlacesLeft: body.PlacesLeft, Note: body.Note}
	if body.Week != "" {
		week, err := time.Parse(time.DateOnly, body.Week)
		if err != nil {
			h.fail(w, r, linkwork.FieldError("week", "week must be a day of the week as YYYY-MM-DD, such as 2030-03-04, or left out for this week."))
			return
		}
		a.Week = week
	}
	if err := h.svc.Groups.SetAvailability(r.Context(), a); err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeAvailability(w, r, s, http.StatusOK)
}

// ownGroup returns the organisation in the path if the principal keeps its portal; any
// other organisation is not found.
func (h *Handler) ownGroup(r *http.Request) (int64, error) {
	id, err := pathID(r, "org")
	if err != nil {
		return 0, err
	}
	if !keepsGroup(principal(r), id) {
		return 0, linkwork.Errorf(linkwork.ENOTFOUND, "Organisation not found: you keep the records of your own groups only.")
	}
	return id, nil
}

func (h *Handler) listVolunteers(w http.ResponseWriter, r *http.Request) {
	org, err := h.ownGroup(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	page, err := pageParams(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	months, err := h.svc.Groups.Volunteers(r.Context(), org)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pageOf(months, page))
}

func (h *Handler) putVolunteers(w http.ResponseWriter, r *http.Request) {
	org, err := h.ownGroup(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var body VolunteerBody
	if err := decode(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	v := &linkwork.VolunteerMonth{OrganisationID: org}
	var ps linkwork.Problems
	if month, err := time.Parse("2006-01", strings.TrimSpace(body.Month)); err != nil {
		ps.Add(linkwork.FieldError("month", "month must be a month as YYYY-MM, such as 2030-03."))
	} else {
		v.Month = month
	}
	if body.Volunteers == nil {
		ps.Add(linkwork.FieldError("volunteers", "volunteers is required: how many volunteers helped in the month, 0 if none."))
	} else {
		v.Volunteers = *body.Volunteers
	}
	if body.Hours == nil {
		ps.Add(linkwork.FieldError("hours", "hours is required: the hours the volunteers gave in the month, 0 if none."))
	} else {
		v.Hours = *body.Hours
	}
	if err := ps.Err(); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.svc.Groups.SetVolunteers(r.Context(), v); err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (h *Handler) listActivities(w http.ResponseWriter, r *http.Request) {
	org, err := h.ownGroup(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	page, err := pageParams(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	list, err := h.svc.Groups.NewActivities(r.Context(), org)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pageOf(list, page))
}

func (h *Handler) addActivity(w http.ResponseWriter, r *http.Request) {
	org, err := h.ownGroup(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var body ActivityBody
	if err := decode(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	a := &linkwork.NewActivity{PlaceID: principal(r).Place.ID, OrganisationID: org, Name: body.Name, Description: body.Description,
		Need: body.Need, CoProduced: body.CoProduced, ServiceID: body.ServiceID}
	if body.StartedOn != "" {
		day, err := time.Parse(time.DateOnly, body.StartedOn)
		if err != nil {
			h.fail(w, r, linkwork.FieldError("started_on", "started_on must be a date as YYYY-MM-DD, such as 2030-03-04."))
			return
		}
		a.StartedOn = day
	}
	if body.ServiceID < 0 {
		h.fail(w, r, linkwork.FieldError("service_id", "service_id must be the ID of one of the group's listings, or 0 for none."))
		return
	}
	if err := h.svc.Groups.AddNewActivity(r.Context(), a); err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, a)
}

func (h *Handler) listGroupRequests(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	f := linkwork.RequestFilter{PlaceID: p.Place.ID}
	switch {
	case p.CanPlaceWide(linkwork.PermViewLandscape):
	case p.Can(linkwork.PermGroupPortal):
		f.OrganisationIDs = p.OrganisationsWith(linkwork.PermGroupPortal)
	default:
		h.fail(w, r, linkwork.Errorf(linkwork.EFORBIDDEN, "Your role does not allow this: requests are seen by the groups that make them and by those who plan the place's services."))
		return
	}
	page, err := pageParams(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f.Page = page
	q := r.URL.Query()
	for _, s := range q["status"] {
		for _, v := range strings.Split(s, ",") {
			st := linkwork.RequestStatus(strings.TrimSpace(v))
			if st.Label() == "" {
				h.fail(w, r, linkwork.FieldError("status", "status must be one or more of open, met and withdrawn, repeated or separated by commas."))
				return
			}
			if !slices.Contains(f.Statuses, st) {
				f.Statuses = append(f.Statuses, st)
			}
		}
	}
	for _, s := range q["kind"] {
		for _, v := range strings.Split(s, ",") {
			k := linkwork.RequestKind(strings.TrimSpace(v))
			if k.Label() == "" {
				h.fail(w, r, linkwork.FieldError("kind", "kind must be one or more of space, money, volunteers, training and other, repeated or separated by commas."))
				return
			}
			if !slices.Contains(f.Kinds, k) {
				f.Kinds = append(f.Kinds, k)
			}
		}
	}
	list, total, err := h.svc.Groups.ListRequests(r.Context(), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newList(list, page, total))
}

func (h *Handler) createGroupRequest(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	var body GroupRequestBody
	if err := decode(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	own := p.OrganisationsWith(linkwork.PermGroupPortal)
	switch {
	case body.OrganisationID == 0 && len(own) == 1:
		body.OrganisationID = own[0]
	case body.OrganisationID == 0:
		h.fail(w, r, linkwork.FieldError("organisation_id", "organisation_id is required: you keep more than one group, so say which is asking."))
		return
	case !slices.Contains(own, body.OrganisationID):
		h.fail(w, r, linkwork.Errorf(linkwork.EFORBIDDEN, "You can ask the place for your own groups only."))
		return
	}
	g := &linkwork.GroupRequest{PlaceID: p.Place.ID, OrganisationID: body.OrganisationID, Kind: body.Kind, Detail: body.Detail,
		Need: body.Need, Postcode: body.Postcode}
	if err := h.svc.Groups.CreateRequest(r.Context(), g); err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, g)
}

func (h *Handler) closeGroupRequest(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if !p.Can(linkwork.PermGroupPortal) && !p.Can(linkwork.PermManageFunding) {
		h.fail(w, r, linkwork.Errorf(linkwork.EFORBIDDEN, "Your role does not allow this: a request is withdrawn by its group, or marked met by those who fund gaps."))
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	g, err := h.svc.Groups.FindRequest(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	mine := keepsGroup(p, g.OrganisationID)
	if g.PlaceID != p.Place.ID || !mine && !p.CanPlaceWide(linkwork.PermViewLandscape) {
		h.fail(w, r, linkwork.Errorf(linkwork.ENOTFOUND, "Request not found."))
		return
	}
	var body CloseRequestBody
	if err := decode(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	switch body.Status {
	case linkwork.RequestWithdrawn:
		if !mine {
			h.fail(w, r, linkwork.Errorf(linkwork.EFORBIDDEN, "Only %s can withdraw its request.", g.OrganisationName))
			return
		}
	case linkwork.RequestMet:
		if !p.CanPlaceWide(linkwork.PermManageFunding) {
			h.fail(w, r, linkwork.Errorf(linkwork.EFORBIDDEN, "Only those who fund gaps in %s mark a request met; the group may withdraw it.", p.Place.Name))
			return
		}
	}
	if body.Version == nil {
		h.fail(w, r, linkwork.FieldError("version", "version is required: send the version of the request as you read it (it is now %d).", g.Version))
		return
	}
	out, err := h.svc.Groups.CloseRequest(r.Context(), g.ID, *body.Version, body.Status, body.Response)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}
