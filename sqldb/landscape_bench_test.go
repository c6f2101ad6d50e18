package sqldb_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"linkwork"
	"linkwork/gen"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// The landscape's benchmark region, as its performance target asks: 1,000 neighbourhoods
// (LSOAs of 30 live postcodes, in four local authorities), 5,000 connector schemes among
// 100,000 services with 250,000 venues, 2,000 link workers and 40,000 referrals over the last
// year; and, outside the region, another 60,000 postcodes in 20 local authorities that the
// landscape must not read. LINKWORK_BENCH_SCALE scales it (0.1 for a quick run). Like the
// search benchmark's directory, each database keeps the region it built, keyed by size and
// version, so that only the first run pays for building it.
const (
	regionLSOAs     = 1000
	regionLAs       = 4
	regionPostcodes = 30 // live, in each LSOA; three more have ended
	regionServices  = 100_000
	regionSchemes   = 5000
	regionLocations = 250_000
	regionWorkers   = 2000
	regionReferrals = 40_000
	outsideLAs      = 20
	outsideLSOAs    = 100 // in each outside local authority
	regionSeed      = 6
	regionVersion   = 1
	regionFirstUser = 1_000_000 // the link workers' IDs, clear of any the sequences give
)

// BenchmarkLandscapeInputRegion measures reading a region's landscape input: everything
// AnalyseLandscape needs, from the directory, the geography, the referrals and the schemes'
// capacity. "cold" reads it all, as after any change to the directory with nothing keeping
// it current (the benchmark moves the directory's version on before each reading); "warm"
// reads it with the directory part kept from the reading before, as the report's
// drill-downs and exports do. Then the first view after a change, with the refresher
// running (KeepCurrent, every LandscapeRefreshInterval) as linkwork serve runs it:
// "changed-ready" is a change (an entry marked checked) at any moment of the refresher's
// round, then the time until the refresher has read the directory again (reported as
// ready-median-ns/op and ready-p95-ns/op), then the view; "changed-at-once" is the worst
// case, a view the moment the change is made. It reports the median and 95th percentile as
// well as the mean that ns/op is, and how many times the directory was read (by the views
// and the refresher together) for each view.
func BenchmarkLandscapeInputRegion(b *testing.B) {
	scale := benchScale(b)
	for _, dialect := range sqldbtest.Dialects() {
		b.Run(dialect, func(b *testing.B) {
			db, placeID := landscapeRegion(b, dialect, scale)
			in, err := sqldb.NewLandscapeService(db).LandscapeInput(b.Context(), placeID)
			if err != nil {
				b.Fatal(err)
			}
			schemes, demand := 0, 0
			for _, s := range in.Services {
				if s.Kind == linkwork.KindScheme {
					schemes++
					if s.Capacity == nil {
						b.Fatalf("scheme %d has no capacity", s.ID)
					}
				}
			}
			for _, byNeed := range in.Demand {
				for _, n := range byNeed {
					demand += n
				}
			}
			if len(in.Neighbourhoods) != int(regionLSOAs*scale) || schemes != int(regionSchemes*scale) ||
				len(in.Services) != int(regionServices*scale) || demand == 0 {
				b.Fatalf("the region has %d neighbourhoods, %d services, %d schemes and demand %d; want %d, %d, %d and some",
					len(in.Neighbourhoods), len(in.Services), schemes, demand, int(regionLSOAs*scale), int(regionServices*scale),
					int(regionSchemes*scale))
			}
			// A change as a person makes one: an entry marked checked, which moves the directory
			// version on (the benchmark's region keeps its content).
			actor := linkwork.NewContextWithActor(b.Context(), linkwork.Actor{Label: "bench@region.example"})
			checked := in.Services[len(in.Services)/2].ID
			change := func(b *testing.B) int64 {
				if err := db.Services().Directory.VerifyService(actor, checked); err != nil {
					b.Fatal(err)
				}
				var version int64
				if err := db.QueryRow(b.Context(), "SELECT version FROM directory_version WHERE id = 1", nil, &version); err != nil {
					b.Fatal(err)
				}
				return version
			}
			for _, kind := range []string{"cold", "warm", "changed-ready", "changed-at-once"} {
				b.Run(kind, func(b *testing.B) {
					land := sqldb.NewLandscapeService(db)
					if _, err := land.LandscapeInput(b.Context(), placeID); err != nil {
						b.Fatal(err)
					}
					if strings.HasPrefix(kind, "changed") {
						running, stop := context.WithCancel(b.Context())
						stopped := make(chan struct{})
						go func() {
							defer close(stopped)
							land.KeepCurrent(running, sqldb.LandscapeRefreshInterval, nil)
						}()
						defer func() {
							stop()
							<-stopped
						}()
					}
					var times, ready []time.Duration
					readings := land.DirectoryReadings()
					for b.Loop() {
						b.StopTimer()
						switch kind {
						case "cold":
							if _, err := db.Exec(b.Context(), "UPDATE directory_version SET version = version + 1 WHERE id = 1"); err != nil {
								b.Fatal(err)
							}
						case "changed-ready":
							// At any moment of the refresher's round, as a person's change would be.
							time.Sleep(rand.N(sqldb.LandscapeRefreshInterval))
							version, start := change(b), time.Now()
							for v, _ := land.KeptVersion(placeID); v < version; v, _ = land.KeptVersion(placeID) {
								if time.Since(start) > time.Minute {
									b.Fatal("the refresher has not read the change in a minute")
								}
								time.Sleep(time.Millisecond)
							}
							ready = append(ready, time.Since(start))
						case "changed-at-once":
							change(b)
						}
						b.StartTimer()
						start := time.Now()
						if _, err := land.LandscapeInput(b.Context(), placeID); err != nil {
							b.Fatal(err)
						}
						times = append(times, time.Since(start))
						if kind == "changed-at-once" {
							// The refresher finds the view's reading current; the next change
							// meets it idle.
							b.StopTimer()
							time.Sleep(2 * sqldb.LandscapeRefreshInterval)
							b.StartTimer()
						}
					}
					reportPercentiles(b, times, "")
					if len(ready) > 0 {
						reportPercentiles(b, ready, "ready-")
					}
					// Readings of the directory, by the views and the refresher together.
					b.ReportMetric(float64(land.DirectoryReadings()-readings)/float64(len(times)), "readings/op")
				})
			}
		})
	}
}

// reportPercentiles reports the median and 95th percentile of times, in nanoseconds, under
// names that begin with prefix.
func reportPercentiles(b *testing.B, times []time.Duration, prefix string) {
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Nanoseconds()), prefix+"median-ns/op")
	b.ReportMetric(float64(times[len(times)*95/100].Nanoseconds()), prefix+"p95-ns/op")
}

// landscapeRegion opens the dialect's cached benchmark region, building it first when there
// is none, and returns the database and the region's place.
func landscapeRegion(b *testing.B, dialect string, scale float64) (*sqldb.DB, int64) {
	b.Helper()
	ctx := context.Background()
	key := fmt.Sprintf("x%g_seed%d_v%d", scale, regionSeed, regionVersion)
	key = strings.ReplaceAll(key, ".", "_")
	db, _ := keptBenchDB(b, dialect, "landscape", key, func(db *sqldb.DB) { buildRegion(b, db, scale) })
	place, err := sqldb.NewPlaceService(db).FindPlaceByName(ctx, "Landscape region")
	if err != nil {
		b.Fatal(err)
	}
	return db, place.ID
}

// regionPostcode is the i-th synthetic postcode: valid in form, unique, and no real one's
// concern.
func regionPostcode(i int) string {
	const first, second, inward = "ABCDEFGHJKLMNOPRSTUWY", "ABCDEFGHKLMNOPRSTUWY", "ABDEFGHJLNPQRSTUWXYZ"
	d, k := i/4000, i%4000
	area := d / 99
	return fmt.Sprintf("%c%c%d %d%c%c", first[area/len(second)%len(first)], second[area%len(second)], d%99+1,
		k/400, inward[k/20%20], inward[k%20])
}

// insertValues runs a multi-row INSERT of rows, a thousand at a time.
func insertValues(b *testing.B, db *sqldb.DB, head string, rows [][]any) {
	b.Helper()
	for start := 0; start < len(rows); start += 1000 {
		part := rows[start:min(len(rows), start+1000)]
		row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(part[0])), ", ") + ")"
		var args []any
		for _, r := range part {
			args = append(args, r...)
		}
		if _, err := db.Exec(b.Context(), head+strings.TrimSuffix(strings.Repeat(row+", ", len(part)), ", "), args...); err != nil {
			b.Fatal(err)
		}
	}
}

// buildRegion makes the region in an empty database.
func buildRegion(b *testing.B, db *sqldb.DB, scale float64) {
	ctx := b.Context()
	rng := rand.New(rand.NewPCG(regionSeed, 1))
	svc := db.Services()
	place := &linkwork.Place{Name: "Landscape region"}
	if err := svc.Places.CreatePlace(ctx, place); err != nil {
		b.Fatal(err)
	}

	// The geography: the region's LSOAs on a grid near Halifax, the others further off; most
	// with a row in lsoas, some without.
	nLSOAs := int(regionLSOAs * scale)
	perLA := max(1, nLSOAs/regionLAs)
	var postcodes, lsoas [][]any
	var live, outside []gen.Postcode
	ended := time.Date(2020, time.May, 1, 0, 0, 0, 0, time.UTC)
	n := 0
	addLSOA := func(j int, code, la string, lat, lng float64, region bool) {
		ward := fmt.Sprintf("E05%06d", j/10)
		for k := range regionPostcodes + 3 {
			pc := regionPostcode(n)
			n++
			plat, plng := lat+(rng.Float64()-0.5)*0.008, lng+(rng.Float64()-0.5)*0.012
			var term any
			if k >= regionPostcodes {
				term = ended
			} else if region {
				live = append(live, gen.Postcode{Postcode: pc, Lat: plat, Lng: plng, LSOA: code})
			} else if k == 0 && len(outside) < 500 {
				outside = append(outside, gen.Postcode{Postcode: pc, Lat: plat, Lng: plng, LSOA: code})
			}
			postcodes = append(postcodes, []any{pc, plat, plng, code, ward, la, term})
		}
		if rng.IntN(20) > 0 {
			d := 1 + rng.IntN(10)
			lsoas = append(lsoas, []any{code, fmt.Sprintf("Region %05d", j), la, "Authority " + la, 3000*d - rng.IntN(3000), d})
		}
	}
	for j := range nLSOAs {
		la := fmt.Sprintf("E08%06d", 100+min(j/perLA, regionLAs-1))
		addLSOA(j, fmt.Sprintf("E01%06d", 100000+j), la, 53.5+float64(j/40)*0.01, -2.2+float64(j%40)*0.015, true)
	}
	for j := range int(outsideLAs * outsideLSOAs * scale) {
		la := fmt.Sprintf("E07%06d", 100+j%outsideLAs)
		addLSOA(100000+j, fmt.Sprintf("E01%06d", 500000+j), la, 51+float64(j/60)*0.01, -1+float64(j%60)*0.015, false)
	}
	insertValues(b, db, "INSERT INTO postcodes (postcode, lat, lng, lsoa, ward, local_authority, terminated_on) VALUES ", postcodes)
	insertValues(b, db, "INSERT INTO lsoas (code, name, local_authority_code, local_authority_name, imd_rank, imd_decile) VALUES ", lsoas)

	// The organisations and their services, made by the generator on the region's live
	// postcodes (and a few outside, under the tenth that would bring their authorities in).
	// Every twentieth service is a connector scheme covering the whole place, some wards,
	// a local authority, some LSOAs, or a district and a name that cannot be placed.
	services := int(regionServices * scale)
	var orgs []*linkwork.Organisation
	for _, o := range gen.OrganisationNames(regionSeed, max(1, services/250)) {
		o.PlaceID = place.ID
		if err := svc.Organisations.CreateOrganisation(ctx, &o); err != nil {
			b.Fatal(err)
		}
		orgs = append(orgs, &o)
	}
	taxes, err := svc.Taxonomies.ListTaxonomies(ctx, place.ID)
	if err != nil {
		b.Fatal(err)
	}
	terms := map[string]int64{}
	var needs []int64
	for _, t := range taxes {
		for _, term := range t.Terms {
			terms[t.Code+"/"+term.Code] = term.ID
			if t.Code == linkwork.TaxonomyNeed {
				needs = append(needs, term.ID)
			}
		}
	}
	g, err := gen.NewGenerator(gen.Options{Seed: regionSeed, Services: services, Locations: int(regionLocations * scale),
		Postcodes: append(live, outside...)}, orgs, terms)
	if err != nil {
		b.Fatal(err)
	}
	systems := []string{"EMIS Web", "emis  web", "SystmOne", "Elemental", "Joy", "Social Rx", "None", ""}
	funders := []string{"NHS England ARRS", "Council public health", "National Lottery", "Housing association", ""}
	models := []linkwork.SchemeModel{linkwork.ModelPCNLinkWorker, linkwork.ModelLocalAreaCoord, linkwork.ModelCommunityNavigator,
		linkwork.ModelHousingConnector, linkwork.ModelHealthCoach}
	schemeOrgs, schemeOrg := map[int64]bool{}, map[int64]int64{}
	var schemeIDs []int64
	for i := 0; ; {
		part := g.Next(2000)
		if len(part) == 0 {
			break
		}
		for _, s := range part {
			if i%(regionServices/regionSchemes) != 0 {
				s.Kind, s.Scheme = linkwork.KindActivity, nil
				i++
				continue
			}
			s.Kind = linkwork.KindScheme
			s.Scheme = &linkwork.ConnectorScheme{Model: models[rng.IntN(len(models))], WhoCanRefer: []linkwork.ReferrerType{linkwork.ReferrerGP},
				FundingSource: funders[rng.IntN(len(funders))], StaffFTE: float64(1 + rng.IntN(6)), CaseloadLimit: 2 + rng.IntN(40),
				WaitingWeeks: rng.IntN(8), ElectronicSystem: systems[rng.IntN(len(systems))], AssessmentTools: []string{"ONS4"}}
			s.Email = fmt.Sprintf("scheme%d@region.example", i)
			hood := func() string { return fmt.Sprintf("E01%06d", 100000+rng.IntN(nLSOAs)) }
			switch i / (regionServices / regionSchemes) % 5 {
			case 0:
				s.Areas = nil
			case 1:
				s.Areas = []string{fmt.Sprintf("E05%06d", rng.IntN(nLSOAs)/10), fmt.Sprintf("E05%06d", rng.IntN(nLSOAs)/10)}
			case 2:
				s.Areas = []string{fmt.Sprintf("E08%06d", 100+rng.IntN(regionLAs))}
			case 3:
				s.Areas = []string{hood(), hood(), hood(), hood(), hood()}
			case 4:
				s.Areas = []string{strings.Fields(live[rng.IntN(len(live))].Postcode)[0], "Park Ward"}
			}
			schemeOrgs[s.OrganisationID] = true
			i++
		}
		if err := db.BulkInsertServices(ctx, place.ID, part); err != nil {
			b.Fatal(err)
		}
		for _, s := range part {
			if s.Kind == linkwork.KindScheme {
				schemeIDs, schemeOrg[s.ID] = append(schemeIDs, s.ID), s.OrganisationID
			}
		}
	}
	if err := sqldb.NewSearchService(db).OptimizeSearch(ctx); err != nil {
		b.Fatal(err)
	}

	// Link workers in the schemes' organisations, straight into the tables.
	var users, members [][]any
	now := db.Now()
	var orgIDs []int64
	for id := range schemeOrgs {
		orgIDs = append(orgIDs, id)
	}
	slices.Sort(orgIDs)
	workers := map[int64][]int64{}
	for k := range int(regionWorkers * scale) {
		id, org := int64(regionFirstUser+k), orgIDs[k%len(orgIDs)]
		users = append(users, []any{id, fmt.Sprintf("worker%d@region.example", k), fmt.Sprintf("Worker %d", k), "x", now, now, now})
		members = append(members, []any{id, org, string(linkwork.RoleLinkWorker), now})
		workers[org] = append(workers[org], id)
	}
	insertValues(b, db, "INSERT INTO users (id, email, name, password_hash, password_changed_at, created_at, updated_at) VALUES ", users)
	insertValues(b, db, "INSERT INTO memberships (user_id, organisation_id, role, created_at) VALUES ", members)

	// A year of referrals from the region's people, in every state, stored in the order they
	// arrived (as they would be), a need each: the need of each run of 200.
	statuses := []linkwork.ReferralStatus{linkwork.ReferralReceived, linkwork.ReferralAccepted, linkwork.ReferralWaiting,
		linkwork.ReferralAllocated, linkwork.ReferralInProgress, linkwork.ReferralClosed, linkwork.ReferralDeclined}
	var refs []bulkReferral
	for range int(regionReferrals * scale) {
		scheme := schemeIDs[rng.IntN(len(schemeIDs))]
		r := bulkReferral{scheme: scheme, status: statuses[rng.IntN(len(statuses))], urgency: linkwork.Urgencies[rng.IntN(3)],
			received: now.Add(-time.Duration(rng.IntN(365*24*60)) * time.Minute), postcode: live[rng.IntN(len(live))].Postcode}
		switch r.status {
		case linkwork.ReferralAllocated, linkwork.ReferralInProgress, linkwork.ReferralClosed:
			if ws := workers[schemeOrg[scheme]]; len(ws) > 0 {
				r.worker = ws[rng.IntN(len(ws))]
			} else {
				r.status = linkwork.ReferralWaiting
			}
		}
		refs = append(refs, r)
	}
	slices.SortFunc(refs, func(a, b bulkReferral) int { return a.received.Compare(b.received) })
	for start := 0; start < len(refs); start += 200 {
		bulkReferrals(b, db, place.ID, orgs[0].ID, needs[rng.IntN(len(needs))], refs[start:min(len(refs), start+200)])
	}
	if db.Dialect() == "postgres" {
		// As autovacuum would soon after the load: statistics, and a visibility map for
		// index-only scans.
		if _, err := db.Exec(ctx, "VACUUM (ANALYZE) postcodes, lsoas, organisations, service_areas, connector_schemes, contacts, "+
			"users, memberships, taxonomies, taxonomy_terms, scheme_referral_counts, caseload_limits, practitioners"); err != nil {
			b.Fatal(err)
		}
	}
}
