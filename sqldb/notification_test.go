package sqldb_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"linkwork"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// The outbox's life: claimed with a lease, not claimed again while leased, claimed again
// when the lease runs out, retried later after each failure, given up after the last, and
// never claimed again once sent.
func TestNotificationOutbox(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newRefWorld(t, db)
		ctx := t.Context()
		r := w.send(t, w.referral()) // two notifications: the referrer's and the scheme's
		start := w.clock.now

		claimed, err := w.outbox.ClaimNotifications(ctx, 10, time.Minute)
		must(t, err)
		if len(claimed) != 2 || claimed[0].ReferralID != r.ID || claimed[0].LeasedUntil == nil ||
			!claimed[0].LeasedUntil.Equal(start.Add(time.Minute)) {
			t.Fatalf("claimed %s: want both, leased for a minute", jsonOf(claimed))
		}
		again, err := w.outbox.ClaimNotifications(ctx, 10, time.Minute)
		must(t, err)
		if len(again) != 0 {
			t.Fatalf("claimed %d notifications still leased to another worker", len(again))
		}

		// The first is sent; the worker holding the second dies, and its lease runs out.
		must(t, w.outbox.MarkNotificationSent(ctx, claimed[0].ID))
		w.clock.advance(time.Minute)
		again, err = w.outbox.ClaimNotifications(ctx, 10, time.Minute)
		must(t, err)
		if len(again) != 1 || again[0].ID != claimed[1].ID {
			t.Fatalf("after the lease: claimed %s, want only the unsent one", jsonOf(again))
		}
		id := again[0].ID

		// Each failure puts the next try further off, until linkwork gives up.
		for attempt := 1; attempt <= linkwork.MaxNotificationAttempts; attempt++ {
			must(t, w.outbox.MarkNotificationFailed(ctx, id, "  421 try again later  "))
			n := findNotification(t, w, r.ID, id)
			delay := linkwork.NotificationRetryDelay(attempt)
			if n.Attempts != attempt || n.LastError != "421 try again later" || n.LeasedUntil != nil ||
				!n.NextAttemptAt.Equal(w.clock.now.Add(delay)) || n.GaveUp != (attempt == linkwork.MaxNotificationAttempts) {
				t.Fatalf("after failure %d: %s; want the next try in %v", attempt, jsonOf(n), delay)
			}
			// Not due a moment before the delay is up; due when it is.
			w.clock.advance(delay - time.Microsecond)
			if got, err := w.outbox.ClaimNotifications(ctx, 10, time.Minute); err != nil || len(got) != 0 {
				t.Fatalf("after failure %d, claimed %d early (%v)", attempt, len(got), err)
			}
			w.clock.advance(time.Microsecond)
			got, err := w.outbox.ClaimNotifications(ctx, 10, time.Minute)
			must(t, err)
			if attempt == linkwork.MaxNotificationAttempts {
				if len(got) != 0 {
					t.Fatalf("claimed a notification that was given up")
				}
				break
			}
			if len(got) != 1 || got[0].ID != id {
				t.Fatalf("after failure %d, claimed %s when due", attempt, jsonOf(got))
			}
		}

		// The sent one is never claimed again, and marking it again keeps when it was sent.
		sent := findNotification(t, w, r.ID, claimed[0].ID)
		if sent.SentAt == nil || !sent.SentAt.Equal(start) || sent.LeasedUntil != nil {
			t.Fatalf("sent notification %s", jsonOf(sent))
		}
		must(t, w.outbox.MarkNotificationSent(ctx, claimed[0].ID))
		if again := findNotification(t, w, r.ID, claimed[0].ID); !again.SentAt.Equal(start) {
			t.Fatalf("marked sent twice: sent at %v, want %v", again.SentAt, start)
		}
		// A failure reported late, after it was sent, does not undo that.
		must(t, w.outbox.MarkNotificationFailed(ctx, claimed[0].ID, "timeout"))
		if again := findNotification(t, w, r.ID, claimed[0].ID); again.Attempts != 0 || again.SentAt == nil {
			t.Fatalf("a late failure changed a sent notification: %s", jsonOf(again))
		}
		wantCode(t, w.outbox.MarkNotificationSent(ctx, 99999), linkwork.ENOTFOUND, "")
		wantCode(t, w.outbox.MarkNotificationFailed(ctx, 99999, "x"), linkwork.ENOTFOUND, "")

		// A long error is cut short.
		r2 := w.send(t, w.person("Olga", "1999-09-09"))
		long := strings.Repeat("é", 5000)
		notes := mustNotifications(t, w, r2.ID)
		must(t, w.outbox.MarkNotificationFailed(ctx, notes[0].ID, long))
		if got := findNotification(t, w, r2.ID, notes[0].ID); len([]rune(got.LastError)) != 1000 {
			t.Fatalf("kept %d characters of the error, want 1000", len([]rune(got.LastError)))
		}
		// Claims take at most n, oldest due first.
		got, err := w.outbox.ClaimNotifications(ctx, 1, time.Minute)
		must(t, err)
		if len(got) != 1 || got[0].ID != notes[1].ID {
			t.Fatalf("claimed %s, want only the one due", jsonOf(got))
		}
	})
}

func findNotification(t *testing.T, w *refWorld, referralID, id int64) *linkwork.Notification {
	t.Helper()
	for _, n := range mustNotifications(t, w, referralID) {
		if n.ID == id {
			return n
		}
	}
	t.Fatalf("no notification %d", id)
	return nil
}

// Workers claiming at the same time never get the same notification: each is sent once.
func TestClaimNotificationsConcurrently(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newRefWorld(t, db)
		ctx := t.Context()
		db.Now = func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) } // leases need a clock that moves
		const referrals = 40
		for i := range referrals {
			w.send(t, w.person("Claim"+idStr(int64(i)), "1990-01-01"))
		}
		want := 2 * referrals

		const workers = 4
		var mu sync.Mutex
		seen := map[int64]int{}
		errs := make([]error, workers)
		var wg sync.WaitGroup
		for i := range workers {
			wg.Go(func() {
				for {
					got, err := w.outbox.ClaimNotifications(ctx, 3, time.Hour)
					if err != nil {
						errs[i] = err
						return
					}
					if len(got) == 0 {
						return
					}
					mu.Lock()
					for _, n := range got {
						seen[n.ID]++
					}
					mu.Unlock()
					for _, n := range got {
						if err := w.outbox.MarkNotificationSent(ctx, n.ID); err != nil {
							errs[i] = err
							return
						}
					}
				}
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("worker %d: %v", i, err)
			}
		}
		if len(seen) != want {
			t.Fatalf("%d notifications claimed, want all %d", len(seen), want)
		}
		for id, n := range seen {
			if n != 1 {
				t.Fatalf("notification %d claimed %d times", id, n)
			}
		}
		if n := countRows(t, db, "notifications", "sent_at IS NULL"); n != 0 {
			t.Fatalf("%d notifications left unsent", n)
		}
	})
}

// TestMarkNotificationsSent records a batch as sent at once, keeping the first time of one
// already recorded.
func TestMarkNotificationsSent(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newRefWorld(t, db)
		ctx := t.Context()
		r := w.send(t, w.referral()) // two notifications
		claimed, err := w.outbox.ClaimNotifications(ctx, 10, time.Minute)
		must(t, err)
		if len(claimed) != 2 {
			t.Fatalf("claimed %d, want 2", len(claimed))
		}
		must(t, w.outbox.MarkNotificationSent(ctx, claimed[0].ID))
		first := findNotification(t, w, r.ID, claimed[0].ID).SentAt
		w.clock.advance(time.Minute)
		must(t, w.outbox.MarkNotificationsSent(ctx, []int64{claimed[0].ID, claimed[1].ID}))
		for _, c := range claimed {
			n := findNotification(t, w, r.ID, c.ID)
			if n.SentAt == nil || n.LeasedUntil != nil {
				t.Errorf("notification %d: sent %v, leased until %v", c.ID, n.SentAt, n.LeasedUntil)
			}
		}
		if got := findNotification(t, w, r.ID, claimed[0].ID).SentAt; !got.Equal(*first) {
			t.Errorf("the first time sent moved from %v to %v", first, got)
		}
		w.clock.advance(time.Hour)
		again, err := w.outbox.ClaimNotifications(ctx, 10, time.Minute)
		must(t, err)
		if len(again) != 0 {
			t.Errorf("%d sent notifications claimed again", len(again))
		}
	})
}
