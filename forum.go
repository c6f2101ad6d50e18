package linkwork

import (
	"context"
	"net/url"
	"strings"
	"time"
)

// The practitioners' forum: a place's community of practice across employers. Link workers
// and managers of every organisation in the place meet (in a room or online), sign up, keep
// shared notes, and post what they learn for others to comment on. A meeting may invite
// community organisations, whose people then see and join that meeting only.

// Meeting is one forum meeting.
type Meeting struct {
	ID       int64     `json:"id"`
	PlaceID  int64     `json:"place_id"`
	Title    string    `json:"title"`
	StartsAt time.Time `json:"starts_at"`
	EndsAt   time.Time `json:"ends_at"`
	// Venue is where it is held, OnlineURL the link to join online; at least one is given.
	Venue     string `json:"venue,omitempty"`
	OnlineURL string `json:"online_url,omitempty"`
	Agenda    string `json:"agenda"`
	// Capacity is how many may sign up (0: no limit).
	Capacity int `json:"capacity"`
	// InvitedOrganisationIDs are community organisations of the place invited to it.
	InvitedOrganisationIDs []int64  `json:"invited_organisation_ids"`
	InvitedOrganisations   []string `json:"invited_organisations"`
	// Notes are the meeting's shared notes, which any participant may keep.
	Notes          string     `json:"notes"`
	NotesUpdatedAt *time.Time `json:"notes_updated_at,omitempty"`
	NotesUpdatedBy string     `json:"notes_updated_by,omitempty"`
	Cancelled      bool       `json:"cancelled"`

	OrganiserUserID int64     `json:"organiser_user_id"`
	OrganiserName   string    `json:"organiser_name"`
	CreatedAt       time.Time `json:"created_at"`
	Version         int       `json:"version"`

	// SignUps are filled in by FindMeeting; SignUpCount by every read.
	SignUps     []*SignUp `json:"sign_ups,omitempty"`
	SignUpCount int       `json:"sign_up_count"`
	// SignedUp says whether the user reading the meeting has signed up to it: filled in by
	// ListMeetings for MeetingFilter.ForUserID, and by handlers from SignUps.
	SignedUp bool `json:"signed_up"`
}

// Validate trims and checks a meeting's own fields.
func (m *Meeting) Validate() error {
	m.Title, m.Venue, m.OnlineURL, m.Agenda = strings.TrimSpace(m.Title), strings.TrimSpace(m.Venue), strings.TrimSpace(m.OnlineURL), strings.TrimSpace(m.Agenda)
	var ps Problems
	ps.Add(checkLength("title", "title", m.Title, 1, 200))
	ps.Add(checkLength("venue", "venue", m.Venue, 0, 300))
	ps.Add(checkLength("agenda", "agenda", m.Agenda, 0, 10000))
	switch {
	case m.StartsAt.IsZero():
		ps.Add(FieldError("starts_at", "Enter the day and time the meeting starts."))
	case m.EndsAt.IsZero():
		ps.Add(FieldError("ends_at", "Enter the time the meeting ends."))
	case !m.EndsAt.After(m.StartsAt):
		ps.Add(FieldError("ends_at", "The meeting must end after it starts."))
	case m.EndsAt.Sub(m.StartsAt) > 12*time.Hour:
		ps.Add(FieldError("ends_at", "A meeting may last at most 12 hours."))
	}
	if m.Venue == "" && m.OnlineURL == "" {
		ps.Add(FieldError("venue", "Give a venue, a link to join online, or both."))
	}
	if m.OnlineURL != "" {
		u, err := url.Parse(m.OnlineURL)
		if err != nil || u.Scheme != "https" || u.Host == "" || len(m.OnlineURL) > 500 {
			ps.Add(FieldError("online_url", "The link to join online must be a full web address starting https://."))
		}
	}
	if m.Capacity < 0 || m.Capacity > 10000 {
		ps.Add(FieldError("capacity", "The number of places must be from 0 (no limit) to 10,000."))
	}
	return ps.Err()
}

// Past reports whether the meeting has ended at now.
func (m *Meeting) Past(now time.Time) bool { return !m.EndsAt.After(now) }

// Full reports whether every place is taken.
func (m *Meeting) Full() bool { return m.Capacity > 0 && m.SignUpCount >= m.Capacity }

// SignUp is a person signed up to a meeting. Attended is set when the organiser records
// who came.
type SignUp struct {
	MeetingID        int64     `json:"meeting_id"`
	UserID           int64     `json:"user_id"`
	Name             string    `json:"name"`
	OrganisationName string    `json:"organisation_name"`
	SignedUpAt       time.Time `json:"signed_up_at"`
	Attended         *bool     `json:"attended,omitempty"`
}

// MeetingFilter selects meetings. PlaceID is required. When AllOrganisations is false only
// meetings that invite one of InvitedOrganisationIDs are returned (a community user's
// view). Upcoming selects meetings not yet ended, soonest first; otherwise past ones, most
// recent first.
type MeetingFilter struct {
	PlaceID                int64
	AllOrganisations       bool
	InvitedOrganisationIDs []int64
	Upcoming               bool
	Now                    time.Time
	// ForUserID, when set, fills in each meeting's SignedUp for that user, in the same query.
	ForUserID int64
	Page      Page
}

// Post is a learning post in the forum.
type Post struct {
	ID                 int64     `json:"id"`
	PlaceID            int64     `json:"place_id"`
	Title              string    `json:"title"`
	Body               string    `json:"body"`
	AuthorUserID       int64     `json:"author_user_id"`
	AuthorName         string    `json:"author_name"`
	AuthorOrganisation string    `json:"author_organisation"`
	CreatedAt          time.Time `json:"created_at"`
	// Hidden posts were hidden by an administrator (with a reason), and are shown to
	// nobody but administrators.
	Hidden       bool   `json:"hidden"`
	HiddenReason string `json:"hidden_reason,omitempty"`
	// Comments are filled in by FindPost; CommentCount by every read.
	Comments     []*Comment `json:"comments,omitempty"`
	CommentCount int        `json:"comment_count"`
	LastActivity time.Time  `json:"last_activity"`
}

// Validate trims and checks a post.
func (p *Post) Validate() error {
	p.Title, p.Body = strings.TrimSpace(p.Title), strings.TrimSpace(p.Body)
	var ps Problems
	ps.Add(checkLength("title", "title", p.Title, 1, 200))
	ps.Add(checkLength("body", "post", p.Body, 1, 20000))
	return ps.Err()
}

// Comment is a comment on a post.
type Comment struct {
	ID                 int64     `json:"id"`
	PostID             int64     `json:"post_id"`
	Body               string    `json:"body"`
	AuthorUserID       int64     `json:"author_user_id"`
	AuthorName         string    `json:"author_name"`
	AuthorOrganisation string    `json:"author_organisation"`
	CreatedAt          time.Time `json:"created_at"`
	Hidden             bool      `json:"hidden"`
}

// Validate trims and checks a comment.
func (c *Comment) Validate() error {
	c.Body = strings.TrimSpace(c.Body)
	return checkLength("body", "comment", c.Body, 1, 5000)
}

// PostFilter selects posts: PlaceID required; Search matches title and body words;
// WithHidden includes hidden posts (administrators only).
type PostFilter struct {
	PlaceID    int64
	Search     string
	WithHidden bool
	Page       Page
}

// ForumService keeps a place's practitioners' forum. The caller fills in the author's or
// organiser's user ID, name and organisation from the principal.
type ForumService interface {
	CreateMeeting(ctx context.Context, m *Meeting) error
	// UpdateMeeting changes a meeting's details (not its notes), refusing a stale version.
	UpdateMeeting(ctx context.Context, m *Meeting) error
	CancelMeeting(ctx context.Context, id int64, version int) error
	// FindMeeting returns a meeting with its sign-ups.
	FindMeeting(ctx context.Context, id int64) (*Meeting, error)
	ListMeetings(ctx context.Context, f MeetingFilter) ([]*Meeting, int, error)
	// SignUp signs a user up (organisationName says whom they come from); refused when the
	// meeting is full, cancelled or over, and a second sign-up is ECONFLICT.
	SignUp(ctx context.Context, meetingID, userID int64, organisationName string) error
	CancelSignUp(ctx context.Context, meetingID, userID int64) error
	// RecordAttendance records who came, for users signed up: attended by user ID.
	RecordAttendance(ctx context.Context, meetingID int64, attended map[int64]bool) error
	// SaveNotes replaces a meeting's shared notes, refusing a stale version.
	SaveNotes(ctx context.Context, meetingID int64, version int, notes string) (*Meeting, error)
	// AttendanceCounts returns, for each of the users who came to any of a place's meetings,
	// how many they came to (users who came to none are left out), in one query.
	AttendanceCounts(ctx context.Context, placeID int64, userIDs []int64) (map[int64]int, error)

	CreatePost(ctx context.Context, p *Post) error
	// FindPost returns a post with its comments (hidden ones included only withHidden).
	FindPost(ctx context.Context, id int64, withHidden bool) (*Post, error)
	ListPosts(ctx context.Context, f PostFilter) ([]*Post, int, error)
	AddComment(ctx context.Context, c *Comment) error
	// HidePost and HideComment hide what breaks the forum's rules, with a reason.
	HidePost(ctx context.Context, id int64, reason string) error
	HideComment(ctx context.Context, id int64, reason string) error
}

// CanSeeMeeting reports whether the principal may see and join a meeting: anyone who takes
// part in the forum, or someone of a community organisation it invites.
func (p *Principal) CanSeeMeeting(m *Meeting) bool {
	if p == nil || m.PlaceID != p.Place.ID {
		return false
	}
	if p.CanPlaceWide(PermJoinMeetings) {
		return true
	}
	for _, id := range m.InvitedOrganisationIDs {
		if p.CanIn(PermJoinMeetings, id) {
			return true
		}
	}
	return false
}
