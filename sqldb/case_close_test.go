package sqldb_test

import (
	"strings"
	"testing"
	"time"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// Closing a case from a referral closes the referral with the matching outcome and queues
// the message back to the referrer, in the same transaction.
func TestCloseCase(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newPersonWorld(t, db)
		ctx := w.ctx
		r := w.acceptedReferral(t)
		decide(t, w.refWorld, r.ID, linkwork.Transition{Action: linkwork.ActionAllocate, WorkerUserID: w.worker1})
		r = decide(t, w.refWorld, r.ID, linkwork.Transition{Action: linkwork.ActionStart})
		p, err := w.cases.CreatePersonFromReferral(ctx, r.ID, 0)
		must(t, err)
		w.clock.advance(time.Hour)
		notesBefore, err := w.outbox.ListNotifications(t.Context(), r.ID)
		must(t, err)

		for _, tc := range []struct {
			c     linkwork.CaseClosure
			field string
		}{
			{linkwork.CaseClosure{PersonID: p.ID, Version: 1, Outcome: "finished"}, "outcome"},
			{linkwork.CaseClosure{PersonID: p.ID, Version: 1, Outcome: linkwork.CaseOtherEnding, Note: " "}, "note"},
			{linkwork.CaseClosure{PersonID: p.ID, Version: 1, Outcome: linkwork.CaseGoalsMet,
				Note: strings.Repeat("x", linkwork.MaxPersonTextLength+1)}, "note"},
		} {
			_, err := w.cases.CloseCase(ctx, tc.c, w.worker1, "Lee Walker")
			wantField(t, string(tc.c.Outcome), err, tc.field)
		}
		_, err = w.cases.CloseCase(ctx, linkwork.CaseClosure{PersonID: p.ID, Version: 2, Outcome: linkwork.CaseGoalsMet}, w.worker1, "Lee Walker")
		wantCode(t, err, linkwork.ECONFLICT, "")
		_, err = w.cases.CloseCase(ctx, linkwork.CaseClosure{PersonID: 99999, Version: 1, Outcome: linkwork.CaseGoalsMet}, w.worker1, "Lee Walker")
		wantCode(t, err, linkwork.ENOTFOUND, "")
		if got := w.find(t, p.ID); got.Status != linkwork.PersonWaiting || got.Version != 1 {
			t.Fatalf("after refused closures %s", jsonOf(got))
		}

		note := "Joined the choir and goes every week."
		got, err := w.cases.CloseCase(ctx, linkwork.CaseClosure{PersonID: p.ID, Version: 1, Outcome: linkwork.CaseGoalsMet, Note: " " + note},
			w.worker1, "Lee Walker")
		must(t, err)
		if got.Status != linkwork.PersonClosed || got.Outcome != linkwork.CaseGoalsMet || got.ClosingNote != note || got.Version != 2 ||
			got.ClosedAt == nil || !got.ClosedAt.Equal(w.clock.now) {
			t.Fatalf("closed %s", jsonOf(got))
		}
		if jsonOf(got) != jsonOf(w.find(t, p.ID)) {
			t.Fatalf("CloseCase returned\n%s\nwant\n%s", jsonOf(got), jsonOf(w.find(t, p.ID)))
		}
		ref, err := w.refs.FindReferralByID(t.Context(), r.ID)
		must(t, err)
		if ref.Status != linkwork.ReferralClosed || ref.Outcome != linkwork.OutcomeSupported || ref.Version != r.Version+1 {
			t.Fatalf("referral %s %s version %d: want closed, supported", ref.Status, ref.Outcome, ref.Version)
		}
		history, err := w.refs.ReferralHistory(t.Context(), r.ID)
		must(t, err)
		last := history[len(history)-1]
		if last.Action != linkwork.ActionClose || last.ActorUserID != w.worker1 || last.ActorName != "Lee Walker" || last.Note != note ||
			last.FromStatus != linkwork.ReferralInProgress {
			t.Fatalf("referral's last event %+v", last)
		}
		notes, err := w.outbox.ListNotifications(t.Context(), r.ID)
		must(t, err)
		if len(notes) != len(notesBefore)+1 {
			t.Fatalf("%d notifications, want %d", len(notes), len(notesBefore)+1)
		}
		var toReferrer *linkwork.Notification
		for _, n := range notes {
			if n.To == "ann.jones@nhs.example" && strings.Contains(n.Subject, "Closed") {
				toReferrer = n
			}
		}
		if toReferrer == nil {
			t.Fatalf("notifications %s: want one telling the referrer the referral closed", jsonOf(notes))
		}
		noPersonalData(t, r, "message to the referrer", toReferrer.Subject+toReferrer.Body)
		if strings.Contains(toReferrer.Body, "choir") {
			t.Fatalf("message to the referrer %q holds the closing note", toReferrer.Body)
		}
		e := oneAudit(t, db, linkwork.AuditCaseClose, idStr(p.ID))
		if e.Detail != "closed: goals_met, referral "+r.Reference+" closed" || e.RecordType != "person" || e.ActorUserID != w.worker1 {
			t.Fatalf("audit event %+v", e)
		}
		if len(auditWith(t, db, linkwork.AuditReferralTransition, idStr(r.ID))) != 4 {
			t.Fatalf("want the referral's close audited with its other transitions")
		}

		// A closed case cannot be closed again.
		_, err = w.cases.CloseCase(ctx, linkwork.CaseClosure{PersonID: p.ID, Version: 2, Outcome: linkwork.CaseGoalsMet}, w.worker1, "Lee Walker")
		wantCode(t, err, linkwork.EINVALID, "")
	})
}

// A case whose referral can no longer be closed (already closed, or back with a scheme for
// triage) still closes, leaving the referral alone; so does a case opened directly.
func TestCloseCaseReferralNotOpen(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newPersonWorld(t, db)
		ctx := w.ctx
		r1 := w.acceptedReferral(t)
		p1, err := w.cases.CreatePersonFromReferral(ctx, r1.ID, w.worker1)
		must(t, err)
		r1 = decide(t, w.refWorld, r1.ID, linkwork.Transition{Action: linkwork.ActionClose, Outcome: linkwork.OutcomeNoContact})

		r2 := w.send(t, w.person("Joe", "1960-01-01"))
		r2 = decide(t, w.refWorld, r2.ID, linkwork.Transition{Action: linkwork.ActionAccept})
		p2, err := w.cases.CreatePersonFromReferral(ctx, r2.ID, w.worker1)
		must(t, err)
		_, err = db.Exec(t.Context(), "UPDATE referrals SET status = 'received' WHERE id = ?", r2.ID)
		must(t, err)

		r3 := w.send(t, w.person("Jim", "1961-01-01"))
		r3 = decide(t, w.refWorld, r3.ID, linkwork.Transition{Action: linkwork.ActionAccept})
		r3 = decide(t, w.refWorld, r3.ID, linkwork.Transition{Action: linkwork.ActionWait})
		p3, err := w.cases.CreatePersonFromReferral(ctx, r3.ID, w.worker1)
		must(t, err)

		direct := w.mustPerson(t, w.newPerson("Ann", "Other", "1970-01-01"))

		for _, c := range []struct {
			p       *linkwork.Person
			outcome linkwork.CaseOutcome
		}{{p1, linkwork.CaseNotEngaged}, {p2, linkwork.CaseMoved}, {p3, linkwork.CaseDeclined}, {direct, linkwork.CaseDeceased}} {
			got := w.closeCase(t, c.p.ID, c.outcome, "")
			if got.Status != linkwork.PersonClosed || got.Outcome != c.outcome {
				t.Fatalf("closed %s", jsonOf(got))
			}
		}
		for _, c := range []struct {
			r       *linkwork.Referral
			status  linkwork.ReferralStatus
			outcome linkwork.ReferralOutcome
			version int
		}{
			{r1, linkwork.ReferralClosed, linkwork.OutcomeNoContact, r1.Version},
			{r2, linkwork.ReferralReceived, "", r2.Version},
			{r3, linkwork.ReferralClosed, linkwork.OutcomeWithdrew, r3.Version + 1},
		} {
			got, err := w.refs.FindReferralByID(t.Context(), c.r.ID)
			must(t, err)
			if got.Status != c.status || got.Outcome != c.outcome || got.Version != c.version {
				t.Fatalf("referral %s: %s %s version %d, want %s %s version %d", got.Reference, got.Status, got.Outcome, got.Version,
					c.status, c.outcome, c.version)
			}
		}
		if e := oneAudit(t, db, linkwork.AuditCaseClose, idStr(p1.ID)); e.Detail != "closed: not_engaged" {
			t.Fatalf("audit detail %q: want no referral closed", e.Detail)
		}
	})
}
