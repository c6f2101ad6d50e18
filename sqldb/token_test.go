package sqldb_test

import (
	"strings"
	"testing"
	"time"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

func TestTokens(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		ts := w.svc.Tokens
		ctx := t.Context()
		other := mustUser(t, db, "bob@york.example", "Bob", w.gp.ID, linkwork.RoleLinkWorker)

		secret, tok, err := ts.CreateToken(ctx, w.admin.ID, w.york.ID, "  nightly export ")
		must(t, err)
		if !strings.HasPrefix(secret, linkwork.APITokenPrefix) || len(secret) < len(linkwork.APITokenPrefix)+40 {
			t.Fatalf("secret %q does not start with %q or is short", secret, linkwork.APITokenPrefix)
		}
		if tok.ID == 0 || tok.UserID != w.admin.ID || tok.PlaceID != w.york.ID || tok.Name != "nightly export" ||
			tok.Hint != secret[:len(linkwork.APITokenPrefix)+6] || !tok.CreatedAt.Equal(w.clock.now) ||
			tok.LastUsedAt != nil || tok.RevokedAt != nil {
			t.Fatalf("created %+v", tok)
		}
		e := oneAudit(t, db, linkwork.AuditTokenCreate, idStr(tok.ID))
		if e.PlaceID != w.york.ID || e.RecordType != "api_token" || strings.Contains(e.Detail, secret) {
			t.Fatalf("token.create event: %+v", e)
		}

		for _, name := range []string{"", "  ", strings.Repeat("n", 81), "two\nlines"} {
			_, _, err := ts.CreateToken(ctx, w.admin.ID, w.york.ID, name)
			wantCode(t, err, linkwork.EINVALID, "name")
		}
		_, _, err = ts.CreateToken(ctx, w.admin.ID+1000, w.york.ID, "no such user")
		wantCode(t, err, linkwork.EINVALID, "")

		// Only the hash of the secret is kept; the hint is the only part of it stored.
		text, err := db.TableText(ctx, "api_tokens")
		must(t, err)
		random := strings.TrimPrefix(secret, linkwork.APITokenPrefix)
		if strings.Contains(text, random[:12]) || !strings.Contains(text, linkwork.SecretHash(secret)) {
			t.Fatalf("api_tokens holds the secret, or not its hash: %s", text)
		}

		got, err := ts.FindTokenBySecret(ctx, secret)
		must(t, err)
		if got.ID != tok.ID || got.Name != tok.Name || got.LastUsedAt == nil || !got.LastUsedAt.Equal(w.clock.now) {
			t.Fatalf("FindTokenBySecret: got %+v", got)
		}
		firstUse := w.clock.now
		w.clock.advance(30 * time.Second)
		got, err = ts.FindTokenBySecret(ctx, secret)
		must(t, err)
		if !got.LastUsedAt.Equal(firstUse) {
			t.Fatalf("last used moved to %v within a minute", got.LastUsedAt)
		}
		w.clock.advance(2 * time.Minute)
		_, err = ts.FindTokenBySecret(ctx, secret)
		must(t, err)
		list, err := ts.ListTokens(ctx, w.admin.ID)
		must(t, err)
		if len(list) != 1 || list[0].LastUsedAt == nil || !list[0].LastUsedAt.Equal(w.clock.now) {
			t.Fatalf("ListTokens after use: %+v", list)
		}

		for _, wrong := range []string{"", random, secret + "x", linkwork.APITokenPrefix, linkwork.APITokenPrefix + linkwork.NewSecret()} {
			_, err := ts.FindTokenBySecret(ctx, wrong)
			wantCode(t, err, linkwork.ENOTFOUND, "")
		}

		secret2, tok2, err := ts.CreateToken(ctx, w.admin.ID, w.york.ID, "second")
		must(t, err)
		_, otherTok, err := ts.CreateToken(ctx, other.ID, w.york.ID, "bob's")
		must(t, err)

		// Another user cannot revoke it.
		wantCode(t, ts.RevokeToken(ctx, other.ID, tok.ID), linkwork.ENOTFOUND, "")
		wantCode(t, ts.RevokeToken(ctx, w.admin.ID, tok.ID+1000), linkwork.ENOTFOUND, "")
		if _, err := ts.FindTokenBySecret(ctx, secret); err != nil {
			t.Fatalf("token gone after a refused revoke: %v", err)
		}

		w.clock.advance(time.Minute)
		must(t, ts.RevokeToken(ctx, w.admin.ID, tok.ID))
		_, err = ts.FindTokenBySecret(ctx, secret)
		wantCode(t, err, linkwork.ENOTFOUND, "")
		wantCode(t, ts.RevokeToken(ctx, w.admin.ID, tok.ID), linkwork.ENOTFOUND, "")
		if _, err := ts.FindTokenBySecret(ctx, secret2); err != nil {
			t.Fatalf("revoking one token revoked another: %v", err)
		}
		e = oneAudit(t, db, linkwork.AuditTokenRevoke, idStr(tok.ID))
		if e.PlaceID != w.york.ID || e.RecordType != "api_token" {
			t.Fatalf("token.revoke event: %+v", e)
		}

		list, err = ts.ListTokens(ctx, w.admin.ID)
		must(t, err)
		if len(list) != 2 || list[0].ID != tok2.ID || list[1].ID != tok.ID {
			t.Fatalf("ListTokens: got %+v, want the second token then the first", list)
		}
		if list[0].RevokedAt != nil || list[1].RevokedAt == nil || !list[1].RevokedAt.Equal(w.clock.now) {
			t.Fatalf("ListTokens revoked_at: %v, %v", list[0].RevokedAt, list[1].RevokedAt)
		}
		list, err = ts.ListTokens(ctx, other.ID)
		must(t, err)
		if len(list) != 1 || list[0].ID != otherTok.ID {
			t.Fatalf("ListTokens of another user: %+v", list)
		}
		list, err = ts.ListTokens(ctx, other.ID+1000)
		must(t, err)
		if len(list) != 0 {
			t.Fatalf("ListTokens of nobody: %+v", list)
		}
	})
}
