package linkwork_test

import (
	"strings"
	"testing"
	"time"

	"linkwork"
)

// forumMeeting is a valid meeting in place 1 that invites organisation 20.
func forumMeeting() *linkwork.Meeting {
	start := time.Date(2030, time.May, 14, 13, 0, 0, 0, time.UTC)
	return &linkwork.Meeting{PlaceID: 1, Title: " Spring forum ", StartsAt: start, EndsAt: start.Add(90 * time.Minute),
		Venue: " West Offices ", OnlineURL: " https://meet.example.org/forum?id=1 ", Agenda: " Introductions ",
		InvitedOrganisationIDs: []int64{20}}
}

func TestMeetingValidate(t *testing.T) {
	m := forumMeeting()
	if err := m.Validate(); err != nil {
		t.Fatalf("a valid meeting: %v", err)
	}
	if m.Title != "Spring forum" || m.Venue != "West Offices" || m.OnlineURL != "https://meet.example.org/forum?id=1" || m.Agenda != "Introductions" {
		t.Errorf("not trimmed: %+v", m)
	}
	online := forumMeeting()
	online.Venue = ""
	if err := online.Validate(); err != nil {
		t.Errorf("an online-only meeting: %v", err)
	}
	inRoom := forumMeeting()
	inRoom.OnlineURL = ""
	if err := inRoom.Validate(); err != nil {
		t.Errorf("a meeting in a room only: %v", err)
	}

	for _, c := range []struct {
		name, field string
		edit        func(m *linkwork.Meeting)
	}{
		{"no title", "title", func(m *linkwork.Meeting) { m.Title = " " }},
		{"long title", "title", func(m *linkwork.Meeting) { m.Title = strings.Repeat("t", 201) }},
		{"no start", "starts_at", func(m *linkwork.Meeting) { m.StartsAt = time.Time{} }},
		{"no end", "ends_at", func(m *linkwork.Meeting) { m.EndsAt = time.Time{} }},
		{"ends as it starts", "ends_at", func(m *linkwork.Meeting) { m.EndsAt = m.StartsAt }},
		{"ends before it starts", "ends_at", func(m *linkwork.Meeting) { m.EndsAt = m.StartsAt.Add(-time.Hour) }},
		{"longer than 12 hours", "ends_at", func(m *linkwork.Meeting) { m.EndsAt = m.StartsAt.Add(12*time.Hour + time.Minute) }},
		{"nowhere", "venue", func(m *linkwork.Meeting) { m.Venue, m.OnlineURL = "", "" }},
		{"long venue", "venue", func(m *linkwork.Meeting) { m.Venue = strings.Repeat("v", 301) }},
		{"http link", "online_url", func(m *linkwork.Meeting) { m.OnlineURL = "http://meet.example.org/forum" }},
		{"javascript link", "online_url", func(m *linkwork.Meeting) { m.OnlineURL = "javascript:alert(1)" }},
		{"link without a host", "online_url", func(m *linkwork.Meeting) { m.OnlineURL = "https:///forum" }},
		{"not a link", "online_url", func(m *linkwork.Meeting) { m.OnlineURL = "Teams" }},
		{"link too long", "online_url", func(m *linkwork.Meeting) { m.OnlineURL = "https://meet.example.org/" + strings.Repeat("a", 500) }},
		{"long agenda", "agenda", func(m *linkwork.Meeting) { m.Agenda = strings.Repeat("a", 10001) }},
		{"NUL in the agenda", "agenda", func(m *linkwork.Meeting) { m.Agenda = "a\x00b" }},
		{"negative capacity", "capacity", func(m *linkwork.Meeting) { m.Capacity = -1 }},
		{"capacity too big", "capacity", func(m *linkwork.Meeting) { m.Capacity = 10001 }},
	} {
		m := forumMeeting()
		c.edit(m)
		err := m.Validate()
		found := false
		for _, e := range linkwork.FieldErrors(err) {
			found = found || e.Field == c.field && e.Code == linkwork.EINVALID && e.Message != ""
		}
		if !found {
			t.Errorf("%s: got %v, want a problem with %s", c.name, err, c.field)
		}
	}
}

func TestMeetingPastAndFull(t *testing.T) {
	m := forumMeeting()
	for _, c := range []struct {
		at   time.Time
		past bool
	}{
		{m.StartsAt.Add(-time.Hour), false},
		{m.StartsAt.Add(time.Minute), false}, // under way
		{m.EndsAt.Add(-time.Nanosecond), false},
		{m.EndsAt, true},
		{m.EndsAt.Add(time.Hour), true},
	} {
		if got := m.Past(c.at); got != c.past {
			t.Errorf("Past(%v) = %v, want %v", c.at, got, c.past)
		}
	}
	for _, c := range []struct {
		capacity, signedUp int
		full               bool
	}{{0, 0, false}, {0, 500, false}, {2, 1, false}, {2, 2, true}, {2, 3, true}} {
		m.Capacity, m.SignUpCount = c.capacity, c.signedUp
		if got := m.Full(); got != c.full {
			t.Errorf("capacity %d with %d signed up: Full() = %v, want %v", c.capacity, c.signedUp, got, c.full)
		}
	}
}

func TestPostAndCommentValidate(t *testing.T) {
	p := &linkwork.Post{Title: "  Benefits checks ", Body: "\nAsk for Jo.\n\n"}
	if err := p.Validate(); err != nil || p.Title != "Benefits checks" || p.Body != "Ask for Jo." {
		t.Fatalf("a valid post: %v %+v", err, p)
	}
	for _, c := range []struct {
		name, field string
		post        linkwork.Post
	}{
		{"no title", "title", linkwork.Post{Title: " ", Body: "x"}},
		{"long title", "title", linkwork.Post{Title: strings.Repeat("t", 201), Body: "x"}},
		{"no body", "body", linkwork.Post{Title: "x", Body: "\n\t"}},
		{"long body", "body", linkwork.Post{Title: "x", Body: strings.Repeat("b", 20001)}},
		{"NUL", "body", linkwork.Post{Title: "x", Body: "a\x00"}},
	} {
		if got := linkwork.ErrorField(c.post.Validate()); got != c.field {
			t.Errorf("%s: problem with %q, want %q", c.name, got, c.field)
		}
	}
	cm := &linkwork.Comment{Body: " Thanks "}
	if err := cm.Validate(); err != nil || cm.Body != "Thanks" {
		t.Fatalf("a valid comment: %v %+v", err, cm)
	}
	for _, body := range []string{"", "   ", strings.Repeat("c", 5001), "a\x00b"} {
		c := &linkwork.Comment{Body: body}
		if err := c.Validate(); linkwork.ErrorField(err) != "body" || linkwork.ErrorCode(err) != linkwork.EINVALID {
			t.Errorf("comment %.20q: %v, want a problem with body", body, err)
		}
	}
}

// Who may see a meeting: everyone who takes part in the forum, in its place; a community
// organisation's people only when it invites them; nobody else.
func TestCanSeeMeeting(t *testing.T) {
	m := forumMeeting() // place 1, invites organisation 20
	other := forumMeeting()
	other.PlaceID = 2
	uninvited := forumMeeting()
	uninvited.InvitedOrganisationIDs = nil
	for _, c := range []struct {
		role                      linkwork.Role
		org                       int64
		invited, notInvited, away bool
	}{
		{linkwork.RoleAdmin, 10, true, true, false},
		{linkwork.RoleManager, 10, true, true, false},
		{linkwork.RoleLinkWorker, 10, true, true, false},
		{linkwork.RoleCommissioner, 10, false, false, false},
		{linkwork.RoleReferrer, 10, false, false, false},
		{linkwork.RoleReferrer, 20, false, false, false}, // of the invited organisation, but not a community role
		{linkwork.RoleCommunity, 20, true, false, false},
		{linkwork.RoleCommunity, 21, false, false, false},
	} {
		p := principal([]linkwork.Membership{{OrganisationID: c.org, Role: c.role}})
		if got := p.CanSeeMeeting(m); got != c.invited {
			t.Errorf("%s of %d, a meeting inviting 20: %v, want %v", c.role, c.org, got, c.invited)
		}
		if got := p.CanSeeMeeting(uninvited); got != c.notInvited {
			t.Errorf("%s of %d, a meeting inviting nobody: %v, want %v", c.role, c.org, got, c.notInvited)
		}
		if got := p.CanSeeMeeting(other); got != c.away {
			t.Errorf("%s of %d, another place's meeting: %v, want %v", c.role, c.org, got, c.away)
		}
	}
	var nobody *linkwork.Principal
	if nobody.CanSeeMeeting(m) {
		t.Error("nobody signed in sees a meeting")
	}
	// A community member of an invited organisation who is a referrer elsewhere sees it.
	both := principal([]linkwork.Membership{{OrganisationID: 30, Role: linkwork.RoleReferrer}, {OrganisationID: 20, Role: linkwork.RoleCommunity}})
	if !both.CanSeeMeeting(m) || both.CanSeeMeeting(uninvited) {
		t.Error("a referrer who is also in the invited group")
	}
}
