package spending

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"linkwork"
)

// MaxYears is the longest period one report may cover.
const MaxYears = 5

// FinancialYear returns the first and last days (midnight UTC, as the domain keeps dates)
// of the UK financial year, 1 April to 31 March, that holds now in London.
func FinancialYear(now time.Time) (from, to time.Time) {
	y, m, _ := now.In(linkwork.London).Date()
	if m < time.April {
		y--
	}
	return time.Date(y, time.April, 1, 0, 0, 0, 0, time.UTC), time.Date(y+1, time.March, 31, 0, 0, 0, 0, time.UTC)
}

// Query is a report's filters as a reader gave them, as text: the first and last days,
// year-month-day, and an organisation's ID. Empty days mean the financial year of now.
type Query struct {
	From, To       string
	OrganisationID string
}

// Filter checks q for principal p and returns the report's filter: the period, and the
// organisations whose pots it counts. Those who read reports place-wide see every
// organisation, or the one they choose; the others (a manager) see their own
// organisations', or the one of them they choose. Every problem is an EINVALID error on
// its field: from, to or organisation_id.
func Filter(ctx context.Context, orgs linkwork.OrganisationService, p *linkwork.Principal, q Query, now time.Time) (linkwork.SpendReportFilter, error) {
	f := linkwork.SpendReportFilter{PlaceID: p.Place.ID}
	f.From, f.To = FinancialYear(now)
	var ps linkwork.Problems
	fromOK, toOK := true, true
	if s := strings.TrimSpace(q.From); s != "" {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			ps.Add(linkwork.FieldError("from", "Enter the first day as a date, year-month-day, such as %s.", f.From.Format(time.DateOnly)))
			fromOK = false
		}
		f.From = d
	}
	if s := strings.TrimSpace(q.To); s != "" {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			ps.Add(linkwork.FieldError("to", "Enter the last day as a date, year-month-day, such as %s.", f.To.Format(time.DateOnly)))
			toOK = false
		}
		f.To = d
	}
	if fromOK && toOK {
		switch {
		case f.To.Before(f.From):
			ps.Add(linkwork.FieldError("to", "The last day must be on or after the first day, %s.", f.From.Format(time.DateOnly)))
		case !f.To.Before(f.From.AddDate(MaxYears, 0, 0)):
			ps.Add(linkwork.FieldError("to", "A report may cover at most %d years: the last day may be %s at the latest, for a first day of %s.",
				MaxYears, f.From.AddDate(MaxYears, 0, -1).Format(time.DateOnly), f.From.Format(time.DateOnly)))
		}
	}
	ids, err := organisations(ctx, orgs, p, strings.TrimSpace(q.OrganisationID))
	if code := linkwork.ErrorCode(err); code != "" && code != linkwork.EINVALID {
		return f, err
	}
	ps.Add(err)
	f.OrganisationIDs = ids
	return f, ps.Err()
}

// organisations returns the organisations a report counts for p: nil for every one of
// the place.
func organisations(ctx context.Context, orgs linkwork.OrganisationService, p *linkwork.Principal, chosen string) ([]int64, error) {
	var id int64
	if chosen != "" {
		n, err := strconv.ParseInt(chosen, 10, 64)
		if err != nil || n <= 0 {
			return nil, linkwork.FieldError("organisation_id", "Choose an organisation by its number, or none for every organisation you may report on.")
		}
		id = n
	}
	if p.CanPlaceWide(linkwork.PermBudgetReports) {
		if id == 0 {
			return nil, nil
		}
		if _, err := linkwork.ChosenOrganisation(ctx, orgs, p, id); err != nil {
			return nil, err
		}
		return []int64{id}, nil
	}
	own := p.OrganisationsWith(linkwork.PermBudgetReports)
	if len(own) == 0 {
		// No organisations would mean every one: refuse rather than show the place.
		return nil, linkwork.Errorf(linkwork.EFORBIDDEN, "Your role does not allow spend reports.")
	}
	if id == 0 {
		return own, nil
	}
	if !slices.Contains(own, id) {
		return own, linkwork.FieldError("organisation_id", "You may report only on the pots of your own organisations: choose one of them, or none for all of them.")
	}
	return []int64{id}, nil
}
