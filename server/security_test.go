package server_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"linkwork/authz"
	"linkwork/server"
	"linkwork/sqldb/sqldbtest"
)

// TestSecurityHeaders checks that every response, whichever route and role, carries the
// security headers, and that HTML is never cached.
func TestSecurityHeaders(t *testing.T) {
	f := newFixture(t, sqldbtest.Open(t, "sqlite"))
	want := map[string]string{
		"Content-Security-Policy": server.ContentSecurityPolicy,
		"X-Content-Type-Options":  "nosniff",
		"X-Frame-Options":         "DENY",
		"Referrer-Policy":         "same-origin",
	}
	paths := []string{"/nowhere", "/api/v1/nowhere"}
	for _, rt := range f.srv.Routes() {
		if rt.Method == "GET" {
			paths = append(paths, f.concretePath(rt.Pattern))
		}
	}
	for _, path := range paths {
		for _, role := range []string{"anonymous", "admin", "referrer"} {
			res := f.request("GET", path, role, "")
			for k, v := range want {
				if got := res.Header.Get(k); got != v {
					t.Errorf("GET %s as %s: %s = %q, want %q", path, role, k, got, v)
				}
			}
			if strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") && res.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("GET %s as %s: HTML with Cache-Control %q, want no-store", path, role, res.Header.Get("Cache-Control"))
			}
		}
	}
	if !strings.Contains(server.ContentSecurityPolicy, "script-src 'self'") || strings.Contains(server.ContentSecurityPolicy, "unsafe") {
		t.Errorf("content security policy allows more than linkwork's own scripts: %s", server.ContentSecurityPolicy)
	}
}

// TestCrossSiteRequestsRefused sends every state-changing route a request that a browser
// marks as coming from another site, with a valid session: each must be refused before it
// reaches the handler.
func TestCrossSiteRequestsRefused(t *testing.T) {
	f := newFixture(t, sqldbtest.Open(t, "sqlite"))
	n := 0
	for _, rt := range f.srv.Routes() {
		if rt.Method == "GET" || rt.Method == "HEAD" {
			continue
		}
		n++
		path := f.concretePath(rt.Pattern)
		for _, hdr := range []map[string]string{
			{"Sec-Fetch-Site": "cross-site"},
			{"Origin": "https://evil.example"},
		} {
			r := httptest.NewRequest(rt.Method, path, strings.NewReader("name=x"))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.AddCookie(&http.Cookie{Name: authz.SessionCookie, Value: f.sessions["admin"]})
			for k, v := range hdr {
				r.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			f.srv.ServeHTTP(w, r)
			if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "another website") {
				t.Errorf("%s %s with %v: status %d, want 403 from the cross-origin check", rt.Method, path, hdr, w.Code)
			}
		}
	}
	if n < 20 {
		t.Fatalf("only %d state-changing routes found; the route list looks wrong", n)
	}
	// The same request from linkwork's own pages goes through to the handler.
	r := httptest.NewRequest("POST", "/organisations", strings.NewReader("name=&sector="))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	r.AddCookie(&http.Cookie{Name: authz.SessionCookie, Value: f.sessions["admin"]})
	w := httptest.NewRecorder()
	f.srv.ServeHTTP(w, r)
	if w.Code != http.StatusUnprocessableEntity {
		t.Errorf("same-origin POST /organisations: status %d, want 422 (reached the handler)", w.Code)
	}
}
