package linkwork

import "strings"

// Location is where a service happens: an address with a postcode, whose coordinates and
// neighbourhood (LSOA) come from the postcode lookup when not given.
type Location struct {
	ID       int64    `json:"id"`
	UUID     string   `json:"uuid"`
	Name     string   `json:"name"`
	Address1 string   `json:"address_1"`
	Address2 string   `json:"address_2,omitempty"`
	Town     string   `json:"town"`
	Postcode string   `json:"postcode"`
	Lat      *float64 `json:"latitude,omitempty"`
	Lng      *float64 `json:"longitude,omitempty"`
	LSOA     string   `json:"lsoa,omitempty"`
}

// Validate trims and checks a location and puts its postcode in the standard form. Whether
// the postcode exists is checked against the postcode lookup by the store.
func (l *Location) Validate() error {
	l.Name, l.Address1, l.Address2, l.Town = strings.TrimSpace(l.Name), strings.TrimSpace(l.Address1),
		strings.TrimSpace(l.Address2), strings.TrimSpace(l.Town)
	var ps Problems
	ps.Add(validateText("name", l.Name, 200, false))
	ps.Add(validateName("address_1", l.Address1, 200))
	ps.Add(validateText("address_2", l.Address2, 200, false))
	ps.Add(validateName("town", l.Town, 100))
	if l.Postcode == "" {
		ps.Add(FieldError("postcode", "Enter the postcode, such as HX1 1AA."))
	} else if pc, err := NormalisePostcode(l.Postcode); err != nil {
		ps.Add(err)
	} else {
		l.Postcode = pc
	}
	if (l.Lat == nil) != (l.Lng == nil) {
		ps.Add(FieldError("latitude", "Give both latitude and longitude, or neither."))
	}
	if l.Lat != nil && !(*l.Lat >= minLat && *l.Lat <= maxLat) { // also refuses NaN
		ps.Add(FieldError("latitude", "The latitude must be in the UK: between %g and %g.", minLat, maxLat))
	}
	if l.Lng != nil && !(*l.Lng >= minLng && *l.Lng <= maxLng) {
		ps.Add(FieldError("longitude", "The longitude must be in the UK: between %g and %g.", minLng, maxLng))
	}
	return ps.Err()
}
