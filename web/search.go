package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"linkwork"
)

// The public directory search. Anyone may search a place's community offers without signing
// in; a professional signed in to the place searches its connector schemes too. Which place:
// ?place=ID when given; otherwise a signed-in person's own place; otherwise the only place
// the deployment hosts; otherwise the visitor chooses from the list of places.

func (h *Handler) registerSearch(g registrar) {
	g.Handle("GET", "/directory", linkwork.PermPublic, h.search)
}

// searchPageSize is how many results a page of the web search shows.
const searchPageSize = 20

// The distances the search offers, in kilometres.
var searchRadii = []string{"1", "2", "5", "10", "25"}

// timeOfDay is a part of the day the search offers, as minutes after midnight.
type timeOfDay struct {
	value, label string
	from, to     int
}

var timesOfDay = []timeOfDay{
	{"morning", "Morning (before 12:00)", 0, 12 * 60},
	{"afternoon", "Afternoon (12:00 to 17:00)", 12 * 60, 17 * 60},
	{"evening", "Evening (after 17:00)", 17 * 60, 24 * 60},
}

// searchFields maps the fields a search's problems name (linkwork.SearchQuery.Validate and
// the store) to the form's fields, so that each message is shown next to its field.
var searchFields = map[string]string{
	"text": "q", "term_ids": "term_id", "accessibility": "accessibility_id", "age": "age", "days": "day",
	"from": "time", "to": "time", "postcode": "postcode", "near": "postcode", "radius_km": "radius_km",
	"kind": "kind", "sort": "sort",
}

// searchOrder is the order of the form's fields, for the error summary.
var searchOrder = []string{"q", "postcode", "radius_km", "sort", "kind", "term_id", "age", "day", "time", "accessibility_id"}

// SearchTermGroup is the terms of one taxonomy offered as checkboxes, folded away unless
// one of them is chosen.
type SearchTermGroup struct {
	Form   *Form
	Name   string // the checkboxes' field name: term_id or accessibility_id
	Code   string // the taxonomy's code
	Legend string
	Hint   string
	Terms  []dirChoice
	Open   bool
}

// SearchHit is one result as the list shows it, in plain words.
type SearchHit struct {
	ID           int64
	Name         string
	Organisation string
	Scheme       bool
	Closed       bool // temporarily closed
	Snippet      string
	When         string
	NextDate     string
	Where        string
	Distance     string
	Cost         string
	Needs        []string
	// Availability is how full a community offer is, as its group said: "Full", or the
	// places left this week; "" when the group has not said this week.
	Availability string
	Full         bool
}

// SearchView is the view of the directory search: the form, and the results or the problems.
type SearchView struct {
	Layout
	Form  *Form
	Place *linkwork.Place
	// PlaceParam is the place as chosen in the address, kept in the form and the pages' links.
	PlaceParam string
	// OtherPlaces is set when the deployment hosts other places to search instead.
	OtherPlaces bool
	// Professional is set for someone signed in to the place: they see connector schemes
	// too, and choose the kind.
	Professional     bool
	CanPractitioners bool
	// PostcodesLoaded is false until postcodes have been imported: until then there is no
	// distance to search by, and the form says so.
	PostcodesLoaded bool
	TermGroups      []SearchTermGroup
	Access          SearchTermGroup
	Days            []dirChoice
	Times           []dirChoice
	Radii           []dirChoice
	Sorts           []dirChoice
	Kinds           []dirChoice
	Results         []SearchHit
	Total           int
	// Count says how many results there are, as a sentence: "42 offers match".
	Count string
	// Summary is the search in words, for the printed page.
	Summary string
	Pager   Pager
}

// SearchPlacesView is the view of the list of places to search, when the deployment hosts
// several and none was chosen.
type SearchPlacesView struct {
	Layout
	Places []*linkwork.Place
}

func (h *Handler) search(w http.ResponseWriter, r *http.Request) {
	if mustChangePassword(w, r) {
		return
	}
	q := r.URL.Query()
	place, placeParam, places, err := h.searchPlace(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	if place == nil {
		h.render(w, r, http.StatusOK, "search_places", &SearchPlacesView{
			Layout: Layout{Title: "Find support: choose a place"}, Places: places})
		return
	}
	p := principal(r)
	v := &SearchView{Layout: Layout{Title: "Find support in " + place.Name}, Form: NewForm(), Place: place,
		PlaceParam: placeParam, Professional: p != nil && p.Place.ID == place.ID,
		Days: weekDays,
		Sorts: []dirChoice{{Value: string(linkwork.SortRelevance), Label: "Best match"},
			{Value: string(linkwork.SortDistance), Label: "Nearest first"}},
		Kinds: []dirChoice{{Value: string(linkwork.KindActivity), Label: "Community offers"},
			{Value: string(linkwork.KindScheme), Label: "Connector schemes"}}}
	v.CanPractitioners = v.Professional && p.Can(linkwork.PermViewPractitioners)
	if placeParam == "" {
		v.OtherPlaces = p == nil && len(places) > 1
	} else if p == nil {
		all, err := h.svc.Places.ListPlaces(r.Context())
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		v.OtherPlaces = len(all) > 1
	}
	for _, t := range timesOfDay {
		v.Times = append(v.Times, dirChoice{Value: t.value, Label: t.label})
	}
	if v.PostcodesLoaded, err = h.postcodesLoaded(r); err != nil {
		h.serverError(w, r, err)
		return
	}
	taxes, err := h.svc.Taxonomies.ListTaxonomies(r.Context(), place.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}

	f := v.Form
	f.Order = searchOrder
	sq, keep := readSearch(q, f, v.Professional, v.PostcodesLoaded)
	sq.PlaceID = place.ID
	if placeParam != "" {
		keep.Set("place", placeParam)
	}
	v.TermGroups, v.Access = searchTermGroups(taxes, f)
	v.Radii = radiusChoices(f.Get("radius_km"))
	if f.Get("radius_km") == "" {
		f.Values["radius_km"] = strconv.Itoa(linkwork.DefaultRadiusKm) // what the query uses
	}
	v.Summary = searchSummary(f, v, taxes)

	status := http.StatusOK
	// Every problem is shown at once: what the handler found, the query's ranges and, when
	// those stop the search before the store looks the postcode up, the postcode.
	if err := sq.Validate(); err != nil {
		failSearch(f, err)
	}
	if f.HasErrors() && sq.Postcode != "" && f.Error("postcode") == "" {
		if _, err := h.svc.Geography.FindPostcode(r.Context(), sq.Postcode, linkwork.RefuseTerminated); err != nil && !failSearch(f, err) {
			h.serverError(w, r, err)
			return
		}
	}
	if !f.HasErrors() {
		// The order the results come in, when not chosen, is the query's default.
		if v.PostcodesLoaded {
			f.Values["sort"] = string(sq.Sort)
		}
		results, total, err := h.svc.Search.Search(r.Context(), sq)
		if err != nil {
			if !failSearch(f, err) {
				h.serverError(w, r, err)
				return
			}
		} else {
			v.Total = total
			v.Count = searchCount(total, sq.Kind)
			for _, res := range results {
				v.Results = append(v.Results, searchHit(res))
			}
			if err := h.addAvailability(r, v.Results); err != nil {
				h.serverError(w, r, err)
				return
			}
			v.Pager = newPager("/directory", keep.Encode(), sq.Page, total)
		}
	}
	if f.HasErrors() {
		status = http.StatusUnprocessableEntity
		// Folded groups with a problem are opened, so that the summary's link finds the box.
		for i := range v.TermGroups {
			v.TermGroups[i].Open = v.TermGroups[i].Open || f.Error("term_id") != ""
		}
		v.Access.Open = v.Access.Open || f.Error("accessibility_id") != ""
	}
	h.render(w, r, status, "search", v)
}

// addAvailability says on each community offer of a page of results how full its group
// says it is, read for the whole page at once.
func (h *Handler) addAvailability(r *http.Request, hits []SearchHit) error {
	if h.svc.Groups == nil {
		return nil
	}
	var ids []int64
	for _, hit := range hits {
		if !hit.Scheme {
			ids = append(ids, hit.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	avail, err := h.svc.Groups.Availability(r.Context(), ids)
	if err != nil {
		return err
	}
	now := timeNow()
	for i := range hits {
		hits[i].Availability, hits[i].Full = directoryAvailability(avail[hits[i].ID], now)
	}
	return nil
}

// searchPlace decides which place to search (see the top of this file). It returns the
// place, the ?place= value to keep in links (empty when the place was not chosen in the
// address), and the places to choose from when there is no place yet. A place that does not
// exist is ENOTFOUND.
func (h *Handler) searchPlace(r *http.Request) (*linkwork.Place, string, []*linkwork.Place, error) {
	if s := r.URL.Query().Get("place"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return nil, "", nil, linkwork.Errorf(linkwork.ENOTFOUND, "No such place.")
		}
		pl, err := h.svc.Places.FindPlaceByID(r.Context(), id)
		if err != nil {
			return nil, "", nil, err
		}
		return pl, strconv.FormatInt(pl.ID, 10), nil, nil
	}
	if p := principal(r); p != nil {
		return p.Place, "", nil, nil
	}
	places, err := h.svc.Places.ListPlaces(r.Context())
	if err != nil {
		return nil, "", nil, err
	}
	if len(places) == 1 {
		return places[0], "", places, nil
	}
	return nil, "", places, nil
}

// postcodesLoaded reports whether any postcodes have been imported. Once they have, they
// stay (nothing removes them), so a yes is remembered and the table is not counted again.
func (h *Handler) postcodesLoaded(r *http.Request) (bool, error) {
	if h.havePostcodes.Load() {
		return true, nil
	}
	n, err := h.svc.Geography.CountPostcodes(r.Context())
	if err != nil {
		return false, err
	}
	if n > 0 {
		h.havePostcodes.Store(true)
	}
	return n > 0, nil
}

// readSearch reads the search from the address into the form, as typed, and into a query.
// It records on the form what only the handler can see to be wrong (a word where a number
// goes, a choice that is not in a list); the query's own Validate checks the ranges. keep
// holds the parameters to carry into the pages' links.
func readSearch(q url.Values, f *Form, professional, postcodes bool) (linkwork.SearchQuery, url.Values) {
	sq := linkwork.SearchQuery{Page: linkwork.Page{Size: searchPageSize}}
	keep := url.Values{}
	set := func(k, v string) {
		f.Values[k] = v
		if v != "" {
			keep.Set(k, v)
		}
	}
	set("q", strings.TrimSpace(q.Get("q")))
	sq.Text = f.Get("q")

	ids := func(k, message string) []int64 {
		var vs []string
		var out []int64
		for _, s := range q[k] {
			if s = strings.TrimSpace(s); s == "" {
				continue
			}
			vs = append(vs, s)
			keep.Add(k, s)
			id, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				f.Fail(k, message)
				continue
			}
			out = append(out, id)
		}
		f.setAll(k, vs)
		return out
	}
	sq.TermIDs = ids("term_id", "Choose needs, building blocks and groups from the lists.")
	sq.AccessibilityIDs = ids("accessibility_id", "Choose what you need to make it accessible from the list.")

	set("age", strings.TrimSpace(q.Get("age")))
	if s := f.Get("age"); s != "" {
		if n, err := strconv.Atoi(s); err != nil {
			f.Fail("age", "Enter the age as a whole number, such as 67.")
		} else {
			sq.Age = &n
		}
	}
	set("day", q.Get("day"))
	if s := f.Get("day"); s != "" {
		if n, err := strconv.Atoi(s); err != nil || n < 0 || n > 6 {
			f.Fail("day", "Choose a day from the list.")
		} else {
			sq.Days = []time.Weekday{time.Weekday(n)}
		}
	}
	set("time", q.Get("time"))
	if s := f.Get("time"); s != "" {
		i := slices.IndexFunc(timesOfDay, func(t timeOfDay) bool { return t.value == s })
		if i < 0 {
			f.Fail("time", "Choose a time of day from the list.")
		} else {
			from, to := timesOfDay[i].from, timesOfDay[i].to
			sq.From, sq.To = &from, &to
		}
	}
	if v := q.Get("free"); v == "true" || v == "yes" || v == "on" {
		set("free", "true")
		sq.FreeOnly = true
	}
	if professional {
		set("kind", q.Get("kind"))
		switch k := linkwork.ServiceKind(f.Get("kind")); k {
		case "", linkwork.KindActivity, linkwork.KindScheme:
			sq.Kind = k
		default:
			f.Fail("kind", "Choose what to search for from the list.")
		}
	} else {
		sq.Kind = linkwork.KindActivity
	}
	// Without postcodes there is no distance to search by: the form says so and offers
	// neither the postcode nor the order by distance.
	if postcodes {
		set("postcode", strings.TrimSpace(q.Get("postcode")))
		sq.Postcode = f.Get("postcode")
		if s := strings.TrimSpace(q.Get("radius_km")); s != "" {
			set("radius_km", s)
			if km, err := strconv.ParseFloat(s, 64); err != nil {
				f.Fail("radius_km", "Choose a distance from the list.")
			} else {
				sq.RadiusKm = km
			}
		}
		set("sort", q.Get("sort"))
		sq.Sort = linkwork.SearchSort(f.Get("sort"))
		// Best match without words has nothing to rank by: the order is then the default,
		// nearest first when there is a postcode. (The form sends the order it shows, which
		// is best match until a postcode is given.)
		if sq.Sort == linkwork.SortRelevance && sq.Text == "" {
			sq.Sort = ""
		}
	}
	// A page out of range is the first (or the last there can be), as on every list.
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 1 {
		sq.Page.Number = min(n, linkwork.MaxSearchPage)
	}
	return sq, keep
}

// failSearch records the problems of a search on the form, each against the form's field,
// and reports whether err was one the person can fix.
func failSearch(f *Form, err error) bool {
	es := linkwork.FieldErrors(err)
	if len(es) == 0 {
		return false
	}
	for _, e := range es {
		if e.Code != linkwork.EINVALID && e.Code != linkwork.ENOTFOUND {
			return false
		}
	}
	for _, e := range es {
		field, ok := searchFields[e.Field]
		if !ok {
			field = "q"
		}
		if f.Error(field) == "" {
			f.Fail(field, e.Message)
		}
	}
	return true
}

// radiusChoices lists the distances to choose from, with the one in the address if it is
// another (the query's Validate says if it is out of range).
func radiusChoices(current string) []dirChoice {
	var out []dirChoice
	for _, km := range searchRadii {
		out = append(out, dirChoice{Value: km, Label: "Within " + km + " km"})
	}
	if current != "" && !slices.Contains(searchRadii, current) {
		out = append(out, dirChoice{Value: current, Label: "Within " + current + " km"})
	}
	return out
}

// searchTermGroups offers the place's needs, building blocks and client groups (any one of a
// group will do), and its accessibility terms (each one chosen is needed).
func searchTermGroups(taxes []*linkwork.Taxonomy, f *Form) ([]SearchTermGroup, SearchTermGroup) {
	var groups []SearchTermGroup
	access := SearchTermGroup{Form: f, Name: "accessibility_id", Code: linkwork.TaxonomyAccessibility, Legend: "Accessibility",
		Hint: "Only places that offer everything you choose."}
	legends := map[string][2]string{
		linkwork.TaxonomyNeed:          {"What the person needs help with", "Choose as many as you like."},
		linkwork.TaxonomyBuildingBlock: {"What would help them", "To connect with people, to have a space, to use their skills and passions, or to take control."},
		linkwork.TaxonomyClientGroup:   {"Who it is for", "Choose as many as you like."},
	}
	named := map[string]bool{} // fields whose first box has been given the field's name
	for _, code := range []string{linkwork.TaxonomyNeed, linkwork.TaxonomyBuildingBlock, linkwork.TaxonomyClientGroup, linkwork.TaxonomyAccessibility} {
		i := slices.IndexFunc(taxes, func(t *linkwork.Taxonomy) bool { return t.Code == code })
		if i < 0 || len(taxes[i].Terms) == 0 {
			continue
		}
		g := SearchTermGroup{Form: f, Name: "term_id", Code: code, Legend: legends[code][0], Hint: legends[code][1]}
		if code == linkwork.TaxonomyAccessibility {
			g = access
		}
		for _, term := range taxes[i].Terms {
			value := strconv.FormatInt(term.ID, 10)
			// The first box of each field has the field's name as its id, for the summary.
			id := g.Name + "-" + value
			if !named[g.Name] {
				id, named[g.Name] = g.Name, true
			}
			g.Terms = append(g.Terms, dirChoice{Value: value, Label: term.Name, ID: id})
			g.Open = g.Open || f.Has(g.Name, value)
		}
		if code == linkwork.TaxonomyAccessibility {
			access = g
		} else {
			groups = append(groups, g)
		}
	}
	return groups, access
}

// searchCount says how many results there are.
func searchCount(n int, kind linkwork.ServiceKind) string {
	one, many := "result matches", "results match"
	switch kind {
	case linkwork.KindActivity:
		one, many = "offer matches", "offers match"
	case linkwork.KindScheme:
		one, many = "connector scheme matches", "connector schemes match"
	}
	switch n {
	case 0:
		return "No " + strings.TrimSuffix(many, " match") + " match"
	case 1:
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// searchSummary says in words what was searched for, for the printed page.
func searchSummary(f *Form, v *SearchView, taxes []*linkwork.Taxonomy) string {
	var parts []string
	if s := f.Get("q"); s != "" {
		parts = append(parts, "“"+s+"”")
	}
	var terms []string
	for _, t := range taxes {
		for _, term := range t.Terms {
			id := strconv.FormatInt(term.ID, 10)
			if f.Has("term_id", id) || f.Has("accessibility_id", id) {
				terms = append(terms, term.Name)
			}
		}
	}
	if len(terms) > 0 {
		parts = append(parts, strings.Join(terms, ", "))
	}
	if s := f.Get("age"); s != "" {
		parts = append(parts, "age "+s)
	}
	when := ""
	for _, d := range v.Days {
		if d.Value == f.Get("day") {
			when = d.Label
		}
	}
	for _, t := range timesOfDay {
		if t.value == f.Get("time") {
			when = strings.TrimSpace(when + " " + t.value)
		}
	}
	if when != "" {
		parts = append(parts, when)
	}
	if f.Get("free") != "" {
		parts = append(parts, "free only")
	}
	if pc := f.Get("postcode"); pc != "" {
		km := f.Get("radius_km")
		if km == "" {
			km = strconv.Itoa(linkwork.DefaultRadiusKm)
		}
		if n, err := linkwork.NormalisePostcode(pc); err == nil {
			pc = n
		}
		parts = append(parts, "within "+km+" km of "+pc)
	}
	if len(parts) == 0 {
		return ""
	}
	return "Searched for: " + strings.Join(parts, "; ") + "."
}

// searchHit describes a result in plain words.
func searchHit(res linkwork.SearchResult) SearchHit {
	s := res.Service
	hit := SearchHit{ID: s.ID, Name: s.Name, Organisation: s.OrganisationName, Scheme: s.Kind == linkwork.KindScheme,
		Closed: s.Status == linkwork.StatusTemporarilyClosed, Snippet: res.Snippet, Cost: costText(s)}
	switch {
	case res.Next != nil:
		hit.When = res.Next.Schedule.String()
		if len(s.Schedules) > 1 {
			hit.When += ", and at other times"
		}
		hit.NextDate = res.Next.Start.In(london).Format("Monday 2 January")
	case len(s.Schedules) > 0:
		hit.When = s.Schedules[0].String()
	default:
		hit.When = "Ask the organisation when it runs"
	}
	loc := res.NearestLocation
	if loc == nil && len(s.Locations) > 0 {
		loc = &s.Locations[0]
	}
	switch {
	case loc != nil:
		var parts []string
		for _, p := range []string{loc.Name, loc.Town, loc.Postcode} {
			if p != "" {
				parts = append(parts, p)
			}
		}
		hit.Where = strings.Join(parts, ", ")
		if len(s.Locations) > 1 {
			hit.Where += ", and other venues"
		}
	case len(s.Areas) > 0:
		hit.Where = "Covers " + strings.Join(s.Areas, ", ")
	default:
		hit.Where = "No fixed venue: ask the organisation"
	}
	if d := res.DistanceKm; d != nil {
		if *d < 0.05 {
			hit.Distance = "under 0.1 km away"
		} else {
			hit.Distance = fmt.Sprintf("%.1f km away", *d)
		}
	}
	for _, t := range s.Terms {
		if t.TaxonomyCode == linkwork.TaxonomyNeed {
			hit.Needs = append(hit.Needs, t.Name)
		}
	}
	return hit
}

// costText says what a service costs.
func costText(s *linkwork.Service) string {
	switch {
	case s.Free && s.Fees != "":
		return "Free. " + s.Fees
	case s.Free:
		return "Free"
	case s.Fees != "":
		return s.Fees
	}
	return "There is a cost. Ask the organisation how much."
}

// mustChangePassword sends someone signed in who must change their password to their
// account page, and reports whether it did. Public pages that show more to people signed
// in call it, as the router does for every signed-in page.
func mustChangePassword(w http.ResponseWriter, r *http.Request) bool {
	if p := principal(r); p != nil && p.User.MustChangePassword {
		http.Redirect(w, r, "/account", http.StatusSeeOther)
		return true
	}
	return false
}
