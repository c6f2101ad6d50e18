package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// forumSite is the site with the forum's people: Calder PCN (orgA) has the administrator,
// a manager, a commissioner and a referrer; Todmorden Garden (orgB) has a link worker and a
// community member; Halifax Choir has a community member of its own.
type forumSite struct {
	*site
	choir                           *linkwork.Organisation
	manager, worker, grower, singer *linkwork.User
	commissioner, referrer          *linkwork.User
	invited, uninvited              *linkwork.Meeting // upcoming; invited asks the garden
	browsers                        map[string]*browser
}

func newForumSite(t *testing.T, db *sqldb.DB) *forumSite {
	t.Helper()
	ctx := context.Background()
	s := &forumSite{site: newSite(t, db), browsers: map[string]*browser{}}
	s.choir = &linkwork.Organisation{PlaceID: s.place.ID, Name: "Halifax Choir", Sector: linkwork.SectorVCSE}
	must(t, s.svc.Organisations.CreateOrganisation(ctx, s.choir))
	s.manager = s.addUser("manager@example.org", s.orgA, linkwork.RoleManager)
	s.commissioner = s.addUser("commissioner@example.org", s.orgA, linkwork.RoleCommissioner)
	s.referrer = s.addUser("referrer@example.org", s.orgA, linkwork.RoleReferrer)
	s.worker = s.addUser("worker@example.org", s.orgB, linkwork.RoleLinkWorker)
	s.grower = s.addUser("grower@example.org", s.orgB, linkwork.RoleCommunity)
	s.singer = s.addUser("singer@example.org", s.choir, linkwork.RoleCommunity)
	s.invited = s.meeting("Garden forum", 7, s.worker, s.orgB.ID)
	s.uninvited = s.meeting("Practitioners only", 8, s.worker)
	return s
}

// meeting arranges a meeting days from now, at 2pm UK time for an hour and a half, by the
// organiser, inviting the organisations.
func (s *forumSite) meeting(title string, days int, organiser *linkwork.User, invite ...int64) *linkwork.Meeting {
	s.t.Helper()
	d := time.Now().In(london()).AddDate(0, 0, days)
	start := time.Date(d.Year(), d.Month(), d.Day(), 14, 0, 0, 0, london())
	m := &linkwork.Meeting{PlaceID: s.place.ID, Title: title, StartsAt: start, EndsAt: start.Add(90 * time.Minute),
		Venue: "Halifax Central Library", OnlineURL: "https://meet.example.org/" + url.PathEscape(title), Agenda: "Welcome",
		InvitedOrganisationIDs: invite, OrganiserUserID: organiser.ID, OrganiserName: organiser.Name}
	must(s.t, s.svc.Forum.CreateMeeting(context.Background(), m))
	return m
}

// who returns a browser signed in as the user with the email, signing in once per user
// (sign-ins are rate limited).
func (s *forumSite) who(email string) *browser {
	s.t.Helper()
	if b := s.browsers[email]; b != nil {
		return b
	}
	b := s.browser()
	if p := b.signIn(email, password); p.status != http.StatusSeeOther {
		s.t.Fatalf("sign in as %s: %d", email, p.status)
	}
	s.browsers[email] = b
	return b
}

// wantStatus fails the test unless the page has the status.
func (p page) wantStatus(t testing.TB, what string, status int) page {
	t.Helper()
	if p.status != status {
		t.Fatalf("%s: status %d (Location %q), want %d", what, p.status, p.location, status)
	}
	return p
}

func TestForumAccessByRole(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newForumSite(t, db)
		invited, uninvited := "/forum/meetings/"+id(s.invited.ID), "/forum/meetings/"+id(s.uninvited.ID)
		post := &linkwork.Post{PlaceID: s.place.ID, Title: "Benefits advice", Body: "Ask for Jo.", AuthorUserID: s.worker.ID,
			AuthorName: "worker"}
		must(t, s.svc.Forum.CreatePost(context.Background(), post))
		postURL := "/forum/posts/" + id(post.ID)

		// Administrators, managers and link workers of any organisation take part.
		for _, email := range []string{"admin@example.org", "manager@example.org", "worker@example.org"} {
			b := s.who(email)
			b.get("/forum").wantStatus(t, email+" /forum", http.StatusOK).has(t, "Garden forum", "Practitioners only", "Benefits advice", "0 comments")
			b.get("/forum/meetings").wantStatus(t, email+" meetings", http.StatusOK).has(t, "Garden forum", "Practitioners only")
			b.get(uninvited).wantStatus(t, email+" meeting", http.StatusOK).has(t, "https://meet.example.org/Practitioners%20only", "Shared notes")
			b.get("/forum/posts").wantStatus(t, email+" posts", http.StatusOK).has(t, "Benefits advice")
			b.get(postURL).wantStatus(t, email+" post", http.StatusOK).has(t, "Ask for Jo.")
			b.get("/forum/people").wantStatus(t, email+" who's who", http.StatusOK)
			b.get("/forum/meetings/new").wantStatus(t, email+" new meeting", http.StatusOK)
			b.get(uninvited+"/notes").wantStatus(t, email+" notes", http.StatusOK)
		}
		// Commissioners and referrers do not.
		for _, email := range []string{"commissioner@example.org", "referrer@example.org"} {
			b := s.who(email)
			for _, path := range []string{"/forum", "/forum/meetings", invited, "/forum/posts", postURL, "/forum/people", "/forum/meetings/new"} {
				b.get(path).wantStatus(t, email+" "+path, http.StatusForbidden)
			}
		}
		// A community group sees only the meetings that invite it, and nothing else of the
		// forum.
		g := s.who("grower@example.org")
		for _, path := range []string{"/forum", "/forum/posts", postURL, "/forum/people", "/forum/meetings/new", invited + "/notes", invited + "/edit"} {
			g.get(path).wantStatus(t, "community "+path, http.StatusForbidden)
		}
		list := g.get("/forum/meetings").wantStatus(t, "community meetings", http.StatusOK)
		list.has(t, "Garden forum", "invited to")
		list.lacks(t, "Practitioners only")
		g.get(invited).wantStatus(t, "community invited meeting", http.StatusOK).has(t, "Garden forum", "https://meet.example.org/Garden%20forum", "Sign up")
		g.get(invited).lacks(t, "Shared notes")
		g.get(uninvited).wantStatus(t, "community uninvited meeting", http.StatusNotFound).lacks(t, "meet.example.org")
		g.post(uninvited+"/sign-up", nil).wantStatus(t, "community sign-up to an uninvited meeting", http.StatusNotFound)
		g.post(invited+"/sign-up", nil).wantStatus(t, "community sign-up", http.StatusSeeOther)
		g.get(invited).has(t, "You're going", "grower, Todmorden Garden")
		// Another group's member sees neither.
		choir := s.who("singer@example.org")
		choir.get(invited).wantStatus(t, "another group's member", http.StatusNotFound)
		if p := choir.get("/forum/meetings"); strings.Contains(p.body, "Garden forum") {
			t.Error("a group not invited lists the meeting")
		}

		// Another place's meetings and posts are not found, even by an administrator.
		ctx := context.Background()
		other := &linkwork.Place{Name: "Wakefield"}
		must(t, s.svc.Places.CreatePlace(ctx, other))
		away := &linkwork.Meeting{PlaceID: other.ID, Title: "Wakefield forum", StartsAt: s.invited.StartsAt, EndsAt: s.invited.EndsAt,
			Venue: "Wakefield", OrganiserName: "x"}
		must(t, s.svc.Forum.CreateMeeting(ctx, away))
		awayPost := &linkwork.Post{PlaceID: other.ID, Title: "Wakefield post", Body: "x", AuthorName: "x"}
		must(t, s.svc.Forum.CreatePost(ctx, awayPost))
		admin := s.who("admin@example.org")
		admin.get("/forum/meetings/"+id(away.ID)).wantStatus(t, "another place's meeting", http.StatusNotFound)
		admin.get("/forum/posts/"+id(awayPost.ID)).wantStatus(t, "another place's post", http.StatusNotFound)
		admin.get("/forum/meetings").lacks(t, "Wakefield forum")
		admin.get("/forum/posts").lacks(t, "Wakefield post")
	})
}

// meetingForm is a filled-in meeting form for 14 May next year, 2pm to 3:30pm UK time.
func meetingForm(year int) url.Values {
	return url.Values{"title": {"Summer forum"}, "date-day": {"14"}, "date-month": {"5"}, "date-year": {id(int64(year))},
		"start_time": {"2pm"}, "end_time": {"15:30"}, "venue": {"Halifax Central Library"}, "online_url": {"https://meet.example.org/summer"},
		"agenda": {"Welcome\n\nWhat we learned this spring"}, "capacity": {"2"}}
}

func TestForumMeetingPages(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newForumSite(t, db)
		ctx := context.Background()
		worker, manager, admin := s.who("worker@example.org"), s.who("manager@example.org"), s.who("admin@example.org")
		year := time.Now().Year() + 1
		before := countMeetings(t, s)

		// Bad forms: each answered 422 naming the field, and nothing written.
		for _, c := range []struct {
			name    string
			edit    func(v url.Values)
			message string
		}{
			{"no title", func(v url.Values) { v.Set("title", "") }, "Enter the title."},
			{"no date", func(v url.Values) { v.Del("date-day"); v.Del("date-month"); v.Del("date-year") }, "Enter the date of the meeting."},
			{"not a date", func(v url.Values) { v.Set("date-day", "31"); v.Set("date-month", "2") }, "Enter a real date"},
			{"a bad time", func(v url.Values) { v.Set("start_time", "25:00") }, "Enter the time the meeting starts in hours and minutes"},
			{"ends first", func(v url.Values) { v.Set("end_time", "1pm") }, "The meeting must end after it starts."},
			{"in the past", func(v url.Values) { v.Set("date-year", id(int64(year-3))) }, "The meeting must start in the future."},
			{"a plain http link", func(v url.Values) { v.Set("online_url", "http://meet.example.org/x") }, "starting https://"},
			{"a bad capacity", func(v url.Values) { v.Set("capacity", "lots") }, "Enter the number of places as a whole number"},
			{"an organisation not offered", func(v url.Values) { v.Set("invited_organisation_ids", "999999") }, "Choose the organisations to invite from the list."},
		} {
			form := meetingForm(year)
			c.edit(form)
			p := worker.post("/forum/meetings/new", form).wantStatus(t, c.name, http.StatusUnprocessableEntity)
			p.has(t, c.message, "There is a problem", "<title>Error: ")
		}
		if n := countMeetings(t, s); n != before {
			t.Fatalf("bad forms arranged %d meetings", n-before)
		}

		// A good one, inviting the choir: UK summer time is stored as UTC.
		form := meetingForm(year)
		form.Set("invited_organisation_ids", id(s.choir.ID))
		p := worker.post("/forum/meetings/new", form).wantStatus(t, "arrange", http.StatusSeeOther)
		mid := lastID(t, p.location)
		m, err := s.svc.Forum.FindMeeting(ctx, mid)
		must(t, err)
		if want := time.Date(year, time.May, 14, 13, 0, 0, 0, time.UTC); !m.StartsAt.Equal(want) || !m.EndsAt.Equal(want.Add(90*time.Minute)) ||
			m.OrganiserUserID != s.worker.ID || m.Capacity != 2 || len(m.InvitedOrganisationIDs) != 1 || m.InvitedOrganisationIDs[0] != s.choir.ID {
			t.Fatalf("arranged %+v", m)
		}
		path := p.location
		worker.get(path).has(t, "The meeting has been arranged", "14 May "+id(int64(year))+", 2pm to 3:30pm", "Halifax Choir",
			"2 places left", "What we learned this spring")

		// Signing up, until it is full.
		manager.post(path+"/sign-up", nil).wantStatus(t, "manager signs up", http.StatusSeeOther)
		manager.post(path+"/sign-up", nil).wantStatus(t, "manager signs up again", http.StatusConflict).has(t, "already signed up")
		manager.get("/forum").has(t, "Summer forum", "You're going")
		worker.post(path+"/sign-up", nil).wantStatus(t, "worker signs up", http.StatusSeeOther)
		admin.post(path+"/sign-up", nil).wantStatus(t, "admin signs up to a full meeting", http.StatusConflict).has(t, "full")
		admin.get(path).has(t, "manager, Calder PCN", "worker, Todmorden Garden", "This meeting is full")
		manager.post(path+"/cancel-sign-up", nil).wantStatus(t, "manager cancels", http.StatusSeeOther)
		manager.get(path).has(t, "Your sign-up has been cancelled", "1 place left")

		// Changing: the organiser or an administrator, at the version they read.
		edit := meetingForm(year)
		edit.Set("title", "Summer forum (moved)")
		edit.Set("version", id(int64(m.Version)))
		manager.get(path+"/edit").wantStatus(t, "a manager who did not organise it", http.StatusForbidden)
		manager.post(path+"/edit", edit).wantStatus(t, "a manager who did not organise it", http.StatusForbidden)
		worker.get(path+"/edit").wantStatus(t, "the organiser's form", http.StatusOK).has(t, `value="14:00"`, `value="15:30"`, `value="Summer forum"`)
		edit.Set("capacity", "0")
		worker.post(path+"/edit", edit).wantStatus(t, "the organiser changes it", http.StatusSeeOther)
		edit.Set("title", "Overwrites the move")
		stale := admin.post(path+"/edit", edit).wantStatus(t, "an administrator changes an old version", http.StatusConflict)
		stale.has(t, "Someone changed this meeting after you opened it", `value="Overwrites the move"`)
		if now, _ := s.svc.Forum.FindMeeting(ctx, mid); now.Title != "Summer forum (moved)" {
			t.Fatalf("a stale change was saved: %q", now.Title)
		}
		edit.Set("version", id(int64(m.Version+1)))
		edit.Set("online_url", "meet.example.org")
		admin.post(path+"/edit", edit).wantStatus(t, "a bad change", http.StatusUnprocessableEntity).has(t, "starting https://")

		// Cancelling.
		manager.post(path+"/cancel", url.Values{"version": {"2"}}).wantStatus(t, "a manager cancels another's meeting", http.StatusForbidden)
		worker.post(path+"/cancel", url.Values{"version": {"1"}}).wantStatus(t, "cancel an old version", http.StatusConflict)
		worker.post(path+"/cancel", url.Values{"version": {"2"}}).wantStatus(t, "the organiser cancels", http.StatusSeeOther)
		worker.get(path).has(t, "Cancelled", "The meeting has been cancelled")
		worker.get(path).lacks(t, ">Sign up<", "Change the meeting")
		worker.get(path+"/edit").wantStatus(t, "change a cancelled meeting", http.StatusBadRequest)
		admin.post(path+"/sign-up", nil).wantStatus(t, "sign up to a cancelled meeting", http.StatusConflict)
	})
}

func countMeetings(t *testing.T, s *forumSite) int {
	t.Helper()
	_, up, err := s.svc.Forum.ListMeetings(context.Background(), linkwork.MeetingFilter{PlaceID: s.place.ID, AllOrganisations: true, Upcoming: true})
	must(t, err)
	_, past, err := s.svc.Forum.ListMeetings(context.Background(), linkwork.MeetingFilter{PlaceID: s.place.ID, AllOrganisations: true})
	must(t, err)
	return up + past
}

// A meeting under way: attendance by its organiser or an administrator, and notes kept by
// two people at once without either losing the other's.
func TestForumMeetingAttendanceAndNotes(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		// The meeting started an hour ago: it is arranged while the database's clock is
		// two hours back.
		real := db.Now
		db.Now = func() time.Time { return real().Add(-2 * time.Hour) }
		s := newForumSite(t, db)
		ctx := context.Background()
		start := time.Now().Add(-time.Hour).Truncate(time.Minute)
		m := &linkwork.Meeting{PlaceID: s.place.ID, Title: "Under way", StartsAt: start, EndsAt: start.Add(2 * time.Hour),
			OnlineURL: "https://meet.example.org/now", OrganiserUserID: s.worker.ID, OrganiserName: "worker"}
		must(t, s.svc.Forum.CreateMeeting(ctx, m))
		db.Now = real
		must(t, s.svc.Forum.SignUp(ctx, m.ID, s.manager.ID, "Calder PCN"))
		must(t, s.svc.Forum.SignUp(ctx, m.ID, s.admin.ID, "Calder PCN"))
		path := "/forum/meetings/" + id(m.ID)
		worker, manager, admin := s.who("worker@example.org"), s.who("manager@example.org"), s.who("admin@example.org")

		manager.get(path).lacks(t, "Save who came")
		manager.post(path+"/attendance", url.Values{"came": {id(s.manager.ID)}}).wantStatus(t, "a manager who did not organise it", http.StatusForbidden)
		worker.get(path).has(t, "Save who came", `name="came"`)
		worker.post(path+"/attendance", url.Values{"came": {id(s.manager.ID)}}).wantStatus(t, "the organiser records who came", http.StatusSeeOther)
		worker.get(path).has(t, "Who came has been recorded")
		got, err := s.svc.Forum.FindMeeting(ctx, m.ID)
		must(t, err)
		for _, su := range got.SignUps {
			if su.Attended == nil || *su.Attended != (su.UserID == s.manager.ID) {
				t.Errorf("attendance of %s: %v", su.Name, su.Attended)
			}
		}
		admin.post(path+"/attendance", url.Values{"came": {id(s.manager.ID), id(s.admin.ID)}}).wantStatus(t, "an administrator records who came", http.StatusSeeOther)
		manager.get(path).has(t, "manager, Calder PCN (came)", "admin, Calder PCN (came)")

		// Notes: both open them; the first to save wins, the second is told and keeps
		// their text.
		managerForm := manager.get(path+"/notes").wantStatus(t, "notes", http.StatusOK)
		managerForm.has(t, `name="version" value="`+id(int64(got.Version))+`"`)
		worker.post(path+"/notes", url.Values{"version": {id(int64(got.Version))}, "notes": {"Worker's notes.\n\nActions: share the list."}}).
			wantStatus(t, "the first save", http.StatusSeeOther)
		second := manager.post(path+"/notes", url.Values{"version": {id(int64(got.Version))}, "notes": {"Manager's notes <b>bold</b>"}})
		second.wantStatus(t, "the second save of the same version", http.StatusConflict)
		second.has(t, "worker saved the notes", "Worker&#39;s notes.", "Manager&#39;s notes &lt;b&gt;bold&lt;/b&gt;", `value="`+id(int64(got.Version+1))+`"`)
		if now, _ := s.svc.Forum.FindMeeting(ctx, m.ID); now.Notes != "Worker's notes.\n\nActions: share the list." {
			t.Fatalf("the notes were overwritten: %q", now.Notes)
		}
		manager.post(path+"/notes", url.Values{"version": {id(int64(got.Version + 1))}, "notes": {"Both sets of notes."}}).
			wantStatus(t, "saved again knowing", http.StatusSeeOther)
		manager.get(path).has(t, "Both sets of notes.", "Last saved")
		manager.post(path+"/notes", url.Values{"notes": {"x"}}).wantStatus(t, "no version", http.StatusBadRequest)
		manager.post(path+"/notes", url.Values{"version": {id(int64(got.Version + 2))}, "notes": {strings.Repeat("n", sqldb.MaxMeetingNotes+1)}}).
			wantStatus(t, "notes too long", http.StatusUnprocessableEntity).has(t, "characters or fewer")
	})
}

func TestForumPostPages(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newForumSite(t, db)
		ctx := context.Background()
		worker, manager, admin := s.who("worker@example.org"), s.who("manager@example.org"), s.who("admin@example.org")

		worker.get("/forum/posts/new").wantStatus(t, "the form", http.StatusOK)
		worker.post("/forum/posts/new", url.Values{"title": {" "}, "body": {""}}).wantStatus(t, "an empty post", http.StatusUnprocessableEntity).
			has(t, "Enter the title.", "Enter the post.")
		if _, n, _ := s.svc.Forum.ListPosts(ctx, linkwork.PostFilter{PlaceID: s.place.ID, WithHidden: true}); n != 0 {
			t.Fatalf("an empty post was published")
		}
		p := worker.post("/forum/posts/new", url.Values{"title": {"Benefits <advice>"},
			"body": {"<script>alert(1)</script> Ask for Jo.\nShe calls back.\n\nSecond paragraph."}}).wantStatus(t, "a post", http.StatusSeeOther)
		postURL := p.location
		page := worker.get(postURL)
		page.has(t, "Your post has been published", "Benefits &lt;advice&gt;", "&lt;script&gt;alert(1)&lt;/script&gt; Ask for Jo.\nShe calls back.</p>",
			`<p class="lw-text">Second paragraph.</p>`, "By worker, Todmorden Garden")
		page.lacks(t, "<script>alert(1)")

		// Comments, and the list with its counts and search.
		manager.post(postURL+"/comments", url.Values{"body": {"  "}}).wantStatus(t, "an empty comment", http.StatusUnprocessableEntity).has(t, "Enter the comment.")
		manager.post(postURL+"/comments", url.Values{"body": {"Jo was a great help."}}).wantStatus(t, "a comment", http.StatusSeeOther)
		manager.post(postURL+"/comments", url.Values{"body": {"Spam spam spam"}}).wantStatus(t, "another", http.StatusSeeOther)
		worker.get(postURL).has(t, "Jo was a great help.", "manager</strong>, Calder PCN", "Spam spam spam")
		worker.get("/forum/posts").has(t, "2 comments")
		worker.get("/forum/posts?q=BENEFITS+jo").has(t, "Benefits &lt;advice&gt;")
		worker.get("/forum/posts?q=gardening").has(t, "No posts match")
		worker.get("/forum/posts?q="+strings.Repeat("a", 201)).wantStatus(t, "a long search", http.StatusUnprocessableEntity)

		// Hiding: administrators only, with a reason; then nobody else sees it.
		post, err := s.svc.Forum.FindPost(ctx, lastID(t, postURL), true)
		must(t, err)
		spam := post.Comments[1]
		worker.get(postURL).lacks(t, "Hide this comment", "Hide the post")
		admin.get(postURL).has(t, "Hide this comment", "Hide the post")
		manager.post("/forum/comments/"+id(spam.ID)+"/hide", url.Values{"post_id": {id(post.ID)}, "reason": {"Spam"}}).
			wantStatus(t, "a manager hides", http.StatusForbidden)
		admin.post("/forum/comments/"+id(spam.ID)+"/hide", url.Values{"post_id": {id(post.ID)}, "reason": {" "}}).
			wantStatus(t, "no reason", http.StatusUnprocessableEntity).has(t, "Say why it is being hidden", `href="#reason-`+id(spam.ID)+`"`)
		admin.post("/forum/comments/"+id(spam.ID)+"/hide", url.Values{"post_id": {"999999"}, "reason": {"Spam"}}).
			wantStatus(t, "the wrong post", http.StatusNotFound)
		admin.post("/forum/comments/"+id(spam.ID)+"/hide", url.Values{"post_id": {id(post.ID)}, "reason": {"Spam"}}).
			wantStatus(t, "hide the comment", http.StatusSeeOther)
		worker.get(postURL).lacks(t, "Spam spam spam")
		worker.get("/forum/posts").has(t, "1 comment")
		admin.get(postURL).has(t, "Spam spam spam", "Hidden")

		manager.post(postURL+"/hide", url.Values{"reason": {"x"}}).wantStatus(t, "a manager hides a post", http.StatusForbidden)
		admin.post(postURL+"/hide", url.Values{"reason": {""}}).wantStatus(t, "no reason", http.StatusUnprocessableEntity)
		admin.post(postURL+"/hide", url.Values{"reason": {"Could identify a person."}}).wantStatus(t, "hide the post", http.StatusSeeOther)
		for _, b := range []*browser{worker, manager} {
			b.get(postURL).wantStatus(t, "a hidden post", http.StatusNotFound)
			b.get("/forum/posts").lacks(t, "Benefits &lt;advice&gt;")
			b.get("/forum").lacks(t, "Benefits &lt;advice&gt;")
			b.post(postURL+"/comments", url.Values{"body": {"x"}}).wantStatus(t, "comment on a hidden post", http.StatusNotFound)
		}
		admin.get(postURL).has(t, "Only administrators can see this post", "Could identify a person.")
		admin.get("/forum/posts").has(t, "Benefits &lt;advice&gt;", "Hidden")
		admin.post(postURL+"/hide", url.Values{"reason": {"again"}}).wantStatus(t, "hide twice", http.StatusConflict)
		if es, _, _ := s.svc.Audit.ListAudit(ctx, linkwork.AuditFilter{PlaceID: s.place.ID, Action: linkwork.AuditForumHide}); len(es) != 2 {
			t.Fatalf("%d hide events, want 2", len(es))
		}
	})
}

func lastID(t *testing.T, path string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(path[strings.LastIndex(path, "/")+1:], 10, 64)
	must(t, err)
	return n
}

func TestForumWhosWho(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newForumSite(t, db)
		ctx := context.Background()
		// Came to one meeting: one arranged back in time, then recorded.
		real := db.Now
		db.Now = func() time.Time { return real().Add(-48 * time.Hour) }
		start := time.Now().Add(-24 * time.Hour)
		m := &linkwork.Meeting{PlaceID: s.place.ID, Title: "Yesterday", StartsAt: start, EndsAt: start.Add(time.Hour),
			Venue: "Library", OrganiserName: "x"}
		must(t, s.svc.Forum.CreateMeeting(ctx, m))
		must(t, s.svc.Forum.SignUp(ctx, m.ID, s.worker.ID, "Todmorden Garden"))
		db.Now = real
		must(t, s.svc.Forum.RecordAttendance(ctx, m.ID, map[int64]bool{s.worker.ID: true}))
		entries := []*linkwork.Practitioner{
			{PlaceID: s.place.ID, UserID: s.worker.ID, Name: "Wyn Worker", OrganisationID: s.orgB.ID, Specialisms: []string{"Debt"},
				Neighbourhoods: []string{"Todmorden"}},
			{PlaceID: s.place.ID, Name: "Ann Calder", OrganisationID: s.orgA.ID, JobTitle: "Social prescribing link worker",
				Specialisms: []string{"Housing"}},
		}
		for _, e := range entries {
			must(t, s.svc.Practitioners.CreatePractitioner(ctx, e))
		}
		b := s.who("manager@example.org")
		p := b.get("/forum/people").wantStatus(t, "who's who", http.StatusOK)
		p.has(t, `<h2 class="nhsuk-heading-m">Calder PCN</h2>`, `<h2 class="nhsuk-heading-m">Todmorden Garden</h2>`,
			`href="/practitioners/`+id(entries[0].ID)+`"`, `href="/practitioners/`+id(entries[1].ID)+`"`, "Came to 1 meeting",
			"Social prescribing link worker")
		if strings.Index(p.body, "Calder PCN</h2>") > strings.Index(p.body, "Todmorden Garden</h2>") {
			t.Error("employers are not in order")
		}
		p = b.get("/forum/people?q=debt")
		p.has(t, "Wyn Worker")
		p.lacks(t, "Ann Calder")
		p = b.get("/forum/people?organisation=" + id(s.orgA.ID))
		p.has(t, "Ann Calder")
		p.lacks(t, "Wyn Worker")
		b.get("/forum/people?q=nobody+at+all").has(t, "Nobody matches")
		es, _, err := s.svc.Audit.ListAudit(ctx, linkwork.AuditFilter{PlaceID: s.place.ID, Action: linkwork.AuditPractitionerList,
			ActorUserID: s.manager.ID})
		must(t, err)
		if len(es) != 4 || !strings.HasPrefix(es[0].Detail, "forum who's who") {
			t.Fatalf("who's who audit: %+v", es)
		}
	})
}
