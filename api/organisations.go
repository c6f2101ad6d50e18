package api

import (
	"net/http"

	"linkwork"
)

func (h *Handler) registerOrganisations(g registrar) {
	view, manage := linkwork.PermViewOrganisations, linkwork.PermManageOrganisations
	g.Handle("GET", Prefix+"/organisations", view, h.listOrganisations)
	g.Handle("POST", Prefix+"/organisations", manage, h.createOrganisation)
	g.Handle("GET", Prefix+"/organisations/{id}", view, h.getOrganisation)
	g.Handle("PATCH", Prefix+"/organisations/{id}", manage, h.updateOrganisation)
}

// registrar is what registers a route with its permission.
type registrar interface {
	Handle(method, pattern string, perm linkwork.Permission, fn http.HandlerFunc)
}

func (h *Handler) listOrganisations(w http.ResponseWriter, r *http.Request) {
	page, err := pageParams(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	sector := linkwork.Sector(r.URL.Query().Get("sector"))
	if sector != "" && !sector.Valid() {
		h.fail(w, r, linkwork.FieldError("sector", "sector must be one of: %s.", linkwork.SectorIdentifiers()))
		return
	}
	orgs, total, err := h.svc.Organisations.ListOrganisations(r.Context(),
		linkwork.OrganisationFilter{PlaceID: principal(r).Place.ID, Sector: sector, Page: page})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newList(orgs, page, total))
}

// NewOrganisation is the body of POST /organisations.
type NewOrganisation struct {
	Name   string          `json:"name"`
	Sector linkwork.Sector `json:"sector"`
}

func (h *Handler) createOrganisation(w http.ResponseWriter, r *http.Request) {
	var body NewOrganisation
	if err := decode(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	o := &linkwork.Organisation{PlaceID: principal(r).Place.ID, Name: body.Name, Sector: body.Sector}
	if err := h.svc.Organisations.CreateOrganisation(r.Context(), o); err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Location", Prefix+"/organisations/"+idString(o.ID))
	writeJSON(w, http.StatusCreated, o)
}

// placeOrganisation returns the organisation in the path if it is in the principal's place.
func (h *Handler) placeOrganisation(r *http.Request) (*linkwork.Organisation, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	return linkwork.PlaceOrganisation(r.Context(), h.svc.Organisations, principal(r), id)
}

func (h *Handler) getOrganisation(w http.ResponseWriter, r *http.Request) {
	o, err := h.placeOrganisation(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, o)
}

func (h *Handler) updateOrganisation(w http.ResponseWriter, r *http.Request) {
	o, err := h.placeOrganisation(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var upd linkwork.OrganisationUpdate
	if err := decode(w, r, &upd); err != nil {
		h.fail(w, r, err)
		return
	}
	o, err = h.svc.Organisations.UpdateOrganisation(r.Context(), o.ID, upd)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, o)
}
