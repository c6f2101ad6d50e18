package sqldb

import (
	"context"
	"strings"

	"linkwork"
)

// AuditService appends to and reads the audit trail.
type AuditService struct{ db *DB }

// NewAuditService returns the audit trail of db.
func NewAuditService(db *DB) *AuditService { return &AuditService{db: db} }

var _ linkwork.AuditService = (*AuditService)(nil)

// RecordAudit appends an event outside any other transaction: for reads of personal data.
func (s *AuditService) RecordAudit(ctx context.Context, e *linkwork.AuditEvent) error {
	return s.db.tx(ctx, func(c conn) error { return s.db.audit(ctx, c, e) })
}

// audit appends an event in the caller's transaction, so that a change and its record in
// the trail are written together or not at all.
func (db *DB) audit(ctx context.Context, c conn, e *linkwork.AuditEvent) error {
	a := linkwork.ActorFromContext(ctx)
	if e.ActorUserID == 0 {
		e.ActorUserID = a.UserID
	}
	if e.ActorLabel == "" {
		e.ActorLabel = a.Label
	}
	if e.PlaceID == 0 {
		e.PlaceID = a.PlaceID
	}
	if e.IP == "" {
		e.IP = a.IP
	}
	if e.RequestID == "" {
		e.RequestID = a.RequestID
	}
	e.At = db.Now()
	id, err := c.insert(ctx, `INSERT INTO audit_events
		(at, place_id, actor_user_id, actor_label, action, record_type, record_id, detail, ip, request_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.At, nullInt(e.PlaceID), nullInt(e.ActorUserID), e.ActorLabel, e.Action, e.RecordType, e.RecordID,
		e.Detail, e.IP, e.RequestID)
	e.ID = id
	return err
}

// ListAudit returns a page of events, newest first, and the number of matching events.
func (s *AuditService) ListAudit(ctx context.Context, f linkwork.AuditFilter) ([]*linkwork.AuditEvent, int, error) {
	var where []string
	var args []any
	if f.PlaceID != 0 {
		// Events with no place (a failed sign-in for an unknown account) hold no personal
		// data and concern every place's administrators.
		where, args = append(where, "(place_id = ? OR place_id IS NULL)"), append(args, f.PlaceID)
	}
	if f.ActorUserID != 0 {
		where, args = append(where, "actor_user_id = ?"), append(args, f.ActorUserID)
	}
	if f.Action != "" {
		if strings.HasSuffix(f.Action, ".") {
			where, args = append(where, "substr(action, 1, ?) = ?"), append(args, len(f.Action), f.Action)
		} else {
			where, args = append(where, "action = ?"), append(args, f.Action)
		}
	}
	if f.RecordType != "" {
		where, args = append(where, "record_type = ?"), append(args, f.RecordType)
	}
	if f.RecordID != "" {
		where, args = append(where, "record_id = ?"), append(args, f.RecordID)
	}
	if !f.From.IsZero() {
		where, args = append(where, "at >= ?"), append(args, f.From.UTC())
	}
	if !f.To.IsZero() {
		where, args = append(where, "at < ?"), append(args, f.To.UTC())
	}
	clause := ""
	if len(where) > 0 {
		clause = " WHERE " + strings.Join(where, " AND ")
	}
	c := s.db.read()
	var total int
	if err := c.queryRow(ctx, "SELECT COUNT(*) FROM audit_events"+clause, args, &total); err != nil {
		return nil, 0, err
	}
	p := f.Page.Normal()
	rows, err := c.query(ctx, `SELECT id, at, COALESCE(place_id, 0), COALESCE(actor_user_id, 0), actor_label,
		action, record_type, record_id, detail, ip, request_id FROM audit_events`+clause+
		" ORDER BY id DESC LIMIT ? OFFSET ?", append(args, p.Size, p.Offset())...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*linkwork.AuditEvent
	for rows.Next() {
		e := &linkwork.AuditEvent{}
		if err := rows.Scan(&e.ID, &e.At, &e.PlaceID, &e.ActorUserID, &e.ActorLabel, &e.Action, &e.RecordType,
			&e.RecordID, &e.Detail, &e.IP, &e.RequestID); err != nil {
			return nil, 0, err
		}
		e.At = e.At.UTC()
		out = append(out, e)
	}
	return out, total, rows.Err()
}
