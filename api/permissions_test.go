package api

import (
	"os"
	"slices"
	"strings"
	"testing"

	"linkwork"
)

// TestPermissionOrderListsEveryPermission keeps /me's list whole: a permission added to the
// policy without being added to permissionOrder would silently never be reported.
func TestPermissionOrderListsEveryPermission(t *testing.T) {
	for perm := range linkwork.Policy {
		if !slices.Contains(permissionOrder, perm) {
			t.Errorf("permissionOrder lacks %s", perm)
		}
	}
	if len(permissionOrder) != len(linkwork.Policy) {
		t.Errorf("permissionOrder has %d entries for %d permissions", len(permissionOrder), len(linkwork.Policy))
	}
}

// TestOpenAPIListsEveryPermission keeps the document's list of /me's permissions whole.
func TestOpenAPIListsEveryPermission(t *testing.T) {
	doc, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, perm := range permissionOrder {
		if !strings.Contains(string(doc), `"`+string(perm)+`"`) {
			t.Errorf("openapi.json does not list the permission %s", perm)
		}
	}
}
