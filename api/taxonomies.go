package api

import (
	"net/http"

	"linkwork"
)

func (h *Handler) registerTaxonomies(g registrar) {
	g.Handle("GET", Prefix+"/taxonomies", linkwork.PermSignedIn, h.listTaxonomies)
	// Terms are shared by the whole place's directory, so only its administrators add them.
	g.Handle("POST", Prefix+"/taxonomies/{code}/terms", linkwork.PermManageOrganisations, h.addTerm)
}

// listTaxonomies answers every taxonomy of the place with its terms. The list is short and
// not paginated: page is 1 and per_page the number of taxonomies.
func (h *Handler) listTaxonomies(w http.ResponseWriter, r *http.Request) {
	ts, err := h.svc.Taxonomies.ListTaxonomies(r.Context(), principal(r).Place.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newList(ts, linkwork.Page{Number: 1, Size: max(len(ts), 1)}, len(ts)))
}

// NewTerm is the body of POST /taxonomies/{code}/terms.
type NewTerm struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

func (h *Handler) addTerm(w http.ResponseWriter, r *http.Request) {
	var body NewTerm
	if err := decode(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	t := &linkwork.TaxonomyTerm{Code: body.Code, Name: body.Name, Description: body.Description}
	if err := h.svc.Taxonomies.AddTerm(r.Context(), principal(r).Place.ID, r.PathValue("code"), t); err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, t)
}
