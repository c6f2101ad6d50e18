// Package api serves linkwork's JSON API under /api/v1/. Errors always have the shape
// {"error":{"code":"invalid","message":"…","field":"…"}}; lists are paginated with page and
// per_page; the OpenAPI 3 document at /api/v1/openapi.json describes every route.
package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"linkwork"
	"linkwork/authz"
)

// Handler serves the JSON API.
type Handler struct {
	svc     linkwork.Services
	logger  *slog.Logger
	baseURL string
}

// Config is what the API needs.
type Config struct {
	Services linkwork.Services
	Logger   *slog.Logger
	BaseURL  string
}

// New returns the JSON API.
func New(cfg Config) *Handler {
	return &Handler{svc: cfg.Services, logger: cfg.Logger, baseURL: cfg.BaseURL}
}

// Prefix is where the API lives.
const Prefix = "/api/v1"

// Register adds the API's routes to the router.
func (h *Handler) Register(rt *authz.Router) {
	g := rt.Group("api", deny)
	in := linkwork.PermSignedIn
	g.Handle("GET", Prefix+"/openapi.json", linkwork.PermPublic, serveOpenAPI)
	g.Handle("GET", Prefix+"/me", in, h.me)
	h.registerOrganisations(g)
	h.registerUsers(g)
	h.registerTokens(g)
	h.registerAudit(g)
	h.registerPostcodes(g)
	h.registerServices(g)
	h.registerTaxonomies(g)
	h.registerPractitioners(g)
	h.registerSearch(g)
	h.registerReferrals(g)
	h.registerPeople(g)
	h.registerOnward(g)
	h.registerQuestionnaires(g)
	h.registerLandscape(g)
	h.registerForum(g)
	h.registerGroups(g)
	h.registerBudgets(g)
	h.registerWorkload(g)
	h.registerMeasures(g)
	g.HandleNotFound(Prefix+"/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, h.logger, linkwork.Errorf(linkwork.ENOTFOUND, "There is no API endpoint %s %s.", r.Method, r.URL.Path))
	})
}

// statusOf is the one table that maps error codes to HTTP status for the API.
var statusOf = map[string]int{
	linkwork.EINVALID:      http.StatusBadRequest,
	linkwork.ENOTFOUND:     http.StatusNotFound,
	linkwork.ECONFLICT:     http.StatusConflict,
	linkwork.EUNAUTHORIZED: http.StatusUnauthorized,
	linkwork.EFORBIDDEN:    http.StatusForbidden,
	linkwork.ETOOMANY:      http.StatusTooManyRequests,
	linkwork.EINTERNAL:     http.StatusInternalServerError,
}

// ErrorBody is the JSON shape of every API error. When validation found more than one
// problem, Problems lists them all (the first is also the Error), so that a client can show
// every field's problem at once.
type ErrorBody struct {
	Error    ErrorDetail `json:"error"`
	Problems []Problem   `json:"problems,omitempty"`
}

// Problem is one of several problems that validation found.
type Problem struct {
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// ErrorDetail says what went wrong: a code for machines, a message for people, and the
// field it concerns where there is one.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// writeError answers with a domain error. Internal errors are logged with the request ID
// and answered without detail.
func writeError(w http.ResponseWriter, r *http.Request, logger *slog.Logger, err error) {
	code := linkwork.ErrorCode(err)
	if code == linkwork.EINTERNAL && logger != nil {
		logger.Error("api", "err", err, "method", r.Method, "path", r.URL.Path, "request_id", w.Header().Get("X-Request-ID"))
	}
	status, ok := statusOf[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="linkwork"`)
	}
	body := ErrorBody{Error: ErrorDetail{Code: code, Message: linkwork.ErrorMessage(err), Field: linkwork.ErrorField(err)}}
	if code == linkwork.EINVALID {
		// Only invalid-input problems are shown: any other kind in the list may hold an
		// internal detail.
		var ps []Problem
		for _, e := range linkwork.FieldErrors(err) {
			if e.Code == linkwork.EINVALID {
				ps = append(ps, Problem{Field: e.Field, Message: e.Message})
			}
		}
		if len(ps) > 1 {
			body.Problems = ps
		}
	}
	writeJSON(w, status, body)
}

func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	writeError(w, r, h.logger, err)
}

// deny answers a request the router refused.
func deny(w http.ResponseWriter, r *http.Request, code string) {
	msg := "Your role does not allow this."
	if code == linkwork.EUNAUTHORIZED {
		msg = "Sign in, or send an API token in the Authorization header as \"Bearer <token>\"."
	}
	writeError(w, r, nil, &linkwork.Error{Code: code, Message: msg})
}

// Unauthorized answers a request whose bearer token is not valid.
func Unauthorized(w http.ResponseWriter, r *http.Request, message string) {
	writeError(w, r, nil, &linkwork.Error{Code: linkwork.EUNAUTHORIZED, Message: message})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}

// maxBody is the largest request body the API reads.
const maxBody = 1 << 20

// decode reads a JSON object from the request body into v, refusing anything else (an
// array, null, unknown fields, trailing data, wrong types) with a message that names the
// field where there is one.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return linkwork.Errorf(linkwork.EINVALID, "Send the body as JSON with Content-Type: application/json.")
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return linkwork.Errorf(linkwork.EINVALID, "The body is larger than %d bytes.", maxBody)
	} else if err != nil {
		return linkwork.Errorf(linkwork.EINVALID, "The body could not be read.")
	}
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return linkwork.Errorf(linkwork.EINVALID, "The body is empty: send a JSON object.")
	}
	if data[0] != '{' {
		return linkwork.Errorf(linkwork.EINVALID, "The body must be a JSON object, such as {\"name\": \"…\"}.")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err = dec.Decode(v)
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case err == nil:
		if _, err := dec.Token(); err != io.EOF {
			return linkwork.Errorf(linkwork.EINVALID, "The body must be a single JSON object, with nothing after it.")
		}
		return nil
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return linkwork.Errorf(linkwork.EINVALID, "The body is not valid JSON.")
	case errors.As(err, &typ):
		return linkwork.FieldError(typ.Field, "%s must be %s.", typ.Field, jsonKind(typ.Type.Kind().String()))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		// encoding/json reports unknown fields only in its message; the field is quoted.
		f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return linkwork.FieldError(f, "%s is not a field of this request.", f)
	default:
		return linkwork.Errorf(linkwork.EINVALID, "The body could not be read as JSON.")
	}
}

// jsonKind names, for a message, the JSON a Go kind wants.
func jsonKind(goKind string) string {
	switch goKind {
	case "int", "int64", "int32", "uint", "uint64":
		return "a whole number"
	case "float64":
		return "a number"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "a JSON array"
	case "struct", "map", "ptr":
		return "a JSON object"
	}
	return "a string"
}

// List is the JSON shape of every paginated list.
type List[T any] struct {
	Items   []T `json:"items"`
	Page    int `json:"page"`
	PerPage int `json:"per_page"`
	Total   int `json:"total"`
}

// pageParams reads page and per_page, refusing values out of range.
func pageParams(r *http.Request) (linkwork.Page, error) {
	p := linkwork.Page{Number: 1, Size: linkwork.DefaultPageSize}
	q := r.URL.Query()
	if s := q.Get("page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1_000_000 {
			return p, linkwork.FieldError("page", "page must be a whole number from 1 to 1000000.")
		}
		p.Number = n
	}
	if s := q.Get("per_page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > linkwork.MaxPageSize {
			return p, linkwork.FieldError("per_page", "per_page must be a whole number from 1 to %d.", linkwork.MaxPageSize)
		}
		p.Size = n
	}
	return p, nil
}

func newList[T any](items []T, p linkwork.Page, total int) List[T] {
	if items == nil {
		items = []T{}
	}
	return List[T]{Items: items, Page: p.Number, PerPage: p.Size, Total: total}
}

// pathID reads a numeric path value; a malformed one names no record, so it is ENOTFOUND.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, linkwork.Errorf(linkwork.ENOTFOUND, "There is no record with ID %q.", r.PathValue(name))
	}
	return id, nil
}

func principal(r *http.Request) *linkwork.Principal {
	return linkwork.PrincipalFromContext(r.Context())
}

// Me is the JSON shape of the signed-in principal.
type Me struct {
	User        *linkwork.User        `json:"user"`
	Place       *linkwork.Place       `json:"place"`
	Places      []*linkwork.Place     `json:"places"`
	Memberships []linkwork.Membership `json:"memberships"`
	Permissions []string              `json:"permissions"`
}

func (h *Handler) me(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	var perms []string
	for _, perm := range permissionOrder {
		if p.Can(perm) {
			perms = append(perms, string(perm))
		}
	}
	writeJSON(w, http.StatusOK, Me{User: p.User, Place: p.Place, Places: p.Places, Memberships: p.Memberships, Permissions: perms})
}

// permissionOrder lists the permissions /me reports, in a stable order.
var permissionOrder = []linkwork.Permission{linkwork.PermViewOrganisations, linkwork.PermManageOrganisations,
	linkwork.PermViewUsers, linkwork.PermManageUsers, linkwork.PermViewAudit, linkwork.PermManageDirectory,
	linkwork.PermViewPractitioners, linkwork.PermManagePractitioners, linkwork.PermSendReferrals, linkwork.PermViewReferrals,
	linkwork.PermTriageReferrals, linkwork.PermAllocateReferrals, linkwork.PermViewCapacity, linkwork.PermViewCases,
	linkwork.PermManageCases, linkwork.PermEraseCases, linkwork.PermAnswerOnward, linkwork.PermManageCasework,
	linkwork.PermViewLandscape, linkwork.PermManageFunding, linkwork.PermGroupPortal, linkwork.PermForum,
	linkwork.PermJoinMeetings, linkwork.PermModerateForum, linkwork.PermViewBudgets, linkwork.PermSpendBudgets,
	linkwork.PermApproveSpends, linkwork.PermManageBudgets, linkwork.PermBudgetReports, linkwork.PermApplyForGrants,
	linkwork.PermViewMeasures, linkwork.PermViewWorkload, linkwork.PermManageMeasures, linkwork.PermEnterLocalMeasures}
