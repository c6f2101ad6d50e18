package sqldb_test

import (
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// step is one transition in a walk through the lifecycle, with what should follow.
type step struct {
	tr     linkwork.Transition
	status linkwork.ReferralStatus
	// notified is the subject of the notification to the referrer, "" for none.
	notified string
}

// Every path the lifecycle allows, each step checked: the status, the version, the event,
// the audit event and the notification to the referrer.
func TestTransitionsAllowed(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newRefWorld(t, db)
		accept := step{linkwork.Transition{Action: linkwork.ActionAccept}, linkwork.ReferralAccepted, ": Accepted"}
		wait := step{linkwork.Transition{Action: linkwork.ActionWait}, linkwork.ReferralWaiting, ": On the waiting list"}
		allocate := step{linkwork.Transition{Action: linkwork.ActionAllocate, WorkerUserID: w.worker1}, linkwork.ReferralAllocated,
			": Allocated to a link worker"}
		reallocate := step{linkwork.Transition{Action: linkwork.ActionReallocate, WorkerUserID: w.manager}, "", ""}
		reallocateAgain := step{linkwork.Transition{Action: linkwork.ActionReallocate, WorkerUserID: w.worker2}, "", ""}
		start := step{linkwork.Transition{Action: linkwork.ActionStart, Note: "  First call made.  "}, linkwork.ReferralInProgress,
			": Being supported"}
		closeAs := func(o linkwork.ReferralOutcome) step {
			return step{linkwork.Transition{Action: linkwork.ActionClose, Outcome: o}, linkwork.ReferralClosed, ": Closed"}
		}
		decline := step{linkwork.Transition{Action: linkwork.ActionDecline, DeclineReason: linkwork.DeclineOther, Note: "Moved to Leeds."},
			linkwork.ReferralDeclined, ": Declined"}
		for _, c := range []struct {
			name  string
			steps []step
		}{
			{"the whole way", []step{accept, wait, allocate, reallocate, start, reallocateAgain, closeAs(linkwork.OutcomeSupported)}},
			{"declined", []step{decline}},
			{"allocated straight from accepted", []step{accept, allocate, start, closeAs(linkwork.OutcomeConnected)}},
			{"closed when accepted", []step{accept, closeAs(linkwork.OutcomeNoContact)}},
			{"closed while waiting", []step{accept, wait, closeAs(linkwork.OutcomeWithdrew)}},
			{"closed when allocated", []step{accept, allocate, closeAs(linkwork.OutcomeMovedAway)}},
		} {
			t.Run(c.name, func(t *testing.T) {
				r := w.send(t, w.person("Zara", "1990-05-05"))
				nNotes := len(mustNotifications(t, w, r.ID))
				status, version, worker := r.Status, r.Version, int64(0)
				for i, s := range c.steps {
					w.clock.advance(time.Hour)
					tr := s.tr
					tr.ReferralID, tr.Version = r.ID, version
					got, err := w.refs.Transition(t.Context(), tr, w.manager, "Max Manager")
					if err != nil {
						t.Fatalf("step %d, %s from %s: %v", i, tr.Action, status, err)
					}
					want := s.status
					if want == "" {
						want = status
					}
					if tr.WorkerUserID != 0 {
						worker = tr.WorkerUserID
					}
					if got.Status != want || got.Version != version+1 || !got.UpdatedAt.Equal(w.clock.now) || got.WorkerUserID != worker {
						t.Fatalf("step %d, %s: status %s, version %d, updated %v, worker %d; want %s, %d, now, %d",
							i, tr.Action, got.Status, got.Version, got.UpdatedAt, got.WorkerUserID, want, version+1, worker)
					}
					switch tr.Action {
					case linkwork.ActionWait:
						if got.WaitingSince == nil || !got.WaitingSince.Equal(w.clock.now) {
							t.Fatalf("waiting since %v, want now", got.WaitingSince)
						}
					case linkwork.ActionAllocate:
						if got.WaitingSince != nil || got.WorkerName != "Lee Walker" {
							t.Fatalf("allocated: waiting since %v, worker %q; want no longer waiting, Lee Walker", got.WaitingSince, got.WorkerName)
						}
					case linkwork.ActionDecline:
						if got.DeclineReason != linkwork.DeclineOther {
							t.Fatalf("decline reason %q", got.DeclineReason)
						}
					case linkwork.ActionClose:
						if got.Outcome != tr.Outcome || got.WaitingSince != nil {
							t.Fatalf("outcome %q, waiting since %v; want %q and not waiting", got.Outcome, got.WaitingSince, tr.Outcome)
						}
					}
					history, err := w.refs.ReferralHistory(t.Context(), r.ID)
					must(t, err)
					e := history[len(history)-1]
					if len(history) != i+2 || e.Action != tr.Action || e.FromStatus != status || e.ToStatus != want ||
						e.ActorUserID != w.manager || e.ActorName != "Max Manager" || !e.At.Equal(w.clock.now) ||
						e.Note != strings.TrimSpace(tr.Note) || e.WorkerUserID != tr.WorkerUserID ||
						e.Reason != string(tr.DeclineReason)+string(tr.Outcome) {
						t.Fatalf("step %d: event %s", i, jsonOf(e))
					}
					a := auditWith(t, db, linkwork.AuditReferralTransition, idStr(r.ID))[0]
					if wantDetail := string(tr.Action) + ": " + string(status) + " → " + string(want); a.Detail != wantDetail {
						t.Fatalf("audit detail %q, want %q", a.Detail, wantDetail)
					}
					notes := mustNotifications(t, w, r.ID)
					if s.notified == "" {
						if len(notes) != nNotes {
							t.Fatalf("step %d, %s: notified %s, want nothing", i, tr.Action, jsonOf(notes[nNotes:]))
						}
					} else {
						n := notes[len(notes)-1]
						if len(notes) != nNotes+1 || n.To != "ann.jones@nhs.example" || n.Subject != "Referral "+r.Reference+s.notified ||
							!strings.Contains(n.Body, want.Label()) {
							t.Fatalf("step %d, %s: notifications %s, want one to the referrer about %q", i, tr.Action, jsonOf(notes[nNotes:]), s.notified)
						}
						noPersonalData(t, r, "notification", n.Subject+n.Body)
						nNotes++
					}
					status, version = want, version+1
				}
			})
		}
	})
}

func mustNotifications(t *testing.T, w *refWorld, id int64) []*linkwork.Notification {
	t.Helper()
	notes, err := w.outbox.ListNotifications(t.Context(), id)
	must(t, err)
	return notes
}

// A redirect moves the referral to another running scheme in the place, received there,
// keeping its history; both the referrer and the new scheme hear of it.
func TestTransitionRedirect(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newRefWorld(t, db)
		ctx := t.Context()
		r := w.send(t, w.referral())
		paused := mustService(t, db, &linkwork.Service{PlaceID: w.york.ID, OrganisationID: w.housing.ID, Kind: linkwork.KindScheme,
			Name: "Paused", Status: linkwork.StatusTemporarilyClosed})
		leedsScheme := mustService(t, db, &linkwork.Service{PlaceID: w.leeds.ID, OrganisationID: w.leedsOrg.ID,
			Kind: linkwork.KindScheme, Name: "Leeds Connect"})
		activity := mustService(t, db, &linkwork.Service{PlaceID: w.york.ID, OrganisationID: w.housing.ID, Name: "Coffee morning"})
		for _, to := range []int64{paused.ID, leedsScheme.ID, activity.ID, 0, w.linkUp.ID} {
			_, err := w.refs.Transition(ctx, linkwork.Transition{ReferralID: r.ID, Version: 1, Action: linkwork.ActionRedirect, SchemeID: to},
				w.manager, "Max Manager")
			wantCode(t, err, linkwork.EINVALID, "scheme_id")
		}

		// The housing trust's email address hears of it as a new referral.
		home := w.homeFirst
		home.Email = "referrals@housing.example"
		must(t, w.dir.UpdateService(ctx, home))
		w.clock.advance(time.Hour)
		got, err := w.refs.Transition(ctx, linkwork.Transition{ReferralID: r.ID, Version: 1, Action: linkwork.ActionRedirect,
			SchemeID: home.ID, Note: "Mostly about housing."}, w.manager, "Max Manager")
		must(t, err)
		if got.SchemeID != home.ID || got.SchemeName != "Home First" || got.SchemeOrganisationID != w.housing.ID ||
			got.Status != linkwork.ReferralReceived || got.Version != 2 {
			t.Fatalf("redirected: %s", jsonOf(got))
		}
		history, err := w.refs.ReferralHistory(ctx, r.ID)
		must(t, err)
		if len(history) != 2 || history[0].Action != linkwork.ActionReceive || history[1].Action != linkwork.ActionRedirect ||
			history[1].FromSchemeID != w.linkUp.ID || history[1].ToSchemeID != home.ID || history[1].ToStatus != linkwork.ReferralReceived ||
			history[1].Note != "Mostly about housing." {
			t.Fatalf("history %s", jsonOf(history))
		}
		notes := mustNotifications(t, w, r.ID)[2:]
		if len(notes) != 2 || notes[0].To != "ann.jones@nhs.example" || !strings.Contains(notes[0].Subject, "passed on to Home First") ||
			notes[1].To != "referrals@housing.example" || notes[1].Subject != "New referral "+r.Reference ||
			!strings.Contains(notes[1].Body, "Link Up York") {
			t.Fatalf("notifications after the redirect: %s", jsonOf(notes))
		}
		// It is in the new scheme's triage queue, not the old one's; the charity no longer
		// sees it, the housing trust does.
		if q, n, err := w.refs.TriageQueue(ctx, w.linkUp.ID, linkwork.Page{}); err != nil || n != 0 || len(q) != 0 {
			t.Fatalf("old scheme's queue: %d (%v)", n, err)
		}
		if q, n, err := w.refs.TriageQueue(ctx, home.ID, linkwork.Page{}); err != nil || n != 1 || q[0].Referral.ID != r.ID {
			t.Fatalf("new scheme's queue: %d (%v)", n, err)
		}
		rs, _, err := w.refs.ListReferrals(ctx, linkwork.ReferralFilter{PlaceID: w.york.ID, OrganisationIDs: []int64{w.charity.ID}})
		must(t, err)
		if len(rs) != 0 {
			t.Fatal("the old scheme's organisation still sees the redirected referral")
		}
		// It can be redirected on again, and back.
		decide(t, w, r.ID, linkwork.Transition{Action: linkwork.ActionRedirect, SchemeID: w.linkUp.ID})
	})
}

// Transitions the lifecycle does not allow, or with what they need missing or wrong, are
// refused and change nothing.
func TestTransitionsRefused(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newRefWorld(t, db)
		ctx := t.Context()
		received := w.send(t, w.person("Rita", "1970-01-01"))
		closed := w.send(t, w.person("Carl", "1970-01-01"))
		for _, tr := range []linkwork.Transition{{Action: linkwork.ActionAccept}, {Action: linkwork.ActionAllocate, WorkerUserID: w.worker1},
			{Action: linkwork.ActionStart}, {Action: linkwork.ActionClose, Outcome: linkwork.OutcomeSupported}} {
			decide(t, w, closed.ID, tr)
		}
		declined := w.send(t, w.person("Dee", "1970-01-01"))
		decide(t, w, declined.ID, linkwork.Transition{Action: linkwork.ActionDecline, DeclineReason: linkwork.DeclineNotEligible})
		accepted := w.send(t, w.person("Ace", "1970-01-01"))
		decide(t, w, accepted.ID, linkwork.Transition{Action: linkwork.ActionAccept})
		stranger := quickUser(t, db, "stranger@police.example", "Stan Stranger", w.police.ID, linkwork.RoleLinkWorker)
		referrerOfCharity := quickUser(t, db, "rae@connectors.example", "Rae Referrer", w.charity.ID, linkwork.RoleReferrer)

		for _, c := range []struct {
			name        string
			r           *linkwork.Referral
			tr          linkwork.Transition
			code, field string
		}{
			{"skipping acceptance", received, linkwork.Transition{Action: linkwork.ActionAllocate, WorkerUserID: w.worker1}, linkwork.ECONFLICT, ""},
			{"waiting before acceptance", received, linkwork.Transition{Action: linkwork.ActionWait}, linkwork.ECONFLICT, ""},
			{"closing before acceptance", received, linkwork.Transition{Action: linkwork.ActionClose, Outcome: linkwork.OutcomeSupported}, linkwork.ECONFLICT, ""},
			{"reopening a closed one", closed, linkwork.Transition{Action: linkwork.ActionStart}, linkwork.ECONFLICT, ""},
			{"accepting a closed one", closed, linkwork.Transition{Action: linkwork.ActionAccept}, linkwork.ECONFLICT, ""},
			{"accepting a declined one", declined, linkwork.Transition{Action: linkwork.ActionAccept}, linkwork.ECONFLICT, ""},
			{"accepting twice", accepted, linkwork.Transition{Action: linkwork.ActionAccept}, linkwork.ECONFLICT, ""},
			{"an unknown action", received, linkwork.Transition{Action: "merge"}, linkwork.EINVALID, "action"},
			{"the arrival again", received, linkwork.Transition{Action: linkwork.ActionReceive}, linkwork.EINVALID, "action"},
			{"declining without a reason", received, linkwork.Transition{Action: linkwork.ActionDecline}, linkwork.EINVALID, "decline_reason"},
			{"declining as other without a note", received, linkwork.Transition{Action: linkwork.ActionDecline,
				DeclineReason: linkwork.DeclineOther, Note: "   "}, linkwork.EINVALID, "note"},
			{"allocating to nobody", accepted, linkwork.Transition{Action: linkwork.ActionAllocate}, linkwork.EINVALID, "worker_user_id"},
			{"allocating to another organisation's worker", accepted, linkwork.Transition{Action: linkwork.ActionAllocate,
				WorkerUserID: stranger}, linkwork.EINVALID, "worker_user_id"},
			{"allocating to a referrer", accepted, linkwork.Transition{Action: linkwork.ActionAllocate,
				WorkerUserID: referrerOfCharity}, linkwork.EINVALID, "worker_user_id"},
			{"closing without an outcome", accepted, linkwork.Transition{Action: linkwork.ActionClose}, linkwork.EINVALID, "outcome"},
			{"an overlong note", accepted, linkwork.Transition{Action: linkwork.ActionWait, Note: strings.Repeat("x", 2001)}, linkwork.EINVALID, "note"},
		} {
			t.Run(c.name, func(t *testing.T) {
				before, err := w.refs.FindReferralByID(ctx, c.r.ID)
				must(t, err)
				events, err := w.refs.ReferralHistory(ctx, c.r.ID)
				must(t, err)
				tr := c.tr
				tr.ReferralID, tr.Version = c.r.ID, before.Version
				_, err = w.refs.Transition(ctx, tr, w.manager, "Max Manager")
				wantCode(t, err, c.code, c.field)
				after, err := w.refs.FindReferralByID(ctx, c.r.ID)
				must(t, err)
				again, err := w.refs.ReferralHistory(ctx, c.r.ID)
				must(t, err)
				if after.Version != before.Version || after.Status != before.Status || len(again) != len(events) {
					t.Fatalf("refused, yet version %d → %d, status %s → %s, %d → %d events", before.Version, after.Version,
						before.Status, after.Status, len(events), len(again))
				}
			})
		}
		// A closed referral says nothing more can be done; a received one what can.
		_, err := w.refs.Transition(ctx, linkwork.Transition{ReferralID: closed.ID, Version: 5, Action: linkwork.ActionStart}, w.manager, "Max")
		if msg := linkwork.ErrorMessage(err); !strings.Contains(msg, "nothing more can be done") {
			t.Fatalf("reopening a closed referral: %q", msg)
		}
		_, err = w.refs.Transition(ctx, linkwork.Transition{ReferralID: received.ID, Version: 1, Action: linkwork.ActionWait}, w.manager, "Max")
		if msg := linkwork.ErrorMessage(err); !strings.Contains(msg, "accept, decline or redirect") {
			t.Fatalf("waiting a received referral: %q", msg)
		}
	})
}

// A decision made on an old version of a referral is a conflict that says who changed it,
// when (in UK time), what it is now, and to reload.
func TestTransitionStaleVersion(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newRefWorld(t, db)
		w.clock.now = time.Date(2030, time.July, 1, 13, 5, 0, 0, time.UTC) // 14:05 in London, in summer time
		r := w.send(t, w.referral())
		_, err := w.refs.Transition(t.Context(), linkwork.Transition{ReferralID: r.ID, Version: 1, Action: linkwork.ActionAccept},
			w.worker2, "Kim Okafor")
		must(t, err)
		_, err = w.refs.Transition(t.Context(), linkwork.Transition{ReferralID: r.ID, Version: 1, Action: linkwork.ActionDecline,
			DeclineReason: linkwork.DeclineNotEligible}, w.manager, "Max Manager")
		wantCode(t, err, linkwork.ECONFLICT, "")
		msg := linkwork.ErrorMessage(err)
		for _, want := range []string{"Kim Okafor", "14:05", "accepted", "Reload"} {
			if !strings.Contains(msg, want) {
				t.Errorf("conflict message %q does not say %q", msg, want)
			}
		}
		got, err := w.refs.FindReferralByID(t.Context(), r.ID)
		must(t, err)
		if got.Status != linkwork.ReferralAccepted || got.Version != 2 {
			t.Fatalf("status %s version %d after the conflict, want accepted 2", got.Status, got.Version)
		}
	})
}

// Two people deciding on the same referral at the same time, from the same version: exactly
// one decision is kept and the other is told of the conflict; no update is lost. The two
// decisions are reallocations, each of which the lifecycle would allow after the other, so
// that only the version stops the second from overwriting the first.
func TestTransitionConcurrently(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newRefWorld(t, db)
		ctx := t.Context()
		for round := range 3 {
			r := w.send(t, w.person("Concurrent"+idStr(int64(round)), "1966-06-06"))
			decide(t, w, r.ID, linkwork.Transition{Action: linkwork.ActionAccept})
			allocated := decide(t, w, r.ID, linkwork.Transition{Action: linkwork.ActionAllocate, WorkerUserID: w.worker1})
			// Hold the referral's row (on SQLite, the write lock) so that both decisions start
			// before either can finish.
			holder := holdLock(t, db, "SELECT id FROM referrals WHERE id = ? FOR UPDATE", r.ID)
			workers := []int64{w.worker2, w.manager}
			errs := make([]error, 2)
			var wg sync.WaitGroup
			for i := range 2 {
				tr := linkwork.Transition{ReferralID: r.ID, Version: allocated.Version, Action: linkwork.ActionReallocate,
					WorkerUserID: workers[i]}
				wg.Go(func() { _, errs[i] = w.refs.Transition(ctx, tr, workers[i], "Worker "+idStr(int64(i))) })
			}
			waitForWaiters(t, db, holder, 2)
			must(t, holder.Release())
			wg.Wait()

			won := -1
			for i, err := range errs {
				if err == nil {
					if won >= 0 {
						t.Fatalf("round %d: both decisions succeeded", round)
					}
					won = i
					continue
				}
				wantCode(t, err, linkwork.ECONFLICT, "")
				if !strings.Contains(linkwork.ErrorMessage(err), "Reload") {
					t.Fatalf("round %d: conflict %q does not say to reload", round, linkwork.ErrorMessage(err))
				}
			}
			if won < 0 {
				t.Fatalf("round %d: neither decision succeeded: %v", round, errs)
			}
			got, err := w.refs.FindReferralByID(ctx, r.ID)
			must(t, err)
			history, err := w.refs.ReferralHistory(ctx, r.ID)
			must(t, err)
			if got.Version != allocated.Version+1 || got.WorkerUserID != workers[won] || len(history) != 4 ||
				history[3].WorkerUserID != workers[won] {
				t.Fatalf("round %d: version %d, worker %d, %d events; want %d, the winner's %d, 4", round, got.Version,
					got.WorkerUserID, len(history), allocated.Version+1, workers[won])
			}
			if n := len(auditWith(t, db, linkwork.AuditReferralTransition, idStr(r.ID))); n != 3 {
				t.Fatalf("round %d: %d audit events for three decisions", round, n)
			}
		}
	})
}

// The triage queue holds a scheme's received referrals, urgent first, then oldest first.
func TestTriageQueue(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newRefWorld(t, db)
		ctx := t.Context()
		var ids = map[string]int64{}
		for _, p := range []struct {
			name    string
			urgency linkwork.Urgency
		}{{"old-routine", linkwork.UrgencyRoutine}, {"old-soon", linkwork.UrgencySoon}, {"new-urgent", linkwork.UrgencyUrgent},
			{"new-routine", linkwork.UrgencyRoutine}, {"accepted", linkwork.UrgencyUrgent}, {"newest-urgent", linkwork.UrgencyUrgent}} {
			w.clock.advance(time.Minute)
			r := w.person(strings.ReplaceAll(p.name, "-", ""), "1980-01-01")
			r.Urgency = p.urgency
			ids[p.name] = w.send(t, r).ID
		}
		decide(t, w, ids["accepted"], linkwork.Transition{Action: linkwork.ActionAccept})
		other := w.person("Elsewhere", "1980-01-01")
		other.SchemeID, other.NeedIDs = w.homeFirst.ID, w.termIDs("need/housing")
		w.send(t, other)

		want := []int64{ids["new-urgent"], ids["newest-urgent"], ids["old-soon"], ids["old-routine"], ids["new-routine"]}
		q, total, err := w.refs.TriageQueue(ctx, w.linkUp.ID, linkwork.Page{})
		must(t, err)
		var got []int64
		for _, e := range q {
			got = append(got, e.Referral.ID)
			if e.Position != 0 || e.ExpectedWaitDays != 0 || len(e.Referral.Needs) == 0 {
				t.Fatalf("queue entry %s: want no position or wait, and the needs", jsonOf(e))
			}
		}
		if total != 5 || !slices.Equal(got, want) {
			t.Fatalf("queue %v of %d, want %v", got, total, want)
		}
		q, total, err = w.refs.TriageQueue(ctx, w.linkUp.ID, linkwork.Page{Number: 2, Size: 2})
		must(t, err)
		if total != 5 || len(q) != 2 || q[0].Referral.ID != want[2] || q[1].Referral.ID != want[3] {
			t.Fatalf("page 2 of the queue: %d entries of %d", len(q), total)
		}
		_, _, err = w.refs.TriageQueue(ctx, 99999, linkwork.Page{})
		wantCode(t, err, linkwork.ENOTFOUND, "")
	})
}

// The waiting list is in order (urgent first, then by how long they have waited), with
// positions and expected waits from the scheme's free places and recent allocations, or
// its stated wait.
func TestWaitingList(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newRefWorld(t, db)
		ctx := t.Context()
		// Each link worker takes 2 people; the charity has two workers, so 4 places.
		must(t, w.refs.SetCaseloadLimit(ctx, w.york.ID, w.worker1, 2))
		must(t, w.refs.SetCaseloadLimit(ctx, w.york.ID, w.worker2, 2))
		waitFor := func(name string, u linkwork.Urgency) int64 {
			r := w.person(name, "1975-03-03")
			r.Urgency = u
			w.send(t, r)
			decide(t, w, r.ID, linkwork.Transition{Action: linkwork.ActionAccept})
			w.clock.advance(time.Hour)
			decide(t, w, r.ID, linkwork.Transition{Action: linkwork.ActionWait})
			return r.ID
		}
		var order []int64
		a := waitFor("Alf", linkwork.UrgencyRoutine)
		b := waitFor("Bea", linkwork.UrgencyRoutine)
		c := waitFor("Cal", linkwork.UrgencyUrgent)
		d := waitFor("Dot", linkwork.UrgencySoon)
		e := waitFor("Eve", linkwork.UrgencyRoutine)
		order = []int64{c, d, a, b, e}

		list := func(page linkwork.Page) ([]linkwork.QueueEntry, int) {
			t.Helper()
			q, total, err := w.refs.WaitingList(ctx, w.linkUp.ID, page)
			must(t, err)
			return q, total
		}
		// No one allocated: 4 free places, so the first four wait for nothing; with no
		// allocations yet, the fifth waits the stated 3 weeks.
		q, total := list(linkwork.Page{})
		if total != 5 || len(q) != 5 {
			t.Fatalf("%d on the list of %d, want 5", len(q), total)
		}
		for i, entry := range q {
			wantWait := 0
			if i == 4 {
				wantWait = 21
			}
			if entry.Referral.ID != order[i] || entry.Position != i+1 || entry.ExpectedWaitDays != wantWait {
				t.Fatalf("entry %d: referral %d at %d waiting %d days; want %d at %d waiting %d", i, entry.Referral.ID,
					entry.Position, entry.ExpectedWaitDays, order[i], i+1, wantWait)
			}
		}

		// Allocate the first three: 1 free place left (4 − 3), and 3 allocations in the last 8
		// weeks is 0.375 a week, so each place beyond the free one takes 7 ÷ 0.375 days.
		for _, id := range order[:3] {
			decide(t, w, id, linkwork.Transition{Action: linkwork.ActionAllocate, WorkerUserID: w.worker1})
		}
		q, total = list(linkwork.Page{})
		if total != 2 || q[0].Referral.ID != b || q[1].Referral.ID != e {
			t.Fatalf("after allocating three: %d waiting", total)
		}
		perWeek := 3.0 / 8
		if q[0].Position != 1 || q[0].ExpectedWaitDays != 0 || q[1].Position != 2 ||
			q[1].ExpectedWaitDays != int(math.Ceil(1/perWeek*7)) {
			t.Fatalf("waits %d and %d days, want 0 and %d", q[0].ExpectedWaitDays, q[1].ExpectedWaitDays, int(math.Ceil(1/perWeek*7)))
		}
		// Paging keeps the positions.
		q, _ = list(linkwork.Page{Number: 2, Size: 1})
		if len(q) != 1 || q[0].Referral.ID != e || q[0].Position != 2 {
			t.Fatalf("page 2 of size 1: %s", jsonOf(q))
		}
		// Allocations older than 8 weeks do not count: back to the stated wait.
		w.clock.advance(57 * 24 * time.Hour)
		q, _ = list(linkwork.Page{})
		if q[1].ExpectedWaitDays != 21 {
			t.Fatalf("with no recent allocations: wait %d days, want the stated 21", q[1].ExpectedWaitDays)
		}
		activity := mustService(t, db, &linkwork.Service{PlaceID: w.york.ID, OrganisationID: w.charity.ID, Name: "Lunch club"})
		_, _, err := w.refs.WaitingList(ctx, activity.ID, linkwork.Page{})
		wantCode(t, err, linkwork.ENOTFOUND, "")
	})
}

// Capacity counts each scheme's referrals by stage and its link workers' caseloads against
// their limits: their own, else the scheme's, else linkwork's default.
func TestCapacity(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newRefWorld(t, db)
		ctx := t.Context()
		housingWorker := quickUser(t, db, "hal@housing.example", "Hal Housing", w.housing.ID, linkwork.RoleLinkWorker)
		must(t, w.svc.Practitioners.CreatePractitioner(ctx, &linkwork.Practitioner{PlaceID: w.york.ID, UserID: w.worker2,
			Name: "Kim Okafor", OrganisationID: w.charity.ID, Languages: []string{"Polish", "Igbo"}}))
		must(t, w.refs.SetCaseloadLimit(ctx, w.york.ID, w.worker1, 3))

		// Link Up York: 2 received, 1 waiting, 2 allocated to Lee (one in progress), 1 to Kim,
		// and 1 closed (which counts for nothing but its allocation).
		n := 0
		sendTo := func(scheme *linkwork.Service, steps ...linkwork.Transition) int64 {
			n++
			r := w.person("P"+idStr(int64(n)), "1985-01-01")
			r.SchemeID = scheme.ID
			if scheme == w.homeFirst {
				r.NeedIDs = w.termIDs("need/housing")
			}
			w.send(t, r)
			for _, tr := range steps {
				decide(t, w, r.ID, tr)
			}
			return r.ID
		}
		accept := linkwork.Transition{Action: linkwork.ActionAccept}
		to := func(u int64) linkwork.Transition {
			return linkwork.Transition{Action: linkwork.ActionAllocate, WorkerUserID: u}
		}
		sendTo(w.linkUp)
		sendTo(w.linkUp)
		sendTo(w.linkUp, accept, linkwork.Transition{Action: linkwork.ActionWait})
		sendTo(w.linkUp, accept, to(w.worker1))
		sendTo(w.linkUp, accept, to(w.worker1), linkwork.Transition{Action: linkwork.ActionStart})
		sendTo(w.linkUp, accept, to(w.worker2))
		sendTo(w.linkUp, accept, to(w.worker2), linkwork.Transition{Action: linkwork.ActionClose, Outcome: linkwork.OutcomeSupported})
		// Home First: 1 allocated to Hal.
		sendTo(w.homeFirst, accept, to(housingWorker))
		// Allocated to the manager, it counts for the scheme but not for a link worker.
		sendTo(w.linkUp, accept, to(w.manager))

		caps, err := w.refs.Capacity(ctx, w.york.ID, nil)
		must(t, err)
		if len(caps) != 2 || caps[0].SchemeName != "Home First" || caps[1].SchemeName != "Link Up York" {
			t.Fatalf("capacity of %d schemes: %s", len(caps), jsonOf(caps))
		}
		home, link := caps[0], caps[1]
		if link.SchemeID != w.linkUp.ID || link.OrganisationID != w.charity.ID || link.Received != 2 || link.Waiting != 1 ||
			link.Active != 4 || link.StatedWaitingWeeks != 3 {
			t.Fatalf("Link Up York: %s", jsonOf(link))
		}
		// Lee: own limit 3 with 2; Kim: the default with 1 (the closed one no longer counts).
		wantWorkers := []linkwork.WorkerLoad{
			{UserID: w.worker2, Name: "Kim Okafor", Active: 1, Limit: linkwork.DefaultCaseloadLimit, Languages: []string{"Polish", "Igbo"}},
			{UserID: w.worker1, Name: "Lee Walker", Active: 2, Limit: 3, Languages: []string{}},
		}
		if jsonOf(link.Workers) != jsonOf(wantWorkers) {
			t.Fatalf("Link Up York's workers:\n%s\nwant\n%s", jsonOf(link.Workers), jsonOf(wantWorkers))
		}
		if link.Limit != 3+linkwork.DefaultCaseloadLimit || link.Free != link.Limit-4 {
			t.Fatalf("Link Up York: limit %d, free %d", link.Limit, link.Free)
		}
		// Five allocations in the last 8 weeks (the closed one's and the manager's too).
		if link.AllocatedPerWeek != 5.0/8 || link.ExpectedWaitDays != 0 {
			t.Fatalf("Link Up York: %v allocated a week, expected wait %d; want 0.625 and none", link.AllocatedPerWeek, link.ExpectedWaitDays)
		}
		// Home First's limit is its own 30 a worker.
		if len(home.Workers) != 1 || home.Workers[0].Limit != 30 || home.Workers[0].Active != 1 || home.Active != 1 ||
			home.Limit != 30 || home.Free != 29 || home.AllocatedPerWeek != 1.0/8 || home.StatedWaitingWeeks != 6 {
			t.Fatalf("Home First: %s", jsonOf(home))
		}

		// One scheme, when asked; a full one has a wait.
		must(t, w.refs.SetCaseloadLimit(ctx, w.york.ID, housingWorker, 1))
		sendTo(w.homeFirst, accept, linkwork.Transition{Action: linkwork.ActionWait})
		caps, err = w.refs.Capacity(ctx, w.york.ID, []int64{w.homeFirst.ID})
		must(t, err)
		if len(caps) != 1 || caps[0].Free != 0 || caps[0].Waiting != 1 || caps[0].ExpectedWaitDays != 112 {
			// A newcomer would be second in line, and one allocation in 8 weeks is one every 56 days.
			t.Fatalf("Home First full: %s; want no room and a wait of 112 days for a newcomer", jsonOf(caps))
		}
		// Another place's scheme is not this place's.
		caps, err = w.refs.Capacity(ctx, w.leeds.ID, []int64{w.homeFirst.ID})
		must(t, err)
		if len(caps) != 0 {
			t.Fatalf("Leeds's capacity lists York's scheme: %s", jsonOf(caps))
		}
	})
}

func TestSetCaseloadLimit(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newRefWorld(t, db)
		ctx := t.Context()
		limitOf := func() int {
			t.Helper()
			caps, err := w.refs.Capacity(ctx, w.york.ID, []int64{w.linkUp.ID})
			must(t, err)
			for _, wl := range caps[0].Workers {
				if wl.UserID == w.worker1 {
					return wl.Limit
				}
			}
			t.Fatal("worker not listed")
			return 0
		}
		must(t, w.refs.SetCaseloadLimit(ctx, w.york.ID, w.worker1, 12))
		must(t, w.refs.SetCaseloadLimit(ctx, w.york.ID, w.worker1, 40))
		if got := limitOf(); got != 40 {
			t.Fatalf("limit %d, want 40", got)
		}
		if a := auditWith(t, db, linkwork.AuditCaseloadLimit, idStr(w.worker1)); len(a) != 2 || a[0].Detail != "Lee Walker: 40 people" {
			t.Fatalf("audit %s", jsonOf(a))
		}
		must(t, w.refs.SetCaseloadLimit(ctx, w.york.ID, w.worker1, 0))
		if got := limitOf(); got != linkwork.DefaultCaseloadLimit {
			t.Fatalf("limit %d after removing it, want the default %d", got, linkwork.DefaultCaseloadLimit)
		}
		for _, bad := range []int{-1, 501} {
			wantCode(t, w.refs.SetCaseloadLimit(ctx, w.york.ID, w.worker1, bad), linkwork.EINVALID, "caseload_limit")
		}
		must(t, w.refs.SetCaseloadLimit(ctx, w.york.ID, w.worker1, 500))
		wantCode(t, w.refs.SetCaseloadLimit(ctx, w.leeds.ID, w.worker1, 10), linkwork.ENOTFOUND, "")
		wantCode(t, w.refs.SetCaseloadLimit(ctx, w.york.ID, 99999, 10), linkwork.ENOTFOUND, "")
	})
}

// RouteReferral ranks the place's schemes with their capacity: here Link Up York, which
// lists the person's needs, before Home First, which takes no self-referrals.
func TestRouteReferral(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newRefWorld(t, db)
		leedsScheme := mustService(t, db, &linkwork.Service{PlaceID: w.leeds.ID, OrganisationID: w.leedsOrg.ID,
			Kind: linkwork.KindScheme, Name: "Leeds Connect"})
		w.send(t, w.referral())
		opts, err := w.refs.RouteReferral(t.Context(), linkwork.RouteRequest{PlaceID: w.york.ID, Age: 75,
			Postcode: &linkwork.PostcodeInfo{Postcode: "HX1 1AA"}, NeedIDs: w.termIDs("need/loneliness"),
			ClientGroupIDs: w.termIDs("client_group/older_people"), ReferrerType: linkwork.ReferrerSelf})
		must(t, err)
		if len(opts) != 2 {
			t.Fatalf("%d options, want York's 2 schemes (not %d in Leeds): %s", len(opts), leedsScheme.ID, jsonOf(opts))
		}
		first, second := opts[0], opts[1]
		if first.SchemeID != w.linkUp.ID || !first.Eligible || first.NeedsMatched != 1 || first.Capacity == nil ||
			first.Capacity.Received != 1 || len(first.Capacity.Workers) != 2 || first.Scheme == nil || len(first.Scheme.Terms) != 3 {
			t.Fatalf("first option: %s", jsonOf(first))
		}
		if second.SchemeID != w.homeFirst.ID || second.Eligible || len(second.Excluded) != 1 ||
			!strings.Contains(second.Excluded[0], "takes referrals only from") || second.Capacity == nil {
			t.Fatalf("second option: %s", jsonOf(second))
		}
	})
}
