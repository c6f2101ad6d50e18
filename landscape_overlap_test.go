package linkwork_test

import (
	"fmt"
	"reflect"
	"slices"
	"testing"

	"linkwork"
)

func TestAnalyseLandscapeOverlaps(t *testing.T) {
	l := analyse(t, landscapeFixture(), 0)
	// Active schemes cover: 10 {1,2}, 20 {1,2,3}, 30 {1,2,3}, 40 everything, 50 {3}.
	// Needs: 10 {loneliness, mental wellbeing, money}, 20 {loneliness, mental wellbeing},
	// 30 {loneliness, money}, 40 {housing}, 50 {loneliness}. 40 shares no need with any;
	// 10 and 50 share no neighbourhood; 60 is closed.
	type want struct {
		a, b   int64
		hoods  []string
		share  float64
		needs  []string
		groups []string
		score  float64
	}
	wants := []want{
		// 2 shared of 10's 2; needs 2 of 3.
		{10, 20, []string{nh1, nh2}, 1, []string{"loneliness", "mental_wellbeing"}, []string{"older_people", "carers"}, 0.667},
		{10, 30, []string{nh1, nh2}, 1, []string{"loneliness", "money_debt"}, []string{"older_people"}, 0.667},
		// 1 shared of 50's 1; needs 1 of 2; 50 is for everyone, so the groups are 20's.
		{20, 50, []string{nh3}, 1, []string{"loneliness"}, []string{"older_people", "carers"}, 0.5},
		{30, 50, []string{nh3}, 1, []string{"loneliness"}, []string{"older_people"}, 0.5},
		// 3 of 3, in coverage order; needs 1 of 3.
		{20, 30, []string{nh1, nh3, nh2}, 1, []string{"loneliness"}, []string{"older_people"}, 0.333},
	}
	if len(l.Overlaps) != len(wants) {
		for _, o := range l.Overlaps {
			t.Logf("%v %v %v", o.SchemeIDs, o.Neighbourhoods, o.Score)
		}
		t.Fatalf("%d overlaps, want %d", len(l.Overlaps), len(wants))
	}
	for i, w := range wants {
		o := l.Overlaps[i]
		got := want{o.SchemeIDs[0], o.SchemeIDs[1], o.Neighbourhoods, o.Share, o.Needs, o.ClientGroups, o.Score}
		if !reflect.DeepEqual(got, w) {
			t.Errorf("overlap %d = %+v\nwant %+v", i, got, w)
		}
		if o.A != l.Service(w.a) || o.B != l.Service(w.b) {
			t.Errorf("overlap %d: A and B are not the schemes", i)
		}
	}
	// All five score at least 0.25 and link 10, 20, 30 and 50; 10 and 50 share no
	// neighbourhood, so the group shares none; all list loneliness.
	wantGroups := []*linkwork.CollaborationGroup{{SchemeIDs: []int64{10, 20, 30, 50}, Neighbourhoods: []string{}, Needs: []string{"loneliness"}}}
	if !reflect.DeepEqual(l.Groups, wantGroups) {
		t.Errorf("groups = %+v", l.Groups[0])
	}
}

// schemeIn makes an active scheme with the areas and needs.
func schemeIn(id int64, areas, needs, groups []string) *linkwork.LandscapeService {
	return &linkwork.LandscapeService{ID: id, Name: fmt.Sprint("Scheme ", id), Kind: linkwork.KindScheme,
		Status: linkwork.StatusActive, Areas: areas, Needs: needs, ClientGroups: groups}
}

func TestAnalyseLandscapeShareAndScore(t *testing.T) {
	in := landscapeFixture()
	// Ward E05000001 is 1 and 2; district HX3 is 3 and 5; LA E08000033 is all but 6.
	in.Services = []*linkwork.LandscapeService{
		schemeIn(1, []string{"E05000001", "HX3"}, []string{"loneliness", "money_debt", "housing"}, []string{"carers"}), // 1, 2, 3, 5
		schemeIn(2, []string{"E08000033"}, []string{"loneliness", "mental_wellbeing"}, []string{"older_people"}),       // 1-5
		schemeIn(3, []string{"HX3 0"}, []string{"housing", "mental_wellbeing"}, []string{"everyone", "men"}),           // 5
		schemeIn(4, []string{"BD3"}, []string{"loneliness"}, nil),                                                      // 6
		schemeIn(5, []string{"HX2"}, nil, nil),                                                                         // 4, no needs
	}
	l := analyse(t, in, 0)
	type pair struct {
		a, b   int64
		share  float64
		score  float64
		groups []string
	}
	var got []pair
	for _, o := range l.Overlaps {
		got = append(got, pair{o.SchemeIDs[0], o.SchemeIDs[1], o.Share, o.Score, o.ClientGroups})
	}
	want := []pair{
		// 2 and 3: 1 shared of min(5, 1); needs {mental wellbeing} of 3 → 0.333; 3 is for
		// everyone (it lists "everyone"), so the groups are 2's.
		{2, 3, 1, 0.333, []string{"older_people"}},
		// 1 and 2: 4 shared of min(4, 5); needs {loneliness} of 4 → 0.25; no group in common.
		{1, 2, 1, 0.25, []string{}},
		// 1 and 3: 1 shared of min(4, 1); needs {housing} of 4 → 0.25.
		{1, 3, 1, 0.25, []string{"carers"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("overlaps = %+v\nwant %+v", got, want)
	}
	// 1-2 at 0.25 exactly and 2-3 link 1, 2 and 3 (1-3 too); 4 and 5 overlap nothing.
	// Shared by all: neighbourhood 5 (HX3 0BB); no need is listed by all three.
	wantGroups := []*linkwork.CollaborationGroup{{SchemeIDs: []int64{1, 2, 3}, Neighbourhoods: []string{nh5}, Needs: []string{}}}
	if !reflect.DeepEqual(l.Groups, wantGroups) {
		t.Errorf("groups = %+v", l.Groups)
	}

	// Below the group score, no group: with a fourth need for 1 its scores fall to 0.2.
	in.Services[0].Needs = append(in.Services[0].Needs, "food")
	l = analyse(t, in, 0)
	if len(l.Groups) != 0 || len(l.Overlaps) != 3 || l.Overlaps[1].Score != 0.2 {
		t.Errorf("groups %+v, overlaps %d, second score %v", l.Groups, len(l.Overlaps), l.Overlaps[1].Score)
	}
}

func TestAnalyseLandscapeGroups(t *testing.T) {
	in := landscapeFixture()
	lon := []string{"loneliness"}
	in.Services = []*linkwork.LandscapeService{
		// A chain 1-2-3 linked by identical areas and needs, and a separate pair 7-8.
		schemeIn(1, []string{"HX1"}, lon, nil),
		schemeIn(2, []string{"HX1", "HX3"}, lon, nil),
		schemeIn(3, []string{"HX3"}, lon, nil),
		schemeIn(7, []string{"BD3"}, []string{"housing"}, nil),
		schemeIn(8, []string{"BD3"}, []string{"housing"}, nil),
		// A group of four with everything shared: 10-13 cover the whole place and list two needs.
		schemeIn(10, nil, []string{"money_debt", "mental_wellbeing"}, nil),
		schemeIn(11, nil, []string{"money_debt", "mental_wellbeing"}, nil),
		schemeIn(12, []string{"E08000033", "E08000032"}, []string{"mental_wellbeing", "money_debt"}, nil),
		schemeIn(13, nil, []string{"money_debt", "mental_wellbeing"}, nil),
	}
	l := analyse(t, in, 0)
	all := []string{nh1, nh3, nh2, nh6, nh5, nh4}
	want := []*linkwork.CollaborationGroup{
		{SchemeIDs: []int64{10, 11, 12, 13}, Neighbourhoods: all, Needs: []string{"mental_wellbeing", "money_debt"}},
		// 1 and 3 share nothing, but both overlap 2 completely.
		{SchemeIDs: []int64{1, 2, 3}, Neighbourhoods: []string{}, Needs: []string{"loneliness"}},
	}
	if !reflect.DeepEqual(l.Groups, want) {
		for _, g := range l.Groups {
			t.Logf("%+v", g)
		}
		t.Error("groups are wrong")
	}
	// Every overlap scores 1; by IDs: 1-2, 2-3, 7-8, then the 4 choose 2 pairs of 10-13,
	// which share everything.
	var pairs [][2]int64
	for _, o := range l.Overlaps {
		pairs = append(pairs, o.SchemeIDs)
		if o.Score != 1 || o.Share != 1 {
			t.Errorf("overlap %v scores %v, share %v", o.SchemeIDs, o.Score, o.Share)
		}
		if o.SchemeIDs[0] >= 10 && !slices.Equal(o.Neighbourhoods, all) {
			t.Errorf("overlap %v shares %v", o.SchemeIDs, o.Neighbourhoods)
		}
	}
	wantPairs := [][2]int64{{1, 2}, {2, 3}, {7, 8}, {10, 11}, {10, 12}, {10, 13}, {11, 12}, {11, 13}, {12, 13}}
	if !slices.Equal(pairs, wantPairs) {
		t.Errorf("pairs = %v", pairs)
	}
}

// TestAnalyseLandscapeOverlapsBruteForce compares the overlaps with every pair of schemes
// compared directly, on random places where many schemes cover the whole place.
func TestAnalyseLandscapeOverlapsBruteForce(t *testing.T) {
	for seed := range uint64(4) {
		in := syntheticLandscape(seed, 60, 150, 300)
		if seed%2 == 1 {
			// Many whole-place schemes, and some covering nothing.
			for i, s := range in.Services {
				if s.Kind == linkwork.KindScheme && i%3 == 0 {
					s.Areas = nil
				}
				if s.Kind == linkwork.KindScheme && i%7 == 0 {
					s.Areas = []string{"ZZ9"}
				}
			}
		}
		l := analyse(t, in, 0)
		cover := map[int64]map[string]bool{}
		for _, r := range l.Coverage {
			for _, id := range r.SchemeIDs {
				if cover[id] == nil {
					cover[id] = map[string]bool{}
				}
				cover[id][r.Neighbourhood.Code] = true
			}
		}
		var schemes []*linkwork.LandscapeService
		for _, s := range in.Services {
			if s.Kind == linkwork.KindScheme && s.Status == linkwork.StatusActive {
				schemes = append(schemes, s)
			}
		}
		slices.SortFunc(schemes, func(a, b *linkwork.LandscapeService) int { return int(a.ID - b.ID) })
		type key [2]int64
		want := map[key]float64{}
		for i, a := range schemes {
			for _, b := range schemes[i+1:] {
				shared := 0
				for c := range cover[a.ID] {
					if cover[b.ID][c] {
						shared++
					}
				}
				both, either := 0, len(b.Needs)
				for _, n := range a.Needs {
					if slices.Contains(b.Needs, n) {
						both++
					} else {
						either++
					}
				}
				if shared > 0 && both > 0 {
					share := float64(shared) / float64(min(len(cover[a.ID]), len(cover[b.ID])))
					want[key{a.ID, b.ID}] = share * float64(both) / float64(either)
				}
			}
		}
		if len(l.Overlaps) != len(want) {
			t.Fatalf("seed %d: %d overlaps, want %d", seed, len(l.Overlaps), len(want))
		}
		for i, o := range l.Overlaps {
			w, ok := want[key(o.SchemeIDs)]
			if !ok || o.Score != float64(int(w*1000+0.5))/1000 {
				t.Fatalf("seed %d: overlap %v scores %v, want %v (%v)", seed, o.SchemeIDs, o.Score, w, ok)
			}
			if len(o.Neighbourhoods) == 0 || len(o.Needs) == 0 {
				t.Fatalf("seed %d: overlap %v lists nothing", seed, o.SchemeIDs)
			}
			for _, c := range o.Neighbourhoods {
				if !cover[o.SchemeIDs[0]][c] || !cover[o.SchemeIDs[1]][c] {
					t.Fatalf("seed %d: overlap %v lists %s", seed, o.SchemeIDs, c)
				}
			}
			if i > 0 {
				p := l.Overlaps[i-1]
				if p.Score < o.Score || p.Score == o.Score && (p.SchemeIDs[0] > o.SchemeIDs[0] ||
					p.SchemeIDs[0] == o.SchemeIDs[0] && p.SchemeIDs[1] > o.SchemeIDs[1]) {
					t.Fatalf("seed %d: %v before %v", seed, p.SchemeIDs, o.SchemeIDs)
				}
			}
		}
	}
}
