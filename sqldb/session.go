package sqldb

import (
	"context"
	"time"

	"linkwork"
)

// SessionService keeps browser sessions.
type SessionService struct{ db *DB }

// NewSessionService returns the sessions of db.
func NewSessionService(db *DB) *SessionService { return &SessionService{db: db} }

var _ linkwork.SessionService = (*SessionService)(nil)

// CreateSession starts a session, records the sign-in and returns the cookie's secret.
func (s *SessionService) CreateSession(ctx context.Context, userID, placeID int64, ip, userAgent string) (string, *linkwork.Session, error) {
	secret := linkwork.NewSecret()
	now := s.db.Now()
	if len(userAgent) > 300 {
		userAgent = userAgent[:300]
	}
	sess := &linkwork.Session{UserID: userID, PlaceID: placeID, CreatedAt: now, LastSeenAt: now,
		ExpiresAt: now.Add(linkwork.SessionMaxAge), IP: ip, UserAgent: userAgent}
	err := s.db.tx(ctx, func(c conn) error {
		// Sweep expired sessions now and then, so that the table does not grow forever.
		if _, err := c.exec(ctx, "DELETE FROM sessions WHERE expires_at < ? OR last_seen_at < ?",
			now, now.Add(-linkwork.SessionIdleTimeout)); err != nil {
			return err
		}
		id, err := c.insert(ctx, `INSERT INTO sessions (secret_hash, user_id, place_id, created_at, last_seen_at, expires_at,
			ip, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, linkwork.SecretHash(secret), userID, placeID, now, now,
			sess.ExpiresAt, ip, userAgent)
		if err != nil {
			return err
		}
		sess.ID = id
		return s.db.audit(ctx, c, &linkwork.AuditEvent{ActorUserID: userID, PlaceID: placeID, Action: linkwork.AuditSignIn,
			RecordType: "user", RecordID: idString(userID), IP: ip})
	})
	if err != nil {
		return "", nil, err
	}
	return secret, sess, nil
}

// FindSession returns the live session for a secret.
func (s *SessionService) FindSession(ctx context.Context, secret string) (*linkwork.Session, error) {
	sess := &linkwork.Session{}
	c := s.db.read()
	err := c.queryRow(ctx, `SELECT id, user_id, place_id, created_at, last_seen_at, expires_at, ip, user_agent
		FROM sessions WHERE secret_hash = ?`, []any{linkwork.SecretHash(secret)},
		&sess.ID, &sess.UserID, &sess.PlaceID, &sess.CreatedAt, &sess.LastSeenAt, &sess.ExpiresAt, &sess.IP, &sess.UserAgent)
	if err != nil {
		return nil, notFound(err, "Session")
	}
	sess.CreatedAt, sess.LastSeenAt, sess.ExpiresAt = sess.CreatedAt.UTC(), sess.LastSeenAt.UTC(), sess.ExpiresAt.UTC()
	now := s.db.Now()
	if !now.Before(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) >= linkwork.SessionIdleTimeout {
		_, _ = c.exec(ctx, "DELETE FROM sessions WHERE id = ?", sess.ID)
		return nil, linkwork.Errorf(linkwork.ENOTFOUND, "Your session has ended. Please sign in again.")
	}
	// Writing on every request would make every page a write; a minute is fine-grained
	// enough for a two-hour idle timeout.
	if now.Sub(sess.LastSeenAt) > time.Minute {
		if _, err := c.exec(ctx, "UPDATE sessions SET last_seen_at = ? WHERE id = ?", now, sess.ID); err != nil {
			return nil, err
		}
		sess.LastSeenAt = now
	}
	return sess, nil
}

// DeleteSession ends a session (signing out) and records it.
func (s *SessionService) DeleteSession(ctx context.Context, secret string) error {
	return s.db.tx(ctx, func(c conn) error {
		var userID, placeID int64
		err := c.queryRow(ctx, "DELETE FROM sessions WHERE secret_hash = ? RETURNING user_id, place_id",
			[]any{linkwork.SecretHash(secret)}, &userID, &placeID)
		if err != nil {
			return notFound(err, "Session")
		}
		return s.db.audit(ctx, c, &linkwork.AuditEvent{ActorUserID: userID, PlaceID: placeID, Action: linkwork.AuditSignOut,
			RecordType: "user", RecordID: idString(userID)})
	})
}

// DeleteUserSessions ends every session of a user but one.
func (s *SessionService) DeleteUserSessions(ctx context.Context, userID, except int64) error {
	_, err := s.db.read().exec(ctx, "DELETE FROM sessions WHERE user_id = ? AND id <> ?", userID, except)
	return err
}

// SetSessionPlace moves a session to another place.
func (s *SessionService) SetSessionPlace(ctx context.Context, sessionID, placeID int64) error {
	res, err := s.db.read().exec(ctx, "UPDATE sessions SET place_id = ? WHERE id = ?", placeID, sessionID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return linkwork.Errorf(linkwork.ENOTFOUND, "Session not found.")
	}
	return nil
}
