package linkwork

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// RouteRequest is what routing knows about a person: enough to say which connector schemes
// could take them.
type RouteRequest struct {
	PlaceID int64
	// Postcode is the person's postcode, looked up; nil when it could not be.
	Postcode *PostcodeInfo
	// Age is in whole years, or -1 when unknown.
	Age            int
	NeedIDs        []int64
	ClientGroupIDs []int64
	ReferrerType   ReferrerType
}

// RouteOption is one connector scheme, with whether it can take the person and why.
type RouteOption struct {
	Scheme   *Service        `json:"-"`
	SchemeID int64           `json:"scheme_id"`
	Name     string          `json:"name"`
	Capacity *SchemeCapacity `json:"capacity,omitempty"`
	// Eligible is false when something rules the scheme out; Excluded then says what.
	Eligible bool     `json:"eligible"`
	Reasons  []string `json:"reasons"`
	Excluded []string `json:"excluded"`
	// AreaChecked is false when the scheme names its areas in words routing cannot place
	// (ward names without codes), so the triager should check.
	AreaChecked bool `json:"area_checked"`
	// NeedsMatched counts the person's needs the scheme lists.
	NeedsMatched int `json:"needs_matched"`
	Score        int `json:"score"`
}

// Route ranks a place's connector schemes for a person. A scheme is ruled out when it is not
// running, does not take referrals from this kind of referrer, is for other ages or client
// groups, or covers areas that do not include the person's postcode. The rest are ranked by
// how many of the person's needs they list, whether their area was confirmed, and their
// capacity and wait. Every option says why: the ones ruled out too, so that a referrer can
// see why a scheme they expected is missing.
func Route(req RouteRequest, schemes []*Service, capacity map[int64]*SchemeCapacity) []RouteOption {
	out := make([]RouteOption, 0, len(schemes))
	for _, s := range schemes {
		if s.Kind != KindScheme || s.Scheme == nil {
			continue
		}
		o := RouteOption{Scheme: s, SchemeID: s.ID, Name: s.Name, Capacity: capacity[s.ID], Eligible: true, AreaChecked: true,
			Reasons: []string{}, Excluded: []string{}}
		exclude := func(format string, args ...any) {
			o.Eligible = false
			o.Excluded = append(o.Excluded, fmt.Sprintf(format, args...))
		}
		if s.Status != StatusActive {
			exclude("It is %s.", strings.ToLower(s.Status.Label()))
		}
		if who := s.Scheme.WhoCanRefer; len(who) > 0 && !slices.Contains(who, req.ReferrerType) {
			names := make([]string, len(who))
			for i, w := range who {
				names[i] = strings.ToLower(w.Label())
			}
			exclude("It takes referrals only from: %s.", strings.Join(names, ", "))
		}
		if req.Age >= 0 {
			if s.MinAge != nil && req.Age < *s.MinAge {
				exclude("It is for people aged %d and over; the person is %d.", *s.MinAge, req.Age)
			}
			if s.MaxAge != nil && req.Age > *s.MaxAge {
				exclude("It is for people aged up to %d; the person is %d.", *s.MaxAge, req.Age)
			}
		}
		var groups []TaxonomyTerm
		var needs []string
		for _, t := range s.Terms {
			switch t.TaxonomyCode {
			case TaxonomyClientGroup:
				groups = append(groups, t)
			case TaxonomyNeed:
				if slices.Contains(req.NeedIDs, t.ID) {
					needs = append(needs, strings.ToLower(t.Name))
				}
			}
		}
		if len(groups) > 0 && !slices.ContainsFunc(groups, func(t TaxonomyTerm) bool { return t.Code == "everyone" }) {
			match := slices.ContainsFunc(groups, func(t TaxonomyTerm) bool { return slices.Contains(req.ClientGroupIDs, t.ID) })
			names := make([]string, len(groups))
			for i, g := range groups {
				names[i] = strings.ToLower(g.Name)
			}
			if match {
				o.Reasons = append(o.Reasons, "It is for "+strings.Join(names, ", ")+", as the person is.")
			} else {
				exclude("It is only for %s.", strings.Join(names, ", "))
			}
		}
		switch AreaCovers(s.Areas, req.Postcode) {
		case AreaYes:
			if len(s.Areas) == 0 {
				o.Reasons = append(o.Reasons, "It covers the whole place.")
			} else {
				o.Reasons = append(o.Reasons, "It covers "+req.Postcode.Postcode+".")
			}
		case AreaNo:
			exclude("It covers %s, which does not include %s.", strings.Join(s.Areas, ", "), req.Postcode.Postcode)
		case AreaUnknown:
			o.AreaChecked = false
			o.Reasons = append(o.Reasons, "It covers "+strings.Join(s.Areas, ", ")+": check that this includes where the person lives.")
		}
		o.NeedsMatched = len(needs)
		if len(needs) > 0 {
			o.Reasons = append(o.Reasons, "It helps with "+strings.Join(needs, ", ")+".")
		} else {
			o.Reasons = append(o.Reasons, "It does not list any of the person's needs.")
		}
		if c := o.Capacity; c != nil {
			switch {
			case c.Free > 0 && c.Waiting == 0:
				o.Reasons = append(o.Reasons, fmt.Sprintf("It has room for %d more people now.", c.Free))
			case c.ExpectedWaitDays > 0:
				o.Reasons = append(o.Reasons, fmt.Sprintf("%d people are waiting; the expected wait is about %s.", c.Waiting, Days(c.ExpectedWaitDays)))
			}
		}
		// Needs matter most; then a confirmed area, then room now, then a short wait.
		o.Score = 100*o.NeedsMatched + 20
		if !o.AreaChecked {
			o.Score -= 20
		}
		if c := o.Capacity; c != nil {
			if c.Free > 0 && c.Waiting == 0 {
				o.Score += 10
			}
			o.Score -= min(c.ExpectedWaitDays/7, 19)
		} else {
			o.Score -= min(s.Scheme.WaitingWeeks, 19)
		}
		out = append(out, o)
	}
	slices.SortStableFunc(out, func(a, b RouteOption) int {
		if a.Eligible != b.Eligible {
			if a.Eligible {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.Name, b.Name))
	})
	return out
}

// Days says a number of days in words: "3 days", "2 weeks".
func Days(n int) string {
	switch {
	case n == 1:
		return "1 day"
	case n < 14:
		return fmt.Sprintf("%d days", n)
	}
	return fmt.Sprintf("%d weeks", (n+3)/7)
}

// AreaMatch is whether a scheme's areas include a postcode.
type AreaMatch int

// The answers AreaCovers gives.
const (
	AreaYes     AreaMatch = iota // the areas include the postcode, or there are none (the whole place)
	AreaNo                       // they are all places routing can check, and none includes it
	AreaUnknown                  // some are names routing cannot place, and none of the others includes it
)

// AreaCovers says whether areas include a postcode. An area is understood when it is a
// postcode district ("HX7"), a postcode sector ("HX7 5"), or an ONS code of a ward (E05…),
// LSOA (E01…) or local authority (E06…, E07…, E08…, E09…); other areas (neighbourhood or
// ward names) cannot be placed without a boundary, so they make the answer AreaUnknown
// rather than AreaNo. No areas means the whole place. A nil postcode is AreaUnknown unless
// there are no areas.
func AreaCovers(areas []string, pc *PostcodeInfo) AreaMatch {
	if len(areas) == 0 {
		return AreaYes
	}
	if pc == nil {
		return AreaUnknown
	}
	outward, inward, _ := strings.Cut(pc.Postcode, " ")
	sector := outward
	if inward != "" {
		sector += " " + inward[:1]
	}
	unknown := false
	for _, a := range areas {
		a = strings.ToUpper(strings.Join(strings.Fields(a), " "))
		switch {
		case a == outward, a == sector, a != "" && (a == pc.Ward || a == pc.LSOA || a == pc.LocalAuthority):
			return AreaYes
		case isPostcodeArea(a), isGSSCode(a):
		default:
			unknown = true
		}
	}
	if unknown {
		return AreaUnknown
	}
	return AreaNo
}

// isPostcodeArea reports whether s is a postcode district ("HX7", "M1", "EC1A") or sector
// ("HX7 5").
func isPostcodeArea(s string) bool {
	outward, inward, hasInward := strings.Cut(s, " ")
	if hasInward && (len(inward) != 1 || !isDigit(inward[0])) {
		return false
	}
	return validOutward([]byte(outward))
}

// isGSSCode reports whether s looks like an ONS (GSS) code: a letter and eight digits.
func isGSSCode(s string) bool {
	if len(s) != 9 || !isLetter(s[0]) {
		return false
	}
	for i := 1; i < 9; i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}
