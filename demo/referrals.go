package demo

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"linkwork"
)

// The demonstration referrals: about sixty fictional people referred to the ten schemes,
// in every state of the lifecycle, made through the referral service as real users would
// make them (so that their histories, audit trail and notifications are real).
//
// Every person is invented. Their NHS numbers are valid (modulus 11) but start with 999, a
// range the NHS keeps for testing, so none can be a real person's; their mobile numbers
// are in Ofcom's 07700 900 range for drama, which is never given to anyone.

// Option changes how Load builds the place.
type Option func(*options)

type options struct{ clock *func() time.Time }

// WithClock lets Load date each referral's history over the past months, as it would have
// happened, by moving the store's clock (sqldb.DB.Now) while it makes them; it is put back
// afterwards. Without it, every referral arrives and moves on at the moment it is made,
// which is still consistent but shows no waiting times. Use it only when nothing else is
// using the store.
func WithClock(now *func() time.Time) Option { return func(o *options) { o.clock = now } }

// story is one referral: where it goes, who sends it and what happens to it.
type story struct {
	scheme  int    // index in schemes
	from    string // a demonstration user's email, "self", or a key of professionals
	urgency linkwork.Urgency
	// path is what happens after it arrives, in order: accept, wait, allocate, start,
	// decline:REASON, close:OUTCOME, redirect:SCHEME (an index in schemes).
	path string
	// share names organisations the person agreed may see the referral.
	share []string
	// same, when not 0, is the number (counting from 1) of an earlier story about the same
	// person: "nhs" makes this referral carry the same NHS number, "name" the same name,
	// date of birth and postcode without an NHS number.
	same   int
	sameBy string
}

const (
	fromGP        = "referrer@example.org"    // Dr Rhian Referrer, Halifax Central PCN
	fromLinker    = "linkworker@example.org"  // Lee Linkworker, referring on
	fromCommunity = "community@example.org"   // Casey Community, Hebden Bridge Community Garden
	fromManager   = "manager@example.org"     // Morgan Manager
	fromSam       = "linkworker2@example.org" // Sam Shah, Halifax Central PCN
)

var urgent, soon = linkwork.UrgencyUrgent, linkwork.UrgencySoon

// stories is every demonstration referral. Calder Valley Social Prescribing, where the
// demonstration manager and link worker work, has the most: a triage queue, a waiting list
// long enough to show positions, and caseloads.
var stories = []story{
	// 1–30: Calder Valley Social Prescribing.
	{scheme: 0, from: fromGP, urgency: urgent},
	{scheme: 0, from: "self"},
	{scheme: 0, from: fromCommunity},
	{scheme: 0, from: fromGP, path: "accept", share: []string{"Calderdale Carers Hub"}},
	{scheme: 0, from: fromGP, path: "accept wait"},
	{scheme: 0, from: "self", path: "accept wait"},
	{scheme: 0, from: fromCommunity, path: "accept wait", urgency: soon},
	{scheme: 0, from: fromGP, path: "accept wait", share: []string{"Hebden Bridge Community Garden"}},
	{scheme: 0, from: "self", path: "accept wait"},
	{scheme: 0, from: fromGP, path: "accept wait", urgency: urgent},
	{scheme: 0, from: fromCommunity, path: "accept wait"},
	{scheme: 0, from: fromGP, path: "accept wait"},
	{scheme: 0, from: "self", path: "accept wait", urgency: soon},
	{scheme: 0, from: fromGP, path: "accept wait"},
	{scheme: 0, from: "self", path: "accept wait"},
	{scheme: 0, from: fromGP, path: "accept wait"},
	{scheme: 0, from: fromGP, path: "accept wait allocate"},
	{scheme: 0, from: "self", path: "accept allocate", urgency: urgent},
	{scheme: 0, from: fromCommunity, path: "accept wait allocate"},
	{scheme: 0, from: fromGP, path: "accept wait allocate start", share: []string{"Halifax Money Advice"}},
	{scheme: 0, from: "self", path: "accept wait allocate start"},
	{scheme: 0, from: fromGP, path: "accept allocate start"},
	{scheme: 0, from: fromCommunity, path: "accept wait allocate start"},
	{scheme: 0, from: fromGP, path: "accept wait allocate start close:supported"},
	{scheme: 0, from: "self", path: "accept wait allocate start close:connected"},
	{scheme: 0, from: fromGP, path: "accept wait close:no_contact"},
	{scheme: 0, from: fromCommunity, path: "accept wait allocate start close:withdrew"},
	{scheme: 0, from: fromGP, path: "accept allocate start close:moved_away"},
	{scheme: 0, from: fromGP, path: "decline:out_of_area"},
	{scheme: 0, from: "self", path: "decline:person_declined"},
	// 31–40: Halifax Central Social Prescribing, where the demonstration referrer works.
	{scheme: 1, from: fromGP, urgency: urgent},
	{scheme: 1, from: fromGP, path: "accept wait"},
	{scheme: 1, from: fromGP, path: "accept wait", urgency: soon},
	{scheme: 1, from: fromGP, path: "accept allocate"},
	{scheme: 1, from: fromGP, path: "accept allocate start", share: []string{"Calderdale Council Housing Options"}},
	{scheme: 1, from: fromGP, path: "accept wait allocate start"},
	{scheme: 1, from: fromGP, path: "accept allocate start close:referred_on"},
	{scheme: 1, from: fromGP, path: "accept wait allocate start close:other"},
	{scheme: 1, from: fromGP, path: "decline:not_eligible"},
	{scheme: 1, from: fromGP, path: "redirect:5"},
	// 41–44: Lower Valley Wellbeing Team.
	{scheme: 2, from: "self", urgency: soon},
	{scheme: 2, from: fromGP, path: "redirect:9 accept"},
	{scheme: 2, from: fromGP, path: "accept wait allocate start close:connected"},
	{scheme: 2, from: "self", path: "decline:needs_met_elsewhere"},
	// 45–47: High Intensity User Service.
	{scheme: 3, from: "hospital", urgency: urgent},
	{scheme: 3, from: fromGP, path: "accept allocate start", share: []string{"Pennine Minds NHS Foundation Trust"}},
	{scheme: 3, from: "hospital", path: "decline:risk_too_high"},
	// 48–49: Upper Valley Practice Health Champions.
	{scheme: 4, from: "self", path: "accept"},
	{scheme: 4, from: fromGP, path: "accept close:connected"},
	// 50–51: Local Area Coordination Calderdale.
	{scheme: 5, from: "self", path: "accept wait"},
	{scheme: 5, from: fromGP, path: "accept allocate start"},
	// 52–54: Pennine Homes Tenancy Connectors.
	{scheme: 6, from: "housing"},
	{scheme: 6, from: "housing", path: "accept allocate"},
	{scheme: 6, from: "self", path: "accept allocate start close:supported"},
	// 55–57: Neighbourhood Police Connectors.
	{scheme: 7, from: "police", urgency: urgent},
	{scheme: 7, from: "police", path: "accept allocate start"},
	{scheme: 7, from: "police", path: "redirect:3"},
	// 58–61: Community Navigators.
	{scheme: 8, from: fromCommunity, path: "accept wait", share: []string{"Calderdale Food Network"}},
	{scheme: 8, from: "self"},
	{scheme: 8, from: fromLinker, path: "accept allocate"},
	{scheme: 8, from: "self", path: "decline:other"},
	// 62–64: Wellbeing Coaching.
	{scheme: 9, from: "self", path: "accept wait"},
	{scheme: 9, from: fromGP, path: "accept wait"},
	{scheme: 9, from: fromGP, path: "accept wait allocate start close:withdrew"},
	// 65–66: the same people again, flagged as possible duplicates. One is waiting for
	// triage; the other was declined once the triager had checked.
	{scheme: 8, from: "self", same: 6, sameBy: "nhs"},
	{scheme: 0, from: fromCommunity, path: "decline:other", same: 20, sameBy: "name"},
}

// professional is a referrer without a demonstration login, whose referral reached the
// scheme by phone or letter and was entered by the scheme.
type professional struct {
	typ              linkwork.ReferrerType
	org, name, role  string
	email            string
	enteredBySchemes bool
}

var professionals = map[string]professional{
	"hospital": {linkwork.ReferrerHospital, "Calder and Ryburn Hospitals NHS Trust", "Nasreen Akhtar", "Emergency department navigator", "ed.navigators@calderryburn.example.org", true},
	"housing":  {linkwork.ReferrerHousing, "Pennine Homes Housing Association", "Kerry Whitworth", "Housing officer", "kerry.whitworth@penninehomes.example.org", true},
	"police":   {linkwork.ReferrerPolice, "West Yorkshire Police Neighbourhood Team", "PC Jordan Hartley", "Neighbourhood police officer", "jordan.hartley@wypolice.example.org", true},
}

// referrerTypes and referrerRoles describe the demonstration users who refer.
var referrerTypes = map[string]linkwork.ReferrerType{fromGP: linkwork.ReferrerGP, fromLinker: linkwork.ReferrerGP,
	fromCommunity: linkwork.ReferrerVCSE, fromManager: linkwork.ReferrerGP, fromSam: linkwork.ReferrerGP}

var referrerRoles = map[string]string{fromGP: "GP", fromLinker: "Social prescribing link worker",
	fromCommunity: "Volunteer coordinator", fromManager: "Social prescribing manager", fromSam: "Social prescribing link worker"}

// staffNames are the link workers of schemes 2 to 9, who have no demonstration login: they
// triage and support the people referred there. They are the first link worker each
// scheme lists in the directory.
var staffNames = map[int]string{2: "Grace Mitchell", 3: "Jack Dawson", 4: "Mo Crowther", 5: "Priya Patel", 6: "Tom Greenwood",
	7: "Wes Firth", 8: "Beth Thornton", 9: "Emma Jagger"}

// People's names: not those of the staff, so that nobody is mistaken for a colleague.
var givenNames = []string{"Margaret", "Derek", "Shabana", "Kyle", "Joan", "Tariq", "Bethany", "Keith", "Zoë", "Imran", "Sandra",
	"Piotr", "Gwen", "Amir", "Lesley", "Craig", "Nusrat", "Barry", "Siân", "Ravinder", "Eileen", "Dominic", "Halima", "Trevor",
	"Agnieszka", "Colin", "Samina", "Wayne", "Maureen", "Ahmed", "Tracey", "Graham", "Parveen", "Jamie", "Doreen", "Bilal"}

var familyNames = []string{"Ackroyd", "Bairstow", "Chadwick", "Denton", "Emmott", "Fawcett", "Gaukroger", "Hinchliffe", "Ingham",
	"Jowett", "Kershaw", "Lockwood", "Marsden", "Nuttall", "Oldroyd", "Pickles", "Quarmby", "Redman", "Shackleton", "Tattersall",
	"Utley", "Varley", "Wadsworth", "Akram", "Begum", "Chaudhry", "Kowalski", "Nowak", "Mahmood", "Rashid", "Sharp", "Whiteley"}

var practices = []string{"Riverside Practice", "Moorside Surgery", "Canal Street Medical Centre", "Hilltop Family Practice",
	"Beechwood Health Centre", "Mill Lane Surgery"}

// reasons are what referrers write, by need.
var reasons = map[string][]string{
	"loneliness": {"Lives alone since her husband died last year and says some weeks she speaks to nobody.",
		"Recently moved to the area, knows nobody and would like to meet people.",
		"Has lost touch with friends since stopping work, and feels cut off."},
	"mental_wellbeing": {"Low mood for several months; would like something to get out of the house for.",
		"Anxious about going out since a fall; keen to build confidence slowly."},
	"money_debt": {"Worried about bills and rent arrears; not sure what benefits they can claim.",
		"Struggling with energy debt and has started skipping meals."},
	"housing": {"Damp in the flat is making their breathing worse; landlord not responding.",
		"At risk of losing the tenancy because of arrears; needs help to talk to the landlord."},
	"physical_activity": {"Wants to be more active after a heart attack but is nervous about exercising alone.",
		"Type 2 diabetes; would like a walking group or gentle exercise nearby."},
	"long_term_conditions": {"Living with COPD and finding it hard to manage day to day; would value support to set goals.",
		"Chronic pain; would like to find things that help besides medication."},
	"substance_use": {"Drinking more since losing their job; open to support but not ready for treatment services.",
		"Often in A&E after drinking; wants to find other things to do in the evenings."},
	"volunteering":   {"Retired and would like to volunteer, but lacks confidence to approach groups."},
	"digital_skills": {"Cannot use the online forms for benefits and repeat prescriptions; would like help with a tablet."},
	"domestic_abuse": {"Left an abusive relationship; safe now with support from the specialist service, but isolated."},
}

var risks = []string{"Has said they sometimes feel life is not worth living; no plans. GP reviewing regularly.",
	"Neighbour dispute has involved the police; advise meeting in public places.",
	"Dog at the property: phone ahead before a home visit."}

var accessNeeds = []string{"Large print letters, please.", "Deaf: British Sign Language interpreter needed; contact by text.",
	"Uses a wheelchair: ground floor or step-free venues only.", "Has a learning disability: easy read, and her sister may join calls."}

var declineNotes = map[int]string{
	// Story numbers, counting from 1.
	61: "Asked for help with a benefits appeal, which Halifax Money Advice handles; we gave her their number.",
	66: "Already being supported by our link worker Lee, on the referral flagged as a possible duplicate; we let the referrer know.",
}

var closeNotes = map[int]string{38: "Moved into residential care; the home's activities coordinator has taken over."}

var redirectNotes = map[int]string{40: "Lives in Ovenden, where Local Area Coordination has a coordinator with space.",
	42: "Mainly wants support with low mood: Wellbeing Coaching is the better fit.",
	57: "Mostly about repeated A&E attendances: better placed with the High Intensity User Service."}

// referralPerson is one invented person.
func (b *builder) referralPerson(i int, s story, sc scheme) linkwork.ReferralPerson {
	rng := b.rng
	given := givenNames[(i*7+3)%len(givenNames)]
	family := familyNames[(i*11+5)%len(familyNames)]
	age := 19 + rng.IntN(70)
	if sc.model == linkwork.ModelHighIntensityUser || sc.model == linkwork.ModelPoliceConnector {
		age = 25 + rng.IntN(35)
	}
	dob := time.Date(2026-age, time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
	p := linkwork.ReferralPerson{GivenName: given, FamilyName: family, DateOfBirth: dob.Format(time.DateOnly)}
	// Most people referred by professionals have their NHS number given; fewer of those who
	// refer themselves know it.
	if s.from != "self" && rng.IntN(5) > 0 || s.from == "self" && rng.IntN(3) == 0 {
		p.NHSNumber = b.testNHSNumber()
	}
	// A home in the scheme's area, on a real postcode, unless the story is about being out
	// of the area.
	districts := schemeDistricts(sc)
	outside := strings.Contains(s.path, string(linkwork.DeclineOutOfArea))
	var pcs []string
	for _, pc := range b.postcodes {
		in := slices.ContainsFunc(districts, func(d string) bool { return strings.HasPrefix(pc, d+" ") })
		if in != outside {
			pcs = append(pcs, pc)
		}
	}
	if len(pcs) == 0 {
		pcs = b.postcodes
	}
	if len(pcs) > 0 {
		p.Postcode = pcs[rng.IntN(len(pcs))]
	} else {
		p.Postcode = "HX1 1AA"
	}
	p.Town = "Halifax"
	for _, t := range towns {
		if strings.HasPrefix(p.Postcode, t.district) {
			p.Town = t.name
		}
	}
	p.Address1 = fmt.Sprintf("%d %s", 1+rng.IntN(140), streets[rng.IntN(len(streets))])
	p.Phone = fmt.Sprintf("07700 900%03d", rng.IntN(1000))
	p.ContactPreferences = []linkwork.ContactMethod{linkwork.ContactPhone}
	switch rng.IntN(6) {
	case 0:
		p.Email = strings.ToLower(slug(given)+"."+slug(family)) + "@example.com"
		p.ContactPreferences = []linkwork.ContactMethod{linkwork.ContactEmail, linkwork.ContactPhone}
	case 1:
		p.ContactPreferences = []linkwork.ContactMethod{linkwork.ContactText, linkwork.ContactPhone}
	case 2:
		p.ContactPreferences = []linkwork.ContactMethod{linkwork.ContactLetter}
	}
	switch i % 9 {
	case 4:
		p.Language, p.Interpreter = "Urdu", true
	case 7:
		p.Language = "Polish"
	}
	if i%8 == 5 {
		p.AccessNeeds = accessNeeds[(i/8)%len(accessNeeds)]
	}
	if s.from != "self" || rng.IntN(2) == 0 {
		p.GPPractice = practices[rng.IntN(len(practices))]
	}
	return p
}

// schemeDistricts are the postcode districts of the demonstration towns in a scheme's area.
func schemeDistricts(sc scheme) []string {
	var out []string
	for _, t := range towns {
		if slices.Contains(sc.areas, t.ward) {
			out = append(out, strings.TrimSpace(t.district))
		}
	}
	return out
}

// testNHSNumber makes a valid NHS number in the 999 range, which the NHS keeps for testing
// and never gives to a person.
func (b *builder) testNHSNumber() string {
	for {
		d := "999" + fmt.Sprintf("%06d", b.rng.IntN(1_000_000))
		sum := 0
		for i := range 9 {
			sum += int(d[i]-'0') * (10 - i)
		}
		check := (11 - sum%11) % 11
		if check == 10 {
			continue // no valid number has these nine digits
		}
		return d + strconv.Itoa(check)
	}
}

// planned is a step of a story at its time in the demonstration's past.
type planned struct {
	at    time.Time
	story int
	step  int // 0 is the arrival
}

// referrals makes the demonstration referrals. It plans every story's steps in time, then
// plays them all in the order they happened, so that when a referral arrives, the duplicates
// check sees what was open at the time.
func (b *builder) referrals() error {
	staff, err := b.schemeStaff()
	if err != nil {
		return err
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	if b.opts.clock != nil {
		now = (*b.opts.clock)()
		real := *b.opts.clock
		defer func() { *b.opts.clock = real }()
	}
	var steps []planned
	refs := make([]*linkwork.Referral, len(stories))
	persons := make([]linkwork.ReferralPerson, len(stories))
	for i, s := range stories {
		persons[i] = b.referralPerson(i, s, schemes[s.scheme])
		if s.same > 0 {
			p := persons[s.same-1]
			switch s.sameBy {
			case "nhs":
				p.Address1, p.Phone = persons[i].Address1, persons[i].Phone
			case "name":
				p.NHSNumber = ""
			}
			persons[i] = p
		}
		for j, at := range b.times(s, i, now) {
			steps = append(steps, planned{at: at, story: i, step: j})
		}
	}
	slices.SortStableFunc(steps, func(a, c planned) int { return a.at.Compare(c.at) })
	for _, p := range steps {
		if b.opts.clock != nil {
			at := p.at
			*b.opts.clock = func() time.Time { return at }
		}
		s := stories[p.story]
		if p.step == 0 {
			r, err := b.sendReferral(p.story, s, persons[p.story], staff)
			if err != nil {
				return fmt.Errorf("demo referral %d: %w", p.story+1, err)
			}
			refs[p.story] = r
			continue
		}
		r, err := b.decide(p.story, s, strings.Fields(s.path)[p.step-1], refs[p.story], staff)
		if err != nil {
			return fmt.Errorf("demo referral %d, step %d: %w", p.story+1, p.step, err)
		}
		refs[p.story] = r
	}
	if b.opts.clock != nil {
		*b.opts.clock = func() time.Time { return now }
	}
	// Lee works part time, so the manager has set their caseload to match: the practice's
	// scheme is all but full, and its waiting list has real expected waits.
	calder := staff[0]
	if err := b.svc.Referrals.SetCaseloadLimit(b.as(calder.triager), b.place.ID, calder.worker.id, leeCaseload); err != nil {
		return fmt.Errorf("caseload of the demonstration link worker: %w", err)
	}
	b.res.Referrals = len(refs)
	b.refs, b.staff = refs, staff
	return nil
}

// times plans when a story's steps happened: its arrival some days ago (longer ago the
// further it got), then each step a plausible while after the last, squeezed to end before
// now.
func (b *builder) times(s story, i int, now time.Time) []time.Time {
	rng := b.rng
	path := strings.Fields(s.path)
	final := "received"
	if len(path) > 0 {
		final, _, _ = strings.Cut(path[len(path)-1], ":")
	}
	var days int
	switch final {
	case "received", "redirect":
		days = rng.IntN(5)
	case "accept":
		days = 3 + rng.IntN(6)
	case "decline":
		days = 5 + rng.IntN(40)
	case "wait":
		// Spread over the last two months, so that the waiting list has a clear order.
		days = 6 + (i*17)%55
	case "allocate":
		days = 20 + rng.IntN(30)
	case "start":
		days = 30 + rng.IntN(50)
	default: // close
		days = 70 + rng.IntN(90)
	}
	if s.same > 0 {
		// The same person again, lately, while their first referral is still open.
		days = rng.IntN(3)
	}
	day := now.Truncate(24*time.Hour).AddDate(0, 0, -days)
	arrived := day.Add(9*time.Hour + time.Duration(rng.IntN(8*60))*time.Minute)
	gaps := make([]time.Duration, len(path))
	for k, step := range path {
		action, _, _ := strings.Cut(step, ":")
		h := time.Hour
		switch action {
		case "accept", "decline", "redirect":
			h *= time.Duration(4 + rng.IntN(72))
			if s.urgency == urgent {
				h = time.Duration(1+rng.IntN(4)) * time.Hour
			}
		case "wait":
			h = time.Duration(10+rng.IntN(110)) * time.Minute
		case "allocate":
			h *= time.Duration(24 * (7 + rng.IntN(35)))
		case "start":
			h *= time.Duration(24 * (2 + rng.IntN(6)))
		case "close":
			h *= time.Duration(24 * (20 + rng.IntN(60)))
		}
		gaps[k] = h
	}
	end := now.Add(-10 * time.Minute)
	if arrived.After(end) {
		arrived = end.Add(-time.Duration(len(path)+1) * time.Hour)
	}
	var total time.Duration
	for _, g := range gaps {
		total += g
	}
	// The steps must fit between the arrival and now; a story that would run into the
	// future happens faster instead.
	if avail := end.Sub(arrived) * 9 / 10; total > avail {
		for k := range gaps {
			gaps[k] = max(time.Duration(float64(gaps[k])*float64(avail)/float64(total)), time.Minute)
		}
	}
	// People refer themselves at any hour; staff work weekdays, so their steps (and the
	// referrals they send) are moved back into the working day.
	if s.from != "self" {
		arrived = workingTime(arrived, time.Time{})
	}
	out := []time.Time{arrived.Truncate(time.Microsecond)}
	at := arrived
	for _, g := range gaps {
		at = at.Add(g)
		out = append(out, workingTime(at, out[len(out)-1]).Truncate(time.Microsecond))
	}
	return out
}

// London is where the demonstration's staff work, for their working hours.
var London = func() *time.Location {
	if l, err := time.LoadLocation("Europe/London"); err == nil {
		return l
	}
	return time.UTC
}()

// workingTime moves t back to the last moment of a working day (Monday to Friday, 9:00 to
// 17:00 in London) at or before it, but never to before after; a step that cannot go back
// far enough happens ten minutes after the one before it. Moving back, never forward, keeps
// every step in the past.
func workingTime(t, after time.Time) time.Time {
	l := t.In(London)
	day := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, London)
	switch {
	case l.Hour() < 9:
		day = day.AddDate(0, 0, -1)
		l = day.Add(16*time.Hour + time.Duration(l.Minute())*time.Minute)
	case l.Hour() >= 17:
		l = day.Add(16*time.Hour + time.Duration(l.Minute())*time.Minute)
	}
	for l.Weekday() == time.Saturday || l.Weekday() == time.Sunday {
		l = l.AddDate(0, 0, -1)
	}
	if !l.After(after) {
		return after.Add(10 * time.Minute).UTC()
	}
	return l.UTC()
}

// leeCaseload is the demonstration link worker's own caseload limit: one more than the
// people the stories leave with them, so that there is a place to allocate.
const leeCaseload = 8

// staffMember is who acts for a scheme: its triager, and the link worker it allocates to.
type staffMember struct {
	triager, worker demoUser
}

type demoUser struct {
	id    int64
	name  string
	email string
}

// schemeStaff makes a link worker for each scheme whose organisation has no demonstration
// user, so that every scheme can triage and allocate, and returns who acts for each
// scheme. They cannot sign in: their password is random and never shown.
func (b *builder) schemeStaff() (map[int]staffMember, error) {
	byEmail := map[string]demoUser{}
	for _, u := range users {
		byEmail[u.email] = demoUser{id: b.userIDs[u.email], name: u.name, email: u.email}
	}
	out := map[int]staffMember{
		0: {triager: byEmail[fromManager], worker: byEmail[fromLinker]},
		1: {triager: byEmail[fromSam], worker: byEmail[fromSam]},
	}
	for _, i := range slices.Sorted(maps.Keys(staffNames)) {
		name := staffNames[i]
		email := strings.ReplaceAll(strings.ToLower(name), " ", ".") + "@example.org"
		u, err := b.svc.Users.CreateUser(b.ctx, &linkwork.NewUser{Email: email, Name: name, Password: linkwork.NewSecret(),
			OrganisationID: b.orgs[org(schemes[i].org)].ID, Role: linkwork.RoleLinkWorker})
		if err != nil {
			return nil, fmt.Errorf("link worker %s: %w", name, err)
		}
		m := demoUser{id: u.ID, name: name, email: email}
		out[i] = staffMember{triager: m, worker: m}
		b.res.Staff++
	}
	return out, nil
}

// as returns the load's context acting as a user, so that the audit trail names them.
func (b *builder) as(u demoUser) context.Context {
	return linkwork.NewContextWithActor(b.ctx, linkwork.Actor{UserID: u.id, Label: u.email, PlaceID: b.place.ID})
}

// sendReferral sends story i's referral as its referrer would.
func (b *builder) sendReferral(i int, s story, person linkwork.ReferralPerson, staff map[int]staffMember) (*linkwork.Referral, error) {
	sc := schemes[s.scheme]
	needs := b.storyNeeds(i, s, sc)
	needIDs, err := b.termIDs(linkwork.TaxonomyNeed, needs...)
	if err != nil {
		return nil, err
	}
	clientIDs, err := b.termIDs(linkwork.TaxonomyClientGroup, sc.clients...)
	if err != nil {
		return nil, err
	}
	var reason []string
	for _, n := range needs {
		if rs := reasons[n]; len(rs) > 0 {
			reason = append(reason, rs[(i+len(reason))%len(rs)])
		}
	}
	r := &linkwork.Referral{PlaceID: b.place.ID, SchemeID: b.schemeIDs[s.scheme], Person: person, NeedIDs: needIDs,
		ClientGroupIDs: clientIDs, Reason: cmp.Or(strings.Join(reason, " "), "Would like to find support nearby."),
		Urgency: cmp.Or(s.urgency, linkwork.UrgencyRoutine), RoutedBy: "referrer"}
	if i%4 == 1 {
		r.RoutedBy = "linkwork" // the referrer left the choice to routing
	}
	if s.urgency == urgent || i%13 == 6 {
		r.Risk = risks[i%len(risks)]
	}
	for _, o := range s.share {
		r.Consent.ShareWith = append(r.Consent.ShareWith, b.orgs[org(o)].ID)
	}
	r.Consent.ToReferral = true
	var sender context.Context
	actorName := ""
	switch pro, isPro := professionals[s.from]; {
	case s.from == "self":
		r.Referrer = linkwork.ReferralSource{Type: linkwork.ReferrerSelf, Name: person.Name(), Phone: person.Phone, Email: person.Email}
		r.Consent.Method, r.Consent.RecordedBy = linkwork.ConsentOnlineForm, person.Name()
		actorName = "self-referral"
		sender = b.as(demoUser{email: "self-referral"})
	case isPro:
		// Phoned in and entered by the scheme, which recorded the referrer and consent.
		entered := staff[s.scheme].triager
		r.Referrer = linkwork.ReferralSource{Type: pro.typ, OrganisationID: b.orgs[org(pro.org)].ID, Name: pro.name, Role: pro.role,
			Email: pro.email, Phone: referrerPhone(i)}
		r.Consent.Method, r.Consent.RecordedBy = linkwork.ConsentVerbal, pro.name
		actorName = entered.name + " (by phone, for " + pro.name + ")"
		sender = b.as(entered)
	default:
		u := demoUser{id: b.userIDs[s.from], email: s.from}
		for _, du := range users {
			if du.email == s.from {
				u.name = du.name
				r.Referrer = linkwork.ReferralSource{Type: referrerTypes[s.from], UserID: u.id,
					OrganisationID: b.orgs[org(du.org)].ID, Name: du.name, Role: referrerRoles[s.from], Email: du.email, Phone: referrerPhone(i)}
			}
		}
		r.Consent.Method, r.Consent.RecordedBy = []linkwork.ConsentMethod{linkwork.ConsentVerbal, linkwork.ConsentWritten}[i%2], u.name
		actorName = u.name
		sender = b.as(u)
	}
	if err := b.svc.Referrals.CreateReferral(sender, linkwork.NewReferral{Referral: r, ActorName: actorName}); err != nil {
		return nil, err
	}
	return r, nil
}

// referrerPhone is a referrer's direct line. It comes from the story's number rather than
// the random source: referrals are sent in the order their stories happened, which shifts
// with the time of day the demonstration is loaded, and the rest must not shift with it.
func referrerPhone(i int) string { return fmt.Sprintf("01422 %06d", 400000+i*1373) }

// storyNeeds picks one or two of the scheme's needs for a referral to it.
func (b *builder) storyNeeds(i int, s story, sc scheme) []string {
	needs := []string{sc.needs[i%len(sc.needs)]}
	if i%3 == 0 && len(sc.needs) > 1 {
		needs = append(needs, sc.needs[(i+1)%len(sc.needs)])
	}
	return needs
}

// decide takes one step of a story, as the scheme's staff would.
func (b *builder) decide(i int, s story, step string, r *linkwork.Referral, staff map[int]staffMember) (*linkwork.Referral, error) {
	action, arg, _ := strings.Cut(step, ":")
	// The referral may have moved scheme (a redirect): its staff decide.
	schemeIdx := slices.Index(b.schemeIDs, r.SchemeID)
	who := staff[schemeIdx]
	actor := who.triager
	t := linkwork.Transition{ReferralID: r.ID, Action: linkwork.ReferralAction(action), Version: r.Version}
	switch t.Action {
	case linkwork.ActionDecline:
		t.DeclineReason, t.Note = linkwork.DeclineReason(arg), declineNotes[i+1]
	case linkwork.ActionRedirect:
		n, err := strconv.Atoi(arg)
		if err != nil || n < 0 || n >= len(b.schemeIDs) {
			return nil, fmt.Errorf("bad redirect %q", step)
		}
		t.SchemeID, t.Note = b.schemeIDs[n], redirectNotes[i+1]
	case linkwork.ActionAllocate:
		t.WorkerUserID = who.worker.id
	case linkwork.ActionStart:
		actor = who.worker
	case linkwork.ActionClose:
		t.Outcome, t.Note = linkwork.ReferralOutcome(arg), closeNotes[i+1]
		if r.Status == linkwork.ReferralInProgress {
			actor = who.worker
		}
	}
	return b.svc.Referrals.Transition(b.as(actor), t, actor.id, actor.name)
}

// historicNotifications records the notifications the demonstration queued as sent: in
// the story they went out weeks ago, and a first start of linkwork should not send (or
// log) a hundred messages about them.
func (b *builder) historicNotifications() error {
	for {
		ns, err := b.svc.Notifications.ClaimNotifications(b.ctx, 100, time.Minute)
		if err != nil {
			return err
		}
		for _, n := range ns {
			if err := b.svc.Notifications.MarkNotificationSent(b.ctx, n.ID); err != nil {
				return err
			}
		}
		if len(ns) < 100 {
			return nil
		}
	}
}
