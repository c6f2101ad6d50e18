package linkwork

import (
	"cmp"
	"context"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Workloads: a link worker's own workload, a manager's view of their team with early signs
// of overload, and the NHS England social prescribing data items extract. All three are read
// live from the records (not from the monthly facts), since they are about now. The
// workloads are counts only: the names of the people behind them are on the caseload, where
// looking at them is audited.

// WorkloadService reads workloads and the NHS England extract.
type WorkloadService interface {
	// Workload returns a link worker's workload among the people the organisations of q
	// hold.
	Workload(ctx context.Context, q WorkloadQuery) (*Workload, error)
	// Team returns the workload of each link worker of an organisation of the place (and of
	// anyone else holding its open cases), its totals, and its schemes' waiting lists.
	// ENOTFOUND if the organisation is not in the place.
	Team(ctx context.Context, placeID, organisationID int64, today time.Time) (*TeamWorkload, error)
	// NHSExtractCounts counts, by month, scheme and referral source, the referrals received
	// and declined: what NHSExtract makes the extract of.
	NHSExtractCounts(ctx context.Context, q NHSExtractQuery) ([]NHSEventCount, error)
}

// The guide a caseload is compared with: a full-time link worker supports 200 to 250 people
// a year.
const (
	CaseloadGuideLow  = 200
	CaseloadGuideHigh = 250
)

// The early signs of overload.
const (
	// OverdueFollowUpsFlag: more overdue follow-ups than this is flagged. A fixed number
	// rather than a share of the caseload, so that a manager can say exactly what the flag
	// means; five people not followed up when planned is a sign at any caseload size.
	OverdueFollowUpsFlag = 5
	// LongWaitDays: a waiting list whose longest wait is over this many days is flagged,
	// for a scheme that states no waiting time of its own.
	LongWaitDays = 28
)

// WorkloadMonths is how many months a workload's chart covers: this month and the eleven
// before it.
const WorkloadMonths = 12

// MinRateDays is the shortest time a rate a year is scaled up from: a link worker whose
// first person's support began less than a year ago has their rate worked out from then,
// but from no fewer than this many days, so that a busy first week does not look like a
// year of it.
const MinRateDays = 91

// WorkloadQuery asks for one link worker's workload.
type WorkloadQuery struct {
	PlaceID int64
	// OrganisationIDs are the organisations whose people count: those in which the link
	// worker holds PermViewWorkload. Required.
	OrganisationIDs []int64
	WorkerUserID    int64
	// Today is the day counted to (its date as given); zero means today in Europe/London.
	Today time.Time
}

// Where a link worker's caseload limit comes from.
const (
	LimitOwn     = "own"     // set for them (caseload_limits)
	LimitScheme  = "scheme"  // the largest limit of their organisation's connector schemes
	LimitDefault = "default" // DefaultCaseloadLimit: neither is set
)

// The standings against the guide.
const (
	GuideUnder  = "under"
	GuideWithin = "within"
	GuideOver   = "over"
)

// WorkloadFlag is an early sign of overload.
type WorkloadFlag string

// The flags.
const (
	FlagOverLimit        WorkloadFlag = "over_limit"         // more people on the caseload than the limit
	FlagOverGuide        WorkloadFlag = "over_guide"         // more than 250 people a year
	FlagFollowUpsOverdue WorkloadFlag = "follow_ups_overdue" // more than OverdueFollowUpsFlag follow-ups overdue
)

var flagLabels = map[WorkloadFlag]string{
	FlagOverLimit:        "Caseload above limit",
	FlagOverGuide:        "Over 250 people a year",
	FlagFollowUpsOverdue: "More than " + strconv.Itoa(OverdueFollowUpsFlag) + " follow-ups overdue",
}

// Label is the flag in plain English.
func (f WorkloadFlag) Label() string { return flagLabels[f] }

// Workload is a link worker's workload: their open caseload against its limit, the people
// they supported over the last year against the guide, what is overdue, and their contacts
// month by month. Counts only.
type Workload struct {
	UserID int64  `json:"user_id"`
	Name   string `json:"name"`
	Today  string `json:"today"` // the day counted to, YYYY-MM-DD
	// Active and Waiting are the open case records they are the link worker for: active
	// (in contact) and waiting (opened, no contact yet).
	Active  int `json:"active"`
	Waiting int `json:"waiting"`
	// Limit is their caseload limit and LimitFrom where it comes from (LimitOwn, LimitScheme
	// or LimitDefault); PercentOfLimit is their open caseload (active and waiting) as a
	// whole percentage of it.
	Limit          int    `json:"limit"`
	LimitFrom      string `json:"limit_from"`
	PercentOfLimit int    `json:"percent_of_limit"`
	// Supported is the people they supported in the 12 months to Today (from SupportedFrom):
	// those whose support was open at its start and those whose support began in it, as the
	// caseload measure counts them. PerYear is that as a rate a year (PeoplePerYear), and
	// Guide where it stands against the guide of 200 to 250 (GuideUnder, GuideWithin,
	// GuideOver).
	// RateFrom is the day the rate is worked out from: SupportedFrom or, for a link worker
	// whose first person's support began since, that day.
	SupportedFrom string `json:"supported_from"`
	Supported     int    `json:"supported"`
	PerYear       int    `json:"per_year"`
	RateFrom      string `json:"rate_from"`
	Guide         string `json:"guide"`
	// FollowUpsOverdue counts open cases whose follow-up date has passed; StepsOverdue the
	// open plan steps past their due date; OnwardAwaiting the onward referrals sent 14 or
	// more days ago that the group has not answered (as the caseload counts them).
	FollowUpsOverdue int `json:"follow_ups_overdue"`
	StepsOverdue     int `json:"steps_overdue"`
	OnwardAwaiting   int `json:"onward_awaiting"`
	// LastContactOn is the date of the latest contact they recorded, "" if none.
	LastContactOn string `json:"last_contact_on,omitempty"`
	// Months are this month and the eleven before it, oldest first: the contacts they
	// recorded, by mode, and the people whose support began with them as link worker.
	Months []*WorkloadMonth `json:"months"`
	// Flags are the early signs of overload, in the order of the constants.
	Flags []WorkloadFlag `json:"flags"`
}

// WorkloadMonth is a link worker's month.
type WorkloadMonth struct {
	Month     string       `json:"month"` // "2026-04"
	Contacts  int          `json:"contacts"`
	Minutes   int          `json:"minutes"`
	ByMode    []*ModeCount `json:"by_mode"` // every mode, in the order of ContactModes
	NewPeople int          `json:"new_people"`
}

// ModeCount is the contacts of one mode in a month.
type ModeCount struct {
	Mode     ContactMode `json:"mode"`
	Contacts int         `json:"contacts"`
	Minutes  int         `json:"minutes"`
}

// NewWorkloadMonths returns the empty months of a workload to today, oldest first.
func NewWorkloadMonths(today time.Time) []*WorkloadMonth {
	y, m, _ := today.Date()
	first := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	out := make([]*WorkloadMonth, WorkloadMonths)
	for i := range out {
		wm := &WorkloadMonth{Month: first.AddDate(0, i-WorkloadMonths+1, 0).Format("2006-01"), ByMode: make([]*ModeCount, len(ContactModes))}
		for j, mode := range ContactModes {
			wm.ByMode[j] = &ModeCount{Mode: mode}
		}
		out[i] = wm
	}
	return out
}

// AddContacts adds a month's contacts of a mode to the workload's months; months outside
// them are left out.
func (w *Workload) AddContacts(month string, mode ContactMode, contacts, minutes int) {
	for _, wm := range w.Months {
		if wm.Month != month {
			continue
		}
		wm.Contacts += contacts
		wm.Minutes += minutes
		for _, mc := range wm.ByMode {
			if mc.Mode == mode {
				mc.Contacts += contacts
				mc.Minutes += minutes
			}
		}
	}
}

// ThisMonth and LastMonth are the last two of the workload's months.
func (w *Workload) ThisMonth() *WorkloadMonth { return w.month(1) }
func (w *Workload) LastMonth() *WorkloadMonth { return w.month(2) }

func (w *Workload) month(fromEnd int) *WorkloadMonth {
	if len(w.Months) < fromEnd {
		return &WorkloadMonth{}
	}
	return w.Months[len(w.Months)-fromEnd]
}

// SupportedFrom is the first day of the 12 months to today that people supported count
// over: the same day of the month a year before, plus one.
func SupportedFrom(today time.Time) time.Time { return today.AddDate(-1, 0, 1) }

// PeoplePerYear is a link worker's people supported as a rate a year, as the caseload
// measure works it out: the people whose support was open on the first day (from), plus
// those whose support began since, scaled up to a whole year (× 365 ÷ the days from then to
// today). When their first person's support (firstOpened) began after from, the rate is
// worked out from that day instead, but over no fewer than MinRateDays: a new link worker
// is compared with the guide at the rate they are going, not as if they had been there all
// year. Rounded to a whole person.
func PeoplePerYear(openAtStart, started int, from, today, firstOpened time.Time) int {
	days := max(int(today.Sub(RateFrom(from, firstOpened)).Hours()/24)+1, MinRateDays)
	return int(math.Round(float64(openAtStart) + float64(started)*365/float64(days)))
}

// RateFrom is the day a rate a year is worked out from: the first day of the year, or the
// day the link worker's first person's support began, if later.
func RateFrom(from, firstOpened time.Time) time.Time {
	if firstOpened.After(from) {
		return firstOpened
	}
	return from
}

// GuideStanding says where a rate a year stands against the guide of 200 to 250.
func GuideStanding(perYear int) string {
	switch {
	case perYear > CaseloadGuideHigh:
		return GuideOver
	case perYear < CaseloadGuideLow:
		return GuideUnder
	}
	return GuideWithin
}

// GuideText says plainly where the workload stands: "212 a year: within the guide".
func (w *Workload) GuideText() string {
	rate := strconv.Itoa(w.PerYear) + " a year: "
	switch w.Guide {
	case GuideOver:
		return rate + "above the guide of 200 to 250"
	case GuideUnder:
		return rate + "under the guide of 200 to 250"
	}
	return rate + "within the guide"
}

// Open is the open caseload: active and waiting.
func (w *Workload) Open() int { return w.Active + w.Waiting }

// Assess works out what follows from the counts: the share of the limit, the standing
// against the guide and the flags.
func (w *Workload) Assess() {
	w.PercentOfLimit = percentOf(w.Open(), w.Limit)
	w.Guide = GuideStanding(w.PerYear)
	w.Flags = []WorkloadFlag{}
	if w.Limit > 0 && w.Open() > w.Limit {
		w.Flags = append(w.Flags, FlagOverLimit)
	}
	if w.Guide == GuideOver {
		w.Flags = append(w.Flags, FlagOverGuide)
	}
	if w.FollowUpsOverdue > OverdueFollowUpsFlag {
		w.Flags = append(w.Flags, FlagFollowUpsOverdue)
	}
}

// Flagged reports whether the workload shows a sign of overload.
func (w *Workload) Flagged() bool { return len(w.Flags) > 0 }

// percentOf is n as a whole percentage of of, rounded; 0 when of is.
func percentOf(n, of int) int {
	if of <= 0 {
		return 0
	}
	return int(math.Round(float64(n) * 100 / float64(of)))
}

// TeamWorkload is an organisation's team: the workload of each of its link workers (and of
// anyone else holding its open cases, such as a manager), by name, with totals, and its
// connector schemes' waiting lists.
type TeamWorkload struct {
	OrganisationID   int64       `json:"organisation_id"`
	OrganisationName string      `json:"organisation_name"`
	Today            string      `json:"today"`
	Workers          []*Workload `json:"workers"`
	// Unallocated counts the organisation's open case records with no link worker.
	Unallocated int              `json:"unallocated"`
	Total       WorkloadTotals   `json:"total"`
	Schemes     []*SchemeWaiting `json:"schemes"`
}

// WorkloadTotals adds up a team's workloads. PercentOfLimit is the team's open caseload
// against the sum of its limits; Flagged counts the link workers with a sign of overload
// and LongWaits the schemes with a long waiting list.
type WorkloadTotals struct {
	Active           int `json:"active"`
	Waiting          int `json:"waiting"`
	Limit            int `json:"limit"`
	PercentOfLimit   int `json:"percent_of_limit"`
	Supported        int `json:"supported"`
	FollowUpsOverdue int `json:"follow_ups_overdue"`
	StepsOverdue     int `json:"steps_overdue"`
	OnwardAwaiting   int `json:"onward_awaiting"`
	Flagged          int `json:"flagged"`
	WaitingList      int `json:"waiting_list"`
	LongWaits        int `json:"long_waits"`
}

// SchemeWaiting is a connector scheme's waiting list now: the referrals accepted and not
// yet allocated, and the longest any of them has waited since acceptance, in whole days.
// Long is set when that is over the wait the scheme states (StatedWaitDays, its waiting
// weeks × 7) or, when it states none, over LongWaitDays.
type SchemeWaiting struct {
	SchemeID        int64  `json:"scheme_id"`
	SchemeName      string `json:"scheme_name"`
	Waiting         int    `json:"waiting"`
	LongestWaitDays int    `json:"longest_wait_days"`
	StatedWaitDays  int    `json:"stated_wait_days"`
	Long            bool   `json:"long"`
}

// Assess sets Long.
func (s *SchemeWaiting) Assess() {
	limit := LongWaitDays
	if s.StatedWaitDays > 0 {
		limit = s.StatedWaitDays
	}
	s.Long = s.Waiting > 0 && s.LongestWaitDays > limit
}

// Assess assesses every workload and waiting list, orders the workers by name and adds
// up the totals.
func (t *TeamWorkload) Assess() {
	t.Total = WorkloadTotals{}
	slices.SortFunc(t.Workers, func(a, b *Workload) int { return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.UserID, b.UserID)) })
	for _, w := range t.Workers {
		w.Assess()
		t.Total.Active += w.Active
		t.Total.Waiting += w.Waiting
		t.Total.Limit += w.Limit
		t.Total.Supported += w.Supported
		t.Total.FollowUpsOverdue += w.FollowUpsOverdue
		t.Total.StepsOverdue += w.StepsOverdue
		t.Total.OnwardAwaiting += w.OnwardAwaiting
		if w.Flagged() {
			t.Total.Flagged++
		}
	}
	t.Total.PercentOfLimit = percentOf(t.Total.Active+t.Total.Waiting, t.Total.Limit)
	for _, s := range t.Schemes {
		s.Assess()
		t.Total.WaitingList += s.Waiting
		if s.Long {
			t.Total.LongWaits++
		}
	}
}

// ManagesOrganisation reports whether the principal is a manager of the organisation: sees
// its cases and holds the manager role in it. Only a manager sees the team's workload.
func (p *Principal) ManagesOrganisation(orgID int64) bool {
	if p == nil || !p.CanIn(PermViewCases, orgID) {
		return false
	}
	return slices.ContainsFunc(p.Memberships, func(m Membership) bool { return m.OrganisationID == orgID && m.Role == RoleManager })
}

// ManagedOrganisations returns the organisations the principal manages, in the order of
// their memberships.
func (p *Principal) ManagedOrganisations() []int64 {
	if p == nil {
		return nil
	}
	var out []int64
	for _, m := range p.Memberships {
		if p.ManagesOrganisation(m.OrganisationID) && !slices.Contains(out, m.OrganisationID) {
			out = append(out, m.OrganisationID)
		}
	}
	return out
}

// WorkloadOrganisations returns the organisations whose people count in the principal's
// own workload: those in which they hold PermViewWorkload.
func (p *Principal) WorkloadOrganisations() []int64 { return p.OrganisationsWith(PermViewWorkload) }

// The NHS England social prescribing data items extract: referrals to social prescribing
// services and referrals declined, coded with SNOMED CT, counted by month, scheme and
// referral source, as a safe aggregate.

// NHSExtractMaxMonths is the most months one extract covers.
const NHSExtractMaxMonths = 60

// NHSExtractQuery asks for an extract: a place's schemes (all of them, or those run by
// OrganisationIDs), months From to To ("2026-04", inclusive).
type NHSExtractQuery struct {
	PlaceID         int64
	PlaceWide       bool
	OrganisationIDs []int64 // when not PlaceWide; none means no rows
	From, To        string
}

// Validate checks the months: each YYYY-MM, From not after To, at most NHSExtractMaxMonths.
func (q *NHSExtractQuery) Validate() error {
	var ps Problems
	from, errFrom := time.Parse("2006-01", q.From)
	if errFrom != nil {
		ps.Add(FieldError("from", "Enter the first month as a year and month, such as 2026-04."))
	}
	to, errTo := time.Parse("2006-01", q.To)
	if errTo != nil {
		ps.Add(FieldError("to", "Enter the last month as a year and month, such as 2027-03."))
	}
	if errFrom == nil && errTo == nil {
		months := (to.Year()-from.Year())*12 + int(to.Month()) - int(from.Month()) + 1
		switch {
		case months < 1:
			ps.Add(FieldError("to", "The last month must not be before the first month."))
		case months > NHSExtractMaxMonths:
			ps.Add(FieldError("to", "Choose at most %d months for one extract.", NHSExtractMaxMonths))
		}
	}
	return ps.Err()
}

// DefaultExtractMonths are the months an extract covers when none are asked for: the last
// twelve whole months before today's.
func DefaultExtractMonths(today time.Time) (from, to string) {
	y, m, _ := today.Date()
	first := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	return first.AddDate(0, -12, 0).Format("2006-01"), first.AddDate(0, -1, 0).Format("2006-01")
}

// NHSExtractScope says what extract the principal may have: the whole place for an
// administrator or commissioner, otherwise the schemes of the organisations they manage.
func (p *Principal) NHSExtractScope() (placeWide bool, organisationIDs []int64) {
	if p == nil || !p.Can(PermViewMeasures) {
		return false, nil
	}
	if p.HasRole(RoleAdmin) || p.HasRole(RoleCommissioner) {
		return true, nil
	}
	return false, p.ManagedOrganisations()
}

// NHSExtractData is an extract as a safe aggregate: what it covers, the rule it was made
// safe under, and its rows.
type NHSExtractData struct {
	From            string           `json:"from"`
	To              string           `json:"to"`
	PlaceWide       bool             `json:"place_wide"`
	OrganisationIDs []int64          `json:"organisation_ids"` // the organisations whose schemes it covers, when not place-wide
	Suppression     SuppressionRule  `json:"suppression"`
	Rows            []*NHSExtractRow `json:"rows"`
}

// NHSExtractFor reads the extract the principal may have (NHSExtractScope) for the months
// from and to ("2026-04"; when not given, those of DefaultExtractMonths), as a safe
// aggregate under the place's suppression rule (DefaultSuppression if measures is nil).
// The caller records that it was taken.
func NHSExtractFor(ctx context.Context, workloads WorkloadService, measures MeasureService, p *Principal, from, to string, today time.Time) (*NHSExtractData, error) {
	placeWide, orgs := p.NHSExtractScope()
	defFrom, defTo := DefaultExtractMonths(today)
	q := NHSExtractQuery{PlaceWide: placeWide, OrganisationIDs: orgs, From: cmp.Or(strings.TrimSpace(from), defFrom),
		To: cmp.Or(strings.TrimSpace(to), defTo)}
	if p != nil && p.Place != nil {
		q.PlaceID = p.Place.ID
	}
	if !placeWide && len(orgs) == 0 {
		return nil, Errorf(EFORBIDDEN, "Only administrators, commissioners and managers may have the NHS England extract.")
	}
	counts, err := workloads.NHSExtractCounts(ctx, q)
	if err != nil {
		return nil, err
	}
	d := &NHSExtractData{From: q.From, To: q.To, PlaceWide: placeWide, OrganisationIDs: []int64{}, Suppression: DefaultSuppression}
	if !placeWide {
		d.OrganisationIDs = orgs
	}
	if measures != nil {
		settings, err := measures.MeasureSettings(ctx, q.PlaceID)
		if err != nil {
			return nil, err
		}
		d.Suppression = settings.Suppression
	}
	d.Rows = NHSExtract(counts, d.Suppression)
	return d, nil
}

// Describe says what the extract covers, for the audit trail.
func (d *NHSExtractData) Describe() string {
	scope := "the whole place"
	if !d.PlaceWide {
		ids := make([]string, len(d.OrganisationIDs))
		for i, id := range d.OrganisationIDs {
			ids[i] = strconv.FormatInt(id, 10)
		}
		scope = "the schemes of organisations " + strings.Join(ids, ", ")
	}
	return "NHS England extract, " + d.From + " to " + d.To + ", " + scope
}

// SNOMEDDescriptions are the descriptions of the codes the extract carries.
var SNOMEDDescriptions = map[string]string{
	SNOMEDReferralToSocialPrescribing: "Referral to social prescribing service (procedure)",
	SNOMEDSocialPrescribingDeclined:   "Social prescribing declined (situation)",
}

// NHSEventCount is how many events of a SNOMED CT code a scheme had from one referral
// source in a month: referrals received (counted in the month received, with the scheme
// they are with now) or declined (counted in the month of the decline, with the scheme
// that declined). Organisation is the name of the organisation running the scheme
// (organisations hold no ODS code in linkwork).
type NHSEventCount struct {
	Month          string
	SchemeID       int64
	Scheme         string
	OrganisationID int64
	Organisation   string
	Source         ReferrerType
	Code           string
	N              int64
}

// NHSExtractRow is a row of the extract, as a safe aggregate: Count is nil when suppressed.
type NHSExtractRow struct {
	Month               string       `json:"month"`
	SchemeID            int64        `json:"scheme_id"`
	Scheme              string       `json:"scheme"`
	OrganisationID      int64        `json:"organisation_id"`
	Organisation        string       `json:"organisation"`
	ReferralSource      ReferrerType `json:"referral_source"`
	ReferralSourceLabel string       `json:"referral_source_label"`
	SNOMEDCode          string       `json:"snomed_code"`
	SNOMEDDescription   string       `json:"snomed_description"`
	Count               *int64       `json:"count"`
	Suppressed          bool         `json:"suppressed"`
}

// CountText is the count as the CSV shows it: a whole number, or SuppressedText.
func (r *NHSExtractRow) CountText() string {
	if r.Count == nil {
		return SuppressedText
	}
	return strconv.FormatInt(*r.Count, 10)
}

// NHSExtract makes the extract's rows from the counts, in order of month, scheme name,
// code (referrals before declines) and referral source, as a safe aggregate under rule:
// counts from 1 to the threshold are suppressed and the rest rounded, with secondary
// suppression within each month, scheme and code. There, the counts of the referral
// sources add up to the scheme's referrals (or declines) that month, a figure dashboards
// show, so a lone suppressed source could be worked out from it and the others: another
// is suppressed with it, as Dashboard.Suppress does for a table with its total.
func NHSExtract(counts []NHSEventCount, rule SuppressionRule) []*NHSExtractRow {
	sorted := slices.Clone(counts)
	codeRank := func(code string) int {
		if code == SNOMEDReferralToSocialPrescribing {
			return 0
		}
		return 1
	}
	slices.SortFunc(sorted, func(a, b NHSEventCount) int {
		return cmp.Or(cmp.Compare(a.Month, b.Month), cmp.Compare(a.Scheme, b.Scheme), cmp.Compare(a.SchemeID, b.SchemeID),
			cmp.Compare(codeRank(a.Code), codeRank(b.Code)), cmp.Compare(a.Code, b.Code), cmp.Compare(a.Source.Label(), b.Source.Label()),
			cmp.Compare(a.Source, b.Source))
	})
	out := make([]*NHSExtractRow, 0, len(sorted))
	// One small dashboard a month and scheme, with a table a code: suppression is worked
	// out group by group, as no sum spans two of them.
	for start := 0; start < len(sorted); {
		end := start
		for end < len(sorted) && sorted[end].Month == sorted[start].Month && sorted[end].SchemeID == sorted[start].SchemeID {
			end++
		}
		group := sorted[start:end]
		cells := make([]*MeasureCell, len(group))
		res := &MeasureResult{Definition: MeasureDefinition{Code: MeasureReferrals, AboutPeople: true}}
		for i := 0; i < len(group); {
			j, total := i, int64(0)
			t := &MeasureTable{Name: group[i].Code}
			for j < len(group) && group[j].Code == group[i].Code {
				cells[j] = &MeasureCell{Value: float64(group[j].N), Text: strconv.FormatInt(group[j].N, 10), Count: true}
				t.Rows = append(t.Rows, &MeasureRow{Label: string(group[j].Source), Cells: []*MeasureCell{cells[j]}})
				total += group[j].N
				j++
			}
			t.Total = &MeasureRow{Label: "Total", Cells: []*MeasureCell{{Value: float64(total), Text: strconv.FormatInt(total, 10), Count: true}}}
			res.Tables = append(res.Tables, t)
			i = j
		}
		(&Dashboard{Results: []*MeasureResult{res}}).Suppress(rule)
		for i, c := range group {
			row := &NHSExtractRow{Month: c.Month, SchemeID: c.SchemeID, Scheme: c.Scheme, OrganisationID: c.OrganisationID,
				Organisation: c.Organisation, ReferralSource: c.Source, ReferralSourceLabel: cmp.Or(c.Source.Label(), string(c.Source)),
				SNOMEDCode: c.Code, SNOMEDDescription: SNOMEDDescriptions[c.Code], Suppressed: cells[i].Suppressed}
			if !row.Suppressed {
				n := int64(cells[i].Value)
				row.Count = &n
			}
			out = append(out, row)
		}
		start = end
	}
	return out
}
