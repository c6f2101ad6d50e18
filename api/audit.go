package api

import (
	"net/http"
	"strconv"
	"time"

	"linkwork"
)

func (h *Handler) registerAudit(g registrar) {
	g.Handle("GET", Prefix+"/audit", linkwork.PermViewAudit, h.listAudit)
}

// listAudit returns the place's audit events, newest first. Filters: action (exact, or a
// prefix ending in "."), actor_user_id, record_type, record_id, from and to (RFC 3339).
func (h *Handler) listAudit(w http.ResponseWriter, r *http.Request) {
	page, err := pageParams(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	f := linkwork.AuditFilter{PlaceID: principal(r).Place.ID, Action: q.Get("action"), RecordType: q.Get("record_type"),
		RecordID: q.Get("record_id"), Page: page}
	if s := q.Get("actor_user_id"); s != "" {
		if f.ActorUserID, err = strconv.ParseInt(s, 10, 64); err != nil || f.ActorUserID <= 0 {
			h.fail(w, r, linkwork.FieldError("actor_user_id", "actor_user_id must be a whole number."))
			return
		}
	}
	for _, k := range []string{"from", "to"} {
		s := q.Get(k)
		if s == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			h.fail(w, r, linkwork.FieldError(k, "%s must be a date and time in RFC 3339 form, such as 2026-11-21T09:00:00Z.", k))
			return
		}
		if k == "from" {
			f.From = t
		} else {
			f.To = t
		}
	}
	events, total, err := h.svc.Audit.ListAudit(r.Context(), f)
	if err == nil {
		err = h.svc.Audit.RecordAudit(r.Context(), &linkwork.AuditEvent{Action: linkwork.AuditAuditView, RecordType: "audit",
			Detail: "api: " + r.URL.RawQuery})
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newList(events, page, total))
}
