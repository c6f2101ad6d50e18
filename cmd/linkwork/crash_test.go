package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// childArgs is set in the environment of a copy of the test binary that is to run linkwork
// itself (TestMain below), so that a test can kill a real server process.
const childArgs = "LINKWORK_TEST_CHILD_ARGS"

func TestMain(m *testing.M) {
	if args := os.Getenv(childArgs); args != "" {
		os.Args = append([]string{"linkwork"}, strings.Split(args, "\x1f")...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestKilledServerKeepsAcknowledgedReferrals sends a stream of referrals to a real linkwork
// process from eight clients, kills the process with SIGKILL in the middle of the stream,
// starts it again on the same database and checks that every referral the server
// acknowledged (201 Created) is there, whole: with its needs, its first event and its audit
// event; and that nothing half-written is there either.
func TestKilledServerKeepsAcknowledgedReferrals(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills server processes")
	}
	for _, d := range sqldbtest.Dialects() {
		t.Run(d, func(t *testing.T) { testKilledServer(t, sqldbtest.URL(t, d)) })
	}
}

func testKilledServer(t *testing.T, dbURL string) {
	ctx := context.Background()
	fx := seedReferrals(t, dbURL)
	token, scheme, need, place := fx.token, fx.scheme, fx.need, fx.place

	addr := freeAddr(t)
	server := startChild(t, "serve", "--db", dbURL, "--addr", addr)

	// Eight clients send referrals until the server stops answering.
	var mu sync.Mutex
	acked := map[int64]bool{}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	client := &http.Client{Timeout: 10 * time.Second}
	for c := range 8 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				body := fmt.Sprintf(`{"person": {"given_name": "Crash%d", "family_name": "Test%d", "date_of_birth": "1960-01-02",
					"postcode": "HX1 1AA", "phone": "01422 100200"}, "need_ids": [%d], "reason": "Lonely since moving.",
					"referrer": {"type": "gp_practice", "name": "Rita Referrer"},
					"consent": {"to_referral": true, "method": "verbal"}, "scheme_id": %d}`, c, i, need, scheme.ID)
				req, _ := http.NewRequest("POST", "http://"+addr+"/api/v1/referrals", strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("Content-Type", "application/json")
				res, err := client.Do(req)
				if err != nil {
					return // the server is gone
				}
				b, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusCreated {
					t.Errorf("POST /api/v1/referrals: %d %s", res.StatusCode, b)
					return
				}
				var got struct {
					ID int64 `json:"id"`
				}
				if err := json.Unmarshal(b, &got); err != nil || got.ID == 0 {
					t.Errorf("201 without an id: %s", b)
					return
				}
				mu.Lock()
				acked[got.ID] = true
				mu.Unlock()
			}
		})
	}
	// Kill it once the stream is well under way.
	deadline := time.Now().Add(30 * time.Second)
	for {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 200 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := server.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = server.Wait()
	close(stop)
	wg.Wait()
	if len(acked) < 200 {
		t.Fatalf("only %d referrals acknowledged before the kill", len(acked))
	}

	// Start it again on the same database (recovering SQLite's write-ahead log) and stop it.
	again := startChild(t, "serve", "--db", dbURL, "--addr", freeAddr(t))
	_ = again.Process.Signal(syscall.SIGTERM)
	_ = again.Wait()

	// Every acknowledged referral is whole; nothing is half there.
	db2, err := sqldb.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	refs := db2.Services().Referrals
	for id := range acked {
		r, err := refs.FindReferralByID(ctx, id)
		if err != nil {
			t.Errorf("acknowledged referral %d: %v", id, err)
			continue
		}
		if len(r.NeedIDs) != 1 || r.Status != linkwork.ReferralReceived {
			t.Errorf("referral %d: needs %v, status %s", id, r.NeedIDs, r.Status)
		}
		hist, err := refs.ReferralHistory(ctx, id)
		if err != nil || len(hist) != 1 || hist[0].Action != linkwork.ActionReceive {
			t.Errorf("referral %d: history %v, %v", id, hist, err)
		}
	}
	counts := countRows(t, dbURL, "referrals", "referral_events", "referral_terms")
	_, audited, err := db2.Services().Audit.ListAudit(ctx, linkwork.AuditFilter{PlaceID: place.ID, Action: linkwork.AuditReferralCreate,
		Page: linkwork.Page{Size: 1}})
	if err != nil {
		t.Fatal(err)
	}
	counts["audit"] = audited
	if counts["referrals"] < len(acked) || counts["referral_events"] != counts["referrals"] || counts["referral_terms"] != counts["referrals"] ||
		counts["audit"] != counts["referrals"] {
		t.Errorf("after the kill: %v for %d acknowledged; every referral should have one event, one need and one audit event", counts, len(acked))
	}
	t.Logf("%d referrals acknowledged before SIGKILL; %d stored (a few more may have been committed but not yet answered)",
		len(acked), counts["referrals"])
}

// countRows counts the rows of tables, reading the database directly.
func countRows(t *testing.T, dbURL string, tables ...string) map[string]int {
	t.Helper()
	driver, dsn := "pgx", dbURL
	if strings.HasPrefix(dbURL, "sqlite:") {
		driver, dsn = "sqlite", strings.TrimPrefix(dbURL, "sqlite:")
	}
	raw, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	out := map[string]int{}
	for _, table := range tables {
		var n int
		if err := raw.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[table] = n
	}
	return out
}

// referralPlace is a place to send referrals to: a referrer's API token, a connector scheme
// and a need.
type referralPlace struct {
	token  string
	place  *linkwork.Place
	scheme *linkwork.Service
	need   int64
}

// seedReferrals makes a place with a referrer (rita@example.org, password "a good long
// password"), a token for her and one connector scheme, through the command line and the
// store, as an administrator would.
func seedReferrals(t *testing.T, dbURL string) referralPlace {
	t.Helper()
	ctx := context.Background()
	// A place with a referrer, a token and one connector scheme.
	for _, args := range [][]string{
		{"place", "add", "--db", dbURL, "--name", "Calderdale"},
		{"org", "add", "--db", dbURL, "--place", "Calderdale", "--name", "Calder PCN", "--sector", "nhs"},
	} {
		if _, err := run(t, "", args...); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := run(t, "a good long password\n", "user", "add", "--db", dbURL, "--email", "rita@example.org", "--role", "referrer",
		"--org", "Calder PCN", "--name", "Rita Referrer", "--password-stdin"); err != nil {
		t.Fatal(err)
	}
	out, err := run(t, "", "token", "create", "--db", dbURL, "--email", "rita@example.org", "--name", "crash test")
	if err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(out[strings.LastIndex(strings.TrimSpace(out), "\n")+1:])
	db, err := sqldb.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc := db.Services()
	places, err := svc.Places.ListPlaces(ctx)
	if err != nil {
		t.Fatal(err)
	}
	place := places[0]
	orgs, _, err := svc.Organisations.ListOrganisations(ctx, linkwork.OrganisationFilter{PlaceID: place.ID})
	if err != nil {
		t.Fatal(err)
	}
	scheme := &linkwork.Service{PlaceID: place.ID, OrganisationID: orgs[0].ID, Kind: linkwork.KindScheme, Name: "Calder Social Prescribing",
		Description: "Link workers.", Status: linkwork.StatusActive, Scheme: &linkwork.ConnectorScheme{Model: linkwork.ModelPCNLinkWorker, WhoCanRefer: []linkwork.ReferrerType{linkwork.ReferrerGP}}}
	if err := svc.Directory.CreateService(ctx, scheme); err != nil {
		t.Fatal(err)
	}
	taxs, err := svc.Taxonomies.ListTaxonomies(ctx, place.ID)
	if err != nil {
		t.Fatal(err)
	}
	var need int64
	for _, tx := range taxs {
		if tx.Code == linkwork.TaxonomyNeed {
			need = tx.Terms[0].ID
		}
	}

	return referralPlace{token: token, place: place, scheme: scheme, need: need}
}

// startChild runs linkwork with args in a child process and waits until it answers /healthz.
func startChild(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	return startChildLogged(t, &bytes.Buffer{}, args...)
}

// startChildLogged is startChild writing the child's log (its standard error) to stderr,
// which may be read once the child has exited.
func startChildLogged(t *testing.T, stderr *bytes.Buffer, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childArgs+"="+strings.Join(args, "\x1f"))
	cmd.Stdout, cmd.Stderr = io.Discard, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	addr := args[len(args)-1]
	for start := time.Now(); time.Since(start) < 30*time.Second; time.Sleep(50 * time.Millisecond) {
		res, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return cmd
			}
		}
	}
	t.Fatalf("linkwork %s did not start: %s", strings.Join(args, " "), stderr.String())
	return nil
}

// freeAddr returns a loopback address with a port nothing is listening on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
