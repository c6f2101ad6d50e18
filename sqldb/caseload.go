package sqldb

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"linkwork"
)

// openCaseStatuses are the statuses of an open case, for SQL.
const openCaseStatuses = "('waiting', 'active')"

// caseloadWhere is the condition on persons (alias p) for a caseload filter.
func caseloadWhere(f linkwork.CaseloadFilter) (string, []any, error) {
	in := placeholders(len(f.OrganisationIDs))
	where := " WHERE p.place_id = ? AND p.organisation_id IN " + in
	args := append([]any{f.PlaceID}, anys(f.OrganisationIDs)...)
	switch {
	case f.WorkerUserID > 0:
		where, args = where+" AND p.worker_user_id = ?", append(args, f.WorkerUserID)
	case f.WorkerUserID < 0:
		where += " AND p.worker_user_id IS NULL"
	}
	statuses := f.Statuses
	if len(statuses) == 0 {
		statuses = []linkwork.PersonStatus{linkwork.PersonWaiting, linkwork.PersonActive}
	}
	for _, s := range statuses {
		if !s.Valid() {
			return "", nil, linkwork.FieldError("status", "Choose statuses from: waiting, active, closed, erased.")
		}
	}
	where += " AND p.status IN " + placeholders(len(statuses))
	for _, st := range statuses {
		args = append(args, string(st))
	}

	if q := strings.TrimSpace(f.Query); q != "" {
		// A name: the start of the given name or of the family name, or the start of each
		// when the query has two words or more. The key is folded by linkwork, as stored.
		key := strings.ToLower(q)
		var or []string
		or = append(or, `p.name_key LIKE ? ESCAPE '\'`, `p.name_key LIKE ? ESCAPE '\'`)
		args = append(args, escapeLike(key)+"%", "%\x1f"+escapeLike(key)+"%")
		if words := strings.Fields(key); len(words) > 1 {
			or = append(or, `p.name_key LIKE ? ESCAPE '\'`)
			args = append(args, escapeLike(words[0])+"%\x1f"+escapeLike(strings.Join(words[1:], " "))+"%")
		}
		if nhs, err := linkwork.NormaliseNHSNumber(q); err == nil {
			or, args = append(or, "p.nhs_number = ?"), append(args, nhs)
		}
		if ref := strings.ToUpper(strings.ReplaceAll(q, " ", "")); strings.HasPrefix(ref, "R-") {
			or = append(or, "p.referral_id IN (SELECT id FROM referrals WHERE place_id = ? AND reference = ?)")
			args = append(args, f.PlaceID, ref)
		}
		where += " AND (" + strings.Join(or, " OR ") + ")"
	}
	return where, args, nil
}

// Caseload returns a page of people with their next actions, the earliest first (people
// with none last, then by family and given name), with the total and the summary counts of
// all that match. It reads the columns the store keeps current, in four queries: the
// summary, the page, and the page's overdue steps and unanswered onward referrals.
func (s *CaseService) Caseload(ctx context.Context, f linkwork.CaseloadFilter) ([]*linkwork.CaseloadEntry, int, *linkwork.CaseloadSummary, error) {
	out := []*linkwork.CaseloadEntry{}
	sum := &linkwork.CaseloadSummary{}
	if len(f.OrganisationIDs) == 0 {
		return out, 0, sum, nil // nobody sees every organisation's people
	}
	where, args, err := caseloadWhere(f)
	if err != nil {
		return nil, 0, nil, err
	}
	now := s.db.Now()
	today := calendarDay(now)
	if !f.Today.IsZero() {
		now = f.Today
		y, m, d := f.Today.Date()
		today = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	day := today.Format(time.DateOnly)
	awaitingSince := now.Add(-linkwork.OnwardPromptAfter)

	c := s.db.read()
	var total int
	err = c.queryRow(ctx, `SELECT COUNT(*),
		COALESCE(SUM(CASE WHEN p.status = 'active' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN p.status = 'waiting' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN p.status IN `+openCaseStatuses+` AND p.follow_up_on < ? THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN p.status IN `+openCaseStatuses+` AND EXISTS (SELECT 1 FROM onward_referrals o
			WHERE o.person_id = p.id AND o.status = 'sent' AND o.sent_at <= ?) THEN 1 ELSE 0 END), 0)
		FROM persons p`+where, append([]any{day, awaitingSince}, args...),
		&total, &sum.Active, &sum.Waiting, &sum.FollowUpOverdue, &sum.OnwardAwaiting)
	if err != nil {
		return nil, 0, nil, err
	}
	if total == 0 {
		return out, 0, sum, nil
	}

	p := f.Page.Normal()
	byID := map[int64]*linkwork.CaseloadEntry{}
	var ids []any
	err = c.eachRow(ctx, "SELECT "+personColumns+personFrom+where+` ORDER BY CASE WHEN p.next_action_on IS NULL THEN 1 ELSE 0 END,
		p.next_action_on, lower(p.family_name), lower(p.given_name), p.id LIMIT ? OFFSET ?`,
		append(args, p.Size, p.Offset()), func(scan func(...any) error) error {
			person, err := scanPerson(scan)
			if err != nil {
				return err
			}
			e := &linkwork.CaseloadEntry{Person: person}
			if person.IsOpen() {
				e.FollowUpOverdue = person.FollowUpOn != "" && person.FollowUpOn < day
				e.NextActionOn = earlierDate(person.FollowUpOn, person.NextStepDue)
			}
			out, byID[person.ID], ids = append(out, e), e, append(ids, person.ID)
			return nil
		})
	if err != nil || len(ids) == 0 {
		return out, total, sum, err
	}
	in := placeholders(len(ids))
	err = c.eachRow(ctx, "SELECT person_id, COUNT(*) FROM plan_steps WHERE person_id IN "+in+
		" AND status = 'to_do' AND due_on < ? GROUP BY person_id", append(slices.Clone(ids), day),
		func(scan func(...any) error) error {
			var id int64
			var n int
			if err := scan(&id, &n); err != nil {
				return err
			}
			byID[id].OverdueSteps = n
			return nil
		})
	if err != nil {
		return nil, 0, nil, err
	}
	err = c.eachRow(ctx, "SELECT person_id, COUNT(*) FROM onward_referrals WHERE person_id IN "+in+
		" AND status = 'sent' AND sent_at <= ? GROUP BY person_id", append(ids, awaitingSince),
		func(scan func(...any) error) error {
			var id int64
			var n int
			if err := scan(&id, &n); err != nil {
				return err
			}
			byID[id].OnwardAwaiting = n
			return nil
		})
	if err != nil {
		return nil, 0, nil, err
	}
	return out, total, sum, nil
}

// Week returns a worker's contacts, and the follow-ups and plan steps due for the open cases
// they work on, from the day from for seven days, among people held by organisationIDs; by
// date, then contacts, follow-ups and steps, then name.
func (s *CaseService) Week(ctx context.Context, placeID int64, organisationIDs []int64, workerUserID int64, from time.Time) ([]*linkwork.WeekItem, error) {
	out := []*linkwork.WeekItem{}
	if len(organisationIDs) == 0 || workerUserID == 0 {
		return out, nil
	}
	y, m, d := from.Date()
	start := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	first, last := start.Format(time.DateOnly), start.AddDate(0, 0, 6).Format(time.DateOnly)
	orgs := anys(organisationIDs)
	in := placeholders(len(orgs))
	held := " AND p.place_id = ? AND p.organisation_id IN " + in
	var args []any
	for range 3 {
		args = append(append(args, workerUserID, first, last, placeID), orgs...)
	}
	err := s.db.read().eachRow(ctx, `SELECT 'contact', ct.on_date, p.id, p.given_name, p.family_name, '', ct.mode, ct.minutes, 'done'
		FROM case_contacts ct JOIN persons p ON p.id = ct.person_id
		WHERE ct.worker_user_id = ? AND ct.on_date BETWEEN ? AND ?`+held+`
		UNION ALL SELECT 'follow_up', p.follow_up_on, p.id, p.given_name, p.family_name, '', '', 0, ''
		FROM persons p WHERE p.worker_user_id = ? AND p.follow_up_on BETWEEN ? AND ? AND p.status IN `+openCaseStatuses+held+`
		UNION ALL SELECT 'step', st.due_on, p.id, p.given_name, p.family_name, st.text, '', 0, st.status
		FROM persons p JOIN plan_steps st ON st.person_id = p.id AND st.status IN ('to_do', 'done')
		WHERE p.worker_user_id = ? AND st.due_on BETWEEN ? AND ? AND p.status IN `+openCaseStatuses+held,
		args, func(scan func(...any) error) error {
			it := &linkwork.WeekItem{}
			var given, family, mode, status string
			if err := scan(&it.Kind, &it.On, &it.PersonID, &given, &family, &it.Text, &mode, &it.Minutes, &status); err != nil {
				return err
			}
			it.PersonName = strings.TrimSpace(given + " " + family)
			it.Mode, it.Done = linkwork.ContactMode(mode), status == "done"
			out = append(out, it)
			return nil
		})
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(out, func(a, b *linkwork.WeekItem) int {
		if c := strings.Compare(a.On, b.On); c != 0 {
			return c
		}
		if c := strings.Compare(a.Kind, b.Kind); c != 0 {
			return c
		}
		if c := strings.Compare(strings.ToLower(a.PersonName), strings.ToLower(b.PersonName)); c != 0 {
			return c
		}
		return cmp.Compare(a.PersonID, b.PersonID)
	})
	return out, nil
}
