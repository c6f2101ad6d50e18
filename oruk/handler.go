package oruk

import (
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"linkwork"
	"linkwork/authz"
)

// Prefix is where the Open Referral UK API lives.
const Prefix = "/oruk"

// Handler serves the read-only Open Referral UK API: open to anyone, without a key, and to
// pages of any site (Access-Control-Allow-Origin: *), as the UK profile requires.
//
// A deployment can host several places; the API serves one at a time. Lists serve the place
// given by the place query parameter (its id, as in /oruk/services?place=2) or, when the
// deployment has exactly one place, that one; with several and no place, a list is refused
// with the places to choose from. Records asked for by id (/oruk/services/{id}) are found in
// any place, since ids are unique, or only in the place given.
type Handler struct {
	places     linkwork.PlaceService
	taxonomies linkwork.TaxonomyService
	geography  linkwork.GeographyService
	search     linkwork.SearchService
	store      linkwork.OpenDataService
	logger     *slog.Logger
	cache      *responseCache // nil when responses are not kept
}

// Config is what the API needs.
type Config struct {
	Services linkwork.Services
	OpenData linkwork.OpenDataService
	Logger   *slog.Logger
	// CacheBytes bounds the memory kept responses may take: 0 means DefaultCacheBytes, and a
	// negative number keeps none.
	CacheBytes int
}

// New returns the Open Referral UK API.
func New(cfg Config) *Handler {
	h := &Handler{places: cfg.Services.Places, taxonomies: cfg.Services.Taxonomies, geography: cfg.Services.Geography,
		search: cfg.Services.Search, store: cfg.OpenData, logger: cfg.Logger}
	switch {
	case cfg.CacheBytes == 0:
		h.cache = newResponseCache(DefaultCacheBytes)
	case cfg.CacheBytes > 0:
		h.cache = newResponseCache(cfg.CacheBytes)
	}
	return h
}

// Register adds the API's routes to the router, each open to everyone.
func (h *Handler) Register(rt *authz.Router) {
	g := rt.Group("oruk", deny)
	pub := linkwork.PermPublic
	g.Handle("GET", Prefix+"/{$}", pub, h.serve(h.root))
	g.Handle("GET", Prefix+"/services", pub, h.serve(h.services))
	g.Handle("GET", Prefix+"/services/{id}", pub, h.serve(h.service))
	g.Handle("GET", Prefix+"/service_at_locations", pub, h.serve(h.serviceAtLocations))
	g.Handle("GET", Prefix+"/service_at_locations/{id}", pub, h.serve(h.serviceAtLocation))
	g.Handle("GET", Prefix+"/taxonomies", pub, h.serve(h.taxonomyList))
	g.Handle("GET", Prefix+"/taxonomies/{id}", pub, h.serve(h.taxonomy))
	g.Handle("GET", Prefix+"/taxonomy_terms", pub, h.serve(h.termList))
	g.Handle("GET", Prefix+"/taxonomy_terms/{id}", pub, h.serve(h.term))
	g.HandleNotFound(Prefix+"/", h.serve(func(r *http.Request) (any, error) {
		return nil, linkwork.Errorf(linkwork.ENOTFOUND, "There is no Open Referral UK endpoint %s %s.", r.Method, r.URL.Path)
	}))
}

// statusOf maps error codes to HTTP status for this API.
var statusOf = map[string]int{
	linkwork.EINVALID:      http.StatusBadRequest,
	linkwork.ENOTFOUND:     http.StatusNotFound,
	linkwork.EUNAUTHORIZED: http.StatusUnauthorized,
	linkwork.EFORBIDDEN:    http.StatusForbidden,
	linkwork.ETOOMANY:      http.StatusTooManyRequests,
}

// ErrorBody is the JSON of every error: a code, a message for people, the parameter it
// concerns and, for a number out of range, the range allowed.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is what went wrong.
type ErrorDetail struct {
	Code    string   `json:"code"`
	Message string   `json:"message"`
	Field   string   `json:"field,omitempty"`
	Minimum *float64 `json:"minimum,omitempty"`
	Maximum *float64 `json:"maximum,omitempty"`
}

// rangeError is a parameter out of its range.
type rangeError struct {
	err      *linkwork.Error
	min, max float64
}

func (e *rangeError) Error() string { return e.err.Error() }
func (e *rangeError) Unwrap() error { return e.err }

func outOfRange(field string, min, max float64, format string, args ...any) error {
	return &rangeError{err: linkwork.FieldError(field, format, args...), min: min, max: max}
}

// serve answers a request with fn's value as JSON, or its error. Answers are kept in the
// response cache under the directory version read before they were made, and carry an ETag
// so that a client holding the current answer gets 304 Not Modified.
func (h *Handler) serve(fn func(r *http.Request) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Access-Control-Allow-Origin", "*")
		hd.Set("Cross-Origin-Resource-Policy", "cross-origin") // open data, for every site
		key := r.URL.Path + "?" + r.URL.Query().Encode()
		version := int64(-1)
		if h.cache != nil {
			v, err := h.store.DirectoryVersion(r.Context())
			if err != nil {
				h.writeError(w, r, err)
				return
			}
			version = v
			if kept := h.cache.get(key, v); kept != nil {
				writeKept(w, r, kept)
				return
			}
		}
		v, err := fn(r)
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		body, err := json.Marshal(v)
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		body = append(body, '\n')
		if version < 0 {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			_, _ = w.Write(body)
			return
		}
		writeKept(w, r, h.cache.put(key, version, body))
	}
}

// writeKept writes a kept response, or 304 Not Modified when the client already has it.
func writeKept(w http.ResponseWriter, r *http.Request, kept *cachedResponse) {
	hd := w.Header()
	hd.Set("ETag", kept.etag)
	hd.Set("Cache-Control", "no-cache") // may be kept, but ask again: the directory can change at any time
	if inm := r.Header.Get("If-None-Match"); inm != "" && etagMatches(inm, kept.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	hd.Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(kept.body)
}

// etagMatches reports whether an If-None-Match header names the ETag (or is "*").
func etagMatches(header, etag string) bool {
	for t := range strings.SplitSeq(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}

func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := linkwork.ErrorCode(err)
	status, ok := statusOf[code]
	if !ok {
		status = http.StatusInternalServerError
		if h.logger != nil {
			h.logger.Error("oruk", "err", err, "method", r.Method, "path", r.URL.Path, "request_id", w.Header().Get("X-Request-ID"))
		}
	}
	d := ErrorDetail{Code: code, Message: linkwork.ErrorMessage(err), Field: linkwork.ErrorField(err)}
	var re *rangeError
	if errors.As(err, &re) {
		d.Minimum, d.Maximum = &re.min, &re.max
	}
	writeJSON(w, status, ErrorBody{Error: d})
}

// deny answers a request the router refused; every route here is public, so it is not
// expected.
func deny(w http.ResponseWriter, r *http.Request, code string) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	writeJSON(w, statusOf[code], ErrorBody{Error: ErrorDetail{Code: code, Message: "This is not open to you."}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (h *Handler) root(*http.Request) (any, error) {
	return Root{Version: Version, Profile: ProfileURL, OpenAPIURL: OpenAPIURL}, nil
}

// listPlace is the place a list serves: the place parameter's, or the only place.
func (h *Handler) listPlace(r *http.Request) (*linkwork.Place, error) {
	if p, err := h.placeParam(r); p != nil || err != nil {
		return p, err
	}
	places, err := h.places.ListPlaces(r.Context())
	if err != nil {
		return nil, err
	}
	switch len(places) {
	case 0:
		return nil, linkwork.Errorf(linkwork.ENOTFOUND, "This linkwork has no places yet, so it has no directory.")
	case 1:
		return places[0], nil
	}
	var list []string
	for _, p := range places {
		list = append(list, strconv.FormatInt(p.ID, 10)+" ("+p.Name+")")
	}
	return nil, linkwork.FieldError("place", "This linkwork serves several places: choose one with place=ID, where ID is one of %s.",
		strings.Join(list, ", "))
}

// placeParam is the place the place parameter names, or nil when there is none.
func (h *Handler) placeParam(r *http.Request) (*linkwork.Place, error) {
	s := r.URL.Query().Get("place")
	if s == "" {
		return nil, nil
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return nil, linkwork.FieldError("place", "place must be the number of a place, such as place=1.")
	}
	p, err := h.places.FindPlaceByID(r.Context(), id)
	if linkwork.ErrorCode(err) == linkwork.ENOTFOUND {
		return nil, linkwork.Errorf(linkwork.ENOTFOUND, "There is no place %d in this linkwork.", id)
	}
	return p, err
}

// itemPlace checks that a record asked for by id is in the place parameter's place, if
// there is one, and returns the record's place with its taxonomies.
func (h *Handler) itemPlace(r *http.Request, placeID int64, what string) (*placeData, error) {
	want, err := h.placeParam(r)
	if err != nil {
		return nil, err
	}
	if want != nil && want.ID != placeID {
		return nil, linkwork.Errorf(linkwork.ENOTFOUND, "%s not found in place %d.", what, want.ID)
	}
	p, err := h.places.FindPlaceByID(r.Context(), placeID)
	if err != nil {
		return nil, err
	}
	taxs, err := h.taxonomies.ListTaxonomies(r.Context(), placeID)
	if err != nil {
		return nil, err
	}
	return newPlaceData(p.Name, taxs), nil
}

// pageParams reads page and per_page, refusing values out of range.
func pageParams(r *http.Request) (linkwork.Page, error) {
	p := linkwork.Page{Number: 1, Size: linkwork.DefaultPageSize}
	q := r.URL.Query()
	if s := q.Get("page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1_000_000 {
			return p, outOfRange("page", 1, 1_000_000, "page must be a whole number from 1 to 1000000.")
		}
		p.Number = n
	}
	if s := q.Get("per_page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > linkwork.MaxPageSize {
			return p, outOfRange("per_page", 1, linkwork.MaxPageSize, "per_page must be a whole number from 1 to %d.", linkwork.MaxPageSize)
		}
		p.Size = n
	}
	return p, nil
}

// directoryQuery reads the filters of the service and service-at-location lists.
func (h *Handler) directoryQuery(r *http.Request, place *linkwork.Place) (linkwork.DirectoryQuery, error) {
	q := linkwork.DirectoryQuery{PlaceID: place.ID}
	v := r.URL.Query()
	var err error
	if q.Page, err = pageParams(r); err != nil {
		return q, err
	}
	q.Text = strings.TrimSpace(v.Get("search"))
	if utf8.RuneCountInString(q.Text) > 200 {
		return q, linkwork.FieldError("search", "search must be 200 characters or fewer.")
	}
	for _, f := range []struct {
		name string
		dest *string
		what string
	}{{"taxonomy_term_id", &q.TermUUID, "a taxonomy term, from /oruk/taxonomy_terms"}, {"taxonomy_id", &q.TaxonomyUUID, "a taxonomy, from /oruk/taxonomies"}} {
		if s := strings.TrimSpace(v.Get(f.name)); s != "" {
			if !isUUID(s) {
				return q, linkwork.FieldError(f.name, "%s must be the id (a UUID) of %s.", f.name, f.what)
			}
			*f.dest = strings.ToLower(s)
		}
	}
	if s := strings.TrimSpace(v.Get("modified_after")); s != "" {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t, err = time.Parse(time.DateOnly, s)
		}
		if err != nil {
			return q, linkwork.FieldError("modified_after", "modified_after must be a date and time in RFC 3339 form, such as 2025-01-31T09:00:00Z.")
		}
		q.ModifiedAfter = t
	}
	for _, f := range []struct {
		name string
		dest **int
	}{{"minimum_age", &q.MinAge}, {"maximum_age", &q.MaxAge}} {
		if s := strings.TrimSpace(v.Get(f.name)); s != "" {
			n, err := strconv.ParseFloat(s, 64)
			if err != nil || n != math.Trunc(n) || n < 0 || n > 120 {
				return q, outOfRange(f.name, 0, 120, "%s must be a whole number of years from 0 to 120.", f.name)
			}
			age := int(n)
			*f.dest = &age
		}
	}
	pc, prox := strings.TrimSpace(v.Get("postcode")), strings.TrimSpace(v.Get("proximity"))
	if prox != "" {
		m, err := strconv.ParseFloat(prox, 64)
		if err != nil || !(m >= linkwork.MinRadiusKm*1000) || m > linkwork.MaxRadiusKm*1000 {
			return q, outOfRange("proximity", linkwork.MinRadiusKm*1000, linkwork.MaxRadiusKm*1000,
				"proximity must be a distance in metres from %g to %g.", linkwork.MinRadiusKm*1000, float64(linkwork.MaxRadiusKm*1000))
		}
		if pc == "" {
			return q, linkwork.FieldError("proximity", "proximity needs a postcode to measure from: add postcode=….")
		}
		q.WithinKm = m / 1000
	}
	if pc != "" {
		info, err := h.geography.FindPostcode(r.Context(), pc, linkwork.AllowTerminated)
		switch linkwork.ErrorCode(err) {
		case "":
			q.Near = &linkwork.LatLng{Lat: info.Lat, Lng: info.Lng}
		case linkwork.EINVALID, linkwork.ENOTFOUND:
			return q, linkwork.FieldError("postcode", "%s", linkwork.ErrorMessage(err))
		default:
			return q, err
		}
	}
	return q, nil
}

// newPage wraps a page of items in HSDS's page.
func newPage[T any](items []T, p linkwork.Page, total int) Page[T] {
	if items == nil {
		items = []T{}
	}
	pages := (total + p.Size - 1) / p.Size
	return Page[T]{TotalItems: total, TotalPages: pages, PageNumber: p.Number, Size: len(items), FirstPage: p.Number == 1,
		LastPage: p.Number >= pages, Empty: len(items) == 0, Contents: items}
}

func (h *Handler) services(r *http.Request) (any, error) {
	place, err := h.listPlace(r)
	if err != nil {
		return nil, err
	}
	q, err := h.directoryQuery(r, place)
	if err != nil {
		return nil, err
	}
	if q.Text != "" && h.search != nil && q.ModifiedAfter.IsZero() && q.MinAge == nil && q.MaxAge == nil {
		return h.searchServices(r, q)
	}
	entries, total, err := h.store.QueryServices(r.Context(), q)
	if err != nil {
		return nil, err
	}
	items := make([]ServiceBrief, len(entries))
	for i, e := range entries {
		items[i] = toServiceBrief(e)
	}
	return newPage(items, q.Page, total), nil
}

// searchServices answers a list with search text through linkwork's search, which ranks
// services by relevance and understands "walks" as "walking" and "gardning" as
// "gardening". Like the directory's own search it finds running and temporarily closed
// services only. It cannot filter by change time or by ORUK's age bounds, so a list that
// asks for those as well matches the text in names and descriptions instead.
func (h *Handler) searchServices(r *http.Request, q linkwork.DirectoryQuery) (any, error) {
	sq := linkwork.SearchQuery{PlaceID: q.PlaceID, Text: q.Text, Page: q.Page}
	if q.TermUUID != "" || q.TaxonomyUUID != "" {
		taxs, err := h.taxonomies.ListTaxonomies(r.Context(), q.PlaceID)
		if err != nil {
			return nil, err
		}
		var term *linkwork.TaxonomyTerm
		var inTax []int64
		for _, t := range taxs {
			for i := range t.Terms {
				if t.Terms[i].UUID == q.TermUUID {
					term = &t.Terms[i]
				}
				if t.UUID == q.TaxonomyUUID {
					inTax = append(inTax, t.Terms[i].ID)
				}
			}
		}
		// Terms of one taxonomy are alternatives to search: a term and a taxonomy it is in
		// ask for the term.
		switch {
		case q.TermUUID != "" && term == nil, q.TaxonomyUUID != "" && len(inTax) == 0:
			return newPage([]ServiceBrief{}, q.Page, 0), nil
		case term != nil && (len(inTax) == 0 || slices.Contains(inTax, term.ID)):
			sq.TermIDs = []int64{term.ID}
		case term != nil:
			sq.TermIDs = append(inTax, term.ID)
		default:
			sq.TermIDs = inTax
		}
	}
	if q.Near != nil {
		sq.Near = &linkwork.Point{Lat: q.Near.Lat, Lng: q.Near.Lng}
		sq.RadiusKm = q.WithinKm
		if sq.RadiusKm == 0 {
			sq.RadiusKm = linkwork.MaxRadiusKm
		}
	}
	results, total, err := h.search.Search(r.Context(), sq)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(results))
	for i, res := range results {
		ids[i] = res.Service.OrganisationID
	}
	orgs, err := h.store.Organisations(r.Context(), ids)
	if err != nil {
		return nil, err
	}
	items := make([]ServiceBrief, len(results))
	for i, res := range results {
		e := &linkwork.DirectoryEntry{Service: res.Service}
		if o := orgs[res.Service.OrganisationID]; o != nil {
			e.Organisation = *o
		}
		items[i] = toServiceBrief(e)
	}
	return newPage(items, q.Page, total), nil
}

// notFound is the answer for an id that names nothing.
func notFound(what, id string) error {
	return linkwork.Errorf(linkwork.ENOTFOUND, "There is no %s with the id %q.", what, id)
}

// found turns a store's ENOTFOUND for an id into the API's message.
func found(err error, what, id string) error {
	if linkwork.ErrorCode(err) == linkwork.ENOTFOUND {
		return notFound(what, id)
	}
	return err
}

func (h *Handler) service(r *http.Request) (any, error) {
	id := strings.ToLower(r.PathValue("id"))
	if !isUUID(id) {
		return nil, notFound("service", id)
	}
	e, err := h.store.FindService(r.Context(), id)
	if err != nil {
		return nil, found(err, "service", id)
	}
	pd, err := h.itemPlace(r, e.Service.PlaceID, "Service")
	if err != nil {
		return nil, err
	}
	return toService(e, pd), nil
}

func (h *Handler) serviceAtLocations(r *http.Request) (any, error) {
	place, err := h.listPlace(r)
	if err != nil {
		return nil, err
	}
	q, err := h.directoryQuery(r, place)
	if err != nil {
		return nil, err
	}
	entries, total, err := h.store.QueryServiceLocations(r.Context(), q)
	if err != nil {
		return nil, err
	}
	pd := newPlaceData(place.Name, nil)
	items := make([]ServiceAtLocationBrief, len(entries))
	for i, e := range entries {
		items[i] = toServiceAtLocationBrief(e, pd)
	}
	return newPage(items, q.Page, total), nil
}

func (h *Handler) serviceAtLocation(r *http.Request) (any, error) {
	id := strings.ToLower(r.PathValue("id"))
	if !isUUID(id) {
		return nil, notFound("service at location", id)
	}
	e, err := h.store.FindServiceAtLocation(r.Context(), id)
	if err != nil {
		return nil, found(err, "service at location", id)
	}
	pd, err := h.itemPlace(r, e.Service.PlaceID, "Service at location")
	if err != nil {
		return nil, err
	}
	return toServiceAtLocation(e, pd), nil
}

// matches reports whether a name or description contains the search text, in any case.
func matches(search string, texts ...string) bool {
	if search == "" {
		return true
	}
	for _, t := range texts {
		if strings.Contains(strings.ToLower(t), strings.ToLower(search)) {
			return true
		}
	}
	return false
}

// pageOf cuts one page from a whole list.
func pageOf[T any](all []T, p linkwork.Page) Page[T] {
	start := min((p.Number-1)*p.Size, len(all))
	end := min(start+p.Size, len(all))
	return newPage(all[start:end:end], p, len(all))
}

func (h *Handler) taxonomyList(r *http.Request) (any, error) {
	place, err := h.listPlace(r)
	if err != nil {
		return nil, err
	}
	p, err := pageParams(r)
	if err != nil {
		return nil, err
	}
	taxs, err := h.taxonomies.ListTaxonomies(r.Context(), place.ID)
	if err != nil {
		return nil, err
	}
	search := strings.TrimSpace(r.URL.Query().Get("search"))
	var all []Taxonomy
	for _, t := range taxs {
		if matches(search, t.Name, t.Description) {
			all = append(all, toTaxonomy(t, false))
		}
	}
	return pageOf(all, p), nil
}

// findTaxonomies calls fn with every taxonomy of the place parameter's place, or of every
// place, until fn returns true.
func (h *Handler) findTaxonomies(r *http.Request, fn func(*linkwork.Taxonomy) bool) error {
	ctx := r.Context()
	want, err := h.placeParam(r)
	if err != nil {
		return err
	}
	places := []*linkwork.Place{want}
	if want == nil {
		if places, err = h.places.ListPlaces(ctx); err != nil {
			return err
		}
	}
	for _, p := range places {
		taxs, err := h.taxonomies.ListTaxonomies(ctx, p.ID)
		if err != nil {
			return err
		}
		for _, t := range taxs {
			if fn(t) {
				return nil
			}
		}
	}
	return nil
}

func (h *Handler) taxonomy(r *http.Request) (any, error) {
	id := strings.ToLower(r.PathValue("id"))
	var out *Taxonomy
	err := h.findTaxonomies(r, func(t *linkwork.Taxonomy) bool {
		if t.UUID == id {
			tx := toTaxonomy(t, true)
			out = &tx
		}
		return out != nil
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		return nil, notFound("taxonomy", id)
	}
	return out, nil
}

func (h *Handler) termList(r *http.Request) (any, error) {
	place, err := h.listPlace(r)
	if err != nil {
		return nil, err
	}
	p, err := pageParams(r)
	if err != nil {
		return nil, err
	}
	taxs, err := h.taxonomies.ListTaxonomies(r.Context(), place.ID)
	if err != nil {
		return nil, err
	}
	v := r.URL.Query()
	search, taxID := strings.TrimSpace(v.Get("search")), strings.ToLower(strings.TrimSpace(v.Get("taxonomy_id")))
	if taxID != "" && !isUUID(taxID) {
		return nil, linkwork.FieldError("taxonomy_id", "taxonomy_id must be the id (a UUID) of a taxonomy, from /oruk/taxonomies.")
	}
	var all []TaxonomyTerm
	for _, t := range taxs {
		if taxID != "" && t.UUID != taxID {
			continue
		}
		for _, term := range t.Terms {
			if matches(search, term.Name, term.Description, term.Code) {
				all = append(all, toTaxonomyTerm(term, t))
			}
		}
	}
	return pageOf(all, p), nil
}

func (h *Handler) term(r *http.Request) (any, error) {
	id := strings.ToLower(r.PathValue("id"))
	var out *TaxonomyTerm
	err := h.findTaxonomies(r, func(t *linkwork.Taxonomy) bool {
		for _, term := range t.Terms {
			if term.UUID == id {
				tt := toTaxonomyTerm(term, t)
				out = &tt
			}
		}
		return out != nil
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		return nil, notFound("taxonomy term", id)
	}
	return out, nil
}
