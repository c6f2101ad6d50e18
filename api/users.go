package api

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"linkwork"
)

func idString(id int64) string { return strconv.FormatInt(id, 10) }

func (h *Handler) registerUsers(g registrar) {
	view, manage := linkwork.PermViewUsers, linkwork.PermManageUsers
	g.Handle("GET", Prefix+"/users", view, h.listUsers)
	g.Handle("POST", Prefix+"/users", manage, h.createUser)
	g.Handle("GET", Prefix+"/users/{id}", view, h.getUser)
	g.Handle("PUT", Prefix+"/users/{id}/memberships/{org}", manage, h.putMembership)
	g.Handle("DELETE", Prefix+"/users/{id}/memberships/{org}", manage, h.deleteMembership)
	g.Handle("POST", Prefix+"/users/{id}/reset-link", manage, h.resetLink)
	g.Handle("POST", Prefix+"/users/{id}/unlock", manage, h.unlockUser)
}

func (h *Handler) listUsers(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	page, err := pageParams(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f, ok := p.VisibleUsers()
	if !ok {
		h.fail(w, r, linkwork.Errorf(linkwork.EFORBIDDEN, "Your role does not allow this."))
		return
	}
	if s := r.URL.Query().Get("organisation_id"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			h.fail(w, r, linkwork.FieldError("organisation_id", "organisation_id must be a whole number."))
			return
		}
		if _, err := linkwork.ChosenOrganisation(r.Context(), h.svc.Organisations, p, id); err != nil {
			h.fail(w, r, err)
			return
		}
		if !p.CanIn(linkwork.PermViewUsers, id) {
			h.fail(w, r, linkwork.Errorf(linkwork.EFORBIDDEN, "You cannot list the users of that organisation."))
			return
		}
		f.OrganisationIDs = []int64{id}
	}
	f.Page = page
	users, total, err := h.svc.Users.ListUsers(r.Context(), f)
	if err == nil {
		err = h.svc.Audit.RecordAudit(r.Context(), &linkwork.AuditEvent{Action: linkwork.AuditUserList, RecordType: "user",
			Detail: "api: organisations " + fmt.Sprint(f.OrganisationIDs) + ", page " + strconv.Itoa(page.Number)})
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newList(users, page, total))
}

// NewUser is the body of POST /users.
type NewUser struct {
	Email              string        `json:"email"`
	Name               string        `json:"name"`
	Password           string        `json:"password"`
	OrganisationID     int64         `json:"organisation_id"`
	Role               linkwork.Role `json:"role"`
	MustChangePassword *bool         `json:"must_change_password"`
}

func (h *Handler) createUser(w http.ResponseWriter, r *http.Request) {
	var body NewUser
	if err := decode(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.checkPlaceOrganisation(r, body.OrganisationID); err != nil {
		h.fail(w, r, err)
		return
	}
	mustChange := body.MustChangePassword == nil || *body.MustChangePassword
	u, err := h.svc.Users.CreateUser(r.Context(), &linkwork.NewUser{Email: body.Email, Name: body.Name, Password: body.Password,
		OrganisationID: body.OrganisationID, Role: body.Role, MustChangePassword: mustChange})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Location", Prefix+"/users/"+idString(u.ID))
	writeJSON(w, http.StatusCreated, u)
}

// checkPlaceOrganisation refuses an organisation outside the principal's place.
func (h *Handler) checkPlaceOrganisation(r *http.Request, orgID int64) error {
	_, err := linkwork.ChosenOrganisation(r.Context(), h.svc.Organisations, principal(r), orgID)
	return err
}

// visibleUser returns the user in the path if the principal may see them.
func (h *Handler) visibleUser(r *http.Request) (*linkwork.User, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	u, err := linkwork.VisibleUser(r.Context(), h.svc.Users, principal(r), id)
	if err != nil {
		return nil, err
	}
	return u.InPlace(principal(r).Place.ID), nil
}

// manageableUser returns the user in the path if the principal may act on their account.
func (h *Handler) manageableUser(r *http.Request) (*linkwork.User, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	return linkwork.ManageableUser(r.Context(), h.svc.Users, principal(r), id)
}

func (h *Handler) getUser(w http.ResponseWriter, r *http.Request) {
	u, err := h.visibleUser(r)
	if err == nil {
		err = h.svc.Audit.RecordAudit(r.Context(), &linkwork.AuditEvent{Action: linkwork.AuditUserView, RecordType: "user",
			RecordID: idString(u.ID), Detail: "api"})
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, u)
}

// MembershipBody is the body of PUT /users/{id}/memberships/{org}.
type MembershipBody struct {
	Role linkwork.Role `json:"role"`
}

func (h *Handler) membershipTarget(r *http.Request) (*linkwork.User, int64, error) {
	u, err := h.visibleUser(r)
	if err != nil {
		return nil, 0, err
	}
	orgID, err := pathID(r, "org")
	if err != nil {
		return nil, 0, err
	}
	if err := h.checkPlaceOrganisation(r, orgID); err != nil {
		return nil, 0, linkwork.Errorf(linkwork.ENOTFOUND, "There is no organisation %d in %s.", orgID, principal(r).Place.Name)
	}
	return u, orgID, nil
}

func (h *Handler) putMembership(w http.ResponseWriter, r *http.Request) {
	u, orgID, err := h.membershipTarget(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var body MembershipBody
	if err := decode(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.svc.Users.AddMembership(r.Context(), u.ID, orgID, body.Role); err != nil {
		h.fail(w, r, err)
		return
	}
	u, err = h.svc.Users.FindUserByID(r.Context(), u.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, u.InPlace(principal(r).Place.ID))
}

func (h *Handler) deleteMembership(w http.ResponseWriter, r *http.Request) {
	u, orgID, err := h.membershipTarget(r)
	if err == nil {
		err = h.svc.Users.RemoveMembership(r.Context(), u.ID, orgID)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// ResetLink is the answer to POST /users/{id}/reset-link.
type ResetLink struct {
	URL       string `json:"url"`
	ExpiresIn string `json:"expires_in"`
}

func (h *Handler) resetLink(w http.ResponseWriter, r *http.Request) {
	u, err := h.manageableUser(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	secret, err := h.svc.Links.CreateResetLink(r.Context(), u.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, ResetLink{URL: h.baseURL + "/reset?token=" + url.QueryEscape(secret),
		ExpiresIn: linkwork.ResetLinkLifetime.String()})
}

func (h *Handler) unlockUser(w http.ResponseWriter, r *http.Request) {
	u, err := h.manageableUser(r)
	if err == nil {
		err = h.svc.Users.UnlockUser(r.Context(), u.ID)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
