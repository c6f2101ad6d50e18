// Package demo builds the demonstration place: a fictional Calderdale with organisations in
// every sector, connector schemes of every model, a directory of link workers and a few
// hundred community offers on real postcodes, and a user for every role. It is the same
// every time for the same postcodes, so that demonstrations and screenshots can be repeated.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"linkwork"
)

// PlaceName is the name of the demonstration place.
const PlaceName = "Calderdale (demo)"

// Offers is how many community offers the demonstration place has.
const Offers = 300

// Login is a demonstration user's sign-in.
type Login struct {
	Email, Role, Organisation string
}

// Result says what Load made.
type Result struct {
	Place                                         *linkwork.Place
	Organisations, Schemes, Practitioners, Offers int
	Logins                                        []Login
	// Referrals is how many demonstration referrals there are; Staff how many link workers
	// were made for them, without logins, in the schemes no demonstration user works for.
	Referrals, Staff int
	// People is how many case records there are; Onward how many onward referrals.
	People, Onward int
	// The community side: budget pots, the spends from them (personal spends and
	// micro-grants), forum meetings and learning posts, and what groups asked the place for.
	Pots, Spends, Meetings, Posts, Requests int
}

// Load builds the demonstration place through the services, so that everything is
// validated and audited as if people had entered it. postcodes are live postcodes to put
// venues at; each town uses those in its postcode district. Every user gets password. It
// refuses to load twice.
func Load(ctx context.Context, svc linkwork.Services, postcodes []string, password string, opts ...Option) (*Result, error) {
	if _, err := svc.Places.FindPlaceByName(ctx, PlaceName); err == nil {
		return nil, fmt.Errorf("the demonstration place %q is already loaded", PlaceName)
	}
	b := &builder{ctx: ctx, svc: svc, rng: rand.New(rand.NewPCG(2026, 11)), postcodes: postcodes, res: &Result{}}
	for _, o := range opts {
		o(&b.opts)
	}
	steps := []func() error{b.makePlace, b.organisations, func() error { return b.users(password) }, b.taxonomy, b.schemes,
		b.practitioners, b.offers, b.referrals, b.casework, b.community}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return b.res, nil
}

type builder struct {
	ctx       context.Context
	svc       linkwork.Services
	rng       *rand.Rand
	postcodes []string
	res       *Result
	place     *linkwork.Place
	orgs      []*linkwork.Organisation
	userIDs   map[string]int64
	terms     map[string]map[string]int64 // taxonomy code → term code → id
	schemeIDs []int64
	opts      options
	// refs and staff are the demonstration referrals and the schemes' staff, for the casework.
	refs  []*linkwork.Referral
	staff map[int]staffMember
	// leftUnanswered is set once an onward referral to the community garden has been left
	// without an answer for over two weeks.
	leftUnanswered bool
}

func (b *builder) makePlace() error {
	b.place = &linkwork.Place{Name: PlaceName}
	b.res.Place = b.place
	return b.svc.Places.CreatePlace(b.ctx, b.place)
}

func (b *builder) organisations() error {
	for _, o := range organisations {
		org := &linkwork.Organisation{PlaceID: b.place.ID, Name: o.name, Sector: o.sector}
		if err := b.svc.Organisations.CreateOrganisation(b.ctx, org); err != nil {
			return fmt.Errorf("organisation %s: %w", o.name, err)
		}
		b.orgs = append(b.orgs, org)
	}
	b.res.Organisations = len(b.orgs)
	return nil
}

func (b *builder) users(password string) error {
	b.userIDs = map[string]int64{}
	for _, u := range users {
		created, err := b.svc.Users.CreateUser(b.ctx, &linkwork.NewUser{Email: u.email, Name: u.name, Password: password,
			OrganisationID: b.orgs[org(u.org)].ID, Role: u.role})
		if err != nil {
			return fmt.Errorf("user %s: %w", u.email, err)
		}
		b.userIDs[u.email] = created.ID
		b.res.Logins = append(b.res.Logins, Login{Email: u.email, Role: u.role.Label(), Organisation: u.org})
	}
	return nil
}

func (b *builder) taxonomy() error {
	taxes, err := b.svc.Taxonomies.ListTaxonomies(b.ctx, b.place.ID)
	if err != nil {
		return err
	}
	b.terms = map[string]map[string]int64{}
	for _, t := range taxes {
		b.terms[t.Code] = map[string]int64{}
		for _, term := range t.Terms {
			b.terms[t.Code][term.Code] = term.ID
		}
	}
	return nil
}

// termIDs looks up the content's term codes; a code the taxonomy lacks is a mistake in the
// content, so it stops the load.
func (b *builder) termIDs(taxonomy string, codes ...string) ([]int64, error) {
	var ids []int64
	for _, c := range codes {
		id, ok := b.terms[taxonomy][c]
		if !ok {
			return nil, fmt.Errorf("demo content names %s term %q, which does not exist", taxonomy, c)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

var streets = []string{"Church Street", "Market Street", "Station Road", "Park Road", "High Street", "Mill Lane", "Chapel Lane", "Victoria Road"}

// location makes an address in a town, on one of its real postcodes.
func (b *builder) location(name string, t town) linkwork.Location {
	var pcs []string
	for _, p := range b.postcodes {
		if strings.HasPrefix(p, t.district) {
			pcs = append(pcs, p)
		}
	}
	if len(pcs) == 0 {
		pcs = b.postcodes
	}
	pc := ""
	if len(pcs) > 0 {
		pc = pcs[b.rng.IntN(len(pcs))]
	}
	return linkwork.Location{Name: name, Address1: fmt.Sprintf("%d %s", 1+b.rng.IntN(120), streets[b.rng.IntN(len(streets))]),
		Town: t.name, Postcode: pc}
}

func slug(s string) string {
	var out strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			out.WriteRune(r)
		}
	}
	return out.String()
}

func (b *builder) phone() string { return fmt.Sprintf("01422 %06d", 300000+b.rng.IntN(600000)) }

// withDistricts adds to a scheme's wards the postcode districts of those the demonstration's
// towns lie in, so that routing can confirm that a person's postcode is in the scheme's area
// (a ward name alone cannot be placed without its boundary; see linkwork.AreaCovers).
func withDistricts(wards []string) []string {
	out := slices.Clone(wards)
	for _, w := range wards {
		for _, t := range towns {
			if t.ward == w {
				out = append(out, strings.TrimSpace(t.district))
			}
		}
	}
	return out
}

func (b *builder) schemes() error {
	for i, s := range schemes {
		var ids []int64
		for _, part := range []struct {
			tax   string
			codes []string
		}{{linkwork.TaxonomyNeed, s.needs}, {linkwork.TaxonomyClientGroup, s.clients}} {
			more, err := b.termIDs(part.tax, part.codes...)
			if err != nil {
				return err
			}
			ids = append(ids, more...)
		}
		svc := &linkwork.Service{PlaceID: b.place.ID, OrganisationID: b.orgs[org(s.org)].ID, Kind: linkwork.KindScheme, Name: s.name,
			Description: s.description, Status: linkwork.StatusActive, Free: true, Languages: []string{"English"}, Areas: withDistricts(s.areas),
			TermIDs: ids, Email: "hello@" + slug(s.name) + ".example.org", Phone: b.phone(),
			Locations: []linkwork.Location{b.location(s.org, towns[i%len(towns)])},
			Contacts:  []linkwork.Contact{{Name: firstNames[i] + " " + lastNames[i+3], Title: "Scheme lead"}},
			Schedules: []linkwork.Schedule{{Freq: linkwork.Weekly, Days: weekdays, Opens: "09:00", Closes: "17:00", Description: "Office hours"}},
			Scheme: &linkwork.ConnectorScheme{Model: s.model, WhoCanRefer: s.refer, HowToRefer: s.how, FundingSource: s.funding,
				StaffFTE: s.fte, CaseloadLimit: s.caseload, WaitingWeeks: s.wait, ElectronicSystem: s.system, AssessmentTools: s.tools}}
		if err := b.svc.Directory.CreateService(b.ctx, svc); err != nil {
			return fmt.Errorf("scheme %s: %w", s.name, err)
		}
		if err := b.svc.Directory.VerifyService(b.ctx, svc.ID); err != nil {
			return err
		}
		b.schemeIDs = append(b.schemeIDs, svc.ID)
	}
	b.res.Schemes = len(b.schemeIDs)
	return nil
}

var weekdays = []time.Weekday{1, 2, 3, 4, 5}

var jobTitles = map[linkwork.SchemeModel]string{
	linkwork.ModelPCNLinkWorker: "Social prescribing link worker", linkwork.ModelHighIntensityUser: "High intensity user coach",
	linkwork.ModelHealthChampion: "Practice health champion", linkwork.ModelLocalAreaCoord: "Local area coordinator",
	linkwork.ModelHousingConnector: "Tenancy connector", linkwork.ModelPoliceConnector: "Police connector",
	linkwork.ModelCommunityNavigator: "Community navigator", linkwork.ModelHealthCoach: "Health and wellbeing coach",
}

// practitioners puts three people on every scheme; the demonstration link workers keep the
// first entries of the two practice schemes as their own.
func (b *builder) practitioners() error {
	own := map[int]string{0: "linkworker@example.org", 3: "linkworker2@example.org"}
	names := map[int]string{0: "Lee Linkworker", 3: "Sam Shah"}
	for i := 0; i < 3*len(schemes); i++ {
		s := schemes[i/3]
		name := firstNames[i%len(firstNames)] + " " + lastNames[(i*7)%len(lastNames)]
		if n, ok := names[i]; ok {
			name = n
		}
		p := &linkwork.Practitioner{PlaceID: b.place.ID, UserID: b.userIDs[own[i]], Name: name, JobTitle: jobTitles[s.model],
			OrganisationID: b.orgs[org(s.org)].ID, SchemeID: b.schemeIDs[i/3], Neighbourhoods: s.areas,
			Specialisms: []string{specialisms[i%len(specialisms)], specialisms[(i+5)%len(specialisms)]},
			Languages:   []string{"English"}, Email: strings.ReplaceAll(strings.ToLower(name), " ", ".") + "@example.org",
			Phone: b.phone(), Availability: []string{"Monday to Thursday", "Tuesday to Friday", "Monday, Wednesday and Friday"}[i%3]}
		if i%4 == 1 {
			p.Languages = append(p.Languages, languages[i%len(languages)])
		}
		if err := b.svc.Practitioners.CreatePractitioner(b.ctx, p); err != nil {
			return fmt.Errorf("practitioner %s: %w", name, err)
		}
	}
	b.res.Practitioners = 3 * len(schemes)
	return nil
}

// offers makes the community offers: each kind of activity in each town, then again at a
// second venue, until there are Offers of them.
func (b *builder) offers() error {
	n := 0
	for round := 0; n < Offers; round++ {
		for _, a := range activities {
			for ti, t := range towns {
				if n == Offers {
					break
				}
				if err := b.offer(a, t, ti, round); err != nil {
					return err
				}
				n++
			}
		}
	}
	b.res.Offers = n
	return nil
}

func (b *builder) offer(a activity, t town, ti, round int) error {
	venue := t.name + " " + venues[(ti+round)%len(venues)]
	name := a.name + ", " + t.name
	if round > 0 {
		name = a.name + ", " + venue
	}
	runBy := a.orgs[(ti+round)%len(a.orgs)]
	var ids []int64
	for _, part := range []struct {
		tax   string
		codes []string
	}{{linkwork.TaxonomyNeed, a.needs}, {linkwork.TaxonomyBuildingBlock, a.blocks}, {linkwork.TaxonomyFiveWays, a.fiveWays},
		{linkwork.TaxonomyClientGroup, a.clients}, {linkwork.TaxonomyAccessibility, a.access}} {
		more, err := b.termIDs(part.tax, part.codes...)
		if err != nil {
			return err
		}
		ids = append(ids, more...)
	}
	sched := linkwork.Schedule{Freq: linkwork.Weekly, Days: []time.Weekday{time.Weekday(a.day[b.rng.IntN(len(a.day))])},
		Opens: a.opens, Closes: a.closes}
	if b.rng.IntN(6) == 0 {
		sched.Freq, sched.Ordinal = linkwork.Monthly, 1+b.rng.IntN(4)
	}
	status := linkwork.StatusActive
	switch b.rng.IntN(40) {
	case 0:
		status = linkwork.StatusTemporarilyClosed
	case 1:
		status = linkwork.StatusInactive
	}
	svc := &linkwork.Service{PlaceID: b.place.ID, OrganisationID: b.orgs[org(runBy)].ID, Kind: linkwork.KindActivity, Name: name,
		Description: a.description, Status: status, Free: a.free, Fees: a.fees, Languages: []string{"English"},
		Areas: []string{t.ward}, TermIDs: ids, Schedules: []linkwork.Schedule{sched},
		Locations: []linkwork.Location{b.location(venue, t)}, Email: "hello@" + slug(runBy) + ".example.org", Phone: b.phone(),
		Contacts: []linkwork.Contact{{Name: firstNames[b.rng.IntN(len(firstNames))] + " " + lastNames[b.rng.IntN(len(lastNames))], Title: "Organiser"}}}
	if a.minAge > 0 {
		v := a.minAge
		svc.MinAge = &v
	}
	if a.maxAge > 0 {
		v := a.maxAge
		svc.MaxAge = &v
	}
	if err := b.svc.Directory.CreateService(b.ctx, svc); err != nil {
		return fmt.Errorf("offer %s: %w", name, err)
	}
	// Most entries were checked recently; the rest show up as needing it.
	if b.rng.IntN(10) < 7 {
		return b.svc.Directory.VerifyService(b.ctx, svc.ID)
	}
	return nil
}
