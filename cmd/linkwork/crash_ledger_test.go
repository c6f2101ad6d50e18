package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// TestKilledServerKeepsAcknowledgedLedgerEntries puts money into a budget pot from eight
// clients through the API, kills the server with SIGKILL in the middle of the stream, starts
// it again and checks that every allocation the server acknowledged is in the ledger, with
// its idempotency key and its audit event; that nothing half-written is there (an entry
// without its key or audit event, or the other way round); that the pot's balance is the
// sum of its entries; and that a request repeated after the restart with an acknowledged key
// is refused, not paid twice.
func TestKilledServerKeepsAcknowledgedLedgerEntries(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills server processes")
	}
	for _, d := range sqldbtest.Dialects() {
		t.Run(d, func(t *testing.T) { testKilledServerLedger(t, sqldbtest.URL(t, d)) })
	}
}

func testKilledServerLedger(t *testing.T, dbURL string) {
	ctx := context.Background()
	fx := seedReferrals(t, dbURL)
	if _, err := run(t, "a good long password\n", "user", "add", "--db", dbURL, "--email", "mo@example.org", "--role", "manager",
		"--org", "Calder PCN", "--name", "Mo Manager", "--password-stdin"); err != nil {
		t.Fatal(err)
	}
	out, err := run(t, "", "token", "create", "--db", dbURL, "--email", "mo@example.org", "--name", "crash test")
	if err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(out[strings.LastIndex(strings.TrimSpace(out), "\n")+1:])
	db, err := sqldb.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	actx := linkwork.NewContextWithActor(ctx, linkwork.Actor{Label: "test", PlaceID: fx.place.ID})
	today := time.Now().UTC().Truncate(24 * time.Hour)
	pot := &linkwork.BudgetPot{PlaceID: fx.place.ID, OrganisationID: fx.scheme.OrganisationID, Holder: linkwork.HolderTeam,
		Name: "Crash test pot", Funder: "Calderdale Council", PeriodStart: today.AddDate(0, -1, 0), PeriodEnd: today.AddDate(1, 0, 0),
		Kinds: []linkwork.SpendKind{linkwork.SpendPersonal}, ApprovalThreshold: 5000}
	if err := db.Services().Budgets.CreatePot(actx, pot, 0, "crash-test-pot-creation-key"); err != nil {
		t.Fatal(err)
	}
	db.Close()

	addr := freeAddr(t)
	server := startChild(t, "serve", "--db", dbURL, "--addr", addr)
	var mu sync.Mutex
	acked := map[int64]string{} // entry ID → the key that made it
	var wg sync.WaitGroup
	stop := make(chan struct{})
	client := &http.Client{Timeout: 10 * time.Second}
	post := func(key string, pence int) (*http.Response, []byte, error) {
		req, _ := http.NewRequest("POST", fmt.Sprintf("http://%s/api/v1/budgets/pots/%d/allocations", addr, pot.ID),
			strings.NewReader(fmt.Sprintf(`{"amount_pence": %d, "note": "Top-up"}`, pence)))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(linkwork.IdempotencyKeyHeader, key)
		res, err := client.Do(req)
		if err != nil {
			return nil, nil, err
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		return res, b, nil
	}
	for c := range 8 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				key := fmt.Sprintf("crash-client-%d-request-%06d", c, i)
				res, b, err := post(key, 100+c)
				if err != nil {
					return // the server is gone
				}
				if res.StatusCode != http.StatusCreated {
					t.Errorf("POST allocations: %d %s", res.StatusCode, b)
					return
				}
				var e linkwork.LedgerEntry
				if err := json.Unmarshal(b, &e); err != nil || e.ID == 0 {
					t.Errorf("201 without an entry: %s", b)
					return
				}
				mu.Lock()
				acked[e.ID] = key
				mu.Unlock()
			}
		})
	}
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
		t.Fatalf("only %d allocations acknowledged before the kill", len(acked))
	}

	// Start again; a request repeated with an acknowledged key is refused.
	addr = freeAddr(t)
	again := startChild(t, "serve", "--db", dbURL, "--addr", addr)
	var someKey string
	for _, k := range acked {
		someKey = k
		break
	}
	if res, b, err := post(someKey, 100); err != nil || res.StatusCode != http.StatusConflict {
		t.Errorf("a repeated key after the restart: %v %v %s", res, err, b)
	}
	_ = again.Process.Signal(syscall.SIGTERM)
	_ = again.Wait()

	db2, err := sqldb.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	ledger, err := db2.Services().Budgets.Ledger(ctx, pot.ID)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[int64]*linkwork.LedgerEntry{}
	var sum linkwork.Pence
	for _, e := range ledger {
		byID[e.ID] = e
		sum += e.FundsDelta
	}
	for id := range acked {
		if e := byID[id]; e == nil || e.Kind != linkwork.EntryAllocation {
			t.Errorf("acknowledged allocation %d is missing", id)
		}
	}
	got, err := db2.Services().Budgets.FindPot(ctx, pot.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Balance.Funds != sum || got.Balance.Allocated != sum || got.Balance.Available != sum {
		t.Errorf("balance %+v, entries sum to %s", got.Balance, sum)
	}
	// Whole or not there: one idempotency key and one audit event an entry.
	counts := countRows(t, dbURL, "ledger_entries", "idempotency_keys")
	_, audited, err := db2.Services().Audit.ListAudit(ctx, linkwork.AuditFilter{PlaceID: fx.place.ID, Action: linkwork.AuditLedgerEntry,
		Page: linkwork.Page{Size: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if counts["ledger_entries"] != len(ledger) || counts["idempotency_keys"] != len(ledger)+1 || audited != len(ledger) {
		t.Errorf("after the kill: %d entries, %v, %d audit events; want one key (and one for the pot) and one audit event an entry",
			len(ledger), counts, audited)
	}
	t.Logf("%d allocations acknowledged before SIGKILL; %d in the ledger", len(acked), len(ledger))
}
