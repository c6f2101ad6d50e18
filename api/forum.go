package api

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"linkwork"
)

// The practitioners' forum: meetings with sign-ups, attendance and shared notes, and
// learning posts with comments. Link workers, managers and administrators take part in
// everything (forum.take_part); a community organisation's people see and join only the
// meetings that invite their organisation (forum.meetings).

func (h *Handler) registerForum(g registrar) {
	forum, join := linkwork.PermForum, linkwork.PermJoinMeetings
	g.Handle("GET", Prefix+"/forum/meetings", join, h.listForumMeetings)
	g.Handle("POST", Prefix+"/forum/meetings", forum, h.createForumMeeting)
	g.Handle("GET", Prefix+"/forum/meetings/{id}", join, h.getForumMeeting)
	g.Handle("PATCH", Prefix+"/forum/meetings/{id}", forum, h.updateForumMeeting)
	g.Handle("POST", Prefix+"/forum/meetings/{id}/sign-ups", join, h.signUpForumMeeting)
	g.Handle("DELETE", Prefix+"/forum/meetings/{id}/sign-ups/me", join, h.leaveForumMeeting)
	g.Handle("PUT", Prefix+"/forum/meetings/{id}/attendance", forum, h.recordForumAttendance)
	g.Handle("PUT", Prefix+"/forum/meetings/{id}/notes", forum, h.saveForumNotes)
	g.Handle("GET", Prefix+"/forum/posts", forum, h.listForumPosts)
	g.Handle("POST", Prefix+"/forum/posts", forum, h.createForumPost)
	g.Handle("GET", Prefix+"/forum/posts/{id}", forum, h.getForumPost)
	g.Handle("POST", Prefix+"/forum/posts/{id}/comments", forum, h.addForumComment)
}

// MeetingBody is the body of POST /forum/meetings. Times are RFC 3339 with an offset, such
// as 2030-05-14T14:00:00+01:00.
type MeetingBody struct {
	Title                  string  `json:"title"`
	StartsAt               string  `json:"starts_at"`
	EndsAt                 string  `json:"ends_at"`
	Venue                  string  `json:"venue"`
	OnlineURL              string  `json:"online_url"`
	Agenda                 string  `json:"agenda"`
	Capacity               int     `json:"capacity"`
	InvitedOrganisationIDs []int64 `json:"invited_organisation_ids"`
}

// MeetingUpdate is the body of PATCH /forum/meetings/{id}: the fields given replace the
// meeting's, at the version read. Cancelled true, sent on its own, cancels the meeting.
type MeetingUpdate struct {
	Version                *int     `json:"version"`
	Title                  *string  `json:"title"`
	StartsAt               *string  `json:"starts_at"`
	EndsAt                 *string  `json:"ends_at"`
	Venue                  *string  `json:"venue"`
	OnlineURL              *string  `json:"online_url"`
	Agenda                 *string  `json:"agenda"`
	Capacity               *int     `json:"capacity"`
	InvitedOrganisationIDs *[]int64 `json:"invited_organisation_ids"`
	Cancelled              *bool    `json:"cancelled"`
}

// AttendanceBody is the body of PUT /forum/meetings/{id}/attendance: who came, of the
// people signed up. People left out keep what was recorded for them.
type AttendanceBody struct {
	Attendance []AttendanceMark `json:"attendance"`
}

// AttendanceMark says whether one person signed up came.
type AttendanceMark struct {
	UserID   int64 `json:"user_id"`
	Attended bool  `json:"attended"`
}

// MeetingNotesBody is the body of PUT /forum/meetings/{id}/notes: the whole notes, at the
// version of the meeting read.
type MeetingNotesBody struct {
	Version *int   `json:"version"`
	Notes   string `json:"notes"`
}

// PostBody is the body of POST /forum/posts.
type PostBody struct {
	Title string `json:"title"`
	Body  string `json:"body"`
}

// CommentBody is the body of POST /forum/posts/{id}/comments.
type CommentBody struct {
	Body string `json:"body"`
}

// forumOrganisation is the organisation a principal takes part as, for perm: the first in
// which they hold it place-wide, or else one of orgIDs (those a meeting invites).
func forumOrganisation(p *linkwork.Principal, perm linkwork.Permission, orgIDs []int64) string {
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

// parseMeetingTime reads a meeting's start or end.
func parseMeetingTime(field, v string) (time.Time, error) {
	if strings.TrimSpace(v) == "" {
		return time.Time{}, nil // Validate says it is missing
	}
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(v))
	if err != nil {
		return time.Time{}, linkwork.FieldError(field, "%s must be a date and time with its offset from UTC, such as 2030-05-14T14:00:00+01:00.", field)
	}
	return t.UTC(), nil
}

// withTimeProblems is every problem with a meeting whose start or end could not be read:
// those (timeProblems) in place of what validation says about the same fields.
func withTimeProblems(timeProblems linkwork.Problems, invalid error) error {
	ps := append(linkwork.Problems{}, timeProblems...)
	for _, e := range linkwork.FieldErrors(invalid) {
		if !slices.ContainsFunc(timeProblems, func(t *linkwork.Error) bool { return t.Field == e.Field }) {
			ps = append(ps, e)
		}
	}
	return ps.Err()
}

// forMeetingReader fills in what a meeting shows its reader: whether they signed up, and
// its shared notes only to those who take part in the forum (who keep them).
func forMeetingReader(p *linkwork.Principal, m *linkwork.Meeting) *linkwork.Meeting {
	if m.SignUps != nil {
		m.SignedUp = slices.ContainsFunc(m.SignUps, func(s *linkwork.SignUp) bool { return s.UserID == p.User.ID })
	}
	if !p.Can(linkwork.PermForum) {
		m.Notes, m.NotesUpdatedAt, m.NotesUpdatedBy = "", nil, ""
	}
	return m
}

// visibleForumMeeting returns the meeting in the path, with its sign-ups, if the principal
// may see it, and ENOTFOUND otherwise.
func (h *Handler) visibleForumMeeting(r *http.Request) (*linkwork.Meeting, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	m, err := h.svc.Forum.FindMeeting(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if !principal(r).CanSeeMeeting(m) {
		return nil, linkwork.Errorf(linkwork.ENOTFOUND, "There is no meeting %d that you can see.", id)
	}
	return m, nil
}

// manageableForumMeeting returns the meeting in the path if the principal organised it or
// keeps the forum in order: ENOTFOUND if they cannot see it, EFORBIDDEN if they cannot
// change it.
func (h *Handler) manageableForumMeeting(r *http.Request) (*linkwork.Meeting, error) {
	m, err := h.visibleForumMeeting(r)
	if err != nil {
		return nil, err
	}
	p := principal(r)
	if !p.CanPlaceWide(linkwork.PermModerateForum) && (m.OrganiserUserID == 0 || m.OrganiserUserID != p.User.ID) {
		return nil, linkwork.Errorf(linkwork.EFORBIDDEN, "Only the meeting's organiser, %s, or an administrator can change it or record who came.", m.OrganiserName)
	}
	return m, nil
}

// answerMeeting reads the meeting again and answers it.
func (h *Handler) answerMeeting(w http.ResponseWriter, r *http.Request, status int, id int64) {
	m, err := h.svc.Forum.FindMeeting(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, status, forMeetingReader(principal(r), m))
}

func (h *Handler) listForumMeetings(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	page, err := pageParams(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := linkwork.MeetingFilter{PlaceID: p.Place.ID, AllOrganisations: p.CanPlaceWide(linkwork.PermJoinMeetings),
		InvitedOrganisationIDs: p.OrganisationsWith(linkwork.PermJoinMeetings), ForUserID: p.User.ID, Page: page}
	switch r.URL.Query().Get("when") {
	case "", "upcoming":
		f.Upcoming = true
	case "past":
	default:
		h.fail(w, r, linkwork.FieldError("when", "when must be upcoming (soonest first, the default) or past (most recent first)."))
		return
	}
	items, total, err := h.svc.Forum.ListMeetings(r.Context(), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, m := range items {
		forMeetingReader(p, m)
	}
	writeJSON(w, http.StatusOK, newList(items, page, total))
}

func (h *Handler) createForumMeeting(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	var body MeetingBody
	if err := decode(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	m := &linkwork.Meeting{PlaceID: p.Place.ID, Title: body.Title, Venue: body.Venue, OnlineURL: body.OnlineURL, Agenda: body.Agenda,
		Capacity: body.Capacity, InvitedOrganisationIDs: body.InvitedOrganisationIDs, OrganiserUserID: p.User.ID, OrganiserName: p.User.Name}
	var ps linkwork.Problems
	var err error
	m.StartsAt, err = parseMeetingTime("starts_at", body.StartsAt)
	ps.Add(err)
	m.EndsAt, err = parseMeetingTime("ends_at", body.EndsAt)
	ps.Add(err)
	if len(ps) > 0 {
		h.fail(w, r, withTimeProblems(ps, m.Validate()))
		return
	}
	if err := h.svc.Forum.CreateMeeting(r.Context(), m); err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Location", Prefix+"/forum/meetings/"+idString(m.ID))
	h.answerMeeting(w, r, http.StatusCreated, m.ID)
}

func (h *Handler) getForumMeeting(w http.ResponseWriter, r *http.Request) {
	m, err := h.visibleForumMeeting(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, forMeetingReader(principal(r), m))
}

func (h *Handler) updateForumMeeting(w http.ResponseWriter, r *http.Request) {
	m, err := h.manageableForumMeeting(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var body MeetingUpdate
	if err := decode(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := versionMismatch("meeting", m.Version, body.Version); err != nil {
		h.fail(w, r, err)
		return
	}
	if body.Cancelled != nil {
		others := body.Title != nil || body.StartsAt != nil || body.EndsAt != nil || body.Venue != nil || body.OnlineURL != nil ||
			body.Agenda != nil || body.Capacity != nil || body.InvitedOrganisationIDs != nil
		switch {
		case !*body.Cancelled:
			h.fail(w, r, linkwork.FieldError("cancelled", "A cancelled meeting cannot be brought back, so cancelled may only be true: arrange a new meeting instead."))
		case others:
			h.fail(w, r, linkwork.FieldError("cancelled", "Send cancelled on its own, with version: cancel the meeting or change it, not both at once."))
		default:
			if err := h.svc.Forum.CancelMeeting(r.Context(), m.ID, *body.Version); err != nil {
				h.fail(w, r, err)
				return
			}
			h.answerMeeting(w, r, http.StatusOK, m.ID)
		}
		return
	}
	changed := *m
	changed.SignUps = nil
	for _, c := range []struct {
		v   *string
		dst *string
	}{{body.Title, &changed.Title}, {body.Venue, &changed.Venue}, {body.OnlineURL, &changed.OnlineURL}, {body.Agenda, &changed.Agenda}} {
		if c.v != nil {
			*c.dst = *c.v
		}
	}
	if body.Capacity != nil {
		changed.Capacity = *body.Capacity
	}
	if body.InvitedOrganisationIDs != nil {
		changed.InvitedOrganisationIDs = *body.InvitedOrganisationIDs
	}
	var ps linkwork.Problems
	for _, c := range []struct {
		field string
		v     *string
		dst   *time.Time
	}{{"starts_at", body.StartsAt, &changed.StartsAt}, {"ends_at", body.EndsAt, &changed.EndsAt}} {
		if c.v != nil {
			t, err := parseMeetingTime(c.field, *c.v)
			ps.Add(err)
			*c.dst = t
		}
	}
	changed.Version = *body.Version
	if len(ps) > 0 {
		h.fail(w, r, withTimeProblems(ps, changed.Validate()))
		return
	}
	if err := h.svc.Forum.UpdateMeeting(r.Context(), &changed); err != nil {
		h.fail(w, r, err)
		return
	}
	h.answerMeeting(w, r, http.StatusOK, m.ID)
}

func (h *Handler) signUpForumMeeting(w http.ResponseWriter, r *http.Request) {
	m, err := h.visibleForumMeeting(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := principal(r)
	if err := h.svc.Forum.SignUp(r.Context(), m.ID, p.User.ID, forumOrganisation(p, linkwork.PermJoinMeetings, m.InvitedOrganisationIDs)); err != nil {
		h.fail(w, r, err)
		return
	}
	h.answerMeeting(w, r, http.StatusCreated, m.ID)
}

func (h *Handler) leaveForumMeeting(w http.ResponseWriter, r *http.Request) {
	m, err := h.visibleForumMeeting(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.svc.Forum.CancelSignUp(r.Context(), m.ID, principal(r).User.ID); err != nil {
		if linkwork.ErrorCode(err) == linkwork.ENOTFOUND {
			err = linkwork.Errorf(linkwork.ENOTFOUND, "You have not signed up to meeting %d.", m.ID)
		}
		h.fail(w, r, err)
		return
	}
	h.answerMeeting(w, r, http.StatusOK, m.ID)
}

func (h *Handler) recordForumAttendance(w http.ResponseWriter, r *http.Request) {
	m, err := h.manageableForumMeeting(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var body AttendanceBody
	if err := decode(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	attended := map[int64]bool{}
	for _, a := range body.Attendance {
		if _, twice := attended[a.UserID]; twice {
			h.fail(w, r, linkwork.FieldError("attendance", "User %d is in attendance more than once: give each person once.", a.UserID))
			return
		}
		attended[a.UserID] = a.Attended
	}
	if err := h.svc.Forum.RecordAttendance(r.Context(), m.ID, attended); err != nil {
		h.fail(w, r, err)
		return
	}
	h.answerMeeting(w, r, http.StatusOK, m.ID)
}

func (h *Handler) saveForumNotes(w http.ResponseWriter, r *http.Request) {
	m, err := h.visibleForumMeeting(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var body MeetingNotesBody
	if err := decode(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	if body.Version == nil {
		h.fail(w, r, linkwork.FieldError("version", "version is required: send the version of the meeting as you read it (it is now %d), so that nobody's notes are overwritten.", m.Version))
		return
	}
	out, err := h.svc.Forum.SaveNotes(r.Context(), m.ID, *body.Version, body.Notes)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, forMeetingReader(principal(r), out))
}

func (h *Handler) listForumPosts(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	page, err := pageParams(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	items, total, err := h.svc.Forum.ListPosts(r.Context(), linkwork.PostFilter{PlaceID: p.Place.ID, Search: r.URL.Query().Get("q"),
		WithHidden: p.CanPlaceWide(linkwork.PermModerateForum), Page: page})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newList(items, page, total))
}

func (h *Handler) createForumPost(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	var body PostBody
	if err := decode(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	post := &linkwork.Post{PlaceID: p.Place.ID, Title: body.Title, Body: body.Body, AuthorUserID: p.User.ID, AuthorName: p.User.Name,
		AuthorOrganisation: forumOrganisation(p, linkwork.PermForum, nil)}
	if err := h.svc.Forum.CreatePost(r.Context(), post); err != nil {
		h.fail(w, r, err)
		return
	}
	out, err := h.svc.Forum.FindPost(r.Context(), post.ID, false)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Location", Prefix+"/forum/posts/"+idString(post.ID))
	writeJSON(w, http.StatusCreated, out)
}

// visibleForumPost returns the post in the path, with its comments, if it is in the
// principal's place and they may see it: hidden posts and comments only for those who keep
// the forum in order.
func (h *Handler) visibleForumPost(r *http.Request) (*linkwork.Post, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	p := principal(r)
	post, err := h.svc.Forum.FindPost(r.Context(), id, p.CanPlaceWide(linkwork.PermModerateForum))
	if err == nil && post.PlaceID != p.Place.ID {
		err = linkwork.Errorf(linkwork.ENOTFOUND, "Post not found.")
	}
	if linkwork.ErrorCode(err) == linkwork.ENOTFOUND {
		return nil, linkwork.Errorf(linkwork.ENOTFOUND, "There is no post %d that you can see.", id)
	}
	return post, err
}

func (h *Handler) getForumPost(w http.ResponseWriter, r *http.Request) {
	post, err := h.visibleForumPost(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, post)
}

func (h *Handler) addForumComment(w http.ResponseWriter, r *http.Request) {
	post, err := h.visibleForumPost(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var body CommentBody
	if err := decode(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	p := principal(r)
	c := &linkwork.Comment{PostID: post.ID, Body: body.Body, AuthorUserID: p.User.ID, AuthorName: p.User.Name,
		AuthorOrganisation: forumOrganisation(p, linkwork.PermForum, nil)}
	if err := h.svc.Forum.AddComment(r.Context(), c); err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, c)
}
