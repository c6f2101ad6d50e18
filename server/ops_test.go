package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"linkwork/sqldb/sqldbtest"
)

func TestHealthz(t *testing.T) {
	db := sqldbtest.Open(t, "sqlite")
	f := newFixture(t, db)
	res := f.request("GET", "/healthz", "anonymous", "")
	var body map[string]string
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || body["status"] != "ok" || body["database"] != "sqlite" {
		t.Fatalf("healthz: %d %v", res.StatusCode, body)
	}
	db.Close() // the database goes away
	res = f.request("GET", "/healthz", "anonymous", "")
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("healthz with the database closed: %d, want 503", res.StatusCode)
	}
}

func TestMetrics(t *testing.T) {
	f := newFixture(t, sqldbtest.Open(t, "sqlite"))
	f.request("GET", "/organisations/1", "admin", "")
	f.request("GET", "/organisations/2", "admin", "")
	f.request("GET", "/api/v1/nowhere", "admin", "")
	res := f.request("GET", "/metrics", "anonymous", "")
	b, _ := io.ReadAll(res.Body)
	text := string(b)
	for _, want := range []string{
		`linkwork_http_requests_total{method="GET",route="/organisations/{id}",code="200"} 2`,
		`linkwork_http_request_duration_seconds_count{method="GET",route="/organisations/{id}"} 2`,
		`linkwork_http_request_duration_seconds_bucket{method="GET",route="/organisations/{id}",le="+Inf"} 2`,
		`code="404"`,
		"# TYPE linkwork_db_open_connections gauge",
		"linkwork_db_max_open_connections 8",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if strings.Contains(text, `route="/organisations/1"`) {
		t.Error("metrics use paths, not route patterns: IDs would multiply the series")
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("Content-Type %q", ct)
	}
}
