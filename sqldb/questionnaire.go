package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"linkwork"
)

// QuestionnaireService keeps questionnaire definitions (the built-in ones, with a place's
// licensed SWEMWBS wording, and a place's own) and people's responses.
type QuestionnaireService struct{ db *DB }

// NewQuestionnaireService returns the questionnaires of db.
func NewQuestionnaireService(db *DB) *QuestionnaireService { return &QuestionnaireService{db: db} }

var _ linkwork.QuestionnaireService = (*QuestionnaireService)(nil)

// localCodePrefix starts the code of a place's own questionnaire: "local-<id>".
const localCodePrefix = "local-"

// maxSWEMWBSItemLength bounds each item of the licensed SWEMWBS wording.
const maxSWEMWBSItemLength = 300

// finalAfterClosing is how long after a case closes its final questionnaire may still be
// recorded: final questionnaires are prompted at closing, and answered on paper or later.
const finalAfterClosing = 30 * 24 * time.Hour

// swemwbsWording returns a place's licensed SWEMWBS items, or nil.
func swemwbsWording(ctx context.Context, c conn, placeID int64) ([]string, error) {
	var raw string
	err := c.queryRow(ctx, "SELECT swemwbs_items FROM questionnaire_wording WHERE place_id = ?", []any{placeID}, &raw)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var items []string
	if err := json.Unmarshal([]byte(raw), &items); err != nil {
		return nil, fmt.Errorf("SWEMWBS wording of place %d: %w", placeID, err)
	}
	return items, nil
}

// scanLocalQuestionnaire scans id, place_id, definition, retired and created_at.
func scanLocalQuestionnaire(scan func(...any) error) (*linkwork.Questionnaire, error) {
	var id, placeID int64
	var def string
	var retired bool
	var created time.Time
	if err := scan(&id, &placeID, &def, &retired, &created); err != nil {
		return nil, err
	}
	q := &linkwork.Questionnaire{}
	if err := json.Unmarshal([]byte(def), q); err != nil {
		return nil, fmt.Errorf("questionnaire %d: %w", id, err)
	}
	q.ID, q.PlaceID, q.Code, q.Retired, q.CreatedAt = id, placeID, localCodePrefix+idString(id), retired, created.UTC()
	q.BuiltIn, q.WordingMissing = false, false
	return q, nil
}

const localQuestionnaireColumns = "id, place_id, definition, retired, created_at"

// Questionnaires returns the three built-in questionnaires, SWEMWBS with the place's wording
// if supplied, then the place's own in the order they were defined; retired ones only when
// asked.
func (s *QuestionnaireService) Questionnaires(ctx context.Context, placeID int64, includeRetired bool) ([]*linkwork.Questionnaire, error) {
	c := s.db.read()
	wording, err := swemwbsWording(ctx, c, placeID)
	if err != nil {
		return nil, err
	}
	out := linkwork.BuiltInQuestionnaires(wording)
	q := "SELECT " + localQuestionnaireColumns + " FROM local_questionnaires WHERE place_id = ?"
	if !includeRetired {
		q += " AND NOT retired"
	}
	err = c.eachRow(ctx, q+" ORDER BY id", []any{placeID}, func(scan func(...any) error) error {
		lq, err := scanLocalQuestionnaire(scan)
		if err == nil {
			out = append(out, lq)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// FindQuestionnaire returns one of the place's questionnaires by code, retired or not, or
// ENOTFOUND.
func (s *QuestionnaireService) FindQuestionnaire(ctx context.Context, placeID int64, code string) (*linkwork.Questionnaire, error) {
	return s.db.findQuestionnaire(ctx, s.db.read(), placeID, code)
}

func (db *DB) findQuestionnaire(ctx context.Context, c conn, placeID int64, code string) (*linkwork.Questionnaire, error) {
	code = strings.TrimSpace(code)
	switch code {
	case linkwork.QuestionnaireONS4, linkwork.QuestionnaireUCLA3, linkwork.QuestionnaireSWEMWBS:
		wording, err := swemwbsWording(ctx, c, placeID)
		if err != nil {
			return nil, err
		}
		for _, q := range linkwork.BuiltInQuestionnaires(wording) {
			if q.Code == code {
				return q, nil
			}
		}
	}
	if rest, ok := strings.CutPrefix(code, localCodePrefix); ok {
		// Only the canonical spelling: "local-007" is not "local-7".
		if id, err := strconv.ParseInt(rest, 10, 64); err == nil && id > 0 && idString(id) == rest {
			q, err := scanLocalQuestionnaire(func(dest ...any) error {
				return c.queryRow(ctx, "SELECT "+localQuestionnaireColumns+" FROM local_questionnaires WHERE id = ? AND place_id = ?",
					[]any{id, placeID}, dest...)
			})
			if !errors.Is(err, sql.ErrNoRows) {
				return q, err
			}
		}
	}
	return nil, linkwork.Errorf(linkwork.ENOTFOUND, "Questionnaire not found.")
}

// DefineQuestionnaire validates and stores a place's own questionnaire, setting its ID, code
// and creation time, with an audit event.
func (s *QuestionnaireService) DefineQuestionnaire(ctx context.Context, q *linkwork.Questionnaire) error {
	if q == nil {
		return linkwork.Errorf(linkwork.EINVALID, "There is no questionnaire to save.")
	}
	if err := q.Validate(); err != nil {
		return err
	}
	return s.db.tx(ctx, func(c conn) error {
		var one int
		if err := c.queryRow(ctx, "SELECT 1 FROM places WHERE id = ?", []any{q.PlaceID}, &one); err != nil {
			return notFound(err, "Place")
		}
		now := s.db.Now()
		q.ID, q.BuiltIn, q.Retired, q.WordingMissing, q.CreatedAt = 0, false, false, false, now
		id, err := c.insert(ctx, `INSERT INTO local_questionnaires (place_id, code, name, definition, retired, created_at)
			VALUES (?, '', ?, '', FALSE, ?)`, q.PlaceID, q.Name, now)
		if err != nil {
			return err
		}
		q.ID, q.Code = id, localCodePrefix+idString(id)
		def, err := json.Marshal(q)
		if err != nil {
			return err
		}
		if _, err := c.exec(ctx, "UPDATE local_questionnaires SET code = ?, definition = ? WHERE id = ?", q.Code, string(def), id); err != nil {
			return err
		}
		return s.db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: q.PlaceID, Action: linkwork.AuditQuestionnaireDefine,
			RecordType: "questionnaire", RecordID: q.Code, Detail: "defined " + q.Name})
	})
}

// RetireQuestionnaire stops one of a place's own questionnaires being offered for new
// responses; its responses keep it. Retiring a retired one changes nothing.
func (s *QuestionnaireService) RetireQuestionnaire(ctx context.Context, placeID, id int64) error {
	return s.db.tx(ctx, func(c conn) error {
		var name string
		var retired bool
		err := c.queryRow(ctx, "SELECT name, retired FROM local_questionnaires WHERE id = ? AND place_id = ?", []any{id, placeID},
			&name, &retired)
		if err != nil {
			return notFound(err, "Questionnaire")
		}
		if retired {
			return nil
		}
		if _, err := c.exec(ctx, "UPDATE local_questionnaires SET retired = TRUE WHERE id = ?", id); err != nil {
			return err
		}
		return s.db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: placeID, Action: linkwork.AuditQuestionnaireDefine,
			RecordType: "questionnaire", RecordID: localCodePrefix + idString(id), Detail: "retired " + name})
	})
}

// SetSWEMWBSWording stores the seven licensed SWEMWBS items of a place, or removes them
// when items is empty, with an audit event.
func (s *QuestionnaireService) SetSWEMWBSWording(ctx context.Context, placeID int64, items []string) error {
	clean := make([]string, len(items))
	var ps linkwork.Problems
	if len(items) != 0 && len(items) != linkwork.SWEMWBSItemCount {
		ps.Add(linkwork.FieldError("swemwbs_items", "Give the wording of all %d SWEMWBS items, one for each; there are %d.",
			linkwork.SWEMWBSItemCount, len(items)))
	}
	for i, it := range items {
		clean[i] = strings.TrimSpace(it)
		switch n := utf8.RuneCountInString(clean[i]); {
		case n == 0:
			ps.Add(linkwork.FieldError("swemwbs_items", "Enter the wording of SWEMWBS item %d.", i+1))
		case n > maxSWEMWBSItemLength:
			ps.Add(linkwork.FieldError("swemwbs_items", "SWEMWBS item %d is %d characters long: the most is %d.", i+1, n, maxSWEMWBSItemLength))
		}
	}
	if err := ps.Err(); err != nil {
		return err
	}
	return s.db.tx(ctx, func(c conn) error {
		var one int
		if err := c.queryRow(ctx, "SELECT 1 FROM places WHERE id = ?", []any{placeID}, &one); err != nil {
			return notFound(err, "Place")
		}
		detail := "SWEMWBS wording removed"
		if len(clean) == 0 {
			if _, err := c.exec(ctx, "DELETE FROM questionnaire_wording WHERE place_id = ?", placeID); err != nil {
				return err
			}
		} else {
			raw, err := json.Marshal(clean)
			if err != nil {
				return err
			}
			if _, err := c.exec(ctx, `INSERT INTO questionnaire_wording (place_id, swemwbs_items) VALUES (?, ?)
				ON CONFLICT (place_id) DO UPDATE SET swemwbs_items = excluded.swemwbs_items`, placeID, string(raw)); err != nil {
				return err
			}
			detail = "SWEMWBS wording set"
		}
		return s.db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: placeID, Action: linkwork.AuditQuestionnaireDefine,
			RecordType: "questionnaire", RecordID: linkwork.QuestionnaireSWEMWBS, Detail: detail})
	})
}

const responseColumns = `id, person_id, questionnaire_code, questionnaire_name, timepoint, answers, status, score,
	completed_on, recorded_by_user_id, recorded_by, created_at, updated_at, version`

func scanResponse(scan func(...any) error) (*linkwork.QuestionnaireResponse, error) {
	r := &linkwork.QuestionnaireResponse{}
	var timepoint, answers, status, score string
	var recordedBy sql.NullInt64
	if err := scan(&r.ID, &r.PersonID, &r.QuestionnaireCode, &r.QuestionnaireName, &timepoint, &answers, &status, &score,
		&r.CompletedOn, &recordedBy, &r.RecordedBy, &r.CreatedAt, &r.UpdatedAt, &r.Version); err != nil {
		return nil, err
	}
	r.Timepoint, r.Status, r.RecordedByUserID = linkwork.Timepoint(timepoint), linkwork.ResponseStatus(status), recordedBy.Int64
	r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	if err := json.Unmarshal([]byte(answers), &r.Answers); err != nil {
		return nil, fmt.Errorf("questionnaire response %d answers: %w", r.ID, err)
	}
	if score != "" {
		r.Score = &linkwork.QuestionnaireScore{}
		if err := json.Unmarshal([]byte(score), r.Score); err != nil {
			return nil, fmt.Errorf("questionnaire response %d score: %w", r.ID, err)
		}
	}
	return r, nil
}

// responsesForPerson returns a person's questionnaire responses, newest first.
func (db *DB) responsesForPerson(ctx context.Context, c conn, personID int64) ([]*linkwork.QuestionnaireResponse, error) {
	out := []*linkwork.QuestionnaireResponse{}
	err := c.eachRow(ctx, "SELECT "+responseColumns+" FROM questionnaire_responses WHERE person_id = ? ORDER BY created_at DESC, id DESC",
		[]any{personID}, func(scan func(...any) error) error {
			r, err := scanResponse(scan)
			if err == nil {
				out = append(out, r)
			}
			return err
		})
	return out, err
}

func (db *DB) findResponse(ctx context.Context, c conn, id int64, forUpdate bool) (*linkwork.QuestionnaireResponse, error) {
	q := "SELECT " + responseColumns + " FROM questionnaire_responses WHERE id = ?"
	if forUpdate && db.dialect.name() == "postgres" {
		q += " FOR UPDATE"
	}
	r, err := scanResponse(func(dest ...any) error { return c.queryRow(ctx, q, []any{id}, dest...) })
	if err != nil {
		return nil, notFound(err, "Questionnaire response")
	}
	return r, nil
}

// FindResponse returns one response, or ENOTFOUND.
func (s *QuestionnaireService) FindResponse(ctx context.Context, id int64) (*linkwork.QuestionnaireResponse, error) {
	return s.db.findResponse(ctx, s.db.read(), id, false)
}

// ListResponses returns a person's responses, newest first.
func (s *QuestionnaireService) ListResponses(ctx context.Context, personID int64) ([]*linkwork.QuestionnaireResponse, error) {
	return s.db.responsesForPerson(ctx, s.db.read(), personID)
}

// SaveResponse checks and stores a response: new when r.ID is 0, otherwise a draft still
// at r.Version. A complete response is scored and can no longer be changed.
func (s *QuestionnaireService) SaveResponse(ctx context.Context, r *linkwork.QuestionnaireResponse) error {
	if r == nil {
		return linkwork.Errorf(linkwork.EINVALID, "There is no questionnaire response to save.")
	}
	return s.db.tx(ctx, func(c conn) error { return s.db.saveResponse(ctx, c, r) })
}

func (db *DB) saveResponse(ctx context.Context, c conn, r *linkwork.QuestionnaireResponse) error {
	now := db.Now()
	var old *linkwork.QuestionnaireResponse
	if r.ID != 0 {
		var err error
		if old, err = db.findResponse(ctx, c, r.ID, true); err != nil {
			return err
		}
		if old.PersonID != r.PersonID {
			return linkwork.Errorf(linkwork.ENOTFOUND, "Questionnaire response not found.")
		}
		if old.Status == linkwork.ResponseComplete {
			return linkwork.Errorf(linkwork.EINVALID, "A completed questionnaire cannot be changed; record a new one.")
		}
		if old.Version != r.Version {
			return linkwork.Errorf(linkwork.ECONFLICT, "%s saved this questionnaire at %s, after you opened it. "+
				"Reload the page to see their answers, then make your changes again.", old.RecordedBy, old.UpdatedAt.In(london).Format("15:04"))
		}
	}

	// The person: an open case, or for a final questionnaire one closed in the last 30 days.
	var placeID int64
	var status, dob string
	var closedAt sql.NullTime
	err := c.queryRow(ctx, "SELECT place_id, status, date_of_birth, closed_at FROM persons WHERE id = ?", []any{r.PersonID},
		&placeID, &status, &dob, &closedAt)
	if err != nil {
		return notFound(err, "Person")
	}
	switch linkwork.PersonStatus(status) {
	case linkwork.PersonWaiting, linkwork.PersonActive:
	case linkwork.PersonClosed:
		recent := closedAt.Valid && now.Sub(closedAt.Time) <= finalAfterClosing
		if !recent || strings.TrimSpace(string(r.Timepoint)) != string(linkwork.TimepointFinal) {
			return linkwork.Errorf(linkwork.EINVALID, "This person's case is closed: only a final questionnaire can be recorded, "+
				"and only within 30 days of closing.")
		}
	default:
		return linkwork.Errorf(linkwork.EINVALID, "This person's record has been erased: no questionnaire can be recorded.")
	}

	// The questionnaire: a draft keeps its own; a new response needs one not retired.
	code := strings.TrimSpace(r.QuestionnaireCode)
	if old != nil {
		code = old.QuestionnaireCode
	}
	if code == "" {
		return linkwork.FieldError("questionnaire_code", "Choose the questionnaire the person answered.")
	}
	q, err := db.findQuestionnaire(ctx, c, placeID, code)
	if linkwork.ErrorCode(err) == linkwork.ENOTFOUND {
		return linkwork.FieldError("questionnaire_code", "There is no questionnaire %q here: choose one from the list.", code)
	} else if err != nil {
		return err
	}
	if q.Retired && old == nil {
		return linkwork.FieldError("questionnaire_code", "%s has been retired: choose a questionnaire still in use.", q.Name)
	}
	if err := r.Validate(q, dob, calendarDay(now)); err != nil {
		return err
	}

	userID, recordedBy, err := actingUser(ctx, c)
	if err != nil {
		return err
	}
	answers, err := json.Marshal(r.Answers)
	if err != nil {
		return err
	}
	score := ""
	if r.Score != nil {
		b, err := json.Marshal(r.Score)
		if err != nil {
			return err
		}
		score = string(b)
	}
	r.RecordedByUserID, r.RecordedBy, r.UpdatedAt = userID, recordedBy, now
	if old == nil {
		r.CreatedAt, r.Version = now, 1
		id, err := c.insert(ctx, `INSERT INTO questionnaire_responses (person_id, questionnaire_code, questionnaire_name, timepoint,
			answers, status, score, completed_on, recorded_by_user_id, recorded_by, created_at, updated_at, version)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.PersonID, r.QuestionnaireCode, r.QuestionnaireName,
			string(r.Timepoint), string(answers), string(r.Status), score, r.CompletedOn, nullInt(userID), recordedBy, now, now, r.Version)
		if err != nil {
			return err
		}
		r.ID = id
	} else {
		r.CreatedAt, r.Version = old.CreatedAt, old.Version+1
		res, err := c.exec(ctx, `UPDATE questionnaire_responses SET timepoint = ?, answers = ?, status = ?, score = ?, completed_on = ?,
			recorded_by_user_id = ?, recorded_by = ?, updated_at = ?, version = ? WHERE id = ? AND version = ? AND status = 'draft'`,
			string(r.Timepoint), string(answers), string(r.Status), score, r.CompletedOn, nullInt(userID), recordedBy, now,
			r.Version, r.ID, old.Version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return linkwork.Errorf(linkwork.ECONFLICT, "Someone saved this questionnaire after you opened it. "+
				"Reload the page to see their answers, then make your changes again.")
		}
	}
	return db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: placeID, Action: linkwork.AuditQuestionnaireSave,
		RecordType: "questionnaire_response", RecordID: idString(r.ID),
		Detail: fmt.Sprintf("%s %s %s", r.QuestionnaireCode, r.Timepoint, r.Status)})
}

// DeleteDraft removes a draft response; a complete one is kept for good.
func (s *QuestionnaireService) DeleteDraft(ctx context.Context, id int64) error {
	return s.db.tx(ctx, func(c conn) error {
		r, err := s.db.findResponse(ctx, c, id, true)
		if err != nil {
			return err
		}
		if r.Status != linkwork.ResponseDraft {
			return linkwork.Errorf(linkwork.EINVALID, "A completed questionnaire cannot be deleted: it is part of the person's record.")
		}
		var placeID int64
		if err := c.queryRow(ctx, "SELECT place_id FROM persons WHERE id = ?", []any{r.PersonID}, &placeID); err != nil {
			return notFound(err, "Person")
		}
		if _, err := c.exec(ctx, "DELETE FROM questionnaire_responses WHERE id = ? AND status = 'draft'", id); err != nil {
			return err
		}
		return s.db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: placeID, Action: linkwork.AuditQuestionnaireSave,
			RecordType: "questionnaire_response", RecordID: idString(id), Detail: r.QuestionnaireCode + " draft deleted"})
	})
}
