package sqldb

import (
	"context"

	"linkwork"
)

// PersonRecord returns everything held about a person: their record, conversation, plan,
// contacts (newest first, with their total time), onward referrals and questionnaires. It
// runs a fixed handful of queries however long the history, one for each part.
func (s *CaseService) PersonRecord(ctx context.Context, personID int64) (*linkwork.PersonRecord, error) {
	db := s.db
	c := db.read()
	p, err := db.findPerson(ctx, c, personID, false)
	if err != nil {
		return nil, err
	}
	rec := &linkwork.PersonRecord{Person: p}
	if rec.Conversation, err = conversation(ctx, c, personID); err != nil {
		return nil, err
	}
	if rec.Plan, err = loadPlan(ctx, c, personID); err != nil {
		return nil, err
	}
	if rec.Contacts, rec.ContactMinutes, err = contacts(ctx, c, personID); err != nil {
		return nil, err
	}
	if rec.Onward, err = db.onwardForPerson(ctx, c, personID); err != nil {
		return nil, err
	}
	if rec.Questionnaires, err = db.responsesForPerson(ctx, c, personID); err != nil {
		return nil, err
	}
	if rec.Onward == nil {
		rec.Onward = []*linkwork.OnwardReferral{}
	}
	if rec.Questionnaires == nil {
		rec.Questionnaires = []*linkwork.QuestionnaireResponse{}
	}
	return rec, nil
}
