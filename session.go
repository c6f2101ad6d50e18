package linkwork

import (
	"context"
	"time"
)

// Sessions end after this long without a request, and after SessionMaxAge whatever happens.
// Two idle hours cover a 45-minute appointment with time to write it up.
const (
	SessionIdleTimeout = 2 * time.Hour
	SessionMaxAge      = 12 * time.Hour
)

// Session is a signed-in browser. It lives in the database so that any instance can serve
// any user; the cookie holds a secret whose hash is the session's key.
type Session struct {
	ID         int64
	UserID     int64
	PlaceID    int64
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	IP         string
	UserAgent  string
}

// SessionService keeps sessions.
type SessionService interface {
	// CreateSession starts a session and returns the secret for the cookie.
	CreateSession(ctx context.Context, userID, placeID int64, ip, userAgent string) (string, *Session, error)
	// FindSession returns the live session for a secret, or ENOTFOUND when there is none or
	// it has expired. It records the request time, at most once a minute.
	FindSession(ctx context.Context, secret string) (*Session, error)
	// DeleteSession ends the session with this secret.
	DeleteSession(ctx context.Context, secret string) error
	// DeleteUserSessions ends every session of a user but the one with ID except (0 for all).
	DeleteUserSessions(ctx context.Context, userID, except int64) error
	// SetSessionPlace changes the place a session works in.
	SetSessionPlace(ctx context.Context, sessionID, placeID int64) error
}
