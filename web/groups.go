package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"linkwork"
)

// The community group portal: a community organisation's own page, made for a volunteer on
// a phone. For each of the principal's groups: how full each of its offers is this week
// (with a one-tap "still correct"), its accessibility, the referrals waiting for an answer,
// its volunteers, the new activities it started, and what it has asked the place for. The
// place-wide list of those requests (groups_requests) is for the people who plan, who mark
// them met. A group sees only its own organisations' records: another's is not found.

func (h *Handler) registerGroups(g registrar) {
	portal := linkwork.PermGroupPortal
	g.Handle("GET", "/groups", portal, h.groups)
	g.Handle("POST", "/groups/services/{id}/availability", portal, h.setAvailability)
	g.Handle("POST", "/groups/services/{id}/accessibility", portal, h.setAccessibility)
	g.Handle("POST", "/groups/{org}/volunteers", portal, h.setVolunteers)
	g.Handle("POST", "/groups/{org}/activities", portal, h.addActivity)
	g.Handle("POST", "/groups/{org}/requests", portal, h.createGroupRequest)
	g.Handle("POST", "/groups/requests/{id}/withdraw", portal, h.withdrawGroupRequest)
	g.Handle("GET", "/groups/requests", linkwork.PermViewLandscape, h.placeRequests)
	g.Handle("POST", "/groups/requests/{id}/met", linkwork.PermManageFunding, h.meetGroupRequest)
}

func init() {
	for k, v := range map[string]string{
		"availability-saved":  "Thank you. People choosing where to go will see this now.",
		"availability-same":   "Thank you. The listing is marked as checked today.",
		"accessibility-saved": "The accessibility information has been saved.",
		"volunteers-saved":    "Your volunteers for the month have been saved.",
		"activity-added":      "The new activity has been added.",
		"request-sent":        "Your request has been sent to the place. You will see here when it is answered.",
		"request-withdrawn":   "Your request has been withdrawn.",
		"request-met":         "The request is marked as met, and the group will see your response.",
	} {
		flashMessages[k] = v
	}
}

// groupsPerPage is how many of a group's requests the page lists: the newest.
const groupsPerPage = 20

// GroupField is what the groups page's form templates need to draw one field of one of the
// page's many forms: the id is the form's prefix and the field's name, unique on the page
// (and the key of its value and error in the page's Form), the name is the field's name as
// the form posts it.
type GroupField struct {
	Form    *Form
	ID      string
	Name    string
	Label   string
	Hint    string
	Type    string
	Width   string
	Numeric bool
	Blank   string
	Options []dirChoice
}

func newGroupField(f *Form, prefix, name, label string) GroupField {
	return GroupField{Form: f, ID: prefix + "-" + name, Name: name, Label: label, Type: "text"}
}

// WithHint returns the field with hint text under its label.
func (g GroupField) WithHint(hint string) GroupField { g.Hint = hint; return g }

// Wide returns the field with a fixed width class.
func (g GroupField) Wide(w string) GroupField { g.Width = w; return g }

// Number returns the field as a whole number, with the phone's number keypad.
func (g GroupField) Number() GroupField { g.Numeric = true; return g }

// Date returns the field as a date, with the phone's date picker.
func (g GroupField) Date() GroupField { g.Type = "date"; return g }

// Choose returns the field with options (a select or radios); blank, if not empty, is a
// select's first option, meaning none. Each option gets an id: the field's for the first,
// then id-2, id-3 and so on.
func (g GroupField) Choose(opts []dirChoice, blank string) GroupField {
	g.Blank = blank
	g.Options = make([]dirChoice, len(opts))
	for i, o := range opts {
		o.ID = g.ID
		if i > 0 {
			o.ID += "-" + strconv.Itoa(i+1)
		}
		g.Options[i] = o
	}
	return g
}

// Value is the field's value as typed.
func (g GroupField) Value() string { return g.Form.Get(g.ID) }

// Error is the field's problem, if any.
func (g GroupField) Error() string { return g.Form.Error(g.ID) }

// GroupsView is the view of "Your groups".
type GroupsView struct {
	Layout
	// Form holds the values and problems of whichever of the page's forms was sent back,
	// keyed by the field's id (form prefix and field name).
	Form   *Form
	Groups []*GroupPanel
	// Meetings are the forum meetings that invite the groups (when the place has a forum).
	Meetings []*linkwork.Meeting
	Kinds    []dirChoice
	Needs    []dirChoice
	Months   []dirChoice
	YesNo    []dirChoice
}

// Field returns a field of one of the page's forms.
func (v *GroupsView) Field(prefix, name, label string) GroupField {
	return newGroupField(v.Form, prefix, name, label)
}

// Failed reports whether the form with the prefix was sent back with problems, so that it
// is shown open.
func (v *GroupsView) Failed(prefix string) bool {
	for k := range v.Form.Errors {
		if strings.HasPrefix(k, prefix+"-") {
			return true
		}
	}
	return false
}

// NeedLabel names a need term by its code.
func (v *GroupsView) NeedLabel(code string) string {
	for _, n := range v.Needs {
		if n.Value == code {
			return n.Label
		}
	}
	return code
}

// RequestTag is the colour of a request's status tag.
func (v *GroupsView) RequestTag(s linkwork.RequestStatus) string { return requestTag(s) }

func requestTag(s linkwork.RequestStatus) string {
	switch s {
	case linkwork.RequestOpen:
		return "nhsuk-tag--blue"
	case linkwork.RequestMet:
		return "nhsuk-tag--green"
	}
	return "nhsuk-tag--grey"
}

// GroupPanel is one of the principal's organisations on the page.
type GroupPanel struct {
	ID     int64
	Name   string
	Offers []*OfferPanel
	// Waiting is the referrals to its offers waiting for an answer.
	Waiting int
	// ThisMonth and LastMonth are its volunteers, nil when not recorded.
	ThisMonth, LastMonth           *linkwork.VolunteerMonth
	ThisMonthLabel, LastMonthLabel string
	Activities                     []*linkwork.NewActivity
	Requests                       []*linkwork.GroupRequest
	MoreRequests                   int
	// OfferChoices are its listings, for saying which listing a new activity has.
	OfferChoices []dirChoice
}

// Prefix is the prefix of the panel's forms of one kind: "vol", "act" or "req".
func (g *GroupPanel) Prefix(kind string) string { return kind + "-" + strconv.FormatInt(g.ID, 10) }

// OfferPanel is one community offer with its quick update.
type OfferPanel struct {
	S *linkwork.Service
	// Next is when it next runs, in words; "" when it has no times.
	Next string
	// Availability says how full it is in words, with the colour of its tag.
	Availability string
	Tag          string
	Note         string
	UpdatedBy    string
	Checked      string // the day it was last checked, or ""
	Stale        bool   // not checked for linkwork.VerifyEvery
	// Version is when the listing last changed, sent with the accessibility form so that a
	// change made meanwhile is not overwritten.
	Version string
}

// Prefix is the prefix of the offer's availability form; AccessPrefix its accessibility
// form's.
func (o *OfferPanel) Prefix() string { return "svc-" + strconv.FormatInt(o.S.ID, 10) }

// AccessPrefix is the prefix of the offer's accessibility form.
func (o *OfferPanel) AccessPrefix() string { return "acc-" + strconv.FormatInt(o.S.ID, 10) }

// availabilityWords says how full an offer is this week, for the groups page, and the colour
// of its tag.
func availabilityWords(a *linkwork.Availability, now time.Time) (string, string) {
	switch {
	case a != nil && a.Full:
		return "Full", "nhsuk-tag--red"
	case a.PlacesThisWeek(now) != nil:
		return placesLeft(*a.PlacesThisWeek(now)), "nhsuk-tag--green"
	case a != nil && a.Week.Equal(linkwork.WeekOf(now)):
		return "Taking people this week", "nhsuk-tag--green"
	}
	return "Not updated this week", "nhsuk-tag--grey"
}

// placesLeft says how many places are left this week.
func placesLeft(n int) string {
	switch n {
	case 0:
		return "No places left this week"
	case 1:
		return "1 place left this week"
	}
	return strconv.Itoa(n) + " places left this week"
}

// directoryAvailability says how full an offer is for people choosing where to go: "Full",
// or the places left this week, or "" when the group has not said for this week.
func directoryAvailability(a *linkwork.Availability, now time.Time) (text string, full bool) {
	if a == nil {
		return "", false
	}
	if a.Full {
		return "Full", true
	}
	if n := a.PlacesThisWeek(now); n != nil {
		return placesLeft(*n), *n == 0
	}
	return "", false
}

// monthChoices are the months volunteers may be recorded for: this month in London and the
// eleven before it, newest first.
func monthChoices(now time.Time) []dirChoice {
	n := now.In(london)
	first := time.Date(n.Year(), n.Month(), 1, 0, 0, 0, 0, time.UTC)
	out := make([]dirChoice, 12)
	for i := range out {
		m := first.AddDate(0, -i, 0)
		out[i] = dirChoice{Value: m.Format("2006-01"), Label: m.Format("January 2006")}
	}
	return out
}

// groupOrganisations returns the organisations whose portal the principal keeps, by name.
func groupOrganisations(p *linkwork.Principal) []dirChoice {
	var out []dirChoice
	for _, id := range p.OrganisationsWith(linkwork.PermGroupPortal) {
		for _, m := range p.Memberships {
			if m.OrganisationID == id {
				out = append(out, dirChoice{Value: strconv.FormatInt(id, 10), Label: m.OrganisationName})
				break
			}
		}
	}
	slices.SortFunc(out, func(a, b dirChoice) int { return strings.Compare(strings.ToLower(a.Label), strings.ToLower(b.Label)) })
	return out
}

// keepsGroup reports whether the principal keeps the portal of an organisation.
func keepsGroup(p *linkwork.Principal, orgID int64) bool {
	return slices.Contains(p.OrganisationsWith(linkwork.PermGroupPortal), orgID)
}

// needChoices are the place's needs, by code.
func needChoices(taxes []*linkwork.Taxonomy) []dirChoice {
	var out []dirChoice
	for _, t := range taxes {
		if t.Code != linkwork.TaxonomyNeed {
			continue
		}
		for _, term := range t.Terms {
			out = append(out, dirChoice{Value: term.Code, Label: term.Name})
		}
	}
	return out
}

var requestKindChoices = func() []dirChoice {
	out := make([]dirChoice, len(linkwork.RequestKinds))
	for i, k := range linkwork.RequestKinds {
		out[i] = dirChoice{Value: string(k), Label: k.Label()}
	}
	return out
}()

var yesNo = []dirChoice{{Value: "yes", Label: "Yes, it is full"}, {Value: "no", Label: "No, it has room"}}

func (h *Handler) groups(w http.ResponseWriter, r *http.Request) {
	h.showGroups(w, r, http.StatusOK, NewForm())
}

// showGroups renders "Your groups" with status; f holds a form sent back with problems.
func (h *Handler) showGroups(w http.ResponseWriter, r *http.Request, status int, f *Form) {
	ctx, p, now := r.Context(), principal(r), timeNow()
	v := &GroupsView{Layout: Layout{Title: "Your groups"}, Form: f, Kinds: requestKindChoices, Months: monthChoices(now), YesNo: yesNo}
	orgs := groupOrganisations(p)
	ids := p.OrganisationsWith(linkwork.PermGroupPortal)
	taxes, err := h.svc.Taxonomies.ListTaxonomies(ctx, p.Place.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	v.Needs = needChoices(taxes)

	// Every community offer of the groups, with its availability, in a query or two.
	var offers []*linkwork.Service
	for n := 1; ; n++ {
		page, total, err := h.svc.Directory.ListServices(ctx, linkwork.ServiceFilter{PlaceID: p.Place.ID, OrganisationIDs: ids,
			Kind: linkwork.KindActivity, Page: linkwork.Page{Number: n, Size: linkwork.MaxPageSize}})
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		offers = append(offers, page...)
		if len(page) == 0 || len(offers) >= total {
			break
		}
	}
	serviceIDs := make([]int64, len(offers))
	for i, s := range offers {
		serviceIDs[i] = s.ID
	}
	avail, err := h.svc.Groups.Availability(ctx, serviceIDs)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	n := now.In(london)
	thisMonth := time.Date(n.Year(), n.Month(), 1, 0, 0, 0, 0, time.UTC)
	lastMonth := thisMonth.AddDate(0, -1, 0)
	for _, o := range orgs {
		id, _ := strconv.ParseInt(o.Value, 10, 64)
		g := &GroupPanel{ID: id, Name: o.Label, ThisMonthLabel: thisMonth.Format("January 2006"), LastMonthLabel: lastMonth.Format("January 2006")}
		for _, s := range offers {
			if s.OrganisationID != id {
				continue
			}
			o := offerPanel(s, avail[s.ID], now)
			v.fill(o, avail[s.ID], now)
			g.Offers = append(g.Offers, o)
			g.OfferChoices = append(g.OfferChoices, dirChoice{Value: strconv.FormatInt(s.ID, 10), Label: s.Name})
		}
		if vol := g.Prefix("vol"); !v.Failed(vol) {
			f.Values[vol+"-month"] = thisMonth.Format("2006-01")
		}
		_, g.Waiting, err = h.svc.Onward.OnwardInbox(ctx, linkwork.OnwardFilter{PlaceID: p.Place.ID, ServiceOrganisationIDs: []int64{id},
			Statuses: []linkwork.OnwardStatus{linkwork.OnwardSent}, Page: linkwork.Page{Number: 1, Size: 1}})
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		months, err := h.svc.Groups.Volunteers(ctx, id)
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		for _, m := range months {
			switch {
			case m.Month.Equal(thisMonth):
				g.ThisMonth = m
			case m.Month.Equal(lastMonth):
				g.LastMonth = m
			}
		}
		if g.Activities, err = h.svc.Groups.NewActivities(ctx, id); err != nil {
			h.serverError(w, r, err)
			return
		}
		var total int
		g.Requests, total, err = h.svc.Groups.ListRequests(ctx, linkwork.RequestFilter{PlaceID: p.Place.ID, OrganisationIDs: []int64{id},
			Page: linkwork.Page{Number: 1, Size: groupsPerPage}})
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		g.MoreRequests = total - len(g.Requests)
		v.Groups = append(v.Groups, g)
	}
	if h.svc.Forum != nil && len(ids) > 0 {
		// The forum is optional: a place runs the group portal with or without it.
		v.Meetings, _, err = h.svc.Forum.ListMeetings(ctx, linkwork.MeetingFilter{PlaceID: p.Place.ID, InvitedOrganisationIDs: ids,
			Upcoming: true, Now: now, Page: linkwork.Page{Number: 1, Size: 10}})
		if err != nil {
			h.serverError(w, r, err)
			return
		}
	}
	h.render(w, r, status, "groups", v)
}

// fill puts what is saved for an offer into its forms, unless one of them came back with
// problems, when it shows what was typed.
func (v *GroupsView) fill(o *OfferPanel, a *linkwork.Availability, now time.Time) {
	if p := o.Prefix(); !v.Failed(p) && a != nil {
		v.Form.Values[p+"-full"] = map[bool]string{true: "yes", false: "no"}[a.Full]
		if n := a.PlacesThisWeek(now); n != nil {
			v.Form.Values[p+"-places_left"] = strconv.Itoa(*n)
		}
		v.Form.Values[p+"-note"] = a.Note
	}
	if p := o.AccessPrefix(); !v.Failed(p) {
		v.Form.Values[p+"-accessibility"] = o.S.Accessibility
	}
}

// offerPanel lays out one community offer for its group.
func offerPanel(s *linkwork.Service, a *linkwork.Availability, now time.Time) *OfferPanel {
	o := &OfferPanel{S: s, Stale: s.NeedsVerifying(now), Version: s.UpdatedAt.UTC().Format(time.RFC3339Nano)}
	if next := linkwork.NextOccurrence(s.Schedules, now); next != nil {
		o.Next = next.Start.In(london).Format("Monday 2 January, 15:04")
	}
	o.Availability, o.Tag = availabilityWords(a, now)
	if a != nil {
		o.Note, o.UpdatedBy = a.Note, a.UpdatedBy
	}
	if s.LastVerifiedAt != nil {
		o.Checked = s.LastVerifiedAt.In(london).Format("2 January 2006")
	}
	return o
}

// groupService returns the community offer in the path if it is one of the principal's
// groups' (anything else is not found).
func (h *Handler) groupService(r *http.Request) (*linkwork.Service, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	s, err := h.svc.Directory.FindServiceByID(r.Context(), id)
	if err != nil {
		return nil, err
	}
	p := principal(r)
	if s.PlaceID != p.Place.ID || s.Kind != linkwork.KindActivity || !keepsGroup(p, s.OrganisationID) {
		return nil, linkwork.Errorf(linkwork.ENOTFOUND, "Service not found.")
	}
	return s, nil
}

// groupInPath returns the organisation in the path if the principal keeps its portal
// (anything else is not found).
func (h *Handler) groupInPath(r *http.Request) (int64, error) {
	id, err := pathID(r, "org")
	if err != nil {
		return 0, err
	}
	if !keepsGroup(principal(r), id) {
		return 0, linkwork.Errorf(linkwork.ENOTFOUND, "Organisation not found.")
	}
	return id, nil
}

// readGroupForm reads the named fields of a posted form into f, under the form's prefix.
func readGroupForm(r *http.Request, f *Form, prefix string, names ...string) {
	for _, n := range names {
		f.Values[prefix+"-"+n] = r.PostFormValue(n)
	}
}

// failGroupForm records a domain error's problems against the fields of the form with the
// prefix (a problem about another field is shown against fallback) and reports whether the
// error was one the person can fix.
func failGroupForm(f *Form, err error, prefix string, fields []string, fallback string) bool {
	es := linkwork.FieldErrors(err)
	if len(es) == 0 || slices.ContainsFunc(es, func(e *linkwork.Error) bool { return e.Code == linkwork.EINTERNAL }) {
		return false
	}
	for _, e := range es {
		field := e.Field
		if !slices.Contains(fields, field) {
			field = fallback
		}
		if k := prefix + "-" + field; f.Error(k) == "" {
			f.Fail(k, e.Message)
		}
	}
	return true
}

// groupWhole reads an optional whole number typed into a form field, recording msg when it
// is not one.
func groupWhole(f *Form, key, msg string) *int {
	s := strings.TrimSpace(f.Get(key))
	if s == "" {
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		f.Fail(key, msg)
		return nil
	}
	return &n
}

// backToGroups sends the browser back to the page, at the part just changed.
func (h *Handler) backToGroups(w http.ResponseWriter, r *http.Request, anchor, flash string) {
	h.redirect(w, r, "/groups#"+anchor, flash)
}

func (h *Handler) setAvailability(w http.ResponseWriter, r *http.Request) {
	s, err := h.groupService(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	prefix := "svc-" + strconv.FormatInt(s.ID, 10)
	if r.PostFormValue("still_correct") == "yes" {
		if err := h.svc.Directory.VerifyService(r.Context(), s.ID); err != nil {
			h.failed(w, r, err)
			return
		}
		h.backToGroups(w, r, prefix, "availability-same")
		return
	}
	f := NewForm()
	readGroupForm(r, f, prefix, "full", "places_left", "note")
	f.Order = []string{prefix + "-full", prefix + "-places_left", prefix + "-note"}
	a := &linkwork.Availability{ServiceID: s.ID, Note: f.Get(prefix + "-note")}
	switch f.Get(prefix + "-full") {
	case "yes":
		a.Full = true
	case "no":
	default:
		f.Fail(prefix+"-full", "Say whether "+s.Name+" is full now: yes or no.")
	}
	a.PlacesLeft = groupWhole(f, prefix+"-places_left", "Enter the places left this week as a whole number, such as 3, or leave it empty.")
	if err := a.Validate(); err != nil && !failGroupForm(f, err, prefix, []string{"places_left", "note"}, "full") {
		h.serverError(w, r, err)
		return
	}
	if !f.HasErrors() {
		err := h.svc.Groups.SetAvailability(r.Context(), a)
		if err == nil {
			h.backToGroups(w, r, prefix, "availability-saved")
			return
		}
		if !failGroupForm(f, err, prefix, []string{"places_left", "note"}, "full") {
			h.failed(w, r, err)
			return
		}
	}
	h.showGroups(w, r, http.StatusUnprocessableEntity, f)
}

// setAccessibility changes an offer's accessibility through the directory, keeping the rest
// of its listing as it was. The form carries the time the listing last changed: if it has
// changed since the page was shown, nothing is saved and the person is asked to look again.
func (h *Handler) setAccessibility(w http.ResponseWriter, r *http.Request) {
	s, err := h.groupService(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	prefix := "acc-" + strconv.FormatInt(s.ID, 10)
	f := NewForm()
	readGroupForm(r, f, prefix, "accessibility")
	key := prefix + "-accessibility"
	if r.PostFormValue("version") != s.UpdatedAt.UTC().Format(time.RFC3339Nano) {
		f.Fail(key, "Someone changed this listing while you had the page open, so your change was not saved. "+
			"The accessibility it has now is shown in the listing: check it, then save yours again.")
		h.showGroups(w, r, http.StatusConflict, f)
		return
	}
	s.Accessibility = f.Get(key)
	err = h.svc.Directory.UpdateService(r.Context(), s)
	if err == nil {
		h.backToGroups(w, r, "svc-"+strconv.FormatInt(s.ID, 10), "accessibility-saved")
		return
	}
	es := linkwork.FieldErrors(err)
	if len(es) == 0 || slices.ContainsFunc(es, func(e *linkwork.Error) bool { return e.Code == linkwork.EINTERNAL }) {
		h.failed(w, r, err)
		return
	}
	for _, e := range es {
		msg := e.Message
		if e.Field != "accessibility" {
			// The rest of the listing is as it was; a problem there is fixed in the directory.
			msg = "The listing has a problem to correct in the directory first (“Change times, venues and more”): " + msg
		}
		if f.Error(key) == "" {
			f.Fail(key, msg)
		}
	}
	h.showGroups(w, r, http.StatusUnprocessableEntity, f)
}

func (h *Handler) setVolunteers(w http.ResponseWriter, r *http.Request) {
	org, err := h.groupInPath(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	prefix := "vol-" + strconv.FormatInt(org, 10)
	fields := []string{"month", "volunteers", "hours"}
	f := NewForm()
	readGroupForm(r, f, prefix, fields...)
	f.Order = []string{prefix + "-month", prefix + "-volunteers", prefix + "-hours"}
	v := &linkwork.VolunteerMonth{OrganisationID: org}
	month, err := time.Parse("2006-01", strings.TrimSpace(f.Get(prefix+"-month")))
	if err != nil {
		f.Fail(prefix+"-month", "Choose the month from the list.")
	} else {
		v.Month = month
	}
	if n := groupWhole(f, prefix+"-volunteers", "Enter the number of volunteers as a whole number, such as 6."); n != nil {
		v.Volunteers = *n
	} else if f.Error(prefix+"-volunteers") == "" {
		f.Fail(prefix+"-volunteers", "Enter how many volunteers helped in the month: 0 if none.")
	}
	if n := groupWhole(f, prefix+"-hours", "Enter the hours as a whole number, such as 40."); n != nil {
		v.Hours = *n
	} else if f.Error(prefix+"-hours") == "" {
		f.Fail(prefix+"-hours", "Enter the hours they gave in the month, roughly: 0 if none.")
	}
	if !f.HasErrors() {
		err := h.svc.Groups.SetVolunteers(r.Context(), v)
		if err == nil {
			h.backToGroups(w, r, prefix, "volunteers-saved")
			return
		}
		if !failGroupForm(f, err, prefix, fields, "month") {
			h.failed(w, r, err)
			return
		}
	}
	h.showGroups(w, r, http.StatusUnprocessableEntity, f)
}

func (h *Handler) addActivity(w http.ResponseWriter, r *http.Request) {
	org, err := h.groupInPath(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	p := principal(r)
	prefix := "act-" + strconv.FormatInt(org, 10)
	fields := []string{"name", "started_on", "description", "need", "service_id", "co_produced"}
	f := NewForm()
	readGroupForm(r, f, prefix, fields...)
	for _, k := range fields {
		f.Order = append(f.Order, prefix+"-"+k)
	}
	a := &linkwork.NewActivity{PlaceID: p.Place.ID, OrganisationID: org, Name: f.Get(prefix + "-name"),
		Description: f.Get(prefix + "-description"), Need: f.Get(prefix + "-need"), CoProduced: f.Get(prefix+"-co_produced") == "yes"}
	if s := strings.TrimSpace(f.Get(prefix + "-started_on")); s != "" {
		day, err := time.Parse(time.DateOnly, s)
		if err != nil {
			f.Fail(prefix+"-started_on", "Enter the day it started as year-month-day, such as 2030-03-04.")
		} else {
			a.StartedOn = day
		}
	}
	if s := f.Get(prefix + "-service_id"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			f.Fail(prefix+"-service_id", "Choose the listing from the list, or none.")
		} else {
			a.ServiceID = id
		}
	}
	var ps linkwork.Problems
	ps.Add(a.Validate(timeNow()))
	if err := ps.Err(); err != nil && !failGroupForm(f, err, prefix, fields, "name") {
		h.serverError(w, r, err)
		return
	}
	if !f.HasErrors() {
		err := h.svc.Groups.AddNewActivity(r.Context(), a)
		if err == nil {
			h.backToGroups(w, r, prefix, "activity-added")
			return
		}
		if !failGroupForm(f, err, prefix, fields, "name") {
			h.failed(w, r, err)
			return
		}
	}
	h.showGroups(w, r, http.StatusUnprocessableEntity, f)
}

func (h *Handler) createGroupRequest(w http.ResponseWriter, r *http.Request) {
	org, err := h.groupInPath(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	p := principal(r)
	prefix := "req-" + strconv.FormatInt(org, 10)
	fields := []string{"kind", "detail", "need", "postcode"}
	f := NewForm()
	readGroupForm(r, f, prefix, fields...)
	for _, k := range fields {
		f.Order = append(f.Order, prefix+"-"+k)
	}
	g := &linkwork.GroupRequest{PlaceID: p.Place.ID, OrganisationID: org, Kind: linkwork.RequestKind(f.Get(prefix + "-kind")),
		Detail: f.Get(prefix + "-detail"), Need: f.Get(prefix + "-need"), Postcode: f.Get(prefix + "-postcode")}
	err = h.svc.Groups.CreateRequest(r.Context(), g)
	if err == nil {
		h.backToGroups(w, r, prefix, "request-sent")
		return
	}
	if !failGroupForm(f, err, prefix, fields, "detail") {
		h.failed(w, r, err)
		return
	}
	h.showGroups(w, r, http.StatusUnprocessableEntity, f)
}

// requestInPlace returns the request in the path if it is of the principal's place (another
// place's is not found).
func (h *Handler) requestInPlace(r *http.Request) (*linkwork.GroupRequest, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	g, err := h.svc.Groups.FindRequest(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if g.PlaceID != principal(r).Place.ID {
		return nil, linkwork.Errorf(linkwork.ENOTFOUND, "Request not found.")
	}
	return g, nil
}

func (h *Handler) withdrawGroupRequest(w http.ResponseWriter, r *http.Request) {
	g, err := h.requestInPlace(r)
	if err == nil && !keepsGroup(principal(r), g.OrganisationID) {
		err = linkwork.Errorf(linkwork.ENOTFOUND, "Request not found.")
	}
	if err != nil {
		h.failed(w, r, err)
		return
	}
	version, err := strconv.Atoi(r.PostFormValue("version"))
	if err != nil {
		version = -1 // an incomplete form: the store says the request changed
	}
	_, err = h.svc.Groups.CloseRequest(r.Context(), g.ID, version, linkwork.RequestWithdrawn, "")
	switch {
	case err == nil:
		h.backToGroups(w, r, "req-"+strconv.FormatInt(g.OrganisationID, 10), "request-withdrawn")
	case linkwork.ErrorCode(err) == linkwork.ECONFLICT:
		h.errorPage(w, r, http.StatusConflict, "The request has changed", linkwork.ErrorMessage(err))
	default:
		h.failed(w, r, err)
	}
}

// GroupRequestsView is the place-wide list of what groups have asked for.
type GroupRequestsView struct {
	Layout
	Form     *Form
	Kinds    []dirChoice
	Statuses []dirChoice
	Rows     []*RequestRow
	Pager    Pager
	// CanMeet is set for those who fund gaps: they mark requests met.
	CanMeet bool
	// Hidden are the filters, carried by the forms to come back to the same list.
	Hidden url.Values
}

// RequestRow is one request in the place-wide list.
type RequestRow struct {
	R         *linkwork.GroupRequest
	NeedLabel string
	Tag       string
	// Field is the id and error key of its response; Error its problem.
	Field string
	Error string
	Value string
}

// requestStatusChoices are the list's status filter: open by default, or any.
var requestStatusChoices = []dirChoice{{Value: "open", Label: "Open"}, {Value: "met", Label: "Met"},
	{Value: "withdrawn", Label: "Withdrawn"}, {Value: "all", Label: "Every status"}}

func (h *Handler) placeRequests(w http.ResponseWriter, r *http.Request) {
	h.showPlaceRequests(w, r, http.StatusOK, r.URL.Query(), nil)
}

// showPlaceRequests renders the place-wide list with the filters in q; problem, if not nil,
// is a response that could not be saved, shown against its request.
func (h *Handler) showPlaceRequests(w http.ResponseWriter, r *http.Request, status int, q url.Values, problem *RequestRow) {
	p := principal(r)
	v := &GroupRequestsView{Layout: Layout{Title: "What groups have asked for"}, Form: NewForm(), Kinds: requestKindChoices,
		Statuses: requestStatusChoices, CanMeet: p.Can(linkwork.PermManageFunding), Hidden: url.Values{}}
	filter := linkwork.RequestFilter{PlaceID: p.Place.ID, Statuses: []linkwork.RequestStatus{linkwork.RequestOpen}}
	st := q.Get("status")
	switch {
	case st == "all":
		filter.Statuses = nil
	case linkwork.RequestStatus(st).Label() != "":
		filter.Statuses = []linkwork.RequestStatus{linkwork.RequestStatus(st)}
	default:
		st = "open"
	}
	v.Form.Values["status"] = st
	if k := linkwork.RequestKind(q.Get("kind")); k.Label() != "" {
		filter.Kinds = []linkwork.RequestKind{k}
		v.Form.Values["kind"] = string(k)
		v.Hidden.Set("kind", string(k))
	}
	if st != "open" {
		v.Hidden.Set("status", st)
	}
	n, _ := strconv.Atoi(q.Get("page"))
	filter.Page = linkwork.Page{Number: n, Size: linkwork.DefaultPageSize}.Normal()
	if filter.Page.Number > 1 {
		v.Hidden.Set("page", strconv.Itoa(filter.Page.Number))
	}
	taxes, err := h.svc.Taxonomies.ListTaxonomies(r.Context(), p.Place.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	needs := needChoices(taxes)
	list, total, err := h.svc.Groups.ListRequests(r.Context(), filter)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	for _, g := range list {
		row := &RequestRow{R: g, Tag: requestTag(g.Status), Field: "met-" + strconv.FormatInt(g.ID, 10) + "-response"}
		if g.Need != "" {
			row.NeedLabel = g.Need
			if i := slices.IndexFunc(needs, func(c dirChoice) bool { return c.Value == g.Need }); i >= 0 {
				row.NeedLabel = needs[i].Label
			}
		}
		if problem != nil && problem.R.ID == g.ID {
			row.Error, row.Value = problem.Error, problem.Value
			v.Form.Fail(row.Field, problem.Error)
		}
		v.Rows = append(v.Rows, row)
	}
	if problem != nil && !slices.ContainsFunc(v.Rows, func(row *RequestRow) bool { return row.R.ID == problem.R.ID }) {
		v.Form.Fail("requests", fmt.Sprintf("The request from %s could not be marked met: %s", problem.R.OrganisationName, problem.Error))
	}
	keep := url.Values{}
	for k, vs := range v.Hidden {
		if k != "page" {
			keep[k] = vs
		}
	}
	v.Pager = newPager("/groups/requests", keep.Encode(), filter.Page, total)
	h.render(w, r, status, "groups_requests", v)
}

func (h *Handler) meetGroupRequest(w http.ResponseWriter, r *http.Request) {
	g, err := h.requestInPlace(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	q := url.Values{}
	for _, k := range []string{"kind", "status", "page"} {
		if s := r.PostFormValue(k); s != "" {
			q.Set(k, s)
		}
	}
	response := r.PostFormValue("response")
	version, err := strconv.Atoi(r.PostFormValue("version"))
	if err != nil {
		version = -1 // an incomplete form: the store says the request changed
	}
	_, err = h.svc.Groups.CloseRequest(r.Context(), g.ID, version, linkwork.RequestMet, response)
	if err == nil {
		h.redirect(w, r, withQuery("/groups/requests", q), "request-met")
		return
	}
	status := http.StatusUnprocessableEntity
	switch linkwork.ErrorCode(err) {
	case linkwork.ECONFLICT:
		status = http.StatusConflict
		if now, ferr := h.svc.Groups.FindRequest(r.Context(), g.ID); ferr == nil {
			g = now
		}
	case linkwork.EINVALID:
	default:
		h.failed(w, r, err)
		return
	}
	var msgs []string
	for _, e := range linkwork.FieldErrors(err) {
		msgs = append(msgs, e.Message)
	}
	h.showPlaceRequests(w, r, status, q, &RequestRow{R: g, Error: strings.Join(msgs, " "), Value: response})
}
