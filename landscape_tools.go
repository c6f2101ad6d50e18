package linkwork

import (
	"cmp"
	"math"
	"slices"
	"strings"
)

// notStated names the schemes whose funding or model is not recorded.
const notStated = "Not stated"

// nameGroups gathers schemes under names written freely (a system, a tool, a funder),
// treating names that differ only in case or spacing as one.
type nameGroups struct {
	groups map[string]*nameGroup // by key: lower case, single spaces
}

type nameGroup struct {
	key       string
	spellings map[string]int
	ids       []int64
}

// nameKey is how free-written names are compared: ignoring case and runs of spaces.
func nameKey(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// add puts the scheme under the name; a scheme is listed once under each name however
// many times it writes it. Schemes must be added in ascending order of ID.
func (n *nameGroups) add(name string, id int64) {
	if n.groups == nil {
		n.groups = make(map[string]*nameGroup)
	}
	key := nameKey(name)
	g := n.groups[key]
	if g == nil {
		g = &nameGroup{key: key, spellings: make(map[string]int)}
		n.groups[key] = g
	}
	if len(g.ids) > 0 && g.ids[len(g.ids)-1] == id {
		return
	}
	g.spellings[strings.Join(strings.Fields(name), " ")]++
	g.ids = append(g.ids, id)
}

// list returns the groups as names and schemes, the most schemes first, then by name, and
// last the group named last (notStated) if any. Each is named by its most common spelling,
// the first alphabetically among equals.
func (n *nameGroups) list(last string) []*NamedCount {
	type named struct {
		*NamedCount
		key  string
		last bool
	}
	gs := make([]named, 0, len(n.groups))
	for _, g := range n.groups {
		best, count := "", 0
		for s, c := range g.spellings {
			if c > count || c == count && s < best {
				best, count = s, c
			}
		}
		gs = append(gs, named{&NamedCount{Name: best, SchemeIDs: g.ids}, g.key, last != "" && g.key == nameKey(last)})
	}
	slices.SortFunc(gs, func(x, y named) int {
		return cmp.Or(falseFirst(x.last, y.last), cmp.Compare(len(y.SchemeIDs), len(x.SchemeIDs)),
			strings.Compare(x.key, y.key), strings.Compare(x.Name, y.Name))
	})
	out := make([]*NamedCount, len(gs))
	for i, g := range gs {
		out[i] = g.NamedCount
	}
	return out
}

// falseFirst orders false before true.
func falseFirst(x, y bool) int {
	switch {
	case x == y:
		return 0
	case x:
		return 1
	}
	return -1
}

// noSystem reports whether an electronic system names none.
func noSystem(s string) bool {
	k := nameKey(s)
	return k == "" || k == "none"
}

// fragmentation gathers the electronic systems and assessment tools of every connector
// scheme of the place, whatever its status.
func (a *landscapeAnalysis) fragmentation() *Fragmentation {
	var systems, tools nameGroups
	f := &Fragmentation{SchemesWithoutSystem: []int64{}}
	for _, s := range a.all {
		if s.Kind != KindScheme {
			continue
		}
		if s.Scheme == nil || noSystem(s.Scheme.ElectronicSystem) {
			f.SchemesWithoutSystem = append(f.SchemesWithoutSystem, s.ID)
		} else {
			systems.add(s.Scheme.ElectronicSystem, s.ID)
		}
		if s.Scheme != nil {
			for _, t := range s.Scheme.AssessmentTools {
				if !noSystem(t) {
					tools.add(t, s.ID)
				}
			}
		}
	}
	f.Systems, f.Tools = toolUses(systems.list("")), toolUses(tools.list(""))
	return f
}

func toolUses(named []*NamedCount) []*ToolUse {
	out := make([]*ToolUse, len(named))
	for i, n := range named {
		out[i] = &ToolUse{Name: n.Name, SchemeIDs: n.SchemeIDs}
	}
	return out
}

// sectors counts the place's organisations, and its schemes and community offers of every
// status, by sector (a sector linkwork does not know counts as other), and the schemes by
// funding source and model.
func (a *landscapeAnalysis) sectors() *SectorSummary {
	sum := &SectorSummary{BySector: make([]*SectorCount, len(Sectors))}
	at := make(map[Sector]*SectorCount, len(Sectors))
	for i, s := range Sectors {
		sum.BySector[i] = &SectorCount{Sector: s, SchemeIDs: []int64{}}
		at[s] = sum.BySector[i]
	}
	of := func(s Sector) *SectorCount {
		if c := at[s]; c != nil {
			return c
		}
		return at[SectorOther]
	}
	for _, o := range a.in.Organisations {
		if o != nil {
			of(o.Sector).Organisations++
		}
	}
	var funding, models nameGroups
	staff := 0.0
	for _, s := range a.all {
		switch s.Kind {
		case KindActivity:
			of(s.Sector).Offers++
		case KindScheme:
			c := of(s.Sector)
			c.Schemes++
			c.SchemeIDs = append(c.SchemeIDs, s.ID)
			fund, model := notStated, notStated
			if s.Scheme != nil {
				if strings.TrimSpace(s.Scheme.FundingSource) != "" {
					fund = s.Scheme.FundingSource
				}
				if l := s.Scheme.Model.Label(); l != "" {
					model = l
				}
				staff += s.Scheme.StaffFTE
			}
			funding.add(fund, s.ID)
			models.add(model, s.ID)
		}
	}
	sum.ByFunding, sum.ByModel = funding.list(notStated), models.list(notStated)
	sum.StaffFTE = math.Round(staff*100) / 100
	return sum
}
