package api

import (
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"linkwork"
)

// registerSearch adds the directory search. It is for everyone signed in: the public search
// the web pages, which show community offers only.
func (h *Handler) registerSearch(g registrar) {
	g.Handle("GET", Prefix+"/search", linkwork.PermSignedIn, h.search)
}

// SearchHit is one service a search found: a summary of the service, a snippet of its
// description, when it next runs and, for a search near somewhere, how far its nearest
// location is.
type SearchHit struct {
	Service         ServiceSummary       `json:"service"`
	Snippet         string               `json:"snippet"`
	Next            *linkwork.Occurrence `json:"next,omitempty"`
	DistanceKm      *float64             `json:"distance_km,omitempty"`
	NearestLocation *linkwork.Location   `json:"nearest_location,omitempty"`
}

// ServiceSummary is what a search result says about a service: enough to choose and to get
// in touch, with a link to its public page for the rest.
type ServiceSummary struct {
	ID               int64                   `json:"id"`
	UUID             string                  `json:"uuid"`
	Kind             linkwork.ServiceKind    `json:"kind"`
	Name             string                  `json:"name"`
	OrganisationID   int64                   `json:"organisation_id"`
	OrganisationName string                  `json:"organisation_name"`
	Status           linkwork.ServiceStatus  `json:"status"`
	URL              string                  `json:"url,omitempty"`
	Email            string                  `json:"email,omitempty"`
	Phone            string                  `json:"phone,omitempty"`
	MinAge           *int                    `json:"minimum_age,omitempty"`
	MaxAge           *int                    `json:"maximum_age,omitempty"`
	Free             bool                    `json:"free"`
	Fees             string                  `json:"fees,omitempty"`
	Areas            []string                `json:"areas"`
	Terms            []linkwork.TaxonomyTerm `json:"terms"`
	Schedules        []linkwork.Schedule     `json:"schedules"`
	Locations        []linkwork.Location     `json:"locations"`
	LastVerifiedAt   *time.Time              `json:"last_verified_at,omitempty"`
	// PageURL is the service's public page.
	PageURL string `json:"page_url"`
}

// searchFields maps the fields that a query's problems name (linkwork.SearchQuery.Validate
// and the store) to the API's parameters.
var searchFields = map[string]string{
	"text": "q", "term_ids": "term_id", "accessibility": "accessibility_id", "days": "day",
}

// ukPoint is a point in the UK, to tell which of lat and lng is out of range.
var ukPoint = linkwork.Point{Lat: 53.72, Lng: -1.86}

// search answers GET /api/v1/search: the principal's place's directory, searched by the
// query string's parameters. Every parameter out of range is reported at once, each
// message giving the allowed range.
func (h *Handler) search(w http.ResponseWriter, r *http.Request) {
	q, err := searchQuery(r.URL.Query())
	if err != nil {
		// The store looks the postcode up only for a query in range: look now, so that
		// every problem is reported at once.
		if q.Postcode != "" && !slices.ContainsFunc(linkwork.FieldErrors(err), func(e *linkwork.Error) bool { return e.Field == "postcode" }) {
			if _, perr := h.svc.Geography.FindPostcode(r.Context(), q.Postcode, linkwork.RefuseTerminated); perr != nil {
				if linkwork.ErrorField(perr) != "postcode" {
					h.fail(w, r, perr)
					return
				}
				var ps linkwork.Problems
				ps.Add(err)
				ps.Add(&linkwork.Error{Code: linkwork.EINVALID, Field: "postcode", Message: linkwork.ErrorMessage(perr)})
				err = ps.Err()
			}
		}
		h.fail(w, r, err)
		return
	}
	q.PlaceID = principal(r).Place.ID
	results, total, err := h.svc.Search.Search(r.Context(), q)
	if err != nil {
		h.fail(w, r, renameSearchFields(err, q))
		return
	}
	hits := make([]SearchHit, len(results))
	for i, res := range results {
		hits[i] = h.searchHit(res)
	}
	writeJSON(w, http.StatusOK, newList(hits, q.Page, total))
}

// searchQuery reads a search from the query string and validates it, returning every
// problem at once.
func searchQuery(v url.Values) (linkwork.SearchQuery, error) {
	var ps linkwork.Problems
	q := linkwork.SearchQuery{Text: v.Get("q"), Postcode: v.Get("postcode"), Kind: linkwork.ServiceKind(v.Get("kind")),
		Sort: linkwork.SearchSort(v.Get("sort")), Page: linkwork.Page{Number: 1, Size: linkwork.DefaultPageSize}}
	ids := func(name string) []int64 {
		var out []int64
		for _, s := range v[name] {
			id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
			if err != nil || id <= 0 {
				ps.Add(linkwork.FieldError(name, "%s must be a term's ID, a whole number from 1; repeat %s for several terms.", name, name))
				return nil
			}
			out = append(out, id)
		}
		return out
	}
	q.TermIDs, q.AccessibilityIDs = ids("term_id"), ids("accessibility_id")
	if s := v.Get("age"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			ps.Add(linkwork.FieldError("age", "age must be a whole number from 0 to %d.", linkwork.MaxSearchAge))
		} else {
			q.Age = &n
		}
	}
	for _, s := range v["day"] {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > 6 {
			ps.Add(linkwork.FieldError("day", "day must be a whole number from 0 (Sunday) to 6 (Saturday); repeat day for several days."))
			break
		}
		q.Days = append(q.Days, time.Weekday(n))
	}
	clock := func(name, from, to string, allowMidnight bool) *int {
		s := v.Get(name)
		if s == "" {
			return nil
		}
		if allowMidnight && s == "24:00" {
			n := 24 * 60
			return &n
		}
		n, err := linkwork.ParseClock(s)
		if err != nil {
			ps.Add(linkwork.FieldError(name, "%s must be a time from %s to %s, as HH:MM.", name, from, to))
			return nil
		}
		return &n
	}
	q.From = clock("from", "00:00", "23:59", false)
	q.To = clock("to", "00:01", "24:00", true)
	switch v.Get("free") {
	case "", "false":
	case "true":
		q.FreeOnly = true
	default:
		ps.Add(linkwork.FieldError("free", "free must be true or false."))
	}
	lat, lng := v.Get("lat"), v.Get("lng")
	if lat != "" || lng != "" {
		la, err1 := strconv.ParseFloat(lat, 64)
		ln, err2 := strconv.ParseFloat(lng, 64)
		switch {
		case lat == "":
			ps.Add(linkwork.FieldError("lat", "Give both lat and lng, or neither."))
		case lng == "":
			ps.Add(linkwork.FieldError("lng", "Give both lat and lng, or neither."))
		case err1 != nil:
			ps.Add(linkwork.FieldError("lat", "lat must be a number of degrees."))
		case err2 != nil:
			ps.Add(linkwork.FieldError("lng", "lng must be a number of degrees."))
		default:
			q.Near = &linkwork.Point{Lat: la, Lng: ln}
		}
	}
	if s := v.Get("radius_km"); s != "" {
		km, err := strconv.ParseFloat(s, 64)
		// 0 would mean "not given" to the query, which then uses the default distance.
		if err != nil || km == 0 {
			ps.Add(linkwork.FieldError("radius_km", "radius_km must be a number of kilometres from %g to %g.",
				linkwork.MinRadiusKm, float64(linkwork.MaxRadiusKm)))
		} else {
			q.RadiusKm = km
		}
	}
	page := func(name string, max int, dst *int) {
		if s := v.Get(name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 || n > max {
				ps.Add(linkwork.FieldError(name, "%s must be a whole number from 1 to %d.", name, max))
				return
			}
			*dst = n
		}
	}
	page("page", linkwork.MaxSearchPage, &q.Page.Number)
	page("per_page", linkwork.MaxPageSize, &q.Page.Size)
	// The query's own checks, on what could be read, with the parameters' names.
	ps.Add(renameSearchFields(q.Validate(), q))
	return q, ps.Err()
}

// renameSearchFields names the fields of a search's problems as the API's parameters. A
// problem with the point searched near is about lat or lng, whichever is out of range.
func renameSearchFields(err error, q linkwork.SearchQuery) error {
	es := linkwork.FieldErrors(err)
	if len(es) == 0 {
		return err
	}
	var ps linkwork.Problems
	for _, e := range es {
		e := *e
		if f, ok := searchFields[e.Field]; ok {
			e.Field = f
		} else if e.Field == "near" && q.Near != nil {
			e.Field = "lng"
			if p := (linkwork.SearchQuery{Near: &linkwork.Point{Lat: q.Near.Lat, Lng: ukPoint.Lng}}); p.Validate() != nil {
				e.Field = "lat"
			}
		}
		ps = append(ps, &e)
	}
	return ps.Err()
}

// searchHit is a result as the API answers it.
func (h *Handler) searchHit(res linkwork.SearchResult) SearchHit {
	s := res.Service
	hit := SearchHit{Snippet: res.Snippet, Next: res.Next, NearestLocation: res.NearestLocation,
		Service: ServiceSummary{ID: s.ID, UUID: s.UUID, Kind: s.Kind, Name: s.Name, OrganisationID: s.OrganisationID,
			OrganisationName: s.OrganisationName, Status: s.Status, URL: s.URL, Email: s.Email, Phone: s.Phone,
			MinAge: s.MinAge, MaxAge: s.MaxAge, Free: s.Free, Fees: s.Fees, Areas: s.Areas, Terms: s.Terms,
			Schedules: s.Schedules, Locations: s.Locations, LastVerifiedAt: s.LastVerifiedAt,
			PageURL: strings.TrimSuffix(h.baseURL, "/") + "/directory/services/" + strconv.FormatInt(s.ID, 10)}}
	if d := res.DistanceKm; d != nil {
		km := math.Round(*d*1000) / 1000 // to the metre
		hit.DistanceKm = &km
	}
	// Lists are always present, as on a Service.
	if hit.Service.Areas == nil {
		hit.Service.Areas = []string{}
	}
	if hit.Service.Terms == nil {
		hit.Service.Terms = []linkwork.TaxonomyTerm{}
	}
	if hit.Service.Schedules == nil {
		hit.Service.Schedules = []linkwork.Schedule{}
	}
	if hit.Service.Locations == nil {
		hit.Service.Locations = []linkwork.Location{}
	}
	return hit
}
