package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// caseFromReferral sends a referral as the GP, accepts it as the manager and opens a case
// from it as sam; it returns the referral's and the person's IDs.
func (s *caseSite) caseFromReferral() (ref, pid int64) {
	s.t.Helper()
	ref = s.send(s.referralForm("send"))
	path := "/referrals/" + id(ref)
	mgr := s.as("manager@example.org")
	if p := mgr.post(path+"/decision", url.Values{"action": {"accept"}, "version": {version(s.t, mgr.get(path))}}); p.status != http.StatusSeeOther {
		s.t.Fatalf("accept: %d", p.status)
	}
	p := s.as("sam@example.org").post(path+"/person", nil)
	if p.status != http.StatusSeeOther {
		s.t.Fatalf("open a case: %d\n%s", p.status, p.body)
	}
	return ref, mustInt(s.t, strings.TrimPrefix(p.location, "/people/"))
}

// respond records a questionnaire response through the store.
func (s *caseSite) respond(pid int64, code string, tp linkwork.Timepoint, status linkwork.ResponseStatus, answers ...*int) *linkwork.QuestionnaireResponse {
	s.t.Helper()
	r := &linkwork.QuestionnaireResponse{PersonID: pid, QuestionnaireCode: code, Timepoint: tp, Status: status, Answers: answers,
		RecordedByUserID: s.sam.ID, RecordedBy: "sam"}
	if status == linkwork.ResponseComplete {
		r.CompletedOn = day(0)
	}
	must(s.t, s.svc.Questionnaires.SaveResponse(context.Background(), r))
	return r
}

func TestCloseCase(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newCaseSite(t, db)
		ctx := context.Background()
		ref, pid := s.caseFromReferral()
		s.respond(pid, "ucla3", linkwork.TimepointBaseline, linkwork.ResponseComplete, ptr(2), ptr(2), ptr(3))
		s.respond(pid, "ons4", linkwork.TimepointBaseline, linkwork.ResponseComplete, ptr(5), ptr(6), ptr(4), ptr(7))
		draft := s.respond(pid, "ons4", linkwork.TimepointFinal, linkwork.ResponseDraft, ptr(8), nil, nil, nil)
		sam := s.as("sam@example.org")
		path := "/people/" + id(pid) + "/close"

		p := sam.get(path)
		p.has(t, "Close the case", "Final questionnaires", "Record the final Loneliness (UCLA 3-item scale)",
			`href="/people/`+id(pid)+`/questionnaires/new?code=ucla3&amp;timepoint=final"`,
			`href="/people/`+id(pid)+`/questionnaires/`+id(draft.ID)+`"`, "a draft is saved",
			"a message goes back to the referrer", "Goals partly met", "Died")
		v := formVersion(t, p)

		p = sam.post(path, url.Values{"version": {v}})
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("no outcome: %d", p.status)
		}
		p.has(t, `href="#outcome"`, "Choose how the case ended")
		sam.post(path, url.Values{"version": {v}, "outcome": {"other"}}).has(t, `href="#note"`, "Say in the note how the case ended.")
		p = sam.post(path, url.Values{"version": {"0"}, "outcome": {"moved"}})
		if p.status != http.StatusConflict {
			t.Fatalf("stale close: %d", p.status)
		}
		p.has(t, "The case was not closed", "Someone else changed this record")
		if got := s.person(pid); got.Status != linkwork.PersonWaiting {
			t.Fatalf("a refused close changed the case: %s", got.Status)
		}

		p = sam.post(path, url.Values{"version": {v}, "outcome": {"goals_met"}, "note": {"Goes to the choir every week."}})
		if p.status != http.StatusSeeOther || p.location != "/people/"+id(pid) {
			t.Fatalf("close: %d %q\n%s", p.status, p.location, p.body)
		}
		got := s.person(pid)
		if got.Status != linkwork.PersonClosed || got.Outcome != linkwork.CaseGoalsMet || got.ClosingNote != "Goes to the choir every week." {
			t.Errorf("closed person: %+v", got)
		}
		r, err := s.svc.Referrals.FindReferralByID(ctx, ref)
		must(t, err)
		if r.Status != linkwork.ReferralClosed || r.Outcome != linkwork.OutcomeSupported {
			t.Errorf("the referral was not closed: %s %s", r.Status, r.Outcome)
		}
		page := sam.get("/people/" + id(pid))
		page.has(t, "The referral it came from is closed too", "Closed", "Goals met", "Goes to the choir every week.")
		if strings.Contains(page.body, "Record a contact") || strings.Contains(page.body, `action="/people/`+id(pid)+`/goals"`) {
			t.Error("a closed case still offers its forms")
		}
		// A closed case cannot be changed, nor closed again.
		if p := sam.post("/people/"+id(pid)+"/contacts", url.Values{"contact-on": {day(0)}, "contact-mode": {"phone"}, "contact-minutes": {"5"}}); p.status != http.StatusBadRequest {
			t.Errorf("contact on a closed case: %d, want 400", p.status)
		}
		if p := sam.get(path); p.status != http.StatusBadRequest || !strings.Contains(p.body, "This case is closed") {
			t.Errorf("close a closed case: %d", p.status)
		}
		if events := s.audits(linkwork.AuditCaseClose); len(events) != 1 || events[0].RecordID != id(pid) {
			t.Errorf("closing audited: %+v", events)
		}
	})
}

func TestCloseDirectCase(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newCaseSite(t, db)
		sam := s.as("sam@example.org")
		pid := s.open(sam, s.personForm())
		path := "/people/" + id(pid) + "/close"
		p := sam.get(path)
		p.has(t, "opened directly, not from a referral, so nobody else is told")
		if strings.Contains(p.body, "Final questionnaires") {
			t.Error("final questionnaires prompted with no baseline")
		}
		if p := sam.post(path, url.Values{"version": {formVersion(t, p)}, "outcome": {"declined"}}); p.status != http.StatusSeeOther {
			t.Fatalf("close: %d\n%s", p.status, p.body)
		}
		sam.get("/people/"+id(pid)).has(t, "The case is closed.", "Declined further support")
	})
}
