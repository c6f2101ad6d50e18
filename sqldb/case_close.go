package sqldb

import (
	"context"
	"strings"
	"unicode/utf8"

	"linkwork"
)

// maxTransitionNote is the longest note a referral's transition takes (see
// linkwork.CheckTransition); a longer closing note is cut to it for the referral.
const maxTransitionNote = 2000

// CloseCase closes an open case at c.Version with its outcome and note. If the case came
// from a referral that can still be closed, the referral is closed too with the matching
// outcome, which queues the message back to the referrer, in the same transaction; a
// referral that cannot be closed from its status (one still waiting for triage, say) is
// left as it is and the case still closes.
func (s *CaseService) CloseCase(ctx context.Context, cl linkwork.CaseClosure, actorUserID int64, actorName string) (*linkwork.Person, error) {
	if err := cl.Validate(); err != nil {
		return nil, err
	}
	if actorName = strings.TrimSpace(actorName); actorName == "" {
		actorName = linkwork.ActorFromContext(ctx).Label
	}
	db := s.db
	var out *linkwork.Person
	err := db.tx(ctx, func(c conn) error {
		p, err := db.findPerson(ctx, c, cl.PersonID, true)
		if err != nil {
			return err
		}
		if p.Status == linkwork.PersonClosed {
			return linkwork.Errorf(linkwork.EINVALID, "This case was closed on %s, so it cannot be closed again.",
				p.ClosedAt.In(london).Format("2 January 2006"))
		}
		if err := caseOpen(p.Status, "it"); err != nil {
			return err
		}
		if p.Version != cl.Version {
			return db.stalePerson(ctx, c, p.ID, "record")
		}
		now := db.Now()
		res, err := c.exec(ctx, `UPDATE persons SET status = 'closed', outcome = ?, closing_note = ?, closed_at = ?,
			version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
			string(cl.Outcome), cl.Note, now, now, p.ID, cl.Version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return db.stalePerson(ctx, c, p.ID, "record")
		}
		detail := "closed: " + string(cl.Outcome)
		if p.ReferralID != 0 {
			closed, err := db.closeReferralOfCase(ctx, c, p.ReferralID, cl, actorUserID, actorName)
			if err != nil {
				return err
			}
			if closed {
				detail += ", referral " + p.ReferralReference + " closed"
			}
		}
		if err := db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: p.PlaceID, ActorUserID: actorUserID, Action: linkwork.AuditCaseClose,
			RecordType: "person", RecordID: idString(p.ID), Detail: detail}); err != nil {
			return err
		}
		out, err = db.findPerson(ctx, c, p.ID, false)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// closeReferralOfCase closes the referral a case came from with the outcome matching the
// case's, if its status allows, and reports whether it did.
func (db *DB) closeReferralOfCase(ctx context.Context, c conn, referralID int64, cl linkwork.CaseClosure,
	actorUserID int64, actorName string) (bool, error) {
	r, err := db.findReferral(ctx, c, referralID, true)
	if err != nil {
		return false, err
	}
	note := cl.Note
	if utf8.RuneCountInString(note) > maxTransitionNote {
		note = strings.TrimSpace(string([]rune(note)[:maxTransitionNote]))
	}
	t := &linkwork.Transition{ReferralID: r.ID, Version: r.Version, Action: linkwork.ActionClose,
		Outcome: cl.Outcome.ReferralOutcome(), Note: note}
	if _, err := linkwork.CheckTransition(r, t); err != nil {
		return false, nil // not open, or not yet accepted: the referral stays as it is
	}
	if _, err := db.transition(ctx, c, t, actorUserID, actorName); err != nil {
		return false, err
	}
	return true, nil
}
