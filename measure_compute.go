package linkwork

import (
	"cmp"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// MeasureFactsFromRecords recomputes a place's facts from its records, exactly as
// measure_facts.go defines them: the reference the store's set-based aggregation is held to.
// The facts come sorted by scope kind, scope key, month, fact and key; rows with N and
// Total both zero are left out. Records with a date that is not a real date are left out of
// the facts counted by that date.
func MeasureFactsFromRecords(r *MeasureRecords) []*MeasureFact {
	fc := factCounter{placeID: r.PlaceID, sums: map[factKey]*MeasureFact{}}
	people := make(map[int64]*CaseRecord, len(r.People))
	for i := range r.People {
		people[r.People[i].ID] = &r.People[i]
	}
	personScopes := func(id int64) []factScope {
		if p := people[id]; p != nil {
			return p.scopes()
		}
		return []factScope{{kind: ScopePlace}}
	}

	for i := range r.Referrals {
		ref := &r.Referrals[i]
		scopes := ref.scopes(r.SchemeOrganisation)
		received := londonDay(ref.ReceivedAt)
		if !ref.ReceivedAt.IsZero() {
			month := received[:7]
			fc.add(scopes, month, FactReferrals, "all", 1, 0)
			fc.add(scopes, month, FactReferrals, "source:"+string(ref.Source), 1, 0)
			seen := map[string]bool{}
			for _, need := range ref.Needs {
				if !seen[need] {
					seen[need] = true
					fc.add(scopes, month, FactReferrals, "need:"+need, 1, 0)
				}
			}
			if month, ok := factMonth(ref.FirstContactOn); ok {
				fc.add(scopes, month, FactFirstContact, strconv.Itoa(factDays(received, ref.FirstContactOn)), 1, 0)
			}
		}
		if ref.WaitFrom != nil && ref.AllocatedAt != nil {
			allocated := londonDay(*ref.AllocatedAt)
			fc.add(scopes, allocated[:7], FactWaitingAllocated, strconv.Itoa(factDays(londonDay(*ref.WaitFrom), allocated)), 1, 0)
		}
	}

	for i := range r.People {
		p := &r.People[i]
		scopes := p.scopes()
		keys := p.supportKeys()
		if month, ok := factMonth(p.OpenedOn); ok {
			for _, k := range keys {
				fc.add(scopes, month, FactSupportStarts, k, 1, 0)
			}
		}
		if month, ok := factMonth(p.ClosedOn); ok {
			for _, k := range keys {
				fc.add(scopes, month, FactSupportEnds, k, 1, 0)
			}
		}
	}

	for _, c := range r.Contacts {
		if month, ok := factMonth(c.On); ok {
			scopes := personScopes(c.PersonID)
			fc.add(scopes, month, FactContacts, "all", 1, int64(c.Minutes))
			fc.add(scopes, month, FactContacts, "mode:"+string(c.Mode), 1, int64(c.Minutes))
		}
	}

	for _, o := range r.Onward {
		if month, ok := factMonth(o.SentOn); ok {
			scopes := personScopes(o.PersonID)
			fc.add(scopes, month, FactOnward, "all", 1, 0)
			fc.add(scopes, month, FactOnward, "status:"+string(o.Status), 1, 0)
		}
	}

	wellbeingFacts(&fc, r.Responses, personScopes)
	healthUseFacts(&fc, r.People, r.Activity)

	for _, v := range r.Volunteers {
		if month, ok := factMonthOfMonth(v.Month); ok {
			scopes := organisationScopes(v.OrganisationID)
			fc.add(scopes, month, FactVolunteers, "volunteers", 1, int64(v.Volunteers))
			fc.add(scopes, month, FactVolunteers, "hours", 1, int64(v.Hours))
		}
	}
	for _, a := range r.Activities {
		if month, ok := factMonth(a.StartedOn); ok {
			fc.add(organisationScopes(a.OrganisationID), month, FactNewActivities, "all", 1, 0)
		}
	}
	for _, g := range r.NewGroups {
		if month, ok := factMonth(g.CreatedOn); ok {
			fc.add(organisationScopes(g.OrganisationID), month, FactNewGroups, "all", 1, 0)
		}
	}

	for _, s := range r.Spend {
		month, ok := factMonth(s.On)
		if !ok {
			continue
		}
		scopes := []factScope{{kind: ScopePlace}}
		if s.PotSchemeID != 0 {
			scopes = append(scopes, factScope{ScopeScheme, idKey(s.PotSchemeID)})
		}
		if s.PotOrganisationID != 0 {
			scopes = append(scopes, factScope{ScopeOrganisation, idKey(s.PotOrganisationID)})
		}
		if s.LSOA != "" {
			scopes = append(scopes, factScope{ScopeNeighbourhood, s.LSOA})
		}
		var payments int64
		if s.NetPence > 0 {
			payments = 1
		}
		fc.add(scopes, month, FactSpend, "all", payments, s.NetPence)
		fc.add(scopes, month, FactSpend, "need:"+s.Need, payments, s.NetPence)
		fc.add(scopes, month, FactSpend, "lsoa:"+orUnknownKey(s.LSOA), payments, s.NetPence)
	}

	for _, v := range r.Local {
		if v.Month.IsZero() {
			continue
		}
		month := v.Month.UTC().Format("2006-01")
		fc.add(organisationScopes(v.OrganisationID), month, FactLocal, "local-"+idKey(v.MeasureID), 1, v.Value)
	}
	return fc.facts()
}

// wellbeingFacts counts each person's change in each built-in questionnaire, compared as
// ScoreChanges compares them, in the month of the later response.
func wellbeingFacts(fc *factCounter, responses []ResponseRecord, scopesOf func(int64) []factScope) {
	type personQuestionnaire struct {
		person        int64
		questionnaire string
	}
	groups := map[personQuestionnaire][]*ResponseRecord{}
	var order []personQuestionnaire
	for i := range responses {
		r := &responses[i]
		if _, builtIn := MeaningfulChange[r.Questionnaire]; !builtIn {
			continue
		}
		k := personQuestionnaire{r.PersonID, r.Questionnaire}
		if groups[k] == nil {
			order = append(order, k)
		}
		groups[k] = append(groups[k], r)
	}
	for _, k := range order {
		rs := groups[k]
		if len(rs) < 2 {
			continue
		}
		slices.SortStableFunc(rs, func(a, b *ResponseRecord) int {
			return cmp.Or(cmp.Compare(a.CompletedOn, b.CompletedOn), a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
		})
		baseline := rs[0]
		if i := slices.IndexFunc(rs, func(r *ResponseRecord) bool { return r.Timepoint == TimepointBaseline }); i >= 0 {
			baseline = rs[i]
		}
		latest := rs[len(rs)-1]
		if latest == baseline {
			latest = rs[len(rs)-2]
		}
		month, ok := factMonth(latest.CompletedOn)
		if !ok {
			continue
		}
		scopes := scopesOf(k.person)
		threshold := scoreHundredths(MeaningfulChange[k.questionnaire])
		count := func(part string, baseline, latest float64, higherIsBetter bool) {
			change := scoreHundredths(latest) - scoreHundredths(baseline)
			prefix := k.questionnaire + ":" + part + ":"
			fc.add(scopes, month, FactWellbeing, prefix+"pairs", 1, change)
			better := change
			if !higherIsBetter {
				better = -change
			}
			switch {
			case better >= threshold:
				fc.add(scopes, month, FactWellbeing, prefix+"improved", 1, 0)
			case -better >= threshold:
				fc.add(scopes, month, FactWellbeing, prefix+"worsened", 1, 0)
			}
		}
		switch k.questionnaire {
		case QuestionnaireONS4:
			for i, item := range ons4Items {
				if i < len(baseline.Items) && i < len(latest.Items) {
					count("item"+strconv.Itoa(i+1), baseline.Items[i], latest.Items[i], !item.lowerIsBetter)
				}
			}
		case QuestionnaireUCLA3:
			count("total", baseline.Total, latest.Total, false)
		default:
			count("total", baseline.Total, latest.Total, true)
		}
	}
}

// healthUseFacts counts, for each person with an NHS number and health service use data,
// their GP appointments and admissions in the six months before and the six after the month
// of their first contact, when the data covers the six after.
func healthUseFacts(fc *factCounter, people []CaseRecord, activity []ActivityRecord) {
	type use struct{ gp, admissions int64 }
	byPerson := map[int64]map[string]use{}
	latest := ""
	for _, a := range activity {
		month, ok := factMonthOfMonth(a.Month)
		if !ok {
			continue
		}
		latest = max(latest, month)
		if byPerson[a.PersonID] == nil {
			byPerson[a.PersonID] = map[string]use{}
		}
		u := byPerson[a.PersonID][month]
		u.gp += int64(a.GPAppointments)
		u.admissions += int64(a.Admissions)
		byPerson[a.PersonID][month] = u
	}
	for i := range people {
		p := &people[i]
		months := byPerson[p.ID]
		month, ok := factMonth(p.FirstContactOn)
		if !p.NHSNumber || len(months) == 0 || !ok || shiftMonth(month, 6) > latest {
			continue
		}
		var before, after use
		for k := 1; k <= 6; k++ {
			b, a := months[shiftMonth(month, -k)], months[shiftMonth(month, k)]
			before.gp += b.gp
			before.admissions += b.admissions
			after.gp += a.gp
			after.admissions += a.admissions
		}
		scopes := p.scopes()
		fc.add(scopes, month, FactHealthUse, "people", 1, 0)
		fc.add(scopes, month, FactHealthUse, "gp_before", 1, before.gp)
		fc.add(scopes, month, FactHealthUse, "gp_after", 1, after.gp)
		fc.add(scopes, month, FactHealthUse, "admissions_before", 1, before.admissions)
		fc.add(scopes, month, FactHealthUse, "admissions_after", 1, after.admissions)
	}
}

// factScope is one scope a record counts for.
type factScope struct {
	kind ScopeKind
	key  string
}

// factKey identifies a fact row.
type factKey struct {
	kind            ScopeKind
	scopeKey, month string
	fact, key       string
}

// factCounter sums facts as records are counted.
type factCounter struct {
	placeID int64
	sums    map[factKey]*MeasureFact
}

func (fc *factCounter) add(scopes []factScope, month, fact, key string, n, total int64) {
	for _, s := range scopes {
		k := factKey{s.kind, s.key, month, fact, key}
		f := fc.sums[k]
		if f == nil {
			f = &MeasureFact{PlaceID: fc.placeID, ScopeKind: s.kind, ScopeKey: s.key, Month: month, Fact: fact, Key: key}
			fc.sums[k] = f
		}
		f.N += n
		f.Total += total
	}
}

// facts returns the rows kept (N or Total not zero), sorted.
func (fc *factCounter) facts() []*MeasureFact {
	out := make([]*MeasureFact, 0, len(fc.sums))
	for _, f := range fc.sums {
		if f.N != 0 || f.Total != 0 {
			out = append(out, f)
		}
	}
	slices.SortFunc(out, compareFacts)
	return out
}

// compareFacts orders facts by scope kind, scope key, month, fact and key.
func compareFacts(a, b *MeasureFact) int {
	return cmp.Or(cmp.Compare(a.ScopeKind, b.ScopeKind), cmp.Compare(a.ScopeKey, b.ScopeKey),
		cmp.Compare(a.Month, b.Month), cmp.Compare(a.Fact, b.Fact), cmp.Compare(a.Key, b.Key))
}

// scopes are the scopes a referral counts for: the place, its scheme, the organisation that
// runs the scheme and the neighbourhood of the person's postcode, where known.
func (ref *ReferralRecord) scopes(schemeOrganisation map[int64]int64) []factScope {
	out := []factScope{{kind: ScopePlace}}
	if ref.SchemeID != 0 {
		out = append(out, factScope{ScopeScheme, idKey(ref.SchemeID)})
		if org := schemeOrganisation[ref.SchemeID]; org != 0 {
			out = append(out, factScope{ScopeOrganisation, idKey(org)})
		}
	}
	if ref.LSOA != "" {
		out = append(out, factScope{ScopeNeighbourhood, ref.LSOA})
	}
	return out
}

// scopes are the scopes a case record, and everything recorded on it, counts for.
func (p *CaseRecord) scopes() []factScope {
	out := []factScope{{kind: ScopePlace}}
	if p.SchemeID != 0 {
		out = append(out, factScope{ScopeScheme, idKey(p.SchemeID)})
	}
	if p.OrganisationID != 0 {
		out = append(out, factScope{ScopeOrganisation, idKey(p.OrganisationID)})
	}
	if p.LSOA != "" {
		out = append(out, factScope{ScopeNeighbourhood, p.LSOA})
	}
	return out
}

// supportKeys are the keys a case record's start and end count under.
func (p *CaseRecord) supportKeys() []string {
	return []string{"all", "imd:" + strconv.Itoa(p.IMDDecile), "ethnicity:" + orUnknownKey(p.Ethnicity),
		"age:" + orUnknownKey(p.AgeBand), "sex:" + orUnknownKey(p.Sex), "worker:" + idKey(p.WorkerUserID)}
}

// organisationScopes are the scopes of a group's figures: the place and the organisation.
func organisationScopes(id int64) []factScope {
	if id == 0 {
		return []factScope{{kind: ScopePlace}}
	}
	return []factScope{{kind: ScopePlace}, {ScopeOrganisation, idKey(id)}}
}

func orUnknownKey(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

func idKey(id int64) string { return strconv.FormatInt(id, 10) }

// scoreHundredths is a score in whole scoreHundredths, as ScoreChanges compares scores.
func scoreHundredths(v float64) int64 { return int64(math.Round(v * 100)) }

// londonDay is the date ("2026-04-03") of a moment in Europe/London.
func londonDay(t time.Time) string { return t.In(London).Format(time.DateOnly) }

// factDate reads the date at the start of s ("2026-04-03"); ok is false unless it is a
// real date.
func factDate(s string) (time.Time, bool) {
	if len(s) < 10 {
		return time.Time{}, false
	}
	t, err := time.Parse(time.DateOnly, s[:10])
	return t, err == nil
}

// factMonth is the month ("2026-04") of a date.
func factMonth(s string) (string, bool) {
	if _, ok := factDate(s); !ok {
		return "", false
	}
	return s[:7], true
}

// factMonthOfMonth is the month of a month written "2026-04" or as its first day.
func factMonthOfMonth(s string) (string, bool) {
	if len(s) == 7 {
		s += "-01"
	}
	return factMonth(s)
}

// factDays is the number of whole days from one date to another, at most FactDaysCap.
func factDays(from, to string) int {
	a, okA := factDate(from)
	b, okB := factDate(to)
	if !okA || !okB {
		return 0
	}
	return min(int(b.Sub(a).Hours()/24), FactDaysCap)
}

// shiftMonth moves a month ("2026-04") on by n months (back when n is negative).
func shiftMonth(month string, n int) string {
	t, err := time.Parse("2006-01", month)
	if err != nil {
		return month
	}
	return t.AddDate(0, n, 0).Format("2006-01")
}

// AgeBandOf is the age band (one of AgeBands) of someone born on dateOfBirth, on the date
// on (both "2006-01-02"); "" when either is not a real date or the birth is after it. A
// birthday on 29 February comes on 1 March in other years.
func AgeBandOf(dateOfBirth, on string) string {
	born, ok1 := factDate(dateOfBirth)
	day, ok2 := factDate(on)
	if !ok1 || !ok2 || len(dateOfBirth) != 10 || len(on) != 10 || day.Before(born) {
		return ""
	}
	age := day.Year() - born.Year()
	if day.Month() < born.Month() || (day.Month() == born.Month() && day.Day() < born.Day()) {
		age--
	}
	switch {
	case age < 18:
		return AgeBands[0]
	case age < 25:
		return AgeBands[1]
	case age >= 85:
		return AgeBands[len(AgeBands)-1]
	}
	return AgeBands[2+(age-25)/10]
}

// PseudonymiseNHSNumber is the key a place's health service use files name a person by when
// the place has chosen not to send NHS numbers: the lower-case hex HMAC-SHA256, under the
// secret the place shares with its data provider, of the ten digits of the NHS number with
// any spaces (or dashes) between them taken out.
func PseudonymiseNHSNumber(secret, nhsNumber string) string {
	digits := strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, strings.TrimSpace(nhsNumber))
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(digits))
	return hex.EncodeToString(mac.Sum(nil))
}

// BuildDashboard makes a scope's dashboard for the months q.From to q.To from its facts:
// for each measure of q.Measures in order (described by defs, which hold the built-in
// measures and the place's local ones), its headline figures and the tables behind its
// charts. A chart draws its table's first column (ChartBeforeAfter the first two, as two
// bars a row).
//
// The facts are those of q.Scope (facts of other scopes are left out) and must run from the
// first month the place has facts for, not only from q.From, for people_supported,
// caseload and reach: people supported in a period include those whose support began
// before it and had not ended, counted from support_starts and support_ends in every
// earlier month. The caller asks the store for them with fromMonth "" (from the beginning).
// For the place's and an organisation's dashboards the caller may add the scheme-scope
// referrals facts (key "all") of the schemes within the scope, for the table of referrals by
// scheme.
//
// A figure that counts people, or records about people, is a Count cell; one worked out
// from a count (a mean, a share, a median) has that count as its Base (and a share the
// whole it is of as Of), and a count that is the sum of cells shown elsewhere has them as
// its Parts, so that Suppress can make the dashboard safe. The same figure shown in two
// places (a headline and a table's total) is the same cell.
func BuildDashboard(defs []MeasureDefinition, q MeasureQuery, facts []*MeasureFact, c *MeasureContext) *Dashboard {
	if c == nil {
		c = &MeasureContext{}
	}
	b := newDashboardBuilder(q, facts, c)
	byCode := map[MeasureCode]MeasureDefinition{}
	for _, d := range defs {
		byCode[d.Code] = d
	}
	d := &Dashboard{Query: q, Results: []*MeasureResult{}}
	done := map[MeasureCode]bool{}
	for _, code := range q.Measures {
		def, ok := byCode[code]
		if !ok || done[code] {
			continue
		}
		done[code] = true
		build := b.builders()[code]
		if def.Local {
			build = b.local
		}
		if build == nil {
			continue
		}
		res := &MeasureResult{Definition: def, Headline: []*MeasureCell{}, Tables: []*MeasureTable{}}
		build(res)
		d.Results = append(d.Results, res)
	}
	return d
}

// dashboardBuilder holds a dashboard's facts, indexed, and its period.
type dashboardBuilder struct {
	q      MeasureQuery
	c      *MeasureContext
	months []string // "2026-04", q.From to q.To
	first  string
	days   int // in the period
	// facts: fact → month → key → sums.
	facts map[string]map[string]map[string]factSum
	// schemeReferrals: scheme ID → referrals in the period, from scheme-scope facts.
	schemeReferrals map[int64]int64
}

type factSum struct{ n, total int64 }

func newDashboardBuilder(q MeasureQuery, facts []*MeasureFact, c *MeasureContext) *dashboardBuilder {
	b := &dashboardBuilder{q: q, c: c, facts: map[string]map[string]map[string]factSum{}, schemeReferrals: map[int64]int64{}}
	from := time.Date(q.From.Year(), q.From.Month(), 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(q.To.Year(), q.To.Month(), 1, 0, 0, 0, 0, time.UTC)
	for m := from; !m.After(to); m = m.AddDate(0, 1, 0) {
		b.months = append(b.months, m.Format("2006-01"))
	}
	b.first = from.Format("2006-01")
	if len(b.months) > 0 {
		b.days = int(to.AddDate(0, 1, 0).Sub(from).Hours() / 24)
	}
	last := ""
	if len(b.months) > 0 {
		last = b.months[len(b.months)-1]
	}
	for _, f := range facts {
		if f.ScopeKind == ScopeScheme && q.Scope.Kind != ScopeScheme && f.Fact == FactReferrals && f.Key == "all" {
			if id, err := strconv.ParseInt(f.ScopeKey, 10, 64); err == nil && f.Month >= b.first && f.Month <= last {
				b.schemeReferrals[id] += f.N
			}
			continue
		}
		if f.ScopeKind != q.Scope.Kind || f.ScopeKey != q.Scope.Key {
			continue
		}
		byMonth := b.facts[f.Fact]
		if byMonth == nil {
			byMonth = map[string]map[string]factSum{}
			b.facts[f.Fact] = byMonth
		}
		byKey := byMonth[f.Month]
		if byKey == nil {
			byKey = map[string]factSum{}
			byMonth[f.Month] = byKey
		}
		s := byKey[f.Key]
		s.n += f.N
		s.total += f.Total
		byKey[f.Key] = s
	}
	return b
}

func (b *dashboardBuilder) builders() map[MeasureCode]func(*MeasureResult) {
	return map[MeasureCode]func(*MeasureResult){
		MeasureReferrals: b.referrals, MeasureFirstContact: b.firstContact, MeasurePeopleSupported: b.peopleSupported,
		MeasureContacts: b.contacts, MeasureCaseload: b.caseload, MeasureWaiting: b.waiting, MeasureOnward: b.onward,
		MeasureWellbeing: b.wellbeing, MeasureReach: b.reach, MeasureHealthUse: b.healthUse,
		MeasureVolunteers: b.volunteers, MeasureNewActivities: b.newActivities, MeasureBudgetSpend: b.budgetSpend,
	}
}

// at is a fact's sums for a key in a month.
func (b *dashboardBuilder) at(fact, month, key string) factSum { return b.facts[fact][month][key] }

// sum is a fact's sums for a key over the period.
func (b *dashboardBuilder) sum(fact, key string) factSum {
	var s factSum
	for _, m := range b.months {
		v := b.facts[fact][m][key]
		s.n += v.n
		s.total += v.total
	}
	return s
}

// before is a fact's sums for a key over every month before the period.
func (b *dashboardBuilder) before(fact, key string) factSum {
	var s factSum
	for m, byKey := range b.facts[fact] {
		if m < b.first {
			v := byKey[key]
			s.n += v.n
			s.total += v.total
		}
	}
	return s
}

// supported is the number of case records with key open at any time in the period: open
// at its start (opened before it, less closed before it) and opened in it.
func (b *dashboardBuilder) supported(key string) int64 {
	return b.before(FactSupportStarts, key).n - b.before(FactSupportEnds, key).n + b.sum(FactSupportStarts, key).n
}

// keys are the keys of a fact with a prefix (the prefix taken off), in the period or, with
// ever, in any month; sorted.
func (b *dashboardBuilder) keys(fact, prefix string, ever bool) []string {
	seen := map[string]bool{}
	for m, byKey := range b.facts[fact] {
		if !ever && !slices.Contains(b.months, m) {
			continue
		}
		for k := range byKey {
			if rest, ok := strings.CutPrefix(k, prefix); ok {
				seen[rest] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// histogram is a days fact's counts by days, over the months given.
func (b *dashboardBuilder) histogram(fact string, months ...string) map[int64]int64 {
	h := map[int64]int64{}
	for _, m := range months {
		for k, v := range b.facts[fact][m] {
			if d, err := strconv.ParseInt(k, 10, 64); err == nil {
				h[d] += v.n
			}
		}
	}
	return h
}

// allKeys is every key of known, in order, then the keys present that known lacks.
func allKeys[T ~string](known []T, present []string) []string {
	out := make([]string, 0, len(known)+len(present))
	for _, k := range known {
		out = append(out, string(k))
	}
	for _, k := range present {
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

func (b *dashboardBuilder) referrals(res *MeasureResult) {
	total := countCell("Referrals received", b.sum(FactReferrals, "all").n)
	res.Headline = append(res.Headline, total)

	byMonth := monthTable("referrals_by_month", "Referrals received by month", []string{"Referrals"})
	for _, m := range b.months {
		byMonth.Rows = append(byMonth.Rows, monthRow(m, countCell("", b.at(FactReferrals, m, "all").n)))
	}
	byMonth.Total = wholePeriod(total)

	bySource := &MeasureTable{Name: "referrals_by_source", Title: "Referrals received by who referred", Header: []string{"Referred by", "Referrals"}, Chart: ChartBars}
	for _, s := range allKeys(ReferrerTypes, b.keys(FactReferrals, "source:", false)) {
		label := ReferrerType(s).Label()
		if label == "" {
			label = "Not recorded"
			if s != "" {
				label = s
			}
		}
		bySource.Rows = append(bySource.Rows, &MeasureRow{Label: label, Key: s, Cells: []*MeasureCell{countCell("", b.sum(FactReferrals, "source:"+s).n)}})
	}
	bySource.Total = totalRow(total)

	byNeed := &MeasureTable{Name: "referrals_by_need", Title: "Referrals received by need", Header: []string{"Need", "Referrals"}, Chart: ChartBars,
		Notes: []string{"A referral with more than one need is counted once under each, so the needs add up to more than the referrals received."}}
	type needRow struct {
		code, label string
		n           int64
	}
	var needs []needRow
	for _, code := range b.keys(FactReferrals, "need:", false) {
		if n := b.sum(FactReferrals, "need:"+code).n; n > 0 {
			needs = append(needs, needRow{code, b.termLabel(code), n})
		}
	}
	slices.SortStableFunc(needs, func(x, y needRow) int { return cmp.Or(cmp.Compare(y.n, x.n), cmp.Compare(x.label, y.label)) })
	for _, n := range needs {
		byNeed.Rows = append(byNeed.Rows, &MeasureRow{Label: n.label, Key: n.code, Cells: []*MeasureCell{countCell("", n.n)}})
	}
	res.Tables = append(res.Tables, byMonth, bySource, byNeed)

	if len(b.schemeReferrals) > 0 && b.q.Scope.Kind != ScopeScheme {
		byScheme := &MeasureTable{Name: "referrals_by_scheme", Title: "Referrals received by scheme", Header: []string{"Scheme", "Referrals"}, Chart: ChartBars}
		type schemeRow struct {
			id    int64
			label string
			n     int64
		}
		var rows []schemeRow
		var sum int64
		for id, n := range b.schemeReferrals {
			label := b.c.Schemes[id]
			if label == "" {
				label = "Scheme " + idKey(id)
			}
			rows = append(rows, schemeRow{id, label, n})
			sum += n
		}
		slices.SortFunc(rows, func(x, y schemeRow) int { return cmp.Or(cmp.Compare(x.label, y.label), cmp.Compare(x.id, y.id)) })
		for _, r := range rows {
			byScheme.Rows = append(byScheme.Rows, &MeasureRow{Label: r.label, Key: idKey(r.id), Cells: []*MeasureCell{countCell("", r.n)}})
		}
		n := int64(total.Value)
		if sum < n {
			byScheme.Rows = append(byScheme.Rows, &MeasureRow{Label: "Other schemes", Cells: []*MeasureCell{countCell("", n-sum)}})
		}
		if sum <= n {
			byScheme.Total = totalRow(total)
		}
		res.Tables = append(res.Tables, byScheme)
	}
}

// waitBands group days to first contact for a table of how long people waited.
var waitBands = []struct {
	label    string
	min, max int64
}{
	{"The same day", math.MinInt64, 0}, {"1 to 7 days", 1, 7}, {"8 to 14 days", 8, 14}, {"15 to 28 days", 15, 28},
	{"29 to 56 days", 29, 56}, {"57 to 91 days", 57, 91}, {"More than 91 days", 92, math.MaxInt64},
}

func (b *dashboardBuilder) firstContact(res *MeasureResult) {
	h := b.histogram(FactFirstContact, b.months...)
	count, within, median, share := b.firstContactCells(h)
	count.Label, within.Label = "Referrals first contacted", "First contacted within 14 days"
	median.Label, share.Label = "Median time to first contact", "Share first contacted within 14 days"
	res.Headline = append(res.Headline, median, share, count, within)

	byMonth := monthTable("first_contact_by_month", "Time from referral to first contact, by month of first contact",
		[]string{"Median days", "Share within 14 days", "Referrals first contacted", "First contacted within 14 days"})
	for _, m := range b.months {
		c, w, med, s := b.firstContactCells(b.histogram(FactFirstContact, m))
		byMonth.Rows = append(byMonth.Rows, monthRow(m, med, s, c, w))
	}
	byMonth.Total = wholePeriod(median, share, count, within)

	byWait := &MeasureTable{Name: "first_contact_by_wait", Title: "Referrals first contacted, by days from referral to first contact",
		Header: []string{"Days to first contact", "Referrals"}, Chart: ChartBars}
	for i, band := range waitBands {
		var n int64
		for d, v := range h {
			if d >= band.min && d <= band.max {
				n += v
			}
		}
		cell := countCell("", n)
		if i < 3 {
			within.Parts = append(within.Parts, cell)
		}
		byWait.Rows = append(byWait.Rows, &MeasureRow{Label: band.label, Cells: []*MeasureCell{cell}})
	}
	byWait.Total = totalRow(count)
	byMonth.Notes = []string{"Days are counted from the day the referral arrived to the day of the first contact: the same day is 0 days, and a wait of more than 365 days counts as 365."}
	res.Tables = append(res.Tables, byMonth, byWait)
}

// firstContactCells are the referrals first contacted, those within 14 days, the median days
// and the share within 14 days, from a histogram of days.
func (b *dashboardBuilder) firstContactCells(h map[int64]int64) (count, within, median, share *MeasureCell) {
	var n, w int64
	for d, v := range h {
		n += v
		if d <= 14 {
			w += v
		}
	}
	count, within = countCell("", n), countCell("", w)
	med, ok := daysMedian(h)
	return count, within, daysCell("", med, ok, count), percentCell("", w, n, within, count)
}

func (b *dashboardBuilder) peopleSupported(res *MeasureResult) {
	supported := countCell("People supported", b.supported("all"))
	started := countCell("New people", b.sum(FactSupportStarts, "all").n)
	ended := countCell("Support ended", b.sum(FactSupportEnds, "all").n)
	res.Headline = append(res.Headline, supported, started, ended)
	byMonth := monthTable("people_supported_by_month", "People whose support began and ended, by month", []string{"New people", "Support ended"})
	for _, m := range b.months {
		byMonth.Rows = append(byMonth.Rows, monthRow(m, countCell("", b.at(FactSupportStarts, m, "all").n), countCell("", b.at(FactSupportEnds, m, "all").n)))
	}
	byMonth.Total = wholePeriod(started, ended)
	res.Tables = append(res.Tables, byMonth)
}

func (b *dashboardBuilder) contacts(res *MeasureResult) {
	cells := func(s factSum) []*MeasureCell {
		n := countCell("", s.n)
		return []*MeasureCell{n, derivedSum("", s.total, n), meanCell("", s.total, s.n, 1, "", n)}
	}
	total := cells(b.sum(FactContacts, "all"))
	total[0].Label, total[1].Label, total[2].Label = "Contacts", "Minutes of contact", "Mean minutes a contact"
	res.Headline = append(res.Headline, total...)
	header := []string{"Contacts", "Minutes", "Mean minutes a contact"}

	byMode := &MeasureTable{Name: "contacts_by_mode", Title: "Contacts by how they took place", Header: append([]string{"How"}, header...), Chart: ChartBars}
	for _, m := range allKeys(ContactModes, b.keys(FactContacts, "mode:", false)) {
		label := ContactMode(m).Label()
		if label == "" {
			label = m
		}
		byMode.Rows = append(byMode.Rows, &MeasureRow{Label: label, Key: m, Cells: cells(b.sum(FactContacts, "mode:"+m))})
	}
	byMode.Total = totalRow(total...)

	byMonth := monthTable("contacts_by_month", "Contacts by month", header)
	for _, m := range b.months {
		byMonth.Rows = append(byMonth.Rows, monthRow(m, cells(b.at(FactContacts, m, "all"))...))
	}
	byMonth.Total = wholePeriod(total...)
	res.Tables = append(res.Tables, byMode, byMonth)
}

// Caseload guide: a full-time link worker supports 200 to 250 people a year.
const (
	caseloadGuideLow  = 200
	caseloadGuideHigh = 250
)

// caseloadWorker is a link worker's caseload over a dashboard's period.
type caseloadWorker struct {
	id    int64
	label string
	cell  *MeasureCell
	// rate is people a year: those open at the start plus those started, scaled to a year.
	rate float64
}

func (b *dashboardBuilder) caseload(res *MeasureResult) {
	var workers []caseloadWorker
	var unallocated *caseloadWorker
	for _, k := range b.keys(FactSupportStarts, "worker:", true) {
		id, err := strconv.ParseInt(k, 10, 64)
		if err != nil {
			continue
		}
		key := "worker:" + k
		open := b.before(FactSupportStarts, key).n - b.before(FactSupportEnds, key).n
		started := b.sum(FactSupportStarts, key).n
		if open+started <= 0 {
			continue
		}
		w := caseloadWorker{id: id, cell: countCell("", open+started), rate: float64(open)}
		if b.days > 0 {
			w.rate += float64(started) * 365 / float64(b.days)
		}
		if id == 0 {
			w.label = "No link worker named"
			unallocated = &w
			continue
		}
		w.label = b.c.Workers[id]
		if w.label == "" {
			w.label = "Link worker " + k
		}
		workers = append(workers, w)
	}
	slices.SortFunc(workers, func(x, y caseloadWorker) int { return cmp.Or(cmp.Compare(x.label, y.label), cmp.Compare(x.id, y.id)) })

	table := &MeasureTable{Name: "caseload_by_worker", Title: "People supported by each link worker, against the guide of 200 to 250 a year",
		Header: []string{"Link worker", "People supported in the period", "People a year at this rate", "Against the guide of 200 to 250 a year"}, Chart: ChartBars}
	over := 0
	for _, w := range workers {
		guide := "Within the guide"
		switch {
		case w.rate > caseloadGuideHigh:
			guide = "Over 250: above the guide"
			over++
		case w.rate < caseloadGuideLow:
			guide = "Under 200"
		}
		table.Rows = append(table.Rows, &MeasureRow{Label: w.label, Key: idKey(w.id), Cells: []*MeasureCell{
			w.cell, derivedCell("", math.Round(w.rate), countText(int64(math.Round(w.rate))), w.cell), derivedCell("", 0, guide, w.cell)}})
	}
	if unallocated != nil {
		table.Rows = append(table.Rows, &MeasureRow{Label: unallocated.label, Key: "0", Cells: []*MeasureCell{
			unallocated.cell, derivedCell("", math.Round(unallocated.rate), countText(int64(math.Round(unallocated.rate))), unallocated.cell), emptyCell()}})
	}
	table.Total = totalRow(countCell("", b.supported("all")), emptyCell(), emptyCell())
	table.Notes = []string{"People a year at this rate: the people open at the start of the period, plus the people who started in it scaled up to a whole year. " +
		"A person is counted under the link worker responsible for them now."}

	res.Headline = append(res.Headline, plainCell("Link workers", int64(len(workers))))
	if len(workers) > 0 {
		byRate := slices.Clone(workers)
		slices.SortStableFunc(byRate, func(x, y caseloadWorker) int { return cmp.Compare(x.rate, y.rate) })
		mid := byRate[(len(byRate)-1)/2]
		res.Headline = append(res.Headline, derivedCell("Median people a year per link worker", math.Round(mid.rate), countText(int64(math.Round(mid.rate))), mid.cell))
	}
	res.Headline = append(res.Headline, plainCell("Link workers above 250 a year", int64(over)))
	res.Tables = append(res.Tables, caseloadBands(workers), table)
}

// caseloadBands counts the link workers by people a year at their rate, against the guide:
// the overview of a place's thousands of link workers, which the table of each shows only in
// part on a page.
func caseloadBands(workers []caseloadWorker) *MeasureTable {
	bands := []struct {
		label string
		in    func(rate float64) bool
	}{
		{"Under 100", func(r float64) bool { return r < 100 }},
		{"100 to 199", func(r float64) bool { return r >= 100 && r < caseloadGuideLow }},
		{"200 to 250: within the guide", func(r float64) bool { return r >= caseloadGuideLow && r <= caseloadGuideHigh }},
		{"Over 250: above the guide", func(r float64) bool { return r > caseloadGuideHigh }},
	}
	table := &MeasureTable{Name: "caseload_bands", Title: "Link workers by people a year at their rate, against the guide of 200 to 250",
		Header: []string{"People a year", "Link workers"}, Chart: ChartBars}
	for _, band := range bands {
		n := 0
		for _, w := range workers {
			if band.in(w.rate) {
				n++
			}
		}
		table.Rows = append(table.Rows, &MeasureRow{Label: band.label, Cells: []*MeasureCell{plainCell("", int64(n))}})
	}
	table.Total = totalRow(plainCell("", int64(len(workers))))
	table.Notes = []string{"Link workers named on at least one person's record in the period; people with no link worker named are not counted here."}
	return table
}

func (b *dashboardBuilder) waiting(res *MeasureResult) {
	cells := func(h map[int64]int64) []*MeasureCell {
		var n, days int64
		for d, v := range h {
			n += v
			days += d * v
		}
		count := countCell("", n)
		med, ok := daysMedian(h)
		mean := 0.0
		if n > 0 {
			mean = float64(days) / float64(n)
		}
		return []*MeasureCell{daysCell("", med, ok, count), daysCell("", math.Round(mean*10)/10, n > 0, count), count}
	}
	total := cells(b.histogram(FactWaitingAllocated, b.months...))
	total[0].Label, total[1].Label, total[2].Label = "Median wait of those allocated", "Mean wait of those allocated", "Allocated to a link worker"
	now := countCell("Waiting now", b.c.WaitingNow)
	res.Headline = append(res.Headline, now, total[2], total[0], total[1])
	byMonth := monthTable("waiting_by_month", "Wait from acceptance to allocation, by month allocated", []string{"Median wait", "Mean wait", "Allocated"})
	for _, m := range b.months {
		byMonth.Rows = append(byMonth.Rows, monthRow(m, cells(b.histogram(FactWaitingAllocated, m))...))
	}
	byMonth.Total = wholePeriod(total...)
	byMonth.Notes = []string{"Waiting now is counted when the dashboard is made, whatever months are chosen."}
	res.Tables = append(res.Tables, byMonth)
}

func (b *dashboardBuilder) onward(res *MeasureResult) {
	sent := countCell("Onward referrals sent", b.sum(FactOnward, "all").n)
	status := map[OnwardStatus]*MeasureCell{}
	byStatus := &MeasureTable{Name: "onward_by_status", Title: "Onward referrals sent, by where they stand now", Header: []string{"Where it stands", "Onward referrals"}, Chart: ChartBars}
	for _, s := range allKeys(OnwardStatuses, b.keys(FactOnward, "status:", false)) {
		cell := countCell("", b.sum(FactOnward, "status:"+s).n)
		status[OnwardStatus(s)] = cell
		label := OnwardStatus(s).Label()
		switch OnwardStatus(s) {
		case OnwardAccepted:
			label = "Accepted, not yet known whether they attended"
		case "":
			label = "Not recorded"
		}
		if label == "" {
			label = s
		}
		byStatus.Rows = append(byStatus.Rows, &MeasureRow{Label: label, Key: s, Cells: []*MeasureCell{cell}})
	}
	byStatus.Total = totalRow(sent)
	acceptedParts := []*MeasureCell{status[OnwardAccepted], status[OnwardAttended], status[OnwardDidNotAttend]}
	var n int64
	for _, p := range acceptedParts {
		n += int64(p.Value)
	}
	accepted := countCell("Accepted", n)
	accepted.Parts = acceptedParts
	attended := status[OnwardAttended]
	res.Headline = append(res.Headline, sent, accepted, withLabel(attended, "Attended"),
		percentCell("Share accepted", n, int64(sent.Value), accepted, sent),
		percentCell("Share of those accepted who attended", int64(attended.Value), n, attended, accepted))

	byMonth := monthTable("onward_by_month", "Onward referrals by month sent", []string{"Sent", "Accepted", "Attended"})
	for _, m := range b.months {
		var acc int64
		for _, s := range []OnwardStatus{OnwardAccepted, OnwardAttended, OnwardDidNotAttend} {
			acc += b.at(FactOnward, m, "status:"+string(s)).n
		}
		byMonth.Rows = append(byMonth.Rows, monthRow(m, countCell("", b.at(FactOnward, m, "all").n), countCell("", acc),
			countCell("", b.at(FactOnward, m, "status:"+string(OnwardAttended)).n)))
	}
	byMonth.Total = wholePeriod(sent, accepted, attended)
	byMonth.Notes = []string{"Accepted counts every onward referral the group accepted: those not yet known to have been attended, those attended and those not attended. " +
		"Each is counted in the month it was sent, as it stands now."}
	res.Tables = append(res.Tables, byStatus, byMonth)
}

// withLabel gives a cell a headline label when it has none (a cell shared with a table).
func withLabel(c *MeasureCell, label string) *MeasureCell {
	if c.Label == "" {
		c.Label = label
	}
	return c
}

// wellbeingParts are the questionnaire parts the wellbeing measure compares, in order.
var wellbeingParts = []struct{ key, label, headline string }{
	{"ons4:item1", "ONS4 life satisfaction (0 to 10, higher is better)", "ONS4 life satisfaction"},
	{"ons4:item2", "ONS4 feeling the things they do are worthwhile (0 to 10, higher is better)", "ONS4 worthwhile"},
	{"ons4:item3", "ONS4 happiness (0 to 10, higher is better)", "ONS4 happiness"},
	{"ons4:item4", "ONS4 anxiety (0 to 10, lower is better)", "ONS4 anxiety"},
	{"swemwbs:total", "SWEMWBS mental wellbeing (metric score 7 to 35, higher is better)", "SWEMWBS"},
	{"ucla3:total", "UCLA-3 loneliness (3 to 9, lower is better)", "UCLA-3 loneliness"},
}

func (b *dashboardBuilder) wellbeing(res *MeasureResult) {
	table := &MeasureTable{Name: "wellbeing_change", Title: "Change in wellbeing between baseline and latest follow-up",
		Header: []string{"Measure", "Share improved by a meaningful amount", "Share worse by a meaningful amount", "Mean change",
			"People compared", "Improved by a meaningful amount", "Worse by a meaningful amount"}, Chart: ChartBars,
		Notes: []string{"A meaningful change is at least 3 points of the SWEMWBS metric score, 1 point of UCLA-3, or 1 point on an ONS4 question's 0 to 10 scale, " +
			"in the better or the worse direction. A mean change above 0 is a rise in the score, which for UCLA-3 and ONS4 anxiety is a change for the worse."}}
	for _, p := range wellbeingParts {
		pairs := b.sum(FactWellbeing, p.key+":pairs")
		if pairs.n == 0 {
			continue
		}
		people := countCell("", pairs.n)
		improved := countCell("", b.sum(FactWellbeing, p.key+":improved").n)
		worse := countCell("", b.sum(FactWellbeing, p.key+":worsened").n)
		shareImproved := percentCell("", int64(improved.Value), pairs.n, improved, people)
		mean := meanCell("", pairs.total, pairs.n*100, 2, "", people)
		if pairs.total > 0 {
			mean.Text = "+" + mean.Text
		}
		table.Rows = append(table.Rows, &MeasureRow{Label: p.label, Key: p.key, Cells: []*MeasureCell{shareImproved,
			percentCell("", int64(worse.Value), pairs.n, worse, people), mean, people, improved, worse}})
		if p.key == "ons4:item1" || !strings.HasPrefix(p.key, "ons4:") {
			name := p.headline
			if p.key == "ons4:item1" {
				name = "ONS4"
			}
			res.Headline = append(res.Headline, withLabel(people, "People compared: "+name),
				withLabel(shareImproved, "Improved by a meaningful amount: "+p.headline))
		}
	}
	if len(table.Rows) == 0 {
		res.Headline = append(res.Headline, countCell("People compared", 0))
		table.Notes = append(table.Notes, "No one had a follow-up compared with their baseline in these months.")
	}
	res.Tables = append(res.Tables, table)
}

func (b *dashboardBuilder) reach(res *MeasureResult) {
	supported := countCell("People supported", b.supported("all"))
	res.Headline = append(res.Headline, supported)

	var placeTotal int
	for d, n := range b.c.PlaceDeciles {
		if d >= 1 && d <= 10 {
			placeTotal += n
		}
	}
	placeShare := func(deciles ...int) *MeasureCell {
		if placeTotal == 0 {
			return noteCell("–")
		}
		var n int
		for _, d := range deciles {
			n += b.c.PlaceDeciles[d]
		}
		v := math.Round(float64(n) * 100 / float64(placeTotal))
		return &MeasureCell{Value: v, Text: countText(int64(v)) + "%"}
	}
	deciles := make([]*MeasureCell, 11)
	var known int64
	for d := 1; d <= 10; d++ {
		deciles[d] = countCell("", b.supported("imd:"+strconv.Itoa(d)))
		known += int64(deciles[d].Value)
	}
	knownCell := countCell("People supported whose neighbourhood's decile is known", known)
	byIMD := &MeasureTable{Name: "reach_by_imd", Title: "People supported by the deprivation of their neighbourhood (IMD decile), against the place",
		Header: []string{"IMD decile", "Share of people supported", "Share of the place's neighbourhoods", "People supported"}, Chart: ChartBeforeAfter,
		Notes: []string{"Decile 1 is the most deprived tenth of neighbourhoods in England, decile 10 the least deprived.",
			"Shares of people supported are of those whose neighbourhood is known. The place's share is the share of its neighbourhoods (LSOAs) in each decile: " +
				"neighbourhoods hold roughly equal numbers of people, so it stands for the share of the place's population."}}
	for d := 1; d <= 10; d++ {
		label := strconv.Itoa(d)
		switch d {
		case 1:
			label = "1 (most deprived)"
		case 10:
			label = "10 (least deprived)"
		}
		byIMD.Rows = append(byIMD.Rows, &MeasureRow{Label: label, Key: strconv.Itoa(d), Cells: []*MeasureCell{
			percentCell("", int64(deciles[d].Value), known, deciles[d], knownCell), placeShare(d), deciles[d]}})
	}
	byIMD.Rows = append(byIMD.Rows, &MeasureRow{Label: "Not known", Key: "0", Cells: []*MeasureCell{emptyCell(), emptyCell(), countCell("", b.supported("imd:0"))}})
	hundred := noteCell("–")
	if known > 0 {
		hundred = &MeasureCell{Value: 100, Text: "100%"}
	}
	placeHundred := noteCell("–")
	if placeTotal > 0 {
		placeHundred = &MeasureCell{Value: 100, Text: "100%"}
	}
	byIMD.Total = totalRow(hundred, placeHundred, supported)

	fifth := countCell("People supported from the most deprived fifth of neighbourhoods (deciles 1 and 2)", int64(deciles[1].Value+deciles[2].Value))
	fifth.Parts = []*MeasureCell{deciles[1], deciles[2]}
	fifthPlace := placeShare(1, 2)
	fifthPlace.Label = "The place's share of neighbourhoods in the most deprived fifth"
	res.Headline = append(res.Headline, fifth,
		percentCell("Share of people supported from the most deprived fifth", int64(fifth.Value), known, fifth, knownCell), fifthPlace)
	res.Tables = append(res.Tables, byIMD)

	breakdown := func(name, title, heading, prefix string, order []string, label func(string) string) *MeasureTable {
		t := &MeasureTable{Name: name, Title: title, Header: []string{heading, "People supported", "Share of people supported"}, Chart: ChartBars}
		present := slices.DeleteFunc(b.keys(FactSupportStarts, prefix, true), func(k string) bool { return k == "unknown" })
		for _, k := range append(allKeys(order, present), "unknown") {
			n := b.supported(prefix + k)
			if n == 0 && !slices.Contains(order, k) {
				continue
			}
			cell := countCell("", n)
			l := label(k)
			if k == "unknown" {
				l = "Not recorded"
			} else if l == "" {
				l = k
			}
			t.Rows = append(t.Rows, &MeasureRow{Label: l, Key: k, Cells: []*MeasureCell{cell, percentCell("", n, int64(supported.Value), cell, supported)}})
		}
		hundred := noteCell("–")
		if supported.Value > 0 {
			hundred = &MeasureCell{Value: 100, Text: "100%"}
		}
		t.Total = totalRow(supported, hundred)
		return t
	}
	var ethnicities []string
	for _, e := range EthnicCategories {
		if b.supported("ethnicity:"+string(e)) > 0 {
			ethnicities = append(ethnicities, string(e))
		}
	}
	var sexes []string
	for _, s := range Sexes {
		sexes = append(sexes, string(s))
	}
	res.Tables = append(res.Tables,
		breakdown("reach_by_ethnicity", "People supported by ethnic group", "Ethnic group", "ethnicity:", ethnicities,
			func(k string) string { return EthnicCategory(k).Label() }),
		breakdown("reach_by_age", "People supported by age when their support began", "Age", "age:", AgeBands,
			func(k string) string { return k }),
		breakdown("reach_by_sex", "People supported by sex", "Sex", "sex:", sexes,
			func(k string) string { return Sex(k).Label() }))
}

func (b *dashboardBuilder) healthUse(res *MeasureResult) {
	people := countCell("People counted", b.sum(FactHealthUse, "people").n)
	n := int64(people.Value)
	total := func(key string) *MeasureCell { return countCell("", b.sum(FactHealthUse, key).total) }
	gpBefore, gpAfter := total("gp_before"), total("gp_after")
	admBefore, admAfter := total("admissions_before"), total("admissions_after")
	perPerson := func(label string, c *MeasureCell) *MeasureCell {
		return meanCell(label, int64(c.Value), n, 2, "", people)
	}
	gpB, gpA := perPerson("GP consultations a person, 6 months before", gpBefore), perPerson("GP consultations a person, 6 months after", gpAfter)
	admB, admA := perPerson("Non-elective admissions a person, 6 months before", admBefore), perPerson("Non-elective admissions a person, 6 months after", admAfter)
	res.Headline = append(res.Headline, people, gpB, gpA, admB, admA)

	var notes []string
	if b.c.ActivityUpTo == "" {
		notes = append(notes, "No health service use data has been loaded.")
	} else {
		notes = append(notes, "The health service use data runs to "+measureMonthLabel(b.c.ActivityUpTo)+
			", so only people first contacted in "+measureMonthLabel(shiftMonth(b.c.ActivityUpTo, -6))+" or before are counted.")
	}
	header := []string{"", "6 months before first contact", "6 months after first contact"}
	perPersonTable := &MeasureTable{Name: "health_use_per_person", Title: "GP consultations and non-elective admissions a person, before and after first contact",
		Header: withFirst("Per person", header), Chart: ChartBeforeAfter, Notes: notes,
		Rows: []*MeasureRow{{Label: "GP consultations", Key: "gp", Cells: []*MeasureCell{gpB, gpA}},
			{Label: "Non-elective admissions", Key: "admissions", Cells: []*MeasureCell{admB, admA}}}}
	totals := &MeasureTable{Name: "health_use_totals", Title: "GP consultations and non-elective admissions in all, before and after first contact",
		Header: withFirst("In all", header), Chart: ChartNone, Notes: slices.Clone(notes),
		Rows: []*MeasureRow{{Label: "GP consultations", Key: "gp", Cells: []*MeasureCell{gpBefore, gpAfter}},
			{Label: "Non-elective admissions", Key: "admissions", Cells: []*MeasureCell{admBefore, admAfter}}}}
	byMonth := monthTable("health_use_by_month", "People counted, by month of first contact", []string{"People counted"})
	byMonth.Header[0] = "Month of first contact"
	for _, m := range b.months {
		byMonth.Rows = append(byMonth.Rows, monthRow(m, countCell("", b.at(FactHealthUse, m, "people").n)))
	}
	byMonth.Total = wholePeriod(people)
	byMonth.Notes = slices.Clone(notes)
	res.Tables = append(res.Tables, perPersonTable, totals, byMonth)
}

func withFirst(first string, header []string) []string {
	return append([]string{first}, header[1:]...)
}

func (b *dashboardBuilder) volunteers(res *MeasureResult) {
	cells := func(v, h factSum) []*MeasureCell {
		return []*MeasureCell{countCell("", v.total), plainCell("", h.total), plainCell("", v.n)}
	}
	total := cells(b.sum(FactVolunteers, "volunteers"), b.sum(FactVolunteers, "hours"))
	total[0].Label, total[1].Label, total[2].Label = "Volunteer-months", "Volunteer hours", "Monthly reports from groups"
	res.Headline = append(res.Headline, total...)
	byMonth := monthTable("volunteers_by_month", "Groups' volunteers and volunteer hours, by month", []string{"Volunteers", "Hours", "Groups reporting"})
	for _, m := range b.months {
		byMonth.Rows = append(byMonth.Rows, monthRow(m, cells(b.at(FactVolunteers, m, "volunteers"), b.at(FactVolunteers, m, "hours"))...))
	}
	byMonth.Total = wholePeriod(total...)
	byMonth.Notes = []string{"Each group reports its volunteers month by month, so someone who volunteers in three months counts three times: " +
		"the whole period's figure is volunteer-months, not different people. Groups that did not report are not included."}
	res.Tables = append(res.Tables, byMonth)
}

func (b *dashboardBuilder) newActivities(res *MeasureResult) {
	activities := plainCell("New activities", b.sum(FactNewActivities, "all").n)
	groups := plainCell("New community groups", b.sum(FactNewGroups, "all").n)
	res.Headline = append(res.Headline, activities, groups)
	byMonth := monthTable("new_activities_by_month", "New activities and community groups, by month", []string{"New activities", "New community groups"})
	for _, m := range b.months {
		byMonth.Rows = append(byMonth.Rows, monthRow(m, plainCell("", b.at(FactNewActivities, m, "all").n), plainCell("", b.at(FactNewGroups, m, "all").n)))
	}
	byMonth.Total = wholePeriod(activities, groups)
	res.Tables = append(res.Tables, byMonth)
}

func (b *dashboardBuilder) budgetSpend(res *MeasureResult) {
	cells := func(s factSum) []*MeasureCell {
		payments := countCell("", s.n)
		return []*MeasureCell{moneyCell("", s.total, payments), payments}
	}
	total := cells(b.sum(FactSpend, "all"))
	total[0].Label, total[1].Label = "Net spend", "Payments"
	res.Headline = append(res.Headline, total...)
	header := []string{"Net spend", "Payments"}
	note := "Net spend is what was paid out less what was refunded or reversed; payments count the payments out (refunds and reversals count none)."

	type line struct {
		key, label string
		s          factSum
	}
	lines := func(prefix string, label func(string) string) []line {
		var out []line
		for _, k := range b.keys(FactSpend, prefix, false) {
			out = append(out, line{k, label(k), b.sum(FactSpend, prefix+k)})
		}
		return out
	}
	byNeed := &MeasureTable{Name: "budget_spend_by_need", Title: "Devolved budget spend by need", Header: append([]string{"Need"}, header...), Chart: ChartBars, Notes: []string{note}}
	needs := lines("need:", b.termLabel)
	slices.SortStableFunc(needs, func(x, y line) int { return cmp.Or(cmp.Compare(y.s.total, x.s.total), cmp.Compare(x.label, y.label)) })
	for _, l := range needs {
		byNeed.Rows = append(byNeed.Rows, &MeasureRow{Label: l.label, Key: l.key, Cells: cells(l.s)})
	}
	byNeed.Total = totalRow(total...)

	byArea := &MeasureTable{Name: "budget_spend_by_neighbourhood", Title: "Devolved budget spend by neighbourhood", Header: append([]string{"Neighbourhood"}, header...), Chart: ChartBars, Notes: []string{note}}
	areas := lines("lsoa:", func(code string) string {
		if code == "unknown" {
			return "Not known"
		}
		if name := b.c.Neighbourhoods[code]; name != "" {
			return name + " (" + code + ")"
		}
		return code
	})
	slices.SortStableFunc(areas, func(x, y line) int {
		return cmp.Or(cmp.Compare(lastIf(x.key == "unknown"), lastIf(y.key == "unknown")), cmp.Compare(x.label, y.label))
	})
	for _, l := range areas {
		byArea.Rows = append(byArea.Rows, &MeasureRow{Label: l.label, Key: l.key, Cells: cells(l.s)})
	}
	byArea.Total = totalRow(total...)

	byMonth := monthTable("budget_spend_by_month", "Devolved budget spend by month", header)
	for _, m := range b.months {
		byMonth.Rows = append(byMonth.Rows, monthRow(m, cells(b.at(FactSpend, m, "all"))...))
	}
	byMonth.Total = wholePeriod(total...)
	byMonth.Notes = []string{note}
	res.Tables = append(res.Tables, byNeed, byArea, byMonth)
}

func (b *dashboardBuilder) local(res *MeasureResult) {
	def := res.Definition
	unit := "Value"
	for _, m := range b.c.Local {
		if m.Code() == def.Code && m.Unit != "" {
			unit = strings.ToUpper(m.Unit[:1]) + m.Unit[1:]
		}
	}
	cells := func(s factSum) []*MeasureCell {
		v := plainCell("", s.total)
		v.Count = def.AboutPeople
		return []*MeasureCell{v, plainCell("", s.n)}
	}
	key := string(def.Code)
	total := cells(b.sum(FactLocal, key))
	total[0].Label, total[1].Label = def.Name, "Monthly reports from organisations"
	res.Headline = append(res.Headline, total...)
	byMonth := monthTable(key+"_by_month", def.Name+", by month", []string{unit, "Organisations reporting"})
	for _, m := range b.months {
		byMonth.Rows = append(byMonth.Rows, monthRow(m, cells(b.at(FactLocal, m, key))...))
	}
	byMonth.Total = wholePeriod(total...)
	res.Tables = append(res.Tables, byMonth)
}

// lastIf puts true after false when sorting.
func lastIf(b bool) int {
	if b {
		return 1
	}
	return 0
}

// termLabel is a need term's label, or its code when the place has no such term.
func (b *dashboardBuilder) termLabel(code string) string {
	if l := b.c.Terms[code]; l != "" {
		return l
	}
	if code == "" {
		return "Not recorded"
	}
	return code
}

// daysMedian is the median of a histogram of whole numbers: the middle value, or the
// mean of the two middle values of an even count; ok is false for an empty histogram.
func daysMedian(h map[int64]int64) (float64, bool) {
	var n int64
	values := make([]int64, 0, len(h))
	for v, c := range h {
		if c > 0 {
			n += c
			values = append(values, v)
		}
	}
	if n == 0 {
		return 0, false
	}
	slices.Sort(values)
	at := func(i int64) int64 { // the value at 0-based position i
		for _, v := range values {
			if i < h[v] {
				return v
			}
			i -= h[v]
		}
		return values[len(values)-1]
	}
	return float64(at((n-1)/2)+at(n/2)) / 2, true
}

// Tables and cells.

// monthTable is a table with a row a month, charted as change over time.
func monthTable(name, title string, columns []string) *MeasureTable {
	return &MeasureTable{Name: name, Title: title, Header: append([]string{"Month"}, columns...), Chart: ChartMonths}
}

func monthRow(month string, cells ...*MeasureCell) *MeasureRow {
	return &MeasureRow{Label: measureMonthLabel(month), Key: month, Cells: cells}
}

func totalRow(cells ...*MeasureCell) *MeasureRow { return &MeasureRow{Label: "Total", Cells: cells} }

func wholePeriod(cells ...*MeasureCell) *MeasureRow {
	return &MeasureRow{Label: "Whole period", Cells: cells}
}

// measureMonthLabel writes a month ("2026-04") as people do: "Apr 2026".
func measureMonthLabel(month string) string {
	t, err := time.Parse("2006-01", month)
	if err != nil {
		return month
	}
	return t.Format("Jan 2006")
}

// countCell is a count of people or of records about them.
func countCell(label string, n int64) *MeasureCell {
	return &MeasureCell{Label: label, Value: float64(n), Text: countText(n), Count: true}
}

// plainCell is a whole number that is not about people.
func plainCell(label string, n int64) *MeasureCell {
	return &MeasureCell{Label: label, Value: float64(n), Text: countText(n)}
}

// noteCell is a cell that only says something.
func noteCell(text string) *MeasureCell { return &MeasureCell{Text: text} }

// emptyCell fills a column that has nothing to say for a row.
func emptyCell() *MeasureCell { return &MeasureCell{} }

// derived is a figure worked out from the count base.
func derivedCell(label string, v float64, text string, base *MeasureCell) *MeasureCell {
	return &MeasureCell{Label: label, Value: v, Text: text, Base: base}
}

// derivedSum is a whole-number sum that goes with the count base (minutes of contacts).
func derivedSum(label string, n int64, base *MeasureCell) *MeasureCell {
	return derivedCell(label, float64(n), countText(n), base)
}

// meanCell is total / n to the given decimal places, with a unit after it.
func meanCell(label string, total, n int64, places int, unit string, base *MeasureCell) *MeasureCell {
	if n == 0 {
		return derivedCell(label, 0, "–", base)
	}
	scale := math.Pow(10, float64(places))
	v := math.Round(float64(total)/float64(n)*scale) / scale
	return derivedCell(label, v, decimalText(v, places)+unit, base)
}

// daysCell is a number of days ("12 days", "1 day", "2.5 days").
func daysCell(label string, days float64, ok bool, base *MeasureCell) *MeasureCell {
	if !ok {
		return derivedCell(label, 0, "–", base)
	}
	return derivedCell(label, days, daysText(days), base)
}

// percentCell is part as a whole percentage of whole; it depends on both counts.
func percentCell(label string, part, whole int64, partCell, wholeCell *MeasureCell) *MeasureCell {
	c := &MeasureCell{Label: label, Text: "–", Base: partCell, Of: wholeCell}
	if whole != 0 {
		c.Value = math.Round(float64(part) * 100 / float64(whole))
		c.Text = countText(int64(c.Value)) + "%"
	}
	return c
}

// moneyCell is an amount of money: its value in pounds, its text as money.
func moneyCell(label string, pence int64, base *MeasureCell) *MeasureCell {
	return derivedCell(label, float64(pence)/100, Pence(pence).String(), base)
}

// countText writes a whole number with thousands separators: "1,240".
func countText(n int64) string {
	sign := ""
	if n < 0 {
		sign, n = "-", -n
	}
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return sign + b.String()
}

// decimalText writes a number to the given decimal places with thousands separators.
func decimalText(v float64, places int) string {
	s := strconv.FormatFloat(math.Abs(v), 'f', places, 64)
	whole, frac, _ := strings.Cut(s, ".")
	n, _ := strconv.ParseInt(whole, 10, 64)
	out := countText(n)
	if frac != "" {
		out += "." + frac
	}
	if v < 0 && strings.Trim(s, "0.") != "" {
		out = "-" + out
	}
	return out
}

// daysText writes a number of days: "0 days", "1 day", "12 days", "2.5 days".
func daysText(d float64) string {
	if d == 1 {
		return "1 day"
	}
	if d == math.Trunc(d) {
		return countText(int64(d)) + " days"
	}
	return decimalText(d, 1) + " days"
}
