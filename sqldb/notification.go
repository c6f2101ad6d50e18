package sqldb

import (
	"context"
	"database/sql"
	"strings"
	"time"
	"unicode/utf8"

	"linkwork"
)

// NotificationService is the outbox: notifications written with the changes they tell of,
// and claimed, sent and marked by a background worker.
type NotificationService struct{ db *DB }

// NewNotificationService returns the outbox of db.
func NewNotificationService(db *DB) *NotificationService { return &NotificationService{db: db} }

var _ linkwork.NotificationService = (*NotificationService)(nil)

// notification is a message for the outbox, before it is stored.
type notification struct{ to, subject, body string }

// queueNotifications adds messages about a referral to the outbox in the caller's
// transaction, so that a change and the news of it are kept together or not at all. Each
// gets its own Message-ID now, so that one sent twice (after a crash between the mail server
// taking it and the outbox recording that) is recognisably the same message.
func (db *DB) queueNotifications(ctx context.Context, c conn, placeID, referralID int64, notes []notification) error {
	if len(notes) == 0 {
		return nil
	}
	now := db.Now()
	rows := make([][]any, len(notes))
	for i, n := range notes {
		rows[i] = []any{placeID, nullInt(referralID), n.to, n.subject, n.body, "<" + linkwork.NewUUID() + "@linkwork>", now, now}
	}
	return insertRows(ctx, c, `INSERT INTO notifications (place_id, referral_id, to_address, subject, body, message_id, created_at,
		attempts, next_attempt_at, last_error, gave_up) VALUES `, "(?, ?, ?, ?, ?, ?, ?, 0, ?, '', FALSE)", rows, "")
}

const notificationColumns = `id, place_id, referral_id, to_address, subject, body, message_id, created_at, attempts,
	next_attempt_at, leased_until, sent_at, last_error, gave_up`

func scanNotification(scan func(...any) error) (*linkwork.Notification, error) {
	n := &linkwork.Notification{}
	var referralID sql.NullInt64
	var leased, sent sql.NullTime
	if err := scan(&n.ID, &n.PlaceID, &referralID, &n.To, &n.Subject, &n.Body, &n.MessageID, &n.CreatedAt, &n.Attempts,
		&n.NextAttemptAt, &leased, &sent, &n.LastError, &n.GaveUp); err != nil {
		return nil, err
	}
	n.ReferralID = referralID.Int64
	n.CreatedAt, n.NextAttemptAt = n.CreatedAt.UTC(), n.NextAttemptAt.UTC()
	n.LeasedUntil, n.SentAt = timePtr(leased), timePtr(sent)
	return n, nil
}

func queryNotifications(ctx context.Context, c conn, query string, args ...any) ([]*linkwork.Notification, error) {
	rows, err := c.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*linkwork.Notification{}
	for rows.Next() {
		n, err := scanNotification(rows.Scan)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// ClaimNotifications leases up to n notifications that are due, unsent, not given up and
// not leased by another worker, oldest due first. On PostgreSQL the rows are locked with
// SKIP LOCKED, so that concurrent claimers take different notifications instead of queueing
// for the same ones; on SQLite the transaction holds the only write lock, so claimers take
// turns.
func (s *NotificationService) ClaimNotifications(ctx context.Context, n int, lease time.Duration) ([]*linkwork.Notification, error) {
	if n <= 0 {
		return []*linkwork.Notification{}, nil
	}
	if lease <= 0 {
		return nil, linkwork.Errorf(linkwork.EINVALID, "The lease must be longer than nothing.")
	}
	const due = ` FROM notifications WHERE sent_at IS NULL AND NOT gave_up AND next_attempt_at <= ?
		AND (leased_until IS NULL OR leased_until <= ?)`
	// Workers poll often and mostly find nothing: a read first spares SQLite's write lock.
	now := s.db.Now()
	var found int
	if err := s.db.read().queryRow(ctx, "SELECT COUNT(*) FROM (SELECT 1"+due+" LIMIT 1) d", []any{now, now}, &found); err != nil {
		return nil, err
	}
	if found == 0 {
		return []*linkwork.Notification{}, nil
	}
	var out []*linkwork.Notification
	err := s.db.tx(ctx, func(c conn) error {
		now := s.db.Now()
		q := "SELECT " + notificationColumns + due + " ORDER BY next_attempt_at, id LIMIT ?"
		if s.db.dialect.name() == "postgres" {
			q += " FOR UPDATE SKIP LOCKED"
		}
		var err error
		if out, err = queryNotifications(ctx, c, q, now, now, n); err != nil || len(out) == 0 {
			return err
		}
		until := now.Add(lease)
		ids := make([]any, len(out))
		for i, nt := range out {
			ids[i] = nt.ID
			nt.LeasedUntil = &until
		}
		_, err = c.exec(ctx, "UPDATE notifications SET leased_until = ? WHERE id IN "+placeholders(len(ids)), append([]any{until}, ids...)...)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// MarkNotificationSent records that a notification was sent and ends its lease. Marking one
// already sent again keeps the first time: it was sent then.
func (s *NotificationService) MarkNotificationSent(ctx context.Context, id int64) error {
	return s.db.tx(ctx, func(c conn) error {
		res, err := c.exec(ctx, "UPDATE notifications SET sent_at = ?, leased_until = NULL WHERE id = ? AND sent_at IS NULL", s.db.Now(), id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n > 0 {
			return err
		}
		var one int
		return notFound(c.queryRow(ctx, "SELECT 1 FROM notifications WHERE id = ?", []any{id}, &one), "Notification")
	})
}

// MarkNotificationsSent records several claimed notifications as sent, in one transaction.
// Ones already recorded keep their first time.
func (s *NotificationService) MarkNotificationsSent(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	return s.db.tx(ctx, func(c conn) error {
		_, err := c.exec(ctx, "UPDATE notifications SET sent_at = ?, leased_until = NULL WHERE sent_at IS NULL AND id IN "+placeholders(len(ids)),
			append([]any{s.db.Now()}, anys(ids)...)...)
		return err
	})
}

// maxErrorLength bounds the error kept with a notification: a mail server's reply can be
// long, and only its start says what went wrong.
const maxErrorLength = 1000

// MarkNotificationFailed records a failed attempt, ends the lease and sets when to try
// again: later after each failure (linkwork.NotificationRetryDelay), and never after
// linkwork.MaxNotificationAttempts, when the notification is given up but kept.
func (s *NotificationService) MarkNotificationFailed(ctx context.Context, id int64, reason string) error {
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) > maxErrorLength {
		reason = string([]rune(reason)[:maxErrorLength])
	}
	return s.db.tx(ctx, func(c conn) error {
		var attempts int
		var sent sql.NullTime
		err := c.queryRow(ctx, "SELECT attempts, sent_at FROM notifications WHERE id = ?", []any{id}, &attempts, &sent)
		if err != nil {
			return notFound(err, "Notification")
		}
		if sent.Valid {
			return nil // it was sent after all (by an earlier lease): a late failure cannot undo that
		}
		attempts++
		now := s.db.Now()
		_, err = c.exec(ctx, `UPDATE notifications SET attempts = ?, last_error = ?, leased_until = NULL, next_attempt_at = ?,
			gave_up = ? WHERE id = ?`, attempts, reason, now.Add(linkwork.NotificationRetryDelay(attempts)),
			attempts >= linkwork.MaxNotificationAttempts, id)
		return err
	})
}

// ListNotifications returns a referral's notifications, oldest first.
func (s *NotificationService) ListNotifications(ctx context.Context, referralID int64) ([]*linkwork.Notification, error) {
	return queryNotifications(ctx, s.db.read(), "SELECT "+notificationColumns+" FROM notifications WHERE referral_id = ? ORDER BY id", referralID)
}
