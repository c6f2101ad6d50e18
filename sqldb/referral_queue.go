package sqldb

import (
	"context"
	"math"
	"strings"
	"time"

	"linkwork"
)

// TriageQueue returns a page of the referrals a scheme has received and not yet decided
// on, urgent first, then oldest first, and how many there are.
func (s *ReferralService) TriageQueue(ctx context.Context, schemeID int64, page linkwork.Page) ([]linkwork.QueueEntry, int, error) {
	c := s.db.read()
	if _, err := s.db.schemePlace(ctx, c, schemeID); err != nil {
		return nil, 0, err
	}
	var total int
	if err := c.queryRow(ctx, "SELECT COUNT(*) FROM referrals WHERE scheme_id = ? AND status = 'received'", []any{schemeID}, &total); err != nil {
		return nil, 0, err
	}
	rs, err := s.db.queuePage(ctx, c, `SELECT id FROM referrals WHERE scheme_id = ? AND status = 'received'
		ORDER BY urgency_rank, received_at, id LIMIT ? OFFSET ?`, schemeID, page)
	if err != nil {
		return nil, 0, err
	}
	out := make([]linkwork.QueueEntry, len(rs))
	for i, r := range rs {
		out[i] = linkwork.QueueEntry{Referral: r}
	}
	return out, total, nil
}

// WaitingList returns a page of a scheme's waiting list in order (urgent first, then by how
// long they have waited), each with its position and expected wait, and how many wait.
func (s *ReferralService) WaitingList(ctx context.Context, schemeID int64, page linkwork.Page) ([]linkwork.QueueEntry, int, error) {
	c := s.db.read()
	placeID, err := s.db.schemePlace(ctx, c, schemeID)
	if err != nil {
		return nil, 0, err
	}
	caps, err := s.db.capacity(ctx, c, placeID, []int64{schemeID})
	if err != nil {
		return nil, 0, err
	}
	capy := caps[0]
	// The literal status lets SQLite use the partial index of waiting referrals.
	rs, err := s.db.queuePage(ctx, c, `SELECT id FROM referrals WHERE scheme_id = ? AND status = 'waiting'
		ORDER BY urgency_rank, waiting_since, id LIMIT ? OFFSET ?`, schemeID, page)
	if err != nil {
		return nil, 0, err
	}
	offset := page.Offset()
	out := make([]linkwork.QueueEntry, len(rs))
	for i, r := range rs {
		pos := offset + i + 1
		out[i] = linkwork.QueueEntry{Referral: r, Position: pos, ExpectedWaitDays: expectedWaitDays(capy, pos)}
	}
	return out, capy.Waiting, nil
}

// schemePlace returns the place of a connector scheme, or ENOTFOUND.
func (db *DB) schemePlace(ctx context.Context, c conn, schemeID int64) (int64, error) {
	var placeID int64
	err := c.queryRow(ctx, "SELECT place_id FROM services WHERE id = ? AND kind = 'connector_scheme'", []any{schemeID}, &placeID)
	return placeID, notFound(err, "Connector scheme")
}

// queuePage reads a page of referrals in two steps: their IDs in order, from the index
// alone, and then only those rows. Reading whole rows while skipping to a page deep in a
// long waiting list would read every row skipped.
func (db *DB) queuePage(ctx context.Context, c conn, idQuery string, schemeID int64, page linkwork.Page) ([]*linkwork.Referral, error) {
	p := page.Normal()
	ids, err := queryInt64s(ctx, c, idQuery, schemeID, p.Size, p.Offset())
	if err != nil || len(ids) == 0 {
		return []*linkwork.Referral{}, err
	}
	rs, err := db.queryReferrals(ctx, c, "SELECT "+referralColumns+referralFrom+" WHERE r.id IN "+placeholders(len(ids)), anys(ids)...)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]*linkwork.Referral, len(rs))
	for _, r := range rs {
		byID[r.ID] = r
	}
	out := make([]*linkwork.Referral, 0, len(ids))
	for _, id := range ids {
		if r, ok := byID[id]; ok {
			out = append(out, r)
		}
	}
	return out, nil
}

// expectedWaitDays is the expected wait until allocation at a position in a scheme's
// waiting list: none while there are free places for everyone up to it; otherwise the time
// the scheme's recent rate of allocation takes to reach it, or, with no allocations yet, the
// wait the scheme states.
func expectedWaitDays(c *linkwork.SchemeCapacity, position int) int {
	if position <= c.Free {
		return 0
	}
	if c.AllocatedPerWeek > 0 {
		return int(math.Ceil(float64(position-c.Free) / c.AllocatedPerWeek * 7))
	}
	return c.StatedWaitingWeeks * 7
}

// capacityWindow is how far back a scheme's rate of allocation is measured.
const capacityWindow = 8 * 7 * 24 * time.Hour

// Capacity returns the load of a place's connector schemes (those listed, when any are), by
// name.
func (s *ReferralService) Capacity(ctx context.Context, placeID int64, schemeIDs []int64) ([]*linkwork.SchemeCapacity, error) {
	return s.db.capacity(ctx, s.db.read(), placeID, schemeIDs)
}

func (db *DB) capacity(ctx context.Context, c conn, placeID int64, schemeIDs []int64) ([]*linkwork.SchemeCapacity, error) {
	q := `SELECT s.id, s.name, s.organisation_id, COALESCE(cs.caseload_limit, 0), COALESCE(cs.waiting_weeks, 0)
		FROM services s LEFT JOIN connector_schemes cs ON cs.service_id = s.id
		WHERE s.place_id = ? AND s.kind = 'connector_scheme'`
	args := []any{placeID}
	if len(schemeIDs) > 0 {
		q, args = q+" AND s.id IN "+placeholders(len(schemeIDs)), append(args, anys(schemeIDs)...)
	}
	rows, err := c.query(ctx, q+" ORDER BY lower(s.name), s.id", args...)
	if err != nil {
		return nil, err
	}
	var schemes []schemeLoad
	for rows.Next() {
		var l schemeLoad
		l.SchemeCapacity = &linkwork.SchemeCapacity{Workers: []linkwork.WorkerLoad{}}
		if err := rows.Scan(&l.SchemeID, &l.SchemeName, &l.OrganisationID, &l.caseloadLimit, &l.StatedWaitingWeeks); err != nil {
			rows.Close()
			return nil, err
		}
		schemes = append(schemes, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return db.fillCapacity(ctx, c, placeID, schemes)
}

// schemeLoad is a scheme's capacity while it is worked out, with the scheme's own caseload
// limit per worker.
type schemeLoad struct {
	*linkwork.SchemeCapacity
	caseloadLimit int
}

// fillCapacity works out the load of some schemes of a place in four queries for all of
// them: their link workers, the counts of their referrals by status and by worker, and their
// recent allocations.
func (db *DB) fillCapacity(ctx context.Context, c conn, placeID int64, schemes []schemeLoad) ([]*linkwork.SchemeCapacity, error) {
	out := make([]*linkwork.SchemeCapacity, len(schemes))
	if len(schemes) == 0 {
		return out, nil
	}
	byID := map[int64]*linkwork.SchemeCapacity{}
	orgSet := map[int64]bool{}
	var ids, orgs []any
	for i, s := range schemes {
		out[i] = s.SchemeCapacity
		byID[s.SchemeID] = s.SchemeCapacity
		ids = append(ids, s.SchemeID)
		if !orgSet[s.OrganisationID] {
			orgSet[s.OrganisationID] = true
			orgs = append(orgs, s.OrganisationID)
		}
	}
	in := placeholders(len(ids))

	// The link workers of the schemes' organisations, with their own limits and languages.
	type worker struct {
		org   int64
		load  linkwork.WorkerLoad
		limit int // their own, or 0
	}
	var workers []worker
	rows, err := c.query(ctx, `SELECT m.organisation_id, u.id, u.name, COALESCE(cl.caseload_limit, 0), COALESCE(pr.languages, '')
		FROM memberships m JOIN users u ON u.id = m.user_id
		LEFT JOIN caseload_limits cl ON cl.place_id = ? AND cl.user_id = u.id
		LEFT JOIN practitioners pr ON pr.place_id = ? AND pr.user_id = u.id
		WHERE m.role = 'link_worker' AND m.organisation_id IN `+placeholders(len(orgs))+` ORDER BY lower(u.name), u.id`,
		append([]any{placeID, placeID}, orgs...)...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var w worker
		var langs string
		if err := rows.Scan(&w.org, &w.load.UserID, &w.load.Name, &w.limit, &langs); err != nil {
			rows.Close()
			return nil, err
		}
		w.load.Languages = splitList(langs)
		workers = append(workers, w)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	// Three counts in one round trip (each is a handful of rows): referrals by scheme and
	// status, from the counters the triggers of migration 0008 keep; active cases by scheme
	// and worker, from the partial index of active cases alone (its condition written as in
	// the index, for SQLite to see that it applies); and allocations over the last eight
	// weeks. kind tells the rows apart; worker is 0 where it does not apply.
	type key struct{ scheme, worker int64 }
	active := map[key]int{}
	args := append(append(append([]any{}, ids...), ids...), ids...)
	args = append(args, db.Now().Add(-capacityWindow))
	err = c.eachRow(ctx, `SELECT 'status', scheme_id, status, 0, n FROM scheme_referral_counts WHERE scheme_id IN `+in+`
			AND status IN ('received', 'waiting', 'allocated', 'in_progress')
		UNION ALL SELECT 'worker', scheme_id, '', worker_user_id, COUNT(*) FROM referrals WHERE scheme_id IN `+in+`
			AND status IN ('allocated', 'in_progress') AND worker_user_id IS NOT NULL GROUP BY scheme_id, worker_user_id
		UNION ALL SELECT 'allocated', scheme_id, '', 0, COUNT(*) FROM referral_events WHERE scheme_id IN `+in+`
			AND action = 'allocate' AND at >= ? GROUP BY scheme_id`, args, func(scan func(...any) error) error {
		var kind, status string
		var scheme, worker int64
		var n int
		if err := scan(&kind, &scheme, &status, &worker, &n); err != nil {
			return err
		}
		sc := byID[scheme]
		switch {
		case kind == "worker":
			active[key{scheme, worker}] = n
		case kind == "allocated":
			sc.AllocatedPerWeek = float64(n) / 8
		case status == string(linkwork.ReferralReceived):
			sc.Received += n
		case status == string(linkwork.ReferralWaiting):
			sc.Waiting += n
		default:
			sc.Active += n
		}
		return nil
	})
	if err != nil {
		return nil, err
	}

	for _, s := range schemes {
		sc := s.SchemeCapacity
		for _, w := range workers {
			if w.org != sc.OrganisationID {
				continue
			}
			l := w.load
			l.Languages = append([]string{}, w.load.Languages...)
			l.Active = active[key{sc.SchemeID, l.UserID}]
			switch {
			case w.limit > 0:
				l.Limit = w.limit
			case s.caseloadLimit > 0:
				l.Limit = s.caseloadLimit
			default:
				l.Limit = linkwork.DefaultCaseloadLimit
			}
			sc.Workers = append(sc.Workers, l)
			sc.Limit += l.Limit
		}
		sc.Free = max(sc.Limit-sc.Active, 0)
		sc.ExpectedWaitDays = expectedWaitDays(sc, sc.Waiting+1)
	}
	return out, nil
}

// RouteReferral ranks the place's connector schemes for a person, with their capacity (see
// linkwork.Route). The schemes are kept until the directory changes (routing_cache.go); their
// capacity is counted afresh in a handful of queries, as it runs with every referral sent.
func (s *ReferralService) RouteReferral(ctx context.Context, req linkwork.RouteRequest) ([]linkwork.RouteOption, error) {
	c := s.db.read()
	schemes, err := s.db.schemesForRouting(ctx, c, req.PlaceID)
	if err != nil {
		return nil, err
	}
	loads := make([]schemeLoad, len(schemes))
	for i, svc := range schemes {
		loads[i] = schemeLoad{SchemeCapacity: &linkwork.SchemeCapacity{SchemeID: svc.ID, SchemeName: svc.Name,
			OrganisationID: svc.OrganisationID, Workers: []linkwork.WorkerLoad{}}}
		if svc.Scheme != nil {
			loads[i].caseloadLimit, loads[i].StatedWaitingWeeks = svc.Scheme.CaseloadLimit, svc.Scheme.WaitingWeeks
		}
	}
	caps, err := s.db.fillCapacity(ctx, c, req.PlaceID, loads)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]*linkwork.SchemeCapacity, len(caps))
	for _, sc := range caps {
		byID[sc.SchemeID] = sc
	}
	return linkwork.Route(req, schemes, byID), nil
}

// MaxCaseloadLimit is the most people a link worker's own caseload limit may be.
const MaxCaseloadLimit = 500

// SetCaseloadLimit sets a link worker's own caseload limit in a place; 0 removes it, so
// that their scheme's limit (or linkwork's default) applies again.
func (s *ReferralService) SetCaseloadLimit(ctx context.Context, placeID, userID int64, limit int) error {
	if limit < 0 || limit > MaxCaseloadLimit {
		return linkwork.FieldError("caseload_limit", "Enter a caseload limit from 1 to %d people, or 0 to use the scheme's.", MaxCaseloadLimit)
	}
	return s.db.tx(ctx, func(c conn) error {
		var name string
		err := c.queryRow(ctx, `SELECT u.name FROM users u WHERE u.id = ? AND EXISTS (SELECT 1 FROM memberships m
			JOIN organisations o ON o.id = m.organisation_id WHERE m.user_id = u.id AND o.place_id = ?)`, []any{userID, placeID}, &name)
		if err != nil {
			return notFound(err, "User")
		}
		if _, err := c.exec(ctx, "DELETE FROM caseload_limits WHERE place_id = ? AND user_id = ?", placeID, userID); err != nil {
			return err
		}
		detail := "the scheme's limit"
		if limit > 0 {
			if _, err := c.exec(ctx, "INSERT INTO caseload_limits (place_id, user_id, caseload_limit, updated_at) VALUES (?, ?, ?, ?)",
				placeID, userID, limit, s.db.Now()); err != nil {
				return err
			}
			detail = idString(int64(limit)) + " people"
		}
		return s.db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: placeID, Action: linkwork.AuditCaseloadLimit, RecordType: "user",
			RecordID: idString(userID), Detail: strings.TrimSpace(name + ": " + detail)})
	})
}
