package sqldb_test

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"testing"
	"time"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// caseWorld is York with a connector scheme's organisation holding cases, its link worker,
// two community groups with their offers, and offers that cannot take onward referrals: a
// connector scheme, a paused offer and one in Leeds.
type caseWorld struct {
	*world
	onward    linkwork.OnwardService
	quest     linkwork.QuestionnaireService
	charity   *linkwork.Organisation // holds the cases
	walkers   *linkwork.Organisation // runs Walk and Talk
	knitters  *linkwork.Organisation // runs Knit and Natter
	leeds     *linkwork.Place
	leedsOrg  *linkwork.Organisation
	worker    int64 // a link worker at the charity
	walk      *linkwork.Service
	knit      *linkwork.Service // has no email address
	scheme    *linkwork.Service
	paused    *linkwork.Service
	leedsWalk *linkwork.Service
}

func newCaseWorld(t *testing.T, db *sqldb.DB) *caseWorld {
	t.Helper()
	w := &caseWorld{world: newWorld(t, db)}
	w.onward, w.quest = w.svc.Onward, w.svc.Questionnaires
	w.charity = mustOrg(t, db, w.york.ID, "York Community Connectors", linkwork.SectorVCSE)
	w.walkers = mustOrg(t, db, w.york.ID, "York Walking Friends", linkwork.SectorVCSE)
	w.knitters = mustOrg(t, db, w.york.ID, "Knit and Natter CIC", linkwork.SectorVCSE)
	w.leeds = mustPlace(t, db, "Leeds")
	w.leedsOrg = mustOrg(t, db, w.leeds.ID, "Leeds Community Trust", linkwork.SectorVCSE)
	w.worker = quickUser(t, db, "lee@connectors.example", "Lee Walker", w.charity.ID, linkwork.RoleLinkWorker)
	w.walk = mustService(t, db, &linkwork.Service{PlaceID: w.york.ID, OrganisationID: w.walkers.ID, Name: "Walk and Talk",
		Email: "walks@walkers.example"})
	w.knit = mustService(t, db, &linkwork.Service{PlaceID: w.york.ID, OrganisationID: w.knitters.ID, Name: "Knit and Natter"})
	w.scheme = mustService(t, db, &linkwork.Service{PlaceID: w.york.ID, OrganisationID: w.charity.ID, Kind: linkwork.KindScheme,
		Name: "Link Up York"})
	w.paused = mustService(t, db, &linkwork.Service{PlaceID: w.york.ID, OrganisationID: w.walkers.ID, Name: "Winter Swim",
		Status: linkwork.StatusInactive})
	w.leedsWalk = mustService(t, db, &linkwork.Service{PlaceID: w.leeds.ID, OrganisationID: w.leedsOrg.ID, Name: "Leeds Striders"})
	return w
}

// asWorker is ctx acting as the link worker.
func (w *caseWorld) asWorker(ctx context.Context) context.Context {
	return linkwork.NewContextWithActor(ctx, linkwork.Actor{UserID: w.worker, Label: "lee@connectors.example", PlaceID: w.york.ID})
}

// addPerson opens a case held by orgID in placeID through the casework store and brings it
// to the status: active after a first contact, closed at closedAt, or erased.
func addPerson(t *testing.T, db *sqldb.DB, placeID, orgID int64, given, family string, status linkwork.PersonStatus, closedAt *time.Time) int64 {
	t.Helper()
	ctx := t.Context()
	cases := db.Services().Cases
	p := &linkwork.Person{PlaceID: placeID, OrganisationID: orgID, GivenName: given, FamilyName: family, DateOfBirth: "1950-04-01",
		Address1: "1 Rose Street", Town: "York", Postcode: "YO1 7HH", Phone: "01904 123456", OpenedOn: "2030-01-02"}
	must(t, cases.CreatePerson(ctx, p))
	if status == linkwork.PersonWaiting {
		return p.ID
	}
	must(t, cases.AddContact(ctx, &linkwork.CaseContact{PersonID: p.ID, On: "2030-01-03", Mode: linkwork.ModePhone, Minutes: 20,
		WorkerName: "Lee Walker"}))
	switch status {
	case linkwork.PersonClosed:
		now := db.Now
		db.Now = func() time.Time { return *closedAt }
		defer func() { db.Now = now }()
		fallthrough
	case linkwork.PersonErased:
		found, err := cases.FindPersonByID(ctx, p.ID)
		must(t, err)
		_, err = cases.CloseCase(ctx, linkwork.CaseClosure{PersonID: p.ID, Version: found.Version, Outcome: linkwork.CaseGoalsMet},
			0, "Lee Walker")
		must(t, err)
	}
	if status == linkwork.PersonErased {
		must(t, cases.ErasePerson(ctx, p.ID, "The person asked for their record to be erased."))
	}
	found, err := cases.FindPersonByID(ctx, p.ID)
	must(t, err)
	if found.Status != status {
		t.Fatalf("person %s %s is %s, want %s", given, family, found.Status, status)
	}
	return p.ID
}

// addStep adds a goal with one step to a person's plan through the casework store, and
// returns the step's ID.
func addStep(t *testing.T, db *sqldb.DB, personID int64, text, dueOn string) int64 {
	t.Helper()
	cases := db.Services().Cases
	g := &linkwork.Goal{PersonID: personID, Text: "Get out more"}
	must(t, cases.AddGoal(t.Context(), g))
	st := &linkwork.Step{GoalID: g.ID, PersonID: personID, Text: text, DueOn: dueOn}
	must(t, cases.AddStep(t.Context(), st))
	return st.ID
}

// onwardTo is a valid onward referral of a person to a service.
func (w *caseWorld) onwardTo(personID, serviceID, stepID int64) *linkwork.OnwardReferral {
	return &linkwork.OnwardReferral{PlaceID: w.york.ID, PersonID: personID, StepID: stepID, ServiceID: serviceID,
		FirstName: " Mary ", ContactPhone: "07700 900456", ContactEmail: "Mary@Example.org", Needs: "Company on a gentle walk",
		AccessRequirements: "Walks with a stick", Message: "Best to ring after 10am; a bit nervous of new groups.",
		Consent: true, ConsentMethod: linkwork.ConsentVerbal}
}

// claimAll takes every notification due from the outbox.
func claimAll(t *testing.T, db *sqldb.DB) []*linkwork.Notification {
	t.Helper()
	ns, err := db.Services().Notifications.ClaimNotifications(t.Context(), 100, time.Hour)
	must(t, err)
	return ns
}

// noCaseDetails fails the test if text holds any of a person's details from onwardTo.
func noCaseDetails(t *testing.T, what, text string) {
	t.Helper()
	for _, v := range []string{"Mary", "Smith", "07700 900456", "mary@example.org", "Company on a gentle walk", "stick", "nervous", "1950"} {
		if strings.Contains(strings.ToLower(text), strings.ToLower(v)) {
			t.Fatalf("%s holds the person's detail %q:\n%s", what, v, text)
		}
	}
}

func TestSendOnward(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newCaseWorld(t, db)
		ctx := w.asWorker(t.Context())
		person := addPerson(t, db, w.york.ID, w.charity.ID, "Mary", "Smith", linkwork.PersonActive, nil)
		step := addStep(t, db, person, "Try the walking group", "2030-03-20")

		o := w.onwardTo(person, w.walk.ID, step)
		must(t, w.onward.SendOnward(ctx, o))
		now := w.clock.now
		if o.ID == 0 || o.Status != linkwork.OnwardSent || o.Version != 1 || !o.SentAt.Equal(now) || o.SentByUserID != w.worker ||
			o.SentBy != "Lee Walker" || o.PersonOrganisationID != w.charity.ID || o.ServiceOrganisationID != w.walkers.ID ||
			o.ServiceName != "Walk and Talk" || o.ServiceOrganisationName != "York Walking Friends" {
			t.Fatalf("sent: %s", jsonOf(o))
		}
		if o.FirstName != "Mary" || o.ContactEmail != "mary@example.org" {
			t.Fatalf("first name %q, email %q: want them trimmed and the email in lower case", o.FirstName, o.ContactEmail)
		}

		got, err := w.onward.FindOnward(t.Context(), o.ID)
		must(t, err)
		if jsonOf(got) != jsonOf(o) || got.PersonFullName != "" || got.StepID != step {
			t.Fatalf("read back:\n%s\nwant\n%s\nwith no full name (got %q)", jsonOf(got), jsonOf(o), got.PersonFullName)
		}
		mine, err := w.onward.ListOnwardForPerson(t.Context(), person)
		must(t, err)
		if len(mine) != 1 || mine[0].ID != o.ID || mine[0].PersonFullName != "Mary Smith" || mine[0].ServiceName != "Walk and Talk" {
			t.Fatalf("the person's onward referrals: %s (full name %v)", jsonOf(mine), len(mine) > 0 && mine[0].PersonFullName != "")
		}
		if _, err := w.onward.FindOnward(t.Context(), o.ID+100); linkwork.ErrorCode(err) != linkwork.ENOTFOUND {
			t.Fatalf("finding a referral that does not exist: %v, want not found", err)
		}

		var stepService, stepOnward int64
		must(t, db.QueryRow(t.Context(), "SELECT service_id, onward_referral_id FROM plan_steps WHERE id = ?", []any{step},
			&stepService, &stepOnward))
		if stepService != w.walk.ID || stepOnward != o.ID {
			t.Fatalf("step links service %d and onward referral %d, want %d and %d", stepService, stepOnward, w.walk.ID, o.ID)
		}

		a := oneAudit(t, db, linkwork.AuditOnwardSend, idStr(o.ID))
		if a.RecordType != "onward" || a.PlaceID != w.york.ID || a.ActorUserID != w.worker {
			t.Fatalf("audit event %+v", a)
		}
		noCaseDetails(t, "audit detail", a.Detail)

		notes := claimAll(t, db)
		if len(notes) != 1 {
			t.Fatalf("%d notifications, want one to the group: %s", len(notes), jsonOf(notes))
		}
		n := notes[0]
		if n.To != "walks@walkers.example" || n.Subject != "New referral from a link worker" || n.PlaceID != w.york.ID ||
			n.ReferralID != 0 || !strings.Contains(n.Body, "Referrals to your groups") || !strings.Contains(n.Body, "sign in to linkwork") &&
			!strings.Contains(n.Body, "Sign in to linkwork") {
			t.Fatalf("notification %s", jsonOf(n))
		}
		noCaseDetails(t, "notification", n.Subject+"\n"+n.Body)

		// A group with no email address gets the referral in linkwork but no message; a case
		// that is waiting may be referred on too, without a step.
		waiting := addPerson(t, db, w.york.ID, w.charity.ID, "Ron", "Weasley", linkwork.PersonWaiting, nil)
		o2 := w.onwardTo(waiting, w.knit.ID, 0)
		o2.ContactEmail, o2.AccessRequirements, o2.Message = "", "", ""
		must(t, w.onward.SendOnward(ctx, o2))
		if o2.StepID != 0 || o2.ServiceOrganisationID != w.knitters.ID {
			t.Fatalf("second referral: %s", jsonOf(o2))
		}
		if notes := claimAll(t, db); len(notes) != 0 {
			t.Fatalf("notifications for a group with no email address: %s", jsonOf(notes))
		}
	})
}

func TestSendOnwardRefused(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newCaseWorld(t, db)
		ctx := w.asWorker(t.Context())
		person := addPerson(t, db, w.york.ID, w.charity.ID, "Mary", "Smith", linkwork.PersonActive, nil)
		closedAt := w.clock.now.Add(-24 * time.Hour)
		closed := addPerson(t, db, w.york.ID, w.charity.ID, "Carl", "Closed", linkwork.PersonClosed, &closedAt)
		erased := addPerson(t, db, w.york.ID, w.charity.ID, "Ella", "Erased", linkwork.PersonErased, nil)
		inLeeds := addPerson(t, db, w.leeds.ID, w.leedsOrg.ID, "Len", "Leeds", linkwork.PersonActive, nil)
		other := addPerson(t, db, w.york.ID, w.charity.ID, "Olive", "Other", linkwork.PersonActive, nil)
		othersStep := addStep(t, db, other, "Join the choir", "2030-03-20")
		ownStep := addStep(t, db, person, "Try the walking group", "2030-03-20")

		for _, c := range []struct {
			name   string
			change func(o *linkwork.OnwardReferral)
			fields []string
		}{
			{"no consent", func(o *linkwork.OnwardReferral) { o.Consent = false }, []string{"consent"}},
			{"no consent method", func(o *linkwork.OnwardReferral) { o.ConsentMethod = "" }, []string{"consent_method"}},
			{"no way to contact", func(o *linkwork.OnwardReferral) { o.ContactPhone, o.ContactEmail = "", "" }, []string{"contact_phone"}},
			{"no service", func(o *linkwork.OnwardReferral) { o.ServiceID = 0 }, []string{"service_id"}},
			{"a connector scheme", func(o *linkwork.OnwardReferral) { o.ServiceID = w.scheme.ID }, []string{"service_id"}},
			{"a paused offer", func(o *linkwork.OnwardReferral) { o.ServiceID = w.paused.ID }, []string{"service_id"}},
			{"an offer in another place", func(o *linkwork.OnwardReferral) { o.ServiceID = w.leedsWalk.ID }, []string{"service_id"}},
			{"an offer that does not exist", func(o *linkwork.OnwardReferral) { o.ServiceID = w.leedsWalk.ID + 100 }, []string{"service_id"}},
			{"a closed case", func(o *linkwork.OnwardReferral) { o.PersonID, o.StepID = closed, 0 }, []string{"person_id"}},
			{"an erased case", func(o *linkwork.OnwardReferral) { o.PersonID, o.StepID = erased, 0 }, []string{"person_id"}},
			{"a person in another place", func(o *linkwork.OnwardReferral) { o.PersonID, o.StepID = inLeeds, 0 }, []string{"person_id"}},
			{"a person who does not exist", func(o *linkwork.OnwardReferral) { o.PersonID, o.StepID = other+100, 0 }, []string{"person_id"}},
			{"another person's step", func(o *linkwork.OnwardReferral) { o.StepID = othersStep }, []string{"step_id"}},
			{"a step that does not exist", func(o *linkwork.OnwardReferral) { o.StepID = othersStep + 100 }, []string{"step_id"}},
			{"every problem at once", func(o *linkwork.OnwardReferral) {
				o.Consent, o.ServiceID, o.PersonID, o.StepID = false, w.scheme.ID, closed, othersStep
			}, []string{"consent", "person_id", "service_id", "step_id"}},
		} {
			t.Run(c.name, func(t *testing.T) {
				o := w.onwardTo(person, w.walk.ID, ownStep)
				c.change(o)
				err := w.onward.SendOnward(ctx, o)
				wantCode(t, err, linkwork.EINVALID, "")
				var fields []string
				for _, e := range linkwork.FieldErrors(err) {
					fields = append(fields, e.Field)
					if e.Message == "" || !strings.HasSuffix(e.Message, ".") {
						t.Errorf("field %s: message %q is not a plain sentence", e.Field, e.Message)
					}
				}
				slices.Sort(fields)
				if !slices.Equal(fields, c.fields) {
					t.Fatalf("problems on %v (%v), want %v", fields, err, c.fields)
				}
				if o.ID != 0 {
					t.Fatalf("refused referral given ID %d", o.ID)
				}
			})
		}
		if n := countRows(t, db, "onward_referrals", ""); n != 0 {
			t.Fatalf("%d onward referrals stored, want none", n)
		}
		if n := countRows(t, db, "plan_steps", "onward_referral_id IS NOT NULL OR service_id IS NOT NULL"); n != 0 {
			t.Fatalf("%d steps linked, want none", n)
		}
		if es := auditWith(t, db, linkwork.AuditOnwardSend, ""); len(es) != 0 {
			t.Fatalf("audit events for refused referrals: %+v", es)
		}
		if notes := claimAll(t, db); len(notes) != 0 {
			t.Fatalf("notifications for refused referrals: %s", jsonOf(notes))
		}

		// The messages say what is wrong in plain words.
		o := w.onwardTo(person, w.scheme.ID, 0)
		if err := w.onward.SendOnward(ctx, o); !strings.Contains(linkwork.ErrorMessage(err), "Link Up York is a connector scheme") {
			t.Fatalf("scheme: %q", linkwork.ErrorMessage(err))
		}
		o = w.onwardTo(person, w.paused.ID, 0)
		if err := w.onward.SendOnward(ctx, o); !strings.Contains(linkwork.ErrorMessage(err), "Winter Swim is paused") {
			t.Fatalf("paused: %q", linkwork.ErrorMessage(err))
		}
		o = w.onwardTo(closed, w.walk.ID, 0)
		if err := w.onward.SendOnward(ctx, o); !strings.Contains(linkwork.ErrorMessage(err), "case is closed") {
			t.Fatalf("closed: %q", linkwork.ErrorMessage(err))
		}
		wantCode(t, w.onward.SendOnward(ctx, nil), linkwork.EINVALID, "")
	})
}

func TestOnwardInbox(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newCaseWorld(t, db)
		ctx := w.asWorker(t.Context())
		person := addPerson(t, db, w.york.ID, w.charity.ID, "Mary", "Smith", linkwork.PersonActive, nil)
		send := func(serviceID int64) *linkwork.OnwardReferral {
			o := w.onwardTo(person, serviceID, 0)
			must(t, w.onward.SendOnward(ctx, o))
			w.clock.advance(time.Hour)
			return o
		}
		walk1, knit1, walk2, walk3 := send(w.walk.ID), send(w.knit.ID), send(w.walk.ID), send(w.walk.ID)
		// The oldest walk is accepted: it goes below those still waiting.
		_, err := w.onward.AnswerOnward(t.Context(), linkwork.OnwardAnswer{ID: walk3.ID, Version: 1, Status: linkwork.OnwardAccepted},
			0, "Wendy Walker")
		must(t, err)

		ids := func(os []*linkwork.OnwardReferral) []int64 {
			var out []int64
			for _, o := range os {
				out = append(out, o.ID)
				if o.PersonFullName != "" {
					t.Fatalf("the inbox gives the group the person's full name %q", o.PersonFullName)
				}
				if o.ServiceName == "" || o.ServiceOrganisationName == "" {
					t.Fatalf("inbox entry without the service's names: %s", jsonOf(o))
				}
			}
			return out
		}
		inbox := func(f linkwork.OnwardFilter) ([]int64, int) {
			t.Helper()
			if f.Page.Size == 0 {
				f.Page = linkwork.Page{Number: 1, Size: 10}
			}
			os, total, err := w.onward.OnwardInbox(t.Context(), f)
			must(t, err)
			return ids(os), total
		}
		if got, total := inbox(linkwork.OnwardFilter{PlaceID: w.york.ID, ServiceOrganisationIDs: []int64{w.walkers.ID}}); !slices.Equal(got,
			[]int64{walk2.ID, walk1.ID, walk3.ID}) || total != 3 {
			t.Fatalf("walkers' inbox %v (total %d), want waiting newest first then the answered one: %v", got, total,
				[]int64{walk2.ID, walk1.ID, walk3.ID})
		}
		if got, total := inbox(linkwork.OnwardFilter{PlaceID: w.york.ID, ServiceOrganisationIDs: []int64{w.knitters.ID}}); !slices.Equal(got,
			[]int64{knit1.ID}) || total != 1 {
			t.Fatalf("knitters' inbox %v (total %d), want only theirs", got, total)
		}
		if got, total := inbox(linkwork.OnwardFilter{PlaceID: w.york.ID, ServiceOrganisationIDs: []int64{w.charity.ID, w.council.ID}}); len(got) != 0 || total != 0 {
			t.Fatalf("inbox of organisations that run no offer: %v", got)
		}
		if got, total := inbox(linkwork.OnwardFilter{PlaceID: w.york.ID}); len(got) != 0 || total != 0 {
			t.Fatalf("inbox with no organisations: %v, want nothing", got)
		}
		if got, _ := inbox(linkwork.OnwardFilter{PlaceID: w.leeds.ID, ServiceOrganisationIDs: []int64{w.walkers.ID}}); len(got) != 0 {
			t.Fatalf("walkers' inbox in Leeds: %v, want nothing", got)
		}
		if got, total := inbox(linkwork.OnwardFilter{PlaceID: w.york.ID, ServiceOrganisationIDs: []int64{w.walkers.ID, w.knitters.ID},
			Statuses: []linkwork.OnwardStatus{linkwork.OnwardSent}}); !slices.Equal(got, []int64{walk2.ID, knit1.ID, walk1.ID}) || total != 3 {
			t.Fatalf("both groups' waiting referrals %v (total %d)", got, total)
		}
		if got, total := inbox(linkwork.OnwardFilter{PlaceID: w.york.ID, ServiceOrganisationIDs: []int64{w.walkers.ID},
			Statuses: []linkwork.OnwardStatus{linkwork.OnwardAccepted, linkwork.OnwardDeclined}}); !slices.Equal(got, []int64{walk3.ID}) || total != 1 {
			t.Fatalf("walkers' answered referrals %v (total %d)", got, total)
		}
		if got, total := inbox(linkwork.OnwardFilter{PlaceID: w.york.ID, ServiceOrganisationIDs: []int64{w.walkers.ID},
			Page: linkwork.Page{Number: 2, Size: 2}}); !slices.Equal(got, []int64{walk3.ID}) || total != 3 {
			t.Fatalf("page 2 of the walkers' inbox %v (total %d)", got, total)
		}
	})
}

// sentIn sends a referral to the walking group and answers it until it has the status.
func (w *caseWorld) sentIn(t *testing.T, personID, stepID int64, status linkwork.OnwardStatus) *linkwork.OnwardReferral {
	t.Helper()
	o := w.onwardTo(personID, w.walk.ID, stepID)
	must(t, w.onward.SendOnward(w.asWorker(t.Context()), o))
	var path []linkwork.OnwardStatus
	switch status {
	case linkwork.OnwardSent:
	case linkwork.OnwardAttended, linkwork.OnwardDidNotAttend:
		path = []linkwork.OnwardStatus{linkwork.OnwardAccepted, status}
	default:
		path = []linkwork.OnwardStatus{status}
	}
	for _, s := range path {
		got, err := w.onward.AnswerOnward(t.Context(), linkwork.OnwardAnswer{ID: o.ID, Version: o.Version, Status: s, Reason: "Full up"},
			0, "Wendy Walker")
		must(t, err)
		o = got
	}
	return o
}

func TestAnswerOnward(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newCaseWorld(t, db)
		person := addPerson(t, db, w.york.ID, w.charity.ID, "Mary", "Smith", linkwork.PersonActive, nil)
		allowed := map[linkwork.OnwardStatus][]linkwork.OnwardStatus{
			linkwork.OnwardSent: {linkwork.OnwardAccepted, linkwork.OnwardDeclined, linkwork.OnwardAttended,
				linkwork.OnwardDidNotAttend, linkwork.OnwardWithdrawn},
			linkwork.OnwardAccepted: {linkwork.OnwardAttended, linkwork.OnwardDidNotAttend, linkwork.OnwardWithdrawn},
		}
		for _, from := range linkwork.OnwardStatuses {
			for _, to := range linkwork.OnwardStatuses {
				o := w.sentIn(t, person, 0, from)
				claimAll(t, db)
				w.clock.advance(time.Minute)
				a := linkwork.OnwardAnswer{ID: o.ID, Version: o.Version, Status: to, Reason: " Full on Tuesdays ", Note: " Try Thursdays "}
				got, err := w.onward.AnswerOnward(t.Context(), a, 0, "Wendy Walker")
				if !slices.Contains(allowed[from], to) {
					wantCode(t, err, linkwork.EINVALID, "status")
					now, err := w.onward.FindOnward(t.Context(), o.ID)
					must(t, err)
					if jsonOf(now) != jsonOf(o) {
						t.Fatalf("%s → %s refused but the referral changed:\n%s\nwas\n%s", from, to, jsonOf(now), jsonOf(o))
					}
					if notes := claimAll(t, db); len(notes) != 0 {
						t.Fatalf("%s → %s refused but queued %s", from, to, jsonOf(notes))
					}
					continue
				}
				if err != nil {
					t.Fatalf("%s → %s: %v", from, to, err)
				}
				if got.Status != to || got.Reason != "Full on Tuesdays" || got.Note != "Try Thursdays" || got.Version != o.Version+1 ||
					got.AnsweredAt == nil || !got.AnsweredAt.Equal(w.clock.now) || got.AnsweredBy != "Wendy Walker" || got.PersonFullName != "" {
					t.Fatalf("%s → %s gave %s", from, to, jsonOf(got))
				}
				if back, err := w.onward.FindOnward(t.Context(), o.ID); err != nil || jsonOf(back) != jsonOf(got) {
					t.Fatalf("%s → %s read back %s (%v), want %s", from, to, jsonOf(back), err, jsonOf(got))
				}
				if es := auditWith(t, db, linkwork.AuditOnwardAnswer, idStr(o.ID)); len(es) == 0 || es[0].RecordType != "onward" ||
					!strings.Contains(es[0].Detail, string(to)) {
					t.Fatalf("%s → %s audit %+v", from, to, es)
				}
				notes := claimAll(t, db)
				if len(notes) != 1 {
					t.Fatalf("%s → %s queued %d notifications: %s", from, to, len(notes), jsonOf(notes))
				}
				n := notes[0]
				noCaseDetails(t, "notification", n.Subject+"\n"+n.Body)
				if to == linkwork.OnwardWithdrawn {
					if n.To != "walks@walkers.example" || !strings.Contains(n.Subject, "withdrawn") {
						t.Fatalf("withdrawal told %s: %s", n.To, jsonOf(n))
					}
				} else if n.To != "lee@connectors.example" || n.Subject != "A group has answered your onward referral" ||
					!strings.Contains(n.Body, "Sign in to linkwork") || !strings.Contains(n.Body, strings.ToLower(to.Label())) {
					t.Fatalf("answer %s told %s: %s", to, n.To, jsonOf(n))
				}
			}
		}

		// A decline needs a reason.
		o := w.sentIn(t, person, 0, linkwork.OnwardSent)
		_, err := w.onward.AnswerOnward(t.Context(), linkwork.OnwardAnswer{ID: o.ID, Version: 1, Status: linkwork.OnwardDeclined, Reason: "  "},
			0, "Wendy Walker")
		wantCode(t, err, linkwork.EINVALID, "reason")
		_, err = w.onward.AnswerOnward(t.Context(), linkwork.OnwardAnswer{ID: o.ID, Version: 1, Status: "maybe"}, 0, "Wendy Walker")
		wantCode(t, err, linkwork.EINVALID, "status")

		// An answer on an old version is a conflict, and changes nothing.
		accepted, err := w.onward.AnswerOnward(t.Context(), linkwork.OnwardAnswer{ID: o.ID, Version: 1, Status: linkwork.OnwardAccepted},
			0, "Wendy Walker")
		must(t, err)
		claimAll(t, db)
		_, err = w.onward.AnswerOnward(t.Context(), linkwork.OnwardAnswer{ID: o.ID, Version: 1, Status: linkwork.OnwardAttended},
			0, "Someone Else")
		wantCode(t, err, linkwork.ECONFLICT, "")
		if !strings.Contains(linkwork.ErrorMessage(err), "Wendy Walker") || !strings.Contains(linkwork.ErrorMessage(err), "accepted") {
			t.Fatalf("conflict message %q: want who changed it and what it is now", linkwork.ErrorMessage(err))
		}
		if now, err := w.onward.FindOnward(t.Context(), o.ID); err != nil || jsonOf(now) != jsonOf(accepted) {
			t.Fatalf("after a conflict: %s (%v), want %s", jsonOf(now), err, jsonOf(accepted))
		}
		if notes := claimAll(t, db); len(notes) != 0 {
			t.Fatalf("conflict queued %s", jsonOf(notes))
		}
		_, err = w.onward.AnswerOnward(t.Context(), linkwork.OnwardAnswer{ID: o.ID + 1000, Version: 1, Status: linkwork.OnwardAccepted}, 0, "x")
		wantCode(t, err, linkwork.ENOTFOUND, "")
	})
}

func TestOnwardAttendedMarksStepDone(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newCaseWorld(t, db)
		person := addPerson(t, db, w.york.ID, w.charity.ID, "Mary", "Smith", linkwork.PersonActive, nil)
		step := addStep(t, db, person, "Try the walking group", "2030-03-20")
		other := addStep(t, db, person, "Ring the choir", "2030-03-25")
		o := w.sentIn(t, person, step, linkwork.OnwardAccepted)
		if p, err := w.svc.Cases.FindPersonByID(t.Context(), person); err != nil || p.NextStep != "Try the walking group" {
			t.Fatalf("next step before attending: %+v (%v)", p, err)
		}

		stepState := func(id int64) (string, string) {
			var status string
			var done sql.NullString
			must(t, db.QueryRow(t.Context(), "SELECT status, done_on FROM plan_steps WHERE id = ?", []any{id}, &status, &done))
			return status, done.String
		}
		if st, done := stepState(step); st != "to_do" || done != "" {
			t.Fatalf("step before attending: %s %q", st, done)
		}
		// 23:30 UTC on 31 March is 00:30 on 1 April in London (British Summer Time).
		w.clock.now = time.Date(2030, time.March, 31, 23, 30, 0, 0, time.UTC)
		_, err := w.onward.AnswerOnward(t.Context(), linkwork.OnwardAnswer{ID: o.ID, Version: o.Version, Status: linkwork.OnwardAttended},
			0, "Wendy Walker")
		must(t, err)
		if st, done := stepState(step); st != "done" || done != "2030-04-01" {
			t.Fatalf("step after attending: %s done on %q, want done on 2030-04-01 (the day in London)", st, done)
		}
		if st, done := stepState(other); st != "to_do" || done != "" {
			t.Fatalf("the other step: %s %q, want it untouched", st, done)
		}
		// The person's next step moves on to the other one.
		p, err := w.svc.Cases.FindPersonByID(t.Context(), person)
		must(t, err)
		if p.NextStep != "Ring the choir" || p.NextStepDue != "2030-03-25" {
			t.Fatalf("next step %q due %q, want the choir on 2030-03-25", p.NextStep, p.NextStepDue)
		}

		// Did not attend leaves the step as it was.
		step2 := addStep(t, db, person, "Go to the lunch club", "2030-04-20")
		o2 := w.sentIn(t, person, step2, linkwork.OnwardDidNotAttend)
		if st, _ := stepState(step2); st != "to_do" || o2.Status != linkwork.OnwardDidNotAttend {
			t.Fatalf("step after did not attend: %s", st)
		}
	})
}

func TestOnwardInPersonRecordAndErasure(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newCaseWorld(t, db)
		ctx := w.asWorker(t.Context())
		person := addPerson(t, db, w.york.ID, w.charity.ID, "Mary", "Smith", linkwork.PersonActive, nil)
		declined := w.sentIn(t, person, 0, linkwork.OnwardSent)
		declined, err := w.onward.AnswerOnward(t.Context(), linkwork.OnwardAnswer{ID: declined.ID, Version: 1,
			Status: linkwork.OnwardDeclined, Reason: "Mary cannot manage the hill", Note: "Try the flat walk"}, 0, "Wendy Walker")
		must(t, err)
		w.clock.advance(time.Hour)
		o := w.sentIn(t, person, 0, linkwork.OnwardSent)
		r := &linkwork.QuestionnaireResponse{PersonID: person, QuestionnaireCode: "ucla3", Timepoint: linkwork.TimepointBaseline,
			Status: linkwork.ResponseComplete, Answers: ints(3, 2, 3), CompletedOn: "2030-03-04"}
		must(t, w.quest.SaveResponse(ctx, r))

		rec, err := w.svc.Cases.PersonRecord(t.Context(), person)
		must(t, err)
		if len(rec.Onward) != 2 || rec.Onward[0].ID != o.ID || rec.Onward[1].ID != declined.ID || rec.Onward[0].PersonFullName != "Mary Smith" ||
			rec.Onward[1].ServiceOrganisationName != "York Walking Friends" {
			t.Fatalf("the record's onward referrals: %s", jsonOf(rec.Onward))
		}
		if len(rec.Questionnaires) != 1 || rec.Questionnaires[0].ID != r.ID || rec.Questionnaires[0].Score.Total != 8 {
			t.Fatalf("the record's questionnaires: %s", jsonOf(rec.Questionnaires))
		}

		p, err := w.svc.Cases.FindPersonByID(t.Context(), person)
		must(t, err)
		_, err = w.svc.Cases.CloseCase(t.Context(), linkwork.CaseClosure{PersonID: person, Version: p.Version, Outcome: linkwork.CaseGoalsMet},
			0, "Lee Walker")
		must(t, err)
		must(t, w.svc.Cases.ErasePerson(t.Context(), person, "The person asked for their record to be erased."))

		// The group keeps the fact of the referral and its answer, not the person's details.
		got, err := w.onward.FindOnward(t.Context(), declined.ID)
		must(t, err)
		if got.Status != linkwork.OnwardDeclined || got.ServiceID != w.walk.ID || !got.SentAt.Equal(declined.SentAt) ||
			got.FirstName != "" || got.ContactPhone != "" || got.ContactEmail != "" || got.Needs != "" || got.AccessRequirements != "" ||
			got.Message != "" || got.Reason != "" || got.Note != "" {
			t.Fatalf("erased onward referral: %s", jsonOf(got))
		}
		text, err := db.TableText(t.Context(), "onward_referrals")
		must(t, err)
		noCaseDetails(t, "onward_referrals after erasure", text)
		if strings.Contains(text, "hill") || strings.Contains(text, "flat walk") {
			t.Fatalf("the group's reason and note survive erasure:\n%s", text)
		}
		// The scores stay, for the measures.
		if back, err := w.quest.FindResponse(t.Context(), r.ID); err != nil || back.Score == nil || back.Score.Total != 8 {
			t.Fatalf("response after erasure: %s (%v)", jsonOf(back), err)
		}
	})
}
