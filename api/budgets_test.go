package api_test

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"linkwork"
	"linkwork/api"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// budgetFixture is the casework fixture with neighbourhoods to spend in. Park (E01010994,
// where HX1 1AA and so every fixture person is) is in IMD decile 1; Town (E01010995, HX3
// 5AX) in decile 6. The tests set up the pots and spends themselves, in order:
//
//   - pot A: held by York Health PCN's team; micro-grants and personal spends; £500 to
//     start; at most £200 an item; a manager approves anything over £50; open to
//     applications from groups.
//   - pot B: held by the health link worker; personal spends; £100; a manager approves
//     anything over £200.
//   - pot C: held by the council's team; micro-grants; £300; over £50 needs a manager; not
//     open to applications.
type budgetFixture struct {
	*caseFixture
	*budgetState
}

// budgetState is what the tests make, shared by every subtest's copy of the fixture.
type budgetState struct {
	potA, potB, potC linkwork.BudgetPot
	pat              linkwork.Person
	patsGoal         linkwork.Goal
	// The spends, in the order the tests make them.
	p1, p2, g1, g2, g3, gc int64
}

func newBudgetFixture(t *testing.T, db *sqldb.DB) *budgetFixture {
	t.Helper()
	bf := &budgetFixture{caseFixture: newCaseFixture(t, db), budgetState: &budgetState{}}
	ctx := t.Context()
	_, err := bf.svc.Geography.ImportLSOAs(ctx, seq(
		&linkwork.LSOA{Code: "E01010994", Name: "Park", LocalAuthorityCode: "E08000033", LocalAuthorityName: "Calderdale", IMDRank: 300, IMDDecile: 1},
		&linkwork.LSOA{Code: "E01010995", Name: "Town", LocalAuthorityCode: "E08000033", LocalAuthorityName: "Calderdale", IMDRank: 18000, IMDDecile: 6},
	), linkwork.ImportOptions{})
	must(t, err)
	_, err = bf.svc.Geography.ImportPostcodes(ctx, seq(
		&linkwork.PostcodeInfo{Postcode: "HX3 5AX", Lat: 53.73, Lng: -1.83, LSOA: "E01010995", Ward: "E05001387", LocalAuthority: "E08000033"},
	), linkwork.ImportOptions{})
	must(t, err)
	bf.pat = bf.newPerson("Pat", "Spender")
	bf.as(bf.worker).do("POST", path("/api/v1/people/%d/goals", bf.pat.ID), api.GoalBody{Text: "Get out and about"}).
		want(http.StatusCreated).decode(&bf.patsGoal)
	// A first contact makes the case active: money is spent only for someone being supported.
	bf.as(bf.worker).do("POST", path("/api/v1/people/%d/contacts", bf.pat.ID), api.ContactBody{On: day(-1),
		Mode: linkwork.ModeFaceToFace, Minutes: 30, Note: "First conversation"}).want(http.StatusCreated)
	return bf
}

func (bf *budgetFixture) in(t *testing.T) *budgetFixture {
	g := *bf
	g.caseFixture = bf.caseFixture.in(t)
	return &g
}

// newKey makes an idempotency key never used before.
func newKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// send is do with an Idempotency-Key header (none when key is "").
func (c *client) send(method, target string, body any, key string) *result {
	t := c.f.t
	t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	default:
		var err error
		raw, err = json.Marshal(b)
		must(t, err)
	}
	r := httptest.NewRequest(method, target, bytes.NewReader(raw))
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		r.Header.Set(linkwork.IdempotencyKeyHeader, key)
	}
	if c.auth != "" {
		r.Header.Set("Authorization", c.auth)
	}
	w := httptest.NewRecorder()
	c.f.srv.ServeHTTP(w, r)
	res := &result{t: t, req: method + " " + target, status: w.Code, header: w.Header(), body: w.Body.Bytes()}
	u, err := url.Parse(target)
	must(t, err)
	if op := c.f.doc.checkResponse(t, method, u.Path, res.status, res.header, res.body); op != "" {
		record(c.f.dialect, op, res.status)
		tmpl := strings.TrimPrefix(op, method+" ")
		if ptr := c.f.doc.requestSchema(method, tmpl); ptr != "" && res.status < 300 {
			if err := c.f.doc.validate(ptr, raw); err != nil {
				t.Errorf("%s was accepted, but its body does not match openapi.json: %v\nbody: %s", res.req, err, raw)
			}
		}
	}
	return res
}

// money sends a money-moving request with a fresh key.
func (c *client) money(method, target string, body any) *result {
	c.f.t.Helper()
	return c.send(method, target, body, newKey())
}

func (bf *budgetFixture) potBody(org *linkwork.Organisation, name string) api.PotBody {
	return api.PotBody{OrganisationID: org.ID, Holder: linkwork.HolderTeam, Name: name, Funder: "York Health Trust",
		PeriodStart: day(-30), PeriodEnd: day(300), MaxPerItem: 20000, ApprovalThreshold: 5000,
		Kinds: []linkwork.SpendKind{linkwork.SpendGrant, linkwork.SpendPersonal}, Rules: "Small things that help people connect.",
		OpenToApplications: true, InitialAmount: 50000}
}

// personal is a personal spend from pot for the fixture's person.
func (bf *budgetFixture) personal(pot int64, amount linkwork.Pence) api.SpendBody {
	return api.SpendBody{PotID: pot, Kind: linkwork.SpendPersonal, Amount: amount, Need: "money_debt", PersonID: bf.pat.ID,
		GoalID: bf.patsGoal.ID, Item: "Bus pass for a month", Reason: "To get to the advice centre each week."}
}

// grant is a micro-grant application from pot for a group (0 for a new activity) at postcode.
func grant(pot, group int64, amount linkwork.Pence, postcode string) api.SpendBody {
	return api.SpendBody{PotID: pot, Kind: linkwork.SpendGrant, Amount: amount, Need: "loneliness", GroupOrganisationID: group,
		ActivityName: "Friday lunch club", Purpose: "Food and room hire for a weekly lunch for people on their own.",
		Postcode: postcode, PeopleExpected: 20, ContactName: "Grace Giver", ContactEmail: "grace@example.org"}
}

func (bf *budgetFixture) pot(id int64) linkwork.BudgetPot {
	bf.t.Helper()
	p, err := bf.svc.Budgets.FindPot(bf.t.Context(), id)
	must(bf.t, err)
	return *p
}

func (bf *budgetFixture) ledgerLen(pot int64) int {
	bf.t.Helper()
	es, err := bf.svc.Budgets.Ledger(bf.t.Context(), pot)
	must(bf.t, err)
	return len(es)
}

func (bf *budgetFixture) spendCount() int {
	bf.t.Helper()
	_, n, err := bf.svc.Budgets.ListSpends(bf.t.Context(), linkwork.SpendFilter{PlaceID: bf.placeA.ID, Page: linkwork.Page{Number: 1, Size: 1}})
	must(bf.t, err)
	return n
}

func (bf *budgetFixture) potCount() int {
	bf.t.Helper()
	pots, err := bf.svc.Budgets.ListPots(bf.t.Context(), linkwork.PotFilter{PlaceID: bf.placeA.ID})
	must(bf.t, err)
	return len(pots)
}

func spendOf(r *result) linkwork.Spend {
	var s linkwork.Spend
	r.decode(&s)
	return s
}

// TestBudgets runs the budget API's tests one after another on one fixture per database:
// each builds on the pots and spends of the one before.
func TestBudgets(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		bf := newBudgetFixture(t, db)
		for _, c := range []struct {
			name string
			fn   func(*testing.T, *budgetFixture)
		}{
			{"Anonymous", testBudgetsAnonymous},
			{"Pots", testBudgetPots},
			{"PotsByRole", testBudgetPotsByRole},
			{"Allocations", testBudgetAllocations},
			{"Spends", testBudgetSpends},
			{"SpendBadInput", testSpendBadInput},
			{"SpendsByRole", testSpendsByRole},
			{"ReversalAndClose", testBudgetReversalAndClose},
			{"Report", testBudgetReport},
		} {
			if !t.Run(c.name, func(t *testing.T) { c.fn(t, bf.in(t)) }) {
				return // the rest build on this one
			}
		}
	})
}

// budgetRoutes are the budget API's routes, for a pot, entry and spend that may or may not exist.
func budgetRoutes(pot, entry, spend int64) [][2]string {
	p, s := path("/api/v1/budgets/pots/%d", pot), path("/api/v1/budgets/spends/%d", spend)
	return [][2]string{
		{"GET", "/api/v1/budgets/pots"}, {"POST", "/api/v1/budgets/pots"}, {"GET", p}, {"GET", p + "/ledger"},
		{"POST", p + "/allocations"}, {"POST", p + "/close"}, {"POST", path("/api/v1/budgets/entries/%d/reversal", entry)},
		{"GET", "/api/v1/budgets/spends"}, {"POST", "/api/v1/budgets/spends"}, {"GET", s}, {"POST", s + "/decision"},
		{"POST", s + "/payment"}, {"POST", s + "/withdrawal"}, {"POST", s + "/refunds"}, {"POST", s + "/report"},
		{"GET", "/api/v1/budgets/report"},
	}
}

func testBudgetsAnonymous(t *testing.T, bf *budgetFixture) {
	for _, r := range budgetRoutes(1, 1, 1) {
		var body any
		if r[0] == "POST" {
			body = `{}`
		}
		bf.anon().send(r[0], r[1], body, newKey()).wantError(http.StatusUnauthorized, linkwork.EUNAUTHORIZED, "-")
	}
}

func testBudgetPots(t *testing.T, bf *budgetFixture) {
	manager := bf.as(bf.manager)
	before := bf.potCount()

	// Refused, each with the field named, and nothing written.
	body := bf.potBody(bf.health, "Health connections")
	manager.send("POST", "/api/v1/budgets/pots", body, "").wantError(http.StatusBadRequest, linkwork.EINVALID, "Idempotency-Key")
	manager.send("POST", "/api/v1/budgets/pots", body, "short").wantError(http.StatusBadRequest, linkwork.EINVALID, "Idempotency-Key")
	manager.send("POST", "/api/v1/budgets/pots", body, strings.Repeat("k", 20)+"!").wantError(http.StatusBadRequest, linkwork.EINVALID, "Idempotency-Key")
	for _, c := range []struct {
		name, field string
		body        any
	}{
		{"fractional pence", "initial_amount_pence", `{"organisation_id":` + idString(bf.health.ID) + `,"initial_amount_pence":12.5}`},
		{"pounds as text", "initial_amount_pence", `{"initial_amount_pence":"50.00"}`},
		{"negative start", "initial_amount_pence", func() api.PotBody { b := body; b.InitialAmount = -1; return b }()},
		{"negative limit", "max_per_item_pence", func() api.PotBody { b := body; b.MaxPerItem = -100; return b }()},
		{"another place's organisation", "organisation_id", func() api.PotBody { b := body; b.OrganisationID = bf.wakefield.ID; return b }()},
		{"no organisation", "organisation_id", func() api.PotBody { b := body; b.OrganisationID = 0; return b }()},
		{"backwards period", "period_end", func() api.PotBody { b := body; b.PeriodEnd = day(-31); return b }()},
		{"not a date", "period_start", func() api.PotBody { b := body; b.PeriodStart = "1 April"; return b }()},
		{"no kinds", "kinds", func() api.PotBody { b := body; b.Kinds = nil; return b }()},
		{"unknown holder", "holder", func() api.PotBody { b := body; b.Holder = "funder"; return b }()},
		{"unknown field", "balance", `{"balance":1}`},
	} {
		res := manager.money("POST", "/api/v1/budgets/pots", c.body)
		res.wantError(http.StatusBadRequest, linkwork.EINVALID, "")
		wantFields(t, res, c.field)
	}
	// A manager sets up pots for their own organisation only.
	manager.money("POST", "/api/v1/budgets/pots", bf.potBody(bf.council, "Not ours")).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	bf.as(bf.worker).money("POST", "/api/v1/budgets/pots", body).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	if n := bf.potCount(); n != before {
		t.Fatalf("refused pots were written: %d, want %d", n, before)
	}

	// Set up, and once only with the same key.
	key := newKey()
	res := manager.send("POST", "/api/v1/budgets/pots", body, key).want(http.StatusCreated)
	res.decode(&bf.potA)
	if bf.potA.OrganisationID != bf.health.ID || bf.potA.Status != linkwork.PotOpen || bf.potA.Balance.Allocated != 50000 ||
		bf.potA.Balance.Available != 50000 || bf.potA.CreatedBy != bf.manager.Name || !bf.potA.OpenToApplications ||
		res.header.Get("Location") != path("/api/v1/budgets/pots/%d", bf.potA.ID) {
		t.Fatalf("pot A %+v (Location %q)", bf.potA, res.header.Get("Location"))
	}
	manager.send("POST", "/api/v1/budgets/pots", body, key).wantError(http.StatusConflict, linkwork.ECONFLICT, "-")
	if n := bf.potCount(); n != before+1 {
		t.Fatalf("a repeated request set up another pot: %d pots", n)
	}

	b := api.PotBody{OrganisationID: bf.health.ID, Holder: linkwork.HolderLinkWorker, UserID: bf.worker.ID, Name: "Wyn's pot",
		Funder: "York Health Trust", PeriodStart: day(-30), PeriodEnd: day(300), ApprovalThreshold: 20000,
		Kinds: []linkwork.SpendKind{linkwork.SpendPersonal}, InitialAmount: 10000}
	manager.money("POST", "/api/v1/budgets/pots", b).want(http.StatusCreated).decode(&bf.potB)
	c := bf.potBody(bf.council, "Council grants")
	c.Kinds, c.OpenToApplications, c.MaxPerItem, c.InitialAmount = []linkwork.SpendKind{linkwork.SpendGrant}, false, 0, 30000
	bf.as(bf.admin).money("POST", "/api/v1/budgets/pots", c).want(http.StatusCreated).decode(&bf.potC)
	if bf.potB.UserID != bf.worker.ID || bf.potB.Holder != linkwork.HolderLinkWorker || bf.potC.OrganisationID != bf.council.ID {
		t.Fatalf("pots B %+v and C %+v", bf.potB, bf.potC)
	}
}

func testBudgetPotsByRole(t *testing.T, bf *budgetFixture) {
	a, b, c := bf.potA.ID, bf.potB.ID, bf.potC.ID
	ids := func(u *linkwork.User, query string) []int64 {
		var out []int64
		for _, p := range decodeList[linkwork.BudgetPot](bf.as(u).do("GET", "/api/v1/budgets/pots"+query, nil).want(http.StatusOK)).Items {
			out = append(out, p.ID)
		}
		sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
		return out
	}
	for _, w := range []struct {
		u     *linkwork.User
		query string
		want  []int64
	}{
		{bf.admin, "", sortedIDs(a, b, c)},
		{bf.commissioner, "", sortedIDs(a, b, c)},
		{bf.manager, "", sortedIDs(a, b)},
		{bf.worker, "", sortedIDs(a, b)},
		{bf.councilWorker, "", []int64{c}},
		// Groups see the pots open to their applications; anyone may ask for those.
		{bf.community, "", []int64{a}},
		{bf.choirMember, "", []int64{a}},
		{bf.councilWorker, "?open_to_applications=true", []int64{a}},
		{bf.admin, "?status=closed", nil},
		{bf.admin, "?status=open&per_page=1&page=2", []int64{a}}, // Council grants, Health connections, Wyn's pot
	} {
		if got := ids(w.u, w.query); !slices.Equal(got, w.want) {
			t.Errorf("%s sees pots %v, want %v", w.u.Name, got, w.want)
		}
	}
	bf.as(bf.referrer).do("GET", "/api/v1/budgets/pots", nil).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	bf.as(bf.admin).do("GET", "/api/v1/budgets/pots?status=spent", nil).wantError(http.StatusBadRequest, linkwork.EINVALID, "status")
	bf.as(bf.admin).do("GET", "/api/v1/budgets/pots?open_to_applications=yes", nil).wantError(http.StatusBadRequest, linkwork.EINVALID, "open_to_applications")

	// One pot and its ledger: seen through its organisation, or place-wide.
	potA := path("/api/v1/budgets/pots/%d", a)
	for _, u := range []*linkwork.User{bf.admin, bf.commissioner, bf.manager, bf.worker} {
		var p linkwork.BudgetPot
		bf.as(u).do("GET", potA, nil).want(http.StatusOK).decode(&p)
		if p.ID != a || p.Balance.Funds != 50000 {
			t.Errorf("%s reads pot A as %+v", u.Name, p)
		}
		l := decodeList[linkwork.LedgerEntry](bf.as(u).do("GET", potA+"/ledger", nil).want(http.StatusOK))
		if l.Total != 1 || l.Items[0].Kind != linkwork.EntryAllocation || l.Items[0].Amount != 50000 || l.Items[0].FundsDelta != 50000 {
			t.Errorf("%s reads pot A's ledger as %+v", u.Name, l)
		}
	}
	bf.as(bf.councilWorker).do("GET", potA, nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	bf.as(bf.councilWorker).do("GET", potA+"/ledger", nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	bf.as(bf.adminB).do("GET", potA, nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	bf.as(bf.community).do("GET", potA, nil).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	bf.as(bf.referrer).do("GET", potA+"/ledger", nil).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	bf.as(bf.admin).do("GET", "/api/v1/budgets/pots/999999", nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	bf.as(bf.admin).do("GET", potA+"/ledger?per_page=0", nil).wantError(http.StatusBadRequest, linkwork.EINVALID, "per_page")
}

func testBudgetAllocations(t *testing.T, bf *budgetFixture) {
	potA := path("/api/v1/budgets/pots/%d", bf.potA.ID)
	manager := bf.as(bf.manager)
	n := bf.ledgerLen(bf.potA.ID)
	for _, c := range []struct {
		name, field string
		body        any
	}{
		{"fractional", "amount_pence", `{"amount_pence": 12.5}`},
		{"pounds as text", "amount_pence", `{"amount_pence": "12.50"}`},
		{"negative", "amount_pence", api.AllocationBody{Amount: -500}},
		{"nothing", "amount_pence", api.AllocationBody{}},
		{"too much", "amount_pence", api.AllocationBody{Amount: linkwork.MaxAmount + 1}},
	} {
		res := manager.money("POST", potA+"/allocations", c.body)
		e := res.wantError(http.StatusBadRequest, linkwork.EINVALID, c.field)
		if c.name == "fractional" && !strings.Contains(e.Message, "whole number of pence") {
			t.Errorf("fractional amount: message %q does not say amounts are whole pence", e.Message)
		}
	}
	if e := manager.money("POST", potA+"/allocations", `{"amount_pence": 100, "initial_amount_pence": 100}`).
		wantError(http.StatusBadRequest, linkwork.EINVALID, "initial_amount_pence"); !strings.Contains(e.Message, "not a field") {
		t.Errorf("an amount field of another request: %q", e.Message)
	}
	manager.send("POST", potA+"/allocations", api.AllocationBody{Amount: 1000}, "").
		wantError(http.StatusBadRequest, linkwork.EINVALID, "Idempotency-Key")
	bf.as(bf.worker).money("POST", potA+"/allocations", api.AllocationBody{Amount: 1000}).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	manager.money("POST", path("/api/v1/budgets/pots/%d/allocations", bf.potC.ID), api.AllocationBody{Amount: 1000}).
		wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	if got := bf.ledgerLen(bf.potA.ID); got != n {
		t.Fatalf("refused allocations were written: %d entries, want %d", got, n)
	}

	key := newKey()
	var e linkwork.LedgerEntry
	manager.send("POST", potA+"/allocations", api.AllocationBody{Amount: 10000, Note: "Top-up from the trust"}, key).
		want(http.StatusCreated).decode(&e)
	if e.Kind != linkwork.EntryAllocation || e.Amount != 10000 || e.PotID != bf.potA.ID || e.Note != "Top-up from the trust" {
		t.Fatalf("allocation %+v", e)
	}
	manager.send("POST", potA+"/allocations", api.AllocationBody{Amount: 10000}, key).wantError(http.StatusConflict, linkwork.ECONFLICT, "-")
	// The commissioner manages budgets place-wide.
	bf.as(bf.commissioner).money("POST", potA+"/allocations", api.AllocationBody{Amount: 5000}).want(http.StatusCreated)
	if p := bf.pot(bf.potA.ID); p.Balance.Allocated != 65000 || p.Balance.Available != 65000 {
		t.Fatalf("pot A after two allocations: %+v", p.Balance)
	}
}

func testBudgetSpends(t *testing.T, bf *budgetFixture) {
	worker, manager, community := bf.as(bf.worker), bf.as(bf.manager), bf.as(bf.community)

	// P1: within the threshold, paid at once; the worker sees who it was for.
	res := worker.money("POST", "/api/v1/budgets/spends", bf.personal(bf.potA.ID, 1250)).want(http.StatusCreated)
	p1 := spendOf(res)
	if p1.Status != linkwork.SpendPaid || p1.PersonID != bf.pat.ID || p1.GoalID != bf.patsGoal.ID || p1.NeighbourhoodCode != "E01010994" ||
		p1.Amount != 1250 || res.header.Get("Location") != path("/api/v1/budgets/spends/%d", p1.ID) {
		t.Fatalf("P1 %+v (Location %q)", p1, res.header.Get("Location"))
	}
	// P2: over the threshold, it waits for a manager with its amount committed.
	p2 := spendOf(worker.money("POST", "/api/v1/budgets/spends", bf.personal(bf.potA.ID, 8000)).want(http.StatusCreated))
	if p2.Status != linkwork.SpendRequested {
		t.Fatalf("P2 %+v", p2)
	}
	if b := bf.pot(bf.potA.ID).Balance; b.Spent != 1250 || b.Committed != 8000 || b.Available != 65000-1250-8000 {
		t.Fatalf("pot A after P1 and P2: %+v", b)
	}
	// The link worker may not decide it; their manager may.
	decide := path("/api/v1/budgets/spends/%d/decision", p2.ID)
	worker.money("POST", decide, api.DecisionBody{Approve: new(true), Version: new(p2.Version)}).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	bf.as(bf.councilWorker).money("POST", decide, api.DecisionBody{Approve: new(true), Version: new(p2.Version)}).
		wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	manager.money("POST", decide, api.DecisionBody{Approve: new(false), Version: new(p2.Version)}).wantError(http.StatusBadRequest, linkwork.EINVALID, "reason")
	manager.money("POST", decide, api.DecisionBody{Version: new(p2.Version)}).wantError(http.StatusBadRequest, linkwork.EINVALID, "approve")
	manager.money("POST", decide, api.DecisionBody{Approve: new(true)}).wantError(http.StatusBadRequest, linkwork.EINVALID, "version")
	manager.money("POST", decide, api.DecisionBody{Approve: new(true), Version: new(p2.Version + 1)}).wantError(http.StatusConflict, linkwork.ECONFLICT, "-")
	key := newKey()
	p2 = spendOf(manager.send("POST", decide, api.DecisionBody{Approve: new(true), Version: new(p2.Version)}, key).want(http.StatusOK))
	if p2.Status != linkwork.SpendPaid || p2.DecidedBy != bf.manager.Name || p2.PaidAt == nil {
		t.Fatalf("P2 approved: %+v", p2)
	}
	manager.send("POST", decide, api.DecisionBody{Approve: new(true), Version: new(p2.Version)}, key).wantError(http.StatusConflict, linkwork.ECONFLICT, "-")
	manager.money("POST", decide, api.DecisionBody{Approve: new(true), Version: new(p2.Version)}).wantError(http.StatusBadRequest, linkwork.EINVALID, "-")

	// G1: the worker applies for the food bank, for £150 at Town; only a manager may approve
	// so much; the worker pays it once approved, and the group reports back.
	g1 := spendOf(worker.money("POST", "/api/v1/budgets/spends", grant(bf.potA.ID, bf.foodbank.ID, 15000, "HX3 5AX")).want(http.StatusCreated))
	if g1.Status != linkwork.SpendApplied || g1.GroupOrganisationID != bf.foodbank.ID || g1.NeighbourhoodCode != "E01010995" {
		t.Fatalf("G1 %+v", g1)
	}
	worker.money("POST", path("/api/v1/budgets/spends/%d/decision", g1.ID), api.DecisionBody{Approve: new(true), Version: new(g1.Version)}).
		wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	pay := path("/api/v1/budgets/spends/%d/payment", g1.ID)
	worker.money("POST", pay, api.VersionBody{Version: new(g1.Version)}).wantError(http.StatusBadRequest, linkwork.EINVALID, "-") // not approved yet
	g1 = spendOf(manager.money("POST", path("/api/v1/budgets/spends/%d/decision", g1.ID), api.DecisionBody{Approve: new(true), Version: new(g1.Version)}).want(http.StatusOK))
	if g1.Status != linkwork.SpendApproved {
		t.Fatalf("G1 approved: %+v", g1)
	}
	community.money("POST", pay, api.VersionBody{Version: new(g1.Version)}).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	bf.as(bf.councilWorker).money("POST", pay, api.VersionBody{Version: new(g1.Version)}).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	worker.money("POST", pay, api.VersionBody{}).wantError(http.StatusBadRequest, linkwork.EINVALID, "version")
	worker.money("POST", pay, api.VersionBody{Version: new(g1.Version + 5)}).wantError(http.StatusConflict, linkwork.ECONFLICT, "-")
	g1 = spendOf(worker.money("POST", pay, api.VersionBody{Version: new(g1.Version)}).want(http.StatusOK))
	if g1.Status != linkwork.SpendPaid || g1.ReportDue == nil {
		t.Fatalf("G1 paid: %+v", g1)
	}
	report := path("/api/v1/budgets/spends/%d/report", g1.ID)
	community.do("POST", report, api.GrantReportBody{WhatHappened: "Twenty people came every week.", AmountUsed: 15001}).
		wantError(http.StatusBadRequest, linkwork.EINVALID, "amount_used_pence")
	community.do("POST", report, `{"what_happened":"Twenty people came every week.","amount_used_pence":150.5}`).
		wantError(http.StatusBadRequest, linkwork.EINVALID, "amount_used_pence")
	bf.as(bf.choirMember).do("POST", report, api.GrantReportBody{WhatHappened: "Not ours to report.", AmountUsed: 1}).
		wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	bf.as(bf.referrer).do("POST", report, api.GrantReportBody{}).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	g1 = spendOf(community.do("POST", report, api.GrantReportBody{WhatHappened: "Twenty people came every week.", PeopleReached: 20,
		Volunteers: 3, AmountUsed: 15000}).want(http.StatusOK))
	if g1.Status != linkwork.SpendReported || g1.Report == nil || g1.Report.PeopleReached != 20 || g1.Report.SubmittedBy != bf.community.Name {
		t.Fatalf("G1 reported: %+v", g1)
	}
	community.do("POST", report, api.GrantReportBody{WhatHappened: "Twenty people came every week.", AmountUsed: 15000}).
		wantError(http.StatusBadRequest, linkwork.EINVALID, "-")

	// G2: the food bank applies itself, for £30 at Park; within the threshold, the link
	// worker approves and pays it; it owes its report.
	g2 := spendOf(community.money("POST", "/api/v1/budgets/spends", grant(bf.potA.ID, bf.foodbank.ID, 3000, "HX1 1AA")).want(http.StatusCreated))
	if g2.Status != linkwork.SpendApplied || g2.RequestedBy != bf.community.Name || g2.NeighbourhoodCode != "E01010994" {
		t.Fatalf("G2 %+v", g2)
	}
	g2 = spendOf(worker.money("POST", path("/api/v1/budgets/spends/%d/decision", g2.ID), api.DecisionBody{Approve: new(true), Version: new(g2.Version)}).want(http.StatusOK))
	g2 = spendOf(worker.money("POST", path("/api/v1/budgets/spends/%d/payment", g2.ID), api.VersionBody{Version: new(g2.Version)}).want(http.StatusOK))
	if g2.Status != linkwork.SpendPaid {
		t.Fatalf("G2 paid: %+v", g2)
	}

	// G3: the food bank applies, then thinks better of it.
	g3 := spendOf(community.money("POST", "/api/v1/budgets/spends", grant(bf.potA.ID, bf.foodbank.ID, 2500, "HX1 1AA")).want(http.StatusCreated))
	withdraw := path("/api/v1/budgets/spends/%d/withdrawal", g3.ID)
	bf.as(bf.choirMember).money("POST", withdraw, api.WithdrawalBody{Reason: "Not ours", Version: new(g3.Version)}).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	bf.as(bf.admin).money("POST", withdraw, api.WithdrawalBody{Reason: "Not ours", Version: new(g3.Version)}).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	community.money("POST", withdraw, api.WithdrawalBody{Version: new(g3.Version)}).wantError(http.StatusBadRequest, linkwork.EINVALID, "reason")
	community.money("POST", withdraw, api.WithdrawalBody{Reason: "Found other money", Version: new(g3.Version + 1)}).wantError(http.StatusConflict, linkwork.ECONFLICT, "-")
	community.money("POST", withdraw, api.WithdrawalBody{Reason: "Found other money"}).wantError(http.StatusBadRequest, linkwork.EINVALID, "version")
	g3 = spendOf(community.money("POST", withdraw, api.WithdrawalBody{Reason: "Found other money", Version: new(g3.Version)}).want(http.StatusOK))
	if g3.Status != linkwork.SpendWithdrawn || g3.DecisionReason != "Found other money" {
		t.Fatalf("G3 withdrawn: %+v", g3)
	}
	worker.money("POST", path("/api/v1/budgets/spends/%d/withdrawal", g2.ID), api.WithdrawalBody{Reason: "Too late", Version: new(g2.Version)}).
		wantError(http.StatusBadRequest, linkwork.EINVALID, "-") // paid

	// Refunds: £20 of P2 comes back; no more than was paid.
	refund := path("/api/v1/budgets/spends/%d/refunds", p2.ID)
	manager.money("POST", refund, api.RefundBody{Amount: 8001}).wantError(http.StatusBadRequest, linkwork.EINVALID, "amount_pence")
	manager.money("POST", refund, `{"amount_pence": 20.5}`).wantError(http.StatusBadRequest, linkwork.EINVALID, "amount_pence")
	manager.money("POST", refund, api.RefundBody{Amount: -2000}).wantError(http.StatusBadRequest, linkwork.EINVALID, "amount_pence")
	bf.as(bf.referrer).money("POST", refund, api.RefundBody{Amount: 2000}).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	bf.as(bf.councilWorker).money("POST", refund, api.RefundBody{Amount: 2000}).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	key = newKey()
	var e linkwork.LedgerEntry
	manager.send("POST", refund, api.RefundBody{Amount: 2000, Note: "Pass not needed for the last week"}, key).want(http.StatusCreated).decode(&e)
	if e.Kind != linkwork.EntryRefund || e.Amount != 2000 || e.SpendID != p2.ID || e.FundsDelta != 2000 {
		t.Fatalf("refund %+v", e)
	}
	manager.send("POST", refund, api.RefundBody{Amount: 2000}, key).wantError(http.StatusConflict, linkwork.ECONFLICT, "-")

	// GC: a council link worker applies from the council's pot for the choir, at Town, and
	// (within its threshold) approves and pays it.
	council := bf.as(bf.councilWorker)
	gc := spendOf(council.money("POST", "/api/v1/budgets/spends", grant(bf.potC.ID, bf.choir.ID, 4000, "HX3 5AX")).want(http.StatusCreated))
	gc = spendOf(council.money("POST", path("/api/v1/budgets/spends/%d/decision", gc.ID), api.DecisionBody{Approve: new(true), Version: new(gc.Version)}).want(http.StatusOK))
	gc = spendOf(council.money("POST", path("/api/v1/budgets/spends/%d/payment", gc.ID), api.VersionBody{Version: new(gc.Version)}).want(http.StatusOK))
	if gc.Status != linkwork.SpendPaid || gc.GroupName != bf.choir.Name {
		t.Fatalf("GC %+v", gc)
	}
	bf.p1, bf.p2, bf.g1, bf.g2, bf.g3, bf.gc = p1.ID, p2.ID, g1.ID, g2.ID, g3.ID, gc.ID

	if b := bf.pot(bf.potA.ID).Balance; b.Allocated != 65000 || b.Spent != 1250+6000+15000+3000 || b.Committed != 0 ||
		b.Available != 65000-25250 {
		t.Fatalf("pot A: %+v", b)
	}
}

func testSpendBadInput(t *testing.T, bf *budgetFixture) {
	worker := bf.as(bf.worker)
	// A pot closed, to spend from.
	var closed linkwork.BudgetPot
	b := bf.potBody(bf.health, "Closed pot")
	b.InitialAmount = 0
	bf.as(bf.manager).money("POST", "/api/v1/budgets/pots", b).want(http.StatusCreated).decode(&closed)
	bf.as(bf.manager).do("POST", path("/api/v1/budgets/pots/%d/close", closed.ID), api.VersionBody{Version: new(closed.Version)}).want(http.StatusOK)
	spends, ledgerA, ledgerB := bf.spendCount(), bf.ledgerLen(bf.potA.ID), bf.ledgerLen(bf.potB.ID)

	personal := func(fn func(*api.SpendBody)) api.SpendBody {
		s := bf.personal(bf.potA.ID, 1000)
		fn(&s)
		return s
	}
	for _, c := range []struct {
		name, field string
		body        any
	}{
		{"fractional", "amount_pence", `{"pot_id":` + idString(bf.potA.ID) + `,"kind":"personal","amount_pence":12.5}`},
		{"pounds as text", "amount_pence", `{"amount_pence":"12.50"}`},
		{"negative", "amount_pence", personal(func(s *api.SpendBody) { s.Amount = -1000 })},
		{"nothing", "amount_pence", personal(func(s *api.SpendBody) { s.Amount = 0 })},
		{"more than the pot allows an item", "amount_pence", personal(func(s *api.SpendBody) { s.Amount = 20001 })},
		// Pot B has £100 and no item limit: £100.01 overspends it.
		{"overspend", "amount_pence", personal(func(s *api.SpendBody) { s.PotID, s.Amount = bf.potB.ID, 10001 })},
		{"a closed pot", "", personal(func(s *api.SpendBody) { s.PotID = closed.ID })},
		{"no pot", "pot_id", personal(func(s *api.SpendBody) { s.PotID = 0 })},
		{"another place's pot", "pot_id", personal(func(s *api.SpendBody) { s.PotID = 999999 })},
		{"no kind", "kind", personal(func(s *api.SpendBody) { s.Kind = "" })},
		{"a kind the pot does not allow", "", grant(bf.potB.ID, bf.foodbank.ID, 1000, "HX1 1AA")},
		{"a need that is not one", "need", personal(func(s *api.SpendBody) { s.Need = "yachts" })},
		{"someone not on the caseload", "person_id", personal(func(s *api.SpendBody) { s.PersonID = 999999 })},
		{"no goal", "goal_id", personal(func(s *api.SpendBody) { s.GoalID = 0 })},
		{"a group outside the place", "group_organisation_id", grant(bf.potA.ID, bf.wakefield.ID, 1000, "HX1 1AA")},
		{"an unknown postcode", "postcode", grant(bf.potA.ID, 0, 1000, "ZZ9 9ZZ")},
		{"the person's name", "person_name", `{"person_name":"Pat Spender"}`},
	} {
		res := worker.money("POST", "/api/v1/budgets/spends", c.body)
		e := res.wantError(http.StatusBadRequest, linkwork.EINVALID, "")
		if c.field != "" {
			wantFields(t, res, c.field)
		}
		if c.name == "a closed pot" && !strings.Contains(e.Message, "closed") {
			t.Errorf("a closed pot: %q does not say it is closed", e.Message)
		}
	}
	worker.send("POST", "/api/v1/budgets/spends", bf.personal(bf.potA.ID, 1000), "").
		wantError(http.StatusBadRequest, linkwork.EINVALID, "Idempotency-Key")
	// The same key twice: the second does nothing.
	key := newKey()
	worker.send("POST", "/api/v1/budgets/spends", bf.personal(bf.potB.ID, 500), key).want(http.StatusCreated)
	worker.send("POST", "/api/v1/budgets/spends", bf.personal(bf.potB.ID, 500), key).wantError(http.StatusConflict, linkwork.ECONFLICT, "-")
	if s, a, b := bf.spendCount(), bf.ledgerLen(bf.potA.ID), bf.ledgerLen(bf.potB.ID); s != spends+1 || a != ledgerA || b != ledgerB+1 {
		t.Fatalf("after refusals and one spend: %d spends, %d and %d entries; want %d, %d and %d", s, a, b, spends+1, ledgerA, ledgerB+1)
	}
	if p := bf.pot(bf.potB.ID); p.Balance.Available != 9500 {
		t.Fatalf("pot B: %+v", p.Balance)
	}
}

func testSpendsByRole(t *testing.T, bf *budgetFixture) {
	personal := bf.personal(bf.potA.ID, 1000)
	spends := bf.spendCount()
	// Who may not spend from pot A: the council's link worker, a group (for a person), and
	// those who spend from no pot.
	bf.as(bf.councilWorker).money("POST", "/api/v1/budgets/spends", personal).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	bf.as(bf.community).money("POST", "/api/v1/budgets/spends", personal).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	for _, u := range []*linkwork.User{bf.admin, bf.commissioner, bf.referrer} {
		bf.as(u).money("POST", "/api/v1/budgets/spends", personal).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	}
	// A group applies for itself only, and only to a pot open to applications.
	bf.as(bf.community).money("POST", "/api/v1/budgets/spends", grant(bf.potA.ID, bf.choir.ID, 1000, "HX1 1AA")).
		wantError(http.StatusBadRequest, linkwork.EINVALID, "group_organisation_id")
	bf.as(bf.community).money("POST", "/api/v1/budgets/spends", grant(bf.potC.ID, bf.foodbank.ID, 1000, "HX1 1AA")).
		wantError(http.StatusBadRequest, linkwork.EINVALID, "pot_id")
	// Pot B is the health link worker's own: the council's link worker cannot spend from it.
	bf.as(bf.councilWorker).money("POST", "/api/v1/budgets/spends", bf.personal(bf.potB.ID, 100)).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	if n := bf.spendCount(); n != spends {
		t.Fatalf("refused spends were written: %d, want %d", n, spends)
	}

	// One spend: through its pot, or by the group a grant is to. A personal spend's person
	// only for the organisation that holds the pot.
	p1 := path("/api/v1/budgets/spends/%d", bf.p1)
	for _, c := range []struct {
		u          *linkwork.User
		status     int
		withPerson bool
	}{
		{bf.worker, 200, true}, {bf.manager, 200, true}, {bf.admin, 200, false}, {bf.commissioner, 200, false},
		{bf.councilWorker, 404, false}, {bf.community, 404, false}, {bf.adminB, 404, false}, {bf.referrer, 403, false},
	} {
		res := bf.as(c.u).do("GET", p1, nil).want(c.status)
		if c.status != 200 {
			continue
		}
		s := spendOf(res)
		if (s.PersonID != 0) != c.withPerson || (s.GoalID != 0) != c.withPerson || (s.Reason != "") != c.withPerson {
			t.Errorf("%s reads P1 as %+v: with the person %v", c.u.Name, s, c.withPerson)
		}
		if strings.Contains(string(res.body), "Pat") {
			t.Errorf("%s reads P1 with the person's name: %s", c.u.Name, res.body)
		}
	}
	g1 := path("/api/v1/budgets/spends/%d", bf.g1)
	bf.as(bf.community).do("GET", g1, nil).want(http.StatusOK)
	bf.as(bf.choirMember).do("GET", g1, nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	bf.as(bf.admin).do("GET", "/api/v1/budgets/spends/999999", nil).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")

	// Lists: each sees their own, and a list that names people is audited.
	ids := func(u *linkwork.User, query string) []int64 {
		var out []int64
		for _, s := range decodeList[linkwork.Spend](bf.as(u).do("GET", "/api/v1/budgets/spends"+query, nil).want(http.StatusOK)).Items {
			if s.Kind == linkwork.SpendPersonal && (s.PersonID != 0) != (u == bf.worker || u == bf.manager) {
				t.Errorf("%s lists spend %d with person %d", u.Name, s.ID, s.PersonID)
			}
			out = append(out, s.ID)
		}
		sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
		return out
	}
	all := ids(bf.admin, "")
	if len(all) != 7 || !slices.Contains(all, bf.gc) || !slices.Contains(all, bf.p1) {
		t.Errorf("admin lists %v", all)
	}
	for _, c := range []struct {
		u     *linkwork.User
		query string
		want  []int64
	}{
		{bf.community, "", sortedIDs(bf.g1, bf.g2, bf.g3)},
		{bf.community, "?status=paid,reported", sortedIDs(bf.g1, bf.g2)},
		{bf.choirMember, "", []int64{bf.gc}},
		{bf.councilWorker, "", []int64{bf.gc}},
		{bf.worker, "?kind=micro_grant", sortedIDs(bf.g1, bf.g2, bf.g3)},
		{bf.worker, path("?pot_id=%d&kind=personal&status=paid&status=reversed", bf.potA.ID), sortedIDs(bf.p1, bf.p2)},
		{bf.commissioner, path("?pot_id=%d", bf.potC.ID), []int64{bf.gc}},
	} {
		if got := ids(c.u, c.query); !slices.Equal(got, c.want) {
			t.Errorf("%s lists %v for %q, want %v", c.u.Name, got, c.query, c.want)
		}
	}
	events, _, err := bf.svc.Audit.ListAudit(t.Context(), linkwork.AuditFilter{PlaceID: bf.placeA.ID, Action: linkwork.AuditSpendList,
		ActorUserID: bf.worker.ID})
	must(t, err)
	if len(events) == 0 {
		t.Error("the worker's lists of personal spends were not audited")
	}
	events, _, err = bf.svc.Audit.ListAudit(t.Context(), linkwork.AuditFilter{PlaceID: bf.placeA.ID, Action: linkwork.AuditSpendList,
		ActorUserID: bf.admin.ID})
	must(t, err)
	if len(events) != 0 {
		t.Errorf("the administrator, who sees no one, was audited as seeing people: %+v", events)
	}
	for q, field := range map[string]string{"?kind=gift": "kind", "?status=spent": "status", "?pot_id=x": "pot_id", "?page=0": "page"} {
		bf.as(bf.worker).do("GET", "/api/v1/budgets/spends"+q, nil).wantError(http.StatusBadRequest, linkwork.EINVALID, field)
	}
	bf.as(bf.referrer).do("GET", "/api/v1/budgets/spends", nil).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
}

func testBudgetReversalAndClose(t *testing.T, bf *budgetFixture) {
	manager := bf.as(bf.manager)
	var p1Payment linkwork.LedgerEntry
	for _, e := range decodeList[linkwork.LedgerEntry](manager.do("GET", path("/api/v1/budgets/pots/%d/ledger", bf.potA.ID), nil).want(http.StatusOK)).Items {
		if e.SpendID == bf.p1 && e.Kind == linkwork.EntrySpend {
			p1Payment = e
		}
	}
	if p1Payment.ID == 0 {
		t.Fatal("P1's payment is not in pot A's ledger")
	}
	reverse := path("/api/v1/budgets/entries/%d/reversal", p1Payment.ID)
	entries := bf.ledgerLen(bf.potA.ID)
	manager.money("POST", reverse, api.ReasonBody{}).wantError(http.StatusBadRequest, linkwork.EINVALID, "reason")
	manager.send("POST", reverse, api.ReasonBody{Reason: "Paid from the wrong pot"}, "").wantError(http.StatusBadRequest, linkwork.EINVALID, "Idempotency-Key")
	bf.as(bf.worker).money("POST", reverse, api.ReasonBody{Reason: "Mine"}).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	bf.as(bf.admin).money("POST", path("/api/v1/budgets/entries/%d/reversal", 999999), api.ReasonBody{Reason: "No such"}).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	// The health manager cannot reach the council pot's entries.
	var councilEntry linkwork.LedgerEntry
	for _, e := range decodeList[linkwork.LedgerEntry](bf.as(bf.admin).do("GET", path("/api/v1/budgets/pots/%d/ledger", bf.potC.ID), nil).want(http.StatusOK)).Items {
		councilEntry = e
	}
	manager.money("POST", path("/api/v1/budgets/entries/%d/reversal", councilEntry.ID), api.ReasonBody{Reason: "Not mine"}).
		wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	if n := bf.ledgerLen(bf.potA.ID); n != entries {
		t.Fatalf("refused reversals were written: %d entries, want %d", n, entries)
	}

	key := newKey()
	var rev linkwork.LedgerEntry
	manager.send("POST", reverse, api.ReasonBody{Reason: "Paid from the wrong pot"}, key).want(http.StatusCreated).decode(&rev)
	if rev.Kind != linkwork.EntryReversal || rev.ReversesID != p1Payment.ID || rev.FundsDelta != 1250 || rev.CountsAs != linkwork.EntrySpend {
		t.Fatalf("reversal %+v", rev)
	}
	manager.send("POST", reverse, api.ReasonBody{Reason: "Paid from the wrong pot"}, key).wantError(http.StatusConflict, linkwork.ECONFLICT, "-")
	manager.money("POST", reverse, api.ReasonBody{Reason: "Again"}).wantError(http.StatusBadRequest, linkwork.EINVALID, "-")
	if s := spendOf(manager.do("GET", path("/api/v1/budgets/spends/%d", bf.p1), nil).want(http.StatusOK)); s.Status != linkwork.SpendReversed {
		t.Fatalf("P1 after its payment's reversal: %+v", s)
	}

	// Closing: refused with money committed, at a stale version, or without one.
	g := spendOf(bf.as(bf.community).money("POST", "/api/v1/budgets/spends", grant(bf.potA.ID, bf.foodbank.ID, 1000, "HX1 1AA")).want(http.StatusCreated))
	g = spendOf(bf.as(bf.worker).money("POST", path("/api/v1/budgets/spends/%d/decision", g.ID), api.DecisionBody{Approve: new(true), Version: new(g.Version)}).want(http.StatusOK))
	a := bf.pot(bf.potA.ID)
	closeA := path("/api/v1/budgets/pots/%d/close", a.ID)
	manager.do("POST", closeA, api.VersionBody{Version: new(a.Version)}).wantError(http.StatusBadRequest, linkwork.EINVALID, "-")
	bf.as(bf.worker).money("POST", path("/api/v1/budgets/spends/%d/withdrawal", g.ID), api.WithdrawalBody{Reason: "Pot closing", Version: new(g.Version)}).want(http.StatusOK)
	manager.do("POST", closeA, api.VersionBody{}).wantError(http.StatusBadRequest, linkwork.EINVALID, "version")
	manager.do("POST", closeA, api.VersionBody{Version: new(a.Version + 1)}).wantError(http.StatusConflict, linkwork.ECONFLICT, "-")
	bf.as(bf.worker).do("POST", closeA, api.VersionBody{Version: new(a.Version)}).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	manager.do("POST", path("/api/v1/budgets/pots/%d/close", bf.potC.ID), api.VersionBody{Version: new(1)}).wantError(http.StatusNotFound, linkwork.ENOTFOUND, "-")
	// Pot B closes; it takes no more money.
	b := bf.pot(bf.potB.ID)
	var closed linkwork.BudgetPot
	manager.do("POST", path("/api/v1/budgets/pots/%d/close", b.ID), api.VersionBody{Version: new(b.Version)}).want(http.StatusOK).decode(&closed)
	if closed.Status != linkwork.PotClosed || closed.ClosedBy != bf.manager.Name || closed.ClosedAt == nil {
		t.Fatalf("pot B closed: %+v", closed)
	}
	manager.money("POST", path("/api/v1/budgets/pots/%d/allocations", b.ID), api.AllocationBody{Amount: 100}).wantError(http.StatusBadRequest, linkwork.EINVALID, "")
	res := bf.as(bf.worker).money("POST", "/api/v1/budgets/spends", bf.personal(b.ID, 100))
	if e := res.wantError(http.StatusBadRequest, linkwork.EINVALID, ""); !strings.Contains(e.Message, "closed") {
		t.Errorf("a spend from a closed pot: %q", e.Message)
	}
}

// testBudgetReport checks the spend report against the spends made above: P1 £12.50
// reversed (nothing), P2 £80 less £20 paid back (£60, money, Park), G1 £150 (loneliness,
// Town, the food bank, reported), G2 £30 (loneliness, Park, the food bank, owing its
// report), G3 withdrawn, the £10 grant withdrawn, GC £40 from the council's pot (loneliness,
// Town, the choir, owing its report), and £5 from pot B (money, Park).
func testBudgetReport(t *testing.T, bf *budgetFixture) {
	var r linkwork.SpendReport
	bf.as(bf.commissioner).do("GET", "/api/v1/budgets/report", nil).want(http.StatusOK).decode(&r)
	line := func(l *linkwork.SpendLine) string {
		return l.Key + " " + l.Label + " " + idString(int64(l.IMDDecile)) + " " + idString(int64(l.Grants)) + " " +
			idString(int64(l.Personal)) + " " + idString(int64(l.Amount))
	}
	lines := func(ls []*linkwork.SpendLine) []string {
		var out []string
		for _, l := range ls {
			out = append(out, line(l))
		}
		return out
	}
	if r.Total != 6000+15000+3000+4000+500 || r.Spends != 5 || len(r.Filter.OrganisationIDs) != 0 {
		t.Errorf("total %d of %d spends for %v", r.Total, r.Spends, r.Filter.OrganisationIDs)
	}
	for _, c := range []struct {
		name string
		got  []string
		want []string
	}{
		{"by need", lines(r.ByNeed), []string{"loneliness Loneliness and isolation 0 3 0 22000", "money_debt Money and debt 0 0 2 6500"}},
		{"by neighbourhood", lines(r.ByNeighbourhood), []string{"E01010994 Park 1 1 2 9500", "E01010995 Town 6 2 0 19000"}},
		{"by group", lines(r.ByGroup), []string{idString(bf.foodbank.ID) + " " + bf.foodbank.Name + " 0 2 0 18000",
			idString(bf.choir.ID) + " " + bf.choir.Name + " 0 1 0 4000"}},
		{"by pot", lines(r.ByPot), []string{idString(bf.potA.ID) + " " + bf.potA.Name + " 0 2 1 24000",
			idString(bf.potC.ID) + " " + bf.potC.Name + " 0 1 0 4000", idString(bf.potB.ID) + " " + bf.potB.Name + " 0 0 1 500"}},
	} {
		if !slices.Equal(c.got, c.want) {
			t.Errorf("%s:\n%q\nwant\n%q", c.name, c.got, c.want)
		}
	}
	if len(r.ByScheme) != 2 {
		t.Errorf("by scheme %q", lines(r.ByScheme))
	}
	if len(r.Outstanding) != 2 || r.Outstanding[0].ID != bf.g2 || r.Outstanding[1].ID != bf.gc {
		t.Fatalf("outstanding %+v", r.Outstanding)
	}
	// No personal data: no contact, no staff names, no person.
	raw := string(bf.as(bf.commissioner).do("GET", "/api/v1/budgets/report", nil).want(http.StatusOK).body)
	for _, secret := range []string{"Grace", "grace@example.org", bf.worker.Name, bf.community.Name, bf.councilWorker.Name, "Pat",
		"person_id", "contact_", "purpose", "Bus pass"} {
		if strings.Contains(raw, secret) {
			t.Errorf("the report shows %q: %s", secret, raw)
		}
	}

	// A manager reports on their own organisation's pots; an administrator on any one.
	var mine linkwork.SpendReport
	bf.as(bf.manager).do("GET", "/api/v1/budgets/report", nil).want(http.StatusOK).decode(&mine)
	if mine.Total != 24000+500 || len(mine.Outstanding) != 1 || !slices.Equal(mine.Filter.OrganisationIDs, []int64{bf.health.ID}) {
		t.Errorf("the manager's report: %d, outstanding %d, organisations %v", mine.Total, len(mine.Outstanding), mine.Filter.OrganisationIDs)
	}
	var council linkwork.SpendReport
	bf.as(bf.admin).do("GET", path("/api/v1/budgets/report?organisation_id=%d&from=%s&to=%s", bf.council.ID, day(-1), day(1)), nil).
		want(http.StatusOK).decode(&council)
	if council.Total != 4000 || len(council.ByPot) != 1 || len(council.Outstanding) != 1 {
		t.Errorf("the council's report: %+v", council)
	}
	var before linkwork.SpendReport
	bf.as(bf.admin).do("GET", "/api/v1/budgets/report?from=2020-01-01&to=2020-12-31", nil).want(http.StatusOK).decode(&before)
	if before.Total != 0 || before.Spends != 0 || len(before.ByNeed) != 0 {
		t.Errorf("a year with no spending: %+v", before)
	}
	for q, field := range map[string]string{
		"?from=1%2F4%2F2026":                         "from",
		"?from=2020-04-01&to=2025-04-01":             "to",
		"?from=2026-05-02&to=2026-05-01":             "to",
		path("?organisation_id=%d", bf.council.ID):   "organisation_id",
		path("?organisation_id=%d", bf.wakefield.ID): "organisation_id",
	} {
		bf.as(bf.manager).do("GET", "/api/v1/budgets/report"+q, nil).wantError(http.StatusBadRequest, linkwork.EINVALID, field)
	}
	for _, u := range []*linkwork.User{bf.worker, bf.community, bf.referrer} {
		bf.as(u).do("GET", "/api/v1/budgets/report", nil).wantError(http.StatusForbidden, linkwork.EFORBIDDEN, "-")
	}
}

// TestBudgetSchemasMatchGoTypes checks the budget schemas of openapi.json against the Go
// types they describe, as TestSchemasMatchGoTypes does for the rest.
func TestBudgetSchemasMatchGoTypes(t *testing.T) {
	d := openAPIDoc(t)
	answers := map[string]any{
		"BudgetPot": linkwork.BudgetPot{}, "PotBalance": linkwork.PotBalance{}, "LedgerEntry": linkwork.LedgerEntry{},
		"Spend": linkwork.Spend{}, "GrantReport": linkwork.GrantReport{}, "SpendReport": linkwork.SpendReport{},
		"SpendReportFilter": linkwork.SpendReportFilter{}, "SpendLine": linkwork.SpendLine{},
		"BudgetPotList": api.List[*linkwork.BudgetPot]{}, "LedgerEntryList": api.List[*linkwork.LedgerEntry]{},
		"SpendList": api.List[*linkwork.Spend]{},
	}
	bodies := map[string]any{
		"PotBody": api.PotBody{}, "AllocationBody": api.AllocationBody{}, "VersionBody": api.VersionBody{},
		"ReasonBody": api.ReasonBody{}, "SpendBody": api.SpendBody{}, "DecisionBody": api.DecisionBody{},
		"WithdrawalBody": api.WithdrawalBody{}, "RefundBody": api.RefundBody{}, "GrantReportBody": api.GrantReportBody{},
	}
	check := func(name string, v any, required bool) {
		s, _ := d.at(pointer("components", "schemas", name)).(map[string]any)
		if s == nil {
			t.Errorf("openapi.json has no schema %s", name)
			return
		}
		all, always := goFields(reflect.TypeOf(v))
		if props := keys(s["properties"]); !slices.Equal(props, all) {
			t.Errorf("schema %s has properties %v; the Go type %T has JSON fields %v", name, props, v, all)
		}
		if !required {
			return
		}
		var req []string
		for _, r := range s["required"].([]any) {
			req = append(req, r.(string))
		}
		sort.Strings(req)
		if !slices.Equal(req, always) {
			t.Errorf("schema %s requires %v; the Go type %T always has %v", name, req, v, always)
		}
	}
	for name, v := range answers {
		check(name, v, true)
	}
	for name, v := range bodies {
		check(name, v, false)
	}
	enum := func(name string) []string {
		var out []string
		for _, v := range d.at(pointer("components", "schemas", name, "enum")).([]any) {
			out = append(out, v.(string))
		}
		return out
	}
	strs := func(vs ...string) []string { return vs }
	var statuses, kinds, holders []string
	for _, s := range linkwork.SpendStatuses {
		statuses = append(statuses, string(s))
	}
	for _, k := range linkwork.SpendKinds {
		kinds = append(kinds, string(k))
	}
	for _, h := range linkwork.PotHolders {
		holders = append(holders, string(h))
	}
	for name, want := range map[string][]string{"SpendStatus": statuses, "SpendKind": kinds, "PotHolder": holders,
		"PotStatus": strs(string(linkwork.PotOpen), string(linkwork.PotClosed)),
		"EntryKind": strs(string(linkwork.EntryAllocation), string(linkwork.EntryCommitment), string(linkwork.EntryRelease),
			string(linkwork.EntrySpend), string(linkwork.EntryRefund), string(linkwork.EntryReversal))} {
		if got := enum(name); !slices.Equal(got, want) {
			t.Errorf("%s enum %v, want %v", name, got, want)
		}
	}
}
