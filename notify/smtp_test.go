package notify_test

import (
	"context"
	"io"
	"mime"
	"mime/quotedprintable"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"linkwork"
	"linkwork/notify"
)

func testNotification() *linkwork.Notification {
	return &linkwork.Notification{ID: 7, To: "gp.surgery@example.org", MessageID: "n7.abc@linkwork.example.org",
		Subject: "Referral R-7K3M9Q: accepted by Zoë's scheme",
		Body: "The referral you sent (R-7K3M9Q) was accepted by Calder Valley Social Prescribing, who will contact the person within the next two weeks to arrange a first conversation.\n" +
			".a line that starts with a dot\n\nSee https://linkwork.example.org/referrals/1234567890/with/a/very/long/address/that/must/not/be/broken/at/all\n"}
}

func TestSMTPMessage(t *testing.T) {
	srv := newFakeSMTP(t)
	s, err := notify.NewSMTPSender(notify.SMTPConfig{Addr: srv.Addr(), From: "Calderdale linkwork <linkwork@example.org>", StartTLS: true})
	if err != nil {
		t.Fatal(err)
	}
	n := testNotification()
	if err := s.Send(context.Background(), n); err != nil {
		t.Fatal(err)
	}
	got := srv.Received()
	if len(got) != 1 {
		t.Fatalf("received %d messages", len(got))
	}
	m := got[0]
	if m.From != "linkwork@example.org" || m.To != "gp.surgery@example.org" || m.TLS || m.User != "" {
		t.Errorf("envelope: %+v", m)
	}
	h := m.Msg.Header
	subject, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	if err != nil || subject != n.Subject {
		t.Errorf("Subject %q (%q) %v", h.Get("Subject"), subject, err)
	}
	if h.Get("Message-ID") != "<n7.abc@linkwork.example.org>" || h.Get("To") != "<gp.surgery@example.org>" ||
		h.Get("From") != `"Calderdale linkwork" <linkwork@example.org>` || h.Get("MIME-Version") != "1.0" ||
		h.Get("Content-Type") != "text/plain; charset=utf-8" || h.Get("Auto-Submitted") != "auto-generated" {
		t.Errorf("headers: %v", h)
	}
	if d, err := h.Date(); err != nil || time.Since(d) > time.Minute {
		t.Errorf("Date %q: %v", h.Get("Date"), err)
	}
	for _, line := range strings.Split(m.Data, "\r\n") {
		if len(line) > 78 {
			t.Errorf("a line of %d characters: %q", len(line), line)
		}
	}
	raw, err := io.ReadAll(quotedprintable.NewReader(m.Msg.Body))
	if err != nil {
		t.Fatal(err)
	}
	body := string(raw)
	if !strings.Contains(body, "\r\n.a line that starts with a dot\r\n") {
		t.Errorf("the dot was lost:\n%s", body)
	}
	if !strings.Contains(body, "\r\nhttps://linkwork.example.org/referrals/1234567890/with/a/very/long/address/that/must/not/be/broken/at/all\r\n") {
		t.Errorf("the link was broken:\n%s", body)
	}
	if strings.Join(strings.Fields(body), " ") != strings.Join(strings.Fields(n.Body), " ") {
		t.Errorf("the words changed:\n%s", body)
	}
}

func TestSMTPStartTLSAndAuth(t *testing.T) {
	server, client := testTLS(t)
	srv := newFakeSMTP(t, func(s *fakeSMTP) { s.tls, s.auth = server, "linkwork:s3cret" })
	s, err := notify.NewSMTPSender(notify.SMTPConfig{Addr: srv.Addr(), From: "linkwork@example.org", User: "linkwork",
		Password: "s3cret", StartTLS: true, TLS: client})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), testNotification()); err != nil {
		t.Fatal(err)
	}
	if got := srv.Received(); len(got) != 1 || !got[0].TLS || got[0].User != "linkwork" {
		t.Fatalf("received %+v", got)
	}

	// A wrong password is an error, and nothing is sent.
	s, _ = notify.NewSMTPSender(notify.SMTPConfig{Addr: srv.Addr(), From: "linkwork@example.org", User: "linkwork",
		Password: "wrong", StartTLS: true, TLS: client})
	if err := s.Send(context.Background(), testNotification()); err == nil || !strings.Contains(err.Error(), "AUTH") {
		t.Errorf("wrong password: %v", err)
	}
	// With STARTTLS off the connection stays plain, even though the server offers it.
	s, _ = notify.NewSMTPSender(notify.SMTPConfig{Addr: srv.Addr(), From: "linkwork@example.org", User: "linkwork",
		Password: "s3cret", StartTLS: false})
	if err := s.Send(context.Background(), testNotification()); err != nil {
		t.Fatal(err)
	}
	if got := srv.Received(); len(got) != 2 || got[1].TLS {
		t.Fatalf("received %+v", got)
	}
}

func TestSMTPFailures(t *testing.T) {
	srv := newFakeSMTP(t)
	s, err := notify.NewSMTPSender(notify.SMTPConfig{Addr: srv.Addr(), From: "linkwork@example.org", Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	srv.Refuse(1)
	if err := s.Send(context.Background(), testNotification()); err == nil || !strings.Contains(err.Error(), "451") {
		t.Errorf("refused: %v", err)
	}
	n := testNotification()
	n.To = "not an address"
	if err := s.Send(context.Background(), n); err == nil {
		t.Error("sent to a bad address")
	}
	n = testNotification()
	n.MessageID = ""
	if err := s.Send(context.Background(), n); err == nil {
		t.Error("sent with no Message-ID")
	}
	n = testNotification()
	n.Subject = "Two\r\nBcc: someone@example.org"
	if err := s.Send(context.Background(), n); err != nil {
		t.Fatal(err)
	}
	if got := srv.Received(); len(got) != 1 || got[0].Msg.Header.Get("Bcc") != "" {
		t.Errorf("a subject added a header: %+v", got)
	}
	// Nobody listening: an error, quickly.
	srv.ln.Close()
	if err := s.Send(context.Background(), testNotification()); err == nil {
		t.Error("sent to a closed server")
	}

	for _, c := range []notify.SMTPConfig{{Addr: "smtp.example.org", From: "a@example.org"},
		{Addr: "smtp.example.org:25"}, {Addr: "smtp.example.org:25", From: "not an address"},
		{Addr: "smtp.example.org:25", From: "a@example.org", Password: "x"}} {
		if _, err := notify.NewSMTPSender(c); err == nil {
			t.Errorf("accepted %+v", c)
		}
	}
}

func TestWrap(t *testing.T) {
	in := "Short line.\n\n  An indented line that goes on and on and on well past the width of a line in an email.\r\nnext " +
		strings.Repeat("é", 30) + " " + strings.Repeat("x", 100) + " end"
	out := notify.Wrap(in, 40)
	for _, l := range strings.Split(out, "\n") {
		if utf8.RuneCountInString(l) > 40 && !strings.Contains(l, strings.Repeat("x", 100)) {
			t.Errorf("line too long: %q", l)
		}
	}
	if !strings.HasPrefix(out, "Short line.\n\n  An indented") || !strings.Contains(out, "\n  ") ||
		!strings.Contains(out, "\n"+strings.Repeat("x", 100)+"\n") {
		t.Errorf("wrapped:\n%s", out)
	}
	if strings.Join(strings.Fields(out), " ") != strings.Join(strings.Fields(in), " ") {
		t.Errorf("words changed:\n%s", out)
	}
}
