package server_test

// routeAccess says, for every route linkwork serves, who may use it. It is written out by
// hand, apart from linkwork.Policy, so that a change to the policy or to a route's
// permission shows up here as a failing test. A route missing from this table fails the
// test too: add it, with the roles that should reach it.
//
// "anonymous" is a request with no session and no token.
var routeAccess = map[string][]string{
	// Operations
	"GET /healthz": everyone,
	"GET /metrics": everyone,

	// Signing in and first run
	"GET /{$}":      signedIn,
	"GET /signin":   everyone,
	"POST /signin":  everyone,
	"POST /signout": everyone,
	"GET /setup":    everyone,
	"POST /setup":   everyone,
	"GET /reset":    everyone,
	"POST /reset":   everyone,
	"GET /static/":  everyone,

	// Own account
	"GET /account":                     signedIn,
	"POST /account/password":           signedIn,
	"POST /account/place":              signedIn,
	"GET /account/tokens":              signedIn,
	"POST /account/tokens":             signedIn,
	"POST /account/tokens/{id}/revoke": signedIn,
	"GET /api/v1/me":                   signedIn,
	"GET /api/v1/tokens":               signedIn,
	"POST /api/v1/tokens":              signedIn,
	"DELETE /api/v1/tokens/{id}":       signedIn,
	"GET /api/v1/openapi.json":         everyone,

	// Organisations: everyone signed in sees them; administrators change them.
	"GET /organisations":               signedIn,
	"GET /organisations/new":           {"admin"},
	"POST /organisations":              {"admin"},
	"GET /organisations/{id}":          signedIn,
	"GET /organisations/{id}/edit":     {"admin"},
	"POST /organisations/{id}":         {"admin"},
	"GET /api/v1/organisations":        signedIn,
	"POST /api/v1/organisations":       {"admin"},
	"GET /api/v1/organisations/{id}":   signedIn,
	"PATCH /api/v1/organisations/{id}": {"admin"},

	// Users: administrators see and manage everyone in the place; managers see their team.
	"GET /users":                   {"admin", "manager"},
	"GET /users/new":               {"admin"},
	"POST /users":                  {"admin"},
	"GET /users/{id}":              {"admin", "manager"},
	"POST /users/{id}/memberships": {"admin"},
	"POST /users/{id}/memberships/{org}/remove":   {"admin"},
	"POST /users/{id}/reset-link":                 {"admin"},
	"POST /users/{id}/unlock":                     {"admin"},
	"GET /api/v1/users":                           {"admin", "manager"},
	"POST /api/v1/users":                          {"admin"},
	"GET /api/v1/users/{id}":                      {"admin", "manager"},
	"PUT /api/v1/users/{id}/memberships/{org}":    {"admin"},
	"DELETE /api/v1/users/{id}/memberships/{org}": {"admin"},
	"POST /api/v1/users/{id}/reset-link":          {"admin"},
	"POST /api/v1/users/{id}/unlock":              {"admin"},

	// The audit trail: administrators only.
	"GET /audit":        {"admin"},
	"GET /api/v1/audit": {"admin"},
}

var (
	roleNames = []string{"admin", "commissioner", "manager", "link_worker", "referrer", "community"}
	signedIn  = roleNames
	everyone  = append([]string{"anonymous"}, roleNames...)
)
