package web

import (
	"net/http"
	"slices"
	"strconv"

	"linkwork"
)

// A scheme's triage queue and waiting list, for the people who triage for it, and the
// capacity of a place's schemes, for managers and commissioners.

func (h *Handler) registerTriage(g registrar) {
	triage := linkwork.PermTriageReferrals
	g.Handle("GET", "/schemes/{id}/triage", triage, h.triageQueue)
	g.Handle("GET", "/schemes/{id}/waiting", triage, h.waitingList)
	g.Handle("GET", "/capacity", linkwork.PermViewCapacity, h.capacity)
}

// triagePageSize is how many referrals a page of a queue shows. The store pages the queue,
// so a scheme with thousands waiting costs no more than one with fifty.
const triagePageSize = 50

// TriageView is the view of a scheme's triage queue or waiting list.
type TriageView struct {
	Layout
	Scheme  *linkwork.Service
	Waiting bool // the waiting list, not the triage queue
	Entries []linkwork.QueueEntry
	Total   int
	Pager   Pager
}

// Urgent reports whether a queue entry is urgent, for the template.
func (v *TriageView) Urgent(e linkwork.QueueEntry) bool {
	return e.Referral.Urgency == linkwork.UrgencyUrgent
}

// Days says a number of days in words, for the template.
func (v *TriageView) Days(n int) string { return linkwork.Days(n) }

// triageScheme returns the connector scheme in the path if the principal triages for it:
// another place's, or something that is not a scheme, is not found; another organisation's
// is forbidden.
func (h *Handler) triageScheme(r *http.Request) (*linkwork.Service, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	s, err := h.svc.Directory.FindServiceByID(r.Context(), id)
	if err != nil {
		return nil, err
	}
	p := principal(r)
	if s.PlaceID != p.Place.ID || s.Kind != linkwork.KindScheme {
		return nil, linkwork.Errorf(linkwork.ENOTFOUND, "Scheme not found.")
	}
	if !p.CanIn(linkwork.PermTriageReferrals, s.OrganisationID) {
		return nil, linkwork.Errorf(linkwork.EFORBIDDEN, "Only %s's team triages this scheme's referrals.", s.OrganisationName)
	}
	return s, nil
}

func (h *Handler) triageQueue(w http.ResponseWriter, r *http.Request) { h.queue(w, r, false) }

func (h *Handler) waitingList(w http.ResponseWriter, r *http.Request) { h.queue(w, r, true) }

func (h *Handler) queue(w http.ResponseWriter, r *http.Request, waiting bool) {
	s, err := h.triageScheme(r)
	if err != nil {
		h.failed(w, r, err)
		return
	}
	page := pageFrom(r)
	page.Size = triagePageSize
	list, path, title := h.svc.Referrals.TriageQueue, "/schemes/"+strconv.FormatInt(s.ID, 10)+"/triage", "Triage queue"
	if waiting {
		list, path, title = h.svc.Referrals.WaitingList, "/schemes/"+strconv.FormatInt(s.ID, 10)+"/waiting", "Waiting list"
	}
	entries, total, err := list(r.Context(), s.ID, page)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if err := h.svc.Audit.RecordAudit(r.Context(), &linkwork.AuditEvent{Action: linkwork.AuditReferralList, RecordType: "referral",
		Detail: title + " of scheme " + strconv.FormatInt(s.ID, 10) + ", page " + strconv.Itoa(page.Number)}); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "triage", &TriageView{Layout: Layout{Title: title + ": " + s.Name}, Scheme: s, Waiting: waiting,
		Entries: entries, Total: total, Pager: newPager(path, "", page, total)})
}

// CapacityView is the view of schemes' capacity.
type CapacityView struct {
	Layout
	Schemes      []SchemeLoad
	DefaultLimit int
}

// SchemeLoad is one scheme's capacity as the page shows it.
type SchemeLoad struct {
	*linkwork.SchemeCapacity
	// ShowNames is set for the scheme's own managers; others see each worker's load only.
	ShowNames bool
	// CanTriage links to the scheme's queues.
	CanTriage bool
	Wait      string
	Workers   []WorkerRow
	// Low and High are the loads above which the scheme's bar shows it as filling up and
	// nearly full.
	Low, High int
}

// WorkerRow is one link worker's load as the page shows it.
type WorkerRow struct {
	Label               string
	Active, Limit, Free int
	Low, High           int
	Languages           []string
}

// fillingUp and nearlyFull are the loads at which a caseload's bar shows it as filling up
// (three quarters) and nearly full (nine tenths).
func fillingUp(limit int) int  { return limit * 3 / 4 }
func nearlyFull(limit int) int { return limit * 9 / 10 }

func (h *Handler) capacity(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	var ids []int64
	if !p.CanPlaceWide(linkwork.PermViewCapacity) {
		// A manager sees their own organisations' schemes.
		schemes, err := h.organisationSchemes(r, p.OrganisationsWith(linkwork.PermViewCapacity))
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		for _, s := range schemes {
			ids = append(ids, s.ID)
		}
	}
	v := &CapacityView{Layout: Layout{Title: "Capacity of connector schemes"}, DefaultLimit: linkwork.DefaultCaseloadLimit}
	if p.CanPlaceWide(linkwork.PermViewCapacity) || len(ids) > 0 {
		list, err := h.svc.Referrals.Capacity(r.Context(), p.Place.ID, ids)
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		for _, c := range list {
			if len(ids) > 0 && !slices.Contains(ids, c.SchemeID) {
				continue
			}
			l := SchemeLoad{SchemeCapacity: c, ShowNames: p.CanIn(linkwork.PermAllocateReferrals, c.OrganisationID),
				CanTriage: p.CanIn(linkwork.PermTriageReferrals, c.OrganisationID), Wait: "No wait"}
			if c.ExpectedWaitDays > 0 {
				l.Wait = "About " + linkwork.Days(c.ExpectedWaitDays)
			}
			l.Low, l.High = fillingUp(c.Limit), nearlyFull(c.Limit)
			for i, wl := range c.Workers {
				row := WorkerRow{Label: "Link worker " + strconv.Itoa(i+1), Active: wl.Active, Limit: wl.Limit, Free: wl.Free(),
					Low: fillingUp(wl.Limit), High: nearlyFull(wl.Limit)}
				if l.ShowNames {
					row.Label, row.Languages = wl.Name, wl.Languages
				}
				l.Workers = append(l.Workers, row)
			}
			v.Schemes = append(v.Schemes, l)
		}
	}
	h.render(w, r, http.StatusOK, "capacity", v)
}
