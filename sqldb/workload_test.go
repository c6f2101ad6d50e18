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

// insertPeople adds n case records straight to the table, for counts that need more people
// than are worth creating one by one: held by an organisation, with a link worker (0 for
// none), in a status, opened on a day and, if closedAt is set, closed then.
func insertPeople(t *testing.T, db *sqldb.DB, prefix string, n int, placeID, orgID, worker int64, status, openedOn string, closedAt *time.Time) {
	t.Helper()
	var workerID any
	if worker > 0 {
		workerID = worker
	}
	now := db.Now()
	for i := range n {
		name := fmt.Sprintf("%s%03d", prefix, i)
		_, err := db.Exec(t.Context(), `INSERT INTO persons (uuid, place_id, organisation_id, given_name, family_name, name_key,
			preferred_name, date_of_birth, nhs_number, address_1, address_2, town, postcode, phone, email, contact_preferences, language,
			interpreter, access_needs, gp_practice, sex, gender_same_as_sex, gender, ethnicity, disability, carer, first_language, age_band,
			lsoa, imd_decile, worker_user_id, status, opened_on, next_step, outcome, closing_note, closed_at, version, created_at, updated_at)
			VALUES (?, ?, ?, ?, 'Bulk', ?, '', '1970-01-01', '', '', '', '', '', '', '', '', '', ?, '', '', '', '', '', '', '', '', '', '',
			'', 0, ?, ?, ?, '', '', '', ?, 1, ?, ?)`,
			fmt.Sprintf("00000000-0000-4000-8000-%012d", placeID*1_000_000+orgID*10_000+int64(len(prefix))*1000+int64(i)),
			placeID, orgID, name, name+"\x1fbulk", false, workerID, status, openedOn, closedAt, now, now)
		must(t, err)
	}
}

// teamWorld is the charity's team on 4 March 2030, whose numbers are known exactly:
//
//   - Lee (link worker, own limit 8): A1–A7 active (opened 10 January; contacted by phone
//     on 20 February for 30 minutes, A1–A6 to follow up on 1 March, overdue; A7 again face
//     to face on 2 March for 45 minutes), W1 and W2 waiting (opened 15 February); C1 opened
//     15 January 2029 and closed 1 June 2029 (contacted at home on 10 May 2029 for 60
//     minutes), C2 opened 1 May 2028 and closed 1 February 2029 (contacted in a group on 20
//     January 2029). A1 has two plan steps overdue and one done; A2 one step not yet due. A1
//     has an onward referral unanswered for 15 days, A2 one for 5 days, A3 an accepted one
//     sent 20 days ago. Lee also contacted Max's M1 by video on 3 March for 20 minutes.
//   - Kim (link worker): 64 people opened on 1 February 2030 and closed on 20 February.
//   - Max (manager): M1, opened 1 March 2030, active since Lee's contact.
//   - U1 open with no link worker; the housing trust's H1 likewise (another organisation).
//   - Link Up York (waiting time 3 weeks) has two referrals waiting, accepted on 1 and 20
//     February; Link Up Selby (no stated waiting time) one, accepted on 10 February.
type teamWorld struct {
	*personWorld
	selby *linkwork.Service
	lee   []*linkwork.Person // A1–A7, W1, W2
	m1    *linkwork.Person
}

func newTeamWorld(t *testing.T, db *sqldb.DB) *teamWorld {
	t.Helper()
	w := &teamWorld{personWorld: newPersonWorld(t, db)}
	ctx := t.Context()
	person := func(name, opened string, worker int64) *linkwork.Person {
		p := w.newPerson(name, "Team", "1960-05-05")
		p.OpenedOn, p.WorkerUserID = opened, worker
		return w.mustPerson(t, p)
	}
	contact := func(p *linkwork.Person, on string, mode linkwork.ContactMode, minutes int, followUp string) {
		must(t, w.cases.AddContact(w.ctx, &linkwork.CaseContact{PersonID: p.ID, On: on, Mode: mode, Minutes: minutes,
			FollowUpOn: followUp, WorkerUserID: w.worker1}))
	}
	for i := 1; i <= 7; i++ {
		p := person(fmt.Sprintf("A%d", i), "2030-01-10", w.worker1)
		followUp := "2030-03-01"
		if i == 7 {
			followUp = "2030-03-10"
		}
		contact(p, "2030-02-20", linkwork.ModePhone, 30, followUp)
		w.lee = append(w.lee, p)
	}
	contact(w.lee[6], "2030-03-02", linkwork.ModeFaceToFace, 45, "2030-03-10")
	w.lee = append(w.lee, person("W1", "2030-02-15", w.worker1), person("W2", "2030-02-15", w.worker1))
	w.step(t, w.lee[0].ID, "Ring the council", "2030-03-01", linkwork.StepToDo)
	w.step(t, w.lee[0].ID, "Fill in the form", "2030-03-03", linkwork.StepToDo)
	w.step(t, w.lee[0].ID, "Find the letter", "2030-02-20", linkwork.StepDone)
	w.step(t, w.lee[1].ID, "Try the choir", "2030-03-08", linkwork.StepToDo)

	c1 := person("C1", "2029-01-15", w.worker1)
	contact(c1, "2029-05-10", linkwork.ModeHomeVisit, 60, "")
	w.closeCase(t, c1.ID, linkwork.CaseMoved, "")
	c2 := person("C2", "2028-05-01", w.worker1)
	contact(c2, "2029-01-20", linkwork.ModeGroup, 30, "")
	w.closeCase(t, c2.ID, linkwork.CaseMoved, "")
	for id, at := range map[int64]time.Time{c1.ID: time.Date(2029, 6, 1, 11, 0, 0, 0, time.UTC), c2.ID: time.Date(2029, 2, 1, 11, 0, 0, 0, time.UTC)} {
		_, err := db.Exec(ctx, "UPDATE persons SET closed_at = ? WHERE id = ?", at, id)
		must(t, err)
	}

	w.m1 = person("M1", "2030-03-01", w.manager)
	must(t, w.cases.AddContact(w.ctx, &linkwork.CaseContact{PersonID: w.m1.ID, On: "2030-03-03", Mode: linkwork.ModeVideo, Minutes: 20,
		WorkerUserID: w.worker1}))
	person("U1", "2030-02-10", 0)
	h1 := w.newPerson("H1", "Team", "1960-05-05")
	h1.OrganisationID, h1.WorkerUserID, h1.OpenedOn = w.housing.ID, 0, "2030-02-10"
	w.mustPerson(t, h1)

	closed := time.Date(2030, 2, 20, 10, 0, 0, 0, time.UTC)
	insertPeople(t, db, "kim", 64, w.york.ID, w.charity.ID, w.worker2, "closed", "2030-02-01", &closed)

	walk := mustService(t, db, &linkwork.Service{PlaceID: w.york.ID, OrganisationID: w.council.ID, Name: "Walk and Talk"})
	for _, o := range []struct {
		person int64
		days   int
		status string
	}{{w.lee[0].ID, 15, "sent"}, {w.lee[1].ID, 5, "sent"}, {w.lee[2].ID, 20, "accepted"}} {
		_, err := db.Exec(ctx, `INSERT INTO onward_referrals (place_id, person_id, person_organisation_id, service_id,
			service_organisation_id, first_name, contact_phone, contact_email, needs, access_requirements, message, consent,
			consent_method, status, reason, note, sent_by, sent_at, answered_by, version)
			VALUES (?, ?, ?, ?, ?, 'x', '', '', 'x', '', '', ?, 'verbal', ?, '', '', 'Lee', ?, '', 1)`,
			w.york.ID, o.person, w.charity.ID, walk.ID, w.council.ID, true, o.status, w.clock.now.AddDate(0, 0, -o.days))
		must(t, err)
	}
	must(t, w.refs.SetCaseloadLimit(ctx, w.york.ID, w.worker1, 8))

	w.selby = mustService(t, db, &linkwork.Service{PlaceID: w.york.ID, OrganisationID: w.charity.ID, Kind: linkwork.KindScheme,
		Name: "Link Up Selby", Scheme: &linkwork.ConnectorScheme{Model: linkwork.ModelPCNLinkWorker,
			WhoCanRefer: []linkwork.ReferrerType{linkwork.ReferrerGP}}})
	for i, wait := range []struct {
		scheme int64
		since  time.Time
	}{
		{w.linkUp.ID, time.Date(2030, 2, 1, 10, 0, 0, 0, time.UTC)},
		{w.linkUp.ID, time.Date(2030, 2, 20, 10, 0, 0, 0, time.UTC)},
		{w.selby.ID, time.Date(2030, 2, 10, 10, 0, 0, 0, time.UTC)},
	} {
		r := w.send(t, w.person(fmt.Sprintf("Waiter%d", i), fmt.Sprintf("1950-01-0%d", i+1)))
		_, err := db.Exec(ctx, "UPDATE referrals SET status = 'waiting', waiting_since = ?, scheme_id = ? WHERE id = ?", wait.since, wait.scheme, r.ID)
		must(t, err)
	}
	return w
}

// months returns a workload's months as "month contacts/minutes new", for those with any.
func months(w *linkwork.Workload) []string {
	var out []string
	for _, m := range w.Months {
		if m.Contacts > 0 || m.NewPeople > 0 {
			out = append(out, fmt.Sprintf("%s %d/%d %d", m.Month, m.Contacts, m.Minutes, m.NewPeople))
		}
	}
	return out
}

// modes returns a month's contacts by mode as "mode contacts/minutes", for those with any.
func modes(m *linkwork.WorkloadMonth) []string {
	var out []string
	for _, mc := range m.ByMode {
		if mc.Contacts > 0 {
			out = append(out, fmt.Sprintf("%s %d/%d", mc.Mode, mc.Contacts, mc.Minutes))
		}
	}
	return out
}

func TestWorkloadOfALinkWorker(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newTeamWorld(t, db)
		svc := db.Services().Workload
		got, err := svc.Workload(t.Context(), linkwork.WorkloadQuery{PlaceID: w.york.ID, OrganisationIDs: []int64{w.charity.ID}, WorkerUserID: w.worker1})
		must(t, err)
		want := linkwork.Workload{UserID: w.worker1, Name: "Lee Walker", Today: "2030-03-04", Active: 7, Waiting: 2, Limit: 8,
			LimitFrom: linkwork.LimitOwn, PercentOfLimit: 113, SupportedFrom: "2029-03-05", Supported: 10, PerYear: 10, RateFrom: "2029-03-05",
			Guide: linkwork.GuideUnder, FollowUpsOverdue: 6, StepsOverdue: 2, OnwardAwaiting: 1, LastContactOn: "2030-03-03"}
		head := *got
		head.Months, head.Flags = nil, nil
		if jsonOf(head) != jsonOf(want) {
			t.Fatalf("Lee's workload\n%s\nwant\n%s", jsonOf(head), jsonOf(want))
		}
		if !slices.Equal(got.Flags, []linkwork.WorkloadFlag{linkwork.FlagOverLimit, linkwork.FlagFollowUpsOverdue}) {
			t.Fatalf("flags %v", got.Flags)
		}
		if len(got.Months) != 12 || got.Months[0].Month != "2029-04" || got.Months[11].Month != "2030-03" {
			t.Fatalf("months %s", jsonOf(got.Months))
		}
		if m := months(got); !slices.Equal(m, []string{"2029-05 1/60 0", "2030-01 0/0 7", "2030-02 7/210 2", "2030-03 2/65 0"}) {
			t.Fatalf("months %v", m)
		}
		if m := modes(got.ThisMonth()); !slices.Equal(m, []string{"face_to_face 1/45", "video 1/20"}) {
			t.Fatalf("this month by mode %v", m)
		}
		if m := modes(got.LastMonth()); !slices.Equal(m, []string{"phone 7/210"}) || got.LastMonth().Month != "2030-02" {
			t.Fatalf("last month by mode %v", m)
		}
		if got.GuideText() != "10 a year: under the guide of 200 to 250" {
			t.Fatalf("guide %q", got.GuideText())
		}
		// The caseload counts the same people the same way (it counts people with an onward
		// referral awaiting an answer, the workload the referrals: here one each).
		_, _, sum, err := w.cases.Caseload(t.Context(), linkwork.CaseloadFilter{PlaceID: w.york.ID, OrganisationIDs: []int64{w.charity.ID},
			WorkerUserID: w.worker1})
		must(t, err)
		if *sum != (linkwork.CaseloadSummary{Active: got.Active, Waiting: got.Waiting, FollowUpOverdue: got.FollowUpsOverdue,
			OnwardAwaiting: got.OnwardAwaiting}) {
			t.Fatalf("caseload summary %+v, workload %+v", *sum, got)
		}

		// Another day: on 11 March A7's follow-up and A2's step are overdue too.
		later, err := svc.Workload(t.Context(), linkwork.WorkloadQuery{PlaceID: w.york.ID, OrganisationIDs: []int64{w.charity.ID},
			WorkerUserID: w.worker1, Today: time.Date(2030, 3, 11, 0, 0, 0, 0, time.UTC)})
		must(t, err)
		if later.FollowUpsOverdue != 7 || later.StepsOverdue != 3 || later.SupportedFrom != "2029-03-12" || later.Supported != 10 {
			t.Fatalf("on 11 March %+v", later)
		}

		// Kim: 64 people in a month and a bit, scaled up from three months.
		kim, err := svc.Workload(t.Context(), linkwork.WorkloadQuery{PlaceID: w.york.ID, OrganisationIDs: []int64{w.charity.ID}, WorkerUserID: w.worker2})
		must(t, err)
		if kim.Supported != 64 || kim.PerYear != 257 || kim.RateFrom != "2030-02-01" || kim.Guide != linkwork.GuideOver || kim.Active+kim.Waiting != 0 ||
			kim.Limit != linkwork.DefaultCaseloadLimit || kim.LimitFrom != linkwork.LimitDefault || kim.LastContactOn != "" ||
			!slices.Equal(kim.Flags, []linkwork.WorkloadFlag{linkwork.FlagOverGuide}) || kim.GuideText() != "257 a year: above the guide of 200 to 250" {
			t.Fatalf("Kim's workload %+v", kim)
		}

		// Only the organisations asked about count: Lee's people are the charity's.
		none, err := svc.Workload(t.Context(), linkwork.WorkloadQuery{PlaceID: w.york.ID, OrganisationIDs: []int64{w.housing.ID}, WorkerUserID: w.worker1})
		must(t, err)
		if none.Active+none.Waiting+none.Supported != 0 || none.LastContactOn != "" || len(months(none)) != 0 || none.Limit != 8 ||
			none.LimitFrom != linkwork.LimitOwn {
			t.Fatalf("Lee in the housing trust %+v", none)
		}
		empty, err := svc.Workload(t.Context(), linkwork.WorkloadQuery{PlaceID: w.york.ID, WorkerUserID: w.worker2})
		must(t, err)
		if empty.Supported != 0 || empty.Limit != linkwork.DefaultCaseloadLimit || len(empty.Months) != 12 {
			t.Fatalf("with no organisations %+v", empty)
		}

		_, err = svc.Workload(t.Context(), linkwork.WorkloadQuery{PlaceID: w.york.ID, OrganisationIDs: []int64{w.charity.ID}, WorkerUserID: 999999})
		wantCode(t, err, linkwork.ENOTFOUND, "")
		_, err = svc.Workload(t.Context(), linkwork.WorkloadQuery{PlaceID: 999999, OrganisationIDs: []int64{w.charity.ID}, WorkerUserID: w.worker1})
		wantCode(t, err, linkwork.ENOTFOUND, "")
	})
}

func TestWorkloadOfATeam(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newTeamWorld(t, db)
		svc := db.Services().Workload
		team, err := svc.Team(t.Context(), w.york.ID, w.charity.ID, time.Time{})
		must(t, err)
		if team.OrganisationName != "York Community Connectors" || team.Today != "2030-03-04" || team.Unallocated != 1 {
			t.Fatalf("team %+v", team)
		}
		type row struct {
			name                        string
			active, waiting, limit, pct int
			supported, perYear          int
			followUps, steps, onward    int
			last                        string
			flags                       string
		}
		var got []row
		for _, x := range team.Workers {
			got = append(got, row{x.Name, x.Active, x.Waiting, x.Limit, x.PercentOfLimit, x.Supported, x.PerYear,
				x.FollowUpsOverdue, x.StepsOverdue, x.OnwardAwaiting, x.LastContactOn, fmt.Sprint(x.Flags)})
		}
		// By name; Max is a manager, there because he holds an open case.
		want := []row{
			{"Kim Okafor", 0, 0, 50, 0, 64, 257, 0, 0, 0, "", "[over_guide]"},
			{"Lee Walker", 7, 2, 8, 113, 10, 10, 6, 2, 1, "2030-03-03", "[over_limit follow_ups_overdue]"},
			{"Max Manager", 1, 0, 50, 2, 1, 4, 0, 0, 0, "", "[]"},
		}
		if !slices.Equal(got, want) {
			t.Fatalf("team\n%+v\nwant\n%+v", got, want)
		}
		// The team's Lee is Lee's own workload.
		lee, err := svc.Workload(t.Context(), linkwork.WorkloadQuery{PlaceID: w.york.ID, OrganisationIDs: []int64{w.charity.ID}, WorkerUserID: w.worker1})
		must(t, err)
		if jsonOf(team.Workers[1]) != jsonOf(lee) {
			t.Fatalf("team's Lee\n%s\nLee's own\n%s", jsonOf(team.Workers[1]), jsonOf(lee))
		}
		if team.Total != (linkwork.WorkloadTotals{Active: 8, Waiting: 2, Limit: 108, PercentOfLimit: 9, Supported: 75, FollowUpsOverdue: 6,
			StepsOverdue: 2, OnwardAwaiting: 1, Flagged: 2, WaitingList: 3, LongWaits: 1}) {
			t.Fatalf("totals %+v", team.Total)
		}
		var waits []string
		for _, s := range team.Schemes {
			waits = append(waits, fmt.Sprintf("%s %d %dd/%dd %v", s.SchemeName, s.Waiting, s.LongestWaitDays, s.StatedWaitDays, s.Long))
		}
		if !slices.Equal(waits, []string{"Link Up Selby 1 22d/0d false", "Link Up York 2 31d/21d true"}) {
			t.Fatalf("waiting lists %v", waits)
		}

		// A week later Selby's wait is over 28 days.
		later, err := svc.Team(t.Context(), w.york.ID, w.charity.ID, time.Date(2030, 3, 11, 0, 0, 0, 0, time.UTC))
		must(t, err)
		if !later.Schemes[0].Long || later.Schemes[0].LongestWaitDays != 29 || later.Total.LongWaits != 2 {
			t.Fatalf("on 11 March %+v", later.Schemes[0])
		}

		// The housing trust's team has no link workers, one unallocated person and a scheme
		// with nobody waiting.
		housing, err := svc.Team(t.Context(), w.york.ID, w.housing.ID, time.Time{})
		must(t, err)
		if len(housing.Workers) != 0 || housing.Unallocated != 1 || len(housing.Schemes) != 1 || housing.Schemes[0].Waiting != 0 ||
			housing.Schemes[0].Long || housing.Total != (linkwork.WorkloadTotals{}) {
			t.Fatalf("housing trust %s", jsonOf(housing))
		}

		other := mustPlace(t, db, "Selby District")
		_, err = svc.Team(t.Context(), other.ID, w.charity.ID, time.Time{})
		wantCode(t, err, linkwork.ENOTFOUND, "")
	})
}
