package sqldb

import (
	"context"
	"time"

	"linkwork"
)

// NHSExtractCounts counts the events of the NHS England social prescribing data items
// extract in a place's schemes (or those its organisations run) over whole months in
// Europe/London: referrals received, coded SNOMEDReferralToSocialPrescribing, in the month
// each arrived and with the scheme it is with now (as the referrals measure counts them);
// and referrals declined, coded SNOMEDSocialPrescribingDeclined, in the month of each
// decline and with the scheme that declined it. Both by the kind of referrer recorded on
// the referral. Two grouped queries, then the names of the schemes and organisations.
func (s *WorkloadService) NHSExtractCounts(ctx context.Context, q linkwork.NHSExtractQuery) ([]linkwork.NHSEventCount, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	c := s.db.read()
	if err := placeExists(ctx, c, q.PlaceID); err != nil {
		return nil, err
	}
	out := []linkwork.NHSEventCount{}
	if !q.PlaceWide && len(q.OrganisationIDs) == 0 {
		return out, nil
	}
	from, _ := time.Parse("2006-01", q.From)
	to, _ := time.Parse("2006-01", q.To)
	start := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, london).UTC()
	end := time.Date(to.Year(), to.Month()+1, 1, 0, 0, 0, 0, london).UTC()
	scope, scopeArgs := "", []any{}
	if !q.PlaceWide {
		scope, scopeArgs = " AND s.organisation_id IN "+placeholders(len(q.OrganisationIDs)), anys(q.OrganisationIDs)
	}
	fs := factSQL{postgres: s.db.dialect.name() == "postgres"}
	received := "substr(" + fs.londonDay("r.received_at") + ", 1, 7)"
	declined := "substr(" + fs.londonDay("e.at") + ", 1, 7)"
	args := append([]any{linkwork.SNOMEDReferralToSocialPrescribing, q.PlaceID, start, end}, scopeArgs...)
	args = append(append(args, linkwork.SNOMEDSocialPrescribingDeclined, q.PlaceID, string(linkwork.ActionDecline), start, end), scopeArgs...)
	schemes := map[int64]bool{}
	err := c.eachRow(ctx, `SELECT CAST(? AS TEXT), `+received+`, r.scheme_id, r.referrer_type, COUNT(*)
		FROM referrals r JOIN services s ON s.id = r.scheme_id
		WHERE r.place_id = ? AND r.received_at >= ? AND r.received_at < ?`+scope+`
		GROUP BY `+received+`, r.scheme_id, r.referrer_type
		UNION ALL SELECT CAST(? AS TEXT), `+declined+`, e.scheme_id, r.referrer_type, COUNT(*)
		FROM referral_events e JOIN referrals r ON r.id = e.referral_id JOIN services s ON s.id = e.scheme_id
		WHERE r.place_id = ? AND e.action = ? AND e.at >= ? AND e.at < ?`+scope+`
		GROUP BY `+declined+`, e.scheme_id, r.referrer_type`,
		args,
		func(scan func(...any) error) error {
			var n linkwork.NHSEventCount
			var source string
			if err := scan(&n.Code, &n.Month, &n.SchemeID, &source, &n.N); err != nil {
				return err
			}
			n.Source = linkwork.ReferrerType(source)
			schemes[n.SchemeID] = true
			out = append(out, n)
			return nil
		})
	if err != nil || len(out) == 0 {
		return out, err
	}
	ids := make([]int64, 0, len(schemes))
	for id := range schemes {
		ids = append(ids, id)
	}
	type names struct {
		scheme, organisation string
		organisationID       int64
	}
	byScheme := map[int64]names{}
	err = c.eachRow(ctx, `SELECT s.id, s.name, o.id, o.name FROM services s JOIN organisations o ON o.id = s.organisation_id
		WHERE s.id IN `+placeholders(len(ids)), anys(ids), func(scan func(...any) error) error {
		var id int64
		var n names
		if err := scan(&id, &n.scheme, &n.organisationID, &n.organisation); err != nil {
			return err
		}
		byScheme[id] = n
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i := range out {
		n := byScheme[out[i].SchemeID]
		out[i].Scheme, out[i].OrganisationID, out[i].Organisation = n.scheme, n.organisationID, n.organisation
	}
	return out, nil
}
