package sqldb_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// reportLines writes a report's lines as "key label decile grants personal amount".
func reportLines(ls []*linkwork.SpendLine) string {
	var out []string
	for _, l := range ls {
		out = append(out, fmt.Sprintf("%s|%s|%d|%d|%d|%d", l.Key, l.Label, l.IMDDecile, l.Grants, l.Personal, l.Amount))
	}
	return strings.Join(out, "\n")
}

func TestBudgetSpendReport(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newBudgetWorld(t, db)
		at := func(month time.Month, day, hour, minute int) {
			w.clock.now = time.Date(2030, month, day, hour, minute, 0, 0, time.UTC)
		}
		at(time.March, 1, 9, 0)
		chest := w.mustPot(t, w.schemePot(), 100000)
		housingPot := w.mustPot(t, &linkwork.BudgetPot{PlaceID: w.york.ID, OrganisationID: w.housing.ID, Holder: linkwork.HolderTeam,
			Name: "Housing pot", Funder: "Council", PeriodStart: day2030Mar01, PeriodEnd: day2030Dec31,
			Kinds: []linkwork.SpendKind{linkwork.SpendGrant}}, 100000)
		leePot := w.mustPot(t, &linkwork.BudgetPot{PlaceID: w.york.ID, OrganisationID: w.charity.ID, Holder: linkwork.HolderLinkWorker,
			UserID: w.worker1, Name: "Lee's pot", Funder: "Council", PeriodStart: day2030Mar01, PeriodEnd: day2030Dec31,
			Kinds: []linkwork.SpendKind{linkwork.SpendPersonal}, ApprovalThreshold: 1000}, 10000)
		leedsPot := w.mustPot(t, &linkwork.BudgetPot{PlaceID: w.leeds.ID, OrganisationID: w.leedsOrg.ID, Holder: linkwork.HolderTeam,
			Name: "Leeds pot", Funder: "Leeds", PeriodStart: day2030Mar01, PeriodEnd: day2030Dec31,
			Kinds: []linkwork.SpendKind{linkwork.SpendGrant}}, 100000)

		// 3 March, late: before the report's dates.
		at(time.March, 3, 23, 30)
		w.mustSpend(t, w.personal(chest.ID, 1000), false)
		// Paid on 2 March, reversed on 5 March: the reversal falls within the dates.
		at(time.March, 2, 10, 0)
		early := w.mustSpend(t, w.personal(chest.ID, 3000), false)
		at(time.March, 5, 10, 0)
		w.reverse(t, w.paymentOf(t, chest.ID, early.ID), "Wrong person")
		// 4 March: Mary's spend.
		at(time.March, 4, 0, 0)
		w.mustSpend(t, w.personal(chest.ID, 2000), false)
		// Paid and reversed within the dates: no money went.
		at(time.March, 5, 11, 0)
		undone := w.mustSpend(t, w.personal(chest.ID, 900), false)
		at(time.March, 6, 11, 0)
		w.reverse(t, w.paymentOf(t, chest.ID, undone.ID), "Entered twice")
		// The walkers' grant, paid on 10 March and £50 paid back on 20 March.
		walk := w.decide(t, w.mustApply(t, w.grant(chest.ID, 30000)), true, "")
		at(time.March, 10, 12, 0)
		walk = w.pay(t, walk)
		at(time.March, 20, 12, 0)
		_, err := w.budgets.Refund(w.asManager(), walk.ID, 5000, "Not used", newKey())
		must(t, err)
		// The knitters' grant (a group with no venue), paid on 12 March and reported on.
		knit := w.grant(chest.ID, 4000)
		knit.GroupOrganisationID = w.knitters.ID
		knit = w.decide(t, w.mustApply(t, knit), true, "")
		at(time.March, 12, 12, 0)
		knit = w.pay(t, knit)
		_, err = w.budgets.ReportOnGrant(w.asManager(), knit.ID, &linkwork.GrantReport{WhatHappened: "Twelve people knitted.", AmountUsed: 4000})
		must(t, err)
		// A new activity from the housing trust's pot, paid on 15 March.
		at(time.March, 15, 12, 0)
		shed := w.pay(t, w.decide(t, w.mustApply(t, w.newActivity(housingPot.ID, 20000, "HX3 0AA")), true, ""))
		// Ron's spend late on 31 March (23:30 in London, summer time) is within the dates; one
		// half an hour after midnight in London on 1 April is not.
		at(time.March, 31, 22, 30)
		ron := w.personal(leePot.ID, 500)
		ron.PersonID, ron.GoalID = w.ron, w.ronGoal
		w.mustSpend(t, ron, false)
		at(time.March, 31, 23, 30)
		w.mustSpend(t, w.personal(chest.ID, 700), false)
		// Leeds's money is not York's.
		leeds := w.newActivity(leedsPot.ID, 10000, "HX1 1AA")
		leeds.PlaceID = w.leeds.ID
		w.pay(t, w.decide(t, w.mustApply(t, leeds), true, ""))

		at(time.April, 2, 9, 0)
		f := linkwork.SpendReportFilter{PlaceID: w.york.ID, From: time.Date(2030, time.March, 4, 0, 0, 0, 0, time.UTC),
			To: time.Date(2030, time.March, 31, 0, 0, 0, 0, time.UTC)}
		r, err := w.budgets.SpendReport(t.Context(), f)
		must(t, err)
		if r.Total != 48500 || r.Spends != 6 || !r.GeneratedAt.Equal(w.clock.now) || !r.Filter.From.Equal(f.From) {
			t.Fatalf("total %v over %d spends, generated %v: want £485.00 over 6", r.Total, r.Spends, r.GeneratedAt)
		}
		loneliness, wellbeing := w.terms["need/loneliness"].Name, w.terms["need/mental_wellbeing"].Name
		want := "loneliness|" + loneliness + "|0|2|3|28500\nmental_wellbeing|" + wellbeing + "|0|1|0|20000"
		if got := reportLines(r.ByNeed); got != want {
			t.Fatalf("by need:\n%s\nwant\n%s", got, want)
		}
		want = "E01000001|Calderdale 001A|1|1|0|25000\nE01000002|Calderdale 002A|5|0|2|-1000\n" +
			"E01000003|Calderdale 003A|0|1|0|20000\n|Not known|0|1|1|4500"
		if got := reportLines(r.ByNeighbourhood); got != want {
			t.Fatalf("by neighbourhood:\n%s\nwant\n%s", got, want)
		}
		want = idStr(w.walkers.ID) + "|York Walking Friends|0|1|0|25000\n0|New activities without a group|0|1|0|20000\n" +
			idStr(w.knitters.ID) + "|Knit and Natter CIC|0|1|0|4000"
		if got := reportLines(r.ByGroup); got != want {
			t.Fatalf("by group:\n%s\nwant\n%s", got, want)
		}
		want = "service:" + idStr(w.linkUp.ID) + "|Link Up York|0|2|2|28000\norganisation:" + idStr(w.housing.ID) +
			"|York Housing Trust|0|1|0|20000\norganisation:" + idStr(w.charity.ID) + "|York Community Connectors|0|0|1|500"
		if got := reportLines(r.ByScheme); got != want {
			t.Fatalf("by scheme:\n%s\nwant\n%s", got, want)
		}
		want = idStr(chest.ID) + "|Community Chest|0|2|2|28000\n" + idStr(housingPot.ID) + "|Housing pot|0|1|0|20000\n" +
			idStr(leePot.ID) + "|Lee's pot|0|0|1|500"
		if got := reportLines(r.ByPot); got != want {
			t.Fatalf("by pot:\n%s\nwant\n%s", got, want)
		}
		if len(r.Outstanding) != 2 || r.Outstanding[0].ID != walk.ID || r.Outstanding[1].ID != shed.ID ||
			r.Outstanding[0].GroupName != "York Walking Friends" || r.Outstanding[0].Refunded != 5000 {
			t.Fatalf("outstanding: %s", jsonOf(r.Outstanding))
		}

		// Every date: the spends before and after count too; the one paid and reversed
		// across the dates nets to nothing.
		all, err := w.budgets.SpendReport(t.Context(), linkwork.SpendReportFilter{PlaceID: w.york.ID})
		must(t, err)
		if all.Total != 53200 || all.Spends != 7 {
			t.Fatalf("all dates: total %v over %d spends, want £532.00 over 7", all.Total, all.Spends)
		}
		// One organisation's pots.
		housing, err := w.budgets.SpendReport(t.Context(), linkwork.SpendReportFilter{PlaceID: w.york.ID, From: f.From, To: f.To,
			OrganisationIDs: []int64{w.housing.ID}})
		must(t, err)
		if housing.Total != 20000 || housing.Spends != 1 || len(housing.Outstanding) != 1 || housing.Outstanding[0].ID != shed.ID ||
			reportLines(housing.ByScheme) != "organisation:"+idStr(w.housing.ID)+"|York Housing Trust|0|1|0|20000" {
			t.Fatalf("the housing trust's report: %s", jsonOf(housing))
		}
		// A day with nothing paid.
		quiet, err := w.budgets.SpendReport(t.Context(), linkwork.SpendReportFilter{PlaceID: w.york.ID,
			From: time.Date(2030, time.March, 25, 0, 0, 0, 0, time.UTC), To: time.Date(2030, time.March, 25, 0, 0, 0, 0, time.UTC)})
		must(t, err)
		if quiet.Total != 0 || quiet.Spends != 0 || len(quiet.ByNeed) != 0 || quiet.ByNeed == nil || len(quiet.Outstanding) != 2 {
			t.Fatalf("a quiet day: %s", jsonOf(quiet))
		}
		_, err = w.budgets.SpendReport(t.Context(), linkwork.SpendReportFilter{PlaceID: w.york.ID, From: f.To, To: f.From})
		wantCode(t, err, linkwork.EINVALID, "to")
	})
}

// paymentOf returns the ID of a spend's payment in a pot's ledger.
func (w *budgetWorld) paymentOf(t *testing.T, potID, spendID int64) int64 {
	t.Helper()
	for _, e := range w.entries(t, potID) {
		if e.SpendID == spendID && e.Kind == linkwork.EntrySpend {
			return e.ID
		}
	}
	t.Fatalf("spend %d has no payment in pot %d", spendID, potID)
	return 0
}
