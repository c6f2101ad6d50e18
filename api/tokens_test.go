package api_test

import (
	"net/http"
	"strings"
	"testing"

	"linkwork"
	"linkwork/api"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

func TestTokens(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		worker := f.as(f.worker)

		// Create: the secret is in the answer, once.
		var created api.CreatedToken
		worker.do("POST", "/api/v1/tokens", `{"name":"  reporting script "}`).want(http.StatusCreated).decode(&created)
		if !strings.HasPrefix(created.Token, linkwork.APITokenPrefix) || created.APIToken == nil || created.Name != "reporting script" ||
			created.UserID != f.worker.ID || created.PlaceID != f.placeA.ID || !strings.HasPrefix(created.Token, created.Hint) ||
			created.RevokedAt != nil || created.LastUsedAt != nil {
			t.Fatalf("created %+v", created)
		}

		// List: newest first, never with a secret.
		res := worker.do("GET", "/api/v1/tokens", nil).want(http.StatusOK)
		for _, secret := range []string{created.Token, f.tokens[f.worker.ID]} {
			if strings.Contains(string(res.body), secret) || strings.Contains(string(res.body), secret[len(created.Hint):]) {
				t.Error("the token list contains a secret")
			}
		}
		if strings.Contains(string(res.body), `"token"`) {
			t.Error("the token list has a token field")
		}
		l := decodeList[linkwork.APIToken](res)
		if l.Total != 2 || len(l.Items) != 2 || l.Items[0].ID != created.ID || l.Page != 1 || l.PerPage != 2 {
			t.Errorf("token list %+v", l)
		}
		// The fixture's token has been used by now; the new one has not.
		if l.Items[1].LastUsedAt == nil || l.Items[0].LastUsedAt != nil {
			t.Errorf("last_used_at: new %v, used %v", l.Items[0].LastUsedAt, l.Items[1].LastUsedAt)
		}
		// Each user sees only their own tokens.
		other := decodeList[linkwork.APIToken](f.as(f.admin).do("GET", "/api/v1/tokens", nil).want(http.StatusOK))
		if other.Total != 1 || other.Items[0].UserID != f.admin.ID {
			t.Errorf("admin's token list %+v", other)
		}

		// The new token works, and acts as its user.
		newToken := f.bearer(created.Token)
		var me api.Me
		newToken.do("GET", "/api/v1/me", nil).want(http.StatusOK).decode(&me)
		if me.User.ID != f.worker.ID {
			t.Errorf("the new token is user %d", me.User.ID)
		}

		// Revoke: other users' tokens are not found; the revoked token is refused.
		f.as(f.admin).do("DELETE", path("/api/v1/tokens/%d", created.ID), nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
		newToken.do("GET", "/api/v1/me", nil).want(http.StatusOK)
		worker.do("DELETE", path("/api/v1/tokens/%d", created.ID), nil).want(http.StatusNoContent)
		newToken.do("GET", "/api/v1/me", nil).wantError(http.StatusUnauthorized, linkwork.EUNAUTHORIZED, "-")
		newToken.do("GET", "/api/v1/tokens", nil).wantError(http.StatusUnauthorized, linkwork.EUNAUTHORIZED, "-")
		worker.do("DELETE", path("/api/v1/tokens/%d", created.ID), nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
		for _, id := range []string{"999999", "0", "abc"} {
			worker.do("DELETE", "/api/v1/tokens/"+id, nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
		}
		l = decodeList[linkwork.APIToken](worker.do("GET", "/api/v1/tokens", nil).want(http.StatusOK))
		if l.Total != 2 || l.Items[0].RevokedAt == nil || l.Items[1].RevokedAt != nil {
			t.Errorf("after revoking: %+v", l.Items)
		}

		// A token can revoke itself, and is refused at once.
		var self api.CreatedToken
		worker.do("POST", "/api/v1/tokens", `{"name":"short-lived"}`).want(http.StatusCreated).decode(&self)
		f.bearer(self.Token).do("DELETE", path("/api/v1/tokens/%d", self.ID), nil).want(http.StatusNoContent)
		f.bearer(self.Token).do("DELETE", path("/api/v1/tokens/%d", self.ID), nil).wantError(http.StatusUnauthorized, linkwork.EUNAUTHORIZED, "-")

		// Names are checked.
		worker.do("POST", "/api/v1/tokens", `{"name":""}`).wantError(http.StatusBadRequest, linkwork.EINVALID, "name")
		worker.do("POST", "/api/v1/tokens", `{}`).wantError(http.StatusBadRequest, linkwork.EINVALID, "name")
		worker.do("POST", "/api/v1/tokens", `{"name":"`+strings.Repeat("n", 81)+`"}`).wantError(http.StatusBadRequest, linkwork.EINVALID, "name")

		// Creating and revoking are audited, with the worker as actor.
		events, _, err := f.svc.Audit.ListAudit(t.Context(), linkwork.AuditFilter{Action: "token.", ActorUserID: f.worker.ID,
			Page: linkwork.Page{Number: 1, Size: 10}})
		must(t, err)
		var actions []string
		for _, e := range events {
			actions = append(actions, e.Action)
		}
		if strings.Join(actions, " ") != "token.revoke token.create token.revoke token.create" {
			t.Errorf("token events %v", actions)
		}
	})
}
