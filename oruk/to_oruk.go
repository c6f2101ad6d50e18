package oruk

import (
	"strconv"
	"strings"
	"time"

	"linkwork"
)

// This file maps linkwork's directory to HSDS 3.0 UK profile JSON; from_oruk.go maps the
// other way.

// placeData is what mapping a service needs beyond the service: the name of its place (an
// address's state_province) and the place's taxonomies by ID (a term's taxonomy).
type placeData struct {
	Name       string
	Taxonomies map[int64]*linkwork.Taxonomy
}

func newPlaceData(name string, taxonomies []*linkwork.Taxonomy) *placeData {
	p := &placeData{Name: name, Taxonomies: map[int64]*linkwork.Taxonomy{}}
	for _, t := range taxonomies {
		p.Taxonomies[t.ID] = t
	}
	return p
}

// lastModified is HSDS's date-time, to the millisecond in UTC as the UK profile asks.
func lastModified(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// toServiceBrief maps a service's own fields and its organisation.
func toServiceBrief(e *linkwork.DirectoryEntry) ServiceBrief {
	s := e.Service
	b := ServiceBrief{
		ID:                     s.UUID,
		OrganizationID:         e.Organisation.UUID,
		Name:                   s.Name,
		Description:            s.Description,
		URL:                    s.URL,
		Email:                  s.Email,
		Status:                 string(s.Status),
		EligibilityDescription: s.Eligibility,
		MinimumAge:             s.MinAge,
		MaximumAge:             s.MaxAge,
		LastModified:           lastModified(s.UpdatedAt),
		Organization:           &Organization{ID: e.Organisation.UUID, Name: e.Organisation.Name, Description: ""},
	}
	if !s.Free {
		b.Fees = s.Fees
	}
	if s.LastVerifiedAt != nil {
		b.AssuredDate = s.LastVerifiedAt.UTC().Format(time.DateOnly)
	}
	return b
}

// toService maps a service with everything it lists.
func toService(e *linkwork.DirectoryEntry, p *placeData) *Service {
	s := e.Service
	out := &Service{
		ServiceBrief:       toServiceBrief(e),
		Phones:             []Phone{},
		Schedules:          []Schedule{},
		ServiceAreas:       []ServiceArea{},
		ServiceAtLocations: []ServiceAtLocation{},
		Languages:          []Language{},
		CostOptions:        []CostOption{},
		Contacts:           []Contact{},
		Attributes:         []Attribute{},
	}
	if s.Phone != "" {
		out.Phones = append(out.Phones, Phone{ID: derivedID(s.UUID, "phone"), Number: s.Phone})
	}
	for i, sc := range s.Schedules {
		out.Schedules = append(out.Schedules, toSchedule(s.UUID, i, sc))
	}
	for i, a := range s.Areas {
		out.ServiceAreas = append(out.ServiceAreas, ServiceArea{ID: derivedID(s.UUID, "area", strconv.Itoa(i)), ServiceID: s.UUID, Name: a})
	}
	for i := range s.Locations {
		l := &s.Locations[i]
		out.ServiceAtLocations = append(out.ServiceAtLocations, ServiceAtLocation{ID: l.UUID, ServiceID: s.UUID, LocationID: l.UUID,
			Location: toLocation(s, l, p)})
	}
	for _, lang := range s.Languages {
		out.Languages = append(out.Languages, Language{ID: derivedID(s.UUID, "language", strings.ToLower(lang)), ServiceID: s.UUID, Name: lang})
	}
	out.CostOptions = toCostOptions(s)
	for i, c := range s.Contacts {
		id := derivedID(s.UUID, "contact", strconv.Itoa(i))
		ct := Contact{ID: id, ServiceID: s.UUID, Name: c.Name, Title: c.Title, Email: c.Email}
		if c.Phone != "" {
			ct.Phones = []Phone{{ID: derivedID(id, "phone"), Number: c.Phone}}
		}
		out.Contacts = append(out.Contacts, ct)
	}
	for _, t := range s.Terms {
		tt := toTaxonomyTerm(t, p.Taxonomies[t.TaxonomyID])
		out.Attributes = append(out.Attributes, Attribute{ID: derivedID(s.UUID, "attribute", t.UUID), LinkID: s.UUID,
			LinkEntity: "service", TaxonomyTermID: t.UUID, TaxonomyTerm: &tt})
	}
	return out
}

// dayCodes are iCalendar's day codes, by time.Weekday.
var dayCodes = [7]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}

// toSchedule maps a schedule to an iCalendar rule: weekly on some days, or monthly on, say,
// the first Tuesday ("1TU") or the last Friday ("-1FR").
func toSchedule(serviceUUID string, i int, sc linkwork.Schedule) Schedule {
	var days []string
	for _, d := range linkwork.DaysFromMask(sc.DayMask()) {
		code := dayCodes[d]
		if sc.Freq == linkwork.Monthly {
			code = strconv.Itoa(sc.Ordinal) + code
		}
		days = append(days, code)
	}
	desc := sc.Description
	if desc == "" {
		desc = sc.String()
	}
	return Schedule{ID: derivedID(serviceUUID, "schedule", strconv.Itoa(i)), ServiceID: serviceUUID, Freq: sc.Freq, Interval: 1,
		ByDay: strings.Join(days, ","), OpensAt: sc.Opens, ClosesAt: sc.Closes, Description: desc}
}

// toLocation maps a location with its address. The second line of the address goes in
// HSDS's address_2, which the UK profile leaves out, so that an export imports back as it
// was; the place's name stands for the county.
func toLocation(s *linkwork.Service, l *linkwork.Location, p *placeData) *Location {
	region := p.Name
	if region == "" {
		region = l.Town
	}
	out := &Location{ID: l.UUID, LocationType: "physical", Name: l.Name, Latitude: l.Lat, Longitude: l.Lng,
		Addresses: []Address{{ID: derivedID(l.UUID, "address"), LocationID: l.UUID, Address1: l.Address1, Address2: l.Address2, City: l.Town,
			StateProvince: region, PostalCode: l.Postcode, Country: "GB", AddressType: "physical"}}}
	if s.Accessibility != "" {
		out.Accessibility = []Accessibility{{ID: derivedID(l.UUID, "accessibility"), LocationID: l.UUID,
			Description: s.Accessibility, Accessibility: s.Accessibility}}
	}
	return out
}

// toCostOptions says whether a service is free (an option of amount 0) or what it costs.
func toCostOptions(s *linkwork.Service) []CostOption {
	switch {
	case s.Free:
		zero := 0.0
		desc := "Free"
		if s.Fees != "" {
			desc = s.Fees
		}
		return []CostOption{{ID: derivedID(s.UUID, "cost", "free"), ServiceID: s.UUID, Option: "Free", Amount: &zero, AmountDescription: desc}}
	case s.Fees != "":
		return []CostOption{{ID: derivedID(s.UUID, "cost", "fees"), ServiceID: s.UUID, Option: "Fees", AmountDescription: s.Fees}}
	}
	return []CostOption{}
}

// toServiceAtLocationBrief maps a location of a service for the service-at-location list.
func toServiceAtLocationBrief(e *linkwork.DirectoryEntry, p *placeData) ServiceAtLocationBrief {
	b := toServiceBrief(e)
	return ServiceAtLocationBrief{ID: e.Location.UUID, ServiceID: e.Service.UUID, LocationID: e.Location.UUID,
		Location: toLocation(e.Service, e.Location, p), Service: &b}
}

// toServiceAtLocation maps a location of a service with the whole service.
func toServiceAtLocation(e *linkwork.DirectoryEntry, p *placeData) *ServiceAtLocation {
	return &ServiceAtLocation{ID: e.Location.UUID, ServiceID: e.Service.UUID, LocationID: e.Location.UUID,
		Location: toLocation(e.Service, e.Location, p), Service: toService(e, p)}
}

// toTaxonomy maps a taxonomy, with its terms when withTerms.
func toTaxonomy(t *linkwork.Taxonomy, withTerms bool) Taxonomy {
	out := Taxonomy{ID: t.UUID, Name: t.Name, Description: t.Description}
	if withTerms {
		out.TaxonomyTerms = []TaxonomyTerm{}
		for _, term := range t.Terms {
			out.TaxonomyTerms = append(out.TaxonomyTerms, toTaxonomyTerm(term, t))
		}
	}
	return out
}

// toTaxonomyTerm maps a term; tax is its taxonomy, when known.
func toTaxonomyTerm(t linkwork.TaxonomyTerm, tax *linkwork.Taxonomy) TaxonomyTerm {
	out := TaxonomyTerm{ID: t.UUID, Code: t.Code, Name: t.Name, Description: t.Description, Term: t.Code}
	if tax != nil {
		out.Taxonomy, out.TaxonomyID = tax.Name, tax.UUID
	}
	return out
}
