package sqldb_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// refBench is a place the size of the demonstration's Calderdale: 40 organisations, 10
// connector schemes run by 10 of them with 3 link workers each, 300 postcodes, and a few
// thousand referrals already in every state.
type refBench struct {
	db        *sqldb.DB
	svc       linkwork.Services
	place     *linkwork.Place
	orgs      []*linkwork.Organisation
	schemes   []*linkwork.Service
	workers   map[int64][]int64 // link workers by scheme
	needs     []int64
	groups    []int64
	postcodes []string
	referrer  int64 // a referrer at orgs[0], a GP practice
}

func newRefBench(b *testing.B, dialect string, existing int) *refBench {
	b.Helper()
	return newRefBenchOn(b, sqldbtest.Open(b, dialect), existing)
}

// newRefBenchOn builds the place in a database.
func newRefBenchOn(b *testing.B, db *sqldb.DB, existing int) *refBench {
	b.Helper()
	ctx := b.Context()
	rb := &refBench{db: db, svc: db.Services(), workers: map[int64][]int64{}}
	rb.place = &linkwork.Place{Name: "Calderdale"}
	if err := rb.svc.Places.CreatePlace(ctx, rb.place); err != nil {
		b.Fatal(err)
	}
	sectors := []linkwork.Sector{linkwork.SectorNHS, linkwork.SectorVCSE, linkwork.SectorCouncil, linkwork.SectorHousing}
	for i := range 40 {
		o := &linkwork.Organisation{PlaceID: rb.place.ID, Name: fmt.Sprintf("Organisation %02d", i), Sector: sectors[i%len(sectors)]}
		if err := rb.svc.Organisations.CreateOrganisation(ctx, o); err != nil {
			b.Fatal(err)
		}
		rb.orgs = append(rb.orgs, o)
	}
	taxes, err := rb.svc.Taxonomies.ListTaxonomies(ctx, rb.place.ID)
	if err != nil {
		b.Fatal(err)
	}
	for _, tax := range taxes {
		for _, term := range tax.Terms {
			switch tax.Code {
			case linkwork.TaxonomyNeed:
				rb.needs = append(rb.needs, term.ID)
			case linkwork.TaxonomyClientGroup:
				rb.groups = append(rb.groups, term.ID)
			}
		}
	}

	// The first 300 Halifax postcodes, for the people and the schemes' areas.
	all, err := benchPostcodes()
	if err != nil {
		b.Fatal(err)
	}
	all = all[:min(300, len(all))]
	_, err = rb.svc.Geography.ImportPostcodes(ctx, func(yield func(*linkwork.PostcodeInfo, error) bool) {
		for _, p := range all {
			if !yield(&linkwork.PostcodeInfo{Postcode: p.Postcode, Lat: p.Lat, Lng: p.Lng, LSOA: p.LSOA}, nil) {
				return
			}
		}
	}, linkwork.ImportOptions{AllOrNothing: true})
	if err != nil {
		b.Fatal(err)
	}
	for _, p := range all {
		rb.postcodes = append(rb.postcodes, p.Postcode)
	}

	// Ten schemes: each lists 4 needs and a client group, most cover some districts, and
	// the different kinds of referrer they take.
	rng := rand.New(rand.NewPCG(1, 2))
	districts := []string{"HX1", "HX2", "HX3", "HX4", "HX5", "HX6", "HX7"}
	for i := range 10 {
		org := rb.orgs[10+i]
		terms := []int64{rb.groups[i%len(rb.groups)]}
		for _, n := range rng.Perm(len(rb.needs))[:4] {
			terms = append(terms, rb.needs[n])
		}
		var areas []string
		switch i % 3 {
		case 1:
			areas = []string{districts[i%7], districts[(i+2)%7]}
		case 2:
			areas = []string{districts[i%7], "Park Ward"}
		}
		who := []linkwork.ReferrerType{linkwork.ReferrerGP, linkwork.ReferrerSelf}
		if i%4 == 3 {
			who = []linkwork.ReferrerType{linkwork.ReferrerHousing, linkwork.ReferrerPolice}
		}
		s := &linkwork.Service{PlaceID: rb.place.ID, OrganisationID: org.ID, Kind: linkwork.KindScheme, Status: linkwork.StatusActive,
			Name: fmt.Sprintf("Scheme %02d", i), Description: "Link workers for everyone.", Email: fmt.Sprintf("triage%d@scheme.example", i),
			TermIDs: terms, Areas: areas, Scheme: &linkwork.ConnectorScheme{Model: linkwork.ModelPCNLinkWorker, WhoCanRefer: who,
				CaseloadLimit: 40 + i, WaitingWeeks: i % 5}}
		if err := rb.svc.Directory.CreateService(ctx, s); err != nil {
			b.Fatal(err)
		}
		rb.schemes = append(rb.schemes, s)
		for j := range 3 {
			rb.workers[s.ID] = append(rb.workers[s.ID], quickUser(b, db, fmt.Sprintf("worker%d.%d@scheme.example", i, j),
				fmt.Sprintf("Worker %d.%d", i, j), org.ID, linkwork.RoleLinkWorker))
		}
	}
	rb.referrer = quickUser(b, db, "gp@practice.example", "Dr Bench", rb.orgs[0].ID, linkwork.RoleReferrer)

	// The referrals already there, in every state, received over the last 12 weeks.
	now := db.Now()
	var rows []bulkReferral
	statuses := []linkwork.ReferralStatus{linkwork.ReferralReceived, linkwork.ReferralAccepted, linkwork.ReferralWaiting,
		linkwork.ReferralWaiting, linkwork.ReferralAllocated, linkwork.ReferralInProgress, linkwork.ReferralInProgress,
		linkwork.ReferralClosed, linkwork.ReferralDeclined, linkwork.ReferralClosed}
	for i := range existing {
		s := rb.schemes[i%len(rb.schemes)]
		st := statuses[rng.IntN(len(statuses))]
		row := bulkReferral{scheme: s.ID, status: st, urgency: linkwork.Urgencies[rng.IntN(3)],
			received: now.Add(-time.Duration(rng.IntN(12*7*24*60)) * time.Minute), postcode: rb.postcodes[rng.IntN(len(rb.postcodes))]}
		switch st {
		case linkwork.ReferralAllocated, linkwork.ReferralInProgress, linkwork.ReferralClosed:
			row.worker = rb.workers[s.ID][rng.IntN(3)]
		}
		rows = append(rows, row)
	}
	bulkReferrals(b, db, rb.place.ID, rb.orgs[0].ID, rb.needs[0], rows)
	return rb
}

// bulkReferral is a referral for bulkReferrals.
type bulkReferral struct {
	scheme   int64
	status   linkwork.ReferralStatus
	urgency  linkwork.Urgency
	received time.Time
	worker   int64
	postcode string
}

var bulkCount atomic.Int64

// bulkReferrals adds referrals straight to the tables with multi-row INSERTs, with the need
// given, their arrival and (for those allocated) their allocation as events: thousands take
// a second, where CreateReferral would take milliseconds each.
func bulkReferrals(tb testing.TB, db *sqldb.DB, placeID, referrerOrg, need int64, rs []bulkReferral) {
	tb.Helper()
	ctx := tb.Context()
	const cols = `uuid, place_id, reference, given_name, family_name, name_key, date_of_birth, nhs_number, address_1, address_2,
		town, postcode, phone, email, contact_preferences, language, interpreter, access_needs, gp_practice, reason, risk, urgency,
		urgency_rank, referrer_type, referrer_organisation_id, referrer_name, referrer_role, referrer_phone, referrer_email,
		consent_to_referral, consent_method, consent_recorded_by, consent_recorded_at, scheme_id, routed_by, status,
		worker_user_id, decline_reason, outcome, version, received_at, updated_at, waiting_since`
	n := strings.Count(cols, ",") + 1
	row := "(" + strings.Repeat("?, ", n-1) + "?)"
	for start := 0; start < len(rs); start += 200 {
		part := rs[start:min(len(rs), start+200)]
		var q strings.Builder
		q.WriteString("INSERT INTO referrals (" + cols + ") VALUES ")
		var args []any
		for i, r := range part {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString(row)
			k := bulkCount.Add(1)
			given, family := fmt.Sprintf("Given%d", k), "Family"
			var waiting any
			if r.status == linkwork.ReferralWaiting {
				waiting = r.received.Add(24 * time.Hour)
			}
			var worker any
			if r.worker != 0 {
				worker = r.worker
			}
			decline, outcome := "", ""
			switch r.status {
			case linkwork.ReferralDeclined:
				decline = string(linkwork.DeclineNotEligible)
			case linkwork.ReferralClosed:
				outcome = string(linkwork.OutcomeSupported)
			}
			args = append(args, linkwork.NewUUID(), placeID, fmt.Sprintf("B-%06d", k), given, family,
				strings.ToLower(given)+"\x1f"+strings.ToLower(family), "1960-01-01", "", "1 Bench Street", "", "Halifax", r.postcode,
				"01422 000000", "", "phone", "", false, "", "", "Feels isolated.", "", string(r.urgency), r.urgency.Rank(),
				string(linkwork.ReferrerGP), referrerOrg, "Dr Bench", "GP", "", "gp@practice.example", true,
				string(linkwork.ConsentVerbal), "Dr Bench", r.received, r.scheme, "referrer", string(r.status), worker, decline, outcome,
				3, r.received, r.received.Add(48*time.Hour), waiting)
		}
		if _, err := db.Exec(ctx, q.String(), args...); err != nil {
			tb.Fatal(err)
		}
	}
	// Their needs, arrivals and allocations, for every referral without them yet.
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO referral_terms (referral_id, term_id, position) SELECT id, ?, 0 FROM referrals
			WHERE place_id = ? AND id NOT IN (SELECT referral_id FROM referral_terms)`, []any{need, placeID}},
		{`INSERT INTO referral_events (referral_id, scheme_id, at, action, from_status, to_status, actor_name, worker_user_id,
			reason, note) SELECT id, scheme_id, updated_at, 'allocate', 'accepted', 'allocated', 'Bench', worker_user_id, '', ''
			FROM referrals WHERE place_id = ? AND worker_user_id IS NOT NULL AND id NOT IN (SELECT referral_id FROM referral_events)`,
			[]any{placeID}},
		{`INSERT INTO referral_events (referral_id, scheme_id, at, action, from_status, to_status, actor_name, reason, note)
			SELECT id, scheme_id, received_at, 'receive', '', 'received', 'Dr Bench', '', '' FROM referrals
			WHERE place_id = ? AND id NOT IN (SELECT referral_id FROM referral_events WHERE action = 'receive')`, []any{placeID}},
	} {
		if _, err := db.Exec(ctx, q.sql, q.args...); err != nil {
			tb.Fatal(err)
		}
	}
	// As autovacuum would soon after a load on PostgreSQL: statistics for the planner, and
	// a visibility map so that index-only scans need not visit the table.
	if db.Dialect() == "postgres" {
		if _, err := db.Exec(ctx, "VACUUM (ANALYZE) referrals, referral_terms, referral_events"); err != nil {
			tb.Fatal(err)
		}
	}
}

// sendOne does what the front door does for a professional's referral: it looks up the
// person's postcode, routes it, and sends it to the best scheme. It returns how long the
// routing (with the lookup) took.
func (rb *refBench) sendOne(b *testing.B, rng *rand.Rand, k int64) time.Duration {
	ctx := b.Context()
	start := time.Now()
	pc := rb.postcodes[rng.IntN(len(rb.postcodes))]
	info, err := rb.svc.Geography.FindPostcode(ctx, pc, linkwork.RefuseTerminated)
	if err != nil {
		b.Fatal(err)
	}
	needs := []int64{rb.needs[rng.IntN(len(rb.needs))], rb.needs[rng.IntN(len(rb.needs))]}
	groups := []int64{rb.groups[rng.IntN(len(rb.groups))]}
	dob := fmt.Sprintf("%d-%02d-%02d", 1930+rng.IntN(80), 1+rng.IntN(12), 1+rng.IntN(28))
	r := &linkwork.Referral{PlaceID: rb.place.ID,
		Person: linkwork.ReferralPerson{GivenName: fmt.Sprintf("Person%d", k), FamilyName: "Sender", DateOfBirth: dob,
			Postcode: pc, Phone: "01422 111111", ContactPreferences: []linkwork.ContactMethod{linkwork.ContactPhone}},
		NeedIDs: needs, ClientGroupIDs: groups, Reason: "Lonely and struggling since losing their job.", Urgency: linkwork.UrgencyRoutine,
		Referrer: linkwork.ReferralSource{Type: linkwork.ReferrerGP, UserID: rb.referrer, OrganisationID: rb.orgs[0].ID,
			Name: "Dr Bench", Email: "gp@practice.example"},
		Consent: linkwork.Consent{ToReferral: true, ShareWith: []int64{rb.orgs[1].ID}, Method: linkwork.ConsentVerbal,
			RecordedBy: "Dr Bench"},
		RoutedBy: "linkwork"}
	opts, err := rb.svc.Referrals.RouteReferral(ctx, linkwork.RouteRequest{PlaceID: rb.place.ID, Postcode: info,
		Age: r.Person.Age(rb.db.Now()), NeedIDs: needs, ClientGroupIDs: groups, ReferrerType: linkwork.ReferrerGP})
	if err != nil {
		b.Fatal(err)
	}
	routed := time.Since(start)
	r.SchemeID = opts[0].SchemeID
	if !opts[0].Eligible { // leave it to a scheme that takes GPs' referrals, for triage to redirect
		r.SchemeID = rb.schemes[0].ID
	}
	if err := rb.svc.Referrals.CreateReferral(ctx, linkwork.NewReferral{Referral: r, ActorName: "Dr Bench"}); err != nil {
		b.Fatal(err)
	}
	return routed
}

func reportTimes(b *testing.B, times []time.Duration) {
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Nanoseconds()), "median-ns/op")
	b.ReportMetric(float64(times[len(times)*95/100].Nanoseconds()), "p95-ns/op")
}

func median(times []time.Duration) time.Duration {
	slices.Sort(times)
	return times[len(times)/2]
}

// BenchmarkCreateReferral measures what the performance target names: creating a referral
// with routing (postcode lookup, RouteReferral, CreateReferral), in a place with 10 schemes
// and 3,000 referrals, one at a time. It reports the median and 95th percentile.
func BenchmarkCreateReferral(b *testing.B) {
	for _, dialect := range sqldbtest.Dialects() {
		b.Run(dialect, func(b *testing.B) {
			rb := newRefBench(b, dialect, 3000)
			rng := rand.New(rand.NewPCG(3, 4))
			var times, routing, creating []time.Duration
			var k int64
			for b.Loop() {
				k++
				start := time.Now()
				routed := rb.sendOne(b, rng, k)
				all := time.Since(start)
				times, routing, creating = append(times, all), append(routing, routed), append(creating, all-routed)
			}
			reportTimes(b, times)
			// The two halves: the postcode lookup and routing, and CreateReferral.
			b.ReportMetric(float64(median(routing).Nanoseconds()), "route-median-ns")
			b.ReportMetric(float64(median(creating).Nanoseconds()), "create-median-ns")
		})
	}
}

// BenchmarkCreateReferralParallel measures how many referrals a second the store takes when
// many are sent at once (b.RunParallel, GOMAXPROCS goroutines; -cpu raises it).
func BenchmarkCreateReferralParallel(b *testing.B) {
	for _, dialect := range sqldbtest.Dialects() {
		b.Run(dialect, func(b *testing.B) {
			rb := newRefBench(b, dialect, 3000)
			var seed atomic.Uint64
			var k atomic.Int64
			start := time.Now()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				rng := rand.New(rand.NewPCG(seed.Add(1), 5))
				for pb.Next() {
					rb.sendOne(b, rng, k.Add(1))
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "referrals/s")
		})
	}
}

// BenchmarkWaitingList measures a scheme's waiting list and triage queue with 5,000
// referrals in each: the first page of 50 and one from the middle, median of the iterations.
func BenchmarkWaitingList(b *testing.B) {
	for _, dialect := range sqldbtest.Dialects() {
		b.Run(dialect, func(b *testing.B) {
			rb := newRefBench(b, dialect, 3000)
			s := rb.schemes[1]
			now := rb.db.Now()
			rng := rand.New(rand.NewPCG(7, 8))
			var rows []bulkReferral
			for i := range 10000 {
				st := linkwork.ReferralWaiting
				if i%2 == 1 {
					st = linkwork.ReferralReceived
				}
				rows = append(rows, bulkReferral{scheme: s.ID, status: st, urgency: linkwork.Urgencies[rng.IntN(3)],
					received: now.Add(-time.Duration(rng.IntN(52*7*24*60)) * time.Minute), postcode: rb.postcodes[i%len(rb.postcodes)]})
			}
			bulkReferrals(b, rb.db, rb.place.ID, rb.orgs[0].ID, rb.needs[1], rows)
			refs := rb.svc.Referrals
			var once sync.Once
			for _, c := range []struct {
				name string
				list func() ([]linkwork.QueueEntry, int, error)
			}{
				{"waiting/first-page", func() ([]linkwork.QueueEntry, int, error) {
					return refs.WaitingList(b.Context(), s.ID, linkwork.Page{Number: 1, Size: 50})
				}},
				{"waiting/middle-page", func() ([]linkwork.QueueEntry, int, error) {
					return refs.WaitingList(b.Context(), s.ID, linkwork.Page{Number: 50, Size: 50})
				}},
				{"triage/first-page", func() ([]linkwork.QueueEntry, int, error) {
					return refs.TriageQueue(b.Context(), s.ID, linkwork.Page{Number: 1, Size: 50})
				}},
				{"triage/middle-page", func() ([]linkwork.QueueEntry, int, error) {
					return refs.TriageQueue(b.Context(), s.ID, linkwork.Page{Number: 50, Size: 50})
				}},
			} {
				b.Run(c.name, func(b *testing.B) {
					q, total, err := c.list()
					if err != nil {
						b.Fatal(err)
					}
					if total < 5000 || len(q) != 50 {
						b.Fatalf("%d of %d listed, want 50 of at least 5,000", len(q), total)
					}
					once.Do(func() { b.Logf("%s: %d waiting", dialect, total) })
					var times []time.Duration
					for b.Loop() {
						start := time.Now()
						if _, _, err := c.list(); err != nil {
							b.Fatal(err)
						}
						times = append(times, time.Since(start))
					}
					reportTimes(b, times)
				})
			}
		})
	}
}
