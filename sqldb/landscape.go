package sqldb

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"linkwork"
)

// LandscapeService reads what a place's landscape needs (linkwork.AnalyseLandscape does the
// analysis) and keeps the gaps the place has chosen to fund (funding.go).
type LandscapeService struct {
	db *DB
	// kept holds the directory part of the input of the places viewed last, and flights the
	// readings of it in progress, by place (landscape_kept.go); KeepCurrent reads the kept
	// ones again when the directory changes (landscape_refresh.go).
	mu      sync.Mutex
	kept    map[int64]*landscapeDirectory
	flights map[int64]*landscapeFlight
	tick    int64 // counts the views, to know which place was viewed least recently
	// readings counts the directories read, for the tests and benchmarks.
	readings atomic.Int64
	// beforeRead, when set (by tests only), is called as a reading of a place's directory
	// starts, before it reads anything.
	beforeRead func(placeID, version int64)
}

// NewLandscapeService returns the landscape store of db.
func NewLandscapeService(db *DB) *LandscapeService {
	return &LandscapeService{db: db, kept: map[int64]*landscapeDirectory{}, flights: map[int64]*landscapeFlight{}}
}

var _ linkwork.LandscapeStore = (*LandscapeService)(nil)

// landscapeTaxonomies are the taxonomies the landscape breaks coverage down by.
var landscapeTaxonomies = []string{linkwork.TaxonomyNeed, linkwork.TaxonomyClientGroup, linkwork.TaxonomyBuildingBlock}

// landscapeTaxonomyIn is the SQL list of landscapeTaxonomies, written into the statements so
// that they stay the same text for the statement cache.
const landscapeTaxonomyIn = "('" + linkwork.TaxonomyNeed + "', '" + linkwork.TaxonomyClientGroup + "', '" + linkwork.TaxonomyBuildingBlock + "')"

// localAuthorityPercent is the share of a place's venues (with known postcodes) that a local
// authority must hold for its LSOAs to be among the place's neighbourhoods: enough that a
// venue or two over a boundary does not bring in the whole neighbouring authority.
const localAuthorityPercent = 10

// demandYears is how far back referrals count as demand.
const demandYears = 1

// Reading a region's input is a million rows or so, most of the time spent turning rows into
// values in Go (with SQLite, in the database engine too, which is Go as well). The large
// reads are therefore split into shards of the place's service IDs and run a few at a time,
// so that every core works on them.
const (
	// landscapeShardServices is how many services make a shard worth its own queries.
	landscapeShardServices = 12_500
	// landscapeMaxShards bounds the shards of each large read.
	landscapeMaxShards = 8
	// landscapeParallel bounds the queries run at once, leaving the connection pools room
	// for other requests (SQLite's holds 8 connections). More than the cores helps
	// PostgreSQL, whose server works while linkwork reads the rows.
	landscapeParallel = 4
	// postcodeChunk is how many postcodes one lookup asks for. Every lookup has exactly this
	// many parameters (the last repeats a postcode to fill it), so that it is one statement
	// for the statement cache.
	postcodeChunk = 2000
	// capacityChunk is how many schemes' capacity is counted at a time: each is three
	// parameters of fillCapacity's query, and SQLite takes at most 32,766.
	capacityChunk = 2000
)

// landscapeTerm is a term of one of the landscape's taxonomies.
type landscapeTerm struct {
	taxonomy string
	code     string
}

// idRange is a range of service IDs, both ends included.
type idRange struct{ lo, hi int64 }

// tasks runs functions at most landscapeParallel at a time, and keeps the first error; once
// there is one, tasks not yet started are skipped.
type tasks struct {
	sem chan struct{}
	wg  sync.WaitGroup
	mu  sync.Mutex
	err error
}

func newTasks() *tasks {
	return &tasks{sem: make(chan struct{}, landscapeParallel)}
}

func (t *tasks) run(fn func() error) {
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		t.sem <- struct{}{}
		defer func() { <-t.sem }()
		t.mu.Lock()
		failed := t.err != nil
		t.mu.Unlock()
		if failed {
			return
		}
		if err := fn(); err != nil {
			t.mu.Lock()
			if t.err == nil {
				t.err = err
			}
			t.mu.Unlock()
		}
	}()
}

func (t *tasks) wait() error {
	t.wg.Wait()
	return t.err
}

// eachRowInto runs a query and scans each row into dest, the same variables every time (a
// row allocates nothing for them, where a row scanned into variables of its own allocates
// each), then calls fn to use them.
func eachRowInto(ctx context.Context, c conn, query string, args []any, dest []any, fn func() error) error {
	rows, err := c.query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		if err := fn(); err != nil {
			return err
		}
	}
	return rows.Err()
}

// landscapeDirectory is the part of a place's input that comes from the directory alone,
// read under a directory version: any change to the place, its organisations, taxonomies or
// services (with everything they list) moves the version on (migration 0006). It is shared
// by the inputs made from it and never changed, but for used (under the service's lock).
type landscapeDirectory struct {
	version   int64
	place     linkwork.Place
	terms     map[int64]landscapeTerm
	termNames map[string]map[string]string
	termOrder map[string][]string
	orgs      []linkwork.Organisation
	services  []linkwork.LandscapeService // by ID, without capacity
	venuesAt  map[string]int              // how many of the place's venues are at each postcode
	used      int64                       // when it was last viewed, in s.tick
}

// LandscapeInput gathers a place's neighbourhoods, services, organisations, terms, capacity
// and demand, in a fixed number of set-based queries for each shard of its services however
// large the place. The directory part (see directory) is read at once for all its services
// and kept until the directory changes (and read again then by KeepCurrent, where that
// runs, before the next view needs it); then, every time, the demand, the groups' open
// requests, the local authorities and LSOAs of the venues' and the people's postcodes, and
// the schemes' capacity, and last the live postcodes of the local authorities chosen, for
// the neighbourhoods.
//
// The services' lists (needs, areas, venues and so on) are shared between the inputs made
// from one reading of the directory and must not be changed; everything else is the
// caller's.
func (s *LandscapeService) LandscapeInput(ctx context.Context, placeID int64) (*linkwork.LandscapeInput, error) {
	db, c := s.db, s.db.reporting()
	// The version first: should the directory change while the rest is read, the directory
	// is kept under the older version and read again for the next view.
	var version int64
	if err := c.queryRow(ctx, "SELECT version FROM directory_version WHERE id = 1", nil, &version); err != nil {
		return nil, err
	}
	dir, err := s.directory(ctx, c, placeID, version)
	if err != nil {
		return nil, err
	}
	in := dir.input(db.Now())
	index := make(map[int64]int32, len(in.Services)) // service ID → its place in in.Services
	for i, sv := range in.Services {
		index[sv.ID] = int32(i)
	}

	// Where the venues are, the demand, and the schemes' capacity.
	wanted := make(map[string]*postcodePlace, len(dir.venuesAt))
	for pc, n := range dir.venuesAt {
		wanted[pc] = &postcodePlace{venues: n}
	}
	var demand []postcodeDemand
	t := newTasks()
	lookUpAll(ctx, c, t, wanted)
	t.run(func() (err error) {
		demand, err = landscapeDemand(ctx, c, placeID, db.Now().AddDate(-demandYears, 0, 0))
		return
	})
	t.run(func() (err error) {
		in.Requests, err = openGroupRequests(ctx, c, placeID)
		return
	})
	db.landscapeCapacity(ctx, c, t, placeID, in.Services)
	if err := t.wait(); err != nil {
		return nil, err
	}
	counts := venueCounts{byLA: map[string]int{}}
	for _, w := range wanted {
		if w.known {
			counts.known += w.venues
			counts.byLA[w.la] += w.venues
		}
	}

	// Where the people referred live (those not at venues' postcodes), and the
	// neighbourhoods.
	more := map[string]*postcodePlace{}
	for _, d := range demand {
		if wanted[d.postcode] == nil && more[d.postcode] == nil {
			more[d.postcode] = &postcodePlace{}
		}
	}
	t = newTasks()
	lookUpAll(ctx, c, t, more)
	t.run(func() (err error) {
		in.Neighbourhoods, err = neighbourhoods(ctx, c, chooseLocalAuthorities(counts))
		return
	})
	if err := t.wait(); err != nil {
		return nil, err
	}
	for _, d := range demand {
		w, term := wanted[d.postcode], dir.terms[d.term]
		if w == nil {
			w = more[d.postcode]
		}
		if w == nil || !w.known || w.lsoa == "" || term.taxonomy != linkwork.TaxonomyNeed {
			continue
		}
		if in.Demand[w.lsoa] == nil {
			in.Demand[w.lsoa] = map[string]int{}
		}
		in.Demand[w.lsoa][term.code] += d.n
	}
	return in, nil
}

// lookUpAll looks the postcodes up as tasks of t, a chunk at a time.
func lookUpAll(ctx context.Context, c conn, t *tasks, wanted map[string]*postcodePlace) {
	postcodes := slices.Sorted(func(yield func(string) bool) {
		for pc := range wanted {
			if !yield(pc) {
				return
			}
		}
	})
	for start := 0; start < len(postcodes); start += postcodeChunk {
		part := postcodes[start:min(len(postcodes), start+postcodeChunk)]
		t.run(func() error { return lookUpPostcodes(ctx, c, part, wanted) })
	}
}

// input makes a place's input from its directory: copies of the place, organisations,
// services and scheme details, for the caller to keep or change, sharing the services' lists.
func (d *landscapeDirectory) input(now time.Time) *linkwork.LandscapeInput {
	place := d.place
	in := &linkwork.LandscapeInput{Place: &place, Neighbourhoods: []*linkwork.Neighbourhood{},
		Organisations: make([]*linkwork.Organisation, len(d.orgs)), Services: make([]*linkwork.LandscapeService, len(d.services)),
		Terms: map[string]map[string]string{}, TermOrder: map[string][]string{}, Demand: map[string]map[string]int{},
		DirectoryVersion: d.version, ReadAt: now}
	for tax, names := range d.termNames {
		in.Terms[tax] = maps.Clone(names)
		in.TermOrder[tax] = slices.Clone(d.termOrder[tax])
	}
	orgs := slices.Clone(d.orgs)
	for i := range orgs {
		in.Organisations[i] = &orgs[i]
	}
	svcs := slices.Clone(d.services)
	for i := range svcs {
		if sc := svcs[i].Scheme; sc != nil {
			c := *sc
			svcs[i].Scheme = &c
		}
		in.Services[i] = &svcs[i]
	}
	return in
}

// readDirectory reads the directory part of a place's input: the place, its terms and
// organisations, and then at once, in shards, the services with their terms, areas, venues
// and scheme details.
func readDirectory(ctx context.Context, c conn, placeID, version int64) (*landscapeDirectory, error) {
	d := &landscapeDirectory{version: version, termNames: map[string]map[string]string{}, termOrder: map[string][]string{}}
	place, err := scanPlace(func(dest ...any) error {
		return c.queryRow(ctx, "SELECT "+placeColumns+" FROM places WHERE id = ?", []any{placeID}, dest...)
	})
	if err != nil {
		return nil, notFound(err, "Place")
	}
	d.place = *place
	if d.terms, err = landscapeTerms(ctx, c, placeID, d); err != nil {
		return nil, err
	}
	orgs := map[int64]*linkwork.Organisation{}
	if err := c.eachRow(ctx, "SELECT "+organisationColumns+" FROM organisations WHERE place_id = ? ORDER BY id", []any{placeID},
		func(scan func(...any) error) error {
			o, err := scanOrganisation(scan)
			if err == nil {
				d.orgs = append(d.orgs, *o)
				orgs[o.ID] = o
			}
			return err
		}); err != nil {
		return nil, err
	}
	// The span of the place's service IDs (two lookups in the index by place), and as many
	// services as it could hold: the place's, unless several places' services interleave.
	var lo, hi sql.NullInt64
	if err := c.queryRow(ctx, "SELECT MIN(id), MAX(id) FROM services WHERE place_id = ?", []any{placeID}, &lo, &hi); err != nil {
		return nil, err
	}
	count := 0
	if lo.Valid {
		count = int(hi.Int64 - lo.Int64 + 1)
	}
	shards := serviceShards(lo.Int64, hi.Int64, count)
	// Venues (two or three a service) are read in shards of their own IDs, the table's
	// order, within the span of the place's services.
	var locLo, locHi sql.NullInt64
	if err := c.queryRow(ctx, "SELECT MIN(id), MAX(id) FROM locations", nil, &locLo, &locHi); err != nil {
		return nil, err
	}
	var locShards []idRange
	if count > 0 && locLo.Valid {
		locShards = serviceShards(locLo.Int64, locHi.Int64, 2*count)
	}
	span := idRange{lo.Int64, hi.Int64}

	svcShards := make([][]linkwork.LandscapeService, len(shards))
	termShards := make([][]termServices, len(shards))
	areaShards := make([][]serviceArea, len(shards))
	venueShards := make([][]serviceVenue, len(locShards))
	var schemes map[int64]*schemeDetails
	t := newTasks()
	for i, r := range shards {
		t.run(func() (err error) { svcShards[i], err = landscapeServices(ctx, c, placeID, r, orgs); return })
		t.run(func() (err error) { termShards[i], err = landscapeServiceTerms(ctx, c, placeID, r); return })
		t.run(func() (err error) { areaShards[i], err = landscapeAreas(ctx, c, r); return })
	}
	for i, r := range locShards {
		t.run(func() (err error) { venueShards[i], err = landscapeVenues(ctx, c, r, span); return })
	}
	t.run(func() (err error) { schemes, err = landscapeSchemes(ctx, c, placeID); return })
	if err := t.wait(); err != nil {
		return nil, err
	}
	d.services = slices.Concat(svcShards...)
	services := make([]*linkwork.LandscapeService, len(d.services))
	index := make(map[int64]int32, len(d.services)) // service ID → its place in services
	for i := range d.services {
		sv := &d.services[i]
		services[i], index[sv.ID] = sv, int32(i)
		if sd := schemes[sv.ID]; sd != nil {
			sv.Scheme = sd.scheme
			if sv.Email == "" {
				sv.Email = sd.email
			}
			if sv.Phone == "" {
				sv.Phone = sd.phone
			}
		}
	}
	if err := addServiceTerms(slices.Concat(termShards...), d.terms, services, index); err != nil {
		return nil, err
	}
	addAreas(slices.Concat(areaShards...), services, index)
	d.venuesAt = addVenues(slices.Concat(venueShards...), services, index)
	return d, nil
}

// serviceShards splits the range of a place's service IDs into shards of about
// landscapeShardServices services each.
func serviceShards(lo, hi int64, count int) []idRange {
	n := min(landscapeMaxShards, max(1, (count+landscapeShardServices-1)/landscapeShardServices))
	if count == 0 {
		return nil
	}
	out := make([]idRange, 0, n)
	step := (hi - lo + 1 + int64(n) - 1) / int64(n)
	for start := lo; start <= hi; start += step {
		out = append(out, idRange{start, min(hi, start+step-1)})
	}
	return out
}

// landscapeTerms reads the terms of the place's need, client group and building block
// taxonomies into d, and returns them by ID. Terms are in the order they were added, as
// the taxonomy lists them.
func landscapeTerms(ctx context.Context, c conn, placeID int64, d *landscapeDirectory) (map[int64]landscapeTerm, error) {
	for _, t := range landscapeTaxonomies {
		d.termNames[t], d.termOrder[t] = map[string]string{}, []string{}
	}
	terms := map[int64]landscapeTerm{}
	err := c.eachRow(ctx, `SELECT t.code, tt.id, tt.code, tt.name FROM taxonomy_terms tt JOIN taxonomies t ON t.id = tt.taxonomy_id
		WHERE t.place_id = ? AND t.code IN `+landscapeTaxonomyIn+` ORDER BY tt.id`, []any{placeID}, func(scan func(...any) error) error {
		var tax, code, name string
		var id int64
		if err := scan(&tax, &id, &code, &name); err != nil {
			return err
		}
		terms[id] = landscapeTerm{taxonomy: tax, code: code}
		d.termNames[tax][code] = name
		d.termOrder[tax] = append(d.termOrder[tax], code)
		return nil
	})
	return terms, err
}

// landscapeServices reads a shard of the place's services, of every kind and status, by ID,
// with their organisations. The rows are read in the order of the table, which is by ID (the
// + keeps SQLite from reading them through the index by place instead, a lookup a row).
func landscapeServices(ctx context.Context, c conn, placeID int64, r idRange, orgs map[int64]*linkwork.Organisation) ([]linkwork.LandscapeService, error) {
	var out []linkwork.LandscapeService
	var sv linkwork.LandscapeService
	var kind, status int
	err := eachRowInto(ctx, c, `SELECT id, name, `+kindIndex+`, `+statusIndex+`, organisation_id, email, phone FROM services
		WHERE id BETWEEN ? AND ? AND +place_id = ? ORDER BY id`, []any{r.lo, r.hi, placeID},
		[]any{&sv.ID, &sv.Name, &kind, &status, &sv.OrganisationID, &sv.Email, &sv.Phone}, func() error {
			s := sv
			s.Kind, s.Status = serviceKinds[kind], linkwork.Statuses[status]
			s.Areas, s.Needs, s.ClientGroups, s.BuildingBlocks, s.Venues = []string{}, []string{}, []string{}, []string{},
				[]linkwork.LandscapeVenue{}
			if o := orgs[s.OrganisationID]; o != nil {
				s.OrganisationName, s.Sector = o.Name, o.Sector
			}
			out = append(out, s)
			return nil
		})
	return out, err
}

// A service's kind and status are read as their places in these lists, small numbers that
// cost less to read than a string each for a hundred thousand services. The tables' checks
// allow no others.
var (
	serviceKinds = []linkwork.ServiceKind{linkwork.KindActivity, linkwork.KindScheme}
	kindIndex    = caseIndex("kind", serviceKinds)
	statusIndex  = caseIndex("status", linkwork.Statuses)
)

// caseIndex is SQL giving the place of a column's value in values.
func caseIndex[T ~string](column string, values []T) string {
	var b strings.Builder
	b.WriteString("CASE " + column)
	for i, v := range values {
		fmt.Fprintf(&b, " WHEN '%s' THEN %d", string(v), i)
	}
	return b.String() + " END"
}

// schemeDetails is a connector scheme's details, and the email address and phone number of
// its first contact giving each, for a scheme without its own.
type schemeDetails struct {
	scheme       *linkwork.ConnectorScheme
	email, phone string
}

// landscapeSchemes reads the details of the place's connector schemes.
func landscapeSchemes(ctx context.Context, c conn, placeID int64) (map[int64]*schemeDetails, error) {
	out := map[int64]*schemeDetails{}
	err := c.eachRow(ctx, `SELECT cs.service_id, cs.model, cs.who_can_refer, cs.how_to_refer, cs.funding_source, cs.staff_fte,
		cs.caseload_limit, cs.waiting_weeks, cs.electronic_system, cs.assessment_tools
		FROM services s JOIN connector_schemes cs ON cs.service_id = s.id WHERE s.place_id = ? AND s.kind = 'connector_scheme'`,
		[]any{placeID}, func(scan func(...any) error) error {
			var id int64
			var model, refer, tools string
			sc := &linkwork.ConnectorScheme{WhoCanRefer: []linkwork.ReferrerType{}}
			if err := scan(&id, &model, &refer, &sc.HowToRefer, &sc.FundingSource, &sc.StaffFTE, &sc.CaseloadLimit, &sc.WaitingWeeks,
				&sc.ElectronicSystem, &tools); err != nil {
				return err
			}
			sc.Model, sc.AssessmentTools = linkwork.SchemeModel(model), splitList(tools)
			for _, r := range splitList(refer) {
				sc.WhoCanRefer = append(sc.WhoCanRefer, linkwork.ReferrerType(r))
			}
			out[id] = &schemeDetails{scheme: sc}
			return nil
		})
	if err != nil {
		return nil, err
	}
	// Overlapping schemes are shown with the contacts of each: a scheme with no email or
	// phone of its own is reached through the first of its contacts that gives one.
	err = c.eachRow(ctx, `SELECT ct.service_id, ct.email, ct.phone FROM services s JOIN contacts ct ON ct.service_id = s.id
		WHERE s.place_id = ? AND s.kind = 'connector_scheme' AND (s.email = '' OR s.phone = '') AND (ct.email <> '' OR ct.phone <> '')
		ORDER BY ct.service_id, ct.position`, []any{placeID}, func(scan func(...any) error) error {
		var id int64
		var email, phone string
		if err := scan(&id, &email, &phone); err != nil {
			return err
		}
		if d := out[id]; d != nil {
			if d.email == "" {
				d.email = email
			}
			if d.phone == "" {
				d.phone = phone
			}
		}
		return nil
	})
	return out, err
}

// termServices is the services of a shard that have a term.
type termServices struct {
	term     int64
	services string // their IDs, separated by commas
}

// landscapeServiceTerms reads which services of a shard have each of the landscape's terms,
// from the index of services by term: a row a term, listing its services, rather than a row
// a service and term (half a million in a region). Every service with one of the place's
// terms is the place's.
func landscapeServiceTerms(ctx context.Context, c conn, placeID int64, r idRange) ([]termServices, error) {
	var out []termServices
	err := c.eachRow(ctx, `SELECT st.term_id, string_agg(CAST(st.service_id AS TEXT), ',') FROM service_terms st
		WHERE st.service_id BETWEEN ? AND ? AND st.term_id IN (SELECT tt.id FROM taxonomy_terms tt
			JOIN taxonomies t ON t.id = tt.taxonomy_id WHERE t.place_id = ? AND t.code IN `+landscapeTaxonomyIn+`)
		GROUP BY st.term_id`, []any{r.lo, r.hi, placeID}, func(scan func(...any) error) error {
		var ts termServices
		if err := scan(&ts.term, &ts.services); err != nil {
			return err
		}
		out = append(out, ts)
		return nil
	})
	return out, err
}

// addServiceTerms gives services their need, client group and building block codes. Terms
// are taken in the order of their IDs, which is the taxonomies' order, so each service's
// codes come in that order. The codes of all the services share one array, counted first.
func addServiceTerms(rows []termServices, terms map[int64]landscapeTerm, services []*linkwork.LandscapeService, index map[int64]int32) error {
	slices.SortStableFunc(rows, func(a, b termServices) int { return cmp.Compare(a.term, b.term) })
	taxonomy := map[string]int{linkwork.TaxonomyNeed: 0, linkwork.TaxonomyClientGroup: 1, linkwork.TaxonomyBuildingBlock: 2}
	counts := make([]int32, 3*len(services))
	hits := make([][]int32, len(rows)) // the services of each row, by their places
	total := 0
	for ri, r := range rows {
		k, ok := taxonomy[terms[r.term].taxonomy]
		if !ok {
			continue
		}
		for ids := r.services; ids != ""; {
			var id string
			id, ids, _ = strings.Cut(ids, ",")
			n, err := strconv.ParseInt(id, 10, 64)
			if err != nil {
				return fmt.Errorf("service ID %q of term %d: %w", id, r.term, err)
			}
			if i, ok := index[n]; ok {
				hits[ri] = append(hits[ri], i)
				counts[3*int(i)+k]++
				total++
			}
		}
	}
	codes, at := make([]string, total), 0
	for i, sv := range services {
		lists := [3]*[]string{&sv.Needs, &sv.ClientGroups, &sv.BuildingBlocks}
		for k, list := range lists {
			if n := int(counts[3*i+k]); n > 0 {
				*list, at = codes[at:at:at+n], at+n
			}
		}
	}
	for ri, r := range rows {
		t := terms[r.term]
		for _, i := range hits[ri] {
			sv := services[i]
			switch t.taxonomy {
			case linkwork.TaxonomyNeed:
				sv.Needs = append(sv.Needs, t.code)
			case linkwork.TaxonomyClientGroup:
				sv.ClientGroups = append(sv.ClientGroups, t.code)
			case linkwork.TaxonomyBuildingBlock:
				sv.BuildingBlocks = append(sv.BuildingBlocks, t.code)
			}
		}
	}
	return nil
}

// serviceArea is an area a service lists.
type serviceArea struct {
	service int64
	name    string
}

// landscapeAreas reads the areas of a shard's services, in the order they list them (the
// order of the table's key); those of other places' services in the range are dropped later.
func landscapeAreas(ctx context.Context, c conn, r idRange) ([]serviceArea, error) {
	var out []serviceArea
	var a serviceArea
	err := eachRowInto(ctx, c, `SELECT service_id, name FROM service_areas WHERE service_id BETWEEN ? AND ?
		ORDER BY service_id, position`, []any{r.lo, r.hi}, []any{&a.service, &a.name}, func() error {
		out = append(out, a)
		return nil
	})
	return out, err
}

// addAreas gives services their areas, sharing one array.
func addAreas(rows []serviceArea, services []*linkwork.LandscapeService, index map[int64]int32) {
	names := make([]string, len(rows))
	for start := 0; start < len(rows); {
		end := start + 1
		for end < len(rows) && rows[end].service == rows[start].service {
			end++
		}
		if i, ok := index[rows[start].service]; ok {
			for k := start; k < end; k++ {
				names[k] = rows[k].name
			}
			services[i].Areas = names[start:end:end]
		}
		start = end
	}
}

// serviceVenue is a venue of a service, at its position in the service's list.
type serviceVenue struct {
	service  int64
	position int
	venue    linkwork.LandscapeVenue
}

// landscapeVenues reads the venues with IDs in a range of the services with IDs in a span,
// in the order of their IDs, named by their names or, without one, their first address
// lines; those of other places' services in the span are dropped later. The table is read in
// its own order (the + keeps SQLite from reaching each venue through the index of venues by
// service instead, a lookup a venue).
func landscapeVenues(ctx context.Context, c conn, r, span idRange) ([]serviceVenue, error) {
	var out []serviceVenue
	var v serviceVenue
	var lat, lng sql.NullFloat64
	err := eachRowInto(ctx, c, `SELECT service_id, position, CASE WHEN name <> '' THEN name ELSE address_1 END, postcode, lat, lng
		FROM locations WHERE id BETWEEN ? AND ? AND +service_id BETWEEN ? AND ? ORDER BY id`, []any{r.lo, r.hi, span.lo, span.hi},
		[]any{&v.service, &v.position, &v.venue.Name, &v.venue.Postcode, &lat, &lng}, func() error {
			v.venue.Lat, v.venue.Lng = 0, 0
			if lat.Valid && lng.Valid {
				v.venue.Lat, v.venue.Lng = lat.Float64, lng.Float64
			}
			out = append(out, v)
			return nil
		})
	return out, err
}

// postcodePlace is where a postcode is, from the postcode lookup, and how many of the place's
// venues are at it.
type postcodePlace struct {
	known    bool // the lookup has it
	lsoa, la string
	venues   int
}

// addVenues gives services their venues in the order they list them, sharing one array, and
// returns how many are at each postcode.
func addVenues(rows []serviceVenue, services []*linkwork.LandscapeService, index map[int64]int32) map[string]int {
	// In the order of their IDs, venues are in the order of their services' lists when the
	// services were stored in turn (as a bulk load stores them); a service edited later has
	// venues with later IDs, and then they are sorted.
	byService := func(a, b serviceVenue) int {
		if a.service != b.service {
			return cmp.Compare(a.service, b.service)
		}
		return cmp.Compare(a.position, b.position)
	}
	if !slices.IsSortedFunc(rows, byService) {
		slices.SortFunc(rows, byService)
	}
	venues, at := make([]linkwork.LandscapeVenue, len(rows)), map[string]int{}
	for start := 0; start < len(rows); {
		end := start + 1
		for end < len(rows) && rows[end].service == rows[start].service {
			end++
		}
		if i, ok := index[rows[start].service]; ok {
			for k := start; k < end; k++ {
				venues[k] = rows[k].venue
				at[rows[k].venue.Postcode]++
			}
			services[i].Venues = venues[start:end:end]
		}
		start = end
	}
	return at
}

// lookUpPostcodes fills in the LSOA and local authority of some postcodes from the lookup.
// Each goroutine looks up postcodes of its own, so the map is only read.
func lookUpPostcodes(ctx context.Context, c conn, postcodes []string, wanted map[string]*postcodePlace) error {
	args := make([]any, postcodeChunk)
	for i := range args {
		args[i] = postcodes[min(i, len(postcodes)-1)]
	}
	var pc, lsoa, la string
	return eachRowInto(ctx, c, "SELECT postcode, lsoa, local_authority FROM postcodes WHERE postcode IN "+placeholders(postcodeChunk),
		args, []any{&pc, &lsoa, &la}, func() error {
			if w := wanted[pc]; w != nil {
				w.known, w.lsoa, w.la = true, lsoa, la
			}
			return nil
		})
}

// venueCounts counts a place's venues whose postcodes are in the postcode lookup, by the
// postcode's local authority ("" where the lookup gives none).
type venueCounts struct {
	known int
	byLA  map[string]int
}

// chooseLocalAuthorities returns the local authorities holding at least
// localAuthorityPercent of the venues with known postcodes, by code.
func chooseLocalAuthorities(v venueCounts) []string {
	var out []string
	for la, n := range v.byLA {
		if la != "" && n*100 >= localAuthorityPercent*v.known {
			out = append(out, la)
		}
	}
	slices.Sort(out)
	return out
}

// neighbourhoods returns the LSOAs with live postcodes in the local authorities, by code,
// with their names and deprivation where the lsoas table has them (the code and decile 0
// where not), centred on the mean of their live postcodes and standing for them by the
// live postcode nearest that centre (the nearer, then the first in order, of two equally
// near), whose ward and local authority they take. The postcodes are read from the index
// of live postcodes by local authority alone (migration 0013).
func neighbourhoods(ctx context.Context, c conn, las []string) ([]*linkwork.Neighbourhood, error) {
	out := []*linkwork.Neighbourhood{}
	if len(las) == 0 {
		return out, nil
	}
	type livePostcode struct {
		postcode, ward, la string
		lat, lng           float64
	}
	byLSOA := map[string][]livePostcode{}
	var lsoa string
	var p livePostcode
	err := eachRowInto(ctx, c, `SELECT lsoa, postcode, lat, lng, ward, local_authority FROM postcodes
		WHERE local_authority IN `+placeholders(len(las))+` AND terminated_on IS NULL AND lsoa <> ''`, anys(las),
		[]any{&lsoa, &p.postcode, &p.lat, &p.lng, &p.ward, &p.la}, func() error {
			byLSOA[lsoa] = append(byLSOA[lsoa], p)
			return nil
		})
	if err != nil {
		return nil, err
	}
	type lsoaRow struct {
		name, la, laName string
		decile           int
	}
	lsoas := map[string]lsoaRow{}
	codes := slices.Sorted(func(yield func(string) bool) {
		for code := range byLSOA {
			if !yield(code) {
				return
			}
		}
	})
	t := newTasks()
	var mu sync.Mutex
	for start := 0; start < len(codes); start += postcodeChunk {
		part := codes[start:min(len(codes), start+postcodeChunk)]
		args := make([]any, postcodeChunk)
		for i := range args {
			args[i] = part[min(i, len(part)-1)]
		}
		t.run(func() error {
			return c.eachRow(ctx, `SELECT code, name, local_authority_code, local_authority_name, COALESCE(imd_decile, 0) FROM lsoas
				WHERE code IN `+placeholders(postcodeChunk), args, func(scan func(...any) error) error {
				var code string
				var r lsoaRow
				if err := scan(&code, &r.name, &r.la, &r.laName, &r.decile); err != nil {
					return err
				}
				mu.Lock()
				lsoas[code] = r
				mu.Unlock()
				return nil
			})
		})
	}
	if err := t.wait(); err != nil {
		return nil, err
	}
	// A local authority is named as the lsoas table names it for any of its LSOAs, so that
	// an LSOA missing from the table still has its authority's name.
	laNames := map[string]string{}
	for _, r := range lsoas {
		if r.laName != "" && (laNames[r.la] == "" || r.laName < laNames[r.la]) {
			laNames[r.la] = r.laName
		}
	}
	for _, code := range codes {
		ps := byLSOA[code]
		n := &linkwork.Neighbourhood{Code: code, Name: code}
		for _, p := range ps {
			n.Lat += p.lat
			n.Lng += p.lng
		}
		n.Lat, n.Lng = n.Lat/float64(len(ps)), n.Lng/float64(len(ps))
		best, bestKm := -1, 0.0
		for i, p := range ps {
			km := linkwork.DistanceKm(n.Lat, n.Lng, p.lat, p.lng)
			if best < 0 || km < bestKm || km == bestKm && p.postcode < ps[best].postcode {
				best, bestKm = i, km
			}
		}
		n.Postcode, n.Ward, n.LocalAuthorityCode = ps[best].postcode, ps[best].ward, ps[best].la
		n.LocalAuthorityName = laNames[n.LocalAuthorityCode]
		if r, ok := lsoas[code]; ok {
			n.Name, n.IMDDecile = r.name, r.decile
		}
		out = append(out, n)
	}
	return out, nil
}

// postcodeDemand counts referrals from a postcode with a term.
type postcodeDemand struct {
	postcode string
	term     int64
	n        int
}

// landscapeDemand counts the place's referrals received since a time by the person's
// postcode and the needs the referrer gave (the caller finds the postcodes' LSOAs along with
// the venues'). The + keeps SQLite from looking each referral's terms up once for every need.
func landscapeDemand(ctx context.Context, c conn, placeID int64, since time.Time) ([]postcodeDemand, error) {
	var out []postcodeDemand
	var d postcodeDemand
	err := eachRowInto(ctx, c, `SELECT r.postcode, rt.term_id, COUNT(*) FROM referrals r JOIN referral_terms rt ON rt.referral_id = r.id
		WHERE r.place_id = ? AND r.received_at >= ? AND +rt.term_id IN (SELECT tt.id FROM taxonomy_terms tt
			JOIN taxonomies t ON t.id = tt.taxonomy_id WHERE t.place_id = ? AND t.code = '`+linkwork.TaxonomyNeed+`')
		GROUP BY r.postcode, rt.term_id`, []any{placeID, since, placeID}, []any{&d.postcode, &d.term, &d.n}, func() error {
		out = append(out, d)
		return nil
	})
	return out, err
}

// landscapeCapacity gives the connector schemes their capacity, counted as the capacity view
// and routing count it (fillCapacity), a chunk of schemes at a time as tasks of t.
func (db *DB) landscapeCapacity(ctx context.Context, c conn, t *tasks, placeID int64, svcs []*linkwork.LandscapeService) {
	var loads []schemeLoad
	for _, sv := range svcs {
		if sv.Kind != linkwork.KindScheme {
			continue
		}
		l := schemeLoad{SchemeCapacity: &linkwork.SchemeCapacity{SchemeID: sv.ID, SchemeName: sv.Name,
			OrganisationID: sv.OrganisationID, Workers: []linkwork.WorkerLoad{}}}
		if sv.Scheme != nil {
			l.caseloadLimit, l.StatedWaitingWeeks = sv.Scheme.CaseloadLimit, sv.Scheme.WaitingWeeks
		}
		sv.Capacity = l.SchemeCapacity
		loads = append(loads, l)
	}
	for start := 0; start < len(loads); start += capacityChunk {
		part := loads[start:min(len(loads), start+capacityChunk)]
		t.run(func() error {
			_, err := db.fillCapacity(ctx, c, placeID, part)
			return err
		})
	}
}
