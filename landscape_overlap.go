package linkwork

import (
	"cmp"
	"math"
	"math/bits"
	"slices"
)

// overlapPair is two schemes (by number, a < b) that cover count neighbourhoods and list
// shared needs in common.
type overlapPair struct {
	a, b, count, shared int32
	milli               int32 // the score in thousandths
	share               float64
}

// overlaps finds every pair of active schemes that covers a neighbourhood in common and
// lists a need in common, and the collaboration groups they form.
//
// Comparing every pair of schemes would be quadratic (12.5 million pairs for 5,000 schemes),
// so the pairs are found from the neighbourhoods instead: for each scheme, the schemes after
// it in each neighbourhood it covers are counted, which gives the pairs that share at least
// one neighbourhood and how many. A scheme covering the whole place would be counted in
// every neighbourhood, so such schemes are paired with the others directly: they share all
// of the other's neighbourhoods.
func (a *landscapeAnalysis) overlaps() ([]*SchemeOverlap, []*CollaborationGroup) {
	ns, nr := len(a.schemes), len(a.hoods)
	words := (len(a.terms.needs) + 63) / 64
	needBits := make([]uint64, ns*words)
	for s, sc := range a.schemes {
		for _, c := range sc.Needs {
			p := a.terms.needPos[c]
			needBits[s*words+p/64] |= 1 << (p % 64)
		}
	}
	needsOf := func(s int) []uint64 { return needBits[s*words : (s+1)*words] }
	sharedNeeds := func(x, y int) (both, either int) {
		bx, by := needsOf(x), needsOf(y)
		for w := range bx {
			both += bits.OnesCount64(bx[w] & by[w])
			either += bits.OnesCount64(bx[w] | by[w])
		}
		return both, either
	}

	full := make([]bool, ns)
	var fulls []int32
	for s := range ns {
		if nr > 0 && len(a.schemeCover.at(s)) == nr {
			full[s] = true
			fulls = append(fulls, int32(s))
		}
	}
	// partial lists, for each row, the schemes covering it that do not cover everything.
	partial := newIntLists(nr)
	var buf []int32
	for r := range nr {
		buf = buf[:0]
		for _, s := range a.rowSchemes.at(r) {
			if !full[s] {
				buf = append(buf, s)
			}
		}
		partial.add(buf)
	}

	var pairs []overlapPair
	consider := func(x, y int, count int) {
		both, either := sharedNeeds(x, y)
		if both == 0 || count == 0 {
			return
		}
		share := float64(count) / float64(min(len(a.schemeCover.at(x)), len(a.schemeCover.at(y))))
		pairs = append(pairs, overlapPair{a: int32(x), b: int32(y), count: int32(count), shared: int32(both),
			milli: int32(math.Round(share * float64(both) / float64(either) * 1000)), share: share})
	}
	counts := make([]int32, ns)
	var touched []int32
	for x := range ns {
		cover := a.schemeCover.at(x)
		if len(cover) == 0 {
			continue
		}
		if full[x] {
			for y := x + 1; y < ns; y++ {
				consider(x, y, len(a.schemeCover.at(y)))
			}
			continue
		}
		touched = touched[:0]
		for _, r := range cover {
			list := partial.at(int(r))
			i, _ := slices.BinarySearch(list, int32(x))
			for _, y := range list[i+1:] {
				if counts[y] == 0 {
					touched = append(touched, y)
				}
				counts[y]++
			}
		}
		i, _ := slices.BinarySearch(fulls, int32(x))
		for _, y := range fulls[i:] {
			touched = append(touched, y)
			counts[y] = int32(len(cover))
		}
		for _, y := range touched {
			consider(x, int(y), int(counts[y]))
			counts[y] = 0
		}
	}
	// Biggest score first, then by IDs (the schemes are numbered in order of ID).
	slices.SortFunc(pairs, func(p, q overlapPair) int {
		switch {
		case p.milli != q.milli:
			return int(q.milli - p.milli)
		case p.a != q.a:
			return int(p.a - q.a)
		}
		return int(p.b - q.b)
	})

	groups := a.schemeGroups()
	total := 0
	for _, p := range pairs {
		total += int(p.count)
	}
	codes := make([]string, 0, total)
	store := make([]SchemeOverlap, len(pairs))
	out := make([]*SchemeOverlap, len(pairs))
	var shared, common []int32
	for i, p := range pairs {
		x, y := int(p.a), int(p.b)
		cx, cy := a.schemeCover.at(x), a.schemeCover.at(y)
		switch {
		case full[x]:
			shared = cy
		case full[y]:
			shared = cx
		default:
			common = intersectSorted(cx, cy, common[:0])
			shared = common
		}
		start := len(codes)
		for _, r := range shared {
			codes = append(codes, a.hoods[r].Code)
		}
		o := &store[i]
		o.A, o.B = a.schemes[x], a.schemes[y]
		o.SchemeIDs = [2]int64{o.A.ID, o.B.ID}
		o.Neighbourhoods = codes[start:len(codes):len(codes)]
		o.Share = p.share
		o.Needs = a.commonNeeds(needsOf(x), needsOf(y), int(p.shared))
		o.ClientGroups = a.commonGroups(groups[x], groups[y])
		o.Score = float64(p.milli) / 1000
		out[i] = o
	}
	return out, a.groups(out, needsOf, full)
}

// intersectSorted appends to out the numbers in both ascending lists.
func intersectSorted(x, y, out []int32) []int32 {
	for i, j := 0, 0; i < len(x) && j < len(y); {
		switch {
		case x[i] < y[j]:
			i++
		case x[i] > y[j]:
			j++
		default:
			out = append(out, x[i])
			i, j = i+1, j+1
		}
	}
	return out
}

// commonNeeds returns the codes of the needs in both sets, in the taxonomy's order.
func (a *landscapeAnalysis) commonNeeds(x, y []uint64, n int) []string {
	out := make([]string, 0, n)
	for w := range x {
		for b := x[w] & y[w]; b != 0; b &= b - 1 {
			out = append(out, a.terms.needs[w*64+bits.TrailingZeros64(b)])
		}
	}
	return out
}

// everyoneGroup is the client group of an offer for everyone; a scheme with no client
// groups is for everyone too.
const everyoneGroup = "everyone"

// schemeGroups returns each scheme's client groups, each once in the taxonomy's order, or
// nil for a scheme for everyone: one with no client groups, or listing "everyone".
func (a *landscapeAnalysis) schemeGroups() [][]string {
	out := make([][]string, len(a.schemes))
	for s, sc := range a.schemes {
		if len(sc.ClientGroups) == 0 || slices.Contains(sc.ClientGroups, everyoneGroup) {
			continue
		}
		gs := slices.Clone(sc.ClientGroups)
		slices.SortFunc(gs, func(p, q string) int { return cmp.Compare(a.terms.groupPos[p], a.terms.groupPos[q]) })
		out[s] = slices.Compact(gs)
	}
	return out
}

// commonGroups returns the client groups two schemes are both for, in the taxonomy's order,
// from their schemeGroups: a scheme for everyone shares all the other's groups, and two
// schemes for everyone share "everyone".
func (a *landscapeAnalysis) commonGroups(x, y []string) []string {
	switch {
	case x == nil && y == nil:
		return []string{everyoneGroup}
	case x == nil:
		return slices.Clone(y)
	case y == nil:
		return slices.Clone(x)
	}
	out := make([]string, 0, min(len(x), len(y)))
	for i, j := 0, 0; i < len(x) && j < len(y); {
		switch px, py := a.terms.groupPos[x[i]], a.terms.groupPos[y[j]]; {
		case px < py:
			i++
		case px > py:
			j++
		default:
			out = append(out, x[i])
			i, j = i+1, j+1
		}
	}
	return out
}

// groups joins the pairs scoring at least GroupScore into connected groups, and returns
// those of three or more schemes, the largest first, with the neighbourhoods and needs
// every member shares.
func (a *landscapeAnalysis) groups(overlaps []*SchemeOverlap, needsOf func(int) []uint64, full []bool) []*CollaborationGroup {
	parent := make([]int32, len(a.schemes))
	for i := range parent {
		parent[i] = int32(i)
	}
	find := func(x int32) int32 {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	pos := make(map[int64]int32, len(a.schemes))
	for s, sc := range a.schemes {
		pos[sc.ID] = int32(s)
	}
	for _, o := range overlaps {
		if o.Score < GroupScore {
			break // sorted by score
		}
		x, y := find(pos[o.SchemeIDs[0]]), find(pos[o.SchemeIDs[1]])
		if x != y {
			parent[max(x, y)] = min(x, y)
		}
	}
	members := make(map[int32][]int32)
	for s := range a.schemes {
		root := find(int32(s))
		members[root] = append(members[root], int32(s))
	}
	out := []*CollaborationGroup{}
	inAll := make([]int32, len(a.hoods))
	for _, m := range members {
		if len(m) < 3 {
			continue
		}
		g := &CollaborationGroup{SchemeIDs: idsOf(a.schemes, m)}
		need := slices.Clone(needsOf(int(m[0])))
		partial := 0
		for _, s := range m {
			for w, b := range needsOf(int(s)) {
				need[w] &= b
			}
			if full[s] {
				continue
			}
			partial++
			for _, r := range a.schemeCover.at(int(s)) {
				inAll[r]++
			}
		}
		var rows []int32
		for r := range a.hoods {
			if int(inAll[r]) == partial {
				rows = append(rows, int32(r))
			}
			inAll[r] = 0
		}
		g.Neighbourhoods = a.codesOf(rows)
		n := 0
		for _, b := range need {
			n += bits.OnesCount64(b)
		}
		g.Needs = a.commonNeeds(need, need, n)
		out = append(out, g)
	}
	slices.SortFunc(out, func(p, q *CollaborationGroup) int {
		return cmp.Or(cmp.Compare(len(q.SchemeIDs), len(p.SchemeIDs)), cmp.Compare(p.SchemeIDs[0], q.SchemeIDs[0]))
	})
	return out
}
