package sqldb

import (
	"context"
	"database/sql"
	"slices"
	"time"

	"linkwork"
)

// WorkloadService reads link workers' workloads live from the case records, with the same
// meanings as the caseload (what is open, what is overdue, what awaits an answer), and the
// counts behind the NHS England extract (nhs_extract.go).
type WorkloadService struct{ db *DB }

// NewWorkloadService returns the workloads of db.
func NewWorkloadService(db *DB) *WorkloadService { return &WorkloadService{db: db} }

var _ linkwork.WorkloadService = (*WorkloadService)(nil)

// Workload returns one link worker's workload among the people the query's organisations
// hold.
func (s *WorkloadService) Workload(ctx context.Context, q linkwork.WorkloadQuery) (*linkwork.Workload, error) {
	c := s.db.read()
	if err := placeExists(ctx, c, q.PlaceID); err != nil {
		return nil, err
	}
	var name string
	if err := c.queryRow(ctx, "SELECT name FROM users WHERE id = ?", []any{q.WorkerUserID}, &name); err != nil {
		return nil, notFound(err, "Link worker")
	}
	sc := s.scope(q.PlaceID, q.OrganisationIDs, q.WorkerUserID, q.Today)
	ws := map[int64]*linkwork.Workload{q.WorkerUserID: sc.newWorkload(q.WorkerUserID, name)}
	if len(q.OrganisationIDs) > 0 {
		if _, err := sc.count(ctx, c, ws); err != nil {
			return nil, err
		}
	}
	if err := sc.limits(ctx, c, ws); err != nil {
		return nil, err
	}
	w := ws[q.WorkerUserID]
	w.Assess()
	return w, nil
}

// Team returns an organisation's team: its link workers, and anyone else whose people it
// held in the last 12 months, with their workloads; the open cases with no link worker;
// and its connector schemes' waiting lists.
func (s *WorkloadService) Team(ctx context.Context, placeID, organisationID int64, today time.Time) (*linkwork.TeamWorkload, error) {
	c := s.db.read()
	t := &linkwork.TeamWorkload{OrganisationID: organisationID, Workers: []*linkwork.Workload{}, Schemes: []*linkwork.SchemeWaiting{}}
	err := c.queryRow(ctx, "SELECT name FROM organisations WHERE id = ? AND place_id = ?", []any{organisationID, placeID}, &t.OrganisationName)
	if err != nil {
		return nil, notFound(err, "Organisation")
	}
	sc := s.scope(placeID, []int64{organisationID}, 0, today)
	t.Today = sc.day
	ws := map[int64]*linkwork.Workload{}
	err = c.eachRow(ctx, `SELECT u.id, u.name FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.organisation_id = ? AND m.role = ?`, []any{organisationID, string(linkwork.RoleLinkWorker)},
		func(scan func(...any) error) error {
			var id int64
			var name string
			if err := scan(&id, &name); err != nil {
				return err
			}
			ws[id] = sc.newWorkload(id, name)
			return nil
		})
	if err != nil {
		return nil, err
	}
	if t.Unallocated, err = sc.count(ctx, c, ws); err != nil {
		return nil, err
	}
	if err := sc.names(ctx, c, ws); err != nil {
		return nil, err
	}
	if err := sc.limits(ctx, c, ws); err != nil {
		return nil, err
	}
	for _, w := range ws {
		t.Workers = append(t.Workers, w)
	}
	if t.Schemes, err = s.waitingLists(ctx, c, sc); err != nil {
		return nil, err
	}
	t.Assess()
	return t, nil
}

// workloadScope is what a workload is counted over: the people of some organisations of a
// place, one link worker's (worker) or everyone's (0), to a day.
type workloadScope struct {
	placeID int64
	orgs    []int64
	worker  int64
	// today is the day counted to, at midnight UTC, and day the same as text; from and
	// fromDay the first day of the 12 months people supported count over, and fromAt the
	// moment it began in London (case records keep when they closed as a timestamp);
	// firstMonth the first day of the chart's first month.
	today, from   time.Time
	day, fromDay  string
	fromAt        time.Time
	firstMonth    string
	awaitingSince time.Time // onward referrals sent before this await an answer
	postgres      bool
}

func (s *WorkloadService) scope(placeID int64, orgs []int64, worker int64, today time.Time) workloadScope {
	now := s.db.Now()
	day := calendarDay(now)
	if !today.IsZero() {
		now = today
		y, m, d := today.Date()
		day = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	from := linkwork.SupportedFrom(day)
	months := linkwork.NewWorkloadMonths(day)
	return workloadScope{placeID: placeID, orgs: orgs, worker: worker, today: day, from: from,
		day: day.Format(time.DateOnly), fromDay: from.Format(time.DateOnly),
		fromAt:     time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, london).UTC(),
		firstMonth: months[0].Month + "-01", awaitingSince: now.Add(-linkwork.OnwardPromptAfter),
		postgres: s.db.dialect.name() == "postgres"}
}

// newWorkload is an empty workload of the scope.
func (sc workloadScope) newWorkload(id int64, name string) *linkwork.Workload {
	return &linkwork.Workload{UserID: id, Name: name, Today: sc.day, SupportedFrom: sc.fromDay, RateFrom: sc.fromDay,
		Months: linkwork.NewWorkloadMonths(sc.today), Flags: []linkwork.WorkloadFlag{}}
}

// people is the condition on the case records (alias p) of the scope, with its arguments;
// workerColumn is the column that names the link worker (the case record's, or a
// contact's), or "" to take everyone's.
func (sc workloadScope) people(workerColumn string) (string, []any) {
	where := "p.place_id = ? AND p.organisation_id IN " + placeholders(len(sc.orgs))
	args := append([]any{sc.placeID}, anys(sc.orgs)...)
	if sc.worker > 0 && workerColumn != "" {
		where, args = where+" AND "+workerColumn+" = ?", append(args, sc.worker)
	}
	return where, args
}

// count fills in the workloads from the case records, contacts, plan steps and onward
// referrals, adding a workload for anyone else the counts name, and returns the open case
// records with no link worker. Seven grouped queries, whatever the size of the team.
func (sc workloadScope) count(ctx context.Context, c conn, ws map[int64]*linkwork.Workload) (int, error) {
	unallocated := 0
	get := func(id int64) *linkwork.Workload {
		w, ok := ws[id]
		if !ok {
			w = sc.newWorkload(id, "")
			ws[id] = w
		}
		return w
	}
	byPerson, args := sc.people("p.worker_user_id")
	worker := "COALESCE(p.worker_user_id, 0)"

	// The open caseload, and its follow-ups overdue.
	err := c.eachRow(ctx, `SELECT `+worker+`, SUM(CASE WHEN p.status = 'active' THEN 1 ELSE 0 END),
		SUM(CASE WHEN p.status = 'waiting' THEN 1 ELSE 0 END), SUM(CASE WHEN p.follow_up_on < ? THEN 1 ELSE 0 END)
		FROM persons p WHERE `+byPerson+` AND p.status IN `+openCaseStatuses+` GROUP BY `+worker,
		append([]any{sc.day}, args...), func(scan func(...any) error) error {
			var id int64
			var active, waiting, overdue int
			if err := scan(&id, &active, &waiting, &overdue); err != nil {
				return err
			}
			if id == 0 {
				unallocated = active + waiting
				return nil
			}
			w := get(id)
			w.Active, w.Waiting, w.FollowUpsOverdue = active, waiting, overdue
			return nil
		})
	if err != nil {
		return 0, err
	}
	// Plan steps overdue, and onward referrals awaiting an answer, of open cases.
	for _, q := range []struct {
		sql  string
		arg  any
		into func(w *linkwork.Workload, n int)
	}{
		{`SELECT ` + worker + `, COUNT(*) FROM plan_steps st JOIN persons p ON p.id = st.person_id
			WHERE ` + byPerson + ` AND p.status IN ` + openCaseStatuses + ` AND st.status = 'to_do' AND st.due_on < ? GROUP BY ` + worker,
			sc.day, func(w *linkwork.Workload, n int) { w.StepsOverdue = n }},
		{`SELECT ` + worker + `, COUNT(*) FROM onward_referrals o JOIN persons p ON p.id = o.person_id
			WHERE ` + byPerson + ` AND p.status IN ` + openCaseStatuses + ` AND o.status = 'sent' AND o.sent_at <= ? GROUP BY ` + worker,
			sc.awaitingSince, func(w *linkwork.Workload, n int) { w.OnwardAwaiting = n }},
	} {
		err := c.eachRow(ctx, q.sql, append(slices.Clone(args), q.arg), func(scan func(...any) error) error {
			var id int64
			var n int
			if err := scan(&id, &n); err != nil || id == 0 {
				return err
			}
			q.into(get(id), n)
			return nil
		})
		if err != nil {
			return 0, err
		}
	}

	// People supported in the 12 months: open on the first day, or opened since; and the
	// day each link worker's first person's support began, for their rate a year.
	type year struct {
		open, started int
		first         string
	}
	years := map[int64]year{}
	err = c.eachRow(ctx, `SELECT `+worker+`,
		SUM(CASE WHEN p.opened_on < ? AND (p.closed_at IS NULL OR p.closed_at >= ?) THEN 1 ELSE 0 END),
		SUM(CASE WHEN p.opened_on >= ? THEN 1 ELSE 0 END), MIN(p.opened_on)
		FROM persons p WHERE `+byPerson+` AND p.opened_on <= ? GROUP BY `+worker,
		append(append([]any{sc.fromDay, sc.fromAt, sc.fromDay}, args...), sc.day), func(scan func(...any) error) error {
			var id int64
			var y year
			if err := scan(&id, &y.open, &y.started, &y.first); err != nil || id == 0 {
				return err
			}
			years[id] = y
			return nil
		})
	if err != nil {
		return 0, err
	}
	for id, y := range years {
		w := get(id)
		w.Supported = y.open + y.started
		first, _ := time.Parse(time.DateOnly, y.first)
		w.PerYear = linkwork.PeoplePerYear(y.open, y.started, sc.from, sc.today, first)
		w.RateFrom = linkwork.RateFrom(sc.from, first).Format(time.DateOnly)
	}

	// People whose support began each month of the chart.
	err = c.eachRow(ctx, `SELECT `+worker+`, substr(p.opened_on, 1, 7), COUNT(*) FROM persons p
		WHERE `+byPerson+` AND p.opened_on >= ? AND p.opened_on <= ? GROUP BY `+worker+`, substr(p.opened_on, 1, 7)`,
		append(slices.Clone(args), sc.firstMonth, sc.day), func(scan func(...any) error) error {
			var id int64
			var month string
			var n int
			if err := scan(&id, &month, &n); err != nil || id == 0 {
				return err
			}
			for _, m := range get(id).Months {
				if m.Month == month {
					m.NewPeople = n
				}
			}
			return nil
		})
	if err != nil {
		return 0, err
	}

	// Contacts recorded by each link worker with the organisations' people, month by month
	// and mode by mode, and the latest they recorded. Taken per link worker, through the
	// index of contacts by worker and date.
	var ids []int64
	for id := range ws {
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return unallocated, nil
	}
	slices.Sort(ids)
	held, heldArgs := sc.people("")
	byWorker := "ct.worker_user_id IN " + placeholders(len(ids)) + " AND EXISTS (SELECT 1 FROM persons p WHERE p.id = ct.person_id AND " + held + ")"
	workerArgs := append(anys(ids), heldArgs...)
	err = c.eachRow(ctx, `SELECT ct.worker_user_id, substr(ct.on_date, 1, 7), ct.mode, COUNT(*), SUM(ct.minutes) FROM case_contacts ct
		WHERE `+byWorker+` AND ct.on_date >= ? AND ct.on_date <= ? GROUP BY ct.worker_user_id, substr(ct.on_date, 1, 7), ct.mode`,
		append(slices.Clone(workerArgs), sc.firstMonth, sc.day), func(scan func(...any) error) error {
			var id int64
			var month, mode string
			var n, minutes int
			if err := scan(&id, &month, &mode, &n, &minutes); err != nil {
				return err
			}
			get(id).AddContacts(month, linkwork.ContactMode(mode), n, minutes)
			return nil
		})
	if err != nil {
		return 0, err
	}
	err = c.eachRow(ctx, `SELECT ct.worker_user_id, MAX(ct.on_date) FROM case_contacts ct WHERE `+byWorker+` AND ct.on_date <= ?
		GROUP BY ct.worker_user_id`, append(workerArgs, sc.day), func(scan func(...any) error) error {
		var id int64
		var last sql.NullString
		if err := scan(&id, &last); err != nil {
			return err
		}
		get(id).LastContactOn = last.String
		return nil
	})
	return unallocated, err
}

// names fills in the names of workloads added for people the counts named.
func (sc workloadScope) names(ctx context.Context, c conn, ws map[int64]*linkwork.Workload) error {
	var ids []int64
	for id, w := range ws {
		if w.Name == "" {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	return c.eachRow(ctx, "SELECT id, name FROM users WHERE id IN "+placeholders(len(ids)), anys(ids), func(scan func(...any) error) error {
		var id int64
		var name string
		if err := scan(&id, &name); err != nil {
			return err
		}
		ws[id].Name = name
		return nil
	})
}

// limits sets each workload's caseload limit as the capacity of schemes takes it: the link
// worker's own limit in the place; or else their organisations' connector schemes' limit
// (the largest, where they state different ones, since one caseload spans them all); or
// else linkwork's default.
func (sc workloadScope) limits(ctx context.Context, c conn, ws map[int64]*linkwork.Workload) error {
	schemeLimit := 0
	if len(sc.orgs) > 0 {
		err := c.queryRow(ctx, `SELECT COALESCE(MAX(cs.caseload_limit), 0) FROM services s JOIN connector_schemes cs ON cs.service_id = s.id
			WHERE s.place_id = ? AND s.kind = 'connector_scheme' AND s.organisation_id IN `+placeholders(len(sc.orgs)),
			append([]any{sc.placeID}, anys(sc.orgs)...), &schemeLimit)
		if err != nil {
			return err
		}
	}
	for _, w := range ws {
		if schemeLimit > 0 {
			w.Limit, w.LimitFrom = schemeLimit, linkwork.LimitScheme
		} else {
			w.Limit, w.LimitFrom = linkwork.DefaultCaseloadLimit, linkwork.LimitDefault
		}
	}
	var ids []int64
	for id := range ws {
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return nil
	}
	return c.eachRow(ctx, "SELECT user_id, caseload_limit FROM caseload_limits WHERE place_id = ? AND user_id IN "+placeholders(len(ids)),
		append([]any{sc.placeID}, anys(ids)...), func(scan func(...any) error) error {
			var id int64
			var limit int
			if err := scan(&id, &limit); err != nil {
				return err
			}
			ws[id].Limit, ws[id].LimitFrom = limit, linkwork.LimitOwn
			return nil
		})
}

// waitingLists returns the waiting lists of the scope's organisation's connector schemes,
// by name: the referrals waiting now, and the day the longest-waiting of them was accepted.
func (s *WorkloadService) waitingLists(ctx context.Context, c conn, sc workloadScope) ([]*linkwork.SchemeWaiting, error) {
	out := []*linkwork.SchemeWaiting{}
	since := factSQL{postgres: sc.postgres}.londonDay("r.waiting_since")
	// The literal status lets SQLite use the partial index of waiting referrals.
	err := c.eachRow(ctx, `SELECT s.id, s.name, COALESCE(cs.waiting_weeks, 0),
		(SELECT COUNT(*) FROM referrals r WHERE r.scheme_id = s.id AND r.status = 'waiting'),
		(SELECT MIN(`+since+`) FROM referrals r WHERE r.scheme_id = s.id AND r.status = 'waiting')
		FROM services s LEFT JOIN connector_schemes cs ON cs.service_id = s.id
		WHERE s.place_id = ? AND s.kind = 'connector_scheme' AND s.organisation_id IN `+placeholders(len(sc.orgs))+`
		ORDER BY lower(s.name), s.id`, append([]any{sc.placeID}, anys(sc.orgs)...), func(scan func(...any) error) error {
		sw := &linkwork.SchemeWaiting{}
		var weeks int
		var longest sql.NullString
		if err := scan(&sw.SchemeID, &sw.SchemeName, &weeks, &sw.Waiting, &longest); err != nil {
			return err
		}
		sw.StatedWaitDays = weeks * 7
		if d, err := time.Parse(time.DateOnly, longest.String); err == nil && sw.Waiting > 0 {
			sw.LongestWaitDays = max(int(sc.today.Sub(d).Hours()/24), 0)
		}
		out = append(out, sw)
		return nil
	})
	return out, err
}
