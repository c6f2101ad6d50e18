// Package web serves linkwork's HTML pages: server-rendered html/template views styled with
// the NHS.UK frontend, working without JavaScript.
package web

import (
	"context"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"

	"linkwork"
	"linkwork/authz"
)

// Handler serves the HTML interface.
type Handler struct {
	svc    linkwork.Services
	auth   *authz.Authenticator
	tmpl   templates
	logger *slog.Logger
	// signIns limits sign-in attempts per client address.
	signIns *authz.Limiter
	// BaseURL is where linkwork is reached, for links shown to administrators.
	baseURL string
	// havePostcodes is set once postcodes are known to have been imported (see
	// postcodesLoaded).
	havePostcodes atomic.Bool
	// referGuard keeps bots off the public self-referral form (selfreferral.go).
	referGuard *referGuard
}

// Config is what the HTML interface needs.
type Config struct {
	Services      linkwork.Services
	Authenticator *authz.Authenticator
	Logger        *slog.Logger
	BaseURL       string
}

// New returns the HTML interface. It fails if a template does not parse or the
// self-referral form's signing key cannot be read.
func New(cfg Config) (*Handler, error) {
	t, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	key, err := cfg.Services.SigningKeys.SigningKey(ctx, "self_referral")
	if err != nil {
		return nil, fmt.Errorf("web: the self-referral signing key: %w", err)
	}
	return &Handler{svc: cfg.Services, auth: cfg.Authenticator, tmpl: t, logger: cfg.Logger,
		signIns: authz.NewLimiter(10, 6*time.Second), baseURL: cfg.BaseURL, referGuard: newReferGuard(key)}, nil
}

// Register adds the HTML routes to the router.
func (h *Handler) Register(rt *authz.Router) {
	g := &freshPasswordGroup{Group: rt.Group("web", h.deny)}
	pub, in := linkwork.PermPublic, linkwork.PermSignedIn

	// The home page is public: the public see a short landing page, people signed in
	// their place's sections.
	g.Handle("GET", "/{$}", pub, h.home)
	g.Handle("GET", "/signin", pub, h.signInPage)
	g.Handle("POST", "/signin", pub, h.signIn)
	g.Handle("POST", "/signout", pub, h.signOut)
	g.Handle("GET", "/setup", pub, h.setupPage)
	g.Handle("POST", "/setup", pub, h.setup)
	g.Handle("GET", "/reset", pub, h.resetPage)
	g.Handle("POST", "/reset", pub, h.reset)

	g.Handle("GET", "/account", in, h.account)
	g.Handle("POST", "/account/password", in, h.changePassword)
	g.Handle("POST", "/account/place", in, h.switchPlace)
	g.Handle("GET", "/account/tokens", in, h.tokens)
	g.Handle("POST", "/account/tokens", in, h.createToken)
	g.Handle("POST", "/account/tokens/{id}/revoke", in, h.revokeToken)

	h.registerOrganisations(g)
	h.registerUsers(g)
	h.registerAudit(g)
	h.registerDirectory(g)
	h.registerSearch(g)
	h.registerPractitioners(g)
	h.registerTaxonomies(g)
	h.registerScoping(g)
	h.registerReferrals(g)
	h.registerCasework(g)
	h.registerOnward(g)
	h.registerQuestionnaires(g)
	h.registerCaseworkSettings(g)
	h.registerLandscape(g)
	h.registerForum(g)
	h.registerGroups(g)
	h.registerBudgetReport(g)
	h.registerBudgets(g)
	h.registerBudgetSpends(g)
	h.registerGrants(g)
	h.registerWorkload(g)
	h.registerMeasures(g)
	h.registerBoardPack(g)
	h.registerMeasureSettings(g)

	g.Handle("GET", "/static/", pub, staticHandler().ServeHTTP)
	g.HandleNotFound("/", h.notFound)
}

// registrar is what registers a route with its permission.
type registrar interface {
	Handle(method, pattern string, perm linkwork.Permission, fn http.HandlerFunc)
}

// freshPasswordGroup sends a user who must change their password (after an administrator
// set it) to their account page before anything else.
type freshPasswordGroup struct{ *authz.Group }

func (g *freshPasswordGroup) Handle(method, pattern string, perm linkwork.Permission, fn http.HandlerFunc) {
	if perm == linkwork.PermPublic || pattern == "/account" || pattern == "/account/password" {
		g.Group.Handle(method, pattern, perm, fn)
		return
	}
	g.Group.Handle(method, pattern, perm, func(w http.ResponseWriter, r *http.Request) {
		if p := principal(r); p != nil && p.User.MustChangePassword {
			http.Redirect(w, r, "/account", http.StatusSeeOther)
			return
		}
		fn(w, r)
	})
}

// deny answers a request the router refused: sign in first, or "not allowed".
func (h *Handler) deny(w http.ResponseWriter, r *http.Request, code string) {
	if code == linkwork.EUNAUTHORIZED {
		if r.Method == http.MethodGet {
			http.Redirect(w, r, "/signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		h.errorPage(w, r, http.StatusUnauthorized, "Sign in to continue",
			"Your session has ended or you are not signed in. Sign in and try again.")
		return
	}
	h.forbidden(w, r)
}

// ErrorView is the view of an error page.
type ErrorView struct {
	Layout
	Message string
}

func (h *Handler) errorPage(w http.ResponseWriter, r *http.Request, status int, title, message string) {
	h.render(w, r, status, "error", &ErrorView{Layout: Layout{Title: title}, Message: message})
}

func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	h.errorPage(w, r, http.StatusNotFound, "Page not found",
		"If you typed the web address, check it is correct. If you pasted it, check you copied the whole address.")
}

func (h *Handler) forbidden(w http.ResponseWriter, r *http.Request) {
	h.errorPage(w, r, http.StatusForbidden, "You cannot see this page",
		"Your role does not allow this. If you need it for your work, ask an administrator in your place.")
}

// serverError logs an internal error with the request's ID and shows a page that gives the
// ID but no detail.
func (h *Handler) serverError(w http.ResponseWriter, r *http.Request, err error) {
	h.logger.Error("web", "err", err, "method", r.Method, "path", r.URL.Path, "request_id", w.Header().Get("X-Request-ID"))
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = w.Write([]byte(`<!DOCTYPE html><html lang="en"><head><title>Sorry, there is a problem – linkwork</title>` +
		`<link rel="stylesheet" href="/static/nhsuk/nhsuk.css"><link rel="stylesheet" href="/static/app.css"></head><body><main class="nhsuk-width-container nhsuk-main-wrapper" id="main-content">` +
		`<h1 class="nhsuk-heading-l">Sorry, there is a problem with the service</h1><p>Try again later. ` +
		`If it keeps happening, give your administrator this reference: ` + html.EscapeString(w.Header().Get("X-Request-ID")) +
		`</p></main></body></html>`))
}

// failed answers a domain error outside a form: not found, forbidden, or internal.
func (h *Handler) failed(w http.ResponseWriter, r *http.Request, err error) {
	switch linkwork.ErrorCode(err) {
	case linkwork.ENOTFOUND:
		h.notFound(w, r)
	case linkwork.EFORBIDDEN:
		h.forbidden(w, r)
	case linkwork.EINVALID, linkwork.ECONFLICT:
		h.errorPage(w, r, http.StatusBadRequest, "That could not be done", linkwork.ErrorMessage(err))
	default:
		h.serverError(w, r, err)
	}
}

// pathID reads a numeric path value; a bad one is ENOTFOUND, as no record has that ID.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, linkwork.Errorf(linkwork.ENOTFOUND, "Not found.")
	}
	return id, nil
}

// The flash is a one-off message shown on the page after a redirect. The cookie holds a
// key into flashMessages, never text, so that nobody can make a page say what they like.
const flashCookie = "linkwork_flash"

var flashMessages = map[string]string{
	"signed-out":         "You have signed out.",
	"password-changed":   "Your password has been changed. Your other sessions have been signed out.",
	"password-set":       "Your new password is set. Sign in with it.",
	"place-changed":      "You are now working in another place.",
	"token-revoked":      "The API token has been revoked. Scripts using it will stop working.",
	"org-created":        "The organisation has been added.",
	"org-updated":        "The organisation has been updated.",
	"user-created":       "The user has been added. Give them their email address and password, and ask them to change it when they sign in.",
	"membership-saved":   "The user's organisations have been updated.",
	"user-unlocked":      "The account has been unlocked.",
	"welcome":            "linkwork is set up. You are signed in as its first administrator.",
	"service-created":    "The entry has been added to the directory.",
	"service-updated":    "The entry has been updated.",
	"service-verified":   "Thank you. The entry is marked as checked today.",
	"practitioner-saved": "The entry in the directory of link workers has been saved.",
	"term-added":         "The term has been added.",
	"referral-decided":   "Your decision has been recorded, and the referrer will be told.",
	"funding-created":    "The gap has been noted as a funding opportunity for the devolved budgets.",
}

func (h *Handler) setFlash(w http.ResponseWriter, key string) {
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: key, Path: "/", HttpOnly: true,
		Secure: h.auth.SecureCookies, SameSite: http.SameSiteLaxMode, MaxAge: 60})
}

func (h *Handler) takeFlash(w http.ResponseWriter, r *http.Request) string {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return ""
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1})
	return flashMessages[c.Value]
}

// redirect sends the browser to path after a successful POST, with a flash message.
func (h *Handler) redirect(w http.ResponseWriter, r *http.Request, path, flash string) {
	if flash != "" {
		h.setFlash(w, flash)
	}
	http.Redirect(w, r, path, http.StatusSeeOther)
}

// principal returns the signed-in principal; the router guarantees one on signed-in routes.
func principal(r *http.Request) *linkwork.Principal {
	return linkwork.PrincipalFromContext(r.Context())
}

// isNotFound reports whether err is ENOTFOUND.
func isNotFound(err error) bool {
	var e *linkwork.Error
	return errors.As(err, &e) && e.Code == linkwork.ENOTFOUND
}
