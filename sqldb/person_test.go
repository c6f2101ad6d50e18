package sqldb_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// personWorld is the referrals world with Halifax's postcodes and deprivation, and the case
// records of the charity that runs Link Up York. ctx acts as its link worker Lee Walker.
type personWorld struct {
	*refWorld
	cases linkwork.CaseService
	ctx   context.Context
}

func newPersonWorld(t *testing.T, db *sqldb.DB) *personWorld {
	t.Helper()
	w := &personWorld{refWorld: newRefWorld(t, db), cases: db.Services().Cases}
	geo := sqldb.NewGeographyService(db)
	_, err := geo.ImportLSOAs(t.Context(), rowsOf(nil, halifaxLSOAs()...), linkwork.ImportOptions{})
	must(t, err)
	_, err = geo.ImportPostcodes(t.Context(), rowsOf(nil, halifaxPostcodes()...), linkwork.ImportOptions{})
	must(t, err)
	w.ctx = w.as(t, w.worker1, "lee@connectors.example")
	return w
}

// as is a context acting as a user.
func (w *personWorld) as(t testing.TB, userID int64, label string) context.Context {
	return linkwork.NewContextWithActor(t.Context(), linkwork.Actor{UserID: userID, Label: label, PlaceID: w.york.ID})
}

// newPerson is a person for the charity to hold, with Lee Walker as their worker.
func (w *personWorld) newPerson(given, family, dob string) *linkwork.Person {
	return &linkwork.Person{PlaceID: w.york.ID, OrganisationID: w.charity.ID, GivenName: given, FamilyName: family,
		DateOfBirth: dob, Postcode: "HX3 9AA", Phone: "07700 900001", WorkerUserID: w.worker1}
}

// fullPerson is a person with every field filled in, some needing to be tidied.
func (w *personWorld) fullPerson() *linkwork.Person {
	return &linkwork.Person{PlaceID: w.york.ID, OrganisationID: w.charity.ID, GivenName: " Mary ", FamilyName: "Smith",
		PreferredName: " Molly ", DateOfBirth: "1950-04-01", NHSNumber: "943 476 5919", Address1: "1 Rose Street",
		Address2: "Flat 2", Town: "Halifax", Postcode: "hx1 1aa", Phone: "01904 123456", Email: "Mary@Example.org",
		ContactPreferences: []linkwork.ContactMethod{linkwork.ContactPhone, linkwork.ContactLetter}, Language: "Polish",
		Interpreter: true, AccessNeeds: "Large print", GPPractice: "Priory Medical Group",
		Demographics: linkwork.Demographics{Sex: linkwork.SexFemale, GenderSameAsSex: linkwork.AnswerYes, Gender: "Woman",
			Ethnicity: "C", Disability: linkwork.AnswerYes, Carer: linkwork.AnswerNo, FirstLanguage: "Polish"},
		WorkerUserID: w.worker1, OpenedOn: "2030-02-20"}
}

func (w *personWorld) mustPerson(t *testing.T, p *linkwork.Person) *linkwork.Person {
	t.Helper()
	must(t, w.cases.CreatePerson(w.ctx, p))
	return p
}

func (w *personWorld) find(t *testing.T, id int64) *linkwork.Person {
	t.Helper()
	p, err := w.cases.FindPersonByID(t.Context(), id)
	must(t, err)
	return p
}

func TestCreatePersonRoundTrip(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newPersonWorld(t, db)
		p := w.mustPerson(t, w.fullPerson())
		if p.ID == 0 || len(p.UUID) != 36 || p.Status != linkwork.PersonWaiting || p.Version != 1 || p.OpenedOn != "2030-02-20" {
			t.Fatalf("created %s: want an ID, a UUID, waiting, version 1, opened 2030-02-20", jsonOf(p))
		}
		if p.GivenName != "Mary" || p.PreferredName != "Molly" || p.NHSNumber != "9434765919" || p.Postcode != "HX1 1AA" ||
			p.Email != "mary@example.org" {
			t.Fatalf("created %s: want names trimmed, NHS number, postcode and email normalised", jsonOf(p))
		}
		if p.LSOA != "E01010994" || p.IMDDecile != 1 || p.OrganisationName != w.charity.Name || p.WorkerName != "Lee Walker" {
			t.Fatalf("LSOA %q decile %d organisation %q worker %q", p.LSOA, p.IMDDecile, p.OrganisationName, p.WorkerName)
		}
		got := w.find(t, p.ID)
		if jsonOf(got) != jsonOf(p) {
			t.Fatalf("read back\n%s\nwant\n%s", jsonOf(got), jsonOf(p))
		}
		e := oneAudit(t, db, linkwork.AuditPersonCreate, idStr(p.ID))
		if e.RecordType != "person" || e.ActorUserID != w.worker1 || strings.Contains(e.Detail, "Mary") || strings.Contains(e.Detail, "943") {
			t.Fatalf("audit event %+v: want the person by ID, by Lee, with no personal data", e)
		}

		// Opened today by default; a postcode linkwork does not know has no LSOA; no worker yet.
		q := w.newPerson("Quentin", "Quennell", "1980-06-30")
		q.Postcode, q.WorkerUserID = "LS1 4AP", 0
		w.mustPerson(t, q)
		got = w.find(t, q.ID)
		if got.OpenedOn != "2030-03-04" || got.LSOA != "" || got.IMDDecile != 0 || got.WorkerUserID != 0 || got.WorkerName != "" ||
			got.NHSNumber != "" || len(got.ContactPreferences) != 0 {
			t.Fatalf("read back %s: want opened today, no LSOA, no worker", jsonOf(got))
		}
		if _, err := w.cases.FindPersonByID(t.Context(), 99999); linkwork.ErrorCode(err) != linkwork.ENOTFOUND {
			t.Fatalf("find a person who is not there: %v, want ENOTFOUND", err)
		}
	})
}

// Bad input names its field and saves nothing: dates in the future or before birth, unknown
// codes, an organisation in another place, a worker who does not work for the organisation.
func TestCreatePersonBadInput(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newPersonWorld(t, db)
		cases := []struct {
			name  string
			edit  func(p *linkwork.Person)
			field string
		}{
			{"born in the future", func(p *linkwork.Person) { p.DateOfBirth = "2031-01-01" }, "date_of_birth"},
			{"opened before birth", func(p *linkwork.Person) { p.OpenedOn = "1949-12-31" }, "opened_on"},
			{"opened in the future", func(p *linkwork.Person) { p.OpenedOn = "2030-03-05" }, "opened_on"},
			{"not a date", func(p *linkwork.Person) { p.OpenedOn = "4 March" }, "opened_on"},
			{"bad NHS number", func(p *linkwork.Person) { p.NHSNumber = "943 476 5918" }, "nhs_number"},
			{"not a postcode", func(p *linkwork.Person) { p.Postcode = "not a postcode" }, "postcode"},
			{"unknown ethnic code", func(p *linkwork.Person) { p.Demographics.Ethnicity = "I" }, "ethnicity"},
			{"unknown sex", func(p *linkwork.Person) { p.Demographics.Sex = "f" }, "sex"},
			{"no given name", func(p *linkwork.Person) { p.GivenName = " " }, "given_name"},
			{"organisation elsewhere", func(p *linkwork.Person) { p.OrganisationID = w.leedsOrg.ID }, "organisation_id"},
			{"worker of another organisation", func(p *linkwork.Person) { p.WorkerUserID = w.referrer }, "worker_user_id"},
			{"worker who is no one", func(p *linkwork.Person) { p.WorkerUserID = 99999 }, "worker_user_id"},
		}
		for _, tc := range cases {
			p := w.fullPerson()
			tc.edit(p)
			err := w.cases.CreatePerson(w.ctx, p)
			if linkwork.ErrorCode(err) != linkwork.EINVALID {
				t.Fatalf("%s: got %v, want EINVALID", tc.name, err)
			}
			found := false
			for _, e := range linkwork.FieldErrors(err) {
				found = found || e.Field == tc.field
			}
			if !found {
				t.Fatalf("%s: got %v, want a problem with %s", tc.name, err, tc.field)
			}
		}
		if n := countRows(t, db, "persons", ""); n != 0 {
			t.Fatalf("%d people saved, want none", n)
		}
		if es := auditWith(t, db, linkwork.AuditPersonCreate, ""); len(es) != 0 {
			t.Fatalf("%d audit events, want none", len(es))
		}
		// The housing trust's manager may be a worker of the trust's people, but not the charity's.
		trustWorker := quickUser(t, db, "tess@housing.example", "Tess Trust", w.housing.ID, linkwork.RoleManager)
		p := w.fullPerson()
		p.OrganisationID = w.housing.ID
		p.WorkerUserID = trustWorker
		w.mustPerson(t, p)
		q := w.newPerson("Ann", "Other", "1970-01-01")
		q.WorkerUserID = trustWorker
		wantCode(t, w.cases.CreatePerson(w.ctx, q), linkwork.EINVALID, "worker_user_id")
	})
}

// An organisation holds one unerased record per person: by NHS number, or by names (in any
// case) and date of birth. Another organisation may hold its own.
func TestCreatePersonDuplicates(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newPersonWorld(t, db)
		first := w.mustPerson(t, w.fullPerson())

		byNHS := w.newPerson("Maria", "Smyth", "1950-04-02")
		byNHS.NHSNumber = "9434765919"
		err := w.cases.CreatePerson(w.ctx, byNHS)
		wantCode(t, err, linkwork.ECONFLICT, "")
		if msg := linkwork.ErrorMessage(err); !strings.Contains(msg, "already has a record here (person "+idStr(first.ID)+")") ||
			!strings.Contains(msg, "943 476 5919") {
			t.Fatalf("message %q: want it to name the NHS number and person %d", msg, first.ID)
		}
		byName := w.newPerson("MARY", "smith", "1950-04-01")
		err = w.cases.CreatePerson(w.ctx, byName)
		wantCode(t, err, linkwork.ECONFLICT, "")
		if msg := linkwork.ErrorMessage(err); !strings.Contains(msg, "(person "+idStr(first.ID)+")") {
			t.Fatalf("message %q: want it to name person %d", msg, first.ID)
		}
		// A different date of birth is a different person; so is the same person elsewhere.
		w.mustPerson(t, w.newPerson("Mary", "Smith", "1960-04-01"))
		elsewhere := w.fullPerson()
		elsewhere.OrganisationID, elsewhere.WorkerUserID = w.housing.ID, 0
		w.mustPerson(t, elsewhere)
		if n := countRows(t, db, "persons", ""); n != 3 {
			t.Fatalf("%d people, want 3", n)
		}
		// Once the first record is erased, the person may have a new one.
		must(t, w.cases.ErasePerson(w.ctx, first.ID, "The person asked us to"))
		w.mustPerson(t, w.fullPerson())
	})
}

// acceptedReferral sends a referral for Mary Smith to Link Up York and accepts it.
func (w *personWorld) acceptedReferral(t *testing.T) *linkwork.Referral {
	t.Helper()
	r := w.send(t, w.referral())
	return decide(t, w.refWorld, r.ID, linkwork.Transition{Action: linkwork.ActionAccept})
}

func TestCreatePersonFromReferral(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newPersonWorld(t, db)
		received := w.send(t, w.referral())
		_, err := w.cases.CreatePersonFromReferral(w.ctx, received.ID, 0)
		wantCode(t, err, linkwork.EINVALID, "")
		if !strings.Contains(linkwork.ErrorMessage(err), received.Reference) {
			t.Fatalf("message %q: want it to name the referral", linkwork.ErrorMessage(err))
		}
		r := decide(t, w.refWorld, received.ID, linkwork.Transition{Action: linkwork.ActionAccept})
		r = decide(t, w.refWorld, r.ID, linkwork.Transition{Action: linkwork.ActionAllocate, WorkerUserID: w.worker2})

		// A worker given must work for the scheme's organisation.
		_, err = w.cases.CreatePersonFromReferral(w.ctx, r.ID, w.referrer)
		wantCode(t, err, linkwork.EINVALID, "worker_user_id")

		p, err := w.cases.CreatePersonFromReferral(w.ctx, r.ID, 0)
		must(t, err)
		if p.OrganisationID != w.charity.ID || p.PlaceID != w.york.ID || p.ReferralID != r.ID || p.ReferralReference != r.Reference ||
			p.WorkerUserID != w.worker2 || p.Status != linkwork.PersonWaiting {
			t.Fatalf("case %s: want it held by the charity, from the referral, with Kim as worker", jsonOf(p))
		}
		rp := r.Person
		if p.GivenName != rp.GivenName || p.FamilyName != rp.FamilyName || p.DateOfBirth != rp.DateOfBirth || p.NHSNumber != rp.NHSNumber ||
			p.Address1 != rp.Address1 || p.Postcode != rp.Postcode || p.Phone != rp.Phone || p.Language != rp.Language ||
			!p.Interpreter || p.AccessNeeds != rp.AccessNeeds || p.GPPractice != rp.GPPractice || len(p.ContactPreferences) != 2 ||
			p.LSOA != "E01010994" || p.IMDDecile != 1 {
			t.Fatalf("case %s: want the referral's person %s", jsonOf(p), jsonOf(rp))
		}
		got, err := w.cases.FindPersonByReferral(t.Context(), r.ID)
		must(t, err)
		if jsonOf(got) != jsonOf(w.find(t, p.ID)) || got.ID != p.ID {
			t.Fatalf("by referral %s: want person %d", jsonOf(got), p.ID)
		}
		e := oneAudit(t, db, linkwork.AuditPersonCreate, idStr(p.ID))
		if e.Detail != "opened from referral "+r.Reference {
			t.Fatalf("audit detail %q", e.Detail)
		}
		noPersonalData(t, r, "audit detail", e.Detail)

		// One case per referral.
		_, err = w.cases.CreatePersonFromReferral(w.ctx, r.ID, w.worker1)
		wantCode(t, err, linkwork.ECONFLICT, "")
		if !strings.Contains(linkwork.ErrorMessage(err), "(person "+idStr(p.ID)+")") {
			t.Fatalf("message %q: want it to name person %d", linkwork.ErrorMessage(err), p.ID)
		}
		if _, err := w.cases.FindPersonByReferral(t.Context(), received.ID+1000); linkwork.ErrorCode(err) != linkwork.ENOTFOUND {
			t.Fatalf("case of an unknown referral: %v, want ENOTFOUND", err)
		}
		if _, err := w.cases.CreatePersonFromReferral(w.ctx, 99999, 0); linkwork.ErrorCode(err) != linkwork.ENOTFOUND {
			t.Fatalf("case from an unknown referral: %v, want ENOTFOUND", err)
		}

		// A waiting referral for someone else opens with the worker given; a declined one cannot.
		other := w.send(t, w.person("Joe", "1960-01-01"))
		decide(t, w.refWorld, other.ID, linkwork.Transition{Action: linkwork.ActionAccept})
		decide(t, w.refWorld, other.ID, linkwork.Transition{Action: linkwork.ActionWait})
		q, err := w.cases.CreatePersonFromReferral(w.ctx, other.ID, w.manager)
		must(t, err)
		if q.WorkerUserID != w.manager || q.WorkerName != "Max Manager" {
			t.Fatalf("worker %d %q: want the manager", q.WorkerUserID, q.WorkerName)
		}
		declined := w.send(t, w.person("Jim", "1961-01-01"))
		decide(t, w.refWorld, declined.ID, linkwork.Transition{Action: linkwork.ActionDecline, DeclineReason: linkwork.DeclinePersonDeclined})
		_, err = w.cases.CreatePersonFromReferral(w.ctx, declined.ID, 0)
		wantCode(t, err, linkwork.EINVALID, "")
		if n := countRows(t, db, "persons", ""); n != 2 {
			t.Fatalf("%d people, want 2", n)
		}
	})
}

func TestUpdatePerson(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newPersonWorld(t, db)
		p := w.mustPerson(t, w.fullPerson())
		w.clock.advance(90 * time.Minute) // 11:00 in London
		edit := w.find(t, p.ID)
		edit.FamilyName, edit.Postcode, edit.WorkerUserID = "Smith-Jones", "HX3 9AA", w.worker2
		edit.Demographics.Ethnicity, edit.OpenedOn = "99", ""
		// The organisation, status and referral stay as they are.
		edit.OrganisationID, edit.Status, edit.ReferralID = w.housing.ID, linkwork.PersonClosed, 5
		must(t, w.cases.UpdatePerson(w.ctx, edit))
		got := w.find(t, p.ID)
		if got.FamilyName != "Smith-Jones" || got.LSOA != "E01011103" || got.IMDDecile != 8 || got.WorkerUserID != w.worker2 ||
			got.WorkerName != "Kim Okafor" || got.Demographics.Ethnicity != "99" || got.Version != 2 || got.OpenedOn != "2030-02-20" ||
			got.OrganisationID != w.charity.ID || got.Status != linkwork.PersonWaiting || got.ReferralID != 0 ||
			!got.UpdatedAt.Equal(w.clock.now) {
			t.Fatalf("updated %s", jsonOf(got))
		}
		if jsonOf(edit) != jsonOf(got) {
			t.Fatalf("UpdatePerson left\n%s\nwant\n%s", jsonOf(edit), jsonOf(got))
		}
		e := oneAudit(t, db, linkwork.AuditPersonUpdate, idStr(p.ID))
		if strings.Contains(e.Detail, "Smith") {
			t.Fatalf("audit detail %q holds personal data", e.Detail)
		}

		// A change made on the old version is a conflict that says who changed it and when.
		stale := w.fullPerson()
		stale.ID, stale.Version = p.ID, 1
		err := w.cases.UpdatePerson(w.as(t, w.worker2, "kim@connectors.example"), stale)
		wantCode(t, err, linkwork.ECONFLICT, "")
		if msg := linkwork.ErrorMessage(err); !strings.Contains(msg, "Lee Walker changed this person's record at 11:00") {
			t.Fatalf("conflict %q: want it to say Lee changed it at 11:00", msg)
		}
		// Bad input and a worker elsewhere are refused; so is becoming someone else's duplicate.
		bad := w.find(t, p.ID)
		bad.DateOfBirth = "2031-01-01"
		wantCode(t, w.cases.UpdatePerson(w.ctx, bad), linkwork.EINVALID, "date_of_birth")
		bad = w.find(t, p.ID)
		bad.WorkerUserID = w.referrer
		wantCode(t, w.cases.UpdatePerson(w.ctx, bad), linkwork.EINVALID, "worker_user_id")
		other := w.mustPerson(t, w.newPerson("Ann", "Other", "1970-01-01"))
		bad = w.find(t, other.ID)
		bad.NHSNumber = "9434765919"
		err = w.cases.UpdatePerson(w.ctx, bad)
		wantCode(t, err, linkwork.ECONFLICT, "")
		if !strings.Contains(linkwork.ErrorMessage(err), "(person "+idStr(p.ID)+")") {
			t.Fatalf("duplicate %q: want it to name person %d", linkwork.ErrorMessage(err), p.ID)
		}
		if got2 := w.find(t, p.ID); got2.Version != 2 || got2.DateOfBirth != "1950-04-01" {
			t.Fatalf("after refused changes %s", jsonOf(got2))
		}
		missing := w.fullPerson()
		missing.ID = 99999
		wantCode(t, w.cases.UpdatePerson(w.ctx, missing), linkwork.ENOTFOUND, "")

		// A closed case cannot be changed.
		_, err = w.cases.CloseCase(w.ctx, linkwork.CaseClosure{PersonID: p.ID, Version: 2, Outcome: linkwork.CaseGoalsMet}, w.worker1, "Lee Walker")
		must(t, err)
		closed := w.find(t, p.ID)
		closed.Phone = "07700 900000"
		wantCode(t, w.cases.UpdatePerson(w.ctx, closed), linkwork.EINVALID, "")
		if n := len(auditWith(t, db, linkwork.AuditPersonUpdate, "")); n != 1 {
			t.Fatalf("%d update events, want 1", n)
		}
	})
}

// TestReopenForNewReferral: a person referred again to an organisation that closed their
// case gets the same record back, waiting again, linked to the new referral, with its
// history kept and the reopening audited; an open record still refuses a second one.
func TestReopenForNewReferral(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newPersonWorld(t, db)
		first := w.acceptedReferral(t)
		p, err := w.cases.CreatePersonFromReferral(w.ctx, first.ID, w.worker1)
		must(t, err)
		must(t, w.cases.AddContact(w.ctx, &linkwork.CaseContact{PersonID: p.ID, On: w.find(t, p.ID).OpenedOn, Mode: linkwork.ModePhone, Minutes: 20}))

		// While the case is open, the new referral cannot have a record of its own.
		second := w.acceptedReferral(t)
		_, err = w.cases.CreatePersonFromReferral(w.ctx, second.ID, 0)
		wantCode(t, err, linkwork.ECONFLICT, "")

		w.closeCase(t, p.ID, linkwork.CaseGoalsMet, "")
		again, err := w.cases.CreatePersonFromReferral(w.ctx, second.ID, w.worker2)
		must(t, err)
		if again.ID != p.ID || again.Status != linkwork.PersonWaiting || again.ReferralID != second.ID ||
			again.Outcome != "" || again.ClosedAt != nil || again.WorkerUserID != w.worker2 || again.LastContactOn == "" {
			t.Fatalf("reopened %s: want person %d waiting again for %s, with Kim and the old contact", jsonOf(again), p.ID, second.Reference)
		}
		e := oneAudit(t, db, linkwork.AuditPersonReopen, idStr(p.ID))
		if e.Detail != "reopened for referral "+second.Reference {
			t.Fatalf("audit detail %q", e.Detail)
		}
		// The new referral now has the case; the first keeps no claim on it.
		if got, err := w.cases.FindPersonByReferral(t.Context(), second.ID); err != nil || got.ID != p.ID {
			t.Fatalf("by the new referral: %v %v", got, err)
		}
	})
}
