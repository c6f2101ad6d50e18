package api

import (
	"net/http"
	"strconv"
	"time"

	"linkwork"
)

func (h *Handler) registerServices(g registrar) {
	manage := linkwork.PermManageDirectory
	g.Handle("GET", Prefix+"/services", manage, h.listServices)
	g.Handle("POST", Prefix+"/services", manage, h.createService)
	g.Handle("GET", Prefix+"/services/{id}", manage, h.getService)
	g.Handle("PUT", Prefix+"/services/{id}", manage, h.updateService)
	g.Handle("POST", Prefix+"/services/{id}/verify", manage, h.verifyService)
}

// ServiceBody is the body of POST /services and PUT /services/{id}: a service as the API
// answers it, without what the server sets (identifiers, place, organisation name, terms,
// verification and times).
type ServiceBody struct {
	OrganisationID int64                     `json:"organisation_id"`
	Kind           linkwork.ServiceKind      `json:"kind"`
	Name           string                    `json:"name"`
	Description    string                    `json:"description"`
	URL            string                    `json:"url"`
	Email          string                    `json:"email"`
	Phone          string                    `json:"phone"`
	Status         linkwork.ServiceStatus    `json:"status"`
	MinAge         *int                      `json:"minimum_age"`
	MaxAge         *int                      `json:"maximum_age"`
	Eligibility    string                    `json:"eligibility"`
	Free           bool                      `json:"free"`
	Fees           string                    `json:"fees"`
	Accessibility  string                    `json:"accessibility"`
	Languages      []string                  `json:"languages"`
	Areas          []string                  `json:"areas"`
	TermIDs        []int64                   `json:"term_ids"`
	Schedules      []linkwork.Schedule       `json:"schedules"`
	Locations      []LocationBody            `json:"locations"`
	Contacts       []linkwork.Contact        `json:"contacts"`
	Scheme         *linkwork.ConnectorScheme `json:"scheme"`
}

// LocationBody is a location in a ServiceBody. Coordinates may be left out: they come from
// the postcode lookup.
type LocationBody struct {
	Name     string   `json:"name"`
	Address1 string   `json:"address_1"`
	Address2 string   `json:"address_2"`
	Town     string   `json:"town"`
	Postcode string   `json:"postcode"`
	Lat      *float64 `json:"latitude"`
	Lng      *float64 `json:"longitude"`
}

func (b *ServiceBody) service() *linkwork.Service {
	s := &linkwork.Service{OrganisationID: b.OrganisationID, Kind: b.Kind, Name: b.Name, Description: b.Description,
		URL: b.URL, Email: b.Email, Phone: b.Phone, Status: b.Status, MinAge: b.MinAge, MaxAge: b.MaxAge,
		Eligibility: b.Eligibility, Free: b.Free, Fees: b.Fees, Accessibility: b.Accessibility, Languages: b.Languages,
		Areas: b.Areas, TermIDs: b.TermIDs, Schedules: b.Schedules, Contacts: b.Contacts, Scheme: b.Scheme}
	for _, l := range b.Locations {
		s.Locations = append(s.Locations, linkwork.Location{Name: l.Name, Address1: l.Address1, Address2: l.Address2,
			Town: l.Town, Postcode: l.Postcode, Lat: l.Lat, Lng: l.Lng})
	}
	return s
}

func (h *Handler) listServices(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	page, err := pageParams(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	f := linkwork.ServiceFilter{PlaceID: p.Place.ID, Page: page}
	if s := q.Get("organisation_id"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			h.fail(w, r, linkwork.FieldError("organisation_id", "organisation_id must be a whole number."))
			return
		}
		if err := h.organisationFor(r, linkwork.PermManageDirectory, id); err != nil {
			h.fail(w, r, err)
			return
		}
		f.OrganisationIDs = []int64{id}
	} else if !p.CanPlaceWide(linkwork.PermManageDirectory) {
		f.OrganisationIDs = p.OrganisationsWith(linkwork.PermManageDirectory)
	}
	switch k := linkwork.ServiceKind(q.Get("kind")); k {
	case "":
	case linkwork.KindActivity, linkwork.KindScheme:
		f.Kind = k
	default:
		h.fail(w, r, linkwork.FieldError("kind", "kind must be %s or %s.", linkwork.KindActivity, linkwork.KindScheme))
		return
	}
	switch q.Get("needs_verifying") {
	case "":
	case "true":
		f.VerifiedBefore = time.Now().Add(-linkwork.VerifyEvery)
	default:
		h.fail(w, r, linkwork.FieldError("needs_verifying",
			"needs_verifying can only be true, to list entries not verified for six months; leave it out to list every entry."))
		return
	}
	svcs, total, err := h.svc.Directory.ListServices(r.Context(), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newList(svcs, page, total))
}

// organisationFor checks an organisation named in a request: it must be in the principal's
// place (EINVALID on organisation_id otherwise, so that nobody learns what another place
// holds), and the principal must hold perm in it (EFORBIDDEN).
func (h *Handler) organisationFor(r *http.Request, perm linkwork.Permission, orgID int64) error {
	p := principal(r)
	if _, err := linkwork.ChosenOrganisation(r.Context(), h.svc.Organisations, p, orgID); err != nil {
		return err
	}
	if !p.CanIn(perm, orgID) {
		return linkwork.Errorf(linkwork.EFORBIDDEN, "Your role does not allow this for that organisation: you can do it only for your own.")
	}
	return nil
}

// checkService checks a service before it is stored, reporting every problem at once: its
// fields (Service.Validate), the ones the caller found, and its organisation, which must be
// in the principal's place and one whose entries the principal keeps.
func (h *Handler) checkService(r *http.Request, s *linkwork.Service, found ...error) error {
	var ps linkwork.Problems
	if s.OrganisationID > 0 { // a missing one is Validate's to report
		err := h.organisationFor(r, linkwork.PermManageDirectory, s.OrganisationID)
		if err != nil && linkwork.ErrorCode(err) != linkwork.EINVALID {
			return err
		}
		ps.Add(err)
	}
	for _, err := range found {
		ps.Add(err)
	}
	ps.Add(s.Validate())
	return ps.Err()
}

func (h *Handler) createService(w http.ResponseWriter, r *http.Request) {
	var body ServiceBody
	if err := decode(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	s := body.service()
	s.PlaceID = principal(r).Place.ID
	if s.Status == "" {
		s.Status = linkwork.StatusActive
	}
	if err := h.checkService(r, s); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.svc.Directory.CreateService(r.Context(), s); err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Location", Prefix+"/services/"+idString(s.ID))
	h.writeService(w, r, http.StatusCreated, s.ID)
}

// writeService answers with the service as stored, with every list filled in.
func (h *Handler) writeService(w http.ResponseWriter, r *http.Request, status int, id int64) {
	s, err := h.svc.Directory.FindServiceByID(r.Context(), id)
	if err != nil {
		w.Header().Del("Location")
		h.fail(w, r, err)
		return
	}
	writeJSON(w, status, s)
}

// manageableService returns the service in the path if it is in the principal's place
// (ENOTFOUND otherwise) and the principal keeps its organisation's entries (EFORBIDDEN).
func (h *Handler) manageableService(r *http.Request) (*linkwork.Service, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	p := principal(r)
	s, err := h.svc.Directory.FindServiceByID(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if s.PlaceID != p.Place.ID {
		return nil, linkwork.Errorf(linkwork.ENOTFOUND, "Service not found.")
	}
	if !p.CanIn(linkwork.PermManageDirectory, s.OrganisationID) {
		return nil, linkwork.Errorf(linkwork.EFORBIDDEN, "Only %s and the place's administrators can change this entry.", s.OrganisationName)
	}
	return s, nil
}

func (h *Handler) getService(w http.ResponseWriter, r *http.Request) {
	s, err := h.manageableService(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s)
}

func (h *Handler) updateService(w http.ResponseWriter, r *http.Request) {
	old, err := h.manageableService(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var body ServiceBody
	if err := decode(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	s := body.service()
	s.ID, s.PlaceID = old.ID, old.PlaceID
	var kindErr error
	switch s.Kind {
	case "":
		s.Kind = old.Kind
	case old.Kind:
	default:
		kindErr = linkwork.FieldError("kind", "A service's kind cannot be changed: this is a %s. Leave kind out, or add a new service.", old.Kind)
		s.Kind = old.Kind
	}
	if err := h.checkService(r, s, kindErr); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.svc.Directory.UpdateService(r.Context(), s); err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeService(w, r, http.StatusOK, s.ID)
}

func (h *Handler) verifyService(w http.ResponseWriter, r *http.Request) {
	s, err := h.manageableService(r)
	if err == nil {
		err = h.svc.Directory.VerifyService(r.Context(), s.ID)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeService(w, r, http.StatusOK, s.ID)
}
