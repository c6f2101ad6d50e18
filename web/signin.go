package web

import (
	"net/http"
	"strings"

	"linkwork"
	"linkwork/authz"
)

// SignInView is the view of the sign-in page.
type SignInView struct {
	Layout
	Form *Form
	Next string
}

// safeNext returns next if it is a path on this site, else "/": the sign-in page must not
// send anyone to another site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.Contains(next, `\`) {
		return "/"
	}
	return next
}

func (h *Handler) signInPage(w http.ResponseWriter, r *http.Request) {
	if principal(r) != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	h.render(w, r, http.StatusOK, "signin", &SignInView{Layout: Layout{Title: "Sign in"}, Form: NewForm(),
		Next: safeNext(r.URL.Query().Get("next"))})
}

func (h *Handler) signIn(w http.ResponseWriter, r *http.Request) {
	f := formFrom(r, "email", "password")
	view := &SignInView{Layout: Layout{Title: "Sign in"}, Form: f, Next: safeNext(r.PostFormValue("next"))}
	f.Values["password"] = "" // never sent back
	if !h.signIns.Allow(authz.ClientIP(r)) {
		f.Fail("email", "There have been too many sign-in attempts from your network. Wait a minute, then try again.")
		h.render(w, r, http.StatusTooManyRequests, "signin", view)
		return
	}
	if strings.TrimSpace(f.Get("email")) == "" {
		f.Fail("email", "Enter your email address.")
	}
	if r.PostFormValue("password") == "" {
		f.Fail("password", "Enter your password.")
	}
	if f.HasErrors() {
		h.render(w, r, http.StatusUnprocessableEntity, "signin", view)
		return
	}
	u, err := h.svc.Users.Authenticate(r.Context(), f.Get("email"), r.PostFormValue("password"))
	if linkwork.ErrorCode(err) == linkwork.EUNAUTHORIZED {
		f.Fail("email", linkwork.ErrorMessage(err))
		h.render(w, r, http.StatusUnauthorized, "signin", view)
		return
	} else if err != nil {
		h.serverError(w, r, err)
		return
	}
	if len(u.Memberships) == 0 {
		f.Fail("email", "Your account is not in any organisation yet. Ask an administrator to add you to one.")
		h.render(w, r, http.StatusForbidden, "signin", view)
		return
	}
	h.startSession(w, r, u)
	next := view.Next
	if u.MustChangePassword {
		next = "/account"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// startSession ends any session the browser had (so that a planted cookie cannot be
// carried into a signed-in session) and starts a new one.
func (h *Handler) startSession(w http.ResponseWriter, r *http.Request, u *linkwork.User) bool {
	if c, err := r.Cookie(authz.SessionCookie); err == nil && c.Value != "" {
		_ = h.svc.Sessions.DeleteSession(r.Context(), c.Value)
	}
	secret, _, err := h.svc.Sessions.CreateSession(r.Context(), u.ID, u.Memberships[0].PlaceID, authz.ClientIP(r), r.UserAgent())
	if err != nil {
		h.serverError(w, r, err)
		return false
	}
	h.auth.SetCookie(w, secret)
	return true
}

func (h *Handler) signOut(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(authz.SessionCookie); err == nil && c.Value != "" {
		if err := h.svc.Sessions.DeleteSession(r.Context(), c.Value); err != nil && !isNotFound(err) {
			h.serverError(w, r, err)
			return
		}
	}
	h.auth.ClearCookie(w)
	h.redirect(w, r, "/signin", "signed-out")
}

// SetupView is the view of the first-run page that creates the first administrator.
type SetupView struct {
	Layout
	Form    *Form
	Token   string
	Sectors []linkwork.Sector
}

var setupFields = []string{"place_name", "organisation_name", "sector", "name", "email", "password", "confirm_password"}

func (h *Handler) setupPage(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	if _, err := h.svc.Links.CheckLink(r.Context(), linkwork.LinkSetup, token); err != nil {
		h.linkGone(w, r, err)
		return
	}
	f := NewForm()
	f.Order = setupFields
	h.render(w, r, http.StatusOK, "setup", &SetupView{Layout: Layout{Title: "Set up linkwork"}, Form: f, Token: token, Sectors: linkwork.Sectors})
}

func (h *Handler) setup(w http.ResponseWriter, r *http.Request) {
	f := formFrom(r, setupFields...)
	f.Order = setupFields
	token := r.PostFormValue("token")
	view := &SetupView{Layout: Layout{Title: "Set up linkwork"}, Form: f, Token: token, Sectors: linkwork.Sectors}
	if f.Get("password") != f.Get("confirm_password") {
		f.Fail("confirm_password", "The passwords do not match.")
	}
	if !f.HasErrors() {
		u, err := h.svc.Links.CompleteSetup(r.Context(), token, linkwork.FirstAdmin{PlaceName: f.Get("place_name"),
			OrganisationName: f.Get("organisation_name"), Sector: linkwork.Sector(f.Get("sector")),
			Name: f.Get("name"), Email: f.Get("email"), Password: f.Get("password")})
		if isNotFound(err) {
			h.linkGone(w, r, err)
			return
		}
		if err == nil {
			if h.startSession(w, r, u) {
				h.redirect(w, r, "/", "welcome")
			}
			return
		}
		if !f.FailWith(err, "place_name") {
			h.serverError(w, r, err)
			return
		}
	}
	f.Values["password"], f.Values["confirm_password"] = "", ""
	h.render(w, r, http.StatusUnprocessableEntity, "setup", view)
}

func (h *Handler) linkGone(w http.ResponseWriter, r *http.Request, err error) {
	if !isNotFound(err) {
		h.serverError(w, r, err)
		return
	}
	h.errorPage(w, r, http.StatusNotFound, "This link cannot be used", linkwork.ErrorMessage(err))
}

// ResetView is the view of the page where a person chooses a new password from a link.
type ResetView struct {
	Layout
	Form  *Form
	Token string
}

func (h *Handler) resetPage(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	if _, err := h.svc.Links.CheckLink(r.Context(), linkwork.LinkReset, token); err != nil {
		h.linkGone(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "reset", &ResetView{Layout: Layout{Title: "Choose a new password"}, Form: NewForm(), Token: token})
}

func (h *Handler) reset(w http.ResponseWriter, r *http.Request) {
	f := formFrom(r, "password", "confirm_password")
	token := r.PostFormValue("token")
	if f.Get("password") != f.Get("confirm_password") {
		f.Fail("confirm_password", "The passwords do not match.")
	} else {
		_, err := h.svc.Links.CompleteReset(r.Context(), token, f.Get("password"))
		if isNotFound(err) {
			h.linkGone(w, r, err)
			return
		}
		if err == nil {
			h.redirect(w, r, "/signin", "password-set")
			return
		}
		if !f.FailWith(err, "password") {
			h.serverError(w, r, err)
			return
		}
	}
	f.Values["password"], f.Values["confirm_password"] = "", ""
	h.render(w, r, http.StatusUnprocessableEntity, "reset", &ResetView{Layout: Layout{Title: "Choose a new password"}, Form: f, Token: token})
}
