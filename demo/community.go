package demo

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"linkwork"
)

// The demonstration community side (docs/community.md), filled in over the past months by
// the people who would have done it, so that every page of it has something on it and the
// audit trail names who did what:
//
//   - the group portal: how full some offers are this week, six months of volunteers for
//     five groups, four new activities (one made with the people who use it) and four
//     requests to the place, one for volunteers to fill a befriending gap in one of the
//     place's most deprived neighbourhoods, and one already met;
//   - the forum: two past meetings with sign-ups, attendance and notes, two to come (one
//     online, one inviting community groups), and three learning posts with comments;
//   - devolved budgets: a team pot, the demonstration link worker's own pot and a scheme's
//     pot of micro-grants open to applications; personal spends for goals in the plans of
//     people on the link worker's caseload; micro-grants waiting, paid, reported on and
//     overdue, one paying for the landscape's funding opportunity; a refund and a reversal.
//
// Without the clock (WithClock) nothing can be dated in the past: the past meetings are left
// out, and the grant whose report would be overdue has only just been paid.

// groupMembers keep the pages of community organisations with no demonstration login.
// Like the schemes' staff, they cannot sign in: their password is random and never shown.
var groupMembers = []struct{ org, name string }{
	{"Elland Men's Shed", "Ray Sunderland"},
	{"Sowerby Bridge Community Choir", "Hilary Greaves"},
	{"Age Friendly Halifax", "Pauline Haigh"},
	{"Calder Valley Walking Friends", "Geoff Horsfall"},
}

// The demonstration users the community side names.
const (
	casey       = "Casey Community"
	lee         = "Lee Linkworker"
	morgan      = "Morgan Manager"
	sam         = "Sam Shah"
	chris       = "Chris Commissioner"
	ray         = "Ray Sunderland"
	hilary      = "Hilary Greaves"
	pauline     = "Pauline Haigh"
	geoff       = "Geoff Horsfall"
	walkers     = "Calder Valley Walking Friends"
	choir       = "Sowerby Bridge Community Choir"
	shed        = "Elland Men's Shed"
	ageFriendly = "Age Friendly Halifax"
	calderPCN   = "Calder Valley Primary Care Network"
)

// gapNeed is the need of the landscape gap the demonstration's group asks about and a grant
// fills: nothing in the directory offers befriending, so every neighbourhood lacks it.
const gapNeed = "befriending"

// member is someone who acts on the community side, and the organisation they act for.
type member struct {
	demoUser
	org string
}

// community is the state of the community step.
type community struct {
	b       *builder
	now     time.Time
	clocked bool
	people  map[string]member // by name
	keys    int
	// gap is the landscape's most deprived befriending gap, nil when the place has no
	// neighbourhoods (no postcodes and deprivation loaded); opportunity is the funding
	// opportunity noted for it.
	gap         *linkwork.Gap
	opportunity int64
	offers      []*linkwork.Service
}

// community fills in the community side.
func (b *builder) community() error {
	c := &community{b: b, now: time.Now().UTC().Truncate(time.Microsecond)}
	if b.opts.clock != nil {
		c.now, c.clocked = (*b.opts.clock)(), true
		real := *b.opts.clock
		defer func() { *b.opts.clock = real }()
	}
	for _, step := range []func() error{c.members, c.portal, c.findGap, c.requests, c.meetings, c.posts, c.budgets} {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// at dates what is done next at t, by moving the store's clock, when Load has it.
func (c *community) at(t time.Time) {
	if c.clocked {
		*c.b.opts.clock = func() time.Time { return t }
	}
}

// ago is hour:minute in London on the day days before now; never after now.
func (c *community) ago(days, hour, minute int) time.Time {
	d := c.now.In(London).AddDate(0, 0, -days)
	t := time.Date(d.Year(), d.Month(), d.Day(), hour, minute, 0, 0, London).UTC()
	if t.After(c.now) {
		return c.now.Add(-time.Minute)
	}
	return t
}

// workday is ago moved back off a weekend to the Friday before: staff work weekdays.
func (c *community) workday(days, hour, minute int) time.Time {
	t := c.ago(days, hour, minute)
	switch t.In(London).Weekday() {
	case time.Saturday:
		return t.AddDate(0, 0, -1)
	case time.Sunday:
		return t.AddDate(0, 0, -2)
	}
	return t
}

// key is the idempotency key of the next request that moves money.
func (c *community) key() string {
	c.keys++
	return fmt.Sprintf("demo-community-%04d", c.keys)
}

// as acts as the person named, at t.
func (c *community) as(name string, t time.Time) (member, error) {
	m, ok := c.people[name]
	if !ok {
		return member{}, fmt.Errorf("demo community content names %q, who is not a demonstration user", name)
	}
	c.at(t)
	return m, nil
}

// members indexes the people who act on the community side (the demonstration users and
// the schemes' link workers) and makes a member for each group that has no login.
func (c *community) members() error {
	b := c.b
	c.people = map[string]member{}
	for _, u := range users {
		c.people[u.name] = member{demoUser{id: b.userIDs[u.email], name: u.name, email: u.email}, u.org}
	}
	for i, s := range b.staff {
		if i > 1 {
			c.people[s.worker.name] = member{s.worker, schemes[i].org}
		}
	}
	for _, g := range groupMembers {
		email := strings.ReplaceAll(strings.ToLower(g.name), " ", ".") + "@example.org"
		u, err := b.svc.Users.CreateUser(b.ctx, &linkwork.NewUser{Email: email, Name: g.name, Password: linkwork.NewSecret(),
			OrganisationID: b.orgs[org(g.org)].ID, Role: linkwork.RoleCommunity})
		if err != nil {
			return fmt.Errorf("member of %s: %w", g.org, err)
		}
		c.people[g.name] = member{demoUser{id: u.ID, name: g.name, email: email}, g.org}
	}
	return nil
}

// ctx is the load's context acting as m, so that the audit trail names them.
func (c *community) ctx(m member) context.Context { return c.b.as(m.demoUser) }

// availabilities say how full some offers are this week: the first offers of each group, in
// the order they were listed. One is full, with a note.
var availabilities = []struct {
	org, by string
	nth     int // which of the group's active offers
	full    bool
	places  int // -1: not said
	note    string
}{
	{fromCommunityOrg, casey, 0, true, -1, "Full until the spring: ring us to go on the waiting list."},
	{fromCommunityOrg, casey, 1, false, 4, "Bring sturdy shoes; we have gloves."},
	{fromCommunityOrg, casey, 2, false, 2, ""},
	{shed, ray, 0, false, 3, ""},
	{choir, hilary, 0, false, 12, "New voices welcome, especially tenors."},
	{ageFriendly, pauline, 0, false, 1, "Ring Pauline first so that we keep you a chair."},
}

// volunteering is six months of a group's volunteers and hours, oldest month first.
var volunteering = []struct {
	org, by           string
	volunteers, hours [6]int
}{
	{fromCommunityOrg, casey, [6]int{14, 15, 12, 9, 8, 10}, [6]int{186, 204, 150, 96, 84, 112}},
	{shed, ray, [6]int{7, 7, 8, 8, 9, 9}, [6]int{118, 112, 130, 136, 151, 149}},
	{choir, hilary, [6]int{5, 5, 4, 6, 6, 6}, [6]int{40, 38, 30, 52, 58, 55}},
	{ageFriendly, pauline, [6]int{18, 17, 19, 21, 20, 23}, [6]int{212, 190, 226, 248, 240, 281}},
	{walkers, geoff, [6]int{9, 10, 10, 8, 8, 11}, [6]int{54, 63, 60, 44, 46, 70}},
}

// newActivities are activities groups started lately.
var newActivities = []struct {
	org, by, name, description, need string
	daysAgo                          int
	coProduced                       bool
}{
	{shed, ray, "Repair café", "Bring broken lamps, toasters and bikes on the last Saturday of the month: our members mend them with you over a cup of tea.",
		"loneliness", 120, false},
	{choir, hilary, "Singing for breathing", "A gentle weekly session for people living with COPD or long COVID, led with a respiratory physiotherapist.",
		"long_term_conditions", 75, false},
	{fromCommunityOrg, casey, "Seed-to-plate Saturdays", "Pick what is ready in the garden, then cook and eat it together in the church hall kitchen.",
		"food", 40, false},
	{ageFriendly, pauline, "Befriending phone circle", "Volunteers ring older people who live alone for a chat each week, and everyone meets for tea once a month. " +
		"Planned with six older residents who wanted a regular call and a say in how it runs.", gapNeed, 14, true},
}

// portal fills in what the groups keep on their page: availability, volunteers and new
// activities.
func (c *community) portal() error {
	b := c.b
	all, _, err := b.svc.Directory.ListServices(b.ctx, linkwork.ServiceFilter{PlaceID: b.place.ID, Kind: linkwork.KindActivity,
		Page: linkwork.Page{Size: linkwork.MaxPageSize}})
	if err != nil {
		return err
	}
	c.offers = all
	for _, a := range availabilities {
		offer := c.groupOffer(a.org, a.nth)
		if offer == nil {
			continue // the group runs fewer offers in this place
		}
		m, err := c.as(a.by, c.now)
		if err != nil {
			return err
		}
		av := &linkwork.Availability{ServiceID: offer.ID, Full: a.full, Note: a.note}
		if a.places >= 0 {
			places := a.places
			av.PlacesLeft = &places
		}
		if err := b.svc.Groups.SetAvailability(c.ctx(m), av); err != nil {
			return fmt.Errorf("availability of %s: %w", offer.Name, err)
		}
	}
	// Each month's figures were entered early in the month after.
	thisMonth := time.Date(c.now.In(London).Year(), c.now.In(London).Month(), 1, 0, 0, 0, 0, time.UTC)
	for i := range 6 {
		month := thisMonth.AddDate(0, i-6, 0)
		entered := time.Date(month.Year(), month.Month()+1, 3, 18, 30, 0, 0, London).UTC()
		if entered.After(c.now) {
			entered = c.now.Add(-time.Minute)
		}
		for _, v := range volunteering {
			m, err := c.as(v.by, entered)
			if err != nil {
				return err
			}
			if err := b.svc.Groups.SetVolunteers(c.ctx(m), &linkwork.VolunteerMonth{OrganisationID: b.orgs[org(v.org)].ID,
				Month: month, Volunteers: v.volunteers[i], Hours: v.hours[i]}); err != nil {
				return fmt.Errorf("volunteers of %s: %w", v.org, err)
			}
		}
	}
	for _, a := range newActivities {
		m, err := c.as(a.by, c.ago(a.daysAgo-2, 20, 15))
		if err != nil {
			return err
		}
		started := c.ago(a.daysAgo, 12, 0)
		na := &linkwork.NewActivity{PlaceID: b.place.ID, OrganisationID: b.orgs[org(a.org)].ID, Name: a.name, Description: a.description,
			StartedOn: time.Date(started.Year(), started.Month(), started.Day(), 0, 0, 0, 0, time.UTC), Need: a.need, CoProduced: a.coProduced}
		if err := b.svc.Groups.AddNewActivity(c.ctx(m), na); err != nil {
			return fmt.Errorf("new activity %s: %w", a.name, err)
		}
	}
	return nil
}

// groupOffer is the nth active community offer a group runs, by when it was listed.
func (c *community) groupOffer(orgName string, nth int) *linkwork.Service {
	id := c.b.orgs[org(orgName)].ID
	var own []*linkwork.Service
	for _, s := range c.offers {
		if s.OrganisationID == id && s.Status == linkwork.StatusActive {
			own = append(own, s)
		}
	}
	slices.SortFunc(own, func(x, y *linkwork.Service) int { return int(x.ID - y.ID) })
	if nth >= len(own) {
		return nil
	}
	return own[nth]
}

// findGap reads the place's landscape as a commissioner would and takes its most deprived
// befriending gap (a neighbourhood in IMD decile 1 or 2), if it has one.
func (c *community) findGap() error {
	b := c.b
	c.at(c.now)
	in, err := b.svc.Landscape.LandscapeInput(b.ctx, b.place.ID)
	if err != nil {
		return err
	}
	l, err := linkwork.AnalyseLandscape(in, linkwork.LandscapeOptions{}, c.now)
	if err != nil {
		return err
	}
	for _, g := range l.Gaps {
		if n := g.Neighbourhood; g.Need == gapNeed && n.IMDDecile >= 1 && n.IMDDecile <= 2 && n.Postcode != "" {
			c.gap = g
			return nil
		}
	}
	return nil
}

// knownPostcode is the nth of the demonstration's postcodes in a district that the postcode
// lookup knows, or "" when it knows none (so that the group's venue places the request).
func (c *community) knownPostcode(district string, nth int) string {
	tried := 0
	for _, pc := range c.b.postcodes {
		if !strings.HasPrefix(pc, district) {
			continue
		}
		if tried++; tried > 50 {
			return ""
		}
		if _, err := c.b.svc.Geography.FindPostcode(c.b.ctx, pc, linkwork.RefuseTerminated); err == nil {
			if nth == 0 {
				return pc
			}
			nth--
		}
	}
	return ""
}

// groupRequests are what groups asked the place for. district is where (a postcode
// district; "gap" for the landscape's deprived gap).
var groupRequests = []struct {
	org, by  string
	kind     linkwork.RequestKind
	need     string
	district string
	detail   string
	daysAgo  int
	// metBy and response, when set, say who marked it met, metDaysAgo, and how.
	metBy, response string
	metDaysAgo      int
}{
	{ageFriendly, pauline, linkwork.RequestVolunteers, gapNeed, "gap",
		"Volunteers for a befriending phone circle: older people here who live alone tell us a weekly call would help, and nobody offers " +
			"befriending nearby. We need 8 to 10 volunteers who can give an hour a week; we will arrange the DBS checks and the training.",
		60, "", "", 0},
	{fromCommunityOrg, casey, linkwork.RequestSpace, "nature_gardening", "HX7 ",
		"A warm, dry room near the garden on Wednesday mornings from November to February, for 12 to 15 people: our workshops move " +
			"indoors in winter and the shed is too small and too cold. Step-free, with a sink if possible.",
		35, "", "", 0},
	{shed, ray, linkwork.RequestMoney, "long_term_conditions", "HX5 ",
		"£850 towards a dust extractor for the workshop. Two members with COPD have stopped coming because of the sawdust, and the " +
			"practice would like to send us more men with breathing problems.",
		21, "", "", 0},
	{walkers, geoff, linkwork.RequestTraining, "physical_activity", "HX6 ",
		"Walk leader training with emergency first aid for six new volunteer leaders, so that we can add a shorter, slower walk for " +
			"people building up after an illness.",
		48, chris, "Active Calderdale will run walk leader training with emergency first aid for up to eight of your volunteers, free, " +
			"on a Saturday morning at Sowerby Bridge Pool. Chris will email the dates to Geoff.", 10},
}

// requests makes the groups' requests to the place, and marks one met.
func (c *community) requests() error {
	b := c.b
	for _, r := range groupRequests {
		m, err := c.as(r.by, c.ago(r.daysAgo, 19, 40))
		if err != nil {
			return err
		}
		pc := ""
		switch {
		case r.district == "gap" && c.gap != nil:
			pc = c.gap.Neighbourhood.Postcode
		case r.district != "gap":
			pc = c.knownPostcode(r.district, 0)
		}
		g := &linkwork.GroupRequest{PlaceID: b.place.ID, OrganisationID: b.orgs[org(r.org)].ID, Kind: r.kind, Detail: r.detail,
			Need: r.need, Postcode: pc}
		if err := b.svc.Groups.CreateRequest(c.ctx(m), g); err != nil {
			return fmt.Errorf("request of %s: %w", r.org, err)
		}
		b.res.Requests++
		if r.metBy == "" {
			continue
		}
		by, err := c.as(r.metBy, c.workday(r.metDaysAgo, 11, 5))
		if err != nil {
			return err
		}
		if _, err := b.svc.Groups.CloseRequest(c.ctx(by), g.ID, g.Version, linkwork.RequestMet, r.response); err != nil {
			return fmt.Errorf("meeting the request of %s: %w", r.org, err)
		}
	}
	return nil
}

// demoMeeting is a forum meeting: daysFromNow picks its week (negative: past), weekday the day.
type demoMeeting struct {
	title, venue, online, agenda string
	organiser                    string
	daysFromNow                  int
	weekday                      time.Weekday
	hour, minutes, length        int // start in London, and minutes long
	capacity                     int
	invite                       []string // community organisations
	signUps                      []string
	absent                       []string // of those who signed up, who did not come
	// notes are the shared notes as saved in turn, by noteTakers.
	notes, noteTakers []string
}

var meetings = []demoMeeting{
	{title: "Link workers' forum: damp, mould and getting landlords to act", venue: "Halifax Central Library, Square Road: meeting room 2",
		agenda: "1. Welcome and introductions\n2. Damp and mould: what Housing Options and the housing associations can do\n" +
			"3. Cases we are stuck on (bring one, no names)\n4. Anything else",
		organiser: morgan, daysFromNow: -42, weekday: time.Wednesday, hour: 13, minutes: 30, length: 120, capacity: 25,
		signUps: []string{morgan, lee, sam, "Grace Mitchell", "Priya Patel", "Tom Greenwood", "Beth Thornton", "Emma Jagger"},
		absent:  []string{"Emma Jagger"},
		notes: []string{"Present: Morgan, Lee, Sam, Grace, Priya, Tom, Beth. Apologies: Emma.\n\n" +
			"Damp and mould. Private renters: ask Housing Options for a housing standards inspection; they can serve notice on the landlord. " +
			"Dated photos and the GP's letter about breathing help. Pennine Homes tenants (Tom): ring the repairs line and ask for a damp " +
			"and mould priority job; Tom will share the direct email for link workers.\n\n" +
			"Stuck cases. Two people waiting over a month for a repair: Tom to chase both this week.\n\n" +
			"Actions: Tom to share the repairs email. Morgan to invite Housing Options to the next forum. Everyone to add damp cases " +
			"(no names) to the shared log.",
			"Added by Sam: the council's warm homes advisers can visit and check for grants for insulation and heating. " +
				"Tom has sent the repairs email round."},
		noteTakers: []string{lee, sam}},
	{title: "Peer learning: supporting people after a bereavement", venue: "Elland Methodist Community Café, upstairs room",
		online: "https://meet.example.org/calderdale-forum-bereavement",
		agenda: "A case each (no names) where grief was at the heart of it: what helped, what we would do differently. With the " +
			"Calder Valley Bereavement Support coordinator.",
		organiser: "Priya Patel", daysFromNow: -14, weekday: time.Tuesday, hour: 10, minutes: 0, length: 90, capacity: 20,
		signUps: []string{"Priya Patel", lee, sam, "Grace Mitchell", "Beth Thornton", "Jack Dawson", "Mo Crowther"},
		absent:  []string{"Mo Crowther"},
		notes: []string{"Grief often comes in sideways: the referral says loneliness or low mood. Ask about losses in the first " +
			"conversation, gently, and go at the person's pace.\n\nThe bereavement cafés take people without a referral; the " +
			"coordinator will send the winter dates. Counselling waits are about 12 weeks: the cafés and walking groups help in between.\n\n" +
			"Action: Priya to put the cafés' dates in the forum.",
			"Added by Grace: the national bereavement helplines are free, for anyone waiting; the numbers are on the cafés' leaflet."},
		noteTakers: []string{"Priya Patel", "Grace Mitchell"}},
	{title: "Online drop-in: using ONS4 and the Outcome Star well", online: "https://meet.example.org/calderdale-link-workers",
		agenda: "Half an hour on asking the wellbeing questions so that they help the conversation rather than interrupt it, " +
			"and on what the scores can and cannot tell a commissioner. Bring questions.",
		organiser: sam, daysFromNow: 14, weekday: time.Thursday, hour: 12, minutes: 30, length: 45,
		signUps: []string{sam, lee, "Grace Mitchell", "Emma Jagger"}},
	{title: "Meet the groups: Calder Valley community organisations", venue: "Hebden Bridge Town Hall, Waterside room",
		agenda: "Each group has five minutes: what it offers, who it would love to see and how full it is. Then tea and a chat with " +
			"the link workers who refer to you. Bring leaflets.",
		organiser: lee, daysFromNow: 28, weekday: time.Wednesday, hour: 14, minutes: 0, length: 120, capacity: 30,
		invite:  []string{fromCommunityOrg, walkers, choir, shed},
		signUps: []string{lee, casey, geoff, hilary, morgan, sam}},
}

// meetingAt is hour:minute in London on the weekday of the week days from now.
func (c *community) meetingAt(days int, weekday time.Weekday, hour, minute int) time.Time {
	monday := linkwork.WeekOf(c.now.AddDate(0, 0, days))
	d := monday.AddDate(0, 0, (int(weekday)+6)%7)
	return time.Date(d.Year(), d.Month(), d.Day(), hour, minute, 0, 0, London).UTC()
}

// meetings makes the forum's meetings as their organisers arranged them: sign-ups in the
// weeks before, and for past meetings who came and the shared notes.
func (c *community) meetings() error {
	b := c.b
	for _, dm := range meetings {
		starts := c.meetingAt(dm.daysFromNow, dm.weekday, dm.hour, dm.minutes)
		past := dm.daysFromNow < 0
		if past && !c.clocked {
			continue // it cannot be dated in the past
		}
		// Arranged three weeks ahead, or three days ago for one still to come.
		arranged := starts.AddDate(0, 0, -21)
		if !past {
			arranged = c.workday(3, 10, 20)
		}
		organiser, err := c.as(dm.organiser, arranged)
		if err != nil {
			return err
		}
		m := &linkwork.Meeting{PlaceID: b.place.ID, Title: dm.title, StartsAt: starts, EndsAt: starts.Add(time.Duration(dm.length) * time.Minute),
			Venue: dm.venue, OnlineURL: dm.online, Agenda: dm.agenda, Capacity: dm.capacity}
		for _, o := range dm.invite {
			m.InvitedOrganisationIDs = append(m.InvitedOrganisationIDs, b.orgs[org(o)].ID)
		}
		if err := b.svc.Forum.CreateMeeting(c.ctx(organiser), m); err != nil {
			return fmt.Errorf("meeting %q: %w", dm.title, err)
		}
		b.res.Meetings++
		// Sign-ups spread between the day it was arranged and the day before (or now).
		last := starts.AddDate(0, 0, -1)
		if !past {
			last = c.now.Add(-time.Hour)
		}
		step := last.Sub(arranged) / time.Duration(len(dm.signUps)+1)
		attended := map[int64]bool{}
		for i, name := range dm.signUps {
			who, err := c.as(name, arranged.Add(step*time.Duration(i+1)))
			if err != nil {
				return err
			}
			if err := b.svc.Forum.SignUp(c.ctx(who), m.ID, who.id, who.org); err != nil {
				return fmt.Errorf("%s signing up to %q: %w", name, dm.title, err)
			}
			attended[who.id] = !slices.Contains(dm.absent, name)
		}
		if !past {
			continue
		}
		ends := m.EndsAt
		if _, err := c.as(dm.organiser, ends.Add(20*time.Minute)); err != nil {
			return err
		}
		if err := b.svc.Forum.RecordAttendance(c.ctx(organiser), m.ID, attended); err != nil {
			return fmt.Errorf("attendance of %q: %w", dm.title, err)
		}
		notes := ""
		version := m.Version
		for i, text := range dm.notes {
			taker, err := c.as(dm.noteTakers[i], ends.Add(time.Duration(1+24*i)*time.Hour))
			if err != nil {
				return err
			}
			notes = strings.TrimSpace(notes + "\n\n" + text)
			saved, err := b.svc.Forum.SaveNotes(c.ctx(taker), m.ID, version, notes)
			if err != nil {
				return fmt.Errorf("notes of %q: %w", dm.title, err)
			}
			version = saved.Version
		}
	}
	return nil
}

// demoPost is a learning post and its comments, hours after it.
type demoPost struct {
	author  string
	daysAgo int
	title   string
	body    string
	replies []demoReply
}

type demoReply struct {
	author     string
	hoursAfter int
	body       string
}

var posts = []demoPost{
	{sam, 33, "Getting landlords to act on damp: what has worked for me",
		"Three of my people this winter had damp making their breathing worse. What finally got things moving:\n\n" +
			"1. A letter from the GP or practice nurse saying the damp is affecting their health. Landlords take it more seriously than a " +
			"phone call.\n2. Dated photos, every fortnight, kept by the person on their phone.\n3. For private renters, asking Housing Options " +
			"for an inspection early rather than waiting for the landlord to reply.\n\nIt still took six to eight weeks each time. Meanwhile " +
			"the person needs somewhere warm to be in the day: the library and the community cafés have been good about it.",
		[]demoReply{
			{"Tom Greenwood", 5, "For Pennine Homes tenants, ring the repairs line and ask for a damp and mould priority job: we aim to " +
				"inspect within ten working days. If it is slower than that, email me and I will chase it."},
			{lee, 26, "Thanks Sam. The GP letter is a good tip: I'll ask the practice to add it to their template."},
		}},
	{"Priya Patel", 19, "Walking alongside someone who won't go to a group",
		"Not everyone wants a group, and that is fine. One man I support would not go near the men's shed, but he would walk to the " +
			"shop with me. We did that for five weeks; in the sixth he asked about the allotment on his estate, and now he goes on his own.\n\n" +
			"What I took from it: start with what the person already does, make the first step smaller than seems worth bothering with, " +
			"and do not measure the early weeks by whether they have joined anything.",
		[]demoReply{
			{"Beth Thornton", 3, "This is so true. The navigators sometimes do the first visit to a group with people, sitting at the back. " +
				"It makes a big difference."},
			{"Emma Jagger", 28, "In coaching we call it the smallest possible step. Lovely to hear it working."},
		}},
	{lee, 6, "A £17 kettle: small spends that unblock a plan",
		"Since we have had a small pot of our own, I have noticed how often one small thing is the barrier: a kettle, boots for the " +
			"garden, a month's bus pass to get to a walking group. Spending on the day, rather than waiting for a form to go round, " +
			"has meant people keep their momentum.\n\nI keep the receipts with the spend and write which goal it is for, so that we can " +
			"show the funder what the money did.",
		[]demoReply{
			{"Grace Mitchell", 4, "We would love a pot like this in the Lower Valley. Did you have to argue for it?"},
			{morgan, 22, "Grace, happy to share how we set it up: the ICB funded it as a pilot, with anything over the threshold " +
				"coming to me. Let's talk at the next forum."},
		}},
}

// posts makes the learning posts and their comments.
func (c *community) posts() error {
	b := c.b
	for _, dp := range posts {
		at := c.workday(dp.daysAgo, 15, 10)
		author, err := c.as(dp.author, at)
		if err != nil {
			return err
		}
		p := &linkwork.Post{PlaceID: b.place.ID, Title: dp.title, Body: dp.body, AuthorOrganisation: author.org}
		if err := b.svc.Forum.CreatePost(c.ctx(author), p); err != nil {
			return fmt.Errorf("post %q: %w", dp.title, err)
		}
		b.res.Posts++
		for _, r := range dp.replies {
			t := at.Add(time.Duration(r.hoursAfter) * time.Hour)
			if t.After(c.now) {
				t = c.now.Add(-time.Minute)
			}
			who, err := c.as(r.author, t)
			if err != nil {
				return err
			}
			if err := b.svc.Forum.AddComment(c.ctx(who), &linkwork.Comment{PostID: p.ID, Body: r.body,
				AuthorOrganisation: who.org}); err != nil {
				return fmt.Errorf("comment on %q: %w", dp.title, err)
			}
		}
	}
	return nil
}

// pots are the budget pots of the demonstration manager's organisation.
type pots struct{ team, own, grants *linkwork.BudgetPot }

// budgets sets up the pots, puts money in, and spends from them.
func (c *community) budgets() error {
	ps, err := c.makePots()
	if err != nil {
		return err
	}
	if err := c.personalSpends(ps); err != nil {
		return err
	}
	if err := c.fundingOpportunity(); err != nil {
		return err
	}
	return c.grants(ps)
}

// makePots sets up the three pots, as the demonstration manager did at the start of their
// year, with a top-up of two of them since.
func (c *community) makePots() (pots, error) {
	b := c.b
	calder := b.orgs[org(calderPCN)].ID
	started := c.now.In(London).AddDate(0, 0, -200)
	start := time.Date(started.Year(), started.Month(), 1, 0, 0, 0, 0, time.UTC)
	end := start.AddDate(1, 0, -1)
	leeID := c.people[lee].id
	made := []struct {
		pot     *linkwork.BudgetPot
		initial linkwork.Pence
		topUp   linkwork.Pence
		note    string
		topUpAt int // days ago
	}{
		{&linkwork.BudgetPot{Holder: linkwork.HolderTeam, Name: "Calder Valley team wellbeing fund", Funder: "West Yorkshire Integrated Care Board",
			MaxPerItem: 20000, ApprovalThreshold: 6000, Kinds: []linkwork.SpendKind{linkwork.SpendPersonal},
			Rules: "For something that stands between a person and a goal in their plan, that nobody else will pay for: bus passes, " +
				"class fees, kit, a phone top-up to stay in touch. Not for rent, bills or anything benefits or another service should cover. " +
				"Anything over £60 needs the manager's approval."},
			250000, 100000, "Second half of the year's funding from the ICB", 60},
		{&linkwork.BudgetPot{Holder: linkwork.HolderLinkWorker, UserID: leeID, Name: "Lee's small spends", Funder: "Calder Valley Primary Care Network",
			MaxPerItem: 5000, ApprovalThreshold: 5000, Kinds: []linkwork.SpendKind{linkwork.SpendPersonal},
			Rules: "Up to £50 at a time, for a small thing that helps someone take the next step in their plan, bought the same week. " +
				"Keep the receipt."},
			30000, 20000, "Topped up for the winter", 45},
		{&linkwork.BudgetPot{Holder: linkwork.HolderScheme, ServiceID: b.schemeIDs[0], Name: "Community micro-grants",
			Funder: "Calderdale Council Public Health", MaxPerItem: 50000, ApprovalThreshold: 25000,
			Kinds: []linkwork.SpendKind{linkwork.SpendGrant}, OpenToApplications: true,
			Rules: "Grants of up to £500 for Calderdale's community groups that our link workers refer people to, or for new activities " +
				"made with the people who will use them: equipment, room hire, training, starting something new. Say how many people it " +
				"will reach, and report back within 90 days of payment on what happened and what was spent."},
			400000, 0, "", 0},
	}
	manager, err := c.as(morgan, c.workday(195, 9, 40))
	if err != nil {
		return pots{}, err
	}
	for _, m := range made {
		m.pot.PlaceID, m.pot.OrganisationID, m.pot.PeriodStart, m.pot.PeriodEnd = b.place.ID, calder, start, end
		if err := b.svc.Budgets.CreatePot(c.ctx(manager), m.pot, m.initial, c.key()); err != nil {
			return pots{}, fmt.Errorf("pot %s: %w", m.pot.Name, err)
		}
		b.res.Pots++
	}
	for _, m := range made {
		if m.topUp == 0 {
			continue
		}
		c.at(c.workday(m.topUpAt, 9, 15))
		if _, err := b.svc.Budgets.Allocate(c.ctx(manager), m.pot.ID, m.topUp, m.note, c.key()); err != nil {
			return pots{}, fmt.Errorf("topping up %s: %w", m.pot.Name, err)
		}
	}
	return pots{team: made[0].pot, own: made[1].pot, grants: made[2].pot}, nil
}

// personalSpend is something bought for a person on the demonstration link worker's
// caseload, for a goal of their plan (as casework wrote it).
type personalSpend struct {
	goal    string
	fromOwn bool // the link worker's own pot, else the team's
	item    string
	amount  linkwork.Pence
	need    string
	reason  string
	daysAgo int
	// then is what happened next: "approve" (a manager approved it), "twice" (it was
	// recorded twice by mistake, and the second reversed); above the threshold and without
	// "approve", it waits for the manager.
	then string
}

var personalSpends = []personalSpend{
	{"Meet people who like gardening", true, "Gardening boots and a kneeler", 2750, "nature_gardening",
		"His knees make kneeling hard and his old boots went with the allotment: with these he can work at the garden on Wednesdays.", 20, ""},
	{"Cook proper meals again", true, "A kettle", 1699, "food",
		"Her kettle broke a month ago and she could not afford another, so she has gone without hot drinks and meals. She wants to make " +
			"the soups from the community kitchen.", 12, ""},
	{"Feel better in myself", false, "Bus pass for a month (MCard)", 5700, "physical_activity",
		"To get to the walking group and back each week while he builds his confidence.", 18, ""},
	{"Sing with other people", true, "Choir fees for the term", 3600, "arts_creativity",
		"The choir's fee for the term: she wanted to join but could not find the money this month.", 15, ""},
	{"Feel steadier on my feet", false, "Strength and balance class, ten weeks", 8500, "physical_activity",
		"Ten weeks of the strength and balance class at the leisure centre, which the practice physiotherapist suggested after his fall.", 4, ""},
	{"Get some work experience", false, "Bike repair tool kit", 6400, "employment_skills",
		"A basic tool kit so that he can volunteer at the bike project two mornings a week: a first step back towards work.", 9, "approve"},
	{"Get on top of the bills", true, "Bus fares to the money advice appointments", 960, "money_debt",
		"Return bus fares to Halifax for three appointments with the money advice service.", 21, "twice"},
}

// personalSpends records the personal spends, as the link worker did, for the people on
// their caseload whose plans have the goals.
func (c *community) personalSpends(ps pots) error {
	b := c.b
	worker := c.people[lee]
	calder := b.orgs[org(calderPCN)].ID
	entries, _, _, err := b.svc.Cases.Caseload(b.ctx, linkwork.CaseloadFilter{PlaceID: b.place.ID, OrganisationIDs: []int64{calder},
		WorkerUserID: worker.id, Statuses: []linkwork.PersonStatus{linkwork.PersonActive}, Page: linkwork.Page{Size: linkwork.MaxPageSize}})
	if err != nil {
		return err
	}
	type planGoal struct {
		person *linkwork.Person
		goal   *linkwork.Goal
	}
	goals := map[string]planGoal{}
	slices.SortFunc(entries, func(x, y *linkwork.CaseloadEntry) int { return int(x.Person.ID - y.Person.ID) })
	for _, e := range entries {
		plan, err := b.svc.Cases.Plan(b.ctx, e.Person.ID)
		if err != nil {
			return err
		}
		for _, g := range plan.Goals {
			if _, ok := goals[g.Text]; !ok {
				goals[g.Text] = planGoal{e.Person, g}
			}
		}
	}
	for _, s := range personalSpends {
		pg, ok := goals[s.goal]
		if !ok {
			continue // nobody on the caseload has this goal
		}
		// Bought while they were being supported: not before their case was opened.
		days := s.daysAgo
		if opened, err := time.Parse(time.DateOnly, pg.person.OpenedOn); err == nil {
			days = max(1, min(days, int(c.now.Sub(opened).Hours()/24)-2))
		}
		pot := ps.team
		if s.fromOwn {
			pot = ps.own
		}
		times := 1
		if s.then == "twice" {
			times = 2
		}
		var last *linkwork.Spend
		for i := range times {
			c.at(c.workday(days, 10, 30+5*i))
			sp := &linkwork.Spend{PlaceID: b.place.ID, PotID: pot.ID, Need: s.need, PersonID: pg.person.ID, GoalID: pg.goal.ID,
				Item: s.item, Reason: s.reason, Amount: s.amount}
			if err := b.svc.Budgets.SpendForPerson(c.ctx(worker), sp, false, c.key()); err != nil {
				return fmt.Errorf("personal spend %s: %w", s.item, err)
			}
			b.res.Spends++
			last = sp
		}
		switch s.then {
		case "approve":
			manager, err := c.as(morgan, c.workday(days-2, 14, 45))
			if err != nil {
				return err
			}
			if _, err := b.svc.Budgets.Decide(c.ctx(manager), last.ID, last.Version, linkwork.Decision{Approve: true}, c.key()); err != nil {
				return fmt.Errorf("approving %s: %w", s.item, err)
			}
		case "twice":
			if err := c.reverse(pot, last, "Recorded twice by mistake: the fares were paid for once, on the other spend for them."); err != nil {
				return err
			}
		}
	}
	return nil
}

// reverse reverses a spend's payment as the link worker who made it, later the same day.
func (c *community) reverse(pot *linkwork.BudgetPot, sp *linkwork.Spend, reason string) error {
	b := c.b
	ledger, err := b.svc.Budgets.Ledger(b.ctx, pot.ID)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(ledger, func(e *linkwork.LedgerEntry) bool { return e.SpendID == sp.ID && e.Kind == linkwork.EntrySpend })
	if i < 0 {
		return fmt.Errorf("the payment of spend %d is not in its pot's ledger", sp.ID)
	}
	worker, err := c.as(lee, sp.RequestedAt.Add(5*time.Hour))
	if err != nil {
		return err
	}
	if _, err := b.svc.Budgets.Reverse(c.ctx(worker), ledger[i].ID, reason, c.key()); err != nil {
		return fmt.Errorf("reversing spend %d: %w", sp.ID, err)
	}
	return nil
}

// fundingOpportunity notes the landscape's deprived befriending gap as one to fund, as the
// commissioner did after the group asked about it.
func (c *community) fundingOpportunity() error {
	if c.gap == nil {
		return nil
	}
	commissioner, err := c.as(chris, c.workday(45, 11, 30))
	if err != nil {
		return err
	}
	f := &linkwork.FundingOpportunity{PlaceID: c.b.place.ID, NeighbourhoodCode: c.gap.Neighbourhood.Code, Need: gapNeed,
		Note: "Age Friendly Halifax has asked for volunteers to start befriending here, and nothing like it runs nearby. " +
			"Up to £500 from Calder Valley Social Prescribing's community micro-grants."}
	if err := c.b.svc.Landscape.CreateFundingOpportunity(c.ctx(commissioner), f); err != nil {
		return fmt.Errorf("funding opportunity: %w", err)
	}
	c.opportunity = f.ID
	return nil
}

// demoGrant is a micro-grant from the scheme's pot, and how far it got: days ago it was
// applied for, decided, paid and reported on (0: not yet).
type demoGrant struct {
	group, by, activity, purpose, need string
	amount                             linkwork.Pence
	people                             int
	district                           string // where it happens: a postcode district, or "gap"
	applied, decided, paid, reported   int
	decider                            string
	report                             *linkwork.GrantReport
	refund                             linkwork.Pence
	refundNote                         string
}

var demoGrants = []demoGrant{
	{group: fromCommunityOrg, by: casey, activity: "Raised beds for wheelchair users",
		purpose: "Timber, soil and a firm path for four raised beds at wheelchair height, so that people who use wheelchairs can " +
			"garden with us. Built by our volunteers.",
		need: "nature_gardening", amount: 48000, people: 12, district: "HX7 ", applied: 170, decided: 166, paid: 160, reported: 85,
		decider: morgan,
		report: &linkwork.GrantReport{WhatHappened: "We built four raised beds at wheelchair height with a firm path to them. Fourteen " +
			"people used them over the summer, five of them wheelchair users who could not garden with us before; two now come every " +
			"week. The timber cost less than quoted, so we spent £455 and have paid back the £25 left.",
			PeopleReached: 14, Volunteers: 6, AmountUsed: 45500},
		refund: 2500, refundNote: "Paid back by the garden: the timber for the raised beds cost less than quoted."},
	{group: shed, by: ray, activity: "Repair café",
		purpose: "Tools, a soldering station and a first aid kit to start a monthly repair café at the shed, where members mend " +
			"things with people from the town: a reason for men who live alone to come and share what they know.",
		need: "loneliness", amount: 24000, people: 30, district: "HX5 ", applied: 140, decided: 136, paid: 130, decider: lee},
	{group: ageFriendly, by: pauline, activity: "Befriending phone circle",
		purpose: "DBS checks and a training morning for ten volunteer befrienders, call credit for their phones, and tea at a monthly " +
			"get-together for the callers and the people they ring. Planned with six older residents who wanted a regular call.",
		need: gapNeed, amount: 45000, people: 20, district: "gap", applied: 30, decided: 26, paid: 23, decider: morgan},
	{group: fromCommunityOrg, by: casey, activity: "Winter growing workshops",
		purpose: "Room hire and seeds for six winter workshops on growing food on a windowsill or a balcony, for people with no " +
			"garden. Run by our volunteers; tea provided.",
		need: "food", amount: 35000, people: 15, district: "HX7 ", applied: 6},
}

// grants makes the micro-grants: applied for by the groups, decided by whoever may decide
// (the manager above the pot's threshold), paid by the manager, and reported on.
func (c *community) grants(ps pots) error {
	b := c.b
	for _, g := range demoGrants {
		applicant, err := c.as(g.by, c.ago(g.applied, 20, 5))
		if err != nil {
			return err
		}
		sp := &linkwork.Spend{PlaceID: b.place.ID, PotID: ps.grants.ID, Amount: g.amount, Need: g.need,
			GroupOrganisationID: b.orgs[org(g.group)].ID, ActivityName: g.activity, Purpose: g.purpose, PeopleExpected: g.people,
			ContactName: applicant.name, ContactEmail: applicant.email}
		switch {
		case g.district == "gap" && c.gap != nil:
			sp.Postcode, sp.FundingOpportunityID = c.gap.Neighbourhood.Postcode, c.opportunity
		case g.district != "gap":
			sp.Postcode = c.knownPostcode(g.district, 0)
		}
		if err := b.svc.Budgets.ApplyForGrant(c.ctx(applicant), sp, c.key()); err != nil {
			return fmt.Errorf("grant for %s: %w", g.activity, err)
		}
		b.res.Spends++
		if g.decided == 0 {
			continue
		}
		decider, err := c.as(g.decider, c.workday(g.decided, 11, 20))
		if err != nil {
			return err
		}
		if sp, err = b.svc.Budgets.Decide(c.ctx(decider), sp.ID, sp.Version, linkwork.Decision{Approve: true}, c.key()); err != nil {
			return fmt.Errorf("approving the grant for %s: %w", g.activity, err)
		}
		manager, err := c.as(morgan, c.workday(g.paid, 15, 0))
		if err != nil {
			return err
		}
		if _, err = b.svc.Budgets.PayGrant(c.ctx(manager), sp.ID, sp.Version, c.key()); err != nil {
			return fmt.Errorf("paying the grant for %s: %w", g.activity, err)
		}
		if g.report == nil {
			continue
		}
		reporter, err := c.as(g.by, c.ago(g.reported, 19, 0))
		if err != nil {
			return err
		}
		report := *g.report
		if _, err := b.svc.Budgets.ReportOnGrant(c.ctx(reporter), sp.ID, &report); err != nil {
			return fmt.Errorf("report on the grant for %s: %w", g.activity, err)
		}
		if g.refund == 0 {
			continue
		}
		worker, err := c.as(lee, c.workday(g.reported-5, 10, 0))
		if err != nil {
			return err
		}
		if _, err := b.svc.Budgets.Refund(c.ctx(worker), sp.ID, g.refund, g.refundNote, c.key()); err != nil {
			return fmt.Errorf("refund of the grant for %s: %w", g.activity, err)
		}
	}
	return nil
}
