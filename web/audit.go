package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"linkwork"
)

// timeNow is the clock pages compare against; tests may replace it.
var timeNow = time.Now

func (h *Handler) registerAudit(g registrar) {
	g.Handle("GET", "/audit", linkwork.PermViewAudit, h.audit)
}

// AuditView is the view of the audit trail browser.
type AuditView struct {
	Layout
	Events []*linkwork.AuditEvent
	Form   *Form
	Pager  Pager
}

func (h *Handler) audit(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	q := r.URL.Query()
	f := NewForm()
	for _, k := range []string{"action", "record_type", "record_id", "actor", "from", "to"} {
		f.Values[k] = strings.TrimSpace(q.Get(k))
	}
	filter := linkwork.AuditFilter{PlaceID: p.Place.ID, Action: f.Get("action"), RecordType: f.Get("record_type"),
		RecordID: f.Get("record_id"), Page: pageFrom(r)}
	if a := f.Get("actor"); a != "" {
		u, err := h.svc.Users.FindUserByEmail(r.Context(), a)
		if err != nil {
			f.Fail("actor", "There is no user with that email address.")
		} else {
			filter.ActorUserID = u.ID
		}
	}
	for _, k := range []string{"from", "to"} {
		if s := f.Get(k); s != "" {
			t, err := time.ParseInLocation("2006-01-02", s, london)
			if err != nil {
				f.Fail(k, "Enter a date in the form 2026-11-21.")
				continue
			}
			if k == "from" {
				filter.From = t
			} else {
				filter.To = t.AddDate(0, 0, 1) // the whole of the last day
			}
		}
	}
	v := &AuditView{Layout: Layout{Title: "Audit trail"}, Form: f}
	status := http.StatusOK
	if f.HasErrors() {
		status = http.StatusUnprocessableEntity
	} else {
		events, total, err := h.svc.Audit.ListAudit(r.Context(), filter)
		if err == nil {
			err = h.svc.Audit.RecordAudit(r.Context(), &linkwork.AuditEvent{Action: linkwork.AuditAuditView,
				RecordType: "audit", Detail: r.URL.RawQuery})
		}
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		keep := url.Values{}
		for k, val := range f.Values {
			if val != "" {
				keep.Set(k, val)
			}
		}
		v.Events, v.Pager = events, newPager("/audit", keep.Encode(), filter.Page, total)
	}
	h.render(w, r, status, "audit", v)
}
