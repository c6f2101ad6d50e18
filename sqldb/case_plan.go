package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"linkwork"
)

// openCase is what a change to a case needs to know of the person.
type openCase struct {
	ID          int64
	PlaceID     int64
	DateOfBirth string
	OpenedOn    string
}

// lockOpenCase reads a person whose case is to change, locking their row until the
// transaction ends (on PostgreSQL; SQLite's transaction holds the only write lock), so that
// changes to one case happen one at a time. A closed or erased case is EINVALID; what names
// what was to change, such as "its plan".
func (db *DB) lockOpenCase(ctx context.Context, c conn, personID int64, what string) (*openCase, error) {
	q := "SELECT id, place_id, status, date_of_birth, opened_on FROM persons WHERE id = ?"
	if db.dialect.name() == "postgres" {
		q += " FOR UPDATE"
	}
	oc := &openCase{}
	var status string
	if err := c.queryRow(ctx, q, []any{personID}, &oc.ID, &oc.PlaceID, &status, &oc.DateOfBirth, &oc.OpenedOn); err != nil {
		return nil, notFound(err, "Person")
	}
	if err := caseOpen(linkwork.PersonStatus(status), what); err != nil {
		return nil, err
	}
	return oc, nil
}

// auditPlan records a change to a person's plan.
func (db *DB) auditPlan(ctx context.Context, c conn, oc *openCase, detail string) error {
	return db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: oc.PlaceID, Action: linkwork.AuditPlanChange,
		RecordType: "person", RecordID: idString(oc.ID), Detail: detail})
}

// refreshNextStep keeps a person's next step (the earliest step to do, by due date then as
// added) and next action (the earlier of that and the follow-up) current after their plan
// changed.
func (db *DB) refreshNextStep(ctx context.Context, c conn, personID int64) error {
	var followUp, due, text sql.NullString
	err := c.queryRow(ctx, `SELECT p.follow_up_on, s.due_on, s.text FROM persons p LEFT JOIN plan_steps s ON s.id = (
		SELECT id FROM plan_steps WHERE person_id = p.id AND status = 'to_do' ORDER BY due_on, id LIMIT 1) WHERE p.id = ?`,
		[]any{personID}, &followUp, &due, &text)
	if err != nil {
		return notFound(err, "Person")
	}
	_, err = c.exec(ctx, "UPDATE persons SET next_step_due = ?, next_step = ?, next_action_on = ? WHERE id = ?",
		nullDate(due.String), text.String, nullDate(earlierDate(followUp.String, due.String)), personID)
	return err
}

// earlierDate is the earlier of two YYYY-MM-DD dates, either of which may be missing.
func earlierDate(a, b string) string {
	if a == "" || b != "" && b < a {
		return b
	}
	return a
}

// SaveConversation saves the "what matters to me" conversation of an open case if it is
// still at c.Version (0 before the first save).
func (s *CaseService) SaveConversation(ctx context.Context, cv *linkwork.Conversation) error {
	if cv == nil {
		return linkwork.Errorf(linkwork.EINVALID, "There is no conversation to save.")
	}
	db := s.db
	return db.tx(ctx, func(c conn) error {
		oc, err := db.lockOpenCase(ctx, c, cv.PersonID, "the conversation")
		if err != nil {
			return err
		}
		if err := cv.Validate(oc.DateOfBirth, db.today()); err != nil {
			return err
		}
		var version int
		var by string
		var at time.Time
		err = c.queryRow(ctx, "SELECT version, updated_by, updated_at FROM conversations WHERE person_id = ?", []any{oc.ID},
			&version, &by, &at)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if cv.Version != 0 {
				return linkwork.Errorf(linkwork.ECONFLICT, "This person's conversation is not recorded any more. Reload the page, then record it again.")
			}
		case err != nil:
			return err
		case version != cv.Version:
			return staleMessage(by, "", at, "the \"what matters to me\" conversation")
		}
		userID, name, err := actingUser(ctx, c)
		if err != nil {
			return err
		}
		now := db.Now()
		args := []any{cv.HeldOn, cv.WhatMatters, cv.Strengths, cv.Interests, cv.Barriers, cv.Connect, cv.Space, cv.Skills,
			cv.Control, cv.Notes, nullInt(userID), name, now}
		if cv.Version == 0 {
			_, err = c.exec(ctx, `INSERT INTO conversations (held_on, what_matters, strengths, interests, barriers, connect, space,
				skills, control, notes, updated_by_user_id, updated_by, updated_at, person_id, version)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`, append(args, oc.ID)...)
		} else {
			_, err = c.exec(ctx, `UPDATE conversations SET held_on = ?, what_matters = ?, strengths = ?, interests = ?,
				barriers = ?, connect = ?, space = ?, skills = ?, control = ?, notes = ?, updated_by_user_id = ?, updated_by = ?,
				updated_at = ?, version = version + 1 WHERE person_id = ? AND version = ?`, append(args, oc.ID, cv.Version)...)
		}
		if linkwork.ErrorCode(err) == linkwork.ECONFLICT {
			return linkwork.Errorf(linkwork.ECONFLICT, "Someone else has just recorded this person's conversation. "+
				"Reload the page to see it, then make your changes again.")
		}
		if err != nil {
			return err
		}
		cv.PersonID, cv.UpdatedByUserID, cv.UpdatedBy, cv.UpdatedAt, cv.Version = oc.ID, userID, name, now, cv.Version+1
		return db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: oc.PlaceID, Action: linkwork.AuditConversationSave,
			RecordType: "person", RecordID: idString(oc.ID), Detail: fmt.Sprintf("version %d", cv.Version)})
	})
}

// conversation returns a person's conversation, or nil when none is recorded.
func conversation(ctx context.Context, c conn, personID int64) (*linkwork.Conversation, error) {
	cv := &linkwork.Conversation{}
	var by sql.NullInt64
	err := c.queryRow(ctx, `SELECT person_id, held_on, what_matters, strengths, interests, barriers, connect, space, skills,
		control, notes, updated_by_user_id, updated_by, updated_at, version FROM conversations WHERE person_id = ?`, []any{personID},
		&cv.PersonID, &cv.HeldOn, &cv.WhatMatters, &cv.Strengths, &cv.Interests, &cv.Barriers, &cv.Connect, &cv.Space, &cv.Skills,
		&cv.Control, &cv.Notes, &by, &cv.UpdatedBy, &cv.UpdatedAt, &cv.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	cv.UpdatedByUserID, cv.UpdatedAt = by.Int64, cv.UpdatedAt.UTC()
	return cv, nil
}

// AddGoal adds a goal at the end of an open case's plan.
func (s *CaseService) AddGoal(ctx context.Context, g *linkwork.Goal) error {
	if g == nil {
		return linkwork.Errorf(linkwork.EINVALID, "There is no goal to add.")
	}
	if err := g.Validate(); err != nil {
		return err
	}
	db := s.db
	return db.tx(ctx, func(c conn) error {
		oc, err := db.lockOpenCase(ctx, c, g.PersonID, "its plan")
		if err != nil {
			return err
		}
		if err := c.queryRow(ctx, "SELECT COALESCE(MAX(position), 0) + 1 FROM plan_goals WHERE person_id = ?", []any{oc.ID},
			&g.Position); err != nil {
			return err
		}
		now := db.Now()
		id, err := c.insert(ctx, `INSERT INTO plan_goals (person_id, text, status, position, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?)`, oc.ID, g.Text, string(g.Status), g.Position, now, now)
		if err != nil {
			return err
		}
		g.ID, g.CreatedAt, g.UpdatedAt, g.Steps = id, now, now, []*linkwork.Step{}
		return db.auditPlan(ctx, c, oc, fmt.Sprintf("goal %d added", id))
	})
}

// UpdateGoal replaces a goal's text and status.
func (s *CaseService) UpdateGoal(ctx context.Context, g *linkwork.Goal) error {
	if g == nil {
		return linkwork.Errorf(linkwork.EINVALID, "There is no goal to save.")
	}
	if err := g.Validate(); err != nil {
		return err
	}
	db := s.db
	return db.tx(ctx, func(c conn) error {
		var personID int64
		err := c.queryRow(ctx, "SELECT person_id, position, created_at FROM plan_goals WHERE id = ?", []any{g.ID},
			&personID, &g.Position, &g.CreatedAt)
		if errors.Is(err, sql.ErrNoRows) || err == nil && g.PersonID != 0 && g.PersonID != personID {
			return linkwork.Errorf(linkwork.ENOTFOUND, "Goal not found.")
		} else if err != nil {
			return err
		}
		oc, err := db.lockOpenCase(ctx, c, personID, "its plan")
		if err != nil {
			return err
		}
		now := db.Now()
		if _, err := c.exec(ctx, "UPDATE plan_goals SET text = ?, status = ?, updated_at = ? WHERE id = ?",
			g.Text, string(g.Status), now, g.ID); err != nil {
			return err
		}
		g.PersonID, g.CreatedAt, g.UpdatedAt = personID, g.CreatedAt.UTC(), now
		return db.auditPlan(ctx, c, oc, fmt.Sprintf("goal %d changed", g.ID))
	})
}

// checkStep checks what a step refers to: its goal must be the person's, and its service (if
// any) in the person's place. It returns the service's name.
func checkStep(ctx context.Context, c conn, oc *openCase, st *linkwork.Step, ps *linkwork.Problems) (string, error) {
	if st.GoalID != 0 {
		var goalPerson int64
		err := c.queryRow(ctx, "SELECT person_id FROM plan_goals WHERE id = ?", []any{st.GoalID}, &goalPerson)
		switch {
		case errors.Is(err, sql.ErrNoRows) || err == nil && goalPerson != oc.ID:
			ps.Add(linkwork.FieldError("goal_id", "Choose one of this person's goals for the step: goal %d is not in their plan.", st.GoalID))
		case err != nil:
			return "", err
		}
	}
	var service string
	if st.ServiceID != 0 {
		err := c.queryRow(ctx, "SELECT name FROM services WHERE id = ? AND place_id = ?", []any{st.ServiceID, oc.PlaceID}, &service)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			ps.Add(linkwork.FieldError("service_id", "There is no service %d in the directory here: choose one from the directory, or none.",
				st.ServiceID))
		case err != nil:
			return "", err
		}
	}
	return service, nil
}

// AddStep adds a step at the end of one of a person's goals.
func (s *CaseService) AddStep(ctx context.Context, st *linkwork.Step) error {
	if st == nil {
		return linkwork.Errorf(linkwork.EINVALID, "There is no step to add.")
	}
	db := s.db
	return db.tx(ctx, func(c conn) error {
		oc, err := db.lockOpenCase(ctx, c, st.PersonID, "its plan")
		if err != nil {
			return err
		}
		var ps linkwork.Problems
		ps.Add(st.Validate(oc.OpenedOn, db.today()))
		service, err := checkStep(ctx, c, oc, st, &ps)
		if err != nil {
			return err
		}
		if err := ps.Err(); err != nil {
			return err
		}
		if err := c.queryRow(ctx, "SELECT COALESCE(MAX(position), 0) + 1 FROM plan_steps WHERE goal_id = ?", []any{st.GoalID},
			&st.Position); err != nil {
			return err
		}
		now := db.Now()
		id, err := c.insert(ctx, `INSERT INTO plan_steps (goal_id, person_id, text, due_on, status, done_on, service_id,
			onward_referral_id, position, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)`,
			st.GoalID, oc.ID, st.Text, st.DueOn, string(st.Status), nullDate(st.DoneOn), nullInt(st.ServiceID), st.Position, now, now)
		if err != nil {
			return err
		}
		st.ID, st.ServiceName, st.OnwardReferralID, st.CreatedAt, st.UpdatedAt = id, service, 0, now, now
		if err := db.refreshNextStep(ctx, c, oc.ID); err != nil {
			return err
		}
		return db.auditPlan(ctx, c, oc, fmt.Sprintf("step %d added to goal %d", id, st.GoalID))
	})
}

// UpdateStep replaces a step's goal, text, status, dates and service; the onward referral
// made from it stays.
func (s *CaseService) UpdateStep(ctx context.Context, st *linkwork.Step) error {
	if st == nil {
		return linkwork.Errorf(linkwork.EINVALID, "There is no step to save.")
	}
	db := s.db
	return db.tx(ctx, func(c conn) error {
		var personID, goalID int64
		var onward sql.NullInt64
		err := c.queryRow(ctx, "SELECT person_id, goal_id, onward_referral_id, position, created_at FROM plan_steps WHERE id = ?",
			[]any{st.ID}, &personID, &goalID, &onward, &st.Position, &st.CreatedAt)
		if errors.Is(err, sql.ErrNoRows) || err == nil && st.PersonID != 0 && st.PersonID != personID {
			return linkwork.Errorf(linkwork.ENOTFOUND, "Step not found.")
		} else if err != nil {
			return err
		}
		oc, err := db.lockOpenCase(ctx, c, personID, "its plan")
		if err != nil {
			return err
		}
		var ps linkwork.Problems
		ps.Add(st.Validate(oc.OpenedOn, db.today()))
		service, err := checkStep(ctx, c, oc, st, &ps)
		if err != nil {
			return err
		}
		if err := ps.Err(); err != nil {
			return err
		}
		if st.GoalID != goalID {
			// Moved to another of the person's goals: it goes last there.
			if err := c.queryRow(ctx, "SELECT COALESCE(MAX(position), 0) + 1 FROM plan_steps WHERE goal_id = ?", []any{st.GoalID},
				&st.Position); err != nil {
				return err
			}
		}
		now := db.Now()
		if _, err := c.exec(ctx, `UPDATE plan_steps SET goal_id = ?, text = ?, due_on = ?, status = ?, done_on = ?, service_id = ?,
			position = ?, updated_at = ? WHERE id = ?`, st.GoalID, st.Text, st.DueOn, string(st.Status), nullDate(st.DoneOn),
			nullInt(st.ServiceID), st.Position, now, st.ID); err != nil {
			return err
		}
		st.PersonID, st.ServiceName, st.OnwardReferralID = personID, service, onward.Int64
		st.CreatedAt, st.UpdatedAt = st.CreatedAt.UTC(), now
		if err := db.refreshNextStep(ctx, c, oc.ID); err != nil {
			return err
		}
		return db.auditPlan(ctx, c, oc, fmt.Sprintf("step %d changed", st.ID))
	})
}

// AddProgressNote adds a note to an open case's plan, written by the acting user.
func (s *CaseService) AddProgressNote(ctx context.Context, n *linkwork.ProgressNote) error {
	if n == nil {
		return linkwork.Errorf(linkwork.EINVALID, "There is no note to add.")
	}
	if err := n.Validate(); err != nil {
		return err
	}
	db := s.db
	return db.tx(ctx, func(c conn) error {
		oc, err := db.lockOpenCase(ctx, c, n.PersonID, "its plan")
		if err != nil {
			return err
		}
		if n.GoalID != 0 {
			var goalPerson int64
			err := c.queryRow(ctx, "SELECT person_id FROM plan_goals WHERE id = ?", []any{n.GoalID}, &goalPerson)
			if errors.Is(err, sql.ErrNoRows) || err == nil && goalPerson != oc.ID {
				return linkwork.FieldError("goal_id", "Choose one of this person's goals for the note, or none: goal %d is not in their plan.", n.GoalID)
			} else if err != nil {
				return err
			}
		}
		userID, name, err := actingUser(ctx, c)
		if err != nil {
			return err
		}
		if userID == 0 && n.AuthorName != "" {
			name = n.AuthorName
		}
		now := db.Now()
		id, err := c.insert(ctx, "INSERT INTO progress_notes (person_id, goal_id, text, author_user_id, author_name, at) VALUES (?, ?, ?, ?, ?, ?)",
			oc.ID, nullInt(n.GoalID), n.Text, nullInt(userID), name, now)
		if err != nil {
			return err
		}
		n.ID, n.AuthorUserID, n.AuthorName, n.At = id, userID, name, now
		return db.auditPlan(ctx, c, oc, fmt.Sprintf("note %d added", id))
	})
}

// Plan returns a person's plan.
func (s *CaseService) Plan(ctx context.Context, personID int64) (*linkwork.SupportPlan, error) {
	c := s.db.read()
	var id int64
	if err := c.queryRow(ctx, "SELECT id FROM persons WHERE id = ?", []any{personID}, &id); err != nil {
		return nil, notFound(err, "Person")
	}
	return loadPlan(ctx, c, personID)
}

// loadPlan reads a person's goals with their steps in order, and their notes newest first:
// three queries, however long the plan.
func loadPlan(ctx context.Context, c conn, personID int64) (*linkwork.SupportPlan, error) {
	plan := &linkwork.SupportPlan{Goals: []*linkwork.Goal{}, Notes: []*linkwork.ProgressNote{}}
	goals := map[int64]*linkwork.Goal{}
	err := c.eachRow(ctx, `SELECT id, person_id, text, status, position, created_at, updated_at FROM plan_goals
		WHERE person_id = ? ORDER BY position, id`, []any{personID}, func(scan func(...any) error) error {
		g := &linkwork.Goal{Steps: []*linkwork.Step{}}
		var status string
		if err := scan(&g.ID, &g.PersonID, &g.Text, &status, &g.Position, &g.CreatedAt, &g.UpdatedAt); err != nil {
			return err
		}
		g.Status, g.CreatedAt, g.UpdatedAt = linkwork.GoalStatus(status), g.CreatedAt.UTC(), g.UpdatedAt.UTC()
		plan.Goals, goals[g.ID] = append(plan.Goals, g), g
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = c.eachRow(ctx, `SELECT st.id, st.goal_id, st.person_id, st.text, st.due_on, st.status, st.done_on, st.service_id,
		sv.name, st.onward_referral_id, st.position, st.created_at, st.updated_at
		FROM plan_steps st LEFT JOIN services sv ON sv.id = st.service_id
		WHERE st.person_id = ? ORDER BY st.goal_id, st.position, st.id`, []any{personID}, func(scan func(...any) error) error {
		st := &linkwork.Step{}
		var status string
		var done, service sql.NullString
		var serviceID, onward sql.NullInt64
		if err := scan(&st.ID, &st.GoalID, &st.PersonID, &st.Text, &st.DueOn, &status, &done, &serviceID, &service, &onward,
			&st.Position, &st.CreatedAt, &st.UpdatedAt); err != nil {
			return err
		}
		st.Status, st.DoneOn, st.ServiceID, st.ServiceName = linkwork.StepStatus(status), done.String, serviceID.Int64, service.String
		st.OnwardReferralID, st.CreatedAt, st.UpdatedAt = onward.Int64, st.CreatedAt.UTC(), st.UpdatedAt.UTC()
		if g := goals[st.GoalID]; g != nil {
			g.Steps = append(g.Steps, st)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = c.eachRow(ctx, `SELECT id, person_id, goal_id, text, author_user_id, author_name, at FROM progress_notes
		WHERE person_id = ? ORDER BY at DESC, id DESC`, []any{personID}, func(scan func(...any) error) error {
		n := &linkwork.ProgressNote{}
		var goal, author sql.NullInt64
		if err := scan(&n.ID, &n.PersonID, &goal, &n.Text, &author, &n.AuthorName, &n.At); err != nil {
			return err
		}
		n.GoalID, n.AuthorUserID, n.At = goal.Int64, author.Int64, n.At.UTC()
		plan.Notes = append(plan.Notes, n)
		return nil
	})
	return plan, err
}
