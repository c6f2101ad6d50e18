package oruk

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// refDir holds the Open Referral schemas, examples and validator fixtures. It is not part of
// the repository: CI checks out shared/ beside it, as on the machine the project is built on.
const refDir = "../../shared/reference"

// The standards every response is checked against: the ORUK 3.0 UK profile, and HSDS 3.0
// that it profiles.
var standards = map[string]string{
	"ORUK 3.0 UK profile": "oruk-3.0-uk-profile/schema",
	"HSDS 3.0":            "hsds-3.0/schema",
}

// The kinds of response, by the schema that describes them, relative to a standard's
// schema folder; a list is a page of the given item.
type shape struct {
	schema string // file and JSON pointer
	page   bool   // an HSDS page with this as its contents
	array  bool   // a JSON array of this
}

var shapes = map[string]shape{
	"root":                     {schema: "openapi.json#/paths/~1/get/responses/200/content/application~1json/schema"},
	"service":                  {schema: "compiled/service.json"},
	"service list":             {schema: "compiled/service_list.json", page: true},
	"service_at_location":      {schema: "compiled/service_at_location.json"},
	"service_at_location list": {schema: "compiled/service_at_location_list.json", page: true},
	"taxonomy":                 {schema: "taxonomy.json"},
	"taxonomy list":            {schema: "taxonomy.json", page: true},
	"taxonomy_term":            {schema: "taxonomy_term.json"},
	"taxonomy_term list":       {schema: "taxonomy_term.json", page: true},
	"service array":            {schema: "compiled/service.json", array: true},
}

type schemaSet struct {
	mu       sync.Mutex
	compiler *jsonschema.Compiler
	compiled map[string]*jsonschema.Schema
}

var schemasOnce = sync.OnceValues(func() (*schemaSet, error) {
	abs, err := filepath.Abs(refDir)
	if err != nil {
		return nil, err
	}
	for _, dir := range standards {
		if _, err := os.Stat(filepath.Join(abs, dir, "compiled", "service.json")); err != nil {
			return nil, fmt.Errorf("the Open Referral schemas are missing: %v\n"+
				"The tests read them from %s (shared/reference beside the repository); check it out there", err, abs)
		}
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat() // uuid, email, uri and date-time are checked
	return &schemaSet{compiler: c, compiled: map[string]*jsonschema.Schema{}}, nil
})

// schemaFor compiles the schema of a kind of response in a standard.
func schemaFor(t testing.TB, standard, kind string) *jsonschema.Schema {
	t.Helper()
	set, err := schemasOnce()
	if err != nil {
		t.Fatal(err)
	}
	set.mu.Lock()
	defer set.mu.Unlock()
	key := standard + "|" + kind
	if s := set.compiled[key]; s != nil {
		return s
	}
	sh, ok := shapes[kind]
	if !ok {
		t.Fatalf("no schema for %q", kind)
	}
	abs, _ := filepath.Abs(filepath.Join(refDir, standards[standard]))
	ref := "file://" + filepath.ToSlash(abs) + "/" + sh.schema
	loc := ref
	if sh.page || sh.array {
		var doc map[string]any
		if sh.page {
			doc = map[string]any{
				"allOf":      []any{map[string]any{"$ref": "file://" + filepath.ToSlash(abs) + "/openapi.json#/components/schemas/Page"}},
				"required":   []any{"total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty", "contents"},
				"properties": map[string]any{"contents": map[string]any{"type": "array", "items": map[string]any{"$ref": ref}}},
			}
		} else {
			doc = map[string]any{"type": "array", "items": map[string]any{"$ref": ref}}
		}
		loc = fmt.Sprintf("https://linkwork.test/schemas/%d.json", len(set.compiled))
		if err := set.compiler.AddResource(loc, doc); err != nil {
			t.Fatal(err)
		}
	}
	s, err := set.compiler.Compile(loc)
	if err != nil {
		t.Fatalf("compile %s schema %s: %v", standard, kind, err)
	}
	set.compiled[key] = s
	return s
}

// validate checks a JSON document against a kind's schema in every standard.
func validate(t testing.TB, kind string, body []byte) {
	t.Helper()
	for std := range standards {
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("%s: not JSON: %v\n%s", kind, err, body)
		}
		if err := schemaFor(t, std, kind).Validate(v); err != nil {
			t.Errorf("%s does not validate against %s: %v\n%s", kind, std, err, shorten(body))
		}
	}
}

func shorten(b []byte) string {
	if len(b) > 3000 {
		return string(b[:3000]) + "…"
	}
	return string(b)
}

// TestSchemasCatchMistakes makes sure the checking checks: a service with no status, and one
// with a bad id, fail.
func TestSchemasCatchMistakes(t *testing.T) {
	for _, bad := range []string{`{"id":"ac148810-d857-441c-9679-408f346de14b","name":"x"}`,
		`{"id":"not-a-uuid","name":"x","status":"active"}`,
		`{"total_items":1,"contents":[]}`} {
		kind := "service"
		if bytes.Contains([]byte(bad), []byte("contents")) {
			kind = "service list"
		}
		v, _ := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(bad)))
		for std := range standards {
			if err := schemaFor(t, std, kind).Validate(v); err == nil {
				t.Errorf("%s: %s validated against %s", kind, bad, std)
			}
		}
	}
	// And the standards' own examples pass.
	for file, kind := range map[string]string{"service_full.json": "service", "service_list.json": "service list",
		"taxonomy.json": "taxonomy", "taxonomy_term_list.json": "taxonomy_term list"} {
		body, err := os.ReadFile(filepath.Join(refDir, "oruk-3.0-uk-profile/examples", file))
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatal(err)
		}
		v, _ := jsonschema.UnmarshalJSON(bytes.NewReader(body))
		if err := schemaFor(t, "ORUK 3.0 UK profile", kind).Validate(v); err != nil {
			t.Errorf("the UK profile's example %s does not validate: %v", file, err)
		}
	}
}
