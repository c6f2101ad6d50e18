package web

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"linkwork"
	"linkwork/landscape"
	"linkwork/report"
)

// benchRegion is a made-up region at the size the landscape must handle: 1,000
// neighbourhoods about 1.2 km apart, 5,000 connector schemes each covering a few dozen of
// them, and 100,000 community offers with a venue each.
func benchRegion(nHoods, nSchemes, nOffers int) *linkwork.LandscapeInput {
	rng := rand.New(rand.NewPCG(6, 2026))
	in := &linkwork.LandscapeInput{Place: &linkwork.Place{ID: 1, Name: "Region"}, Terms: map[string]map[string]string{},
		TermOrder: map[string][]string{}, Demand: map[string]map[string]int{}, ReadAt: time.Now()}
	for _, tax := range linkwork.DefaultTaxonomies {
		in.Terms[tax.Code] = map[string]string{}
		for _, t := range tax.Terms {
			in.Terms[tax.Code][t.Code] = t.Name
			in.TermOrder[tax.Code] = append(in.TermOrder[tax.Code], t.Code)
		}
	}
	needs, groups := in.TermOrder[linkwork.TaxonomyNeed], in.TermOrder[linkwork.TaxonomyClientGroup]
	side := int(math.Ceil(math.Sqrt(float64(nHoods))))
	var codes []string
	for i := range nHoods {
		code := fmt.Sprintf("E01%06d", i)
		codes = append(codes, code)
		lat, lng := 53.5+float64(i/side)*0.011, -2.0+float64(i%side)*0.018
		in.Neighbourhoods = append(in.Neighbourhoods, &linkwork.Neighbourhood{Code: code, Name: fmt.Sprintf("Region %03dA", i),
			IMDDecile: 1 + rng.IntN(10), Lat: lat, Lng: lng, Postcode: fmt.Sprintf("HX%d %dAA", i%9+1, i%10),
			Ward: fmt.Sprintf("E05%06d", i/5), LocalAuthorityCode: "E08000033", LocalAuthorityName: "Region"})
		in.Demand[code] = map[string]int{needs[rng.IntN(len(needs))]: rng.IntN(20)}
	}
	pick := func(xs []string, n int) []string {
		out := make([]string, 0, n)
		for range n {
			out = append(out, xs[rng.IntN(len(xs))])
		}
		return out
	}
	id := int64(0)
	for i := range nSchemes {
		id++
		start := rng.IntN(nHoods)
		var areas []string
		for j := range 10 + rng.IntN(40) {
			areas = append(areas, codes[(start+j)%nHoods])
		}
		in.Services = append(in.Services, &linkwork.LandscapeService{ID: id, Name: fmt.Sprintf("Scheme %d", i), Kind: linkwork.KindScheme,
			Status: linkwork.StatusActive, OrganisationID: int64(1 + i%500), OrganisationName: fmt.Sprintf("Organisation %d", i%500),
			Sector: linkwork.Sectors[i%len(linkwork.Sectors)], Email: "scheme@example.org", Areas: areas, Needs: pick(needs, 1+rng.IntN(3)),
			ClientGroups: pick(groups, rng.IntN(2)),
			Scheme: &linkwork.ConnectorScheme{Model: linkwork.ModelPCNLinkWorker, FundingSource: fmt.Sprintf("Fund %d", i%20), StaffFTE: 2,
				ElectronicSystem: fmt.Sprintf("System %d", i%30), AssessmentTools: pick([]string{"SWEMWBS", "ONS4", "MYCaW", "PAM"}, 2)}})
	}
	for i := range nOffers {
		id++
		n := in.Neighbourhoods[rng.IntN(nHoods)]
		in.Services = append(in.Services, &linkwork.LandscapeService{ID: id, Name: fmt.Sprintf("Offer %d", i), Kind: linkwork.KindActivity,
			Status: linkwork.StatusActive, OrganisationID: int64(1 + i%500), OrganisationName: fmt.Sprintf("Organisation %d", i%500),
			Sector: linkwork.SectorVCSE, Needs: pick(needs, 1+rng.IntN(2)),
			Venues: []linkwork.LandscapeVenue{{Name: "Hall", Lat: n.Lat + rng.NormFloat64()*0.01, Lng: n.Lng + rng.NormFloat64()*0.015}}})
	}
	for i := range 500 {
		in.Organisations = append(in.Organisations, &linkwork.Organisation{ID: int64(i + 1), Name: fmt.Sprintf("Organisation %d", i),
			Sector: linkwork.Sectors[i%len(linkwork.Sectors)]})
	}
	return in
}

// BenchmarkLandscapeReport is the analysis and the rendering of the report for a region of
// 1,000 neighbourhoods, 5,000 schemes and 100,000 community offers (the store's reading of
// the input is benchmarked with the store):
//
//	go test ./web/ -run '^$' -bench LandscapeReport -benchtime 5x
func BenchmarkLandscapeReport(b *testing.B) {
	in := benchRegion(1000, 5000, 100000)
	tmpl, err := parseTemplates()
	if err != nil {
		b.Fatal(err)
	}
	p := &linkwork.Principal{Place: in.Place, User: &linkwork.User{Name: "Commissioner"}}
	b.ResetTimer()
	for b.Loop() {
		l, err := linkwork.AnalyseLandscape(in, linkwork.LandscapeOptions{}, time.Now())
		if err != nil {
			b.Fatal(err)
		}
		v := &LandscapeView{Layout: Layout{Title: landscapeTitle, Principal: p}, Form: NewForm(), Measures: landscapeMeasures, Bys: landscapeBys}
		v.Form.Values["measure"], v.Form.Values["by"] = "schemes", linkwork.TaxonomyNeed
		v.Report = buildReport(in, l, nil, landscapeOptions{measure: "schemes", by: linkwork.TaxonomyNeed}, true)
		var buf bytes.Buffer
		if err := tmpl["landscape"].ExecuteTemplate(&buf, "layout", v); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(buf.Len())/1e6, "MB/page")
	}
}

// BenchmarkLandscapeWorkbook is every table of the same region written as a workbook.
func BenchmarkLandscapeWorkbook(b *testing.B) {
	in := benchRegion(1000, 5000, 100000)
	l, err := linkwork.AnalyseLandscape(in, linkwork.LandscapeOptions{}, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := report.WriteXLSX(io.Discard, landscape.Tables(l, landscape.TermsOf(in))); err != nil {
			b.Fatal(err)
		}
	}
}
