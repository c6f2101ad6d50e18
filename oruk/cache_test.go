package oruk

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// TestKeptResponsesFollowTheDirectory checks that a kept answer is served again, with an
// ETag a client can revalidate with, and that every kind of change to what the API shows
// (a service, its lists, its organisation, a term, the place) is seen at once.
func TestKeptResponsesFollowTheDirectory(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		ctx := testContext()
		path := "/oruk/services?search=walk"
		etag := func(path string) string {
			rec := httptest.NewRecorder()
			w.handler.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
			if rec.Code != http.StatusOK {
				t.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
			}
			return rec.Header().Get("ETag")
		}
		first := etag(path)
		if again := etag(path); first == "" || again != first {
			t.Fatalf("ETag %q, then %q: want the same, not empty", first, again)
		}
		// A client with the current answer is told it has not changed.
		rec := httptest.NewRecorder()
		r := httptest.NewRequest("GET", path, nil)
		r.Header.Set("If-None-Match", `"stale", `+first)
		w.handler.ServeHTTP(rec, r)
		if rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
			t.Fatalf("If-None-Match the current ETag: %d %q, want 304 and no body", rec.Code, rec.Body)
		}

		changes := []struct {
			what   string
			path   string
			change func()
			see    string // in the answer after the change
		}{
			{"service renamed", path, func() {
				w.walk.Name = "Calder Walking Club"
				must(t, w.svc.Directory.UpdateService(ctx, w.walk))
			}, "Calder Walking Club"},
			{"a location added", "/oruk/services/" + w.walk.UUID, func() {
				w.walk.Locations = append(w.walk.Locations, linkwork.Location{Name: "People's Park", Address1: "King Cross Road", Town: "Halifax", Postcode: "HX1 1AA"})
				must(t, w.svc.Directory.UpdateService(ctx, w.walk))
			}, "People's Park"},
			{"organisation renamed", path, func() {
				name := "Calder Valley Walkers"
				_, err := w.svc.Organisations.UpdateOrganisation(ctx, w.orgA.ID, linkwork.OrganisationUpdate{Name: &name})
				must(t, err)
			}, "Calder Valley Walkers"},
			{"term added", "/oruk/taxonomy_terms?per_page=100", func() {
				must(t, w.svc.Taxonomies.AddTerm(ctx, w.place.ID, "need", &linkwork.TaxonomyTerm{Code: "model_railways", Name: "Model railways"}))
			}, "Model railways"},
			{"service added", path, func() {
				must(t, w.svc.Directory.CreateService(ctx, &linkwork.Service{PlaceID: w.place.ID, OrganisationID: w.orgB.ID,
					Kind: linkwork.KindActivity, Name: "Sowerby Walk and Talk", Description: "A walk.", Status: linkwork.StatusActive}))
			}, "Sowerby Walk and Talk"},
		}
		for _, c := range changes {
			before := etag(c.path)
			c.change()
			if after := etag(c.path); after == before {
				t.Errorf("%s: the ETag stayed %s", c.what, after)
			}
			if _, body := w.get(t, c.path); !strings.Contains(string(body), c.see) {
				t.Errorf("%s: the answer does not show %q: %s", c.what, c.see, body)
			}
		}
	})
}

// TestResponseCacheBounds checks that the cache forgets the least recently used answers when
// full, and does not keep one too large for it.
func TestResponseCacheBounds(t *testing.T) {
	c := newResponseCache(1000)
	body := []byte(strings.Repeat("x", 120))
	for _, k := range []string{"a", "b", "c", "d", "e", "f", "g", "h", "i"} {
		c.put(k, 1, body)
		if k == "b" {
			c.get("a", 1) // a is used again, so b is the older
		}
	}
	if c.size > 1000 {
		t.Errorf("size %d over the bound", c.size)
	}
	if c.get("a", 1) == nil || c.get("b", 1) != nil {
		t.Errorf("kept a: %v, b: %v; want a kept and b forgotten", c.get("a", 1) != nil, c.get("b", 1) != nil)
	}
	if c.get("i", 2) != nil || c.get("i", 1) != nil {
		t.Error("an answer for another version was served, or was not forgotten")
	}
	if c.put("huge", 1, make([]byte, 200)); c.get("huge", 1) != nil {
		t.Error("an answer larger than an eighth of the cache was kept")
	}
}
