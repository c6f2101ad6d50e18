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

// Erasure leaves no personal data about the person anywhere their case or referral kept
// it, while the anonymous facts the measures count remain.
func TestErasePerson(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newPersonWorld(t, db)
		ctx := w.ctx
		r := w.acceptedReferral(t)
		decide(t, w.refWorld, r.ID, linkwork.Transition{Action: linkwork.ActionAllocate, WorkerUserID: w.worker1,
			Note: "Mary Smith prefers mornings"})
		p, err := w.cases.CreatePersonFromReferral(ctx, r.ID, 0)
		must(t, err)
		p.PreferredName, p.Email, p.Address2 = "Molly", "molly.smith@example.org", "Flat 9"
		p.Demographics = linkwork.Demographics{Sex: linkwork.SexFemale, GenderSameAsSex: linkwork.AnswerYes, Gender: "Womanly",
			Ethnicity: "C", Disability: linkwork.AnswerYes, Carer: linkwork.AnswerNo, FirstLanguage: "Kashubian"}
		must(t, w.cases.UpdatePerson(ctx, p))
		must(t, w.cases.SaveConversation(ctx, &linkwork.Conversation{PersonID: p.ID, HeldOn: "2030-03-04",
			WhatMatters: "Molly misses her allotment", Barriers: "Her hip"}))
		g := &linkwork.Goal{PersonID: p.ID, Text: "Molly wants her allotment back"}
		must(t, w.cases.AddGoal(ctx, g))
		must(t, w.cases.AddStep(ctx, &linkwork.Step{GoalID: g.ID, PersonID: p.ID, Text: "Ring Molly's allotment society", DueOn: "2030-03-20"}))
		must(t, w.cases.AddProgressNote(ctx, &linkwork.ProgressNote{PersonID: p.ID, Text: "Molly sounded brighter"}))
		w.contact(t, p.ID, "2030-03-03", "2030-03-12", 0)
		must(t, w.cases.AddContact(ctx, &linkwork.CaseContact{PersonID: p.ID, On: "2030-03-04", Mode: linkwork.ModeHomeVisit, Minutes: 60,
			With: "Her son Jonty", Note: "Molly showed me her seed packets"}))
		w.closeCase(t, p.ID, linkwork.CaseMoved, "Molly moved to her son's in Whitby")
		before := w.find(t, p.ID)

		wantField(t, "no reason", w.cases.ErasePerson(ctx, p.ID, "  "), "why")
		wantCode(t, w.cases.ErasePerson(ctx, 99999, "The person asked us to"), linkwork.ENOTFOUND, "")
		w.clock.advance(24 * time.Hour)
		must(t, w.cases.ErasePerson(ctx, p.ID, " The person asked us to "))

		personal := []string{"Mary", "Smith", "Molly", "9434765919", "HX1 1AA", "Rose Street", "Flat 9", "01904 123456",
			"1950-04-01", "Large print", "Polish", "Priory", "molly.smith", "Womanly", "Kashubian", "Jonty", "seed", "allotment",
			"Whitby", "brighter", "Her hip", "Lives alone", "Low mood", "mornings", "E01010994"}
		for _, table := range []string{"persons", "referrals", "referral_events", "conversations", "plan_goals", "plan_steps",
			"progress_notes", "case_contacts", "audit_events", "notifications"} {
			text, err := db.TableText(t.Context(), table)
			must(t, err)
			for _, v := range personal {
				if v == "Priory" && table == "audit_events" {
					continue // the GP practice's own organisation is in the trail, not the person's practice
				}
				if strings.Contains(text, v) {
					t.Fatalf("%s still holds %q after erasure:\n%s", table, v, text)
				}
			}
		}

		got := w.find(t, p.ID)
		if got.Status != linkwork.PersonErased || got.ErasedAt == nil || !got.ErasedAt.Equal(w.clock.now) || got.Outcome != linkwork.CaseMoved ||
			got.OpenedOn != "2030-03-01" || !got.ClosedAt.Equal(time.Date(2030, time.March, 1, 0, 0, 0, 0, time.UTC)) ||
			got.LastContactOn != "2030-03-01" || got.FollowUpOn != "" || got.NextStep != "" || got.WorkerUserID != w.worker1 ||
			got.ReferralID != r.ID || got.IMDDecile != 1 || got.Demographics.Sex != linkwork.SexFemale || got.Demographics.Ethnicity != "C" ||
			got.Version != before.Version+1 {
			t.Fatalf("erased record %s", jsonOf(got))
		}
		var band string
		must(t, db.QueryRow(t.Context(), "SELECT age_band FROM persons WHERE id = ?", []any{p.ID}, &band))
		if band != "75-84" {
			t.Fatalf("age band %q, want 75-84 (79 when the case opened)", band)
		}
		// The counts remain: contacts with their minutes, goals and steps without their words.
		rec, err := w.cases.PersonRecord(t.Context(), p.ID)
		must(t, err)
		if len(rec.Contacts) != 2 || rec.ContactMinutes != 90 || rec.Contacts[0].Mode != linkwork.ModeHomeVisit || rec.Contacts[0].On != "2030-03-04" ||
			rec.Conversation != nil || len(rec.Plan.Goals) != 1 || len(rec.Plan.Goals[0].Steps) != 1 || len(rec.Plan.Notes) != 0 {
			t.Fatalf("erased record's history %s", jsonOf(rec))
		}
		ref, err := w.refs.FindReferralByID(t.Context(), r.ID)
		must(t, err)
		if ref.Status != linkwork.ReferralClosed || ref.Outcome != linkwork.OutcomeMovedAway || len(ref.Needs) != 2 || ref.Urgency != linkwork.UrgencySoon {
			t.Fatalf("erased referral %s", jsonOf(ref))
		}
		e := oneAudit(t, db, linkwork.AuditPersonErase, idStr(p.ID))
		if e.Detail != "The person asked us to" || e.ActorUserID != w.worker1 || e.RecordType != "person" {
			t.Fatalf("audit event %+v", e)
		}

		// Erased is final.
		err = w.cases.ErasePerson(ctx, p.ID, "Again")
		wantCode(t, err, linkwork.EINVALID, "")
		if !strings.Contains(linkwork.ErrorMessage(err), "already erased on 5 March 2030") {
			t.Fatalf("second erasure %q", linkwork.ErrorMessage(err))
		}
		wantCode(t, w.cases.AddContact(ctx, &linkwork.CaseContact{PersonID: p.ID, On: "2030-03-04", Mode: linkwork.ModePhone, Minutes: 5}),
			linkwork.EINVALID, "")
		wantCode(t, w.cases.UpdatePerson(ctx, got), linkwork.EINVALID, "")
		f := linkwork.CaseloadFilter{PlaceID: w.york.ID, OrganisationIDs: []int64{w.charity.ID}}
		if es, _, _, err := w.cases.Caseload(t.Context(), f); err != nil || len(es) != 0 {
			t.Fatalf("caseload after erasure %s (%v)", jsonOf(es), err)
		}
		f.Statuses = []linkwork.PersonStatus{linkwork.PersonErased}
		if es, _, _, err := w.cases.Caseload(t.Context(), f); err != nil || len(es) != 1 || es[0].Person.Name() != "" {
			t.Fatalf("erased caseload %s (%v)", jsonOf(es), err)
		}

		// An open case can be erased too, and a person can have a new record afterwards.
		open := w.mustPerson(t, w.newPerson("Ann", "Other", "1970-01-01"))
		must(t, w.cases.ErasePerson(ctx, open.ID, "Opened by mistake"))
		if got := w.find(t, open.ID); got.Status != linkwork.PersonErased || got.ClosedAt != nil || got.GivenName != "" {
			t.Fatalf("erased open case %s", jsonOf(got))
		}
		w.mustPerson(t, w.newPerson("Ann", "Other", "1970-01-01"))
	})
}

func TestRetention(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newPersonWorld(t, db)
		ctx := w.ctx
		got, err := w.cases.Retention(t.Context(), w.york.ID)
		must(t, err)
		if got.Months != linkwork.DefaultRetentionMonths || got.PlaceID != w.york.ID {
			t.Fatalf("retention %+v, want the default", got)
		}
		for _, months := range []int{-1, linkwork.MaxRetentionMonths + 1} {
			wantCode(t, w.cases.SetRetention(ctx, linkwork.Retention{PlaceID: w.york.ID, Months: months}), linkwork.EINVALID, "months")
		}
		wantCode(t, w.cases.SetRetention(ctx, linkwork.Retention{PlaceID: 99999, Months: 12}), linkwork.ENOTFOUND, "")
		_, err = w.cases.Retention(t.Context(), 99999)
		wantCode(t, err, linkwork.ENOTFOUND, "")
		must(t, w.cases.SetRetention(ctx, linkwork.Retention{PlaceID: w.york.ID, Months: 12}))
		must(t, w.cases.SetRetention(ctx, linkwork.Retention{PlaceID: w.leeds.ID, Months: 0}))
		if got, _ := w.cases.Retention(t.Context(), w.york.ID); got.Months != 12 {
			t.Fatalf("retention %+v, want 12 months", got)
		}
		e := oneAudit(t, db, linkwork.AuditRetentionSet, idStr(w.york.ID))
		if e.RecordType != "place" || e.Detail != "from 96 to 12 months" || e.ActorUserID != w.worker1 {
			t.Fatalf("audit event %+v", e)
		}

		// York: one case closed now, one in two months' time, one open; Leeds keeps its
		// closed case until erased by hand.
		old := w.opened(t, "Olive", "Old", w.worker1)
		w.closeCase(t, old.ID, linkwork.CaseGoalsMet, "")
		open := w.opened(t, "Owen", "Open", w.worker1)
		leeds := w.newPerson("Lena", "Leeds", "1980-01-01")
		leeds.PlaceID, leeds.OrganisationID, leeds.WorkerUserID = w.leeds.ID, w.leedsOrg.ID, 0
		w.mustPerson(t, leeds)
		w.closeCase(t, leeds.ID, linkwork.CaseGoalsMet, "")
		start := w.clock.now
		w.clock.advance(61 * 24 * time.Hour)
		recent := w.opened(t, "Rita", "Recent", w.worker1)
		w.closeCase(t, recent.ID, linkwork.CaseGoalsMet, "")

		n, err := w.cases.ApplyRetention(t.Context(), start.AddDate(0, 12, 1))
		must(t, err)
		if n != 1 {
			t.Fatalf("erased %d, want 1", n)
		}
		for id, want := range map[int64]linkwork.PersonStatus{old.ID: linkwork.PersonErased, open.ID: linkwork.PersonWaiting,
			leeds.ID: linkwork.PersonClosed, recent.ID: linkwork.PersonClosed} {
			if got := w.find(t, id); got.Status != want {
				t.Fatalf("person %d is %s, want %s", id, got.Status, want)
			}
		}
		e = oneAudit(t, db, linkwork.AuditPersonErase, idStr(old.ID))
		if e.ActorLabel != "retention" || e.Detail != "Retention: closed more than 12 months ago" {
			t.Fatalf("audit event %+v", e)
		}
		if n, err := w.cases.ApplyRetention(t.Context(), start.AddDate(0, 12, 1)); err != nil || n != 0 {
			t.Fatalf("again: erased %d (%v), want 0", n, err)
		}
		if n, err := w.cases.ApplyRetention(t.Context(), start.AddDate(0, 14, 3)); err != nil || n != 1 {
			t.Fatalf("two months later: erased %d (%v), want 1", n, err)
		}
		if got := w.find(t, leeds.ID); got.Status != linkwork.PersonClosed {
			t.Fatalf("Leeds keeps its cases, but person %d is %s", leeds.ID, got.Status)
		}
	})
}

// More closed cases than a batch are all erased.
func TestApplyRetentionBatches(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newPersonWorld(t, db)
		must(t, w.cases.SetRetention(w.ctx, linkwork.Retention{PlaceID: w.york.ID, Months: 1}))
		const n = 57
		for i := range n {
			p := w.opened(t, fmt.Sprintf("Person%d", i), "Batch", 0)
			w.closeCase(t, p.ID, linkwork.CaseGoalsMet, "")
		}
		got, err := w.cases.ApplyRetention(t.Context(), w.clock.now.AddDate(0, 2, 0))
		must(t, err)
		if got != n || countRows(t, db, "persons", "status = 'erased'") != n || countRows(t, db, "persons", "given_name <> ''") != 0 {
			t.Fatalf("erased %d, want %d", got, n)
		}
	})
}
