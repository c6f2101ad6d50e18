// Package server puts linkwork's interfaces together into one http.Handler: the HTML pages,
// the JSON API and the operational endpoints, behind the middleware every request passes
// through (request ID, logging and metrics, security headers, cross-origin protection,
// authentication) and the router that checks each route's permission.
package server

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"linkwork"
	"linkwork/api"
	"linkwork/authz"
	"linkwork/oruk"
	"linkwork/sqldb"
	"linkwork/web"
)

// Config is what the server needs.
type Config struct {
	DB       *sqldb.DB
	Services linkwork.Services
	Logger   *slog.Logger
	// BaseURL is the address people reach linkwork at, such as https://linkwork.example.org.
	BaseURL string
	// SecureCookies marks cookies Secure; set it whenever linkwork is served over HTTPS.
	SecureCookies bool
	Version       string
	// ORUKCacheBytes bounds the Open Referral UK API's kept responses (oruk.Config.CacheBytes).
	ORUKCacheBytes int
}

// Server is linkwork's HTTP handler.
type Server struct {
	handler http.Handler
	router  *authz.Router
	metrics *Metrics
}

// New builds the server.
func New(cfg Config) (*Server, error) {
	rt := authz.NewRouter()
	auth := &authz.Authenticator{Services: cfg.Services, Logger: cfg.Logger, SecureCookies: cfg.SecureCookies,
		Unauthorized: api.Unauthorized}
	w, err := web.New(web.Config{Services: cfg.Services, Authenticator: auth, Logger: cfg.Logger, BaseURL: cfg.BaseURL})
	if err != nil {
		return nil, err
	}
	metrics := NewMetrics(cfg.DB)
	ops := rt.Group("ops", func(w http.ResponseWriter, r *http.Request, code string) {
		http.Error(w, http.StatusText(http.StatusForbidden), http.StatusForbidden)
	})
	ops.Handle("GET", "/healthz", linkwork.PermPublic, health(cfg.DB, cfg.Version))
	ops.Handle("GET", "/metrics", linkwork.PermPublic, metrics.ServeHTTP)
	api.New(api.Config{Services: cfg.Services, Logger: cfg.Logger, BaseURL: cfg.BaseURL}).Register(rt)
	oruk.New(oruk.Config{Services: cfg.Services, OpenData: sqldb.NewOpenDataService(cfg.DB), Logger: cfg.Logger,
		CacheBytes: cfg.ORUKCacheBytes}).Register(rt)
	w.Register(rt)

	var h http.Handler = rt
	h = auth.Middleware(h)
	h = crossOrigin(h)
	h = securityHeaders(h)
	h = metrics.Middleware(rt, cfg.Logger, h)
	h = authz.WithRequestID(h)
	return &Server{handler: h, router: rt, metrics: metrics}, nil
}

// ServeHTTP serves a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Routes returns every route, for the authorisation tests.
func (s *Server) Routes() []authz.Route { return s.router.Routes() }

// ContentSecurityPolicy allows only linkwork's own scripts, styles, images and fonts, no
// inline script or style, no framing and no form posts to other sites.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; manifest-src 'self'; form-action 'self'; frame-ancestors 'none'; " +
	"base-uri 'none'"

// securityHeaders sets the headers every response carries.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
		// Pages hold personal data: nothing is cached unless a handler says so (static
		// assets do).
		h.Set("Cache-Control", "no-store")
		if r.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

// crossOrigin refuses state-changing requests that a browser says come from another site,
// which is what a cross-site request forgery is. Requests without browser headers (scripts
// with API tokens) are not cross-site and pass.
func crossOrigin(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte("linkwork refused this request because it came from another website. " +
			"If you clicked a button in linkwork, go back, reload the page and try again.\n"))
	}))
	return cop.Handler(next)
}

// health answers whether the database can be reached, for load balancers and monitors.
func health(db *sqldb.DB, version string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		status, code := "ok", http.StatusOK
		if err := db.Ping(ctx); err != nil {
			status, code = "database unreachable", http.StatusServiceUnavailable
		}
		body := map[string]string{"status": status, "database": db.Dialect(), "version": version}
		// A read replica that stops answering fails the reports only, so the instance
		// stays in service and says so here.
		if db.HasReadReplica() {
			body["read_replica"] = "ok"
			if err := db.PingReplica(ctx); err != nil {
				body["read_replica"] = "unreachable"
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(body)
	}
}
