package linkwork

import (
	"context"
	"time"
)

// Notification is a message waiting to be sent, in the outbox. Store methods that change a
// referral add its notifications in the same transaction, so a change is never made without
// them; a background worker sends them (by SMTP when configured, otherwise to the log),
// retrying with a growing delay.
type Notification struct {
	ID         int64  `json:"id"`
	PlaceID    int64  `json:"place_id"`
	ReferralID int64  `json:"referral_id,omitempty"`
	To         string `json:"to"`
	Subject    string `json:"subject"`
	Body       string `json:"body"`
	// MessageID is unique to the notification and sent as its Message-ID, so that a
	// message delivered again after a crash (between the mail server accepting it and the
	// outbox recording that) can be recognised as the same one.
	MessageID string    `json:"message_id"`
	CreatedAt time.Time `json:"created_at"`
	Attempts  int       `json:"attempts"`
	// NextAttemptAt is when it may next be tried; LeasedUntil, while a worker holds it.
	NextAttemptAt time.Time  `json:"next_attempt_at"`
	LeasedUntil   *time.Time `json:"leased_until,omitempty"`
	SentAt        *time.Time `json:"sent_at,omitempty"`
	LastError     string     `json:"last_error,omitempty"`
	// GaveUp is set after MaxNotificationAttempts failures; it is kept for the record.
	GaveUp bool `json:"gave_up"`
}

// MaxNotificationAttempts is how many times a notification is tried before it is given up.
const MaxNotificationAttempts = 10

// NotificationRetryDelay is how long to wait before the next attempt after a failed one:
// one minute, doubling, at most six hours.
func NotificationRetryDelay(attempts int) time.Duration {
	d := time.Minute
	for i := 1; i < attempts && d < 6*time.Hour; i++ {
		d *= 2
	}
	return min(d, 6*time.Hour)
}

// NotificationService is the outbox.
type NotificationService interface {
	// ClaimNotifications leases up to n notifications that are due and unsent for lease,
	// so that no other worker (in this process or another instance) takes them meanwhile.
	ClaimNotifications(ctx context.Context, n int, lease time.Duration) ([]*Notification, error)
	// MarkNotificationSent records that a claimed notification was sent.
	MarkNotificationSent(ctx context.Context, id int64) error
	// MarkNotificationsSent records several as sent in one transaction, for a sender that
	// hands a whole batch over at once (the log).
	MarkNotificationsSent(ctx context.Context, ids []int64) error
	// MarkNotificationFailed records a failed attempt and when to try again (or gives up
	// after MaxNotificationAttempts).
	MarkNotificationFailed(ctx context.Context, id int64, reason string) error
	// ListNotifications returns a referral's notifications, for its page.
	ListNotifications(ctx context.Context, referralID int64) ([]*Notification, error)
}
