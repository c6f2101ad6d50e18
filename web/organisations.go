package web

import (
	"net/http"
	"strconv"

	"linkwork"
)

func (h *Handler) registerOrganisations(g registrar) {
	view, manage := linkwork.PermViewOrganisations, linkwork.PermManageOrganisations
	g.Handle("GET", "/organisations", view, h.organisations)
	g.Handle("GET", "/organisations/new", manage, h.newOrganisation)
	g.Handle("POST", "/organisations", manage, h.createOrganisation)
	g.Handle("GET", "/organisations/{id}", view, h.organisation)
	g.Handle("GET", "/organisations/{id}/edit", manage, h.editOrganisation)
	g.Handle("POST", "/organisations/{id}", manage, h.updateOrganisation)
}

// OrganisationsView is the view of the list of a place's organisations.
type OrganisationsView struct {
	Layout
	Organisations []*linkwork.Organisation
	Sectors       []linkwork.Sector
	Sector        linkwork.Sector
	Pager         Pager
	CanManage     bool
}

func (h *Handler) organisations(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	page := pageFrom(r)
	sector := linkwork.Sector(r.URL.Query().Get("sector"))
	if sector != "" && !sector.Valid() {
		sector = ""
	}
	orgs, total, err := h.svc.Organisations.ListOrganisations(r.Context(), linkwork.OrganisationFilter{PlaceID: p.Place.ID, Sector: sector, Page: page})
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	q := ""
	if sector != "" {
		q = "sector=" + string(sector)
	}
	h.render(w, r, http.StatusOK, "organisations", &OrganisationsView{Layout: Layout{Title: "Organisations"},
		Organisations: orgs, Sectors: linkwork.Sectors, Sector: sector, Pager: newPager("/organisations", q, page, total),
		CanManage: p.CanPlaceWide(linkwork.PermManageOrganisations)})
}

// placeOrganisation returns the organisation in the path if it is in the principal's place.
func (h *Handler) placeOrganisation(r *http.Request) (*linkwork.Organisation, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	return linkwork.PlaceOrganisation(r.Context(), h.svc.Organisations, principal(r), id)
}

// OrganisationView is the view of one organisation.
type OrganisationView struct {
	Layout
	Organisation *linkwork.Organisation
	Members      []*linkwork.User
	CanSeeUsers  bool
	CanManage    bool
}

func (h *Handler) organisation(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	o, err := h.placeOrganisation(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	v := &OrganisationView{Layout: Layout{Title: o.Name}, Organisation: o,
		CanSeeUsers: p.CanIn(linkwork.PermViewUsers, o.ID), CanManage: p.CanPlaceWide(linkwork.PermManageOrganisations)}
	if v.CanSeeUsers {
		v.Members, _, err = h.svc.Users.ListUsers(r.Context(), linkwork.UserFilter{PlaceID: p.Place.ID, OrganisationIDs: []int64{o.ID},
			Page: linkwork.Page{Size: linkwork.MaxPageSize}})
		if err == nil {
			err = h.svc.Audit.RecordAudit(r.Context(), &linkwork.AuditEvent{Action: linkwork.AuditUserList,
				RecordType: "organisation", RecordID: strconv.FormatInt(o.ID, 10), Detail: "members of " + o.Name})
		}
		if err != nil {
			h.serverError(w, r, err)
			return
		}
	}
	h.render(w, r, http.StatusOK, "organisation", v)
}

// OrganisationFormView is the view of the form to add or change an organisation.
type OrganisationFormView struct {
	Layout
	Form    *Form
	Sectors []linkwork.Sector
	Action  string
	Button  string
}

func (h *Handler) newOrganisation(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, "organisation_form", &OrganisationFormView{Layout: Layout{Title: "Add an organisation"},
		Form: NewForm(), Sectors: linkwork.Sectors, Action: "/organisations", Button: "Add organisation"})
}

func (h *Handler) createOrganisation(w http.ResponseWriter, r *http.Request) {
	f := formFrom(r, "name", "sector")
	f.Order = []string{"name", "sector"}
	o := &linkwork.Organisation{PlaceID: principal(r).Place.ID, Name: f.Get("name"), Sector: linkwork.Sector(f.Get("sector"))}
	err := h.svc.Organisations.CreateOrganisation(r.Context(), o)
	if err == nil {
		h.redirect(w, r, "/organisations/"+strconv.FormatInt(o.ID, 10), "org-created")
		return
	}
	if !f.FailWith(err, "name") {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, http.StatusUnprocessableEntity, "organisation_form", &OrganisationFormView{Layout: Layout{Title: "Add an organisation"},
		Form: f, Sectors: linkwork.Sectors, Action: "/organisations", Button: "Add organisation"})
}

func (h *Handler) editOrganisation(w http.ResponseWriter, r *http.Request) {
	o, err := h.placeOrganisation(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	f := NewForm()
	f.Values["name"], f.Values["sector"] = o.Name, string(o.Sector)
	h.render(w, r, http.StatusOK, "organisation_form", &OrganisationFormView{Layout: Layout{Title: "Change " + o.Name},
		Form: f, Sectors: linkwork.Sectors, Action: "/organisations/" + strconv.FormatInt(o.ID, 10), Button: "Save changes"})
}

func (h *Handler) updateOrganisation(w http.ResponseWriter, r *http.Request) {
	o, err := h.placeOrganisation(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	f := formFrom(r, "name", "sector")
	f.Order = []string{"name", "sector"}
	name, sector := f.Get("name"), linkwork.Sector(f.Get("sector"))
	_, err = h.svc.Organisations.UpdateOrganisation(r.Context(), o.ID, linkwork.OrganisationUpdate{Name: &name, Sector: &sector})
	if err == nil {
		h.redirect(w, r, "/organisations/"+strconv.FormatInt(o.ID, 10), "org-updated")
		return
	}
	if !f.FailWith(err, "name") {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, http.StatusUnprocessableEntity, "organisation_form", &OrganisationFormView{Layout: Layout{Title: "Change " + o.Name},
		Form: f, Sectors: linkwork.Sectors, Action: "/organisations/" + strconv.FormatInt(o.ID, 10), Button: "Save changes"})
}
