package api_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"linkwork"
	"linkwork/api"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// caseFixture adds to the referrals' fixture what casework needs. In York, besides those:
//
//	choir        York Community Choir, with choirMember (community)
//	cooking      the food bank's cooking club: a community offer to refer people on to
//	choirService the choir's own offer
//
// The link worker (worker) and manager of York Health PCN (health) work on the cases health
// holds; the council's link worker (councilWorker) is of another organisation and sees none
// of them; the food bank's community member (community) answers referrals to the cooking
// club.
type caseFixture struct {
	*refFixture
	choir        *linkwork.Organisation
	choirMember  *linkwork.User
	cooking      *linkwork.Service
	choirService *linkwork.Service
}

func newCaseFixture(t *testing.T, db *sqldb.DB) *caseFixture {
	t.Helper()
	cf := &caseFixture{refFixture: newRefFixture(t, db)}
	ctx := t.Context()
	cf.choir = &linkwork.Organisation{PlaceID: cf.placeA.ID, Name: "York Community Choir", Sector: linkwork.SectorVCSE}
	must(t, cf.svc.Organisations.CreateOrganisation(ctx, cf.choir))
	cf.choirMember = cf.user("choir@york.example.org", "Cho Singer", cf.choir, linkwork.RoleCommunity)
	offer := func(o *linkwork.Organisation, name string) *linkwork.Service {
		s := &linkwork.Service{PlaceID: cf.placeA.ID, OrganisationID: o.ID, Kind: linkwork.KindActivity, Name: name,
			Description: "Come along.", Status: linkwork.StatusActive, Free: true, Email: "hello@example.org"}
		must(t, cf.svc.Directory.CreateService(ctx, s))
		return s
	}
	cf.cooking = offer(cf.foodbank, "Cook and Eat Together")
	cf.choirService = offer(cf.choir, "Monday Singing")
	return cf
}

func (cf *caseFixture) in(t *testing.T) *caseFixture {
	g := *cf
	g.refFixture = cf.refFixture.in(t)
	return &g
}

// london is the time zone the API judges dates in.
var london = func() *time.Location {
	l, err := time.LoadLocation("Europe/London")
	if err != nil {
		return time.UTC
	}
	return l
}()

// day is today in London plus days, as year-month-day.
func day(days int) string { return time.Now().In(london).AddDate(0, 0, days).Format(time.DateOnly) }

// personBody is a valid new person, opened a month ago.
func personBody(given, family string) api.NewPerson {
	return api.NewPerson{OpenedOn: day(-30), PersonDetails: api.PersonDetails{GivenName: given, FamilyName: family,
		DateOfBirth: "1950-05-01", Postcode: "HX1 1AA", Phone: "01422 123456",
		ContactPreferences: []linkwork.ContactMethod{linkwork.ContactPhone}}}
}

// createPerson opens a case as u and returns it.
func (cf *caseFixture) createPerson(u *linkwork.User, body any) linkwork.Person {
	cf.t.Helper()
	var p linkwork.Person
	res := cf.as(u).do("POST", "/api/v1/people", body).want(http.StatusCreated)
	res.decode(&p)
	if want := path("/api/v1/people/%d", p.ID); res.header.Get("Location") != want {
		cf.t.Errorf("Location %q, want %q", res.header.Get("Location"), want)
	}
	return p
}

// newPerson opens a case for the health link worker, with them as the worker.
func (cf *caseFixture) newPerson(given, family string) linkwork.Person {
	cf.t.Helper()
	b := personBody(given, family)
	b.WorkerUserID = cf.worker.ID
	return cf.createPerson(cf.worker, b)
}

func (cf *caseFixture) person(u *linkwork.User, id int64) linkwork.Person {
	cf.t.Helper()
	var p linkwork.Person
	cf.as(u).do("GET", path("/api/v1/people/%d", id), nil).want(http.StatusOK).decode(&p)
	return p
}

// personCount is how many records health holds, erased ones included.
func (cf *caseFixture) personCount() int {
	cf.t.Helper()
	_, total, _, err := cf.svc.Cases.Caseload(cf.t.Context(), linkwork.CaseloadFilter{PlaceID: cf.placeA.ID,
		OrganisationIDs: []int64{cf.health.ID, cf.council.ID}, Statuses: linkwork.PersonStatuses, Page: linkwork.Page{Number: 1, Size: 1}})
	must(cf.t, err)
	return total
}

// wantFields fails unless the error answer names each field, as its error or among its
// problems.
func wantFields(t *testing.T, res *result, fields ...string) {
	t.Helper()
	e, got := problemFields(res)
	got = append(got, e.Error.Field)
	for _, f := range fields {
		if !slices.Contains(got, f) {
			t.Errorf("%s: problems on %v, want one on %s: %s", res.req, got, f, res.body)
		}
	}
}

// TestCasework runs the casework API's tests one after another on one fixture per
// database, as each fixture's users cost argon2 hashes.
func TestCasework(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		cf := newCaseFixture(t, db)
		for _, c := range []struct {
			name string
			fn   func(*testing.T, *caseFixture)
		}{
			{"Anonymous", testCaseworkAnonymous},
			{"ByRole", testCaseworkByRole},
			{"RoundTrip", testCaseworkRoundTrip},
			{"PersonBadInput", testPersonBadInput},
			{"UpdatePerson", testUpdatePerson},
			{"FromReferral", testCaseFromReferral},
			{"PlanBadInput", testPlanBadInput},
			{"ContactsBadInput", testContactsBadInput},
			{"CaseloadAndWeek", testCaseloadAndWeek},
			{"CloseAndErase", testCloseAndErase},
			{"Onward", testOnward},
			{"QuestionnaireSettings", testQuestionnaireSettings},
			{"Responses", testResponses},
			{"ResponseBadInput", testResponseBadInput},
		} {
			t.Run(c.name, func(t *testing.T) { c.fn(t, cf.in(t)) })
		}
	})
}

// caseworkRoutes are the casework API's routes with a path for each, for a person, goal,
// step, response, onward referral and questionnaire that may or may not exist.
func caseworkRoutes(person, goal, step, response, onward, questionnaire, referral int64) [][2]string {
	p := path("/api/v1/people/%d", person)
	return [][2]string{
		{"GET", "/api/v1/people"}, {"POST", "/api/v1/people"}, {"POST", path("/api/v1/referrals/%d/person", referral)},
		{"GET", p}, {"PUT", p}, {"PATCH", p}, {"GET", p + "/record"}, {"POST", p + "/erase"}, {"POST", p + "/close"},
		{"GET", "/api/v1/caseload/week"}, {"PUT", p + "/what-matters"}, {"GET", p + "/plan"}, {"POST", p + "/goals"},
		{"PUT", path("%s/goals/%d", p, goal)}, {"POST", path("%s/goals/%d/steps", p, goal)}, {"PUT", path("%s/steps/%d", p, step)},
		{"POST", p + "/notes"}, {"GET", p + "/contacts"}, {"POST", p + "/contacts"}, {"POST", p + "/onward"},
		{"GET", "/api/v1/onward"}, {"GET", path("/api/v1/onward/%d", onward)}, {"POST", path("/api/v1/onward/%d/answer", onward)},
		{"GET", "/api/v1/questionnaires"}, {"POST", "/api/v1/questionnaires"}, {"POST", path("/api/v1/questionnaires/%d/retire", questionnaire)},
		{"PUT", "/api/v1/settings/swemwbs-wording"}, {"GET", "/api/v1/settings/retention"}, {"PUT", "/api/v1/settings/retention"},
		{"GET", p + "/questionnaires"}, {"POST", p + "/questionnaires"}, {"PUT", path("%s/questionnaires/%d", p, response)},
		{"DELETE", path("%s/questionnaires/%d", p, response)},
	}
}

// testCaseworkAnonymous checks that every casework route refuses a request with no
// principal, before reading its body.
func testCaseworkAnonymous(t *testing.T, cf *caseFixture) {
	for _, r := range caseworkRoutes(1, 1, 1, 1, 1, 1, 1) {
		var body any
		if r[0] != "GET" && r[0] != "DELETE" {
			body = `{}`
		}
		cf.anon().do(r[0], r[1], body).wantError(http.StatusUnauthorized, linkwork.EUNAUTHORIZED, "-")
	}
}

// testCaseworkByRole checks who reaches what: the roles a route is not for get 403, and
// within the roles it is for, a record of another organisation is 404.
func testCaseworkByRole(t *testing.T, cf *caseFixture) {
	p := cf.newPerson("Bea", "Byrole")
	base := path("/api/v1/people/%d", p.ID)

	// The link worker and manager of the holding organisation see the person.
	for _, u := range []*linkwork.User{cf.worker, cf.manager} {
		if got := cf.person(u, p.ID); got.ID != p.ID || got.GivenName != "Bea" || got.OrganisationID != cf.health.ID {
			t.Errorf("%s reads %+v", u.Name, got)
		}
	}
	// A link worker of another organisation does not learn that the person exists.
	for _, target := range []string{base, base + "/record", base + "/plan", base + "/contacts", base + "/questionnaires"} {
		cf.as(cf.councilWorker).do("GET", target, nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	}
	cf.as(cf.councilWorker).do("PATCH", base, map[string]any{"version": p.Version, "given_name": "X"}).
		wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	cf.as(cf.councilWorker).do("POST", base+"/contacts", api.ContactBody{On: day(0), Mode: linkwork.ModePhone, Minutes: 5}).
		wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	cf.as(cf.councilWorker).do("POST", base+"/close", api.CloseBody{Version: &p.Version, Outcome: linkwork.CaseMoved}).
		wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	// ... and the caseload of the council's link worker is without them.
	cl := cf.caseload(cf.councilWorker, "")
	if cl.Total != 0 || len(cl.Items) != 0 {
		t.Errorf("the council's link worker's caseload: %+v", cl)
	}

	// Referrers, commissioners, community organisations and administrators have no case
	// records at all: 403 on people, whatever the organisation.
	for _, u := range []*linkwork.User{cf.referrer, cf.commissioner, cf.community, cf.admin} {
		cf.as(u).do("GET", "/api/v1/people", nil).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
		cf.as(u).do("GET", base, nil).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
		cf.as(u).do("POST", "/api/v1/people", personBody("Ann", "Other")).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	}
	// The administrator keeps the settings instead, which no one else may.
	cf.as(cf.admin).do("GET", "/api/v1/settings/retention", nil).want(http.StatusOK)
	for _, u := range []*linkwork.User{cf.worker, cf.manager, cf.community, cf.referrer, cf.commissioner} {
		cf.as(u).do("GET", "/api/v1/settings/retention", nil).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	}

	// Every route refuses the roles it is not for, before looking at the record or body.
	ref := cf.create(cf.referrer, cf.body(cf.healthScheme.ID))
	for _, r := range caseworkRoutes(p.ID, 1, 1, 1, 1, 1, ref.ID) {
		method, target := r[0], r[1]
		var body any
		if method != "GET" && method != "DELETE" {
			body = `{}`
		}
		var refused []*linkwork.User
		switch {
		case strings.HasPrefix(target, "/api/v1/questionnaires") && method == "GET":
			refused = []*linkwork.User{cf.referrer, cf.commissioner, cf.community}
		case strings.HasPrefix(target, "/api/v1/questionnaires"), strings.HasPrefix(target, "/api/v1/settings"):
			refused = []*linkwork.User{cf.worker, cf.manager, cf.referrer, cf.community}
		case target == "/api/v1/onward":
			refused = []*linkwork.User{cf.worker, cf.admin, cf.referrer}
		case strings.HasPrefix(target, "/api/v1/onward/"):
			refused = []*linkwork.User{cf.admin, cf.commissioner, cf.referrer}
		case strings.HasSuffix(target, "/erase"):
			refused = []*linkwork.User{cf.worker, cf.admin, cf.community}
		default:
			refused = []*linkwork.User{cf.admin, cf.commissioner, cf.referrer, cf.community}
		}
		for _, u := range refused {
			cf.as(u).do(method, target, body).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
		}
	}

	// Records that do not exist are 404 to those who may use the route, as are malformed
	// IDs.
	missing := caseworkRoutes(999999, 999999, 999999, 999999, 999999, 999999, 999999)
	for _, r := range missing {
		method, target := r[0], r[1]
		if !strings.Contains(target, "999999") {
			continue
		}
		u := cf.manager
		if strings.HasPrefix(target, "/api/v1/questionnaires") {
			u = cf.admin
		}
		var body any
		if method != "GET" && method != "DELETE" {
			body = `{}`
		}
		cf.as(u).do(method, target, body).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	}
	cf.as(cf.worker).do("GET", "/api/v1/people/abc", nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	// A person of the worker's own, but a goal, step or response that is not theirs.
	cf.as(cf.worker).do("PUT", path("%s/goals/999999", base), api.GoalBody{Text: "x"}).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	cf.as(cf.worker).do("PUT", path("%s/steps/999999", base), api.StepUpdate{Text: "x", DueOn: day(1)}).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	cf.as(cf.worker).do("DELETE", path("%s/questionnaires/999999", base), nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")

	// Reads of people are in the audit trail; refused ones are not.
	if !cf.audited(cf.worker, linkwork.AuditPersonView, p.ID) || !cf.audited(cf.manager, linkwork.AuditPersonView, p.ID) {
		t.Error("reading a person is not audited")
	}
	if cf.audited(cf.councilWorker, linkwork.AuditPersonView, p.ID) {
		t.Error("a refused read was audited as a view")
	}
	if !cf.audited(cf.councilWorker, linkwork.AuditPersonList, 0) {
		t.Error("listing the caseload is not audited")
	}
}

// caseload reads a caseload as u with a query.
func (cf *caseFixture) caseload(u *linkwork.User, query string) api.Caseload {
	cf.t.Helper()
	var cl api.Caseload
	target := "/api/v1/people"
	if query != "" {
		target += "?" + query
	}
	cf.as(u).do("GET", target, nil).want(http.StatusOK).decode(&cl)
	return cl
}

// testCaseworkRoundTrip follows a case from opening to erasure: what matters, a goal with
// steps, a note, a contact, questionnaires with exact scores, closing, the subject access
// export, and erasure.
func testCaseworkRoundTrip(t *testing.T, cf *caseFixture) {
	worker := cf.as(cf.worker)
	b := personBody(" Rita ", "Roundtrip")
	b.NHSNumber, b.PreferredName, b.WorkerUserID = "987 654 3210", "Reet", cf.worker.ID
	b.Demographics = linkwork.Demographics{Sex: linkwork.SexFemale, Ethnicity: "C", Carer: linkwork.AnswerNo}
	p := cf.createPerson(cf.worker, b)
	if p.GivenName != "Rita" || p.NHSNumber != "9876543210" || p.Status != linkwork.PersonWaiting || p.OrganisationID != cf.health.ID ||
		p.WorkerUserID != cf.worker.ID || p.WorkerName != cf.worker.Name || p.OpenedOn != day(-30) || p.Demographics.Ethnicity != "C" {
		t.Fatalf("created %+v", p)
	}
	base := path("/api/v1/people/%d", p.ID)

	// What matters to me: the first save is at version 0.
	var conv linkwork.Conversation
	worker.do("PUT", base+"/what-matters", api.ConversationBody{Version: intp(0), HeldOn: day(-29),
		WhatMatters: "Getting back to singing", Strengths: "Warm, funny", Connect: "Her old choir"}).want(http.StatusOK).decode(&conv)
	if conv.Version != 1 || conv.UpdatedBy != cf.worker.Name || conv.WhatMatters != "Getting back to singing" {
		t.Errorf("conversation %+v", conv)
	}
	// Saving over what someone else saved since is refused.
	worker.do("PUT", base+"/what-matters", api.ConversationBody{Version: intp(0), HeldOn: day(-29), WhatMatters: "x"}).
		wantError(http.StatusConflict, linkwork.ECONFLICT, "-")
	worker.do("PUT", base+"/what-matters", api.ConversationBody{Version: intp(1), HeldOn: day(-29),
		WhatMatters: "Getting back to singing, and seeing her grandchildren"}).want(http.StatusOK).decode(&conv)
	if conv.Version != 2 {
		t.Errorf("conversation saved again at version %d, want 2", conv.Version)
	}

	// A goal, two steps and a note.
	var goal linkwork.Goal
	worker.do("POST", base+"/goals", api.GoalBody{Text: "Sing with other people again"}).want(http.StatusCreated).decode(&goal)
	if goal.ID == 0 || goal.Status != linkwork.GoalActive || goal.PersonID != p.ID || goal.Steps == nil {
		t.Fatalf("goal %+v", goal)
	}
	var step1, step2 linkwork.Step
	worker.do("POST", path("%s/goals/%d/steps", base, goal.ID), api.StepBody{Text: "Phone the choir", DueOn: day(7)}).
		want(http.StatusCreated).decode(&step1)
	worker.do("POST", path("%s/goals/%d/steps", base, goal.ID), api.StepBody{Text: "Go to a Monday session", DueOn: day(14),
		ServiceID: cf.choirService.ID}).want(http.StatusCreated).decode(&step2)
	if step1.GoalID != goal.ID || step1.Status != linkwork.StepToDo || step2.ServiceName != "Monday Singing" {
		t.Errorf("steps %+v, %+v", step1, step2)
	}
	worker.do("PUT", path("%s/steps/%d", base, step1.ID), api.StepUpdate{Text: "Phone the choir", DueOn: day(7),
		Status: linkwork.StepDone}).want(http.StatusOK).decode(&step1)
	if step1.Status != linkwork.StepDone || step1.DoneOn != day(0) || step1.GoalID != goal.ID {
		t.Errorf("step done: %+v", step1)
	}
	worker.do("PUT", path("%s/goals/%d", base, goal.ID), api.GoalBody{Text: "Sing in a choir again", Status: linkwork.GoalActive}).
		want(http.StatusOK).decode(&goal)
	if goal.Text != "Sing in a choir again" || len(goal.Steps) != 2 {
		t.Errorf("goal changed: %+v", goal)
	}
	var note linkwork.ProgressNote
	worker.do("POST", base+"/notes", api.NoteBody{Text: "Nervous but keen.", GoalID: goal.ID}).want(http.StatusCreated).decode(&note)
	if note.AuthorName != cf.worker.Name || note.GoalID != goal.ID {
		t.Errorf("note %+v", note)
	}
	var plan linkwork.SupportPlan
	worker.do("GET", base+"/plan", nil).want(http.StatusOK).decode(&plan)
	if len(plan.Goals) != 1 || len(plan.Goals[0].Steps) != 2 || len(plan.Notes) != 1 {
		t.Errorf("plan %+v", plan)
	}

	// A contact makes the case active.
	var contact linkwork.CaseContact
	worker.do("POST", base+"/contacts", api.ContactBody{On: day(-1), Mode: linkwork.ModeFaceToFace, Minutes: 45,
		With: "Her daughter", Note: "First conversation", FollowUpOn: day(6)}).want(http.StatusCreated).decode(&contact)
	if contact.ID == 0 || contact.WorkerUserID != cf.worker.ID || contact.Minutes != 45 {
		t.Errorf("contact %+v", contact)
	}
	got := cf.person(cf.worker, p.ID)
	if got.Status != linkwork.PersonActive || got.LastContactOn != day(-1) || got.FollowUpOn != day(6) || got.NextStepDue != day(14) {
		t.Errorf("after a contact: status %s, last contact %q, follow-up %q, next step due %q", got.Status, got.LastContactOn,
			got.FollowUpOn, got.NextStepDue)
	}
	contacts := decodeList[linkwork.CaseContact](worker.do("GET", base+"/contacts", nil).want(http.StatusOK))
	if contacts.Total != 1 || contacts.Items[0].ID != contact.ID {
		t.Errorf("contacts %+v", contacts)
	}

	// Questionnaires, scored exactly: SWEMWBS raw 21 is metric 19.25; UCLA3 9 then 4.
	swemwbs := cf.respond(cf.worker, p.ID, api.ResponseBody{QuestionnaireCode: "swemwbs", Timepoint: linkwork.TimepointBaseline,
		Answers: ints(3, 3, 3, 3, 3, 3, 3), Status: linkwork.ResponseComplete, CompletedOn: day(-1)})
	if s := swemwbs.Score; s == nil || s.Raw != 21 || s.Total != 19.25 {
		t.Errorf("SWEMWBS score %+v, want raw 21 and metric 19.25", s)
	}
	cf.respond(cf.worker, p.ID, api.ResponseBody{QuestionnaireCode: "ucla3", Timepoint: linkwork.TimepointBaseline,
		Answers: ints(3, 3, 3), Status: linkwork.ResponseComplete, CompletedOn: day(-1)})

	// Closing: a stale version is refused, then the case closes.
	worker.do("POST", base+"/close", api.CloseBody{Version: intp(got.Version - 1), Outcome: linkwork.CaseGoalsMet}).
		wantError(http.StatusConflict, linkwork.ECONFLICT, "-")
	var closed linkwork.Person
	worker.do("POST", base+"/close", api.CloseBody{Version: &got.Version, Outcome: linkwork.CaseGoalsMet, Note: "Singing weekly."}).
		want(http.StatusOK).decode(&closed)
	if closed.Status != linkwork.PersonClosed || closed.Outcome != linkwork.CaseGoalsMet || closed.ClosedAt == nil {
		t.Errorf("closed %+v", closed)
	}
	// A final questionnaire may still be recorded just after closing; nothing else.
	cf.respond(cf.worker, p.ID, api.ResponseBody{QuestionnaireCode: "ucla3", Timepoint: linkwork.TimepointFinal,
		Answers: ints(1, 2, 1), Status: linkwork.ResponseComplete, CompletedOn: day(0)})
	worker.do("POST", base+"/contacts", api.ContactBody{On: day(0), Mode: linkwork.ModePhone, Minutes: 5}).
		wantError(http.StatusBadRequest, linkwork.EINVALID, "-")
	var qs api.PersonQuestionnaires
	worker.do("GET", base+"/questionnaires", nil).want(http.StatusOK).decode(&qs)
	if len(qs.Responses) != 3 || len(qs.Changes) != 1 {
		t.Fatalf("questionnaires: %d responses, changes %+v", len(qs.Responses), qs.Changes)
	}
	if c := qs.Changes[0]; c.QuestionnaireCode != "ucla3" || c.Change != -5 || c.Direction != "better" || c.Baseline.Score.Raw != 9 ||
		c.Latest.Score.Raw != 4 {
		t.Errorf("UCLA3 change %+v, want 9 to 4: -5, better", c)
	}

	// The subject access export holds everything, and is audited as an export.
	var rec linkwork.PersonRecord
	worker.do("GET", base+"/record", nil).want(http.StatusOK).decode(&rec)
	if rec.Person.ID != p.ID || rec.Conversation == nil || rec.Conversation.Version != 2 || len(rec.Plan.Goals) != 1 ||
		len(rec.Contacts) != 1 || rec.ContactMinutes != 45 || len(rec.Questionnaires) != 3 {
		t.Errorf("record: %+v", rec)
	}
	if !cf.audited(cf.worker, linkwork.AuditPersonExport, p.ID) {
		t.Error("the export is not audited")
	}

	// Erasure: only a manager, with a reason; personal data goes, anonymous facts stay.
	worker.do("POST", base+"/erase", api.EraseBody{Reason: "Asked"}).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	cf.as(cf.manager).do("POST", base+"/erase", api.EraseBody{Reason: "  "}).wantError(http.StatusBadRequest, linkwork.EINVALID, "reason")
	cf.as(cf.manager).do("POST", base+"/erase", `{}`).wantError(http.StatusBadRequest, linkwork.EINVALID, "reason")
	cf.as(cf.manager).do("POST", base+"/erase", api.EraseBody{Reason: strings.Repeat("x", linkwork.MaxShortTextLength+1)}).
		wantError(http.StatusBadRequest, linkwork.EINVALID, "reason")
	var erased linkwork.Person
	cf.as(cf.manager).do("POST", base+"/erase", api.EraseBody{Reason: "The person asked us to."}).want(http.StatusOK).decode(&erased)
	if erased.Status != linkwork.PersonErased || erased.GivenName != "" || erased.NHSNumber != "" || erased.DateOfBirth != "" ||
		erased.ErasedAt == nil || erased.Outcome != linkwork.CaseGoalsMet {
		t.Errorf("erased %+v", erased)
	}
	cf.as(cf.manager).do("POST", base+"/erase", api.EraseBody{Reason: "Again"}).wantError(http.StatusBadRequest, linkwork.EINVALID, "-")
	rec = linkwork.PersonRecord{}
	worker.do("GET", base+"/record", nil).want(http.StatusOK).decode(&rec)
	if rec.Conversation != nil || rec.Plan.Goals[0].Text != "" || rec.Contacts[0].Note != "" || rec.Contacts[0].Minutes != 45 ||
		len(rec.Questionnaires) != 3 {
		t.Errorf("erased record still holds personal data, or lost its facts: %+v", rec)
	}
	// Nothing more can be done to an erased record.
	worker.do("PATCH", base, map[string]any{"version": erased.Version, "given_name": "Rita"}).wantError(http.StatusBadRequest, linkwork.EINVALID, "-")
	worker.do("POST", base+"/goals", api.GoalBody{Text: "x"}).wantError(http.StatusBadRequest, linkwork.EINVALID, "-")
}

// testPersonBadInput sends bad new people: each is 400 naming the field, nothing saved.
func testPersonBadInput(t *testing.T, cf *caseFixture) {
	before := cf.personCount()
	edit := func(fn func(b *api.NewPerson)) api.NewPerson {
		b := personBody("Bad", "Input")
		fn(&b)
		return b
	}
	for _, c := range []struct {
		name, field string
		body        any
	}{
		{"no given name", "given_name", edit(func(b *api.NewPerson) { b.GivenName = " " })},
		{"invalid NHS number", "nhs_number", edit(func(b *api.NewPerson) { b.NHSNumber = "943 476 5918" })},
		{"future date of birth", "date_of_birth", edit(func(b *api.NewPerson) { b.DateOfBirth = day(2) })},
		{"date of birth not a date", "date_of_birth", edit(func(b *api.NewPerson) { b.DateOfBirth = "1/5/1950" })},
		{"opened in the future", "opened_on", edit(func(b *api.NewPerson) { b.OpenedOn = day(1) })},
		{"opened before birth", "opened_on", edit(func(b *api.NewPerson) { b.OpenedOn = "1949-01-01" })},
		{"not a postcode", "postcode", edit(func(b *api.NewPerson) { b.Postcode = "NOWHERE" })},
		{"unknown sex", "demographics.sex", edit(func(b *api.NewPerson) { b.Demographics.Sex = "f" })},
		{"unknown ethnicity", "demographics.ethnicity", edit(func(b *api.NewPerson) { b.Demographics.Ethnicity = "I" })},
		{"bad carer answer", "demographics.carer", edit(func(b *api.NewPerson) { b.Demographics.Carer = "maybe" })},
		{"another organisation", "organisation_id", edit(func(b *api.NewPerson) { b.OrganisationID = cf.council.ID })},
		{"negative worker", "worker_user_id", edit(func(b *api.NewPerson) { b.WorkerUserID = -1 })},
		{"no way to reach them", "phone", edit(func(b *api.NewPerson) { b.Phone, b.ContactPreferences = "", nil })},
		{"date of birth as a number", "date_of_birth", `{"given_name":"A","family_name":"B","date_of_birth":19500501}`},
		{"sex as a number", "demographics.sex", `{"demographics":{"sex":1}}`},
		{"unknown field", "status", `{"given_name":"A","status":"active"}`},
		{"unknown demographic", "religion", `{"demographics":{"religion":"none"}}`},
	} {
		res := cf.as(cf.worker).do("POST", "/api/v1/people", c.body)
		res.wantError(http.StatusBadRequest, linkwork.EINVALID, "")
		wantFields(t, res, c.field)
		if !strings.Contains(string(res.body), "message") {
			t.Errorf("%s: no message", c.name)
		}
	}
	// Decoding errors say which type is wanted.
	e := cf.as(cf.worker).do("POST", "/api/v1/people", `{"interpreter":"yes"}`).wantError(http.StatusBadRequest, linkwork.EINVALID, "interpreter")
	if !strings.Contains(e.Message, "true or false") {
		t.Errorf("wrong type: %q", e.Message)
	}
	// Every problem at once.
	res := cf.as(cf.worker).do("POST", "/api/v1/people", edit(func(b *api.NewPerson) {
		b.DateOfBirth, b.OpenedOn, b.Demographics.Sex = day(3), day(3), "x"
	}))
	res.wantError(http.StatusBadRequest, linkwork.EINVALID, "")
	wantFields(t, res, "date_of_birth", "opened_on", "demographics.sex")
	if after := cf.personCount(); after != before {
		t.Errorf("bad people were saved: %d before, %d after", before, after)
	}

	// The same person twice in one organisation is a conflict naming the first record.
	first := cf.createPerson(cf.worker, edit(func(b *api.NewPerson) { b.NHSNumber = "401 023 2137"; b.GivenName = "Dee" }))
	e = cf.as(cf.manager).do("POST", "/api/v1/people", edit(func(b *api.NewPerson) { b.NHSNumber = "4010232137" })).
		wantError(http.StatusConflict, linkwork.ECONFLICT, "-")
	if !strings.Contains(e.Message, idString(first.ID)) {
		t.Errorf("duplicate: %q does not name record %d", e.Message, first.ID)
	}
}

// testUpdatePerson changes a person with PUT and PATCH, checking versions.
func testUpdatePerson(t *testing.T, cf *caseFixture) {
	p := cf.newPerson("Uma", "Update")
	base := path("/api/v1/people/%d", p.ID)
	worker := cf.as(cf.worker)

	// Each answer is read into a new value: decoding over an old one would keep the fields
	// the new one leaves out.
	send := func(method string, body any) linkwork.Person {
		t.Helper()
		var got linkwork.Person
		worker.do(method, base, body).want(http.StatusOK).decode(&got)
		return got
	}

	// PATCH changes only what it sends.
	got := send("PATCH", map[string]any{"version": p.Version, "preferred_name": "Umi", "demographics": map[string]any{"carer": "yes"}})
	if got.PreferredName != "Umi" || got.Demographics.Carer != linkwork.AnswerYes || got.Phone != p.Phone || got.FamilyName != "Update" ||
		got.WorkerUserID != cf.worker.ID || got.Version <= p.Version {
		t.Errorf("patched %+v", got)
	}
	got = send("PATCH", map[string]any{"version": got.Version, "demographics": map[string]any{"sex": "female"}})
	if got.Demographics.Carer != linkwork.AnswerYes || got.Demographics.Sex != linkwork.SexFemale {
		t.Errorf("a second patch lost the first's demographics: %+v", got.Demographics)
	}
	// A stale version, or none, changes nothing.
	worker.do("PATCH", base, map[string]any{"version": p.Version, "preferred_name": "Old"}).wantError(http.StatusConflict, linkwork.ECONFLICT, "-")
	worker.do("PATCH", base, map[string]any{"preferred_name": "Old"}).wantError(http.StatusBadRequest, linkwork.EINVALID, "version")
	worker.do("PATCH", base, map[string]any{"version": got.Version, "date_of_birth": day(1)}).
		wantError(http.StatusBadRequest, linkwork.EINVALID, "date_of_birth")
	worker.do("PATCH", base, map[string]any{"version": got.Version, "organisation_id": cf.council.ID}).
		wantError(http.StatusBadRequest, linkwork.EINVALID, "organisation_id")
	worker.do("PATCH", base, `{"version": 1, "interpreter": "yes"}`).wantError(http.StatusBadRequest, linkwork.EINVALID, "interpreter")

	// PUT replaces everything: what is left out is emptied.
	version := got.Version
	put := api.PersonUpdate{Version: intp(version), PersonDetails: api.PersonDetails{GivenName: "Uma", FamilyName: "Update",
		DateOfBirth: "1950-05-01", Postcode: "HX1 1AA", Email: "uma@example.org"}}
	got = send("PUT", put)
	if got.Phone != "" || got.Email != "uma@example.org" || got.PreferredName != "" || got.Demographics.Carer != "" || got.WorkerUserID != 0 {
		t.Errorf("replaced %+v", got)
	}
	worker.do("PUT", base, put).wantError(http.StatusConflict, linkwork.ECONFLICT, "-")
	put.Version = intp(got.Version)
	put.Email = ""
	res := worker.do("PUT", base, put)
	res.wantError(http.StatusBadRequest, linkwork.EINVALID, "")
	wantFields(t, res, "phone")
	// Giving the person to a link worker of another organisation is refused by the store.
	put.Email, put.WorkerUserID = "uma@example.org", cf.councilWorker.ID
	worker.do("PUT", base, put).wantError(http.StatusBadRequest, linkwork.EINVALID, "worker_user_id")
	if now := cf.person(cf.worker, p.ID); now.Version != got.Version || now.WorkerUserID != 0 {
		t.Errorf("refused changes were saved: %+v", now)
	}
}

// testCaseFromReferral opens a case from an accepted referral.
func testCaseFromReferral(t *testing.T, cf *caseFixture) {
	ref := cf.create(cf.referrer, cf.body(cf.healthScheme.ID))
	target := path("/api/v1/referrals/%d/person", ref.ID)
	// Not before the scheme has accepted it.
	cf.as(cf.worker).do("POST", target, nil).wantError(http.StatusBadRequest, linkwork.EINVALID, "")
	got := cf.decide(cf.worker, ref.ID, linkwork.Transition{Action: linkwork.ActionAccept, Version: ref.Version})

	// Only the scheme's organisation opens cases from it; others who may see it are refused.
	cf.as(cf.referrer).do("POST", target, nil).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	cf.as(cf.councilWorker).do("POST", target, nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	cf.as(cf.worker).do("POST", target, `{"worker_user_id": -3}`).wantError(http.StatusBadRequest, linkwork.EINVALID, "worker_user_id")
	cf.as(cf.worker).do("POST", target, `{"worker": 3}`).wantError(http.StatusBadRequest, linkwork.EINVALID, "worker")

	var p linkwork.Person
	res := cf.as(cf.worker).do("POST", target, api.OpenCaseBody{WorkerUserID: cf.worker.ID}).want(http.StatusCreated)
	res.decode(&p)
	if p.ReferralID != ref.ID || p.ReferralReference != ref.Reference || p.GivenName != "Ann" || p.OrganisationID != cf.health.ID ||
		p.WorkerUserID != cf.worker.ID || res.header.Get("Location") != path("/api/v1/people/%d", p.ID) {
		t.Errorf("case from referral %+v", p)
	}
	_ = got
	cf.as(cf.manager).do("POST", target, nil).wantError(http.StatusConflict, linkwork.ECONFLICT, "-")
}

// testPlanBadInput sends bad goals, steps and notes: each is 400 naming the field, and
// nothing is saved.
func testPlanBadInput(t *testing.T, cf *caseFixture) {
	p := cf.newPerson("Pat", "Plan")
	other := cf.newPerson("Olly", "Other")
	base := path("/api/v1/people/%d", p.ID)
	worker := cf.as(cf.worker)
	var goal, otherGoal linkwork.Goal
	worker.do("POST", base+"/goals", api.GoalBody{Text: "Get out more"}).want(http.StatusCreated).decode(&goal)
	cf.as(cf.worker).do("POST", path("/api/v1/people/%d/goals", other.ID), api.GoalBody{Text: "Theirs"}).want(http.StatusCreated).decode(&otherGoal)

	worker.do("POST", base+"/goals", api.GoalBody{Text: " "}).wantError(http.StatusBadRequest, linkwork.EINVALID, "text")
	worker.do("POST", base+"/goals", api.GoalBody{Text: "x", Status: "done"}).wantError(http.StatusBadRequest, linkwork.EINVALID, "status")
	worker.do("POST", base+"/goals", api.GoalBody{Text: strings.Repeat("x", 501)}).wantError(http.StatusBadRequest, linkwork.EINVALID, "text")
	worker.do("PUT", path("%s/goals/%d", base, goal.ID), api.GoalBody{Text: ""}).wantError(http.StatusBadRequest, linkwork.EINVALID, "text")
	// Another person's goal is not this person's.
	worker.do("PUT", path("%s/goals/%d", base, otherGoal.ID), api.GoalBody{Text: "Mine now"}).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")

	steps := path("%s/goals/%d/steps", base, goal.ID)
	for _, c := range []struct {
		name, target, field string
		body                any
	}{
		{"no goal", path("%s/goals/999999/steps", base), "goal_id", api.StepBody{Text: "Walk", DueOn: day(3)}},
		{"another person's goal", path("%s/goals/%d/steps", base, otherGoal.ID), "goal_id", api.StepBody{Text: "Walk", DueOn: day(3)}},
		{"goal zero", path("%s/goals/0/steps", base), "goal_id", api.StepBody{Text: "Walk", DueOn: day(3)}},
		{"no text", steps, "text", api.StepBody{DueOn: day(3)}},
		{"no due date", steps, "due_on", api.StepBody{Text: "Walk"}},
		{"due before the case opened", steps, "due_on", api.StepBody{Text: "Walk", DueOn: day(-60)}},
		{"due in three years", steps, "due_on", api.StepBody{Text: "Walk", DueOn: day(3 * 366)}},
		{"not a date", steps, "due_on", api.StepBody{Text: "Walk", DueOn: "next Tuesday"}},
		{"done in the future", steps, "done_on", api.StepBody{Text: "Walk", DueOn: day(3), Status: linkwork.StepDone, DoneOn: day(2)}},
		{"unknown status", steps, "status", api.StepBody{Text: "Walk", DueOn: day(3), Status: "doing"}},
		{"unknown service", steps, "service_id", api.StepBody{Text: "Walk", DueOn: day(3), ServiceID: 999999}},
		{"due as a number", steps, "due_on", `{"text":"Walk","due_on":20300101}`},
		{"goal in the body", steps, "goal_id", `{"text":"Walk","due_on":"` + day(3) + `","goal_id":1}`},
	} {
		res := worker.do("POST", c.target, c.body)
		res.wantError(http.StatusBadRequest, linkwork.EINVALID, "")
		wantFields(t, res, c.field)
	}
	var step linkwork.Step
	worker.do("POST", steps, api.StepBody{Text: "Walk", DueOn: day(3)}).want(http.StatusCreated).decode(&step)
	worker.do("PUT", path("%s/steps/%d", base, step.ID), api.StepUpdate{Text: "Walk", DueOn: day(-90)}).
		wantError(http.StatusBadRequest, linkwork.EINVALID, "due_on")
	worker.do("PUT", path("%s/steps/%d", base, step.ID), api.StepUpdate{Text: "Walk", DueOn: day(3), Status: linkwork.StepDone, DoneOn: day(1)}).
		wantError(http.StatusBadRequest, linkwork.EINVALID, "done_on")

	worker.do("POST", base+"/notes", api.NoteBody{Text: ""}).wantError(http.StatusBadRequest, linkwork.EINVALID, "text")
	worker.do("POST", base+"/notes", api.NoteBody{Text: "Fine", GoalID: otherGoal.ID}).wantError(http.StatusBadRequest, linkwork.EINVALID, "goal_id")

	worker.do("PUT", base+"/what-matters", api.ConversationBody{Version: intp(0), HeldOn: day(1), WhatMatters: "x"}).
		wantError(http.StatusBadRequest, linkwork.EINVALID, "held_on")
	worker.do("PUT", base+"/what-matters", api.ConversationBody{Version: intp(0), HeldOn: "1940-01-01", WhatMatters: "x"}).
		wantError(http.StatusBadRequest, linkwork.EINVALID, "held_on")
	worker.do("PUT", base+"/what-matters", api.ConversationBody{Version: intp(0), HeldOn: day(0)}).
		wantError(http.StatusBadRequest, linkwork.EINVALID, "what_matters")
	worker.do("PUT", base+"/what-matters", api.ConversationBody{HeldOn: day(0), WhatMatters: "x"}).
		wantError(http.StatusBadRequest, linkwork.EINVALID, "version")

	var plan linkwork.SupportPlan
	worker.do("GET", base+"/plan", nil).want(http.StatusOK).decode(&plan)
	if len(plan.Goals) != 1 || plan.Goals[0].Text != "Get out more" || len(plan.Goals[0].Steps) != 1 || len(plan.Notes) != 0 {
		t.Errorf("bad input changed the plan: %+v", plan)
	}
}

// testContactsBadInput sends bad contacts.
func testContactsBadInput(t *testing.T, cf *caseFixture) {
	p := cf.newPerson("Cora", "Contact")
	target := path("/api/v1/people/%d/contacts", p.ID)
	worker := cf.as(cf.worker)
	for _, c := range []struct {
		name, field string
		body        any
	}{
		{"in the future", "on", api.ContactBody{On: day(1), Mode: linkwork.ModePhone, Minutes: 10}},
		{"before birth", "on", api.ContactBody{On: "1949-12-31", Mode: linkwork.ModePhone, Minutes: 10}},
		{"no date", "on", api.ContactBody{Mode: linkwork.ModePhone, Minutes: 10}},
		{"unknown mode", "mode", api.ContactBody{On: day(0), Mode: "telepathy", Minutes: 10}},
		{"no minutes", "minutes", api.ContactBody{On: day(0), Mode: linkwork.ModePhone}},
		{"a whole day and more", "minutes", api.ContactBody{On: day(0), Mode: linkwork.ModePhone, Minutes: 481}},
		{"follow-up before the contact", "follow_up_on", api.ContactBody{On: day(0), Mode: linkwork.ModePhone, Minutes: 10, FollowUpOn: day(-1)}},
		{"minutes as text", "minutes", `{"on":"` + day(0) + `","mode":"phone","minutes":"ten"}`},
	} {
		res := worker.do("POST", target, c.body)
		res.wantError(http.StatusBadRequest, linkwork.EINVALID, "")
		wantFields(t, res, c.field)
	}
	worker.do("GET", target+"?per_page=0", nil).wantError(http.StatusBadRequest, linkwork.EINVALID, "per_page")
	l := decodeList[linkwork.CaseContact](worker.do("GET", target, nil).want(http.StatusOK))
	if l.Total != 0 || len(l.Items) != 0 {
		t.Errorf("bad contacts were saved: %+v", l)
	}
	if got := cf.person(cf.worker, p.ID); got.Status != linkwork.PersonWaiting {
		t.Errorf("a refused contact made the case %s", got.Status)
	}
	// Pages of contacts, newest first.
	for i := range 3 {
		worker.do("POST", target, api.ContactBody{On: day(-3 + i), Mode: linkwork.ModePhone, Minutes: 10 + i}).want(http.StatusCreated)
	}
	l = decodeList[linkwork.CaseContact](worker.do("GET", target+"?per_page=2&page=2", nil).want(http.StatusOK))
	if l.Total != 3 || len(l.Items) != 1 || l.Items[0].Minutes != 10 {
		t.Errorf("page 2 of contacts: %+v", l)
	}
}

// testCaseloadAndWeek checks the caseload's filters and summary and the week view.
func testCaseloadAndWeek(t *testing.T, cf *caseFixture) {
	mine := cf.newPerson("Cath", "Caseload")
	b := personBody("Nell", "Noworker")
	unallocated := cf.createPerson(cf.manager, b)
	// Mine: a contact a few days ago with a follow-up that has passed, and a step due soon.
	cf.as(cf.worker).do("POST", path("/api/v1/people/%d/contacts", mine.ID), api.ContactBody{On: day(-5), Mode: linkwork.ModeVideo,
		Minutes: 30, FollowUpOn: day(-1)}).want(http.StatusCreated)
	var goal linkwork.Goal
	cf.as(cf.worker).do("POST", path("/api/v1/people/%d/goals", mine.ID), api.GoalBody{Text: "Walk"}).want(http.StatusCreated).decode(&goal)
	cf.as(cf.worker).do("POST", path("/api/v1/people/%d/goals/%d/steps", mine.ID, goal.ID), api.StepBody{Text: "Buy boots", DueOn: day(2)}).
		want(http.StatusCreated)

	cl := cf.caseload(cf.worker, "worker=me&q=cath")
	if cl.Total != 1 || cl.Items[0].Person.ID != mine.ID || !cl.Items[0].FollowUpOverdue || cl.Items[0].NextActionOn != day(-1) {
		t.Errorf("my caseload for cath: %+v", cl)
	}
	if cl.Summary == nil || cl.Summary.Active < 1 || cl.Summary.FollowUpOverdue < 1 {
		t.Errorf("summary %+v", cl.Summary)
	}
	cl = cf.caseload(cf.manager, "worker=none")
	found := false
	for _, e := range cl.Items {
		found = found || e.Person.ID == unallocated.ID
		if e.Person.WorkerUserID != 0 {
			t.Errorf("worker=none answered %+v", e.Person)
		}
	}
	if !found {
		t.Errorf("worker=none does not hold the unallocated person: %+v", cl.Items)
	}
	cl = cf.caseload(cf.manager, "status=waiting&status=closed&q=Cath")
	if cl.Total != 0 {
		t.Errorf("an active person in status=waiting,closed: %+v", cl)
	}
	cl = cf.caseload(cf.manager, "status=active,waiting&per_page=1")
	if len(cl.Items) != 1 || cl.Total < 2 || cl.PerPage != 1 {
		t.Errorf("one per page: %+v", cl)
	}
	for _, q := range []string{"status=open", "worker=you", "worker=0", "per_page=500", "q=" + strings.Repeat("a", 101)} {
		cf.as(cf.worker).do("GET", "/api/v1/people?"+q, nil).wantError(http.StatusBadRequest, linkwork.EINVALID, "")
	}

	var week api.Week
	cf.as(cf.worker).do("GET", "/api/v1/caseload/week?from="+day(-5), nil).want(http.StatusOK).decode(&week)
	kinds := map[string]bool{}
	for _, it := range week.Items {
		if it.PersonID == mine.ID {
			kinds[it.Kind] = true
		}
	}
	if week.From != day(-5) || week.To != day(1) || week.WorkerUserID != cf.worker.ID || !kinds["contact"] || !kinds["follow_up"] {
		t.Errorf("week %+v (kinds %v)", week, kinds)
	}
	cf.as(cf.manager).do("GET", path("/api/v1/caseload/week?worker=%d&from=%s", cf.worker.ID, day(0)), nil).want(http.StatusOK).decode(&week)
	if len(week.Items) == 0 || week.Items[0].Kind != "step" || week.Items[0].On != day(2) {
		t.Errorf("the manager's view of the worker's week: %+v", week)
	}
	// Another organisation's link worker sees nothing of health's people in the week.
	cf.as(cf.councilWorker).do("GET", path("/api/v1/caseload/week?worker=%d&from=%s", cf.worker.ID, day(-5)), nil).want(http.StatusOK).decode(&week)
	if len(week.Items) != 0 {
		t.Errorf("another organisation's week: %+v", week)
	}
	for _, q := range []string{"from=tomorrow", "from=1999-12-31", "worker=me2"} {
		cf.as(cf.worker).do("GET", "/api/v1/caseload/week?"+q, nil).wantError(http.StatusBadRequest, linkwork.EINVALID, "")
	}
	if !cf.audited(cf.manager, linkwork.AuditPersonList, 0) {
		t.Error("the week is not audited")
	}
}

// testCloseAndErase checks closing's bad input, and that erasure needs a manager of the
// holding organisation.
func testCloseAndErase(t *testing.T, cf *caseFixture) {
	p := cf.newPerson("Cleo", "Close")
	target := path("/api/v1/people/%d/close", p.ID)
	worker := cf.as(cf.worker)
	worker.do("POST", target, api.CloseBody{Outcome: linkwork.CaseMoved}).wantError(http.StatusBadRequest, linkwork.EINVALID, "version")
	worker.do("POST", target, api.CloseBody{Version: &p.Version, Outcome: "finished"}).wantError(http.StatusBadRequest, linkwork.EINVALID, "outcome")
	worker.do("POST", target, api.CloseBody{Version: &p.Version, Outcome: linkwork.CaseOtherEnding}).
		wantError(http.StatusBadRequest, linkwork.EINVALID, "note")
	if got := cf.person(cf.worker, p.ID); got.Status != linkwork.PersonWaiting {
		t.Fatalf("a refused closure closed the case: %s", got.Status)
	}
	var closed linkwork.Person
	worker.do("POST", target, api.CloseBody{Version: &p.Version, Outcome: linkwork.CaseDeclined}).want(http.StatusOK).decode(&closed)
	worker.do("POST", target, api.CloseBody{Version: &closed.Version, Outcome: linkwork.CaseDeclined}).
		wantError(http.StatusBadRequest, linkwork.EINVALID, "-")
	// Another organisation's manager cannot erase health's people.
	councilManager := cf.user("manager@council.example.org", "Col Manager", cf.council, linkwork.RoleManager)
	cf.as(councilManager).do("POST", path("/api/v1/people/%d/erase", p.ID), api.EraseBody{Reason: "x"}).
		wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
}

func ints(v ...int) []*int {
	out := make([]*int, len(v))
	for i := range v {
		out[i] = &v[i]
	}
	return out
}

// TestCaseworkEnums checks that the enums openapi.json gives for casework are the domain's,
// in the domain's order.
func TestCaseworkEnums(t *testing.T) {
	d := openAPIDoc(t)
	for name, want := range map[string][]string{
		"PersonStatus": names(linkwork.PersonStatuses), "Sex": names(linkwork.Sexes), "YesNo": names(linkwork.Answers),
		"EthnicCategory": names(linkwork.EthnicCategories), "CaseOutcome": names(linkwork.CaseOutcomes),
		"GoalStatus": names(linkwork.GoalStatuses), "StepStatus": names(linkwork.StepStatuses),
		"ContactMode": names(linkwork.ContactModes), "OnwardStatus": names(linkwork.OnwardStatuses),
		"Timepoint": names(linkwork.Timepoints),
	} {
		var got []string
		for _, v := range d.at(pointer("components", "schemas", name, "enum")).([]any) {
			got = append(got, v.(string))
		}
		if !slices.Equal(got, want) {
			t.Errorf("openapi.json's %s enum is %v; the domain's is %v", name, got, want)
		}
	}
}

func names[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}
