package api_test

import (
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"

	"linkwork"
	"linkwork/api"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// measureWorld is the fixture with three people whose support York Health PCN began two
// months ago, a commissioner, and the facts made.
type measureWorld struct {
	*fixture
	commissioner *linkwork.User
	month        string // two months ago, "2026-09"
}

func newMeasureWorld(t *testing.T, db *sqldb.DB) *measureWorld {
	t.Helper()
	w := &measureWorld{fixture: newFixture(t, db)}
	w.commissioner = w.user("commissioner@york.example.org", "Cy Commissioner", w.council, linkwork.RoleCommissioner)
	m := time.Now().AddDate(0, -2, 0)
	w.month = m.Format("2006-01")
	for i := range 3 {
		p := &linkwork.Person{PlaceID: w.placeA.ID, OrganisationID: w.health.ID, GivenName: "Person", FamilyName: "Number " + strconv.Itoa(i),
			DateOfBirth: "1960-01-0" + strconv.Itoa(i+1), Address1: "1 High Street", Town: "York", Postcode: "YO1 7HH",
			Phone: "01904 000000", OpenedOn: w.month + "-15"}
		must(t, w.svc.Cases.CreatePerson(t.Context(), p))
	}
	_, err := w.svc.Measures.Aggregate(t.Context(), w.placeA.ID)
	must(t, err)
	return w
}

// peopleSupported is a dashboard's headline figure of people supported.
func peopleSupported(t *testing.T, d *linkwork.Dashboard) *linkwork.MeasureCell {
	t.Helper()
	for _, res := range d.Results {
		if res.Definition.Code == linkwork.MeasurePeopleSupported {
			return res.Headline[0]
		}
	}
	t.Fatalf("no people supported on the dashboard")
	return nil
}

func TestMeasureDashboardAPI(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newMeasureWorld(t, db)
		period := "&from=" + w.month + "&to=" + w.month
		health := "/api/v1/measures/dashboard?scope=organisation&key=" + strconv.FormatInt(w.health.ID, 10) + period

		var cat api.MeasureCatalogue
		w.as(w.commissioner).do("GET", "/api/v1/measures", nil).want(http.StatusOK).decode(&cat)
		if len(cat.Measures) != len(linkwork.BuiltInMeasures) || cat.Settings.Suppression != linkwork.DefaultSuppression ||
			len(cat.Settings.Measures) != len(linkwork.BuiltInMeasures) || len(cat.Local) != 0 {
			t.Errorf("catalogue %+v", cat)
		}
		w.as(w.worker).do("GET", "/api/v1/measures", nil).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "")
		w.anon().do("GET", "/api/v1/measures", nil).wantError(http.StatusUnauthorized, linkwork.EUNAUTHORIZED, "")

		// York Health PCN's 3: hidden from the commissioner, shown to its manager.
		var d linkwork.Dashboard
		w.as(w.commissioner).do("GET", health, nil).want(http.StatusOK).decode(&d)
		if c := peopleSupported(t, &d); !d.Safe || !c.Suppressed || c.Text != "[c]" || c.Value != 0 {
			t.Errorf("the commissioner sees York Health PCN's people supported as %+v (safe %v)", c, d.Safe)
		}
		if d.Query.Scope.Name != "York Health PCN" || d.Query.From.Format("2006-01") != w.month || d.Rule != linkwork.DefaultSuppression {
			t.Errorf("query %+v rule %+v", d.Query, d.Rule)
		}
		d = linkwork.Dashboard{}
		w.as(w.manager).do("GET", health, nil).want(http.StatusOK).decode(&d)
		if c := peopleSupported(t, &d); d.Safe || c.Suppressed || c.Text != "3" {
			t.Errorf("York Health PCN's manager sees its people supported as %+v (safe %v)", c, d.Safe)
		}
		// The place is safe for everyone, its manager too.
		d = linkwork.Dashboard{}
		w.as(w.manager).do("GET", "/api/v1/measures/dashboard?from="+w.month+"&to="+w.month, nil).want(http.StatusOK).decode(&d)
		if c := peopleSupported(t, &d); !d.Safe || c.Text != "[c]" || len(d.Results) != len(linkwork.BuiltInMeasures) {
			t.Errorf("the place's people supported %+v (safe %v)", c, d.Safe)
		}

		// Bad input.
		w.as(w.admin).do("GET", "/api/v1/measures/dashboard?scope=organisation&key="+strconv.FormatInt(w.wakefield.ID, 10), nil).
			wantError(http.StatusNotFound, linkwork.ENOTFOUND, "")
		w.as(w.admin).do("GET", "/api/v1/measures/dashboard?scope=neighbourhood&key=E09999999", nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "")
		for query, field := range map[string]string{
			"?scope=ward":                    "scope",
			"?scope=scheme":                  "key",
			"?from=2026-13":                  "from",
			"?to=May":                        "to",
			"?from=2020-05&to=2020-04":       "to",
			"?from=2015-01&to=2020-01":       "to",
			"?from=1999-12&to=2000-01":       "from",
			"?from=2020-01&to=2999-01":       "to",
			"?scope=organisation&from=x&to=": "key",
		} {
			w.as(w.admin).do("GET", "/api/v1/measures/dashboard"+query, nil).wantError(http.StatusBadRequest, linkwork.EINVALID, field)
		}
		w.as(w.worker).do("GET", health, nil).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "")
		w.anon().do("GET", health, nil).wantError(http.StatusUnauthorized, linkwork.EUNAUTHORIZED, "")
	})
}

func TestMeasureSettingsAPI(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newMeasureWorld(t, db)
		admin := w.as(w.admin)
		body := func(measures []string, threshold, roundTo int64) map[string]any {
			return map[string]any{"measures": measures, "suppression": map[string]any{"threshold": threshold, "round_to": roundTo}}
		}
		admin.do("PUT", "/api/v1/measures/settings", body([]string{"people_supported"}, 21, 5)).
			wantError(http.StatusBadRequest, linkwork.EINVALID, "suppression.threshold")
		admin.do("PUT", "/api/v1/measures/settings", body([]string{"people_supported"}, 7, 0)).
			wantError(http.StatusBadRequest, linkwork.EINVALID, "suppression.round_to")
		admin.do("PUT", "/api/v1/measures/settings", body([]string{"no_such_measure"}, 7, 5)).
			wantError(http.StatusBadRequest, linkwork.EINVALID, "measures")
		admin.do("PUT", "/api/v1/measures/settings", map[string]any{"measures": []string{}}).
			wantError(http.StatusBadRequest, linkwork.EINVALID, "measures")
		admin.do("PUT", "/api/v1/measures/settings", `{"measures": "referrals"}`).wantError(http.StatusBadRequest, linkwork.EINVALID, "measures")
		w.as(w.manager).do("PUT", "/api/v1/measures/settings", body([]string{"referrals"}, 7, 5)).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "")
		w.anon().do("PUT", "/api/v1/measures/settings", body([]string{"referrals"}, 7, 5)).wantError(http.StatusUnauthorized, linkwork.EUNAUTHORIZED, "")

		// With nothing hidden and no rounding, the commissioner sees York Health PCN's 3; the
		// dashboard shows the measures chosen, in order.
		var st linkwork.MeasureSettings
		admin.do("PUT", "/api/v1/measures/settings", body([]string{"people_supported", "referrals"}, 0, 1)).want(http.StatusOK).decode(&st)
		if !slices.Equal(st.Measures, []linkwork.MeasureCode{"people_supported", "referrals"}) || st.Suppression.Threshold != 0 {
			t.Errorf("settings %+v", st)
		}
		var d linkwork.Dashboard
		w.as(w.commissioner).do("GET", "/api/v1/measures/dashboard?scope=organisation&key="+strconv.FormatInt(w.health.ID, 10)+
			"&from="+w.month+"&to="+w.month, nil).want(http.StatusOK).decode(&d)
		if len(d.Results) != 2 || d.Results[0].Definition.Code != linkwork.MeasurePeopleSupported || peopleSupported(t, &d).Text != "3" {
			t.Errorf("after the settings: %d results, people supported %+v", len(d.Results), peopleSupported(t, &d))
		}
		// Leaving the rule out keeps it.
		admin.do("PUT", "/api/v1/measures/settings", map[string]any{"measures": []string{"referrals"}}).want(http.StatusOK).decode(&st)
		if st.Suppression.Threshold != 0 || st.Suppression.RoundTo != 1 {
			t.Errorf("the rule was not kept: %+v", st.Suppression)
		}
	})
}

func TestLocalMeasuresAPI(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newMeasureWorld(t, db)
		admin := w.as(w.admin)
		talks := map[string]any{"name": "Talks to GP practices", "definition": "Talks given to a practice's staff.", "unit": "talks", "about_people": false}
		var m linkwork.LocalMeasure
		admin.do("POST", "/api/v1/measures/local", talks).want(http.StatusCreated).decode(&m)
		if m.ID == 0 || m.PlaceID != w.placeA.ID || m.AboutPeople || m.Retired {
			t.Errorf("measure %+v", m)
		}
		admin.do("POST", "/api/v1/measures/local", talks).wantError(http.StatusBadRequest, linkwork.EINVALID, "name")
		admin.do("POST", "/api/v1/measures/local", map[string]any{"name": "Hours", "definition": "Hours.", "unit": "hours"}).
			wantError(http.StatusBadRequest, linkwork.EINVALID, "about_people")
		w.as(w.manager).do("POST", "/api/v1/measures/local", talks).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "")
		w.anon().do("POST", "/api/v1/measures/local", talks).wantError(http.StatusUnauthorized, linkwork.EUNAUTHORIZED, "")

		// York Health PCN's manager enters its figures, and no one else's.
		last := time.Now().AddDate(0, -1, 0).Format("2006-01")
		values := "/api/v1/measures/local/" + strconv.FormatInt(m.ID, 10) + "/values"
		value := func(org *linkwork.Organisation, month string, v int64) map[string]any {
			return map[string]any{"organisation_id": org.ID, "month": month, "value": v}
		}
		var got linkwork.LocalMeasureValue
		w.as(w.manager).do("PUT", values, value(w.health, last, 4)).want(http.StatusOK).decode(&got)
		if got.Value != 4 || got.OrganisationID != w.health.ID || got.Month.Format("2006-01") != last || got.UpdatedBy != "Mo Manager" {
			t.Errorf("value %+v", got)
		}
		w.as(w.manager).do("PUT", values, value(w.council, last, 4)).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "")
		w.as(w.manager).do("PUT", values, value(w.wakefield, last, 4)).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "")
		w.as(w.manager).do("PUT", values, value(w.health, "2026-13", 4)).wantError(http.StatusBadRequest, linkwork.EINVALID, "month")
		w.as(w.manager).do("PUT", values, value(w.health, time.Now().AddDate(0, 2, 0).Format("2006-01"), 4)).
			wantError(http.StatusBadRequest, linkwork.EINVALID, "month")
		w.as(w.manager).do("PUT", values, map[string]any{"organisation_id": w.health.ID, "month": last}).
			wantError(http.StatusBadRequest, linkwork.EINVALID, "value")
		w.as(w.manager).do("PUT", values, value(w.health, last, -1)).wantError(http.StatusBadRequest, linkwork.EINVALID, "value")
		w.anon().do("PUT", values, value(w.health, last, 4)).wantError(http.StatusUnauthorized, linkwork.EUNAUTHORIZED, "")
		w.as(w.manager).do("PUT", "/api/v1/measures/local/999999/values", value(w.health, last, 4)).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "")
		other := &linkwork.LocalMeasure{PlaceID: w.placeB.ID, Name: "Wakefield talks", Definition: "Talks.", Unit: "talks"}
		must(t, w.svc.Measures.CreateLocalMeasure(t.Context(), other))
		w.as(w.manager).do("PUT", "/api/v1/measures/local/"+strconv.FormatInt(other.ID, 10)+"/values", value(w.health, last, 4)).
			wantError(http.StatusNotFound, linkwork.ENOTFOUND, "")

		// Chosen, the measure is on the dashboard: a figure not about people is never hidden.
		admin.do("PUT", "/api/v1/measures/settings", map[string]any{"measures": []string{string(m.Code())}}).want(http.StatusOK)
		_, err := w.svc.Measures.Aggregate(t.Context(), w.placeA.ID)
		must(t, err)
		var d linkwork.Dashboard
		w.as(w.commissioner).do("GET", "/api/v1/measures/dashboard?from="+last+"&to="+last, nil).want(http.StatusOK).decode(&d)
		if len(d.Results) != 1 || d.Results[0].Headline[0].Text != "4" || d.Results[0].Headline[0].Suppressed {
			t.Errorf("the local measure on the dashboard: %+v", d.Results)
		}
		var cat api.MeasureCatalogue
		admin.do("GET", "/api/v1/measures", nil).want(http.StatusOK).decode(&cat)
		if len(cat.Local) != 1 || cat.Measures[len(cat.Measures)-1].Code != m.Code() || !cat.Measures[len(cat.Measures)-1].Local {
			t.Errorf("catalogue %+v", cat)
		}
	})
}
