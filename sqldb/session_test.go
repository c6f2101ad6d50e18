package sqldb_test

import (
	"strings"
	"testing"
	"time"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

func TestSessions(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		ss := w.svc.Sessions
		ctx := t.Context()

		ua := strings.Repeat("Mozilla/5.0 ", 40) // 480 bytes
		secret, sess, err := ss.CreateSession(ctx, w.admin.ID, w.york.ID, "192.0.2.7", ua)
		must(t, err)
		if secret == "" || sess.ID == 0 || sess.UserID != w.admin.ID || sess.PlaceID != w.york.ID ||
			!sess.CreatedAt.Equal(w.clock.now) || !sess.LastSeenAt.Equal(w.clock.now) ||
			!sess.ExpiresAt.Equal(w.clock.now.Add(linkwork.SessionMaxAge)) || len(sess.UserAgent) != 300 {
			t.Fatalf("created %+v", sess)
		}
		got, err := ss.FindSession(ctx, secret)
		must(t, err)
		if got.ID != sess.ID || got.UserID != w.admin.ID || got.PlaceID != w.york.ID || got.IP != "192.0.2.7" ||
			got.UserAgent != sess.UserAgent || !got.ExpiresAt.Equal(sess.ExpiresAt) || !got.CreatedAt.Equal(sess.CreatedAt) {
			t.Fatalf("FindSession: got %+v, want %+v", got, sess)
		}
		_, err = ss.FindSession(ctx, "not-a-session")
		wantCode(t, err, linkwork.ENOTFOUND, "")
		_, err = ss.FindSession(ctx, "")
		wantCode(t, err, linkwork.ENOTFOUND, "")

		e := oneAudit(t, db, linkwork.AuditSignIn, idStr(w.admin.ID))
		if e.ActorUserID != w.admin.ID || e.PlaceID != w.york.ID || e.IP != "192.0.2.7" {
			t.Fatalf("sign_in event: %+v", e)
		}

		// Only the hash of the secret is kept.
		text, err := db.TableText(ctx, "sessions")
		must(t, err)
		if strings.Contains(text, secret) || !strings.Contains(text, linkwork.SecretHash(secret)) {
			t.Fatalf("sessions table holds the secret, or not its hash: %s", text)
		}

		// Use keeps a session alive past the idle timeout, noting the time at most once a minute.
		w.clock.advance(30 * time.Second)
		got, err = ss.FindSession(ctx, secret)
		must(t, err)
		if !got.LastSeenAt.Equal(sess.CreatedAt) {
			t.Fatalf("last seen moved to %v within a minute", got.LastSeenAt)
		}
		w.clock.advance(linkwork.SessionIdleTimeout - time.Minute)
		got, err = ss.FindSession(ctx, secret)
		must(t, err)
		if !got.LastSeenAt.Equal(w.clock.now) {
			t.Fatalf("last seen %v, want %v", got.LastSeenAt, w.clock.now)
		}
		w.clock.advance(linkwork.SessionIdleTimeout - time.Second)
		_, err = ss.FindSession(ctx, secret)
		must(t, err)

		// Idle for the timeout: gone, and gone for good.
		w.clock.advance(linkwork.SessionIdleTimeout)
		_, err = ss.FindSession(ctx, secret)
		wantCode(t, err, linkwork.ENOTFOUND, "")
		w.clock.advance(-linkwork.SessionIdleTimeout)
		_, err = ss.FindSession(ctx, secret)
		wantCode(t, err, linkwork.ENOTFOUND, "")

		// However busy, a session ends at its maximum age.
		secret, sess, err = ss.CreateSession(ctx, w.admin.ID, w.york.ID, "192.0.2.8", "test")
		must(t, err)
		step := time.Hour + 59*time.Minute
		for elapsed := step; elapsed < linkwork.SessionMaxAge; elapsed += step {
			w.clock.advance(step)
			if _, err := ss.FindSession(ctx, secret); err != nil {
				t.Fatalf("after %v of use: %v", elapsed, err)
			}
		}
		w.clock.now = sess.ExpiresAt.Add(-time.Microsecond)
		_, err = ss.FindSession(ctx, secret)
		must(t, err)
		w.clock.now = sess.ExpiresAt
		_, err = ss.FindSession(ctx, secret)
		wantCode(t, err, linkwork.ENOTFOUND, "")
		if n := countRows(t, db, "sessions", "id = ?", sess.ID); n != 0 {
			t.Fatalf("the expired session is still stored")
		}
	})
}

func TestSessionSweep(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		ctx := t.Context()
		_, _, err := w.svc.Sessions.CreateSession(ctx, w.admin.ID, w.york.ID, "", "")
		must(t, err)
		w.clock.advance(linkwork.SessionIdleTimeout + time.Minute)
		_, _, err = w.svc.Sessions.CreateSession(ctx, w.admin.ID, w.york.ID, "", "")
		must(t, err)
		if n := countRows(t, db, "sessions", ""); n != 1 {
			t.Fatalf("%d sessions stored, want the idle one swept away", n)
		}
	})
}

func TestDeleteSessions(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		ss := w.svc.Sessions
		ctx := t.Context()
		other := mustUser(t, db, "bob@york.example", "Bob", w.gp.ID, linkwork.RoleLinkWorker)
		var secrets []string
		var ids []int64
		for range 3 {
			s, sess, err := ss.CreateSession(ctx, w.admin.ID, w.york.ID, "", "")
			must(t, err)
			secrets, ids = append(secrets, s), append(ids, sess.ID)
		}
		otherSecret, _, err := ss.CreateSession(ctx, other.ID, w.york.ID, "", "")
		must(t, err)

		must(t, ss.DeleteSession(ctx, secrets[0]))
		_, err = ss.FindSession(ctx, secrets[0])
		wantCode(t, err, linkwork.ENOTFOUND, "")
		wantCode(t, ss.DeleteSession(ctx, secrets[0]), linkwork.ENOTFOUND, "")
		e := oneAudit(t, db, linkwork.AuditSignOut, idStr(w.admin.ID))
		if e.ActorUserID != w.admin.ID || e.PlaceID != w.york.ID {
			t.Fatalf("sign_out event: %+v", e)
		}

		must(t, ss.DeleteUserSessions(ctx, w.admin.ID, ids[1]))
		if _, err := ss.FindSession(ctx, secrets[1]); err != nil {
			t.Fatalf("the excepted session ended: %v", err)
		}
		_, err = ss.FindSession(ctx, secrets[2])
		wantCode(t, err, linkwork.ENOTFOUND, "")
		if _, err := ss.FindSession(ctx, otherSecret); err != nil {
			t.Fatalf("another user's session ended: %v", err)
		}
		must(t, ss.DeleteUserSessions(ctx, w.admin.ID, 0))
		_, err = ss.FindSession(ctx, secrets[1])
		wantCode(t, err, linkwork.ENOTFOUND, "")
		if _, err := ss.FindSession(ctx, otherSecret); err != nil {
			t.Fatalf("another user's session ended: %v", err)
		}
	})
}

func TestSetSessionPlace(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		ss := w.svc.Sessions
		ctx := t.Context()
		leeds := mustPlace(t, db, "Leeds")
		secret, sess, err := ss.CreateSession(ctx, w.admin.ID, w.york.ID, "", "")
		must(t, err)
		must(t, ss.SetSessionPlace(ctx, sess.ID, leeds.ID))
		got, err := ss.FindSession(ctx, secret)
		must(t, err)
		if got.PlaceID != leeds.ID {
			t.Fatalf("place %d after SetSessionPlace, want %d", got.PlaceID, leeds.ID)
		}
		wantCode(t, ss.SetSessionPlace(ctx, sess.ID, leeds.ID+1000), linkwork.EINVALID, "")
		got, err = ss.FindSession(ctx, secret)
		must(t, err)
		if got.PlaceID != leeds.ID {
			t.Fatalf("a refused SetSessionPlace changed the place to %d", got.PlaceID)
		}
	})
}
