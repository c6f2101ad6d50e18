package sqldb_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// extractWorld is York's referrals for the NHS England extract, whose counts are known:
//
//	January 2030, Link Up York: 9 from GP practices (one at 23:30 on the 31st), 1 from
//	housing, 2 self-referrals;
//	February 2030, Link Up York: 12 from GP practices, 3 from voluntary organisations; one
//	GP referral declined on 10 February;
//	March 2030, Home First: 8 from housing (one at 23:30 on the 31st, British Summer Time);
//	one declined on 5 March;
//
// and, outside January to March in London, a GP referral at 23:30 on 31 December 2029 and
// one at 23:30 UTC on 31 March 2030 (00:30 on 1 April in London), a decline on 2 April and
// an acceptance in February, which is no decline.
type extractWorld struct {
	*refWorld
	n int
}

func (w *extractWorld) received(t *testing.T, scheme int64, source linkwork.ReferrerType, at time.Time) *linkwork.Referral {
	t.Helper()
	w.n++
	r := w.send(t, w.person(fmt.Sprintf("Extract%d", w.n), "1950-01-01"))
	_, err := w.db.Exec(t.Context(), "UPDATE referrals SET scheme_id = ?, referrer_type = ?, received_at = ? WHERE id = ?",
		scheme, string(source), at, r.ID)
	must(t, err)
	return r
}

func (w *extractWorld) event(t *testing.T, r *linkwork.Referral, scheme int64, action linkwork.ReferralAction, at time.Time) {
	t.Helper()
	_, err := w.db.Exec(t.Context(), `INSERT INTO referral_events (referral_id, scheme_id, at, action, from_status, to_status, actor_name, reason, note)
		VALUES (?, ?, ?, ?, 'received', 'declined', 'Max Manager', '', '')`, r.ID, scheme, at, string(action))
	must(t, err)
}

func newExtractWorld(t *testing.T, db *sqldb.DB) *extractWorld {
	t.Helper()
	w := &extractWorld{refWorld: newRefWorld(t, db)}
	day := func(m time.Month, d int) time.Time { return time.Date(2030, m, d, 10, 0, 0, 0, time.UTC) }
	var declined *linkwork.Referral
	for i := range 8 {
		declined = w.received(t, w.linkUp.ID, linkwork.ReferrerGP, day(time.January, 2+i))
	}
	w.received(t, w.linkUp.ID, linkwork.ReferrerGP, time.Date(2030, 1, 31, 23, 30, 0, 0, time.UTC))
	w.received(t, w.linkUp.ID, linkwork.ReferrerHousing, day(time.January, 20))
	w.received(t, w.linkUp.ID, linkwork.ReferrerSelf, day(time.January, 21))
	w.received(t, w.linkUp.ID, linkwork.ReferrerSelf, day(time.January, 22))
	for i := range 12 {
		w.received(t, w.linkUp.ID, linkwork.ReferrerGP, day(time.February, 1+i))
	}
	for i := range 3 {
		accepted := w.received(t, w.linkUp.ID, linkwork.ReferrerVCSE, day(time.February, 14+i))
		w.event(t, accepted, w.linkUp.ID, linkwork.ActionAccept, day(time.February, 20))
	}
	w.event(t, declined, w.linkUp.ID, linkwork.ActionDecline, day(time.February, 10))
	var housing *linkwork.Referral
	for i := range 7 {
		housing = w.received(t, w.homeFirst.ID, linkwork.ReferrerHousing, day(time.March, 1+i))
	}
	w.received(t, w.homeFirst.ID, linkwork.ReferrerHousing, time.Date(2030, 3, 31, 22, 30, 0, 0, time.UTC))
	w.event(t, housing, w.homeFirst.ID, linkwork.ActionDecline, day(time.March, 5))
	w.received(t, w.linkUp.ID, linkwork.ReferrerGP, time.Date(2029, 12, 31, 23, 30, 0, 0, time.UTC))
	late := w.received(t, w.linkUp.ID, linkwork.ReferrerGP, time.Date(2030, 3, 31, 23, 30, 0, 0, time.UTC))
	w.event(t, late, w.linkUp.ID, linkwork.ActionDecline, day(time.April, 2))
	return w
}

// extractLines are the extract's rows as "month scheme organisation source code description count".
func extractLines(rows []*linkwork.NHSExtractRow) []string {
	var out []string
	for _, r := range rows {
		out = append(out, fmt.Sprintf("%s|%s|%s|%s|%s|%s|%s", r.Month, r.Scheme, r.Organisation, r.ReferralSourceLabel, r.SNOMEDCode,
			r.SNOMEDDescription, r.CountText()))
	}
	return out
}

func TestNHSExtract(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newExtractWorld(t, db)
		svc := db.Services().Workload
		q := linkwork.NHSExtractQuery{PlaceID: w.york.ID, PlaceWide: true, From: "2030-01", To: "2030-03"}
		counts, err := svc.NHSExtractCounts(t.Context(), q)
		must(t, err)

		// The counts as they are, in the extract's order (rule 0/1 suppresses and rounds
		// nothing).
		const ref, dec = linkwork.SNOMEDReferralToSocialPrescribing, linkwork.SNOMEDSocialPrescribingDeclined
		refText, decText := "Referral to social prescribing service (procedure)", "Social prescribing declined (situation)"
		luy, hf := "Link Up York|York Community Connectors|", "Home First|York Housing Trust|"
		raw := extractLines(linkwork.NHSExtract(counts, linkwork.SuppressionRule{Threshold: 0, RoundTo: 1}))
		want := []string{
			"2030-01|" + luy + "GP practice|" + ref + "|" + refText + "|9",
			"2030-01|" + luy + "Housing|" + ref + "|" + refText + "|1",
			"2030-01|" + luy + "The person themselves|" + ref + "|" + refText + "|2",
			"2030-02|" + luy + "GP practice|" + ref + "|" + refText + "|12",
			"2030-02|" + luy + "Voluntary or community organisation|" + ref + "|" + refText + "|3",
			"2030-02|" + luy + "GP practice|" + dec + "|" + decText + "|1",
			"2030-03|" + hf + "Housing|" + ref + "|" + refText + "|8",
			"2030-03|" + hf + "Housing|" + dec + "|" + decText + "|1",
		}
		if !slices.Equal(raw, want) {
			t.Fatalf("counts\n%s\nwant\n%s", jsonOf(raw), jsonOf(want))
		}

		// As a safe aggregate: 1 to 7 hidden, the rest rounded to 5; in February the GP
		// referrals are hidden too, or they and the scheme's referrals that month would give
		// the voluntary organisations' 3 away.
		safe := linkwork.NHSExtract(counts, linkwork.DefaultSuppression)
		var texts []string
		for _, r := range safe {
			texts = append(texts, r.CountText())
			if r.Suppressed != (r.Count == nil) {
				t.Fatalf("row %+v: suppressed but with a count, or the reverse", r)
			}
		}
		if !slices.Equal(texts, []string{"10", "[c]", "[c]", "[c]", "[c]", "[c]", "10", "[c]"}) {
			t.Fatalf("safe counts %v", texts)
		}
		if safe[0].SchemeID != w.linkUp.ID || safe[0].OrganisationID != w.charity.ID || safe[0].ReferralSource != linkwork.ReferrerGP {
			t.Fatalf("first row %+v", safe[0])
		}

		// A manager's extract: their organisations' schemes only.
		q.PlaceWide, q.OrganisationIDs = false, []int64{w.charity.ID}
		counts, err = svc.NHSExtractCounts(t.Context(), q)
		must(t, err)
		if got := extractLines(linkwork.NHSExtract(counts, linkwork.SuppressionRule{RoundTo: 1})); !slices.Equal(got, want[:6]) {
			t.Fatalf("the charity's counts %v", got)
		}
		q.OrganisationIDs = nil
		counts, err = svc.NHSExtractCounts(t.Context(), q)
		must(t, err)
		if len(counts) != 0 {
			t.Fatalf("no organisations: %v", counts)
		}

		// One month: April has the late referral and its decline.
		counts, err = svc.NHSExtractCounts(t.Context(), linkwork.NHSExtractQuery{PlaceID: w.york.ID, PlaceWide: true, From: "2030-04", To: "2030-04"})
		must(t, err)
		if got := extractLines(linkwork.NHSExtract(counts, linkwork.SuppressionRule{RoundTo: 1})); !slices.Equal(got, []string{
			"2030-04|" + luy + "GP practice|" + ref + "|" + refText + "|1", "2030-04|" + luy + "GP practice|" + dec + "|" + decText + "|1"}) {
			t.Fatalf("April %v", got)
		}

		for _, bad := range []struct{ from, to, field string }{
			{"2030-1", "2030-03", "from"}, {"2030-01", "March", "to"}, {"2030-04", "2030-03", "to"}, {"2020-01", "2030-03", "to"},
		} {
			_, err := svc.NHSExtractCounts(t.Context(), linkwork.NHSExtractQuery{PlaceID: w.york.ID, PlaceWide: true, From: bad.from, To: bad.to})
			wantCode(t, err, linkwork.EINVALID, bad.field)
		}
		_, err = svc.NHSExtractCounts(t.Context(), linkwork.NHSExtractQuery{PlaceID: 999999, PlaceWide: true, From: "2030-01", To: "2030-01"})
		wantCode(t, err, linkwork.ENOTFOUND, "")
	})
}
