package api

import (
	"net/http"

	"linkwork"
)

func (h *Handler) registerTokens(g registrar) {
	in := linkwork.PermSignedIn
	g.Handle("GET", Prefix+"/tokens", in, h.listTokens)
	g.Handle("POST", Prefix+"/tokens", in, h.createToken)
	g.Handle("DELETE", Prefix+"/tokens/{id}", in, h.revokeToken)
}

func (h *Handler) listTokens(w http.ResponseWriter, r *http.Request) {
	ts, err := h.svc.Tokens.ListTokens(r.Context(), principal(r).User.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newList(ts, linkwork.Page{Number: 1, Size: max(len(ts), 1)}, len(ts)))
}

// NewToken is the body of POST /tokens.
type NewToken struct {
	Name string `json:"name"`
}

// CreatedToken is the answer to POST /tokens: the only time the secret is shown.
type CreatedToken struct {
	*linkwork.APIToken
	Token string `json:"token"`
}

func (h *Handler) createToken(w http.ResponseWriter, r *http.Request) {
	var body NewToken
	if err := decode(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	p := principal(r)
	secret, t, err := h.svc.Tokens.CreateToken(r.Context(), p.User.ID, p.Place.ID, body.Name)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, CreatedToken{APIToken: t, Token: secret})
}

func (h *Handler) revokeToken(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err == nil {
		err = h.svc.Tokens.RevokeToken(r.Context(), principal(r).User.ID, id)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
