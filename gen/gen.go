// Package gen makes a realistic, fictional directory for benchmarks and load tests: given a
// seed and counts, the same organisations and services every time, with names, descriptions,
// taxonomy terms, schedules and ages like a real place's, and locations on real postcodes.
//
// It is not the demonstration place (`linkwork demo`), which is small and hand-written; this
// is large and made by rule, to measure how linkwork behaves at the size of a region.
package gen

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"time"

	"linkwork"
	"linkwork/sqldb"
)

// Postcode is a live postcode with its coordinates, where generated locations are put.
type Postcode struct {
	Postcode string
	Lat, Lng float64
	LSOA     string
}

// ReadPostcodes reads the live postcodes with coordinates from an ONS postcode lookup CSV
// (NSPL or ONSPD: columns pcds, lat, long, doterm, and lsoa11 or lsoa21).
func ReadPostcodes(r io.Reader) ([]Postcode, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("postcode lookup: %w", err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	lsoa, ok := col["lsoa21"]
	if !ok {
		lsoa, ok = col["lsoa11"]
	}
	for _, c := range []string{"pcds", "lat", "long", "doterm"} {
		if _, ok := col[c]; !ok {
			return nil, fmt.Errorf("postcode lookup: no %s column", c)
		}
	}
	var out []Postcode
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("postcode lookup: %w", err)
		}
		lat, err1 := strconv.ParseFloat(rec[col["lat"]], 64)
		lng, err2 := strconv.ParseFloat(rec[col["long"]], 64)
		// ONS gives 99.999999 for postcodes without a grid reference.
		if rec[col["doterm"]] != "" || err1 != nil || err2 != nil || lat > 90 {
			continue
		}
		p := Postcode{Postcode: rec[col["pcds"]], Lat: lat, Lng: lng}
		if ok {
			p.LSOA = rec[lsoa]
		}
		out = append(out, p)
	}
}

// ReadPostcodesFile reads a postcode lookup CSV file.
func ReadPostcodesFile(path string) ([]Postcode, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadPostcodes(f)
}

// Options says what to generate.
type Options struct {
	Seed      uint64
	Services  int
	Locations int // in all, spread over the services; at least one each when there are enough
	// Organisations defaults to one for every 250 services.
	Organisations int
	Postcodes     []Postcode
}

// Generator makes the directory, one service at a time, the same for the same options.
type Generator struct {
	opts  Options
	rng   *rand.Rand
	terms map[string]int64 // "taxonomy/code" → term ID
	orgs  []*linkwork.Organisation
	locs  []int // locations of each service
	next  int
}

// OrganisationNames returns n distinct organisation names with their sectors.
func OrganisationNames(seed uint64, n int) []linkwork.Organisation {
	rng := rand.New(rand.NewPCG(seed, 0x6f726773))
	seen := map[string]bool{}
	out := make([]linkwork.Organisation, 0, n)
	for len(out) < n {
		k := orgKinds[rng.IntN(len(orgKinds))]
		name := k.pattern
		name = strings.ReplaceAll(name, "{area}", areas[rng.IntN(len(areas))])
		name = strings.ReplaceAll(name, "{saint}", saints[rng.IntN(len(saints))])
		for i := 2; seen[strings.ToLower(name)]; i++ {
			name = fmt.Sprintf("%s (%d)", strings.TrimSuffix(name, fmt.Sprintf(" (%d)", i-1)), i)
		}
		seen[strings.ToLower(name)] = true
		out = append(out, linkwork.Organisation{Name: name, Sector: k.sector})
	}
	return out
}

// NewGenerator prepares to generate services for organisations and terms already stored.
// terms maps "taxonomy/code" (such as "need/loneliness") to the place's term IDs.
func NewGenerator(opts Options, orgs []*linkwork.Organisation, terms map[string]int64) (*Generator, error) {
	if len(opts.Postcodes) == 0 && opts.Locations > 0 {
		return nil, errors.New("gen: locations need postcodes")
	}
	if len(orgs) == 0 {
		return nil, errors.New("gen: services need organisations")
	}
	g := &Generator{opts: opts, rng: rand.New(rand.NewPCG(opts.Seed, 0x73657276)), terms: terms, orgs: orgs}
	// Every service gets Locations/Services locations, and a random remainder of them one more.
	g.locs = make([]int, opts.Services)
	if opts.Services > 0 {
		each, extra := opts.Locations/opts.Services, opts.Locations%opts.Services
		for i := range g.locs {
			g.locs[i] = each
		}
		for _, i := range g.rng.Perm(opts.Services)[:extra] {
			g.locs[i]++
		}
	}
	return g, nil
}

// Next returns up to n more services, none when all have been made.
func (g *Generator) Next(n int) []*linkwork.Service {
	var out []*linkwork.Service
	for ; n > 0 && g.next < g.opts.Services; n-- {
		out = append(out, g.service(g.locs[g.next]))
		g.next++
	}
	return out
}

func (g *Generator) pick(list []string) string { return list[g.rng.IntN(len(list))] }

func (g *Generator) chance(p float64) bool { return g.rng.Float64() < p }

// some returns up to n distinct items of list, at least min.
func (g *Generator) some(list []string, lo, hi int) []string {
	n := lo + g.rng.IntN(hi-lo+1)
	idx := g.rng.Perm(len(list))
	var out []string
	for _, i := range idx[:min(n, len(list))] {
		out = append(out, list[i])
	}
	return out
}

func (g *Generator) service(nLocs int) *linkwork.Service {
	a := &activities[g.rng.IntN(len(activities))]
	area := g.pick(areas)
	name := g.pick(a.names)
	switch g.rng.IntN(4) {
	case 0, 1:
		name = area + " " + name
	case 2:
		name = g.pick(adjectives) + " " + name
	default:
		name = name + " at " + g.pick(venues)
	}
	s := &linkwork.Service{
		OrganisationID: g.orgs[g.rng.IntN(len(g.orgs))].ID,
		Kind:           linkwork.KindActivity,
		Name:           name,
		Status:         linkwork.StatusActive,
		Free:           g.chance(a.free),
	}
	var desc []string
	for _, i := range g.rng.Perm(len(a.about))[:min(2, len(a.about))] {
		desc = append(desc, a.about[i])
	}
	desc = append(desc, g.some(generic, 1, 3)...)
	s.Description = strings.Join(desc, " ")
	if !s.Free {
		s.Fees = fmt.Sprintf("£%d a session", 1+g.rng.IntN(6))
	}
	switch r := g.rng.Float64(); {
	case r < 0.92:
	case r < 0.96:
		s.Status = linkwork.StatusTemporarilyClosed
	case r < 0.99:
		s.Status = linkwork.StatusInactive
	default:
		s.Status = linkwork.StatusDefunct
	}
	if a.minAge >= 0 {
		lo := a.minAge
		s.MinAge = &lo
	}
	if a.maxAge >= 0 {
		hi := a.maxAge
		s.MaxAge = &hi
	}
	if a.scheme != "" {
		s.Kind = linkwork.KindScheme
		s.Scheme = &linkwork.ConnectorScheme{Model: a.scheme, WhoCanRefer: []linkwork.ReferrerType{linkwork.ReferrerGP, linkwork.ReferrerSelf},
			HowToRefer: "Ask your GP practice, or refer yourself by phone.", StaffFTE: float64(1 + g.rng.IntN(8)),
			CaseloadLimit: 200 + 10*g.rng.IntN(6), WaitingWeeks: g.rng.IntN(8), AssessmentTools: []string{"ONS4"}}
	}
	var keys []string
	for _, need := range a.needs {
		keys = append(keys, "need/"+need)
	}
	for _, need := range g.some(otherNeeds, 0, 1) {
		keys = append(keys, "need/"+need)
	}
	for _, b := range a.blocks {
		keys = append(keys, "building_block/"+b)
	}
	for _, w := range a.ways {
		keys = append(keys, "five_ways/"+w)
	}
	for _, c := range g.some(clientGroups, 0, 2) {
		keys = append(keys, "client_group/"+c)
	}
	for _, c := range g.some(accessibility, 0, 3) {
		keys = append(keys, "accessibility/"+c)
	}
	for _, k := range keys {
		if id, ok := g.terms[k]; ok {
			s.TermIDs = append(s.TermIDs, id)
		}
	}
	s.Areas = g.some(areas, 0, 2)
	for range 1 + g.rng.IntN(2) {
		s.Schedules = append(s.Schedules, g.schedule())
	}
	for range nLocs {
		p := g.opts.Postcodes[g.rng.IntN(len(g.opts.Postcodes))]
		lat, lng := p.Lat, p.Lng
		s.Locations = append(s.Locations, linkwork.Location{
			Name: g.pick(venues), Address1: fmt.Sprintf("%d %s", 1+g.rng.IntN(200), g.pick(streets)),
			Town: town(p.Postcode), Postcode: p.Postcode, Lat: &lat, Lng: &lng, LSOA: p.LSOA})
	}
	return s
}

func (g *Generator) schedule() linkwork.Schedule {
	opens := 9*60 + 30*g.rng.IntN(21) // 09:00 to 19:00
	closes := min(opens+60+30*g.rng.IntN(5), 23*60)
	sc := linkwork.Schedule{Freq: linkwork.Weekly, Opens: linkwork.FormatClock(opens), Closes: linkwork.FormatClock(closes)}
	for _, d := range g.rng.Perm(7)[:1+g.rng.IntN(2)] {
		sc.Days = append(sc.Days, time.Weekday(d))
	}
	if g.chance(0.15) {
		sc.Freq, sc.Days, sc.Ordinal = linkwork.Monthly, sc.Days[:1], []int{1, 2, 3, 4, -1}[g.rng.IntN(5)]
	}
	return sc
}

// town names a postcode's post town from its district.
func town(postcode string) string {
	out, _, _ := strings.Cut(postcode, " ")
	switch out {
	case "HX5":
		return "Elland"
	case "HX6":
		return "Sowerby Bridge"
	case "HX7":
		return "Hebden Bridge"
	}
	return "Halifax"
}

// Directory is a generated directory stored in a database.
type Directory struct {
	Place         *linkwork.Place
	Organisations int
	Services      int
	Locations     int
	Terms         map[string]int64
	// Orgs are the organisations; Schemes the running connector schemes and Offers the
	// running community offers, each in the order made (Load fills these in; Find does not).
	Orgs    []*linkwork.Organisation
	Schemes []*linkwork.Service
	Offers  []*linkwork.Service
}

// Load generates a directory into db: a place named for the seed, its organisations, the
// postcodes (so that searches near them work), and the services with their locations, a
// chunk at a time through sqldb's bulk insert; then it prepares the search index. progress,
// if not nil, hears how many services are stored so far.
func Load(ctx context.Context, db *sqldb.DB, opts Options, progress func(done int)) (*Directory, error) {
	svc := db.Services()
	place := &linkwork.Place{Name: fmt.Sprintf("Generated %d", opts.Seed)}
	if err := svc.Places.CreatePlace(ctx, place); err != nil {
		return nil, err
	}
	if _, err := svc.Geography.ImportPostcodes(ctx, func(yield func(*linkwork.PostcodeInfo, error) bool) {
		for _, p := range opts.Postcodes {
			if !yield(&linkwork.PostcodeInfo{Postcode: p.Postcode, Lat: p.Lat, Lng: p.Lng, LSOA: p.LSOA}, nil) {
				return
			}
		}
	}, linkwork.ImportOptions{}); err != nil {
		return nil, err
	}
	n := opts.Organisations
	if n == 0 {
		n = max(1, opts.Services/250)
	}
	var orgs []*linkwork.Organisation
	for _, o := range OrganisationNames(opts.Seed, n) {
		o.PlaceID = place.ID
		if err := svc.Organisations.CreateOrganisation(ctx, &o); err != nil {
			return nil, err
		}
		orgs = append(orgs, &o)
	}
	taxes, err := svc.Taxonomies.ListTaxonomies(ctx, place.ID)
	if err != nil {
		return nil, err
	}
	terms := map[string]int64{}
	for _, t := range taxes {
		for _, term := range t.Terms {
			terms[t.Code+"/"+term.Code] = term.ID
		}
	}
	g, err := NewGenerator(opts, orgs, terms)
	if err != nil {
		return nil, err
	}
	done, locs := 0, 0
	var schemes, offers []*linkwork.Service
	for {
		part := g.Next(2000)
		if len(part) == 0 {
			break
		}
		if err := db.BulkInsertServices(ctx, place.ID, part); err != nil {
			return nil, err
		}
		done += len(part)
		for _, s := range part {
			locs += len(s.Locations)
			if s.Status != linkwork.StatusActive {
				continue
			}
			// Kept for casework (people.go) without their lists, which it does not need.
			ref := &linkwork.Service{ID: s.ID, PlaceID: s.PlaceID, OrganisationID: s.OrganisationID, Kind: s.Kind, Name: s.Name,
				Status: s.Status, Scheme: s.Scheme}
			if s.Kind == linkwork.KindScheme {
				schemes = append(schemes, ref)
			} else {
				offers = append(offers, ref)
			}
		}
		if progress != nil {
			progress(done)
		}
	}
	if err := sqldb.NewSearchService(db).OptimizeSearch(ctx); err != nil {
		return nil, err
	}
	return &Directory{Place: place, Organisations: len(orgs), Services: done, Locations: locs, Terms: terms, Orgs: orgs,
		Schemes: schemes, Offers: offers}, nil
}

// Find returns the directory that Load made with a seed in db.
func Find(ctx context.Context, db *sqldb.DB, seed uint64) (*Directory, error) {
	svc := db.Services()
	place, err := svc.Places.FindPlaceByName(ctx, fmt.Sprintf("Generated %d", seed))
	if err != nil {
		return nil, err
	}
	taxes, err := svc.Taxonomies.ListTaxonomies(ctx, place.ID)
	if err != nil {
		return nil, err
	}
	d := &Directory{Place: place, Terms: map[string]int64{}}
	for _, t := range taxes {
		for _, term := range t.Terms {
			d.Terms[t.Code+"/"+term.Code] = term.ID
		}
	}
	if _, d.Services, err = svc.Directory.ListServices(ctx, linkwork.ServiceFilter{PlaceID: place.ID, Page: linkwork.Page{Size: 1}}); err != nil {
		return nil, err
	}
	if _, d.Organisations, err = svc.Organisations.ListOrganisations(ctx, linkwork.OrganisationFilter{PlaceID: place.ID,
		Page: linkwork.Page{Size: 1}}); err != nil {
		return nil, err
	}
	return d, nil
}
