package linkwork

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// Place is an area that shares one linkwork: a local authority or integrated care system area
// such as York or Wakefield. Every record belongs to a place; a deployment can host several.
type Place struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// Validate trims the place's name and checks it.
func (p *Place) Validate() error {
	p.Name = strings.TrimSpace(p.Name)
	return validateName("name", p.Name, 120)
}

// PlaceService reads and writes places.
type PlaceService interface {
	CreatePlace(ctx context.Context, p *Place) error
	FindPlaceByID(ctx context.Context, id int64) (*Place, error)
	FindPlaceByName(ctx context.Context, name string) (*Place, error)
	ListPlaces(ctx context.Context) ([]*Place, error)
}

// validateName checks a required, single-line name of at most max characters.
func validateName(field, value string, max int) error {
	switch {
	case value == "":
		return FieldError(field, "%s", enterField(field))
	case utf8.RuneCountInString(value) > max:
		return FieldError(field, "The %s must be %d characters or fewer.", fieldName(field), max)
	case strings.ContainsAny(value, "\r\n\t\x00"):
		return FieldError(field, "The %s must be on one line.", fieldName(field))
	}
	return nil
}
