package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// onwardWorld is the referral site with a case and the groups around it: Calder PCN
// (orgA) holds Ada Lovelace's case, with a goal and a step; Todmorden Garden (orgB) runs a
// walking group and has a community member who answers its referrals; Halifax Choir runs a
// choir and has its own community member; a paused offer cannot take referrals.
type onwardWorld struct {
	*referralSite
	choir                  *linkwork.Organisation
	grower, singer         *linkwork.User
	walk, sing, paused     *linkwork.Service
	person                 *linkwork.Person
	goal                   *linkwork.Goal
	step                   *linkwork.Step
	personPath, onwardPath string
	browsers               map[string]*browser
}

// who returns a browser signed in as the user with the email, signing in once per user
// (sign-ins are rate limited).
func (w *onwardWorld) who(email string) *browser {
	w.t.Helper()
	if b := w.browsers[email]; b != nil {
		return b
	}
	if w.browsers == nil {
		w.browsers = map[string]*browser{}
	}
	w.browsers[email] = w.as(email)
	return w.browsers[email]
}

func newOnwardWorld(t *testing.T, db *sqldb.DB) *onwardWorld {
	t.Helper()
	ctx := context.Background()
	w := &onwardWorld{referralSite: newReferralSite(t, db)}
	w.choir = &linkwork.Organisation{PlaceID: w.place.ID, Name: "Halifax Choir", Sector: linkwork.SectorVCSE}
	must(t, w.svc.Organisations.CreateOrganisation(ctx, w.choir))
	w.grower = w.addUser("grower@example.org", w.orgB, linkwork.RoleCommunity)
	w.singer = w.addUser("singer@example.org", w.choir, linkwork.RoleCommunity)
	w.walk = w.addService(w.orgB, "Todmorden Walking Group", linkwork.StatusActive)
	w.sing = w.addService(w.choir, "Sing for Joy", linkwork.StatusActive)
	w.paused = w.addService(w.orgB, "Winter Swimming", linkwork.StatusTemporarilyClosed)
	w.person = &linkwork.Person{PlaceID: w.place.ID, OrganisationID: w.orgA.ID, GivenName: "Ada", FamilyName: "Lovelace",
		DateOfBirth: "1955-12-10", Address1: "1 Crossley Street", Town: "Halifax", Postcode: "HX1 1AB", Phone: "01422 000000",
		Email: "ada@example.org", ContactPreferences: []linkwork.ContactMethod{linkwork.ContactPhone},
		AccessNeeds: "Uses a wheelchair.", WorkerUserID: w.sam.ID}
	must(t, w.svc.Cases.CreatePerson(ctx, w.person))
	w.goal = &linkwork.Goal{PersonID: w.person.ID, Text: "Get out of the house more"}
	must(t, w.svc.Cases.AddGoal(ctx, w.goal))
	w.step = &linkwork.Step{GoalID: w.goal.ID, PersonID: w.person.ID, Text: "Try a walking group",
		DueOn: time.Now().AddDate(0, 0, 14).Format(time.DateOnly)}
	must(t, w.svc.Cases.AddStep(ctx, w.step))
	w.personPath = "/people/" + id(w.person.ID)
	w.onwardPath = w.personPath + "/onward"
	return w
}

// onwardForm is a filled-in onward referral to the walking group for the step.
func (w *onwardWorld) onwardForm() url.Values {
	return url.Values{"step_id": {id(w.step.ID)}, "service_id": {id(w.walk.ID)}, "first_name": {"Ada"},
		"contact_phone": {"01422 000000"}, "needs": {"To meet people and get out once a week."},
		"access_requirements": {"Uses a wheelchair."}, "message": {"Mornings are best."}, "consent": {"yes"},
		"consent_method": {"verbal"}}
}

// onward returns the person's onward referrals.
func (w *onwardWorld) onward() []*linkwork.OnwardReferral {
	w.t.Helper()
	list, err := w.svc.Onward.ListOnwardForPerson(context.Background(), w.person.ID)
	must(w.t, err)
	return list
}

// send sends the form as the link worker Sam and returns the new referral.
func (w *onwardWorld) send(form url.Values) *linkwork.OnwardReferral {
	w.t.Helper()
	before := len(w.onward())
	p := w.who("sam@example.org").post(w.onwardPath, form)
	if p.status != http.StatusSeeOther || p.location != w.personPath {
		w.t.Fatalf("send onward: %d %q\n%s", p.status, p.location, p.body)
	}
	list := w.onward()
	if len(list) != before+1 {
		w.t.Fatalf("%d onward referrals after sending, want %d", len(list), before+1)
	}
	return list[0]
}

// auditActions lists the actions recorded for a user, as action:record.
func (w *onwardWorld) auditActions(userID int64) string {
	w.t.Helper()
	events, _, err := w.svc.Audit.ListAudit(context.Background(), linkwork.AuditFilter{PlaceID: w.place.ID, ActorUserID: userID})
	must(w.t, err)
	var out []string
	for _, e := range events {
		out = append(out, e.Action+":"+e.RecordID)
	}
	return strings.Join(out, " ")
}

func TestOnwardReferralFormByRole(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newOnwardWorld(t, db)
		newPath := w.onwardPath + "/new?step=" + id(w.step.ID)
		// Only those who work on the organisation's cases refer its people on.
		for email, want := range map[string]int{"sam@example.org": 200, "manager@example.org": 200, "garden@example.org": 404,
			"garden.manager@example.org": 404, "grower@example.org": 403, "gp@example.org": 403, "admin@example.org": 403} {
			p := w.who(email).get(newPath)
			if p.status != want {
				t.Errorf("%s GET %s: %d, want %d", email, newPath, p.status, want)
			}
			if !strings.Contains(p.body, "<h1") || !strings.HasSuffix(strings.TrimSpace(p.body), "</html>") {
				t.Errorf("%s GET %s: not a whole page", email, newPath)
			}
		}
		sam := w.who("sam@example.org")
		for path, want := range map[string]int{w.onwardPath + "/new": 200, w.onwardPath + "/new?q=walking&page=2": 200,
			w.onwardPath + "/new?step=999999": 404, w.onwardPath + "/new?step=x": 404, w.onwardPath + "/new?need=x": 422,
			"/people/999999/onward/new": 404} {
			if p := sam.get(path); p.status != want {
				t.Errorf("sam GET %s: %d, want %d", path, p.status, want)
			}
		}

		// The form starts from the person and the step: what to call them, how they like
		// to be contacted (phone, so not their email), the step and goal as their needs, and
		// what they need to take part. Community offers are listed, not connector schemes.
		p := sam.get(newPath)
		p.has(t, "Refer Ada to a community offer", `name="first_name" type="text" value="Ada"`,
			`name="contact_phone" type="tel" value="01422 000000"`, `name="contact_email" type="email" value=""`,
			"Try a walking group\n\nTheir goal: Get out of the house more", "Uses a wheelchair.", "Todmorden Walking Group",
			"Sing for Joy", `id="service_id"`, "Winter Swimming", "Temporarily closed", `value="verbal" checked`,
			"The person prefers: phone call.")
		p.lacks(t, "Calder Social Prescribing", "Young Calder Connect", `id="service_id-`+id(w.paused.ID)+`"`)
		if got := w.auditActions(w.sam.ID); !strings.Contains(got, "person.view:"+id(w.person.ID)) {
			t.Errorf("the form's look at the record is not audited: %q", got)
		}
		// A search narrows the list.
		p = sam.get(w.onwardPath + "/new?q=walking")
		p.has(t, "Todmorden Walking Group", `value="walking"`)
		p.lacks(t, "Sing for Joy")

		// Another organisation's link worker cannot send or withdraw.
		if p := w.who("garden@example.org").post(w.onwardPath, w.onwardForm()); p.status != http.StatusNotFound {
			t.Errorf("another organisation's link worker sends: %d, want 404", p.status)
		}
		if len(w.onward()) != 0 {
			t.Fatal("a refused request sent a referral")
		}
	})
}

func TestOnwardReferralShowsEveryProblemAndSendsNothing(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newOnwardWorld(t, db)
		sam := w.who("sam@example.org")
		p := sam.post(w.onwardPath, url.Values{"step_id": {id(w.step.ID)}, "first_name": {""}, "consent_method": {""}})
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("empty form: %d", p.status)
		}
		p.has(t, "There is a problem", `href="#service_id"`, `href="#first_name"`, `href="#contact_phone"`, `href="#needs"`,
			`href="#consent"`, `href="#consent_method"`, "Choose the community offer to refer the person to.",
			"The person must agree to their details going to the group", "<title>Error: ")
		// The summary follows the form's order.
		if strings.Index(p.body, `href="#service_id"`) > strings.Index(p.body, `href="#consent"`) {
			t.Error("the error summary is not in the form's order")
		}
		// A connector scheme, an offer not in the list, a paused offer: refused.
		for _, sid := range []int64{w.scheme.ID, 999999, w.paused.ID} {
			form := w.onwardForm()
			form.Set("service_id", id(sid))
			p := sam.post(w.onwardPath, form)
			if p.status != http.StatusUnprocessableEntity {
				t.Errorf("service %d: %d, want 422", sid, p.status)
			}
			p.has(t, `href="#service_id"`)
		}
		form := w.onwardForm()
		form.Del("consent")
		form.Set("contact_phone", "")
		sam.post(w.onwardPath, form).has(t, "The person must agree", "Give the group a way to contact the person")
		form = w.onwardForm()
		form.Set("consent_method", "online_form")
		sam.post(w.onwardPath, form).has(t, "Choose how the person agreed: verbally or in writing.")
		form = w.onwardForm()
		form.Set("step_id", "999999")
		if p := sam.post(w.onwardPath, form); p.status != http.StatusNotFound {
			t.Errorf("a step that is not the person's: %d, want 404", p.status)
		}
		if n := len(w.onward()); n != 0 {
			t.Fatalf("bad forms sent %d referrals", n)
		}
		// What was typed is kept.
		form = w.onwardForm()
		form.Set("needs", "")
		p = sam.post(w.onwardPath, form)
		p.has(t, "Mornings are best.", `value="`+id(w.walk.ID)+`" checked`)
	})
}

func TestOnwardReferralClosedLoop(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newOnwardWorld(t, db)
		o := w.send(w.onwardForm())
		if o.Status != linkwork.OnwardSent || o.StepID != w.step.ID || o.ServiceID != w.walk.ID || o.FirstName != "Ada" ||
			o.SentByUserID != w.sam.ID || !o.Consent || o.ConsentMethod != linkwork.ConsentVerbal {
			t.Fatalf("sent %+v", o)
		}
		oid := id(o.ID)

		// The group's community member sees the minimum in the inbox and on the referral:
		// never the person's full name, date of birth, address or record.
		grower := w.who("grower@example.org")
		inbox := grower.get("/onward")
		if inbox.status != http.StatusOK {
			t.Fatalf("inbox: %d", inbox.status)
		}
		inbox.has(t, "Referrals to your groups", `href="/onward/`+oid+`"`, "Ada", "01422 000000", "Todmorden Walking Group",
			"by sam, Calder PCN", "Waiting for an answer")
		private := []string{"Lovelace", "1955", "10 December", "Crossley", "HX1 1AB", "ada@example.org", w.personPath}
		inbox.lacks(t, private...)
		p := grower.get("/onward/" + oid)
		if p.status != http.StatusOK {
			t.Fatalf("referral: %d", p.status)
		}
		p.has(t, "Ada", "01422 000000", "To meet people and get out once a week.", "Uses a wheelchair.", "Mornings are best.",
			"sam", "Calder PCN", "sam@example.org", "Accept: we can welcome them", "Decline", `name="version" value="1"`)
		p.lacks(t, private...)
		if got := w.auditActions(w.grower.ID); !strings.Contains(got, "onward.list:") || !strings.Contains(got, "onward.view:"+oid) {
			t.Errorf("the group's views are not audited: %q", got)
		}

		// Another group, the holding organisation's link worker and the referrer do not see it.
		singer := w.who("singer@example.org")
		if p := singer.get("/onward/" + oid); p.status != http.StatusNotFound {
			t.Errorf("another group's member GET the referral: %d, want 404", p.status)
		}
		if p := singer.post("/onward/"+oid+"/answer", url.Values{"status": {"accepted"}, "version": {"1"}}); p.status != http.StatusNotFound {
			t.Errorf("another group's member answers: %d, want 404", p.status)
		}
		singer.get("/onward").lacks(t, `href="/onward/`+oid+`"`, "Todmorden Walking Group")
		for email, want := range map[string]int{"sam@example.org": 403, "gp@example.org": 403, "admin@example.org": 403,
			"garden.manager@example.org": 200} {
			if p := w.who(email).get("/onward/" + oid); p.status != want {
				t.Errorf("%s GET /onward/%s: %d, want %d", email, oid, p.status, want)
			}
		}
		for path, want := range map[string]int{"/onward?status=open": 200, "/onward?status=declined&page=3": 200,
			"/onward?status=nonsense": 200, "/onward/999999": 404, "/onward/abc": 404} {
			p := grower.get(path)
			if p.status != want || !strings.HasSuffix(strings.TrimSpace(p.body), "</html>") {
				t.Errorf("GET %s: %d, want %d", path, p.status, want)
			}
		}

		// A decline needs a reason; a bad answer is refused; nothing is saved.
		p = grower.post("/onward/"+oid+"/answer", url.Values{"status": {"declined"}, "version": {"1"}})
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("decline without a reason: %d", p.status)
		}
		p.has(t, `href="#reason"`, "Say why the group cannot take the person")
		grower.post("/onward/"+oid+"/answer", url.Values{"status": {"withdrawn"}, "version": {"1"}}).has(t, "Choose your answer from the list.")
		grower.post("/onward/"+oid+"/answer", url.Values{"version": {"1"}}).has(t, `href="#status"`, "Choose your answer.")
		if now, _ := w.svc.Onward.FindOnward(context.Background(), o.ID); now.Status != linkwork.OnwardSent {
			t.Fatalf("a refused answer changed the status to %s", now.Status)
		}

		// Accepted, then attended: the link worker sees it, and the step is done.
		p = grower.post("/onward/"+oid+"/answer", url.Values{"status": {"accepted"}, "version": {"1"}, "note": {"Starts Tuesday."}})
		if p.status != http.StatusSeeOther || p.location != "/onward/"+oid {
			t.Fatalf("accept: %d %q %s", p.status, p.location, p.body)
		}
		p = grower.get("/onward/" + oid)
		p.has(t, "Your answer has been recorded", "Accepted", "Starts Tuesday.", "They came along", "grower")
		p.lacks(t, "Accept: we can welcome them")
		// An answer made on the old page is not saved, and says so plainly.
		p = grower.post("/onward/"+oid+"/answer", url.Values{"status": {"declined"}, "reason": {"Full"}, "version": {"1"}})
		if p.status != http.StatusConflict {
			t.Fatalf("answer on an old page: %d, want 409", p.status)
		}
		p.has(t, "Your answer was not saved", "answered this referral while you had the page open", "Accepted")
		p = grower.post("/onward/"+oid+"/answer", url.Values{"status": {"attended"}, "version": {"2"}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("attended: %d %s", p.status, p.body)
		}
		now, err := w.svc.Onward.FindOnward(context.Background(), o.ID)
		must(t, err)
		if now.Status != linkwork.OnwardAttended || now.AnsweredBy != "grower" {
			t.Errorf("after attended: %+v", now)
		}
		grower.get("/onward/"+oid).has(t, "there is nothing more to answer")
		plan, err := w.svc.Cases.Plan(context.Background(), w.person.ID)
		must(t, err)
		if st := plan.Goals[0].Steps[0].Status; st != linkwork.StepDone {
			t.Errorf("the step is %s after the person attended, want done", st)
		}
	})
}

func TestOnwardReferralWithdraw(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newOnwardWorld(t, db)
		form := w.onwardForm()
		form.Set("service_id", id(w.sing.ID))
		o := w.send(form)
		path := w.onwardPath + "/" + id(o.ID) + "/withdraw"
		if p := w.who("garden@example.org").post(path, url.Values{"version": {"1"}}); p.status != http.StatusNotFound {
			t.Errorf("another organisation's link worker withdraws: %d, want 404", p.status)
		}
		if p := w.who("singer@example.org").post(path, url.Values{"version": {"1"}}); p.status != http.StatusForbidden {
			t.Errorf("the group withdraws: %d, want 403", p.status)
		}
		sam := w.who("sam@example.org")
		// The person's page offers the withdrawal, with the version it was shown at.
		sam.get(w.personPath).has(t, `action="`+path+`"`, `name="version" value="1"`)
		if p := sam.post(path, url.Values{"version": {"7"}}); p.status != http.StatusConflict {
			t.Errorf("withdraw on an old page: %d, want 409", p.status)
		}
		if p := sam.post(path, nil); p.status != http.StatusBadRequest {
			t.Errorf("withdraw without a version: %d, want 400", p.status)
		}
		// Another person's referral is not found through this person.
		other := &linkwork.Person{PlaceID: w.place.ID, OrganisationID: w.orgA.ID, GivenName: "Grace", FamilyName: "Hopper",
			DateOfBirth: "1950-01-01", Postcode: "HX1 1AB", Phone: "01422 111111"}
		must(t, w.svc.Cases.CreatePerson(context.Background(), other))
		if p := sam.post("/people/"+id(other.ID)+"/onward/"+id(o.ID)+"/withdraw", url.Values{"version": {"1"}}); p.status != http.StatusNotFound {
			t.Errorf("withdraw through another person: %d, want 404", p.status)
		}
		p := sam.post(path, url.Values{"version": {"1"}})
		if p.status != http.StatusSeeOther || p.location != w.personPath {
			t.Fatalf("withdraw: %d %q %s", p.status, p.location, p.body)
		}
		if now := w.onward()[0]; now.Status != linkwork.OnwardWithdrawn {
			t.Fatalf("after withdrawing: %s", now.Status)
		}
		if body := sam.get(w.personPath).body; strings.Contains(body, `action="`+path+`"`) {
			t.Error("a withdrawn referral is still offered for withdrawal")
		}
		w.who("singer@example.org").get("/onward/"+id(o.ID)).has(t, "Withdrawn", "there is nothing more to answer")
		if p := sam.post(path, url.Values{"version": {strconv.Itoa(o.Version + 1)}}); p.status == http.StatusSeeOther {
			t.Error("a withdrawn referral was withdrawn again")
		}
	})
}
