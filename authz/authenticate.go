package authz

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net"
	"net/http"
	"strings"

	"linkwork"
)

// SessionCookie is the name of the cookie that carries a browser session's secret.
const SessionCookie = "linkwork_session"

// Authenticator finds the principal behind a request: a browser session cookie or an API
// bearer token. A request with neither goes on anonymously; one with a bad bearer token is
// refused, because a script that sends a token means to be someone.
type Authenticator struct {
	Services linkwork.Services
	Logger   *slog.Logger
	// Unauthorized answers a request whose bearer token is not valid.
	Unauthorized func(w http.ResponseWriter, r *http.Request, message string)
	// SecureCookies marks cookies Secure (set when served over HTTPS).
	SecureCookies bool
}

// Middleware puts the principal (if any) and the audit actor in the request's context.
func (a *Authenticator) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		actor := linkwork.Actor{Label: "anonymous", IP: ClientIP(r), RequestID: RequestID(ctx)}
		var p *linkwork.Principal
		var err error
		if h := r.Header.Get("Authorization"); h != "" {
			scheme, secret, _ := strings.Cut(h, " ")
			if !strings.EqualFold(scheme, "Bearer") || secret == "" {
				a.Unauthorized(w, r, "The Authorization header must be \"Bearer\" followed by an API token.")
				return
			}
			p, err = a.fromToken(ctx, strings.TrimSpace(secret))
			if linkwork.ErrorCode(err) == linkwork.ENOTFOUND {
				a.Unauthorized(w, r, "That API token is not valid or has been revoked.")
				return
			}
		} else if c, cerr := r.Cookie(SessionCookie); cerr == nil && c.Value != "" {
			p, err = a.fromSession(ctx, c.Value)
			if linkwork.ErrorCode(err) == linkwork.ENOTFOUND {
				a.ClearCookie(w)
				err, p = nil, nil
			}
		}
		if err != nil {
			a.Logger.Error("authenticate", "err", err, "request_id", actor.RequestID)
			http.Error(w, "linkwork could not check who you are. Please try again.", http.StatusInternalServerError)
			return
		}
		if p != nil {
			actor.UserID, actor.Label, actor.PlaceID = p.User.ID, p.User.Email, p.Place.ID
			ctx = linkwork.NewContextWithPrincipal(ctx, p)
		}
		ctx = linkwork.NewContextWithActor(ctx, actor)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func (a *Authenticator) fromSession(ctx context.Context, secret string) (*linkwork.Principal, error) {
	sess, err := a.Services.Sessions.FindSession(ctx, secret)
	if err != nil {
		return nil, err
	}
	p, err := a.Principal(ctx, sess.UserID, sess.PlaceID)
	if err != nil {
		return nil, err
	}
	p.SessionID = sess.ID
	return p, nil
}

func (a *Authenticator) fromToken(ctx context.Context, secret string) (*linkwork.Principal, error) {
	t, err := a.Services.Tokens.FindTokenBySecret(ctx, secret)
	if err != nil {
		return nil, err
	}
	p, err := a.Principal(ctx, t.UserID, t.PlaceID)
	if err != nil {
		return nil, err
	}
	p.TokenID = t.ID
	return p, nil
}

// Principal builds the principal for a user working in a place. A user who no longer has a
// membership in that place is moved to a place they do have one in; a user with none is
// ENOTFOUND, which signs them out.
func (a *Authenticator) Principal(ctx context.Context, userID, placeID int64) (*linkwork.Principal, error) {
	u, err := a.Services.Users.FindUserByID(ctx, userID)
	if err != nil {
		return nil, err
	}
	if len(u.Memberships) == 0 {
		return nil, linkwork.Errorf(linkwork.ENOTFOUND, "The account has no organisation.")
	}
	p := &linkwork.Principal{User: u}
	seen := map[int64]bool{}
	for _, m := range u.Memberships {
		if seen[m.PlaceID] {
			continue
		}
		seen[m.PlaceID] = true
		pl, err := a.Services.Places.FindPlaceByID(ctx, m.PlaceID)
		if err != nil {
			return nil, err
		}
		p.Places = append(p.Places, pl)
	}
	if !seen[placeID] {
		placeID = u.Memberships[0].PlaceID
	}
	for _, pl := range p.Places {
		if pl.ID == placeID {
			p.Place = pl
		}
	}
	for _, m := range u.Memberships {
		if m.PlaceID == placeID {
			p.Memberships = append(p.Memberships, m)
		}
	}
	return p, nil
}

// SetCookie gives the browser its session cookie. It lasts as long as the browser is open;
// the server ends the session sooner if it is idle.
func (a *Authenticator) SetCookie(w http.ResponseWriter, secret string) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: secret, Path: "/", HttpOnly: true,
		Secure: a.SecureCookies, SameSite: http.SameSiteLaxMode})
}

// ClearCookie removes the session cookie.
func (a *Authenticator) ClearCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", HttpOnly: true,
		Secure: a.SecureCookies, SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// ClientIP returns the address the request came from.
func ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

type requestIDKey struct{}

// WithRequestID gives every request an ID, in its context and in the X-Request-ID header,
// so that a person can quote it and the logs and audit trail can be searched for it.
func WithRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		id := hex.EncodeToString(b)
		w.Header().Set("X-Request-ID", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
	})
}

// RequestID returns the request's ID, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}
