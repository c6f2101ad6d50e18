package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"linkwork"
)

// Records reads a place's records as the facts are made from them, for
// linkwork.MeasureFactsFromRecords: the recomputation in Go that the aggregation is held to.
// What the aggregation's SQL works out from several rows (a referral's needs, its first
// acceptance and allocation, its first contact; a person's first contact, age band and
// scheme) is worked out here in Go from the rows themselves, so that the two are
// independent. It reads everything into memory: for tests and checks, not for national
// places.
func (s *MeasureService) Records(ctx context.Context, placeID int64) (*linkwork.MeasureRecords, error) {
	c := s.db.read()
	if err := placeExists(ctx, c, placeID); err != nil {
		return nil, err
	}
	r := &linkwork.MeasureRecords{PlaceID: placeID, SchemeOrganisation: map[int64]int64{}}
	for _, read := range []func(context.Context, conn, *linkwork.MeasureRecords) error{
		readCaseRecords, readReferralRecords, readResponseRecords, readCommunityRecords, readSpendRecords,
	} {
		if err := read(ctx, c, r); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// londonDate is the date in Europe/London of a moment.
func londonDate(t time.Time) string { return t.In(london).Format(time.DateOnly) }

// readCaseRecords reads the case records with their contacts, onward referrals and health
// service use.
func readCaseRecords(ctx context.Context, c conn, r *linkwork.MeasureRecords) error {
	err := c.eachRow(ctx, `SELECT p.id, p.organisation_id, COALESCE(rf.scheme_id, 0), COALESCE(p.worker_user_id, 0), p.lsoa, p.imd_decile,
		p.ethnicity, p.sex, p.age_band, p.date_of_birth, p.opened_on, p.closed_at, p.nhs_number
		FROM persons p LEFT JOIN referrals rf ON rf.id = p.referral_id WHERE p.place_id = ? ORDER BY p.id`, []any{r.PlaceID},
		func(scan func(...any) error) error {
			var p linkwork.CaseRecord
			var ageBand, dob, nhs string
			var closed sql.NullTime
			if err := scan(&p.ID, &p.OrganisationID, &p.SchemeID, &p.WorkerUserID, &p.LSOA, &p.IMDDecile, &p.Ethnicity, &p.Sex,
				&ageBand, &dob, &p.OpenedOn, &closed, &nhs); err != nil {
				return err
			}
			// An erased record has no date of birth, only the band it was in when opened.
			p.AgeBand = ageBand
			if dob != "" {
				p.AgeBand = linkwork.AgeBandOf(dob, p.OpenedOn)
			}
			if closed.Valid {
				p.ClosedOn = londonDate(closed.Time)
			}
			p.NHSNumber = nhs != ""
			r.People = append(r.People, p)
			return nil
		})
	if err != nil {
		return err
	}
	first := map[int64]string{}
	err = c.eachRow(ctx, `SELECT ct.person_id, ct.on_date, ct.mode, ct.minutes FROM case_contacts ct JOIN persons p ON p.id = ct.person_id
		WHERE p.place_id = ? ORDER BY ct.id`, []any{r.PlaceID}, func(scan func(...any) error) error {
		var ct linkwork.ContactRecord
		var mode string
		if err := scan(&ct.PersonID, &ct.On, &mode, &ct.Minutes); err != nil {
			return err
		}
		ct.Mode = linkwork.ContactMode(mode)
		if f, ok := first[ct.PersonID]; !ok || ct.On < f {
			first[ct.PersonID] = ct.On
		}
		r.Contacts = append(r.Contacts, ct)
		return nil
	})
	if err != nil {
		return err
	}
	for i := range r.People {
		r.People[i].FirstContactOn = first[r.People[i].ID]
	}
	err = c.eachRow(ctx, `SELECT o.person_id, o.sent_at, o.status FROM onward_referrals o JOIN persons p ON p.id = o.person_id
		WHERE p.place_id = ? ORDER BY o.id`, []any{r.PlaceID}, func(scan func(...any) error) error {
		var o linkwork.OnwardRecord
		var sent time.Time
		var status string
		if err := scan(&o.PersonID, &sent, &status); err != nil {
			return err
		}
		o.SentOn, o.Status = londonDate(sent), linkwork.OnwardStatus(status)
		r.Onward = append(r.Onward, o)
		return nil
	})
	if err != nil {
		return err
	}
	return c.eachRow(ctx, `SELECT pa.person_id, pa.month, pa.gp_appointments, pa.admissions FROM person_activity pa
		JOIN persons p ON p.id = pa.person_id WHERE p.place_id = ? ORDER BY pa.person_id, pa.month`, []any{r.PlaceID},
		func(scan func(...any) error) error {
			var a linkwork.ActivityRecord
			if err := scan(&a.PersonID, &a.Month, &a.GPAppointments, &a.Admissions); err != nil {
				return err
			}
			r.Activity = append(r.Activity, a)
			return nil
		})
}

// readReferralRecords reads the referrals with their needs, first acceptance and
// allocation, and first contact; and the organisation running each scheme they are with.
// It needs the case records and contacts read first.
func readReferralRecords(ctx context.Context, c conn, r *linkwork.MeasureRecords) error {
	byID := map[int64]int{}
	err := c.eachRow(ctx, `SELECT rf.id, rf.scheme_id, rf.referrer_type, COALESCE(pc.lsoa, ''), rf.received_at
		FROM referrals rf LEFT JOIN postcodes pc ON pc.postcode = rf.postcode WHERE rf.place_id = ? ORDER BY rf.id`, []any{r.PlaceID},
		func(scan func(...any) error) error {
			var ref linkwork.ReferralRecord
			var source string
			if err := scan(&ref.ID, &ref.SchemeID, &source, &ref.LSOA, &ref.ReceivedAt); err != nil {
				return err
			}
			ref.Source, ref.ReceivedAt = linkwork.ReferrerType(source), ref.ReceivedAt.UTC()
			byID[ref.ID] = len(r.Referrals)
			r.Referrals = append(r.Referrals, ref)
			return nil
		})
	if err != nil {
		return err
	}
	err = c.eachRow(ctx, `SELECT rt.referral_id, tt.code FROM referral_terms rt JOIN referrals rf ON rf.id = rt.referral_id
		JOIN taxonomy_terms tt ON tt.id = rt.term_id JOIN taxonomies tx ON tx.id = tt.taxonomy_id
		WHERE rf.place_id = ? AND tx.code = ? ORDER BY rt.referral_id, rt.position`, []any{r.PlaceID, linkwork.TaxonomyNeed},
		func(scan func(...any) error) error {
			var id int64
			var code string
			if err := scan(&id, &code); err != nil {
				return err
			}
			ref := &r.Referrals[byID[id]]
			ref.Needs = append(ref.Needs, code)
			return nil
		})
	if err != nil {
		return err
	}
	// The first acceptance and the first allocation, by the order they were recorded.
	err = c.eachRow(ctx, `SELECT e.referral_id, e.action, e.at FROM referral_events e JOIN referrals rf ON rf.id = e.referral_id
		WHERE rf.place_id = ? AND e.action IN (?, ?) ORDER BY e.id`,
		[]any{r.PlaceID, string(linkwork.ActionAccept), string(linkwork.ActionAllocate)}, func(scan func(...any) error) error {
			var id int64
			var action string
			var at time.Time
			if err := scan(&id, &action, &at); err != nil {
				return err
			}
			at = at.UTC()
			ref := &r.Referrals[byID[id]]
			switch {
			case action == string(linkwork.ActionAccept) && ref.WaitFrom == nil:
				ref.WaitFrom = &at
			case action == string(linkwork.ActionAllocate) && ref.AllocatedAt == nil:
				ref.AllocatedAt = &at
			}
			return nil
		})
	if err != nil {
		return err
	}
	// A referral's first contact is the earliest contact of the case opened from it on or
	// after the day it was received: a case reopened for a new referral keeps the contacts
	// of its earlier support.
	caseOf := map[int64]int64{}
	err = c.eachRow(ctx, "SELECT id, referral_id FROM persons WHERE place_id = ? AND referral_id IS NOT NULL", []any{r.PlaceID},
		func(scan func(...any) error) error {
			var person, referral int64
			err := scan(&person, &referral)
			caseOf[referral] = person
			return err
		})
	if err != nil {
		return err
	}
	contacts := map[int64][]string{}
	for _, ct := range r.Contacts {
		contacts[ct.PersonID] = append(contacts[ct.PersonID], ct.On)
	}
	for i := range r.Referrals {
		ref := &r.Referrals[i]
		received := londonDate(ref.ReceivedAt)
		for _, on := range contacts[caseOf[ref.ID]] {
			if on >= received && (ref.FirstContactOn == "" || on < ref.FirstContactOn) {
				ref.FirstContactOn = on
			}
		}
	}
	return c.eachRow(ctx, `SELECT id, organisation_id FROM services WHERE id IN (SELECT scheme_id FROM referrals WHERE place_id = ?)`,
		[]any{r.PlaceID}, func(scan func(...any) error) error {
			var scheme, org int64
			err := scan(&scheme, &org)
			r.SchemeOrganisation[scheme] = org
			return err
		})
}

// readResponseRecords reads the complete, scored responses to the built-in questionnaires.
func readResponseRecords(ctx context.Context, c conn, r *linkwork.MeasureRecords) error {
	return c.eachRow(ctx, `SELECT q.id, q.person_id, q.questionnaire_code, q.timepoint, q.completed_on, q.created_at, q.score
		FROM questionnaire_responses q JOIN persons p ON p.id = q.person_id
		WHERE p.place_id = ? AND q.status = ? AND q.score <> '' AND q.questionnaire_code IN (?, ?, ?) ORDER BY q.id`,
		[]any{r.PlaceID, string(linkwork.ResponseComplete), linkwork.QuestionnaireONS4, linkwork.QuestionnaireSWEMWBS, linkwork.QuestionnaireUCLA3},
		func(scan func(...any) error) error {
			var rr linkwork.ResponseRecord
			var timepoint, score string
			if err := scan(&rr.ID, &rr.PersonID, &rr.Questionnaire, &timepoint, &rr.CompletedOn, &rr.CreatedAt, &score); err != nil {
				return err
			}
			rr.Timepoint, rr.CreatedAt = linkwork.Timepoint(timepoint), rr.CreatedAt.UTC()
			var sc linkwork.QuestionnaireScore
			if err := json.Unmarshal([]byte(score), &sc); err != nil {
				return fmt.Errorf("score of questionnaire response %d: %w", rr.ID, err)
			}
			rr.Total = sc.Total
			if rr.Questionnaire == linkwork.QuestionnaireONS4 {
				rr.Items = make([]float64, len(ons4ItemKeys))
				for i, key := range ons4ItemKeys {
					for _, it := range sc.Items {
						if it.Key == key {
							rr.Items[i] = float64(it.Value)
						}
					}
				}
			}
			r.Responses = append(r.Responses, rr)
			return nil
		})
}

// readCommunityRecords reads groups' volunteers and new activities, the community
// organisations added, and the local measures' values.
func readCommunityRecords(ctx context.Context, c conn, r *linkwork.MeasureRecords) error {
	err := c.eachRow(ctx, `SELECT vm.organisation_id, vm.month, vm.volunteers, vm.hours FROM volunteer_months vm
		JOIN organisations o ON o.id = vm.organisation_id WHERE o.place_id = ? ORDER BY vm.organisation_id, vm.month`, []any{r.PlaceID},
		func(scan func(...any) error) error {
			var v linkwork.VolunteersRecord
			if err := scan(&v.OrganisationID, &v.Month, &v.Volunteers, &v.Hours); err != nil {
				return err
			}
			v.Month = v.Month[:min(len(v.Month), len("2006-01"))]
			r.Volunteers = append(r.Volunteers, v)
			return nil
		})
	if err != nil {
		return err
	}
	err = c.eachRow(ctx, "SELECT organisation_id, started_on FROM new_activities WHERE place_id = ? ORDER BY id", []any{r.PlaceID},
		func(scan func(...any) error) error {
			var a linkwork.NewActivityRecord
			err := scan(&a.OrganisationID, &a.StartedOn)
			r.Activities = append(r.Activities, a)
			return err
		})
	if err != nil {
		return err
	}
	err = c.eachRow(ctx, "SELECT id, created_at FROM organisations WHERE place_id = ? AND sector IN (?, ?) ORDER BY id",
		[]any{r.PlaceID, string(linkwork.SectorVCSE), string(linkwork.SectorFaith)}, func(scan func(...any) error) error {
			var g linkwork.NewGroupRecord
			var created time.Time
			if err := scan(&g.OrganisationID, &created); err != nil {
				return err
			}
			g.CreatedOn = londonDate(created)
			r.NewGroups = append(r.NewGroups, g)
			return nil
		})
	if err != nil {
		return err
	}
	return c.eachRow(ctx, `SELECT v.measure_id, v.organisation_id, v.month, v.value, v.updated_at, v.updated_by
		FROM local_measure_values v JOIN local_measures m ON m.id = v.measure_id WHERE m.place_id = ?
		ORDER BY v.measure_id, v.organisation_id, v.month`, []any{r.PlaceID}, func(scan func(...any) error) error {
		var v linkwork.LocalMeasureValue
		var month string
		if err := scan(&v.MeasureID, &v.OrganisationID, &month, &v.Value, &v.UpdatedAt, &v.UpdatedBy); err != nil {
			return err
		}
		m, err := time.Parse("2006-01", month)
		if err != nil {
			return fmt.Errorf("local measure %d: month %q: %w", v.MeasureID, month, err)
		}
		v.Month, v.UpdatedAt = m, v.UpdatedAt.UTC()
		r.Local = append(r.Local, v)
		return nil
	})
}

// readSpendRecords reads the ledger entries of spends' money going out and coming back.
func readSpendRecords(ctx context.Context, c conn, r *linkwork.MeasureRecords) error {
	return c.eachRow(ctx, `SELECT bp.organisation_id, COALESCE(bp.service_id, 0), s.need, s.neighbourhood_code, le.created_at, le.funds_delta
		FROM ledger_entries le JOIN spends s ON s.id = le.spend_id JOIN budget_pots bp ON bp.id = le.pot_id
		WHERE le.place_id = ? AND le.counts_as IN (?, ?) ORDER BY le.id`,
		[]any{r.PlaceID, string(linkwork.EntrySpend), string(linkwork.EntryRefund)}, func(scan func(...any) error) error {
			var sp linkwork.SpendRecord
			var at time.Time
			var funds int64
			if err := scan(&sp.PotOrganisationID, &sp.PotSchemeID, &sp.Need, &sp.LSOA, &at, &funds); err != nil {
				return err
			}
			// A payment takes money out of the pot's funds: its net spend is that much.
			sp.On, sp.NetPence = londonDate(at), -funds
			r.Spend = append(r.Spend, sp)
			return nil
		})
}
