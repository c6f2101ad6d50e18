package notify_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"mime"
	"strings"
	"sync"
	"testing"
	"time"

	"linkwork"
	"linkwork/notify"
	"linkwork/sqldb"
	"linkwork/sqldb/sqldbtest"
)

// outbox is a place with a connector scheme, where referrals put notifications in the
// outbox as real ones do: each new referral tells its referrer and its scheme.
type outbox struct {
	db       *sqldb.DB
	svc      linkwork.Services
	ctx      context.Context
	now      time.Time
	mu       sync.Mutex
	placeID  int64
	schemeID int64
	needID   int64
	refs     []int64
}

func newOutbox(t *testing.T, db *sqldb.DB) *outbox {
	t.Helper()
	o := &outbox{db: db, svc: db.Services(), now: time.Date(2030, time.March, 4, 9, 30, 15, 123456000, time.UTC),
		ctx: linkwork.NewContextWithActor(context.Background(), linkwork.Actor{Label: "test"})}
	db.Now = func() time.Time { o.mu.Lock(); defer o.mu.Unlock(); return o.now }
	place := &linkwork.Place{Name: "Testshire"}
	must(t, o.svc.Places.CreatePlace(o.ctx, place))
	org := &linkwork.Organisation{PlaceID: place.ID, Name: "Testshire Primary Care Network", Sector: linkwork.SectorNHS}
	must(t, o.svc.Organisations.CreateOrganisation(o.ctx, org))
	scheme := &linkwork.Service{PlaceID: place.ID, OrganisationID: org.ID, Kind: linkwork.KindScheme, Name: "Testshire Social Prescribing",
		Description: "Link workers for Testshire.", Status: linkwork.StatusActive, Email: "triage@testshire.example.org",
		Scheme: &linkwork.ConnectorScheme{Model: linkwork.ModelPCNLinkWorker, WhoCanRefer: []linkwork.ReferrerType{linkwork.ReferrerGP}}}
	must(t, o.svc.Directory.CreateService(o.ctx, scheme))
	taxes, err := o.svc.Taxonomies.ListTaxonomies(o.ctx, place.ID)
	must(t, err)
	for _, tx := range taxes {
		if tx.Code == linkwork.TaxonomyNeed && len(tx.Terms) > 0 {
			o.needID = tx.Terms[0].ID
		}
	}
	if o.needID == 0 {
		t.Fatal("the place has no needs to refer for")
	}
	o.placeID, o.schemeID = place.ID, scheme.ID
	return o
}

func (o *outbox) advance(d time.Duration) { o.mu.Lock(); o.now = o.now.Add(d); o.mu.Unlock() }

// refer sends a referral, which queues two notifications: to the referrer and to the scheme.
func (o *outbox) refer(t *testing.T, referrerEmail string) {
	t.Helper()
	r := &linkwork.Referral{PlaceID: o.placeID, SchemeID: o.schemeID, NeedIDs: []int64{o.needID}, Reason: "Lonely since moving here.",
		Person:   linkwork.ReferralPerson{GivenName: "Ffion", FamilyName: "Testperson", DateOfBirth: "1950-01-02", Postcode: "HX1 1AA", Phone: "01422 300000"},
		Referrer: linkwork.ReferralSource{Type: linkwork.ReferrerGP, Name: "Dr Ada Test", Email: referrerEmail},
		Consent:  linkwork.Consent{ToReferral: true, Method: linkwork.ConsentVerbal, RecordedBy: "Dr Ada Test"}}
	must(t, o.svc.Referrals.CreateReferral(o.ctx, linkwork.NewReferral{Referral: r}))
	o.refs = append(o.refs, r.ID)
}

// all returns every notification of the referrals sent, oldest first.
func (o *outbox) all(t *testing.T) []*linkwork.Notification {
	t.Helper()
	var out []*linkwork.Notification
	for _, id := range o.refs {
		ns, err := o.svc.Notifications.ListNotifications(o.ctx, id)
		must(t, err)
		out = append(out, ns...)
	}
	return out
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func smtpSender(t *testing.T, srv *fakeSMTP) *notify.SMTPSender {
	t.Helper()
	s, err := notify.NewSMTPSender(notify.SMTPConfig{Addr: srv.Addr(), From: "Testshire linkwork <linkwork@testshire.example.org>",
		StartTLS: true, Timeout: 5 * time.Second})
	must(t, err)
	return s
}

// byMessageID counts the messages the server accepted by Message-ID.
func byMessageID(got []received) map[string]int {
	out := map[string]int{}
	for _, m := range got {
		out[m.Msg.Header.Get("Message-ID")]++
	}
	return out
}

func TestDeliversOnceWithTheRightHeaders(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		o := newOutbox(t, db)
		o.refer(t, "dr.test@practice.example.org")
		srv := newFakeSMTP(t)
		w := notify.New(notify.Config{Notifications: o.svc.Notifications, Sender: smtpSender(t, srv), Logger: quietLogger()})
		sent, err := w.Drain(o.ctx)
		if err != nil || sent != 2 {
			t.Fatalf("sent %d: %v", sent, err)
		}
		got := srv.Received()
		if len(got) != 2 {
			t.Fatalf("the server received %d messages", len(got))
		}
		ids := byMessageID(got)
		for _, n := range o.all(t) {
			if n.SentAt == nil || n.Attempts != 0 || n.LastError != "" || n.LeasedUntil != nil {
				t.Errorf("notification after sending: %+v", n)
			}
			id := "<" + strings.Trim(n.MessageID, "<>") + ">"
			if ids[id] != 1 {
				t.Errorf("%s was received %d times", id, ids[id])
			}
			for _, m := range got {
				if m.Msg.Header.Get("Message-ID") != id {
					continue
				}
				subject, _ := new(mime.WordDecoder).DecodeHeader(m.Msg.Header.Get("Subject"))
				if m.To != n.To || m.Msg.Header.Get("To") != "<"+n.To+">" || subject != n.Subject || m.From != "linkwork@testshire.example.org" ||
					m.Msg.Header.Get("From") != `"Testshire linkwork" <linkwork@testshire.example.org>` || m.Msg.Header.Get("Date") == "" ||
					m.Msg.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
					t.Errorf("notification %+v arrived as %+v with headers %v", n, m, m.Msg.Header)
				}
			}
		}
		// Nothing is left to send, and nothing goes twice.
		if sent, err := w.Drain(o.ctx); err != nil || sent != 0 {
			t.Errorf("second drain sent %d: %v", sent, err)
		}
		o.advance(24 * time.Hour)
		if sent, err := w.Drain(o.ctx); err != nil || sent != 0 || len(srv.Received()) != 2 {
			t.Errorf("a day later sent %d: %v", sent, err)
		}
	})
}

func TestRetriesWithGrowingDelayThenSucceeds(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		o := newOutbox(t, db)
		o.refer(t, "dr.test@practice.example.org")
		srv := newFakeSMTP(t)
		w := notify.New(notify.Config{Notifications: o.svc.Notifications, Sender: smtpSender(t, srv), Logger: quietLogger()})
		srv.RefuseAll(true)
		for attempt := 1; attempt <= 2; attempt++ {
			if sent, err := w.Drain(o.ctx); err != nil || sent != 0 {
				t.Fatalf("attempt %d: sent %d: %v", attempt, sent, err)
			}
			for _, n := range o.all(t) {
				if n.SentAt != nil || n.Attempts != attempt || !strings.Contains(n.LastError, "451") || n.LeasedUntil != nil ||
					!n.NextAttemptAt.Equal(o.db.Now().Add(linkwork.NotificationRetryDelay(attempt))) {
					t.Fatalf("after failure %d: %+v", attempt, n)
				}
			}
			// Not due yet: nothing is tried.
			if sent, err := w.Drain(o.ctx); err != nil || sent != 0 {
				t.Fatalf("tried early: %d %v", sent, err)
			}
			o.advance(linkwork.NotificationRetryDelay(attempt))
		}
		srv.RefuseAll(false)
		if sent, err := w.Drain(o.ctx); err != nil || sent != 2 {
			t.Fatalf("third attempt sent %d: %v", sent, err)
		}
		for _, n := range o.all(t) {
			if n.SentAt == nil || n.Attempts != 2 {
				t.Errorf("after success: %+v", n)
			}
		}
		if got := byMessageID(srv.Received()); len(got) != 2 {
			t.Errorf("received %v", got)
		}

		// A notification that never goes is given up after MaxNotificationAttempts, and kept.
		o.refer(t, "dr.test@practice.example.org")
		srv.RefuseAll(true)
		for range linkwork.MaxNotificationAttempts + 2 {
			if _, err := w.Drain(o.ctx); err != nil {
				t.Fatal(err)
			}
			o.advance(6*time.Hour + time.Second)
		}
		for _, n := range o.all(t)[2:] {
			if !n.GaveUp || n.Attempts != linkwork.MaxNotificationAttempts || n.SentAt != nil {
				t.Errorf("not given up: %+v", n)
			}
		}
	})
}

func TestTwoWorkersSendEachOnce(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		o := newOutbox(t, db)
		const referrals = 15
		for i := range referrals {
			o.refer(t, fmt.Sprintf("referrer%d@example.org", i))
		}
		// A slow server and small batches, so that the two workers overlap many times.
		srv := newFakeSMTP(t, func(s *fakeSMTP) { s.delay = 5 * time.Millisecond })
		var wg sync.WaitGroup
		sent := make([]int, 2)
		for i := range 2 {
			w := notify.New(notify.Config{Notifications: o.svc.Notifications, Sender: smtpSender(t, srv), Logger: quietLogger(), Batch: 3})
			wg.Go(func() {
				n, err := w.Drain(o.ctx)
				if err != nil {
					t.Error(err)
				}
				sent[i] = n
			})
		}
		wg.Wait()
		got := byMessageID(srv.Received())
		if len(got) != 2*referrals || sent[0]+sent[1] != 2*referrals {
			t.Fatalf("sent %v; received %d distinct messages", sent, len(got))
		}
		for id, n := range got {
			if n != 1 {
				t.Errorf("%s was received %d times", id, n)
			}
		}
		for _, n := range o.all(t) {
			if n.SentAt == nil {
				t.Errorf("not marked sent: %+v", n)
			}
		}
		t.Logf("the workers sent %v", sent)
	})
}

func TestLogsWhenNoMailServer(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		o := newOutbox(t, db)
		o.refer(t, "dr.test@practice.example.org")
		var buf bytes.Buffer
		w := notify.New(notify.Config{Notifications: o.svc.Notifications, Logger: slog.New(slog.NewJSONHandler(&buf, nil))})
		if sent, err := w.Drain(o.ctx); err != nil || sent != 2 {
			t.Fatalf("sent %d: %v", sent, err)
		}
		log := buf.String()
		for _, n := range o.all(t) {
			if n.SentAt == nil {
				t.Errorf("not marked sent: %+v", n)
			}
			for _, want := range []string{fmt.Sprintf(`"notification":%d`, n.ID), `"to":"` + n.To + `"`, `"subject":"` + n.Subject + `"`} {
				if !strings.Contains(log, want) {
					t.Errorf("the log lacks %s:\n%s", want, log)
				}
			}
			if first, _, _ := strings.Cut(n.Body, "\n"); strings.Contains(log, first) {
				t.Errorf("the log holds the body:\n%s", log)
			}
		}
		if !strings.Contains(log, `"level":"INFO"`) || strings.Contains(log, "Ffion") {
			t.Errorf("log:\n%s", log)
		}
	})
}

// A worker never starts a message it could not finish before its lease runs out, since
// another worker could claim it then.
func TestLeaveWhatTheLeaseCannotCover(t *testing.T) {
	db := sqldbtest.Open(t, "sqlite")
	o := newOutbox(t, db)
	o.refer(t, "dr.test@practice.example.org")
	srv := newFakeSMTP(t)
	w := notify.New(notify.Config{Notifications: o.svc.Notifications, Sender: smtpSender(t, srv), Logger: quietLogger(),
		Lease: 20 * time.Second, SendTimeout: 10 * time.Second})
	sent, claimed, err := w.RunOnce(o.ctx)
	if err != nil || sent != 0 || claimed != 2 || len(srv.Received()) != 0 {
		t.Fatalf("sent %d of %d: %v", sent, claimed, err)
	}
	for _, n := range o.all(t) {
		if n.LeasedUntil == nil || n.Attempts != 0 || n.SentAt != nil {
			t.Errorf("%+v", n)
		}
	}
	// Once the lease runs out, a worker with time to spare sends them.
	o.advance(21 * time.Second)
	w = notify.New(notify.Config{Notifications: o.svc.Notifications, Sender: smtpSender(t, srv), Logger: quietLogger()})
	if sent, err := w.Drain(o.ctx); err != nil || sent != 2 || len(srv.Received()) != 2 {
		t.Fatalf("sent %d: %v", sent, err)
	}
}

func TestRunStopsWhenCancelledAndWakes(t *testing.T) {
	db := sqldbtest.Open(t, "sqlite")
	o := newOutbox(t, db)
	srv := newFakeSMTP(t)
	w := notify.New(notify.Config{Notifications: o.svc.Notifications, Sender: smtpSender(t, srv), Logger: quietLogger(), Interval: time.Hour})
	ctx, cancel := context.WithCancel(o.ctx)
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	// With an hour between checks, only Wake sends a new referral's notifications now.
	o.refer(t, "dr.test@practice.example.org")
	w.Wake()
	deadline := time.Now().Add(5 * time.Second)
	for len(srv.Received()) < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := len(srv.Received()); n != 2 {
		t.Errorf("woken, the worker sent %d", n)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the worker did not stop when its context was cancelled")
	}
}
