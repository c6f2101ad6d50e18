package web

import (
	"testing"

	"linkwork"
)

// TestEverySectionIsDescribed keeps the home page's cards whole: a section added to the
// navigation without a description would show an empty card.
func TestEverySectionIsDescribed(t *testing.T) {
	for _, role := range linkwork.Roles {
		p := &linkwork.Principal{User: &linkwork.User{ID: 1}, Place: &linkwork.Place{ID: 1},
			Memberships: []linkwork.Membership{{OrganisationID: 1, PlaceID: 1, Role: role}}}
		for _, s := range homeSections(p, navigation(p, "/")[1:]) {
			if s.Description == "" {
				t.Errorf("%s's home page: the section %q (%s) has no description", role, s.Label, s.Href)
			}
		}
	}
}
