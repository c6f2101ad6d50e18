package web

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"linkwork"
)

func (h *Handler) registerDirectory(g registrar) {
	manage := linkwork.PermManageDirectory
	g.Handle("GET", "/directory/services/{id}", linkwork.PermPublic, h.publicService)
	g.Handle("GET", "/services", manage, h.services)
	g.Handle("GET", "/services/new", manage, h.newService)
	g.Handle("POST", "/services", manage, h.createService)
	g.Handle("GET", "/services/{id}/edit", manage, h.editService)
	g.Handle("POST", "/services/{id}", manage, h.updateService)
	g.Handle("POST", "/services/{id}/verify", manage, h.verifyService)
}

// dirChoice is one option of a select, a radio or a checkbox list.
type dirChoice struct {
	Value string
	Label string
	// ID is the input's id where a list of checkboxes needs one per box: the first box has
	// the field's name, so that the error summary can link to it.
	ID string
}

// The rows of a service's lists that the form offers at least: people fill in what they
// need and leave the rest blank.
const (
	minScheduleRows = 3
	minLocationRows = 2
	minContactRows  = 2
	maxListRows     = 50
)

// TermGroup is the terms of one taxonomy, for the service form to offer.
type TermGroup struct {
	Code  string
	Name  string
	Terms []dirChoice
}

// ServiceView is the view of one service's page, which anyone may read.
type ServiceView struct {
	Layout
	Service *linkwork.Service
	// Ages, Cost and Waiting say in words who, what it costs and how long the wait is.
	Ages    string
	Cost    string
	Waiting string
	Terms   map[string][]string // term names by taxonomy code
	// Referrers are the scheme's kinds of referrer, in words.
	Referrers []string
	// Public is whether the public can see the service (it is running or only closed for
	// now); CanManage whether the principal keeps it, and so sees it either way.
	Public    bool
	CanManage bool
	// Professional is set for a signed-in person of the service's place, who sees the
	// scheme's capacity and systems too.
	Professional   bool
	NeedsVerifying bool
	// Availability is how full a community offer is, as its group said ("Full", or the
	// places left this week), with the group's note; "" when it has not said this week.
	Availability     string
	Full             bool
	AvailabilityNote string
}

func (h *Handler) publicService(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.notFound(w, r)
		return
	}
	s, err := h.svc.Directory.FindServiceByID(r.Context(), id)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	p := principal(r)
	inPlace := p != nil && p.Place.ID == s.PlaceID
	v := &ServiceView{Layout: Layout{Title: s.Name}, Service: s, Terms: map[string][]string{},
		Public:         s.Status == linkwork.StatusActive || s.Status == linkwork.StatusTemporarilyClosed,
		CanManage:      inPlace && p.CanIn(linkwork.PermManageDirectory, s.OrganisationID),
		Professional:   inPlace && p.Can(linkwork.PermViewPractitioners),
		NeedsVerifying: s.NeedsVerifying(timeNow())}
	if !v.Public && !v.CanManage {
		h.notFound(w, r)
		return
	}
	if s.Kind == linkwork.KindActivity && h.svc.Groups != nil {
		avail, err := h.svc.Groups.Availability(r.Context(), []int64{s.ID})
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		if a := avail[s.ID]; a != nil {
			v.Availability, v.Full = directoryAvailability(a, timeNow())
			if v.Availability != "" {
				v.AvailabilityNote = a.Note
			}
		}
	}
	v.Ages = ageText(s.MinAge, s.MaxAge)
	v.Cost = costText(s)
	for _, t := range s.Terms {
		v.Terms[t.TaxonomyCode] = append(v.Terms[t.TaxonomyCode], t.Name)
	}
	if sc := s.Scheme; sc != nil {
		for _, rt := range sc.WhoCanRefer {
			v.Referrers = append(v.Referrers, rt.Label())
		}
		switch sc.WaitingWeeks {
		case 0:
			v.Waiting = "No wait at the moment"
		case 1:
			v.Waiting = "About 1 week for a first contact"
		default:
			v.Waiting = fmt.Sprintf("About %d weeks for a first contact", sc.WaitingWeeks)
		}
	}
	h.render(w, r, http.StatusOK, "service", v)
}

// ageText says who a service is for by age.
func ageText(lo, hi *int) string {
	switch {
	case lo != nil && hi != nil && *lo == *hi:
		return fmt.Sprintf("Age %d only", *lo)
	case lo != nil && hi != nil:
		return fmt.Sprintf("Ages %d to %d", *lo, *hi)
	case lo != nil && *lo > 0:
		return fmt.Sprintf("Ages %d and over", *lo)
	case hi != nil:
		return fmt.Sprintf("Up to age %d", *hi)
	}
	return "All ages"
}

// ServicesView is the view of the list of a place's services for those who keep them.
type ServicesView struct {
	Layout
	Services []*linkwork.Service
	// Verify is set on the "needs verifying" tab: entries not checked for VerifyEvery.
	Verify         bool
	Kind           linkwork.ServiceKind
	OrganisationID string
	Organisations  []dirChoice
	// AllOrganisations is set when the principal may list the whole place.
	AllOrganisations bool
	Query            string // the filters, for the tabs' links
	Pager            Pager
	Now              time.Time
	CanTaxonomies    bool
}

func (h *Handler) services(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	q := r.URL.Query()
	orgs, err := h.directoryOrganisations(r)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	v := &ServicesView{Layout: Layout{Title: "Directory"}, Organisations: orgs, Now: timeNow(),
		AllOrganisations: p.CanPlaceWide(linkwork.PermManageDirectory), Verify: q.Get("tab") == "verify",
		CanTaxonomies: p.CanPlaceWide(linkwork.PermManageOrganisations)}
	filter := linkwork.ServiceFilter{PlaceID: p.Place.ID, Page: pageFrom(r)}
	if k := linkwork.ServiceKind(q.Get("kind")); k == linkwork.KindActivity || k == linkwork.KindScheme {
		v.Kind, filter.Kind = k, k
	}
	// Someone who keeps some organisations' entries lists all of theirs, or one of them; an
	// administrator may list the whole place.
	org := q.Get("organisation")
	if !slices.ContainsFunc(orgs, func(c dirChoice) bool { return c.Value == org }) {
		org = ""
	}
	v.OrganisationID = org
	if id, _ := strconv.ParseInt(org, 10, 64); id != 0 {
		filter.OrganisationIDs = []int64{id}
	} else if !v.AllOrganisations {
		filter.OrganisationIDs = p.OrganisationsWith(linkwork.PermManageDirectory)
		if len(filter.OrganisationIDs) == 0 {
			h.forbidden(w, r)
			return
		}
	}
	if v.Verify {
		v.Title = "Directory entries to check"
		filter.VerifiedBefore = timeNow().Add(-linkwork.VerifyEvery)
	}
	keep := url.Values{}
	if v.Kind != "" {
		keep.Set("kind", string(v.Kind))
	}
	if org != "" {
		keep.Set("organisation", org)
	}
	v.Query = keep.Encode()
	if v.Verify {
		keep.Set("tab", "verify")
	}
	list, total, err := h.svc.Directory.ListServices(r.Context(), filter)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	v.Services, v.Pager = list, newPager("/services", keep.Encode(), filter.Page, total)
	h.render(w, r, http.StatusOK, "services", v)
}

// directoryOrganisations lists the organisations whose entries the principal keeps: every
// organisation of the place for an administrator, otherwise their own.
func (h *Handler) directoryOrganisations(r *http.Request) ([]dirChoice, error) {
	p := principal(r)
	var out []dirChoice
	if p.CanPlaceWide(linkwork.PermManageDirectory) {
		return h.placeOrganisationChoices(r)
	}
	for _, m := range p.Memberships {
		id := strconv.FormatInt(m.OrganisationID, 10)
		if p.CanIn(linkwork.PermManageDirectory, m.OrganisationID) && !slices.ContainsFunc(out, func(c dirChoice) bool { return c.Value == id }) {
			out = append(out, dirChoice{Value: id, Label: m.OrganisationName})
		}
	}
	slices.SortFunc(out, func(a, b dirChoice) int { return strings.Compare(strings.ToLower(a.Label), strings.ToLower(b.Label)) })
	return out, nil
}

// placeOrganisationChoices lists every organisation of the principal's place, by name.
func (h *Handler) placeOrganisationChoices(r *http.Request) ([]dirChoice, error) {
	var out []dirChoice
	for n := 1; ; n++ {
		orgs, total, err := h.svc.Organisations.ListOrganisations(r.Context(), linkwork.OrganisationFilter{PlaceID: principal(r).Place.ID,
			Page: linkwork.Page{Number: n, Size: linkwork.MaxPageSize}})
		if err != nil {
			return nil, err
		}
		for _, o := range orgs {
			out = append(out, dirChoice{Value: strconv.FormatInt(o.ID, 10), Label: o.Name})
		}
		if len(orgs) == 0 || len(out) >= total {
			return out, nil
		}
	}
}

// manageableService returns the service in the path if it is in the principal's place
// (another place's is not found) and they keep entries for its organisation (another
// organisation's is forbidden).
func (h *Handler) manageableService(r *http.Request) (*linkwork.Service, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	s, err := h.svc.Directory.FindServiceByID(r.Context(), id)
	if err != nil {
		return nil, err
	}
	p := principal(r)
	if s.PlaceID != p.Place.ID {
		return nil, linkwork.Errorf(linkwork.ENOTFOUND, "Service not found.")
	}
	if !p.CanIn(linkwork.PermManageDirectory, s.OrganisationID) {
		return nil, linkwork.Errorf(linkwork.EFORBIDDEN, "Only %s can change this entry.", s.OrganisationName)
	}
	return s, nil
}

// ServiceKindView is the first step of adding a service: what kind it is.
type ServiceKindView struct {
	Layout
	Form  *Form
	Kinds []dirChoice
}

var serviceKinds = []dirChoice{
	{Value: string(linkwork.KindActivity), Label: "A community offer: a group, activity or service people can go to", ID: "kind"},
	{Value: string(linkwork.KindScheme), Label: "A connector scheme: social prescribing link workers, navigators, coordinators or coaches", ID: "kind-2"},
}

func (h *Handler) renderServiceKind(w http.ResponseWriter, r *http.Request, status int, f *Form) {
	h.render(w, r, status, "service_kind", &ServiceKindView{Layout: Layout{Title: "What are you adding?"}, Form: f, Kinds: serviceKinds})
}

// ServiceFormView is the view of the form to add or change a service.
type ServiceFormView struct {
	Layout
	Form     *Form
	Kind     linkwork.ServiceKind
	IsScheme bool
	Action   string
	Button   string
	Back     string
	// The choices the form offers.
	Organisations []dirChoice
	Statuses      []dirChoice
	TermGroups    []TermGroup
	Days          []dirChoice
	Ordinals      []dirChoice
	Frequencies   []dirChoice
	Models        []dirChoice
	Referrers     []dirChoice
	// The row numbers of the lists, counting from 0.
	ScheduleRows []int
	LocationRows []int
	ContactRows  []int
}

var (
	weekDays = []dirChoice{{Value: "1", Label: "Monday"}, {Value: "2", Label: "Tuesday"}, {Value: "3", Label: "Wednesday"},
		{Value: "4", Label: "Thursday"}, {Value: "5", Label: "Friday"}, {Value: "6", Label: "Saturday"}, {Value: "0", Label: "Sunday"}}
	frequencies = []dirChoice{{Value: linkwork.Weekly, Label: "Every week"}, {Value: linkwork.Monthly, Label: "Once a month"}}
	ordinals    = []dirChoice{{Value: "", Label: "Every week (not monthly)"}, {Value: "1", Label: "First"}, {Value: "2", Label: "Second"},
		{Value: "3", Label: "Third"}, {Value: "4", Label: "Fourth"}, {Value: "-1", Label: "Last"}}
)

// serviceRows maps the items of a service's lists to the form's rows, which differ when a
// row is left blank: item i of Schedules came from row Schedules[i].
type serviceRows struct {
	Schedules, Locations, Contacts []int
	// Shown is how many rows of each list the form shows.
	ShownSchedules, ShownLocations, ShownContacts int
}

// rowLists describes each list of a service form: its field prefix and what a row is
// called in an error message.
var rowLists = []struct{ list, label string }{{"schedules", "Time"}, {"locations", "Venue"}, {"contacts", "Contact"}}

func (rows serviceRows) of(list string) []int {
	switch list {
	case "schedules":
		return rows.Schedules
	case "locations":
		return rows.Locations
	}
	return rows.Contacts
}

// remap renames the problems in err about list items, such as "schedules[0].opens_at", to
// the form rows they came from, and says in each message which row it is about, since every
// row has the same fields.
func (rows serviceRows) remap(err error) error {
	es := linkwork.FieldErrors(err)
	if len(es) == 0 {
		return err
	}
	var ps linkwork.Problems
	for _, e := range es {
		e := *e
		for _, l := range rowLists {
			rest, ok := strings.CutPrefix(e.Field, l.list+"[")
			if !ok {
				continue
			}
			n, field, ok := strings.Cut(rest, "].")
			i, convErr := strconv.Atoi(n)
			if !ok || convErr != nil || i < 0 || i >= len(rows.of(l.list)) {
				continue
			}
			row := rows.of(l.list)[i]
			e.Field = fmt.Sprintf("%s[%d].%s", l.list, row, field)
			e.Message = fmt.Sprintf("%s %d: %s", l.label, row+1, e.Message)
		}
		ps = append(ps, &e)
	}
	return ps
}

// order lists the form's fields in the order it shows them, for the error summary.
func (rows serviceRows) order(scheme bool) []string {
	out := []string{"kind", "name", "description", "organisation_id", "status"}
	if scheme {
		out = append(out, "scheme", "scheme.model", "scheme.who_can_refer", "scheme.how_to_refer", "scheme.waiting_weeks",
			"scheme.staff_fte", "scheme.caseload_limit", "scheme.funding_source", "scheme.electronic_system", "scheme.assessment_tools")
	}
	out = append(out, "minimum_age", "maximum_age", "eligibility", "term_ids")
	for i := range rows.ShownSchedules {
		for _, k := range []string{"freq", "ordinal", "days", "opens_at", "closes_at", "description"} {
			out = append(out, fmt.Sprintf("schedules[%d].%s", i, k))
		}
	}
	for i := range rows.ShownLocations {
		for _, k := range []string{"name", "address_1", "address_2", "town", "postcode", "latitude", "longitude"} {
			out = append(out, fmt.Sprintf("locations[%d].%s", i, k))
		}
	}
	out = append(out, "areas", "free", "fees", "accessibility", "languages", "url", "email", "phone")
	for i := range rows.ShownContacts {
		for _, k := range []string{"name", "title", "email", "phone"} {
			out = append(out, fmt.Sprintf("contacts[%d].%s", i, k))
		}
	}
	return out
}

// SelectField is what the "select" template needs to draw one labelled select.
type SelectField struct {
	Form                     *Form
	Name, Label, Hint, Blank string
	Options                  []dirChoice
}

// Select returns a select for the field name; blank, if not empty, is the first option's
// text, meaning none.
func (f *Form) Select(name, label string, opts []dirChoice, blank string) SelectField {
	return SelectField{Form: f, Name: name, Label: label, Options: opts, Blank: blank}
}

// WithHint returns the select with hint text under its label.
func (s SelectField) WithHint(hint string) SelectField { s.Hint = hint; return s }

// BoxesField is what the "checkboxes" template needs to draw a fieldset of checkboxes.
type BoxesField struct {
	Form               *Form
	Name, Legend, Hint string
	Options            []dirChoice
	Inline             bool
	// Columns lays a long list out in columns.
	Columns bool
}

// Boxes returns checkboxes for the field name, one for each option. Options without an
// id get one: the field's name for the first, so that the error summary links to it, then
// name-2, name-3 and so on.
func (f *Form) Boxes(name, legend string, opts []dirChoice) BoxesField {
	out := make([]dirChoice, len(opts))
	for i, o := range opts {
		if o.ID == "" {
			o.ID = name
			if i > 0 {
				o.ID += "-" + strconv.Itoa(i+1)
			}
		}
		out[i] = o
	}
	return BoxesField{Form: f, Name: name, Legend: legend, Options: out}
}

// InRow returns the checkboxes laid out side by side.
func (b BoxesField) InRow() BoxesField { b.Inline = true; return b }

// InColumns returns a long list of checkboxes laid out in columns.
func (b BoxesField) InColumns() BoxesField { b.Columns = true; return b }

// WithHint returns the checkboxes with hint text under their legend.
func (b BoxesField) WithHint(hint string) BoxesField { b.Hint = hint; return b }

// Has reports whether a field with several values (checkboxes) has the value v.
func (f *Form) Has(k, v string) bool {
	return slices.Contains(strings.Split(f.Values[k], "\n"), v)
}

// setAll keeps several values of one field.
func (f *Form) setAll(k string, vs []string) { f.Values[k] = strings.Join(vs, "\n") }

// oneALine splits text typed one entry a line.
func oneALine(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' })
}

// shownRows is how many rows of a list to show: at least least, one spare after those in use,
// and what the form last showed, within maxListRows.
func shownRows(least, used int, posted string) int {
	n := max(least, used+1)
	if p, err := strconv.Atoi(posted); err == nil {
		n = max(n, p)
	}
	return min(n, maxListRows)
}

// readServiceForm reads a submitted service form into s (whose place and kind are set) and
// returns the form as typed, to show again, and which rows the lists came from. Problems
// only the handler can see, such as a word where a number goes, are recorded on the form.
func readServiceForm(r *http.Request, s *linkwork.Service) (*Form, serviceRows) {
	_ = r.ParseForm()
	pf := r.PostForm
	f := NewForm()
	for _, k := range []string{"name", "description", "organisation_id", "status", "url", "email", "phone", "minimum_age",
		"maximum_age", "eligibility", "free", "fees", "accessibility", "languages", "areas"} {
		f.Values[k] = pf.Get(k)
	}
	s.Name, s.Description, s.Status = f.Get("name"), f.Get("description"), linkwork.ServiceStatus(f.Get("status"))
	s.URL, s.Email, s.Phone = f.Get("url"), f.Get("email"), f.Get("phone")
	s.OrganisationID, _ = strconv.ParseInt(f.Get("organisation_id"), 10, 64)
	s.Eligibility, s.Fees, s.Accessibility = f.Get("eligibility"), f.Get("fees"), f.Get("accessibility")
	s.Free = f.Get("free") == "yes"
	s.Languages, s.Areas = oneALine(f.Get("languages")), oneALine(f.Get("areas"))
	s.MinAge = formInt(f, "minimum_age", "Enter the minimum age as a whole number, such as 18, or leave it empty.")
	s.MaxAge = formInt(f, "maximum_age", "Enter the maximum age as a whole number, such as 65, or leave it empty.")
	f.setAll("term_ids", pf["term_ids"])
	s.TermIDs = nil
	for _, v := range pf["term_ids"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			s.TermIDs = append(s.TermIDs, id)
		} else {
			f.Fail("term_ids", "Choose terms from the lists.")
		}
	}

	var rows serviceRows
	rows.ShownSchedules = shownRows(minScheduleRows, 0, pf.Get("schedule_rows"))
	rows.ShownLocations = shownRows(minLocationRows, 0, pf.Get("location_rows"))
	rows.ShownContacts = shownRows(minContactRows, 0, pf.Get("contact_rows"))
	s.Schedules, s.Locations, s.Contacts = nil, nil, nil
	for i := range rows.ShownSchedules {
		name := func(k string) string { return fmt.Sprintf("schedules[%d].%s", i, k) }
		for _, k := range []string{"freq", "ordinal", "opens_at", "closes_at", "description"} {
			f.Values[name(k)] = strings.TrimSpace(pf.Get(name(k)))
		}
		f.setAll(name("days"), pf[name("days")])
		sc := linkwork.Schedule{Freq: f.Get(name("freq")), Opens: f.Get(name("opens_at")), Closes: f.Get(name("closes_at")),
			Description: f.Get(name("description"))}
		if sc.Freq == "" {
			sc.Freq = linkwork.Weekly
		}
		for _, d := range pf[name("days")] {
			n, err := strconv.Atoi(d)
			if err != nil {
				n = -1 // the domain names the problem
			}
			sc.Days = append(sc.Days, time.Weekday(n))
		}
		if o := f.Get(name("ordinal")); o != "" {
			n, err := strconv.Atoi(o)
			if err != nil {
				n = 99 // the domain names the problem
			}
			sc.Ordinal = n
		}
		if len(sc.Days) == 0 && sc.Opens == "" && sc.Closes == "" && sc.Description == "" {
			continue // a blank row
		}
		s.Schedules = append(s.Schedules, sc)
		rows.Schedules = append(rows.Schedules, i)
	}
	for i := range rows.ShownLocations {
		name := func(k string) string { return fmt.Sprintf("locations[%d].%s", i, k) }
		for _, k := range []string{"name", "address_1", "address_2", "town", "postcode"} {
			f.Values[name(k)] = pf.Get(name(k))
		}
		l := linkwork.Location{Name: f.Get(name("name")), Address1: f.Get(name("address_1")), Address2: f.Get(name("address_2")),
			Town: f.Get(name("town")), Postcode: strings.TrimSpace(f.Get(name("postcode")))}
		if strings.TrimSpace(l.Name+l.Address1+l.Address2+l.Town+l.Postcode) == "" {
			continue
		}
		s.Locations = append(s.Locations, l)
		rows.Locations = append(rows.Locations, i)
	}
	for i := range rows.ShownContacts {
		name := func(k string) string { return fmt.Sprintf("contacts[%d].%s", i, k) }
		for _, k := range []string{"name", "title", "email", "phone"} {
			f.Values[name(k)] = pf.Get(name(k))
		}
		c := linkwork.Contact{Name: f.Get(name("name")), Title: f.Get(name("title")), Email: f.Get(name("email")), Phone: f.Get(name("phone"))}
		if strings.TrimSpace(c.Name+c.Title+c.Email+c.Phone) == "" {
			continue
		}
		s.Contacts = append(s.Contacts, c)
		rows.Contacts = append(rows.Contacts, i)
	}

	if s.Kind == linkwork.KindScheme {
		for _, k := range []string{"scheme.model", "scheme.how_to_refer", "scheme.funding_source", "scheme.staff_fte",
			"scheme.caseload_limit", "scheme.waiting_weeks", "scheme.electronic_system", "scheme.assessment_tools"} {
			f.Values[k] = pf.Get(k)
		}
		f.setAll("scheme.who_can_refer", pf["scheme.who_can_refer"])
		sc := &linkwork.ConnectorScheme{Model: linkwork.SchemeModel(f.Get("scheme.model")), HowToRefer: f.Get("scheme.how_to_refer"),
			FundingSource: f.Get("scheme.funding_source"), ElectronicSystem: f.Get("scheme.electronic_system"),
			AssessmentTools: oneALine(f.Get("scheme.assessment_tools"))}
		for _, v := range pf["scheme.who_can_refer"] {
			sc.WhoCanRefer = append(sc.WhoCanRefer, linkwork.ReferrerType(v))
		}
		if v := strings.TrimSpace(f.Get("scheme.staff_fte")); v != "" {
			fte, err := strconv.ParseFloat(v, 64)
			if err != nil || math.IsNaN(fte) {
				f.Fail("scheme.staff_fte", "Enter the staff as full-time equivalents, such as 2.5.")
			} else {
				sc.StaffFTE = fte
			}
		}
		if n := formInt(f, "scheme.caseload_limit", "Enter the caseload limit as a whole number, such as 40."); n != nil {
			sc.CaseloadLimit = *n
		}
		if n := formInt(f, "scheme.waiting_weeks", "Enter the wait as a whole number of weeks, such as 3."); n != nil {
			sc.WaitingWeeks = *n
		}
		s.Scheme = sc
	} else {
		s.Scheme = nil
	}
	return f, rows
}

// formInt reads an optional whole number from a form field, recording msg if it is not one.
func formInt(f *Form, k, msg string) *int {
	v := strings.TrimSpace(f.Get(k))
	if v == "" {
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		f.Fail(k, msg)
		return nil
	}
	return &n
}

// serviceFormValues fills a form with a service's details, for changing it.
func serviceFormValues(s *linkwork.Service) (*Form, serviceRows) {
	f := NewForm()
	f.Values["name"], f.Values["description"], f.Values["status"] = s.Name, s.Description, string(s.Status)
	f.Values["organisation_id"] = strconv.FormatInt(s.OrganisationID, 10)
	f.Values["url"], f.Values["email"], f.Values["phone"] = s.URL, s.Email, s.Phone
	if s.MinAge != nil {
		f.Values["minimum_age"] = strconv.Itoa(*s.MinAge)
	}
	if s.MaxAge != nil {
		f.Values["maximum_age"] = strconv.Itoa(*s.MaxAge)
	}
	f.Values["eligibility"], f.Values["fees"], f.Values["accessibility"] = s.Eligibility, s.Fees, s.Accessibility
	f.Values["free"] = "no"
	if s.Free {
		f.Values["free"] = "yes"
	}
	f.Values["languages"], f.Values["areas"] = strings.Join(s.Languages, "\n"), strings.Join(s.Areas, "\n")
	var terms []string
	for _, id := range s.TermIDs {
		terms = append(terms, strconv.FormatInt(id, 10))
	}
	f.setAll("term_ids", terms)
	rows := serviceRows{ShownSchedules: shownRows(minScheduleRows, len(s.Schedules), ""),
		ShownLocations: shownRows(minLocationRows, len(s.Locations), ""), ShownContacts: shownRows(minContactRows, len(s.Contacts), "")}
	for i, sc := range s.Schedules {
		name := func(k string) string { return fmt.Sprintf("schedules[%d].%s", i, k) }
		f.Values[name("freq")], f.Values[name("opens_at")], f.Values[name("closes_at")] = sc.Freq, sc.Opens, sc.Closes
		f.Values[name("description")] = sc.Description
		if sc.Ordinal != 0 {
			f.Values[name("ordinal")] = strconv.Itoa(sc.Ordinal)
		}
		var days []string
		for _, d := range sc.Days {
			days = append(days, strconv.Itoa(int(d)))
		}
		f.setAll(name("days"), days)
	}
	for i, l := range s.Locations {
		name := func(k string) string { return fmt.Sprintf("locations[%d].%s", i, k) }
		f.Values[name("name")], f.Values[name("address_1")], f.Values[name("address_2")] = l.Name, l.Address1, l.Address2
		f.Values[name("town")], f.Values[name("postcode")] = l.Town, l.Postcode
	}
	for i, c := range s.Contacts {
		name := func(k string) string { return fmt.Sprintf("contacts[%d].%s", i, k) }
		f.Values[name("name")], f.Values[name("title")], f.Values[name("email")], f.Values[name("phone")] = c.Name, c.Title, c.Email, c.Phone
	}
	if sc := s.Scheme; sc != nil {
		f.Values["scheme.model"], f.Values["scheme.how_to_refer"] = string(sc.Model), sc.HowToRefer
		f.Values["scheme.funding_source"], f.Values["scheme.electronic_system"] = sc.FundingSource, sc.ElectronicSystem
		f.Values["scheme.staff_fte"] = strconv.FormatFloat(sc.StaffFTE, 'f', -1, 64)
		f.Values["scheme.caseload_limit"] = strconv.Itoa(sc.CaseloadLimit)
		f.Values["scheme.waiting_weeks"] = strconv.Itoa(sc.WaitingWeeks)
		f.Values["scheme.assessment_tools"] = strings.Join(sc.AssessmentTools, "\n")
		var refer []string
		for _, rt := range sc.WhoCanRefer {
			refer = append(refer, string(rt))
		}
		f.setAll("scheme.who_can_refer", refer)
	}
	return f, rows
}

// checkService records on the form every problem the domain finds in s, with postcodes
// that are not shaped like one (the store checks that they exist only once the rest is
// right), and reports whether there were none.
func checkService(f *Form, s *linkwork.Service, rows serviceRows) bool {
	if err := s.Validate(); err != nil {
		f.FailWith(rows.remap(err), "name")
	}
	for i, l := range s.Locations {
		if l.Postcode == "" {
			continue
		}
		if _, err := linkwork.NormalisePostcode(l.Postcode); err != nil {
			row := rows.Locations[i]
			f.Fail(fmt.Sprintf("locations[%d].postcode", row), fmt.Sprintf("Venue %d: %s", row+1, linkwork.ErrorMessage(err)))
		}
	}
	return !f.HasErrors()
}

// checkDirectoryOrganisation records a problem if the organisation chosen on a service form
// is not one whose entries the principal keeps.
func checkDirectoryOrganisation(f *Form, orgs []dirChoice, id int64) {
	if !slices.ContainsFunc(orgs, func(c dirChoice) bool { return c.Value == strconv.FormatInt(id, 10) }) {
		f.Fail("organisation_id", "Choose an organisation whose directory entries you keep.")
	}
}

func (h *Handler) serviceFormView(r *http.Request, title string, kind linkwork.ServiceKind, f *Form, rows serviceRows) (*ServiceFormView, error) {
	orgs, err := h.directoryOrganisations(r)
	if err != nil {
		return nil, err
	}
	taxes, err := h.svc.Taxonomies.ListTaxonomies(r.Context(), principal(r).Place.ID)
	if err != nil {
		return nil, err
	}
	f.Order = rows.order(kind == linkwork.KindScheme)
	v := &ServiceFormView{Layout: Layout{Title: title}, Form: f, Kind: kind, IsScheme: kind == linkwork.KindScheme,
		Organisations: orgs, Days: weekDays, Ordinals: ordinals, Frequencies: frequencies,
		ScheduleRows: seq(rows.ShownSchedules), LocationRows: seq(rows.ShownLocations), ContactRows: seq(rows.ShownContacts)}
	first := true
	for _, t := range taxes {
		g := TermGroup{Code: t.Code, Name: t.Name}
		for _, term := range t.Terms {
			id := "term-" + strconv.FormatInt(term.ID, 10)
			if first {
				id, first = "term_ids", false
			}
			g.Terms = append(g.Terms, dirChoice{Value: strconv.FormatInt(term.ID, 10), Label: term.Name, ID: id})
		}
		if len(g.Terms) > 0 {
			v.TermGroups = append(v.TermGroups, g)
		}
	}
	for _, st := range linkwork.Statuses {
		v.Statuses = append(v.Statuses, dirChoice{Value: string(st), Label: st.Label()})
	}
	for _, m := range linkwork.SchemeModels {
		v.Models = append(v.Models, dirChoice{Value: string(m), Label: m.Label()})
	}
	for _, rt := range linkwork.ReferrerTypes {
		v.Referrers = append(v.Referrers, dirChoice{Value: string(rt), Label: rt.Label()})
	}
	return v, nil
}

func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

func (h *Handler) newService(w http.ResponseWriter, r *http.Request) {
	kind := linkwork.ServiceKind(r.URL.Query().Get("kind"))
	if kind != linkwork.KindActivity && kind != linkwork.KindScheme {
		f := NewForm()
		status := http.StatusOK
		// The chooser sends step even when no kind is chosen, since a radio button left
		// unchosen sends nothing.
		if r.URL.Query().Has("kind") || r.URL.Query().Has("step") {
			f.Fail("kind", "Choose whether you are adding a community offer or a connector scheme.")
			status = http.StatusUnprocessableEntity
		}
		h.renderServiceKind(w, r, status, f)
		return
	}
	f := NewForm()
	f.Values["status"], f.Values["free"] = string(linkwork.StatusActive), "yes"
	rows := serviceRows{ShownSchedules: minScheduleRows, ShownLocations: minLocationRows, ShownContacts: minContactRows}
	v, err := h.serviceFormView(r, newServiceTitle(kind), kind, f, rows)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if len(v.Organisations) == 1 {
		f.Values["organisation_id"] = v.Organisations[0].Value
	}
	v.Action, v.Button, v.Back = "/services", "Add to the directory", "/services/new"
	h.render(w, r, http.StatusOK, "service_form", v)
}

func newServiceTitle(kind linkwork.ServiceKind) string {
	if kind == linkwork.KindScheme {
		return "Add a connector scheme"
	}
	return "Add a community offer"
}

func (h *Handler) createService(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	kind := linkwork.ServiceKind(r.PostFormValue("kind"))
	if kind != linkwork.KindActivity && kind != linkwork.KindScheme {
		f := NewForm()
		f.Fail("kind", "Choose whether you are adding a community offer or a connector scheme.")
		h.renderServiceKind(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	s := &linkwork.Service{PlaceID: p.Place.ID, Kind: kind}
	f, rows := readServiceForm(r, s)
	v, err := h.serviceFormView(r, newServiceTitle(kind), kind, f, rows)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	v.Action, v.Button, v.Back = "/services", "Add to the directory", "/services/new"
	checkDirectoryOrganisation(f, v.Organisations, s.OrganisationID)
	if checkService(f, s, rows) {
		err := h.svc.Directory.CreateService(r.Context(), s)
		if err == nil {
			h.redirect(w, r, "/directory/services/"+strconv.FormatInt(s.ID, 10), "service-created")
			return
		}
		if !f.FailWith(rows.remap(err), "name") {
			h.serverError(w, r, err)
			return
		}
	}
	h.render(w, r, http.StatusUnprocessableEntity, "service_form", v)
}

func (h *Handler) editService(w http.ResponseWriter, r *http.Request) {
	s, err := h.manageableService(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	f, rows := serviceFormValues(s)
	v, err := h.serviceFormView(r, "Change "+s.Name, s.Kind, f, rows)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	id := strconv.FormatInt(s.ID, 10)
	v.Action, v.Button, v.Back = "/services/"+id, "Save changes", "/directory/services/"+id
	h.render(w, r, http.StatusOK, "service_form", v)
}

func (h *Handler) updateService(w http.ResponseWriter, r *http.Request) {
	old, err := h.manageableService(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	s := &linkwork.Service{ID: old.ID, PlaceID: old.PlaceID, Kind: old.Kind}
	f, rows := readServiceForm(r, s)
	v, err := h.serviceFormView(r, "Change "+old.Name, old.Kind, f, rows)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	id := strconv.FormatInt(old.ID, 10)
	v.Action, v.Button, v.Back = "/services/"+id, "Save changes", "/directory/services/"+id
	checkDirectoryOrganisation(f, v.Organisations, s.OrganisationID)
	if checkService(f, s, rows) {
		err := h.svc.Directory.UpdateService(r.Context(), s)
		if err == nil {
			h.redirect(w, r, "/directory/services/"+id, "service-updated")
			return
		}
		if !f.FailWith(rows.remap(err), "name") {
			h.serverError(w, r, err)
			return
		}
	}
	h.render(w, r, http.StatusUnprocessableEntity, "service_form", v)
}

func (h *Handler) verifyService(w http.ResponseWriter, r *http.Request) {
	s, err := h.manageableService(r)
	if err == nil {
		err = h.svc.Directory.VerifyService(r.Context(), s.ID)
	}
	if err != nil {
		h.failed(w, r, err)
		return
	}
	next := "/directory/services/" + strconv.FormatInt(s.ID, 10)
	if r.PostFormValue("return") == "verify-list" {
		next = "/services?tab=verify"
	}
	h.redirect(w, r, next, "service-verified")
}
