package oruk

import (
	"context"
	"fmt"
	"io/fs"
	"math"
	"slices"
	"strconv"
	"strings"

	"linkwork"
)

// ImportPackage reads an HSDS 3.0 CSV data package (see OpenPackage) into a place's
// directory. Its tables are joined into services, which are mapped, matched and stored as
// Import does: the same matching by id, the same refusals and warnings, the same
// AllOrNothing. A service's Ref is its row, as "services.csv line 4"; a problem in a row of
// another table names that file and line.
//
// Before the services, report is given a record with no outcome, only Ref and Warnings, for
// each thing about the package as a whole and each row that belongs to no service (left out).
// A row that cannot be read (a stray quote, the wrong number of fields) refuses the service
// it belongs to; when that cannot be told, it is reported as a refused record of its own,
// so that AllOrNothing undoes the import. The error is a *PackageError when the package
// cannot be read at all (nothing is imported), or the store's.
//
// The tables are held in memory while they are joined.
func ImportPackage(ctx context.Context, store linkwork.OpenDataService, taxonomies linkwork.TaxonomyService, placeID int64,
	pkg fs.FS, opts linkwork.ImportOptions, report func(*linkwork.ServiceImport)) (linkwork.ServiceImportSummary, error) {
	taxs, err := taxonomies.ListTaxonomies(ctx, placeID)
	if err != nil {
		return linkwork.ServiceImportSummary{}, err
	}
	p, err := readPackage(pkg)
	if err != nil {
		return linkwork.ServiceImportSummary{}, err
	}
	items, notes := p.join(newTermIndex(taxs))
	if report != nil {
		for _, n := range notes {
			report(n)
		}
	}
	return store.ImportServices(ctx, placeID, slices.Values(items), opts, report)
}

// joiner joins a package's tables into services.
type joiner struct {
	p    *csvPackage
	ix   *termIndex
	used map[*table]map[int]bool // rows that went into a service, by line

	services   map[string]bool   // the ids in services.csv
	salService map[string]string // service at location id → service id
	locations  map[string]csvRow

	salBySvc, schedBySAL, schedBySvc, schedByLoc   map[string][]csvRow
	addrByLoc, accessByLoc                         map[string][]csvRow
	contactsBySvc, phonesBySvc, phonesByContact    map[string][]csvRow
	costsBySvc, langsBySvc, areasBySvc             map[string][]csvRow
	attrsByLink, svcTaxBySvc                       map[string][]csvRow
	orgs, terms, taxonomies                        map[string]csvRow
	badFor                                         map[string]linkwork.Problems
	salTable, schedTable, contactTable, phoneTable *table
}

// key is how ids are compared: trimmed, in any case (UUIDs are written in both).
func key(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// byColumn indexes a table's rows by a column's value.
func byColumn(t *table, col string, keep func(csvRow) bool) map[string][]csvRow {
	out := map[string][]csvRow{}
	if t == nil || !t.has(col) {
		return out
	}
	for _, r := range t.rows {
		if k := key(t.get(r.fields, col)); k != "" && (keep == nil || keep(r)) {
			out[k] = append(out[k], r)
		}
	}
	return out
}

// byID indexes a table's rows by id; the first of a repeated id wins.
func byID(t *table) map[string]csvRow {
	out := map[string]csvRow{}
	if t == nil {
		return out
	}
	for _, r := range t.rows {
		if k := key(t.get(r.fields, "id")); k != "" {
			if _, ok := out[k]; !ok {
				out[k] = r
			}
		}
	}
	return out
}

func (j *joiner) use(t *table, r csvRow) {
	if j.used[t] == nil {
		j.used[t] = map[int]bool{}
	}
	j.used[t][r.line] = true
}

// join returns the package's services, in the order of services.csv, then the rows that
// cannot be read and belong to no service; and the notes about the package and its rows
// that belong to no service.
func (p *csvPackage) join(ix *termIndex) ([]*linkwork.ServiceImport, []*linkwork.ServiceImport) {
	t := p.tables
	j := &joiner{p: p, ix: ix, used: map[*table]map[int]bool{}, services: map[string]bool{}, salService: map[string]string{},
		badFor: map[string]linkwork.Problems{}, salTable: t["service_at_location"], schedTable: t["schedule"],
		contactTable: t["contact"], phoneTable: t["phone"]}
	st := t["service"]
	for _, r := range st.rows {
		if k := key(st.get(r.fields, "id")); k != "" {
			j.services[k] = true
		}
	}
	j.orgs, j.terms, j.taxonomies, j.locations = byID(t["organization"]), byID(t["taxonomy_term"]), byID(t["taxonomy"]), byID(t["location"])
	if sal := j.salTable; sal != nil {
		for _, r := range sal.rows {
			if id, svc := key(sal.get(r.fields, "id")), key(sal.get(r.fields, "service_id")); id != "" && j.services[svc] {
				j.salService[id] = svc
			}
		}
	}
	j.salBySvc = byColumn(j.salTable, "service_id", nil)
	sc := j.schedTable
	// A schedule belongs to the service at a location it names, else to the service, else to
	// the location (and so to every service there).
	j.schedBySAL = byColumn(sc, "service_at_location_id", func(r csvRow) bool {
		return j.salService[key(sc.get(r.fields, "service_at_location_id"))] != ""
	})
	j.schedBySvc = byColumn(sc, "service_id", func(r csvRow) bool {
		return j.salService[key(sc.get(r.fields, "service_at_location_id"))] == "" && j.services[key(sc.get(r.fields, "service_id"))]
	})
	j.schedByLoc = byColumn(sc, "location_id", func(r csvRow) bool {
		return j.salService[key(sc.get(r.fields, "service_at_location_id"))] == "" && !j.services[key(sc.get(r.fields, "service_id"))]
	})
	j.addrByLoc, j.accessByLoc = byColumn(t["address"], "location_id", nil), byColumn(t["accessibility"], "location_id", nil)
	// A contact, phone or language of a service at a location is the service's.
	ownedBy := func(tb *table) func(csvRow) string {
		return func(r csvRow) string {
			if s := key(tb.get(r.fields, "service_id")); j.services[s] {
				return s
			}
			return j.salService[key(tb.get(r.fields, "service_at_location_id"))]
		}
	}
	j.contactsBySvc = byOwner(j.contactTable, ownedBy(j.contactTable))
	j.phonesBySvc = byOwner(j.phoneTable, ownedBy(j.phoneTable))
	j.phonesByContact = byColumn(j.phoneTable, "contact_id", nil)
	j.costsBySvc = byColumn(t["cost_option"], "service_id", nil)
	j.langsBySvc = byOwner(t["language"], ownedBy(t["language"]))
	j.areasBySvc = byColumn(t["service_area"], "service_id", nil)
	j.attrsByLink = byColumn(t["attribute"], "link_id", nil)
	j.svcTaxBySvc = byColumn(t["service_taxonomy"], "service_id", nil)

	// Rows that cannot be read: the service's they belong to, when that can be told.
	type lined struct {
		line int
		it   *linkwork.ServiceImport
	}
	var services []lined
	var loose []*linkwork.ServiceImport
	for _, b := range st.bad {
		services = append(services, lined{b.line, &linkwork.ServiceImport{Ref: st.ref(b.line),
			Err: linkwork.Errorf(linkwork.EINVALID, "The row cannot be read: %s.", b.message)}})
	}
	for _, name := range tableNames(t) {
		tb := t[name]
		if name == "service" {
			continue
		}
		for _, b := range tb.bad {
			ref := tb.ref(b.line)
			owner := ""
			if b.fields != nil {
				for _, col := range []string{"service_id", "link_id"} {
					if k := key(tb.get(b.fields, col)); j.services[k] {
						owner = k
					}
				}
				if s := j.salService[key(tb.get(b.fields, "service_at_location_id"))]; owner == "" && s != "" {
					owner = s
				}
			}
			if owner != "" {
				j.badFor[owner] = append(j.badFor[owner], linkwork.FieldError(ref, "%s, which belongs to this service, cannot be read: %s.", ref, b.message))
				continue
			}
			loose = append(loose, &linkwork.ServiceImport{Ref: ref, Err: linkwork.Errorf(linkwork.EINVALID, "The row cannot be read: %s.", b.message)})
		}
	}
	for _, r := range st.rows {
		services = append(services, lined{r.line, j.service(r)})
	}
	slices.SortStableFunc(services, func(a, b lined) int { return a.line - b.line })
	items := make([]*linkwork.ServiceImport, 0, len(services)+len(loose))
	for _, s := range services {
		items = append(items, s.it)
	}
	items = append(items, loose...)

	var notes []*linkwork.ServiceImport
	for _, n := range p.notes {
		notes = append(notes, &linkwork.ServiceImport{Ref: "package", Warnings: []string{n}})
	}
	for _, name := range tableNames(t) {
		tb := t[name]
		for _, r := range tb.rows {
			if j.used[tb][r.line] {
				continue
			}
			if why := j.unused(name, tb, r); why != "" {
				notes = append(notes, &linkwork.ServiceImport{Ref: tb.ref(r.line), Warnings: []string{why}})
			}
		}
	}
	return items, notes
}

// tableNames lists a package's tables in a fixed order, so that reports are the same each time.
func tableNames(t map[string]*table) []string {
	var out []string
	for _, pt := range pkgTables {
		if t[pt.name] != nil {
			out = append(out, pt.name)
		}
	}
	return out
}

func byOwner(t *table, owner func(csvRow) string) map[string][]csvRow {
	out := map[string][]csvRow{}
	if t == nil {
		return out
	}
	for _, r := range t.rows {
		if o := owner(r); o != "" {
			out[o] = append(out[o], r)
		}
	}
	return out
}

// unused says why a row went into no service, or "" for a row that needs no word: a
// taxonomy, a term, or a row of a location that is itself reported.
func (j *joiner) unused(name string, t *table, r csvRow) string {
	get := func(col string) string { return t.get(r.fields, col) }
	switch name {
	case "taxonomy", "taxonomy_term", "service":
		return ""
	case "organization":
		return fmt.Sprintf("the organisation %q runs no service in the package, so it was not imported (linkwork imports organisations with their services)", get("name"))
	case "location":
		return "the location is at no service (service_at_location), so it was left out"
	case "address", "accessibility":
		if _, ok := j.locations[key(get("location_id"))]; ok {
			return ""
		}
		return fmt.Sprintf("location_id %q is not a location in the package, so the row was left out", get("location_id"))
	case "attribute":
		return fmt.Sprintf("link_id %q is not a service in the package; linkwork keeps the taxonomy terms of services only, so the row was left out", get("link_id"))
	case "schedule":
		return "the schedule is for no service, service at a location or location in the package, so it was left out"
	case "contact", "language":
		return fmt.Sprintf("the %s is not a service's (by service_id or service_at_location_id); linkwork keeps services' %ss only, so it was left out", name, name)
	case "phone":
		return "the phone is not a service's or a service contact's, so it was left out"
	}
	return fmt.Sprintf("service_id %q is not a service in the package, so the row was left out", get("service_id"))
}

// pkgRecord is one service being put together from the tables.
type pkgRecord struct {
	in    inService
	src   map[string]string // a path fromService names (schedules[0]) → the row it came from
	ps    linkwork.Problems // values of the wrong type, rows that cannot be read
	warns []string
}

// number reads a number, or records that it is not one. In services.csv the field is the
// column; in another table it names the file and line too.
func (rec *pkgRecord) number(t *table, r csvRow, col string, ownRow bool) *float64 {
	v := t.get(r.fields, col)
	if v == "" {
		return nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
		return &f
	}
	if ownRow {
		rec.ps.Add(linkwork.FieldError(col, "%s must be a number, not %q.", col, v))
	} else {
		ref := t.ref(r.line)
		rec.ps.Add(linkwork.FieldError(ref+": "+col, "%s: %s must be a number, not %q.", ref, col, v))
	}
	return nil
}

// service joins one row of services.csv with its rows in the other tables and maps it.
func (j *joiner) service(r csvRow) *linkwork.ServiceImport {
	st := j.p.tables["service"]
	get := func(col string) string { return st.get(r.fields, col) }
	sid := key(get("id"))
	rec := &pkgRecord{src: map[string]string{}}
	in := &rec.in
	*in = inService{ID: flexString(get("id")), Name: get("name"), Description: get("description"), URL: get("url"),
		Email: get("email"), Status: get("status"), Fees: get("fees"), FeesDescription: get("fees_description"),
		EligibilityDescription: get("eligibility_description"), AssuredDate: get("assured_date"), AssurerEmail: get("assurer_email"),
		OrganizationID: flexString(get("organization_id"))}
	in.MinimumAge = rec.number(st, r, "minimum_age", true)
	in.MaximumAge = rec.number(st, r, "maximum_age", true)
	if o, ok := j.orgs[key(get("organization_id"))]; ok {
		ot := j.p.tables["organization"]
		in.Organization = &inOrganization{ID: flexString(ot.get(o.fields, "id")), Name: ot.get(o.fields, "name")}
		j.use(ot, o)
	}
	if sid != "" { // a service without an id has no rows in other tables
		j.lists(rec, sid)
		rec.ps = append(rec.ps, j.badFor[sid]...)
	}

	it := &linkwork.ServiceImport{Ref: st.ref(r.line), Warnings: rec.warns}
	fromService(in, j.ix, it)
	for i, w := range it.Warnings {
		it.Warnings[i] = relocate(w, rec.src)
	}
	var ps linkwork.Problems
	ps = append(ps, rec.ps...)
	for _, e := range linkwork.FieldErrors(it.Err) {
		ps = append(ps, &linkwork.Error{Code: e.Code, Field: relocate(e.Field, rec.src), Message: relocate(e.Message, rec.src)})
	}
	it.Err = ps.Err()
	// A table the package leaves out leaves that part of the service as it is.
	t := j.p.tables
	it.Gives = linkwork.ServiceParts{
		Schedules: t["schedule"] != nil,
		Locations: t["service_at_location"] != nil,
		Contacts:  t["contact"] != nil,
		Terms:     t["attribute"] != nil || t["service_taxonomy"] != nil,
		Languages: t["language"] != nil,
		Areas:     t["service_area"] != nil,
		Phone:     t["phone"] != nil,
		Costs:     t["cost_option"] != nil || in.Fees != "" || in.FeesDescription != "",
	}
	return it
}

// lists fills in a service's lists from the other tables; a table the package has gives a
// list even when it has no rows for the service (the service has none).
func (j *joiner) lists(rec *pkgRecord, sid string) {
	in := &rec.in
	t := j.p.tables
	if sc := j.schedTable; sc != nil {
		in.Schedules = []inSchedule{}
		for _, r := range j.schedBySvc[sid] {
			rec.src[fmt.Sprintf("schedules[%d]", len(in.Schedules))] = sc.ref(r.line)
			in.Schedules = append(in.Schedules, j.schedule(rec, r))
		}
	}
	if sal := j.salTable; sal != nil {
		in.ServiceAtLocations = []inServiceAtLocation{}
		for _, r := range j.salBySvc[sid] {
			j.use(sal, r)
			i := len(in.ServiceAtLocations)
			path := fmt.Sprintf("service_at_locations[%d]", i)
			rec.src[path] = sal.ref(r.line)
			s := inServiceAtLocation{ID: flexString(sal.get(r.fields, "id"))}
			for _, sr := range j.schedBySAL[key(sal.get(r.fields, "id"))] {
				rec.src[fmt.Sprintf("%s.schedules[%d]", path, len(s.Schedules))] = j.schedTable.ref(sr.line)
				s.Schedules = append(s.Schedules, j.schedule(rec, sr))
			}
			s.Location = j.location(rec, path, sal.get(r.fields, "location_id"))
			in.ServiceAtLocations = append(in.ServiceAtLocations, s)
		}
	}
	if ct := j.contactTable; ct != nil {
		in.Contacts = []inContact{}
		for _, r := range j.contactsBySvc[sid] {
			j.use(ct, r)
			rec.src[fmt.Sprintf("contacts[%d]", len(in.Contacts))] = ct.ref(r.line)
			c := inContact{Name: ct.get(r.fields, "name"), Title: ct.get(r.fields, "title"), Email: ct.get(r.fields, "email")}
			if pt := j.phoneTable; pt != nil {
				for _, pr := range j.phonesByContact[key(ct.get(r.fields, "id"))] {
					j.use(pt, pr)
					c.Phones = append(c.Phones, inPhone{Number: flexString(pt.get(pr.fields, "number"))})
				}
			}
			in.Contacts = append(in.Contacts, c)
		}
	}
	if pt := j.phoneTable; pt != nil {
		in.Phones = []inPhone{}
		for _, r := range j.phonesBySvc[sid] {
			j.use(pt, r)
			if len(in.Phones) == 0 {
				rec.src["phones[0].number"] = pt.ref(r.line) + ": number"
			}
			in.Phones = append(in.Phones, inPhone{Number: flexString(pt.get(r.fields, "number"))})
		}
	}
	if ct := t["cost_option"]; ct != nil {
		in.CostOptions = []inCostOption{}
		for _, r := range j.costsBySvc[sid] {
			j.use(ct, r)
			in.CostOptions = append(in.CostOptions, inCostOption{Option: ct.get(r.fields, "option"),
				Amount: rec.number(ct, r, "amount", false), AmountDescription: ct.get(r.fields, "amount_description")})
		}
	}
	if lt := t["language"]; lt != nil {
		in.Languages = []inLanguage{}
		for _, r := range j.langsBySvc[sid] {
			j.use(lt, r)
			rec.src[fmt.Sprintf("languages[%d]", len(in.Languages))] = lt.ref(r.line)
			in.Languages = append(in.Languages, inLanguage{Name: lt.get(r.fields, "name"), Code: lt.get(r.fields, "code"),
				Language: lt.get(r.fields, "language")})
		}
	}
	if at := t["service_area"]; at != nil {
		in.ServiceAreas = []inServiceArea{}
		for _, r := range j.areasBySvc[sid] {
			j.use(at, r)
			in.ServiceAreas = append(in.ServiceAreas, inServiceArea{Name: at.get(r.fields, "name"),
				ServiceArea: at.get(r.fields, "service_area"), Description: at.get(r.fields, "description")})
		}
	}
	at, stt := t["attribute"], t["service_taxonomy"]
	if at != nil || stt != nil {
		in.Attributes = []inAttribute{}
	}
	for _, r := range j.attrsByLink[sid] {
		j.use(at, r)
		j.attribute(rec, at.ref(r.line), at.get(r.fields, "taxonomy_term_id"))
	}
	for _, r := range j.svcTaxBySvc[sid] {
		j.use(stt, r)
		id := stt.get(r.fields, "taxonomy_term_id")
		if id == "" {
			id = stt.get(r.fields, "taxonomy_id") // ORUK v1 called a term a taxonomy
		}
		j.attribute(rec, stt.ref(r.line), id)
	}
}

// schedule reads a schedule row.
func (j *joiner) schedule(rec *pkgRecord, r csvRow) inSchedule {
	sc := j.schedTable
	j.use(sc, r)
	get := func(col string) string { return sc.get(r.fields, col) }
	return inSchedule{Freq: get("freq"), Interval: rec.number(sc, r, "interval", false), ByDay: get("byday"),
		ByMonthDay: flexString(get("bymonthday")), OpensAt: get("opens_at"), ClosesAt: get("closes_at"), Description: get("description")}
}

// location reads a location with its addresses, accessibility and schedules, or nil when
// the package does not have it.
func (j *joiner) location(rec *pkgRecord, path, id string) *inLocation {
	lr, ok := j.locations[key(id)]
	if !ok {
		return nil
	}
	lt := j.p.tables["location"]
	j.use(lt, lr)
	get := func(col string) string { return lt.get(lr.fields, col) }
	l := &inLocation{ID: flexString(get("id")), LocationType: get("location_type"), Name: get("name")}
	if lat := rec.number(lt, lr, "latitude", false); lat != nil {
		v := flexFloat(*lat)
		l.Latitude = &v
	}
	if lng := rec.number(lt, lr, "longitude", false); lng != nil {
		v := flexFloat(*lng)
		l.Longitude = &v
	}
	if at := j.p.tables["address"]; at != nil {
		for _, r := range j.addrByLoc[key(id)] {
			j.use(at, r)
			g := func(col string) string { return at.get(r.fields, col) }
			l.Addresses = append(l.Addresses, inAddress{Address1: g("address_1"), Address2: g("address_2"), City: g("city"),
				Region: g("region"), StateProvince: g("state_province"), PostalCode: g("postal_code"), Country: g("country"),
				AddressType: g("address_type")})
		}
	}
	if at := j.p.tables["accessibility"]; at != nil {
		for _, r := range j.accessByLoc[key(id)] {
			j.use(at, r)
			l.Accessibility = append(l.Accessibility, inAccessibility{Description: at.get(r.fields, "description"),
				Accessibility: at.get(r.fields, "accessibility"), Details: at.get(r.fields, "details")})
		}
	}
	for _, r := range j.schedByLoc[key(id)] {
		rec.src[fmt.Sprintf("%s.location.schedules[%d]", path, len(l.Schedules))] = j.schedTable.ref(r.line)
		l.Schedules = append(l.Schedules, j.schedule(rec, r))
	}
	return l
}

// attribute matches a term a service is classified with to the place's, keeping it by its
// UUID, or warns with the row when there is no one match.
func (j *joiner) attribute(rec *pkgRecord, ref, termID string) {
	if strings.TrimSpace(termID) == "" {
		rec.warns = append(rec.warns, ref+": the row names no taxonomy term, so it was left out")
		return
	}
	t := &inTerm{ID: flexString(termID)}
	if r, ok := j.terms[key(termID)]; ok {
		tt := j.p.tables["taxonomy_term"]
		get := func(col string) string { return tt.get(r.fields, col) }
		t = &inTerm{ID: flexString(get("id")), Code: get("code"), Term: get("term"), Name: get("name"), Taxonomy: get("taxonomy"),
			TaxonomyID: flexString(get("taxonomy_id")), Vocabulary: get("vocabulary")}
		if x, ok := j.taxonomies[key(get("taxonomy_id"))]; ok {
			tx := j.p.tables["taxonomy"]
			t.TaxonomyDetail = &struct {
				ID   flexString `json:"id"`
				Name string     `json:"name"`
			}{ID: flexString(tx.get(x.fields, "id")), Name: tx.get(x.fields, "name")}
		}
	} else if x, ok := j.taxonomies[key(termID)]; ok && j.p.tables["taxonomy"].has("vocabulary") {
		tx := j.p.tables["taxonomy"] // ORUK v1: taxonomy.csv held the terms, with their vocabulary
		t = &inTerm{ID: flexString(termID), Name: tx.get(x.fields, "name"), Vocabulary: tx.get(x.fields, "vocabulary")}
	}
	term, why := j.ix.match(t, termID)
	if term == nil {
		rec.warns = append(rec.warns, ref+": "+why)
		return
	}
	rec.in.Attributes = append(rec.in.Attributes, inAttribute{TaxonomyTermID: flexString(term.UUID)})
}

// relocate rewrites the path of a list item that starts a message or a field
// ("schedules[0].opens_at …") as the row it came from ("schedules.csv line 4: opens_at …").
func relocate(s string, src map[string]string) string {
	best := ""
	for k := range src {
		if len(k) > len(best) && strings.HasPrefix(s, k) {
			if rest := s[len(k):]; rest == "" || rest[0] == '.' || rest[0] == ' ' || rest[0] == ':' {
				best = k
			}
		}
	}
	if best == "" {
		return s
	}
	rest := s[len(best):]
	if strings.HasPrefix(rest, ".") {
		return src[best] + ": " + rest[1:]
	}
	return src[best] + rest
}
