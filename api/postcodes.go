package api

import (
	"net/http"

	"linkwork"
)

// registerPostcodes adds the postcode lookup. Postcodes are public data, but the lookup is
// for the people who use linkwork: it needs only what every signed-in role holds.
func (h *Handler) registerPostcodes(g registrar) {
	g.Handle("GET", Prefix+"/postcodes/{postcode}", linkwork.PermViewOrganisations, h.getPostcode)
}

// getPostcode answers a postcode written in any case and spacing ("hx11aa", "HX1%201AA")
// with where it is and the deprivation of its area. An ended postcode is a 400 that names
// the month, unless allow_terminated=true asks for it anyway.
func (h *Handler) getPostcode(w http.ResponseWriter, r *http.Request) {
	terminated := linkwork.RefuseTerminated
	switch r.URL.Query().Get("allow_terminated") {
	case "", "false":
	case "true":
		terminated = linkwork.AllowTerminated
	default:
		h.fail(w, r, linkwork.FieldError("allow_terminated", "allow_terminated must be true or false."))
		return
	}
	p, err := h.svc.Geography.FindPostcode(r.Context(), r.PathValue("postcode"), terminated)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}
