package web

import (
	"net/http"
	"slices"
	"strconv"

	"linkwork"
)

// HomeView is the view of the signed-in home page.
type HomeView struct {
	Layout
	Sections []HomeSection
}

// HomeSection is a card on the home page: a section and what it is for.
type HomeSection struct {
	NavItem
	Description string
}

// sectionDescriptions say what each section is for, by its address. A test checks that every
// section a role can reach has one.
var sectionDescriptions = map[string]string{
	"/directory":         "Search the community offers and connector schemes by need, day, cost and distance.",
	"/organisations":     "The organisations in this place and their sectors.",
	"/services":          "The community offers and connector schemes you keep in the directory, and the entries to check.",
	"/practitioners":     "Link workers and other connectors across every employer, and your own entry.",
	"/referrals":         "Referrals you sent and those with your schemes: triage, waiting lists and what happened.",
	"/people":            "Your caseload: the people you support, their plans, contacts and what is due.",
	"/onward":            "People referred to your groups by link workers: accept them, and say whether they came.",
	"/groups":            "Keep your groups’ listings current, record volunteers and new activities, and tell the place what you need.",
	"/budgets":           "Devolved budget pots: micro-grants to groups and personal spends, their ledgers and reports.",
	"/measures":          "The place’s common measures: dashboards for a scheme, organisation or neighbourhood, and the board pack.",
	"/forum":             "The practitioners’ forum: meetings across employers, shared notes, learning posts and who’s who.",
	"/landscape":         "Who does what, where and for whom: coverage, overlaps, gaps against deprivation, and systems.",
	"/users":             "The people who use linkwork and their roles.",
	"/audit":             "Who did what, and who looked at personal data, when.",
	"/settings/casework": "The place’s own questionnaires, the licensed SWEMWBS wording and how long closed cases are kept.",
	"/workload":          "Your caseload against your limit and the guide of 200 to 250 people a year, and what is overdue; managers see their team’s too.",
	"/account":           "Your details, your password and your API tokens.",
}

// LandingView is the view of the home page for the public: what linkwork offers them, a
// search box and the way in for professionals.
type LandingView struct {
	Layout
	// Place is the place to search when the deployment hosts only one; otherwise Places
	// lists them to choose from.
	Place  *linkwork.Place
	Places []*linkwork.Place
}

func (h *Handler) home(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if p == nil {
		places, err := h.svc.Places.ListPlaces(r.Context())
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		v := &LandingView{Layout: Layout{Title: "Find support"}, Places: places}
		if len(places) == 1 {
			v.Place, v.Places = places[0], nil
		}
		h.render(w, r, http.StatusOK, "landing", v)
		return
	}
	if mustChangePassword(w, r) {
		return
	}
	nav := navigation(p, "")
	h.render(w, r, http.StatusOK, "home", &HomeView{Layout: Layout{Title: "Home"}, Sections: homeSections(p, nav[1:])})
}

// homeSections are the home page's sections: the navigation's, and before the account
// the pages the header has no room for, each with what it is for.
func homeSections(p *linkwork.Principal, nav []NavItem) []HomeSection {
	var extra []NavItem
	if p.Can(linkwork.PermViewWorkload) {
		extra = append(extra, NavItem{Label: "Your workload", Href: "/workload"})
	}
	at := slices.IndexFunc(nav, func(n NavItem) bool { return n.Href == "/account" })
	if at < 0 {
		at = len(nav)
	}
	var out []HomeSection
	for _, n := range slices.Concat(nav[:at], extra, nav[at:]) {
		out = append(out, HomeSection{NavItem: n, Description: sectionDescriptions[n.Href]})
	}
	return out
}

// AccountView is the view of a person's own account page.
type AccountView struct {
	Layout
	Form *Form
}

func (h *Handler) account(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, "account", &AccountView{Layout: Layout{Title: "Your account"}, Form: NewForm()})
}

func (h *Handler) changePassword(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	f := formFrom(r, "current_password", "password", "confirm_password")
	f.Order = []string{"current_password", "password", "confirm_password"}
	if f.Get("password") != f.Get("confirm_password") {
		f.Fail("confirm_password", "The new passwords do not match.")
	} else {
		err := h.svc.Users.ChangePassword(r.Context(), p.User.ID, f.Get("current_password"), f.Get("password"))
		if err == nil {
			if err := h.svc.Sessions.DeleteUserSessions(r.Context(), p.User.ID, p.SessionID); err != nil {
				h.serverError(w, r, err)
				return
			}
			h.redirect(w, r, "/account", "password-changed")
			return
		}
		if !f.FailWith(err, "password") {
			h.serverError(w, r, err)
			return
		}
	}
	for k := range f.Values {
		f.Values[k] = ""
	}
	h.render(w, r, http.StatusUnprocessableEntity, "account", &AccountView{Layout: Layout{Title: "Your account"}, Form: f})
}

func (h *Handler) switchPlace(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	id, _ := strconv.ParseInt(r.PostFormValue("place_id"), 10, 64)
	for _, pl := range p.Places {
		if pl.ID == id && p.SessionID != 0 {
			if err := h.svc.Sessions.SetSessionPlace(r.Context(), p.SessionID, id); err != nil {
				h.serverError(w, r, err)
				return
			}
			h.redirect(w, r, "/", "place-changed")
			return
		}
	}
	h.errorPage(w, r, http.StatusBadRequest, "That place cannot be chosen", "You can only work in a place where you belong to an organisation.")
}

// TokensView is the view of a person's API tokens page.
type TokensView struct {
	Layout
	Tokens    []*linkwork.APIToken
	Form      *Form
	NewSecret string // shown once, straight after creation
}

func (h *Handler) tokensView(r *http.Request, f *Form) (*TokensView, error) {
	ts, err := h.svc.Tokens.ListTokens(r.Context(), principal(r).User.ID)
	return &TokensView{Layout: Layout{Title: "API tokens"}, Tokens: ts, Form: f}, err
}

func (h *Handler) tokens(w http.ResponseWriter, r *http.Request) {
	v, err := h.tokensView(r, NewForm())
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "tokens", v)
}

func (h *Handler) createToken(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	f := formFrom(r, "name")
	secret, _, err := h.svc.Tokens.CreateToken(r.Context(), p.User.ID, p.Place.ID, f.Get("name"))
	status := http.StatusOK
	if err != nil {
		if !f.FailWith(err, "name") {
			h.serverError(w, r, err)
			return
		}
		status = http.StatusUnprocessableEntity
	} else {
		f = NewForm()
	}
	v, err := h.tokensView(r, f)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	v.NewSecret = secret
	h.render(w, r, status, "tokens", v)
}

func (h *Handler) revokeToken(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err == nil {
		err = h.svc.Tokens.RevokeToken(r.Context(), principal(r).User.ID, id)
	}
	if err != nil {
		h.failed(w, r, err)
		return
	}
	h.redirect(w, r, "/account/tokens", "token-revoked")
}
