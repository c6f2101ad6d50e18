package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"linkwork"
	"linkwork/api"
)

// docURL is where the compiler keeps the OpenAPI document; schemas are compiled from JSON
// pointers into it, so that "#/components/schemas/X" references resolve within it.
const docURL = "https://linkwork.test/api/v1/openapi.json"

// methods are the HTTP methods an OpenAPI path item may hold.
var methods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// apiDoc is the parsed OpenAPI document with a compiler for the schemas in it.
type apiDoc struct {
	root map[string]any

	mu       sync.Mutex // guards compiler and schemas: a Compiler is not safe for concurrent use
	compiler *jsonschema.Compiler
	schemas  map[string]*jsonschema.Schema
}

var loadDoc = sync.OnceValues(func() (*apiDoc, error) {
	var root map[string]any
	if err := json.Unmarshal(api.OpenAPI(), &root); err != nil {
		return nil, fmt.Errorf("openapi.json is not JSON: %w", err)
	}
	// The compiler gets its own copy, read with json.Number, as the library wants.
	res, err := jsonschema.UnmarshalJSON(bytes.NewReader(api.OpenAPI()))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020) // OpenAPI 3.1's default dialect
	c.AssertFormat()                     // so that date-time, email and uri are checked
	if err := c.AddResource(docURL, res); err != nil {
		return nil, err
	}
	return &apiDoc{root: root, compiler: c, schemas: map[string]*jsonschema.Schema{}}, nil
})

func openAPIDoc(t testing.TB) *apiDoc {
	t.Helper()
	d, err := loadDoc()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// pointer makes a JSON pointer from tokens.
func pointer(tokens ...string) string {
	var b strings.Builder
	for _, tok := range tokens {
		b.WriteString("/" + strings.ReplaceAll(strings.ReplaceAll(tok, "~", "~0"), "/", "~1"))
	}
	return b.String()
}

// at returns the value at a JSON pointer of the document, or nil.
func (d *apiDoc) at(ptr string) any {
	var v any = d.root
	if ptr == "" {
		return v
	}
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch c := v.(type) {
		case map[string]any:
			v = c[tok]
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(c) {
				return nil
			}
			v = c[i]
		default:
			return nil
		}
	}
	return v
}

// deref follows a local "$ref" at ptr (as OpenAPI uses them for responses, parameters and
// headers) and returns the object and its pointer.
func (d *apiDoc) deref(ptr string) (map[string]any, string) {
	for range 10 {
		m, _ := d.at(ptr).(map[string]any)
		ref, ok := m["$ref"].(string)
		if !ok {
			return m, ptr
		}
		ptr = strings.TrimPrefix(ref, "#")
	}
	return nil, ptr
}

// schema compiles (once) the schema at a JSON pointer of the document.
func (d *apiDoc) schema(ptr string) (*jsonschema.Schema, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if s, ok := d.schemas[ptr]; ok {
		return s, nil
	}
	var frag strings.Builder
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		frag.WriteString("/" + url.PathEscape(tok))
	}
	s, err := d.compiler.Compile(docURL + "#" + frag.String())
	if err != nil {
		return nil, fmt.Errorf("compile %s: %w", ptr, err)
	}
	d.schemas[ptr] = s
	return s, nil
}

// paths returns the document's path templates.
func (d *apiDoc) paths() map[string]any {
	m, _ := d.root["paths"].(map[string]any)
	return m
}

// match returns the path template that a request path falls under. As OpenAPI says, a
// concrete path (/practitioners/me) wins over a templated one (/practitioners/{id}): of the
// templates that match, the one with the most literal segments.
func (d *apiDoc) match(path string) (string, bool) {
	segs := strings.Split(path, "/")
	best, bestLiterals := "", -1
	for tmpl := range d.paths() {
		tsegs := strings.Split(tmpl, "/")
		if len(tsegs) != len(segs) {
			continue
		}
		ok, literals := true, 0
		for i, ts := range tsegs {
			if strings.HasPrefix(ts, "{") && strings.HasSuffix(ts, "}") && segs[i] != "" {
				continue
			}
			if ts != segs[i] {
				ok = false
				break
			}
			literals++
		}
		if ok && literals > bestLiterals {
			best, bestLiterals = tmpl, literals
		}
	}
	return best, bestLiterals >= 0
}

// operations lists every "METHOD template" of the document.
func (d *apiDoc) operations() []string {
	var ops []string
	for tmpl, item := range d.paths() {
		for m := range item.(map[string]any) {
			if slices.Contains(methods, m) {
				ops = append(ops, strings.ToUpper(m)+" "+tmpl)
			}
		}
	}
	sort.Strings(ops)
	return ops
}

// operationPtr returns the pointer to an operation, or "" if the document has none.
func (d *apiDoc) operationPtr(method, tmpl string) string {
	ptr := pointer("paths", tmpl, strings.ToLower(method))
	if _, ok := d.at(ptr).(map[string]any); !ok {
		return ""
	}
	return ptr
}

// requestSchema returns the pointer to an operation's JSON request body schema, or "".
func (d *apiDoc) requestSchema(method, tmpl string) string {
	op := d.operationPtr(method, tmpl)
	if op == "" {
		return ""
	}
	body, ptr := d.deref(op + "/requestBody")
	if body == nil {
		return ""
	}
	ptr += pointer("content", "application/json", "schema")
	if d.at(ptr) == nil {
		return ""
	}
	return ptr
}

// validate checks a JSON body against the schema at ptr.
func (d *apiDoc) validate(ptr string, body []byte) error {
	s, err := d.schema(ptr)
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("body is not JSON: %w", err)
	}
	return s.Validate(v)
}

// checkResponse fails the test unless the response is one the document declares for the
// request's path, method and status, with a body and headers that match it. It returns the
// operation ("METHOD template"), or "" for a request no operation describes (which must be
// answered with a JSON 404).
func (d *apiDoc) checkResponse(t testing.TB, method, path string, status int, h http.Header, body []byte) string {
	t.Helper()
	tmpl, ok := d.match(path)
	op := ""
	if ok {
		op = d.operationPtr(method, tmpl)
	}
	if op == "" {
		if status != http.StatusNotFound {
			t.Errorf("%s %s: no operation in openapi.json, yet answered %d, not 404", method, path, status)
		}
		d.checkJSON(t, method, path, "/components/schemas/Error", h, body)
		return ""
	}
	resp, respPtr := d.deref(op + pointer("responses", strconv.Itoa(status)))
	if resp == nil {
		t.Errorf("%s %s answered %d, which openapi.json does not declare for %s %s; body %s", method, path, status, method, tmpl, body)
		return method + " " + tmpl
	}
	if content, _ := resp["content"].(map[string]any); content != nil {
		d.checkJSON(t, method, path, respPtr+pointer("content", "application/json", "schema"), h, body)
	} else if len(bytes.TrimSpace(body)) != 0 {
		t.Errorf("%s %s answered %d with a body, but openapi.json declares none: %s", method, path, status, body)
	}
	headers, _ := resp["headers"].(map[string]any)
	for name := range headers {
		hdr, hptr := d.deref(respPtr + pointer("headers", name))
		got := h.Get(name)
		if got == "" {
			t.Errorf("%s %s answered %d without the header %s that openapi.json declares", method, path, status, name)
			continue
		}
		if sch, _ := hdr["schema"].(map[string]any); sch != nil {
			raw, _ := json.Marshal(got)
			if err := d.validate(hptr+"/schema", raw); err != nil {
				t.Errorf("%s %s: header %s: %q does not match openapi.json: %v", method, path, name, got, err)
			}
		}
	}
	return method + " " + tmpl
}

func (d *apiDoc) checkJSON(t testing.TB, method, path, schemaPtr string, h http.Header, body []byte) {
	t.Helper()
	if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s %s: Content-Type %q, want application/json", method, path, ct)
	}
	if err := d.validate(schemaPtr, body); err != nil {
		t.Errorf("%s %s: the response does not match openapi.json %s:\n%v\nbody: %s", method, path, schemaPtr, err, body)
	}
}

// TestOpenAPIDocument checks the document on its own: version, references, parameters,
// operation IDs, and that every schema in it compiles as JSON Schema 2020-12.
func TestOpenAPIDocument(t *testing.T) {
	d := openAPIDoc(t)
	if v := d.root["openapi"]; v != "3.1.0" {
		t.Errorf("openapi = %v, want 3.1.0", v)
	}
	// Every local reference resolves.
	var walk func(ptr string, v any)
	walk = func(ptr string, v any) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok {
				if !strings.HasPrefix(ref, "#/") || d.at(strings.TrimPrefix(ref, "#")) == nil {
					t.Errorf("%s: $ref %q does not resolve", ptr, ref)
				}
			}
			for k, e := range v {
				walk(ptr+pointer(k), e)
			}
		case []any:
			for i, e := range v {
				walk(ptr+"/"+strconv.Itoa(i), e)
			}
		}
	}
	walk("", d.root)

	schemes, _ := d.at("/components/securitySchemes").(map[string]any)
	if bearer, _ := schemes["bearerAuth"].(map[string]any); bearer["type"] != "http" || bearer["scheme"] != "bearer" {
		t.Errorf("bearerAuth = %v, want an http bearer scheme", bearer)
	}
	if cookie, _ := schemes["cookieAuth"].(map[string]any); cookie["in"] != "cookie" || cookie["name"] != "linkwork_session" {
		t.Errorf("cookieAuth = %v, want the linkwork_session cookie", cookie)
	}

	ids := map[string]string{}
	allowed := map[string]bool{"200": true, "201": true, "204": true, "400": true, "401": true, "403": true, "404": true, "409": true}
	for _, opName := range d.operations() {
		method, tmpl, _ := strings.Cut(opName, " ")
		op := d.operationPtr(method, tmpl)
		opObj := d.at(op).(map[string]any)
		id, _ := opObj["operationId"].(string)
		if id == "" {
			t.Errorf("%s has no operationId", opName)
		} else if other, dup := ids[id]; dup {
			t.Errorf("%s and %s share the operationId %s", opName, other, id)
		}
		ids[id] = opName

		// Path parameters: exactly those in the template, required, from path or operation.
		declared := map[string]bool{}
		for _, level := range []string{pointer("paths", tmpl), op} {
			params, _ := d.at(level + "/parameters").([]any)
			for i := range params {
				p, pptr := d.deref(level + "/parameters/" + strconv.Itoa(i))
				if p == nil {
					t.Errorf("%s: parameter %d does not resolve", opName, i)
					continue
				}
				if _, err := d.schema(pptr + "/schema"); err != nil {
					t.Errorf("%s: parameter %v: %v", opName, p["name"], err)
				}
				if p["in"] == "path" {
					if p["required"] != true {
						t.Errorf("%s: path parameter %v is not required", opName, p["name"])
					}
					declared[p["name"].(string)] = true
				}
			}
		}
		for _, seg := range strings.Split(tmpl, "/") {
			if name, ok := strings.CutPrefix(seg, "{"); ok {
				name = strings.TrimSuffix(name, "}")
				if !declared[name] {
					t.Errorf("%s: path parameter %s is not declared", opName, name)
				}
				delete(declared, name)
			}
		}
		for name := range declared {
			t.Errorf("%s: declares path parameter %s that is not in the path", opName, name)
		}

		if ptr := d.requestSchema(method, tmpl); ptr != "" {
			if _, err := d.schema(ptr); err != nil {
				t.Errorf("%s: request body: %v", opName, err)
			}
		}
		responses, _ := opObj["responses"].(map[string]any)
		if len(responses) == 0 {
			t.Errorf("%s declares no responses", opName)
		}
		success := false
		for code := range responses {
			if !allowed[code] {
				t.Errorf("%s declares response %s, which the API never gives", opName, code)
			}
			success = success || strings.HasPrefix(code, "2")
			resp, rptr := d.deref(op + pointer("responses", code))
			if resp == nil || resp["description"] == nil {
				t.Errorf("%s: response %s does not resolve or has no description", opName, code)
				continue
			}
			if resp["content"] != nil {
				if _, err := d.schema(rptr + pointer("content", "application/json", "schema")); err != nil {
					t.Errorf("%s: response %s: %v", opName, code, err)
				}
			}
			if code == "401" {
				if h, _ := resp["headers"].(map[string]any); h["WWW-Authenticate"] == nil {
					t.Errorf("%s: response 401 does not declare WWW-Authenticate", opName)
				}
			}
		}
		if !success {
			t.Errorf("%s declares no success response", opName)
		}
	}

	// Every component schema compiles, and every object schema refuses unknown properties,
	// so that a field added in Go but not here (or the reverse) is caught.
	comps, _ := d.at("/components/schemas").(map[string]any)
	for name, s := range comps {
		if _, err := d.schema(pointer("components", "schemas", name)); err != nil {
			t.Errorf("schema %s: %v", name, err)
		}
		var objects func(path string, v any)
		objects = func(path string, v any) {
			m, ok := v.(map[string]any)
			if !ok {
				return
			}
			if m["type"] == "object" && m["properties"] != nil && m["additionalProperties"] != false {
				t.Errorf("schema %s%s: an object schema without additionalProperties: false", name, path)
			}
			if props, ok := m["properties"].(map[string]any); ok {
				for k, p := range props {
					objects(path+"."+k, p)
				}
			}
		}
		objects("", s)
	}
}

// goFields returns the JSON names of a Go struct's fields, and those that are always present
// (not omitempty), flattening embedded structs as encoding/json does.
func goFields(typ reflect.Type) (all, always []string) {
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	for i := range typ.NumField() {
		f := typ.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			a, al := goFields(f.Type)
			all, always = append(all, a...), append(always, al...)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		all = append(all, name)
		// omitzero (Go 1.24) leaves a field out as omitempty does.
		if o := strings.Split(opts, ","); !slices.Contains(o, "omitempty") && !slices.Contains(o, "omitzero") {
			always = append(always, name)
		}
	}
	sort.Strings(all)
	sort.Strings(always)
	return all, always
}

// TestSchemasMatchGoTypes checks each component schema against the Go type it describes:
// the same property names, and for answers, required exactly when the field is not
// omitempty. Bodies that the API reads are checked for names only: which of their fields are
// required is decided by the handlers' validation, which the behaviour tests check.
func TestSchemasMatchGoTypes(t *testing.T) {
	d := openAPIDoc(t)
	answers := map[string]any{
		"Organisation":    linkwork.Organisation{},
		"PostcodeInfo":    linkwork.PostcodeInfo{},
		"Place":           linkwork.Place{},
		"Membership":      linkwork.Membership{},
		"User":            linkwork.User{},
		"APIToken":        linkwork.APIToken{},
		"AuditEvent":      linkwork.AuditEvent{},
		"Me":              api.Me{},
		"ResetLink":       api.ResetLink{},
		"CreatedToken":    api.CreatedToken{},
		"Error":           api.ErrorBody{},
		"Service":         linkwork.Service{},
		"Schedule":        linkwork.Schedule{},
		"Location":        linkwork.Location{},
		"Contact":         linkwork.Contact{},
		"ConnectorScheme": linkwork.ConnectorScheme{},
		"Taxonomy":        linkwork.Taxonomy{},
		"TaxonomyTerm":    linkwork.TaxonomyTerm{},
		"Practitioner":    linkwork.Practitioner{},
		"SearchHit":       api.SearchHit{},
		"ServiceSummary":  api.ServiceSummary{},
		"Occurrence":      linkwork.Occurrence{},
		// Referrals
		"Referral":       api.ReferralView{},
		"ReferralPerson": linkwork.ReferralPerson{},
		"ReferralSource": linkwork.ReferralSource{},
		"Consent":        linkwork.Consent{},
		"ReferralEvent":  linkwork.ReferralEvent{},
		"Notification":   linkwork.Notification{},
		"WorkerLoad":     linkwork.WorkerLoad{},
		"SchemeCapacity": linkwork.SchemeCapacity{},
		"RouteOption":    linkwork.RouteOption{},
		"Routes":         api.Routes{},
		"QueueEntry":     linkwork.QueueEntry{},
		"CodedEvent":     linkwork.CodedEvent{},
		"ReferralLetter": linkwork.ReferralLetter{},
		// Casework
		"Person":                linkwork.Person{},
		"Demographics":          linkwork.Demographics{},
		"CaseloadEntry":         linkwork.CaseloadEntry{},
		"CaseloadSummary":       linkwork.CaseloadSummary{},
		"Caseload":              api.Caseload{},
		"WeekItem":              linkwork.WeekItem{},
		"Week":                  api.Week{},
		"Conversation":          linkwork.Conversation{},
		"Goal":                  linkwork.Goal{},
		"Step":                  linkwork.Step{},
		"ProgressNote":          linkwork.ProgressNote{},
		"SupportPlan":           linkwork.SupportPlan{},
		"CaseContact":           linkwork.CaseContact{},
		"PersonRecord":          linkwork.PersonRecord{},
		"Retention":             linkwork.Retention{},
		"OnwardReferral":        linkwork.OnwardReferral{},
		"Questionnaire":         linkwork.Questionnaire{},
		"QuestionnaireItem":     linkwork.QuestionnaireItem{},
		"ItemOption":            linkwork.ItemOption{},
		"ScoreBand":             linkwork.ScoreBand{},
		"QuestionnaireScore":    linkwork.QuestionnaireScore{},
		"ItemScore":             linkwork.ItemScore{},
		"QuestionnaireResponse": linkwork.QuestionnaireResponse{},
		"ScoreChange":           linkwork.ScoreChange{},
		"ItemChange":            linkwork.ItemChange{},
		"PersonQuestionnaires":  api.PersonQuestionnaires{},
		// Landscape
		"LandscapeOptions":        linkwork.LandscapeOptions{},
		"LandscapeServiceSummary": api.LandscapeServiceSummary{},
		"Neighbourhood":           linkwork.Neighbourhood{},
		"TermCoverage":            linkwork.TermCoverage{},
		"LandscapeCoverageRow":    api.CoverageEntry{},
		"LandscapeOverlap":        api.OverlapEntry{},
		"LandscapeGroup":          api.GroupEntry{},
		"LandscapeGap":            api.GapEntry{},
		"ToolUse":                 linkwork.ToolUse{},
		"LandscapeFragmentation":  api.FragmentationView{},
		"SectorCount":             linkwork.SectorCount{},
		"NamedCount":              linkwork.NamedCount{},
		"LandscapeSectors":        api.SectorsView{},
		"LandscapeDataProblem":    api.DataProblemEntry{},
		"LandscapeCounts":         api.LandscapeCounts{},
		"LandscapeLinks":          api.LandscapeLinks{},
		"LandscapeIndex":          api.LandscapeIndex{},
		"FundingOpportunity":      api.FundingView{},
		// Group portal
		"Availability":   api.AvailabilityView{},
		"VolunteerMonth": linkwork.VolunteerMonth{},
		"NewActivity":    linkwork.NewActivity{},
		"GroupRequest":   linkwork.GroupRequest{},
		// Workloads and the NHS England extract
		"Workload":       linkwork.Workload{},
		"WorkloadMonth":  linkwork.WorkloadMonth{},
		"ModeCount":      linkwork.ModeCount{},
		"TeamWorkload":   linkwork.TeamWorkload{},
		"WorkloadTotals": linkwork.WorkloadTotals{},
		"SchemeWaiting":  linkwork.SchemeWaiting{},
		"TeamWorkloads":  api.TeamWorkloads{},
		"NHSExtract":     linkwork.NHSExtractData{},
		"NHSExtractRow":  linkwork.NHSExtractRow{},
		// Measures
		"MeasureDefinition": linkwork.MeasureDefinition{},
		"LocalMeasure":      linkwork.LocalMeasure{},
		"SuppressionRule":   linkwork.SuppressionRule{},
		"MeasureSettings":   linkwork.MeasureSettings{},
		"MeasureCatalogue":  api.MeasureCatalogue{},
		"MeasureState":      linkwork.MeasureState{},
		"MeasureScope":      linkwork.Scope{},
		"MeasureQuery":      linkwork.MeasureQuery{},
		"MeasureCell":       linkwork.MeasureCell{},
		"MeasureRow":        linkwork.MeasureRow{},
		"MeasureTable":      linkwork.MeasureTable{},
		"MeasureResult":     linkwork.MeasureResult{},
		"Dashboard":         linkwork.Dashboard{},
		"LocalMeasureValue": linkwork.LocalMeasureValue{},
	}
	bodies := map[string]any{
		"NewOrganisation":    api.NewOrganisation{},
		"OrganisationUpdate": linkwork.OrganisationUpdate{},
		"NewUser":            api.NewUser{},
		"MembershipBody":     api.MembershipBody{},
		"NewToken":           api.NewToken{},
		"ServiceBody":        api.ServiceBody{},
		"LocationBody":       api.LocationBody{},
		"NewTerm":            api.NewTerm{},
		"PractitionerBody":   api.PractitionerBody{},
		"ReferralBody":       api.ReferralBody{},
		"ReferralPersonBody": linkwork.ReferralPerson{},
		"ReferrerBody":       api.ReferrerBody{},
		"ConsentBody":        api.ConsentBody{},
		"RouteBody":          api.RouteBody{},
		"Transition":         linkwork.Transition{},
		"CaseloadLimitBody":  api.CaseloadLimitBody{},
		// Casework
		"NewPerson":         api.NewPerson{},
		"PersonUpdate":      api.PersonUpdate{},
		"OpenCaseBody":      api.OpenCaseBody{},
		"EraseBody":         api.EraseBody{},
		"CloseBody":         api.CloseBody{},
		"ConversationBody":  api.ConversationBody{},
		"GoalBody":          api.GoalBody{},
		"StepBody":          api.StepBody{},
		"StepUpdate":        api.StepUpdate{},
		"NoteBody":          api.NoteBody{},
		"ContactBody":       api.ContactBody{},
		"OnwardBody":        api.OnwardBody{},
		"OnwardAnswerBody":  api.OnwardAnswerBody{},
		"QuestionnaireBody": api.QuestionnaireBody{},
		"WordingBody":       api.WordingBody{},
		"RetentionBody":     api.RetentionBody{},
		"ResponseBody":      api.ResponseBody{},
		"ResponseUpdate":    api.ResponseUpdate{},
		"FundingBody":       api.FundingBody{},
		// Group portal
		"AvailabilityBody": api.AvailabilityBody{},
		"VolunteerBody":    api.VolunteerBody{},
		"ActivityBody":     api.ActivityBody{},
		"GroupRequestBody": api.GroupRequestBody{},
		"CloseRequestBody": api.CloseRequestBody{},
		// Measures
		"MeasureSettingsBody": api.MeasureSettingsBody{},
		"LocalMeasureBody":    api.LocalMeasureBody{},
		"LocalValueBody":      api.LocalValueBody{},
	}
	lists := map[string]any{
		"OrganisationList":   api.List[*linkwork.Organisation]{},
		"UserList":           api.List[*linkwork.User]{},
		"AuditEventList":     api.List[*linkwork.AuditEvent]{},
		"APITokenList":       api.List[*linkwork.APIToken]{},
		"ServiceList":        api.List[*linkwork.Service]{},
		"TaxonomyList":       api.List[*linkwork.Taxonomy]{},
		"PractitionerList":   api.List[*linkwork.Practitioner]{},
		"SearchHitList":      api.List[api.SearchHit]{},
		"ReferralList":       api.List[*linkwork.Referral]{},
		"QueueEntryList":     api.List[linkwork.QueueEntry]{},
		"SchemeCapacityList": api.List[*linkwork.SchemeCapacity]{},
		"CaseContactList":    api.List[*linkwork.CaseContact]{},
		"OnwardReferralList": api.List[*linkwork.OnwardReferral]{},
		"QuestionnaireList":  api.List[*linkwork.Questionnaire]{},
		// Landscape
		"LandscapeCoverageList":    api.List[api.CoverageEntry]{},
		"LandscapeOverlapList":     api.List[api.OverlapEntry]{},
		"LandscapeGroupList":       api.List[api.GroupEntry]{},
		"LandscapeGapList":         api.List[api.GapEntry]{},
		"LandscapeDataProblemList": api.List[api.DataProblemEntry]{},
		"FundingOpportunityList":   api.List[api.FundingView]{},
		// Group portal
		"VolunteerMonthList": api.List[*linkwork.VolunteerMonth]{},
		"NewActivityList":    api.List[*linkwork.NewActivity]{},
		"GroupRequestList":   api.List[*linkwork.GroupRequest]{},
	}
	maps.Copy(answers, lists)
	check := func(name string, v any, checkRequired bool) {
		s, _ := d.at(pointer("components", "schemas", name)).(map[string]any)
		if s == nil {
			t.Errorf("openapi.json has no schema %s", name)
			return
		}
		all, always := goFields(reflect.TypeOf(v))
		if name == "Referral" {
			// ReferralView adds these to the referral, each only in some answers.
			always = slices.DeleteFunc(always, func(f string) bool { return f == "history" || f == "notifications" || f == "routing" })
		}
		props := keys(s["properties"])
		if !slices.Equal(props, all) {
			t.Errorf("schema %s has properties %v; the Go type %T has JSON fields %v", name, props, v, all)
		}
		if checkRequired {
			var req []string
			for _, r := range s["required"].([]any) {
				req = append(req, r.(string))
			}
			sort.Strings(req)
			if !slices.Equal(req, always) {
				t.Errorf("schema %s requires %v; the Go type %T always has %v", name, req, v, always)
			}
		}
	}
	for name, v := range answers {
		check(name, v, true)
	}
	for name, v := range bodies {
		check(name, v, false)
	}
	// The inner object of Error.
	all, always := goFields(reflect.TypeFor[api.ErrorDetail]())
	inner, _ := d.at("/components/schemas/Error/properties/error").(map[string]any)
	if got := keys(inner["properties"]); !slices.Equal(got, all) {
		t.Errorf("Error.error has properties %v; ErrorDetail has %v", got, all)
	}
	var req []string
	for _, r := range inner["required"].([]any) {
		req = append(req, r.(string))
	}
	sort.Strings(req)
	if !slices.Equal(req, always) {
		t.Errorf("Error.error requires %v; ErrorDetail always has %v", req, always)
	}

	// The enums are the domain's.
	enum := func(name string) []string {
		var out []string
		for _, v := range d.at(pointer("components", "schemas", name, "enum")).([]any) {
			out = append(out, v.(string))
		}
		return out
	}
	var sectors, roles []string
	for _, s := range linkwork.Sectors {
		sectors = append(sectors, string(s))
	}
	for _, r := range linkwork.Roles {
		roles = append(roles, string(r))
	}
	if got := enum("Sector"); !slices.Equal(got, sectors) {
		t.Errorf("Sector enum %v, want %v", got, sectors)
	}
	if got := enum("Role"); !slices.Equal(got, roles) {
		t.Errorf("Role enum %v, want %v", got, roles)
	}
	codes := []string{linkwork.EINVALID, linkwork.ENOTFOUND, linkwork.ECONFLICT, linkwork.EUNAUTHORIZED,
		linkwork.EFORBIDDEN, linkwork.ETOOMANY, linkwork.EINTERNAL}
	var gotCodes []string
	for _, v := range d.at("/components/schemas/Error/properties/error/properties/code/enum").([]any) {
		gotCodes = append(gotCodes, v.(string))
	}
	if !slices.Equal(gotCodes, codes) {
		t.Errorf("error code enum %v, want %v", gotCodes, codes)
	}
	// The page limits are the domain's.
	perPage := d.at("/components/parameters/per_page/schema").(map[string]any)
	if perPage["maximum"] != float64(linkwork.MaxPageSize) || perPage["default"] != float64(linkwork.DefaultPageSize) {
		t.Errorf("per_page schema %v, want maximum %d and default %d", perPage, linkwork.MaxPageSize, linkwork.DefaultPageSize)
	}
}

func keys(v any) []string {
	m, _ := v.(map[string]any)
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// testRoutesMatchDocument checks that the document describes exactly the API's routes.
func testRoutesMatchDocument(t *testing.T, f *fixture) {
	d := f.doc
	var routes []string
	for _, r := range f.srv.Routes() {
		if r.Pattern == api.Prefix || strings.HasPrefix(r.Pattern, api.Prefix+"/") {
			if r.Group != "api" {
				t.Errorf("%s %s is under %s but in the %q group", r.Method, r.Pattern, api.Prefix, r.Group)
			}
			routes = append(routes, r.Method+" "+r.Pattern)
		} else if r.Group == "api" {
			t.Errorf("%s %s is in the api group but not under %s", r.Method, r.Pattern, api.Prefix)
		}
	}
	sort.Strings(routes)
	ops := d.operations()
	for _, r := range routes {
		if !slices.Contains(ops, r) {
			t.Errorf("route %s is not in openapi.json", r)
		}
	}
	for _, op := range ops {
		if !slices.Contains(routes, op) {
			t.Errorf("openapi.json describes %s, which is not a route", op)
		}
	}
	if len(routes) != 130 {
		t.Errorf("%d API routes, want the 130 this test was written for: %v", len(routes), routes)
	}
}

// testOpenAPIServed checks that the document is served to anyone, as JSON.
func testOpenAPIServed(t *testing.T, f *fixture) {
	res := f.anon().do("GET", "/api/v1/openapi.json", nil).want(http.StatusOK)
	if !bytes.Equal(res.body, api.OpenAPI()) {
		t.Error("GET /api/v1/openapi.json did not answer the embedded document")
	}
	var doc struct {
		OpenAPI string         `json:"openapi"`
		Paths   map[string]any `json:"paths"`
	}
	res.decode(&doc)
	if doc.OpenAPI != "3.1.0" || len(doc.Paths) == 0 {
		t.Errorf("served document: openapi %q with %d paths", doc.OpenAPI, len(doc.Paths))
	}
	if got := res.header.Get("Access-Control-Allow-Origin"); got != "*" {
		t.Errorf("Access-Control-Allow-Origin = %q, want *", got)
	}
	// A script that sends a bad token means to be someone: even the public route refuses it.
	f.bearer("lw_not-a-real-token").do("GET", "/api/v1/openapi.json", nil).wantError(http.StatusUnauthorized, linkwork.EUNAUTHORIZED, "")
}
