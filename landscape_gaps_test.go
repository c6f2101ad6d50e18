package linkwork_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"linkwork"
)

// gapLine writes a gap as "code need reason demand [full]" for comparing.
func gapLine(g *linkwork.Gap) string {
	s := fmt.Sprintf("%s %s %s %d", g.Neighbourhood.Code, g.Need, g.Reason, g.Demand)
	if g.FullSchemeIDs != nil {
		s += fmt.Sprint(" ", g.FullSchemeIDs)
	}
	return s
}

func TestAnalyseLandscapeGaps(t *testing.T) {
	l := analyse(t, landscapeFixture(), 0)
	// Offers cover 1 (loneliness, mental wellbeing, money), 3 (loneliness, mental
	// wellbeing), 2 (mental wellbeing) and 4 (housing). Schemes 10 and 20 are full; 30, 40
	// and 50 are not. Demand: 1 housing 4, 3 money 7, 6 loneliness 2, 4 loneliness 9.
	want := []string{
		// Decile 1, by demand: then by need, then by code.
		nh3 + " money_debt no_offer 7",
		nh1 + " housing no_offer 4",
		nh1 + " mental_wellbeing at_capacity 0 [10 20]", // 10 and 20 cover it with the need, both full
		nh3 + " mental_wellbeing at_capacity 0 [20]",    // only 20 covers 3 with it
		nh3 + " housing no_offer 0",
		// Decile 2: loneliness has schemes but no offer; mental wellbeing has an offer and full schemes.
		nh2 + " loneliness no_offer 0",
		nh2 + " mental_wellbeing at_capacity 0 [10 20]",
		nh2 + " money_debt no_offer 0",
		nh2 + " housing no_offer 0",
		// Decile 3 and 5: nothing but the housing connector.
		nh6 + " loneliness no_offer 2",
		nh6 + " mental_wellbeing no_offer 0",
		nh6 + " money_debt no_offer 0",
		nh6 + " housing no_offer 0",
		nh5 + " loneliness no_offer 0",
		nh5 + " mental_wellbeing no_offer 0",
		nh5 + " money_debt no_offer 0",
		nh5 + " housing no_offer 0",
		// Unknown deprivation last; its housing has an offer and a scheme with room.
		nh4 + " loneliness no_offer 9",
		nh4 + " mental_wellbeing no_offer 0",
		nh4 + " money_debt no_offer 0",
	}
	var got []string
	for _, g := range l.Gaps {
		got = append(got, gapLine(g))
	}
	if !slices.Equal(got, want) {
		t.Errorf("gaps:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if g := l.Gaps[0]; g.NeedLabel != "Money and debt" || g.Neighbourhood != l.NeighbourhoodByCode(nh3) {
		t.Errorf("first gap = %+v", g)
	}
}

func TestAnalyseLandscapeGapsCapacity(t *testing.T) {
	in := landscapeFixture()
	for _, s := range in.Services {
		switch s.ID {
		case 40: // the housing connector is now full: 4's housing is at capacity
			s.Capacity = &linkwork.SchemeCapacity{Limit: 5, Free: 0}
		case 20: // no link workers: not full, whatever Free says
			s.Capacity = &linkwork.SchemeCapacity{Limit: 0, Free: 0}
		}
	}
	in.TermOrder[linkwork.TaxonomyNeed] = []string{"housing", "mental_wellbeing", "food"}
	l := analyse(t, in, 0)
	var got []string
	for _, g := range l.Gaps {
		if g.Neighbourhood.Code == nh4 || g.Neighbourhood.Code == nh1 {
			got = append(got, gapLine(g)+" "+g.NeedLabel)
		}
	}
	want := []string{
		// 1: housing has no offer; mental wellbeing has 10 (full) and 20 (room); food has
		// an offer and no scheme: not a gap. Without a label, a need is named by its code.
		nh1 + " housing no_offer 4 Housing",
		nh4 + " housing at_capacity 0 [40] Housing",
		nh4 + " mental_wellbeing no_offer 0 Mental wellbeing",
		nh4 + " food no_offer 0 food",
	}
	if !slices.Equal(got, want) {
		t.Errorf("gaps:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// Without the housing connector, 4's housing has an offer and no scheme: not a gap.
	in.Services = slices.DeleteFunc(in.Services, func(s *linkwork.LandscapeService) bool { return s.ID == 40 })
	l = analyse(t, in, 0)
	for _, g := range l.Gaps {
		if g.Neighbourhood.Code == nh4 && g.Need == "housing" {
			t.Errorf("gap %s", gapLine(g))
		}
	}
}

// TestAnalyseLandscapeGapsGroupRequests counts the open requests groups made for each
// neighbourhood and need, and ranks gaps by them after deprivation and demand.
func TestAnalyseLandscapeGapsGroupRequests(t *testing.T) {
	in := landscapeFixture()
	request := func(hood, need string, status linkwork.RequestStatus) *linkwork.GroupRequest {
		return &linkwork.GroupRequest{NeighbourhoodCode: hood, Need: need, Status: status, Kind: linkwork.RequestSpace}
	}
	in.Requests = []*linkwork.GroupRequest{
		request(nh2, "money_debt", linkwork.RequestOpen),
		request(nh2, "money_debt", linkwork.RequestOpen),
		request(nh2, "housing", linkwork.RequestOpen),
		request(nh3, "housing", linkwork.RequestOpen),
		request(nh3, "housing", linkwork.RequestOpen),
		request(nh3, "housing", linkwork.RequestOpen),
		// Not counted: closed, without a need, without a neighbourhood, or not a gap.
		request(nh2, "loneliness", linkwork.RequestWithdrawn),
		request(nh2, "loneliness", linkwork.RequestMet),
		request(nh2, "", linkwork.RequestOpen),
		request("", "loneliness", linkwork.RequestOpen),
		request(nh1, "food", linkwork.RequestOpen),
	}
	l := analyse(t, in, 0)
	var got []string
	for _, g := range l.Gaps {
		if d := g.Neighbourhood.IMDDecile; d == 1 || d == 2 {
			got = append(got, fmt.Sprintf("%s %s demand %d requests %d", g.Neighbourhood.Code, g.Need, g.Demand, g.GroupRequests))
		}
	}
	want := []string{
		// Decile 1: demand first, then requests: 3's housing (three requests) comes before
		// the needs nobody asked for, but after those referred for.
		nh3 + " money_debt demand 7 requests 0",
		nh1 + " housing demand 4 requests 0",
		nh3 + " housing demand 0 requests 3",
		nh1 + " mental_wellbeing demand 0 requests 0",
		nh3 + " mental_wellbeing demand 0 requests 0",
		// Decile 2: no demand, so the requests order them, then the need's order.
		nh2 + " money_debt demand 0 requests 2",
		nh2 + " housing demand 0 requests 1",
		nh2 + " loneliness demand 0 requests 0",
		nh2 + " mental_wellbeing demand 0 requests 0",
	}
	if !slices.Equal(got, want) {
		t.Errorf("gaps:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
