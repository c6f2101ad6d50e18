package api_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"linkwork"
	"linkwork/api"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// The workload world is the casework fixture with two people for Wyn, the health link
// worker: Ann, waiting, and Bob, contacted five days ago with a follow-up yesterday
// (overdue). Health's scheme has a caseload limit of 40.
func newWorkloadFixture(t *testing.T, db *sqldb.DB) *caseFixture {
	t.Helper()
	cf := newCaseFixture(t, db)
	cf.newPerson("Ann", "Early")
	bob := cf.newPerson("Bob", "Brown")
	ctx := linkwork.NewContextWithActor(t.Context(), linkwork.Actor{UserID: cf.worker.ID, Label: "worker@york.example.org", PlaceID: cf.placeA.ID})
	must(t, cf.svc.Cases.AddContact(ctx, &linkwork.CaseContact{PersonID: bob.ID, On: day(-5), Mode: linkwork.ModeFaceToFace, Minutes: 40,
		FollowUpOn: day(-1), WorkerUserID: cf.worker.ID}))
	return cf
}

func TestWorkloadAPI(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		cf := newWorkloadFixture(t, db)

		var wl linkwork.Workload
		cf.as(cf.worker).do("GET", "/api/v1/workload", nil).want(http.StatusOK).decode(&wl)
		if wl.UserID != cf.worker.ID || wl.Name != "Wyn Worker" || wl.Active != 1 || wl.Waiting != 1 || wl.Limit != 40 ||
			wl.LimitFrom != linkwork.LimitScheme || wl.PercentOfLimit != 5 || wl.Supported != 2 || wl.FollowUpsOverdue != 1 ||
			wl.LastContactOn != day(-5) || len(wl.Months) != linkwork.WorkloadMonths || len(wl.Flags) != 0 {
			t.Fatalf("Wyn's workload %+v", wl)
		}
		contacts := 0
		for _, m := range wl.Months {
			contacts += m.Contacts
		}
		if contacts != 1 {
			t.Fatalf("%d contacts in the months, want 1", contacts)
		}
		// The manager's own workload is empty; nobody else has one.
		cf.as(cf.manager).do("GET", "/api/v1/workload", nil).want(http.StatusOK).decode(&wl)
		if wl.Active+wl.Waiting+wl.Supported != 0 {
			t.Fatalf("the manager's own workload %+v", wl)
		}
		for _, u := range []*linkwork.User{cf.admin, cf.commissioner, cf.referrer, cf.community} {
			cf.as(u).do("GET", "/api/v1/workload", nil).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "")
		}
		cf.anon().do("GET", "/api/v1/workload", nil).wantError(http.StatusUnauthorized, linkwork.EUNAUTHORIZED, "")
	})
}

func TestTeamWorkloadAPI(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		cf := newWorkloadFixture(t, db)
		var teams api.TeamWorkloads
		cf.as(cf.manager).do("GET", "/api/v1/workload/team", nil).want(http.StatusOK).decode(&teams)
		if len(teams.Teams) != 1 || teams.Teams[0].OrganisationID != cf.health.ID {
			t.Fatalf("teams %+v", teams)
		}
		team := teams.Teams[0]
		if len(team.Workers) != 1 || team.Workers[0].Name != "Wyn Worker" || team.Workers[0].Active != 1 || team.Total.Limit != 40 ||
			len(team.Schemes) != 1 || team.Schemes[0].SchemeName != "York Health Social Prescribing" || team.Schemes[0].StatedWaitDays != 14 {
			t.Fatalf("health's team %+v", team)
		}
		if !cf.audited(cf.manager, linkwork.AuditWorkloadView, cf.health.ID) {
			t.Error("the team view was not recorded")
		}
		cf.as(cf.manager).do("GET", path("/api/v1/workload/team?organisation_id=%d", cf.health.ID), nil).want(http.StatusOK).decode(&teams)
		if len(teams.Teams) != 1 {
			t.Fatalf("one organisation: %+v", teams)
		}
		cf.as(cf.manager).do("GET", path("/api/v1/workload/team?organisation_id=%d", cf.council.ID), nil).
			wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "")
		cf.as(cf.manager).do("GET", path("/api/v1/workload/team?organisation_id=%d", cf.wakefield.ID), nil).
			wantError(http.StatusNotFound, linkwork.ENOTFOUND, "")
		cf.as(cf.manager).do("GET", "/api/v1/workload/team?organisation_id=999999", nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "")
		cf.as(cf.manager).do("GET", "/api/v1/workload/team?organisation_id=health", nil).
			wantError(http.StatusBadRequest, linkwork.EINVALID, "organisation_id")
		for _, u := range []*linkwork.User{cf.worker, cf.admin, cf.commissioner, cf.referrer} {
			cf.as(u).do("GET", "/api/v1/workload/team", nil).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "")
		}
		cf.anon().do("GET", "/api/v1/workload/team", nil).wantError(http.StatusUnauthorized, linkwork.EUNAUTHORIZED, "")
	})
}

func TestNHSExtractAPI(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		cf := newWorkloadFixture(t, db)
		// This month: two GP referrals to health's scheme, one of them declined.
		var ids []int64
		for _, given := range []string{"Ann", "Cat"} {
			b := cf.body(cf.healthScheme.ID)
			b.Person.GivenName, b.Person.NHSNumber = given, ""
			ids = append(ids, cf.create(cf.referrer, b).ID)
		}
		r := cf.get(cf.manager, ids[1])
		cf.decide(cf.manager, ids[1], linkwork.Transition{Action: linkwork.ActionDecline, Version: r.Version,
			DeclineReason: linkwork.DeclineNotEligible})
		month := time.Now().In(london).Format("2006-01")
		target := "/api/v1/measures/nhs-extract?from=" + month + "&to=" + month

		var ex linkwork.NHSExtractData
		cf.as(cf.commissioner).do("GET", target, nil).want(http.StatusOK).decode(&ex)
		if !ex.PlaceWide || ex.From != month || ex.To != month || ex.Suppression != linkwork.DefaultSuppression || len(ex.Rows) != 2 {
			t.Fatalf("the commissioner's extract %+v", ex)
		}
		var codes []string
		for _, row := range ex.Rows {
			if row.Count != nil || !row.Suppressed || row.Scheme != "York Health Social Prescribing" || row.Organisation != "York Health PCN" ||
				row.ReferralSource != linkwork.ReferrerGP || row.Month != month {
				t.Fatalf("row %+v: want a suppressed count of GP referrals to health's scheme", row)
			}
			codes = append(codes, row.SNOMEDCode)
		}
		if !slices.Equal(codes, []string{linkwork.SNOMEDReferralToSocialPrescribing, linkwork.SNOMEDSocialPrescribingDeclined}) {
			t.Fatalf("codes %v", codes)
		}
		if !cf.audited(cf.commissioner, linkwork.AuditMeasureExport, 0) {
			t.Error("the extract was not recorded")
		}

		// A manager's: their organisation's schemes. The other place's administrator: none.
		cf.as(cf.manager).do("GET", target, nil).want(http.StatusOK).decode(&ex)
		if ex.PlaceWide || !slices.Equal(ex.OrganisationIDs, []int64{cf.health.ID}) || len(ex.Rows) != 2 {
			t.Fatalf("the manager's extract %+v", ex)
		}
		cf.as(cf.adminB).do("GET", target, nil).want(http.StatusOK).decode(&ex)
		if len(ex.Rows) != 0 || !ex.PlaceWide {
			t.Fatalf("Wakefield's extract %+v", ex)
		}
		// The default months are the last twelve whole ones, which this month is not in.
		cf.as(cf.admin).do("GET", "/api/v1/measures/nhs-extract", nil).want(http.StatusOK).decode(&ex)
		if len(ex.Rows) != 0 || ex.To >= month {
			t.Fatalf("the default extract %+v", ex)
		}

		cf.as(cf.admin).do("GET", "/api/v1/measures/nhs-extract?from=April", nil).wantError(http.StatusBadRequest, linkwork.EINVALID, "from")
		cf.as(cf.admin).do("GET", "/api/v1/measures/nhs-extract?from=2030-05&to=2030-04", nil).
			wantError(http.StatusBadRequest, linkwork.EINVALID, "to")
		for _, u := range []*linkwork.User{cf.worker, cf.referrer, cf.community} {
			cf.as(u).do("GET", target, nil).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "")
		}
		cf.anon().do("GET", target, nil).wantError(http.StatusUnauthorized, linkwork.EUNAUTHORIZED, "")
	})
}
