package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"linkwork/sqldb/sqldbtest"
)

// TestTwoInstancesShareOneDatabase runs two linkwork processes on one PostgreSQL database, as
// behind a load balancer: someone signed in through one is signed in on the other (sessions
// live in the database), referrals sent to both land in one place, and the outbox's
// notifications, which both instances' workers poll for, go out exactly once. Which instance
// sends which depends on when each polls; sqldb's and notify's tests make claimers contend.
func TestTwoInstancesShareOneDatabase(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes")
	}
	if !slices.Contains(sqldbtest.Dialects(), "postgres") {
		t.Skip("needs PostgreSQL (LINKWORK_TEST_POSTGRES is off)")
	}
	dbURL := sqldbtest.URL(t, "postgres")
	fx := seedReferrals(t, dbURL)
	var logA, logB bytes.Buffer
	addrA, addrB := freeAddr(t), freeAddr(t)
	a := startChildLogged(t, &logA, "serve", "--db", dbURL, "--addr", addrA)
	b := startChildLogged(t, &logB, "serve", "--db", dbURL, "--addr", addrB)

	// Sign in on A; the same cookie works on B.
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	res, err := browser.PostForm("http://"+addrA+"/signin", url.Values{"email": {"rita@example.org"}, "password": {"a good long password"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	uA, _ := url.Parse("http://" + addrA + "/")
	uB, _ := url.Parse("http://" + addrB + "/")
	jar.SetCookies(uB, jar.Cookies(uA))
	res, err = browser.Get("http://" + addrB + "/referrals")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Request.URL.Path != "/referrals" {
		t.Fatalf("signed in on A, then /referrals on B: %d at %s", res.StatusCode, res.Request.URL)
	}
	if !strings.Contains(string(page), "Sign out") {
		t.Fatalf("B does not know the session A started:\n%s", page)
	}

	// Referrals to both, each queueing a notification to the referrer.
	api := &http.Client{Timeout: 10 * time.Second}
	const n = 30
	for i := range n {
		addr := addrA
		if i%2 == 1 {
			addr = addrB
		}
		body := fmt.Sprintf(`{"person": {"given_name": "Two%d", "family_name": "Instances", "date_of_birth": "1960-01-02",
			"postcode": "HX1 1AA", "phone": "01422 100200"}, "need_ids": [%d], "reason": "Lonely.",
			"referrer": {"type": "gp_practice", "name": "Rita Referrer", "email": "rita@example.org"},
			"consent": {"to_referral": true, "method": "verbal"}, "scheme_id": %d}`, i, fx.need, fx.scheme.ID)
		req, _ := http.NewRequest("POST", "http://"+addr+"/api/v1/referrals", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+fx.token)
		req.Header.Set("Content-Type", "application/json")
		res, err := api.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("referral %d to %s: %d %s", i, addr, res.StatusCode, b)
		}
	}

	// Both workers poll the outbox; wait until it is empty.
	deadline := time.Now().Add(60 * time.Second)
	for {
		unsent := countWhere(t, dbURL, "notifications", "sent_at IS NULL")
		if unsent == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d notifications still unsent after a minute", unsent)
		}
		time.Sleep(200 * time.Millisecond)
	}
	_ = a.Process.Signal(syscall.SIGTERM)
	_ = b.Process.Signal(syscall.SIGTERM)
	_ = a.Wait()
	_ = b.Wait()

	// Every notification was logged (sent) by exactly one instance, exactly once.
	total := countWhere(t, dbURL, "notifications", "1 = 1")
	sentBy := map[string][]string{}
	pattern := regexp.MustCompile(`msg="notification \(no mail server[^"]*" notification=(\d+)`)
	for name, log := range map[string]*bytes.Buffer{"A": &logA, "B": &logB} {
		for _, m := range pattern.FindAllStringSubmatch(log.String(), -1) {
			sentBy[m[1]] = append(sentBy[m[1]], name)
		}
	}
	if total < n || len(sentBy) != total {
		t.Errorf("%d notifications in the outbox, %d sent (%d referrals)", total, len(sentBy), n)
	}
	byInstance := map[string]int{}
	for id, who := range sentBy {
		if len(who) != 1 {
			t.Errorf("notification %s was sent %d times, by %v", id, len(who), who)
		}
		byInstance[who[0]]++
	}
	t.Logf("%d notifications, sent once each: %d by A, %d by B", len(sentBy), byInstance["A"], byInstance["B"])
}

// countWhere counts the rows of a table that meet a condition, reading the database directly.
func countWhere(t *testing.T, dbURL, table, cond string) int {
	t.Helper()
	query := "(SELECT 1 FROM " + table + " WHERE " + cond + ") AS matching"
	return countRows(t, dbURL, query)[query]
}
