package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"linkwork"
)

// The aggregation: a place's facts (measure_facts.go) remade from its records by one
// INSERT … SELECT a fact, set-based so that a national place of a million people is counted
// by the database rather than row by row in Go. Each statement gathers the records a fact
// counts as rows of (month, key, scheme, organisation, LSOA, n, total) and sums them for
// each scope kind the fact is kept for: the place, and each scheme, organisation and
// neighbourhood the rows name ('' where a record has none, which counts for the place and
// not for that kind of scope). linkwork.MeasureFactsFromRecords
// is the same counting in Go; a test holds the two equal on both databases.
//
// Dates the store keeps as 'YYYY-MM-DD' text are already London dates. Timestamps are UTC
// and are turned into London dates in SQL: PostgreSQL knows the zone; for SQLite the UK
// rule is written out (summer time from 01:00 UTC on the last Sunday of March to 01:00 UTC
// on the last Sunday of October, as it has been since 1996).

// aggregateLockClass is the first key of the PostgreSQL advisory lock an aggregation holds
// on its place (the second is the place's ID), so that two aggregations of one place queue
// instead of failing on each other's rows. SQLite's writer lock already does that.
const aggregateLockClass = 724319

// Aggregate remakes a place's facts from its records and returns how many there are.
//
// The new facts are counted into a temporary table, compared with those kept, and only
// the difference is written: the facts gone or changed are deleted and the new or changed
// ones inserted, in one transaction that also records the count of changes the new facts
// were made at. A change to the records while the facts are counted leaves the place to be
// aggregated again. Writing only the difference keeps the write short (a minute's changes
// touch a few hundred of a place's hundreds of thousands of facts) and spares PostgreSQL
// the dead rows of rewriting them all.
//
// On PostgreSQL it is all one transaction: readers see the old facts until it commits, and
// writers are not held up. On SQLite, which has one writer at a time, the counting runs in
// a read transaction, which holds nobody up, and only the writing takes the write lock; if
// another aggregation of the place wrote its facts in between, the difference counted is
// stale and the facts are replaced whole instead.
func (s *MeasureService) Aggregate(ctx context.Context, placeID int64) (int, error) {
	db := s.db
	if db.dialect.name() == "postgres" {
		total := 0
		err := db.tx(ctx, func(c conn) error {
			if err := placeExists(ctx, c, placeID); err != nil {
				return err
			}
			if _, err := c.exec(ctx, "SELECT pg_advisory_xact_lock(?, ?)", int32(aggregateLockClass), int32(placeID)); err != nil {
				return err
			}
			// The statements group hundreds of thousands of rows: enough memory to do it
			// without spilling to disk, for this transaction only; and no JIT compiling,
			// which took longer than it saved.
			for _, set := range []string{"SET LOCAL work_mem = '64MB'", "SET LOCAL jit = off"} {
				if _, err := c.exec(ctx, set); err != nil {
					return err
				}
			}
			a, err := s.countFacts(ctx, c, placeID, " ON COMMIT DROP")
			if err != nil {
				return err
			}
			total = a.total
			return a.write(ctx, c, db.Now())
		})
		return total, err
	}

	sc, err := db.db.Conn(ctx)
	if err != nil {
		return 0, db.dialect.translate(err)
	}
	defer sc.Close()
	c := conn{q: sc, d: db.dialect}
	dropTemp := func() error {
		for _, t := range aggregateTables {
			if _, err := c.exec(context.WithoutCancel(ctx), "DROP TABLE IF EXISTS temp."+t); err != nil {
				return err
			}
		}
		return nil
	}
	if err := dropTemp(); err != nil {
		return 0, err
	}
	defer func() { _ = dropTemp() }()
	// Counting, in a read transaction (BEGIN, not BEGIN IMMEDIATE): one snapshot of the
	// records, taking no write lock; temporary tables are the connection's own.
	read, err := sc.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return 0, db.dialect.translate(err)
	}
	a, err := s.countFacts(ctx, conn{q: read, d: db.dialect}, placeID, "")
	if err != nil {
		_ = read.Rollback()
		return 0, err
	}
	if err := read.Commit(); err != nil {
		return 0, db.dialect.translate(err)
	}
	db.writeMu.Lock()
	defer db.writeMu.Unlock()
	write, err := sc.BeginTx(ctx, nil)
	if err != nil {
		return 0, db.dialect.translate(err)
	}
	if err := a.write(ctx, conn{q: write, d: db.dialect}, db.Now()); err != nil {
		_ = write.Rollback()
		return 0, err
	}
	return a.total, db.dialect.translate(write.Commit())
}

// aggregateTables are an aggregation's temporary tables: the scopes of the place's case
// records and referrals, the new facts, the kept facts gone or changed, and the new facts to
// insert.
var aggregateTables = []string{"measure_people", "measure_referrals", "measure_facts_new", "measure_facts_gone", "measure_facts_put"}

// aggregation is a place's facts counted, not yet written.
type aggregation struct {
	placeID int64
	// seq is the count of changes the facts include; version the kept facts' version
	// that the difference was counted against.
	seq, version int64
	total        int
	// activityUpTo is the last month of the place's health service use data, "" if none.
	activityUpTo string
	// names and deciles are the place's neighbourhoods: name and IMD decile by LSOA.
	names   map[string]string
	deciles map[string]int
}

// countFacts counts a place's facts into measure_facts_new and the difference from the
// kept facts into measure_facts_gone and measure_facts_put. onCommit ends each CREATE TEMP
// TABLE.
func (s *MeasureService) countFacts(ctx context.Context, c conn, placeID int64, onCommit string) (*aggregation, error) {
	if err := placeExists(ctx, c, placeID); err != nil {
		return nil, err
	}
	a := &aggregation{placeID: placeID}
	// The count of changes first: the facts counted below include at least every change
	// counted up to here.
	err := c.queryRow(ctx, "SELECT change_seq, facts_version FROM measure_state WHERE place_id = ?", []any{placeID}, &a.seq, &a.version)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	q := factSQL{postgres: s.db.dialect.name() == "postgres"}
	for _, st := range q.scopeTables(onCommit) {
		if _, err := c.exec(ctx, st, factStatement{sql: st}.args(placeID)...); err != nil {
			return nil, err
		}
	}
	if q.postgres {
		if _, err := c.exec(ctx, "ANALYZE measure_people, measure_referrals"); err != nil {
			return nil, err
		}
	}
	var upTo sql.NullString
	if err := c.queryRow(ctx, "SELECT MAX(pa.month) FROM person_activity pa JOIN measure_people p ON p.id = pa.person_id",
		nil, &upTo); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	a.activityUpTo = upTo.String
	a.names = map[string]string{}
	if a.deciles, err = placeNeighbourhoods(ctx, c, placeID, a.names); err != nil {
		return nil, err
	}
	withoutRowID := " WITHOUT ROWID" // on SQLite the rows are kept in the primary key's order, as measure_facts's are
	if q.postgres {
		withoutRowID = ""
	}
	text := "TEXT NOT NULL"
	if q.postgres {
		text = `TEXT COLLATE "C" NOT NULL` // as measure_facts's
	}
	if _, err := c.exec(ctx, `CREATE TEMP TABLE measure_facts_new (scope_kind `+text+`, scope_key `+text+`, month `+text+`,
		fact `+text+`, key `+text+`, n BIGINT NOT NULL, total BIGINT NOT NULL,
		PRIMARY KEY (scope_kind, scope_key, month, fact, key))`+withoutRowID+onCommit); err != nil {
		return nil, err
	}
	for _, st := range factStatements(q.postgres) {
		res, err := c.exec(ctx, st.sql, st.args(placeID)...)
		if err != nil {
			return nil, fmt.Errorf("aggregating %s for place %d: %w", st.fact, placeID, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return nil, err
		}
		a.total += int(n)
	}
	if q.postgres {
		// The difference is two anti-joins of the place's facts, hundreds of thousands a side,
		// which hashing does in a second; the planner, misjudging how many rows match on all
		// seven columns, would walk both primary keys instead, several times slower.
		for _, set := range []string{"ANALYZE measure_facts_new", "SET LOCAL enable_mergejoin = off", "SET LOCAL enable_nestloop = off"} {
			if _, err := c.exec(ctx, set); err != nil {
				return nil, err
			}
		}
	}
	const same = `n.scope_kind = f.scope_kind AND n.scope_key = f.scope_key AND n.month = f.month AND n.fact = f.fact AND n.key = f.key
		AND n.n = f.n AND n.total = f.total`
	for _, stmt := range []string{
		`CREATE TEMP TABLE measure_facts_gone` + onCommit + ` AS SELECT f.scope_kind, f.scope_key, f.month, f.fact, f.key FROM measure_facts f
			WHERE f.place_id = ? AND NOT EXISTS (SELECT 1 FROM measure_facts_new n WHERE ` + same + `)`,
		`CREATE TEMP TABLE measure_facts_put` + onCommit + ` AS SELECT n.scope_kind, n.scope_key, n.month, n.fact, n.key, n.n, n.total
			FROM measure_facts_new n WHERE NOT EXISTS (SELECT 1 FROM measure_facts f WHERE f.place_id = ? AND ` + same + `)`,
	} {
		if _, err := c.exec(ctx, stmt, placeID); err != nil {
			return nil, err
		}
	}
	if q.postgres {
		// Writing the difference looks up a few rows, as nested loops do best.
		for _, reset := range []string{"RESET enable_mergejoin", "RESET enable_nestloop"} {
			if _, err := c.exec(ctx, reset); err != nil {
				return nil, err
			}
		}
	}
	return a, nil
}

// write writes the difference counted, or all the new facts if the kept ones changed
// since it was counted, and records the count of changes the facts were made at.
func (a *aggregation) write(ctx context.Context, c conn, now time.Time) error {
	var version int64
	err := c.queryRow(ctx, "SELECT facts_version FROM measure_state WHERE place_id = ?", []any{a.placeID}, &version)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	steps := []string{
		`DELETE FROM measure_facts WHERE place_id = ? AND (scope_kind, scope_key, month, fact, key) IN
			(SELECT scope_kind, scope_key, month, fact, key FROM measure_facts_gone)`,
		`INSERT INTO measure_facts (place_id, scope_kind, scope_key, month, fact, key, n, total)
			SELECT ?, scope_kind, scope_key, month, fact, key, n, total FROM measure_facts_put`,
	}
	if version != a.version {
		steps = []string{`DELETE FROM measure_facts WHERE place_id = ?`,
			`INSERT INTO measure_facts (place_id, scope_kind, scope_key, month, fact, key, n, total)
			SELECT ?, scope_kind, scope_key, month, fact, key, n, total FROM measure_facts_new`}
	}
	steps = append(steps, "DELETE FROM measure_neighbourhoods WHERE place_id = ?")
	for _, q := range steps {
		if _, err := c.exec(ctx, q, a.placeID); err != nil {
			return err
		}
	}
	var rows [][]any
	for _, lsoa := range slices.Sorted(maps.Keys(a.deciles)) {
		rows = append(rows, []any{a.placeID, lsoa, a.names[lsoa], a.deciles[lsoa]})
	}
	if err := insertRows(ctx, c, "INSERT INTO measure_neighbourhoods (place_id, lsoa, name, imd_decile) VALUES ", "(?, ?, ?, ?)", rows, ""); err != nil {
		return err
	}
	_, err = c.exec(ctx, `INSERT INTO measure_state (place_id, change_seq, aggregated_seq, facts_version, aggregated_at, activity_up_to)
		VALUES (?, ?, ?, 1, ?, ?)
		ON CONFLICT (place_id) DO UPDATE SET aggregated_seq = excluded.aggregated_seq, aggregated_at = excluded.aggregated_at,
			facts_version = measure_state.facts_version + 1, activity_up_to = excluded.activity_up_to`,
		a.placeID, a.seq, a.seq, now, a.activityUpTo)
	return err
}

// factStatement is the statement that makes one fact for a place.
type factStatement struct {
	fact string
	sql  string
}

// args are the statement's arguments: every placeholder is the place's ID.
func (st factStatement) args(placeID int64) []any {
	out := make([]any, strings.Count(st.sql, "?"))
	for i := range out {
		out[i] = placeID
	}
	return out
}

// factStatements are the statements of every fact, in the dialect.
func factStatements(postgres bool) []factStatement {
	q := factSQL{postgres: postgres}
	return []factStatement{
		q.referrals(),
		q.firstContact(),
		q.support(linkwork.FactSupportStarts, "opened_on"),
		q.support(linkwork.FactSupportEnds, "closed_on"),
		q.contacts(),
		q.waitingAllocated(),
		q.onward(),
		q.wellbeing(),
		q.healthUse(),
		q.volunteers(),
		q.newActivities(),
		q.newGroups(),
		q.spend(),
		q.local(),
	}
}

// factSQL writes the facts' SQL in a dialect.
type factSQL struct{ postgres bool }

// The scope kinds a fact is kept for: P place, S scheme, O organisation, N neighbourhood.
const (
	allScopes          = "PSON"
	organisationScopes = "PO"
)

// statement makes the INSERT of a fact from ctes, which must end with one named k of rows
// (month, key, scheme, org, lsoa, n, total), summed for each scope kind of scopes. Every
// table expression read more than once (k is read once a scope kind) is MATERIALIZED, made
// once: left to itself SQLite may instead work it out again for each reader. Facts with
// many records (contacts, case records) group them first, so that k is small.
func (q factSQL) statement(fact, scopes, ctes string) factStatement {
	var b strings.Builder
	b.WriteString("WITH " + ctes + `
	INSERT INTO measure_facts_new (scope_kind, scope_key, month, fact, key, n, total)`)
	for i, kind := range scopes {
		if i > 0 {
			b.WriteString("\n\tUNION ALL")
		}
		var scope, col string
		switch kind {
		case 'P':
			scope, col = string(linkwork.ScopePlace), "''"
		case 'S':
			scope, col = string(linkwork.ScopeScheme), "scheme"
		case 'O':
			scope, col = string(linkwork.ScopeOrganisation), "org"
		case 'N':
			scope, col = string(linkwork.ScopeNeighbourhood), "lsoa"
		}
		groupBy, where := "month, key", ""
		if col != "''" {
			groupBy, where = col+", month, key", " WHERE "+col+" <> ''"
		}
		fmt.Fprintf(&b, "\n\tSELECT '%s', %s, month, '%s', key, SUM(n), SUM(total) FROM k%s GROUP BY %s HAVING SUM(n) <> 0 OR SUM(total) <> 0",
			scope, col, fact, where, groupBy)
	}
	return factStatement{fact: fact, sql: b.String()}
}

// londonDay is the date ('YYYY-MM-DD') in Europe/London of a UTC timestamp column.
func (q factSQL) londonDay(col string) string {
	if q.postgres {
		return "to_char(" + col + " AT TIME ZONE 'Europe/London', 'YYYY-MM-DD')"
	}
	utc := "substr(" + col + ", 1, 19)"
	year := "substr(" + col + ", 1, 4)"
	return "CASE WHEN " + utc + " >= date(" + year + " || '-03-31', '-6 days', 'weekday 0') || ' 01:00:00' AND " +
		utc + " < date(" + year + " || '-10-31', '-6 days', 'weekday 0') || ' 01:00:00' THEN date(" + utc + ", '+1 hour') ELSE substr(" + col + ", 1, 10) END"
}

// cappedDays is the whole days from one date ('YYYY-MM-DD') to another, at most
// FactDaysCap, as text: a fact's key.
func (q factSQL) cappedDays(from, to string) string {
	days := "CAST(julianday(" + to + ") - julianday(" + from + ") AS INTEGER)"
	if q.postgres {
		days = "(CAST(" + to + " AS date) - CAST(" + from + " AS date))"
	}
	return "CAST(CASE WHEN " + days + " > " + strconv.Itoa(linkwork.FactDaysCap) + " THEN " + strconv.Itoa(linkwork.FactDaysCap) +
		" ELSE " + days + " END AS TEXT)"
}

// monthIndex numbers the month of a 'YYYY-MM…' text column: consecutive months differ by one.
func monthIndex(col string) string {
	return "(CAST(substr(" + col + ", 1, 4) AS INTEGER) * 12 + CAST(substr(" + col + ", 6, 2) AS INTEGER))"
}

// scopeTables make the temporary tables of the scopes of the place's case records and
// referrals, which most facts count by, so that each fact reads them from a small table
// instead of joining the wide persons and referrals rows (and the postcode lookup) again:
//
//	measure_people    each case record's scheme (of the referral it was opened from), its
//	                  organisation, and the LSOA of the person's postcode
//	measure_referrals each referral's source, London date received, the scheme it is with,
//	                  the organisation running that, and the LSOA of the person's postcode
func (q factSQL) scopeTables(onCommit string) []string {
	id := "INTEGER PRIMARY KEY" // SQLite's rowid
	if q.postgres {
		id = "BIGINT PRIMARY KEY"
	}
	return []string{
		`CREATE TEMP TABLE measure_people (id ` + id + `, scheme TEXT NOT NULL, org TEXT NOT NULL, lsoa TEXT NOT NULL)` + onCommit,
		`INSERT INTO measure_people (id, scheme, org, lsoa)
			SELECT p.id, COALESCE(CAST(r.scheme_id AS TEXT), ''), CAST(p.organisation_id AS TEXT), p.lsoa
			FROM persons p LEFT JOIN referrals r ON r.id = p.referral_id WHERE p.place_id = ?`,
		`CREATE TEMP TABLE measure_referrals (id ` + id + `, referrer_type TEXT NOT NULL, received_on TEXT NOT NULL,
			scheme TEXT NOT NULL, org TEXT NOT NULL, lsoa TEXT NOT NULL)` + onCommit,
		`INSERT INTO measure_referrals (id, referrer_type, received_on, scheme, org, lsoa)
			SELECT r.id, r.referrer_type, ` + q.londonDay("r.received_at") + `, CAST(r.scheme_id AS TEXT),
				COALESCE(CAST(sv.organisation_id AS TEXT), ''), COALESCE(pc.lsoa, '')
			FROM referrals r LEFT JOIN services sv ON sv.id = r.scheme_id LEFT JOIN postcodes pc ON pc.postcode = r.postcode
			WHERE r.place_id = ?`,
	}
}

func (q factSQL) referrals() factStatement {
	return q.statement(linkwork.FactReferrals, allScopes, `k AS MATERIALIZED (SELECT substr(received_on, 1, 7) AS month, 'all' AS key, scheme, org, lsoa, 1 AS n, 0 AS total
			FROM measure_referrals
		UNION ALL SELECT substr(received_on, 1, 7), 'source:' || referrer_type, scheme, org, lsoa, 1, 0 FROM measure_referrals
		UNION ALL SELECT substr(rs.received_on, 1, 7), 'need:' || tt.code, rs.scheme, rs.org, rs.lsoa, 1, 0
			FROM measure_referrals rs JOIN referral_terms rt ON rt.referral_id = rs.id JOIN taxonomy_terms tt ON tt.id = rt.term_id
			JOIN taxonomies tx ON tx.id = tt.taxonomy_id WHERE tx.code = '`+linkwork.TaxonomyNeed+`')`)
}

// firstContact counts each referral's first contact: the earliest contact of the case
// opened from it on or after the day it was received (a case reopened for a new referral
// keeps the contacts of its earlier support, which are not this referral's).
func (q factSQL) firstContact() factStatement {
	return q.statement(linkwork.FactFirstContact, allScopes, `fc AS (SELECT rs.received_on, rs.scheme, rs.org, rs.lsoa, MIN(ct.on_date) AS first_on
		FROM measure_referrals rs JOIN persons p ON p.referral_id = rs.id JOIN case_contacts ct ON ct.person_id = p.id
		WHERE ct.on_date >= rs.received_on GROUP BY rs.id, rs.received_on, rs.scheme, rs.org, rs.lsoa),
	k AS MATERIALIZED (SELECT substr(first_on, 1, 7) AS month, `+q.cappedDays("received_on", "first_on")+` AS key, scheme, org, lsoa, 1 AS n, 0 AS total FROM fc)`)
}

// ageBand is the band (linkwork.AgeBands) of an age column, 'unknown' when negative.
func ageBand(age string) string {
	bands := linkwork.AgeBands
	var b strings.Builder
	b.WriteString("CASE WHEN " + age + " < 0 THEN 'unknown' WHEN " + age + " < 18 THEN '" + bands[0] + "' WHEN " + age + " < 25 THEN '" + bands[1] + "'")
	for i := 2; i < len(bands)-1; i++ {
		fmt.Fprintf(&b, " WHEN %s < %d THEN '%s'", age, 25+10*(i-1), bands[i])
	}
	b.WriteString(" ELSE '" + bands[len(bands)-1] + "' END")
	return b.String()
}

// support counts case records by the date in column day of cases: opened_on for starts,
// closed_on (the London date of closed_at) for ends. A record's age band is of its age
// when it was opened; an erased record keeps only the band.
func (q factSQL) support(fact, day string) factStatement {
	age := `CAST(substr(p.opened_on, 1, 4) AS INTEGER) - CAST(substr(p.date_of_birth, 1, 4) AS INTEGER) -
			CASE WHEN substr(p.opened_on, 6, 5) < substr(p.date_of_birth, 6, 5) THEN 1 ELSE 0 END`
	return q.statement(fact, allScopes, `cases AS (SELECT p.opened_on, `+q.londonDay("p.closed_at")+` AS closed_on,
			COALESCE(CAST(r.scheme_id AS TEXT), '') AS scheme, CAST(p.organisation_id AS TEXT) AS org, p.lsoa,
			p.imd_decile, p.ethnicity, p.sex, p.age_band, p.date_of_birth, CASE WHEN p.date_of_birth = '' THEN -1 ELSE `+age+` END AS age,
			COALESCE(p.worker_user_id, 0) AS worker
		FROM persons p LEFT JOIN referrals r ON r.id = p.referral_id WHERE p.place_id = ?),
	base AS MATERIALIZED (SELECT month, scheme, org, lsoa, imd, ethnicity, age, sex, worker, COUNT(*) AS n FROM (
			SELECT substr(`+day+`, 1, 7) AS month, scheme, org, lsoa, 'imd:' || CAST(imd_decile AS TEXT) AS imd,
				'ethnicity:' || CASE WHEN ethnicity = '' THEN 'unknown' ELSE ethnicity END AS ethnicity,
				'age:' || CASE WHEN date_of_birth = '' THEN CASE WHEN age_band = '' THEN 'unknown' ELSE age_band END ELSE `+ageBand("age")+` END AS age,
				'sex:' || CASE WHEN sex = '' THEN 'unknown' ELSE sex END AS sex, 'worker:' || CAST(worker AS TEXT) AS worker
			FROM cases WHERE `+day+` IS NOT NULL) c
		GROUP BY month, scheme, org, lsoa, imd, ethnicity, age, sex, worker),
	k AS MATERIALIZED (SELECT month, 'all' AS key, scheme, org, lsoa, n, 0 AS total FROM base
		UNION ALL SELECT month, imd, scheme, org, lsoa, n, 0 FROM base
		UNION ALL SELECT month, ethnicity, scheme, org, lsoa, n, 0 FROM base
		UNION ALL SELECT month, age, scheme, org, lsoa, n, 0 FROM base
		UNION ALL SELECT month, sex, scheme, org, lsoa, n, 0 FROM base
		UNION ALL SELECT month, worker, scheme, org, lsoa, n, 0 FROM base)`)
}

func (q factSQL) contacts() factStatement {
	return q.statement(linkwork.FactContacts, allScopes, `base AS MATERIALIZED (SELECT substr(ct.on_date, 1, 7) AS month, ct.mode, ps.scheme, ps.org, ps.lsoa,
			COUNT(*) AS n, SUM(ct.minutes) AS total
		FROM case_contacts ct JOIN measure_people ps ON ps.id = ct.person_id GROUP BY substr(ct.on_date, 1, 7), ct.mode, ps.scheme, ps.org, ps.lsoa),
	k AS MATERIALIZED (SELECT month, 'all' AS key, scheme, org, lsoa, n, total FROM base
		UNION ALL SELECT month, 'mode:' || mode, scheme, org, lsoa, n, total FROM base)`)
}

// waitingAllocated counts referrals by their first allocation, with the wait from their
// first acceptance (the first of each kind of event, by the order they were recorded).
func (q factSQL) waitingAllocated() factStatement {
	return q.statement(linkwork.FactWaitingAllocated, allScopes, `ev AS (SELECT e.referral_id, MIN(CASE WHEN e.action = 'accept' THEN e.id END) AS accepted,
			MIN(CASE WHEN e.action = 'allocate' THEN e.id END) AS allocated
		FROM referral_events e JOIN measure_referrals r ON r.id = e.referral_id
		WHERE e.action IN ('accept', 'allocate') GROUP BY e.referral_id),
	w AS (SELECT `+q.londonDay("a.at")+` AS from_on, `+q.londonDay("b.at")+` AS to_on, rs.scheme, rs.org, rs.lsoa
		FROM ev JOIN referral_events a ON a.id = ev.accepted JOIN referral_events b ON b.id = ev.allocated
			JOIN measure_referrals rs ON rs.id = ev.referral_id),
	k AS MATERIALIZED (SELECT substr(to_on, 1, 7) AS month, `+q.cappedDays("from_on", "to_on")+` AS key, scheme, org, lsoa, 1 AS n, 0 AS total FROM w)`)
}

func (q factSQL) onward() factStatement {
	return q.statement(linkwork.FactOnward, allScopes, `base AS MATERIALIZED (SELECT month, status, scheme, org, lsoa, COUNT(*) AS n FROM (
			SELECT substr(`+q.londonDay("o.sent_at")+`, 1, 7) AS month, o.status, ps.scheme, ps.org, ps.lsoa
			FROM onward_referrals o JOIN measure_people ps ON ps.id = o.person_id) o
		GROUP BY month, status, scheme, org, lsoa),
	k AS MATERIALIZED (SELECT month, 'all' AS key, scheme, org, lsoa, n, 0 AS total FROM base
		UNION ALL SELECT month, 'status:' || status, scheme, org, lsoa, n, 0 FROM base)`)
}

// ons4ItemKeys are the keys of ONS4's items in the score, in the order of the facts' item1
// to item4 (questionnaire_builtin.go); ons4LowerIsBetter is the one where a fall is better.
var ons4ItemKeys = []string{"life_satisfaction", "worthwhile", "happiness", "anxiety"}

const ons4LowerIsBetter = "anxiety"

// scoreCents is a score's total in whole hundredths; itemCents an ONS4 item's value in
// hundredths, found by its key; both from a JSON column (jsonb on PostgreSQL).
func (q factSQL) scoreCents(col string) string {
	if q.postgres {
		return "CAST(round(CAST(" + col + " ->> 'total' AS numeric) * 100) AS BIGINT)"
	}
	return "CAST(round(json_extract(" + col + ", '$.total') * 100) AS INTEGER)"
}

func (q factSQL) itemCents(col, key string) string {
	var b strings.Builder
	b.WriteString("CASE")
	for i := range ons4ItemKeys {
		k, v := fmt.Sprintf("json_extract(%s, '$.items[%d].key')", col, i), fmt.Sprintf("json_extract(%s, '$.items[%d].value')", col, i)
		if q.postgres {
			k, v = fmt.Sprintf("(%s #>> '{items,%d,key}')", col, i), fmt.Sprintf("CAST(%s #>> '{items,%d,value}' AS numeric)", col, i)
		}
		fmt.Fprintf(&b, " WHEN %s = '%s' THEN CAST(round(%s * 100) AS BIGINT)", k, key, v)
	}
	b.WriteString(" END")
	return b.String()
}

// wellbeing counts each person's change in each built-in questionnaire as ScoreChanges
// compares it: complete responses in order of the day completed, then when recorded, then
// ID; the baseline the first at the baseline timepoint, else the first; the latest the
// last other than the baseline. The change is counted in the month of the latest.
func (q factSQL) wellbeing() factStatement {
	// Each score is parsed once, into the database's binary JSON, and then read many times.
	json := func(col string) string {
		if q.postgres {
			return "CAST(" + col + " AS jsonb)"
		}
		return "jsonb(" + col + ")"
	}
	var changes strings.Builder
	changes.WriteString(`SELECT person_id, month, code, 'total' AS part, ` + q.scoreCents("ls") + ` - ` + q.scoreCents("bs") +
		` AS change, CASE WHEN code = '` + linkwork.QuestionnaireUCLA3 + `' THEN -1 ELSE 1 END AS better
			FROM scored WHERE code <> '` + linkwork.QuestionnaireONS4 + `'`)
	for i, key := range ons4ItemKeys {
		better := 1
		if key == ons4LowerIsBetter {
			better = -1
		}
		fmt.Fprintf(&changes, `
		UNION ALL SELECT person_id, month, code, 'item%d', %s - %s, %d FROM scored WHERE code = '%s'`,
			i+1, q.itemCents("ls", key), q.itemCents("bs", key), better, linkwork.QuestionnaireONS4)
	}
	var threshold strings.Builder
	threshold.WriteString("CASE code")
	for _, code := range []string{linkwork.QuestionnaireONS4, linkwork.QuestionnaireSWEMWBS, linkwork.QuestionnaireUCLA3} {
		fmt.Fprintf(&threshold, " WHEN '%s' THEN %d", code, int64(linkwork.MeaningfulChange[code]*100))
	}
	threshold.WriteString(" END")
	// One pass in order over each person's responses to a questionnaire numbers them and
	// looks two ahead: the last is the one with none after it, the one before it has one.
	// The first at the baseline timepoint is found by its position and ID in one number.
	const k = "1000000000000" // more than any ID
	return q.statement(linkwork.FactWellbeing, allScopes, `ranked AS (SELECT q.id, q.person_id, q.questionnaire_code AS code, q.timepoint,
			ROW_NUMBER() OVER w AS pos, LEAD(q.id, 1) OVER w AS next1, LEAD(q.id, 2) OVER w AS next2
		FROM questionnaire_responses q JOIN measure_people p ON p.id = q.person_id
		WHERE q.status = '`+string(linkwork.ResponseComplete)+`' AND q.score <> ''
			AND q.questionnaire_code IN ('`+linkwork.QuestionnaireONS4+`', '`+linkwork.QuestionnaireSWEMWBS+`', '`+linkwork.QuestionnaireUCLA3+`')
		WINDOW w AS (PARTITION BY q.person_id, q.questionnaire_code ORDER BY q.completed_on, q.created_at, q.id)),
	pick AS (SELECT person_id, code, MAX(pos) AS cnt,
			MIN(CASE WHEN timepoint = '`+string(linkwork.TimepointBaseline)+`' THEN pos * `+k+` + id END) AS first_baseline,
			MAX(CASE WHEN pos = 1 THEN id END) AS first, MAX(CASE WHEN next1 IS NULL THEN id END) AS last,
			MAX(CASE WHEN next1 IS NOT NULL AND next2 IS NULL THEN id END) AS before_last
		FROM ranked GROUP BY person_id, code HAVING MAX(pos) >= 2),
	scored AS MATERIALIZED (SELECT pick.person_id, pick.code, substr(ql.completed_on, 1, 7) AS month, `+json("qb.score")+` AS bs, `+json("ql.score")+` AS ls
		FROM pick JOIN questionnaire_responses qb ON qb.id = COALESCE(pick.first_baseline % `+k+`, pick.first)
		JOIN questionnaire_responses ql
			ON ql.id = CASE WHEN COALESCE(pick.first_baseline / `+k+`, 1) = pick.cnt THEN pick.before_last ELSE pick.last END),
	changes AS MATERIALIZED (SELECT person_id, month, code || ':' || part || ':' AS prefix, change, change * better AS better, `+threshold.String()+` AS threshold
		FROM (`+changes.String()+`) c WHERE change IS NOT NULL),
	k AS MATERIALIZED (SELECT c.month, c.prefix || 'pairs' AS key, ps.scheme, ps.org, ps.lsoa, 1 AS n, c.change AS total FROM changes c JOIN measure_people ps ON ps.id = c.person_id
		UNION ALL SELECT c.month, c.prefix || 'improved', ps.scheme, ps.org, ps.lsoa, 1, 0 FROM changes c JOIN measure_people ps ON ps.id = c.person_id
			WHERE c.better >= c.threshold
		UNION ALL SELECT c.month, c.prefix || 'worsened', ps.scheme, ps.org, ps.lsoa, 1, 0 FROM changes c JOIN measure_people ps ON ps.id = c.person_id
			WHERE -c.better >= c.threshold)`)
}

// healthUse counts people with an NHS number and activity data by the month of their first
// contact, when the place's data reaches six months past it, with their GP appointments and
// admissions in the six months before that month and the six after.
func (q factSQL) healthUse() factStatement {
	first := monthIndex("hp.first_on")
	sum := func(col string, after bool) string {
		lo, hi := first+" - 6", first+" - 1"
		if after {
			lo, hi = first+" + 1", first+" + 6"
		}
		return "SUM(CASE WHEN a.mi BETWEEN " + lo + " AND " + hi + " THEN a." + col + " ELSE 0 END)"
	}
	return q.statement(linkwork.FactHealthUse, allScopes, `act AS MATERIALIZED (SELECT pa.person_id, `+monthIndex("pa.month")+` AS mi, pa.gp_appointments, pa.admissions
		FROM person_activity pa JOIN measure_people p ON p.id = pa.person_id),
	hp AS (SELECT ct.person_id, MIN(ct.on_date) AS first_on FROM case_contacts ct JOIN persons p ON p.id = ct.person_id
		WHERE p.place_id = ? AND p.nhs_number <> '' AND EXISTS (SELECT 1 FROM person_activity pa WHERE pa.person_id = p.id)
		GROUP BY ct.person_id),
	hu AS MATERIALIZED (SELECT hp.person_id, substr(hp.first_on, 1, 7) AS month,
			`+sum("gp_appointments", false)+` AS gp_before, `+sum("gp_appointments", true)+` AS gp_after,
			`+sum("admissions", false)+` AS admissions_before, `+sum("admissions", true)+` AS admissions_after
		FROM hp JOIN act a ON a.person_id = hp.person_id
		WHERE `+first+` + 6 <= (SELECT MAX(mi) FROM act)
		GROUP BY hp.person_id, hp.first_on),
	k AS MATERIALIZED (SELECT hu.month, 'people' AS key, ps.scheme, ps.org, ps.lsoa, 1 AS n, 0 AS total FROM hu JOIN measure_people ps ON ps.id = hu.person_id
		UNION ALL SELECT hu.month, 'gp_before', ps.scheme, ps.org, ps.lsoa, 1, hu.gp_before FROM hu JOIN measure_people ps ON ps.id = hu.person_id
		UNION ALL SELECT hu.month, 'gp_after', ps.scheme, ps.org, ps.lsoa, 1, hu.gp_after FROM hu JOIN measure_people ps ON ps.id = hu.person_id
		UNION ALL SELECT hu.month, 'admissions_before', ps.scheme, ps.org, ps.lsoa, 1, hu.admissions_before FROM hu JOIN measure_people ps ON ps.id = hu.person_id
		UNION ALL SELECT hu.month, 'admissions_after', ps.scheme, ps.org, ps.lsoa, 1, hu.admissions_after FROM hu JOIN measure_people ps ON ps.id = hu.person_id)`)
}

func (q factSQL) volunteers() factStatement {
	return q.statement(linkwork.FactVolunteers, organisationScopes, `vm AS MATERIALIZED (SELECT substr(vm.month, 1, 7) AS month,
			CAST(vm.organisation_id AS TEXT) AS org, vm.volunteers, vm.hours
		FROM volunteer_months vm JOIN organisations o ON o.id = vm.organisation_id WHERE o.place_id = ?),
	k AS MATERIALIZED (SELECT month, 'volunteers' AS key, '' AS scheme, org, '' AS lsoa, 1 AS n, volunteers AS total FROM vm
		UNION ALL SELECT month, 'hours', '', org, '', 1, hours FROM vm)`)
}

func (q factSQL) newActivities() factStatement {
	return q.statement(linkwork.FactNewActivities, organisationScopes, `k AS MATERIALIZED (SELECT substr(started_on, 1, 7) AS month, 'all' AS key,
		'' AS scheme, CAST(organisation_id AS TEXT) AS org, '' AS lsoa, 1 AS n, 0 AS total FROM new_activities WHERE place_id = ?)`)
}

// newGroups counts the place's community organisations (VCSE and faith) by when they were
// added.
func (q factSQL) newGroups() factStatement {
	return q.statement(linkwork.FactNewGroups, organisationScopes, `k AS MATERIALIZED (SELECT substr(`+q.londonDay("created_at")+`, 1, 7) AS month,
		'all' AS key, '' AS scheme, CAST(id AS TEXT) AS org, '' AS lsoa, 1 AS n, 0 AS total
		FROM organisations WHERE place_id = ? AND sector IN ('`+string(linkwork.SectorVCSE)+`', '`+string(linkwork.SectorFaith)+`'))`)
}

// spend counts the ledger entries that are a spend's money going out or coming back (the
// pot's Spent, in PotBalance.Apply's terms): net pence is the entry's effect on Spent, and
// an entry whose net is positive is a payment.
func (q factSQL) spend() factStatement {
	return q.statement(linkwork.FactSpend, allScopes, `le AS MATERIALIZED (SELECT substr(`+q.londonDay("le.created_at")+`, 1, 7) AS month,
			s.need, s.neighbourhood_code AS lsoa, COALESCE(CAST(bp.service_id AS TEXT), '') AS scheme, CAST(bp.organisation_id AS TEXT) AS org,
			CASE WHEN le.funds_delta < 0 THEN 1 ELSE 0 END AS n, -le.funds_delta AS total
		FROM ledger_entries le JOIN spends s ON s.id = le.spend_id JOIN budget_pots bp ON bp.id = le.pot_id
		WHERE le.place_id = ? AND le.counts_as IN ('`+string(linkwork.EntrySpend)+`', '`+string(linkwork.EntryRefund)+`')),
	k AS MATERIALIZED (SELECT month, 'all' AS key, scheme, org, lsoa, n, total FROM le
		UNION ALL SELECT month, 'need:' || need, scheme, org, lsoa, n, total FROM le
		UNION ALL SELECT month, 'lsoa:' || CASE WHEN lsoa = '' THEN 'unknown' ELSE lsoa END, scheme, org, lsoa, n, total FROM le)`)
}

func (q factSQL) local() factStatement {
	return q.statement(linkwork.FactLocal, organisationScopes, `k AS MATERIALIZED (SELECT v.month AS month, '`+localMeasurePrefix+`' || CAST(v.measure_id AS TEXT) AS key,
		'' AS scheme, CAST(v.organisation_id AS TEXT) AS org, '' AS lsoa, 1 AS n, v.value AS total
		FROM local_measure_values v JOIN local_measures m ON m.id = v.measure_id WHERE m.place_id = ?)`)
}
