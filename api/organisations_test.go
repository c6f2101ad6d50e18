package api_test

import (
	"net/http"
	"strings"
	"testing"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

func TestOrganisations(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		admin, worker := f.as(f.admin), f.as(f.worker)

		// Everyone in the place sees its organisations, by name, and none of another place.
		l := decodeList[linkwork.Organisation](worker.do("GET", "/api/v1/organisations", nil).want(http.StatusOK))
		if l.Total != 2 || len(l.Items) != 2 || l.Items[0].ID != f.council.ID || l.Items[1].ID != f.health.ID {
			t.Errorf("link worker's list: %+v", l)
		}
		l = decodeList[linkwork.Organisation](f.as(f.adminB).do("GET", "/api/v1/organisations", nil).want(http.StatusOK))
		if l.Total != 1 || l.Items[0].ID != f.wakefield.ID {
			t.Errorf("place B's list: %+v", l)
		}
		l = decodeList[linkwork.Organisation](worker.do("GET", "/api/v1/organisations?sector=nhs", nil).want(http.StatusOK))
		if l.Total != 1 || l.Items[0].ID != f.health.ID {
			t.Errorf("nhs list: %+v", l)
		}
		l = decodeList[linkwork.Organisation](worker.do("GET", "/api/v1/organisations?sector=police", nil).want(http.StatusOK))
		if l.Total != 0 || len(l.Items) != 0 {
			t.Errorf("police list: %+v", l)
		}
		e := worker.do("GET", "/api/v1/organisations?sector=hospital", nil).wantError(http.StatusBadRequest, linkwork.EINVALID, "sector")
		if !strings.Contains(e.Message, linkwork.SectorIdentifiers()) {
			t.Errorf("sector message %q does not list the sectors", e.Message)
		}

		// Get: own place only; another place's organisation does not exist.
		var o linkwork.Organisation
		worker.do("GET", path("/api/v1/organisations/%d", f.health.ID), nil).want(http.StatusOK).decode(&o)
		if o.ID != f.health.ID || o.Name != f.health.Name || o.Sector != linkwork.SectorNHS || o.PlaceID != f.placeA.ID {
			t.Errorf("got %+v", o)
		}
		admin.do("GET", path("/api/v1/organisations/%d", f.wakefield.ID), nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
		f.as(f.adminB).do("GET", path("/api/v1/organisations/%d", f.council.ID), nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
		for _, id := range []string{"999999", "0", "-1", "abc", "1e3"} {
			admin.do("GET", "/api/v1/organisations/"+id, nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
		}

		// Create: administrators only.
		var created linkwork.Organisation
		res := admin.do("POST", "/api/v1/organisations", map[string]any{"name": "  York CVS ", "sector": "vcse"}).want(http.StatusCreated)
		res.decode(&created)
		if created.ID == 0 || created.Name != "York CVS" || created.Sector != linkwork.SectorVCSE || created.PlaceID != f.placeA.ID {
			t.Errorf("created %+v", created)
		}
		if loc := res.header.Get("Location"); loc != path("/api/v1/organisations/%d", created.ID) {
			t.Errorf("Location %q", loc)
		}
		admin.do("POST", "/api/v1/organisations", `{"name":"york cvs","sector":"vcse"}`).wantError(http.StatusBadRequest, linkwork.EINVALID, "name")
		admin.do("POST", "/api/v1/organisations", `{"name":"","sector":"vcse"}`).wantError(http.StatusBadRequest, linkwork.EINVALID, "name")
		admin.do("POST", "/api/v1/organisations", `{"name":"`+strings.Repeat("x", 201)+`","sector":"vcse"}`).wantError(http.StatusBadRequest, linkwork.EINVALID, "name")
		admin.do("POST", "/api/v1/organisations", `{"name":"Line\nbreak","sector":"vcse"}`).wantError(http.StatusBadRequest, linkwork.EINVALID, "name")
		admin.do("POST", "/api/v1/organisations", `{"name":"No sector"}`).wantError(http.StatusBadRequest, linkwork.EINVALID, "sector")
		admin.do("POST", "/api/v1/organisations", `{"name":"Bad sector","sector":"NHS"}`).wantError(http.StatusBadRequest, linkwork.EINVALID, "sector")
		// The same name in another place is fine.
		f.as(f.adminB).do("POST", "/api/v1/organisations", `{"name":"York CVS","sector":"vcse"}`).want(http.StatusCreated)
		for _, u := range []*linkwork.User{f.worker, f.manager, f.councilWorker} {
			f.as(u).do("POST", "/api/v1/organisations", `{"name":"Mine","sector":"other"}`).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
		}

		// Update: absent or null fields are unchanged.
		target := path("/api/v1/organisations/%d", created.ID)
		var upd linkwork.Organisation
		admin.do("PATCH", target, `{"name":"York Centre for Voluntary Service"}`).want(http.StatusOK).decode(&upd)
		if upd.Name != "York Centre for Voluntary Service" || upd.Sector != linkwork.SectorVCSE || !upd.UpdatedAt.After(created.UpdatedAt) && !upd.UpdatedAt.Equal(created.UpdatedAt) {
			t.Errorf("after rename: %+v", upd)
		}
		admin.do("PATCH", target, `{"sector":"faith","name":null}`).want(http.StatusOK).decode(&upd)
		if upd.Name != "York Centre for Voluntary Service" || upd.Sector != linkwork.SectorFaith {
			t.Errorf("after sector change: %+v", upd)
		}
		admin.do("PATCH", target, `{}`).want(http.StatusOK).decode(&upd)
		if upd.Sector != linkwork.SectorFaith {
			t.Errorf("after empty patch: %+v", upd)
		}
		admin.do("PATCH", target, `{"sector":"church"}`).wantError(http.StatusBadRequest, linkwork.EINVALID, "sector")
		admin.do("PATCH", target, `{"name":""}`).wantError(http.StatusBadRequest, linkwork.EINVALID, "name")
		admin.do("PATCH", target, `{"name":"york health pcn"}`).wantError(http.StatusBadRequest, linkwork.EINVALID, "name")
		admin.do("PATCH", path("/api/v1/organisations/%d", f.wakefield.ID), `{"name":"Taken over"}`).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
		admin.do("PATCH", "/api/v1/organisations/999999", `{"name":"Nobody"}`).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
		worker.do("PATCH", target, `{"name":"Mine now"}`).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
		f.as(f.manager).do("PATCH", target, `{"name":"Mine now"}`).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
		var still linkwork.Organisation
		f.as(f.adminB).do("GET", path("/api/v1/organisations/%d", f.wakefield.ID), nil).want(http.StatusOK).decode(&still)
		if still.Name != f.wakefield.Name {
			t.Errorf("place B's organisation changed: %+v", still)
		}

		// The changes are audited.
		events, _, err := f.svc.Audit.ListAudit(t.Context(), linkwork.AuditFilter{PlaceID: f.placeA.ID, Action: "organisation.",
			RecordID: idString(created.ID), Page: linkwork.Page{Number: 1, Size: 10}})
		must(t, err)
		if len(events) != 4 || events[3].Action != linkwork.AuditOrgCreate || events[0].ActorUserID != f.admin.ID {
			t.Errorf("audit of organisation %d: %d events %+v", created.ID, len(events), events)
		}
	})
}
