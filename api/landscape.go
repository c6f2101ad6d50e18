package api

import (
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"linkwork"
)

// The landscape API answers the same analyses as the landscape report: who does what,
// where and for whom in the principal's place. Every answer names organisations and
// services, never people.

func (h *Handler) registerLandscape(g registrar) {
	view := linkwork.PermViewLandscape
	g.Handle("GET", Prefix+"/landscape", view, h.landscapeIndex)
	g.Handle("GET", Prefix+"/landscape/coverage", view, h.landscapeCoverage)
	g.Handle("GET", Prefix+"/landscape/overlaps", view, h.landscapeOverlaps)
	g.Handle("GET", Prefix+"/landscape/groups", view, h.landscapeGroups)
	g.Handle("GET", Prefix+"/landscape/gaps", view, h.landscapeGaps)
	g.Handle("GET", Prefix+"/landscape/fragmentation", view, h.landscapeFragmentation)
	g.Handle("GET", Prefix+"/landscape/sectors", view, h.landscapeSectors)
	g.Handle("GET", Prefix+"/landscape/data-quality", view, h.landscapeDataQuality)
	g.Handle("GET", Prefix+"/landscape/funding", view, h.listFunding)
	g.Handle("POST", Prefix+"/landscape/funding", linkwork.PermManageFunding, h.createFunding)
}

// LandscapeServiceSummary is a scheme or community offer as the landscape answers name it:
// enough to know who runs it and to get in touch, so that a client need not look it up.
type LandscapeServiceSummary struct {
	ID               int64                  `json:"id"`
	Name             string                 `json:"name"`
	Kind             linkwork.ServiceKind   `json:"kind"`
	Status           linkwork.ServiceStatus `json:"status"`
	OrganisationID   int64                  `json:"organisation_id"`
	OrganisationName string                 `json:"organisation_name"`
	Sector           linkwork.Sector        `json:"sector"`
	Email            string                 `json:"email,omitempty"`
	Phone            string                 `json:"phone,omitempty"`
}

// LandscapeIndex is the answer of GET /landscape: what the analysis was made of and from,
// how much each part holds, and where each part is.
type LandscapeIndex struct {
	Place *linkwork.Place `json:"place"`
	// GeneratedAt is when the analysis was made; DirectoryVersion the version of the
	// directory it was read at.
	GeneratedAt      time.Time                 `json:"generated_at"`
	DirectoryVersion int64                     `json:"directory_version"`
	Options          linkwork.LandscapeOptions `json:"options"`
	Counts           LandscapeCounts           `json:"counts"`
	Links            LandscapeLinks            `json:"links"`
}

// LandscapeCounts counts the parts of a landscape.
type LandscapeCounts struct {
	Neighbourhoods int `json:"neighbourhoods"`
	// Schemes and Offers are the active connector schemes and community offers, those
	// that coverage, overlaps and gaps count.
	Schemes      int `json:"schemes"`
	Offers       int `json:"offers"`
	Overlaps     int `json:"overlaps"`
	Groups       int `json:"groups"`
	Gaps         int `json:"gaps"`
	DataProblems int `json:"data_problems"`
}

// LandscapeLinks are the addresses of the landscape's parts, with the same distance.
type LandscapeLinks struct {
	Coverage      string `json:"coverage"`
	Overlaps      string `json:"overlaps"`
	Groups        string `json:"groups"`
	Gaps          string `json:"gaps"`
	Fragmentation string `json:"fragmentation"`
	Sectors       string `json:"sectors"`
	DataQuality   string `json:"data_quality"`
	Funding       string `json:"funding"`
}

// CoverageEntry is one neighbourhood's row of the coverage matrix with the services it
// names.
type CoverageEntry struct {
	*linkwork.CoverageRow
	Services []LandscapeServiceSummary `json:"services"`
}

// OverlapEntry is two schemes that could collaborate, with both summarised.
type OverlapEntry struct {
	*linkwork.SchemeOverlap
	Services []LandscapeServiceSummary `json:"services"`
}

// GroupEntry is a collaboration group with its schemes summarised.
type GroupEntry struct {
	*linkwork.CollaborationGroup
	Services []LandscapeServiceSummary `json:"services"`
}

// GapEntry is a gap with the full schemes it names summarised.
type GapEntry struct {
	*linkwork.Gap
	Services []LandscapeServiceSummary `json:"services"`
}

// FragmentationView is the place's systems and tools with the schemes summarised.
type FragmentationView struct {
	*linkwork.Fragmentation
	Services []LandscapeServiceSummary `json:"services"`
}

// SectorsView is the place's system by sector, funding and model with the schemes
// summarised.
type SectorsView struct {
	*linkwork.SectorSummary
	Services []LandscapeServiceSummary `json:"services"`
}

// DataProblemEntry is a data problem with the service to fix summarised and the address of
// the page that fixes it.
type DataProblemEntry struct {
	*linkwork.DataProblem
	Service *LandscapeServiceSummary `json:"service,omitempty"`
	EditURL string                   `json:"edit_url,omitempty"`
}

// FundingBody is the body of POST /landscape/funding: a gap the place chooses to fund.
type FundingBody struct {
	NeighbourhoodCode string `json:"neighbourhood_code"`
	Need              string `json:"need"`
	Note              string `json:"note"`
}

// FundingView is a funding opportunity as the API answers it.
type FundingView struct {
	*linkwork.FundingOpportunity
	// GapReason says why the neighbourhood and need is a gap now, at the distance asked;
	// it is absent when it no longer is one.
	GapReason linkwork.GapReason `json:"gap_reason,omitempty"`
}

// landscapeOptions reads distance_km; given reports whether the request set it.
func landscapeOptions(r *http.Request) (opts linkwork.LandscapeOptions, given bool, err error) {
	s := strings.TrimSpace(r.URL.Query().Get("distance_km"))
	if s == "" {
		return linkwork.LandscapeOptions{DistanceKm: linkwork.DefaultLandscapeDistanceKm}, false, nil
	}
	km, perr := strconv.ParseFloat(s, 64)
	if perr != nil || math.IsNaN(km) || km <= 0 || km > linkwork.MaxLandscapeDistanceKm {
		return opts, true, linkwork.FieldError("distance_km",
			"distance_km must be a number of kilometres more than 0 and at most %g, such as %g; %q is not.",
			linkwork.MaxLandscapeDistanceKm, linkwork.DefaultLandscapeDistanceKm, s)
	}
	return linkwork.LandscapeOptions{DistanceKm: km}, true, nil
}

// landscapeResult is a place's landscape as one request computed it.
type landscapeResult struct {
	in    *linkwork.LandscapeInput
	l     *linkwork.Landscape
	given bool // whether the request chose the distance
}

// landscape reads the principal's place and analyses it with the request's options. It is
// the one place every landscape answer is computed, so that a cache (by place, directory
// version and options) belongs here.
func (h *Handler) landscape(r *http.Request) (*landscapeResult, error) {
	opts, given, err := landscapeOptions(r)
	if err != nil {
		return nil, err
	}
	in, err := h.svc.Landscape.LandscapeInput(r.Context(), principal(r).Place.ID)
	if err != nil {
		return nil, err
	}
	l, err := linkwork.AnalyseLandscape(in, opts, time.Now())
	if err != nil {
		return nil, err
	}
	return &landscapeResult{in: in, l: l, given: given}, nil
}

// summaries summarises the services of the lists, each once, by ID.
func (lr *landscapeResult) summaries(lists ...[]int64) []LandscapeServiceSummary {
	var ids []int64
	for _, l := range lists {
		ids = append(ids, l...)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	out := make([]LandscapeServiceSummary, 0, len(ids))
	for _, id := range ids {
		if s := lr.summary(id); s != nil {
			out = append(out, *s)
		}
	}
	return out
}

func (lr *landscapeResult) summary(id int64) *LandscapeServiceSummary {
	s := lr.l.Service(id)
	if s == nil {
		return nil
	}
	return &LandscapeServiceSummary{ID: s.ID, Name: s.Name, Kind: s.Kind, Status: s.Status, OrganisationID: s.OrganisationID,
		OrganisationName: s.OrganisationName, Sector: s.Sector, Email: s.Email, Phone: s.Phone}
}

// landscapeLink is the address of a part of the landscape, keeping the distance the request chose.
func (h *Handler) landscapeLink(lr *landscapeResult, part string) string {
	u := strings.TrimSuffix(h.baseURL, "/") + Prefix + "/landscape/" + part
	if lr.given {
		u += "?" + url.Values{"distance_km": {strconv.FormatFloat(lr.l.Options.DistanceKm, 'f', -1, 64)}}.Encode()
	}
	return u
}

// pageOf answers one page of a list computed whole.
func pageOf[T any](items []T, p linkwork.Page) List[T] {
	total := len(items)
	from := min((p.Number-1)*p.Size, total)
	return newList(items[from:min(from+p.Size, total)], p, total)
}

// landscapeList computes the landscape and a page of one of its lists, answering any
// problem with the request itself.
func (h *Handler) landscapeList(w http.ResponseWriter, r *http.Request) (*landscapeResult, linkwork.Page, bool) {
	page, err := pageParams(r)
	if err != nil {
		h.fail(w, r, err)
		return nil, page, false
	}
	lr, err := h.landscape(r)
	if err != nil {
		h.fail(w, r, err)
		return nil, page, false
	}
	return lr, page, true
}

func (h *Handler) landscapeIndex(w http.ResponseWriter, r *http.Request) {
	lr, err := h.landscape(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	l := lr.l
	c := LandscapeCounts{Neighbourhoods: len(lr.in.Neighbourhoods), Overlaps: len(l.Overlaps), Groups: len(l.Groups),
		Gaps: len(l.Gaps), DataProblems: len(l.DataQuality)}
	for _, s := range lr.in.Services {
		if s.Status != linkwork.StatusActive {
			continue
		}
		switch s.Kind {
		case linkwork.KindScheme:
			c.Schemes++
		case linkwork.KindActivity:
			c.Offers++
		}
	}
	writeJSON(w, http.StatusOK, LandscapeIndex{Place: l.Place, GeneratedAt: l.GeneratedAt, DirectoryVersion: lr.in.DirectoryVersion,
		Options: l.Options, Counts: c, Links: LandscapeLinks{
			Coverage: h.landscapeLink(lr, "coverage"), Overlaps: h.landscapeLink(lr, "overlaps"),
			Groups: h.landscapeLink(lr, "groups"), Gaps: h.landscapeLink(lr, "gaps"),
			Fragmentation: h.landscapeLink(lr, "fragmentation"), Sectors: h.landscapeLink(lr, "sectors"),
			DataQuality: h.landscapeLink(lr, "data-quality"), Funding: h.landscapeLink(lr, "funding")}})
}

// termTaxonomies are the taxonomies the coverage matrix is broken down by.
var termTaxonomies = []string{linkwork.TaxonomyNeed, linkwork.TaxonomyClientGroup, linkwork.TaxonomyBuildingBlock}

// coverageTerm checks ?term=, a taxonomy and term code such as need/loneliness.
func coverageTerm(lr *landscapeResult, r *http.Request) (string, error) {
	term := strings.TrimSpace(r.URL.Query().Get("term"))
	if term == "" {
		return "", nil
	}
	tax, code, _ := strings.Cut(term, "/")
	if _, ok := lr.in.Terms[tax][code]; !ok || !slices.Contains(termTaxonomies, tax) {
		return "", linkwork.FieldError("term",
			"term must be a taxonomy and one of its term codes, such as %s/loneliness, from the taxonomy %s; %q is not a term of %s.",
			linkwork.TaxonomyNeed, strings.Join(termTaxonomies, ", "), term, lr.in.Place.Name)
	}
	return term, nil
}

// hasTerm reports whether a service lists a term, written as in CoverageRow.ByTerm.
func hasTerm(s *linkwork.LandscapeService, term string) bool {
	tax, code, _ := strings.Cut(term, "/")
	switch tax {
	case linkwork.TaxonomyNeed:
		return slices.Contains(s.Needs, code)
	case linkwork.TaxonomyClientGroup:
		return slices.Contains(s.ClientGroups, code)
	case linkwork.TaxonomyBuildingBlock:
		return slices.Contains(s.BuildingBlocks, code)
	}
	return false
}

func (h *Handler) landscapeCoverage(w http.ResponseWriter, r *http.Request) {
	lr, page, ok := h.landscapeList(w, r)
	if !ok {
		return
	}
	term, err := coverageTerm(lr, r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	lsoa := strings.ToUpper(strings.TrimSpace(r.URL.Query().Get("lsoa")))
	if lsoa != "" && lr.l.NeighbourhoodByCode(lsoa) == nil {
		h.fail(w, r, linkwork.FieldError("lsoa",
			"lsoa must be the code of one of %s's neighbourhoods (an LSOA code such as E01013346); %s is not one of them.",
			lr.in.Place.Name, lsoa))
		return
	}
	var items []CoverageEntry
	for _, row := range lr.l.Coverage {
		if lsoa != "" && row.Neighbourhood.Code != lsoa {
			continue
		}
		if term != "" {
			row = termRow(lr, row, term)
		}
		items = append(items, CoverageEntry{CoverageRow: row,
			Services: lr.summaries(row.SchemeIDs, row.OfferIDs, row.MaybeSchemeIDs)})
	}
	writeJSON(w, http.StatusOK, pageOf(items, page))
}

// termRow is a copy of a coverage row keeping only what has the term.
func termRow(lr *landscapeResult, row *linkwork.CoverageRow, term string) *linkwork.CoverageRow {
	tc := row.ByTerm[term]
	if tc == nil {
		tc = &linkwork.TermCoverage{}
	}
	out := &linkwork.CoverageRow{Neighbourhood: row.Neighbourhood, SchemeIDs: nonNil(tc.SchemeIDs), OfferIDs: nonNil(tc.OfferIDs),
		MaybeSchemeIDs: []int64{}, ByTerm: map[string]*linkwork.TermCoverage{}}
	if len(out.SchemeIDs)+len(out.OfferIDs) > 0 {
		out.ByTerm[term] = &linkwork.TermCoverage{SchemeIDs: out.SchemeIDs, OfferIDs: out.OfferIDs}
	}
	for _, id := range row.MaybeSchemeIDs {
		if s := lr.l.Service(id); s != nil && hasTerm(s, term) {
			out.MaybeSchemeIDs = append(out.MaybeSchemeIDs, id)
		}
	}
	return out
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (h *Handler) landscapeOverlaps(w http.ResponseWriter, r *http.Request) {
	lr, page, ok := h.landscapeList(w, r)
	if !ok {
		return
	}
	items := make([]OverlapEntry, len(lr.l.Overlaps))
	for i, o := range lr.l.Overlaps {
		items[i] = OverlapEntry{SchemeOverlap: o, Services: lr.summaries(o.SchemeIDs[:])}
	}
	writeJSON(w, http.StatusOK, pageOf(items, page))
}

func (h *Handler) landscapeGroups(w http.ResponseWriter, r *http.Request) {
	lr, page, ok := h.landscapeList(w, r)
	if !ok {
		return
	}
	items := make([]GroupEntry, len(lr.l.Groups))
	for i, g := range lr.l.Groups {
		items[i] = GroupEntry{CollaborationGroup: g, Services: lr.summaries(g.SchemeIDs)}
	}
	writeJSON(w, http.StatusOK, pageOf(items, page))
}

// gapFilter reads ?reason= and ?max_decile= (0 when not given).
func gapFilter(r *http.Request) (linkwork.GapReason, int, error) {
	q := r.URL.Query()
	reason := linkwork.GapReason(strings.TrimSpace(q.Get("reason")))
	if reason != "" && reason != linkwork.GapNoOffer && reason != linkwork.GapAtCapacity {
		return "", 0, linkwork.FieldError("reason", "reason must be %s (no community offer near) or %s (only full schemes); %q is not.",
			linkwork.GapNoOffer, linkwork.GapAtCapacity, string(reason))
	}
	maxDecile := 0
	if s := strings.TrimSpace(q.Get("max_decile")); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 10 {
			return "", 0, linkwork.FieldError("max_decile",
				"max_decile must be an IMD decile, a whole number from 1 (the most deprived tenth) to 10; %q is not.", s)
		}
		maxDecile = n
	}
	return reason, maxDecile, nil
}

func (h *Handler) landscapeGaps(w http.ResponseWriter, r *http.Request) {
	reason, maxDecile, err := gapFilter(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	lr, page, ok := h.landscapeList(w, r)
	if !ok {
		return
	}
	var items []GapEntry
	for _, g := range lr.l.Gaps {
		d := g.Neighbourhood.IMDDecile
		// A neighbourhood whose decile is not known is not known to be within the bound.
		if reason != "" && g.Reason != reason || maxDecile > 0 && (d == 0 || d > maxDecile) {
			continue
		}
		items = append(items, GapEntry{Gap: g, Services: lr.summaries(g.FullSchemeIDs)})
	}
	writeJSON(w, http.StatusOK, pageOf(items, page))
}

func (h *Handler) landscapeFragmentation(w http.ResponseWriter, r *http.Request) {
	lr, err := h.landscape(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := lr.l.Fragmentation
	if f == nil {
		f = &linkwork.Fragmentation{}
	}
	lists := [][]int64{f.SchemesWithoutSystem}
	for _, u := range slices.Concat(f.Systems, f.Tools) {
		lists = append(lists, u.SchemeIDs)
	}
	out := *f
	out.Systems, out.Tools, out.SchemesWithoutSystem = nonNil(f.Systems), nonNil(f.Tools), nonNil(f.SchemesWithoutSystem)
	writeJSON(w, http.StatusOK, FragmentationView{Fragmentation: &out, Services: lr.summaries(lists...)})
}

func (h *Handler) landscapeSectors(w http.ResponseWriter, r *http.Request) {
	lr, err := h.landscape(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	s := lr.l.Sectors
	if s == nil {
		s = &linkwork.SectorSummary{}
	}
	var lists [][]int64
	for _, c := range s.BySector {
		lists = append(lists, c.SchemeIDs)
	}
	for _, n := range slices.Concat(s.ByFunding, s.ByModel) {
		lists = append(lists, n.SchemeIDs)
	}
	out := *s
	out.BySector, out.ByFunding, out.ByModel = nonNil(s.BySector), nonNil(s.ByFunding), nonNil(s.ByModel)
	writeJSON(w, http.StatusOK, SectorsView{SectorSummary: &out, Services: lr.summaries(lists...)})
}

func (h *Handler) landscapeDataQuality(w http.ResponseWriter, r *http.Request) {
	lr, page, ok := h.landscapeList(w, r)
	if !ok {
		return
	}
	items := make([]DataProblemEntry, len(lr.l.DataQuality))
	for i, p := range lr.l.DataQuality {
		items[i] = DataProblemEntry{DataProblem: p}
		if p.ServiceID != 0 {
			items[i].Service = lr.summary(p.ServiceID)
			items[i].EditURL = strings.TrimSuffix(h.baseURL, "/") + "/services/" + idString(p.ServiceID) + "/edit"
		}
	}
	writeJSON(w, http.StatusOK, pageOf(items, page))
}

// fundingViews adds to each opportunity whether it is still a gap in the landscape.
func fundingViews(lr *landscapeResult, fs []*linkwork.FundingOpportunity) []FundingView {
	type key struct{ code, need string }
	gaps := map[key]linkwork.GapReason{}
	for _, g := range lr.l.Gaps {
		gaps[key{g.Neighbourhood.Code, g.Need}] = g.Reason
	}
	out := make([]FundingView, len(fs))
	for i, f := range fs {
		out[i] = FundingView{FundingOpportunity: f, GapReason: gaps[key{f.NeighbourhoodCode, f.Need}]}
	}
	return out
}

func (h *Handler) listFunding(w http.ResponseWriter, r *http.Request) {
	lr, page, ok := h.landscapeList(w, r)
	if !ok {
		return
	}
	fs, err := h.svc.Landscape.ListFundingOpportunities(r.Context(), principal(r).Place.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pageOf(fundingViews(lr, fs), page))
}

func (h *Handler) createFunding(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	var body FundingBody
	if err := decode(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	// The landscape is read first, so that a bad distance saves nothing; an opportunity
	// does not change the gaps.
	lr, err := h.landscape(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// The store names the user who noted it, from the request's context.
	f := &linkwork.FundingOpportunity{PlaceID: p.Place.ID, NeighbourhoodCode: body.NeighbourhoodCode, Need: body.Need,
		Note: body.Note}
	if err := h.svc.Landscape.CreateFundingOpportunity(r.Context(), f); err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, fundingViews(lr, []*linkwork.FundingOpportunity{f})[0])
}
