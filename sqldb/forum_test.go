package sqldb_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// forumWorld is York with its forum: link workers at the council and the GP practice, a
// community group with a member, another community group, and Leeds with an organisation
// of its own.
type forumWorld struct {
	*world
	forum            linkwork.ForumService
	garden, choir    *linkwork.Organisation
	leeds            *linkwork.Place
	leedsOrg         *linkwork.Organisation
	lee, kim, grower int64 // link worker at the GP, link worker at the council, garden member
}

func newForumWorld(t *testing.T, db *sqldb.DB) *forumWorld {
	t.Helper()
	w := &forumWorld{world: newWorld(t, db)}
	w.forum = w.svc.Forum
	w.garden = mustOrg(t, db, w.york.ID, "Tang Hall Garden", linkwork.SectorVCSE)
	w.choir = mustOrg(t, db, w.york.ID, "York Community Choir", linkwork.SectorVCSE)
	w.leeds = mustPlace(t, db, "Leeds")
	w.leedsOrg = mustOrg(t, db, w.leeds.ID, "Leeds Community Trust", linkwork.SectorVCSE)
	w.lee = quickUser(t, db, "lee@priory.example", "Lee Walker", w.gp.ID, linkwork.RoleLinkWorker)
	w.kim = quickUser(t, db, "kim@york.example", "Kim Connector", w.council.ID, linkwork.RoleLinkWorker)
	w.grower = quickUser(t, db, "grower@garden.example", "Gus Grower", w.garden.ID, linkwork.RoleCommunity)
	return w
}

// as is ctx acting as a user of York.
func (w *forumWorld) as(userID int64, email string) context.Context {
	return linkwork.NewContextWithActor(context.Background(), linkwork.Actor{UserID: userID, Label: email, PlaceID: w.york.ID})
}

// meeting is a valid meeting in York a week from the clock, an hour long.
func (w *forumWorld) meeting(title string, inDays int) *linkwork.Meeting {
	start := w.clock.now.Add(time.Duration(inDays) * 24 * time.Hour).Truncate(time.Hour)
	return &linkwork.Meeting{PlaceID: w.york.ID, Title: title, StartsAt: start, EndsAt: start.Add(90 * time.Minute),
		Venue: "West Offices, Station Rise", OnlineURL: "https://meet.example.org/forum", Agenda: "Introductions\n\nCase studies",
		OrganiserUserID: w.lee, OrganiserName: "Lee Walker"}
}

func (w *forumWorld) mustMeeting(t *testing.T, m *linkwork.Meeting) *linkwork.Meeting {
	t.Helper()
	must(t, w.forum.CreateMeeting(w.as(w.lee, "lee@priory.example"), m))
	return m
}

func TestForumMeetingCreateAndChange(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newForumWorld(t, db)
		ctx := w.as(w.lee, "lee@priory.example")

		// Bad meetings: each refused on its field, and nothing written.
		for _, c := range []struct {
			name, field string
			edit        func(m *linkwork.Meeting)
		}{
			{"no title", "title", func(m *linkwork.Meeting) { m.Title = "  " }},
			{"ends before it starts", "ends_at", func(m *linkwork.Meeting) { m.EndsAt = m.StartsAt.Add(-time.Minute) }},
			{"in the past", "starts_at", func(m *linkwork.Meeting) {
				m.StartsAt, m.EndsAt = w.clock.now.Add(-2*time.Hour), w.clock.now.Add(time.Hour)
			}},
			{"plain http link", "online_url", func(m *linkwork.Meeting) { m.OnlineURL = "http://meet.example.org/forum" }},
			{"nowhere", "venue", func(m *linkwork.Meeting) { m.Venue, m.OnlineURL = "", "" }},
			{"negative capacity", "capacity", func(m *linkwork.Meeting) { m.Capacity = -1 }},
			{"invites another place's organisation", "invited_organisation_ids", func(m *linkwork.Meeting) {
				m.InvitedOrganisationIDs = []int64{w.garden.ID, w.leedsOrg.ID}
			}},
			{"invites no organisation at all", "invited_organisation_ids", func(m *linkwork.Meeting) {
				m.InvitedOrganisationIDs = []int64{999999}
			}},
		} {
			m := w.meeting("Bad", 7)
			c.edit(m)
			err := w.forum.CreateMeeting(ctx, m)
			if !slices.ContainsFunc(linkwork.FieldErrors(err), func(e *linkwork.Error) bool { return e.Field == c.field }) {
				t.Errorf("%s: got %v, want a problem with %s", c.name, err, c.field)
			}
		}
		// Several problems are reported together, the invites' among them.
		m := w.meeting("", 7)
		m.OnlineURL, m.InvitedOrganisationIDs = "ftp://x", []int64{w.leedsOrg.ID}
		if es := linkwork.FieldErrors(w.forum.CreateMeeting(ctx, m)); len(es) != 3 {
			t.Errorf("got %d problems %v, want title, online_url and invited_organisation_ids", len(es), es)
		}
		if n := countRows(t, db, "forum_meetings", ""); n != 0 {
			t.Fatalf("bad meetings wrote %d rows", n)
		}
		if n := countRows(t, db, "meeting_invites", ""); n != 0 {
			t.Fatalf("bad meetings wrote %d invites", n)
		}

		// A good one, inviting the garden (twice over: kept once).
		m = w.meeting("  Spring forum ", 7)
		m.Capacity, m.InvitedOrganisationIDs = 20, []int64{w.garden.ID, w.garden.ID}
		w.mustMeeting(t, m)
		if m.ID == 0 || m.Title != "Spring forum" || m.Version != 1 || m.Cancelled || !slices.Equal(m.InvitedOrganisationIDs, []int64{w.garden.ID}) ||
			!slices.Equal(m.InvitedOrganisations, []string{"Tang Hall Garden"}) || m.OrganiserName != "Lee Walker" || m.OrganiserUserID != w.lee {
			t.Fatalf("created %+v", m)
		}
		got, err := w.forum.FindMeeting(ctx, m.ID)
		must(t, err)
		if !got.StartsAt.Equal(m.StartsAt) || got.Agenda != m.Agenda || got.Capacity != 20 || len(got.SignUps) != 0 || got.PlaceID != w.york.ID {
			t.Fatalf("found %+v", got)
		}
		oneAudit(t, db, linkwork.AuditMeetingChange, idStr(m.ID))
		if _, err := w.forum.FindMeeting(ctx, 999999); linkwork.ErrorCode(err) != linkwork.ENOTFOUND {
			t.Fatalf("find a meeting that is not there: %v", err)
		}

		// Changes: at the version read, with the invites replaced and checked.
		change := *got
		change.Title, change.Capacity, change.InvitedOrganisationIDs = "Spring forum (moved)", 2, []int64{w.choir.ID}
		change.StartsAt, change.EndsAt = change.StartsAt.Add(time.Hour), change.EndsAt.Add(time.Hour)
		must(t, w.forum.UpdateMeeting(ctx, &change))
		if change.Version != 2 || change.Title != "Spring forum (moved)" || !slices.Equal(change.InvitedOrganisationIDs, []int64{w.choir.ID}) {
			t.Fatalf("changed %+v", change)
		}
		stale := *got
		stale.Title = "Overwrites the move"
		wantCode(t, w.forum.UpdateMeeting(ctx, &stale), linkwork.ECONFLICT, "")
		bad := change
		bad.InvitedOrganisationIDs = []int64{w.leedsOrg.ID}
		wantCode(t, w.forum.UpdateMeeting(ctx, &bad), linkwork.EINVALID, "invited_organisation_ids")
		again, err := w.forum.FindMeeting(ctx, m.ID)
		must(t, err)
		if again.Version != 2 || again.Title != "Spring forum (moved)" || !slices.Equal(again.InvitedOrganisationIDs, []int64{w.choir.ID}) {
			t.Fatalf("a refused change was written: %+v", again)
		}
		// Places cannot be fewer than the people signed up.
		must(t, w.forum.SignUp(ctx, m.ID, w.lee, "Priory Medical Group"))
		must(t, w.forum.SignUp(ctx, m.ID, w.kim, "City of York Council"))
		fewer, err := w.forum.FindMeeting(ctx, m.ID)
		must(t, err)
		fewer.Capacity = 1
		wantCode(t, w.forum.UpdateMeeting(ctx, fewer), linkwork.EINVALID, "capacity")
		// Another place's caller cannot change it.
		other := *again
		other.PlaceID = w.leeds.ID
		wantCode(t, w.forum.UpdateMeeting(ctx, &other), linkwork.ENOTFOUND, "")

		// Cancelling: at the version read, once; then it cannot be changed or joined.
		wantCode(t, w.forum.CancelMeeting(ctx, m.ID, 1), linkwork.ECONFLICT, "")
		must(t, w.forum.CancelMeeting(ctx, m.ID, again.Version))
		wantCode(t, w.forum.CancelMeeting(ctx, m.ID, again.Version+1), linkwork.ECONFLICT, "")
		cancelled, err := w.forum.FindMeeting(ctx, m.ID)
		must(t, err)
		if !cancelled.Cancelled || cancelled.SignUpCount != 2 {
			t.Fatalf("cancelled %+v", cancelled)
		}
		wantCode(t, w.forum.UpdateMeeting(ctx, cancelled), linkwork.ECONFLICT, "")
		if es := auditWith(t, db, linkwork.AuditMeetingChange, idStr(m.ID)); len(es) != 3 || es[0].Detail != "cancelled" {
			t.Fatalf("audit of the meeting: %+v", es)
		}

		// A meeting that is over cannot be changed or cancelled.
		past := w.mustMeeting(t, w.meeting("Winter forum", 1))
		w.clock.advance(3 * 24 * time.Hour)
		wantCode(t, w.forum.CancelMeeting(ctx, past.ID, past.Version), linkwork.ECONFLICT, "")
		wantCode(t, w.forum.UpdateMeeting(ctx, past), linkwork.ECONFLICT, "")
	})
}

func TestMeetingSignUps(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newForumWorld(t, db)
		ctx := w.as(w.lee, "lee@priory.example")
		m := w.meeting("Small forum", 7)
		m.Capacity, m.InvitedOrganisationIDs = 2, []int64{w.garden.ID}
		w.mustMeeting(t, m)

		must(t, w.forum.SignUp(ctx, m.ID, w.lee, " Priory Medical Group "))
		wantCode(t, w.forum.SignUp(ctx, m.ID, w.lee, "Priory Medical Group"), linkwork.ECONFLICT, "")
		must(t, w.forum.SignUp(w.as(w.grower, "grower@garden.example"), m.ID, w.grower, "Tang Hall Garden"))
		err := w.forum.SignUp(ctx, m.ID, w.kim, "City of York Council")
		wantCode(t, err, linkwork.ECONFLICT, "")
		if !strings.Contains(linkwork.ErrorMessage(err), "full") {
			t.Errorf("a full meeting's refusal says %q", linkwork.ErrorMessage(err))
		}
		wantCode(t, w.forum.SignUp(ctx, 999999, w.kim, "x"), linkwork.ENOTFOUND, "")
		wantCode(t, w.forum.SignUp(ctx, m.ID, 999999, "x"), linkwork.ENOTFOUND, "")

		got, err := w.forum.FindMeeting(ctx, m.ID)
		must(t, err)
		if got.SignUpCount != 2 || !got.Full() || len(got.SignUps) != 2 || got.SignUps[0].UserID != w.lee ||
			got.SignUps[0].Name != "Lee Walker" || got.SignUps[0].OrganisationName != "Priory Medical Group" ||
			got.SignUps[1].OrganisationName != "Tang Hall Garden" || got.SignUps[0].Attended != nil {
			t.Fatalf("sign-ups %+v", got.SignUps)
		}

		// A place given back can be taken.
		must(t, w.forum.CancelSignUp(ctx, m.ID, w.lee))
		wantCode(t, w.forum.CancelSignUp(ctx, m.ID, w.lee), linkwork.ENOTFOUND, "")
		must(t, w.forum.SignUp(ctx, m.ID, w.kim, "City of York Council"))
		if es := auditWith(t, db, linkwork.AuditMeetingSignUp, idStr(m.ID)); len(es) != 4 {
			t.Fatalf("%d sign-up audit events, want 4", len(es))
		}

		// Nobody joins a cancelled meeting, or one that is over.
		cancelled := w.mustMeeting(t, w.meeting("Cancelled forum", 7))
		must(t, w.forum.CancelMeeting(ctx, cancelled.ID, cancelled.Version))
		wantCode(t, w.forum.SignUp(ctx, cancelled.ID, w.kim, "x"), linkwork.ECONFLICT, "")
		w.clock.advance(8 * 24 * time.Hour)
		wantCode(t, w.forum.SignUp(ctx, m.ID, w.lee, "x"), linkwork.ECONFLICT, "")
		wantCode(t, w.forum.CancelSignUp(ctx, m.ID, w.kim), linkwork.ECONFLICT, "")
		if n := countRows(t, db, "meeting_sign_ups", "meeting_id = ?", m.ID); n != 2 {
			t.Fatalf("%d sign-ups after refusals, want 2", n)
		}
	})
}

// Several people signing up at once for the last places: exactly as many as there are
// places get one, on both databases.
func TestMeetingLastPlaceConcurrently(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newForumWorld(t, db)
		ctx := w.as(w.lee, "lee@priory.example")
		m := w.meeting("Popular forum", 7)
		m.Capacity = 2
		w.mustMeeting(t, m)
		must(t, w.forum.SignUp(ctx, m.ID, w.lee, "Priory Medical Group")) // one place left
		users := []int64{w.kim, w.grower, w.admin.ID,
			quickUser(t, db, "sam@priory.example", "Sam Second", w.gp.ID, linkwork.RoleLinkWorker)}

		// Let every sign-up start before any has counted the places taken: on PostgreSQL
		// the first to lock the meeting waits on the sign-ups table, the rest on the first.
		holder := holdLock(t, db, "LOCK TABLE meeting_sign_ups IN ACCESS EXCLUSIVE MODE")
		errs := make([]error, len(users))
		var wg sync.WaitGroup
		for i, u := range users {
			wg.Go(func() { errs[i] = w.forum.SignUp(ctx, m.ID, u, "Somewhere") })
		}
		waitForWaiters(t, db, holder, len(users))
		must(t, holder.Release())
		wg.Wait()

		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
				continue
			}
			wantCode(t, err, linkwork.ECONFLICT, "")
		}
		if n := countRows(t, db, "meeting_sign_ups", "meeting_id = ?", m.ID); ok != 1 || n != 2 {
			t.Fatalf("%d of %d sign-ups for the last place succeeded, leaving %d signed up to 2 places (errors %v)",
				ok, len(users), n, errs)
		}
	})
}

func TestMeetingAttendance(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newForumWorld(t, db)
		ctx := w.as(w.lee, "lee@priory.example")
		m := w.mustMeeting(t, w.meeting("Forum", 2))
		must(t, w.forum.SignUp(ctx, m.ID, w.lee, "Priory Medical Group"))
		must(t, w.forum.SignUp(ctx, m.ID, w.kim, "City of York Council"))

		wantCode(t, w.forum.RecordAttendance(ctx, m.ID, map[int64]bool{w.lee: true}), linkwork.ECONFLICT, "")
		w.clock.now = m.StartsAt.Add(10 * time.Minute)
		wantCode(t, w.forum.RecordAttendance(ctx, m.ID, nil), linkwork.EINVALID, "attendance")
		wantCode(t, w.forum.RecordAttendance(ctx, m.ID, map[int64]bool{w.lee: true, w.grower: true}), linkwork.EINVALID, "attendance")
		wantCode(t, w.forum.RecordAttendance(ctx, 999999, map[int64]bool{w.lee: true}), linkwork.ENOTFOUND, "")
		if n := countRows(t, db, "meeting_sign_ups", "attended IS NOT NULL"); n != 0 {
			t.Fatalf("refused attendance wrote %d rows", n)
		}
		must(t, w.forum.RecordAttendance(ctx, m.ID, map[int64]bool{w.lee: true, w.kim: false}))
		got, err := w.forum.FindMeeting(ctx, m.ID)
		must(t, err)
		if a := got.SignUps[0].Attended; a == nil || !*a {
			t.Errorf("Lee's attendance %v, want true", a)
		}
		if a := got.SignUps[1].Attended; a == nil || *a {
			t.Errorf("Kim's attendance %v, want false", a)
		}
		if e := oneAudit(t, db, linkwork.AuditMeetingAttendance, idStr(m.ID)); e.Detail != "1 came, 1 did not" {
			t.Errorf("audit detail %q", e.Detail)
		}
		// Recorded later, after it ended, too; and counted across meetings.
		w.clock.advance(24 * time.Hour)
		must(t, w.forum.RecordAttendance(ctx, m.ID, map[int64]bool{w.kim: true}))
		w.clock.now = m.StartsAt.Add(-24 * time.Hour)
		second := w.mustMeeting(t, w.meeting("Second forum", 3))
		must(t, w.forum.SignUp(ctx, second.ID, w.kim, "City of York Council"))
		w.clock.now = second.StartsAt
		must(t, w.forum.RecordAttendance(ctx, second.ID, map[int64]bool{w.kim: true}))
		counts, err := w.forum.AttendanceCounts(ctx, w.york.ID, []int64{w.lee, w.kim, w.grower})
		must(t, err)
		if counts[w.lee] != 1 || counts[w.kim] != 2 || len(counts) != 2 {
			t.Fatalf("attendance counts %v", counts)
		}
		if counts, err := w.forum.AttendanceCounts(ctx, w.leeds.ID, []int64{w.lee, w.kim}); err != nil || len(counts) != 0 {
			t.Fatalf("Leeds attendance counts %v %v", counts, err)
		}
		// Nobody came to a cancelled meeting.
		w.clock.now = second.StartsAt.Add(-48 * time.Hour)
		third := w.mustMeeting(t, w.meeting("Third", 1))
		must(t, w.forum.SignUp(ctx, third.ID, w.kim, "x"))
		must(t, w.forum.CancelMeeting(ctx, third.ID, third.Version))
		w.clock.advance(48 * time.Hour)
		wantCode(t, w.forum.RecordAttendance(ctx, third.ID, map[int64]bool{w.kim: true}), linkwork.ECONFLICT, "")
	})
}

// Two people keeping a meeting's notes at once: the second to save is told, and the first's
// notes are not overwritten.
func TestMeetingNotesVersion(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newForumWorld(t, db)
		lee, kim := w.as(w.lee, "lee@priory.example"), w.as(w.kim, "kim@york.example")
		m := w.mustMeeting(t, w.meeting("Forum", 7))

		saved, err := w.forum.SaveNotes(lee, m.ID, m.Version, "  Lee's notes\n\nAction: share the list. ")
		must(t, err)
		if saved.Notes != "Lee's notes\n\nAction: share the list." || saved.NotesUpdatedBy != "Lee Walker" || saved.NotesUpdatedAt == nil ||
			saved.Version != m.Version+1 {
			t.Fatalf("saved %+v", saved)
		}
		_, err = w.forum.SaveNotes(kim, m.ID, m.Version, "Kim's notes")
		wantCode(t, err, linkwork.ECONFLICT, "")
		if !strings.Contains(linkwork.ErrorMessage(err), "Lee Walker") {
			t.Errorf("the conflict does not say who saved: %q", linkwork.ErrorMessage(err))
		}
		_, err = w.forum.SaveNotes(kim, m.ID, saved.Version, strings.Repeat("x", sqldb.MaxMeetingNotes+1))
		wantCode(t, err, linkwork.EINVALID, "notes")
		_, err = w.forum.SaveNotes(kim, 999999, 1, "x")
		wantCode(t, err, linkwork.ENOTFOUND, "")
		got, err := w.forum.FindMeeting(lee, m.ID)
		must(t, err)
		if got.Notes != saved.Notes || got.Version != saved.Version {
			t.Fatalf("a refused save changed the notes: %+v", got)
		}
		if es := auditWith(t, db, linkwork.AuditMeetingChange, idStr(m.ID)); len(es) != 2 || es[0].Detail != "notes saved" {
			t.Fatalf("audit %+v", es)
		}

		// At the same moment: exactly one of the two saves.
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i, ctx := range []context.Context{lee, kim} {
			wg.Go(func() { _, errs[i] = w.forum.SaveNotes(ctx, m.ID, got.Version, "at once "+idStr(int64(i))) })
		}
		wg.Wait()
		if (errs[0] == nil) == (errs[1] == nil) {
			t.Fatalf("two saves of one version: errors %v", errs)
		}
		for _, err := range errs {
			if err != nil {
				wantCode(t, err, linkwork.ECONFLICT, "")
			}
		}
		// Notes may be kept after the meeting, the detail no longer changed.
		w.clock.advance(10 * 24 * time.Hour)
		now, err := w.forum.FindMeeting(lee, m.ID)
		must(t, err)
		_, err = w.forum.SaveNotes(lee, m.ID, now.Version, "Written up afterwards.")
		must(t, err)
	})
}

func TestListMeetings(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newForumWorld(t, db)
		ctx := w.as(w.lee, "lee@priory.example")
		// Made in an order other than their dates: two past, three to come, one in Leeds.
		w.clock.advance(-20 * 24 * time.Hour)
		longAgo := w.mustMeeting(t, w.meeting("Long ago", 1))
		lately := w.mustMeeting(t, w.meeting("Lately", 10))
		w.clock.advance(20 * 24 * time.Hour)
		later := w.meeting("Later", 14)
		later.InvitedOrganisationIDs = []int64{w.garden.ID, w.choir.ID}
		w.mustMeeting(t, later)
		soon := w.meeting("Soon", 2)
		soon.InvitedOrganisationIDs = []int64{w.garden.ID}
		w.mustMeeting(t, soon)
		w.mustMeeting(t, w.meeting("Next week", 7))
		leeds := w.meeting("Leeds forum", 3)
		leeds.PlaceID = w.leeds.ID
		w.mustMeeting(t, leeds)
		must(t, w.forum.SignUp(ctx, soon.ID, w.kim, "City of York Council"))
		must(t, w.forum.SignUp(ctx, soon.ID, w.lee, "Priory Medical Group"))
		must(t, w.forum.SignUp(ctx, later.ID, w.kim, "City of York Council"))

		titles := func(ms []*linkwork.Meeting) []string {
			var out []string
			for _, m := range ms {
				out = append(out, m.Title)
			}
			return out
		}
		list, total, err := w.forum.ListMeetings(ctx, linkwork.MeetingFilter{PlaceID: w.york.ID, AllOrganisations: true,
			Upcoming: true, ForUserID: w.lee})
		must(t, err)
		if got := titles(list); total != 3 || !slices.Equal(got, []string{"Soon", "Next week", "Later"}) {
			t.Fatalf("upcoming %v (total %d)", got, total)
		}
		if list[0].SignUpCount != 2 || !list[0].SignedUp || list[2].SignUpCount != 1 || list[2].SignedUp || list[1].SignUpCount != 0 ||
			!slices.Equal(list[2].InvitedOrganisations, []string{"Tang Hall Garden", "York Community Choir"}) {
			t.Fatalf("upcoming counts and invites: %+v %+v %+v", list[0], list[1], list[2])
		}
		past, total, err := w.forum.ListMeetings(ctx, linkwork.MeetingFilter{PlaceID: w.york.ID, AllOrganisations: true})
		must(t, err)
		if got := titles(past); total != 2 || !slices.Equal(got, []string{lately.Title, longAgo.Title}) {
			t.Fatalf("past %v (total %d)", got, total)
		}
		// A community group sees only the meetings that invite it; none without invites.
		invited, total, err := w.forum.ListMeetings(ctx, linkwork.MeetingFilter{PlaceID: w.york.ID, Upcoming: true,
			InvitedOrganisationIDs: []int64{w.choir.ID}})
		must(t, err)
		if got := titles(invited); total != 1 || !slices.Equal(got, []string{"Later"}) {
			t.Fatalf("the choir's meetings %v", got)
		}
		none, total, err := w.forum.ListMeetings(ctx, linkwork.MeetingFilter{PlaceID: w.york.ID, Upcoming: true})
		must(t, err)
		if len(none) != 0 || total != 0 {
			t.Fatalf("a filter without organisations lists %v", titles(none))
		}
		// Pages.
		page2, total, err := w.forum.ListMeetings(ctx, linkwork.MeetingFilter{PlaceID: w.york.ID, AllOrganisations: true,
			Upcoming: true, Page: linkwork.Page{Number: 2, Size: 2}})
		must(t, err)
		if got := titles(page2); total != 3 || !slices.Equal(got, []string{"Later"}) {
			t.Fatalf("page 2: %v", got)
		}
		// A given time: everything in York is past a month on.
		all, total, err := w.forum.ListMeetings(ctx, linkwork.MeetingFilter{PlaceID: w.york.ID, AllOrganisations: true,
			Now: w.clock.now.Add(30 * 24 * time.Hour)})
		must(t, err)
		if total != 5 || all[0].Title != "Later" {
			t.Fatalf("a month on, past %v", titles(all))
		}
	})
}

func TestForumPosts(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newForumWorld(t, db)
		lee, kim := w.as(w.lee, "lee@priory.example"), w.as(w.kim, "kim@york.example")

		// Bad posts and comments change nothing.
		wantCode(t, w.forum.CreatePost(lee, &linkwork.Post{PlaceID: w.york.ID, Title: " ", Body: "x"}), linkwork.EINVALID, "title")
		wantCode(t, w.forum.CreatePost(lee, &linkwork.Post{PlaceID: w.york.ID, Title: "x", Body: strings.Repeat("b", 20001)}),
			linkwork.EINVALID, "body")
		wantCode(t, w.forum.CreatePost(lee, &linkwork.Post{PlaceID: 999999, Title: "x", Body: "y"}), linkwork.ENOTFOUND, "")
		if n := countRows(t, db, "forum_posts", ""); n != 0 {
			t.Fatalf("bad posts wrote %d rows", n)
		}

		post := func(ctx context.Context, title, body string) *linkwork.Post {
			t.Helper()
			p := &linkwork.Post{PlaceID: w.york.ID, Title: title, Body: body, AuthorOrganisation: "Priory Medical Group"}
			must(t, w.forum.CreatePost(ctx, p))
			w.clock.advance(time.Minute)
			return p
		}
		benefits := post(lee, "Benefits checks", "The council's welfare team takes referrals by phone.\nAsk for Jo.")
		gardens := post(kim, "Gardening groups", "Tang Hall Garden has 100% wheelchair access.")
		old := post(kim, "An older post", "About under_scores.")
		if benefits.AuthorName != "Lee Walker" || benefits.AuthorUserID != w.lee || benefits.ID == 0 || benefits.Hidden {
			t.Fatalf("created %+v", benefits)
		}
		oneAudit(t, db, linkwork.AuditPostCreate, idStr(benefits.ID))

		// A comment brings its post to the top.
		wantCode(t, w.forum.AddComment(kim, &linkwork.Comment{PostID: benefits.ID, Body: "  "}), linkwork.EINVALID, "body")
		wantCode(t, w.forum.AddComment(kim, &linkwork.Comment{PostID: 999999, Body: "x"}), linkwork.ENOTFOUND, "")
		c1 := &linkwork.Comment{PostID: benefits.ID, Body: "Thanks: Jo was very helpful.", AuthorOrganisation: "City of York Council"}
		must(t, w.forum.AddComment(kim, c1))
		w.clock.advance(time.Minute)
		c2 := &linkwork.Comment{PostID: benefits.ID, Body: "Buy cheap pills here", AuthorOrganisation: "Spam"}
		must(t, w.forum.AddComment(kim, c2))
		oneAudit(t, db, linkwork.AuditCommentAdd, idStr(c1.ID))
		w.clock.advance(time.Minute)
		must(t, w.forum.AddComment(lee, &linkwork.Comment{PostID: old.ID, Body: "Still true."}))

		titles := func(f linkwork.PostFilter) ([]string, []int) {
			t.Helper()
			f.PlaceID = w.york.ID
			list, total, err := w.forum.ListPosts(lee, f)
			must(t, err)
			if total != len(list) {
				t.Fatalf("total %d for %d posts", total, len(list))
			}
			var ts []string
			var counts []int
			for _, p := range list {
				ts, counts = append(ts, p.Title), append(counts, p.CommentCount)
			}
			return ts, counts
		}
		ts, counts := titles(linkwork.PostFilter{})
		if !slices.Equal(ts, []string{"An older post", "Benefits checks", "Gardening groups"}) || !slices.Equal(counts, []int{1, 2, 0}) {
			t.Fatalf("posts %v with comments %v", ts, counts)
		}
		// Search: every word, any case, wildcards matched as themselves.
		for q, want := range map[string][]string{
			"BENEFITS":        {"Benefits checks"},
			"jo phone":        {"Benefits checks"},
			"100%":            {"Gardening groups"},
			"%":               {"Gardening groups"},
			"under_":          {"An older post"},
			"_":               {"An older post"},
			"garden benefits": nil,
		} {
			if got, _ := titles(linkwork.PostFilter{Search: q}); !slices.Equal(got, want) {
				t.Errorf("search %q found %v, want %v", q, got, want)
			}
		}
		_, _, err := w.forum.ListPosts(lee, linkwork.PostFilter{PlaceID: w.york.ID, Search: strings.Repeat("a", sqldb.MaxForumSearch+1)})
		wantCode(t, err, linkwork.EINVALID, "q")

		// Hiding: with a reason, once; then seen only with hidden ones.
		wantCode(t, w.forum.HideComment(lee, c2.ID, " "), linkwork.EINVALID, "reason")
		must(t, w.forum.HideComment(lee, c2.ID, "Spam"))
		wantCode(t, w.forum.HideComment(lee, c2.ID, "Spam"), linkwork.ECONFLICT, "")
		wantCode(t, w.forum.HideComment(lee, 999999, "Spam"), linkwork.ENOTFOUND, "")
		must(t, w.forum.HidePost(lee, gardens.ID, "Names a person who did not agree to it."))
		wantCode(t, w.forum.HidePost(lee, gardens.ID, "again"), linkwork.ECONFLICT, "")
		wantCode(t, w.forum.HidePost(lee, 999999, "x"), linkwork.ENOTFOUND, "")
		var hides []string
		for _, e := range auditWith(t, db, linkwork.AuditForumHide, "") {
			hides = append(hides, e.RecordType+" "+e.RecordID+": "+e.Detail)
		}
		if want := []string{"post " + idStr(gardens.ID) + ": Names a person who did not agree to it.",
			"comment " + idStr(c2.ID) + ": Spam"}; !slices.Equal(hides, want) {
			t.Errorf("hide audit %q, want %q", hides, want)
		}
		ts, counts = titles(linkwork.PostFilter{})
		if !slices.Equal(ts, []string{"An older post", "Benefits checks"}) || !slices.Equal(counts, []int{1, 1}) {
			t.Fatalf("after hiding: posts %v with comments %v", ts, counts)
		}
		ts, counts = titles(linkwork.PostFilter{WithHidden: true})
		if !slices.Equal(ts, []string{"An older post", "Benefits checks", "Gardening groups"}) || !slices.Equal(counts, []int{1, 2, 0}) {
			t.Fatalf("with hidden: posts %v with comments %v", ts, counts)
		}
		if _, err := w.forum.FindPost(lee, gardens.ID, false); linkwork.ErrorCode(err) != linkwork.ENOTFOUND {
			t.Fatalf("a hidden post was found: %v", err)
		}
		hidden, err := w.forum.FindPost(lee, gardens.ID, true)
		must(t, err)
		if !hidden.Hidden || hidden.HiddenReason != "Names a person who did not agree to it." {
			t.Fatalf("hidden post %+v", hidden)
		}
		wantCode(t, w.forum.AddComment(kim, &linkwork.Comment{PostID: gardens.ID, Body: "x"}), linkwork.ECONFLICT, "")
		shown, err := w.forum.FindPost(lee, benefits.ID, false)
		must(t, err)
		if len(shown.Comments) != 1 || shown.Comments[0].Body != c1.Body || shown.CommentCount != 1 || shown.Comments[0].AuthorName != "Kim Connector" {
			t.Fatalf("comments shown %+v", shown.Comments)
		}
		all, err := w.forum.FindPost(lee, benefits.ID, true)
		must(t, err)
		if len(all.Comments) != 2 || !all.Comments[1].Hidden || all.CommentCount != 2 {
			t.Fatalf("comments with hidden %+v", all.Comments)
		}
		// Another place's posts are not listed.
		must(t, w.forum.CreatePost(lee, &linkwork.Post{PlaceID: w.leeds.ID, Title: "Leeds post", Body: "x"}))
		if got, _ := titles(linkwork.PostFilter{Search: "leeds"}); len(got) != 0 {
			t.Fatalf("York lists %v", got)
		}
	})
}
