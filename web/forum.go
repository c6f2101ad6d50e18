package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"linkwork"
)

// The practitioners' forum: a place's community of practice across employers. Link workers,
// managers and administrators take part in everything: meetings with sign-up, attendance and
// shared notes, learning posts with comments, and "who's who", which leads into the
// directory of link workers. A community organisation's people see and join only the
// meetings that invite their organisation. Administrators hide what breaks the forum's
// rules, with a reason; hidden posts and comments are shown to nobody else.

func (h *Handler) registerForum(g registrar) {
	forum, join, moderate := linkwork.PermForum, linkwork.PermJoinMeetings, linkwork.PermModerateForum
	g.Handle("GET", "/forum", forum, h.forumHome)
	g.Handle("GET", "/forum/meetings", join, h.forumMeetings)
	g.Handle("GET", "/forum/meetings/new", forum, h.newMeeting)
	g.Handle("POST", "/forum/meetings/new", forum, h.createMeeting)
	g.Handle("GET", "/forum/meetings/{id}", join, h.forumMeeting)
	g.Handle("GET", "/forum/meetings/{id}/edit", forum, h.editMeeting)
	g.Handle("POST", "/forum/meetings/{id}/edit", forum, h.updateMeeting)
	g.Handle("POST", "/forum/meetings/{id}/cancel", forum, h.cancelMeeting)
	g.Handle("POST", "/forum/meetings/{id}/sign-up", join, h.signUpToMeeting)
	g.Handle("POST", "/forum/meetings/{id}/cancel-sign-up", join, h.cancelMeetingSignUp)
	g.Handle("GET", "/forum/meetings/{id}/notes", forum, h.meetingNotes)
	g.Handle("POST", "/forum/meetings/{id}/notes", forum, h.saveMeetingNotes)
	g.Handle("POST", "/forum/meetings/{id}/attendance", forum, h.meetingAttendance)
	g.Handle("GET", "/forum/posts", forum, h.forumPosts)
	g.Handle("GET", "/forum/posts/new", forum, h.newPost)
	g.Handle("POST", "/forum/posts/new", forum, h.createPost)
	g.Handle("GET", "/forum/posts/{id}", forum, h.forumPost)
	g.Handle("POST", "/forum/posts/{id}/comments", forum, h.addComment)
	g.Handle("POST", "/forum/posts/{id}/hide", moderate, h.hidePost)
	g.Handle("POST", "/forum/comments/{id}/hide", moderate, h.hideComment)
	g.Handle("GET", "/forum/people", forum, h.forumPeople)
}

func init() {
	for k, v := range map[string]string{
		"meeting-created":    "The meeting has been arranged. Share its page so that people can sign up.",
		"meeting-updated":    "The meeting has been changed.",
		"meeting-cancelled":  "The meeting has been cancelled. People who signed up can see that it is.",
		"signed-up":          "You have signed up. The meeting is on your list of upcoming meetings.",
		"sign-up-cancelled":  "Your sign-up has been cancelled, and your place is free for someone else.",
		"notes-saved":        "The notes have been saved.",
		"attendance-saved":   "Who came has been recorded.",
		"post-created":       "Your post has been published in the forum.",
		"comment-added":      "Your comment has been added.",
		"post-hidden":        "The post has been hidden. Only administrators can see it now.",
		"comment-hidden":     "The comment has been hidden. Only administrators can see it now.",
		"meeting-not-signed": "You were not signed up to that meeting.",
	} {
		flashMessages[k] = v
	}
}

// Paths of the forum's pages.
func meetingPath(id int64) string { return "/forum/meetings/" + strconv.FormatInt(id, 10) }
func postPath(id int64) string    { return "/forum/posts/" + strconv.FormatInt(id, 10) }

// forumPageSize is how many meetings or posts a list shows at once; the home page shows
// forumHomeSize of each.
const (
	forumPageSize = 20
	forumHomeSize = 5
)

// paragraphs splits text a person typed into paragraphs at blank lines. Each keeps its own
// line breaks, which the lw-text style shows: nobody's text is read as HTML or markdown.
func paragraphs(s string) []string {
	var out []string
	var cur []string
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.Join(cur, "\n"))
			cur = nil
		}
	}
	for _, line := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if strings.TrimSpace(line) == "" {
			flush()
			continue
		}
		cur = append(cur, strings.TrimRight(line, " \t\r"))
	}
	flush()
	return out
}

// clockTime writes a UK time as people say it: 2pm, 2:30pm, midday.
func clockTime(t time.Time) string {
	h, m := t.Hour(), t.Minute()
	switch {
	case h == 12 && m == 0:
		return "midday"
	case h == 0 && m == 0:
		return "midnight"
	}
	suffix := "am"
	if h >= 12 {
		suffix = "pm"
	}
	if h = h % 12; h == 0 {
		h = 12
	}
	if m == 0 {
		return fmt.Sprintf("%d%s", h, suffix)
	}
	return fmt.Sprintf("%d:%02d%s", h, m, suffix)
}

// meetingWhen says when a meeting is, in UK time: "Tuesday 14 May 2030, 2pm to 3:30pm".
func meetingWhen(m *linkwork.Meeting) string {
	s, e := m.StartsAt.In(london), m.EndsAt.In(london)
	if s.Format(time.DateOnly) != e.Format(time.DateOnly) {
		return s.Format("Monday 2 January 2006") + ", " + clockTime(s) + " to " + e.Format("Monday 2 January") + ", " + clockTime(e)
	}
	return s.Format("Monday 2 January 2006") + ", " + clockTime(s) + " to " + clockTime(e)
}

// meetingPlaces says how many places are left.
func meetingPlaces(m *linkwork.Meeting) string {
	switch left := m.Capacity - m.SignUpCount; {
	case m.Capacity == 0:
		return "No limit on places"
	case left <= 0:
		return "Full"
	case left == 1:
		return "1 place left"
	default:
		return strconv.Itoa(left) + " places left"
	}
}

// MeetingItem is a meeting as lists show it.
type MeetingItem struct {
	Meeting *linkwork.Meeting
	When    string
	Places  string
	Past    bool
}

func meetingItem(m *linkwork.Meeting, now time.Time) MeetingItem {
	return MeetingItem{Meeting: m, When: meetingWhen(m), Places: meetingPlaces(m), Past: m.Past(now)}
}

// Where says where a meeting is held: the venue, online, or both.
func (i MeetingItem) Where() string {
	switch m := i.Meeting; {
	case m.Venue != "" && m.OnlineURL != "":
		return m.Venue + ", or online"
	case m.Venue != "":
		return m.Venue
	}
	return "Online"
}

// organisationFor is the organisation a principal takes part as, for perm: the first in
// which they hold it place-wide, or else one of orgIDs (the organisations a meeting
// invites) in which they hold it for their own organisation.
func organisationFor(p *linkwork.Principal, perm linkwork.Permission, orgIDs []int64) string {
	g := linkwork.Policy[perm]
	for _, m := range p.Memberships {
		if slices.Contains(g.PlaceWide, m.Role) {
			return m.OrganisationName
		}
	}
	for _, m := range p.Memberships {
		if slices.Contains(g.OwnOrganisation, m.Role) && slices.Contains(orgIDs, m.OrganisationID) {
			return m.OrganisationName
		}
	}
	return ""
}

// canManageMeeting reports whether the principal may change, cancel and record who came to
// a meeting: its organiser, or someone who keeps the forum in order.
func canManageMeeting(p *linkwork.Principal, m *linkwork.Meeting) bool {
	return p.CanPlaceWide(linkwork.PermModerateForum) || (m.OrganiserUserID != 0 && m.OrganiserUserID == p.User.ID)
}

// visibleMeeting returns the meeting in the path, with its sign-ups, if the principal may
// see it (Principal.CanSeeMeeting), and ENOTFOUND otherwise.
func (h *Handler) visibleMeeting(r *http.Request) (*linkwork.Meeting, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	m, err := h.svc.Forum.FindMeeting(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if !principal(r).CanSeeMeeting(m) {
		return nil, linkwork.Errorf(linkwork.ENOTFOUND, "Meeting not found.")
	}
	return m, nil
}

// manageableMeeting returns the meeting in the path if the principal may change it:
// ENOTFOUND if they may not see it, EFORBIDDEN if they see it but did not organise it.
func (h *Handler) manageableMeeting(r *http.Request) (*linkwork.Meeting, error) {
	m, err := h.visibleMeeting(r)
	if err != nil {
		return nil, err
	}
	if !canManageMeeting(principal(r), m) {
		return nil, linkwork.Errorf(linkwork.EFORBIDDEN, "Only the meeting's organiser, %s, or an administrator can change it.", m.OrganiserName)
	}
	return m, nil
}

// ForumHomeView is the view of the forum's home page.
type ForumHomeView struct {
	Layout
	Meetings     []MeetingItem
	MoreMeetings bool
	Posts        []*linkwork.Post
	MorePosts    bool
}

func (h *Handler) forumHome(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	ctx := r.Context()
	meetings, total, err := h.svc.Forum.ListMeetings(ctx, linkwork.MeetingFilter{PlaceID: p.Place.ID, AllOrganisations: true,
		Upcoming: true, ForUserID: p.User.ID, Page: linkwork.Page{Size: forumHomeSize}})
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	posts, postTotal, err := h.svc.Forum.ListPosts(ctx, linkwork.PostFilter{PlaceID: p.Place.ID,
		WithHidden: p.CanPlaceWide(linkwork.PermModerateForum), Page: linkwork.Page{Size: forumHomeSize}})
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	v := &ForumHomeView{Layout: Layout{Title: "Practitioners' forum"}, MoreMeetings: total > len(meetings), Posts: posts,
		MorePosts: postTotal > len(posts)}
	now := timeNow()
	for _, m := range meetings {
		v.Meetings = append(v.Meetings, meetingItem(m, now))
	}
	h.render(w, r, http.StatusOK, "forum", v)
}

// ForumMeetingsView is the view of the list of meetings, upcoming or past.
type ForumMeetingsView struct {
	Layout
	Tabs        []NavItem
	Past        bool
	Meetings    []MeetingItem
	Pager       Pager
	CanOrganise bool
}

func (h *Handler) forumMeetings(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	past := r.URL.Query().Get("when") == "past"
	filter := linkwork.MeetingFilter{PlaceID: p.Place.ID, AllOrganisations: p.CanPlaceWide(linkwork.PermJoinMeetings),
		InvitedOrganisationIDs: p.OrganisationsWith(linkwork.PermJoinMeetings), Upcoming: !past, ForUserID: p.User.ID,
		Page: linkwork.Page{Number: pageFrom(r).Number, Size: forumPageSize}}
	list, total, err := h.svc.Forum.ListMeetings(r.Context(), filter)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	v := &ForumMeetingsView{Layout: Layout{Title: "Forum meetings"}, Past: past, CanOrganise: p.Can(linkwork.PermForum),
		Tabs: []NavItem{{Label: "Coming up", Href: "/forum/meetings", Current: !past},
			{Label: "Past meetings", Href: "/forum/meetings?when=past", Current: past}}}
	if past {
		v.Title = "Past forum meetings"
	}
	now := timeNow()
	for _, m := range list {
		v.Meetings = append(v.Meetings, meetingItem(m, now))
	}
	keep := ""
	if past {
		keep = "when=past"
	}
	v.Pager = newPager("/forum/meetings", keep, filter.Page, total)
	h.render(w, r, http.StatusOK, "forum_meetings", v)
}

// MeetingView is the view of one meeting.
type MeetingView struct {
	Layout
	Meeting *linkwork.Meeting
	When    string
	Places  string
	Agenda  []string
	// Notes are shown to those who take part in the forum, who keep them.
	Notes     []string
	ShowNotes bool
	Going     bool
	Started   bool
	Past      bool
	CanSignUp bool
	// CanLeave is set when the principal may cancel their sign-up.
	CanLeave bool
	// CanChange is set for the organiser and administrators while the meeting may change.
	CanChange bool
	// CanRecord is set for the organiser and administrators once it has started.
	CanRecord bool
	// Problem is why the last action on the page could not be done.
	Problem string
}

// showMeeting renders a meeting's page.
func (h *Handler) showMeeting(w http.ResponseWriter, r *http.Request, status int, m *linkwork.Meeting, problem string) {
	p := principal(r)
	now := timeNow()
	v := &MeetingView{Layout: Layout{Title: m.Title}, Meeting: m, When: meetingWhen(m), Places: meetingPlaces(m),
		Agenda: paragraphs(m.Agenda), ShowNotes: p.Can(linkwork.PermForum), Started: !m.StartsAt.After(now), Past: m.Past(now),
		Problem: problem}
	if v.ShowNotes {
		v.Notes = paragraphs(m.Notes)
	}
	v.Going = slices.ContainsFunc(m.SignUps, func(s *linkwork.SignUp) bool { return s.UserID == p.User.ID })
	m.SignedUp = v.Going
	open := !m.Cancelled && !v.Past
	v.CanSignUp = open && !v.Going && !m.Full()
	v.CanLeave = open && v.Going
	manage := canManageMeeting(p, m)
	v.CanChange = manage && open
	v.CanRecord = manage && v.Started && !m.Cancelled && len(m.SignUps) > 0
	h.render(w, r, status, "forum_meeting", v)
}

func (h *Handler) forumMeeting(w http.ResponseWriter, r *http.Request) {
	m, err := h.visibleMeeting(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	h.showMeeting(w, r, http.StatusOK, m, "")
}

// meetingFields are the fields of the meeting form in the order it shows them.
var meetingFields = []string{"title", "date", "start_time", "end_time", "venue", "online_url", "agenda", "capacity",
	"invited_organisation_ids"}

// MeetingFormView is the view of the form that arranges or changes a meeting.
type MeetingFormView struct {
	Layout
	Form    *Form
	Invites []dirChoice
	Action  string
	Button  string
	Back    string
	// Problem is a change that could not be saved because the meeting changed meanwhile.
	Problem string
}

// inviteSectors are the sectors of the community organisations a meeting may invite; the
// link workers and managers of the others take part in the forum already.
var inviteSectors = []linkwork.Sector{linkwork.SectorVCSE, linkwork.SectorFaith, linkwork.SectorEducation, linkwork.SectorOther}

// inviteChoices lists the community organisations of the place a meeting may invite.
func (h *Handler) inviteChoices(r *http.Request) ([]dirChoice, error) {
	out := []dirChoice{}
	seen := 0
	for n := 1; ; n++ {
		orgs, total, err := h.svc.Organisations.ListOrganisations(r.Context(), linkwork.OrganisationFilter{PlaceID: principal(r).Place.ID,
			Page: linkwork.Page{Number: n, Size: linkwork.MaxPageSize}})
		if err != nil {
			return nil, err
		}
		for _, o := range orgs {
			seen++
			if slices.Contains(inviteSectors, o.Sector) {
				out = append(out, dirChoice{Value: strconv.FormatInt(o.ID, 10), Label: o.Name + " (" + o.Sector.Label() + ")"})
			}
		}
		if len(orgs) == 0 || seen >= total {
			return out, nil
		}
	}
}

// parseClock reads a time of day typed as 14:00, 14.00, 1400, 2pm, 2:30pm or midday.
func parseClock(s string) (hour, minute int, ok bool) {
	s = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
	switch s {
	case "midday", "noon":
		return 12, 0, true
	case "midnight":
		return 0, 0, true
	}
	suffix := ""
	if strings.HasSuffix(s, "am") || strings.HasSuffix(s, "pm") {
		s, suffix = s[:len(s)-2], s[len(s)-2:]
	}
	hs, ms, found := strings.Cut(s, ":")
	if !found {
		hs, ms, found = strings.Cut(s, ".")
	}
	switch {
	case found && len(ms) != 2:
		return 0, 0, false
	case !found && len(s) == 4 && suffix == "":
		hs, ms = s[:2], s[2:]
	case !found:
		ms = "00"
	}
	h, err1 := strconv.Atoi(hs)
	m, err2 := strconv.Atoi(ms)
	if err1 != nil || err2 != nil || len(hs) == 0 || len(hs) > 2 || m < 0 || m > 59 || h < 0 {
		return 0, 0, false
	}
	if suffix == "" {
		return h, m, h <= 23
	}
	if h < 1 || h > 12 {
		return 0, 0, false
	}
	h %= 12
	if suffix == "pm" {
		h += 12
	}
	return h, m, true
}

// readMeetingDay reads the day of a meeting typed as day, month and year.
func readMeetingDay(r *http.Request, f *Form) (time.Time, bool) {
	parts := [3]string{}
	for i, k := range []string{"day", "month", "year"} {
		parts[i] = strings.TrimSpace(r.PostFormValue("date-" + k))
		f.Values["date-"+k] = parts[i]
	}
	if parts == [3]string{} {
		f.Fail("date", "Enter the date of the meeting.")
		return time.Time{}, false
	}
	var n [3]int
	for i, s := range parts {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 {
			f.Fail("date", "Enter the date of the meeting as a day, a month and a year in numbers, such as 14 5 2030.")
			return time.Time{}, false
		}
		n[i] = v
	}
	if len(parts[2]) != 4 {
		f.Fail("date", "Enter the year of the meeting in full, such as 2030.")
		return time.Time{}, false
	}
	d := time.Date(n[2], time.Month(n[1]), n[0], 0, 0, 0, 0, london)
	if d.Day() != n[0] || int(d.Month()) != n[1] {
		f.Fail("date", "Enter a real date, such as 14 5 2030.")
		return time.Time{}, false
	}
	return d, true
}

// readMeetingForm reads a submitted meeting into m: the date and times in UK time, turned
// into UTC. Problems with the form's own inputs are recorded against them.
func readMeetingForm(r *http.Request, m *linkwork.Meeting, invites []dirChoice) *Form {
	_ = r.ParseForm()
	f := formFrom(r, "title", "start_time", "end_time", "venue", "online_url", "agenda", "capacity", "version")
	f.Order = meetingFields
	m.Title, m.Venue, m.OnlineURL, m.Agenda = f.Get("title"), f.Get("venue"), f.Get("online_url"), f.Get("agenda")
	day, dayOK := readMeetingDay(r, f)
	m.StartsAt, m.EndsAt = time.Time{}, time.Time{}
	for _, c := range []struct {
		field, what string
		dst         *time.Time
	}{{"start_time", "starts", &m.StartsAt}, {"end_time", "ends", &m.EndsAt}} {
		v := f.Get(c.field)
		if strings.TrimSpace(v) == "" {
			f.Fail(c.field, "Enter the time the meeting "+c.what+", such as 14:00 or 2pm.")
			continue
		}
		hour, minute, ok := parseClock(v)
		if !ok {
			f.Fail(c.field, "Enter the time the meeting "+c.what+" in hours and minutes, such as 14:00 or 2:30pm.")
			continue
		}
		if dayOK {
			*c.dst = time.Date(day.Year(), day.Month(), day.Day(), hour, minute, 0, 0, london).UTC()
		}
	}
	m.Capacity = 0
	if v := strings.TrimSpace(f.Get("capacity")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			f.Fail("capacity", "Enter the number of places as a whole number, such as 20, or leave it empty for no limit.")
		}
		m.Capacity = n
	}
	m.InvitedOrganisationIDs = readIDs(r, f, "invited_organisation_ids", invites, "Choose the organisations to invite from the list.")
	return f
}

// addMeetingProblems records the domain's problems with a meeting against the form's
// fields. A problem with when it starts or ends is left out when the form's own date or time
// input already says what is wrong.
func addMeetingProblems(f *Form, err error) bool {
	var kept linkwork.Problems
	for _, e := range linkwork.FieldErrors(err) {
		c := *e
		switch c.Field {
		case "starts_at":
			if f.Error("date") != "" || f.Error("start_time") != "" {
				continue
			}
			c.Field = "date"
		case "ends_at":
			if f.Error("date") != "" || f.Error("end_time") != "" {
				continue
			}
			c.Field = "end_time"
		}
		kept = append(kept, &c)
	}
	if len(kept) == 0 {
		return len(linkwork.FieldErrors(err)) > 0
	}
	return addProblems(f, kept.Err(), meetingFields, "title")
}

// meetingFormValues fills a form with a meeting's details, in UK time.
func meetingFormValues(m *linkwork.Meeting) *Form {
	f := NewForm()
	s, e := m.StartsAt.In(london), m.EndsAt.In(london)
	f.Values["title"], f.Values["venue"], f.Values["online_url"], f.Values["agenda"] = m.Title, m.Venue, m.OnlineURL, m.Agenda
	f.Values["date-day"], f.Values["date-month"], f.Values["date-year"] = strconv.Itoa(s.Day()), strconv.Itoa(int(s.Month())), strconv.Itoa(s.Year())
	f.Values["start_time"], f.Values["end_time"] = s.Format("15:04"), e.Format("15:04")
	if m.Capacity > 0 {
		f.Values["capacity"] = strconv.Itoa(m.Capacity)
	}
	ids := make([]string, len(m.InvitedOrganisationIDs))
	for i, id := range m.InvitedOrganisationIDs {
		ids[i] = strconv.FormatInt(id, 10)
	}
	f.setAll("invited_organisation_ids", ids)
	f.Values["version"] = strconv.Itoa(m.Version)
	return f
}

func (h *Handler) newMeeting(w http.ResponseWriter, r *http.Request) {
	invites, err := h.inviteChoices(r)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "forum_meeting_form", &MeetingFormView{Layout: Layout{Title: "Arrange a forum meeting"},
		Form: NewForm(), Invites: invites, Action: "/forum/meetings/new", Button: "Arrange the meeting", Back: "/forum/meetings"})
}

func (h *Handler) createMeeting(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	invites, err := h.inviteChoices(r)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	m := &linkwork.Meeting{PlaceID: p.Place.ID, OrganiserUserID: p.User.ID, OrganiserName: p.User.Name}
	f := readMeetingForm(r, m, invites)
	if err := m.Validate(); err != nil && !addMeetingProblems(f, err) {
		h.serverError(w, r, err)
		return
	}
	if !f.HasErrors() {
		err := h.svc.Forum.CreateMeeting(r.Context(), m)
		if err == nil {
			h.redirect(w, r, meetingPath(m.ID), "meeting-created")
			return
		}
		if !addMeetingProblems(f, err) {
			h.failed(w, r, err)
			return
		}
	}
	h.render(w, r, http.StatusUnprocessableEntity, "forum_meeting_form", &MeetingFormView{Layout: Layout{Title: "Arrange a forum meeting"},
		Form: f, Invites: invites, Action: "/forum/meetings/new", Button: "Arrange the meeting", Back: "/forum/meetings"})
}

// changeableMeeting returns the meeting in the path if the principal may change it and it
// may still change: not cancelled, not over.
func (h *Handler) changeableMeeting(r *http.Request) (*linkwork.Meeting, error) {
	m, err := h.manageableMeeting(r)
	if err != nil {
		return nil, err
	}
	switch {
	case m.Cancelled:
		return nil, linkwork.Errorf(linkwork.ECONFLICT, "This meeting was cancelled, so it cannot be changed. Arrange a new meeting instead.")
	case m.Past(timeNow()):
		return nil, linkwork.Errorf(linkwork.ECONFLICT, "This meeting is over, so it cannot be changed. Its shared notes can still be kept.")
	}
	return m, nil
}

func (h *Handler) editMeeting(w http.ResponseWriter, r *http.Request) {
	m, err := h.changeableMeeting(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	invites, err := h.inviteChoices(r)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "forum_meeting_form", &MeetingFormView{Layout: Layout{Title: "Change " + m.Title},
		Form: meetingFormValues(m), Invites: invites, Action: meetingPath(m.ID) + "/edit", Button: "Save the changes",
		Back: meetingPath(m.ID)})
}

func (h *Handler) updateMeeting(w http.ResponseWriter, r *http.Request) {
	old, err := h.changeableMeeting(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	invites, err := h.inviteChoices(r)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	m := *old
	f := readMeetingForm(r, &m, invites)
	v := &MeetingFormView{Layout: Layout{Title: "Change " + old.Title}, Form: f, Invites: invites,
		Action: meetingPath(old.ID) + "/edit", Button: "Save the changes", Back: meetingPath(old.ID)}
	m.Version, err = strconv.Atoi(f.Get("version"))
	if err != nil {
		f.Values["version"] = strconv.Itoa(old.Version)
		v.Problem = "The page you changed the meeting on was incomplete. Check your changes below and save them again."
		h.render(w, r, http.StatusBadRequest, "forum_meeting_form", v)
		return
	}
	if err := m.Validate(); err != nil && !addMeetingProblems(f, err) {
		h.serverError(w, r, err)
		return
	}
	status := http.StatusUnprocessableEntity
	if !f.HasErrors() {
		err := h.svc.Forum.UpdateMeeting(r.Context(), &m)
		switch {
		case err == nil:
			h.redirect(w, r, meetingPath(m.ID), "meeting-updated")
			return
		case linkwork.ErrorCode(err) == linkwork.ECONFLICT:
			// The form keeps the changes typed, at the version there is now: saving again is
			// a choice made knowing someone else changed it.
			now, ferr := h.svc.Forum.FindMeeting(r.Context(), old.ID)
			if ferr != nil {
				h.failed(w, r, ferr)
				return
			}
			f.Values["version"] = strconv.Itoa(now.Version)
			v.Problem, status = linkwork.ErrorMessage(err), http.StatusConflict
		case !addMeetingProblems(f, err):
			h.failed(w, r, err)
			return
		}
	}
	h.render(w, r, status, "forum_meeting_form", v)
}

func (h *Handler) cancelMeeting(w http.ResponseWriter, r *http.Request) {
	m, err := h.manageableMeeting(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	version, err := strconv.Atoi(r.PostFormValue("version"))
	if err != nil {
		h.showMeeting(w, r, http.StatusBadRequest, m, "The page you cancelled the meeting from was incomplete. Here is the meeting as it is now: cancel it again if you need to.")
		return
	}
	if err := h.svc.Forum.CancelMeeting(r.Context(), m.ID, version); err != nil {
		if linkwork.ErrorCode(err) != linkwork.ECONFLICT {
			h.failed(w, r, err)
			return
		}
		now, ferr := h.visibleMeeting(r)
		if ferr != nil {
			h.failed(w, r, ferr)
			return
		}
		h.showMeeting(w, r, http.StatusConflict, now, "The meeting was not cancelled: "+linkwork.ErrorMessage(err))
		return
	}
	h.redirect(w, r, meetingPath(m.ID), "meeting-cancelled")
}

func (h *Handler) signUpToMeeting(w http.ResponseWriter, r *http.Request) {
	m, err := h.visibleMeeting(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	p := principal(r)
	org := organisationFor(p, linkwork.PermJoinMeetings, m.InvitedOrganisationIDs)
	if err := h.svc.Forum.SignUp(r.Context(), m.ID, p.User.ID, org); err != nil {
		if linkwork.ErrorCode(err) != linkwork.ECONFLICT {
			h.failed(w, r, err)
			return
		}
		now, ferr := h.visibleMeeting(r)
		if ferr != nil {
			h.failed(w, r, ferr)
			return
		}
		h.showMeeting(w, r, http.StatusConflict, now, "You could not sign up: "+linkwork.ErrorMessage(err))
		return
	}
	h.redirect(w, r, meetingPath(m.ID), "signed-up")
}

func (h *Handler) cancelMeetingSignUp(w http.ResponseWriter, r *http.Request) {
	m, err := h.visibleMeeting(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	err = h.svc.Forum.CancelSignUp(r.Context(), m.ID, principal(r).User.ID)
	switch linkwork.ErrorCode(err) {
	case "":
		h.redirect(w, r, meetingPath(m.ID), "sign-up-cancelled")
	case linkwork.ENOTFOUND:
		h.redirect(w, r, meetingPath(m.ID), "meeting-not-signed")
	case linkwork.ECONFLICT:
		h.showMeeting(w, r, http.StatusConflict, m, "Your sign-up was not cancelled: "+linkwork.ErrorMessage(err))
	default:
		h.failed(w, r, err)
	}
}

func (h *Handler) meetingAttendance(w http.ResponseWriter, r *http.Request) {
	m, err := h.manageableMeeting(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	_ = r.ParseForm()
	came := r.PostForm["came"]
	attended := map[int64]bool{}
	for _, s := range m.SignUps {
		attended[s.UserID] = slices.Contains(came, strconv.FormatInt(s.UserID, 10))
	}
	if err := h.svc.Forum.RecordAttendance(r.Context(), m.ID, attended); err != nil {
		switch linkwork.ErrorCode(err) {
		case linkwork.ECONFLICT:
			h.showMeeting(w, r, http.StatusConflict, m, "Who came was not recorded: "+linkwork.ErrorMessage(err))
		case linkwork.EINVALID:
			h.showMeeting(w, r, http.StatusUnprocessableEntity, m, "Who came was not recorded: "+linkwork.ErrorMessage(err))
		default:
			h.failed(w, r, err)
		}
		return
	}
	h.redirect(w, r, meetingPath(m.ID)+"#going", "attendance-saved")
}

// MeetingNotesView is the view of the form that keeps a meeting's shared notes.
type MeetingNotesView struct {
	Layout
	Meeting *linkwork.Meeting
	When    string
	Form    *Form
	// Theirs are the notes someone else saved while the reader was writing: shown so that
	// the reader can add their changes to them.
	Theirs  []string
	Problem string
}

func (h *Handler) meetingNotes(w http.ResponseWriter, r *http.Request) {
	m, err := h.visibleMeeting(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	f := NewForm()
	f.Values["notes"], f.Values["version"] = m.Notes, strconv.Itoa(m.Version)
	h.render(w, r, http.StatusOK, "forum_notes", &MeetingNotesView{Layout: Layout{Title: "Notes of " + m.Title}, Meeting: m,
		When: meetingWhen(m), Form: f})
}

func (h *Handler) saveMeetingNotes(w http.ResponseWriter, r *http.Request) {
	m, err := h.visibleMeeting(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	f := formFrom(r, "notes", "version")
	f.Order = []string{"notes"}
	v := &MeetingNotesView{Layout: Layout{Title: "Notes of " + m.Title}, Meeting: m, When: meetingWhen(m), Form: f}
	version, err := strconv.Atoi(f.Get("version"))
	if err != nil {
		f.Values["version"] = strconv.Itoa(m.Version)
		v.Problem, v.Theirs = "The page you wrote the notes on was incomplete, so they were not saved. Your text is below: save it again.", paragraphs(m.Notes)
		h.render(w, r, http.StatusBadRequest, "forum_notes", v)
		return
	}
	_, err = h.svc.Forum.SaveNotes(r.Context(), m.ID, version, f.Get("notes"))
	switch {
	case err == nil:
		h.redirect(w, r, meetingPath(m.ID)+"#notes", "notes-saved")
		return
	case linkwork.ErrorCode(err) == linkwork.ECONFLICT:
		// The reader's text stays in the box, and the notes as saved now are shown above
		// it, at the version there is now.
		now, ferr := h.svc.Forum.FindMeeting(r.Context(), m.ID)
		if ferr != nil {
			h.failed(w, r, ferr)
			return
		}
		f.Values["version"] = strconv.Itoa(now.Version)
		v.Meeting, v.Problem, v.Theirs = now, linkwork.ErrorMessage(err), paragraphs(now.Notes)
		h.render(w, r, http.StatusConflict, "forum_notes", v)
	case addProblems(f, err, []string{"notes"}, "notes"):
		h.render(w, r, http.StatusUnprocessableEntity, "forum_notes", v)
	default:
		h.failed(w, r, err)
	}
}

// ForumPostsView is the view of the list of learning posts, searched.
type ForumPostsView struct {
	Layout
	Form  *Form
	Posts []*linkwork.Post
	Pager Pager
}

func (h *Handler) forumPosts(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	f := NewForm()
	f.Values["q"] = strings.TrimSpace(r.URL.Query().Get("q"))
	filter := linkwork.PostFilter{PlaceID: p.Place.ID, Search: f.Get("q"), WithHidden: p.CanPlaceWide(linkwork.PermModerateForum),
		Page: linkwork.Page{Number: pageFrom(r).Number, Size: forumPageSize}}
	v := &ForumPostsView{Layout: Layout{Title: "Learning posts"}, Form: f}
	list, total, err := h.svc.Forum.ListPosts(r.Context(), filter)
	status := http.StatusOK
	switch {
	case err == nil:
	case addProblems(f, err, []string{"q"}, "q"):
		status = http.StatusUnprocessableEntity
	default:
		h.serverError(w, r, err)
		return
	}
	keep := ""
	if q := f.Get("q"); q != "" {
		keep = "q=" + url.QueryEscape(q)
	}
	v.Posts, v.Pager = list, newPager("/forum/posts", keep, filter.Page, total)
	h.render(w, r, status, "forum_posts", v)
}

// PostFormView is the view of the form that writes a post.
type PostFormView struct {
	Layout
	Form *Form
}

func (h *Handler) newPost(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, "forum_post_form", &PostFormView{Layout: Layout{Title: "Write a learning post"}, Form: NewForm()})
}

func (h *Handler) createPost(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	f := formFrom(r, "title", "body")
	f.Order = []string{"title", "body"}
	post := &linkwork.Post{PlaceID: p.Place.ID, Title: f.Get("title"), Body: f.Get("body"), AuthorUserID: p.User.ID,
		AuthorName: p.User.Name, AuthorOrganisation: organisationFor(p, linkwork.PermForum, nil)}
	err := h.svc.Forum.CreatePost(r.Context(), post)
	if err == nil {
		h.redirect(w, r, postPath(post.ID), "post-created")
		return
	}
	if !addProblems(f, err, []string{"title", "body"}, "title") {
		h.failed(w, r, err)
		return
	}
	h.render(w, r, http.StatusUnprocessableEntity, "forum_post_form", &PostFormView{Layout: Layout{Title: "Write a learning post"}, Form: f})
}

// CommentItem is a comment as the post's page shows it.
type CommentItem struct {
	Comment    *linkwork.Comment
	Paragraphs []string
	// ReasonField is the name of the reason box of its hide form.
	ReasonField string
}

// PostView is the view of one post with its comments.
type PostView struct {
	Layout
	Post       *linkwork.Post
	Paragraphs []string
	Comments   []CommentItem
	// Form holds the comment being written and the reasons for hiding, with their errors.
	Form        *Form
	CanModerate bool
}

// visiblePost returns the post in the path, with its comments, if it is in the principal's
// place and they may see it: hidden posts and comments only for administrators.
func (h *Handler) visiblePost(r *http.Request, id int64) (*linkwork.Post, error) {
	p := principal(r)
	post, err := h.svc.Forum.FindPost(r.Context(), id, p.CanPlaceWide(linkwork.PermModerateForum))
	if err != nil {
		return nil, err
	}
	if post.PlaceID != p.Place.ID {
		return nil, linkwork.Errorf(linkwork.ENOTFOUND, "Post not found.")
	}
	return post, nil
}

// showPost renders a post's page.
func (h *Handler) showPost(w http.ResponseWriter, r *http.Request, status int, post *linkwork.Post, f *Form) {
	v := &PostView{Layout: Layout{Title: post.Title}, Post: post, Paragraphs: paragraphs(post.Body), Form: f,
		CanModerate: principal(r).CanPlaceWide(linkwork.PermModerateForum)}
	f.Order = []string{"body", "reason"}
	for _, c := range post.Comments {
		v.Comments = append(v.Comments, CommentItem{Comment: c, Paragraphs: paragraphs(c.Body),
			ReasonField: "reason-" + strconv.FormatInt(c.ID, 10)})
	}
	h.render(w, r, status, "forum_post", v)
}

func (h *Handler) forumPost(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.failed(w, r, err)
		return
	}
	post, err := h.visiblePost(r, id)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	h.showPost(w, r, http.StatusOK, post, NewForm())
}

func (h *Handler) addComment(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.failed(w, r, err)
		return
	}
	post, err := h.visiblePost(r, id)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	p := principal(r)
	f := formFrom(r, "body")
	c := &linkwork.Comment{PostID: post.ID, Body: f.Get("body"), AuthorUserID: p.User.ID, AuthorName: p.User.Name,
		AuthorOrganisation: organisationFor(p, linkwork.PermForum, nil)}
	err = h.svc.Forum.AddComment(r.Context(), c)
	switch {
	case err == nil:
		h.redirect(w, r, postPath(post.ID)+"#comment-"+strconv.FormatInt(c.ID, 10), "comment-added")
	case linkwork.ErrorCode(err) == linkwork.ECONFLICT:
		f.Fail("body", linkwork.ErrorMessage(err))
		h.showPost(w, r, http.StatusConflict, post, f)
	case addProblems(f, err, []string{"body"}, "body"):
		h.showPost(w, r, http.StatusUnprocessableEntity, post, f)
	default:
		h.failed(w, r, err)
	}
}

func (h *Handler) hidePost(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.failed(w, r, err)
		return
	}
	post, err := h.visiblePost(r, id)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	f := formFrom(r, "reason")
	err = h.svc.Forum.HidePost(r.Context(), post.ID, f.Get("reason"))
	switch {
	case err == nil:
		h.redirect(w, r, postPath(post.ID), "post-hidden")
	case linkwork.ErrorCode(err) == linkwork.ECONFLICT:
		f.Fail("reason", linkwork.ErrorMessage(err))
		h.showPost(w, r, http.StatusConflict, post, f)
	case addProblems(f, err, []string{"reason"}, "reason"):
		h.showPost(w, r, http.StatusUnprocessableEntity, post, f)
	default:
		h.failed(w, r, err)
	}
}

func (h *Handler) hideComment(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.failed(w, r, err)
		return
	}
	// The comment is found through its post, whose place is checked.
	postID, err := strconv.ParseInt(r.PostFormValue("post_id"), 10, 64)
	if err != nil || postID <= 0 {
		h.notFound(w, r)
		return
	}
	post, err := h.visiblePost(r, postID)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	if !slices.ContainsFunc(post.Comments, func(c *linkwork.Comment) bool { return c.ID == id }) {
		h.notFound(w, r)
		return
	}
	field := "reason-" + strconv.FormatInt(id, 10)
	f := NewForm()
	f.Values[field] = r.PostFormValue("reason")
	err = h.svc.Forum.HideComment(r.Context(), id, f.Get(field))
	switch {
	case err == nil:
		h.redirect(w, r, postPath(post.ID)+"#comments", "comment-hidden")
	case linkwork.ErrorCode(err) == linkwork.ECONFLICT:
		f.Fail(field, linkwork.ErrorMessage(err))
		h.showPost(w, r, http.StatusConflict, post, f)
	case addProblems(f, remapFields(err, map[string]string{"reason": field}), []string{field}, field):
		h.showPost(w, r, http.StatusUnprocessableEntity, post, f)
	default:
		h.failed(w, r, err)
	}
}

// maxWhosWho is the most entries of the directory of link workers "who's who" shows at
// once; a search narrows a larger place's.
const maxWhosWho = 5 * linkwork.MaxPageSize

// PeopleGroup is the link workers of one employer.
type PeopleGroup struct {
	Employer string
	People   []PersonItem
}

// PersonItem is one link worker in "who's who", with how many forum meetings they came to.
type PersonItem struct {
	Practitioner *linkwork.Practitioner
	Attended     int
}

// ForumPeopleView is the view of "who's who": the directory of link workers grouped by
// employer.
type ForumPeopleView struct {
	Layout
	Form          *Form
	Organisations []dirChoice
	Groups        []PeopleGroup
	Total         int
	// Shown is how many are shown, fewer than Total when there are more than maxWhosWho.
	Shown int
}

func (h *Handler) forumPeople(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	ctx := r.Context()
	q := r.URL.Query()
	f := NewForm()
	f.Values["q"] = strings.TrimSpace(q.Get("q"))
	orgs, err := h.placeOrganisationChoices(r)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	filter := linkwork.PractitionerFilter{PlaceID: p.Place.ID, Text: f.Get("q")}
	keep := url.Values{}
	if f.Get("q") != "" {
		keep.Set("q", f.Get("q"))
	}
	// An employer that is not in the place is ignored rather than refused.
	if v := q.Get("organisation"); slices.ContainsFunc(orgs, func(o dirChoice) bool { return o.Value == v }) {
		f.Values["organisation"] = v
		filter.OrganisationID, _ = strconv.ParseInt(v, 10, 64)
		keep.Set("organisation", v)
	}
	var all []*linkwork.Practitioner
	total := 0
	for n := 1; len(all) < maxWhosWho; n++ {
		filter.Page = linkwork.Page{Number: n, Size: linkwork.MaxPageSize}
		list, t, err := h.svc.Practitioners.ListPractitioners(ctx, filter)
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		all, total = append(all, list...), t
		if len(list) == 0 || len(all) >= t {
			break
		}
	}
	detail := "forum who's who"
	if s := keep.Encode(); s != "" {
		detail += ", " + s
	}
	if err := h.svc.Audit.RecordAudit(ctx, &linkwork.AuditEvent{Action: linkwork.AuditPractitionerList, RecordType: "practitioner",
		Detail: detail}); err != nil {
		h.serverError(w, r, err)
		return
	}
	var users []int64
	for _, pr := range all {
		if pr.UserID != 0 {
			users = append(users, pr.UserID)
		}
	}
	counts, err := h.svc.Forum.AttendanceCounts(ctx, p.Place.ID, users)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	byEmployer := map[string]*PeopleGroup{}
	var employers []string
	for _, pr := range all {
		g := byEmployer[pr.OrganisationName]
		if g == nil {
			g = &PeopleGroup{Employer: pr.OrganisationName}
			byEmployer[pr.OrganisationName] = g
			employers = append(employers, pr.OrganisationName)
		}
		item := PersonItem{Practitioner: pr}
		if pr.UserID != 0 {
			item.Attended = counts[pr.UserID]
		}
		g.People = append(g.People, item)
	}
	sort.Slice(employers, func(i, j int) bool { return strings.ToLower(employers[i]) < strings.ToLower(employers[j]) })
	v := &ForumPeopleView{Layout: Layout{Title: "Who's who"}, Form: f, Organisations: orgs, Total: total, Shown: len(all)}
	for _, e := range employers {
		v.Groups = append(v.Groups, *byEmployer[e])
	}
	h.render(w, r, http.StatusOK, "forum_people", v)
}
