// Package notify delivers the notifications in linkwork's outbox: a background worker that
// claims due notifications from the store, sends each by SMTP (or, with no mail server
// configured, writes it to the log) and records the result.
//
// The outbox makes delivery reliable without a message queue. The store method that
// changes a referral writes the notifications in the same transaction as the change, so a
// change is never made without them. The worker then:
//
//  1. claims a few due notifications with a lease (ClaimNotifications), so that no other
//     worker, in this process or another instance, takes them while it sends;
//  2. sends each one, giving up on one whose lease would run out before its delivery could
//     finish, so that it is never sent while another worker may hold it;
//  3. records it as sent (MarkNotificationSent), or the error (MarkNotificationFailed), after
//     which the store tries it again later with a growing delay and gives up after
//     linkwork.MaxNotificationAttempts.
//
// A notification is therefore never sent twice in normal running. One case remains, which
// no outbox can close: if linkwork stops (a crash, a power cut, or the database out of
// reach) after the mail server accepted a message and before the outbox recorded it, the
// message is sent again once its lease runs out. It carries the same Message-ID both
// times, so mail systems and people can see it is the same message.
package notify

import (
	"context"
	"log/slog"
	"time"

	"linkwork"
)

// Sender sends one notification.
type Sender interface {
	Send(ctx context.Context, n *linkwork.Notification) error
}

// Defaults for Config.
const (
	DefaultInterval = 5 * time.Second
	DefaultBatch    = 20
	DefaultLease    = 2 * time.Minute
)

// Config is what a Worker needs.
type Config struct {
	Notifications linkwork.NotificationService
	// Sender sends notifications; nil logs them instead (LogSender).
	Sender Sender
	// SendTimeout is the longest one Send may take. A notification is sent only while at
	// least this much of its lease is left. 0 means DefaultSMTPTimeout.
	SendTimeout time.Duration
	Logger      *slog.Logger
	// Interval is how often the outbox is checked when nothing wakes the worker; Batch how
	// many notifications are claimed at once; Lease how long a claim holds them. 0 means
	// the default.
	Interval time.Duration
	Batch    int
	Lease    time.Duration
}

// Worker delivers the outbox. Run it in its own goroutine; Wake it when notifications are
// added, to send them without waiting for the next check.
type Worker struct {
	cfg  Config
	wake chan struct{}
	// now is the clock the worker measures its leases by: its own, not the store's, so
	// that it can only think a lease ends sooner than the store does.
	now func() time.Time
}

// New returns a worker.
func New(cfg Config) *Worker {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Sender == nil {
		cfg.Sender = LogSender{Logger: cfg.Logger}
	}
	if cfg.SendTimeout <= 0 {
		cfg.SendTimeout = DefaultSMTPTimeout
		if s, ok := cfg.Sender.(interface{ Timeout() time.Duration }); ok {
			cfg.SendTimeout = s.Timeout()
		}
	}
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultInterval
	}
	if cfg.Batch <= 0 {
		cfg.Batch = DefaultBatch
	}
	if cfg.Lease <= 0 {
		cfg.Lease = DefaultLease
	}
	return &Worker{cfg: cfg, wake: make(chan struct{}, 1), now: time.Now}
}

// Wake makes a running worker check the outbox now. It never blocks.
func (w *Worker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default: // a wake-up is already pending
	}
}

// Run delivers the outbox until ctx is cancelled, then returns once the message it is
// sending (if any) is sent and recorded, so that shutting down does not leave a message
// sent but unrecorded.
func (w *Worker) Run(ctx context.Context) {
	ctx = linkwork.NewContextWithActor(ctx, linkwork.Actor{Label: "linkwork:notify"})
	t := time.NewTicker(w.cfg.Interval)
	defer t.Stop()
	for {
		if _, err := w.Drain(ctx); err != nil && ctx.Err() == nil {
			w.cfg.Logger.Warn("notifications: cannot read the outbox; will try again", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-w.wake:
		}
	}
}

// Drain sends what is due, batch after batch, until a batch comes back short or ctx is
// cancelled. It returns how many were sent.
func (w *Worker) Drain(ctx context.Context) (int, error) {
	total := 0
	for ctx.Err() == nil {
		sent, claimed, err := w.RunOnce(ctx)
		total += sent
		if err != nil || claimed < w.cfg.Batch {
			return total, err
		}
	}
	return total, nil
}

// RunOnce claims one batch and sends it. It returns how many it sent and how many it
// claimed. A failed delivery is recorded, not returned: the error is the outbox's.
func (w *Worker) RunOnce(ctx context.Context) (sent, claimed int, err error) {
	// The lease is counted from before the claim, so this worker's idea of when it ends is
	// never later than the store's.
	leaseEnds := w.now().Add(w.cfg.Lease)
	batch, err := w.cfg.Notifications.ClaimNotifications(ctx, w.cfg.Batch, w.cfg.Lease)
	if err != nil {
		return 0, 0, err
	}
	if log, ok := w.cfg.Sender.(LogSender); ok {
		// Logging cannot half-fail, so the whole batch is logged and recorded in one
		// transaction instead of one a message.
		ids := make([]int64, len(batch))
		for i, n := range batch {
			_ = log.Send(ctx, n)
			ids[i] = n.ID
		}
		if err := w.cfg.Notifications.MarkNotificationsSent(context.WithoutCancel(ctx), ids); err != nil {
			w.cfg.Logger.Error("notifications: logged but not recorded; they will be logged again when their lease runs out", "err", err)
			return 0, len(batch), nil
		}
		return len(batch), len(batch), nil
	}
	for i, n := range batch {
		if ctx.Err() != nil {
			// Shutting down: the rest are tried again when their lease runs out.
			break
		}
		// A message is started only if it can finish well before the lease ends; otherwise
		// another worker could claim it meanwhile and send it too. It waits for the lease to
		// run out instead.
		if w.now().Add(w.cfg.SendTimeout + leaseMargin).After(leaseEnds) {
			w.cfg.Logger.Info("notifications: lease running out; leaving the rest of the batch for later", "left", len(batch)-i)
			break
		}
		if w.deliver(ctx, n) {
			sent++
		}
	}
	return sent, len(batch), nil
}

// leaseMargin is kept free at the end of a lease for recording the result and for clocks
// that differ a little between instances.
const leaseMargin = 15 * time.Second

// deliver sends one notification and records the result. Once a send has started, it and
// its record are finished even if ctx is cancelled (bounded by SendTimeout), since a message
// sent but not recorded would be sent again.
func (w *Worker) deliver(ctx context.Context, n *linkwork.Notification) bool {
	work, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.cfg.SendTimeout+leaseMargin)
	defer cancel()
	sendCtx, cancelSend := context.WithTimeout(work, w.cfg.SendTimeout)
	err := w.cfg.Sender.Send(sendCtx, n)
	cancelSend()
	log := w.cfg.Logger.With("notification", n.ID, "message_id", n.MessageID)
	if err != nil {
		attempt := n.Attempts + 1
		if merr := w.cfg.Notifications.MarkNotificationFailed(work, n.ID, err.Error()); merr != nil {
			log.Error("notifications: cannot record a failed delivery; it will be tried again when its lease runs out",
				"err", merr, "send_err", err)
			return false
		}
		if attempt >= linkwork.MaxNotificationAttempts {
			log.Error("notifications: delivery failed; giving up", "attempt", attempt, "err", err)
		} else {
			log.Warn("notifications: delivery failed; will try again", "attempt", attempt,
				"retry_in", linkwork.NotificationRetryDelay(attempt).String(), "err", err)
		}
		return false
	}
	// The message is out. Recording it matters more than anything else now: a brief
	// database error is retried, since a notification left unrecorded is sent again.
	var merr error
	for try := range 3 {
		if merr = w.cfg.Notifications.MarkNotificationSent(work, n.ID); merr == nil {
			return true
		}
		// Only a fault of the database is worth retrying; an answer (not found, say) will
		// not change.
		if linkwork.ErrorCode(merr) != linkwork.EINTERNAL {
			break
		}
		select {
		case <-work.Done():
		case <-time.After(time.Duration(try+1) * time.Second):
		}
	}
	log.Error("notifications: sent but not recorded; it may be sent again, with the same Message-ID", "err", merr)
	return true
}

// LogSender writes notifications to the log instead of sending them, for a linkwork with no
// mail server. It logs who to, the subject and the ID: not the body, so that the log never
// holds more about a person than it must (bodies are written to carry no personal details,
// and this keeps it so if one ever did).
type LogSender struct{ Logger *slog.Logger }

// Send logs the notification.
func (s LogSender) Send(ctx context.Context, n *linkwork.Notification) error {
	s.Logger.LogAttrs(ctx, slog.LevelInfo, "notification (no mail server configured, so logged instead of sent)",
		slog.Int64("notification", n.ID), slog.String("to", n.To), slog.String("subject", n.Subject),
		slog.String("message_id", n.MessageID))
	return nil
}
