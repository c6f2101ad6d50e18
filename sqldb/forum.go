package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"linkwork"
)

// ForumService keeps a place's practitioners' forum: meetings with their invites, sign-ups,
// attendance and shared notes, and learning posts with their comments.
type ForumService struct{ db *DB }

// NewForumService returns the practitioners' forum of db.
func NewForumService(db *DB) *ForumService { return &ForumService{db: db} }

var _ linkwork.ForumService = (*ForumService)(nil)

// Limits of what the forum keeps, beyond those the domain's Validate methods check.
const (
	// MaxMeetingNotes is the most characters a meeting's shared notes may have.
	MaxMeetingNotes = 50000
	// MaxMeetingInvites is the most organisations one meeting may invite.
	MaxMeetingInvites = 200
	// MaxHideReason is the most characters a reason for hiding a post or comment may have.
	MaxHideReason = 500
	// MaxForumSearch is the most characters a search of the posts may have.
	MaxForumSearch = 200
	// maxSearchWords is how many words of a search are matched; the rest are ignored.
	maxSearchWords = 10
)

// meetingColumns are what every read of a meeting returns, its sign-up count included, so
// that a list costs one query however many meetings it holds.
const meetingColumns = `m.id, m.place_id, m.title, m.starts_at, m.ends_at, m.venue, m.online_url, m.agenda, m.capacity,
	m.notes, m.notes_updated_at, m.notes_updated_by, m.cancelled, m.organiser_user_id, m.organiser_name, m.created_at,
	m.version, (SELECT COUNT(*) FROM meeting_sign_ups su WHERE su.meeting_id = m.id)`

// scanMeeting scans meetingColumns, then extra.
func scanMeeting(scan func(...any) error, extra ...any) (*linkwork.Meeting, error) {
	m := &linkwork.Meeting{InvitedOrganisationIDs: []int64{}, InvitedOrganisations: []string{}}
	var notesAt sql.NullTime
	var organiser sql.NullInt64
	dest := append([]any{&m.ID, &m.PlaceID, &m.Title, &m.StartsAt, &m.EndsAt, &m.Venue, &m.OnlineURL, &m.Agenda,
		&m.Capacity, &m.Notes, &notesAt, &m.NotesUpdatedBy, &m.Cancelled, &organiser, &m.OrganiserName, &m.CreatedAt,
		&m.Version, &m.SignUpCount}, extra...)
	if err := scan(dest...); err != nil {
		return nil, err
	}
	m.StartsAt, m.EndsAt, m.CreatedAt = m.StartsAt.UTC(), m.EndsAt.UTC(), m.CreatedAt.UTC()
	m.NotesUpdatedAt, m.OrganiserUserID = timePtr(notesAt), organiser.Int64
	return m, nil
}

// findMeeting returns a meeting with its invites (not its sign-ups), or ENOTFOUND.
func (db *DB) findMeeting(ctx context.Context, c conn, id int64) (*linkwork.Meeting, error) {
	m, err := scanMeeting(func(dest ...any) error {
		return c.queryRow(ctx, "SELECT "+meetingColumns+" FROM forum_meetings m WHERE m.id = ?", []any{id}, dest...)
	})
	if err != nil {
		return nil, notFound(err, "Meeting")
	}
	if err := db.meetingInvites(ctx, c, []*linkwork.Meeting{m}); err != nil {
		return nil, err
	}
	return m, nil
}

// lockMeeting locks a meeting's row on PostgreSQL until the transaction ends, so that the
// checks that follow (places left, version) hold when the change is written: two people
// cannot both take the last place. It is a statement of its own so that the reads after it
// see what the transaction that held the lock before wrote. SQLite's transactions are
// serialised already.
func (db *DB) lockMeeting(ctx context.Context, c conn, id int64) error {
	if db.dialect.name() != "postgres" {
		return nil
	}
	var got int64
	err := c.queryRow(ctx, "SELECT id FROM forum_meetings WHERE id = ? FOR UPDATE", []any{id}, &got)
	return notFound(err, "Meeting")
}

// meetingInvites fills in the invited organisations of meetings, in one query.
func (db *DB) meetingInvites(ctx context.Context, c conn, ms []*linkwork.Meeting) error {
	if len(ms) == 0 {
		return nil
	}
	byID := make(map[int64]*linkwork.Meeting, len(ms))
	ids := make([]int64, len(ms))
	for i, m := range ms {
		byID[m.ID], ids[i] = m, m.ID
	}
	return c.eachRow(ctx, `SELECT mi.meeting_id, mi.organisation_id, o.name FROM meeting_invites mi
		JOIN organisations o ON o.id = mi.organisation_id WHERE mi.meeting_id IN `+placeholders(len(ids))+`
		ORDER BY lower(o.name), o.id`, anys(ids), func(scan func(...any) error) error {
		var meetingID, orgID int64
		var name string
		if err := scan(&meetingID, &orgID, &name); err != nil {
			return err
		}
		m := byID[meetingID]
		m.InvitedOrganisationIDs = append(m.InvitedOrganisationIDs, orgID)
		m.InvitedOrganisations = append(m.InvitedOrganisations, name)
		return nil
	})
}

// meetingSignUps returns who signed up to a meeting, in the order they did.
func (db *DB) meetingSignUps(ctx context.Context, c conn, meetingID int64) ([]*linkwork.SignUp, error) {
	out := []*linkwork.SignUp{}
	err := c.eachRow(ctx, `SELECT meeting_id, user_id, name, organisation_name, signed_up_at, attended FROM meeting_sign_ups
		WHERE meeting_id = ? ORDER BY signed_up_at, user_id`, []any{meetingID}, func(scan func(...any) error) error {
		s := &linkwork.SignUp{}
		var attended sql.NullBool
		if err := scan(&s.MeetingID, &s.UserID, &s.Name, &s.OrganisationName, &s.SignedUpAt, &attended); err != nil {
			return err
		}
		s.SignedUpAt = s.SignedUpAt.UTC()
		if attended.Valid {
			s.Attended = &attended.Bool
		}
		out = append(out, s)
		return nil
	})
	return out, err
}

// cleanInvites removes repeated and checks the number of invited organisations, without the
// database.
func cleanInvites(ids []int64) ([]int64, error) {
	out := []int64{}
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	if len(out) > MaxMeetingInvites {
		return out, linkwork.FieldError("invited_organisation_ids", "A meeting may invite at most %d organisations (it has %d).",
			MaxMeetingInvites, len(out))
	}
	return out, nil
}

// checkInvites refuses invited organisations that are not organisations of the place.
func checkInvites(ctx context.Context, c conn, placeID int64, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	found := map[int64]bool{}
	err := c.eachRow(ctx, "SELECT id FROM organisations WHERE place_id = ? AND id IN "+placeholders(len(ids)),
		append([]any{placeID}, anys(ids)...), func(scan func(...any) error) error {
			var id int64
			err := scan(&id)
			found[id] = true
			return err
		})
	if err != nil {
		return err
	}
	var bad []string
	for _, id := range ids {
		if !found[id] {
			bad = append(bad, idString(id))
		}
	}
	switch len(bad) {
	case 0:
		return nil
	case 1:
		return linkwork.FieldError("invited_organisation_ids", "There is no organisation %s in this place: invite only organisations of this place.", bad[0])
	}
	return linkwork.FieldError("invited_organisation_ids", "There are no organisations %s in this place: invite only organisations of this place.",
		strings.Join(bad, ", "))
}

// writeInvites replaces a meeting's invites.
func writeInvites(ctx context.Context, c conn, meetingID int64, ids []int64) error {
	if _, err := c.exec(ctx, "DELETE FROM meeting_invites WHERE meeting_id = ?", meetingID); err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := c.exec(ctx, "INSERT INTO meeting_invites (meeting_id, organisation_id) VALUES (?, ?)", meetingID, id); err != nil {
			return err
		}
	}
	return nil
}

// CreateMeeting checks and stores a new meeting that starts in the future, with its invites,
// and its audit event, in one transaction. The organiser is the acting user when the
// caller gives none.
func (s *ForumService) CreateMeeting(ctx context.Context, m *linkwork.Meeting) error {
	if m == nil {
		return linkwork.Errorf(linkwork.EINVALID, "There is no meeting to create.")
	}
	var ps linkwork.Problems
	ps.Add(m.Validate())
	if !m.StartsAt.IsZero() && !m.StartsAt.After(s.db.Now()) {
		ps.Add(linkwork.FieldError("starts_at", "The meeting must start in the future."))
	}
	ids, err := cleanInvites(m.InvitedOrganisationIDs)
	ps.Add(err)
	m.InvitedOrganisationIDs = ids
	if len(ps) > 0 {
		// It will not be saved: the invites are checked outside a transaction, for a
		// complete list of problems.
		ps.Add(checkInvites(ctx, s.db.read(), m.PlaceID, ids))
		return ps.Err()
	}
	return s.db.tx(ctx, func(c conn) error {
		var places int
		if err := c.queryRow(ctx, "SELECT COUNT(*) FROM places WHERE id = ?", []any{m.PlaceID}, &places); err != nil {
			return err
		}
		if places == 0 {
			return linkwork.Errorf(linkwork.ENOTFOUND, "Place not found.")
		}
		if err := checkInvites(ctx, c, m.PlaceID, ids); err != nil {
			return err
		}
		if strings.TrimSpace(m.OrganiserName) == "" {
			userID, name, err := actingUser(ctx, c)
			if err != nil {
				return err
			}
			m.OrganiserUserID, m.OrganiserName = userID, name
		}
		m.StartsAt, m.EndsAt = m.StartsAt.UTC().Truncate(time.Microsecond), m.EndsAt.UTC().Truncate(time.Microsecond)
		m.CreatedAt, m.Version, m.Cancelled = s.db.Now(), 1, false
		m.Notes, m.NotesUpdatedAt, m.NotesUpdatedBy = "", nil, ""
		id, err := c.insert(ctx, `INSERT INTO forum_meetings (place_id, title, starts_at, ends_at, venue, online_url, agenda,
			capacity, notes, notes_updated_at, notes_updated_by, cancelled, organiser_user_id, organiser_name, created_at, version)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', NULL, '', FALSE, ?, ?, ?, ?)`,
			m.PlaceID, m.Title, m.StartsAt, m.EndsAt, m.Venue, m.OnlineURL, m.Agenda, m.Capacity, nullInt(m.OrganiserUserID),
			m.OrganiserName, m.CreatedAt, m.Version)
		if err != nil {
			return err
		}
		m.ID = id
		if err := writeInvites(ctx, c, id, ids); err != nil {
			return err
		}
		if err := s.db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: m.PlaceID, Action: linkwork.AuditMeetingChange,
			RecordType: "meeting", RecordID: idString(id), Detail: "created"}); err != nil {
			return err
		}
		saved, err := s.db.findMeeting(ctx, c, id)
		if err != nil {
			return err
		}
		*m = *saved
		return nil
	})
}

// UpdateMeeting changes a meeting's details and invites (not its notes, sign-ups or
// attendance) if it is still at m.Version, has not been cancelled and has not ended, with
// its audit event, in one transaction. A meeting moved must still start in the future, and
// its places cannot be fewer than the people already signed up.
func (s *ForumService) UpdateMeeting(ctx context.Context, m *linkwork.Meeting) error {
	if m == nil {
		return linkwork.Errorf(linkwork.EINVALID, "There is no meeting to change.")
	}
	var ps linkwork.Problems
	ps.Add(m.Validate())
	ids, err := cleanInvites(m.InvitedOrganisationIDs)
	ps.Add(err)
	m.InvitedOrganisationIDs = ids
	return s.db.tx(ctx, func(c conn) error {
		if err := s.db.lockMeeting(ctx, c, m.ID); err != nil {
			return err
		}
		old, err := s.db.findMeeting(ctx, c, m.ID)
		if err != nil {
			return err
		}
		if m.PlaceID != 0 && m.PlaceID != old.PlaceID {
			return linkwork.Errorf(linkwork.ENOTFOUND, "Meeting not found.")
		}
		if err := meetingChangeable(old, m.Version, s.db.Now()); err != nil {
			return err
		}
		now := s.db.Now()
		if !m.StartsAt.IsZero() && !m.StartsAt.Equal(old.StartsAt) && !m.StartsAt.After(now) {
			ps.Add(linkwork.FieldError("starts_at", "The meeting must start in the future."))
		}
		if m.Capacity > 0 && m.Capacity < old.SignUpCount {
			ps.Add(linkwork.FieldError("capacity", "%d people have signed up already, so there must be at least %d places (or 0 for no limit).",
				old.SignUpCount, old.SignUpCount))
		}
		ps.Add(checkInvites(ctx, c, old.PlaceID, ids))
		if err := ps.Err(); err != nil {
			return err
		}
		m.StartsAt, m.EndsAt = m.StartsAt.UTC().Truncate(time.Microsecond), m.EndsAt.UTC().Truncate(time.Microsecond)
		res, err := c.exec(ctx, `UPDATE forum_meetings SET title = ?, starts_at = ?, ends_at = ?, venue = ?, online_url = ?,
			agenda = ?, capacity = ?, version = version + 1 WHERE id = ? AND version = ?`,
			m.Title, m.StartsAt, m.EndsAt, m.Venue, m.OnlineURL, m.Agenda, m.Capacity, m.ID, m.Version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return staleMeeting()
		}
		if err := writeInvites(ctx, c, m.ID, ids); err != nil {
			return err
		}
		if err := s.db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: old.PlaceID, Action: linkwork.AuditMeetingChange,
			RecordType: "meeting", RecordID: idString(m.ID), Detail: "changed"}); err != nil {
			return err
		}
		saved, err := s.db.findMeeting(ctx, c, m.ID)
		if err != nil {
			return err
		}
		*m = *saved
		return nil
	})
}

// meetingChangeable refuses a change to a meeting read at another version, cancelled, or
// over.
func meetingChangeable(m *linkwork.Meeting, version int, now time.Time) error {
	switch {
	case m.Version != version:
		return staleMeeting()
	case m.Cancelled:
		return linkwork.Errorf(linkwork.ECONFLICT, "This meeting was cancelled, so it cannot be changed. Arrange a new meeting instead.")
	case m.Past(now):
		return linkwork.Errorf(linkwork.ECONFLICT, "This meeting is over, so it cannot be changed. Its shared notes can still be kept.")
	}
	return nil
}

// staleMeeting is the conflict of a change made to an old version of a meeting.
func staleMeeting() error {
	return linkwork.Errorf(linkwork.ECONFLICT, "Someone changed this meeting after you opened it. "+
		"Reload it to see the change, then make yours again.")
}

// CancelMeeting cancels a meeting still at version that has not ended, with its audit
// event. Its sign-ups are kept, so that people can see what they had signed up to.
func (s *ForumService) CancelMeeting(ctx context.Context, id int64, version int) error {
	return s.db.tx(ctx, func(c conn) error {
		if err := s.db.lockMeeting(ctx, c, id); err != nil {
			return err
		}
		m, err := s.db.findMeeting(ctx, c, id)
		if err != nil {
			return err
		}
		if m.Cancelled {
			return linkwork.Errorf(linkwork.ECONFLICT, "This meeting has already been cancelled.")
		}
		if err := meetingChangeable(m, version, s.db.Now()); err != nil {
			return err
		}
		res, err := c.exec(ctx, "UPDATE forum_meetings SET cancelled = TRUE, version = version + 1 WHERE id = ? AND version = ?", id, version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return staleMeeting()
		}
		return s.db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: m.PlaceID, Action: linkwork.AuditMeetingChange,
			RecordType: "meeting", RecordID: idString(id), Detail: "cancelled"})
	})
}

// FindMeeting returns a meeting with its invites and sign-ups, or ENOTFOUND.
func (s *ForumService) FindMeeting(ctx context.Context, id int64) (*linkwork.Meeting, error) {
	c := s.db.read()
	m, err := s.db.findMeeting(ctx, c, id)
	if err != nil {
		return nil, err
	}
	if m.SignUps, err = s.db.meetingSignUps(ctx, c, id); err != nil {
		return nil, err
	}
	return m, nil
}

// ListMeetings returns a page of a place's meetings as the filter selects them, with their
// sign-up counts (and whether f.ForUserID signed up) in the same query and their invites in
// one more, and how many there are.
func (s *ForumService) ListMeetings(ctx context.Context, f linkwork.MeetingFilter) ([]*linkwork.Meeting, int, error) {
	if !f.AllOrganisations && len(f.InvitedOrganisationIDs) == 0 {
		return []*linkwork.Meeting{}, 0, nil // nobody invited: nothing to see
	}
	now := f.Now
	if now.IsZero() {
		now = s.db.Now()
	}
	where, args := " WHERE m.place_id = ?", []any{f.PlaceID}
	order := " ORDER BY m.starts_at DESC, m.id DESC"
	if f.Upcoming {
		where, order = where+" AND m.ends_at > ?", " ORDER BY m.starts_at, m.id"
	} else {
		where += " AND m.ends_at <= ?"
	}
	args = append(args, now.UTC())
	if !f.AllOrganisations {
		where += " AND EXISTS (SELECT 1 FROM meeting_invites mi WHERE mi.meeting_id = m.id AND mi.organisation_id IN " +
			placeholders(len(f.InvitedOrganisationIDs)) + ")"
		args = append(args, anys(f.InvitedOrganisationIDs)...)
	}
	c := s.db.read()
	var total int
	if err := c.queryRow(ctx, "SELECT COUNT(*) FROM forum_meetings m"+where, args, &total); err != nil {
		return nil, 0, err
	}
	if total == 0 {
		return []*linkwork.Meeting{}, 0, nil
	}
	p := f.Page.Normal()
	// The sign-up of ForUserID: 0 matches nobody, as user IDs start at 1.
	q := "SELECT " + meetingColumns + `, CASE WHEN EXISTS (SELECT 1 FROM meeting_sign_ups me
		WHERE me.meeting_id = m.id AND me.user_id = ?) THEN 1 ELSE 0 END FROM forum_meetings m` + where + order + " LIMIT ? OFFSET ?"
	out := []*linkwork.Meeting{}
	err := c.eachRow(ctx, q, append(append([]any{f.ForUserID}, args...), p.Size, p.Offset()), func(scan func(...any) error) error {
		var mine int
		m, err := scanMeeting(scan, &mine)
		if err != nil {
			return err
		}
		m.SignedUp = mine == 1
		out = append(out, m)
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return out, total, s.db.meetingInvites(ctx, c, out)
}

// SignUp signs a user up to a meeting as from organisationName, with its audit event. It is
// refused (ECONFLICT) when the user has signed up already, or the meeting is cancelled,
// over or full; the meeting's row is locked first, so that two people cannot both take its
// last place.
func (s *ForumService) SignUp(ctx context.Context, meetingID, userID int64, organisationName string) error {
	organisationName = strings.TrimSpace(organisationName)
	return s.db.tx(ctx, func(c conn) error {
		if err := s.db.lockMeeting(ctx, c, meetingID); err != nil {
			return err
		}
		m, err := s.db.findMeeting(ctx, c, meetingID)
		if err != nil {
			return err
		}
		var name string
		err = c.queryRow(ctx, "SELECT name FROM users WHERE id = ?", []any{userID}, &name)
		if err != nil {
			return notFound(err, "User")
		}
		var already int
		if err := c.queryRow(ctx, "SELECT COUNT(*) FROM meeting_sign_ups WHERE meeting_id = ? AND user_id = ?",
			[]any{meetingID, userID}, &already); err != nil {
			return err
		}
		now := s.db.Now()
		switch {
		case already > 0:
			return linkwork.Errorf(linkwork.ECONFLICT, "%s has already signed up to this meeting.", name)
		case m.Cancelled:
			return linkwork.Errorf(linkwork.ECONFLICT, "This meeting was cancelled, so nobody can sign up to it.")
		case m.Past(now):
			return linkwork.Errorf(linkwork.ECONFLICT, "This meeting is over, so nobody can sign up to it.")
		case m.Full():
			return linkwork.Errorf(linkwork.ECONFLICT, "This meeting is full: all %d places have been taken.", m.Capacity)
		}
		if _, err := c.exec(ctx, `INSERT INTO meeting_sign_ups (meeting_id, user_id, name, organisation_name, signed_up_at, attended)
			VALUES (?, ?, ?, ?, ?, NULL)`, meetingID, userID, name, organisationName, now); err != nil {
			return err
		}
		return s.db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: m.PlaceID, Action: linkwork.AuditMeetingSignUp,
			RecordType: "meeting", RecordID: idString(meetingID), Detail: fmt.Sprintf("user %d signed up", userID)})
	})
}

// CancelSignUp takes a user's sign-up off a meeting that has not ended, with its audit
// event.
func (s *ForumService) CancelSignUp(ctx context.Context, meetingID, userID int64) error {
	return s.db.tx(ctx, func(c conn) error {
		if err := s.db.lockMeeting(ctx, c, meetingID); err != nil {
			return err
		}
		m, err := s.db.findMeeting(ctx, c, meetingID)
		if err != nil {
			return err
		}
		if m.Past(s.db.Now()) {
			return linkwork.Errorf(linkwork.ECONFLICT, "This meeting is over, so its sign-ups can no longer be cancelled.")
		}
		res, err := c.exec(ctx, "DELETE FROM meeting_sign_ups WHERE meeting_id = ? AND user_id = ?", meetingID, userID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return linkwork.Errorf(linkwork.ENOTFOUND, "There is no sign-up to this meeting to cancel.")
		}
		return s.db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: m.PlaceID, Action: linkwork.AuditMeetingSignUp,
			RecordType: "meeting", RecordID: idString(meetingID), Detail: fmt.Sprintf("user %d cancelled their sign-up", userID)})
	})
}

// RecordAttendance records who came to a meeting that has started and was not cancelled,
// for people who signed up to it only, with its audit event. Users not in attended are left
// as they were.
func (s *ForumService) RecordAttendance(ctx context.Context, meetingID int64, attended map[int64]bool) error {
	if len(attended) == 0 {
		return linkwork.FieldError("attendance", "Say who came: mark each person who signed up as there or not.")
	}
	return s.db.tx(ctx, func(c conn) error {
		if err := s.db.lockMeeting(ctx, c, meetingID); err != nil {
			return err
		}
		m, err := s.db.findMeeting(ctx, c, meetingID)
		if err != nil {
			return err
		}
		switch {
		case m.Cancelled:
			return linkwork.Errorf(linkwork.ECONFLICT, "This meeting was cancelled, so nobody came to it.")
		case m.StartsAt.After(s.db.Now()):
			return linkwork.Errorf(linkwork.ECONFLICT, "This meeting has not started yet: record who came once it has.")
		}
		signUps, err := s.db.meetingSignUps(ctx, c, meetingID)
		if err != nil {
			return err
		}
		var bad []string
		ids := make([]int64, 0, len(attended))
		for id := range attended {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		came := 0
		for _, id := range ids {
			if !slices.ContainsFunc(signUps, func(su *linkwork.SignUp) bool { return su.UserID == id }) {
				bad = append(bad, idString(id))
			}
			if attended[id] {
				came++
			}
		}
		if len(bad) > 0 {
			return linkwork.FieldError("attendance", "Only people who signed up can be recorded as coming, and user %s did not sign up to this meeting.",
				strings.Join(bad, ", "))
		}
		for _, id := range ids {
			if _, err := c.exec(ctx, "UPDATE meeting_sign_ups SET attended = ? WHERE meeting_id = ? AND user_id = ?",
				attended[id], meetingID, id); err != nil {
				return err
			}
		}
		return s.db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: m.PlaceID, Action: linkwork.AuditMeetingAttendance,
			RecordType: "meeting", RecordID: idString(meetingID), Detail: fmt.Sprintf("%d came, %d did not", came, len(ids)-came)})
	})
}

// SaveNotes replaces a meeting's shared notes if the meeting is still at version, with its
// audit event, and returns the meeting with its sign-ups. A stale version is ECONFLICT
// naming who saved the notes last, so that two people keeping the notes at once never
// overwrite each other without knowing.
func (s *ForumService) SaveNotes(ctx context.Context, meetingID int64, version int, notes string) (*linkwork.Meeting, error) {
	notes = strings.TrimSpace(notes)
	if n := utf8.RuneCountInString(notes); n > MaxMeetingNotes {
		return nil, linkwork.FieldError("notes", "The notes must be %d characters or fewer (they have %d).", MaxMeetingNotes, n)
	}
	if strings.ContainsRune(notes, 0) || !utf8.ValidString(notes) {
		return nil, linkwork.FieldError("notes", "The notes contain a character that is not allowed.")
	}
	var out *linkwork.Meeting
	err := s.db.tx(ctx, func(c conn) error {
		if err := s.db.lockMeeting(ctx, c, meetingID); err != nil {
			return err
		}
		m, err := s.db.findMeeting(ctx, c, meetingID)
		if err != nil {
			return err
		}
		if m.Version != version {
			return staleNotes(m)
		}
		_, name, err := actingUser(ctx, c)
		if err != nil {
			return err
		}
		res, err := c.exec(ctx, `UPDATE forum_meetings SET notes = ?, notes_updated_at = ?, notes_updated_by = ?,
			version = version + 1 WHERE id = ? AND version = ?`, notes, s.db.Now(), name, meetingID, version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return staleNotes(m)
		}
		if err := s.db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: m.PlaceID, Action: linkwork.AuditMeetingChange,
			RecordType: "meeting", RecordID: idString(meetingID), Detail: "notes saved"}); err != nil {
			return err
		}
		if out, err = s.db.findMeeting(ctx, c, meetingID); err != nil {
			return err
		}
		out.SignUps, err = s.db.meetingSignUps(ctx, c, meetingID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// staleNotes is the conflict of notes saved over a version someone else has changed.
func staleNotes(m *linkwork.Meeting) error {
	if m.NotesUpdatedBy != "" {
		return linkwork.Errorf(linkwork.ECONFLICT, "%s saved the notes (or changed the meeting) after you opened them, so yours "+
			"were not saved: nothing was overwritten. Read theirs, add your changes to them, and save again.", m.NotesUpdatedBy)
	}
	return linkwork.Errorf(linkwork.ECONFLICT, "Someone changed the meeting after you opened its notes, so yours were not saved. "+
		"Open the notes again, add your changes, and save again.")
}

// AttendanceCounts returns how many of a place's meetings each of the users came to, in one
// query; users who came to none are left out.
func (s *ForumService) AttendanceCounts(ctx context.Context, placeID int64, userIDs []int64) (map[int64]int, error) {
	out := map[int64]int{}
	if len(userIDs) == 0 {
		return out, nil
	}
	err := s.db.read().eachRow(ctx, `SELECT su.user_id, COUNT(*) FROM meeting_sign_ups su
		JOIN forum_meetings m ON m.id = su.meeting_id
		WHERE m.place_id = ? AND su.attended = TRUE AND su.user_id IN `+placeholders(len(userIDs))+` GROUP BY su.user_id`,
		append([]any{placeID}, anys(userIDs)...), func(scan func(...any) error) error {
			var id int64
			var n int
			if err := scan(&id, &n); err != nil {
				return err
			}
			out[id] = n
			return nil
		})
	return out, err
}

// postColumns are what every read of a post returns, before its comment count.
const postColumns = `p.id, p.place_id, p.title, p.body, p.author_user_id, p.author_name, p.author_organisation,
	p.created_at, p.last_activity, p.hidden, p.hidden_reason`

// commentCount is the column that counts a post's comments: those shown to everyone, or
// with the hidden ones too for administrators.
func commentCount(withHidden bool) string {
	if withHidden {
		return "(SELECT COUNT(*) FROM forum_comments fc WHERE fc.post_id = p.id)"
	}
	return "(SELECT COUNT(*) FROM forum_comments fc WHERE fc.post_id = p.id AND NOT fc.hidden)"
}

func scanPost(scan func(...any) error) (*linkwork.Post, error) {
	p := &linkwork.Post{}
	var author sql.NullInt64
	if err := scan(&p.ID, &p.PlaceID, &p.Title, &p.Body, &author, &p.AuthorName, &p.AuthorOrganisation, &p.CreatedAt,
		&p.LastActivity, &p.Hidden, &p.HiddenReason, &p.CommentCount); err != nil {
		return nil, err
	}
	p.AuthorUserID = author.Int64
	p.CreatedAt, p.LastActivity = p.CreatedAt.UTC(), p.LastActivity.UTC()
	return p, nil
}

// findPost returns a post with its comment count, hidden or not, or ENOTFOUND.
func (db *DB) findPost(ctx context.Context, c conn, id int64, withHidden bool) (*linkwork.Post, error) {
	p, err := scanPost(func(dest ...any) error {
		return c.queryRow(ctx, "SELECT "+postColumns+", "+commentCount(withHidden)+" FROM forum_posts p WHERE p.id = ?",
			[]any{id}, dest...)
	})
	return p, notFound(err, "Post")
}

// CreatePost checks and stores a learning post with its audit event. The author is the
// acting user when the caller gives none.
func (s *ForumService) CreatePost(ctx context.Context, p *linkwork.Post) error {
	if p == nil {
		return linkwork.Errorf(linkwork.EINVALID, "There is no post to create.")
	}
	if err := p.Validate(); err != nil {
		return err
	}
	return s.db.tx(ctx, func(c conn) error {
		var places int
		if err := c.queryRow(ctx, "SELECT COUNT(*) FROM places WHERE id = ?", []any{p.PlaceID}, &places); err != nil {
			return err
		}
		if places == 0 {
			return linkwork.Errorf(linkwork.ENOTFOUND, "Place not found.")
		}
		if strings.TrimSpace(p.AuthorName) == "" {
			userID, name, err := actingUser(ctx, c)
			if err != nil {
				return err
			}
			p.AuthorUserID, p.AuthorName = userID, name
		}
		now := s.db.Now()
		p.CreatedAt, p.LastActivity, p.Hidden, p.HiddenReason, p.Comments, p.CommentCount = now, now, false, "", nil, 0
		id, err := c.insert(ctx, `INSERT INTO forum_posts (place_id, title, body, author_user_id, author_name,
			author_organisation, created_at, last_activity, hidden, hidden_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, FALSE, '')`,
			p.PlaceID, p.Title, p.Body, nullInt(p.AuthorUserID), p.AuthorName, p.AuthorOrganisation, now, now)
		if err != nil {
			return err
		}
		p.ID = id
		return s.db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: p.PlaceID, Action: linkwork.AuditPostCreate,
			RecordType: "post", RecordID: idString(id)})
	})
}

// FindPost returns a post with its comments, oldest first, or ENOTFOUND. Unless withHidden
// (administrators), a hidden post is not found and hidden comments are left out.
func (s *ForumService) FindPost(ctx context.Context, id int64, withHidden bool) (*linkwork.Post, error) {
	c := s.db.read()
	p, err := s.db.findPost(ctx, c, id, withHidden)
	if err != nil {
		return nil, err
	}
	if p.Hidden && !withHidden {
		return nil, linkwork.Errorf(linkwork.ENOTFOUND, "Post not found.")
	}
	q := `SELECT id, post_id, body, author_user_id, author_name, author_organisation, created_at, hidden
		FROM forum_comments WHERE post_id = ?`
	if !withHidden {
		q += " AND NOT hidden"
	}
	p.Comments = []*linkwork.Comment{}
	err = c.eachRow(ctx, q+" ORDER BY created_at, id", []any{id}, func(scan func(...any) error) error {
		cm := &linkwork.Comment{}
		var author sql.NullInt64
		if err := scan(&cm.ID, &cm.PostID, &cm.Body, &author, &cm.AuthorName, &cm.AuthorOrganisation, &cm.CreatedAt,
			&cm.Hidden); err != nil {
			return err
		}
		cm.AuthorUserID, cm.CreatedAt = author.Int64, cm.CreatedAt.UTC()
		p.Comments = append(p.Comments, cm)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// ListPosts returns a page of a place's posts, the most recently active first, with their
// comment counts in the same query, and how many there are. Search matches posts whose
// title or body holds every word, in any case.
func (s *ForumService) ListPosts(ctx context.Context, f linkwork.PostFilter) ([]*linkwork.Post, int, error) {
	search := strings.TrimSpace(f.Search)
	if n := utf8.RuneCountInString(search); n > MaxForumSearch {
		return nil, 0, linkwork.FieldError("q", "Search for %d characters or fewer (the search has %d).", MaxForumSearch, n)
	}
	where, args := " WHERE p.place_id = ?", []any{f.PlaceID}
	if !f.WithHidden {
		where += " AND NOT p.hidden"
	}
	words := strings.Fields(strings.ToLower(search))
	for _, w := range words[:min(len(words), maxSearchWords)] {
		like := "%" + escapeLike(w) + "%"
		where += ` AND (lower(p.title) LIKE ? ESCAPE '\' OR lower(p.body) LIKE ? ESCAPE '\')`
		args = append(args, like, like)
	}
	c := s.db.read()
	var total int
	if err := c.queryRow(ctx, "SELECT COUNT(*) FROM forum_posts p"+where, args, &total); err != nil {
		return nil, 0, err
	}
	out := []*linkwork.Post{}
	if total == 0 {
		return out, 0, nil
	}
	pg := f.Page.Normal()
	err := c.eachRow(ctx, "SELECT "+postColumns+", "+commentCount(f.WithHidden)+" FROM forum_posts p"+where+
		" ORDER BY p.last_activity DESC, p.id DESC LIMIT ? OFFSET ?", append(args, pg.Size, pg.Offset()),
		func(scan func(...any) error) error {
			p, err := scanPost(scan)
			if err == nil {
				out = append(out, p)
			}
			return err
		})
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// AddComment checks and stores a comment on a post that is not hidden, moves the post's
// last activity to now, and writes the audit event, in one transaction. The author is the
// acting user when the caller gives none.
func (s *ForumService) AddComment(ctx context.Context, cm *linkwork.Comment) error {
	if cm == nil {
		return linkwork.Errorf(linkwork.EINVALID, "There is no comment to add.")
	}
	if err := cm.Validate(); err != nil {
		return err
	}
	return s.db.tx(ctx, func(c conn) error {
		p, err := s.db.findPost(ctx, c, cm.PostID, true)
		if err != nil {
			return err
		}
		if p.Hidden {
			return linkwork.Errorf(linkwork.ECONFLICT, "This post has been hidden, so it cannot take comments.")
		}
		if strings.TrimSpace(cm.AuthorName) == "" {
			userID, name, err := actingUser(ctx, c)
			if err != nil {
				return err
			}
			cm.AuthorUserID, cm.AuthorName = userID, name
		}
		now := s.db.Now()
		cm.CreatedAt, cm.Hidden = now, false
		id, err := c.insert(ctx, `INSERT INTO forum_comments (post_id, body, author_user_id, author_name, author_organisation,
			created_at, hidden) VALUES (?, ?, ?, ?, ?, ?, FALSE)`,
			cm.PostID, cm.Body, nullInt(cm.AuthorUserID), cm.AuthorName, cm.AuthorOrganisation, now)
		if err != nil {
			return err
		}
		cm.ID = id
		if _, err := c.exec(ctx, "UPDATE forum_posts SET last_activity = ? WHERE id = ?", now, cm.PostID); err != nil {
			return err
		}
		return s.db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: p.PlaceID, Action: linkwork.AuditCommentAdd,
			RecordType: "comment", RecordID: idString(id), Detail: "on post " + idString(cm.PostID)})
	})
}

// hideReason trims and checks the reason for hiding a post or comment.
func hideReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	n := utf8.RuneCountInString(reason)
	switch {
	case n == 0:
		return "", linkwork.FieldError("reason", "Say why it is being hidden: the reason is kept with it.")
	case n > MaxHideReason:
		return "", linkwork.FieldError("reason", "The reason must be %d characters or fewer (it has %d).", MaxHideReason, n)
	case strings.ContainsRune(reason, 0) || !utf8.ValidString(reason):
		return "", linkwork.FieldError("reason", "The reason contains a character that is not allowed.")
	}
	return reason, nil
}

// HidePost hides a post from everyone but administrators, keeping the reason, with its
// audit event. Hiding a hidden post is ECONFLICT.
func (s *ForumService) HidePost(ctx context.Context, id int64, reason string) error {
	reason, err := hideReason(reason)
	if err != nil {
		return err
	}
	return s.db.tx(ctx, func(c conn) error {
		p, err := s.db.findPost(ctx, c, id, true)
		if err != nil {
			return err
		}
		if p.Hidden {
			return linkwork.Errorf(linkwork.ECONFLICT, "This post is already hidden.")
		}
		if _, err := c.exec(ctx, "UPDATE forum_posts SET hidden = TRUE, hidden_reason = ? WHERE id = ? AND NOT hidden", reason, id); err != nil {
			return err
		}
		return s.db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: p.PlaceID, Action: linkwork.AuditForumHide,
			RecordType: "post", RecordID: idString(id), Detail: reason})
	})
}

// HideComment hides a comment from everyone but administrators, with its audit event, which
// keeps the reason. Hiding a hidden comment is ECONFLICT.
func (s *ForumService) HideComment(ctx context.Context, id int64, reason string) error {
	reason, err := hideReason(reason)
	if err != nil {
		return err
	}
	return s.db.tx(ctx, func(c conn) error {
		var placeID int64
		var hidden bool
		err := c.queryRow(ctx, `SELECT p.place_id, fc.hidden FROM forum_comments fc JOIN forum_posts p ON p.id = fc.post_id
			WHERE fc.id = ?`, []any{id}, &placeID, &hidden)
		if errors.Is(err, sql.ErrNoRows) {
			return linkwork.Errorf(linkwork.ENOTFOUND, "Comment not found.")
		} else if err != nil {
			return err
		}
		if hidden {
			return linkwork.Errorf(linkwork.ECONFLICT, "This comment is already hidden.")
		}
		if _, err := c.exec(ctx, "UPDATE forum_comments SET hidden = TRUE WHERE id = ?", id); err != nil {
			return err
		}
		return s.db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: placeID, Action: linkwork.AuditForumHide,
			RecordType: "comment", RecordID: idString(id), Detail: reason})
	})
}
