package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"linkwork"
)

func (h *Handler) registerUsers(g registrar) {
	view, manage := linkwork.PermViewUsers, linkwork.PermManageUsers
	g.Handle("GET", "/users", view, h.users)
	g.Handle("GET", "/users/new", manage, h.newUser)
	g.Handle("POST", "/users", manage, h.createUser)
	g.Handle("GET", "/users/{id}", view, h.user)
	g.Handle("POST", "/users/{id}/memberships", manage, h.addMembership)
	g.Handle("POST", "/users/{id}/memberships/{org}/remove", manage, h.removeMembership)
	g.Handle("POST", "/users/{id}/reset-link", manage, h.resetLink)
	g.Handle("POST", "/users/{id}/unlock", manage, h.unlockUser)
}

// UsersView is the view of the list of users a principal may see.
type UsersView struct {
	Layout
	Users     []*linkwork.User
	Pager     Pager
	CanManage bool
	Scope     string // what the list covers, in words
}

func (h *Handler) users(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	page := pageFrom(r)
	f, ok := p.VisibleUsers()
	if !ok {
		h.forbidden(w, r)
		return
	}
	f.Page = page
	scope := "everyone with an account in " + p.Place.Name
	if len(f.OrganisationIDs) > 0 {
		var names []string
		for _, m := range p.Memberships {
			if slices.Contains(f.OrganisationIDs, m.OrganisationID) && !slices.Contains(names, m.OrganisationName) {
				names = append(names, m.OrganisationName)
			}
		}
		scope = "everyone in " + strings.Join(names, " and ")
	}
	users, total, err := h.svc.Users.ListUsers(r.Context(), f)
	if err == nil {
		err = h.svc.Audit.RecordAudit(r.Context(), &linkwork.AuditEvent{Action: linkwork.AuditUserList,
			RecordType: "user", Detail: scope + ", page " + strconv.Itoa(page.Number)})
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "users", &UsersView{Layout: Layout{Title: "Users"}, Users: users,
		Pager: newPager("/users", "", page, total), CanManage: p.CanPlaceWide(linkwork.PermManageUsers), Scope: scope})
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

// UserView is the view of one user.
type UserView struct {
	Layout
	User          *linkwork.User
	Memberships   []linkwork.Membership // in the principal's place
	Organisations []*linkwork.Organisation
	Roles         []linkwork.Role
	CanManage     bool // may change the user's organisations and roles in this place
	CanAccount    bool // may also make a password link or unlock the account
	Locked        bool
	ResetLink     string // shown once, straight after it is made
	Form          *Form
}

func (h *Handler) userView(r *http.Request, u *linkwork.User, f *Form) (*UserView, error) {
	p := principal(r)
	v := &UserView{Layout: Layout{Title: u.Name}, User: u, Roles: linkwork.Roles, Form: f,
		CanManage: p.CanPlaceWide(linkwork.PermManageUsers),
		Locked:    u.LockedUntil != nil && u.LockedUntil.After(timeNow())}
	v.Memberships = u.InPlace(p.Place.ID).Memberships
	if full, err := h.svc.Users.FindUserByID(r.Context(), u.ID); err == nil {
		v.CanAccount = p.CanManageAccount(full)
	}
	if v.CanManage {
		orgs, _, err := h.svc.Organisations.ListOrganisations(r.Context(), linkwork.OrganisationFilter{PlaceID: p.Place.ID,
			Page: linkwork.Page{Size: linkwork.MaxPageSize}})
		if err != nil {
			return nil, err
		}
		v.Organisations = orgs
	}
	return v, h.svc.Audit.RecordAudit(r.Context(), &linkwork.AuditEvent{Action: linkwork.AuditUserView,
		RecordType: "user", RecordID: strconv.FormatInt(u.ID, 10)})
}

func (h *Handler) user(w http.ResponseWriter, r *http.Request) {
	u, err := h.visibleUser(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	v, err := h.userView(r, u, NewForm())
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "user", v)
}

// NewUserView is the view of the form to add a user.
type NewUserView struct {
	Layout
	Form          *Form
	Organisations []*linkwork.Organisation
	Roles         []linkwork.Role
}

var newUserFields = []string{"name", "email", "organisation_id", "role", "password"}

func (h *Handler) newUserView(r *http.Request, f *Form) (*NewUserView, error) {
	orgs, _, err := h.svc.Organisations.ListOrganisations(r.Context(), linkwork.OrganisationFilter{PlaceID: principal(r).Place.ID,
		Page: linkwork.Page{Size: linkwork.MaxPageSize}})
	return &NewUserView{Layout: Layout{Title: "Add a user"}, Form: f, Organisations: orgs, Roles: linkwork.Roles}, err
}

func (h *Handler) newUser(w http.ResponseWriter, r *http.Request) {
	f := NewForm()
	f.Values["organisation_id"] = r.URL.Query().Get("organisation")
	v, err := h.newUserView(r, f)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "user_new", v)
}

func (h *Handler) createUser(w http.ResponseWriter, r *http.Request) {
	f := formFrom(r, newUserFields...)
	f.Order = newUserFields
	orgID, _ := strconv.ParseInt(f.Get("organisation_id"), 10, 64)
	if err := h.checkPlaceOrganisation(r, orgID); err != nil {
		f.FailWith(err, "organisation_id")
	} else {
		u, err := h.svc.Users.CreateUser(r.Context(), &linkwork.NewUser{Email: f.Get("email"), Name: f.Get("name"),
			Password: f.Get("password"), OrganisationID: orgID, Role: linkwork.Role(f.Get("role")), MustChangePassword: true})
		if err == nil {
			h.redirect(w, r, "/users/"+strconv.FormatInt(u.ID, 10), "user-created")
			return
		}
		if !f.FailWith(err, "email") {
			h.serverError(w, r, err)
			return
		}
	}
	f.Values["password"] = ""
	v, err := h.newUserView(r, f)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, http.StatusUnprocessableEntity, "user_new", v)
}

// checkPlaceOrganisation checks that an organisation chosen in a form is in the principal's
// place.
func (h *Handler) checkPlaceOrganisation(r *http.Request, orgID int64) error {
	_, err := linkwork.ChosenOrganisation(r.Context(), h.svc.Organisations, principal(r), orgID)
	return err
}

func (h *Handler) addMembership(w http.ResponseWriter, r *http.Request) {
	u, err := h.visibleUser(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	f := formFrom(r, "organisation_id", "role")
	orgID, _ := strconv.ParseInt(f.Get("organisation_id"), 10, 64)
	err = h.checkPlaceOrganisation(r, orgID)
	if err == nil {
		err = h.svc.Users.AddMembership(r.Context(), u.ID, orgID, linkwork.Role(f.Get("role")))
	}
	if err == nil {
		h.redirect(w, r, "/users/"+strconv.FormatInt(u.ID, 10), "membership-saved")
		return
	}
	if !f.FailWith(err, "organisation_id") {
		h.serverError(w, r, err)
		return
	}
	v, err := h.userView(r, u, f)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, http.StatusUnprocessableEntity, "user", v)
}

func (h *Handler) removeMembership(w http.ResponseWriter, r *http.Request) {
	u, err := h.visibleUser(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	orgID, err := pathID(r, "org")
	if err == nil {
		err = h.checkPlaceOrganisation(r, orgID)
	}
	if err == nil {
		err = h.svc.Users.RemoveMembership(r.Context(), u.ID, orgID)
	}
	if err != nil {
		h.failed(w, r, err)
		return
	}
	h.redirect(w, r, "/users/"+strconv.FormatInt(u.ID, 10), "membership-saved")
}

func (h *Handler) resetLink(w http.ResponseWriter, r *http.Request) {
	u, err := h.manageableUser(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	secret, err := h.svc.Links.CreateResetLink(r.Context(), u.ID)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	v, err := h.userView(r, u.InPlace(principal(r).Place.ID), NewForm())
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	v.ResetLink = h.baseURL + "/reset?token=" + url.QueryEscape(secret)
	h.render(w, r, http.StatusOK, "user", v)
}

func (h *Handler) unlockUser(w http.ResponseWriter, r *http.Request) {
	u, err := h.manageableUser(r)
	if err == nil {
		err = h.svc.Users.UnlockUser(r.Context(), u.ID)
	}
	if err != nil {
		h.failed(w, r, err)
		return
	}
	h.redirect(w, r, "/users/"+strconv.FormatInt(u.ID, 10), "user-unlocked")
}
