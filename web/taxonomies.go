package web

import (
	"net/http"

	"linkwork"
)

// Taxonomies are the place's lists of terms that classify the directory. Changing them
// changes what everyone searches by, so only administrators (who hold the place-wide
// PermManageOrganisations) do it.
func (h *Handler) registerTaxonomies(g registrar) {
	g.Handle("GET", "/taxonomies", linkwork.PermManageOrganisations, h.taxonomies)
	g.Handle("POST", "/taxonomies/{code}/terms", linkwork.PermManageOrganisations, h.addTerm)
}

// TaxonomiesView is the view of a place's taxonomies with their terms and a form to add a
// term to each. The forms' fields are named after their taxonomy ("need-code"), so that
// one page can hold them all and the error summary can link to the right one.
type TaxonomiesView struct {
	Layout
	Taxonomies []*linkwork.Taxonomy
	Form       *Form
	// Open is the code of the taxonomy whose form failed, shown open.
	Open string
}

func (h *Handler) taxonomies(w http.ResponseWriter, r *http.Request) {
	taxes, err := h.svc.Taxonomies.ListTaxonomies(r.Context(), principal(r).Place.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "taxonomies", &TaxonomiesView{Layout: Layout{Title: "Needs and other terms"}, Taxonomies: taxes, Form: NewForm()})
}

func (h *Handler) addTerm(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	code := r.PathValue("code")
	taxes, err := h.svc.Taxonomies.ListTaxonomies(r.Context(), p.Place.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	found := false
	for _, t := range taxes {
		found = found || t.Code == code
	}
	if !found {
		h.notFound(w, r)
		return
	}
	prefix := code + "-"
	f := formFrom(r, prefix+"code", prefix+"name", prefix+"description")
	f.Order = []string{prefix + "name", prefix + "code", prefix + "description"}
	term := &linkwork.TaxonomyTerm{Code: f.Get(prefix + "code"), Name: f.Get(prefix + "name"), Description: f.Get(prefix + "description")}
	err = h.svc.Taxonomies.AddTerm(r.Context(), p.Place.ID, code, term)
	if err == nil {
		h.redirect(w, r, "/taxonomies#"+code, "term-added")
		return
	}
	var ps linkwork.Problems
	for _, e := range linkwork.FieldErrors(err) {
		e := *e
		if e.Field != "" {
			e.Field = prefix + e.Field
		}
		ps = append(ps, &e)
	}
	if !f.FailWith(ps, prefix+"name") {
		h.failed(w, r, err)
		return
	}
	h.render(w, r, http.StatusUnprocessableEntity, "taxonomies", &TaxonomiesView{Layout: Layout{Title: "Needs and other terms"},
		Taxonomies: taxes, Form: f, Open: code})
}
