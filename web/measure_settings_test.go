package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"linkwork"
	"linkwork/sqldb/sqldbtest"
)

func TestMeasureSettingsPage(t *testing.T) {
	s := newMeasureSite(t, sqldbtest.Open(t, "sqlite"))
	admin := s.as("admin@example.org")
	p := admin.get("/settings/measures")
	if p.status != http.StatusOK {
		t.Fatalf("GET /settings/measures: %d", p.status)
	}
	for _, d := range linkwork.BuiltInMeasures {
		p.has(t, html(d.Name), `name="position-`+string(d.Code)+`"`)
	}
	p.has(t, `name="threshold" type="text" value="7"`, `name="round_to" type="text" value="5"`, `value="1"`, "Hiding small numbers")
	for _, email := range []string{"manager@example.org", "commissioner@example.org"} {
		if p := s.as(email).get("/settings/measures"); p.status != http.StatusForbidden {
			t.Errorf("%s GET /settings/measures: %d, want 403", email, p.status)
		}
	}

	// Wrong settings change nothing and say what is wrong, next to the field.
	good := url.Values{"measures": {"people_supported", "referrals"}, "position-people_supported": {"2"}, "position-referrals": {"1"},
		"threshold": {"0"}, "round_to": {"1"}}
	with := func(k string, v ...string) url.Values {
		f := url.Values{}
		for key, vs := range good {
			f[key] = vs
		}
		f[k] = v
		return f
	}
	for _, c := range []struct {
		form url.Values
		msg  string
	}{
		{with("threshold", "21"), "Enter the largest count to hide as a whole number from 0 to 20"},
		{with("threshold", "seven"), "Enter the largest count to hide as a whole number from 0 to 20"},
		{with("round_to", "0"), "Enter what to round counts to as a whole number from 1 to 10"},
		{with("round_to", "11"), "Enter what to round counts to as a whole number from 1 to 10"},
		{with("position-referrals", "first"), "Enter the position of Referrals received as a whole number from 1 to 99"},
		{with("measures"), "Choose at least one measure for the dashboards to show."},
		{with("measures", "referrals", "no_such_measure"), `There is no measure "no_such_measure": choose from the list.`},
	} {
		p := admin.post("/settings/measures", c.form)
		if p.status != http.StatusUnprocessableEntity {
			t.Errorf("POST %v: %d, want 422", c.form, p.status)
		}
		p.has(t, "There is a problem", html(c.msg))
	}
	if st, err := s.svc.Measures.MeasureSettings(context.Background(), s.place.ID); err != nil || len(st.Measures) != len(linkwork.BuiltInMeasures) ||
		st.Suppression != linkwork.DefaultSuppression {
		t.Fatalf("settings changed by wrong forms: %+v %v", st, err)
	}

	// Referrals first, then people supported; nothing hidden or rounded: the commissioner
	// now sees Calder PCN's 3, and only the two measures.
	if p := admin.post("/settings/measures", good); p.status != http.StatusSeeOther {
		t.Fatalf("save the settings: %d\n%s", p.status, p.body)
	}
	admin.get("/settings/measures").has(t, "The measures settings have been saved.", `name="threshold" type="text" value="0"`)
	dash := s.as("commissioner@example.org").get("/measures" + s.calder)
	if v := headline(t, dash, "People supported"); v != "3" {
		t.Errorf("with nothing hidden, the commissioner sees %q, want 3", v)
	}
	refs, people := strings.Index(dash.body, `id="measure-referrals"`), strings.Index(dash.body, `id="measure-people_supported"`)
	if refs < 0 || people < refs || strings.Contains(dash.body, `id="measure-contacts"`) {
		t.Errorf("the dashboard's measures are not referrals then people supported (at %d and %d)", refs, people)
	}

	// The place's own measures: added, refused twice, retired.
	local := url.Values{"name": {"Talks to GP practices"}, "definition": {"Talks given to a practice's staff."}, "unit": {"talks"}, "about_people": {"no"}}
	if p := admin.post("/settings/measures/local", local); p.status != http.StatusSeeOther {
		t.Fatalf("add a local measure: %d\n%s", p.status, p.body)
	}
	admin.get("/settings/measures").has(t, "The measure has been added.", "Talks to GP practices", "The place's own")
	p = admin.post("/settings/measures/local", local)
	if p.status != http.StatusUnprocessableEntity {
		t.Errorf("the same name again: %d, want 422", p.status)
	}
	p.has(t, "already has a measure called")
	noPeople := url.Values{"name": {"Outreach hours"}, "definition": {"Hours."}, "unit": {"hours"}}
	if p := admin.post("/settings/measures/local", noPeople); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "Say whether the measure counts people") {
		t.Errorf("a measure without about_people: %d", p.status)
	}
	locals, err := s.svc.Measures.ListLocalMeasures(context.Background(), s.place.ID)
	must(t, err)
	if len(locals) != 1 {
		t.Fatalf("%d local measures, want 1", len(locals))
	}
	if p := admin.post("/settings/measures/local/"+id(locals[0].ID)+"/retire", nil); p.status != http.StatusSeeOther {
		t.Fatalf("retire: %d", p.status)
	}
	admin.get("/settings/measures").has(t, "The measure has been retired.", "Retired")
	if p := admin.post("/settings/measures/local/999999/retire", nil); p.status != http.StatusNotFound {
		t.Errorf("retire a measure that does not exist: %d, want 404", p.status)
	}
}

// An organisation's managers enter its figures, for their own organisations only.
func TestLocalMeasureValues(t *testing.T) {
	s := newMeasureSite(t, sqldbtest.Open(t, "sqlite"))
	ctx := context.Background()
	talks := &linkwork.LocalMeasure{PlaceID: s.place.ID, Name: "Talks to GP practices", Definition: "Talks given to a practice's staff.", Unit: "talks"}
	old := &linkwork.LocalMeasure{PlaceID: s.place.ID, Name: "Leaflets", Definition: "Leaflets handed out.", Unit: "leaflets"}
	must(t, s.svc.Measures.CreateLocalMeasure(ctx, talks))
	must(t, s.svc.Measures.CreateLocalMeasure(ctx, old))
	must(t, s.svc.Measures.RetireLocalMeasure(ctx, s.place.ID, old.ID))
	manager, garden := s.as("manager@example.org"), s.as("garden.manager@example.org")
	last := time.Now().AddDate(0, -1, 0).Format("2006-01")
	field := "value-" + strconv.FormatInt(talks.ID, 10)

	p := manager.get("/measures/local")
	if p.status != http.StatusOK {
		t.Fatalf("GET /measures/local: %d", p.status)
	}
	p.has(t, "Talks to GP practices (talks)", "For <strong>Calder PCN</strong>", `name="month" type="text" value="`+last+`"`)
	if strings.Contains(p.body, "Leaflets") {
		t.Error("a retired measure is offered")
	}
	for _, email := range []string{"admin@example.org", "commissioner@example.org", "sam@example.org"} {
		if p := s.as(email).get("/measures/local"); p.status != http.StatusForbidden {
			t.Errorf("%s GET /measures/local: %d, want 403", email, p.status)
		}
	}

	// Another organisation's figures are not theirs to enter or see.
	if p := manager.post("/measures/local", url.Values{"organisation_id": {id(s.orgB.ID)}, "month": {last}, field: {"4"}}); p.status != http.StatusForbidden {
		t.Errorf("Calder PCN's manager enters Todmorden Garden's figures: %d, want 403", p.status)
	}
	if p := garden.get("/measures/local?organisation_id=" + id(s.orgA.ID)); p.status != http.StatusForbidden {
		t.Errorf("Todmorden Garden's manager sees Calder PCN's figures: %d, want 403", p.status)
	}
	for _, c := range []struct {
		form url.Values
		msg  string
	}{
		{url.Values{"organisation_id": {id(s.orgA.ID)}, "month": {last}, field: {"four"}}, "Enter Talks to GP practices as a whole number of talks, 0 or more, or leave it empty."},
		{url.Values{"organisation_id": {id(s.orgA.ID)}, "month": {last}, field: {"-1"}}, "Enter Talks to GP practices as a whole number of talks"},
		{url.Values{"organisation_id": {id(s.orgA.ID)}, "month": {"2999-01"}, field: {"4"}}, "The month cannot be in the future"},
		{url.Values{"organisation_id": {id(s.orgA.ID)}, "month": {"May"}, field: {"4"}}, "Enter the month the figures are for as a year and month"},
		{url.Values{"organisation_id": {id(s.orgA.ID)}, "month": {last}}, "Enter at least one figure."},
	} {
		p := manager.post("/measures/local", c.form)
		if p.status != http.StatusUnprocessableEntity {
			t.Errorf("POST %v: %d, want 422", c.form, p.status)
		}
		p.has(t, "There is a problem", html(c.msg))
	}

	p = manager.post("/measures/local", url.Values{"organisation_id": {id(s.orgA.ID)}, "month": {last}, field: {"1,204"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("enter the figures: %d\n%s", p.status, p.body)
	}
	p = manager.get(p.location)
	p.has(t, "Your organisation&#39;s figures have been saved.", `name="`+field+`" type="text" value="1204"`)
	if !regexp.MustCompile(`<th scope="row" class="nhsuk-table__cell">` + time.Now().AddDate(0, -1, 0).Format("January 2006") + `</th><td class="nhsuk-table__cell">1204</td>`).MatchString(p.body) {
		t.Error("the last 12 months do not show the figure entered")
	}
	values, err := s.svc.Measures.LocalMeasureValues(ctx, s.orgA.ID, last, last)
	must(t, err)
	if len(values) != 1 || values[0].Value != 1204 || values[0].UpdatedBy != "manager" {
		t.Errorf("values %+v", values)
	}
	if got, _ := s.svc.Measures.LocalMeasureValues(ctx, s.orgB.ID, last, last); len(got) != 0 {
		t.Errorf("Todmorden Garden has figures it did not enter: %+v", got)
	}
	if strings.Contains(garden.get("/measures/local").body, "1204") {
		t.Error("Todmorden Garden's manager sees Calder PCN's figure")
	}
}
