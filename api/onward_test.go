package api_test

import (
	"bytes"
	"net/http"
	"testing"

	"linkwork"
	"linkwork/api"
)

// onwardBody is a valid onward referral to the food bank's cooking club.
func (cf *caseFixture) onwardBody(stepID int64) api.OnwardBody {
	return api.OnwardBody{StepID: stepID, ServiceID: cf.cooking.ID, ContactPhone: "07700 900123",
		Needs: "Would like to cook with others; lives alone.", AccessRequirements: "Uses a walking stick.",
		Message: "Best to call after 11.", Consent: true, ConsentMethod: linkwork.ConsentVerbal}
}

// testOnward refers a person on from a plan step and follows the group's answers: the group
// sees the minimum and never the person's full name, answers, and the link worker sees it.
func testOnward(t *testing.T, cf *caseFixture) {
	p := cf.newPerson("Olive", "Zebedee")
	other := cf.newPerson("Otto", "Elsewhere")
	base := path("/api/v1/people/%d", p.ID)
	worker := cf.as(cf.worker)
	var goal linkwork.Goal
	worker.do("POST", base+"/goals", api.GoalBody{Text: "Eat better"}).want(http.StatusCreated).decode(&goal)
	var step, otherStep linkwork.Step
	worker.do("POST", path("%s/goals/%d/steps", base, goal.ID), api.StepBody{Text: "Try the cooking club", DueOn: day(10)}).
		want(http.StatusCreated).decode(&step)
	var otherGoal linkwork.Goal
	worker.do("POST", path("/api/v1/people/%d/goals", other.ID), api.GoalBody{Text: "x"}).want(http.StatusCreated).decode(&otherGoal)
	worker.do("POST", path("/api/v1/people/%d/goals/%d/steps", other.ID, otherGoal.ID), api.StepBody{Text: "y", DueOn: day(10)}).
		want(http.StatusCreated).decode(&otherStep)

	// Bad referrals: each 400 naming the field, none sent.
	edit := func(fn func(b *api.OnwardBody)) api.OnwardBody {
		b := cf.onwardBody(step.ID)
		fn(&b)
		return b
	}
	for _, c := range []struct {
		name, field string
		body        any
	}{
		{"no consent", "consent", edit(func(b *api.OnwardBody) { b.Consent = false })},
		{"consent without how", "consent_method", edit(func(b *api.OnwardBody) { b.ConsentMethod = "" })},
		{"no way to contact", "contact_phone", edit(func(b *api.OnwardBody) { b.ContactPhone = "" })},
		{"no needs", "needs", edit(func(b *api.OnwardBody) { b.Needs = " " })},
		{"a connector scheme", "service_id", edit(func(b *api.OnwardBody) { b.ServiceID = cf.healthScheme.ID })},
		{"no service", "service_id", edit(func(b *api.OnwardBody) { b.ServiceID = 0 })},
		{"unknown service", "service_id", edit(func(b *api.OnwardBody) { b.ServiceID = 999999 })},
		{"another person's step", "step_id", edit(func(b *api.OnwardBody) { b.StepID = otherStep.ID })},
		{"negative step", "step_id", edit(func(b *api.OnwardBody) { b.StepID = -1 })},
		{"bad email", "contact_email", edit(func(b *api.OnwardBody) { b.ContactEmail = "olive at home" })},
		{"consent as text", "consent", `{"consent":"yes"}`},
		{"the person's date of birth", "date_of_birth", `{"date_of_birth":"1950-05-01"}`},
	} {
		res := worker.do("POST", base+"/onward", c.body)
		res.wantError(http.StatusBadRequest, linkwork.EINVALID, "")
		wantFields(t, res, c.field)
	}
	inbox := decodeList[linkwork.OnwardReferral](cf.as(cf.community).do("GET", "/api/v1/onward", nil).want(http.StatusOK))
	if inbox.Total != 0 {
		t.Fatalf("bad referrals were sent: %+v", inbox)
	}

	// A good one: the person's first name unless another is given.
	var o linkwork.OnwardReferral
	res := worker.do("POST", base+"/onward", cf.onwardBody(step.ID)).want(http.StatusCreated)
	res.decode(&o)
	if o.FirstName != "Olive" || o.Status != linkwork.OnwardSent || o.ServiceOrganisationID != cf.foodbank.ID ||
		o.PersonOrganisationID != cf.health.ID || o.StepID != step.ID || o.SentBy != cf.worker.Name || o.Version == 0 ||
		res.header.Get("Location") != path("/api/v1/onward/%d", o.ID) {
		t.Fatalf("sent %+v (Location %q)", o, res.header.Get("Location"))
	}

	// The group's inbox: the minimum, without the person's full name or anything else of
	// the case; and the read is audited.
	community := cf.as(cf.community)
	res = community.do("GET", "/api/v1/onward", nil).want(http.StatusOK)
	inbox = decodeList[linkwork.OnwardReferral](res)
	if inbox.Total != 1 || inbox.Items[0].ID != o.ID || inbox.Items[0].FirstName != "Olive" || inbox.Items[0].Needs == "" {
		t.Errorf("the food bank's inbox: %+v", inbox)
	}
	for _, secret := range []string{"Zebedee", "1950-05-01", "HX1", "01422"} {
		if bytes.Contains(res.body, []byte(secret)) {
			t.Errorf("the group's inbox shows %q: %s", secret, res.body)
		}
	}
	if !cf.audited(cf.community, linkwork.AuditOnwardList, 0) {
		t.Error("the inbox is not audited")
	}
	community.do("GET", "/api/v1/onward?status=unknown", nil).wantError(http.StatusBadRequest, linkwork.EINVALID, "status")
	if l := decodeList[linkwork.OnwardReferral](community.do("GET", "/api/v1/onward?status=declined", nil).want(http.StatusOK)); l.Total != 0 {
		t.Errorf("status=declined: %+v", l)
	}
	res = community.do("GET", path("/api/v1/onward/%d", o.ID), nil).want(http.StatusOK)
	if bytes.Contains(res.body, []byte("Zebedee")) {
		t.Errorf("the group sees the full name: %s", res.body)
	}
	if !cf.audited(cf.community, linkwork.AuditOnwardView, o.ID) {
		t.Error("the view is not audited")
	}
	// The person's link workers see it too; another group, and another organisation's
	// link worker, do not learn it exists.
	worker.do("GET", path("/api/v1/onward/%d", o.ID), nil).want(http.StatusOK)
	cf.as(cf.choirMember).do("GET", path("/api/v1/onward/%d", o.ID), nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	cf.as(cf.councilWorker).do("GET", path("/api/v1/onward/%d", o.ID), nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	if l := decodeList[linkwork.OnwardReferral](cf.as(cf.choirMember).do("GET", "/api/v1/onward", nil).want(http.StatusOK)); l.Total != 0 {
		t.Errorf("the choir's inbox: %+v", l)
	}

	// Answers: the group's to give, with the version read.
	answer := path("/api/v1/onward/%d/answer", o.ID)
	cf.as(cf.choirMember).do("POST", answer, api.OnwardAnswerBody{Version: &o.Version, Status: linkwork.OnwardAccepted}).
		wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	worker.do("POST", answer, api.OnwardAnswerBody{Version: &o.Version, Status: linkwork.OnwardAccepted}).
		wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	community.do("POST", answer, api.OnwardAnswerBody{Version: &o.Version, Status: linkwork.OnwardWithdrawn}).
		wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	community.do("POST", answer, api.OnwardAnswerBody{Version: intp(o.Version + 1), Status: linkwork.OnwardAccepted}).
		wantError(http.StatusConflict, linkwork.ECONFLICT, "-")
	community.do("POST", answer, api.OnwardAnswerBody{Status: linkwork.OnwardAccepted}).wantError(http.StatusBadRequest, linkwork.EINVALID, "version")
	community.do("POST", answer, api.OnwardAnswerBody{Version: &o.Version, Status: linkwork.OnwardDeclined}).
		wantError(http.StatusBadRequest, linkwork.EINVALID, "reason")
	community.do("POST", answer, api.OnwardAnswerBody{Version: &o.Version, Status: "maybe"}).
		wantError(http.StatusBadRequest, linkwork.EINVALID, "status")
	var got linkwork.OnwardReferral
	community.do("POST", answer, api.OnwardAnswerBody{Version: &o.Version, Status: linkwork.OnwardAccepted, Note: "Thursdays at 10."}).
		want(http.StatusOK).decode(&got)
	if got.Status != linkwork.OnwardAccepted || got.AnsweredBy != cf.community.Name || got.AnsweredAt == nil || got.Version <= o.Version {
		t.Errorf("accepted %+v", got)
	}
	community.do("POST", answer, api.OnwardAnswerBody{Version: &got.Version, Status: linkwork.OnwardDeclined, Reason: "Full"}).
		wantError(http.StatusBadRequest, linkwork.EINVALID, "status")
	community.do("POST", answer, api.OnwardAnswerBody{Version: &got.Version, Status: linkwork.OnwardAttended}).want(http.StatusOK).decode(&got)
	if got.Status != linkwork.OnwardAttended {
		t.Errorf("attended: %s", got.Status)
	}
	// The link worker sees the answer, and the step is done.
	var seen linkwork.OnwardReferral
	worker.do("GET", path("/api/v1/onward/%d", o.ID), nil).want(http.StatusOK).decode(&seen)
	var plan linkwork.SupportPlan
	worker.do("GET", base+"/plan", nil).want(http.StatusOK).decode(&plan)
	if seen.Status != linkwork.OnwardAttended || plan.Goals[0].Steps[0].Status != linkwork.StepDone ||
		plan.Goals[0].Steps[0].OnwardReferralID != o.ID {
		t.Errorf("the link worker sees %s, step %+v", seen.Status, plan.Goals[0].Steps[0])
	}

	// The link worker withdraws one the group has not answered.
	var second linkwork.OnwardReferral
	b := cf.onwardBody(0)
	b.FirstName = "Liv"
	worker.do("POST", base+"/onward", b).want(http.StatusCreated).decode(&second)
	if second.FirstName != "Liv" {
		t.Errorf("first name given: %q", second.FirstName)
	}
	cf.as(cf.manager).do("POST", path("/api/v1/onward/%d/answer", second.ID),
		api.OnwardAnswerBody{Version: &second.Version, Status: linkwork.OnwardWithdrawn, Note: "Moved away"}).want(http.StatusOK).decode(&got)
	if got.Status != linkwork.OnwardWithdrawn {
		t.Errorf("withdrawn: %+v", got)
	}
	var rec linkwork.PersonRecord
	worker.do("GET", base+"/record", nil).want(http.StatusOK).decode(&rec)
	if len(rec.Onward) != 2 {
		t.Errorf("the record holds %d onward referrals, want 2", len(rec.Onward))
	}
}
