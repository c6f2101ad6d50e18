package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

func TestAudit(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		admin := f.as(f.admin)
		// Some events: a user read, an organisation created, and one in place B.
		admin.do("GET", path("/api/v1/users/%d", f.worker.ID), nil).want(http.StatusOK)
		admin.do("POST", "/api/v1/organisations", `{"name":"York CVS","sector":"vcse"}`).want(http.StatusCreated)
		f.as(f.adminB).do("GET", path("/api/v1/users/%d", f.adminB.ID), nil).want(http.StatusOK)

		// The action filter takes a prefix ending in ".".
		l := decodeList[linkwork.AuditEvent](admin.do("GET", "/api/v1/audit?action=user.", nil).want(http.StatusOK))
		if l.Total == 0 || len(l.Items) != l.Total {
			t.Fatalf("user. events: total %d, %d items", l.Total, len(l.Items))
		}
		seenView := false
		for _, e := range l.Items {
			if !strings.HasPrefix(e.Action, "user.") {
				t.Errorf("action=user. gave %s", e.Action)
			}
			if e.PlaceID != f.placeA.ID {
				t.Errorf("place A's trail has an event of place %d: %+v", e.PlaceID, e)
			}
			if e.Action == linkwork.AuditUserView {
				seenView = true
				if e.RecordID != idString(f.worker.ID) || e.ActorUserID != f.admin.ID || e.ActorLabel != f.admin.Email {
					t.Errorf("user.view event %+v", e)
				}
			}
		}
		if !seenView {
			t.Error("no user.view event")
		}
		for i := 1; i < len(l.Items); i++ {
			if l.Items[i].ID > l.Items[i-1].ID {
				t.Errorf("events are not newest first: %d before %d", l.Items[i-1].ID, l.Items[i].ID)
			}
		}
		// An exact action, and the prefix without its dot, which is exact and matches nothing.
		l = decodeList[linkwork.AuditEvent](admin.do("GET", "/api/v1/audit?action=user.create", nil).want(http.StatusOK))
		if l.Total != 4 {
			t.Errorf("user.create in place A: %d, want the fixture's 4", l.Total)
		}
		l = decodeList[linkwork.AuditEvent](admin.do("GET", "/api/v1/audit?action=user", nil).want(http.StatusOK))
		if l.Total != 0 {
			t.Errorf("action=user matched %d events", l.Total)
		}

		// Listing the trail is itself recorded, with its query.
		l = decodeList[linkwork.AuditEvent](admin.do("GET", "/api/v1/audit?action=audit.view", nil).want(http.StatusOK))
		if l.Total != 3 || l.Items[0].Detail != "api: action=user" || l.Items[0].ActorUserID != f.admin.ID || l.Items[0].RecordType != "audit" {
			t.Errorf("audit.view events: %+v", l.Items)
		}

		// Record, actor and time filters.
		q := url.Values{"record_type": {"user"}, "record_id": {idString(f.worker.ID)}}
		l = decodeList[linkwork.AuditEvent](admin.do("GET", "/api/v1/audit?"+q.Encode(), nil).want(http.StatusOK))
		for _, e := range l.Items {
			if e.RecordType != "user" || e.RecordID != idString(f.worker.ID) {
				t.Errorf("record filter gave %+v", e)
			}
		}
		if l.Total != 2 { // created, viewed
			t.Errorf("events about the worker: %d, want 2", l.Total)
		}
		l = decodeList[linkwork.AuditEvent](admin.do("GET", path("/api/v1/audit?actor_user_id=%d&action=organisation.create", f.admin.ID), nil).want(http.StatusOK))
		if l.Total != 1 || l.Items[0].Detail != "York CVS (vcse)" {
			t.Errorf("admin's organisation.create events: %+v", l.Items)
		}
		now := time.Now().UTC()
		q = url.Values{"from": {now.Add(time.Hour).Format(time.RFC3339)}}
		l = decodeList[linkwork.AuditEvent](admin.do("GET", "/api/v1/audit?"+q.Encode(), nil).want(http.StatusOK))
		if l.Total != 0 {
			t.Errorf("events from an hour ahead: %d", l.Total)
		}
		q = url.Values{"from": {now.Add(-time.Hour).Format(time.RFC3339)}, "to": {now.Add(time.Hour).Format(time.RFC3339)}, "action": {"user.view"}}
		l = decodeList[linkwork.AuditEvent](admin.do("GET", "/api/v1/audit?"+q.Encode(), nil).want(http.StatusOK))
		if l.Total != 1 {
			t.Errorf("user.view events this hour: %d, want 1", l.Total)
		}
		q = url.Values{"to": {now.Add(-time.Hour).Format(time.RFC3339)}}
		l = decodeList[linkwork.AuditEvent](admin.do("GET", "/api/v1/audit?"+q.Encode(), nil).want(http.StatusOK))
		if l.Total != 0 {
			t.Errorf("events before an hour ago: %d", l.Total)
		}

		// Bad filters name their field.
		for _, c := range []struct{ query, field string }{
			{"actor_user_id=abc", "actor_user_id"},
			{"actor_user_id=0", "actor_user_id"},
			{"from=yesterday", "from"},
			{"from=2026-11-21", "from"},
			{"to=2026-11-21T09:00:00", "to"},
		} {
			e := admin.do("GET", "/api/v1/audit?"+c.query, nil).wantError(http.StatusBadRequest, linkwork.EINVALID, c.field)
			if !strings.Contains(e.Message, c.field) {
				t.Errorf("%s: message %q", c.query, e.Message)
			}
		}

		// Only administrators read the trail, and only their place's.
		for _, u := range []*linkwork.User{f.manager, f.worker} {
			f.as(u).do("GET", "/api/v1/audit", nil).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
		}
		l = decodeList[linkwork.AuditEvent](f.as(f.adminB).do("GET", "/api/v1/audit?per_page=200", nil).want(http.StatusOK))
		for _, e := range l.Items {
			if e.PlaceID != f.placeB.ID {
				t.Errorf("place B's trail has %+v", e)
			}
		}
	})
}
