package linkwork

import (
	"cmp"
	"slices"
	"strings"
)

// gaps finds, for each neighbourhood and each need of the place's need taxonomy, whether no
// active community offer with the need covers it (GapNoOffer), or whether offers do but
// every active connector scheme covering it with the need is full (GapAtCapacity). A
// neighbourhood that offers cover and no scheme does is not a gap: there is somewhere to go.
// The most deprived come first (unknown deprivation last), then the most demand, then the
// most open group requests for the need from the neighbourhood.
func (a *landscapeAnalysis) gaps(rows []*CoverageRow) []*Gap {
	var needs []string
	seen := make(map[string]bool)
	for _, c := range a.in.TermOrder[TaxonomyNeed] {
		if !seen[c] {
			seen[c] = true
			needs = append(needs, c)
		}
	}
	keys := make([]string, len(needs))
	labels := make([]string, len(needs))
	for i, c := range needs {
		keys[i] = TaxonomyNeed + "/" + c
		labels[i] = a.in.Terms[TaxonomyNeed][c]
		if labels[i] == "" {
			labels[i] = c
		}
	}
	requests := openRequestCounts(a.in.Requests)
	type ranked struct {
		gap  *Gap
		need int
	}
	var found []ranked
	for _, row := range rows {
		n := row.Neighbourhood
		demand, asked := a.in.Demand[n.Code], requests[n.Code]
		for i, c := range needs {
			tc := row.ByTerm[keys[i]]
			var reason GapReason
			var full []int64
			switch {
			case tc == nil || len(tc.OfferIDs) == 0:
				reason = GapNoOffer
			case len(tc.SchemeIDs) > 0 && !slices.ContainsFunc(tc.SchemeIDs, func(id int64) bool { return !schemeFull(a.byID[id]) }):
				reason, full = GapAtCapacity, slices.Clone(tc.SchemeIDs)
			default:
				continue
			}
			found = append(found, ranked{need: i, gap: &Gap{Neighbourhood: n, Need: c, NeedLabel: labels[i], Reason: reason,
				Demand: demand[c], GroupRequests: asked[c], FullSchemeIDs: full}})
		}
	}
	slices.SortFunc(found, func(x, y ranked) int {
		return cmp.Or(cmp.Compare(decileOrder(x.gap.Neighbourhood.IMDDecile), decileOrder(y.gap.Neighbourhood.IMDDecile)),
			cmp.Compare(y.gap.Demand, x.gap.Demand), cmp.Compare(y.gap.GroupRequests, x.gap.GroupRequests), cmp.Compare(x.need, y.need),
			strings.Compare(x.gap.Neighbourhood.Code, y.gap.Neighbourhood.Code))
	})
	out := make([]*Gap, len(found))
	for i, f := range found {
		out[i] = f.gap
	}
	return out
}

// openRequestCounts counts open group requests by neighbourhood and need: LSOA code → need
// term code → count. Requests with no neighbourhood or no need count towards no gap.
func openRequestCounts(requests []*GroupRequest) map[string]map[string]int {
	out := map[string]map[string]int{}
	for _, r := range requests {
		if r == nil || r.Status != RequestOpen || r.NeighbourhoodCode == "" || r.Need == "" {
			continue
		}
		if out[r.NeighbourhoodCode] == nil {
			out[r.NeighbourhoodCode] = map[string]int{}
		}
		out[r.NeighbourhoodCode][r.Need]++
	}
	return out
}

// schemeFull reports whether a connector scheme has no room: it has link workers with a
// caseload limit and none of it is free.
func schemeFull(s *LandscapeService) bool {
	return s != nil && s.Capacity != nil && s.Capacity.Limit > 0 && s.Capacity.Free <= 0
}
