package main

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// The engine floor of an endpoint: the main statements it sends, written out here as
// linkwork's store writes them (sqldb) and run through database/sql on a handle of their own,
// each row read and nothing decoded, with no linkwork code in the timed loop, as
// BenchmarkSearchFloor does for the search. The ratio of the endpoint to its floor is what
// linkwork (HTTP, sessions, audit, the rest of its statements, Go and the template) adds to
// the work the engine must do. The statements are copied from the store, so a change there
// must be made here too; TestEngineFloors runs them against a generated place beside the
// store's own calls, so that one that no longer matches fails.

// floorStatement is one statement of a floor, with its arguments.
type floorStatement struct {
	query string // ? placeholders
	args  []any
	// planEachTime sends the statement unprepared on PostgreSQL, planned for its values, as
	// linkwork sends searches (sqldb's planEachTime).
	planEachTime bool
}

// engineFloor is what an endpoint costs the database engine.
type engineFloor struct {
	// what says which statements, for the report.
	what string
	// reads are run one after another; every row of each is read.
	reads []floorStatement
	// write, when set, is run instead, in a transaction that is committed; each run writes
	// rows of its own.
	write func(ctx context.Context, r *rawDB, tx *sql.Tx) error
}

// median runs a floor once to warm the caches, then again until runs runs or budget have
// gone by (at least 5 runs), and returns the median.
func (f engineFloor) median(ctx context.Context, r *rawDB, runs int, budget time.Duration) (time.Duration, int, error) {
	if err := f.once(ctx, r); err != nil {
		return 0, 0, err
	}
	var times []time.Duration
	start := time.Now()
	for i := 1; i <= runs && (i <= 5 || time.Since(start) < budget); i++ {
		t := time.Now()
		if err := f.once(ctx, r); err != nil {
			return 0, 0, err
		}
		times = append(times, time.Since(t))
	}
	slices.Sort(times)
	return times[len(times)/2], len(times), nil
}

// once runs the floor's statements once.
func (f engineFloor) once(ctx context.Context, r *rawDB) error {
	if f.write != nil {
		tx, err := r.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if err := f.write(ctx, r, tx); err != nil {
			tx.Rollback()
			return err
		}
		return tx.Commit()
	}
	for _, st := range f.reads {
		if _, err := st.readAll(ctx, r); err != nil {
			return err
		}
	}
	return nil
}

// readAll runs a statement and reads every row without decoding it, returning how many rows
// it gave.
func (st floorStatement) readAll(ctx context.Context, r *rawDB) (int, error) {
	args := st.args
	if st.planEachTime && r.dialect == "postgres" {
		args = append([]any{pgx.QueryExecModeExec}, args...)
	}
	rows, err := r.QueryContext(ctx, r.rebind(st.query), args...)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", oneLine(st.query), err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	vals := make([]any, len(cols))
	for i := range vals {
		vals[i] = new(sql.RawBytes)
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(vals...); err != nil {
			return n, err
		}
		n++
	}
	return n, rows.Err()
}

// oneLine is a statement on one line, for messages.
func oneLine(q string) string { return strings.Join(strings.Fields(q), " ") }

// The search the load test sends (the target of docs/performance.md's search section): the
// text "walking", the need physical activity, within 5 km of HX1 1AA, community offers, the
// first page of 20, by relevance.
const (
	searchWord     = "walking"
	searchPostcode = "HX1 1AA"
	searchRadiusKm = 5
	searchPageSize = 20
)

// searchFloor is the search's statements (sqldb/search.go): on SQLite the full-text query
// for the candidates' IDs, the blocks of points that hold them and the IDs of the services
// named for the word (sqliteNear); on PostgreSQL the one statement that finds, measures,
// ranks, counts and pages (postgresNear); then, on both, the page's services (page, the IDs
// the server's answer listed) with their six lists. The postcode and the terms, looked up
// first, are left out: they are small beside these.
func searchFloor(ctx context.Context, r *rawDB, p *benchPlace, page []int64) (engineFloor, error) {
	var lat, lng float64
	if err := r.queryRow(ctx, "SELECT lat, lng FROM postcodes WHERE postcode = ?", []any{searchPostcode}, &lat, &lng); err != nil {
		return engineFloor{}, err
	}
	term := "_t" + strconv.FormatInt(p.needTermID, 10)
	if r.dialect == "sqlite" {
		match := `("` + searchWord + `") AND (("` + term + `") AND "_ka")`
		candidates := floorStatement{query: "SELECT group_concat(rowid) FROM search_fts WHERE search_fts MATCH ?", args: []any{match}}
		var list sql.NullString
		if err := r.queryRow(ctx, candidates.query, candidates.args, &list); err != nil {
			return engineFloor{}, err
		}
		// The blocks (256 services each) that hold candidates, by number, when there are
		// at most 64 of them; otherwise every block of the place.
		var blocks []any
		for s := range strings.SplitSeq(list.String, ",") {
			if id, err := strconv.ParseInt(s, 10, 64); err == nil {
				if b := id >> 8; !slices.Contains(blocks, any(b)) {
					blocks = append(blocks, b)
				}
			}
		}
		blockRead := floorStatement{query: "SELECT data FROM search_blocks WHERE place_id = ? ORDER BY block", args: []any{p.placeID}}
		if len(blocks) > 0 && len(blocks) <= 64 {
			blockRead = floorStatement{query: "SELECT data FROM search_blocks WHERE place_id = ? AND block IN (?" +
				strings.Repeat(", ?", len(blocks)-1) + ") ORDER BY block", args: append([]any{p.placeID}, blocks...)}
		}
		named := floorStatement{query: candidates.query, args: []any{`{name} : ("` + searchWord + `")`}}
		return engineFloor{what: "the full-text candidates, their blocks of points, the services named for the word, and the page's services with their lists",
			reads: append([]floorStatement{candidates, blockRead, named}, serviceStatements(page)...)}, nil
	}
	la, ln := lat*math.Pi/180, lng*math.Pi/180
	ox, oy, oz := math.Cos(la)*math.Cos(ln), math.Cos(la)*math.Sin(ln), math.Sin(la)
	point := func(x, y, z string) string { return x + " * o.ox + " + y + " * o.oy + " + z + " * o.oz" }
	near := "GREATEST(" + point("r.x1", "r.y1", "r.z1") + ", " + point("r.x2", "r.y2", "r.z2") + ", " + point("r.x3", "r.y3", "r.z3") +
		", CASE WHEN r.more_points THEN (SELECT max(" + point("sp.x", "sp.y", "sp.z") +
		") FROM search_points sp WHERE sp.service_id = r.service_id) END)"
	inner := "SELECT r.service_id AS id, CASE WHEN r.name_stems @@ w.q THEN 3 WHEN r.tier_stems @@ w.q THEN 2 ELSE 1 END AS tier, " +
		near + " AS near FROM search_rows r CROSS JOIN (SELECT plainto_tsquery('english', ?) AS q) w" +
		" CROSS JOIN (SELECT ?::double precision AS ox, ?::double precision AS oy, ?::double precision AS oz) o" +
		" WHERE r.document @@ (w.q && ?::tsquery) OFFSET 0"
	facets := "'_p" + strconv.FormatInt(p.placeID, 10) + "' & ('" + term + "') & '_ka'"
	return engineFloor{what: "the search statement (find, measure, rank, count and page), and the page's services with their lists",
		reads: append([]floorStatement{{query: "SELECT id, tier, near, COUNT(*) OVER () FROM (" + inner + ") m WHERE near >= ?" +
			" ORDER BY tier DESC, near DESC, id LIMIT ? OFFSET ?",
			args:         []any{searchWord, ox, oy, oz, facets, math.Cos(searchRadiusKm / 6371.0088), searchPageSize, 0},
			planEachTime: true}}, serviceStatements(page)...)}, nil
}

// serviceStatements read a page of services with their lists: terms, areas, schedules,
// locations, contacts and connector schemes (sqldb/service.go, loadServiceLists).
func serviceStatements(ids []int64) []floorStatement {
	if len(ids) == 0 {
		return nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	in := placeholders(len(ids))
	var out []floorStatement
	for _, q := range []string{
		"SELECT " + serviceColumns + " FROM services s JOIN organisations o ON o.id = s.organisation_id WHERE s.id IN " + in,
		`SELECT st.service_id, tt.id, tt.uuid, tt.taxonomy_id, t.code, tt.code, tt.name, tt.description
		FROM service_terms st JOIN taxonomy_terms tt ON tt.id = st.term_id JOIN taxonomies t ON t.id = tt.taxonomy_id
		WHERE st.service_id IN ` + in + ` ORDER BY st.service_id, t.id, tt.id`,
		"SELECT service_id, name FROM service_areas WHERE service_id IN " + in + " ORDER BY service_id, position",
		"SELECT service_id, freq, days, ordinal, opens, closes, description FROM schedules WHERE service_id IN " + in +
			" ORDER BY service_id, position",
		"SELECT service_id, id, uuid, name, address_1, address_2, town, postcode, lat, lng, lsoa FROM locations WHERE service_id IN " + in +
			" ORDER BY service_id, position",
		"SELECT service_id, name, title, email, phone FROM contacts WHERE service_id IN " + in + " ORDER BY service_id, position",
		`SELECT service_id, model, who_can_refer, how_to_refer, funding_source, staff_fte, caseload_limit, waiting_weeks,
		electronic_system, assessment_tools FROM connector_schemes WHERE service_id IN ` + in,
	} {
		out = append(out, floorStatement{query: q, args: args})
	}
	return out
}

// serviceColumns is sqldb/service.go's.
const serviceColumns = `s.id, s.uuid, s.place_id, s.organisation_id, o.name, s.kind, s.name, s.description, s.url, s.email, s.phone,
	s.status, s.min_age, s.max_age, s.eligibility, s.free, s.fees, s.accessibility, s.languages, s.last_verified_at, s.verified_by,
	s.created_at, s.updated_at`

// orukFloor is what a kept Open Referral UK answer reads: the directory's version, to know
// that the answer kept is still current (oruk/handler.go, sqldb/opendata.go).
func orukFloor() engineFloor {
	return engineFloor{what: "the directory version (answers are kept)",
		reads: []floorStatement{{query: "SELECT version FROM directory_version WHERE id = 1"}}}
}

// triageFloor is a scheme's triage queue (sqldb/referral_queue.go): the count, the page's
// IDs and the page's referrals.
func triageFloor(ctx context.Context, r *rawDB, p *benchPlace) (engineFloor, error) {
	ids := floorStatement{query: `SELECT id FROM referrals WHERE scheme_id = ? AND status = 'received'
		ORDER BY urgency_rank, received_at, id LIMIT ? OFFSET ?`, args: []any{p.triageSchemeID, 50, 0}}
	page, err := int64Column(ctx, r, ids)
	if err != nil {
		return engineFloor{}, err
	}
	return engineFloor{what: "the queue's count, the page's IDs and its referrals", reads: []floorStatement{
		{query: "SELECT COUNT(*) FROM referrals WHERE scheme_id = ? AND status = 'received'", args: []any{p.triageSchemeID}},
		ids,
		{query: "SELECT " + referralColumns + referralFrom + " WHERE r.id IN " + placeholders(len(page)), args: page},
	}}, nil
}

// referralColumns and referralFrom are sqldb/referral.go's.
const referralColumns = `r.id, r.uuid, r.place_id, r.reference, r.given_name, r.family_name, r.date_of_birth, r.nhs_number,
	r.address_1, r.address_2, r.town, r.postcode, r.phone, r.email, r.contact_preferences, r.language, r.interpreter,
	r.access_needs, r.gp_practice, r.reason, r.risk, r.urgency, r.referrer_type, r.referrer_user_id, r.referrer_organisation_id,
	ro.name, r.referrer_name, r.referrer_role, r.referrer_phone, r.referrer_email, r.consent_to_referral, r.consent_method,
	r.consent_recorded_by, r.consent_recorded_at, r.scheme_id, s.name, s.organisation_id, r.routed_by, r.status,
	r.worker_user_id, w.name, r.decline_reason, r.outcome, r.version, r.received_at, r.updated_at, r.waiting_since`

const referralFrom = ` FROM referrals r JOIN services s ON s.id = r.scheme_id
	LEFT JOIN organisations ro ON ro.id = r.referrer_organisation_id LEFT JOIN users w ON w.id = r.worker_user_id`

// caseloadFloor is a link worker's caseload page (sqldb/caseload.go): the summary counts and
// the first page of 100 people, soonest next action first.
func caseloadFloor(ctx context.Context, r *rawDB, p *benchPlace) (engineFloor, error) {
	var workerID int64
	if err := r.queryRow(ctx, "SELECT id FROM users WHERE email = ?", []any{p.caseloadEmail}, &workerID); err != nil {
		return engineFloor{}, err
	}
	orgs, err := int64Column(ctx, r, floorStatement{query: "SELECT organisation_id FROM memberships WHERE user_id = ? ORDER BY organisation_id",
		args: []any{workerID}})
	if err != nil {
		return engineFloor{}, err
	}
	where := " WHERE p.place_id = ? AND p.organisation_id IN " + placeholders(len(orgs)) + " AND p.worker_user_id = ? AND p.status IN (?, ?)"
	args := append(append([]any{p.placeID}, orgs...), workerID, "waiting", "active")
	now := time.Now().UTC()
	day := now.Format(time.DateOnly)
	awaitingSince := now.Add(-14 * 24 * time.Hour) // linkwork.OnwardPromptAfter
	return engineFloor{what: "the summary counts and the page of 100 people", reads: []floorStatement{
		{query: `SELECT COUNT(*),
		COALESCE(SUM(CASE WHEN p.status = 'active' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN p.status = 'waiting' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN p.status IN ('waiting', 'active') AND p.follow_up_on < ? THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN p.status IN ('waiting', 'active') AND EXISTS (SELECT 1 FROM onward_referrals o
			WHERE o.person_id = p.id AND o.status = 'sent' AND o.sent_at <= ?) THEN 1 ELSE 0 END), 0)
		FROM persons p` + where, args: append([]any{day, awaitingSince}, args...)},
		{query: "SELECT " + personColumns + personFrom + where + ` ORDER BY CASE WHEN p.next_action_on IS NULL THEN 1 ELSE 0 END,
		p.next_action_on, lower(p.family_name), lower(p.given_name), p.id LIMIT ? OFFSET ?`, args: append(slices.Clone(args), 100, 0)},
	}}, nil
}

// personColumns and personFrom are sqldb/person.go's.
const personColumns = `p.id, p.uuid, p.place_id, p.organisation_id, o.name, p.referral_id, r.reference, p.given_name,
	p.family_name, p.preferred_name, p.date_of_birth, p.nhs_number, p.address_1, p.address_2, p.town, p.postcode, p.phone,
	p.email, p.contact_preferences, p.language, p.interpreter, p.access_needs, p.gp_practice, p.sex, p.gender_same_as_sex,
	p.gender, p.ethnicity, p.disability, p.carer, p.first_language, p.lsoa, p.imd_decile, p.worker_user_id, w.name,
	p.status, p.opened_on, p.last_contact_on, p.follow_up_on, p.next_step_due, p.next_step, p.outcome, p.closing_note,
	p.closed_at, p.erased_at, p.version, p.created_at, p.updated_at`

const personFrom = ` FROM persons p JOIN organisations o ON o.id = p.organisation_id
	LEFT JOIN users w ON w.id = p.worker_user_id LEFT JOIN referrals r ON r.id = p.referral_id`

// dashboardFloor is a measures dashboard's facts (sqldb/measure.go, DashboardFacts): the
// period's facts, the link workers' starts summed over it and the years before summed by key;
// and for the place, every scheme's referrals (SchemeReferrals).
func dashboardFloor(p *benchPlace, schemeID int64) engineFloor {
	kind, key := "place", ""
	if schemeID != 0 {
		kind, key = "scheme", strconv.FormatInt(schemeID, 10)
	}
	facts := floorStatement{query: `SELECT month, fact, key, n, total FROM measure_facts
		WHERE place_id = ? AND scope_kind = ? AND scope_key = ? AND month >= ? AND month <= ?
		AND NOT (fact IN ('support_starts', 'support_ends') AND key >= 'worker:' AND key < 'worker;')
		UNION ALL
		SELECT CAST(? AS TEXT), fact, key, SUM(n), SUM(total) FROM measure_facts
		WHERE place_id = ? AND scope_kind = ? AND scope_key = ? AND month >= ? AND month <= ?
		AND fact = 'support_starts' AND key >= 'worker:' AND key < 'worker;'
		GROUP BY fact, key
		UNION ALL
		SELECT '0000-01', fact, key, SUM(n), SUM(total) FROM measure_facts
		WHERE place_id = ? AND scope_kind = ? AND scope_key = ? AND month < ? AND fact IN ('support_starts', 'support_ends')
		GROUP BY fact, key`,
		args: []any{p.placeID, kind, key, p.fromMonth, p.toMonth,
			p.fromMonth, p.placeID, kind, key, p.fromMonth, p.toMonth,
			p.placeID, kind, key, p.fromMonth}}
	if schemeID != 0 {
		return engineFloor{what: "the scheme's facts", reads: []floorStatement{facts}}
	}
	return engineFloor{what: "the place's facts and every scheme's referrals", reads: []floorStatement{facts,
		{query: `SELECT scope_key, SUM(n), SUM(total) FROM measure_facts
		WHERE place_id = ? AND scope_kind = 'scheme' AND fact = 'referrals' AND key = 'all' AND month >= ? AND month <= ?
		GROUP BY scope_key ORDER BY scope_key`, args: []any{p.placeID, p.fromMonth, p.toMonth}}}}
}

// referralFloor is creating a referral (sqldb/referral.go, CreateReferral): in one
// transaction, the check for possible duplicates, the referral, its needs and the first event
// of its history. Routing, the scheme's checks, the audit entry and the notifications are left
// out.
func referralFloor(p *benchPlace) engineFloor {
	const open = "('received', 'accepted', 'waiting', 'allocated', 'in_progress')"
	started, n := time.Now().UnixNano(), 0
	return engineFloor{what: "the duplicate check and the referral's four inserts, committed",
		write: func(ctx context.Context, r *rawDB, tx *sql.Tx) error {
			n++
			nhs := fmt.Sprintf("888%07d", n)
			name, dob, postcode := fmt.Sprintf("floor%d\x1fbench", n), "1950-01-01", "HX1 1AA"
			rows, err := tx.QueryContext(ctx, r.rebind(`SELECT id FROM referrals WHERE place_id = ? AND name_key = ? AND date_of_birth = ?
				AND postcode = ? AND status IN `+open+` UNION SELECT id FROM referrals WHERE place_id = ? AND nhs_number = ?
				AND status IN `+open+` ORDER BY 1`), p.placeID, name, dob, postcode, p.placeID, nhs)
			if err != nil {
				return err
			}
			for rows.Next() {
			}
			rows.Close()
			now := time.Now().UTC().Truncate(time.Microsecond)
			var id int64
			err = tx.QueryRowContext(ctx, r.rebind(`INSERT INTO referrals (uuid, place_id, reference, given_name, family_name, name_key,
				date_of_birth, nhs_number, address_1, address_2, town, postcode, phone, email, contact_preferences, language, interpreter,
				access_needs, gp_practice, reason, risk, urgency, urgency_rank, referrer_type, referrer_user_id, referrer_organisation_id,
				referrer_name, referrer_role, referrer_phone, referrer_email, consent_to_referral, consent_method, consent_recorded_by,
				consent_recorded_at, scheme_id, routed_by, status, worker_user_id, decline_reason, outcome, version, received_at,
				updated_at, waiting_since)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL,
				'', '', ?, ?, ?, NULL) RETURNING id`),
				fmt.Sprintf("00000000-0000-4000-8000-%012x", started%1e12+int64(n)), p.placeID, fmt.Sprintf("R-FLOOR-%d-%d", started, n),
				"Floor", "Bench", name, dob, nhs, "1 Park Road", "", "Halifax", postcode, "07700 900000", "", "phone", "", false, "",
				"", "Feeling isolated since retiring.", "", "routine", 2, "gp_practice", nil, nil, "", "GP", "", "", true, "verbal",
				"", now, p.dashboardSchemeID, "linkwork", "received", 1, now, now).Scan(&id)
			if err != nil {
				return fmt.Errorf("inserting a referral: %w", err)
			}
			for i, t := range p.referralNeedIDs {
				if _, err := tx.ExecContext(ctx, r.rebind("INSERT INTO referral_terms (referral_id, term_id, position) VALUES (?, ?, ?)"), id, t, i); err != nil {
					return err
				}
			}
			_, err = tx.ExecContext(ctx, r.rebind(`INSERT INTO referral_events (referral_id, scheme_id, at, action, from_status, to_status,
				actor_user_id, actor_name, from_scheme_id, to_scheme_id, worker_user_id, reason, note)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
				id, p.dashboardSchemeID, now, "receive", "", "received", nil, "Bench", nil, p.dashboardSchemeID, nil, "", "")
			return err
		}}
}

// int64Column runs a query for one integer column.
func int64Column(ctx context.Context, r *rawDB, st floorStatement) ([]any, error) {
	rows, err := r.QueryContext(ctx, r.rebind(st.query), st.args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", oneLine(st.query), err)
	}
	defer rows.Close()
	var out []any
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no rows", oneLine(st.query))
	}
	return out, rows.Err()
}

// placeholders is "(?, ?, …)" for n values.
func placeholders(n int) string { return "(?" + strings.Repeat(", ?", n-1) + ")" }
