package api

import (
	"net/http/httptest"
	"strings"
	"testing"

	"linkwork"
)

// FuzzDecode sends arbitrary bodies to the JSON decoder every API write uses: it must never
// panic, and every refusal must be an EINVALID error with a message.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"name":"x","sector":"nhs"}`, `{"name":1}`, `{"bogus":true}`, `{}{}`, `[`, ``, `null`,
		`{"name":"x"} trailing`, `{"organisation_id":"7"}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest("POST", "/api/v1/users", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		var v NewUser
		err := decode(httptest.NewRecorder(), r, &v)
		if err == nil {
			return
		}
		if linkwork.ErrorCode(err) != linkwork.EINVALID || linkwork.ErrorMessage(err) == "" {
			t.Fatalf("body %q: error %v", body, err)
		}
	})
}

// FuzzPageParams checks that page and per_page are either accepted within range or refused
// with the field named.
func FuzzPageParams(f *testing.F) {
	for _, s := range []string{"page=1&per_page=50", "page=0", "per_page=201", "page=abc", "per_page=-1", "page=99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		r := httptest.NewRequest("GET", "/api/v1/organisations", nil)
		r.URL.RawQuery = q
		p, err := pageParams(r)
		if err != nil {
			if f := linkwork.ErrorField(err); f != "page" && f != "per_page" {
				t.Fatalf("query %q: error without the field: %v", q, err)
			}
			return
		}
		if p.Number < 1 || p.Size < 1 || p.Size > linkwork.MaxPageSize {
			t.Fatalf("query %q accepted out of range: %+v", q, p)
		}
	})
}
