package linkwork_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"linkwork"
)

// syntheticRegion describes a made-up region, built the same way each time for a seed:
// neighbourhoods on a jittered grid spacingKm apart, in three local authorities, 25 to a
// postcode district and 5 to a ward; connector schemes with every kind of area (LSOAs,
// wards, sectors, districts, a local authority, none, names that cannot be placed); and
// community offers with venues near the neighbourhoods, a few with areas instead, without
// coordinates, or with nothing.
type syntheticRegion struct {
	seed                   uint64
	hoods, schemes, offers int
	// spacingKm is 1.2 for a region as dense as West Yorkshire (0.7 LSOAs a square
	// kilometre), 0.7 for a city.
	spacingKm float64
	// wideSchemes gives schemes large areas (districts and more), so that at 1,000
	// neighbourhoods and 5,000 schemes each neighbourhood has about 400 schemes; without it
	// most schemes cover a few LSOAs, wards or a sector, and each neighbourhood has about 60.
	wideSchemes bool
}

// syntheticLandscape is a small wide-scheme region for the tests that compare the analysis
// with brute force: every kind of area is common in it.
func syntheticLandscape(seed uint64, nHoods, nSchemes, nOffers int) *linkwork.LandscapeInput {
	return syntheticRegion{seed: seed, hoods: nHoods, schemes: nSchemes, offers: nOffers, spacingKm: 1.2, wideSchemes: true}.input()
}

func (g syntheticRegion) input() *linkwork.LandscapeInput {
	nHoods, nSchemes, nOffers, spacingKm := g.hoods, g.schemes, g.offers, g.spacingKm
	rng := rand.New(rand.NewPCG(g.seed, 0x6c616e64))
	pick := func(xs []string, n int) []string {
		var out []string
		for range n {
			x := xs[rng.IntN(len(xs))]
			dup := false
			for _, y := range out {
				dup = dup || y == x
			}
			if !dup {
				out = append(out, x)
			}
		}
		return out
	}
	in := &linkwork.LandscapeInput{
		Place:     &linkwork.Place{ID: 1, Name: "Synthetic region"},
		Terms:     map[string]map[string]string{},
		TermOrder: map[string][]string{},
		Demand:    map[string]map[string]int{},
	}
	for _, tax := range linkwork.DefaultTaxonomies {
		in.Terms[tax.Code] = map[string]string{}
		for _, term := range tax.Terms {
			in.Terms[tax.Code][term.Code] = term.Name
			in.TermOrder[tax.Code] = append(in.TermOrder[tax.Code], term.Code)
		}
	}
	needs, groups, blocks := in.TermOrder[linkwork.TaxonomyNeed], in.TermOrder[linkwork.TaxonomyClientGroup],
		in.TermOrder[linkwork.TaxonomyBuildingBlock]

	side := int(math.Ceil(math.Sqrt(float64(nHoods))))
	const lat0, lng0 = 53.5, -2.2
	kmLng := kmPerDegree * math.Cos(lat0*math.Pi/180)
	areas := []string{"HX", "BD", "LS", "WF", "HD", "OL"}
	var districts, sectors, wards, lsoas []string
	for i := range nHoods {
		row, col := i/side, i%side
		lat := lat0 + (float64(row)+rng.Float64()*0.6)*spacingKm/kmPerDegree
		lng := lng0 + (float64(col)+rng.Float64()*0.6)*spacingKm/kmLng
		block := (row/5)*((side+4)/5) + col/5 // 5 by 5 neighbourhoods
		district := fmt.Sprintf("%s%d", areas[block/99%len(areas)], block%99+1)
		sector := fmt.Sprintf("%s %d", district, i%3)
		code := fmt.Sprintf("E01%06d", i+1)
		ward := fmt.Sprintf("E05%06d", i/5+1)
		decile := rng.IntN(11) // 0 is unknown
		in.Neighbourhoods = append(in.Neighbourhoods, &linkwork.Neighbourhood{Code: code, Name: "Neighbourhood " + code,
			LocalAuthorityCode: fmt.Sprintf("E0800003%d", col*3/side), IMDDecile: decile, Lat: lat, Lng: lng,
			Postcode: sector + "AB", Ward: ward, Population: 1500})
		if len(districts) == 0 || districts[len(districts)-1] != district {
			districts = append(districts, district)
		}
		sectors, wards, lsoas = append(sectors, sector), append(wards, ward), append(lsoas, code)
		if rng.IntN(10) < 3 {
			in.Demand[code] = map[string]int{needs[rng.IntN(len(needs))]: 1 + rng.IntN(20)}
		}
	}

	nOrgs := max(1, nSchemes/5+nOffers/20)
	for i := range nOrgs {
		in.Organisations = append(in.Organisations, &linkwork.Organisation{ID: int64(i + 1), Name: fmt.Sprint("Org ", i+1),
			Sector: linkwork.Sectors[rng.IntN(len(linkwork.Sectors))]})
	}
	status := func() linkwork.ServiceStatus {
		if rng.IntN(10) == 0 {
			return linkwork.StatusInactive
		}
		return linkwork.StatusActive
	}
	service := func(id int, kind linkwork.ServiceKind) *linkwork.LandscapeService {
		org := in.Organisations[rng.IntN(nOrgs)]
		return &linkwork.LandscapeService{ID: int64(id), Name: fmt.Sprint("Service ", id), Kind: kind, Status: status(),
			OrganisationID: org.ID, OrganisationName: org.Name, Sector: org.Sector,
			Needs: pick(needs, 1+rng.IntN(4)), ClientGroups: pick(groups, rng.IntN(3)), BuildingBlocks: pick(blocks, rng.IntN(3))}
	}
	systems := []string{"EMIS Web", "emis  web", "SystmOne", "Charitylog", "Elemental", "None", ""}
	tools := []string{"WEMWBS", "wemwbs", "ONS4", "MYCaW", "Outcomes Star"}
	funders := []string{"NHS England ARRS", "Council", "council", "Lottery", "", "Public health grant"}
	id := 0
	for range nSchemes {
		id++
		s := service(id, linkwork.KindScheme)
		k := rng.IntN(1000)
		if !g.wideSchemes {
			switch {
			case k < 350:
				s.Areas = pick(lsoas, 1+rng.IntN(8))
			case k < 600:
				s.Areas = pick(wards, 1+rng.IntN(2))
			case k < 800:
				s.Areas = pick(sectors, 1)
			case k < 920:
				s.Areas = pick(districts, 1)
			case k < 960:
				s.Areas = pick(lsoas, 1+rng.IntN(3))
			case k < 993:
				s.Areas = append(pick(lsoas, 1), "Town centre")
			case k < 998:
				s.Areas = []string{fmt.Sprintf("E0800003%d", rng.IntN(3))}
			default:
				s.Areas = nil // the whole place
			}
		} else {
			switch {
			case k < 400:
				s.Areas = pick(districts, 1+rng.IntN(3))
			case k < 600:
				s.Areas = pick(wards, 2+rng.IntN(7))
			case k < 750:
				s.Areas = pick(lsoas, 5+rng.IntN(16))
			case k < 850:
				s.Areas = pick(sectors, 1+rng.IntN(2))
			case k < 900:
				s.Areas = []string{fmt.Sprintf("E0800003%d", rng.IntN(3))}
			case k < 950:
				s.Areas = nil // the whole place
			default:
				s.Areas = append(pick(districts, 1), "Town centre")
			}
		}
		s.Scheme = &linkwork.ConnectorScheme{Model: linkwork.SchemeModels[rng.IntN(len(linkwork.SchemeModels))],
			FundingSource: funders[rng.IntN(len(funders))], ElectronicSystem: systems[rng.IntN(len(systems))],
			AssessmentTools: pick(tools, rng.IntN(3)), StaffFTE: float64(rng.IntN(20)) / 2}
		limit := 10 * (1 + rng.IntN(5))
		free := 0
		if rng.IntN(10) >= 3 {
			free = 1 + rng.IntN(limit)
		}
		s.Capacity = &linkwork.SchemeCapacity{SchemeID: s.ID, Limit: limit, Free: free}
		in.Services = append(in.Services, s)
	}
	venue := func() linkwork.LandscapeVenue {
		n := in.Neighbourhoods[rng.IntN(nHoods)]
		return linkwork.LandscapeVenue{Name: "Hall", Postcode: n.Postcode,
			Lat: n.Lat + (rng.Float64()-0.5)*6/kmPerDegree, Lng: n.Lng + (rng.Float64()-0.5)*6/kmLng}
	}
	for range nOffers {
		id++
		s := service(id, linkwork.KindActivity)
		switch k := rng.IntN(100); {
		case k < 85:
			s.Venues = []linkwork.LandscapeVenue{venue()}
		case k < 90:
			s.Venues = []linkwork.LandscapeVenue{venue(), venue()}
		case k < 94:
			s.Venues = []linkwork.LandscapeVenue{{Name: "Somewhere", Postcode: "HX1 1AA"}}
		case k < 98:
			s.Areas = pick(districts, 1)
		}
		in.Services = append(in.Services, s)
	}
	// Shuffled, as a store might return them.
	rng.Shuffle(len(in.Services), func(i, j int) { in.Services[i], in.Services[j] = in.Services[j], in.Services[i] })
	return in
}

// BenchmarkAnalyseLandscapeRegion analyses the region of the performance target: 1,000
// neighbourhoods, 5,000 connector schemes and 100,000 community offers, about 60 schemes
// and 1,800 offers to a neighbourhood. The whole report (reading, analysing, rendering)
// must take under 2 s; the analysis is a part of it.
//
//	go test -run '^$' -bench AnalyseLandscape -benchmem .
func BenchmarkAnalyseLandscapeRegion(b *testing.B) {
	benchmarkLandscape(b, syntheticRegion{seed: 1, hoods: 1000, schemes: 5000, offers: 100000, spacingKm: 1.2}.input())
}

// BenchmarkAnalyseLandscapeRegionCity is the same region as dense as a city, with
// neighbourhoods 0.7 km apart: each venue is near about 65 of them rather than 22.
func BenchmarkAnalyseLandscapeRegionCity(b *testing.B) {
	benchmarkLandscape(b, syntheticRegion{seed: 1, hoods: 1000, schemes: 5000, offers: 100000, spacingKm: 0.7}.input())
}

// BenchmarkAnalyseLandscapeRegionWideSchemes is the worst case: schemes with large areas,
// about 400 to a neighbourhood, so that most pairs of schemes overlap (some 800,000 pairs
// listed, with 20 million shared neighbourhoods between them). It measures the size of the
// answer more than the analysis.
func BenchmarkAnalyseLandscapeRegionWideSchemes(b *testing.B) {
	benchmarkLandscape(b, syntheticRegion{seed: 1, hoods: 1000, schemes: 5000, offers: 100000, spacingKm: 1.2, wideSchemes: true}.input())
}

func benchmarkLandscape(b *testing.B, in *linkwork.LandscapeInput) {
	var l *linkwork.Landscape
	for b.Loop() {
		var err error
		if l, err = linkwork.AnalyseLandscape(in, linkwork.LandscapeOptions{}, landscapeNow); err != nil {
			b.Fatal(err)
		}
	}
	pairs := 0
	for _, r := range l.Coverage {
		pairs += len(r.OfferIDs)
	}
	b.ReportMetric(float64(pairs)/float64(len(l.Coverage)), "offers/neighbourhood")
	b.ReportMetric(float64(len(l.Overlaps)), "overlaps")
	b.ReportMetric(float64(len(l.Gaps)), "gaps")
}
