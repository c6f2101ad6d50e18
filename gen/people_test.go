package gen_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"linkwork"
	"linkwork/gen"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// casework generates a small place with 500 people into db, as of a fixed day.
func casework(t *testing.T, db *sqldb.DB, ps []gen.Postcode) (*gen.Directory, *gen.Casework) {
	t.Helper()
	dir, err := gen.Load(t.Context(), db, gen.Options{Seed: 11, Services: 400, Locations: 900, Postcodes: ps}, nil)
	if err != nil {
		t.Fatal(err)
	}
	stages := map[string]int{}
	cw, err := gen.LoadPeople(t.Context(), db, dir, gen.PeopleOptions{Seed: 11, People: 500, Referrals: 750, Contacts: 5000,
		Questionnaires: 1000, Today: asOf, Postcodes: ps}, func(stage string, done, total int) {
		if done > total || done < stages[stage] {
			t.Errorf("%s: %d of %d after %d", stage, done, total, stages[stage])
		}
		stages[stage] = done
	})
	if err != nil {
		t.Fatal(err)
	}
	if stages["referrals"] != 750 || stages["people"] != 500 {
		t.Fatalf("progress ended at %v", stages)
	}
	return dir, cw
}

// asOf is the day the test data is as of: a fixed day, so that two runs are the same.
var asOf = time.Now().AddDate(0, 0, -3)

// TestLoadPeople generates the same small place twice on each database and checks that the
// two are the same, that the store reads it back as it would its own (caseloads, records,
// capacity), and that every questionnaire is scored as the domain scores it.
func TestLoadPeople(t *testing.T) {
	t.Parallel()
	ps := postcodes(t)
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := t.Context()
		dir, cw := casework(t, db, ps)
		n, err := db.CountCasework(ctx, dir.Place.ID)
		if err != nil {
			t.Fatal(err)
		}
		if n.People != 500 || n.Referrals != 750 || n.Contacts != 5000 || n.Responses != 1000 || n.Users != cw.Workers ||
			cw.Workers != 3 || n.Goals != cw.Goals || n.Steps != cw.Steps || n.Onward != cw.Onward || n.Onward == 0 ||
			n.ReferralEvents < 2*750 || n.Conversations == 0 || n.Notes == 0 {
			t.Fatalf("counts %+v, made %+v", n, cw)
		}

		// The same again in another database.
		other := sqldbtest.Open(t, db.Dialect())
		dir2, cw2 := casework(t, other, ps)
		n2, err := other.CountCasework(ctx, dir2.Place.ID)
		if err != nil {
			t.Fatal(err)
		}
		if *n2 != *n || cw2.Goals != cw.Goals || cw2.Steps != cw.Steps || cw2.Onward != cw.Onward {
			t.Fatalf("another run counted %+v, not %+v", n2, n)
		}

		// The caseload benchmark's worker has exactly 250 people, all active.
		svc := db.Services()
		worker, err := svc.Users.FindUserByEmail(ctx, gen.CaseloadEmail)
		if err != nil || worker.ID != cw.CaseloadUserID || len(worker.Memberships) != 1 ||
			worker.Memberships[0].Role != linkwork.RoleLinkWorker {
			t.Fatalf("caseload worker %+v: %v", worker, err)
		}
		if _, err := svc.Users.Authenticate(ctx, gen.CaseloadEmail, gen.DefaultPassword); err != nil {
			t.Fatalf("sign in as the caseload worker: %v", err)
		}
		orgs := []int64{worker.Memberships[0].OrganisationID}
		f := linkwork.CaseloadFilter{PlaceID: dir.Place.ID, OrganisationIDs: orgs, WorkerUserID: worker.ID, Page: linkwork.Page{Size: 200}}
		entries, total, sum, err := svc.Cases.Caseload(ctx, f)
		if err != nil || total != gen.KnownCaseload || sum.Active != gen.KnownCaseload || sum.Waiting != 0 || len(entries) != 200 {
			t.Fatalf("caseload: %d of %d, %+v, %v", len(entries), total, sum, err)
		}
		entries2, _, sum2, err := other.Services().Cases.Caseload(ctx, linkwork.CaseloadFilter{PlaceID: dir2.Place.ID,
			OrganisationIDs: orgs, WorkerUserID: cw2.CaseloadUserID, Page: linkwork.Page{Size: 200}})
		if err != nil || *sum2 != *sum || len(entries2) != len(entries) {
			t.Fatalf("other caseload: %+v, %v", sum2, err)
		}

		// Sample records: the same in both runs, and consistent as the store keeps them.
		for _, i := range []int{0, 1, 57, 133, 199} {
			rec := record(t, db, entries[i].Person.ID)
			rec2 := record(t, other, entries2[i].Person.ID)
			if a, b := sample(rec), sample(rec2); a != b {
				t.Fatalf("caseload entry %d differs between runs:\n%s\n%s", i, a, b)
			}
			checkRecord(t, rec)
		}
		// And a closed case, and a waiting one, of another worker.
		for _, st := range []linkwork.PersonStatus{linkwork.PersonClosed, linkwork.PersonWaiting} {
			all := allOrgs(dir)
			es, total, _, err := svc.Cases.Caseload(ctx, linkwork.CaseloadFilter{PlaceID: dir.Place.ID, OrganisationIDs: all,
				Statuses: []linkwork.PersonStatus{st}, Page: linkwork.Page{Size: 5}})
			if err != nil || total == 0 {
				t.Fatalf("%s people: %d, %v", st, total, err)
			}
			for _, e := range es {
				checkRecord(t, record(t, db, e.Person.ID))
			}
		}

		// Referrals in every status, with each scheme's counts as the list has them.
		statuses := map[linkwork.ReferralStatus]int{}
		caps, err := svc.Referrals.Capacity(ctx, dir.Place.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range caps {
			count := func(ss ...linkwork.ReferralStatus) int {
				_, n, err := svc.Referrals.ListReferrals(ctx, linkwork.ReferralFilter{PlaceID: dir.Place.ID,
					OrganisationIDs: []int64{c.OrganisationID}, SchemeID: c.SchemeID, Statuses: ss, Page: linkwork.Page{Size: 1}})
				if err != nil {
					t.Fatal(err)
				}
				return n
			}
			if c.Received != count(linkwork.ReferralReceived) || c.Waiting != count(linkwork.ReferralWaiting) ||
				c.Active != count(linkwork.ReferralAllocated, linkwork.ReferralInProgress) {
				t.Fatalf("%s: capacity %+v, list %d received, %d waiting, %d active", c.SchemeName, c, count(linkwork.ReferralReceived),
					count(linkwork.ReferralWaiting), count(linkwork.ReferralAllocated, linkwork.ReferralInProgress))
			}
			for _, st := range linkwork.ReferralStatuses {
				statuses[st] += count(st)
			}
		}
		for _, st := range linkwork.ReferralStatuses {
			if statuses[st] == 0 {
				t.Errorf("no referral is %s: %v", st, statuses)
			}
		}
	})
}

// allOrgs returns the IDs of a directory's organisations.
func allOrgs(dir *gen.Directory) []int64 {
	var out []int64
	for _, o := range dir.Orgs {
		out = append(out, o.ID)
	}
	return out
}

func record(t *testing.T, db *sqldb.DB, id int64) *linkwork.PersonRecord {
	t.Helper()
	rec, err := db.Services().Cases.PersonRecord(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// sample is what a record holds, without the IDs the databases chose, for comparing runs.
func sample(rec *linkwork.PersonRecord) string {
	var b strings.Builder
	p := rec.Person
	fmt.Fprintf(&b, "%s %s %s %s %s %s %s %s %s %s %s %s\n", p.UUID, p.Name(), p.DateOfBirth, p.NHSNumber, p.Postcode, p.Status,
		p.OpenedOn, p.LastContactOn, p.FollowUpOn, p.NextStepDue, p.NextStep, p.ReferralReference)
	for _, c := range rec.Contacts {
		fmt.Fprintf(&b, "contact %s %s %d %s %s\n", c.On, c.Mode, c.Minutes, c.Note, c.FollowUpOn)
	}
	for _, g := range rec.Plan.Goals {
		fmt.Fprintf(&b, "goal %s %s\n", g.Text, g.Status)
		for _, s := range g.Steps {
			fmt.Fprintf(&b, "  step %s %s %s %s %s\n", s.Text, s.DueOn, s.Status, s.DoneOn, s.ServiceName)
		}
	}
	for _, o := range rec.Onward {
		fmt.Fprintf(&b, "onward %s %s %s\n", o.ServiceName, o.Status, o.SentAt)
	}
	for _, r := range rec.Questionnaires {
		s, _ := json.Marshal(r.Score)
		fmt.Fprintf(&b, "questionnaire %s %s %s %s\n", r.QuestionnaireCode, r.Timepoint, r.CompletedOn, s)
	}
	return b.String()
}

// checkRecord checks that a generated record is what the store would have made: its status,
// last contact, follow-up and next step follow from its contacts and plan; its questionnaires
// are scored as the domain scores their answers; and each part passes its own validation.
func checkRecord(t *testing.T, rec *linkwork.PersonRecord) {
	t.Helper()
	p := rec.Person
	today := time.Now()
	if err := (*p).Validate(today); err != nil {
		t.Errorf("person %d: %v", p.ID, err)
	}
	last, followUp := "", ""
	for i := len(rec.Contacts) - 1; i >= 0; i-- { // oldest first
		c := rec.Contacts[i]
		if c.On >= last {
			last, followUp = c.On, c.FollowUpOn
		}
		if err := c.Validate(p.DateOfBirth, today); err != nil {
			t.Errorf("person %d contact %d: %v", p.ID, c.ID, err)
		}
	}
	if p.LastContactOn != last || p.FollowUpOn != followUp {
		t.Errorf("person %d: last contact %q, follow-up %q; the contacts say %q and %q", p.ID, p.LastContactOn, p.FollowUpOn, last, followUp)
	}
	switch {
	case p.Status == linkwork.PersonClosed:
		if p.ClosedAt == nil || p.Outcome == "" {
			t.Errorf("closed person %d without an outcome: %+v", p.ID, p)
		}
	case len(rec.Contacts) > 0 && p.Status != linkwork.PersonActive, len(rec.Contacts) == 0 && p.Status != linkwork.PersonWaiting:
		t.Errorf("person %d with %d contacts is %s", p.ID, len(rec.Contacts), p.Status)
	}
	var next *linkwork.Step
	for _, g := range rec.Plan.Goals {
		for _, s := range g.Steps {
			if s.Status == linkwork.StepToDo && (next == nil || s.DueOn < next.DueOn || s.DueOn == next.DueOn && s.ID < next.ID) {
				next = s
			}
			if err := (*s).Validate(p.OpenedOn, today); err != nil {
				t.Errorf("person %d step %d: %v", p.ID, s.ID, err)
			}
		}
	}
	if next == nil && (p.NextStep != "" || p.NextStepDue != "") || next != nil && (p.NextStep != next.Text || p.NextStepDue != next.DueOn) {
		t.Errorf("person %d: next step %q on %q, the plan says %+v", p.ID, p.NextStep, p.NextStepDue, next)
	}
	for _, o := range rec.Onward {
		if o.StepID == 0 {
			t.Errorf("onward referral %d has no step", o.ID)
		}
	}
	for _, r := range rec.Questionnaires {
		a := make([]int, len(r.Answers))
		for i, v := range r.Answers {
			a[i] = *v
		}
		var want *linkwork.QuestionnaireScore
		var err error
		switch r.QuestionnaireCode {
		case linkwork.QuestionnaireONS4:
			want, err = linkwork.ScoreONS4Answers(a)
		case linkwork.QuestionnaireUCLA3:
			want, err = linkwork.ScoreUCLA3Answers(a)
		case linkwork.QuestionnaireSWEMWBS:
			want, err = linkwork.ScoreSWEMWBSAnswers(a)
		default:
			t.Fatalf("questionnaire %q", r.QuestionnaireCode)
		}
		if err != nil || r.Status != linkwork.ResponseComplete || !reflect.DeepEqual(r.Score, want) {
			t.Errorf("response %d %s %v: score %+v, want %+v (%v)", r.ID, r.QuestionnaireCode, a, r.Score, want, err)
		}
	}
	if len(rec.Questionnaires) > 0 && len(rec.Contacts) == 0 {
		t.Errorf("person %d answered questionnaires without a contact", p.ID)
	}
}

// TestPeopleOptions checks the sizes LoadPeople refuses, with a message that says why.
func TestPeopleOptions(t *testing.T) {
	t.Parallel()
	ps := postcodes(t)
	db := sqldbtest.Open(t, "sqlite")
	dir, err := gen.Load(t.Context(), db, gen.Options{Seed: 3, Services: 300, Locations: 300, Postcodes: ps}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		o    gen.PeopleOptions
		want string
	}{
		{gen.PeopleOptions{People: 100, Referrals: 150, Contacts: 10, Postcodes: ps}, "need at least"},
		{gen.PeopleOptions{People: 100, Referrals: -1, Postcodes: ps}, "cannot be negative"},
		{gen.PeopleOptions{People: 10, Postcodes: ps, Today: time.Now().AddDate(0, 0, 2)}, "after today"},
		{gen.PeopleOptions{People: 10}, "postcodes"},
	} {
		_, err := gen.LoadPeople(t.Context(), db, dir, c.o, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.o, err, c.want)
		}
		if err := gen.CheckPeopleOptions(c.o); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("check %+v: %v, want %q", c.o, err, c.want)
		}
	}
	if n, err := db.CountCasework(t.Context(), dir.Place.ID); err != nil || n.Referrals+n.People+n.Users != 0 {
		t.Fatalf("refused options left %+v, %v", n, err)
	}
	// Referrals alone, with no people: the triage queues of a place just starting.
	if err := gen.CheckPeopleOptions(gen.PeopleOptions{Referrals: 40, Postcodes: ps}); err != nil {
		t.Fatal(err)
	}
	cw, err := gen.LoadPeople(t.Context(), db, dir, gen.PeopleOptions{Seed: 3, Referrals: 40, Postcodes: ps}, nil)
	if err != nil || cw.Referrals != 40 || cw.People != 0 || cw.Workers != 0 {
		t.Fatalf("referrals alone: %+v, %v", cw, err)
	}
	// Two more places, with the same seed, in the same database: the second has a caseload
	// worker of its own.
	for _, seed := range []uint64{4, 5} {
		dir, err := gen.Load(t.Context(), db, gen.Options{Seed: seed, Services: 300, Locations: 300, Postcodes: ps}, nil)
		if err != nil {
			t.Fatal(err)
		}
		cw, err = gen.LoadPeople(t.Context(), db, dir, gen.PeopleOptions{Seed: 4, People: 30, Referrals: 30, Contacts: 300,
			Questionnaires: 20, Postcodes: ps}, nil)
		if err != nil || cw.CaseloadActive != 15 || !strings.HasPrefix(cw.CaseloadEmail, "caseload") {
			t.Fatalf("small place: %+v, %v", cw, err)
		}
	}
	if cw.CaseloadEmail == gen.CaseloadEmail {
		t.Fatalf("a second place reused %s", cw.CaseloadEmail)
	}
}

// TestIdentifiers checks that generated referral references and NHS numbers are unique and
// well formed, at the sizes of England.
func TestIdentifiers(t *testing.T) {
	t.Parallel()
	refs, nhs := gen.IdentifiersForTest(7, 1_500_000)
	seen := make(map[string]bool, len(refs))
	for _, r := range refs {
		if seen[r] || len(r) != 8 || !strings.HasPrefix(r, "R-") || strings.ContainsAny(r, "ILOU") {
			t.Fatalf("reference %q repeated or malformed", r)
		}
		seen[r] = true
	}
	clear(seen)
	if len(nhs) < 900_000 {
		t.Fatalf("only %d NHS numbers", len(nhs))
	}
	for _, n := range nhs {
		if seen[n] || !strings.HasPrefix(n, "999") {
			t.Fatalf("NHS number %q repeated or outside the test range", n)
		}
		if got, err := linkwork.NormaliseNHSNumber(n); err != nil || got != n {
			t.Fatalf("NHS number %q: %v", n, err)
		}
		seen[n] = true
	}
	if slices.IsSorted(nhs[:1000]) {
		t.Error("NHS numbers count up")
	}
}
