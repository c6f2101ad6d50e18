package oruk

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"linkwork"
)

// This file maps HSDS 3.0 / ORUK 3.0 JSON, and the ORUK v1 JSON that came before it, to
// linkwork's directory; to_oruk.go maps the other way. One set of types reads both: where
// v1 named a thing differently (regular_schedules, physical_addresses, service_taxonomys,
// eligibilitys), both names are read.
//
// A record is refused, with a reason for each problem, when it is wrong in a way that
// cannot be guessed around: no name, an unknown status, a bad email address or web
// address, impossible ages or times, a value of the wrong JSON type. A part of a record
// linkwork cannot keep (a location with no UK address, a taxonomy term the place does not
// have, a schedule that is not weekly or monthly on named days) is left out with a warning
// and the rest is kept.

// inService is a service as HSDS 3.0, the UK profile or ORUK v1 write it.
type inService struct {
	ID                     flexString            `json:"id"`
	Name                   string                `json:"name"`
	Description            string                `json:"description"`
	URL                    string                `json:"url"`
	Email                  string                `json:"email"`
	Status                 string                `json:"status"`
	Fees                   string                `json:"fees"`
	FeesDescription        string                `json:"fees_description"`
	EligibilityDescription string                `json:"eligibility_description"`
	MinimumAge             *float64              `json:"minimum_age"`
	MaximumAge             *float64              `json:"maximum_age"`
	AssuredDate            string                `json:"assured_date"`
	AssurerEmail           string                `json:"assurer_email"`
	OrganizationID         flexString            `json:"organization_id"`
	Organization           *inOrganization       `json:"organization"`
	Phones                 []inPhone             `json:"phones"`
	Schedules              []inSchedule          `json:"schedules"`
	RegularSchedules       []inSchedule          `json:"regular_schedules"` // v1
	ServiceAreas           []inServiceArea       `json:"service_areas"`
	ServiceAtLocations     []inServiceAtLocation `json:"service_at_locations"`
	Languages              []inLanguage          `json:"languages"`
	CostOptions            []inCostOption        `json:"cost_options"`
	Contacts               []inContact           `json:"contacts"`
	Attributes             []inAttribute         `json:"attributes"`
	ServiceTaxonomys       []inServiceTaxonomy   `json:"service_taxonomys"` // v1
	Eligibilitys           []inEligibility       `json:"eligibilitys"`      // v1
}

type inOrganization struct {
	ID   flexString `json:"id"`
	Name string     `json:"name"`
}

type inPhone struct {
	Number flexString `json:"number"`
}

type inSchedule struct {
	Freq        string     `json:"freq"`
	Interval    *float64   `json:"interval"`
	ByDay       string     `json:"byday"`
	ByMonthDay  flexString `json:"bymonthday"`
	OpensAt     string     `json:"opens_at"`
	ClosesAt    string     `json:"closes_at"`
	Description string     `json:"description"`
}

type inServiceArea struct {
	Name        string `json:"name"`
	ServiceArea string `json:"service_area"` // UK profile and v1
	Description string `json:"description"`
}

type inServiceAtLocation struct {
	ID               flexString   `json:"id"`
	Location         *inLocation  `json:"location"`
	Schedules        []inSchedule `json:"schedules"`
	RegularSchedules []inSchedule `json:"regular_schedules"` // v1
}

type inLocation struct {
	ID                           flexString        `json:"id"`
	LocationType                 string            `json:"location_type"`
	Name                         string            `json:"name"`
	Latitude                     *flexFloat        `json:"latitude"`
	Longitude                    *flexFloat        `json:"longitude"`
	Addresses                    []inAddress       `json:"addresses"`
	PhysicalAddresses            []inAddress       `json:"physical_addresses"` // v1
	Accessibility                []inAccessibility `json:"accessibility"`
	AccessibilityForDisabilities []inAccessibility `json:"accessibility_for_disabilities"` // v1
	Schedules                    []inSchedule      `json:"schedules"`
}

type inAddress struct {
	Address1      string `json:"address_1"`
	Address2      string `json:"address_2"`
	City          string `json:"city"`
	Region        string `json:"region"`
	StateProvince string `json:"state_province"`
	PostalCode    string `json:"postal_code"`
	Country       string `json:"country"`
	AddressType   string `json:"address_type"`
}

type inAccessibility struct {
	Description   string `json:"description"`
	Accessibility string `json:"accessibility"`
	Details       string `json:"details"`
}

type inLanguage struct {
	Name     string `json:"name"`
	Code     string `json:"code"`
	Language string `json:"language"` // v1
}

type inCostOption struct {
	Option            string   `json:"option"`
	Amount            *float64 `json:"amount"`
	AmountDescription string   `json:"amount_description"`
}

type inContact struct {
	Name   string    `json:"name"`
	Title  string    `json:"title"`
	Email  string    `json:"email"`
	Phones []inPhone `json:"phones"`
}

type inAttribute struct {
	TaxonomyTermID flexString `json:"taxonomy_term_id"`
	TaxonomyTerm   *inTerm    `json:"taxonomy_term"`
}

type inTerm struct {
	ID             flexString `json:"id"`
	Code           string     `json:"code"`
	Term           string     `json:"term"`
	Name           string     `json:"name"`
	Taxonomy       string     `json:"taxonomy"`
	TaxonomyID     flexString `json:"taxonomy_id"`
	TaxonomyDetail *struct {
		ID   flexString `json:"id"`
		Name string     `json:"name"`
	} `json:"taxonomy_detail"`
	Vocabulary string `json:"vocabulary"` // v1
}

type inServiceTaxonomy struct {
	Taxonomy *inTerm `json:"taxonomy"` // v1: the term, under the name taxonomy
}

type inEligibility struct {
	Eligibility string   `json:"eligibility"`
	MinimumAge  *float64 `json:"minimum_age"`
	MaximumAge  *float64 `json:"maximum_age"`
}

// flexString reads a string, or a number as its text: identifiers and phone numbers are
// written both ways.
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
	case string(b) == "null":
	case len(b) > 0 && (b[0] == '-' || b[0] >= '0' && b[0] <= '9'):
		*f = flexString(b)
	default:
		return &json.UnmarshalTypeError{Value: jsonKind(b), Type: reflect.TypeFor[string]()}
	}
	return nil
}

// flexFloat reads a number, or a string holding one: ORUK v1 feeds wrote coordinates both
// ways.
type flexFloat float64

func (f *flexFloat) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	s := string(b)
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return &json.UnmarshalTypeError{Value: jsonKind(b), Type: reflect.TypeFor[float64]()}
	}
	*f = flexFloat(v)
	return nil
}

// jsonKind names the kind of a JSON value, for a message.
func jsonKind(b []byte) string {
	if len(b) == 0 {
		return "nothing"
	}
	switch b[0] {
	case '"':
		return "string"
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	}
	return "number"
}

// termIndex finds a place's taxonomy terms by what an imported file calls them.
type termIndex struct {
	byUUID map[string]*linkwork.TaxonomyTerm
	byKey  map[string][]*linkwork.TaxonomyTerm // lower-case code and name
	tax    map[string]*linkwork.Taxonomy       // by UUID, lower-case code and name
	taxOf  map[int64]*linkwork.Taxonomy
}

func newTermIndex(taxonomies []*linkwork.Taxonomy) *termIndex {
	ix := &termIndex{byUUID: map[string]*linkwork.TaxonomyTerm{}, byKey: map[string][]*linkwork.TaxonomyTerm{},
		tax: map[string]*linkwork.Taxonomy{}, taxOf: map[int64]*linkwork.Taxonomy{}}
	for _, t := range taxonomies {
		ix.tax[t.UUID], ix.tax[strings.ToLower(t.Code)], ix.tax[strings.ToLower(t.Name)], ix.taxOf[t.ID] = t, t, t, t
		for i := range t.Terms {
			term := &t.Terms[i]
			ix.byUUID[term.UUID] = term
			for _, k := range []string{strings.ToLower(term.Code), strings.ToLower(term.Name)} {
				if !containsTerm(ix.byKey[k], term) {
					ix.byKey[k] = append(ix.byKey[k], term)
				}
			}
		}
	}
	return ix
}

func containsTerm(list []*linkwork.TaxonomyTerm, t *linkwork.TaxonomyTerm) bool {
	for _, x := range list {
		if x == t {
			return true
		}
	}
	return false
}

// match finds the place's term that an imported term names: by its id when the file came
// from linkwork, else by code or name, within the taxonomy the file names when the place has
// it. It returns a reason when there is no one match.
func (ix *termIndex) match(t *inTerm, id string) (*linkwork.TaxonomyTerm, string) {
	if t == nil {
		t = &inTerm{}
	}
	if id == "" {
		id = string(t.ID)
	}
	if term := ix.byUUID[strings.ToLower(strings.TrimSpace(id))]; term != nil {
		return term, ""
	}
	var hint *linkwork.Taxonomy
	for _, k := range []string{string(t.TaxonomyID), t.Taxonomy, t.Vocabulary} {
		if h := ix.tax[strings.ToLower(strings.TrimSpace(k))]; k != "" && h != nil {
			hint = h
			break
		}
	}
	if d := t.TaxonomyDetail; hint == nil && d != nil {
		hint = ix.tax[strings.ToLower(strings.TrimSpace(d.Name))]
		if hint == nil {
			hint = ix.tax[strings.ToLower(strings.TrimSpace(string(d.ID)))]
		}
	}
	label := firstNonEmpty(t.Name, t.Term, t.Code, id)
	var found []*linkwork.TaxonomyTerm
	for _, k := range []string{t.Code, t.Term, t.Name} {
		for _, term := range ix.byKey[strings.ToLower(strings.TrimSpace(k))] {
			if (hint == nil || term.TaxonomyID == hint.ID) && !containsTerm(found, term) {
				found = append(found, term)
			}
		}
	}
	switch len(found) {
	case 1:
		return found[0], ""
	case 0:
		return nil, fmt.Sprintf("taxonomy term %q is not in this place's taxonomies, so it was left out (add it to a taxonomy and import again to keep it)", label)
	}
	var in []string
	for _, term := range found {
		in = append(in, ix.taxOf[term.TaxonomyID].Name)
	}
	return nil, fmt.Sprintf("taxonomy term %q is in more than one of this place's taxonomies (%s) and the file does not say which, so it was left out",
		label, strings.Join(in, ", "))
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

// record gathers what mapping one service finds: problems that refuse it, and warnings.
type record struct {
	it *linkwork.ServiceImport
	ps linkwork.Problems
}

func (r *record) warn(format string, args ...any) {
	r.it.Warnings = append(r.it.Warnings, fmt.Sprintf(format, args...))
}

func (r *record) fail(field, format string, args ...any) {
	r.ps = append(r.ps, linkwork.FieldError(field, format, args...))
}

// text trims a free-text value and cuts it to max characters, with a warning.
func (r *record) text(field, v string, max int) string {
	v = strings.TrimSpace(strings.ReplaceAll(v, "\x00", ""))
	if utf8.RuneCountInString(v) > max {
		r.warn("%s was longer than linkwork keeps (%d characters), so it was shortened", field, max)
		v = string([]rune(v)[:max-1]) + "…"
	}
	return v
}

// line is text on one line.
func (r *record) line(field, v string, max int) string {
	return r.text(field, strings.Join(strings.Fields(v), " "), max)
}

// fromService maps an imported service into it, recording why it is refused in it.Err.
func fromService(in *inService, ix *termIndex, it *linkwork.ServiceImport) {
	r := &record{it: it}
	s := &it.Service
	s.Name = r.line("name", in.Name, 200)
	if s.Name == "" {
		r.fail("name", "The service has no name.")
	}
	s.UUID = importedID("service", string(in.ID))
	switch org := in.Organization; {
	case org != nil && (strings.TrimSpace(string(org.ID)) != "" || strings.TrimSpace(org.Name) != ""):
		it.Organisation = linkwork.Organisation{UUID: importedID("organization", string(org.ID)), Name: r.line("organization.name", org.Name, 200)}
	case strings.TrimSpace(string(in.OrganizationID)) != "":
		it.Organisation = linkwork.Organisation{UUID: importedID("organization", string(in.OrganizationID))}
	default:
		r.fail("organization", "The service has no organization: give the organisation that runs it, with its id and name.")
	}
	if s.UUID == "" && s.Name != "" {
		s.UUID = derivedID("import", "service", strings.ToLower(it.Organisation.Name), strings.ToLower(s.Name))
		r.warn("the service has no id, so one was made from its name and organisation")
	}
	s.Description = r.text("description", in.Description, 5000)
	if s.Description == "" && s.Name != "" {
		s.Description = s.Name
		r.warn("the service has no description, so its name is used")
	}
	s.URL = strings.TrimSpace(in.URL)
	if host, _, _ := strings.Cut(s.URL, "/"); s.URL != "" && !strings.Contains(s.URL, "://") && !strings.ContainsAny(s.URL, " @") &&
		strings.Contains(host, ".") {
		s.URL = "https://" + s.URL
		r.warn("url had no https:// at the start, so it was added")
	}
	s.Email = strings.TrimSpace(in.Email)
	switch st := linkwork.ServiceStatus(strings.ToLower(strings.TrimSpace(in.Status))); {
	case st == "":
		s.Status = linkwork.StatusActive
		r.warn("the service has no status, so it is taken to be active")
	case st.Label() != "":
		s.Status = st
	default:
		r.fail("status", "The status %q is not one Open Referral allows: active, inactive, defunct or temporarily closed.", in.Status)
	}
	if len(in.Phones) > 0 {
		s.Phone = r.phone("phones[0].number", string(in.Phones[0].Number))
	}
	fromAges(r, in)
	var elig []string
	if e := strings.TrimSpace(in.EligibilityDescription); e != "" {
		elig = append(elig, e)
	}
	for _, e := range in.Eligibilitys {
		if e := strings.TrimSpace(e.Eligibility); e != "" {
			elig = append(elig, e)
		}
	}
	s.Eligibility = r.text("eligibility", strings.Join(elig, "; "), 2000)
	fromCosts(r, in)
	fromAssured(r, in)
	it.Gives = linkwork.ServiceParts{
		Schedules: in.Schedules != nil || in.RegularSchedules != nil || in.ServiceAtLocations != nil,
		Locations: in.ServiceAtLocations != nil,
		Contacts:  in.Contacts != nil,
		Terms:     in.Attributes != nil || in.ServiceTaxonomys != nil,
		Languages: in.Languages != nil,
		Areas:     in.ServiceAreas != nil,
		Phone:     in.Phones != nil,
		Costs:     in.CostOptions != nil || strings.TrimSpace(in.Fees+in.FeesDescription) != "",
	}
	fromLists(r, in)
	fromTerms(r, in, ix)
	if len(r.ps) > 0 {
		// Refused already: say everything else the store would refuse it for too. (A record
		// that passes so far is validated by the store, once.)
		r.ps.Add(validateFields(s))
	}
	it.Err = r.ps.Err()
}

// validateFields checks what fromService does not fix up, the way the store will, so that
// the report gives every problem of the record at once.
func validateFields(s *linkwork.Service) error {
	c := *s
	c.Kind, c.OrganisationID = linkwork.KindActivity, 1
	if c.Status == "" {
		c.Status = linkwork.StatusActive
	}
	if c.Name == "" {
		c.Name = "-"
	}
	if c.Description == "" {
		c.Description = "-"
	}
	return c.Validate()
}

// phone keeps a phone number linkwork can call, and drops any other with a warning.
func (r *record) phone(field, v string) string {
	c := linkwork.Contact{Name: "-", Phone: strings.TrimSpace(v)}
	if err := c.Validate(); err != nil {
		r.warn("%s %q is not a phone number linkwork can keep, so it was left out", field, v)
		return ""
	}
	return c.Phone
}

// fromAges reads the ages, from the service or, in ORUK v1, its eligibility. A maximum over
// 120 is how many feeds say "no upper limit".
func fromAges(r *record, in *inService) {
	minAge, maxAge := in.MinimumAge, in.MaximumAge
	for _, e := range in.Eligibilitys {
		if minAge == nil {
			minAge = e.MinimumAge
		}
		if maxAge == nil {
			maxAge = e.MaximumAge
		}
	}
	age := func(field string, v *float64) *int {
		switch {
		case v == nil:
			return nil
		case *v != math.Trunc(*v):
			r.fail(field, "%s must be a whole number of years, not %v.", field, *v)
		case *v < 0:
			r.fail(field, "%s cannot be negative (it is %v).", field, *v)
		case *v > 120 && field == "maximum_age":
			r.warn("maximum_age %v is taken to mean no upper age limit", *v)
		case *v > 120:
			r.fail(field, "%s must be from 0 to 120, not %v.", field, *v)
		default:
			n := int(*v)
			return &n
		}
		return nil
	}
	r.it.Service.MinAge, r.it.Service.MaxAge = age("minimum_age", minAge), age("maximum_age", maxAge)
}

// fromCosts reads whether a service is free and what it costs: from fees, or from cost
// options, one of amount 0 (or described as free) meaning free.
func fromCosts(r *record, in *inService) {
	s := &r.it.Service
	fees := firstNonEmpty(in.Fees, in.FeesDescription)
	var parts []string
	free, paid := false, false
	for _, c := range in.CostOptions {
		desc := strings.TrimSpace(c.AmountDescription)
		switch {
		case c.Amount != nil && *c.Amount == 0, c.Amount == nil && strings.Contains(strings.ToLower(desc+" "+c.Option), "free"):
			free = true
			if desc != "" && !strings.EqualFold(desc, "free") {
				parts = append(parts, desc)
			}
			continue
		case c.Amount != nil && *c.Amount > 0:
			paid = true
		}
		var p []string
		if o := strings.TrimSpace(c.Option); o != "" && !strings.EqualFold(o, "fees") {
			p = append(p, o)
		}
		if c.Amount != nil && *c.Amount > 0 {
			p = append(p, "£"+strconv.FormatFloat(*c.Amount, 'f', -1, 64))
		}
		if desc != "" {
			p = append(p, desc)
		}
		if len(p) > 0 {
			parts = append(parts, strings.Join(p, " "))
		}
	}
	s.Free = free && !paid
	if fees == "" {
		fees = strings.Join(parts, "; ")
	}
	s.Fees = r.text("fees", fees, 1000)
}

// fromAssured reads when the service was last checked.
func fromAssured(r *record, in *inService) {
	d := strings.TrimSpace(in.AssuredDate)
	if d == "" {
		return
	}
	t, err := time.Parse(time.DateOnly, d)
	if err != nil {
		t, err = time.Parse(time.RFC3339, d)
	}
	if err != nil {
		r.warn("assured_date %q is not a date (YYYY-MM-DD), so it was left out", d)
		return
	}
	t = t.UTC()
	r.it.Service.LastVerifiedAt = &t
	r.it.Service.VerifiedBy = firstNonEmpty(in.AssurerEmail, "Open Referral import")
}

// fromLists reads a service's lists: schedules, locations, contacts, languages, areas.
func fromLists(r *record, in *inService) {
	s := &r.it.Service
	add := func(path string, list []inSchedule) {
		for i, sc := range list {
			for _, got := range fromSchedule(r, fmt.Sprintf("%s[%d]", path, i), sc) {
				if !containsSchedule(s.Schedules, got) {
					s.Schedules = append(s.Schedules, got)
				}
			}
		}
	}
	add("schedules", in.Schedules)
	add("regular_schedules", in.RegularSchedules)
	var access []string
	seen := map[string]bool{}
	for i, sal := range in.ServiceAtLocations {
		path := fmt.Sprintf("service_at_locations[%d]", i)
		add(path+".schedules", sal.Schedules)
		add(path+".regular_schedules", sal.RegularSchedules)
		if sal.Location != nil {
			add(path+".location.schedules", sal.Location.Schedules)
		}
		l := fromLocation(r, path, s.UUID, i, sal)
		if l == nil {
			continue
		}
		s.Locations = append(s.Locations, *l)
		for _, a := range append(sal.Location.Accessibility, sal.Location.AccessibilityForDisabilities...) {
			if t := firstNonEmpty(a.Description, a.Accessibility, a.Details); t != "" && !seen[strings.ToLower(t)] {
				seen[strings.ToLower(t)] = true
				access = append(access, t)
			}
		}
	}
	s.Accessibility = r.text("accessibility", strings.Join(access, "\n"), 2000)
	for i, c := range in.Contacts {
		if ct := fromContact(r, fmt.Sprintf("contacts[%d]", i), c); ct != nil {
			s.Contacts = append(s.Contacts, *ct)
		}
	}
	for i, l := range in.Languages {
		if name := r.line("languages", firstNonEmpty(l.Name, l.Language, l.Code), 80); name != "" {
			s.Languages = append(s.Languages, name)
		} else {
			r.warn("languages[%d] has no name, so it was left out", i)
		}
	}
	for _, a := range in.ServiceAreas {
		if name := r.line("service_areas", firstNonEmpty(a.Name, a.ServiceArea, a.Description), 80); name != "" {
			s.Areas = append(s.Areas, name)
		}
	}
	for field, list := range map[string]*[]string{"languages": &s.Languages, "service_areas": &s.Areas} {
		if len(*list) > 50 {
			r.warn("%s has %d entries; linkwork keeps the first 50", field, len(*list))
			*list = (*list)[:50]
		}
	}
}

func containsSchedule(list []linkwork.Schedule, s linkwork.Schedule) bool {
	for _, x := range list {
		if x.Freq == s.Freq && x.DayMask() == s.DayMask() && x.Ordinal == s.Ordinal && x.Opens == s.Opens && x.Closes == s.Closes {
			return true
		}
	}
	return false
}

// dayByName reads a day as iCalendar writes it (MO) or in English (Monday, Mon).
var dayByName = map[string]time.Weekday{}

func init() {
	for d := time.Sunday; d <= time.Saturday; d++ {
		dayByName[dayCodes[d]] = d
		dayByName[strings.ToUpper(d.String())] = d
		dayByName[strings.ToUpper(d.String()[:3])] = d
	}
}

// fromSchedule reads an iCalendar-style schedule into linkwork's: weekly on some days, or
// monthly on the nth (or last) of some days. A monthly rule with different weeks for
// different days ("1MO,3WE") becomes one schedule for each week.
func fromSchedule(r *record, path string, in inSchedule) []linkwork.Schedule {
	freq := strings.ToUpper(strings.TrimSpace(in.Freq))
	if freq == "" {
		freq = linkwork.Weekly
	}
	if freq != linkwork.Weekly && freq != linkwork.Monthly {
		r.warn("%s: linkwork keeps weekly and monthly schedules, not %s ones, so it was left out", path, freq)
		return nil
	}
	if strings.TrimSpace(in.ByDay) == "" {
		why := "no days (byday)"
		if in.ByMonthDay != "" {
			why = "days of the month (bymonthday) rather than days of the week"
		}
		r.warn("%s has %s, which linkwork cannot keep, so it was left out", path, why)
		return nil
	}
	if strings.TrimSpace(in.OpensAt) == "" || strings.TrimSpace(in.ClosesAt) == "" {
		r.warn("%s has no opening and closing times, so it was left out", path)
		return nil
	}
	if in.Interval != nil && *in.Interval > 1 {
		r.warn("%s runs every %v %s; linkwork keeps it as every %s", path, *in.Interval,
			map[string]string{linkwork.Weekly: "weeks", linkwork.Monthly: "months"}[freq],
			map[string]string{linkwork.Weekly: "week", linkwork.Monthly: "month"}[freq])
	}
	byOrdinal := map[int][]time.Weekday{}
	var order []int
	for _, part := range strings.Split(in.ByDay, ",") {
		part = strings.ToUpper(strings.TrimSpace(part))
		if part == "" {
			continue
		}
		i := 0
		for i < len(part) && (part[i] == '-' || part[i] == '+' || part[i] >= '0' && part[i] <= '9') {
			i++
		}
		day, ok := dayByName[part[i:]]
		if !ok {
			r.warn("%s: %q in byday is not a day, so the schedule was left out", path, part)
			return nil
		}
		ord := 0
		if i > 0 {
			n, err := strconv.Atoi(strings.TrimPrefix(part[:i], "+"))
			if err != nil {
				r.warn("%s: %q in byday is not a day, so the schedule was left out", path, part)
				return nil
			}
			ord = n
		}
		switch {
		case freq == linkwork.Weekly:
			ord = 0
		case ord == 0:
			r.warn("%s is monthly without saying which week of the month (such as 1MO), so it was left out", path)
			return nil
		case ord != -1 && (ord < 1 || ord > 4):
			r.warn("%s: %q is a week of the month linkwork cannot keep (it keeps 1 to 4, and -1 for the last), so it was left out", path, part)
			return nil
		}
		if _, ok := byOrdinal[ord]; !ok {
			order = append(order, ord)
		}
		byOrdinal[ord] = append(byOrdinal[ord], day)
	}
	opens, okOpen := clock(in.OpensAt)
	closes, okClose := clock(in.ClosesAt)
	if !okOpen {
		r.fail(path+".opens_at", "%s.opens_at %q is not a time of day such as 10:00.", path, in.OpensAt)
	}
	if !okClose {
		r.fail(path+".closes_at", "%s.closes_at %q is not a time of day such as 12:30.", path, in.ClosesAt)
	}
	if !okOpen || !okClose {
		return nil
	}
	var out []linkwork.Schedule
	for _, ord := range order {
		sc := linkwork.Schedule{Freq: freq, Days: byOrdinal[ord], Ordinal: ord, Opens: opens, Closes: closes}
		desc := r.text(path+".description", in.Description, 500)
		if desc != sc.String() { // linkwork's own export describes each schedule in words
			sc.Description = desc
		}
		if err := sc.Validate(); err != nil {
			for _, e := range linkwork.FieldErrors(err) {
				r.fail(path+"."+e.Field, "%s: %s", path, e.Message)
			}
			return nil
		}
		out = append(out, sc)
	}
	return out
}

// clock reads a time of day as HSDS writes it, "10:00", "10:00:00", with or without a
// UTC offset ("10:00Z", "10:00:00+01:00"), which linkwork drops: times are local.
func clock(s string) (string, bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(strings.TrimSuffix(s, "Z"), "z")
	if i := strings.LastIndexAny(s, "+-"); i > 0 {
		s = s[:i]
	}
	m, err := linkwork.ParseClock(s)
	if err != nil {
		return "", false
	}
	return linkwork.FormatClock(m), true
}

// fromLocation reads a service's location, or leaves it out with a warning when linkwork
// cannot place it: no address, not in the UK, online only.
func fromLocation(r *record, path, serviceUUID string, i int, sal inServiceAtLocation) *linkwork.Location {
	in := sal.Location
	if in == nil {
		r.warn("%s has no location, so it was left out", path)
		return nil
	}
	if strings.EqualFold(strings.TrimSpace(in.LocationType), "virtual") {
		r.warn("%s is online only (virtual); linkwork keeps only places people go to, so it was left out", path)
		return nil
	}
	var a *inAddress
	for _, list := range [][]inAddress{in.Addresses, in.PhysicalAddresses} {
		for j := range list {
			if a == nil || strings.EqualFold(list[j].AddressType, "physical") && !strings.EqualFold(a.AddressType, "physical") {
				a = &list[j]
			}
		}
	}
	if a == nil {
		r.warn("%s has no address, so it was left out", path)
		return nil
	}
	if c := strings.ToUpper(strings.TrimSpace(a.Country)); c != "" && !ukCountry[c] {
		r.warn("%s is not in the UK (country %q), so it was left out", path, a.Country)
		return nil
	}
	l := &linkwork.Location{
		Name:     strings.Join(strings.Fields(in.Name), " "),
		Address1: strings.Join(strings.Fields(a.Address1), " "),
		Address2: strings.Join(strings.Fields(a.Address2), " "),
		Town:     strings.Join(strings.Fields(firstNonEmpty(a.City, a.Region, a.StateProvince)), " "),
		Postcode: strings.TrimSpace(a.PostalCode),
	}
	switch {
	case string(sal.ID) != "":
		l.UUID = importedID("service_at_location", string(sal.ID))
	case string(in.ID) != "":
		l.UUID = derivedID("import", "location", serviceUUID, string(in.ID))
	default:
		l.UUID = derivedID("import", "location", serviceUUID, strconv.Itoa(i))
	}
	if in.Latitude != nil && in.Longitude != nil {
		lat, lng := float64(*in.Latitude), float64(*in.Longitude)
		if lat >= 49 && lat <= 61 && lng >= -9 && lng <= 2.5 {
			l.Lat, l.Lng = &lat, &lng
		} else {
			r.warn("%s: the coordinates (%v, %v) are not in the UK, so they were left out", path, lat, lng)
		}
	}
	if l.Address1 == "" && l.Name != "" {
		l.Address1 = l.Name
	}
	if err := l.Validate(); err != nil {
		var why []string
		for _, e := range linkwork.FieldErrors(err) {
			why = append(why, e.Field+": "+e.Message)
		}
		r.warn("%s was left out: %s", path, strings.Join(why, " "))
		return nil
	}
	if _, err := linkwork.NormalisePostcode(l.Postcode); err != nil {
		r.warn("%s was left out: postal_code %q is not a UK postcode", path, l.Postcode)
		return nil
	}
	for _, prev := range r.it.Service.Locations {
		if prev.UUID == l.UUID {
			l.UUID = derivedID("import", "location", serviceUUID, l.UUID, strconv.Itoa(i))
		}
	}
	return l
}

// ukCountry holds the ways files name the UK and its nations.
var ukCountry = map[string]bool{"GB": true, "UK": true, "GBR": true, "UNITED KINGDOM": true, "GREAT BRITAIN": true,
	"ENGLAND": true, "SCOTLAND": true, "WALES": true, "NORTHERN IRELAND": true}

// fromContact reads a contact, dropping an email address or phone number linkwork cannot
// use (with a warning) rather than the whole service.
func fromContact(r *record, path string, in inContact) *linkwork.Contact {
	c := &linkwork.Contact{Name: r.line(path+".name", in.Name, 120), Title: r.line(path+".title", in.Title, 120),
		Email: strings.TrimSpace(in.Email)}
	if len(in.Phones) > 0 {
		c.Phone = strings.TrimSpace(string(in.Phones[0].Number))
	}
	if c.Name == "" {
		switch {
		case c.Title != "":
			c.Name, c.Title = c.Title, ""
		case c.Email != "" || c.Phone != "":
			c.Name = "Enquiries"
		default:
			return nil
		}
	}
	for range 2 {
		err := c.Validate()
		if err == nil {
			return c
		}
		for _, e := range linkwork.FieldErrors(err) {
			switch e.Field {
			case "email":
				r.warn("%s: email %q is not an email address, so it was left out", path, c.Email)
				c.Email = ""
			case "phone":
				r.warn("%s: %q is not a phone number linkwork can keep, so it was left out", path, c.Phone)
				c.Phone = ""
			}
		}
	}
	r.warn("%s was left out: %s", path, linkwork.ErrorMessage(c.Validate()))
	return nil
}

// fromTerms matches the record's taxonomy terms, from HSDS attributes or ORUK v1
// service_taxonomys, to the place's.
func fromTerms(r *record, in *inService, ix *termIndex) {
	s := &r.it.Service
	add := func(t *inTerm, id string) {
		term, why := ix.match(t, id)
		if term == nil {
			r.warn("%s", why)
			return
		}
		for _, id := range s.TermIDs {
			if id == term.ID {
				return
			}
		}
		s.TermIDs = append(s.TermIDs, term.ID)
	}
	for _, a := range in.Attributes {
		if a.TaxonomyTerm == nil && a.TaxonomyTermID == "" {
			continue
		}
		add(a.TaxonomyTerm, string(a.TaxonomyTermID))
	}
	for _, st := range in.ServiceTaxonomys {
		if st.Taxonomy != nil {
			add(st.Taxonomy, "")
		}
	}
}
