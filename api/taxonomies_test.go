package api_test

import (
	"net/http"
	"slices"
	"testing"

	"linkwork"
	"linkwork/api"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

func taxonomyByCode(l list[linkwork.Taxonomy], code string) *linkwork.Taxonomy {
	for i := range l.Items {
		if l.Items[i].Code == code {
			return &l.Items[i]
		}
	}
	return nil
}

func termCodes(tx *linkwork.Taxonomy) []string {
	var codes []string
	for _, t := range tx.Terms {
		codes = append(codes, t.Code)
	}
	return codes
}

// TestTaxonomies checks the built-in taxonomies every place has, and adding terms to them.
func TestTaxonomies(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		l := decodeList[linkwork.Taxonomy](f.as(f.worker).do("GET", "/api/v1/taxonomies", nil).want(http.StatusOK))
		if l.Total != len(linkwork.DefaultTaxonomies) || l.Page != 1 || l.PerPage != l.Total || len(l.Items) != l.Total {
			t.Errorf("list of %d taxonomies: page %d, per_page %d, total %d", len(l.Items), l.Page, l.PerPage, l.Total)
		}
		for _, def := range linkwork.DefaultTaxonomies {
			tx := taxonomyByCode(l, def.Code)
			if tx == nil {
				t.Errorf("no taxonomy %s", def.Code)
				continue
			}
			if tx.PlaceID != f.placeA.ID || tx.Name != def.Name || len(tx.Terms) != len(def.Terms) {
				t.Errorf("taxonomy %s: %+v", def.Code, tx)
			}
			for _, term := range tx.Terms {
				if term.TaxonomyID != tx.ID || term.TaxonomyCode != tx.Code {
					t.Errorf("term %+v of %s", term, tx.Code)
				}
			}
		}
		if need := taxonomyByCode(l, linkwork.TaxonomyNeed); need == nil || !slices.Contains(termCodes(need), "loneliness") {
			t.Error("need has no loneliness")
		}

		// An administrator adds a term; it is the place's own.
		var term linkwork.TaxonomyTerm
		f.as(f.admin).do("POST", "/api/v1/taxonomies/need/terms",
			api.NewTerm{Code: "walking_groups", Name: "Walking groups", Description: "Led walks for all abilities."}).
			want(http.StatusCreated).decode(&term)
		if term.ID == 0 || len(term.UUID) != 36 || term.Code != "walking_groups" || term.TaxonomyCode != "need" || term.Name != "Walking groups" {
			t.Errorf("new term %+v", term)
		}
		l = decodeList[linkwork.Taxonomy](f.as(f.manager).do("GET", "/api/v1/taxonomies", nil).want(http.StatusOK))
		if need := taxonomyByCode(l, "need"); need == nil || need.Terms[len(need.Terms)-1] != term {
			t.Errorf("the new term is not the last of need: %+v", need)
		}
		lb := decodeList[linkwork.Taxonomy](f.as(f.adminB).do("GET", "/api/v1/taxonomies", nil).want(http.StatusOK))
		if need := taxonomyByCode(lb, "need"); need == nil || slices.Contains(termCodes(need), "walking_groups") || need.PlaceID != f.placeB.ID {
			t.Errorf("Wakefield's need: %+v", need)
		}
		// The same code in another taxonomy, or another place, is fine; in the same one it is not.
		f.as(f.admin).do("POST", "/api/v1/taxonomies/client_group/terms", api.NewTerm{Code: "walking_groups", Name: "Walkers"}).
			want(http.StatusCreated)
		f.as(f.adminB).do("POST", "/api/v1/taxonomies/need/terms", api.NewTerm{Code: "walking_groups", Name: "Walking groups"}).
			want(http.StatusCreated)
		f.as(f.admin).do("POST", "/api/v1/taxonomies/need/terms", api.NewTerm{Code: "walking_groups", Name: "Walks"}).
			wantError(http.StatusBadRequest, linkwork.EINVALID, "code")
		f.as(f.admin).do("POST", "/api/v1/taxonomies/need/terms", api.NewTerm{Code: "loneliness", Name: "Lonely"}).
			wantError(http.StatusBadRequest, linkwork.EINVALID, "code")

		// Bad terms, unknown taxonomies and other roles are refused.
		res := f.as(f.admin).do("POST", "/api/v1/taxonomies/need/terms", api.NewTerm{Code: "Walking Groups", Name: ""})
		res.wantError(http.StatusBadRequest, linkwork.EINVALID, "code")
		if _, fields := problemFields(res); !slices.Equal(fields, strs("code", "name")) {
			t.Errorf("problems %v, want code and name", fields)
		}
		f.as(f.admin).do("POST", "/api/v1/taxonomies/needs/terms", api.NewTerm{Code: "x", Name: "X"}).
			wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
		f.as(f.admin).do("POST", "/api/v1/taxonomies/need/terms", `{"code":"x","name":"X","parent":"y"}`).
			wantError(http.StatusBadRequest, linkwork.EINVALID, "parent")
		for _, u := range []*linkwork.User{f.manager, f.worker} {
			f.as(u).do("POST", "/api/v1/taxonomies/need/terms", api.NewTerm{Code: "x", Name: "X"}).
				wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
		}
		// A new term can classify services.
		b := activityBody(f.health.ID, "Walk")
		b.TermIDs = []int64{term.ID}
		if s := f.createService(f.admin, b); len(s.Terms) != 1 || s.Terms[0] != term {
			t.Errorf("service terms %+v, want %+v", s.Terms, term)
		}
	})
}
