package sqldb_test

import (
	"maps"
	"testing"
	"time"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// The dashboard's context: names, the place's neighbourhoods exactly as the landscape
// chooses them, and the referrals waiting now in each scope.
func TestMeasureContext(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newLandWorld(t, db)
		ctx := t.Context()
		ms := w.svc.Measures
		place := linkwork.Scope{Kind: linkwork.ScopePlace}
		mc, err := ms.MeasureContext(ctx, w.york.ID, place)
		must(t, err)
		if len(mc.Neighbourhoods) != 0 || len(mc.PlaceDeciles) != 0 {
			t.Errorf("neighbourhoods %v before the place's facts were counted", mc.Neighbourhoods)
		}
		// The neighbourhoods are those the last aggregation counted with.
		_, err = ms.Aggregate(ctx, w.york.ID)
		must(t, err)
		mc, err = ms.MeasureContext(ctx, w.york.ID, place)
		must(t, err)

		in := w.input(t)
		names, deciles := map[string]string{}, map[int]int{}
		for _, n := range in.Neighbourhoods {
			names[n.Code] = n.Name
			if n.IMDDecile > 0 {
				deciles[n.IMDDecile]++
			}
		}
		if !maps.Equal(mc.Neighbourhoods, names) || !maps.Equal(mc.PlaceDeciles, deciles) {
			t.Errorf("neighbourhoods %v by decile %v; the landscape has %v by decile %v", mc.Neighbourhoods, mc.PlaceDeciles, names, deciles)
		}
		if mc.Terms["loneliness"] == "" || mc.Organisations[w.charity.ID] != w.charity.Name || mc.Workers[w.worker1] != "Lee Walker" {
			t.Errorf("names: terms %v, organisations %v, workers %v", mc.Terms, mc.Organisations, mc.Workers)
		}
		if mc.Schemes[w.linkUp.ID] != "Link Up York" || mc.SchemeOrganisations[w.homeFirst.ID] != w.housing.ID || mc.Schemes[w.walk.ID] != "" {
			t.Errorf("schemes %v run by %v", mc.Schemes, mc.SchemeOrganisations)
		}
		if !mc.PCNs[w.charity.ID] || mc.PCNs[w.housing.ID] || len(mc.PCNs) != 1 {
			t.Errorf("PCNs %v, want only the charity (it holds a PCN link worker scheme)", mc.PCNs)
		}
		if mc.WaitingNow != 0 || mc.ActivityUpTo != "" || len(mc.Local) != 0 {
			t.Errorf("an empty place: waiting %d, activity to %q, local %v", mc.WaitingNow, mc.ActivityUpTo, mc.Local)
		}

		// New deprivation figures make every place's facts out of date; counted again, the
		// dashboard has them.
		lsoa, err := w.svc.Geography.FindLSOA(ctx, "E01000001")
		must(t, err)
		lsoa.IMDDecile = lsoa.IMDDecile%10 + 1
		_, err = w.svc.Geography.ImportLSOAs(ctx, func(yield func(*linkwork.LSOA, error) bool) { yield(lsoa, nil) }, linkwork.ImportOptions{})
		must(t, err)
		if st, err := ms.State(ctx, w.york.ID); err != nil || st.Current {
			t.Fatalf("after an LSOA import the facts are current: %+v, %v", st, err)
		}
		_, err = ms.Aggregate(ctx, w.york.ID)
		must(t, err)
		mc, err = ms.MeasureContext(ctx, w.york.ID, place)
		must(t, err)
		if got := mc.PlaceDeciles[lsoa.IMDDecile]; got < 1 {
			t.Errorf("after the import the place has %v by decile, none in %d", mc.PlaceDeciles, lsoa.IMDDecile)
		}

		// Two accepted and one on the waiting list at Link Up York, one received; one
		// accepted at Home First. All live in E01000001 (HX1 1AA).
		for i, step := range [][]linkwork.ReferralAction{{linkwork.ActionAccept}, {linkwork.ActionAccept},
			{linkwork.ActionAccept, linkwork.ActionWait}, nil} {
			r := w.send(t, w.person("Person"+idStr(int64(i)), "1970-01-0"+idStr(int64(i+1))))
			for _, a := range step {
				decide(t, w.refWorld, r.ID, linkwork.Transition{Action: a})
			}
		}
		housing := w.person("Harriet", "1960-02-02")
		housing.SchemeID = w.homeFirst.ID
		w.send(t, housing)
		decide(t, w.refWorld, housing.ID, linkwork.Transition{Action: linkwork.ActionAccept})

		for _, c := range []struct {
			scope linkwork.Scope
			want  int64
		}{
			{place, 4},
			{linkwork.Scope{Kind: linkwork.ScopeScheme, Key: idStr(w.linkUp.ID)}, 3},
			{linkwork.Scope{Kind: linkwork.ScopeScheme, Key: idStr(w.homeFirst.ID)}, 1},
			{linkwork.Scope{Kind: linkwork.ScopeOrganisation, Key: idStr(w.charity.ID)}, 3},
			{linkwork.Scope{Kind: linkwork.ScopeOrganisation, Key: idStr(w.council.ID)}, 0},
			{linkwork.Scope{Kind: linkwork.ScopeNeighbourhood, Key: "E01000001"}, 4},
			{linkwork.Scope{Kind: linkwork.ScopeNeighbourhood, Key: "E01000002"}, 0},
		} {
			mc, err := ms.MeasureContext(ctx, w.york.ID, c.scope)
			must(t, err)
			if mc.WaitingNow != c.want {
				t.Errorf("%s %s: waiting now %d, want %d", c.scope.Kind, c.scope.Key, mc.WaitingNow, c.want)
			}
		}

		// Keys that are not the place's.
		leedsScheme := mustService(t, db, &linkwork.Service{PlaceID: w.leeds.ID, OrganisationID: w.leedsOrg.ID, Kind: linkwork.KindScheme,
			Name: "Leeds Connect"})
		for _, s := range []linkwork.Scope{
			{Kind: linkwork.ScopeScheme, Key: idStr(leedsScheme.ID)},
			{Kind: linkwork.ScopeScheme, Key: idStr(w.walk.ID)}, // a community offer, not a scheme
			{Kind: linkwork.ScopeScheme, Key: "x"},
			{Kind: linkwork.ScopeOrganisation, Key: idStr(w.leedsOrg.ID)},
			{Kind: linkwork.ScopeNeighbourhood, Key: "E01000003"}, // only ended postcodes
			{Kind: linkwork.ScopeNeighbourhood, Key: "E01000021"}, // Leeds
			{Kind: linkwork.ScopePlace, Key: "1"},
			{Kind: "ward", Key: "E05000001"},
		} {
			_, err := ms.MeasureContext(ctx, w.york.ID, s)
			wantCode(t, err, linkwork.ENOTFOUND, "")
		}
		_, err = ms.MeasureContext(ctx, 999999, place)
		wantCode(t, err, linkwork.ENOTFOUND, "")
	})
}

// A local measure retired takes no more values and keeps those it has; an organisation's
// values read back newest first.
func TestRetireLocalMeasure(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newDirWorld(t, db)
		ctx := t.Context()
		ms := w.svc.Measures
		talks := &linkwork.LocalMeasure{PlaceID: w.york.ID, Name: "Talks to GP practices", Definition: "Talks given to practice staff.", Unit: "talks"}
		hours := &linkwork.LocalMeasure{PlaceID: w.york.ID, Name: "Outreach hours", Definition: "Hours spent in outreach.", Unit: "hours"}
		must(t, ms.CreateLocalMeasure(ctx, talks))
		must(t, ms.CreateLocalMeasure(ctx, hours))
		jan, feb := time.Date(2030, time.January, 1, 0, 0, 0, 0, time.UTC), time.Date(2030, time.February, 1, 0, 0, 0, 0, time.UTC)
		for _, v := range []*linkwork.LocalMeasureValue{
			{MeasureID: talks.ID, OrganisationID: w.gp.ID, Month: jan, Value: 3},
			{MeasureID: hours.ID, OrganisationID: w.gp.ID, Month: feb, Value: 12},
			{MeasureID: talks.ID, OrganisationID: w.gp.ID, Month: feb, Value: 5},
			{MeasureID: talks.ID, OrganisationID: w.council.ID, Month: feb, Value: 7},
		} {
			must(t, ms.SetLocalMeasureValue(ctx, v))
		}
		got, err := ms.LocalMeasureValues(ctx, w.gp.ID, "2030-01", "2030-02")
		must(t, err)
		if len(got) != 3 || !got[0].Month.Equal(feb) || got[0].MeasureID != talks.ID || got[0].Value != 5 ||
			got[1].MeasureID != hours.ID || !got[2].Month.Equal(jan) || got[2].Value != 3 {
			t.Fatalf("values %s", jsonOf(got))
		}
		if got, err := ms.LocalMeasureValues(ctx, w.gp.ID, "2030-02", "2030-02"); err != nil || len(got) != 2 {
			t.Fatalf("February's values: %v %v", got, err)
		}

		must(t, ms.RetireLocalMeasure(ctx, w.york.ID, talks.ID))
		must(t, ms.RetireLocalMeasure(ctx, w.york.ID, talks.ID)) // again: nothing changes
		if n := len(auditWith(t, db, linkwork.AuditLocalMeasure, idStr(talks.ID))); n != 5 {
			t.Errorf("%d audit events for the measure, want 5 (added, three values, retired once)", n)
		}
		list, err := ms.ListLocalMeasures(ctx, w.york.ID)
		must(t, err)
		if len(list) != 2 || !list[0].Retired || list[1].Retired {
			t.Fatalf("after retiring: %s", jsonOf(list))
		}
		err = ms.SetLocalMeasureValue(ctx, &linkwork.LocalMeasureValue{MeasureID: talks.ID, OrganisationID: w.gp.ID, Month: feb, Value: 9})
		wantCode(t, err, linkwork.EINVALID, "measure_id")
		if got, _ := ms.LocalMeasureValues(ctx, w.gp.ID, "2030-02", "2030-02"); len(got) != 2 || got[0].Value != 5 {
			t.Errorf("a retired measure's value changed: %s", jsonOf(got))
		}
		wantCode(t, ms.RetireLocalMeasure(ctx, w.leeds.ID, hours.ID), linkwork.ENOTFOUND, "")
		wantCode(t, ms.RetireLocalMeasure(ctx, w.york.ID, 999999), linkwork.ENOTFOUND, "")
	})
}
