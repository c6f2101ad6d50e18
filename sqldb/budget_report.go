package sqldb

import (
	"cmp"
	"context"
	"slices"
	"time"

	"linkwork"
)

// SpendReport returns where a place's money went between the filter's dates: each spend's
// net payments (payments less refunds, and less the reversals of either) by the dates of the
// ledger entries, in London, broken down by need, neighbourhood, group, scheme and pot; and
// the paid micro-grants still owing a report. It reads the ledger once, summed by spend in
// SQL, and breaks the sums down in one pass.
func (s *BudgetService) SpendReport(ctx context.Context, f linkwork.SpendReportFilter) (*linkwork.SpendReport, error) {
	if !f.From.IsZero() && !f.To.IsZero() && f.To.Before(f.From) {
		return nil, linkwork.FieldError("to", "The last day must be on or after the first day.")
	}
	c := s.db.read()
	where, args := " WHERE e.place_id = ? AND e.counts_as IN ('spend', 'refund')", []any{f.PlaceID}
	if !f.From.IsZero() {
		where, args = where+" AND e.created_at >= ?", append(args, londonMidnight(f.From))
	}
	if !f.To.IsZero() {
		where, args = where+" AND e.created_at < ?", append(args, londonMidnight(f.To.AddDate(0, 0, 1)))
	}
	if len(f.OrganisationIDs) > 0 {
		where, args = where+" AND p.organisation_id IN "+placeholders(len(f.OrganisationIDs)), append(args, anys(f.OrganisationIDs)...)
	}

	needs := map[string]string{}
	err := c.eachRow(ctx, `SELECT tt.code, tt.name FROM taxonomy_terms tt JOIN taxonomies t ON t.id = tt.taxonomy_id
		WHERE t.place_id = ? AND t.code = ?`, []any{f.PlaceID, linkwork.TaxonomyNeed}, func(scan func(...any) error) error {
		var code, name string
		err := scan(&code, &name)
		needs[code] = name
		return err
	})
	if err != nil {
		return nil, err
	}

	r := &linkwork.SpendReport{Filter: f, ByNeed: []*linkwork.SpendLine{}, ByNeighbourhood: []*linkwork.SpendLine{},
		ByGroup: []*linkwork.SpendLine{}, ByScheme: []*linkwork.SpendLine{}, ByPot: []*linkwork.SpendLine{},
		GeneratedAt: s.db.Now()}
	need, area, group, scheme, pot := newBreakdown(), newBreakdown(), newBreakdown(), newBreakdown(), newBreakdown()
	err = c.eachRow(ctx, `SELECT s.kind, s.need, s.neighbourhood_code, COALESCE(l.name, ''), COALESCE(l.imd_decile, 0),
		COALESCE(s.group_organisation_id, 0), COALESCE(g.name, ''), p.id, p.name, p.holder, COALESCE(p.service_id, 0),
		COALESCE(v.name, ''), p.organisation_id, o.name, CAST(-SUM(e.funds_delta) AS BIGINT)
		FROM ledger_entries e JOIN spends s ON s.id = e.spend_id JOIN budget_pots p ON p.id = e.pot_id
		JOIN organisations o ON o.id = p.organisation_id LEFT JOIN services v ON v.id = p.service_id
		LEFT JOIN lsoas l ON l.code = s.neighbourhood_code LEFT JOIN organisations g ON g.id = s.group_organisation_id`+where+`
		GROUP BY s.id, s.kind, s.need, s.neighbourhood_code, l.name, l.imd_decile, s.group_organisation_id, g.name, p.id, p.name,
		p.holder, p.service_id, v.name, p.organisation_id, o.name`, args, func(scan func(...any) error) error {
		var kind, needCode, lsoa, lsoaName, groupName, potName, holder, serviceName, orgName string
		var decile int
		var groupID, potID, serviceID, orgID int64
		var net linkwork.Pence
		if err := scan(&kind, &needCode, &lsoa, &lsoaName, &decile, &groupID, &groupName, &potID, &potName, &holder,
			&serviceID, &serviceName, &orgID, &orgName, &net); err != nil {
			return err
		}
		if net == 0 {
			return nil // paid and put right within the dates: no money went
		}
		grant := linkwork.SpendKind(kind) == linkwork.SpendGrant
		r.Total += net
		r.Spends++
		need.add(needCode, cmp.Or(needs[needCode], needCode), 0, grant, net)
		switch {
		case lsoa == "":
			area.add("", "Not known", 0, grant, net)
		default:
			area.add(lsoa, cmp.Or(lsoaName, lsoa), decile, grant, net)
		}
		if grant {
			if groupID == 0 {
				group.add("0", "New activities without a group", 0, grant, net)
			} else {
				group.add(idString(groupID), groupName, 0, grant, net)
			}
		}
		if linkwork.PotHolder(holder) == linkwork.HolderScheme && serviceID != 0 {
			scheme.add("service:"+idString(serviceID), serviceName, 0, grant, net)
		} else {
			scheme.add("organisation:"+idString(orgID), orgName, 0, grant, net)
		}
		pot.add(idString(potID), potName, 0, grant, net)
		return nil
	})
	if err != nil {
		return nil, err
	}
	r.ByNeed, r.ByGroup, r.ByScheme, r.ByPot = need.byAmount(), group.byAmount(), scheme.byAmount(), pot.byAmount()
	r.ByNeighbourhood = area.lines
	slices.SortStableFunc(r.ByNeighbourhood, func(a, b *linkwork.SpendLine) int {
		// Most deprived first; neighbourhoods with no known decile last.
		return cmp.Or(cmp.Compare(decileOrder(a.IMDDecile), decileOrder(b.IMDDecile)), cmp.Compare(b.Amount, a.Amount),
			cmp.Compare(a.Key, b.Key))
	})

	owing, owingArgs := " WHERE s.place_id = ? AND s.kind = ? AND s.status = ?", []any{f.PlaceID, string(linkwork.SpendGrant),
		string(linkwork.SpendPaid)}
	if len(f.OrganisationIDs) > 0 {
		owing, owingArgs = owing+" AND p.organisation_id IN "+placeholders(len(f.OrganisationIDs)), append(owingArgs, anys(f.OrganisationIDs)...)
	}
	r.Outstanding, err = querySpends(ctx, c, "SELECT "+spendColumns+spendFrom+owing+" ORDER BY s.paid_at, s.id", owingArgs...)
	if err != nil {
		return nil, err
	}
	return r, nil
}

// londonMidnight is the instant a date begins in London.
func londonMidnight(d time.Time) time.Time {
	y, m, day := d.Date()
	return time.Date(y, m, day, 0, 0, 0, 0, london).UTC()
}

// decileOrder sorts deciles with an unknown one (0) after every known one.
func decileOrder(d int) int {
	if d == 0 {
		return 11
	}
	return d
}

// breakdown sums net spend into lines by key, in the order keys are first seen.
type breakdown struct {
	lines []*linkwork.SpendLine
	byKey map[string]*linkwork.SpendLine
}

func newBreakdown() *breakdown {
	return &breakdown{lines: []*linkwork.SpendLine{}, byKey: map[string]*linkwork.SpendLine{}}
}

func (b *breakdown) add(key, label string, decile int, grant bool, net linkwork.Pence) {
	l := b.byKey[key]
	if l == nil {
		l = &linkwork.SpendLine{Key: key, Label: label, IMDDecile: decile}
		b.byKey[key] = l
		b.lines = append(b.lines, l)
	}
	if grant {
		l.Grants++
	} else {
		l.Personal++
	}
	l.Amount += net
}

// byAmount returns the lines, the most money first, then by label.
func (b *breakdown) byAmount() []*linkwork.SpendLine {
	slices.SortStableFunc(b.lines, func(x, y *linkwork.SpendLine) int {
		return cmp.Or(cmp.Compare(y.Amount, x.Amount), cmp.Compare(x.Label, y.Label), cmp.Compare(x.Key, y.Key))
	})
	return b.lines
}
