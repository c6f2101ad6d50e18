package main

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"linkwork"
	"linkwork/gen"
	"linkwork/sqldb"
)

// What the load test needs beside the generated data: a user for each page it asks for, the
// place's measures aggregated (as the measures job would, so that it does not run during the
// load), and the IDs the requests name.

// The users prepare adds, all with benchPassword. The caseload's link worker is the one
// `linkwork generate` makes for the caseload benchmark (gen.CaseloadEmail).
const (
	commissionerEmail = "bench-commissioner@generated.invalid" // dashboards, and the API search's token
	managerEmail      = "bench-manager@generated.invalid"      // the triage queue of the scheme with most referrals to triage
	referrerEmail     = "bench-referrer@generated.invalid"     // the API token that sends referrals
	benchPassword     = "bench-password-only"
)

// benchPlace is what the requests and the engine floors name, read from a data set.
type benchPlace struct {
	placeID       int64
	caseloadEmail string
	// needTermID is the need "physical activity", as the search target has it.
	needTermID int64
	// referralNeedIDs are two of the place's needs, for the referrals sent.
	referralNeedIDs []int64
	// triageSchemeID is the connector scheme with most referrals to triage; its organisation
	// is triageOrgID.
	triageSchemeID, triageOrgID int64
	// dashboardSchemeID is the connector scheme with most referrals.
	dashboardSchemeID int64
	// referrerOrgID is the organisation of the commissioner and the referrer.
	referrerOrgID int64
	// fromMonth and toMonth are the dashboards' twelve months: those before the month of the
	// latest referral ("2025-11" to "2026-10").
	fromMonth, toMonth string
}

// rawDB is a database handle with no linkwork code: for the lookups here and the engine
// floors.
type rawDB struct {
	*sql.DB
	dialect string
}

// openRaw opens a data set through database/sql alone, with the settings linkwork's store
// gives SQLite connections (sqldb's sqliteDSN), so that the engine floor has the same page
// cache and durability.
func openRaw(ds dataset) (*rawDB, error) {
	if ds.dialect == "sqlite" {
		path := strings.TrimPrefix(ds.url, "sqlite:")
		db, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)"+
			"&_pragma=synchronous(FULL)&_pragma=cache_size(-65536)&_txlock=immediate&_time_format=sqlite")
		return &rawDB{db, "sqlite"}, err
	}
	db, err := sql.Open("pgx", ds.url)
	return &rawDB{db, "postgres"}, err
}

// rebind turns ? placeholders into PostgreSQL's $1, $2, … (no statement here has a ? in a
// literal).
func (r *rawDB) rebind(q string) string {
	if r.dialect != "postgres" {
		return q
	}
	var b strings.Builder
	n := 0
	for _, c := range q {
		if c == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

func (r *rawDB) queryRow(ctx context.Context, q string, args []any, dest ...any) error {
	if err := r.QueryRowContext(ctx, r.rebind(q), args...).Scan(dest...); err != nil {
		return fmt.Errorf("%s: %w", strings.Join(strings.Fields(q), " "), err)
	}
	return nil
}

// readBenchPlace finds the generated place and what the requests name in it.
func readBenchPlace(ctx context.Context, r *rawDB) (*benchPlace, error) {
	p := &benchPlace{}
	// The caseload benchmark's link worker is the first of the generated ones: "caseload@",
	// or "caseload-<place>@" in a database that had one already.
	err := r.queryRow(ctx, `SELECT u.email, o.place_id FROM users u JOIN memberships m ON m.user_id = u.id
		JOIN organisations o ON o.id = m.organisation_id WHERE u.email = ? OR u.email LIKE 'caseload-%@generated.invalid' ORDER BY u.id LIMIT 1`,
		[]any{gen.CaseloadEmail}, &p.caseloadEmail, &p.placeID)
	if err != nil {
		return nil, fmt.Errorf("no generated caseload link worker (%s): was the data set made by linkwork generate with people? %w", gen.CaseloadEmail, err)
	}
	if err := r.queryRow(ctx, `SELECT tt.id FROM taxonomy_terms tt JOIN taxonomies t ON t.id = tt.taxonomy_id
		WHERE t.place_id = ? AND t.code = 'need' AND tt.code = 'physical_activity'`, []any{p.placeID}, &p.needTermID); err != nil {
		return nil, err
	}
	rows, err := r.QueryContext(ctx, r.rebind(`SELECT tt.id FROM taxonomy_terms tt JOIN taxonomies t ON t.id = tt.taxonomy_id
		WHERE t.place_id = ? AND t.code = 'need' AND tt.code IN ('loneliness', 'physical_activity') ORDER BY tt.id`), p.placeID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		p.referralNeedIDs = append(p.referralNeedIDs, id)
	}
	rows.Close()
	if len(p.referralNeedIDs) == 0 {
		p.referralNeedIDs = []int64{p.needTermID}
	}
	if err := r.queryRow(ctx, `SELECT scheme_id FROM referrals WHERE place_id = ? AND status = 'received'
		GROUP BY scheme_id ORDER BY COUNT(*) DESC, scheme_id LIMIT 1`, []any{p.placeID}, &p.triageSchemeID); err != nil {
		return nil, fmt.Errorf("no referrals to triage in the place: %w", err)
	}
	if err := r.queryRow(ctx, "SELECT organisation_id FROM services WHERE id = ?", []any{p.triageSchemeID}, &p.triageOrgID); err != nil {
		return nil, err
	}
	if err := r.queryRow(ctx, `SELECT scheme_id FROM referrals WHERE place_id = ?
		GROUP BY scheme_id ORDER BY COUNT(*) DESC, scheme_id LIMIT 1`, []any{p.placeID}, &p.dashboardSchemeID); err != nil {
		return nil, err
	}
	if err := r.queryRow(ctx, "SELECT MIN(id) FROM organisations WHERE place_id = ?", []any{p.placeID}, &p.referrerOrgID); err != nil {
		return nil, err
	}
	// As text, which both drivers give ("2026-11-20 09:30:00+00:00", "2026-11-20T09:30:00Z").
	var latest string
	if err := r.queryRow(ctx, "SELECT MAX(received_at) FROM referrals WHERE place_id = ?", []any{p.placeID}, &latest); err != nil {
		return nil, err
	}
	month, err := time.Parse("2006-01", latest[:min(7, len(latest))])
	if err != nil {
		return nil, fmt.Errorf("the latest referral's time %q: %w", latest, err)
	}
	to := month.AddDate(0, -1, 0)
	p.fromMonth, p.toMonth = to.AddDate(0, -11, 0).Format("2006-01"), to.Format("2006-01")
	return p, nil
}

// prepare adds the users the load test signs in as and aggregates the measures of every
// place whose records changed, as the measures job would. It may be run again: users that
// exist get their password and membership back.
func (b *bench) prepare(ctx context.Context, dbURL string) error {
	ctx = linkwork.NewContextWithActor(ctx, linkwork.Actor{Label: "benchreport"})
	db, err := sqldb.Open(ctx, dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	ds := dataset{dialect: db.Dialect(), url: dbURL}
	raw, err := openRaw(ds)
	if err != nil {
		return err
	}
	p, err := readBenchPlace(ctx, raw)
	raw.Close()
	if err != nil {
		return err
	}
	svc := db.Services()
	for _, u := range []struct {
		email string
		role  linkwork.Role
		org   int64
	}{
		{commissionerEmail, linkwork.RoleCommissioner, p.referrerOrgID},
		{managerEmail, linkwork.RoleManager, p.triageOrgID},
		{referrerEmail, linkwork.RoleReferrer, p.referrerOrgID},
	} {
		if err := ensureUser(ctx, svc.Users, u.email, u.role, u.org); err != nil {
			return fmt.Errorf("user %s: %w", u.email, err)
		}
	}
	return b.aggregate(ctx, svc.Measures)
}

// ensureUser adds a user with a role in an organisation, or gives an existing one the
// password and the membership.
func ensureUser(ctx context.Context, users linkwork.UserService, email string, role linkwork.Role, orgID int64) error {
	u, err := users.FindUserByEmail(ctx, email)
	if linkwork.ErrorCode(err) == linkwork.ENOTFOUND {
		_, err = users.CreateUser(ctx, &linkwork.NewUser{Email: email, Name: "Benchmark " + string(role), Password: benchPassword,
			OrganisationID: orgID, Role: role})
		return err
	}
	if err != nil {
		return err
	}
	if err := users.SetPassword(ctx, u.ID, benchPassword, false); err != nil {
		return err
	}
	if err := users.UnlockUser(ctx, u.ID); err != nil {
		return err
	}
	if slices.ContainsFunc(u.Memberships, func(m linkwork.Membership) bool { return m.OrganisationID == orgID && m.Role == role }) {
		return nil
	}
	return users.AddMembership(ctx, u.ID, orgID, role)
}

// aggregate brings the measures of every changed place up to date.
func (b *bench) aggregate(ctx context.Context, m linkwork.MeasureService) error {
	places, err := m.ChangedPlaces(ctx)
	if err != nil {
		return err
	}
	for _, id := range places {
		start := time.Now()
		n, err := m.Aggregate(ctx, id)
		if err != nil {
			return fmt.Errorf("aggregating the measures of place %d: %w", id, err)
		}
		b.logf("aggregated the measures of place %d: %d facts in %v", id, n, time.Since(start).Round(100*time.Millisecond))
	}
	return nil
}

// makeTokens makes the API tokens the load test uses, in the working copy, and aggregates
// again if that counted as a change.
func (b *bench) makeTokens(ctx context.Context, dbURL string, placeID int64) (search, referrals string, err error) {
	ctx = linkwork.NewContextWithActor(ctx, linkwork.Actor{Label: "benchreport"})
	db, err := sqldb.Open(ctx, dbURL)
	if err != nil {
		return "", "", err
	}
	defer db.Close()
	svc := db.Services()
	token := func(email string) (string, error) {
		u, err := svc.Users.FindUserByEmail(ctx, email)
		if err != nil {
			return "", fmt.Errorf("%s: %w", email, err)
		}
		secret, _, err := svc.Tokens.CreateToken(ctx, u.ID, placeID, "benchreport "+time.Now().Format(time.DateTime))
		return secret, err
	}
	if search, err = token(commissionerEmail); err != nil {
		return "", "", err
	}
	if referrals, err = token(referrerEmail); err != nil {
		return "", "", err
	}
	return search, referrals, b.aggregate(ctx, svc.Measures)
}
