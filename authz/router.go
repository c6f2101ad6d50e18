// Package authz decides who is making a request and whether they may make it. Every route of
// the web and API interfaces is registered here with the permission it needs; the router
// checks it, through linkwork.Policy, before the handler runs. No handler is reachable
// without an entry, and the tests walk every entry with every role.
package authz

import (
	"net/http"
	"slices"

	"linkwork"
)

// Route is one registered route.
type Route struct {
	Method  string // GET, POST, …
	Pattern string // a net/http pattern path such as /organisations/{id}
	Perm    linkwork.Permission
	Group   string // "web", "api" or "ops"
}

// Denier answers a request that may not go on: code is EUNAUTHORIZED (nobody is signed in)
// or EFORBIDDEN (the principal lacks the permission).
type Denier func(w http.ResponseWriter, r *http.Request, code string)

// Router records routes with their permissions and serves them.
type Router struct {
	mux    *http.ServeMux
	routes []Route
}

// NewRouter returns an empty router.
func NewRouter() *Router { return &Router{mux: http.NewServeMux()} }

// Group returns a registrar whose denials are answered by deny.
func (rt *Router) Group(name string, deny Denier) *Group {
	return &Group{rt: rt, name: name, deny: deny}
}

// Routes returns every registered route.
func (rt *Router) Routes() []Route { return slices.Clone(rt.routes) }

// ServeHTTP serves a request with the matching route.
func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) { rt.mux.ServeHTTP(w, r) }

// Handler returns the handler and pattern the request would be served by, for metrics.
func (rt *Router) Handler(r *http.Request) (http.Handler, string) { return rt.mux.Handler(r) }

// Group registers routes that share a way of answering denials.
type Group struct {
	rt   *Router
	name string
	deny Denier
}

// Handle registers h for method and pattern, to be served only to principals who hold perm.
func (g *Group) Handle(method, pattern string, perm linkwork.Permission, h http.HandlerFunc) {
	g.rt.routes = append(g.rt.routes, Route{Method: method, Pattern: pattern, Perm: perm, Group: g.name})
	deny := g.deny
	g.rt.mux.HandleFunc(method+" "+pattern, func(w http.ResponseWriter, r *http.Request) {
		p := linkwork.PrincipalFromContext(r.Context())
		switch {
		case perm == linkwork.PermPublic:
		case p == nil:
			deny(w, r, linkwork.EUNAUTHORIZED)
			return
		case !p.Can(perm):
			deny(w, r, linkwork.EFORBIDDEN)
			return
		}
		h(w, r)
	})
}

// HandleNotFound registers the answer for paths no route matches under prefix.
func (g *Group) HandleNotFound(prefix string, h http.HandlerFunc) {
	g.rt.mux.HandleFunc(prefix, h)
}
