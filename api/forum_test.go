package api_test

import (
	"context"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"linkwork"
	"linkwork/api"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// forumFixture is York's forum: the fixture's administrator, manager and link workers take
// part; a community garden's member is invited to some meetings, a choir's member to none;
// a commissioner and a referrer take no part.
type forumFixture struct {
	*fixture
	garden, choir                             *linkwork.Organisation
	community, singer, commissioner, referrer *linkwork.User
}

func newForumFixture(t *testing.T, db *sqldb.DB) *forumFixture {
	t.Helper()
	ff := &forumFixture{fixture: newFixture(t, db)}
	ctx := t.Context()
	for _, o := range []**linkwork.Organisation{&ff.garden, &ff.choir} {
		*o = &linkwork.Organisation{PlaceID: ff.placeA.ID, Name: map[bool]string{true: "Tang Hall Garden", false: "York Choir"}[o == &ff.garden],
			Sector: linkwork.SectorVCSE}
		must(t, ff.svc.Organisations.CreateOrganisation(ctx, *o))
	}
	ff.community = ff.user("garden@york.example.org", "Gus Grower", ff.garden, linkwork.RoleCommunity)
	ff.singer = ff.user("choir@york.example.org", "Sid Singer", ff.choir, linkwork.RoleCommunity)
	ff.commissioner = ff.user("commissioner@york.example.org", "Cy Commissioner", ff.council, linkwork.RoleCommissioner)
	ff.referrer = ff.user("referrer@york.example.org", "Rae Referrer", ff.health, linkwork.RoleReferrer)
	return ff
}

// meetingBody is a valid meeting days from now, for an hour and a half.
func meetingBody(title string, days int, invite ...int64) api.MeetingBody {
	start := time.Now().AddDate(0, 0, days).Truncate(time.Hour)
	return api.MeetingBody{Title: title, StartsAt: start.Format(time.RFC3339), EndsAt: start.Add(90 * time.Minute).Format(time.RFC3339),
		Venue: "West Offices", OnlineURL: "https://meet.example.org/" + strings.ReplaceAll(title, " ", "-"), Agenda: "Welcome",
		InvitedOrganisationIDs: append([]int64{}, invite...)}
}

// storedMeeting arranges a meeting through the store at times relative to now, with the
// database's clock set back so that it may already have started or ended.
func (ff *forumFixture) storedMeeting(title string, from, to time.Duration, organiser *linkwork.User, signUps ...*linkwork.User) *linkwork.Meeting {
	ff.t.Helper()
	real := ff.db.Now
	defer func() { ff.db.Now = real }()
	ff.db.Now = func() time.Time { return real().Add(from - time.Hour) }
	now := time.Now()
	m := &linkwork.Meeting{PlaceID: ff.placeA.ID, Title: title, StartsAt: now.Add(from), EndsAt: now.Add(to), Venue: "West Offices",
		OrganiserUserID: organiser.ID, OrganiserName: organiser.Name}
	must(ff.t, ff.svc.Forum.CreateMeeting(context.Background(), m))
	for _, u := range signUps {
		must(ff.t, ff.svc.Forum.SignUp(context.Background(), m.ID, u.ID, "Somewhere"))
	}
	return m
}

func TestForum(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ff := newForumFixture(t, db)
		for _, c := range []struct {
			name string
			fn   func(*testing.T, *forumFixture)
		}{
			{"Meetings", testForumMeetings},
			{"SignUps", testForumSignUps},
			{"Attendance", testForumAttendance},
			{"Notes", testForumNotes},
			{"Posts", testForumPosts},
		} {
			t.Run(c.name, func(t *testing.T) {
				g := *ff
				g.fixture = ff.fixture.in(t)
				c.fn(t, &g)
			})
		}
	})
	// TestMain checks every operation's coverage only when the whole suite runs; the
	// forum's are checked here too, so that running the forum's tests alone checks them.
	d := openAPIDoc(t)
	coverage.Lock()
	defer coverage.Unlock()
	for _, op := range d.operations() {
		if !strings.Contains(op, "/forum/") {
			continue
		}
		for _, dialect := range sqldbtest.Dialects() {
			if seen := coverage.seen[dialect][op]; !seen[0] || !seen[1] {
				t.Errorf("%s: %s was not answered both with success and with an error", dialect, op)
			}
		}
		method, tmpl, _ := strings.Cut(op, " ")
		responses, _ := d.at(d.operationPtr(method, tmpl) + "/responses").(map[string]any)
		for code := range responses {
			if !coverage.statuses[op+" "+code] {
				t.Errorf("%s was never answered %s, which openapi.json declares", op, code)
			}
		}
	}
}

func testForumMeetings(t *testing.T, ff *forumFixture) {
	const list = "/api/v1/forum/meetings"
	worker := ff.as(ff.worker)
	// Who may list and arrange them.
	ff.anon().do("GET", list, nil).wantError(http.StatusUnauthorized, linkwork.EUNAUTHORIZED, "-")
	ff.anon().do("POST", list, meetingBody("x", 7)).wantError(http.StatusUnauthorized, linkwork.EUNAUTHORIZED, "-")
	for _, u := range []*linkwork.User{ff.commissioner, ff.referrer} {
		ff.as(u).do("GET", list, nil).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	}
	for _, u := range []*linkwork.User{ff.commissioner, ff.referrer, ff.community} {
		ff.as(u).do("POST", list, meetingBody("x", 7)).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	}
	worker.do("GET", list+"?when=soon", nil).wantError(http.StatusBadRequest, linkwork.EINVALID, "when")
	worker.do("GET", list+"?per_page=0", nil).wantError(http.StatusBadRequest, linkwork.EINVALID, "per_page")

	// Bad meetings: 400 naming each field, nothing arranged.
	edit := func(fn func(b *api.MeetingBody)) api.MeetingBody {
		b := meetingBody("Spring forum", 7)
		fn(&b)
		return b
	}
	past := time.Now().Add(-48 * time.Hour)
	for _, c := range []struct {
		name   string
		body   any
		fields []string
	}{
		{"no title", edit(func(b *api.MeetingBody) { b.Title = " " }), []string{"title"}},
		{"a time without an offset, and no title", edit(func(b *api.MeetingBody) { b.StartsAt, b.Title = "2030-05-14 14:00", "" }),
			[]string{"starts_at", "title"}},
		{"no times", edit(func(b *api.MeetingBody) { b.StartsAt, b.EndsAt = "", "" }), []string{"starts_at"}},
		{"in the past", edit(func(b *api.MeetingBody) {
			b.StartsAt, b.EndsAt = past.Format(time.RFC3339), past.Add(time.Hour).Format(time.RFC3339)
		}), []string{"starts_at"}},
		{"a plain http link and another place's organisation", edit(func(b *api.MeetingBody) {
			b.OnlineURL, b.InvitedOrganisationIDs = "http://meet.example.org/x", []int64{ff.wakefield.ID}
		}), []string{"online_url", "invited_organisation_ids"}},
		{"nowhere", edit(func(b *api.MeetingBody) { b.Venue, b.OnlineURL = "", "" }), []string{"venue"}},
		{"negative capacity", edit(func(b *api.MeetingBody) { b.Capacity = -3 }), []string{"capacity"}},
		{"an unknown field", `{"title":"x","room":"y"}`, []string{"room"}},
		{"capacity as text", `{"capacity":"lots"}`, []string{"capacity"}},
	} {
		res := worker.do("POST", list, c.body)
		res.wantError(http.StatusBadRequest, linkwork.EINVALID, "")
		wantFields(t, res, c.fields...)
	}
	if l := decodeList[linkwork.Meeting](ff.as(ff.admin).do("GET", list, nil).want(http.StatusOK)); l.Total != 0 {
		t.Fatalf("bad meetings were arranged: %+v", l.Items)
	}

	// Good ones: the worker's invites the garden; the manager's invites nobody.
	var garden, closed linkwork.Meeting
	res := worker.do("POST", list, meetingBody("Garden forum", 7, ff.garden.ID)).want(http.StatusCreated)
	res.decode(&garden)
	if garden.OrganiserUserID != ff.worker.ID || garden.OrganiserName != "Wyn Worker" || garden.Version != 1 ||
		!slices.Equal(garden.InvitedOrganisations, []string{"Tang Hall Garden"}) || res.header.Get("Location") != path("/api/v1/forum/meetings/%d", garden.ID) {
		t.Fatalf("arranged %+v (Location %q)", garden, res.header.Get("Location"))
	}
	ff.as(ff.manager).do("POST", list, meetingBody("Practitioners only", 6)).want(http.StatusCreated).decode(&closed)

	titles := func(u *linkwork.User, query string) []string {
		t.Helper()
		var out []string
		for _, m := range decodeList[linkwork.Meeting](ff.as(u).do("GET", list+query, nil).want(http.StatusOK)).Items {
			out = append(out, m.Title)
		}
		return out
	}
	if got := titles(ff.admin, ""); !slices.Equal(got, []string{"Practitioners only", "Garden forum"}) {
		t.Errorf("the administrator's meetings %v", got)
	}
	if got := titles(ff.community, "?when=upcoming"); !slices.Equal(got, []string{"Garden forum"}) {
		t.Errorf("the garden's meetings %v", got)
	}
	if got := titles(ff.singer, ""); len(got) != 0 {
		t.Errorf("the choir's meetings %v", got)
	}
	if got := titles(ff.adminB, ""); len(got) != 0 {
		t.Errorf("Wakefield's meetings %v", got)
	}
	if got := titles(ff.worker, "?when=past"); len(got) != 0 {
		t.Errorf("past meetings %v", got)
	}

	// One meeting: seen by those who may see it, 404 for the rest.
	one := path("/api/v1/forum/meetings/%d", garden.ID)
	closedPath := path("/api/v1/forum/meetings/%d", closed.ID)
	ff.as(ff.community).do("GET", one, nil).want(http.StatusOK)
	for _, u := range []*linkwork.User{ff.singer, ff.adminB} {
		ff.as(u).do("GET", one, nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	}
	ff.as(ff.community).do("GET", closedPath, nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	ff.as(ff.commissioner).do("GET", one, nil).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	ff.anon().do("GET", one, nil).wantError(http.StatusUnauthorized, linkwork.EUNAUTHORIZED, "-")
	worker.do("GET", "/api/v1/forum/meetings/999999", nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")

	// Changing: the organiser or an administrator, at the version read.
	ff.as(ff.manager).do("PATCH", one, `{"version":1,"title":"Mine now"}`).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	ff.as(ff.community).do("PATCH", one, `{"version":1,"title":"Ours"}`).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	ff.anon().do("PATCH", one, `{"version":1}`).wantError(http.StatusUnauthorized, linkwork.EUNAUTHORIZED, "-")
	worker.do("PATCH", "/api/v1/forum/meetings/999999", `{"version":1}`).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	worker.do("PATCH", one, `{"title":"No version"}`).wantError(http.StatusBadRequest, linkwork.EINVALID, "version")
	worker.do("PATCH", one, `{"version":1,"invited_organisation_ids":[`+idString(ff.wakefield.ID)+`]}`).
		wantError(http.StatusBadRequest, linkwork.EINVALID, "invited_organisation_ids")
	res = worker.do("PATCH", one, `{"version":1,"ends_at":"half past three","online_url":"ftp://x"}`)
	res.wantError(http.StatusBadRequest, linkwork.EINVALID, "")
	wantFields(t, res, "ends_at", "online_url")
	worker.do("PATCH", one, `{"version":1,"cancelled":false}`).wantError(http.StatusBadRequest, linkwork.EINVALID, "cancelled")
	worker.do("PATCH", one, `{"version":1,"cancelled":true,"title":"x"}`).wantError(http.StatusBadRequest, linkwork.EINVALID, "cancelled")
	var changed linkwork.Meeting
	worker.do("PATCH", one, `{"version":1,"title":"Garden forum (moved)","capacity":10,"invited_organisation_ids":[`+
		idString(ff.garden.ID)+`,`+idString(ff.choir.ID)+`]}`).want(http.StatusOK).decode(&changed)
	if changed.Version != 2 || changed.Title != "Garden forum (moved)" || changed.Capacity != 10 || len(changed.InvitedOrganisationIDs) != 2 ||
		changed.Venue != "West Offices" {
		t.Fatalf("changed %+v", changed)
	}
	worker.do("PATCH", one, `{"version":1,"title":"Overwrite"}`).wantError(http.StatusConflict, linkwork.ECONFLICT, "-")
	ff.as(ff.singer).do("GET", one, nil).want(http.StatusOK) // the choir is invited now

	// Cancelling: an administrator cancels the manager's; then nobody changes it.
	var cancelled linkwork.Meeting
	ff.as(ff.admin).do("PATCH", closedPath, `{"version":1,"cancelled":true}`).want(http.StatusOK).decode(&cancelled)
	if !cancelled.Cancelled || cancelled.Version != 2 {
		t.Fatalf("cancelled %+v", cancelled)
	}
	ff.as(ff.manager).do("PATCH", closedPath, `{"version":2,"title":"Back on"}`).wantError(http.StatusConflict, linkwork.ECONFLICT, "-")
	if n := len(auditOf(t, ff, linkwork.AuditMeetingChange)); n != 4 {
		t.Errorf("%d meeting.change audit events, want 4 (two created, one changed, one cancelled)", n)
	}
}

// auditOf returns York's audit events with the action.
func auditOf(t *testing.T, ff *forumFixture, action string) []*linkwork.AuditEvent {
	t.Helper()
	es, _, err := ff.svc.Audit.ListAudit(t.Context(), linkwork.AuditFilter{PlaceID: ff.placeA.ID, Action: action,
		Page: linkwork.Page{Size: linkwork.MaxPageSize}})
	must(t, err)
	return es
}

func testForumSignUps(t *testing.T, ff *forumFixture) {
	var m linkwork.Meeting
	b := meetingBody("Small forum", 9, ff.garden.ID)
	b.Capacity = 2
	ff.as(ff.worker).do("POST", "/api/v1/forum/meetings", b).want(http.StatusCreated).decode(&m)
	signUps := path("/api/v1/forum/meetings/%d/sign-ups", m.ID)
	me := signUps + "/me"

	var got linkwork.Meeting
	ff.as(ff.community).do("POST", signUps, nil).want(http.StatusCreated).decode(&got)
	if !got.SignedUp || got.SignUpCount != 1 || len(got.SignUps) != 1 || got.SignUps[0].OrganisationName != "Tang Hall Garden" ||
		got.SignUps[0].Name != "Gus Grower" {
		t.Fatalf("after the garden signed up: %+v", got)
	}
	ff.as(ff.community).do("POST", signUps, nil).wantError(http.StatusConflict, linkwork.ECONFLICT, "-")
	ff.as(ff.manager).do("POST", signUps, nil).want(http.StatusCreated).decode(&got)
	if got.SignUps[1].OrganisationName != "York Health PCN" {
		t.Errorf("the manager signed up as from %q", got.SignUps[1].OrganisationName)
	}
	e := ff.as(ff.councilWorker).do("POST", signUps, nil).wantError(http.StatusConflict, linkwork.ECONFLICT, "-")
	if !strings.Contains(e.Message, "full") {
		t.Errorf("a full meeting's refusal: %q", e.Message)
	}
	ff.as(ff.singer).do("POST", signUps, nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	ff.as(ff.commissioner).do("POST", signUps, nil).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	ff.anon().do("POST", signUps, nil).wantError(http.StatusUnauthorized, linkwork.EUNAUTHORIZED, "-")
	ff.as(ff.worker).do("POST", "/api/v1/forum/meetings/999999/sign-ups", nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")

	// Leaving frees the place.
	ff.as(ff.manager).do("DELETE", me, nil).want(http.StatusOK).decode(&got)
	if got.SignedUp || got.SignUpCount != 1 {
		t.Fatalf("after the manager left: %+v", got)
	}
	ff.as(ff.manager).do("DELETE", me, nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	ff.as(ff.commissioner).do("DELETE", me, nil).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	ff.anon().do("DELETE", me, nil).wantError(http.StatusUnauthorized, linkwork.EUNAUTHORIZED, "-")
	ff.as(ff.councilWorker).do("POST", signUps, nil).want(http.StatusCreated)

	// A meeting that is over: nobody joins or leaves it.
	over := ff.storedMeeting("Last week", -3*time.Hour, -2*time.Hour, ff.worker, ff.manager)
	ff.as(ff.manager).do("DELETE", path("/api/v1/forum/meetings/%d/sign-ups/me", over.ID), nil).wantError(http.StatusConflict, linkwork.ECONFLICT, "-")
	ff.as(ff.councilWorker).do("POST", path("/api/v1/forum/meetings/%d/sign-ups", over.ID), nil).wantError(http.StatusConflict, linkwork.ECONFLICT, "-")
	if n := len(auditOf(t, ff, linkwork.AuditMeetingSignUp)); n < 4 {
		t.Errorf("%d sign-up audit events", n)
	}
}

func testForumAttendance(t *testing.T, ff *forumFixture) {
	m := ff.storedMeeting("Under way", -time.Hour, time.Hour, ff.worker, ff.manager, ff.councilWorker)
	target := path("/api/v1/forum/meetings/%d/attendance", m.ID)
	body := func(marks ...api.AttendanceMark) api.AttendanceBody { return api.AttendanceBody{Attendance: marks} }
	came := body(api.AttendanceMark{UserID: ff.manager.ID, Attended: true}, api.AttendanceMark{UserID: ff.councilWorker.ID})

	ff.as(ff.manager).do("PUT", target, came).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	ff.as(ff.community).do("PUT", target, came).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	ff.anon().do("PUT", target, came).wantError(http.StatusUnauthorized, linkwork.EUNAUTHORIZED, "-")
	ff.as(ff.worker).do("PUT", "/api/v1/forum/meetings/999999/attendance", came).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	worker := ff.as(ff.worker)
	worker.do("PUT", target, body()).wantError(http.StatusBadRequest, linkwork.EINVALID, "attendance")
	worker.do("PUT", target, body(api.AttendanceMark{UserID: ff.admin.ID, Attended: true})).wantError(http.StatusBadRequest, linkwork.EINVALID, "attendance")
	worker.do("PUT", target, body(api.AttendanceMark{UserID: ff.manager.ID}, api.AttendanceMark{UserID: ff.manager.ID, Attended: true})).
		wantError(http.StatusBadRequest, linkwork.EINVALID, "attendance")
	var got linkwork.Meeting
	worker.do("PUT", target, came).want(http.StatusOK).decode(&got)
	for _, s := range got.SignUps {
		if s.Attended == nil || *s.Attended != (s.UserID == ff.manager.ID) {
			t.Errorf("attendance of %s: %v", s.Name, s.Attended)
		}
	}
	// An administrator may correct it.
	ff.as(ff.admin).do("PUT", target, body(api.AttendanceMark{UserID: ff.councilWorker.ID, Attended: true})).want(http.StatusOK).decode(&got)
	if a := got.SignUps[1].Attended; a == nil || !*a {
		t.Errorf("corrected attendance %v", a)
	}
	// Not before it starts.
	soon := ff.storedMeeting("Tomorrow", 24*time.Hour, 25*time.Hour, ff.worker, ff.manager)
	worker.do("PUT", path("/api/v1/forum/meetings/%d/attendance", soon.ID), body(api.AttendanceMark{UserID: ff.manager.ID, Attended: true})).
		wantError(http.StatusConflict, linkwork.ECONFLICT, "-")
	counts, err := ff.svc.Forum.AttendanceCounts(t.Context(), ff.placeA.ID, []int64{ff.manager.ID, ff.councilWorker.ID})
	must(t, err)
	if counts[ff.manager.ID] != 1 || counts[ff.councilWorker.ID] != 1 {
		t.Errorf("attendance counts %v", counts)
	}
}

func testForumNotes(t *testing.T, ff *forumFixture) {
	var m linkwork.Meeting
	ff.as(ff.worker).do("POST", "/api/v1/forum/meetings", meetingBody("Notes forum", 10, ff.garden.ID)).want(http.StatusCreated).decode(&m)
	target := path("/api/v1/forum/meetings/%d/notes", m.ID)
	var saved linkwork.Meeting
	ff.as(ff.manager).do("PUT", target, api.MeetingNotesBody{Version: &m.Version, Notes: "Agreed: share the list."}).
		want(http.StatusOK).decode(&saved)
	if saved.Notes != "Agreed: share the list." || saved.NotesUpdatedBy != "Mo Manager" || saved.Version != m.Version+1 {
		t.Fatalf("saved %+v", saved)
	}
	e := ff.as(ff.councilWorker).do("PUT", target, api.MeetingNotesBody{Version: &m.Version, Notes: "Mine instead."}).
		wantError(http.StatusConflict, linkwork.ECONFLICT, "-")
	if !strings.Contains(e.Message, "Mo Manager") {
		t.Errorf("the conflict does not say who saved: %q", e.Message)
	}
	ff.as(ff.councilWorker).do("PUT", target, `{"notes":"x"}`).wantError(http.StatusBadRequest, linkwork.EINVALID, "version")
	ff.as(ff.councilWorker).do("PUT", target, api.MeetingNotesBody{Version: &saved.Version, Notes: strings.Repeat("n", sqldb.MaxMeetingNotes+1)}).
		wantError(http.StatusBadRequest, linkwork.EINVALID, "notes")
	ff.as(ff.community).do("PUT", target, api.MeetingNotesBody{Version: &saved.Version, Notes: "x"}).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	ff.anon().do("PUT", target, `{"version":1,"notes":"x"}`).wantError(http.StatusUnauthorized, linkwork.EUNAUTHORIZED, "-")
	ff.as(ff.worker).do("PUT", "/api/v1/forum/meetings/999999/notes", `{"version":1,"notes":"x"}`).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	var now linkwork.Meeting
	ff.as(ff.worker).do("GET", path("/api/v1/forum/meetings/%d", m.ID), nil).want(http.StatusOK).decode(&now)
	if now.Notes != "Agreed: share the list." {
		t.Errorf("the notes were overwritten: %q", now.Notes)
	}
	// A community member sees the meeting, not the notes the forum keeps.
	var theirs linkwork.Meeting
	ff.as(ff.community).do("GET", path("/api/v1/forum/meetings/%d", m.ID), nil).want(http.StatusOK).decode(&theirs)
	if theirs.Notes != "" || theirs.NotesUpdatedBy != "" || theirs.NotesUpdatedAt != nil {
		t.Errorf("a community member sees the notes: %+v", theirs)
	}
}

func testForumPosts(t *testing.T, ff *forumFixture) {
	const list = "/api/v1/forum/posts"
	worker, manager := ff.as(ff.worker), ff.as(ff.manager)
	ff.anon().do("GET", list, nil).wantError(http.StatusUnauthorized, linkwork.EUNAUTHORIZED, "-")
	ff.anon().do("POST", list, api.PostBody{Title: "x", Body: "y"}).wantError(http.StatusUnauthorized, linkwork.EUNAUTHORIZED, "-")
	for _, u := range []*linkwork.User{ff.community, ff.commissioner, ff.referrer} {
		ff.as(u).do("GET", list, nil).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
		ff.as(u).do("POST", list, api.PostBody{Title: "x", Body: "y"}).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	}
	worker.do("GET", list+"?per_page=1000", nil).wantError(http.StatusBadRequest, linkwork.EINVALID, "per_page")
	worker.do("GET", list+"?q="+strings.Repeat("a", 201), nil).wantError(http.StatusBadRequest, linkwork.EINVALID, "q")
	res := worker.do("POST", list, api.PostBody{Title: " ", Body: ""})
	res.wantError(http.StatusBadRequest, linkwork.EINVALID, "")
	wantFields(t, res, "title", "body")
	worker.do("POST", list, `{"title":"x","body":"y","hidden":true}`).wantError(http.StatusBadRequest, linkwork.EINVALID, "hidden")
	if l := decodeList[linkwork.Post](worker.do("GET", list, nil).want(http.StatusOK)); l.Total != 0 {
		t.Fatalf("bad posts were published: %+v", l.Items)
	}

	var benefits, spam linkwork.Post
	res = worker.do("POST", list, api.PostBody{Title: "Benefits checks", Body: "The welfare team takes referrals by phone.\n\nAsk for Jo."}).
		want(http.StatusCreated)
	res.decode(&benefits)
	if benefits.AuthorName != "Wyn Worker" || benefits.AuthorOrganisation != "York Health PCN" || benefits.Hidden ||
		res.header.Get("Location") != path("/api/v1/forum/posts/%d", benefits.ID) {
		t.Fatalf("published %+v (Location %q)", benefits, res.header.Get("Location"))
	}
	manager.do("POST", list, api.PostBody{Title: "Cheap pills", Body: "Buy here"}).want(http.StatusCreated).decode(&spam)

	// Comments, which bring a post to the top.
	comments := path("/api/v1/forum/posts/%d/comments", benefits.ID)
	var c linkwork.Comment
	manager.do("POST", comments, api.CommentBody{Body: "Jo was a great help."}).want(http.StatusCreated).decode(&c)
	if c.AuthorName != "Mo Manager" || c.PostID != benefits.ID || c.ID == 0 {
		t.Fatalf("comment %+v", c)
	}
	manager.do("POST", comments, api.CommentBody{Body: " "}).wantError(http.StatusBadRequest, linkwork.EINVALID, "body")
	manager.do("POST", "/api/v1/forum/posts/999999/comments", api.CommentBody{Body: "x"}).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	ff.as(ff.community).do("POST", comments, api.CommentBody{Body: "x"}).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	ff.anon().do("POST", comments, api.CommentBody{Body: "x"}).wantError(http.StatusUnauthorized, linkwork.EUNAUTHORIZED, "-")
	ff.as(ff.adminB).do("POST", comments, api.CommentBody{Body: "x"}).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")

	l := decodeList[linkwork.Post](worker.do("GET", list, nil).want(http.StatusOK))
	if l.Total != 2 || l.Items[0].ID != benefits.ID || l.Items[0].CommentCount != 1 || l.Items[1].CommentCount != 0 || l.Items[0].Comments != nil {
		t.Fatalf("posts %+v", l.Items)
	}
	if l := decodeList[linkwork.Post](worker.do("GET", list+"?q=JO+phone", nil).want(http.StatusOK)); l.Total != 1 || l.Items[0].ID != benefits.ID {
		t.Fatalf("search found %+v", l.Items)
	}

	// One post, with its comments.
	one := path("/api/v1/forum/posts/%d", benefits.ID)
	var got linkwork.Post
	ff.as(ff.councilWorker).do("GET", one, nil).want(http.StatusOK).decode(&got)
	if len(got.Comments) != 1 || got.Comments[0].Body != "Jo was a great help." || got.Body != benefits.Body {
		t.Fatalf("post %+v", got)
	}
	ff.as(ff.community).do("GET", one, nil).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	ff.anon().do("GET", one, nil).wantError(http.StatusUnauthorized, linkwork.EUNAUTHORIZED, "-")
	ff.as(ff.adminB).do("GET", one, nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	worker.do("GET", "/api/v1/forum/posts/999999", nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")

	// A hidden post is seen by administrators only, and takes no comments.
	must(t, ff.svc.Forum.HidePost(t.Context(), spam.ID, "Spam"))
	spamPath := path("/api/v1/forum/posts/%d", spam.ID)
	worker.do("GET", spamPath, nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	worker.do("POST", spamPath+"/comments", api.CommentBody{Body: "x"}).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	ff.as(ff.admin).do("POST", spamPath+"/comments", api.CommentBody{Body: "x"}).wantError(http.StatusConflict, linkwork.ECONFLICT, "-")
	var hidden linkwork.Post
	ff.as(ff.admin).do("GET", spamPath, nil).want(http.StatusOK).decode(&hidden)
	if !hidden.Hidden || hidden.HiddenReason != "Spam" {
		t.Fatalf("hidden post %+v", hidden)
	}
	if l := decodeList[linkwork.Post](worker.do("GET", list, nil).want(http.StatusOK)); l.Total != 1 {
		t.Errorf("a link worker lists %d posts, want the one not hidden", l.Total)
	}
	if l := decodeList[linkwork.Post](ff.as(ff.admin).do("GET", list, nil).want(http.StatusOK)); l.Total != 2 {
		t.Errorf("an administrator lists %d posts, want both", l.Total)
	}
	if n := len(auditOf(t, ff, linkwork.AuditPostCreate)); n != 2 {
		t.Errorf("%d post.create audit events, want 2", n)
	}
	if n := len(auditOf(t, ff, linkwork.AuditCommentAdd)); n != 1 {
		t.Errorf("%d comment.add audit events, want 1", n)
	}
}

// TestForumSchemasMatchGoTypes checks the forum's schemas in openapi.json against the Go
// types, as TestSchemasMatchGoTypes does for the rest: the same property names, and for
// answers, required exactly when the field is not omitempty.
func TestForumSchemasMatchGoTypes(t *testing.T) {
	d := openAPIDoc(t)
	for name, c := range map[string]struct {
		v        any
		required bool
	}{
		"Meeting": {linkwork.Meeting{}, true}, "SignUp": {linkwork.SignUp{}, true}, "Post": {linkwork.Post{}, true},
		"Comment": {linkwork.Comment{}, true}, "MeetingList": {api.List[*linkwork.Meeting]{}, true},
		"PostList": {api.List[*linkwork.Post]{}, true}, "MeetingBody": {api.MeetingBody{}, false},
		"MeetingUpdate": {api.MeetingUpdate{}, false}, "AttendanceBody": {api.AttendanceBody{}, false},
		"MeetingNotesBody": {api.MeetingNotesBody{}, false}, "PostBody": {api.PostBody{}, false},
		"CommentBody": {api.CommentBody{}, false},
	} {
		s, _ := d.at(pointer("components", "schemas", name)).(map[string]any)
		if s == nil {
			t.Errorf("openapi.json has no schema %s", name)
			continue
		}
		all, always := goFields(reflect.TypeOf(c.v))
		if props := keys(s["properties"]); !slices.Equal(props, all) {
			t.Errorf("schema %s has properties %v; the Go type %T has JSON fields %v", name, props, c.v, all)
		}
		if c.required {
			var req []string
			for _, r := range s["required"].([]any) {
				req = append(req, r.(string))
			}
			sort.Strings(req)
			if !slices.Equal(req, always) {
				t.Errorf("schema %s requires %v; the Go type %T always has %v", name, req, c.v, always)
			}
		}
	}
	mark, _ := d.at("/components/schemas/AttendanceBody/properties/attendance/items").(map[string]any)
	all, _ := goFields(reflect.TypeFor[api.AttendanceMark]())
	if got := keys(mark["properties"]); !slices.Equal(got, all) {
		t.Errorf("AttendanceBody's items have properties %v; AttendanceMark has %v", got, all)
	}
}
