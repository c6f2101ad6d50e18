package linkwork

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// MaxLandscapeDistanceKm is the furthest a reader may ask for a community offer's venue to
// be from a neighbourhood's centre and still count as near it.
const MaxLandscapeDistanceKm = 50.0

// AnalyseLandscape turns what the store gathered about a place into its landscape: what
// covers each neighbourhood, which connector schemes overlap and could collaborate, the
// gaps, how fragmented the systems and tools are, the place by sector, and what in the
// directory could not be used. It reads in and never changes it.
//
// Active connector schemes cover the neighbourhoods their areas include (AreaCovers of the
// neighbourhood's postcode, LSOA, ward and local authority; no areas is the whole place);
// active community offers cover the neighbourhoods whose centre is within the distance of
// one of their venues or, when they have no venue, those their areas include. Lists of
// neighbourhoods are in the order of the coverage rows (most deprived first, then by code);
// lists of services are by ID.
func AnalyseLandscape(in *LandscapeInput, opts LandscapeOptions, now time.Time) (*Landscape, error) {
	if in == nil {
		return nil, Errorf(EINVALID, "There is nothing to analyse: the place's directory was not read.")
	}
	d := opts.DistanceKm
	if math.IsNaN(d) || d < 0 || d > MaxLandscapeDistanceKm {
		return nil, FieldError("distance_km", "Enter the distance from a neighbourhood's centre in kilometres: "+
			"more than 0 and at most %g, such as %g (two miles).", MaxLandscapeDistanceKm, DefaultLandscapeDistanceKm)
	}
	if d == 0 {
		d = DefaultLandscapeDistanceKm
	}
	a := newLandscapeAnalysis(in, d)
	a.cover()
	l := &Landscape{
		Place:          in.Place,
		Options:        LandscapeOptions{DistanceKm: d},
		Coverage:       a.coverageRows(),
		GeneratedAt:    now,
		services:       a.byID,
		neighbourhoods: make(map[string]*Neighbourhood, len(a.hoods)),
	}
	for _, n := range a.hoods {
		if _, dup := l.neighbourhoods[n.Code]; !dup {
			l.neighbourhoods[n.Code] = n
		}
	}
	l.Overlaps, l.Groups = a.overlaps()
	l.Gaps = a.gaps(l.Coverage)
	l.Fragmentation = a.fragmentation()
	l.Sectors = a.sectors()
	l.DataQuality = a.dataQuality()
	return l, nil
}

// Service returns the scheme or community offer with the ID, of any status, or nil when the
// place has none: for naming the IDs the analyses list.
func (l *Landscape) Service(id int64) *LandscapeService {
	return l.services[id]
}

// NeighbourhoodByCode returns the place's neighbourhood with the LSOA code, or nil.
func (l *Landscape) NeighbourhoodByCode(code string) *Neighbourhood {
	if l.neighbourhoods != nil {
		return l.neighbourhoods[code]
	}
	for _, r := range l.Coverage { // a landscape read back from JSON has no index
		if r.Neighbourhood != nil && r.Neighbourhood.Code == code {
			return r.Neighbourhood
		}
	}
	return nil
}

// landscapeAnalysis holds the working of one analysis. Neighbourhoods, schemes and offers
// are numbered by their position (rows in coverage order; schemes and offers by ID), and
// lists of them are held as compressed rows of those numbers.
type landscapeAnalysis struct {
	in       *LandscapeInput
	distance float64
	hoods    []*Neighbourhood // in coverage order: the row numbers
	byID     map[int64]*LandscapeService
	all      []*LandscapeService // every service, by ID
	schemes  []*LandscapeService // active connector schemes, by ID
	offers   []*LandscapeService // active community offers, by ID
	terms    *termUniverse

	schemeCover, schemeMaybe, offerCover intLists // scheme or offer → rows (ascending for schemes)
	schemeTerms, offerTerms              intLists // scheme or offer → term keys
	rowSchemes, rowMaybe, rowOffers      intLists // row → schemes or offers, ascending
}

func newLandscapeAnalysis(in *LandscapeInput, distance float64) *landscapeAnalysis {
	a := &landscapeAnalysis{in: in, distance: distance, byID: make(map[int64]*LandscapeService, len(in.Services))}
	for _, n := range in.Neighbourhoods {
		if n != nil {
			a.hoods = append(a.hoods, n)
		}
	}
	slices.SortStableFunc(a.hoods, func(x, y *Neighbourhood) int {
		return cmp.Or(cmp.Compare(decileOrder(x.IMDDecile), decileOrder(y.IMDDecile)), strings.Compare(x.Code, y.Code))
	})
	for _, s := range in.Services {
		if s == nil {
			continue
		}
		if _, dup := a.byID[s.ID]; dup {
			continue
		}
		a.byID[s.ID] = s
		a.all = append(a.all, s)
	}
	byID := func(x, y *LandscapeService) int { return cmp.Compare(x.ID, y.ID) }
	if !slices.IsSortedFunc(a.all, byID) { // a store usually reads them in order
		slices.SortFunc(a.all, byID)
	}
	for _, s := range a.all {
		if s.Status != StatusActive {
			continue
		}
		switch s.Kind {
		case KindScheme:
			a.schemes = append(a.schemes, s)
		case KindActivity:
			a.offers = append(a.offers, s)
		}
	}
	a.terms = newTermUniverse(in, a.all)
	return a
}

// decileOrder puts the most deprived first and unknown deprivation (0) last.
func decileOrder(d int) int {
	if d <= 0 {
		return math.MaxInt
	}
	return d
}

// intLists is a list of lists of small numbers in one array: list i is
// items[start[i]:start[i+1]].
type intLists struct {
	start []int32
	items []int32
}

func newIntLists(capacity int) intLists {
	return intLists{start: make([]int32, 1, capacity+1)}
}

func (l *intLists) add(items []int32) {
	l.items = append(l.items, items...)
	l.start = append(l.start, int32(len(l.items)))
}

func (l *intLists) at(i int) []int32 { return l.items[l.start[i]:l.start[i+1]] }

// invert turns lists of rows into, for each of n rows, the list of list numbers that hold
// it, in ascending order.
func (l *intLists) invert(n int) intLists {
	out := intLists{start: make([]int32, n+1), items: make([]int32, len(l.items))}
	for _, r := range l.items {
		out.start[r+1]++
	}
	for r := 1; r <= n; r++ {
		out.start[r] += out.start[r-1]
	}
	next := slices.Clone(out.start[:n])
	for i := range len(l.start) - 1 {
		for _, r := range l.at(i) {
			out.items[next[r]] = int32(i)
			next[r]++
		}
	}
	return out
}

// termUniverse numbers the terms of the needs, client groups and building blocks: each
// taxonomy's terms in its order, then any code a service lists that the taxonomy does not
// (alphabetically), so that every list of terms comes out in the taxonomy's order.
type termUniverse struct {
	keys []string // "need/loneliness"
	// index maps each taxonomy's codes (in the order of landscapeTaxonomies) to their keys.
	index [3]map[string]int32
	// needs and groups are the codes of the need and client group taxonomies, in order;
	// needPos and groupPos their positions.
	needs, groups []string
	needPos       map[string]int
	groupPos      map[string]int
}

var landscapeTaxonomies = [3]string{TaxonomyNeed, TaxonomyClientGroup, TaxonomyBuildingBlock}

func newTermUniverse(in *LandscapeInput, services []*LandscapeService) *termUniverse {
	u := &termUniverse{}
	for i, tax := range landscapeTaxonomies {
		seen := make(map[string]bool)
		var codes []string
		for _, c := range in.TermOrder[tax] {
			if !seen[c] {
				seen[c] = true
				codes = append(codes, c)
			}
		}
		var extra []string
		for _, s := range services {
			for _, c := range serviceTerms(s, i) {
				if !seen[c] {
					seen[c] = true
					extra = append(extra, c)
				}
			}
		}
		slices.Sort(extra)
		codes = append(codes, extra...)
		pos := make(map[string]int, len(codes))
		u.index[i] = make(map[string]int32, len(codes))
		for j, c := range codes {
			pos[c] = j
			u.index[i][c] = int32(len(u.keys))
			u.keys = append(u.keys, tax+"/"+c)
		}
		switch tax {
		case TaxonomyNeed:
			u.needs, u.needPos = codes, pos
		case TaxonomyClientGroup:
			u.groups, u.groupPos = codes, pos
		}
	}
	return u
}

// serviceTerms returns the service's codes of the i-th of landscapeTaxonomies.
func serviceTerms(s *LandscapeService, i int) []string {
	switch i {
	case 0:
		return s.Needs
	case 1:
		return s.ClientGroups
	}
	return s.BuildingBlocks
}

// keysOf returns the numbers of a service's terms, each once.
func (u *termUniverse) keysOf(s *LandscapeService, buf []int32) []int32 {
	buf = buf[:0]
	for i := range landscapeTaxonomies {
		for _, c := range serviceTerms(s, i) {
			k := u.index[i][c]
			if !slices.Contains(buf, k) {
				buf = append(buf, k)
			}
		}
	}
	return buf
}

// cover works out which rows each active scheme and offer covers.
func (a *landscapeAnalysis) cover() {
	areas := newAreaIndex(a.hoods)
	stamp := make([]int32, len(a.hoods)) // stamp[r] == mark when r is already in the list
	mark := int32(0)
	var rows, keys []int32

	a.schemeCover, a.schemeMaybe = newIntLists(len(a.schemes)), newIntLists(len(a.schemes))
	a.schemeTerms = newIntLists(len(a.schemes))
	for _, s := range a.schemes {
		mark++
		var unknown bool
		rows, unknown = areas.covers(s.Areas, stamp, mark, rows[:0])
		slices.Sort(rows)
		a.schemeCover.add(rows)
		rows = rows[:0]
		if unknown {
			for r := range a.hoods {
				if stamp[r] != mark {
					rows = append(rows, int32(r))
				}
			}
		}
		a.schemeMaybe.add(rows)
		keys = a.terms.keysOf(s, keys)
		a.schemeTerms.add(keys)
	}

	points := make([]geoPoint, len(a.hoods))
	for r, n := range a.hoods {
		points[r] = newGeoPoint(n.Lat, n.Lng)
	}
	grid := newGeoGrid(points, a.distance)
	a.offerCover, a.offerTerms = newIntLists(len(a.offers)), newIntLists(len(a.offers))
	for _, s := range a.offers {
		mark++
		rows = rows[:0]
		if len(s.Venues) == 0 {
			if len(s.Areas) > 0 { // an offer with no area covers nothing: a data problem
				rows, _ = areas.covers(s.Areas, stamp, mark, rows)
			}
		} else {
			for _, v := range s.Venues {
				if !venueHasCoordinates(v) {
					continue
				}
				grid.within(newGeoPoint(v.Lat, v.Lng), a.distance, func(r int) {
					if stamp[r] != mark {
						stamp[r] = mark
						rows = append(rows, int32(r))
					}
				})
			}
		}
		a.offerCover.add(rows) // in no order: invert orders the rows' lists
		keys = a.terms.keysOf(s, keys)
		a.offerTerms.add(keys)
	}
	a.rowSchemes = a.schemeCover.invert(len(a.hoods))
	a.rowMaybe = a.schemeMaybe.invert(len(a.hoods))
	a.rowOffers = a.offerCover.invert(len(a.hoods))
}

func venueHasCoordinates(v LandscapeVenue) bool { return v.Lat != 0 || v.Lng != 0 }

// areaIndex finds the neighbourhoods that areas include, giving the same answers as
// AreaCovers for each neighbourhood's postcode, LSOA, ward and local authority, without
// asking it of every scheme and neighbourhood.
type areaIndex struct {
	all []int32
	// postcode maps a neighbourhood postcode's district and sector to the rows; code maps
	// its ward, LSOA and local authority codes.
	postcode, code map[string][]int32
}

func newAreaIndex(hoods []*Neighbourhood) *areaIndex {
	x := &areaIndex{all: make([]int32, len(hoods)), postcode: make(map[string][]int32), code: make(map[string][]int32)}
	for r, n := range hoods {
		row := int32(r)
		x.all[r] = row
		outward, inward, _ := strings.Cut(n.Postcode, " ")
		sector := outward
		if inward != "" {
			sector += " " + inward[:1]
		}
		x.postcode[outward] = append(x.postcode[outward], row)
		if sector != outward {
			x.postcode[sector] = append(x.postcode[sector], row)
		}
		for _, c := range [...]string{n.Ward, n.Code, n.LocalAuthorityCode} {
			if c != "" && !slices.Contains(x.code[c], row) {
				x.code[c] = append(x.code[c], row)
			}
		}
	}
	return x
}

// covers appends to rows the rows the areas include (each once, marking stamp), and says
// whether some area cannot be placed. No areas is every row.
func (x *areaIndex) covers(areas []string, stamp []int32, mark int32, rows []int32) ([]int32, bool) {
	add := func(rs []int32) {
		for _, r := range rs {
			if stamp[r] != mark {
				stamp[r] = mark
				rows = append(rows, r)
			}
		}
	}
	if len(areas) == 0 {
		add(x.all)
		return rows, false
	}
	unknown := false
	for _, area := range areas {
		a := normaliseArea(area)
		add(x.postcode[a])
		if a != "" {
			add(x.code[a])
		}
		if !isPostcodeArea(a) && !isGSSCode(a) {
			unknown = true
		}
	}
	return rows, unknown
}

// normaliseArea is how AreaCovers reads an area: capitals and single spaces.
func normaliseArea(a string) string { return strings.ToUpper(strings.Join(strings.Fields(a), " ")) }

// unplacedAreas returns the areas that are neither a postcode district or sector nor an
// ONS code, as written.
func unplacedAreas(areas []string) []string {
	var out []string
	for _, area := range areas {
		if a := normaliseArea(area); !isPostcodeArea(a) && !isGSSCode(a) {
			out = append(out, strings.TrimSpace(area))
		}
	}
	return out
}

// coverageRows builds a row for each neighbourhood, with its coverage by term. The IDs
// under each term are gathered in reused lists, then copied into one array for the row.
func (a *landscapeAnalysis) coverageRows() []*CoverageRow {
	nk := len(a.terms.keys)
	bySchemes, byOffers := make([][]int64, nk), make([][]int64, nk) // the row's services with each term
	var touched []int32
	gather := func(services []*LandscapeService, terms intLists, list []int32, by [][]int64) int {
		total := 0
		for _, s := range list {
			id := services[s].ID
			for _, k := range terms.at(int(s)) {
				if len(bySchemes[k]) == 0 && len(byOffers[k]) == 0 {
					touched = append(touched, k)
				}
				by[k] = append(by[k], id)
			}
			total += int(terms.start[s+1] - terms.start[s])
		}
		return total
	}
	rows := make([]*CoverageRow, len(a.hoods))
	rowStructs := make([]CoverageRow, len(a.hoods))
	for r, n := range a.hoods {
		row := &rowStructs[r]
		row.Neighbourhood = n
		row.SchemeIDs = idsOf(a.schemes, a.rowSchemes.at(r))
		row.MaybeSchemeIDs = idsOf(a.schemes, a.rowMaybe.at(r))
		row.OfferIDs = idsOf(a.offers, a.rowOffers.at(r))

		touched = touched[:0]
		total := gather(a.schemes, a.schemeTerms, a.rowSchemes.at(r), bySchemes) +
			gather(a.offers, a.offerTerms, a.rowOffers.at(r), byOffers)
		backing := make([]int64, 0, total)
		tcs := make([]TermCoverage, len(touched))
		row.ByTerm = make(map[string]*TermCoverage, len(touched))
		for i, k := range touched {
			tc := &tcs[i]
			start := len(backing)
			backing = append(backing, bySchemes[k]...)
			tc.SchemeIDs = backing[start:len(backing):len(backing)]
			start = len(backing)
			backing = append(backing, byOffers[k]...)
			tc.OfferIDs = backing[start:len(backing):len(backing)]
			bySchemes[k], byOffers[k] = bySchemes[k][:0], byOffers[k][:0]
			row.ByTerm[a.terms.keys[k]] = tc
		}
		rows[r] = row
	}
	return rows
}

// idsOf returns the IDs of the listed services: never nil, so that JSON has [].
func idsOf(services []*LandscapeService, list []int32) []int64 {
	ids := make([]int64, len(list))
	for i, s := range list {
		ids[i] = services[s].ID
	}
	return ids
}

// codesOf returns the codes of the listed rows.
func (a *landscapeAnalysis) codesOf(rows []int32) []string {
	codes := make([]string, len(rows))
	for i, r := range rows {
		codes[i] = a.hoods[r].Code
	}
	return codes
}

// dataQuality lists what could not be used: no neighbourhoods at all, then, service by
// service, offers with neither venue nor area, areas that cannot be placed and venues
// without coordinates. Only active schemes and offers are checked: the others are not
// analysed.
func (a *landscapeAnalysis) dataQuality() []*DataProblem {
	out := []*DataProblem{}
	if len(a.hoods) == 0 {
		place := "the place"
		if a.in.Place != nil && a.in.Place.Name != "" {
			place = a.in.Place.Name
		}
		out = append(out, &DataProblem{Kind: ProblemNoNeighbourhood, Detail: fmt.Sprintf(
			"No neighbourhoods were found for %s, so nothing can be mapped. Neighbourhoods come from the local "+
				"authorities of the services' venues: give the services venues with postcodes, and check that "+
				"the postcode lookup is loaded for those local authorities.", place)})
	}
	si, oi := 0, 0
	for _, s := range a.all {
		scheme, offer := -1, -1
		switch {
		case si < len(a.schemes) && a.schemes[si] == s:
			scheme, si = si, si+1
		case oi < len(a.offers) && a.offers[oi] == s:
			offer, oi = oi, oi+1
		default:
			continue
		}
		problem := func(kind DataProblemKind, format string, args ...any) {
			out = append(out, &DataProblem{Kind: kind, ServiceID: s.ID, ServiceName: s.Name, Detail: fmt.Sprintf(format, args...)})
		}
		if scheme >= 0 {
			if bad := unplacedAreas(s.Areas); len(bad) > 0 {
				effect := "."
				if n := len(a.schemeMaybe.at(scheme)); n > 0 {
					effect = fmt.Sprintf(", so the scheme is not counted in the %s it may cover.", countNoun(n, "neighbourhood"))
				}
				problem(ProblemUnknownArea, "%s cannot be placed on the map%s %s", areaNames(bad), effect, placeableAreas)
			}
			continue
		}
		if len(s.Venues) == 0 {
			if len(s.Areas) == 0 {
				problem(ProblemNoArea, "The offer has neither a venue nor an area, so it covers no neighbourhood. "+
					"Add the venue where it happens, or the areas it serves.")
			} else if bad := unplacedAreas(s.Areas); len(bad) > 0 {
				effect := "it covers no neighbourhood"
				if n := len(a.offerCover.at(offer)); n > 0 {
					effect = fmt.Sprintf("it is counted only in the %s its other areas include", countNoun(n, "neighbourhood"))
				}
				problem(ProblemUnknownArea, "%s cannot be placed on the map and the offer has no venue, so %s. "+
					"Add the venue where it happens, or %s", areaNames(bad), effect, lowerFirstLetter(placeableAreas))
			}
			continue
		}
		for _, v := range s.Venues {
			if venueHasCoordinates(v) {
				continue
			}
			name := "A venue"
			if n := strings.TrimSpace(v.Name); n != "" {
				name = "The venue " + n
			}
			if v.Postcode != "" {
				name += " (" + v.Postcode + ")"
			}
			problem(ProblemNoCoordinates, "%s has no latitude and longitude, so its distance from the "+
				"neighbourhoods cannot be measured and it is left out. Check its postcode: one linkwork knows "+
				"gives the coordinates.", name)
		}
	}
	return out
}

// placeableAreas says which areas the landscape can place.
const placeableAreas = "Use postcode districts (such as HX3) or sectors (HX3 5), or the ONS codes of wards, " +
	"LSOAs or local authorities (such as E05001225)."

func lowerFirstLetter(s string) string { return strings.ToLower(s[:1]) + s[1:] }

// countNoun says "1 neighbourhood" or "3 neighbourhoods".
func countNoun(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// areaNames quotes areas for a message: `The area "Ovenden"` or `The areas "A" and "B"`.
func areaNames(areas []string) string {
	q := make([]string, len(areas))
	for i, a := range areas {
		q[i] = fmt.Sprintf("%q", a)
	}
	if len(q) == 1 {
		return "The area " + q[0]
	}
	return "The areas " + strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
}
